/*
 * probe/caa/climb.c -- candidate names, relevant-set selection, the verdict.
 */
#include "caa.h"

#include <string.h>

#include "caa_int.h"

#define CLIMB_LABEL_MAX 63

enum caa_status
caa_candidates_build(const char *request, struct caa_candidates *out)
{
	const char *s = request;
	size_t len;
	size_t label = 0; /* characters in the current label */

	if (out == NULL) {
		return CAA_ERR_ARG;
	}
	memset(out, 0, sizeof(*out));
	if (request == NULL) {
		return CAA_ERR_ARG;
	}
	len = strlen(s);
	/* RFC 8659 section 3: "*.X" is judged as X with the wildcard flag. */
	if (len >= 2 && s[0] == '*' && s[1] == '.') {
		out->wildcard = true;
		s += 2;
		len -= 2;
	}
	if (len > 0 && s[len - 1] == '.') {
		len--; /* one final dot: the name is absolute anyway */
	}
	if (len == 0) {
		out->wildcard = false;
		return CAA_ERR_NAME_EMPTY;
	}
	if (len > CAA_NAME_MAX) {
		out->wildcard = false;
		return CAA_ERR_NAME_LONG;
	}
	for (size_t i = 0; i <= len; i++) {
		unsigned char c = i < len ? (unsigned char)s[i] : '.';
		enum caa_status st = CAA_OK;

		if (c == '.') {
			if (label == 0) {
				st = CAA_ERR_NAME_LABEL_EMPTY;
			} else if (label == 1 && out->name[i - 1] == '*') {
				st = CAA_ERR_NAME_WILDCARD;
			}
		} else if (c < 0x21 || c > 0x7e || c == '\\') {
			st = CAA_ERR_NAME_CHAR;
		} else if (++label > CLIMB_LABEL_MAX) {
			st = CAA_ERR_NAME_LABEL_LONG;
		}
		if (st != CAA_OK) {
			memset(out, 0, sizeof(*out));
			return st;
		}
		if (c == '.') {
			out->offset[out->count++] = (uint8_t)(i - label);
			label = 0;
		}
		if (i < len) {
			/* Boulder: strings.ToLower(ident.Value); ASCII only. */
			out->name[i] = caa_lower(s[i]);
		}
	}
	return CAA_OK;
}

const char *
caa_candidate(const struct caa_candidates *c, size_t i)
{
	if (c == NULL || i >= c->count) {
		return NULL;
	}
	return c->name + c->offset[i];
}

const char *
caa_rcode_name(int rcode)
{
	/* miekg/dns RcodeToString, which Boulder prints. */
	static const char *const names[] = {
	        "NOERROR", "FORMERR",   "SERVFAIL", "NXDOMAIN",  "NOTIMP",
	        "REFUSED", "YXDOMAIN",  "YXRRSET",  "NXRRSET",   "NOTAUTH",
	        "NOTZONE", "DSOTYPENI", NULL,       NULL,        NULL,
	        NULL,      "BADSIG",    "BADKEY",   "BADTIME",   "BADMODE",
	        "BADNAME", "BADALG",    "BADTRUNC", "BADCOOKIE",
	};

	if (rcode < 0 || (size_t)rcode >= sizeof(names) / sizeof(names[0])) {
		return NULL;
	}
	return names[rcode];
}

