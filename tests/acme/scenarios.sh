# shellcheck shell=bash
# tests/acme/scenarios.sh -- scenarios 1-8 of scripts/acme-e2e.sh: lego
# and certbot straight to Pebble, whose DNS answers caa-responder breaks
# (sourced by it, after tests/acme/lib.sh).

N1=s1-lego.example.test N1C=s1-certbot.example.test
N2=s2-lego.example.test N2C=s2-certbot.example.test
N3D=s3-drop.example.test N3F=s3-fallback.example.test
N4=s4-dns.example.test N4F=s4-fail.example.test
N5=s5-flap.example.test
N6=s6-ok.example.test N6F=s6-fail.example.test
N7D=www.other-ca.test N7F=caa-fail.example.test
N8=s8-http01.example.test

scenario_1() {
	say "1: no fault, HTTP-01"
	lego_http "$N1" "$STATE/1-lego"
	check "1 no fault" lego "$N1" "$STATE/1-lego" issued "$msg_issued_lego"
	if with_certbot; then
		certbot_http "$N1C" "$STATE/1-certbot"
		check "1 no fault" certbot "$N1C" "$STATE/1-certbot" issued "$msg_issued_certbot"
	fi
}

scenario_2() {
	say "2: servfail NAME A"
	fault "servfail $N2 A"
	queries_clear
	lego_http "$N2" "$STATE/2-lego"
	check "2 servfail A" lego "$N2" "$STATE/2-lego" "could not resolve URL" \
		"$(msg_unresolved_lego "$N2")" "$(dns_seen "$N2" A)"
	if with_certbot; then
		fault "servfail $N2C A"
		certbot_http "$N2C" "$STATE/2-certbot"
		check "2 servfail A" certbot "$N2C" "$STATE/2-certbot" "could not resolve URL" \
			"$(msg_unresolved_certbot "$N2C")" "$(dns_seen "$N2C" A)"
		grep -Eq 'Type: +connection' "$STATE/2-certbot.out" ||
			row "2 servfail A" certbot "Type: connection" "not printed" "$CLIENT_SECS" no
	fi
	faults_clear
}

scenario_3() {
	# Both names have A 127.0.0.1 and AAAA ::1.  Pebble asks AAAA first and
	# dials the first address; the client listens on 127.0.0.1 only, so
	# the success with SERVFAIL on AAAA shows the fallback to A.
	say "3: drop NAME AAAA; servfail NAME AAAA"
	fault "drop $N3D AAAA"
	fault "servfail $N3F AAAA"
	queries_clear
	lego_http "$N3D" "$STATE/3-drop"
	check "3 drop AAAA" lego "$N3D" "$STATE/3-drop" "i/o timeout" \
		"$(msg_timeout_lego "$N3D")" "$(dns_seen "$N3D" AAAA)"
	lego_http "$N3F" "$STATE/3-fallback"
	check "3 servfail AAAA" lego "$N3F" "$STATE/3-fallback" issued \
		"$msg_issued_lego" "$(dns_seen "$N3F" AAAA), $(dns_seen "$N3F" A)"
	faults_clear
}

scenario_4() {
	say "4: DNS-01 through /set-txt; servfail _acme-challenge.NAME TXT"
	queries_clear
	lego_dns "$N4" "$STATE/4-dns"
	check "4 DNS-01" lego "$N4" "$STATE/4-dns" issued "$msg_issued_lego" \
		"$(dns_seen "_acme-challenge.$N4" TXT)"
	local hook
	for hook in "present _acme-challenge.$N4. (/set-txt)" "cleanup _acme-challenge.$N4. (/clear-txt)"; do
		grep -qF "dns01-hook: $hook" "$STATE/4-dns.out" ||
			row "4 DNS-01" "lego exec hook" "${hook##* }" "not called" "$CLIENT_SECS" no
	done
	fault "servfail _acme-challenge.$N4F TXT"
	lego_dns "$N4F" "$STATE/4-fail"
	check "4 DNS-01 servfail TXT" lego "$N4F" "$STATE/4-fail" "TXT lookup unsuccessful" \
		"$(msg_txt_lego "$N4F")" "$(dns_seen "_acme-challenge.$N4F" TXT)"
	faults_clear
}

