/*
 * tests/unit/test_tsig.c -- queries that carry a TSIG record (RFC 8945):
 * caa-responder holds no keys, so each gets NOTAUTH with BADKEY, or FORMERR
 * when the record is misplaced or broken.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "query_fixture.h"

TestSuite(tsig, .init = setup, .fini = teardown);

/*
 * Append to the query Q (QL octets, ARCOUNT as built) a TSIG record owned
 * by KEY (presentation form, no escapes), algorithm hmac-sha256, time
 * 0x6b151ab5, fudge 300, a 32-octet MAC, original ID 0x4321, OTHER octets of
 * other data.  Returns the new length.
 */
static size_t
add_tsig(uint8_t *q, size_t ql, const char *key, size_t other)
{
	static const uint8_t alg[] = "\x0bhmac-sha256";
	size_t rdlen = sizeof(alg) + 6 + 2 + 2 + 32 + 6 + other;
	uint8_t *p = q + ql;

	p += put_name(p, key);
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
Test(tsig, tsig_gets_badkey)
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
Test(tsig, tsig_follows_opt)
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
Test(tsig, misplaced_or_broken_tsig_is_formerr)
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
Test(tsig, tsig_too_large_for_udp_is_truncated)
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
