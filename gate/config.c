/*
 * gate/config.c -- caa-gate's command line, defaults and their checks.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "options.h" /* caa-probe's: the lookup options both take */

enum {
	OPT_UPSTREAM_CA = OPTIONS_OPT_OWN,
	OPT_CERT,
	OPT_KEY,
	OPT_CERT_OUT,
	OPT_RECHECK,
};

static const struct option config_long[] = {
        {"listen", required_argument, NULL, 'l'},
        {"upstream", required_argument, NULL, 'u'},
        {"upstream-ca", required_argument, NULL, OPT_UPSTREAM_CA},
        {"cert", required_argument, NULL, OPT_CERT},
        {"key", required_argument, NULL, OPT_KEY},
        {"cert-out", required_argument, NULL, OPT_CERT_OUT},
        {"server", required_argument, NULL, 's'},
        {"port", required_argument, NULL, 'p'},
        {"timeout", required_argument, NULL, OPTIONS_OPT_TIMEOUT},
        {"tries", required_argument, NULL, OPTIONS_OPT_TRIES},
        {"ca", required_argument, NULL, OPTIONS_OPT_CA},
        {"policy", required_argument, NULL, OPTIONS_OPT_POLICY},
        {"recheck", required_argument, NULL, OPT_RECHECK},
        OPTIONS_RESOLVER_LONG,
        OPTIONS_PERSP_LONG,
        {"log", required_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
};

void
config_init(struct gate_config *c)
{
	memset(c, 0, sizeof(*c));
	c->listen = CONFIG_LISTEN;
	(void)config_listen_parse(c->listen, &c->listen_addr, &c->listen_len);
	c->timeout_ms = CONFIG_TIMEOUT_MS;
	c->tries = CONFIG_TRIES;
	c->policy = CAA_POLICY_BOULDER;
	c->recheck = CONFIG_RECHECK_AFTER;
	c->recheck_after_s = CONFIG_RECHECK_S;
}

void
config_clear(struct gate_config *c)
{
	if (c == NULL) {
		return;
	}
	for (size_t i = 0; i < c->ncas; i++) {
		free(c->cas[i]);
	}
	free(c->cas);
	c->cas = NULL;
	c->ncas = 0;
	persp_clear(&c->persp);
}

void
config_usage(FILE *f)
{
	fprintf(f,
	        "usage: caa-gate [OPTIONS]\n"
	        "A TLS reverse proxy in front of an RFC 8555 ACME server "
	        "(Pebble) that adds\nLet's Encrypt's CAA checks.\n\n"
	        "  -l, --listen ADDR:PORT  HTTPS listener, [V6]:PORT too; port "
	        "0 picks a free\n"
	        "                          port (default %s)\n"
	        "  -u, --upstream URL      the ACME server: https://HOST:PORT "
	        "or http://HOST:PORT\n"
	        "                          (required)\n"
	        "  --upstream-ca FILE      PEM CA certificate(s) the upstream's "
	        "certificate chains\n"
	        "                          to (default: the system's trust "
	        "store)\n"
	        "  --cert FILE, --key FILE the gate's certificate (chain) and "
	        "key, PEM; without\n"
	        "                          them a self-signed certificate for "
	        "localhost,\n"
	        "                          127.0.0.1 and ::1 is made at start\n"
	        "  --cert-out FILE         write the certificate served (PEM), "
	        "for clients to trust\n"
	        "  -s, --server SERVER     where CAA lookups go: HOST, "
	        "HOST#PORT, HOST:PORT,\n"
	        "                          [V6]:PORT (default: -r)\n"
	        "  -p, --port N            port for --server (default 53)\n",
	        CONFIG_LISTEN);
	options_resolver_usage(f);
	persp_usage(f);
	fprintf(f,
	        "  --timeout MS            CAA lookup timeout per try (default "
	        "%d)\n"
	        "  --tries N               tries per CAA query (default %d)\n"
	        "  --ca DOMAIN             issuer domain name (repeatable; "
	        "default %s); the\n"
	        "                          directory's meta.caaIdentities "
	        "becomes this list\n"
	        "  --policy rfc8659|boulder  CAA readings (default boulder)\n"
	        "  --recheck always|never|after=SECONDS  CAA again at finalize "
	        "for\n"
	        "                          authorizations validated longer ago "
	        "(default after=%d)\n"
	        "  -q, --log FILE          one JSON object per CAA decision "
	        "('-' = stdout)\n"
	        "  -h, --help              this text\n"
	        "  -V, --version           the version\n\n"
	        "Prints 'ready https=ADDR:PORT upstream=URL' once it listens; "
	        "SIGTERM and SIGINT\nstop it with status 0.  Errors of the gate "
	        "itself (upstream down, TLS) reach\nthe client as ACME problem "
	        "documents (serverInternal, status 500).\n"
	        "A challenge POST is relayed only when CAA permits issuance for "
	        "its\nauthorization's name (as caa-probe decides, with the JWS "
	        "kid as accounturi\nand the challenge type as validation "
	        "method); otherwise the client gets the\nchallenge invalid with "
	        "Let's Encrypt's problem (urn:ietf:params:acme:error:caa\nor "
	        ":dns), and the authorization and its orders read invalid from "
	        "then on.\nFinalize decides again as --recheck says; a failure "
	        "is a 403 caa problem.\n",
	        CONFIG_TIMEOUT_MS, CONFIG_TRIES,
	        CONFIG_DEFAULT_CA, CONFIG_RECHECK_S);
}

static int
config_bad(FILE *err, const char *opt, const char *value, const char *why)
{
	return options_bad(err, "caa-gate", opt, value, why);
}

/* A decimal number in [MIN, MAX], nothing else (no sign). */
static bool
config_number(const char *s, long min, long max, long *out)
{
	return s[0] >= '0' && s[0] <= '9' && options_number(s, min, max, out);
}

int
config_listen_parse(const char *text, struct sockaddr_storage *ss,
                    socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *port;
	size_t hlen;
	long p = 0;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (close == NULL) {
			return -1;
		}
		hlen = (size_t)(close - text - 1);
		text++;
		if (close[1] != ':') {
			return -1;
		}
		port = close + 2;
	} else {
		const char *colon = strchr(text, ':');

		/* An IPv6 address needs its brackets: [V6]:PORT. */
		if (colon == NULL || strchr(colon + 1, ':') != NULL) {
			return -1;
		}
		port = colon + 1;
		hlen = (size_t)(colon - text);
	}
	if (hlen == 0 || hlen >= sizeof(host)) {
		return -1;
	}
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	if (!config_number(port, 0, 65535, &p)) {
		return -1;
	}
	if (strcmp(host, "localhost") == 0) {
		(void)strcpy(host, "127.0.0.1");
	}
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)p);
		*len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)p);
		*len = sizeof(*sin6);
		return 0;
	}
	return -1;
}

