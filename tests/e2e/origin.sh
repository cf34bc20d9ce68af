#!/usr/bin/env bash
# tests/e2e/origin.sh -- a zone's origin from the command line: -z
# ORIGIN=FILE and positional ORIGIN=FILE serve a file without $ORIGIN; a
# file whose records need an origin it does not have is refused with
# FILE:LINE (not served as the root zone); SIGHUP and POST /reload keep the
# ORIGIN given; an existing file whose name holds '=' is a file.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" "${1:-}"

zdir=$tmp/z
mkdir -p "$zdir"
# No $ORIGIN, relative owners and RDATA, a name that says no origin.
cat >"$zdir/example.com.db" <<'ZONE'
$TTL 300
@    SOA ns hostmaster 1 3600 600 86400 60
@    NS  ns
ns   A   192.0.2.1
www  A   192.0.2.2
@    CAA 0 issue "ca.test"
ZONE
# Absolute owners, one relative name in RDATA (line 3).
cat >"$zdir/rdata.db" <<'ZONE'
rdata.test. 300 SOA ns.rdata.test. hm.rdata.test. 1 2 3 4 5
rdata.test. 300 NS  ns.rdata.test.
rdata.test. 300 MX  10 mail
ZONE

# run ARGS...: caa-responder with ARGS, at most 10 s; stderr and stdout in
# $OUT, status in $RC.
run() {
	LAST_CMD="caa-responder $*"
	OUT=$(timeout 10 "$RESPONDER" -l 127.0.0.1:0 "$@" 2>&1 </dev/null)
	RC=$?
}

# ------------------------------------------------------ refused without one

run "$zdir/example.com.db"
check "a file with relative names and no origin: status 1" 1 "$RC"
check_match "the refusal names FILE:LINE, the name and the way out" \
	"example\\.com\\.db:2: relative name '@' but no origin: add \\\$ORIGIN or load it as -z ORIGIN=FILE" "$OUT"
run -z "$zdir/rdata.db"
check "a relative name in RDATA and no origin: status 1" 1 "$RC"
check_match "the refusal names the RDATA name and its line" \
	"rdata\\.db:3: relative name 'mail' but no origin" "$OUT"
printf '$ORIGIN sub\n@ SOA ns hm 1 2 3 4 5\n' >"$zdir/relorigin.db"
run -z "$zdir/relorigin.db"
check "a relative \$ORIGIN and no origin: status 1" 1 "$RC"
check_match "a relative \$ORIGIN is named" "relorigin\\.db:1: relative name 'sub'" "$OUT"
run -z '..bad=x.db'
check "a bad ORIGIN is misuse: status 64" 64 "$RC"
check_match "the bad ORIGIN is named" "'\\.\\.bad'" "$OUT"

# ------------------------------------------------------ -z ORIGIN=FILE

start_responder -v -z "example.com=$zdir/example.com.db" "rdata.test.=$zdir/rdata.db" || finish
ask dig www.example.com A
expect rcode NOERROR
expect flag aa
expect rr ANSWER 'www.example.com. IN A 192.0.2.2'
ask dig example.com CAA
expect rr ANSWER 'example.com. IN CAA 0 issue "ca.test"'
ask dig example.com NS
expect rr ANSWER 'example.com. IN NS ns.example.com.'
ask dig rdata.test MX
expect rr ANSWER 'rdata.test. IN MX 10 mail.rdata.test.'
ask dig www A
expect rcode REFUSED

# SIGHUP and POST /reload read the file again with the same origin.
printf 'new  A   192.0.2.3\n' >>"$zdir/example.com.db"
kill -HUP "$RSP_PID"
until_stderr 100 'reloaded:|not reloaded' || true
for _ in $(seq 1 50); do
	ask dig new.example.com A
	[ "$(out_rcode)" = NOERROR ] && break
	sleep 0.1
done
expect rr ANSWER 'new.example.com. IN A 192.0.2.3'
check_match "SIGHUP reloaded" 'reloaded:' "$(cat "$tmp/err")"

start_responder -v -c 127.0.0.1:0 "example.com=$zdir/example.com.db" || finish
CPORT=$(ready_port "$READY_LINE" control '127\.0\.0\.1')
printf 'api  A   192.0.2.4\n' >>"$zdir/example.com.db"
LAST_CMD="curl -X POST http://127.0.0.1:$CPORT/reload"
code=$(timeout 30 curl -sS -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$CPORT/reload")
check "POST /reload" 200 "$code"
ask dig api.example.com A
expect rr ANSWER 'api.example.com. IN A 192.0.2.4'
ask dig www.example.com A
expect rr ANSWER 'www.example.com. IN A 192.0.2.2'

# A reload that would lose the origin never happens: a broken line keeps
# the old data, as every zone error does.
printf 'bad  A   notanaddress\n' >>"$zdir/example.com.db"
code=$(timeout 30 curl -sS -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$CPORT/reload")
check "POST /reload with a broken file" 400 "$code"
ask dig api.example.com A
expect rr ANSWER 'api.example.com. IN A 192.0.2.4'

# ------------------------------------------------ an existing file is a file

cat >"$zdir/a=b.zone" <<'ZONE'
$ORIGIN eq.test.
@ 300 SOA ns hm 1 2 3 4 5
www 300 A 192.0.2.9
ZONE
start_responder "$zdir/a=b.zone" || finish
ask dig www.eq.test A
expect rr ANSWER 'www.eq.test. IN A 192.0.2.9'

finish