const char *
caa_ede_name(int code)
{
	/* Boulder bdns/problem.go extendedErrorCodeToString: RFC 8914
	 * section 4, with every DNSSEC code starting "DNSSEC: ". */
	static const char *const names[] = {
	        "Other",
	        "DNSSEC: Unsupported DNSKEY Algorithm",
	        "DNSSEC: Unsupported DS Digest Type",
	        "Stale Answer",
	        "Forged Answer",
	        "DNSSEC: Indeterminate",
	        "DNSSEC: Bogus",
	        "DNSSEC: Signature Expired",
	        "DNSSEC: Signature Not Yet Valid",
	        "DNSSEC: DNSKEY Missing",
	        "DNSSEC: RRSIGs Missing",
	        "DNSSEC: No Zone Key Bit Set",
	        "DNSSEC: NSEC Missing",
	        "Cached Error",
	        "Not Ready",
	        "Blocked",
	        "Censored",
	        "Filtered",
	        "Prohibited",
	        "Stale NXDOMAIN Answer",
	        "Not Authoritative",
	        "Not Supported",
	        "No Reachable Authority",
	        "Network Error between Resolver and Authority",
	        "Invalid Data",
	};

	if (code < 0 || (size_t)code >= sizeof(names) / sizeof(names[0])) {
		return NULL;
	}
	return names[code];
}

/* RCODE 0 and 3 reported as CAA_LOOKUP_RCODE mean what they say. */
static enum caa_lookup_kind
climb_kind(const struct caa_lookup *l)
{
	if (l->kind == CAA_LOOKUP_RCODE && l->rcode == 0) {
		return l->nrecords > 0 ? CAA_LOOKUP_RECORDS : CAA_LOOKUP_EMPTY;
	}
	if (l->kind == CAA_LOOKUP_RCODE && l->rcode == 3) {
		return CAA_LOOKUP_NXDOMAIN;
	}
	if (l->kind == CAA_LOOKUP_RECORDS && l->nrecords == 0) {
		return CAA_LOOKUP_EMPTY;
	}
	return l->kind;
}

static enum caa_status
climb_rcode_text(int rcode, const struct caa_lookup *l, const char *name,
                 char *buf, size_t size)
{
	const char *rname = caa_rcode_name(rcode);
	const char *extra = "";

	if (l->ede >= 0) {
		/* Boulder: an EDE replaces the RCODE wording. */
		const char *summary = caa_ede_name(l->ede);
		char text[CAA_REASON_LEN]; /* a validator's reason names
		                              the zone twice */
		char unknown[48];

		if (summary == NULL) {
			(void)caa_format(unknown, sizeof(unknown),
			                 "Unknown Extended DNS Error code %d",
			                 l->ede);
			summary = unknown;
		}
		text[0] = '\0';
		if (l->ede_text != NULL && l->ede_text[0] != '\0') {
			(void)caa_escape((const uint8_t *)l->ede_text,
			                 strlen(l->ede_text), text,
			                 sizeof(text));
		}
		return caa_format(
		        buf, size, "DNS problem: looking up CAA for %s: %s%s%s",
		        name, summary, text[0] != '\0' ? ": " : "", text);
	}
	if (rcode == 2) {
		extra = " - the domain's nameservers may be malfunctioning";
	} else if (rcode == 3) {
		extra = " - check that a DNS record exists for this domain";
	}
	if (rname == NULL) {
		return caa_format(
		        buf, size,
		        "DNS problem: RCODE%d looking up CAA for %s%s", rcode,
		        name, extra);
	}
	return caa_format(buf, size, "DNS problem: %s looking up CAA for %s%s",
	                  rname, name, extra);
}

