/*
 * responder/fault_rule.c -- fault rules: the parser, the canonical text and
 * the accessors query.c reads.
 */
#include "fault.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <ldns/ldns.h>

#include "fault_int.h"
#include "wire.h"

#define FAULT_TEXT_MAX 1536 /* a 255-octet name fully escaped, and options */

enum fault_opt_kind {
	OPT_U32 = 0,
	OPT_PROB,
	OPT_TRANSPORT,
	OPT_FAMILY,
	OPT_TCP,
	OPT_ANSWER,
	OPT_CASE,
	OPT_FROM,
};

static const struct fault_opt {
	const char *name;
	enum fault_opt_kind kind;
	uint32_t min;
	uint32_t max;
	size_t off;
} fault_opts[] = {
	{"count", OPT_U32, 1, UINT32_MAX, offsetof(struct fault_rule, count)},
	{"after", OPT_U32, 0, UINT32_MAX, offsetof(struct fault_rule, after)},
	{"every", OPT_U32, 1, UINT32_MAX, offsetof(struct fault_rule, every)},
	{"p", OPT_PROB, 0, 0, 0},
	{"transport", OPT_TRANSPORT, 0, 0, 0},
	{"family", OPT_FAMILY, 0, 0, 0},
	{"ms", OPT_U32, 0, UINT32_MAX, offsetof(struct fault_rule, ms)},
	{"ede", OPT_U32, 0, UINT16_MAX, offsetof(struct fault_rule, ede)},
	{"tcp", OPT_TCP, 0, 0, 0},
	{"answer", OPT_ANSWER, 0, 0, 0},
	{"case", OPT_CASE, 0, 0, 0},
	{"from", OPT_FROM, 0, 0, 0},
};

#define FAULT_NOPTS     (sizeof(fault_opts) / sizeof(*fault_opts))

static const char *const fault_action_names[] = {
	"normal",   "servfail", "refused", "notimp",  "formerr",
	"nxdomain", "nodata",   "drop",    "delay",   "truncate",
	"garble",   "noaa",     "nosoa",   "wrongid",  "sig-expired",
	"sig-future", "sig-bogus", "sig-strip", "nsec-strip", "ds-bogus",
};

#define FAULT_NACTIONS \
	(sizeof(fault_action_names) / sizeof(*fault_action_names))

static const char *const fault_origin_names[] = {"rule", "file", "profile",
                                                 "api"};

const char *
fault_action_name(enum fault_action action)
{
	return (size_t)action < FAULT_NACTIONS ? fault_action_names[action]
	                                       : "?";
}

const char *
fault_origin_name(enum fault_origin origin)
{
	return (size_t)origin < 4 ? fault_origin_names[origin] : "?";
}

void
fault_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0) {
		return;
	}
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Make room for one more rule in L.  On failure L is as it was. */
int
fault_list_grow(struct fault_list *l)
{
	size_t cap = l->cap ? 2 * l->cap : 4;
	struct fault_rule **r = NULL;

	if (l->n < l->cap) {
		return 0;
	}
	r = realloc(l->r, cap * sizeof(struct fault_rule *));
	if (r == NULL) {
		return -ENOMEM;
	}
	l->r = r;
	l->cap = cap;
	return 0;
}

/* Parsing. */

static bool
fault_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Cut LINE at a token that starts with '#'. */
void
fault_strip_comment(char *line)
{
	for (size_t i = 0; line[i] != '\0'; i++) {
		if (line[i] == '#' && (i == 0 || fault_is_blank(line[i - 1]))) {
			line[i] = '\0';
			return;
		}
	}
}

/* The next blank-separated token of *S, NUL-terminated in place. */
static char *
fault_next_token(char **s)
{
	char *p = *s;
	char *tok = NULL;

	while (fault_is_blank(*p)) {
		p++;
	}
	if (*p != '\0') {
		tok = p;
		while (*p != '\0' && !fault_is_blank(*p)) {
			p++;
		}
		if (*p != '\0') {
			*p++ = '\0';
		}
	}
	*s = p;
	return tok;
}

