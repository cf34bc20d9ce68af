/*
 * tests/unit/test_probe_trace.c -- --trace: which answers disagree
 * (trace_mark()), how a server's reply is read, and the JSON it gives.
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reply.h"
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

Test(probe_trace, json_names_server_family_and_disagreement)
{
	struct trace t = {0};
	struct trace_name *tn;
	struct sockaddr_in6 *sin6;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	t.names = calloc(1, sizeof(*t.names));
	cr_assert_not_null(t.names);
	t.nnames = 1;
	tn = &t.names[0];
	strcpy(tn->name, "www.a.test");
	strcpy(tn->zone, "a.test");
	tn->answers = calloc(1, sizeof(*tn->answers));
	cr_assert_not_null(tn->answers);
	tn->nanswers = 1;
	strcpy(tn->answers[0].ns, "ns1.a.test");
	sin6 = (struct sockaddr_in6 *)&tn->answers[0].addr;
	sin6->sin6_family = AF_INET6;
	cr_assert_eq(inet_pton(AF_INET6, "fd00::2", &sin6->sin6_addr), 1);
	tn->answers[0].addrlen = sizeof(*sin6);
	tn->answers[0].family = 6;
	tn->answers[0].error = TRACE_TIMEOUT;
	tn->answers[0].rcode = -1;
	tn->answers[0].ms = 300.04;
	tn->answers[0].disagrees = true;

	f = open_memstream(&text, &len);
	cr_assert_not_null(f);
	trace_write_json(f, &t);
	fclose(f);
	cr_expect_str_eq(
	        text,
	        "[{\"name\":\"www.a.test\",\"zone\":\"a.test\",\"error\":null,"
	        "\"servers\":[{\"ns\":\"ns1.a.test\",\"address\":\"fd00::2\","
	        "\"family\":6,\"rcode\":null,\"aa\":false,\"records\":[],"
	        "\"ms\":300.0,\"error\":\"timeout\",\"disagrees\":true}]}]");
	free(text);
	trace_clear(&t);
}
