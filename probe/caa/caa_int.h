/*
 * probe/caa/caa_int.h -- helpers shared by the files of library "caa".
 *
 * Not for callers: the names carry the caa_ prefix only because a static
 * library exports every non-static symbol.  Nothing here allocates.
 */
#ifndef PROBE_CAA_CAA_INT_H
#define PROBE_CAA_CAA_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "caa.h"

#if defined(__GNUC__)
#define CAA_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CAA_PRINTF(f, a)
#endif

/* Characters of an escaped value quoted in a warning before "...". */
#define CAA_QUOTE_MAX 80

/* ASCII only, whatever the locale. */
char caa_lower(char c);
bool caa_is_alnum(unsigned char c);
bool caa_mem_eq_nocase(const void *a, size_t alen, const void *b, size_t blen);

/* The code point at S[0..LEN) (LEN > 0) into *CP; its length in octets,
 * 0 if S does not start with UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, at most U+10FFFF).  ident.c. */
size_t caa_utf8_next(const unsigned char *s, size_t len, uint32_t *cp);

/* Escapes IN[0..LEN) as caa_escape() into OUT[0..SIZE), shortened with
 * "..." when over CAA_QUOTE_MAX characters. */
void caa_quote(const uint8_t *in, size_t len, char *out, size_t size);

/* snprintf() into BUF that reports truncation as CAA_ERR_SPACE. */
enum caa_status caa_format(char *buf, size_t size, const char *fmt, ...)
        CAA_PRINTF(3, 4);

/* Appends a warning to W (counted in W->lost when W is full). */
void caa_warn_add(struct caa_warnings *w, enum caa_warn code, int candidate,
                  int record, const char *fmt, ...) CAA_PRINTF(5, 6);

/* Puts a warning first in W, the most important place (the last one
 * goes when W is full). */
void caa_warn_prepend(struct caa_warnings *w, enum caa_warn code, int candidate,
                      int record, const char *message);

/* Puts CAA_WARN_POLICY_DIFFERS first in W: ALT, the other policy, ends
 * with OTHER's verdict and reason (caa.h, CAA_DIFFERS_*). */
void caa_warn_differs(struct caa_warnings *w, enum caa_policy alt,
                      const struct caa_result *other, int candidate,
                      int record);

/* Appends every warning of FROM to TO. */
void caa_warn_merge(struct caa_warnings *to, const struct caa_warnings *from);

/* Does W hold a warning with CODE? */
bool caa_warn_has(const struct caa_warnings *w, enum caa_warn code);

/* Is REQ usable: issuers given, none NULL, a known policy? */
bool caa_request_ok(const struct caa_request *req);

/*
 * Evaluation under one POLICY (REQ->policy is ignored), without the
 * comparison with the other policy.  W may be NULL: no warnings.  OUT's
 * warnings are left alone.
 */
void caa_eval_policy(const struct caa_request *req, enum caa_policy policy,
                     bool wildcard, const char *found_at,
                     const struct caa_record *records, size_t n,
                     struct caa_result *out, struct caa_warnings *w);

/* The RFC 8657 parameters of one issue value, as one policy reads them. */
struct caa_params {
	size_t naccount;          /* accounturi parameters */
	struct caa_param account; /* the first one */
	size_t nmethods;          /* validationmethods parameters */
	struct caa_param methods; /* the first one */
	bool hyphen; /* a parameter tag holds "-" (Boulder: unusable) */
	struct caa_param hyphen_tag;
	bool case_variant; /* "AccountURI" and the like (policies differ) */
	struct caa_param case_tag;
};

enum caa_pcheck {
	CAA_PCHECK_OK = 0,    /* no restriction, or the request meets it */
	CAA_PCHECK_NOMATCH,   /* a restriction the request does not meet */
	CAA_PCHECK_UNSAT,     /* unsatisfiable: duplicate, empty, malformed */
	CAA_PCHECK_UNCHECKED, /* restricted, but the request does not say */
};

/* Collects the parameters of ISSUE (accepted by caa_issue_parse()). */
void caa_params_scan(const struct caa_issue *issue, enum caa_policy policy,
                     struct caa_params *out);

/* accounturi against ACCOUNT_URI (NULL: none), RFC 8657 section 3. */
enum caa_pcheck caa_params_account(const struct caa_params *p,
                                   const char *account_uri);

/* validationmethods against METHOD (NULL: none), RFC 8657 section 4. */
enum caa_pcheck caa_params_methods(const struct caa_params *p,
                                   const char *method);

/* Iterates over the comma-separated labels of M's value (*POS from 0). */
bool caa_params_method_next(const struct caa_param *m, size_t *pos,
                            const char **label, size_t *len);

/* Is S[0..LEN) an ACME validation method the CA knows? */
bool caa_params_method_known(const char *s, size_t len);

#endif /* PROBE_CAA_CAA_INT_H */
