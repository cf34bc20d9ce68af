/*
 * responder/http01.c -- the HTTP-01 server (--http01): listening sockets
 * on libevent's evhttp, in the DNS service's event loop, and the answer
 * to each request, as pebble-challtestsrv gives it (http01.h).
 */
#include "http01.h"
#include "http01_int.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>

#include "listen.h"
#include "log.h"
#include "net.h"

#define HTTP01_ANY_METHOD 0xffffu

const char *
http01_printable(const char *s)
{
	size_t n = strnlen(s, HTTP01_LOG_MAX + 1);

	if (n > HTTP01_LOG_MAX) {
		return "?";
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e) {
			return "?";
		}
	}
	return s;
}

/*
 * What challtestsrv records as the request's Host: for an absolute
 * target its host[:port], else the Host header, else "".  BUF has room
 * for a host and a port.
 */
static const char *
http01_request_host(struct evhttp_request *req, char *buf, size_t cap)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *host = uri != NULL ? evhttp_uri_get_host(uri) : NULL;
	const char *hdr;

	if (host != NULL && host[0] != '\0') {
		/* evhttp keeps an IPv6 literal's brackets in the host. */
		int port = evhttp_uri_get_port(uri);

		if (port >= 0) {
			(void)snprintf(buf, cap, "%s:%d", host, port);
		} else {
			(void)snprintf(buf, cap, "%s", host);
		}
		return buf;
	}
	hdr = evhttp_find_header(evhttp_request_get_input_headers(req), "Host");
	return hdr != NULL ? hdr : "";
}

/* Append S to OUT with &, <, >, " and ' escaped, as Go's htmlEscape. */
static int
http01_html_escape(struct evbuffer *out, const char *s)
{
	int rc = 0;

	for (; *s != '\0' && rc == 0; s++) {
		switch (*s) {
		case '&':
			rc = evbuffer_add_printf(out, "&amp;") < 0 ? -1 : 0;
			break;
		case '<':
			rc = evbuffer_add_printf(out, "&lt;") < 0 ? -1 : 0;
			break;
		case '>':
			rc = evbuffer_add_printf(out, "&gt;") < 0 ? -1 : 0;
			break;
		case '"':
			rc = evbuffer_add_printf(out, "&#34;") < 0 ? -1 : 0;
			break;
		case '\'':
			rc = evbuffer_add_printf(out, "&#39;") < 0 ? -1 : 0;
			break;
		default:
			rc = evbuffer_add(out, s, 1);
			break;
		}
	}
	return rc;
}

/*
 * The reply to REQ for PATH (percent-decoded; NULL when it held a NUL):
 * its status, with headers and BODY filled.
 */
static int
http01_answer(const struct http01 *h, struct evhttp_request *req,
              const char *path, struct evbuffer *body)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	enum evhttp_cmd_type method = evhttp_request_get_command(req);
	const char *target =
	        path != NULL ? http01_redirect_find(h, path) : NULL;
	const char *auth = NULL;
	int rc = 0;

	if (target != NULL) {
		/* Go's http.Redirect with 302; its body only for GET. */
		(void)evhttp_add_header(out, "Location", target);
		if (method == EVHTTP_REQ_GET || method == EVHTTP_REQ_HEAD) {
			(void)evhttp_add_header(out, "Content-Type",
			                        "text/html; charset=utf-8");
		}
		if (method == EVHTTP_REQ_GET) {
			rc |= evbuffer_add_printf(body, "<a href=\"") < 0;
			rc |= http01_html_escape(body, target);
			rc |= evbuffer_add_printf(body, "\">Found</a>.\n\n") <
			      0;
		}
		return rc == 0 ? 302 : 500;
	}
	if (path != NULL &&
	    strncmp(path, HTTP01_PREFIX, strlen(HTTP01_PREFIX)) == 0) {
		auth = http01_token_find(h, path + strlen(HTTP01_PREFIX));
	}
	(void)evhttp_add_header(out, "Content-Type",
	                        "text/plain; charset=utf-8");
	if (auth == NULL) {
		/* challtestsrv: 200 and nothing; a 404 says more. */
		rc = evbuffer_add_printf(body, "404 page not found\n") < 0;
		return rc == 0 ? 404 : 500;
	}
	return evbuffer_add(body, auth, strlen(auth)) == 0 ? 200 : 500;
}

