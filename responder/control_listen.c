/*
 * responder/control_listen.c -- the management API's listening sockets:
 * one per address -c names (":8055" and "localhost:8055" name two).
 */
#include "control.h"
#include "control_int.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <event2/http.h>
#include <event2/util.h>

#include "log.h"
#include "net.h"

bool
control_addr_is_loopback(const struct sockaddr *sa)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0,    0,
	                                   0, 0, 0, 0, 0xff, 0xff};

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;

		return (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;
		const uint8_t *a = sin6->sin6_addr.s6_addr;

		return IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr) ||
		       (memcmp(a, mapped, sizeof(mapped)) == 0 && a[12] == 127);
	}
	return false;
}

/* A listening TCP socket on ADDR, bound as *BOUND, or -1 with ERR. */
static evutil_socket_t
ctl_listen(const struct net_listen *addr, struct sockaddr_storage *bound,
           char *err, size_t errlen)
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
	(void)snprintf(err, errlen, "control %s: %s", name, strerror(e));
	if (fd >= 0) {
		(void)close(fd);
	}
	return -1;
}

int
ctl_listen_all(struct control *ctl, char *err, size_t errlen)
{
	const struct control_config *cfg = &ctl->cfg;
	size_t n = cfg->naddr > 0 ? cfg->naddr : 1;

	for (size_t i = 0; i < n && i < CONTROL_ADDRS_MAX; i++) {
		evutil_socket_t fd = ctl_listen(
		        &cfg->addr[i], &ctl->bound[ctl->nbound], err, errlen);

		if (fd < 0 && cfg->addr[i].optional) {
			log_warn("%s; going on without it", err);
			continue;
		}
		if (fd < 0) {
			return -1;
		}
		if (evhttp_accept_socket_with_handle(ctl->http, fd) == NULL) {
			(void)close(fd);
			(void)snprintf(err, errlen,
			               "control: socket not accepted");
			return -1;
		}
		ctl->nbound++;
	}
	if (ctl->nbound == 0) {
		(void)snprintf(err, errlen, "control: no address to listen on");
		return -1;
	}
	return 0;
}

size_t
control_address_format(const struct control *ctl, char *buf, size_t cap)
{
	char addr[LOG_ADDR_MAX];
	size_t len = 0;

	for (size_t i = 0; i < ctl->nbound; i++) {
		int n;

		(void)log_addr_format((const struct sockaddr *)&ctl->bound[i],
		                      addr, sizeof(addr));
		n = snprintf(len < cap ? buf + len : NULL,
		             len < cap ? cap - len : 0, "%s%s",
		             i > 0 ? " control=" : "", addr);
		len += n > 0 ? (size_t)n : 0;
	}
	return len;
}
