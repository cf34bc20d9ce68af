/*
 * responder/zonefile_record.c -- one record entry of a master file into
 * the records of a zone (zonefile.c reads the files and their directives).
 *
 * Every CAA presentation form is read here (quoted or bare values, any
 * tag, values over 255 octets), RFC 3597 generic RDATA ("TYPE257 \# 3
 * 000161") is taken as it stands, even when it is not valid for its type,
 * and the rest goes through ldns; zf_rec_add() keeps the record and
 * tracks the SOA.  Errors read "file:line: reason".
 */
#include "zone.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "zone_int.h"
#include "zonefile_int.h"

#define ZF_PRIVATE_TYPE 65534 /* no ldns descriptor: RDATA kept raw */

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

const char *
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
