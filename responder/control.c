/*
 * responder/control.c -- the HTTP/JSON management API: listener,
 * authorization, routing, and caalab's own endpoints.
 *
 *   GET    /health        200 {"status":"ok"}
 *   GET    /stats         200 {"received",...}: the counters of net.h
 *   GET    /faults        200 [{"id","rule","origin","seen","fired"}...]
 *   POST   /faults        {"rule":R} -> 201 {"id","rule"}; 400 bad rule
 *   DELETE /faults        200 {"removed":N}: every rule, whatever its origin
 *   DELETE /faults/ID     200 {"status":"ok"}; 404 no such rule
 *   POST   /records       {"rr":RR} -> 201 {"status":"ok"}; 400 bad record
 *   DELETE /records       {"rr":RR} or {"name":N[,"type":T]} -> 200; 404
 *                         when no record matched; 400 bad input
 *   POST   /reload        200 {"zones","records","rules"}; 400 file:line
 *                         (these three in control_edit.c: they reply once
 *                         the new data serves)
 *   GET    /queries       ?name=N&type=T&client=ADDR|CIDR -> 200 [query
 *                         log objects...]
 *   DELETE /queries       200 {"removed":N}
 *   pebble-challtestsrv's paths: control_compat.c.
 *
 * Everywhere: 400 {"error":"..."} for bad input (nothing changes), 401
 * without the token when one is set, 404 for an unknown path, 405 (with
 * Allow) for a method the path does not take, 413 for a body over 1 MiB
 * (evhttp answers that itself).  HEAD is taken wherever GET is.
 */
#include "control.h"
#include "control_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>
#include <ldns/ldns.h>

#include "cidr.h"
#include "fault.h"
#include "history.h"
#include "log.h"
#include "net.h"
#include "rebuild.h"
#include "wire.h"

#define CTL_HEADERS_MAX 16384
#define CTL_TIMEOUT_S   30
#define CTL_ANY_METHOD  0xffffu

/* ------------------------------------------------------------ replies */

/*
 * Send BUF (NULL: nothing) as REQ's reply.  To HEAD, only its length:
 * evhttp 2.1 writes the body after the headers even then, and the next
 * reply on the connection would start inside it.
 */
static void
ctl_send(struct evhttp_request *req, int code, struct evbuffer *buf)
{
	char len[32];

	if (buf != NULL && evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		(void)snprintf(len, sizeof(len), "%zu",
		               evbuffer_get_length(buf));
		(void)evhttp_add_header(evhttp_request_get_output_headers(req),
		                        "Content-Length", len);
		(void)evbuffer_drain(buf, evbuffer_get_length(buf));
	}
	evhttp_send_reply(req, code, NULL, buf);
}

void
ctl_reply_body(struct ctl_req *r, int code, const char *ctype, const char *body,
               size_t len)
{
	struct evbuffer *buf = evbuffer_new();

	if (ctype != NULL) {
		(void)evhttp_add_header(
		        evhttp_request_get_output_headers(r->req),
		        "Content-Type", ctype);
	}
	if (buf != NULL && len > 0 && evbuffer_add(buf, body, len) != 0) {
		log_warn("control: reply body lost (out of memory)");
	}
	ctl_send(r->req, code, buf);
	if (buf != NULL) {
		evbuffer_free(buf);
	}
}

void
ctl_reply_text(struct ctl_req *r, int code, const char *text)
{
	ctl_reply_body(r, code, "application/json", text, strlen(text));
}

void
ctl_reply_empty(struct ctl_req *r, int code)
{
	ctl_reply_body(r, code, NULL, NULL, 0);
}

void
ctl_reply_json(struct ctl_req *r, int code, json_t *obj)
{
	char *text = obj != NULL ? json_dumps(obj, JSON_COMPACT) : NULL;

	json_decref(obj);
	if (text == NULL) {
		ctl_reply_text(r, 500, "{\"error\":\"out of memory\"}");
		return;
	}
	ctl_reply_body(r, code, "application/json", text, strlen(text));
	free(text);
}

