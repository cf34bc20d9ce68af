/*
 * tests/unit/test_fault.c -- fault rules: parser, matcher, files, profiles.
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "fault.h"
#include "wire.h"

/* A canonical wire name for S, as query.c hands it to fault_match(). */
struct qname {
	uint8_t wire[WIRE_NAME_MAX];
	size_t len;
};

static struct qname
qn(const char *s)
{
	struct qname q = {{0}, 0};
	ldns_rdf *rdf = ldns_dname_new_frm_str(s);

	cr_assert_not_null(rdf, "bad test name %s", s);
	q.len = ldns_rdf_size(rdf);
	memcpy(q.wire, ldns_rdf_data(rdf), q.len);
	ldns_rdf_deep_free(rdf);
	wire_name_lower(q.wire);
	return q;
}

static const struct fault_rule *
match(struct fault_set *fs, const char *name, uint16_t type,
      enum query_transport tp, int family)
{
	struct qname q = qn(name);

	return fault_match(fs, q.wire, q.len, type, tp, family, NULL, 0);
}

/* match() for a query with the facts FACTS (FAULT_FACT_*). */
static const struct fault_rule *
match_facts(struct fault_set *fs, const char *name, uint16_t type,
            unsigned facts)
{
	struct qname q = qn(name);

	return fault_match(fs, q.wire, q.len, type, QUERY_UDP, AF_INET, NULL,
	                   facts);
}

/* match() for a UDP query from the address ADDR (IPv4 or IPv6 text). */
static const struct fault_rule *
match_from(struct fault_set *fs, const char *name, const char *addr)
{
	struct qname q = qn(name);
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
	} else {
		cr_assert_eq(inet_pton(AF_INET6, addr, &sin6->sin6_addr), 1,
		             "bad test address %s", addr);
		sin6->sin6_family = AF_INET6;
	}
	return fault_match(fs, q.wire, q.len, WIRE_TYPE_CAA, QUERY_UDP,
	                   ss.ss_family, (const struct sockaddr *)&ss, 0);
}

static const struct fault_rule *
match_udp(struct fault_set *fs, const char *name, uint16_t type)
{
	return match(fs, name, type, QUERY_UDP, AF_INET);
}

static uint32_t
add(struct fault_set *fs, const char *line)
{
	char err[256] = "";
	uint32_t id = 0;
	int rc = fault_set_add_text(fs, line, FAULT_ORIGIN_RULE, &id, err,
	                            sizeof(err));

	cr_assert_eq(rc, 0, "%s: %s", line, err);
	return id;
}

/* The error of parsing LINE, which must fail. */
static const char *
parse_err(const char *line)
{
	static char err[256];
	struct fault_rule *r = NULL;

	err[0] = '\0';
	cr_expect_eq(fault_rule_parse(line, &r, err, sizeof(err)), -EINVAL,
	             "%s parsed", line);
	cr_expect_null(r);
	fault_rule_free(r);
	return err;
}

/* Parse LINE and return its canonical text in BUF. */
static const char *
canon(const char *line, char *buf, size_t cap)
{
	char err[256] = "";
	struct fault_rule *r = NULL;

	cr_assert_eq(fault_rule_parse(line, &r, err, sizeof(err)), 0, "%s: %s",
	             line, err);
	(void)snprintf(buf, cap, "%s", fault_rule_text(r));
	fault_rule_free(r);
	return buf;
}

Test(fault_parse, every_action)
{
	static const struct {
		char word[16];
		enum fault_action action;
	} cases[] = {
		{"servfail", FAULT_SERVFAIL}, {"refused", FAULT_REFUSED},
		{"notimp", FAULT_NOTIMP},     {"formerr", FAULT_FORMERR},
		{"nxdomain", FAULT_NXDOMAIN}, {"nodata", FAULT_NODATA},
		{"drop", FAULT_DROP},         {"delay", FAULT_DELAY},
		{"truncate", FAULT_TRUNCATE}, {"garble", FAULT_GARBLE},
		{"noaa", FAULT_NOAA},         {"nosoa", FAULT_NOSOA},
		{"wrongid", FAULT_WRONGID},
		{"sig-expired", FAULT_SIG_EXPIRED},
		{"sig-future", FAULT_SIG_FUTURE},
		{"sig-bogus", FAULT_SIG_BOGUS},
		{"sig-strip", FAULT_SIG_STRIP},
		{"nsec-strip", FAULT_NSEC_STRIP},
		{"ds-bogus", FAULT_DS_BOGUS},
	};
	char line[512];
	char want[64];
	char err[256];
	struct fault_rule *r = NULL;

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		(void)snprintf(line, sizeof(line), "%s x.test CAA%s",
		               cases[i].word,
		               cases[i].action == FAULT_DELAY ? " ms=5" : "");
		cr_assert_eq(fault_rule_parse(line, &r, err, sizeof(err)), 0,
		             "%s: %s", line, err);
		cr_expect_eq(fault_rule_action(r), cases[i].action, "%s", line);
		cr_expect_str_eq(fault_action_name(cases[i].action),
		                 cases[i].word);
		cr_expect_str_eq(fault_rule_text(r), line);
		cr_expect_eq(fault_rule_tcp_action(r), FAULT_NORMAL);
		cr_expect_eq(fault_rule_ede(r), FAULT_EDE_NONE);
		cr_expect_eq(fault_rule_id(r), 0);
		fault_rule_free(r);
	}
	(void)snprintf(want, sizeof(want), "%s", "normal");
	cr_expect_str_eq(fault_action_name(FAULT_NORMAL), want);
}

Test(fault_parse, every_option)
{
	char err[256] = "";
	struct fault_rule *r = NULL;
	struct fault_effect e;
	const char *line = "truncate x.test CAA count=2 after=1 every=3 p=0.5 "
	                   "transport=udp family=6 ms=100 ede=22 tcp=servfail";

	cr_assert_eq(fault_rule_parse(line, &r, err, sizeof(err)), 0, "%s",
	             err);
	cr_expect_str_eq(fault_rule_text(r), line);
	cr_expect_eq(fault_rule_action(r), FAULT_TRUNCATE);
	cr_expect_eq(fault_rule_tcp_action(r), FAULT_SERVFAIL);
	cr_expect_eq(fault_rule_ms(r), 100);
	cr_expect_eq(fault_rule_ede(r), 22);
	fault_rule_effect(r, QUERY_UDP, &e);
	cr_expect_eq(e.action, FAULT_TRUNCATE);
	cr_expect_eq(e.delay_ms, 100);
	cr_expect_eq(e.ede, 22);
	fault_rule_effect(r, QUERY_TCP, &e);
	cr_expect_eq(e.action, FAULT_SERVFAIL);
	fault_rule_free(r);
}

