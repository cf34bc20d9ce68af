/*
 * probe/lookup.c -- asynchronous CAA lookups on a libevent loop.
 *
 * One lookup is a small state machine: UDP (tries, timer) -> TCP when
 * truncated -> reply -> maybe a new query for an alias target -> result.
 * Over UDP a query shares the sockets of udp_pool.c, which hand it the
 * datagrams carrying its ID; it keeps the ID across retries (and holds it
 * over TCP), so a late reply to the first try still answers the second,
 * as it would for a CA's resolver client.  Over TCP it has a connection
 * of its own (lookup_tcp.c).  Finished lookups are kept for the next
 * ones, timer and all, so that the hot path does not allocate.
 */
#include "lookup.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "lookup_int.h"
#include "reply.h"
#include "udp_pool.h"

#define LOOKUP_EDNS_SIZE 4096  /* EDNS0 UDP payload, as Boulder's */
#define LOOKUP_FD_SPARE  48    /* descriptors kept for everything else */
#define LOOKUP_INFLIGHT  60000 /* at most: the pool holds 65536 IDs */
/* Lookups started in the last one or two ticks and still in their first
 * try over UDP, at most.  Sent all at once, the queries of a large batch
 * overflow the receive buffer of a server that answers them as fast as
 * it can (a default buffer holds 256), and each one dropped costs a
 * timeout; a slow or silent server holds a slot for a tick or two only. */
#define LOOKUP_WINDOW    192
#define LOOKUP_WINDOW_MS 10
/* Lookups in flight through libunbound: each holds a mesh state there
 * (lookup_ub.c allows it more). */
#define LOOKUP_UB_INFLIGHT 2000

static void lookup_try(struct lookup_query *q);
static void lookup_tick(evutil_socket_t fd, short what, void *arg);
static void lookup_udp_reply(struct udp_pool_entry *e, const uint8_t *msg,
                             size_t len);
static void lookup_udp_error(struct udp_pool_entry *e, int err);


void
lookup_result_view(const struct lookup_result *r, struct caa_lookup *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = r->kind;
	out->rcode = r->rcode;
	out->ede = r->ede;
	out->ede_text = r->ede_text;
	out->also_cname = r->also_cname;
	out->records = r->records;
	out->nrecords = r->nrecords;
	out->outside_chain = r->outside_chain;
}

void
lookup_result_clear(struct lookup_result *r)
{
	if (r == NULL) {
		return;
	}
	free(r->ede_text);
	free(r->records);
	free(r->rdata);
	for (size_t i = 0; i < r->ncname; i++) {
		free(r->cname[i]);
	}
	free(r->cname);
	memset(r, 0, sizeof(*r));
	r->rcode = -1;
	r->ede = -1;
}

static double
lookup_elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) * 1000.0 +
	       (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

struct lookup_client *
lookup_client_new(struct event_base *base, const struct lookup_config *cfg)
{
	char err[8];

	return lookup_client_open(base, cfg, err, sizeof(err));
}

struct lookup_client *
lookup_client_open(struct event_base *base, const struct lookup_config *cfg,
                   char *err, size_t errlen)
{
	struct lookup_client *c = calloc(1, sizeof(*c));
	struct rlimit rl;

	(void)snprintf(err, errlen, "no memory");
	if (c == NULL) {
		return NULL;
	}
	c->base = base;
	c->cfg = *cfg;
	if (c->cfg.tries < 1) {
		c->cfg.tries = 1;
	}
	if (cfg->backend != LOOKUP_DIRECT &&
	    lookup_ub_open(c, err, errlen) != 0) {
		lookup_client_free(c);
		return NULL;
	}
	c->pool = udp_pool_new(base, (const struct sockaddr *)&cfg->server,
	                       cfg->server_len,
	                       (const struct sockaddr *)&cfg->source,
	                       cfg->source_len, lookup_udp_reply,
	                       lookup_udp_error);
	c->ticker = evtimer_new(base, lookup_tick, c);
	if (c->pool == NULL || c->ticker == NULL) {
		lookup_client_free(c);
		return NULL;
	}
	/* Over TCP a query holds a descriptor, and any query may go over
	 * to TCP: the rest wait in line. */
	c->max_inflight = LOOKUP_FD_SPARE;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		if (rl.rlim_cur == RLIM_INFINITY) {
			c->max_inflight = LOOKUP_INFLIGHT;
		} else if (rl.rlim_cur > (rlim_t)2 * LOOKUP_FD_SPARE) {
			c->max_inflight = (size_t)rl.rlim_cur - LOOKUP_FD_SPARE;
		}
	}
	if (c->max_inflight > LOOKUP_INFLIGHT) {
		c->max_inflight = LOOKUP_INFLIGHT;
	}
	if (c->ub != NULL && c->max_inflight > LOOKUP_UB_INFLIGHT) {
		c->max_inflight = LOOKUP_UB_INFLIGHT;
	}
	return c;
}

