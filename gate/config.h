/*
 * gate/config.h -- caa-gate's command line, defaults and their checks.
 *
 * Every option of the contract is read and checked here; a bad value is a
 * usage error.  The CAA step (decide.c, flow.c) reads -s/-p/--timeout/
 * --tries, --ca, --policy, --recheck and -q from here.  The options are
 * documented in docs/gate.md and man/caa-gate.1.
 */
#ifndef GATE_CONFIG_H
#define GATE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>

#include "caa.h"
#include "options.h" /* caa-probe's: the resolver options */

#define CONFIG_EXIT_USAGE   64 /* EX_USAGE */
#define CONFIG_LISTEN       "127.0.0.1:14000"
#define CONFIG_DEFAULT_CA   "letsencrypt.org"
#define CONFIG_RECHECK_S    25200 /* 7 h, as Let's Encrypt */
#define CONFIG_TIMEOUT_MS   2000  /* as caa-probe */
#define CONFIG_TRIES        3
#define CONFIG_HOST_MAX     256

/* --recheck: when finalize decides CAA again. */
enum config_recheck {
	CONFIG_RECHECK_AFTER = 0, /* authorizations older than recheck_after_s */
	CONFIG_RECHECK_ALWAYS,
	CONFIG_RECHECK_NEVER,
};

struct gate_config {
	/* -l: the HTTPS listener, as an address ready for bind(). */
	const char *listen; /* as given; borrowed, as every string here */
	struct sockaddr_storage listen_addr;
	socklen_t listen_len;
	/* -u: the ACME server, split by libevent's URI parser. */
	const char *upstream;
	bool upstream_tls;              /* https (true) or http */
	char upstream_host[CONFIG_HOST_MAX]; /* no brackets around IPv6 */
	int upstream_port;
	const char *upstream_ca; /* PEM file; NULL: the system's trust store */
	const char *cert, *key;  /* both or neither */
	const char *cert_out;
	/* The CAA lookups, as caa-probe -s/-p/--timeout/--tries. */
	const char *server; /* NULL: -r, or resolv.conf with --resolver */
	int port;           /* -p; 0: not given */
	struct sockaddr_storage server_addr; /* -s (or resolv.conf), read
	                                        once by config_parse() */
	socklen_t server_len;
	struct options_resolver resolver; /* -r, --resolver, --root-hints,
	                                     --trust-anchor, --validate */
	struct persp_opts persp; /* --perspective, --quorum (perspective.h) */
	int timeout_ms;
	int tries;
	char **cas; /* --ca, lower-cased, in order; owned */
	size_t ncas;
	enum caa_policy policy;
	enum config_recheck recheck;
	long recheck_after_s;
	const char *log; /* -q; "-" is stdout; NULL: no log */
	bool help;
	bool version;
};

/* Sets the defaults (see the help text). */
void config_init(struct gate_config *c);

/* Frees what C owns (not the argv strings it borrows); accepts NULL. */
void config_clear(struct gate_config *c);

/*
 * Reads ARGV into C (getopt_long) and checks every value.  Returns 0, or
 * CONFIG_EXIT_USAGE after printing to ERR one line that names the option
 * and the bad value.
 */
int config_parse(int argc, char **argv, struct gate_config *c, FILE *err);

/* The help text. */
void config_usage(FILE *f);

/*
 * Reads ADDR:PORT or [V6]:PORT (port 0: a free port) into SS and *LEN.
 * ADDR is numeric; "localhost" stands for 127.0.0.1.  Returns 0 or -1.
 */
int config_listen_parse(const char *text, struct sockaddr_storage *ss,
                        socklen_t *len);

#endif /* GATE_CONFIG_H */
