/*
 * probe/check.h -- one name: candidates, their lookups at once, the verdict.
 *
 * RFC 8659 section 3 as Boulder runs it (va/caa.go parallelCAALookup): the
 * CAA RRsets of the name and of every parent up to the TLD are asked at
 * the same time, so a name costs about one round trip, then caa_check()
 * walks the results from the name upwards (selectCAA) and evaluates the
 * first non-empty RRset.
 */
#ifndef PROBE_CHECK_H
#define PROBE_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "caa.h"
#include "lookup.h"

struct check;

/* A remote perspective's check of the same name (mpic.h). */
struct check_remote {
	const char *name;  /* the perspective's; borrowed */
	const char *rir;   /* NULL: none given */
	struct check *chk; /* its check, once done; owned; NULL: not asked */
};

/* One name being checked, then its outcome; the report reads it. */
struct check {
	size_t index;                /* position in the input, as given */
	char *input;                 /* the name as given; owned */
	char name[CAA_NAME_MAX + 3]; /* as looked up: A-labels, lower case,
	                                no final dot, "*." kept; "" if
	                                invalid */
	char unicode[CAA_IDENT_UNICODE_MAX]; /* NAME with its xn-- labels
	                                        decoded; "" if invalid */
	enum caa_status name_status; /* CAA_OK, or why the name is invalid */
	struct caa_candidates cands;
	struct lookup_result *lookups; /* one per candidate; owned */
	size_t pending;                /* lookups not ended yet */
	struct check_remote *remotes;  /* --perspective, in order; owned;
	                                  NULL: none */
	size_t nremotes;
	size_t remotes_pending; /* remote checks not ended yet */
	bool remotes_asked;     /* the primary permitted: they decided */
	size_t corroborating;   /* of them, permitting issuance */
	bool verdict_only;             /* a remote's: no warnings */
	struct caa_result result;      /* the verdict, once done */
	const struct caa_request *req; /* borrowed */
	void (*done)(void *arg, struct check *chk);
	void *arg;
};

/*
 * Starts checking NAME, number INDEX of the input, for REQ (borrowed; must
 * outlive the check) with the lookups of CLIENT.  DONE(ARG, CHK) is called
 * once the verdict is in CHK->result; the callee owns CHK then
 * (check_free()).  A name the CA refuses (caa_ident_check()) ends at once
 * with no lookup: verdict CAA_INVALID, the CA's words as the reason, DONE
 * being called before check_start() returns.  Returns 0, or -ENOMEM (and
 * DONE is never called).
 */
int check_start(struct lookup_client *client, const struct caa_request *req,
                const char *name, size_t index,
                void (*done)(void *arg, struct check *chk), void *arg);

/*
 * As check_start() of PRIMARY's input, request and index (PRIMARY is
 * borrowed for the call only), for a remote perspective (mpic.c): the
 * identifier and candidates taken from PRIMARY when it has them, and the
 * verdict, candidate, record and reason alone (caa_check_verdict()), as
 * the report prints no warnings of a remote.
 */
int check_start_remote(struct lookup_client *client,
                       const struct check *primary,
                       void (*done)(void *arg, struct check *chk), void *arg);

/*
 * Ends INPUT, number INDEX of the input, at once as CAA_INVALID with
 * REASON, without looking at it (an input line that could not be read
 * whole).  DONE is called before it returns.  Returns 0 or -ENOMEM.
 */
int check_reject(const char *input, const char *reason, size_t index,
                 void (*done)(void *arg, struct check *chk), void *arg);

/* Frees CHK and all it owns; accepts NULL. */
void check_free(struct check *chk);

#endif /* PROBE_CHECK_H */
