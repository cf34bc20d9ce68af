/*
 * probe/caa/eval.c -- evaluate a relevant RRset for one request (RFC 8659 4).
 */
#include "caa.h"

#include <string.h>

#include "caa_int.h"

/* Tags Boulder's filterCAA knows beyond issue, issuewild and iodef. */
static const char *const eval_boulder_tags[] = {"issuemail", "issuevmc"};

static bool
eval_in_list(const uint8_t *tag, size_t len, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (list[i] != NULL &&
		    caa_mem_eq_nocase(tag, len, list[i], strlen(list[i]))) {
			return true;
		}
	}
	return false;
}

static bool
eval_boulder_knows(const struct caa_record *r)
{
	return eval_in_list(r->tag, r->tag_len, eval_boulder_tags,
	                    sizeof(eval_boulder_tags) /
	                            sizeof(eval_boulder_tags[0]));
}

/* RFC 8659 section 4.1: the CA decides what it knows; see caa.h. */
static bool
eval_tag_known(const struct caa_request *req, enum caa_policy policy,
               const struct caa_record *r)
{
	if (caa_tag_kind(r->tag, r->tag_len) != CAA_TAG_OTHER) {
		return true;
	}
	if (policy == CAA_POLICY_BOULDER && eval_boulder_knows(r)) {
		return true;
	}
	return eval_in_list(r->tag, r->tag_len, req->known_tags,
	                    req->nknown_tags);
}

static bool
eval_critical(uint8_t flags, enum caa_policy policy)
{
	/* Boulder: "many CAA record users have misinterpreted the RFC and
	 * concluded that the bit with significance 1 is the critical bit". */
	if (policy == CAA_POLICY_BOULDER) {
		return (flags & (CAA_FLAG_CRITICAL | CAA_FLAG_BIT1)) != 0;
	}
	return (flags & CAA_FLAG_CRITICAL) != 0;
}

/* The CA's issuer name that ISSUE names, exactly (Boulder caaDomainMatches),
 * or NULL. */
static const char *
eval_issuer_match(const struct caa_request *req, const struct caa_issue *is)
{
	for (size_t i = 0; i < req->nissuers; i++) {
		const char *name = req->issuers[i];

		if (is->issuer_len > 0 && strlen(name) == is->issuer_len &&
		    memcmp(name, is->issuer, is->issuer_len) == 0) {
			return name;
		}
	}
	return NULL;
}

/* Does R (issue or issuewild) authorize the request?  Returns the issuer
 * name it matched, or NULL. */
static const char *
eval_authorizes(const struct caa_request *req, enum caa_policy policy,
                const struct caa_record *r)
{
	struct caa_issue is;
	struct caa_params p;
	const char *issuer;

	if (caa_issue_parse(r->value, r->value_len, &is) != CAA_OK) {
		return NULL; /* malformed: an empty issuer (docs/probe.md) */
	}
	issuer = eval_issuer_match(req, &is);
	if (issuer == NULL) {
		return NULL;
	}
	caa_params_scan(&is, policy, &p);
	if (policy == CAA_POLICY_BOULDER && p.hyphen) {
		return NULL; /* Boulder parseCAARecord: disallowed character */
	}
	if (caa_params_account(&p, req->account_uri) != CAA_PCHECK_OK ||
	    caa_params_methods(&p, req->method) != CAA_PCHECK_OK) {
		return NULL;
	}
	return issuer;
}

/* The tag whose records apply: issuewild for a wildcard request when the
 * RRset has one (RFC 8659 section 4.3), else issue. */
static enum caa_tag
eval_applicable(bool wildcard, const struct caa_record *records, size_t n)
{
	if (wildcard) {
		for (size_t i = 0; i < n; i++) {
			if (caa_tag_kind(records[i].tag, records[i].tag_len) ==
			    CAA_TAG_ISSUEWILD) {
				return CAA_TAG_ISSUEWILD;
			}
		}
	}
	return CAA_TAG_ISSUE;
}

