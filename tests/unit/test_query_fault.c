/*
 * tests/unit/test_query_fault.c -- fault rules on the query path: the
 * honest answer first, then the rule's rewrite.
 */
#include <criterion/criterion.h>
#include <ldns/ldns.h>

#include "fault.h"
#include "query_fixture.h"

static struct fault_set *faults;

static void
fault_setup(void)
{
	setup();
	faults = fault_set_new();
	cr_assert_not_null(faults);
	env.faults = faults;
}

static void
fault_teardown(void)
{
	fault_set_free(faults);
	teardown();
}

static void
rule(const char *text)
{
	char err[256];

	cr_assert_eq(fault_set_add_text(faults, text, FAULT_ORIGIN_RULE, NULL,
	                                err, sizeof(err)),
	             0, "%s: %s", text, err);
}

TestSuite(query_fault, .init = fault_setup, .fini = fault_teardown);

Test(query_fault, servfail_caa_only)
{
	struct query_result r;
	ldns_pkt *p;

	rule("servfail example.test CAA");
	p = ask("example.test", WIRE_TYPE_CAA, &r);
	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_SERVFAIL);
	cr_assert_eq(ldns_pkt_ancount(p), 0);
	cr_assert_not_null(r.rule);
	cr_assert_str_eq(fault_rule_text(r.rule), "servfail example.test CAA");
	cr_assert_eq(r.honest_rcode, 0);
	cr_assert_eq(r.rcode, WIRE_RCODE_SERVFAIL);
	ldns_pkt_free(p);
	p = ask("example.test", WIRE_TYPE_SOA, &r);
	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	cr_assert_eq(ldns_pkt_ancount(p), 1);
	cr_assert_null(r.rule);
	ldns_pkt_free(p);
}

Test(query_fault, rcode_actions)
{
	static const struct {
		char rule[64];
		ldns_pkt_rcode rcode;
	} cases[] = {
		{"refused www.example.test A", LDNS_RCODE_REFUSED},
		{"notimp www.example.test AAAA", LDNS_RCODE_NOTIMPL},
		{"formerr www.example.test TXT", LDNS_RCODE_FORMERR},
		{"nxdomain www.example.test MX", LDNS_RCODE_NXDOMAIN},
	};
	static const uint16_t types[] = {WIRE_TYPE_A, WIRE_TYPE_AAAA,
	                                 WIRE_TYPE_TXT, WIRE_TYPE_MX};

	for (size_t i = 0; i < 4; i++) {
		struct query_result r;
		ldns_pkt *p;

		rule(cases[i].rule);
		p = ask("www.example.test", types[i], &r);
		cr_assert_eq(ldns_pkt_get_rcode(p), cases[i].rcode, "%s",
		             cases[i].rule);
		cr_assert_eq(ldns_pkt_ancount(p) + ldns_pkt_nscount(p), 0);
		ldns_pkt_free(p);
	}
}

Test(query_fault, nodata_keeps_soa)
{
	struct query_result r;
	ldns_pkt *p;

	rule("nodata example.test CAA");
	p = ask("example.test", WIRE_TYPE_CAA, &r);
	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	cr_assert_eq(ldns_pkt_ancount(p), 0);
	assert_soa_authority(p, "example.test.");
	ldns_pkt_free(p);
}

Test(query_fault, drop_sends_nothing)
{
	uint8_t q[512];
	size_t ql = build(q, 1, 0, "example.test", WIRE_TYPE_CAA, -1, 0);
	struct query_result r;

	rule("drop . CAA");
	query_handle(&env, q, ql, QUERY_UDP, AF_INET, out, sizeof(out), &r);
	cr_assert_eq(r.verdict, QUERY_DROP);
	cr_assert_eq(r.drop, QUERY_DROP_FAULT);
	cr_assert_not_null(r.rule);
}

