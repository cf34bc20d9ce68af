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
# then lab/perspectives.lab, caa-probe with its five remote perspectives
# (DIR/perspectives.args):
#
#   anycast1.test  one remote behind a broken anycast node: allowed, 4/5
#   anycast2.test  two: lookup-failed, "During secondary validation: ..."
#   geo.test       a view gives two remotes another CA's CAA: denied (3/5),
#                  allowed with --quorum 3
#   v6caa.test     CAA dropped over IPv6: the IPv6 remote times out (4/5),
#                  --trace marks the nameserver's IPv6 address
#
# then lab/acme.lab, with unbound (the lab's unbound.conf), Pebble resolving
# through it and caa-gate in front of Pebble (-r from the lab's root hints
# and trust anchor), all inside the lab; lego asks the gate:
#
#   www.good.test     issued (HTTP-01: Pebble resolves it through unbound)
#   www.bogus.test    urn:ietf:params:acme:error:dns, DNSSEC: Bogus
#   www.expired.test  urn:ietf:params:acme:error:dns, DNSSEC: Signature Expired
#
# (that part is skipped, not failed, without pebble, lego, unbound, openssl,
# curl or the third argument).  Needs root and ip netns: status 77
# (skipped) when a namespace cannot be made.
#
#   tests/e2e/lab.sh caa-responder caa-probe [caa-gate]
set -u -o pipefail

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" "$1"
PROBE=${2:-}
GATE=${3:-}
[ -x "$PROBE" ] || { echo "usage: $0 caa-responder caa-probe [caa-gate]" >&2; exit 2; }
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
# ctest ends a test at its TIMEOUT (300 s) with SIGKILL, and no trap runs
# then: the lab's servers (setsid) and namespace would stay up.  So the
# test ends itself first, by SIGTERM, and its EXIT trap takes the lab down
# (E2E_LAB_BUDGET seconds, default 280).
# The watchdog's sleep holds neither ctest's output pipe (ctest waits for
# it to close) nor outlives the test: it ends with the watchdog.
(
	trap 'kill "$s" 2>/dev/null; exit 0' TERM
	sleep "${E2E_LAB_BUDGET:-280}" &
	s=$!
	wait "$s" && kill -TERM $$
) >/dev/null 2>&1 &
WATCHDOG=$!
# shellcheck disable=SC2317 # called by the EXIT trap
watchdog_stop() { kill "$WATCHDOG" 2>/dev/null; wait "$WATCHDOG" 2>/dev/null; }
trap 'echo "lab: over ${E2E_LAB_BUDGET:-280} s: stopped" >&2; exit 143' TERM
trap 'watchdog_stop; lab down >/dev/null 2>&1; cleanup' EXIT

# bad_lab FILE TEXT LABEL ERE: a lab file of TEXT does not come up (status
# 1), and the error matches ERE (it names the file and line).
bad_lab() {
	printf '%b' "$2" >"$tmp/$1"
	LAST_CMD="lab.sh up $tmp/$1"
	OUT=$(lab -n "$NS" up "$tmp/$1" 2>&1)
	check "$3: status" 1 $?
	check_match "$3: file and line" "$4" "$OUT"
}

# A lab file error names the file and line.
bad_lab bad.lab 'server ns.test 127.0.0.3\n\tserves test\nbogus line\n' \
	"bad lab file" "bad.lab:3: unknown keyword 'bogus'"
bad_lab bad6.lab 'server ns.test 127.0.0.3 fd00::zz\n\tserves test\n' \
	"bad server address" "bad6.lab:1: server: address 'fd00::zz' is not IPv6"

# Views and perspectives: errors name the file and line.
bad_lab bad3.lab 'zone geo.test view=asia\n\t@ CAA 0 issue "otherca.example"\nserver a.root-servers.lab 127.0.0.2\n\tserves . geo.test\n' \
	"view copy no server uses" "bad3.lab:1: zone geo.test view=asia: no server of geo.test has a 'view asia \\.\\.\\.' line"
bad_lab bad4.lab 'server ns.test 127.0.0.3\n\tserves test\n\tview asia 127.0.1.3/33\n' \
	"view bad prefix" "bad4.lab:3: view asia: '127.0.1.3/33' is not an IPv4 or IPv6 address or prefix"