/*
 * Send BODY as REQ's reply.  To HEAD, only its length (Go's server says
 * it too): evhttp 2.1 writes the body after the headers even then.
 */
static void
http01_send(struct evhttp_request *req, int code, struct evbuffer *body)
{
	char len[32];

	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		(void)snprintf(len, sizeof(len), "%zu",
		               evbuffer_get_length(body));
		(void)evhttp_add_header(evhttp_request_get_output_headers(req),
		                        "Content-Length", len);
		(void)evbuffer_drain(body, evbuffer_get_length(body));
	}
	evhttp_send_reply(req, code, NULL, body);
}

static void
http01_request(struct evhttp_request *req, void *arg)
{
	struct http01 *h = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *raw = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	const char *url = evhttp_request_get_uri(req);
	const char *ua = evhttp_find_header(
	        evhttp_request_get_input_headers(req), "User-Agent");
	char hostbuf[HTTP01_FIELD_MAX + 16];
	const char *host = http01_request_host(req, hostbuf, sizeof(hostbuf));
	struct evbuffer *body = evbuffer_new();
	char *path = NULL;
	size_t plen = 0;
	int code = 500;

	if (http01_history_add(h, url != NULL ? url : "", host,
	                       ua != NULL ? ua : "") != 0) {
		log_warn("http01: request not kept in the history (out of "
		         "memory)");
	}
	if (raw == NULL || raw[0] == '\0') {
		raw = "/";
	}
	path = evhttp_uridecode(raw, 0, &plen);
	(void)evhttp_add_header(evhttp_request_get_output_headers(req),
	                        "Connection", "close");
	if (body != NULL && path != NULL) {
		/* A %00 in the path names no token: it goes to 404. */
		code = http01_answer(h, req, strlen(path) == plen ? path : NULL,
		                     body);
	}
	/* Before the reply, which frees REQ and so URL and HOST. */
	log_debug("http01: %s host=%s -> %d",
	          http01_printable(url != NULL ? url : ""),
	          http01_printable(host), code);
	if (code == 500) {
		log_warn("http01: no answer (out of memory)");
		evhttp_send_error(req, 500, NULL);
	} else {
		http01_send(req, code, body);
	}
	free(path);
	if (body != NULL) {
		evbuffer_free(body);
	}
}

int
http01_listen(struct http01 *h, struct event_base *base,
              const struct net_listen *addr, size_t n, char *err, size_t errlen)
{
	h->http = evhttp_new(base);
	if (h->http == NULL) {
		(void)snprintf(err, errlen, "http01: evhttp not created");
		return -1;
	}
	evhttp_set_max_headers_size(h->http, HTTP01_HEADERS_MAX);
	evhttp_set_max_body_size(h->http, HTTP01_BODY_MAX);
	evhttp_set_timeout(h->http, HTTP01_TIMEOUT_S);
	evhttp_set_default_content_type(h->http, NULL);
	/* challtestsrv answers every method. */
	evhttp_set_allowed_methods(h->http, HTTP01_ANY_METHOD);
	evhttp_set_gencb(h->http, http01_request, h);
	return listen_http(h->http, addr, n, h->bound, &h->nbound,
	                   HTTP01_ADDRS_MAX, "http01", err, errlen);
}

void
http01_free(struct http01 *h)
{
	if (h == NULL) {
		return;
	}
	if (h->http != NULL) {
		evhttp_free(h->http);
	}
	http01_store_clear(h);
	free(h);
}

size_t
http01_ready_format(const struct http01 *h, char *buf, size_t cap)
{
	return listen_format(h->bound, h->nbound, "http01=", " http01=", buf,
	                     cap);
}
