#!/usr/bin/env bash
# scripts/soak.sh -- caa-responder under steady load for SECONDS (default
# 60): dnsperf at a fixed rate (-Q) over a query mix of zones/, a
# fault-heavy rule set (drops, SERVFAIL, truncation, delays, garbled and
# wrong-ID answers, probabilistic and flapping rules), a SIGHUP reload
# every 5 s and management-API changes every 2 s.  At the end:
#   - no answers lost beyond the deliberate ones (the query log's drops,
#     wrong-ID and garbled answers, which a client cannot match or parse);
#   - the RSS flat: the highest sample of the last third no more than 10 %
#     (+ 2 MB) above the highest of the first third, after a 5 s warm-up;
#   - a delay flood: caa-loadgen for 5 s, as fast as it goes, under
#     `delay . CAA ms=60000` with --max-delayed 2000: at most 2000 replies
#     pending (GET /stats), the rest dropped and counted, RSS growth under
#     16 MB, and other types still answered;
#   - then a short run (10 s) under valgrind with the same rules, reloads
#     and API changes, and a SIGTERM shutdown with no error and no leak.
# Loopback only; every process it starts is stopped by its PID.
#
#   scripts/soak.sh [SECONDS]
#
#   SOAK_RATE       queries per second (default 2000)
#   SOAK_BUILD      the build directory with the responder (default build/)
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD
seconds=${1:-60}
case $seconds in
'' | *[!0-9]*)
	echo "soak.sh: SECONDS must be a number (got '$seconds')" >&2
	exit 2
	;;
esac
rate=${SOAK_RATE:-2000}
build=${SOAK_BUILD:-$root/build}
responder=$build/responder/caa-responder
loadgen=$build/caa-loadgen
if [ ! -x "$responder" ] || [ ! -x "$loadgen" ]; then
	echo "soak.sh: no $responder or $loadgen (build first: cmake -S . -B build && cmake --build build)" >&2
	exit 2
fi
for tool in dnsperf curl python3 dig; do
	command -v "$tool" >/dev/null || {
		echo "soak.sh: $tool is not installed (scripts/bootstrap.sh)" >&2
		exit 2
	}
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/caa-soak.XXXXXX")
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failed=0
ok() { echo "ok:   $*"; }
bad() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}

# The rules: about half of the mix is hit by a fault.
cat >"$tmp/rules" <<'RULES'
# scripts/soak.sh: a fault-heavy set
drop deny.caa.test CAA
drop *.caa.test A p=0.3
servfail flag0.caa.test CAA
servfail flags.caa.test CAA every=3
refused upper.caa.test CAA count=100
truncate params.caa.test CAA
delay issuewild.caa.test CAA ms=30
nodata iodef.caa.test CAA after=50
garble unknown.caa.test CAA
wrongid otherca.caa.test CAA every=2
noaa critical.caa.test CAA ede=3
nosoa . AAAA
RULES

# The query mix: every CAA name of caa.test, A and AAAA beside.
{
	for n in caa.test flag0 flag1 flag128 flags issuewild iodef unknown critical \
		upper mixedcase deny otherca params long generic nothere; do
		case $n in caa.test) q=caa.test ;; *) q=$n.caa.test ;; esac
		echo "$q CAA"
	done
	echo "host.caa.test A"
	echo "host.caa.test AAAA"
	echo "x.caa.test A"
} >"$tmp/queries"

