/*
 * probe/perspective.c -- remote network perspectives: --perspective
 * NAME=SPEC, --quorum N, the BR quorum table and the RIR rule.
 */
#include "perspective.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "options.h"

static const char *const persp_rirs[] = {"ARIN", "RIPE", "APNIC", "LACNIC",
                                         "AFRINIC"};
#define PERSP_NRIRS (sizeof(persp_rirs) / sizeof(persp_rirs[0]))

void
persp_spec_clear(struct persp_spec *s)
{
	free(s->server);
	memset(s, 0, sizeof(*s));
}

void
persp_clear(struct persp_opts *p)
{
	if (p == NULL) {
		return;
	}
	for (size_t i = 0; i < p->n; i++) {
		persp_spec_clear(&p->v[i]);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

/* Letters, digits, '-', '_' and '.': a name for reports and logs. */
static bool
persp_name_ok(const char *s, size_t len)
{
	if (len == 0 || len > PERSP_NAME_MAX) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && c != '-' && c != '_' && c != '.') {
			return false;
		}
	}
	return true;
}

/* from=ADDR: a numeric IPv4 or IPv6 address (no port). */
static int
persp_from(struct persp_spec *s, const char *v, char *err, size_t errlen)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)&s->from;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&s->from;

	memset(&s->from, 0, sizeof(s->from));
	if (inet_pton(AF_INET, v, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		s->from_len = sizeof(*in4);
	} else if (inet_pton(AF_INET6, v, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		s->from_len = sizeof(*in6);
	} else {
		(void)snprintf(err, errlen, "from=: not an IP address '%.64s'",
		               v);
		return -1;
	}
	s->has_from = true;
	return 0;
}

static int
persp_rir(struct persp_spec *s, const char *v, char *err, size_t errlen)
{
	for (size_t i = 0; i < PERSP_NRIRS; i++) {
		if (strcasecmp(v, persp_rirs[i]) == 0) {
			s->rir = persp_rirs[i];
			return 0;
		}
	}
	(void)snprintf(err, errlen,
	               "rir=: '%.16s' is not ARIN, RIPE, APNIC, LACNIC or "
	               "AFRINIC",
	               v);
	return -1;
}

/* One KEY=VALUE of SPEC (KV is a writable copy). */
static int
persp_field(struct persp_spec *s, char *kv, char *err, size_t errlen)
{
	char *eq = strchr(kv, '=');
	const char *v;

	if (eq == NULL) {
		(void)snprintf(err, errlen,
		               "'%.64s': not KEY=VALUE (from=, server= or rir=)",
		               kv);
		return -1;
	}
	*eq = '\0';
	v = eq + 1;
	if (strcmp(kv, "from") != 0 && strcmp(kv, "server") != 0 &&
	    strcmp(kv, "rir") != 0) {
		(void)snprintf(err, errlen,
		               "%.32s=: unknown field (from=, server= or rir=)",
		               kv);
		return -1;
	}
	if ((strcmp(kv, "from") == 0 && s->has_from) ||
	    (strcmp(kv, "server") == 0 && s->server != NULL) ||
	    (strcmp(kv, "rir") == 0 && s->rir != NULL)) {
		(void)snprintf(err, errlen, "%s=: given twice", kv);
		return -1;
	}
	if (v[0] == '\0') {
		(void)snprintf(err, errlen, "%s=: empty", kv);
		return -1;
	}
	if (strcmp(kv, "from") == 0) {
		return persp_from(s, v, err, errlen);
	}
	if (strcmp(kv, "rir") == 0) {
		return persp_rir(s, v, err, errlen);
	}
	s->server = strdup(v);
	if (s->server == NULL) {
		(void)snprintf(err, errlen, "no memory");
		return -1;
	}
	return 0;
}

int
persp_spec_parse(const char *arg, struct persp_spec *s, char *err,
                 size_t errlen)
{
	const char *eq = strchr(arg, '=');
	char *copy;
	char *field;
	char *save = NULL;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	if (eq == NULL || !persp_name_ok(arg, (size_t)(eq - arg))) {
		(void)snprintf(err, errlen,
		               "NAME: 1 to %d letters, digits, '-', '_' or "
		               "'.', then '=' and SPEC",
		               PERSP_NAME_MAX);
		return -1;
	}
	memcpy(s->name, arg, (size_t)(eq - arg));
	s->name[eq - arg] = '\0';
	copy = strdup(eq + 1);
	if (copy == NULL) {
		(void)snprintf(err, errlen, "no memory");
		return -1;
	}
	/* An empty SPEC: the primary's resolver, from a context of its
	 * own.  Fields are separated by single commas. */
	if (copy[0] != '\0' &&
	    (copy[0] == ',' || copy[strlen(copy) - 1] == ',' ||
	     strstr(copy, ",,") != NULL)) {
		(void)snprintf(err, errlen, "SPEC: an empty field");
		rc = -1;
	}
	for (field = strtok_r(copy, ",", &save); rc == 0 && field != NULL;
	     field = strtok_r(NULL, ",", &save)) {
		rc = persp_field(s, field, err, errlen);
	}
	free(copy);
	if (rc != 0) {
		persp_spec_clear(s);
	}
	return rc;
}

int
persp_option(struct persp_opts *p, const char *prog, int opt,
             const char *arg, FILE *err)
{
	struct persp_spec s;
	struct persp_spec *grown;
	char why[160];
	long v;

	if (opt == OPTIONS_OPT_QUORUM) {
		if (!options_number(arg, 1, PERSP_MAX, &v) || arg[0] == '+') {
			return options_bad(err, prog, "--quorum", arg,
			                   "corroborations required, 1-32");
		}
		p->quorum = (int)v;
		return 0;
	}
	if (opt != OPTIONS_OPT_PERSPECTIVE) {
		return -1;
	}
	if (p->n >= PERSP_MAX) {
		return options_bad(err, prog, "--perspective", arg,
		                   "at most 32 perspectives");
	}
	if (persp_spec_parse(arg, &s, why, sizeof(why)) != 0) {
		return options_bad(err, prog, "--perspective", arg, why);
	}
	for (size_t i = 0; i < p->n; i++) {
		if (strcmp(p->v[i].name, s.name) == 0) {
			persp_spec_clear(&s);
			return options_bad(err, prog, "--perspective", arg,
			                   "NAME: given twice");
		}
	}
	grown = realloc(p->v, (p->n + 1) * sizeof(*p->v));
	if (grown == NULL) {
		persp_spec_clear(&s);
		return OPTIONS_EXIT_USAGE;
	}
	p->v = grown;
	p->v[p->n++] = s;
	return 0;
}

/* "PROG: --perspective NAME: WHY" and the hint. */
static int
persp_fail(FILE *err, const char *prog, const char *name, const char *why)
{
	fprintf(err, "%s: --perspective %s: %s\n", prog, name, why);
	fprintf(err, "try '%s --help'\n", prog);
	return OPTIONS_EXIT_USAGE;
}

int
persp_finish(struct persp_opts *p, int port, const char *prog, FILE *err)
{
	if (p->quorum > 0 && p->n == 0) {
		fprintf(err, "%s: --quorum needs --perspective\n", prog);
		fprintf(err, "try '%s --help'\n", prog);
		return OPTIONS_EXIT_USAGE;
	}
	if (p->quorum > 0 && (size_t)p->quorum > p->n) {
		fprintf(err,
		        "%s: bad value '%d' for --quorum (more than the %zu "
		        "remote perspectives)\n",
		        prog, p->quorum, p->n);
		fprintf(err, "try '%s --help'\n", prog);
		return OPTIONS_EXIT_USAGE;
	}
	for (size_t i = 0; i < p->n; i++) {
		struct persp_spec *s = &p->v[i];
		struct probe_opts po;
		char why[320];
		int rc;

		if (p->n >= PERSP_RIR_REMOTES && s->rir == NULL) {
			return persp_fail(err, prog, s->name,
			                  "rir= is needed with 3 or more "
			                  "perspectives (the corroborating ones "
			                  "must span two RIRs)");
		}
		if (s->server == NULL) {
			continue;
		}
		options_init(&po);
		po.server = s->server;
		po.port = port;
		rc = options_server(&po, OPTIONS_RESOLV_CONF, &s->server_addr,
		                    &s->server_len, why, sizeof(why));
		options_clear(&po);
		if (rc != 0) {
			char msg[360];

			(void)snprintf(msg, sizeof(msg), "server=: %s", why);
			return persp_fail(err, prog, s->name, msg);
		}
	}
	return 0;
}

size_t
persp_default_quorum(size_t n)
{
	/* BR 3.2.2.9's table, as Boulder's maxAllowedFailures(). */
	if (n < 2) {
		return n;
	}
	return n < 6 ? n - 1 : n - 2;
}

size_t
persp_quorum(const struct persp_opts *p)
{
	return p->quorum > 0 ? (size_t)p->quorum : persp_default_quorum(p->n);
}

void
persp_tally(const struct persp_opts *p, const bool *corroborates,
            struct persp_tally *t)
{
	bool seen[PERSP_NRIRS];

	memset(t, 0, sizeof(*t));
	memset(seen, 0, sizeof(seen));
	t->remotes = p->n;
	t->required = persp_quorum(p);
	t->first_failing = -1;
	for (size_t i = 0; i < p->n; i++) {
		if (!corroborates[i]) {
			if (t->first_failing < 0) {
				t->first_failing = (int)i;
			}
			continue;
		}
		t->corroborating++;
		for (size_t r = 0; p->v[i].rir != NULL && r < PERSP_NRIRS;
		     r++) {
			if (p->v[i].rir == persp_rirs[r] && !seen[r]) {
				seen[r] = true;
				t->rirs++;
			}
		}
	}
	t->rirs_ok = p->n < PERSP_RIR_REMOTES || t->rirs >= PERSP_RIRS_MIN;
	t->passed = t->corroborating >= t->required && t->rirs_ok;
}

void
persp_usage(FILE *f)
{
	fputs("  --perspective NAME=SPEC a remote perspective (repeatable). "
	      "SPEC is\n"
	      "                          comma-separated: from=ADDR (source "
	      "address of its\n"
	      "                          own resolver), server=HOST[#PORT] "
	      "(its own server\n"
	      "                          instead of the primary's), "
	      "rir=ARIN|RIPE|APNIC|\n"
	      "                          LACNIC|AFRINIC (needed with 3 or "
	      "more); the primary\n"
	      "                          decides first, the remotes only "
	      "when it permits\n"
	      "  --quorum N              corroborations required (default "
	      "from the BR table:\n"
	      "                          remotes-1 for 2-5 remotes, remotes-2 "
	      "for 6 or more,\n"
	      "                          1 for one); with 3 or more remotes "
	      "the corroborating\n"
	      "                          ones must span two RIRs\n",
	      f);
}
