/*
 * responder/query.c -- one query: wire in, verdict and wire out.  No sockets.
 *
 * The order is NSD's and Knot's: header checks, question, EDNS and TSIG,
 * the honest answer from the zones, then (fault.c) whatever a rule makes
 * of it, then the header, the OPT record and a TSIG record.  Every length
 * is checked before use.
 */
#include "query.h"

#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "dnssec.h"
#include "fault.h"
#include "query_dnssec.h"
#include "wire.h"
#include "zone.h"

#define QUERY_OPT_LEN 11 /* an OPT RR without options */
#define QUERY_EDE_LEN 6  /* an Extended DNS Error option, no text */
#define QUERY_EDE_NOT_AUTHORITATIVE 20 /* RFC 8914 4.21 */

struct query_edns {
	bool present;
	bool dnssec_ok;
	uint8_t version;
	uint16_t payload;
};

/*
 * What a BADKEY reply echoes of a query's TSIG record (RFC 8945 4.2): key
 * and algorithm names (canonical, as Knot and NSD write them back), time
 * signed, fudge, original ID.
 */
struct query_tsig {
	bool present;
	uint8_t keylen;
	uint8_t alglen;
	uint8_t key[WIRE_NAME_MAX];
	uint8_t alg[WIRE_NAME_MAX];
	uint8_t time[6];
	uint16_t fudge;
	uint16_t origid;
};

/* One RR's fixed fields, as query_skip_rr() reads them. */
struct query_rr {
	uint8_t owner[WIRE_NAME_MAX];
	int ownerlen;
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	size_t rdata; /* offset of the RDATA in the message */
	uint16_t rdlen;
};

/* Read one RR at *OFF into RR and move *OFF past it; -1 if malformed. */
static int
query_skip_rr(const uint8_t *in, size_t len, size_t *off, struct query_rr *rr)
{
	rr->ownerlen = wire_name_unpack(in, len, off, rr->owner);
	if (rr->ownerlen < 0 || len - *off < 10) {
		return -1;
	}
	rr->type = wire_get16(in + *off);
	rr->rclass = wire_get16(in + *off + 2);
	rr->ttl = wire_get32(in + *off + 4);
	rr->rdlen = wire_get16(in + *off + 8);
	*off += 10;
	if (len - *off < rr->rdlen) {
		return -1;
	}
	rr->rdata = *off;
	*off += rr->rdlen;
	return 0;
}

/*
 * The TSIG record RR of the message IN (RFC 8945 4.2):
 *
 *   Algorithm Name   a name (uncompressed, but a pointer is read too)
 *   Time Signed      48 bits
 *   Fudge            16 bits
 *   MAC Size         16 bits, then MAC Size octets of MAC
 *   Original ID      16 bits
 *   Error            16 bits
 *   Other Len        16 bits, then Other Len octets
 *
 * The fields must fill the RDATA exactly.  Returns 0 or -1 for FORMERR.
 */
static int
query_parse_tsig(const uint8_t *in, const struct query_rr *rr,
                 struct query_tsig *t)
{
	size_t end = rr->rdata + rr->rdlen, off = rr->rdata;
	int al = wire_name_unpack(in, end, &off, t->alg);
	size_t mac;

	if (al < 0 || end - off < 10) {
		return -1;
	}
	memcpy(t->time, in + off, 6);
	t->fudge = wire_get16(in + off + 6);
	mac = wire_get16(in + off + 8);
	off += 10;
	if (end - off < mac + 6) {
		return -1;
	}
	off += mac;
	t->origid = wire_get16(in + off);
	if (end - off - 6 != wire_get16(in + off + 4)) {
		return -1;
	}
	wire_name_lower(t->alg);
	memcpy(t->key, rr->owner, (size_t)rr->ownerlen);
	wire_name_lower(t->key);
	t->keylen = (uint8_t)rr->ownerlen;
	t->alglen = (uint8_t)al;
	t->present = true;
	return 0;
}

