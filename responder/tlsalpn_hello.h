/*
 * responder/tlsalpn_hello.h -- the two ClientHello extensions the
 * TLS-ALPN-01 server reads, parsed with bounds: server_name (RFC 6066
 * section 3) and application_layer_protocol_negotiation (RFC 7301 section
 * 3.1).  Bytes in, no OpenSSL, so tests and fuzz_tlsalpn call them.
 */
#ifndef RESPONDER_TLSALPN_HELLO_H
#define RESPONDER_TLSALPN_HELLO_H

#include <stddef.h>
#include <stdint.h>

#include "tlsalpn.h"

/*
 * The first host_name of the server_name extension data P[0..LEN).
 * Returns 0 with *NAME (pointing into P) and *NAMELEN (1 or more), or -1
 * when it does not parse or holds no host_name.
 */
int tlsalpn_sni_parse(const uint8_t *p, size_t len, const uint8_t **name,
                      size_t *namelen);

/*
 * The ALPN extension data P[0..LEN): returns how many protocol names it
 * lists (1 or more), or -1 when it does not parse (an empty list or an
 * empty name included).
 */
int tlsalpn_alpn_parse(const uint8_t *p, size_t len);

/*
 * Fill E (zeroed) with SNI[0..SNILEN) (cut at TLSALPN_SNI_MAX) and the
 * names of the ALPN extension data ALPN[0..ALPNLEN), which
 * tlsalpn_alpn_parse() accepted, or NULL for none: the whole entries that
 * fit in E->alpn.
 */
void tlsalpn_event_fill(struct tlsalpn_event *e, const uint8_t *sni,
                        size_t snilen, const uint8_t *alpn, size_t alpnlen);

#endif /* RESPONDER_TLSALPN_HELLO_H */