static bool
fault_parse_u32(const char *s, uint32_t *out)
{
	uint64_t v = 0;

	if (*s == '\0') {
		return false;
	}
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9') {
			return false;
		}
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX) {
			return false;
		}
	}
	*out = (uint32_t)v;
	return true;
}

/* An action word; FAULT_NORMAL only when ALLOW_NORMAL.  -1 if unknown. */
static int
fault_parse_action(const char *s, bool allow_normal)
{
	for (size_t a = allow_normal ? 0 : 1; a < FAULT_NACTIONS; a++) {
		if (strcasecmp(s, fault_action_names[a]) == 0) {
			return (int)a;
		}
	}
	return -1;
}

static int
fault_parse_name(struct fault_rule *r, const char *tok, char *err,
                 size_t errlen)
{
	const char *s = tok;
	ldns_rdf *rdf = NULL;

	r->select = FAULT_SELECT_EXACT;
	if (strcmp(tok, ".") == 0) {
		r->select = FAULT_SELECT_ALL;
	} else if (strcmp(tok, "*") == 0) {
		fault_err(err, errlen, "bad name '*' (use '.' for every name)");
		return -EINVAL;
	} else if (strncmp(tok, "*.", 2) == 0) {
		r->select = FAULT_SELECT_BELOW;
		s = tok[2] != '\0' ? tok + 2 : "."; /* `*.`: all but the root */
	}
	rdf = ldns_dname_new_frm_str(s);
	if (rdf == NULL || ldns_rdf_size(rdf) > WIRE_NAME_MAX) {
		ldns_rdf_deep_free(rdf);
		fault_err(err, errlen, "bad name '%s'", tok);
		return -EINVAL;
	}
	r->namelen = (uint8_t)ldns_rdf_size(rdf);
	memcpy(r->name, ldns_rdf_data(rdf), r->namelen);
	ldns_rdf_deep_free(rdf);
	/* Lower the label octets; length octets are below 64, never letters. */
	for (size_t i = 0; i < r->namelen; i++) {
		r->name[i] = wire_lower(r->name[i]);
	}
	for (size_t i = 0; r->name[i] != 0; i += r->name[i] + 1U) {
		r->labels++;
	}
	return 0;
}

static int
fault_parse_type(struct fault_rule *r, const char *tok, char *err,
                 size_t errlen)
{
	int t;

	if (strcmp(tok, "*") == 0) {
		r->type = FAULT_TYPE_ANY;
		return 0;
	}
	t = wire_type_parse(tok);
	if (t >= 0) {
		r->type = (uint32_t)t;
		return 0;
	}
	fault_err(err, errlen, "unknown type '%s'", tok);
	return -EINVAL;
}