void
lookup_client_free(struct lookup_client *c)
{
	if (c == NULL) {
		return;
	}
	lookup_ub_close(c); /* first: its last callbacks may come now */
	while (c->spare != NULL) {
		struct lookup_query *q = c->spare;

		c->spare = q->next;
		event_free(q->timer);
		free(q);
	}
	if (c->ticker != NULL) {
		event_free(c->ticker);
	}
	udp_pool_free(c->pool);
	free(c);
}

void
lookup_client_end(struct lookup_client *c)
{
	c->ending = true;
	while (c->live != NULL) {
		struct lookup_query *q = c->live;

		if (q->state == LOOKUP_WAITING) {
			struct lookup_query **pp = &c->head;

			while (*pp != q) {
				pp = &(*pp)->next;
			}
			*pp = q->next;
			if (c->tail == q) {
				c->tail = NULL;
				for (struct lookup_query *w = c->head; w != NULL;
				     w = w->next) {
					c->tail = w;
				}
			}
			q->next = NULL;
			c->inflight++; /* lookup_finish() counts it out */
		} else if (q->state == LOOKUP_UB || q->state == LOOKUP_UB_READY) {
			lookup_ub_abandon(q);
		}
		lookup_finish(q, CAA_LOOKUP_NETWORK);
	}
	c->ending = false;
	if (c->ticker != NULL) {
		evtimer_del(c->ticker);
	}
}

void
lookup_close(struct lookup_query *q)
{
	if (q->io != NULL) {
		event_free(q->io);
		q->io = NULL;
	}
	if (q->fd >= 0) {
		close(q->fd);
		q->fd = -1;
	}
	free(q->tbuf);
	q->tbuf = NULL;
	q->thave = 0;
	q->tsent = 0;
	free(q->ub_why);
	q->ub_why = NULL;
}

static void lookup_start(struct lookup_query *q);

static bool
lookup_can_start(const struct lookup_client *c)
{
	return c->inflight < c->max_inflight &&
	       c->win.fresh[0] + c->win.fresh[1] < LOOKUP_WINDOW;
}

/* Q's first try has an answer or timed out: it leaves the window, if
 * it has not aged out of it. */
void
lookup_stale(struct lookup_query *q)
{
	struct lookup_client *c = q->c;

	if (q->fresh && c->win.tick - q->tick < 2) {
		c->win.fresh[q->tick & 1]--;
	}
	q->fresh = false;
}

/* Starts queued lookups while descriptors and the window allow; the
 * rest wait for a lookup to end or for the window to age. */