/*
 * The upstream URL: http or https, a host, an optional port, and no path
 * (or "/"), query, fragment or user.  libevent's parser reads it.
 */
static int
config_upstream(struct gate_config *c, const char *url, FILE *err)
{
	struct evhttp_uri *uri = evhttp_uri_parse_with_flags(url, 0);
	const char *scheme, *host, *path;
	int rc = CONFIG_EXIT_USAGE;

	if (uri == NULL) {
		return config_bad(err, "-u/--upstream", url,
		                  "a URL like https://127.0.0.1:14000");
	}
	scheme = evhttp_uri_get_scheme(uri);
	host = evhttp_uri_get_host(uri);
	path = evhttp_uri_get_path(uri);
	if (scheme == NULL || (strcmp(scheme, "https") != 0 &&
	                       strcmp(scheme, "http") != 0)) {
		(void)config_bad(err, "-u/--upstream", url,
		                 "the scheme must be https or http");
		goto out;
	}
	if (host == NULL || host[0] == '\0' ||
	    strlen(host) >= sizeof(c->upstream_host)) {
		(void)config_bad(err, "-u/--upstream", url, "no host");
		goto out;
	}
	if ((path != NULL && path[0] != '\0' && strcmp(path, "/") != 0) ||
	    evhttp_uri_get_query(uri) != NULL ||
	    evhttp_uri_get_fragment(uri) != NULL ||
	    evhttp_uri_get_userinfo(uri) != NULL) {
		(void)config_bad(err, "-u/--upstream", url,
		                 "scheme, host and port only: every path is "
		                 "relayed as the client asks it");
		goto out;
	}
	c->upstream = url;
	c->upstream_tls = strcmp(scheme, "https") == 0;
	/* libevent keeps the brackets of an IPv6 literal. */
	if (host[0] == '[') {
		size_t n = strlen(host);

		if (n < 3 || host[n - 1] != ']') {
			(void)config_bad(err, "-u/--upstream", url, "bad host");
			goto out;
		}
		memcpy(c->upstream_host, host + 1, n - 2);
		c->upstream_host[n - 2] = '\0';
	} else {
		(void)strcpy(c->upstream_host, host);
	}
	c->upstream_port = evhttp_uri_get_port(uri);
	if (c->upstream_port == 0) {
		(void)config_bad(err, "-u/--upstream", url, "port 0");
		goto out;
	}
	if (c->upstream_port < 0) {
		c->upstream_port = c->upstream_tls ? 443 : 80;
	}
	rc = 0;
out:
	evhttp_uri_free(uri);
	return rc;
}

