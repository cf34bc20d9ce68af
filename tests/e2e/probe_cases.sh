#!/usr/bin/env bash
# tests/e2e/probe_cases.sh -- the evaluation cases B-E and H (issue values,
# tags and flags, wildcards, parameters, forbidden tag characters) and the
# rules of docs/probe.md they leave out, end to end: the records come
# from caa-responder (tests/data/probe/cases.test.zone, one label per case)
# and the probe judges them under both policies, with the request of the
# cases' conventions (letsencrypt.org, account 1234, http-01) unless a
# line says otherwise.  Where the policies differ (RFC≠Boulder) each
# report must carry the policy-differs warning.
# shellcheck source=tests/e2e/probe_lib.sh
. "$(dirname "$0")/probe_lib.sh" "${1:-}" "${2:-}"

ACCT=https://acme-v02.api.letsencrypt.org/acme/acct/
CTS=caatestsuite.test
# shellcheck disable=SC2119 # serve takes optional rules, none here
serve || finish

# t ID NAME RFC-VERDICT BOULDER-VERDICT [ARGS...]: the conventional
# request plus ARGS (later options win).
t() {
	local id=$1 name=$2 rfc=$3 boulder=$4
	shift 4
	judge2 "$id" "$rfc" "$boulder" "$name" --account-uri "${ACCT}1234" \
		--method http-01 "$@"
}

# ---- B: issue values
t C12 empty.basic.$CTS denied denied
t "C12 (caatestsuite.com)" empty.basic.$CTS denied denied --ca caatestsuite.com
t C14 c14.cases.test allowed allowed
t C15 c15.cases.test allowed allowed
t C16 c16.cases.test allowed allowed
t C18 c18.cases.test allowed allowed
t C20 xss.$CTS denied denied
field_is "C20: the value, as it is" 0.relevant.records.0.value "<script>alert('Wheeeeee')</script>"
has_warning C20 issue-malformed
t C22 c22.cases.test denied denied
has_warning C22 issuer-case
t C24 c24.cases.test denied denied
t C26 c26.cases.test denied denied

# ---- C: tags and flags
t C27 uppercase-deny.basic.$CTS denied denied
t C28 mixedcase-deny.basic.$CTS denied denied
t C29 critical1.basic.$CTS denied denied
t "C29 (caatestsuite.com)" critical1.basic.$CTS denied denied --ca caatestsuite.com
has_warning C29 critical-unknown-tag
t C31 c31.cases.test denied denied
probe c31.cases.test
check_match "C31: the text marks the deciding record" '^ +-> 128 tbs "Unknown"$' "$POUT"
t C34 c34.cases.test allowed allowed
t C35 c35.cases.test allowed allowed
has_warning C35 critical-iodef
# C36: "known" is per CA: Boulder knows issuemail, not contactemail.
t C36a a.c36.cases.test denied allowed
t C36b b.c36.cases.test denied denied
t "C36a --known-tag issuemail" a.c36.cases.test allowed allowed --known-tag issuemail
t "C36b --known-tag contactemail" b.c36.cases.test allowed allowed --known-tag contactemail

# ---- D: wildcards
t C41a "*.c41.cases.test" denied denied
t C41b c41.cases.test allowed allowed
t C42a "*.c42.cases.test" allowed allowed
t C42b c42.cases.test denied denied
t C44 "*.c44.cases.test" denied denied
t C45 "*.c45.cases.test" allowed allowed
t C47a "*.c47.cases.test" denied denied
t C47b www.c47.cases.test allowed allowed
t "issue applies to a wildcard" "*.c02.cases.test" allowed allowed

# ---- E: RFC 8657 parameters
t C48 c48.cases.test allowed allowed
t C49 c48.cases.test denied denied --account-uri "${ACCT}4321"
t "C48 without an account" c48.cases.test denied denied --account-uri ""
t C50 c50.cases.test allowed allowed
t C52 c52.cases.test denied denied
t C54a c54.cases.test denied denied
t C54b c54.cases.test allowed allowed --method dns-01
t C55a c55.cases.test allowed allowed
t C55b c55.cases.test allowed allowed --method dns-01
t C55c c55.cases.test denied denied --method tls-alpn-01
t C58 c58.cases.test denied denied
t C59 c59.cases.test denied denied
t C61 c61.cases.test denied denied
# A record restricted to an account, and a request without one.
judge2 "no --account-uri" denied denied c48.cases.test --method http-01
judge2 "no --method" denied denied c54.cases.test

# ---- H: C90, tags RFC 8659 forbids
t C90a c90a.cases.test allowed allowed
has_warning C90a tag-characters
t C90b c90b.cases.test denied denied

# ---- rules of docs/probe.md beyond the cases
t "flag bit 1" flag1.cases.test allowed denied
has_warning "flag bit 1" flag-bit-1
t "unknown tag ignored" unknown.cases.test allowed allowed
has_warning "unknown tag ignored" unknown-tag
t "iodef only" iodef.cases.test allowed allowed
reason_is "iodef only" "CAA record for iodef.cases.test does not restrict issuance"
t "malformed iodef" badiodef.cases.test allowed allowed
has_warning "malformed iodef" iodef-malformed
t 'issue ""' emptyval.cases.test denied denied
t "issuer with a dot" dot.cases.test denied denied
has_warning "issuer with a dot" issuer-trailing-dot
t "hyphen in a parameter tag" hyphen.cases.test allowed denied
has_warning "hyphen in a parameter tag" parameter-hyphen
t "AccountURI spelling" acctcase.cases.test denied allowed
has_warning "AccountURI spelling" parameter-case
t "two accounturi" acct2.cases.test denied denied
t "empty accounturi" acctempty.cases.test denied denied
has_warning "empty accounturi" accounturi-unsatisfiable
t "bad method label" badmethod.cases.test denied denied
has_warning "bad method label" validationmethods-unsatisfiable
t "unknown method skipped" newmethod.cases.test allowed allowed
has_warning "unknown method skipped" validationmethod-unknown

# The CA: several issuer names (any may match), lower-cased.
t "--ca twice" c14.cases.test allowed allowed --ca otherca.test --ca example.org
field_is "--ca twice" 0.ca otherca.test,example.org
t "--ca other" deny.basic.$CTS allowed allowed --ca caatestsuite.com
t "--ca in capitals" c02.cases.test allowed allowed --ca LetsEncrypt.ORG
field_is "--ca in capitals" 0.ca letsencrypt.org
field_is "policy in JSON" 0.policy boulder

finish
