/*
 * responder/rebuild.h -- new zone data built beside the event loop.
 *
 * Reloads (SIGHUP, POST /reload) and record changes over the API build a
 * new zone set in a thread of their own while the serving set keeps
 * answering; when the new set is complete, the event loop swaps it in
 * with one pointer (query_env.zones) and the old set is freed in that
 * thread too.  The query path never waits for a build.  As Knot's RCU and
 * NSD's reload process do.
 *
 * Requests are served in the order they came, one build at a time.
 * Changes that arrive while a build runs wait, and go together in the
 * next build; each still gets its own answer.  When such a shared build
 * fails, each change is built again on its own, so that one change that
 * cannot be built does not fail the others.  A reload is never merged
 * with changes (consecutive reloads are: one read of the files answers
 * them all).
 *
 * Views (--view) are zone sets of their own, served to some clients
 * instead of the common set: a reload reads their files too, and a change
 * (an API record edit) applies to the common set and to every view alike,
 * each keeping its own difference from its files.  All the sets of a job
 * are swapped in together, or none when one of them fails.
 *
 * Everything here but the thread itself runs in the event loop's thread:
 * the callbacks, the swap, the API's list of edits.
 */
#ifndef RESPONDER_REBUILD_H
#define RESPONDER_REBUILD_H

#include <stddef.h>

struct event_base;
struct query_env;
struct zone_edits;
struct zone_set;

/*
 * How a request ended, called in the event loop's thread: RC 0 when the
 * new data serves (or nothing had to change); -EINVAL with ERR (a zone
 * file or rules file does not load, or the change does not build); -ENOMEM;
 * -ECANCELED when the server stops first.  REMOVED: the records a change
 * removed (with views: the most any one set removed).
 */
typedef void (*rebuild_done_fn)(void *arg, int rc, const char *err,
                                size_t removed);

/* A view's files and where the set that serves it is read from. */
struct rebuild_view {
	const char *const *files; /* borrowed */
	size_t nfiles;
	struct zone_set *zones;      /* serving now; taken */
	const struct zone_set **slot; /* *SLOT follows every swap */
};

struct rebuild_config {
	struct event_base *base;
	const char *const *files; /* the zone files a reload reads; borrowed */
	size_t nfiles;
	struct zone_set *zones;   /* the set serving now; taken */
	struct query_env *env;    /* ENV->zones follows every swap */
	const struct rebuild_view *views; /* --view; copied, zones taken */
	size_t nviews;
	/*
	 * A reload's zones are built: called before they are swapped in
	 * (main.c reads the rules files here, so that zones and rules change
	 * together).  Returns 0, or non-zero with ERR filled: the new zones
	 * are dropped.  NULL: nothing to do.
	 */
	int (*reload_hook)(void *arg, const struct zone_set *zs, char *err,
	                   size_t errlen);
	void *hook_arg;
};

struct rebuild;

/*
 * Start the thread.  Returns a new rebuild (free with rebuild_free()) or
 * NULL with ERR filled; CFG->zones and the views' zones are taken either
 * way.
 */
struct rebuild *rebuild_new(const struct rebuild_config *cfg, char *err,
                            size_t errlen);

/*
 * Stop: waits for a build that runs, ends every request still waiting
 * with -ECANCELED, frees the sets.  Accepts NULL.
 */
void rebuild_free(struct rebuild *rb);

/* The common set serving now. */
const struct zone_set *rebuild_zones(const struct rebuild *rb);

/*
 * The API's record edits: the difference from the common zone files
 * (zone.h).
 */
const struct zone_edits *rebuild_edits(const struct rebuild *rb);

/*
 * Read the zone files again and apply the API's edits; DONE(ARG) once the
 * new set serves or could not be made.  Returns 0, or -ENOMEM (DONE is
 * not called).
 */
int rebuild_reload(struct rebuild *rb, rebuild_done_fn done, void *arg);

/*
 * Apply the edits CH (zone_edits_add() and friends; taken) as one change
 * to the serving records; DONE(ARG) once the result serves or the change
 * failed (then nothing of it applies).  Returns 0, or -ENOMEM (CH freed,
 * DONE not called).
 */
int rebuild_change(struct rebuild *rb, struct zone_edits *ch,
                   rebuild_done_fn done, void *arg);

#endif /* RESPONDER_REBUILD_H */
