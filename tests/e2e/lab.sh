#!/usr/bin/env bash
# tests/e2e/lab.sh -- scripts/lab.sh stands up lab/basic.lab (a signed root,
# test. and one domain per case, each server a caa-responder in a network
# namespace of its own), caa-probe resolves through it as a CA does (-r
# from the lab's root hints, validating from its trust anchor), and
# "lab.sh down" leaves no server and no namespace behind.
#
#   good.test   allowed, every lookup secure
#   two.test    one nameserver of two answers SERVFAIL to CAA (the PowerDNS
#               case): asked alone it fails the lookup; the resolver tries
#               the other one and the name is allowed
#   v6.test     its nameserver drops queries over IPv6: asked at its IPv6
#               address the lookup times out, at IPv4 it answers; the
#               resolver falls back to IPv4
#
# then lab/dnssec-faults.lab:
#
#   empty.test    bogus signatures on empty answers only: www.empty.test
#                 fails (DNSSEC: Bogus), empty.test is allowed
#   expired.test  DNSSEC: Signature Expired
#
# Needs root and ip netns: status 77 (skipped) when a namespace cannot be
# made.
set -u -o pipefail

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" "$1"
PROBE=${2:-}
[ -x "$PROBE" ] || { echo "usage: $0 caa-responder caa-probe" >&2; exit 2; }
LAB=$(cd "$E2E_DIR/../.." && pwd)/scripts/lab.sh
LABFILE=$(cd "$E2E_DIR/../../lab" && pwd)/basic.lab

NS=caalab-e2e-$$
if ! command -v ip >/dev/null 2>&1 || ! ip netns add "$NS-try" 2>/dev/null; then
	echo "lab: cannot make a network namespace (root and iproute2 needed): skipped"
	rm -rf "$tmp"
	exit 77
fi
ip netns del "$NS-try"

D=$tmp/lab
lab() { "$LAB" -d "$D" "$@"; }
trap 'lab down >/dev/null 2>&1; cleanup' EXIT

# A lab file error names the file and line.
printf 'server ns.test 127.0.0.3\n\tserves test\nbogus line\n' >"$tmp/bad.lab"
LAST_CMD="lab.sh up $tmp/bad.lab"
OUT=$(lab -n "$NS" up "$tmp/bad.lab" 2>&1)
check "bad lab file: status" 1 $?
check_match "bad lab file: file and line" "bad.lab:3: unknown keyword 'bogus'" "$OUT"

# A server that does not start: the file and line of its server line, and
# nothing left up.
printf 'server a.root-servers.lab 127.0.0.2\n\tserves .\n\tfault frobnicate . CAA\n' >"$tmp/bad2.lab"
LAST_CMD="lab.sh up $tmp/bad2.lab"
OUT=$("$LAB" -d "$D" -n "$NS" --responder "$RESPONDER" up "$tmp/bad2.lab" 2>&1)
check "server does not start: status" 1 $?
check_match "server does not start: file, line, why" "bad2.lab:1: server a.root-servers.lab does not start: .*frobnicate" "$OUT"
check "server does not start: no namespace left" "" "$(ip netns list | grep -E "^$NS( |\$)")"

LAST_CMD="lab.sh up lab/basic.lab"
OUT=$(timeout 60 "$LAB" -d "$D" -n "$NS" --responder "$RESPONDER" up "$LABFILE" 2>&1)
rc=$?
check "lab up: status" 0 "$rc"
if [ "$rc" -ne 0 ]; then
	finish
fi
check_match "lab up: root hints" "^root hints: +$D/root.hints" "$OUT"
check_match "lab up: trust anchor" "^trust anchor: +$D/root.ds" "$OUT"
check_match "root hints: IPv6 root" "a.root-servers.lab. 3600000 AAAA fd00::2" "$(cat "$D/root.hints")"
check_match "trust anchor: the root's DS" "^\.[[:space:]].*DS[[:space:]]" "$(cat "$D/root.ds")"

# resolve NAME [ARGS...]: caa-probe -r through the lab, JSON out.
resolve() {
	local n=$1
	shift
	LAST_CMD="lab.sh exec caa-probe -r --root-hints $D/root.hints --trust-anchor $D/root.ds $* $n"
	OUT=$(timeout 30 "$LAB" -d "$D" exec "$PROBE" -r --root-hints "$D/root.hints" \
		--trust-anchor "$D/root.ds" -o json "$@" "$n" 2>&1)
}
# ask_one SERVER NAME [MS]: caa-probe -s SERVER (one server, no recursion),
# one try of MS milliseconds (default 3000: a loaded machine, sanitizers).
ask_one() {
	local ms=${3:-3000}
	LAST_CMD="lab.sh exec caa-probe -s $1 --timeout $ms --tries 1 $2"
	OUT=$(timeout 30 "$LAB" -d "$D" exec "$PROBE" -s "$1" --timeout "$ms" --tries 1 \
		-o json "$2" 2>&1)
}

