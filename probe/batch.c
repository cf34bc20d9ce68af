/*
 * probe/batch.c -- many names on one event loop, reported in input order.
 */
#include "batch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "check.h"
#include "mpic.h"
#include "summary.h"

#define BATCH_WINDOW_PER_JOB 4
#define BATCH_PROGRESS_US    200000 /* between progress lines: 5 a second */
#define BATCH_PROGRESS_LEN   96

#define BATCH_STR(x)  #x
#define BATCH_XSTR(x) BATCH_STR(x)
/* The reason of an over-long input line (BATCH_LINE_MAX is a number). */
#define BATCH_LONG_REASON \
	"input line longer than " BATCH_XSTR(OPTIONS_LINE_MAX) " bytes"

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
	struct event *progress;
	bool progress_shown; /* a line to erase */
	bool out_tty;        /* reports go to a terminal too */
	struct timespec started;
	struct summary sum;
	bool summing;
	struct event *flush; /* one fflush() a loop pass, not a report */
	bool flush_pending;
	/* The input: a buffer of at most one line, read without blocking. */
	int fd;                 /* -1: none */
	int fd_flags;           /* to restore at the end; -1: untouched */
	struct event *stop[2];  /* SIGINT, SIGTERM while FD_FLAGS is owed */
	int signo;              /* the signal that ended the loop; 0: none */
	struct event *readable; /* NULL: read directly (a regular file) */
	bool watching;          /* READABLE is added */
	bool eof;
	bool skipping; /* the rest of an over-long line, unread */
	size_t len;    /* bytes in BUF */
	size_t used;   /* of them, the line handed out last */
	char buf[BATCH_LINE_MAX + 1];
	char shown[96]; /* an over-long line, shortened for its report */
};

enum batch_next {
	BATCH_NAME, /* a name to check */
	BATCH_LONG, /* an input line over BATCH_LINE_MAX: invalid */
	BATCH_WAIT, /* no whole line yet: wait until the input is readable */
	BATCH_END,
};

static void batch_fill(struct batch *b);
static void batch_input_restore(struct batch *b);

/* Trims LINE in place; NULL for a blank or comment line.  *COMMENT says
 * whether a comment was cut off. */
