/*
 * responder/fault.c -- fault rules: the parser, the rule set, the matcher.
 *
 * The set keeps its rules twice: an array in priority order (for listing,
 * removal and reloads) and an index, a hash table keyed on (canonical
 * name, selector, type) whose entries list their rules in priority order.
 * A query looks up its own name, its ancestors at the depths where `*.X`
 * rules exist, and `.`, each for its type and for `*`, and merges the few
 * lists it finds.
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

#include "wire.h"

#define FAULT_TEXT_MAX 1536 /* a 255-octet name fully escaped, and options */
#define FAULT_CURSORS  (2 * (WIRE_LABELS_MAX + 2))

/* A growable array of rules. */
struct fault_list {
	struct fault_rule **r;
	size_t n;
	size_t cap;
};

struct fault_rule {
	uint64_t prio;  /* seq << 32 | line in its file (0 for other origins) */
	uint64_t seen;  /* k: queries that reached the rule */
	uint64_t fired; /* of those, how many it fired on */
	double p;
	char *text; /* canonical */
	uint32_t id;
	uint32_t type; /* 0-65535 or FAULT_TYPE_ANY */
	uint32_t count;
	uint32_t after;
	uint32_t every;
	uint32_t ms;
	uint32_t ede;
	int family;     /* 0: any, AF_INET, AF_INET6 */
	int transport;  /* -1: any, else enum query_transport */
	unsigned given; /* bit I: fault_opts[I] was given */
	enum fault_origin origin;
	enum fault_action action;
	enum fault_action tcp_action;
	enum fault_select select;
	uint8_t labels; /* of NAME, root excluded */
	uint8_t namelen;
	uint8_t name[WIRE_NAME_MAX]; /* canonical wire form; root for ALL */
};

/* One index entry: the rules with one (name, selector, type), by prio. */
struct fault_key {
	struct fault_key *next; /* in its bucket */
	struct fault_list list;
	uint32_t hash;
	uint32_t type;
	enum fault_select select;
	uint8_t namelen;
	uint8_t name[]; /* canonical wire form */
};

struct fault_index {
	struct fault_key **buckets;
	size_t mask; /* buckets - 1, a power of two less one */
	size_t nkeys;
	/* Rules per label count, so a query skips depths without any. */
	uint32_t nexact[WIRE_LABELS_MAX];
	uint32_t nbelow[WIRE_LABELS_MAX];
	uint32_t nall;
};

struct fault_file {
	char *path;
	uint32_t seq;
};

struct fault_set {
	struct fault_list rules; /* every rule, by prio */
	struct fault_index idx;
	struct fault_file *files;
	size_t nfiles;
	uint64_t rng;
	uint32_t next_id;
	uint32_t next_seq;
};

/* The options, in canonical order; numbers go to the uint32_t at OFF. */
enum fault_opt_kind {
	OPT_U32 = 0,
	OPT_PROB,
	OPT_TRANSPORT,
	OPT_FAMILY,
	OPT_TCP,
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
};

#define FAULT_NOPTS     (sizeof(fault_opts) / sizeof(*fault_opts))
#define OPT_GIVEN(r, i) (((r)->given >> (i)) & 1U)
enum {
	OPT_I_COUNT = 0,
	OPT_I_MS = 6,
	OPT_I_EDE = 7,
	OPT_I_TCP = 8
};

static const char *const fault_action_names[] = {
	"normal",   "servfail", "refused", "notimp",  "formerr",
	"nxdomain", "nodata",   "drop",    "delay",   "truncate",
	"garble",   "noaa",     "nosoa",   "wrongid",
};

#define FAULT_NACTIONS \
	(sizeof(fault_action_names) / sizeof(*fault_action_names))

static const char *const fault_origin_names[] = {"rule", "file", "profile",
                                                 "api"};

static const uint8_t fault_root[1] = {0};

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