void
ctl_reply_error(struct ctl_req *r, int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	json_t *s;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s = json_string(msg);
	if (s == NULL) {
		/* Not UTF-8 (echoed input, or cut by vsnprintf): ASCII only. */
		for (char *p = msg; *p != '\0'; p++) {
			if ((unsigned char)*p >= 0x80) {
				*p = '?';
			}
		}
		s = json_string(msg);
	}
	ctl_reply_json(r, code, json_pack("{s:o}", "error", s));
}

/* ------------------------------------------------------------ JSON in */

int
ctl_body_parse(struct ctl_req *r, bool strict)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(r->req);
	size_t len = evbuffer_get_length(in);
	const unsigned char *p;
	json_error_t jerr;

	if (len == 0) {
		ctl_reply_error(r, 400, "expected a JSON body, got none");
		return -1;
	}
	p = evbuffer_pullup(in, (ev_ssize_t)len);
	if (p == NULL) {
		ctl_reply_error(r, 500, "out of memory");
		return -1;
	}
	r->body = json_loadb((const char *)p, len,
	                     strict ? JSON_REJECT_DUPLICATES : 0, &jerr);
	if (r->body == NULL && !strict) {
		/* Valid JSON beyond jansson: the error stays the first's. */
		json_error_t again;
		size_t n;
		char *go = ctl_json_go((const char *)p, len, &n);

		r->body = go != NULL ? json_loadb(go, n, JSON_ALLOW_NUL, &again)
		                     : NULL;
		free(go);
	}
	if (r->body == NULL) {
		ctl_reply_error(r, 400, "invalid JSON: %s (line %d, column %d)",
		                jerr.text, jerr.line, jerr.column);
		return -1;
	}
	if (!json_is_object(r->body)) {
		ctl_reply_error(r, 400, "the body must be a JSON object");
		return -1;
	}
	return 0;
}

int
ctl_body_keys(struct ctl_req *r, const char *const *keys)
{
	const char *key;
	json_t *v;

	json_object_foreach(r->body, key, v)
	{
		size_t i = 0;

		while (keys[i] != NULL && strcmp(keys[i], key) != 0) {
			i++;
		}
		if (keys[i] == NULL) {
			ctl_reply_error(r, 400, "unknown key '%s'", key);
			return -1;
		}
	}
	return 0;
}

json_t *
ctl_json_get(json_t *obj, const char *key, bool fold)
{
	const char *k;
	json_t *v;
	json_t *exact = json_object_get(obj, key);

	if (exact != NULL || !fold) {
		return exact;
	}
	json_object_foreach(obj, k, v)
	{
		if (strcasecmp(k, key) == 0) {
			return v;
		}
	}
	return NULL;
}

int
ctl_json_string(struct ctl_req *r, json_t *obj, const char *key, bool fold,
                const char **out)
{
	const json_t *v = ctl_json_get(obj, key, fold);

	*out = "";
	if (v == NULL || json_is_null(v)) {
		return 1;
	}
	if (!json_is_string(v)) {
		ctl_reply_error(r, 400, "'%s' must be a string", key);
		return -1;
	}
	*out = json_string_value(v);
	if (strlen(*out) != json_string_length(v)) {
		ctl_reply_error(r, 400, "'%s' must not contain NUL", key);
		return -1;
	}
	return 0;
}

/*
 * The presentation form of the wire name W into TEXT: letters, digits,
 * '-', '_' and '*' as they are, every other octet as \DDD, so that the
 * name is one field of a master-file line whatever it holds.
 */
static int
ctl_name_text(const uint8_t *w, char *text, size_t cap)
{
	size_t k = 0;

	if (cap < 2) {
		return -1;
	}
	if (w[0] == 0) {
		text[k++] = '.';
	}
	for (size_t i = 0; w[i] != 0; i += (size_t)w[i] + 1) {
		for (size_t j = 1; j <= w[i]; j++) {
			unsigned char c = w[i + j];
			bool plain = (c >= 'a' && c <= 'z') ||
			             (c >= 'A' && c <= 'Z') ||
			             (c >= '0' && c <= '9') || c == '-' ||
			             c == '_' || c == '*';

			if (k + 6 > cap) {
				return -1;
			}
			if (plain) {
				text[k++] = (char)c;
			} else {
				k += (size_t)snprintf(text + k, cap - k,
				                      "\\%03u", (unsigned)c);
			}
		}
		if (k + 2 > cap) {
			return -1;
		}
		text[k++] = '.';
	}
	text[k] = '\0';
	return 0;
}

