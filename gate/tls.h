/*
 * gate/tls.h -- the gate's TLS contexts: the certificate it serves (given,
 * or self-signed at start) and the trust it puts in the upstream.
 *
 * OpenSSL only; sockets and libevent are listen.c's and relay.c's.  Errors
 * name the file and OpenSSL's reason, e.g.
 * "cert.pem: cannot read the certificate (no start line)".
 */
#ifndef GATE_TLS_H
#define GATE_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

/*
 * The listener's context: CERT (a PEM chain, leaf first) and KEY, or, if
 * both are NULL, a new P-256 key and a self-signed certificate for
 * localhost, 127.0.0.1 and ::1, valid from an hour ago for a year.
 * Returns a new context (SSL_CTX_free()), or NULL with a message in
 * ERR[0..ERRLEN).
 */
SSL_CTX *tls_server_new(const char *cert, const char *key, char *err,
                        size_t errlen);

/*
 * The upstream's context: peers are verified against the certificates of
 * CA_FILE (PEM), or the system's trust store when it is NULL.  Returns a
 * new context, or NULL with a message in ERR[0..ERRLEN).
 */
SSL_CTX *tls_client_new(const char *ca_file, char *err, size_t errlen);

/*
 * Makes SSL (of tls_client_new()'s context) check that the peer is HOST:
 * an IP address literal against the certificate's IP addresses, a name
 * against its DNS names (and sent as SNI).  The first verification error
 * (X509_V_ERR_*) is written to *VERIFY_ERR, which must outlive SSL: the
 * handshake's own result is gone once libevent resets the connection.
 * Returns 0 or -1.
 */
int tls_client_expect(SSL *ssl, const char *host, long *verify_err);

/*
 * Writes the certificate CTX serves, and its chain, to PATH (PEM).
 * Returns 0, or -1 with a message in ERR[0..ERRLEN).
 */
int tls_cert_write(SSL_CTX *ctx, const char *path, char *err, size_t errlen);

/* OpenSSL's reason for error E, in BUF[0..LEN); returns BUF. */
const char *tls_reason(unsigned long e, char *buf, size_t len);

#endif /* GATE_TLS_H */
