#!/usr/bin/env bash
# tests/e2e/trace.sh -- caa-probe --trace names the broken nameserver and
# its address family.
#
# In a network namespace of its own (unshare -rn: port 53 is free there
# and lo takes the IPv6 addresses fd00::2 and fd00::3), trace.test has two
# nameservers, each a caa-responder of its own:
#
#   ns1.trace.test  127.0.0.2  fd00::2
#   ns2.trace.test  127.0.0.3  fd00::3
#
# and a third serves the root and test. (127.0.0.4), so that -r finds
# them from root hints of its own.
#
#   servfail   ns2 answers SERVFAIL to CAA for www.trace.test (the
#              PowerDNS case): both its addresses are marked, ns1 not
#   v6 drop    ns1 drops CAA over IPv6 (drop . CAA family=6): only
#              fd00::2 is marked, as a timeout; the verdict is still
#              reached as without --trace; every name of a deep climb
#              is asked at once, so the trace takes one timeout
#   tc         truncated over UDP, asked again over TCP: ns2 drops
#              TCP for www.trace.test, its answers there are marked
set -u -o pipefail

if [ "${CAA_NETNS:-}" != 1 ]; then
	for tool in unshare ip; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			echo "trace: $tool missing (scripts/bootstrap.sh)" >&2
			exit 1
		fi
	done
	CAA_NETNS=1 exec unshare -rn "$BASH" "$0" "$@"
fi
ip link set lo up
ip -6 addr add fd00::2/128 dev lo nodad
ip -6 addr add fd00::3/128 dev lo nodad

# shellcheck source=tests/e2e/probe_lib.sh
. "$(dirname "$0")/probe_lib.sh" "$1" "$2"

PIDS=()
stop_servers() {
	for p in "${PIDS[@]}"; do
		stop_pid "$p"
	done
	PIDS=()
}
trap 'stop_servers; cleanup' EXIT

cat >"$tmp/trace.test.zone" <<'ZONE'
$ORIGIN trace.test.
$TTL 300
@ SOA ns1 hostmaster 1 3600 900 604800 300
@ NS ns1
@ NS ns2
ns1 A 127.0.0.2
ns1 AAAA fd00::2
ns2 A 127.0.0.3
ns2 AAAA fd00::3
@ CAA 0 issue "letsencrypt.org"
www A 192.0.2.1
ZONE
cat >"$tmp/root.zone" <<'ZONE'
$ORIGIN .
$TTL 300
@ SOA ns.test. hostmaster.test. 1 3600 900 604800 300
@ NS ns.test.
test. NS ns.test.
ns.test. A 127.0.0.4
ZONE
cat >"$tmp/test.zone" <<'ZONE'
$ORIGIN test.
$TTL 300
@ SOA ns hostmaster 1 3600 900 604800 300
@ NS ns
ns A 127.0.0.4
trace NS ns1.trace
trace NS ns2.trace
ns1.trace A 127.0.0.2
ns1.trace AAAA fd00::2
ns2.trace A 127.0.0.3
ns2.trace AAAA fd00::3
ZONE
printf '. 3600 NS ns.test.\nns.test. 3600 A 127.0.0.4\n' >"$tmp/root.hints"

# server ADDR4 ADDR6 ARGS...: a caa-responder on port 53 of both (of
# ADDR4 alone when ADDR6 is ""), up when it answers.
server() {
	local a4=$1 a6=$2 log=$tmp/rsp-$1.err
	shift 2
	("$RESPONDER" -l "$a4:53" ${a6:+-l "[$a6]:53"} "$@" >/dev/null 2>"$log") &
	PIDS+=($!)
	for _ in $(seq 1 100); do
		if [ -n "$(dig +short +time=1 +tries=1 @"$a4" -p 53 ns.test A)$(dig +short +time=1 +tries=1 @"$a4" -p 53 ns1.trace.test A)" ]; then
			return 0
		fi
		sleep 0.1
	done
	LAST_CMD="" fail "caa-responder on $a4 starts" "an answer" "$(cat "$log")"
	return 1
}

