#!/usr/bin/env bash
# tests/e2e/cli.sh -- caa-responder's command line as pebble-challtestsrv
# users type it: -l :PORT (every address) and -l localhost:PORT (127.0.0.1
# and ::1) in the ready line; -c :PORT on loopback without a token (with a
# notice), on every address with one; the token from --control-token-file
# and CAA_CONTROL_TOKEN; --help's grammar; --list-profiles' rules; -vv's
# line per query.  Traffic goes to loopback only.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" "${1:-}"

if ! command -v curl >/dev/null; then
	echo "cli: curl is needed (apt-get install curl)" >&2
	exit 2
fi

# start_bare ARGS...: caa-responder with ARGS only (no -l added), until its
# ready line (in READY_LINE); 1 with a FAIL if there is none in 20 s.
start_bare() {
	local line=""
	stop_responder
	: >"$tmp/out"
	: >"$tmp/err"
	(exec "$RESPONDER" "$@" >"$tmp/out" 2>"$tmp/err") &
	RSP_PID=$!
	RSP_OWN=yes
	DEATH_REPORTED=""
	for _ in $(seq 1 200); do
		line=$(grep -m1 '^ready ' "$tmp/out" 2>/dev/null || true)
		[ -n "$line" ] && break
		kill -0 "$RSP_PID" 2>/dev/null || break
		sleep 0.1
	done
	READY_LINE=$line
	if [ -z "$line" ]; then
		LAST_CMD="" fail "caa-responder $* starts" "a ready line" \
			"stdout: $(head -c 300 "$tmp/out"); stderr: $(head -c 500 "$tmp/err")"
		return 1
	fi
}

# ready_addrs KEY: the KEY= addresses of the ready line, sorted, one line.
ready_addrs() {
	tr ' ' '\n' <<<"$READY_LINE" | sed -n "s/^$1=//p" |
		sed 's/:[0-9]*$/:P/' | sort | paste -sd' ' -
}

# run ARGS...: caa-responder with ARGS, at most 10 s; output in $OUT.
run() {
	LAST_CMD="caa-responder $*"
	OUT=$(timeout 10 "$RESPONDER" "$@" 2>&1 </dev/null)
	RC=$?
}

# http PORT PATH [TOKEN]: the status of GET http://127.0.0.1:PORT/PATH.
http() {
	local auth=()
	[ -n "${3:-}" ] && auth=(-H "Authorization: Bearer $3")
	LAST_CMD="curl http://127.0.0.1:$1$2"
	timeout 20 curl -sS -o /dev/null -w '%{http_code}' "${auth[@]}" \
		"http://127.0.0.1:$1$2" 2>&1
}

# ------------------------------------------------------ -l forms

start_bare -l :0 "${ZONE_FILES[@]}" || finish
check "-l :0 binds every address" "0.0.0.0:P [::]:P" "$(ready_addrs udp)"
check "-l :0: TCP beside UDP" "0.0.0.0:P [::]:P" "$(ready_addrs tcp)"
QPORT=$(ready_port "$READY_LINE" udp '0\.0\.0\.0')
ask dig caa.test CAA
expect rcode NOERROR
QHOST=::1 QPORT=$(ready_port "$READY_LINE" udp '\[::\]') ask dig caa.test CAA
expect rcode NOERROR
unset QPORT

start_bare -l localhost:0 "${ZONE_FILES[@]}" || finish
check "-l localhost:0 binds 127.0.0.1 and ::1" "127.0.0.1:P [::1]:P" "$(ready_addrs udp)"
QPORT=$(ready_port "$READY_LINE" udp '\[::1\]') QHOST=::1 ask dig caa.test CAA
expect rcode NOERROR
stop_responder

run -l 'no_such:53' "${ZONE_FILES[@]}"
check "a bad -l host is misuse" 64 "$RC"
check_match "the bad -l value is named" "'no_such:53' for -l/--listen" "$OUT"

# ------------------------------------------------------ -c forms and token

unset CAA_CONTROL_TOKEN
start_bare -l 127.0.0.1:0 -c :0 "${ZONE_FILES[@]}" || finish
check "-c :0 without a token binds loopback only" "127.0.0.1:P [::1]:P" "$(ready_addrs control)"
check_match "-c :0 without a token says so" \
	"control: ':0' binds loopback only; set a token to listen on every address" "$(cat "$tmp/err")"
check "the API answers on 127.0.0.1" 200 "$(http "$(ready_port "$READY_LINE" control '127\.0\.0\.1')" /health)"

start_bare -l 127.0.0.1:0 -c :0 --control-token s3cret "${ZONE_FILES[@]}" || finish
check "-c :0 with a token binds every address" "0.0.0.0:P [::]:P" "$(ready_addrs control)"
cport=$(ready_port "$READY_LINE" control '0\.0\.0\.0')
check "with the token: 200" 200 "$(http "$cport" /faults s3cret)"
check "without it: 401" 401 "$(http "$cport" /faults)"
check_match "no notice with a token" '^$' "$(grep 'loopback only' "$tmp/err")"

