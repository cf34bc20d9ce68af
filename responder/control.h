/*
 * responder/control.h -- the HTTP/JSON management API (docs/api.md),
 * with pebble-challtestsrv's endpoints.
 *
 * caa-responder -c ADDR:PORT serves it on libevent's evhttp, in the same
 * event loop as the DNS sockets.  Every change is all or nothing: bad
 * input gets 400 with the reason and leaves rules, records and history as
 * they were.  Rule changes are in place before the next query is read.
 *
 * Records.  A record change is parsed at once (a bad record gets 400
 * there and then) and handed to the rebuild thread (rebuild.h), which
 * applies it to the serving records of the zones it touches, never to the
 * files on disk; the request stays open until the new set serves, and
 * only then gets its reply.  Changes are applied in the order they came;
 * changes that arrive while a build runs share the next one, each with
 * its own reply.  The rebuild keeps the API's difference from the zone
 * files as a list of edits (zone.h) that every reload applies too
 * (control_edits()).  POST /reload likewise replies once the reloaded
 * data serves.
 *
 * Endpoints and status codes: see the table in control.c.  A body over
 * 1 MiB gets 413 before it is read; with a token, a request without
 * `Authorization: Bearer TOKEN` gets 401.
 */
#ifndef RESPONDER_CONTROL_H
#define RESPONDER_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

struct event_base;
struct fault_set;
struct history;
struct http01;
struct net;
struct net_listen;
struct query_env;
struct rebuild;
struct tlsalpn;
struct zone_edits;

#define CONTROL_BODY_MAX 1048576 /* 1 MiB: larger bodies get 413 */
#define CONTROL_ADDRS_MAX 16

/* Everything the API changes or reads; borrowed until control_free(). */
struct control_config {
	const struct net_listen *addr; /* where to listen (port 0: any) */
	size_t naddr; /* how many, up to CONTROL_ADDRS_MAX (0: one) */
	const char *token;             /* NULL: no authorization */
	/*
	 * Record changes and POST /reload go there; it must outlive every
	 * request it was given: free it (which ends them) before the
	 * control.
	 */
	struct rebuild *rebuild;
	struct query_env *env; /* its defaults are set by the API */
	struct fault_set *faults;
	struct history *history;
	const struct net *net; /* GET /stats; NULL: all zero */
	struct tlsalpn *tlsalpn; /* --tlsalpn01's server, or NULL */
	struct http01 *http01; /* --http01's tables; NULL: HTTP-01 is off */
};

struct control;

/* True for 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104. */
bool control_addr_is_loopback(const struct sockaddr *sa);

/*
 * Listen on CFG->addr[0..naddr) and serve the API on BASE.  CFG is copied; what it
 * points to is borrowed.  Returns a new control (free with
 * control_free()), or NULL with ERR filled.
 */
struct control *control_new(struct event_base *base,
                            const struct control_config *cfg, char *err,
                            size_t errlen);

/* Close the listener and every connection and free CTL.  Accepts NULL. */
void control_free(struct control *ctl);

/*
 * "127.0.0.1:8055" or "[::1]:8055": the addresses actually bound, for the
 * ready line, separated by " control=".  Returns the length it needs, as
 * snprintf does.
 */
size_t control_address_format(const struct control *ctl, char *buf, size_t cap);

/*
 * The record edits made over the API: their difference from the zone
 * files, which reloads apply (rebuild_edits()); NULL when CTL is NULL.
 */
const struct zone_edits *control_edits(const struct control *ctl);

#endif /* RESPONDER_CONTROL_H */
