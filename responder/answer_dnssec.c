/*
 * responder/answer_dnssec.c -- the answers of queries with the DO bit on
 * signed zones (RFC 4035 3.1, RFC 5155 7.2).
 *
 * Every record written is one the zone holds: the signer (or the zone
 * file) made the RRSIGs and the NSEC or NSEC3 chain at load, and the
 * chain is sorted then, so a query costs a lookup, a binary search or
 * two (and with NSEC3 a SHA-1 of the name) and copies.  Nothing is
 * allocated or signed here.
 */
#include "answer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/sha1.h>

#include "answer_int.h"
#include "wire.h"
#include "zone.h"
#include "zone_int.h"

#define DNSSEC_PROOFS_MAX 3 /* NSEC or NSEC3 records one denial needs */
#define NSEC3_HASH_LABEL 32 /* base32hex of a SHA-1 digest */

/* Canonical order of two canonical names (RFC 4034 6.1). */
static int
canon_cmp(const uint8_t *a, const uint8_t *b)
{
	const uint8_t *la[128], *lb[128];
	unsigned na = 0, nb = 0;

	for (const uint8_t *p = a; *p != 0 && na < 128; p += 1 + *p) {
		la[na++] = p;
	}
	for (const uint8_t *p = b; *p != 0 && nb < 128; p += 1 + *p) {
		lb[nb++] = p;
	}
	while (na > 0 && nb > 0) {
		const uint8_t *x = la[--na], *y = lb[--nb];
		int c = memcmp(x + 1, y + 1, *x < *y ? *x : *y);

		if (c != 0) {
			return c;
		}
		if (*x != *y) {
			return *x < *y ? -1 : 1;
		}
	}
	return na > nb ? 1 : na < nb ? -1 : 0;
}

static int
chain_cmp_nsec(const void *x, const void *y)
{
	const struct zone_node *a = *(const struct zone_node *const *)x;
	const struct zone_node *b = *(const struct zone_node *const *)y;

	return canon_cmp(a->name, b->name);
}

/* NSEC3 owners: the first label, 32 base32hex digits, sorts by hash. */
static int
chain_cmp_nsec3(const void *x, const void *y)
{
	const struct zone_node *a = *(const struct zone_node *const *)x;
	const struct zone_node *b = *(const struct zone_node *const *)y;

	return memcmp(a->name + 1, b->name + 1, NSEC3_HASH_LABEL);
}

int
answer_dnssec_compile(struct zone *z, struct zone_node **nodes, size_t n,
                      char *err, size_t errlen)
{
	const struct zone_rrset *param =
	        zone_node_rrset(z->apex, WIRE_TYPE_NSEC3PARAM);
	uint16_t type = WIRE_TYPE_NSEC;
	size_t k = 0;

	z->dnssec = zone_node_rrset(z->apex, WIRE_TYPE_DNSKEY) != NULL;
	if (!z->dnssec) {
		return 0;
	}
	if (param != NULL && wire_get16(param->rdata + 4) >= 5 &&
	    param->rdata[6] == 1 /* SHA-1 */) {
		const uint8_t *rd = param->rdata + 6;

		if (5u + rd[4] <= wire_get16(param->rdata + 4)) {
			z->nsec3 = true;
			z->nsec3_iter = wire_get16(rd + 2);
			z->nsec3_saltlen = rd[4];
			z->nsec3_salt = rd + 5;
			type = WIRE_TYPE_NSEC3;
		}
	}
	z->chain = zone_arena_alloc(&z->store->arena,
	                            (n + 1) * sizeof(*z->chain));
	if (z->chain == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const struct zone_node *nd = nodes[i];

		if (zone_node_rrset(nd, type) == NULL) {
			continue;
		}
		if (type == WIRE_TYPE_NSEC3 &&
		    (nd->name[0] != NSEC3_HASH_LABEL || nd->parent != z->apex)) {
			continue;
		}
		z->chain[k++] = nd;
	}
	qsort(z->chain, k, sizeof(*z->chain),
	      type == WIRE_TYPE_NSEC ? chain_cmp_nsec : chain_cmp_nsec3);
	z->nchain = k;
	return 0;
}

uint16_t
answer_put_sigs(struct wire_writer *w, const uint8_t *owner, bool owner_is_q,
                const struct zone_node *node, uint16_t type)
{
	const struct zone_rrset *rs = zone_rrset_find(node, WIRE_TYPE_RRSIG);
	const uint8_t *p;
	uint16_t n = 0;

	if (rs == NULL || (w->strip & ANSWER_NO_RRSIG) != 0) {
		return 0;
	}
	p = rs->rdata;
	for (uint16_t i = 0; i < rs->count; i++) {
		uint16_t rdlen = wire_get16(p + 4);

		if (rdlen >= 2 && wire_get16(p + 6) == type) {
			answer_put_rr(w, owner, owner_is_q, rs, p, wire_get32(p));
			n++;
		}
		p += 6 + rdlen;
	}
	return n;
}

