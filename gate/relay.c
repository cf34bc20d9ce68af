/*
 * gate/relay.c -- one client request to the upstream and its reply back.
 */
#include "relay.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "acme.h"
#include "tls.h"

/* One request on its way: the client's, and the upstream connection. */
struct relay_call {
	struct relay *r;
	struct evhttp_request *in; /* the client's; evhttp owns it; NULL
	                              for the gate's own (a nonce) */
	void (*nonce_done)(void *arg, const char *nonce);
	void *nonce_arg;
	struct evhttp_connection *conn;
	struct bufferevent *bev; /* conn's; conn frees it */
	enum evhttp_cmd_type cmd;
	bool answered;
	bool done; /* relay_done(): its connection is being freed */
	struct relay_call *prev, *next; /* the relay's calls */
	long verify_err; /* the upstream certificate's X509_V_ERR_* */
	char why[256]; /* from the error callback, before the reply one */
};

/*
 * Hop-by-hop headers (RFC 9110 section 7.6.1) and the framing evhttp
 * writes itself: never copied from one connection to the other.
 */
static bool
relay_hop_by_hop(const char *key)
{
	static const char *const hop[] = {
	        "Connection",  "Keep-Alive",        "Proxy-Connection",
	        "TE",          "Trailer",           "Transfer-Encoding",
	        "Upgrade",     "Content-Length",    "Expect",
	};

	for (size_t i = 0; i < sizeof(hop) / sizeof(hop[0]); i++) {
		if (strcasecmp(key, hop[i]) == 0) {
			return true;
		}
	}
	return false;
}

/* Every end-to-end header of FROM into TO, in order, repeats kept. */
static void
relay_copy_headers(struct evkeyvalq *to, const struct evkeyvalq *from)
{
	const struct evkeyval *h;

	for (h = from->tqh_first; h != NULL; h = h->next.tqe_next) {
		if (!relay_hop_by_hop(h->key)) {
			(void)evhttp_add_header(to, h->key, h->value);
		}
	}
}

static const char *
relay_reason(int status)
{
	switch (status) {
	case 400:
		return "Bad Request";
	case 200:
		return "OK";
	case 403:
		return "Forbidden";
	default:
		return "Internal Server Error";
	}
}

void
relay_problem(struct evhttp_request *req, const char *type,
              const char *detail, int status)
{
	struct evbuffer *body = evbuffer_new();
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	char *doc = acme_problem_build(type, detail, status);

	/* Out of memory: the status alone still tells the client. */
	if (body != NULL && doc != NULL) {
		(void)evbuffer_add(body, doc, strlen(doc));
		(void)evhttp_add_header(h, "Content-Type", ACME_PROBLEM_TYPE);
	}
	(void)evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_send_reply(req, status, relay_reason(status), body);
	free(doc);
	evbuffer_free(body);
}

void
relay_answer(struct evhttp_request *req, int status, const char *type,
             const char *body, const char *nonce, const char *link)
{
	struct evbuffer *buf = evbuffer_new();
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	if (buf != NULL) {
		(void)evbuffer_add(buf, body, strlen(body));
	}
	(void)evhttp_add_header(h, "Content-Type", type);
	(void)evhttp_add_header(h, "Cache-Control", "no-store");
	if (nonce != NULL) {
		(void)evhttp_add_header(h, "Replay-Nonce", nonce);
	}
	if (link != NULL) {
		(void)evhttp_add_header(h, "Link", link);
	}
	evhttp_send_reply(req, status, relay_reason(status), buf);
	evbuffer_free(buf);
}

/* The gate's own failure for CALL: a serverInternal problem, once. */
static void
relay_fail(struct relay_call *call, const char *what)
{
	char detail[512];

	if (call->answered) {
		return;
	}
	call->answered = true;
	if (call->in == NULL) {
		call->nonce_done(call->nonce_arg, NULL);
		return;
	}
	call->r->failed++;
	(void)snprintf(detail, sizeof(detail), "caa-gate: upstream %s: %s",
	               call->r->cfg->upstream, what);
	relay_problem(call->in, ACME_ERR_SERVER_INTERNAL, detail, 500);
}

