/*
 * probe/options.c -- caa-probe's command line, defaults and the server.
 */
#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "summary.h"

#define OPTIONS_TIMEOUT_MAX 3600000 /* an hour per try */
#define OPTIONS_TRIES_MAX   20
#define OPTIONS_JOBS_MAX    100000
#define OPTIONS_SERVER_FORMS                                              \
	"forms: HOST, HOST:PORT, HOST#PORT, [V6], [V6]:PORT, [V6]#PORT, " \
	"bare V6"

enum {
	OPT_ACCOUNT_URI = OPTIONS_OPT_OWN,
	OPT_METHOD,
	OPT_KNOWN_TAG,
	OPT_TRACE,
};

static const struct option options_long[] = {
        {"ca", required_argument, NULL, OPTIONS_OPT_CA},
        {"account-uri", required_argument, NULL, OPT_ACCOUNT_URI},
        {"method", required_argument, NULL, OPT_METHOD},
        {"known-tag", required_argument, NULL, OPT_KNOWN_TAG},
        {"policy", required_argument, NULL, OPTIONS_OPT_POLICY},
        {"server", required_argument, NULL, 's'},
        {"port", required_argument, NULL, 'p'},
        {"timeout", required_argument, NULL, OPTIONS_OPT_TIMEOUT},
        {"tries", required_argument, NULL, OPTIONS_OPT_TRIES},
        OPTIONS_RESOLVER_LONG,
        OPTIONS_PERSP_LONG,
        {"file", required_argument, NULL, 'f'},
        {"jobs", required_argument, NULL, 'j'},
        {"format", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"trace", no_argument, NULL, OPT_TRACE},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
};

void
options_init(struct probe_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->policy = CAA_POLICY_BOULDER; /* options_default_policy() */
	o->timeout_ms = OPTIONS_TIMEOUT_MS;
	o->tries = OPTIONS_TRIES;
	o->jobs = OPTIONS_JOBS;
	o->format = REPORT_TEXT;
}

void
options_clear(struct probe_opts *o)
{
	if (o == NULL) {
		return;
	}
	for (size_t i = 0; i < o->ncas; i++) {
		free(o->cas[i]);
	}
	free(o->cas);
	free((void *)o->known_tags);
	free((void *)o->names);
	persp_clear(&o->persp);
	memset(o, 0, sizeof(*o));
}

void
options_resolver_usage(FILE *f)
{
	fprintf(f,
	        "  -r, --recursive         resolve as a CA does: its own "
	        "recursive, validating\n"
	        "                          resolver (libunbound), from the "
	        "root hints; the\n"
	        "                          default when no -s is given\n"
	        "  --resolver system       ask the system's resolver (the "
	        "first nameserver of\n"
	        "                          %s) instead\n"
	        "  --root-hints FILE       root servers to start from "
	        "(default\n"
	        "                          %s)\n"
	        "  --trust-anchor FILE     DS or DNSKEY records to trust "
	        "(default the IANA\n"
	        "                          root key, %s); 'none'\n"
	        "                          turns validation off: lookups "
	        "report \"dnssec\": null\n"
	        "  --validate              with -s (or --resolver system): "
	        "validate the server's\n"
	        "                          answers against --trust-anchor\n",
	        OPTIONS_RESOLV_CONF, OPTIONS_ROOT_HINTS, OPTIONS_TRUST_ANCHOR);
}

