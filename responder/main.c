/*
 * responder/main.c -- caa-responder: options, zones, sockets, event loop;
 * the only place that exits.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "cidr.h"
#include "dnssec.h"
#include "control.h"
#include "fault.h"
#include "history.h"
#include "http01.h"
#include "log.h"
#include "net.h"
#include "options.h"
#include "query.h"
#include "rebuild.h"
#include "tlsalpn.h"
#include "zone.h"

#define MAIN_PROG "caa-responder"

struct main_state {
	struct options opt;
	struct query_env env;
	struct rebuild *rebuild;  /* owns the set env.zones points to */
	struct fault_set *faults; /* what env.faults points to; owned */
	struct event_base *base;
	struct net *net;
	struct event *sig[3]; /* SIGHUP, SIGTERM, SIGINT */
	struct control *control; /* -c: the management API, or NULL */
	struct history *history; /* what GET /queries reads, with -c */
	struct tlsalpn *tlsalpn; /* --tlsalpn01: the TLS-ALPN-01 server */
	struct http01 *http01;   /* --http01: the HTTP-01 server, or NULL */
	/* --view: one entry a distinct CIDR (env.views), with its files */
	struct query_view *views;
	struct rebuild_view *rviews;
	const char **view_files; /* every view's, grouped by view */
	bool views_taken;        /* the rebuild owns their zone sets */
};

/*
 * A reload's zones are built (in the rebuild thread, from every zone file
 * and the API's record edits): now the rules files, last, as they cannot
 * roll back.  On any error the old zones and rules keep serving.  Returns
 * 0, or -1 with ERR saying why.
 */
static int
main_reload_rules(void *arg, const struct zone_set *zs, char *err,
                  size_t errlen)
{
	struct main_state *st = arg;

	if (fault_set_reload(st->faults, err, errlen) != 0) {
		return -1;
	}
	log_info("reloaded: %zu zones, %zu records, %zu fault rules",
	         zone_set_zone_count(zs), zone_set_record_count(zs),
	         fault_set_count(st->faults));
	return 0;
}

static void
main_reload_done(void *arg, int rc, const char *err, size_t removed)
{
	(void)arg;
	(void)removed;
	if (rc != 0) {
		log_err("%s (not reloaded, the old data still serves)", err);
	}
}

/*
 * SIGHUP: the files are read and built beside the event loop; the query
 * log's file is opened again at once (logrotate moved it).
 */
static void
main_reload(evutil_socket_t sig, short what, void *arg)
{
	struct main_state *st = arg;
	char err[512];

	(void)sig;
	(void)what;
	if (rebuild_reload(st->rebuild, main_reload_done, st) != 0) {
		log_err("not reloaded (out of memory)");
	}
	if (log_query_file() == NULL) {
		return;
	}
	if (log_query_reopen(err, sizeof(err)) != 0) {
		log_err("query log not reopened (%s); the old file is still "
		        "written",
		        err);
	} else {
		log_info("query log %s reopened", log_query_file());
	}
}

static void
main_stop(evutil_socket_t sig, short what, void *arg)
{
	struct main_state *st = arg;

	(void)what;
	log_info("signal %d: stopping", (int)sig);
	if (event_base_loopbreak(st->base) != 0) {
		log_err("event loop not stopped");
	}
}

