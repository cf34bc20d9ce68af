/*
 * probe/trace_main.c -- caa-probe --trace: each name's report, then its
 * trace.
 *
 * The verdict is reached exactly as without --trace (check_start() on the
 * probe's client and loop); then the name's climb is traced (trace_run())
 * and both are written, one name after the other, in the framing of
 * batch_run(): text blocks apart by a blank line, a JSON array, JSON lines
 * or brief lines.
 */
#include "trace.h"

#include <errno.h>
#include <string.h>

#include <event2/event.h>

#include "batch.h"
#include "check.h"
#include "mpic.h"
#include "report.h"

struct trace_wait {
	struct event_base *base;
	struct check *chk;
};

static void
trace_check_done(void *arg, struct check *chk)
{
	struct trace_wait *w = arg;

	w->chk = chk;
	event_base_loopbreak(w->base);
}

int
trace_probe(struct event_base *base, const struct batch_config *bcfg,
            const struct trace_config *tcfg)
{
	const struct report_opts *ro = bcfg->report;
	bool any_failed = false, any_denied = false, any_invalid = false;
	bool error = false;

	if (ro->format == REPORT_JSON) {
		fputs("[", bcfg->out);
	}
	for (size_t i = 0; i < bcfg->nnames && !error; i++) {
		struct trace_wait w = {base, NULL};
		struct trace t = {0};
		char err[320];
		int rc;

		if (mpic_start(bcfg->mpic, bcfg->req, bcfg->names[i], i,
		                trace_check_done, &w) != 0) {
			fprintf(stderr, "caa-probe: no memory\n");
			error = true;
			break;
		}
		if (w.chk == NULL) {
			event_base_dispatch(base);
		}
		if (w.chk == NULL) {
			fprintf(stderr, "caa-probe: %s: no verdict\n",
			        bcfg->names[i]);
			error = true;
			break;
		}
		rc = w.chk->name_status == CAA_OK
		             ? trace_run(tcfg, &w.chk->cands, &t, err,
		                         sizeof(err))
		             : 0;
		if (rc == -EIO) {
			fprintf(stderr, "caa-probe: cannot trace %s: %s\n",
			        w.chk->name, err);
		} else if (rc != 0) {
			fprintf(stderr, "caa-probe: cannot trace %s (%s)\n",
			        w.chk->name, strerror(-rc));
		}
		error = rc != 0;
		any_denied |= w.chk->result.verdict == CAA_DENIED;
		any_failed |= w.chk->result.verdict == CAA_LOOKUP_FAILED;
		any_invalid |= w.chk->result.verdict == CAA_INVALID;
		if (i > 0 && ro->format == REPORT_TEXT) {
			putc('\n', bcfg->out);
		} else if (ro->format == REPORT_JSON) {
			fputs(i > 0 ? ",\n" : "\n", bcfg->out);
		}
		trace_write_report(bcfg->out, ro, w.chk, &t);
		if (ro->format == REPORT_JSONL) {
			putc('\n', bcfg->out);
		}
		fflush(bcfg->out);
		trace_clear(&t);
		check_free(w.chk);
	}
	if (ro->format == REPORT_JSON) {
		fputs(bcfg->nnames > 0 ? "\n]\n" : "]\n", bcfg->out);
	}
	if (fflush(bcfg->out) != 0 || ferror(bcfg->out)) {
		fprintf(stderr, "caa-probe: writing the report failed (%s)\n",
		        strerror(errno));
		error = true;
	}
	if (error || any_failed) {
		return 2;
	}
	if (any_invalid) {
		return 3;
	}
	return any_denied ? 1 : 0;
}
