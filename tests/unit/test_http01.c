/*
 * tests/unit/test_http01.c -- the HTTP-01 server's tables: tokens and
 * redirects bounded in count and size, and the request history bounded,
 * ordered and keyed by host as pebble-challtestsrv keys it.
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http01.h"

static struct http01 *h;

static void
setup(void)
{
	h = http01_new();
	cr_assert_not_null(h);
}

static void
teardown(void)
{
	http01_free(h);
	h = NULL;
}

TestSuite(http01, .init = setup, .fini = teardown);

/* A string of N copies of C, owned by the caller. */
static char *
test_repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	cr_assert_not_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

Test(http01, tokens_are_added_replaced_and_deleted)
{
	cr_assert_null(http01_token_find(h, "tok"));
	cr_assert_eq(http01_token_add(h, "tok", "tok.one"), 0);
	cr_assert_eq(http01_token_add(h, "other", "other.k"), 0);
	cr_assert_str_eq(http01_token_find(h, "tok"), "tok.one");
	cr_assert_eq(http01_token_add(h, "tok", "tok.two"), 0);
	cr_assert_str_eq(http01_token_find(h, "tok"), "tok.two");
	cr_assert(http01_token_del(h, "tok"));
	cr_assert_not(http01_token_del(h, "tok"));
	cr_assert_null(http01_token_find(h, "tok"));
	cr_assert_str_eq(http01_token_find(h, "other"), "other.k");
	cr_assert_null(http01_token_find(h, "Other"), "tokens match exactly");
}

Test(http01, token_sizes_are_bounded)
{
	char *tok = test_repeat('t', HTTP01_TOKEN_MAX);
	char *content = test_repeat('c', HTTP01_CONTENT_MAX);

	cr_assert_eq(http01_token_add(h, tok, content), 0);
	cr_assert_str_eq(http01_token_find(h, tok), content);
	free(tok);
	tok = test_repeat('t', HTTP01_TOKEN_MAX + 1);
	cr_assert_eq(http01_token_add(h, tok, "k"), -E2BIG);
	cr_assert_null(http01_token_find(h, tok));
	cr_assert_eq(http01_token_add(h, "t", content), 0);
	free(content);
	content = test_repeat('c', HTTP01_CONTENT_MAX + 1);
	cr_assert_eq(http01_token_add(h, "t", content), -E2BIG);
	cr_assert_eq(strlen(http01_token_find(h, "t")), HTTP01_CONTENT_MAX,
	             "a refused change leaves the old content");
	free(tok);
	free(content);
}

Test(http01, token_count_is_bounded)
{
	char tok[32];

	for (int i = 0; i < HTTP01_TOKENS_MAX; i++) {
		(void)snprintf(tok, sizeof(tok), "tok%d", i);
		cr_assert_eq(http01_token_add(h, tok, "k"), 0, "token %d", i);
	}
	cr_assert_eq(http01_token_add(h, "one-more", "k"), -ENOSPC);
	cr_assert_eq(http01_token_add(h, "tok7", "replaced"), 0,
	             "a token there already can change when full");
	cr_assert_str_eq(http01_token_find(h, "tok7"), "replaced");
	cr_assert(http01_token_del(h, "tok0"));
	cr_assert_eq(http01_token_add(h, "one-more", "k"), 0);
	cr_assert_str_eq(http01_token_find(h, "tok9999"), "k");
}

Test(http01, redirects_are_bounded_too)
{
	char path[32];
	char *target = test_repeat('u', HTTP01_TARGET_MAX + 1);

	cr_assert_eq(http01_redirect_add(h, "/p", target), -E2BIG);
	target[HTTP01_TARGET_MAX] = '\0';
	cr_assert_eq(http01_redirect_add(h, "/p", target), 0);
	cr_assert_str_eq(http01_redirect_find(h, "/p"), target);
	for (int i = 1; i < HTTP01_REDIRECTS_MAX; i++) {
		(void)snprintf(path, sizeof(path), "/p%d", i);
		cr_assert_eq(http01_redirect_add(h, path, "http://x.test/"), 0);
	}
	cr_assert_eq(http01_redirect_add(h, "/q", "http://x.test/"), -ENOSPC);
	cr_assert(http01_redirect_del(h, "/p"));
	cr_assert_not(http01_redirect_del(h, "/p"));
	cr_assert_null(http01_redirect_find(h, "/p"));
	cr_assert_eq(http01_redirect_add(h, "/q", "http://x.test/"), 0);
	free(target);
}

