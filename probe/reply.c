/*
 * probe/reply.c -- DNS replies to CAA queries: bytes in, facts out.
 */
#include "reply.h"

#include <stdlib.h>
#include <string.h>

#include "caa.h"

#define REPLY_LABEL_MAX 63
#define REPLY_HOPS_MAX  64 /* compression pointers followed in one name */
#define REPLY_RR_MIN    11 /* a record: root owner and 10 fixed octets */

static uint16_t
reply_get16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static uint8_t
reply_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + ('a' - 'A')) : c;
}

size_t
reply_query_build(uint8_t out[REPLY_QUERY_MAX], uint16_t id,
                  const uint8_t *qname, size_t qname_len, uint16_t qtype,
                  uint16_t udp_size)
{
	/*
	 *  ID | RD | QDCOUNT 1 | ANCOUNT 0 | NSCOUNT 0 | ARCOUNT 1
	 *  QNAME | QTYPE | QCLASS IN
	 *  root | TYPE OPT | CLASS payload size | TTL 0 | RDLEN 0
	 */
	uint8_t *w = out;

	if (qname_len == 0 || qname_len > REPLY_NAME_MAX) {
		return 0;
	}
	memset(w, 0, REPLY_HEADER_LEN);
	w[0] = (uint8_t)(id >> 8);
	w[1] = (uint8_t)id;
	w[2] = 0x01; /* RD */
	w[5] = 1;    /* QDCOUNT */
	w[11] = 1;   /* ARCOUNT: the OPT record */
	w += REPLY_HEADER_LEN;
	memcpy(w, qname, qname_len);
	w += qname_len;
	*w++ = (uint8_t)(qtype >> 8);
	*w++ = (uint8_t)qtype;
	*w++ = 0;
	*w++ = REPLY_CLASS_IN;
	*w++ = 0; /* the root */
	*w++ = 0;
	*w++ = REPLY_TYPE_OPT;
	*w++ = (uint8_t)(udp_size >> 8);
	*w++ = (uint8_t)udp_size;
	memset(w, 0, 6); /* extended RCODE, version, flags; RDLEN */
	w += 6;
	return (size_t)(w - out);
}

size_t
reply_name_from_text(const char *name, uint8_t out[REPLY_NAME_MAX])
{
	size_t n = 0;  /* octets written */
	size_t lp = 0; /* where the current label's length goes */
	size_t len = strlen(name);

	if (len > 0 && name[len - 1] == '.') {
		len--;
	}
	if (len == 0) {
		out[0] = 0;
		return 1;
	}
	out[n++] = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || name[i] == '.') {
			size_t l = n - lp - 1;

			if (l == 0 || l > REPLY_LABEL_MAX) {
				return 0;
			}
			out[lp] = (uint8_t)l;
			lp = n;
			if (n >= REPLY_NAME_MAX) {
				return 0;
			}
			out[n++] = 0;
			continue;
		}
		if (n >= REPLY_NAME_MAX) {
			return 0;
		}
		out[n++] = (uint8_t)name[i];
	}
	return n;
}

void
reply_name_to_text(const uint8_t *name, size_t len, char *out, size_t size)
{
	size_t n = 0;
	size_t i = 0;

	if (size == 0) {
		return;
	}
	/* A label octet takes at most 4 characters (\DDD), plus a dot. */
	while (i < len && name[i] != 0 && n + 6 < size) {
		size_t l = name[i++];

		if (n > 0) {
			out[n++] = '.';
		}
		for (size_t j = 0; j < l && i < len && n + 5 < size; j++, i++) {
			uint8_t c = reply_lower(name[i]);

			if (c == '.' || c == '\\') {
				out[n++] = '\\';
				out[n++] = (char)c;
			} else if (c > 0x20 && c < 0x7f) {
				out[n++] = (char)c;
			} else {
				out[n++] = '\\';
				out[n++] = (char)('0' + c / 100);
				out[n++] = (char)('0' + c / 10 % 10);
				out[n++] = (char)('0' + c % 10);
			}
		}
	}
	if (n == 0 && size > 1) {
		out[n++] = '.';
	}
	out[n] = '\0';
}

