#!/usr/bin/env bash
# tests/e2e/api.sh -- the HTTP management API (-c): faults and records
# changed at run time and seen on the wire, the query history, the
# pebble-challtestsrv endpoints, bad input (400, 413) changing nothing, the
# token, and the refusal to listen beyond loopback without one.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" "${1:-}"

if ! command -v curl >/dev/null; then
	echo "api: curl is needed (apt-get install curl)" >&2
	exit 2
fi

CPORT=""
TOKEN_HEADER=()

# start_api ARGS...: start_responder with -c 127.0.0.1:0 and ARGS; the
# API's port from the ready line goes to CPORT.
start_api() {
	start_responder -c 127.0.0.1:0 "$@" || return 1
	CPORT=$(ready_port "$READY_LINE" control '127\.0\.0\.1')
	check_match "ready line ends with the API address" \
		' control=127\.0\.0\.1:[0-9]+$' "$READY_LINE"
	[ -n "$CPORT" ]
}

# api METHOD PATH [BODY|@FILE]: status in $CODE, body in $BODY.
api() {
	local data=() shown=${3:-}
	if [ $# -ge 3 ]; then
		data=(--data-binary "$3" -H 'Content-Type: application/json')
	fi
	LAST_CMD="curl -X $1 http://127.0.0.1:$CPORT$2 ${shown:0:200}"
	CODE=$(timeout 30 curl -sS -o "$tmp/body" -w '%{http_code}' -X "$1" \
		"${TOKEN_HEADER[@]}" "${data[@]}" "http://127.0.0.1:$CPORT$2" 2>"$tmp/curl.err")
	BODY=$(cat "$tmp/body" 2>/dev/null)
	OUT="HTTP $CODE $BODY $(cat "$tmp/curl.err")"
}

# expect_api WHAT CODE [ERE]: the last api call had status CODE (and a body
# that matches ERE).
expect_api() {
	check "$1: status" "$2" "$CODE"
	if [ $# -ge 3 ]; then
		check_match "$1: body" "$3" "$BODY"
	fi
}

# json EXPR [ARG...]: evaluate the Python expression EXPR with j = the
# last body (ARGs in sys.argv[3:]).
json() {
	"$PY" -c 'import json, sys; j = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' \
		"$BODY" "$@" 2>&1
}

# -------------------------------------------------------- faults and records

start_api -v "${ZONE_FILES[@]}" || finish

api GET /health
expect_api "GET /health" 200 '^\{"status":"ok"\}$'
# HEAD: GET's headers and length, and nothing after them (read to the
# end by hand: curl never reads a body after HEAD).
for p in /health /queries; do
	LAST_CMD="HEAD $p over /dev/tcp"
	OUT=$(timeout 10 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" &&
		printf "HEAD %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" "$2" >&3 &&
		cat <&3' _ "$CPORT" "$p" | tr -d '\r')
	check_match "HEAD $p: a 200" '^HTTP/1\.1 200 ' "$OUT"
	check_match "HEAD $p: GET's length" '^Content-Length: [1-9]' "$OUT"
	check "HEAD $p: no body after the headers" "" "$(sed '1,/^$/d' <<<"$OUT")"
done

ask dig caa.test CAA
expect rcode NOERROR
expect rr ANSWER 'caa.test. IN CAA 0 issue "letsencrypt.org"'

api POST /faults '{"rule":"servfail caa.test CAA"}'
expect_api "POST /faults" 201 '^\{"id":[0-9]+,"rule":"servfail caa.test CAA"\}$'
id=$(json 'j["id"]')
ask dig caa.test CAA
expect rcode SERVFAIL
expect count ANSWER 0
ask dig caa.test SOA
expect rcode NOERROR
api GET /faults
expect_api "GET /faults" 200
check "the rule is listed" "servfail caa.test CAA api 1 1" \
	"$(json '" ".join(str(x) for r in j if r["id"] == '"$id"' for x in (r["rule"], r["origin"], r["seen"], r["fired"]))')"
api DELETE "/faults/$id"
expect_api "DELETE /faults/ID" 200
api DELETE "/faults/$id"
expect_api "DELETE /faults/ID again" 404
ask dig caa.test CAA
expect rcode NOERROR
expect rr ANSWER 'caa.test. IN CAA 0 issue "letsencrypt.org"'

api POST /records '{"rr":"added.caa.test. 60 IN CAA 0 issue \"ca.test\""}'
expect_api "POST /records" 201
ask dig added.caa.test CAA
expect rcode NOERROR
expect flag aa
expect rr ANSWER 'added.caa.test. IN CAA 0 issue "ca.test"'
api DELETE /records '{"rr":"added.caa.test. 60 IN CAA 0 issue \"ca.test\""}'
expect_api "DELETE /records rr" 200
ask dig added.caa.test CAA
expect rcode NXDOMAIN
api DELETE /records '{"name":"added.caa.test","type":"CAA"}'
expect_api "DELETE /records of nothing" 404
api DELETE /records '{"name":"caa.test","type":"TYPE65537"}'
expect_api "DELETE /records with TYPE65537" 400 '"error"'
api POST /records '{"rr":"added.caa.test. 60 IN CAA 0 issue \"two.test\""}'
api DELETE /records '{"name":"Added.caa.test.","type":"CAA"}'
expect_api "DELETE /records name and type" 200
ask dig added.caa.test CAA
expect rcode NXDOMAIN

# ------------------------------------------------------------ query history

api GET '/queries?name=CAA.test&type=caa'
expect_api "GET /queries" 200
check "the caa.test CAA queries, in order" "NOERROR SERVFAIL NOERROR" \
	"$(json '" ".join(e["rcode"] for e in j)')"
check "the fault that fired is named" "servfail caa.test CAA" "$(json 'j[1]["fault"]')"
check "entries have the query log fields" \
	"aa,answers,client,delay_ms,dropped,fault,id,qname,qtype,rcode,tc,transport,ts" \
	"$(json '",".join(sorted(j[0]))')"
api GET '/queries?name=added.caa.test.'
check "filtered by name" "3" "$(json 'len(j)')"
api GET '/queries?name=caa.test&type=257'
check "type by number" "3" "$(json 'len(j)')"
api GET '/queries?type=BOGUS'
expect_api "GET /queries with a bad type" 400 '"error"'
api GET '/queries?type=65536'
expect_api "GET /queries with a type out of range" 400 '"error"'
api GET '/queries?type=TYPE65536'
expect_api "GET /queries with TYPE65536" 400 '"error"'
api DELETE /queries
expect_api "DELETE /queries" 200 '"removed":[1-9]'
api GET /queries
expect_api "GET /queries after DELETE" 200 '^\[\]$'

# ------------------------------------------------------- bad input, 413

api GET /faults
before=$BODY
for body in '{' '[1]' '{"rule":1}' '{"rule":"servfial . *"}' '{"rule":"drop . *","x":1}' \
	'{"rule":"a","rule":"drop . *"}'; do
	api POST /faults "$body"
	expect_api "POST /faults $body" 400 '^\{"error":".+"\}$'
done
api POST /records '{"rr":"x.caa.test. 60 IN CAA 0 issue"}'
expect_api "POST /records, a bad record" 400 'without a value'
api GET /faults
check "bad input changed no rule" "$before" "$BODY"
ask dig x.caa.test CAA
expect rcode NXDOMAIN

# RDATA that the answers read names or fields from must be what its type
# says, in whatever form it comes: generic RDATA (RFC 3597) of three 0xff
# octets as a CNAME's target once overran a stack buffer on the next query.
while IFS='|' read -r rr why; do
	api POST /records "{\"rr\":\"$rr\"}"
	expect_api "POST /records $rr" 400 "$why"
done <<'CASES'
crash.test. 60 IN CNAME \\# 3 ffffff|CNAME RDATA: no name at octet 0
crash.test. 60 IN DNAME \\# 3 ffffff|DNAME RDATA: no name at octet 0
crash.caa.test. 60 IN CNAME \\# 3 ffffff|CNAME RDATA: no name at octet 0
crash.caa.test. 60 IN DNAME \\# 3 02c000|DNAME RDATA: no name at octet 0
crash.caa.test. 60 IN NS \\# 0|NS RDATA: no name at octet 0
crash.caa.test. 60 IN MX \\# 4 000a0000|MX RDATA: 1 octet after the last name
crash.caa.test. 60 IN SRV \\# 5 0000000000|SRV RDATA of 5 octets
crash.caa.test. 60 IN PTR \\# 2 0100|PTR RDATA: no name at octet 0
crash.caa.test. 60 IN A \\# 3 c00002|A RDATA of 3 octets
crash.caa.test. 60 IN AAAA \\# 4 c0000201|AAAA RDATA of 4 octets
crash.caa.test. 60 IN TYPE65537 \\# 4 c0000201|unknown record type 'TYPE65537'
crash.caa.test. 60 IN TYPE65537 192.0.2.1|unknown record type 'TYPE65537'
CASES
ask dig crash.test CNAME
expect rcode NXDOMAIN
ask dig crash.test A
expect rcode NXDOMAIN
ask dig x.crash.test A
expect rcode NXDOMAIN
ask dig crash.caa.test CNAME
expect rcode NXDOMAIN
ask dig crash.caa.test A
expect rcode NXDOMAIN
ask dig caa.test SOA
expect rcode NOERROR
# Broken CAA is served on purpose, and so is any RDATA of other types.
api POST /records '{"rr":"broken.caa.test. 60 IN CAA \\# 2 0005"}'
expect_api "POST /records, broken CAA in generic form" 201
api POST /records '{"rr":"broken.caa.test. 60 IN TYPE65280 \\# 3 ffffff"}'
expect_api "POST /records, an unknown type" 201
raw ask "$HOST4" "$PORT4" broken.caa.test CAA
expect kv rcode NOERROR
expect kvhas answer "broken.caa.test. CAA 0005"
api DELETE /records '{"name":"broken.caa.test"}'
expect_api "DELETE /records of the broken CAA" 200

head -c 10485760 /dev/zero | tr '\0' ' ' >"$tmp/big.json"
api POST /faults "@$tmp/big.json"
expect_api "a 10 MB body" 413
api POST /records "@$tmp/big.json"
expect_api "a 10 MB body, records" 413
api GET /faults
check "the 10 MB body changed nothing" "$before" "$BODY"
api GET /nope
expect_api "unknown path" 404
api PUT /faults
expect_api "wrong method" 405

# --------------------------------------------- reload keeps the API's records

api POST /add-a '{"host":"kept.caa.test","addresses":["192.0.2.44"]}'
kill -HUP "$RSP_PID"
until_stderr 50 'reloaded:'
check "SIGHUP reloads" 0 "$?"
ask dig kept.caa.test A
expect rr ANSWER 'kept.caa.test. IN A 192.0.2.44'
api POST /reload
expect_api "POST /reload" 200 '"zones":[0-9]+'
ask dig kept.caa.test A
expect rr ANSWER 'kept.caa.test. IN A 192.0.2.44'

# ------------------------------------------------------ pebble-challtestsrv

# No zone files: names anywhere, as challtestsrv answers them.
start_api || finish

api POST /add-a '{"host":"web.example.com","addresses":["10.0.0.1"]}'
expect_api "/add-a" 200 '^$'
api POST /add-a '{"host":"web.example.com.","addresses":["10.0.0.2"]}'
ask dig web.example.com A
expect rcode NOERROR
expect flag aa
expect rr ANSWER 'web.example.com. IN A 10.0.0.1'
expect rr ANSWER 'web.example.com. IN A 10.0.0.2'
api POST /add-aaaa '{"host":"web.example.com","addresses":["2001:db8::1"]}'
ask dig web.example.com AAAA
expect rr ANSWER 'web.example.com. IN AAAA 2001:db8::1'

api POST /set-txt '{"host":"_acme-challenge.web.example.com","value":"token-one"}'
expect_api "/set-txt" 200
api POST /set-txt '{"host":"_acme-challenge.web.example.com","value":"token-two"}'
ask dig _acme-challenge.web.example.com TXT
expect rcode NOERROR
expect rr ANSWER '_acme-challenge.web.example.com. IN TXT "token-one"'
expect rr ANSWER '_acme-challenge.web.example.com. IN TXT "token-two"'

api POST /add-caa '{"host":"web.example.com","policies":[{"tag":"issue","value":"ca.test"}]}'
expect_api "/add-caa" 200
ask dig web.example.com CAA
expect rr ANSWER 'web.example.com. IN CAA 0 issue "ca.test"'

# caalab's "flags" per policy (0-255, default 0); a bad one is refused
# and adds nothing.
api POST /add-caa '{"host":"flags.example.com","policies":[{"tag":"issue","value":"ca.test","flags":128},{"Tag":"iodef","Value":"mailto:x@ca.test","FLAGS":1},{"tag":"issuewild","value":";","flags":null}]}'
expect_api "/add-caa with flags" 200 '^$'
ask dig flags.example.com CAA
expect rr ANSWER 'flags.example.com. IN CAA 128 issue "ca.test"'
expect rr ANSWER 'flags.example.com. IN CAA 1 iodef "mailto:x@ca.test"'
expect rr ANSWER 'flags.example.com. IN CAA 0 issuewild ";"'
for f in 256 -1 '"128"' 1.5 true; do
	api POST /add-caa '{"host":"badflags.example.com","policies":[{"tag":"issue","value":"ca.test"},{"tag":"issue","value":"ca.test","flags":'"$f"'}]}'
	expect_api "/add-caa with flags $f" 400 "'flags' of policy 2 must be an integer from 0 to 255"
done
ask dig badflags.example.com CAA
expect count ANSWER 0

# Unknown keys: ignored by challtestsrv's endpoints (Go's encoding/json),
# refused by caalab's own.
api POST /add-a '{"host":"keys.example.com","addresses":["10.0.0.9"],"ttl":60,"extra":{"a":[1,null]}}'
expect_api "/add-a with unknown keys" 200 '^$'
api POST /add-caa '{"host":"keys.example.com","policies":[{"tag":"issue","value":"ca.test","critical":true}],"note":"x"}'
expect_api "/add-caa with unknown keys" 200 '^$'
api POST /set-txt '{"host":"keys.example.com","value":"v","Ttl":0}'
expect_api "/set-txt with unknown keys" 200 '^$'
api POST /set-cname '{"host":"alias.example.com","target":"keys.example.com","x":[]}'
expect_api "/set-cname with unknown keys" 200 '^$'
api POST /set-servfail '{"host":"sf.example.com","why":"test"}'
expect_api "/set-servfail with unknown keys" 200 '^$'
api POST /clear-servfail '{"host":"sf.example.com","why":"test"}'
api POST /set-default-ipv6 '{"ip":"","x":1}'
expect_api "/set-default-ipv6 with unknown keys" 200 '^$'
api POST /dns-request-history '{"host":"keys.example.com","x":1}'
expect_api "/dns-request-history with unknown keys" 200
api POST /clear-request-history '{"host":"keys.example.com","type":"dns","x":1}'
expect_api "/clear-request-history with unknown keys" 200
for t in a caa txt cname; do
	api POST "/clear-$t" '{"host":"keys.example.com","x":1}'
	expect_api "/clear-$t with unknown keys" 200
done
ask dig keys.example.com A
expect count ANSWER 0
# Whatever an unknown key holds, as long as it is JSON: numbers past
# 64 bits, lone surrogates.  Invalid UTF-8 in a string becomes U+FFFD,
# as Go decodes it.
api POST /add-a '{"host":"big.example.com","addresses":["10.0.0.10"],"n":1e400,"m":-123456789012345678901234567890,"s":"\ud800","t":["\udc00x",1E+999]}'
expect_api "/add-a with unknown keys jansson cannot hold" 200 '^$'
ask dig big.example.com A
expect rr ANSWER 'big.example.com. IN A 10.0.0.10'
printf '{"host":"utf8.example.com","value":"a\377b\\ud800c"}' >"$tmp/utf8.json"
api POST /set-txt "@$tmp/utf8.json"
expect_api "/set-txt with invalid UTF-8" 200 '^$'
ask dig utf8.example.com TXT
expect rr ANSWER 'utf8.example.com. IN TXT "a\239\191\189b\239\191\189c"'
api POST /add-a '{"host":"nul.example.com","addresses":["10.0.0.11"],"n":"a\u0000b"}'
expect_api "/add-a with NUL in an unknown key" 200 '^$'
api POST /add-a '{"host":"nul.example.com\u0000x","addresses":["10.0.0.12"]}'
expect_api "/add-a with NUL in host" 400 "'host' must not contain NUL"
api POST /add-a '{"host":"nul.example.com","addresses":["10.0.0.13\u0000x"]}'
expect_api "/add-a with NUL in an address" 400 'bad IPv4 address'
ask dig nul.example.com A
expect rr ANSWER 'nul.example.com. IN A 10.0.0.11'
expect count ANSWER 1
api POST /add-a '{"host":1e400,"addresses":["10.0.0.10"]}'
expect_api "/add-a with a number too large for host" 400 "'host' must be a string"
api POST /add-a '{"host":"big.example.com","addresses":["10.0.0.10"],"n":1e400'
expect_api "/add-a, cut JSON" 400 'invalid JSON'
api POST /records '{"rr":"big.example.com. 60 IN A 10.0.0.10","n":1e400}'
expect_api "/records: jansson's limits stay" 400 'invalid JSON'
api POST /faults '{"rule":"drop keys.example.com *","x":1}'
expect_api "/faults with an unknown key" 400 "unknown key 'x'"
api POST /records '{"rr":"keys.example.com. 60 IN A 10.0.0.9","x":1}'
expect_api "/records with an unknown key" 400 "unknown key 'x'"
ask dig keys.example.com A
expect count ANSWER 0

api POST /set-cname '{"host":"www.example.com","target":"web.example.com"}'
expect_api "/set-cname" 200
ask dig www.example.com A
expect rr ANSWER 'www.example.com. IN CNAME web.example.com.'
expect rr ANSWER 'web.example.com. IN A 10.0.0.1'

api POST /set-servfail '{"host":"web.example.com"}'
expect_api "/set-servfail" 200
ask dig web.example.com A
expect rcode SERVFAIL
ask dig web.example.com TXT
expect rcode SERVFAIL
api POST /clear-servfail '{"host":"web.example.com"}'
expect_api "/clear-servfail" 200
ask dig web.example.com A
expect rcode NOERROR
expect rr ANSWER 'web.example.com. IN A 10.0.0.1'

for t in a aaaa caa cname; do
	api POST "/clear-$t" '{"host":"web.example.com"}'
	expect_api "/clear-$t" 200
done
api POST /clear-cname '{"host":"www.example.com"}'
ask dig web.example.com A
expect count ANSWER 0
api POST /clear-txt '{"host":"_acme-challenge.web.example.com"}'
expect_api "/clear-txt" 200
ask dig _acme-challenge.web.example.com TXT
expect count ANSWER 0

name="random-$RANDOM$RANDOM.example.net"
api POST /set-default-ipv4 '{"ip":"192.0.2.99"}'
expect_api "/set-default-ipv4" 200
ask dig "$name" A
expect rcode NOERROR
expect rr ANSWER "$name. IN A 192.0.2.99"
api POST /set-default-ipv6 '{"ip":"2001:db8::99"}'
ask dig "$name" AAAA
expect rr ANSWER "$name. IN AAAA 2001:db8::99"
api POST /set-default-ipv4 '{"ip":""}'
ask dig "$name" A
expect count ANSWER 0

api POST /dns-request-history "{\"host\":\"$name\"}"
expect_api "/dns-request-history" 200
check "challtestsrv's history shape" "1 1 1 28 1" \
	"$(json '" ".join(str(x) for x in (int(all(list(e) == ["Question"] and list(e["Question"]) == ["Name", "Qtype", "Qclass"] for e in j)), int(all(e["Question"]["Name"] == sys.argv[3] + "." for e in j)), j[0]["Question"]["Qtype"], j[1]["Question"]["Qtype"], j[0]["Question"]["Qclass"]))' "$name")"
check_match "indented as Go's MarshalIndent" '^\[$' "$(head -n1 "$tmp/body")"
api POST /clear-request-history "{\"host\":\"$name\",\"type\":\"dns\"}"
expect_api "/clear-request-history" 200
api POST /dns-request-history "{\"host\":\"$name\"}"
expect_api "/dns-request-history after clearing" 200 '^\[\]$'

api POST /add-a '{"host":"bad.example.com","addresses":["999.1.1.1"]}'
expect_api "/add-a, a bad address" 400
api POST /set-txt 'not json'
expect_api "/set-txt, not JSON" 400
ask dig bad.example.com A
expect count ANSWER 0

# ------------------------------------------------------------------ token

start_responder -c 127.0.0.1:0 --control-token 's3cret t0ken' "${ZONE_FILES[@]}" || finish
CPORT=$(ready_port "$READY_LINE" control '127\.0\.0\.1')
api GET /health
expect_api "no token" 401
TOKEN_HEADER=(-H 'Authorization: Bearer wrong')
api GET /health
expect_api "a wrong token" 401
TOKEN_HEADER=(-H 'Authorization: Bearer s3cret t0ken')
api GET /health
expect_api "the token" 200
api POST /faults '{"rule":"drop . *"}'
expect_api "a change with the token" 201
TOKEN_HEADER=()
stop_responder

# ------------------------------------------- not beyond loopback without one

LAST_CMD="caa-responder -c 0.0.0.0:0"
OUT=$(timeout 10 "$RESPONDER" -l 127.0.0.1:0 -c 0.0.0.0:0 2>&1 </dev/null)
check "a non-loopback API without a token: exit 64" 64 "$?"
check_match "and says why" 'non-loopback.*--control-token' "$OUT"
OUT=$(timeout 10 "$RESPONDER" -l 127.0.0.1:0 -c '[::]:0' 2>&1 </dev/null)
check "[::] without a token: exit 64" 64 "$?"
OUT=$(timeout 10 "$RESPONDER" -l 127.0.0.1:0 --control-token x 2>&1 </dev/null)
check "a token without -c: exit 64" 64 "$?"

finish
