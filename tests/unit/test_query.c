/*
 * tests/unit/test_query.c -- the query path, bytes in and bytes out: one test
 * per default answer of docs/responder.md.
 */
#include <criterion/criterion.h>
#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "query_fixture.h"

TestSuite(query, .init = setup, .fini = teardown);

Test(query, positive_answer_is_authoritative)
{
	struct query_result r;
	ldns_pkt *p = ask("example.test", WIRE_TYPE_CAA, &r);

	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	cr_assert(ldns_pkt_aa(p));
	cr_assert_eq(ldns_pkt_ancount(p), 2);
	cr_assert_eq(ldns_rr_get_type(rr_at(ldns_pkt_answer(p), 0)),
	             LDNS_RR_TYPE_CAA);
	cr_assert_eq(r.answers, 2);
	cr_assert_eq(r.rcode, 0);
	ldns_pkt_free(p);
}

Test(query, question_case_is_kept)
{
	struct query_result r;
	ldns_pkt *p = ask("WwW.ExAmPlE.TeSt", WIRE_TYPE_A, &r);
	char *q = ldns_rdf2str(ldns_rr_owner(rr_at(ldns_pkt_question(p), 0)));

	cr_assert_str_eq(q, "WwW.ExAmPlE.TeSt.");
	cr_assert_eq(ldns_pkt_ancount(p), 1);
	cr_assert_eq(r.qname_len, 18);
	cr_assert_eq(memcmp(r.qname, "\x03WwW", 4), 0);
	free(q);
	ldns_pkt_free(p);
}

Test(query, nxdomain_carries_soa)
{
	struct query_result r;
	ldns_pkt *p = ask("nope.example.test", WIRE_TYPE_CAA, &r);

	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	cr_assert(ldns_pkt_aa(p));
	cr_assert_eq(ldns_pkt_ancount(p), 0);
	assert_soa_authority(p, "example.test.");
	/* Negative TTL is min(SOA TTL, MINIMUM) (RFC 2308 3). */
	cr_assert_eq(ldns_rr_ttl(rr_at(ldns_pkt_authority(p), 0)), 60);
	ldns_pkt_free(p);
}

Test(query, nodata_carries_soa)
{
	struct query_result r;
	ldns_pkt *p = ask("www.example.test", WIRE_TYPE_CAA, &r);

	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	cr_assert(ldns_pkt_aa(p));
	cr_assert_eq(ldns_pkt_ancount(p), 0);
	assert_soa_authority(p, "example.test.");
	ldns_pkt_free(p);
}

Test(query, empty_non_terminal_is_nodata)
{
	struct query_result r;
	ldns_pkt *p = ask("b.c.example.test", WIRE_TYPE_CAA, &r);

	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_soa_authority(p, "example.test.");
	ldns_pkt_free(p);
	p = ask("c.example.test", WIRE_TYPE_A, &r);
	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	ldns_pkt_free(p);
}

Test(query, cname_chain_in_zone_is_followed)
{
	struct query_result r;
	ldns_pkt *p = ask("alias2.example.test", WIRE_TYPE_A, &r);

	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	cr_assert(ldns_pkt_aa(p));
	cr_assert_eq(ldns_pkt_ancount(p), 3);
	cr_assert_eq(ldns_rr_get_type(rr_at(ldns_pkt_answer(p), 0)),
	             LDNS_RR_TYPE_CNAME);
	assert_owner(rr_at(ldns_pkt_answer(p), 0), "alias2.example.test.");
	assert_owner(rr_at(ldns_pkt_answer(p), 1), "alias.example.test.");
	assert_owner(rr_at(ldns_pkt_answer(p), 2), "www.example.test.");
	cr_assert_eq(ldns_rr_get_type(rr_at(ldns_pkt_answer(p), 2)),
	             LDNS_RR_TYPE_A);
	ldns_pkt_free(p);
}