/* The signal events; 0 or -1 with the reason logged. */
static int
main_signals(struct main_state *st)
{
	static const int sigs[3] = {SIGHUP, SIGTERM, SIGINT};
	struct sigaction sa;

	/* A peer that resets a TCP connection must not kill the server. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	if (sigemptyset(&sa.sa_mask) != 0 ||
	    sigaction(SIGPIPE, &sa, NULL) != 0) {
		log_err("SIGPIPE not ignored (%s)", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < 3; i++) {
		st->sig[i] = evsignal_new(
		        st->base, sigs[i],
		        sigs[i] == SIGHUP ? main_reload : main_stop, st);
		if (st->sig[i] == NULL || evsignal_add(st->sig[i], NULL) != 0) {
			log_err("signal %d not watched", sigs[i]);
			return -1;
		}
	}
	return 0;
}

/*
 * The fault rules: -f first, then -P profiles, then -F files (whose rules
 * come after all others, see fault.h).  Returns 0, or the exit status with
 * the reason logged: 64 for a bad -f or -P, 1 for a bad file.
 */
static int
main_faults(struct main_state *st)
{
	const struct options *o = &st->opt;
	struct timespec ts;
	uint64_t seed = o->seed;
	char err[1024];

	st->faults = fault_set_new();
	if (st->faults == NULL) {
		log_err("out of memory");
		return 1;
	}
	if (!o->has_seed) {
		if (clock_gettime(CLOCK_REALTIME, &ts) != 0) {
			ts.tv_sec = 0;
			ts.tv_nsec = 0;
		}
		seed = (uint64_t)ts.tv_sec * 1000000000U +
		       (uint64_t)ts.tv_nsec + (uint64_t)getpid();
	}
	fault_set_seed(st->faults, seed);
	for (size_t i = 0; i < o->nfaults; i++) {
		if (fault_set_add_text(st->faults, o->faults[i],
		                       FAULT_ORIGIN_RULE, NULL, err,
		                       sizeof(err)) != 0) {
			log_err("bad value '%s' for -f/--fault (%s)",
			        o->faults[i], err);
			return OPTIONS_EX_USAGE;
		}
	}
	for (size_t i = 0; i < o->nprofiles; i++) {
		if (fault_set_add_profile(st->faults, o->profiles[i], err,
		                          sizeof(err)) != 0) {
			log_err("bad value '%s' for -P/--profile (%s)",
			        o->profiles[i], err);
			return OPTIONS_EX_USAGE;
		}
	}
	for (size_t i = 0; i < o->nfault_files; i++) {
		if (fault_set_load_file(st->faults, o->fault_files[i], err,
		                        sizeof(err)) != 0) {
			log_err("%s", err);
			return 1;
		}
	}
	if (fault_set_count(st->faults) > 0) {
		log_info("%zu fault rules (seed %llu)",
		         fault_set_count(st->faults), (unsigned long long)seed);
	}
	return 0;
}

/*
 * -c: the history GET /queries reads, then the API itself.  Returns 0, or
 * 1 with the reason logged.
 */
static int
main_control(struct main_state *st)
{
	struct control_config cfg = {0};
	char err[1024];

	st->history = history_new(HISTORY_CAP_DEFAULT);
	if (st->history == NULL) {
		log_err("out of memory");
		return 1;
	}
	history_attach(st->history);
	cfg.addr = st->opt.control_addr;
	cfg.naddr = st->opt.ncontrol;
	cfg.token = st->opt.control_token;
	cfg.rebuild = st->rebuild;
	cfg.env = &st->env;
	cfg.faults = st->faults;
	cfg.history = st->history;
	cfg.net = st->net;
	cfg.tlsalpn = st->tlsalpn;
	cfg.http01 = st->http01;
	st->control = control_new(st->base, &cfg, err, sizeof(err));
	if (st->control == NULL) {
		log_err("%s", err);
		return 1;
	}
	return 0;
}

/* --http01: the HTTP-01 server.  Returns 0, or 1 with the reason logged. */
static int
main_http01(struct main_state *st)
{
	char err[1024];

	st->http01 = http01_new();
	if (st->http01 == NULL) {
		log_err("out of memory");
		return 1;
	}
	if (http01_listen(st->http01, st->base, st->opt.http01_addr,
	                  st->opt.nhttp01, err, sizeof(err)) != 0) {
		log_err("%s", err);
		return 1;
	}
	if (st->opt.control == NULL) {
		log_warn("--http01 without -c/--control: no token can be "
		         "added, every request gets 404");
	}
	return 0;
}

/*
 * --view: one view a distinct CIDR, most specific first, its files in
 * the order given; each view's zones loaded as the common ones are.
 * Returns 0, or 1 with the reason logged.
 */
static int
main_views(struct main_state *st)
{
	const struct options *o = &st->opt;
	size_t nv = 0, nf = 0;
	char err[1024];

	if (o->nviews == 0) {
		return 0;
	}
	st->views = calloc(o->nviews, sizeof(*st->views));
	st->rviews = calloc(o->nviews, sizeof(*st->rviews));
	st->view_files = calloc(o->nviews, sizeof(*st->view_files));
	if (st->views == NULL || st->rviews == NULL ||
	    st->view_files == NULL) {
		log_err("out of memory");
		return 1;
	}
	for (size_t i = 0; i < o->nviews; i++) {
		bool seen = false;

		for (size_t k = 0; k < nv && !seen; k++) {
			seen = cidr_equal(&st->views[k].prefix,
			                  &o->views[i].prefix);
		}
		if (!seen) {
			st->views[nv].prefix = o->views[i].prefix;
			cidr_format(&o->views[i].prefix, st->views[nv].text,
			            sizeof(st->views[nv].text));
			nv++;
		}
	}
	query_views_sort(st->views, nv);
	for (size_t i = 0; i < nv; i++) {
		struct rebuild_view *rv = &st->rviews[i];
		struct zone_set *zs = NULL;

		rv->files = st->view_files + nf;
		for (size_t k = 0; k < o->nviews; k++) {
			if (cidr_equal(&o->views[k].prefix,
			               &st->views[i].prefix)) {
				st->view_files[nf++] = o->views[k].file;
				rv->nfiles++;
			}
		}
		zs = zone_set_load(rv->files, rv->nfiles, err, sizeof(err));
		if (zs == NULL) {
			log_err("%s", err);
			return 1;
		}
		log_info("view %s: %zu zones loaded (%zu records)",
		         st->views[i].text, zone_set_zone_count(zs),
		         zone_set_record_count(zs));
		st->views[i].zones = zs;
		rv->zones = zs;
		rv->slot = &st->views[i].zones;
		st->env.nviews = i + 1; /* what main_free_views() frees */
	}
	st->env.views = st->views;
	return 0;
}

/*
 * --trust-anchor-out: the anchors of the common zones ZS and of the
 * views' (a zone only a view holds needs one too).  Returns 0, or
 * non-zero with ERR.
 */
static int
main_trust_anchors(const struct main_state *st, const struct zone_set *zs,
                   char *err, size_t errlen)
{
	const struct zone_set **sets;
	int rc;

	if (st->opt.trust_anchor_out == NULL) {
		return 0;
	}
	sets = calloc(1 + st->env.nviews, sizeof(*sets));
	if (sets == NULL) {
		(void)snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	sets[0] = zs;
	for (size_t i = 0; i < st->env.nviews; i++) {
		sets[1 + i] = st->views[i].zones;
	}
	rc = dnssec_write_trust_anchors(sets, 1 + st->env.nviews,
	                                st->opt.trust_anchor_out, err, errlen);
	free((void *)sets);
	return rc;
}

/* Load the zones, bind, say ready and serve until a signal stops us. */
static int
main_serve(struct main_state *st)
{
	struct net_config cfg = {0};
	struct rebuild_config rcfg = {0};
	struct net_stats stats;
	struct zone_set *zs;
	char err[1024];
	char ready[4096];
	sigset_t hup;
	size_t n;
	int rc;

	/* A SIGHUP while the zones load (signing a large zone takes minutes)
	 * would end the process by default: it waits, blocked, until the
	 * reload it asks for can be done, and the threads started meanwhile
	 * leave it to this one. */
	if (sigemptyset(&hup) != 0 || sigaddset(&hup, SIGHUP) != 0 ||
	    pthread_sigmask(SIG_BLOCK, &hup, NULL) != 0) {
		log_err("SIGHUP not held while loading");
		return 1;
	}
	rc = main_faults(st); /* first: a bad -f is misuse, found at once */
	if (rc != 0) {
		return rc;
	}
	dnssec_configure(&(struct dnssec_config){
	        .on = st->opt.dnssec,
	        .nsec3 = st->opt.nsec3,
	        .key_dir = st->opt.key_dir});
	if (main_views(st) != 0) {
		return 1;
	}
	zs = zone_set_load(st->opt.zones, st->opt.nzones, err, sizeof(err));
	if (zs == NULL) {
		log_err("%s", err);
		return 1;
	}
	if (main_trust_anchors(st, zs, err, sizeof(err)) != 0) {
		zone_set_free(zs);
		log_err("%s", err);
		return 1;
	}
	if (st->opt.nzones == 0 && st->env.nviews > 0) {
		log_warn("no common zone files: clients in no view (--view) "
		         "get REFUSED");
	} else if (st->opt.nzones == 0) {
		log_warn("no zone files: every query gets REFUSED");
	}
	log_info("%zu zones loaded (%zu records)", zone_set_zone_count(zs),
	         zone_set_record_count(zs));
	st->env.zones = zs;
	st->env.faults = st->faults;
	st->env.udp_max = (uint16_t)st->opt.udp_max;
	if (st->opt.defaults.has_a || st->opt.defaults.has_aaaa) {
		st->env.defaults = &st->opt.defaults; /* -c takes them over */
	}

	st->base = event_base_new();
	if (st->base == NULL) {
		zone_set_free(zs);
		log_err("event loop not created");
		return 1;
	}
	rcfg.base = st->base;
	rcfg.files = st->opt.zones;
	rcfg.nfiles = st->opt.nzones;
	rcfg.zones = zs; /* the rebuild's from here on */
	rcfg.env = &st->env;
	rcfg.views = st->rviews;
	rcfg.nviews = st->env.nviews;
	rcfg.reload_hook = main_reload_rules;
	rcfg.hook_arg = st;
	st->views_taken = true; /* freed by rebuild_new() if it fails */
	st->rebuild = rebuild_new(&rcfg, err, sizeof(err));
	if (st->rebuild == NULL) {
		st->env.zones = NULL;
		log_err("%s", err);
		return 1;
	}
	if (main_signals(st) != 0 ||
	    pthread_sigmask(SIG_UNBLOCK, &hup, NULL) != 0) {
		return 1;
	}
	cfg.listen = st->opt.listen;
	cfg.nlisten = st->opt.nlisten;
	cfg.tcp_idle_ms = st->opt.tcp_idle_ms;
	cfg.tcp_max_conns = st->opt.tcp_max_conns;
	cfg.max_delayed = st->opt.max_delayed;
	cfg.max_delayed_octets = st->opt.max_delayed_octets;
	st->net = net_new(st->base, &cfg, &st->env, err, sizeof(err));
	if (st->net == NULL) {
		log_err("%s", err);
		return 1;
	}

	if (st->opt.ntlsalpn > 0) {
		st->tlsalpn = tlsalpn_new(st->base, st->opt.tlsalpn_addr,
		                          st->opt.ntlsalpn, err, sizeof(err));
		if (st->tlsalpn == NULL) {
			log_err("%s", err);
			return 1;
		}
	}
	if (st->opt.nhttp01 > 0 && main_http01(st) != 0) {
		return 1;
	}
	if (st->opt.control != NULL && main_control(st) != 0) {
		return 1;
	}

	n = net_ready_format(st->net, ready, sizeof(ready));
	if (st->control != NULL && n < sizeof(ready)) {
		n += (size_t)snprintf(ready + n, sizeof(ready) - n,
		                      " control=");
		if (n < sizeof(ready)) {
			n += control_address_format(st->control, ready + n,
			                            sizeof(ready) - n);
		}
	}
	if (st->tlsalpn != NULL && n < sizeof(ready)) {
		n += (size_t)snprintf(ready + n, sizeof(ready) - n,
		                      " tlsalpn01=");
		if (n < sizeof(ready)) {
			n += tlsalpn_address_format(st->tlsalpn, ready + n,
			                            sizeof(ready) - n);
		}
	}
	if (st->http01 != NULL && n < sizeof(ready)) {
		n += (size_t)snprintf(ready + n, sizeof(ready) - n, " ");
		if (n < sizeof(ready)) {
			n += http01_ready_format(st->http01, ready + n,
			                         sizeof(ready) - n);
		}
	}
	if (n >= sizeof(ready)) {
		log_err("ready line too long");
		return 1;
	}
	if (printf("%s\n", ready) < 0 || fflush(stdout) != 0) {
		log_warn("ready line not written (%s)", strerror(errno));
	}
	log_info("%s", ready);

	if (event_base_dispatch(st->base) < 0) {
		log_err("event loop failed");
		return 1;
	}
	net_stats_get(st->net, &stats);
	log_info("queries: %llu received, %llu answered (%llu late), "
	         "%llu dropped (%llu malformed); tcp: %llu accepted, "
	         "%llu refused, %llu timed out; %llu send errors",
	         (unsigned long long)stats.received,
	         (unsigned long long)stats.answered,
	         (unsigned long long)stats.delayed,
	         (unsigned long long)stats.dropped,
	         (unsigned long long)stats.malformed,
	         (unsigned long long)stats.tcp_accepted,
	         (unsigned long long)stats.tcp_refused,
	         (unsigned long long)stats.tcp_timeouts,
	         (unsigned long long)stats.send_errors);
	return 0;
}

/*
 * The management API changes what the server answers: without a token it
 * listens on loopback only.  Returns why O is refused, or NULL.
 */
static const char *
main_control_misuse(const struct options *o)
{
	if (o->control_token != NULL && o->control == NULL) {
		return "--control-token needs -c/--control";
	}
	for (size_t i = 0; o->control_token == NULL && i < o->ncontrol; i++) {
		if (!control_addr_is_loopback(
		            (const struct sockaddr *)&o->control_addr[i].addr)) {
			return "-c/--control on a non-loopback address needs "
			       "--control-token (anyone who reaches it could "
			       "change the answers)";
		}
	}
	return NULL;
}

static void
main_clear(struct main_state *st)
{
	/* First: it answers the API requests still waiting for a build. */
	rebuild_free(st->rebuild);
	control_free(st->control);
	tlsalpn_free(st->tlsalpn); /* after the control, which borrows it */
	http01_free(st->http01); /* after the control, which borrows it */
	history_attach(NULL);
	history_free(st->history);
	net_free(st->net);
	for (size_t i = 0; i < 3; i++) {
		if (st->sig[i] != NULL) {
			event_free(st->sig[i]);
		}
	}
	if (st->base != NULL) {
		event_base_free(st->base);
	}
	fault_set_free(st->faults);
	for (size_t i = 0; !st->views_taken && i < st->env.nviews; i++) {
		zone_set_free(st->rviews[i].zones);
	}
	free(st->views);
	free(st->rviews);
	free((void *)st->view_files);
	log_query_close();
	options_clear(&st->opt);
	dnssec_shutdown();
	libevent_global_shutdown();
}

int
main(int argc, char **argv)
{
	struct main_state st;
	const char *unsafe;
	char err[512];
	int status = 0;

	memset(&st, 0, sizeof(st));
	switch (options_parse(&st.opt, argc, argv, err, sizeof(err))) {
	case OPTIONS_RUN:
		break;
	case OPTIONS_HELP:
		options_usage(stdout, MAIN_PROG);
		status = fflush(stdout) == 0 ? 0 : 1;
		goto out;
	case OPTIONS_VERSION:
		(void)printf("%s %s\n", MAIN_PROG, CAALAB_VERSION);
		status = fflush(stdout) == 0 ? 0 : 1;
		goto out;
	case OPTIONS_USAGE_ERROR:
		(void)fprintf(stderr,
		              "%s: %s\nTry '%s --help' for more information.\n",
		              MAIN_PROG, err, MAIN_PROG);
		status = OPTIONS_EX_USAGE;
		goto out;
	case OPTIONS_NOMEM:
	case OPTIONS_FAILED:
	default:
		(void)fprintf(stderr, "%s: %s\n", MAIN_PROG, err);
		status = 1;
		goto out;
	}
	unsafe = main_control_misuse(&st.opt);
	if (unsafe != NULL) {
		(void)fprintf(stderr, "%s: %s\n", MAIN_PROG, unsafe);
		status = OPTIONS_EX_USAGE;
		goto out;
	}
	if (st.opt.control_narrowed) {
		(void)fprintf(stderr,
		              "%s: control: '%s' binds loopback only; set a "
		              "token to listen on every address\n",
		              MAIN_PROG, st.opt.control);
	}
	if (st.opt.list_profiles) {
		fault_profile_list(stdout);
		status = fflush(stdout) == 0 ? 0 : 1;
		goto out;
	}
	log_set_level(log_level_from_verbosity(st.opt.verbosity));
	if (st.opt.query_log != NULL &&
	    log_query_open(st.opt.query_log, err, sizeof(err)) != 0) {
		log_err("query log not opened (%s)", err);
		status = 1;
		goto out;
	}
	status = main_serve(&st);
out:
	main_clear(&st);
	return status;
}
