/*
 * tests/unit/test_probe_report.c -- caa-probe's reports: the JSON writer
 * (escapes, invalid UTF-8, the exact object of docs/probe.md) and the
 * text report (verdict first, escaped values, colour only when asked).
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caa.h"
#include "check.h"
#include "lookup.h"
#include "report.h"

static char *
json_of(const char *s, size_t len)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	cr_assert_not_null(f);
	report_json_string(f, s, len);
	cr_assert_eq(fclose(f), 0);
	return buf;
}

#define JSON_EQ(in, want)                                   \
	do {                                                \
		char *got_ = json_of((in), sizeof(in) - 1); \
		cr_assert_str_eq(got_, (want));             \
		free(got_);                                 \
	} while (0)

Test(probe_report, json_string_escapes)
{
	JSON_EQ("plain", "\"plain\"");
	JSON_EQ("a\"b\\c", "\"a\\\"b\\\\c\"");
	JSON_EQ("l1\nl2\tx\r", "\"l1\\nl2\\tx\\r\"");
	JSON_EQ("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
	JSON_EQ("<script>alert('x')</script>",
	        "\"<script>alert('x')</script>\"");
	JSON_EQ("nul\0in", "\"nul\\u0000in\"");
}

Test(probe_report, json_string_utf8)
{
	/* Valid UTF-8 stays as it is. */
	JSON_EQ("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92",
	        "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92\"");
	/* Invalid octets become \u00XX, so the output stays valid JSON:
	 * a lone continuation, a cut sequence, an overlong form, a
	 * surrogate, past U+10FFFF, 0xff. */
	JSON_EQ("\x80", "\"\\u0080\"");
	JSON_EQ("\xc3", "\"\\u00c3\"");
	JSON_EQ("\xe2\x82", "\"\\u00e2\\u0082\"");
	JSON_EQ("\xc0\xaf", "\"\\u00c0\\u00af\"");
	JSON_EQ("\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"");
	JSON_EQ("\xf4\x90\x80\x80", "\"\\u00f4\\u0090\\u0080\\u0080\"");
	JSON_EQ("a\xffz", "\"a\\u00ffz\"");
}

/* A finished check, built without the network. */
struct fixture {
	struct check chk;
	struct lookup_result lookups[8];
	struct caa_record records[4];
	struct caa_request req;
};

static const char *const le[] = {"letsencrypt.org"};

static void
fixture_init(struct fixture *fx, const char *name)
{
	memset(fx, 0, sizeof(*fx));
	fx->req.issuers = le;
	fx->req.nissuers = 1;
	fx->req.policy = CAA_POLICY_RFC8659;
	fx->chk.input = NULL; /* only read for invalid names */
	cr_assert_eq(caa_candidates_build(name, &fx->chk.cands), CAA_OK);
	(void)snprintf(fx->chk.name, sizeof(fx->chk.name), "%s%s",
	               fx->chk.cands.wildcard ? "*." : "", fx->chk.cands.name);
	fx->chk.lookups = fx->lookups;
	for (size_t i = 0; i < 8; i++) {
		fx->lookups[i].kind = CAA_LOOKUP_EMPTY;
		fx->lookups[i].rcode = 0;
		fx->lookups[i].ede = -1;
		fx->lookups[i].ms = 0.4;
	}
}

static void
fixture_decide(struct fixture *fx)
{
	struct caa_lookup views[8];

	for (size_t i = 0; i < fx->chk.cands.count; i++) {
		lookup_result_view(&fx->lookups[i], &views[i]);
	}
	cr_assert_eq(
	        caa_check(&fx->req, &fx->chk.cands, views, &fx->chk.result),
	        CAA_OK);
}

/* FX's report: report_check(), or report_check_keys() with KEYS. */
static char *
report_with(const struct fixture *fx, enum report_format format, bool color,
            report_keys_fn keys, const void *arg)
{
	struct report_opts o = {
	        .format = format,
	        .color = color,
	        .ca = "letsencrypt.org",
	        .policy = CAA_POLICY_RFC8659,
	};
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	cr_assert_not_null(f);
	if (keys == NULL) {
		report_check(f, &o, &fx->chk);
	} else {
		report_check_keys(f, &o, &fx->chk, keys, arg);
	}
	cr_assert_eq(fclose(f), 0);
	return buf;
}

