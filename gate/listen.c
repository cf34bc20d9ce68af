/*
 * gate/listen.c -- the HTTPS listener: libevent's evhttp over OpenSSL
 * bufferevents, its limits and timeouts.
 */
#include "listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <event2/util.h>

/* evhttp asks for one bufferevent per accepted connection: a TLS one. */
static struct bufferevent *
listen_bev(struct event_base *base, void *arg)
{
	SSL *ssl = SSL_new(arg);
	struct bufferevent *bev;

	if (ssl == NULL) {
		return NULL;
	}
	bev = bufferevent_openssl_socket_new(base, -1, ssl,
	                                     BUFFEREVENT_SSL_ACCEPTING,
	                                     BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		SSL_free(ssl);
		return NULL;
	}
	/* Clients that close without close_notify are common and harmless. */
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}

/* ADDR:PORT or [V6]:PORT of the socket FD is bound to. */
static int
listen_name(evutil_socket_t fd, char *name, size_t namelen)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[INET6_ADDRSTRLEN];

	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
		return -1;
	}
	if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)&ss;

		if (inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host)) ==
		    NULL) {
			return -1;
		}
		(void)snprintf(name, namelen, "[%s]:%u", host,
		               (unsigned)ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const void *)&ss;

		if (inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host)) ==
		    NULL) {
			return -1;
		}
		(void)snprintf(name, namelen, "%s:%u", host,
		               (unsigned)ntohs(s4->sin_port));
	}
	return 0;
}

struct evhttp *
listen_start(struct event_base *base, SSL_CTX *ctx,
             const struct sockaddr *addr, socklen_t addrlen,
             void (*cb)(struct evhttp_request *, void *), void *arg,
             char *name, size_t namelen, char *err, size_t errlen)
{
	struct evhttp *http = evhttp_new(base);
	struct evconnlistener *lev = NULL;
	struct evhttp_bound_socket *bound;

	if (http == NULL) {
		(void)snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* Every method goes on to the upstream, which decides. */
	evhttp_set_allowed_methods(
	        http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
	                      EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	                      EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
	evhttp_set_max_body_size(http, LISTEN_BODY_MAX);
	evhttp_set_max_headers_size(http, LISTEN_HEADERS_MAX);
	evhttp_set_timeout(http, LISTEN_TIMEOUT_S);
	/* Replies carry the upstream's Content-Type, never one of evhttp's. */
	evhttp_set_default_content_type(http, NULL);
	evhttp_set_bevcb(http, listen_bev, ctx);
	evhttp_set_gencb(http, cb, arg);
	lev = evconnlistener_new_bind(base, NULL, NULL,
	                              LEV_OPT_CLOSE_ON_FREE |
	                                      LEV_OPT_REUSEABLE |
	                                      LEV_OPT_CLOSE_ON_EXEC,
	                              -1, addr, (int)addrlen);
	if (lev == NULL) {
		(void)snprintf(err, errlen, "cannot listen (%s)",
		               strerror(errno));
		goto fail;
	}
	bound = evhttp_bind_listener(http, lev);
	if (bound == NULL) {
		evconnlistener_free(lev);
		(void)snprintf(err, errlen, "cannot listen (out of memory)");
		goto fail;
	}
	if (listen_name(evhttp_bound_socket_get_fd(bound), name, namelen) !=
	    0) {
		(void)snprintf(err, errlen, "cannot read the address bound (%s)",
		               strerror(errno));
		goto fail;
	}
	return http;
fail:
	evhttp_free(http);
	return NULL;
}