static void fault_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
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
static int
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
static void
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
	uint32_t v = 0;

	if (strcmp(tok, "*") == 0) {
		r->type = FAULT_TYPE_ANY;
		return 0;
	}
	/* TYPEnnn by hand: ldns lets TYPE65536 through. */
	if (strncasecmp(tok, "TYPE", 4) == 0 && tok[4] != '\0') {
		if (fault_parse_u32(tok + 4, &v) && v <= UINT16_MAX) {
			r->type = v;
			return 0;
		}
	} else {
		r->type = (uint32_t)ldns_get_rr_type_by_name(tok);
		if (r->type != 0 && r->type <= UINT16_MAX) {
			return 0;
		}
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
	}
	fault_err(err, errlen, "bad option '%s'", tok);
	return -EINVAL;
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
	char tbuf[32];
	size_t n = 0;
	size_t nl = wire_name_to_str(r->name, name, sizeof(name));
	uint32_t v = 0;

	if (nl > 1 && nl < sizeof(name) && name[nl - 1] == '.') {
		name[nl - 1] = '\0'; /* the trailing dot is optional */
	}
	fault_append(
	        buf, sizeof(buf), &n, "%s %s%s %s",
	        fault_action_name(r->action),
	        r->select == FAULT_SELECT_BELOW ? "*." : "",
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

/* The index. */

static uint32_t
fault_key_hash(uint32_t namehash, enum fault_select select, uint32_t type)
{
	uint32_t h = namehash ^ (type * 0x9e3779b1U) ^
	             ((uint32_t)select * 0x85ebca6bU);

	h ^= h >> 16;
	h *= 0x7feb352dU;
	h ^= h >> 15;
	h *= 0x846ca68bU;
	return h ^ (h >> 16);
}

static int
fault_index_init(struct fault_index *idx, size_t nbuckets)
{
	size_t n = 16;

	while (n < nbuckets) {
		n *= 2;
	}
	memset(idx, 0, sizeof(*idx));
	idx->buckets = calloc(n, sizeof(struct fault_key *));
	idx->mask = n - 1;
	return idx->buckets == NULL ? -ENOMEM : 0;
}

/* Free the keys, not the rules; FREE_BUCKETS too when done with IDX. */
static void
fault_index_clear(struct fault_index *idx, bool free_buckets)
{
	struct fault_key *k = NULL;
	struct fault_key *next = NULL;

	for (size_t b = 0; idx->buckets != NULL && b <= idx->mask; b++) {
		for (k = idx->buckets[b]; k != NULL; k = next) {
			next = k->next;
			free(k->list.r);
			free(k);
		}
		idx->buckets[b] = NULL;
	}
	if (free_buckets) {
		free(idx->buckets);
		idx->buckets = NULL;
	}
	idx->nkeys = 0;
	memset(idx->nexact, 0, sizeof(idx->nexact));
	memset(idx->nbelow, 0, sizeof(idx->nbelow));
	idx->nall = 0;
}

static struct fault_key *
fault_index_find(const struct fault_index *idx, uint32_t hash,
                 const uint8_t *name, size_t len, enum fault_select select,
                 uint32_t type)
{
	struct fault_key *k = idx->buckets[hash & idx->mask];

	for (; k != NULL; k = k->next) {
		if (k->hash == hash && k->type == type && k->select == select &&
		    k->namelen == len && memcmp(k->name, name, len) == 0) {
			return k;
		}
	}
	return NULL;
}

/* Double the buckets when the keys outnumber them; failing is harmless. */
static void
fault_index_grow(struct fault_index *idx)
{
	size_t n = (idx->mask + 1) * 2;
	struct fault_key **b = NULL;
	struct fault_key *k = NULL;
	struct fault_key *next = NULL;

	if (idx->nkeys <= idx->mask + 1 ||
	    (b = calloc(n, sizeof(struct fault_key *))) == NULL) {
		return;
	}
	for (size_t i = 0; i <= idx->mask; i++) {
		for (k = idx->buckets[i]; k != NULL; k = next) {
			next = k->next;
			k->next = b[k->hash & (n - 1)];
			b[k->hash & (n - 1)] = k;
		}
	}
	free(idx->buckets);
	idx->buckets = b;
	idx->mask = n - 1;
}

static void
fault_index_count(struct fault_index *idx, const struct fault_rule *r,
                  uint32_t delta)
{
	if (r->select == FAULT_SELECT_EXACT) {
		idx->nexact[r->labels] += delta;
	} else if (r->select == FAULT_SELECT_BELOW) {
		idx->nbelow[r->labels] += delta;
	} else {
		idx->nall += delta;
	}
}

static uint32_t
fault_rule_key_hash(const struct fault_rule *r)
{
	return fault_key_hash(wire_name_hash(r->name, r->namelen), r->select,
	                      r->type);
}

/* Append R to its key's list (R comes after every rule there).  Atomic. */
static int
fault_index_insert(struct fault_index *idx, struct fault_rule *r)
{
	uint32_t h = fault_rule_key_hash(r);
	struct fault_key *k = fault_index_find(idx, h, r->name, r->namelen,
	                                       r->select, r->type);

	if (k == NULL) {
		k = calloc(1, sizeof(*k) + r->namelen);
		if (k == NULL || fault_list_grow(&k->list) != 0) {
			free(k);
			return -ENOMEM;
		}
		k->hash = h;
		k->type = r->type;
		k->select = r->select;
		k->namelen = r->namelen;
		memcpy(k->name, r->name, r->namelen);
		k->next = idx->buckets[h & idx->mask];
		idx->buckets[h & idx->mask] = k;
		idx->nkeys++;
	} else if (fault_list_grow(&k->list) != 0) {
		return -ENOMEM;
	}
	k->list.r[k->list.n++] = r;
	fault_index_count(idx, r, 1);
	fault_index_grow(idx);
	return 0;
}

static void
fault_index_remove(struct fault_index *idx, const struct fault_rule *r)
{
	struct fault_key **pk =
	        &idx->buckets[fault_rule_key_hash(r) & idx->mask];
	struct fault_key *k = NULL;

	for (; (k = *pk) != NULL; pk = &k->next) {
		for (size_t i = 0; i < k->list.n; i++) {
			if (k->list.r[i] != r) {
				continue;
			}
			memmove(&k->list.r[i], &k->list.r[i + 1],
			        (k->list.n - i - 1) *
			                sizeof(struct fault_rule *));
			fault_index_count(idx, r, UINT32_MAX); /* -1 */
			if (--k->list.n == 0) {
				*pk = k->next;
				free(k->list.r);
				free(k);
				idx->nkeys--;
			}
			return;
		}
	}
}

/* The set. */

struct fault_set *
fault_set_new(void)
{
	struct fault_set *fs = calloc(1, sizeof(*fs));

	if (fs != NULL && fault_index_init(&fs->idx, 16) != 0) {
		free(fs);
		fs = NULL;
	}
	if (fs != NULL) {
		fs->next_id = 1;
		fs->next_seq = 1;
	}
	return fs;
}

void
fault_set_free(struct fault_set *fs)
{
	if (fs == NULL) {
		return;
	}
	fault_set_clear(fs);
	fault_index_clear(&fs->idx, true);
	free(fs->rules.r);
	for (size_t i = 0; i < fs->nfiles; i++) {
		free(fs->files[i].path);
	}
	free(fs->files);
	free(fs);
}

void
fault_set_seed(struct fault_set *fs, uint64_t seed)
{
	fs->rng = seed;
}

/* splitmix64 (Steele, Lea and Flood, 2014), as a double in [0, 1). */
static double
fault_draw(struct fault_set *fs)
{
	uint64_t z = (fs->rng += 0x9e3779b97f4a7c15U);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9U;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebU;
	z ^= z >> 31;
	return (double)(z >> 11) * 0x1.0p-53;
}

int
fault_set_add(struct fault_set *fs, struct fault_rule *r,
              enum fault_origin origin, uint32_t *id)
{
	int rc = origin == FAULT_ORIGIN_FILE ? -EINVAL
	                                     : fault_list_grow(&fs->rules);

	if (rc == 0) {
		r->origin = origin;
		r->prio = (uint64_t)fs->next_seq << 32;
		rc = fault_index_insert(&fs->idx, r);
	}
	if (rc != 0) {
		fault_rule_free(r);
		return rc;
	}
	fs->next_seq++;
	r->id = fs->next_id++;
	fs->rules.r[fs->rules.n++] = r;
	if (id != NULL) {
		*id = r->id;
	}
	return 0;
}

int
fault_set_add_text(struct fault_set *fs, const char *line,
                   enum fault_origin origin, uint32_t *id, char *err,
                   size_t errlen)
{
	struct fault_rule *r = NULL;
	int rc = fault_rule_parse(line, &r, err, errlen);

	if (rc == 0 && (rc = fault_set_add(fs, r, origin, id)) != 0) {
		fault_err(err, errlen, "%s",
		          rc == -ENOMEM ? "out of memory" : "bad origin");
	}
	return rc;
}

int
fault_set_remove(struct fault_set *fs, uint32_t id)
{
	struct fault_list *l = &fs->rules;

	for (size_t i = 0; i < l->n; i++) {
		if (l->r[i]->id == id) {
			fault_index_remove(&fs->idx, l->r[i]);
			fault_rule_free(l->r[i]);
			memmove(&l->r[i], &l->r[i + 1],
			        (l->n - i - 1) * sizeof(struct fault_rule *));
			l->n--;
			return 0;
		}
	}
	return -ENOENT;
}

void
fault_set_clear(struct fault_set *fs)
{
	fault_index_clear(&fs->idx, false);
	for (size_t i = 0; i < fs->rules.n; i++) {
		fault_rule_free(fs->rules.r[i]);
	}
	fs->rules.n = 0;
}

size_t
fault_set_count(const struct fault_set *fs)
{
	return fs->rules.n;
}

const struct fault_rule *
fault_set_rule(const struct fault_set *fs, size_t i)
{
	return i < fs->rules.n ? fs->rules.r[i] : NULL;
}

const struct fault_rule *
fault_set_find(const struct fault_set *fs, uint32_t id)
{
	for (size_t i = 0; i < fs->rules.n; i++) {
		if (fs->rules.r[i]->id == id) {
			return fs->rules.r[i];
		}
	}
	return NULL;
}

/* Rules files. */

static void
fault_list_free_rules(struct fault_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		fault_rule_free(l->r[i]);
	}
	free(l->r);
	memset(l, 0, sizeof(*l));
}