static char *
report_of(const struct fixture *fx, enum report_format format, bool color)
{
	return report_with(fx, format, color, NULL, NULL);
}

static const uint8_t other_ca[] = "\x00\x05issueotherca.test";

Test(probe_report, json_is_the_design_example)
{
	struct fixture fx;
	char *got;

	fixture_init(&fx, "host.example.test");
	fx.lookups[0].kind = CAA_LOOKUP_NXDOMAIN;
	fx.lookups[0].rcode = 3;
	cr_assert_eq(caa_record_parse(other_ca, sizeof(other_ca) - 1,
	                              &fx.records[0]),
	             CAA_OK);
	fx.lookups[1].kind = CAA_LOOKUP_RECORDS;
	fx.lookups[1].records = fx.records;
	fx.lookups[1].nrecords = 1;
	fixture_decide(&fx);
	got = report_of(&fx, REPORT_JSON, false);
	cr_assert_str_eq(
	        got,
	        "{\"name\":\"host.example.test\",\"wildcard\":false,"
	        "\"ca\":\"letsencrypt.org\",\"policy\":\"rfc8659\","
	        "\"verdict\":\"denied\",\"reason\":\"CAA record for "
	        "example.test prevents issuance\","
	        "\"relevant\":{\"name\":\"example.test\",\"records\":[{"
	        "\"flags\":0,\"tag\":\"issue\",\"value\":\"otherca.test\"}]},"
	        "\"allowed_issuers\":[\"otherca.test\"],"
	        "\"error\":null,"
	        "\"lookups\":[{\"name\":\"host.example.test\",\"rcode\":"
	        "\"NXDOMAIN\",\"dnssec\":null,\"records\":0,\"cname\":[],"
	        "\"ms\":0.4},"
	        "{\"name\":\"example.test\",\"rcode\":\"NOERROR\","
	        "\"dnssec\":null,\"records\":1,\"cname\":[],\"ms\":0.4},"
	        "{\"name\":\"test\",\"rcode\":\"NOERROR\",\"dnssec\":null,"
	        "\"records\":0,\"cname\":[],\"ms\":0.4}],"
	        "\"warnings\":[]}");
	free(got);
}

Test(probe_report, json_lookup_failed_has_error)
{
	struct fixture fx;
	char *got;
	char target[] = "target.example.test";
	char *cname[] = {target};

	fixture_init(&fx, "*.host.example.test");
	fx.lookups[0].kind = CAA_LOOKUP_RCODE;
	fx.lookups[0].rcode = 2;
	fx.lookups[0].cname = cname;
	fx.lookups[0].ncname = 1;
	fx.lookups[1].kind = CAA_LOOKUP_TIMEOUT;
	fx.lookups[1].rcode = -1;
	fixture_decide(&fx);
	got = report_of(&fx, REPORT_JSONL, false);
	cr_assert(strstr(got, "{\"name\":\"*.host.example.test\","
	                      "\"wildcard\":true,") == got,
	          "%s", got);
	cr_assert(strstr(got, "\"verdict\":\"lookup-failed\"") != NULL);
	cr_assert(strstr(got, "\"relevant\":null,\"allowed_issuers\":null,"
	                      "\"error\":{\"name\":"
	                      "\"host.example.test\",\"rcode\":\"SERVFAIL\","
	                      "\"detail\":\"DNS problem: SERVFAIL looking up "
	                      "CAA for host.example.test - the domain's "
	                      "nameservers may be malfunctioning\"}") != NULL,
	          "%s", got);
	cr_assert(strstr(got, "\"cname\":[\"target.example.test\"]") != NULL);
	cr_assert(strstr(got, "{\"name\":\"example.test\",\"rcode\":null,") !=
	          NULL);
	/* The timeout above the failure is not even reached (no warning:
	 * the walk stopped at the first error). */
	cr_assert(strstr(got, "\"warnings\":[]") != NULL, "%s", got);
	cr_assert_null(strchr(got, '\n'));
	free(got);
}