static void
lookup_dequeue(struct lookup_client *c)
{
	if (c->ending) {
		return;
	}
	while (c->head != NULL && lookup_can_start(c)) {
		struct lookup_query *q = c->head;

		c->head = q->next;
		if (c->head == NULL) {
			c->tail = NULL;
		}
		q->next = NULL;
		lookup_start(q);
	}
	if (c->head != NULL && !evtimer_pending(c->ticker, NULL)) {
		struct timeval tv = {0, LOOKUP_WINDOW_MS * 1000};

		evtimer_add(c->ticker, &tv);
	}
}

/* Lookups started two ticks ago leave the window. */
static void
lookup_tick(evutil_socket_t fd, short what, void *arg)
{
	struct lookup_client *c = arg;
	struct lookup_window *w = &c->win;
	struct timeval now;
	long long us;

	(void)fd;
	(void)what;
	(void)event_base_gettimeofday_cached(c->base, &now);
	us = (long long)now.tv_sec * 1000000 + now.tv_usec;
	/* A timer may fire a little early by the loop's cached clock. */
	if (w->last_us == 0 ||
	    us - w->last_us >= (LOOKUP_WINDOW_MS - 1) * 1000LL) {
		w->tick++;
		w->fresh[w->tick & 1] = 0;
		w->last_us = us;
	}
	lookup_dequeue(c);
}

/* The chain's aliases, for the report. */
static void
lookup_cnames(struct lookup_query *q)
{
	size_t n = q->chain.n - 1;

	if (n == 0) {
		return;
	}
	q->res.cname = calloc(n, sizeof(*q->res.cname));
	if (q->res.cname == NULL) {
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char text[REPLY_TEXT_MAX];

		reply_name_to_text(q->chain.name[i + 1], q->chain.len[i + 1],
		                   text, sizeof(text));
		q->res.cname[i] = strdup(text);
		if (q->res.cname[i] == NULL) {
			break;
		}
		q->res.ncname++;
	}
}

/* Ends Q with KIND: the callback, then Q is gone. */
void
lookup_finish(struct lookup_query *q, enum caa_lookup_kind kind)
{
	struct lookup_client *c = q->c;

	lookup_close(q);
	udp_pool_remove(&q->udp);
	evtimer_del(q->timer);
	lookup_stale(q);
	q->res.kind = kind;
	if (kind == CAA_LOOKUP_TIMEOUT || kind == CAA_LOOKUP_NETWORK ||
	    kind == CAA_LOOKUP_MALFORMED || kind == CAA_LOOKUP_TRUNCATED) {
		q->res.rcode = -1; /* no reply to trust */
	}
	q->res.ms = lookup_elapsed_ms(&q->start);
	lookup_cnames(q);
	c->inflight--;
	if (q->live_prev != NULL) {
		q->live_prev->live_next = q->live_next;
	} else {
		c->live = q->live_next;
	}
	if (q->live_next != NULL) {
		q->live_next->live_prev = q->live_prev;
	}
	q->done(q->arg, &q->res);
	lookup_result_clear(&q->res);
	q->next = c->spare;
	c->spare = q;
	lookup_dequeue(c);
}

/* Ends Q with KIND from the loop (never inside lookup_caa()). */
void
lookup_fail_later(struct lookup_query *q, enum caa_lookup_kind kind)
{
	lookup_close(q);
	udp_pool_remove(&q->udp);
	evtimer_del(q->timer);
	q->state = LOOKUP_FAILED;
	q->fail_kind = kind;
	event_active(q->timer, EV_TIMEOUT, 0);
}

void
lookup_arm(struct lookup_query *q)
{
	struct timeval tv;

	tv.tv_sec = q->c->cfg.timeout_ms / 1000;
	tv.tv_usec = (suseconds_t)(q->c->cfg.timeout_ms % 1000) * 1000;
	evtimer_add(q->timer, &tv);
}

/* The query for the chain's last name into Q->msg, after the TCP length
 * (RFC 1035 4.2.2); the ID is set when it goes on the pool. */