/* A new call on R, on its list until relay_call_free(); NULL: no memory. */
static struct relay_call *
relay_call_new(struct relay *r)
{
	struct relay_call *call = calloc(1, sizeof(*call));

	if (call != NULL) {
		call->r = r;
		call->next = r->calls;
		if (r->calls != NULL) {
			r->calls->prev = call;
		}
		r->calls = call;
	}
	return call;
}

/* CALL off its relay's list, its connection (if any) and itself freed. */
static void
relay_call_free(struct relay_call *call)
{
	if (call->prev != NULL) {
		call->prev->next = call->next;
	} else {
		call->r->calls = call->next;
	}
	if (call->next != NULL) {
		call->next->prev = call->prev;
	}
	if (call->conn != NULL) {
		evhttp_connection_free(call->conn);
	}
	free(call);
}

/* After the loop has left evhttp's callbacks: free the connection. */
static void
relay_free_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	relay_call_free(arg);
}

void
relay_stop(struct relay *r)
{
	while (r->calls != NULL) {
		struct relay_call *call = r->calls;

		/* The gate's own nonce request ends as a failed one; a
		 * client's request gets no reply (evhttp closes it). */
		if (!call->done && !call->answered && call->in == NULL) {
			call->answered = true;
			call->nonce_done(call->nonce_arg, NULL);
		}
		relay_call_free(call);
	}
}

static void
relay_done(struct relay_call *call)
{
	const struct timeval now = {0, 0};

	call->done = true;
	/* evhttp must not free a connection from inside its callbacks. */
	if (event_base_once(call->r->base, -1, EV_TIMEOUT, relay_free_cb, call,
	                    &now) != 0) {
		/* Out of memory: leak the connection rather than crash. */
		return;
	}
}

/*
 * What the TLS layer knows about a failed exchange: the verification
 * result first (an untrusted upstream), then OpenSSL's error.  False when
 * TLS has nothing to say.
 */
static bool
relay_tls_why(struct relay_call *call, char *buf, size_t len)
{
	unsigned long e;
	char reason[200];

	if (call->r->tls == NULL) {
		return false;
	}
	if (call->verify_err != X509_V_OK) {
		(void)snprintf(buf, len,
		               "TLS: certificate verify failed (%s); is "
		               "--upstream-ca right?",
		               X509_verify_cert_error_string(call->verify_err));
		return true;
	}
	/* libevent also queues bare SSL_get_error() codes (library 0, such
	 * as SSL_ERROR_SYSCALL for a refused connect): not TLS's reasons. */
	while ((e = bufferevent_get_openssl_error(call->bev)) != 0) {
		if (ERR_GET_LIB(e) != 0) {
			(void)snprintf(buf, len, "TLS: %s",
			               tls_reason(e, reason, sizeof(reason)));
			return true;
		}
	}
	return false;
}

/* evhttp's error callback: runs before relay_reply() is called. */
static void
relay_error(enum evhttp_request_error kind, void *arg)
{
	struct relay_call *call = arg;
	int e = errno;

	if (relay_tls_why(call, call->why, sizeof(call->why))) {
		return;
	}
	switch (kind) {
	case EVREQ_HTTP_TIMEOUT:
		(void)snprintf(call->why, sizeof(call->why),
		               "no reply within %d s", RELAY_TIMEOUT_S);
		break;
	case EVREQ_HTTP_DATA_TOO_LONG:
		(void)snprintf(call->why, sizeof(call->why),
		               "reply larger than %d bytes", RELAY_BODY_MAX);
		break;
	case EVREQ_HTTP_INVALID_HEADER:
		(void)snprintf(call->why, sizeof(call->why),
		               "the reply is not HTTP");
		break;
	case EVREQ_HTTP_EOF:
	case EVREQ_HTTP_BUFFER_ERROR:
	case EVREQ_HTTP_REQUEST_CANCEL:
	default:
		(void)snprintf(call->why, sizeof(call->why),
		               "connection closed without a reply%s%s%s",
		               e != 0 ? " (" : "", e != 0 ? strerror(e) : "",
		               e != 0 ? ")" : "");
		break;
	}
}

