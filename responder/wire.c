/*
 * responder/wire.c -- DNS wire format: names, fixed fields, a compressing writer.
 */
#include "wire.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <ldns/ldns.h>

/*
 * An uncompressed name, as a question carries it (RFC 1035 4.1.2):
 *
 *   +-----+---------+-----+---------+-----+
 *   | len | label.. | len | label.. |  0  |
 *   +-----+---------+-----+---------+-----+
 */
/*
 * Copy N octets from SRC to DST with ASCII letters lowered, eight at a time
 * (the usual SWAR test: a high bit for each octet in 'A'..'Z', moved down
 * to 0x20).  Label lengths (0-63) are never letters, so a whole name can
 * go through at once.
 */
static void
wire_lower_copy(uint8_t *dst, const uint8_t *src, size_t n)
{
	const uint64_t ones = 0x0101010101010101u;
	const uint64_t highs = 0x8080808080808080u;

	for (; n >= 8; src += 8, dst += 8, n -= 8) {
		uint64_t w, low, ge_a, gt_z;

		memcpy(&w, src, 8);
		low = w & ~highs;
		ge_a = low + ones * (0x80 - 'A');
		gt_z = low + ones * (0x7f - 'Z');
		w |= ((ge_a ^ gt_z) & ~w & highs) >> 2;
		memcpy(dst, &w, 8);
	}
	for (size_t i = 0; i < n; i++) {
		dst[i] = wire_lower(src[i]);
	}
}

int
wire_name_parse(const uint8_t *msg, size_t len, size_t off, uint8_t *name)
{
	size_t start = off;

	for (;;) {
		uint8_t l;

		if (off >= len) {
			return -1;
		}
		l = msg[off];
		if (l > WIRE_LABEL_MAX) {
			return -1; /* pointer or reserved label type */
		}
		if (off - start + 1 + l > WIRE_NAME_MAX || off + 1 + l > len) {
			return -1;
		}
		off += 1 + (size_t)l;
		if (l == 0) {
			break;
		}
	}
	if (name != NULL) {
		wire_lower_copy(name, msg + start, off - start);
	}
	return (int)(off - start);
}

int
wire_name_unpack(const uint8_t *msg, size_t len, size_t *off, uint8_t *name)
{
	size_t pos = *off, out = 0, end = 0;
	bool jumped = false;

	for (;;) {
		uint8_t l;

		if (pos >= len) {
			return -1;
		}
		l = msg[pos];
		if ((l & 0xc0) == 0xc0) {
			size_t target;

			if (pos + 1 >= len) {
				return -1;
			}
			target = ((size_t)(l & 0x3f) << 8) | msg[pos + 1];
			/* Only backwards: every jump lowers pos, so no loop. */
			if (target >= pos) {
				return -1;
			}
			if (!jumped) {
				end = pos + 2;
				jumped = true;
			}
			pos = target;
			continue;
		}
		if (l > WIRE_LABEL_MAX) {
			return -1;
		}
		if (out + 1 + l > WIRE_NAME_MAX || pos + 1 + l > len) {
			return -1;
		}
		memcpy(name + out, msg + pos, 1 + (size_t)l);
		out += 1 + (size_t)l;
		pos += 1 + (size_t)l;
		if (l == 0) {
			break;
		}
	}
	*off = jumped ? end : pos;
	return (int)out;
}

size_t
wire_name_len(const uint8_t *name)
{
	size_t n = 0;

	while (name[n] != 0) {
		n += 1 + (size_t)name[n];
	}
	return n + 1;
}

unsigned
wire_name_labels(const uint8_t *name)
{
	unsigned c = 0;

	for (size_t n = 0; name[n] != 0; n += 1 + (size_t)name[n]) {
		c++;
	}
	return c;
}

bool
wire_name_equal(const uint8_t *a, const uint8_t *b)
{
	size_t n = 0;

	for (;;) {
		uint8_t l = a[n];

		if (l != b[n]) {
			return false;
		}
		if (l == 0) {
			return true;
		}
		for (size_t i = 1; i <= l; i++) {
			if (wire_lower(a[n + i]) != wire_lower(b[n + i])) {
				return false;
			}
		}
		n += 1 + (size_t)l;
	}
}

bool
wire_name_is_subdomain(const uint8_t *sub, const uint8_t *parent)
{
	size_t sl = wire_name_len(sub), pl = wire_name_len(parent);
	size_t n = 0;

	if (pl > sl) {
		return false;
	}
	/* Walk label boundaries of SUB until the rest is as long as PARENT. */
	while (sl - n > pl) {
		n += 1 + (size_t)sub[n];
	}
	return sl - n == pl && wire_name_equal(sub + n, parent);
}

