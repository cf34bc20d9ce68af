/*
 * tests/unit/test_probe_summary.c -- the tally of a batch (bounded in
 * memory whatever the input), its summary, the progress line.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "summary.h"

/* summary_print() of S into a string (freed by the caller). */
static char *
printed(const struct summary *s, bool json)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cr_assert_not_null(f);
	summary_print(f, s, json);
	fclose(f);
	return text;
}

Test(probe_summary, counts_and_the_commonest_reasons)
{
	struct summary s;
	char *text;

	cr_assert_eq(summary_init(&s, 16), 0);
	for (int i = 0; i < 12; i++) {
		summary_add(&s, CAA_ALLOWED, "CAA record for a.test permits");
	}
	summary_add(&s, CAA_DENIED, "z prevents");
	summary_add(&s, CAA_DENIED, "y prevents");
	summary_add(&s, CAA_DENIED, "y prevents");
	summary_add(&s, CAA_LOOKUP_FAILED, "DNS problem\n\033[2J");
	summary_add(&s, CAA_INVALID, "x");
	summary_add(&s, CAA_INVALID, "w");
	summary_add(&s, CAA_INVALID, "v");
	text = printed(&s, false);
	cr_assert_str_eq(text, "caa-probe: 19 names: 12 allowed, 3 denied, 1 "
	                       "lookup-failed, 3 invalid\n"
	                       "  12  CAA record for a.test permits\n"
	                       "   2  y prevents\n"
	                       "   1  DNS problem\\010\\027[2J\n"
	                       "   1  v\n"
	                       "   1  w\n");
	free(text);
	text = printed(&s, true);
	cr_assert_str_eq(
	        text,
	        "{\"summary\":{\"names\":19,\"allowed\":12,\"denied\":3,"
	        "\"lookup-failed\":1,\"invalid\":3,\"reasons\":["
	        "{\"reason\":\"CAA record for a.test permits\",\"count\":12},"
	        "{\"reason\":\"y prevents\",\"count\":2},"
	        "{\"reason\":\"DNS problem\\n\\u001b[2J\",\"count\":1},"
	        "{\"reason\":\"v\",\"count\":1},"
	        "{\"reason\":\"w\",\"count\":1}]}}\n");
	free(text);
	summary_clear(&s);
}

/* 100000 names, each with a reason of its own: the table stops at its
 * cap, the rest is counted together. */
Test(probe_summary, bounded_whatever_the_input)
{
	struct summary s;
	struct summary_reason top[SUMMARY_TOP];
	char reason[64];
	size_t n;

	cr_assert_eq(summary_init(&s, SUMMARY_REASONS_MAX), 0);
	cr_assert_leq(s.size, 4 * SUMMARY_REASONS_MAX);
	for (int i = 0; i < 100000; i++) {
		(void)snprintf(reason, sizeof(reason),
		               "CAA record for n%d.test prevents issuance", i);
		summary_add(&s, CAA_DENIED, reason);
		summary_add(&s, CAA_ALLOWED, "no CAA record found");
	}
	cr_assert_eq(s.names, 200000);
	cr_assert_eq(s.distinct, SUMMARY_REASONS_MAX);
	cr_assert_eq(s.other, 100000 - (SUMMARY_REASONS_MAX - 1));
	n = summary_top(&s, top, SUMMARY_TOP);
	cr_assert_eq(n, SUMMARY_TOP);
	cr_assert_str_eq(top[0].text, "no CAA record found");
	cr_assert_eq(top[0].count, 100000);
	cr_assert_str_eq(top[1].text, SUMMARY_OTHER);
	cr_assert_eq(top[1].count, 100000 - (SUMMARY_REASONS_MAX - 1));
	cr_assert_eq(top[2].count, 1);
	summary_clear(&s);
}

Test(probe_summary, empty)
{
	struct summary s;
	char *text;

	cr_assert_eq(summary_init(&s, 4), 0);
	text = printed(&s, false);
	cr_assert_str_eq(text, "caa-probe: 0 names: 0 allowed, 0 denied, 0 "
	                       "lookup-failed, 0 invalid\n");
	free(text);
	text = printed(&s, true);
	cr_assert_str_eq(text, "{\"summary\":{\"names\":0,\"allowed\":0,"
	                       "\"denied\":0,\"lookup-failed\":0,"
	                       "\"invalid\":0,\"reasons\":[]}}\n");
	free(text);
	summary_clear(&s);
	summary_clear(&s);
}

Test(probe_summary, progress_line)
{
	char buf[96];

	summary_progress(buf, sizeof(buf), 1200, 10000, 1200.0 / 850);
	cr_assert_str_eq(buf, "caa-probe: 1200/10000 names, 850/s, 10 s left");
	summary_progress(buf, sizeof(buf), 1200, 0, 1200.0 / 850);
	cr_assert_str_eq(buf, "caa-probe: 1200 names, 850/s");
	summary_progress(buf, sizeof(buf), 0, 10, 0.2);
	cr_assert_str_eq(buf, "caa-probe: 0/10 names");
	summary_progress(buf, sizeof(buf), 5, 10, 0);
	cr_assert_str_eq(buf, "caa-probe: 5/10 names");
	summary_progress(buf, 12, 1200, 10000, 1);
	cr_assert_str_eq(buf, "caa-probe: ");
}
