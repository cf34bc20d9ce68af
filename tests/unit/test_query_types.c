/*
 * tests/unit/test_query_types.c -- the query path where caa-responder once
 * answered otherwise than Knot and NSD (tests/e2e/difftest.py found each):
 * the EDE of a refusal, zone transfer and meta query types, wildcard CNAME
 * chains, additional sections after a CNAME or ANY, and the room an OPT
 * record takes.
 */
#include <criterion/criterion.h>
#include <ldns/ldns.h>
#include <string.h>
#include <sys/socket.h>

#include "fault.h"
#include "query.h"
#include "wire_name.h"
#include "zone.h"

#define DATA CAA_SOURCE_DIR "/tests/data/"

static struct zone_set *zones;
static struct fault_set *faults;
static struct query_env env;
static uint8_t out[WIRE_MSG_MAX];

static void
setup(void)
{
	const char *files[] = {DATA "types.test.zone", DATA "test.zone"};
	char err[512];

	zones = zone_set_load(files, 2, err, sizeof(err));
	cr_assert_not_null(zones, "%s", err);
	faults = fault_set_new();
	cr_assert_not_null(faults);
	env.zones = zones;
	env.faults = faults;
	env.udp_max = QUERY_UDP_MAX_DEFAULT;
}

static void
teardown(void)
{
	fault_set_free(faults);
	zone_set_free(zones);
}

TestSuite(types, .init = setup, .fini = teardown);

/* A query for NAME (presentation form) TYPE; EDNS with PAYLOAD unless 0. */
static size_t
build(uint8_t *buf, const char *name, uint16_t type, uint16_t payload)
{
	size_t n = 12;

	memset(buf, 0, 12);
	wire_put16(buf, 0x4321);
	wire_put16(buf + 4, 1);
	n += put_name(buf + n, name);
	wire_put16(buf + n, type);
	wire_put16(buf + n + 2, WIRE_CLASS_IN);
	n += 4;
	if (payload > 0) {
		wire_put16(buf + 10, 1);
		buf[n] = 0;
		wire_put16(buf + n + 1, WIRE_TYPE_OPT);
		wire_put16(buf + n + 3, payload);
		memset(buf + n + 5, 0, 6);
		n += 11;
	}
	return n;
}

static ldns_pkt *
ask_over(const char *name, uint16_t type, uint16_t payload,
         enum query_transport tp, struct query_result *res)
{
	uint8_t q[512];
	size_t ql = build(q, name, type, payload);
	ldns_pkt *p = NULL;

	query_handle(&env, q, ql, tp, AF_INET, out, sizeof(out), res);
	cr_assert_eq(res->verdict, QUERY_SEND);
	cr_assert_eq(ldns_wire2pkt(&p, out, res->len), LDNS_STATUS_OK,
	             "reply to %s does not parse", name);
	return p;
}

static ldns_pkt *
ask(const char *name, uint16_t type, struct query_result *res)
{
	return ask_over(name, type, 1232, QUERY_UDP, res);
}

/* The owners and types of section L, "owner/TYPE owner/TYPE ...". */
static void
section_text(const ldns_rr_list *l, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(l, i);
		char *o = ldns_rdf2str(ldns_rr_owner(rr));
		char *t = ldns_rr_type2str(ldns_rr_get_type(rr));
		int n = snprintf(buf + used, len - used, "%s%s/%s",
		                 i > 0 ? " " : "", o, t);

		free(o);
		free(t);
		cr_assert(n > 0 && (size_t)n < len - used);
		used += (size_t)n;
	}
}

static void
assert_section(const ldns_rr_list *l, const char *want)
{
	char got[1024];

	section_text(l, got, sizeof(got));
	cr_assert_str_eq(got, want);
}

/* The reply in OUT ends in an OPT record with one EDE of CODE. */
static void
assert_ede(const struct query_result *r, uint16_t code)
{
	uint8_t tail[8] = {0, 6, 0, 15, 0, 2};

	wire_put16(tail + 6, code);
	cr_assert_geq(r->len, 12 + 11 + 6);
	cr_assert_eq(memcmp(out + r->len - 8, tail, 8), 0,
	             "no EDE %u at the end of the OPT record", code);
}

/* The reply in OUT ends in an OPT record without options. */
static void
assert_no_ede(const struct query_result *r)
{
	cr_assert_eq(wire_get16(out + r->len - 11 + 1), WIRE_TYPE_OPT);
	cr_assert_eq(wire_get16(out + r->len - 2), 0, "OPT has options");
}

