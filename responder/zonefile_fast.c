/*
 * responder/zonefile_fast.c -- the plain record lines of a master file,
 * read without ldns.
 *
 * Big zones are mostly lines like "h1 IN A 198.18.0.2", and ldns spends
 * most of a load splitting, copying and allocating for them.  This reader
 * takes one physical line at a time; when all of it is in the plain
 * subset below it builds the record's wire form itself, the same octets
 * zf_record() gets from ldns.  Anything else is left to ldns: the stream
 * goes back to the start of the line, where ldns would have started its
 * next entry too, so records, line numbers and messages come out as if
 * ldns had read the whole file.
 *
 * The subset: a line that ends in a newline (or CR LF), with no
 * parentheses, no backslash, no '$' at the start, no other control
 * character but tabs (none in quotes), nothing past ASCII; a comment after
 * a ';' outside quotes.  Then
 *   owner   "@", or letters, digits, '-', '_' and '*' in dotted labels
 *           (relative to the origin unless it ends in a dot), or none: the
 *           line starts with a blank and the previous owner is meant
 *   TTL     decimal digits; without one, the $TTL (a $TTL of 0 is left to
 *           ldns, which puts 3600 in its place)
 *   class   IN
 *   type    A AAAA NS CNAME PTR DNAME MX SRV TXT CAA, with their RDATA in
 *           the forms their parsers below take
 * and a file whose origin is known.  ldns_fget_token_l() counts a line
 * for the newline that ends an entry and for each empty line right after
 * it, and zf_read() puts the record on the line before the count; this
 * reader counts the same way.
 */
#include "zonefile_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "zone_int.h"

#define ZFF_LINE_MAX 4096 /* longer lines go to ldns */

bool zf_fast_enabled = true;

struct zf_fast {
	FILE *f;
	char line[ZFF_LINE_MAX + 1];
	off_t pos;       /* where the next line starts */
	bool resync;     /* ldns read since: take its position and owner */
	bool prev_known; /* PREV is the previous owner ldns would take */
	bool prev_dirty; /* ... which ldns's *prev does not hold yet */
	size_t prevlen;  /* 0: no previous owner yet */
	uint8_t prev[WIRE_NAME_MAX];
	uint8_t owner[WIRE_NAME_MAX];
	uint8_t rdata[WIRE_MSG_MAX];
};

/* One plain record line, parsed. */
struct zff_rr {
	const uint8_t *owner;
	size_t ownerlen;
	bool owner_given; /* not the previous owner: it becomes that */
	uint32_t ttl;
	uint16_t type;
	size_t rdlen; /* in the reader's RDATA */
};

struct zf_fast *
zf_fast_new(FILE *f)
{
	struct zf_fast *fr;
	off_t pos;

	if (!zf_fast_enabled || (pos = ftello(f)) < 0) {
		return NULL; /* a pipe cannot go back: ldns reads it all */
	}
	fr = calloc(1, sizeof(*fr));
	if (fr != NULL) {
		fr->f = f;
		fr->pos = pos;
		fr->prev_known = true;
	}
	return fr;
}

void
zf_fast_free(struct zf_fast *fr)
{
	if (fr != NULL) {
		free(fr);
	}
}

static bool
zff_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static bool
zff_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static bool
zff_name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       zff_digit(ch) || ch == '-' || ch == '_' || ch == '*';
}

/* What an octet is to zff_scan(); all past ASCII stop it (0). */
enum {
	ZFF_STOP = 0,  /* control characters, backslash: ldns reads the line */
	ZFF_PLAIN,     /* anywhere */
	ZFF_TAB,       /* a blank, but not in quotes */
	ZFF_QUOTE,     /* '"' */
	ZFF_PAREN,     /* '(' and ')': only in quotes */
	ZFF_SEMICOLON, /* a comment starts, unless in quotes */
};

/* clang-format off */
#define S_ ZFF_STOP
#define P_ ZFF_PLAIN
#define T_ ZFF_TAB
#define Q_ ZFF_QUOTE
#define G_ ZFF_PAREN
#define C_ ZFF_SEMICOLON
static const uint8_t zff_class[256] = { /* 16 a row from 0x00 */
	S_, S_, S_, S_, S_, S_, S_, S_, S_, T_, S_, S_, S_, S_, S_, S_,
	S_, S_, S_, S_, S_, S_, S_, S_, S_, S_, S_, S_, S_, S_, S_, S_,
	P_, P_, Q_, P_, P_, P_, P_, P_, G_, G_, P_, P_, P_, P_, P_, P_,
	P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, C_, P_, P_, P_, P_,
	P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_,
	P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, S_, P_, P_, P_,
	P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_,
	P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, S_,
};
#undef S_
#undef P_
#undef T_
#undef Q_
#undef G_
#undef C_
/* clang-format on */