static int
lookup_build(struct lookup_query *q)
{
	size_t size = reply_query_build(
	        q->msg + 2, 0, q->chain.name[q->chain.n - 1],
	        q->chain.len[q->chain.n - 1], REPLY_TYPE_CAA, LOOKUP_EDNS_SIZE);

	if (size == 0) {
		return -EINVAL;
	}
	q->msg[0] = (uint8_t)(size >> 8);
	q->msg[1] = (uint8_t)size;
	q->msglen = size;
	return 0;
}

static void lookup_answer(struct lookup_query *q, const struct reply *r);

/* One message from the server, over UDP or TCP. */
void
lookup_message(struct lookup_query *q, const uint8_t *msg, size_t len,
               bool *ignored)
{
	struct reply r;
	enum reply_status st;

	*ignored = false;
	st = reply_parse(msg, len, q->id, q->chain.name[q->chain.n - 1],
	                 q->chain.len[q->chain.n - 1], REPLY_TYPE_CAA, &r);
	switch (st) {
	case REPLY_IGNORE:
		*ignored = true; /* not ours: keep waiting (wrong ID too) */
		return;
	case REPLY_MALFORMED:
		lookup_finish(q, CAA_LOOKUP_MALFORMED);
		return;
	case REPLY_NOMEM:
		lookup_finish(q, CAA_LOOKUP_NETWORK);
		return;
	case REPLY_OK:
		break;
	}
	q->res.rcode = r.rcode;
	if (r.tc) {
		/* RFC 7766: a truncated answer is asked again over TCP; a
		 * truncated TCP answer cannot be completed. */
		reply_clear(&r);
		if (q->state == LOOKUP_UDP) {
			lookup_tcp(q); /* never ends Q at once */
			lookup_dequeue(q->c);
		} else {
			lookup_finish(q, CAA_LOOKUP_TRUNCATED);
		}
		return;
	}
	lookup_answer(q, &r);
	reply_clear(&r);
}

/* A datagram with Q's ID.  One under 12 octets is malformed: the socket
 * is connected to the server, so the server sent it for Q. */
static void
lookup_udp_reply(struct udp_pool_entry *e, const uint8_t *msg, size_t len)
{
	struct lookup_query *q = (struct lookup_query *)(void *)e; /* first */
	bool ignored;

	if (q->state == LOOKUP_UDP) { /* else late: Q is over TCP now */
		lookup_message(q, msg, len, &ignored);
	}
}

/* The query could not be sent, or the server is not there (ICMP). */
static void
lookup_udp_error(struct udp_pool_entry *e, int err)
{
	struct lookup_query *q = (struct lookup_query *)(void *)e;

	(void)err;
	if (q->state == LOOKUP_UDP) {
		lookup_finish(q, CAA_LOOKUP_NETWORK);
	}
}

/* Sends the query once more over UDP. */
static void
lookup_udp_send(struct lookup_query *q)
{
	q->res.queries++;
	if (udp_pool_send(&q->udp, q->msg + 2, q->msglen) != 0) {
		lookup_fail_later(q, CAA_LOOKUP_NETWORK);
		return;
	}
	lookup_arm(q);
}

/* A try: UDP first (RFC 1035 4.2.1). */
static void
lookup_try(struct lookup_query *q)
{
	if (q->c->ub != NULL) {
		lookup_ub_ask(q);
		return;
	}
	q->try++;
	q->state = LOOKUP_UDP;
	if (q->udp.sock == NULL) {
		if (udp_pool_add(q->c->pool, &q->udp) != 0) {
			lookup_fail_later(q, CAA_LOOKUP_NETWORK);
			return;
		}
		q->id = q->udp.id;
		q->msg[2] = (uint8_t)(q->id >> 8);
		q->msg[3] = (uint8_t)q->id;
	}
	lookup_udp_send(q);
}

