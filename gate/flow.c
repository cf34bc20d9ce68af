/*
 * gate/flow.c -- the ACME flow: which request is what, and the CAA step.
 */
#include "flow.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "acme.h"
#include "acme_jws.h"
#include "acme_obj.h"
#include "state.h"

struct flow {
	struct relay *relay;
	struct decide *decide;
	const struct gate_config *cfg;
	struct state *state;
	char nonce_path[ACME_URL_MAX + 1]; /* "" until the directory is seen */
};

/* A reply the gate writes, waiting for its nonce. */
struct flow_answer {
	struct evhttp_request *req;
	int status;
	const char *type; /* static */
	char *body;
	char *link; /* NULL: none */
};

/* A challenge POST waiting for its decision. */
struct flow_chal {
	struct flow *f;
	struct evhttp_request *req;
	char *authz;  /* its path: the authorization may be forgotten */
	char *path;   /* the challenge's */
	char *type;
	char *obj;    /* the challenge as learned */
};

/* A finalize POST waiting for the decisions of its identifiers. */
struct flow_final {
	struct flow *f;
	struct evhttp_request *req;
	char *order; /* its path */
	size_t n, left;
	bool stopped; /* a decision ended by decide_free(): no reply */
	struct flow_verdict {
		struct flow_final *fin;
		char name[DECIDE_NAME_MAX];
		enum caa_verdict verdict;
		char reason[CAA_REASON_LEN];
	} v[ACME_IDENTIFIERS_MAX];
};

static double
flow_now(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct flow *
flow_new(struct relay *r, struct decide *d, const struct gate_config *cfg)
{
	struct flow *f = calloc(1, sizeof(*f));

	if (f == NULL) {
		return NULL;
	}
	f->state = state_new();
	if (f->state == NULL) {
		free(f);
		return NULL;
	}
	f->relay = r;
	f->decide = d;
	f->cfg = cfg;
	return f;
}

void
flow_free(struct flow *f)
{
	if (f != NULL) {
		state_free(f->state);
		free(f);
	}
}

/* ------------------------------------------------------------------ */
/* Replies the gate writes                                             */
/* ------------------------------------------------------------------ */

static void
flow_answer_free(struct flow_answer *a)
{
	free(a->body);
	free(a->link);
	free(a);
}

static void
flow_answer_nonce(void *arg, const char *nonce)
{
	struct flow_answer *a = arg;

	relay_answer(a->req, a->status, a->type, a->body, nonce, a->link);
	flow_answer_free(a);
}

/*
 * Answers REQ with STATUS, TYPE and BODY (taken), the Link "up" to the
 * authorization at AUTHZ (a path; NULL: no Link), after fetching a fresh
 * nonce.
 */
static void
flow_answer(struct flow *f, struct evhttp_request *req, int status,
            const char *type, char *body, const char *authz)
{
	const char *host = evhttp_find_header(
	        evhttp_request_get_input_headers(req), "Host");
	struct flow_answer *a = calloc(1, sizeof(*a));
	char link[ACME_URL_MAX + 600];

	if (a == NULL || body == NULL) {
		free(a);
		free(body);
		relay_problem(req, ACME_ERR_SERVER_INTERNAL,
		              "caa-gate: out of memory", 500);
		return;
	}
	a->req = req;
	a->status = status;
	a->type = type;
	a->body = body;
	if (authz != NULL && host != NULL && strlen(host) < 512) {
		(void)snprintf(link, sizeof(link), "<https://%s%s>;rel=\"up\"",
		               host, authz);
		a->link = strdup(link);
	}
	if (f->nonce_path[0] == '\0' || host == NULL ||
	    relay_nonce(f->relay, f->nonce_path, host, flow_answer_nonce, a) !=
	            0) {
		flow_answer_nonce(a, NULL);
	}
}

/* ------------------------------------------------------------------ */
/* Challenge POST                                                      */
/* ------------------------------------------------------------------ */

static void
flow_chal_free(struct flow_chal *c)
{
	free(c->authz);
	free(c->path);
	free(c->type);
	free(c->obj);
	free(c);
}

static void
flow_chal_done(void *arg, const struct decide_outcome *o)
{
	struct flow_chal *c = arg;
	struct flow *f = c->f;
	struct state_authz *z;
	char *problem, *invalid = NULL;

	if (o == NULL) { /* the gate stops: the client gets no reply */
		flow_chal_free(c);
		return;
	}
	z = state_authz_find(f->state, c->authz);
	if (o->verdict == CAA_ALLOWED) {
		if (z != NULL) {
			free(z->method);
			z->method = strdup(c->type);
			z->validated = z->method != NULL;
			z->validated_at = flow_now();
		}
		relay_send(f->relay, c->req);
		flow_chal_free(c);
		return;
	}
	problem = decide_problem(o);
	if (problem != NULL) {
		invalid = acme_challenge_invalid(c->obj, strlen(c->obj),
		                                 problem);
	}
	free(problem);
	if (z != NULL && z->failed == NULL && invalid != NULL) {
		z->failed = strdup(invalid);
		z->failed_path = strdup(c->path);
		if (z->failed == NULL || z->failed_path == NULL) {
			free(z->failed);
			free(z->failed_path);
			z->failed = z->failed_path = NULL;
		}
	}
	flow_answer(f, c->req, 200, "application/json", invalid, c->authz);
	flow_chal_free(c);
}

/* The JWS of REQ, or a 500 to the client, with a nonce (-1). */
static int
flow_jws(struct flow *f, struct evhttp_request *req, struct acme_jws *jws)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	const char *body = len > 0 ? (const char *)evbuffer_pullup(in, -1) : "";
	char why[128], detail[200];
	int rc;

	if (len > 0 && body == NULL) {
		rc = -ENOMEM;
	} else {
		rc = acme_jws_read(body, len, jws, why, sizeof(why));
	}
	if (rc == 0) {
		return 0;
	}
	(void)snprintf(detail, sizeof(detail), "caa-gate: cannot read the JWS: %s",
	               rc == -ENOMEM ? "out of memory" : why);
	flow_answer(f, req, 500, ACME_PROBLEM_TYPE,
	            acme_problem_build(ACME_ERR_SERVER_INTERNAL, detail, 500),
	            NULL);
	return -1;
}

