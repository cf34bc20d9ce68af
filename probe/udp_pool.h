/*
 * probe/udp_pool.h -- a few long-lived UDP sockets to one server, shared
 * by the lookups in flight.
 *
 * A socket per query costs socket(), connect(), two epoll_ctl() and
 * close() on top of the one send() and recv() a query needs.  Instead the
 * pool opens, as the load asks for them, up to UDP_POOL_SOCKETS sockets,
 * each connected to the server from its own ephemeral port (the kernel
 * picks it at random), each with one persistent read event.  Being
 * connected, a socket only receives datagrams from the server's address
 * and port; the kernel drops the rest, as it did for one socket a query.
 *
 * A caller's entry (a lookup) is put on one socket with a random query ID
 * (RFC 5452) that no other entry on that socket holds; the draw is
 * repeated on a collision.  Every datagram read is handed to the entry
 * holding its ID on that socket, which checks the rest (the question);
 * a datagram that no entry holds, or shorter than an ID, is dropped.
 * Queries are sent from the event loop, by the batch, after the callbacks
 * running now have returned.  The hot path allocates nothing: the ID
 * tables and send queues grow by doubling and never shrink.
 */
#ifndef PROBE_UDP_POOL_H
#define PROBE_UDP_POOL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define UDP_POOL_SOCKETS 8    /* sockets at most */
#define UDP_POOL_SPREAD  64   /* entries a socket takes before another opens */
#define UDP_POOL_IDS     8192 /* entries a socket holds at most */

/* Nothing to read or write now, wait for the next event: EAGAIN,
 * EWOULDBLOCK, EINTR.  For the pool's sockets and lookup_tcp.c's TCP ones. */
static inline bool
udp_pool_again(int err)
{
#if EAGAIN == EWOULDBLOCK
	return err == EAGAIN || err == EINTR;
#else
	return err == EAGAIN || err == EWOULDBLOCK || err == EINTR;
#endif
}

struct event_base;
struct udp_pool;
struct udp_pool_socket;

/* One caller on the pool, in the caller's storage (inside a lookup).
 * Zero it once; the pool keeps the fields. */
struct udp_pool_entry {
	struct udp_pool_socket *sock; /* NULL: not on the pool */
	struct udp_pool_entry *prev;  /* on its socket, oldest first */
	struct udp_pool_entry *next;
	uint16_t id; /* the query ID, while on the pool */
	/* The pool's: */
	bool marked;  /* while it reports an error */
	bool queued;  /* OUT waits to be sent */
	uint8_t *out; /* borrowed until sent or taken off the pool */
	size_t outlen;
};

/* A datagram carrying E's ID, MSG[0..LEN) (at least 2 octets, borrowed
 * until the return), for E to check and take or ignore.  May remove E
 * and add entries, but not remove others. */
typedef void (*udp_pool_reply_fn)(struct udp_pool_entry *e, const uint8_t *msg,
                                  size_t len);

/* E's query could not be sent, or the socket E is on failed, with ERR
 * (positive errno: ECONNREFUSED after an ICMP port unreachable, ...).  A
 * socket's failure is reported to every entry on it at the time, oldest
 * first.  Called from the loop, under the rules of udp_pool_reply_fn. */
typedef void (*udp_pool_error_fn)(struct udp_pool_entry *e, int err);

/* Returns a new pool for SERVER (copied), reading on BASE (borrowed), or
 * NULL without memory.  Opens no socket yet; its sockets are bound to
 * SOURCE (copied; SOURCE_LEN 0: the system chooses). */
struct udp_pool *udp_pool_new(struct event_base *base,
                              const struct sockaddr *server,
                              socklen_t server_len,
                              const struct sockaddr *source,
                              socklen_t source_len, udp_pool_reply_fn reply,
                              udp_pool_error_fn error);

/* Closes the sockets and frees P; no entry may be on it.  Accepts NULL. */
void udp_pool_free(struct udp_pool *p);

/* Puts E (not on the pool) on the least loaded socket, opening one when
 * all hold UDP_POOL_SPREAD entries or more, with a new random ID in
 * E->id.  Returns 0, or a negative errno (no socket could be opened, or
 * every socket is full: -EBUSY). */
int udp_pool_add(struct udp_pool *p, struct udp_pool_entry *e);

/* Takes E off the pool, freeing its ID; accepts an entry not on it. */
void udp_pool_remove(struct udp_pool_entry *e);

/* Queues MSG[0..LEN) (borrowed until sent or E is taken off the pool) to
 * be sent on E's socket from the loop; it replaces a query of E still
 * queued.  Returns 0 or -ENOMEM.  A send that fails calls the error
 * callback; a full socket buffer does not: the caller's timer stands in
 * for a lost datagram. */
int udp_pool_send(struct udp_pool_entry *e, uint8_t *msg, size_t len);

#endif /* PROBE_UDP_POOL_H */