resolve www.good.test
check_match "good.test: allowed" '"verdict":"allowed"' "$OUT"
check_match "good.test: secure" '"name":"good.test","rcode":"NOERROR","dnssec":"secure","records":1' "$OUT"
check "good.test: nothing but secure" "" "$(grep -Eo '"dnssec":"(insecure|bogus)"|"dnssec":null' <<<"$OUT")"

resolve insecure.test
check_match "insecure.test: allowed, insecure" '"name":"insecure.test","rcode":"NOERROR","dnssec":"insecure"' "$OUT"

# The PowerDNS case.
ask_one 127.0.0.21 www.two.test
check_match "two.test at ns2: SERVFAIL" "DNS problem: SERVFAIL looking up CAA for www.two.test - the domain's nameservers may be malfunctioning" "$OUT"
ask_one 127.0.0.20 www.two.test
check_match "two.test at ns1: allowed" '"verdict":"allowed"' "$OUT"
for i in 1 2 3; do
	resolve www.two.test
	check_match "two.test -r (try $i): allowed, secure" '"verdict":"allowed".*"name":"two.test","rcode":"NOERROR","dnssec":"secure"' "$OUT"
done
check_match "two.test: ns2 was asked and failed CAA" '"qname":"two.test.","qtype":"CAA","rcode":"SERVFAIL"' \
	"$(cat "$D"/log/ns2.two.test.*.jsonl)"

# Broken over IPv6 only.
ask_one '[fd00::30]' www.v6.test 300
check_match "v6.test over IPv6: timeout" "DNS problem: query timed out looking up CAA for www.v6.test" "$OUT"
ask_one 127.0.0.30 www.v6.test
check_match "v6.test over IPv4: allowed" '"verdict":"allowed"' "$OUT"
resolve www.v6.test
check_match "v6.test -r: allowed, secure" '"verdict":"allowed".*"name":"v6.test","rcode":"NOERROR","dnssec":"secure"' "$OUT"

# lab_down WHAT: lab.sh down leaves no server and no namespace.
lab_down() {
	local pids left="" p
	pids=$(awk '{ print $1 }' "$D/pids")
	LAST_CMD="lab.sh down"
	OUT=$(lab down 2>&1)
	check "$1 down: status" 0 $?
	for p in $pids; do
		# A zombie (stopped, not yet reaped by init) has no command line.
		[ -n "$(tr -d '\0' 2>/dev/null <"/proc/$p/cmdline")" ] && left+="$p "
	done
	check "$1 down: no server left" "" "$left"
	# What down left (after a FAIL) stops here, by PID.
	for p in $left; do kill -TERM "$p" 2>/dev/null; done
	check "$1 down: no namespace left" "" "$(ip netns list | grep -E "^$NS( |\$)")"
	OUT=$(lab status 2>&1)
	check "$1 status after down: status" 1 $?
}
lab_down basic.lab

# lab/dnssec-faults.lab: bogus signatures on empty answers only, an expired
# zone.
LAST_CMD="lab.sh up lab/dnssec-faults.lab"
OUT=$(timeout 60 "$LAB" -d "$D" -n "$NS" --responder "$RESPONDER" up \
	"$(dirname "$LABFILE")/dnssec-faults.lab" 2>&1)
rc=$?
check "dnssec-faults.lab up: status" 0 "$rc"
if [ "$rc" -ne 0 ]; then
	finish
fi
resolve www.empty.test
check_match "www.empty.test: bogus NODATA" '"reason":"DNS problem: looking up CAA for www.empty.test: DNSSEC: Bogus: ' "$OUT"
check_match "www.empty.test: the CAA RRset above is secure" '"name":"empty.test","rcode":"NOERROR","dnssec":"secure","records":1' "$OUT"
resolve empty.test
check_match "empty.test: allowed, secure" '"verdict":"allowed".*"name":"empty.test","rcode":"NOERROR","dnssec":"secure"' "$OUT"
resolve expired.test
check_match "expired.test: expired" '"reason":"DNS problem: looking up CAA for expired.test: DNSSEC: Signature Expired: ' "$OUT"
lab_down dnssec-faults.lab
finish
