/*
 * probe/lookup_ub.h -- reading what libunbound answers (lookup_ub.c).
 *
 * Pure code, so that unit tests and the fuzzer give it bytes of their
 * own: the answer packet goes through the same bounded reply parser as a
 * server's datagram (reply.h), and a bogus answer is never read as data.
 */
#ifndef PROBE_LOOKUP_UB_H
#define PROBE_LOOKUP_UB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "caa.h"
#include "lookup.h"
#include "reply.h"

/* libunbound's sec argument (unbound-event.h). */
enum {
	LOOKUP_UB_INSECURE = 0,
	LOOKUP_UB_BOGUS = 1,
	LOOKUP_UB_SECURE = 2,
};

/*
 * Reads one answer of libunbound to the CAA question for CHAIN's last
 * name into RES: RCODE as its callback gave it, PKT[0..LEN) the answer
 * packet (NULL when RCODE is an error), SEC and WHY (why_bogus, or NULL).
 * With VALIDATING, RES->dnssec says what SEC says; a bogus answer ends as
 * CAA_LOOKUP_RCODE with SERVFAIL, as a validating resolver answers, the
 * RFC 8914 code caa_dnssec_ede() derives from WHY and WHY as its text,
 * and no record of it is kept.  Returns true with *KIND when the lookup
 * ends, false when the chain grew and its new last name must be asked.
 */
bool lookup_ub_read(struct reply_chain *chain, bool validating, int rcode,
                    const uint8_t *pkt, size_t len, int sec, const char *why,
                    struct lookup_result *res, enum caa_lookup_kind *kind);

#endif /* PROBE_LOOKUP_UB_H */