/*
 * Read the records after the question; only OPT and TSIG matter.  OPT: at
 * most one, owned by the root, in the additional section (RFC 6891
 * 6.1.1).  TSIG: at most one, the last record of the additional section,
 * with RDATA that parses (RFC 8945 5.1).  Returns 0 or -1 for FORMERR.
 */
static int
query_parse_records(const uint8_t *in, size_t len, size_t off,
                    struct query_edns *e, struct query_tsig *t)
{
	unsigned an = wire_get16(in + 6), ns = wire_get16(in + 8);
	unsigned ar = wire_get16(in + 10);
	struct query_rr rr;

	for (unsigned i = 0; i < an + ns + ar; i++) {
		if (query_skip_rr(in, len, &off, &rr) != 0) {
			return -1;
		}
		if (rr.type == WIRE_TYPE_TSIG) {
			if (i + 1 != an + ns + ar || i < an + ns ||
			    query_parse_tsig(in, &rr, t) != 0) {
				return -1;
			}
			continue;
		}
		if (rr.type != WIRE_TYPE_OPT) {
			continue;
		}
		if (i < an + ns || e->present || rr.ownerlen != 1) {
			return -1;
		}
		e->present = true;
		e->payload = rr.rclass < 512 ? 512 : rr.rclass;
		e->version = (uint8_t)(rr.ttl >> 16);
		e->dnssec_ok = (rr.ttl & 0x8000) != 0;
	}
	return 0;
}

/* Octets of the TSIG record query_write_tsig() writes for T. */
static size_t
query_tsig_len(const struct query_tsig *t)
{
	return t->present ? (size_t)t->keylen + 10 + t->alglen + 16 : 0;
}

/*
 * The TSIG record of a BADKEY reply at OUT (RFC 8945 5.2.2): the key and
 * algorithm of the query, its time signed and fudge, no MAC, error
 * BADKEY; class ANY, TTL 0.  The same octets Knot and NSD send.
 */
static size_t
query_write_tsig(uint8_t *out, const struct query_tsig *t)
{
	uint8_t *p = out;

	memcpy(p, t->key, t->keylen);
	p += t->keylen;
	wire_put16(p, WIRE_TYPE_TSIG);
	wire_put16(p + 2, WIRE_CLASS_ANY);
	wire_put32(p + 4, 0);
	wire_put16(p + 8, (uint16_t)(t->alglen + 16));
	p += 10;
	memcpy(p, t->alg, t->alglen);
	p += t->alglen;
	memcpy(p, t->time, 6);
	wire_put16(p + 6, t->fudge);
	wire_put16(p + 8, 0); /* MAC size */
	wire_put16(p + 10, t->origid);
	wire_put16(p + 12, WIRE_RCODE_BADKEY);
	wire_put16(p + 14, 0); /* other len */
	return (size_t)(p + 16 - out);
}

/*
 * A message that does not parse (docs/faults.md, garble): the first answer
 * record cut inside its RDATA, or, with no answer, a record whose owner is
 * a compression pointer to itself.
 */
static size_t
query_garble(uint8_t *out, size_t qend, size_t end, struct answer_info *ai)
{
	if (ai->ancount > 0 && end - qend > 12) {
		ai->nscount = ai->arcount = 0;
		return qend + (end - qend) / 2;
	}
	wire_put16(out + qend, (uint16_t)(0xc000 | qend));
	memset(out + qend + 2, 0, 10);
	ai->ancount = 1;
	ai->nscount = ai->arcount = 0;
	return qend + 12;
}

/*
 * Rewrite the honest answer in OUT[0..END) as rule R says
 * (docs/faults.md).  Returns the new end; may set a drop or a delay in RES.
 */
