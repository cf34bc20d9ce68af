/*
 * responder/zonefile.c -- read RFC 1035 master files with ldns into zones.
 *
 * ldns splits the file into entries (parentheses joined, comments gone)
 * and parses records.  This file handles the directives itself ($ORIGIN,
 * $TTL, $INCLUDE), reads every CAA presentation form (quoted or bare
 * values, any tag, values over 255 octets) and takes RFC 3597 generic
 * RDATA ("TYPE257 \# 3 000161") as it stands, even when it is not valid
 * for its type: broken records are what a test server must be able to
 * serve.  Errors read "file:line: reason".  The plain record lines that
 * make up big zones skip ldns (zonefile_fast.c), to the same result.
 */
#include "zone.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h> /* malloc_trim() */
#endif

#include <ldns/ldns.h>

#include "zone_int.h"
#include "dnssec.h"
#include "zonefile_int.h"

#define ZF_ENTRY_MAX  (256 * 1024)
#define ZF_DEPTH_MAX  8
#define ZF_PRIVATE_TYPE 65534 /* no ldns descriptor: RDATA kept raw */
#define ZF_TRIM_RECORDS (64 * 1024) /* a load that big gives memory back */

int
zf_error(struct zf_ctx *c, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (file == NULL) {
		n = 0;
	} else if (line > 0) {
		n = snprintf(c->err, c->errlen, "%s:%d: ", file, line);
	} else {
		n = snprintf(c->err, c->errlen, "%s: ", file);
	}
	if (n < 0 || (size_t)n >= c->errlen) {
		return -EINVAL;
	}
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/*
 * Decode one presentation token at *P (quoted when it starts with '"',
 * else up to white space) with \X and \DDD escapes into OUT (CAP octets).
 * Returns its length, -1 on a bad escape or a missing quote, -2 when it
 * does not fit.
 */
static long
zf_token(const char **p, uint8_t *out, size_t cap)
{
	const char *s = *p;
	bool quoted = *s == '"';
	size_t n = 0;

	if (quoted) {
		s++;
	}
	while (*s != '\0') {
		int ch;

		if (quoted ? *s == '"' : isspace((unsigned char)*s)) {
			break;
		}
		if (*s == '\\') {
			if (isdigit((unsigned char)s[1]) &&
			    isdigit((unsigned char)s[2]) &&
			    isdigit((unsigned char)s[3])) {
				ch = (s[1] - '0') * 100 + (s[2] - '0') * 10 +
				     (s[3] - '0');
				if (ch > 255) {
					return -1;
				}
				s += 4;
			} else if (s[1] != '\0') {
				ch = (unsigned char)s[1];
				s += 2;
			} else {
				return -1;
			}
		} else {
			ch = (unsigned char)*s++;
		}
		if (n >= cap) {
			return -2;
		}
		out[n++] = (uint8_t)ch;
	}
	if (quoted) {
		if (*s != '"') {
			return -1;
		}
		s++;
	}
	*p = s;
	return (long)n;
}

static const char *
zf_skip_space(const char *s)
{
	while (isspace((unsigned char)*s)) {
		s++;
	}
	return s;
}

long
zf_caa_wire(const char *s, uint8_t *wire, const char **why)
{
	char *end;
	unsigned long flags;
	long tl, vl;

	s = zf_skip_space(s);
	flags = strtoul(s, &end, 10);
	if (end == s || !isspace((unsigned char)*end) || flags > 255) {
		*why = "bad CAA flags (a number from 0 to 255)";
		return -1;
	}
	s = zf_skip_space(end);
	wire[0] = (uint8_t)flags;
	tl = zf_token(&s, wire + 2, 255);
	if (tl <= 0) {
		*why = tl == 0 ? "CAA record without a tag"
		               : "bad CAA tag (at most 255 octets)";
		return -1;
	}
	wire[1] = (uint8_t)tl;
	s = zf_skip_space(s);
	if (*s == '\0') {
		*why = "CAA record without a value";
		return -1;
	}
	vl = zf_token(&s, wire + 2 + tl, WIRE_MSG_MAX - 2 - (size_t)tl);
	if (vl < 0) {
		*why = vl == -1 ? "bad CAA value (unbalanced quote or escape)"
		                : "CAA value too long";
		return -1;
	}
	if (*zf_skip_space(s) != '\0') {
		*why = "unexpected text after the CAA value (quote it)";
		return -1;
	}
	return 2 + tl + vl;
}

static bool
zf_is_class(const char *t, size_t n)
{
	return (n == 2 && (strncasecmp(t, "IN", 2) == 0 ||
	                   strncasecmp(t, "CH", 2) == 0 ||
	                   strncasecmp(t, "HS", 2) == 0 ||
	                   strncasecmp(t, "CS", 2) == 0)) ||
	       (n > 5 && strncasecmp(t, "CLASS", 5) == 0);
}

static bool
zf_is_ttl(const char *t, size_t n)
{
	if (n == 0 || !isdigit((unsigned char)t[0])) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (!isalnum((unsigned char)t[i])) {
			return false;
		}
	}
	return true;
}

