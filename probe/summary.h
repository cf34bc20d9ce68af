/*
 * probe/summary.h -- what caa-probe says of a batch on stderr: the tally
 * of verdicts and reasons, the summary after it, the progress line.
 *
 * The tally is bounded whatever the input: reasons are counted one by one
 * in a table of at most CAP distinct strings (a batch mostly meets a few:
 * "CAA record for example.com prevents issuance" for every name under
 * example.com), and every reason past it together as SUMMARY_OTHER.  A
 * reason is copied once, when first met; counting one that is known costs
 * a hash and a comparison.
 *
 * Text summary:
 *
 *   caa-probe: 7 names: 3 allowed, 2 denied, 1 lookup-failed, 1 invalid
 *     3  REASON
 *
 * the five most common reasons, most first (ties in byte order), counts
 * right-aligned.  JSON summary, one line:
 *
 *   {"summary":{"names":N,"allowed":N,"denied":N,"lookup-failed":N,
 *    "invalid":N,"reasons":[{"reason":"...","count":N},...]}}
 *
 * Progress line (rewritten in place, "\r" then the line then "\033[K"):
 *
 *   caa-probe: 1200/10000 names, 850/s, 10 s left
 *   caa-probe: 1200 names, 850/s          (total not known yet)
 */
#ifndef PROBE_SUMMARY_H
#define PROBE_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "caa.h"

#define SUMMARY_REASONS_MAX 1024 /* distinct reasons counted one by one */
#define SUMMARY_TOP         5    /* reasons a summary shows */
#define SUMMARY_OTHER       "(other reasons)"

struct summary_reason {
	char *text; /* owned; NULL: a free slot */
	size_t count;
};

struct summary {
	size_t names;
	size_t verdicts[4]; /* by enum caa_verdict */
	size_t other;       /* reasons past the table, or without memory */
	size_t cap;         /* distinct reasons kept at most */
	size_t distinct;
	size_t size;                  /* slots: a power of two, > 2 * cap */
	struct summary_reason *slots; /* open addressing, linear probing */
};

/* An empty tally that keeps at most CAP distinct reasons.  -1 without
 * memory. */
int summary_init(struct summary *s, size_t cap);

/* Frees what S holds; accepts a zeroed S. */
void summary_clear(struct summary *s);

/* Counts one name: its VERDICT and REASON. */
void summary_add(struct summary *s, enum caa_verdict verdict,
                 const char *reason);

/*
 * The at most N most common reasons into OUT (borrowed from S), most
 * first, ties in byte order; SUMMARY_OTHER among them with the count of
 * the reasons past the table.  Returns how many were written.
 */
size_t summary_top(const struct summary *s, struct summary_reason *out,
                   size_t n);

/* Writes the summary to F: text, or the JSON line when JSON. */
void summary_print(FILE *f, const struct summary *s, bool json);

/*
 * The progress line (without "\r" and "\033[K") into BUF[0..SIZE): DONE
 * names of TOTAL (0: not known yet) in SECONDS.  The rate and the time
 * left are left out while there is no rate to tell them by.
 */
void summary_progress(char *buf, size_t size, size_t done, size_t total,
                      double seconds);

#endif /* PROBE_SUMMARY_H */
