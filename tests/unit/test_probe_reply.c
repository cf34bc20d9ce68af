/*
 * tests/unit/test_probe_reply.c -- caa-probe's reply parser, bytes in.
 *
 * Replies are built octet by octet here: the query the probe sends,
 * matching (ID, question, 0x20 letter case), malformed messages (short
 * header, pointer loops, records past the end), CAA RDATA that ldns
 * would refuse, alias chains (CNAME, DNAME, loops, length limit, records
 * off the chain), EDNS (extended RCODE, Extended DNS Errors), and every
 * prefix and many mutations of a valid reply, which must never crash.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caa.h"
#include "reply.h"

#define ID 0x1234

struct pkt {
	uint8_t b[8192];
	size_t n;
};

static void
put8(struct pkt *p, unsigned v)
{
	cr_assert_lt(p->n, sizeof(p->b));
	p->b[p->n++] = (uint8_t)v;
}

static void
put16(struct pkt *p, unsigned v)
{
	put8(p, v >> 8);
	put8(p, v & 0xff);
}

static void
put32(struct pkt *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p, v & 0xffff);
}

static void
putbytes(struct pkt *p, const void *data, size_t len)
{
	cr_assert_leq(p->n + len, sizeof(p->b));
	memcpy(p->b + p->n, data, len);
	p->n += len;
}

/* An uncompressed name from text ("" or "." is the root). */
static void
putname(struct pkt *p, const char *name)
{
	uint8_t wire[REPLY_NAME_MAX];
	size_t len = reply_name_from_text(name, wire);

	cr_assert_gt(len, 0, "bad test name %s", name);
	putbytes(p, wire, len);
}

static void
header(struct pkt *p, unsigned id, unsigned flags, unsigned qd, unsigned an,
       unsigned ns, unsigned ar)
{
	p->n = 0;
	put16(p, id);
	put16(p, flags);
	put16(p, qd);
	put16(p, an);
	put16(p, ns);
	put16(p, ar);
}

static void
question(struct pkt *p, const char *name, unsigned type)
{
	putname(p, name);
	put16(p, type);
	put16(p, REPLY_CLASS_IN);
}

/* A record header; RDATA follows. */
static void
rr(struct pkt *p, const char *owner, unsigned type, unsigned rdlen)
{
	putname(p, owner);
	put16(p, type);
	put16(p, REPLY_CLASS_IN);
	put32(p, 300);
	put16(p, rdlen);
}

static void
rr_caa(struct pkt *p, const char *owner, unsigned flags, const char *tag,
       const char *value)
{
	size_t tl = strlen(tag);
	size_t vl = strlen(value);

	rr(p, owner, REPLY_TYPE_CAA, (unsigned)(2 + tl + vl));
	put8(p, flags);
	put8(p, (unsigned)tl);
	putbytes(p, tag, tl);
	putbytes(p, value, vl);
}

static void
rr_alias(struct pkt *p, const char *owner, unsigned type, const char *target)
{
	uint8_t wire[REPLY_NAME_MAX];
	size_t len = reply_name_from_text(target, wire);

	rr(p, owner, type, (unsigned)len);
	putbytes(p, wire, len);
}

/* A NOERROR reply to "NAME CAA" with AN answer records to follow. */
static void
reply_to(struct pkt *p, const char *name, unsigned an)
{
	header(p, ID, 0x8400, 1, an, 0, 0);
	question(p, name, REPLY_TYPE_CAA);
}

static enum reply_status
parse(const struct pkt *p, const char *qname, struct reply *r)
{
	uint8_t wire[REPLY_NAME_MAX];
	size_t len = reply_name_from_text(qname, wire);

	return reply_parse(p->b, p->n, ID, wire, len, REPLY_TYPE_CAA, r);
}

static enum reply_walk
walk(const struct reply *r, const char *qname, struct reply_chain *c,
     struct reply_found *f)
{
	uint8_t wire[REPLY_NAME_MAX];
	size_t len = reply_name_from_text(qname, wire);

	reply_chain_init(c, wire, len);
	return reply_walk(r, c, f);
}

static void
chain_name(const struct reply_chain *c, size_t i, char *buf, size_t size)
{
	cr_assert_lt(i, c->n);
	reply_name_to_text(c->name[i], c->len[i], buf, size);
}

/* ------------------------------------------------------------------ */

