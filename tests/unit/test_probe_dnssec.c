/*
 * tests/unit/test_probe_dnssec.c -- what libunbound says, in a CA's words.
 *
 * The RFC 8914 code derived from libunbound's reason text (the phrases
 * unbound writes, as in the e2e test's real answers), and the reading
 * of its answers (lookup_ub_read()): a bogus answer fails the lookup and
 * none of its records count, a secure or insecure one is read as a
 * server's reply is, and a packet that does not match is malformed.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caa.h"
#include "lookup.h"
#include "lookup_ub.h"
#include "reply.h"

/* ---- the reason -> code mapping, with reasons unbound 1.17 gave */

Test(probe_dnssec, ede_from_unbound_reasons)
{
	static const struct {
		const char *why;
		int code;
	} cases[] = {
	        {"validation failure <expired.test. CAA IN>: signature expired "
	         "from 127.0.0.3 and 127.0.0.3 for key expired.test. while "
	         "building chain of trust",
	         7},
	        {"validation failure <future.test. CAA IN>: signature before "
	         "inception date from 127.0.0.3 for key future.test.",
	         8},
	        {"validation failure <x. CAA IN>: signature inception after "
	         "expiration",
	         8},
	        {"validation failure <nosig.test. CAA IN>: no signatures from "
	         "127.0.0.3 for key nosig.test. while building chain of trust",
	         10},
	        {"validation failure <host.nodatanosig.test. CAA IN>: no "
	         "signatures over NSECs from 127.0.0.4 for DS "
	         "host.nodatanosig.test. while building chain of trust",
	         12},
	        {"validation failure <wrongds.test. CAA IN>: DS hash mismatches "
	         "key from 127.0.0.3 for key wrongds.test. while building "
	         "chain of trust",
	         9},
	        {"validation failure <x. CAA IN>: No DNSKEY record from 1.2.3.4 "
	         "for key x. while building chain of trust",
	         9},
	        {"validation failure <x. CAA IN>: signatures from unknown keys",
	         9},
	        {"validation failure <x. CAA IN>: dnskey without ZSK flag", 11},
	        {"validation failure <badsig.test. CAA IN>: ECDSA signature "
	         "verification failed from 127.0.0.3 and 127.0.0.3",
	         6},
	        {"validation failure <n.test. CAA IN>: nodata proof failed "
	         "from 127.0.0.3",
	         6},
	        {"", 6},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_expect_eq(caa_dnssec_ede(cases[i].why), cases[i].code,
		             "%s: %d", cases[i].why,
		             caa_dnssec_ede(cases[i].why));
	}
	cr_expect_eq(caa_dnssec_ede(NULL), CAA_EDE_BOGUS);
}

Test(probe_dnssec, names)
{
	cr_expect_null(caa_dnssec_name(CAA_DNSSEC_NONE));
	cr_expect_str_eq(caa_dnssec_name(CAA_DNSSEC_SECURE), "secure");
	cr_expect_str_eq(caa_dnssec_name(CAA_DNSSEC_INSECURE), "insecure");
	cr_expect_str_eq(caa_dnssec_name(CAA_DNSSEC_BOGUS), "bogus");
}

/* Each derived code reads as Let's Encrypt words it. */
Test(probe_dnssec, wording_of_a_bogus_lookup)
{
	struct caa_lookup l;
	char buf[CAA_REASON_LEN];

	memset(&l, 0, sizeof(l));
	l.kind = CAA_LOOKUP_RCODE;
	l.rcode = 2;
	l.ede = caa_dnssec_ede("validation failure <a.test. CAA IN>: "
	                       "signature expired from 127.0.0.3");
	l.ede_text = "validation failure <a.test. CAA IN>: signature expired "
	             "from 127.0.0.3";
	cr_assert_eq(caa_lookup_describe(&l, "a.test", buf, sizeof(buf)),
	             CAA_OK);
	cr_expect_str_eq(buf, "DNS problem: looking up CAA for a.test: DNSSEC: "
	                      "Signature Expired: validation failure <a.test. "
	                      "CAA IN>: signature expired from 127.0.0.3");
}

/* ---- lookup_ub_read(): answers as libunbound hands them over */

struct pkt {
	uint8_t b[1024];
	size_t n;
};

static void
put(struct pkt *p, const void *d, size_t n)
{
	cr_assert_leq(p->n + n, sizeof(p->b));
	memcpy(p->b + p->n, d, n);
	p->n += n;
}

static void
put16(struct pkt *p, unsigned v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	put(p, b, 2);
}

static void
putname(struct pkt *p, const char *name)
{
	uint8_t w[REPLY_NAME_MAX];
	size_t n = reply_name_from_text(name, w);

	cr_assert_gt(n, 0);
	put(p, w, n);
}

