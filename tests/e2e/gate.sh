#!/usr/bin/env bash
# tests/e2e/gate.sh -- caa-gate in front of Pebble, with lego as the ACME
# client: the ready line, the directory's caaIdentities from --ca, headers
# relayed (Replay-Nonce, Location), a certificate issued through the gate,
# 20 orders (4 at a time) of which none is lost, the CAA step (names of
# gate.test allowed, denied, failing, restricted to an account or a
# method: Let's Encrypt's problems, the -q log, the authorization and
# order read invalid afterwards, a finalize refused after the CAA changed,
# a JWS the gate cannot read), DNSSEC (a gate that validates a signing
# caa-responder: a bogus CAA answer refused, a secure one issued), and the
# gate's own errors (upstream down, upstream not trusted) as
# serverInternal problem documents.
# tests/e2e/gate_acme.py is the small ACME client for what lego cannot
# show.  Pebble runs with PEBBLE_VA_ALWAYS_VALID=1, so no challenge
# server is needed; it asks caa-responder for DNS.  Every process started
# here is stopped by its PID.  Status 77 (a skip) when pebble, lego,
# openssl or curl is missing.
#
#   tests/e2e/gate.sh PATH-TO-caa-responder PATH-TO-caa-gate
for tool in pebble lego openssl curl; do
	if ! command -v "$tool" >/dev/null; then
		echo "gate: $tool is not installed, skipped"
		exit 77
	fi
done
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" "${1:-}"
GATE=${2:-}
if [ -z "$GATE" ] || [ ! -x "$GATE" ]; then
	echo "usage: $0 PATH-TO-caa-responder PATH-TO-caa-gate" >&2
	exit 2
fi
ORDERS=20   # orders through the gate, ...
AT_ONCE=4   # ... this many at a time
CLIENT_TIMEOUT=120

PIDS=()
declare -A GATE_ERRS=() # a running caa-gate's PID -> its stderr file
# shellcheck disable=SC2317 # called by the EXIT trap
gate_cleanup() {
	local status=$? failed=$FAILED
	for p in "${PIDS[@]}"; do
		if [ -n "${GATE_ERRS[$p]:-}" ]; then
			stop_gate "$p"
		else
			stop_pid "$p"
		fi
	done
	(exit "$status")
	cleanup "$failed"
}
trap gate_cleanup EXIT

# json_get FILE EXPR: EXPR of the JSON document in FILE as d, or "".
json_get() {
	"$PY" -c 'import json, sys
try:
    d = json.load(open(sys.argv[1]))
    print(eval(sys.argv[2]))
except Exception:
    print("")' "$1" "$2"
}

# ------------------------------------------------ TLS for Pebble, Pebble

if ! sh "$E2E_DIR/../acme/make-test-ca.sh" "$tmp" "caalab gate test CA" \
	>"$tmp/make-ca.log" 2>&1; then
	cat "$tmp/make-ca.log"
	LAST_CMD="" fail "openssl makes Pebble's certificate" "status 0" "failed"
	finish
fi

# One name per CAA case; rc* change over the API before their finalize.
cat >"$tmp/gate.test.zone" <<'ZONE'
$ORIGIN gate.test.
$TTL 60
@       SOA ns1.test. hostmaster.gate.test. 1 7200 3600 1209600 60
@       NS  ns1.test.
ok      CAA 0 issue "letsencrypt.org"
deny    CAA 0 issue "other.example"
fail    CAA 0 issue "letsencrypt.org"
acct    CAA 0 issue "letsencrypt.org; accounturi=https://x/acct/1"
meth    CAA 0 issue "letsencrypt.org; validationmethods=dns-01"
bad     CAA 0 issue "other.example"
rc1     CAA 0 issue "letsencrypt.org"
rc2     CAA 0 issue "letsencrypt.org"
rc3     CAA 0 issue "letsencrypt.org"
slow    CAA 0 issue "letsencrypt.org"
rc4     CAA 0 issue "letsencrypt.org"
held    CAA 0 issue "letsencrypt.org"
bog     CAA 0 issue "letsencrypt.org"
ZONE
start_responder "$(dirname "$0")/../acme/zones/test.zone" \
	"$(dirname "$0")/../acme/zones/example.test.zone" "$tmp/gate.test.zone" \
	-f "servfail fail.gate.test CAA" -f "delay slow.gate.test CAA ms=1500" \
	-f "delay held.gate.test CAA ms=30000" \
	-c 127.0.0.1:0 || finish
