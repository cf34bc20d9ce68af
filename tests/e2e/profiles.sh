#!/usr/bin/env bash
# tests/e2e/profiles.sh -- preset profiles (docs/faults.md): every one
# is listed by --list-profiles with a description, its source and its rules
# (within 80 columns), and each, started with -P NAME (or NAME:DOMAIN where
# it needs one), shows its first rule on the wire; NAME:DOMAIN limits a
# profile to DOMAIN and below; an unknown profile or a missing DOMAIN is a
# usage error (status 64).
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" "${1:-}"

# ---------------------------------------------------------------- the list

LAST_CMD="caa-responder --list-profiles"
OUT=$(timeout 10 "$RESPONDER" --list-profiles 2>&1 </dev/null)
RC=$?
check "--list-profiles exits with status 0" 0 "$RC"
list=$OUT

# Each profile: a line "NAME  description", then indented lines: the rest
# of the description, "source: ...", "rules:" and the rules.
listed=$(awk '/^[a-z0-9][a-z0-9-]*  +[^ ]/ { print $1 }' <<<"$list")
LAST_CMD=""

# The profiles this test knows how to check (below); a profile added to the
# responder without a check here fails the test.
KNOWN="caa-servfail notimp-unknown-type refused-caa firewall-drop lb-servfail
nodata-no-soa mboxfw-collision out-of-zone-noerror nodata-as-nxdomain
cname-out-servfail zone-nodata-servfail empty-issue-crash tcp-refused-unknown
forwarder-drop tld-flap cname-loop challtestsrv
dnssec-empty-bogus dnssec-case-bogus dnssec-expired dnssec-missing"
# (The dnssec-* profiles need a signing responder and a validator: they are
# checked in dnssec_faults.sh.)
check "--list-profiles lists the profiles checked below" \
	"$(tr ' ' '\n' <<<"$KNOWN" | sort | paste -sd' ' -)" "$(sort <<<"$listed" | paste -sd' ' -)"
# The profiles the responder must offer at least.
for p in caa-servfail notimp-unknown-type refused-caa firewall-drop nodata-no-soa tld-flap challtestsrv; do
	if grep -Fxq -- "$p" <<<"$listed"; then pass; else
		fail "--list-profiles has $p" "$p" "$(paste -sd' ' - <<<"$listed")"
	fi
done
for p in $listed; do
	entry=$(awk -v p="$p" '$1 == p { on = 1; print; next } on && /^ / { print; next } { on = 0 }' <<<"$list")
	desc=$(head -n1 <<<"$entry" | sed "s/^$p  *//")
	src=$(sed -n 's/^  *source: *//p' <<<"$entry" | head -n1)
	if [ "${#desc}" -ge 20 ]; then pass; else
		fail "$p: a one-line description" "20 or more characters" "'$desc'"
	fi
	if [ -n "$src" ]; then pass; else
		fail "$p: a source line" "source: ..." "$(printf '%s' "$entry" | paste -sd'|' -)"
	fi
done
check_match "--list-profiles explains NAME:DOMAIN" 'NAME:DOMAIN' "$list"
# Each profile, after its source, the rules it expands to, indented, with
# DOMAIN for the domain of NAME:DOMAIN.
for p in $listed; do
	entry=$(awk -v p="$p" '$1 == p { on = 1; print; next } on && /^ / { print; next } { on = 0 }' <<<"$list")
	rules=$(sed -n '/^  *rules\( (DOMAIN needed)\)\{0,1\}:$/,$p' <<<"$entry" | sed 1d | sed 's/^  *//')
	if [ -n "$rules" ] && ! grep -Evq '^(servfail|refused|notimp|formerr|nxdomain|nodata|drop|delay|truncate|garble|noaa|nosoa|wrongid|sig-expired|sig-future|sig-bogus|sig-strip|nsec-strip|ds-bogus) (DOMAIN|\*\.DOMAIN) [A-Z*][A-Z0-9]*( [a-z]+=[^ ]+)*$' <<<"$rules"; then
		pass
	else
		fail "$p: its rules, indented, after rules:" "ACTION DOMAIN TYPE [OPTION...] lines" "$(printf '%s' "$entry" | paste -sd'|' -)"
	fi
