/*
 * gate/main.c -- caa-gate: options -> TLS contexts -> the CAA step (flow,
 * decide, the -q log) -> listener -> relay, until SIGTERM or SIGINT.  The only place that exits.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/http.h>

#include "config.h"
#include "decide.h"
#include "flow.h"
#include "listen.h"
#include "relay.h"
#include "tls.h"

#define GATE_EXIT_FAIL 1 /* could not start */

static void
gate_stop(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	(void)event_base_loopbreak(arg);
}

int
main(int argc, char **argv)
{
	struct gate_config cfg;
	struct event_base *base = NULL;
	struct event *term = NULL, *intr = NULL;
	struct evhttp *http = NULL;
	SSL_CTX *server = NULL;
	struct relay relay = {0};
	struct decide *decide = NULL;
	struct flow *flow = NULL;
	FILE *log = NULL;
	char err[512], name[64];
	int status = GATE_EXIT_FAIL;

	config_init(&cfg);
	status = config_parse(argc, argv, &cfg, stderr);
	if (status != 0) {
		goto out;
	}
	if (cfg.help || cfg.version) {
		if (cfg.help) {
			config_usage(stdout);
		} else {
			printf("caa-gate %s\n", CAALAB_VERSION);
		}
		goto out;
	}
	status = GATE_EXIT_FAIL;
	(void)signal(SIGPIPE, SIG_IGN);
	server = tls_server_new(cfg.cert, cfg.key, err, sizeof(err));
	if (server == NULL) {
		fprintf(stderr, "caa-gate: %s\n", err);
		goto out;
	}
	if (cfg.upstream_tls) {
		relay.tls = tls_client_new(cfg.upstream_ca, err, sizeof(err));
		if (relay.tls == NULL) {
			fprintf(stderr, "caa-gate: --upstream-ca: %s\n", err);
			goto out;
		}
	}
	if (cfg.cert_out != NULL &&
	    tls_cert_write(server, cfg.cert_out, err, sizeof(err)) != 0) {
		fprintf(stderr, "caa-gate: --cert-out: %s\n", err);
		goto out;
	}
	base = event_base_new();
	if (base == NULL) {
		fprintf(stderr, "caa-gate: cannot start the event loop\n");
		goto out;
	}
	relay.base = base;
	relay.cfg = &cfg;
	if (cfg.log != NULL) {
		log = strcmp(cfg.log, "-") == 0 ? stdout : fopen(cfg.log, "a");
		if (log == NULL) {
			fprintf(stderr, "caa-gate: -q/--log %s: cannot open (%s)\n",
			        cfg.log, strerror(errno));
			goto out;
		}
	}
	decide = decide_new(base, &cfg, log, err, sizeof(err));
	if (decide == NULL) {
		fprintf(stderr, "caa-gate: cannot start the CAA lookups: %s\n", err);
		goto out;
	}
	flow = flow_new(&relay, decide, &cfg);
	if (flow == NULL) {
		fprintf(stderr, "caa-gate: out of memory\n");
		goto out;
	}
	relay.on_request = flow_request;
	relay.on_reply = flow_reply;
	relay.hook = flow;
	http = listen_start(base, server, (const struct sockaddr *)&cfg.listen_addr,
	                    cfg.listen_len, relay_handle, &relay, name,
	                    sizeof(name), err, sizeof(err));
	if (http == NULL) {
		fprintf(stderr, "caa-gate: %s: %s\n", cfg.listen, err);
		goto out;
	}
	term = evsignal_new(base, SIGTERM, gate_stop, base);
	intr = evsignal_new(base, SIGINT, gate_stop, base);
	if (term == NULL || intr == NULL || evsignal_add(term, NULL) != 0 ||
	    evsignal_add(intr, NULL) != 0) {
		fprintf(stderr, "caa-gate: cannot watch signals\n");
		goto out;
	}
	printf("ready https=%s upstream=%s\n", name, cfg.upstream);
	(void)fflush(stdout);
	(void)event_base_dispatch(base);
	status = 0;
out:
	if (term != NULL) {
		event_free(term);
	}
	if (intr != NULL) {
		event_free(intr);
	}
	/* What is on its way ends before the clients' connections close:
	 * upstream calls (a nonce's DONE may still answer its client), then
	 * the CAA decisions (no reply), then evhttp. */
	relay_stop(&relay);
	decide_free(decide);
	if (http != NULL) {
		evhttp_free(http);
	}
	flow_free(flow);
	if (log != NULL && log != stdout) {
		(void)fclose(log);
	}
	if (base != NULL) {
		event_base_free(base);
	}
	SSL_CTX_free(relay.tls);
	SSL_CTX_free(server);
	config_clear(&cfg);
	return status;
}
