/*
 * responder/net.c -- sockets and libevent callbacks: moves bytes, never
 * builds answers.
 */
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "log.h"
#include "net_int.h"
#include "query.h"
#include "wire.h"

#define NET_UDP_ROUNDS      8 /* batches per wakeup, then let others run */
#define NET_BIND_TRIES      8 /* port 0: ports tried when TCP's is taken */
#define NET_TCP_BACKLOG     256
#define NET_UDP_SOCKBUF     (4 * 1024 * 1024) /* asked for; rmem_max caps */

static uint16_t
net_addr_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6) {
		return ntohs(((const struct sockaddr_in6 *)(const void *)ss)
		                     ->sin6_port);
	}
	return ntohs(((const struct sockaddr_in *)(const void *)ss)->sin_port);
}

static bool
net_addr_is_wildcard(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)ss;

		return IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr);
	}
	return ((const struct sockaddr_in *)(const void *)ss)
	               ->sin_addr.s_addr == htonl(INADDR_ANY);
}

/*
 * Size a UDP socket's buffers for bursts (as NSD's so-rcvbuf): a client
 * with many lookups in flight sends hundreds of queries at once, more
 * than the kernel's default receive buffer (net.core.rmem_default)
 * holds while the loop is busy, and what does not fit is dropped
 * unseen.  SO_RCVBUFFORCE passes net.core.rmem_max when privileged;
 * else SO_RCVBUF, which the kernel caps at rmem_max.  What it gives is
 * enough: never an error.
 */
static void
net_udp_buffers(int s)
{
	static const int opts[][2] = {
		{SO_RCVBUFFORCE, SO_RCVBUF},
		{SO_SNDBUFFORCE, SO_SNDBUF},
	};
	int size = NET_UDP_SOCKBUF;

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		if (setsockopt(s, SOL_SOCKET, opts[i][0], &size,
		               sizeof(size)) == 0) {
			continue;
		}
		if (setsockopt(s, SOL_SOCKET, opts[i][1], &size,
		               sizeof(size)) != 0) {
			log_debug("udp socket buffer: %s", strerror(errno));
		}
	}
}

/* At -v: the buffers the UDP socket FD on ADDR got. */
static void
net_udp_buffers_log(evutil_socket_t fd, const struct sockaddr_storage *addr)
{
	char name[LOG_ADDR_MAX];
	int rcv = 0;
	int snd = 0;
	socklen_t len = sizeof(rcv);

	if (!log_level_is_enabled(LOG_LEVEL_INFO)) {
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, &len) != 0) {
		rcv = -1;
	}
	len = sizeof(snd);
	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, &len) != 0) {
		snd = -1;
	}
	log_info("udp %s: receive buffer %d bytes, send buffer %d bytes "
	         "(asked for %d)",
	         log_addr_format((const struct sockaddr *)addr, name,
	                         sizeof(name)),
	         rcv, snd, NET_UDP_SOCKBUF);
}

/* A socket of TYPE bound to ADDR; 0 and *FD, or -errno and ERR. */
static int
net_socket_bind(int type, const struct sockaddr_storage *addr,
                socklen_t addrlen, evutil_socket_t *fd, char *err,
                size_t errlen)
{
	const char *tp = type == SOCK_DGRAM ? "udp" : "tcp";
	const char *step = "socket";
	char name[LOG_ADDR_MAX];
	int on = 1;
	int s;
	int e;

	s = socket(addr->ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0) {
		goto fail;
	}
	step = "IPV6_V6ONLY";
	if (addr->ss_family == AF_INET6 &&
	    setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) != 0) {
		goto fail;
	}
	step = "SO_REUSEADDR";
	if (type == SOCK_STREAM &&
	    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0) {
		goto fail;
	}
	step = "pktinfo";
	if (type == SOCK_DGRAM && net_addr_is_wildcard(addr) &&
	    (addr->ss_family == AF_INET6
	             ? setsockopt(s, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on,
	                          sizeof(on))
	             : setsockopt(s, IPPROTO_IP, IP_PKTINFO, &on,
	                          sizeof(on))) != 0) {
		goto fail;
	}
	if (type == SOCK_DGRAM) {
		net_udp_buffers(s);
	}
	step = "bind";
	if (bind(s, (const struct sockaddr *)addr, addrlen) != 0) {
		goto fail;
	}
	step = "listen";
	if (type == SOCK_STREAM && listen(s, NET_TCP_BACKLOG) != 0) {
		goto fail;
	}
	*fd = s;
	return 0;
fail:
	e = errno;
	(void)snprintf(err, errlen, "cannot serve %s on %s (%s: %s)", tp,
	               log_addr_format((const struct sockaddr *)addr, name,
	                               sizeof(name)),
	               step, strerror(e));
	if (s >= 0 && close(s) != 0) {
		log_debug("close: %s", strerror(errno));
	}
	return -e;
}

