/*
 * tests/unit/test_probe_trace.c -- --trace: which answers disagree
 * (trace_mark()), how a server's reply is read, the JSON it gives,
 * where the trace goes in a name's report, and how the servers of all the
 * names are asked at once (trace_ask()).
 *
 * trace_ask() is driven on 127.0.0.1 with UDP sockets of the test's own
 * that never answer (each a server that drops the question) and a port
 * nobody listens on (refused at once); each wait is bounded by the
 * timeout given.
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "caa.h"
#include "check.h"
#include "lookup.h"
#include "reply.h"
#include "report.h"
#include "trace.h"
#include "trace_int.h"

static const uint8_t ISSUE_LE[] = "\0\5issueletsencrypt.org";
static const uint8_t ISSUE_EVIL[] = "\0\5issueevil.test";

/* An answer with RCODE (or ERROR) and the records given. */
static void
answer(struct trace_answer *a, enum trace_error error, int rcode,
       const uint8_t *r1, size_t l1, const uint8_t *r2, size_t l2)
{
	memset(a, 0, sizeof(*a));
	a->error = error;
	a->rcode = rcode;
	a->family = 4;
	if (r1 != NULL) {
		cr_assert_eq(trace_answer_add(a, r1, l1), 0);
	}
	if (r2 != NULL) {
		cr_assert_eq(trace_answer_add(a, r2, l2), 0);
	}
}

static void
answers_clear(struct trace_answer *a, size_t n)
{
	struct trace t = {0};

	t.names = calloc(1, sizeof(*t.names));
	cr_assert_not_null(t.names);
	t.nnames = 1;
	t.names[0].answers = malloc(n * sizeof(*a));
	cr_assert_not_null(t.names[0].answers);
	memcpy(t.names[0].answers, a, n * sizeof(*a));
	t.names[0].nanswers = n;
	trace_clear(&t);
}

#define LE   ISSUE_LE, sizeof(ISSUE_LE) - 1
#define EVIL ISSUE_EVIL, sizeof(ISSUE_EVIL) - 1

Test(probe_trace, one_servfail_of_three_is_marked)
{
	struct trace_answer a[3];

	answer(&a[0], TRACE_OK, 0, LE, NULL, 0);
	answer(&a[1], TRACE_OK, 2, NULL, 0, NULL, 0);
	answer(&a[2], TRACE_OK, 0, LE, NULL, 0);
	trace_mark(a, 3);
	cr_expect(!a[0].disagrees);
	cr_expect(a[1].disagrees);
	cr_expect(!a[2].disagrees);
	answers_clear(a, 3);
}

Test(probe_trace, a_tie_goes_to_the_usable_answers)
{
	/* Two addresses of the server answering SERVFAIL, two of the one
	 * answering: the failure is the odd one out. */
	struct trace_answer a[4];

	answer(&a[0], TRACE_OK, 2, NULL, 0, NULL, 0);
	answer(&a[1], TRACE_OK, 2, NULL, 0, NULL, 0);
	answer(&a[2], TRACE_OK, 0, LE, NULL, 0);
	answer(&a[3], TRACE_OK, 0, LE, NULL, 0);
	trace_mark(a, 4);
	cr_expect(a[0].disagrees && a[1].disagrees);
	cr_expect(!a[2].disagrees && !a[3].disagrees);
	answers_clear(a, 4);
}

Test(probe_trace, a_timeout_over_ipv6_is_marked)
{
	struct trace_answer a[4];

	answer(&a[0], TRACE_OK, 0, LE, NULL, 0);
	answer(&a[1], TRACE_TIMEOUT, -1, NULL, 0, NULL, 0);
	a[1].family = 6;
	answer(&a[2], TRACE_OK, 0, LE, NULL, 0);
	answer(&a[3], TRACE_OK, 0, LE, NULL, 0);
	trace_mark(a, 4);
	cr_expect(a[1].disagrees);
	cr_expect(!a[0].disagrees && !a[2].disagrees && !a[3].disagrees);
	answers_clear(a, 4);
}

