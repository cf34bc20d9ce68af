/*
 * probe/udp_pool.c -- a few long-lived UDP sockets to one server, shared
 * by the lookups in flight.
 *
 * Each socket keeps its entries in an open-addressing table keyed by ID
 * (linear probing; the IDs are random, so the low bits are the hash) and
 * in a list, oldest first, walked only when the socket reports an error.
 * Its read event is pending only while it holds entries: the loop ends
 * when the lookups do, and a late reply waits in the socket buffer, to be
 * dropped when the socket is next read.
 *
 * System calls go by the batch, as in the responder: datagrams are read
 * with recvmmsg(), and queries queue on their socket until a flush event,
 * made active by the first of them, sends them with sendmmsg() once the
 * callbacks running now (which start the next lookups) have returned.
 */
#include "udp_pool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#define UDP_POOL_MSG_MAX   65535
#define UDP_POOL_TABLE_MIN 64
#define UDP_POOL_BATCH     32 /* datagrams a system call */
/* Batches read per event, so that a flood cannot starve the timers. */
#define UDP_POOL_ROUNDS 2
/* Receive buffer asked for: replies to a socket's lookups may all arrive
 * before the loop reads any (the kernel caps it at net.core.rmem_max). */
#define UDP_POOL_RCVBUF (1024 * 1024)

struct udp_pool_socket {
	struct udp_pool *pool;
	int fd;
	struct event *ev;
	struct udp_pool_entry **table; /* CAP slots, NULL: free */
	size_t cap;                    /* a power of two */
	size_t count;
	struct udp_pool_entry *head; /* oldest first */
	struct udp_pool_entry *tail;
	struct udp_pool_entry **sendq; /* queries to send; NULL: taken off */
	size_t nsend;
	size_t sendcap;
};

struct udp_pool {
	struct event_base *base;
	struct sockaddr_storage server;
	socklen_t server_len;
	struct sockaddr_storage source;
	socklen_t source_len; /* 0: none */
	udp_pool_reply_fn reply;
	udp_pool_error_fn error;
	size_t nsock;
	struct udp_pool_socket sock[UDP_POOL_SOCKETS];
	struct event *flush;
	bool flush_active;
	uint8_t rnd[256];
	size_t rnd_left;
	struct mmsghdr rmsg[UDP_POOL_BATCH];
	struct iovec riov[UDP_POOL_BATCH];
	uint8_t *rbuf; /* UDP_POOL_BATCH datagrams of UDP_POOL_MSG_MAX */
	struct mmsghdr smsg[UDP_POOL_BATCH];
	struct iovec siov[UDP_POOL_BATCH];
};

/* Query IDs: unpredictable, so that an off-path reply is unlikely to
 * match (RFC 5452). */
static uint16_t
udp_pool_random16(struct udp_pool *p)
{
	uint16_t v;

	if (p->rnd_left < 2) {
		size_t got = 0;

		while (got < sizeof(p->rnd)) {
			ssize_t n = getrandom(p->rnd + got,
			                      sizeof(p->rnd) - got, 0);

			if (n <= 0) {
				break;
			}
			got += (size_t)n;
		}
		if (got < sizeof(p->rnd)) {
			/* No entropy source: distinct IDs at least (xorshift
			 * seeded from the clock). */
			struct timespec ts;
			uint64_t x;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			x = (uint64_t)ts.tv_nsec << 20 ^ (uint64_t)ts.tv_sec ^
			    0x9e3779b97f4a7c15U;
			for (size_t i = got; i < sizeof(p->rnd); i++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				p->rnd[i] = (uint8_t)(x >> 32);
			}
		}
		p->rnd_left = sizeof(p->rnd);
	}
	p->rnd_left -= 2;
	memcpy(&v, p->rnd + p->rnd_left, 2);
	return v;
}

/* The slot holding ID, or of the free slot that ends its probe run. */
static size_t
udp_pool_slot(const struct udp_pool_socket *s, uint16_t id)
{
	size_t mask = s->cap - 1;
	size_t i = id & mask;

	while (s->table[i] != NULL && s->table[i]->id != id) {
		i = (i + 1) & mask;
	}
	return i;
}

