/*
 * responder/answer_int.h -- what answer.c (the answers of every query)
 * and answer_dnssec.c (the signed answers of queries with DO) share.
 * Not for other modules.
 */
#ifndef RESPONDER_ANSWER_INT_H
#define RESPONDER_ANSWER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "answer.h"
#include "wire.h"
#include "zone.h"

/* One RR of RS starting at P (owned by the question when OWNER_IS_Q);
 * returns the next record. */
const uint8_t *answer_put_rr(struct wire_writer *w, const uint8_t *owner,
                             bool owner_is_q, const struct zone_rrset *rs,
                             const uint8_t *p, uint32_t ttl);
void answer_put_rrset(struct wire_writer *w, const uint8_t *owner,
                      bool owner_is_q, const struct zone_rrset *rs);
/* Z's SOA for a negative answer; returns the records written (0 or 1). */
uint16_t answer_put_soa(struct wire_writer *w, const struct zone *z);
/* The addresses of RS's targets in Z (NS, MX, SRV); returns the count. */
uint16_t answer_put_additional(struct wire_writer *w, const struct zone *z,
                               const struct zone_rrset *rs);

/*
 * Alias chains and ANY (answer.c), with the RRSIGs of every RRset and the
 * denial of the negative end when DNSSEC has ANSWER_SIGNED (a query with
 * DO to a signed zone), less what its ANSWER_NO_* bits strip.
 */
size_t answer_chain_write(const struct zone_set *zs, struct zone_lookup lk,
                          const uint8_t *canon, size_t qlen, uint16_t qtype,
                          uint8_t *msg, size_t qend, size_t limit,
                          unsigned dnssec, struct answer_info *ai);

/*
 * DNSSEC (answer_dnssec.c).  answer_dnssec_compile(): note whether Z is
 * signed and sort its NSEC or NSEC3 chain (at load).  answer_put_sigs():
 * the RRSIGs at NODE that cover TYPE, owned by OWNER (or the question);
 * returns their count.  answer_put_denial(): the authority section of a
 * negative answer for NAME (canonical, LEN octets) that LK found in Z:
 * SOA, the NSEC or NSEC3 records that prove it, their RRSIGs; returns the
 * count.
 */
/*
 * answer_put_referral(): the referral at CUT from the signed zone Z: NS,
 * then DS and its RRSIG or the NSEC (NSEC3) proving there is no DS, in
 * authority; glue in additional (left out when it does not fit).  Sets
 * AI's ns_off, nscount and arcount.
 */
void answer_put_referral(struct wire_writer *w, const struct zone *z,
                         const struct zone_node *cut, struct answer_info *ai);
int answer_dnssec_compile(struct zone *z, struct zone_node **nodes, size_t n,
                          char *err, size_t errlen);
uint16_t answer_put_sigs(struct wire_writer *w, const uint8_t *owner,
                         bool owner_is_q, const struct zone_node *node,
                         uint16_t type);
uint16_t answer_put_denial(struct wire_writer *w, const struct zone *z,
                           const uint8_t *name, size_t len,
                           const struct zone_lookup *lk);

#endif /* RESPONDER_ANSWER_INT_H */
