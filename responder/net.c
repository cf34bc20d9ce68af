/*
 * responder/net.c -- sockets and libevent callbacks: moves bytes, never
 * builds answers.
 */
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "log.h"
#include "query.h"
#include "wire.h"

#define NET_SLOT            (WIRE_MSG_MAX + 9) /* a message and its prefix */
#define NET_UDP_ROUNDS      8 /* batches per wakeup, then let others run */
#define NET_BIND_TRIES      8 /* port 0: ports tried when TCP's is taken */
#define NET_TCP_BACKLOG     256
#define NET_TCP_OUT_MAX     ((size_t)256 * 1024) /* unsent: stop reading */
#define NET_ACCEPT_PAUSE_MS 100 /* after accept() failed (EMFILE) */

/* Room for the one IP_PKTINFO or IPV6_PKTINFO message we ask for. */
union net_ctl {
	size_t align; /* as struct cmsghdr */
	uint8_t buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
	            CMSG_SPACE(sizeof(struct in_pktinfo))];
};

struct net_conn;

/* A delayed reply: a copy owned by its timer, freed when sent or cancelled. */
struct net_pending {
	struct net_pending *next;
	struct net_pending **prevp;
	struct net *net;
	struct net_conn *conn; /* TCP; NULL for UDP */
	struct event *timer;
	evutil_socket_t fd; /* UDP */
	struct sockaddr_storage peer;
	socklen_t peerlen;
	union net_ctl ctl;
	size_t ctllen;
	size_t len;
	uint8_t wire[]; /* TCP: with its length prefix */
};

/* One address: a UDP socket and a TCP listener on the same port. */
struct net_sock {
	struct net *net;
	int family;
	evutil_socket_t udp_fd;
	struct event *udp_ev;
	bool pktinfo; /* a wildcard address: reply from where the query went */
	struct evconnlistener *tcp;
	struct sockaddr_storage addr; /* as bound: the real port */
	socklen_t addrlen;
};

struct net_conn {
	struct net_conn *next;
	struct net_conn **prevp;
	struct net *net;
	struct bufferevent *bev;
	int family;
	struct sockaddr_storage peer;
	struct net_pending *pending; /* delayed replies, cancelled on close */
	bool closing;   /* the peer is done sending: close once all is sent */
	bool throttled; /* reading stopped until the output drains */
};

struct net {
	struct event_base *base;
	const struct query_env *env;
	struct net_sock *socks;
	size_t nsocks;
	struct net_conn *conns;
	unsigned nconns;
	struct net_pending *pending; /* delayed UDP replies */
	struct timeval tcp_idle;
	unsigned tcp_max_conns;
	struct net_stats stats;

	/* One batch of datagrams; TCP uses the first slots.  Allocated once. */
	uint8_t *in;
	uint8_t *out;
	struct mmsghdr rmsg[NET_UDP_BATCH];
	struct mmsghdr smsg[NET_UDP_BATCH];
	struct iovec riov[NET_UDP_BATCH];
	struct iovec siov[NET_UDP_BATCH];
	struct sockaddr_storage peers[NET_UDP_BATCH];
	union net_ctl rctl[NET_UDP_BATCH];
	union net_ctl sctl[NET_UDP_BATCH];
	unsigned rused;   /* receive headers the kernel changed last time */
	int rprepared;    /* receive headers set up: -1 no, 0/1 pktinfo */
};

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

static void
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

static void
net_pending_free(struct net_pending *p)
{
	if (p->next != NULL) {
		p->next->prevp = p->prevp;
	}
	*p->prevp = p->next;
	event_free(p->timer);
	free(p);
}

static void net_conn_timeouts(struct net_conn *c);
static void net_conn_try_close(struct net_conn *c);

static void
net_pending_fire(evutil_socket_t fd, short what, void *arg)
{
	struct net_pending *p = arg;
	struct net_conn *c = p->conn;
	struct net *net = p->net;
	struct msghdr msg = {0};
	struct iovec iov;

	(void)fd;
	(void)what;
	if (c != NULL) {
		if (bufferevent_write(c->bev, p->wire, p->len) != 0) {
			net->stats.send_errors++;
		}
		net_pending_free(p);
		if (c->pending == NULL) {
			net_conn_timeouts(c);
			net_conn_try_close(c);
		}
		return;
	}
	iov.iov_base = p->wire;
	iov.iov_len = p->len;
	msg.msg_name = &p->peer;
	msg.msg_namelen = p->peerlen;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = p->ctllen > 0 ? p->ctl.buf : NULL;
	msg.msg_controllen = p->ctllen;
	if (sendmsg(p->fd, &msg, MSG_DONTWAIT) < 0) {
		net->stats.send_errors++;
		log_debug("delayed udp reply not sent (%s)", strerror(errno));
	}
	net_pending_free(p);
}

/*
 * Keep a copy of the reply MSG describes (its one iovec, and for UDP its
 * peer and control data) to send DELAY_MS from now: on UDP through FD, on
 * TCP on C.  Returns 0 or -ENOMEM.
 */
