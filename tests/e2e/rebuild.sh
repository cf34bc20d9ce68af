#!/usr/bin/env bash
# tests/e2e/rebuild.sh -- record changes over the API are built beside the
# event loop from the records in memory: a change never reads the zone
# files (an edit or a broken file on disk stays out until a reload, which
# then says file:line), and queries are answered while a big zone is
# being built again.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" "${1:-}"

if ! command -v curl >/dev/null; then
	echo "rebuild: curl is needed (apt-get install curl)" >&2
	exit 2
fi

# api METHOD PATH [BODY]: status in $CODE, body in $BODY.
api() {
	local data=()
	if [ $# -ge 3 ]; then
		data=(--data-binary "$3" -H 'Content-Type: application/json')
	fi
	LAST_CMD="curl -X $1 http://127.0.0.1:$CPORT$2 ${3:-}"
	CODE=$(timeout 60 curl -sS -o "$tmp/body" -w '%{http_code}' -X "$1" \
		"${data[@]}" "http://127.0.0.1:$CPORT$2" 2>"$tmp/curl.err")
	BODY=$(cat "$tmp/body" 2>/dev/null)
	OUT="HTTP $CODE $BODY $(cat "$tmp/curl.err")"
}

# start_api ARGS...: start_responder with -c 127.0.0.1:0; port in CPORT.
start_api() {
	start_responder -c 127.0.0.1:0 "$@" || return 1
	CPORT=$(ready_port "$READY_LINE" control '127\.0\.0\.1')
	[ -n "$CPORT" ]
}

# ------------------------------------------- the files on disk stay out

mkdir -p "$tmp/zones"
cp "$ZONES_DIR/test.zone" "$ZONES_DIR/caa.test.zone" "$ZONES_DIR/caa.test.params.inc" \
	"$tmp/zones/"
start_api "$tmp/zones/test.zone" "$tmp/zones/caa.test.zone" || finish

# A record changed on disk goes live with a reload, not with a change.
sed -i 's/^@\( *\)CAA\( *\)0 iodef "mailto:security@caa.test"/@\1CAA\20 iodef "mailto:changed@caa.test"/' \
	"$tmp/zones/caa.test.zone"
check_match "the file on disk was changed" 'changed@caa.test' "$(cat "$tmp/zones/caa.test.zone")"
api POST /records '{"rr":"api-one.test. 60 IN A 192.0.2.61"}'
check "POST /records with a file changed on disk" 201 "$CODE"
ask dig api-one.test A
expect rr ANSWER 'api-one.test. IN A 192.0.2.61'
ask dig caa.test CAA
expect rr ANSWER 'caa.test. IN CAA 0 iodef "mailto:security@caa.test"'
api POST /reload
check "POST /reload" 200 "$CODE"
ask dig caa.test CAA
expect rr ANSWER 'caa.test. IN CAA 0 iodef "mailto:changed@caa.test"'
ask dig api-one.test A
expect rr ANSWER 'api-one.test. IN A 192.0.2.61'

# A broken file on disk: changes go on; a reload says where, keeps the data.
line=$(($(wc -l <"$tmp/zones/caa.test.zone") + 1))
echo 'broken  CAA  999 issue "x"' >>"$tmp/zones/caa.test.zone"
api POST /records '{"rr":"api-two.test. 60 IN A 192.0.2.62"}'
check "POST /records with a broken file on disk" 201 "$CODE"
ask dig api-two.test A
expect rr ANSWER 'api-two.test. IN A 192.0.2.62'
api DELETE /records '{"name":"api-one.test"}'
check "DELETE /records with a broken file on disk" 200 "$CODE"
ask dig api-one.test A
expect rcode NXDOMAIN
api POST /reload
check "POST /reload of a broken file" 400 "$CODE"
check_match "names the file and line" "caa\\.test\\.zone:$line: bad CAA flags" "$BODY"
ask dig api-two.test A
expect rr ANSWER 'api-two.test. IN A 192.0.2.62'
ask dig caa.test CAA
expect rr ANSWER 'caa.test. IN CAA 0 iodef "mailto:changed@caa.test"'
kill -HUP "$RSP_PID"
until_stderr 50 'not reloaded, the old data still serves'
check_match "SIGHUP logs the file and line" "caa\\.test\\.zone:$line:" "$(cat "$tmp/err")"
stop_responder

# ------------------------------------- queries answered during a rebuild

# 200,000 records take a build of a few hundred milliseconds (seconds on a
# loaded machine, or under a sanitizer); a query that waited for it, as
# when builds ran in the event loop, took about as long as the POST.  Now
# no query may wait 100 ms, or, when the machine is so loaded that the
# builds take seconds, a third of the longest POST.
bash "$E2E_DIR/../../bench/gen-big-zone.sh" "$tmp/big.test.zone" 200000
start_api "$tmp/big.test.zone" "$ZONES_DIR/caa.test.zone" || finish
LAST_CMD="stall.py: caa.test A during POST /records api%d.big.test A"
OUT=$(timeout 120 "$PY" "$E2E_DIR/stall.py" "$PORT4" "$CPORT" caa.test \
	'{"rr":"api%d.big.test. A 192.0.2.1"}' 3 2>&1)
check_match "three changes applied" 'codes=201,201,201' "$OUT"
queries=$(sed -n 's/.*queries=\([0-9]*\).*/\1/p' <<<"$OUT")
max=$(sed -n 's/.*max_ms=\([0-9]*\).*/\1/p' <<<"$OUT")
check "queries were asked during the builds" yes "$([ "${queries:-0}" -ge 3 ] && echo yes || echo "no: $OUT")"
post=$(sed -n 's/.*post_ms=\([0-9]*\).*/\1/p' <<<"$OUT")
check "no query waited for a build" yes \
	"$([ -n "$max" ] && { [ "$max" -lt 100 ] || [ "$max" -lt $((${post:-0} / 3)) ]; } && echo yes || echo "no: $OUT")"
ask dig api2.big.test A
expect rr ANSWER 'api2.big.test. IN A 192.0.2.1'

finish
