/*
 * responder/rebuild.c -- new zone data built beside the event loop: the
 * requests in order, the build thread, the swap.
 *
 * The event loop's thread owns the queue of requests, the serving set and
 * the API's edits.  It hands the thread one job at a time (a reload, or a
 * batch of changes with a copy of the edits) and gets it back through a
 * pipe; the thread only reads the serving set, which cannot go while the
 * job runs.  Sets that stopped serving go to the thread to be freed, after
 * the swap: a query may run between events only, so no query holds them.
 */
#include "rebuild.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h> /* malloc_trim() */
#endif

#include <event2/event.h>
#include <event2/util.h>

#include "query.h"
#include "zone.h"

#define RB_NICE 5 /* the thread yields to the event loop on a busy machine */
#define RB_TRIM_RECORDS (64 * 1024) /* freeing that many gives memory back */

/* One request, waiting in the loop thread's queue or part of the job. */
struct rb_req {
	struct rb_req *next;
	struct zone_edits *ch; /* NULL: a reload */
	bool alone;            /* built by itself: its batch failed */
	rebuild_done_fn done;
	void *arg;
};

/*
 * One zone set: the common one (index 0) or a view's.  The thread reads
 * ZONES while a job runs; the loop thread changes it only between jobs.
 */
struct rb_set {
	const char *const *files;
	size_t nfiles;
	struct zone_set *zones;       /* serving */
	struct zone_edits *edits;     /* the API's difference from the files */
	const struct zone_set **slot; /* where queries read ZONES */
};

/* What the thread is given and gives back: one entry a set. */
struct rb_job {
	bool reload;
	const struct zone_edits **ch;    /* the changes, in order */
	size_t n;
	struct zone_edits **edits; /* copies of the API's edits, updated */
	struct zone_set **zs;      /* out: the new sets, or NULL: unchanged */
	size_t *removed; /* out: per set and change, N a set, common first */
	int rc;
	char err[1024];
};

struct rebuild {
	struct rebuild_config cfg;
	struct rb_set *sets; /* the common set, then the views */
	size_t nsets;
	struct rb_req *head, *tail; /* waiting */
	struct rb_req **running;  /* in the job */
	size_t nrunning;
	bool busy;
	struct rb_job job;

	pthread_t thread;
	bool started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool job_ready, job_done, stop; /* under MU */
	struct zone_set **doomed;       /* to free, under MU */
	size_t ndoomed, capdoomed;
	int pipe[2];
	struct event *ev;
};

static void
rb_run(struct rebuild *rb)
{
	struct rb_job *j = &rb->job;

	j->err[0] = '\0';
	j->rc = 0;
	for (size_t i = 0; i < rb->nsets && j->rc == 0; i++) {
		const struct rb_set *set = &rb->sets[i];

		if (j->reload) {
			j->zs[i] = zone_set_load_edits(set->files, set->nfiles,
			                               j->edits[i], j->err,
			                               sizeof(j->err));
			j->rc = j->zs[i] != NULL ? 0 : -EINVAL;
			continue;
		}
		j->rc = zone_set_change(set->zones, j->ch, j->n,
		                        j->removed + i * j->n, j->edits[i],
		                        &j->zs[i], j->err, sizeof(j->err));
		if (j->rc != 0 && j->rc != -ENOMEM) {
			j->rc = -EINVAL;
		}
	}
}

static void *
rb_thread(void *arg)
{
	struct rebuild *rb = arg;
	const char byte = 0;
	ssize_t w;

#ifdef SYS_gettid
	/* Linux: a thread's nice value is its own. */
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), RB_NICE);
#endif
	pthread_mutex_lock(&rb->mu);
	for (;;) {
		if (rb->job_ready) {
			rb->job_ready = false;
			pthread_mutex_unlock(&rb->mu);
			rb_run(rb);
			pthread_mutex_lock(&rb->mu);
			rb->job_done = true;
			/* Fails only when full, and then a wakeup is there. */
			w = write(rb->pipe[1], &byte, 1);
			(void)w;
		} else if (rb->ndoomed > 0) {
			struct zone_set *zs = rb->doomed[--rb->ndoomed];
			size_t n = zone_set_own_records(zs);

			pthread_mutex_unlock(&rb->mu);
			zone_set_free(zs);
#ifdef __GLIBC__
			if (n >= RB_TRIM_RECORDS) {
				(void)malloc_trim(0);
			}
#endif
			pthread_mutex_lock(&rb->mu);
		} else if (rb->stop) {
			break;
		} else {
			pthread_cond_wait(&rb->cv, &rb->mu);
		}
	}
	pthread_mutex_unlock(&rb->mu);
	return NULL;
}