/* An issuer domain name: letters, digits, hyphens and dots, <= 253. */
static bool
config_ca_ok(const char *ca)
{
	size_t n = strlen(ca);

	if (n == 0 || n > CAA_NAME_MAX || ca[0] == '.' ||
	    strstr(ca, "..") != NULL) {
		return false;
	}
	for (const char *p = ca; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.') {
			return false;
		}
	}
	return true;
}

static int
config_recheck(struct gate_config *c, const char *arg, FILE *err)
{
	long v;

	if (strcmp(arg, "always") == 0) {
		c->recheck = CONFIG_RECHECK_ALWAYS;
	} else if (strcmp(arg, "never") == 0) {
		c->recheck = CONFIG_RECHECK_NEVER;
	} else if (strncmp(arg, "after=", 6) == 0 &&
	           config_number(arg + 6, 0, LONG_MAX, &v)) {
		c->recheck = CONFIG_RECHECK_AFTER;
		c->recheck_after_s = v;
	} else {
		return config_bad(err, "--recheck", arg,
		                  "always, never or after=SECONDS");
	}
	return 0;
}

/* One option with its value; 0 or CONFIG_EXIT_USAGE. */
static int
config_one(struct gate_config *c, int opt, const char *arg, FILE *err)
{
	const struct options_lookup lookup = {
	        .prog = "caa-gate",
	        .digits_only = true,
	        .ca_ok = config_ca_ok,
	        .server = &c->server,
	        .port = &c->port,
	        .timeout_ms = &c->timeout_ms,
	        .tries = &c->tries,
	        .cas = &c->cas,
	        .ncas = &c->ncas,
	        .policy = &c->policy,
	        .resolver = &c->resolver,
	        .persp = &c->persp,
	};
	int rc = options_lookup_one(&lookup, opt, arg, err);

	if (rc >= 0) {
		return rc;
	}
	switch (opt) {
	case 'l':
		if (config_listen_parse(arg, &c->listen_addr, &c->listen_len) !=
		    0) {
			return config_bad(err, "-l/--listen", arg,
			                  "ADDR:PORT or [V6]:PORT, numeric");
		}
		c->listen = arg;
		return 0;
	case 'u':
		return config_upstream(c, arg, err);
	case OPT_UPSTREAM_CA:
		c->upstream_ca = arg;
		return 0;
	case OPT_CERT:
		c->cert = arg;
		return 0;
	case OPT_KEY:
		c->key = arg;
		return 0;
	case OPT_CERT_OUT:
		c->cert_out = arg;
		return 0;
	case OPT_RECHECK:
		return config_recheck(c, arg, err);
	case 'q':
		if (arg[0] == '\0') {
			return config_bad(err, "-q/--log", arg,
			                  "a file name, or - for stdout");
		}
		c->log = arg;
		return 0;
	default:
		return CONFIG_EXIT_USAGE;
	}
}

