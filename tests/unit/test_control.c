/*
 * tests/unit/test_control.c -- the management API in process: JSON in and
 * out, status codes, all-or-nothing changes, challtestsrv's bodies, and
 * the default addresses on the query path.
 *
 * Each test serves the API on 127.0.0.1:0 and talks to it with libevent's
 * HTTP client on the same event loop.
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>

#include "control.h"
#include "control_int.h"
#include "fault.h"
#include "history.h"
#include "net.h"
#include "options.h"
#include "query.h"
#include "rebuild.h"
#include "zone.h"

#define DATA CAA_SOURCE_DIR "/tests/data/"

static const char *const files[] = {DATA "test.zone", DATA "example.test.zone"};
static struct event_base *base;
static struct rebuild *rb;
static struct fault_set *faults;
static struct history *hist;
static struct query_env env;
static struct control *ctl;
static unsigned port;
static int reload_rc;
static int reloads;

/* The set serving now. */
static const struct zone_set *
served(void)
{
	return rebuild_zones(rb);
}

/* What main.c does with the rules files once a reload's zones built. */
static int
test_reload(void *arg, const struct zone_set *zs, char *err, size_t errlen)
{
	(void)arg;
	(void)zs;
	reloads++;
	if (reload_rc != 0) {
		(void)snprintf(err, errlen, "zones/x.zone:3: bad record");
	}
	return reload_rc;
}

static void
start(const char *token)
{
	struct control_config cfg = {0};
	struct rebuild_config rcfg = {0};
	struct net_listen addr;
	char err[512], a[64];

	/* The server may close while the client still sends (413). */
	(void)signal(SIGPIPE, SIG_IGN);
	base = event_base_new();
	rcfg.zones = zone_set_load(files, 2, err, sizeof(err));
	cr_assert_not_null(rcfg.zones, "%s", err);
	faults = fault_set_new();
	hist = history_new(100);
	cr_assert(base != NULL && faults != NULL && hist != NULL);
	memset(&env, 0, sizeof(env));
	env.zones = rcfg.zones;
	env.faults = faults;
	env.udp_max = QUERY_UDP_MAX_DEFAULT;
	rcfg.base = base;
	rcfg.files = files;
	rcfg.nfiles = 2;
	rcfg.env = &env;
	rcfg.reload_hook = test_reload;
	rb = rebuild_new(&rcfg, err, sizeof(err));
	cr_assert_not_null(rb, "%s", err);
	cr_assert_eq(options_listen_parse("127.0.0.1:0", -1, &addr, err,
	                                  sizeof(err)),
	             0);
	cfg.addr = &addr;
	cfg.naddr = 1;
	cfg.token = token;
	cfg.rebuild = rb;
	cfg.env = &env;
	cfg.faults = faults;
	cfg.history = hist;
	ctl = control_new(base, &cfg, err, sizeof(err));
	cr_assert_not_null(ctl, "%s", err);
	(void)control_address_format(ctl, a, sizeof(a));
	cr_assert_eq(sscanf(a, "127.0.0.1:%u", &port), 1, "%s", a);
	cr_assert_neq(port, 0);
}

static void
setup(void)
{
	start(NULL);
}

static void
stop(void)
{
	rebuild_free(rb);
	control_free(ctl);
	history_free(hist);
	fault_set_free(faults);
	event_base_free(base);
}

static void
teardown(void)
{
	cr_assert_null(env.defaults);
	stop();
}

TestSuite(control, .init = setup, .fini = teardown, .timeout = 20);

struct test_reply {
	int code;
	char body[16384];
	char allow[64];
};

static void
test_done(struct evhttp_request *req, void *arg)
{
	struct test_reply *r = arg;

	if (req != NULL) {
		struct evbuffer *in = evhttp_request_get_input_buffer(req);
		size_t n = evbuffer_get_length(in);
		const char *allow = evhttp_find_header(
		        evhttp_request_get_input_headers(req), "Allow");

		r->code = evhttp_request_get_response_code(req);
		n = n < sizeof(r->body) - 1 ? n : sizeof(r->body) - 1;
		(void)evbuffer_remove(in, r->body, n);
		r->body[n] = '\0';
		(void)snprintf(r->allow, sizeof(r->allow), "%s",
		               allow != NULL ? allow : "");
	}
	(void)event_base_loopbreak(base);
}

/* METHOD PATH with BODY (NULL: none) and AUTH header; the status code. */
static int
http_auth(enum evhttp_cmd_type method, const char *path, const char *body,
          const char *auth, struct test_reply *r)
{
	struct evhttp_connection *c = evhttp_connection_base_new(
	        base, NULL, "127.0.0.1", (unsigned short)port);
	struct evhttp_request *req = evhttp_request_new(test_done, r);
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	char len[32];

	memset(r, 0, sizeof(*r));
	r->code = -1;
	(void)evhttp_add_header(h, "Host", "127.0.0.1");
	if (auth != NULL) {
		(void)evhttp_add_header(h, "Authorization", auth);
	}
	if (body != NULL) {
		(void)snprintf(len, sizeof(len), "%zu", strlen(body));
		(void)evhttp_add_header(h, "Content-Length", len);
		(void)evbuffer_add(evhttp_request_get_output_buffer(req), body,
		                   strlen(body));
	}
	cr_assert_eq(evhttp_make_request(c, req, method, path), 0);
	(void)event_base_dispatch(base);
	evhttp_connection_free(c);
	return r->code;
}

