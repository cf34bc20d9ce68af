#!/usr/bin/env bash
# tests/e2e/probe_server.sh -- the forms of -s/--server: HOST:PORT,
# [V6]:PORT, [V6], HOST#PORT, @HOST, a bare IPv6 address, with -p; the
# port in -s wins over -p; a bad server is a usage error naming the forms.
# shellcheck source=tests/e2e/probe_lib.sh
. "$(dirname "$0")/probe_lib.sh" "${1:-}" "${2:-}"

# bad SERVER: exit 64, the forms named.
bad() {
	run -s "$1" a.test
	check "bad server '$1': exit status" 64 "$PRC"
	check_match "bad server '$1': names -s/--server" "-s/--server" "$PERR"
	check_match "bad server '$1': names HOST#PORT" "HOST#PORT" "$PERR"
	check_match "bad server '$1': names [V6]:PORT" '\[V6\]:PORT' "$PERR"
}

bad '[::1'
bad '127.0.0.1:99999'
bad '127.0.0.1:'
bad '[::1]:x'
bad '[::1]x'
bad ':53'
bad '127.0.0.1#0'

# shellcheck disable=SC2119 # serve takes optional rules, none here
serve || finish

run -s "$HOST4:$PORT4" host.deny.test
check "HOST:PORT" 1 "$PRC"
run --server "$HOST4:$PORT4" -o json host.deny.test
check "--server HOST:PORT" "1 denied" "$PRC $(jget 0.verdict)"
run -s "[$HOST6]:$PORT6" -o json host.deny.test
check "[V6]:PORT" "1 denied" "$PRC $(jget 0.verdict)"
run -s "[$HOST6]" -p "$PORT6" host.deny.test
check "[V6] -p" 1 "$PRC"
run -s "$HOST6" -p "$PORT6" host.deny.test
check "bare ::1 -p" 1 "$PRC"
run -s "[$HOST6]#$PORT6" host.deny.test
check "[V6]#PORT" 1 "$PRC"
run -s "$HOST4#$PORT4" host.deny.test
check "HOST#PORT" 1 "$PRC"
run "@$HOST4:$PORT4" host.deny.test
check "@HOST:PORT" 1 "$PRC"
# The port in -s wins over -p (as #PORT always did).
run -s "$HOST4:$PORT4" -p 9 host.deny.test
check "HOST:PORT wins over -p" 1 "$PRC"
run -p 9 -s "[$HOST6]:$PORT6" host.deny.test
check "[V6]:PORT wins over -p" 1 "$PRC"
# A host name with a port: localhost resolves to 127.0.0.1 or ::1, which
# listen on different ports here; either way the form is accepted.
run -s "localhost:$PORT4" --timeout 300 --tries 1 -o json host.deny.test
check_match "localhost:PORT accepted" '^(1|2)$' "$PRC"
check_match "localhost:PORT: a report" '^(denied|lookup-failed)$' "$(jget 0.verdict)"

run --help
check_match "--help: the server forms" 'HOST:PORT' "$POUT"
check_match "--help: [V6]:PORT" '\[V6\]:PORT' "$POUT"

finish