done
tld=$(awk '$1 == "tld-flap" { on = 1; next } on && /^ / { print; next } { on = 0 }' <<<"$list" | sed 's/^  *//')
check_match "tld-flap expands to its rule" '^servfail DOMAIN CAA every=3$' "$tld"
cs=$(awk '$1 == "caa-servfail" { on = 1; next } on && /^ / { print; next } { on = 0 }' <<<"$list" | sed 's/^  *//')
check_match "caa-servfail: the name" '^servfail DOMAIN CAA$' "$cs"
check_match "caa-servfail: the names below it" '^servfail \*\.DOMAIN CAA$' "$cs"
long=$(awk 'length($0) > 80' <<<"$list")
check "--list-profiles fits in 80 columns" "" "$long"

# ---------------------------------------------------------------- usage errors

LAST_CMD="caa-responder -l 127.0.0.1:0 -P no-such-profile zones/*.zone"
OUT=$(timeout 10 "$RESPONDER" -l 127.0.0.1:0 -P no-such-profile "${ZONE_FILES[@]}" 2>&1 </dev/null)
RC=$?
check "an unknown profile exits with status 64" 64 "$RC"
check_match "an unknown profile: the reason lists the valid ones" "no-such-profile.*caa-servfail" "$OUT"
LAST_CMD="caa-responder -l 127.0.0.1:0 -P cname-loop zones/*.zone"
OUT=$(timeout 10 "$RESPONDER" -l 127.0.0.1:0 -P cname-loop "${ZONE_FILES[@]}" 2>&1 </dev/null)
RC=$?
check "a profile that needs a DOMAIN, without one, exits with status 64" 64 "$RC"
check_match "the reason says NAME:DOMAIN" 'cname-loop:DOMAIN' "$OUT"

# ---------------------------------------------------------------- each profile

# with_profile ARG: a fresh responder with -P ARG and the bundled zones.
with_profile() {
	CUR=$1
	start_responder -P "$1" "${ZONE_FILES[@]}"
}

# rcode_is NAME TYPE RCODE [dig options]: one dig query, its RCODE.
rcode_is() {
	local name=$1 type=$2 want=$3
	shift 3
	ask dig "$name" "$type" "$@"
	check "-P $CUR: $name $type" "$want" "$(out_rcode)"
}

# dropped NAME TYPE [--tcp]: no reply within 0.7 s.
dropped() {
	local port=$PORT4
	[ "${3:-}" = --tcp ] && port=$TPORT4
	raw --timeout 0.7 ask "$HOST4" "$port" "$1" "$2" ${3:+"$3"}
	check "-P $CUR: $1 $2${3:+ $3} gets no reply" noreply "$(printf '%s\n' "$OUT" | head -n1)"
}

# caa-servfail: servfail % CAA.  Everything else fine.
with_profile caa-servfail
rcode_is host.caa.test CAA SERVFAIL
rcode_is caa.test CAA SERVFAIL
rcode_is example.test CAA SERVFAIL
rcode_is host.caa.test A NOERROR
expect rr ANSWER 'host.caa.test. IN A 192.0.2.1'

# NAME:DOMAIN: DOMAIN and the names below it, nothing else.
with_profile caa-servfail:caa.test
rcode_is caa.test CAA SERVFAIL
rcode_is flag0.caa.test CAA SERVFAIL
rcode_is example.test CAA NOERROR
rcode_is target.alias.test CAA NOERROR
expect rr ANSWER 'target.alias.test. IN CAA 0 issue "letsencrypt.org"'

with_profile notimp-unknown-type
rcode_is flag0.caa.test CAA NOTIMP
rcode_is example.test A NOERROR