void
options_usage(FILE *f)
{
	fprintf(f,
	        "usage: caa-probe [OPTIONS] NAME...\n"
	        "Decide whether a Certification Authority may issue for each "
	        "NAME, as the CA\n"
	        "does (RFC 8659 tree climbing, RFC 8657 parameters, Let's "
	        "Encrypt's readings).\n"
	        "NAME may be a wildcard request, *.example.com, or a Unicode "
	        "name (mapped to\n"
	        "A-labels as browsers do, IDNA2008 with UTS #46); a name a CA "
	        "refuses (a URL,\n"
	        "an IP address, a character other than letters, digits, '-' "
	        "and '.', a label\n"
	        "over 63 or a name over 253 bytes, a misplaced '*', malformed "
	        "punycode) is\n"
	        "a usage error, with Let's Encrypt's words for why.\n"
	        "\n"
	        "  --ca DOMAIN             the CA's issuer domain name "
	        "(repeatable;\n"
	        "                          default %s)\n"
	        "  --account-uri URI       RFC 8657 accounturi of the "
	        "requesting account\n"
	        "  --method METHOD         RFC 8657 validation method: "
	        "http-01, dns-01, ...\n"
	        "  --known-tag TAG         a tag the CA understands beyond "
	        "issue, issuewild,\n"
	        "                          iodef (repeatable)\n"
	        "  --policy rfc8659|boulder  the RFC text or Let's Encrypt's "
	        "readings (default:\n"
	        "                          boulder when every --ca is %s,\n"
	        "                          rfc8659 otherwise)\n"
	        "  -s, --server SERVER     ask this server (also dig-style "
	        "@SERVER): HOST,\n"
	        "                          HOST:PORT, HOST#PORT, [V6], "
	        "[V6]:PORT, [V6]#PORT\n"
	        "                          or a bare V6 (::1); HOST an "
	        "address or a name\n"
	        "                          (localhost:5353); without -s: "
	        "-r\n"
	        "  -p, --port N            port for the server (default %d); "
	        "a port in\n"
	        "                          SERVER wins\n",
	        OPTIONS_DEFAULT_CA, OPTIONS_DEFAULT_CA, OPTIONS_PORT);
	options_resolver_usage(f);
	persp_usage(f);
	fprintf(f,
	        "  --timeout MS            UDP/TCP timeout per try (default "
	        "%d); -r: a lookup\n"
	        "                          gives up after MS times --tries\n"
	        "  --tries N               tries per query; only timeouts are "
	        "retried (default %d)\n"
	        "  -f, --file FILE         names to check, one a line ('-': "
	        "stdin; '#' comments);\n"
	        "                          read as lines come, never holding "
	        "up lookups; a\n"
	        "                          refused name or a line over %d "
	        "bytes is reported\n"
	        "                          'invalid' and the batch goes on\n"
	        "  -j, --jobs N            names evaluated at once (default "
	        "%d)\n"
	        "  -o, --format text|json|jsonl|brief\n"
	        "                          report format (default text; json "
	        "is an array in\n"
	        "                          input order, jsonl one object a "
	        "line as completed,\n"
	        "                          brief one line a name in input "
	        "order:\n"
	        "                          NAME VERDICT REASON; JSON reports "
	        "name the\n"
	        "                          issuers the RRset allows: "
	        "allowed_issuers)\n"
	        "  -q, --quiet             no progress line, no summary\n"
	        "  --trace                 also ask every address of the "
	        "nameservers of each\n"
	        "                          name the climb asks, directly: "
	        "RCODE, AA, records,\n"
	        "                          time; those that disagree with "
	        "the rest are marked\n"
	        "                          (names on the command line, not "
	        "-f)\n"
	        "  -h, --help              this text\n"
	        "  -V, --version           the version\n"
	        "\n"
	        "A batch (more than one NAME, or -f) ends with a summary on "
	        "stderr: names per\n"
	        "verdict, the %d most common reasons (past %d distinct ones, "
	        "counted as\n"
	        "'%s'); one JSON line with -o json or jsonl.  While more "
	        "than one\n"
	        "name is checked and stderr is a terminal, a progress line "
	        "(names done, per\n"
	        "second, time left) is rewritten there and erased at the end.  "
	        "Warnings number\n"
	        "the records of an RRset from 1.\n"
	        "\n"
	        "With -r or --validate each lookup says what validation "
	        "found: secure,\n"
	        "insecure or bogus (\"dnssec\" in JSON).  A bogus answer is a "
	        "lookup failure\n"
	        "worded from its RFC 8914 code: DNS problem: looking up CAA for "
	        "NAME: DNSSEC:\n"
	        "Bogus (or Signature Expired, Signature Not Yet Valid, DNSKEY "
	        "Missing, RRSIGs\n"
	        "Missing, No Zone Key Bit Set, NSEC Missing), then ': ' and "
	        "the validator's\n"
	        "reason.\n"
	        "\n"
	        "Exit status: 0 every name allowed, 1 at least one denied and "
	        "none failed,\n"
	        "2 at least one lookup failed, 3 no lookup failed but at least "
	        "one input was\n"
	        "invalid, 64 usage error.\n",
	        OPTIONS_TIMEOUT_MS, OPTIONS_TRIES,
	        OPTIONS_LINE_MAX, OPTIONS_JOBS, SUMMARY_TOP,
	        SUMMARY_REASONS_MAX, SUMMARY_OTHER);
}

