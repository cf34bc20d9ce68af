/*
 * responder/control_listen.c -- the management API's listening sockets:
 * one per address -c names (":8055" and "localhost:8055" name two).
 */
#include "control.h"
#include "control_int.h"

#include <netinet/in.h>
#include <string.h>

#include "listen.h"
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

int
ctl_listen_all(struct control *ctl, char *err, size_t errlen)
{
	const struct control_config *cfg = &ctl->cfg;
	size_t n = cfg->naddr > 0 ? cfg->naddr : 1;

	return listen_http(ctl->http, cfg->addr,
	                   n < CONTROL_ADDRS_MAX ? n : CONTROL_ADDRS_MAX,
	                   ctl->bound, &ctl->nbound, CONTROL_ADDRS_MAX,
	                   "control", err, errlen);
}

size_t
control_address_format(const struct control *ctl, char *buf, size_t cap)
{
	return listen_format(ctl->bound, ctl->nbound, "", " control=", buf,
	                     cap);
}
