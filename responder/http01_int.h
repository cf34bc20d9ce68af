/*
 * responder/http01_int.h -- what http01.c (the server) and http01_store.c
 * (tokens, redirects, history) share.  Not for other modules.
 */
#ifndef RESPONDER_HTTP01_INT_H
#define RESPONDER_HTTP01_INT_H

#include <stddef.h>
#include <sys/socket.h>

#include "http01.h"

struct evhttp;

/* A token and its key authorization, or a path and its target. */
struct http01_pair {
	char *key; /* one allocation: KEY, then VALUE after its NUL */
	const char *value;
};

/* A recorded request: the event, then its three strings. */
struct http01_rec {
	struct http01_event ev;
	char text[];
};

struct http01 {
	struct http01_pair *tokens;
	size_t ntokens, atokens;
	struct http01_pair *redirects;
	size_t nredirects, aredirects;
	struct http01_rec **ring; /* HTTP01_HISTORY_MAX slots, made at need */
	size_t head;              /* slot of the oldest */
	size_t n;

	struct evhttp *http; /* NULL until http01_listen() */
	struct sockaddr_storage bound[HTTP01_ADDRS_MAX];
	size_t nbound;
};

/* Free the tables and the history (http01_free() does the rest). */
void http01_store_clear(struct http01 *h);

#endif /* RESPONDER_HTTP01_INT_H */