Test(probe_report, json_warnings_are_objects)
{
	struct fixture fx;
	char *got;
	static const uint8_t unknown[] = "\x00\x05"
	                                 "dummy\"odd\x01\xff";

	fixture_init(&fx, "example.test");
	cr_assert_eq(
	        caa_record_parse(unknown, sizeof(unknown) - 1, &fx.records[0]),
	        CAA_OK);
	fx.lookups[0].kind = CAA_LOOKUP_RECORDS;
	fx.lookups[0].records = fx.records;
	fx.lookups[0].nrecords = 1;
	fx.lookups[1].kind = CAA_LOOKUP_RCODE;
	fx.lookups[1].rcode = 5;
	fixture_decide(&fx);
	got = report_of(&fx, REPORT_JSON, false);
	cr_assert(strstr(got, "\"verdict\":\"allowed\"") != NULL, "%s", got);
	/* Values are caa_escape()d, then JSON-escaped. */
	cr_assert(strstr(got, "\"tag\":\"dummy\",\"value\":"
	                      "\"\\\\\\\"odd\\\\001\\\\255\"") != NULL,
	          "%s", got);
	cr_assert(strstr(got, "{\"code\":\"unknown-tag\",\"message\":") != NULL,
	          "%s", got);
	cr_assert(
	        strstr(got, "{\"code\":\"lookup-error-above\",\"message\":") !=
	                NULL,
	        "%s", got);
	free(got);
}

Test(probe_report, invalid_name_is_valid_json)
{
	struct fixture fx;
	char *got;
	char input[] = "bad\xff\x01..name";

	memset(&fx, 0, sizeof(fx));
	fx.chk.input = input;
	fx.chk.result.verdict = CAA_INVALID;
	fx.chk.result.candidate = -1;
	fx.chk.result.record = -1;
	(void)snprintf(fx.chk.result.reason, sizeof(fx.chk.result.reason), "%s",
	               caa_strerror(CAA_ERR_NAME_CHAR));
	got = report_of(&fx, REPORT_JSON, false);
	cr_assert_str_eq(got,
	                 "{\"name\":\"bad\\u00ff\\u0001..name\",\"wildcard\":"
	                 "false,\"ca\":\"letsencrypt.org\",\"policy\":"
	                 "\"rfc8659\",\"verdict\":\"invalid\",\"reason\":"
	                 "\"Domain name contains an invalid character\","
	                 "\"relevant\":null,\"allowed_issuers\":null,"
	                 "\"error\":{"
	                 "\"name\":\"bad\\u00ff\\u0001..name\",\"rcode\":null,"
	                 "\"detail\":\"Domain name contains an invalid "
	                 "character\"},\"lookups\":[],\"warnings\":[]}");
	free(got);
	got = report_of(&fx, REPORT_TEXT, false);
	cr_assert_str_eq(got,
	                 "bad\\255\\001..name: invalid\n"
	                 "  reason:   Domain name contains an invalid "
	                 "character\n"
	                 "  request:  ca letsencrypt.org, policy rfc8659\n");
	free(got);
}

/* An IDN: "name" is what was looked up, "unicode" beside it; neither
 * key nor line for a name without xn-- labels. */
Test(probe_report, unicode_form_beside_the_name)
{
	struct fixture fx;
	char *got;

	fixture_init(&fx, "xn--mnich-kva.test");
	(void)snprintf(fx.chk.unicode, sizeof(fx.chk.unicode),
	               "m\xc3\xbcnich.test");
	fixture_decide(&fx);
	got = report_of(&fx, REPORT_JSON, false);
	cr_assert(strncmp(got,
	                  "{\"name\":\"xn--mnich-kva.test\",\"unicode\":"
	                  "\"m\xc3\xbcnich.test\",\"wildcard\":false,",
	                  60) == 0,
	          "%s", got);
	free(got);
	got = report_of(&fx, REPORT_TEXT, false);
	cr_assert(strstr(got,
	                 "\n  request:  ca letsencrypt.org, policy "
	                 "rfc8659\n  unicode:  m\xc3\xbcnich.test\n") != NULL,
	          "%s", got);
	free(got);
	/* A bidi override decoded from an A-label is shown escaped. */
	(void)snprintf(fx.chk.unicode, sizeof(fx.chk.unicode),
	               "a\xe2\x80\xae.test");
	got = report_of(&fx, REPORT_TEXT, false);
	cr_assert(strstr(got, "  unicode:  a\\u{202e}.test\n") != NULL, "%s",
	          got);
	free(got);
	fixture_init(&fx, "plain.test");
	(void)snprintf(fx.chk.unicode, sizeof(fx.chk.unicode), "plain.test");
	fixture_decide(&fx);
	got = report_of(&fx, REPORT_JSON, false);
	cr_assert(strstr(got, "unicode") == NULL, "%s", got);
	free(got);
	got = report_of(&fx, REPORT_TEXT, false);
	cr_assert(strstr(got, "unicode") == NULL, "%s", got);
	free(got);
}