void
wire_name_lower(uint8_t *name)
{
	for (size_t n = 0; name[n] != 0; n += 1 + (size_t)name[n]) {
		for (size_t i = 1; i <= name[n]; i++) {
			name[n + i] = wire_lower(name[n + i]);
		}
	}
}

uint32_t
wire_name_hash(const uint8_t *name, size_t len)
{
	/*
	 * Eight octets a step, each step a multiply and a shift (the mixer of
	 * splitmix64): a name of 20-30 octets costs a few steps, not one
	 * multiply per octet.  Hashes live in memory only; byte order does not
	 * matter.
	 */
	const uint64_t k = 0xbf58476d1ce4e5b9u;
	uint64_t h = 0x9e3779b97f4a7c15u ^ len;
	uint64_t w;

	for (; len >= 8; name += 8, len -= 8) {
		memcpy(&w, name, 8);
		h = (h ^ w) * k;
		h ^= h >> 31;
	}
	if (len > 0) {
		w = 0;
		for (size_t i = 0; i < len; i++) {
			w |= (uint64_t)name[i] << (8 * i);
		}
		h = (h ^ w) * k;
		h ^= h >> 31;
	}
	h *= 0x94d049bb133111ebu;
	h ^= h >> 29;
	return (uint32_t)(h ^ (h >> 32));
}

size_t
wire_name_to_str(const uint8_t *name, char *buf, size_t cap)
{
	size_t need = 0;

#define PUT(c)                                                                 \
	do {                                                                   \
		if (need + 1 < cap) {                                          \
			buf[need] = (char)(c);                                 \
		}                                                              \
		need++;                                                        \
	} while (0)

	if (name[0] == 0) {
		PUT('.');
	}
	for (size_t n = 0; name[n] != 0; n += 1 + (size_t)name[n]) {
		for (size_t i = 1; i <= name[n]; i++) {
			uint8_t c = name[n + i];

			if (c == '.' || c == '\\' || c == '"' || c == '(' ||
			    c == ')' || c == ';' || c == '$' || c == '@') {
				PUT('\\');
				PUT(c);
			} else if (c < 0x21 || c > 0x7e) {
				PUT('\\');
				PUT('0' + c / 100);
				PUT('0' + (c / 10) % 10);
				PUT('0' + c % 10);
			} else {
				PUT(c);
			}
		}
		PUT('.');
	}
#undef PUT
	if (cap > 0) {
		buf[need < cap ? need : cap - 1] = '\0';
	}
	return need;
}

const char *
wire_type_str(uint16_t type, char *buf, size_t cap)
{
	const ldns_rr_descriptor *d = ldns_rr_descript(type);

	if (d != NULL && d->_name != NULL && d->_type == type &&
	    strncmp(d->_name, "TYPE", 4) != 0) {
		snprintf(buf, cap, "%s", d->_name);
	} else if (type == WIRE_TYPE_ANY) {
		snprintf(buf, cap, "ANY");
	} else if (type == WIRE_TYPE_AXFR) {
		snprintf(buf, cap, "AXFR");
	} else if (type == WIRE_TYPE_IXFR) {
		snprintf(buf, cap, "IXFR");
	} else {
		snprintf(buf, cap, "TYPE%u", (unsigned)type);
	}
	return buf;
}

int
wire_type_parse(const char *s)
{
	unsigned t;

	if (strncasecmp(s, "TYPE", 4) == 0 && s[4] != '\0') {
		t = 0;
		for (s += 4; *s != '\0'; s++) {
			if (*s < '0' || *s > '9') {
				return -1;
			}
			t = t * 10 + (unsigned)(*s - '0');
			if (t > UINT16_MAX) {
				return -1;
			}
		}
		return (int)t;
	}
	t = (unsigned)ldns_get_rr_type_by_name(s);
	return t != 0 && t <= UINT16_MAX ? (int)t : -1;
}

/* The layout of the RDATA wire_rdata_check() knows: fixed, names, fixed. */
struct wire_rdata_form {
	uint16_t type;
	uint8_t head;         /* octets of fixed fields before the names */
	uint8_t names;        /* uncompressed names */
	uint8_t tail;         /* octets of fixed fields after them */
	const char *name;     /* the type's mnemonic */
	const char *headwhat; /* what HEAD holds */
	const char *tailwhat; /* what TAIL holds */
};