static size_t
query_fault(const struct query_env *env, const struct fault_rule *r,
            enum query_transport tp, const uint8_t *canon, size_t qlen,
            uint8_t *out, size_t qend, size_t end, size_t limit,
            bool dnssec_ok, struct answer_info *ai, struct query_result *res,
            int *ede, bool *garbled)
{
	struct fault_effect fx;

	fault_rule_effect(r, tp, &fx);
	res->rule = r;
	if (fx.action == FAULT_NORMAL) {
		return end;
	}
	if (FAULT_IS_DNSSEC(fx.action)) {
		res->delay_ms = fx.delay_ms;
		*ede = fx.ede;
		/* Only answers with DO are signed (tcp= may bring others). */
		return dnssec_ok ? query_dnssec_fault(fx.action, env->zones,
		                                      canon, qlen, res->qtype,
		                                      out, qend, end, limit, ai)
		                 : end;
	}
	res->delay_ms = fx.delay_ms;
	*ede = fx.ede;
	switch (fx.action) {
	case FAULT_SERVFAIL:
	case FAULT_REFUSED:
	case FAULT_NOTIMP:
	case FAULT_FORMERR:
	case FAULT_NXDOMAIN:
		/* An error is not authoritative data; NXDOMAIN keeps AA. */
		if (fx.action != FAULT_NXDOMAIN) {
			ai->aa = false;
		}
		ai->rcode = fx.action == FAULT_SERVFAIL   ? WIRE_RCODE_SERVFAIL
		            : fx.action == FAULT_REFUSED  ? WIRE_RCODE_REFUSED
		            : fx.action == FAULT_NOTIMP   ? WIRE_RCODE_NOTIMP
		            : fx.action == FAULT_FORMERR  ? WIRE_RCODE_FORMERR
		                                          : WIRE_RCODE_NXDOMAIN;
		ai->ancount = ai->nscount = ai->arcount = 0;
		ai->tc = false;
		return qend;
	case FAULT_NODATA:
		return answer_write_nodata(env->zones, canon, qlen, res->qtype,
		                           out, qend, limit, ai);
	case FAULT_DROP:
		res->verdict = QUERY_DROP;
		res->drop = QUERY_DROP_FAULT;
		return end;
	case FAULT_TRUNCATE:
		ai->tc = true;
		ai->ancount = ai->nscount = ai->arcount = 0;
		return qend;
	case FAULT_GARBLE:
		*garbled = true;
		return query_garble(out, qend, end, ai);
	case FAULT_NOAA:
		ai->aa = false;
		return end;
	case FAULT_NOSOA:
		/* Only negative answers carry authority with AA set. */
		if (ai->aa && ai->nscount > 0) {
			ai->nscount = ai->arcount = 0;
			return ai->ns_off;
		}
		return end;
	case FAULT_WRONGID:
		wire_put16(out, (uint16_t)(res->id + 1)); /* the log keeps the ID asked */
		return end;
	default: /* delay, normal; the DNSSEC actions are above */
		break;
	}
	return end;
}

/* Write the record OWNER TYPE IN TTL 0 RDATA[0..RDLEN) at P; its end. */
static size_t
query_put_rr(uint8_t *p, uint16_t owner, uint16_t type, const uint8_t *rdata,
             uint16_t rdlen)
{
	if (owner == 0) {
		p[0] = 0; /* the root */
		p++;
	} else {
		wire_put16(p, (uint16_t)(0xc000 | owner));
		p += 2;
	}
	wire_put16(p, type);
	wire_put16(p + 2, WIRE_CLASS_IN);
	wire_put32(p + 4, 0);
	wire_put16(p + 8, rdlen);
	memcpy(p + 10, rdata, rdlen);
	return (size_t)(owner == 0 ? 1 : 2) + 10u + rdlen;
}

/*
 * The answer OUT[QEND..END) is a chain (CNAME, DNAME) that ends in a
 * zone's NODATA or NXDOMAIN: its last answer record a CNAME, one SOA in
 * authority.  Returns where that CNAME's target (the name the chain ends
 * at) starts, or 0 when it is not such a chain or the target lies beyond
 * a compression pointer's reach.
 */
static uint16_t
query_chain_end(const uint8_t *out, size_t qend, size_t end,
                const struct answer_info *ai)
{
	struct query_rr rr = {0};
	size_t off = qend, target;

	if (ai->nscount != 1) {
		return 0;
	}
	for (uint16_t i = 0; i < ai->ancount; i++) {
		if (query_skip_rr(out, end, &off, &rr) != 0) {
			return 0;
		}
	}
	if (rr.type != WIRE_TYPE_CNAME || rr.rdata > 0x3fff) {
		return 0;
	}
	target = rr.rdata;
	off = ai->ns_off;
	if (query_skip_rr(out, end, &off, &rr) != 0 ||
	    rr.type != WIRE_TYPE_SOA) {
		return 0;
	}
	return (uint16_t)target;
}