/* The option TOK, `key=value`, whose value starts at VAL. */
static int
fault_parse_option(struct fault_rule *r, const char *tok, const char *val,
                   char *err, size_t errlen)
{
	size_t keylen = (size_t)(val - 1 - tok);
	const struct fault_opt *o = NULL;
	char cerr[256];
	uint32_t v = 0;
	char *end = NULL;
	int a = 0;
	size_t i = 0;

	for (i = 0; i < FAULT_NOPTS; i++) {
		if (strlen(fault_opts[i].name) == keylen &&
		    strncasecmp(tok, fault_opts[i].name, keylen) == 0) {
			break;
		}
	}
	if (i == FAULT_NOPTS) {
		fault_err(err, errlen, "unknown option '%s'", tok);
		return -EINVAL;
	}
	o = &fault_opts[i];
	if (OPT_GIVEN(r, i)) {
		fault_err(err, errlen, "duplicate option '%.*s'", (int)keylen,
		          tok);
		return -EINVAL;
	}
	r->given |= 1U << i;
	switch (o->kind) {
	case OPT_U32:
		if (!fault_parse_u32(val, &v)) {
			break;
		}
		if (v < o->min || v > o->max) {
			if (o->max == UINT32_MAX) {
				fault_err(err, errlen, "%s must be at least %u",
				          o->name, o->min);
			} else {
				fault_err(err, errlen,
				          "%s must be between %u and %u",
				          o->name, o->min, o->max);
			}
			return -EINVAL;
		}
		memcpy((char *)r + o->off, &v, sizeof(v));
		return 0;
	case OPT_PROB:
		errno = 0;
		r->p = strtod(val, &end);
		if (*val == '\0' || *end != '\0' || errno != 0 ||
		    !isfinite(r->p)) {
			break;
		}
		if (r->p < 0.0 || r->p > 1.0) {
			fault_err(err, errlen, "p must be between 0 and 1");
			return -EINVAL;
		}
		return 0;
	case OPT_TRANSPORT:
		r->transport = strcasecmp(val, "udp") == 0   ? QUERY_UDP
		               : strcasecmp(val, "tcp") == 0 ? QUERY_TCP
		                                             : -1;
		if (r->transport < 0) {
			break;
		}
		return 0;
	case OPT_FAMILY:
		r->family = strcmp(val, "4") == 0   ? AF_INET
		            : strcmp(val, "6") == 0 ? AF_INET6
		                                    : 0;
		if (r->family == 0) {
			break;
		}
		return 0;
	case OPT_TCP:
		if ((a = fault_parse_action(val, true)) < 0) {
			fault_err(err, errlen, "unknown tcp action '%s'", val);
			return -EINVAL;
		}
		r->tcp_action = (enum fault_action)a;
		return 0;
	case OPT_ANSWER:
		r->answer = strcasecmp(val, "positive") == 0
		                    ? FAULT_FACT_POSITIVE
		            : strcasecmp(val, "negative") == 0
		                    ? FAULT_FACT_NEGATIVE
		                    : 0;
		if (r->answer == 0) {
			break;
		}
		return 0;
	case OPT_CASE:
		r->qcase = strcasecmp(val, "lower") == 0   ? 0
		           : strcasecmp(val, "mixed") == 0 ? 1
		                                           : -1;
		if (r->qcase < 0) {
			break;
		}
		return 0;
	case OPT_FROM:
		if (cidr_parse(val, &r->from, cerr, sizeof(cerr)) != 0) {
			fault_err(err, errlen, "from=: %s", cerr);
			return -EINVAL;
		}
		r->has_from = true;
		return 0;
	}
	fault_err(err, errlen, "bad option '%s'", tok);
	return -EINVAL;
}

/* P as from= prints it: a whole address without its length. */
static void
fault_from_text(const struct cidr *p, char *buf, size_t cap)
{
	char *slash = NULL;

	cidr_format(p, buf, cap);
	slash = strchr(buf, '/');
	if (slash != NULL && p->len == (p->v4 ? 32 : 128)) {
		*slash = '\0';
	}
}