/* Doubles the table of S.  Returns 0 or -ENOMEM. */
static int
udp_pool_grow(struct udp_pool_socket *s)
{
	size_t cap = s->cap * 2;
	struct udp_pool_entry **old = s->table;
	struct udp_pool_entry **table =
	        calloc(cap, sizeof(struct udp_pool_entry *));

	if (table == NULL) {
		return -ENOMEM;
	}
	s->table = table;
	s->cap = cap;
	for (struct udp_pool_entry *e = s->head; e != NULL; e = e->next) {
		s->table[udp_pool_slot(s, e->id)] = e;
	}
	free(old);
	return 0;
}

static void
udp_pool_fail(struct udp_pool_socket *s, int err)
{
	struct udp_pool_entry *e;

	/* Mark first: entries added by the callbacks are not reported. */
	for (e = s->head; e != NULL; e = e->next) {
		e->marked = true;
	}
	e = s->head;
	while (e != NULL) {
		struct udp_pool_entry *next = e->next;

		if (!e->marked) {
			e = next;
			continue;
		}
		e->marked = false;
		s->pool->error(e, err);
		/* E may be gone; start over if NEXT went with it. */
		e = next != NULL && next->sock == s && next->marked ? next
		                                                    : s->head;
	}
}

/* One datagram read on S: to the entry holding its ID, if any. */
static void
udp_pool_dispatch(struct udp_pool_socket *s, const uint8_t *msg, size_t len)
{
	struct udp_pool_entry *e;

	if (len < 2) {
		return; /* not even an ID */
	}
	e = s->table[udp_pool_slot(s, (uint16_t)(msg[0] << 8 | msg[1]))];
	if (e != NULL) {
		s->pool->reply(e, msg, len);
	}
}

static void
udp_pool_read(evutil_socket_t fd, short what, void *arg)
{
	struct udp_pool_socket *s = arg;
	struct udp_pool *p = s->pool;

	(void)what;
	for (int k = 0; k < UDP_POOL_ROUNDS; k++) {
		int n = recvmmsg(fd, p->rmsg, UDP_POOL_BATCH, 0, NULL);

		if (n < 0) {
			int err = errno;

			if (!udp_pool_again(err)) {
				/* ICMP unreachable on a connected socket: the
				 * server is not there for any of them. */
				udp_pool_fail(s, err);
			}
			return;
		}
		/* The callbacks read nothing, so the buffers stay. */
		for (int i = 0; i < n; i++) {
			udp_pool_dispatch(s, p->riov[i].iov_base,
			                  p->rmsg[i].msg_len);
		}
		if (n < UDP_POOL_BATCH) {
			return;
		}
	}
}

/* Sends the queue of S, in order, by batches. */
static void
udp_pool_flush_socket(struct udp_pool_socket *s)
{
	struct udp_pool *p = s->pool;
	size_t i = 0;

	/* The error callback may take entries off the queue (NULL) and
	 * add to it: S->sendq and S->nsend are read afresh each time. */
	while (i < s->nsend) {
		size_t at[UDP_POOL_BATCH];
		unsigned int n = 0;
		int r;

		for (; i < s->nsend && n < UDP_POOL_BATCH; i++) {
			struct udp_pool_entry *e = s->sendq[i];

			if (e == NULL) {
				continue;
			}
			p->siov[n].iov_base = e->out;
			p->siov[n].iov_len = e->outlen;
			at[n++] = i;
		}
		if (n == 0) {
			break;
		}
		r = sendmmsg(s->fd, p->smsg, n, 0);
		if (r <= 0 && (r == 0 || udp_pool_again(errno))) {
			r = (int)n; /* lost: the timers stand in for them */
		}
		if (r < 0) {
			/* The first failed (an earlier ICMP error, ...): it
			 * alone; the rest go again. */
			int err = errno;
			struct udp_pool_entry *e = s->sendq[at[0]];

			s->sendq[at[0]] = NULL;
			e->queued = false;
			i = at[0] + 1;
			p->error(e, err);
			continue;
		}
		for (int j = 0; j < r; j++) {
			s->sendq[at[j]]->queued = false;
			s->sendq[at[j]] = NULL;
		}
		i = at[r - 1] + 1;
	}
	s->nsend = 0;
}