bool
reply_name_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	if (alen != blen) {
		return false;
	}
	/* Label lengths are at most 63, below 'A', so lowering every octet
	 * leaves them alone. */
	for (size_t i = 0; i < alen; i++) {
		if (reply_lower(a[i]) != reply_lower(b[i])) {
			return false;
		}
	}
	return true;
}

bool
reply_name_decode(const uint8_t *msg, size_t len, size_t *off,
                  uint8_t out[REPLY_NAME_MAX], size_t *outlen)
{
	size_t pos = *off;
	size_t n = 0;
	size_t end = 0; /* where the name ends in the message; 0: not yet */
	int hops = 0;

	for (;;) {
		uint8_t l;

		if (pos >= len) {
			return false;
		}
		l = msg[pos];
		if ((l & 0xc0) == 0xc0) {
			/*
			 *  +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
			 *  | 1  1|                OFFSET                   |
			 *  +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
			 * RFC 1035 4.1.4: a pointer to a prior occurrence.
			 */
			size_t target;

			if (pos + 1 >= len || ++hops > REPLY_HOPS_MAX) {
				return false;
			}
			target = (size_t)(l & 0x3f) << 8 | msg[pos + 1];
			if (target >= pos) {
				return false;
			}
			if (end == 0) {
				end = pos + 2;
			}
			pos = target;
			continue;
		}
		if ((l & 0xc0) != 0) {
			return false; /* 01 and 10: extended or unknown labels
			               */
		}
		if (n + 1 + l > REPLY_NAME_MAX || pos + 1 + l > len) {
			return false;
		}
		memcpy(out + n, msg + pos, (size_t)l + 1);
		n += (size_t)l + 1;
		pos += (size_t)l + 1;
		if (l == 0) {
			break;
		}
	}
	*off = end != 0 ? end : pos;
	*outlen = n;
	return true;
}

/* Skips the name at *OFF, checking it. */
static bool
reply_name_skip(const uint8_t *msg, size_t len, size_t *off)
{
	uint8_t name[REPLY_NAME_MAX];
	size_t nlen;

	return reply_name_decode(msg, len, off, name, &nlen);
}

/*
 * The OPT record (RFC 6891 6.1.2): CLASS is the UDP size, TTL holds the
 * upper 8 bits of the RCODE, the version and the flags; RDATA is a list
 * of options:
 *
 *   +0  OPTION-CODE    2 octets
 *   +2  OPTION-LENGTH  2 octets
 *   +4  OPTION-DATA    OPTION-LENGTH octets
 *
 * An EDE (RFC 8914) option holds INFO-CODE (2 octets) and EXTRA-TEXT.
 */
static bool
reply_opt(const uint8_t *rdata, size_t rdlen, uint32_t ttl, struct reply *out)
{
	size_t off = 0;

	out->rcode |= (int)((ttl >> 24) & 0xff) << 4;
	while (off < rdlen) {
		uint16_t code;
		uint16_t olen;

		if (off + 4 > rdlen) {
			return false;
		}
		code = reply_get16(rdata + off);
		olen = reply_get16(rdata + off + 2);
		off += 4;
		if (off + olen > rdlen) {
			return false;
		}
		if (code == REPLY_OPT_EDE && out->ede < 0) {
			size_t tlen;

			if (olen < 2) {
				return false;
			}
			out->ede = reply_get16(rdata + off);
			tlen = (size_t)olen - 2;
			if (tlen >= sizeof(out->ede_text)) {
				tlen = sizeof(out->ede_text) - 1;
			}
			memcpy(out->ede_text, rdata + off + 2, tlen);
			out->ede_text[tlen] = '\0';
		}
		off += olen;
	}
	return true;
}

/* An alias's RDATA must be exactly one name. */
static bool
reply_alias_ok(const uint8_t *msg, size_t len, size_t rdata, size_t rdlen)
{
	size_t off = rdata;

	return reply_name_skip(msg, len, &off) && off == rdata + rdlen;
}

