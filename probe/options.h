/*
 * probe/options.h -- caa-probe's command line, defaults and the server.
 *
 * The options are documented in docs/probe.md.  Defaults live
 * in options_init() and are shown by the help text.
 */
#ifndef PROBE_OPTIONS_H
#define PROBE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>

#include "caa.h"
#include "report.h"

#define OPTIONS_EXIT_USAGE  64 /* EX_USAGE */
#define OPTIONS_TIMEOUT_MS  2000
#define OPTIONS_TRIES       3
#define OPTIONS_JOBS        64
#define OPTIONS_LINE_MAX    4096 /* bytes of one -f input line */
#define OPTIONS_PORT        53
#define OPTIONS_DEFAULT_CA  "letsencrypt.org"
#define OPTIONS_RESOLV_CONF "/etc/resolv.conf"
/* dns-root-data's files: the root servers and the IANA root key. */
#define OPTIONS_ROOT_HINTS   "/usr/share/dns/root.hints"
#define OPTIONS_TRUST_ANCHOR "/usr/share/dns/root.key"

#include "lookup.h"
#include "perspective.h"

/* Who resolves: -r, --resolver system, --root-hints, --trust-anchor,
 * --validate (docs/probe.md, "Resolvers"). */
struct options_resolver {
	bool recursive; /* -r given */
	bool system;    /* --resolver system */
	bool validate;  /* --validate */
	const char *root_hints;   /* NULL: OPTIONS_ROOT_HINTS */
	const char *trust_anchor; /* NULL: OPTIONS_TRUST_ANCHOR; "none" */
};

struct probe_opts {
	char **cas; /* issuer domain names, lower-cased; owned */
	size_t ncas;
	const char *account_uri; /* borrowed from argv, as the rest */
	const char *method;
	const char **known_tags;
	size_t nknown_tags;
	enum caa_policy policy; /* --policy, else it follows the CA */
	bool policy_set;        /* --policy was given */
	const char *server; /* --server or @HOST; NULL: resolv.conf */
	int port;           /* -p; 0: not given */
	int timeout_ms;
	int tries;
	const char *file; /* -f; "-" is stdin */
	size_t jobs;
	struct options_resolver resolver;
	struct persp_opts persp; /* --perspective, --quorum */
	enum report_format format;
	bool quiet; /* -q: no progress, no summary */
	bool trace; /* --trace: every nameserver asked (trace.h) */
	const char **names; /* positional names */
	size_t nnames;
	bool help;
	bool version;
};

/* Sets the defaults. */
void options_init(struct probe_opts *o);

/* Frees what O owns (not the argv strings it borrows). */
void options_clear(struct probe_opts *o);

/*
 * Reads ARGV into O (getopt_long; "@HOST" among the names is the server,
 * as in dig).  Returns 0, or OPTIONS_EXIT_USAGE after printing a message
 * that names the bad option to ERR.
 */
int options_parse(int argc, char **argv, struct probe_opts *o, FILE *err);

/* The help text. */
void options_usage(FILE *f);

/*
 * The resolver and CA-request options caa-probe and caa-gate both take:
 * -s/--server, -p/--port, --timeout, --tries, --ca and --policy, read
 * into the fields of either program's settings.  The long options
 * without a short form have these codes in both programs.
 */
enum {
	OPTIONS_OPT_CA = 256,
	OPTIONS_OPT_POLICY,
	OPTIONS_OPT_TIMEOUT,
	OPTIONS_OPT_TRIES,
	OPTIONS_OPT_RESOLVER,
	OPTIONS_OPT_ROOT_HINTS,
	OPTIONS_OPT_TRUST_ANCHOR,
	OPTIONS_OPT_VALIDATE,
	OPTIONS_OPT_PERSPECTIVE,
	OPTIONS_OPT_QUORUM,
	OPTIONS_OPT_OWN, /* the first code of a program's own options */
};

