/*
 * responder/options.c -- the command line of caa-responder: getopt_long,
 * defaults, checks.
 */
#include "options.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"

/* Long-only options take values past any character. */
enum {
	OPT_UDP_MAX = 256,
	OPT_TCP_IDLE,
	OPT_TCP_CONNS,
	OPT_MAX_DELAYED,
	OPT_MAX_DELAYED_OCTETS,
	OPT_LIST_PROFILES,
	OPT_SEED,
	OPT_CONTROL_TOKEN,
	OPT_DEFAULT_IPV4,
	OPT_DEFAULT_IPV6,
	OPT_CONTROL_TOKEN_FILE,
	OPT_TLSALPN01,
	OPT_HTTP01,
	OPT_DNSSEC,
	OPT_NSEC3,
	OPT_KEY_DIR,
	OPT_TRUST_ANCHOR_OUT,
	OPT_VIEW,
};

/* '-': positional arguments come back in order, as option 1. */
static const char options_short[] = "-:z:l:f:F:P:c:q:vhV";

static const struct option options_long[] = {
        {"zone", required_argument, NULL, 'z'},
        {"view", required_argument, NULL, OPT_VIEW},
        {"listen", required_argument, NULL, 'l'},
        {"fault", required_argument, NULL, 'f'},
        {"faults-file", required_argument, NULL, 'F'},
        {"profile", required_argument, NULL, 'P'},
        {"list-profiles", no_argument, NULL, OPT_LIST_PROFILES},
        {"control", required_argument, NULL, 'c'},
        {"control-token", required_argument, NULL, OPT_CONTROL_TOKEN},
        {"default-ipv4", required_argument, NULL, OPT_DEFAULT_IPV4},
        {"default-ipv6", required_argument, NULL, OPT_DEFAULT_IPV6},
        {"control-token-file", required_argument, NULL,
         OPT_CONTROL_TOKEN_FILE},
        {"http01", required_argument, NULL, OPT_HTTP01},
        {"query-log", required_argument, NULL, 'q'},
        {"seed", required_argument, NULL, OPT_SEED},
        {"udp-max", required_argument, NULL, OPT_UDP_MAX},
        {"tcp-idle-timeout", required_argument, NULL, OPT_TCP_IDLE},
        {"tcp-max-conns", required_argument, NULL, OPT_TCP_CONNS},
        {"max-delayed", required_argument, NULL, OPT_MAX_DELAYED},
        {"max-delayed-octets", required_argument, NULL,
         OPT_MAX_DELAYED_OCTETS},
        {"tlsalpn01", required_argument, NULL, OPT_TLSALPN01},
        {"dnssec", no_argument, NULL, OPT_DNSSEC},
        {"nsec3", no_argument, NULL, OPT_NSEC3},
        {"key-dir", required_argument, NULL, OPT_KEY_DIR},
        {"trust-anchor-out", required_argument, NULL, OPT_TRUST_ANCHOR_OUT},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
};

void
options_init(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->udp_max = QUERY_UDP_MAX_DEFAULT;
	o->tcp_idle_ms = NET_TCP_IDLE_DEFAULT;
	o->tcp_max_conns = NET_TCP_CONNS_DEFAULT;
	o->max_delayed = NET_DELAYED_DEFAULT;
	o->max_delayed_octets = NET_DELAYED_OCTETS_DEFAULT;
}

void
options_clear(struct options *o)
{
	free((void *)o->zones);
	free(o->views);
	free(o->listen);
	free((void *)o->faults);
	free((void *)o->fault_files);
	free((void *)o->profiles);
	free(o->control_token_buf);
	options_init(o);
}

/* "-z/--zone" or "--udp-max" for the option whose getopt value is VAL. */
static const char *
options_name(int val, char *buf, size_t cap)
{
	for (const struct option *lo = options_long; lo->name != NULL; lo++) {
		if (lo->val != val) {
			continue;
		}
		if (val < 256) {
			(void)snprintf(buf, cap, "-%c/--%s", val, lo->name);
		} else {
			(void)snprintf(buf, cap, "--%s", lo->name);
		}
		return buf;
	}
	if (val > 0 && val < 256 && isprint(val)) {
		(void)snprintf(buf, cap, "-%c", val);
	} else {
		(void)snprintf(buf, cap, "?");
	}
	return buf;
}