/*
 * Append the rules of PATH to OUT, placed at SEQ; all or nothing (on
 * error OUT keeps what it had).
 */
static int
fault_file_read(const char *path, uint32_t seq, struct fault_list *out,
                char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	size_t lineno = 0;
	size_t first = out->n;
	ssize_t len = 0;
	struct fault_rule *r = NULL;
	char msg[256];
	int rc = 0;

	if (f == NULL) {
		rc = -errno;
		fault_err(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (strlen(line) != (size_t)len) {
			(void)snprintf(msg, sizeof(msg), "NUL byte in line");
			rc = -EINVAL;
			break;
		}
		fault_strip_comment(line);
		if (line[strspn(line, " \t\r\n")] == '\0') {
			continue;
		}
		rc = fault_rule_parse(line, &r, msg, sizeof(msg));
		if (rc == 0 && (rc = fault_list_grow(out)) != 0) {
			fault_rule_free(r);
			(void)snprintf(msg, sizeof(msg), "out of memory");
		}
		if (rc == 0) {
			r->origin = FAULT_ORIGIN_FILE;
			r->prio = ((uint64_t)seq << 32) | (uint64_t)lineno;
			out->r[out->n++] = r;
		}
	}
	if (rc != 0) {
		fault_err(err, errlen, "%s:%zu: %s", path, lineno, msg);
	} else if (ferror(f)) {
		rc = -EIO;
		fault_err(err, errlen, "%s: %s", path, strerror(EIO));
	}
	free(line);
	(void)fclose(f);
	while (rc != 0 && out->n > first) {
		fault_rule_free(out->r[--out->n]);
	}
	return rc;
}

static int
fault_prio_cmp(const void *a, const void *b)
{
	const struct fault_rule *ra = *(struct fault_rule *const *)a;
	const struct fault_rule *rb = *(struct fault_rule *const *)b;

	return ra->prio < rb->prio ? -1 : ra->prio > rb->prio;
}

/* Whether a reload of file SEQ (0: of every file) replaces R. */
static bool
fault_replaced(const struct fault_rule *r, uint32_t seq)
{
	return r->origin == FAULT_ORIGIN_FILE &&
	       (seq == 0 || (uint32_t)(r->prio >> 32) == seq);
}

/*
 * Put the rules of NEW in place of the file rules fault_replaced() picks,
 * building a new index so that failure leaves the set as it was.  On
 * success NEW's rules belong to the set and NEW is empty.
 */
static int
fault_set_replace(struct fault_set *fs, struct fault_list *new, uint32_t seq)
{
	struct fault_index nidx;
	struct fault_list all = {NULL, 0, 0};
	size_t i = 0;

	all.cap = fs->rules.n + new->n + 1;
	all.r = malloc(all.cap * sizeof(struct fault_rule *));
	if (all.r == NULL || fault_index_init(&nidx, all.cap) != 0) {
		free(all.r);
		return -ENOMEM;
	}
	for (i = 0; i < fs->rules.n; i++) {
		if (!fault_replaced(fs->rules.r[i], seq)) {
			all.r[all.n++] = fs->rules.r[i];
		}
	}
	for (i = 0; i < new->n; i++) {
		all.r[all.n++] = new->r[i];
	}
	qsort(all.r, all.n, sizeof(struct fault_rule *), fault_prio_cmp);
	for (i = 0; i < all.n && fault_index_insert(&nidx, all.r[i]) == 0;
	     i++) {
	}
	if (i < all.n) {
		fault_index_clear(&nidx, true);
		free(all.r);
		return -ENOMEM;
	}
	/* Commit: nothing below can fail. */
	for (i = 0; i < fs->rules.n; i++) {
		if (fault_replaced(fs->rules.r[i], seq)) {
			fault_rule_free(fs->rules.r[i]);
		}
	}
	for (i = 0; i < new->n; i++) {
		new->r[i]->id = fs->next_id++;
	}
	new->n = 0;
	fault_index_clear(&fs->idx, true);
	fs->idx = nidx;
	free(fs->rules.r);
	fs->rules = all;
	return 0;
}

int
fault_set_load_file(struct fault_set *fs, const char *path, char *err,
                    size_t errlen)
{
	struct fault_list new = {NULL, 0, 0};
	struct fault_file *grown = NULL;
	char *copy = NULL;
	size_t fi = fs->nfiles;
	uint32_t seq = fs->next_seq;
	int rc = 0;

	for (size_t i = 0; i < fs->nfiles; i++) {
		if (strcmp(fs->files[i].path, path) == 0) {
			fi = i;
			seq = fs->files[i].seq;
		}
	}
	if ((rc = fault_file_read(path, seq, &new, err, errlen)) != 0) {
		free(new.r);
		return rc;
	}
	if (fi == fs->nfiles) {
		copy = strdup(path);
		grown = realloc(fs->files, (fs->nfiles + 1) * sizeof(*grown));
		fs->files = grown != NULL ? grown : fs->files;
		rc = copy == NULL || grown == NULL ? -ENOMEM : 0;
	}
	if (rc == 0 && (rc = fault_set_replace(fs, &new, seq)) == 0 &&
	    copy != NULL) {
		fs->files[fs->nfiles].path = copy;
		fs->files[fs->nfiles++].seq = fs->next_seq++;
		copy = NULL;
	}
	if (rc != 0) {
		fault_err(err, errlen, "%s: out of memory", path);
	}
	free(copy);
	fault_list_free_rules(&new);
	return rc;
}

int
fault_set_reload(struct fault_set *fs, char *err, size_t errlen)
{
	struct fault_list new = {NULL, 0, 0};
	int rc = 0;

	for (size_t i = 0; i < fs->nfiles && rc == 0; i++) {
		rc = fault_file_read(fs->files[i].path, fs->files[i].seq, &new,
		                     err, errlen);
	}
	if (rc == 0 && fs->nfiles > 0 &&
	    (rc = fault_set_replace(fs, &new, 0)) != 0) {
		fault_err(err, errlen, "out of memory");
	}
	fault_list_free_rules(&new);
	return rc;
}

/* Matching: the hot path. */

struct fault_cursor {
	struct fault_rule *const *r;
	size_t n;
};

/* Queue the lists of (NAME, SELECT) for QTYPE and for `*`. */
static size_t
fault_cursors_add(const struct fault_index *idx, struct fault_cursor *cur,
                  const uint8_t *name, size_t len, enum fault_select select,
                  uint16_t qtype)
{
	uint32_t nh = wire_name_hash(name, len);
	const struct fault_key *k = NULL;
	size_t n = 0;

	k = fault_index_find(idx, fault_key_hash(nh, select, qtype), name, len,
	                     select, qtype);
	if (k != NULL) {
		cur[n++] = (struct fault_cursor){k->list.r, k->list.n};
	}
	k = fault_index_find(idx, fault_key_hash(nh, select, FAULT_TYPE_ANY),
	                     name, len, select, FAULT_TYPE_ANY);
	if (k != NULL) {
		cur[n++] = (struct fault_cursor){k->list.r, k->list.n};
	}
	return n;
}

/* Whether R fires for a query that reached it (see fault.h). */
static bool
fault_fires(struct fault_set *fs, struct fault_rule *r, enum query_transport tp,
            int family)
{
	uint64_t k = 0;

	if ((r->transport >= 0 && r->transport != (int)tp) ||
	    (r->family != 0 && r->family != family)) {
		return false;
	}
	if (r->action == FAULT_TRUNCATE && tp == QUERY_TCP) {
		return true; /* the tcp= action; the counters are UDP's */
	}
	k = r->seen++;
	if (k < r->after) {
		return false;
	}
	k -= r->after;
	if ((OPT_GIVEN(r, OPT_I_COUNT) && k >= r->count) || k % r->every != 0) {
		return false;
	}
	if (r->p <= 0.0 || (r->p < 1.0 && fault_draw(fs) >= r->p)) {
		return false;
	}
	r->fired++;
	return true;
}

const struct fault_rule *
fault_match(struct fault_set *fs, const uint8_t *name, size_t len,
            uint16_t qtype, enum query_transport tp, int family)
{
	struct fault_cursor cur[FAULT_CURSORS];
	size_t off[WIRE_LABELS_MAX];
	size_t ncur = 0;
	size_t pos = 0;
	size_t best = 0;
	unsigned nl = 0;
	struct fault_rule *r = NULL;

	if (fs == NULL || fs->rules.n == 0) {
		return NULL;
	}
	while (pos < len && name[pos] != 0) {
		if (nl == WIRE_LABELS_MAX - 1 || name[pos] > WIRE_LABEL_MAX) {
			return NULL;
		}
		off[nl++] = pos;
		pos += name[pos] + 1U;
	}
	if (pos >= len) {
		return NULL; /* no root label within LEN */
	}
	off[nl] = pos;
	len = pos + 1;
	if (fs->idx.nexact[nl] > 0) {
		ncur += fault_cursors_add(&fs->idx, cur + ncur, name, len,
		                          FAULT_SELECT_EXACT, qtype);
	}
	/* `*.X` rules at each proper ancestor with D labels, if any. */
	for (unsigned d = 0; d < nl; d++) {
		if (fs->idx.nbelow[d] > 0) {
			pos = off[nl - d];
			ncur += fault_cursors_add(&fs->idx, cur + ncur,
			                          name + pos, len - pos,
			                          FAULT_SELECT_BELOW, qtype);
		}
	}
	if (fs->idx.nall > 0) {
		ncur += fault_cursors_add(&fs->idx, cur + ncur, fault_root, 1,
		                          FAULT_SELECT_ALL, qtype);
	}
	/* Merge the lists by priority: the first rule that fires wins. */
	for (;;) {
		r = NULL;
		for (size_t i = 0; i < ncur; i++) {
			if (cur[i].n > 0 &&
			    (r == NULL || cur[i].r[0]->prio < r->prio)) {
				r = cur[i].r[0];
				best = i;
			}
		}
		if (r == NULL || fault_fires(fs, r, tp, family)) {
			return r;
		}
		cur[best].r++;
		cur[best].n--;
	}
}