zones=("$root"/zones/*.zone)

# start NAME PREFIX...: the responder (under PREFIX, e.g. valgrind) with the
# rules, a query log and the API; sets RSP, PORT, CPORT.
start() {
	local name=$1 line=""
	shift
	("$@" "$responder" -v -l 127.0.0.1:0 -c 127.0.0.1:0 -F "$tmp/rules" \
		-q "$tmp/$name.qlog" --seed 1 "${zones[@]}" \
		>"$tmp/$name.out" 2>"$tmp/$name.err") &
	RSP=$!
	pids+=("$RSP")
	for _ in $(seq 1 600); do
		line=$(grep -m1 '^ready ' "$tmp/$name.out" 2>/dev/null || true)
		[ -n "$line" ] && break
		kill -0 "$RSP" 2>/dev/null || break
		sleep 0.1
	done
	if [ -z "$line" ]; then
		echo "soak.sh: the responder did not start:" >&2
		cat "$tmp/$name.err" >&2
		exit 1
	fi
	PORT=$(printf '%s\n' "$line" | tr ' ' '\n' | sed -n 's/^udp=127\.0\.0\.1:\([0-9]*\)$/\1/p')
	CPORT=$(printf '%s\n' "$line" | tr ' ' '\n' | sed -n 's/^\(control\|http\|api\)=127\.0\.0\.1:\([0-9]*\)$/\2/p')
	if [ -z "$CPORT" ]; then
		CPORT=$(printf '%s\n' "$line" | grep -o '127\.0\.0\.1:[0-9]*' | sed -n '$s/.*://p')
	fi
}

# churn PID SECONDS: SIGHUP every 5 s; every 2 s a rule and a record added over
# the API, then removed the next second.
churn() {
	local pid=$1 end=$((SECONDS + $2)) i=0 id="" api=http://127.0.0.1:$CPORT
	while [ $SECONDS -lt $end ] && kill -0 "$pid" 2>/dev/null; do
		sleep 1
		i=$((i + 1))
		if [ $((i % 5)) -eq 0 ]; then
			kill -HUP "$pid" 2>/dev/null || true
		fi
		if [ $((i % 2)) -eq 1 ]; then
			curl -s -m 5 -o "$tmp/api.id" -w "%{http_code}\n" -X POST "$api/faults" \
				-d "{\"rule\":\"servfail api$i.caa.test CAA\"}" >>"$tmp/api.codes" || true
			id=$(sed -n 's/.*"id": *\([0-9]*\).*/\1/p' "$tmp/api.id" 2>/dev/null)
			curl -s -m 5 -o /dev/null -w "%{http_code}\n" -X POST "$api/records" \
				-d "{\"rr\":\"api$i.caa.test. 60 IN CAA 0 issue \\\"ca.test\\\"\"}" >>"$tmp/api.codes" || true
			curl -s -m 5 -o /dev/null -w "%{http_code}\n" -X GET "$api/queries?name=caa.test" >>"$tmp/api.codes" || true
		else
			curl -s -m 5 -o /dev/null -w "%{http_code}\n" -X DELETE "$api/records" \
				-d "{\"name\":\"api$((i - 1)).caa.test.\",\"type\":\"CAA\"}" >>"$tmp/api.codes" || true
			curl -s -m 5 -o /dev/null -w "%{http_code}\n" -X DELETE "$api/faults/${id:-0}" >>"$tmp/api.codes" || true
			curl -s -m 5 -o /dev/null -w "%{http_code}\n" -X DELETE "$api/queries" >>"$tmp/api.codes" || true
		fi
	done
}

rss() {
	sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status" 2>/dev/null || echo 0
}

# stop PID: SIGTERM, then its exit status in STOP_RC (bounded wait).
stop() {
	local pid=$1
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 1 300); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	STOP_RC=0
	wait "$pid" || STOP_RC=$?
}

# ------------------------------------------------------------ the soak

echo "== soak: $seconds s at $rate queries/s against $responder"
start soak
echo "responder pid $RSP, udp port $PORT, API port $CPORT"
dnsperf -s 127.0.0.1 -p "$PORT" -d "$tmp/queries" -l "$seconds" -Q "$rate" \
	-t 2 -q 500 -c 4 >"$tmp/dnsperf.out" 2>&1 &
dpid=$!
pids+=("$dpid")
churn "$RSP" "$seconds" &
cpid=$!
pids+=("$cpid")
samples=()
t=0
while kill -0 "$dpid" 2>/dev/null && [ $t -lt $((seconds + 30)) ]; do
	sleep 1
	t=$((t + 1))
	if [ $t -ge 5 ] && [ $((t % 2)) -eq 1 ]; then
		samples+=("$(rss "$RSP")")
	fi