/* Parses the records after the question, from OFF. */
static enum reply_status
reply_records(const uint8_t *msg, size_t len, size_t off, struct reply *out)
{
	size_t an = reply_get16(msg + 6);
	size_t ns = reply_get16(msg + 8);
	size_t total = an + ns + reply_get16(msg + 10);
	bool opt_seen = false;
	bool auth_ns = false;
	bool auth_soa = false;

	if (total > (len - off) / REPLY_RR_MIN) {
		return REPLY_MALFORMED; /* more records than could fit */
	}
	if (an > 0) {
		out->rr = calloc(an, sizeof(*out->rr));
		if (out->rr == NULL) {
			return REPLY_NOMEM;
		}
	}
	for (size_t i = 0; i < total; i++) {
		size_t owner = off;
		uint16_t type;
		uint16_t rclass;
		uint32_t ttl;
		uint16_t rdlen;

		/*
		 *  owner  TYPE(2) CLASS(2) TTL(4) RDLENGTH(2) RDATA
		 */
		if (!reply_name_skip(msg, len, &off) || off + 10 > len) {
			return REPLY_MALFORMED;
		}
		type = reply_get16(msg + off);
		rclass = reply_get16(msg + off + 2);
		ttl = (uint32_t)reply_get16(msg + off + 4) << 16 |
		      reply_get16(msg + off + 6);
		rdlen = reply_get16(msg + off + 8);
		off += 10;
		if (off + rdlen > len) {
			return REPLY_MALFORMED;
		}
		if (i >= an && i < an + ns && rclass == REPLY_CLASS_IN) {
			if (type == REPLY_TYPE_NS) {
				auth_ns = true;
			} else if (type == REPLY_TYPE_SOA) {
				auth_soa = true;
			}
		}
		if (type == REPLY_TYPE_OPT && i >= an) {
			/* RFC 6891 6.1.1: one OPT, in the additional section.
			 */
			if (opt_seen || i < total - reply_get16(msg + 10)) {
				return REPLY_MALFORMED;
			}
			opt_seen = true;
			if (!reply_opt(msg + off, rdlen, ttl, out)) {
				return REPLY_MALFORMED;
			}
		} else if (i < an && rclass == REPLY_CLASS_IN &&
		           (type == REPLY_TYPE_CNAME ||
		            type == REPLY_TYPE_DNAME ||
		            type == REPLY_TYPE_CAA)) {
			struct reply_rr *rr = &out->rr[out->nrr++];

			rr->type = type;
			rr->owner = owner;
			rr->rdata = off;
			rr->rdlen = rdlen;
			if (type != REPLY_TYPE_CAA &&
			    !reply_alias_ok(msg, len, off, rdlen)) {
				return REPLY_MALFORMED;
			}
			if (type == REPLY_TYPE_CAA) {
				struct caa_record rec;

				/* Fail closed (docs/probe.md). */
				if (caa_record_parse(msg + off, rdlen, &rec) !=
				    CAA_OK) {
					out->bad_rdata = true;
				}
			}
		}
		off += rdlen;
	}
	/* RFC 1034 4.3.2, RFC 2308 2.1: a negative answer carries the
	 * zone's SOA; a referral the child's NS and no SOA, with AA clear. */
	out->referral = auth_ns && !auth_soa &&
	                (reply_get16(msg + 2) & REPLY_FLAG_AA) == 0;
	return REPLY_OK;
}

/*
 * Does the question at *OFF match QNAME, QTYPE, class IN?  Moves *OFF past
 * it.  An error without a question (FORMERR, NOTIMP, ... from servers that
 * do not echo it) matches too: the ID and the connected socket tie it to
 * the query, as they do for dig and for Boulder's client, so its RCODE
 * counts rather than a timeout.
 */
static enum reply_status
reply_question(const uint8_t *msg, size_t len, size_t *off, uint16_t flags,
               const uint8_t *qname, size_t qname_len, uint16_t qtype)
{
	uint8_t name[REPLY_NAME_MAX];
	size_t nlen;
	unsigned rcode = flags & 0xf;

	if (reply_get16(msg + 4) == 0 && rcode != 0 && rcode != 3) {
		return REPLY_OK;
	}
	if (reply_get16(msg + 4) != 1) {
		return REPLY_IGNORE;
	}
	if (!reply_name_decode(msg, len, off, name, &nlen) || *off + 4 > len) {
		return REPLY_MALFORMED;
	}
	if (!reply_name_equal(name, nlen, qname, qname_len) ||
	    reply_get16(msg + *off) != qtype ||
	    reply_get16(msg + *off + 2) != REPLY_CLASS_IN) {
		return REPLY_IGNORE;
	}
	*off += 4;
	return REPLY_OK;
}