Test(http01, history_keeps_the_last_requests_in_order)
{
	char url[32];

	cr_assert_eq(http01_history_count(h), 0);
	for (int i = 0; i < HTTP01_HISTORY_MAX + 5; i++) {
		(void)snprintf(url, sizeof(url), "/r%d", i);
		cr_assert_eq(http01_history_add(h, url, "a.test", "ua"), 0);
	}
	cr_assert_eq(http01_history_count(h), HTTP01_HISTORY_MAX);
	cr_assert_str_eq(http01_history_get(h, 0)->url, "/r5");
	cr_assert_str_eq(http01_history_get(h, HTTP01_HISTORY_MAX - 1)->url,
	                 "/r10004");
	cr_assert_null(http01_history_get(h, HTTP01_HISTORY_MAX));
}

Test(http01, history_fields_are_cut)
{
	char *big = test_repeat('x', HTTP01_FIELD_MAX * 2);
	const struct http01_event *e;

	cr_assert_eq(http01_history_add(h, big, big, big), 0);
	e = http01_history_get(h, 0);
	cr_assert_eq(strlen(e->url), HTTP01_FIELD_MAX);
	cr_assert_eq(strlen(e->host), HTTP01_FIELD_MAX);
	cr_assert_eq(strlen(e->user_agent), HTTP01_FIELD_MAX);
	free(big);
}

/* Does a request with Host HOSTHDR match the key KEY? */
static bool
test_matches(const char *hosthdr, const char *key)
{
	struct http01_event e = {"/", hosthdr, ""};

	return http01_event_matches(&e, key);
}

Test(http01, history_is_keyed_by_host_without_the_port)
{
	cr_assert(test_matches("example.test:5002", "example.test"));
	cr_assert(test_matches("example.test", "example.test"));
	cr_assert(test_matches("Example.TEST:80", "example.test."));
	cr_assert(test_matches("example.test.", "EXAMPLE.test"));
	cr_assert(test_matches("[::1]:5002", "::1"));
	cr_assert(test_matches("127.0.0.1:5002", "127.0.0.1"));
	/* What Go's net.SplitHostPort does not split stays whole. */
	cr_assert(test_matches("[::1]", "[::1]"));
	cr_assert_not(test_matches("[::1]", "::1"));
	cr_assert(test_matches("::1", "::1"));
	cr_assert_not(test_matches("example.test:5002", "example.test:5002"));
	cr_assert_not(test_matches("www.example.test", "example.test"));
	cr_assert_not(test_matches("", "example.test"));
}

Test(http01, history_remove_keeps_the_others_in_order)
{
	cr_assert_eq(http01_history_add(h, "/1", "a.test:80", ""), 0);
	cr_assert_eq(http01_history_add(h, "/2", "b.test", ""), 0);
	cr_assert_eq(http01_history_add(h, "/3", "A.test", ""), 0);
	cr_assert_eq(http01_history_add(h, "/4", "b.test:81", ""), 0);
	cr_assert_eq(http01_history_remove(h, "a.test"), 2);
	cr_assert_eq(http01_history_count(h), 2);
	cr_assert_str_eq(http01_history_get(h, 0)->url, "/2");
	cr_assert_str_eq(http01_history_get(h, 1)->url, "/4");
	cr_assert_eq(http01_history_remove(h, "a.test"), 0);
}

Test(http01, log_text_is_printable_or_a_question_mark)
{
	char *big = test_repeat('a', HTTP01_LOG_MAX + 1);

	cr_assert_str_eq(http01_printable("tok-1_x"), "tok-1_x");
	cr_assert_str_eq(http01_printable("a\nb"), "?");
	cr_assert_str_eq(http01_printable("\xc3\xa9"), "?");
	cr_assert_str_eq(http01_printable(big), "?");
	free(big);
}
