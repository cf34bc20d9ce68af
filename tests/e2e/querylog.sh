#!/usr/bin/env bash
# tests/e2e/querylog.sh -- the -q query log: one JSON object a line with the
# fields of docs/query-log.md (ts, client, transport, id, qname, qtype,
# rcode, aa, tc, answers, fault, delay_ms, dropped), to a file or stdout.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" "${1:-}"

FIELDS="ts client transport id qname qtype rcode aa tc answers fault delay_ms dropped"

# qlog FILE ID: the log entry with that message ID as key=value lines (JSON
# values), plus lines= (entries), invalid= (lines that are not JSON objects)
# and missing= (FIELDS absent from some entry).
qlog() {
	LAST_CMD="query log $1, id $2"
	OUT=$("$PY" - "$1" "$2" "$FIELDS" <<'PYEOF' 2>&1
import json, sys
path, qid, fields = sys.argv[1], int(sys.argv[2]), sys.argv[3].split()
entries, invalid, missing = [], 0, set()
with open(path, encoding="utf-8") as f:
    for line in f:
        if not line.strip() or line.startswith("ready "):
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            invalid += 1
            continue
        if not isinstance(obj, dict):
            invalid += 1
            continue
        missing.update(k for k in fields if k not in obj)
        entries.append(obj)
print("lines=%d" % len(entries))
print("invalid=%d" % invalid)
print("missing=%s" % ",".join(sorted(missing)))
for obj in entries:
    if obj.get("id") == qid:
        for k, v in obj.items():
            print("%s=%s" % (k, json.dumps(v)))
        break
PYEOF
	)
}

log=$tmp/query.log
start_responder -q "$log" "${ZONE_FILES[@]}" || finish

raw ask "$HOST4" "$PORT4" caa.test CAA --id 4660
raw ask "$HOST4" "$PORT4" nothere.caa.test CAA --id 4661
raw ask "$HOST4" "$TPORT4" flag0.caa.test CAA --id 4662 --tcp
raw ask "$HOST4" "$PORT4" many.big.test CAA --id 4663 --edns 0
raw ask "$HOST4" "$PORT4" www.example.com A --id 4664
raw ask "$HOST4" "$PORT4" www.deleg.test A --id 4665
raw ask "$HOST6" "$PORT6" flag128.caa.test TYPE257 --id 4666
raw ask "$HOST4" "$PORT4" flag0.caa.test CAA --id 4667 --qdcount 2
raw ask "$HOST4" "$PORT4" flag0.caa.test CAA --id 4668 --opcode 2

if wait_log_lines "$log" 9; then pass; else fail "nine query-log lines within 5 s" 9 "$(grep -c '^{' "$log")"; fi

qlog "$log" 4660
expect kv invalid 0
expect kv missing ''
expect kv transport '"udp"'
expect kv qname '"caa.test."'
expect kv qtype '"CAA"'
expect kv rcode '"NOERROR"'
expect kv aa true
expect kv tc false
expect kv answers 3
expect kv fault null
expect kv delay_ms 0
expect kv dropped false
check_match "client is 127.0.0.1:PORT" '^"127\.0\.0\.1:[0-9]+"$' "$(out_kv client)"
check_match "ts is an ISO 8601 UTC time with milliseconds" \
	'^"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z"$' "$(out_kv ts)"

qlog "$log" 4661
expect kv rcode '"NXDOMAIN"'
expect kv aa true
expect kv answers 0
qlog "$log" 4662
expect kv transport '"tcp"'
expect kv answers 1
qlog "$log" 4663
expect kv tc true
expect kv transport '"udp"'
qlog "$log" 4664
expect kv rcode '"REFUSED"'
expect kv aa false
qlog "$log" 4665
expect kv rcode '"NOERROR"'
expect kv aa false
expect kv answers 0
qlog "$log" 4666
expect kv qtype '"CAA"'
expect kv qname '"flag128.caa.test."'
check_match "an IPv6 client is [ADDR]:PORT" '^"\[::1\]:[0-9]+"$' "$(out_kv client)"
qlog "$log" 4667
expect kv rcode '"FORMERR"'
qlog "$log" 4668
expect kv rcode '"NOTIMP"'

# kdig's queries on one kept-open connection come from one client port.
before=$(grep -c '^{' "$log")
timeout 20 kdig @"$HOST4" -p "$TPORT4" +norec +tcp +keepopen +timeout=3 +retry=0 \
	flag0.caa.test CAA flag1.caa.test CAA >/dev/null 2>&1