int
ctl_name_parse(const char *name, uint8_t *wire, char *text, size_t textcap)
{
	char buf[1100];
	size_t len = strlen(name);
	ldns_rdf *d = NULL;
	int rc = -1;

	if (len == 0 || len + 2 > sizeof(buf)) {
		return -1;
	}
	memcpy(buf, name, len + 1);
	if (strcmp(buf, ".") != 0 &&
	    (buf[len - 1] != '.' || (len >= 2 && buf[len - 2] == '\\'))) {
		buf[len] = '.';
		buf[len + 1] = '\0';
	}
	if (ldns_str2rdf_dname(&d, buf) != LDNS_STATUS_OK ||
	    ldns_rdf_size(d) > WIRE_NAME_MAX) {
		goto out;
	}
	memcpy(wire, ldns_rdf_data(d), ldns_rdf_size(d));
	if (text != NULL && ctl_name_text(wire, text, textcap) != 0) {
		goto out;
	}
	wire_name_lower(wire);
	rc = 0;
out:
	ldns_rdf_deep_free(d);
	return rc;
}

/* ------------------------------------------------------------ faults */

static void
ctl_faults_get(struct ctl_req *r)
{
	const struct fault_set *fs = r->ctl->cfg.faults;
	json_t *list = json_array();

	for (size_t i = 0; list != NULL && i < fault_set_count(fs); i++) {
		const struct fault_rule *fr = fault_set_rule(fs, i);
		json_t *o =
		        json_pack("{s:I,s:s,s:s,s:I,s:I}", "id",
		                  (json_int_t)fault_rule_id(fr), "rule",
		                  fault_rule_text(fr), "origin",
		                  fault_origin_name(fault_rule_origin(fr)),
		                  "seen", (json_int_t)fault_rule_seen(fr),
		                  "fired", (json_int_t)fault_rule_fired(fr));

		if (o == NULL || json_array_append_new(list, o) != 0) {
			json_decref(list);
			list = NULL;
		}
	}
	ctl_reply_json(r, 200, list);
}

static void
ctl_faults(struct ctl_req *r)
{
	static const char *const keys[] = {"rule", NULL};
	struct fault_set *fs = r->ctl->cfg.faults;
	const char *rule;
	char err[512];
	uint32_t id;
	size_t n;

	if (r->method == EVHTTP_REQ_GET || r->method == EVHTTP_REQ_HEAD) {
		ctl_faults_get(r);
		return;
	}
	if (r->method == EVHTTP_REQ_DELETE) {
		n = fault_set_count(fs);
		fault_set_clear(fs);
		log_info("control: every fault rule removed (%zu)", n);
		ctl_reply_json(r, 200,
		               json_pack("{s:I}", "removed", (json_int_t)n));
		return;
	}
	if (ctl_body_parse(r, true) != 0 || ctl_body_keys(r, keys) != 0 ||
	    ctl_json_string(r, r->body, "rule", false, &rule) < 0) {
		return;
	}
	if (rule[0] == '\0') {
		ctl_reply_error(r, 400, "'rule' is required");
		return;
	}
	if (fault_set_add_text(fs, rule, FAULT_ORIGIN_API, &id, err,
	                       sizeof(err)) != 0) {
		ctl_reply_error(r, 400, "%s", err);
		return;
	}
	log_info("control: fault rule %u added (%s)", (unsigned)id,
	         fault_rule_text(fault_set_find(fs, id)));
	ctl_reply_json(r, 201,
	               json_pack("{s:I,s:s}", "id", (json_int_t)id, "rule",
	                         fault_rule_text(fault_set_find(fs, id))));
}