static int
fault_parse_fields(struct fault_rule *r, char *s, char *err, size_t errlen)
{
	char *tok = fault_next_token(&s);
	const char *eq = NULL;
	int a = 0;
	int rc = 0;

	if (tok == NULL) {
		fault_err(err, errlen, "empty rule");
		return -EINVAL;
	}
	if ((a = fault_parse_action(tok, false)) < 0) {
		fault_err(err, errlen, "unknown action '%s'", tok);
		return -EINVAL;
	}
	r->action = (enum fault_action)a;
	if ((tok = fault_next_token(&s)) == NULL) {
		fault_err(err, errlen, "missing name");
		return -EINVAL;
	}
	if ((rc = fault_parse_name(r, tok, err, errlen)) != 0) {
		return rc;
	}
	if ((tok = fault_next_token(&s)) == NULL) {
		fault_err(err, errlen, "missing type");
		return -EINVAL;
	}
	if ((rc = fault_parse_type(r, tok, err, errlen)) != 0) {
		return rc;
	}
	while ((tok = fault_next_token(&s)) != NULL) {
		if ((eq = strchr(tok, '=')) != NULL) {
			rc = fault_parse_option(r, tok, eq + 1, err, errlen);
			if (rc != 0) {
				return rc;
			}
			continue;
		}
		for (size_t i = 0; i < FAULT_NOPTS; i++) {
			if (strcasecmp(tok, fault_opts[i].name) == 0) {
				fault_err(err, errlen, "bad option '%s'", tok);
				return -EINVAL;
			}
		}
		fault_err(err, errlen, "trailing garbage '%s'", tok);
		return -EINVAL;
	}
	if (OPT_GIVEN(r, OPT_I_TCP) && r->action != FAULT_TRUNCATE) {
		fault_err(err, errlen, "tcp= only applies to truncate");
		return -EINVAL;
	}
	if (!OPT_GIVEN(r, OPT_I_MS) && r->action == FAULT_DELAY) {
		fault_err(err, errlen, "delay needs ms=N");
		return -EINVAL;
	}
	if (!OPT_GIVEN(r, OPT_I_MS) && r->tcp_action == FAULT_DELAY) {
		fault_err(err, errlen, "tcp=delay needs ms=N");
		return -EINVAL;
	}
	if (r->has_from && r->family != 0 &&
	    (r->family == AF_INET) != r->from.v4) {
		char p[CIDR_TEXT_MAX];

		/* The sockets are IPv6-only: a source has its socket's family. */
		fault_from_text(&r->from, p, sizeof(p));
		fault_err(err, errlen, "from=%s is IPv%c: family=%c never "
		          "matches it", p, r->from.v4 ? '4' : '6',
		          r->family == AF_INET6 ? '6' : '4');
		return -EINVAL;
	}
	return 0;
}