static char *
batch_trim(char *line, bool *comment)
{
	char *end;
	char *hash;

	*comment = false;
	while (*line == ' ' || *line == '\t') {
		line++;
	}
	for (hash = line; (hash = strchr(hash, '#')) != NULL; hash++) {
		if (hash == line || hash[-1] == ' ' || hash[-1] == '\t') {
			*hash = '\0';
			*comment = true;
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

/* Reads what the input has into the buffer.  Returns BATCH_NAME when
 * bytes came (or the end), BATCH_WAIT when none are there yet, BATCH_END
 * after a read error (reported). */
static enum batch_next
batch_read(struct batch *b)
{
	for (;;) {
		ssize_t n =
		        read(b->fd, b->buf + b->len, sizeof(b->buf) - b->len);

		if (n > 0) {
			b->len += (size_t)n;
			return BATCH_NAME;
		}
		if (n == 0) {
			b->eof = true;
			return BATCH_NAME;
		}
		if (errno == EINTR) {
			continue;
		}
		if (errno == EAGAIN) { /* EWOULDBLOCK on Linux */
			return BATCH_WAIT;
		}
		fprintf(stderr, "caa-probe: %s: read error (%s)\n",
		        b->cfg->input_name, strerror(errno));
		b->error = true;
		return BATCH_END;
	}
}

/*
 * The next name into *NAME (valid until the next call): from the command
 * line, then from the input.  BATCH_LONG gives a shortened rendering of a
 * line over BATCH_LINE_MAX bytes (a name or a comment cut off inside it
 * is read as usual); BATCH_WAIT means no whole line is there yet.
 */
static enum batch_next
batch_next_name(struct batch *b, const char **name)
{
	const struct batch_config *cfg = b->cfg;

	if (b->names_used < cfg->nnames) {
		*name = cfg->names[b->names_used++];
		return BATCH_NAME;
	}
	while (b->fd >= 0 && !b->input_done) {
		char *nl;
		char *line;
		bool comment;
		enum batch_next r;

		/* Drop the line handed out last. */
		memmove(b->buf, b->buf + b->used, b->len - b->used);
		b->len -= b->used;
		b->used = 0;
		nl = memchr(b->buf, '\n', b->len);
		if (b->skipping) {
			b->used =
			        nl != NULL ? (size_t)(nl - b->buf) + 1 : b->len;
			b->skipping = nl == NULL;
		} else if (nl != NULL ||
		           (b->eof && b->len > 0 && b->len <= BATCH_LINE_MAX)) {
			size_t n = nl != NULL ? (size_t)(nl - b->buf) : b->len;

			b->buf[n] = '\0';
			b->used = nl != NULL ? n + 1 : n;
			line = batch_trim(b->buf, &comment);
			if (line != NULL) {
				*name = line;
				return BATCH_NAME;
			}
			continue;
		} else if (b->len == sizeof(b->buf)) {
			/* No newline in BATCH_LINE_MAX + 1 bytes. */
			b->buf[BATCH_LINE_MAX] = '\0';
			b->used = b->len;
			b->skipping = true;
			line = batch_trim(b->buf, &comment);
			if (line == NULL) {
				continue; /* a long comment */
			}
			*name = line;
			if (comment) {
				return BATCH_NAME;
			}
			(void)snprintf(b->shown, sizeof(b->shown), "%.64s...",
			               line);
			*name = b->shown;
			return BATCH_LONG;
		}
		if (b->used > 0) {
			continue;
		}
		if (b->eof) {
			b->input_done = true;
			break;
		}
		r = batch_read(b);
		if (r == BATCH_WAIT) {
			return BATCH_WAIT;
		}
		if (r == BATCH_END) {
			b->input_done = true;
		}
	}
	return BATCH_END;
}

/* Erases the progress line before a report goes to the same terminal
 * (the next tick draws it again below the report). */
static void
batch_progress_hide(struct batch *b)
{
	if (b->progress_shown && b->out_tty) {
		b->progress_shown = false;
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
}

/* Writes one report of text or json, framed for the format (jsonl reports
 * go out through batch_print_line() instead). */
static void
batch_print(struct batch *b, const char *text, size_t len)
{
	FILE *out = b->cfg->out;

	batch_progress_hide(b);
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
	case REPORT_BRIEF: /* a line each */
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

/* Readers see what was written once this pass of the loop is over: one
 * write for a batch of replies instead of one a report. */
static void
batch_flush_soon(struct batch *b)
{
	if (b->flush == NULL) {
		fflush(b->cfg->out);
	} else if (!b->flush_pending) {
		b->flush_pending = true;
		event_active(b->flush, EV_TIMEOUT, 0);
	}
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

	batch_progress_hide(b);
	report_check(out, b->cfg->report, chk);
	putc('\n', out);
	b->printed++;
	batch_flush_soon(b);
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
			batch_flush_soon(b);
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
	}
	if (b->progress_shown) {
		b->progress_shown = false;
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
}

/* Is everything started done, and nothing left to start?  Then the loop
 * ends, once the signals caught for the input are let go, whatever else
 * waits on it (libunbound may still be asking for a lookup that gave
 * up). */
static void
batch_maybe_end(struct batch *b)
{
	if (b->inflight == 0 && b->names_used >= b->cfg->nnames &&
	    (b->fd < 0 || b->input_done)) {
		batch_progress_clear(b);
		batch_input_restore(b);
		(void)event_base_loopexit(b->base, NULL);
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
	if (b->summing) {
		summary_add(&b->sum, chk->result.verdict, chk->result.reason);
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

/* Watches the input for more lines while WANT, else leaves it unread (so a
 * writer waits while every job is busy). */
static void
batch_watch(struct batch *b, bool want)
{
	if (b->readable == NULL || want == b->watching) {
		return;
	}
	if (want && event_add(b->readable, NULL) != 0) {
		fprintf(stderr, "caa-probe: %s: cannot wait for input\n",
		        b->cfg->input_name);
		b->error = true;
		b->input_done = true;
		return;
	}
	if (!want) {
		event_del(b->readable);
	}
	b->watching = want;
}

static void
batch_fill(struct batch *b)
{
	bool wait = false;

	if (b->filling) {
		return; /* a check that ended at once, inside this loop */
	}
	b->filling = true;
	while (b->inflight < b->cfg->jobs &&
	       (!b->ordered || b->next_in - b->next_out < b->window)) {
		const char *name = NULL;
		enum batch_next next = batch_next_name(b, &name);
		size_t index;
		int rc;

		if (next == BATCH_WAIT) {
			wait = true;
		}
		if (next == BATCH_WAIT || next == BATCH_END) {
			break;
		}
		index = b->next_in++;
		b->inflight++;
		if (next == BATCH_LONG) {
			rc = mpic_reject(b->cfg->mpic, name,
			                 BATCH_LONG_REASON, index, batch_done,
			                 b);
		} else {
			rc = mpic_start(b->cfg->mpic, b->cfg->req, name,
			                index, batch_done, b);
		}
		if (rc != 0) {
			fprintf(stderr, "caa-probe: %s: no memory\n", name);
			b->error = true;
			b->inflight--;
			if (b->ordered) {
				b->slots[index % b->window].done = true;
				batch_flush(b);
			}
		}
	}
	batch_watch(b, wait);
	b->filling = false;
}

/* The input can be read: lines for the free jobs. */
static void
batch_readable(evutil_socket_t fd, short what, void *arg)
{
	struct batch *b = arg;

	(void)fd;
	(void)what;
	batch_fill(b);
	batch_maybe_end(b);
}

/* SIGINT or SIGTERM while the input is non-blocking: out of the loop, so
 * that the input is restored before the signal ends the program (a
 * terminal left non-blocking breaks the shell that reads it next). */
static void
batch_stop(evutil_socket_t sig, short what, void *arg)
{
	struct batch *b = arg;

	(void)what;
	b->signo = (int)sig;
	event_base_loopbreak(b->base);
}

/* Catches SIGINT and SIGTERM (unless ignored, as in a background job of
 * a script) until batch_input_restore().  Returns -1 after a message. */
static int
batch_stop_watch(struct batch *b)
{
	static const int sigs[] = {SIGINT, SIGTERM};

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction sa;

		if (sigaction(sigs[i], NULL, &sa) == 0 &&
		    sa.sa_handler == SIG_IGN) {
			continue;
		}
		b->stop[i] = evsignal_new(b->base, sigs[i], batch_stop, b);
		if (b->stop[i] == NULL || evsignal_add(b->stop[i], NULL) != 0) {
			fprintf(stderr, "caa-probe: cannot catch signal %d\n",
			        sigs[i]);
			return -1;
		}
	}
	return 0;
}

/*
 * Prepares CFG->input_fd: a regular file is read as it is (it never
 * blocks, and epoll cannot watch it); anything else (a pipe, a terminal,
 * a socket) is made non-blocking and read when readable, its flags
 * restored by batch_input_close(), also on SIGINT and SIGTERM.  Returns
 * -1 after a message.
 */
static int
batch_input_open(struct batch *b)
{
	struct stat st;
	int flags;

	b->fd = b->cfg->input_fd;
	b->fd_flags = -1;
	if (b->fd < 0 || (fstat(b->fd, &st) == 0 && S_ISREG(st.st_mode))) {
		return 0;
	}
	flags = fcntl(b->fd, F_GETFL);
	if (flags < 0 || ((flags & O_NONBLOCK) == 0 &&
	                  fcntl(b->fd, F_SETFL, flags | O_NONBLOCK) != 0)) {
		fprintf(stderr, "caa-probe: %s: cannot read (%s)\n",
		        b->cfg->input_name, strerror(errno));
		return -1;
	}
	if ((flags & O_NONBLOCK) == 0) {
		b->fd_flags = flags;
		if (batch_stop_watch(b) != 0) {
			return -1;
		}
	}
	b->readable = event_new(b->base, b->fd, EV_READ | EV_PERSIST,
	                        batch_readable, b);
	if (b->readable == NULL) {
		fprintf(stderr, "caa-probe: no memory\n");
		return -1;
	}
	if (event_add(b->readable, NULL) != 0) {
		/* Not pollable (a device such as /dev/null): it does not
		 * block either. */
		event_free(b->readable);
		b->readable = NULL;
		return 0;
	}
	event_del(b->readable);
	return 0;
}

/* Leaves the input's flags as they were found, then SIGINT and SIGTERM
 * as they were. */
static void
batch_input_restore(struct batch *b)
{
	if (b->fd_flags >= 0) {
		(void)fcntl(b->fd, F_SETFL, b->fd_flags);
		b->fd_flags = -1;
	}
	for (size_t i = 0; i < sizeof(b->stop) / sizeof(b->stop[0]); i++) {
		if (b->stop[i] != NULL) {
			event_free(b->stop[i]);
			b->stop[i] = NULL;
		}
	}
}

static void
batch_input_close(struct batch *b)
{
	if (b->readable != NULL) {
		event_free(b->readable);
		b->readable = NULL;
	}
	batch_input_restore(b);
}

static void
batch_slots_free(struct batch *b)
{
	for (size_t i = 0; b->slots != NULL && i < b->window; i++) {
		free(b->slots[i].text);
	}
	free(b->slots);
	b->slots = NULL;
}

/* The progress line, from the timer only (a few writes a second, none a
 * name), once more than one name is under way. */
static void
batch_progress_show(evutil_socket_t fd, short what, void *arg)
{
	struct batch *b = arg;
	char line[BATCH_PROGRESS_LEN];
	struct timespec now;
	size_t total = 0;
	double secs;

	(void)fd;
	(void)what;
	if (b->next_in < 2) {
		return;
	}
	if (b->cfg->input_fd < 0 || b->input_done) {
		total = b->next_in; /* every name started */
	}
	(void)clock_gettime(CLOCK_MONOTONIC, &now);
	secs = (double)(now.tv_sec - b->started.tv_sec) +
	       (double)(now.tv_nsec - b->started.tv_nsec) / 1e9;
	summary_progress(line, sizeof(line), b->done_count, total, secs);
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
	b->progress_shown = true;
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
	if (cfg->summary) {
		b.summing = summary_init(&b.sum, SUMMARY_REASONS_MAX) == 0;
		if (!b.summing) {
			summary_clear(&b.sum);
			fprintf(stderr,
			        "caa-probe: no memory for the summary\n");
		}
	}
	(void)clock_gettime(CLOCK_MONOTONIC, &b.started);
	if (cfg->progress) {
		struct timeval tv = {0, BATCH_PROGRESS_US};

		b.out_tty = isatty(fileno(cfg->out)) != 0;
		b.progress = event_new(base, -1, EV_PERSIST,
		                       batch_progress_show, &b);
		if (b.progress != NULL) {
			event_add(b.progress, &tv);
		}
	}
	b.flush = event_new(base, -1, 0, batch_flush_out, &b);
	if (batch_input_open(&b) != 0) {
		b.error = true;
		b.input_done = true;
	}
	if (fmt == REPORT_JSON) {
		fputs("[", cfg->out);
	}
	batch_fill(&b);
	batch_maybe_end(&b);
	if (b.inflight > 0 || b.watching) {
		event_base_dispatch(base);
	}
	batch_input_close(&b);
	batch_progress_clear(&b);
	if (b.flush != NULL) {
		event_free(b.flush);
	}
	if (b.signo != 0) {
		/* Stopped: nothing more is written, as if the signal had
		 * struck at once; the caller raises it again. */
		batch_slots_free(&b);
		summary_clear(&b.sum);
		return BATCH_EXIT_SIGNAL + b.signo;
	}
	if (fmt == REPORT_JSON) {
		fputs(b.printed > 0 ? "\n]\n" : "]\n", cfg->out);
	}
	if (fflush(cfg->out) != 0 || ferror(cfg->out)) {
		fprintf(stderr, "caa-probe: writing the report failed (%s)\n",
		        strerror(errno));
		b.error = true;
	}
	batch_slots_free(&b);
	if (b.summing) {
		/* After the reports: on a shared terminal it comes last. */
		summary_print(stderr, &b.sum,
		              fmt == REPORT_JSON || fmt == REPORT_JSONL);
		fflush(stderr);
		summary_clear(&b.sum);
	}
	if (b.error || b.any_failed) {
		return 2;
	}
	if (b.any_invalid) {
		return 3;
	}
	return b.any_denied ? 1 : 0;
}
