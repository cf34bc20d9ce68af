/*
 * probe/trace_int.h -- what the parts of --trace share (trace.c, the
 * orchestration; trace_resolve.c, zones and addresses through the
 * probe's resolver; trace_ask.c, every address asked directly).  Not for
 * other modules.
 */
#ifndef PROBE_TRACE_INT_H
#define PROBE_TRACE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace.h"

struct trace_resolver;
struct ldns_struct_pkt; /* ldns_pkt */

/* Returns a resolver as CFG says (libunbound from the root hints for
 * LOOKUP_RECURSIVE, else the server of CFG with RD set), or NULL with a
 * message in ERR[0..ERRLEN). */
struct trace_resolver *trace_resolver_new(const struct lookup_config *cfg,
                                          char *err, size_t errlen);

/* Frees R; accepts NULL. */
void trace_resolver_free(struct trace_resolver *r);

/*
 * Does NAME (text, no final dot) own an NS RRset, in the answer or in the
 * authority section (a referral from an authoritative server)?  Fills
 * NS[0..*NNS) (at most TRACE_NS_MAX names, text without the final dot,
 * in the order received) when it does and returns 1; returns 0 when it
 * does not, or -1 when the question failed, with why in WHY[0..WHYLEN)
 * ("SERVFAIL", "timeout", ...).
 */
int trace_resolver_ns(struct trace_resolver *r, const char *name,
                      char ns[][TRACE_NAME_TEXT], size_t *nns, char *why,
                      size_t whylen);

/*
 * Appends to OUT[*N..MAX) one answer per address of the nameserver NS
 * (its A records, then its AAAA records, at most TRACE_ADDR_MAX of each),
 * the port PORT.  Returns the number added (0: no address, or the
 * questions failed).
 */
size_t trace_resolver_addresses(struct trace_resolver *r, const char *ns,
                                int port, struct trace_answer *out, size_t *n,
                                size_t max);

/*
 * The reading behind trace_resolver_ns() and trace_resolver_addresses(),
 * on the reply PKT to the NS question for NAME, or to the question NS
 * TYPE (1 A, 28 AAAA; records of another type are skipped), so that the
 * fuzzer gives them packets of its own.
 */
int trace_ns_read(const struct ldns_struct_pkt *pkt, const char *name,
                  char ns[][TRACE_NAME_TEXT], size_t *nns, char *why,
                  size_t whylen);
void trace_addresses_read(const struct ldns_struct_pkt *pkt, const char *ns,
                          int port, int type, struct trace_answer *out,
                          size_t *n, size_t max);

/*
 * Reads MSG[0..LEN), a reply to the CAA query with ID for QNAME (wire
 * form, QLEN octets), into A: error, rcode, aa and the CAA records owned
 * by QNAME, through the lookups' parser (reply_parse()); *TC when it was
 * truncated.  Returns false when MSG is not that reply (keep waiting).
 */
bool trace_reply_read(struct trace_answer *a, const uint8_t *msg, size_t len,
                      uint16_t id, const uint8_t *qname, size_t qlen, bool *tc);

/* Questions asked at once, each holding a socket, at most: all the
 * addresses of one zone (TRACE_NS_MAX nameservers, TRACE_ADDR_MAX of each
 * family).  A climb has CAA_CANDIDATES_MAX names at most, so up to 127
 * times this; the rest wait for a socket to free. */
#define TRACE_ASK_OPEN (TRACE_NS_MAX * 2 * TRACE_ADDR_MAX)

/* TRACE_ASK_OPEN, or less when RLIMIT_NOFILE leaves fewer descriptors
 * (some kept for the rest of the probe); at least 1. */
size_t trace_ask_open_max(void);

/*
 * Asks every address of every name of NAMES[0..NNAMES) for the CAA RRset
 * of its name, all at once, RD clear: UDP, TCP after a truncated reply,
 * TIMEOUT_MS per try, TRIES tries (only timeouts are retried); each
 * question waits TIMEOUT_MS per TCP step too.  At most MAX_OPEN questions
 * are in flight: the others are asked as those end, and so is a question
 * refused a descriptor while others are in flight.  Fills error, rcode,
 * aa, the records and ms (from the question's first query) of each
 * answer; answers without an address (family 0) are left as they are.
 * Returns 0 or -ENOMEM.
 */
int trace_ask(struct trace_name *names, size_t nnames, int timeout_ms,
              int tries, size_t max_open);

#endif /* PROBE_TRACE_INT_H */