/*
 * Default addresses (query.h): D's address for an A or AAAA question whose
 * honest answer in OUT[QEND..END) has no record of that type for the name
 * it ends at; and since that makes every name exist, no NXDOMAIN, and
 * NODATA with the made-up root SOA outside every zone.  A referral, a
 * truncated answer or a chain that leaves the zones stays as it is.
 * Returns the end.
 */
static size_t
query_default(const struct query_defaults *d, uint16_t qtype, size_t qlen,
              uint8_t *out, size_t qend, size_t end, size_t limit,
              struct answer_info *ai)
{
	const uint8_t *addr = NULL;
	uint16_t alen = 0, owner = WIRE_HEADER_LEN;
	size_t at = qend;

	if (qtype == WIRE_TYPE_A && d->has_a) {
		addr = d->a;
		alen = 4;
	} else if (qtype == WIRE_TYPE_AAAA && d->has_aaaa) {
		addr = d->aaaa;
		alen = 16;
	}
	if (ai->tc) {
		return end;
	}
	if (ai->rcode == WIRE_RCODE_REFUSED) {
		/* Outside every zone: as the API's root zone answers. */
		ai->aa = true;
		ai->rcode = WIRE_RCODE_NOERROR;
		ai->ancount = ai->nscount = ai->arcount = 0;
		if (addr == NULL) {
			bool apex = qlen == 1 && (qtype == WIRE_TYPE_SOA ||
			                          qtype == WIRE_TYPE_ANY);

			if (limit - qend < 11u + ZONE_API_SOA_LEN) {
				ai->tc = true;
				return qend;
			}
			at += query_put_rr(out + qend, 0, WIRE_TYPE_SOA,
			                   zone_api_soa, ZONE_API_SOA_LEN);
			ai->ancount = apex ? 1 : 0;
			ai->nscount = apex ? 0 : 1;
			ai->ns_off = apex ? at : qend;
			return at;
		}
	} else if (!ai->aa || (ai->rcode != WIRE_RCODE_NOERROR &&
	                       ai->rcode != WIRE_RCODE_NXDOMAIN)) {
		return end;
	} else {
		ai->rcode = WIRE_RCODE_NOERROR; /* the name exists now */
		if (addr == NULL) {
			return end;
		}
		if (ai->ancount > 0) {
			owner = query_chain_end(out, qend, end, ai);
			if (owner == 0) {
				return end; /* an answer, or a chain that leaves */
			}
			at = ai->ns_off;
		}
	}
	if (limit - at < 12u + alen) {
		ai->tc = true;
		ai->ancount = ai->nscount = ai->arcount = 0;
		return qend;
	}
	ai->ancount++;
	ai->nscount = 0;
	ai->arcount = 0;
	at += query_put_rr(out + at, owner, qtype, addr, alen);
	ai->ns_off = at;
	return at;
}

/*
 * The honest answer from the zones (and the default addresses) in
 * OUT[QEND..LIMIT); returns its end.  *NOTAUTH: outside every zone.
 */
static size_t
query_answer(const struct query_env *env, bool dnssec_ok, const uint8_t *canon,
             size_t qlen, uint16_t qtype, uint8_t *out, size_t qend,
             size_t limit, struct answer_info *ai, bool *notauth)
{
	size_t end;

	if (dnssec_ok) {
		end = answer_write_dnssec(env->zones, canon, qlen, qtype, out,
		                          qend, limit, ai);
	} else {
		end = answer_write(env->zones, canon, qlen, qtype, out, qend,
		                   limit, ai);
	}
	/* Outside every zone (RFC 8914 4.21), as Knot and NSD. */
	*notauth = ai->rcode == WIRE_RCODE_REFUSED;
	if (env->defaults != NULL) {
		end = query_default(env->defaults, qtype, qlen, out, qend, end,
		                    limit, ai);
	}
	return end;
}