Test(probe_trace, another_rrset_disagrees_whatever_its_order)
{
	struct trace_answer a[3];

	/* The same set in another order agrees; another set does not. */
	answer(&a[0], TRACE_OK, 0, LE, EVIL);
	answer(&a[1], TRACE_OK, 0, EVIL, LE);
	answer(&a[2], TRACE_OK, 0, EVIL, NULL, 0);
	cr_expect(trace_agree(&a[0], &a[1]));
	trace_mark(a, 3);
	cr_expect(!a[0].disagrees && !a[1].disagrees);
	cr_expect(a[2].disagrees);
	answers_clear(a, 3);
}

Test(probe_trace, two_different_rrsets_have_no_majority)
{
	struct trace_answer a[2];

	answer(&a[0], TRACE_OK, 0, LE, NULL, 0);
	answer(&a[1], TRACE_OK, 0, EVIL, NULL, 0);
	trace_mark(a, 2);
	cr_expect(a[0].disagrees && a[1].disagrees);
	answers_clear(a, 2);
}

Test(probe_trace, aa_and_time_do_not_count)
{
	struct trace_answer a[2];

	answer(&a[0], TRACE_OK, 0, LE, NULL, 0);
	answer(&a[1], TRACE_OK, 0, LE, NULL, 0);
	a[0].aa = true;
	a[1].ms = 900.0;
	trace_mark(a, 2);
	cr_expect(!a[0].disagrees && !a[1].disagrees);
	answers_clear(a, 2);
}

Test(probe_trace, one_answer_is_never_marked)
{
	struct trace_answer a[1];

	answer(&a[0], TRACE_TIMEOUT, -1, NULL, 0, NULL, 0);
	trace_mark(a, 1);
	cr_expect(!a[0].disagrees);
	answers_clear(a, 1);
}

Test(probe_trace, nxdomain_and_noerror_disagree)
{
	struct trace_answer a[3];

	answer(&a[0], TRACE_OK, 3, NULL, 0, NULL, 0);
	answer(&a[1], TRACE_OK, 0, NULL, 0, NULL, 0);
	answer(&a[2], TRACE_OK, 0, NULL, 0, NULL, 0);
	trace_mark(a, 3);
	cr_expect(a[0].disagrees);
	cr_expect(!a[1].disagrees && !a[2].disagrees);
	answers_clear(a, 3);
}

/* A reply to "a.test CAA" with ID 0x1234, FLAGS, and the CAA RDATA. */
static size_t
reply(uint8_t *buf, uint16_t flags, const uint8_t *rdata, size_t rdlen)
{
	static const uint8_t q[] = "\1a\4test";
	size_t n = 0;

	buf[n++] = 0x12;
	buf[n++] = 0x34;
	buf[n++] = (uint8_t)(flags >> 8);
	buf[n++] = (uint8_t)flags;
	memcpy(buf + n, "\0\1\0\1\0\0\0\0", 8); /* QD 1, AN 1 */
	n += 8;
	memcpy(buf + n, q, sizeof(q)); /* with the root label */
	n += sizeof(q);
	memcpy(buf + n, "\1\1\0\1", 4); /* CAA IN */
	n += 4;
	memcpy(buf + n, "\xc0\x0c\1\1\0\1\0\0\0\x3c", 10);
	n += 10;
	buf[n++] = (uint8_t)(rdlen >> 8);
	buf[n++] = (uint8_t)rdlen;
	memcpy(buf + n, rdata, rdlen);
	return n + rdlen;
}