wait_log_lines "$log" $((before + 2))
clients=$(tail -n 2 "$log" | "$PY" -c '
import json, sys
print(" ".join(sorted({json.loads(l)["transport"] + "/" + json.loads(l)["client"] for l in sys.stdin})))')
check_match "two queries, one TCP connection (one client address)" '^tcp/127\.0\.0\.1:[0-9]+$' "$clients"

# The longest names: 255 octets of \001 labels, each octet four characters
# of presentation form and five of JSON; a rule naming such a name echoes
# it in "fault" too.  Every query-log line and GET /queries stay JSON.
l63=$(printf '\\001%.0s' $(seq 63))
l61=$(printf '\\001%.0s' $(seq 61))
l52=$(printf '\\001%.0s' $(seq 52))
l1=$(printf '\\001.%.0s' $(seq 122))
long1="$l63.$l63.$l63.$l52.caa.test."  # 255 octets below a zone
long2="$l63.$l63.$l63.$l61."           # 255 octets, in no zone
long3="${l1}caa.test."                 # 122 one-octet labels: 254 octets
log2=$tmp/long.log
start_responder -q "$log2" -c 127.0.0.1:0 \
	-f "servfail ${long1%.} * count=4294967295 after=0 every=1 ms=1 ede=65535" \
	-f "nodata ${long2%.} * count=4294967295 after=0 every=1 transport=udp family=4 ms=1 ede=65535" \
	-f "truncate ${long3%.} CAA count=4294967295 every=1 family=4 ms=1 ede=65535 tcp=servfail" \
	"${ZONE_FILES[@]}" || finish
CPORT=$(ready_port "$READY_LINE" control '127\.0\.0\.1')
for n in "$long1" "$long2" "$long3"; do
	ask dig "$n" CAA +ignore
done
if wait_log_lines "$log2" 3; then pass; else fail "three query-log lines within 5 s" 3 "$(grep -c '^{' "$log2")"; fi
OUT=$(curl -s -m 10 "http://127.0.0.1:$CPORT/queries" >"$tmp/queries.json"; "$PY" - "$log2" "$tmp/queries.json" <<'PYEOF' 2>&1
import json, sys
lines = [l for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
try:
    logged = [json.loads(l) for l in lines]
    print("log=json")
except ValueError as e:
    print("log=invalid: %s" % e)
    logged = []
try:
    api = json.load(open(sys.argv[2], encoding="utf-8"))
    print("api=json")
except ValueError as e:
    print("api=invalid: %s" % e)
    api = []
print("lines=%d" % len(lines))
print("api_entries=%d" % len(api))
print("same=%s" % ("yes" if api == logged else "no"))
for q in logged:
    print("qname=%s" % q["qname"])
    print("fault=%s" % ("rule" if q["fault"] else "none"))
    print("rcode=%s" % q["rcode"])
PYEOF
)
LAST_CMD="query log $log2 and GET /queries"
expect kv log json
expect kv api json
expect kv lines 3
expect kv api_entries 3
expect kv same yes
expect kvhas rcode SERVFAIL
expect kvhas qname "$long1"
expect kvhas qname "$long2"
expect kvhas qname "$long3"
check "every line names its rule" "rule rule rule" "$(out_kv fault | paste -sd' ' -)"

# SIGHUP reopens the log (logrotate's move, then HUP): the moved file keeps
# the lines before, a new file with the same mode gets the lines after;
# none lost, none twice.
rot=$tmp/rot.log
: >"$rot"
chmod 640 "$rot"
start_responder -v -q "$rot" "${ZONE_FILES[@]}" || finish
for id in 101 102 103; do
	raw ask "$HOST4" "$PORT4" caa.test CAA --id "$id"
done
if wait_log_lines "$rot" 3; then pass; else fail "3 lines before the move" 3 "$(grep -c '^{' "$rot")"; fi
mv "$rot" "$rot.1"
kill -HUP "$RSP_PID"
if until_stderr 100 "query log .*rot\.log reopened"; then pass; else
	fail "SIGHUP reopens the query log" "query log ... reopened" "$(tail -n 3 "$tmp/err")"
fi
for id in 201 202; do
	raw ask "$HOST4" "$PORT4" caa.test CAA --id "$id"
done
wait_log_lines "$rot" 2 || true
ids() { sed -n 's/.*"id":\([0-9]*\),.*/\1/p' "$1" 2>/dev/null | paste -sd' ' -; }
check "the moved file keeps the lines before the HUP" "101 102 103" "$(ids "$rot.1")"
check "the new file gets the lines after it" "201 202" "$(ids "$rot")"
check "the new file has the old one's mode" 640 "$(stat -c %a "$rot" 2>/dev/null)"

# "-q -": the log goes to stdout, after the ready line.
start_responder -q - "${ZONE_FILES[@]}" || finish
raw ask "$HOST4" "$PORT4" flags.caa.test CAA --id 777
if wait_log_lines "$tmp/out" 1; then pass; else fail "a log line on stdout within 5 s" 1 0; fi
check "stdout starts with the ready line" ready "$(head -n1 "$tmp/out" | cut -d' ' -f1)"
qlog "$tmp/out" 777
expect kv invalid 0
expect kv missing ''
expect kv qname '"flags.caa.test."'
expect kv answers 2

finish
