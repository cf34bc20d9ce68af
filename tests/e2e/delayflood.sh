#!/usr/bin/env bash
# tests/e2e/delayflood.sh -- delayed replies are bounded: under `delay . CAA
# ms=60000` a 3-second flood from caa-loadgen (loopback) fills the pool of
# --max-delayed replies and no more; the rest are dropped, counted in GET
# /stats and named in the query log (drop_reason), the RSS stays bounded,
# and a query no rule takes is still answered at once.  Then each bound on
# its own, a query at a time: --max-delayed and --max-delayed-octets.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" "${1:-}"

LOADGEN=${2:-}
if [ -z "$LOADGEN" ] || [ ! -x "$LOADGEN" ]; then
	echo "usage: $0 PATH-TO-caa-responder PATH-TO-caa-loadgen" >&2
	exit 2
fi
BENCH=$(cd "$E2E_DIR/../../bench" && pwd)
MIX=$BENCH/queries-caa-mix.txt
RSS_GROWTH_MAX=16384 # kB: the pool takes about 1.5 MB, the history 3.5 MB

rss() {
	sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$RSP_PID/status" 2>/dev/null || echo 0
}

# api PATH: GET it; the body in $OUT.
api() {
	LAST_CMD="curl http://127.0.0.1:$CPORT$1"
	OUT=$(curl -s -m 10 "http://127.0.0.1:$CPORT$1" 2>&1)
}

# json_kv: $OUT (a JSON object, or an array of them: the last one) as
# key=value lines, values as JSON.
json_kv() {
	OUT=$("$PY" -c '
import json, sys
try:
    v = json.loads(sys.stdin.read())
except ValueError as e:
    print("invalid=%s" % e)
    sys.exit()
if isinstance(v, list):
    print("entries=%d" % len(v))
    v = v[-1] if v else {}
for k, x in v.items():
    print("%s=%s" % (k, json.dumps(x)))
' <<<"$OUT" 2>&1)
}

# ---------------------------------------------------------------- the flood

start_responder -c 127.0.0.1:0 -f 'delay . CAA ms=60000' \
	--max-delayed 1000 --max-delayed-octets 1048576 "$BENCH/example.test.zone" || finish
CPORT=$(ready_port "$READY_LINE" control '127\.0\.0\.1')
before=$(rss)
LAST_CMD="caa-loadgen -l 3 -q 30000 -t 50 -c 4"
OUT=$(timeout 30 "$LOADGEN" -s 127.0.0.1 -p "$PORT4" -d "$MIX" -l 3 -q 30000 -t 50 -c 4 2>&1)
after=$(rss)
check_match "the flood ran" 'Queries sent: +[1-9][0-9]{4,}' "$OUT"
require_responder
echo "RSS: $before kB before the flood, $after kB after"
check "RSS grew at most $RSS_GROWTH_MAX kB" yes \
	"$([ $((after - before)) -le $RSS_GROWTH_MAX ] && echo yes || echo "no: $before kB, then $after kB")"

api /stats
json_kv
expect kv delayed_pending 1000
expect kv delayed 1000
check_match "delayed_dropped counts the rest" '^[1-9][0-9]{3,}$' "$(out_kv delayed_dropped)"
check_match "delayed_pending_octets within the bound" '^[0-9]+$' "$(out_kv delayed_pending_octets)"
check "delayed_pending_octets at most 1048576" yes \
	"$([ "$(out_kv delayed_pending_octets)" -le 1048576 ] 2>/dev/null && echo yes || echo no)"
received=$(out_kv received)
check "received = answered + dropped" "$received" "$(($(out_kv answered) + 0 + $(out_kv dropped) + 0))"
check "every drop was for want of room" "$(out_kv dropped)" "$(out_kv delayed_dropped)"

api '/queries?type=CAA'
json_kv
expect kv dropped true
expect kv drop_reason '"max-delayed"'
expect kv fault '"delay . CAA ms=60000"'
expect kv rcode null

# A type no rule takes is answered at once, the pool full or not.
ask dig example.test A
expect rcode NOERROR
expect flag aa

# ---------------------------------------------------------------- each bound

log=$tmp/query.log
start_responder -q "$log" -c 127.0.0.1:0 -f 'delay . CAA ms=30000' \
	--max-delayed 2 "${ZONE_FILES[@]}" || finish
CPORT=$(ready_port "$READY_LINE" control '127\.0\.0\.1')
for id in 101 102 103; do
	raw --timeout 0.1 ask "$HOST4" "$PORT4" caa.test CAA --id "$id"
done
raw --timeout 0.1 ask "$HOST4" "$TPORT4" caa.test CAA --id 104 --tcp
check "no reply yet" noreply "$OUT"
wait_log_lines "$log" 4
log_entry "$log" 102
expect kv dropped false
expect kv delay_ms 30000
log_entry "$log" 103
expect kv dropped true
expect kv drop_reason '"max-delayed"'
expect kv rcode null
expect kv delay_ms 30000
log_entry "$log" 104
expect kv transport '"tcp"'
expect kv drop_reason '"max-delayed"'
api /stats
json_kv
expect kv delayed_dropped 2
expect kv delayed_pending 2

# 512 octets, one block: medium.big.test's reply (too big for 512 octets)
# needs two, and is dropped; a small reply still fits.
start_responder -q "$log" -f 'delay *.test CAA ms=3000' \
	--max-delayed-octets 512 "${ZONE_FILES[@]}" || finish
raw --timeout 0.1 ask "$HOST4" "$PORT4" medium.big.test CAA --id 201 --edns 0
raw --timeout 0.1 ask "$HOST4" "$PORT4" flag0.caa.test CAA --id 202
wait_log_lines "$log" 6
log_entry "$log" 201
expect kv dropped true
expect kv drop_reason '"max-delayed-octets"'
log_entry "$log" 202
expect kv dropped false
raw ask "$HOST4" "$PORT4" flag0.caa.test A --id 203
expect kv rcode NOERROR

finish
