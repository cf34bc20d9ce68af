# shellcheck shell=bash
# shellcheck disable=SC2034 # variables the sourcing tests read
# tests/e2e/lib.sh -- shared by the end-to-end tests: start caa-responder on
# free loopback ports, ask it with dig, kdig, drill or dnsraw.py, assert.
#
# A test sources this file with the responder's path as $1:
#
#   . "$(dirname "$0")/lib.sh" "$1"
#   start_responder "${ZONE_FILES[@]}"
#   ask dig caa.test CAA
#   expect rcode NOERROR
#   expect rr ANSWER 'caa.test. IN CAA 0 issue "letsencrypt.org"'
#   finish
#
# Every assertion prints what it expected and what it saw when it fails, and
# the run goes on; finish prints "N passed, N failed" and sets the exit
# status.  Nothing waits without a bound, and cleanup stops only the PID
# this file started.  Every stop of the responder (a restart, finish, the
# exit) is an assertion: exit status 0 on SIGTERM and no sanitizer report
# on its stderr (stop_server, stop_lib.sh); stop a server of the test's
# own with stop_server too.

# No "grep -q" at the end of a pipe: with pipefail, the writer it stops
# early would turn a match into a failure.  Here-strings instead.
set -u -o pipefail

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ZONES_DIR=$(cd "$E2E_DIR/../../zones" && pwd)
ZONE_FILES=("$ZONES_DIR"/*.zone)
PY=${PY:-$(command -v /usr/bin/python3 || command -v python3)}
DNSRAW=("$PY" "$E2E_DIR/dnsraw.py")
TEST_NAME=$(basename "$0" .sh)

RESPONDER=${1:-${CAA_RESPONDER:-}}
if [ -z "$RESPONDER" ] || [ ! -x "$RESPONDER" ]; then
	echo "usage: $0 PATH-TO-caa-responder (got '${RESPONDER}')" >&2
	exit 2
fi
case $RESPONDER in
/*) ;;
*) RESPONDER=$PWD/$RESPONDER ;;
esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/caa-e2e-$TEST_NAME.XXXXXX")
RSP_PID=""
PASSED=0
FAILED=0

# Addresses and ports of the running responder, from its ready line.
HOST4=127.0.0.1
HOST6=::1
PORT4="" TPORT4="" PORT6="" TPORT6=""

# shellcheck source=tests/e2e/stop_lib.sh
. "$E2E_DIR/stop_lib.sh"

# free_port: a TCP port nobody listens on now on 127.0.0.1 (the kernel's
# pick), for a reference server or a client of the test's own.
free_port() {
	"$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# stop_server NAME PID ERRFILE [STATUS [SIGNAL]]: stop a server of
# caalab's own (stop_lib.sh's stop_judged) and assert how it ended: exit
# status STATUS (default 0) after SIGNAL (default TERM), and no sanitizer
# report in ERRFILE, its stderr (a FAIL shows the report).
stop_server() {
	local what="$1 exits with status ${4:-0} on SIG${5:-TERM}, no sanitizer report"
	[ -n "$2" ] || return 0
	if stop_judged "$2" "$3" "${4:-0}" "${5:-TERM}"; then
		pass
	else
		LAST_CMD="" fail "$what" "status ${4:-0}, a quiet stderr" "$STOP_PROBLEM"
	fi
}

# no_sanitizer_report WHAT FILE: a FAIL showing the report when FILE, the
# stderr of a program of ours that ran to its end, holds a sanitizer
# report (nothing counted otherwise).
no_sanitizer_report() {
	local report
	report=$(sanitizer_report "$2")
	[ -z "$report" ] || fail "$1: no sanitizer report" "a quiet stderr" "$report"
}

# stop_responder: stop the responder with SIGTERM (stop_server), or
# whatever else runs as RSP_PID when RSP_OWN is empty (not judged then).
# A responder whose death a query already reported is not judged again.
# stop_responder_on SIGNAL: the same with SIGNAL (INT, ...), status 0 too.
RSP_OWN=yes
stop_responder() {
	stop_responder_on TERM
}
stop_responder_on() {
	if [ -n "$RSP_OWN" ] && [ -z "$DEATH_REPORTED" ]; then
		stop_server caa-responder "$RSP_PID" "$tmp/err" 0 "$1"
	else
		stop_pid "$RSP_PID"
	fi
	RSP_PID=""
}

# cleanup [FAILED-BEFORE]: at exit, what still runs stops, judged as
# finish judges it: a test that exits early with status 0 or 77 exits 1
# if a stop failed (since FAILED was FAILED-BEFORE, for a test's own
# cleanup that stopped more first).
cleanup() {
	local status=$? failed=${1:-$FAILED}
	stop_responder
	rm -rf "$tmp"
	if [ "$FAILED" -gt "$failed" ] && { [ "$status" -eq 0 ] || [ "$status" -eq 77 ]; }; then
		exit 1
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- reporting

pass() {
	PASSED=$((PASSED + 1))
}

# fail WHAT EXPECTED SEEN
fail() {
	FAILED=$((FAILED + 1))
	printf 'FAIL: %s\n  expected: %s\n  seen:     %s\n' "$1" "$2" "$3"
	if [ -n "${LAST_CMD:-}" ]; then
		printf '  command:  %s\n' "$LAST_CMD"
		printf '%s\n' "${OUT:-}" | head -n 40 | sed 's/^/  | /'
	fi
}

# check WHAT EXPECTED SEEN: equality.
check() {
	if [ "$2" = "$3" ]; then
		pass
	else
		fail "$1" "$2" "$3"
	fi
}

# check_match WHAT ERE TEXT: TEXT matches the extended regular expression.
check_match() {
	if grep -Eq -- "$2" <<<"$3"; then
		pass
	else
		fail "$1" "a match for /$2/" "$3"
	fi
}

finish() {
	if [ -n "$RSP_PID" ]; then
		require_responder || true
	fi
	stop_responder
	echo "$TEST_NAME: $PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ]
	exit $?
}

# ---------------------------------------------------------------- responder

# start_responder ARGS...: run caa-responder on 127.0.0.1 and ::1, port 0,
# with ARGS (zone files, options), and wait for its ready line.  Output in
# $tmp/out and $tmp/err.  Returns 1 (with a FAIL) if it is not ready in 20 s.
start_responder() {
	local line=""
	stop_responder
	: >"$tmp/out"
	: >"$tmp/err"
	(exec "$RESPONDER" -l 127.0.0.1:0 -l '[::1]:0' "$@" >"$tmp/out" 2>"$tmp/err") &
	RSP_PID=$!
	RSP_OWN=yes
	DEATH_REPORTED=""
	for _ in $(seq 1 200); do
		line=$(grep -m1 '^ready ' "$tmp/out" 2>/dev/null || true)
		[ -n "$line" ] && break
		if ! kill -0 "$RSP_PID" 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	if [ -z "$line" ]; then
		LAST_CMD="" fail "caa-responder $* starts" "a ready line on stdout within 20 s" \
			"stdout: $(head -c 500 "$tmp/out"); stderr: $(head -c 1000 "$tmp/err")"
		responder_alive || DEATH_REPORTED=yes
		return 1
	fi
	READY_LINE=$line
	PORT4=$(ready_port "$line" udp '127\.0\.0\.1')
	TPORT4=$(ready_port "$line" tcp '127\.0\.0\.1')
	PORT6=$(ready_port "$line" udp '\[::1\]')
	TPORT6=$(ready_port "$line" tcp '\[::1\]')
	if [ -z "$PORT4" ] || [ -z "$TPORT4" ] || [ -z "$PORT6" ] || [ -z "$TPORT6" ]; then
		LAST_CMD="" fail "ready line lists every socket" \
			"udp=127.0.0.1:P tcp=127.0.0.1:P udp=[::1]:P tcp=[::1]:P" "$line"
		return 1
	fi
	return 0
}

# ready_port LINE udp|tcp ADDR-REGEX: the port of that socket in LINE.
ready_port() {
	printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=$3:\([0-9][0-9]*\)\$/\1/p" | head -n1
}

# responder_alive: 0 if the responder still runs.
responder_alive() {
	[ -n "$RSP_PID" ] && kill -0 "$RSP_PID" 2>/dev/null
}

# require_responder: 0 if it runs; otherwise one FAIL with its stderr (so
# a crash shows once, and the queries after it fail at once instead of
# each waiting for its timeout).
DEATH_REPORTED=""
require_responder() {
	responder_alive && return 0
	OUT="caa-responder is not running"
	RC=1
	if [ -z "$DEATH_REPORTED" ] && [ -n "$RSP_PID" ]; then
		DEATH_REPORTED=yes
		local status
		wait "$RSP_PID" 2>/dev/null
		status=$?
		LAST_CMD="" fail "caa-responder keeps running" "a running server" \
			"it exited with status $status; stderr: $(tail -c 1500 "$tmp/err")"
	fi
	return 1
}

# ---------------------------------------------------------------- queries

# ask TOOL NAME TYPE [OPTIONS...]: query the responder over IPv4 with dig,
# kdig or drill (recursion desired clear, one try, bounded time).  The
# tool's output goes to $OUT, its exit status to $RC.  Set QPORT to use
# another port, QHOST another address.
ask() {
	local tool=$1 name=$2 type=$3 host=${QHOST:-$HOST4}
	shift 3
	local port=${QPORT:-$PORT4}
	case $tool in
	dig)
		set -- dig @"$host" -p "$port" +norec +time=3 +tries=1 "$name" "$type" "$@"
		;;
	kdig)
		set -- kdig @"$host" -p "$port" +norec +timeout=3 +retry=0 "$name" "$type" "$@"
		;;
	drill)
		set -- drill -o rd -p "$port" "$@" @"$host" "$name" "$type"
		;;
	*)
		echo "ask: unknown tool $tool" >&2
		return 2
		;;
	esac
	LAST_CMD="$*"
	require_responder || return 0
	OUT=$(timeout 20 "$@" 2>&1)
	RC=$?
}

# raw SUBCOMMAND ARGS...: dnsraw.py; key=value output in $OUT.
raw() {
	LAST_CMD="dnsraw.py $*"
	require_responder || return 0
	OUT=$(timeout 20 "${DNSRAW[@]}" "$@" 2>&1)
	RC=$?
}

# ---------------------------------------------------------------- reading $OUT

# The last header line: dig "status: X,", kdig "status: X;", drill "rcode: X,".
out_rcode() {
	printf '%s\n' "$OUT" | grep -- '->>HEADER<<-' | tail -n1 |
		sed -n 's/.*\(status\|rcode\): \([A-Z0-9]*\).*/\2/p'
}