enum reply_status
reply_parse(const uint8_t *msg, size_t len, uint16_t id, const uint8_t *qname,
            size_t qname_len, uint16_t qtype, struct reply *out)
{
	size_t off = REPLY_HEADER_LEN;
	uint16_t flags;
	enum reply_status st;

	memset(out, 0, sizeof(*out));
	out->ede = -1;
	if (msg == NULL || len < REPLY_HEADER_LEN) {
		return REPLY_MALFORMED;
	}
	/*
	 *  +0 ID  +2 QR|Opcode|AA|TC|RD|RA|Z|AD|CD|RCODE  +4 QDCOUNT
	 *  +6 ANCOUNT  +8 NSCOUNT  +10 ARCOUNT
	 */
	flags = reply_get16(msg + 2);
	if (reply_get16(msg) != id || (flags & REPLY_FLAG_QR) == 0) {
		return REPLY_IGNORE;
	}
	st = reply_question(msg, len, &off, flags, qname, qname_len, qtype);
	if (st != REPLY_OK) {
		return st;
	}
	out->msg = msg;
	out->len = len;
	out->rcode = flags & 0xf;
	out->tc = (flags & REPLY_FLAG_TC) != 0;
	if (out->tc) {
		/* RFC 2181 section 9: a truncated reply is not read but asked
		 * again over TCP; it may be cut anywhere after the question
		 * (RFC 1035 4.2.1). */
		return REPLY_OK;
	}
	st = reply_records(msg, len, off, out);
	if (st != REPLY_OK) {
		reply_clear(out);
		out->ede = -1;
	}
	return st;
}

void
reply_clear(struct reply *r)
{
	if (r == NULL) {
		return;
	}
	free(r->rr);
	r->rr = NULL;
	r->nrr = 0;
}

void
reply_chain_init(struct reply_chain *c, const uint8_t *qname, size_t qname_len)
{
	c->n = 1;
	c->len[0] = qname_len;
	memcpy(c->name[0], qname, qname_len);
}

/* The owner of RR, decoded (the message was checked by reply_parse()). */
static bool
reply_owner(const struct reply *r, const struct reply_rr *rr,
            uint8_t out[REPLY_NAME_MAX], size_t *outlen)
{
	size_t off = rr->owner;

	return reply_name_decode(r->msg, r->len, &off, out, outlen);
}

/* Has R a record of TYPE owned by NAME?  Sets *WHICH to the first. */
static bool
reply_find(const struct reply *r, uint16_t type, const uint8_t *name,
           size_t name_len, size_t *which)
{
	for (size_t i = 0; i < r->nrr; i++) {
		uint8_t owner[REPLY_NAME_MAX];
		size_t olen;

		if (r->rr[i].type == type &&
		    reply_owner(r, &r->rr[i], owner, &olen) &&
		    reply_name_equal(owner, olen, name, name_len)) {
			*which = i;
			return true;
		}
	}
	return false;
}

/* Is the wire name ANC a proper ancestor of NAME?  Sets *PREFIX to the
 * octets of NAME before ANC. */
static bool
reply_below(const uint8_t *name, size_t len, const uint8_t *anc, size_t alen,
            size_t *prefix)
{
	size_t off = 0;

	while (off < len && name[off] != 0) {
		off += (size_t)name[off] + 1;
		if (len - off == alen &&
		    reply_name_equal(name + off, len - off, anc, alen)) {
			*prefix = off;
			return true;
		}
	}
	return false;
}

