/*
 * gate/decide.c -- one CAA decision, as caa-probe makes it, and its words.
 */
#include "decide.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acme.h"
#include "acme_obj.h"
#include "check.h"
#include "lookup.h"
#include "mpic.h"
#include "options.h"
#include "report.h"

struct decide {
	struct mpic *mpic; /* the primary and the perspectives */
	const struct gate_config *cfg;
	FILE *log;
	bool ending; /* inside decide_free(): no verdict, no log line */
};

/* One decision on its way: the request check_start() borrows. */
struct decide_call {
	struct decide *d;
	struct caa_request req;
	char *account, *method; /* owned; NULL: none */
	const char *step;       /* static */
	char name[DECIDE_NAME_MAX];
	bool wildcard;
	decide_fn done;
	void *arg;
};

struct decide *
decide_new(struct event_base *base, const struct gate_config *cfg, FILE *log,
           char *err, size_t errlen)
{
	struct lookup_config lcfg;
	struct decide *d;

	memset(&lcfg, 0, sizeof(lcfg));
	/* -s as config_parse() read it: not resolved a second time. */
	lcfg.server = cfg->server_addr;
	lcfg.server_len = cfg->server_len;
	lcfg.timeout_ms = cfg->timeout_ms;
	lcfg.tries = cfg->tries;
	options_resolver_config(&cfg->resolver, cfg->server, &lcfg);
	d = calloc(1, sizeof(*d));
	if (d == NULL) {
		(void)snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->mpic = mpic_new(base, &lcfg, &cfg->persp, err, errlen);
	if (d->mpic == NULL) {
		free(d);
		return NULL;
	}
	d->cfg = cfg;
	d->log = log;
	return d;
}

void
decide_free(struct decide *d)
{
	if (d != NULL) {
		d->ending = true;
		mpic_end(d->mpic);
		mpic_free(d->mpic);
		free(d);
	}
}

const char *
decide_type(enum caa_verdict v)
{
	switch (v) {
	case CAA_LOOKUP_FAILED:
		return ACME_ERR_DNS;
	case CAA_INVALID:
		return ACME_ERR_REJECTED_IDENTIFIER;
	default:
		return ACME_ERR_CAA;
	}
}

int
decide_status(enum caa_verdict v)
{
	return v == CAA_DENIED || v == CAA_ALLOWED ? 403 : 400;
}

void
decide_detail(const struct decide_outcome *o, char *buf, size_t size)
{
	/* A failed quorum (probe/mpic.h) is in Boulder's words already:
	 * "During secondary validation: While processing CAA for ...". */
	if (o->verdict == CAA_INVALID ||
	    strncmp(o->reason, PERSP_SECONDARY, strlen(PERSP_SECONDARY)) ==
	            0) {
		(void)snprintf(buf, size, "%s", o->reason);
	} else {
		(void)snprintf(buf, size, "While processing CAA for %s: %s",
		               o->name, o->reason);
	}
}

char *
decide_problem(const struct decide_outcome *o)
{
	char detail[DECIDE_NAME_MAX + CAA_REASON_LEN + 64];

	decide_detail(o, detail, sizeof(detail));
	return acme_problem_build(decide_type(o->verdict), detail,
	                          decide_status(o->verdict));
}

/* The -q line of CHK (one JSON object, flushed). */
static void
decide_log(struct decide_call *c, const struct check *chk)
{
	FILE *f = c->d->log;
	struct timespec ts;
	struct tm tm;
	char when[32];

	if (f == NULL) {
		return;
	}
	(void)clock_gettime(CLOCK_REALTIME, &ts);
	(void)gmtime_r(&ts.tv_sec, &tm);
	(void)strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(f, "{\"ts\":\"%s.%03ldZ\",\"step\":\"%s\",\"name\":", when,
	        ts.tv_nsec / 1000000, c->step);
	report_json_string(f, c->name, strlen(c->name));
	fprintf(f, ",\"wildcard\":%s,\"account\":",
	        c->wildcard ? "true" : "false");
	if (c->account == NULL) {
		fputs("null", f);
	} else {
		report_json_string(f, c->account, strlen(c->account));
	}
	fputs(",\"method\":", f);
	if (c->method == NULL) {
		fputs("null", f);
	} else {
		report_json_string(f, c->method, strlen(c->method));
	}
	fprintf(f, ",\"verdict\":\"%s\",\"reason\":",
	        caa_verdict_name(chk->result.verdict));
	report_json_string(f, chk->result.reason, strlen(chk->result.reason));
	fputs(",\"lookups\":", f);
	report_json_lookups(f, chk);
	report_json_perspectives(f, chk);
	fputs("}\n", f);
	(void)fflush(f);
}

static void
decide_call_free(struct decide_call *c)
{
	free(c->account);
	free(c->method);
	free(c);
}

static void
decide_done(void *arg, struct check *chk)
{
	struct decide_call *c = arg;
	struct decide_outcome o;

	if (c->d->ending) {
		c->done(c->arg, NULL);
		check_free(chk);
		decide_call_free(c);
		return;
	}
	decide_log(c, chk);
	o.name = c->name;
	o.verdict = chk->result.verdict;
	o.reason = chk->result.reason;
	c->done(c->arg, &o);
	check_free(chk);
	decide_call_free(c);
}

int
decide_start(struct decide *d, const char *step, const char *value,
             bool wildcard, const char *account, const char *method,
             decide_fn done, void *arg)
{
	struct decide_call *c = calloc(1, sizeof(*c));
	int rc;

	if (c == NULL) {
		return -ENOMEM;
	}
	c->d = d;
	c->step = step;
	c->wildcard = wildcard;
	c->done = done;
	c->arg = arg;
	(void)snprintf(c->name, sizeof(c->name), "%s%s", wildcard ? "*." : "",
	               value);
	c->account = account != NULL ? strdup(account) : NULL;
	c->method = method != NULL ? strdup(method) : NULL;
	if ((account != NULL && c->account == NULL) ||
	    (method != NULL && c->method == NULL)) {
		decide_call_free(c);
		return -ENOMEM;
	}
	c->req.issuers = (const char *const *)d->cfg->cas;
	c->req.nissuers = d->cfg->ncas;
	c->req.account_uri = c->account;
	c->req.method = c->method;
	c->req.policy = d->cfg->policy;
	rc = mpic_start(d->mpic, &c->req, c->name, 0, decide_done, c);
	if (rc != 0) {
		decide_call_free(c);
	}
	return rc;
}