/*
 * Find the type token of an entry: after the owner (absent when the entry
 * starts with white space), a TTL and a class in either order.
 */
static const char *
zf_type_token(const char *e, size_t *len)
{
	const char *s = e;

	if (!isspace((unsigned char)*s)) {
		while (*s != '\0' && !isspace((unsigned char)*s)) {
			s++;
		}
	}
	for (int i = 0; i < 3; i++) {
		size_t n;

		s = zf_skip_space(s);
		for (n = 0; s[n] != '\0' && !isspace((unsigned char)s[n]); n++) {
		}
		if (i < 2 && (zf_is_ttl(s, n) || zf_is_class(s, n))) {
			s += n;
			continue;
		}
		*len = n;
		return n > 0 ? s : NULL;
	}
	return NULL;
}

int
zf_rec_add(struct zf_ctx *c, const char *file, int line, const uint8_t *owner,
           size_t ownerlen, const uint8_t *rdata, size_t rdlen, uint32_t ttl,
           uint16_t type)
{
	struct zone_rec *r;
	uint8_t *p;
	char why[256];

	if (c->nrecs == c->caprecs) {
		size_t nc = c->caprecs ? c->caprecs * 2 : 1024;
		struct zone_rec *nr = realloc(c->recs, nc * sizeof(*nr));

		if (nr == NULL) {
			return zf_error(c, file, line, "out of memory");
		}
		c->recs = nr;
		c->caprecs = nc;
		zone_hint_huge(nr, nc * sizeof(*nr));
	}
	if (ownerlen > WIRE_NAME_MAX) {
		return zf_error(c, file, line, "owner name over 255 octets");
	}
	if (rdlen > UINT16_MAX) {
		return zf_error(c, file, line, "record data over 65535 octets");
	}
	/*
	 * The answers read names and fields from the RDATA of these types:
	 * it must be what the type says, whatever form it was written in.
	 * Others (CAA above all) are served as they stand.
	 */
	if (!wire_rdata_check(type, rdata, rdlen, why, sizeof(why))) {
		return zf_error(c, file, line, "%s", why);
	}
	r = &c->recs[c->nrecs];
	memset(r, 0, sizeof(*r));
	p = zone_arena_alloc(c->scratch, ownerlen + rdlen + 1);
	if (p == NULL) {
		return zf_error(c, file, line, "out of memory");
	}
	/* Length octets are at most 63, below 'A': lower every octet. */
	for (size_t i = 0; i < ownerlen; i++) {
		p[i] = wire_lower(owner[i]);
	}
	r->owner = p;
	r->ownerlen = (uint8_t)ownerlen;
	r->rdata = p + ownerlen;
	if (rdlen > 0) {
		memcpy(p + ownerlen, rdata, rdlen);
	}
	r->rdlen = (uint16_t)rdlen;
	r->ttl = ttl;
	r->type = type;
	r->line = line;
	if (type == WIRE_TYPE_SOA) {
		if (c->soa_owner != NULL) {
			return zf_error(c, file, line,
			                "a second SOA record (one zone per file; "
			                "the first is at %s:%d)",
			                c->soa_file, c->soa_line);
		}
		c->soa_owner = r->owner;
		c->soa_ownerlen = r->ownerlen;
		c->soa_file = file;
		c->soa_line = line;
	}
	c->nrecs++;
	return 0;
}

/* C's scratch for one record's wire form (WIRE_MSG_MAX), or NULL. */
static uint8_t *
zf_wire_buf(struct zf_ctx *c)
{
	if (c->wire == NULL) {
		c->wire = malloc(WIRE_MSG_MAX);
	}
	return c->wire;
}