Test(probe_trace, a_reply_is_read_with_aa_and_records)
{
	uint8_t msg[512];
	uint8_t qname[REPLY_NAME_MAX];
	size_t qlen = reply_name_from_text("a.test", qname);
	size_t len = reply(msg, 0x8400, LE);
	struct trace_answer a;
	bool tc = true;

	memset(&a, 0, sizeof(a));
	cr_assert(trace_reply_read(&a, msg, len, 0x1234, qname, qlen, &tc));
	cr_expect_eq(a.error, TRACE_OK);
	cr_expect_eq(a.rcode, 0);
	cr_expect(a.aa);
	cr_expect(!tc);
	cr_assert_eq(a.nrecords, 1);
	cr_expect_eq(a.rdlen[0], sizeof(ISSUE_LE) - 1);
	answers_clear(&a, 1);

	/* Another ID: not the reply, waiting goes on. */
	memset(&a, 0, sizeof(a));
	cr_expect(!trace_reply_read(&a, msg, len, 0x4321, qname, qlen, &tc));
	answers_clear(&a, 1);

	/* AA clear, the tag of length 0: read, but a malformed record. */
	len = reply(msg, 0x8000, (const uint8_t *)"\0\0x", 3);
	memset(&a, 0, sizeof(a));
	cr_assert(trace_reply_read(&a, msg, len, 0x1234, qname, qlen, &tc));
	cr_expect(!a.aa);
	cr_expect_eq(a.error, TRACE_BAD_RDATA);
	cr_expect_eq(a.nrecords, 0);
	answers_clear(&a, 1);
}

/* T with one name NAME in ZONE, whose one answer (zeroed) it returns. */
static struct trace_answer *
one_answer(struct trace *t, const char *name, const char *zone)
{
	struct trace_name *tn;

	t->names = calloc(1, sizeof(*t->names));
	cr_assert_not_null(t->names);
	t->nnames = 1;
	tn = &t->names[0];
	strcpy(tn->name, name);
	strcpy(tn->zone, zone);
	tn->answers = calloc(1, sizeof(*tn->answers));
	cr_assert_not_null(tn->answers);
	tn->nanswers = 1;
	return &tn->answers[0];
}

/* T's JSON (trace_write_json()), to be freed. */
static char *
json_of(const struct trace *t)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cr_assert_not_null(f);
	trace_write_json(f, t);
	cr_assert_eq(fclose(f), 0);
	return text;
}

Test(probe_trace, json_names_server_family_and_disagreement)
{
	struct trace t = {0};
	struct trace_answer *a = one_answer(&t, "www.a.test", "a.test");
	struct sockaddr_in6 *sin6;
	char *text;

	strcpy(a->ns, "ns1.a.test");
	sin6 = (struct sockaddr_in6 *)&a->addr;
	sin6->sin6_family = AF_INET6;
	cr_assert_eq(inet_pton(AF_INET6, "fd00::2", &sin6->sin6_addr), 1);
	a->addrlen = sizeof(*sin6);
	a->family = 6;
	a->error = TRACE_TIMEOUT;
	a->rcode = -1;
	a->ms = 300.04;
	a->disagrees = true;

	text = json_of(&t);
	cr_expect_str_eq(
	        text,
	        "[{\"name\":\"www.a.test\",\"zone\":\"a.test\",\"error\":null,"
	        "\"servers\":[{\"ns\":\"ns1.a.test\",\"address\":\"fd00::2\","
	        "\"family\":6,\"rcode\":null,\"aa\":false,\"records\":[],"
	        "\"ms\":300.0,\"error\":\"timeout\",\"disagrees\":true}]}]");
	free(text);
	trace_clear(&t);
}

/* A stored record that does not parse is left out of "records", and the
 * JSON stays valid: no comma before the first record written. */
Test(probe_trace, json_records_skip_what_does_not_parse)
{
	static const uint8_t bad[] = "\0\40issue"; /* tag length past the end */
	struct trace t = {0};
	struct trace_answer *a = one_answer(&t, "a.test", "a.test");
	char *text;

	answer(a, TRACE_OK, 0, bad, sizeof(bad) - 1, LE);
	strcpy(a->ns, "ns1.a.test");
	text = json_of(&t);
	cr_expect_not_null(strstr(text, "\"records\":[{\"flags\":0,\"tag\":\"issue\","
	                                "\"value\":\"letsencrypt.org\"}]"),
	                   "%s", text);
	free(text);
	trace_clear(&t);
}

/* A name's check, decided without the network: no CAA RRset anywhere. */
struct check_fixture {
	struct check chk;
	struct lookup_result lookups[8];
};