done
wait "$dpid" || bad "dnsperf exited with status $?"
wait "$cpid" 2>/dev/null || true
sleep 0.5 # the last delayed answers and log lines

sent=$(sed -n 's/^ *Queries sent: *\([0-9]*\).*/\1/p' "$tmp/dnsperf.out")
done_=$(sed -n 's/^ *Queries completed: *\([0-9]*\).*/\1/p' "$tmp/dnsperf.out")
lost=$(sed -n 's/^ *Queries lost: *\([0-9]*\).*/\1/p' "$tmp/dnsperf.out")
read -r logged dropped unmatchable < <(python3 - "$tmp/soak.qlog" <<'PYEOF'
import json, sys
logged = dropped = unmatchable = 0
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    try:
        q = json.loads(line)
    except ValueError:
        continue
    logged += 1
    fault = q.get("fault") or ""
    if q.get("dropped"):
        dropped += 1
    elif fault.startswith(("wrongid", "garble")):
        unmatchable += 1
print(logged, dropped, unmatchable)
PYEOF
)
echo "dnsperf: sent ${sent:-?}, completed ${done_:-?}, lost ${lost:-?};" \
	"query log: $logged queries, $dropped dropped, $unmatchable wrong-ID or garbled"
if [ -z "$sent" ] || [ -z "$lost" ] || [ "$sent" -eq 0 ]; then
	bad "dnsperf printed no statistics: $(tail -n 20 "$tmp/dnsperf.out")"
else
	expect_rate=$((rate * seconds * 9 / 10))
	if [ "$sent" -ge "$expect_rate" ]; then
		ok "dnsperf sent $sent queries (at least $expect_rate)"
	else
		bad "dnsperf sent $sent queries, under 90 % of $rate/s for $seconds s"
	fi
	if [ "$logged" -ge "$sent" ]; then
		ok "every query reached the responder ($logged logged)"
	else
		bad "$((sent - logged)) queries never reached the responder"
	fi
	if [ "$lost" -ge "$dropped" ] && [ "$lost" -le $((dropped + unmatchable)) ]; then
		ok "lost $lost: the $dropped deliberate drops, and some of the $unmatchable wrong-ID or garbled answers"
	else
		bad "lost $lost answers; deliberate: $dropped drops + at most $unmatchable wrong-ID or garbled"
	fi
fi