CONTROL=http://$(tr ' ' '\n' <<<"$READY_LINE" | sed -n 's/^control=//p')

PEBBLE_PORT=$(free_port)
cat >"$tmp/pebble.json" <<JSON
{
  "pebble": {
    "listenAddress": "127.0.0.1:$PEBBLE_PORT",
    "managementListenAddress": "127.0.0.1:$(free_port)",
    "certificate": "$tmp/cert.pem",
    "privateKey": "$tmp/key.pem",
    "httpPort": $(free_port),
    "tlsPort": $(free_port),
    "ocspResponderURL": "",
    "externalAccountBindingRequired": false
  }
}
JSON
(
	export PEBBLE_VA_ALWAYS_VALID=1 PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0
	exec pebble -config "$tmp/pebble.json" -dnsserver "127.0.0.1:$PORT4"
) >"$tmp/pebble.log" 2>&1 &
PEBBLE_PID=$!
PIDS+=("$PEBBLE_PID")
for _ in $(seq 1 100); do
	curl -sS --fail --max-time 2 --cacert "$tmp/ca.pem" \
		"https://127.0.0.1:$PEBBLE_PORT/dir" >/dev/null 2>&1 && break
	kill -0 "$PEBBLE_PID" 2>/dev/null || break
	sleep 0.2
done
if ! curl -sS --fail --max-time 2 --cacert "$tmp/ca.pem" \
	"https://127.0.0.1:$PEBBLE_PORT/dir" >/dev/null 2>&1; then
	LAST_CMD="" fail "Pebble starts" "its directory on port $PEBBLE_PORT" \
		"$(tail -n 5 "$tmp/pebble.log")"
	finish
fi

# start_gate NAME ARGS...: caa-gate on 127.0.0.1:0; its address in
# GATE_ADDR, its ready line in GATE_READY, its PID in GATE_PID.
start_gate() {
	local name=$1 line=""
	shift
	(exec "$GATE" -l 127.0.0.1:0 "$@" >"$tmp/$name.out" 2>"$tmp/$name.err") &
	GATE_PID=$!
	PIDS+=("$GATE_PID")
	GATE_ERRS[$GATE_PID]=$tmp/$name.err
	for _ in $(seq 1 100); do
		line=$(grep -m1 '^ready ' "$tmp/$name.out" 2>/dev/null || true)
		[ -n "$line" ] && break
		kill -0 "$GATE_PID" 2>/dev/null || break
		sleep 0.1
	done
	GATE_READY=$line
	GATE_ADDR=$(sed -n 's/^ready https=\([^ ]*\) .*/\1/p' <<<"$line")
	if [ -z "$GATE_ADDR" ]; then
		LAST_CMD="" fail "caa-gate $* starts" "a ready line" \
			"stdout: $(head -c 300 "$tmp/$name.out"); stderr: $(head -c 500 "$tmp/$name.err")"
		return 1
	fi
}

# stop_gate PID [STATUS [SIGNAL]]: stop that caa-gate and assert its
# exit: STATUS (default 0), no sanitizer report on its stderr.
stop_gate() {
	[ -n "${GATE_ERRS[$1]:-}" ] || return 0
	stop_server caa-gate "$1" "${GATE_ERRS[$1]}" "${@:2}"
	unset "GATE_ERRS[$1]"
}

UPSTREAM=https://127.0.0.1:$PEBBLE_PORT
start_gate gate -u "$UPSTREAM" --upstream-ca "$tmp/ca.pem" \
	--cert-out "$tmp/gate.pem" --ca letsencrypt.org --ca Other.Test \
	-s "127.0.0.1#$PORT4" --recheck always -q "$tmp/caa.log" || finish
MAIN_GATE_PID=$GATE_PID
DIR=https://$GATE_ADDR/dir
check_match "ready line" "^ready https=127\.0\.0\.1:[0-9]+ upstream=$UPSTREAM\$" \
	"$GATE_READY"

# ------------------------------------------------ the directory, headers

