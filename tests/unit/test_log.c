/*
 * tests/unit/test_log.c -- the query log line (docs/query-log.md),
 * addresses as the log prints them, and the log file itself.
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "fault.h"
#include "log.h"
#include "query.h"
#include "wire.h"

/* 2026-11-22T10:00:00.123Z */
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

static struct sockaddr_in6
test_v6(const char *addr, unsigned port)
{
	struct sockaddr_in6 sin6;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons((uint16_t)port);
	cr_assert_eq(inet_pton(AF_INET6, addr, &sin6.sin6_addr), 1);
	return sin6;
}

/* A result for QNAME (presentation form, plain labels only). */
static void
test_result(struct query_result *res, const char *qname, uint16_t qtype)
{
	size_t len = 0;

	memset(res, 0, sizeof(*res));
	res->verdict = QUERY_SEND;
	res->rcode = -1;
	res->honest_rcode = -1;
	if (qname == NULL) {
		return;
	}
	res->has_question = true;
	res->qtype = qtype;
	res->qclass = WIRE_CLASS_IN;
	while (*qname != '\0') {
		size_t n = strcspn(qname, ".");

		res->qname[len++] = (uint8_t)n;
		memcpy(res->qname + len, qname, n);
		len += n;
		qname += n;
		if (*qname == '.') {
			qname++;
		}
	}
	res->qname[len++] = 0;
	res->qname_len = (uint8_t)len;
}

Test(log_query, the_design_example)
{
	struct sockaddr_in sin = test_v4("127.0.0.1", 40122);
	struct query_result res;
	char line[LOG_QUERY_LINE_MAX];
	size_t n;

	test_result(&res, "host.example.test", WIRE_TYPE_CAA);
	res.id = 4660;
	res.rcode = WIRE_RCODE_SERVFAIL;
	res.aa = true;
	n = log_query_format(line, sizeof(line), &test_ts,
	                     (const struct sockaddr *)&sin, QUERY_UDP, &res);
	cr_assert_str_eq(
	        line,
	        "{\"ts\":\"2026-11-22T10:00:00.123Z\",\"client\":\"127.0.0.1:"
	        "40122\",\"transport\":\"udp\",\"id\":4660,\"qname\":\"host."
	        "example.test.\",\"qtype\":\"CAA\",\"rcode\":\"SERVFAIL\","
	        "\"aa\":true,\"tc\":false,\"answers\":0,\"fault\":null,"
	        "\"delay_ms\":0,\"dropped\":false}");
	cr_assert_eq(n, strlen(line));
}

Test(log_query, ipv6_tcp_and_letter_case_kept)
{
	struct sockaddr_in6 sin6 = test_v6("::1", 53);
	struct query_result res;
	char line[LOG_QUERY_LINE_MAX];

	test_result(&res, "WwW.Example.TEST", WIRE_TYPE_A);
	res.id = 65535;
	res.rcode = WIRE_RCODE_NOERROR;
	res.tc = true;
	res.answers = 3;
	res.delay_ms = 1500;
	(void)log_query_format(line, sizeof(line), &test_ts,
	                       (const struct sockaddr *)&sin6, QUERY_TCP, &res);
	cr_assert(strstr(line, "\"client\":\"[::1]:53\",\"transport\":\"tcp\","
	                       "\"id\":65535,\"qname\":\"WwW.Example.TEST.\","
	                       "\"qtype\":\"A\",\"rcode\":\"NOERROR\",\"aa\":"
	                       "false,\"tc\":true,\"answers\":3,") != NULL,
	          "%s", line);
	cr_assert(strstr(line, "\"delay_ms\":1500,") != NULL, "%s", line);
}