Test(query, cname_itself_is_answered)
{
	struct query_result r;
	ldns_pkt *p = ask("alias.example.test", WIRE_TYPE_CNAME, &r);

	cr_assert_eq(ldns_pkt_ancount(p), 1);
	ldns_pkt_free(p);
}

Test(query, cname_out_of_zone_returned_as_is)
{
	struct query_result r;
	ldns_pkt *p = ask("ext.example.test", WIRE_TYPE_CAA, &r);

	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	cr_assert_eq(ldns_pkt_ancount(p), 1);
	cr_assert_eq(ldns_pkt_nscount(p), 0);
	ldns_pkt_free(p);
}

Test(query, cname_to_missing_name_is_nxdomain)
{
	struct query_result r;
	ldns_pkt *p = ask("nx.example.test", WIRE_TYPE_A, &r);

	/* RFC 6604: the RCODE speaks of the last name of the chain. */
	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	cr_assert_eq(ldns_pkt_ancount(p), 1);
	assert_soa_authority(p, "example.test.");
	ldns_pkt_free(p);
}

Test(query, cname_loop_ends)
{
	struct query_result r;
	ldns_pkt *p = ask("loop1.example.test", WIRE_TYPE_A, &r);

	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	cr_assert_eq(ldns_pkt_ancount(p), 2);
	ldns_pkt_free(p);
}

Test(query, dname_synthesizes_cname)
{
	struct query_result r;
	ldns_pkt *p = ask("host.DN.example.test", WIRE_TYPE_CAA, &r);
	const ldns_rr *cn;
	char *target;

	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	cr_assert(ldns_pkt_aa(p));
	cr_assert_eq(ldns_pkt_ancount(p), 2);
	cr_assert_eq(ldns_rr_get_type(rr_at(ldns_pkt_answer(p), 0)),
	             LDNS_RR_TYPE_DNAME);
	cn = rr_at(ldns_pkt_answer(p), 1);
	cr_assert_eq(ldns_rr_get_type(cn), LDNS_RR_TYPE_CNAME);
	assert_owner(cn, "host.DN.example.test.");
	target = ldns_rdf2str(ldns_rr_rdf(cn, 0));
	cr_assert_str_eq(target, "host.example.net.");
	free(target);
	ldns_pkt_free(p);
}

Test(query, dname_owner_itself_is_not_redirected)
{
	struct query_result r;
	ldns_pkt *p = ask("dn.example.test", WIRE_TYPE_CAA, &r);

	/* RFC 6672 2.3: only names below the DNAME owner are rewritten. */
	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	cr_assert_eq(ldns_pkt_ancount(p), 0);
	assert_soa_authority(p, "example.test.");
	ldns_pkt_free(p);
}

Test(query, dname_in_zone_target_followed)
{
	struct query_result r;
	ldns_pkt *p = ask("q.dn2.example.test", WIRE_TYPE_A, &r);

	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	cr_assert_eq(ldns_pkt_ancount(p), 2);
	ldns_pkt_free(p);
}

Test(query, wildcard_answer_takes_query_name)
{
	struct query_result r;
	ldns_pkt *p = ask("Host.deep.wild.example.test", WIRE_TYPE_CAA, &r);
	const ldns_rr *rr;

	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	cr_assert(ldns_pkt_aa(p));
	cr_assert_eq(ldns_pkt_ancount(p), 1);
	rr = rr_at(ldns_pkt_answer(p), 0);
	assert_owner(rr, "Host.deep.wild.example.test.");
	cr_assert_eq(ldns_rr_get_type(rr), LDNS_RR_TYPE_CAA);
	ldns_pkt_free(p);
}

Test(query, wildcard_other_type_is_nodata)
{
	struct query_result r;
	ldns_pkt *p = ask("x.wild.example.test", WIRE_TYPE_A, &r);

	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	cr_assert_eq(ldns_pkt_ancount(p), 0);
	assert_soa_authority(p, "example.test.");
	ldns_pkt_free(p);
}