# The flags of the last header, sorted, space separated ("aa qr").
out_flags() {
	printf '%s\n' "$OUT" | grep -E '^;; [Ff]lags:' | tail -n1 |
		sed 's/^;; [Ff]lags:\([^;]*\);.*/\1/' | tr ' ' '\n' |
		grep -v '^$' | tr '[:upper:]' '[:lower:]' | sort | tr '\n' ' ' | sed 's/ $//'
}

# out_count QUESTION|ANSWER|AUTHORITY|ADDITIONAL: the header's count.
out_count() {
	printf '%s\n' "$OUT" | grep -E '^;; [Ff]lags:' | tail -n1 |
		sed -n "s/.*$1: \([0-9]*\).*/\1/p"
}

# out_section NAME: the records of that section, one a line, as
# "owner CLASS TYPE rdata" with the TTL dropped and blanks squeezed.  The
# question section keeps "owner CLASS TYPE".
out_section() {
	printf '%s\n' "$OUT" | awk -v sect="$1" '
		$0 ~ "^;; " sect " SECTION:" { on = 1; next }
		on && /^[[:space:]]*$/ { on = 0; next }
		on && /^;; [A-Z]+ SECTION:/ { on = 0; next }
		on {
			line = $0
			if (sect == "QUESTION") {
				sub(/^;+[[:space:]]*/, "", line)
				gsub(/[[:space:]]+/, " ", line)
				sub(/ $/, "", line)
				print line
				next
			}
			if (line ~ /^;/) next
			n = split(line, f, /[[:space:]]+/)
			out = f[1]
			for (i = 2; i <= n; i++) {
				if (i == 2 && f[i] ~ /^[0-9]+$/) continue
				if (f[i] == "") continue
				out = out " " f[i]
			}
			print out
		}'
}

