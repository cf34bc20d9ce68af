/*
 * tests/unit/query_fixture.h -- the zones and the query helpers shared by
 * the test binaries that drive the query path with bytes (test_query.c,
 * test_query_fault.c, test_tsig.c):
 *
 *   TestSuite(query, .init = setup, .fini = teardown);
 *   p = ask("example.test", WIRE_TYPE_CAA, &r);
 *
 * setup() loads test.zone, example.test.zone and big.test.zone into env,
 * without faults; replies land in out.
 */
#ifndef CAALAB_TESTS_UNIT_QUERY_FIXTURE_H
#define CAALAB_TESTS_UNIT_QUERY_FIXTURE_H

#include <criterion/criterion.h>
#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "query.h"
#include "wire_name.h"
#include "zone.h"

#define DATA CAA_SOURCE_DIR "/tests/data/"

static struct zone_set *zones;
static struct query_env env;
static uint8_t out[WIRE_MSG_MAX];

static inline void
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

static inline void
teardown(void)
{
	zone_set_free(zones);
}

/* Build a query by hand: NAME in presentation form, no compression. */
static inline size_t
build(uint8_t *buf, uint16_t id, uint16_t flags, const char *name,
      uint16_t type, int edns_version, uint16_t payload)
{
	size_t n = 12;

	memset(buf, 0, 12);
	wire_put16(buf, id);
	wire_put16(buf + 2, flags);
	wire_put16(buf + 4, 1);
	n += put_name(buf + n, name);
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

static inline ldns_pkt *
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

static inline ldns_pkt *
ask(const char *name, uint16_t type, struct query_result *res)
{
	return ask_full(name, type, QUERY_UDP, 0, 1232, res);
}

static inline const ldns_rr *
rr_at(const ldns_rr_list *l, size_t i)
{
	cr_assert_lt(i, ldns_rr_list_rr_count(l));
	return ldns_rr_list_rr(l, i);
}

static inline void
assert_owner(const ldns_rr *rr, const char *name)
{
	char *s = ldns_rdf2str(ldns_rr_owner(rr));

	cr_assert_str_eq(s, name);
	free(s);
}

static inline void
assert_soa_authority(ldns_pkt *p, const char *zone)
{
	const ldns_rr *soa;

	cr_assert_eq(ldns_pkt_nscount(p), 1);
	soa = rr_at(ldns_pkt_authority(p), 0);
	cr_assert_eq(ldns_rr_get_type(soa), LDNS_RR_TYPE_SOA);
	assert_owner(soa, zone);
}
#endif