Test(probe_reply, names_round_trip)
{
	uint8_t wire[REPLY_NAME_MAX];
	char text[REPLY_TEXT_MAX];
	size_t len = reply_name_from_text("Host.Example.TEST.", wire);

	cr_assert_eq(len, 19);
	cr_assert_eq(wire[0], 4);
	reply_name_to_text(wire, len, text, sizeof(text));
	cr_assert_str_eq(text, "host.example.test");
	cr_assert_eq(reply_name_from_text("", wire), 1);
	reply_name_to_text(wire, 1, text, sizeof(text));
	cr_assert_str_eq(text, ".");
	cr_assert_eq(reply_name_from_text("a..b", wire), 0);
	cr_assert_eq(reply_name_from_text(".a", wire), 0);
}

Test(probe_reply, name_text_escapes_odd_octets)
{
	const uint8_t wire[] = {3, 'a', '.', 0xff, 2, 'B', '\\', 0};
	char text[REPLY_TEXT_MAX];

	reply_name_to_text(wire, sizeof(wire), text, sizeof(text));
	cr_assert_str_eq(text, "a\\.\\255.b\\\\");
}

Test(probe_reply, name_limits)
{
	char name[300];
	uint8_t wire[REPLY_NAME_MAX];
	size_t n = 0;

	/* 63-octet labels: four of them make 4 * 64 + 1 = 257 > 255. */
	for (int l = 0; l < 4; l++) {
		memset(name + n, 'a', 63);
		n += 63;
		name[n++] = '.';
	}
	name[n - 1] = '\0';
	cr_assert_eq(reply_name_from_text(name, wire), 0);
	name[63 * 3 + 3 - 1] = '\0'; /* three labels: 193 octets */
	cr_assert_eq(reply_name_from_text(name, wire), 193);
	memset(name, 'b', 64);
	name[64] = '\0';
	cr_assert_eq(reply_name_from_text(name, wire), 0);
}