/* DELETE /faults/ID */
static void
ctl_faults_id(struct ctl_req *r)
{
	const char *s = r->path + strlen("/faults/");
	unsigned long long id = 0;

	for (const char *p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || id > UINT32_MAX) {
			id = 0;
			break;
		}
		id = id * 10 + (unsigned)(*p - '0');
	}
	if (id == 0 || id > UINT32_MAX ||
	    fault_set_remove(r->ctl->cfg.faults, (uint32_t)id) != 0) {
		ctl_reply_error(r, 404, "no fault rule '%s'", s);
		return;
	}
	log_info("control: fault rule %llu removed", id);
	ctl_reply_text(r, 200, "{\"status\":\"ok\"}");
}

/* ------------------------------------------------------------ queries */

/* A type by name ("CAA", "TYPE257") or number ("257"), 1..65535; 0 if
 * neither. */
static int
ctl_type_parse(const char *s)
{
	unsigned long v;
	char *end;
	int t;

	if (*s >= '0' && *s <= '9') {
		errno = 0;
		v = strtoul(s, &end, 10);
		return errno == 0 && *end == '\0' && v >= 1 && v <= 65535
		               ? (int)v
		               : 0;
	}
	t = wire_type_parse(s);
	return t > 0 ? t : 0;
}

/* What GET /queries keeps: every filter given must hold. */
struct ctl_qfilter {
	uint8_t wire[WIRE_NAME_MAX];
	bool has_name;
	int qtype; /* -1: any */
	bool has_client;
	struct cidr client; /* an address is a prefix of full length */
};

/* ?name=N&type=T&client=C: 0 with F, or -1 after replying 400. */
static int
ctl_queries_filter(struct ctl_req *r, struct ctl_qfilter *f)
{
	struct evkeyvalq kv;
	struct evkeyval *p;
	char err[256];
	int rc = 0;

	f->has_name = false;
	f->qtype = -1;
	f->has_client = false;
	TAILQ_INIT(&kv);
	if (r->query != NULL && evhttp_parse_query_str(r->query, &kv) != 0) {
		ctl_reply_error(r, 400, "bad query string");
		return -1;
	}
	TAILQ_FOREACH(p, &kv, next)
	{
		if (strcmp(p->key, "name") == 0 && p->value[0] != '\0') {
			f->has_name = true;
			if (ctl_name_parse(p->value, f->wire, NULL, 0) != 0) {
				ctl_reply_error(r, 400, "bad name '%s'",
				                p->value);
				rc = -1;
				break;
			}
		} else if (strcmp(p->key, "type") == 0 && p->value[0] != '\0') {
			f->qtype = ctl_type_parse(p->value);
			if (f->qtype == 0) {
				ctl_reply_error(r, 400, "bad type '%s'",
				                p->value);
				rc = -1;
				break;
			}
		} else if (strcmp(p->key, "client") == 0 &&
		           p->value[0] != '\0') {
			f->has_client = true;
			if (cidr_parse(p->value, &f->client, err,
			               sizeof(err)) != 0) {
				ctl_reply_error(r, 400, "client=: %s", err);
				rc = -1;
				break;
			}
		} else if (strcmp(p->key, "name") != 0 &&
		           strcmp(p->key, "type") != 0 &&
		           strcmp(p->key, "client") != 0) {
			ctl_reply_error(r, 400, "unknown parameter '%s'",
			                p->key);
			rc = -1;
			break;
		}
	}
	evhttp_clear_headers(&kv);
	return rc;
}

static void
ctl_queries(struct ctl_req *r)
{
	struct history *h = r->ctl->cfg.history;
	struct ctl_qfilter f;
	char line[LOG_QUERY_LINE_MAX];
	struct evbuffer *buf;
	bool first = true;
	int rc = 0;

	if (r->method == EVHTTP_REQ_DELETE) {
		size_t n = history_count(h);

		history_clear(h);
		ctl_reply_json(r, 200,
		               json_pack("{s:I}", "removed", (json_int_t)n));
		return;
	}
	if (ctl_queries_filter(r, &f) != 0) {
		return;
	}
	buf = evbuffer_new();
	if (buf == NULL) {
		ctl_reply_error(r, 500, "out of memory");
		return;
	}
	rc |= evbuffer_add(buf, "[", 1);
	for (size_t i = 0; i < history_count(h); i++) {
		const struct history_entry *e = history_get(h, i);
		size_t n;

		if (!history_entry_matches(e, f.has_name ? f.wire : NULL,
		                           f.qtype) ||
		    (f.has_client && !history_entry_from(e, &f.client))) {
			continue;
		}
		n = history_entry_format(e, line, sizeof(line));
		if (n >= sizeof(line)) {
			continue; /* cannot happen (log.h): never half a line */
		}
		rc |= evbuffer_add(buf, first ? "" : ",", first ? 0 : 1);
		rc |= evbuffer_add(buf, line, n);
		first = false;
	}
	rc |= evbuffer_add(buf, "]", 1);
	if (rc != 0) {
		evbuffer_free(buf);
		ctl_reply_error(r, 500, "out of memory");
		return;
	}
	(void)evhttp_add_header(evhttp_request_get_output_headers(r->req),
	                        "Content-Type", "application/json");
	ctl_send(r->req, 200, buf);
	evbuffer_free(buf);
}

