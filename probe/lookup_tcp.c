/*
 * probe/lookup_tcp.c -- the TCP part of a lookup (RFC 7766), after a
 * truncated UDP answer: connecting, sending the framed query, reading
 * length-prefixed replies until one is Q's.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "lookup_int.h"
#include "udp_pool.h"

#define LOOKUP_MSG_MAX 65535
/* TCP messages read per event, so that a flood of foreign replies cannot
 * starve the timers. */
#define LOOKUP_READS_MAX 64

/* A TCP connection to the server, being made. */
static int
lookup_connect(struct lookup_query *q)
{
	const struct lookup_config *cfg = &q->c->cfg;
	int fd = socket(cfg->server.ss_family,
	                SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		return -1;
	}
	if (cfg->source_len > 0 &&
	    bind(fd, (const struct sockaddr *)&cfg->source, cfg->source_len) !=
	            0) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	if (connect(fd, (const struct sockaddr *)&cfg->server,
	            cfg->server_len) != 0 &&
	    errno != EINPROGRESS) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

static void lookup_tcp_io(evutil_socket_t fd, short what, void *arg);

void
lookup_tcp(struct lookup_query *q)
{
	lookup_close(q);
	evtimer_del(q->timer);
	lookup_stale(q);
	q->state = LOOKUP_TCP_WRITE;
	q->fd = lookup_connect(q);
	if (q->fd < 0) {
		lookup_fail_later(q, CAA_LOOKUP_TRUNCATED);
		return;
	}
	q->io = event_new(q->c->base, q->fd, EV_WRITE | EV_PERSIST,
	                  lookup_tcp_io, q);
	if (q->io == NULL || event_add(q->io, NULL) != 0) {
		lookup_fail_later(q, CAA_LOOKUP_TRUNCATED);
		return;
	}
	q->res.queries++;
	lookup_arm(q);
}

/* Sends the framed query (RFC 1035 4.2.2: a two-octet length first). */
static void
lookup_tcp_write(struct lookup_query *q)
{
	size_t total = q->msglen + 2;
	int err = 0;
	socklen_t elen = sizeof(err);

	if (q->tsent == 0 &&
	    (getsockopt(q->fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0 ||
	     err != 0)) {
		lookup_finish(q, CAA_LOOKUP_TRUNCATED); /* connect failed */
		return;
	}
	while (q->tsent < total) {
		ssize_t n = send(q->fd, q->msg + q->tsent, total - q->tsent,
		                 MSG_NOSIGNAL);

		if (n < 0) {
			if (udp_pool_again(errno)) {
				return;
			}
			lookup_finish(q, CAA_LOOKUP_TRUNCATED);
			return;
		}
		q->tsent += (size_t)n;
	}
	event_free(q->io);
	q->io = NULL;
	q->tbuf = malloc(2 + LOOKUP_MSG_MAX);
	q->io = event_new(q->c->base, q->fd, EV_READ | EV_PERSIST,
	                  lookup_tcp_io, q);
	if (q->tbuf == NULL || q->io == NULL || event_add(q->io, NULL) != 0) {
		lookup_finish(q, CAA_LOOKUP_NETWORK);
		return;
	}
	q->thave = 0;
	q->state = LOOKUP_TCP_READ;
}

static void
lookup_tcp_read(struct lookup_query *q)
{
	for (int k = 0; k < LOOKUP_READS_MAX; k++) {
		size_t need = 2;
		ssize_t n;
		bool ignored;

		if (q->thave >= 2) {
			need += (size_t)q->tbuf[0] << 8 | q->tbuf[1];
		}
		if (q->thave < need) {
			n = recv(q->fd, q->tbuf + q->thave, need - q->thave, 0);
			if (n < 0 && udp_pool_again(errno)) {
				return;
			}
			if (n <= 0) {
				/* Closed or reset before a whole answer. */
				lookup_finish(q, CAA_LOOKUP_TRUNCATED);
				return;
			}
			q->thave += (size_t)n;
			continue;
		}
		/* Whole (a zero length is a message under 12 octets:
		 * malformed, never a loop). */
		lookup_message(q, q->tbuf + 2, need - 2, &ignored);
		if (!ignored) {
			return; /* Q may be gone */
		}
		q->thave = 0; /* not ours: read the next message */
	}
}

static void
lookup_tcp_io(evutil_socket_t fd, short what, void *arg)
{
	struct lookup_query *q = arg;

	(void)fd;
	(void)what;
	if (q->state == LOOKUP_TCP_WRITE) {
		lookup_tcp_write(q);
	} else {
		lookup_tcp_read(q);
	}
}