/*
 * Check the physical line S (N octets, its newline included) and cut it
 * where the entry ldns would read from it ends: before a comment, without
 * trailing blanks.  Returns false when ldns must read it.
 */
static bool
zff_scan(char *s, size_t n)
{
	char *end = s + n - 1, *p = s;
	bool quoted = false;

	if (n < 2 || n > ZFF_LINE_MAX || *end != '\n' || s[0] == '$') {
		return false;
	}
	if (end[-1] == '\r') {
		end--; /* ldns reads it as a blank, and trailing blanks go */
	}
	for (;; p++) {
		uint8_t cl;

		/* The newline (a STOP) ends this loop at the latest. */
		while ((cl = zff_class[(unsigned char)*p]) == ZFF_PLAIN) {
			p++;
		}
		if (p == end || (!quoted && cl == ZFF_SEMICOLON)) {
			break;
		}
		if (cl == ZFF_QUOTE) {
			quoted = !quoted;
		} else if (cl == ZFF_STOP || (cl == ZFF_TAB && quoted) ||
		           (cl == ZFF_PAREN && !quoted)) {
			return false;
		}
	}
	if (quoted) {
		return false;
	}
	while (p > s && zff_blank(p[-1])) {
		p--;
	}
	*p = '\0';
	return p > s;
}

/* The token at *P (LEN octets); *P moves past it and the blanks after. */
static inline const char *
zff_token(const char **p, size_t *len)
{
	const char *t = *p, *s = *p;

	while (*s != '\0' && !zff_blank(*s)) {
		s++;
	}
	*len = (size_t)(s - t);
	while (zff_blank(*s)) {
		s++;
	}
	*p = s;
	return t;
}

/*
 * The name T (LEN octets) into OUT as ldns writes it: "@" is ORIGIN,
 * "." the root, a name without a final dot is relative to ORIGIN.
 * Returns its length, 0 when it is not plain or too long.
 */
static size_t
zff_name(const char *t, size_t len, const uint8_t *origin, size_t originlen,
         uint8_t *out)
{
	size_t o = 0, lab = 0, n = len;
	bool absolute;

	if (len == 1 && (t[0] == '@' || t[0] == '.')) {
		if (t[0] == '.') {
			out[0] = 0;
			return 1;
		}
		memcpy(out, origin, originlen);
		return originlen;
	}
	absolute = len > 0 && t[len - 1] == '.';
	if (absolute) {
		n--;
	}
	if (n == 0 || n > WIRE_NAME_MAX - 2) {
		return 0;
	}
	/* OUT[LAB] is the length octet of the label being written. */
	for (size_t i = 0; i <= n; i++) {
		if (i == n || t[i] == '.') {
			size_t l = o - lab;

			if (l == 0 || l > 63) {
				return 0;
			}
			out[lab] = (uint8_t)l;
			lab = ++o;
			continue;
		}
		if (!zff_name_char(t[i])) {
			return 0;
		}
		out[++o] = (uint8_t)t[i];
	}
	/* O is one past the last label: the root label goes there. */
	if (absolute) {
		out[o] = 0;
		return o + 1;
	}
	if (o + originlen > WIRE_NAME_MAX) {
		return 0;
	}
	memcpy(out + o, origin, originlen);
	return o + originlen;
}

/* Decimal T (LEN octets) up to MAX; no sign, no wrap-around. */
static bool
zff_number(const char *t, size_t len, uint32_t max, uint32_t *v)
{
	uint64_t x = 0;

	if (len == 0 || len > 10) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		if (!zff_digit(t[i])) {
			return false;
		}
		x = x * 10 + (uint64_t)(t[i] - '0');
	}
	if (x > max) {
		return false;
	}
	*v = (uint32_t)x;
	return true;
}

/* A dotted quad, each part 0-255 without leading zeros (as inet_pton()). */
static bool
zff_a(const char *t, size_t len, uint8_t *out)
{
	size_t i = 0;

	for (int k = 0; k < 4; k++) {
		unsigned v = 0, d = 0;

		if (k > 0) {
			if (i >= len || t[i] != '.') {
				return false;
			}
			i++;
		}
		while (i < len && zff_digit(t[i]) && d < 3) {
			v = v * 10 + (unsigned)(t[i++] - '0');
			d++;
		}
		if (d == 0 || v > 255 || (d > 1 && t[i - d] == '0')) {
			return false;
		}
		out[k] = (uint8_t)v;
	}
	return i == len;
}

/* ldns reads AAAA with inet_pton() as well. */
static bool
zff_aaaa(const char *t, size_t len, uint8_t *out)
{
	char s[64];

	if (len == 0 || len >= sizeof(s)) {
		return false;
	}
	memcpy(s, t, len);
	s[len] = '\0';
	return inet_pton(AF_INET6, s, out) == 1;
}

