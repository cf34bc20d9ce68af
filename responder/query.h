/*
 * responder/query.h -- one query: wire in, verdict and wire out.  No sockets.
 *
 * net.c hands every datagram and TCP frame to query_handle(), which writes
 * the reply into a buffer the caller owns and says whether to send it now,
 * later or never.  Unit tests and fuzzers drive it the same way.
 */
#ifndef RESPONDER_QUERY_H
#define RESPONDER_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>

#include "cidr.h"
#include "wire.h"

struct zone_set;
struct fault_set;
struct fault_rule;

enum query_transport {
	QUERY_UDP = 0,
	QUERY_TCP = 1,
};

enum query_verdict {
	QUERY_SEND = 0, /* send OUT[0..len) (after delay_ms if not 0) */
	QUERY_DROP = 1, /* send nothing */
};

/* Why a query was dropped, for the counters and the log. */
enum query_drop {
	QUERY_DROP_NONE = 0,
	QUERY_DROP_SHORT,    /* shorter than a header */
	QUERY_DROP_RESPONSE, /* QR set: a response, never answered */
	QUERY_DROP_FAULT,    /* a fault rule said so */
	/* net.c: a delayed reply over --max-delayed or --max-delayed-octets */
	QUERY_DROP_DELAY_COUNT,
	QUERY_DROP_DELAY_OCTETS,
};

/*
 * pebble-challtestsrv's default addresses, set by --default-ipv4/6 and
 * over the management API (/set-default-ipv4, /set-default-ipv6): an A or
 * AAAA question that the zones answer without any record (NODATA,
 * NXDOMAIN, or REFUSED outside every zone; not a referral) gets one record
 * with this address instead, TTL 0, AA set; so does the name an alias
 * chain ends at inside a zone.  Every name then exists: an NXDOMAIN
 * becomes NOERROR (NODATA with the zone's SOA), and outside every zone the
 * answer is NODATA with the SOA of the root zone the API makes up for
 * such names (zone.h).  Referrals, DNAMEs and wildcards come first.
 */
struct query_defaults {
	bool has_a;
	bool has_aaaa;
	uint8_t a[4];
	uint8_t aaaa[16];
};

/*
 * --view CIDR=FILE: clients in PREFIX are answered from ZONES instead of
 * the common zones.  TEXT is the prefix as the query log names it.
 */
struct query_view {
	struct cidr prefix;
	char text[CIDR_TEXT_MAX];
	const struct zone_set *zones; /* follows every rebuild */
};

/* What the server answers from; read-only while a query runs. */
struct query_env {
	const struct zone_set *zones;
	/* Views, the most specific prefix first (query_views_sort()); a
	 * client in none of them gets ZONES.  NULL: none (the default). */
	struct query_view *views;
	size_t nviews;
	struct fault_set *faults; /* NULL: no rules */
	uint16_t udp_max;         /* the largest UDP reply we send (EDNS) */
	const struct query_defaults *defaults; /* NULL: none (the default) */
};

#define QUERY_UDP_MAX_DEFAULT 1232 /* as NSD, Knot and BIND since 2020 */

/*
 * Everything the query log, the fault matcher and the counters need to know
 * about one query and what was done with it.  Filled by query_handle().
 */
struct query_result {
	enum query_verdict verdict;
	enum query_drop drop;
	size_t len;        /* reply octets in OUT */
	uint32_t delay_ms; /* 0: now */

	bool has_question;     /* a question was parsed */
	uint16_t id;           /* the query's message ID */
	uint16_t qtype;        /* valid when has_question */
	uint16_t qclass;       /* valid when has_question */
	uint8_t qname_len;     /* octets in qname */
	uint8_t qname[WIRE_NAME_MAX]; /* as received: letter case kept */

	int rcode;        /* the reply's RCODE (extended included), -1 none */
	int honest_rcode; /* what a correct server answers, -1 none */
	bool aa;
	bool tc;
	uint16_t answers; /* ANCOUNT of the reply */
	bool edns;        /* the query carried OPT */
	const struct fault_rule *rule; /* the rule that fired, or NULL */
	const char *view; /* the view's prefix that answered, or NULL */
};

/*
 * Answer the query IN (INLEN octets) that arrived over TP from an address
 * of FAMILY (AF_INET or AF_INET6).  The reply goes to OUT, which holds
 * OUTCAP octets (at least 512; 65535 lets every answer fit).  Never fails:
 * malformed input yields FORMERR or a drop, as RES says.  Allocates
 * nothing.
 */
void query_handle(const struct query_env *env, const uint8_t *in,
                  size_t inlen, enum query_transport tp, int family,
                  uint8_t *out, size_t outcap, struct query_result *res);

/*
 * query_handle() for a query from CLIENT (the peer's address; NULL:
 * unknown): rules with from= and views see it.  FAMILY stays the
 * socket's, for family=.  Choosing a view is a masked compare per view,
 * done only when there are views.
 */
void query_handle_from(const struct query_env *env, const uint8_t *in,
                       size_t inlen, enum query_transport tp, int family,
                       const struct sockaddr *client, uint8_t *out,
                       size_t outcap, struct query_result *res);

/* The view that answers CLIENT, or NULL (the common zones). */
const struct query_view *query_view_find(const struct query_env *env,
                                         const struct sockaddr *client);

/* Order VIEWS[0..N) most specific prefix first, as query_env wants them. */
void query_views_sort(struct query_view *views, size_t n);

#endif /* RESPONDER_QUERY_H */