/* The NSEC node whose owner is NAME or the last before it. */
static const struct zone_node *
nsec_covering(const struct zone *z, const uint8_t *name)
{
	size_t lo = 0, hi = z->nchain;

	if (hi == 0) {
		return NULL;
	}
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (canon_cmp(z->chain[mid]->name, name) <= 0) {
			lo = mid;
		} else {
			hi = mid;
		}
	}
	/* The apex comes first; a name before it wraps to the last. */
	return canon_cmp(z->chain[lo]->name, name) <= 0 ? z->chain[lo]
	                                                : z->chain[z->nchain - 1];
}

/* NAME's NSEC3 hash as its owner label spells it (RFC 5155 5, 3.3). */
static void
nsec3_hash(const struct zone *z, const uint8_t *name, size_t len,
           uint8_t out[NSEC3_HASH_LABEL])
{
	static const char b32[] = "0123456789abcdefghijklmnopqrstuv";
	uint8_t buf[WIRE_NAME_MAX + 255];
	uint8_t h[LDNS_SHA1_DIGEST_LENGTH];

	memcpy(buf, name, len);
	memcpy(buf + len, z->nsec3_salt, z->nsec3_saltlen);
	ldns_sha1(buf, (unsigned)(len + z->nsec3_saltlen), h);
	for (unsigned i = 0; i < z->nsec3_iter; i++) {
		memcpy(buf, h, sizeof(h));
		memcpy(buf + sizeof(h), z->nsec3_salt, z->nsec3_saltlen);
		ldns_sha1(buf, (unsigned)(sizeof(h) + z->nsec3_saltlen), h);
	}
	for (unsigned i = 0; i < NSEC3_HASH_LABEL; i++) {
		unsigned bit = i * 5, byte = bit / 8, off = bit % 8;
		unsigned v = (unsigned)h[byte] << 8;

		if (byte + 1 < sizeof(h)) {
			v |= h[byte + 1];
		}
		out[i] = (uint8_t)b32[(v >> (11 - off)) & 0x1f];
	}
}

/*
 * The NSEC3 node that matches NAME (*MATCH true) or, when none does,
 * covers it (RFC 5155 7.2.1).
 */
static const struct zone_node *
nsec3_find(const struct zone *z, const uint8_t *name, size_t len, bool *match)
{
	uint8_t h[NSEC3_HASH_LABEL];
	size_t lo = 0, hi = z->nchain;
	int c;

	*match = false;
	if (hi == 0) {
		return NULL;
	}
	nsec3_hash(z, name, len, h);
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (memcmp(z->chain[mid]->name + 1, h, sizeof(h)) <= 0) {
			lo = mid;
		} else {
			hi = mid;
		}
	}
	c = memcmp(z->chain[lo]->name + 1, h, sizeof(h));
	if (c > 0) {
		return z->chain[z->nchain - 1]; /* before the first: wraps */
	}
	*match = c == 0;
	return z->chain[lo];
}

/* The proofs a denial writes, each once. */
struct proofs {
	unsigned n;
	const struct zone_node *node[DNSSEC_PROOFS_MAX];
};

static void
proofs_add(struct proofs *pr, const struct zone_node *nd)
{
	if (nd == NULL) {
		return;
	}
	for (unsigned i = 0; i < pr->n; i++) {
		if (pr->node[i] == nd) {
			return;
		}
	}
	if (pr->n < DNSSEC_PROOFS_MAX) {
		pr->node[pr->n++] = nd;
	}
}

/* NAME without its first N labels: a pointer into NAME. */
static const uint8_t *
name_chop(const uint8_t *name, unsigned n)
{
	while (n-- > 0 && *name != 0) {
		name += 1 + *name;
	}
	return name;
}

/*
 * The closest encloser of NAME in Z (RFC 5155 7.2.1): the longest
 * ancestor that exists, empty non-terminals included.  *NEXT is the name
 * one label longer (the next closer name).
 */
static const uint8_t *
closest_encloser(const struct zone *z, const uint8_t *name, size_t len,
                 const uint8_t **next)
{
	const uint8_t *p = name, *prev = name;

	while (*p != 0 && (size_t)(p - name) < len) {
		size_t l = len - (size_t)(p - name);

		if (p != name &&
		    zone_node_find(z, p, l, wire_name_hash(p, l)) != NULL) {
			break;
		}
		if (l == z->originlen) {
			break; /* the apex always exists */
		}
		prev = p;
		p += 1 + *p;
	}
	*next = prev;
	return p;
}