static const char *const le[] = {"letsencrypt.org"};
static const struct caa_request le_req = {
        .issuers = le,
        .nissuers = 1,
        .policy = CAA_POLICY_RFC8659,
};

static void
check_fixture_init(struct check_fixture *fx, const char *name)
{
	struct caa_lookup views[8];

	memset(fx, 0, sizeof(*fx));
	cr_assert_eq(caa_candidates_build(name, &fx->chk.cands), CAA_OK);
	(void)snprintf(fx->chk.name, sizeof(fx->chk.name), "%s",
	               fx->chk.cands.name);
	fx->chk.lookups = fx->lookups;
	for (size_t i = 0; i < fx->chk.cands.count; i++) {
		fx->lookups[i].kind = CAA_LOOKUP_EMPTY;
		fx->lookups[i].ede = -1;
		fx->lookups[i].ms = 0.4;
		lookup_result_view(&fx->lookups[i], &views[i]);
	}
	cr_assert_eq(caa_check(&le_req, &fx->chk.cands, views, &fx->chk.result),
	             CAA_OK);
}

/* A trace of one name, its one server's IPv4 address timing out. */
static void
one_name_trace(struct trace *t)
{
	struct sockaddr_in *sin;
	struct trace_answer *a;

	memset(t, 0, sizeof(*t));
	t->names = calloc(1, sizeof(*t->names));
	cr_assert_not_null(t->names);
	t->nnames = 1;
	strcpy(t->names[0].name, "www.a.test");
	strcpy(t->names[0].zone, "a.test");
	t->names[0].answers = calloc(1, sizeof(*a));
	cr_assert_not_null(t->names[0].answers);
	t->names[0].nanswers = 1;
	a = &t->names[0].answers[0];
	strcpy(a->ns, "ns1.a.test");
	sin = (struct sockaddr_in *)&a->addr;
	sin->sin_family = AF_INET;
	cr_assert_eq(inet_pton(AF_INET, "192.0.2.53", &sin->sin_addr), 1);
	a->addrlen = sizeof(*sin);
	a->family = 4;
	a->error = TRACE_TIMEOUT;
	a->rcode = -1;
	a->ms = 300;
}

/* What report_check() writes of CHK with O, and with T (not NULL)
 * what trace_write_report() writes. */
static char *
written(const struct report_opts *o, const struct check *chk,
        const struct trace *t)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cr_assert_not_null(f);
	if (t != NULL) {
		trace_write_report(f, o, chk, t);
	} else {
		report_check(f, o, chk);
	}
	cr_assert_eq(fclose(f), 0);
	return text;
}

/*
 * --trace with --perspective: "trace" is a key of the name's object
 * itself, beside "perspectives" and "quorum" and after them, and the
 * object parses; the report around it is the report without --trace.
 */
