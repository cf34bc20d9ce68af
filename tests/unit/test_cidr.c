/*
 * tests/unit/test_cidr.c -- address prefixes (responder/cidr.c), the view a
 * client gets (query_view_find()) and GET /queries' client= filter
 * (history_entry_from()).
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cidr.h"
#include "history.h"
#include "query.h"

static struct cidr
pfx(const char *text)
{
	struct cidr p;
	char err[128] = "";

	cr_assert_eq(cidr_parse(text, &p, err, sizeof(err)), 0, "%s: %s", text,
	             err);
	return p;
}

static const char *
parse_err(const char *text)
{
	static char err[128];
	struct cidr p;

	err[0] = '\0';
	cr_expect_eq(cidr_parse(text, &p, err, sizeof(err)), -EINVAL,
	             "%s parsed", text);
	return err;
}

static const char *
fmt(const char *text)
{
	static char buf[CIDR_TEXT_MAX];
	struct cidr p = pfx(text);

	cidr_format(&p, buf, sizeof(buf));
	return buf;
}

/* A socket address for the numeric ADDR, IPv4 or IPv6. */
static struct sockaddr_storage
sa(const char *addr)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(5353);
	} else {
		cr_assert_eq(inet_pton(AF_INET6, addr, &sin6->sin6_addr), 1,
		             "bad test address %s", addr);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(5353);
	}
	return ss;
}

static bool
contains(const char *prefix, const char *addr)
{
	struct sockaddr_storage ss = sa(addr);
	struct cidr p = pfx(prefix), a;

	cr_assert(cidr_from_sockaddr((const struct sockaddr *)&ss, &a));
	return cidr_contains(&p, &a);
}

Test(cidr, parse_and_format)
{
	cr_expect_str_eq(fmt("192.0.2.7"), "192.0.2.7/32");
	cr_expect_str_eq(fmt("192.0.2.0/24"), "192.0.2.0/24");
	cr_expect_str_eq(fmt("10.128.0.0/9"), "10.128.0.0/9");
	cr_expect_str_eq(fmt("0.0.0.0/0"), "0.0.0.0/0");
	cr_expect_str_eq(fmt("2001:DB8::1"), "2001:db8::1/128");
	cr_expect_str_eq(fmt("2001:DB8:8000:0::/33"), "2001:db8:8000::/33");
	cr_expect_str_eq(fmt("::/0"), "::/0");
	/* An IPv4-mapped prefix is the IPv4 prefix it maps. */
	cr_expect_str_eq(fmt("::ffff:10.0.0.0/120"), "10.0.0.0/24");
	cr_expect_str_eq(fmt("::ffff:127.0.0.2"), "127.0.0.2/32");
	cr_expect_str_eq(fmt("::ffff:0.0.0.0/96"), "0.0.0.0/0");
}

Test(cidr, parse_errors)
{
	cr_expect_str_eq(parse_err("10.0.0.0/33"), "bad prefix length 33");
	cr_expect_str_eq(parse_err("::/129"), "bad prefix length 129");
	cr_expect_str_eq(parse_err("::/1280"), "bad prefix length '1280'");
	cr_expect_str_eq(parse_err("10.0.0.0/-1"), "bad prefix length '-1'");
	cr_expect_str_eq(parse_err("10.0.0.0/ 8"), "bad prefix length ' 8'");
	cr_expect_str_eq(parse_err("10.0.0.0/"), "bad prefix length ''");
	cr_expect_str_eq(parse_err("/8"), "bad address '/8'");
	cr_expect_str_eq(parse_err(""), "bad address ''");
	cr_expect_str_eq(parse_err("10.0.0"), "bad address '10.0.0'");
	cr_expect_str_eq(parse_err("localhost"), "bad address 'localhost'");
	cr_expect_str_eq(parse_err("[::1]/128"), "bad address '[::1]'");
	/* Host bits past the length are a mistake, refused as BIND does. */
	cr_expect_str_eq(parse_err("127.0.0.2/8"),
	                 "host bits set in '127.0.0.2/8' (did you mean "
	                 "127.0.0.0/8?)");
	cr_expect_str_eq(parse_err("10.255.0.1/9"),
	                 "host bits set in '10.255.0.1/9' (did you mean "
	                 "10.128.0.0/9?)");
	cr_expect_str_eq(parse_err("2001:db8:ffff::1/33"),
	                 "host bits set in '2001:db8:ffff::1/33' (did you mean "
	                 "2001:db8:8000::/33?)");
	cr_expect_str_eq(parse_err("::ffff:10.0.0.1/120"),
	                 "host bits set in '::ffff:10.0.0.1/120' (did you mean "
	                 "10.0.0.0/24?)");
}

Test(cidr, masked_compare)
{
	cr_expect(contains("127.0.0.2", "127.0.0.2"));
	cr_expect_not(contains("127.0.0.2", "127.0.0.3"));
	cr_expect(contains("10.0.0.0/8", "10.255.255.255"));
	cr_expect_not(contains("10.0.0.0/8", "11.0.0.0"));
	cr_expect(contains("192.0.2.128/25", "192.0.2.200"));
	cr_expect_not(contains("192.0.2.128/25", "192.0.2.127"));
	cr_expect(contains("0.0.0.0/0", "203.0.113.9"));
	cr_expect(contains("2001:db8::/32", "2001:db8:1::53"));
	cr_expect_not(contains("2001:db8::/32", "2001:db9::53"));
	cr_expect(contains("2001:db8:8000::/33", "2001:db8:ffff::1"));
	cr_expect_not(contains("2001:db8:8000::/33", "2001:db8:7fff::1"));
	cr_expect(contains("::1", "::1"));
	cr_expect(contains("::/0", "::1"));
}

