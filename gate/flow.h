/*
 * gate/flow.h -- the ACME flow: which request is what, and the CAA step.
 *
 * Hooked into the relay (relay.h on_request/on_reply).  From the replies
 * it relays it learns authorizations, orders and the directory's newNonce
 * (state.h).  A challenge POST (a POST with a non-empty JWS payload to a
 * learned challenge URL) waits for a CAA decision (decide.h): allowed, it
 * goes on unchanged; refused, the client gets the challenge invalid with
 * Let's Encrypt's problem, and from then on that authorization and its
 * orders read invalid.  A finalize POST waits, when --recheck applies,
 * for the decisions of the order's identifiers.  Replies the gate writes
 * carry a fresh Replay-Nonce from the upstream's newNonce (none when the
 * gate never saw the directory).
 */
#ifndef GATE_FLOW_H
#define GATE_FLOW_H

#include "config.h"
#include "decide.h"
#include "relay.h"

struct flow;

/* A new flow on R and D (both borrowed); NULL without memory. */
struct flow *flow_new(struct relay *r, struct decide *d,
                      const struct gate_config *cfg);
void flow_free(struct flow *f);

/* The relay's hooks; HOOK is a struct flow. */
int flow_request(void *hook, struct evhttp_request *req);
int flow_reply(void *hook, struct evhttp_request *req,
               struct evhttp_request *up);

#endif /* GATE_FLOW_H */