scenario_5() {
	# Flapping: the first N matching queries fail, then all is well.
	# Pebble (2.4) validates HTTP-01 from 3 "perspectives" at once, each
	# with its own AAAA and A lookup and no retry, and fails the challenge
	# if any of them fails.  count=1 would fail one of the three, which
	# is enough for Pebble 2.4 but would be absorbed by a CA that takes a
	# quorum (Boulder's multi-perspective validation); count=3 is exactly
	# the A lookups of one validation, so the first validation surely
	# fails and the retry (lego run again, same account) surely succeeds.
	say "5: servfail NAME A count=3 (flapping), then a retry"
	fault "servfail $N5 A count=3"
	queries_clear
	lego_http "$N5" "$STATE/5-flap"
	check "5 flapping, 1st try" lego "$N5" "$STATE/5-flap" "could not resolve URL" \
		"$(msg_unresolved_lego "$N5")" "$(dns_seen "$N5" A)"
	queries_clear
	mv "$STATE/5-flap.out" "$STATE/5-flap.try1.out"
	lego_http "$N5" "$STATE/5-flap"
	check "5 flapping, retry" lego "$N5" "$STATE/5-flap" issued \
		"$msg_issued_lego" "$(dns_seen "$N5" A)"
	faults_clear
}

scenario_6() {
	# Pebble's resolver is unbound now; unbound asks caa-responder.
	say "6: through unbound: no fault; servfail NAME A"
	lego_http "$N6" "$STATE/6-ok"
	check "6 unbound, no fault" lego "$N6" "$STATE/6-ok" issued "$msg_issued_lego"
	fault "servfail $N6F A"
	queries_clear
	lego_http "$N6F" "$STATE/6-fail"
	local via="not in unbound's log"
	grep -q "SERVFAIL <$N6F. A IN>" "$work/unbound.log" && via="via unbound"
	check "6 unbound, servfail A" lego "$N6F" "$STATE/6-fail" "could not resolve URL" \
		"$(msg_unresolved_lego "$N6F")" "$(dns_seen "$N6F" A), $via"
	[ "$via" = "via unbound" ] ||
		row "6 unbound, servfail A" unbound "SERVFAIL logged" "$via" "$CLIENT_SECS" no
	faults_clear
}

# probe SCENARIO NAME SERVER-LABEL PORT VERDICT EXIT REASON-ERE: caa-probe
# through that server says VERDICT, exits EXIT, and gives the CA's reason.
PROBE_SAID=()
ISSUED_7=()
probe() {
	local sc=$1 name=$2 label=$3 port=$4 verdict=$5 code=$6 ere=$7 t0 out rc secs got reason ok=no
	t0=$(now)
	out=$(timeout 30 "$PROBE" -s "127.0.0.1#$port" -o json "$name" 2>&1)
	rc=$?
	secs=$(since "$t0")
	got=$(printf '%s' "$out" | python3 -c 'import json, sys; j = json.load(sys.stdin)[0]; print(j["verdict"]); print(j["reason"])' 2>/dev/null)
	reason=$(printf '%s\n' "$got" | sed -n 2p)
	got=$(printf '%s\n' "$got" | sed -n 1p)
	if [ "$got" = "$verdict" ] && [ "$rc" = "$code" ] && grep -Eq -- "$ere" <<<"$reason"; then
		ok=yes
	fi
	PROBE_SAID+=("$label|$name|${got:-?}|$reason")
	row "$sc" "caa-probe@$label" "$verdict (exit $code)" "${got:-no verdict} (exit $rc)" \
		"$secs" "$ok" "  reason: ${reason:-$out}
  expected a match for /$ere/"
}

