/*
 * probe/lookup.h -- asynchronous CAA lookups on a libevent loop.
 *
 * A lookup asks one server for the CAA RRset of one name, the way a CA's
 * resolver client does (Boulder bdns): UDP with EDNS0 (payload 4096), a
 * timeout per try and a number of tries (only timeouts are retried; an
 * RCODE is final), TCP when the UDP answer is truncated, and a reply is
 * accepted only if its ID, question name (any letter case), type and
 * class match; other datagrams are ignored and the lookup keeps waiting.
 * A try is UDP, then TCP if the answer was truncated; a timeout of either
 * starts the next try.  The ID stays the same across tries, so a late
 * answer to an earlier try is accepted.
 * When the answer ends in an alias without CAA, the client asks the
 * alias target itself (CNAME and DNAME-synthesized CNAME, at most
 * REPLY_CHAIN_MAX aliases, loops detected).
 *
 * Over UDP the lookups of a client share a few sockets (udp_pool.h);
 * over TCP each has a connection of its own.  Any number of lookups may
 * run at once on one event_base; they wait in a queue beyond the file
 * descriptors available, and while 192 lookups started in the last 10 to
 * 20 ms await their first answer, so that a batch does not overflow the
 * receive buffer of the server it asks.  Every lookup ends with exactly
 * one call of its callback, always from the event loop (never from
 * lookup_caa() itself).
 */
#ifndef PROBE_LOOKUP_H
#define PROBE_LOOKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "caa.h"

struct event_base;

/* Who resolves.  LOOKUP_DIRECT asks SERVER itself, as above; the other
 * two run libunbound on the client's event_base (lookup_ub.c), one
 * ub_ctx (and so one cache) per client, which chases aliases itself. */
enum lookup_backend {
	LOOKUP_DIRECT = 0, /* SERVER, UDP then TCP: the fields above */
	LOOKUP_RECURSIVE,  /* a recursive resolver from ROOT_HINTS */
	LOOKUP_VALIDATE,   /* SERVER as a forwarder, its answers validated */
};

struct lookup_config {
	struct sockaddr_storage server; /* address and port to ask */
	socklen_t server_len;
	struct sockaddr_storage source; /* the address to ask from (port 0);
	                                   libunbound: outgoing-interface */
	socklen_t source_len;           /* 0: the system chooses */
	int timeout_ms; /* per try, UDP or TCP; libunbound: the whole lookup
	                   may take TIMEOUT_MS * TRIES */
	int tries;      /* at least 1 */
	enum lookup_backend backend;
	const char *root_hints;   /* LOOKUP_RECURSIVE: a root hints file */
	const char *trust_anchor; /* libunbound: DS or DNSKEY records in a
	                             master file; NULL: no validation */
};

/* What one lookup found; everything owned (lookup_result_clear()). */
struct lookup_result {
	enum caa_lookup_kind kind;
	int rcode;      /* of the last reply read, -1: none (timeout, ...) */
	int ede;        /* RFC 8914 INFO-CODE, -1: none */
	char *ede_text; /* EXTRA-TEXT or NULL */
	bool also_cname;
	size_t outside_chain;
	struct caa_record *records; /* point into RDATA */
	size_t nrecords;
	unsigned char *rdata;
	char **cname; /* alias targets followed, presentation form */
	size_t ncname;
	enum caa_dnssec dnssec; /* CAA_DNSSEC_NONE unless validated */
	size_t queries; /* messages sent, UDP and TCP, retries included;
	                   libunbound: questions asked of it */
	double ms;      /* from the first query to the result */
};

/* The view caa_check() reads; borrows R. */
void lookup_result_view(const struct lookup_result *r, struct caa_lookup *out);

/* Frees what R owns and zeroes it; accepts NULL. */
void lookup_result_clear(struct lookup_result *r);

struct lookup_client;

/* Returns a new client on BASE (borrowed), or NULL without memory. */
struct lookup_client *lookup_client_new(struct event_base *base,
                                        const struct lookup_config *cfg);

/* As lookup_client_new(), but a libunbound backend that cannot start
 * (a root hints or trust anchor file that does not read) says why in
 * ERR[0..ERRLEN), naming the file and line. */
struct lookup_client *lookup_client_open(struct event_base *base,
                                         const struct lookup_config *cfg,
                                         char *err, size_t errlen);

/* Frees C; every lookup must have ended (lookup_client_end()). */
void lookup_client_free(struct lookup_client *c);

/*
 * Ends every lookup of C not ended yet, those waiting in line included,
 * before it returns: each callback is called from here with kind
 * CAA_LOOKUP_NETWORK and no reply.  For a program that stops while
 * lookups are in flight; C may be freed afterwards.
 */
void lookup_client_end(struct lookup_client *c);

/* Called once per lookup with its result, which the callee may move out
 * (it is cleared after the call). */
typedef void (*lookup_done_fn)(void *arg, struct lookup_result *res);

/*
 * Starts the CAA lookup of NAME (text, as caa_candidate() gives it).
 * Returns 0, or -ENOMEM / -EINVAL (no callback then).
 */
int lookup_caa(struct lookup_client *c, const char *name, lookup_done_fn done,
               void *arg);

#endif /* PROBE_LOOKUP_H */