/*
 * TXT: one or more strings, each quoted (then followed by a blank or the
 * end) or a bare word without quotes, at most 255 octets.
 */
static size_t
zff_txt(const char *p, uint8_t *out)
{
	size_t o = 0;

	while (*p != '\0') {
		const char *s;
		size_t n;

		if (*p == '"') {
			s = ++p;
			while (*p != '"') {
				p++;
			}
			n = (size_t)(p++ - s);
			if (*p != '\0' && !zff_blank(*p)) {
				return 0;
			}
		} else {
			s = p;
			while (*p != '\0' && !zff_blank(*p)) {
				if (*p++ == '"') {
					return 0;
				}
			}
			n = (size_t)(p - s);
		}
		if (n > 255) {
			return 0;
		}
		out[o] = (uint8_t)n;
		memcpy(out + o + 1, s, n);
		o += 1 + n;
		while (zff_blank(*p)) {
			p++;
		}
	}
	return o;
}

/* The types read here, by name (any letter case, as ldns). */
static uint16_t
zff_type(const char *t, size_t len)
{
	static const struct {
		char name[6];
		uint16_t type;
	} types[] = {
	        {"A", WIRE_TYPE_A},     {"AAAA", WIRE_TYPE_AAAA},
	        {"NS", WIRE_TYPE_NS},   {"CNAME", WIRE_TYPE_CNAME},
	        {"PTR", WIRE_TYPE_PTR}, {"DNAME", WIRE_TYPE_DNAME},
	        {"MX", WIRE_TYPE_MX},   {"SRV", WIRE_TYPE_SRV},
	        {"TXT", WIRE_TYPE_TXT}, {"CAA", WIRE_TYPE_CAA},
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		const char *n = types[i].name;
		size_t k = 0;

		while (k < len && n[k] != '\0' && (t[k] & ~0x20) == n[k]) {
			k++;
		}
		if (k == len && n[k] == '\0') {
			return types[i].type;
		}
	}
	return 0;
}

/*
 * RDATA P of TYPE into FR's RDATA.  Returns false when it is not plain,
 * or has more or less than TYPE takes.
 */
static bool
zff_rdata(struct zf_fast *fr, uint16_t type, const char *p,
          const uint8_t *origin, size_t originlen, size_t *rdlen)
{
	uint8_t *out = fr->rdata;
	const char *t;
	size_t len, n, nums = 0;
	uint32_t v;

	switch (type) {
	case WIRE_TYPE_TXT:
		*rdlen = zff_txt(p, out);
		return *rdlen > 0;
	case WIRE_TYPE_CAA: {
		const char *why;
		long wl = zf_caa_wire(p, out, &why);

		/* Errors are zf_record()'s to report. */
		*rdlen = wl > 0 ? (size_t)wl : 0;
		return wl > 0;
	}
	case WIRE_TYPE_A:
	case WIRE_TYPE_AAAA:
		t = zff_token(&p, &len);
		*rdlen = type == WIRE_TYPE_A ? 4 : 16;
		return *p == '\0' &&
		       (type == WIRE_TYPE_A ? zff_a(t, len, out)
		                            : zff_aaaa(t, len, out));
	case WIRE_TYPE_MX: /* preference, exchange */
		nums = 1;
		break;
	case WIRE_TYPE_SRV: /* priority, weight, port, target */
		nums = 3;
		break;
	default: /* NS, CNAME, PTR, DNAME: one name */
		break;
	}
	for (size_t i = 0; i < nums; i++) {
		t = zff_token(&p, &len);
		if (!zff_number(t, len, UINT16_MAX, &v)) {
			return false;
		}
		wire_put16(out + 2 * i, (uint16_t)v);
	}
	t = zff_token(&p, &len);
	n = zff_name(t, len, origin, originlen, out + 2 * nums);
	*rdlen = 2 * nums + n;
	return n > 0 && *p == '\0';
}

/*
 * Parse the entry S (checked by zff_scan()) into RR, with DTTL the default
 * TTL.  Returns false when ldns must read it.
 */