Test(probe_trace, trace_is_a_key_of_the_name_object)
{
	struct check_fixture fx, west, east;
	struct check_remote rm[2] = {{"west", "ARIN", &west.chk},
	                             {"east", "RIPE", &east.chk}};
	struct report_opts o = {.format = REPORT_JSON,
	                        .ca = "letsencrypt.org",
	                        .policy = CAA_POLICY_RFC8659};
	struct trace t;
	char *plain, *trace_json, *got, *want;
	json_error_t jerr;
	json_t *obj, *tr, *tn, *server, *persp;
	size_t n;

	check_fixture_init(&fx, "www.a.test");
	check_fixture_init(&west, "www.a.test");
	check_fixture_init(&east, "www.a.test");
	fx.chk.remotes = rm;
	fx.chk.nremotes = 2;
	fx.chk.remotes_asked = true;
	fx.chk.corroborating = 2;
	one_name_trace(&t);

	for (int jsonl = 0; jsonl < 2; jsonl++) {
		o.format = jsonl ? REPORT_JSONL : REPORT_JSON;
		plain = written(&o, &fx.chk, NULL);
		trace_json = json_of(&t);
		got = written(&o, &fx.chk, &t);
		n = strlen(plain);
		cr_assert_gt(n, 0);
		want = malloc(n + strlen(trace_json) + 16);
		cr_assert_not_null(want);
		(void)sprintf(want, "%.*s,\"trace\":%s}", (int)(n - 1), plain,
		              trace_json);
		cr_assert_str_eq(got, want);

		obj = json_loads(got, 0, &jerr);
		cr_assert_not_null(obj, "%s: %s", jerr.text, got);
		cr_assert(json_is_object(obj));
		cr_assert_str_eq(
		        json_string_value(json_object_get(obj, "name")),
		        "www.a.test");
		cr_assert_str_eq(
		        json_string_value(json_object_get(obj, "verdict")),
		        "allowed");
		cr_assert_str_eq(
		        json_string_value(json_object_get(obj, "quorum")),
		        "2/2");
		persp = json_object_get(obj, "perspectives");
		cr_assert_eq(json_array_size(persp), 2);
		cr_assert_null(
		        json_object_get(json_array_get(persp, 1), "trace"));
		tr = json_object_get(obj, "trace");
		cr_assert(json_is_array(tr), "%s", got);
		cr_assert_eq(json_array_size(tr), 1);
		tn = json_array_get(tr, 0);
		cr_assert_str_eq(json_string_value(json_object_get(tn, "zone")),
		                 "a.test");
		server = json_array_get(json_object_get(tn, "servers"), 0);
		cr_assert_str_eq(
		        json_string_value(json_object_get(server, "error")),
		        "timeout");
		/* "trace" last: after "quorum", nothing but the brace. */
		cr_assert(strstr(got, ",\"quorum\":\"2/2\",\"trace\":[") !=
		          NULL);
		json_decref(obj);
		free(want);
		free(got);
		free(trace_json);
		free(plain);
	}
	trace_clear(&t);
}

/* Text and brief: the report as without --trace, then the trace block. */
Test(probe_trace, text_report_then_trace_block)
{
	static const enum report_format formats[] = {REPORT_TEXT, REPORT_BRIEF};
	static const char block[] = "  trace:\n"
	                            "    www.a.test  zone a.test\n"
	                            "      ns1.a.test           192.0.2.53 ";
	struct check_fixture fx;
	struct report_opts o = {.ca = "letsencrypt.org",
	                        .policy = CAA_POLICY_RFC8659};
	struct trace t;

	check_fixture_init(&fx, "www.a.test");
	one_name_trace(&t);
	for (size_t i = 0; i < 2; i++) {
		char *plain, *got;
		size_t n;

		o.format = formats[i];
		plain = written(&o, &fx.chk, NULL);
		got = written(&o, &fx.chk, &t);
		n = strlen(plain);
		cr_assert(strncmp(got, plain, n) == 0, "%s", got);
		cr_assert(strncmp(got + n, block, strlen(block)) == 0, "%s",
		          got + n);
		free(got);
		free(plain);
	}
	trace_clear(&t);
}
/* A UDP socket on 127.0.0.1 that never answers: its address into SIN. */
static int
silent(struct sockaddr_in *sin)
{
	socklen_t len = sizeof(*sin);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	cr_assert_geq(fd, 0);
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(fd, (struct sockaddr *)sin, sizeof(*sin)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)sin, &len), 0);
	return fd;
}

/* An address of 127.0.0.1 where nobody listens: ICMP port unreachable. */
static void
closed(struct sockaddr_in *sin)
{
	close(silent(sin));
}

/* Appends to name TN a server at SIN. */
static void
server(struct trace_name *tn, const char *ns, const struct sockaddr_in *sin)
{
	struct trace_answer *a;

	tn->answers =
	        realloc(tn->answers, (tn->nanswers + 1) * sizeof(*tn->answers));
	cr_assert_not_null(tn->answers);
	a = &tn->answers[tn->nanswers++];
	memset(a, 0, sizeof(*a));
	(void)snprintf(a->ns, sizeof(a->ns), "%s", ns);
	memcpy(&a->addr, sin, sizeof(*sin));
	a->addrlen = sizeof(*sin);
	a->family = 4;
	a->rcode = -1;
}