n=${#samples[@]}
if [ "$n" -ge 3 ]; then
	third=$((n / 3))
	first=0 last=0
	for ((i = 0; i < third; i++)); do
		[ "${samples[i]}" -gt "$first" ] && first=${samples[i]}
	done
	for ((i = n - third; i < n; i++)); do
		[ "${samples[i]}" -gt "$last" ] && last=${samples[i]}
	done
	echo "RSS samples (kB): ${samples[*]}"
	if [ "$last" -le $((first + first / 10 + 2048)) ]; then
		ok "RSS flat: $first kB early, $last kB late"
	else
		bad "RSS grew: $first kB early, $last kB late"
	fi
else
	bad "too few RSS samples ($n)"
fi

api_ok=$(grep -c '^2' "$tmp/api.codes" || true)
api_all=$(grep -c . "$tmp/api.codes" || true)
if [ "$api_all" -gt 0 ] && [ "$api_ok" -eq "$api_all" ]; then
	ok "API changes: $api_all requests, all 2xx"
else
	bad "API changes: $api_ok of $api_all requests 2xx ($(sort "$tmp/api.codes" | uniq -c | tr '\n' ' '))"
fi
if grep -Eq 'reloaded:' "$tmp/soak.err"; then
	ok "SIGHUP reloads done ($(grep -c 'reloaded:' "$tmp/soak.err"))"
else
	bad "no reload logged"
fi
stop "$RSP"
if [ "$STOP_RC" -eq 0 ]; then
	ok "clean shutdown on SIGTERM"
else
	bad "the responder exited with status $STOP_RC: $(tail -n 5 "$tmp/soak.err")"
fi

# ------------------------------------------------------------ delay flood

# Every CAA query delayed a minute, and far more of them than fit: the
# pool of delayed replies fills and stays full, the memory with it.
fsec=5
echo "== delay flood: $fsec s of caa-loadgen under delay . CAA ms=60000, --max-delayed 2000"
("$responder" -l 127.0.0.1:0 -c 127.0.0.1:0 -f 'delay . CAA ms=60000' \
	--max-delayed 2000 "${zones[@]}" >"$tmp/flood.out" 2>"$tmp/flood.err") &
RSP=$!
pids+=("$RSP")
line=""
for _ in $(seq 1 100); do
	line=$(grep -m1 '^ready ' "$tmp/flood.out" 2>/dev/null || true)
	[ -n "$line" ] && break
	sleep 0.1
done
PORT=$(printf '%s\n' "$line" | tr ' ' '\n' | sed -n 's/^udp=127\.0\.0\.1:\([0-9]*\)$/\1/p')
CPORT=$(printf '%s\n' "$line" | tr ' ' '\n' | sed -n 's/^control=127\.0\.0\.1:\([0-9]*\)$/\1/p')
if [ -z "$PORT" ] || [ -z "$CPORT" ]; then
	bad "delay flood: the responder did not start: $(head -c 500 "$tmp/flood.err")"
else
	before=$(rss "$RSP")
	"$loadgen" -s 127.0.0.1 -p "$PORT" -d "$tmp/queries" -l "$fsec" -q 30000 -t 50 -c 4 \
		>"$tmp/flood-lg.out" 2>&1 || true
	after=$(rss "$RSP")
	stats=$(curl -s -m 5 "http://127.0.0.1:$CPORT/stats" || true)
	read -r pending ddropped < <(python3 -c '
import json, sys
try:
    s = json.loads(sys.argv[1])
    print(s["delayed_pending"], s["delayed_dropped"])
except (ValueError, KeyError):
    print("? ?")' "$stats")
	echo "delay flood: $(sed -n 's/^ *Queries sent: *//p' "$tmp/flood-lg.out") sent;" \
		"RSS $before kB before, $after kB after; $stats"
	if [ "$pending" = 2000 ] && [ "$ddropped" != "?" ] && [ "$ddropped" -gt 0 ]; then
		ok "delay flood: 2000 replies pending, $ddropped dropped for want of room"
	else
		bad "delay flood: pending $pending (want 2000), dropped $ddropped (want > 0)"
	fi
	if [ "$after" -le $((before + 16384)) ]; then
		ok "delay flood: RSS $before kB, then $after kB (under 16 MB more)"
	else
		bad "delay flood: RSS grew from $before kB to $after kB"
	fi
	if [ "$(dig @127.0.0.1 -p "$PORT" +norec +time=2 +tries=1 +short caa.test SOA 2>/dev/null | wc -l)" -eq 1 ]; then
		ok "delay flood: other types still answered"
	else
		bad "delay flood: caa.test SOA not answered"
	fi
fi
stop "$RSP"

# ------------------------------------------------------------ valgrind

if command -v valgrind >/dev/null; then
	vsec=10
	echo "== valgrind: $vsec s at 200 queries/s"
	start vg valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--show-leak-kinds=definite,indirect --error-exitcode=99 \
		--log-file="$tmp/valgrind.log"
	dnsperf -s 127.0.0.1 -p "$PORT" -d "$tmp/queries" -l $vsec -Q 200 -t 2 \
		>"$tmp/dnsperf-vg.out" 2>&1 || true
	churn "$RSP" 5
	stop "$RSP"
	summary=$(grep 'ERROR SUMMARY' "$tmp/valgrind.log" | tail -n1 || true)
	if [ "$STOP_RC" -eq 0 ] && [[ "$summary" == *"ERROR SUMMARY: 0 errors"* ]]; then
		ok "valgrind: clean shutdown, $summary"
	else
		bad "valgrind: status $STOP_RC, ${summary:-no summary}"
		grep -E 'definitely|indirectly|Invalid|uninitialised|at 0x|by 0x' "$tmp/valgrind.log" | head -n 40
	fi
else
	bad "valgrind is not installed (scripts/bootstrap.sh)"
fi

echo "soak: $failed failed"
[ "$failed" -eq 0 ]