/* E1: outside every zone, REFUSED says why (RFC 8914 4.21). */
Test(types, refused_outside_zones_has_ede_not_authoritative)
{
	struct query_result r;
	ldns_pkt *p = ask("www.example.org", WIRE_TYPE_A, &r);

	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_REFUSED);
	assert_ede(&r, 20);
	ldns_pkt_free(p);
	/* In a zone: no EDE. */
	p = ask("nothere.types.test", WIRE_TYPE_A, &r);
	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	assert_no_ede(&r);
	ldns_pkt_free(p);
}

Test(types, refused_without_edns_has_no_opt)
{
	struct query_result r;
	ldns_pkt *p = ask_over("www.example.org", WIRE_TYPE_A, 0, QUERY_UDP,
	                       &r);

	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_REFUSED);
	cr_assert_eq(wire_get16(out + 10), 0);
	ldns_pkt_free(p);
}

Test(types, rule_ede_replaces_not_authoritative)
{
	struct query_result r;
	char err[256];
	ldns_pkt *p;

	cr_assert_eq(fault_set_add_text(faults, "delay . A ms=1 ede=3",
	                                FAULT_ORIGIN_RULE, NULL, err,
	                                sizeof(err)),
	             0, "%s", err);
	p = ask("www.example.org", WIRE_TYPE_A, &r);
	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_REFUSED);
	assert_ede(&r, 3);
	ldns_pkt_free(p);
}

/* E2: each name of the chain once, not each node: www -> y, y -> y. */
Test(types, wildcard_cname_covering_its_target_is_followed_once)
{
	struct query_result r;
	ldns_pkt *p = ask("www.w.types.test", WIRE_TYPE_NS, &r);

	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_section(ldns_pkt_answer(p),
	               "www.w.types.test./CNAME y.w.types.test./CNAME");
	ldns_pkt_free(p);
	p = ask("y.w.types.test", WIRE_TYPE_A, &r);
	assert_section(ldns_pkt_answer(p), "y.w.types.test./CNAME");
	ldns_pkt_free(p);
}

/* A DNAME met twice: written once, both CNAMEs synthesized, followed on. */
Test(types, dname_rewriting_twice_is_followed)
{
	struct query_result r;
	ldns_pkt *p = ask("a.dn.dn.types.test", WIRE_TYPE_A, &r);

	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	assert_section(ldns_pkt_answer(p),
	               "dn.types.test./DNAME a.dn.dn.types.test./CNAME "
	               "a.dn.types.test./CNAME");
	assert_section(ldns_pkt_authority(p), "types.test./SOA");
	ldns_pkt_free(p);
}

/* E3: with EDNS the answer may use all but the OPT record's 11 octets. */
Test(types, answer_fills_payload_but_opt)
{
	struct query_result r;
	ldns_pkt *p = ask_over("fit.types.test", WIRE_TYPE_TXT, 512,
	                       QUERY_UDP, &r);

	cr_assert(!ldns_pkt_tc(p), "truncated though it fits");
	cr_assert_eq(ldns_pkt_ancount(p), 1);
	cr_assert_eq(r.len, 512);
	ldns_pkt_free(p);
}

/* E3: a rule that adds an EDE keeps its room, so the reply still fits. */
Test(types, rule_ede_keeps_its_room)
{
	struct query_result r;
	char err[256];
	ldns_pkt *p;

	cr_assert_eq(fault_set_add_text(faults,
	                                "noaa fit.types.test TXT ede=3",
	                                FAULT_ORIGIN_RULE, NULL, err,
	                                sizeof(err)),
	             0, "%s", err);
	p = ask_over("fit.types.test", WIRE_TYPE_TXT, 512, QUERY_UDP, &r);
	cr_assert_leq(r.len, 512);
	cr_assert(ldns_pkt_tc(p));
	cr_assert_eq(ldns_pkt_ancount(p), 0);
	assert_ede(&r, 3);
	ldns_pkt_free(p);
	p = ask_over("fit.types.test", WIRE_TYPE_TXT, 1232, QUERY_UDP, &r);
	cr_assert(!ldns_pkt_tc(p));
	cr_assert_eq(ldns_pkt_ancount(p), 1);
	assert_ede(&r, 3);
	ldns_pkt_free(p);
}