/* What fault_match() needs to know of the query and its honest answer. */
static unsigned
query_facts(bool dnssec_ok, const struct answer_info *ai,
            const struct query_result *res, const uint8_t *canon)
{
	unsigned facts = dnssec_ok ? FAULT_FACT_DO : 0;

	if (ai->rcode == WIRE_RCODE_NXDOMAIN ||
	    (ai->rcode == WIRE_RCODE_NOERROR && ai->aa && ai->ancount == 0 &&
	     !ai->tc)) {
		facts |= FAULT_FACT_NEGATIVE;
	} else if (ai->rcode == WIRE_RCODE_NOERROR && ai->ancount > 0) {
		facts |= FAULT_FACT_POSITIVE;
	}
	if (memcmp(res->qname, canon, res->qname_len) != 0) {
		facts |= FAULT_FACT_MIXED;
	}
	return facts;
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
	res->view = NULL;
}

static int
query_view_cmp(const void *a, const void *b)
{
	const struct query_view *va = a, *vb = b;

	/* Longer prefixes first; IPv4 and IPv6 never overlap. */
	return (int)vb->prefix.len - (int)va->prefix.len;
}

void
query_views_sort(struct query_view *views, size_t n)
{
	if (n > 1) {
		qsort(views, n, sizeof(*views), query_view_cmp);
	}
}

const struct query_view *
query_view_find(const struct query_env *env, const struct sockaddr *client)
{
	struct cidr addr;

	if (env->nviews == 0 || client == NULL ||
	    !cidr_from_sockaddr(client, &addr)) {
		return NULL;
	}
	for (size_t i = 0; i < env->nviews; i++) {
		if (cidr_contains(&env->views[i].prefix, &addr)) {
			return &env->views[i];
		}
	}
	return NULL;
}

static void query_run(const struct query_env *env, const uint8_t *in,
                      size_t inlen, enum query_transport tp, int family,
                      const struct sockaddr *client, uint8_t *out,
                      size_t outcap, struct query_result *res);

void
query_handle(const struct query_env *env, const uint8_t *in, size_t inlen,
             enum query_transport tp, int family, uint8_t *out,
             size_t outcap, struct query_result *res)
{
	query_run(env, in, inlen, tp, family, NULL, out, outcap, res);
}

void
query_handle_from(const struct query_env *env, const uint8_t *in,
                  size_t inlen, enum query_transport tp, int family,
                  const struct sockaddr *client, uint8_t *out, size_t outcap,
                  struct query_result *res)
{
	const struct query_view *v = query_view_find(env, client);
	struct query_env venv;

	if (v == NULL) {
		query_run(env, in, inlen, tp, family, client, out, outcap, res);
		return;
	}
	venv = *env;
	venv.zones = v->zones;
	query_run(&venv, in, inlen, tp, family, client, out, outcap, res);
	res->view = v->text;
}