/* Add the record ldns parsed: its RDATA fields joined. */
static int
zf_add_ldns(struct zf_ctx *c, const char *file, int line, const ldns_rr *rr,
            uint16_t type)
{
	uint8_t *rdata = zf_wire_buf(c);
	size_t rdlen = 0;

	if (rdata == NULL) {
		return zf_error(c, file, line, "out of memory");
	}
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		const ldns_rdf *f = ldns_rr_rdf(rr, i);

		if (rdlen + ldns_rdf_size(f) > UINT16_MAX) {
			return zf_error(c, file, line,
			                "record data over 65535 octets");
		}
		memcpy(rdata + rdlen, ldns_rdf_data(f), ldns_rdf_size(f));
		rdlen += ldns_rdf_size(f);
	}
	return zf_rec_add(c, file, line, ldns_rdf_data(ldns_rr_owner(rr)),
	                  ldns_rdf_size(ldns_rr_owner(rr)), rdata, rdlen,
	                  ldns_rr_ttl(rr), type);
}

int
zf_record(struct zf_ctx *c, const char *file, int line, const char *e,
          uint32_t ttl, ldns_rdf *origin, ldns_rdf **prev)
{
	const char *tt, *rd;
	size_t tlen;
	char tname[32];
	uint16_t type;
	int ti;
	char *rewritten = NULL;
	const char *text = e;
	ldns_rr *rr = NULL;
	ldns_status st;
	int rc;

	tt = zf_type_token(e, &tlen);
	if (tt == NULL || tlen >= sizeof(tname)) {
		return zf_error(c, file, line, "no record type");
	}
	memcpy(tname, tt, tlen);
	tname[tlen] = '\0';
	/* Not ldns's reading: it takes TYPE65537 for TYPE1. */
	ti = wire_type_parse(tname);
	if (ti <= 0) {
		return zf_error(c, file, line,
		                "unknown record type '%s' (a mnemonic, or TYPE1 "
		                "to TYPE65535)",
		                tname);
	}
	type = (uint16_t)ti;
	rd = zf_skip_space(tt + tlen);

	/* Generic RDATA, and CAA in any form, go through a private type. */
	if (strncmp(rd, "\\#", 2) == 0 || type == WIRE_TYPE_CAA) {
		uint8_t *wire = zf_wire_buf(c);
		size_t head = (size_t)(tt - e), n;
		const char *why = NULL;
		long wl = 0;

		if (wire == NULL) {
			return zf_error(c, file, line, "out of memory");
		}
		if (strncmp(rd, "\\#", 2) != 0) {
			wl = zf_caa_wire(rd, wire, &why);
			if (wl < 0) {
				return zf_error(c, file, line, "%s", why);
			}
		}
		n = head + 32 + (strncmp(rd, "\\#", 2) == 0 ? strlen(rd)
		                                            : 2 * (size_t)wl);
		rewritten = malloc(n + 1);
		if (rewritten == NULL) {
			return zf_error(c, file, line, "out of memory");
		}
		memcpy(rewritten, e, head);
		if (strncmp(rd, "\\#", 2) == 0) {
			snprintf(rewritten + head, n + 1 - head, "TYPE%u %s",
			         ZF_PRIVATE_TYPE, rd);
		} else {
			char *w = rewritten + head;

			w += sprintf(w, "TYPE%u \\# %ld ", ZF_PRIVATE_TYPE, wl);
			for (long i = 0; i < wl; i++) {
				w += sprintf(w, "%02x", wire[i]);
			}
		}
		text = rewritten;
	}
	if (origin == NULL && zf_origin_unset(c) == NULL) {
		free(rewritten);
		return zf_error(c, file, line, "out of memory");
	}
	st = ldns_rr_new_frm_str(&rr, text, ttl,
	                         origin != NULL ? origin : c->unset, prev);
	if (st != LDNS_STATUS_OK) {
		free(rewritten);
		return zf_error(c, file, line, "bad %s record (%s)", tname,
		                ldns_get_errorstr_by_id(st));
	}
	if (origin == NULL && zf_origin_check(c, file, line, rr) != 0) {
		free(rewritten);
		ldns_rr_free(rr);
		return -EINVAL;
	}
	/* RDATA ldns read as another type than this one is not its RDATA. */
	if (ldns_rr_get_type(rr) !=
	    (rewritten != NULL ? ZF_PRIVATE_TYPE : type)) {
		free(rewritten);
		ldns_rr_free(rr);
		return zf_error(c, file, line, "bad %s record (unclear type)",
		                tname);
	}
	free(rewritten);
	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) {
		ldns_rr_free(rr);
		return zf_error(c, file, line, "only class IN is served");
	}
	if (type == WIRE_TYPE_OPT || type == WIRE_TYPE_ANY ||
	    type == WIRE_TYPE_AXFR || type == WIRE_TYPE_IXFR) {
		ldns_rr_free(rr);
		return zf_error(c, file, line, "%s is not a record type for zones",
		                tname);
	}
	rc = zf_add_ldns(c, file, line, rr, type);
	ldns_rr_free(rr);
	return rc;
}