static bool
options_is_known(int val)
{
	for (const struct option *lo = options_long; lo->name != NULL; lo++) {
		if (lo->val == val) {
			return true;
		}
	}
	return false;
}

static int
options_push(const char ***arr, size_t *n, const char *s)
{
	const char **grown = realloc((void *)*arr, (*n + 1) * sizeof(**arr));

	if (grown == NULL) {
		return -ENOMEM;
	}
	grown[(*n)++] = s;
	*arr = grown;
	return 0;
}

static int
options_push_listen(struct options *o, const struct net_listen *l, size_t n)
{
	struct net_listen *grown =
	        realloc(o->listen, (o->nlisten + n) * sizeof(*o->listen));

	if (grown == NULL) {
		return -ENOMEM;
	}
	memcpy(grown + o->nlisten, l, n * sizeof(*l));
	o->nlisten += n;
	o->listen = grown;
	return 0;
}

/* A decimal number in [MIN, MAX], digits only (no sign, no spaces). */
static bool
options_number(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end = NULL;

	if (!isdigit((unsigned char)s[0])) {
		return false;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max) {
		return false;
	}
	*out = (uint64_t)v;
	return true;
}

static bool
options_parse_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;

	if (*s == '\0' || strlen(s) > 5) {
		return false;
	}
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9') {
			return false;
		}
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v > 65535) {
		return false;
	}
	*port = (uint16_t)v;
	return true;
}

/* "%eth0" or "%2" after a link-local address. */
static bool
options_parse_scope(const char *s, uint32_t *id)
{
	unsigned long v;
	char *end = NULL;

	if (*s == '\0') {
		return false;
	}
	*id = if_nametoindex(s);
	if (*id != 0) {
		return true;
	}
	if (*s < '0' || *s > '9') {
		return false;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > UINT32_MAX) {
		return false;
	}
	*id = (uint32_t)v;
	return true;
}

int
options_listen_parse(const char *text, int defport, struct net_listen *out,
                     char *err, size_t errlen)
{
	char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
	const char *port = NULL;
	const char *end;
	const char *colon = strchr(text, ':');
	bool bracketed = text[0] == '[';
	size_t hlen;
	uint16_t p = 0;

	memset(out, 0, sizeof(*out));
	if (bracketed) {
		/* [v6] or [v6]:port */
		end = strchr(text, ']');
		if (end == NULL) {
			(void)snprintf(err, errlen, "no ']' after the address");
			return -EINVAL;
		}
		if (end[1] == ':') {
			port = end + 2;
		} else if (end[1] != '\0') {
			(void)snprintf(err, errlen, "':' expected after ']'");
			return -EINVAL;
		}
		text++;
	} else if (colon != NULL && strchr(colon + 1, ':') == NULL) {
		/* v4:port */
		end = colon;
		port = colon + 1;
	} else {
		/* v4 or bare v6: no port */
		end = text + strlen(text);
	}
	hlen = (size_t)(end - text);
	if (hlen == 0 || hlen >= sizeof(host)) {
		(void)snprintf(err, errlen, "%s address",
		               hlen == 0 ? "empty" : "too long an");
		return -EINVAL;
	}
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	if (port != NULL && !options_parse_port(port, &p)) {
		(void)snprintf(err, errlen,
		               "port not a number from 0 to 65535");
		return -EINVAL;
	}
	if (port == NULL) {
		if (defport < 0) {
			(void)snprintf(err, errlen, "a port is needed");
			return -EINVAL;
		}
		p = (uint16_t)defport;
	}
	if (bracketed && strchr(host, ':') == NULL) {
		(void)snprintf(err, errlen, "brackets are for IPv6 addresses");
		return -EINVAL;
	}
	if (strchr(host, ':') == NULL) {
		struct sockaddr_in *sin = (void *)&out->addr;

		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1) {
			goto not_numeric;
		}
		sin->sin_family = AF_INET;
		sin->sin_port = htons(p);
		out->addrlen = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (void *)&out->addr;
		char *scope = strchr(host, '%');

		if (scope != NULL) {
			*scope++ = '\0';
			if (!options_parse_scope(scope, &sin6->sin6_scope_id)) {
				(void)snprintf(err, errlen,
				               "unknown interface");
				return -EINVAL;
			}
		}
		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1) {
			goto not_numeric;
		}
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(p);
		out->addrlen = sizeof(*sin6);
	}
	return 0;
