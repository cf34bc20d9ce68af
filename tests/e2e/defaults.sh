#!/usr/bin/env bash
# tests/e2e/defaults.sh -- default addresses (--default-ipv4/--default-ipv6
# and /set-default-ipv4/6): every A or AAAA question without records of
# its own gets the address, and a name that answers A or AAAA that way,
# or through a record the API added, exists: its other types are
# NOERROR/NODATA with an SOA, never NXDOMAIN.  Delegations, DNAMEs and
# wildcards keep their precedence; bad addresses are misuse.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" "${1:-}"

if ! command -v curl >/dev/null; then
	echo "defaults: curl is needed (apt-get install curl)" >&2
	exit 2
fi

ROOT_SOA='. IN SOA ns.caalab.invalid. hostmaster.caalab.invalid. 1 3600 600 86400 0'
CAA_SOA='caa.test. IN SOA ns1.test. hostmaster.caa.test. 2026112201 7200 3600 1209600 300'
ALIAS_SOA='alias.test. IN SOA ns1.test. hostmaster.alias.test. 2026112201 7200 3600 1209600 300'

# api METHOD PATH BODY: status in $CODE, body in $BODY (CPORT from the
# ready line).
api() {
	LAST_CMD="curl -X $1 http://127.0.0.1:$CPORT$2 $3"
	CODE=$(timeout 30 curl -sS -o "$tmp/body" -w '%{http_code}' -X "$1" \
		--data-binary "$3" -H 'Content-Type: application/json' \
		"http://127.0.0.1:$CPORT$2" 2>"$tmp/curl.err")
	BODY=$(cat "$tmp/body" 2>/dev/null)
	OUT="HTTP $CODE $BODY $(cat "$tmp/curl.err")"
}

# nodata WHAT SOA: the last answer is NOERROR, AA, no answer, SOA in
# authority.
nodata() {
	expect rcode NOERROR
	expect flag aa
	expect count ANSWER 0
	expect rr AUTHORITY "$2"
}

# ------------------------------------------------------------ misuse

for bad in '--default-ipv4 300.1.1.1' '--default-ipv4 ::1' \
	'--default-ipv6 127.0.0.1' '--default-ipv6 2001:db8::zz' \
	'--default-ipv4 127.0.0.1:53'; do
	# shellcheck disable=SC2086 # the option and its value, split
	set -- $bad
	LAST_CMD="caa-responder $bad"
	OUT=$(timeout 10 "$RESPONDER" -l 127.0.0.1:0 "$1" "$2" 2>&1 </dev/null)
	check "$bad: exit 64" 64 "$?"
	check_match "$bad: the message names the option and value" \
		"'$2'.*$1" "$OUT"
done

# ------------------------------------ both defaults, no management API

start_responder --default-ipv4 127.0.0.1 --default-ipv6 ::1 \
	"${ZONE_FILES[@]}" || finish

ask dig foo.caa.test A
expect rcode NOERROR
expect flag aa
expect rr ANSWER 'foo.caa.test. IN A 127.0.0.1'
ask dig foo.caa.test AAAA
expect rr ANSWER 'foo.caa.test. IN AAAA ::1'
ask dig foo.caa.test CAA
nodata "a default name's CAA" "$CAA_SOA"
ask kdig a.b.foo.caa.test TXT
nodata "a deeper default name's TXT" "$CAA_SOA"
ask dig flag0.caa.test A
expect rr ANSWER 'flag0.caa.test. IN A 127.0.0.1'
ask dig flag0.caa.test CAA
expect rr ANSWER 'flag0.caa.test. IN CAA 0 issue "letsencrypt.org"'

# A name's own addresses win.
ask dig example.test A
expect rr ANSWER 'example.test. IN A 192.0.2.10'
expect count ANSWER 1

# A delegation still refers, whatever the type.
for t in A CAA; do
	ask dig x.deleg.test "$t"
	expect rcode NOERROR
	expect noflag aa
	expect count ANSWER 0
	expect rr AUTHORITY 'deleg.test. IN NS ns1.deleg.test.'
done

# A wildcard answers its own types; the default only fills in A.
ask dig foo.wild.alias.test CAA
expect rr ANSWER 'foo.wild.alias.test. IN CAA 0 issue "wild.ca.test"'
ask dig foo.wild.alias.test A
expect rr ANSWER 'foo.wild.alias.test. IN A 127.0.0.1'

