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

#define RELAY_BODY_MAX    (1024 * 1024) /* bytes of an upstream reply body */
#define RELAY_HEADERS_MAX (64 * 1024)
#define RELAY_TIMEOUT_S   30 /* connect, send, and wait for the reply */

struct relay {
	struct event_base *base;
	SSL_CTX *tls;                  /* the upstream's; NULL for http */
	const struct gate_config *cfg; /* borrowed */
	unsigned long relayed;         /* replies relayed, for the log */
	unsigned long failed;          /* problem documents written */
};

/* evhttp's callback: relays REQ through ARG, a struct relay. */
void relay_handle(struct evhttp_request *req, void *arg);

/*
 * Answers REQ with a problem document of TYPE, DETAIL and STATUS (and
 * the reason phrase of STATUS).
 */
void relay_problem(struct evhttp_request *req, const char *type,
                   const char *detail, int status);

#endif /* GATE_RELAY_H */
