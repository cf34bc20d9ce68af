/*
 * tests/unit/test_answer.c -- the answer path where it leaves the
 * compiled blobs: DS at a child's apex, alias chains that end below a
 * delegation or stop at a synthesized CNAME, and alias targets whose
 * RDATA does not hold a name (built here past the loader's checks).
 */
#include <criterion/criterion.h>
#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "query.h"
#include "wire_name.h"
#include "zone.h"
#include "zone_int.h"

#define DATA CAA_SOURCE_DIR "/tests/data/answers/"

static struct zone_set *zones;
static struct query_env env;
static uint8_t out[WIRE_MSG_MAX];

static void
setup_files(void)
{
	const char *files[] = {DATA "p.test.zone", DATA "kid1.p.test.zone",
	                       DATA "kid2.p.test.zone",
	                       DATA "kid3.p.test.zone"};
	char err[512];

	zones = zone_set_load(files, 4, err, sizeof(err));
	cr_assert_not_null(zones, "%s", err);
	env.zones = zones;
	env.faults = NULL;
	env.udp_max = QUERY_UDP_MAX_DEFAULT;
}

static void
teardown(void)
{
	zone_set_free(zones);
	zones = NULL;
}

/* Ask NAME TYPE (RD clear, no EDNS); the reply is in OUT, R->len long. */
static void
ask(const char *name, uint16_t type, struct query_result *r)
{
	uint8_t q[512] = {0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
	size_t n = 12 + put_name(q + 12, name);

	wire_put16(q + n, type);
	wire_put16(q + n + 2, WIRE_CLASS_IN);
	query_handle(&env, q, n + 4, QUERY_UDP, AF_INET, out, sizeof(out), r);
	cr_assert_eq(r->verdict, QUERY_SEND);
	cr_assert_geq(r->len, 12);
}

static unsigned
rcode(void)
{
	return wire_get16(out + 2) & 0xf;
}

static bool
aa(void)
{
	return (wire_get16(out + 2) & WIRE_AA) != 0;
}

static unsigned
count(unsigned section) /* 0 answer, 1 authority, 2 additional */
{
	return wire_get16(out + 6 + 2 * section);
}

/* The authority section of the reply in OUT (LEN octets) is one SOA owned
 * by ZONE. */
static void
assert_soa_owner(size_t len, const char *zone)
{
	ldns_pkt *p = NULL;
	const ldns_rr *soa;
	char *owner;

	cr_assert_eq(ldns_wire2pkt(&p, out, len), LDNS_STATUS_OK);
	cr_assert_eq(ldns_pkt_nscount(p), 1);
	soa = ldns_rr_list_rr(ldns_pkt_authority(p), 0);
	cr_assert_eq(ldns_rr_get_type(soa), LDNS_RR_TYPE_SOA);
	owner = ldns_rdf2str(ldns_rr_owner(soa));
	cr_assert_str_eq(owner, zone);
	free(owner);
	ldns_pkt_free(p);
}

TestSuite(answer_files, .init = setup_files, .fini = teardown);

Test(answer_files, ds_at_child_apex_is_the_parents)
{
	struct query_result r;

	ask("kid1.p.test", WIRE_TYPE_DS, &r);
	cr_assert_eq(rcode(), WIRE_RCODE_NOERROR);
	cr_assert(aa());
	cr_assert_eq(count(0), 1, "the parent's DS");
	cr_assert_eq(count(1), 0);
	/* NODATA from the parent: its SOA, not the child's. */
	ask("kid2.p.test", WIRE_TYPE_DS, &r);
	cr_assert_eq(count(0), 0);
	cr_assert_eq(count(1), 1);
	assert_soa_owner(r.len, "p.test.");
	/* Any other type at the apex is the child's. */
	ask("kid1.p.test", WIRE_TYPE_A, &r);
	cr_assert_eq(count(0), 1);
}

Test(answer_files, chain_below_a_cut_ends_with_the_referral)
{
	struct query_result r;

	ask("todeleg.p.test", WIRE_TYPE_A, &r);
	cr_assert_eq(rcode(), WIRE_RCODE_NOERROR);
	cr_assert(aa(), "the CNAME is authoritative");
	cr_assert_eq(count(0), 1);
	cr_assert_eq(count(1), 2, "deleg's NS");
	cr_assert_eq(count(2), 3, "their glue");
	ask("x.dd.p.test", WIRE_TYPE_A, &r);
	cr_assert_eq(count(0), 2, "DNAME and synthesized CNAME");
	cr_assert_eq(count(1), 2);
	cr_assert_eq(count(2), 3);
	ask("tokid.p.test", WIRE_TYPE_A, &r);
	cr_assert_eq(count(0), 1);
	cr_assert_eq(count(1), 1, "the parent's NS for kid1");
}

Test(answer_files, cname_below_dname_stops_at_the_synthesized_cname)
{
	struct query_result r;

	ask("x.d.p.test", WIRE_TYPE_CNAME, &r);
	cr_assert_eq(rcode(), WIRE_RCODE_NOERROR);
	cr_assert_eq(count(0), 2);
	cr_assert_eq(count(1), 0);
	ask("www.d.p.test", WIRE_TYPE_CNAME, &r);
	cr_assert_eq(rcode(), WIRE_RCODE_NOERROR);
	cr_assert_eq(count(0), 2);
	cr_assert_eq(count(1), 0);
}

/*
 * Alias targets that are no names: the loader refuses them, so the zone
 * is built here from records, as zonefile.c hands them to zone_build().
 */
static uint8_t long_target[300]; /* 266 octets: past WIRE_NAME_MAX */
static size_t long_len;
static uint8_t owners[7][WIRE_NAME_MAX]; /* live as long as the set */

static const struct zone_rec *recs_base;

static void
add_rec(struct zone_rec *rec, const char *owner, uint16_t type,
        const uint8_t *rdata, size_t rdlen)
{
	uint8_t *o = owners[rec - recs_base];

	rec->owner = o;
	rec->ownerlen = (uint8_t)put_name(o, owner);
	rec->type = type;
	rec->ttl = 300;
	rec->rdata = rdata;
	rec->rdlen = (uint16_t)rdlen;
	rec->line = 1;
}

static void
setup_bad(void)
{
	static const uint8_t soa[] = "\x03ns1\x03"
	                             "bad\x04test\x00\x02hm\x03"
	                             "bad\x04test\x00"
	                             "\0\0\0\1\0\0\0\1\0\0\0\1\0\0\0\1\0\0\0\1";
	static const uint8_t no_root[] = "\x06target";
	static const uint8_t short_dname[] = "\x03new";
	static const uint8_t addr[] = {192, 0, 2, 1};
	struct zone_rec recs[7] = {0};
	struct zone *z;
	char err[512];

	recs_base = recs;
	long_len = 0;
	for (int i = 0; i < 4; i++) {
		long_target[long_len++] = 63;
		memset(long_target + long_len, 'a', 63);
		long_len += 63;
	}
	long_len += put_name(long_target + long_len, "bad.test.");
	add_rec(&recs[0], "bad.test.", WIRE_TYPE_SOA, soa, sizeof(soa) - 1);
	add_rec(&recs[1], "long.bad.test.", WIRE_TYPE_CNAME, long_target,
	        long_len);
	add_rec(&recs[2], "noroot.bad.test.", WIRE_TYPE_CNAME, no_root, 7);
	add_rec(&recs[3], "dn.bad.test.", WIRE_TYPE_DNAME, long_target,
	        long_len);
	add_rec(&recs[4], "dn2.bad.test.", WIRE_TYPE_DNAME, short_dname, 4);
	add_rec(&recs[5], "target.bad.test.", WIRE_TYPE_A, addr, 4);
	add_rec(&recs[6], "new.bad.test.", WIRE_TYPE_A, addr, 4);

	zones = zone_set_new();
	cr_assert_not_null(zones);
	z = zone_new();
	cr_assert_not_null(z);
	z->origin = (uint8_t *)recs[0].owner;
	z->originlen = recs[0].ownerlen;
	z->labels = (uint8_t)wire_name_labels(z->origin);
	z->file = (char *)"bad.test.zone";
	cr_assert_eq(zone_build(z, recs, 7, NULL, NULL, err, sizeof(err)), 0,
	             "%s", err);
	cr_assert_eq(zone_set_add(zones, z, err, sizeof(err)), 0, "%s", err);
	env.zones = zones;
	env.faults = NULL;
	env.udp_max = QUERY_UDP_MAX_DEFAULT;
}

TestSuite(answer_bad_rdata, .init = setup_bad, .fini = teardown);

/* A CNAME whose target does not parse ends the chain: the CNAME alone. */
Test(answer_bad_rdata, cname_target_too_long_ends_the_chain)
{
	struct query_result r;

	ask("long.bad.test", WIRE_TYPE_A, &r);
	cr_assert_eq(rcode(), WIRE_RCODE_NOERROR);
	cr_assert_eq(count(0), 1);
	cr_assert_eq(count(1), 0);
}

Test(answer_bad_rdata, cname_target_without_root_ends_the_chain)
{
	struct query_result r;

	ask("noroot.bad.test", WIRE_TYPE_A, &r);
	cr_assert_eq(rcode(), WIRE_RCODE_NOERROR);
	cr_assert_eq(count(0), 1);
	cr_assert_eq(count(1), 0);
}

/* A DNAME whose target does not parse: the DNAME, nothing synthesized. */
Test(answer_bad_rdata, dname_target_too_long_ends_the_chain)
{
	struct query_result r;

	ask("x.dn.bad.test", WIRE_TYPE_A, &r);
	cr_assert_eq(rcode(), WIRE_RCODE_NOERROR);
	cr_assert_eq(count(0), 1);
	cr_assert_eq(count(1), 0);
}

Test(answer_bad_rdata, dname_target_past_its_rdata_ends_the_chain)
{
	struct query_result r;

	ask("x.dn2.bad.test", WIRE_TYPE_A, &r);
	cr_assert_eq(rcode(), WIRE_RCODE_NOERROR);
	cr_assert_eq(count(0), 1);
	cr_assert_eq(count(1), 0);
}