bool
options_number(const char *s, long min, long max, long *out)
{
	char *end = NULL;
	long v;

	if (s[0] == '\0' || isspace((unsigned char)s[0])) {
		return false;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max) {
		return false;
	}
	*out = v;
	return true;
}

/* Appends P to the array *ARR of *N strings.  Returns false without
 * memory. */
static bool
options_push(const char ***arr, size_t *n, const char *p)
{
	const char **grown = realloc((void *)*arr, (*n + 1) * sizeof(**arr));

	if (grown == NULL) {
		return false;
	}
	grown[(*n)++] = p;
	*arr = grown;
	return true;
}

bool
options_add_ca(char ***cas, size_t *ncas, const char *ca)
{
	char *copy = strdup(ca);
	char **grown;

	if (copy == NULL) {
		return false;
	}
	/* Issuer domain names are compared exactly (docs/probe.md), so take
	 * the CA's own name in its canonical, lower-case form. */
	for (char *p = copy; *p != '\0'; p++) {
		*p = (char)tolower((unsigned char)*p);
	}
	grown = realloc(*cas, (*ncas + 1) * sizeof(**cas));
	if (grown == NULL) {
		free(copy);
		return false;
	}
	grown[(*ncas)++] = copy;
	*cas = grown;
	return true;
}

static bool
options_ca_ok(const char *s)
{
	if (s[0] == '\0') {
		return false;
	}
	for (const char *p = s; *p != '\0'; p++) {
		if (*p <= 0x20 || *p >= 0x7f || *p == ';') {
			return false;
		}
	}
	return true;
}

int
options_bad(FILE *err, const char *prog, const char *opt, const char *value,
            const char *why)
{
	fprintf(err, "%s: bad value '%s' for %s (%s)\n", prog, value, opt,
	        why);
	fprintf(err, "try '%s --help'\n", prog);
	return OPTIONS_EXIT_USAGE;
}

/* A number of a lookup option, as L's program reads numbers. */
static bool
options_lookup_number(const struct options_lookup *l, const char *s,
                      long min, long max, long *out)
{
	if (l->digits_only && (s[0] < '0' || s[0] > '9')) {
		return false;
	}
	return options_number(s, min, max, out);
}

/* The resolver options of options_lookup_one(); -1 for others. */
static int
options_resolver_one(const struct options_lookup *l, int opt,
                     const char *arg, FILE *err)
{
	struct options_resolver *r = l->resolver;

	if (r == NULL) {
		return -1;
	}
	switch (opt) {
	case 'r':
		r->recursive = true;
		return 0;
	case OPTIONS_OPT_RESOLVER:
		if (strcmp(arg, "system") != 0) {
			return options_bad(err, l->prog, "--resolver", arg,
			                   "system");
		}
		r->system = true;
		return 0;
	case OPTIONS_OPT_ROOT_HINTS:
		if (arg[0] == '\0') {
			return options_bad(err, l->prog, "--root-hints", arg,
			                   "a root hints file");
		}
		r->root_hints = arg;
		return 0;
	case OPTIONS_OPT_TRUST_ANCHOR:
		if (arg[0] == '\0') {
			return options_bad(err, l->prog, "--trust-anchor", arg,
			                   "a file of DS or DNSKEY records, or "
			                   "none");
		}
		r->trust_anchor = arg;
		return 0;
	case OPTIONS_OPT_VALIDATE:
		r->validate = true;
		return 0;
	default:
		return l->persp != NULL ? persp_option(l->persp, l->prog, opt,
		                                       arg, err)
		                        : -1;
	}
}