static void
ctl_health(struct ctl_req *r)
{
	ctl_reply_text(r, 200, "{\"status\":\"ok\"}");
}

static void
ctl_stats(struct ctl_req *r)
{
	struct net_stats st = {0};

	if (r->ctl->cfg.net != NULL) {
		net_stats_get(r->ctl->cfg.net, &st);
	}
	ctl_reply_json(
	        r, 200,
	        json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
	                  "received", (json_int_t)st.received, "answered",
	                  (json_int_t)st.answered, "dropped",
	                  (json_int_t)st.dropped, "malformed",
	                  (json_int_t)st.malformed, "delayed",
	                  (json_int_t)st.delayed, "delayed_dropped",
	                  (json_int_t)st.delayed_dropped, "delayed_pending",
	                  (json_int_t)st.delayed_pending,
	                  "delayed_pending_octets",
	                  (json_int_t)st.delayed_pending_octets, "send_errors",
	                  (json_int_t)st.send_errors, "tcp_accepted",
	                  (json_int_t)st.tcp_accepted, "tcp_refused",
	                  (json_int_t)st.tcp_refused, "tcp_timeouts",
	                  (json_int_t)st.tcp_timeouts));
}

/* ------------------------------------------------------------ routing */

#define M_GET    EVHTTP_REQ_GET
#define M_POST   EVHTTP_REQ_POST
#define M_DELETE EVHTTP_REQ_DELETE

static const struct ctl_route {
	const char *path; /* a trailing '/' matches the prefix */
	unsigned methods;
	const char *allow;
	ctl_handler fn;
} ctl_routes[] = {
        {"/health", M_GET, "GET, HEAD", ctl_health},
        {"/stats", M_GET, "GET, HEAD", ctl_stats},
        {"/faults", M_GET | M_POST | M_DELETE, "GET, HEAD, POST, DELETE",
         ctl_faults},
        {"/faults/", M_DELETE, "DELETE", ctl_faults_id},
        {"/records", M_POST | M_DELETE, "POST, DELETE", ctl_records_endpoint},
        {"/reload", M_POST, "POST", ctl_reload_endpoint},
        {"/queries", M_GET | M_DELETE, "GET, HEAD, DELETE", ctl_queries},
};

/* Constant-time comparison, so the token cannot be guessed by timing. */
static bool
ctl_authorized(const struct control *ctl, struct evhttp_request *req)
{
	const char *got = evhttp_find_header(
	        evhttp_request_get_input_headers(req), "Authorization");
	size_t n;
	unsigned char diff = 0;

	if (ctl->auth == NULL) {
		return true;
	}
	if (got == NULL || strlen(got) != strlen(ctl->auth)) {
		return false;
	}
	n = strlen(got);
	for (size_t i = 0; i < n; i++) {
		diff |= (unsigned char)(got[i] ^ ctl->auth[i]);
	}
	return diff == 0;
}