with_profile refused-caa
rcode_is flag0.caa.test CAA REFUSED
expect count ANSWER 0
rcode_is example.test A NOERROR

with_profile firewall-drop
dropped flag0.caa.test CAA
rcode_is example.test A NOERROR

with_profile lb-servfail
rcode_is flag0.caa.test CAA SERVFAIL
rcode_is example.test TXT NOERROR

# nosoa % CAA: negative CAA answers without the SOA.
with_profile nodata-no-soa
rcode_is host.caa.test CAA NOERROR
expect count ANSWER 0
expect count AUTHORITY 0
rcode_is nothere.caa.test CAA NXDOMAIN
expect count AUTHORITY 0
rcode_is nothere.caa.test A NXDOMAIN
expect nrecords AUTHORITY SOA 1

# nodata % CAA: the CAA records vanish.
with_profile mboxfw-collision
rcode_is flag0.caa.test CAA NOERROR
expect count ANSWER 0
expect nrecords AUTHORITY SOA 1

# nodata % * with DOMAIN outside every zone: NOERROR instead of REFUSED.
with_profile out-of-zone-noerror:example.com
rcode_is example.com A NOERROR
expect count ANSWER 0
rcode_is www.example.com A NOERROR
rcode_is www.example.net A REFUSED

# nxdomain % CAA.
with_profile nodata-as-nxdomain
rcode_is host.caa.test CAA NXDOMAIN
expect count ANSWER 0
rcode_is host.caa.test A NOERROR

# servfail % * at a CNAME owner whose target is out of zone.
with_profile cname-out-servfail:outside.alias.test
rcode_is outside.alias.test A SERVFAIL
rcode_is cname.alias.test A NOERROR

# servfail % CAA in one zone.
with_profile zone-nodata-servfail:alias.test
rcode_is alias.test CAA SERVFAIL
rcode_is target.alias.test CAA SERVFAIL
rcode_is alias.test SOA NOERROR
rcode_is caa.test CAA NOERROR

# servfail % CAA at one owner.
with_profile empty-issue-crash:deny.caa.test
rcode_is deny.caa.test CAA SERVFAIL
rcode_is flag0.caa.test CAA NOERROR

# drop % CAA: over UDP and TCP alike.
with_profile tcp-refused-unknown
dropped flag0.caa.test CAA
dropped flag0.caa.test CAA --tcp
rcode_is example.test A NOERROR

with_profile forwarder-drop
dropped flag0.caa.test CAA
rcode_is example.test A NOERROR

# servfail % CAA every=3: the first query of every three.
with_profile tld-flap
raw series "$HOST4" "$PORT4" flag0.caa.test CAA 6
check "-P tld-flap: six CAA queries" 'SERVFAIL NOERROR NOERROR SERVFAIL NOERROR NOERROR' "$(out_kv rcodes)"
with_profile tld-flap:test
raw series "$HOST4" "$PORT4" test CAA 4
check "-P tld-flap:test: four CAA queries at test." 'SERVFAIL NOERROR NOERROR SERVFAIL' "$(out_kv rcodes)"
raw series "$HOST4" "$PORT4" caa.test CAA 3
check "-P tld-flap:test: caa.test is not the TLD" 'NOERROR NOERROR NOERROR' "$(out_kv rcodes)"

# servfail % * at a name in a CNAME loop.
with_profile cname-loop:loop1.alias.test
rcode_is loop1.alias.test A SERVFAIL
rcode_is loop1.alias.test CAA SERVFAIL
rcode_is chain.alias.test A NOERROR

# notimp % SOA first; AA clear on the rest.
with_profile challtestsrv
rcode_is caa.test SOA NOTIMP
rcode_is caa.test NS NOTIMP
rcode_is caa.test MX NOTIMP
rcode_is flag0.caa.test CAA NOERROR
expect noflag aa
expect rr ANSWER 'flag0.caa.test. IN CAA 0 issue "letsencrypt.org"'

finish
