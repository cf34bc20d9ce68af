/*
 * tests/unit/test_tlsalpn.c -- the TLS-ALPN-01 challenge certificate
 * (RFC 8737 section 3): the one dNSName, the critical acmeIdentifier with
 * the DER OCTET STRING of SHA-256(key authorization), self-signed; and
 * the ClientHello extension parsers.
 */
#include <criterion/criterion.h>

#include <string.h>

#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "tlsalpn_cert.h"
#include "tlsalpn_hello.h"

static EVP_PKEY *test_key;

static void
test_setup(void)
{
	test_key = tlsalpn_key_new();
	cr_assert_not_null(test_key);
}

static void
test_teardown(void)
{
	EVP_PKEY_free(test_key);
}

/* The certificate for HOST and the key authorization KA. */
static X509 *
test_cert(const char *host, const char *ka)
{
	uint8_t digest[TLSALPN_DIGEST_LEN];

	cr_assert_eq(tlsalpn_digest(ka, strlen(ka), digest), 0);
	return tlsalpn_cert_build(test_key, host, strlen(host), digest);
}

TestSuite(tlsalpn, .init = test_setup, .fini = test_teardown);

Test(tlsalpn, digest_is_sha256)
{
	/* SHA-256("abc"), FIPS 180-2 appendix B.1 */
	static const uint8_t want[TLSALPN_DIGEST_LEN] = {
	        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
	        0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
	        0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
	        0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
	uint8_t got[TLSALPN_DIGEST_LEN];

	cr_assert_eq(tlsalpn_digest("abc", 3, got), 0);
	cr_assert_arr_eq(got, want, sizeof(want));
}

Test(tlsalpn, acme_identifier_is_critical_octet_string_of_digest)
{
	X509 *x = test_cert("a.example.test", "token.thumbprint");
	ASN1_OBJECT *oid = OBJ_txt2obj(TLSALPN_OID, 1);
	uint8_t want[2 + TLSALPN_DIGEST_LEN] = {0x04, 0x20};
	const X509_EXTENSION *ext;
	const ASN1_OCTET_STRING *data;
	int at;

	cr_assert_not_null(x);
	cr_assert_eq(tlsalpn_digest("token.thumbprint", 16, want + 2), 0);
	at = X509_get_ext_by_OBJ(x, oid, -1);
	cr_assert_geq(at, 0, "no acmeIdentifier extension");
	cr_assert_eq(X509_get_ext_by_OBJ(x, oid, at), -1, "two of them");
	ext = X509_get_ext(x, at);
	cr_assert_eq(X509_EXTENSION_get_critical(ext), 1);
	data = X509_EXTENSION_get_data((X509_EXTENSION *)ext);
	cr_assert_eq(ASN1_STRING_length(data), (int)sizeof(want));
	cr_assert_arr_eq(ASN1_STRING_get0_data(data), want, sizeof(want));
	ASN1_OBJECT_free(oid);
	X509_free(x);
}

Test(tlsalpn, san_is_the_one_dns_name)
{
	X509 *x = test_cert("Mixed.Example.Test", "ka");
	int crit = -1;
	GENERAL_NAMES *names =
	        X509_get_ext_d2i(x, NID_subject_alt_name, &crit, NULL);
	const GENERAL_NAME *gn;
	const ASN1_IA5STRING *dns;
	int type = -1;

	cr_assert_not_null(names);
	cr_assert_eq(crit, 1, "SAN critical: the subject is empty");
	cr_assert_eq(sk_GENERAL_NAME_num(names), 1);
	gn = sk_GENERAL_NAME_value(names, 0);
	dns = GENERAL_NAME_get0_value(gn, &type);
	cr_assert_eq(type, GEN_DNS);
	cr_assert_eq(ASN1_STRING_length(dns), 18);
	cr_assert_arr_eq(ASN1_STRING_get0_data(dns), "Mixed.Example.Test", 18);
	cr_assert_eq(X509_NAME_entry_count(X509_get_subject_name(x)), 0);
	GENERAL_NAMES_free(names);
	X509_free(x);
}

Test(tlsalpn, self_signed_v3_with_the_key)
{
	X509 *x = test_cert("example.test", "ka");
	const ASN1_INTEGER *serial;

	cr_assert_not_null(x);
	cr_assert_eq(X509_get_version(x), X509_VERSION_3);
	serial = X509_get0_serialNumber(x);
	cr_assert_eq(ASN1_INTEGER_get(serial), TLSALPN_SERIAL);
	cr_assert_eq(X509_verify(x, test_key), 1, "not signed with the key");
	cr_assert_eq(X509_check_private_key(x, test_key), 1);
	cr_assert_eq(X509_NAME_cmp(X509_get_issuer_name(x),
	                           X509_get_subject_name(x)),
	             0);
	cr_assert_lt(X509_cmp_current_time(X509_get0_notBefore(x)), 0);
	cr_assert_gt(X509_cmp_current_time(X509_get0_notAfter(x)), 0);
	X509_free(x);
}

Test(tlsalpn, host_out_of_range_is_refused)
{
	uint8_t digest[TLSALPN_DIGEST_LEN] = {0};
	char big[257];
	X509 *x;

	memset(big, 'a', sizeof(big));
	cr_assert_null(tlsalpn_cert_build(test_key, "", 0, digest));
	cr_assert_null(tlsalpn_cert_build(test_key, big, 256, digest));
	x = tlsalpn_cert_build(test_key, big, 255, digest);
	cr_assert_not_null(x, "255 octets, the most an SNI holds here");
	X509_free(x);
}

/* The ClientHello extensions (tlsalpn_hello.c). */

Test(tlsalpn_hello, sni_host_name_found)
{
	static const uint8_t ext[] = "\x00\x0f\x00\x00\x0c"
	                             "example.test";
	const uint8_t *name = NULL;
	size_t len = 0;

	cr_assert_eq(tlsalpn_sni_parse(ext, sizeof(ext) - 1, &name, &len), 0);
	cr_assert_eq(len, 12);
	cr_assert_arr_eq(name, "example.test", 12);
}

Test(tlsalpn_hello, sni_lengths_beyond_the_data_refused)
{
	static const uint8_t list_long[] = "\x00\x10\x00\x00\x0c"
	                                   "example.test";
	static const uint8_t name_long[] = "\x00\x0f\x00\x00\x0d"
	                                   "example.test";
	const uint8_t *name = NULL;
	size_t len = 0;

	cr_assert_eq(tlsalpn_sni_parse(list_long, sizeof(list_long) - 1, &name,
	                               &len),
	             -1);
	cr_assert_eq(tlsalpn_sni_parse(name_long, sizeof(name_long) - 1, &name,
	                               &len),
	             -1);
	cr_assert_eq(tlsalpn_sni_parse(name_long, 1, &name, &len), -1);
}

Test(tlsalpn_hello, alpn_counts_names)
{
	static const uint8_t one[] = "\x00\x0b\x0a"
	                             "acme-tls/1";
	static const uint8_t two[] = "\x00\x0e\x02h2\x0a"
	                             "acme-tls/1";

	cr_assert_eq(tlsalpn_alpn_parse(one, sizeof(one) - 1), 1);
	cr_assert_eq(tlsalpn_alpn_parse(two, sizeof(two) - 1), 2);
}

Test(tlsalpn_hello, alpn_malformed_refused)
{
	static const uint8_t empty_list[] = "\x00\x00";
	static const uint8_t empty_name[] = "\x00\x01\x00";
	static const uint8_t name_long[] = "\x00\x03\x05h2x";

	cr_assert_eq(tlsalpn_alpn_parse(empty_list, 2), -1);
	cr_assert_eq(tlsalpn_alpn_parse(empty_name, 3), -1);
	cr_assert_eq(tlsalpn_alpn_parse(name_long, 5), -1);
}

Test(tlsalpn_hello, event_keeps_whole_entries_only)
{
	uint8_t ext[2 + 2 * 201];
	struct tlsalpn_event e;

	/* Two names of 200 octets: only the first fits in 255. */
	ext[0] = 0x01;
	ext[1] = (uint8_t)(sizeof(ext) - 2 - 256);
	ext[2] = 200;
	memset(ext + 3, 'a', 200);
	ext[203] = 200;
	memset(ext + 204, 'b', 200);
	cr_assert_eq(tlsalpn_alpn_parse(ext, sizeof(ext)), 2);
	memset(&e, 0, sizeof(e));
	tlsalpn_event_fill(&e, (const uint8_t *)"x.test", 6, ext, sizeof(ext));
	cr_assert(e.has_alpn);
	cr_assert_eq(e.alpnlen, 201);
	cr_assert_str_eq(e.name, "x.test");
}
