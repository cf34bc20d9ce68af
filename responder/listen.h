/*
 * responder/listen.h -- the HTTP listening sockets shared by the
 * management API and the HTTP-01 server, and the "ready" line's
 * list of bound addresses (the TLS-ALPN-01 server's as well).
 */
#ifndef RESPONDER_LISTEN_H
#define RESPONDER_LISTEN_H

#include <stddef.h>
#include <sys/socket.h>

struct evhttp;
struct net_listen;

/*
 * A listening TCP socket for ADDR[i], i < N, each handed to HTTP, while
 * *NBOUND < MAX; each bound address is stored in BOUND[*NBOUND]. An
 * optional address that cannot be bound is skipped with a warning.
 * Errors name WHO ("control", "http01"). 0, or -1 with ERR.
 */
int listen_http(struct evhttp *http, const struct net_listen *addr, size_t n,
                struct sockaddr_storage *bound, size_t *nbound, size_t max,
                const char *who, char *err, size_t errlen);

/*
 * BOUND[0..N) as text into BUF (at most CAP bytes, NUL included): FIRST
 * before the first address, SEP before each other one. The length the
 * whole text needs, as snprintf counts it.
 */
size_t listen_format(const struct sockaddr_storage *bound, size_t n,
                     const char *first, const char *sep, char *buf,
                     size_t cap);

#endif /* RESPONDER_LISTEN_H */
