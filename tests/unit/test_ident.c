/*
 * tests/unit/test_ident.c -- caa_ident_check(): the names a CA refuses
 * before any CAA lookup, in Boulder's words and order (policy/pa.go and
 * the table of its pa_test.go TestWellFormedIdentifiers), Unicode names
 * mapped to A-labels, xn-- labels decoded and checked.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>

#include "caa.h"
#include "caa_int.h"

struct ident_case {
	const char *input;
	enum caa_status want;
	const char *name; /* CAA_OK: the name looked up */
};

static void
ident_run(const struct ident_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct caa_ident id;
		enum caa_status st = caa_ident_check(cases[i].input, &id);

		cr_expect_eq(st, cases[i].want, "'%s': got '%s', want '%s'",
		             cases[i].input, caa_strerror(st),
		             caa_strerror(cases[i].want));
		if (st == CAA_OK && cases[i].name != NULL) {
			cr_expect_str_eq(id.name, cases[i].name, "'%s'",
			                 cases[i].input);
		}
		if (st != CAA_OK) {
			cr_expect_str_eq(id.name, "", "'%s' left a name",
			                 cases[i].input);
		}
	}
}

#define RUN(cases) ident_run((cases), sizeof(cases) / sizeof((cases)[0]))

/* Boulder's table: the DNS cases of TestWellFormedIdentifiers.  Where
 * caalab differs on purpose, the line says so. */