/* E4: NS, MX and SRV through a CNAME keep their additional section. */
Test(types, mx_through_cname_has_additional)
{
	struct query_result r;
	ldns_pkt *p = ask("cmx.types.test", WIRE_TYPE_MX, &r);

	cr_assert_eq(ldns_pkt_ancount(p), 4);
	assert_section(ldns_pkt_additional(p),
	               "ns1.types.test./A ns1.types.test./AAAA "
	               "mail.types.test./A");
	ldns_pkt_free(p);
	p = ask("cmx.types.test", WIRE_TYPE_SRV, &r);
	assert_section(ldns_pkt_additional(p), "mail.types.test./A");
	ldns_pkt_free(p);
}

Test(types, ns_through_cname_to_apex_has_additional)
{
	struct query_result r;
	ldns_pkt *p = ask("capex.types.test", WIRE_TYPE_NS, &r);

	assert_section(ldns_pkt_answer(p),
	               "capex.types.test./CNAME types.test./NS");
	assert_section(ldns_pkt_additional(p),
	               "ns1.types.test./A ns1.types.test./AAAA");
	ldns_pkt_free(p);
}

/* A target named twice gets its addresses once (as NSD). */
Test(types, mx_target_named_twice_added_once)
{
	struct query_result r;
	ldns_pkt *p = ask("mx.types.test", WIRE_TYPE_MX, &r);

	cr_assert_eq(ldns_pkt_ancount(p), 3);
	cr_assert_eq(ldns_pkt_arcount(p), 3);
	ldns_pkt_free(p);
}

/* E5: ANY, answered in full, has the additional section of each RRset. */
Test(types, any_has_additional)
{
	struct query_result r;
	ldns_pkt *p = ask("mx.types.test", WIRE_TYPE_ANY, &r);

	cr_assert_eq(ldns_pkt_ancount(p), 5);
	assert_section(ldns_pkt_additional(p),
	               "ns1.types.test./A ns1.types.test./AAAA "
	               "mail.types.test./A");
	ldns_pkt_free(p);
}

/* The additional section expands a wildcard that covers a target. */
Test(types, additional_target_under_wildcard)
{
	struct query_result r;
	ldns_pkt *p = ask("wmx.types.test", WIRE_TYPE_MX, &r);

	assert_section(ldns_pkt_additional(p), "host.wild.types.test./A");
	ldns_pkt_free(p);
	p = ask("wmx.types.test", WIRE_TYPE_ANY, &r);
	assert_section(ldns_pkt_additional(p), "host.wild.types.test./A");
	ldns_pkt_free(p);
}

/* E6: no zone transfers, said as Knot and NSD say it. */
Test(types, axfr_over_udp_is_notimp)
{
	struct query_result r;
	ldns_pkt *p = ask("types.test", WIRE_TYPE_AXFR, &r);

	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOTIMPL);
	cr_assert(!ldns_pkt_aa(p));
	ldns_pkt_free(p);
	p = ask("www.example.org", WIRE_TYPE_AXFR, &r);
	cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOTIMPL);
	ldns_pkt_free(p);
}

Test(types, axfr_over_tcp_and_ixfr_are_notauth)
{
	static const char *names[] = {"types.test", "mx.types.test",
	                              "www.example.org"};
	struct query_result r;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ldns_pkt *p = ask_over(names[i], WIRE_TYPE_AXFR, 0, QUERY_TCP,
		                       &r);

		cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOTAUTH,
		             "AXFR %s", names[i]);
		ldns_pkt_free(p);
		p = ask(names[i], WIRE_TYPE_IXFR, &r);
		cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOTAUTH,
		             "IXFR %s", names[i]);
		ldns_pkt_free(p);
	}
}

/* E7, E8: MAILA, MAILB and OPT asked as any type without records. */
Test(types, meta_types_answered_as_ordinary)
{
	static const uint16_t types[] = {WIRE_TYPE_MAILA, WIRE_TYPE_MAILB,
	                                 WIRE_TYPE_OPT};
	struct query_result r;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		ldns_pkt *p = ask("mx.types.test", types[i], &r);

		cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR,
		             "type %u", types[i]);
		cr_assert(ldns_pkt_aa(p));
		assert_section(ldns_pkt_authority(p), "types.test./SOA");
		ldns_pkt_free(p);
		p = ask("nothere.types.test", types[i], &r);
		cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
		ldns_pkt_free(p);
		p = ask("cmx.types.test", types[i], &r);
		assert_section(ldns_pkt_answer(p), "cmx.types.test./CNAME");
		assert_section(ldns_pkt_authority(p), "types.test./SOA");
		ldns_pkt_free(p);
		p = ask("www.example.org", types[i], &r);
		cr_assert_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_REFUSED);
		ldns_pkt_free(p);
	}
}
