/*
 * responder/http01.h -- pebble-challtestsrv's HTTP-01 server: the key
 * authorizations and redirects the management API adds (docs/api.md),
 * served over plain HTTP on --http01, and the requests it got.
 *
 * As challtestsrv does, every request, whatever its method and path, is
 * recorded first.  Then: a path (percent-decoded) with a redirect gets
 * 302 Found to its target URL (Location as given; for GET the body Go's
 * http.Redirect writes, text/html); else /.well-known/acme-challenge/TOKEN
 * with TOKEN added gets 200 with its key authorization as the body,
 * text/plain; charset=utf-8.  Everything else gets 404 (challtestsrv
 * answers 200 with an empty body there).  Every reply closes the
 * connection, as challtestsrv's server (keep-alives off) does.
 *
 * Everything is bounded: HTTP01_TOKENS_MAX tokens and HTTP01_REDIRECTS_MAX
 * redirects, each field at most the octets below (longer ones refused by
 * the API), and the last HTTP01_HISTORY_MAX requests, each field cut to
 * HTTP01_FIELD_MAX octets.  A request's head is at most
 * HTTP01_HEADERS_MAX octets (400 beyond), its body HTTP01_BODY_MAX (413),
 * and a connection is closed after HTTP01_TIMEOUT_S seconds of silence.
 *
 * One thread: the event loop's.  The API changes the tables between two
 * requests.
 */
#ifndef RESPONDER_HTTP01_H
#define RESPONDER_HTTP01_H

#include <stdbool.h>
#include <stddef.h>

struct event_base;
struct net_listen;

#define HTTP01_PREFIX        "/.well-known/acme-challenge/"
#define HTTP01_ADDRS_MAX     16    /* addresses --http01 may name */
#define HTTP01_TOKENS_MAX    10000 /* tokens at once */
#define HTTP01_TOKEN_MAX     1024  /* octets of a token or a redirect's path */
#define HTTP01_CONTENT_MAX   4096  /* octets of a key authorization */
#define HTTP01_REDIRECTS_MAX 1000  /* redirects at once */
#define HTTP01_TARGET_MAX    4096  /* octets of a redirect's target URL */
#define HTTP01_HISTORY_MAX   10000 /* requests kept, the oldest go first */
#define HTTP01_FIELD_MAX     1024  /* octets kept of URL, Host, User-Agent */
#define HTTP01_HEADERS_MAX   8192
#define HTTP01_BODY_MAX      65536
#define HTTP01_TIMEOUT_S     5 /* challtestsrv's read and write timeout */

/*
 * One request, as challtestsrv's HTTPRequestEvent has it: the request
 * target as sent (URL), the Host header (or the host of an absolute
 * target; "" when neither), and the User-Agent header ("" when none).
 * HTTPS is always false and ServerName always "" here.  The three strings
 * live as long as the event is kept.
 */
struct http01_event {
	const char *url;
	const char *host;
	const char *user_agent;
};

struct http01;

/*
 * Returns a new, empty set of tokens, redirects and history, serving
 * nothing yet, or NULL when out of memory.  Free with http01_free().
 */
struct http01 *http01_new(void);

/*
 * Serve HTTP-01 on ADDR[0..N) (port 0: any free port) from BASE, which
 * must outlive H.  An optional address (net.h) that cannot be bound is
 * left out with a warning.  Returns 0, or -1 with ERR saying which
 * address failed and why.
 */
int http01_listen(struct http01 *h, struct event_base *base,
                  const struct net_listen *addr, size_t n, char *err,
                  size_t errlen);

/* Close the sockets and every connection, and free H.  Accepts NULL. */
void http01_free(struct http01 *h);

/*
 * "http01=127.0.0.1:5002 http01=[::1]:5002": the addresses actually
 * bound, for the ready line.  Returns the length it needs, as snprintf
 * does.
 */
size_t http01_ready_format(const struct http01 *h, char *buf, size_t cap);

/*
 * Serve CONTENT at /.well-known/acme-challenge/TOKEN, replacing what the
 * token had.  Both are copied.  Returns 0, -E2BIG when one is longer than
 * its HTTP01_*_MAX, -ENOSPC when HTTP01_TOKENS_MAX other tokens are there,
 * or -ENOMEM.
 */
int http01_token_add(struct http01 *h, const char *token, const char *content);

/* Forget TOKEN; false when it was not there. */
bool http01_token_del(struct http01 *h, const char *token);

/* The key authorization of TOKEN, or NULL; valid until the next change. */
const char *http01_token_find(const struct http01 *h, const char *token);

/*
 * Redirect requests for PATH (matched exactly, after percent-decoding) to
 * TARGET, replacing its old target.  Both are copied.  Returns 0, -E2BIG,
 * -ENOSPC (HTTP01_REDIRECTS_MAX others) or -ENOMEM, as above.
 */
int http01_redirect_add(struct http01 *h, const char *path, const char *target);

/* Forget the redirect of PATH; false when there was none. */
bool http01_redirect_del(struct http01 *h, const char *path);

/* The target of PATH, or NULL; valid until the next change. */
const char *http01_redirect_find(const struct http01 *h, const char *path);

/*
 * Record a request (each string cut to HTTP01_FIELD_MAX octets); when
 * HTTP01_HISTORY_MAX are kept, the oldest goes.  Returns 0 or -ENOMEM
 * (the request is not kept).
 */
int http01_history_add(struct http01 *h, const char *url, const char *host,
                       const char *user_agent);

/* Requests kept, and the I-th of them, oldest first (I < the count). */
size_t http01_history_count(const struct http01 *h);
const struct http01_event *http01_history_get(const struct http01 *h, size_t i);

/*
 * True when E was sent to HOST: its Host without the port (challtestsrv's
 * key: "example.com:5002" is example.com, "[::1]:5002" is ::1), compared
 * without regard to ASCII case and to one final dot on either side.
 */
bool http01_event_matches(const struct http01_event *e, const char *host);

/* Forget the requests sent to HOST; the others keep their order. */
size_t http01_history_remove(struct http01 *h, const char *host);

/*
 * S for a log line: S itself when it is printable ASCII of at most
 * HTTP01_LOG_MAX octets, else "?" (a token or a Host header may hold
 * anything).
 */
#define HTTP01_LOG_MAX 256
const char *http01_printable(const char *s);

#endif /* RESPONDER_HTTP01_H */
