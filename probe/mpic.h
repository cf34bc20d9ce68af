/*
 * probe/mpic.h -- a name checked from the primary and the remote
 * perspectives, as Boulder's VA does it (va/caa.go DoCAA, va/va.go
 * doRemoteOperation).
 *
 * The primary is the lookup client of -s/-r; each --perspective gets a
 * client of its own (its own sockets, or its own libunbound context and
 * cache), bound to its from= address, asking its server= or what the
 * primary asks.  The primary decides first: unless it permits issuance,
 * that is the verdict and no remote is asked.  Otherwise every remote
 * checks the same name at once (check_start()), and the quorum
 * (perspective.h) decides: when it fails, the verdict is the first
 * failing remote's (in --perspective order), denied or lookup-failed,
 * with the reason "During secondary validation: While processing CAA for
 * NAME: " and that remote's reason; when every remote corroborates but
 * too few RIRs, Boulder's "During secondary validation: validation failed
 * but the problem is unavailable" (lookup-failed).  The remotes' checks
 * stay on the primary's (check.h: remotes) for the report.
 */
#ifndef PROBE_MPIC_H
#define PROBE_MPIC_H

#include <stddef.h>

#include "check.h"
#include "lookup.h"
#include "perspective.h"

struct event_base;
struct mpic;

/*
 * The primary client of PRIMARY and one client per perspective of P (both
 * borrowed; P must outlive the result) on BASE.  NULL with a message in
 * ERR[0..ERRLEN) when a client cannot start ("--perspective NAME: ...").
 */
struct mpic *mpic_new(struct event_base *base,
                      const struct lookup_config *primary,
                      const struct persp_opts *p, char *err, size_t errlen);

/*
 * Ends every check in flight on M's clients (lookup_client_end()): their
 * callbacks run now, each with a lookup failure.  Accepts NULL.
 */
void mpic_end(struct mpic *m);

/* Frees M and its clients; every check must have ended.  Accepts NULL. */
void mpic_free(struct mpic *m);

/* As check_start() (check.h), from the primary and then the remotes. */
int mpic_start(struct mpic *m, const struct caa_request *req,
               const char *name, size_t index,
               void (*done)(void *arg, struct check *chk), void *arg);

/* As check_reject(), the perspectives named (none asked) in the result. */
int mpic_reject(struct mpic *m, const char *input, const char *reason,
                size_t index, void (*done)(void *arg, struct check *chk),
                void *arg);

#endif /* PROBE_MPIC_H */
