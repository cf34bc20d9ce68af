/*
 * responder/query_dnssec.h -- the DNSSEC fault actions (docs/faults.md):
 * a signed answer made wrong the way a broken signer makes it wrong.
 */
#ifndef RESPONDER_QUERY_DNSSEC_H
#define RESPONDER_QUERY_DNSSEC_H

#include <stddef.h>
#include <stdint.h>

#include "answer.h"
#include "fault.h"

struct zone_set;

/*
 * Apply the DNSSEC action A (FAULT_IS_DNSSEC) to the honest answer of a
 * query with DO in OUT[QEND..END) (AI its counts; arguments as
 * answer_write_dnssec()).  sig-strip and nsec-strip write the answer
 * again without those records; the others change records in place and
 * sign the RRsets they touch again with the zone's key when this process
 * holds it (per query: only faulted answers are signed so).  Returns the
 * new end.
 */
size_t query_dnssec_fault(enum fault_action a, const struct zone_set *zs,
                          const uint8_t *canon, size_t qlen, uint16_t qtype,
                          uint8_t *out, size_t qend, size_t end, size_t limit,
                          struct answer_info *ai);

#endif /* RESPONDER_QUERY_DNSSEC_H */