static const struct wire_rdata_form wire_rdata_forms[] = {
	{WIRE_TYPE_A, 4, 0, 0, "A", "an IPv4 address", NULL},
	{WIRE_TYPE_NS, 0, 1, 0, "NS", NULL, NULL},
	{3, 0, 1, 0, "MD", NULL, NULL},
	{4, 0, 1, 0, "MF", NULL, NULL},
	{WIRE_TYPE_CNAME, 0, 1, 0, "CNAME", NULL, NULL},
	{WIRE_TYPE_SOA, 0, 2, 20, "SOA", NULL,
	 "serial, refresh, retry, expire and minimum"},
	{7, 0, 1, 0, "MB", NULL, NULL},
	{8, 0, 1, 0, "MG", NULL, NULL},
	{9, 0, 1, 0, "MR", NULL, NULL},
	{WIRE_TYPE_PTR, 0, 1, 0, "PTR", NULL, NULL},
	{14, 0, 2, 0, "MINFO", NULL, NULL},
	{WIRE_TYPE_MX, 2, 1, 0, "MX", "the preference", NULL},
	{WIRE_TYPE_AAAA, 16, 0, 0, "AAAA", "an IPv6 address", NULL},
	{WIRE_TYPE_SRV, 6, 1, 0, "SRV", "priority, weight and port", NULL},
	{WIRE_TYPE_DNAME, 0, 1, 0, "DNAME", NULL, NULL},
};

static const char *
wire_plural(size_t n)
{
	return n == 1 ? "" : "s";
}

bool
wire_rdata_check(uint16_t type, const uint8_t *rdata, size_t rdlen, char *why,
                 size_t cap)
{
	const struct wire_rdata_form *f = NULL;
	size_t off, left;

	/* A, then the rest: most records of a big zone are A records. */
	for (size_t i = 0;
	     i < sizeof(wire_rdata_forms) / sizeof(wire_rdata_forms[0]); i++) {
		if (wire_rdata_forms[i].type == type) {
			f = &wire_rdata_forms[i];
			break;
		}
	}
	if (f == NULL || (f->names == 0 && rdlen == f->head)) {
		return true;
	}
	if (f->names == 0) {
		snprintf(why, cap, "%s RDATA of %zu octet%s (%s is %u)", f->name,
		         rdlen, wire_plural(rdlen), f->headwhat,
		         (unsigned)f->head);
		return false;
	}
	if (rdlen < f->head) {
		snprintf(why, cap,
		         "%s RDATA of %zu octet%s, short of %s (%u octets) "
		         "and a name",
		         f->name, rdlen, wire_plural(rdlen), f->headwhat,
		         (unsigned)f->head);
		return false;
	}
	off = f->head;
	for (unsigned i = 0; i < f->names; i++) {
		int l = wire_name_parse(rdata, rdlen, off, NULL);

		if (l < 0) {
			snprintf(why, cap,
			         "%s RDATA: no name at octet %zu (a name is "
			         "labels of at most 63 octets, 255 in all, "
			         "uncompressed, ending in the root label inside "
			         "the RDATA)",
			         f->name, off);
			return false;
		}
		off += (size_t)l;
	}
	left = rdlen - off;
	if (left == f->tail) {
		return true;
	}
	if (f->tail == 0) {
		snprintf(why, cap,
		         "%s RDATA: %zu octet%s after the last name (nothing "
		         "may follow it)",
		         f->name, left, wire_plural(left));
	} else {
		snprintf(why, cap,
		         "%s RDATA: %zu octet%s after the names (%s take %u)",
		         f->name, left, wire_plural(left), f->tailwhat,
		         (unsigned)f->tail);
	}
	return false;
}

const char *
wire_rcode_str(unsigned rcode, char *buf, size_t cap)
{
	static const char *const names[] = {
		"NOERROR", "FORMERR",  "SERVFAIL", "NXDOMAIN", "NOTIMP",
		"REFUSED", "YXDOMAIN", "YXRRSET",  "NXRRSET",  "NOTAUTH",
		"NOTZONE",
	};

	if (rcode < sizeof(names) / sizeof(names[0])) {
		snprintf(buf, cap, "%s", names[rcode]);
	} else if (rcode == WIRE_RCODE_BADVERS) {
		snprintf(buf, cap, "BADVERS");
	} else {
		snprintf(buf, cap, "RCODE%u", rcode);
	}
	return buf;
}

/* The writer. */

void
wire_writer_init(struct wire_writer *w, uint8_t *buf, size_t cap, size_t start)
{
	w->buf = buf;
	w->cap = cap;
	w->len = start;
	w->overflow = start > cap;
	w->strip = 0;
	w->nnames = 0;
	w->nptrs = 0;
	w->nptrs_lost = 0;
}

void
wire_writer_add_name(struct wire_writer *w, size_t off)
{
	/* Leave room so relocated pointers (answer.c) stay addressable. */
	if (w->nnames < WIRE_W_NAMES && off < WIRE_PTR_MAX - WIRE_NAME_MAX) {
		w->names[w->nnames++] = (uint16_t)off;
	}
}