/* Hand ZS (no longer serving, or never to serve) to the thread to free. */
static void
rb_doom(struct rebuild *rb, struct zone_set *zs)
{
	if (zs == NULL) {
		return;
	}
	pthread_mutex_lock(&rb->mu);
	if (rb->ndoomed == rb->capdoomed) {
		size_t nc = rb->capdoomed ? rb->capdoomed * 2 : 4;
		struct zone_set **nd = realloc(rb->doomed, nc * sizeof(*nd));

		if (nd == NULL) {
			pthread_mutex_unlock(&rb->mu);
			zone_set_free(zs); /* here, then: slow but right */
			return;
		}
		rb->doomed = nd;
		rb->capdoomed = nc;
	}
	rb->doomed[rb->ndoomed++] = zs;
	pthread_cond_signal(&rb->cv);
	pthread_mutex_unlock(&rb->mu);
}

/*
 * Serve ZS for the set I from now on.  No query runs between events: the
 * swaps of one job are atomic together.
 */
static void
rb_swap(struct rebuild *rb, size_t i, struct zone_set *zs)
{
	struct zone_set *old = rb->sets[i].zones;

	rb->sets[i].zones = zs;
	*rb->sets[i].slot = zs;
	rb_doom(rb, old);
}

/* Free the job's per-set arrays; the sets too unless KEEP_SETS. */
static void
rb_job_clear(struct rebuild *rb, bool free_sets)
{
	struct rb_job *j = &rb->job;

	for (size_t i = 0; i < rb->nsets; i++) {
		if (j->edits != NULL) {
			zone_edits_free(j->edits[i]);
		}
		if (free_sets && j->zs != NULL) {
			rb_doom(rb, j->zs[i]);
		}
	}
	free(j->edits);
	free(j->zs);
	free(j->ch);
	free(j->removed);
	j->edits = NULL;
	j->zs = NULL;
	j->ch = NULL;
	j->removed = NULL;
}

static void
rb_req_free(struct rb_req *q)
{
	zone_edits_free(q->ch);
	free(q);
}

static void
rb_enqueue_front(struct rebuild *rb, struct rb_req **v, size_t n)
{
	for (size_t i = n; i-- > 0;) {
		v[i]->next = rb->head;
		rb->head = v[i];
		if (rb->tail == NULL) {
			rb->tail = v[i];
		}
	}
}

/*
 * Take the next requests that go together: consecutive reloads, or
 * consecutive changes (one alone if it must be).  Returns how many.
 */
static size_t
rb_take(struct rebuild *rb)
{
	struct rb_req *q = rb->head;
	bool reload = q->ch == NULL;
	size_t n = 1;

	if (reload || !q->alone) {
		for (q = q->next; q != NULL && (q->ch == NULL) == reload &&
		                  !q->alone;
		     q = q->next) {
			n++;
		}
	}
	rb->running = calloc(n, sizeof(*rb->running));
	if (rb->running == NULL) {
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		rb->running[i] = rb->head;
		rb->head = rb->head->next;
	}
	if (rb->head == NULL) {
		rb->tail = NULL;
	}
	rb->nrunning = n;
	return n;
}

/* Start the next job if none runs. */
static void
rb_kick(struct rebuild *rb)
{
	struct rb_job *j = &rb->job;
	size_t n;

	if (rb->busy || rb->head == NULL) {
		return;
	}
	n = rb_take(rb);
	if (n == 0) {
		return; /* out of memory: the next request tries again */
	}
	memset(j, 0, sizeof(*j));
	j->reload = rb->running[0]->ch == NULL;
	j->n = j->reload ? 0 : n;
	j->edits = calloc(rb->nsets, sizeof(*j->edits));
	j->zs = calloc(rb->nsets, sizeof(*j->zs));
	j->ch = calloc(n, sizeof(*j->ch));
	j->removed = calloc(n * rb->nsets, sizeof(*j->removed));
	for (size_t i = 0; j->edits != NULL && i < rb->nsets; i++) {
		j->edits[i] = zone_edits_copy(rb->sets[i].edits);
		if (j->edits[i] == NULL) {
			rb_job_clear(rb, false);
			break;
		}
	}
	if (j->edits == NULL || j->zs == NULL || j->ch == NULL ||
	    j->removed == NULL) {
		rb_job_clear(rb, false);
		for (size_t i = 0; i < n; i++) {
			struct rb_req *q = rb->running[i];

			q->done(q->arg, -ENOMEM, "out of memory", 0);
			rb_req_free(q);
		}
		free(rb->running);
		rb->running = NULL;
		return;
	}
	for (size_t i = 0; i < j->n; i++) {
		j->ch[i] = rb->running[i]->ch;
	}
	rb->busy = true;
	pthread_mutex_lock(&rb->mu);
	rb->job_ready = true;
	pthread_cond_signal(&rb->cv);
	pthread_mutex_unlock(&rb->mu);
}