enum caa_status
caa_lookup_describe(const struct caa_lookup *lookup, const char *name,
                    char *buf, size_t size)
{
	const char *detail = NULL;

	if (buf == NULL || size == 0) {
		return CAA_ERR_ARG;
	}
	buf[0] = '\0';
	if (lookup == NULL || name == NULL) {
		return CAA_ERR_ARG;
	}
	switch (climb_kind(lookup)) {
	case CAA_LOOKUP_RECORDS:
	case CAA_LOOKUP_EMPTY:
		return CAA_ERR_ARG;
	case CAA_LOOKUP_NXDOMAIN:
		return climb_rcode_text(3, lookup, name, buf, size);
	case CAA_LOOKUP_RCODE:
		return climb_rcode_text(lookup->rcode, lookup, name, buf, size);
	case CAA_LOOKUP_TIMEOUT:
		detail = "query timed out";
		break;
	case CAA_LOOKUP_TRUNCATED:
		detail = "response was truncated";
		break;
	case CAA_LOOKUP_MALFORMED:
		detail = "malformed response";
		break;
	case CAA_LOOKUP_BAD_RDATA:
		/* Malformed CAA RDATA fails closed. */
		detail = "malformed CAA record";
		break;
	case CAA_LOOKUP_CNAME_LOOP:
		detail = "CNAME loop";
		break;
	case CAA_LOOKUP_CNAME_LONG:
		detail = "CNAME chain too long";
		break;
	case CAA_LOOKUP_NETWORK:
		detail = "networking error";
		break;
	case CAA_LOOKUP_REFERRAL:
		/* A CA's resolver follows it; the answer is unknown here. */
		return caa_format(buf, size,
		                  "DNS problem: referral looking up CAA for %s - "
		                  "the server asked is not authoritative for it "
		                  "and does not recurse",
		                  name);
	}
	if (detail == NULL) {
		return CAA_ERR_ARG;
	}
	return caa_format(buf, size, "DNS problem: %s looking up CAA for %s",
	                  detail, name);
}

static bool
climb_is_tld(const char *name)
{
	return strchr(name, '.') == NULL;
}

/* Is this outcome an error under POLICY (docs/probe.md)? */
static bool
climb_is_error(enum caa_lookup_kind kind, enum caa_policy policy,
               const char *name)
{
	switch (kind) {
	case CAA_LOOKUP_RECORDS:
	case CAA_LOOKUP_EMPTY:
		return false;
	case CAA_LOOKUP_NXDOMAIN:
		/* Boulder bdns LookupCAA: NXDOMAIN for a TLD is an error. */
		return policy == CAA_POLICY_BOULDER && climb_is_tld(name);
	default:
		return true;
	}
}

/* caa_select() with its parts apart, so that caa_check() can write the
 * error straight into its reason and skip warnings. */
static void
climb_select(const struct caa_candidates *c, const struct caa_lookup *lookups,
             enum caa_policy policy, enum caa_select *outcome, int *candidate,
             char *err, size_t errlen, struct caa_warnings *w)
{
	*outcome = CAA_SELECT_NONE;
	*candidate = -1;
	for (size_t i = 0; i < c->count; i++) {
		const struct caa_lookup *l = &lookups[i];
		const char *name = caa_candidate(c, i);
		enum caa_lookup_kind kind = climb_kind(l);

		if (l->also_cname) {
			caa_warn_add(
			        w, CAA_WARN_CNAME_AND_CAA, (int)i, -1,
			        "%s has a CNAME as well as CAA records (RFC "
			        "1034 allows no data beside a CNAME): "
			        "resolvers may return either",
			        name);
		}
		if (l->outside_chain > 0) {
			caa_warn_add(
			        w, CAA_WARN_OUTSIDE_CHAIN, (int)i, -1,
			        "%zu CAA record(s) in the answer for %s are "
			        "owned by a name off its CNAME chain: ignored",
			        l->outside_chain, name);
		}
		if (!climb_is_error(kind, policy, name)) {
			if (*outcome == CAA_SELECT_NONE &&
			    kind == CAA_LOOKUP_RECORDS) {
				/* RFC 8659 section 3: the first non-empty set.
				 */
				*outcome = CAA_SELECT_FOUND;
				*candidate = (int)i;
			}
			continue;
		}
		if (*outcome == CAA_SELECT_NONE) {
			/* Boulder selectCAA: records could hide behind it. */
			*outcome = CAA_SELECT_FAILED;
			*candidate = (int)i;
			(void)caa_lookup_describe(l, name, err, errlen);
			return;
		}
		if (w != NULL) {
			char text[CAA_REASON_LEN];

			(void)caa_lookup_describe(l, name, text, sizeof(text));
			caa_warn_add(
			        w, CAA_WARN_LOOKUP_ABOVE, (int)i, -1,
			        "ignored, above the relevant RRset at %s: %s",
			        caa_candidate(c, (size_t)*candidate), text);
		}
	}
}

