/*
 * probe/summary.c -- what caa-probe says of a batch on stderr: the tally
 * of verdicts and reasons, the summary after it, the progress line.
 */
#include "summary.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

int
summary_init(struct summary *s, size_t cap)
{
	memset(s, 0, sizeof(*s));
	s->cap = cap;
	s->size = 16;
	while (s->size <= 2 * cap) {
		s->size *= 2;
	}
	s->slots = calloc(s->size, sizeof(*s->slots));
	return s->slots != NULL ? 0 : -1;
}

void
summary_clear(struct summary *s)
{
	for (size_t i = 0; s->slots != NULL && i < s->size; i++) {
		free(s->slots[i].text);
	}
	free(s->slots);
	memset(s, 0, sizeof(*s));
}

/* FNV-1a: reasons are short, and not chosen to collide. */
static uint32_t
summary_hash(const char *p)
{
	uint32_t h = 2166136261u;

	for (; *p != '\0'; p++) {
		h = (h ^ (unsigned char)*p) * 16777619u;
	}
	return h;
}

void
summary_add(struct summary *s, enum caa_verdict verdict, const char *reason)
{
	size_t mask = s->size - 1;
	size_t i;

	s->names++;
	if ((size_t)verdict < sizeof(s->verdicts) / sizeof(s->verdicts[0])) {
		s->verdicts[verdict]++;
	}
	if (s->slots == NULL) {
		s->other++;
		return;
	}
	/* The table is never over half full: a free slot ends the probe. */
	for (i = summary_hash(reason) & mask; s->slots[i].text != NULL;
	     i = (i + 1) & mask) {
		if (strcmp(s->slots[i].text, reason) == 0) {
			s->slots[i].count++;
			return;
		}
	}
	if (s->distinct >= s->cap ||
	    (s->slots[i].text = strdup(reason)) == NULL) {
		s->other++;
		return;
	}
	s->slots[i].count = 1;
	s->distinct++;
}

/* Does A come before B: more common, or as common and first in bytes? */
static bool
summary_before(const struct summary_reason *a, const struct summary_reason *b)
{
	if (a->count != b->count) {
		return a->count > b->count;
	}
	return strcmp(a->text, b->text) < 0;
}

/* Puts C into OUT[0..*LEN) (at most N), kept in order. */
static void
summary_rank(struct summary_reason *out, size_t *len, size_t n,
             const struct summary_reason *c)
{
	size_t at = *len;

	while (at > 0 && summary_before(c, &out[at - 1])) {
		at--;
	}
	if (at >= n) {
		return;
	}
	if (*len < n) {
		(*len)++;
	}
	memmove(&out[at + 1], &out[at], (*len - 1 - at) * sizeof(*out));
	out[at] = *c;
}

size_t
summary_top(const struct summary *s, struct summary_reason *out, size_t n)
{
	size_t len = 0;

	for (size_t i = 0; s->slots != NULL && i < s->size; i++) {
		if (s->slots[i].text != NULL) {
			summary_rank(out, &len, n, &s->slots[i]);
		}
	}
	if (s->other > 0) {
		struct summary_reason other = {(char *)SUMMARY_OTHER, s->other};

		summary_rank(out, &len, n, &other);
	}
	return len;
}

/* A reason for a terminal: control characters as \DDD. */
static void
summary_text_reason(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0';
	     p++) {
		if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\%03u", (unsigned)*p);
		} else {
			putc(*p, f);
		}
	}
}

void
summary_print(FILE *f, const struct summary *s, bool json)
{
	struct summary_reason top[SUMMARY_TOP];
	size_t n = summary_top(s, top, SUMMARY_TOP);
	int width;

	if (json) {
		fprintf(f,
		        "{\"summary\":{\"names\":%zu,\"allowed\":%zu,"
		        "\"denied\":%zu,\"lookup-failed\":%zu,\"invalid\":%zu,"
		        "\"reasons\":[",
		        s->names, s->verdicts[CAA_ALLOWED],
		        s->verdicts[CAA_DENIED], s->verdicts[CAA_LOOKUP_FAILED],
		        s->verdicts[CAA_INVALID]);
		for (size_t i = 0; i < n; i++) {
			fputs(i > 0 ? ",{\"reason\":" : "{\"reason\":", f);
			report_json_string(f, top[i].text, strlen(top[i].text));
			fprintf(f, ",\"count\":%zu}", top[i].count);
		}
		fputs("]}}\n", f);
		return;
	}
	fprintf(f,
	        "caa-probe: %zu names: %zu allowed, %zu denied, "
	        "%zu lookup-failed, %zu invalid\n",
	        s->names, s->verdicts[CAA_ALLOWED], s->verdicts[CAA_DENIED],
	        s->verdicts[CAA_LOOKUP_FAILED], s->verdicts[CAA_INVALID]);
	width = n > 0 ? snprintf(NULL, 0, "%zu", top[0].count) : 0;
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "  %*zu  ", width, top[i].count);
		summary_text_reason(f, top[i].text);
		putc('\n', f);
	}
}

void
summary_progress(char *buf, size_t size, size_t done, size_t total,
                 double seconds)
{
	double rate = seconds > 0 ? (double)done / seconds : 0;
	int n;

	if (total > 0) {
		n = snprintf(buf, size, "caa-probe: %zu/%zu names", done,
		             total);
	} else {
		n = snprintf(buf, size, "caa-probe: %zu names", done);
	}
	if (n < 0 || (size_t)n >= size || done == 0 || rate <= 0) {
		return;
	}
	if (total > 0 && total >= done) {
		(void)snprintf(buf + n, size - (size_t)n,
		               ", %.0f/s, %.0f s left", rate,
		               (double)(total - done) / rate);
	} else {
		(void)snprintf(buf + n, size - (size_t)n, ", %.0f/s", rate);
	}
}
