/*
 * tests/unit/test_wire.c -- wire names: parsing and lowering, unpacking,
 * hashing, presentation form.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

/* Every octet value in a label: letters lowered, nothing else changed. */
Test(wire, parse_lowers_letters_only)
{
	uint8_t msg[300], name[WIRE_NAME_MAX];
	size_t off = 0;

	/* three labels of 63, one of 61 and the root label: 255 octets */
	for (unsigned l = 0, v = 0; l < 4; l++) {
		unsigned n = l < 3 ? 63 : 61;

		msg[off++] = (uint8_t)n;
		for (unsigned i = 0; i < n; i++) {
			msg[off++] = (uint8_t)(v++ & 0xff);
		}
	}
	msg[off++] = 0;
	cr_assert_eq(off, 255);
	cr_assert_eq(wire_name_parse(msg, off, 0, name), (int)off);
	for (size_t i = 0; i < off; i++) {
		uint8_t c = msg[i];
		uint8_t want = (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;

		cr_assert_eq(name[i], want, "octet %zu: %02x -> %02x", i, c,
		             name[i]);
	}
}

Test(wire, parse_at_offset_and_without_copy)
{
	static const uint8_t msg[] = { 0xff, 3, 'W', 'w', 'W', 4, 'T', 'e',
		                       'S', 't', 0 };
	static const uint8_t want[] = { 3, 'w', 'w', 'w', 4, 't', 'e', 's',
		                        't', 0 };
	uint8_t name[WIRE_NAME_MAX];

	cr_assert_eq(wire_name_parse(msg, sizeof(msg), 1, name), 10);
	cr_assert_eq(memcmp(name, want, sizeof(want)), 0);
	cr_assert_eq(wire_name_parse(msg, sizeof(msg), 1, NULL), 10);
}

Test(wire, parse_rejects_malformed)
{
	uint8_t name[WIRE_NAME_MAX], big[300];
	static const uint8_t ptr[] = { 3, 'w', 'w', 'w', 0xc0, 12 };
	static const uint8_t past[] = { 3, 'w', 'w' };
	static const uint8_t noroot[] = { 3, 'w', 'w', 'w' };
	static const uint8_t type01[] = { 0x40, 0 };

	cr_assert_eq(wire_name_parse(ptr, sizeof(ptr), 0, name), -1);
	cr_assert_eq(wire_name_parse(past, sizeof(past), 0, name), -1);
	cr_assert_eq(wire_name_parse(noroot, sizeof(noroot), 0, name), -1);
	cr_assert_eq(wire_name_parse(type01, sizeof(type01), 0, name), -1);
	cr_assert_eq(wire_name_parse(ptr, sizeof(ptr), sizeof(ptr), name), -1);
	/* 257 octets: four labels of 63 and the root label */
	memset(big, 'a', sizeof(big));
	for (unsigned l = 0; l < 4; l++) {
		big[l * 64] = 63;
	}
	big[256] = 0;
	cr_assert_eq(wire_name_parse(big, sizeof(big), 0, name), -1);
	big[192] = 62; /* 256 octets */
	big[255] = 0;
	cr_assert_eq(wire_name_parse(big, sizeof(big), 0, name), -1);
	big[192] = 61; /* 255 octets */
	big[254] = 0;
	cr_assert_eq(wire_name_parse(big, sizeof(big), 0, name), 255);
}

Test(wire, unpack_follows_pointers_backwards_only)
{
	/* "example.test" at 0, then "www" + pointer to 0, then a loop */
	static const uint8_t msg[] = { 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
		                       4, 't', 'e', 's', 't', 0,
		                       3, 'W', 'W', 'W', 0xc0, 0,
		                       0xc0, 20 };
	static const uint8_t want[] = { 3, 'W', 'W', 'W', 7, 'e', 'x', 'a',
		                        'm', 'p', 'l', 'e', 4, 't', 'e', 's',
		                        't', 0 };
	uint8_t name[WIRE_NAME_MAX];
	size_t off = 14;

	cr_assert_eq(wire_name_unpack(msg, sizeof(msg), &off, name),
	             (int)sizeof(want));
	cr_assert_eq(off, 20);
	cr_assert_eq(memcmp(name, want, sizeof(want)), 0);
	off = 20;
	cr_assert_eq(wire_name_unpack(msg, sizeof(msg), &off, name), -1);
}

/* Equal names hash equal; the hash looks at every octet and the length. */
Test(wire, type_parse_names_and_rfc3597_numbers)
{
	cr_assert_eq(wire_type_parse("CAA"), 257);
	cr_assert_eq(wire_type_parse("caa"), 257);
	cr_assert_eq(wire_type_parse("TYPE257"), 257);
	cr_assert_eq(wire_type_parse("type65535"), 65535);
	cr_assert_eq(wire_type_parse("TYPE0"), 0);
	cr_assert_eq(wire_type_parse("TYPE65536"), -1);
	cr_assert_eq(wire_type_parse("TYPE4294967553"), -1);
	cr_assert_eq(wire_type_parse("TYPE2x"), -1);
	cr_assert_eq(wire_type_parse("TYPE"), -1);
	cr_assert_eq(wire_type_parse("BOGUS"), -1);
	cr_assert_eq(wire_type_parse("257"), -1);
}

Test(wire, hash_uses_every_octet)
{
	uint8_t a[WIRE_NAME_MAX], b[WIRE_NAME_MAX];

	for (size_t len = 1; len <= 40; len++) {
		for (size_t i = 0; i < len; i++) {
			a[i] = (uint8_t)(i * 7 + len);
		}
		memcpy(b, a, len);
		cr_assert_eq(wire_name_hash(a, len), wire_name_hash(b, len));
		for (size_t i = 0; i < len; i++) {
			b[i] ^= 0x20;
			cr_assert_neq(wire_name_hash(a, len),
			              wire_name_hash(b, len),
			              "len %zu octet %zu", len, i);
			b[i] ^= 0x20;
		}
		a[len] = 0;
		cr_assert_neq(wire_name_hash(a, len), wire_name_hash(a, len + 1));
	}
}

/* hostN.example.test spread over the low bits a hash table uses. */
Test(wire, hash_spreads_similar_names)
{
	enum { N = 4096, BUCKETS = 1024 };
	static unsigned count[BUCKETS];
	unsigned worst = 0;

	for (unsigned i = 0; i < N; i++) {
		uint8_t name[64];
		char label[32];
		int n = snprintf(label, sizeof(label), "host%u", i);
		size_t len = 0;

		name[len++] = (uint8_t)n;
		memcpy(name + len, label, (size_t)n);
		len += (size_t)n;
		memcpy(name + len, "\007example\004test", 14);
		len += 14;
		count[wire_name_hash(name, len) % BUCKETS]++;
	}
	for (unsigned i = 0; i < BUCKETS; i++) {
		if (count[i] > worst) {
			worst = count[i];
		}
	}
	/* 4 a bucket on average; a poor hash piles dozens into one */
	cr_assert_leq(worst, 16, "fullest bucket %u", worst);
}

Test(wire, to_str_escapes)
{
	static const uint8_t name[] = { 3, 'a', '.', 'b', 2, 0x01, '\\', 0 };
	char buf[64];

	cr_assert_eq(wire_name_to_str(name, buf, sizeof(buf)), 12);
	cr_assert_str_eq(buf, "a\\.b.\\001\\\\.");
	cr_assert_eq(wire_name_to_str((const uint8_t *)"", buf, sizeof(buf)),
	             1);
	cr_assert_str_eq(buf, ".");
}
