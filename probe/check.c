/*
 * probe/check.c -- one name: candidates, their lookups at once, the verdict.
 */
#include "check.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every lookup has ended: decide. */
static void
check_decide(struct check *chk)
{
	struct caa_lookup *views = NULL;
	size_t n = chk->cands.count;

	views = calloc(n > 0 ? n : 1, sizeof(*views));
	if (views == NULL) {
		chk->result.verdict = CAA_LOOKUP_FAILED;
		chk->result.candidate = -1;
		chk->result.record = -1;
		(void)snprintf(chk->result.reason, sizeof(chk->result.reason),
		               "out of memory");
	} else {
		for (size_t i = 0; i < n; i++) {
			lookup_result_view(&chk->lookups[i], &views[i]);
		}
		enum caa_status st =
		        chk->verdict_only
		                ? caa_check_verdict(chk->req, &chk->cands,
		                                    views, &chk->result)
		                : caa_check(chk->req, &chk->cands, views,
		                            &chk->result);

		if (st != CAA_OK) {
			chk->result.verdict = CAA_LOOKUP_FAILED;
			(void)snprintf(chk->result.reason,
			               sizeof(chk->result.reason),
			               "the request could not be evaluated");
		}
	}
	free(views);
	chk->done(chk->arg, chk);
}

/* The lookup of one candidate ended. */
struct check_slot {
	struct check *chk;
	size_t i;
};

static void
check_lookup_done(void *arg, struct lookup_result *res)
{
	struct check_slot *slot = arg;
	struct check *chk = slot->chk;

	chk->lookups[slot->i] = *res; /* moved: RES is ours now */
	memset(res, 0, sizeof(*res));
	free(slot);
	if (--chk->pending == 0) {
		check_decide(chk);
	}
}

/* A name the CA refuses: no lookup, the CA's words for why. */
static void
check_invalid(struct check *chk, const char *reason)
{
	chk->name[0] = '\0';
	chk->unicode[0] = '\0';
	memset(&chk->cands, 0, sizeof(chk->cands));
	chk->result.verdict = CAA_INVALID;
	chk->result.candidate = -1;
	chk->result.record = -1;
	(void)snprintf(chk->result.reason, sizeof(chk->result.reason), "%s",
	               reason);
	chk->done(chk->arg, chk);
}

/* A new check of INPUT; NULL without memory. */
static struct check *
check_new(const char *input, size_t index,
          void (*done)(void *arg, struct check *chk), void *arg)
{
	struct check *chk = malloc(sizeof(*chk));

	if (chk == NULL) {
		return NULL;
	}
	/* Not calloc(): the result's warning texts need no zeroing. */
	memset(chk, 0, offsetof(struct check, result));
	caa_result_clear(&chk->result);
	chk->input = strdup(input);
	if (chk->input == NULL) {
		free(chk);
		return NULL;
	}
	chk->index = index;
	chk->done = done;
	chk->arg = arg;
	return chk;
}

int
check_reject(const char *input, const char *reason, size_t index,
             void (*done)(void *arg, struct check *chk), void *arg)
{
	struct check *chk = check_new(input, index, done, arg);

	if (chk == NULL) {
		return -ENOMEM;
	}
	check_invalid(chk, reason);
	return 0;
}

/* The identifier of CHK->input and its candidates, or LIKE's when LIKE
 * (a check of the same input) has them: the same function of the same
 * input.  CHK->name_status says which. */
static void
check_ident(struct check *chk, const struct check *like)
{
	struct caa_ident ident;

	if (like != NULL && like->name_status == CAA_OK) {
		chk->name_status = CAA_OK;
		chk->cands = like->cands;
		memcpy(chk->name, like->name, sizeof(chk->name));
		memcpy(chk->unicode, like->unicode, sizeof(chk->unicode));
		return;
	}
	/* As a CA: the identifier's syntax first (Boulder WellFormed-
	 * Identifiers), then the climb from the A-label form. */
	chk->name_status = caa_ident_check(chk->input, &ident);
	if (chk->name_status == CAA_OK) {
		chk->name_status =
		        caa_candidates_build(ident.name, &chk->cands);
	}
	if (chk->name_status == CAA_OK) {
		memcpy(chk->name, ident.name, sizeof(chk->name));
		memcpy(chk->unicode, ident.unicode, sizeof(chk->unicode));
	}
}

static int
check_begin(struct lookup_client *client, const struct caa_request *req,
            const char *name, size_t index, const struct check *like,
            void (*done)(void *arg, struct check *chk), void *arg)
{
	struct check *chk = check_new(name, index, done, arg);

	if (chk == NULL) {
		return -ENOMEM;
	}
	chk->req = req;
	chk->verdict_only = like != NULL;
	check_ident(chk, like);
	if (chk->name_status == CAA_ERR_NOMEM) {
		check_free(chk);
		return -ENOMEM;
	}
	if (chk->name_status != CAA_OK) {
		check_invalid(chk, caa_strerror(chk->name_status));
		return 0;
	}
	chk->lookups = calloc(chk->cands.count, sizeof(*chk->lookups));
	if (chk->lookups == NULL) {
		check_free(chk);
		return -ENOMEM;
	}
	/* All candidates at once (Boulder parallelCAALookup); the count
	 * covers them all before the first can end. */
	chk->pending = chk->cands.count + 1;
	for (size_t i = 0; i < chk->cands.count; i++) {
		struct check_slot *slot = malloc(sizeof(*slot));

		chk->lookups[i].rcode = -1;
		chk->lookups[i].ede = -1;
		if (slot != NULL) {
			slot->chk = chk;
			slot->i = i;
			if (lookup_caa(client, caa_candidate(&chk->cands, i),
			               check_lookup_done, slot) == 0) {
				continue;
			}
			free(slot);
		}
		chk->lookups[i].kind = CAA_LOOKUP_NETWORK; /* no memory */
		chk->pending--;
	}
	if (--chk->pending == 0) {
		check_decide(chk);
	}
	return 0;
}

int
check_start(struct lookup_client *client, const struct caa_request *req,
            const char *name, size_t index,
            void (*done)(void *arg, struct check *chk), void *arg)
{
	return check_begin(client, req, name, index, NULL, done, arg);
}

int
check_start_remote(struct lookup_client *client,
                   const struct check *primary,
                   void (*done)(void *arg, struct check *chk), void *arg)
{
	return check_begin(client, primary->req, primary->input,
	                   primary->index, primary, done, arg);
}

void
check_free(struct check *chk)
{
	if (chk == NULL) {
		return;
	}
	for (size_t i = 0; chk->lookups != NULL && i < chk->cands.count; i++) {
		lookup_result_clear(&chk->lookups[i]);
	}
	free(chk->lookups);
	for (size_t i = 0; chk->remotes != NULL && i < chk->nremotes; i++) {
		check_free(chk->remotes[i].chk);
	}
	free(chk->remotes);
	free(chk->input);
	free(chk);
}
