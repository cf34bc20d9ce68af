/*
 * tests/unit/test_gate_decide.c -- caa-gate's CAA decision and its words:
 * the problem documents of each verdict, and the -q log line of a
 * decision (a name the CA refuses ends at once, with no lookup, so no DNS
 * server is needed here).
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <jansson.h>

#include "acme.h"
#include "decide.h"

static json_t *
test_problem(enum caa_verdict v, const char *name, const char *reason)
{
	struct decide_outcome o = {name, v, reason};
	char *doc = decide_problem(&o);
	json_t *j = json_loads(doc, 0, NULL);

	cr_assert_not_null(j, "%s", doc);
	free(doc);
	return j;
}

static const char *
test_str(json_t *j, const char *key)
{
	return json_string_value(json_object_get(j, key));
}

Test(gate_decide, denied_is_caa_403)
{
	json_t *j = test_problem(CAA_DENIED, "*.deny.test",
	                         "CAA record for deny.test prevents issuance");

	cr_assert_str_eq(test_str(j, "type"), "urn:ietf:params:acme:error:caa");
	cr_assert_str_eq(test_str(j, "detail"),
	                 "While processing CAA for *.deny.test: CAA record for "
	                 "deny.test prevents issuance");
	cr_assert_eq(json_integer_value(json_object_get(j, "status")), 403);
	json_decref(j);
}

Test(gate_decide, lookup_failed_is_dns_400)
{
	json_t *j = test_problem(
	        CAA_LOOKUP_FAILED, "fail.test",
	        "DNS problem: SERVFAIL looking up CAA for fail.test - the "
	        "domain's nameservers may be malfunctioning");

	cr_assert_str_eq(test_str(j, "type"), "urn:ietf:params:acme:error:dns");
	cr_assert_str_eq(test_str(j, "detail"),
	                 "While processing CAA for fail.test: DNS problem: "
	                 "SERVFAIL looking up CAA for fail.test - the domain's "
	                 "nameservers may be malfunctioning");
	cr_assert_eq(json_integer_value(json_object_get(j, "status")), 400);
	json_decref(j);
}

/* A failed quorum: Boulder's detail as it is, no second prefix. */
Test(gate_decide, secondary_validation_detail_as_is)
{
	const char *why = "During secondary validation: While processing CAA "
	                  "for fail.test: DNS problem: SERVFAIL looking up CAA "
	                  "for fail.test - the domain's nameservers may be "
	                  "malfunctioning";
	json_t *j = test_problem(CAA_LOOKUP_FAILED, "fail.test", why);

	cr_assert_str_eq(test_str(j, "type"), "urn:ietf:params:acme:error:dns");
	cr_assert_str_eq(test_str(j, "detail"), why);
	json_decref(j);
	j = test_problem(CAA_DENIED, "*.deny.test",
	                 "During secondary validation: While processing CAA "
	                 "for *.deny.test: CAA record for deny.test prevents "
	                 "issuance");
	cr_assert_str_eq(test_str(j, "type"), "urn:ietf:params:acme:error:caa");
	cr_assert_str_eq(test_str(j, "detail"),
	                 "During secondary validation: While processing CAA "
	                 "for *.deny.test: CAA record for deny.test prevents "
	                 "issuance");
	cr_assert_eq(json_integer_value(json_object_get(j, "status")), 403);
	json_decref(j);
}

Test(gate_decide, invalid_is_rejected_identifier_400)
{
	json_t *j = test_problem(CAA_INVALID, "a_b.test",
	                         "Domain name contains an invalid character");

	cr_assert_str_eq(test_str(j, "type"),
	                 "urn:ietf:params:acme:error:rejectedIdentifier");
	cr_assert_str_eq(test_str(j, "detail"),
	                 "Domain name contains an invalid character");
	cr_assert_eq(json_integer_value(json_object_get(j, "status")), 400);
	json_decref(j);
}

struct test_seen {
	int calls;
	enum caa_verdict verdict;
	char name[DECIDE_NAME_MAX];
	char reason[CAA_REASON_LEN];
};

static void
test_done(void *arg, const struct decide_outcome *o)
{
	struct test_seen *s = arg;

	s->calls++;
	s->verdict = o->verdict;
	(void)snprintf(s->name, sizeof(s->name), "%s", o->name);
	(void)snprintf(s->reason, sizeof(s->reason), "%s", o->reason);
}

