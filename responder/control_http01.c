/*
 * responder/control_http01.c -- pebble-challtestsrv's HTTP-01 endpoints,
 * with its paths and JSON bodies, for the server of --http01 (http01.h).
 *
 * Read as the other challtestsrv endpoints are (control_compat.c): any
 * method, keys matched without regard to case, unknown keys ignored, 200
 * with an empty body on success, 400 for a body that is not JSON, a
 * wrong type or an empty field.  Deleting what is not there is a
 * success, as in challtestsrv.  Unlike challtestsrv, the tables are
 * bounded (http01.h): a field too long or one entry too many is 400,
 * and a target URL with control characters (which no Location header
 * can carry) is 400.  Without --http01 the four that change the tables
 * get 404, as challtestsrv without an HTTP-01 server has no such paths;
 * the history is then empty.
 *
 *   /add-http01            {"token","content"}
 *   /del-http01            {"token"}
 *   /add-redirect          {"path","targetURL"}
 *   /del-redirect          {"path"}
 *   /http-request-history  {"host"} -> [{"URL","Host","HTTPS",
 *                          "ServerName","UserAgent"}...], indented
 *   /clear-request-history {"host","type":"http"}
 */
#include "control_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "http01.h"
#include "log.h"

/* The HTTP-01 tables, or NULL after replying 404 (no --http01). */
static struct http01 *
ctl_http01_state(struct ctl_req *r)
{
	if (r->ctl->cfg.http01 == NULL) {
		ctl_reply_error(r, 404,
		                "%s needs the HTTP-01 server (--http01 "
		                "ADDR:PORT)",
		                r->path);
	}
	return r->ctl->cfg.http01;
}

/*
 * The body's string KEY, which must not be empty: 0 and *OUT, or -1 after
 * replying 400.  The body is parsed at the first call.
 */
static int
ctl_http01_field(struct ctl_req *r, const char *key, const char **out)
{
	if (r->body == NULL && ctl_body_parse(r, false) != 0) {
		return -1;
	}
	if (ctl_json_string(r, r->body, key, true, out) < 0) {
		return -1;
	}
	if ((*out)[0] == '\0') {
		ctl_reply_error(r, 400, "%s parameter must not be empty", key);
		return -1;
	}
	return 0;
}

/*
 * Reply to RC, the result of adding one WHAT (at most MAX of them), whose
 * fields K and V hold at most KMAX and VMAX octets: 200, 400 or 500.
 */
static void
ctl_http01_added(struct ctl_req *r, int rc, const char *what, size_t max,
                 const char *k, size_t kmax, const char *v, size_t vmax)
{
	if (rc == -E2BIG) {
		ctl_reply_error(r, 400, "'%s' over %zu octets or '%s' over %zu",
		                k, kmax, v, vmax);
	} else if (rc == -ENOSPC) {
		ctl_reply_error(r, 400, "%zu %ss already: delete some first",
		                max, what);
	} else if (rc != 0) {
		ctl_reply_error(r, 500, "out of memory");
	} else {
		ctl_reply_empty(r, 200);
	}
}

void
ctl_http01_add(struct ctl_req *r)
{
	struct http01 *h = ctl_http01_state(r);
	const char *token, *content;
	int rc;

	if (h == NULL || ctl_http01_field(r, "token", &token) != 0 ||
	    ctl_http01_field(r, "content", &content) != 0) {
		return;
	}
	rc = http01_token_add(h, token, content);
	if (rc == 0) {
		log_info("control: HTTP-01 token %s added",
		         http01_printable(token));
	}
	ctl_http01_added(r, rc, "HTTP-01 token", HTTP01_TOKENS_MAX, "token",
	                 HTTP01_TOKEN_MAX, "content", HTTP01_CONTENT_MAX);
}

void
ctl_http01_del(struct ctl_req *r)
{
	struct http01 *h = ctl_http01_state(r);
	const char *token;

	if (h == NULL || ctl_http01_field(r, "token", &token) != 0) {
		return;
	}
	if (http01_token_del(h, token)) {
		log_info("control: HTTP-01 token %s removed",
		         http01_printable(token));
	}
	ctl_reply_empty(r, 200);
}

void
ctl_http01_add_redirect(struct ctl_req *r)
{
	struct http01 *h = ctl_http01_state(r);
	const char *path, *target;
	int rc;

	if (h == NULL || ctl_http01_field(r, "path", &path) != 0 ||
	    ctl_http01_field(r, "targetURL", &target) != 0) {
		return;
	}
	for (const char *p = target; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			ctl_reply_error(r, 400,
			                "targetURL must not hold control "
			                "characters");
			return;
		}
	}
	rc = http01_redirect_add(h, path, target);
	if (rc == 0) {
		log_info("control: HTTP redirect of %s to %s added",
		         http01_printable(path), http01_printable(target));
	}
	ctl_http01_added(r, rc, "redirect", HTTP01_REDIRECTS_MAX, "path",
	                 HTTP01_TOKEN_MAX, "targetURL", HTTP01_TARGET_MAX);
}

void
ctl_http01_del_redirect(struct ctl_req *r)
{
	struct http01 *h = ctl_http01_state(r);
	const char *path;

	if (h == NULL || ctl_http01_field(r, "path", &path) != 0) {
		return;
	}
	if (http01_redirect_del(h, path)) {
		log_info("control: HTTP redirect of %s removed",
		         http01_printable(path));
	}
	ctl_reply_empty(r, 200);
}

/* {"URL","Host","HTTPS","ServerName","UserAgent"}: challtestsrv's order. */
static json_t *
ctl_http01_event(const struct http01_event *e)
{
	char *url = ctl_json_utf8_fix(e->url, strlen(e->url));
	char *host = ctl_json_utf8_fix(e->host, strlen(e->host));
	char *ua = ctl_json_utf8_fix(e->user_agent, strlen(e->user_agent));
	json_t *o = NULL;

	if (url != NULL && host != NULL && ua != NULL) {
		o = json_pack("{s:s,s:s,s:b,s:s,s:s}", "URL", url, "Host", host,
		              "HTTPS", 0, "ServerName", "", "UserAgent", ua);
	}
	free(url);
	free(host);
	free(ua);
	return o;
}

/*
 * /http-request-history: {"host"} -> the requests sent to host, oldest
 * first, as challtestsrv writes them (Go's MarshalIndent, three spaces).
 */
void
ctl_http01_history(struct ctl_req *r)
{
	const struct http01 *h = r->ctl->cfg.http01;
	const char *host;
	json_t *list;

	if (ctl_http01_field(r, "host", &host) != 0) {
		return;
	}
	list = json_array();
	for (size_t i = 0;
	     list != NULL && h != NULL && i < http01_history_count(h); i++) {
		const struct http01_event *e = http01_history_get(h, i);

		if (http01_event_matches(e, host)) {
			ctl_history_add(&list, ctl_http01_event(e));
		}
	}
	ctl_history_reply(r, list);
}

void
ctl_http01_history_clear(struct ctl_req *r)
{
	const char *host;
	size_t n = 0;

	if (ctl_http01_field(r, "host", &host) != 0) {
		return;
	}
	if (r->ctl->cfg.http01 != NULL) {
		n = http01_history_remove(r->ctl->cfg.http01, host);
	}
	log_info("control: HTTP request history of %s cleared (%zu)",
	         http01_printable(host), n);
	ctl_reply_empty(r, 200);
}