bad_lab bad5.lab 'perspective p1 127.0.1.1 rir=MARS\n' \
	"perspective bad RIR" "bad5.lab:1: perspective: rir=: 'MARS' is not ARIN, RIPE, APNIC, LACNIC or AFRINIC"
bad_lab bad7.lab 'perspective p1 127.0.1\n' \
	"perspective bad address" "bad7.lab:1: perspective: address '127.0.1' is neither IPv4 nor IPv6"

# A server that does not start: the file and line of its server line, and
# nothing left up.
printf 'server a.root-servers.lab 127.0.0.2\n\tserves .\n\tfault frobnicate . CAA\n' >"$tmp/bad2.lab"
LAST_CMD="lab.sh up $tmp/bad2.lab"
OUT=$("$LAB" -d "$D" -n "$NS" --responder "$RESPONDER" up "$tmp/bad2.lab" 2>&1)
check "server does not start: status" 1 $?
check_match "server does not start: file, line, why" "bad2.lab:1: server a.root-servers.lab does not start: .*frobnicate" "$OUT"
check "server does not start: no namespace left" "" "$(ip netns list | grep -E "^$NS( |\$)")"

# lab_up FILE LABEL: brings the lab of FILE up (within 60 s) into $OUT, and
# ends the test if it does not come up: every later check needs it.
lab_up() {
	LAST_CMD="lab.sh up lab/$(basename "$1")"
	OUT=$(timeout 60 "$LAB" -d "$D" -n "$NS" --responder "$RESPONDER" up "$1" 2>&1)
	local rc=$?
	check "$2: status" 0 "$rc"
	if [ "$rc" -ne 0 ]; then
		finish
	fi
}

lab_up "$LABFILE" "lab up"
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
lab_up "$(dirname "$LABFILE")/dnssec-faults.lab" "dnssec-faults.lab up"
resolve www.empty.test
check_match "www.empty.test: bogus NODATA" '"reason":"DNS problem: looking up CAA for www.empty.test: DNSSEC: Bogus: ' "$OUT"
check_match "www.empty.test: the CAA RRset above is secure" '"name":"empty.test","rcode":"NOERROR","dnssec":"secure","records":1' "$OUT"
resolve empty.test
check_match "empty.test: allowed, secure" '"verdict":"allowed".*"name":"empty.test","rcode":"NOERROR","dnssec":"secure"' "$OUT"
resolve expired.test
check_match "expired.test: expired" '"reason":"DNS problem: looking up CAA for expired.test: DNSSEC: Signature Expired: ' "$OUT"
lab_down dnssec-faults.lab

# lab/perspectives.lab: five remote perspectives (source addresses in the
# lab, DIR/perspectives.args), nameservers that treat some of them
# differently.
lab_up "$(dirname "$LABFILE")/perspectives.lab" "perspectives.lab up"
check_match "lab up: perspectives file" "^perspectives: +$D/perspectives.args" "$OUT"
check "perspectives.args" "--perspective arin=from=127.0.1.1,rir=ARIN --perspective ripe=from=127.0.1.2,rir=RIPE --perspective apnic=from=127.0.1.3,rir=APNIC --perspective lacnic=from=127.0.1.4,rir=LACNIC --perspective afrinic=from=fd00::1:5,rir=AFRINIC" \
	"$(cat "$D/perspectives.args" 2>&1)"
check_match "the IPv6 perspective's address is on lo" "inet6 fd00::1:5/128" "$(lab exec ip -6 addr show dev lo 2>&1)"
P=$(cat "$D/perspectives.args" 2>/dev/null)
# One remote behind a broken anycast node: allowed, 4/5.
# shellcheck disable=SC2086 # $P: one word per option
resolve www.anycast1.test $P
check_match "anycast1.test: allowed, quorum 4/5" '"verdict":"allowed".*"quorum":"4/5"' "$OUT"
check_match "anycast1.test: arin failed" '"name":"arin","rir":"ARIN","verdict":"lookup-failed","reason":"DNS problem: SERVFAIL looking up CAA for www.anycast1.test' "$OUT"
# Two: the quorum fails, in Boulder's words.
# shellcheck disable=SC2086
resolve www.anycast2.test $P
check_match "anycast2.test: lookup-failed, secondary validation" \
	'"verdict":"lookup-failed","reason":"During secondary validation: While processing CAA for www.anycast2.test: DNS problem: SERVFAIL looking up CAA for www.anycast2.test - the domain.s nameservers may be malfunctioning"' "$OUT"
