/*
 * responder/query.c -- one query: wire in, verdict and wire out.  No sockets.
 *
 * The order is NSD's and Knot's: header checks, question, EDNS, the honest
 * answer from the zones, then (fault.c) whatever a rule makes of it, then
 * the OPT record and the header.  Every length is checked before use.
 */
#include "query.h"

#include <string.h>

#include "answer.h"
#include "wire.h"

#define QUERY_OPT_LEN 11 /* an OPT RR without options */

struct query_edns {
	bool present;
	bool dnssec_ok;
	uint8_t version;
	uint16_t payload;
};

/* Skip one RR at *OFF; fill TYPE, CLASS, TTL and the owner's first octet. */
static int
query_skip_rr(const uint8_t *in, size_t len, size_t *off, uint16_t *type,
              uint16_t *rclass, uint32_t *ttl, bool *root_owner)
{
	uint8_t name[WIRE_NAME_MAX];
	int nl = wire_name_unpack(in, len, off, name);
	uint16_t rdlen;

	if (nl < 0 || len - *off < 10) {
		return -1;
	}
	*root_owner = nl == 1;
	*type = wire_get16(in + *off);
	*rclass = wire_get16(in + *off + 2);
	*ttl = wire_get32(in + *off + 4);
	rdlen = wire_get16(in + *off + 8);
	*off += 10;
	if (len - *off < rdlen) {
		return -1;
	}
	*off += rdlen;
	return 0;
}

/*
 * Read the records after the question; only OPT matters (RFC 6891 6.1.1:
 * at most one, owned by the root, in the additional section).  Returns 0
 * or -1 for FORMERR.
 */
static int
query_parse_edns(const uint8_t *in, size_t len, size_t off,
                 struct query_edns *e)
{
	unsigned an = wire_get16(in + 6), ns = wire_get16(in + 8);
	unsigned ar = wire_get16(in + 10);

	for (unsigned i = 0; i < an + ns + ar; i++) {
		uint16_t type, rclass;
		uint32_t ttl;
		bool root;

		if (query_skip_rr(in, len, &off, &type, &rclass, &ttl, &root) != 0) {
			return -1;
		}
		if (type != WIRE_TYPE_OPT) {
			continue;
		}
		if (i < an + ns || e->present || !root) {
			return -1;
		}
		e->present = true;
		e->payload = rclass < 512 ? 512 : rclass;
		e->version = (uint8_t)(ttl >> 16);
		e->dnssec_ok = (ttl & 0x8000) != 0;
	}
	return 0;
}

static void
query_result_init(struct query_result *res)
{
	res->verdict = QUERY_SEND;
	res->drop = QUERY_DROP_NONE;
	res->len = 0;
	res->delay_ms = 0;
	res->has_question = false;
	res->id = 0;
	res->qtype = 0;
	res->qclass = 0;
	res->qname_len = 0;
	res->rcode = -1;
	res->honest_rcode = -1;
	res->aa = false;
	res->tc = false;
	res->answers = 0;
	res->edns = false;
	res->rule = NULL;
}