code=$(curl -sS --max-time 10 --cacert "$tmp/gate.pem" -o "$tmp/dir.json" \
	-w '%{http_code}' "$DIR" 2>"$tmp/curl.err")
check "directory through the gate, trusting --cert-out: status" 200 "$code"
check "directory: meta.caaIdentities is the --ca list" "letsencrypt.org,other.test" \
	"$(json_get "$tmp/dir.json" '",".join(d["meta"]["caaIdentities"])')"
check "directory: Pebble's URLs name the gate (Host kept)" \
	"https://$GATE_ADDR/nonce-plz" "$(json_get "$tmp/dir.json" 'd["newNonce"]')"
check "directory: Pebble's own meta kept" "False" \
	"$(json_get "$tmp/dir.json" 'd["meta"]["externalAccountRequired"]')"
check "directory: every member kept" \
	"$(curl -sS --cacert "$tmp/ca.pem" "$UPSTREAM/dir" |
		"$PY" -c 'import json,sys; print(sorted(json.load(sys.stdin)))')" \
	"$(json_get "$tmp/dir.json" 'sorted(d)')"

curl -sS --max-time 10 --cacert "$tmp/gate.pem" -I "https://$GATE_ADDR/nonce-plz" \
	>"$tmp/nonce.h" 2>&1
check_match "HEAD newNonce: 200" '^HTTP/1\.1 200' "$(head -n1 "$tmp/nonce.h")"
check_match "HEAD newNonce: Replay-Nonce relayed" '^Replay-Nonce: [A-Za-z0-9_-]+' \
	"$(tr -d '\r' <"$tmp/nonce.h")"
check_match "HEAD newNonce: Link relayed" '^Link: <https://'"$GATE_ADDR"'/dir>;rel="index"' \
	"$(tr -d '\r' <"$tmp/nonce.h")"

# An unsigned POST: Pebble's own problem document comes back as it is.
code=$(curl -sS --max-time 10 --cacert "$tmp/gate.pem" -o "$tmp/post.json" \
	-w '%{http_code} %{content_type}' -H 'Content-Type: application/jose+json' \
	--data '{}' "$(json_get "$tmp/dir.json" 'd["newOrder"]')")
check_match "Pebble's own error relayed: status and type" '^400 application/problem\+json' "$code"
check_match "Pebble's own error relayed: its problem" 'urn:ietf:params:acme:error:malformed' \
	"$(json_get "$tmp/post.json" 'd["type"]')"

# ------------------------------------------------ lego through the gate

export LEGO_CA_CERTIFICATES=$tmp/gate.pem
# lego_run N DOMAIN: one order, account and all, in $tmp/lego-N.
lego_run() {
	timeout "$CLIENT_TIMEOUT" lego --server "$DIR" --accept-tos \
		--email "admin@example.test" --domains "$2" --http \
		--http.port "127.0.0.1:$(free_port)" --path "$tmp/lego-$1" run \
		>"$tmp/lego-$1.out" 2>&1
}

lego_run 0 gate.example.test
rc=$?
check "lego issues through the gate: status" 0 "$rc"
crt=$tmp/lego-0/certificates/gate.example.test.crt
check_match "lego's certificate names gate.example.test" 'DNS:gate\.example\.test' \
	"$(openssl x509 -in "$crt" -noout -ext subjectAltName 2>&1)"
[ "$rc" -eq 0 ] || tail -n 20 "$tmp/lego-0.out"

# $ORDERS orders, $AT_ONCE at a time: every one ends with a certificate.
issued=0
for ((i = 1; i <= ORDERS; i += AT_ONCE)); do
	batch=()
	for ((j = i; j < i + AT_ONCE && j <= ORDERS; j++)); do
		lego_run "$j" "n$j.example.test" &
		batch+=($!)
		PIDS+=($!)
	done
	for p in "${batch[@]}"; do
		wait "$p"
	done
done
for ((j = 1; j <= ORDERS; j++)); do
	if [ -s "$tmp/lego-$j/certificates/n$j.example.test.crt" ]; then
		issued=$((issued + 1))
	else
		echo "order $j lost:"
		tail -n 5 "$tmp/lego-$j.out"
	fi
done
check "$ORDERS orders through the gate, $AT_ONCE at a time: certificates" \
	"$ORDERS" "$issued"
if kill -0 "$MAIN_GATE_PID" 2>/dev/null; then
	pass