static int
flow_challenge(struct flow *f, struct evhttp_request *req,
               struct state_authz *z, size_t idx)
{
	struct acme_jws jws;
	struct flow_chal *c;
	int rc;

	if (flow_jws(f, req, &jws) != 0) {
		return 1;
	}
	if (jws.payload_empty) {
		return 0; /* POST-as-GET: its reply is rewritten if need be */
	}
	if (z->failed != NULL) {
		/* Decided already: the same answer, no new lookup. */
		flow_answer(f, req, 200, "application/json", strdup(z->failed),
		            z->path);
		return 1;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL || (c->authz = strdup(z->path)) == NULL ||
	    (c->path = strdup(z->a.chal[idx].path)) == NULL ||
	    (c->type = strdup(z->a.chal[idx].type)) == NULL ||
	    (c->obj = strdup(z->a.chal[idx].obj)) == NULL) {
		goto nomem;
	}
	c->f = f;
	c->req = req;
	rc = decide_start(f->decide, "validation", z->a.value, z->a.wildcard,
	                  jws.has_kid ? jws.kid : NULL, c->type, flow_chal_done,
	                  c);
	if (rc == 0) {
		return 1;
	}
nomem:
	if (c != NULL) {
		flow_chal_free(c);
	}
	relay_problem(req, ACME_ERR_SERVER_INTERNAL, "caa-gate: out of memory",
	              500);
	return 1;
}

/* ------------------------------------------------------------------ */
/* Finalize                                                            */
/* ------------------------------------------------------------------ */

#define FLOW_FINAL_ONE "Error finalizing order :: rechecking caa: "

/* Every decision of FIN is in: forward, or refuse with 403. */
static void
flow_final_end(struct flow_final *fin)
{
	struct flow *f = fin->f;
	struct acme_subproblem sub[ACME_IDENTIFIERS_MAX];
	char details[ACME_IDENTIFIERS_MAX][DECIDE_NAME_MAX + CAA_REASON_LEN + 64];
	char detail[DECIDE_NAME_MAX + CAA_REASON_LEN + 200];
	struct state_order *o;
	char *problem;
	size_t nf = 0;

	for (size_t i = 0; i < fin->n; i++) {
		struct decide_outcome out = {fin->v[i].name, fin->v[i].verdict,
		                             fin->v[i].reason};

		if (out.verdict == CAA_ALLOWED) {
			continue;
		}
		decide_detail(&out, details[nf], sizeof(details[nf]));
		sub[nf].type = decide_type(out.verdict);
		sub[nf].detail = details[nf];
		sub[nf].status = decide_status(out.verdict);
		sub[nf].name = fin->v[i].name;
		nf++;
	}
	if (nf == 0) {
		relay_send(f->relay, fin->req);
		free(fin->order);
		free(fin);
		return;
	}
	if (nf == 1) {
		(void)snprintf(detail, sizeof(detail), "%s%s", FLOW_FINAL_ONE,
		               details[0]);
		problem = acme_problem_build(ACME_ERR_CAA, detail, 403);
	} else {
		(void)snprintf(detail, sizeof(detail),
		               "Error finalizing order :: Rechecking CAA for "
		               "\"%s\" and %zu more identifiers failed. Refer to "
		               "sub-problems for more information",
		               sub[0].name, nf - 1);
		problem = acme_problem_multi(ACME_ERR_CAA, detail, 403, sub, nf);
	}
	o = state_order_find(f->state, fin->order);
	if (o != NULL && o->error == NULL && problem != NULL) {
		o->error = strdup(problem);
	}
	flow_answer(f, fin->req, 403, ACME_PROBLEM_TYPE, problem, NULL);
	free(fin->order);
	free(fin);
}

