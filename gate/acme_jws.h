/*
 * gate/acme_jws.h -- the JWS of an ACME request, read, never altered.
 *
 * RFC 8555 section 6.2: every POST carries a JWS in the flattened JSON
 * serialization (RFC 7515 section 7.2.2).  The gate reads two things from
 * it: the account URL in the protected header's "kid" (the RFC 8657
 * accounturi) and whether the payload is empty (a POST-as-GET, section
 * 6.3).  The signature is the upstream's to check.  Pure: bytes in, no
 * sockets, so unit tests and tests/fuzz/fuzz_gate.c drive it directly.
 */
#ifndef GATE_ACME_JWS_H
#define GATE_ACME_JWS_H

#include <stdbool.h>
#include <stddef.h>

#define ACME_JWS_MAX       (64 * 1024) /* bytes of a JWS body */
#define ACME_PROTECTED_MAX (8 * 1024)  /* bytes of its decoded header */
#define ACME_KID_MAX       1024        /* bytes of an account URL */

struct acme_jws {
	char kid[ACME_KID_MAX + 1]; /* "" when the header has none (a jwk) */
	bool has_kid;
	bool payload_empty; /* "payload":"" -- a POST-as-GET */
};

/*
 * Reads the JWS BODY[0..LEN) into OUT.  Returns 0, or -1 with WHY set to
 * the cause in a few words ("the protected header is not base64url"; the
 * gate's problem detail reads "caa-gate: cannot read the JWS: WHY"), or
 * -ENOMEM.  A kid that is not a string, or longer than ACME_KID_MAX, or
 * holding a NUL, counts as none.
 */
int acme_jws_read(const char *body, size_t len, struct acme_jws *out,
                  char *why, size_t whylen);

/*
 * Decodes base64url (RFC 4648 section 5, no padding, as RFC 7515 writes
 * it) IN[0..LEN) into OUT (at least LEN * 3 / 4 + 1 bytes).  Returns the
 * decoded length, or -1 for a character or length base64url cannot have.
 */
long acme_b64url_decode(const char *in, size_t len, unsigned char *out);

#endif /* GATE_ACME_JWS_H */