else
	fail "caa-gate still runs after the orders" "alive" "exited"
fi

# ------------------------------------------------ the CAA step

# log_of STEP NAME: the verdicts of the -q log's lines for NAME at STEP.
log_of() {
	"$PY" -c 'import json, sys
out = []
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d["step"] == sys.argv[2] and d["name"] == sys.argv[3]:
        out.append(d["verdict"])
print(" ".join(out))' "$tmp/caa.log" "$1" "$2" 2>&1
}

lego_run ok ok.gate.test
check "CAA allows ok.gate.test: lego's status" 0 "$?"
check "the log: ok.gate.test allowed at validation" allowed \
	"$(log_of validation ok.gate.test)"
check "the log: ok.gate.test allowed again at finalize (--recheck always)" \
	allowed "$(log_of finalize ok.gate.test)"

# lego_refused NAME TYPE DETAIL: lego fails for NAME with Let's Encrypt's
# problem TYPE and DETAIL.
lego_refused() {
	local out
	lego_run "$1" "$1"
	check "$1: lego fails" 1 "$?"
	out=$(tr '\n' ' ' <"$tmp/lego-$1.out")
	check_match "$1: lego shows the problem type" "$2" "$out"
	check_match "$1: lego shows the detail" "$3" "$out"
	[ -e "$tmp/lego-$1/certificates/$1.crt" ] &&
		fail "$1: no certificate" "none" "$tmp/lego-$1/certificates/$1.crt"
}
lego_refused deny.gate.test 'urn:ietf:params:acme:error:caa' \
	'While processing CAA for deny\.gate\.test: CAA record for deny\.gate\.test prevents issuance'
lego_refused fail.gate.test 'urn:ietf:params:acme:error:dns' \
	"While processing CAA for fail\\.gate\\.test: DNS problem: SERVFAIL looking up CAA for fail\\.gate\\.test - the domain's nameservers may be malfunctioning"
lego_refused acct.gate.test 'urn:ietf:params:acme:error:caa' \
	'While processing CAA for acct\.gate\.test: CAA record for acct\.gate\.test prevents issuance'
lego_refused meth.gate.test 'urn:ietf:params:acme:error:caa' \
	'While processing CAA for meth\.gate\.test: CAA record for meth\.gate\.test prevents issuance'
check "the log: deny.gate.test denied, once" denied "$(log_of validation deny.gate.test)"
check "the log: fail.gate.test lookup-failed, once" lookup-failed \
	"$(log_of validation fail.gate.test)"
check "the log: acct.gate.test denied" denied "$(log_of validation acct.gate.test)"
check "the log: meth.gate.test denied" denied "$(log_of validation meth.gate.test)"
check "the log: no finalize for a refused name" "" "$(log_of finalize deny.gate.test)"
check "the log: every line is one decision with every key" "ok" "$("$PY" -c '
import json, sys
keys = ["ts", "step", "name", "wildcard", "account", "method", "verdict",
        "reason", "lookups"]
for line in open(sys.argv[1]):
    d = json.loads(line)
    if list(d) != keys or not d["ts"].endswith("Z") or \
            d["method"] != "http-01" or not d["account"].startswith("https://") or \
            not d["reason"] or \
            not all(set(l) == {"name", "rcode", "dnssec", "records", "cname", "ms"}
                    for l in d["lookups"]):
        print(line)
        sys.exit(0)
print("ok")' "$tmp/caa.log" 2>&1)"
check_match "the log: the probe's lookups (the name, then its parents)" \
	'"lookups":\[\{"name":"deny\.gate\.test","rcode":"NOERROR","dnssec":null,"records":1,' \
	"$(grep -m1 '"name":"deny.gate.test"' "$tmp/caa.log")"

# What the client sees of a denial, and afterwards (gate_acme.py).
ACME=("$PY" "$(dirname "$0")/gate_acme.py" "$DIR" "$tmp/gate.pem")
"${ACME[@]}" deny bad.gate.test >"$tmp/bad.json" 2>"$tmp/bad.err"
check "gate_acme.py deny: status" 0 "$?"; head -c 2000 "$tmp/bad.err"
j() { json_get "$tmp/$1.json" "$2"; }
check "the refused challenge POST: 200 application/json" "200 application/json" \
	"$(j bad 'd["post"]["status"]') $(j bad 'd["post"]["type"]')"
