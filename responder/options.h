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

#include "net.h"
#include "query.h"

#define OPTIONS_EX_USAGE 64 /* exit status for misuse (sysexits EX_USAGE) */

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
};

/*
 * Every string is borrowed from argv (getopt_long permutes argv, which
 * must outlive the options).  The arrays are owned: options_clear().
 */
struct options {
	const char **zones; /* -z and positional arguments, in order */
	size_t nzones;
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
	struct net_listen control_addr;
	const char *control_token;
	/* --default-ipv4, --default-ipv6: as /set-default-ipv4/6 at start */
	struct query_defaults defaults;
};

/*
 * Parse "127.0.0.1", "127.0.0.1:53", "::1", "[::1]" or "[::1]:53" (numeric
 * addresses only); a missing port is DEFPORT, or an error when DEFPORT is
 * negative.  Returns 0, or -EINVAL with ERR saying what is wrong.
 */
int options_listen_parse(const char *text, int defport, struct net_listen *out,
                         char *err, size_t errlen);

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