static int zf_read(struct zf_ctx *c, const char *file, ldns_rdf **origin,
                   uint32_t *ttl, int depth);

/*
 * The name ARG of a $ORIGIN or $INCLUDE, relative to ORIGIN unless it ends
 * in a dot (RFC 1035 5.1).  Returns a new rdf, or NULL with ERR filled.
 */
static ldns_rdf *
zf_directive_name(struct zf_ctx *c, const char *file, int line,
                  const char *arg, const ldns_rdf *origin)
{
	ldns_rdf *o = ldns_dname_new_frm_str(arg);
	bool relative = !ldns_dname_str_absolute(arg);

	if (o != NULL && relative && origin == NULL) {
		ldns_rdf_deep_free(o);
		(void)zf_error(c, file, line,
		               "relative name '%s' but no origin: end it with "
		               "a dot or load the file as -z ORIGIN=FILE",
		               arg);
		return NULL;
	}
	if (o != NULL && relative &&
	    ldns_dname_cat(o, origin) != LDNS_STATUS_OK) {
		ldns_rdf_deep_free(o);
		o = NULL;
	}
	if (o == NULL) {
		(void)zf_error(c, file, line, "bad domain name '%s'", arg);
	}
	return o;
}

/* $ORIGIN, $TTL, $INCLUDE (RFC 1035 5.1). */
static int
zf_directive(struct zf_ctx *c, const char *file, int line, const char *e,
             ldns_rdf **origin, uint32_t *ttl, int depth)
{
	char word[16], arg[1024], arg2[1024];
	int n = sscanf(e, "%15s %1023s %1023s", word, arg, arg2);

	if (strcasecmp(word, "$TTL") == 0 && n >= 2) {
		const char *end;
		uint32_t v = ldns_str2period(arg, &end);

		if (*end != '\0') {
			return zf_error(c, file, line, "bad $TTL '%s'", arg);
		}
		*ttl = v;
		return 0;
	}
	if (strcasecmp(word, "$ORIGIN") == 0 && n >= 2) {
		ldns_rdf *o = zf_directive_name(c, file, line, arg, *origin);

		if (o == NULL) {
			return -EINVAL;
		}
		ldns_rdf_deep_free(*origin);
		*origin = o;
		return 0;
	}
	if (strcasecmp(word, "$INCLUDE") == 0 && n >= 2) {
		char path[4096];
		const char *slash = strrchr(file, '/');
		ldns_rdf *sub;
		uint32_t subttl = *ttl;
		int rc;

		if (depth >= ZF_DEPTH_MAX) {
			return zf_error(c, file, line, "$INCLUDE nested too deep");
		}
		/* Relative paths resolve against the including file. */
		if (arg[0] != '/' && slash != NULL) {
			snprintf(path, sizeof(path), "%.*s/%s",
			         (int)(slash - file), file, arg);
		} else {
			snprintf(path, sizeof(path), "%s", arg);
		}
		sub = n >= 3 ? zf_directive_name(c, file, line, arg2, *origin)
		             : (*origin ? ldns_rdf_clone(*origin) : NULL);
		if (n >= 3 && sub == NULL) {
			return -EINVAL;
		}
		rc = zf_read(c, path, &sub, &subttl, depth + 1);
		ldns_rdf_deep_free(sub);
		if (rc == -ENOENT) {
			return zf_error(c, file, line, "cannot open '%s' (%s)",
			                path, strerror(ENOENT));
		}
		return rc;
	}
	return zf_error(c, file, line, "unknown or incomplete directive '%s'",
	                word);
}

