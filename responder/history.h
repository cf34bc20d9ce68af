/*
 * responder/history.h -- the last queries, kept in memory for the
 * management API (GET /queries, POST /dns-request-history).
 *
 * A history is a ring of at most CAP entries: when it is full the oldest
 * entry goes.  An entry keeps what the query log line shows (docs/query-log.md)
 * plus the question's type and class as numbers, so that the
 * API can filter without parsing text.  history_entry_format() prints an
 * entry exactly as log_query_format() prints the query it came from.
 *
 * The responder has one history at most, attached with history_attach();
 * log_query() hands every query to history_record(), which does nothing
 * while none is attached.  Like the query log, the state is process-wide:
 * the server has one thread.
 */
#ifndef RESPONDER_HISTORY_H
#define RESPONDER_HISTORY_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "query.h"
#include "wire.h"

#define HISTORY_CAP_DEFAULT 10000

/*
 * The text of a rule, shared by the entries of the queries it took (one
 * copy while the same rule keeps firing, not one a query) and freed with
 * the last of them.
 */
struct history_text {
	size_t refs;
	char text[];
};

struct history_entry {
	struct timespec ts; /* when the query was logged */
	union {
		struct sockaddr sa;
		struct sockaddr_in sin;
		struct sockaddr_in6 sin6;
	} client;
	const char *view; /* res->view: static while the server runs */
	enum query_transport tp;
	bool has_question;
	bool aa;
	bool tc;
	bool dropped;
	enum query_drop drop; /* why, when dropped */
	uint16_t id;
	uint16_t qtype;  /* valid when has_question */
	uint16_t qclass; /* valid when has_question */
	uint16_t answers;
	int rcode; /* -1: none */
	uint32_t delay_ms;
	struct history_text *fault; /* the rule that fired, or NULL */
	uint8_t qname_len;
	uint8_t qname[WIRE_NAME_MAX]; /* as received: letter case kept */
};

struct history;

/*
 * Returns a new, empty history that keeps at most CAP entries (CAP > 0),
 * or NULL when out of memory.  Free with history_free().  Memory grows
 * with the entries, up to CAP of them.
 */
struct history *history_new(size_t cap);

/* Free H and its entries.  Accepts NULL. */
void history_free(struct history *h);

/*
 * Append the query RES, which came from CLIENT over TP, stamped TS.  When
 * H is full the oldest entry is dropped first.  Returns 0, or -ENOMEM (the
 * entry is not kept and history_lost() counts it).
 */
int history_add(struct history *h, const struct timespec *ts,
                const struct sockaddr *client, enum query_transport tp,
                const struct query_result *res);

/* Forget every entry. */
void history_clear(struct history *h);

/* Entries kept, and the I-th of them, oldest first (I < the count). */
size_t history_count(const struct history *h);
const struct history_entry *history_get(const struct history *h, size_t i);

/* Entries not kept since the start for want of memory. */
uint64_t history_lost(const struct history *h);

/*
 * True when E is about the name NAME (canonical wire form, compared
 * without regard to case; NULL: any name) and the type QTYPE (negative:
 * any type).  An entry without a question matches only when both are
 * "any".
 */
bool history_entry_matches(const struct history_entry *e, const uint8_t *name,
                           int qtype);

/*
 * True when E's client is in the prefix P (an IPv4-mapped client is its
 * IPv4 address, cidr.h).
 */
bool history_entry_from(const struct history_entry *e, const struct cidr *p);

/*
 * Remove the entries that history_entry_matches(E, NAME, QTYPE); the
 * others keep their order.  Returns how many went.
 */
size_t history_remove(struct history *h, const uint8_t *name, int qtype);

/*
 * The query log line of E (without the newline) into BUF of CAP octets,
 * as log_query_format() writes it.  Returns the length the whole line
 * needs, as snprintf does; LOG_QUERY_LINE_MAX always suffices.
 */
size_t history_entry_format(const struct history_entry *e, char *buf,
                            size_t cap);

/*
 * The history log_query() feeds: H, or NULL to stop recording.  Borrowed
 * until replaced; detach before freeing it.
 */
void history_attach(struct history *h);

/* True while a history is attached. */
bool history_is_recording(void);

/* history_add() to the attached history, if any; errors are counted. */
void history_record(const struct timespec *ts, const struct sockaddr *client,
                    enum query_transport tp, const struct query_result *res);

#endif /* RESPONDER_HISTORY_H */
