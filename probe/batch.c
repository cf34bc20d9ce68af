/*
 * probe/batch.c -- many names on one event loop, reported in input order.
 */
#include "batch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <event2/event.h>

#include "check.h"

#define BATCH_WINDOW_PER_JOB 4
#define BATCH_PROGRESS_US    200000 /* between progress lines */

struct batch_slot {
	char *text; /* the rendered report; NULL until done */
	size_t len;
	bool done;
};

struct batch {
	const struct batch_config *cfg;
	struct event_base *base;
	bool ordered;             /* text and json: input order */
	size_t window;            /* slots */
	struct batch_slot *slots; /* report of name I in slot I % window */
	size_t next_in;           /* index of the next name to start */
	size_t next_out;          /* index of the next report to print */
	size_t inflight;
	size_t names_used;
	size_t done_count;
	size_t printed;
	bool input_done;
	bool filling;
	bool any_denied;
	bool any_failed;
	bool any_invalid;
	bool error;
	char *line;
	size_t linecap;
	struct event *progress;
	struct event *flush; /* jsonl: one fflush() a loop pass, not a line */
	bool flush_pending;
};

static void batch_fill(struct batch *b);

/* Trims LINE in place; NULL for a blank or comment line. */
static char *
batch_trim(char *line)
{
	char *end;
	char *hash;

	while (*line == ' ' || *line == '\t') {
		line++;
	}
	for (hash = line; (hash = strchr(hash, '#')) != NULL; hash++) {
		if (hash == line || hash[-1] == ' ' || hash[-1] == '\t') {
			*hash = '\0';
			break;
		}
	}
	end = line + strlen(line);
	while (end > line && (end[-1] == '\n' || end[-1] == '\r' ||
	                      end[-1] == ' ' || end[-1] == '\t')) {
		*--end = '\0';
	}
	return line[0] != '\0' ? line : NULL;
}

/* The next name, or NULL at the end of the input. */
static const char *
batch_next_name(struct batch *b)
{
	const struct batch_config *cfg = b->cfg;

	if (b->names_used < cfg->nnames) {
		return cfg->names[b->names_used++];
	}
	while (cfg->input != NULL && !b->input_done) {
		ssize_t n = getline(&b->line, &b->linecap, cfg->input);
		char *name;

		if (n < 0) {
			if (ferror(cfg->input)) {
				fprintf(stderr,
				        "caa-probe: %s: read error (%s)\n",
				        cfg->input_name, strerror(errno));
				b->error = true;
			}
			b->input_done = true;
			break;
		}
		name = batch_trim(b->line);
		if (name != NULL) {
			return name;
		}
	}
	return NULL;
}

/* Writes one report of text or json, framed for the format (jsonl reports
 * go out through batch_print_line() instead). */
static void
batch_print(struct batch *b, const char *text, size_t len)
{
	FILE *out = b->cfg->out;

	switch (b->cfg->report->format) {
	case REPORT_TEXT:
		if (b->printed > 0) {
			putc('\n', out);
		}
		break;
	case REPORT_JSON:
		fputs(b->printed > 0 ? ",\n" : "\n", out);
		break;
	case REPORT_JSONL: /* not buffered: batch_print_line() */
		break;
	}
	fwrite(text, 1, len, out);
	b->printed++;
}

static void
batch_flush_out(evutil_socket_t fd, short what, void *arg)
{
	struct batch *b = arg;

	(void)fd;
	(void)what;
	b->flush_pending = false;
	fflush(b->cfg->out);
}

/*
 * jsonl: the report of CHK, written as it completes.  Readers see it once
 * the reports completed in this pass of the loop are written: one write
 * for a batch of replies instead of one a name.
 */
static void
batch_print_line(struct batch *b, const struct check *chk)
{
	FILE *out = b->cfg->out;

	report_check(out, b->cfg->report, chk);
	putc('\n', out);
	b->printed++;
	if (b->flush == NULL) {
		fflush(out);
	} else if (!b->flush_pending) {
		b->flush_pending = true;
		event_active(b->flush, EV_TIMEOUT, 0);
	}
}

/* Prints the finished reports that are next in input order. */
static void
batch_flush(struct batch *b)
{
	for (;;) {
		struct batch_slot *s = &b->slots[b->next_out % b->window];

		if (b->next_out >= b->next_in || !s->done) {
			break;
		}
		if (s->text != NULL) {
			batch_print(b, s->text, s->len);
		}
		free(s->text);
		memset(s, 0, sizeof(*s));
		b->next_out++;
	}
}

