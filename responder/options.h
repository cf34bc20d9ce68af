/*
 * responder/options.h -- the command line of caa-responder.
 *
 * options_parse() turns argv into a struct options without printing or
 * exiting, so tests drive it directly; main() prints and exits.  Defaults
 * live in options_init() and are what options_usage() shows.
 */
#ifndef RESPONDER_OPTIONS_H
#define RESPONDER_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cidr.h"
#include "net.h"
#include "query.h"

#define OPTIONS_EX_USAGE 64 /* exit status for misuse (sysexits EX_USAGE) */
#define OPTIONS_ADDRS_MAX 16 /* addresses one -l or -c may name */
#define OPTIONS_TOKEN_ENV "CAA_CONTROL_TOKEN"

#define OPTIONS_UDP_MAX_MIN   512
#define OPTIONS_TCP_IDLE_MAX  86400000 /* one day, in ms */
#define OPTIONS_TCP_CONNS_MAX 1000000
#define OPTIONS_DELAYED_MAX   1000000
#define OPTIONS_DELAYED_OCTETS_MAX ((uint64_t)1 << 30) /* 1 GiB */

enum options_status {
	OPTIONS_RUN = 0,     /* serve */
	OPTIONS_HELP,        /* -h: print options_usage() to stdout */
	OPTIONS_VERSION,     /* -V */
	OPTIONS_USAGE_ERROR, /* ERR says what is wrong */
	OPTIONS_NOMEM,
	OPTIONS_FAILED, /* ERR says why: a file that cannot be read (exit 1) */
};

/* --view CIDR=FILE: one a file, in the order given. */
struct options_view {
	struct cidr prefix;
	const char *file; /* [ORIGIN=]FILE, as a positional zone */
};

/*
 * Every string is borrowed from argv (getopt_long permutes argv, which
 * must outlive the options).  The arrays are owned: options_clear().
 */
struct options {
	const char **zones; /* -z and positional arguments, in order */
	size_t nzones;
	struct options_view *views; /* --view, in order */
	size_t nviews;
	struct net_listen *listen; /* -l, or the two defaults */
	size_t nlisten;
	const char *query_log; /* -q, NULL: none; "-": stdout */
	int verbosity;         /* count of -v */
	unsigned udp_max;
	unsigned tcp_idle_ms;
	unsigned tcp_max_conns;
	unsigned max_delayed;      /* --max-delayed */
	size_t max_delayed_octets; /* --max-delayed-octets */

	/* For the fault and control modules. */
	const char **faults; /* -f rules, in order */
	size_t nfaults;
	const char **fault_files; /* -F */
	size_t nfault_files;
	const char **profiles; /* -P */
	size_t nprofiles;
	bool list_profiles;
	bool has_seed;
	uint64_t seed;
	const char *control; /* -c ADDR:PORT as given; NULL: off */
	struct net_listen control_addr[OPTIONS_ADDRS_MAX]; /* what it names */
	size_t ncontrol;
	bool control_narrowed; /* -c :PORT without a token: loopback only */
	/* --control-token, else --control-token-file, else CAA_CONTROL_TOKEN
	 * (only with -c); NULL: none. */
	const char *control_token;
	/* --default-ipv4, --default-ipv6: as /set-default-ipv4/6 at start */
	struct query_defaults defaults;
	const char *control_token_file;
	char *control_token_buf; /* owned: what the file held */
	/* --tlsalpn01 ADDR:PORT (the last given); ntlsalpn 0: off */
	struct net_listen tlsalpn_addr[OPTIONS_ADDRS_MAX];
	size_t ntlsalpn;
	/* --http01 (repeatable): the HTTP-01 server's addresses; 0: off */
	struct net_listen http01_addr[OPTIONS_ADDRS_MAX];
	size_t nhttp01;
	/* DNSSEC (dnssec.h): --dnssec, --nsec3, --key-dir, --trust-anchor-out */
	bool dnssec;
	bool nsec3;
	const char *key_dir;
	const char *trust_anchor_out;
};

/*
 * Parse "127.0.0.1", "127.0.0.1:53", "::1", "[::1]" or "[::1]:53" (numeric
 * addresses only); a missing port is DEFPORT, or an error when DEFPORT is
 * negative.  Returns 0, or -EINVAL with ERR saying what is wrong.
 */
int options_listen_parse(const char *text, int defport, struct net_listen *out,
                         char *err, size_t errlen);

/*
 * The address forms of -l and -c (options_addr.c): those above, ":PORT"
 * (0.0.0.0 and ::, or 127.0.0.1 and ::1 when LOOPBACK) and "HOST[:PORT]"
 * with a host name: every address it resolves to, duplicates merged,
 * IPv4 first ("localhost" and names under it are 127.0.0.1 and ::1, RFC
 * 6761 6.3, without asking a resolver).  The IPv6 addresses of the last
 * two forms are optional (a host without IPv6 still serves).  Fills
 * OUT[0..*N), at most OPTIONS_ADDRS_MAX; returns 0 or -EINVAL with ERR.
 */
int options_addr_parse(const char *text, int defport, bool loopback,
                       struct net_listen *out, size_t *n, char *err,
                       size_t errlen);

/*
 * After the options: the control token from its sources, then the -c
 * address, which depends on it (options_addr.c).  Returns OPTIONS_RUN, or
 * OPTIONS_USAGE_ERROR, OPTIONS_FAILED (a token file that cannot be read)
 * or OPTIONS_NOMEM with ERR filled.
 */
enum options_status options_control_resolve(struct options *o, char *err,
                                            size_t errlen);

/*
 * --view CIDR=FILE (options_zone.c): append it to O->views.  Returns 0,
 * -EINVAL with WHY saying what is wrong (`bad prefix length 33`), or
 * -ENOMEM.
 */
int options_view_add(struct options *o, const char *arg, char *why,
                     size_t whylen);

/*
 * After the options: every zone source (-z, positional, --view) names a
 * file and a valid ORIGIN.  Returns OPTIONS_RUN or OPTIONS_USAGE_ERROR
 * with ERR filled.
 */
enum options_status options_zones_check(const struct options *o, char *err,
                                        size_t errlen);

/* Set the defaults; no allocation. */
void options_init(struct options *o);

/*
 * Parse ARGV into O (which options_init() need not have seen).  Returns
 * OPTIONS_RUN, OPTIONS_HELP or OPTIONS_VERSION, or OPTIONS_USAGE_ERROR /
 * OPTIONS_NOMEM with ERR naming the bad option or value.  Call
 * options_clear() whatever it returns.  Resets getopt's state first, so it
 * can run more than once in a process.
 */
enum options_status options_parse(struct options *o, int argc, char **argv,
                                  char *err, size_t errlen);

/* Free what options_parse() allocated; O may be parsed again after. */
void options_clear(struct options *o);

/* The help text, defaults included. */
void options_usage(FILE *out, const char *prog);

#endif /* RESPONDER_OPTIONS_H */
