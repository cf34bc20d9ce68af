/*
 * tests/unit/test_history.c -- the in-memory query history behind GET
 * /queries: bounded, ordered, filtered, and printed as the query log.
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "fault.h"
#include "history.h"
#include "log.h"
#include "query.h"
#include "wire.h"

static const struct timespec test_ts = {1795341600, 123456789};

static struct sockaddr_in
test_v4(const char *addr, unsigned port)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	cr_assert_eq(inet_pton(AF_INET, addr, &sin.sin_addr), 1);
	return sin;
}

/* NAME in presentation form (plain labels, no trailing dot) to wire. */
static size_t
test_wire(const char *name, uint8_t *out)
{
	size_t len = 0;

	while (*name != '\0') {
		size_t n = strcspn(name, ".");

		out[len++] = (uint8_t)n;
		memcpy(out + len, name, n);
		len += n;
		name += n;
		if (*name == '.') {
			name++;
		}
	}
	out[len++] = 0;
	return len;
}

static void
test_result(struct query_result *res, const char *qname, uint16_t qtype,
            uint16_t id)
{
	memset(res, 0, sizeof(*res));
	res->verdict = QUERY_SEND;
	res->rcode = WIRE_RCODE_NOERROR;
	res->honest_rcode = WIRE_RCODE_NOERROR;
	res->id = id;
	if (qname == NULL) {
		return;
	}
	res->has_question = true;
	res->qtype = qtype;
	res->qclass = WIRE_CLASS_IN;
	res->qname_len = (uint8_t)test_wire(qname, res->qname);
}

static void
test_add(struct history *h, const char *qname, uint16_t qtype, uint16_t id)
{
	struct sockaddr_in sin = test_v4("127.0.0.1", 5300);
	struct query_result res;

	test_result(&res, qname, qtype, id);
	cr_assert_eq(history_add(h, &test_ts, (const struct sockaddr *)&sin,
	                         QUERY_UDP, &res),
	             0);
}

Test(history, keeps_entries_oldest_first)
{
	struct history *h = history_new(10);

	cr_assert_not_null(h);
	cr_assert_eq(history_count(h), 0);
	cr_assert_null(history_get(h, 0));
	test_add(h, "a.test", WIRE_TYPE_A, 1);
	test_add(h, "b.test", WIRE_TYPE_CAA, 2);
	cr_assert_eq(history_count(h), 2);
	cr_assert_eq(history_get(h, 0)->id, 1);
	cr_assert_eq(history_get(h, 1)->id, 2);
	cr_assert_eq(history_get(h, 1)->qtype, WIRE_TYPE_CAA);
	cr_assert_eq(history_get(h, 1)->qclass, WIRE_CLASS_IN);
	cr_assert_null(history_get(h, 2));
	history_free(h);
}

Test(history, is_bounded_and_drops_the_oldest)
{
	struct history *h = history_new(100);

	for (unsigned i = 0; i < 1000; i++) {
		test_add(h, "a.test", WIRE_TYPE_A, (uint16_t)i);
		cr_assert_leq(history_count(h), 100);
	}
	cr_assert_eq(history_count(h), 100);
	for (unsigned i = 0; i < 100; i++) {
		cr_assert_eq(history_get(h, i)->id, 900 + i);
	}
	cr_assert_eq(history_lost(h), 0);
	history_free(h);
}

Test(history, zero_capacity_is_refused)
{
	cr_assert_null(history_new(0));
	history_free(NULL);
}

Test(history, default_capacity_is_ten_thousand)
{
	struct history *h = history_new(HISTORY_CAP_DEFAULT);

	for (unsigned i = 0; i < HISTORY_CAP_DEFAULT + 5; i++) {
		test_add(h, "a.test", WIRE_TYPE_A, (uint16_t)i);
	}
	cr_assert_eq(history_count(h), 10000);
	cr_assert_eq(history_get(h, 0)->id, 5);
	history_free(h);
}

