/*
 * responder/net_tcp.c -- TCP connections: accepting (within
 * --tcp-max-conns), reading length-prefixed frames, pipelined and delayed
 * replies, idle timeouts and closing.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "log.h"
#include "net_int.h"
#include "query.h"
#include "wire.h"

void
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
void
net_conn_timeouts(struct net_conn *c)
{
	const struct timeval *idle = &c->net->tcp_idle;

	if (bufferevent_set_timeouts(c->bev, c->pending != NULL ? NULL : idle,
	                             idle) != 0) {
		log_debug("tcp timeouts not set");
	}
}

/* After the peer's EOF: close once every reply is written. */
void
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
	struct net_pending *p = NULL;

	query_handle_from(net->env, net->in, len, QUERY_TCP, c->family,
	                  (const struct sockaddr *)&c->peer, net->out + 2,
	                  WIRE_MSG_MAX, &res);
	if (res.verdict == QUERY_SEND && res.delay_ms > 0 &&
	    res.len <= WIRE_MSG_MAX) {
		p = net_pending_take(net, res.len + 2, &res); /* or a drop */
	}
	log_query((const struct sockaddr *)&c->peer, QUERY_TCP, &res);
	if (!net_count(net, &res)) {
		return;
	}
	/* RFC 1035 4.2.2: a two-octet length, then the message. */
	wire_put16(net->out, (uint16_t)res.len);
	if (p != NULL) {
		struct iovec iov = {net->out, res.len + 2};
		struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};

		if (net_pending_start(p, c, -1, &msg, res.delay_ms) != 0) {
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

void
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
void
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