/* The bytes ldns_pkt2wire() gives for the same query (checked once). */
Test(probe_reply, query_bytes)
{
	static const uint8_t want[] = {
	        0x12, 0x7c, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	        0x00, 0x01, 0x04, 'a',  'b',  '-',  'c',  0x07, 'e',  'x',
	        'a',  'm',  'p',  'l',  'e',  0x04, 't',  'e',  's',  't',
	        0x00, 0x01, 0x01, 0x00, 0x01, 0x00, 0x00, 0x29, 0x10, 0x00,
	        0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
	uint8_t q[REPLY_QUERY_MAX];
	uint8_t wire[REPLY_NAME_MAX];
	size_t len = reply_name_from_text("ab-c.example.test", wire);

	cr_assert_eq(
	        reply_query_build(q, 0x127c, wire, len, REPLY_TYPE_CAA, 4096),
	        sizeof(want));
	cr_assert_arr_eq(q, want, sizeof(want));
}

Test(probe_reply, query_limits)
{
	uint8_t q[REPLY_QUERY_MAX];
	uint8_t wire[REPLY_NAME_MAX];

	memset(wire, 1, sizeof(wire)); /* shape does not matter here */
	cr_assert_eq(reply_query_build(q, 1, wire, 0, REPLY_TYPE_CAA, 4096), 0);
	cr_assert_eq(reply_query_build(q, 1, wire, REPLY_NAME_MAX + 1,
	                               REPLY_TYPE_CAA, 4096),
	             0);
	cr_assert_eq(reply_query_build(q, 1, wire, REPLY_NAME_MAX,
	                               REPLY_TYPE_CAA, 4096),
	             REPLY_QUERY_MAX);
	wire[0] = 0;
	cr_assert_eq(reply_query_build(q, 1, wire, 1, REPLY_TYPE_CAA, 4096),
	             REPLY_HEADER_LEN + 1 + 4 + 11, "the root");
}

/* The query with QR set is an empty answer to itself: it matches its ID
 * and question, not another ID. */
Test(probe_reply, query_answered_by_itself)
{
	uint8_t q[REPLY_QUERY_MAX];
	uint8_t wire[REPLY_NAME_MAX];
	size_t len = reply_name_from_text("host.example.test", wire);
	size_t n = reply_query_build(q, ID, wire, len, REPLY_TYPE_CAA, 4096);
	struct reply r;

	q[2] |= 0x80;
	cr_assert_eq(reply_parse(q, n, ID, wire, len, REPLY_TYPE_CAA, &r),
	             REPLY_OK);
	cr_assert_eq(r.rcode, 0);
	cr_assert_eq(r.nrr, 0);
	reply_clear(&r);
	cr_assert_eq(reply_parse(q, n, ID + 1, wire, len, REPLY_TYPE_CAA, &r),
	             REPLY_IGNORE);
	reply_clear(&r);
}

Test(probe_reply, caa_answer)
{
	struct pkt p;
	struct reply r;
	struct reply_chain c;
	struct reply_found f;
	const uint8_t *rdata;
	size_t rdlen;
	size_t pos = 0;
	struct caa_record rec;

	reply_to(&p, "example.test", 2);
	rr_caa(&p, "example.test", 0, "issue", "letsencrypt.org");
	rr_caa(&p, "example.test", 128, "iodef", "mailto:a@example.test");
	cr_assert_eq(parse(&p, "example.test", &r), REPLY_OK);
	cr_assert_eq(r.rcode, 0);
	cr_assert_not(r.tc);
	cr_assert_not(r.bad_rdata);
	cr_assert_eq(r.ede, -1);
	cr_assert_eq(walk(&r, "example.test", &c, &f), REPLY_WALK_DONE);
	cr_assert_eq(c.n, 1);
	cr_assert_eq(f.ncaa, 2);
	cr_assert_eq(f.outside_chain, 0);
	cr_assert_not(f.also_cname);
	cr_assert(
	        reply_caa_next(&r, c.name[0], c.len[0], &pos, &rdata, &rdlen));
	cr_assert_eq(caa_record_parse(rdata, rdlen, &rec), CAA_OK);
	cr_assert_eq(rec.tag_len, 5);
	cr_assert_eq(memcmp(rec.value, "letsencrypt.org", 15), 0);
	cr_assert(
	        reply_caa_next(&r, c.name[0], c.len[0], &pos, &rdata, &rdlen));
	cr_assert_eq(rdata[0], 128);
	cr_assert_not(
	        reply_caa_next(&r, c.name[0], c.len[0], &pos, &rdata, &rdlen));
	reply_clear(&r);
}

Test(probe_reply, question_letter_case_is_free)
{
	struct pkt p;
	struct reply r;

	/* RFC 8659 6.4 / 0x20: the server may echo another letter case. */
	reply_to(&p, "ExAmPlE.TeSt", 1);
	rr_caa(&p, "EXAMPLE.test", 0, "issue", ";");
	cr_assert_eq(parse(&p, "example.test", &r), REPLY_OK);
	reply_clear(&r);
}

Test(probe_reply, mismatches_are_ignored)
{
	struct pkt p;
	struct reply r;

	reply_to(&p, "example.test", 0);
	p.b[1] ^= 1; /* another ID */
	cr_assert_eq(parse(&p, "example.test", &r), REPLY_IGNORE);
	reply_to(&p, "example.test", 0);
	p.b[2] &= 0x7f; /* QR clear: a query, not a reply */
	cr_assert_eq(parse(&p, "example.test", &r), REPLY_IGNORE);
	reply_to(&p, "other.test", 0);
	cr_assert_eq(parse(&p, "example.test", &r), REPLY_IGNORE);
	header(&p, ID, 0x8400, 1, 0, 0, 0);
	question(&p, "example.test", 1); /* type A */
	cr_assert_eq(parse(&p, "example.test", &r), REPLY_IGNORE);
	header(&p, ID, 0x8400, 1, 0, 0, 0);
	putname(&p, "example.test");
	put16(&p, REPLY_TYPE_CAA);
	put16(&p, 3); /* class CH */
	cr_assert_eq(parse(&p, "example.test", &r), REPLY_IGNORE);
	header(&p, ID, 0x8180, 0, 0, 0, 0); /* no question, no error */
	cr_assert_eq(parse(&p, "example.test", &r), REPLY_IGNORE);
}

Test(probe_reply, short_or_broken_is_malformed)
{
	struct pkt p;
	struct reply r;

	reply_to(&p, "example.test", 0);
	for (size_t n = 0; n < 12; n++) {
		cr_assert_eq(
		        reply_parse(p.b, n, ID, NULL, 0, REPLY_TYPE_CAA, &r),
		        REPLY_MALFORMED);
	}
	/* The question cut short. */
	p.n -= 3;
	cr_assert_eq(parse(&p, "example.test", &r), REPLY_MALFORMED);
	/* An answer count with no answers. */
	reply_to(&p, "example.test", 1);
	cr_assert_eq(parse(&p, "example.test", &r), REPLY_MALFORMED);
	/* RDATA past the end (the garble fault cuts the first record). */
	reply_to(&p, "example.test", 1);
	rr_caa(&p, "example.test", 0, "issue", "letsencrypt.org");
	p.n -= 5;
	cr_assert_eq(parse(&p, "example.test", &r), REPLY_MALFORMED);
}

Test(probe_reply, compression_pointers)
{
	struct pkt p;
	struct reply r;
	struct reply_chain c;
	struct reply_found f;

	/* A pointer back to the question name: fine. */
	reply_to(&p, "example.test", 1);
	put16(&p, 0xc000 | 12);
	put16(&p, REPLY_TYPE_CAA);
	put16(&p, REPLY_CLASS_IN);
	put32(&p, 60);
	put16(&p, 3);
	put8(&p, 0);
	put8(&p, 1);
	put8(&p, 'x');
	cr_assert_eq(parse(&p, "example.test", &r), REPLY_OK);
	cr_assert_eq(walk(&r, "example.test", &c, &f), REPLY_WALK_DONE);
	cr_assert_eq(f.ncaa, 1);
	reply_clear(&r);

	/* A pointer to itself (the garble fault with no answer). */
	reply_to(&p, "example.test", 1);
	put16(&p, (unsigned)(0xc000 | p.n));
	memset(p.b + p.n, 0, 10);
	p.n += 10;
	cr_assert_eq(parse(&p, "example.test", &r), REPLY_MALFORMED);

	/* A pointer forwards. */
	reply_to(&p, "example.test", 1);
	put16(&p, (unsigned)(0xc000 | (p.n + 12)));
	memset(p.b + p.n, 0, 10);
	p.n += 10;
	put8(&p, 0);
	cr_assert_eq(parse(&p, "example.test", &r), REPLY_MALFORMED);

	/* Label types 01 and 10. */
	reply_to(&p, "example.test", 1);
	put8(&p, 0x41);
	memset(p.b + p.n, 0, 12);
	p.n += 12;
	cr_assert_eq(parse(&p, "example.test", &r), REPLY_MALFORMED);
}

Test(probe_reply, pointer_chain_cannot_loop)
{
	struct pkt p;
	struct reply r;
	uint8_t name[REPLY_NAME_MAX];
	size_t len;
	size_t off;

	/* "a" then a pointer back to "a": the name grows until it is too
	 * long, so it ends. */
	p.n = 0;
	put8(&p, 1);
	put8(&p, 'a');
	put16(&p, 0xc000);
	off = 0;
	cr_assert_not(reply_name_decode(p.b, p.n, &off, name, &len));
	(void)r;
}

Test(probe_reply, malformed_caa_rdata_is_bad_rdata)
{
	struct pkt p;
	struct reply r;

	/* Tag length 0: ldns_wire2pkt refuses the packet; the probe must
	 * read the answer and fail closed (docs/probe.md, "Lookup errors"). */
	reply_to(&p, "example.test", 1);
	rr(&p, "example.test", REPLY_TYPE_CAA, 5);
	putbytes(&p,
	         "\x00\x00"
	         "abc",
	         5);
	cr_assert_eq(parse(&p, "example.test", &r), REPLY_OK);
	cr_assert(r.bad_rdata);
	reply_clear(&r);

	/* Tag running past the RDATA, and RDATA of one octet. */
	reply_to(&p, "example.test", 2);
	rr(&p, "example.test", REPLY_TYPE_CAA, 4);
	putbytes(&p, "\x00\x09is", 4);
	rr(&p, "example.test", REPLY_TYPE_CAA, 1);
	put8(&p, 0);
	cr_assert_eq(parse(&p, "example.test", &r), REPLY_OK);
	cr_assert(r.bad_rdata);
	reply_clear(&r);
}

Test(probe_reply, tc_and_rcode)
{
	struct pkt p;
	struct reply r;

	header(&p, ID, 0x8200 | 2, 1, 0, 0, 0);
	question(&p, "example.test", REPLY_TYPE_CAA);
	cr_assert_eq(parse(&p, "example.test", &r), REPLY_OK);
	cr_assert(r.tc);
	cr_assert_eq(r.rcode, 2);
	reply_clear(&r);
}

/* The authority section of a reply with no answer: NS and/or SOA. */
static void
authority(struct pkt *p, unsigned flags, bool ns, bool soa)
{
	header(p, ID, flags, 1, 0, (ns ? 1 : 0) + (soa ? 1 : 0), 0);
	question(p, "host.child.example.test", REPLY_TYPE_CAA);
	if (ns) {
		rr_alias(p, "child.example.test", REPLY_TYPE_NS,
		         "ns.child.example.test");
	}
	if (soa) {
		rr(p, "example.test", REPLY_TYPE_SOA, 22);
		put8(p, 0); /* MNAME and RNAME: the root */
		put8(p, 0);
		for (int i = 0; i < 5; i++) {
			put32(p, 3600);
		}
	}
}

Test(probe_reply, referral_is_told_from_a_negative_answer)
{
	struct pkt p;
	struct reply r;

	/* RFC 1034 4.3.2: NS of the child, no SOA, AA clear. */
	authority(&p, 0x8000, true, false);
	cr_assert_eq(parse(&p, "host.child.example.test", &r), REPLY_OK);
	cr_assert(r.referral);
	reply_clear(&r);
	/* RFC 2308 2.2: NODATA carries the SOA (NS beside it or not). */
	authority(&p, 0x8400, false, true);
	cr_assert_eq(parse(&p, "host.child.example.test", &r), REPLY_OK);
	cr_assert_not(r.referral);
	reply_clear(&r);
	authority(&p, 0x8000, true, true);
	cr_assert_eq(parse(&p, "host.child.example.test", &r), REPLY_OK);
	cr_assert_not(r.referral);
	reply_clear(&r);
	/* NS from the zone's own apex with AA set: an answer, not a referral. */
	authority(&p, 0x8400, true, false);
	cr_assert_eq(parse(&p, "host.child.example.test", &r), REPLY_OK);
	cr_assert_not(r.referral);
	reply_clear(&r);
	/* A bare NODATA (minimal responses, a resolver). */
	authority(&p, 0x8180, false, false);
	cr_assert_eq(parse(&p, "host.child.example.test", &r), REPLY_OK);
	cr_assert_not(r.referral);
	reply_clear(&r);
}

Test(probe_reply, error_without_question_counts)
{
	struct pkt p;
	struct reply r;

	/* NOTIMP and FORMERR with QDCOUNT 0: the RCODE, not a timeout. */
	header(&p, ID, 0x8004, 0, 0, 0, 0);
	cr_assert_eq(parse(&p, "example.test", &r), REPLY_OK);
	cr_assert_eq(r.rcode, 4);
	reply_clear(&r);
	header(&p, ID, 0x8001, 0, 0, 0, 0);
	cr_assert_eq(parse(&p, "example.test", &r), REPLY_OK);
	cr_assert_eq(r.rcode, 1);
	reply_clear(&r);
	/* Another ID, or NOERROR/NXDOMAIN without a question: not ours. */
	header(&p, ID + 1, 0x8004, 0, 0, 0, 0);
	cr_assert_eq(parse(&p, "example.test", &r), REPLY_IGNORE);
	header(&p, ID, 0x8000, 0, 0, 0, 0);
	cr_assert_eq(parse(&p, "example.test", &r), REPLY_IGNORE);
	header(&p, ID, 0x8003, 0, 0, 0, 0);
	cr_assert_eq(parse(&p, "example.test", &r), REPLY_IGNORE);
}

Test(probe_reply, tc_reply_cut_inside_a_record_is_not_read)
{
	struct pkt p;
	struct reply r;

	/* RFC 1035 4.2.1: the datagram cut at its size limit, TC set, the
	 * counts of the whole answer; it goes to TCP, not MALFORMED. */
	header(&p, ID, 0x8600, 1, 2, 0, 0);
	question(&p, "example.test", REPLY_TYPE_CAA);
	rr_caa(&p, "example.test", 0, "issue", "otherca.test");
	rr_caa(&p, "example.test", 0, "issue", "letsencrypt.org");
	p.n -= 9;
	cr_assert_eq(parse(&p, "example.test", &r), REPLY_OK);
	cr_assert(r.tc);
	cr_assert_eq(r.rcode, 0);
	cr_assert_eq(r.nrr, 0);
	reply_clear(&r);
}

Test(probe_reply, edns_extended_rcode_and_ede)
{
	struct pkt p;
	struct reply r;
	const char *text = "signature expired";
	size_t tl = strlen(text);

	header(&p, ID, 0x8000 | 2, 1, 0, 0, 1);
	question(&p, "example.test", REPLY_TYPE_CAA);
	put8(&p, 0); /* root */
	put16(&p, REPLY_TYPE_OPT);
	put16(&p, 1232);
	put32(&p, 0x01000000); /* upper RCODE bits 1: 16 + 2 = 18 */
	put16(&p, (unsigned)(4 + 2 + tl + 4 + 2));
	put16(&p, REPLY_OPT_EDE);
	put16(&p, (unsigned)(2 + tl));
	put16(&p, 7);
	putbytes(&p, text, tl);
	put16(&p, REPLY_OPT_EDE); /* a second EDE: the first counts */
	put16(&p, 2);
	put16(&p, 9);
	cr_assert_eq(parse(&p, "example.test", &r), REPLY_OK);
	cr_assert_eq(r.rcode, 18);
	cr_assert_eq(r.ede, 7);
	cr_assert_str_eq(r.ede_text, text);
	reply_clear(&r);

	/* An option running past the OPT RDATA. */
	header(&p, ID, 0x8002, 1, 0, 0, 1);
	question(&p, "example.test", REPLY_TYPE_CAA);
	put8(&p, 0);
	put16(&p, REPLY_TYPE_OPT);
	put16(&p, 1232);
	put32(&p, 0);
	put16(&p, 6);
	put16(&p, REPLY_OPT_EDE);
	put16(&p, 9);
	put16(&p, 6);
	cr_assert_eq(parse(&p, "example.test", &r), REPLY_MALFORMED);
}

Test(probe_reply, cname_to_caa_in_one_answer)
{
	struct pkt p;
	struct reply r;
	struct reply_chain c;
	struct reply_found f;
	char text[REPLY_TEXT_MAX];

	reply_to(&p, "cname-cname-deny.basic.caatestsuite.test", 3);
	rr_alias(&p, "cname-cname-deny.basic.caatestsuite.test",
	         REPLY_TYPE_CNAME, "cname-deny.basic.caatestsuite.test");
	rr_alias(&p, "cname-deny.basic.caatestsuite.test", REPLY_TYPE_CNAME,
	         "deny.basic.caatestsuite.test");
	rr_caa(&p, "deny.basic.caatestsuite.test", 0, "issue",
	       "caatestsuite.com");
	cr_assert_eq(parse(&p, "cname-cname-deny.basic.caatestsuite.test", &r),
	             REPLY_OK);
	cr_assert_eq(
	        walk(&r, "cname-cname-deny.basic.caatestsuite.test", &c, &f),
	        REPLY_WALK_DONE);
	cr_assert_eq(c.n, 3);
	chain_name(&c, 2, text, sizeof(text));
	cr_assert_str_eq(text, "deny.basic.caatestsuite.test");
	cr_assert_eq(f.ncaa, 1);
	reply_clear(&r);
}

Test(probe_reply, cname_without_caa_is_followed)
{
	struct pkt p;
	struct reply r;
	struct reply_chain c;
	struct reply_found f;
	char text[REPLY_TEXT_MAX];

	reply_to(&p, "a.example.test", 1);
	rr_alias(&p, "a.example.test", REPLY_TYPE_CNAME, "b.other.test");
	cr_assert_eq(parse(&p, "a.example.test", &r), REPLY_OK);
	cr_assert_eq(walk(&r, "a.example.test", &c, &f), REPLY_WALK_FOLLOW);
	chain_name(&c, c.n - 1, text, sizeof(text));
	cr_assert_str_eq(text, "b.other.test");
	reply_clear(&r);

	/* The reply for the target, with no alias: the chain ends. */
	reply_to(&p, "B.other.test", 0);
	cr_assert_eq(parse(&p, "b.other.test", &r), REPLY_OK);
	cr_assert_eq(reply_walk(&r, &c, &f), REPLY_WALK_DONE);
	cr_assert_eq(c.n, 2);
	cr_assert_eq(f.ncaa, 0);
	reply_clear(&r);
}

Test(probe_reply, cname_loop)
{
	struct pkt p;
	struct reply r;
	struct reply_chain c;
	struct reply_found f;

	reply_to(&p, "a.example.test", 2);
	rr_alias(&p, "a.example.test", REPLY_TYPE_CNAME, "b.example.test");
	rr_alias(&p, "b.example.test", REPLY_TYPE_CNAME, "A.example.test");
	cr_assert_eq(parse(&p, "a.example.test", &r), REPLY_OK);
	cr_assert_eq(walk(&r, "a.example.test", &c, &f), REPLY_WALK_LOOP);
	reply_clear(&r);

	/* A CNAME to itself. */
	reply_to(&p, "a.example.test", 1);
	rr_alias(&p, "a.example.test", REPLY_TYPE_CNAME, "a.example.test");
	cr_assert_eq(parse(&p, "a.example.test", &r), REPLY_OK);
	cr_assert_eq(walk(&r, "a.example.test", &c, &f), REPLY_WALK_LOOP);
	reply_clear(&r);
}

Test(probe_reply, chain_over_16_is_long)
{
	struct pkt p;
	struct reply r;
	struct reply_chain c;
	struct reply_found f;
	char owner[32];
	char target[32];

	for (int len = 16; len <= 17; len++) {
		reply_to(&p, "c0.example.test", (unsigned)len);
		for (int i = 0; i < len; i++) {
			(void)snprintf(owner, sizeof(owner), "c%d.example.test",
			               i);
			(void)snprintf(target, sizeof(target),
			               "c%d.example.test", i + 1);
			rr_alias(&p, owner, REPLY_TYPE_CNAME, target);
		}
		cr_assert_eq(parse(&p, "c0.example.test", &r), REPLY_OK);
		cr_assert_eq(walk(&r, "c0.example.test", &c, &f),
		             len == 16 ? REPLY_WALK_FOLLOW : REPLY_WALK_LONG,
		             "%d aliases", len);
		reply_clear(&r);
	}
}

Test(probe_reply, dname_synthesis)
{
	struct pkt p;
	struct reply r;
	struct reply_chain c;
	struct reply_found f;
	char text[REPLY_TEXT_MAX];

	/* A DNAME without the synthesized CNAME (RFC 6672 2.2). */
	reply_to(&p, "www.old.alias.test", 2);
	rr_alias(&p, "old.alias.test", REPLY_TYPE_DNAME, "new.alias.test");
	rr_caa(&p, "www.new.alias.test", 0, "issue", "otherca.test");
	cr_assert_eq(parse(&p, "www.old.alias.test", &r), REPLY_OK);
	cr_assert_eq(walk(&r, "www.old.alias.test", &c, &f), REPLY_WALK_DONE);
	cr_assert_eq(c.n, 2);
	chain_name(&c, 1, text, sizeof(text));
	cr_assert_str_eq(text, "www.new.alias.test");
	cr_assert_eq(f.ncaa, 1);
	reply_clear(&r);

	/* A DNAME at the name itself does not redirect it (erratum
	 * 5097). */
	reply_to(&p, "old.alias.test", 1);
	rr_alias(&p, "old.alias.test", REPLY_TYPE_DNAME, "new.alias.test");
	cr_assert_eq(parse(&p, "old.alias.test", &r), REPLY_OK);
	cr_assert_eq(walk(&r, "old.alias.test", &c, &f), REPLY_WALK_DONE);
	cr_assert_eq(c.n, 1);
	reply_clear(&r);

	/* DNAME and its synthesized CNAME, as servers send them. */
	reply_to(&p, "www.moved.alias.test", 3);
	rr_alias(&p, "moved.alias.test", REPLY_TYPE_DNAME, "caa.test");
	rr_alias(&p, "www.moved.alias.test", REPLY_TYPE_CNAME, "www.caa.test");
	rr_caa(&p, "www.caa.test", 0, "issue", "letsencrypt.org");
	cr_assert_eq(parse(&p, "www.moved.alias.test", &r), REPLY_OK);
	cr_assert_eq(walk(&r, "www.moved.alias.test", &c, &f), REPLY_WALK_DONE);
	cr_assert_eq(c.n, 2);
	cr_assert_eq(f.ncaa, 1);
	reply_clear(&r);
}

Test(probe_reply, caa_off_the_chain_is_counted)
{
	struct pkt p;
	struct reply r;
	struct reply_chain c;
	struct reply_found f;

	reply_to(&p, "host.example.test", 3);
	rr_caa(&p, "host.example.test", 0, "issue", "letsencrypt.org");
	rr_caa(&p, "evil.test", 0, "issue", ";");
	rr_caa(&p, "example.test", 0, "issue", ";");
	cr_assert_eq(parse(&p, "host.example.test", &r), REPLY_OK);
	cr_assert_eq(walk(&r, "host.example.test", &c, &f), REPLY_WALK_DONE);
	cr_assert_eq(f.ncaa, 1);
	cr_assert_eq(f.outside_chain, 2);
	reply_clear(&r);

	/* Only records off the chain: none counts, the name is empty. */
	reply_to(&p, "host.example.test", 1);
	rr_caa(&p, "evil.test", 0, "issue", "letsencrypt.org");
	cr_assert_eq(parse(&p, "host.example.test", &r), REPLY_OK);
	cr_assert_eq(walk(&r, "host.example.test", &c, &f), REPLY_WALK_DONE);
	cr_assert_eq(f.ncaa, 0);
	cr_assert_eq(f.outside_chain, 1);
	reply_clear(&r);
}

Test(probe_reply, cname_beside_caa)
{
	struct pkt p;
	struct reply r;
	struct reply_chain c;
	struct reply_found f;

	reply_to(&p, "both.example.test", 2);
	rr_alias(&p, "both.example.test", REPLY_TYPE_CNAME, "x.example.test");
	rr_caa(&p, "both.example.test", 0, "issue", "letsencrypt.org");
	cr_assert_eq(parse(&p, "both.example.test", &r), REPLY_OK);
	cr_assert_eq(walk(&r, "both.example.test", &c, &f), REPLY_WALK_DONE);
	cr_assert_eq(f.ncaa, 1);
	cr_assert(f.also_cname);
	reply_clear(&r);
}

Test(probe_reply, alias_rdata_must_be_one_name)
{
	struct pkt p;
	struct reply r;

	reply_to(&p, "a.example.test", 1);
	rr(&p, "a.example.test", REPLY_TYPE_CNAME, 4);
	putbytes(&p, "\x01x\x00\x00", 4);
	cr_assert_eq(parse(&p, "a.example.test", &r), REPLY_MALFORMED);
}

/* A reply with a bit of everything, for the robustness tests. */
static void
rich_reply(struct pkt *p)
{
	header(p, ID, 0x8400, 1, 4, 1, 1);
	question(p, "www.example.test", REPLY_TYPE_CAA);
	rr_alias(p, "www.example.test", REPLY_TYPE_CNAME, "x.example.test");
	put16(p, 0xc000 | 12); /* owner www.example.test, compressed */
	put16(p, REPLY_TYPE_CAA);
	put16(p, REPLY_CLASS_IN);
	put32(p, 60);
	put16(p, 7);
	putbytes(p, "\x80\x05issue", 7);
	rr_alias(p, "example.test", REPLY_TYPE_DNAME, "other.test");
	rr_caa(p, "x.example.test", 0, "issue", "letsencrypt.org; a=b");
	rr(p, "example.test", 6, 4);
	put32(p, 0);
	put8(p, 0);
	put16(p, REPLY_TYPE_OPT);
	put16(p, 4096);
	put32(p, 0);
	put16(p, 6);
	put16(p, REPLY_OPT_EDE);
	put16(p, 2);
	put16(p, 3);
}

static void
exercise(const uint8_t *msg, size_t len)
{
	uint8_t q[REPLY_NAME_MAX];
	size_t qlen = reply_name_from_text("www.example.test", q);
	struct reply r;
	struct reply_chain c;
	struct reply_found f;

	if (reply_parse(msg, len, ID, q, qlen, REPLY_TYPE_CAA, &r) ==
	    REPLY_OK) {
		const uint8_t *rdata;
		size_t rdlen;
		size_t pos = 0;

		reply_chain_init(&c, q, qlen);
		(void)reply_walk(&r, &c, &f);
		while (reply_caa_next(&r, c.name[c.n - 1], c.len[c.n - 1], &pos,
		                      &rdata, &rdlen)) {
			cr_assert_leq(rdata + rdlen, msg + len);
		}
		reply_clear(&r);
	}
}

Test(probe_reply, every_prefix_is_safe)
{
	struct pkt p;
	struct reply r;
	uint8_t q[REPLY_NAME_MAX];
	size_t qlen = reply_name_from_text("www.example.test", q);

	rich_reply(&p);
	cr_assert_eq(reply_parse(p.b, p.n, ID, q, qlen, REPLY_TYPE_CAA, &r),
	             REPLY_OK);
	reply_clear(&r);
	for (size_t n = 0; n < p.n; n++) {
		/* A copy of exactly N octets, so ASan sees any overread. */
		uint8_t *copy = malloc(n > 0 ? n : 1);

		cr_assert_not_null(copy);
		memcpy(copy, p.b, n);
		cr_assert_neq(
		        reply_parse(copy, n, ID, q, qlen, REPLY_TYPE_CAA, &r),
		        REPLY_OK, "prefix of %zu octets accepted", n);
		free(copy);
	}
}

Test(probe_reply, mutations_are_safe)
{
	struct pkt p;
	uint32_t seed = 12345;

	rich_reply(&p);
	for (int round = 0; round < 20000; round++) {
		uint8_t *copy = malloc(p.n);
		int flips = 1 + round % 4;

		cr_assert_not_null(copy);
		memcpy(copy, p.b, p.n);
		for (int k = 0; k < flips; k++) {
			seed = seed * 1103515245U + 12345U;
			/* Keep the ID, so most mutants get parsed further. */
			copy[2 + (seed >> 8) % (p.n - 2)] =
			        (uint8_t)(seed >> 24);
		}
		exercise(copy, p.n);
		free(copy);
	}
}