Test(query, wildcard_does_not_cover_its_parent)
{
	struct query_result r;
	ldns_pkt *p = ask("wild.example.test", WIRE_TYPE_CAA, &r);

	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	cr_assert_eq(ldns_pkt_ancount(p), 0);
	ldns_pkt_free(p);
}

Test(query, delegation_gets_referral_with_glue)
{
	struct query_result r;
	ldns_pkt *p = ask("x.sub.example.test", WIRE_TYPE_CAA, &r);
	const ldns_rr *ns;

	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	cr_assert(!ldns_pkt_aa(p), "a referral is not authoritative");
	cr_assert_eq(ldns_pkt_ancount(p), 0);
	cr_assert_eq(ldns_pkt_nscount(p), 1);
	ns = rr_at(ldns_pkt_authority(p), 0);
	cr_assert_eq(ldns_rr_get_type(ns), LDNS_RR_TYPE_NS);
	assert_owner(ns, "sub.example.test.");
	cr_assert_eq(ldns_pkt_arcount(p), 1); /* glue A; ldns keeps OPT apart */
	assert_owner(rr_at(ldns_pkt_additional(p), 0), "ns.sub.example.test.");
	ldns_pkt_free(p);
}

Test(query, ds_at_cut_answered_by_parent)
{
	struct query_result r;
	ldns_pkt *p = ask("sub.example.test", WIRE_TYPE_DS, &r);

	cr_assert(ldns_pkt_aa(p));
	assert_soa_authority(p, "example.test.");
	ldns_pkt_free(p);
}

Test(query, longest_origin_wins)
{
	struct query_result r;
	ldns_pkt *p = ask("www.example.test", WIRE_TYPE_A, &r);

	/* test. delegates example.test., but example.test. is served too. */
	cr_assert(ldns_pkt_aa(p));
	cr_assert_eq(ldns_pkt_ancount(p), 1);
	ldns_pkt_free(p);
	p = ask("host.other.test", WIRE_TYPE_A, &r);
	cr_assert(!ldns_pkt_aa(p));
	assert_owner(rr_at(ldns_pkt_authority(p), 0), "other.test.");
	ldns_pkt_free(p);
}

Test(query, outside_every_zone_is_refused)
{
	struct query_result r;
	ldns_pkt *p = ask("example.org", WIRE_TYPE_CAA, &r);

	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_REFUSED);
	cr_assert(!ldns_pkt_aa(p));
	cr_assert_eq(ldns_pkt_ancount(p) + ldns_pkt_nscount(p), 0);
	ldns_pkt_free(p);
}

Test(query, edns_is_echoed)
{
	struct query_result r;
	ldns_pkt *p = ask("example.test", WIRE_TYPE_CAA, &r);

	cr_assert(ldns_pkt_edns(p));
	cr_assert_eq(ldns_pkt_edns_udp_size(p), 1232);
	cr_assert(ldns_pkt_edns_do(p), "DO is copied");
	cr_assert(r.edns);
	ldns_pkt_free(p);
}

Test(query, no_edns_no_opt)
{
	struct query_result r;
	ldns_pkt *p = ask_full("example.test", WIRE_TYPE_CAA, QUERY_UDP, -1, 0,
	                       &r);

	cr_assert(!ldns_pkt_edns(p));
	cr_assert_eq(ldns_pkt_arcount(p), 0);
	ldns_pkt_free(p);
}

Test(query, edns_version_1_is_badvers)
{
	struct query_result r;
	ldns_pkt *p = ask_full("example.test", WIRE_TYPE_CAA, QUERY_UDP, 1,
	                       1232, &r);

	cr_assert(ldns_pkt_edns(p));
	cr_assert_eq(ldns_pkt_edns_extended_rcode(p), 1); /* 16 >> 4 */
	cr_assert_eq(ldns_pkt_get_rcode(p), 0);
	cr_assert_eq(ldns_pkt_ancount(p), 0);
	cr_assert_eq(r.rcode, WIRE_RCODE_BADVERS);
	ldns_pkt_free(p);
}