check "the refused challenge: invalid, with the caa problem" \
	"invalid urn:ietf:params:acme:error:caa 403" \
	"$(j bad '" ".join(str(x) for x in (d["post"]["body"]["status"], d["post"]["body"]["error"]["type"], d["post"]["body"]["error"]["status"]))')"
check "the refused challenge: Let's Encrypt's detail" \
	"While processing CAA for bad.gate.test: CAA record for bad.gate.test prevents issuance" \
	"$(j bad 'd["post"]["body"]["error"]["detail"]')"
check_match "the refused challenge: Link up to its authorization" \
	'^<https://127\.0\.0\.1:[0-9]+/authZ/[^>]+>;rel="up"$' "$(j bad 'd["post"]["link"]')"
check_match "the refused challenge: a fresh Replay-Nonce (the next request used it)" \
	'^[A-Za-z0-9_-]+$' "$(j bad 'd["post"]["nonce"]')"
check "the authorization then: invalid, only the failed challenge, with its error" \
	"200 invalid 1 invalid urn:ietf:params:acme:error:caa" \
	"$(j bad '" ".join(str(x) for x in (d["authz"]["status"], d["authz"]["body"]["status"], len(d["authz"]["body"]["challenges"]), d["authz"]["body"]["challenges"][0]["status"], d["authz"]["body"]["challenges"][0]["error"]["type"]))')"
check "the challenge then: invalid with its error" "invalid urn:ietf:params:acme:error:caa" \
	"$(j bad '" ".join((d["challenge"]["body"]["status"], d["challenge"]["body"]["error"]["type"]))')"
check "the order then: invalid" "invalid" "$(j bad 'd["order"]["body"]["status"]')"
check "a second challenge POST: the same invalid challenge" \
	"200 invalid While processing CAA for bad.gate.test: CAA record for bad.gate.test prevents issuance" \
	"$(j bad '" ".join(str(x) for x in (d["again"]["status"], d["again"]["body"]["status"], d["again"]["body"]["error"]["detail"]))')"
check "the second POST made no new lookup" denied "$(log_of validation bad.gate.test)"

# A JWS the gate cannot read, on a challenge POST: 500 naming the cause.
"${ACME[@]}" malformed ok.gate.test >"$tmp/mal.json" 2>"$tmp/mal.err"
check "gate_acme.py malformed: status" 0 "$?"; head -c 2000 "$tmp/mal.err"
for c in "not-json:the body is not JSON" "not-object:the body is not a JSON object" \
	"no-protected:it has no protected header" "no-payload:it has no payload" \
	"bad-base64url:the protected header is not base64url" \
	"header-not-object:the protected header is not a JSON object" \
	"too-large:the body is over 65536 bytes"; do
	check "a JWS the gate cannot read (${c%%:*}): serverInternal" \
		"500 application/problem+json urn:ietf:params:acme:error:serverInternal caa-gate: cannot read the JWS: ${c#*:}" \
		"$(j mal '" ".join(str(x) for x in (d["'"${c%%:*}"'"]["status"], d["'"${c%%:*}"'"]["type"], d["'"${c%%:*}"'"]["body"]["type"], d["'"${c%%:*}"'"]["body"]["detail"]))')"
done
check_match "a JWS the gate cannot read: a fresh Replay-Nonce" '^[A-Za-z0-9_-]+$' \
	"$(j mal 'd["not-json"]["nonce"]')"

# A client that hangs up while its challenge POST waits for CAA: the
# decision ends, the request goes on, and the gate serves on.
"${ACME[@]}" gone slow.gate.test >"$tmp/gone.json" 2>"$tmp/gone.err"
check "gate_acme.py gone: the client gave up first" "True" "$(j gone 'd["gone"]')"
head -c 2000 "$tmp/gone.err"
for _ in $(seq 1 50); do
	[ -n "$(log_of validation slow.gate.test)" ] && break
	sleep 0.1
done
sleep 0.5
check "a client gone mid-decision: the decision ends" allowed "$(log_of validation slow.gate.test)"
code=$(curl -sS --max-time 10 --cacert "$tmp/gate.pem" -o /dev/null -w '%{http_code}' "$DIR")
check "a client gone mid-decision: the gate serves on" 200 "$code"