/* The proofs of NXDOMAIN or of a wildcard answer (EXPANDED: the latter). */
static void
proofs_nxdomain(const struct zone *z, const uint8_t *name, size_t len,
                bool expanded, const struct zone_node *wild,
                struct proofs *pr)
{
	uint8_t star[WIRE_NAME_MAX];
	const uint8_t *next, *ce;
	size_t celen;
	bool match;

	if (expanded) {
		/* The closest encloser is the wildcard's parent. */
		ce = wild->parent->name;
		next = name_chop(name, wire_name_labels(name) -
		                               wire_name_labels(ce) - 1);
	} else {
		ce = closest_encloser(z, name, len, &next);
	}
	celen = wire_name_len(ce);
	if (z->nsec3) {
		if (!expanded) {
			proofs_add(pr, nsec3_find(z, ce, celen, &match));
		}
		proofs_add(pr, nsec3_find(z, next, wire_name_len(next), &match));
		if (!expanded && celen + 2 <= WIRE_NAME_MAX) {
			star[0] = 1;
			star[1] = '*';
			memcpy(star + 2, ce, celen);
			proofs_add(pr, nsec3_find(z, star, celen + 2, &match));
		}
		return;
	}
	proofs_add(pr, nsec_covering(z, name));
	if (!expanded && celen + 2 <= WIRE_NAME_MAX) {
		star[0] = 1;
		star[1] = '*';
		memcpy(star + 2, ce, celen);
		proofs_add(pr, nsec_covering(z, star));
	}
}

/* The proofs of NODATA at NAME, which LK found (exact or a wildcard). */
static void
proofs_nodata(const struct zone *z, const uint8_t *name, size_t len,
              const struct zone_lookup *lk, struct proofs *pr)
{
	bool match;

	if (lk->match == ZONE_MATCH_WILDCARD) {
		/* RFC 4035 3.1.3.4, RFC 5155 7.2.5. */
		proofs_nxdomain(z, name, len, true, lk->node, pr);
		if (z->nsec3) {
			proofs_add(pr, nsec3_find(z, lk->node->parent->name,
			                          lk->node->parent->namelen,
			                          &match));
			proofs_add(pr, nsec3_find(z, lk->node->name,
			                          lk->node->namelen, &match));
		} else {
			proofs_add(pr, lk->node);
		}
		return;
	}
	if (z->nsec3) {
		proofs_add(pr, nsec3_find(z, name, len, &match));
	} else if (zone_rrset_find(lk->node, WIRE_TYPE_NSEC) != NULL) {
		proofs_add(pr, lk->node);
	} else {
		proofs_add(pr, nsec_covering(z, name)); /* empty non-terminal */
	}
}

static uint16_t
put_proofs(struct wire_writer *w, const struct zone *z,
           const struct proofs *pr)
{
	uint16_t type = z->nsec3 ? WIRE_TYPE_NSEC3 : WIRE_TYPE_NSEC;
	uint16_t n = 0;

	if ((w->strip & ANSWER_NO_NSEC) != 0) {
		return 0;
	}
	for (unsigned i = 0; i < pr->n; i++) {
		const struct zone_rrset *rs = zone_rrset_find(pr->node[i], type);

		if (rs == NULL) {
			continue;
		}
		answer_put_rrset(w, pr->node[i]->name, false, rs);
		n += rs->count;
		n += answer_put_sigs(w, pr->node[i]->name, false, pr->node[i],
		                     type);
	}
	return n;
}

uint16_t
answer_put_denial(struct wire_writer *w, const struct zone *z,
                  const uint8_t *name, size_t len,
                  const struct zone_lookup *lk)
{
	struct proofs pr = {0};
	uint16_t n = answer_put_soa(w, z);

	if (n == 0 || !z->dnssec) {
		return n;
	}
	n += answer_put_sigs(w, z->origin, false, z->apex, WIRE_TYPE_SOA);
	if (lk->match == ZONE_MATCH_NXDOMAIN) {
		proofs_nxdomain(z, name, len, false, NULL, &pr);
	} else if (lk->node != NULL) {
		proofs_nodata(z, name, len, lk, &pr);
	}
	return n + put_proofs(w, z, &pr);
}

/*
 * A referral from a signed zone: NS, then the DS RRset and its RRSIG, or
 * the NSEC (NSEC3) that proves there is no DS (RFC 4035 3.1.4).
 */