static int
http(enum evhttp_cmd_type method, const char *path, const char *body,
     struct test_reply *r)
{
	return http_auth(method, path, body, NULL, r);
}

#define GET    EVHTTP_REQ_GET
#define POST   EVHTTP_REQ_POST
#define DELETE EVHTTP_REQ_DELETE

/* The answer to NAME TYPE, with OUT holding the message. */
static size_t
ask(const char *name, uint16_t type, uint8_t *out, struct query_result *res)
{
	uint8_t q[512];
	size_t n = 12;

	memset(q, 0, 12);
	wire_put16(q, 0x1234);
	wire_put16(q + 4, 1);
	while (*name != '\0') {
		size_t l = strcspn(name, ".");

		q[n++] = (uint8_t)l;
		memcpy(q + n, name, l);
		n += l;
		name += l + (name[l] == '.' ? 1 : 0);
	}
	q[n++] = 0;
	wire_put16(q + n, type);
	wire_put16(q + n + 2, WIRE_CLASS_IN);
	n += 4;
	query_handle(&env, q, n, QUERY_UDP, AF_INET, out, WIRE_MSG_MAX, res);
	return res->len;
}

Test(control, health)
{
	struct test_reply r;

	cr_assert_eq(http(GET, "/health", NULL, &r), 200);
	cr_assert_str_eq(r.body, "{\"status\":\"ok\"}");
}

Test(control, unknown_path_and_wrong_method)
{
	struct test_reply r;

	cr_assert_eq(http(GET, "/nope", NULL, &r), 404);
	cr_assert_str_eq(r.body, "{\"error\":\"no such path\"}");
	cr_assert_eq(http(EVHTTP_REQ_PUT, "/records", "{}", &r), 405);
	cr_assert_str_eq(r.allow, "POST, DELETE");
	cr_assert_eq(http(EVHTTP_REQ_PATCH, "/faults", "{}", &r), 405);
	cr_assert_eq(http(GET, "/reload", NULL, &r), 405);
	cr_assert_eq(http(GET, "/faults/1", NULL, &r), 405);
}

Test(control, faults_add_list_remove)
{
	struct test_reply r;
	json_t *j;

	cr_assert_eq(http(POST, "/faults",
	                  "{\"rule\":\"servfail X.Test. CAA count=2\"}", &r),
	             201, "%s", r.body);
	cr_assert_str_eq(r.body,
	                 "{\"id\":1,\"rule\":\"servfail x.test CAA count=2\"}");
	cr_assert_eq(http(GET, "/faults", NULL, &r), 200);
	j = json_loads(r.body, 0, NULL);
	cr_assert(json_is_array(j) && json_array_size(j) == 1, "%s", r.body);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 0),
	                                                   "origin")),
	                 "api");
	cr_assert_eq(json_integer_value(
	                     json_object_get(json_array_get(j, 0), "seen")),
	             0);
	cr_assert_not_null(json_object_get(json_array_get(j, 0), "fired"));
	json_decref(j);
	cr_assert_eq(http(DELETE, "/faults/2", NULL, &r), 404);
	cr_assert_eq(http(DELETE, "/faults/x1", NULL, &r), 404);
	cr_assert_eq(http(DELETE, "/faults/99999999999", NULL, &r), 404);
	cr_assert_eq(http(DELETE, "/faults/1", NULL, &r), 200);
	cr_assert_eq(fault_set_count(faults), 0);
	cr_assert_eq(http(DELETE, "/faults/1", NULL, &r), 404);
	cr_assert_eq(http(POST, "/faults", "{\"rule\":\"drop . *\"}", &r), 201);
	cr_assert_eq(http(POST, "/faults", "{\"rule\":\"drop . A\"}", &r), 201);
	cr_assert_eq(http(DELETE, "/faults", NULL, &r), 200);
	cr_assert_str_eq(r.body, "{\"removed\":2}");
	cr_assert_eq(fault_set_count(faults), 0);
}

Test(control, bad_json_changes_nothing)
{
	static const char *const bodies[] = {
	        "{",                                      /* not JSON */
	        "{\"rule\":\"drop . *\"} x",              /* trailing junk */
	        "[\"drop . *\"]",                         /* not an object */
	        "{\"rule\":1}",                           /* wrong type */
	        "{\"rule\":\"drop . *\",\"x\":1}",        /* unknown key */
	        "{\"rule\":\"a\",\"rule\":\"drop . *\"}", /* duplicate key */
	        "{\"rule\":\"drop . *\\u0000\"}",         /* NUL inside */
	        "{\"rule\":\"\"}",                        /* empty */
	        "{}",                                     /* missing */
	        "{\"rule\":\"servfial . *\"}",            /* bad rule */
	};
	struct test_reply r;
	json_t *j;

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		cr_assert_eq(http(POST, "/faults", bodies[i], &r), 400,
		             "%s -> %s", bodies[i], r.body);
		j = json_loads(r.body, 0, NULL);
		cr_assert(json_is_string(json_object_get(j, "error")), "%s",
		          r.body);
		json_decref(j);
		cr_assert_eq(fault_set_count(faults), 0, "%s", bodies[i]);
	}
	cr_assert_eq(http(POST, "/faults", NULL, &r), 400);
	cr_assert_str_eq(r.body,
	                 "{\"error\":\"expected a JSON body, got none\"}");
	cr_assert_eq(http(POST, "/faults", "{\"rule\":\"servfial . *\"}", &r),
	             400);
	cr_assert(strstr(r.body, "servfial") != NULL, "%s", r.body);
}

