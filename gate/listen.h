/*
 * gate/listen.h -- the HTTPS listener: libevent's evhttp over OpenSSL
 * bufferevents, its limits and timeouts.
 *
 * It accepts connections and hands every request to relay.c; it never
 * reads or writes a request itself.
 */
#ifndef GATE_LISTEN_H
#define GATE_LISTEN_H

#include <stddef.h>
#include <sys/socket.h>

#include <openssl/ssl.h>

struct event_base;
struct evhttp;
struct evhttp_request;

#define LISTEN_BODY_MAX    (1024 * 1024) /* bytes of a request body */
#define LISTEN_HEADERS_MAX (64 * 1024)   /* bytes of a request's headers */
#define LISTEN_TIMEOUT_S   60            /* idle or slow client */

/*
 * Binds ADDR (ADDRLEN bytes) and serves HTTPS with CTX (borrowed: must
 * outlive the listener); every request goes to CB(REQ, ARG).  Writes the
 * address bound (the real port) to NAME[0..NAMELEN) as ADDR:PORT or
 * [V6]:PORT.  Returns a new evhttp (evhttp_free()), or NULL with a message
 * in ERR[0..ERRLEN).
 */
struct evhttp *listen_start(struct event_base *base, SSL_CTX *ctx,
                            const struct sockaddr *addr, socklen_t addrlen,
                            void (*cb)(struct evhttp_request *, void *),
                            void *arg, char *name, size_t namelen,
                            char *err, size_t errlen);

#endif /* GATE_LISTEN_H */