static bool
zff_parse(struct zf_fast *fr, const char *s, uint32_t dttl,
          const uint8_t *origin, size_t originlen, struct zff_rr *rr)
{
	const char *p = s, *t;
	size_t len;

	rr->owner_given = !zff_blank(*s);
	if (rr->owner_given) {
		t = zff_token(&p, &len);
		rr->ownerlen = zff_name(t, len, origin, originlen, fr->owner);
		rr->owner = fr->owner;
		if (rr->ownerlen == 0) {
			return false;
		}
	} else if (!fr->prev_known) {
		return false;
	} else if (fr->prevlen > 0) {
		rr->owner = fr->prev;
		rr->ownerlen = fr->prevlen;
	} else {
		rr->owner = origin; /* ldns's choice when there is none */
		rr->ownerlen = originlen;
	}
	while (zff_blank(*p)) {
		p++;
	}
	t = zff_token(&p, &len);
	rr->ttl = dttl;
	if (len > 0 && zff_digit(t[0])) {
		if (!zff_number(t, len, UINT32_MAX, &rr->ttl)) {
			return false;
		}
		t = zff_token(&p, &len);
	} else if (dttl == 0) {
		return false;
	}
	if (len == 2 && (t[0] & ~0x20) == 'I' && (t[1] & ~0x20) == 'N') {
		t = zff_token(&p, &len);
	}
	rr->type = zff_type(t, len);
	return rr->type != 0 &&
	       zff_rdata(fr, rr->type, p, origin, originlen, &rr->rdlen);
}

/* Make ldns's *PREV the previous owner this reader has. */
static int
zff_prev_give(struct zf_fast *fr, struct zf_ctx *c, const char *file,
              ldns_rdf **prev)
{
	ldns_rdf *p = NULL;

	if (!fr->prev_dirty) {
		return 0;
	}
	if (fr->prevlen > 0) {
		p = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, fr->prevlen,
		                          fr->prev);
		if (p == NULL) {
			return zf_error(c, file, 0, "out of memory");
		}
	}
	ldns_rdf_deep_free(*prev);
	*prev = p;
	fr->prev_dirty = false;
	return 0;
}

/* Take the previous owner ldns left in PREV. */
static void
zff_prev_take(struct zf_fast *fr, const ldns_rdf *prev)
{
	fr->prev_dirty = false;
	fr->prevlen = 0;
	fr->prev_known = prev == NULL || ldns_rdf_size(prev) <= WIRE_NAME_MAX;
	if (prev != NULL && fr->prev_known) {
		fr->prevlen = ldns_rdf_size(prev);
		memcpy(fr->prev, ldns_rdf_data(prev), fr->prevlen);
	}
}

/* Leave the line at FR's position to ldns. */
static int
zff_hand_over(struct zf_fast *fr, struct zf_ctx *c, const char *file,
              ldns_rdf **prev)
{
	if (fseeko(fr->f, fr->pos, SEEK_SET) != 0) {
		return zf_error(c, file, 0, "cannot read (%s)",
		                strerror(errno));
	}
	fr->resync = true;
	return zff_prev_give(fr, c, file, prev);
}

int
zf_fast_read(struct zf_fast *fr, struct zf_ctx *c, const char *file, int *line,
             uint32_t ttl, const ldns_rdf *origin, ldns_rdf **prev, bool *eof)
{
	const uint8_t *o;
	size_t olen;

	if (fr->resync) {
		fr->pos = ftello(fr->f);
		if (fr->pos < 0) {
			return zf_error(c, file, 0, "cannot read (%s)",
			                strerror(errno));
		}
		zff_prev_take(fr, *prev);
		fr->resync = false;
	}
	if (origin == NULL) {
		fr->resync = true;
		return 0;
	}
	o = ldns_rdf_data(origin);
	olen = ldns_rdf_size(origin);
	for (;;) {
		/*
		 * A line is read whole only when it fits: a longer one, or one
		 * with a NUL (strlen() stops there), ends without a newline.
		 */
		const char *got = fgets(fr->line, sizeof(fr->line), fr->f);
		size_t n = got != NULL ? strlen(fr->line) : 0;
		struct zff_rr rr;
		int ch, rc;

		if (got == NULL && feof(fr->f)) {
			*eof = true;
			return 0;
		}
		if (got == NULL || !zff_scan(fr->line, n) ||
		    !zff_parse(fr, fr->line, ttl, o, olen, &rr)) {
			return zff_hand_over(fr, c, file, prev);
		}
		/* The newline, then empty lines, as ldns_fskipcs_l() skips. */
		fr->pos += (off_t)n;
		(*line)++;
		while ((ch = getc(fr->f)) == '\n') {
			fr->pos++;
			(*line)++;
		}
		if (ch != EOF) {
			ungetc(ch, fr->f);
		}
		rc = zf_rec_add(c, file, *line > 1 ? *line - 1 : 1, rr.owner,
		                rr.ownerlen, fr->rdata, rr.rdlen, rr.ttl,
		                rr.type);
		if (rc != 0) {
			return rc;
		}
		if (rr.owner_given) {
			memcpy(fr->prev, rr.owner, rr.ownerlen);
			fr->prevlen = rr.ownerlen;
			fr->prev_dirty = true;
		}
		if (ch == EOF) {
			*eof = true;
			return 0;
		}
	}
}