void
answer_put_referral(struct wire_writer *w, const struct zone *z,
                    const struct zone_node *cut, struct answer_info *ai)
{
	const struct zone_rrset *ns = zone_rrset_find(cut, WIRE_TYPE_NS);
	const struct zone_rrset *ds = zone_rrset_find(cut, WIRE_TYPE_DS);
	size_t ar_start;
	unsigned nnames;

	ai->ns_off = w->len;
	answer_put_rrset(w, cut->name, false, ns);
	ai->nscount = ns->count;
	if (ds != NULL) {
		answer_put_rrset(w, cut->name, false, ds);
		ai->nscount += ds->count;
		ai->nscount += answer_put_sigs(w, cut->name, false, cut,
		                               WIRE_TYPE_DS);
	} else {
		struct proofs pr = {0};
		bool match;

		proofs_add(&pr, z->nsec3 ? nsec3_find(z, cut->name, cut->namelen,
		                                      &match)
		                         : cut);
		ai->nscount += put_proofs(w, z, &pr);
	}
	if (w->overflow) {
		return;
	}
	ar_start = w->len;
	nnames = w->nnames;
	ai->arcount = answer_put_additional(w, z, ns);
	if (w->overflow) {
		w->overflow = false;
		w->len = ar_start;
		w->nnames = nnames;
		ai->arcount = 0;
	}
}

size_t
answer_write_dnssec(const struct zone_set *zs, const uint8_t *canon,
                    size_t qlen, uint16_t qtype, uint8_t *msg, size_t qend,
                    size_t limit, struct answer_info *ai)
{
	return answer_write_dnssec_strip(zs, canon, qlen, qtype, msg, qend,
	                                 limit, 0, ai);
}

size_t
answer_write_dnssec_strip(const struct zone_set *zs, const uint8_t *canon,
                          size_t qlen, uint16_t qtype, uint8_t *msg,
                          size_t qend, size_t limit, unsigned strip,
                          struct answer_info *ai)
{
	struct zone_lookup lk;
	struct wire_writer w;
	const struct zone_rrset *rs;
	const struct zone *z;

	zone_lookup(zs, canon, qlen, qtype, &lk);
	z = lk.zone;
	if (lk.match == ZONE_MATCH_NONE || z == NULL || !z->dnssec) {
		return answer_write(zs, canon, qlen, qtype, msg, qend, limit,
		                    ai);
	}
	if (lk.match == ZONE_MATCH_DNAME ||
	    ((lk.match == ZONE_MATCH_EXACT || lk.match == ZONE_MATCH_WILDCARD) &&
	     (qtype == WIRE_TYPE_ANY ||
	      (zone_rrset_find(lk.node, qtype) == NULL &&
	       zone_rrset_find(lk.node, WIRE_TYPE_CNAME) != NULL)))) {
		memset(ai, 0, sizeof(*ai));
		ai->ns_off = qend;
		return answer_chain_write(zs, lk, canon, qlen, qtype, msg, qend,
		                          limit, ANSWER_SIGNED | strip, ai);
	}
	memset(ai, 0, sizeof(*ai));
	wire_writer_init(&w, msg, limit, qend);
	w.strip = strip;
	wire_writer_add_name(&w, WIRE_HEADER_LEN);
	ai->ns_off = qend;
	ai->rcode = WIRE_RCODE_NOERROR;
	switch (lk.match) {
	case ZONE_MATCH_CUT:
		/* A referral is not authoritative (RFC 1034 4.3.2 step 3b). */
		answer_put_referral(&w, z, lk.node, ai);
		break;
	case ZONE_MATCH_NXDOMAIN:
		ai->aa = true;
		ai->rcode = WIRE_RCODE_NXDOMAIN;
		ai->nscount = answer_put_denial(&w, z, canon, qlen, &lk);
		break;
	default:
		ai->aa = true;
		rs = zone_rrset_find(lk.node, qtype);
		if (rs == NULL) {
			ai->nscount = answer_put_denial(&w, z, canon, qlen, &lk);
			break;
		}
		answer_put_rrset(&w, canon, true, rs);
		ai->ancount = rs->count;
		ai->ancount += answer_put_sigs(&w, canon, true, lk.node, qtype);
		ai->ns_off = w.len;
		if (lk.match == ZONE_MATCH_WILDCARD) {
			/* No closer name exists (RFC 4035 3.1.3.3). */
			struct proofs pr = {0};

			proofs_nxdomain(z, canon, qlen, true, lk.node, &pr);
			ai->nscount = put_proofs(&w, z, &pr);
		}
		if (!w.overflow) {
			size_t ar_start = w.len;
			unsigned nnames = w.nnames;

			ai->arcount = answer_put_additional(&w, z, rs);
			if (w.overflow) {
				w.overflow = false;
				w.len = ar_start;
				w.nnames = nnames;
				ai->arcount = 0;
			}
		}
		break;
	}
	if (w.overflow) {
		ai->tc = true;
		ai->ancount = ai->nscount = ai->arcount = 0;
		ai->ns_off = qend;
		return qend;
	}
	return w.len;
}
