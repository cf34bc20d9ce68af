/*
 * responder/zone.h -- zone data: load master files, find the node a query
 * is about.
 *
 * A zone_set is built from master files (ldns reads them) and is
 * read-only while it serves.  A reload or a change builds a new set, in
 * the rebuild thread (rebuild.h) while the old one answers, and the event
 * loop swaps it in.  Every node carries answers compiled at load time
 * (answer.h), so that a query costs a hash lookup and a copy.
 */
#ifndef RESPONDER_ZONE_H
#define RESPONDER_ZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

/*
 * A compiled answer: the answer, authority and additional sections as they
 * follow the question, for a canonical question name of CANON_QLEN octets.
 * For another question name that ends in the same suffix, every pointer
 * listed in FIX moves by the difference in length (answer_write()).
 */
struct zone_blob {
	uint8_t *wire;   /* sections, ready to copy */
	uint16_t *fix;   /* offsets in WIRE of pointers to relocate */
	uint32_t len;    /* octets in WIRE */
	uint32_t ar_off; /* where the additional section starts in WIRE */
	uint16_t nfix;
	uint16_t ancount;
	uint16_t nscount;
	uint16_t arcount;
	uint8_t canon_qlen;
};

/* The records of one type at one name, in uncompressed wire form. */
struct zone_rrset {
	uint16_t type;
	uint16_t count;
	uint32_t ttl;      /* of the first record, for DNAME synthesis */
	uint8_t *rdata;    /* count x (ttl:32 rdlen:16 rdata) */
	uint32_t rdlen;    /* octets in RDATA */
	struct zone_blob answer; /* the positive answer for this type */
};

struct zone;

struct zone_node {
	uint8_t *name; /* canonical wire name */
	struct zone *zone;
	struct zone_node *parent; /* NULL at the apex */
	/* Topmost delegation at or above this node (apex excluded). */
	const struct zone_node *cut;
	/* Topmost DNAME strictly above this node. */
	const struct zone_node *dname;
	struct zone_rrset *rrsets; /* sorted by type */
	uint16_t nrrsets;
	uint8_t namelen;
	bool wildcard_child; /* "*" + this name exists */
	uint32_t build_index; /* while its zone is built (zone_build.c) */
	struct zone_blob referral; /* when this node is a cut */
};

struct zone_store;

struct zone {
	uint8_t *origin; /* canonical */
	uint8_t originlen;
	uint8_t labels; /* of the origin */
	char *file;
	struct zone_node *apex;
	struct zone_blob negative; /* SOA in authority, for NXDOMAIN/NODATA */
	size_t records;
	struct zone_store *store; /* its memory and nodes (zone_int.h) */
	bool signed_here; /* signed at load (--dnssec, zonefile_sign.c) */
	/*
	 * DNSSEC at query time (answer_dnssec.c), set when compiled: the
	 * apex holds a DNSKEY; the nodes owning the NSEC records in
	 * canonical order (RFC 4034 6.1), or with NSEC3 those owning the
	 * NSEC3 records of the NSEC3PARAM's hash, by hash.
	 */
	bool dnssec;
	bool nsec3;
	uint8_t nsec3_saltlen;
	uint16_t nsec3_iter;
	const uint8_t *nsec3_salt;
	const struct zone_node **chain;
	size_t nchain;
};

struct zone_set;

/*
 * Load the master files FILES[0..N).  Each file is one zone whose origin is
 * its SOA owner ($ORIGIN and $INCLUDE honoured).  FILES[i] is
 * "[ORIGIN=]FILE": ORIGIN (absolute, with or without its dot) is the
 * origin FILE starts with, as if it began with "$ORIGIN ORIGIN"; without
 * it, a file named NAME.zone starts with NAME. and others with none.  An
 * existing file is a file, even with '=' in its name.  A relative name
 * read while there is no origin is an error.  Returns a new set (free
 * with zone_set_free()) or NULL with ERR filled as "file:line: reason".
 */
struct zone_set *zone_set_load(const char *const *files, size_t n, char *err,
                               size_t errlen);

void zone_set_free(struct zone_set *zs);

/*
 * Check ARG as zone_set_load() reads it, without reading the file: 0, or
 * -EINVAL with ERR saying why its ORIGIN is not a domain name.
 */
int zone_source_check(const char *arg, char *err, size_t errlen);

/*
 * Records added and removed at run time (the management API).  A list of
 * edits serves two purposes:
 *
 * - A change: the edits of one or more API requests, applied in order to
 *   the records the serving set holds (zone_set_change()).  No file is
 *   read; zones the edits do not reach are shared with the new set.
 * - The API's difference from the zone files: zone_set_change() keeps it
 *   up to date and a reload (SIGHUP, POST /reload) applies it, in order,
 *   to the records of the files it reads (zone_set_load_edits()), so API
 *   records survive reloads.  It stays as long as the difference: adding
 *   a record that is served already adds nothing, an add and its delete
 *   leave nothing, a delete of records only the API added leaves nothing,
 *   a delete of file records stays as one edit (replacing the edits of
 *   that name and type before it).
 *
 * A record added where no zone file reaches goes to a zone of the root
 * with a made-up SOA (as pebble-challtestsrv answers for any name); that
 * zone goes again once it holds nothing but the SOA.
 */