scenario_7() {
	# Pebble never checks CAA: it issues for a name whose CAA names
	# another CA, and for one whose CAA lookup fails.  caa-probe, asked
	# directly and through unbound, gives the verdict a real CA would.
	say "7: CAA: Pebble issues anyway; caa-probe gives a real CA's verdict"
	fault "servfail $N7F CAA"
	queries_clear
	lego_http "$N7D" "$STATE/7-other-ca"
	check "7 CAA names another CA" lego "$N7D" "$STATE/7-other-ca" issued \
		"$msg_issued_lego" "CAA queries: $(dns_seen "$N7D" CAA | cut -d' ' -f2-)"
	[ -s "$CERT" ] && ISSUED_7+=("$N7D")
	lego_http "$N7F" "$STATE/7-caa-fail"
	check "7 servfail CAA" lego "$N7F" "$STATE/7-caa-fail" issued \
		"$msg_issued_lego" "CAA queries: $(dns_seen "$N7F" CAA | cut -d' ' -f2-)"
	[ -s "$CERT" ] && ISSUED_7+=("$N7F")
	local where port
	for where in responder:$RSP_PORT unbound:$UNBOUND_PORT; do
		port=${where#*:}
		where=${where%%:*}
		probe "7 zone example.test" "$N1" "$where" "$port" allowed 0 \
			'^CAA record for example\.test permits issuance by letsencrypt\.org'
		probe "7 CAA names another CA" "$N7D" "$where" "$port" denied 1 \
			'^CAA record for other-ca\.test prevents issuance$'
		probe "7 servfail CAA" "$N7F" "$where" "$port" lookup-failed 2 \
			"^DNS problem: SERVFAIL looking up CAA for $(re_name "$N7F") - the domain's nameservers may be malfunctioning$"
	done
	faults_clear
}

# http_seen NAME: the requests caa-responder's HTTP-01 server got for
# NAME (/http-request-history), e.g. "3 requests, 3 for a token".
http_seen() {
	api POST /http-request-history "{\"host\":\"$1\"}" | python3 -c '
import json, sys
j = json.load(sys.stdin)
n = sum(1 for e in j if e["URL"].startswith("/.well-known/acme-challenge/"))
print("%d requests, %d for a token" % (len(j), n))' 2>/dev/null ||
		echo "no history"
}

scenario_8() {
	# caa-responder takes the client's port, 14402, where Pebble fetches
	# the token: it runs again with --http01 (last: no client listens
	# there after this), and Pebble asks it directly.
	# lego asks Pebble to validate as soon as the file is written; the
	# name's DNS answers come 500 ms late (a fault rule), so Pebble
	# fetches long after the bridge's 20 ms look at the directory.
	say "8: HTTP-01 answered by caa-responder --http01 (/add-http01)"
	stop_ours caa-responder "$rsp_pid" "$work/responder.err"
	rsp_pid=""
	RSP_EXTRA=(--http01 "127.0.0.1:$HTTP01_PORT")
	start_responder
	start_pebble "$RSP_PORT"
	mkdir -p "$STATE/8-webroot"
	start_bridge "$STATE/8-webroot"
	fault "delay $N8 * ms=500"
	lego_http01 "$N8" "$STATE/8-http01" "$STATE/8-webroot"
	local seen
	seen=$(http_seen "$N8")
	check "8 HTTP-01 by responder" lego "$N8" "$STATE/8-http01" issued \
		"$msg_issued_lego" "$seen"
	case $seen in
	"0 requests"* | *" 0 for a token" | "no history")
		row "8 HTTP-01 by responder" "caa-responder http01" \
			"token fetched" "$seen" "$CLIENT_SECS" no
		;;
	esac
	grep -q ' -> /add-http01 200$' "$work/bridge.log" ||
		row "8 HTTP-01 by responder" "http01-bridge" "/add-http01 200" \
			"$(tail -n1 "$work/bridge.log")" "$CLIENT_SECS" no
	stop_pid "$bridge_pid"
	bridge_pid=""
	faults_clear
}