# out_kv KEY: the values of KEY= lines of dnsraw output, one a line.
out_kv() {
	printf '%s\n' "$OUT" | sed -n "s/^$1=//p"
}

# ---------------------------------------------------------------- assertions

# expect WHAT ARGS...: assert on the last ask.
#   expect rcode NOERROR          the RCODE (extended RCODEs included)
#   expect flag aa / noflag aa    a header flag set / clear
#   expect count ANSWER 3         the header's section count
#   expect rr SECTION 'text'      a record (as out_section prints it) present
#   expect nrr SECTION 'text'     that record absent
#   expect nrecords SECTION TYPE N   N records of TYPE in the section
#   expect question 'text'        the question section as printed
#   expect opt / noopt            an EDNS pseudo-section shown / not shown
#   expect kv KEY VALUE           a dnsraw key=value line (first value)
#   expect kvhas KEY VALUE        one of the KEY= lines is VALUE
expect() {
	local what=$1 seen
	shift
	case $what in
	rcode)
		check "rcode" "$1" "$(out_rcode)"
		;;
	flag)
		seen=$(out_flags)
		if [[ " $seen " == *" $1 "* ]]; then pass; else fail "flag $1 set" "$1 in flags" "flags: $seen"; fi
		;;
	noflag)
		seen=$(out_flags)
		if [[ " $seen " != *" $1 "* ]]; then pass; else fail "flag $1 clear" "no $1 in flags" "flags: $seen"; fi
		;;
	count)
		check "$1 count" "$2" "$(out_count "$1")"
		;;
	rr)
		seen=$(out_section "$1")
		if grep -Fxq -- "$2" <<<"$seen"; then
			pass
		else
			fail "$1 section has a record" "$2" "$(printf '%s' "$seen" | head -n 8 | paste -sd'|' -)"
		fi
		;;
	nrr)
		seen=$(out_section "$1")
		if grep -Fxq -- "$2" <<<"$seen"; then
			fail "$1 section lacks a record" "no $2" "$(printf '%s' "$seen" | head -n 8 | paste -sd'|' -)"
		else
			pass
		fi
		;;
	nrecords)
		seen=$(out_section "$1" | awk -v t="$2" '$3 == t' | wc -l)
		check "$2 records in $1" "$3" "$((seen))"
		;;
	question)
		check "question section" "$1" "$(out_section QUESTION | head -n1)"
		;;
	opt)
		if grep -Eq '^;; (OPT|EDNS) PSEUDOSECTION:|^;; EDNS: version' <<<"$OUT"; then
			pass
		else
			fail "OPT in the reply" "an EDNS pseudo-section" "none"
		fi
		;;
	noopt)
		if grep -Eq '^;; (OPT|EDNS) PSEUDOSECTION:|^;; EDNS: version' <<<"$OUT"; then
			fail "no OPT in the reply" "no EDNS pseudo-section" "one"
		else
			pass
		fi
		;;
	kv)
		check "$1" "$2" "$(out_kv "$1" | head -n1)"
		;;
	kvhas)
		seen=$(out_kv "$1")
		if grep -Fxq -- "$2" <<<"$seen"; then
			pass
		else
			fail "$1 lines" "one of them: $2" "$(printf '%s' "$seen" | head -n 8 | paste -sd'|' -)"
		fi
		;;
	*)
		echo "expect: unknown assertion $what" >&2
		FAILED=$((FAILED + 1))
		;;
	esac
}