Test(control, body_over_one_mebibyte_is_refused)
{
	size_t n = CONTROL_BODY_MAX + 1;
	char *big = malloc(n + 1);
	struct test_reply r;

	cr_assert_not_null(big);
	memset(big, ' ', n);
	big[n] = '\0';
	big[0] = '{';
	big[n - 1] = '}';
	cr_assert_eq(http(POST, "/faults", big, &r), 413);
	free(big);
	cr_assert_eq(fault_set_count(faults), 0);
	cr_assert_eq(http(GET, "/health", NULL, &r), 200);
}

Test(control, records_add_and_remove)
{
	const struct zone_set *before = served();
	size_t count = zone_set_record_count(served());
	struct test_reply r;

	cr_assert_eq(http(POST, "/records",
	                  "{\"rr\":\"x.example.test. 60 IN CAA 0 issue "
	                  "\\\"ca.test\\\"\"}",
	                  &r),
	             201, "%s", r.body);
	cr_assert_neq(served(), before);
	cr_assert_eq(env.zones, served());
	cr_assert_eq(zone_set_record_count(served()), count + 1);
	cr_assert_eq(http(DELETE, "/records",
	                  "{\"rr\":\"x.example.test. 60 IN CAA 0 issue "
	                  "\\\"other.test\\\"\"}",
	                  &r),
	             404, "%s", r.body);
	cr_assert_eq(http(DELETE, "/records",
	                  "{\"name\":\"X.example.test\",\"type\":\"caa\"}", &r),
	             200, "%s", r.body);
	cr_assert_eq(zone_set_record_count(served()), count);
	cr_assert_eq(http(DELETE, "/records",
	                  "{\"name\":\"x.example.test.\",\"type\":\"CAA\"}",
	                  &r),
	             404);
	/* No type: every type but SOA. */
	cr_assert_eq(
	        http(DELETE, "/records", "{\"name\":\"www.example.test\"}", &r),
	        200, "%s", r.body);
	cr_assert_eq(zone_set_record_count(served()), count - 2);
}

Test(control, a_bad_record_changes_nothing)
{
	static const char *const bodies[] = {
	        "{\"rr\":\"x.example.test. 60 IN CAA 0 issue\"}",
	        "{\"rr\":\"x.example.test. 60 IN A 1.2.3\"}",
	        "{\"rr\":\"example.test. 60 IN SOA a. b. 1 2 3 4 5\"}",
	        "{\"rr\":\"x.test. 60 IN A 192.0.2.1\\nx.test. A 1.1.1.1\"}",
	        "{\"name\":\"x.example.test\"}",
	        "{\"rr\":\"x. A 1.1.1.1\",\"name\":\"x.\"}",
	        "{\"name\":\"x.example.test\",\"type\":\"NOPE\"}",
	        "{\"type\":\"A\"}",
	};
	const struct zone_set *before = served();
	struct test_reply r;

	cr_assert_eq(http(POST, "/records", bodies[0], &r), 400);
	cr_assert(strstr(r.body, "without a value") != NULL, "%s", r.body);
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		cr_assert_eq(
		        http(i < 4 ? POST : DELETE, "/records", bodies[i], &r),
		        i == 4 ? 404 : 400, "%s -> %s", bodies[i], r.body);
		cr_assert_eq(served(), before, "%s", bodies[i]);
	}
	cr_assert_eq(zone_edits_count(control_edits(ctl)), 0);
}

Test(control, reload)
{
	struct test_reply r;

	cr_assert_eq(http(POST, "/reload", NULL, &r), 200, "%s", r.body);
	cr_assert(strstr(r.body, "\"zones\":2") != NULL, "%s", r.body);
	reload_rc = -1;
	cr_assert_eq(http(POST, "/reload", NULL, &r), 400);
	cr_assert_str_eq(r.body, "{\"error\":\"zones/x.zone:3: bad record\"}");
	cr_assert_eq(reloads, 2);
}

static void
test_history(const char *name, uint16_t type)
{
	uint8_t out[WIRE_MSG_MAX];
	struct sockaddr_in sin;
	struct query_result res;
	struct timespec ts = {1795341600, 0};

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	(void)ask(name, type, out, &res);
	cr_assert_eq(history_add(hist, &ts, (const struct sockaddr *)&sin,
	                         QUERY_UDP, &res),
	             0);
}

static size_t
test_array_size(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);
	size_t n;

	cr_assert(json_is_array(j), "%s", text);
	n = json_array_size(j);
	json_decref(j);
	return n;
}

