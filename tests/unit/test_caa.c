/*
 * tests/unit/test_caa.c -- unit tests of library caa, the cases as a table.
 *
 * The table "cases" replays every evaluation case (A-H) that needs no
 * network (aliases are chased by a small simulated resolver, faults become
 * lookup outcomes), under both policies, plus cases for each rule of
 * docs/probe.md that the cases leave out.  ParameterizedTest data is
 * self-contained (arrays, no pointers): criterion copies it into workers.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caa.h"

#define LE      "letsencrypt.org"
#define ACCT    "https://acme-v02.api.letsencrypt.org/acme/acct/"
#define ACCT_OK ACCT "1234"

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

static const char *const le_issuers[] = {LE};

static struct caa_request
request(enum caa_policy policy)
{
	struct caa_request r = {
	        .issuers = le_issuers,
	        .nissuers = 1,
	        .account_uri = ACCT_OK,
	        .method = "http-01",
	        .policy = policy,
	};

	return r;
}

#define SET_MAX 48

/* An RRset built from presentation-like parts, wire bytes included. */
struct rrset {
	size_t n;
	uint8_t wire[SET_MAX][300];
	struct caa_record rec[SET_MAX];
};

static void
set_add(struct rrset *s, uint8_t flags, const char *tag, const char *value)
{
	size_t len = 0;
	enum caa_status st;

	cr_assert_lt(s->n, (size_t)SET_MAX);
	st = caa_rdata_write(flags, (const uint8_t *)tag, strlen(tag),
	                     (const uint8_t *)value, strlen(value),
	                     s->wire[s->n], sizeof(s->wire[0]), &len);
	cr_assert_eq(st, CAA_OK, "write %s %s: %s", tag, value,
	             caa_strerror(st));
	st = caa_record_parse(s->wire[s->n], len, &s->rec[s->n]);
	cr_assert_eq(st, CAA_OK);
	s->n++;
}

static const struct caa_warning *
find_warning(const struct caa_warnings *w, enum caa_warn code)
{
	for (size_t i = 0; i < w->count; i++) {
		if (w->item[i].code == code) {
			return &w->item[i];
		}
	}
	return NULL;
}

static bool
has_warning(const struct caa_result *r, enum caa_warn code)
{
	return find_warning(&r->warnings, code) != NULL;
}

/* Evaluates S found at NAME under POLICY with the default request. */
static struct caa_result
eval_set(enum caa_policy policy, bool wildcard, const struct rrset *s)
{
	struct caa_request req = request(policy);
	struct caa_result r;

	cr_assert_eq(
	        caa_evaluate(&req, wildcard, "example.test", s->rec, s->n, &r),
	        CAA_OK);
	return r;
}

/* ------------------------------------------------------------------ */
/* the cases and the rules of docs/probe.md as a table, both policies */
/* ------------------------------------------------------------------ */

#define T_RR    4
#define T_FAULT 2
#define T_ALIAS 2

struct trr {
	char owner[64];
	uint8_t flags;
	char tag[32];
	char value[192];
};

struct tfault {
	char owner[64]; /* "" = no fault */
	enum caa_lookup_kind kind;
	int rcode;
	int ede; /* 0 = none here, else code + 1 */
};

struct talias {
	char from[64];
	char to[64];
};

struct tcase {
	char id[8];
	char qname[72];
	char account[72]; /* "" the default account, "-" none */
	char method[16];  /* "" http-01 */
	char issuer[32];  /* "" letsencrypt.org */
	char known[32];   /* an extra known tag, or "" */
	struct trr rr[T_RR];
	struct tfault fault[T_FAULT];
	struct talias alias[T_ALIAS];
	enum caa_verdict rfc;
	enum caa_verdict boulder;
	int warn; /* W(code): a warning expected under both; NOW: none */
	char reason[200]; /* the exact reason under rfc8659 */
};

#define CT            "caatestsuite.test"
#define EX            "example.test"
#define NOW           0
#define W(code)       ((code) + 1)
#define DENY(n)       "CAA record for " n " prevents issuance"
#define PERMIT(n)     "CAA record for " n " permits issuance by " LE
#define NORESTRICT(n) "CAA record for " n " does not restrict issuance"
#define NOCAA         "no CAA record found"
#define SERVFAIL_HOST                                                 \
	"DNS problem: SERVFAIL looking up CAA for host." EX " - the " \
	"domain's nameservers may be malfunctioning"

/* The simulated lookups of one case. */
struct sim {
	struct caa_candidates cand;
	struct caa_lookup lookup[CAA_CANDIDATES_MAX];
	uint8_t wire[8][T_RR][300];
	struct caa_record rec[8][T_RR];
	struct caa_result bare; /* caa_check_verdict()'s */
};

static bool
sim_ends_with(const char *name, const char *suffix)
{
	size_t n = strlen(name);
	size_t s = strlen(suffix);

	if (n == s) {
		return strcmp(name, suffix) == 0;
	}
	return n > s && name[n - s - 1] == '.' &&
	       strcmp(name + n - s, suffix) == 0;
}

/* A name exists (NODATA, not NXDOMAIN) if it or a name below it is used. */
static bool
sim_exists(const struct tcase *tc, const char *name)
{
	if (strcmp(name, "test") == 0) {
		return true; /* the fixture serves the TLD test. */
	}
	for (size_t i = 0; i < T_RR; i++) {
		if (tc->rr[i].owner[0] != '\0' &&
		    sim_ends_with(tc->rr[i].owner, name)) {
			return true;
		}
	}
	for (size_t i = 0; i < T_ALIAS; i++) {
		if (tc->alias[i].from[0] != '\0' &&
		    sim_ends_with(tc->alias[i].from, name)) {
			return true;
		}
	}
	for (size_t i = 0; i < T_FAULT; i++) {
		if (tc->fault[i].owner[0] != '\0' &&
		    sim_ends_with(tc->fault[i].owner, name)) {
			return true;
		}
	}
	return false;
}

/* What a resolver that chases aliases would answer for CAA at NAME. */
static void
sim_resolve(const struct tcase *tc, struct sim *s, size_t idx, const char *name)
{
	struct caa_lookup *l = &s->lookup[idx];
	const char *cur = name;
	size_t n = 0;

	memset(l, 0, sizeof(*l));
	l->ede = -1;
	for (size_t i = 0; i < T_FAULT; i++) {
		if (strcmp(tc->fault[i].owner, name) == 0) {
			l->kind = tc->fault[i].kind;
			l->rcode = tc->fault[i].rcode;
			l->ede = tc->fault[i].ede - 1;
			return;
		}
	}
	for (int hops = 0;; hops++) {
		bool moved = false;

		for (size_t i = 0; i < T_ALIAS && !moved; i++) {
			if (strcmp(tc->alias[i].from, cur) == 0) {
				cur = tc->alias[i].to;
				moved = true;
			}
		}
		if (!moved) {
			break;
		}
		if (hops >= 8) {
			l->kind = CAA_LOOKUP_CNAME_LOOP;
			return;
		}
	}
	cr_assert_lt(idx, (size_t)8);
	for (size_t i = 0; i < T_RR; i++) {
		const struct trr *rr = &tc->rr[i];
		size_t len = 0;

		if (rr->owner[0] == '\0' || strcmp(rr->owner, cur) != 0) {
			continue;
		}
		cr_assert_eq(caa_rdata_write(rr->flags,
		                             (const uint8_t *)rr->tag,
		                             strlen(rr->tag),
		                             (const uint8_t *)rr->value,
		                             strlen(rr->value), s->wire[idx][n],
		                             sizeof(s->wire[idx][n]), &len),
		             CAA_OK);
		cr_assert_eq(
		        caa_record_parse(s->wire[idx][n], len, &s->rec[idx][n]),
		        CAA_OK);
		n++;
	}
	if (n > 0) {
		l->kind = CAA_LOOKUP_RECORDS;
		l->records = s->rec[idx];
		l->nrecords = n;
	} else {
		l->kind = sim_exists(tc, cur) ? CAA_LOOKUP_EMPTY
		                              : CAA_LOOKUP_NXDOMAIN;
	}
}

static void
case_run(const struct tcase *tc, enum caa_policy policy, struct caa_result *out)
{
	struct sim *s = calloc(1, sizeof(*s));
	const char *issuer[1] = {tc->issuer[0] != '\0' ? tc->issuer : LE};
	const char *known[1] = {tc->known};
	struct caa_request req = {
	        .issuers = issuer,
	        .nissuers = 1,
	        .account_uri = tc->account[0] == '\0'  ? ACCT_OK
	                       : tc->account[0] == '-' ? NULL
	                                               : tc->account,
	        .method = tc->method[0] != '\0' ? tc->method : "http-01",
	        .known_tags = known,
	        .nknown_tags = tc->known[0] != '\0' ? 1 : 0,
	        .policy = policy,
	};

	cr_assert_not_null(s);
	cr_assert_eq(caa_candidates_build(tc->qname, &s->cand), CAA_OK,
	             "%s: candidates of %s", tc->id, tc->qname);
	for (size_t i = 0; i < s->cand.count; i++) {
		sim_resolve(tc, s, i, caa_candidate(&s->cand, i));
	}
	cr_assert_eq(caa_check(&req, &s->cand, s->lookup, out), CAA_OK);
	/* A remote perspective's check: the same verdict and words, no
	 * warnings. */
	cr_assert_eq(caa_check_verdict(&req, &s->cand, s->lookup, &s->bare),
	             CAA_OK);
	cr_assert_eq(s->bare.verdict, out->verdict, "%s: verdict", tc->id);
	cr_assert_eq(s->bare.candidate, out->candidate, "%s: candidate",
	             tc->id);
	cr_assert_eq(s->bare.record, out->record, "%s: record", tc->id);
	cr_assert_str_eq(s->bare.reason, out->reason, "%s: reason", tc->id);
	cr_assert_eq(s->bare.warnings.count, 0, "%s: warnings", tc->id);
	free(s);
}