# servers NS1-RULE NS2-RULE: trace.test's two nameservers, each with that
# fault rule ("" for none), and the root and test. server.
servers() {
	stop_servers
	server 127.0.0.2 fd00::2 "$tmp/trace.test.zone" ${1:+-f "$1"} || return 1
	server 127.0.0.3 fd00::3 "$tmp/trace.test.zone" ${2:+-f "$2"} || return 1
	server 127.0.0.4 "" "$tmp/root.zone" "$tmp/test.zone"
}

# entry NAME-INDEX ADDRESS: that address's entry in the trace of name
# NAME-INDEX of report 0, as "ns family rcode error disagrees".
entry() {
	jget "0.trace.$1.servers" | "$PY" -c '
import json, sys
for s in json.load(sys.stdin):
    if s["address"] == sys.argv[1]:
        print(s["ns"], s["family"], s["rcode"], s["error"], str(s["disagrees"]).lower())
' "$2"
}

T=(--timeout 300 --tries 1)

# --- one nameserver of two answers SERVFAIL to CAA ------------------------
servers "" "servfail www.trace.test CAA" || finish
run -s 127.0.0.2 "${T[@]}" --trace -o json www.trace.test
check "servfail: exit status (the verdict, as without --trace)" 0 "$PRC"
check "servfail: verdict" allowed "$(jget 0.verdict)"
check "servfail: first trace name" www.trace.test "$(jget 0.trace.0.name)"
check "servfail: its zone" trace.test "$(jget 0.trace.0.zone)"
check "servfail: ns1 IPv4 agrees" "ns1.trace.test 4 NOERROR None false" "$(entry 0 127.0.0.2)"
check "servfail: ns1 IPv6 agrees" "ns1.trace.test 6 NOERROR None false" "$(entry 0 fd00::2)"
check "servfail: ns2 IPv4 marked" "ns2.trace.test 4 SERVFAIL None true" "$(entry 0 127.0.0.3)"
check "servfail: ns2 IPv6 marked" "ns2.trace.test 6 SERVFAIL None true" "$(entry 0 fd00::3)"
check "servfail: the parent, all agree" "false false false false" "$(jget '0.trace.1.servers.*.disagrees' | tr -d '[],' | tr '\n' ' ' | sed 's/ $//')"
check "servfail: AA from ns1" true "$(jget 0.trace.0.servers.0.aa)"
check "servfail: records at trace.test" '[{"flags":0,"tag":"issue","value":"letsencrypt.org"}]' "$(jget 0.trace.1.servers.0.records)"
check "servfail: test. asked of no server (REFUSED)" "REFUSED looking up NS for test" "$(jget 0.trace.2.error)"

run -s 127.0.0.2 "${T[@]}" --trace www.trace.test
check "servfail text: exit status" 0 "$PRC"
check_match "servfail text: verdict first" "^www.trace.test: allowed" "$(head -1 <<<"$POUT")"
check_match "servfail text: the block" "^    www.trace.test  zone trace.test$" "$POUT"
check_match "servfail text: ns2 over IPv4 marked" "ns2.trace.test +127.0.0.3 +SERVFAIL .*<- disagrees \(IPv4\)" "$POUT"
check_match "servfail text: ns2 over IPv6 marked" "ns2.trace.test +fd00::3 +SERVFAIL .*<- disagrees \(IPv6\)" "$POUT"
check "servfail text: nothing else marked" 2 "$(grep -c 'disagrees' <<<"$POUT")"