static void
lookup_timer(evutil_socket_t fd, short what, void *arg)
{
	struct lookup_query *q = arg;

	(void)fd;
	(void)what;
	switch (q->state) {
	case LOOKUP_FAILED:
		lookup_finish(q, q->fail_kind);
		return;
	case LOOKUP_UDP:
		/* Only timeouts are retried (Boulder bdns exchangeOne). */
		if (q->try < q->c->cfg.tries) {
			q->try++;
			lookup_stale(q);
			lookup_udp_send(q);
			lookup_dequeue(q->c); /* Q is still there: not first */
		} else {
			lookup_finish(q, CAA_LOOKUP_TIMEOUT);
		}
		return;
	case LOOKUP_TCP_WRITE:
	case LOOKUP_TCP_READ:
		lookup_close(q);
		if (q->try < q->c->cfg.tries) {
			lookup_try(q); /* a new try starts over with UDP */
		} else {
			lookup_finish(q, CAA_LOOKUP_TRUNCATED);
		}
		return;
	case LOOKUP_UB:
	case LOOKUP_UB_READY:
		lookup_ub_timer(q);
		return;
	case LOOKUP_WAITING:
		break;
	}
}

/* Copies the CAA records of the chain's last name out of R. */
static int
lookup_records(const struct reply_chain *chain, struct lookup_result *res,
               const struct reply *r, size_t n)
{
	const uint8_t *name = chain->name[chain->n - 1];
	size_t nlen = chain->len[chain->n - 1];
	const uint8_t *rdata;
	size_t rdlen;
	size_t pos = 0;
	size_t total = 0;
	size_t off = 0;

	while (reply_caa_next(r, name, nlen, &pos, &rdata, &rdlen)) {
		total += rdlen;
	}
	res->records = calloc(n, sizeof(*res->records));
	res->rdata = malloc(total > 0 ? total : 1);
	if (res->records == NULL || res->rdata == NULL) {
		return -ENOMEM;
	}
	pos = 0;
	while (res->nrecords < n &&
	       reply_caa_next(r, name, nlen, &pos, &rdata, &rdlen)) {
		memcpy(res->rdata + off, rdata, rdlen);
		if (caa_record_parse(res->rdata + off, rdlen,
		                     &res->records[res->nrecords]) !=
		    CAA_OK) {
			return -EINVAL;
		}
		res->nrecords++;
		off += rdlen;
	}
	return 0;
}

enum lookup_read
lookup_read(const struct reply *r, struct reply_chain *chain,
            struct lookup_result *res, enum caa_lookup_kind *kind)
{
	struct reply_found found;
	int rc;

	if (r->rcode != 0 && r->rcode != 3) {
		/* RFC 8659 section 6: an RCODE error; final, not retried. */
		res->ede = r->ede;
		if (r->ede >= 0 && r->ede_text[0] != '\0') {
			res->ede_text = strdup(r->ede_text);
		}
		*kind = CAA_LOOKUP_RCODE;
		return LOOKUP_READ_DONE;
	}
	switch (reply_walk(r, chain, &found)) {
	case REPLY_WALK_LOOP:
		*kind = CAA_LOOKUP_CNAME_LOOP;
		return LOOKUP_READ_DONE;
	case REPLY_WALK_LONG:
		*kind = CAA_LOOKUP_CNAME_LONG;
		return LOOKUP_READ_DONE;
	case REPLY_WALK_BAD:
		*kind = CAA_LOOKUP_MALFORMED;
		return LOOKUP_READ_DONE;
	case REPLY_WALK_FOLLOW:
		/* The server returned the alias only (another zone): ask
		 * the target as the CA's recursive resolver would. */
		res->outside_chain += found.outside_chain;
		return LOOKUP_READ_FOLLOW;
	case REPLY_WALK_DONE:
		break;
	}
	res->outside_chain += found.outside_chain;
	res->also_cname = found.also_cname;
	if (r->rcode == 3) {
		*kind = CAA_LOOKUP_NXDOMAIN;
		return LOOKUP_READ_DONE;
	}
	if (found.ncaa == 0) {
		/* A referral is no answer: a CA's resolver would follow it,
		 * and what it would find is unknown here. */
		*kind = r->referral ? CAA_LOOKUP_REFERRAL : CAA_LOOKUP_EMPTY;
		return LOOKUP_READ_DONE;
	}
	rc = lookup_records(chain, res, r, found.ncaa);
	if (rc != 0) {
		/* Malformed RDATA in the RRset that counts: fail closed
		 * (docs/probe.md, "Lookup errors"); off the chain it is
		 * ignored like the rest of such records. */
		free(res->records);
		free(res->rdata);
		res->records = NULL;
		res->rdata = NULL;
		res->nrecords = 0;
		*kind = rc == -EINVAL ? CAA_LOOKUP_BAD_RDATA
		                      : CAA_LOOKUP_NETWORK;
		return LOOKUP_READ_DONE;
	}
	*kind = CAA_LOOKUP_RECORDS;
	return LOOKUP_READ_DONE;
}

