/*
 * probe/mpic.c -- a name checked from the primary and the remote
 * perspectives, as Boulder's VA does it.
 */
#include "mpic.h"

#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mpic {
	struct lookup_config *cfgs;  /* [0] the primary's, [1 + i] remote I's */
	struct lookup_client *primary;
	const struct persp_opts *p;
	struct lookup_client **remotes; /* one per perspective */
};

/* One name on its way: the primary's check, then the remotes'. */
struct mpic_call;

struct mpic_slot {
	struct mpic_call *call;
	size_t i;
};

struct mpic_call {
	struct mpic *m;
	struct check *chk; /* the primary's, once done */
	void (*done)(void *arg, struct check *chk);
	void *arg;
	struct mpic_slot slots[]; /* one per remote */
};

/* The lookup configuration of perspective S, from the primary's. */
static int
mpic_config(const struct lookup_config *primary, const struct persp_spec *s,
            struct lookup_config *cfg, char *err, size_t errlen)
{
	*cfg = *primary;
	if (s->server != NULL) {
		cfg->server = s->server_addr;
		cfg->server_len = s->server_len;
		if (cfg->backend == LOOKUP_RECURSIVE) {
			/* Its own server instead of recursion. */
			cfg->backend = LOOKUP_DIRECT;
			cfg->root_hints = NULL;
			cfg->trust_anchor = NULL;
		}
	}
	if (!s->has_from) {
		return 0;
	}
	if (cfg->backend != LOOKUP_RECURSIVE &&
	    s->from.ss_family != cfg->server.ss_family) {
		(void)snprintf(err, errlen,
		               "--perspective %s: from= is IPv%d but its server "
		               "is IPv%d",
		               s->name, s->from.ss_family == AF_INET6 ? 6 : 4,
		               cfg->server.ss_family == AF_INET6 ? 6 : 4);
		return -1;
	}
	cfg->source = s->from;
	cfg->source_len = s->from_len;
	return 0;
}

struct mpic *
mpic_new(struct event_base *base, const struct lookup_config *primary,
         const struct persp_opts *p, char *err, size_t errlen)
{
	struct mpic *m = calloc(1, sizeof(*m));

	(void)snprintf(err, errlen, "no memory");
	if (m == NULL) {
		return NULL;
	}
	m->p = p;
	if (p == NULL || p->n == 0) {
		m->primary = lookup_client_open(base, primary, err, errlen);
		if (m->primary == NULL) {
			mpic_free(m);
			return NULL;
		}
		return m;
	}
	m->cfgs = calloc(p->n + 1, sizeof(*m->cfgs));
	m->remotes = calloc(p->n, sizeof(*m->remotes));
	if (m->cfgs == NULL || m->remotes == NULL) {
		(void)snprintf(err, errlen, "no memory");
		mpic_free(m);
		return NULL;
	}
	/*
	 * Each client paces on its own window (lookup.h), as a perspective
	 * is a host of its own whose resolver paces its own queries: a
	 * server sees one burst a perspective, which its receive buffer
	 * holds (caa-responder asks for 4 MiB).  One shared window would
	 * hold every perspective back to one client's pace, and hold back
	 * a remote with a server of its own for the primary's.
	 */
	m->cfgs[0] = *primary;
	m->primary = lookup_client_open(base, &m->cfgs[0], err, errlen);
	if (m->primary == NULL) {
		mpic_free(m);
		return NULL;
	}
	for (size_t i = 0; i < p->n; i++) {
		struct lookup_config *cfg = &m->cfgs[1 + i];
		char why[256];

		if (mpic_config(primary, &p->v[i], cfg, err, errlen) != 0) {
			mpic_free(m);
			return NULL;
		}
		m->remotes[i] = lookup_client_open(base, cfg, why, sizeof(why));
		if (m->remotes[i] == NULL) {
			(void)snprintf(err, errlen, "--perspective %s: %s",
			               p->v[i].name, why);
			mpic_free(m);
			return NULL;
		}
	}
	return m;
}

void
mpic_end(struct mpic *m)
{
	if (m == NULL) {
		return;
	}
	/* The primary first: a check it ends cannot start remotes after
	 * they have ended. */
	lookup_client_end(m->primary);
	for (size_t i = 0; m->remotes != NULL && i < m->p->n; i++) {
		lookup_client_end(m->remotes[i]);
	}
}

void
mpic_free(struct mpic *m)
{
	if (m == NULL) {
		return;
	}
	for (size_t i = 0; m->remotes != NULL && i < m->p->n; i++) {
		lookup_client_free(m->remotes[i]);
	}
	free(m->remotes);
	lookup_client_free(m->primary);
	free(m->cfgs);
	free(m);
}

/* Names the perspectives on CHK, none asked yet.  False without memory. */
static bool
mpic_attach(const struct mpic *m, struct check *chk)
{
	if (m->remotes == NULL) {
		return true;
	}
	chk->remotes = calloc(m->p->n, sizeof(*chk->remotes));
	if (chk->remotes == NULL) {
		return false;
	}
	chk->nremotes = m->p->n;
	for (size_t i = 0; i < m->p->n; i++) {
		chk->remotes[i].name = m->p->v[i].name;
		chk->remotes[i].rir = m->p->v[i].rir;
	}
	return true;
}

