/*
 * responder/control.h -- the HTTP/JSON management API (DESIGN.md,
 * "Management API"), with pebble-challtestsrv's endpoints.
 *
 * caa-responder -c ADDR:PORT serves it on libevent's evhttp, in the same
 * event loop as the DNS sockets, so a change is in place before the next
 * query is read.  Every change is all or nothing: bad input gets 400 with
 * the reason and leaves rules, records and history as they were.
 *
 * Records.  The API keeps the record changes as a list of edits
 * (zone.h: zone_edits) and a change rebuilds the zone set from the zone
 * files and every edit (zone_set_load_edits()); the new set replaces the
 * serving one only when it builds.  The edits also apply on every reload
 * (control_edits()).
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
struct net;
struct net_listen;
struct query_env;
struct zone_edits;
struct zone_set;

#define CONTROL_BODY_MAX 1048576 /* 1 MiB: larger bodies get 413 */

/* Everything the API changes or reads; borrowed until control_free(). */
struct control_config {
	const struct net_listen *addr; /* where to listen (port 0: any) */
	const char *token;             /* NULL: no authorization */
	const char *const *zone_files; /* what a record change rebuilds */
	size_t nzone_files;
	/*
	 * The serving zone set: a record change stores the new set here and
	 * in ENV->zones and frees the old one.
	 */
	struct zone_set **zones;
	struct query_env *env; /* its defaults are set by the API */
	struct fault_set *faults;
	struct history *history;
	const struct net *net; /* GET /stats; NULL: all zero */
	/*
	 * POST /reload: what SIGHUP does.  Returns 0, or non-zero with ERR
	 * saying why (then the old data still serves).
	 */
	int (*reload)(void *arg, char *err, size_t errlen);
	void *reload_arg;
};

struct control;

/* True for 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104. */
bool control_addr_is_loopback(const struct sockaddr *sa);

/*
 * Listen on CFG->addr and serve the API on BASE.  CFG is copied; what it
 * points to is borrowed.  Returns a new control (free with
 * control_free()), or NULL with ERR filled.
 */
struct control *control_new(struct event_base *base,
                            const struct control_config *cfg, char *err,
                            size_t errlen);

/* Close the listener and every connection and free CTL.  Accepts NULL. */
void control_free(struct control *ctl);

/*
 * "127.0.0.1:8055" or "[::1]:8055": the address actually bound, for the
 * ready line.  Returns the length it needs, as snprintf does.
 */
size_t control_address_format(const struct control *ctl, char *buf, size_t cap);

/*
 * The record edits made over the API, for a reload to apply
 * (zone_set_load_edits()); NULL when CTL is NULL.
 */
const struct zone_edits *control_edits(const struct control *ctl);

#endif /* RESPONDER_CONTROL_H */
