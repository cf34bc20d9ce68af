#!/usr/bin/env bash
# tests/e2e/dnssec_faults.sh -- caa-responder's DNSSEC faults (sig-expired,
# sig-future, sig-bogus, sig-strip, nsec-strip, ds-bogus, answer=, the
# dnssec-* profiles) as a validator sees them: our own unbound (ede: yes,
# val-log-level 2, forwarding test. to the responder, the trust anchors of
# --trust-anchor-out) answers SERVFAIL with its Extended DNS Error exactly
# where a rule applies and AD everywhere else; and caa-probe's verdict and
# words for each, validating itself (-s --validate) and through that
# unbound (-s, its EDE).
. "$(dirname "$0")/probe_lib.sh" "$1" "$2"

DATA=$(cd "$E2E_DIR/../data/dnssec" && pwd)
ZONES=("${ZONE_FILES[@]}" "$DATA"/*.zone)
# shellcheck source=tests/e2e/unbound_lib.sh
. "$E2E_DIR/unbound_lib.sh"

# serve_signed ARGS...: the responder signing the bundled zones and
# tests/data/dnssec (trust anchors in $tmp/ta.ds), with ARGS (rules).
serve_signed() {
	start_responder --dnssec --trust-anchor-out "$tmp/ta.ds" "${ZONES[@]}" "$@"
}

# bogus NAME TYPE CODE TEXT-ERE: unbound's SERVFAIL with EDE CODE, whose
# text matches TEXT-ERE.
bogus() {
	ask_ub "$1" "$2"
	expect rcode SERVFAIL
	check_match "$1 $2: EDE $3" "^; EDE: $3 \\(.*\\): \\(validation failure <$1\\. $2 IN>: $4" "$OUT"
}

# validated WORDS TEXT-ERE NAME: caa-probe -s (the responder) --validate:
# lookup-failed, exit 2, Let's Encrypt's words and the validator's reason.
validated() {
	probe -o json --validate --trust-anchor "$tmp/ta.ds" "$3"
	check "$3 --validate: verdict" lookup-failed "$(jget 0.verdict)"
	check "$3 --validate: exit status" 2 "$PRC"
	check_match "$3 --validate: reason" "^DNS problem: looking up CAA for $3: DNSSEC: $1: .*$2" "$(jget 0.reason)"
	check "$3 --validate: dnssec" bogus "$(jget 0.lookups.0.dnssec)"
}

# through WORDS TEXT-ERE NAME: caa-probe -s the unbound: its EDE, worded.
through() {
	run -o json -s 127.0.0.1 -p "$UPORT" "$3"
	check "$3 through unbound: verdict" lookup-failed "$(jget 0.verdict)"
	check "$3 through unbound: exit status" 2 "$PRC"
	check_match "$3 through unbound: reason" "^DNS problem: looking up CAA for $3: DNSSEC: $1: validation failure <$3\\. CAA IN>: .*$2" "$(jget 0.reason)"
}

# ---------------------------------------------------------------- the actions

cat >"$tmp/rules" <<'RULES'
sig-expired *.exp.wild.sig.test CAA
sig-future *.fut.wild.sig.test CAA
sig-bogus *.bog.wild.sig.test CAA
sig-strip *.str.wild.sig.test CAA
nsec-strip *.nx.sig.test CAA
ds-bogus child.sig.test DS
sig-bogus host.sig.test * answer=negative
RULES
serve_signed -F "$tmp/rules" -q "$tmp/q.jsonl" || { finish; exit; }

# On the wire, without a validator.
ask dig a.exp.wild.sig.test CAA +dnssec
expect nrecords ANSWER RRSIG 1
check_match "sig-expired: the expiration a week past" \
	"RRSIG[[:space:]]+CAA 13 3 300 $(date -u -d @$(($(date +%s) - 7 * 86400)) +%Y%m%d)" "$OUT"
ask dig a.str.wild.sig.test CAA +dnssec
expect nrecords ANSWER CAA 1
expect nrecords ANSWER RRSIG 0
ask dig a.nx.sig.test CAA +dnssec
expect rcode NXDOMAIN
expect nrecords AUTHORITY NSEC 0
expect nrecords AUTHORITY RRSIG 1 # the SOA's stays
ask dig nope.sig.test CAA +dnssec   # no rule: its proofs
expect nrecords AUTHORITY NSEC 2
ask dig child.sig.test DS +dnssec
honest_ds=$(dig @127.0.0.1 -p "$PORT4" +short child.sig.test DS)
faulted_ds=$(out_section ANSWER | awk '$3 == "DS" {print $4, $5, $6, $7 $8}')
check_match "ds-bogus: a DS is there" '^[0-9]+ 13 2 [0-9A-F]+' "$faulted_ds"
if [ "$(tr -d ' ' <<<"$honest_ds")" = "$(tr -d ' ' <<<"$faulted_ds")" ]; then
	fail "ds-bogus: the digest changed" "not $honest_ds" "$faulted_ds"
else
	pass
fi
# Without DO the DNSSEC actions do nothing, and do not count the query.
ask dig a.bog.wild.sig.test CAA
expect rcode NOERROR
expect nrecords ANSWER CAA 1
wait_log_lines "$tmp/q.jsonl" 7
check_match "no fault logged for the query without DO" '"qname":"a.bog.wild.sig.test.".*"fault":null' \
	"$(grep -F '"qname":"a.bog.wild.sig.test."' "$tmp/q.jsonl")"

if start_unbound "$tmp/ta.ds"; then
	bogus a.exp.wild.sig.test CAA 7 'signature expired'
	bogus a.fut.wild.sig.test CAA 8 'signature before inception date'
	bogus a.bog.wild.sig.test CAA 6 'signature crypto failed'
	bogus a.str.wild.sig.test CAA 10 'no signatures'
	bogus a.nx.sig.test CAA 9 'no NSEC3 records .* for DS nx\.sig\.test\.'
	bogus www.child.sig.test A 9 'DS hash mismatches key'
	bogus host.sig.test CAA 6 'signature crypto failed .* for <sig\.test\. SOA IN>'
	# Everywhere else: AD.
	secure NOERROR a.exp.wild.sig.test A   # the same name, another type
	secure NOERROR z.wild.sig.test CAA     # the same wildcard, no rule
	secure NOERROR sig.test CAA
	secure NOERROR sig.test DNSKEY
	secure NXDOMAIN nope.sig.test CAA
	secure NOERROR host.sig.test A         # answer=negative: data is spared
	secure NOERROR caa.test CAA
	secure NOERROR child.sig.test DS       # the altered DS is signed again
fi
stop_unbound

# caa-probe through a fresh unbound: its EDE in Let's Encrypt's words.
if start_unbound "$tmp/ta.ds"; then
	through "Signature Expired" 'signature expired' a.exp.wild.sig.test
	through "Signature Not Yet Valid" 'signature before inception date' a.fut.wild.sig.test
	through "Bogus" 'signature crypto failed' a.bog.wild.sig.test
	through "RRSIGs Missing" 'no signatures' a.str.wild.sig.test
	through "DNSKEY Missing" 'no NSEC3 records' a.nx.sig.test
	through "DNSKEY Missing" 'DS hash mismatches key' child.sig.test
	through "Bogus" 'signature crypto failed' host.sig.test
	run -o json -s 127.0.0.1 -p "$UPORT" z.wild.sig.test
	check "no rule, through unbound: decided (wild.ca.test only)" "denied 1" "$(jget 0.verdict) $PRC"
fi
stop_unbound

# caa-probe validating the responder's answers itself.
validated "Signature Expired" 'signature expired' a.exp.wild.sig.test
validated "Signature Not Yet Valid" 'signature before inception date' a.fut.wild.sig.test
# libunbound gives its own reasons, and the probe words them from the text.
ECDSA='ECDSA signature verification failed'
validated "Bogus" "$ECDSA" a.bog.wild.sig.test
validated "RRSIGs Missing" 'no signatures' a.str.wild.sig.test
validated "Bogus" 'no NSEC3 records' a.nx.sig.test
validated "DNSKEY Missing" 'DS hash mismatches key' child.sig.test
validated "Bogus" "$ECDSA" host.sig.test
probe -o json --validate --trust-anchor "$tmp/ta.ds" z.wild.sig.test
check "no rule, --validate: decided (wild.ca.test only), secure" "denied 1 secure" \
	"$(jget 0.verdict) $PRC $(jget 0.lookups.0.dnssec)"

# ---------------------------------------------------------------- profiles

# dnssec-empty-bogus: NODATA and NXDOMAIN bogus, data secure.
serve_signed -P dnssec-empty-bogus || { finish; exit; }
if start_unbound "$tmp/ta.ds"; then
	bogus host.sig.test CAA 6 'signature crypto failed'
	bogus nope.sig.test CAA 6 'signature crypto failed'
	secure NOERROR sig.test CAA
	secure NOERROR host.sig.test A
	secure NOERROR x.wild.sig.test CAA
fi
stop_unbound
validated "Bogus" "$ECDSA" host.sig.test

# dnssec-case-bogus: a validator that asks in mixed case (0x20,
# use-caps-for-id) gets bogus answers; one that asks in lower case does not.
serve_signed -P dnssec-case-bogus || { finish; exit; }
ask dig sig.test CAA +dnssec
lower_sig=$(out_section ANSWER | awk '$3 == "RRSIG"')
ask dig SiG.TeSt CAA +dnssec
mixed_sig=$(out_section ANSWER | awk '$3 == "RRSIG"')
if [ -n "$lower_sig" ] && [ "${lower_sig,,}" != "${mixed_sig,,}" ]; then
	pass
else
	fail "dnssec-case-bogus: the mixed-case query gets another signature" \
		"not $lower_sig" "$mixed_sig"
fi
if start_unbound "$tmp/ta.ds"; then
	secure NOERROR sig.test CAA
	secure NOERROR host.sig.test CAA
fi
# (Its DNSKEY queries are in mixed case too: EDE 9 for the key, or 6.)
if start_unbound "$tmp/ta.ds" "use-caps-for-id: yes"; then
	bogus sig.test CAA '(6|9)' 'signature crypto failed'
	bogus host.sig.test CAA '(6|9)' '.*signature crypto failed'
fi
stop_unbound

# dnssec-expired:DOMAIN and dnssec-missing:DOMAIN, caatestsuite's cases:
# the DS in the parent stays valid, DOMAIN's own signatures do not.
serve_signed -P dnssec-expired:child.sig.test || { finish; exit; }
if start_unbound "$tmp/ta.ds"; then
	secure NOERROR child.sig.test DS
	bogus child.sig.test CAA 7 'signature expired .* for key child\.sig\.test\.'
	secure NOERROR sig.test CAA
fi
stop_unbound
validated "Signature Expired" 'signature expired' child.sig.test

serve_signed -P dnssec-missing:child.sig.test || { finish; exit; }
ask dig child.sig.test DNSKEY +dnssec
expect nrecords ANSWER DNSKEY 1
expect nrecords ANSWER RRSIG 0
if start_unbound "$tmp/ta.ds"; then
	secure NOERROR child.sig.test DS
	bogus child.sig.test CAA 10 'no signatures .* for key child\.sig\.test\.'
	secure NOERROR sig.test CAA
fi
stop_unbound
validated "RRSIGs Missing" 'no signatures' child.sig.test

finish