static void
query_run(const struct query_env *env, const uint8_t *in, size_t inlen,
          enum query_transport tp, int family, const struct sockaddr *client,
          uint8_t *out, size_t outcap, struct query_result *res)
{
	uint8_t canon[WIRE_NAME_MAX];
	struct query_edns edns = {0};
	struct query_tsig tsig = {0};
	struct answer_info ai = {0};
	uint16_t qflags, flags, qdcount;
	size_t qend = WIRE_HEADER_LEN, qlen = 0, limit, end;
	const struct fault_rule *r = NULL;
	int nl, ede = FAULT_EDE_NONE;
	bool garbled = false, notauth = false, dnssec_ok = false;

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
	} else if (query_parse_records(in, inlen, qend, &edns, &tsig) != 0) {
		ai.rcode = WIRE_RCODE_FORMERR;
		edns.present = false;
		tsig.present = false;
	} else if (edns.present && edns.version > 0) {
		ai.rcode = WIRE_RCODE_BADVERS; /* RFC 6891 6.1.3 */
		tsig.present = false;
	} else if (tsig.present) {
		/* No keys here: every key is unknown (RFC 8945 5.2.2). */
		ai.rcode = WIRE_RCODE_NOTAUTH;
	} else if (res->qclass != WIRE_CLASS_IN &&
	           res->qclass != WIRE_CLASS_ANY) {
		ai.rcode = WIRE_RCODE_REFUSED;
	} else if (res->qtype == WIRE_TYPE_AXFR && tp == QUERY_UDP) {
		ai.rcode = WIRE_RCODE_NOTIMP; /* AXFR is TCP only (RFC 5936 4.2) */
	} else if (res->qtype == WIRE_TYPE_AXFR || res->qtype == WIRE_TYPE_IXFR) {
		/* No zone transfers: not authoritative for one (as Knot). */
		ai.rcode = WIRE_RCODE_NOTAUTH;
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
	dnssec_ok = edns.dnssec_ok && dnssec_on();
	/* Room for OPT, and for an EDE only when a rule adds one (below). */
	if (edns.present) {
		limit -= QUERY_OPT_LEN;
	}
	end = qend;
	if (ai.rcode == 0xff) {
		end = query_answer(env, dnssec_ok, canon, qlen, res->qtype, out,
		                   qend, limit, &ai, &notauth);
	}
	/* answer= and case= look at the honest answer: rules come after it. */
	if (env->faults != NULL && res->has_question &&
	    WIRE_OPCODE(qflags) == 0) {
		r = fault_match(env->faults, canon, qlen, res->qtype, tp, family,
		                client, query_facts(dnssec_ok, &ai, res, canon));
	}
	if (edns.present && r != NULL && fault_rule_ede(r) != FAULT_EDE_NONE) {
		limit -= QUERY_EDE_LEN;
		if (end > limit) {
			/* Too large with the EDE: as if that room was never there. */
			end = query_answer(env, dnssec_ok, canon, qlen,
			                   res->qtype, out, qend, limit, &ai,
			                   &notauth);
		}
	}
	res->honest_rcode = ai.rcode;
	if (r != NULL) {
		end = query_fault(env, r, tp, canon, qlen, out, qend, end, limit,
		                  dnssec_ok, &ai, res, &ede, &garbled);
	}
	if (ede == FAULT_EDE_NONE && notauth &&
	    ai.rcode == WIRE_RCODE_REFUSED) {
		ede = QUERY_EDE_NOT_AUTHORITATIVE; /* an empty reply: it fits */
	}

	/*
	 * The BADKEY TSIG record goes last, after OPT, unless a rule changed
	 * the answer.  A question and key name near 255 octets each may not
	 * fit in 512: then TC, as for any answer too large.
	 */
	if (!tsig.present || ai.rcode != WIRE_RCODE_NOTAUTH || garbled) {
		tsig.present = false;
	} else if (end + query_tsig_len(&tsig) > limit) {
		tsig.present = false;
		ai.tc = true;
	}
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
	if (garbled) {
		edns.present = false; /* the message ends where it breaks */
	}
	wire_put16(out + 10, (uint16_t)(ai.arcount + (edns.present ? 1 : 0) +
	                                (tsig.present ? 1 : 0)));
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
		if (ede != FAULT_EDE_NONE) {
			/* RFC 8914 2: OPTION-CODE 15, INFO-CODE, no EXTRA-TEXT. */
			wire_put16(o + 9, QUERY_EDE_LEN);
			wire_put16(o + 11, 15);
			wire_put16(o + 13, 2);
			wire_put16(o + 15, (uint16_t)ede);
			end += QUERY_EDE_LEN;
		}
	}
	if (tsig.present) {
		end += query_write_tsig(out + end, &tsig);
	}
	res->len = end;
	res->rcode = ai.rcode;
	res->aa = ai.aa;
	res->tc = ai.tc;
	res->answers = ai.ancount;
	if (res->verdict == QUERY_DROP) {
		/* Nothing was sent: the log says so, not what would have been. */
		res->rcode = -1;
		res->aa = false;
		res->tc = false;
		res->answers = 0;
	}
}