check_match "anycast2.test: quorum 3/5" '"quorum":"3/5"' "$OUT"
# A geo-DNS view: apnic and lacnic see another CA's CAA.
LAST_CMD="lab.sh exec dig -b 127.0.1.3 @127.0.0.62 geo.test CAA"
check "geo.test from apnic's address: the view's CAA" '0 issue "otherca.example"' \
	"$(lab exec dig +short +norec -b 127.0.1.3 @127.0.0.62 geo.test CAA 2>&1)"
check "geo.test from elsewhere: the common CAA" '0 issue "letsencrypt.org"' \
	"$(lab exec dig +short +norec @127.0.0.62 geo.test CAA 2>&1)"
# shellcheck disable=SC2086
resolve www.geo.test $P
check_match "geo.test: denied, secondary validation" \
	'"verdict":"denied","reason":"During secondary validation: While processing CAA for www.geo.test: CAA record for geo.test prevents issuance"' "$OUT"
check_match "geo.test: quorum 3/5" '"quorum":"3/5"' "$OUT"
check_match "geo.test: the query log names the view" '"client":"127\.0\.1\.3:[0-9]+","view":"127\.0\.1\.3/32"' \
	"$(cat "$D"/log/ns.geo.test.*.jsonl)"
# shellcheck disable=SC2086
resolve www.geo.test $P --quorum 3
check_match "geo.test --quorum 3: allowed, 3/5" '"verdict":"allowed".*"quorum":"3/5"' "$OUT"
# CAA dropped over IPv6 only: the IPv6 remote fails, --trace marks the
# server's IPv6 address.
# shellcheck disable=SC2086
resolve www.v6caa.test $P --trace --tries 2
check_match "v6caa.test: allowed, 4/5" '"verdict":"allowed".*"quorum":"4/5"' "$OUT"
check_match "v6caa.test: afrinic (IPv6) timed out" '"name":"afrinic","rir":"AFRINIC","verdict":"lookup-failed","reason":"DNS problem: query timed out looking up CAA for www.v6caa.test"' "$OUT"
check_match "v6caa.test --trace: the IPv6 address disagrees" \
	'"ns":"ns\.v6caa\.test","address":"fd00::63","family":6,[^}]*"error":"timeout","disagrees":true' "$OUT"
check_match "v6caa.test --trace: the IPv4 address agrees" \
	'"ns":"ns\.v6caa\.test","address":"127\.0\.0\.63","family":4,"rcode":"NOERROR",[^}]*"disagrees":false' "$OUT"
lab_down perspectives.lab

# lab/acme.lab: lego asks caa-gate for certificates, caa-gate resolves from
# the lab's root hints and validates, Pebble behind it resolves through the
# lab's unbound (127.0.0.53); all of them, lego's HTTP-01 server too, inside
# the lab's namespace.
for tool in pebble lego unbound openssl curl; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "lab: $tool is not installed: Pebble and caa-gate in the lab skipped"
		finish
	fi
done
if [ ! -x "$GATE" ]; then
	echo "lab: no caa-gate given: Pebble and caa-gate in the lab skipped"
	finish
fi
lab_up "$(dirname "$LABFILE")/acme.lab" "acme.lab up"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
sh "$E2E_DIR/../acme/make-test-ca.sh" "$D/tls" >/dev/null || fail "make-test-ca.sh" 0 "$?"
cat >"$D/pebble.json" <<JSON
{"pebble": {"listenAddress": "127.0.0.1:14400", "managementListenAddress": "127.0.0.1:14401",
  "certificate": "$D/tls/cert.pem", "privateKey": "$D/tls/key.pem",
  "httpPort": 80, "tlsPort": 443, "ocspResponderURL": "",
  "externalAccountBindingRequired": false}}