Test(fault_parse, option_order_is_canonical)
{
	char buf[256];

	cr_expect_str_eq(
	        canon("truncate x.test A tcp=normal ms=5 ede=0 family=4 "
	              "transport=tcp p=1 every=1 after=0 count=9",
	              buf, sizeof(buf)),
		"truncate x.test A count=9 after=0 every=1 p=1 "
		"transport=tcp family=4 ms=5 ede=0 tcp=normal");
}

Test(fault_parse, option_values)
{
	char buf[256];

	cr_expect_str_eq(canon("servfail x CAA p=0", buf, sizeof(buf)),
	                 "servfail x CAA p=0");
	cr_expect_str_eq(canon("servfail x CAA p=.3", buf, sizeof(buf)),
	                 "servfail x CAA p=0.3");
	cr_expect_str_eq(canon("servfail x CAA ede=65535", buf, sizeof(buf)),
	                 "servfail x CAA ede=65535");
	cr_expect_str_eq(
	        canon("servfail x CAA ms=4294967295", buf, sizeof(buf)),
		"servfail x CAA ms=4294967295");
	cr_expect_str_eq(
	        canon("truncate x CAA tcp=delay ms=9", buf, sizeof(buf)),
		"truncate x CAA ms=9 tcp=delay");
	cr_expect_str_eq(canon("truncate x CAA tcp=truncate", buf, sizeof(buf)),
	                 "truncate x CAA tcp=truncate");
	cr_expect_str_eq(
	        canon("drop x CAA family=6 transport=udp", buf, sizeof(buf)),
		"drop x CAA transport=udp family=6");
}

Test(fault_parse, names_and_types)
{
	char buf[256];

	cr_expect_str_eq(
	        canon("SERVFAIL Host.Example.TEST. caa", buf, sizeof(buf)),
		"servfail host.example.test CAA");
	cr_expect_str_eq(
	        canon("servfail *.Example.test TYPE257", buf, sizeof(buf)),
		"servfail *.example.test CAA");
	cr_expect_str_eq(canon("servfail . *", buf, sizeof(buf)),
	                 "servfail . *");
	cr_expect_str_eq(canon("servfail *. A", buf, sizeof(buf)),
	                 "servfail *. A");
	cr_expect_str_eq(canon("servfail x type65280", buf, sizeof(buf)),
	                 "servfail x TYPE65280");
	cr_expect_str_eq(canon("servfail x TYPE0", buf, sizeof(buf)),
	                 "servfail x TYPE0");
	cr_expect_str_eq(canon("servfail x txt", buf, sizeof(buf)),
	                 "servfail x TXT");
	cr_expect_str_eq(canon("servfail a\\.b.test AAAA", buf, sizeof(buf)),
	                 "servfail a\\.b.test AAAA");
	cr_expect_str_eq(
	        canon("  servfail\tx   CAA  # why\r\n", buf, sizeof(buf)),
		"servfail x CAA");
}