int
options_lookup_one(const struct options_lookup *l, int opt, const char *arg,
                   FILE *err)
{
	long v;

	switch (opt) {
	case OPTIONS_OPT_CA:
		if (!l->ca_ok(arg)) {
			return options_bad(err, l->prog, "--ca", arg,
			                   "an issuer domain name");
		}
		return options_add_ca(l->cas, l->ncas, arg)
		               ? 0
		               : OPTIONS_EXIT_USAGE;
	case OPTIONS_OPT_POLICY:
		if (caa_policy_parse(arg, l->policy) != CAA_OK) {
			return options_bad(err, l->prog, "--policy", arg,
			                   "rfc8659 or boulder");
		}
		if (l->policy_set != NULL) {
			*l->policy_set = true;
		}
		return 0;
	case 's':
		*l->server = arg;
		return 0;
	case 'p':
		if (!options_lookup_number(l, arg, 1, 65535, &v)) {
			return options_bad(err, l->prog, "-p/--port", arg,
			                   "a port, 1-65535");
		}
		*l->port = (int)v;
		return 0;
	case OPTIONS_OPT_TIMEOUT:
		if (!options_lookup_number(l, arg, 1, OPTIONS_TIMEOUT_MAX,
		                           &v)) {
			return options_bad(err, l->prog, "--timeout", arg,
			                   "milliseconds, 1-3600000");
		}
		*l->timeout_ms = (int)v;
		return 0;
	case OPTIONS_OPT_TRIES:
		if (!options_lookup_number(l, arg, 1, OPTIONS_TRIES_MAX, &v)) {
			return options_bad(err, l->prog, "--tries", arg, "1-20");
		}
		*l->tries = (int)v;
		return 0;
	default:
		return options_resolver_one(l, opt, arg, err);
	}
}

int
options_resolver_check(const struct options_resolver *r, const char *server,
                       const char *prog, FILE *err)
{
	const char *clash = NULL;

	if (r->recursive && server != NULL) {
		clash = "-s/--server";
	} else if (r->recursive && r->system) {
		clash = "--resolver system";
	}
	if (clash != NULL) {
		fprintf(err,
		        "%s: -r/--recursive and %s exclude each other (-r "
		        "resolves from the root; --validate checks a "
		        "server's answers)\n",
		        prog, clash);
		fprintf(err, "try '%s --help'\n", prog);
		return OPTIONS_EXIT_USAGE;
	}
	return 0;
}

void
options_resolver_config(const struct options_resolver *r, const char *server,
                        struct lookup_config *cfg)
{
	const char *ta = r->trust_anchor != NULL ? r->trust_anchor
	                                         : OPTIONS_TRUST_ANCHOR;

	cfg->backend = LOOKUP_DIRECT;
	cfg->root_hints = NULL;
	cfg->trust_anchor = NULL;
	if (server == NULL && !r->system) {
		cfg->backend = LOOKUP_RECURSIVE;
		cfg->root_hints = r->root_hints != NULL ? r->root_hints
		                                        : OPTIONS_ROOT_HINTS;
	} else if (r->validate) {
		cfg->backend = LOOKUP_VALIDATE;
	}
	if (cfg->backend != LOOKUP_DIRECT && strcmp(ta, "none") != 0) {
		cfg->trust_anchor = ta;
	}
}

/* One option with its value; 0 or OPTIONS_EXIT_USAGE. */
static int
options_one(struct probe_opts *o, int c, const char *arg, FILE *err)
{
	const struct options_lookup lookup = {
	        .prog = "caa-probe",
	        .ca_ok = options_ca_ok,
	        .server = &o->server,
	        .port = &o->port,
	        .timeout_ms = &o->timeout_ms,
	        .tries = &o->tries,
	        .cas = &o->cas,
	        .ncas = &o->ncas,
	        .policy = &o->policy,
	        .policy_set = &o->policy_set,
	        .resolver = &o->resolver,
	        .persp = &o->persp,
	};
	long v;
	int rc = options_lookup_one(&lookup, c, arg, err);

	if (rc >= 0) {
		return rc;
	}
	switch (c) {
	case OPT_ACCOUNT_URI:
		o->account_uri = arg;
		return 0;
	case OPT_METHOD:
		o->method = arg;
		return 0;
	case OPT_KNOWN_TAG:
		if (arg[0] == '\0' || strlen(arg) > CAA_TAG_MAX) {
			return options_bad(err, "caa-probe", "--known-tag", arg,
			                   "a tag of 1 to 255 characters");
		}
		return options_push(&o->known_tags, &o->nknown_tags, arg)
		               ? 0
		               : OPTIONS_EXIT_USAGE;
	case OPT_TRACE:
		o->trace = true;
		return 0;
	case 'f':
		o->file = arg;
		return 0;
	case 'j':
		if (!options_number(arg, 1, OPTIONS_JOBS_MAX, &v)) {
			return options_bad(err, "caa-probe", "-j/--jobs", arg,
			                   "1-100000");
		}
		o->jobs = (size_t)v;
		return 0;
	case 'o':
		if (report_format_parse(arg, &o->format) != 0) {
			return options_bad(err, "caa-probe", "-o/--format",
			                   arg, "text, json, jsonl or brief");
		}
		return 0;
	default:
		break;
	}
	return OPTIONS_EXIT_USAGE;
}