void
net_close(evutil_socket_t fd)
{
	if (fd >= 0 && close(fd) != 0) {
		log_debug("close %d failed (%s)", fd, strerror(errno));
	}
}

/*
 * Bind the UDP socket, then TCP on the port UDP got.  With port 0 another
 * program may hold that TCP port: try again with a new one.
 */
static int
net_sock_bind(struct net_sock *s, const struct net_listen *l,
              evutil_socket_t *udp, evutil_socket_t *tcp, char *err,
              size_t errlen)
{
	bool any_port = net_addr_port(&l->addr) == 0;
	int rc;

	for (int attempt = 1;; attempt++) {
		s->addrlen = sizeof(s->addr);
		rc = net_socket_bind(SOCK_DGRAM, &l->addr, l->addrlen, udp, err,
		                     errlen);
		if (rc != 0) {
			return rc;
		}
		if (getsockname(*udp, (struct sockaddr *)&s->addr,
		                &s->addrlen) != 0) {
			rc = -errno;
			(void)snprintf(err, errlen, "getsockname failed (%s)",
			               strerror(-rc));
			net_close(*udp);
			return rc;
		}
		rc = net_socket_bind(SOCK_STREAM, &s->addr, s->addrlen, tcp,
		                     err, errlen);
		if (rc == 0) {
			net_udp_buffers_log(*udp, &s->addr);
			return 0;
		}
		net_close(*udp);
		if (rc != -EADDRINUSE || !any_port ||
		    attempt == NET_BIND_TRIES) {
			return rc;
		}
		log_debug("%s; trying another port", err);
	}
}

/*
 * The control message that sends a reply from the address the query in
 * RCV went to (IP_PKTINFO, IPV6_PKTINFO), as a wildcard socket must.
 * Returns its length in OUT, or 0.
 */
static size_t
net_ctl_reply(const struct msghdr *rcv, union net_ctl *out)
{
	struct cmsghdr *cm = (struct cmsghdr *)(void *)out->buf;

	memset(out, 0, sizeof(*out));
	for (struct cmsghdr *in = CMSG_FIRSTHDR(rcv); in != NULL;
	     in = CMSG_NXTHDR((struct msghdr *)rcv, in)) {
		if (in->cmsg_level == IPPROTO_IP &&
		    in->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			/* Source: where the query went; route as usual. */
			memcpy(&pi, CMSG_DATA(in), sizeof(pi));
			pi.ipi_spec_dst = pi.ipi_addr;
			pi.ipi_ifindex = 0;
			*cm = *in;
			memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
			return CMSG_SPACE(sizeof(pi));
		}
		if (in->cmsg_level == IPPROTO_IPV6 &&
		    in->cmsg_type == IPV6_PKTINFO) {
			*cm = *in;
			memcpy(CMSG_DATA(cm), CMSG_DATA(in),
			       sizeof(struct in6_pktinfo));
			return CMSG_SPACE(sizeof(struct in6_pktinfo));
		}
	}
	return 0;
}

/* Count one query's fate; true when there is a reply to send. */
bool
net_count(struct net *net, const struct query_result *res)
{
	net->stats.received++;
	if (res->verdict == QUERY_DROP || res->len > WIRE_MSG_MAX) {
		net->stats.dropped++;
		if (res->drop == QUERY_DROP_SHORT) {
			net->stats.malformed++;
		} else if (res->drop == QUERY_DROP_DELAY_COUNT ||
		           res->drop == QUERY_DROP_DELAY_OCTETS) {
			net->stats.delayed_dropped++;
		}
		return false;
	}
	net->stats.answered++;
	if (res->delay_ms > 0) {
		net->stats.delayed++;
	}
	return true;
}

/* Send the first N prepared replies of the batch. */
static void
net_udp_send(struct net_sock *s, unsigned n)
{
	struct net *net = s->net;
	unsigned done = 0;

	while (done < n) {
		int r = sendmmsg(s->udp_fd, net->smsg + done, n - done,
		                 MSG_DONTWAIT);

		if (r < 0) {
			int e = errno;

			if (e == EINTR) {
				continue;
			}
			/* Skip the reply that failed; try the rest. */
			net->stats.send_errors++;
			log_debug("udp reply not sent (%s)", strerror(e));
			done++;
		} else if (r == 0) {
			net->stats.send_errors += n - done;
			return;
		} else {
			done += (unsigned)r;
		}
	}
}

/*
 * Set up the receive headers for a socket with or without PKTINFO.  They
 * are set up in full only when that changes; otherwise only the lengths
 * and flags the kernel wrote in the last batch are put back, so a wakeup
 * for one datagram does not rewrite all NET_UDP_BATCH headers.
 */
