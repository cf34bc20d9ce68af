/*
 * responder/net.h -- sockets and libevent callbacks: moves bytes, never
 * builds answers.
 *
 * For every listen address there is a UDP socket and a TCP listening
 * socket on the same port.  Each datagram and each TCP frame goes to
 * query_handle(); its reply is sent at once, after its delay (a copy waits
 * in the pool of delayed replies, below) or never.  The query log gets one
 * line per query.
 */
#ifndef RESPONDER_NET_H
#define RESPONDER_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct event_base;
struct query_env;

#define NET_PORT_DEFAULT      5353
#define NET_TCP_IDLE_DEFAULT  10000 /* ms */
#define NET_TCP_CONNS_DEFAULT 512
#define NET_UDP_BATCH         32 /* datagrams per recvmmsg() */

/*
 * Delayed replies wait in a pool allocated once, at start: at most
 * max_delayed of them, their octets in blocks of NET_DELAY_BLOCK, at most
 * max_delayed_octets in all.  Memory is touched only as replies fill it.
 * A query whose reply finds no room is dropped (never answered) and
 * counted; its log line says drop_reason max-delayed or
 * max-delayed-octets.  The defaults hold 10,000 replies in at most about
 * 21 MB: 16 MiB of octets, and some 430 octets a reply for its slot and
 * timer.
 */
#define NET_DELAY_BLOCK            512
#define NET_DELAYED_DEFAULT        10000
#define NET_DELAYED_OCTETS_DEFAULT (16 * 1024 * 1024)

/* One address to serve on; port 0 picks a free port. */
struct net_listen {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	bool optional; /* a default: if it cannot be bound, warn and go on */
};

struct net_config {
	const struct net_listen *listen; /* borrowed for net_new() only */
	size_t nlisten;
	unsigned tcp_idle_ms;   /* close a TCP connection idle this long */
	unsigned tcp_max_conns; /* close new connections beyond this many */
	unsigned max_delayed;      /* delayed replies held at once */
	size_t max_delayed_octets; /* and their octets, whole blocks */
};

/* What has been seen since the start; a TCP frame counts as a query. */
struct net_stats {
	uint64_t received;  /* datagrams and frames */
	uint64_t answered;  /* replies sent or scheduled */
	uint64_t dropped;   /* query_handle() said QUERY_DROP */
	uint64_t malformed; /* of the dropped: not a DNS query at all */
	uint64_t delayed;   /* of the answered: sent after a delay */
	uint64_t delayed_dropped; /* of the dropped: no room to delay */
	uint64_t delayed_pending; /* now: replies waiting for their time */
	uint64_t delayed_pending_octets; /* now: the blocks they take */
	uint64_t send_errors;
	uint64_t tcp_accepted;
	uint64_t tcp_refused;  /* over tcp_max_conns */
	uint64_t tcp_timeouts; /* closed as idle */
};

struct net;

/*
 * Bind every address of CFG and serve on BASE, answering from ENV, which
 * is borrowed until net_free() (main may swap ENV->zones between events).
 * Returns a new net (free with net_free()), or NULL with ERR filled.
 */
struct net *net_new(struct event_base *base, const struct net_config *cfg,
                    const struct query_env *env, char *err, size_t errlen);

/*
 * Close every socket, cancel delayed replies and free NET.  Accepts NULL.
 */
void net_free(struct net *net);

/*
 * The ready line, without the newline: "ready udp=127.0.0.1:5353
 * tcp=127.0.0.1:5353 udp=[::1]:5353 ..." with the ports actually bound.
 * Returns the length it needs, as snprintf does.
 */
size_t net_ready_format(const struct net *net, char *buf, size_t cap);

void net_stats_get(const struct net *net, struct net_stats *out);

#endif /* RESPONDER_NET_H */