/* Without --policy, the policy follows the CA: Let's Encrypt's readings
 * when every --ca is Let's Encrypt (the default CA), the RFC otherwise. */
static enum caa_policy
options_default_policy(const struct probe_opts *o)
{
	for (size_t i = 0; i < o->ncas; i++) {
		if (strcmp(o->cas[i], OPTIONS_DEFAULT_CA) != 0) {
			return CAA_POLICY_RFC8659;
		}
	}
	return CAA_POLICY_BOULDER;
}

/* NAME for a message: control characters escaped, the rest as given. */
static void
options_print_name(FILE *f, const char *name)
{
	for (const unsigned char *p = (const unsigned char *)name; *p != '\0';
	     p++) {
		if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\%03u", (unsigned)*p);
		} else {
			putc(*p, f);
		}
	}
}

/* The positional arguments: names, and "@HOST" for the server. */
static int
options_names(struct probe_opts *o, int argc, char **argv, FILE *err)
{
	for (int i = optind; i < argc; i++) {
		struct caa_ident ident;
		enum caa_status st;

		if (argv[i][0] == '@') {
			if (argv[i][1] == '\0') {
				return options_bad(err, "caa-probe", "@HOST",
				                   argv[i], "a server after '@'");
			}
			o->server = argv[i] + 1;
			continue;
		}
		/* A name the CA would refuse is a usage error here. */
		st = caa_ident_check(argv[i], &ident);
		if (st != CAA_OK) {
			fputs("caa-probe: bad NAME '", err);
			options_print_name(err, argv[i]);
			fprintf(err, "' (%s)\n", caa_strerror(st));
			return OPTIONS_EXIT_USAGE;
		}
		if (!options_push(&o->names, &o->nnames, argv[i])) {
			return OPTIONS_EXIT_USAGE;
		}
	}
	return 0;
}

int
options_parse(int argc, char **argv, struct probe_opts *o, FILE *err)
{
	int c;
	int rc;

	opterr = 0;
	optind = 0; /* glibc: start over, internal state included */
	while ((c = getopt_long(argc, argv, ":rs:p:f:j:o:qhV", options_long,
	                        NULL)) != -1) {
		const char *opt = argv[optind - 1];

		switch (c) {
		case 'h':
			o->help = true;
			break;
		case 'V':
			o->version = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case ':':
			fprintf(err, "caa-probe: option %s needs a value\n",
			        opt);
			fprintf(err, "try 'caa-probe --help'\n");
			return OPTIONS_EXIT_USAGE;
		case '?':
			if (optopt != 0 && strncmp(opt, "--", 2) != 0) {
				fprintf(err, "caa-probe: unknown option -%c\n",
				        optopt);
			} else {
				fprintf(err, "caa-probe: unknown option %s\n",
				        opt);
			}
			fprintf(err, "try 'caa-probe --help'\n");
			return OPTIONS_EXIT_USAGE;
		default:
			rc = options_one(o, c, optarg, err);
			if (rc != 0) {
				return rc;
			}
			break;
		}
	}
	if (o->help || o->version) {
		return 0;
	}
	rc = options_names(o, argc, argv, err);
	if (rc != 0) {
		return rc;
	}
	rc = options_resolver_check(&o->resolver, o->server, "caa-probe", err);
	if (rc == 0) {
		rc = persp_finish(&o->persp, o->port, "caa-probe", err);
	}
	if (rc != 0) {
		return rc;
	}
	if (o->nnames == 0 && o->file == NULL) {
		fprintf(err, "caa-probe: no NAME given (and no -f FILE)\n");
		fprintf(err, "try 'caa-probe --help'\n");
		return OPTIONS_EXIT_USAGE;
	}
	if (o->trace && o->file != NULL) {
		fprintf(err, "caa-probe: --trace takes names on the command "
		             "line, not -f\n");
		return OPTIONS_EXIT_USAGE;
	}
	if (o->ncas == 0 && !options_add_ca(&o->cas, &o->ncas,
	                                     OPTIONS_DEFAULT_CA)) {
		return OPTIONS_EXIT_USAGE;
	}
	if (!o->policy_set) {
		o->policy = options_default_policy(o);
	}
	return 0;
}

