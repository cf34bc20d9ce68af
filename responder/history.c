/*
 * responder/history.c -- the last queries, kept in memory for the
 * management API.
 */
#include "history.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "log.h"

struct history {
	struct history_entry *v; /* ring of CAP slots, ALLOC allocated */
	size_t cap;
	size_t alloc;
	size_t head; /* slot of the oldest entry */
	size_t n;
	uint64_t lost;
	struct history_text *last; /* the latest rule text, for sharing */
};

static void
history_text_put(struct history_text *t)
{
	if (t != NULL && --t->refs == 0) {
		free(t);
	}
}

/*
 * The shared copy of TEXT, one more reference taken: the latest one again
 * when the same rule fired, else a new one.  NULL when out of memory.
 */
static struct history_text *
history_text_get(struct history *h, const char *text)
{
	if (h->last == NULL || strcmp(h->last->text, text) != 0) {
		size_t n = strlen(text) + 1;
		struct history_text *t = malloc(sizeof(*t) + n);

		if (t == NULL) {
			return NULL;
		}
		t->refs = 1; /* the history's own, while it is the latest */
		memcpy(t->text, text, n);
		history_text_put(h->last);
		h->last = t;
	}
	h->last->refs++;
	return h->last;
}

static struct history *history_current; /* what log_query() feeds */

struct history *
history_new(size_t cap)
{
	struct history *h;

	if (cap == 0) {
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (h != NULL) {
		h->cap = cap;
	}
	return h;
}

static struct history_entry *
history_slot(const struct history *h, size_t i)
{
	return &h->v[(h->head + i) % h->alloc];
}

void
history_clear(struct history *h)
{
	for (size_t i = 0; i < h->n; i++) {
		struct history_entry *e = history_slot(h, i);

		history_text_put(e->fault);
		e->fault = NULL;
	}
	h->head = 0;
	h->n = 0;
}

void
history_free(struct history *h)
{
	if (h == NULL) {
		return;
	}
	if (history_current == h) {
		history_current = NULL;
	}
	history_clear(h);
	history_text_put(h->last);
	free(h->v);
	free(h);
}

/*
 * Room for one more entry: grow the ring while it is below CAP (entries
 * stay in order), else drop the oldest.  Returns the free slot or NULL.
 */
static struct history_entry *
history_room(struct history *h)
{
	struct history_entry *e;

	if (h->n == h->alloc && h->alloc < h->cap) {
		size_t na = h->alloc == 0 ? 64 : h->alloc * 2;
		struct history_entry *nv;

		na = na > h->cap ? h->cap : na;
		nv = malloc(na * sizeof(*nv));
		if (nv == NULL) {
			return NULL;
		}
		for (size_t i = 0; i < h->n; i++) {
			nv[i] = *history_slot(h, i);
		}
		free(h->v);
		h->v = nv;
		h->alloc = na;
		h->head = 0;
	}
	if (h->n == h->alloc) {
		e = history_slot(h, 0); /* full: the oldest goes */
		history_text_put(e->fault);
		e->fault = NULL;
		h->head = (h->head + 1) % h->alloc;
		h->n--;
	}
	return history_slot(h, h->n);
}

int
history_add(struct history *h, const struct timespec *ts,
            const struct sockaddr *client, enum query_transport tp,
            const struct query_result *res)
{
	struct history_entry *e;
	struct history_text *fault = NULL;

	if (res->rule != NULL) {
		fault = history_text_get(h, fault_rule_text(res->rule));
		if (fault == NULL) {
			h->lost++;
			return -ENOMEM;
		}
	}
	e = history_room(h);
	if (e == NULL) {
		history_text_put(fault);
		h->lost++;
		return -ENOMEM;
	}
	memset(e, 0, sizeof(*e));
	e->ts = *ts;
	if (client->sa_family == AF_INET) {
		memcpy(&e->client.sin, client, sizeof(e->client.sin));
	} else if (client->sa_family == AF_INET6) {
		memcpy(&e->client.sin6, client, sizeof(e->client.sin6));
	} else {
		e->client.sa.sa_family = AF_UNSPEC;
	}
	e->view = res->view;
	e->tp = tp;
	e->has_question = res->has_question;
	e->aa = res->aa;
	e->tc = res->tc;
	e->dropped = res->verdict == QUERY_DROP;
	e->drop = res->drop;
	e->id = res->id;
	e->qtype = res->qtype;
	e->qclass = res->qclass;
	e->answers = res->answers;
	e->rcode = res->rcode;
	e->delay_ms = res->delay_ms;
	e->fault = fault;
	e->qname_len = res->qname_len;
	memcpy(e->qname, res->qname, res->qname_len);
	h->n++;
	return 0;
}

size_t
history_count(const struct history *h)
{
	return h->n;
}

const struct history_entry *
history_get(const struct history *h, size_t i)
{
	return i < h->n ? history_slot(h, i) : NULL;
}

uint64_t
history_lost(const struct history *h)
{
	return h->lost;
}

bool
history_entry_matches(const struct history_entry *e, const uint8_t *name,
                      int qtype)
{
	if (name == NULL && qtype < 0) {
		return true;
	}
	if (!e->has_question || e->qname_len == 0) {
		return false;
	}
	if (qtype >= 0 && e->qtype != (unsigned)qtype) {
		return false;
	}
	return name == NULL || wire_name_equal(e->qname, name);
}

bool
history_entry_from(const struct history_entry *e, const struct cidr *p)
{
	struct cidr a;

	return cidr_from_sockaddr(&e->client.sa, &a) && cidr_contains(p, &a);
}

size_t
history_remove(struct history *h, const uint8_t *name, int qtype)
{
	size_t kept = 0, n = h->n;

	/* Slide the survivors down over the removed, in place. */
	for (size_t i = 0; i < n; i++) {
		struct history_entry *e = history_slot(h, i);

		if (history_entry_matches(e, name, qtype)) {
			history_text_put(e->fault);
			e->fault = NULL;
			continue;
		}
		if (kept != i) {
			*history_slot(h, kept) = *e;
			e->fault = NULL;
		}
		kept++;
	}
	h->n = kept;
	return n - kept;
}

size_t
history_entry_format(const struct history_entry *e, char *buf, size_t cap)
{
	struct log_fields f = {
		.ts = e->ts,
		.client = &e->client.sa,
		.view = e->view,
		.tp = e->tp,
		.id = e->id,
		.has_question = e->has_question,
		.qname = e->qname,
		.qname_len = e->qname_len,
		.qtype = e->qtype,
		.rcode = e->rcode,
		.aa = e->aa,
		.tc = e->tc,
		.answers = e->answers,
		.fault = e->fault != NULL ? e->fault->text : NULL,
		.delay_ms = e->delay_ms,
		.dropped = e->dropped,
		.drop = e->drop,
	};

	return log_fields_format(buf, cap, &f);
}

void
history_attach(struct history *h)
{
	history_current = h;
}

bool
history_is_recording(void)
{
	return history_current != NULL;
}

void
history_record(const struct timespec *ts, const struct sockaddr *client,
               enum query_transport tp, const struct query_result *res)
{
	if (history_current != NULL) {
		(void)history_add(history_current, ts, client, tp, res);
	}
}