Test(probe_report, text_verdict_first_then_rrset_lookups_warnings)
{
	struct fixture fx;
	char *got;
	const char *verdict;
	const char *rrset;
	const char *lookups;
	const char *warnings;
	static const uint8_t xss[] =
	        "\x00\x05issue<script>alert('Wheeeeee')</script>";
	static const uint8_t crit[] = "\x80\x03tbs\"Unknown\"";

	fixture_init(&fx, "xss.caatestsuite.test");
	cr_assert_eq(caa_record_parse(xss, sizeof(xss) - 1, &fx.records[0]),
	             CAA_OK);
	cr_assert_eq(caa_record_parse(crit, sizeof(crit) - 1, &fx.records[1]),
	             CAA_OK);
	fx.lookups[0].kind = CAA_LOOKUP_RECORDS;
	fx.lookups[0].records = fx.records;
	fx.lookups[0].nrecords = 2;
	fixture_decide(&fx);
	got = report_of(&fx, REPORT_TEXT, false);
	verdict = strstr(got, "xss.caatestsuite.test: denied\n");
	rrset = strstr(got, "relevant: CAA RRset at xss.caatestsuite.test");
	lookups = strstr(got, "lookups:");
	warnings = strstr(got, "warnings:");
	cr_assert_eq(verdict, got, "%s", got);
	cr_assert(rrset != NULL && lookups != NULL && warnings != NULL, "%s",
	          got);
	cr_assert(rrset < lookups && lookups < warnings, "%s", got);
	cr_assert(
	        strstr(got, "0 issue \"<script>alert('Wheeeeee')</script>\"") !=
	                NULL,
	        "%s", got);
	cr_assert(strstr(got, "-> 128 tbs \"\\\"Unknown\\\"\"") != NULL, "%s",
	          got);
	cr_assert_null(strchr(got, '\033'));
	free(got);
	got = report_of(&fx, REPORT_TEXT, true);
	cr_assert(strstr(got, "\033[1;31mdenied\033[0m") != NULL, "%s", got);
	free(got);
}

Test(probe_report, formats_parse)
{
	enum report_format f;

	cr_assert_eq(report_format_parse("text", &f), 0);
	cr_assert_eq(f, REPORT_TEXT);
	cr_assert_eq(report_format_parse("json", &f), 0);
	cr_assert_eq(f, REPORT_JSON);
	cr_assert_eq(report_format_parse("jsonl", &f), 0);
	cr_assert_eq(f, REPORT_JSONL);
	cr_assert_eq(report_format_parse("JSON", &f), -1);
	cr_assert_eq(report_format_parse("", &f), -1);
}

Test(probe_report, dnssec_of_each_lookup)
{
	struct fixture fx;
	char *got;

	fixture_init(&fx, "host.example.test");
	fx.lookups[0].kind = CAA_LOOKUP_RCODE;
	fx.lookups[0].rcode = 2;
	fx.lookups[0].ede = 7;
	fx.lookups[0].dnssec = CAA_DNSSEC_BOGUS;
	fx.lookups[1].dnssec = CAA_DNSSEC_SECURE;
	fx.lookups[2].dnssec = CAA_DNSSEC_INSECURE;
	fixture_decide(&fx);
	got = report_of(&fx, REPORT_JSON, false);
	cr_assert(strstr(got, "\"name\":\"host.example.test\",\"rcode\":"
	                      "\"SERVFAIL\",\"dnssec\":\"bogus\"") != NULL,
	          "%s", got);
	cr_assert(strstr(got, "\"dnssec\":\"secure\"") != NULL, "%s", got);
	cr_assert(strstr(got, "\"dnssec\":\"insecure\"") != NULL, "%s", got);
	cr_assert(strstr(got, "\"reason\":\"DNS problem: looking up CAA for "
	                      "host.example.test: DNSSEC: Signature "
	                      "Expired\"") != NULL,
	          "%s", got);
	free(got);
	got = report_of(&fx, REPORT_TEXT, false);
	cr_assert(strstr(got, "SERVFAIL    0 records      0.4 ms  dnssec "
	                      "bogus\n") != NULL,
	          "%s", got);
	cr_assert(strstr(got, "dnssec insecure\n") != NULL, "%s", got);
	free(got);
}