Test(ident, boulder_table)
{
	static const struct ident_case cases[] = {
	        {"", CAA_ERR_NAME_EMPTY, NULL},
	        {"zomb!.com", CAA_ERR_NAME_CHAR, NULL},
	        {"emailaddress@myseriously.present.com", CAA_ERR_NAME_CHAR,
	         NULL},
	        {"user:pass@myseriously.present.com", CAA_ERR_NAME_CHAR, NULL},
	        /* Boulder refuses every non-ASCII byte; caalab maps
	         * Unicode to A-labels, as a browser would. */
	        {"z\xc3\xb6mbo.com", CAA_OK, "xn--zmbo-5qa.com"},
	        {"127.0.0.1", CAA_ERR_NAME_IP, NULL},
	        /* Boulder: an invalid character (":"); an address all the
	         * same, and said so. */
	        {"fe80::1:1", CAA_ERR_NAME_IP, NULL},
	        {"[2001:db8:85a3:8d3:1319:8a2e:370:7348]", CAA_ERR_NAME_IP,
	         NULL},
	        {"[2001:db8:85a3:8d3:1319:8a2e:370:7348]:443",
	         CAA_ERR_NAME_CHAR, NULL},
	        {"2001:db8::/32", CAA_ERR_NAME_CHAR, NULL},
	        /* Boulder's limit of 10 labels is policy, not syntax. */
	        {"a.b.c.d.e.f.g.h.i.j.k", CAA_OK, "a.b.c.d.e.f.g.h.i.j.k"},
	        /* 254 octets: too long before any label is looked at. */
	        {"www.0123456789abcdef0123456789abcdef0123456789abcdef0123"
	         "456789abcdef0123456789abcdef0123456789abcdef0123456789ab"
	         "cdef0123456789abcdef0123456789abcdef0123456789abcdef0123"
	         "456789abcdef0123456789abcdef0123456789abcdef0123456789ab"
	         "cdef0123456789abcdef012345.com",
	         CAA_ERR_NAME_LONG, NULL},
	        {"www.ef0123456789abcdef013456789abcdef012345.789abcdef0123456"
	         "79abcdef0123456789abcdef01234.6789abcdef0123456789abcdef0."
	         "23456789abcdef0123456789a.cdef0123456789abcdef0123456789ab."
	         "def0123456789abcdef0123456789.bcdef0123456789abcdef012345."
	         "com",
	         CAA_OK, NULL},
	        {"www.abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcd"
	         "efghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl"
	         "mnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz.com",
	         CAA_ERR_NAME_LABEL_LONG, NULL},
	        {"www.-ombo.com", CAA_ERR_NAME_CHAR, NULL},
	        {"www.zomb-.com", CAA_ERR_NAME_CHAR, NULL},
	        {"xn--.net", CAA_ERR_NAME_CHAR, NULL},
	        {"-0b.net", CAA_ERR_NAME_CHAR, NULL},
	        {"-0.net", CAA_ERR_NAME_CHAR, NULL},
	        {"-.net", CAA_ERR_NAME_CHAR, NULL},
	        {"---.net", CAA_ERR_NAME_CHAR, NULL},
	        /* Boulder wants a dot (a public suffix); not applied. */
	        {"0", CAA_OK, "0"},
	        {"1", CAA_OK, "1"},
	        {"*", CAA_ERR_NAME_WILDCARD, NULL},
	        {"**", CAA_ERR_NAME_WILDCARDS, NULL},
	        {"*.*", CAA_ERR_NAME_WILDCARDS, NULL},
	        {"zombo*com", CAA_ERR_NAME_WILDCARD, NULL},
	        /* Boulder: a wildcard for an ICANN TLD; not applied. */
	        {"*.com", CAA_OK, "*.com"},
	        {"..a", CAA_ERR_NAME_LABEL_EMPTY, NULL},
	        {"a..a", CAA_ERR_NAME_LABEL_EMPTY, NULL},
	        {".a..a", CAA_ERR_NAME_LABEL_EMPTY, NULL},
	        {"..foo.com", CAA_ERR_NAME_LABEL_EMPTY, NULL},
	        /* Boulder refuses a final dot; caalab drops one. */
	        {".", CAA_ERR_NAME_EMPTY, NULL},
	        {"..", CAA_ERR_NAME_LABEL_EMPTY, NULL},
	        {"a..", CAA_ERR_NAME_LABEL_EMPTY, NULL},
	        {".....", CAA_ERR_NAME_LABEL_EMPTY, NULL},
	        {".a.", CAA_ERR_NAME_LABEL_EMPTY, NULL},
	        {"www.zombo.com.", CAA_OK, "www.zombo.com"},
	        {"www.zombo_com.com", CAA_ERR_NAME_CHAR, NULL},
	        {"\xef\xbb\xbf", CAA_ERR_NAME_CHAR, NULL}, /* BOM */
	        {"\xef\xbb\xbfwww.zombo.com", CAA_ERR_NAME_CHAR, NULL},
	        {"www.zom\xe2\x80\xae"
	         "bo.com",
	         CAA_ERR_NAME_CHAR, NULL}, /* right-to-left override */
	        {"\xe2\x80\xaewww.zombo.com", CAA_ERR_NAME_CHAR, NULL},
	        {"www.zom\xe2\x80\x8f"
	         "bo.com",
	         CAA_ERR_NAME_CHAR, NULL}, /* right-to-left mark */
	        {"\xe2\x80\x8fwww.zombo.com", CAA_ERR_NAME_CHAR, NULL},
	        {"www.zom_bo.com", CAA_ERR_NAME_CHAR, NULL},
	        {"zombocom", CAA_OK, "zombocom"},
	        {"localhost", CAA_OK, "localhost"},
	        /* Boulder lower-cases first (identifier.Normalize). */
	        {"CapitalizedLetters.com", CAA_OK, "capitalizedletters.com"},
	        /* Public-suffix policy is not applied. */
	        {"example.acting", CAA_OK, "example.acting"},
	        {"www.zombo.163", CAA_OK, "www.zombo.163"},
	        {"xn--109-3veba6djs1bfxlfmx6c9g.xn--f1awi.xn--p1ai",
	         CAA_ERR_NAME_PUNYCODE, NULL}, /* not in NFC */
	        {"bq--abwhky3f6fxq.jakacomo.com", CAA_ERR_NAME_RLDH, NULL},
	        {"bq---abwhky3f6fxq.jakacomo.com", CAA_ERR_NAME_RLDH, NULL},
	        {"h---test.hk2yz.org", CAA_ERR_NAME_RLDH, NULL},
	        {"co.uk", CAA_OK, "co.uk"},
	        /* TestWillingToIssue */
	        {"www.xn--m.com", CAA_ERR_NAME_PUNYCODE, NULL},
	        {"www.xn--mnich-kva.com", CAA_OK, "www.xn--mnich-kva.com"},
	        {"xn--example--3bhk5a.xn--p1ai", CAA_OK,
	         "xn--example--3bhk5a.xn--p1ai"},
	        {"lowvalue.website1.org", CAA_OK, NULL},
	        {"www.8675309.com", CAA_OK, NULL},
	        {"www.web-site2.com", CAA_OK, NULL},
	};

	RUN(cases);
}