Test(query, big_rrset_truncates_over_udp)
{
	struct query_result r;
	ldns_pkt *p = ask("many.big.test", WIRE_TYPE_CAA, &r);

	cr_assert(ldns_pkt_tc(p));
	cr_assert(ldns_pkt_aa(p));
	cr_assert_eq(ldns_pkt_ancount(p), 0);
	cr_assert_leq(r.len, 1232);
	cr_assert(r.tc);
	ldns_pkt_free(p);
}

Test(query, big_rrset_complete_over_tcp)
{
	struct query_result r;
	ldns_pkt *p = ask_full("many.big.test", WIRE_TYPE_CAA, QUERY_TCP, 0,
	                       1232, &r);

	cr_assert(!ldns_pkt_tc(p));
	cr_assert_eq(ldns_pkt_ancount(p), 1001);
	ldns_pkt_free(p);
}

Test(query, udp_without_edns_fits_512)
{
	struct query_result r;
	ldns_pkt *p = ask_full("long.example.test", WIRE_TYPE_CAA, QUERY_UDP,
	                       -1, 0, &r);

	cr_assert_leq(r.len, 512);
	cr_assert_eq(ldns_pkt_ancount(p), 1);
	ldns_pkt_free(p);
	p = ask_full("many.big.test", WIRE_TYPE_CAA, QUERY_UDP, -1, 0, &r);
	cr_assert(ldns_pkt_tc(p));
	cr_assert_leq(r.len, 512);
	ldns_pkt_free(p);
}

Test(query, small_edns_payload_honoured)
{
	struct query_result r;
	ldns_pkt *p = ask_full("long.example.test", WIRE_TYPE_CAA, QUERY_UDP, 0,
	                       512, &r);

	cr_assert_leq(r.len, 512);
	ldns_pkt_free(p);
}

Test(query, unknown_critical_caa_served_as_is)
{
	struct query_result r;
	ldns_pkt *p = ask("crit.example.test", WIRE_TYPE_CAA, &r);
	char *s = ldns_rr2str(rr_at(ldns_pkt_answer(p), 0));

	cr_assert(strstr(s, "255 tbs \"x y\"") != NULL, "got %s", s);
	free(s);
	ldns_pkt_free(p);
}

Test(query, malformed_caa_rdata_served_as_is)
{
	uint8_t q[512];
	size_t ql = build(q, 7, 0, "mal.example.test", WIRE_TYPE_CAA, -1, 0);
	struct query_result r;

	query_handle(&env, q, ql, QUERY_UDP, AF_INET, out, sizeof(out), &r);
	cr_assert_eq(r.answers, 1);
	/* The last RDATA octets: RDLENGTH 2, then 00 05. */
	cr_assert_eq(memcmp(out + r.len - 4, "\x00\x02\x00\x05", 4), 0);
}

Test(query, included_file_is_served)
{
	struct query_result r;
	ldns_pkt *p = ask("inc.example.test", WIRE_TYPE_TXT, &r);

	cr_assert_eq(ldns_pkt_ancount(p), 1);
	ldns_pkt_free(p);
}

Test(query, any_returns_every_rrset)
{
	struct query_result r;
	ldns_pkt *p = ask("www.example.test", WIRE_TYPE_ANY, &r);

	cr_assert_eq(ldns_pkt_ancount(p), 2);
	ldns_pkt_free(p);
}

Test(query, other_opcode_is_notimp)
{
	uint8_t q[512];
	size_t ql = build(q, 9, 2 << 11, "example.test", WIRE_TYPE_SOA, -1, 0);
	struct query_result r;

	query_handle(&env, q, ql, QUERY_UDP, AF_INET, out, sizeof(out), &r);
	cr_assert_eq(r.verdict, QUERY_SEND);
	cr_assert_eq(out[3] & 0xf, WIRE_RCODE_NOTIMP);
	cr_assert_eq(WIRE_OPCODE(wire_get16(out + 2)), 2);
}