# SIGTERM while a decision is in flight (its CAA reply held back 30 s):
# the gate ends the decision, logs no verdict for it, and exits at once
# with status 0, leaking nothing (the sanitizer build checks).
start_gate held -u "$UPSTREAM" --upstream-ca "$tmp/ca.pem" \
	--cert-out "$tmp/held.pem" -s "127.0.0.1#$PORT4" -q "$tmp/held.log" || finish
"$PY" "$(dirname "$0")/gate_acme.py" "https://$GATE_ADDR/dir" "$tmp/held.pem" \
	gone held.gate.test >"$tmp/held.json" 2>"$tmp/held.err"
check "gate_acme.py gone held.gate.test: the client gave up first" "True" \
	"$(json_get "$tmp/held.json" 'd["gone"]')"
sleep 0.5
# stop_gate fails unless it exits within 5 s, long before the reply.
stop_gate "$GATE_PID"
check "SIGTERM mid-decision: no verdict logged for the held name" "" \
	"$(cat "$tmp/held.log" 2>&1)"

# --recheck always: the CAA changes between validation and finalize.
RECHECK=("$CONTROL" 'NAME. 60 IN CAA 0 issue "letsencrypt.org"'
	'NAME. 60 IN CAA 0 issue "other.example"')
"${ACME[@]}" recheck "${RECHECK[@]}" rc1.gate.test >"$tmp/rc1.json" 2>"$tmp/rc1.err"
check "gate_acme.py recheck: status" 0 "$?"; head -c 2000 "$tmp/rc1.err"
check "recheck: the validation went through" "[200] ['valid']" \
	"$(j rc1 '"%s %s" % (d["posts"], d["authz"])')"
check "recheck: finalize refused, 403 problem" \
	"403 application/problem+json urn:ietf:params:acme:error:caa 403" \
	"$(j rc1 '" ".join(str(x) for x in (d["finalize"]["status"], d["finalize"]["type"], d["finalize"]["body"]["type"], d["finalize"]["body"]["status"]))')"
check "recheck: Let's Encrypt's detail" \
	"Error finalizing order :: rechecking caa: While processing CAA for rc1.gate.test: CAA record for rc1.gate.test prevents issuance" \
	"$(j rc1 'd["finalize"]["body"]["detail"]')"
check_match "recheck: a fresh Replay-Nonce" '^[A-Za-z0-9_-]+$' "$(j rc1 'd["finalize"]["nonce"]')"
check "recheck: the order then reads invalid with that error" \
	"invalid Error finalizing order :: rechecking caa: While processing CAA for rc1.gate.test: CAA record for rc1.gate.test prevents issuance" \
	"$(j rc1 '" ".join((d["order"]["body"]["status"], d["order"]["body"]["error"]["detail"]))')"
check "the log: rc1.gate.test allowed, then denied at finalize" "allowed denied" \
	"$(log_of validation rc1.gate.test) $(log_of finalize rc1.gate.test)"

"${ACME[@]}" recheck "${RECHECK[@]}" rc2.gate.test rc3.gate.test >"$tmp/rc2.json" 2>"$tmp/rc2.err"
check "gate_acme.py recheck, two names: status" 0 "$?"; head -c 2000 "$tmp/rc2.err"
# Pebble lists an order's identifiers in no fixed order, not even the same
# one twice: the first failing one in the order as the gate learned it
# (the newOrder reply) names the problem.
first=$(j rc2 'd["created"]["identifiers"][0]["value"]')
second=$(j rc2 'd["created"]["identifiers"][1]["value"]')
check "recheck of two names: the detail names the order's first identifier" \
	"Error finalizing order :: Rechecking CAA for \"$first\" and 1 more identifiers failed. Refer to sub-problems for more information" \
	"$(j rc2 'd["finalize"]["body"]["detail"]')"
check "recheck of two names: one subproblem each, in the order's order, with its identifier" \
	"$first:urn:ietf:params:acme:error:caa:403:While processing CAA for $first: CAA record for $first prevents issuance $second:urn:ietf:params:acme:error:caa:403:While processing CAA for $second: CAA record for $second prevents issuance" \
	"$(j rc2 '" ".join("%s:%s:%s:%s" % (s["identifier"]["value"], s["type"], s["status"], s["detail"]) for s in d["finalize"]["body"]["subproblems"])')"