/* What a user types instead of a name: URLs, lists, ports, addresses. */
Test(ident, not_a_hostname)
{
	static const struct ident_case cases[] = {
	        {"https://deny.caa.test/", CAA_ERR_NAME_CHAR, NULL},
	        {"deny.caa.test/path", CAA_ERR_NAME_CHAR, NULL},
	        {"www.caa.test,ok", CAA_ERR_NAME_CHAR, NULL},
	        {"www.caa.test:443", CAA_ERR_NAME_CHAR, NULL},
	        {"www caa.test", CAA_ERR_NAME_CHAR, NULL},
	        {"www.caa.test ", CAA_ERR_NAME_CHAR, NULL},
	        {"a\tb.test", CAA_ERR_NAME_CHAR, NULL},
	        {"a\\.test", CAA_ERR_NAME_CHAR, NULL},
	        {"_acme-challenge.caa.test", CAA_ERR_NAME_CHAR, NULL},
	        {"caa.test\"", CAA_ERR_NAME_CHAR, NULL},
	        {"192.0.2.1", CAA_ERR_NAME_IP, NULL},
	        {"192.0.2.1.", CAA_ERR_NAME_IP, NULL},
	        {"*.192.0.2.1", CAA_ERR_NAME_IP, NULL},
	        {"255.255.255.255", CAA_ERR_NAME_IP, NULL},
	        {"::1", CAA_ERR_NAME_IP, NULL},
	        {"::ffff:192.0.2.1", CAA_ERR_NAME_IP, NULL},
	        {"[::1]", CAA_ERR_NAME_IP, NULL},
	        {"fe80::1%eth0", CAA_ERR_NAME_IP, NULL},
	        {"2001:DB8::1", CAA_ERR_NAME_IP, NULL},
	        /* Not dotted quads (inet_pton, as Go's netip): names. */
	        {"192.0.2.256", CAA_OK, "192.0.2.256"},
	        {"192.0.2", CAA_OK, "192.0.2"},
	        {"192.0.2.01", CAA_OK, "192.0.2.01"},
	        {"1.2.3.4.5", CAA_OK, "1.2.3.4.5"},
	};

	RUN(cases);
}

Test(ident, lengths_dots_and_wildcards)
{
	char name[400];
	char label[70];
	struct caa_ident id;

	memset(label, 'a', 63);
	label[63] = '\0';
	/* 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253: the longest name. */
	(void)snprintf(name, sizeof(name), "%s.%s.%s.%.61s", label, label,
	               label, label);
	cr_assert_eq(strlen(name), 253);
	cr_assert_eq(caa_ident_check(name, &id), CAA_OK);
	cr_assert_str_eq(id.name, name);
	strcat(name, ".");
	cr_assert_eq(caa_ident_check(name, &id), CAA_OK, "a final dot");
	name[253] = 'a';
	cr_assert_eq(caa_ident_check(name, &id), CAA_ERR_NAME_LONG);
	/* "*." does not count: the name asked about is the rest. */
	(void)snprintf(name, sizeof(name), "*.%s.%s.%s.%.61s", label, label,
	               label, label);
	cr_assert_eq(caa_ident_check(name, &id), CAA_OK);
	cr_assert(id.wildcard);
	cr_assert_str_eq(id.name, name);
	cr_assert_str_eq(id.unicode, name);
	(void)snprintf(name, sizeof(name), "%s.test", label);
	cr_assert_eq(caa_ident_check(name, &id), CAA_OK, "63 octets");
	(void)snprintf(name, sizeof(name), "%sa.test", label);
	cr_assert_eq(caa_ident_check(name, &id), CAA_ERR_NAME_LABEL_LONG);
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	cr_assert_eq(caa_ident_check(name, &id), CAA_ERR_NAME_LONG);

	static const struct ident_case cases[] = {
	        {"*.caa.test", CAA_OK, "*.caa.test"},
	        {"*.CAA.test.", CAA_OK, "*.caa.test"},
	        {"*.", CAA_ERR_NAME_EMPTY, NULL},
	        {"*..", CAA_ERR_NAME_EMPTY, NULL}, /* "*." of "." */
	        {"*.*.caa.test", CAA_ERR_NAME_WILDCARDS, NULL},
	        {"a.*.caa.test", CAA_ERR_NAME_WILDCARD, NULL},
	        {"*a.caa.test", CAA_ERR_NAME_WILDCARD, NULL},
	        {"caa.test.*", CAA_ERR_NAME_WILDCARD, NULL},
	        {"test..", CAA_ERR_NAME_LABEL_EMPTY, NULL},
	        {".test", CAA_ERR_NAME_LABEL_EMPTY, NULL},
	        {"deny.caa.test", CAA_OK, "deny.caa.test"},
	        {"DENY.Caa.TEST", CAA_OK, "deny.caa.test"},
	        {"a-b.c--d.test", CAA_OK, "a-b.c--d.test"},
	        {"ab--c.test", CAA_ERR_NAME_RLDH, NULL},
	        {"XN--MNICH-KVA.test", CAA_OK, "xn--mnich-kva.test"},
	};

	RUN(cases);
}

