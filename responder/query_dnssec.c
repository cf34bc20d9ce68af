/*
 * responder/query_dnssec.c -- the DNSSEC fault actions.
 *
 * The honest answer is already in the message; the faults rewrite it:
 *
 *   sig-expired   every RRSIG's validity moved a week into the past
 *   sig-future    ... a week into the future
 *   sig-bogus     every RRSIG's last signature octet altered
 *   sig-strip     the answer written again without RRSIG records
 *   nsec-strip    ... without NSEC/NSEC3 records and their RRSIGs
 *   ds-bogus      every DS digest altered, its RRSIG made again over it
 *
 * Validators allow clock skew (Unbound up to a day, val-sig-skew-max), so
 * the dates lie a week away.  A changed RRset or RRSIG is signed again
 * with the key of its signer when this process holds it, so that the one
 * fault is the only fault (an expired signature that also fails to
 * verify would be reported as either); a signer's key this process does
 * not hold (a zone signed elsewhere) leaves the old signature octets.
 * Only faulted answers are signed per query, and only they allocate.
 */
#include "query_dnssec.h"

#include <stdbool.h>
#include <string.h>
#include <time.h>

#include <ldns/ldns.h>

#include "dnssec.h"
#include "wire.h"

#define QD_WEEK (7u * 86400u)
#define QD_SIG_FIXED 18 /* RRSIG RDATA before the signer's name */

/* One record of the answer: where it starts, its owner, type, RDATA. */
struct qd_rr {
	uint8_t owner[WIRE_NAME_MAX];
	size_t start;
	size_t rdata;
	uint16_t type;
	uint16_t rdlen;
};

/* Read the record at *OFF (the message ends at END); -1 if malformed. */
static int
qd_read(const uint8_t *m, size_t end, size_t *off, struct qd_rr *rr)
{
	rr->start = *off;
	if (wire_name_unpack(m, end, off, rr->owner) < 0 || end - *off < 10) {
		return -1;
	}
	rr->type = wire_get16(m + *off);
	rr->rdlen = wire_get16(m + *off + 8);
	*off += 10;
	if (end - *off < rr->rdlen) {
		return -1;
	}
	rr->rdata = *off;
	*off += rr->rdlen;
	return 0;
}

/* The RRset SIG covers, in canonical form (RFC 4034 6.2), for signing. */
static ldns_rr_list *
qd_covered(const uint8_t *m, size_t end, size_t qend, unsigned from,
           unsigned to, const struct qd_rr *sig)
{
	ldns_rr_list *list = ldns_rr_list_new();
	uint16_t covered = wire_get16(m + sig->rdata);
	uint8_t labels = m[sig->rdata + 3];
	uint32_t ttl = wire_get32(m + sig->rdata + 4);
	struct qd_rr rr;
	size_t off = qend;

	for (unsigned i = 0; list != NULL && i < to; i++) {
		ldns_rr *x = NULL;
		size_t pos;

		if (qd_read(m, end, &off, &rr) != 0) {
			break;
		}
		if (i < from || rr.type != covered ||
		    !wire_name_equal(rr.owner, sig->owner)) {
			continue;
		}
		pos = rr.start;
		if (ldns_wire2rr(&x, m, end, &pos, LDNS_SECTION_ANSWER) !=
		    LDNS_STATUS_OK) {
			continue;
		}
		ldns_rr_set_ttl(x, ttl);
		ldns_rr2canonical(x);
		ldns_dname2canonical(ldns_rr_owner(x));
		if (ldns_dname_label_count(ldns_rr_owner(x)) > labels) {
			/* A wildcard expansion: signed as the wildcard. */
			ldns_rdf *star = ldns_dname_new_frm_str("*");
			ldns_rdf *base = ldns_dname_clone_from(
			        ldns_rr_owner(x),
			        ldns_dname_label_count(ldns_rr_owner(x)) -
			                labels);

			if (star != NULL && base != NULL &&
			    ldns_dname_cat(star, base) == LDNS_STATUS_OK) {
				ldns_rdf_deep_free(ldns_rr_owner(x));
				ldns_rr_set_owner(x, star);
				star = NULL;
			}
			ldns_rdf_deep_free(star);
			ldns_rdf_deep_free(base);
		}
		if (!ldns_rr_list_push_rr(list, x)) {
			ldns_rr_free(x);
		}
	}
	if (list != NULL) {
		ldns_rr_list_sort(list);
	}
	return list;
}

/*
 * Sign again, with its signer's key, the RRSIG SIG (its fields as they
 * now stand in the message) over the records of records FROM..TO that it
 * covers, and write the new signature in place.  Does nothing when the
 * key is not ours or the new RDATA would not have the old length.
 */