static void
flow_final_done(void *arg, const struct decide_outcome *o)
{
	struct flow_verdict *v = arg;
	struct flow_final *fin = v->fin;

	if (o == NULL) { /* the gate stops: the client gets no reply */
		fin->stopped = true;
	} else {
		v->verdict = o->verdict;
		(void)snprintf(v->reason, sizeof(v->reason), "%s", o->reason);
	}
	if (--fin->left > 0) {
		return;
	}
	if (fin->stopped) {
		free(fin->order);
		free(fin);
	} else {
		flow_final_end(fin);
	}
}

/* Whether --recheck asks for Z again now. */
static bool
flow_recheck(const struct flow *f, const struct state_authz *z)
{
	switch (f->cfg->recheck) {
	case CONFIG_RECHECK_ALWAYS:
		return true;
	case CONFIG_RECHECK_NEVER:
		return false;
	default:
		return !z->validated ||
		       flow_now() - z->validated_at >
		               (double)f->cfg->recheck_after_s;
	}
}

/*
 * The authorizations of O that --recheck asks for, into PICK and FIN's
 * names, in the order of O's identifiers (the first failing one names the
 * problem); those whose identifier is not listed come after.
 */
static void
flow_final_pick(struct flow *f, const struct state_order *o,
                struct flow_final *fin, struct state_authz **pick)
{
	bool used[ACME_IDENTIFIERS_MAX] = {false};

	for (size_t pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < (pass == 0 ? o->o.nids : 1); i++) {
			for (size_t k = 0; k < o->o.nauthz; k++) {
				struct state_authz *z = state_authz_find(
				        f->state, o->o.authz[k]);
				struct flow_verdict *v = &fin->v[fin->n];

				if (used[k] || z == NULL ||
				    !flow_recheck(f, z)) {
					continue;
				}
				(void)snprintf(v->name, DECIDE_NAME_MAX,
				               "%s%s",
				               z->a.wildcard ? "*." : "",
				               z->a.value);
				if (pass == 0 &&
				    strcmp(v->name, o->o.ids[i]) != 0) {
					continue;
				}
				used[k] = true;
				v->fin = fin;
				pick[fin->n++] = z;
			}
		}
	}
}

static int
flow_finalize(struct flow *f, struct evhttp_request *req,
              struct state_order *o)
{
	struct acme_jws jws;
	struct flow_final *fin;
	struct state_authz *pick[ACME_IDENTIFIERS_MAX];
	char why[128];
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	const char *body = (const char *)evbuffer_pullup(in, -1);
	const char *kid;

	/* The upstream says what is wrong with a JWS it cannot read. */
	if (body == NULL ||
	    acme_jws_read(body, len, &jws, why, sizeof(why)) != 0 ||
	    jws.payload_empty) {
		return 0;
	}
	if (o->error != NULL) {
		flow_answer(f, req, 403, ACME_PROBLEM_TYPE, strdup(o->error),
		            NULL);
		return 1;
	}
	fin = calloc(1, sizeof(*fin));
	if (fin == NULL || (fin->order = strdup(o->path)) == NULL) {
		free(fin);
		relay_problem(req, ACME_ERR_SERVER_INTERNAL,
		              "caa-gate: out of memory", 500);
		return 1;
	}
	fin->f = f;
	fin->req = req;
	kid = jws.has_kid ? jws.kid : NULL;
	flow_final_pick(f, o, fin, pick);
	if (fin->n == 0) {
		free(fin->order);
		free(fin);
		return 0;
	}
	/* One more than started, so that no decision ends FIN early. */
	fin->left = fin->n + 1;
	for (size_t k = 0; k < fin->n; k++) {
		if (decide_start(f->decide, "finalize", pick[k]->a.value,
		                 pick[k]->a.wildcard, kid, pick[k]->method,
		                 flow_final_done, &fin->v[k]) != 0) {
			fin->v[k].verdict = CAA_LOOKUP_FAILED;
			(void)snprintf(fin->v[k].reason, CAA_REASON_LEN,
			               "out of memory");
			fin->left--;
		}
	}
	if (--fin->left == 0) {
		flow_final_end(fin);
	}
	return 1;
}