/* xn-- labels: Punycode that does not decode, does not encode back to
 * itself, or decodes to a string not in NFC. */
Test(ident, punycode)
{
	static const struct ident_case cases[] = {
	        {"xn--mnich-kva.test", CAA_OK, "xn--mnich-kva.test"},
	        {"xn--4ca.test", CAA_OK, NULL},                  /* ä */
	        {"xn--zca.test", CAA_OK, NULL},                  /* ß */
	        {"xn--ls8h.test", CAA_OK, NULL},                 /* an emoji */
	        {"xn--i-7iq.test", CAA_OK, NULL},                /* i + heart */
	        {"xn--r8jz45g.xn--zckzah", CAA_OK, NULL},        /* Japanese */
	        {"xn--a-ccb.test", CAA_ERR_NAME_PUNYCODE, NULL}, /* a+U+0308 */
	        {"xn--a-ccb19239a.test", CAA_ERR_NAME_PUNYCODE, NULL},
	        {"xn--m.test", CAA_ERR_NAME_PUNYCODE, NULL},
	        {"xn--0.test", CAA_ERR_NAME_PUNYCODE, NULL},
	        {"xn---abc.test", CAA_ERR_NAME_PUNYCODE, NULL},
	        {"xn--99999999999.test", CAA_ERR_NAME_PUNYCODE, NULL},
	        {"xn--zzzzzzzzzzzzzzzzz.test", CAA_ERR_NAME_PUNYCODE, NULL},
	        /* A surrogate: decodes in Go to U+FFFD, no scalar value. */
	        {"xn--ib9b.test", CAA_ERR_NAME_PUNYCODE, NULL},
	        {"xn--a-rc4g.test", CAA_ERR_NAME_PUNYCODE, NULL},
	};

	RUN(cases);
}

/* Unicode names: UTS #46 mapping (case, width, NFC, ideographic dots)
 * to A-labels, both forms kept. */
