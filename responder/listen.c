/*
 * responder/listen.c -- the HTTP listening sockets (one per address)
 * and the text of the bound addresses for the "ready" line.
 */
#include "listen.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <event2/http.h>
#include <event2/util.h>

#include "log.h"
#include "net.h"

/* A listening TCP socket on ADDR, bound as *BOUND, or -1 with ERR. */
static evutil_socket_t
listen_one(const struct net_listen *addr, struct sockaddr_storage *bound,
           const char *who, char *err, size_t errlen)
{
	char name[LOG_ADDR_MAX];
	socklen_t boundlen = sizeof(*bound);
	int one = 1;
	int e;
	evutil_socket_t fd =
	        socket(addr->addr.ss_family,
	               SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	(void)log_addr_format((const struct sockaddr *)&addr->addr, name,
	                      sizeof(name));
	if (fd < 0) {
		e = errno;
		goto fail;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    (addr->addr.ss_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) !=
	             0) ||
	    bind(fd, (const struct sockaddr *)&addr->addr, addr->addrlen) !=
	            0 ||
	    listen(fd, 64) != 0 ||
	    getsockname(fd, (struct sockaddr *)bound, &boundlen) != 0) {
		e = errno;
		goto fail;
	}
	return fd;
fail:
	(void)snprintf(err, errlen, "%s %s: %s", who, name, strerror(e));
	if (fd >= 0) {
		(void)close(fd);
	}
	return -1;
}

int
listen_http(struct evhttp *http, const struct net_listen *addr, size_t n,
            struct sockaddr_storage *bound, size_t *nbound, size_t max,
            const char *who, char *err, size_t errlen)
{
	for (size_t i = 0; i < n && *nbound < max; i++) {
		evutil_socket_t fd =
		        listen_one(&addr[i], &bound[*nbound], who, err, errlen);

		if (fd < 0 && addr[i].optional) {
			log_warn("%s; going on without it", err);
			continue;
		}
		if (fd < 0) {
			return -1;
		}
		if (evhttp_accept_socket_with_handle(http, fd) == NULL) {
			(void)close(fd);
			(void)snprintf(err, errlen, "%s: socket not accepted",
			               who);
			return -1;
		}
		(*nbound)++;
	}
	if (*nbound == 0) {
		(void)snprintf(err, errlen, "%s: no address to listen on", who);
		return -1;
	}
	return 0;
}

size_t
listen_format(const struct sockaddr_storage *bound, size_t n,
              const char *first, const char *sep, char *buf, size_t cap)
{
	char addr[LOG_ADDR_MAX];
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		int k;

		(void)log_addr_format((const struct sockaddr *)&bound[i], addr,
		                      sizeof(addr));
		k = snprintf(len < cap ? buf + len : NULL,
		             len < cap ? cap - len : 0, "%s%s",
		             i > 0 ? sep : first, addr);
		len += k > 0 ? (size_t)k : 0;
	}
	return len;
}
