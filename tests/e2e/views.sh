#!/usr/bin/env bash
# tests/e2e/views.sh -- network perspectives on the responder side:
# --view CIDR=FILE gives clients in CIDR other zones (the most specific
# prefix wins), the rule option from= hits only the sources it names,
# reloads and API record edits reach the views, the query log names the
# view, and GET /queries filters by client=.  dig -b picks the source
# (127.0.0.2, 127.0.0.3, ::1); Linux answers every 127/8 address.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" "${1:-}"

if ! command -v curl >/dev/null; then
	echo "views: curl is needed (apt-get install curl)" >&2
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
}

# zone FILE ISSUER: a zone views.test whose CAA names ISSUER.
zone() {
	cat >"$1" <<ZONE
\$ORIGIN views.test.
@ 60 IN SOA ns hostmaster 1 3600 600 86400 60
@ 60 IN NS ns
ns 60 IN A 127.0.0.1
@ 60 IN CAA 0 issue "$2"
ZONE
}

# caa_from SOURCE [PORT HOST]: the CAA issuer views.test has for SOURCE.
caa_from() {
	QHOST=${3:-$HOST4} QPORT=${2:-$PORT4} ask dig views.test CAA -b "$1"
	out_section ANSWER | sed -n 's/.*CAA 0 issue "\(.*\)"$/\1/p' | head -n1
}

zone "$tmp/common.zone" common.test
zone "$tmp/two.zone" two.test
zone "$tmp/wide.zone" wide.test
zone "$tmp/six.zone" six.test
cat >"$tmp/extra.zone" <<'ZONE'
$ORIGIN extra.test.
@ 60 IN SOA ns hostmaster 1 3600 600 86400 60
@ 60 IN NS ns
@ 60 IN CAA 0 issue "extra.test"
ZONE

start_responder -c 127.0.0.1:0 -q "$tmp/queries.log" "$tmp/common.zone" \
	--view 127.0.0.2/31="$tmp/wide.zone" --view 127.0.0.2="$tmp/two.zone" \
	--view ::1="$tmp/six.zone" --view 127.0.0.2="$tmp/extra.zone" \
	-f 'servfail views.test TXT from=127.0.0.3' \
	-f 'refused views.test TXT from=::/0' \
	-f 'nxdomain views.test MX from=::ffff:127.0.0.3' || finish
CPORT=$(ready_port "$READY_LINE" control '127\.0\.0\.1')

# ------------------------------------------------------------ views

check "127.0.0.1 gets the common zones" common.test "$(caa_from 127.0.0.1)"
check "127.0.0.2 gets its own view (the most specific)" two.test "$(caa_from 127.0.0.2)"
check "127.0.0.3 gets the /31 view" wide.test "$(caa_from 127.0.0.3)"
check "::1 gets the IPv6 view" six.test "$(caa_from ::1 "$PORT6" "$HOST6")"
QHOST=$HOST4 ask dig views.test CAA -b 127.0.0.2 +tcp
expect rr ANSWER 'views.test. IN CAA 0 issue "two.test"'
# A second --view with the same CIDR adds a zone to that view.
ask dig extra.test CAA -b 127.0.0.2
expect rr ANSWER 'extra.test. IN CAA 0 issue "extra.test"'
ask dig extra.test CAA -b 127.0.0.1
expect rcode REFUSED
ask dig extra.test CAA -b 127.0.0.3
expect rcode REFUSED

# ------------------------------------------------------------ from=

ask dig views.test TXT -b 127.0.0.3
expect rcode SERVFAIL
ask dig views.test TXT -b 127.0.0.2
expect rcode NOERROR
ask dig views.test TXT -b 127.0.0.1
expect rcode NOERROR
QHOST=$HOST6 QPORT=$PORT6 ask dig views.test TXT -b ::1
expect rcode REFUSED
# An IPv4-mapped prefix is the IPv4 one: sources are IPv4 addresses.
ask dig views.test MX -b 127.0.0.3
expect rcode NXDOMAIN
ask dig views.test MX -b 127.0.0.2
expect rcode NOERROR
api GET /faults
check "GET /faults" 200 "$CODE"
check_match "GET /faults shows from=" '"rule":"servfail views.test TXT from=127.0.0.3"' "$BODY"
check_match "GET /faults shows an IPv6 prefix" '"rule":"refused views.test TXT from=::/0"' "$BODY"
api POST /faults '{"rule":"nxdomain views.test A from=127.0.0.0/31"}'
check "POST /faults with from=" 201 "$CODE"
check_match "the rule as given back" 'nxdomain views.test A from=127.0.0.0/31' "$BODY"
ask dig views.test A -b 127.0.0.1
expect rcode NXDOMAIN
ask dig views.test A -b 127.0.0.2
expect rcode NOERROR
api POST /faults '{"rule":"servfail . * from=127.0.0.0/33"}'
check "POST /faults with a bad prefix" 400 "$CODE"
check_match "the error names the field" 'from=: bad prefix length 33' "$BODY"
api POST /faults '{"rule":"servfail . * from=127.0.0.3/8"}'
check "POST /faults with host bits past the length" 400 "$CODE"
check_match "the error says so" "from=: host bits set in '127\\.0\\.0\\.3/8' \\(did you mean 127\\.0\\.0\\.0/8\\?\\)" "$BODY"

