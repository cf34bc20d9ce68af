/*
 * responder/net_delay.c -- delayed replies: a pool of slots and an arena of
 * blocks, both sized by --max-delayed and --max-delayed-octets and
 * allocated once, so a flood of delayed queries takes no memory beyond
 * them and none per query.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/bufferevent.h>
#include <event2/event.h>

#include "log.h"
#include "net_int.h"
#include "query.h"

int
net_delay_init(struct net_delay *delay, uint32_t max, size_t max_octets)
{
	size_t nblocks = max_octets / NET_DELAY_BLOCK;

	memset(delay, 0, sizeof(*delay));
	delay->free_block = NET_DELAY_END;
	if (nblocks >= NET_DELAY_END) {
		nblocks = NET_DELAY_END - 1;
	}
	/*
	 * calloc and malloc of this size map fresh pages: only the slots and
	 * blocks that replies use ever become resident.
	 */
	if (max > 0) {
		delay->slots = calloc(max, sizeof(*delay->slots));
	}
	if (nblocks > 0) {
		delay->octets = malloc(nblocks * NET_DELAY_BLOCK);
		delay->next = malloc(nblocks * sizeof(*delay->next));
	}
	if ((max > 0 && delay->slots == NULL) ||
	    (nblocks > 0 && (delay->octets == NULL || delay->next == NULL))) {
		net_delay_clear(delay);
		return -ENOMEM;
	}
	delay->max = max;
	delay->nblocks = (uint32_t)nblocks;
	return 0;
}

void
net_delay_clear(struct net_delay *delay)
{
	for (uint32_t i = 0; i < delay->used; i++) {
		if (delay->slots[i].timer != NULL) {
			event_free(delay->slots[i].timer);
		}
	}
	free(delay->slots);
	free(delay->octets);
	free(delay->next);
	memset(delay, 0, sizeof(*delay));
	delay->free_block = NET_DELAY_END;
}

/* One free block: from the free chain, else one never used. */
static uint32_t
net_delay_block(struct net_delay *d)
{
	uint32_t b = d->free_block;

	if (b != NET_DELAY_END) {
		d->free_block = d->next[b];
	} else {
		b = d->blocks_used++;
	}
	d->next[b] = NET_DELAY_END;
	return b;
}

static void net_pending_fire(evutil_socket_t fd, short what, void *arg);

struct net_pending *
net_pending_take(struct net *net, size_t len, struct query_result *res)
{
	struct net_delay *d = &net->delay;
	struct net_pending *p = d->free;
	size_t nblocks = (len + NET_DELAY_BLOCK - 1) / NET_DELAY_BLOCK;
	enum query_drop why = QUERY_DROP_DELAY_COUNT;
	uint32_t *link;

	if (p == NULL && d->used < d->max) {
		p = &d->slots[d->used];
		p->timer = evtimer_new(net->base, net_pending_fire, p);
		if (p->timer != NULL) {
			d->used++;
		} else {
			p = NULL; /* out of memory: as if the pool were full */
		}
	} else if (p != NULL) {
		d->free = p->next;
	}
	if (p != NULL && nblocks > (size_t)d->nblocks - d->blocks_taken) {
		p->next = d->free; /* back: its octets do not fit */
		d->free = p;
		p = NULL;
		why = QUERY_DROP_DELAY_OCTETS;
	}
	if (p == NULL) {
		/* Nothing will be sent: the log says so (as query.c does). */
		res->verdict = QUERY_DROP;
		res->drop = why;
		res->rcode = -1;
		res->aa = false;
		res->tc = false;
		res->answers = 0;
		return NULL;
	}
	p->net = net;
	p->len = len;
	p->nblocks = (uint32_t)nblocks;
	p->block = NET_DELAY_END;
	link = &p->block;
	for (size_t i = 0; i < nblocks; i++) {
		*link = net_delay_block(d);
		link = &d->next[*link];
	}
	d->blocks_taken += p->nblocks;
	d->pending++;
	return p;
}

/* Give P's slot and blocks back to the pool; P must be in no list. */
static void
net_pending_release(struct net_pending *p)
{
	struct net_delay *d = &p->net->delay;
	uint32_t b = p->block;

	while (b != NET_DELAY_END) {
		uint32_t next = d->next[b];

		d->next[b] = d->free_block;
		d->free_block = b;
		b = next;
	}
	d->blocks_taken -= p->nblocks;
	d->pending--;
	p->block = NET_DELAY_END;
	p->nblocks = 0;
	p->conn = NULL;
	p->prevp = NULL;
	p->next = d->free;
	d->free = p;
}

/* Copy LEN octets from SRC into P's blocks (or out of them, with OUT). */
static void
net_pending_copy(struct net_pending *p, uint8_t *out, const uint8_t *src)
{
	struct net_delay *d = &p->net->delay;
	size_t done = 0;

	for (uint32_t b = p->block; b != NET_DELAY_END; b = d->next[b]) {
		size_t k = p->len - done < NET_DELAY_BLOCK ? p->len - done
		                                           : NET_DELAY_BLOCK;
		uint8_t *blk = d->octets + (size_t)b * NET_DELAY_BLOCK;

		if (out != NULL) {
			memcpy(out + done, blk, k);
		} else {
			memcpy(blk, src + done, k);
		}
		done += k;
	}
}

int
net_pending_start(struct net_pending *p, struct net_conn *c,
                  evutil_socket_t fd, const struct msghdr *msg,
                  uint32_t delay_ms)
{
	struct net *net = p->net;
	struct net_pending **head = c != NULL ? &c->pending : &net->pending;
	struct timeval tv = {(time_t)(delay_ms / 1000),
	                     (suseconds_t)(delay_ms % 1000) * 1000};

	p->conn = c;
	p->fd = fd;
	p->peerlen = 0;
	p->ctllen = 0;
	if (msg->msg_namelen > 0) { /* UDP */
		p->peerlen = msg->msg_namelen;
		memcpy(&p->peer, msg->msg_name, msg->msg_namelen);
	}
	if (msg->msg_controllen > 0) {
		p->ctllen = msg->msg_controllen;
		memcpy(p->ctl.buf, msg->msg_control, msg->msg_controllen);
	}
	net_pending_copy(p, NULL, msg->msg_iov[0].iov_base);
	if (evtimer_add(p->timer, &tv) != 0) {
		net_pending_release(p);
		return -ENOMEM;
	}
	p->next = *head;
	if (p->next != NULL) {
		p->next->prevp = &p->next;
	}
	p->prevp = head;
	*head = p;
	return 0;
}

/* Take P out of its list, stop its timer, give it back to the pool. */
void
net_pending_free(struct net_pending *p)
{
	if (p->next != NULL) {
		p->next->prevp = p->prevp;
	}
	*p->prevp = p->next;
	p->next = NULL;
	(void)evtimer_del(p->timer);
	net_pending_release(p);
}

/*
 * The time has come: gather P's octets into the first slot of NET->out
 * (free between batches, and timers never run inside one) and send them.
 */
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
	net_pending_copy(p, net->out, NULL);
	if (c != NULL) {
		if (bufferevent_write(c->bev, net->out, p->len) != 0) {
			net->stats.send_errors++;
		}
		net_pending_free(p);
		if (c->pending == NULL) {
			net_conn_timeouts(c);
			net_conn_try_close(c);
		}
		return;
	}
	iov.iov_base = net->out;
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