static void
udp_pool_flush(evutil_socket_t fd, short what, void *arg)
{
	struct udp_pool *p = arg;

	(void)fd;
	(void)what;
	p->flush_active = false;
	for (size_t k = 0; k < p->nsock; k++) {
		udp_pool_flush_socket(&p->sock[k]);
	}
}

struct udp_pool *
udp_pool_new(struct event_base *base, const struct sockaddr *server,
             socklen_t server_len, const struct sockaddr *source,
             socklen_t source_len, udp_pool_reply_fn reply,
             udp_pool_error_fn error)
{
	struct udp_pool *p;

	if (server_len > sizeof(p->server) || source_len > sizeof(p->source)) {
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		return NULL;
	}
	p->rbuf = malloc((size_t)UDP_POOL_BATCH * UDP_POOL_MSG_MAX);
	p->flush = event_new(base, -1, 0, udp_pool_flush, p);
	if (p->rbuf == NULL || p->flush == NULL) {
		udp_pool_free(p);
		return NULL;
	}
	for (size_t i = 0; i < UDP_POOL_BATCH; i++) {
		p->riov[i].iov_base = p->rbuf + i * UDP_POOL_MSG_MAX;
		p->riov[i].iov_len = UDP_POOL_MSG_MAX;
		p->rmsg[i].msg_hdr.msg_iov = &p->riov[i];
		p->rmsg[i].msg_hdr.msg_iovlen = 1;
		p->smsg[i].msg_hdr.msg_iov = &p->siov[i];
		p->smsg[i].msg_hdr.msg_iovlen = 1;
	}
	p->base = base;
	memcpy(&p->server, server, server_len);
	p->server_len = server_len;
	if (source_len > 0) {
		memcpy(&p->source, source, source_len);
		p->source_len = source_len;
	}
	p->reply = reply;
	p->error = error;
	return p;
}

void
udp_pool_free(struct udp_pool *p)
{
	if (p == NULL) {
		return;
	}
	for (size_t i = 0; i < p->nsock; i++) {
		event_free(p->sock[i].ev);
		close(p->sock[i].fd);
		free(p->sock[i].table);
		free(p->sock[i].sendq);
	}
	if (p->flush != NULL) {
		event_free(p->flush);
	}
	free(p->rbuf);
	free(p);
}