static bool
climb_args_ok(const struct caa_candidates *c, const struct caa_lookup *lookups)
{
	if (c == NULL || c->count > CAA_CANDIDATES_MAX ||
	    (lookups == NULL && c->count > 0)) {
		return false;
	}
	for (size_t i = 0; i < c->count; i++) {
		if (lookups[i].records == NULL && lookups[i].nrecords > 0) {
			return false;
		}
	}
	return true;
}

enum caa_status
caa_select(const struct caa_candidates *c, const struct caa_lookup *lookups,
           enum caa_policy policy, struct caa_selection *out)
{
	if (out == NULL) {
		return CAA_ERR_ARG;
	}
	out->outcome = CAA_SELECT_NONE;
	out->candidate = -1;
	out->error[0] = '\0';
	out->warnings.count = 0;
	out->warnings.lost = 0;
	if (!climb_args_ok(c, lookups)) {
		return CAA_ERR_ARG;
	}
	climb_select(c, lookups, policy, &out->outcome, &out->candidate,
	             out->error, sizeof(out->error), &out->warnings);
	return CAA_OK;
}

/* The verdict for one name under POLICY; warnings into W unless NULL. */
static void
climb_check(const struct caa_request *req, enum caa_policy policy,
            const struct caa_candidates *c, const struct caa_lookup *lookups,
            struct caa_result *out, struct caa_warnings *w)
{
	enum caa_select outcome;
	int cand;
	const struct caa_lookup *l;
	size_t first;

	climb_select(c, lookups, policy, &outcome, &cand, out->reason,
	             sizeof(out->reason), w);
	out->candidate = cand;
	out->record = -1;
	if (outcome == CAA_SELECT_FAILED) {
		out->verdict = CAA_LOOKUP_FAILED;
		return;
	}
	if (outcome == CAA_SELECT_NONE) {
		caa_eval_policy(req, policy, c->wildcard, NULL, NULL, 0, out,
		                NULL);
		return;
	}
	l = &lookups[cand];
	first = w != NULL ? w->count : 0;
	caa_eval_policy(req, policy, c->wildcard,
	                caa_candidate(c, (size_t)cand), l->records, l->nrecords,
	                out, w);
	for (size_t i = first; w != NULL && i < w->count; i++) {
		w->item[i].candidate = cand;
	}
}

/* OUT cleared, the arguments checked, and REQ->policy's verdict into OUT,
 * its warnings too when WARN. */
static enum caa_status
climb_run(const struct caa_request *req, const struct caa_candidates *c,
          const struct caa_lookup *lookups, struct caa_result *out, bool warn)
{
	if (out == NULL) {
		return CAA_ERR_ARG;
	}
	caa_result_clear(out);
	if (!caa_request_ok(req) || !climb_args_ok(c, lookups)) {
		return CAA_ERR_ARG;
	}
	climb_check(req, req->policy, c, lookups, out,
	            warn ? &out->warnings : NULL);
	return CAA_OK;
}

enum caa_status
caa_check(const struct caa_request *req, const struct caa_candidates *c,
          const struct caa_lookup *lookups, struct caa_result *out)
{
	struct caa_result other;
	enum caa_policy alt;
	enum caa_status st = climb_run(req, c, lookups, out, true);

	if (st != CAA_OK) {
		return st;
	}
	alt = req->policy == CAA_POLICY_BOULDER ? CAA_POLICY_RFC8659
	                                        : CAA_POLICY_BOULDER;
	caa_result_clear(&other);
	climb_check(req, alt, c, lookups, &other, NULL);
	if (other.verdict != out->verdict) {
		caa_warn_differs(&out->warnings, alt, &other, other.candidate,
		                 other.record);
	}
	return CAA_OK;
}

enum caa_status
caa_check_verdict(const struct caa_request *req,
                  const struct caa_candidates *c,
                  const struct caa_lookup *lookups, struct caa_result *out)
{
	return climb_run(req, c, lookups, out, false);
}