/*
 * -s as caa-probe reads it (HOST, HOST#PORT, HOST:PORT, [V6]:PORT), by
 * caa-probe's own reader, so the two programs agree on every form; without
 * -s, the first nameserver of resolv.conf (--resolver system).  Read once,
 * into C->server_addr, which the lookups use.
 */
static int
config_server(struct gate_config *c, FILE *err)
{
	struct probe_opts po;
	char why[256];
	int rc;

	options_init(&po);
	po.server = c->server;
	po.port = c->port;
	c->server_len = sizeof(c->server_addr);
	rc = options_server(&po, OPTIONS_RESOLV_CONF, &c->server_addr,
	                    &c->server_len, why, sizeof(why));
	options_clear(&po);
	if (rc != 0) {
		fprintf(err, "caa-gate: -s/--server: %s\n", why);
		fprintf(err, "try 'caa-gate --help'\n");
		return CONFIG_EXIT_USAGE;
	}
	return 0;
}

int
config_parse(int argc, char **argv, struct gate_config *c, FILE *err)
{
	int opt, rc;

	opterr = 0;
	optind = 0; /* glibc: start over, internal state included */
	while ((opt = getopt_long(argc, argv, ":l:u:s:p:q:rhV", config_long,
	                          NULL)) != -1) {
		switch (opt) {
		case 'h':
			c->help = true;
			break;
		case 'V':
			c->version = true;
			break;
		case ':':
			fprintf(err, "caa-gate: %s needs a value\n",
			        argv[optind - 1]);
			fprintf(err, "try 'caa-gate --help'\n");
			return CONFIG_EXIT_USAGE;
		case '?':
			fprintf(err, "caa-gate: unknown option '%s'\n",
			        argv[optind - 1]);
			fprintf(err, "try 'caa-gate --help'\n");
			return CONFIG_EXIT_USAGE;
		default:
			rc = config_one(c, opt, optarg, err);
			if (rc != 0) {
				return rc;
			}
		}
	}
	if (c->help || c->version) {
		return 0;
	}
	if (optind < argc) {
		fprintf(err, "caa-gate: unexpected argument '%s'\n",
		        argv[optind]);
		fprintf(err, "try 'caa-gate --help'\n");
		return CONFIG_EXIT_USAGE;
	}
	if (c->upstream == NULL) {
		fprintf(err, "caa-gate: -u/--upstream URL is required\n");
		fprintf(err, "try 'caa-gate --help'\n");
		return CONFIG_EXIT_USAGE;
	}
	if ((c->cert == NULL) != (c->key == NULL)) {
		fprintf(err, "caa-gate: --cert and --key go together\n");
		fprintf(err, "try 'caa-gate --help'\n");
		return CONFIG_EXIT_USAGE;
	}
	if (c->upstream_ca != NULL && !c->upstream_tls) {
		return config_bad(err, "--upstream-ca", c->upstream_ca,
		                  "the upstream is http, not https");
	}
	if (c->ncas == 0 &&
	    !options_add_ca(&c->cas, &c->ncas, CONFIG_DEFAULT_CA)) {
		return CONFIG_EXIT_USAGE;
	}
	rc = options_resolver_check(&c->resolver, c->server, "caa-gate", err);
	if (rc == 0) {
		rc = persp_finish(&c->persp, c->port, "caa-gate", err);
	}
	if (rc != 0) {
		return rc;
	}
	return config_server(c, err);
}