/* report_ms() writes what "%.1f" writes: ties, carries, large values. */
Test(probe_report, ms_as_printf_writes_it)
{
	static const double fixed[] = {0,     0.04,  0.05,   0.05000001,
	                               0.25,  0.35,  0.95,   9.95,
	                               99.96, 1.45,  2.5,    1234.55,
	                               1e-9,  0.0499999999, 999999.95,
	                               1e6,   1e7 + 0.05,    12345678.9,
	                               -0.0,  -1.25, 3.0000001};
	uint64_t x = 88172645463325252ULL;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]) + 100000;
	     i++) {
		double ms;
		char want[64];
		char *got = NULL;
		size_t size = 0;
		FILE *f = open_memstream(&got, &size);

		if (i < sizeof(fixed) / sizeof(fixed[0])) {
			ms = fixed[i];
		} else {
			/* xorshift: times of a few ms to a few s, and
			 * multiples of 0.05 (the ties) */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			ms = i % 2 ? (double)(x % 100000000) / 1e5
			           : (double)(x % 200000) * 0.05;
		}
		cr_assert_not_null(f);
		report_ms(f, ms);
		cr_assert_eq(fclose(f), 0);
		(void)snprintf(want, sizeof(want), "%.1f", ms);
		cr_assert_str_eq(got, want, "ms %.17g", ms);
		free(got);
	}
}

static char *
report_keys_of(const struct fixture *fx, enum report_format format,
               report_keys_fn keys, const void *arg)
{
	return report_with(fx, format, false, keys, arg);
}

/* Writes ',"extra":ARG' (ARG a JSON value), as a caller's keys. */
static void
extra_key(const void *arg, FILE *f, const struct check *chk)
{
	cr_assert_not_null(chk);
	fprintf(f, ",\"extra\":%s", (const char *)arg);
}

/* The caller's keys go last into the name's object, after "perspectives"
 * and "quorum", and the object is the one report_check() writes
 * otherwise; text and brief are report_check()'s. */
Test(probe_report, keys_of_the_caller_come_last_in_the_object)
{
	static const char *const fmt_name[] = {"text", "json", "jsonl",
	                                       "brief"};
	struct fixture fx, remote;
	struct check_remote rm = {"west", "ARIN", &remote.chk};
	char *plain;
	char *got;
	size_t n;

	fixture_init(&fx, "host.example.test");
	fx.lookups[0].kind = CAA_LOOKUP_NXDOMAIN;
	fx.lookups[0].rcode = 3;
	fixture_decide(&fx);
	fixture_init(&remote, "host.example.test");
	fixture_decide(&remote);
	fx.chk.remotes = &rm;
	fx.chk.nremotes = 1;
	fx.chk.remotes_asked = true;
	fx.chk.corroborating = 1;

	plain = report_of(&fx, REPORT_JSON, false);
	got = report_keys_of(&fx, REPORT_JSON, extra_key, "[1,\"}\"]");
	n = strlen(plain);
	cr_assert_gt(n, 0);
	cr_assert_eq(plain[n - 1], '}');
	cr_assert(strncmp(got, plain, n - 1) == 0, "%s", got);
	cr_assert_str_eq(got + n - 1, ",\"extra\":[1,\"}\"]}");
	cr_assert(strstr(got, ",\"quorum\":\"1/1\",\"extra\":") != NULL, "%s",
	          got);
	free(got);
	/* No keys: what report_check() writes. */
	got = report_keys_of(&fx, REPORT_JSON, NULL, NULL);
	cr_assert_str_eq(got, plain);
	free(got);
	free(plain);

	for (size_t i = 0; i < 4; i++) {
		enum report_format format;

		cr_assert_eq(report_format_parse(fmt_name[i], &format), 0);
		if (format == REPORT_JSON) {
			continue;
		}
		plain = report_of(&fx, format, false);
		got = report_keys_of(&fx, format, extra_key, "true");
		if (format == REPORT_JSONL) {
			n = strlen(plain);
			cr_assert_str_eq(got + n - 1, ",\"extra\":true}");
		} else {
			cr_assert_str_eq(got, plain, "%s", fmt_name[i]);
		}
		free(got);
		free(plain);
	}
}
