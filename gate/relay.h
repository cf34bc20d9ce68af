/*
 * gate/relay.h -- one client request to the upstream and its reply back.
 *
 * Every request goes to the upstream as it came (method, path, Host and
 * the other end-to-end headers, body); every reply comes back as it came
 * (status, headers such as Replay-Nonce, Location and Link, body), except
 * the directory, whose meta.caaIdentities becomes --ca (acme.c).  What
 * fails in the gate itself (the upstream down or not trusted, a reply too
 * large, a request it cannot relay) reaches the client as a problem
 * document, serverInternal, status 500: never a hang or a closed
 * connection.  The CAA step hooks in here, before a challenge POST is
 * relayed and at finalize.
 */
#ifndef GATE_RELAY_H
#define GATE_RELAY_H

#include <openssl/ssl.h>

#include "config.h"

struct event_base;
struct evhttp_request;
struct relay_call;

#define RELAY_BODY_MAX    (1024 * 1024) /* bytes of an upstream reply body */
#define RELAY_HEADERS_MAX (64 * 1024)
#define RELAY_TIMEOUT_S   30 /* connect, send, and wait for the reply */

struct relay {
	struct event_base *base;
	SSL_CTX *tls;                  /* the upstream's; NULL for http */
	const struct gate_config *cfg; /* borrowed */
	unsigned long relayed;         /* replies relayed, for the log */
	unsigned long failed;          /* problem documents written */
	/*
	 * The CAA step's hooks (flow.c); NULL: a plain relay.  ON_REQUEST
	 * sees every request first and returns 1 when it took it (answered,
	 * or held to relay_send() later).  ON_REPLY sees every upstream reply
	 * UP to the client's REQ before it goes back, and may rewrite UP's
	 * body; it returns 0 or -ENOMEM.
	 */
	int (*on_request)(void *hook, struct evhttp_request *req);
	int (*on_reply)(void *hook, struct evhttp_request *req,
	                struct evhttp_request *up);
	void *hook;
	struct relay_call *calls; /* on their way, or being freed */
};

/* evhttp's callback: relays REQ through ARG, a struct relay. */
void relay_handle(struct evhttp_request *req, void *arg);

/*
 * Ends every call of R still on its way, for a gate that stops: each
 * upstream connection is closed and freed, a client's request gets no
 * reply (evhttp_free() closes it: call this before), and a nonce request
 * ends as a failed one (its DONE with NULL).
 */
void relay_stop(struct relay *r);

/* Relays REQ (held by ON_REQUEST) to the upstream now, as it came. */
void relay_send(struct relay *r, struct evhttp_request *req);

/*
 * The gate's own request for a fresh nonce: HEAD PATH at the upstream,
 * with HOST as its Host header.  DONE(ARG, NONCE) is called once (maybe
 * before relay_nonce() returns),
 * with the reply's Replay-Nonce, or NULL when there is none (the upstream
 * failed).  Returns 0, or -1 (DONE never called).
 */
int relay_nonce(struct relay *r, const char *path, const char *host,
                void (*done)(void *arg, const char *nonce), void *arg);

/*
 * Answers REQ with STATUS and the JSON BODY of content type TYPE, with
 * Replay-Nonce NONCE and Link LINK when they are not NULL.
 */
void relay_answer(struct evhttp_request *req, int status, const char *type,
                  const char *body, const char *nonce, const char *link);

/*
 * Answers REQ with a problem document of TYPE, DETAIL and STATUS (and
 * the reason phrase of STATUS).
 */
void relay_problem(struct evhttp_request *req, const char *type,
                   const char *detail, int status);

#endif /* GATE_RELAY_H */
