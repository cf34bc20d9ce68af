/*
 * probe/batch.h -- many names on one event loop, reported in input order.
 *
 * At most JOBS names are checked at once (each asks all its candidates at
 * once).  Names come from the command line, then from INPUT_FD, read only
 * when a job is free, so memory is bound by JOBS, not by the input: text
 * and json reports wait in a reorder window of 4 * JOBS finished reports
 * (a name is not started while the oldest unprinted one is that far
 * behind), while jsonl prints each object as it completes.
 *
 * The input never holds up the loop: a pipe or a terminal is made
 * non-blocking and read when libevent says it is readable, a regular file
 * (which never blocks) directly; lines go through a buffer of
 * BATCH_LINE_MAX bytes, and a longer line is an invalid input (reported
 * as such) whose rest is skipped.  So a name is judged, and its report
 * written, while the next line is still to come, and the lookup times and
 * timeouts are only what the network did.
 */
#ifndef PROBE_BATCH_H
#define PROBE_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "caa.h"
#include "options.h"
#include "report.h"

#define BATCH_LINE_MAX    OPTIONS_LINE_MAX /* bytes of one input line */
#define BATCH_EXIT_SIGNAL 128 /* + the signal that stopped batch_run() */

struct event_base;
struct mpic;

struct batch_config {
	struct mpic *mpic; /* the primary and the perspectives (mpic.h) */
	const struct caa_request *req;
	const struct report_opts *report;
	size_t jobs;
	const char *const *names; /* checked first, in order */
	size_t nnames;
	int input_fd;           /* then one name a line; -1: none */
	const char *input_name; /* for messages */
	FILE *out;
	bool progress; /* a progress line on stderr (a terminal) while more
	                  than one name is under way (summary.h) */
	bool summary;  /* the summary on stderr at the end (summary.h) */
};

/*
 * Checks every name on BASE and writes the reports to CFG->out.  Input
 * lines are trimmed; blank lines and '#' comments (also after a name,
 * past a blank) are skipped.  Returns the exit status: 0 every name
 * allowed, 1 at least one denied and none failed, 2 at least one lookup
 * failed (or the input or output failed), 3 none failed but at least one
 * name was invalid (refused as a CA refuses it, with a report).  While a
 * terminal or pipe is non-blocking, SIGINT and SIGTERM stop it: the input
 * is restored, nothing more is written, and it returns BATCH_EXIT_SIGNAL
 * plus the signal, for the caller to raise again.
 */
int batch_run(struct event_base *base, const struct batch_config *cfg);

#endif /* PROBE_BATCH_H */