/* RFC 6672 2.2: the name below a DNAME at OWNER, moved to its target. */
static bool
reply_dname(const struct reply *r, const uint8_t *cur, size_t clen,
            uint8_t out[REPLY_NAME_MAX], size_t *outlen, bool *too_long)
{
	*too_long = false;
	for (size_t i = 0; i < r->nrr; i++) {
		uint8_t owner[REPLY_NAME_MAX];
		uint8_t target[REPLY_NAME_MAX];
		size_t olen;
		size_t tlen;
		size_t prefix;
		size_t off = r->rr[i].rdata;

		if (r->rr[i].type != REPLY_TYPE_DNAME ||
		    !reply_owner(r, &r->rr[i], owner, &olen) ||
		    !reply_below(cur, clen, owner, olen, &prefix) ||
		    !reply_name_decode(r->msg, r->len, &off, target, &tlen)) {
			continue;
		}
		if (prefix + tlen > REPLY_NAME_MAX) {
			*too_long = true; /* a server would say YXDOMAIN */
			return false;
		}
		memcpy(out, cur, prefix);
		memcpy(out + prefix, target, tlen);
		*outlen = prefix + tlen;
		return true;
	}
	return false;
}

static bool
reply_on_chain(const struct reply_chain *c, const uint8_t *name, size_t len)
{
	for (size_t i = 0; i < c->n; i++) {
		if (reply_name_equal(c->name[i], c->len[i], name, len)) {
			return true;
		}
	}
	return false;
}

/* Counts the CAA records of R: owned by the chain's last name, and owned
 * by no name of the chain. */
static void
reply_count(const struct reply *r, const struct reply_chain *c,
            struct reply_found *found)
{
	const uint8_t *last = c->name[c->n - 1];
	size_t llen = c->len[c->n - 1];

	for (size_t i = 0; i < r->nrr; i++) {
		uint8_t owner[REPLY_NAME_MAX];
		size_t olen;

		if (r->rr[i].type != REPLY_TYPE_CAA ||
		    !reply_owner(r, &r->rr[i], owner, &olen)) {
			continue;
		}
		if (reply_name_equal(owner, olen, last, llen)) {
			found->ncaa++;
		} else if (!reply_on_chain(c, owner, olen)) {
			found->outside_chain++;
		}
	}
}

enum reply_walk
reply_walk(const struct reply *r, struct reply_chain *chain,
           struct reply_found *found)
{
	size_t start = chain->n;
	size_t which;

	memset(found, 0, sizeof(*found));
	for (;;) {
		const uint8_t *cur = chain->name[chain->n - 1];
		size_t clen = chain->len[chain->n - 1];
		uint8_t next[REPLY_NAME_MAX];
		size_t nlen = 0;
		bool too_long = false;

		if (reply_find(r, REPLY_TYPE_CAA, cur, clen, &which)) {
			found->also_cname = reply_find(r, REPLY_TYPE_CNAME, cur,
			                               clen, &which);
			break;
		}
		if (reply_find(r, REPLY_TYPE_CNAME, cur, clen, &which)) {
			size_t off = r->rr[which].rdata;

			if (!reply_name_decode(r->msg, r->len, &off, next,
			                       &nlen)) {
				return REPLY_WALK_BAD;
			}
		} else if (!reply_dname(r, cur, clen, next, &nlen, &too_long)) {
			if (too_long) {
				return REPLY_WALK_BAD;
			}
			reply_count(r, chain, found);
			return chain->n > start ? REPLY_WALK_FOLLOW
			                        : REPLY_WALK_DONE;
		}
		if (reply_on_chain(chain, next, nlen)) {
			return REPLY_WALK_LOOP;
		}
		if (chain->n > REPLY_CHAIN_MAX) {
			return REPLY_WALK_LONG;
		}
		chain->len[chain->n] = nlen;
		memcpy(chain->name[chain->n], next, nlen);
		chain->n++;
	}
	reply_count(r, chain, found);
	return REPLY_WALK_DONE;
}

bool
reply_caa_next(const struct reply *r, const uint8_t *name, size_t name_len,
               size_t *pos, const uint8_t **rdata, size_t *rdlen)
{
	for (; *pos < r->nrr; (*pos)++) {
		const struct reply_rr *rr = &r->rr[*pos];
		uint8_t owner[REPLY_NAME_MAX];
		size_t olen;

		if (rr->type == REPLY_TYPE_CAA &&
		    reply_owner(r, rr, owner, &olen) &&
		    reply_name_equal(owner, olen, name, name_len)) {
			*rdata = r->msg + rr->rdata;
			*rdlen = rr->rdlen;
			(*pos)++;
			return true;
		}
	}
	return false;
}
