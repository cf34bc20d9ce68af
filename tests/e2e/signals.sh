#!/usr/bin/env bash
# tests/e2e/signals.sh -- SIGHUP reloads the zone files atomically: good
# files replace the data, a file with an error (or an included file with
# one) leaves every old zone serving and logs "file:line: reason";
# SIGTERM and SIGINT stop the server with status 0; a SIGHUP while the
# zones load waits for them and reloads.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" "${1:-}"

zdir=$tmp/zones
mkdir -p "$zdir"
cp "$ZONES_DIR"/*.zone "$ZONES_DIR"/*.inc "$zdir"/
start_responder "$zdir"/*.zone || finish
pid=$RSP_PID

# until_answer TIMEOUT-TENTHS NAME TYPE TEXT: poll dig until TEXT answers.
until_answer() {
	local _
	for _ in $(seq 1 "$1"); do
		ask dig "$2" "$3"
		grep -Fxq -- "$4" <<<"$(out_section ANSWER)" && return 0
		sleep 0.1
	done
	return 1
}

ask dig flag0.caa.test CAA
expect rr ANSWER 'flag0.caa.test. IN CAA 0 issue "letsencrypt.org"'

# A good change: SIGHUP serves it.
sed -i 's/^flag0 .*/flag0           CAA     0 issue "reloaded.ca.test"/' "$zdir/caa.test.zone"
kill -HUP "$pid"
if until_answer 100 flag0.caa.test CAA 'flag0.caa.test. IN CAA 0 issue "reloaded.ca.test"'; then
	pass
else
	fail "SIGHUP loads the changed zone within 10 s" 'flag0.caa.test. IN CAA 0 issue "reloaded.ca.test"' "$(out_section ANSWER)"
fi
check "the responder still runs after SIGHUP" yes "$(responder_alive && echo yes || echo no)"

# A change to test.zone together with an error in caa.test.zone: nothing of
# the new files is served (atomic), the error is logged as file:line.
cp "$zdir/caa.test.zone" "$tmp/caa.good"
sed -i 's/^example         A       192.0.2.10/example         A       192.0.2.99/' "$zdir/test.zone"
printf 'broken          CAA     notaflag issue "x"\n' >>"$zdir/caa.test.zone"
bad_line=$(wc -l <"$zdir/caa.test.zone")
kill -HUP "$pid"
if until_stderr 100 "caa\\.test\\.zone:$bad_line:"; then
	pass
else
	fail "SIGHUP with a broken zone logs file:line" "caa.test.zone:$bad_line: reason" "$(tail -n 5 "$tmp/err")"
fi
check "the responder still runs after a failed reload" yes "$(responder_alive && echo yes || echo no)"
ask dig flag0.caa.test CAA
expect rcode NOERROR
expect rr ANSWER 'flag0.caa.test. IN CAA 0 issue "reloaded.ca.test"'
ask dig broken.caa.test CAA
expect rcode NXDOMAIN
ask dig example.test A
expect rr ANSWER 'example.test. IN A 192.0.2.10'
expect nrr ANSWER 'example.test. IN A 192.0.2.99'
ask dig many.big.test CAA +tcp
expect count ANSWER 1001

# An error in a file read through $INCLUDE is reported at its own line.
cp "$tmp/caa.good" "$zdir/caa.test.zone"
printf 'broken          CAA     0 issue\n' >>"$zdir/caa.test.params.inc"
inc_line=$(wc -l <"$zdir/caa.test.params.inc")
kill -HUP "$pid"
if until_stderr 100 "caa\\.test\\.params\\.inc:$inc_line:"; then
	pass
else
	fail "SIGHUP with a broken included file logs its file:line" "caa.test.params.inc:$inc_line: reason" "$(tail -n 5 "$tmp/err")"
fi
ask dig example.test A
expect rr ANSWER 'example.test. IN A 192.0.2.10'
ask dig account.caa.test CAA
expect rcode NOERROR
expect count ANSWER 1

# Repaired: the next SIGHUP serves everything new.
sed -i '$d' "$zdir/caa.test.params.inc"
kill -HUP "$pid"
if until_answer 100 example.test A 'example.test. IN A 192.0.2.99'; then
	pass
else
	fail "SIGHUP after the repair serves the new test.zone" 'example.test. IN A 192.0.2.99' "$(out_section ANSWER)"
fi

# SIGTERM: a clean exit, status 0, no sanitizer report.
stop_responder

# SIGINT: the same.
start_responder "${ZONE_FILES[@]}" || finish
stop_responder_on INT

# SIGHUP while the zones load (signing 20,000 records takes seconds): the
# responder does not die of it; it comes up and then reloads.
{
	# shellcheck disable=SC2016 # $ORIGIN and $TTL are the zone file's
	printf '$ORIGIN big.test.\n$TTL 300\n@ SOA ns hostmaster 1 3600 900 604800 300\n@ NS ns\nns A 192.0.2.1\n'
	for i in $(seq 1 20000); do printf 'h%d A 192.0.2.2\n' "$i"; done
} >"$tmp/big.zone"
(exec "$RESPONDER" -v -l 127.0.0.1:0 --dnssec "$tmp/big.zone" >"$tmp/big.out" 2>"$tmp/big.err") &
big=$!
sleep 0.3
ready=$(grep -c '^ready ' "$tmp/big.out")
kill -HUP "$big" 2>/dev/null
check "SIGHUP while loading: sent before the ready line" 0 "$ready"
for _ in $(seq 1 600); do
	grep -q '^ready ' "$tmp/big.out" && grep -q 'reloaded: ' "$tmp/big.err" && break
	kill -0 "$big" 2>/dev/null || break
	sleep 0.1
done
check "SIGHUP while loading: still running" yes "$(kill -0 "$big" 2>/dev/null && echo yes || echo no)"
check_match "SIGHUP while loading: ready, then reloaded" "reloaded: 1 zones, [0-9]+ records" "$(cat "$tmp/big.err")"
if stop_judged "$big" "$tmp/big.err"; then
	pass
else
	fail "SIGHUP while loading: SIGTERM ends it with status 0" "exit 0, no report" "$STOP_PROBLEM"
fi

finish