Test(control, queries_filter_and_clear)
{
	struct test_reply r;

	test_history("www.example.test", WIRE_TYPE_A);
	test_history("WWW.example.test", WIRE_TYPE_CAA);
	test_history("example.test", WIRE_TYPE_CAA);
	cr_assert_eq(http(GET, "/queries", NULL, &r), 200);
	cr_assert_eq(test_array_size(r.body), 3);
	cr_assert(strstr(r.body, "\"qname\":\"WWW.example.test.\",\"qtype\":"
	                         "\"CAA\",\"rcode\":\"NOERROR\"") != NULL,
	          "%s", r.body);
	cr_assert_eq(http(GET, "/queries?name=www.EXAMPLE.test", NULL, &r),
	             200);
	cr_assert_eq(test_array_size(r.body), 2);
	cr_assert_eq(
	        http(GET, "/queries?name=www.example.test.&type=caa", NULL, &r),
	        200);
	cr_assert_eq(test_array_size(r.body), 1);
	cr_assert_eq(http(GET, "/queries?type=TYPE257", NULL, &r), 200);
	cr_assert_eq(test_array_size(r.body), 2);
	cr_assert_eq(http(GET, "/queries?name=&type=", NULL, &r), 200);
	cr_assert_eq(test_array_size(r.body), 3);
	cr_assert_eq(http(GET, "/queries?type=NOPE", NULL, &r), 400);
	cr_assert_eq(http(GET, "/queries?name=a..b", NULL, &r), 400);
	cr_assert_eq(http(GET, "/queries?qname=x", NULL, &r), 400);
	cr_assert_eq(http(DELETE, "/queries", NULL, &r), 200);
	cr_assert_str_eq(r.body, "{\"removed\":3}");
	cr_assert_eq(http(GET, "/queries", NULL, &r), 200);
	cr_assert_str_eq(r.body, "[]");
}

Test(control, token_is_required_when_set)
{
	struct test_reply r;

	stop();
	start("s3cret");
	cr_assert_eq(http(GET, "/health", NULL, &r), 401);
	cr_assert_eq(http(GET, "/nope", NULL, &r), 401);
	cr_assert_eq(http_auth(GET, "/health", NULL, "Bearer s3cre", &r), 401);
	cr_assert_eq(http_auth(GET, "/health", NULL, "Bearer s3cret!", &r),
	             401);
	cr_assert_eq(http_auth(GET, "/health", NULL, "s3cret", &r), 401);
	cr_assert_eq(http_auth(GET, "/health", NULL, "Bearer s3cret", &r), 200);
	cr_assert_eq(http_auth(POST, "/faults", "{\"rule\":\"drop . *\"}",
	                       "Bearer s3cret", &r),
	             201);
}

Test(control, loopback_addresses)
{
	struct net_listen a;
	char err[128];

	cr_assert_eq(options_listen_parse("127.0.0.1:1", -1, &a, err, 128), 0);
	cr_assert(control_addr_is_loopback((struct sockaddr *)&a.addr));
	cr_assert_eq(options_listen_parse("127.8.9.1:1", -1, &a, err, 128), 0);
	cr_assert(control_addr_is_loopback((struct sockaddr *)&a.addr));
	cr_assert_eq(options_listen_parse("[::1]:1", -1, &a, err, 128), 0);
	cr_assert(control_addr_is_loopback((struct sockaddr *)&a.addr));
	cr_assert_eq(
	        options_listen_parse("[::ffff:127.0.0.1]:1", -1, &a, err, 128),
	        0);
	cr_assert(control_addr_is_loopback((struct sockaddr *)&a.addr));
	cr_assert_eq(options_listen_parse("0.0.0.0:1", -1, &a, err, 128), 0);
	cr_assert_not(control_addr_is_loopback((struct sockaddr *)&a.addr));
	cr_assert_eq(options_listen_parse("[::]:1", -1, &a, err, 128), 0);
	cr_assert_not(control_addr_is_loopback((struct sockaddr *)&a.addr));
	cr_assert_eq(options_listen_parse("192.0.2.1:1", -1, &a, err, 128), 0);
	cr_assert_not(control_addr_is_loopback((struct sockaddr *)&a.addr));
}

Test(control, names_with_or_without_the_dot)
{
	uint8_t w[WIRE_NAME_MAX];
	char text[1100];

	cr_assert_eq(ctl_name_parse("X.Test", w, text, sizeof(text)), 0);
	cr_assert_str_eq(text, "X.Test.");
	cr_assert_eq(memcmp(w, "\001x\004test", 8), 0);
	cr_assert_eq(ctl_name_parse("x.test.", w, text, sizeof(text)), 0);
	cr_assert_str_eq(text, "x.test.");
	cr_assert_eq(ctl_name_parse(".", w, text, sizeof(text)), 0);
	cr_assert_eq(w[0], 0);
	/* Blanks and quotes are escaped, so a name cannot add fields. */
	cr_assert_eq(ctl_name_parse("a b\"(;.test", w, text, sizeof(text)), 0);
	cr_assert_str_eq(text, "a\\032b\\034\\040\\059.test.");
	cr_assert_eq(ctl_name_parse("a\\.b.test", w, text, sizeof(text)), 0);
	cr_assert_str_eq(text, "a\\046b.test.");
	cr_assert_neq(ctl_name_parse("", w, NULL, 0), 0);
	cr_assert_neq(ctl_name_parse("a..b", w, NULL, 0), 0);
}

/* ------------------------------------------------------------ challtestsrv */

Test(control, challtestsrv_a_records_add_up_and_clear)
{
	size_t count = zone_set_record_count(served());
	struct test_reply r;

	cr_assert_eq(http(POST, "/add-a",
	                  "{\"host\":\"web.example.test\",\"addresses\":"
	                  "[\"192.0.2.80\",\"192.0.2.81\"]}",
	                  &r),
	             200, "%s", r.body);
	cr_assert_str_eq(r.body, "");
	/* Keys without regard to case, unknown keys ignored, as in Go. */
	cr_assert_eq(http(POST, "/add-a",
	                  "{\"Host\":\"web.example.test.\",\"ADDRESSES\":"
	                  "[\"192.0.2.82\"],\"extra\":true}",
	                  &r),
	             200, "%s", r.body);
	cr_assert_eq(zone_set_record_count(served()), count + 3);
	cr_assert_eq(
	        http(POST, "/clear-a", "{\"host\":\"web.example.test\"}", &r),
	        200);
	cr_assert_eq(zone_set_record_count(served()), count);
	/* Clearing nothing is fine; records only the API added leave no
	 * edit behind. */
	cr_assert_eq(
	        http(POST, "/clear-a", "{\"host\":\"web.example.test\"}", &r),
	        200);
	cr_assert_eq(zone_edits_count(control_edits(ctl)), 0);
}