struct zone_edits;

/*
 * The RDATA of that zone's SOA (ns.caalab.invalid. hostmaster.caalab.invalid.
 * 1 3600 600 86400 0; TTL 0), also what a name outside every zone gets
 * in authority when default addresses make it exist (query.h).
 */
#define ZONE_API_SOA_LEN 66
extern const uint8_t zone_api_soa[ZONE_API_SOA_LEN];

struct zone_edits *zone_edits_new(void);
void zone_edits_free(struct zone_edits *ed);
void zone_edits_clear(struct zone_edits *ed);
size_t zone_edits_count(const struct zone_edits *ed);

/* A copy of ED (NULL: an empty list); NULL when out of memory. */
struct zone_edits *zone_edits_copy(const struct zone_edits *ed);

/*
 * Add the record TEXT, one master-file line with an absolute owner
 * ("x.test. 60 IN CAA 0 issue \"ca.test\""; TTL 60 when left out).  Returns
 * 0, or -EINVAL with ERR saying why (nothing added).
 */
int zone_edits_add(struct zone_edits *ed, const char *text, char *err,
                   size_t errlen);

/* Remove the record TEXT (data compared) wherever it is. */
int zone_edits_remove_rr(struct zone_edits *ed, const char *text, char *err,
                         size_t errlen);

/* Remove every record of TYPE (0: every type but SOA) at NAME. */
int zone_edits_remove(struct zone_edits *ed, const char *name, uint16_t type,
                      char *err, size_t errlen);

/*
 * zone_set_load(), then the edits ED (may be NULL) applied in order.
 * Reads the files: for reloads.
 */
struct zone_set *zone_set_load_edits(const char *const *files, size_t n,
                                     const struct zone_edits *ed, char *err,
                                     size_t errlen);

/*
 * The set BASE with the changes CH[0..N) applied in order, each a list of
 * edits; REMOVED[k] gets the number of records CH[k] removed.  ED, the
 * API's difference from the files (see above), is brought up to date.
 * Only the zones the edits reach are built again, from BASE's records;
 * the others are shared.  BASE is only read, so it may serve meanwhile,
 * and nothing here is static: it runs in the rebuild thread.  Returns 0
 * with *OUT the new set (free with zone_set_free()), or NULL when no
 * record changed; or a negative errno with ERR filled (ED may then be
 * part-way: work on a copy).
 */
int zone_set_change(const struct zone_set *base,
                    const struct zone_edits *const *ch, size_t n,
                    size_t *removed, struct zone_edits *ed,
                    struct zone_set **out, char *err, size_t errlen);

/*
 * The records of the zones only ZS holds (not shared with another set):
 * what zone_set_free() would give back.  Only while no other thread makes
 * or frees sets.
 */
size_t zone_set_own_records(const struct zone_set *zs);

size_t zone_set_zone_count(const struct zone_set *zs);
const struct zone *zone_set_zone(const struct zone_set *zs, size_t i);
size_t zone_set_record_count(const struct zone_set *zs);

/* How a name relates to the zone data (RFC 1034 4.3.2). */
enum zone_match {
	ZONE_MATCH_NONE = 0, /* no zone covers the name: REFUSED */
	ZONE_MATCH_EXACT,    /* NODE is the name */
	ZONE_MATCH_WILDCARD, /* NODE is the "*" node that covers the name */
	ZONE_MATCH_NXDOMAIN, /* no such name; ZONE is the zone */
	ZONE_MATCH_CUT,      /* at or below the delegation NODE */
	ZONE_MATCH_DNAME,    /* below the DNAME at NODE */
};

struct zone_lookup {
	enum zone_match match;
	const struct zone *zone;
	const struct zone_node *node;
};

/*
 * Find what answers NAME (canonical, LEN octets) for QTYPE.  QTYPE matters
 * only for DS, which belongs to the parent side: at a delegation point,
 * and at a zone's apex, which the next loaded zone up answers for DS (RFC
 * 4035 3.1.4.1; the zone itself when none is loaded).
 */
void zone_lookup(const struct zone_set *zs, const uint8_t *name, size_t len,
                 uint16_t qtype, struct zone_lookup *out);

/* Same, inside one zone only (CNAME chains stay in their zone). */
void zone_lookup_in(const struct zone *z, const struct zone_set *zs,
                    const uint8_t *name, size_t len, uint16_t qtype,
                    struct zone_lookup *out);

/* The RRset of TYPE at NODE, or NULL. */
const struct zone_rrset *zone_node_rrset(const struct zone_node *node,
                                         uint16_t type);

#endif /* RESPONDER_ZONE_H */
