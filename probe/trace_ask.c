/*
 * probe/trace_ask.c -- --trace: every address of the nameservers of every
 * name of the climb asked directly, all at once.
 *
 * A question (a name, an address) holds a slot while it is asked: a
 * connected UDP socket, the query built as a lookup builds it
 * (reply_query_build()) with RD clear (an authoritative server is asked,
 * not a resolver), and the deadline of its try.  Every slot waits in the
 * same poll(), so a server that drops the questions of several names costs
 * one timeout budget, not one per name.  Replies go through the same
 * bounded parser as the probe's lookups (reply_parse()), so a datagram
 * that is not the reply (another ID, another question) is ignored and
 * waiting goes on.  A truncated reply is asked again over TCP in the same
 * slot and the same poll(), each step (connecting and sending, the
 * length, the message) within TIMEOUT_MS.  The slots are a bounded
 * number: the questions beyond wait for one to free, and so does a
 * question refused a descriptor (EMFILE) while others are in flight.
 */
#include "trace_int.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "caa.h"
#include "reply.h"

#define TRACE_UDP_SIZE 4096
#define TRACE_TCP_MAX  65535
#define TRACE_FD_SPARE 64 /* descriptors left to the rest of the probe */

/* What a slot's question waits for. */
enum trace_step {
	TRACE_STEP_FREE = 0, /* no question: the slot is free */
	TRACE_STEP_UDP,      /* a datagram sent, its reply awaited */
	TRACE_STEP_SEND,     /* TCP after TC: connecting, sending the query */
	TRACE_STEP_LENGTH,   /* the reply's two-octet length */
	TRACE_STEP_MESSAGE,  /* the reply itself */
};

/* One question being asked. */
struct trace_slot {
	struct trace_answer *a; /* where its answer goes */
	enum trace_step step;
	int fd;
	int tries; /* UDP tries left after the one in flight */
	uint16_t id;
	uint8_t qname[REPLY_NAME_MAX];
	size_t qlen;
	uint8_t query[2 + REPLY_QUERY_MAX]; /* TCP's length, then the query */
	size_t mlen;                        /* the query's octets */
	size_t done; /* octets of the TCP step sent or read */
	uint8_t len2[2];
	size_t msglen;
	uint8_t *msg;    /* TRACE_TCP_MAX octets once the slot needed TCP,
	                  * kept for its next questions */
	double first;    /* when the question was first sent: ms from here */
	double deadline; /* the end of the try, or of the TCP step */
};

/* All the questions of a trace, and the slots asking them. */
struct trace_asking {
	struct trace_name *names;
	size_t nnames;
	size_t ni, ai;   /* the next question: answer AI of name NI */
	size_t qname_of; /* the name whose wire form QNAME holds */
	uint8_t qname[REPLY_NAME_MAX];
	size_t qlen;
	struct trace_slot *slots;
	size_t nslots;
	int timeout_ms;
	int tries;
};

/* Milliseconds on the monotonic clock. */
static double
trace_now(void)
{
	struct timespec t;

	(void)clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

size_t
trace_ask_open_max(void)
{
	struct rlimit rl;
	size_t max = TRACE_ASK_OPEN;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY) {
		rlim_t room = rl.rlim_cur > (rlim_t)2 * TRACE_FD_SPARE
		                      ? rl.rlim_cur - TRACE_FD_SPARE
		                      : rl.rlim_cur / 2;

		if (room < (rlim_t)max) {
			max = (size_t)room;
		}
	}
	return max > 0 ? max : 1;
}