static int
zf_read(struct zf_ctx *c, const char *file, ldns_rdf **origin, uint32_t *ttl,
        int depth)
{
	FILE *f = fopen(file, "r");
	ldns_rdf *prev = NULL;
	struct zf_fast *fast = NULL;
	int line = 1, rc = 0;

	if (f == NULL) {
		int e = errno;

		if (depth > 0 && e == ENOENT) {
			return -ENOENT;
		}
		return zf_error(c, file, 0, "cannot open (%s)", strerror(e));
	}
	fast = zf_fast_new(f);
	for (;;) {
		ssize_t n;
		char *e = c->entry;
		int at;

		/* Plain record lines first; ldns reads what they leave. */
		if (fast != NULL) {
			bool eof = false;

			rc = zf_fast_read(fast, c, file, &line, *ttl, *origin,
			                  &prev, &eof);
			if (rc != 0 || eof) {
				break;
			}
		}
		n = ldns_fget_token_l(f, c->entry, "\n", ZF_ENTRY_MAX, &line);
		if (n < 0) {
			if (!feof(f)) {
				rc = zf_error(c, file, line,
				              "entry too long or unbalanced "
				              "parentheses");
			}
			break;
		}
		at = line > 1 ? line - 1 : 1;
		while (n > 0 && isspace((unsigned char)e[n - 1])) {
			e[--n] = '\0';
		}
		if (*zf_skip_space(e) == '\0') {
			if (feof(f)) {
				break;
			}
			continue;
		}
		if (e[0] == '$') {
			rc = zf_directive(c, file, at, e, origin, ttl, depth);
		} else {
			rc = zf_record(c, file, at, e, *ttl, *origin, &prev);
		}
		if (rc != 0 || feof(f)) {
			break;
		}
	}
	zf_fast_free(fast);
	ldns_rdf_deep_free(prev);
	fclose(f);
	return rc;
}

/* Whether R's owner is APEX (LEN octets) or below; both are canonical. */
static bool
zf_in_zone(const struct zone_rec *r, const uint8_t *apex, size_t len)
{
	size_t n = 0;

	while (r->ownerlen - n > len) {
		n += 1 + (size_t)r->owner[n];
	}
	return r->ownerlen - n == len && memcmp(r->owner + n, apex, len) == 0;
}

/*
 * Every owner must be inside the SOA owner.  Until a $ORIGIN says
 * otherwise, the origin is the one ARG names, else the one the file name
 * implies (NSD's and Knot's naming), else none.
 */
int
zf_read_zone(struct zf_ctx *c, const char *arg)
{
	ldns_rdf *origin = NULL;
	const char *file = arg;
	uint32_t ttl = 3600;
	char oname[1024];
	int rc;

	c->file = arg;
	rc = zf_source_split(arg, &file, &origin, oname, sizeof(oname));
	if (rc != 0) {
		return zf_error(c, arg, 0, "%s", oname);
	}
	c->file = file;
	if (origin == NULL) {
		origin = zf_origin_from_name(file);
	}
	c->scratch = calloc(1, sizeof(*c->scratch));
	c->entry = malloc(ZF_ENTRY_MAX);
	if (c->scratch == NULL || c->entry == NULL) {
		rc = zf_error(c, file, 0, "out of memory");
		goto out;
	}
	rc = zf_read(c, file, &origin, &ttl, 0);
	if (rc != 0) {
		goto out;
	}
	if (c->soa_owner == NULL) {
		rc = zf_error(c, file, 0, "no SOA record (every zone needs one)");
		goto out;
	}
	wire_name_to_str(c->soa_owner, oname, sizeof(oname));
	for (size_t i = 0; i < c->nrecs; i++) {
		if (!zf_in_zone(&c->recs[i], c->soa_owner, c->soa_ownerlen)) {
			char rname[1024];

			wire_name_to_str(c->recs[i].owner, rname, sizeof(rname));
			rc = zf_error(c, file, c->recs[i].line,
			              "%s is outside the zone %s", rname, oname);
			goto out;
		}
	}
out:
	ldns_rdf_deep_free(origin);
	free(c->entry);
	c->entry = NULL;
	return rc;
}

static void
zf_scratch_free(struct zf_ctx *c)
{
	if (c->scratch != NULL) {
		zone_arena_clear(c->scratch);
		free(c->scratch);
		c->scratch = NULL;
	}
}

