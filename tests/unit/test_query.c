/*
 * tests/unit/test_query.c -- the query path, bytes in and bytes out: one test
 * per default-answer rule of DESIGN.md.
 */
#include <criterion/criterion.h>
#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "query.h"
#include "zone.h"

#define DATA CAA_SOURCE_DIR "/tests/data/"

static struct zone_set *zones;
static struct query_env env;
static uint8_t out[WIRE_MSG_MAX];

static void
setup(void)
{
	const char *files[] = {DATA "test.zone", DATA "example.test.zone",
	                       DATA "big.test.zone"};
	char err[512];

	zones = zone_set_load(files, 3, err, sizeof(err));
	cr_assert_not_null(zones, "%s", err);
	env.zones = zones;
	env.faults = NULL;
	env.udp_max = QUERY_UDP_MAX_DEFAULT;
}

static void
teardown(void)
{
	zone_set_free(zones);
}

TestSuite(query, .init = setup, .fini = teardown);

/* Build a query by hand: NAME in presentation form, no compression. */
static size_t
build(uint8_t *buf, uint16_t id, uint16_t flags, const char *name,
      uint16_t type, int edns_version, uint16_t payload)
{
	size_t n = 12;
	const char *p = name;

	memset(buf, 0, 12);
	wire_put16(buf, id);
	wire_put16(buf + 2, flags);
	wire_put16(buf + 4, 1);
	while (*p != '\0') {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);

		buf[n++] = (uint8_t)l;
		memcpy(buf + n, p, l);
		n += l;
		p += l + (dot ? 1 : 0);
	}
	buf[n++] = 0;
	wire_put16(buf + n, type);
	wire_put16(buf + n + 2, 1);
	n += 4;
	if (edns_version >= 0) {
		wire_put16(buf + 10, 1);
		buf[n] = 0;
		wire_put16(buf + n + 1, 41);
		wire_put16(buf + n + 3, payload);
		buf[n + 5] = 0;
		buf[n + 6] = (uint8_t)edns_version;
		wire_put16(buf + n + 7, 0x8000);
		wire_put16(buf + n + 9, 0);
		n += 11;
	}
	return n;
}

static ldns_pkt *
ask_full(const char *name, uint16_t type, enum query_transport tp,
         int edns_version, uint16_t payload, struct query_result *res)
{
	uint8_t q[512];
	size_t ql = build(q, 0x1234, WIRE_RD, name, type, edns_version, payload);
	ldns_pkt *p = NULL;

	query_handle(&env, q, ql, tp, AF_INET, out, sizeof(out), res);
	cr_assert_eq(res->verdict, QUERY_SEND);
	cr_assert_eq(ldns_wire2pkt(&p, out, res->len), LDNS_STATUS_OK,
	             "reply to %s does not parse", name);
	cr_assert_eq(ldns_pkt_id(p), 0x1234);
	cr_assert(ldns_pkt_qr(p));
	cr_assert(ldns_pkt_rd(p), "RD is copied");
	return p;
}

static ldns_pkt *
ask(const char *name, uint16_t type, struct query_result *res)
{
	return ask_full(name, type, QUERY_UDP, 0, 1232, res);
}

static const ldns_rr *
rr_at(const ldns_rr_list *l, size_t i)
{
	cr_assert_lt(i, ldns_rr_list_rr_count(l));
	return ldns_rr_list_rr(l, i);
}

static void
assert_owner(const ldns_rr *rr, const char *name)
{
	char *s = ldns_rdf2str(ldns_rr_owner(rr));

	cr_assert_str_eq(s, name);
	free(s);
}

static void
assert_soa_authority(ldns_pkt *p, const char *zone)
{
	const ldns_rr *soa;

	cr_assert_eq(ldns_pkt_nscount(p), 1);
	soa = rr_at(ldns_pkt_authority(p), 0);
	cr_assert_eq(ldns_rr_get_type(soa), LDNS_RR_TYPE_SOA);
	assert_owner(soa, zone);
}

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

/* Faults: the honest answer first, then the rule's rewrite. */

#include "fault.h"

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

/*
 * TSIG (RFC 8945): append to the query Q (QL octets, ARCOUNT as built) a
 * TSIG record owned by KEY (presentation form, no escapes), algorithm hmac-sha256, time 0x6b151ab5,
 * fudge 300, a 32-octet MAC, original ID 0x4321, OTHER octets of other
 * data.  Returns the new length.
 */
static size_t
add_tsig(uint8_t *q, size_t ql, const char *key, size_t other)
{
	static const uint8_t alg[] = "\x0bhmac-sha256";
	size_t rdlen = sizeof(alg) + 6 + 2 + 2 + 32 + 6 + other;
	uint8_t *p = q + ql;
	const char *k = key;

	while (*k != '\0') {
		const char *dot = strchr(k, '.');
		size_t l = dot ? (size_t)(dot - k) : strlen(k);

		*p++ = (uint8_t)l;
		memcpy(p, k, l);
		p += l;
		k += l + (dot ? 1 : 0);
	}
	*p++ = 0;
	wire_put16(p, WIRE_TYPE_TSIG);
	wire_put16(p + 2, WIRE_CLASS_ANY);
	wire_put32(p + 4, 0);
	wire_put16(p + 8, (uint16_t)rdlen);
	p += 10;
	memcpy(p, alg, sizeof(alg));
	p += sizeof(alg);
	memcpy(p, "\x00\x00\x6b\x15\x1a\xb5\x01\x2c\x00\x20", 10);
	memset(p + 10, 0x11, 32);
	p += 42;
	wire_put16(p, 0x4321);
	wire_put16(p + 2, 0);
	wire_put16(p + 4, (uint16_t)other);
	memset(p + 6, 0, other);
	p += 6 + other;
	wire_put16(q + 10, (uint16_t)(wire_get16(q + 10) + 1));
	return (size_t)(p - q);
}

