/*
 * responder/tlsalpn_cert.h -- the TLS-ALPN-01 challenge certificate of
 * RFC 8737 section 3, and the key it is made with.
 *
 * The certificate is what pebble-challtestsrv presents: self-signed, X.509
 * v3, serial 1729, an empty subject and issuer, a critical subjectAltName
 * (critical because the subject is empty, RFC 5280 4.2.1.6) holding the
 * one dNSName HOST, and the critical id-pe-acmeIdentifier extension
 * (1.3.6.1.5.5.7.1.31) whose value is the DER OCTET STRING of
 * SHA-256(key authorization).  It is valid from an hour before it is made
 * for seven days, and signed with ECDSA P-256 and SHA-256.
 */
#ifndef RESPONDER_TLSALPN_CERT_H
#define RESPONDER_TLSALPN_CERT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#define TLSALPN_DIGEST_LEN 32                   /* SHA-256 */
#define TLSALPN_OID        "1.3.6.1.5.5.7.1.31" /* id-pe-acmeIdentifier */
#define TLSALPN_SERIAL     1729                 /* challtestsrv's */

/* A new EC P-256 key (free with EVP_PKEY_free()), or NULL. */
EVP_PKEY *tlsalpn_key_new(void);

/*
 * SHA-256 of CONTENT[0..LEN) into DIGEST (TLSALPN_DIGEST_LEN octets).
 * Returns 0, or -1 if OpenSSL failed.
 */
int tlsalpn_digest(const void *content, size_t len, uint8_t *digest);

/*
 * The challenge certificate for HOST[0..HOSTLEN) (1 to 255 octets, any of
 * them) with the acmeIdentifier DIGEST, signed with KEY (borrowed).
 * Returns a new certificate (free with X509_free()), or NULL when HOSTLEN
 * is out of range or OpenSSL failed.
 */
X509 *tlsalpn_cert_build(EVP_PKEY *key, const char *host, size_t hostlen,
                         const uint8_t *digest);

#endif /* RESPONDER_TLSALPN_CERT_H */
