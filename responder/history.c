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
};

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

		free(e->fault);
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
		free(e->fault);
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
	char *fault = NULL;

	if (res->rule != NULL) {
		fault = strdup(fault_rule_text(res->rule));
		if (fault == NULL) {
			h->lost++;
			return -ENOMEM;
		}
	}
	e = history_room(h);
	if (e == NULL) {
		free(fault);
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
	e->tp = tp;
	e->has_question = res->has_question;
	e->aa = res->aa;
	e->tc = res->tc;
	e->dropped = res->verdict == QUERY_DROP;
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

size_t
history_remove(struct history *h, const uint8_t *name, int qtype)
{
	size_t kept = 0, n = h->n;

	/* Slide the survivors down over the removed, in place. */
	for (size_t i = 0; i < n; i++) {
		struct history_entry *e = history_slot(h, i);

		if (history_entry_matches(e, name, qtype)) {
			free(e->fault);
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

/* A string built in a fixed buffer; LEN counts what did not fit too. */
struct history_buf {
	char *buf;
	size_t cap;
	size_t len;
};

static void
history_putc(struct history_buf *b, char c)
{
	if (b->len + 1 < b->cap) {
		b->buf[b->len] = c;
	}
	b->len++;
}

static void
history_puts(struct history_buf *b, const char *s)
{
	while (*s != '\0') {
		history_putc(b, *s++);
	}
}

static void history_printf(struct history_buf *b, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static void
history_printf(struct history_buf *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0) {
		history_puts(b, tmp); /* short fields only */
	}
}

/* A JSON string (RFC 8259 section 7), or null for NULL: as log.c does. */
static void
history_json(struct history_buf *b, const char *s)
{
	if (s == NULL) {
		history_puts(b, "null");
		return;
	}
	history_putc(b, '"');
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			history_putc(b, '\\');
			history_putc(b, (char)c);
		} else if (c < 0x20 || c == 0x7f) {
			history_printf(b, "\\u%04x", (unsigned)c);
		} else {
			history_putc(b, (char)c);
		}
	}
	history_putc(b, '"');
}

size_t
history_entry_format(const struct history_entry *e, char *buf, size_t cap)
{
	struct history_buf b = {buf, cap, 0};
	char name[WIRE_NAME_MAX * 4 + 8];
	char addr[LOG_ADDR_MAX];
	char mnemonic[32];
	char stamp[32];
	struct tm tm;

	if (gmtime_r(&e->ts.tv_sec, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		(void)snprintf(stamp, sizeof(stamp), "1970-01-01T00:00:00");
	}
	history_printf(&b, "{\"ts\":\"%s.%03ldZ\",\"client\":", stamp,
	               (long)(e->ts.tv_nsec / 1000000));
	history_json(&b, log_addr_format(&e->client.sa, addr, sizeof(addr)));
	history_printf(&b, ",\"transport\":\"%s\",\"id\":%u,\"qname\":",
	               e->tp == QUERY_TCP ? "tcp" : "udp", (unsigned)e->id);
	if (e->has_question && e->qname_len > 0) {
		(void)wire_name_to_str(e->qname, name, sizeof(name));
		history_json(&b, name);
	} else {
		history_json(&b, NULL);
	}
	history_puts(&b, ",\"qtype\":");
	history_json(&b, e->has_question ? wire_type_str(e->qtype, mnemonic,
	                                                 sizeof(mnemonic))
	                                 : NULL);
	history_puts(&b, ",\"rcode\":");
	history_json(&b, !e->dropped && e->rcode >= 0
	                         ? wire_rcode_str((unsigned)e->rcode, mnemonic,
	                                          sizeof(mnemonic))
	                         : NULL);
	history_printf(&b, ",\"aa\":%s,\"tc\":%s,\"answers\":%u,\"fault\":",
	               e->aa ? "true" : "false", e->tc ? "true" : "false",
	               (unsigned)e->answers);
	history_json(&b, e->fault);
	history_printf(&b, ",\"delay_ms\":%lu,\"dropped\":%s}",
	               (unsigned long)e->delay_ms,
	               e->dropped ? "true" : "false");
	if (cap > 0) {
		b.buf[b.len < cap ? b.len : cap - 1] = '\0';
	}
	return b.len;
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