Test(query, qdcount_zero_or_two_is_formerr)
{
	uint8_t q[512];
	size_t ql = build(q, 9, 0, "example.test", WIRE_TYPE_SOA, -1, 0);
	struct query_result r;

	wire_put16(q + 4, 0);
	query_handle(&env, q, 12, QUERY_UDP, AF_INET, out, sizeof(out), &r);
	cr_assert_eq(r.verdict, QUERY_SEND);
	cr_assert_eq(out[3] & 0xf, WIRE_RCODE_FORMERR);
	cr_assert_eq(wire_get16(out + 4), 0);
	wire_put16(q + 4, 2);
	query_handle(&env, q, ql, QUERY_UDP, AF_INET, out, sizeof(out), &r);
	cr_assert_eq(out[3] & 0xf, WIRE_RCODE_FORMERR);
	cr_assert_eq(wire_get16(out), 9);
}

Test(query, short_and_response_packets_are_dropped)
{
	uint8_t q[512];
	size_t ql = build(q, 9, 0, "example.test", WIRE_TYPE_SOA, -1, 0);
	struct query_result r;

	query_handle(&env, q, 11, QUERY_UDP, AF_INET, out, sizeof(out), &r);
	cr_assert_eq(r.verdict, QUERY_DROP);
	cr_assert_eq(r.drop, QUERY_DROP_SHORT);
	wire_put16(q + 2, WIRE_QR);
	query_handle(&env, q, ql, QUERY_UDP, AF_INET, out, sizeof(out), &r);
	cr_assert_eq(r.verdict, QUERY_DROP);
	cr_assert_eq(r.drop, QUERY_DROP_RESPONSE);
}

Test(query, truncated_question_is_formerr)
{
	uint8_t q[512];
	size_t ql = build(q, 9, 0, "example.test", WIRE_TYPE_SOA, -1, 0);
	struct query_result r;

	for (size_t cut = 13; cut < ql; cut++) {
		query_handle(&env, q, cut, QUERY_UDP, AF_INET, out, sizeof(out),
		             &r);
		cr_assert_eq(r.verdict, QUERY_SEND);
		cr_assert_eq(out[3] & 0xf, WIRE_RCODE_FORMERR, "cut at %zu", cut);
	}
}

Test(query, compressed_question_is_formerr)
{
	uint8_t q[] = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
	               0xc0, 12, 0, 1, 0, 1};
	struct query_result r;

	query_handle(&env, q, sizeof(q), QUERY_UDP, AF_INET, out, sizeof(out),
	             &r);
	cr_assert_eq(out[3] & 0xf, WIRE_RCODE_FORMERR);
}

Test(query, bad_opt_is_formerr)
{
	uint8_t q[512];
	size_t ql = build(q, 9, 0, "example.test", WIRE_TYPE_SOA, 0, 1232);
	struct query_result r;

	q[ql - 11] = 1; /* OPT owner not the root: breaks the record too */
	query_handle(&env, q, ql, QUERY_UDP, AF_INET, out, sizeof(out), &r);
	cr_assert_eq(out[3] & 0xf, WIRE_RCODE_FORMERR);
	cr_assert(!r.edns);
}

Test(query, random_input_never_crashes)
{
	uint8_t q[600];
	struct query_result r;

	srand(8659);
	for (int i = 0; i < 20000; i++) {
		size_t n = (size_t)(rand() % (int)sizeof(q));

		for (size_t k = 0; k < n; k++) {
			q[k] = (uint8_t)rand();
		}
		if (i % 2 == 0 && n > 12) {
			q[2] &= 0x7f; /* a query, so it gets parsed further */
			q[4] = 0;
			q[5] = 1;
		}
		query_handle(&env, q, n, (i & 4) ? QUERY_TCP : QUERY_UDP,
		             AF_INET, out, sizeof(out), &r);
		if (r.verdict == QUERY_SEND) {
			cr_assert_geq(r.len, 12);
			cr_assert_leq(r.len, sizeof(out));
		}
	}
}