/* libunbound's answer: ID 0, QR RD RA, RCODE, the question, AN records. */
static void
answer(struct pkt *p, const char *qname, unsigned rcode, unsigned an)
{
	p->n = 0;
	put16(p, 0);
	put16(p, 0x8180 | rcode);
	put16(p, 1);
	put16(p, an);
	put16(p, 0);
	put16(p, 0);
	putname(p, qname);
	put16(p, REPLY_TYPE_CAA);
	put16(p, REPLY_CLASS_IN);
}

static void
rr_head(struct pkt *p, const char *owner, unsigned type, unsigned rdlen)
{
	putname(p, owner);
	put16(p, type);
	put16(p, REPLY_CLASS_IN);
	put16(p, 0);
	put16(p, 300);
	put16(p, rdlen);
}

static void
rr_caa(struct pkt *p, const char *owner, const char *value)
{
	rr_head(p, owner, REPLY_TYPE_CAA, (unsigned)(7 + strlen(value)));
	put(p, "\x00\x05issue", 7);
	put(p, value, strlen(value));
}

struct read_out {
	bool done;
	enum caa_lookup_kind kind;
	struct lookup_result res;
	struct reply_chain chain;
};

static void
read_it(struct read_out *o, const char *qname, bool validating, int rcode,
        const struct pkt *p, int sec, const char *why)
{
	uint8_t w[REPLY_NAME_MAX];
	size_t n = reply_name_from_text(qname, w);

	memset(&o->res, 0, sizeof(o->res));
	o->res.rcode = -1;
	o->res.ede = -1;
	reply_chain_init(&o->chain, w, n);
	o->done = lookup_ub_read(&o->chain, validating, rcode,
	                         p != NULL ? p->b : NULL, p != NULL ? p->n : 0,
	                         sec, why, &o->res, &o->kind);
}

Test(probe_dnssec, secure_records_count)
{
	struct pkt p;
	struct read_out o;

	answer(&p, "good.test", 0, 1);
	rr_caa(&p, "good.test", "letsencrypt.org");
	read_it(&o, "good.test", true, 0, &p, LOOKUP_UB_SECURE, NULL);
	cr_assert(o.done);
	cr_expect_eq(o.kind, CAA_LOOKUP_RECORDS);
	cr_expect_eq(o.res.nrecords, 1);
	cr_expect_eq(o.res.rcode, 0);
	cr_expect_eq(o.res.dnssec, CAA_DNSSEC_SECURE);
	lookup_result_clear(&o.res);
}

/* libunbound gives a bogus answer with RCODE 0 and its records: none of
 * them may count, and the lookup fails as a validating resolver's
 * SERVFAIL with its Extended DNS Error. */
Test(probe_dnssec, bogus_records_dropped)
{
	static const char why[] = "validation failure <deny.test. CAA IN>: "
	                          "signature expired from 127.0.0.3";
	struct pkt p;
	struct read_out o;
	struct caa_lookup view;
	char buf[CAA_REASON_LEN];

	answer(&p, "deny.test", 0, 1);
	rr_caa(&p, "deny.test", ";");
	read_it(&o, "deny.test", true, 0, &p, LOOKUP_UB_BOGUS, why);
	cr_assert(o.done);
	cr_expect_eq(o.kind, CAA_LOOKUP_RCODE);
	cr_expect_eq(o.res.rcode, 2);
	cr_expect_eq(o.res.nrecords, 0);
	cr_expect_null(o.res.records);
	cr_expect_eq(o.res.ede, 7);
	cr_expect_str_eq(o.res.ede_text, why);
	cr_expect_eq(o.res.dnssec, CAA_DNSSEC_BOGUS);
	o.res.kind = o.kind;
	lookup_result_view(&o.res, &view);
	cr_assert_eq(caa_lookup_describe(&view, "deny.test", buf, sizeof(buf)),
	             CAA_OK);
	cr_expect_str_eq(buf, "DNS problem: looking up CAA for deny.test: "
	                      "DNSSEC: Signature Expired: validation failure "
	                      "<deny.test. CAA IN>: signature expired from "
	                      "127.0.0.3");
	lookup_result_clear(&o.res);
	/* Without a reason: DNSSEC: Bogus, no text. */
	read_it(&o, "deny.test", true, 0, &p, LOOKUP_UB_BOGUS, NULL);
	cr_expect_eq(o.res.ede, 6);
	cr_expect_null(o.res.ede_text);
	lookup_result_clear(&o.res);
}