/*
 * What change I removed: the most any set removed, so that a record that
 * only a view holds counts (the same record in several sets counts once).
 */
static size_t
rb_removed(const struct rebuild *rb, size_t i)
{
	const struct rb_job *j = &rb->job;
	size_t most = 0;

	for (size_t s = 0; s < rb->nsets; s++) {
		if (j->removed[s * j->n + i] > most) {
			most = j->removed[s * j->n + i];
		}
	}
	return most;
}

/* The job came back: swap, answer, go on. */
static void
rb_finish(struct rebuild *rb)
{
	struct rb_job *j = &rb->job;
	struct rb_req **run = rb->running;
	size_t n = rb->nrunning;

	if (j->rc == 0 && j->reload && rb->cfg.reload_hook != NULL &&
	    rb->cfg.reload_hook(rb->cfg.hook_arg, j->zs[0], j->err,
	                        sizeof(j->err)) != 0) {
		j->rc = -EINVAL;
	}
	if (j->rc == 0) {
		for (size_t i = 0; i < rb->nsets; i++) {
			if (j->zs[i] != NULL) {
				rb_swap(rb, i, j->zs[i]);
				j->zs[i] = NULL;
			}
			zone_edits_free(rb->sets[i].edits);
			rb->sets[i].edits = j->edits[i];
			j->edits[i] = NULL;
		}
	}
	rb->running = NULL;
	rb->nrunning = 0;
	rb->busy = false;
	if (j->rc != 0 && !j->reload && n > 1) {
		/* One of them may be the cause: each again on its own. */
		for (size_t i = 0; i < n; i++) {
			run[i]->alone = true;
		}
		rb_enqueue_front(rb, run, n);
		n = 0;
	}
	for (size_t i = 0; i < n; i++) {
		run[i]->done(run[i]->arg, j->rc, j->err,
		             j->reload ? 0 : rb_removed(rb, i));
		rb_req_free(run[i]);
	}
	free(run);
	rb_job_clear(rb, true);
	rb_kick(rb);
}

static void
rb_readable(evutil_socket_t fd, short what, void *arg)
{
	struct rebuild *rb = arg;
	char buf[64];
	bool done;

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0) {
	}
	pthread_mutex_lock(&rb->mu);
	done = rb->job_done;
	rb->job_done = false;
	pthread_mutex_unlock(&rb->mu);
	if (done) {
		rb_finish(rb);
	}
}

static int
rb_push(struct rebuild *rb, struct zone_edits *ch, rebuild_done_fn done,
        void *arg)
{
	struct rb_req *q = calloc(1, sizeof(*q));

	if (q == NULL) {
		zone_edits_free(ch);
		return -ENOMEM;
	}
	q->ch = ch;
	q->done = done;
	q->arg = arg;
	if (rb->tail != NULL) {
		rb->tail->next = q;
	} else {
		rb->head = q;
	}
	rb->tail = q;
	rb_kick(rb);
	return 0;
}

int
rebuild_reload(struct rebuild *rb, rebuild_done_fn done, void *arg)
{
	return rb_push(rb, NULL, done, arg);
}

int
rebuild_change(struct rebuild *rb, struct zone_edits *ch, rebuild_done_fn done,
               void *arg)
{
	if (ch == NULL) {
		return -ENOMEM;
	}
	return rb_push(rb, ch, done, arg);
}

const struct zone_set *
rebuild_zones(const struct rebuild *rb)
{
	return rb->sets[0].zones;
}

const struct zone_edits *
rebuild_edits(const struct rebuild *rb)
{
	return rb->sets[0].edits;
}