Test(history, filters_by_name_without_case_and_by_type)
{
	struct history *h = history_new(10);
	uint8_t name[WIRE_NAME_MAX];

	test_add(h, "WWW.Example.TEST", WIRE_TYPE_A, 1);
	test_add(h, "www.example.test", WIRE_TYPE_CAA, 2);
	test_add(h, "other.test", WIRE_TYPE_CAA, 3);
	test_add(h, NULL, 0, 4);
	(void)test_wire("www.example.test", name);
	cr_assert(history_entry_matches(history_get(h, 0), name, -1));
	cr_assert(history_entry_matches(history_get(h, 1), name, -1));
	cr_assert_not(history_entry_matches(history_get(h, 2), name, -1));
	cr_assert_not(
	        history_entry_matches(history_get(h, 0), name, WIRE_TYPE_CAA));
	cr_assert(
	        history_entry_matches(history_get(h, 2), NULL, WIRE_TYPE_CAA));
	/* No question: only "any name, any type" takes it. */
	cr_assert(history_entry_matches(history_get(h, 3), NULL, -1));
	cr_assert_not(
	        history_entry_matches(history_get(h, 3), NULL, WIRE_TYPE_A));
	cr_assert_not(history_entry_matches(history_get(h, 3), name, -1));
	history_free(h);
}

Test(history, remove_keeps_the_order_of_the_rest)
{
	struct history *h = history_new(4);
	uint8_t name[WIRE_NAME_MAX];

	/* Wrap the ring first, so removal works across its end. */
	for (unsigned i = 0; i < 6; i++) {
		test_add(h, i % 2 ? "x.test" : "y.test", WIRE_TYPE_TXT,
		         (uint16_t)i);
	}
	(void)test_wire("X.TEST", name);
	cr_assert_eq(history_remove(h, name, -1), 2);
	cr_assert_eq(history_count(h), 2);
	cr_assert_eq(history_get(h, 0)->id, 2);
	cr_assert_eq(history_get(h, 1)->id, 4);
	test_add(h, "x.test", WIRE_TYPE_TXT, 6);
	test_add(h, "x.test", WIRE_TYPE_TXT, 7);
	test_add(h, "x.test", WIRE_TYPE_TXT, 8);
	cr_assert_eq(history_count(h), 4);
	cr_assert_eq(history_get(h, 0)->id, 4);
	cr_assert_eq(history_get(h, 3)->id, 8);
	cr_assert_eq(history_remove(h, NULL, WIRE_TYPE_A), 0);
	cr_assert_eq(history_remove(h, NULL, -1), 4);
	cr_assert_eq(history_count(h), 0);
	history_free(h);
}

Test(history, clear_empties_it)
{
	struct history *h = history_new(4);

	test_add(h, "a.test", WIRE_TYPE_A, 1);
	history_clear(h);
	cr_assert_eq(history_count(h), 0);
	test_add(h, "b.test", WIRE_TYPE_A, 2);
	cr_assert_eq(history_get(h, 0)->id, 2);
	history_free(h);
}

/* The line of an entry is the query log line of the same query. */
static void
test_same_line(const struct sockaddr *client, enum query_transport tp,
               const struct query_result *res)
{
	char want[LOG_QUERY_LINE_MAX], got[LOG_QUERY_LINE_MAX];
	struct history *h = history_new(1);
	size_t n;

	(void)log_query_format(want, sizeof(want), &test_ts, client, tp, res);
	cr_assert_eq(history_add(h, &test_ts, client, tp, res), 0);
	n = history_entry_format(history_get(h, 0), got, sizeof(got));
	cr_assert_str_eq(got, want);
	cr_assert_eq(n, strlen(want));
	history_free(h);
}

