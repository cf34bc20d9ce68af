#!/usr/bin/env bash
# tests/e2e/loadgen.sh -- caa-loadgen, the load generator of scripts/bench.sh,
# against caa-responder serving bench/example.test.zone: it counts every
# query and rcode, over IPv4 and IPv6, stops at -n or -l, counts the queries
# of a silent server as lost, and rejects bad query files and options with
# the file, line and field.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" "${1:-}"

LOADGEN=${2:-}
if [ -z "$LOADGEN" ] || [ ! -x "$LOADGEN" ]; then
	echo "usage: $0 PATH-TO-caa-responder PATH-TO-caa-loadgen" >&2
	exit 2
fi
BENCH=$(cd "$E2E_DIR/../../bench" && pwd)
MIX=$BENCH/queries-caa-mix.txt

# lg ARGS...: run caa-loadgen (bounded by its own -l or -n and by timeout);
# output in $OUT, status in $RC.
lg() {
	LAST_CMD="caa-loadgen $*"
	OUT=$(timeout 30 "$LOADGEN" "$@" 2>&1)
	RC=$?
}
field() { sed -n "s/^ *$1: *\([0-9.]*\).*/\1/p" <<<"$OUT" | head -n1; }

start_responder "$BENCH/example.test.zone" || finish

# The mix is 1,000 answered, 1,000 NODATA and 1,000 NXDOMAIN CAA queries.
lg -s 127.0.0.1 -p "$PORT4" -d "$MIX" -n 3000 -q 50 -c 3
check "exit status, -n 3000" 0 "$RC"
check "queries sent" 3000 "$(field 'Queries sent')"
check "queries completed" 3000 "$(field 'Queries completed')"
check "queries lost" 0 "$(field 'Queries lost')"
check_match "response codes" 'NOERROR 2000 \(66\.67%\), NXDOMAIN 1000 \(33\.33%\)' "$OUT"
check_match "queries per second" 'Queries per second: +[1-9][0-9]*\.' "$OUT"

lg -s ::1 -p "$PORT6" -d "$MIX" -n 6000 -q 64 -b 64
check "exit status, IPv6, -q 64 -b 64" 0 "$RC"
check "IPv6: queries completed" 6000 "$(field 'Queries completed')"
check_match "IPv6: response codes" 'NOERROR 4000 \(66\.67%\), NXDOMAIN 2000 \(33\.33%\)' "$OUT"

# A timed run stops on time and loses nothing on loopback.
start=$(date +%s.%N)
lg -s 127.0.0.1 -p "$PORT4" -d "$MIX" -l 1
took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%d", (b - a) * 10 }')
check "exit status, -l 1" 0 "$RC"
check "-l 1 ends within 3 s" yes "$([ "$took" -le 30 ] && echo yes || echo "no: ${took} tenths")"
check "-l 1: queries lost" 0 "$(field 'Queries lost')"
check "-l 1: sent = completed" "$(field 'Queries sent')" "$(field 'Queries completed')"

# Types by name and as TYPEnnn; absolute and relative names.
printf 'example.test. CAA\nexample.test TYPE257\n\n# comment\nexample.test soa\n' > "$tmp/q.txt"
lg -p "$PORT4" -d "$tmp/q.txt" -n 3 -q 1
check "three query forms: completed" 3 "$(field 'Queries completed')"
check_match "three query forms: rcodes" 'NOERROR 3 \(100\.00%\)' "$OUT"

# Nobody listening: the queries are lost after -t, and it still ends.
stop_responder
lg -p "$PORT4" -d "$MIX" -n 20 -q 20 -t 200
check "silent server: exit status" 0 "$RC"
check "silent server: queries completed" 0 "$(field 'Queries completed')"

# Errors name the file, line and field; usage errors exit 64.
printf 'example.test CAA\nexample.test BOGUS\n' > "$tmp/bad1.txt"
lg -d "$tmp/bad1.txt"
check "unknown type: status" 1 "$RC"
check_match "unknown type: message" "bad1.txt:2: unknown type \"BOGUS\"" "$OUT"
printf 'a..b CAA\n' > "$tmp/bad2.txt"
lg -d "$tmp/bad2.txt"
check_match "empty label: message" 'bad2.txt:1: bad name "a\.\.b"' "$OUT"
printf 'example.test\n' > "$tmp/bad3.txt"
lg -d "$tmp/bad3.txt"
check_match "no type: message" 'bad3.txt:1: expected "name type"' "$OUT"
printf '%s.test CAA\n' "$(printf 'a%.0s' $(seq 64))" > "$tmp/bad4.txt"
lg -d "$tmp/bad4.txt"
check_match "64-octet label: message" 'bad4.txt:1: bad name' "$OUT"
: > "$tmp/empty.txt"
lg -d "$tmp/empty.txt"
check_match "empty file: message" 'empty.txt: no queries' "$OUT"
lg -d "$tmp/missing.txt"
check_match "missing file: message" 'missing.txt: No such file' "$OUT"
lg -d "$MIX" -q 0
check "-q 0: status" 64 "$RC"
check_match "-q 0: message" '-q 0: expected a number from 1 to 60000' "$OUT"
lg -d "$MIX" -p 70000
check "-p 70000: status" 64 "$RC"
check_match "-p 70000: message" '-p 70000: expected a number from 1 to 65535' "$OUT"
lg -d "$MIX" -s example.test
check_match "-s NAME: message" '-s example.test: not an IPv4 or IPv6 address' "$OUT"
lg -d "$MIX" extra
check "stray argument: status" 64 "$RC"
lg -h
check "-h: status" 0 "$RC"
check_match "-h: usage" '^usage: caa-loadgen -s ADDR -p PORT -d FILE' "$OUT"

finish
