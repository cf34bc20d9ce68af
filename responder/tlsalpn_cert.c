/*
 * responder/tlsalpn_cert.c -- the TLS-ALPN-01 challenge certificate
 * (RFC 8737 section 3) and its key.
 */
#include "tlsalpn_cert.h"

#include <string.h>

#include <openssl/asn1.h>
#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#define TLSALPN_VALID_BEFORE (60L * 60)          /* 1 h: clocks drift */
#define TLSALPN_VALID_AFTER  (7L * 24 * 60 * 60) /* 7 days */

EVP_PKEY *
tlsalpn_key_new(void)
{
	return EVP_EC_gen("P-256");
}

int
tlsalpn_digest(const void *content, size_t len, uint8_t *digest)
{
	unsigned int n = 0;

	if (EVP_Digest(content, len, digest, &n, EVP_sha256(), NULL) != 1 ||
	    n != TLSALPN_DIGEST_LEN) {
		return -1;
	}
	return 0;
}

/* The critical subjectAltName with the one dNSName HOST; 0 or -1. */
static int
tlsalpn_cert_san(X509 *x, const char *host, size_t hostlen)
{
	GENERAL_NAMES *names = sk_GENERAL_NAME_new_null();
	GENERAL_NAME *gn = GENERAL_NAME_new();
	ASN1_IA5STRING *ia5 = ASN1_IA5STRING_new();
	int rc = -1;

	if (names == NULL || gn == NULL || ia5 == NULL ||
	    ASN1_STRING_set(ia5, host, (int)hostlen) != 1) {
		goto out;
	}
	GENERAL_NAME_set0_value(gn, GEN_DNS, ia5);
	ia5 = NULL; /* GN's now */
	if (sk_GENERAL_NAME_push(names, gn) <= 0) {
		goto out;
	}
	gn = NULL; /* NAMES' now */
	if (X509_add1_ext_i2d(x, NID_subject_alt_name, names, 1,
	                      X509V3_ADD_DEFAULT) == 1) {
		rc = 0;
	}
out:
	ASN1_IA5STRING_free(ia5);
	GENERAL_NAME_free(gn);
	GENERAL_NAMES_free(names);
	return rc;
}

/*
 * The critical acmeIdentifier: its extnValue holds the DER of
 *   Authorization ::= OCTET STRING (SIZE (32))
 * that is 04 20 followed by DIGEST (RFC 8737 section 3).  0 or -1.
 */
static int
tlsalpn_cert_acme(X509 *x, const uint8_t *digest)
{
	uint8_t der[2 + TLSALPN_DIGEST_LEN] = {V_ASN1_OCTET_STRING,
	                                       TLSALPN_DIGEST_LEN};
	ASN1_OBJECT *oid = OBJ_txt2obj(TLSALPN_OID, 1);
	ASN1_OCTET_STRING *value = ASN1_OCTET_STRING_new();
	X509_EXTENSION *ext = NULL;
	int rc = -1;

	memcpy(der + 2, digest, TLSALPN_DIGEST_LEN);
	if (oid == NULL || value == NULL ||
	    ASN1_OCTET_STRING_set(value, der, (int)sizeof(der)) != 1) {
		goto out;
	}
	ext = X509_EXTENSION_create_by_OBJ(NULL, oid, 1, value);
	if (ext != NULL && X509_add_ext(x, ext, -1) == 1) {
		rc = 0;
	}
out:
	X509_EXTENSION_free(ext);
	ASN1_OCTET_STRING_free(value);
	ASN1_OBJECT_free(oid);
	return rc;
}

X509 *
tlsalpn_cert_build(EVP_PKEY *key, const char *host, size_t hostlen,
                   const uint8_t *digest)
{
	X509 *x = NULL;

	if (hostlen == 0 || hostlen > 255) {
		return NULL;
	}
	x = X509_new();
	/* Subject and issuer stay empty, as challtestsrv's. */
	if (x == NULL || X509_set_version(x, X509_VERSION_3) != 1 ||
	    ASN1_INTEGER_set(X509_get_serialNumber(x), TLSALPN_SERIAL) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -TLSALPN_VALID_BEFORE) ==
	            NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), TLSALPN_VALID_AFTER) ==
	            NULL ||
	    X509_set_pubkey(x, key) != 1 ||
	    tlsalpn_cert_san(x, host, hostlen) != 0 ||
	    tlsalpn_cert_acme(x, digest) != 0 ||
	    X509_sign(x, key, EVP_sha256()) <= 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}
