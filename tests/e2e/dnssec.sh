#!/usr/bin/env bash
# tests/e2e/dnssec.sh -- caa-responder --dnssec: zones signed at load, the
# RRSIGs and proofs of queries with DO, keys kept in --key-dir, the trust
# anchors of --trust-anchor-out; and a validating unbound (our own instance,
# forwarding test. to the responder) that answers with AD for positive data,
# NODATA, NXDOMAIN, wildcards and a child zone's data, with NSEC and NSEC3.
. "$(dirname "$0")/lib.sh" "$1"

DATA=$(cd "$E2E_DIR/../data/dnssec" && pwd)
ZONES=("${ZONE_FILES[@]}" "$DATA"/*.zone)
# shellcheck source=tests/e2e/unbound_lib.sh
. "$E2E_DIR/unbound_lib.sh"

# ---------------------------------------------------------------- off by default

start_responder "${ZONES[@]}" || { finish; exit; }
ask dig sig.test CAA +dnssec
expect rcode NOERROR
expect nrecords ANSWER RRSIG 0
ask dig nope.sig.test CAA +dnssec
expect nrecords AUTHORITY NSEC 0
expect nrecords AUTHORITY RRSIG 0
ask dig sig.test DNSKEY +dnssec
expect count ANSWER 0

# The DNSSEC options need --dnssec.
LAST_CMD="caa-responder --nsec3"
OUT=$("$RESPONDER" --nsec3 "${ZONES[@]}" 2>&1)
RC=$?
check "--nsec3 alone is misuse" 64 "$RC"
check_match "it says why" 'option --nsec3 needs --dnssec' "$OUT"

# A key directory that cannot be read is an error, named.
LAST_CMD="caa-responder --dnssec --key-dir $tmp/none"
OUT=$("$RESPONDER" --dnssec --key-dir "$tmp/none" -l 127.0.0.1:0 "${ZONES[@]}" 2>&1 </dev/null)
RC=$?
check "a missing --key-dir: exit status" 1 "$RC"
check_match "it names the directory" "$tmp/none: No such file or directory" "$OUT"

# ---------------------------------------------------------------- NSEC

mkdir -p "$tmp/keys"
start_responder --dnssec --key-dir "$tmp/keys" --trust-anchor-out "$tmp/ta.ds" \
	"${ZONES[@]}" || { finish; exit; }

# The trust anchors: the zones whose parent is not loaded and signed.
ta=$(cat "$tmp/ta.ds")
check_match "trust anchor of test." '^test\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+DS[[:space:]]+[0-9]+ 13 2 ' "$ta"
check_match "trust anchor of sig.test. (test. does not delegate it)" '^sig\.test\.[[:space:]].*DS' "$ta"
if [[ $ta == *child.sig.test* || $ta == *caa.test* ]]; then
	fail "no trust anchor for zones whose DS is in their parent" "test. and sig.test. only" "$ta"
else
	pass
fi
nkeys=$(find "$tmp/keys" -name 'K*+013+*.private' | wc -l)
check "a key file a zone in --key-dir" 6 "$nkeys"

# With DO: RRSIGs; without: as before.  The AD bit is never set here.
ask dig sig.test CAA +dnssec +adflag
expect rcode NOERROR
expect flag aa
expect noflag ad
expect nrecords ANSWER CAA 1
expect nrecords ANSWER RRSIG 1
ask dig sig.test CAA +nodnssec
expect nrecords ANSWER CAA 1
expect nrecords ANSWER RRSIG 0
ask dig sig.test CAA +noedns
expect nrecords ANSWER RRSIG 0
ask dig sig.test DNSKEY +dnssec
expect nrecords ANSWER DNSKEY 1
expect nrecords ANSWER RRSIG 1
check_match "one CSK, flags 257, ECDSAP256SHA256" 'DNSKEY 257 3 13 ' "$(out_section ANSWER)"
# NODATA: SOA, NSEC of the name, their RRSIGs.
ask dig host.sig.test CAA +dnssec
expect rcode NOERROR
expect nrecords AUTHORITY SOA 1
expect nrecords AUTHORITY NSEC 1
expect nrecords AUTHORITY RRSIG 2
expect rr AUTHORITY 'host.sig.test. IN NSEC tocut.sig.test. A RRSIG NSEC'
ask dig host.sig.test CAA +nodnssec
expect nrecords AUTHORITY NSEC 0
expect nrecords AUTHORITY RRSIG 0
# NXDOMAIN: the NSEC covering the name and the one covering the wildcard.
ask dig nope.sig.test CAA +dnssec
expect rcode NXDOMAIN
expect nrecords AUTHORITY NSEC 2
expect nrecords AUTHORITY RRSIG 3
# A wildcard answer: RRSIG labels 3 (*.wild.sig.test.), proof of no closer name.
ask dig x.wild.sig.test CAA +dnssec
expect rr ANSWER 'x.wild.sig.test. IN CAA 0 issue "wild.ca.test"'
check_match "RRSIG labels field shows the expansion" 'RRSIG CAA 13 3 ' "$(out_section ANSWER)"
expect nrecords AUTHORITY NSEC 1
# An empty non-terminal: NODATA with the NSEC that covers it.
ask dig ent.sig.test A +dnssec
expect rcode NOERROR
expect count ANSWER 0
expect nrecords AUTHORITY NSEC 1
# The child served here: its DS (signed) in the parent; a referral to a
# zone served by no one carries the NSEC that proves it has no DS.
ask dig child.sig.test DS +dnssec
expect nrecords ANSWER DS 1
expect nrecords ANSWER RRSIG 1
ask dig www.unsigned.sig.test A +dnssec
expect noflag aa
expect rr AUTHORITY 'unsigned.sig.test. IN NS ns.unsigned.sig.test.'
expect nrecords AUTHORITY DS 0
expect nrecords AUTHORITY NSEC 1
expect nrecords AUTHORITY RRSIG 1
# A referral to a signed zone: NS, DS and RRSIG(DS) (test. delegates caa.test.
# but this process answers for caa.test. itself; deleg.test. is not loaded).
ask dig www.deleg.test A +dnssec
expect noflag aa
expect nrecords AUTHORITY NSEC 1
# A chain that ends below a delegation ends with its referral and the
# proof that the delegation has no DS.
ask dig tocut.sig.test A +dnssec
expect nrecords ANSWER CNAME 1
expect nrecords ANSWER RRSIG 1
expect rr AUTHORITY 'unsigned.sig.test. IN NS ns.unsigned.sig.test.'
expect nrecords AUTHORITY NSEC 1
expect nrecords AUTHORITY RRSIG 1
# Alias chains carry the RRSIG of each RRset.
ask dig cname.alias.test CAA +dnssec
expect nrecords ANSWER CNAME 1
expect nrecords ANSWER CAA 1
expect nrecords ANSWER RRSIG 2
# A signed answer that does not fit the EDNS size gets TC (as Knot, NSD).
ask kdig alias.test ANY +dnssec +bufsize=512 +ignore
expect flag tc
expect count ANSWER 0
ask dig alias.test ANY +dnssec +tcp
expect noflag tc
expect nrecords ANSWER RRSIG 4

if start_unbound "$tmp/ta.ds"; then
	secure NOERROR sig.test CAA
	secure NOERROR sig.test DNSKEY
	secure NOERROR host.sig.test CAA        # NODATA
	expect count ANSWER 0
	secure NXDOMAIN nope.sig.test CAA
	secure NOERROR x.wild.sig.test CAA      # wildcard
	expect count ANSWER 1
	secure NOERROR x.wild.sig.test TXT      # wildcard NODATA
	secure NOERROR ent.sig.test A           # empty non-terminal
	secure NOERROR www.child.sig.test A     # the child, DS in sig.test.
	secure NOERROR child.sig.test CAA
	secure NXDOMAIN nope.child.sig.test CAA
	secure NOERROR caa.test CAA             # the bundled zones, chain from test.
	secure NXDOMAIN nope.caa.test CAA
	secure NOERROR cname.alias.test CAA
	secure NOERROR www.old.alias.test A     # DNAME
	secure NXDOMAIN dangling.alias.test A
	check_match "unbound found nothing bogus" '^$' "$(grep -i 'validation failure' "$tmp/unbound.log" 2>/dev/null)"
fi
stop_unbound

# ---------------------------------------------------------------- key round trip

cp "$tmp/ta.ds" "$tmp/ta1.ds"
start_responder --dnssec --key-dir "$tmp/keys" --trust-anchor-out "$tmp/ta.ds" \
	"${ZONES[@]}" || { finish; exit; }
check "the keys are read back: the same trust anchors" "$(cat "$tmp/ta1.ds")" "$(cat "$tmp/ta.ds")"
check "no key made twice" 6 "$(find "$tmp/keys" -name 'K*.private' | wc -l)"
# A key written by ldns-keygen is read as it is.
if command -v ldns-keygen >/dev/null; then
	mkdir -p "$tmp/lkeys"
	base=$(cd "$tmp/lkeys" && ldns-keygen -a ECDSAP256SHA256 -k sig.test.)
	start_responder --dnssec --key-dir "$tmp/lkeys" --trust-anchor-out "$tmp/ta2.ds" \
		"${ZONES[@]}" || { finish; exit; }
	tag=${base##*+}
	check_match "ldns-keygen's key signs sig.test." "^sig\.test\..*DS[[:space:]]+$((10#$tag)) 13 2 " \
		"$(grep '^sig\.test\.' "$tmp/ta2.ds")"
fi

# ---------------------------------------------------------------- malformed data

# Records whose RDATA is deliberately malformed (a CAA of 2 octets) are
# signed and served as they stand.
start_responder --dnssec "$E2E_DIR/../data/example.test.zone" || { finish; exit; }
# (dig refuses the reply, as it should: the CAA does not parse.)
ask kdig mal.example.test CAA +dnssec
expect rcode NOERROR
expect count ANSWER 2
ask kdig mal.example.test CAA
expect count ANSWER 1

# ---------------------------------------------------------------- changes

# Records added over the API and reloads: the zone is signed again, with
# the same key (the trust anchor stays valid).
start_responder --dnssec -c 127.0.0.1:0 --trust-anchor-out "$tmp/ta.ds" \
	"${ZONES[@]}" || { finish; exit; }
CPORT=$(ready_port "$READY_LINE" control '127\.0\.0\.1')
tag=$(awk '$1 == "sig.test." { print $5 }' "$tmp/ta.ds")
LAST_CMD="curl POST /records new.sig.test. CAA"
code=$(timeout 30 curl -sS -o /dev/null -w '%{http_code}' -X POST \
	-d '{"rr":"new.sig.test. 60 IN CAA 0 issue \"x.test\""}' "http://127.0.0.1:$CPORT/records")
check "POST /records to a signed zone" 201 "$code"
ask dig new.sig.test CAA +dnssec
expect nrecords ANSWER CAA 1
check_match "the new record is signed with the zone's key" "RRSIG CAA 13 3 60 [0-9]+ [0-9]+ $tag sig\\.test\\. " "$(out_section ANSWER)"
ask dig nope.sig.test CAA +dnssec
expect nrecords AUTHORITY NSEC 2
code=$(timeout 30 curl -sS -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$CPORT/reload")
check "POST /reload" 200 "$code"
ask dig new.sig.test CAA +dnssec
check_match "signed again on reload, same key" "RRSIG CAA 13 3 60 [0-9]+ [0-9]+ $tag sig\\.test\\. " "$(out_section ANSWER)"

# ---------------------------------------------------------------- NSEC3

start_responder --dnssec --nsec3 --key-dir "$tmp/keys" --trust-anchor-out "$tmp/ta.ds" \
	"${ZONES[@]}" || { finish; exit; }
ask dig sig.test NSEC3PARAM +dnssec
expect rr ANSWER 'sig.test. IN NSEC3PARAM 1 0 0 -'
ask dig nope.sig.test CAA +dnssec
expect rcode NXDOMAIN
expect nrecords AUTHORITY NSEC 0
expect nrecords AUTHORITY NSEC3 3
ask dig host.sig.test CAA +dnssec
expect nrecords AUTHORITY NSEC3 1
if start_unbound "$tmp/ta.ds"; then
	secure NOERROR sig.test CAA
	secure NOERROR host.sig.test CAA
	secure NXDOMAIN nope.sig.test CAA
	secure NOERROR x.wild.sig.test CAA
	secure NOERROR x.wild.sig.test TXT
	secure NOERROR ent.sig.test A
	secure NOERROR b.ent.sig.test CAA
	secure NOERROR www.child.sig.test A
	secure NXDOMAIN nope.child.sig.test CAA
	secure NOERROR flag0.caa.test CAA
	secure NXDOMAIN dangling.alias.test A
	check_match "unbound found nothing bogus" '^$' "$(grep -i 'validation failure' "$tmp/unbound.log" 2>/dev/null)"
fi
stop_unbound

finish
