/*
 * probe/caa/params.c -- RFC 8657 parameters: accounturi, validationmethods.
 */
#include "caa.h"

#include <string.h>

#include "caa_int.h"

/* ACME methods the CA knows (Boulder core.AcmeChallenge.IsValid). */
static const char *const params_methods[] = {
        "http-01",
        "dns-01",
        "tls-alpn-01",
        "dns-account-01",
};

static bool
params_tag_is(const struct caa_param *p, const char *name,
              enum caa_policy policy)
{
	size_t n = strlen(name);

	if (policy == CAA_POLICY_BOULDER) {
		/* Boulder looks the tag up in a map: exact bytes. */
		return p->tag_len == n && memcmp(p->tag, name, n) == 0;
	}
	/* RFC 5234 section 2.3: ABNF strings are case-insensitive. */
	return caa_mem_eq_nocase(p->tag, p->tag_len, name, n);
}

void
caa_params_scan(const struct caa_issue *issue, enum caa_policy policy,
                struct caa_params *out)
{
	struct caa_param p;
	size_t pos = 0;

	memset(out, 0, sizeof(*out));
	while (caa_issue_param_next(issue, &pos, &p)) {
		bool account = params_tag_is(&p, "accounturi", policy);
		bool methods = params_tag_is(&p, "validationmethods", policy);

		if (memchr(p.tag, '-', p.tag_len) != NULL && !out->hyphen) {
			out->hyphen = true;
			out->hyphen_tag = p;
		}
		if (account) {
			if (out->naccount++ == 0) {
				out->account = p;
			}
		} else if (methods) {
			if (out->nmethods++ == 0) {
				out->methods = p;
			}
		}
		/* Spelled otherwise than in lower case: the policies part. */
		if (!out->case_variant &&
		    ((caa_mem_eq_nocase(p.tag, p.tag_len, "accounturi", 10) &&
		      !params_tag_is(&p, "accounturi", CAA_POLICY_BOULDER)) ||
		     (caa_mem_eq_nocase(p.tag, p.tag_len, "validationmethods",
		                        17) &&
		      !params_tag_is(&p, "validationmethods",
		                     CAA_POLICY_BOULDER)))) {
			out->case_variant = true;
			out->case_tag = p;
		}
	}
}

static bool
params_is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/*
 * An absolute URI as RFC 3986 section 3 allows it: a scheme, ":", then
 * unreserved, reserved and percent-encoded characters only.
 */
static bool
params_uri_ok(const char *s, size_t len)
{
	size_t i = 0;

	if (len == 0 ||
	    !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) {
		return false;
	}
	while (i < len && (caa_is_alnum((unsigned char)s[i]) || s[i] == '+' ||
	                   s[i] == '-' || s[i] == '.')) {
		i++;
	}
	if (i == len || s[i] != ':') {
		return false;
	}
	for (i++; i < len; i++) {
		if (s[i] == '%') {
			if (i + 2 >= len || !params_is_hex(s[i + 1]) ||
			    !params_is_hex(s[i + 2])) {
				return false;
			}
			i += 2;
		} else if (!caa_is_alnum((unsigned char)s[i]) &&
		           strchr("-._~:/?#[]@!$&'()*+,;=", s[i]) == NULL) {
			return false;
		}
	}
	return true;
}

enum caa_pcheck
caa_params_account(const struct caa_params *p, const char *account_uri)
{
	if (p->naccount == 0) {
		return CAA_PCHECK_OK;
	}
	/* RFC 8657 section 3; two in one record: unsatisfiable, as Boulder. */
	if (p->naccount > 1 ||
	    !params_uri_ok(p->account.value, p->account.value_len)) {
		return CAA_PCHECK_UNSAT;
	}
	if (account_uri == NULL) {
		return CAA_PCHECK_UNCHECKED;
	}
	if (strlen(account_uri) == p->account.value_len &&
	    memcmp(account_uri, p->account.value, p->account.value_len) == 0) {
		return CAA_PCHECK_OK;
	}
	return CAA_PCHECK_NOMATCH;
}

bool
caa_params_method_next(const struct caa_param *m, size_t *pos,
                       const char **label, size_t *len)
{
	size_t i = *pos;
	size_t start;

	if (i > m->value_len) {
		return false;
	}
	start = i;
	while (i < m->value_len && m->value[i] != ',') {
		i++;
	}
	*label = m->value + start;
	*len = i - start;
	*pos = i + 1; /* past the comma, or past the end */
	return true;
}

static bool
params_label_ok(const char *s, size_t len)
{
	if (len == 0) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		if (!caa_is_alnum((unsigned char)s[i]) && s[i] != '-') {
			return false;
		}
	}
	return true;
}

bool
caa_params_method_known(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof(params_methods) / sizeof(*params_methods);
	     i++) {
		if (strlen(params_methods[i]) == len &&
		    memcmp(params_methods[i], s, len) == 0) {
			return true;
		}
	}
	return false;
}

enum caa_pcheck
caa_params_methods(const struct caa_params *p, const char *method)
{
	const char *label;
	size_t len;
	size_t pos = 0;
	bool match = false;

	if (p->nmethods == 0) {
		return CAA_PCHECK_OK;
	}
	/* Two validationmethods in one record: Boulder's choice (PR 7565). */
	if (p->nmethods > 1) {
		return CAA_PCHECK_UNSAT;
	}
	/* RFC 8657 section 4: 1*(ALPHA / DIGIT / "-") each, else unusable;
	 * an empty value splits into one empty label. */
	while (caa_params_method_next(&p->methods, &pos, &label, &len)) {
		if (!params_label_ok(label, len)) {
			return CAA_PCHECK_UNSAT;
		}
		/* The method in use is one the CA knows, whether or not
		 * it is in params_methods: a label equal to it matches. */
		if (method != NULL && strlen(method) == len &&
		    memcmp(method, label, len) == 0) {
			match = true;
		}
	}
	if (method == NULL) {
		return CAA_PCHECK_UNCHECKED;
	}
	return match ? CAA_PCHECK_OK : CAA_PCHECK_NOMATCH;
}