/* Boulder's words for a failed quorum, cut to fit (a name of 253 bytes
 * with a long reason). */
static void
mpic_reason(struct caa_result *r, const char *name, const char *why)
{
	const char *parts[] = {PERSP_SECONDARY "While processing CAA for ",
	                       name, ": ", why};
	size_t off = 0;

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		size_t n = strlen(parts[i]);

		if (n > sizeof(r->reason) - 1 - off) {
			n = sizeof(r->reason) - 1 - off;
		}
		memcpy(r->reason + off, parts[i], n);
		off += n;
	}
	r->reason[off] = '\0';
}

/* Every remote has decided: the quorum, then the caller. */
static void
mpic_finish(struct mpic_call *call)
{
	struct check *chk = call->chk;
	struct caa_result *r = &chk->result;
	bool ok[PERSP_MAX];
	struct persp_tally t;

	for (size_t i = 0; i < chk->nremotes; i++) {
		const struct check *rc = chk->remotes[i].chk;

		ok[i] = rc != NULL && rc->result.verdict == CAA_ALLOWED;
	}
	persp_tally(call->m->p, ok, &t);
	chk->corroborating = t.corroborating;
	if (!t.passed) {
		const struct check *bad =
		        t.first_failing >= 0
		                ? chk->remotes[t.first_failing].chk
		                : NULL;

		r->candidate = -1;
		r->record = -1;
		if (t.first_failing < 0) {
			r->verdict = CAA_LOOKUP_FAILED;
			(void)snprintf(r->reason, sizeof(r->reason), "%s",
			               PERSP_UNAVAILABLE);
		} else {
			r->verdict = bad != NULL ? bad->result.verdict
			                         : CAA_LOOKUP_FAILED;
			mpic_reason(r, chk->name,
			            bad != NULL ? bad->result.reason
			                        : "out of memory");
		}
	}
	call->done(call->arg, chk);
	free(call);
}

static void
mpic_remote_done(void *arg, struct check *rchk)
{
	struct mpic_slot *slot = arg;
	struct mpic_call *call = slot->call;
	struct check *chk = call->chk;

	chk->remotes[slot->i].chk = rchk;
	if (--chk->remotes_pending == 0) {
		mpic_finish(call);
	}
}

/* The primary has decided: alone unless it permits issuance. */
static void
mpic_primary_done(void *arg, struct check *chk)
{
	struct mpic_call *call = arg;
	struct mpic *m = call->m;

	call->chk = chk;
	if (!mpic_attach(m, chk)) {
		chk->result.verdict = CAA_LOOKUP_FAILED;
		(void)snprintf(chk->result.reason, sizeof(chk->result.reason),
		               "out of memory");
	}
	if (chk->remotes == NULL || chk->result.verdict != CAA_ALLOWED) {
		call->done(call->arg, chk);
		free(call);
		return;
	}
	/* All at once; the count covers them all before the first can
	 * end. */
	chk->remotes_asked = true;
	chk->remotes_pending = chk->nremotes + 1;
	for (size_t i = 0; i < chk->nremotes; i++) {
		call->slots[i].call = call;
		call->slots[i].i = i;
		if (check_start_remote(m->remotes[i], chk, mpic_remote_done,
		                       &call->slots[i]) != 0) {
			chk->remotes_pending--; /* no memory: not corroborating */
		}
	}
	if (--chk->remotes_pending == 0) {
		mpic_finish(call);
	}
}

int
mpic_start(struct mpic *m, const struct caa_request *req, const char *name,
           size_t index, void (*done)(void *arg, struct check *chk),
           void *arg)
{
	struct mpic_call *call;
	size_t n = m->remotes != NULL ? m->p->n : 0;
	int rc;

	if (n == 0) {
		return check_start(m->primary, req, name, index, done, arg);
	}
	call = calloc(1, sizeof(*call) + n * sizeof(call->slots[0]));
	if (call == NULL) {
		return -ENOMEM;
	}
	call->m = m;
	call->done = done;
	call->arg = arg;
	rc = check_start(m->primary, req, name, index, mpic_primary_done,
	                 call);
	if (rc != 0) {
		free(call);
	}
	return rc;
}

int
mpic_reject(struct mpic *m, const char *input, const char *reason,
            size_t index, void (*done)(void *arg, struct check *chk),
            void *arg)
{
	struct mpic_call *call;
	int rc;

	if (m->remotes == NULL) {
		return check_reject(input, reason, index, done, arg);
	}
	call = calloc(1, sizeof(*call));
	if (call == NULL) {
		return -ENOMEM;
	}
	call->m = m;
	call->done = done;
	call->arg = arg;
	rc = check_reject(input, reason, index, mpic_primary_done, call);
	if (rc != 0) {
		free(call);
	}
	return rc;
}
