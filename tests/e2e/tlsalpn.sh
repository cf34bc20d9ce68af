#!/usr/bin/env bash
# tests/e2e/tlsalpn.sh -- the TLS-ALPN-01 server (--tlsalpn01, RFC 8737)
# and its challtestsrv endpoints: openssl s_client with ALPN acme-tls/1
# and an SNI gets acme-tls/1 and a certificate with that dNSName and the
# critical acmeIdentifier holding SHA-256 of the key authorization; other
# hellos fail the handshake; the request history; bad bodies get 400; off
# unless the flag is given; a clean exit (ASan quiet in build-asan).
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" "${1:-}"

for tool in curl openssl; do
	if ! command -v "$tool" >/dev/null; then
		echo "tlsalpn: $tool is needed (scripts/bootstrap.sh)" >&2
		exit 2
	fi
done
if ! "$PY" -c 'import cryptography' 2>/dev/null; then
	echo "tlsalpn: $PY needs the cryptography module (python3-cryptography)" >&2
	exit 2
fi

CPORT="" APORT=""

# api PATH BODY: POST BODY to the API; status in $CODE, body in $BODY.
api() {
	LAST_CMD="curl -d '${2:0:200}' http://127.0.0.1:$CPORT$1"
	CODE=$(timeout 30 curl -sS -o "$tmp/body" -w '%{http_code}' \
		--data-binary "$2" "http://127.0.0.1:$CPORT$1" 2>"$tmp/curl.err")
	BODY=$(cat "$tmp/body" 2>/dev/null)
	OUT="HTTP $CODE $BODY $(cat "$tmp/curl.err")"
}

# hello SNI [ALPN]: one handshake with s_client (no -alpn when ALPN is
# empty or absent); its output in $OUT, status in $RC, the server's
# certificate (PEM) in $tmp/cert.pem.
hello() {
	local args=(-connect "127.0.0.1:$APORT" -servername "$1")
	if [ -n "${2:-}" ]; then
		args+=(-alpn "$2")
	fi
	LAST_CMD="openssl s_client ${args[*]}"
	OUT=$(timeout 20 openssl s_client "${args[@]}" </dev/null 2>&1)
	RC=$?
	sed -n '/-BEGIN CERTIFICATE-/,/-END CERTIFICATE-/p' <<<"$OUT" >"$tmp/cert.pem"
}

# cert_facts: "SAN=<dNSNames> crit=<acmeIdentifier critical> value=<hex of
# its extnValue> sancrit=<SAN critical>" of $tmp/cert.pem.
cert_facts() {
	"$PY" - "$tmp/cert.pem" <<'PYEOF' 2>&1
import sys
from cryptography import x509
cert = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read())
san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
acme = cert.extensions.get_extension_for_oid(
    x509.ObjectIdentifier("1.3.6.1.5.5.7.1.31"))
print("SAN=%s crit=%s value=%s sancrit=%s" % (
    ",".join(san.value.get_values_for_type(x509.DNSName)),
    acme.critical, acme.value.value.hex(), san.critical))
PYEOF
}

# want_acme CONTENT: the hex extnValue RFC 8737 wants: 04 20 SHA-256.
want_acme() {
	printf '0420%s' "$(printf '%s' "$1" | openssl dgst -sha256 -r | cut -d' ' -f1)"
}

# ---------------------------------------------------------------- off

start_responder -c 127.0.0.1:0 "${ZONE_FILES[@]}" || finish
CPORT=$(ready_port "$READY_LINE" control '127\.0\.0\.1')
check "without --tlsalpn01 no tlsalpn01= in the ready line" "" \
	"$(tr ' ' '\n' <<<"$READY_LINE" | grep '^tlsalpn01=')"
api /add-tlsalpn01 '{"host":"off.example.test","content":"x"}'
check "without --tlsalpn01 /add-tlsalpn01 is 404" 404 "$CODE"
api /clear-request-history '{"host":"off.example.test","type":"tlsalpn"}'
check "without --tlsalpn01 clearing the tlsalpn history is 200" 200 "$CODE"

