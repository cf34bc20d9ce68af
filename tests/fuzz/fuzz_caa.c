/*
 * tests/fuzz/fuzz_caa.c -- the library "caa": the input is a list of CAA
 * RDATA (each prefixed by a 2-octet length), parsed with caa_record_parse()
 * and caa_issue_parse(), then evaluated under both policies for a plain and
 * a wildcard request, with and without RFC 8657 parameters, and the
 * issuers the RRset allows checked against the verdict.  The same
 * bytes, as a string, go through caa_ident_check(), and what it accepts is
 * checked: LDH labels of 1 to 63 octets, at most 253 in all, an optional
 * leading "*.", accepted again as itself; what it refuses leaves nothing.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "caa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXREC 32

/* Is NAME what an accepted identifier must be? */
static bool
fuzz_ident_ok(const struct caa_ident *id)
{
	const char *s = id->name;
	size_t label = 0;
	size_t len;

	if (id->wildcard != (s[0] == '*')) {
		return false;
	}
	if (id->wildcard) {
		if (s[1] != '.') {
			return false;
		}
		s += 2;
	}
	len = strlen(s);
	if (len == 0 || len > CAA_NAME_MAX || id->unicode[0] == '\0') {
		return false;
	}
	for (size_t i = 0; i <= len; i++) {
		char c = i < len ? s[i] : '.';

		if (c == '.') {
			if (label == 0 || label > 63 || s[i - 1] == '-' ||
			    s[i - label] == '-') {
				return false;
			}
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		           c == '-') {
			label++;
		} else {
			return false;
		}
	}
	return true;
}

static void
fuzz_ident(const uint8_t *data, size_t size)
{
	static struct caa_ident id;
	static struct caa_ident again;
	static struct caa_candidates cands;
	char *s = malloc(size + 1);
	enum caa_status st;

	if (s == NULL) {
		return;
	}
	memcpy(s, data, size);
	s[size] = '\0';
	st = caa_ident_check(s, &id);
	/* Never both: the same input, the same answer. */
	if (caa_ident_check(s, &again) != st ||
	    memcmp(&id, &again, sizeof(id)) != 0) {
		abort();
	}
	if (st == CAA_OK) {
		if (!fuzz_ident_ok(&id) ||
		    caa_ident_check(id.name, &again) != CAA_OK ||
		    strcmp(again.name, id.name) != 0 ||
		    strcmp(again.unicode, id.unicode) != 0 ||
		    caa_candidates_build(id.name, &cands) != CAA_OK) {
			abort();
		}
	} else if (st != CAA_ERR_NOMEM &&
	           (st < CAA_ERR_NAME_EMPTY || st == CAA_ERR_SPACE ||
	            st > CAA_ERR_NAME_RLDH || id.name[0] != '\0' ||
	            id.unicode[0] != '\0' || id.wildcard)) {
		abort();
	}
	free(s);
}

/*
 * caa_allowed_issuers() of RECS[0..N): at most N names, none empty, none
 * twice; and the issuer an allowed verdict names is among them (the same
 * choice of issue or issuewild as the evaluation).
 */
static void
fuzz_allowed(const struct caa_record *recs, size_t n, bool wildcard,
             const struct caa_result *res)
{
	struct caa_issuer iss[MAXREC];
	size_t count = caa_allowed_issuers(recs, n, wildcard, iss, MAXREC);
	const char *by = strstr(res->reason, " permits issuance by ");
	bool found = false;

	if (count > n) {
		abort();
	}
	for (size_t i = 0; i < count; i++) {
		if (iss[i].len == 0) {
			abort();
		}
		for (size_t k = 0; k < i; k++) {
			if (iss[k].len == iss[i].len &&
			    memcmp(iss[k].name, iss[i].name, iss[i].len) == 0) {
				abort();
			}
		}
		if (by != NULL && strlen(by + 21) == iss[i].len &&
		    memcmp(by + 21, iss[i].name, iss[i].len) == 0) {
			found = true;
		}
	}
	if (res->verdict == CAA_ALLOWED && by != NULL && !found) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct caa_record recs[MAXREC];
	size_t n = 0, off = 0;
	static const char *const issuers[] = {"letsencrypt.org", "ca.test"};
	static const char *const known[] = {"contactemail"};
	static struct caa_result res;
	char esc[1024];

	fuzz_ident(data, size);
	while (off + 2 <= size && n < MAXREC) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];
		struct caa_record rec;
		struct caa_issue issue;

		off += 2;
		if (len > size - off) {
			len = size - off;
		}
		/* A copy of exactly LEN octets, so ASan sees any overread. */
		uint8_t *copy = malloc(len ? len : 1);
		if (copy == NULL) {
			return 0;
		}
		memcpy(copy, data + off, len);
		if (caa_record_parse(copy, len, &rec) == CAA_OK) {
			(void)caa_tag_kind(rec.tag, rec.tag_len);
			(void)caa_escape(rec.value, rec.value_len, esc,
			                 sizeof(esc));
			if (caa_issue_parse(rec.value, rec.value_len, &issue) ==
			    CAA_OK) {
				struct caa_param p;
				size_t pos = 0;

				while (caa_issue_param_next(&issue, &pos, &p)) {
					if (p.tag_len == 0) {
						abort();
					}
				}
			}
		}
		free(copy);
		/* Evaluation borrows the RDATA: point into DATA. */
		if (caa_record_parse(data + off, len, &recs[n]) == CAA_OK) {
			n++;
		}
		off += len;
	}
	for (int policy = 0; policy < 2; policy++) {
		for (int variant = 0; variant < 4; variant++) {
			struct caa_request req = {
			        .issuers = issuers,
			        .nissuers = (variant & 1) ? 2 : 1,
			        .account_uri =
			                (variant & 2)
			                        ? "https://"
			                          "acme-v02.api.letsencrypt."
			                          "org/acme/acct/1"
			                        : NULL,
			        .method = (variant & 2) ? "dns-01" : NULL,
			        .known_tags = known,
			        .nknown_tags = 1,
			        .policy = policy ? CAA_POLICY_BOULDER
			                         : CAA_POLICY_RFC8659,
			};

			if (caa_evaluate(&req, variant & 1, "example.test",
			                 recs, n, &res) != CAA_OK) {
				abort();
			}
			if (memchr(res.reason, '\0', sizeof(res.reason)) ==
			    NULL) {
				abort();
			}
			for (size_t w = 0; w < res.warnings.count; w++) {
				if (memchr(res.warnings.item[w].message, '\0',
				           CAA_WARNING_LEN) == NULL) {
					abort();
				}
			}
			fuzz_allowed(recs, n, variant & 1, &res);
		}
	}
	return 0;
}