static int
net_pending_add(struct net *net, struct net_conn *c, evutil_socket_t fd,
                const struct msghdr *msg, uint32_t delay_ms)
{
	struct net_pending **head = c != NULL ? &c->pending : &net->pending;
	struct timeval tv = {(time_t)(delay_ms / 1000),
	                     (suseconds_t)(delay_ms % 1000) * 1000};
	size_t len = msg->msg_iov[0].iov_len;
	struct net_pending *p = calloc(1, sizeof(*p) + len);

	if (p == NULL) {
		return -ENOMEM;
	}
	p->timer = evtimer_new(net->base, net_pending_fire, p);
	if (p->timer == NULL || evtimer_add(p->timer, &tv) != 0) {
		if (p->timer != NULL) {
			event_free(p->timer);
		}
		free(p);
		return -ENOMEM;
	}
	p->net = net;
	p->conn = c;
	p->fd = fd;
	if (msg->msg_namelen > 0) { /* UDP */
		p->peerlen = msg->msg_namelen;
		memcpy(&p->peer, msg->msg_name, msg->msg_namelen);
	}
	if (msg->msg_controllen > 0) {
		p->ctllen = msg->msg_controllen;
		memcpy(p->ctl.buf, msg->msg_control, msg->msg_controllen);
	}
	memcpy(p->wire, msg->msg_iov[0].iov_base, len);
	p->len = len;
	p->next = *head;
	if (p->next != NULL) {
		p->next->prevp = &p->next;
	}
	p->prevp = head;
	*head = p;
	return 0;
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
static bool
net_count(struct net *net, const struct query_result *res)
{
	net->stats.received++;
	if (res->verdict == QUERY_DROP || res->len > WIRE_MSG_MAX) {
		net->stats.dropped++;
		if (res->drop == QUERY_DROP_SHORT) {
			net->stats.malformed++;
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

		if ((h->msg_flags & MSG_TRUNC) != 0) {
			continue; /* over 64 KiB: cannot be UDP */
		}
		query_handle(net->env, net->riov[i].iov_base,
		             net->rmsg[i].msg_len, QUERY_UDP, s->family, out,
		             WIRE_MSG_MAX, &res);
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
		if (res.delay_ms == 0) {
			nsend++;
		} else if (net_pending_add(net, NULL, s->udp_fd, reply,
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
	/* A few batches, then back to the loop so TCP and timers run too. */
	for (int round = 0; round < NET_UDP_ROUNDS; round++) {
		if (net_udp_batch(s) < NET_UDP_BATCH) {
			break;
		}
	}
}

static void
net_conn_free(struct net_conn *c)
{
	while (c->pending != NULL) {
		net_pending_free(c->pending); /* cancelled: never sent */
	}
	if (c->next != NULL) {
		c->next->prevp = c->prevp;
	}
	*c->prevp = c->next;
	c->net->nconns--;
	bufferevent_free(c->bev); /* closes the socket */
	free(c);
}

/*
 * The idle timeout applies to reading, and to writing a reply the peer
 * does not take.  While delayed replies are due the peer is waiting, not
 * idle, so reading has no timeout then.
 */
static void
net_conn_timeouts(struct net_conn *c)
{
	const struct timeval *idle = &c->net->tcp_idle;

	if (bufferevent_set_timeouts(c->bev, c->pending != NULL ? NULL : idle,
	                             idle) != 0) {
		log_debug("tcp timeouts not set");
	}
}

/* After the peer's EOF: close once every reply is written. */
static void
net_conn_try_close(struct net_conn *c)
{
	if (c->closing && c->pending == NULL &&
	    evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) {
		net_conn_free(c);
	}
}

/* One frame of LEN octets in NET->in: answer it on C. */
static void
net_tcp_query(struct net_conn *c, size_t len)
{
	struct net *net = c->net;
	struct query_result res;

	query_handle(net->env, net->in, len, QUERY_TCP, c->family, net->out + 2,
	             WIRE_MSG_MAX, &res);
	log_query((const struct sockaddr *)&c->peer, QUERY_TCP, &res);
	if (!net_count(net, &res)) {
		return;
	}
	/* RFC 1035 4.2.2: a two-octet length, then the message. */
	wire_put16(net->out, (uint16_t)res.len);
	if (res.delay_ms > 0) {
		struct iovec iov = {net->out, res.len + 2};
		struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};

		if (net_pending_add(net, c, -1, &msg, res.delay_ms) != 0) {
			net->stats.send_errors++;
		}
		net_conn_timeouts(c);
		return;
	}
	if (bufferevent_write(c->bev, net->out, res.len + 2) != 0) {
		net->stats.send_errors++;
	}
}

/* Answer every complete frame in C's input, as long as output drains. */
static void
net_tcp_frames(struct net_conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct evbuffer *out = bufferevent_get_output(c->bev);
	uint8_t prefix[2];
	size_t len;

	for (;;) {
		if (evbuffer_get_length(out) >= NET_TCP_OUT_MAX) {
			/* The peer sends faster than it reads: wait. */
			c->throttled = true;
			if (bufferevent_disable(c->bev, EV_READ) != 0) {
				log_debug("tcp reading not stopped");
			}
			break;
		}
		if (evbuffer_copyout(in, prefix, 2) != 2) {
			break;
		}
		len = wire_get16(prefix);
		if (evbuffer_get_length(in) < len + 2) {
			break; /* the rest comes later, or the timeout does */
		}
		if (evbuffer_drain(in, 2) != 0 ||
		    evbuffer_remove(in, c->net->in, len) != (int)len) {
			log_err("tcp frame not read");
			break;
		}
		net_tcp_query(c, len);
	}
	log_query_flush();
}

static void
net_tcp_readable(struct bufferevent *bev, void *arg)
{
	(void)bev;
	net_tcp_frames(arg);
}

/* Called when the output has drained (low watermark 0). */
static void
net_tcp_written(struct bufferevent *bev, void *arg)
{
	struct net_conn *c = arg;

	if (c->throttled && !c->closing) {
		c->throttled = false;
		if (bufferevent_enable(bev, EV_READ) != 0) {
			log_debug("tcp reading not resumed");
		}
		net_tcp_frames(c);
	}
	net_conn_try_close(c);
}

static void
net_tcp_event(struct bufferevent *bev, short what, void *arg)
{
	struct net_conn *c = arg;
	char peer[LOG_ADDR_MAX];

	(void)log_addr_format((const struct sockaddr *)&c->peer, peer,
	                      sizeof(peer));
	if ((what & BEV_EVENT_TIMEOUT) != 0) {
		c->net->stats.tcp_timeouts++;
		log_debug("tcp %s closed (idle)", peer);
		net_conn_free(c);
		return;
	}
	if ((what & BEV_EVENT_EOF) != 0 && (what & BEV_EVENT_READING) != 0) {
		/* Half-close: the queries so far still get their replies. */
		if (evbuffer_get_length(bufferevent_get_input(bev)) > 0) {
			log_debug("tcp %s sent a partial frame", peer);
		}
		c->closing = true;
		if (bufferevent_disable(bev, EV_READ) != 0) {
			log_debug("tcp reading not stopped");
		}
		net_conn_try_close(c);
		return;
	}
	log_debug("tcp %s closed (%s)", peer,
	          (what & BEV_EVENT_ERROR) != 0
	                  ? evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR())
	                  : "eof");
	net_conn_free(c);
}

static void
net_tcp_accept(struct evconnlistener *lev, evutil_socket_t fd,
               struct sockaddr *sa, int salen, void *arg)
{
	struct net_sock *s = arg;
	struct net *net = s->net;
	struct net_conn *c;
	int on = 1;

	(void)lev;
	if (net->nconns >= net->tcp_max_conns) {
		net->stats.tcp_refused++;
		log_debug("tcp connection refused (%u open)", net->nconns);
		net_close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		net_close(fd);
		return;
	}
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) != 0) {
		log_debug("TCP_NODELAY not set (%s)", strerror(errno));
	}
	c->bev = bufferevent_socket_new(net->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		net_close(fd);
		free(c);
		return;
	}
	c->net = net;
	c->family = s->family;
	if (salen > 0 && (size_t)salen <= sizeof(c->peer)) {
		memcpy(&c->peer, sa, (size_t)salen);
	}
	c->next = net->conns;
	if (c->next != NULL) {
		c->next->prevp = &c->next;
	}
	c->prevp = &net->conns;
	net->conns = c;
	net->nconns++;
	net->stats.tcp_accepted++;
	bufferevent_setcb(c->bev, net_tcp_readable, net_tcp_written,
	                  net_tcp_event, c);
	net_conn_timeouts(c);
	if (bufferevent_enable(c->bev, EV_READ | EV_WRITE) != 0) {
		net_conn_free(c);
	}
}

static void
net_tcp_resume(evutil_socket_t fd, short what, void *arg)
{
	struct net_sock *s = arg;

	(void)fd;
	(void)what;
	if (evconnlistener_enable(s->tcp) != 0) {
		log_err("tcp accepting not resumed");
	}
}

/* accept() failed (EMFILE, ENFILE, ENOBUFS): pause instead of spinning. */
static void
net_tcp_accept_error(struct evconnlistener *lev, void *arg)
{
	struct net_sock *s = arg;
	struct timeval tv = {0, (suseconds_t)NET_ACCEPT_PAUSE_MS * 1000};
	int e = EVUTIL_SOCKET_ERROR();

	log_warn("tcp connection not accepted (%s)",
	         evutil_socket_error_to_string(e));
	if (evconnlistener_disable(lev) != 0 ||
	    event_base_once(s->net->base, -1, EV_TIMEOUT, net_tcp_resume, s,
	                    &tv) != 0) {
		log_err("tcp accepting not paused");
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
}