/* Resolves HOST and PORT into SS; -1 with a message in ERR. */
static int
options_resolve(const char *host, int port, bool numeric,
                struct sockaddr_storage *ss, socklen_t *len, char *err,
                size_t errlen)
{
	struct addrinfo hints;
	struct addrinfo *res = NULL;
	char service[8];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV | (numeric ? AI_NUMERICHOST : 0);
	(void)snprintf(service, sizeof(service), "%d", port);
	rc = getaddrinfo(host, service, &hints, &res);
	if (rc != 0 || res == NULL) {
		(void)snprintf(err, errlen, "server '%s' not found (%s; %s)",
		               host, rc != 0 ? gai_strerror(rc) : "no address",
		               OPTIONS_SERVER_FORMS);
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* The first "nameserver" of PATH into HOST; false if there is none. */
static bool
options_resolv_conf(const char *path, char *host, size_t size)
{
	FILE *f = fopen(path, "r");
	char line[512];
	bool found = false;

	if (f == NULL) {
		return false;
	}
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		char *p = line;
		size_t n;

		while (*p == ' ' || *p == '\t') {
			p++;
		}
		if (strncmp(p, "nameserver", 10) != 0 ||
		    (p[10] != ' ' && p[10] != '\t')) {
			continue;
		}
		p += 10;
		while (*p == ' ' || *p == '\t') {
			p++;
		}
		n = strcspn(p, " \t\r\n#;");
		if (n > 0 && n < size) {
			memcpy(host, p, n);
			host[n] = '\0';
			found = true;
		}
	}
	fclose(f);
	return found;
}

/*
 * Splits SERVER (see options_server()) into HOST[0..SIZE) and *PORT, left
 * as it is when SERVER names no port.  Returns false for a bad form.
 */
static bool
options_split_server(const char *server, char *host, size_t size, int *port)
{
	const char *start = server;
	const char *sep = NULL; /* the '#' or ':' before a port */
	size_t hlen;

	if (server[0] == '[') {
		const char *close = strchr(server, ']');

		if (close == NULL ||
		    (close[1] != '\0' && close[1] != '#' && close[1] != ':')) {
			return false;
		}
		start = server + 1;
		hlen = (size_t)(close - start);
		sep = close[1] != '\0' ? close + 1 : NULL;
	} else {
		const char *colon = strchr(server, ':');

		sep = strrchr(server, '#');
		if (sep == NULL && colon != NULL &&
		    strchr(colon + 1, ':') == NULL) {
			sep = colon; /* one ':' is HOST:PORT, more an IPv6
			                address */
		}
		hlen = sep != NULL ? (size_t)(sep - server) : strlen(server);
	}
	if (hlen == 0 || hlen >= size) {
		return false;
	}
	memcpy(host, start, hlen);
	host[hlen] = '\0';
	if (sep != NULL) {
		long v;

		if (!options_number(sep + 1, 1, 65535, &v)) {
			return false;
		}
		*port = (int)v;
	}
	return true;
}

int
options_server(const struct probe_opts *o, const char *resolv_conf,
               struct sockaddr_storage *ss, socklen_t *len, char *err,
               size_t errlen)
{
	char host[256];
	int port = o->port > 0 ? o->port : OPTIONS_PORT;

	if (o->server == NULL) {
		if (!options_resolv_conf(resolv_conf, host, sizeof(host))) {
			/* What the C library does without a nameserver. */
			(void)snprintf(host, sizeof(host), "127.0.0.1");
		}
		return options_resolve(host, port, true, ss, len, err, errlen);
	}
	if (!options_split_server(o->server, host, sizeof(host), &port)) {
		(void)snprintf(err, errlen, "bad server '%s' (%s)", o->server,
		               OPTIONS_SERVER_FORMS);
		return -1;
	}
	return options_resolve(host, port, false, ss, len, err, errlen);
}