Test(cidr, ipv4_mapped_sources_are_ipv4)
{
	cr_expect(contains("127.0.0.2", "::ffff:127.0.0.2"));
	cr_expect(contains("10.0.0.0/8", "::ffff:10.1.2.3"));
	cr_expect_not(contains("10.0.0.0/8", "::ffff:11.1.2.3"));
	cr_expect(contains("0.0.0.0/0", "::ffff:192.0.2.1"));
	/* IPv6 prefixes are for IPv6 clients; IPv4 ones never match IPv6. */
	cr_expect_not(contains("::/0", "::ffff:192.0.2.1"));
	cr_expect_not(contains("::/0", "192.0.2.1"));
	cr_expect_not(contains("0.0.0.0/0", "::1"));
	cr_expect_not(contains("0.0.0.0/0", "::"));
	/* ::/80 ends in ::ffff:0:0/96: those clients are IPv4, outside it. */
	cr_expect(contains("::/80", "::fffe:ffff:ffff"));
	cr_expect_not(contains("::/80", "::ffff:255.255.255.255"));
	/* Written mapped, a prefix matches the IPv4 sources it names. */
	cr_expect(contains("::ffff:127.0.0.2", "127.0.0.2"));
	cr_expect(contains("::ffff:127.0.0.2", "::ffff:127.0.0.2"));
	cr_expect_not(contains("::ffff:127.0.0.2", "127.0.0.3"));
	cr_expect(contains("::ffff:10.0.0.0/104", "10.9.8.7"));
}

Test(cidr, unknown_family)
{
	struct sockaddr_storage ss;
	struct cidr a;

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNIX;
	cr_expect_not(cidr_from_sockaddr((const struct sockaddr *)&ss, &a));
}

Test(views, most_specific_prefix_wins)
{
	struct query_view v[4];
	struct query_env env;
	const char *text[] = {"127.0.0.0/8", "127.0.0.2/32", "::1/128",
	                      "127.0.0.0/24"};
	struct sockaddr_storage ss;
	const struct query_view *got;

	memset(&env, 0, sizeof(env));
	memset(v, 0, sizeof(v));
	for (size_t i = 0; i < 4; i++) {
		v[i].prefix = pfx(text[i]);
		(void)snprintf(v[i].text, sizeof(v[i].text), "%s", text[i]);
	}
	query_views_sort(v, 4);
	env.views = v;
	env.nviews = 4;

	ss = sa("127.0.0.2");
	got = query_view_find(&env, (const struct sockaddr *)&ss);
	cr_assert_not_null(got);
	cr_expect_str_eq(got->text, "127.0.0.2/32");
	ss = sa("127.0.0.3");
	got = query_view_find(&env, (const struct sockaddr *)&ss);
	cr_assert_not_null(got);
	cr_expect_str_eq(got->text, "127.0.0.0/24");
	ss = sa("127.1.0.3");
	got = query_view_find(&env, (const struct sockaddr *)&ss);
	cr_assert_not_null(got);
	cr_expect_str_eq(got->text, "127.0.0.0/8");
	ss = sa("::ffff:127.0.0.2");
	got = query_view_find(&env, (const struct sockaddr *)&ss);
	cr_assert_not_null(got);
	cr_expect_str_eq(got->text, "127.0.0.2/32");
	ss = sa("::1");
	got = query_view_find(&env, (const struct sockaddr *)&ss);
	cr_assert_not_null(got);
	cr_expect_str_eq(got->text, "::1/128");
	ss = sa("192.0.2.1");
	cr_expect_null(query_view_find(&env, (const struct sockaddr *)&ss));
	cr_expect_null(query_view_find(&env, NULL));
	env.nviews = 0;
	ss = sa("127.0.0.2");
	cr_expect_null(query_view_find(&env, (const struct sockaddr *)&ss));
}

Test(history, client_filter)
{
	struct history_entry e;
	struct sockaddr_storage ss;
	struct cidr p;

	memset(&e, 0, sizeof(e));
	ss = sa("127.0.0.3");
	memcpy(&e.client.sin, &ss, sizeof(e.client.sin));
	p = pfx("127.0.0.3");
	cr_expect(history_entry_from(&e, &p));
	p = pfx("127.0.0.0/30");
	cr_expect(history_entry_from(&e, &p));
	p = pfx("127.0.0.2");
	cr_expect_not(history_entry_from(&e, &p));
	p = pfx("::/0");
	cr_expect_not(history_entry_from(&e, &p));

	ss = sa("::ffff:127.0.0.3");
	memcpy(&e.client.sin6, &ss, sizeof(e.client.sin6));
	p = pfx("127.0.0.3");
	cr_expect(history_entry_from(&e, &p));

	memset(&e, 0, sizeof(e));
	e.client.sa.sa_family = AF_UNSPEC;
	p = pfx("0.0.0.0/0");
	cr_expect_not(history_entry_from(&e, &p));
}