# hex STRING: the octets of STRING in lower-case hex (for RDATA checks).
hex() {
	printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n'
}

# caa_hex FLAGS TAG VALUE: CAA RDATA in hex (RFC 8659 4.1).
caa_hex() {
	printf '%02x%02x%s%s' "$1" "${#2}" "$(hex "$2")" "$(hex "$3")"
}

# ---------------------------------------------------------------- query log

# wait_log_lines FILE N: 0 once FILE holds N JSON lines, 1 after 5 s.
wait_log_lines() {
	local _
	for _ in $(seq 1 50); do
		[ "$(grep -c '^{' "$1" 2>/dev/null || true)" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# log_entry FILE ID: the last query-log entry of FILE with that message ID
# (the query just sent; an earlier one may have drawn the same ID) as
# key=value lines in $OUT (values as JSON: "SERVFAIL" quoted, true, null),
# for expect kv; "noentry" if there is none.
log_entry() {
	LAST_CMD="query log $1, id $2"
	OUT=$("$PY" - "$1" "$2" <<'PYEOF' 2>&1
import json, sys
path, qid = sys.argv[1], int(sys.argv[2])
found = None
with open(path, encoding="utf-8") as f:
    for line in f:
        if not line.startswith("{"):
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict) and obj.get("id") == qid:
            found = obj
if found is None:
    print("noentry")
else:
    for k, v in found.items():
        print("%s=%s" % (k, json.dumps(v)))
PYEOF
	)
}

# until_stderr TENTHS ERE: 0 once the responder's stderr has a line
# matching ERE, 1 after TENTHS tenths of a second.
until_stderr() {
	local _
	for _ in $(seq 1 "$1"); do
		grep -Eq -- "$2" "$tmp/err" && return 0
		sleep 0.1
	done
	return 1
}