static void
eval_decide(const struct caa_request *req, enum caa_policy policy,
            bool wildcard, const char *found_at,
            const struct caa_record *records, size_t n, struct caa_result *out)
{
	enum caa_tag use;
	int first = -1;

	out->record = -1;
	if (n == 0) {
		out->verdict = CAA_ALLOWED;
		(void)caa_format(out->reason, sizeof(out->reason),
		                 "no CAA record found");
		return;
	}
	/* A critical unknown tag anywhere denies, whatever else the RRset
	 * holds (RFC 8659 section 4.5, Boulder criticalUnknown). */
	for (size_t i = 0; i < n; i++) {
		if (!eval_tag_known(req, policy, &records[i]) &&
		    eval_critical(records[i].flags, policy)) {
			out->verdict = CAA_DENIED;
			out->record = (int)i;
			(void)caa_format(out->reason, sizeof(out->reason),
			                 "CAA record for %s prevents issuance",
			                 found_at);
			return;
		}
	}
	use = eval_applicable(wildcard, records, n);
	for (size_t i = 0; i < n; i++) {
		const char *issuer;

		if (caa_tag_kind(records[i].tag, records[i].tag_len) != use) {
			continue;
		}
		if (first < 0) {
			first = (int)i;
		}
		/* Authorizations add up: one match is enough (RFC 8659 4.2). */
		issuer = eval_authorizes(req, policy, &records[i]);
		if (issuer != NULL) {
			out->verdict = CAA_ALLOWED;
			out->record = (int)i;
			(void)caa_format(
			        out->reason, sizeof(out->reason),
			        "CAA record for %s permits issuance by %s",
			        found_at, issuer);
			return;
		}
	}
	if (first < 0) {
		/* Only iodef, issuewild for a name, or ignored tags. */
		out->verdict = CAA_ALLOWED;
		(void)caa_format(out->reason, sizeof(out->reason),
		                 "CAA record for %s does not restrict issuance",
		                 found_at);
		return;
	}
	out->verdict = CAA_DENIED;
	out->record = first;
	(void)caa_format(out->reason, sizeof(out->reason),
	                 "CAA record for %s prevents issuance", found_at);
}

/* RFC 8659 section 4.4: iodef is a mailto:, http: or https: URL. */
static bool
eval_iodef_ok(const uint8_t *v, size_t len)
{
	const char *s = (const char *)v;

	for (size_t i = 0; i < len; i++) {
		if (v[i] < 0x21 || v[i] > 0x7e) {
			return false;
		}
	}
	if (len > 7 && caa_mem_eq_nocase(s, 7, "mailto:", 7)) {
		const char *at = memchr(s + 7, '@', len - 7);

		return at != NULL && at > s + 7 && at < s + len - 1;
	}
	if (len > 8 && caa_mem_eq_nocase(s, 8, "https://", 8)) {
		return s[8] != '/';
	}
	if (len > 7 && caa_mem_eq_nocase(s, 7, "http://", 7)) {
		return s[7] != '/';
	}
	return false;
}

static bool
eval_has_upper(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] >= 'A' && s[i] <= 'Z') {
			return true;
		}
	}
	return false;
}

/* A malformed value whose issuer only breaks the grammar by a final dot:
 * the parser stopped right after a "." that ends the issuer token. */
static bool
eval_trailing_dot(const struct caa_record *r, const struct caa_issue *is)
{
	size_t at = is->error_at;

	return at >= 2 && at <= r->value_len && r->value[at - 1] == '.' &&
	       caa_is_alnum(r->value[at - 2]) &&
	       (at == r->value_len || r->value[at] == ';' ||
	        r->value[at] == ' ' || r->value[at] == '\t');
}

static void
eval_warn_unknown(enum caa_policy policy, const struct caa_record *r, int i,
                  const char *tag, struct caa_warnings *w)
{
	bool bit1 = (r->flags & CAA_FLAG_BIT1) != 0 &&
	            (r->flags & CAA_FLAG_CRITICAL) == 0;
	const char *le = (policy == CAA_POLICY_RFC8659 && eval_boulder_knows(r))
	                         ? " (Let's Encrypt knows it)"
	                         : "";

	if (eval_critical(r->flags, policy)) {
		caa_warn_add(w, CAA_WARN_CRITICAL_UNKNOWN, -1, i,
		             "record %d: unknown tag \"%s\"%s is critical "
		             "(flags %u): issuance denied",
		             i + 1, tag, le, (unsigned)r->flags);
	} else if (!bit1) {
		caa_warn_add(w, CAA_WARN_UNKNOWN_TAG, -1, i,
		             "record %d: unknown tag \"%s\"%s ignored", i + 1,
		             tag, le);
	}
	if (bit1 && policy == CAA_POLICY_RFC8659) {
		caa_warn_add(
		        w, CAA_WARN_FLAG_BIT1, -1, i,
		        "record %d: flags %u on unknown tag \"%s\": "
		        "ignored here (RFC 8659 critical is 128)%s",
		        i + 1, (unsigned)r->flags, tag,
		        eval_boulder_knows(r)
		                ? "; Let's Encrypt reads bit 1 as critical but "
		                  "knows the tag"
		                : ", but Let's Encrypt reads bit 1 as critical "
		                  "and refuses to issue");
	} else if (bit1) {
		caa_warn_add(
		        w, CAA_WARN_FLAG_BIT1, -1, i,
		        "record %d: flags %u on unknown tag \"%s\": read as "
		        "critical, as Let's Encrypt does; RFC 8659 ignores "
		        "bit 1 (critical is 128)",
		        i + 1, (unsigned)r->flags, tag);
	}
}