/*
 * The upstream's reply UP, back to the client: status, reason, headers,
 * body; the directory rewritten.
 */
static void
relay_forward(struct relay_call *call, struct evhttp_request *up)
{
	int code = evhttp_request_get_response_code(up);
	const char *line = evhttp_request_get_response_code_line(up);
	struct evkeyvalq *uh = evhttp_request_get_input_headers(up);
	struct evbuffer *body = evhttp_request_get_input_buffer(up);
	const char *type = evhttp_find_header(uh, "Content-Type");
	char *dir = NULL;
	size_t dirlen = 0;

	if (call->cmd == EVHTTP_REQ_GET && code == 200 && type != NULL &&
	    strncasecmp(type, "application/json", 16) == 0 &&
	    evbuffer_get_length(body) > 0) {
		size_t len = evbuffer_get_length(body);
		const unsigned char *bytes = evbuffer_pullup(body, -1);
		const char *const *cas = (const char *const *)call->r->cfg->cas;
		int rc = bytes == NULL
		                 ? -ENOMEM
		                 : acme_directory_rewrite((const char *)bytes,
		                                          len, cas,
		                                          call->r->cfg->ncas,
		                                          &dir, &dirlen);

		if (rc < 0) {
			relay_fail(call, "out of memory reading the directory");
			return;
		}
		if (rc == 1) {
			(void)evbuffer_drain(body, len);
			if (evbuffer_add(body, dir, dirlen) != 0) {
				free(dir);
				relay_fail(call, "out of memory");
				return;
			}
			free(dir);
		}
	}
	if (call->r->on_reply != NULL &&
	    call->r->on_reply(call->r->hook, call->in, up) != 0) {
		relay_fail(call, "out of memory");
		return;
	}
	relay_copy_headers(evhttp_request_get_output_headers(call->in), uh);
	call->answered = true;
	call->r->relayed++;
	evhttp_send_reply(call->in, code, line != NULL ? line : "", body);
}

/* evhttp's reply callback: UP is NULL, or has status 0, on failure. */
static void
relay_reply(struct evhttp_request *up, void *arg)
{
	struct relay_call *call = arg;

	if (call->in == NULL && up != NULL &&
	    evhttp_request_get_response_code(up) != 0) {
		call->answered = true;
		call->nonce_done(call->nonce_arg,
		                 evhttp_find_header(
		                         evhttp_request_get_input_headers(up),
		                         "Replay-Nonce"));
	} else if (up != NULL && evhttp_request_get_response_code(up) != 0) {
		relay_forward(call, up);
	} else if (call->why[0] != '\0') {
		relay_fail(call, call->why);
	} else if (relay_tls_why(call, call->why, sizeof(call->why))) {
		relay_fail(call, call->why);
	} else {
		/* A refused or failed connect: evhttp keeps no errno. */
		relay_fail(call, "cannot connect, or no reply");
	}
	relay_done(call);
}