static void
net_udp_prepare(struct net *net, bool pktinfo)
{
	unsigned to = net->rused;

	if (net->rprepared != (int)pktinfo) {
		to = NET_UDP_BATCH;
	}
	for (unsigned i = 0; i < to; i++) {
		struct msghdr *h = &net->rmsg[i].msg_hdr;

		net->riov[i].iov_base = net->in + (size_t)i * NET_SLOT;
		net->riov[i].iov_len = NET_SLOT;
		memset(h, 0, sizeof(*h));
		h->msg_name = &net->peers[i];
		h->msg_namelen = sizeof(net->peers[i]);
		h->msg_iov = &net->riov[i];
		h->msg_iovlen = 1;
		if (pktinfo) {
			h->msg_control = net->rctl[i].buf;
			h->msg_controllen = sizeof(net->rctl[i].buf);
		}
	}
	net->rprepared = (int)pktinfo;
	net->rused = 0;
}

/* Answer one batch of datagrams; returns how many came, or -1. */
static int
net_udp_batch(struct net_sock *s)
{
	struct net *net = s->net;
	struct query_result res;
	unsigned nsend = 0;
	int n;

	net_udp_prepare(net, s->pktinfo);
	do {
		n = recvmmsg(s->udp_fd, net->rmsg, NET_UDP_BATCH, MSG_DONTWAIT,
		             NULL);
	} while (n < 0 && errno == EINTR);
	/* A failed call may still have written the first header. */
	net->rused = n > 0 ? (unsigned)n : 1;
	if (n < 0) {
		if (errno != EAGAIN) { /* the same as EWOULDBLOCK on Linux */
			log_debug("udp receive failed (%s)", strerror(errno));
		}
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const struct msghdr *h = &net->rmsg[i].msg_hdr;
		struct msghdr *reply = &net->smsg[nsend].msg_hdr;
		uint8_t *out = net->out + (size_t)i * NET_SLOT;
		struct net_pending *p = NULL;

		if ((h->msg_flags & MSG_TRUNC) != 0) {
			continue; /* over 64 KiB: cannot be UDP */
		}
		query_handle_from(net->env, net->riov[i].iov_base,
		                  net->rmsg[i].msg_len, QUERY_UDP, s->family,
		                  (const struct sockaddr *)&net->peers[i], out,
		                  WIRE_MSG_MAX, &res);
		if (res.verdict == QUERY_SEND && res.delay_ms > 0 &&
		    res.len <= WIRE_MSG_MAX) {
			p = net_pending_take(net, res.len, &res); /* or a drop */
		}
		log_query((const struct sockaddr *)&net->peers[i], QUERY_UDP,
		          &res);
		if (!net_count(net, &res)) {
			continue;
		}
		net->siov[nsend].iov_base = out;
		net->siov[nsend].iov_len = res.len;
		memset(reply, 0, sizeof(*reply));
		reply->msg_name = &net->peers[i];
		reply->msg_namelen = h->msg_namelen;
		reply->msg_iov = &net->siov[nsend];
		reply->msg_iovlen = 1;
		if (s->pktinfo) {
			reply->msg_control = net->sctl[nsend].buf;
			reply->msg_controllen =
			        net_ctl_reply(h, &net->sctl[nsend]);
		}
		if (p == NULL) {
			nsend++;
		} else if (net_pending_start(p, NULL, s->udp_fd, reply,
		                             res.delay_ms) != 0) {
			net->stats.send_errors++;
		}
	}
	net_udp_send(s, nsend);
	log_query_flush();
	return n;
}

static void
net_udp_readable(evutil_socket_t fd, short what, void *arg)
{
	struct net_sock *s = arg;

	(void)fd;
	(void)what;
	/*
	 * A few batches, then back to the loop so TCP and timers run too.  A
	 * batch of two or more says queries are arriving faster than one a
	 * wakeup, so the socket is read again at once instead of through
	 * epoll; after a single datagram the next is rarely there yet, and
	 * the extra read would come back empty.
	 */
	for (int round = 0; round < NET_UDP_ROUNDS; round++) {
		if (net_udp_batch(s) < 2) {
			break;
		}
	}
}