static void
eval_warn_params(const struct caa_request *req, enum caa_policy policy,
                 const struct caa_issue *is, int i, bool counts,
                 struct caa_warnings *w)
{
	struct caa_params p;
	enum caa_pcheck acc;
	enum caa_pcheck meth;
	char q[CAA_QUOTE_MAX + 8];

	caa_params_scan(is, policy, &p);
	if (p.hyphen) {
		caa_quote((const uint8_t *)p.hyphen_tag.tag,
		          p.hyphen_tag.tag_len, q, sizeof(q));
		caa_warn_add(
		        w, CAA_WARN_PARAM_HYPHEN, -1, i,
		        policy == CAA_POLICY_BOULDER
		                ? "record %d: parameter tag \"%s\" holds "
		                  "\"-\": Let's Encrypt rejects the record, "
		                  "so it authorizes nobody (RFC 8659 allows "
		                  "it)"
		                : "record %d: parameter tag \"%s\" holds "
		                  "\"-\": RFC 8659 allows it, but Let's "
		                  "Encrypt rejects the record, so there it "
		                  "authorizes nobody",
		        i + 1, q);
	}
	if (p.case_variant) {
		caa_quote((const uint8_t *)p.case_tag.tag, p.case_tag.tag_len,
		          q, sizeof(q));
		caa_warn_add(
		        w, CAA_WARN_PARAM_CASE, -1, i,
		        policy == CAA_POLICY_BOULDER
		                ? "record %d: parameter \"%s\" is not in "
		                  "lower case: Let's Encrypt ignores it, so "
		                  "the record is NOT restricted by it "
		                  "(fail-open); RFC 8657 would apply it"
		                : "record %d: parameter \"%s\" is not in "
		                  "lower case: applied here (RFC 8657), but "
		                  "Let's Encrypt ignores it, so there the "
		                  "record is NOT restricted by it (fail-open)",
		        i + 1, q);
	}
	acc = caa_params_account(&p, req->account_uri);
	if (acc == CAA_PCHECK_UNSAT && p.naccount > 1) {
		caa_warn_add(w, CAA_WARN_ACCOUNTURI, -1, i,
		             "record %d: %zu accounturi parameters: "
		             "unsatisfiable, it authorizes nobody",
		             i + 1, p.naccount);
	} else if (acc == CAA_PCHECK_UNSAT) {
		caa_quote((const uint8_t *)p.account.value, p.account.value_len,
		          q, sizeof(q));
		caa_warn_add(
		        w, CAA_WARN_ACCOUNTURI, -1, i,
		        "record %d: accounturi \"%s\" is empty or not a URI: "
		        "unsatisfiable, it authorizes nobody",
		        i + 1, q);
	} else if (acc == CAA_PCHECK_UNCHECKED && counts) {
		caa_quote((const uint8_t *)p.account.value, p.account.value_len,
		          q, sizeof(q));
		caa_warn_add(
		        w, CAA_WARN_PARAM_UNCHECKED, -1, i,
		        "record %d: restricted to accounturi \"%s\" and no "
		        "account URI was given: counted as not matching",
		        i + 1, q);
	}
	meth = caa_params_methods(&p, req->method);
	if (meth == CAA_PCHECK_UNSAT && p.nmethods > 1) {
		caa_warn_add(
		        w, CAA_WARN_METHODS, -1, i,
		        "record %d: %zu validationmethods parameters: "
		        "unsatisfiable, it authorizes nobody (RFC 8657 leaves "
		        "this open; Let's Encrypt's choice)",
		        i + 1, p.nmethods);
	} else if (meth == CAA_PCHECK_UNSAT) {
		caa_quote((const uint8_t *)p.methods.value, p.methods.value_len,
		          q, sizeof(q));
		caa_warn_add(
		        w, CAA_WARN_METHODS, -1, i,
		        "record %d: validationmethods \"%s\" holds an empty "
		        "or malformed method: unsatisfiable, it authorizes "
		        "nobody",
		        i + 1, q);
	} else if (p.nmethods == 1) {
		const char *label;
		size_t len;
		size_t pos = 0;

		while (caa_params_method_next(&p.methods, &pos, &label, &len)) {
			bool in_use = req->method != NULL &&
			              strlen(req->method) == len &&
			              memcmp(req->method, label, len) == 0;

			if (!in_use && !caa_params_method_known(label, len)) {
				caa_quote((const uint8_t *)label, len, q,
				          sizeof(q));
				caa_warn_add(
				        w, CAA_WARN_METHOD_UNKNOWN, -1, i,
				        "record %d: validation method \"%s\" "
				        "is unknown to the CA: skipped",
				        i + 1, q);
			}
		}
		if (meth == CAA_PCHECK_UNCHECKED && counts) {
			caa_quote((const uint8_t *)p.methods.value,
			          p.methods.value_len, q, sizeof(q));
			caa_warn_add(
			        w, CAA_WARN_PARAM_UNCHECKED, -1, i,
			        "record %d: restricted to validationmethods "
			        "\"%s\" and no method was given: counted as "
			        "not matching",
			        i + 1, q);
		}
	}
}

