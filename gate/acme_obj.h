/*
 * gate/acme_obj.h -- the ACME objects the CAA step learns and rewrites.
 *
 * RFC 8555 section 7.1: an authorization (identifier, challenges), an
 * order (identifiers, authorizations, finalize), and the rewrites that
 * make them read "invalid" once CAA refused (the failed challenge with its
 * error, as Boulder shows a finished authorization).  URLs are kept as
 * their paths: the upstream builds them from the client's Host, so they
 * all name the gate.  Pure: bytes in, bytes out; unit tests and
 * tests/fuzz/fuzz_gate.c drive it directly.  Objects over the bounds below
 * are not learned (the gate relays them as they are).
 */
#ifndef GATE_ACME_OBJ_H
#define GATE_ACME_OBJ_H

#include <stdbool.h>
#include <stddef.h>

#define ACME_CHALLENGES_MAX  16   /* challenges of an authorization */
#define ACME_IDENTIFIERS_MAX 100  /* identifiers (and authorizations) of an
                                     order: Let's Encrypt's limit */
#define ACME_URL_MAX         1024 /* bytes of a URL */
#define ACME_NAME_MAX        255  /* bytes of an identifier value */
#define ACME_ERR_REJECTED_IDENTIFIER \
	"urn:ietf:params:acme:error:rejectedIdentifier"

/*
 * The path of URL ("https://host:port/a/b" -> "/a/b"; a path stays as
 * it is) into OUT[SIZE].  Returns 0, or -1 for a URL without a path of
 * at most ACME_URL_MAX bytes.
 */
int acme_url_path(const char *url, char *out, size_t size);

struct acme_challenge {
	char *path; /* of its url */
	char *type; /* "http-01", "dns-01", "tls-alpn-01", ... */
	char *obj;  /* the whole challenge object, JSON */
};

struct acme_authz {
	char *value;   /* identifier.value, type dns only */
	bool wildcard; /* "wildcard", default false */
	size_t nchal;
	struct acme_challenge chal[ACME_CHALLENGES_MAX];
};

/*
 * If BODY[0..LEN) is an authorization of a dns identifier within the
 * bounds, fills OUT (acme_authz_clear() it) and returns 1; 0 when not;
 * -ENOMEM.
 */
int acme_authz_read(const char *body, size_t len, struct acme_authz *out);
void acme_authz_clear(struct acme_authz *a);

struct acme_order {
	size_t nauthz;
	char **authz; /* paths, in order */
	size_t nids;
	char **ids; /* identifier values (dns), in order */
	char *finalize; /* path */
};

/* As acme_authz_read(), for an order. */
int acme_order_read(const char *body, size_t len, struct acme_order *out);
void acme_order_clear(struct acme_order *o);

/*
 * The challenge CHAL (JSON) with "status":"invalid" and "error" = PROBLEM
 * (JSON).  A new string (free() it), or NULL when CHAL or PROBLEM is not
 * a JSON object, or out of memory.
 */
char *acme_challenge_invalid(const char *chal, size_t len,
                             const char *problem);

/*
 * The authorization BODY[0..LEN) with "status":"invalid" and its
 * "challenges" holding only CHAL (JSON, the failed challenge).  NULL as
 * above.
 */
char *acme_authz_invalid(const char *body, size_t len, const char *chal);

/*
 * The order BODY[0..LEN) with "status":"invalid", and "error" = PROBLEM
 * when PROBLEM is not NULL.  NULL as above.
 */
char *acme_order_invalid(const char *body, size_t len, const char *problem);

/*
 * If BODY[0..LEN) is an ACME directory, its newNonce path into
 * OUT[SIZE] and 1; else 0.
 */
int acme_directory_nonce(const char *body, size_t len, char *out,
                         size_t size);

#endif /* GATE_ACME_OBJ_H */