bool
trace_reply_read(struct trace_answer *a, const uint8_t *msg, size_t len,
                 uint16_t id, const uint8_t *qname, size_t qlen, bool *tc)
{
	struct reply r;
	size_t pos = 0;
	const uint8_t *rdata;
	size_t rdlen;

	*tc = false;
	switch (reply_parse(msg, len, id, qname, qlen, REPLY_TYPE_CAA, &r)) {
	case REPLY_OK:
		break;
	case REPLY_IGNORE:
		return false;
	case REPLY_MALFORMED:
	case REPLY_NOMEM:
		a->error = TRACE_MALFORMED;
		return true;
	}
	a->error = TRACE_OK;
	a->rcode = r.rcode;
	a->aa = (msg[2] & (REPLY_FLAG_AA >> 8)) != 0;
	*tc = r.tc;
	while (!r.tc && reply_caa_next(&r, qname, qlen, &pos, &rdata, &rdlen)) {
		struct caa_record rec;

		if (caa_record_parse(rdata, rdlen, &rec) != CAA_OK) {
			a->error = TRACE_BAD_RDATA;
			continue;
		}
		if (trace_answer_add(a, rdata, rdlen) != 0) {
			a->error = TRACE_NETWORK; /* no memory */
			break;
		}
	}
	reply_clear(&r);
	return true;
}

/* The question the cursor of K is at, skipping the nameservers without an
 * address (nothing to ask); NULL when all were taken.  K->qname holds the
 * wire form of its name. */
static struct trace_answer *
trace_cursor(struct trace_asking *k)
{
	while (k->ni < k->nnames) {
		struct trace_name *tn = &k->names[k->ni];

		if (k->ai >= tn->nanswers) {
			k->ni++;
			k->ai = 0;
			continue;
		}
		if (tn->answers[k->ai].family == 0) {
			k->ai++;
			continue;
		}
		if (k->qname_of != k->ni) {
			k->qlen = reply_name_from_text(tn->name, k->qname);
			k->qname_of = k->ni;
		}
		return &tn->answers[k->ai];
	}
	return NULL;
}

/* The question of S is over: its time is taken, the slot freed. */
static void
trace_slot_end(struct trace_slot *s, double now)
{
	s->a->ms = now - s->first;
	if (s->fd >= 0) {
		close(s->fd);
	}
	s->fd = -1;
	s->a = NULL;
	s->step = TRACE_STEP_FREE;
}

/* Sends the query of S over UDP, a try of TIMEOUT_MS. */
static void
trace_udp_send(struct trace_slot *s, double now, int timeout_ms)
{
	if (send(s->fd, s->query + 2, s->mlen, 0) < 0) {
		s->a->error =
		        errno == ECONNREFUSED ? TRACE_REFUSED : TRACE_NETWORK;
		trace_slot_end(s, now);
		return;
	}
	s->a->error = TRACE_TIMEOUT; /* until a reply says otherwise */
	s->deadline = now + timeout_ms;
}

/*
 * Starts asking A (the question the cursor of K is at) in the free slot
 * S.  Returns 1 when S holds it now, 0 when it is over already (no socket,
 * a send refused), or -1 when no descriptor is left (EMFILE, ENFILE):
 * then A is to be asked later.
 */
static int
trace_slot_start(struct trace_asking *k, struct trace_slot *s,
                 struct trace_answer *a, double now)
{
	int fd;

	a->error = TRACE_NETWORK;
	a->rcode = -1;
	if (k->qlen == 0 ||
	    getrandom(&s->id, sizeof(s->id), 0) != (ssize_t)sizeof(s->id)) {
		return 0;
	}
	fd = socket(a->addr.ss_family,
	            SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
		return -1;
	}
	s->a = a;
	s->fd = fd;
	s->first = now;
	if (fd < 0 ||
	    connect(fd, (const struct sockaddr *)&a->addr, a->addrlen) != 0) {
		trace_slot_end(s, now);
		return 0;
	}
	memcpy(s->qname, k->qname, k->qlen);
	s->qlen = k->qlen;
	s->mlen = reply_query_build(s->query + 2, s->id, s->qname, s->qlen,
	                            REPLY_TYPE_CAA, TRACE_UDP_SIZE);
	s->query[2 + 2] &= (uint8_t)~0x01; /* RD clear */
	s->query[0] = (uint8_t)(s->mlen >> 8);
	s->query[1] = (uint8_t)s->mlen;
	s->tries = k->tries - 1;
	s->step = TRACE_STEP_UDP;
	trace_udp_send(s, now, k->timeout_ms);
	return s->step != TRACE_STEP_FREE ? 1 : 0;
}

