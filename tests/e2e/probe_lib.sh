# shellcheck shell=bash
# shellcheck disable=SC2034 # variables the sourcing tests read
# tests/e2e/probe_lib.sh -- shared by the caa-probe end-to-end tests: serve
# the zones of tests/data/probe/ with caa-responder, run caa-probe against
# it, read its JSON, assert.
#
# A test sources this file with the responder's and the probe's paths:
#
#   . "$(dirname "$0")/probe_lib.sh" "$1" "$2"
#   serve -f 'servfail host.example.test CAA' || finish
#   judge "C72" lookup-failed host.example.test
#   reason_is "C72" "DNS problem: SERVFAIL looking up CAA for ..."
#   finish
#
# lib.sh does the rest: reporting, the responder's start and stop by PID.

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "${1:-}"

PROBE=${2:-${CAA_PROBE:-}}
if [ -z "$PROBE" ] || [ ! -x "$PROBE" ]; then
	echo "usage: $0 PATH-TO-caa-responder PATH-TO-caa-probe (got '${PROBE}')" >&2
	exit 2
fi
case $PROBE in
/*) ;;
*) PROBE=$PWD/$PROBE ;;
esac

DATA=$(cd "$E2E_DIR/../data/probe" && pwd)
# Every zone but the alternatives (tld-deny.zone replaces test.zone,
# root.zone is added where a test needs it).
BASE_ZONES=("$DATA/test.zone" "$DATA/example.test.zone" "$DATA/deny.test.zone"
	"$DATA/caatestsuite.test.zone" "$DATA/cases.test.zone" "$DATA/chase.test.zone")

# serve ARGS...: the responder with the base zones and ARGS (-f rules, more
# zone files).  Returns 1 (with a FAIL) if it does not start.
serve() {
	start_responder "${BASE_ZONES[@]}" "$@"
}

# probe ARGS...: caa-probe against the running responder (IPv4), bounded
# by 120 s.  Sets POUT, PERR, PRC and PMS (wall time in milliseconds).
probe() {
	local t0 t1
	LAST_CMD="caa-probe -s $HOST4 -p $PORT4 $*"
	t0=$(date +%s%N)
	timeout 120 "$PROBE" -s "$HOST4" -p "$PORT4" "$@" >"$tmp/probe.out" 2>"$tmp/probe.err"
	PRC=$?
	t1=$(date +%s%N)
	PMS=$(((t1 - t0) / 1000000))
	POUT=$(cat "$tmp/probe.out")
	PERR=$(cat "$tmp/probe.err")
	OUT="$POUT
stderr: $PERR"
	no_sanitizer_report caa-probe "$tmp/probe.err"
}

# run ARGS...: caa-probe with exactly ARGS (no server added), bounded by
# 60 s.  Sets POUT, PERR and PRC, as probe does.
run() {
	LAST_CMD="caa-probe $*"
	timeout 60 "$PROBE" "$@" >"$tmp/run.out" 2>"$tmp/run.err"
	PRC=$?
	POUT=$(cat "$tmp/run.out")
	PERR=$(cat "$tmp/run.err")
	OUT="$POUT
stderr: $PERR"
	no_sanitizer_report caa-probe "$tmp/run.err"
}

# jget PATH: a value from the JSON in $POUT.  PATH is dot-separated keys
# and list indices; "*" maps over a list ("0.warnings.*.code").  Strings
# print raw, null as "null", booleans as true/false, lists and objects as
# compact JSON; a missing key prints "<missing>", bad JSON "<bad json>".
jget() {
	printf '%s' "$POUT" | "$PY" -c '
import json, sys

def walk(v, parts):
    if not parts:
        return [v]
    p, rest = parts[0], parts[1:]
    if p == "*":
        out = []
        for x in (v if isinstance(v, list) else []):
            out += walk(x, rest)
        return out
    try:
        v = v[int(p)] if isinstance(v, list) else v[p]
    except (KeyError, IndexError, ValueError, TypeError):
        return ["<missing>"]
    return walk(v, rest)

def show(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return v
    if isinstance(v, (int, float)):
        return repr(v)
    return json.dumps(v, separators=(",", ":"))

try:
    doc = json.loads(sys.stdin.read())
except ValueError:
    print("<bad json>")
    sys.exit(0)
for v in walk(doc, [p for p in sys.argv[1].split(".") if p != ""]):
    print(show(v))
' "$1"
}

# verdict_rc VERDICT: the exit status that goes with it.
verdict_rc() {
	case $1 in
	allowed) echo 0 ;;
	denied) echo 1 ;;
	*) echo 2 ;;
	esac
}

# judge WHAT VERDICT NAME [PROBE-ARGS...]: run the probe on NAME with
# -o json and assert the verdict and its exit status.
judge() {
	local what=$1 want=$2 name=$3
	shift 3
	probe -o json "$@" "$name"
	check "$what: verdict of $name $*" "$want" "$(jget 0.verdict)"
	check "$what: exit status" "$(verdict_rc "$want")" "$PRC"
}

# judge2 WHAT RFC-VERDICT BOULDER-VERDICT NAME [ARGS...]: judge under
# --policy rfc8659 and --policy boulder; when they differ, each report
# must carry the policy-differs warning.
judge2() {
	local what=$1 rfc=$2 boulder=$3 name=$4
	shift 4
	judge "$what (rfc8659)" "$rfc" "$name" --policy rfc8659 "$@"
	if [ "$rfc" != "$boulder" ]; then
		has_warning "$what (rfc8659)" policy-differs
	fi
	judge "$what (boulder)" "$boulder" "$name" --policy boulder "$@"
	if [ "$rfc" != "$boulder" ]; then
		has_warning "$what (boulder)" policy-differs
	fi
}

# reason_is WHAT REASON: the reason of the last judged name, exactly.
reason_is() {
	check "$1: reason" "$2" "$(jget 0.reason)"
}

# field_is WHAT PATH VALUE: a JSON value of the last run (jget PATH).
field_is() {
	check "$1: $2" "$3" "$(jget "$2")"
}

# has_warning WHAT CODE / no_warning WHAT CODE: a warning code of the
# first report is there / is not.
has_warning() {
	local seen
	seen=$(jget '0.warnings.*.code')
	if grep -Fxq -- "$2" <<<"$seen"; then
		pass
	else
		fail "$1: warning $2" "$2 among the warnings" "$(printf '%s' "$seen" | paste -sd' ' -)"
	fi
}

no_warning() {
	local seen
	seen=$(jget '0.warnings.*.code')
	if grep -Fxq -- "$2" <<<"$seen"; then
		fail "$1: no warning $2" "no $2" "$(printf '%s' "$seen" | paste -sd' ' -)"
	else
		pass
	fi
}

# within WHAT MIN MAX: the last probe's wall time in [MIN, MAX] ms.
within() {
	if [ "$PMS" -ge "$2" ] && [ "$PMS" -le "$3" ]; then
		pass
	else
		fail "$1: wall time" "$2-$3 ms" "$PMS ms"
	fi
}

# qlog_count FILE QNAME QTYPE: queries for QNAME/QTYPE in a query log
# (one JSON object a line, caa-responder -q), any letter case.
qlog_count() {
	"$PY" -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    try:
        q = json.loads(line)
    except ValueError:
        continue
    if q.get("qname", "").lower().rstrip(".") == sys.argv[2] and q.get("qtype") == sys.argv[3]:
        n += 1
print(n)
' "$1" "$2" "$3"
}

# start_wire_server: stop the responder and start the scripted server
# tests/e2e/probe_wire.py in its place (lib.sh stops it by RSP_PID); sets
# PORT4 from its ready line, or fails and finishes the test.
start_wire_server() {
	local line="" _
	stop_responder
	(exec "$PY" "$E2E_DIR/probe_wire.py" >"$tmp/out" 2>"$tmp/err") &
	RSP_PID=$!
	RSP_OWN="" # not caalab's: its exit is not judged
	DEATH_REPORTED=""
	for _ in $(seq 1 200); do
		line=$(grep -m1 '^ready ' "$tmp/out" 2>/dev/null || true)
		[ -n "$line" ] && break
		kill -0 "$RSP_PID" 2>/dev/null || break
		sleep 0.1
	done
	PORT4=$(ready_port "$line" udp '127\.0\.0\.1')
	if [ -z "$PORT4" ]; then
		fail "probe_wire.py starts" "a ready line" "$(cat "$tmp/out" "$tmp/err")"
		finish
	fi
}