Test(ident, unicode_to_alabels)
{
	struct caa_ident id;

	cr_assert_eq(caa_ident_check("M\xc3\xbcnich.DE", &id), CAA_OK);
	cr_assert_str_eq(id.name, "xn--mnich-kva.de");
	cr_assert_str_eq(id.unicode, "m\xc3\xbcnich.de");
	cr_assert_eq(caa_ident_check("xn--mnich-kva.de.", &id), CAA_OK);
	cr_assert_str_eq(id.unicode, "m\xc3\xbcnich.de");
	/* *.例え.テスト */
	cr_assert_eq(caa_ident_check("*.\xe4\xbe\x8b\xe3\x81\x88."
	                             "\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88",
	                             &id),
	             CAA_OK);
	cr_assert(id.wildcard);
	cr_assert_str_eq(id.name, "*.xn--r8jz45g.xn--zckzah");
	cr_assert_str_eq(id.unicode, "*.\xe4\xbe\x8b\xe3\x81\x88."
	                             "\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88");
	/* a + U+0308 is normalized to ä; ß stays (non-transitional). */
	cr_assert_eq(caa_ident_check("a\xcc\x88.test", &id), CAA_OK);
	cr_assert_str_eq(id.name, "xn--4ca.test");
	cr_assert_eq(caa_ident_check("fa\xc3\x9f.test", &id), CAA_OK);
	cr_assert_str_eq(id.name, "xn--fa-hia.test");
	/* Fullwidth letters and the ideographic full stop. */
	cr_assert_eq(caa_ident_check("\xef\xbd\x85\xef\xbd\x98.test"
	                             "\xe3\x80\x82",
	                             &id),
	             CAA_OK);
	cr_assert_str_eq(id.name, "ex.test");
	cr_assert_str_eq(id.unicode, "ex.test");

	static const struct ident_case cases[] = {
	        /* ASCII that the mapping would drop is refused first. */
	        {"ex ample.t\xc3\xa9st", CAA_ERR_NAME_CHAR, NULL},
	        {"https://d\xc3\xa9ny.caa.test/", CAA_ERR_NAME_CHAR, NULL},
	        {"\xc3\xbc:443.test", CAA_ERR_NAME_CHAR, NULL},
	        {"_\xc3\xbc.test", CAA_ERR_NAME_CHAR, NULL},
	        /* Fullwidth solidus maps to "/". */
	        {"caa.test\xef\xbc\x8fx.t\xc3\xa9st", CAA_ERR_NAME_CHAR, NULL},
	        /* Not UTF-8: a lone continuation, an overlong form, 0xff. */
	        {"\x80.test", CAA_ERR_NAME_CHAR, NULL},
	        {"\xc0\xae.test", CAA_ERR_NAME_CHAR, NULL},
	        {"a\xff.test", CAA_ERR_NAME_CHAR, NULL},
	        /* Invisible: soft hyphen, zero-width space and joiner. */
	        {"ex\xc2\xad"
	         "ample.test",
	         CAA_ERR_NAME_CHAR, NULL},
	        {"ex\xe2\x80\x8b"
	         "ample.test",
	         CAA_ERR_NAME_CHAR, NULL},
	        {"ex\xe2\x80\x8d"
	         "ample.test",
	         CAA_ERR_NAME_CHAR, NULL},
	        /* IDNA2008: disallowed code points, bidi, hyphens. */
	        {"\xe2\x98\x83.test", CAA_ERR_NAME_CHAR, NULL}, /* snowman */
	        {"a\xe2\x80\xa4"
	         "b.test",
	         CAA_ERR_NAME_CHAR, NULL}, /* one dot leader */
	        {"-\xc3\xbc.test", CAA_ERR_NAME_CHAR, NULL},
	        {"\xc3\xbc-.test", CAA_ERR_NAME_CHAR, NULL},
	        {"a..\xc3\xbc.test", CAA_ERR_NAME_LABEL_EMPTY, NULL},
	        {"*.*.\xc3\xbc.test", CAA_ERR_NAME_WILDCARDS, NULL},
	        {"\xc3\xbc.xn--m.test", CAA_ERR_NAME_PUNYCODE, NULL},
	};

	RUN(cases);
}

Test(ident, unicode_lengths)
{
	char name[1200];
	size_t len = 0;
	struct caa_ident id;

	/* 40 x ü is a 46-octet A-label; 60 x ü is over 63. */
	for (int i = 0; i < 40; i++) {
		len += (size_t)snprintf(name + len, sizeof(name) - len,
		                        "\xc3\xbc");
	}
	(void)snprintf(name + len, sizeof(name) - len, ".test");
	cr_assert_eq(caa_ident_check(name, &id), CAA_OK);
	cr_assert_eq(strlen(id.name), 46 + 5);
	len = 0;
	for (int i = 0; i < 60; i++) {
		len += (size_t)snprintf(name + len, sizeof(name) - len,
		                        "\xc3\xbc");
	}
	(void)snprintf(name + len, sizeof(name) - len, ".test");
	cr_assert_eq(caa_ident_check(name, &id), CAA_ERR_NAME_LABEL_LONG);
	/* Over CAA_IDENT_INPUT_MAX octets: too long whatever it holds. */
	len = 0;
	while (len + 3 < sizeof(name)) {
		name[len++] = 'a';
		name[len++] = '.';
	}
	name[len - 1] = '\0';
	cr_assert_eq(caa_ident_check(name, &id), CAA_ERR_NAME_LONG);
}

