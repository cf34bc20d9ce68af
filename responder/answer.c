/*
 * responder/answer.c -- answers: compiled once per zone, written per query.
 *
 * A blob is compiled against a canonical question name C placed at offset
 * 12.  Every compression pointer it holds points either into C's suffixes
 * or into the blob itself, so for a question name Q = P + S, where the
 * blob was compiled for C = P' + S, every pointer moves by |Q| - |C|.
 * Owners that are the question name itself are written as 0xc00c and
 * never move (that is how a wildcard answer takes the query's name).
 */
#include "answer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"
#include "zone.h"
#include "zone_int.h"
#include "answer_int.h"

#define ANSWER_CHAIN_MAX 16 /* CNAME and DNAME steps followed */
#define ANSWER_ADDITIONAL_SEEN 64 /* targets checked for repeats */

/* Write one RR of RRSET starting at P; returns the next record. */
const uint8_t *
answer_put_rr(struct wire_writer *w, const uint8_t *owner, bool owner_is_q,
         const struct zone_rrset *rs, const uint8_t *p, uint32_t ttl)
{
	uint16_t rdlen = wire_get16(p + 4);

	if (owner_is_q) {
		wire_writer_u16(w, 0xc00c); /* not recorded: never moves */
	} else {
		wire_writer_name(w, owner, true);
	}
	wire_writer_u16(w, rs->type);
	wire_writer_u16(w, WIRE_CLASS_IN);
	wire_writer_u32(w, ttl);
	wire_writer_rdata(w, rs->type, p + 6, rdlen);
	return p + 6 + rdlen;
}

void
answer_put_rrset(struct wire_writer *w, const uint8_t *owner, bool owner_is_q,
            const struct zone_rrset *rs)
{
	const uint8_t *p = rs->rdata;

	for (uint16_t i = 0; i < rs->count; i++) {
		p = answer_put_rr(w, owner, owner_is_q, rs, p, wire_get32(p));
	}
}

/* The zone's SOA for a negative answer: TTL capped by MINIMUM (RFC 2308 3). */
uint16_t
answer_put_soa(struct wire_writer *w, const struct zone *z)
{
	const struct zone_rrset *soa = zone_node_rrset(z->apex, WIRE_TYPE_SOA);
	uint32_t ttl, min;
	uint16_t rdlen;

	if (soa == NULL) {
		return 0;
	}
	ttl = wire_get32(soa->rdata);
	rdlen = wire_get16(soa->rdata + 4);
	min = rdlen >= 4 ? wire_get32(soa->rdata + 6 + rdlen - 4) : ttl;
	answer_put_rr(w, z->origin, false, soa, soa->rdata, ttl < min ? ttl : min);
	return 1;
}

/*
 * The targets (names in the zone's RDATA) whose addresses an additional
 * section already holds.
 */
struct additional_seen {
	unsigned n;
	const uint8_t *name[ANSWER_ADDITIONAL_SEEN];
};

/* Has SEEN got NAME?  If not, remember it (while there is room). */
static bool
additional_seen(struct additional_seen *seen, const uint8_t *name)
{
	for (unsigned i = 0; i < seen->n; i++) {
		if (wire_name_equal(seen->name[i], name)) {
			return true;
		}
	}
	if (seen->n < ANSWER_ADDITIONAL_SEEN) {
		seen->name[seen->n++] = name;
	}
	return false;
}

/*
 * The node holding the addresses of TARGET (canonical, TL octets) in Z:
 * its own (glue below a delegation included) or, when it does not exist,
 * the wildcard that covers it (RFC 4592, as Knot and NSD expand it).
 */
static const struct zone_node *
additional_node(const struct zone *z, const uint8_t *target, size_t tl)
{
	const struct zone_node *t = zone_node_find(z, target, tl,
	                                           wire_name_hash(target, tl));
	struct zone_lookup lk;

	if (t != NULL) {
		return t;
	}
	zone_lookup_in(z, NULL, target, tl, WIRE_TYPE_A, &lk);
	return lk.match == ZONE_MATCH_WILDCARD ? lk.node : NULL;
}