/* No keys here: NOTAUTH and a TSIG record with error BADKEY (5.2.2). */
Test(query, tsig_gets_badkey)
{
	static const uint8_t want[] =
		"\x04key1\x00\x00\xfa\x00\xff\x00\x00\x00\x00\x00\x1d"
		"\x0bhmac-sha256\x00\x00\x00\x6b\x15\x1a\xb5\x01\x2c"
		"\x00\x00\x43\x21\x00\x11\x00\x00";
	uint8_t q[512];
	size_t ql = build(q, 9, WIRE_RD, "www.example.test", WIRE_TYPE_A, -1,
	                  0);
	struct query_result r;

	ql = add_tsig(q, ql, "KeY1", 6);
	query_handle(&env, q, ql, QUERY_UDP, AF_INET, out, sizeof(out), &r);
	cr_assert_eq(r.verdict, QUERY_SEND);
	cr_assert_eq(wire_get16(out + 2),
	             WIRE_QR | WIRE_RD | WIRE_RCODE_NOTAUTH, "flags %04x",
	             wire_get16(out + 2));
	cr_assert_eq(wire_get16(out + 4), 1, "the question is kept");
	cr_assert_eq(wire_get16(out + 6), 0);
	cr_assert_eq(wire_get16(out + 8), 0);
	cr_assert_eq(wire_get16(out + 10), 1);
	cr_assert_eq(r.len, 12 + 22 + sizeof(want) - 1);
	cr_assert_eq(memcmp(out + 34, want, sizeof(want) - 1), 0,
	             "key name lowered, no MAC, other data left out");
	cr_assert_eq(r.rcode, WIRE_RCODE_NOTAUTH);
}

/* With EDNS the TSIG record comes after OPT, still the last one. */
Test(query, tsig_follows_opt)
{
	uint8_t q[512];
	size_t ql = build(q, 9, 0, "www.example.test", WIRE_TYPE_A, 0, 1232);
	struct query_result r;

	ql = add_tsig(q, ql, "key1", 0);
	query_handle(&env, q, ql, QUERY_UDP, AF_INET, out, sizeof(out), &r);
	cr_assert_eq(out[3] & 0xf, WIRE_RCODE_NOTAUTH);
	cr_assert_eq(wire_get16(out + 10), 2);
	cr_assert_eq(wire_get16(out + 34 + 1), WIRE_TYPE_OPT);
	cr_assert_eq(wire_get16(out + 34 + 11 + 6), WIRE_TYPE_TSIG);
}

/* FORMERR, no records: TSIG not last, outside additional, or cut short. */
Test(query, misplaced_or_broken_tsig_is_formerr)
{
	uint8_t q[512];
	size_t base = build(q, 9, 0, "www.example.test", WIRE_TYPE_A, -1, 0);
	size_t ql = add_tsig(q, base, "key1", 0);
	struct query_result r;

	/* Another record after it: an OPT. */
	memcpy(q + ql, "\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00", 11);
	wire_put16(q + 10, 2);
	query_handle(&env, q, ql + 11, QUERY_UDP, AF_INET, out, sizeof(out),
	             &r);
	cr_assert_eq(out[3] & 0xf, WIRE_RCODE_FORMERR);
	cr_assert_eq(wire_get16(out + 10), 0);
	/* In the answer section. */
	wire_put16(q + 6, 1);
	wire_put16(q + 10, 0);
	query_handle(&env, q, ql, QUERY_UDP, AF_INET, out, sizeof(out), &r);
	cr_assert_eq(out[3] & 0xf, WIRE_RCODE_FORMERR);
	/* RDATA one octet short of its other-len, or one octet over. */
	wire_put16(q + 6, 0);
	wire_put16(q + 10, 1);
	wire_put16(q + base + 6 + 8, (uint16_t)(wire_get16(q + base + 14) - 1));
	query_handle(&env, q, ql - 1, QUERY_UDP, AF_INET, out, sizeof(out), &r);
	cr_assert_eq(out[3] & 0xf, WIRE_RCODE_FORMERR);
	wire_put16(q + base + 14, (uint16_t)(wire_get16(q + base + 14) + 2));
	q[ql] = 0;
	query_handle(&env, q, ql + 1, QUERY_UDP, AF_INET, out, sizeof(out), &r);
	cr_assert_eq(out[3] & 0xf, WIRE_RCODE_FORMERR);
	cr_assert_eq(wire_get16(out + 10), 0);
}

/* A question and a key name near 255 octets each do not fit in 512: TC. */
Test(query, tsig_too_large_for_udp_is_truncated)
{
	char name[256];
	uint8_t q[1024];
	size_t ql;
	struct query_result r;

	for (int i = 0; i < 3; i++) {
		memset(name + i * 64, 'a', 63);
		name[i * 64 + 63] = '.';
	}
	memset(name + 192, 'b', 47);
	strcpy(name + 239, ".example.test"); /* 254 octets in wire form */
	ql = build(q, 9, 0, name, WIRE_TYPE_A, -1, 0);
	ql = add_tsig(q, ql, name, 0);
	query_handle(&env, q, ql, QUERY_UDP, AF_INET, out, sizeof(out), &r);
	cr_assert_eq(out[3] & 0xf, WIRE_RCODE_NOTAUTH);
	cr_assert(r.tc);
	cr_assert_eq(wire_get16(out + 10), 0);
	cr_assert_leq(r.len, 512);
	query_handle(&env, q, ql, QUERY_TCP, AF_INET, out, sizeof(out), &r);
	cr_assert(!r.tc);
	cr_assert_eq(wire_get16(out + 10), 1);
	cr_assert_gt(r.len, 512);
}
