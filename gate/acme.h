/*
 * gate/acme.h -- ACME objects the gate reads and writes (RFC 8555).
 *
 * Pure: bytes in, bytes out, no sockets, so unit tests and the fuzzer
 * (tests/fuzz/fuzz_gate.c) drive it directly.  The CAA step's readers
 * are beside: acme_jws.h (the JWS) and acme_obj.h (authorizations,
 * orders, their invalid rewrites).
 */
#ifndef GATE_ACME_H
#define GATE_ACME_H

#include <stddef.h>

/* RFC 8555 section 6.7 error types the gate writes. */
#define ACME_ERR_SERVER_INTERNAL "urn:ietf:params:acme:error:serverInternal"
#define ACME_ERR_CAA             "urn:ietf:params:acme:error:caa"
#define ACME_ERR_DNS             "urn:ietf:params:acme:error:dns"
#define ACME_PROBLEM_TYPE        "application/problem+json"

/*
 * If BODY[0..LEN) is an ACME directory (section 7.1.1: a JSON object with
 * the string members newNonce and newAccount), writes to *OUT (a new,
 * NUL-terminated string; free() it) and *OUTLEN the same directory with
 * meta.caaIdentities set to CAS[0..NCAS) (meta is added when absent; the
 * other members and their order are kept).  Returns 1 so, 0 when BODY is
 * not a directory (nothing written), -ENOMEM.
 */
int acme_directory_rewrite(const char *body, size_t len,
                           const char *const *cas, size_t ncas, char **out,
                           size_t *outlen);

/*
 * A problem document (RFC 7807, RFC 8555 section 6.7):
 * {"type":TYPE,"detail":DETAIL,"status":STATUS}.  Returns a new
 * NUL-terminated string (free() it), or NULL when out of memory.  DETAIL
 * may hold any bytes; invalid UTF-8 is replaced so the result is JSON.
 */
char *acme_problem_build(const char *type, const char *detail, int status);

/* One problem of several (RFC 8555 section 6.7.1). */
struct acme_subproblem {
	const char *type;
	const char *detail;
	int status;
	const char *name; /* the identifier's value */
};

/*
 * A problem document {"type","detail","status"} and, when NSUB > 0,
 * "subproblems":[{"type","detail","status","identifier":{"type":"dns",
 * "value"}}...].  A new string (free() it), or NULL without memory.
 */
char *acme_problem_multi(const char *type, const char *detail, int status,
                         const struct acme_subproblem *sub, size_t nsub);

#endif /* GATE_ACME_H */