Test(history, prints_what_the_query_log_prints)
{
	struct sockaddr_in sin = test_v4("127.0.0.1", 40122);
	struct sockaddr_in6 sin6;
	struct fault_rule *rule = NULL;
	struct query_result res;
	char err[256];

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(53);
	cr_assert_eq(inet_pton(AF_INET6, "::1", &sin6.sin6_addr), 1);

	test_result(&res, "Host.Example.TEST", WIRE_TYPE_CAA, 4660);
	res.rcode = WIRE_RCODE_SERVFAIL;
	test_same_line((const struct sockaddr *)&sin, QUERY_UDP, &res);

	res.aa = true;
	res.tc = true;
	res.answers = 3;
	res.delay_ms = 1500;
	test_same_line((const struct sockaddr *)&sin6, QUERY_TCP, &res);

	cr_assert_eq(fault_rule_parse("delay host.example.test CAA ms=20",
	                              &rule, err, sizeof(err)),
	             0, "%s", err);
	res.rule = rule;
	test_same_line((const struct sockaddr *)&sin, QUERY_UDP, &res);
	res.verdict = QUERY_DROP;
	test_same_line((const struct sockaddr *)&sin, QUERY_UDP, &res);

	test_result(&res, NULL, 0, 7);
	res.rcode = WIRE_RCODE_FORMERR;
	test_same_line((const struct sockaddr *)&sin, QUERY_UDP, &res);
	fault_rule_free(rule);
}

/*
 * GET /queries joins these lines into an array: the longest name (255
 * octets of \\001 labels) and a rule naming it give a whole JSON object,
 * the same as the query log's line.
 */
Test(history, longest_name_and_rule_give_a_json_line)
{
	struct sockaddr_in sin = test_v4("127.0.0.1", 40122);
	struct fault_rule *rule = NULL;
	struct query_result res;
	struct history *h = history_new(1);
	char name[WIRE_NAME_MAX * 4 + 8], rule_text[2048], err[256];
	char line[LOG_QUERY_LINE_MAX];
	json_error_t jerr;
	json_t *obj;
	size_t len = 0, n;

	test_result(&res, NULL, WIRE_TYPE_CAA, 4660);
	res.has_question = true;
	for (size_t left = WIRE_NAME_MAX - 1; left > 1; left -= 1 + len) {
		len = left - 1 < 63 ? left - 1 : 63;
		res.qname[res.qname_len++] = (uint8_t)len;
		memset(res.qname + res.qname_len, 0x01, len);
		res.qname_len = (uint8_t)(res.qname_len + len);
	}
	res.qname[res.qname_len++] = 0;
	cr_assert_eq(res.qname_len, WIRE_NAME_MAX);
	n = wire_name_to_str(res.qname, name, sizeof(name));
	name[n - 1] = '\0';
	(void)snprintf(rule_text, sizeof(rule_text),
	               "delay %s * ms=4294967295 count=4294967295", name);
	cr_assert_eq(fault_rule_parse(rule_text, &rule, err, sizeof(err)), 0,
	             "%s", err);
	res.rule = rule;
	res.delay_ms = 4294967295U;
	test_same_line((const struct sockaddr *)&sin, QUERY_UDP, &res);
	cr_assert_eq(history_add(h, &test_ts, (const struct sockaddr *)&sin,
	                         QUERY_UDP, &res),
	             0);
	n = history_entry_format(history_get(h, 0), line, sizeof(line));
	cr_assert_lt(n, sizeof(line));
	obj = json_loads(line, 0, &jerr);
	cr_assert_not_null(obj, "%s: %s", jerr.text, line);
	name[strlen(name)] = '.';
	cr_assert_str_eq(json_string_value(json_object_get(obj, "qname")),
	                 name);
	cr_assert_str_eq(json_string_value(json_object_get(obj, "fault")),
	                 fault_rule_text(rule));
	json_decref(obj);
	history_free(h);
	fault_rule_free(rule);
}