# A DNAME rewrites first; its target exists through the default.
ask dig x.old.alias.test CAA
expect rcode NOERROR
expect rr ANSWER 'old.alias.test. IN DNAME new.alias.test.'
expect rr ANSWER 'x.old.alias.test. IN CNAME x.new.alias.test.'
expect rr AUTHORITY "$ALIAS_SOA"
ask dig x.old.alias.test A
expect rcode NOERROR
expect rr ANSWER 'x.old.alias.test. IN CNAME x.new.alias.test.'
expect rr ANSWER 'x.new.alias.test. IN A 127.0.0.1'
expect count AUTHORITY 0
# So does a CNAME's.
ask dig dangling.alias.test AAAA
expect rcode NOERROR
expect rr ANSWER 'dangling.alias.test. IN CNAME nowhere.alias.test.'
expect rr ANSWER 'nowhere.alias.test. IN AAAA ::1'
ask dig dangling.alias.test CAA
expect rcode NOERROR
expect rr AUTHORITY "$ALIAS_SOA"

# Outside every zone: as the API's made-up root zone answers.
ask dig www.example.net A
expect rcode NOERROR
expect flag aa
expect rr ANSWER 'www.example.net. IN A 127.0.0.1'
ask dig www.example.net CAA
nodata "a name outside every zone" "$ROOT_SOA"
ask kdig www.example.net MX +edns
nodata "a name outside every zone, with EDNS" "$ROOT_SOA"
ask dig . SOA
expect rcode NOERROR
expect rr ANSWER "$ROOT_SOA"

# ------------------------------------------------------ IPv4 only

start_responder --default-ipv4 192.0.2.1 "${ZONE_FILES[@]}" || finish
ask dig foo.caa.test AAAA
nodata "AAAA of a name that answers A" "$CAA_SOA"
ask dig foo.caa.test A
expect rr ANSWER 'foo.caa.test. IN A 192.0.2.1'
ask dig www.example.net AAAA
nodata "AAAA outside every zone" "$ROOT_SOA"

# ---------------------------------------------- '' is none (the default)

start_responder --default-ipv4 192.0.2.1 --default-ipv4 '' \
	--default-ipv6 '' "${ZONE_FILES[@]}" || finish
ask dig foo.caa.test A
expect rcode NXDOMAIN
ask dig foo.caa.test CAA
expect rcode NXDOMAIN
ask dig www.example.net CAA
expect rcode REFUSED

# ------------------------------- the flags and the API share the defaults

start_responder -c 127.0.0.1:0 --default-ipv4 192.0.2.1 \
	"${ZONE_FILES[@]}" || finish
CPORT=$(ready_port "$READY_LINE" control '127\.0\.0\.1')
api POST /set-default-ipv6 '{"ip":"2001:db8::1"}'
check "/set-default-ipv6" 200 "$CODE"
ask dig foo.caa.test A
expect rr ANSWER 'foo.caa.test. IN A 192.0.2.1'
ask dig foo.caa.test AAAA
expect rr ANSWER 'foo.caa.test. IN AAAA 2001:db8::1'
api POST /set-default-ipv4 '{"ip":""}'
api POST /set-default-ipv6 '{"ip":""}'
ask dig foo.caa.test A
expect rcode NXDOMAIN
ask dig foo.caa.test CAA
expect rcode NXDOMAIN

# ------------------------------------------------- records the API adds

api POST /add-a '{"host":"api.example.org","addresses":["192.0.2.7"]}'
check "/add-a outside every zone" 200 "$CODE"
ask dig api.example.org CAA
nodata "an API name outside every zone" "$ROOT_SOA"
api POST /add-aaaa '{"host":"v6.caa.test","addresses":["2001:db8::7"]}'
ask dig v6.caa.test CAA
nodata "an API name in a zone" "$CAA_SOA"
api POST /records '{"rr":"a.b.rec.caa.test. 60 IN A 192.0.2.8"}'
check "POST /records" 201 "$CODE"
ask dig a.b.rec.caa.test CAA
nodata "a name POST /records added" "$CAA_SOA"
ask dig b.rec.caa.test CAA
nodata "the empty non-terminal above it" "$CAA_SOA"
api POST /add-a '{"host":"host.deleg.test","addresses":["192.0.2.9"]}'
ask dig host.deleg.test A
expect noflag aa
expect count ANSWER 0
expect rr AUTHORITY 'deleg.test. IN NS ns1.deleg.test.'

finish