Test(probe_dnssec, insecure_and_unvalidated)
{
	struct pkt p;
	struct read_out o;

	answer(&p, "x.test", 0, 0);
	read_it(&o, "x.test", true, 0, &p, LOOKUP_UB_INSECURE, NULL);
	cr_expect_eq(o.kind, CAA_LOOKUP_EMPTY);
	cr_expect_eq(o.res.dnssec, CAA_DNSSEC_INSECURE);
	lookup_result_clear(&o.res);
	/* --trust-anchor none: nothing validated, JSON null. */
	read_it(&o, "x.test", false, 0, &p, LOOKUP_UB_INSECURE, NULL);
	cr_expect_eq(o.res.dnssec, CAA_DNSSEC_NONE);
	lookup_result_clear(&o.res);
	/* The RCODE is read from the packet (the callback said 0). */
	answer(&p, "x.test", 3, 0);
	read_it(&o, "x.test", true, 0, &p, LOOKUP_UB_SECURE, NULL);
	cr_expect_eq(o.kind, CAA_LOOKUP_NXDOMAIN);
	lookup_result_clear(&o.res);
}

Test(probe_dnssec, errors_and_odd_packets)
{
	struct pkt p;
	struct read_out o;

	/* An error in the callback: no packet to read. */
	read_it(&o, "x.test", true, 2, NULL, LOOKUP_UB_INSECURE, NULL);
	cr_expect_eq(o.kind, CAA_LOOKUP_RCODE);
	cr_expect_eq(o.res.rcode, 2);
	lookup_result_clear(&o.res);
	read_it(&o, "x.test", true, 0, NULL, LOOKUP_UB_INSECURE, NULL);
	cr_expect_eq(o.kind, CAA_LOOKUP_NETWORK);
	lookup_result_clear(&o.res);
	/* An answer to another question is not this lookup's data. */
	answer(&p, "other.test", 0, 1);
	rr_caa(&p, "other.test", "letsencrypt.org");
	read_it(&o, "x.test", true, 0, &p, LOOKUP_UB_SECURE, NULL);
	cr_expect_eq(o.kind, CAA_LOOKUP_MALFORMED);
	cr_expect_eq(o.res.nrecords, 0);
	lookup_result_clear(&o.res);
	/* Every prefix of a good answer: never past the end. */
	answer(&p, "x.test", 0, 1);
	rr_caa(&p, "x.test", "letsencrypt.org");
	for (size_t n = 0; n < p.n; n++) {
		struct pkt q = p;

		q.n = n;
		read_it(&o, "x.test", true, 0, &q, LOOKUP_UB_SECURE, NULL);
		cr_expect(o.done);
		cr_expect_neq(o.kind, CAA_LOOKUP_RECORDS, "prefix %zu", n);
		lookup_result_clear(&o.res);
	}
}

/* libunbound chases the CNAME itself: the chain is in one answer. */
Test(probe_dnssec, alias_chain_in_one_answer)
{
	struct pkt p;
	struct read_out o;
	uint8_t w[REPLY_NAME_MAX];
	size_t n = reply_name_from_text("target.test", w);

	answer(&p, "alias.test", 0, 2);
	rr_head(&p, "alias.test", REPLY_TYPE_CNAME, (unsigned)n);
	put(&p, w, n);
	rr_caa(&p, "target.test", "letsencrypt.org");
	read_it(&o, "alias.test", true, 0, &p, LOOKUP_UB_SECURE, NULL);
	cr_assert(o.done);
	cr_expect_eq(o.kind, CAA_LOOKUP_RECORDS);
	cr_expect_eq(o.res.nrecords, 1);
	cr_expect_eq(o.chain.n, 2);
	lookup_result_clear(&o.res);
	/* Only the alias (another zone, unanswered): ask the target. */
	answer(&p, "alias.test", 0, 1);
	rr_head(&p, "alias.test", REPLY_TYPE_CNAME, (unsigned)n);
	put(&p, w, n);
	read_it(&o, "alias.test", true, 0, &p, LOOKUP_UB_SECURE, NULL);
	cr_expect_not(o.done);
	lookup_result_clear(&o.res);
}

/* A validator's reason names the zone twice: with a longer name it is
 * still whole when the reason fits CAA_REASON_LEN. */
Test(probe_dnssec, long_reason_kept_whole)
{
	static const char name[] =
	        "a-rather-long-label.expired-signatures.example.tst";
	char why[400];
	char want[512];
	char buf[CAA_REASON_LEN];
	struct caa_lookup l;

	(void)snprintf(why, sizeof(why),
	               "validation failure <%s. CAA IN>: signature expired "
	               "from 127.0.0.3 for key %s. while building chain of "
	               "trust",
	               name, name);
	(void)snprintf(want, sizeof(want),
	               "DNS problem: looking up CAA for %s: DNSSEC: Signature "
	               "Expired: %s",
	               name, why);
	cr_assert_lt(strlen(want), CAA_REASON_LEN - 1);
	memset(&l, 0, sizeof(l));
	l.kind = CAA_LOOKUP_RCODE;
	l.rcode = 2;
	l.ede = caa_dnssec_ede(why);
	l.ede_text = why;
	cr_assert_eq(caa_lookup_describe(&l, name, buf, sizeof(buf)), CAA_OK);
	cr_expect_str_eq(buf, want);
}