static void
eval_warn_issue(const struct caa_request *req, enum caa_policy policy,
                const struct caa_record *r, int i, bool applies,
                struct caa_warnings *w)
{
	struct caa_issue is;
	char q[CAA_QUOTE_MAX + 8];
	const char *tag = caa_tag_kind(r->tag, r->tag_len) == CAA_TAG_ISSUE
	                          ? "issue"
	                          : "issuewild";

	caa_quote(r->value, r->value_len, q, sizeof(q));
	if (caa_issue_parse(r->value, r->value_len, &is) != CAA_OK) {
		if (eval_trailing_dot(r, &is)) {
			caa_warn_add(
			        w, CAA_WARN_ISSUER_DOT, -1, i,
			        "record %d: %s \"%s\": the issuer ends with a "
			        "dot, which the RFC 8659 grammar forbids: it "
			        "authorizes nobody",
			        i + 1, tag, q);
		} else {
			caa_warn_add(
			        w, CAA_WARN_ISSUE_MALFORMED, -1, i,
			        "record %d: %s \"%s\" does not match the RFC "
			        "8659 grammar (at octet %zu): it authorizes "
			        "nobody",
			        i + 1, tag, q, is.error_at);
		}
		return;
	}
	if (eval_has_upper(is.issuer, is.issuer_len)) {
		const char *ours = NULL;

		for (size_t k = 0; k < req->nissuers && ours == NULL; k++) {
			if (caa_mem_eq_nocase(is.issuer, is.issuer_len,
			                      req->issuers[k],
			                      strlen(req->issuers[k]))) {
				ours = req->issuers[k];
			}
		}
		caa_quote((const uint8_t *)is.issuer, is.issuer_len, q,
		          sizeof(q));
		if (ours != NULL) {
			caa_warn_add(
			        w, CAA_WARN_ISSUER_CASE, -1, i,
			        "record %d: issuer \"%s\" differs from %s "
			        "only in letter case: compared exactly (as "
			        "Let's Encrypt does) it does not match; some "
			        "CAs ignore case",
			        i + 1, q, ours);
		} else {
			caa_warn_add(
			        w, CAA_WARN_ISSUER_CASE, -1, i,
			        "record %d: issuer \"%s\" has capitals: CAs "
			        "that compare exactly will not match it",
			        i + 1, q);
		}
	}
	eval_warn_params(req, policy, &is, i,
	                 applies && eval_issuer_match(req, &is) != NULL, w);
}