Test(log_query, no_question_gives_nulls)
{
	struct sockaddr_in sin = test_v4("192.0.2.7", 1);
	struct query_result res;
	char line[LOG_QUERY_LINE_MAX];

	test_result(&res, NULL, 0);
	res.id = 7;
	res.rcode = WIRE_RCODE_FORMERR;
	(void)log_query_format(line, sizeof(line), &test_ts,
	                       (const struct sockaddr *)&sin, QUERY_UDP, &res);
	cr_assert(strstr(line, "\"qname\":null,\"qtype\":null,\"rcode\":"
	                       "\"FORMERR\",") != NULL,
	          "%s", line);
}

Test(log_query, dropped_has_no_rcode)
{
	struct sockaddr_in sin = test_v4("127.0.0.1", 9);
	struct query_result res;
	char line[LOG_QUERY_LINE_MAX];

	test_result(&res, "example.test", WIRE_TYPE_CAA);
	res.verdict = QUERY_DROP;
	res.drop = QUERY_DROP_FAULT;
	res.rcode = WIRE_RCODE_NOERROR;
	(void)log_query_format(line, sizeof(line), &test_ts,
	                       (const struct sockaddr *)&sin, QUERY_UDP, &res);
	cr_assert(strstr(line, "\"rcode\":null,") != NULL, "%s", line);
	cr_assert(strstr(line, "\"dropped\":true,\"drop_reason\":\"fault\"}") !=
	                  NULL,
	          "%s", line);
}

Test(log_query, unknown_type_and_extended_rcode)
{
	struct sockaddr_in sin = test_v4("127.0.0.1", 9);
	struct query_result res;
	char line[LOG_QUERY_LINE_MAX];

	test_result(&res, ".", 65280);
	res.rcode = WIRE_RCODE_BADVERS;
	(void)log_query_format(line, sizeof(line), &test_ts,
	                       (const struct sockaddr *)&sin, QUERY_UDP, &res);
	cr_assert(strstr(line, "\"qname\":\".\",\"qtype\":\"TYPE65280\","
	                       "\"rcode\":\"BADVERS\",") != NULL,
	          "%s", line);
}

Test(log_query, odd_octets_in_qname_are_json_escaped)
{
	static const uint8_t name[] = {5, 'a', '"', '\\', 0x01, '.', 0};
	struct sockaddr_in sin = test_v4("127.0.0.1", 9);
	struct query_result res;
	char line[LOG_QUERY_LINE_MAX];

	test_result(&res, "x", WIRE_TYPE_TXT);
	memcpy(res.qname, name, sizeof(name));
	res.qname_len = sizeof(name);
	(void)log_query_format(line, sizeof(line), &test_ts,
	                       (const struct sockaddr *)&sin, QUERY_UDP, &res);
	/* RFC 1035 escapes a\"\\\001\. and then JSON escapes each '\'. */
	cr_assert(strstr(line, "\"qname\":\"a\\\\\\\"\\\\\\\\\\\\001\\\\..\","
	                       "\"qtype\":\"TXT\"") != NULL,
	          "%s", line);
	for (const char *p = line; *p != '\0'; p++) {
		cr_assert(*p >= 0x20 && *p < 0x7f, "control octet in %s", line);
	}
}

Test(log_query, longest_name_fits)
{
	struct sockaddr_in6 sin6 =
	        test_v6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535);
	struct query_result res;
	char line[LOG_QUERY_LINE_MAX];
	size_t len = 0;
	size_t n;

	test_result(&res, NULL, 0);
	res.has_question = true;
	res.qtype = 65535;
	/* Four labels of 62 backslashes: 4 * 63 + 1 = 253 octets. */
	for (int l = 0; l < 4; l++) {
		res.qname[len++] = 62;
		memset(res.qname + len, '\\', 62);
		len += 62;
	}
	res.qname[len++] = 0;
	res.qname_len = (uint8_t)len;
	res.rcode = 4095;
	res.id = 65535;
	res.answers = 65535;
	res.delay_ms = UINT32_MAX;
	n = log_query_format(line, sizeof(line), &test_ts,
	                     (const struct sockaddr *)&sin6, QUERY_TCP, &res);
	cr_assert_lt(n, sizeof(line));
	cr_assert_eq(n, strlen(line));
	cr_assert_eq(line[n - 1], '}');
}

