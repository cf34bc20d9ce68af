/*
 * gate/decide.h -- one CAA decision, as caa-probe makes it, and its words.
 *
 * A decision is one check_start() (probe/check.h) on the gate's event
 * loop with the lookups of -s/-p/--timeout/--tries and a caa_request of
 * --ca and --policy, the account URL (RFC 8657 accounturi) and the
 * validation method of that request.  Each decision is one line of the
 * -q log.  The problem documents are Let's Encrypt's (Boulder va/caa.go):
 *   denied         urn:ietf:params:acme:error:caa, 403,
 *                  "While processing CAA for NAME: REASON"
 *   lookup failed  urn:ietf:params:acme:error:dns, 400, the same detail
 *   invalid name   urn:ietf:params:acme:error:rejectedIdentifier, 400,
 *                  REASON (policy/pa.go's words)
 * REASON is caa-probe's (CAA record for X prevents issuance, DNS problem:
 * SERVFAIL looking up CAA for X - ...).
 */
#ifndef GATE_DECIDE_H
#define GATE_DECIDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "acme_obj.h"
#include "caa.h"
#include "config.h"

#define DECIDE_NAME_MAX (ACME_NAME_MAX + 3) /* "*." + value + NUL */

struct event_base;
struct decide;

/* What a decision ended with; all borrowed for the callback's time. */
struct decide_outcome {
	const char *name; /* the identifier, "*." included for a wildcard */
	enum caa_verdict verdict;
	const char *reason; /* "" when allowed */
};

typedef void (*decide_fn)(void *arg, const struct decide_outcome *out);

/*
 * The decisions of CFG (borrowed) on BASE, logging to LOG (borrowed; NULL:
 * no log).  NULL with ERR set when -s cannot be read or out of memory.
 */
struct decide *decide_new(struct event_base *base,
                          const struct gate_config *cfg, FILE *log, char *err,
                          size_t errlen);

/*
 * Frees D.  A decision still in flight ends first, its lookups with it:
 * DONE(ARG, NULL) is called (no verdict, no -q line) before this returns.
 * Accepts NULL.
 */
void decide_free(struct decide *d);

/*
 * Decides CAA for VALUE (a dns identifier; WILDCARD: "*.VALUE") for the
 * account ACCOUNT (NULL: none) and METHOD (NULL: none) at STEP
 * ("validation" or "finalize").  DONE(ARG, outcome) is called once, maybe
 * before decide_start() returns (a name the CA refuses), with a NULL
 * outcome when decide_free() ends the decision first.  Returns 0, or
 * -ENOMEM (DONE never called).
 */
int decide_start(struct decide *d, const char *step, const char *value,
                 bool wildcard, const char *account, const char *method,
                 decide_fn done, void *arg);

/* The problem type, status and detail of a verdict other than allowed. */
const char *decide_type(enum caa_verdict v);
int decide_status(enum caa_verdict v);
void decide_detail(const struct decide_outcome *o, char *buf, size_t size);

/* The problem document of O (JSON, a new string), or NULL. */
char *decide_problem(const struct decide_outcome *o);

#endif /* GATE_DECIDE_H */