# ---------------------------------------------------------------- on

start_responder -c 127.0.0.1:0 --tlsalpn01 127.0.0.1:0 -v "${ZONE_FILES[@]}" || finish
CPORT=$(ready_port "$READY_LINE" control '127\.0\.0\.1')
APORT=$(ready_port "$READY_LINE" tlsalpn01 '127\.0\.0\.1')
check_match "the ready line ends with tlsalpn01=127.0.0.1:PORT" \
	' tlsalpn01=127\.0\.0\.1:[0-9]+$' "$READY_LINE"

KA='tok3n.Thumb-print_0123456789'
api /add-tlsalpn01 "{\"host\":\"chal.example.test\",\"content\":\"$KA\"}"
check "/add-tlsalpn01 is 200" 200 "$CODE"
check "/add-tlsalpn01 has an empty body" "" "$BODY"

hello chal.example.test acme-tls/1
check "acme-tls/1 with a known SNI: the handshake succeeds" 0 "$RC"
check_match "acme-tls/1 is negotiated" 'ALPN protocol: acme-tls/1' "$OUT"
check "the certificate: SAN, critical acmeIdentifier = OCTET STRING of SHA-256(content)" \
	"SAN=chal.example.test crit=True value=$(want_acme "$KA") sancrit=True" \
	"$(cert_facts)"
check_match "openssl x509 names the acmeIdentifier critical" \
	'1\.3\.6\.1\.5\.5\.7\.1\.31: critical' \
	"$(openssl x509 -in "$tmp/cert.pem" -noout -text 2>&1)"
check_match "the SAN, as openssl x509 -ext shows it" \
	'DNS:chal\.example\.test' \
	"$(openssl x509 -in "$tmp/cert.pem" -noout -ext subjectAltName 2>&1)"

# The host matches without regard to case; the SAN is the SNI as sent.
hello CHAL.Example.TEST acme-tls/1
check "an SNI in another case: the handshake succeeds" 0 "$RC"
check_match "an SNI in another case: its SAN as sent" \
	'^SAN=CHAL\.Example\.TEST crit=True' "$(cert_facts)"

# A new content for the host replaces the old.
api /add-tlsalpn01 '{"host":"chal.example.test.","content":"second"}'
check "/add-tlsalpn01 again (final dot) is 200" 200 "$CODE"
hello chal.example.test acme-tls/1
check_match "the certificate follows the new content" \
	"value=$(want_acme second) " "$(cert_facts)"

# Refused hellos, as challtestsrv refuses them.
hello unknown.example.test acme-tls/1
check_match "an unknown SNI fails the handshake (internal_error)" \
	'alert internal error' "$OUT"
check_match "an unknown SNI: no certificate" '^$' "$(cat "$tmp/cert.pem")"
hello chal.example.test
check_match "no ALPN fails the handshake (internal_error)" \
	'alert internal error' "$OUT"
check_match "no ALPN: no certificate" '^$' "$(cat "$tmp/cert.pem")"
hello chal.example.test h2
check_match "ALPN without acme-tls/1 fails (no_application_protocol)" \
	'alert no application protocol' "$OUT"
hello chal.example.test acme-tls/1,http/1.1
check_match "acme-tls/1 beside another protocol fails (internal_error)" \
	'alert internal error' "$OUT"

# History: every ClientHello, by SNI (case folded), as sent.
api /tlsalpn01-request-history '{"host":"chal.example.test"}'
check "/tlsalpn01-request-history is 200" 200 "$CODE"
check "history: the hellos to chal.example.test, their protocols" \
	"[['chal.example.test', ['acme-tls/1']], ['CHAL.Example.TEST', ['acme-tls/1']], ['chal.example.test', ['acme-tls/1']], ['chal.example.test', None], ['chal.example.test', ['h2']], ['chal.example.test', ['acme-tls/1', 'http/1.1']]]" \
	"$("$PY" -c 'import json, sys; print([[e["ServerName"], e["SupportedProtos"]] for e in json.loads(sys.argv[1])])' "$BODY" 2>&1)"
