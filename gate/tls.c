/*
 * gate/tls.c -- the gate's TLS contexts: the certificate it serves (given,
 * or self-signed at start) and the trust it puts in the upstream.
 */
#include "tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#define TLS_SELF_NAME  "caa-gate localhost"
#define TLS_SELF_SAN   "DNS:localhost,IP:127.0.0.1,IP:::1"
#define TLS_SELF_DAYS  365

const char *
tls_reason(unsigned long e, char *buf, size_t len)
{
	const char *r = ERR_reason_error_string(e);

	if (r != NULL) {
		(void)snprintf(buf, len, "%s", r);
	} else if (e != 0) {
		ERR_error_string_n(e, buf, len);
	} else {
		(void)snprintf(buf, len, "unknown reason");
	}
	return buf;
}

/*
 * "[FILE: ]WHAT (REASON)" into ERR, and the error queue emptied.  REASON is
 * the system's when FILE cannot be opened (OpenSSL only says "system
 * lib"), else OpenSSL's.
 */
static void
tls_fail(char *err, size_t errlen, const char *file, const char *what)
{
	char why[256];
	FILE *f = file != NULL ? fopen(file, "r") : NULL;

	if (file != NULL && f == NULL) {
		(void)snprintf(why, sizeof(why), "%s", strerror(errno));
	} else {
		(void)tls_reason(ERR_peek_last_error(), why, sizeof(why));
	}
	if (f != NULL) {
		(void)fclose(f);
	}
	ERR_clear_error();
	if (file != NULL) {
		(void)snprintf(err, errlen, "%s: %s (%s)", file, what, why);
	} else {
		(void)snprintf(err, errlen, "%s (%s)", what, why);
	}
}

static int
tls_add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	if (ext == NULL) {
		return -1;
	}
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

/*
 * A self-signed certificate for the loopback names.  It is its own trust
 * anchor (clients are given it with --cert-out), hence CA:TRUE.
 */
static int
tls_self_signed(SSL_CTX *ctx, char *err, size_t errlen)
{
	EVP_PKEY *pkey = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	BIGNUM *serial = BN_new();
	X509_NAME *name;
	int rc = -1;

	if (pkey == NULL || x == NULL || serial == NULL ||
	    !BN_rand(serial, 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
	    BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) == NULL ||
	    !X509_set_version(x, 2) ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x),
	                    (long)TLS_SELF_DAYS * 86400) == NULL ||
	    !X509_set_pubkey(x, pkey)) {
		tls_fail(err, errlen, NULL, "cannot make a certificate");
		goto out;
	}
	name = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	                                (const unsigned char *)TLS_SELF_NAME,
	                                -1, -1, 0) ||
	    !X509_set_issuer_name(x, name) ||
	    tls_add_ext(x, NID_subject_alt_name, TLS_SELF_SAN) != 0 ||
	    tls_add_ext(x, NID_basic_constraints, "critical,CA:TRUE") != 0 ||
	    tls_add_ext(x, NID_key_usage,
	                "critical,digitalSignature,keyCertSign") != 0 ||
	    tls_add_ext(x, NID_ext_key_usage, "serverAuth") != 0 ||
	    tls_add_ext(x, NID_subject_key_identifier, "hash") != 0 ||
	    !X509_sign(x, pkey, EVP_sha256())) {
		tls_fail(err, errlen, NULL, "cannot sign a certificate");
		goto out;
	}
	if (SSL_CTX_use_certificate(ctx, x) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, pkey) != 1) {
		tls_fail(err, errlen, NULL, "cannot use the certificate");
		goto out;
	}
	rc = 0;
out:
	BN_free(serial);
	X509_free(x);
	EVP_PKEY_free(pkey);
	return rc;
}

SSL_CTX *
tls_server_new(const char *cert, const char *key, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL) {
		tls_fail(err, errlen, NULL, "cannot make a TLS context");
		return NULL;
	}
	(void)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (cert == NULL) {
		if (tls_self_signed(ctx, err, errlen) != 0) {
			goto fail;
		}
		return ctx;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		tls_fail(err, errlen, cert, "cannot read the certificate");
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		tls_fail(err, errlen, key, "cannot read the key");
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		tls_fail(err, errlen, key, "the key does not match --cert");
		goto fail;
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

/* OpenSSL's verify callback: keeps the first error where the SSL says. */
static int
tls_verify_note(int ok, X509_STORE_CTX *store)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(
	        store, SSL_get_ex_data_X509_STORE_CTX_idx());
	long *note = ssl != NULL ? SSL_get_app_data(ssl) : NULL;

	if (!ok && note != NULL && *note == X509_V_OK) {
		*note = X509_STORE_CTX_get_error(store);
	}
	return ok;
}

SSL_CTX *
tls_client_new(const char *ca_file, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL) {
		tls_fail(err, errlen, NULL, "cannot make a TLS context");
		return NULL;
	}
	(void)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, tls_verify_note);
	if (ca_file != NULL) {
		if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
			tls_fail(err, errlen, ca_file,
			         "cannot read the CA certificates");
			goto fail;
		}
	} else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
		tls_fail(err, errlen, NULL, "no system trust store");
		goto fail;
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

int
tls_client_expect(SSL *ssl, const char *host, long *verify_err)
{
	unsigned char addr[sizeof(struct in6_addr)];
	X509_VERIFY_PARAM *param = SSL_get0_param(ssl);

	*verify_err = X509_V_OK;
	if (SSL_set_app_data(ssl, verify_err) != 1) {
		return -1;
	}
	if (inet_pton(AF_INET, host, addr) == 1 ||
	    inet_pton(AF_INET6, host, addr) == 1) {
		return X509_VERIFY_PARAM_set1_ip_asc(param, host) == 1 ? 0
		                                                        : -1;
	}
	if (SSL_set_tlsext_host_name(ssl, host) != 1 ||
	    SSL_set1_host(ssl, host) != 1) {
		return -1;
	}
	return 0;
}

int
tls_cert_write(SSL_CTX *ctx, const char *path, char *err, size_t errlen)
{
	X509 *leaf = SSL_CTX_get0_certificate(ctx);
	STACK_OF(X509) *chain = NULL;
	FILE *f = fopen(path, "w");
	int ok;

	if (f == NULL) {
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	ok = leaf != NULL && PEM_write_X509(f, leaf) == 1;
	if (ok && SSL_CTX_get0_chain_certs(ctx, &chain) == 1 &&
	    chain != NULL) {
		for (int i = 0; ok && i < sk_X509_num(chain); i++) {
			ok = PEM_write_X509(f, sk_X509_value(chain, i)) == 1;
		}
	}
	if (fclose(f) != 0 || !ok) {
		(void)snprintf(err, errlen, "%s: cannot write the certificate",
		               path);
		return -1;
	}
	return 0;
}