int
flow_request(void *hook, struct evhttp_request *req)
{
	struct flow *f = hook;
	const char *path = evhttp_request_get_uri(req);
	struct state_authz *z;
	struct state_order *o;
	size_t idx = 0;

	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		return 0;
	}
	z = state_challenge_find(f->state, path, &idx);
	if (z != NULL) {
		return flow_challenge(f, req, z, idx);
	}
	o = state_finalize_find(f->state, path);
	if (o != NULL) {
		return flow_finalize(f, req, o);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Replies: learn, rewrite                                             */
/* ------------------------------------------------------------------ */

/* BODY's bytes become TEXT (taken); 0 or -ENOMEM. */
static int
flow_replace(struct evbuffer *body, char *text)
{
	int rc = 0;

	if (text == NULL) {
		return 0; /* not an object after all: as it came */
	}
	(void)evbuffer_drain(body, evbuffer_get_length(body));
	if (evbuffer_add(body, text, strlen(text)) != 0) {
		rc = -ENOMEM;
	}
	free(text);
	return rc;
}

/* An order's reply at PATH (its URL, or its finalize URL). */
static int
flow_order_reply(struct flow *f, struct evhttp_request *up, const char *path,
                 struct acme_order *ao, struct evbuffer *body,
                 const char *text, size_t len)
{
	const char *loc = evhttp_find_header(evhttp_request_get_input_headers(up),
	                                     "Location");
	char key[ACME_URL_MAX + 1];
	struct state_order *o = state_finalize_find(f->state, path);

	if (evhttp_request_get_response_code(up) == 201 && loc != NULL &&
	    acme_url_path(loc, key, sizeof(key)) == 0) {
		o = state_order_learn(f->state, key, ao);
	} else if (o == NULL) {
		o = state_order_learn(f->state, path, ao);
	} else {
		acme_order_clear(ao);
	}
	if (o == NULL) {
		return -ENOMEM;
	}
	if (o->error != NULL || state_order_failed(f->state, o)) {
		return flow_replace(body, acme_order_invalid(text, len, o->error));
	}
	return 0;
}

int
flow_reply(void *hook, struct evhttp_request *req, struct evhttp_request *up)
{
	struct flow *f = hook;
	int code = evhttp_request_get_response_code(up);
	const char *type = evhttp_find_header(
	        evhttp_request_get_input_headers(up), "Content-Type");
	const char *path = evhttp_request_get_uri(req);
	struct evbuffer *body = evhttp_request_get_input_buffer(up);
	size_t len = evbuffer_get_length(body);
	struct acme_authz a;
	struct acme_order ao;
	struct state_authz *z;
	const char *text;
	size_t idx;
	int rc;

	if (code < 200 || code > 299 || len == 0 || type == NULL ||
	    strncasecmp(type, "application/json", 16) != 0) {
		return 0;
	}
	text = (const char *)evbuffer_pullup(body, -1);
	if (text == NULL) {
		return -ENOMEM;
	}
	if (evhttp_request_get_command(req) == EVHTTP_REQ_GET) {
		(void)acme_directory_nonce(text, len, f->nonce_path,
		                           sizeof(f->nonce_path));
		return 0;
	}
	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		return 0;
	}
	z = state_challenge_find(f->state, path, &idx);
	if (z != NULL) {
		if (z->failed != NULL && strcmp(z->failed_path, path) == 0) {
			return flow_replace(body, strdup(z->failed));
		}
		return 0;
	}
	rc = acme_authz_read(text, len, &a);
	if (rc < 0) {
		return rc;
	}
	if (rc == 1) {
		z = state_authz_learn(f->state, path, &a);
		if (z == NULL) {
			return -ENOMEM;
		}
		if (z->failed != NULL) {
			return flow_replace(body,
			                    acme_authz_invalid(text, len, z->failed));
		}
		return 0;
	}
	rc = acme_order_read(text, len, &ao);
	if (rc == 1) {
		return flow_order_reply(f, up, path, &ao, body, text, len);
	}
	return rc;
}
