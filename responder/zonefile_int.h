/*
 * responder/zonefile_int.h -- what zonefile.c (master files through ldns),
 * zonefile_record.c (one record entry), zonefile_fast.c (the common
 * record lines without ldns) and zonefile_edit.c (records added over the
 * API) share.  Not for other modules; unit tests include it to compare
 * the two readers.
 */
#ifndef RESPONDER_ZONEFILE_INT_H
#define RESPONDER_ZONEFILE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <ldns/ldns.h>

struct zone;
struct zone_arena;
struct zone_edits;
struct zone_rec;
struct zone_set;

/* The file name of the root zone that takes API records no file reaches. */
#define ZF_API_FILE "(records added over the API)"

/*
 * The records of one zone between reading its file (or taking them from
 * a built zone) and building it.  Everything a build uses lives here or
 * on its stack: builds run in the rebuild thread.
 */
struct zf_ctx {
	struct zone_arena *scratch; /* records read live here until the build */
	struct zone_rec *recs;
	size_t nrecs;
	size_t caprecs;
	const uint8_t *soa_owner; /* canonical */
	size_t soa_ownerlen;
	const char *soa_file;
	int soa_line;
	char *entry;   /* ZF_ENTRY_MAX */
	uint8_t *wire; /* WIRE_MSG_MAX octets for a record, made when needed */
	ldns_rdf *unset; /* zf_origin_unset(), made when needed */
	const char *file;
	char *err;
	size_t errlen;
};

/*
 * Fill C's ERR with "FILE:LINE: " (no line when LINE is 0, nothing when
 * FILE is NULL) and the message.  Returns -EINVAL.
 */
int zf_error(struct zf_ctx *c, const char *file, int line, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/*
 * Add a record read at FILE:LINE: OWNER (wire, as written: it is lowered
 * here) and RDATA (uncompressed wire) are copied.  Tracks the SOA.
 * Returns 0 or -EINVAL with ERR filled.
 */
int zf_rec_add(struct zf_ctx *c, const char *file, int line,
               const uint8_t *owner, size_t ownerlen, const uint8_t *rdata,
               size_t rdlen, uint32_t ttl, uint16_t type);

/* S past its leading white space. */
const char *zf_skip_space(const char *s);

/*
 * CAA presentation RDATA S (RFC 8659 4.1.1: flags, tag, value; quoted or
 * bare; the value may pass 255 octets) into WIRE (WIRE_MSG_MAX octets).
 * Returns the length, or -1 with WHY set.
 */
long zf_caa_wire(const char *s, uint8_t *wire, const char **why);

/*
 * Parse the record entry E (no directive) read at FILE:LINE with ldns, as
 * ldns_rr_new_frm_str() reads it (default TTL, ORIGIN, PREV owner), and
 * add it to C.  Returns 0 or -EINVAL with ERR filled.
 */
int zf_record(struct zf_ctx *c, const char *file, int line, const char *e,
              uint32_t ttl, ldns_rdf *origin, ldns_rdf **prev);

/*
 * Read ARG, "[ORIGIN=]FILE" (zone_set_load()), a zone: an SOA and records
 * inside it, into C.
 */
int zf_read_zone(struct zf_ctx *c, const char *arg);

/*
 * Origins (zonefile_origin.c).  zf_source_split() splits ARG as
 * zone_set_load() reads it: *FILE points into ARG, *ORIGIN is a new rdf
 * (NULL when ARG names none).  Returns 0, or -EINVAL with ERR (no file
 * name in it) when ORIGIN is not a domain name.
 */
int zf_source_split(const char *arg, const char **file, ldns_rdf **origin,
                    char *err, size_t errlen);

/* The origin "zones/example.test.zone" implies, example.test., or NULL. */
ldns_rdf *zf_origin_from_name(const char *file);

/*
 * The stand-in origin records are read against while a file has none
 * (C owns it; NULL when out of memory), and the check after: a name of RR
 * that ends in it was relative, and ERR says so at FILE:LINE (-EINVAL).
 */
const ldns_rdf *zf_origin_unset(struct zf_ctx *c);
int zf_origin_check(struct zf_ctx *c, const char *file, int line,
                    const ldns_rr *rr);

/* Free what C holds (ERR is the caller's) and zero it. */
void zf_ctx_clear(struct zf_ctx *c);

/*
 * Build the zone C holds into ZS (records of type 0, removed by an edit,
 * left out).  Frees C's records on the way.  Returns 0 or a negative
 * errno with ERR filled.
 */
int zf_build_zone(struct zone_set *zs, struct zf_ctx *c);

/*
 * Signing at load (zonefile_sign.c).  zf_sign_wanted(): --dnssec is on
 * and C holds no DNSKEY and no RRSIG (a zone signed already is served as
 * it is).  zf_sign_zone(): add the DNSKEY, the DS of the child zones
 * signed here, the NSEC or NSEC3 chain and every RRSIG to C's records.
 * Returns 0 or a negative errno with ERR filled.  zf_sign_made_type():
 * the types the signer makes, dropped before a signed zone is signed
 * again.
 */
bool zf_sign_wanted(const struct zf_ctx *c);
int zf_sign_zone(struct zf_ctx *c);
bool zf_sign_made_type(uint16_t type);

/*
 * Apply the edits ED to the zones read into CTX[0..*N), in order.  A
 * record no zone reaches starts a root zone in CTX[*N] (room for one is
 * the caller's) and *N grows.  Returns 0 or a negative errno, ERR filled.
 */
int zf_apply_edits(struct zf_ctx *ctx, size_t *n, const struct zone_edits *ed);

/* True for the API's root zone once it holds nothing but its SOA: it is
 * then not built (names outside every zone file get REFUSED again). */
bool zf_ctx_is_spent(const struct zf_ctx *c);

/*
 * The fast reader (zonefile_fast.c).  It reads a master file a physical
 * line at a time and parses the common record lines itself: owner
 * (relative, absolute, "@" or blank), a decimal TTL, class IN, and A,
 * AAAA, NS, CNAME, PTR, DNAME, MX, SRV, TXT or CAA with plain data.  It
 * stops at anything else (directives, parentheses, escapes, comment-only
 * and blank lines, other types, errors) with the stream where ldns reads
 * the next entry from, so that ldns reads exactly what it would have read
 * alone: records, line numbers and messages come out the same either way.
 */
struct zf_fast;

/* On unless a test turns it off to compare both readers. */
extern bool zf_fast_enabled;

/*
 * A fast reader for F (open, at its start), or NULL when it is off or F
 * cannot seek.  Free with zf_fast_free().
 */
struct zf_fast *zf_fast_new(FILE *f);
void zf_fast_free(struct zf_fast *fr);

/*
 * Read and add the record lines at the stream's position while they are
 * plain (after ldns read entries, it goes on where ldns stopped, with the
 * *PREV owner ldns left).  *LINE counts lines as ldns_fget_token_l() does;
 * ORIGIN, TTL and *PREV as for zf_record().  Returns 0 with *EOF set at
 * the end of the file, else with the stream at the start of the first
 * line left to ldns and *PREV the owner ldns must take as the previous
 * one.  A negative errno (ERR filled) when a record cannot be added.
 */
int zf_fast_read(struct zf_fast *fr, struct zf_ctx *c, const char *file,
                 int *line, uint32_t ttl, const ldns_rdf *origin,
                 ldns_rdf **prev, bool *eof);

#endif /* RESPONDER_ZONEFILE_INT_H */