/*
 * Starts the questions the cursor of K has next in its free slots.
 * Returns the number of slots in use; 0 only when every question was
 * asked.
 */
static size_t
trace_fill(struct trace_asking *k, double now)
{
	size_t open = 0;

	for (size_t i = 0; i < k->nslots; i++) {
		open += k->slots[i].step != TRACE_STEP_FREE;
	}
	for (size_t i = 0; i < k->nslots; i++) {
		struct trace_slot *s = &k->slots[i];
		struct trace_answer *a;
		int rc;

		while (s->step == TRACE_STEP_FREE &&
		       (a = trace_cursor(k)) != NULL) {
			rc = trace_slot_start(k, s, a, now);
			if (rc < 0 && open > 0) {
				return open; /* when a descriptor frees */
			}
			/* With nothing in flight, no descriptor will free:
			 * the question fails, as a socket that fails. */
			k->ai++;
			open += rc > 0;
		}
	}
	return open;
}

/* The truncated answer of S asked again over TCP (RFC 7766): connecting
 * now, the query sent when the socket is writable. */
static void
trace_tcp_start(struct trace_slot *s, double now, int timeout_ms)
{
	close(s->fd);
	s->a->error = TRACE_TRUNCATED; /* until TCP completes it */
	s->fd = socket(s->a->addr.ss_family,
	               SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->msg == NULL) {
		s->msg = malloc(TRACE_TCP_MAX);
	}
	if (s->fd < 0 || s->msg == NULL ||
	    (connect(s->fd, (const struct sockaddr *)&s->a->addr,
	             s->a->addrlen) != 0 &&
	     errno != EINPROGRESS)) {
		trace_slot_end(s, now);
		return;
	}
	s->step = TRACE_STEP_SEND;
	s->done = 0;
	s->deadline = now + timeout_ms;
}

/* S's UDP socket is readable: a reply, another datagram, or an error. */
static void
trace_udp_read(struct trace_slot *s, double now, int timeout_ms)
{
	uint8_t buf[TRACE_UDP_SIZE];
	ssize_t k = recv(s->fd, buf, sizeof(buf), 0);
	bool tc = false;

	if (k < 0) {
		/* ICMP port unreachable: refused at once, as Boulder's
		 * client says. */
		if (errno == ECONNREFUSED) {
			s->a->error = TRACE_REFUSED;
			trace_slot_end(s, now);
		}
		return;
	}
	if (!trace_reply_read(s->a, buf, (size_t)k, s->id, s->qname, s->qlen,
	                      &tc)) {
		return; /* not the reply: waiting goes on */
	}
	if (tc) {
		trace_tcp_start(s, now, timeout_ms);
		return;
	}
	trace_slot_end(s, now);
}

/* S's TCP socket is ready: one step of sending the query or reading the
 * reply. */
static void
trace_tcp_io(struct trace_slot *s, double now, int timeout_ms)
{
	ssize_t k;
	bool tc = false;

	switch (s->step) {
	case TRACE_STEP_SEND:
		k = send(s->fd, s->query + s->done, s->mlen + 2 - s->done,
		         MSG_NOSIGNAL);
		break;
	case TRACE_STEP_LENGTH:
		k = recv(s->fd, s->len2 + s->done, 2 - s->done, 0);
		break;
	case TRACE_STEP_MESSAGE:
		k = recv(s->fd, s->msg + s->done, s->msglen - s->done, 0);
		break;
	default:
		return;
	}
	if (k < 0 && (errno == EAGAIN || errno == EINTR)) {
		return;
	}
	if (k <= 0) {
		trace_slot_end(s, now); /* still TRACE_TRUNCATED */
		return;
	}
	s->done += (size_t)k;
	s->deadline = now + timeout_ms; /* each step within the timeout */
	if (s->step == TRACE_STEP_SEND && s->done == s->mlen + 2) {
		s->step = TRACE_STEP_LENGTH;
		s->done = 0;
	} else if (s->step == TRACE_STEP_LENGTH && s->done == 2) {
		s->msglen = (size_t)s->len2[0] << 8 | s->len2[1];
		s->step = TRACE_STEP_MESSAGE;
		s->done = 0;
	}
	if (s->step != TRACE_STEP_MESSAGE || s->done < s->msglen) {
		return;
	}
	if (!trace_reply_read(s->a, s->msg, s->msglen, s->id, s->qname, s->qlen,
	                      &tc)) {
		s->a->error = TRACE_MALFORMED; /* one message: it must be it */
	} else if (tc) {
		s->a->error = TRACE_TRUNCATED;
	}
	trace_slot_end(s, now);
}