void
query_handle(const struct query_env *env, const uint8_t *in, size_t inlen,
             enum query_transport tp, int family, uint8_t *out,
             size_t outcap, struct query_result *res)
{
	uint8_t canon[WIRE_NAME_MAX];
	struct query_edns edns = {0};
	struct answer_info ai = {0};
	uint16_t qflags, flags, qdcount;
	size_t qend = WIRE_HEADER_LEN, qlen = 0, limit, end;
	int nl;

	(void)family;
	query_result_init(res);
	if (inlen < WIRE_HEADER_LEN || outcap < 512) {
		res->verdict = QUERY_DROP;
		res->drop = QUERY_DROP_SHORT;
		return;
	}
	res->id = wire_get16(in);
	qflags = wire_get16(in + 2);
	if (qflags & WIRE_QR) {
		/* Never answer a response: that is how reflection loops start. */
		res->verdict = QUERY_DROP;
		res->drop = QUERY_DROP_RESPONSE;
		return;
	}
	qdcount = wire_get16(in + 4);
	/* Header of the reply: ID, opcode, RD and CD as asked. */
	flags = (uint16_t)(WIRE_QR | (qflags & (0x7800 | WIRE_RD | WIRE_CD)));

	nl = qdcount == 1 ? wire_name_parse(in, inlen, WIRE_HEADER_LEN, canon)
	                  : -1;
	if (nl > 0 && inlen - WIRE_HEADER_LEN - (size_t)nl >= 4) {
		qlen = (size_t)nl;
		qend = WIRE_HEADER_LEN + qlen + 4;
		res->has_question = true;
		res->qname_len = (uint8_t)qlen;
		memcpy(res->qname, in + WIRE_HEADER_LEN, qlen);
		res->qtype = wire_get16(in + WIRE_HEADER_LEN + qlen);
		res->qclass = wire_get16(in + WIRE_HEADER_LEN + qlen + 2);
	}
	/* The question as it came: letter case kept (RFC 6.4 of 8659, 0x20). */
	memcpy(out, in, qend);

	if (WIRE_OPCODE(qflags) != 0) {
		ai.rcode = WIRE_RCODE_NOTIMP;
	} else if (!res->has_question) {
		ai.rcode = WIRE_RCODE_FORMERR; /* QDCOUNT != 1 or a bad name */
	} else if (query_parse_edns(in, inlen, qend, &edns) != 0) {
		ai.rcode = WIRE_RCODE_FORMERR;
		edns.present = false;
	} else if (edns.present && edns.version > 0) {
		ai.rcode = WIRE_RCODE_BADVERS; /* RFC 6891 6.1.3 */
	} else if (res->qclass != WIRE_CLASS_IN &&
	           res->qclass != WIRE_CLASS_ANY) {
		ai.rcode = WIRE_RCODE_REFUSED;
	} else if (res->qtype == WIRE_TYPE_AXFR || res->qtype == WIRE_TYPE_IXFR) {
		ai.rcode = WIRE_RCODE_REFUSED; /* no zone transfers */
	} else if (res->qtype == WIRE_TYPE_MAILA ||
	           res->qtype == WIRE_TYPE_MAILB) {
		ai.rcode = WIRE_RCODE_NOTIMP;
	} else if (res->qtype == WIRE_TYPE_OPT) {
		ai.rcode = WIRE_RCODE_FORMERR;
	} else {
		ai.rcode = 0xff; /* answered from the zones below */
	}
	res->edns = edns.present;

	/* How large the reply may grow (RFC 6891 6.2.5, RFC 1035 4.2.1). */
	if (tp == QUERY_TCP) {
		limit = WIRE_MSG_MAX;
	} else if (edns.present) {
		limit = edns.payload < env->udp_max ? edns.payload : env->udp_max;
		limit = limit < 512 ? 512 : limit;
	} else {
		limit = 512;
	}
	if (limit > outcap) {
		limit = outcap;
	}
	if (edns.present) {
		limit -= QUERY_OPT_LEN;
	}

	if (ai.rcode == 0xff) {
		end = answer_write(env->zones, canon, qlen, res->qtype, out, qend,
		                   limit, &ai);
	} else {
		end = qend;
	}
	res->honest_rcode = ai.rcode;

	if (ai.aa) {
		flags |= WIRE_AA;
	}
	if (ai.tc) {
		flags |= WIRE_TC;
	}
	flags |= ai.rcode & 0xf;
	wire_put16(out + 2, flags);
	wire_put16(out + 4, res->has_question ? 1 : 0);
	wire_put16(out + 6, ai.ancount);
	wire_put16(out + 8, ai.nscount);
	wire_put16(out + 10, (uint16_t)(ai.arcount + (edns.present ? 1 : 0)));
	if (edns.present) {
		uint8_t *o = out + end;

		o[0] = 0; /* root owner */
		wire_put16(o + 1, WIRE_TYPE_OPT);
		wire_put16(o + 3, env->udp_max);
		o[5] = (uint8_t)(ai.rcode >> 4); /* extended RCODE */
		o[6] = 0;                        /* version */
		wire_put16(o + 7, edns.dnssec_ok ? 0x8000 : 0);
		wire_put16(o + 9, 0);
		end += QUERY_OPT_LEN;
	}
	res->len = end;
	res->rcode = ai.rcode;
	res->aa = ai.aa;
	res->tc = ai.tc;
	res->answers = ai.ancount;
}