Test(history, keeps_the_rule_text_after_the_rule_is_gone)
{
	struct sockaddr_in sin = test_v4("127.0.0.1", 1);
	struct history *h = history_new(2);
	struct fault_rule *rule = NULL;
	struct query_result res;
	char line[LOG_QUERY_LINE_MAX], err[256];

	cr_assert_eq(
	        fault_rule_parse("servfail x.test *", &rule, err, sizeof(err)),
	        0);
	test_result(&res, "x.test", WIRE_TYPE_A, 1);
	res.rule = rule;
	cr_assert_eq(history_add(h, &test_ts, (const struct sockaddr *)&sin,
	                         QUERY_UDP, &res),
	             0);
	fault_rule_free(rule);
	(void)history_entry_format(history_get(h, 0), line, sizeof(line));
	cr_assert(strstr(line, "\"fault\":\"servfail x.test *\"") != NULL, "%s",
	          line);
	/* The oldest entry goes with its text (ASan sees a leak if not). */
	test_add(h, "y.test", WIRE_TYPE_A, 2);
	test_add(h, "z.test", WIRE_TYPE_A, 3);
	cr_assert_eq(history_get(h, 0)->id, 2);
	history_free(h);
}

/* A rule that keeps firing costs one copy of its text, not one a query. */
Test(history, the_same_rule_text_is_shared)
{
	struct sockaddr_in sin = test_v4("127.0.0.1", 1);
	struct history *h = history_new(4);
	struct fault_rule *a = NULL, *b = NULL;
	struct query_result res;
	char line[LOG_QUERY_LINE_MAX], err[256];

	cr_assert_eq(fault_rule_parse("delay . * ms=5", &a, err, sizeof(err)),
	             0);
	cr_assert_eq(fault_rule_parse("drop . A", &b, err, sizeof(err)), 0);
	test_result(&res, "x.test", WIRE_TYPE_A, 1);
	for (int i = 0; i < 5; i++) {
		res.rule = i == 3 ? b : a;
		cr_assert_eq(history_add(h, &test_ts,
		                         (const struct sockaddr *)&sin,
		                         QUERY_UDP, &res),
		             0);
	}
	/* Kept: a (i = 1, 2: one copy), b (i = 3), a (i = 4). */
	cr_assert_eq(history_get(h, 0)->fault, history_get(h, 1)->fault);
	cr_assert_neq(history_get(h, 1)->fault, history_get(h, 2)->fault);
	cr_assert_str_eq(history_get(h, 0)->fault->text, "delay . * ms=5");
	cr_assert_str_eq(history_get(h, 2)->fault->text, "drop . A");
	cr_assert_str_eq(history_get(h, 3)->fault->text, "delay . * ms=5");
	fault_rule_free(a);
	fault_rule_free(b);
	cr_assert_eq(history_remove(h, NULL, -1), 4);
	res.rule = NULL;
	test_add(h, "y.test", WIRE_TYPE_A, 2);
	(void)history_entry_format(history_get(h, 0), line, sizeof(line));
	cr_assert(strstr(line, "\"fault\":null") != NULL, "%s", line);
	history_free(h);
}

Test(history, records_only_while_attached)
{
	struct sockaddr_in sin = test_v4("127.0.0.1", 1);
	struct history *h = history_new(8);
	struct query_result res;

	test_result(&res, "a.test", WIRE_TYPE_A, 1);
	cr_assert_not(history_is_recording());
	history_record(&test_ts, (const struct sockaddr *)&sin, QUERY_UDP,
	               &res);
	cr_assert_eq(history_count(h), 0);
	history_attach(h);
	cr_assert(history_is_recording());
	/* log_query() is the hook net.c calls for every query. */
	log_query((const struct sockaddr *)&sin, QUERY_UDP, &res);
	log_query((const struct sockaddr *)&sin, QUERY_TCP, &res);
	cr_assert_eq(history_count(h), 2);
	cr_assert_eq(history_get(h, 1)->tp, QUERY_TCP);
	history_attach(NULL);
	log_query((const struct sockaddr *)&sin, QUERY_UDP, &res);
	cr_assert_eq(history_count(h), 2);
	history_attach(h);
	history_free(h); /* detaches itself */
	cr_assert_not(history_is_recording());
}