/* Every warning the RRset deserves under POLICY (docs/probe.md). */
static void
eval_warn(const struct caa_request *req, enum caa_policy policy, bool wildcard,
          const struct caa_record *records, size_t n, struct caa_warnings *w)
{
	enum caa_tag use = eval_applicable(wildcard, records, n);
	char tag[CAA_QUOTE_MAX + 8];

	for (size_t k = 0; k < n; k++) {
		const struct caa_record *r = &records[k];
		enum caa_tag kind = caa_tag_kind(r->tag, r->tag_len);
		int i = (int)k;
		bool clean = true;

		for (size_t j = 0; j < r->tag_len; j++) {
			clean = clean && caa_is_alnum(r->tag[j]);
		}
		caa_quote(r->tag, r->tag_len, tag, sizeof(tag));
		if (!clean) {
			caa_warn_add(
			        w, CAA_WARN_TAG_CHARS, -1, i,
			        "record %d: tag \"%s\" holds characters RFC "
			        "8659 forbids: read as an unknown tag",
			        i + 1, tag);
		}
		if (!eval_tag_known(req, policy, r)) {
			eval_warn_unknown(policy, r, i, tag, w);
		} else if (kind == CAA_TAG_IODEF) {
			char q[CAA_QUOTE_MAX + 8];

			if ((r->flags & CAA_FLAG_CRITICAL) != 0) {
				caa_warn_add(
				        w, CAA_WARN_CRITICAL_IODEF, -1, i,
				        "record %d: iodef is marked critical: "
				        "CAs that know iodef issue anyway, one "
				        "that does not would refuse",
				        i + 1);
			}
			if (!eval_iodef_ok(r->value, r->value_len)) {
				caa_quote(r->value, r->value_len, q, sizeof(q));
				caa_warn_add(w, CAA_WARN_IODEF, -1, i,
				             "record %d: iodef \"%s\" is not a "
				             "mailto: or http(s): URL",
				             i + 1, q);
			}
		} else if (kind == CAA_TAG_ISSUE || kind == CAA_TAG_ISSUEWILD) {
			eval_warn_issue(req, policy, r, i, kind == use, w);
		}
	}
}

void
caa_eval_policy(const struct caa_request *req, enum caa_policy policy,
                bool wildcard, const char *found_at,
                const struct caa_record *records, size_t n,
                struct caa_result *out, struct caa_warnings *w)
{
	eval_decide(req, policy, wildcard, found_at, records, n, out);
	if (w != NULL) {
		eval_warn(req, policy, wildcard, records, n, w);
	}
}

bool
caa_request_ok(const struct caa_request *req)
{
	if (req == NULL || req->issuers == NULL || req->nissuers == 0 ||
	    (req->known_tags == NULL && req->nknown_tags > 0) ||
	    (req->policy != CAA_POLICY_RFC8659 &&
	     req->policy != CAA_POLICY_BOULDER)) {
		return false;
	}
	for (size_t i = 0; i < req->nissuers; i++) {
		if (req->issuers[i] == NULL) {
			return false;
		}
	}
	return true;
}

void
caa_result_clear(struct caa_result *r)
{
	r->verdict = CAA_ALLOWED;
	r->candidate = -1;
	r->record = -1;
	r->reason[0] = '\0';
	r->warnings.count = 0;
	r->warnings.lost = 0;
}

enum caa_status
caa_evaluate(const struct caa_request *req, bool wildcard, const char *found_at,
             const struct caa_record *records, size_t n, struct caa_result *out)
{
	struct caa_result other;
	enum caa_policy alt;

	if (out == NULL) {
		return CAA_ERR_ARG;
	}
	caa_result_clear(out);
	if (!caa_request_ok(req) || (records == NULL && n > 0) ||
	    (found_at == NULL && n > 0)) {
		return CAA_ERR_ARG;
	}
	alt = req->policy == CAA_POLICY_BOULDER ? CAA_POLICY_RFC8659
	                                        : CAA_POLICY_BOULDER;
	caa_eval_policy(req, req->policy, wildcard, found_at, records, n, out,
	                &out->warnings);
	caa_eval_policy(req, alt, wildcard, found_at, records, n, &other, NULL);
	if (other.verdict != out->verdict) {
		caa_warn_differs(&out->warnings, alt, &other, -1,
		                 other.record >= 0 ? other.record
		                                   : out->record);
	}
	return CAA_OK;
}

size_t
caa_allowed_issuers(const struct caa_record *records, size_t n, bool wildcard,
                    struct caa_issuer *out, size_t size)
{
	enum caa_tag use;
	size_t count = 0;

	if (records == NULL) {
		return 0;
	}
	use = eval_applicable(wildcard, records, n);
	for (size_t i = 0; i < n; i++) {
		struct caa_issue is;
		bool seen = false;

		if (caa_tag_kind(records[i].tag, records[i].tag_len) != use ||
		    caa_issue_parse(records[i].value, records[i].value_len,
		                    &is) != CAA_OK ||
		    is.issuer_len == 0) {
			continue;
		}
		for (size_t k = 0; k < count && k < size && !seen; k++) {
			seen = out[k].len == is.issuer_len &&
			       memcmp(out[k].name, is.issuer, is.issuer_len) ==
			               0;
		}
		if (seen) {
			continue;
		}
		if (count < size) {
			out[count].name = is.issuer;
			out[count].len = is.issuer_len;
		}
		count++;
	}
	return count;
}