# ------------------------------------------------------------ query log

wait_log_lines "$tmp/queries.log" 10 || true
check_match "a client in a view: its line names it" \
	'"client":"127\.0\.0\.2:[0-9]+","view":"127\.0\.0\.2/32","transport"' "$(cat "$tmp/queries.log")"
check_match "the /31 view" '"client":"127\.0\.0\.3:[0-9]+","view":"127\.0\.0\.2/31"' "$(cat "$tmp/queries.log")"
check_match "IPv6" '"client":"\[::1\]:[0-9]+","view":"::1/128"' "$(cat "$tmp/queries.log")"
check_match "a client in no view: no view key" '"client":"127\.0\.0\.1:[0-9]+","transport"' "$(cat "$tmp/queries.log")"

# ------------------------------------------------------------ GET /queries?client=

api GET '/queries?client=127.0.0.3'
check "GET /queries?client=ADDR" 200 "$CODE"
n=$("$PY" -c 'import json,sys; q=json.load(sys.stdin); print(len(q), all(e["client"].startswith("127.0.0.3:") for e in q))' <<<"$BODY")
check "only 127.0.0.3's queries (CAA, extra.test, TXT, MX)" "4 True" "$n"
api GET '/queries?client=127.0.0.2/31&type=TXT'
n=$("$PY" -c 'import json,sys; q=json.load(sys.stdin); print(sorted(e["client"].split(":")[0] for e in q))' <<<"$BODY")
check "client=CIDR and type= together" "['127.0.0.2', '127.0.0.3']" "$n"
api GET '/queries?client=::1&name=views.test'
n=$("$PY" -c 'import json,sys; q=json.load(sys.stdin); print(len(q), {e["qtype"] for e in q} == {"CAA", "TXT"})' <<<"$BODY")
check "client=::1 and name=" "2 True" "$n"
api GET '/queries?client=::ffff:127.0.0.3'
n=$("$PY" -c 'import json,sys; q=json.load(sys.stdin); print(len(q), all(e["client"].startswith("127.0.0.3:") for e in q))' <<<"$BODY")
check "an IPv4-mapped client= is the IPv4 address" "200 4 True" "$CODE $n"
api GET '/queries?client=127.0.0.0/33'
check "client= with a bad prefix" 400 "$CODE"
check_match "the error names the field" 'client=: bad prefix length 33' "$BODY"
api GET '/queries?client=localhost'
check "client= with a host name" 400 "$CODE"
api GET '/queries?client=2001:db8:ffff::1/33'
check "client= with host bits set" 400 "$CODE"
check_match "the error names the field" "client=: host bits set in '2001:db8:ffff::1/33' \\(did you mean 2001:db8:8000::/33\\?\\)" "$BODY"

# ------------------------------------------------------------ reload and the API

api POST /records '{"rr":"api.views.test. 60 IN TXT \"edit\""}'
check "POST /records" 201 "$CODE"
for src in 127.0.0.1 127.0.0.2 127.0.0.3; do
	ask dig api.views.test TXT -b "$src"
	expect rr ANSWER 'api.views.test. IN TXT "edit"'
done
api POST /set-txt '{"host":"_acme-challenge.elsewhere.test.","value":"tok"}'
check "POST /set-txt" 200 "$CODE"
ask dig _acme-challenge.elsewhere.test TXT -b 127.0.0.2
expect rr ANSWER '_acme-challenge.elsewhere.test. IN TXT "tok"'
QHOST=$HOST6 QPORT=$PORT6 ask dig _acme-challenge.elsewhere.test TXT -b ::1
expect rr ANSWER '_acme-challenge.elsewhere.test. IN TXT "tok"'