/*
 * The longest names: NLABELS labels of LABELLEN octets of OCTET (the last
 * one shorter, so that the name is 255 octets), into RES.  \\001 is the
 * octet that grows most: four characters of presentation form, five of
 * JSON.
 */
static void
test_long_name(struct query_result *res, size_t labellen, uint8_t octet)
{
	size_t len = 0;

	while (len + 1 < WIRE_NAME_MAX) {
		size_t n = WIRE_NAME_MAX - 1 - len - 1;

		n = n < labellen ? n : labellen;
		res->qname[len++] = (uint8_t)n;
		memset(res->qname + len, octet, n);
		len += n;
	}
	res->qname[len++] = 0;
	res->qname_len = (uint8_t)len;
	cr_assert_eq(len, WIRE_NAME_MAX);
}

/* LINE parsed by jansson: an object, or the test fails. */
static json_t *
test_json(const char *line)
{
	json_error_t jerr;
	json_t *obj = json_loads(line, 0, &jerr);

	cr_assert_not_null(obj, "not JSON (%s at %d): %s", jerr.text,
	                   jerr.position, line);
	cr_assert(json_is_object(obj), "%s", line);
	return obj;
}

static const char *
test_json_str(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	cr_assert(json_is_string(v), "%s is not a string", key);
	return json_string_value(v);
}

/*
 * The worst case of every field at once: a 255-octet name of \001 labels,
 * a rule naming it with every option at its widest, a drop reason, the
 * widest client and numbers.  Each line is JSON and says what was asked.
 */
Test(log_query, worst_case_name_and_rule_are_json)
{
	static const size_t labellen[] = {1, 2, 3, 62, 63};
	struct sockaddr_in6 sin6 =
	        test_v6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535);

	for (size_t i = 0; i < sizeof(labellen) / sizeof(*labellen); i++) {
		struct query_result res;
		struct fault_rule *rule = NULL;
		char name[WIRE_NAME_MAX * 4 + 8];
		char text[2 * LOG_FAULT_TEXT_MAX];
		char line[LOG_QUERY_LINE_MAX];
		char err[256];
		json_t *obj;
		size_t n;

		test_result(&res, NULL, 0);
		res.has_question = true;
		res.qtype = 65535;
		test_long_name(&res, labellen[i], 0x01);
		n = wire_name_to_str(res.qname, name, sizeof(name));
		cr_assert_lt(n, sizeof(name));
		name[n - 1] = '\0'; /* the rule's name: no trailing dot */
		(void)snprintf(text, sizeof(text),
		               "truncate %s TYPE65535 count=4294967295 "
		               "after=4294967295 every=4294967295 "
		               "p=2.2250738585072014e-308 transport=udp "
		               "family=6 ms=4294967295 ede=65535 tcp=nxdomain",
		               name);
		cr_assert_eq(fault_rule_parse(text, &rule, err, sizeof(err)), 0,
		             "%s: %s", text, err);
		cr_assert_lt(strlen(fault_rule_text(rule)), LOG_FAULT_TEXT_MAX);
		res.rule = rule;
		res.id = 65535;
		res.answers = 65535;
		res.delay_ms = UINT32_MAX;
		res.rcode = 4095;
		res.verdict = QUERY_DROP;
		res.drop = QUERY_DROP_DELAY_OCTETS;
		n = log_query_format(line, sizeof(line), &test_ts,
		                     (const struct sockaddr *)&sin6, QUERY_TCP,
		                     &res);
		cr_assert_lt(n, sizeof(line));
		cr_assert_eq(n, strlen(line));
		obj = test_json(line);
		name[strlen(name)] = '.';
		cr_assert_str_eq(test_json_str(obj, "qname"), name);
		cr_assert_str_eq(test_json_str(obj, "fault"),
		                 fault_rule_text(rule));
		cr_assert_str_eq(test_json_str(obj, "qtype"), "TYPE65535");
		cr_assert_str_eq(test_json_str(obj, "drop_reason"),
		                 "max-delayed-octets");
		cr_assert(json_is_true(json_object_get(obj, "dropped")));
		cr_assert_eq(json_integer_value(json_object_get(obj, "delay_ms")),
		             (json_int_t)UINT32_MAX);
		json_decref(obj);
		fault_rule_free(rule);
	}
}