void
zf_ctx_clear(struct zf_ctx *c)
{
	free(c->recs);
	free(c->entry);
	free(c->wire);
	ldns_rdf_deep_free(c->unset);
	zf_scratch_free(c);
	memset(c, 0, sizeof(*c));
}

/* What a zone's records take, once zone_build() has copied them. */
static void
zf_release_recs(void *arg)
{
	struct zf_ctx *c = arg;

	free(c->recs);
	zf_scratch_free(c);
	c->recs = NULL;
	c->nrecs = c->caprecs = 0;
	c->soa_owner = NULL;
}

int
zf_build_zone(struct zone_set *zs, struct zf_ctx *c)
{
	struct zone *z;
	struct zone_arena *a;
	bool sign = zf_sign_wanted(c);
	size_t n = 0;
	int rc;

	if (sign) {
		rc = zf_sign_zone(c);
		if (rc != 0) {
			return rc;
		}
	}
	z = zone_new();
	if (z == NULL) {
		return zf_error(c, c->file, 0, "out of memory");
	}
	a = &z->store->arena;
	z->origin = zone_arena_alloc(a, c->soa_ownerlen);
	z->file = zone_arena_alloc(a, strlen(c->file) + 1);
	if (z->origin == NULL || z->file == NULL) {
		zone_unref(z);
		return zf_error(c, c->file, 0, "out of memory");
	}
	memcpy(z->origin, c->soa_owner, c->soa_ownerlen);
	z->originlen = (uint8_t)c->soa_ownerlen;
	z->labels = (uint8_t)wire_name_labels(z->origin);
	memcpy(z->file, c->file, strlen(c->file) + 1);
	z->signed_here = sign;
	/* Records an edit removed have type 0. */
	for (size_t i = 0; i < c->nrecs; i++) {
		if (c->recs[i].type != 0) {
			c->recs[n++] = c->recs[i];
		}
	}
	rc = zone_build(z, c->recs, n, zf_release_recs, c, c->err, c->errlen);
	if (rc == 0) {
		rc = zone_set_add(zs, z, c->err, c->errlen);
	}
	if (rc != 0) {
		zone_unref(z);
	}
	return rc;
}

struct zone_set *
zone_set_load_edits(const char *const *files, size_t n,
                    const struct zone_edits *ed, char *err, size_t errlen)
{
	struct zone_set *zs = zone_set_new();
	struct zf_ctx *ctx = calloc(n + 1, sizeof(*ctx));
	size_t nctx = 0, nrecs = 0;
	int rc = 0;

	if (zs == NULL || ctx == NULL) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	for (; nctx < n && rc == 0; nctx++) {
		ctx[nctx].err = err;
		ctx[nctx].errlen = errlen;
		rc = zf_read_zone(&ctx[nctx], files[nctx]);
		nrecs += ctx[nctx].nrecs;
	}
	ctx[n].err = err;
	ctx[n].errlen = errlen;
	if (rc == 0 && ed != NULL) {
		rc = zf_apply_edits(ctx, &nctx, ed);
	}
	/* Every key first: a parent signed before its child gets its DS. */
	for (size_t i = 0; rc == 0 && i < nctx; i++) {
		if (!zf_ctx_is_spent(&ctx[i]) && zf_sign_wanted(&ctx[i]) &&
		    dnssec_key_get(ctx[i].soa_owner, err, errlen) == NULL) {
			rc = -EINVAL;
		}
	}
	for (size_t i = 0; rc == 0 && i < nctx; i++) {
		if (!zf_ctx_is_spent(&ctx[i])) {
			rc = zf_build_zone(zs, &ctx[i]);
		}
	}
out:
	for (size_t i = 0; ctx != NULL && i <= n; i++) {
		zf_ctx_clear(&ctx[i]);
	}
	free(ctx);
	if (rc != 0) {
		zone_set_free(zs);
		zs = NULL;
	}
#ifdef __GLIBC__
	/* The records of a big load leave holes in the heap, still resident
	 * until given back. */
	if (nrecs >= ZF_TRIM_RECORDS) {
		(void)malloc_trim(0);
	}
#endif
	return zs;
}

struct zone_set *
zone_set_load(const char *const *files, size_t n, char *err, size_t errlen)
{
	return zone_set_load_edits(files, n, NULL, err, errlen);
}