/* Opens the next socket.  Returns it, or NULL with errno set. */
static struct udp_pool_socket *
udp_pool_open(struct udp_pool *p)
{
	struct udp_pool_socket *s = &p->sock[p->nsock];
	int rcvbuf = UDP_POOL_RCVBUF;
	int err;

	memset(s, 0, sizeof(*s));
	s->pool = p;
	s->cap = UDP_POOL_TABLE_MIN;
	s->table = calloc(s->cap, sizeof(struct udp_pool_entry *));
	if (s->table == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	s->fd = socket(p->server.ss_family,
	               SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		err = errno;
		goto fail;
	}
	/* Best effort: the default still works, with more retries. */
	(void)setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	/* Connecting binds a random ephemeral port (of SOURCE's address
	 * when given) and filters what comes in to the server's address
	 * and port. */
	if (p->source_len > 0 &&
	    bind(s->fd, (const struct sockaddr *)&p->source, p->source_len) !=
	            0) {
		err = errno;
		goto fail;
	}
	if (connect(s->fd, (const struct sockaddr *)&p->server,
	            p->server_len) != 0) {
		err = errno;
		goto fail;
	}
	s->ev = event_new(p->base, s->fd, EV_READ | EV_PERSIST, udp_pool_read,
	                  s);
	if (s->ev == NULL) {
		err = ENOMEM;
		goto fail;
	}
	p->nsock++;
	return s;
fail:
	if (s->ev != NULL) {
		event_free(s->ev);
	}
	if (s->fd >= 0) {
		close(s->fd);
	}
	free(s->table);
	memset(s, 0, sizeof(*s));
	errno = err;
	return NULL;
}

int
udp_pool_add(struct udp_pool *p, struct udp_pool_entry *e)
{
	struct udp_pool_socket *s = NULL;
	size_t i;
	int rc;

	for (i = 0; i < p->nsock; i++) {
		if (s == NULL || p->sock[i].count < s->count) {
			s = &p->sock[i];
		}
	}
	if (s == NULL ||
	    (s->count >= UDP_POOL_SPREAD && p->nsock < UDP_POOL_SOCKETS)) {
		struct udp_pool_socket *fresh = udp_pool_open(p);

		if (fresh != NULL) {
			s = fresh;
		} else if (s == NULL) {
			return errno != 0 ? -errno : -ENOMEM;
		}
	}
	if (s->count >= UDP_POOL_IDS) {
		return -EBUSY;
	}
	if ((s->count + 1) * 2 > s->cap) {
		rc = udp_pool_grow(s);
		if (rc != 0) {
			return rc;
		}
	}
	if (s->count == 0 && event_add(s->ev, NULL) != 0) {
		return -ENOMEM;
	}
	/* Unique on the socket; the table is at most half full and the
	 * IDs at most an eighth taken, so a draw or two. */
	do {
		e->id = udp_pool_random16(p);
		i = udp_pool_slot(s, e->id);
	} while (s->table[i] != NULL);
	s->table[i] = e;
	s->count++;
	e->sock = s;
	e->marked = false;
	e->next = NULL;
	e->prev = s->tail;
	if (s->tail != NULL) {
		s->tail->next = e;
	} else {
		s->head = e;
	}
	s->tail = e;
	return 0;
}

void
udp_pool_remove(struct udp_pool_entry *e)
{
	struct udp_pool_socket *s = e->sock;
	size_t mask;
	size_t i;
	size_t j;

	if (s == NULL) {
		return;
	}
	if (e->queued) {
		for (i = 0; i < s->nsend; i++) {
			if (s->sendq[i] == e) {
				s->sendq[i] = NULL;
			}
		}
		e->queued = false;
	}
	mask = s->cap - 1;
	i = udp_pool_slot(s, e->id);
	s->table[i] = NULL;
	/* Linear probing without tombstones: move back every later entry
	 * of the run whose home slot is not in (I, J]. */
	for (j = (i + 1) & mask; s->table[j] != NULL; j = (j + 1) & mask) {
		size_t home = s->table[j]->id & mask;

		if ((j > i && (home <= i || home > j)) ||
		    (j < i && home <= i && home > j)) {
			s->table[i] = s->table[j];
			s->table[j] = NULL;
			i = j;
		}
	}
	s->count--;
	if (s->count == 0) {
		(void)event_del(s->ev);
	}
	if (e->prev != NULL) {
		e->prev->next = e->next;
	} else {
		s->head = e->next;
	}
	if (e->next != NULL) {
		e->next->prev = e->prev;
	} else {
		s->tail = e->prev;
	}
	e->sock = NULL;
	e->prev = NULL;
	e->next = NULL;
	e->marked = false;
}

int
udp_pool_send(struct udp_pool_entry *e, uint8_t *msg, size_t len)
{
	struct udp_pool_socket *s = e->sock;
	struct udp_pool *p;

	if (s == NULL) {
		return -EINVAL;
	}
	p = s->pool;
	e->out = msg;
	e->outlen = len;
	if (e->queued) {
		return 0; /* still to go */
	}
	if (s->nsend == s->sendcap) {
		size_t cap = s->sendcap > 0 ? s->sendcap * 2 : UDP_POOL_BATCH;
		struct udp_pool_entry **q = realloc(
		        s->sendq, cap * sizeof(struct udp_pool_entry *));

		if (q == NULL) {
			return -ENOMEM;
		}
		s->sendq = q;
		s->sendcap = cap;
	}
	s->sendq[s->nsend++] = e;
	e->queued = true;
	if (!p->flush_active) {
		p->flush_active = true;
		event_active(p->flush, EV_TIMEOUT, 1);
	}
	return 0;
}
