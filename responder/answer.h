/*
 * responder/answer.h -- answers: compiled once per zone, written per query.
 *
 * At load time every RRset, every delegation and every zone's negative
 * answer is written once into a "blob": the sections that follow the
 * question, compressed against a canonical question name.  A query whose
 * name is that name (or, for wildcards, NXDOMAIN and referrals, ends in
 * the same suffix) gets the blob copied with a few pointers moved.  Only
 * alias chains (CNAME, DNAME) and ANY are written at query time.
 */
#ifndef RESPONDER_ANSWER_H
#define RESPONDER_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct zone;
struct zone_node;
struct zone_set;

struct answer_info {
	uint8_t rcode; /* NOERROR, NXDOMAIN, REFUSED, YXDOMAIN */
	bool aa;
	bool tc; /* did not fit in LIMIT: no records written */
	uint16_t ancount;
	uint16_t nscount;
	uint16_t arcount;
	size_t ns_off; /* where the authority section starts in the message */
};

/*
 * Compile the answers of zone Z, whose nodes are NODES[0..N).  Blobs live
 * in Z's arena.  Reentrant: zones are compiled in the rebuild thread
 * while the event loop writes answers.  Returns 0, or a negative errno
 * with ERR filled.
 */
int answer_compile_zone(struct zone *z, struct zone_node **nodes, size_t n,
                        char *err, size_t errlen);

/*
 * Write the sections answering the question already in MSG (its name at
 * offset 12, QLEN octets; CANON is the same name lower-cased) for QTYPE.
 * The sections start at QEND and must end by LIMIT; what does not fit is
 * left out (the additional section first, then everything, with TC).
 * Returns the message length.  Allocates nothing.
 */
size_t answer_write(const struct zone_set *zs, const uint8_t *canon,
                    size_t qlen, uint16_t qtype, uint8_t *msg, size_t qend,
                    size_t limit, struct answer_info *ai);

/*
 * answer_write() for a query with the DO bit (RFC 3225, RFC 4035 3.1):
 * on a signed zone, the RRSIGs of every RRset in the answer and
 * authority sections, the DNSKEY at the apex, the NSEC or NSEC3 proofs
 * of NXDOMAIN, NODATA and wildcard answers, and DS (or the proof there is
 * none) with referrals; all made at load, none per query.  Elsewhere
 * what answer_write() writes.  A signed answer that does not fit LIMIT
 * gets TC and no records.  Allocates nothing.
 */
size_t answer_write_dnssec(const struct zone_set *zs, const uint8_t *canon,
                           size_t qlen, uint16_t qtype, uint8_t *msg,
                           size_t qend, size_t limit, struct answer_info *ai);

/*
 * What answer_write_dnssec_strip() leaves out of a signed answer (the
 * sig-strip and nsec-strip faults); ANSWER_SIGNED is answer.c's own.
 */
#define ANSWER_SIGNED   1u /* RRSIGs and proofs, as answer_write_dnssec() */
#define ANSWER_NO_RRSIG 2u /* no RRSIG records */
#define ANSWER_NO_NSEC  4u /* no NSEC or NSEC3 records, nor their RRSIGs */

size_t answer_write_dnssec_strip(const struct zone_set *zs,
                                 const uint8_t *canon, size_t qlen,
                                 uint16_t qtype, uint8_t *msg, size_t qend,
                                 size_t limit, unsigned strip,
                                 struct answer_info *ai);

/*
 * A NODATA answer for the question (NOERROR, the SOA of the zone that
 * answers QTYPE there in the authority section, nothing when no zone
 * covers it): what the nodata fault sends.  Arguments as answer_write().
 */
size_t answer_write_nodata(const struct zone_set *zs, const uint8_t *canon,
                           size_t qlen, uint16_t qtype, uint8_t *msg,
                           size_t qend, size_t limit, struct answer_info *ai);

#endif /* RESPONDER_ANSWER_H */