/* T with the names NAMES[0..N), no servers yet. */
static void
names(struct trace *t, const char *const *list, size_t n)
{
	memset(t, 0, sizeof(*t));
	t->names = calloc(n, sizeof(*t->names));
	cr_assert_not_null(t->names);
	t->nnames = n;
	for (size_t i = 0; i < n; i++) {
		(void)snprintf(t->names[i].name, sizeof(t->names[i].name), "%s",
		               list[i]);
	}
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The queries FD received, at most MAX: each one's QNAME in text (the
 * first label only, enough here) into QN[], its RD bit and ID. */
static size_t
queries(int fd, char qn[][64], bool *rd, uint16_t *id, size_t max)
{
	size_t n = 0;
	uint8_t buf[512];
	ssize_t k;

	while (n < max && (k = recv(fd, buf, sizeof(buf), 0)) > 12) {
		size_t l = buf[12];

		cr_assert_lt(13 + l, (size_t)k);
		memcpy(qn[n], buf + 13, l < 63 ? l : 63);
		qn[n][l < 63 ? l : 63] = '\0';
		rd[n] = (buf[2] & 0x01) != 0;
		id[n] = (uint16_t)(buf[0] << 8 | buf[1]);
		n++;
	}
	return n;
}

Test(probe_trace, every_name_is_asked_at_once, .timeout = 20)
{
	/* Four names held by the same servers: one drops the question, at
	 * the other nobody listens.  Asked one name after the other, the
	 * drops would cost four timeouts. */
	static const char *const list[] = {"a.b.c.test", "b.c.test", "c.test",
	                                   "test"};
	struct sockaddr_in drop, refused;
	int fd = silent(&drop);
	struct trace t;
	char qn[8][64];
	bool rd[8];
	uint16_t id[8];
	double t0;

	closed(&refused);
	names(&t, list, 4);
	for (size_t i = 0; i < 4; i++) {
		server(&t.names[i], "ns1.test", &drop);
		server(&t.names[i], "ns2.test", &refused);
		server(&t.names[i], "ns3.test", &refused);
		t.names[i].answers[2].family = 0; /* ns3: no address found */
		t.names[i].answers[2].error = TRACE_NETWORK;
	}
	t0 = now_ms();
	cr_assert_eq(trace_ask(t.names, 4, 300, 1, TRACE_ASK_OPEN), 0);
	cr_expect_lt(now_ms() - t0, 600.0, "four names took %.0f ms",
	             now_ms() - t0);
	for (size_t i = 0; i < 4; i++) {
		const struct trace_answer *a = t.names[i].answers;

		cr_expect_eq(a[0].error, TRACE_TIMEOUT, "%s", list[i]);
		cr_expect_eq(a[0].rcode, -1);
		cr_expect_geq(a[0].ms, 299.0, "%s: %.1f ms", list[i], a[0].ms);
		cr_expect_eq(a[1].error, TRACE_REFUSED, "%s", list[i]);
		cr_expect_lt(a[1].ms, 300.0);
		/* Nothing to ask: as the zone's lookup left it. */
		cr_expect_eq(a[2].error, TRACE_NETWORK);
		cr_expect_eq(a[2].ms, 0.0);
	}
	/* One query per name, for that name (in the order of the climb),
	 * RD clear. */
	cr_assert_eq(queries(fd, qn, rd, id, 8), 4);
	for (size_t i = 0; i < 4; i++) {
		static const char *const first[] = {"a", "b", "c", "test"};

		cr_expect_str_eq(qn[i], first[i]);
		cr_expect(!rd[i]);
	}
	close(fd);
	trace_clear(&t);
}