/* The resolver options in a getopt_long table (and "r" in the short
 * ones); read by options_lookup_one() when RESOLVER is set. */
#define OPTIONS_RESOLVER_LONG                                             \
	{"recursive", no_argument, NULL, 'r'},                            \
	        {"resolver", required_argument, NULL, OPTIONS_OPT_RESOLVER}, \
	        {"root-hints", required_argument, NULL,                   \
	         OPTIONS_OPT_ROOT_HINTS},                                 \
	        {"trust-anchor", required_argument, NULL,                 \
	         OPTIONS_OPT_TRUST_ANCHOR},                               \
	        {"validate", no_argument, NULL, OPTIONS_OPT_VALIDATE}

/* --perspective and --quorum in a getopt_long table; read by
 * options_lookup_one() when PERSP is set (perspective.h). */
#define OPTIONS_PERSP_LONG                                                 \
	{"perspective", required_argument, NULL, OPTIONS_OPT_PERSPECTIVE}, \
	        {"quorum", required_argument, NULL, OPTIONS_OPT_QUORUM}

struct options_lookup {
	const char *prog;              /* names the program in messages */
	bool digits_only;              /* numbers start with a digit */
	bool (*ca_ok)(const char *ca); /* the --ca names taken */
	const char **server;
	int *port;
	int *timeout_ms;
	int *tries;
	char ***cas;
	size_t *ncas;
	enum caa_policy *policy;
	bool *policy_set; /* NULL: not kept */
	struct options_resolver *resolver; /* NULL: the program takes none */
	struct persp_opts *persp; /* NULL: the program takes none */
};

/*
 * Reads ARG of the lookup option OPT through L.  Returns 0,
 * OPTIONS_EXIT_USAGE after a message to ERR that names the option and the
 * value, or -1 when OPT is none of the lookup options.
 */
int options_lookup_one(const struct options_lookup *l, int opt,
                       const char *arg, FILE *err);

/*
 * Checks R against the server given (SERVER, NULL if none): -r and -s
 * exclude each other, and so do -r and --resolver system.  Returns 0, or
 * OPTIONS_EXIT_USAGE after a message to ERR.
 */
int options_resolver_check(const struct options_resolver *r,
                           const char *server, const char *prog, FILE *err);

/*
 * The backend of CFG from R: without -s and --resolver system, the
 * recursive resolver (from --root-hints); with a server (given, or the
 * system's), that server, validated with --validate.  --trust-anchor none
 * turns validation off.
 */
void options_resolver_config(const struct options_resolver *r,
                             const char *server, struct lookup_config *cfg);

/* The help lines of the resolver options (-r, --resolver, --root-hints,
 * --trust-anchor, --validate), as both programs print them. */
void options_resolver_usage(FILE *f);

/* Prints "PROG: bad value ..." and the hint; returns OPTIONS_EXIT_USAGE. */
int options_bad(FILE *err, const char *prog, const char *opt,
                const char *value, const char *why);

/* A whole decimal number in [MIN, MAX] (a sign too). */
bool options_number(const char *s, long min, long max, long *out);

/* Appends CA, lower-cased, to *CAS.  Returns false without memory. */
bool options_add_ca(char ***cas, size_t *ncas, const char *ca);

/*
 * The server to ask: --server/@HOST as HOST, HOST:PORT, HOST#PORT, [V6],
 * [V6]:PORT, [V6]#PORT or a bare IPv6 address (HOST an address or a host
 * name; a port given there wins over --port), else the first
 * "nameserver" of RESOLV_CONF (port 53 or --port), else 127.0.0.1.
 * Returns 0, or -1 with a message in ERR[0..ERRLEN).
 */
int options_server(const struct probe_opts *o, const char *resolv_conf,
                   struct sockaddr_storage *ss, socklen_t *len, char *err,
                   size_t errlen);

#endif /* PROBE_OPTIONS_H */