/*
 * Additional section for NS, MX and SRV: the addresses of targets inside
 * the zone, each target once across the RRsets that share SEEN (two MX
 * to one host, or the MX and SRV of ANY).
 */
static uint16_t
write_additional_seen(struct wire_writer *w, const struct zone *z,
                      const struct zone_rrset *rs,
                      struct additional_seen *seen)
{
	const uint8_t *p = rs->rdata;
	uint16_t added = 0;
	size_t skip;

	switch (rs->type) {
	case WIRE_TYPE_NS:
		skip = 0;
		break;
	case WIRE_TYPE_MX:
		skip = 2;
		break;
	case WIRE_TYPE_SRV:
		skip = 6;
		break;
	default:
		return 0;
	}
	for (uint16_t i = 0; i < rs->count; i++) {
		uint16_t rdlen = wire_get16(p + 4);
		const uint8_t *name = p + 6 + skip;
		uint8_t target[WIRE_NAME_MAX];
		int tl = rdlen > skip ? wire_name_parse(p + 6, rdlen, skip,
		                                        target)
		                      : -1;

		p += 6 + rdlen;
		if (tl < 0 || !wire_name_is_subdomain(target, z->origin)) {
			continue;
		}
		const struct zone_node *t = additional_node(z, target,
		                                            (size_t)tl);
		static const uint16_t addr[] = {WIRE_TYPE_A, WIRE_TYPE_AAAA};

		if (t == NULL || additional_seen(seen, name)) {
			continue;
		}
		for (size_t k = 0; k < 2; k++) {
			const struct zone_rrset *a = zone_node_rrset(t, addr[k]);

			if (a != NULL) {
				answer_put_rrset(w, target, false, a);
				added += a->count;
			}
		}
	}
	return added;
}

uint16_t
answer_put_additional(struct wire_writer *w, const struct zone *z,
                 const struct zone_rrset *rs)
{
	struct additional_seen seen = {0};

	return write_additional_seen(w, z, rs, &seen);
}

/*
 * Start a compile in BUF (WIRE_MSG_MAX octets, the caller's: builds run
 * beside the event loop, so nothing here is static): header room and the
 * canonical question name.
 */
static size_t
compile_start(struct wire_writer *w, uint8_t *buf, const uint8_t *qname,
              size_t qlen, size_t dict_off)
{
	wire_writer_init(w, buf, WIRE_MSG_MAX, WIRE_HEADER_LEN);
	wire_writer_bytes(w, qname, qlen);
	wire_writer_u32(w, 0); /* QTYPE, QCLASS */
	if (dict_off < WIRE_HEADER_LEN + qlen - 1) {
		wire_writer_add_name(w, dict_off);
	}
	return w->len;
}