printf 'from-file\n' >"$tmp/token"
start_bare -l 127.0.0.1:0 -c 127.0.0.1:0 --control-token-file "$tmp/token" "${ZONE_FILES[@]}" || finish
cport=$(ready_port "$READY_LINE" control '127\.0\.0\.1')
check "--control-token-file: its first line is the token" 200 "$(http "$cport" /faults from-file)"
check "--control-token-file: no token, 401" 401 "$(http "$cport" /faults)"

export CAA_CONTROL_TOKEN=from-env
start_bare -l 127.0.0.1:0 -c 127.0.0.1:0 "${ZONE_FILES[@]}" || finish
cport=$(ready_port "$READY_LINE" control '127\.0\.0\.1')
check "CAA_CONTROL_TOKEN is the token" 200 "$(http "$cport" /faults from-env)"
check "CAA_CONTROL_TOKEN: no token, 401" 401 "$(http "$cport" /faults)"
start_bare -l 127.0.0.1:0 -c 127.0.0.1:0 --control-token-file "$tmp/token" "${ZONE_FILES[@]}" || finish
cport=$(ready_port "$READY_LINE" control '127\.0\.0\.1')
check "the file goes before the environment" 200 "$(http "$cport" /faults from-file)"
start_bare -l 127.0.0.1:0 -c 127.0.0.1:0 --control-token arg --control-token-file "$tmp/token" "${ZONE_FILES[@]}" || finish
cport=$(ready_port "$READY_LINE" control '127\.0\.0\.1')
check "--control-token goes first" 200 "$(http "$cport" /faults arg)"
unset CAA_CONTROL_TOKEN
stop_responder

: >"$tmp/empty"
run -l 127.0.0.1:0 -c 127.0.0.1:0 --control-token-file "$tmp/empty" "${ZONE_FILES[@]}"
check "an empty token file is misuse" 64 "$RC"
check_match "an empty token file is named" "$tmp/empty: empty token" "$OUT"
run -l 127.0.0.1:0 -c 127.0.0.1:0 --control-token-file "$tmp/nosuch" "${ZONE_FILES[@]}"
check "a token file that cannot be read: status 1" 1 "$RC"
check_match "the unreadable token file is named" "$tmp/nosuch: cannot read" "$OUT"

# ------------------------------------------------------ -v and -vv

start_bare -vv -l 127.0.0.1:0 -f 'servfail fail.caa.test CAA' "${ZONE_FILES[@]}" || finish
QPORT=$(ready_port "$READY_LINE" udp '127\.0\.0\.1')
ask dig caa.test CAA
ask dig fail.caa.test CAA +tcp
until_stderr 50 'qname=fail' || true
unset QPORT
check_match "-vv: one debug line per query" \
	'^caa-responder: debug: query client=127\.0\.0\.1:[0-9]+ tp=udp qname=caa\.test\. qtype=CAA rcode=NOERROR fault=none$' \
	"$(cat "$tmp/err")"
check_match "-vv: the fault applied" \
	'^caa-responder: debug: query client=127\.0\.0\.1:[0-9]+ tp=tcp qname=fail\.caa\.test\. qtype=CAA rcode=SERVFAIL fault="servfail fail\.caa\.test CAA"$' \
	"$(cat "$tmp/err")"
start_bare -v -l 127.0.0.1:0 "${ZONE_FILES[@]}" || finish
QPORT=$(ready_port "$READY_LINE" udp '127\.0\.0\.1') ask dig caa.test CAA
check_match "-v: loads, no line per query" '[0-9]+ zones loaded' "$(cat "$tmp/err")"
check "-v: no line per query" "" "$(grep 'debug: query' "$tmp/err")"
stop_responder

# ------------------------------------------------------ --help

run --help
check "--help: status 0" 0 "$RC"
long=$(awk 'length($0) > 80 { print NR ": " $0 }' <<<"$OUT")
check "--help fits in 80 columns" "" "$long"
# It ends with the rule grammar, then the address forms.
grammar=$(sed -n '/^Fault rules/,$p' <<<"$OUT")
for w in 'ACTION NAME TYPE \[OPTION' servfail refused notimp formerr nxdomain \
	nodata drop delay truncate garble noaa nosoa wrongid \
	'\*\.example\.test' 'TYPE257' 'count=N' 'after=N' 'every=N' 'p=P' \
	'transport=udp\|tcp' 'family=4\|6' 'ms=N' 'ede=N' 'tcp=ACTION'; do
	check_match "--help's rule grammar has $w" "$w" "$grammar"
done
forms=$(sed -n '/^Addresses/,$p' <<<"$OUT")
for w in ':PORT' 'localhost:8053' '127\.0\.0\.1:5353' '\[::1\]:5353' \
	'loopback only'; do
	check_match "--help's address forms have $w" "$w" "$forms"
done
check_match "--help names the token sources" \
	'--control-token-file FILE' "$OUT"
check_match "--help names CAA_CONTROL_TOKEN" 'CAA_CONTROL_TOKEN' "$OUT"
check_match "--help: the address forms come last" '^Addresses' \
	"$(grep -E '^[A-Z][a-z]+' <<<"$OUT" | tail -n1)"

finish