static void
ctl_dispatch(struct evhttp_request *req, void *arg)
{
	struct ctl_req r = {arg,  req,  evhttp_request_get_command(req),
	                    NULL, NULL, NULL};
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	unsigned method = r.method == EVHTTP_REQ_HEAD ? M_GET : r.method;
	ctl_handler fn = NULL;
	size_t i;

	r.path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	r.query = uri != NULL ? evhttp_uri_get_query(uri) : NULL;
	if (r.path == NULL || r.path[0] == '\0') {
		r.path = "/";
	}
	if (!ctl_authorized(r.ctl, req)) {
		(void)evhttp_add_header(evhttp_request_get_output_headers(req),
		                        "WWW-Authenticate",
		                        "Bearer realm=\"caa-responder\"");
		ctl_reply_error(&r, 401, "missing or wrong bearer token");
		return;
	}
	for (i = 0; i < sizeof(ctl_routes) / sizeof(ctl_routes[0]); i++) {
		const struct ctl_route *rt = &ctl_routes[i];
		size_t len = strlen(rt->path);

		if (rt->path[len - 1] == '/'
		            ? strncmp(r.path, rt->path, len) == 0
		            : strcmp(r.path, rt->path) == 0) {
			break;
		}
	}
	if (i < sizeof(ctl_routes) / sizeof(ctl_routes[0])) {
		if ((ctl_routes[i].methods & method) == 0) {
			(void)evhttp_add_header(
			        evhttp_request_get_output_headers(req), "Allow",
			        ctl_routes[i].allow);
			ctl_reply_error(&r, 405, "%s does not take this method",
			                ctl_routes[i].path);
			return;
		}
		fn = ctl_routes[i].fn;
	} else {
		fn = ctl_compat_find(r.path); /* any method, as challtestsrv */
	}
	if (fn == NULL) {
		ctl_reply_error(&r, 404, "no such path");
		return;
	}
	fn(&r);
	json_decref(r.body);
}

/* ------------------------------------------------------------ setup */

struct control *
control_new(struct event_base *base, const struct control_config *cfg,
            char *err, size_t errlen)
{
	struct control *ctl = calloc(1, sizeof(*ctl));

	if (ctl == NULL) {
		(void)snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ctl->cfg = *cfg;
	if (cfg->env != NULL && cfg->env->defaults != NULL) {
		/* --default-ipv4/6: the API changes them from here on. */
		ctl->defaults = *cfg->env->defaults;
		cfg->env->defaults = &ctl->defaults;
	}
	if (cfg->token != NULL) {
		size_t n = strlen("Bearer ") + strlen(cfg->token) + 1;

		ctl->auth = malloc(n);
		if (ctl->auth == NULL) {
			(void)snprintf(err, errlen, "out of memory");
			goto fail;
		}
		(void)snprintf(ctl->auth, n, "Bearer %s", cfg->token);
	}
	ctl->http = evhttp_new(base);
	if (ctl->http == NULL) {
		(void)snprintf(err, errlen, "control: evhttp not created");
		goto fail;
	}
	evhttp_set_max_body_size(ctl->http, CONTROL_BODY_MAX);
	/* Read and discard the rest of a body too large, so that a client
	 * still sending it gets the 413, not a reset connection. */
	(void)evhttp_set_flags(ctl->http, EVHTTP_SERVER_LINGERING_CLOSE);
	evhttp_set_max_headers_size(ctl->http, CTL_HEADERS_MAX);
	evhttp_set_timeout(ctl->http, CTL_TIMEOUT_S);
	/* Replies say their type; an empty one (challtestsrv's 200) none. */
	evhttp_set_default_content_type(ctl->http, NULL);
	/* Every method reaches us, so a wrong one gets 405, not 501. */
	evhttp_set_allowed_methods(ctl->http, CTL_ANY_METHOD);
	evhttp_set_gencb(ctl->http, ctl_dispatch, ctl);
	if (ctl_listen_all(ctl, err, errlen) != 0) {
		goto fail;
	}
	return ctl;
fail:
	control_free(ctl);
	return NULL;
}

void
control_free(struct control *ctl)
{
	if (ctl == NULL) {
		return;
	}
	if (ctl->http != NULL) {
		evhttp_free(ctl->http);
	}
	if (ctl->cfg.env != NULL && ctl->cfg.env->defaults == &ctl->defaults) {
		ctl->cfg.env->defaults = NULL;
	}
	free(ctl->auth);
	free(ctl);
}

const struct zone_edits *
control_edits(const struct control *ctl)
{
	return ctl != NULL ? rebuild_edits(ctl->cfg.rebuild) : NULL;
}