static int
compile_finish(struct zone *z, struct wire_writer *w, size_t qend,
               size_t qlen, size_t ar_start, struct zone_blob *b,
               const uint8_t *owner, char *err, size_t errlen)
{
	char name[1024];

	if (w->overflow || w->nptrs_lost > 0) {
		wire_name_to_str(owner, name, sizeof(name));
		snprintf(err, errlen, "the answer at %s does not fit in a DNS "
		         "message", name);
		return -E2BIG;
	}
	b->len = (uint32_t)(w->len - qend);
	b->ar_off = (uint32_t)(ar_start - qend);
	b->canon_qlen = (uint8_t)qlen;
	b->nfix = (uint16_t)w->nptrs;
	b->wire = zone_arena_alloc(&z->store->arena, b->len + 1);
	b->fix = zone_arena_alloc(&z->store->arena,
	                          (w->nptrs + 1) * sizeof(uint16_t));
	if (b->wire == NULL || b->fix == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memcpy(b->wire, w->buf + qend, b->len);
	for (unsigned i = 0; i < w->nptrs; i++) {
		b->fix[i] = (uint16_t)(w->ptrs[i] - qend);
	}
	return 0;
}

/* A positive answer: the RRset, owned by the question name. */
static int
compile_rrset(struct zone *z, uint8_t *buf, const struct zone_node *n,
              struct zone_rrset *rs, char *err, size_t errlen)
{
	struct wire_writer w;
	bool wild = n->name[0] == 1 && n->name[1] == '*';
	/* A wildcard's own name stands for the query's: only its parent's
	 * suffixes may be compression targets. */
	size_t qend = compile_start(&w, buf, n->name, n->namelen,
	                            WIRE_HEADER_LEN + (wild ? 2 : 0));
	size_t ar_start;

	answer_put_rrset(&w, n->name, true, rs);
	rs->answer.ancount = rs->count;
	ar_start = w.len;
	rs->answer.arcount = answer_put_additional(&w, z, rs);
	return compile_finish(z, &w, qend, n->namelen, ar_start, &rs->answer,
	                      n->name, err, errlen);
}

/* A referral: NS in authority (owner = the cut), glue in additional. */
static int
compile_referral(struct zone *z, uint8_t *buf, struct zone_node *n,
                 char *err, size_t errlen)
{
	const struct zone_rrset *ns = zone_node_rrset(n, WIRE_TYPE_NS);
	struct wire_writer w;
	size_t qend =
	        compile_start(&w, buf, n->name, n->namelen, WIRE_HEADER_LEN);
	size_t ar_start;

	answer_put_rrset(&w, n->name, false, ns);
	n->referral.nscount = ns->count;
	ar_start = w.len;
	n->referral.arcount = answer_put_additional(&w, z, ns);
	return compile_finish(z, &w, qend, n->namelen, ar_start, &n->referral,
	                      n->name, err, errlen);
}

int
answer_compile_zone(struct zone *z, struct zone_node **nodes, size_t n,
                    char *err, size_t errlen)
{
	struct wire_writer w;
	uint8_t *buf = malloc(WIRE_MSG_MAX);
	size_t qend;
	int rc;

	if (buf == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	qend = compile_start(&w, buf, z->origin, z->originlen,
	                     WIRE_HEADER_LEN);
	z->negative.nscount = answer_put_soa(&w, z);
	rc = compile_finish(z, &w, qend, z->originlen, w.len, &z->negative,
	                    z->origin, err, errlen);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct zone_node *nd = nodes[i];

		/* Below a delegation or a DNAME nothing is answered as is. */
		if ((nd->cut != NULL && nd->cut != nd) || nd->dname != NULL) {
			continue;
		}
		for (uint16_t k = 0; rc == 0 && k < nd->nrrsets; k++) {
			rc = compile_rrset(z, buf, nd, &nd->rrsets[k], err,
			                   errlen);
		}
		if (rc == 0 && nd->cut == nd) {
			rc = compile_referral(z, buf, nd, err, errlen);
		}
	}
	if (rc == 0) {
		rc = answer_dnssec_compile(z, nodes, n, err, errlen);
	}
	free(buf);
	return rc;
}

/* Query time. */

static size_t
blob_write(const struct zone_blob *b, uint8_t *msg, size_t qend, size_t qlen,
           size_t limit, struct answer_info *ai)
{
	size_t len = b->len, delta = qlen - b->canon_qlen;

	ai->ancount = b->ancount;
	ai->nscount = b->nscount;
	ai->arcount = b->arcount;
	if (qend + len > limit) {
		/* Leave the additional section out; past that, truncate. */
		len = b->ar_off;
		ai->arcount = 0;
		if (qend + len > limit) {
			ai->tc = true;
			ai->ancount = ai->nscount = 0;
			ai->ns_off = qend;
			return qend;
		}
	}
	memcpy(msg + qend, b->wire, len);
	ai->ns_off = b->ancount > 0 ? qend + len : qend;
	if (delta != 0) {
		for (uint16_t i = 0; i < b->nfix && b->fix[i] < len; i++) {
			uint8_t *p = msg + qend + b->fix[i];

			wire_put16(p, (uint16_t)(wire_get16(p) + delta));
		}
	}
	return qend + len;
}

/*
 * The referral at the cut CUT that ends an alias chain (RFC 1034 4.3.2
 * step 3b): its NS RRset in authority, the addresses of the name servers
 * in additional, left out when they do not fit.  AA stays as the chain
 * set it: the aliases are authoritative data (Knot and NSD agree).
 */
static void
chain_referral(struct wire_writer *w, const struct zone *z,
               const struct zone_node *cut,
               struct answer_info *ai)
{
	const struct zone_rrset *ns = zone_node_rrset(cut, WIRE_TYPE_NS);
	size_t ar_start;

	ai->ns_off = w->len;
	answer_put_rrset(w, cut->name, false, ns);
	ai->nscount = ns->count;
	if (w->overflow) {
		return;
	}
	ar_start = w->len;
	ai->arcount = answer_put_additional(w, z, ns);
	if (w->overflow) {
		/* Nothing is written after it: the names it added go unused. */
		w->overflow = false;
		w->len = ar_start;
		ai->arcount = 0;
	}
}

/* Has the chain met N before?  If not, remember it in SEEN. */
static bool
chain_seen(const struct zone_node **seen, unsigned *nseen,
           const struct zone_node *n)
{
	for (unsigned i = 0; i < *nseen; i++) {
		if (seen[i] == n) {
			return true;
		}
	}
	seen[(*nseen)++] = n;
	return false;
}

/*
 * Has the chain written a CNAME owned by NAME before?  If not, remember
 * NAME in OWNERS.  By name, not node: one wildcard CNAME or one DNAME
 * answers for many names, and Knot and NSD follow it once for each (a
 * CNAME record already in the answer is where they stop).
 */
static bool
chain_owner_seen(uint8_t (*owners)[WIRE_NAME_MAX], unsigned *nowners,
                 const uint8_t *name, size_t len)
{
	for (unsigned i = 0; i < *nowners; i++) {
		if (wire_name_equal(owners[i], name)) {
			return true;
		}
	}
	memcpy(owners[(*nowners)++], name, len);
	return false;
}

/*
 * The additional section of the answer RRsets RS[0..N) written by the
 * chain (NS, MX, SRV: RFC 1034 4.3.2 step 6), as for the same RRsets asked
 * directly; left out whole when it does not fit.
 */
static void
chain_additional(struct wire_writer *w, const struct zone *z,
                 const struct zone_rrset *rs, uint16_t n,
                 struct answer_info *ai)
{
	struct additional_seen seen = {0};
	size_t ar_start = w->len;
	unsigned nnames = w->nnames;
	uint16_t added = 0;

	if (w->overflow) {
		return;
	}
	for (uint16_t k = 0; k < n; k++) {
		added += write_additional_seen(w, z, &rs[k], &seen);
	}
	if (w->overflow) {
		w->overflow = false;
		w->len = ar_start;
		w->nnames = nnames;
		added = 0;
	}
	ai->arcount = added;
}

/*
 * Alias chains and ANY, written at query time (RFC 1034 4.3.2 step 3,
 * RFC 6672 for DNAME): follow CNAMEs and DNAMEs inside the zone, at most
 * ANSWER_CHAIN_MAX steps, each CNAME owner name once (a DNAME that
 * rewrites the chain twice is written once);
 * a chain that ends below a delegation ends with its referral, one that
 * ends in NS, MX or SRV records with their additional section.  Every target is read from its RDATA
 * with the bounded parser: one that does not parse ends the chain.
 */
size_t
answer_chain_write(const struct zone_set *zs, struct zone_lookup lk,
                   const uint8_t *canon, size_t qlen, uint16_t qtype,
                   uint8_t *msg, size_t qend, size_t limit, unsigned dnssec,
                   struct answer_info *ai)
{
	struct wire_writer w;
	uint8_t cur[WIRE_NAME_MAX];
	size_t curlen = qlen;
	const struct zone_node *seen[ANSWER_CHAIN_MAX + 1];
	uint8_t owners[ANSWER_CHAIN_MAX + 1][WIRE_NAME_MAX];
	unsigned nseen = 0, nowners = 0;
	const struct zone *z = lk.zone;
	bool first = true;

	wire_writer_init(&w, msg, limit, qend);
	w.strip = dnssec & (ANSWER_NO_RRSIG | ANSWER_NO_NSEC);
	wire_writer_add_name(&w, WIRE_HEADER_LEN);
	memcpy(cur, canon, qlen);
	ai->aa = true;
	ai->rcode = WIRE_RCODE_NOERROR;
	for (unsigned step = 0; step <= ANSWER_CHAIN_MAX; step++) {
		const struct zone_node *n = lk.node;
		const struct zone_rrset *rs;
		int tl;

		if (lk.match == ZONE_MATCH_DNAME) {
			uint8_t next[WIRE_NAME_MAX];
			size_t prefix = curlen - n->namelen;

			if (chain_owner_seen(owners, &nowners, cur, curlen)) {
				break; /* a loop: stop here */
			}
			rs = zone_node_rrset(n, WIRE_TYPE_DNAME);
			if (!chain_seen(seen, &nseen, n)) {
				/* Once, however many names it rewrites. */
				answer_put_rr(&w, n->name, false, rs, rs->rdata,
				              rs->ttl);
				ai->ancount++;
				if (dnssec) {
					ai->ancount += answer_put_sigs(
					        &w, n->name, false, n,
					        WIRE_TYPE_DNAME);
				}
			}
			tl = wire_name_parse(rs->rdata + 6,
			                     wire_get16(rs->rdata + 4), 0,
			                     NULL);
			if (tl < 0) {
				break;
			}
			if (prefix + (size_t)tl > WIRE_NAME_MAX) {
				ai->rcode = WIRE_RCODE_YXDOMAIN; /* RFC 6672 2.2 */
				break;
			}
			/* The target as the zone has it, letter case kept. */
			memcpy(next, cur, prefix);
			memcpy(next + prefix, rs->rdata + 6, (size_t)tl);
			/* The synthesized CNAME (RFC 6672 3.1). */
			if (first) {
				wire_writer_u16(&w, 0xc00c);
			} else {
				wire_writer_name(&w, cur, true);
			}
			wire_writer_u16(&w, WIRE_TYPE_CNAME);
			wire_writer_u16(&w, WIRE_CLASS_IN);
			wire_writer_u32(&w, rs->ttl);
			wire_writer_rdata(&w, WIRE_TYPE_CNAME, next,
			                  (uint16_t)(prefix + (size_t)tl));
			ai->ancount++;
			curlen = prefix + (size_t)tl;
			memcpy(cur, next, curlen);
			wire_name_lower(cur);
			if (qtype == WIRE_TYPE_CNAME) {
				break; /* the synthesized CNAME answers it */
			}
		} else if (lk.match == ZONE_MATCH_EXACT ||
		           lk.match == ZONE_MATCH_WILDCARD) {
			const struct zone_rrset *cn;

			if (qtype == WIRE_TYPE_ANY && n->nrrsets > 0) {
				for (uint16_t k = 0; k < n->nrrsets; k++) {
					if (dnssec && n->rrsets[k].type ==
					                      WIRE_TYPE_RRSIG) {
						continue; /* with each RRset */
					}
					answer_put_rrset(&w, cur, first,
					                 &n->rrsets[k]);
					ai->ancount += n->rrsets[k].count;
					if (dnssec && n->rrsets[k].type !=
					                      WIRE_TYPE_RRSIG) {
						ai->ancount += answer_put_sigs(
						        &w, cur, first, n,
						        n->rrsets[k].type);
					}
				}
				chain_additional(&w, z, n->rrsets, n->nrrsets,
				                 ai);
				break;
			}
			rs = zone_node_rrset(n, qtype);
			if (rs != NULL) {
				answer_put_rrset(&w, cur, first, rs);
				ai->ancount += rs->count;
				if (dnssec) {
					ai->ancount += answer_put_sigs(
					        &w, cur, first, n, qtype);
				}
				chain_additional(&w, z, rs, 1, ai);
				break;
			}
			cn = zone_node_rrset(n, WIRE_TYPE_CNAME);
			if (cn == NULL) {
				ai->ns_off = w.len;
				ai->nscount = dnssec
				        ? answer_put_denial(&w, z, cur, curlen,
				                            &lk)
				        : answer_put_soa(&w, z);
				break;
			}
			if (chain_owner_seen(owners, &nowners, cur, curlen)) {
				break; /* a loop: stop here */
			}
			answer_put_rr(&w, cur, first, cn, cn->rdata,
			              wire_get32(cn->rdata));
			ai->ancount++;
			if (dnssec) {
				ai->ancount += answer_put_sigs(&w, cur, first, n,
				                               WIRE_TYPE_CNAME);
			}
			tl = wire_name_parse(cn->rdata + 6,
			                     wire_get16(cn->rdata + 4), 0, cur);
			if (tl < 0) {
				break;
			}
			curlen = (size_t)tl;
		} else if (lk.match == ZONE_MATCH_NXDOMAIN) {
			ai->rcode = WIRE_RCODE_NXDOMAIN; /* RFC 6604 2.1 */
			ai->ns_off = w.len;
			ai->nscount = dnssec ? answer_put_denial(&w, z, cur,
			                                         curlen, &lk)
			                     : answer_put_soa(&w, z);
			break;
		} else {
			break; /* outside the zone: as it is */
		}
		first = false;
		if (!wire_name_is_subdomain(cur, z->origin)) {
			break; /* out of zone: returned as is */
		}
		zone_lookup_in(z, zs, cur, curlen, qtype, &lk);
		if (lk.match == ZONE_MATCH_CUT) {
			if (dnssec) {
				answer_put_referral(&w, z, lk.node, ai);
			} else {
				chain_referral(&w, z, lk.node, ai);
			}
			break;
		}
	}
	if (w.overflow) {
		ai->tc = true;
		ai->ancount = ai->nscount = ai->arcount = 0;
		ai->ns_off = qend;
		return qend;
	}
	if (ai->nscount == 0) {
		ai->ns_off = w.len;
	}
	return w.len;
}

size_t
answer_write(const struct zone_set *zs, const uint8_t *canon, size_t qlen,
             uint16_t qtype, uint8_t *msg, size_t qend, size_t limit,
             struct answer_info *ai)
{
	struct zone_lookup lk;
	const struct zone_rrset *rs;

	memset(ai, 0, sizeof(*ai));
	ai->ns_off = qend;
	zone_lookup(zs, canon, qlen, qtype, &lk);
	switch (lk.match) {
	case ZONE_MATCH_NONE:
		ai->rcode = WIRE_RCODE_REFUSED;
		return qend;
	case ZONE_MATCH_CUT:
		/* A referral is not authoritative (RFC 1034 4.3.2 step 3b). */
		return blob_write(&lk.node->referral, msg, qend, qlen, limit, ai);
	case ZONE_MATCH_NXDOMAIN:
		ai->aa = true;
		ai->rcode = WIRE_RCODE_NXDOMAIN;
		return blob_write(&lk.zone->negative, msg, qend, qlen, limit, ai);
	case ZONE_MATCH_DNAME:
		return answer_chain_write(zs, lk, canon, qlen, qtype, msg, qend,
		                          limit, 0, ai);
	case ZONE_MATCH_EXACT:
	case ZONE_MATCH_WILDCARD:
		break;
	}
	ai->aa = true;
	if (qtype == WIRE_TYPE_ANY) {
		return answer_chain_write(zs, lk, canon, qlen, qtype, msg, qend,
		                          limit, 0, ai);
	}
	rs = zone_node_rrset(lk.node, qtype);
	if (rs != NULL) {
		return blob_write(&rs->answer, msg, qend, qlen, limit, ai);
	}
	if (zone_node_rrset(lk.node, WIRE_TYPE_CNAME) != NULL) {
		return answer_chain_write(zs, lk, canon, qlen, qtype, msg, qend,
		                          limit, 0, ai);
	}
	return blob_write(&lk.zone->negative, msg, qend, qlen, limit, ai);
}

size_t
answer_write_nodata(const struct zone_set *zs, const uint8_t *canon,
                    size_t qlen, uint16_t qtype, uint8_t *msg, size_t qend,
                    size_t limit, struct answer_info *ai)
{
	struct zone_lookup lk;

	memset(ai, 0, sizeof(*ai));
	ai->ns_off = qend;
	zone_lookup(zs, canon, qlen, qtype, &lk); /* DS at an apex: the parent */
	if (lk.zone == NULL) {
		return qend;
	}
	ai->aa = true;
	return blob_write(&lk.zone->negative, msg, qend, qlen, limit, ai);
}