/* Serve S on the bound sockets UDP and TCP; closes them on failure. */
static int
net_sock_start(struct net_sock *s, evutil_socket_t udp, evutil_socket_t tcp,
               char *err, size_t errlen)
{
	struct net *net = s->net;

	s->udp_fd = udp;
	s->family = s->addr.ss_family;
	s->pktinfo = net_addr_is_wildcard(&s->addr);
	s->udp_ev = event_new(net->base, udp, EV_READ | EV_PERSIST,
	                      net_udp_readable, s);
	/* Backlog 0: the socket already listens. */
	s->tcp = evconnlistener_new(net->base, net_tcp_accept, s,
	                            LEV_OPT_CLOSE_ON_FREE, 0, tcp);
	if (s->tcp == NULL) {
		net_close(tcp);
	}
	if (s->udp_ev == NULL || s->tcp == NULL ||
	    event_add(s->udp_ev, NULL) != 0) {
		(void)snprintf(err, errlen, "cannot watch sockets (libevent)");
		return -ENOMEM;
	}
	evconnlistener_set_error_cb(s->tcp, net_tcp_accept_error);
	return 0;
}

static void
net_sock_clear(struct net_sock *s)
{
	if (s->udp_ev != NULL) {
		event_free(s->udp_ev);
	}
	if (s->tcp != NULL) {
		evconnlistener_free(s->tcp);
	}
	net_close(s->udp_fd);
}

struct net *
net_new(struct event_base *base, const struct net_config *cfg,
        const struct query_env *env, char *err, size_t errlen)
{
	struct net *net = calloc(1, sizeof(*net));
	char why[256];

	if (net == NULL) {
		(void)snprintf(err, errlen, "out of memory");
		return NULL;
	}
	net->base = base;
	net->env = env;
	net->tcp_idle.tv_sec = (time_t)(cfg->tcp_idle_ms / 1000);
	net->tcp_idle.tv_usec = (suseconds_t)(cfg->tcp_idle_ms % 1000) * 1000;
	net->tcp_max_conns = cfg->tcp_max_conns;
	net->rprepared = -1;
	if (net_delay_init(&net->delay, cfg->max_delayed,
	                   cfg->max_delayed_octets) != 0) {
		(void)snprintf(err, errlen,
		               "out of memory for %u delayed replies and %zu "
		               "octets (--max-delayed, --max-delayed-octets)",
		               cfg->max_delayed, cfg->max_delayed_octets);
		goto fail;
	}
	net->in = malloc((size_t)NET_UDP_BATCH * NET_SLOT);
	net->out = malloc((size_t)NET_UDP_BATCH * NET_SLOT);
	net->socks = calloc(cfg->nlisten > 0 ? cfg->nlisten : 1,
	                    sizeof(*net->socks));
	if (net->in == NULL || net->out == NULL || net->socks == NULL) {
		(void)snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < cfg->nlisten; i++) {
		struct net_sock *s = &net->socks[net->nsocks];
		evutil_socket_t udp = -1;
		evutil_socket_t tcp = -1;

		s->net = net;
		s->udp_fd = -1;
		if (net_sock_bind(s, &cfg->listen[i], &udp, &tcp, why,
		                  sizeof(why)) != 0) {
			if (cfg->listen[i].optional) {
				log_warn("%s; going on without it", why);
				continue;
			}
			(void)snprintf(err, errlen, "%s", why);
			goto fail;
		}
		net->nsocks++;
		if (net_sock_start(s, udp, tcp, err, errlen) != 0) {
			goto fail;
		}
	}
	if (net->nsocks == 0) {
		(void)snprintf(err, errlen, "no address to serve on");
		goto fail;
	}
	return net;
fail:
	net_free(net);
	return NULL;
}

void
net_free(struct net *net)
{
	if (net == NULL) {
		return;
	}
	while (net->conns != NULL) {
		net_conn_free(net->conns);
	}
	while (net->pending != NULL) {
		net_pending_free(net->pending);
	}
	for (size_t i = 0; i < net->nsocks; i++) {
		net_sock_clear(&net->socks[i]);
	}
	net_delay_clear(&net->delay);
	free(net->socks);
	free(net->in);
	free(net->out);
	free(net);
}

size_t
net_ready_format(const struct net *net, char *buf, size_t cap)
{
	char addr[LOG_ADDR_MAX];
	size_t len = 0;
	int n;

	n = snprintf(buf, cap, "ready");
	len = n > 0 ? (size_t)n : 0;
	for (size_t i = 0; i < net->nsocks; i++) {
		(void)log_addr_format(
		        (const struct sockaddr *)&net->socks[i].addr, addr,
		        sizeof(addr));
		n = snprintf(len < cap ? buf + len : NULL,
		             len < cap ? cap - len : 0, " udp=%s tcp=%s", addr,
		             addr);
		len += n > 0 ? (size_t)n : 0;
	}
	return len;
}

void
net_stats_get(const struct net *net, struct net_stats *out)
{
	*out = net->stats;
	out->delayed_pending = net->delay.pending;
	out->delayed_pending_octets =
	        (uint64_t)net->delay.blocks_taken * NET_DELAY_BLOCK;
}