void
wire_writer_bytes(struct wire_writer *w, const void *p, size_t n)
{
	if (w->overflow || w->cap - w->len < n) {
		w->overflow = true;
		return;
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

void
wire_writer_u16(struct wire_writer *w, uint16_t v)
{
	uint8_t b[2];

	wire_put16(b, v);
	wire_writer_bytes(w, b, 2);
}

void
wire_writer_u32(struct wire_writer *w, uint32_t v)
{
	uint8_t b[4];

	wire_put32(b, v);
	wire_writer_bytes(w, b, 4);
}

void
wire_writer_ptr(struct wire_writer *w, uint16_t off)
{
	size_t at = w->len;

	wire_writer_u16(w, (uint16_t)(0xc000 | off));
	if (w->overflow) {
		return;
	}
	if (w->nptrs < WIRE_W_PTRS) {
		w->ptrs[w->nptrs++] = (uint16_t)at;
	} else {
		w->nptrs_lost++;
	}
}

/*
 * Does the name stored at BUF[OFF] (possibly ending in a pointer) equal
 * NAME (uncompressed)?  Case-insensitive.  The buffer holds only names
 * this writer or a parsed question put there, so it is well-formed.
 */
static bool
writer_name_at(const struct wire_writer *w, size_t off, const uint8_t *name)
{
	size_t n = 0;
	unsigned hops = 0;

	for (;;) {
		uint8_t l = w->buf[off];

		if ((l & 0xc0) == 0xc0) {
			off = ((size_t)(l & 0x3f) << 8) | w->buf[off + 1];
			if (++hops > WIRE_LABELS_MAX) {
				return false;
			}
			continue;
		}
		if (l != name[n]) {
			return false;
		}
		if (l == 0) {
			return true;
		}
		for (size_t i = 1; i <= l; i++) {
			if (wire_lower(w->buf[off + i]) !=
			    wire_lower(name[n + i])) {
				return false;
			}
		}
		off += 1 + (size_t)l;
		n += 1 + (size_t)l;
	}
}

/* Find a stored name (or a suffix of one) equal to NAME; -1 if none. */
static int
writer_find(const struct wire_writer *w, const uint8_t *name)
{
	for (unsigned i = 0; i < w->nnames; i++) {
		size_t off = w->names[i];

		/* Try OFF and each label boundary after it. */
		while (w->buf[off] != 0 && (w->buf[off] & 0xc0) != 0xc0) {
			if (writer_name_at(w, off, name)) {
				return (int)off;
			}
			off += 1 + (size_t)w->buf[off];
		}
	}
	return -1;
}

void
wire_writer_name(struct wire_writer *w, const uint8_t *name, bool compress)
{
	size_t start = w->len;
	size_t n = 0;

	while (name[n] != 0) {
		if (compress) {
			int at = writer_find(w, name + n);

			if (at >= 0) {
				wire_writer_ptr(w, (uint16_t)at);
				goto remember;
			}
		}
		wire_writer_bytes(w, name + n, 1 + (size_t)name[n]);
		n += 1 + (size_t)name[n];
	}
	wire_writer_bytes(w, "", 1);
remember:
	if (!w->overflow && n > 0) {
		wire_writer_add_name(w, start);
	}
}

void
wire_writer_rdata(struct wire_writer *w, uint16_t type, const uint8_t *rdata,
                  uint16_t rdlen)
{
	size_t lenpos = w->len, start, skip = 0, names = 0, n;

	switch (type) {
	case WIRE_TYPE_NS:
	case WIRE_TYPE_CNAME:
	case WIRE_TYPE_PTR:
	case 3:  /* MD */
	case 4:  /* MF */
	case 7:  /* MB */
	case 8:  /* MG */
	case 9:  /* MR */
		names = 1;
		break;
	case WIRE_TYPE_MX:
		skip = 2;
		names = 1;
		break;
	case WIRE_TYPE_SOA:
	case 14: /* MINFO */
		names = 2;
		break;
	default:
		break;
	}
	wire_writer_u16(w, rdlen);
	start = w->len;
	if (skip > rdlen) {
		names = 0;
	}
	wire_writer_bytes(w, rdata, names > 0 ? skip : rdlen);
	n = skip;
	for (size_t i = 0; i < names; i++) {
		int l = wire_name_parse(rdata, rdlen, n, NULL);

		if (l < 0) {
			/* Not a name after all: copy the rest as it is. */
			break;
		}
		wire_writer_name(w, rdata + n, true);
		n += (size_t)l;
	}
	if (names > 0) {
		wire_writer_bytes(w, rdata + n, rdlen - n);
	}
	if (!w->overflow) {
		wire_put16(w->buf + lenpos, (uint16_t)(w->len - start));
	}
}
