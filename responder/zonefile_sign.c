/*
 * responder/zonefile_sign.c -- signing a zone's records at load (--dnssec).
 *
 * The records read from a file become an ldns zone, which ldns signs
 * whole (NSEC or NSEC3 chain, an RRSIG over every authoritative RRset);
 * the DNSKEY, the DS of each loaded child zone signed here, the chain
 * and the signatures then join the zone's records.  Answers are compiled
 * from them as from any record: nothing is signed per query.  Runs in the
 * main thread at start and in the rebuild thread afterwards.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ldns/ldns.h>

#include "dnssec.h"
#include "wire.h"
#include "zone_int.h"
#include "zonefile_int.h"

/* Types the signer makes: left out when a signed zone is built again. */
bool
zf_sign_made_type(uint16_t type)
{
	return type == WIRE_TYPE_RRSIG || type == WIRE_TYPE_NSEC ||
	       type == WIRE_TYPE_NSEC3 || type == WIRE_TYPE_NSEC3PARAM ||
	       type == WIRE_TYPE_DNSKEY;
}

bool
zf_sign_wanted(const struct zf_ctx *c)
{
	if (!dnssec_on() || c->soa_owner == NULL) {
		return false;
	}
	for (size_t i = 0; i < c->nrecs; i++) {
		if (c->recs[i].type == WIRE_TYPE_DNSKEY ||
		    c->recs[i].type == WIRE_TYPE_RRSIG) {
			return false; /* signed already: served as it is */
		}
	}
	return true;
}

/*
 * R as one opaque field, for RDATA that does not parse as its type says
 * (a malformed CAA served on purpose): signed as the octets it is, which
 * is its canonical form when the type holds no names (RFC 4034 6.2).
 */
static ldns_rr *
sign_rr_opaque(const struct zone_rec *r)
{
	ldns_rr *rr = ldns_rr_new();
	ldns_rdf *owner = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME,
	                                        r->ownerlen, r->owner);
	ldns_rdf *f = r->rdlen > 0 ? ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN,
	                                                   r->rdlen, r->rdata)
	                           : NULL;

	if (rr == NULL || owner == NULL || (r->rdlen > 0 && f == NULL)) {
		ldns_rr_free(rr);
		ldns_rdf_deep_free(owner);
		ldns_rdf_deep_free(f);
		return NULL;
	}
	ldns_rr_set_owner(rr, owner);
	ldns_rr_set_type(rr, (ldns_rr_type)r->type);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	ldns_rr_set_ttl(rr, r->ttl);
	if (f != NULL && !ldns_rr_push_rdf(rr, f)) {
		ldns_rdf_deep_free(f);
		ldns_rr_free(rr);
		return NULL;
	}
	return rr;
}

/* The record R as an ldns RR, or NULL. */
static ldns_rr *
sign_rr(const struct zone_rec *r, uint8_t *buf)
{
	size_t len = 0, pos = 0;
	ldns_rr *rr = NULL;

	memcpy(buf, r->owner, r->ownerlen);
	len = r->ownerlen;
	wire_put16(buf + len, r->type);
	wire_put16(buf + len + 2, WIRE_CLASS_IN);
	wire_put32(buf + len + 4, r->ttl);
	wire_put16(buf + len + 8, r->rdlen);
	len += 10;
	memcpy(buf + len, r->rdata, r->rdlen);
	len += r->rdlen;
	if (ldns_wire2rr(&rr, buf, len, &pos, LDNS_SECTION_ANSWER) !=
	        LDNS_STATUS_OK ||
	    pos != len) {
		ldns_rr_free(rr);
		return sign_rr_opaque(r);
	}
	return rr;
}

/* Add the RR ldns made to C's records. */
static int
sign_add(struct zf_ctx *c, const ldns_rr *rr, uint8_t *buf)
{
	size_t rdlen = 0;

	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		const ldns_rdf *f = ldns_rr_rdf(rr, i);

		if (rdlen + ldns_rdf_size(f) > UINT16_MAX) {
			return zf_error(c, c->file, 0,
			                "a signed record over 65535 octets");
		}
		memcpy(buf + rdlen, ldns_rdf_data(f), ldns_rdf_size(f));
		rdlen += ldns_rdf_size(f);
	}
	return zf_rec_add(c, c->file, 0, ldns_rdf_data(ldns_rr_owner(rr)),
	                  ldns_rdf_size(ldns_rr_owner(rr)), buf, rdlen,
	                  ldns_rr_ttl(rr), (uint16_t)ldns_rr_get_type(rr));
}

/* Has C a record of TYPE owned by OWNER?  (Few delegations: a scan.) */
static bool
sign_has(const struct zf_ctx *c, const uint8_t *owner, uint16_t type)
{
	for (size_t i = 0; i < c->nrecs; i++) {
		if (c->recs[i].type == type &&
		    wire_name_equal(c->recs[i].owner, owner)) {
			return true;
		}
	}
	return false;
}

/*
 * The DS records of the child zones signed here that C delegates to (NS
 * below the apex, no DS written in the file), added to ZONE and to ADDED.
 */