Test(control, challtestsrv_bad_bodies)
{
	static const char *const bad[][2] = {
	        {"/add-a", "{\"host\":\"x.test\",\"addresses\":[]}"},
	        {"/add-a", "{\"host\":\"x.test\",\"addresses\":[\"1.2.3\"]}"},
	        {"/add-a", "{\"host\":\"x.test\",\"addresses\":[\"::1\"]}"},
	        {"/add-a", "{\"host\":\"\",\"addresses\":[\"1.2.3.4\"]}"},
	        {"/add-a", "{\"host\":1,\"addresses\":[\"1.2.3.4\"]}"},
	        {"/add-a", "{\"host\":\"x.test\",\"addresses\":\"1.2.3.4\"}"},
	        {"/add-aaaa",
	         "{\"host\":\"x.test\",\"addresses\":[\"1.2.3.4\"]}"},
	        {"/add-caa", "{\"host\":\"x.test\",\"policies\":[]}"},
	        {"/add-caa", "{\"host\":\"x.test\",\"policies\":[{\"tag\":"
	                     "\"is sue\",\"value\":\"x\"}]}"},
	        {"/add-caa", "{\"host\":\"x.test\",\"policies\":[1]}"},
	        {"/set-txt", "{\"host\":\"x.test\",\"value\":\"\"}"},
	        {"/set-txt", "{\"host\":\"x.test\"}"},
	        {"/set-cname", "{\"host\":\"x.test\"}"},
	        {"/set-servfail", "{\"host\":\".\"}"},
	        {"/set-default-ipv4", "{\"ip\":\"::1\"}"},
	        {"/set-default-ipv6", "{\"ip\":\"1.2.3.4\"}"},
	        {"/dns-request-history", "{}"},
	        {"/clear-request-history", "{\"host\":\"x.test\"}"},
	        {"/set-txt", "not json"},
	        {"/clear-txt", "[]"},
	};
	const struct zone_set *before = served();
	struct test_reply r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(http(POST, bad[i][0], bad[i][1], &r), 400,
		             "%s %s -> %d %s", bad[i][0], bad[i][1], r.code,
		             r.body);
		cr_assert_eq(served(), before);
		cr_assert_eq(fault_set_count(faults), 0);
		cr_assert_null(env.defaults);
	}
	cr_assert_eq(http(POST, "/add-a", NULL, &r), 400);
}

Test(control, challtestsrv_txt_adds_and_a_clear_leave_no_edit)
{
	size_t count = zone_set_record_count(served());
	struct test_reply r;
	char body[600];

	for (int i = 0; i < 50; i++) {
		cr_assert_eq(http(POST, "/set-txt",
		                  "{\"host\":\"_acme-challenge.example.test\","
		                  "\"value\":\"one\"}",
		                  &r),
		             200, "%s", r.body);
		cr_assert_eq(http(POST, "/set-txt",
		                  "{\"host\":\"_acme-challenge.example.test\","
		                  "\"value\":\"two \\\"q\\\" \\\\ \\u00e9\"}",
		                  &r),
		             200, "%s", r.body);
		cr_assert_eq(zone_set_record_count(served()), count + 2);
		cr_assert_eq(http(POST, "/clear-txt",
		                  "{\"host\":\"_acme-challenge.example.test\"}",
		                  &r),
		             200);
		cr_assert_eq(zone_set_record_count(served()), count);
	}
	cr_assert_eq(zone_edits_count(control_edits(ctl)), 0);
	/* A value over 255 octets becomes several strings. */
	memset(body, 0, sizeof(body));
	(void)snprintf(body, sizeof(body),
	               "{\"host\":\"long.example.test\",\"value\":\"%0300d\"}",
	               7);
	cr_assert_eq(http(POST, "/set-txt", body, &r), 200, "%s", r.body);
}

Test(control, challtestsrv_caa_and_cname)
{
	size_t count = zone_set_record_count(served());
	uint8_t out[WIRE_MSG_MAX];
	struct query_result res;
	struct test_reply r;

	cr_assert_eq(
	        http(POST, "/add-caa",
	             "{\"host\":\"shop.example.test\",\"policies\":["
	             "{\"tag\":\"issue\",\"value\":\"ca.test; x=\\\"y\\\"\"},"
	             "{\"Tag\":\"iodef\",\"Value\":\"mailto:a@b.test\"}]}",
	             &r),
	        200, "%s", r.body);
	(void)ask("shop.example.test", WIRE_TYPE_CAA, out, &res);
	cr_assert_eq(res.rcode, WIRE_RCODE_NOERROR);
	cr_assert_eq(res.answers, 2);
	cr_assert_eq(http(POST, "/set-cname",
	                  "{\"host\":\"alias2.example.test\",\"target\":"
	                  "\"shop.example.test\"}",
	                  &r),
	             200, "%s", r.body);
	/* set-cname replaces the CNAME the zone file had. */
	cr_assert_eq(zone_set_record_count(served()), count + 2);
	(void)ask("alias2.example.test", WIRE_TYPE_CAA, out, &res);
	cr_assert_eq(res.answers, 3); /* the CNAME, then the two CAA */
	cr_assert_eq(http(POST, "/clear-cname",
	                  "{\"host\":\"alias2.example.test\"}", &r),
	             200);
	cr_assert_eq(http(POST, "/clear-caa",
	                  "{\"host\":\"shop.example.test\"}", &r),
	             200);
	cr_assert_eq(zone_set_record_count(served()), count - 1);
}