/* A new connection to the upstream for CALL; 0 or -1 with WHY set. */
static int
relay_connect(struct relay_call *call, const char **why)
{
	struct relay *r = call->r;
	const struct gate_config *cfg = r->cfg;
	SSL *ssl = NULL;

	if (r->tls != NULL) {
		ssl = SSL_new(r->tls);
		if (ssl == NULL || tls_client_expect(ssl, cfg->upstream_host,
		                                     &call->verify_err) != 0) {
			SSL_free(ssl);
			*why = "cannot start TLS";
			return -1;
		}
		call->bev = bufferevent_openssl_socket_new(
		        r->base, -1, ssl, BUFFEREVENT_SSL_CONNECTING,
		        BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
		if (call->bev == NULL) {
			SSL_free(ssl);
		} else {
			bufferevent_openssl_set_allow_dirty_shutdown(call->bev,
			                                             1);
		}
	} else {
		call->bev = bufferevent_socket_new(r->base, -1,
		                                   BEV_OPT_CLOSE_ON_FREE);
	}
	if (call->bev == NULL) {
		*why = "out of memory";
		return -1;
	}
	call->conn = evhttp_connection_base_bufferevent_new(
	        r->base, NULL, call->bev, cfg->upstream_host,
	        (unsigned short)cfg->upstream_port);
	if (call->conn == NULL) {
		bufferevent_free(call->bev);
		call->bev = NULL;
		*why = "out of memory";
		return -1;
	}
	evhttp_connection_set_timeout(call->conn, RELAY_TIMEOUT_S);
	evhttp_connection_set_retries(call->conn, 0);
	evhttp_connection_set_max_body_size(call->conn, RELAY_BODY_MAX);
	evhttp_connection_set_max_headers_size(call->conn, RELAY_HEADERS_MAX);
	return 0;
}

void
relay_handle(struct evhttp_request *req, void *arg)
{
	struct relay *r = arg;
	struct evkeyvalq *ih = evhttp_request_get_input_headers(req);
	const char *target = evhttp_request_get_uri(req);

	/* Pebble builds every URL from Host: without one none would work. */
	if (evhttp_find_header(ih, "Host") == NULL) {
		relay_problem(req, ACME_ERR_SERVER_INTERNAL,
		              "caa-gate: the request has no Host header", 500);
		return;
	}
	if (target == NULL || target[0] != '/') {
		relay_problem(req, ACME_ERR_SERVER_INTERNAL,
		              "caa-gate: the request target is not a path", 500);
		return;
	}
	if (r->on_request != NULL && r->on_request(r->hook, req) == 1) {
		return;
	}
	relay_send(r, req);
}

void
relay_send(struct relay *r, struct evhttp_request *req)
{
	struct evkeyvalq *ih = evhttp_request_get_input_headers(req);
	const char *target = evhttp_request_get_uri(req);
	struct relay_call *call = NULL;
	struct evhttp_request *up = NULL;
	const char *why = NULL;

	call = relay_call_new(r);
	if (call == NULL) {
		relay_problem(req, ACME_ERR_SERVER_INTERNAL,
		              "caa-gate: out of memory", 500);
		return;
	}
	call->in = req;
	call->cmd = evhttp_request_get_command(req);
	if (relay_connect(call, &why) != 0) {
		relay_fail(call, why);
		relay_call_free(call);
		return;
	}
	up = evhttp_request_new(relay_reply, call);
	if (up == NULL) {
		relay_fail(call, "out of memory");
		relay_done(call);
		return;
	}
	evhttp_request_set_error_cb(up, relay_error);
	relay_copy_headers(evhttp_request_get_output_headers(up), ih);
	(void)evbuffer_add_buffer(evhttp_request_get_output_buffer(up),
	                          evhttp_request_get_input_buffer(req));
	if (evhttp_make_request(call->conn, up, call->cmd, target) != 0 &&
	    !call->answered) {
		/* Refused at once; evhttp has not called relay_reply(). */
		relay_fail(call, "cannot connect");
		relay_done(call);
	}
}

int
relay_nonce(struct relay *r, const char *path, const char *host,
            void (*done)(void *arg, const char *nonce), void *arg)
{
	struct relay_call *call = relay_call_new(r);
	struct evhttp_request *up = NULL;
	const char *why = NULL;

	if (call == NULL) {
		return -1;
	}
	call->cmd = EVHTTP_REQ_HEAD;
	call->nonce_done = done;
	call->nonce_arg = arg;
	if (relay_connect(call, &why) != 0) {
		relay_call_free(call);
		return -1;
	}
	up = evhttp_request_new(relay_reply, call);
	if (up == NULL) {
		call->answered = true; /* DONE is never called */
		relay_done(call);
		return -1;
	}
	evhttp_request_set_error_cb(up, relay_error);
	(void)evhttp_add_header(evhttp_request_get_output_headers(up), "Host",
	                        host);
	if (evhttp_make_request(call->conn, up, EVHTTP_REQ_HEAD, path) != 0 &&
	    !call->answered) {
		relay_fail(call, "cannot connect");
		relay_done(call);
	}
	return 0;
}