static int
sign_child_ds(struct zf_ctx *c, ldns_dnssec_zone *zone, ldns_rr_list *added)
{
	size_t n = c->nrecs;

	for (size_t i = 0; i < n; i++) {
		const struct zone_rec *r = &c->recs[i];
		ldns_rr *ds;

		if (r->type != WIRE_TYPE_NS ||
		    wire_name_equal(r->owner, c->soa_owner) ||
		    !dnssec_key_known(r->owner) ||
		    sign_has(c, r->owner, WIRE_TYPE_DS) ||
		    (i > 0 && c->recs[i - 1].type == WIRE_TYPE_NS &&
		     wire_name_equal(c->recs[i - 1].owner, r->owner))) {
			continue;
		}
		ds = dnssec_key_ds(r->owner, r->ttl);
		if (ds == NULL) {
			return zf_error(c, c->file, 0, "out of memory");
		}
		if (ldns_dnssec_zone_add_rr(zone, ds) != LDNS_STATUS_OK ||
		    !ldns_rr_list_push_rr(added, ds)) {
			ldns_rr_free(ds);
			return zf_error(c, c->file, 0, "out of memory");
		}
	}
	return 0;
}

int
zf_sign_zone(struct zf_ctx *c)
{
	ldns_dnssec_zone *zone = ldns_dnssec_zone_new();
	ldns_rr_list *made = ldns_rr_list_new(), *added = ldns_rr_list_new();
	ldns_key_list *keys = ldns_key_list_new();
	uint8_t *buf = malloc(2 * WIRE_MSG_MAX);
	uint32_t now = (uint32_t)time(NULL), minimum = 3600;
	ldns_status st;
	ldns_key *key;
	ldns_rr *dnskey;
	int rc = 0;

	if (zone == NULL || made == NULL || added == NULL || keys == NULL ||
	    buf == NULL) {
		rc = zf_error(c, c->file, 0, "out of memory");
		goto out;
	}
	if (c->scratch == NULL) {
		/* Records taken from a built zone (an API change) have none. */
		c->scratch = calloc(1, sizeof(*c->scratch));
		if (c->scratch == NULL) {
			rc = zf_error(c, c->file, 0, "out of memory");
			goto out;
		}
	}
	key = dnssec_key_get(c->soa_owner, c->err, c->errlen);
	if (key == NULL) {
		rc = -EINVAL;
		goto out;
	}
	for (size_t i = 0; i < c->nrecs; i++) {
		const struct zone_rec *r = &c->recs[i];
		ldns_rr *rr;

		if (r->type == 0) {
			continue; /* removed by an edit */
		}
		rr = sign_rr(r, buf);
		if (rr == NULL) {
			rc = zf_error(c, c->file, r->line,
			              "record not signed: its data does not parse");
			goto out;
		}
		if (r->type == WIRE_TYPE_SOA && r->rdlen >= 4) {
			minimum = wire_get32(r->rdata + r->rdlen - 4);
		}
		if (ldns_dnssec_zone_add_rr(zone, rr) != LDNS_STATUS_OK) {
			ldns_rr_free(rr);
			rc = zf_error(c, c->file, r->line,
			              "record not signed: ldns refused it");
			goto out;
		}
	}
	rc = sign_child_ds(c, zone, added);
	if (rc != 0) {
		goto out;
	}
	dnskey = ldns_key2rr(key);
	if (dnskey == NULL) {
		rc = zf_error(c, c->file, 0, "out of memory");
		goto out;
	}
	ldns_rr_set_ttl(dnskey, minimum);
	if (ldns_dnssec_zone_add_rr(zone, dnskey) != LDNS_STATUS_OK ||
	    !ldns_rr_list_push_rr(added, dnskey)) {
		ldns_rr_free(dnskey);
		rc = zf_error(c, c->file, 0, "out of memory");
		goto out;
	}
	ldns_key_set_inception(key, now - DNSSEC_INCEPTION_BEFORE);
	ldns_key_set_expiration(key, now + DNSSEC_EXPIRATION_AFTER);
	ldns_key_list_push_key(keys, key);
	ldns_dnssec_zone_mark_glue(zone);
	if (dnssec_nsec3()) {
		/* RFC 9276 3.1: SHA-1, no opt-out, 0 iterations, no salt. */
		st = ldns_dnssec_zone_sign_nsec3(
		        zone, made, keys, ldns_dnssec_default_replace_signatures,
		        NULL, LDNS_SHA1, 0, 0, 0, NULL);
	} else {
		st = ldns_dnssec_zone_sign(zone, made, keys,
		                           ldns_dnssec_default_replace_signatures,
		                           NULL);
	}
	if (st != LDNS_STATUS_OK) {
		rc = zf_error(c, c->file, 0, "zone not signed: %s",
		              ldns_get_errorstr_by_id(st));
		goto out;
	}
	for (size_t i = 0; rc == 0 && i < ldns_rr_list_rr_count(added); i++) {
		rc = sign_add(c, ldns_rr_list_rr(added, i), buf);
	}
	for (size_t i = 0; rc == 0 && i < ldns_rr_list_rr_count(made); i++) {
		rc = sign_add(c, ldns_rr_list_rr(made, i), buf);
	}
out:
	if (keys != NULL) {
		ldns_key_list_set_key_count(keys, 0); /* the key is the store's */
		ldns_key_list_free(keys);
	}
	ldns_rr_list_free(made);  /* its RRs are the zone's */
	ldns_rr_list_free(added); /* so are these */
	ldns_dnssec_zone_deep_free(zone);
	free(buf);
	return rc;
}