Test(control, challtestsrv_servfail_is_one_api_rule)
{
	uint8_t out[WIRE_MSG_MAX];
	struct query_result res;
	struct test_reply r;

	cr_assert_eq(http(POST, "/set-servfail",
	                  "{\"host\":\"WWW.example.test\"}", &r),
	             200);
	cr_assert_eq(http(POST, "/set-servfail",
	                  "{\"host\":\"www.example.test.\"}", &r),
	             200);
	cr_assert_eq(fault_set_count(faults), 1);
	cr_assert_str_eq(fault_rule_text(fault_set_rule(faults, 0)),
	                 "servfail www.example.test *");
	cr_assert_eq(fault_rule_origin(fault_set_rule(faults, 0)),
	             FAULT_ORIGIN_API);
	(void)ask("www.example.test", WIRE_TYPE_AAAA, out, &res);
	cr_assert_eq(res.rcode, WIRE_RCODE_SERVFAIL);
	cr_assert_eq(http(POST, "/clear-servfail",
	                  "{\"host\":\"www.example.test\"}", &r),
	             200);
	cr_assert_eq(fault_set_count(faults), 0);
	(void)ask("www.example.test", WIRE_TYPE_AAAA, out, &res);
	cr_assert_eq(res.rcode, WIRE_RCODE_NOERROR);
}

Test(control, challtestsrv_default_addresses)
{
	uint8_t out[WIRE_MSG_MAX];
	struct query_result res;
	struct test_reply r;
	size_t n;

	cr_assert_eq(
	        http(POST, "/set-default-ipv4", "{\"ip\":\"192.0.2.200\"}", &r),
	        200);
	cr_assert_not_null(env.defaults);
	/* A name outside every zone, NXDOMAIN and NODATA: the default. */
	n = ask("random.elsewhere", WIRE_TYPE_A, out, &res);
	cr_assert_eq(res.rcode, WIRE_RCODE_NOERROR);
	cr_assert(res.aa);
	cr_assert_eq(res.answers, 1);
	cr_assert_eq(memcmp(out + n - 4, "\xc0\x00\x02\xc8", 4), 0);
	cr_assert_eq(wire_get32(out + n - 10), 0); /* TTL 0 */
	(void)ask("nothere.example.test", WIRE_TYPE_A, out, &res);
	cr_assert_eq(res.answers, 1);
	(void)ask("example.test", WIRE_TYPE_A, out, &res);
	cr_assert_eq(res.answers, 1);
	/* Real records win; referrals stay referrals; AAAA has no default,
	 * but the name exists: NODATA. */
	n = ask("www.example.test", WIRE_TYPE_A, out, &res);
	cr_assert_eq(memcmp(out + n - 4, "\xc0\x00\x02\x01", 4), 0);
	(void)ask("x.sub.example.test", WIRE_TYPE_A, out, &res);
	cr_assert_eq(res.answers, 0);
	cr_assert_not(res.aa);
	(void)ask("random.elsewhere", WIRE_TYPE_AAAA, out, &res);
	cr_assert_eq(res.rcode, WIRE_RCODE_NOERROR);
	cr_assert_eq(res.answers, 0);
	(void)ask("nothere.example.test", WIRE_TYPE_CAA, out, &res);
	cr_assert_eq(res.rcode, WIRE_RCODE_NOERROR);
	cr_assert_eq(
	        http(POST, "/set-default-ipv6", "{\"IP\":\"2001:db8::7\"}", &r),
	        200);
	(void)ask("random.elsewhere", WIRE_TYPE_AAAA, out, &res);
	cr_assert_eq(res.answers, 1);
	cr_assert_eq(http(POST, "/set-default-ipv4", "{\"ip\":\"\"}", &r), 200);
	cr_assert_not_null(env.defaults);
	(void)ask("random.elsewhere", WIRE_TYPE_A, out, &res);
	cr_assert_eq(res.rcode, WIRE_RCODE_NOERROR);
	cr_assert_eq(res.answers, 0);
	cr_assert_eq(http(POST, "/set-default-ipv6", "{}", &r), 200);
	cr_assert_null(env.defaults);
	(void)ask("random.elsewhere", WIRE_TYPE_A, out, &res);
	cr_assert_eq(res.rcode, WIRE_RCODE_REFUSED);
	(void)ask("nothere.example.test", WIRE_TYPE_CAA, out, &res);
	cr_assert_eq(res.rcode, WIRE_RCODE_NXDOMAIN);
}