not_numeric:
	(void)snprintf(err, errlen, "not a numeric IPv4 or IPv6 address");
	return -EINVAL;
}

/* The two default addresses, when no -l was given. */
static int
options_default_listen(struct options *o, char *err, size_t errlen)
{
	struct net_listen l;
	int rc;

	rc = options_listen_parse("127.0.0.1", NET_PORT_DEFAULT, &l, err,
	                          errlen);
	if (rc == 0) {
		rc = options_push_listen(o, &l, 1);
	}
	if (rc == 0) {
		rc = options_listen_parse("::1", NET_PORT_DEFAULT, &l, err,
		                          errlen);
	}
	if (rc == 0) {
		l.optional = true; /* hosts without IPv6 still serve */
		rc = options_push_listen(o, &l, 1);
	}
	return rc;
}

/*
 * --default-ipv4/--default-ipv6 ARG into D: a numeric address of FAMILY,
 * or "" for none.  Returns 0, or -1 with WHY filled.
 */
static int
options_default_addr(struct query_defaults *d, int family, const char *arg,
                     char *why, size_t whylen)
{
	bool v4 = family == AF_INET;
	uint8_t bin[16];

	if (arg[0] != '\0' && inet_pton(family, arg, bin) != 1) {
		(void)snprintf(why, whylen, "not a numeric %s address, or ''",
		               v4 ? "IPv4" : "IPv6");
		return -1;
	}
	if (v4) {
		d->has_a = arg[0] != '\0';
		memcpy(d->a, bin, d->has_a ? sizeof(d->a) : 0);
	} else {
		d->has_aaaa = arg[0] != '\0';
		memcpy(d->aaaa, bin, d->has_aaaa ? sizeof(d->aaaa) : 0);
	}
	return 0;
}

/*
 * --http01 ARG: its addresses (the forms of -l, a port needed) after those
 * of the --http01 before.  Returns 0, or -1 with WHY filled.
 */
static int
options_http01(struct options *o, const char *arg, char *why, size_t whylen)
{
	struct net_listen ls[OPTIONS_ADDRS_MAX];
	size_t n = 0;

	if (options_addr_parse(arg, -1, false, ls, &n, why, whylen) != 0) {
		return -1;
	}
	if (o->nhttp01 + n > OPTIONS_ADDRS_MAX) {
		(void)snprintf(why, whylen, "more than %d addresses in all",
		               OPTIONS_ADDRS_MAX);
		return -1;
	}
	memcpy(o->http01_addr + o->nhttp01, ls, n * sizeof(ls[0]));
	o->nhttp01 += n;
	return 0;
}

