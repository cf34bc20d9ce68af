/*
 * probe/main.c -- caa-probe: may a CA issue for a name?  (command line)
 *
 * argv -> options -> server -> one event loop of lookups (batch.c) ->
 * reports on stdout, diagnostics on stderr.  The only place that exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <event2/event.h>

#include "batch.h"
#include "caa.h"
#include "lookup.h"
#include "mpic.h"
#include "options.h"
#include "report.h"
#include "trace.h"

#define MAIN_FD_MAX 65536 /* descriptors wanted for lookups in flight */

/* Each lookup in flight holds a socket: take what the hard limit allows. */
static void
main_raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= MAIN_FD_MAX) {
		return;
	}
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > MAIN_FD_MAX
	                      ? MAIN_FD_MAX
	                      : rl.rlim_max;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
}

static bool
main_color(void)
{
	const char *term = getenv("TERM");

	return isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL &&
	       (term == NULL || strcmp(term, "dumb") != 0);
}

/* The issuer names joined by ",", for the report.  NULL without memory. */
static char *
main_join(char *const *v, size_t n)
{
	size_t len = 1;
	size_t off = 0;
	char *s;

	for (size_t i = 0; i < n; i++) {
		len += strlen(v[i]) + 1;
	}
	s = malloc(len);
	if (s == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(v[i]);

		if (i > 0) {
			s[off++] = ',';
		}
		memcpy(s + off, v[i], l);
		off += l;
	}
	s[off] = '\0';
	return s;
}

static int
main_run(const struct probe_opts *o)
{
	struct lookup_config lcfg;
	struct caa_request req;
	struct report_opts ropts;
	struct batch_config bcfg;
	struct event_base *base = NULL;
	struct mpic *mpic = NULL;
	int input = -1;
	char *ca = NULL;
	char err[320];
	int rc = 2;

	memset(&lcfg, 0, sizeof(lcfg));
	if (options_server(o, OPTIONS_RESOLV_CONF, &lcfg.server,
	                   &lcfg.server_len, err, sizeof(err)) != 0) {
		fprintf(stderr, "caa-probe: bad value for -s/--server: %s\n",
		        err);
		return OPTIONS_EXIT_USAGE;
	}
	lcfg.timeout_ms = o->timeout_ms;
	lcfg.tries = o->tries;
	options_resolver_config(&o->resolver, o->server, &lcfg);
	if (o->file != NULL) {
		input = strcmp(o->file, "-") == 0
		                ? STDIN_FILENO
		                : open(o->file, O_RDONLY | O_CLOEXEC);
		if (input < 0) {
			fprintf(stderr,
			        "caa-probe: bad value '%s' for -f/--file "
			        "(%s)\n",
			        o->file, strerror(errno));
			return OPTIONS_EXIT_USAGE;
		}
	}
	ca = main_join(o->cas, o->ncas);
	base = event_base_new();
	if (ca == NULL || base == NULL) {
		fprintf(stderr, "caa-probe: cannot start (no memory)\n");
		goto out;
	}
	mpic = mpic_new(base, &lcfg, &o->persp, err, sizeof(err));
	if (mpic == NULL) {
		fprintf(stderr, "caa-probe: cannot start the resolver: %s\n",
		        err);
		rc = OPTIONS_EXIT_USAGE;
		goto out;
	}
	memset(&req, 0, sizeof(req));
	req.issuers = (const char *const *)o->cas;
	req.nissuers = o->ncas;
	req.account_uri = o->account_uri;
	req.method = o->method;
	req.known_tags = o->known_tags;
	req.nknown_tags = o->nknown_tags;
	req.policy = o->policy;

	memset(&ropts, 0, sizeof(ropts));
	ropts.format = o->format;
	ropts.color = o->format == REPORT_TEXT && main_color();
	ropts.ca = ca;
	ropts.policy = o->policy;

	memset(&bcfg, 0, sizeof(bcfg));
	bcfg.mpic = mpic;
	bcfg.req = &req;
	bcfg.report = &ropts;
	bcfg.jobs = o->jobs;
	bcfg.names = o->names;
	bcfg.nnames = o->nnames;
	bcfg.input_fd = input;
	bcfg.input_name = o->file;
	bcfg.out = stdout;
	bcfg.progress = !o->quiet && isatty(STDERR_FILENO) &&
	                (o->file != NULL || o->nnames > 1);
	bcfg.summary = !o->quiet && (o->file != NULL || o->nnames > 1);
	if (o->trace) {
		struct trace_config tcfg = {&lcfg, o->port > 0 ? o->port
		                                               : OPTIONS_PORT};

		rc = trace_probe(base, &bcfg, &tcfg);
	} else {
		rc = batch_run(base, &bcfg);
	}
out:
	mpic_free(mpic);
	if (base != NULL) {
		event_base_free(base);
	}
	if (input >= 0 && input != STDIN_FILENO) {
		close(input);
	}
	free(ca);
	return rc;
}

int
main(int argc, char **argv)
{
	struct probe_opts o;
	int rc;

	options_init(&o);
	rc = options_parse(argc, argv, &o, stderr);
	if (rc != 0) {
		options_clear(&o);
		return rc;
	}
	if (o.help) {
		options_usage(stdout);
		options_clear(&o);
		return 0;
	}
	if (o.version) {
		printf("caa-probe %s\n", CAALAB_VERSION);
		options_clear(&o);
		return 0;
	}
	(void)signal(SIGPIPE, SIG_IGN);
	main_raise_fd_limit();
	rc = main_run(&o);
	options_clear(&o);
	if (rc > BATCH_EXIT_SIGNAL) {
		/* Stopped by a signal, the input restored: end of it, as the
		 * shell expects of a program it interrupted. */
		(void)signal(rc - BATCH_EXIT_SIGNAL, SIG_DFL);
		(void)raise(rc - BATCH_EXIT_SIGNAL);
	}
	return rc;
}
