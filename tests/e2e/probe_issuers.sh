#!/usr/bin/env bash
# tests/e2e/probe_issuers.sh -- what a report says of the relevant RRset:
# the issuers it allows (text line "allowed issuers:", JSON key
# "allowed_issuers"; the issuewild set for a wildcard request when it
# applies), warnings that number records from 1, and the policy-differs
# warning with the other policy's verdict and reason.
# shellcheck source=tests/e2e/probe_lib.sh
. "$(dirname "$0")/probe_lib.sh" "${1:-}" "${2:-}"

serve -f "servfail fail.example.test CAA" || finish

# issuers NAME WANT [ARGS...]: allowed_issuers of NAME's JSON report.
issuers() {
	local name=$1 want=$2
	shift 2
	probe -o json "$@" "$name"
	check "allowed_issuers of $name $*" "$want" "$(jget 0.allowed_issuers)"
}

issuers c14.cases.test '["otherca.test","letsencrypt.org"]' --ca ca.test
check "c14: denied" denied "$(jget 0.verdict)"
issuers c14.cases.test '["otherca.test","letsencrypt.org"]'
check "c14: in every report, allowed too" allowed "$(jget 0.verdict)"
issuers c44.cases.test '[]'
check "c44 issue \";\": denied" denied "$(jget 0.verdict)"
issuers c15.cases.test '["letsencrypt.org"]'
issuers c50.cases.test '["letsencrypt.org"]'
issuers c22.cases.test '["LetsEncrypt.ORG"]'
issuers dot.cases.test '[]'
issuers emptyval.cases.test '[]'
issuers c42.cases.test '["otherca.test"]'
issuers '*.c42.cases.test' '["letsencrypt.org"]'
issuers '*.c41.cases.test' '["otherca.test"]'
check "*.c41: denied by issuewild" denied "$(jget 0.verdict)"
issuers '*.c02.cases.test' '["letsencrypt.org"]'
issuers c01.cases.test null
issuers fail.example.test null
check "fail.example.test: lookup-failed" lookup-failed "$(jget 0.verdict)"
issuers host.deny.test '["otherca.test"]'
check_match "json: allowed_issuers after relevant" '"relevant":\{[^]]*\]\},"allowed_issuers":\["otherca.test"\],"error":' "$POUT"

# Text: the line under the relevant RRset.
probe --ca ca.test c14.cases.test
check_match "text: allowed issuers" '^  allowed issuers: otherca\.test, letsencrypt\.org$' "$POUT"
probe c44.cases.test
check_match "text: allowed issuers: none" '^  allowed issuers: none$' "$POUT"
probe c01.cases.test
check "text: no RRset, no line" 0 "$(printf '%s\n' "$POUT" | grep -c 'allowed issuers')"
probe host.deny.test
check "text: the line after the RRset" "  relevant: CAA RRset at deny.test
    -> 0 issue \"otherca.test\"
  allowed issuers: otherca.test" "$(printf '%s\n' "$POUT" | sed -n '4,6p')"

# Warnings number records from 1: "record N" is relevant.records[N-1]
# (the responder sends an RRset in its own order).
# position TAG: 1 + the index of TAG among the relevant records.
position() {
	jget '0.relevant.records.*.tag' | grep -nx -- "$1" | cut -d: -f1
}
probe -o json --policy rfc8659 unknown.cases.test
check "warnings: the unknown tag's number" \
	"record $(position dummytag): unknown tag \"dummytag\" ignored" "$(jget 0.warnings.0.message)"
probe -o json --policy rfc8659 badiodef.cases.test
check "warnings: the iodef's number" \
	"record $(position iodef): iodef \"not a url\" is not a mailto: or http(s): URL" \
	"$(jget 0.warnings.0.message)"
probe -o json c22.cases.test
check_match "warnings: the only record is record 1" '^record 1: issuer "LetsEncrypt.ORG"' \
	"$(jget 0.warnings.0.message)"

# policy-differs names the other policy's verdict and reason.
probe -o json flag1.cases.test
check "policy-differs under boulder" \
	"RFC 8659 would decide differently: under rfc8659 the verdict would be allowed (CAA record for flag1.cases.test permits issuance by letsencrypt.org)" \
	"$(jget 0.warnings.0.message)"
probe -o json --policy rfc8659 flag1.cases.test
check "policy-differs under rfc8659" \
	"Let's Encrypt (--policy boulder) would decide differently: under boulder the verdict would be denied (CAA record for flag1.cases.test prevents issuance)" \
	"$(jget 0.warnings.0.message)"
probe flag1.cases.test
check_match "text: policy-differs" '^    policy-differs: RFC 8659 would decide differently: under rfc8659 the verdict would be allowed \(CAA record for flag1\.cases\.test permits issuance by letsencrypt\.org\)$' "$POUT"

finish