Test(control, challtestsrv_request_history)
{
	struct test_reply r;

	test_history("shop.Example.test", WIRE_TYPE_A);
	test_history("shop.example.test", WIRE_TYPE_CAA);
	test_history("other.example.test", WIRE_TYPE_CAA);
	cr_assert_eq(http(POST, "/dns-request-history",
	                  "{\"host\":\"shop.example.test\"}", &r),
	             200);
	cr_assert_str_eq(r.body, "[\n"
	                         "   {\n"
	                         "      \"Question\": {\n"
	                         "         \"Name\": \"shop.Example.test.\",\n"
	                         "         \"Qtype\": 1,\n"
	                         "         \"Qclass\": 1\n"
	                         "      }\n"
	                         "   },\n"
	                         "   {\n"
	                         "      \"Question\": {\n"
	                         "         \"Name\": \"shop.example.test.\",\n"
	                         "         \"Qtype\": 257,\n"
	                         "         \"Qclass\": 1\n"
	                         "      }\n"
	                         "   }\n"
	                         "]");
	cr_assert_eq(http(POST, "/clear-request-history",
	                  "{\"host\":\"shop.example.test\",\"type\":\"http\"}",
	                  &r),
	             200);
	cr_assert_eq(history_count(hist), 3);
	cr_assert_eq(http(POST, "/clear-request-history",
	                  "{\"host\":\"shop.example.test\",\"type\":\"dns\"}",
	                  &r),
	             200);
	cr_assert_eq(history_count(hist), 1);
	cr_assert_eq(http(POST, "/dns-request-history",
	                  "{\"host\":\"shop.example.test\"}", &r),
	             200);
	cr_assert_str_eq(r.body, "[]");
	cr_assert_eq(http(POST, "/clear-request-history",
	                  "{\"host\":\"x\",\"type\":\"smtp\"}", &r),
	             400);
	cr_assert_str_eq(r.body,
	                 "{\"error\":\"\\\"smtp\\\" event type unknown\"}");
}

/* Item: the edit list stays as long as the difference from the files. */
Test(control, added_and_removed_records_leave_no_edit)
{
	size_t count = zone_set_record_count(served());
	struct test_reply r;

	for (int i = 0; i < 40; i++) {
		cr_assert_eq(http(POST, "/records",
		                  "{\"rr\":\"x.example.test. 60 IN CAA 0 issue "
		                  "\\\"ca.test\\\"\"}",
		                  &r),
		             201, "%s", r.body);
		cr_assert_eq(http(DELETE, "/records",
		                  "{\"rr\":\"x.example.test. 60 IN CAA 0 issue "
		                  "\\\"ca.test\\\"\"}",
		                  &r),
		             200, "%s", r.body);
		cr_assert_eq(http(POST, "/records",
		                  "{\"rr\":\"y.example.test. A 192.0.2.9\"}", &r),
		             201, "%s", r.body);
		cr_assert_eq(http(DELETE, "/records",
		                  "{\"name\":\"y.example.test\"}", &r),
		             200, "%s", r.body);
		cr_assert_eq(http(POST, "/add-a",
		                  "{\"host\":\"h.outside.invalid\","
		                  "\"addresses\":[\"192.0.2.7\"]}",
		                  &r),
		             200, "%s", r.body);
		cr_assert_eq(http(POST, "/clear-a",
		                  "{\"host\":\"h.outside.invalid\"}", &r),
		             200, "%s", r.body);
	}
	cr_assert_eq(zone_set_record_count(served()), count);
	cr_assert_eq(zone_edits_count(control_edits(ctl)), 0);
	/* A file record removed stays removed as one edit, however often. */
	for (int i = 0; i < 5; i++) {
		cr_assert_eq(http(POST, "/records",
		                  "{\"rr\":\"www.example.test. 60 A 192.0.2.8\"}",
		                  &r),
		             201, "%s", r.body);
		cr_assert_eq(http(DELETE, "/records",
		                  "{\"name\":\"www.example.test\",\"type\":\"A\"}",
		                  &r),
		             200, "%s", r.body);
	}
	cr_assert_eq(zone_edits_count(control_edits(ctl)), 1);
	cr_assert_eq(zone_set_record_count(served()), count - 1);
}

/* API records survive a reload, which reads the files again. */
Test(control, edits_survive_a_reload)
{
	size_t count = zone_set_record_count(served());
	uint8_t out[WIRE_MSG_MAX];
	struct query_result res;
	struct test_reply r;

	cr_assert_eq(http(POST, "/records",
	                  "{\"rr\":\"api.example.test. A 192.0.2.70\"}", &r),
	             201, "%s", r.body);
	cr_assert_eq(http(DELETE, "/records",
	                  "{\"rr\":\"www.example.test. AAAA 2001:db8::1\"}", &r),
	             200, "%s", r.body);
	cr_assert_eq(zone_edits_count(control_edits(ctl)), 2);
	cr_assert_eq(http(POST, "/reload", NULL, &r), 200, "%s", r.body);
	cr_assert_eq(zone_set_record_count(served()), count);
	(void)ask("api.example.test", WIRE_TYPE_A, out, &res);
	cr_assert_eq(res.answers, 1);
	(void)ask("www.example.test", WIRE_TYPE_AAAA, out, &res);
	cr_assert_eq(res.answers, 0);
	cr_assert_eq(res.rcode, WIRE_RCODE_NOERROR);
}

/* Several requests at once, on their own connections. */
struct test_many {
	struct test_reply r[3];
	int left;
};

static void
test_many_done(struct evhttp_request *req, void *arg)
{
	struct test_reply *r = arg;

	r->code = req != NULL ? evhttp_request_get_response_code(req) : -1;
	if (req != NULL) {
		struct evbuffer *in = evhttp_request_get_input_buffer(req);
		size_t n = evbuffer_get_length(in);

		n = n < sizeof(r->body) - 1 ? n : sizeof(r->body) - 1;
		(void)evbuffer_remove(in, r->body, n);
		r->body[n] = '\0';
	}
}