/* Handle one option VAL with argument ARG; 0 or a status with ERR set. */
static enum options_status
options_one(struct options *o, int val, const char *arg, char *err,
            size_t errlen)
{
	char name[48];
	char why[256];
	struct net_listen ls[OPTIONS_ADDRS_MAX];
	size_t nl = 0;
	uint64_t v = 0;
	int rc = 0;

	switch (val) {
	case 1:
	case 'z':
		rc = options_push(&o->zones, &o->nzones, arg);
		break;
	case OPT_VIEW:
		rc = options_view_add(o, arg, why, sizeof(why));
		if (rc == -EINVAL) {
			goto bad_value;
		}
		break;
	case 'l':
		if (options_addr_parse(arg, NET_PORT_DEFAULT, false, ls, &nl,
		                       why, sizeof(why)) != 0) {
			goto bad_value;
		}
		rc = options_push_listen(o, ls, nl);
		break;
	case 'f':
		rc = options_push(&o->faults, &o->nfaults, arg);
		break;
	case 'F':
		rc = options_push(&o->fault_files, &o->nfault_files, arg);
		break;
	case 'P':
		rc = options_push(&o->profiles, &o->nprofiles, arg);
		break;
	case OPT_LIST_PROFILES:
		o->list_profiles = true;
		break;
	case 'c': /* parsed once the token is known */
		o->control = arg;
		break;
	case OPT_CONTROL_TOKEN_FILE:
		o->control_token_file = arg;
		break;
	case OPT_CONTROL_TOKEN:
		if (arg[0] == '\0') {
			(void)snprintf(why, sizeof(why), "empty token");
			goto bad_value;
		}
		o->control_token = arg;
		break;
	case OPT_DEFAULT_IPV4:
	case OPT_DEFAULT_IPV6:
		if (options_default_addr(&o->defaults,
		                         val == OPT_DEFAULT_IPV4 ? AF_INET
		                                                 : AF_INET6,
		                         arg, why, sizeof(why)) != 0) {
			goto bad_value;
		}
		break;
	case OPT_HTTP01:
		if (options_http01(o, arg, why, sizeof(why)) != 0) {
			goto bad_value;
		}
		break;
	case OPT_DNSSEC:
		o->dnssec = true;
		break;
	case OPT_NSEC3:
		o->nsec3 = true;
		break;
	case OPT_KEY_DIR:
	case OPT_TRUST_ANCHOR_OUT:
		if (arg[0] == '\0') {
			(void)snprintf(why, sizeof(why), "empty %s name",
			               val == OPT_KEY_DIR ? "directory" : "file");
			goto bad_value;
		}
		*(val == OPT_KEY_DIR ? &o->key_dir : &o->trust_anchor_out) = arg;
		break;
	case 'q':
		if (arg[0] == '\0') {
			(void)snprintf(why, sizeof(why), "empty file name");
			goto bad_value;
		}
		o->query_log = arg;
		break;
	case OPT_SEED:
		if (!options_number(arg, 0, UINT64_MAX, &v)) {
			(void)snprintf(why, sizeof(why),
			               "not a number from 0 to %llu",
			               (unsigned long long)UINT64_MAX);
			goto bad_value;
		}
		o->seed = v;
		o->has_seed = true;
		break;
	case OPT_UDP_MAX:
		if (!options_number(arg, OPTIONS_UDP_MAX_MIN, WIRE_MSG_MAX,
		                    &v)) {
			(void)snprintf(why, sizeof(why),
			               "not a number from %d to %d",
			               OPTIONS_UDP_MAX_MIN, WIRE_MSG_MAX);
			goto bad_value;
		}
		o->udp_max = (unsigned)v;
		break;
	case OPT_TCP_IDLE:
		if (!options_number(arg, 1, OPTIONS_TCP_IDLE_MAX, &v)) {
			(void)snprintf(why, sizeof(why),
			               "not a number of ms from 1 to %d",
			               OPTIONS_TCP_IDLE_MAX);
			goto bad_value;
		}
		o->tcp_idle_ms = (unsigned)v;
		break;
	case OPT_TCP_CONNS:
		if (!options_number(arg, 1, OPTIONS_TCP_CONNS_MAX, &v)) {
			(void)snprintf(why, sizeof(why),
			               "not a number from 1 to %d",
			               OPTIONS_TCP_CONNS_MAX);
			goto bad_value;
		}
		o->tcp_max_conns = (unsigned)v;
		break;
	case OPT_MAX_DELAYED:
		if (!options_number(arg, 0, OPTIONS_DELAYED_MAX, &v)) {
			(void)snprintf(why, sizeof(why),
			               "not a number from 0 to %d",
			               OPTIONS_DELAYED_MAX);
			goto bad_value;
		}
		o->max_delayed = (unsigned)v;
		break;
	case OPT_MAX_DELAYED_OCTETS:
		if (!options_number(arg, 0, OPTIONS_DELAYED_OCTETS_MAX, &v)) {
			(void)snprintf(why, sizeof(why),
			               "not a number from 0 to %llu",
			               (unsigned long long)
			                       OPTIONS_DELAYED_OCTETS_MAX);
			goto bad_value;
		}
		o->max_delayed_octets = (size_t)v;
		break;
	case OPT_TLSALPN01: /* the last one counts */
		if (options_addr_parse(arg, -1, false, o->tlsalpn_addr,
		                       &o->ntlsalpn, why, sizeof(why)) != 0) {
			goto bad_value;
		}
		break;
	case 'v':
		if (o->verbosity < 16) {
			o->verbosity++;
		}
		break;
	case 'h':
		return OPTIONS_HELP;
	case 'V':
		return OPTIONS_VERSION;
	default:
		(void)snprintf(err, errlen, "option %s not handled",
		               options_name(val, name, sizeof(name)));
		return OPTIONS_USAGE_ERROR;
	}
	if (rc != 0) {
		(void)snprintf(err, errlen, "out of memory");
		return OPTIONS_NOMEM;
	}
	return OPTIONS_RUN;
bad_value:
	(void)snprintf(err, errlen, "bad value '%s' for %s (%s)", arg,
	               options_name(val, name, sizeof(name)), why);
	return OPTIONS_USAGE_ERROR;
}