/* A reply that matched, not truncated: the result, or the next alias. */
static void
lookup_answer(struct lookup_query *q, const struct reply *r)
{
	enum caa_lookup_kind kind;

	if (lookup_read(r, &q->chain, &q->res, &kind) == LOOKUP_READ_DONE) {
		lookup_finish(q, kind);
		return;
	}
	lookup_close(q);
	udp_pool_remove(&q->udp); /* a new ID for a new question */
	evtimer_del(q->timer);
	q->try = 0;
	if (lookup_build(q) != 0) {
		lookup_fail_later(q, CAA_LOOKUP_MALFORMED);
		return;
	}
	lookup_try(q);
}

static void
lookup_start(struct lookup_query *q)
{
	q->c->inflight++;
	q->c->win.fresh[q->c->win.tick & 1]++;
	q->fresh = true;
	q->tick = q->c->win.tick;
	clock_gettime(CLOCK_MONOTONIC, &q->start);
	if (lookup_build(q) != 0) {
		lookup_fail_later(q, CAA_LOOKUP_MALFORMED);
		return;
	}
	lookup_try(q);
}

/* A spare lookup, or a new one: zeroed up to the chain, with a timer. */
static struct lookup_query *
lookup_query_new(struct lookup_client *c)
{
	struct lookup_query *q = c->spare;
	struct event *timer;

	if (q != NULL) {
		c->spare = q->next;
		timer = q->timer;
	} else {
		q = malloc(sizeof(*q));
		if (q == NULL) {
			return NULL;
		}
		timer = evtimer_new(c->base, lookup_timer, q);
		if (timer == NULL) {
			free(q);
			return NULL;
		}
	}
	memset(q, 0, offsetof(struct lookup_query, chain));
	q->timer = timer;
	return q;
}

int
lookup_caa(struct lookup_client *c, const char *name, lookup_done_fn done,
           void *arg)
{
	uint8_t wire[REPLY_NAME_MAX];
	size_t wlen = reply_name_from_text(name, wire);
	struct lookup_query *q;

	if (wlen == 0) {
		return -EINVAL;
	}
	q = lookup_query_new(c);
	if (q == NULL) {
		return -ENOMEM;
	}
	q->c = c;
	q->done = done;
	q->arg = arg;
	q->fd = -1;
	q->res.rcode = -1;
	q->res.ede = -1;
	reply_chain_init(&q->chain, wire, wlen);
	q->live_next = c->live;
	if (c->live != NULL) {
		c->live->live_prev = q;
	}
	c->live = q;
	if (lookup_can_start(c)) {
		lookup_start(q);
	} else {
		q->state = LOOKUP_WAITING;
		if (c->tail != NULL) {
			c->tail->next = q;
		} else {
			c->head = q;
		}
		c->tail = q;
		lookup_dequeue(c); /* arms the ticker */
	}
	return 0;
}