JSON
LAB_PIDS=()
# shellcheck disable=SC2317 # called by the EXIT trap
acme_stop() {
	local p
	for p in "${LAB_PIDS[@]}"; do
		stop_pid "$p"
	done
	LAB_PIDS=()
}
trap 'watchdog_stop; acme_stop; lab down >/dev/null 2>&1; cleanup' EXIT
# in_lab NAME CMD...: CMD in the lab, in the background, output in
# $D/NAME.out; its PID (the command's own: ip netns exec execs it) kept.
in_lab() {
	local name=$1
	shift
	(exec "$LAB" -d "$D" exec "$@" >"$D/$name.out" 2>&1) &
	LAB_PIDS+=($!)
}
# until_ok SECONDS CMD...: CMD every 0.2 s until it succeeds (0) or SECONDS
# pass (1).
until_ok() {
	local deadline=$(($(date +%s) + $1))
	shift
	while [ "$(date +%s)" -le "$deadline" ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}
in_lab unbound unbound -d -c "$D/unbound.conf"
in_lab pebble env PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 \
	pebble -config "$D/pebble.json" -dnsserver 127.0.0.53:53
in_lab gate "$GATE" -r --root-hints "$D/root.hints" --trust-anchor "$D/root.ds" \
	-u https://127.0.0.1:14400 --upstream-ca "$D/tls/ca.pem" --cert "$D/tls/cert.pem" \
	--key "$D/tls/key.pem" -q "$D/gate.log"
# shellcheck disable=SC2317 # called by until_ok
unbound_ready() {
	grep -q 'status: NOERROR' <<<"$(lab exec dig @127.0.0.53 +time=1 +tries=1 good.test SOA)"
}
until_ok 20 unbound_ready
until_ok 20 lab exec curl -sS --fail --max-time 2 --cacert "$D/tls/ca.pem" \
	https://127.0.0.1:14400/dir
until_ok 10 grep -q '^ready ' "$D/gate.out"
check_match "caa-gate in the lab: ready" '^ready https=127\.0\.0\.1:14000 upstream=https://127\.0\.0\.1:14400$' \
	"$(head -n1 "$D/gate.out")"

# lego_lab NAME: lego (HTTP-01 on port 80 in the lab) asks the gate for NAME.
lego_lab() {
	LAST_CMD="lab.sh exec lego --server https://127.0.0.1:14000/dir --domains $1 --http run"
	OUT=$(LEGO_CA_CERTIFICATES=$D/tls/ca.pem timeout 120 "$LAB" -d "$D" exec lego \
		--server https://127.0.0.1:14000/dir --accept-tos --email admin@good.test \
		--domains "$1" --http --path "$D/lego" run 2>&1)
	LEGO_RC=$?
}
lego_lab www.good.test
check "www.good.test: lego's status" 0 "$LEGO_RC"
check_match "www.good.test: issued" 'DNS:www\.good\.test' \
	"$(openssl x509 -in "$D/lego/certificates/www.good.test.crt" -noout -ext subjectAltName 2>&1)"
check_match "www.good.test: Pebble resolved it through the lab's unbound" \
	'"qname":"www\.good\.test\.","qtype":"A","rcode":"NOERROR"' "$(cat "$D"/log/ns.good.test.*.jsonl)"
lego_lab www.bogus.test
check "www.bogus.test: lego's status" 1 "$LEGO_RC"
check_match "www.bogus.test: DNSSEC: Bogus" \
	"urn:ietf:params:acme:error:dns :: While processing CAA for www\.bogus\.test: DNS problem: looking up CAA for www\.bogus\.test: DNSSEC: Bogus: validation failure <www\.bogus\.test\. CAA IN>" "$OUT"
lego_lab www.expired.test
check "www.expired.test: lego's status" 1 "$LEGO_RC"
check_match "www.expired.test: DNSSEC: Signature Expired" \
	"urn:ietf:params:acme:error:dns :: While processing CAA for www\.expired\.test: DNS problem: looking up CAA for www\.expired\.test: DNSSEC: Signature Expired: " "$OUT"
check "the gate's log: allowed, lookup-failed, lookup-failed" "allowed lookup-failed lookup-failed" \
	"$("$PY" -c 'import json, sys
print(" ".join(json.loads(l)["verdict"] for l in open(sys.argv[1])))' "$D/gate.log" 2>&1)"
acme_stop
lab_down acme.lab
finish