check "recheck of two names: both rc2 and rc3 refused" "rc2.gate.test rc3.gate.test" \
	"$(tr ' ' '\n' <<<"$first $second" | sort | tr '\n' ' ' | sed 's/ $//')"

# --recheck after=3600: a validation seen a moment ago is not decided
# again, so the changed CAA does not stop the finalize.
start_gate after -u "$UPSTREAM" --upstream-ca "$tmp/ca.pem" \
	--cert-out "$tmp/after.pem" -s "127.0.0.1#$PORT4" --recheck after=3600 \
	-q "$tmp/after.log" || finish
"$PY" "$(dirname "$0")/gate_acme.py" "https://$GATE_ADDR/dir" "$tmp/after.pem" \
	recheck "${RECHECK[@]}" rc4.gate.test >"$tmp/rc4.json" 2>"$tmp/rc4.err"
check "gate_acme.py recheck through --recheck after=3600: status" 0 "$?"
head -c 2000 "$tmp/rc4.err"
check "--recheck after=3600: the finalize goes through" 200 "$(j rc4 'd["finalize"]["status"]')"
check "--recheck after=3600: one decision, at validation" "validation allowed" \
	"$("$PY" -c 'import json, sys
print(" ".join("%s %s" % (d["step"], d["verdict"]) for d in map(json.loads, open(sys.argv[1]))))' \
		"$tmp/after.log" 2>&1)"
stop_gate "$GATE_PID"

# ------------------------------------------------ DNSSEC

# A second caa-responder serves gate.test signed (its DS the trust anchor)
# with the CAA answer of bog.gate.test's signature altered; a gate that
# validates its answers refuses that name with Let's Encrypt's words for a
# bogus answer, and lets ok.gate.test (secure) through.
(exec "$RESPONDER" -l 127.0.0.1:0 --dnssec --trust-anchor-out "$tmp/ta.ds" \
	-f "sig-bogus bog.gate.test CAA" "$tmp/gate.test.zone" \
	>"$tmp/signed.out" 2>"$tmp/signed.err") &
SIGNED_PID=$!
PIDS+=("$SIGNED_PID")
for _ in $(seq 1 100); do
	grep -q '^ready ' "$tmp/signed.out" 2>/dev/null && break
	kill -0 "$SIGNED_PID" 2>/dev/null || break
	sleep 0.1
done
SIGNED_PORT=$(ready_port "$(grep -m1 '^ready ' "$tmp/signed.out")" udp '127\.0\.0\.1')
if [ -z "$SIGNED_PORT" ]; then
	LAST_CMD="" fail "caa-responder --dnssec starts" "a ready line" \
		"stdout: $(head -c 300 "$tmp/signed.out"); stderr: $(head -c 500 "$tmp/signed.err")"
	finish
fi
start_gate dnssec -u "$UPSTREAM" --upstream-ca "$tmp/ca.pem" --cert-out "$tmp/dnssec.pem" \
	-s "127.0.0.1#$SIGNED_PORT" --validate --trust-anchor "$tmp/ta.ds" \
	-q "$tmp/dnssec.log" || finish
MAIN_DIR=$DIR
DIR=https://$GATE_ADDR/dir
LEGO_CA_CERTIFICATES=$tmp/dnssec.pem
lego_refused bog.gate.test 'urn:ietf:params:acme:error:dns' \
	'While processing CAA for bog\.gate\.test: DNS problem: looking up CAA for bog\.gate\.test: DNSSEC: Bogus: validation failure <bog\.gate\.test\. CAA IN>'
lego_run dnssec-ok ok.gate.test
check "--validate, a secure CAA answer: lego's status" 0 "$?"
check_match "--validate: the log says bogus, then secure" \
	'"name":"bog\.gate\.test".*"verdict":"lookup-failed".*"dnssec":"bogus".*"name":"ok\.gate\.test".*"verdict":"allowed".*"dnssec":"secure"' \
	"$(tr '\n' ' ' <"$tmp/dnssec.log")"
DIR=$MAIN_DIR
LEGO_CA_CERTIFICATES=$tmp/gate.pem
stop_gate "$GATE_PID"
stop_server caa-responder "$SIGNED_PID" "$tmp/signed.err"