/*
 * Changes that come while a build runs share the next one; one that
 * cannot be built gets its own 400 and the others apply.  Three records
 * of 25,000 octets at one name make an answer too big for a DNS message,
 * two do not: whichever comes last fails.
 */
Test(control, changes_at_once_each_get_their_reply)
{
	static char body[4][60000];
	struct evhttp_connection *c[4];
	struct test_reply rep[4];
	char value[25001];
	uint8_t out[WIRE_MSG_MAX];
	struct query_result res;
	int ok = 0, too_big = 0;

	memset(value, 'v', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	for (int i = 0; i < 3; i++) {
		value[0] = (char)('a' + i);
		(void)snprintf(body[i], sizeof(body[i]),
		               "{\"rr\":\"fat.example.test. CAA 0 issue "
		               "\\\"%s\\\"\"}",
		               value);
	}
	(void)snprintf(body[3], sizeof(body[3]),
	               "{\"rr\":\"thin.example.test. A 192.0.2.71\"}");
	for (int i = 0; i < 4; i++) {
		struct evhttp_request *req =
		        evhttp_request_new(test_many_done, &rep[i]);
		struct evkeyvalq *h = evhttp_request_get_output_headers(req);
		char len[32];

		memset(&rep[i], 0, sizeof(rep[i]));
		c[i] = evhttp_connection_base_new(base, NULL, "127.0.0.1",
		                                  (unsigned short)port);
		(void)evhttp_add_header(h, "Host", "127.0.0.1");
		(void)snprintf(len, sizeof(len), "%zu", strlen(body[i]));
		(void)evhttp_add_header(h, "Content-Length", len);
		(void)evbuffer_add(evhttp_request_get_output_buffer(req),
		                   body[i], strlen(body[i]));
		cr_assert_eq(evhttp_make_request(c[i], req, POST, "/records"),
		             0);
	}
	while (rep[0].code == 0 || rep[1].code == 0 || rep[2].code == 0 ||
	       rep[3].code == 0) {
		cr_assert_eq(event_base_loop(base, EVLOOP_ONCE), 0);
	}
	for (int i = 0; i < 4; i++) {
		evhttp_connection_free(c[i]);
	}
	for (int i = 0; i < 3; i++) {
		ok += rep[i].code == 201;
		too_big += rep[i].code == 400 &&
		           strstr(rep[i].body, "does not fit in a DNS "
		                               "message") != NULL;
	}
	cr_assert(ok == 2 && too_big == 1, "%d %s / %d %s / %d %s",
	          rep[0].code, rep[0].body, rep[1].code, rep[1].body,
	          rep[2].code, rep[2].body);
	cr_assert_eq(rep[3].code, 201, "%s", rep[3].body);
	(void)ask("thin.example.test", WIRE_TYPE_A, out, &res);
	cr_assert_eq(res.answers, 1);
	(void)ask("fat.example.test", WIRE_TYPE_CAA, out, &res);
	cr_assert_eq(res.tc, true); /* two records: more than UDP takes */
}

/* ctl_json_go(IN) as a string (no NUL inside). */
static char *
json_go(const char *in)
{
	size_t n;
	char *out = ctl_json_go(in, strlen(in), &n);

	cr_assert_not_null(out);
	out[n] = '\0'; /* room: ctl_json_go() leaves some */
	return out;
}

Test(control_json, go_reads_what_jansson_cannot_hold)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
	        /* Numbers beyond jansson, as numbers that fit. */
	        {"[1e400,-1E+999,123456789012345678901234567890]",
	         "[1e300,-1e300,1e300]"},
	        {"[9223372036854775807,-9223372036854775808,1e-400,0.5e3]",
	         "[9223372036854775807,-9223372036854775808,1e-400,0.5e3]"},
	        /* Not JSON numbers: left for jansson to refuse (a sign
	         * before a number is not part of it). */
	        {"[01e400,1e400.5,1e,-,1.e400,+1e400]",
	         "[01e400,1e400.5,1e,-,1.e400,+1e300]"},
	        /* Lone surrogates; a pair stays. */
	        {"[\"\\ud800\",\"\\udc00x\",\"\\ud83d\\ude00\",\"\\ud800\\u0041\"]",
	         "[\"\\ufffd\",\"\\ufffdx\",\"\\ud83d\\ude00\",\"\\ufffd\\u0041\"]"},
	        /* Invalid UTF-8, byte by byte; valid stays; escapes kept. */
	        {"[\"a\xff\xc0\xafz\",\"\xc3\xa9\xf0\x9f\x98\x80\",\"\xed\xa0\x80\"]",
	         "[\"a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz\",\"\xc3\xa9\xf0\x9f\x98\x80\","
	         "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"]"},
	        {"[\"\\\"1e400\",\"1e400\",\"\\\\\"]",
	         "[\"\\\"1e400\",\"1e400\",\"\\\\\"]"},
	        /* Cut short: as it was. */
	        {"{\"a\":\"\\u12", "{\"a\":\"\\u12"},
	        {"{\"a\":\"\\", "{\"a\":\"\\"},
	        {"1e400", "1e300"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = json_go(cases[i].in);

		cr_assert_str_eq(out, cases[i].want, "case %zu", i);
		free(out);
	}
}
