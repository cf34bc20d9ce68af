#!/usr/bin/env bash
# tests/e2e/http01.sh -- the HTTP-01 server (--http01) and challtestsrv's
# endpoints for it on the management API (-c): key authorizations served,
# 404 for the rest, redirects, deletes, the request history in
# challtestsrv's shape, bad bodies refused with 400, the bad values of
# --http01, and the server off unless asked for.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" "${1:-}"

if ! command -v curl >/dev/null; then
	echo "http01: curl is needed (apt-get install curl)" >&2
	exit 2
fi

CPORT="" HPORT="" HPORT6=""
PREFIX=/.well-known/acme-challenge

# api PATH [BODY|@FILE]: POST to the management API; status in $CODE,
# body in $BODY.
api() {
	local data=() shown=${2:-}
	if [ $# -ge 2 ]; then
		data=(--data-binary "$2" -H 'Content-Type: application/json')
	fi
	LAST_CMD="curl -X POST http://127.0.0.1:$CPORT$1 ${shown:0:200}"
	require_responder || return 0
	CODE=$(timeout 30 curl -sS -o "$tmp/body" -w '%{http_code}' -X POST \
		"${data[@]}" "http://127.0.0.1:$CPORT$1" 2>"$tmp/curl.err")
	BODY=$(cat "$tmp/body" 2>/dev/null)
	OUT="HTTP $CODE $BODY $(cat "$tmp/curl.err")"
}

# get PATH [CURL-ARGS...]: a request to the HTTP-01 server (127.0.0.1, or
# HHOST and HP); status in $CODE, body in $BODY, headers in $HEADERS
# (lower-case names, no CR).
get() {
	local path=$1 host=${HHOST:-127.0.0.1} port=${HP:-$HPORT}
	shift
	LAST_CMD="curl http://$host:$port$path $*"
	require_responder || return 0
	CODE=$(timeout 30 curl -sS -g -o "$tmp/body" -D "$tmp/headers" \
		-w '%{http_code}' -A 'caalab-test/1' "$@" \
		"http://$host:$port$path" 2>"$tmp/curl.err")
	BODY=$(cat "$tmp/body" 2>/dev/null)
	HEADERS=$(tr -d '\r' <"$tmp/headers" | sed 's/^\([^:]*\):/\L\1:/')
	OUT="HTTP $CODE $BODY | $HEADERS $(cat "$tmp/curl.err")"
}

# header NAME: the value of that header of the last get.
header() {
	sed -n "s/^$1: //p" <<<"$HEADERS" | head -n1
}

expect_code() {
	check "$1: status" "$2" "$CODE"
	if [ $# -ge 3 ]; then
		check_match "$1: body" "$3" "$BODY"
	fi
}

# json EXPR [ARG...]: the Python expression EXPR with j = the last body.
json() {
	"$PY" -c 'import json, sys; j = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' \
		"$BODY" "$@" 2>&1
}

# ------------------------------------------------------- off by default

start_responder -c 127.0.0.1:0 "${ZONE_FILES[@]}" || finish
CPORT=$(ready_port "$READY_LINE" control '127\.0\.0\.1')
check "without --http01 the ready line names no http01=" "" \
	"$(tr ' ' '\n' <<<"$READY_LINE" | grep '^http01=')"
api /add-http01 '{"token":"t","content":"t.k"}'
expect_code "/add-http01 without --http01" 404 \
	'"/add-http01 needs the HTTP-01 server \(--http01 ADDR:PORT\)"'
for p in /del-http01 /add-redirect /del-redirect; do
	api "$p" '{"token":"t","path":"/p","targetURL":"http://x.test/"}'
	expect_code "$p without --http01" 404 'needs the HTTP-01 server'
done
api /http-request-history '{"host":"a.example.test"}'
expect_code "/http-request-history without --http01" 200 '^\[\]$'
api /clear-request-history '{"host":"a.example.test","type":"http"}'
expect_code "/clear-request-history http without --http01" 200 '^$'
stop_responder

# ------------------------------------------------------ tokens served

start_responder -c 127.0.0.1:0 --http01 127.0.0.1:0 --http01 '[::1]:0' \
	"${ZONE_FILES[@]}" || finish
CPORT=$(ready_port "$READY_LINE" control '127\.0\.0\.1')
HPORT=$(ready_port "$READY_LINE" http01 '127\.0\.0\.1')
HPORT6=$(ready_port "$READY_LINE" http01 '\[::1\]')
check_match "the ready line ends with the HTTP-01 addresses" \
	' control=127\.0\.0\.1:[0-9]+ http01=127\.0\.0\.1:[0-9]+ http01=\[::1\]:[0-9]+$' \
	"$READY_LINE"

api /add-http01 '{"token":"tok1","content":"tok1.thumbprint"}'
expect_code "/add-http01" 200 '^$'
get "$PREFIX/tok1" -H "Host: s1.example.test:$HPORT"
expect_code "GET a token" 200 '^tok1\.thumbprint$'
check "the key authorization as text/plain" "text/plain; charset=utf-8" \
	"$(header content-type)"
check "the connection closed after the reply" close "$(header connection)"
HHOST='[::1]' HP=$HPORT6 get "$PREFIX/tok1"
expect_code "GET a token over IPv6" 200 '^tok1\.thumbprint$'
get "$PREFIX/tok%31" -H "Host: s1.example.test"
expect_code "GET a token, percent-encoded" 200 '^tok1\.thumbprint$'
get "$PREFIX/tok1" -X PATCH -H "Host: s1.example.test"
expect_code "any method, as challtestsrv" 200 '^tok1\.thumbprint$'
get "$PREFIX/tok1" -I
expect_code "HEAD" 200
check "HEAD: the length GET would have" 15 "$(header content-length)"
# curl never reads a body after HEAD: ask by hand, and read to the end.
LAST_CMD="HEAD $PREFIX/tok1 over /dev/tcp"
OUT=$(timeout 10 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" &&
	printf "HEAD %s HTTP/1.1\r\nHost: s3.example.test\r\n\r\n" "$2" >&3 &&
	cat <&3' _ "$HPORT" "$PREFIX/tok1" | tr -d '\r')
check_match "HEAD: a 200" '^HTTP/1\.1 200 ' "$OUT"
check "HEAD: no body after the headers" "" "$(sed '1,/^$/d' <<<"$OUT")"

get "$PREFIX/unknown" -H "Host: s1.example.test"
expect_code "an unknown token" 404 '^404 page not found$'
get "$PREFIX/" -H "Host: s1.example.test"
expect_code "the prefix alone" 404
get /tok1
expect_code "a token outside the prefix" 404
get "$PREFIX/tok1%00" -H "Host: s1.example.test"
expect_code "a token and %00" 404

api /add-http01 '{"token":"tok1","content":"tok1.other"}'
expect_code "/add-http01 again" 200
get "$PREFIX/tok1" -H "Host: s1.example.test"
expect_code "the token's new content" 200 '^tok1\.other$'
# Keys as Go's decoder reads them: any letter case, unknown ones ignored.
api /add-http01 '{"TOKEN":"tok2","Content":"tok2.k","ttl":5,"x":{"y":[1e400]}}'
expect_code "/add-http01, keys in other cases and unknown keys" 200 '^$'
get "$PREFIX/tok2" -H "Host: s2.example.test"
expect_code "that token" 200 '^tok2\.k$'
get "$PREFIX/tok2" --request-target "http://abs.example.test:81$PREFIX/tok2"
expect_code "an absolute request target" 200 '^tok2\.k$'

# ------------------------------------------------------------ redirects

target='https://other.example.test:5003/x?a=1&b=<2>'
api /add-redirect "{\"path\":\"$PREFIX/tok1\",\"targetURL\":\"$target\"}"
expect_code "/add-redirect" 200 '^$'
get "$PREFIX/tok1" -H "Host: s1.example.test"
expect_code "a redirect, before the token" 302
check "Location" "$target" "$(header location)"
check "Go's redirect body" \
	'<a href="https://other.example.test:5003/x?a=1&amp;b=&lt;2&gt;">Found</a>.' \
	"$BODY"
check "as text/html" "text/html; charset=utf-8" "$(header content-type)"
get "$PREFIX/tok1" -X POST -d x
expect_code "a redirect for POST" 302 '^$'
check "Location for POST" "$target" "$(header location)"
api /add-redirect '{"path":"/elsewhere","targetURL":"/relative/path"}'
get /elsewhere
expect_code "a redirect of any path" 302
check "a relative target as given" /relative/path "$(header location)"
api /del-redirect "{\"path\":\"$PREFIX/tok1\"}"
expect_code "/del-redirect" 200 '^$'
get "$PREFIX/tok1" -H "Host: s1.example.test"
expect_code "the token again once the redirect is gone" 200 '^tok1\.other$'
api /del-redirect "{\"path\":\"$PREFIX/tok1\"}"
expect_code "/del-redirect of nothing" 200 '^$'

# -------------------------------------------------------------- deletes

api /del-http01 '{"token":"tok1"}'
expect_code "/del-http01" 200 '^$'
get "$PREFIX/tok1" -H "Host: s1.example.test"
expect_code "a deleted token" 404
api /del-http01 '{"token":"tok1"}'
expect_code "/del-http01 of nothing" 200 '^$'
get "$PREFIX/tok2"
expect_code "the other token stays" 200 '^tok2\.k$'

# -------------------------------------------------------------- history

api /http-request-history '{"host":"s1.example.test"}'
expect_code "/http-request-history" 200
check "challtestsrv's history shape" \
	"URL,Host,HTTPS,ServerName,UserAgent False  caalab-test/1" \
	"$(json '",".join(j[0]) + " " + str(j[0]["HTTPS"]) + " " + j[0]["ServerName"] + " " + j[0]["UserAgent"]')"
check_match "indented as Go's MarshalIndent" '^\[$' "$(head -n1 "$tmp/body")"
check "every request sent to s1.example.test, in order" \
	"/.well-known/acme-challenge/tok1 /.well-known/acme-challenge/tok%31 /.well-known/acme-challenge/tok1 /.well-known/acme-challenge/unknown /.well-known/acme-challenge/ /.well-known/acme-challenge/tok1%00 /.well-known/acme-challenge/tok1 /.well-known/acme-challenge/tok1 /.well-known/acme-challenge/tok1 /.well-known/acme-challenge/tok1" \
	"$(json '" ".join(e["URL"] for e in j)')"
check "Host as sent, port and all" "s1.example.test:$HPORT" "$(json 'j[0]["Host"]')"
api /http-request-history '{"host":"S1.Example.Test."}'
check "host without regard to case and final dot" 10 "$(json 'len(j)')"
api /http-request-history '{"host":"::1"}'
check "[::1]:PORT is ::1" 1 "$(json 'len(j)')"
check "its Host" "[::1]:$HPORT6" "$(json 'j[0]["Host"]')"
api /http-request-history '{"host":"abs.example.test"}'
check "an absolute target: its host, and the target as sent" \
	"abs.example.test:81 http://abs.example.test:81$PREFIX/tok2" \
	"$(json 'j[0]["Host"] + " " + j[0]["URL"]')"
api /http-request-history '{"host":"nowhere.example.test"}'
expect_code "no requests" 200 '^\[\]$'
api /clear-request-history '{"host":"s1.example.test","type":"http"}'
expect_code "/clear-request-history http" 200 '^$'
api /http-request-history '{"host":"s1.example.test"}'
expect_code "the history once cleared" 200 '^\[\]$'
api /http-request-history '{"host":"s2.example.test"}'
check "another host's history stays" 1 "$(json 'len(j)')"

# ------------------------------------------------------------ bad bodies

api /add-http01 'not json'
expect_code "/add-http01, not JSON" 400 'invalid JSON'
api /add-http01 '{"token":"","content":"x"}'
expect_code "/add-http01, empty token" 400 'token parameter must not be empty'
api /add-http01 '{"token":"tok3"}'
expect_code "/add-http01 without content" 400 'content parameter must not be empty'
api /add-http01 '{"token":3,"content":"x"}'
expect_code "/add-http01, a number for token" 400 "'token' must be a string"
api /add-http01 '{"token":"tok3\u0000x","content":"x"}'
expect_code "/add-http01, NUL in the token" 400 "'token' must not contain NUL"
long=$(printf 'a%.0s' $(seq 1 1025))
api /add-http01 "{\"token\":\"$long\",\"content\":\"x\"}"
expect_code "/add-http01, a token over 1024 octets" 400 "'token' over 1024 octets or 'content' over 4096"
api /add-http01 '["token","content"]'
expect_code "/add-http01, not an object" 400 'must be a JSON object'
api /add-http01
expect_code "/add-http01, no body" 400 'expected a JSON body'
api /del-http01 '{}'
expect_code "/del-http01 without token" 400 'token parameter must not be empty'
api /add-redirect '{"path":"/p"}'
expect_code "/add-redirect without targetURL" 400 'targetURL parameter must not be empty'
api /add-redirect '{"targetURL":"http://x.test/"}'
expect_code "/add-redirect without path" 400 'path parameter must not be empty'
api /add-redirect '{"path":"/p","targetURL":"http://x.test/\r\nSet-Cookie: a=b"}'
expect_code "/add-redirect, CR LF in targetURL" 400 'control characters'
get /p
expect_code "nothing added by a refused redirect" 404
api /del-redirect '{"path":1}'
expect_code "/del-redirect, a number for path" 400 "'path' must be a string"
api /http-request-history '{}'
expect_code "/http-request-history without host" 400 'host parameter must not be empty'
api /clear-request-history '{"type":"http"}'
expect_code "/clear-request-history without host" 400 'host parameter must not be empty'
api /clear-request-history '{"host":"s2.example.test","type":"ftp"}'
expect_code "/clear-request-history, an unknown type" 400 '\\"ftp\\" event type unknown'
get "$PREFIX/tok3"
expect_code "nothing added by a refused body" 404

# ------------------------------------------------------ bad --http01

for bad in 127.0.0.1 'nonsense:x' '[::1]' '127.0.0.1:65536'; do
	LAST_CMD="caa-responder --http01 $bad"
	OUT=$(timeout 10 "$RESPONDER" -l 127.0.0.1:0 --http01 "$bad" 2>&1 </dev/null)
	check "--http01 $bad: exit 64" 64 "$?"
	check_match "--http01 $bad: says why" "bad value '.*' for --http01" "$OUT"
done
LAST_CMD="caa-responder --http01 127.0.0.1:$HPORT (taken)"
OUT=$(timeout 10 "$RESPONDER" -l 127.0.0.1:0 --http01 "127.0.0.1:$HPORT" 2>&1 </dev/null)
check "--http01 on a port in use: exit 1" 1 "$?"
check_match "and says which" "http01 127\.0\.0\.1:$HPORT: Address already in use" "$OUT"

start_responder --http01 127.0.0.1:0 "${ZONE_FILES[@]}"
check_match "--http01 without -c: a warning" \
	'warning: --http01 without -c/--control: no token can be added' \
	"$(cat "$tmp/err")"
stop_responder
finish