Test(fault_parse, errors)
{
	static const struct {
		char line[80];
		char err[80];
	} cases[] = {
		{"", "empty rule"},
		{"   # only a comment", "empty rule"},
		{"servfial x.test CAA", "unknown action 'servfial'"},
		{"normal x.test CAA", "unknown action 'normal'"},
		{"servfail", "missing name"},
		{"servfail x.test", "missing type"},
		{"servfail x..test CAA", "bad name 'x..test'"},
		{"servfail * CAA", "bad name '*' (use '.' for every name)"},
		{"servfail x.test CAAA", "unknown type 'CAAA'"},
		{"servfail x.test TYPE65536", "unknown type 'TYPE65536'"},
		{"servfail x.test TYPEx", "unknown type 'TYPEx'"},
		{"servfail x.test CAA count=x", "bad option 'count=x'"},
		{"servfail x.test CAA count=-1", "bad option 'count=-1'"},
		{"servfail x.test CAA count=", "bad option 'count='"},
		{"servfail x.test CAA count", "bad option 'count'"},
		{"servfail x.test CAA count=0", "count must be at least 1"},
		{"servfail x.test CAA every=0", "every must be at least 1"},
		{"servfail x.test CAA after=4294967296",
	         "bad option 'after=4294967296'"},
		{"servfail x.test CAA p=1.5", "p must be between 0 and 1"},
		{"servfail x.test CAA p=-0.1", "p must be between 0 and 1"},
		{"servfail x.test CAA p=x", "bad option 'p=x'"},
		{"servfail x.test CAA p=nan", "bad option 'p=nan'"},
		{"servfail x.test CAA transport=sctp",
	         "bad option 'transport=sctp'"},
		{"servfail x.test CAA family=5", "bad option 'family=5'"},
		{"servfail x.test CAA ede=65536",
	         "ede must be between 0 and 65535"},
		{"servfail x.test CAA ms=1s", "bad option 'ms=1s'"},
		{"servfail x.test CAA colour=red",
	         "unknown option 'colour=red'"},
		{"servfail x.test CAA count=1 count=2",
	         "duplicate option 'count'"},
		{"servfail x.test CAA p=0.1 P=0.2", "duplicate option 'P'"},
		{"delay x.test CAA", "delay needs ms=N"},
		{"servfail x.test CAA tcp=drop",
	         "tcp= only applies to truncate"},
		{"truncate x.test CAA tcp=bogus", "unknown tcp action 'bogus'"},
		{"truncate x.test CAA tcp=delay", "tcp=delay needs ms=N"},
		{"servfail x.test CAA extra", "trailing garbage 'extra'"},
		{"servfail x.test CAA from=10.0.0.0/33",
	         "from=: bad prefix length 33"},
		{"servfail x.test CAA from=::/129",
	         "from=: bad prefix length 129"},
		{"servfail x.test CAA from=10.0.0.0/x",
	         "from=: bad prefix length 'x'"},
		{"servfail x.test CAA from=10.0.0.0/",
	         "from=: bad prefix length ''"},
		{"servfail x.test CAA from=10.0.0.256",
	         "from=: bad address '10.0.0.256'"},
		{"servfail x.test CAA from=", "from=: bad address ''"},
		{"servfail x.test CAA from=host.test/8",
	         "from=: bad address 'host.test'"},
		{"servfail x.test CAA from=127.0.0.1/8",
	         "from=: host bits set in '127.0.0.1/8' (did you mean "
	         "127.0.0.0/8?)"},
		{"servfail x.test CAA from=::1 family=4",
	         "from=::1 is IPv6: family=4 never matches it"},
		{"servfail x.test CAA family=6 from=10.0.0.0/8",
	         "from=10.0.0.0/8 is IPv4: family=6 never matches it"},
		{"servfail x.test CAA from=::ffff:127.0.0.2 family=6",
	         "from=127.0.0.2 is IPv4: family=6 never matches it"},
		{"servfail x.test CAA from=::1 from=::2",
	         "duplicate option 'from'"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		cr_expect_str_eq(parse_err(cases[i].line), cases[i].err,
		                 "line '%s'", cases[i].line);
	}
}

Test(fault_parse, canonical_text_round_trips)
{
	static const char lines[][96] = {
		"servfail host.example.test CAA count=2",
		"drop . CAA",
		"servfail test CAA every=3",
		"truncate big.example.test CAA tcp=drop",
		"delay *.example.test * ms=250 ede=3",
		"noaa x.test TYPE65280 after=5 p=0.123456789 family=6",
		"nosoa *. NS transport=tcp",
		"wrongid a\\.b\\032c.test A",
		/* Found by fuzz_rule: an exact name that starts with "#" or
		 * is the label "*" keeps its backslash, so the text reads
		 * back as the same rule, not a comment or a selector. */
		"refused \\#x.test A",
		"refused \\* A",
		"refused \\*.x.test A",
		"refused *.*.x.test A",
	};
	char once[256];
	char twice[256];

	for (size_t i = 0; i < sizeof(lines) / sizeof(*lines); i++) {
		(void)canon(lines[i], once, sizeof(once));
		cr_expect_str_eq(once, lines[i]);
		cr_expect_str_eq(canon(once, twice, sizeof(twice)), once);
	}
}

Test(fault_parse, answer_and_case_options)
{
	char buf[256];

	cr_expect_str_eq(canon("sig-bogus x.test CAA answer=NEGATIVE", buf,
	                       sizeof(buf)),
	                 "sig-bogus x.test CAA answer=negative");
	cr_expect_str_eq(canon("servfail . * answer=positive count=2", buf,
	                       sizeof(buf)),
	                 "servfail . * count=2 answer=positive");
	cr_expect_str_eq(canon("sig-bogus . * case=mixed ede=6 answer=negative",
	                       buf, sizeof(buf)),
	                 "sig-bogus . * ede=6 answer=negative case=mixed");
	cr_expect_str_eq(canon("ds-bogus x.test DS case=lower", buf,
	                       sizeof(buf)),
	                 "ds-bogus x.test DS case=lower");
	cr_expect_str_eq(parse_err("sig-bogus x.test CAA answer=empty"),
	                 "bad option 'answer=empty'");
	cr_expect_str_eq(parse_err("sig-bogus x.test CAA answer="),
	                 "bad option 'answer='");
	cr_expect_str_eq(parse_err("nodata x CAA answer=positive answer=negative"),
	                 "duplicate option 'answer'");
	cr_expect_str_eq(parse_err("sig-bogus x.test CAA case=upper"),
	                 "bad option 'case=upper'");
	cr_expect_str_eq(parse_err("sig-bogus x.test CAA answer"),
	                 "bad option 'answer'");
	cr_expect_str_eq(parse_err("sig-expird x.test CAA"),
	                 "unknown action 'sig-expird'");
}

Test(fault_match, answer_limits_a_rule_to_its_kind)
{
	struct fault_set *fs = fault_set_new();
	uint32_t neg = add(fs, "servfail x.test CAA answer=negative");
	uint32_t pos = add(fs, "refused x.test CAA answer=positive");
	const struct fault_rule *r = NULL;

	r = match_facts(fs, "x.test", 257, FAULT_FACT_NEGATIVE);
	cr_assert_not_null(r);
	cr_expect_eq(fault_rule_id(r), neg);
	r = match_facts(fs, "x.test", 257, FAULT_FACT_POSITIVE);
	cr_assert_not_null(r);
	cr_expect_eq(fault_rule_id(r), pos);
	/* A referral, an error: neither kind, neither rule. */
	cr_expect_null(match_facts(fs, "x.test", 257, 0));
	/* A rule ruled out does not count the query. */
	cr_expect_eq(fault_rule_seen(fault_set_find(fs, neg)), 1);
	fault_set_free(fs);
}

Test(fault_match, dnssec_actions_need_do_and_case_selects)
{
	struct fault_set *fs = fault_set_new();
	uint32_t mixed = add(fs, "sig-bogus x.test * case=mixed");
	uint32_t strip = add(fs, "sig-strip x.test *");
	const struct fault_rule *r = NULL;

	cr_expect_null(match_facts(fs, "x.test", 257, FAULT_FACT_POSITIVE));
	cr_expect_eq(fault_rule_seen(fault_set_find(fs, strip)), 0);
	r = match_facts(fs, "x.test", 257, FAULT_FACT_DO | FAULT_FACT_MIXED);
	cr_assert_not_null(r);
	cr_expect_eq(fault_rule_id(r), mixed);
	r = match_facts(fs, "x.test", 257, FAULT_FACT_DO);
	cr_assert_not_null(r);
	cr_expect_eq(fault_rule_id(r), strip);
	cr_expect_eq(fault_rule_action(r), FAULT_SIG_STRIP);
	fault_set_free(fs);
}

Test(fault_match, exact_name_only)
{
	struct fault_set *fs = fault_set_new();
	uint32_t id = add(fs, "servfail host.example.test CAA");

	cr_assert_not_null(match_udp(fs, "host.example.test", WIRE_TYPE_CAA));
	cr_expect_eq(fault_rule_id(
	                     match_udp(fs, "host.example.test", WIRE_TYPE_CAA)),
	             id);
	cr_expect_null(match_udp(fs, "example.test", WIRE_TYPE_CAA));
	cr_expect_null(match_udp(fs, "a.host.example.test", WIRE_TYPE_CAA));
	cr_expect_null(match_udp(fs, "host.example.test", WIRE_TYPE_A));
	cr_expect_null(match_udp(fs, ".", WIRE_TYPE_CAA));
	fault_set_free(fs);
}

Test(fault_match, below_excludes_the_name_itself)
{
	struct fault_set *fs = fault_set_new();

	add(fs, "refused *.example.test CAA");
	cr_expect_not_null(match_udp(fs, "a.example.test", WIRE_TYPE_CAA));
	cr_expect_not_null(match_udp(fs, "b.a.example.test", WIRE_TYPE_CAA));
	cr_expect_null(match_udp(fs, "example.test", WIRE_TYPE_CAA));
	cr_expect_null(match_udp(fs, "xexample.test", WIRE_TYPE_CAA));
	cr_expect_null(match_udp(fs, "test", WIRE_TYPE_CAA));
	cr_expect_null(match_udp(fs, "a.example.org", WIRE_TYPE_CAA));
	fault_set_free(fs);
}

Test(fault_match, dot_matches_every_name)
{
	struct fault_set *fs = fault_set_new();

	add(fs, "drop . CAA");
	cr_expect_not_null(match_udp(fs, ".", WIRE_TYPE_CAA));
	cr_expect_not_null(match_udp(fs, "test", WIRE_TYPE_CAA));
	cr_expect_not_null(match_udp(fs, "a.b.c.d.e.f.g", WIRE_TYPE_CAA));
	cr_expect_null(match_udp(fs, "test", WIRE_TYPE_TXT));
	fault_set_free(fs);
}

Test(fault_match, below_root_spares_the_root)
{
	struct fault_set *fs = fault_set_new();

	add(fs, "drop *. A");
	cr_expect_not_null(match_udp(fs, "test", WIRE_TYPE_A));
	cr_expect_null(match_udp(fs, ".", WIRE_TYPE_A));
	fault_set_free(fs);
}

Test(fault_match, case_insensitive)
{
	struct fault_set *fs = fault_set_new();

	add(fs, "servfail HoSt.EXAMPLE.test. CAA");
	add(fs, "servfail *.ZONE.Test CAA");
	cr_expect_not_null(match_udp(fs, "Host.Example.Test", WIRE_TYPE_CAA));
	cr_expect_not_null(match_udp(fs, "A.zone.TEST", WIRE_TYPE_CAA));
	fault_set_free(fs);
}

Test(fault_match, type_star_and_type_numbers)
{
	struct fault_set *fs = fault_set_new();

	add(fs, "servfail x.test *");
	add(fs, "refused y.test TYPE257");
	cr_expect_not_null(match_udp(fs, "x.test", WIRE_TYPE_A));
	cr_expect_not_null(match_udp(fs, "x.test", 65280));
	cr_expect_not_null(match_udp(fs, "x.test", 0));
	cr_expect_not_null(match_udp(fs, "y.test", WIRE_TYPE_CAA));
	cr_expect_null(match_udp(fs, "y.test", WIRE_TYPE_A));
	fault_set_free(fs);
}

Test(fault_match, first_added_wins)
{
	struct fault_set *fs = fault_set_new();
	uint32_t all = add(fs, "drop . CAA transport=tcp");
	uint32_t below = add(fs, "refused *.example.test *");
	uint32_t exact = add(fs, "servfail a.example.test CAA");
	const struct fault_rule *r = NULL;

	cr_expect(all < below && below < exact);
	r = match_udp(fs, "a.example.test", WIRE_TYPE_CAA);
	cr_expect_eq(fault_rule_id(r), below);
	r = match(fs, "a.example.test", WIRE_TYPE_CAA, QUERY_TCP, AF_INET);
	cr_expect_eq(fault_rule_id(r), all);
	cr_expect_eq(fault_set_remove(fs, below), 0);
	r = match_udp(fs, "a.example.test", WIRE_TYPE_CAA);
	cr_expect_eq(fault_rule_id(r), exact);
	fault_set_free(fs);
}

Test(fault_match, count_fails_twice_then_falls_through)
{
	struct fault_set *fs = fault_set_new();
	uint32_t first = add(fs, "servfail x.test CAA count=2");
	uint32_t second = add(fs, "refused x.test CAA count=1");
	const struct fault_rule *r = NULL;

	r = match_udp(fs, "x.test", WIRE_TYPE_CAA);
	cr_expect_eq(fault_rule_id(r), first);
	r = match_udp(fs, "x.test", WIRE_TYPE_CAA);
	cr_expect_eq(fault_rule_id(r), first);
	r = match_udp(fs, "x.test", WIRE_TYPE_CAA);
	cr_expect_eq(fault_rule_id(r), second);
	cr_expect_null(match_udp(fs, "x.test", WIRE_TYPE_CAA));
	cr_expect_null(match_udp(fs, "x.test", WIRE_TYPE_CAA));
	r = fault_set_find(fs, first);
	cr_expect_eq(fault_rule_seen(r), 5);
	cr_expect_eq(fault_rule_fired(r), 2);
	/* The second rule only saw what the first let through. */
	cr_expect_eq(fault_rule_seen(fault_set_find(fs, second)), 3);
	fault_set_free(fs);
}

Test(fault_match, after_every_and_their_window)
{
	struct fault_set *fs = fault_set_new();
	bool got[12];
	static const bool want_after[12] = {0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
	static const bool want_every[12] = {1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0};
	/* after=1 every=2 count=5: k = 1, 3, 5 fire; k = 6 is past the window
	 */
	static const bool want_all[12] = {0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0};

	add(fs, "servfail a.test CAA after=2");
	add(fs, "servfail e.test CAA every=3");
	add(fs, "servfail w.test CAA after=1 every=2 count=5");
	for (size_t i = 0; i < 12; i++) {
		got[i] = match_udp(fs, "a.test", WIRE_TYPE_CAA) != NULL;
		cr_expect_eq(got[i], want_after[i], "after, query %zu", i);
		got[i] = match_udp(fs, "e.test", WIRE_TYPE_CAA) != NULL;
		cr_expect_eq(got[i], want_every[i], "every, query %zu", i);
		got[i] = match_udp(fs, "w.test", WIRE_TYPE_CAA) != NULL;
		cr_expect_eq(got[i], want_all[i], "window, query %zu", i);
	}
	fault_set_free(fs);
}

static void
p_run(uint64_t seed, bool *out, size_t n)
{
	struct fault_set *fs = fault_set_new();

	fault_set_seed(fs, seed);
	add(fs, "servfail x.test CAA p=0.3");
	add(fs, "drop y.test CAA"); /* no p: takes no draws */
	for (size_t i = 0; i < n; i++) {
		out[i] = match_udp(fs, "x.test", WIRE_TYPE_CAA) != NULL;
		(void)match_udp(fs, "y.test", WIRE_TYPE_CAA);
	}
	fault_set_free(fs);
}

Test(fault_match, p_is_reproducible_with_a_seed)
{
	static bool a[2000];
	static bool b[2000];
	static bool c[2000];
	size_t hits = 0;
	size_t diff = 0;

	p_run(42, a, 2000);
	p_run(42, b, 2000);
	p_run(43, c, 2000);
	for (size_t i = 0; i < 2000; i++) {
		hits += a[i];
		diff += a[i] != c[i];
	}
	cr_expect_eq(memcmp(a, b, sizeof(a)), 0);
	cr_expect_gt(diff, 0);
	cr_expect(hits > 500 && hits < 700, "p=0.3 fired %zu of 2000", hits);
}

Test(fault_match, p_zero_never_p_one_always)
{
	struct fault_set *fs = fault_set_new();

	add(fs, "servfail zero.test CAA p=0");
	add(fs, "servfail one.test CAA p=1");
	for (int i = 0; i < 200; i++) {
		cr_expect_null(match_udp(fs, "zero.test", WIRE_TYPE_CAA));
		cr_expect_not_null(match_udp(fs, "one.test", WIRE_TYPE_CAA));
	}
	fault_set_free(fs);
}

Test(fault_match, transport_and_family_filter_before_counting)
{
	struct fault_set *fs = fault_set_new();
	const struct fault_rule *r = NULL;

	add(fs, "servfail t.test CAA transport=tcp count=1");
	add(fs, "servfail f.test CAA family=6 count=1");
	cr_expect_null(match(fs, "t.test", WIRE_TYPE_CAA, QUERY_UDP, AF_INET));
	cr_expect_null(match(fs, "t.test", WIRE_TYPE_CAA, QUERY_UDP, AF_INET));
	r = match(fs, "t.test", WIRE_TYPE_CAA, QUERY_TCP, AF_INET);
	cr_expect_not_null(r);
	cr_expect_eq(fault_rule_seen(r), 1);
	cr_expect_null(match(fs, "t.test", WIRE_TYPE_CAA, QUERY_TCP, AF_INET));

	cr_expect_null(match(fs, "f.test", WIRE_TYPE_CAA, QUERY_UDP, AF_INET));
	cr_expect_not_null(
	        match(fs, "f.test", WIRE_TYPE_CAA, QUERY_TCP, AF_INET6));
	cr_expect_null(match(fs, "f.test", WIRE_TYPE_CAA, QUERY_UDP, AF_INET6));
	fault_set_free(fs);
}

Test(fault_match, truncate_tcp_does_not_count)
{
	struct fault_set *fs = fault_set_new();
	const struct fault_rule *r = NULL;
	struct fault_effect e;
	uint32_t id = add(fs, "truncate x.test CAA count=1 tcp=drop");

	r = match(fs, "x.test", WIRE_TYPE_CAA, QUERY_UDP, AF_INET);
	cr_assert_not_null(r);
	fault_rule_effect(r, QUERY_UDP, &e);
	cr_expect_eq(e.action, FAULT_TRUNCATE);
	for (int i = 0; i < 3; i++) {
		r = match(fs, "x.test", WIRE_TYPE_CAA, QUERY_TCP, AF_INET);
		cr_assert_not_null(r);
		fault_rule_effect(r, QUERY_TCP, &e);
		cr_expect_eq(e.action, FAULT_DROP);
	}
	cr_expect_eq(fault_rule_seen(fault_set_find(fs, id)), 1);
	/* count=1 is spent for UDP; TCP still gets tcp= while the rule exists
	 */
	cr_expect_null(match(fs, "x.test", WIRE_TYPE_CAA, QUERY_UDP, AF_INET));
	cr_expect_not_null(
	        match(fs, "x.test", WIRE_TYPE_CAA, QUERY_TCP, AF_INET6));
	fault_set_free(fs);
}

Test(fault_match, truncate_tcp_normal_is_an_honest_answer)
{
	struct fault_set *fs = fault_set_new();
	const struct fault_rule *r = NULL;
	struct fault_effect e;

	add(fs, "truncate x.test CAA ms=30 ede=1");
	add(fs, "servfail x.test CAA");
	r = match(fs, "x.test", WIRE_TYPE_CAA, QUERY_TCP, AF_INET);
	cr_assert_not_null(r);
	cr_expect_eq(fault_rule_action(r), FAULT_TRUNCATE);
	fault_rule_effect(r, QUERY_TCP, &e);
	cr_expect_eq(e.action, FAULT_NORMAL);
	cr_expect_eq(e.delay_ms, 0);
	cr_expect_eq(e.ede, FAULT_EDE_NONE);
	fault_rule_effect(r, QUERY_UDP, &e);
	cr_expect_eq(e.action, FAULT_TRUNCATE);
	cr_expect_eq(e.delay_ms, 30);
	cr_expect_eq(e.ede, 1);
	fault_set_free(fs);
}

/*
 * Exact names, `*.X` at the depth of the query's parent, the query's own
 * name with other types, and `.` with other types: none may be tried.
 */
Test(fault_match, ten_thousand_other_rules)
{
	struct fault_set *fs = fault_set_new();
	char line[96];
	uint32_t want = 0;
	const struct fault_rule *r = NULL;
	int n = 0;

	for (int i = 0; i < 10000; i++) {
		if (i % 4 == 0) {
			n = snprintf(line, sizeof(line),
			             "drop name%d.example.test CAA", i);
		} else if (i % 4 == 1) {
			n = snprintf(line, sizeof(line),
			             "servfail *.name%d.test CAA", i);
		} else if (i % 4 == 2) {
			n = snprintf(line, sizeof(line),
			             "refused target.example.test TYPE%d", 1000 + i);
		} else {
			n = snprintf(line, sizeof(line), "drop . TYPE%d", 1000 + i);
		}
		cr_assert_lt(n, (int)sizeof(line));
		add(fs, line);
	}
	want = add(fs, "nxdomain target.example.test CAA");
	add(fs, "servfail *.deep.a.b.c.d.test *");
	cr_expect_eq(fault_set_count(fs), 10002);
	r = match_udp(fs, "target.example.test", WIRE_TYPE_CAA);
	cr_assert_not_null(r);
	cr_expect_eq(fault_rule_id(r), want);
	cr_expect_null(match_udp(fs, "unaffected.example.test", WIRE_TYPE_CAA));
	cr_expect_null(match_udp(fs, "name5.example.test", WIRE_TYPE_A));
	cr_expect_not_null(match_udp(fs, "x.deep.a.b.c.d.test", WIRE_TYPE_A));
	cr_expect_eq(fault_rule_action(match_udp(fs, "a.name1.test", 257)),
	             FAULT_SERVFAIL);
	cr_expect_eq(fault_rule_action(match_udp(fs, "x", 1003)), FAULT_DROP);
	/* Nothing was tried but the rules that matched. */
	for (size_t i = 0; i < 10000; i++) {
		r = fault_set_rule(fs, i);
		cr_assert_eq(fault_rule_seen(r), i == 1 || i == 3 ? 1 : 0,
		             "%s", fault_rule_text(r));
	}
	fault_set_free(fs);
}

Test(fault_match, ids_remove_and_clear)
{
	struct fault_set *fs = fault_set_new();
	uint32_t a = add(fs, "servfail x.test CAA");
	uint32_t b = add(fs, "refused x.test CAA");
	uint32_t c = 0;

	cr_expect_eq(a, 1);
	cr_expect_eq(b, 2);
	cr_expect_eq(fault_set_remove(fs, 99), -ENOENT);
	cr_expect_eq(fault_set_remove(fs, a), 0);
	cr_expect_eq(fault_set_remove(fs, a), -ENOENT);
	cr_expect_eq(fault_set_count(fs), 1);
	cr_expect_eq(fault_rule_id(fault_set_rule(fs, 0)), b);
	cr_expect_null(fault_set_rule(fs, 1));
	cr_expect_eq(fault_rule_action(match_udp(fs, "x.test", WIRE_TYPE_CAA)),
	             FAULT_REFUSED);
	fault_set_clear(fs);
	cr_expect_eq(fault_set_count(fs), 0);
	cr_expect_null(match_udp(fs, "x.test", WIRE_TYPE_CAA));
	c = add(fs, "servfail x.test CAA");
	cr_expect_eq(c, 3); /* ids are never reused */
	cr_expect_not_null(match_udp(fs, "x.test", WIRE_TYPE_CAA));
	cr_expect_eq(fault_rule_origin(fault_set_find(fs, c)),
	             FAULT_ORIGIN_RULE);
	fault_set_free(fs);
}

Test(fault_match, defensive_inputs)
{
	struct fault_set *fs = fault_set_new();
	static const uint8_t unterminated[] = {4, 't', 'e', 's', 't'};
	static const uint8_t pointer[] = {0xc0, 12, 0};
	struct fault_rule *r = NULL;
	char err[64];

	cr_expect_null(fault_match(NULL, (const uint8_t *)"", 1, 1, QUERY_UDP,
	                           AF_INET, NULL, 0));
	add(fs, "servfail . *");
	cr_expect_null(fault_match(fs, unterminated, sizeof(unterminated), 1,
	                           QUERY_UDP, AF_INET, NULL, 0));
	cr_expect_null(fault_match(fs, pointer, sizeof(pointer), 1, QUERY_UDP,
	                           AF_INET, NULL, 0));
	cr_assert_eq(fault_rule_parse("drop x A", &r, err, sizeof(err)), 0);
	cr_expect_eq(fault_set_add(fs, r, FAULT_ORIGIN_FILE, NULL), -EINVAL);
	fault_set_free(fs);
	fault_set_free(NULL);
	fault_rule_free(NULL);
}

/* Rules files: each test runs in its own process, so chdir is private. */

static void
in_tmpdir(void)
{
	char tmpl[] = "/tmp/test_fault.XXXXXX";

	cr_assert_not_null(mkdtemp(tmpl));
	cr_assert_eq(chdir(tmpl), 0);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	cr_assert_eq(fputs(text, f) >= 0, true);
	cr_assert_eq(fclose(f), 0);
}

Test(fault_file, loads_rules_comments_and_blanks, .init = in_tmpdir)
{
	struct fault_set *fs = fault_set_new();
	char err[256] = "";

	write_file("rules.txt", "# CAA trouble\n"
	                        "\n"
	                        "servfail a.test CAA   # the classic\n"
	                        "   \t\n"
	                        "drop *.b.test CAA\r\n"
	                        "delay . TXT ms=200");
	cr_assert_eq(fault_set_load_file(fs, "rules.txt", err, sizeof(err)), 0,
	             "%s", err);
	cr_assert_eq(fault_set_count(fs), 3);
	cr_expect_str_eq(fault_rule_text(fault_set_rule(fs, 0)),
	                 "servfail a.test CAA");
	cr_expect_str_eq(fault_rule_text(fault_set_rule(fs, 2)),
	                 "delay . TXT ms=200");
	cr_expect_eq(fault_rule_origin(fault_set_rule(fs, 1)),
	             FAULT_ORIGIN_FILE);
	cr_expect_str_eq(fault_origin_name(FAULT_ORIGIN_FILE), "file");
	cr_expect_not_null(match_udp(fs, "x.b.test", WIRE_TYPE_CAA));
	fault_set_free(fs);
}

Test(fault_file, errors_name_file_and_line, .init = in_tmpdir)
{
	static const struct {
		char text[96];
		char err[96];
	} cases[] = {
		{"# ok\nservfail a CAA\nservfial b CAA\n",
	         "rules.txt:3: unknown action 'servfial'"},
		{"drop a CAA count=1 count=2\n",
	         "rules.txt:1: duplicate option 'count'"},
		{"\n\ndelay a CAA\n", "rules.txt:3: delay needs ms=N"},
		{"servfail a\n", "rules.txt:1: missing type"},
	};
	struct fault_set *fs = fault_set_new();
	char err[256];

	add(fs, "refused keep.test CAA");
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		write_file("rules.txt", cases[i].text);
		err[0] = '\0';
		cr_expect_eq(
		        fault_set_load_file(fs, "rules.txt", err, sizeof(err)),
		        -EINVAL);
		cr_expect_str_eq(err, cases[i].err);
		cr_expect_eq(fault_set_count(fs), 1, "all or nothing");
	}
	cr_expect_eq(fault_set_load_file(fs, "nope.txt", err, sizeof(err)),
	             -ENOENT);
	cr_expect_str_eq(err, "nope.txt: No such file or directory");
	cr_expect_null(match_udp(fs, "a", WIRE_TYPE_CAA));
	/* A failed first load is not remembered for reloads. */
	write_file("rules.txt", "servfail a CAA\n");
	cr_expect_eq(fault_set_reload(fs, err, sizeof(err)), 0);
	cr_expect_eq(fault_set_count(fs), 1);
	fault_set_free(fs);
}

Test(fault_file, reload_replaces_file_rules_in_place, .init = in_tmpdir)
{
	struct fault_set *fs = fault_set_new();
	char err[256] = "";
	uint32_t before = 0;
	uint32_t after = 0;
	const struct fault_rule *r = NULL;

	before = add(fs, "servfail x.test CAA count=1");
	write_file("rules.txt", "refused x.test CAA\nrefused y.test CAA\n");
	cr_assert_eq(fault_set_load_file(fs, "rules.txt", err, sizeof(err)), 0);
	after = add(fs, "drop x.test CAA");
	cr_expect_not_null(match_udp(fs, "x.test", WIRE_TYPE_CAA)); /* count */
	r = match_udp(fs, "x.test", WIRE_TYPE_CAA);
	cr_expect_eq(fault_rule_action(r), FAULT_REFUSED);

	write_file("rules.txt", "nxdomain x.test CAA\n");
	cr_assert_eq(fault_set_reload(fs, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(fault_set_count(fs), 3);
	/* Still between the rules added before and after the first load. */
	cr_expect_eq(fault_rule_id(fault_set_rule(fs, 0)), before);
	cr_expect_str_eq(fault_rule_text(fault_set_rule(fs, 1)),
	                 "nxdomain x.test CAA");
	cr_expect_eq(fault_rule_id(fault_set_rule(fs, 2)), after);
	cr_expect_gt(fault_rule_id(fault_set_rule(fs, 1)), after);
	/* The counter of the kept rule survived: count=1 stays spent. */
	r = match_udp(fs, "x.test", WIRE_TYPE_CAA);
	cr_expect_eq(fault_rule_action(r), FAULT_NXDOMAIN);
	cr_expect_null(match_udp(fs, "y.test", WIRE_TYPE_CAA));

	/* A broken file changes nothing. */
	write_file("rules.txt", "servfail z.test CAA\nbogus\n");
	cr_expect_eq(fault_set_reload(fs, err, sizeof(err)), -EINVAL);
	cr_expect_str_eq(err, "rules.txt:2: unknown action 'bogus'");
	cr_expect_eq(fault_set_count(fs), 3);
	cr_expect_str_eq(fault_rule_text(fault_set_rule(fs, 1)),
	                 "nxdomain x.test CAA");

	/* After DELETE /faults a reload brings the file back. */
	fault_set_clear(fs);
	write_file("rules.txt", "servfail z.test CAA\n");
	cr_expect_eq(fault_set_reload(fs, err, sizeof(err)), 0);
	cr_expect_eq(fault_set_count(fs), 1);
	cr_expect_not_null(match_udp(fs, "z.test", WIRE_TYPE_CAA));
	fault_set_free(fs);
}

Test(fault_file, two_files_reload_together, .init = in_tmpdir)
{
	struct fault_set *fs = fault_set_new();
	char err[256] = "";

	write_file("a.txt", "servfail a.test CAA\n");
	write_file("b.txt", "servfail b.test CAA\n");
	cr_assert_eq(fault_set_load_file(fs, "a.txt", err, sizeof(err)), 0);
	cr_assert_eq(fault_set_load_file(fs, "b.txt", err, sizeof(err)), 0);
	write_file("a.txt", "refused a.test CAA\n");
	write_file("b.txt", "wrong\n");
	cr_expect_eq(fault_set_reload(fs, err, sizeof(err)), -EINVAL);
	cr_expect_str_eq(err, "b.txt:1: unknown action 'wrong'");
	cr_expect_eq(fault_rule_action(match_udp(fs, "a.test", WIRE_TYPE_CAA)),
	             FAULT_SERVFAIL);
	write_file("b.txt", "");
	cr_expect_eq(fault_set_reload(fs, err, sizeof(err)), 0);
	cr_expect_eq(fault_rule_action(match_udp(fs, "a.test", WIRE_TYPE_CAA)),
	             FAULT_REFUSED);
	cr_expect_null(match_udp(fs, "b.test", WIRE_TYPE_CAA));
	fault_set_free(fs);
}

/* Profiles. */

Test(fault_profile, every_profile_parses)
{
	char err[256];
	char arg[96];
	const struct fault_profile *p = NULL;
	struct fault_set *fs = NULL;
	int rc = 0;

	cr_assert_geq(fault_profile_count(), 12);
	for (size_t i = 0; i < fault_profile_count(); i++) {
		p = fault_profile_get(i);
		cr_expect_neq(p->summary[0], '\0');
		cr_expect_neq(p->source[0], '\0');
		cr_expect_null(strchr(p->summary, '\n'));
		cr_expect_eq(fault_profile_find(p->name), p);
		fs = fault_set_new();
		err[0] = '\0';
		rc = fault_set_add_profile(fs, p->name, err, sizeof(err));
		if (p->needs_domain) {
			cr_expect_eq(rc, -EINVAL, "%s", p->name);
			cr_expect_neq(strstr(err, "needs a domain"), NULL);
			cr_expect_eq(fault_set_count(fs), 0);
		} else {
			cr_expect_eq(rc, 0, "%s: %s", p->name, err);
			cr_expect_gt(fault_set_count(fs), 0);
		}
		fault_set_clear(fs);
		(void)snprintf(arg, sizeof(arg), "%s:Example.Test.", p->name);
		rc = fault_set_add_profile(fs, arg, err, sizeof(err));
		cr_expect_eq(rc, 0, "%s: %s", arg, err);
		cr_expect_gt(fault_set_count(fs), 0);
		for (size_t j = 0; j < fault_set_count(fs); j++) {
			cr_expect_eq(fault_rule_origin(fault_set_rule(fs, j)),
			             FAULT_ORIGIN_PROFILE);
			cr_expect_neq(
			        strstr(fault_rule_text(fault_set_rule(fs, j)),
			               "example.test"),
			        NULL);
		}
		fault_set_free(fs);
	}
	cr_expect_null(fault_profile_get(fault_profile_count()));
}

Test(fault_profile, required_profiles_exist)
{
	static const char names[][24] = {
		"caa-servfail",
		"notimp-unknown-type",
		"refused-caa",
		"firewall-drop",
		"lb-servfail",
		"nodata-no-soa",
		"out-of-zone-noerror",
		"nodata-as-nxdomain",
		"empty-issue-crash",
		"forwarder-drop",
		"tld-flap",
		"challtestsrv",
		"dnssec-empty-bogus",
		"dnssec-case-bogus",
		"dnssec-expired",
		"dnssec-missing",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		cr_expect_not_null(fault_profile_find(names[i]), "%s",
		                   names[i]);
	}
}

Test(fault_profile, domain_scopes_the_rules)
{
	struct fault_set *fs = fault_set_new();
	char err[256] = "";

	cr_assert_eq(fault_set_add_profile(fs, "caa-servfail:example.test", err,
	                                   sizeof(err)),
	             0, "%s", err);
	cr_assert_eq(fault_set_count(fs), 2);
	cr_expect_str_eq(fault_rule_text(fault_set_rule(fs, 0)),
	                 "servfail example.test CAA");
	cr_expect_str_eq(fault_rule_text(fault_set_rule(fs, 1)),
	                 "servfail *.example.test CAA");
	cr_expect_not_null(match_udp(fs, "example.test", WIRE_TYPE_CAA));
	cr_expect_not_null(match_udp(fs, "www.example.test", WIRE_TYPE_CAA));
	cr_expect_null(match_udp(fs, "www.example.test", WIRE_TYPE_A));
	cr_expect_null(match_udp(fs, "other.test", WIRE_TYPE_CAA));
	fault_set_free(fs);
}

Test(fault_profile, without_domain_every_name)
{
	struct fault_set *fs = fault_set_new();
	char err[256] = "";

	cr_assert_eq(
	        fault_set_add_profile(fs, "firewall-drop", err, sizeof(err)), 0,
		"%s", err);
	cr_assert_eq(fault_set_count(fs), 1);
	cr_expect_str_eq(fault_rule_text(fault_set_rule(fs, 0)), "drop . CAA");
	cr_expect_eq(
	        fault_set_add_profile(fs, "tld-flap:test", err, sizeof(err)),
	        0);
	cr_expect_str_eq(fault_rule_text(fault_set_rule(fs, 1)),
	                 "servfail test CAA every=3");
	fault_set_free(fs);
}

Test(fault_profile, challtestsrv_and_tld_flap_behave)
{
	struct fault_set *fs = fault_set_new();
	char err[256] = "";
	int fired = 0;

	cr_assert_eq(
	        fault_set_add_profile(fs, "challtestsrv", err, sizeof(err)), 0);
	cr_expect_eq(fault_rule_action(match_udp(fs, "x.test", WIRE_TYPE_SOA)),
	             FAULT_NOTIMP);
	cr_expect_eq(fault_rule_action(match_udp(fs, "x.test", WIRE_TYPE_MX)),
	             FAULT_NOTIMP);
	cr_expect_eq(fault_rule_action(match_udp(fs, "x.test", WIRE_TYPE_A)),
	             FAULT_NOAA);
	fault_set_clear(fs);
	cr_assert_eq(
	        fault_set_add_profile(fs, "tld-flap:test", err, sizeof(err)),
	        0);
	for (int i = 0; i < 9; i++) {
		fired += match_udp(fs, "test", WIRE_TYPE_CAA) != NULL;
		cr_expect_null(match_udp(fs, "example.test", WIRE_TYPE_CAA));
	}
	cr_expect_eq(fired, 3);
	fault_set_free(fs);
}

Test(fault_profile, errors)
{
	struct fault_set *fs = fault_set_new();
	char err[512] = "";

	cr_expect_eq(fault_set_add_profile(fs, "nope", err, sizeof(err)),
	             -EINVAL);
	cr_expect_eq(strncmp(err,
	                     "unknown profile 'nope' (valid: caa-servfail, ",
	                     45),
	             0, "%s", err);
	cr_expect_neq(strstr(err, "challtestsrv"), NULL);
	cr_expect_eq(fault_set_add_profile(fs, "caa-servfail:a..b", err,
	                                   sizeof(err)),
	             -EINVAL);
	cr_expect_str_eq(err, "profile caa-servfail: bad name 'a..b'");
	cr_expect_eq(
	        fault_set_add_profile(fs, "caa-servfail:*.x", err, sizeof(err)),
	        -EINVAL);
	cr_expect_str_eq(err, "profile caa-servfail: bad domain '*.x'");
	cr_expect_eq(fault_set_add_profile(fs, "empty-issue-crash", err,
	                                   sizeof(err)),
	             -EINVAL);
	cr_expect_str_eq(err, "profile empty-issue-crash needs a domain "
	                      "(--profile empty-issue-crash:DOMAIN)");
	cr_expect_eq(fault_set_count(fs), 0);
	fault_set_free(fs);
}

Test(fault_profile, list_names_summaries_and_sources)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const struct fault_profile *p = NULL;

	char *flat = NULL;
	size_t n = 0;

	cr_assert_not_null(f);
	fault_profile_list(f);
	cr_assert_eq(fclose(f), 0);
	/* Lines wrap at 80 columns: compare with blanks and newlines as one. */
	flat = malloc(len + 1);
	cr_assert_not_null(flat);
	for (size_t i = 0; i < len; i++) {
		bool blank = buf[i] == ' ' || buf[i] == '\n';

		if (!blank || (n > 0 && flat[n - 1] != ' ')) {
			flat[n++] = blank ? ' ' : buf[i];
		}
	}
	flat[n] = '\0';
	for (size_t i = 0; i < fault_profile_count(); i++) {
		p = fault_profile_get(i);
		cr_expect_neq(strstr(buf, p->name), NULL);
		cr_expect_neq(strstr(flat, p->summary), NULL, "%s", p->name);
		cr_expect_neq(strstr(flat, p->source), NULL, "%s", p->name);
	}
	cr_expect_eq(strncmp(buf, "caa-servfail ", 13), 0);
	cr_expect_neq(strstr(flat, "rules: servfail DOMAIN CAA servfail "
	                           "*.DOMAIN CAA"),
	              NULL);
	free(flat);
	free(buf);
}

Test(fault_parse, from_canonical_text)
{
	char buf[256];

	cr_expect_str_eq(canon("servfail x.test CAA from=192.0.2.7", buf,
	                       sizeof(buf)),
	                 "servfail x.test CAA from=192.0.2.7");
	/* Options keep the canonical order. */
	cr_expect_str_eq(canon("drop . * from=192.0.2.0/24 count=1", buf,
	                       sizeof(buf)),
	                 "drop . * count=1 from=192.0.2.0/24");
	cr_expect_str_eq(canon("drop . * FROM=2001:DB8:0:0::/32", buf,
	                       sizeof(buf)),
	                 "drop . * from=2001:db8::/32");
	cr_expect_str_eq(canon("drop . * from=::1", buf, sizeof(buf)),
	                 "drop . * from=::1");
	cr_expect_str_eq(canon("drop . * from=0.0.0.0/0", buf, sizeof(buf)),
	                 "drop . * from=0.0.0.0/0");
	/* What it prints reads back as itself. */
	cr_expect_str_eq(canon("drop . * count=1 from=192.0.2.0/24", buf,
	                       sizeof(buf)),
	                 "drop . * count=1 from=192.0.2.0/24");
}

Test(fault_match, from_matches_the_source_only)
{
	struct fault_set *fs = fault_set_new();
	const struct fault_rule *r = NULL;

	add(fs, "servfail a.test CAA from=127.0.0.3");
	add(fs, "refused b.test CAA from=10.1.0.0/16");
	add(fs, "nxdomain c.test CAA from=2001:db8::/32");
	add(fs, "drop d.test CAA from=0.0.0.0/0");

	cr_expect_null(match_from(fs, "a.test", "127.0.0.2"));
	r = match_from(fs, "a.test", "127.0.0.3");
	cr_assert_not_null(r);
	cr_expect_eq(fault_rule_action(r), FAULT_SERVFAIL);
	/* A source the rule does not name does not count the query. */
	cr_expect_eq(fault_rule_seen(r), 1);

	cr_expect_not_null(match_from(fs, "b.test", "10.1.255.254"));
	cr_expect_null(match_from(fs, "b.test", "10.2.0.1"));
	cr_expect_null(match_from(fs, "b.test", "10.0.255.255"));

	cr_expect_not_null(match_from(fs, "c.test", "2001:db8:ffff::53"));
	cr_expect_null(match_from(fs, "c.test", "2001:db9::53"));
	cr_expect_null(match_from(fs, "c.test", "192.0.2.1"));

	/* IPv4 prefixes match IPv4-mapped sources; IPv6 ones never IPv4. */
	cr_expect_not_null(match_from(fs, "a.test", "::ffff:127.0.0.3"));
	cr_expect_null(match_from(fs, "a.test", "::ffff:127.0.0.4"));
	cr_expect_not_null(match_from(fs, "b.test", "::ffff:10.1.2.3"));
	cr_expect_not_null(match_from(fs, "d.test", "::ffff:192.0.2.1"));
	cr_expect_null(match_from(fs, "d.test", "::1"));
	cr_expect_null(match_from(fs, "c.test", "::ffff:192.0.2.1"));

	/* No source known: a from= rule never fires, others still do. */
	cr_expect_null(match_udp(fs, "a.test", WIRE_TYPE_CAA));
	add(fs, "servfail a.test CAA");
	cr_expect_not_null(match_udp(fs, "a.test", WIRE_TYPE_CAA));
	fault_set_free(fs);
}

Test(fault_match, from_rules_fall_through_by_source)
{
	struct fault_set *fs = fault_set_new();
	const struct fault_rule *r = NULL;

	add(fs, "servfail x.test CAA from=127.0.0.2");
	add(fs, "refused x.test CAA from=127.0.0.0/8");
	r = match_from(fs, "x.test", "127.0.0.2");
	cr_assert_not_null(r);
	cr_expect_eq(fault_rule_action(r), FAULT_SERVFAIL);
	r = match_from(fs, "x.test", "127.0.0.9");
	cr_assert_not_null(r);
	cr_expect_eq(fault_rule_action(r), FAULT_REFUSED);
	cr_expect_null(match_from(fs, "x.test", "192.0.2.1"));
	fault_set_free(fs);
}