Test(query_fault, delay_answers_late)
{
	struct query_result r;
	ldns_pkt *p;

	rule("delay example.test CAA ms=250");
	p = ask("example.test", WIRE_TYPE_CAA, &r);
	cr_assert_eq(r.delay_ms, 250);
	cr_assert_eq(ldns_pkt_ancount(p), 2);
	ldns_pkt_free(p);
}

Test(query_fault, count_fails_then_answers)
{
	struct query_result r;

	rule("servfail example.test CAA count=2");
	for (int i = 0; i < 4; i++) {
		ldns_pkt *p = ask("example.test", WIRE_TYPE_CAA, &r);

		cr_assert_eq(ldns_pkt_get_rcode(p),
		             i < 2 ? LDNS_RCODE_SERVFAIL : LDNS_RCODE_NOERROR,
		             "query %d", i);
		ldns_pkt_free(p);
	}
}

Test(query_fault, truncate_udp_then_tcp)
{
	struct query_result r;
	ldns_pkt *p;

	rule("truncate example.test CAA");
	p = ask("example.test", WIRE_TYPE_CAA, &r);
	cr_assert(ldns_pkt_tc(p));
	cr_assert_eq(ldns_pkt_ancount(p), 0);
	ldns_pkt_free(p);
	p = ask_full("example.test", WIRE_TYPE_CAA, QUERY_TCP, 0, 1232, &r);
	cr_assert(!ldns_pkt_tc(p));
	cr_assert_eq(ldns_pkt_ancount(p), 2);
	ldns_pkt_free(p);
}

Test(query_fault, truncate_tcp_drop)
{
	uint8_t q[512];
	size_t ql = build(q, 1, 0, "example.test", WIRE_TYPE_CAA, -1, 0);
	struct query_result r;

	rule("truncate example.test CAA tcp=drop");
	query_handle(&env, q, ql, QUERY_TCP, AF_INET, out, sizeof(out), &r);
	cr_assert_eq(r.verdict, QUERY_DROP);
}

Test(query_fault, garble_does_not_parse)
{
	static const char names[][32] = {"example.test", "nope.example.test"};

	rule("garble . CAA");
	for (size_t i = 0; i < 2; i++) {
		uint8_t q[512];
		size_t ql = build(q, 1, 0, names[i], WIRE_TYPE_CAA, 0, 1232);
		struct query_result r;
		ldns_pkt *p = NULL;

		query_handle(&env, q, ql, QUERY_UDP, AF_INET, out, sizeof(out),
		             &r);
		cr_assert_eq(r.verdict, QUERY_SEND);
		cr_assert_neq(ldns_wire2pkt(&p, out, r.len), LDNS_STATUS_OK,
		              "%s parsed", names[i]);
	}
}

Test(query_fault, noaa_clears_aa)
{
	struct query_result r;
	ldns_pkt *p;

	rule("noaa example.test *");
	p = ask("example.test", WIRE_TYPE_CAA, &r);
	cr_assert(!ldns_pkt_aa(p));
	cr_assert_eq(ldns_pkt_ancount(p), 2);
	ldns_pkt_free(p);
}

Test(query_fault, nosoa_strips_negative_authority)
{
	struct query_result r;
	ldns_pkt *p;

	rule("nosoa *.example.test *");
	p = ask("nope.example.test", WIRE_TYPE_CAA, &r);
	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	cr_assert_eq(ldns_pkt_nscount(p), 0);
	ldns_pkt_free(p);
	p = ask("nx.example.test", WIRE_TYPE_A, &r);
	cr_assert_eq(ldns_pkt_ancount(p), 1, "the CNAME stays");
	cr_assert_eq(ldns_pkt_nscount(p), 0);
	ldns_pkt_free(p);
	p = ask("x.sub.example.test", WIRE_TYPE_A, &r);
	cr_assert_eq(ldns_pkt_nscount(p), 1, "referrals keep their NS");
	ldns_pkt_free(p);
}