static void fault_append(char *buf, size_t cap, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
fault_append(char *buf, size_t cap, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int k = 0;

	if (*n >= cap) {
		return;
	}
	va_start(ap, fmt);
	k = vsnprintf(buf + *n, cap - *n, fmt, ap);
	va_end(ap);
	*n += k > 0 ? (size_t)k : 0;
}

static int
fault_build_text(struct fault_rule *r)
{
	char buf[FAULT_TEXT_MAX];
	char name[4 * WIRE_NAME_MAX + 8];
	char tbuf[CIDR_TEXT_MAX];
	size_t n = 0;
	size_t nl = wire_name_to_str(r->name, name, sizeof(name));
	uint32_t v = 0;
	bool quote = false;

	if (nl > 1 && nl < sizeof(name) && name[nl - 1] == '.') {
		name[nl - 1] = '\0'; /* the trailing dot is optional */
	}
	/*
	 * An exact name must not read back as a comment ("#x") or as a
	 * selector ("*", "*.x"): its first octet then gets a backslash.
	 */
	quote = r->select == FAULT_SELECT_EXACT &&
	        (name[0] == '#' ||
	         (name[0] == '*' && (name[1] == '\0' || name[1] == '.')));
	fault_append(
	        buf, sizeof(buf), &n, "%s %s%s%s %s",
	        fault_action_name(r->action),
	        r->select == FAULT_SELECT_BELOW ? "*." : "", quote ? "\\" : "",
	        r->select == FAULT_SELECT_BELOW && r->namelen == 1 ? "" : name,
	        r->type == FAULT_TYPE_ANY
	                ? "*"
	                : wire_type_str((uint16_t)r->type, tbuf, sizeof(tbuf)));
	for (size_t i = 0; i < FAULT_NOPTS; i++) {
		if (!OPT_GIVEN(r, i)) {
			continue;
		}
		fault_append(buf, sizeof(buf), &n, " %s=", fault_opts[i].name);
		switch (fault_opts[i].kind) {
		case OPT_U32:
			memcpy(&v, (const char *)r + fault_opts[i].off,
			       sizeof(v));
			fault_append(buf, sizeof(buf), &n, "%u", v);
			break;
		case OPT_PROB:
			/* The shortest form that reads back as p. */
			for (int prec = 1; prec <= 17; prec++) {
				(void)snprintf(tbuf, sizeof(tbuf), "%.*g", prec,
				               r->p);
				if (strtod(tbuf, NULL) == r->p) {
					break;
				}
			}
			fault_append(buf, sizeof(buf), &n, "%s", tbuf);
			break;
		case OPT_TRANSPORT:
			fault_append(buf, sizeof(buf), &n, "%s",
			             r->transport == QUERY_TCP ? "tcp" : "udp");
			break;
		case OPT_FAMILY:
			fault_append(buf, sizeof(buf), &n, "%c",
			             r->family == AF_INET6 ? '6' : '4');
			break;
		case OPT_TCP:
			fault_append(buf, sizeof(buf), &n, "%s",
			             fault_action_name(r->tcp_action));
			break;
		case OPT_ANSWER:
			fault_append(buf, sizeof(buf), &n, "%s",
			             r->answer == FAULT_FACT_POSITIVE
			                     ? "positive"
			                     : "negative");
			break;
		case OPT_CASE:
			fault_append(buf, sizeof(buf), &n, "%s",
			             r->qcase == 1 ? "mixed" : "lower");
			break;
		case OPT_FROM:
			fault_from_text(&r->from, tbuf, sizeof(tbuf));
			fault_append(buf, sizeof(buf), &n, "%s", tbuf);
			break;
		}
	}
	r->text = strdup(buf);
	return r->text == NULL ? -ENOMEM : 0;
}

int
fault_rule_parse(const char *line, struct fault_rule **out, char *err,
                 size_t errlen)
{
	struct fault_rule *r = NULL;
	char *copy = NULL;
	int rc = -ENOMEM;

	*out = NULL;
	copy = strdup(line);
	r = calloc(1, sizeof(*r));
	if (copy == NULL || r == NULL) {
		fault_err(err, errlen, "out of memory");
		goto out;
	}
	r->every = 1;
	r->p = 1.0;
	r->transport = -1;
	r->qcase = -1;
	r->tcp_action = FAULT_NORMAL;
	fault_strip_comment(copy);
	rc = fault_parse_fields(r, copy, err, errlen);
	if (rc == 0 && (rc = fault_build_text(r)) != 0) {
		fault_err(err, errlen, "out of memory");
	}
	if (rc == 0) {
		*out = r;
		r = NULL;
	}
out:
	fault_rule_free(r);
	free(copy);
	return rc;
}

void
fault_rule_free(struct fault_rule *r)
{
	if (r != NULL) {
		free(r->text);
		free(r);
	}
}

uint32_t
fault_rule_id(const struct fault_rule *r)
{
	return r->id;
}

enum fault_origin
fault_rule_origin(const struct fault_rule *r)
{
	return r->origin;
}

const char *
fault_rule_text(const struct fault_rule *r)
{
	return r->text;
}

enum fault_action
fault_rule_action(const struct fault_rule *r)
{
	return r->action;
}

enum fault_action
fault_rule_tcp_action(const struct fault_rule *r)
{
	return r->tcp_action;
}

uint32_t
fault_rule_ms(const struct fault_rule *r)
{
	return r->ms;
}

int
fault_rule_ede(const struct fault_rule *r)
{
	return OPT_GIVEN(r, OPT_I_EDE) ? (int)r->ede : FAULT_EDE_NONE;
}

uint64_t
fault_rule_seen(const struct fault_rule *r)
{
	return r->seen;
}

uint64_t
fault_rule_fired(const struct fault_rule *r)
{
	return r->fired;
}

void
fault_rule_effect(const struct fault_rule *r, enum query_transport tp,
                  struct fault_effect *out)
{
	out->action = r->action;
	if (r->action == FAULT_TRUNCATE && tp == QUERY_TCP) {
		out->action = r->tcp_action;
	}
	out->delay_ms = out->action == FAULT_NORMAL || out->action == FAULT_DROP
	                        ? 0
	                        : r->ms;
	out->ede = out->action == FAULT_NORMAL ? FAULT_EDE_NONE
	                                       : fault_rule_ede(r);
}

