/*
 * gate/state.h -- what the gate learned from the replies it relayed.
 *
 * Authorizations by path, their challenges by path, orders by path and by
 * finalize path, and what the CAA step decided for them.  Bounded: at most
 * STATE_AUTHZ_MAX authorizations and STATE_ORDERS_MAX orders; when full,
 * the oldest is forgotten (first in, first out), so memory stays bounded
 * whatever the clients do.  Pure (no sockets), unit-tested.
 */
#ifndef GATE_STATE_H
#define GATE_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "acme_obj.h"

#define STATE_AUTHZ_MAX  65536
#define STATE_ORDERS_MAX 65536

struct state_authz {
	char *path;
	struct acme_authz a; /* identifier, wildcard, challenges */
	bool validated;      /* a challenge POST was allowed, at ... */
	double validated_at; /* ... this monotonic time, in seconds */
	char *method;        /* ... for this challenge type */
	char *failed;        /* the invalid challenge (JSON) once CAA
	                        refused, else NULL */
	char *failed_path;   /* its path */
};

struct state_order {
	char *path;
	struct acme_order o; /* authorization paths, identifiers, finalize */
	char *error;         /* the finalize problem (JSON) once the recheck
	                        refused, else NULL */
};

struct state;

/* A new, empty store; NULL without memory. */
struct state *state_new(void);
void state_free(struct state *s);

/*
 * Learns the authorization A at PATH (A moved in: cleared on return).
 * One already known keeps what it had.  Returns it, or NULL without
 * memory.
 */
struct state_authz *state_authz_learn(struct state *s, const char *path,
                                      struct acme_authz *a);
struct state_authz *state_authz_find(const struct state *s,
                                     const char *path);
/* The authorization of the challenge at PATH; *INDEX its challenge. */
struct state_authz *state_challenge_find(const struct state *s,
                                         const char *path, size_t *index);

/* As state_authz_learn(), for an order. */
struct state_order *state_order_learn(struct state *s, const char *path,
                                      struct acme_order *o);
struct state_order *state_order_find(const struct state *s,
                                     const char *path);
struct state_order *state_finalize_find(const struct state *s,
                                        const char *path);

/* True when an authorization of O is known to have failed. */
bool state_order_failed(const struct state *s, const struct state_order *o);

/* How many authorizations and orders are held now. */
size_t state_authz_count(const struct state *s);
size_t state_order_count(const struct state *s);

#endif /* GATE_STATE_H */