# ------------------------------------------------ the gate's own errors

# problem NAME CAFILE URL: GET URL (trusting CAFILE); status, type and
# detail of the problem document.
problem() {
	local seen
	seen=$(curl -sS --max-time 40 --cacert "$2" -o "$tmp/$1.json" \
		-w '%{http_code} %{content_type}' "$3" 2>&1)
	check "$1: status and content type" "500 application/problem+json" "$seen"
	check "$1: type" "urn:ietf:params:acme:error:serverInternal" \
		"$(json_get "$tmp/$1.json" 'd["type"]')"
	check "$1: status member" 500 "$(json_get "$tmp/$1.json" 'd["status"]')"
	PROBLEM_DETAIL=$(json_get "$tmp/$1.json" 'd["detail"]')
}

DEAD_PORT=$(free_port)
start_gate dead -u "https://127.0.0.1:$DEAD_PORT" --upstream-ca "$tmp/ca.pem" \
	--cert-out "$tmp/dead.pem" || finish
problem "upstream down" "$tmp/dead.pem" "https://$GATE_ADDR/dir"
check_match "upstream down: the detail names the upstream and the cause" \
	"^caa-gate: upstream https://127\.0\.0\.1:$DEAD_PORT: cannot connect" "$PROBLEM_DETAIL"
stop_gate "$GATE_PID"

start_gate untrusted -u "$UPSTREAM" --cert-out "$tmp/untrusted.pem" || finish
problem "upstream not trusted" "$tmp/untrusted.pem" "https://$GATE_ADDR/dir"
check_match "upstream not trusted: the detail says why" \
	"TLS: certificate verify failed" "$PROBLEM_DETAIL"
stop_gate "$GATE_PID"

# SIGTERM while a request waits for the upstream (one that accepts and
# never answers): the gate closes it and exits at once with status 0,
# leaking nothing (the sanitizer build checks).
"$PY" -c 'import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
open(sys.argv[1], "w").write("%d\n" % s.getsockname()[1])
held = []
while True:
    held.append(s.accept()[0])' "$tmp/silent.port" &
SILENT_PID=$!
PIDS+=("$SILENT_PID")
for _ in $(seq 1 50); do
	[ -s "$tmp/silent.port" ] && break
	sleep 0.1
done
start_gate silent -u "http://127.0.0.1:$(cat "$tmp/silent.port")" \
	--cert-out "$tmp/silent.pem" || finish
curl -sS --max-time 20 --cacert "$tmp/silent.pem" -o /dev/null \
	"https://$GATE_ADDR/dir" >"$tmp/silent.curl" 2>&1 &
CURL_PID=$!
sleep 1
stop_gate "$GATE_PID" # within 5 s, or it fails
wait "$CURL_PID"
check "SIGTERM while the upstream is asked: the client's connection closes" 52 "$?"
stop_pid "$SILENT_PID"

# ------------------------------------------------ usage, start, signals

"$GATE" -l 127.0.0.1:0 -u "$UPSTREAM" --cert "$tmp/none.pem" --key "$tmp/key.pem" \
	>/dev/null 2>"$tmp/start.err"
check "a --cert that is not there: exit status" 1 "$?"
check "a --cert that is not there: names the file and why" \
	"caa-gate: $tmp/none.pem: cannot read the certificate (No such file or directory)" \
	"$(cat "$tmp/start.err")"
"$GATE" -l 127.0.0.1:0 -u "$UPSTREAM" --upstream-ca "$tmp/none.pem" \
	>/dev/null 2>"$tmp/start.err"
check "an --upstream-ca that is not there: exit status" 1 "$?"
check "an --upstream-ca that is not there: names the file and why" \
	"caa-gate: --upstream-ca: $tmp/none.pem: cannot read the CA certificates (No such file or directory)" \
	"$(cat "$tmp/start.err")"

"$GATE" -l 127.0.0.1:0 >/dev/null 2>"$tmp/usage.err"
check "no --upstream: usage error" 64 "$?"
check_match "no --upstream: names it" "-u/--upstream URL is required" \
	"$(cat "$tmp/usage.err")"

stop_gate "$MAIN_GATE_PID"
stop_pid "$PEBBLE_PID"
finish