/*
 * A fault text longer than any rule's (a caller's mistake) is cut, with
 * "...", and its control octets escaped: the line is still JSON.
 */
Test(log_query, overlong_fault_text_is_cut_and_stays_json)
{
	struct sockaddr_in sin = test_v4("127.0.0.1", 9);
	struct log_fields f = {0};
	char fault[3 * LOG_FAULT_TEXT_MAX];
	char line[LOG_QUERY_LINE_MAX];
	const char *got;
	json_t *obj;
	size_t n;

	for (size_t i = 0; i + 1 < sizeof(fault); i++) {
		fault[i] = "\"\\\x01x\x7f"[i % 5];
	}
	fault[sizeof(fault) - 1] = '\0';
	f.ts = test_ts;
	f.client = (const struct sockaddr *)&sin;
	f.rcode = -1;
	f.fault = fault;
	n = log_fields_format(line, sizeof(line), &f);
	cr_assert_lt(n, sizeof(line));
	obj = test_json(line);
	got = test_json_str(obj, "fault");
	cr_assert_lt(strlen(got), strlen(fault));
	cr_assert(strncmp(got, fault, strlen(got) - 3) == 0);
	cr_assert_str_eq(got + strlen(got) - 3, "...");
	for (const char *p = line; *p != '\0'; p++) {
		cr_assert(*p >= 0x20 && *p < 0x7f, "not printable ASCII: %s",
		          line);
	}
	json_decref(obj);
	f.fault = "\xff";
	(void)log_fields_format(line, sizeof(line), &f);
	cr_assert(strstr(line, "\"fault\":\"\\u00ff\"") != NULL, "%s", line);
}

Test(log_query, drop_reasons)
{
	cr_assert_null(log_drop_reason(false, QUERY_DROP_FAULT));
	cr_assert_null(log_drop_reason(true, QUERY_DROP_NONE));
	cr_assert_str_eq(log_drop_reason(true, QUERY_DROP_SHORT), "malformed");
	cr_assert_str_eq(log_drop_reason(true, QUERY_DROP_RESPONSE),
	                 "response");
	cr_assert_str_eq(log_drop_reason(true, QUERY_DROP_FAULT), "fault");
	cr_assert_str_eq(log_drop_reason(true, QUERY_DROP_DELAY_COUNT),
	                 "max-delayed");
	cr_assert_str_eq(log_drop_reason(true, QUERY_DROP_DELAY_OCTETS),
	                 "max-delayed-octets");
}

Test(log_query, small_buffer_truncates_and_reports_the_length)
{
	struct sockaddr_in sin = test_v4("127.0.0.1", 40122);
	struct query_result res;
	char full[LOG_QUERY_LINE_MAX];
	char small[16];
	size_t n;

	test_result(&res, "host.example.test", WIRE_TYPE_CAA);
	n = log_query_format(full, sizeof(full), &test_ts,
	                     (const struct sockaddr *)&sin, QUERY_UDP, &res);
	cr_assert_eq(log_query_format(small, sizeof(small), &test_ts,
	                              (const struct sockaddr *)&sin, QUERY_UDP,
	                              &res),
	             n);
	cr_assert_eq(strlen(small), sizeof(small) - 1);
	cr_assert(strncmp(small, full, sizeof(small) - 1) == 0);
	cr_assert_eq(log_query_format(NULL, 0, &test_ts,
	                              (const struct sockaddr *)&sin, QUERY_UDP,
	                              &res),
	             n);
}