/* A decision for a refused name, logged to a file: the outcome, the line. */
static json_t *
test_decide_logged(const char *value, bool wildcard, const char *account,
                   const char *method, struct test_seen *seen)
{
	struct gate_config cfg;
	struct event_base *base = event_base_new();
	FILE *log = tmpfile();
	struct decide *d;
	char err[256] = "", line[4096] = "";
	json_t *j;

	char a0[] = "caa-gate", a1[] = "-u", a2[] = "http://a.test:1",
	     a3[] = "-s", a4[] = "127.0.0.1", a5[] = "-p", a6[] = "9";
	char *argv[] = {a0, a1, a2, a3, a4, a5, a6, NULL};

	config_init(&cfg);
	cr_assert_eq(config_parse(7, argv, &cfg, stderr), 0);
	/* The address config_parse() read is the one asked: -s is not read
	 * a second time. */
	cfg.server = "no such host.invalid";
	cr_assert(base != NULL && log != NULL);
	d = decide_new(base, &cfg, log, err, sizeof(err));
	cr_assert_not_null(d, "%s", err);
	memset(seen, 0, sizeof(*seen));
	cr_assert_eq(decide_start(d, "validation", value, wildcard, account,
	                          method, test_done, seen),
	             0);
	cr_assert_eq(seen->calls, 1, "a refused name ends at once");
	rewind(log);
	cr_assert_not_null(fgets(line, sizeof(line), log));
	cr_assert_null(fgets(line + strlen(line), 16, log), "one line");
	j = json_loads(line, 0, NULL);
	cr_assert_not_null(j, "%s", line);
	decide_free(d);
	event_base_free(base);
	fclose(log);
	config_clear(&cfg);
	return j;
}

Test(gate_decide, log_line_of_a_refused_name)
{
	struct test_seen seen;
	json_t *j = test_decide_logged("a_b.test", false, "https://x/acct/1",
	                               "http-01", &seen);
	static const char *const keys[] = {"ts",      "step",   "name",
	                                   "wildcard", "account", "method",
	                                   "verdict", "reason", "lookups"};
	size_t i = 0;
	const char *key;
	json_t *v;

	cr_assert_eq(seen.verdict, CAA_INVALID);
	cr_assert_str_eq(seen.name, "a_b.test");
	cr_assert_str_eq(seen.reason,
	                 "Domain name contains an invalid character");
	json_object_foreach(j, key, v) {
		cr_assert(i < 9);
		cr_assert_str_eq(key, keys[i], "key %zu", i);
		i++;
	}
	cr_assert_eq(i, 9);
	cr_assert_eq(strlen(test_str(j, "ts")), 24, "%s", test_str(j, "ts"));
	cr_assert_eq(test_str(j, "ts")[23], 'Z');
	cr_assert_str_eq(test_str(j, "step"), "validation");
	cr_assert_str_eq(test_str(j, "name"), "a_b.test");
	cr_assert(json_is_false(json_object_get(j, "wildcard")));
	cr_assert_str_eq(test_str(j, "account"), "https://x/acct/1");
	cr_assert_str_eq(test_str(j, "method"), "http-01");
	cr_assert_str_eq(test_str(j, "verdict"), "invalid");
	cr_assert_str_eq(test_str(j, "reason"),
	                 "Domain name contains an invalid character");
	cr_assert_eq(json_array_size(json_object_get(j, "lookups")), 0);
	cr_assert(json_is_array(json_object_get(j, "lookups")));
	json_decref(j);
}

Test(gate_decide, log_line_wildcard_no_account_no_method)
{
	struct test_seen seen;
	json_t *j = test_decide_logged("a..b.test", true, NULL, NULL, &seen);

	cr_assert_eq(seen.verdict, CAA_INVALID);
	cr_assert_str_eq(seen.name, "*.a..b.test");
	cr_assert_str_eq(test_str(j, "name"), "*.a..b.test");
	cr_assert(json_is_true(json_object_get(j, "wildcard")));
	cr_assert(json_is_null(json_object_get(j, "account")));
	cr_assert(json_is_null(json_object_get(j, "method")));
	cr_assert_str_eq(test_str(j, "reason"),
	                 "Domain name can not have two dots in a row");
	json_decref(j);
}

static void
test_done_stopped(void *arg, const struct decide_outcome *o)
{
	int *calls = arg;

	(*calls)++;
	cr_assert_null(o, "a decision ended by decide_free() has no verdict");
}

/* decide_free() with a decision in flight (the loop never ran, so its
 * lookups are still out): DONE once with no outcome, no -q line, and
 * nothing left behind (the sanitizer build checks the last). */
Test(gate_decide, free_ends_a_decision_in_flight)
{
	struct gate_config cfg;
	struct event_base *base = event_base_new();
	FILE *log = tmpfile();
	struct decide *d;
	char err[256] = "", line[64];
	int calls = 0;

	config_init(&cfg);
	cfg.server = "127.0.0.1";
	cfg.port = 9;
	cr_assert(base != NULL && log != NULL);
	d = decide_new(base, &cfg, log, err, sizeof(err));
	cr_assert_not_null(d, "%s", err);
	cr_assert_eq(decide_start(d, "validation", "held.example.test", false,
	                          NULL, "http-01", test_done_stopped, &calls),
	             0);
	cr_assert_eq(calls, 0, "in flight until the loop runs");
	decide_free(d);
	cr_assert_eq(calls, 1, "decide_free() ends the decision: DONE once");
	rewind(log);
	cr_assert_null(fgets(line, sizeof(line), log), "no -q line");
	event_base_free(base);
	fclose(log);
	config_clear(&cfg);
}
