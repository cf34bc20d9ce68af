/*
 * responder/net_int.h -- what net.c (sockets, UDP, delayed replies) and
 * net_tcp.c (TCP connections) share.  Not for other modules.
 */
#ifndef RESPONDER_NET_INT_H
#define RESPONDER_NET_INT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "net.h"
#include "query.h"
#include "wire.h"

#define NET_SLOT            (WIRE_MSG_MAX + 9) /* a message and its prefix */
#define NET_TCP_OUT_MAX     ((size_t)256 * 1024) /* unsent: stop reading */
#define NET_ACCEPT_PAUSE_MS 100 /* after accept() failed (EMFILE) */

/* Room for the one IP_PKTINFO or IPV6_PKTINFO message we ask for. */
union net_ctl {
	size_t align; /* as struct cmsghdr */
	uint8_t buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
	            CMSG_SPACE(sizeof(struct in_pktinfo))];
};

struct net_conn;

/*
 * A delayed reply: a slot of the pool (net_delay.c), its octets in a chain
 * of blocks of the pool's arena.  Back to the pool when sent or cancelled.
 */
struct net_pending {
	struct net_pending *next; /* in its list; in the free list when free */
	struct net_pending **prevp;
	struct net *net;
	struct net_conn *conn; /* TCP; NULL for UDP */
	struct event *timer;   /* made at the slot's first use, then kept */
	evutil_socket_t fd;    /* UDP */
	struct sockaddr_storage peer;
	socklen_t peerlen;
	union net_ctl ctl;
	size_t ctllen;
	size_t len;     /* octets; TCP: with the length prefix */
	uint32_t block; /* the first block */
	uint32_t nblocks;
};

/* The pool of delayed replies, allocated once (net_delay_init()). */
struct net_delay {
	struct net_pending *slots; /* MAX of them, handed out in order */
	uint32_t max;
	uint32_t used; /* slots handed out at least once */
	uint32_t pending;
	struct net_pending *free;
	uint8_t *octets;     /* NBLOCKS * NET_DELAY_BLOCK */
	uint32_t *next;      /* the block after each block of a chain */
	uint32_t nblocks;
	uint32_t blocks_used; /* blocks handed out at least once */
	uint32_t blocks_taken;
	uint32_t free_block; /* head of the free chain, or NET_DELAY_END */
};

#define NET_DELAY_END UINT32_MAX

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
	struct net_delay delay;
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

/* net.c */
void net_close(evutil_socket_t fd);
bool net_count(struct net *net, const struct query_result *res);

/* net_delay.c */

/*
 * Allocate the pool for MAX replies and MAX_OCTETS octets (whole blocks)
 * in DELAY.  Returns 0 or -ENOMEM.
 */
int net_delay_init(struct net_delay *delay, uint32_t max, size_t max_octets);

/* Free the pool; every reply must have been cancelled first. */
void net_delay_clear(struct net_delay *delay);

/*
 * A slot with room for LEN octets for the delayed reply of RES, or NULL
 * when the pool has none: then RES becomes a drop (QUERY_DROP_DELAY_COUNT
 * or QUERY_DROP_DELAY_OCTETS), as the log and the counters show it.
 * Hand the slot to net_pending_start() before the next call.
 */
struct net_pending *net_pending_take(struct net *net, size_t len,
                                     struct query_result *res);

/*
 * Copy the reply MSG describes (its one iovec of the LEN given to
 * net_pending_take(), and for UDP its peer and control data) into P and
 * send it DELAY_MS from now: on UDP through FD, on TCP on C.  Returns 0,
 * or -ENOMEM with P back in the pool.
 */
int net_pending_start(struct net_pending *p, struct net_conn *c,
                      evutil_socket_t fd, const struct msghdr *msg,
                      uint32_t delay_ms);

/* Cancel P (never sent) and put it back in the pool. */
void net_pending_free(struct net_pending *p);

/* net_tcp.c */
void net_conn_free(struct net_conn *c);
void net_conn_timeouts(struct net_conn *c);
void net_conn_try_close(struct net_conn *c);
void net_tcp_accept(struct evconnlistener *lev, evutil_socket_t fd,
                    struct sockaddr *sa, int salen, void *arg);
void net_tcp_accept_error(struct evconnlistener *lev, void *arg);

#endif /* RESPONDER_NET_INT_H */