/* The sets of CFG, taken; false when out of memory (then freed). */
static bool
rb_sets_init(struct rebuild *rb, const struct rebuild_config *cfg)
{
	bool ok = true;

	rb->sets = calloc(1 + cfg->nviews, sizeof(*rb->sets));
	if (rb->sets == NULL) {
		zone_set_free(cfg->zones);
		for (size_t i = 0; i < cfg->nviews; i++) {
			zone_set_free(cfg->views[i].zones);
		}
		return false;
	}
	rb->nsets = 1 + cfg->nviews;
	rb->sets[0].files = cfg->files;
	rb->sets[0].nfiles = cfg->nfiles;
	rb->sets[0].zones = cfg->zones;
	rb->sets[0].slot = &cfg->env->zones;
	for (size_t i = 0; i < cfg->nviews; i++) {
		rb->sets[1 + i].files = cfg->views[i].files;
		rb->sets[1 + i].nfiles = cfg->views[i].nfiles;
		rb->sets[1 + i].zones = cfg->views[i].zones;
		rb->sets[1 + i].slot = cfg->views[i].slot;
	}
	for (size_t i = 0; i < rb->nsets; i++) {
		rb->sets[i].edits = zone_edits_new();
		ok = ok && rb->sets[i].edits != NULL;
	}
	return ok;
}

struct rebuild *
rebuild_new(const struct rebuild_config *cfg, char *err, size_t errlen)
{
	struct rebuild *rb = calloc(1, sizeof(*rb));
	sigset_t all, old;
	int rc;

	if (rb == NULL) {
		zone_set_free(cfg->zones);
		for (size_t i = 0; i < cfg->nviews; i++) {
			zone_set_free(cfg->views[i].zones);
		}
		(void)snprintf(err, errlen, "out of memory");
		return NULL;
	}
	rb->cfg = *cfg;
	rb->cfg.views = NULL; /* copied into SETS */
	rb->pipe[0] = rb->pipe[1] = -1;
	if (!rb_sets_init(rb, cfg)) {
		(void)snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (pthread_mutex_init(&rb->mu, NULL) != 0 ||
	    pthread_cond_init(&rb->cv, NULL) != 0) {
		(void)snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (pipe(rb->pipe) != 0 ||
	    evutil_make_socket_nonblocking(rb->pipe[0]) != 0 ||
	    evutil_make_socket_nonblocking(rb->pipe[1]) != 0 ||
	    evutil_make_socket_closeonexec(rb->pipe[0]) != 0 ||
	    evutil_make_socket_closeonexec(rb->pipe[1]) != 0) {
		(void)snprintf(err, errlen, "rebuild pipe: %s",
		               strerror(errno));
		goto fail;
	}
	rb->ev = event_new(cfg->base, rb->pipe[0], EV_READ | EV_PERSIST,
	                   rb_readable, rb);
	if (rb->ev == NULL || event_add(rb->ev, NULL) != 0) {
		(void)snprintf(err, errlen, "rebuild: event not added");
		goto fail;
	}
	/* Signals stay with the event loop's thread. */
	(void)sigfillset(&all);
	(void)pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&rb->thread, NULL, rb_thread, rb);
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		(void)snprintf(err, errlen, "rebuild thread: %s", strerror(rc));
		goto fail;
	}
	rb->started = true;
	return rb;
fail:
	rebuild_free(rb);
	return NULL;
}

void
rebuild_free(struct rebuild *rb)
{
	struct rb_req *q, *next;

	if (rb == NULL) {
		return;
	}
	if (rb->started) {
		pthread_mutex_lock(&rb->mu);
		rb->stop = true;
		pthread_cond_signal(&rb->cv);
		pthread_mutex_unlock(&rb->mu);
		(void)pthread_join(rb->thread, NULL);
		pthread_mutex_destroy(&rb->mu);
		pthread_cond_destroy(&rb->cv);
	}
	if (rb->busy) {
		/* The thread ran the job to its end before it stopped. */
		for (size_t i = 0; i < rb->nsets; i++) {
			zone_set_free(rb->job.zs[i]);
			zone_edits_free(rb->job.edits[i]);
		}
		free(rb->job.zs);
		free(rb->job.edits);
		free(rb->job.ch);
		free(rb->job.removed);
		rb_enqueue_front(rb, rb->running, rb->nrunning);
		free(rb->running);
	}
	for (q = rb->head; q != NULL; q = next) {
		next = q->next;
		q->done(q->arg, -ECANCELED, "the server is stopping", 0);
		rb_req_free(q);
	}
	for (size_t i = 0; i < rb->ndoomed; i++) {
		zone_set_free(rb->doomed[i]);
	}
	free(rb->doomed);
	if (rb->ev != NULL) {
		event_free(rb->ev);
	}
	for (size_t i = 0; i < 2; i++) {
		if (rb->pipe[i] >= 0) {
			(void)close(rb->pipe[i]);
		}
	}
	for (size_t i = 0; i < rb->nsets; i++) {
		zone_set_free(rb->sets[i].zones);
		zone_edits_free(rb->sets[i].edits);
	}
	free(rb->sets);
	free(rb);
}