# --- a nameserver broken over IPv6 only -----------------------------------
servers "drop . CAA family=6" "" || finish
run -s 127.0.0.3 "${T[@]}" --trace -o json www.trace.test
check "v6 drop: verdict" allowed "$(jget 0.verdict)"
check "v6 drop: fd00::2 marked, a timeout" "ns1.trace.test 6 None timeout true" "$(entry 0 fd00::2)"
check "v6 drop: ns1 over IPv4 not marked" "ns1.trace.test 4 NOERROR None false" "$(entry 0 127.0.0.2)"
check "v6 drop: ns2 over IPv6 not marked" "ns2.trace.test 6 NOERROR None false" "$(entry 0 fd00::3)"
check "v6 drop: at trace.test too" "ns1.trace.test 6 None timeout true" "$(entry 1 fd00::2)"

# The names of the climb are asked at once: six names held by ns1 cost
# one timeout of fd00::2, not six.  The bound, three timeouts, leaves
# room for a loaded machine and ASan; one name after the other take six.
t0=$(date +%s%N)
run -s 127.0.0.3 --timeout 1500 --tries 1 --trace -o json a.b.c.d.www.trace.test
ms=$((($(date +%s%N) - t0) / 1000000))
check "v6 drop, deep climb: verdict" allowed "$(jget 0.verdict)"
check "v6 drop, deep climb: fd00::2 times out for each name of trace.test" \
	"$(printf 'ns1.trace.test 6 None timeout true\n%.0s' 1 2 3 4 5 6)" \
	"$(for i in 0 1 2 3 4 5; do entry "$i" fd00::2; done)"
check "v6 drop, deep climb: ns2 answers each name over IPv6" \
	"$(printf 'ns2.trace.test 6 %s None false\n' NXDOMAIN NXDOMAIN NXDOMAIN NXDOMAIN NOERROR NOERROR)" \
	"$(for i in 0 1 2 3 4 5; do entry "$i" fd00::3; done)"
check "v6 drop, deep climb: the trace takes one timeout, not six" \
	"under 4500 ms" "$([ "$ms" -lt 4500 ] && echo "under 4500 ms" || echo "$ms ms")"

# The same found from the root (-r), as a CA's resolver finds it.  With -r
# a lookup gets --timeout times --tries in all, and libunbound spends part
# of it on fd00::2: it picks at random among the four addresses while none
# has answered, waits 376 ms and asks the same address once more, then
# doubles the wait; both lookups in trace.test drawing fd00::2 and
# trace.test's drawing it again costs 376 + 376 + 752 + 752 ms before a
# server that answers is asked.  5 s covers that twice over.
run --root-hints "$tmp/root.hints" --trust-anchor none --timeout 2500 --tries 2 --trace -o json www.trace.test
check "-r v6 drop: exit status" 0 "$PRC"
check "-r v6 drop: fd00::2 marked" "ns1.trace.test 6 None timeout true" "$(entry 0 fd00::2)"
check "-r v6 drop: test. found and asked" "test ns.test 127.0.0.4 NOERROR false" "$(jget 0.trace.2.zone) $(jget 0.trace.2.servers.0.ns) $(jget 0.trace.2.servers.0.address) $(jget 0.trace.2.servers.0.rcode) $(jget 0.trace.2.servers.0.disagrees)"

# --- truncated replies, asked again over TCP -----------------------------
servers "truncate . CAA" "truncate www.trace.test CAA tcp=drop" || finish
run -s 127.0.0.2 "${T[@]}" --trace -o json www.trace.test
check "tc: ns1 answers over TCP" "ns1.trace.test 4 NOERROR None false" "$(entry 1 127.0.0.2)"
check "tc: its records, read over TCP" '[{"flags":0,"tag":"issue","value":"letsencrypt.org"}]' "$(jget 0.trace.1.servers.0.records)"
check "tc: ns2 drops TCP for www.trace.test: truncated, marked" "ns2.trace.test 6 None truncated true" "$(entry 0 fd00::3)"
check "tc: ns2 over TCP for trace.test" "ns2.trace.test 4 NOERROR None false" "$(entry 1 127.0.0.3)"

# --- usage --------------------------------------------------------------
run --trace -f /dev/null
check "--trace with -f: usage error" 64 "$PRC"
check_match "--trace with -f: why" "--trace takes names on the command line, not -f" "$PERR"

finish