static void
batch_progress_clear(struct batch *b)
{
	if (b->progress != NULL) {
		event_free(b->progress);
		b->progress = NULL;
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
}

/* Is everything started done, and nothing left to start? */
static void
batch_maybe_end(struct batch *b)
{
	if (b->inflight == 0 && b->names_used >= b->cfg->nnames &&
	    (b->cfg->input == NULL || b->input_done)) {
		batch_progress_clear(b);
	}
}

static void
batch_done(void *arg, struct check *chk)
{
	struct batch *b = arg;
	char *text = NULL;
	size_t len = 0;
	FILE *mem;

	if (chk->result.verdict == CAA_DENIED) {
		b->any_denied = true;
	} else if (chk->result.verdict == CAA_LOOKUP_FAILED) {
		b->any_failed = true;
	} else if (chk->result.verdict == CAA_INVALID) {
		b->any_invalid = true;
	}
	b->inflight--;
	b->done_count++;
	if (!b->ordered) {
		batch_print_line(b, chk);
		check_free(chk);
		batch_fill(b);
		batch_maybe_end(b);
		return;
	}
	mem = open_memstream(&text, &len);
	if (mem != NULL) {
		report_check(mem, b->cfg->report, chk);
		if (fclose(mem) != 0) {
			free(text);
			text = NULL;
		}
	}
	if (text == NULL) {
		fprintf(stderr, "caa-probe: %s: no memory for the report\n",
		        chk->input);
		b->error = true;
	}
	{
		struct batch_slot *s = &b->slots[chk->index % b->window];

		s->text = text;
		s->len = len;
		s->done = true;
		batch_flush(b);
	}
	check_free(chk);
	batch_fill(b);
	batch_maybe_end(b);
}

static void
batch_fill(struct batch *b)
{
	if (b->filling) {
		return; /* a check that ended at once, inside this loop */
	}
	b->filling = true;
	while (b->inflight < b->cfg->jobs &&
	       (!b->ordered || b->next_in - b->next_out < b->window)) {
		const char *name = batch_next_name(b);
		size_t index;

		if (name == NULL) {
			break;
		}
		index = b->next_in++;
		b->inflight++;
		if (check_start(b->cfg->client, b->cfg->req, name, index,
		                batch_done, b) != 0) {
			fprintf(stderr, "caa-probe: %s: no memory\n", name);
			b->error = true;
			b->inflight--;
			if (b->ordered) {
				b->slots[index % b->window].done = true;
				batch_flush(b);
			}
		}
	}
	b->filling = false;
}

static void
batch_progress_show(evutil_socket_t fd, short what, void *arg)
{
	struct batch *b = arg;

	(void)fd;
	(void)what;
	fprintf(stderr, "\rcaa-probe: %zu done, %zu in flight\033[K",
	        b->done_count, b->inflight);
	fflush(stderr);
}

int
batch_run(struct event_base *base, const struct batch_config *cfg)
{
	struct batch b;
	enum report_format fmt = cfg->report->format;

	memset(&b, 0, sizeof(b));
	b.cfg = cfg;
	b.base = base;
	b.ordered = fmt != REPORT_JSONL;
	b.window = cfg->jobs * BATCH_WINDOW_PER_JOB;
	if (b.ordered) {
		b.slots = calloc(b.window, sizeof(*b.slots));
		if (b.slots == NULL) {
			fprintf(stderr, "caa-probe: no memory\n");
			return 2;
		}
	}
	if (cfg->progress) {
		struct timeval tv = {0, BATCH_PROGRESS_US};

		b.progress = event_new(base, -1, EV_PERSIST,
		                       batch_progress_show, &b);
		if (b.progress != NULL) {
			event_add(b.progress, &tv);
		}
	}
	if (fmt == REPORT_JSONL) {
		b.flush = event_new(base, -1, 0, batch_flush_out, &b);
	}
	if (fmt == REPORT_JSON) {
		fputs("[", cfg->out);
	}
	batch_fill(&b);
	batch_maybe_end(&b);
	if (b.inflight > 0) {
		event_base_dispatch(base);
	}
	batch_progress_clear(&b);
	if (b.flush != NULL) {
		event_free(b.flush);
	}
	if (fmt == REPORT_JSON) {
		fputs(b.printed > 0 ? "\n]\n" : "]\n", cfg->out);
	}
	if (fflush(cfg->out) != 0 || ferror(cfg->out)) {
		fprintf(stderr, "caa-probe: writing the report failed (%s)\n",
		        strerror(errno));
		b.error = true;
	}
	for (size_t i = 0; b.slots != NULL && i < b.window; i++) {
		free(b.slots[i].text);
	}
	free(b.slots);
	free(b.line);
	if (b.error || b.any_failed) {
		return 2;
	}
	if (b.any_invalid) {
		return 3;
	}
	return b.any_denied ? 1 : 0;
}
