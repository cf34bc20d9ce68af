/*
 * probe/lookup_int.h -- what lookup.c (the state machine, UDP, replies)
 * and lookup_tcp.c (the TCP part) share.  Not for other modules.
 */
#ifndef PROBE_LOOKUP_INT_H
#define PROBE_LOOKUP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <event2/event.h>

#include "lookup.h"
#include "reply.h"
#include "udp_pool.h"

enum lookup_state {
	LOOKUP_WAITING = 0, /* queued: no descriptor or window slot yet */
	LOOKUP_UDP,
	LOOKUP_TCP_WRITE, /* connecting, then sending the framed query */
	LOOKUP_TCP_READ,
	LOOKUP_FAILED, /* the timer is active to end it from the loop */
	LOOKUP_UB,       /* asked of libunbound; the timer is the deadline */
	LOOKUP_UB_READY, /* libunbound answered at once: the timer is active
	                    to read the copy in TBUF from the loop */
};

/* One question asked of libunbound.  Its callback may come after the
 * lookup gave up (Q NULL then, the call waiting on the client's list). */
struct lookup_ub_call {
	struct lookup_query *q;
	struct lookup_client *c;
	struct lookup_ub_call *prev, *next; /* abandoned calls */
};

/* The pacing window (lookup.h): lookups started in the last one or two
 * ticks still awaiting their first answer.  Zeroed: a new window.  Each
 * client has its own, as each perspective stands for a host of its own
 * (mpic.c). */
struct lookup_window {
	size_t fresh[2];   /* in the window, by tick parity */
	unsigned tick;
	long long last_us; /* when TICK began (the loop's clock); 0: never */
};

struct lookup_query {
	struct udp_pool_entry udp; /* first; on the pool: the ID is held */
	struct lookup_client *c;
	struct lookup_query *next; /* waiting queue, or the spares */
	struct lookup_query *live_prev, *live_next; /* not ended yet */
	lookup_done_fn done;
	void *arg;
	enum lookup_state state;
	enum caa_lookup_kind fail_kind;
	bool fresh;    /* counted in the client's window */
	unsigned tick; /* the window tick it started in */
	size_t msglen; /* of the query, without length */
	uint16_t id;
	int try;
	int fd; /* TCP */
	struct event *io;
	struct event *timer;
	uint8_t *tbuf; /* TCP: the reply being read, length first */
	size_t thave;
	size_t tsent;
	struct timespec start;
	struct lookup_ub_call *call; /* libunbound: the question asked */
	bool ub_asking;              /* inside ub_resolve_event() */
	int ub_rcode;                /* LOOKUP_UB_READY: the answer kept */
	int ub_sec;
	char *ub_why;
	struct lookup_result res;
	/* Filled before use, so a spare is not zeroed past here. */
	struct reply_chain chain; /* the name asked, then alias targets */
	uint8_t msg[2 + REPLY_QUERY_MAX]; /* TCP length, then the query */
};

struct lookup_client {
	struct event_base *base;
	struct lookup_config cfg;
	size_t inflight;
	size_t max_inflight;
	struct lookup_window win;
	struct event *ticker;      /* pending while lookups wait */
	struct lookup_query *head; /* waiting, oldest first */
	struct lookup_query *tail;
	struct lookup_query *spare; /* ended, ready for reuse */
	struct lookup_query *live;  /* every lookup not ended yet */
	bool ending;                /* inside lookup_client_end() */
	struct udp_pool *pool;
	struct ub_ctx *ub;              /* NULL: LOOKUP_DIRECT */
	struct lookup_ub_call *gone;    /* abandoned calls, still pending */
};

/* lookup.c */
void lookup_close(struct lookup_query *q);
void lookup_stale(struct lookup_query *q);
void lookup_finish(struct lookup_query *q, enum caa_lookup_kind kind);
void lookup_fail_later(struct lookup_query *q, enum caa_lookup_kind kind);
void lookup_arm(struct lookup_query *q);
void lookup_message(struct lookup_query *q, const uint8_t *msg, size_t len,
                    bool *ignored);

/* The outcome of reply R to the chain's last name, read into RES: */
enum lookup_read {
	LOOKUP_READ_DONE = 0, /* the lookup ends with *KIND */
	LOOKUP_READ_FOLLOW,   /* ask the chain's (new) last name */
};
enum lookup_read lookup_read(const struct reply *r, struct reply_chain *chain,
                             struct lookup_result *res,
                             enum caa_lookup_kind *kind);

/* lookup_tcp.c */
void lookup_tcp(struct lookup_query *q);

/* lookup_ub.c */
int lookup_ub_open(struct lookup_client *c, char *err, size_t errlen);
void lookup_ub_close(struct lookup_client *c);
void lookup_ub_ask(struct lookup_query *q);
void lookup_ub_timer(struct lookup_query *q);
void lookup_ub_abandon(struct lookup_query *q);

#endif /* PROBE_LOOKUP_INT_H */