ParameterizedTestParameters(caa_cases, verdicts)
{
	static struct tcase cases[] = {
	        /* A. Relevant-set selection */
	        {"C01", "host." EX, .rfc = CAA_ALLOWED, .boulder = CAA_ALLOWED,
	         .warn = NOW, .reason = NOCAA},
	        {"C02", "host." EX, .rr = {{"host." EX, 0, "issue", LE}},
	         .rfc = CAA_ALLOWED, .boulder = CAA_ALLOWED, .warn = NOW,
	         .reason = PERMIT("host." EX)},
	        {"C03", "deny.basic." CT,
	         .rr = {{"deny.basic." CT, 0, "issue", "caatestsuite.com"}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED, .warn = NOW,
	         .reason = DENY("deny.basic." CT)},
	        {"C04", "sub1.deny.basic." CT,
	         .rr = {{"deny.basic." CT, 0, "issue", "caatestsuite.com"}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED, .warn = NOW,
	         .reason = DENY("deny.basic." CT)},
	        {"C05", "sub2.sub1.deny.basic." CT,
	         .rr = {{"deny.basic." CT, 0, "issue", "caatestsuite.com"}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED, .warn = NOW,
	         .reason = DENY("deny.basic." CT)},
	        {"C06", "www." EX,
	         .rr = {{EX, 0, "issue", ";"}, {"www." EX, 0, "issue", LE}},
	         .rfc = CAA_ALLOWED, .boulder = CAA_ALLOWED, .warn = NOW,
	         .reason = PERMIT("www." EX)},
	        {"C07", "deny.permit.basic." CT,
	         .rr = {{"permit.basic." CT, 0, "dummy", "dummy"},
	                {"deny.permit.basic." CT, 0, "issue",
	                 "caatestsuite.com"}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED, .warn = NOW,
	         .reason = DENY("deny.permit.basic." CT)},
	        {"C08", "host." EX, .rr = {{"test", 0, "issue", ";"}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED, .warn = NOW,
	         .reason = DENY("test")},
	        {"C09a", "permit.basic." CT,
	         .rr = {{"permit.basic." CT, 0, "dummy", "dummy"}},
	         .rfc = CAA_ALLOWED, .boulder = CAA_ALLOWED,
	         .warn = W(CAA_WARN_UNKNOWN_TAG),
	         .reason = NORESTRICT("permit.basic." CT)},
	        {"C09b", "*.permit.basic." CT,
	         .rr = {{"permit.basic." CT, 0, "dummy", "dummy"}},
	         .rfc = CAA_ALLOWED, .boulder = CAA_ALLOWED,
	         .warn = W(CAA_WARN_UNKNOWN_TAG),
	         .reason = NORESTRICT("permit.basic." CT)},
	        {"C11", "DENY.Basic.CaaTestSuite.TEST",
	         .rr = {{"deny.basic." CT, 0, "issue", "caatestsuite.com"}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED, .warn = NOW,
	         .reason = DENY("deny.basic." CT)},
	        /* B. issue values */
	        {"C12", "empty.basic." CT,
	         .rr = {{"empty.basic." CT, 0, "issue", ";"}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED, .warn = NOW,
	         .reason = DENY("empty.basic." CT)},
	        {"C12b", "empty.basic." CT, .issuer = "caatestsuite.com",
	         .rr = {{"empty.basic." CT, 0, "issue", ";"}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED, .warn = NOW,
	         .reason = DENY("empty.basic." CT)},
	        {"C14", EX,
	         .rr = {{EX, 0, "issue", "otherca.test"}, {EX, 0, "issue", LE}},
	         .rfc = CAA_ALLOWED, .boulder = CAA_ALLOWED, .warn = NOW,
	         .reason = PERMIT(EX)},
	        {"C15", EX, .rr = {{EX, 0, "issue", ";"}, {EX, 0, "issue", LE}},
	         .rfc = CAA_ALLOWED, .boulder = CAA_ALLOWED, .warn = NOW,
	         .reason = PERMIT(EX)},
	        {"C16", EX,
	         .rr = {{EX, 0, "issue", "  " LE "\t;foo=bar;baz=bar"}},
	         .rfc = CAA_ALLOWED, .boulder = CAA_ALLOWED, .warn = NOW,
	         .reason = PERMIT(EX)},
	        {"C18", EX,
	         .rr = {{EX, 0, "issue", LE "; policy=ev; foo=b1,b2,b3"}},
	         .rfc = CAA_ALLOWED, .boulder = CAA_ALLOWED, .warn = NOW,
	         .reason = PERMIT(EX)},
	        {"C20", "xss." CT,
	         .rr = {{"xss." CT, 0, "issue",
	                 "<script>alert('Wheeeeee')</script>"}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED,
	         .warn = W(CAA_WARN_ISSUE_MALFORMED),
	         .reason = DENY("xss." CT)},
	        {"C22", EX, .rr = {{EX, 0, "issue", "LetsEncrypt.ORG"}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED,
	         .warn = W(CAA_WARN_ISSUER_CASE), .reason = DENY(EX)},
	        {"C24", EX, .rr = {{EX, 0, "issue", LE "; ab=1 2 3"}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED,
	         .warn = W(CAA_WARN_ISSUE_MALFORMED), .reason = DENY(EX)},
	        {"C26", EX, .rr = {{EX, 0, "issue", LE "; policy"}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED,
	         .warn = W(CAA_WARN_ISSUE_MALFORMED), .reason = DENY(EX)},
	        /* C. Tags and flags */
	        {"C27", "uppercase-deny.basic." CT,
	         .rr = {{"uppercase-deny.basic." CT, 0, "ISSUE",
	                 "caatestsuite.com"}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED, .warn = NOW,
	         .reason = DENY("uppercase-deny.basic." CT)},
	        {"C28", "mixedcase-deny.basic." CT,
	         .rr = {{"mixedcase-deny.basic." CT, 0, "IsSuE",
	                 "caatestsuite.com"}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED, .warn = NOW,
	         .reason = DENY("mixedcase-deny.basic." CT)},
	        {"C29", "critical1.basic." CT, .issuer = "caatestsuite.com",
	         .rr = {{"critical1.basic." CT, 128,
	                 "caatestsuitedummyproperty", "test"}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED,
	         .warn = W(CAA_WARN_CRITICAL_UNKNOWN),
	         .reason = DENY("critical1.basic." CT)},
	        {"C31", EX,
	         .rr = {{EX, 0, "issue", LE}, {EX, 128, "tbs", "Unknown"}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED,
	         .warn = W(CAA_WARN_CRITICAL_UNKNOWN), .reason = DENY(EX)},
	        {"C34", EX, .rr = {{EX, 128, "issue", LE}}, .rfc = CAA_ALLOWED,
	         .boulder = CAA_ALLOWED, .warn = NOW, .reason = PERMIT(EX)},
	        {"C35", EX,
	         .rr = {{EX, 0, "issue", LE},
	                {EX, 128, "iodef", "mailto:security@" EX}},
	         .rfc = CAA_ALLOWED, .boulder = CAA_ALLOWED,
	         .warn = W(CAA_WARN_CRITICAL_IODEF), .reason = PERMIT(EX)},
	        {"C36a", "a." EX, .rr = {{"a." EX, 128, "issuemail", LE}},
	         .rfc = CAA_DENIED, .boulder = CAA_ALLOWED, .warn = NOW,
	         .reason = DENY("a." EX)},
	        {"C36b", "b." EX,
	         .rr = {{"b." EX, 128, "contactemail", "hostmaster@" EX}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED,
	         .warn = W(CAA_WARN_CRITICAL_UNKNOWN), .reason = DENY("b." EX)},
	        {"C36c", "b." EX, .known = "ContactEmail",
	         .rr = {{"b." EX, 128, "contactemail", "hostmaster@" EX}},
	         .rfc = CAA_ALLOWED, .boulder = CAA_ALLOWED, .warn = NOW,
	         .reason = NORESTRICT("b." EX)},
	        /* D. Wildcards */
	        {"C39", "*.deny.basic." CT,
	         .rr = {{"deny.basic." CT, 0, "issue", "caatestsuite.com"}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED, .warn = NOW,
	         .reason = DENY("deny.basic." CT)},
	        {"C40a", "*.deny-wild.basic." CT,
	         .rr = {{"deny-wild.basic." CT, 0, "issuewild",
	                 "caatestsuite.com"}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED, .warn = NOW,
	         .reason = DENY("deny-wild.basic." CT)},
	        {"C40b", "deny-wild.basic." CT,
	         .rr = {{"deny-wild.basic." CT, 0, "issuewild",
	                 "caatestsuite.com"}},
	         .rfc = CAA_ALLOWED, .boulder = CAA_ALLOWED, .warn = NOW,
	         .reason = NORESTRICT("deny-wild.basic." CT)},
	        {"C41a", "*." EX,
	         .rr = {{EX, 0, "issue", LE},
	                {EX, 0, "issuewild", "otherca.test"}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED, .warn = NOW,
	         .reason = DENY(EX)},
	        {"C41b", EX,
	         .rr = {{EX, 0, "issue", LE},
	                {EX, 0, "issuewild", "otherca.test"}},
	         .rfc = CAA_ALLOWED, .boulder = CAA_ALLOWED, .warn = NOW,
	         .reason = PERMIT(EX)},
	        {"C42a", "*." EX,
	         .rr = {{EX, 0, "issue", "otherca.test"},
	                {EX, 0, "issuewild", LE}},
	         .rfc = CAA_ALLOWED, .boulder = CAA_ALLOWED, .warn = NOW,
	         .reason = PERMIT(EX)},
	        {"C42b", EX,
	         .rr = {{EX, 0, "issue", "otherca.test"},
	                {EX, 0, "issuewild", LE}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED, .warn = NOW,
	         .reason = DENY(EX)},
	        {"C44", "*." EX, .rr = {{EX, 0, "issue", ";"}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED, .warn = NOW,
	         .reason = DENY(EX)},
	        {"C45", "*." EX,
	         .rr = {{EX, 0, "issuewild", "otherca.test"},
	                {EX, 0, "issuewild", LE}},
	         .rfc = CAA_ALLOWED, .boulder = CAA_ALLOWED, .warn = NOW,
	         .reason = PERMIT(EX)},
	        {"C47a", "*." EX,
	         .rr = {{EX, 0, "issue", LE}, {EX, 0, "issuewild", ";"}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED, .warn = NOW,
	         .reason = DENY(EX)},
	        {"C47b", "www." EX,
	         .rr = {{EX, 0, "issue", LE}, {EX, 0, "issuewild", ";"}},
	         .rfc = CAA_ALLOWED, .boulder = CAA_ALLOWED, .warn = NOW,
	         .reason = PERMIT(EX)},
	        /* E. RFC 8657 parameters */
	        {"C48", EX,
	         .rr = {{EX, 0, "issue", LE "; accounturi=" ACCT_OK}},
	         .rfc = CAA_ALLOWED, .boulder = CAA_ALLOWED, .warn = NOW,
	         .reason = PERMIT(EX)},
	        {"C49", EX, .account = ACCT "4321",
	         .rr = {{EX, 0, "issue", LE "; accounturi=" ACCT_OK}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED, .warn = NOW,
	         .reason = DENY(EX)},
	        {"C50", EX,
	         .rr = {{EX, 0, "issue", LE "; accounturi=" ACCT "4321"},
	                {EX, 0, "issue", LE "; accounturi=" ACCT_OK}},
	         .rfc = CAA_ALLOWED, .boulder = CAA_ALLOWED, .warn = NOW,
	         .reason = PERMIT(EX)},
	        {"C52", EX,
	         .rr = {{EX, 0, "issue", "otherca.test; accounturi=" ACCT_OK}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED, .warn = NOW,
	         .reason = DENY(EX)},
	        {"C54a", EX,
	         .rr = {{EX, 0, "issue", LE "; validationmethods=dns-01"}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED, .warn = NOW,
	         .reason = DENY(EX)},
	        {"C54b", EX, .method = "dns-01",
	         .rr = {{EX, 0, "issue", LE "; validationmethods=dns-01"}},
	         .rfc = CAA_ALLOWED, .boulder = CAA_ALLOWED, .warn = NOW,
	         .reason = PERMIT(EX)},
	        {"C55a", EX,
	         .rr = {{EX, 0, "issue",
	                 LE "; validationmethods=http-01,dns-01"}},
	         .rfc = CAA_ALLOWED, .boulder = CAA_ALLOWED, .warn = NOW,
	         .reason = PERMIT(EX)},
	        {"C55b", EX, .method = "dns-01",
	         .rr = {{EX, 0, "issue",
	                 LE "; validationmethods=http-01,dns-01"}},
	         .rfc = CAA_ALLOWED, .boulder = CAA_ALLOWED, .warn = NOW,
	         .reason = PERMIT(EX)},
	        {"C55c", EX, .method = "tls-alpn-01",
	         .rr = {{EX, 0, "issue",
	                 LE "; validationmethods=http-01,dns-01"}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED, .warn = NOW,
	         .reason = DENY(EX)},
	        {"C58", EX,
	         .rr = {{EX, 0, "issue",
	                 LE "; validationmethods=http-01; "
	                    "validationmethods=dns-01"}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED,
	         .warn = W(CAA_WARN_METHODS), .reason = DENY(EX)},
	        {"C59", EX,
	         .rr = {{EX, 0, "issue",
	                 LE "; accounturi=" ACCT_OK
	                    "; validationmethods=dns-01"}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED, .warn = NOW,
	         .reason = DENY(EX)},
	        {"C61", EX,
	         .rr = {{EX, 0, "issue", LE "; validationmethods=tls-sni-01"}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED,
	         .warn = W(CAA_WARN_METHOD_UNKNOWN), .reason = DENY(EX)},
	        /* The method in use is known to the CA, listed or not. */
	        {"C61m", EX, .method = "dns-persist-01",
	         .rr = {{EX, 0, "issue",
	                 LE "; validationmethods=dns-persist-01"}},
	         .rfc = CAA_ALLOWED, .boulder = CAA_ALLOWED, .warn = NOW,
	         .reason = PERMIT(EX)},
	        {"C61n", EX, .method = "dns-persist-01",
	         .rr = {{EX, 0, "issue",
	                 LE "; validationmethods=http-01,tls-sni-01"}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED,
	         .warn = W(CAA_WARN_METHOD_UNKNOWN), .reason = DENY(EX)},
	        /* F. Aliases (chased by the lookup, so by the simulation) */
	        {"C62", "cname-deny.basic." CT,
	         .rr = {{"deny.basic." CT, 0, "issue", "caatestsuite.com"}},
	         .alias = {{"cname-deny.basic." CT, "deny.basic." CT}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED, .warn = NOW,
	         .reason = DENY("cname-deny.basic." CT)},
	        {"C63", "cname-cname-deny.basic." CT,
	         .rr = {{"deny.basic." CT, 0, "issue", "caatestsuite.com"}},
	         .alias = {{"cname-deny.basic." CT, "deny.basic." CT},
	                   {"cname-cname-deny.basic." CT,
	                    "cname-deny.basic." CT}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED, .warn = NOW,
	         .reason = DENY("cname-cname-deny.basic." CT)},
	        {"C64", "sub1.cname-deny.basic." CT,
	         .rr = {{"deny.basic." CT, 0, "issue", "caatestsuite.com"}},
	         .alias = {{"cname-deny.basic." CT, "deny.basic." CT}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED, .warn = NOW,
	         .reason = DENY("cname-deny.basic." CT)},
	        {"C70", "a." EX, .rr = {{EX, 0, "issue", LE}},
	         .alias = {{"a." EX, "b." EX}, {"b." EX, "a." EX}},
	         .rfc = CAA_LOOKUP_FAILED, .boulder = CAA_LOOKUP_FAILED,
	         .warn = NOW,
	         .reason = "DNS problem: CNAME loop looking up CAA for a." EX},
	        /* G. Lookup faults */
	        {"C72", "host." EX, .rr = {{EX, 0, "issue", LE}},
	         .fault = {{"host." EX, CAA_LOOKUP_RCODE, 2, 0}},
	         .rfc = CAA_LOOKUP_FAILED, .boulder = CAA_LOOKUP_FAILED,
	         .warn = NOW, .reason = SERVFAIL_HOST},
	        {"C76", "host." EX, .rr = {{EX, 0, "issue", LE}},
	         .fault = {{"host." EX, CAA_LOOKUP_TIMEOUT, 0, 0}},
	         .rfc = CAA_LOOKUP_FAILED, .boulder = CAA_LOOKUP_FAILED,
	         .warn = NOW,
	         .reason = "DNS problem: query timed out looking up CAA for "
	                   "host." EX},
	        {"C78", "host." EX,
	         .fault = {{"host." EX, CAA_LOOKUP_RCODE, 5, 0}},
	         .rfc = CAA_LOOKUP_FAILED, .boulder = CAA_LOOKUP_FAILED,
	         .warn = NOW,
	         .reason = "DNS problem: REFUSED looking up CAA for host." EX},
	        {"C79", "host." EX,
	         .fault = {{"host." EX, CAA_LOOKUP_RCODE, 4, 0}},
	         .rfc = CAA_LOOKUP_FAILED, .boulder = CAA_LOOKUP_FAILED,
	         .warn = NOW,
	         .reason = "DNS problem: NOTIMP looking up CAA for host." EX},
	        {"C80", "host." EX,
	         .fault = {{"host." EX, CAA_LOOKUP_RCODE, 1, 0}},
	         .rfc = CAA_LOOKUP_FAILED, .boulder = CAA_LOOKUP_FAILED,
	         .warn = NOW,
	         .reason = "DNS problem: FORMERR looking up CAA for host." EX},
	        {"C84", "host." EX,
	         .fault = {{"host." EX, CAA_LOOKUP_RCODE, 2, 6 + 1}},
	         .rfc = CAA_LOOKUP_FAILED, .boulder = CAA_LOOKUP_FAILED,
	         .warn = NOW,
	         .reason = "DNS problem: looking up CAA for host." EX
	                   ": DNSSEC: Bogus"},
	        {"C85a", "expired.caatestsuite-dnssec.test",
	         .fault = {{"expired.caatestsuite-dnssec.test",
	                    CAA_LOOKUP_RCODE, 2, 7 + 1}},
	         .rfc = CAA_LOOKUP_FAILED, .boulder = CAA_LOOKUP_FAILED,
	         .warn = NOW,
	         .reason =
	                 "DNS problem: looking up CAA for "
	                 "expired.caatestsuite-dnssec.test: DNSSEC: Signature "
	                 "Expired"},
	        {"C85b", "missing.caatestsuite-dnssec.test",
	         .fault = {{"missing.caatestsuite-dnssec.test",
	                    CAA_LOOKUP_RCODE, 2, 10 + 1}},
	         .rfc = CAA_LOOKUP_FAILED, .boulder = CAA_LOOKUP_FAILED,
	         .warn = NOW,
	         .reason = "DNS problem: looking up CAA for "
	                   "missing.caatestsuite-dnssec.test: DNSSEC: RRSIGs "
	                   "Missing"},
	        {"C86", "host." EX,
	         .fault = {{"host." EX, CAA_LOOKUP_RCODE, 2, 0}},
	         .rfc = CAA_LOOKUP_FAILED, .boulder = CAA_LOOKUP_FAILED,
	         .warn = NOW, .reason = SERVFAIL_HOST},
	        {"C87a", "ipv6only." CT,
	         .fault = {{"ipv6only." CT, CAA_LOOKUP_TIMEOUT, 0, 0}},
	         .rfc = CAA_LOOKUP_FAILED, .boulder = CAA_LOOKUP_FAILED,
	         .warn = NOW,
	         .reason = "DNS problem: query timed out looking up CAA for "
	                   "ipv6only." CT},
	        {"C87ref", "ipv6only." CT,
	         .fault = {{"ipv6only." CT, CAA_LOOKUP_REFERRAL, 0, 0}},
	         .rfc = CAA_LOOKUP_FAILED, .boulder = CAA_LOOKUP_FAILED,
	         .warn = NOW,
	         .reason = "DNS problem: referral looking up CAA for "
	                   "ipv6only." CT " - the server asked is not "
	                   "authoritative for it and does not recurse"},
	        {"C87b", "ipv6only." CT,
	         .rr = {{"ipv6only." CT, 0, "issue", "caatestsuite.com"}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED, .warn = NOW,
	         .reason = DENY("ipv6only." CT)},
	        /* H. Odd tags (wire-built) */
	        {"C90a", EX, .rr = {{EX, 0, "is-sue", LE}}, .rfc = CAA_ALLOWED,
	         .boulder = CAA_ALLOWED, .warn = W(CAA_WARN_TAG_CHARS),
	         .reason = NORESTRICT(EX)},
	        {"C90b", EX, .rr = {{EX, 128, "is_x", "x"}}, .rfc = CAA_DENIED,
	         .boulder = CAA_DENIED, .warn = W(CAA_WARN_TAG_CHARS),
	         .reason = DENY(EX)},
	        /* Project decisions and the rules the cases do not show */
	        {"P-tc", "host." EX, .rr = {{EX, 0, "issue", LE}},
	         .fault = {{"host." EX, CAA_LOOKUP_TRUNCATED, 0, 0}},
	         .rfc = CAA_LOOKUP_FAILED, .boulder = CAA_LOOKUP_FAILED,
	         .warn = NOW,
	         .reason = "DNS problem: response was truncated looking up CAA "
	                   "for host." EX},
	        {"P-rdata", "host." EX, .rr = {{EX, 0, "issue", LE}},
	         .fault = {{"host." EX, CAA_LOOKUP_BAD_RDATA, 0, 0}},
	         .rfc = CAA_LOOKUP_FAILED, .boulder = CAA_LOOKUP_FAILED,
	         .warn = NOW,
	         .reason =
	                 "DNS problem: malformed CAA record looking up CAA for "
	                 "host." EX},
	        {"R-bit1", EX,
	         .rr = {{EX, 0, "issue", LE}, {EX, 1, "tbs", "x"}},
	         .rfc = CAA_ALLOWED, .boulder = CAA_DENIED,
	         .warn = W(CAA_WARN_FLAG_BIT1), .reason = PERMIT(EX)},
	        {"R-bits", EX,
	         .rr = {{EX, 0, "issue", LE}, {EX, 0x7e, "foo", "bar"}},
	         .rfc = CAA_ALLOWED, .boulder = CAA_ALLOWED,
	         .warn = W(CAA_WARN_UNKNOWN_TAG), .reason = PERMIT(EX)},
	        {"R-crit1", EX,
	         .rr = {{EX, 1, "issue", "ca.test"}, {EX, 1, "issue", LE}},
	         .rfc = CAA_ALLOWED, .boulder = CAA_ALLOWED, .warn = NOW,
	         .reason = PERMIT(EX)},
	        {"R-hyph", EX, .rr = {{EX, 0, "issue", LE "; foo-bar=1"}},
	         .rfc = CAA_ALLOWED, .boulder = CAA_DENIED,
	         .warn = W(CAA_WARN_PARAM_HYPHEN), .reason = PERMIT(EX)},
	        {"R-acase", EX, .account = ACCT "4321",
	         .rr = {{EX, 0, "issue", LE "; AccountURI=" ACCT_OK}},
	         .rfc = CAA_DENIED, .boulder = CAA_ALLOWED,
	         .warn = W(CAA_WARN_PARAM_CASE), .reason = DENY(EX)},
	        {"R-acase2", EX,
	         .rr = {{EX, 0, "issue", LE "; AccountURI=" ACCT_OK}},
	         .rfc = CAA_ALLOWED, .boulder = CAA_ALLOWED,
	         .warn = W(CAA_WARN_PARAM_CASE), .reason = PERMIT(EX)},
	        {"R-acase3", EX,
	         .rr = {{EX, 0, "issue",
	                 LE "; accounturi=" ACCT_OK "; ACCOUNTURI=" ACCT_OK}},
	         .rfc = CAA_DENIED, .boulder = CAA_ALLOWED,
	         .warn = W(CAA_WARN_PARAM_CASE), .reason = DENY(EX)},
	        {"R-mcase", EX,
	         .rr = {{EX, 0, "issue", LE "; ValidationMethods=dns-01"}},
	         .rfc = CAA_DENIED, .boulder = CAA_ALLOWED,
	         .warn = W(CAA_WARN_PARAM_CASE), .reason = DENY(EX)},
	        {"R-acct2", EX,
	         .rr = {{EX, 0, "issue",
	                 LE "; accounturi=" ACCT_OK "; accounturi=" ACCT_OK}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED,
	         .warn = W(CAA_WARN_ACCOUNTURI), .reason = DENY(EX)},
	        {"R-acct0", EX, .rr = {{EX, 0, "issue", LE "; accounturi="}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED,
	         .warn = W(CAA_WARN_ACCOUNTURI), .reason = DENY(EX)},
	        {"R-acctx", EX, .account = "1234",
	         .rr = {{EX, 0, "issue", LE "; accounturi=1234"}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED,
	         .warn = W(CAA_WARN_ACCOUNTURI), .reason = DENY(EX)},
	        {"R-acct-", EX, .account = "-",
	         .rr = {{EX, 0, "issue", LE "; accounturi=" ACCT_OK}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED,
	         .warn = W(CAA_WARN_PARAM_UNCHECKED), .reason = DENY(EX)},
	        {"R-meth0", EX,
	         .rr = {{EX, 0, "issue", LE "; validationmethods="}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED,
	         .warn = W(CAA_WARN_METHODS), .reason = DENY(EX)},
	        {"R-methx", EX,
	         .rr = {{EX, 0, "issue", LE "; validationmethods=http_01"}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED,
	         .warn = W(CAA_WARN_METHODS), .reason = DENY(EX)},
	        {"R-meth,", EX,
	         .rr = {{EX, 0, "issue",
	                 LE "; validationmethods=dns-01,,http-01"}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED,
	         .warn = W(CAA_WARN_METHODS), .reason = DENY(EX)},
	        {"R-methu", EX,
	         .rr = {{EX, 0, "issue",
	                 LE "; validationmethods=foo-99,http-01"}},
	         .rfc = CAA_ALLOWED, .boulder = CAA_ALLOWED,
	         .warn = W(CAA_WARN_METHOD_UNKNOWN), .reason = PERMIT(EX)},
	        {"R-dot", EX, .rr = {{EX, 0, "issue", LE "."}},
	         .rfc = CAA_DENIED, .boulder = CAA_DENIED,
	         .warn = W(CAA_WARN_ISSUER_DOT), .reason = DENY(EX)},
	        {"R-empty", EX, .rr = {{EX, 0, "issue", ""}}, .rfc = CAA_DENIED,
	         .boulder = CAA_DENIED, .warn = NOW, .reason = DENY(EX)},
	        {"R-iodef", EX, .rr = {{EX, 0, "iodef", "ftp://x." EX "/"}},
	         .rfc = CAA_ALLOWED, .boulder = CAA_ALLOWED,
	         .warn = W(CAA_WARN_IODEF), .reason = NORESTRICT(EX)},
	        {"R-wiod", "*." EX,
	         .rr = {{EX, 0, "iodef", "mailto:security@" EX}},
	         .rfc = CAA_ALLOWED, .boulder = CAA_ALLOWED, .warn = NOW,
	         .reason = NORESTRICT(EX)},
	        {"R-vmc", EX, .rr = {{EX, 128, "IssueVMC", LE}},
	         .rfc = CAA_DENIED, .boulder = CAA_ALLOWED, .warn = NOW,
	         .reason = DENY(EX)},
	        {"R-tldnx", "host.example.nxtld", .rfc = CAA_ALLOWED,
	         .boulder = CAA_LOOKUP_FAILED, .warn = NOW, .reason = NOCAA},
	        {"R-tldnx2", "host.example.nxtld",
	         .rr = {{"example.nxtld", 0, "issue", LE}}, .rfc = CAA_ALLOWED,
	         .boulder = CAA_ALLOWED, .warn = NOW,
	         .reason = PERMIT("example.nxtld")},
	        {"R-above", "host." EX, .rr = {{EX, 0, "issue", LE}},
	         .fault = {{"test", CAA_LOOKUP_RCODE, 2, 0}},
	         .rfc = CAA_ALLOWED, .boulder = CAA_ALLOWED,
	         .warn = W(CAA_WARN_LOOKUP_ABOVE), .reason = PERMIT(EX)},
	        {"R-below", "host." EX, .rr = {{"test", 0, "issue", LE}},
	         .fault = {{EX, CAA_LOOKUP_RCODE, 2, 0}},
	         .rfc = CAA_LOOKUP_FAILED, .boulder = CAA_LOOKUP_FAILED,
	         .warn = NOW,
	         .reason = "DNS problem: SERVFAIL looking up CAA for " EX
	                   " - the domain's nameservers may be malfunctioning"},
	        {"R-nxdom", "host." EX, .rr = {{EX, 0, "issue", LE}},
	         .fault = {{"host." EX, CAA_LOOKUP_RCODE, 3, 0}},
	         .rfc = CAA_ALLOWED, .boulder = CAA_ALLOWED, .warn = NOW,
	         .reason = PERMIT(EX)},
	};

	return cr_make_param_array(struct tcase, cases,
	                           sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct tcase *tc, caa_cases, verdicts)
{
	static const enum caa_policy policies[] = {CAA_POLICY_RFC8659,
	                                           CAA_POLICY_BOULDER};
	struct caa_result r[2];

	for (size_t p = 0; p < 2; p++) {
		enum caa_verdict want = p == 0 ? tc->rfc : tc->boulder;
		const struct caa_warning *d;
		char head[CAA_WARNING_LEN];

		case_run(tc, policies[p], &r[p]);
		cr_assert_eq(r[p].verdict, want,
		             "%s under %s: %s, want %s (%s)", tc->id,
		             caa_policy_name(policies[p]),
		             caa_verdict_name(r[p].verdict),
		             caa_verdict_name(want), r[p].reason);
		d = find_warning(&r[p].warnings, CAA_WARN_POLICY_DIFFERS);
		if (tc->rfc != tc->boulder) {
			cr_assert_not_null(d, "%s: no policy warning under %s",
			                   tc->id,
			                   caa_policy_name(policies[p]));
			(void)snprintf(head, sizeof(head),
			               "%s: under %s the verdict would be %s (",
			               p == 0 ? CAA_DIFFERS_BOULDER
			                      : CAA_DIFFERS_RFC8659,
			               p == 0 ? "boulder" : "rfc8659",
			               caa_verdict_name(p == 0 ? tc->boulder
			                                       : tc->rfc));
			cr_assert(strncmp(d->message, head, strlen(head)) == 0,
			          "%s: %s", tc->id, d->message);
			cr_assert_eq(r[p].warnings.item[0].code,
			             CAA_WARN_POLICY_DIFFERS, "%s: not first",
			             tc->id);
		} else {
			cr_assert_null(d, "%s: policy warning under %s: %s",
			               tc->id, caa_policy_name(policies[p]),
			               d != NULL ? d->message : "");
		}
		if (tc->warn != NOW) {
			enum caa_warn code = (enum caa_warn)(tc->warn - 1);

			cr_assert(has_warning(&r[p], code),
			          "%s: no %s warning under %s", tc->id,
			          caa_warn_name(code),
			          caa_policy_name(policies[p]));
		}
		if (r[p].verdict != CAA_ALLOWED ||
		    strcmp(r[p].reason, NOCAA) != 0) {
			cr_assert_geq(r[p].candidate, 0, "%s", tc->id);
		}
	}
	cr_assert_str_eq(r[0].reason, tc->reason, "%s", tc->id);
	if (tc->rfc == tc->boulder) {
		cr_assert_str_eq(r[1].reason, r[0].reason, "%s", tc->id);
		cr_assert_eq(r[1].record, r[0].record, "%s", tc->id);
	}
}

/* ------------------------------------------------------------------ */
/* RDATA                                                              */
/* ------------------------------------------------------------------ */

Test(caa_record, parses_flags_tag_value)
{
	static const uint8_t rd[] = {128, 5,   'i', 's', 's', 'u', 'e',
	                             'c', 'a', '.', 't', 'e', 's', 't'};
	struct caa_record r;

	cr_assert_eq(caa_record_parse(rd, sizeof(rd), &r), CAA_OK);
	cr_assert_eq(r.flags, 128);
	cr_assert_eq(r.tag_len, 5);
	cr_assert_eq(memcmp(r.tag, "issue", 5), 0);
	cr_assert_eq(r.value_len, 7);
	cr_assert_eq(memcmp(r.value, "ca.test", 7), 0);
	cr_assert_eq(r.tag, rd + 2, "borrows the RDATA");
}

Test(caa_record, malformed_rdata_is_a_status)
{
	static const uint8_t zero_tag[] = {0, 0, 'x'};
	static const uint8_t past_end[] = {0, 9, 'i', 's', 's'};
	static const uint8_t one[] = {0};
	struct caa_record r;

	cr_assert_eq(caa_record_parse(NULL, 0, &r), CAA_ERR_RDATA_SHORT);
	cr_assert_eq(caa_record_parse(one, 1, &r), CAA_ERR_RDATA_SHORT);
	cr_assert_eq(caa_record_parse(zero_tag, 2, &r),
	             CAA_ERR_RDATA_TAG_EMPTY);
	cr_assert_eq(caa_record_parse(zero_tag, sizeof(zero_tag), &r),
	             CAA_ERR_RDATA_TAG_EMPTY);
	cr_assert_eq(caa_record_parse(past_end, sizeof(past_end), &r),
	             CAA_ERR_RDATA_TAG_TRUNC);
	cr_assert_eq(r.tag, NULL, "zeroed on error");
	cr_assert_eq(caa_record_parse(past_end, sizeof(past_end), NULL),
	             CAA_ERR_ARG);
}

Test(caa_record, tag_fills_rdata_value_empty)
{
	static const uint8_t rd[] = {0, 3, 'f', 'o', 'o'};
	struct caa_record r;

	cr_assert_eq(caa_record_parse(rd, sizeof(rd), &r), CAA_OK);
	cr_assert_eq(r.value_len, 0);
	cr_assert_eq(caa_tag_kind(r.tag, r.tag_len), CAA_TAG_OTHER);
}

Test(caa_record, tag_of_255_arbitrary_bytes)
{
	uint8_t tag[255];
	uint8_t wire[400];
	size_t len = 0;
	struct caa_record r;

	for (size_t i = 0; i < sizeof(tag); i++) {
		tag[i] = (uint8_t)(i * 7 + 1); /* NUL-free, non-ASCII too */
	}
	cr_assert_eq(caa_rdata_write(0, tag, sizeof(tag), (const uint8_t *)"v",
	                             1, wire, sizeof(wire), &len),
	             CAA_OK);
	cr_assert_eq(len, 2 + 255 + 1);
	cr_assert_eq(caa_record_parse(wire, len, &r), CAA_OK);
	cr_assert_eq(r.tag_len, 255);
	cr_assert_eq(memcmp(r.tag, tag, 255), 0);
	cr_assert_eq(r.value_len, 1);
	cr_assert_eq(r.value[0], 'v');
}

Test(caa_record, write_rejects_bad_sizes)
{
	uint8_t tag[256];
	uint8_t out[8];
	size_t len = 99;

	memset(tag, 'a', sizeof(tag));
	cr_assert_eq(
	        caa_rdata_write(0, tag, 0, NULL, 0, out, sizeof(out), &len),
	        CAA_ERR_TAG_LENGTH);
	cr_assert_eq(
	        caa_rdata_write(0, tag, 256, NULL, 0, out, sizeof(out), &len),
	        CAA_ERR_TAG_LENGTH);
	cr_assert_eq(caa_rdata_write(0, tag, 5, tag, 5, out, sizeof(out), &len),
	             CAA_ERR_SPACE);
	cr_assert_eq(len, 12, "tells how much is needed");
	cr_assert_eq(caa_rdata_write(0, tag, 5, tag, 65535 - 6, out,
	                             sizeof(out), &len),
	             CAA_ERR_RDATA_LONG);
}

Test(caa_record, tags_compare_case_insensitively)
{
	cr_assert_eq(caa_tag_kind((const uint8_t *)"IsSuE", 5), CAA_TAG_ISSUE);
	cr_assert_eq(caa_tag_kind((const uint8_t *)"ISSUEWILD", 9),
	             CAA_TAG_ISSUEWILD);
	cr_assert_eq(caa_tag_kind((const uint8_t *)"Iodef", 5), CAA_TAG_IODEF);
	cr_assert_eq(caa_tag_kind((const uint8_t *)"issue\0", 6),
	             CAA_TAG_OTHER);
	cr_assert_eq(caa_tag_kind((const uint8_t *)"issu", 4), CAA_TAG_OTHER);
	cr_assert_eq(caa_tag_kind((const uint8_t *)"is-sue", 6), CAA_TAG_OTHER);
}

/* ------------------------------------------------------------------ */
/* Escaping                                                            */
/* ------------------------------------------------------------------ */

Test(caa_escape, script_stays_visible_quotes_escaped)
{
	static const char xss[] = "<script>alert('Wheeeeee')</script>";
	static const uint8_t odd[] = {'a', '"', 'b', '\\', 0, 0x7f, 0xff, '\n'};
	char out[128];

	cr_assert_eq(
	        caa_escape((const uint8_t *)xss, strlen(xss), out, sizeof(out)),
	        strlen(xss));
	cr_assert_str_eq(out, xss);
	cr_assert_eq(caa_escape(odd, sizeof(odd), out, sizeof(out)), 22);
	cr_assert_str_eq(out, "a\\\"b\\\\\\000\\127\\255\\010");
}

Test(caa_escape, truncates_like_snprintf)
{
	char out[4];

	cr_assert_eq(caa_escape((const uint8_t *)"abcdef", 6, out, sizeof(out)),
	             6);
	cr_assert_str_eq(out, "abc");
	cr_assert_eq(caa_escape((const uint8_t *)"abcdef", 6, NULL, 0), 6);
}

/* ------------------------------------------------------------------ */
/* issue values                                                        */
/* ------------------------------------------------------------------ */

struct issue_case {
	const char *value;
	bool ok;
	const char *issuer; /* when ok */
	size_t nparams;
};

Test(caa_issue, grammar)
{
	static const struct issue_case cases[] = {
	        {LE, true, LE, 0},
	        {"", true, "", 0},
	        {";", true, "", 0},
	        {" \t ; \t", true, "", 0},
	        {"  " LE "\t;foo=bar;baz=bar", true, LE, 2},
	        {LE "; policy=ev; foo=b1,b2,b3", true, LE, 2},
	        {LE ";a=", true, LE, 1},
	        {LE "; a = b ; c=d=e  ", true, LE, 2},
	        {"; accounturi=x", true, "", 1},
	        {"a--b.c0", true, "a--b.c0", 0},
	        {"1.2", true, "1.2", 0},
	        {LE "; foo-bar=1", true, LE, 1},
	        {LE "; a=!\"#$%&'()*+,-./:<=>?@[\\]^_`{|}~", true, LE, 1},
	        {LE ".", false, NULL, 0},
	        {"." LE, false, NULL, 0},
	        {"a..b", false, NULL, 0},
	        {"-a.test", false, NULL, 0},
	        {"a-.test", false, NULL, 0},
	        {"%%%%%", false, NULL, 0},
	        {"<script>alert('Wheeeeee')</script>", false, NULL, 0},
	        {LE " x", false, NULL, 0},
	        {LE "; ab=1 2 3", false, NULL, 0},
	        {LE "; policy", false, NULL, 0},
	        {LE "; a_b=1", false, NULL, 0},
	        {LE "; -a=1", false, NULL, 0},
	        {LE "; a-=1", false, NULL, 0},
	        {LE "; =1", false, NULL, 0},
	        {LE "; a=1;", false, NULL, 0},
	        {LE "; a=1;; b=2", false, NULL, 0},
	        {LE "; a=\x7f", false, NULL, 0},
	        {"l\xc3\xa9t.test", false, NULL, 0},
	        {LE "\n", false, NULL, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct issue_case *c = &cases[i];
		struct caa_issue is;
		enum caa_status st = caa_issue_parse((const uint8_t *)c->value,
		                                     strlen(c->value), &is);

		cr_assert_eq(st == CAA_OK, c->ok, "\"%s\": %s", c->value,
		             caa_strerror(st));
		if (!c->ok) {
			cr_assert_eq(st, CAA_ERR_ISSUE_SYNTAX);
			cr_assert_eq(is.issuer_len, 0);
			cr_assert_eq(is.nparams, 0);
			cr_assert_leq(is.error_at, strlen(c->value));
			continue;
		}
		cr_assert_eq(is.issuer_len, strlen(c->issuer), "\"%s\"",
		             c->value);
		cr_assert_eq(memcmp(is.issuer == NULL ? "" : is.issuer,
		                    c->issuer, is.issuer_len),
		             0);
		cr_assert_eq(is.nparams, c->nparams, "\"%s\"", c->value);
	}
}

Test(caa_issue, error_offset_points_at_the_fault)
{
	struct caa_issue is;
	const char *v = LE "; ab=1 2 3";

	cr_assert_eq(caa_issue_parse((const uint8_t *)v, strlen(v), &is),
	             CAA_ERR_ISSUE_SYNTAX);
	cr_assert_eq(is.error_at, strlen(LE "; ab=1 "));
}

Test(caa_issue, parameters_iterate_in_order)
{
	const char *v = " ca.test ;  accounturi = https://a/1 ;x=;Y-Z=a=b ";
	struct caa_issue is;
	struct caa_param p;
	size_t pos = 0;

	cr_assert_eq(caa_issue_parse((const uint8_t *)v, strlen(v), &is),
	             CAA_OK);
	cr_assert_eq(is.nparams, 3);
	cr_assert(caa_issue_param_next(&is, &pos, &p));
	cr_assert_eq(p.tag_len, 10);
	cr_assert_eq(memcmp(p.tag, "accounturi", 10), 0);
	cr_assert_eq(p.value_len, 11);
	cr_assert_eq(memcmp(p.value, "https://a/1", 11), 0);
	cr_assert(caa_issue_param_next(&is, &pos, &p));
	cr_assert_eq(p.tag_len, 1);
	cr_assert_eq(p.value_len, 0);
	cr_assert(caa_issue_param_next(&is, &pos, &p));
	cr_assert_eq(memcmp(p.tag, "Y-Z", 3), 0);
	cr_assert_eq(p.value_len, 3);
	cr_assert_eq(memcmp(p.value, "a=b", 3), 0);
	cr_assert_not(caa_issue_param_next(&is, &pos, &p));
	cr_assert_not(caa_issue_param_next(&is, &pos, &p));
}

/* ------------------------------------------------------------------ */
/* Evaluation details the table does not show                          */
/* ------------------------------------------------------------------ */

Test(caa_eval, empty_rrset_allows)
{
	struct caa_request req = request(CAA_POLICY_RFC8659);
	struct caa_result r;

	cr_assert_eq(caa_evaluate(&req, false, NULL, NULL, 0, &r), CAA_OK);
	cr_assert_eq(r.verdict, CAA_ALLOWED);
	cr_assert_eq(r.record, -1);
	cr_assert_str_eq(r.reason, NOCAA);
	cr_assert_eq(r.warnings.count, 0);
}

Test(caa_eval, bad_arguments)
{
	struct caa_request req = request(CAA_POLICY_RFC8659);
	struct rrset s = {0};
	struct caa_result r;

	set_add(&s, 0, "issue", LE);
	cr_assert_eq(caa_evaluate(NULL, false, EX, s.rec, 1, &r), CAA_ERR_ARG);
	cr_assert_eq(caa_evaluate(&req, false, EX, s.rec, 1, NULL),
	             CAA_ERR_ARG);
	cr_assert_eq(caa_evaluate(&req, false, NULL, s.rec, 1, &r),
	             CAA_ERR_ARG);
	cr_assert_eq(caa_evaluate(&req, false, EX, NULL, 1, &r), CAA_ERR_ARG);
	req.nissuers = 0;
	cr_assert_eq(caa_evaluate(&req, false, EX, s.rec, 1, &r), CAA_ERR_ARG);
	req = request((enum caa_policy)7);
	cr_assert_eq(caa_evaluate(&req, false, EX, s.rec, 1, &r), CAA_ERR_ARG);
}

Test(caa_eval, any_of_several_issuer_names)
{
	static const char *const names[] = {"ca.test", "pki.ca.test"};
	struct caa_request req = request(CAA_POLICY_BOULDER);
	struct rrset s = {0};
	struct caa_result r;

	req.issuers = names;
	req.nissuers = 2;
	set_add(&s, 0, "issue", "otherca.test");
	set_add(&s, 0, "issue", "pki.ca.test");
	cr_assert_eq(caa_evaluate(&req, false, EX, s.rec, s.n, &r), CAA_OK);
	cr_assert_eq(r.verdict, CAA_ALLOWED);
	cr_assert_eq(r.record, 1);
	cr_assert_str_eq(r.reason, "CAA record for " EX
	                           " permits issuance by pki.ca.test");
}

Test(caa_eval, deciding_record_when_denied)
{
	struct rrset s = {0};
	struct caa_result r;

	set_add(&s, 0, "iodef", "mailto:a@" EX);
	set_add(&s, 0, "issue", "otherca.test");
	set_add(&s, 0, "issue", "ca2.test");
	r = eval_set(CAA_POLICY_RFC8659, false, &s);
	cr_assert_eq(r.verdict, CAA_DENIED);
	cr_assert_eq(r.record, 1, "the first applicable record");

	set_add(&s, 128, "future", "x");
	r = eval_set(CAA_POLICY_RFC8659, false, &s);
	cr_assert_eq(r.record, 3, "the critical unknown record");
}

Test(caa_eval, issuer_case_and_dot_warn_under_both_policies)
{
	for (int p = 0; p < 2; p++) {
		struct rrset s = {0};
		struct caa_result r;
		const struct caa_warning *w;

		set_add(&s, 0, "issue", "LetsEncrypt.org");
		set_add(&s, 0, "issue", LE ".");
		set_add(&s, 0, "issue", "OtherCA.test");
		r = eval_set((enum caa_policy)p, false, &s);
		cr_assert_eq(r.verdict, CAA_DENIED, "exact comparison");
		w = find_warning(&r.warnings, CAA_WARN_ISSUER_CASE);
		cr_assert_not_null(w);
		cr_assert_eq(w->record, 0);
		cr_assert_not_null(strstr(w->message, "only in letter case"));
		w = find_warning(&r.warnings, CAA_WARN_ISSUER_DOT);
		cr_assert_not_null(w);
		cr_assert_eq(w->record, 1);
		cr_assert_eq(r.warnings.count, 3, "one each: %s",
		             r.warnings.item[r.warnings.count - 1].message);
		cr_assert_eq(r.warnings.item[2].record, 2);
	}
}

Test(caa_eval, bit1_warning_names_both_readings)
{
	struct rrset s = {0};
	struct caa_result r;
	const struct caa_warning *w;

	set_add(&s, 0, "issue", LE);
	set_add(&s, 1, "tbs", "Unknown");
	r = eval_set(CAA_POLICY_RFC8659, false, &s);
	cr_assert_eq(r.verdict, CAA_ALLOWED);
	w = find_warning(&r.warnings, CAA_WARN_FLAG_BIT1);
	cr_assert_not_null(w);
	cr_assert_eq(w->record, 1);
	cr_assert_not_null(strstr(w->message, "Let's Encrypt"));
	cr_assert_null(find_warning(&r.warnings, CAA_WARN_CRITICAL_UNKNOWN));
	cr_assert_eq(r.warnings.item[0].record, 1,
	             "the policy warning points at the record");

	r = eval_set(CAA_POLICY_BOULDER, false, &s);
	cr_assert_eq(r.verdict, CAA_DENIED);
	cr_assert_eq(r.record, 1);
	cr_assert(has_warning(&r, CAA_WARN_CRITICAL_UNKNOWN));
	cr_assert(has_warning(&r, CAA_WARN_FLAG_BIT1));
}

Test(caa_eval, bit1_on_a_tag_lets_encrypt_knows_is_not_a_refusal)
{
	struct rrset s = {0};
	struct caa_result r;
	const struct caa_warning *w;

	set_add(&s, 0, "issue", LE);
	set_add(&s, 1, "issuemail", "otherca.test");
	r = eval_set(CAA_POLICY_RFC8659, false, &s);
	cr_assert_eq(r.verdict, CAA_ALLOWED);
	w = find_warning(&r.warnings, CAA_WARN_FLAG_BIT1);
	cr_assert_not_null(w);
	cr_assert_null(strstr(w->message, "refuses"), "%s", w->message);
	cr_assert_not_null(strstr(w->message, "knows the tag"), "%s",
	                   w->message);
	r = eval_set(CAA_POLICY_BOULDER, false, &s);
	cr_assert_eq(r.verdict, CAA_ALLOWED);
}

Test(caa_eval, bit1_on_known_tag_changes_nothing)
{
	struct rrset s = {0};
	struct caa_result r;

	set_add(&s, 1, "iodef", "https://report." EX "/caa");
	set_add(&s, 1, "issue", LE);
	for (int p = 0; p < 2; p++) {
		r = eval_set((enum caa_policy)p, false, &s);
		cr_assert_eq(r.verdict, CAA_ALLOWED);
		cr_assert_eq(r.warnings.count, 0, "%s",
		             r.warnings.item[0].message);
	}
}

Test(caa_eval, hyphenated_parameter_tag)
{
	struct rrset s = {0};
	struct caa_result r;

	set_add(&s, 0, "issue", LE "; x-policy=ev");
	r = eval_set(CAA_POLICY_BOULDER, false, &s);
	cr_assert_eq(r.verdict, CAA_DENIED);
	cr_assert_str_eq(r.warnings.item[0].message, CAA_DIFFERS_RFC8659
	                 ": under rfc8659 the verdict would "
	                 "be allowed (CAA record for " EX
	                 " permits issuance by " LE ")");
	cr_assert(has_warning(&r, CAA_WARN_PARAM_HYPHEN));
	r = eval_set(CAA_POLICY_RFC8659, false, &s);
	cr_assert_eq(r.verdict, CAA_ALLOWED);
	cr_assert_str_eq(r.warnings.item[0].message, CAA_DIFFERS_BOULDER
	                 ": under boulder the verdict would "
	                 "be denied (CAA record for " EX " prevents issuance)");

	/* Another record still authorizes: only the hyphenated one fails. */
	set_add(&s, 0, "issue", LE);
	r = eval_set(CAA_POLICY_BOULDER, false, &s);
	cr_assert_eq(r.verdict, CAA_ALLOWED);
	cr_assert_eq(r.record, 1);
	cr_assert(has_warning(&r, CAA_WARN_PARAM_HYPHEN));
	cr_assert_not(has_warning(&r, CAA_WARN_POLICY_DIFFERS));
}

Test(caa_eval, accounturi_case_is_fail_open_under_boulder)
{
	struct rrset s = {0};
	struct caa_result r;
	const struct caa_warning *w;

	set_add(&s, 0, "issue", LE "; AccountURI=" ACCT "9");
	r = eval_set(CAA_POLICY_BOULDER, false, &s);
	cr_assert_eq(r.verdict, CAA_ALLOWED);
	w = find_warning(&r.warnings, CAA_WARN_PARAM_CASE);
	cr_assert_not_null(w);
	cr_assert_not_null(strstr(w->message, "fail-open"));
	cr_assert_not_null(strstr(w->message, "AccountURI"));
	r = eval_set(CAA_POLICY_RFC8659, false, &s);
	cr_assert_eq(r.verdict, CAA_DENIED);
	w = find_warning(&r.warnings, CAA_WARN_PARAM_CASE);
	cr_assert_not_null(w);
	cr_assert_not_null(strstr(w->message, "fail-open"));
}

Test(caa_eval, no_method_or_account_given_fails_restricted_records)
{
	struct caa_request req = request(CAA_POLICY_RFC8659);
	struct rrset s = {0};
	struct caa_result r;

	req.method = NULL;
	req.account_uri = NULL;
	set_add(&s, 0, "issue", LE "; validationmethods=dns-01");
	set_add(&s, 0, "issue", "otherca.test; accounturi=" ACCT "1");
	cr_assert_eq(caa_evaluate(&req, false, EX, s.rec, s.n, &r), CAA_OK);
	cr_assert_eq(r.verdict, CAA_DENIED);
	cr_assert_eq(r.warnings.count, 1, "only for our issuer");
	cr_assert_eq(r.warnings.item[0].code, CAA_WARN_PARAM_UNCHECKED);
	cr_assert_eq(r.warnings.item[0].record, 0);

	set_add(&s, 0, "issue", LE);
	cr_assert_eq(caa_evaluate(&req, false, EX, s.rec, s.n, &r), CAA_OK);
	cr_assert_eq(r.verdict, CAA_ALLOWED);
	cr_assert_eq(r.record, 2);
}

Test(caa_eval, known_tags_from_caller_and_boulder)
{
	static const char *const known[] = {"contactemail", "contactphone"};
	struct caa_request req = request(CAA_POLICY_RFC8659);
	struct rrset s = {0};
	struct caa_result r;

	set_add(&s, 128, "ContactPhone", "+1 555");
	set_add(&s, 128, "issuemail", LE);
	set_add(&s, 0, "issue", LE);
	req.known_tags = known;
	req.nknown_tags = 2;
	cr_assert_eq(caa_evaluate(&req, false, EX, s.rec, s.n, &r), CAA_OK);
	cr_assert_eq(r.verdict, CAA_DENIED, "issuemail unknown to RFC 8659");
	cr_assert_eq(r.record, 1);
	cr_assert_not_null(
	        strstr(r.warnings.item[1].message, "Let's Encrypt knows it"),
	        "%s", r.warnings.item[1].message);
	req.policy = CAA_POLICY_BOULDER;
	cr_assert_eq(caa_evaluate(&req, false, EX, s.rec, s.n, &r), CAA_OK);
	cr_assert_eq(r.verdict, CAA_ALLOWED);
	cr_assert_eq(r.record, 2);
}

Test(caa_eval, iodef_forms)
{
	static const struct {
		const char *value;
		bool ok;
	} forms[] = {
	        {"mailto:security@example.test", true},
	        {"MAILTO:a@b", true},
	        {"https://report.example.test/caa", true},
	        {"http://report.example.test", true},
	        {"mailto:", false},
	        {"mailto:nobody", false},
	        {"mailto:@example.test", false},
	        {"security@example.test", false},
	        {"https://", false},
	        {"https:///path", false},
	        {"ftp://example.test/", false},
	        {"https://exa mple.test/", false},
	        {"", false},
	};

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		struct rrset s = {0};
		struct caa_result r;

		set_add(&s, 0, "iodef", forms[i].value);
		r = eval_set(CAA_POLICY_RFC8659, false, &s);
		cr_assert_eq(r.verdict, CAA_ALLOWED);
		cr_assert_eq(has_warning(&r, CAA_WARN_IODEF), !forms[i].ok,
		             "iodef \"%s\"", forms[i].value);
	}
}

Test(caa_eval, warnings_are_bounded)
{
	struct rrset s = {0};
	struct caa_result r;
	char tag[16];

	for (int i = 0; i < 40; i++) {
		(void)snprintf(tag, sizeof(tag), "x%d", i);
		set_add(&s, 0, tag, "v");
	}
	set_add(&s, 1, "tbs", "v");
	r = eval_set(CAA_POLICY_RFC8659, false, &s);
	cr_assert_eq(r.verdict, CAA_ALLOWED);
	cr_assert_eq(r.warnings.count, CAA_WARNINGS_MAX);
	cr_assert_eq(r.warnings.lost, 41 + 1 - CAA_WARNINGS_MAX);
	cr_assert_eq(r.warnings.item[0].code, CAA_WARN_POLICY_DIFFERS,
	             "kept first even when full");
}

Test(caa_eval, long_values_are_shortened_and_escaped)
{
	char value[250];
	struct rrset s = {0};
	struct caa_result r;
	const struct caa_warning *w;

	memset(value, 'a', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	value[3] = '"';
	set_add(&s, 0, "issue", value);
	r = eval_set(CAA_POLICY_RFC8659, false, &s);
	w = find_warning(&r.warnings, CAA_WARN_ISSUE_MALFORMED);
	cr_assert_not_null(w);
	cr_assert_not_null(strstr(w->message, "\"aaa\\\"aaaa"));
	cr_assert_not_null(strstr(w->message, "...\""));
	cr_assert_lt(strlen(w->message), 200);
}

/* ------------------------------------------------------------------ */
/* Candidate names                                                     */
/* ------------------------------------------------------------------ */

Test(caa_climb, candidates_up_to_the_tld)
{
	struct caa_candidates c;

	cr_assert_eq(caa_candidates_build("Host.Example.TEST.", &c), CAA_OK);
	cr_assert_not(c.wildcard);
	cr_assert_eq(c.count, 3);
	cr_assert_str_eq(caa_candidate(&c, 0), "host.example.test");
	cr_assert_str_eq(caa_candidate(&c, 1), "example.test");
	cr_assert_str_eq(caa_candidate(&c, 2), "test");
	cr_assert_null(caa_candidate(&c, 3));
}

Test(caa_climb, wildcard_starts_at_the_base)
{
	struct caa_candidates c;

	cr_assert_eq(caa_candidates_build("*.WWW.example.test", &c), CAA_OK);
	cr_assert(c.wildcard);
	cr_assert_eq(c.count, 3);
	cr_assert_str_eq(caa_candidate(&c, 0), "www.example.test");
	cr_assert_str_eq(caa_candidate(&c, 2), "test");
	cr_assert_eq(caa_candidates_build("*.test", &c), CAA_OK);
	cr_assert(c.wildcard);
	cr_assert_eq(c.count, 1);
	cr_assert_eq(caa_candidates_build("test", &c), CAA_OK);
	cr_assert_eq(c.count, 1);
	cr_assert_eq(caa_candidates_build("_acme.x-y.test", &c), CAA_OK);
}

Test(caa_climb, bad_names)
{
	static const struct {
		const char *name;
		enum caa_status st;
	} bad[] = {
	        {"", CAA_ERR_NAME_EMPTY},
	        {".", CAA_ERR_NAME_EMPTY},
	        {"*.", CAA_ERR_NAME_EMPTY},
	        {"a..test", CAA_ERR_NAME_LABEL_EMPTY},
	        {".test", CAA_ERR_NAME_LABEL_EMPTY},
	        {"test..", CAA_ERR_NAME_LABEL_EMPTY},
	        {"*", CAA_ERR_NAME_WILDCARD},
	        {"*.*.test", CAA_ERR_NAME_WILDCARD},
	        {"a.*.test", CAA_ERR_NAME_WILDCARD},
	        {"a b.test", CAA_ERR_NAME_CHAR},
	        {"a\\.test", CAA_ERR_NAME_CHAR},
	        {"caf\xc3\xa9.test", CAA_ERR_NAME_CHAR},
	        {"a\tb", CAA_ERR_NAME_CHAR},
	};
	struct caa_candidates c;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(
		        caa_candidates_build(bad[i].name, &c), bad[i].st,
		        "\"%s\": %s", bad[i].name,
		        caa_strerror(caa_candidates_build(bad[i].name, &c)));
		cr_assert_eq(c.count, 0);
	}
	cr_assert_eq(caa_candidates_build(NULL, &c), CAA_ERR_ARG);
}

Test(caa_climb, length_limits)
{
	char name[300];
	struct caa_candidates c;

	/* 63-octet label fits, 64 does not. */
	memset(name, 'a', 63);
	(void)snprintf(name + 63, sizeof(name) - 63, ".test");
	cr_assert_eq(caa_candidates_build(name, &c), CAA_OK);
	memset(name, 'a', 64);
	(void)snprintf(name + 64, sizeof(name) - 64, ".test");
	cr_assert_eq(caa_candidates_build(name, &c), CAA_ERR_NAME_LABEL_LONG);

	/* 127 one-letter labels: 253 characters, the most a name holds. */
	for (size_t i = 0; i < 127; i++) {
		name[2 * i] = 'a';
		name[2 * i + 1] = '.';
	}
	name[253] = '\0';
	cr_assert_eq(caa_candidates_build(name, &c), CAA_OK);
	cr_assert_eq(c.count, CAA_CANDIDATES_MAX);
	cr_assert_str_eq(caa_candidate(&c, 126), "a");
	name[253] = '.';
	name[254] = '\0';
	cr_assert_eq(caa_candidates_build(name, &c), CAA_OK, "final dot");
	name[254] = 'a';
	name[255] = '\0';
	cr_assert_eq(caa_candidates_build(name, &c), CAA_ERR_NAME_LONG);
}

/* ------------------------------------------------------------------ */
/* Selection of the relevant RRset                                     */
/* ------------------------------------------------------------------ */

static void
lookups_init(struct caa_lookup *l, size_t n)
{
	memset(l, 0, n * sizeof(*l));
	for (size_t i = 0; i < n; i++) {
		l[i].kind = CAA_LOOKUP_EMPTY;
		l[i].ede = -1;
	}
}

Test(caa_select, first_nonempty_set_wins)
{
	struct caa_candidates c;
	struct caa_lookup l[4];
	struct caa_selection s;
	struct rrset set = {0};

	set_add(&set, 0, "issue", LE);
	cr_assert_eq(caa_candidates_build("a.b.example.test", &c), CAA_OK);
	lookups_init(l, 4);
	l[0].kind = CAA_LOOKUP_NXDOMAIN;
	l[2].kind = CAA_LOOKUP_RECORDS;
	l[2].records = set.rec;
	l[2].nrecords = 1;
	l[3].kind = CAA_LOOKUP_RECORDS;
	l[3].records = set.rec;
	l[3].nrecords = 1;
	cr_assert_eq(caa_select(&c, l, CAA_POLICY_BOULDER, &s), CAA_OK);
	cr_assert_eq(s.outcome, CAA_SELECT_FOUND);
	cr_assert_eq(s.candidate, 2);
	cr_assert_eq(s.warnings.count, 0);
}

Test(caa_select, nothing_anywhere)
{
	struct caa_candidates c;
	struct caa_lookup l[3];
	struct caa_selection s;

	cr_assert_eq(caa_candidates_build("host.example.test", &c), CAA_OK);
	lookups_init(l, 3);
	l[0].kind = CAA_LOOKUP_NXDOMAIN;
	l[2].kind = CAA_LOOKUP_RECORDS; /* but no records: empty */
	cr_assert_eq(caa_select(&c, l, CAA_POLICY_BOULDER, &s), CAA_OK);
	cr_assert_eq(s.outcome, CAA_SELECT_NONE);
	cr_assert_eq(s.candidate, -1);
}

Test(caa_select, error_before_the_set_fails)
{
	struct caa_candidates c;
	struct caa_lookup l[3];
	struct caa_selection s;
	struct rrset set = {0};

	set_add(&set, 0, "issue", LE);
	cr_assert_eq(caa_candidates_build("host.example.test", &c), CAA_OK);
	lookups_init(l, 3);
	l[0].kind = CAA_LOOKUP_RCODE;
	l[0].rcode = 5;
	l[1].kind = CAA_LOOKUP_TIMEOUT;
	l[2].kind = CAA_LOOKUP_RECORDS;
	l[2].records = set.rec;
	l[2].nrecords = 1;
	cr_assert_eq(caa_select(&c, l, CAA_POLICY_RFC8659, &s), CAA_OK);
	cr_assert_eq(s.outcome, CAA_SELECT_FAILED);
	cr_assert_eq(s.candidate, 0, "the first error, from the name up");
	cr_assert_str_eq(s.error, "DNS problem: REFUSED looking up CAA for "
	                          "host.example.test");
}

Test(caa_select, errors_above_the_set_only_warn)
{
	struct caa_candidates c;
	struct caa_lookup l[3];
	struct caa_selection s;
	struct rrset set = {0};

	set_add(&set, 0, "issue", LE);
	cr_assert_eq(caa_candidates_build("host.example.test", &c), CAA_OK);
	lookups_init(l, 3);
	l[0].kind = CAA_LOOKUP_RECORDS;
	l[0].records = set.rec;
	l[0].nrecords = 1;
	l[1].kind = CAA_LOOKUP_TIMEOUT;
	l[2].kind = CAA_LOOKUP_RCODE;
	l[2].rcode = 2;
	cr_assert_eq(caa_select(&c, l, CAA_POLICY_RFC8659, &s), CAA_OK);
	cr_assert_eq(s.outcome, CAA_SELECT_FOUND);
	cr_assert_eq(s.candidate, 0);
	cr_assert_eq(s.warnings.count, 2);
	cr_assert_eq(s.warnings.item[0].code, CAA_WARN_LOOKUP_ABOVE);
	cr_assert_eq(s.warnings.item[0].candidate, 1);
	cr_assert_str_eq(s.warnings.item[0].message,
	                 "ignored, above the relevant RRset at "
	                 "host.example.test: DNS problem: query timed out "
	                 "looking up CAA for example.test");
	cr_assert_eq(s.warnings.item[1].candidate, 2);
}

Test(caa_select, tld_nxdomain_is_an_error_only_under_boulder)
{
	struct caa_candidates c;
	struct caa_lookup l[3];
	struct caa_selection s;

	cr_assert_eq(caa_candidates_build("host.example.zz", &c), CAA_OK);
	lookups_init(l, 3);
	l[0].kind = CAA_LOOKUP_NXDOMAIN;
	l[1].kind = CAA_LOOKUP_NXDOMAIN;
	l[2].kind = CAA_LOOKUP_NXDOMAIN;
	cr_assert_eq(caa_select(&c, l, CAA_POLICY_RFC8659, &s), CAA_OK);
	cr_assert_eq(s.outcome, CAA_SELECT_NONE);
	cr_assert_eq(caa_select(&c, l, CAA_POLICY_BOULDER, &s), CAA_OK);
	cr_assert_eq(s.outcome, CAA_SELECT_FAILED);
	cr_assert_eq(s.candidate, 2);
	cr_assert_str_eq(s.error, "DNS problem: NXDOMAIN looking up CAA for zz "
	                          "- check that a DNS record exists for this "
	                          "domain");
	/* Reported as RCODE 3, the same. */
	l[2].kind = CAA_LOOKUP_RCODE;
	l[2].rcode = 3;
	cr_assert_eq(caa_select(&c, l, CAA_POLICY_BOULDER, &s), CAA_OK);
	cr_assert_eq(s.outcome, CAA_SELECT_FAILED);
	cr_assert_eq(caa_select(&c, l, CAA_POLICY_RFC8659, &s), CAA_OK);
	cr_assert_eq(s.outcome, CAA_SELECT_NONE);
}

Test(caa_select, cname_and_outside_chain_warnings)
{
	struct caa_candidates c;
	struct caa_lookup l[2];
	struct caa_selection s;
	struct rrset set = {0};

	set_add(&set, 0, "issue", LE);
	cr_assert_eq(caa_candidates_build("example.test", &c), CAA_OK);
	lookups_init(l, 2);
	l[0].kind = CAA_LOOKUP_RECORDS;
	l[0].records = set.rec;
	l[0].nrecords = 1;
	l[0].also_cname = true;
	l[0].outside_chain = 2;
	cr_assert_eq(caa_select(&c, l, CAA_POLICY_RFC8659, &s), CAA_OK);
	cr_assert_eq(s.outcome, CAA_SELECT_FOUND);
	cr_assert_eq(s.warnings.count, 2);
	cr_assert_eq(s.warnings.item[0].code, CAA_WARN_CNAME_AND_CAA);
	cr_assert_eq(s.warnings.item[1].code, CAA_WARN_OUTSIDE_CHAIN);
	cr_assert_not_null(strstr(s.warnings.item[1].message, "2 CAA"));
}

Test(caa_select, bad_arguments)
{
	struct caa_candidates c;
	struct caa_lookup l[1];
	struct caa_selection s;

	cr_assert_eq(caa_candidates_build("test", &c), CAA_OK);
	lookups_init(l, 1);
	l[0].nrecords = 1; /* but no records pointer */
	cr_assert_eq(caa_select(&c, l, CAA_POLICY_RFC8659, &s), CAA_ERR_ARG);
	cr_assert_eq(caa_select(&c, NULL, CAA_POLICY_RFC8659, &s), CAA_ERR_ARG);
	cr_assert_eq(caa_select(NULL, l, CAA_POLICY_RFC8659, &s), CAA_ERR_ARG);
	cr_assert_eq(caa_select(&c, l, CAA_POLICY_RFC8659, NULL), CAA_ERR_ARG);
}

Test(caa_check, warnings_name_their_candidate)
{
	struct caa_request req = request(CAA_POLICY_RFC8659);
	struct caa_candidates c;
	struct caa_lookup l[3];
	struct caa_result r;
	struct rrset set = {0};

	set_add(&set, 0, "issue", "LetsEncrypt.org");
	cr_assert_eq(caa_candidates_build("*.host.example.test", &c), CAA_OK);
	lookups_init(l, 3);
	l[1].kind = CAA_LOOKUP_RECORDS;
	l[1].records = set.rec;
	l[1].nrecords = 1;
	l[2].kind = CAA_LOOKUP_RCODE;
	l[2].rcode = 2;
	cr_assert_eq(caa_check(&req, &c, l, &r), CAA_OK);
	cr_assert_eq(r.verdict, CAA_DENIED);
	cr_assert_eq(r.candidate, 1);
	cr_assert_eq(r.record, 0);
	cr_assert_str_eq(r.reason, DENY(EX));
	cr_assert_eq(r.warnings.count, 2);
	cr_assert_eq(r.warnings.item[0].code, CAA_WARN_LOOKUP_ABOVE);
	cr_assert_eq(r.warnings.item[0].candidate, 2);
	cr_assert_eq(r.warnings.item[1].code, CAA_WARN_ISSUER_CASE);
	cr_assert_eq(r.warnings.item[1].candidate, 1);
	cr_assert_eq(r.warnings.item[1].record, 0);
	cr_assert_eq(caa_check_verdict(&req, &c, l, &r), CAA_OK);
	cr_assert_eq(r.verdict, CAA_DENIED);
	cr_assert_eq(r.candidate, 1);
	cr_assert_str_eq(r.reason, DENY(EX));
	cr_assert_eq(r.warnings.count, 0);
	cr_assert_eq(caa_check_verdict(NULL, &c, l, &r), CAA_ERR_ARG);
}

Test(caa_check, lookup_failed_names_the_candidate)
{
	struct caa_request req = request(CAA_POLICY_BOULDER);
	struct caa_candidates c;
	struct caa_lookup l[2];
	struct caa_result r;

	cr_assert_eq(caa_candidates_build("example.test", &c), CAA_OK);
	lookups_init(l, 2);
	l[1].kind = CAA_LOOKUP_MALFORMED;
	cr_assert_eq(caa_check(&req, &c, l, &r), CAA_OK);
	cr_assert_eq(r.verdict, CAA_LOOKUP_FAILED);
	cr_assert_eq(r.candidate, 1);
	cr_assert_eq(r.record, -1);
	cr_assert_str_eq(r.reason, "DNS problem: malformed response looking "
	                           "up CAA for test");
	cr_assert_eq(caa_check(NULL, &c, l, &r), CAA_ERR_ARG);
}

/* ------------------------------------------------------------------ */
/* Lookup-failure wording                                              */
/* ------------------------------------------------------------------ */

static const char *
describe(enum caa_lookup_kind kind, int rcode, int ede, const char *text)
{
	static char buf[CAA_REASON_LEN];
	struct caa_lookup l = {
	        .kind = kind, .rcode = rcode, .ede = ede, .ede_text = text};

	(void)caa_lookup_describe(&l, "host.example.test", buf, sizeof(buf));
	return buf;
}

Test(caa_wording, rcodes_as_lets_encrypt_prints_them)
{
	cr_assert_str_eq(describe(CAA_LOOKUP_RCODE, 2, -1, NULL),
	                 "DNS problem: SERVFAIL looking up CAA for "
	                 "host.example.test - the domain's nameservers may be "
	                 "malfunctioning");
	cr_assert_str_eq(describe(CAA_LOOKUP_NXDOMAIN, 0, -1, NULL),
	                 "DNS problem: NXDOMAIN looking up CAA for "
	                 "host.example.test - check that a DNS record exists "
	                 "for this domain");
	cr_assert_str_eq(describe(CAA_LOOKUP_RCODE, 5, -1, NULL),
	                 "DNS problem: REFUSED looking up CAA for "
	                 "host.example.test");
	cr_assert_str_eq(describe(CAA_LOOKUP_RCODE, 4, -1, NULL),
	                 "DNS problem: NOTIMP looking up CAA for "
	                 "host.example.test");
	cr_assert_str_eq(describe(CAA_LOOKUP_RCODE, 1, -1, NULL),
	                 "DNS problem: FORMERR looking up CAA for "
	                 "host.example.test");
	cr_assert_str_eq(describe(CAA_LOOKUP_RCODE, 9, -1, NULL),
	                 "DNS problem: NOTAUTH looking up CAA for "
	                 "host.example.test");
	cr_assert_str_eq(describe(CAA_LOOKUP_RCODE, 14, -1, NULL),
	                 "DNS problem: RCODE14 looking up CAA for "
	                 "host.example.test");
}

Test(caa_wording, transport_failures)
{
	cr_assert_str_eq(describe(CAA_LOOKUP_TIMEOUT, 0, -1, NULL),
	                 "DNS problem: query timed out looking up CAA for "
	                 "host.example.test");
	cr_assert_str_eq(describe(CAA_LOOKUP_TRUNCATED, 0, -1, NULL),
	                 "DNS problem: response was truncated looking up CAA "
	                 "for host.example.test");
	cr_assert_str_eq(describe(CAA_LOOKUP_BAD_RDATA, 0, -1, NULL),
	                 "DNS problem: malformed CAA record looking up CAA for "
	                 "host.example.test");
	cr_assert_str_eq(describe(CAA_LOOKUP_MALFORMED, 0, -1, NULL),
	                 "DNS problem: malformed response looking up CAA for "
	                 "host.example.test");
	cr_assert_str_eq(describe(CAA_LOOKUP_CNAME_LOOP, 0, -1, NULL),
	                 "DNS problem: CNAME loop looking up CAA for "
	                 "host.example.test");
	cr_assert_str_eq(describe(CAA_LOOKUP_CNAME_LONG, 0, -1, NULL),
	                 "DNS problem: CNAME chain too long looking up CAA for "
	                 "host.example.test");
	cr_assert_str_eq(describe(CAA_LOOKUP_NETWORK, 0, -1, NULL),
	                 "DNS problem: networking error looking up CAA for "
	                 "host.example.test");
	cr_assert_str_eq(describe(CAA_LOOKUP_REFERRAL, 0, -1, NULL),
	                 "DNS problem: referral looking up CAA for "
	                 "host.example.test - the server asked is not "
	                 "authoritative for it and does not recurse");
	/* No answer, so no EDE: it is ignored. */
	cr_assert_str_eq(describe(CAA_LOOKUP_TIMEOUT, 0, 6, "x"),
	                 "DNS problem: query timed out looking up CAA for "
	                 "host.example.test");
}

Test(caa_wording, extended_dns_errors)
{
	cr_assert_str_eq(describe(CAA_LOOKUP_RCODE, 2, 6, NULL),
	                 "DNS problem: looking up CAA for host.example.test: "
	                 "DNSSEC: Bogus");
	cr_assert_str_eq(describe(CAA_LOOKUP_RCODE, 2, 6, ""),
	                 "DNS problem: looking up CAA for host.example.test: "
	                 "DNSSEC: Bogus");
	cr_assert_str_eq(describe(CAA_LOOKUP_RCODE, 2, 9, "no DNSKEY for x"),
	                 "DNS problem: looking up CAA for host.example.test: "
	                 "DNSSEC: DNSKEY Missing: no DNSKEY for x");
	cr_assert_str_eq(describe(CAA_LOOKUP_RCODE, 5, 18, "bad\nline"),
	                 "DNS problem: looking up CAA for host.example.test: "
	                 "Prohibited: bad\\010line");
	cr_assert_str_eq(describe(CAA_LOOKUP_RCODE, 2, 4242, NULL),
	                 "DNS problem: looking up CAA for host.example.test: "
	                 "Unknown Extended DNS Error code 4242");
	cr_assert_str_eq(describe(CAA_LOOKUP_NXDOMAIN, 0, 3, NULL),
	                 "DNS problem: looking up CAA for host.example.test: "
	                 "Stale Answer");
}

Test(caa_wording, every_rfc8914_code_has_a_name)
{
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

	for (int i = 0; i <= 24; i++) {
		cr_assert_str_eq(caa_ede_name(i), names[i], "code %d", i);
	}
	cr_assert_null(caa_ede_name(25));
	cr_assert_null(caa_ede_name(-1));
}

Test(caa_wording, non_errors_and_small_buffers)
{
	struct caa_lookup l = {.kind = CAA_LOOKUP_EMPTY, .ede = -1};
	char buf[24];

	cr_assert_eq(caa_lookup_describe(&l, "x.test", buf, sizeof(buf)),
	             CAA_ERR_ARG);
	cr_assert_str_eq(buf, "");
	l.kind = CAA_LOOKUP_RCODE;
	l.rcode = 0;
	cr_assert_eq(caa_lookup_describe(&l, "x.test", buf, sizeof(buf)),
	             CAA_ERR_ARG, "RCODE 0 is no error");
	l.rcode = 2;
	cr_assert_eq(caa_lookup_describe(&l, "x.test", buf, sizeof(buf)),
	             CAA_ERR_SPACE);
	cr_assert_eq(strlen(buf), sizeof(buf) - 1);
	cr_assert_eq(caa_lookup_describe(&l, NULL, buf, sizeof(buf)),
	             CAA_ERR_ARG);
	cr_assert_eq(caa_lookup_describe(&l, "x", NULL, 0), CAA_ERR_ARG);
}

/* ------------------------------------------------------------------ */
/* Names and messages                                                  */
/* ------------------------------------------------------------------ */

Test(caa_text, every_status_has_its_own_message)
{
	for (int i = CAA_OK; i <= CAA_ERR_NOMEM; i++) {
		const char *m = caa_strerror((enum caa_status)i);

		cr_assert_not_null(m);
		cr_assert_str_neq(m, "unknown status", "status %d", i);
		for (int j = CAA_OK; j < i; j++) {
			cr_assert_str_neq(m, caa_strerror((enum caa_status)j));
		}
	}
	cr_assert_str_eq(caa_strerror((enum caa_status)999), "unknown status");
}

Test(caa_text, verdicts_policies_warnings)
{
	enum caa_policy p;

	cr_assert_str_eq(caa_verdict_name(CAA_ALLOWED), "allowed");
	cr_assert_str_eq(caa_verdict_name(CAA_DENIED), "denied");
	cr_assert_str_eq(caa_verdict_name(CAA_LOOKUP_FAILED), "lookup-failed");
	cr_assert_str_eq(caa_verdict_name(CAA_INVALID), "invalid");
	cr_assert_eq(caa_policy_parse("boulder", &p), CAA_OK);
	cr_assert_eq(p, CAA_POLICY_BOULDER);
	cr_assert_eq(caa_policy_parse("rfc8659", &p), CAA_OK);
	cr_assert_eq(p, CAA_POLICY_RFC8659);
	cr_assert_eq(caa_policy_parse("RFC8659", &p), CAA_ERR_ARG);
	cr_assert_str_eq(caa_policy_name(CAA_POLICY_BOULDER), "boulder");
	for (int i = CAA_WARN_POLICY_DIFFERS; i <= CAA_WARN_OUTSIDE_CHAIN;
	     i++) {
		cr_assert_str_neq(caa_warn_name((enum caa_warn)i), "unknown");
	}
	cr_assert_str_eq(caa_rcode_name(2), "SERVFAIL");
	cr_assert_null(caa_rcode_name(12));
	cr_assert_null(caa_rcode_name(-1));
}

/* ------------------------------------------------------------------ */
/* The issuers an RRset allows                                         */
/* ------------------------------------------------------------------ */

/* caa_allowed_issuers() of S, joined by " " ("" for none). */
static void
allowed(const struct rrset *s, bool wildcard, char *buf, size_t size)
{
	struct caa_issuer iss[SET_MAX];
	size_t n = caa_allowed_issuers(s->rec, s->n, wildcard, iss, SET_MAX);
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		off += (size_t)snprintf(buf + off, size - off, "%s%.*s",
		                        i > 0 ? " " : "", (int)iss[i].len,
		                        iss[i].name);
	}
}

Test(caa_allowed, issuers_in_rrset_order_once)
{
	struct rrset s = {0};
	char buf[512];

	set_add(&s, 0, "issue", "b.test");
	set_add(&s, 0, "iodef", "mailto:x@a.test");
	set_add(&s, 0, "issue", " a.test; accounturi=x");
	set_add(&s, 0, "issue", ";");
	set_add(&s, 0, "issue", "b.test; validationmethods=dns-01");
	set_add(&s, 0, "ISSUE", "C.test");
	set_add(&s, 0, "issue", "bad.test.");
	set_add(&s, 0, "issue", "");
	set_add(&s, 128, "tbs", "x");
	allowed(&s, false, buf, sizeof(buf));
	cr_assert_str_eq(buf, "b.test a.test C.test");
	/* No issuewild: issue applies to a wildcard request too. */
	allowed(&s, true, buf, sizeof(buf));
	cr_assert_str_eq(buf, "b.test a.test C.test");
	/* With issuewild, only issuewild for a wildcard request. */
	set_add(&s, 0, "issuewild", "w.test");
	set_add(&s, 0, "issuewild", ";");
	allowed(&s, true, buf, sizeof(buf));
	cr_assert_str_eq(buf, "w.test");
	allowed(&s, false, buf, sizeof(buf));
	cr_assert_str_eq(buf, "b.test a.test C.test");
}

Test(caa_allowed, none_and_bounds)
{
	struct rrset s = {0};
	struct caa_issuer one[1];
	char buf[64];

	set_add(&s, 0, "issue", ";");
	allowed(&s, false, buf, sizeof(buf));
	cr_assert_str_eq(buf, "");
	cr_assert_eq(caa_allowed_issuers(NULL, 0, false, NULL, 0), 0);
	set_add(&s, 0, "issue", "a.test");
	set_add(&s, 0, "issue", "b.test");
	/* A short OUT: what fits, and how many there are. */
	cr_assert_eq(caa_allowed_issuers(s.rec, s.n, false, one, 1), 2);
	cr_assert_eq(one[0].len, 6);
	cr_assert_eq(memcmp(one[0].name, "a.test", 6), 0);
}

/* Warnings number records from 1, as people count. */
Test(caa_eval, warnings_number_records_from_one)
{
	struct rrset s = {0};
	struct caa_result r;

	set_add(&s, 0, "issue", LE);
	set_add(&s, 0, "dummytag", "x");
	set_add(&s, 0, "iodef", "not a url");
	r = eval_set(CAA_POLICY_RFC8659, false, &s);
	cr_assert_str_eq(
	        find_warning(&r.warnings, CAA_WARN_UNKNOWN_TAG)->message,
	        "record 2: unknown tag \"dummytag\" ignored");
	cr_assert_eq(find_warning(&r.warnings, CAA_WARN_UNKNOWN_TAG)->record, 1,
	             "the index stays 0-based");
	cr_assert_str_eq(find_warning(&r.warnings, CAA_WARN_IODEF)->message,
	                 "record 3: iodef \"not a url\" is not a mailto: or "
	                 "http(s): URL");
}

/* policy-differs with a reason too long for the message: shortened. */
Test(caa_eval, policy_differs_long_reason_shortened)
{
	static char name[254];
	static char issuer[200];
	const char *issuers[1] = {issuer};
	struct caa_request req = request(CAA_POLICY_RFC8659);
	struct rrset s = {0};
	struct caa_result r;
	const char *m;

	for (size_t i = 0; i < sizeof(name) - 1; i++) {
		name[i] = i % 10 == 9 ? '.' : 'n';
	}
	for (size_t i = 0; i < sizeof(issuer) - 1; i++) {
		issuer[i] = i % 10 == 9 ? '.' : 'i';
	}
	req.issuers = issuers;
	set_add(&s, 0, "issue", issuer);
	set_add(&s, 1, "dummytag", "x");
	cr_assert_eq(caa_evaluate(&req, false, name, s.rec, s.n, &r), CAA_OK);
	cr_assert_eq(r.verdict, CAA_ALLOWED);
	m = r.warnings.item[0].message;
	cr_assert_eq(r.warnings.item[0].code, CAA_WARN_POLICY_DIFFERS);
	cr_assert(strncmp(m,
	                  CAA_DIFFERS_BOULDER ": under boulder the verdict "
	                                      "would be denied (CAA record for "
	                                      "nnnnnnnnn.",
	                  strlen(CAA_DIFFERS_BOULDER) + 60) == 0,
	          "%s", m);
	cr_assert_eq(strlen(m), CAA_WARNING_LEN - 1, "%s", m);
	cr_assert_str_eq(m + strlen(m) - 4, "...)");
}