/* The message for getopt's '?' or ':' return at ARGV[OPTIND - 1]. */
static void
options_getopt_error(int c, int argc, char **argv, char *err, size_t errlen)
{
	char name[48];
	const char *prev = optind > 0 && optind <= argc ? argv[optind - 1] : "";

	if (c == ':') {
		(void)snprintf(err, errlen, "option %s needs an argument",
		               options_name(optopt, name, sizeof(name)));
	} else if (optopt == 0) {
		/* An unknown or ambiguous long option: show it as typed. */
		size_t n = strcspn(prev, "=");
		int matches = 0;

		for (const struct option *lo = options_long; lo->name != NULL;
		     lo++) {
			if (n > 2 && strncmp(lo->name, prev + 2, n - 2) == 0) {
				matches++;
			}
		}
		(void)snprintf(err, errlen, "%s option '%.*s'",
		               matches > 1 ? "ambiguous" : "unknown",
		               n > 64 ? 64 : (int)n, prev);
	} else if (options_is_known(optopt)) {
		(void)snprintf(err, errlen, "option %s takes no argument",
		               options_name(optopt, name, sizeof(name)));
	} else if (optopt > 0 && optopt < 256 && isprint(optopt)) {
		(void)snprintf(err, errlen, "unknown option '-%c'", optopt);
	} else {
		(void)snprintf(err, errlen, "unknown option");
	}
}

enum options_status
options_parse(struct options *o, int argc, char **argv, char *err,
              size_t errlen)
{
	enum options_status st = OPTIONS_RUN;
	int c;

	options_init(o);
	if (errlen > 0) {
		err[0] = '\0';
	}
	/* optind 0 makes glibc reinitialise, so tests can parse again. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, options_short, options_long,
	                        NULL)) != -1) {
		if (c == '?' || c == ':') {
			options_getopt_error(c, argc, argv, err, errlen);
			return OPTIONS_USAGE_ERROR;
		}
		st = options_one(o, c, optarg, err, errlen);
		if (st != OPTIONS_RUN) {
			return st;
		}
	}
	for (int i = optind; i < argc; i++) {
		if (options_push(&o->zones, &o->nzones, argv[i]) != 0) {
			(void)snprintf(err, errlen, "out of memory");
			return OPTIONS_NOMEM;
		}
	}
	st = options_zones_check(o, err, errlen);
	if (st != OPTIONS_RUN) {
		return st;
	}
	if (!o->dnssec && (o->nsec3 || o->key_dir != NULL ||
	                   o->trust_anchor_out != NULL)) {
		(void)snprintf(err, errlen, "option %s needs --dnssec",
		               o->nsec3 ? "--nsec3"
		               : o->key_dir != NULL ? "--key-dir"
		                                    : "--trust-anchor-out");
		return OPTIONS_USAGE_ERROR;
	}
	if (o->nlisten == 0 && options_default_listen(o, err, errlen) != 0) {
		return OPTIONS_NOMEM;
	}
	return options_control_resolve(o, err, errlen);
}