Test(query_fault, wrongid_changes_id)
{
	uint8_t q[512];
	size_t ql = build(q, 0x1234, 0, "example.test", WIRE_TYPE_CAA, -1, 0);
	struct query_result r;

	rule("wrongid example.test CAA");
	query_handle(&env, q, ql, QUERY_UDP, AF_INET, out, sizeof(out), &r);
	cr_assert_neq(wire_get16(out), 0x1234);
	cr_assert_eq(r.id, 0x1234);
}

Test(query_fault, ede_in_opt)
{
	uint8_t q[512];
	size_t ql = build(q, 1, 0, "example.test", WIRE_TYPE_CAA, 0, 1232);
	struct query_result r;

	rule("servfail example.test CAA ede=6");
	query_handle(&env, q, ql, QUERY_UDP, AF_INET, out, sizeof(out), &r);
	/* The reply ends in OPT: ... RDLEN=6, code 15, length 2, 6. */
	cr_assert_eq(memcmp(out + r.len - 8,
	                    "\x00\x06\x00\x0f\x00\x02\x00\x06", 8), 0);
	cr_assert_eq(out[3] & 0xf, WIRE_RCODE_SERVFAIL);
}

Test(query_fault, below_selector_skips_the_name_itself)
{
	struct query_result r;
	ldns_pkt *p;

	rule("servfail *.example.test CAA");
	p = ask("example.test", WIRE_TYPE_CAA, &r);
	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	ldns_pkt_free(p);
	p = ask("WWW.example.test", WIRE_TYPE_CAA, &r);
	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_SERVFAIL);
	ldns_pkt_free(p);
}

Test(query_fault, faults_reach_names_outside_zones)
{
	struct query_result r;
	ldns_pkt *p;

	rule("servfail . CAA");
	p = ask("example.org", WIRE_TYPE_CAA, &r);
	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_SERVFAIL);
	cr_assert_eq(r.honest_rcode, WIRE_RCODE_REFUSED);
	ldns_pkt_free(p);
}

Test(query_fault, answer_negative_takes_nxdomain_and_nodata_only)
{
	struct query_result r;
	ldns_pkt *p;

	rule("servfail example.test * answer=negative");
	rule("servfail *.example.test * answer=negative");
	p = ask("example.test", WIRE_TYPE_CAA, &r); /* data */
	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	cr_assert_gt(ldns_pkt_ancount(p), 0);
	cr_assert_null(r.rule);
	ldns_pkt_free(p);
	p = ask("example.test", WIRE_TYPE_TXT, &r); /* NODATA */
	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_SERVFAIL);
	cr_assert_eq(r.honest_rcode, WIRE_RCODE_NOERROR);
	ldns_pkt_free(p);
	p = ask("nope.example.test", WIRE_TYPE_CAA, &r); /* NXDOMAIN */
	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_SERVFAIL);
	cr_assert_eq(r.honest_rcode, WIRE_RCODE_NXDOMAIN);
	ldns_pkt_free(p);
}

Test(query_fault, answer_positive_takes_data_only)
{
	struct query_result r;
	ldns_pkt *p;

	rule("refused example.test * answer=positive");
	p = ask("example.test", WIRE_TYPE_CAA, &r);
	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_REFUSED);
	ldns_pkt_free(p);
	p = ask("example.test", WIRE_TYPE_TXT, &r);
	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	cr_assert_eq(ldns_pkt_ancount(p), 0);
	cr_assert_null(r.rule);
	ldns_pkt_free(p);
}

Test(query_fault, dnssec_actions_leave_answers_without_do_alone)
{
	struct query_result r;
	ldns_pkt *p;

	rule("sig-strip example.test CAA");
	rule("nsec-strip example.test CAA");
	p = ask("example.test", WIRE_TYPE_CAA, &r);
	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	cr_assert_gt(ldns_pkt_ancount(p), 0);
	cr_assert_null(r.rule);
	ldns_pkt_free(p);
}
