/*
 * responder/tlsalpn.h -- the TLS-ALPN-01 challenge server (RFC 8737) of
 * pebble-challtestsrv, on --tlsalpn01 ADDR:PORT.
 *
 * A TLS listener (OpenSSL through libevent's bufferevent_openssl) in the
 * event loop.  A ClientHello that offers exactly one ALPN protocol,
 * "acme-tls/1", and names in its SNI a host that has a challenge
 * (/add-tlsalpn01) gets acme-tls/1 and that host's challenge certificate
 * (tlsalpn_cert.h), made for the handshake with the one EC P-256 key made
 * at start; once the handshake is done the server sends close_notify and
 * closes.  Any other ClientHello fails the handshake, as challtestsrv's:
 * ALPN without acme-tls/1 with the alert no_application_protocol, no
 * ALPN, more than one protocol or an unknown host with internal_error.
 * TLS 1.2 and 1.3; no session resumption.
 *
 * Every ClientHello is also kept in a request history (what
 * /tlsalpn01-request-history reads): its SNI ("" without one) and the
 * protocols it offers (none without ALPN).  Hosts are matched without
 * regard to ASCII case; a host given to the API may end in a dot.
 *
 * Bounds: TLSALPN_HOSTS_MAX challenges, TLSALPN_HISTORY_MAX history
 * entries (the oldest goes first), TLSALPN_CONNS_MAX connections at once
 * (more are closed at accept) and TLSALPN_TIMEOUT_MS for a handshake.
 */
#ifndef RESPONDER_TLSALPN_H
#define RESPONDER_TLSALPN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct net_listen;

#define TLSALPN_PROTO       "acme-tls/1"
#define TLSALPN_ADDRS_MAX   16
#define TLSALPN_HOST_MAX    253  /* octets of a host, without a dot */
#define TLSALPN_CONTENT_MAX 4096 /* octets of a key authorization */
#define TLSALPN_HOSTS_MAX   1000 /* challenges at once */
#define TLSALPN_HISTORY_MAX 1000 /* ClientHellos remembered */
#define TLSALPN_SNI_MAX     255  /* octets of an SNI kept */
#define TLSALPN_ALPN_MAX    255  /* octets of the ALPN list kept */
#define TLSALPN_CONNS_MAX   256
#define TLSALPN_TIMEOUT_MS  5000

/* One ClientHello seen, for the history. */
struct tlsalpn_event {
	char name[TLSALPN_SNI_MAX + 1]; /* SNI, NUL-terminated; "" none */
	size_t namelen;                 /* octets of NAME (it may hold NULs) */
	bool has_alpn;  /* the ClientHello had the ALPN extension */
	size_t alpnlen; /* ALPN[0..ALPNLEN): whole entries, length first */
	uint8_t alpn[TLSALPN_ALPN_MAX];
};

struct tlsalpn;

/*
 * Make the key, bind ADDR[0..N) (an optional address that cannot be bound
 * is left out with a warning) and serve on BASE.  Returns a new server
 * (free with tlsalpn_free()), or NULL with ERR filled.
 */
struct tlsalpn *tlsalpn_new(struct event_base *base,
                            const struct net_listen *addr, size_t n, char *err,
                            size_t errlen);

/* Close the listeners and every connection and free T.  Accepts NULL. */
void tlsalpn_free(struct tlsalpn *t);

/*
 * "127.0.0.1:5001": the addresses bound, separated by " tlsalpn01=".
 * Returns the length it needs, as snprintf does.
 */
size_t tlsalpn_address_format(const struct tlsalpn *t, char *buf, size_t cap);

/*
 * Serve a challenge for HOST (1 to TLSALPN_HOST_MAX octets from 0x21 to
 * 0x7e, plus an optional final dot) with the key authorization
 * CONTENT[0..LEN), replacing HOST's.  Returns 0, -EINVAL (a bad host),
 * -ENOSPC (TLSALPN_HOSTS_MAX hosts already) or -ENOMEM.
 */
int tlsalpn_challenge_set(struct tlsalpn *t, const char *host,
                          const void *content, size_t len);

/* Stop serving HOST's challenge; true if it had one. */
bool tlsalpn_challenge_del(struct tlsalpn *t, const char *host);

/* The history, oldest first: how many, and entry I (< the count). */
size_t tlsalpn_history_count(const struct tlsalpn *t);
const struct tlsalpn_event *tlsalpn_history_get(const struct tlsalpn *t,
                                                size_t i);

/* True if E's SNI is HOST (a final dot of HOST ignored, case folded). */
bool tlsalpn_event_matches(const struct tlsalpn_event *e, const char *host);

/* Forget the history of HOST; returns how many entries went. */
size_t tlsalpn_history_clear(struct tlsalpn *t, const char *host);

#endif /* RESPONDER_TLSALPN_H */