check_match "history is indented as challtestsrv's (three spaces)" \
	'^   \{' "$BODY"
api /tlsalpn01-request-history '{"host":"unknown.example.test"}'
check_match "history of another SNI: its one hello" \
	'"ServerName": "unknown.example.test"' "$BODY"
api /clear-request-history '{"host":"chal.example.test","type":"tlsalpn"}'
check "/clear-request-history type tlsalpn is 200" 200 "$CODE"
api /tlsalpn01-request-history '{"host":"chal.example.test"}'
check "cleared: the host's history is []" "[]" "$BODY"
api /tlsalpn01-request-history '{"host":"unknown.example.test"}'
check_match "cleared: another host's history stays" 'unknown\.example\.test' "$BODY"

# /del-tlsalpn01: the host is unknown again.
api /del-tlsalpn01 '{"host":"chal.example.test"}'
check "/del-tlsalpn01 is 200" 200 "$CODE"
hello chal.example.test acme-tls/1
check_match "after /del-tlsalpn01 the handshake fails" 'alert internal error' "$OUT"
api /del-tlsalpn01 '{"host":"chal.example.test"}'
check "/del-tlsalpn01 of a host without one is 200" 200 "$CODE"

# Bad bodies: 400, nothing changed.
bad() {
	api "$1" "$2"
	check "$1 $2: 400" 400 "$CODE"
}
bad /add-tlsalpn01 'not json'
bad /add-tlsalpn01 ''
bad /add-tlsalpn01 '{"content":"x"}'
bad /add-tlsalpn01 '{"host":"","content":"x"}'
bad /add-tlsalpn01 '{"host":"a.example.test"}'
bad /add-tlsalpn01 '{"host":"a.example.test","content":""}'
bad /add-tlsalpn01 '{"host":"a.example.test","content":7}'
bad /add-tlsalpn01 '{"host":["a.example.test"],"content":"x"}'
bad /add-tlsalpn01 '{"host":"a b.example.test","content":"x"}'
bad /add-tlsalpn01 "{\"host\":\"$(printf 'a%.0s' $(seq 1 254))\",\"content\":\"x\"}"
bad /add-tlsalpn01 "{\"host\":\"a.example.test\",\"content\":\"$(printf 'k%.0s' $(seq 1 4097))\"}"
bad /del-tlsalpn01 '{}'
bad /del-tlsalpn01 '{"host":""}'
bad /tlsalpn01-request-history '{"host":""}'
bad /clear-request-history '{"host":"a.example.test","type":"tls"}'
hello a.example.test acme-tls/1
check_match "after the bad bodies a.example.test has no challenge" \
	'alert internal error' "$OUT"
api /add-tlsalpn01 "{\"host\":\"a.example.test\",\"content\":\"$(printf 'k%.0s' $(seq 1 4096))\"}"
check "content of 4096 octets, the most, is 200" 200 "$CODE"
api /add-tlsalpn01 '{"HOST":"b.example.test","Content":"x","extra":1}'
check "keys in any case, unknown keys ignored (as challtestsrv)" 200 "$CODE"
hello b.example.test acme-tls/1
check_match "b.example.test: acme-tls/1" 'ALPN protocol: acme-tls/1' "$OUT"

# DNS still answers beside it, and SIGTERM ends everything cleanly.
ask dig caa.test CAA
expect rcode NOERROR
require_responder
stop_responder

# --tlsalpn01 takes the address forms of -l and -c.
start_responder --tlsalpn01 localhost:0 "${ZONE_FILES[@]}" || finish
check_match "--tlsalpn01 localhost:0 binds 127.0.0.1 (and ::1)" \
	' tlsalpn01=127\.0\.0\.1:[0-9]+' "$READY_LINE"
stop_responder
LAST_CMD="$RESPONDER --tlsalpn01 nonsense"
OUT=$("$RESPONDER" --tlsalpn01 127.0.0.1 2>&1)
RC=$?
check "--tlsalpn01 without a port is misuse" 64 "$RC"
check_match "the error names the option" "for --tlsalpn01" "$OUT"

finish