Test(probe_trace, only_timeouts_are_retried, .timeout = 20)
{
	static const char *const list[] = {"a.test"};
	struct sockaddr_in drop, refused;
	int fd = silent(&drop);
	struct trace t;
	char qn[8][64];
	bool rd[8];
	uint16_t id[8];

	closed(&refused);
	names(&t, list, 1);
	server(&t.names[0], "ns1.a.test", &drop);
	server(&t.names[0], "ns2.a.test", &refused);
	cr_assert_eq(trace_ask(t.names, 1, 100, 3, TRACE_ASK_OPEN), 0);
	cr_expect_eq(t.names[0].answers[0].error, TRACE_TIMEOUT);
	cr_expect_geq(t.names[0].answers[0].ms, 299.0, "%.1f ms",
	              t.names[0].answers[0].ms);
	cr_expect_eq(t.names[0].answers[1].error, TRACE_REFUSED);
	/* Three tries of the same query; the refused address once. */
	cr_assert_eq(queries(fd, qn, rd, id, 8), 3);
	cr_expect(id[0] == id[1] && id[1] == id[2]);
	close(fd);
	trace_clear(&t);
}

Test(probe_trace, beyond_the_bound_the_rest_are_asked_next, .timeout = 20)
{
	/* Three questions, two at a time: the third waits for a slot, and
	 * is asked, not failed. */
	static const char *const list[] = {"a.test", "b.test", "c.test"};
	struct sockaddr_in drop;
	int fd = silent(&drop);
	struct trace t;
	char qn[8][64];
	bool rd[8];
	uint16_t id[8];
	double t0;

	names(&t, list, 3);
	for (size_t i = 0; i < 3; i++) {
		server(&t.names[i], "ns.test", &drop);
	}
	t0 = now_ms();
	cr_assert_eq(trace_ask(t.names, 3, 200, 1, 2), 0);
	cr_expect_geq(now_ms() - t0, 399.0, "two rounds took %.0f ms",
	              now_ms() - t0);
	for (size_t i = 0; i < 3; i++) {
		cr_expect_eq(t.names[i].answers[0].error, TRACE_TIMEOUT, "%s",
		             list[i]);
		cr_expect_geq(t.names[i].answers[0].ms, 199.0);
		cr_expect_lt(t.names[i].answers[0].ms, 399.0,
		             "%s: ms counts from its own first query", list[i]);
	}
	cr_expect_eq(queries(fd, qn, rd, id, 8), 3);
	close(fd);
	trace_clear(&t);
}

/* The lowest limit of descriptors under which exactly N are free. */
static rlim_t
fd_limit_leaving(int n)
{
	int fd = 0;

	for (int free_fds = 0; free_fds < n; fd++) {
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
			free_fds++;
		}
	}
	return (rlim_t)fd;
}

Test(probe_trace, a_question_refused_a_descriptor_waits_for_one, .timeout = 20)
{
	/* Room for two sockets only (EMFILE after): the other questions
	 * are asked when those end, not failed as network errors. */
	static const char *const list[] = {"a.test", "b.test"};
	struct sockaddr_in drop;
	int fd = silent(&drop);
	struct trace t;
	struct rlimit rl, low;
	char qn[8][64];
	bool rd[8];
	uint16_t id[8];

	names(&t, list, 2);
	for (size_t i = 0; i < 2; i++) {
		server(&t.names[i], "ns1.test", &drop);
		server(&t.names[i], "ns2.test", &drop);
	}
	cr_assert_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	low = rl;
	low.rlim_cur = fd_limit_leaving(2);
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	cr_expect_eq(trace_ask(t.names, 2, 100, 1, TRACE_ASK_OPEN), 0);
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	for (size_t i = 0; i < 2; i++) {
		for (size_t j = 0; j < 2; j++) {
			cr_expect_eq(t.names[i].answers[j].error, TRACE_TIMEOUT,
			             "%s, server %zu", list[i], j);
		}
	}
	cr_expect_eq(queries(fd, qn, rd, id, 8), 4);
	close(fd);
	trace_clear(&t);
}

Test(probe_trace, the_open_bound_follows_the_descriptor_limit)
{
	struct rlimit rl, low;

	cr_assert_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	low = rl;
	low.rlim_cur = 100; /* a small limit: half of it is left to the
	                     * probe */
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	cr_expect_eq(trace_ask_open_max(), 50);
	low.rlim_cur = 1024; /* room for all the addresses of a zone */
	if (rl.rlim_max >= 1024) {
		cr_assert_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
		cr_expect_eq(trace_ask_open_max(), TRACE_ASK_OPEN);
	}
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
}