zone "$tmp/two.zone" two-reloaded.test
kill -HUP "$RSP_PID"
for _ in $(seq 1 50); do
	[ "$(caa_from 127.0.0.2)" = two-reloaded.test ] && break
	sleep 0.1
done
check "SIGHUP reloads a view" two-reloaded.test "$(caa_from 127.0.0.2)"
check "the common zones stay" common.test "$(caa_from 127.0.0.1)"
ask dig api.views.test TXT -b 127.0.0.2
expect rr ANSWER 'api.views.test. IN TXT "edit"'

zone "$tmp/six.zone" six-reloaded.test
api POST /reload
check "POST /reload" 200 "$CODE"
check "POST /reload reloads a view" six-reloaded.test "$(caa_from ::1 "$PORT6" "$HOST6")"

echo 'broken CAA 999 issue "x"' >>"$tmp/wide.zone"
line=$(wc -l <"$tmp/wide.zone")
api POST /reload
check "POST /reload of a broken view file" 400 "$CODE"
check_match "names the view's file and line" "wide\\.zone:$line: bad CAA flags" "$BODY"
check "the old view still serves" wide.test "$(caa_from 127.0.0.3)"

api DELETE /records '{"name":"api.views.test"}'
check "DELETE /records" 200 "$CODE"
ask dig api.views.test TXT -b 127.0.0.2
expect rcode NXDOMAIN
# A record only a view holds: removed there, and the reply says so.
api DELETE /records '{"name":"extra.test","type":"CAA"}'
check "DELETE /records of a record only a view holds" 200 "$CODE"
ask dig extra.test CAA -b 127.0.0.2
expect count ANSWER 0
api DELETE /records '{"name":"extra.test","type":"CAA"}'
check "DELETE /records when no set holds it" 404 "$CODE"
stop_responder

# ------------------------------------------------------------ --dnssec

start_responder --dnssec "$tmp/common.zone" --view 127.0.0.2="$tmp/two.zone" || finish
ask dig views.test CAA -b 127.0.0.2 +dnssec
expect rr ANSWER 'views.test. IN CAA 0 issue "two-reloaded.test"'
check_match "a view is signed" 'RRSIG[[:space:]]+CAA 13 2 60' "$OUT"
ask dig views.test DNSKEY -b 127.0.0.2
view_key=$(out_section ANSWER)
ask dig views.test DNSKEY -b 127.0.0.1
check "one key per zone name, in a view too" "$(out_section ANSWER)" "$view_key"
check_match "the DNSKEY is there" 'DNSKEY 257 3 13' "$view_key"
stop_responder
# --trust-anchor-out: a zone only a view holds needs its anchor too; a zone
# in the common set and in a view (one key per name) is written once.
start_responder --dnssec --trust-anchor-out "$tmp/ta.ds" "$tmp/common.zone" \
	--view 127.0.0.2="$tmp/two.zone" --view 127.0.0.2="$tmp/extra.zone" || finish
check "trust anchors: the common zone's, once" 1 "$(grep -c '^views\.test\.[[:space:]].*DS' "$tmp/ta.ds")"
check "trust anchors: the zone only a view holds" 1 "$(grep -c '^extra\.test\.[[:space:]].*DS' "$tmp/ta.ds")"
stop_responder

# Views and no common zone: clients in a view are answered, the others
# get REFUSED, and the warning says which.
start_responder --view 127.0.0.2="$tmp/two.zone" || finish
check "only a view's zones: its clients are answered" two-reloaded.test "$(caa_from 127.0.0.2)"
ask dig views.test CAA -b 127.0.0.1
expect rcode REFUSED
check_match "the warning names the clients in no view" \
	'no common zone files: clients in no view \(--view\) get REFUSED' "$(cat "$tmp/err")"
stop_responder

# ------------------------------------------------------------ misuse

for bad in '127.0.0.2' '127.0.0.0/33=x.zone' 'host=x.zone'; do
	LAST_CMD="caa-responder --view $bad"
	err=$("$RESPONDER" -l 127.0.0.1:0 --view "$bad" 2>&1 >/dev/null)
	check "--view $bad: exit status" 64 "$?"
	check_match "--view $bad: the message" "bad value '$bad' for --view" "$err"
done
LAST_CMD="caa-responder --view 127.0.0.2=missing.zone"
err=$(timeout 20 "$RESPONDER" -l 127.0.0.1:0 --view 127.0.0.2="$tmp/missing.zone" 2>&1 >/dev/null)
check "a view file that cannot be read: exit status" 1 "$?"
check_match "names the file" 'missing\.zone' "$err"

finish