/* The deadline of S has passed: another try, or the question is over. */
static void
trace_expire(struct trace_slot *s, double now, int timeout_ms)
{
	if (s->step == TRACE_STEP_UDP && s->tries > 0) {
		s->tries--; /* only timeouts are retried */
		trace_udp_send(s, now, timeout_ms);
		return;
	}
	trace_slot_end(s, now); /* TRACE_TIMEOUT, or TRACE_TRUNCATED */
}

/* Waits for the slots of K in use, PFD and ON (the slot of each) being
 * room for all, and serves what came: replies, TCP steps, deadlines. */
static void
trace_wait(struct trace_asking *k, struct pollfd *pfd, size_t *on)
{
	size_t n = 0;
	double now = trace_now(), next = -1;
	int ms = 0;

	for (size_t i = 0; i < k->nslots; i++) {
		const struct trace_slot *s = &k->slots[i];

		if (s->step == TRACE_STEP_FREE) {
			continue;
		}
		pfd[n].fd = s->fd;
		pfd[n].events = s->step == TRACE_STEP_SEND ? POLLOUT : POLLIN;
		pfd[n].revents = 0;
		on[n++] = i;
		if (next < 0 || s->deadline < next) {
			next = s->deadline;
		}
	}
	if (next > now) {
		ms = next - now < INT_MAX - 1 ? (int)(next - now) + 1 : INT_MAX;
	}
	/* A failed poll() (EINTR) is a wake-up like another: the deadlines
	 * still bound the wait. */
	(void)poll(pfd, (nfds_t)n, ms);
	now = trace_now();
	for (size_t j = 0; j < n; j++) {
		struct trace_slot *s = &k->slots[on[j]];

		if ((pfd[j].revents & (POLLIN | POLLOUT | POLLERR | POLLHUP)) ==
		    0) {
			continue;
		}
		if (s->step == TRACE_STEP_UDP) {
			trace_udp_read(s, now, k->timeout_ms);
		} else {
			trace_tcp_io(s, now, k->timeout_ms);
		}
	}
	for (size_t i = 0; i < k->nslots; i++) {
		struct trace_slot *s = &k->slots[i];

		if (s->step != TRACE_STEP_FREE && s->deadline <= now) {
			trace_expire(s, now, k->timeout_ms);
		}
	}
}

int
trace_ask(struct trace_name *names, size_t nnames, int timeout_ms, int tries,
          size_t max_open)
{
	struct trace_asking k = {
	        .names = names,
	        .nnames = nnames,
	        .qname_of = SIZE_MAX,
	        .nslots = max_open > 0 ? max_open : 1,
	        .timeout_ms = timeout_ms,
	        .tries = tries > 0 ? tries : 1,
	};
	struct pollfd *pfd = NULL;
	size_t *on = NULL;
	int rc = 0;

	/* The slots, and what poll() is given of them: allocated once for
	 * every question of every name. */
	k.slots = calloc(k.nslots, sizeof(*k.slots));
	pfd = calloc(k.nslots, sizeof(*pfd));
	on = calloc(k.nslots, sizeof(*on));
	if (k.slots == NULL || pfd == NULL || on == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < k.nslots; i++) {
		k.slots[i].fd = -1;
	}
	while (trace_fill(&k, trace_now()) > 0) {
		trace_wait(&k, pfd, on);
	}
out:
	for (size_t i = 0; k.slots != NULL && i < k.nslots; i++) {
		free(k.slots[i].msg);
	}
	free(k.slots);
	free(pfd);
	free(on);
	return rc;
}