Test(log_addr, formats)
{
	struct sockaddr_in sin = test_v4("10.0.0.1", 0);
	struct sockaddr_in6 sin6 = test_v6("2001:db8::53", 8053);
	struct sockaddr_un sun;
	char buf[LOG_ADDR_MAX];
	char tiny[4];

	cr_assert_str_eq(log_addr_format((const struct sockaddr *)&sin, buf,
	                                 sizeof(buf)),
	                 "10.0.0.1:0");
	cr_assert_str_eq(log_addr_format((const struct sockaddr *)&sin6, buf,
	                                 sizeof(buf)),
	                 "[2001:db8::53]:8053");
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	cr_assert_str_eq(log_addr_format((const struct sockaddr *)&sun, buf,
	                                 sizeof(buf)),
	                 "?");
	cr_assert_str_eq(log_addr_format((const struct sockaddr *)&sin, tiny,
	                                 sizeof(tiny)),
	                 "10.");
}

Test(log_query, file_gets_one_line_per_query_after_flush)
{
	char path[] = "/tmp/caalab-test-log-XXXXXX";
	struct sockaddr_in sin = test_v4("127.0.0.1", 40122);
	struct query_result res;
	char err[256];
	char line[LOG_QUERY_LINE_MAX];
	FILE *fp;
	int fd = mkstemp(path);
	int lines = 0;

	cr_assert_geq(fd, 0);
	cr_assert_eq(close(fd), 0);
	cr_assert_not(log_query_is_open());
	cr_assert_eq(log_query_open(path, err, sizeof(err)), 0, "%s", err);
	cr_assert(log_query_is_open());
	test_result(&res, "host.example.test", WIRE_TYPE_CAA);
	res.rcode = WIRE_RCODE_NOERROR;
	log_query((const struct sockaddr *)&sin, QUERY_UDP, &res);
	log_query((const struct sockaddr *)&sin, QUERY_TCP, &res);
	log_query_flush();
	fp = fopen(path, "r");
	cr_assert_not_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		size_t n = strlen(line);

		cr_assert_eq(line[n - 1], '\n');
		cr_assert(strncmp(line, "{\"ts\":\"", 7) == 0, "%s", line);
		cr_assert(strstr(line, lines == 0 ? "\"udp\"" : "\"tcp\"") !=
		          NULL);
		lines++;
	}
	cr_assert_eq(fclose(fp), 0);
	cr_assert_eq(lines, 2);
	log_query_close();
	cr_assert_not(log_query_is_open());
	cr_assert_eq(unlink(path), 0);
}

Test(log_query, open_failure_says_where)
{
	char err[256];

	cr_assert_lt(log_query_open("/nonexistent-dir/q.log", err, sizeof(err)),
	             0);
	cr_assert(strstr(err, "/nonexistent-dir/q.log: ") == err, "%s", err);
	cr_assert_not(log_query_is_open());
}

Test(log_query, without_a_log_nothing_happens)
{
	struct sockaddr_in sin = test_v4("127.0.0.1", 1);
	struct query_result res;

	test_result(&res, "a.test", WIRE_TYPE_A);
	log_query((const struct sockaddr *)&sin, QUERY_UDP, &res);
	log_query_flush();
	log_query_close();
	cr_assert_not(log_query_is_open());
}

Test(log, levels_from_verbosity)
{
	cr_assert_eq(log_level_from_verbosity(0), LOG_LEVEL_WARN);
	cr_assert_eq(log_level_from_verbosity(1), LOG_LEVEL_INFO);
	cr_assert_eq(log_level_from_verbosity(2), LOG_LEVEL_DEBUG);
	cr_assert_eq(log_level_from_verbosity(9), LOG_LEVEL_DEBUG);
	log_set_level(LOG_LEVEL_WARN);
	cr_assert(log_level_is_enabled(LOG_LEVEL_ERR));
	cr_assert(log_level_is_enabled(LOG_LEVEL_WARN));
	cr_assert_not(log_level_is_enabled(LOG_LEVEL_INFO));
	log_set_level(LOG_LEVEL_DEBUG);
	cr_assert(log_level_is_enabled(LOG_LEVEL_DEBUG));
}