Test(ident, arguments_and_messages)
{
	struct caa_ident id;

	cr_assert_eq(caa_ident_check(NULL, &id), CAA_ERR_ARG);
	cr_assert_eq(caa_ident_check("a.test", NULL), CAA_ERR_ARG);
	/* Boulder policy/pa.go, word for word. */
	cr_assert_str_eq(caa_strerror(CAA_ERR_NAME_CHAR),
	                 "Domain name contains an invalid character");
	cr_assert_str_eq(caa_strerror(CAA_ERR_NAME_LABEL_EMPTY),
	                 "Domain name can not have two dots in a row");
	cr_assert_str_eq(caa_strerror(CAA_ERR_NAME_LABEL_LONG),
	                 "Domain has a label (component between dots) longer "
	                 "than 63 bytes");
	cr_assert_str_eq(caa_strerror(CAA_ERR_NAME_LONG),
	                 "Domain name is longer than 253 bytes");
	cr_assert_str_eq(caa_strerror(CAA_ERR_NAME_IP),
	                 "Identifier type is DNS but value is an IP address");
	cr_assert_str_eq(caa_strerror(CAA_ERR_NAME_WILDCARD),
	                 "Domain name contains an invalid wildcard. A wildcard "
	                 "is only permitted before the first dot in a domain "
	                 "name");
	cr_assert_str_eq(caa_strerror(CAA_ERR_NAME_PUNYCODE),
	                 "Domain name contains malformed punycode");
	cr_assert_str_eq(caa_strerror(CAA_ERR_NAME_WILDCARDS),
	                 "Domain name has more than one wildcard");
	cr_assert_str_eq(caa_strerror(CAA_ERR_NAME_EMPTY),
	                 "Identifier value (name) is empty");
	cr_assert_str_eq(caa_strerror(CAA_ERR_NAME_RLDH),
	                 "Domain name contains an invalid label in a reserved "
	                 "format (R-LDH: '?\?--')");
	cr_assert_str_eq(caa_verdict_name(CAA_INVALID), "invalid");
	cr_assert_eq((int)CAA_INVALID, 3, "the exit status of an invalid name");
}

/* S[0..LEN) as caa_utf8_next() reads it, and as libidn2 (libunistring's
 * u8_to_u32 inside idn2_to_unicode_8z4z) reads it: both refuse it, or
 * both give the same code points.  No ".", no NUL, no "xn--": libidn2
 * would split or decode. */
static void
utf8_compare(const unsigned char *s, size_t len)
{
	char z[16];
	uint32_t mine[16];
	uint32_t *theirs = NULL;
	size_t n = 0;
	bool ok = true;
	int rc;

	for (size_t i = 0; i < len && ok;) {
		size_t k = caa_utf8_next(s + i, len - i, &mine[n]);

		ok = k > 0;
		n += ok;
		i += k;
	}
	memcpy(z, s, len);
	z[len] = '\0';
	rc = idn2_to_unicode_8z4z(z, &theirs, 0);
	cr_assert(rc == IDN2_OK || rc == IDN2_ENCODING_ERROR, "%s",
	          idn2_strerror_name(rc));
	cr_assert_eq(ok, rc == IDN2_OK, "%zu octets from %02x %02x: %s", len,
	             s[0], len > 1 ? s[1] : 0, idn2_strerror_name(rc));
	for (size_t i = 0; ok && i <= n; i++) {
		cr_assert_eq(i < n ? mine[i] : 0, theirs[i], "%02x %02x: %zu",
		             s[0], len > 1 ? s[1] : 0, i);
	}
	free(theirs);
}

static uint32_t
xorshift(uint32_t *r)
{
	*r ^= *r << 13;
	*r ^= *r >> 17;
	*r ^= *r << 5;
	return *r;
}

/* The UTF-8 decoder (written out: libidn2 converts only whole names)
 * against libidn2: every one- and two-octet string, every three- and
 * four-octet one with the third and fourth octets at the edges, and
 * random strings of the octets that decide. */
Test(ident, utf8_as_libidn2)
{
	static const unsigned char edge[] = {
	        'a', 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff,
	};
	static const unsigned char pick[] = {
	        'a',  '-',  0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf,
	        0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee,
	        0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xf7, 0xf8, 0xff,
	};
	unsigned char s[8];
	uint32_t r = 2463534242u;

	for (unsigned a = 1; a < 256; a++) {
		s[0] = (unsigned char)a;
		if (a == '.') {
			continue;
		}
		utf8_compare(s, 1);
		for (unsigned b = 1; b < 256; b++) {
			s[1] = (unsigned char)b;
			if (b == '.') {
				continue;
			}
			utf8_compare(s, 2);
			for (size_t c = 0; a >= 0xe0 && c < sizeof(edge); c++) {
				s[2] = edge[c];
				utf8_compare(s, 3);
				for (size_t d = 0;
				     a >= 0xf0 && d < sizeof(edge); d++) {
					s[3] = edge[d];
					utf8_compare(s, 4);
				}
			}
		}
	}
	for (int i = 0; i < 200000; i++) {
		size_t len = 1 + xorshift(&r) % sizeof(s);

		for (size_t j = 0; j < len; j++) {
			s[j] = pick[xorshift(&r) % sizeof(pick)];
		}
		utf8_compare(s, len);
	}
}