static void
qd_resign(uint8_t *m, size_t end, size_t qend, unsigned from, unsigned to,
          const struct qd_rr *sig)
{
	uint8_t signer[WIRE_NAME_MAX];
	char err[256];
	size_t off = sig->rdata + QD_SIG_FIXED, pos = sig->start;
	ldns_key *key = NULL;
	ldns_rr *rrsig = NULL;
	ldns_rr_list *set = NULL;
	ldns_buffer *buf = NULL;
	ldns_rdf *sigrdf = NULL;

	if (wire_name_unpack(m, sig->rdata + sig->rdlen, &off, signer) < 0) {
		return;
	}
	wire_name_lower(signer);
	if (!dnssec_key_known(signer) ||
	    (key = dnssec_key_get(signer, err, sizeof(err))) == NULL) {
		return;
	}
	if (ldns_wire2rr(&rrsig, m, end, &pos, LDNS_SECTION_ANSWER) !=
	            LDNS_STATUS_OK ||
	    ldns_rr_rd_count(rrsig) != 9 ||
	    (set = qd_covered(m, end, qend, from, to, sig)) == NULL ||
	    (buf = ldns_buffer_new(LDNS_MAX_PACKETLEN)) == NULL ||
	    ldns_rrsig2buffer_wire(buf, rrsig) != LDNS_STATUS_OK ||
	    ldns_rr_list2buffer_wire(buf, set) != LDNS_STATUS_OK ||
	    (sigrdf = ldns_sign_public_buffer(buf, key)) == NULL) {
		goto out;
	}
	ldns_rdf_deep_free(ldns_rr_set_rdf(rrsig, sigrdf, 8));
	ldns_buffer_clear(buf);
	if (ldns_rr_rdata2buffer_wire(buf, rrsig) == LDNS_STATUS_OK &&
	    ldns_buffer_position(buf) == sig->rdlen) {
		memcpy(m + sig->rdata, ldns_buffer_begin(buf), sig->rdlen);
	}
out:
	ldns_buffer_free(buf);
	ldns_rr_list_deep_free(set);
	ldns_rr_free(rrsig);
}

size_t
query_dnssec_fault(enum fault_action a, const struct zone_set *zs,
                   const uint8_t *canon, size_t qlen, uint16_t qtype,
                   uint8_t *out, size_t qend, size_t end, size_t limit,
                   struct answer_info *ai)
{
	unsigned n = (unsigned)ai->ancount + ai->nscount;
	uint32_t now = (uint32_t)time(NULL);
	struct qd_rr rr;
	size_t off = qend;

	if (a == FAULT_SIG_STRIP || a == FAULT_NSEC_STRIP) {
		return answer_write_dnssec_strip(
		        zs, canon, qlen, qtype, out, qend, limit,
		        a == FAULT_SIG_STRIP ? ANSWER_NO_RRSIG : ANSWER_NO_NSEC,
		        ai);
	}
	if (ai->tc) {
		return end;
	}
	if (a == FAULT_DS_BOGUS) {
		for (unsigned i = 0; i < n; i++) {
			if (qd_read(out, end, &off, &rr) != 0) {
				return end;
			}
			if (rr.type == WIRE_TYPE_DS && rr.rdlen > 4) {
				out[rr.rdata + rr.rdlen - 1] ^= 0xff;
			}
		}
		off = qend;
	}
	for (unsigned i = 0; i < n; i++) {
		unsigned from = i < ai->ancount ? 0 : ai->ancount;
		unsigned to = i < ai->ancount ? ai->ancount : n;
		uint8_t *rd;

		if (qd_read(out, end, &off, &rr) != 0) {
			return end;
		}
		if (rr.type != WIRE_TYPE_RRSIG || rr.rdlen <= QD_SIG_FIXED + 1) {
			continue;
		}
		rd = out + rr.rdata;
		switch (a) {
		case FAULT_SIG_BOGUS:
			rd[rr.rdlen - 1] ^= 0xff;
			break;
		case FAULT_SIG_EXPIRED:
			wire_put32(rd + 8, now - QD_WEEK);
			wire_put32(rd + 12, now - 5 * QD_WEEK);
			qd_resign(out, end, qend, from, to, &rr);
			break;
		case FAULT_SIG_FUTURE:
			wire_put32(rd + 8, now + 5 * QD_WEEK);
			wire_put32(rd + 12, now + QD_WEEK);
			qd_resign(out, end, qend, from, to, &rr);
			break;
		case FAULT_DS_BOGUS:
			if (wire_get16(rd) == WIRE_TYPE_DS) {
				qd_resign(out, end, qend, from, to, &rr);
			}
			break;
		default:
			break;
		}
	}
	return end;
}
