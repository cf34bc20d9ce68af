#!/usr/bin/env bash
# tests/e2e/probe_cli.sh -- caa-probe's command line and reports: -h, -V,
# usage errors (exit 64, the bad option named), names a CA refuses (exit
# 64, Let's Encrypt's words), a Unicode name, the server forms (-s, -p,
# @HOST, HOST#PORT, IPv6), the text report (verdict first, no colour off
# a terminal, colour on one), the JSON object of docs/probe.md, the
# default policy (it follows the CA), the output streams (report on
# stdout, diagnostics on stderr).
# shellcheck source=tests/e2e/probe_lib.sh
. "$(dirname "$0")/probe_lib.sh" "${1:-}" "${2:-}"

# usage WANT ARGS...: exit 64, nothing on stdout, WANT on stderr.
usage() {
	local want=$1
	shift
	run "$@"
	check "usage error ($*): exit status" 64 "$PRC"
	check "usage error ($*): stdout" "" "$POUT"
	check_match "usage error ($*): message" "$want" "$PERR"
}

run -h
check "-h: exit status" 0 "$PRC"
check_match "-h: usage on stdout" '^usage: caa-probe \[OPTIONS\] NAME' "$POUT"
for opt in --ca --account-uri --method --known-tag --policy --server --port \
	--timeout --tries --file --jobs --format; do
	check_match "-h lists $opt" "$opt" "$POUT"
done
check "-h: nothing on stderr" "" "$PERR"
run --help
check "--help" 0 "$PRC"
# The version is the project's (CMakeLists.txt, project(caalab VERSION ...)).
version=$(sed -n 's/^project(caalab VERSION \([0-9.]*\).*/\1/p' "$E2E_DIR/../../CMakeLists.txt")
run -V
check "-V" "0 caa-probe ${version:-?}" "$PRC $POUT"

usage 'no NAME given' --ca letsencrypt.org
usage 'no NAME given'
usage "bad value '0' for --timeout" --timeout 0 a.test
usage "bad value 'x' for --tries" --tries x a.test
usage "bad value '99999' for -p/--port" -p 99999 a.test
usage "bad value 'yaml' for -o/--format" -o yaml a.test
usage "bad value 'strict' for --policy" --policy strict a.test
usage "bad value '0' for -j/--jobs" -j 0 a.test
usage "bad value '' for --ca" --ca "" a.test
usage "unknown option --bogus" --bogus a.test
usage "option --ca needs a value" a.test --ca
# refused REASON NAME [MORE...]: a name a CA would refuse is a usage error
# (exit 64, nothing on stdout) naming it, with Let's Encrypt's words.
refused() {
	local reason=$1 name=$2
	shift
	run "$@"
	check "refused $name: exit status" 64 "$PRC"
	check "refused $name: stdout" "" "$POUT"
	check "refused $name: message" "caa-probe: bad NAME '$name' ($reason)" "$PERR"
}

# Refused before any lookup: no server is needed to say so.
refused "Domain name can not have two dots in a row" a..test
refused "Domain name contains an invalid wildcard. A wildcard is only permitted before the first dot in a domain name" 'www.*.test'
refused "Domain name contains an invalid character" https://deny.caa.test/
refused "Domain name contains an invalid character" 'www.caa.test,ok'
refused "Domain name contains an invalid character" www.caa.test:443
refused "Domain name contains an invalid character" _dmarc.caa.test
refused "Identifier type is DNS but value is an IP address" 192.0.2.1
refused "Identifier type is DNS but value is an IP address" 2001:db8::1
refused "Domain has a label (component between dots) longer than 63 bytes" \
	"$(printf 'a%.0s' $(seq 1 64)).test"
refused "Domain name is longer than 253 bytes" "$(printf 'abcdefghi.%.0s' $(seq 1 26))test"
refused "Domain name has more than one wildcard" '*.*.caa.test'
refused "Domain name contains malformed punycode" www.xn--m.caa.test
refused "Domain name contains an invalid label in a reserved format (R-LDH: '??--')" ab--cd.caa.test
refused "Identifier value (name) is empty" ""
refused "Domain name contains an invalid character" 'a b.test' ok.test
usage "bad value '$tmp/none' for -f/--file" -f "$tmp/none"
usage "-s/--server" -s '127.0.0.1#99999' a.test
usage "-s/--server" -s '[::1' a.test

# shellcheck disable=SC2119 # serve takes optional rules, none here
serve || finish

# The server forms.
run -s "$HOST4" -p "$PORT4" host.deny.test
check "-s -p" 1 "$PRC"
run "@$HOST4" -p "$PORT4" host.deny.test
check "@HOST -p" 1 "$PRC"
run "@$HOST4#$PORT4" host.deny.test
check "@HOST#PORT" 1 "$PRC"
run --server "$HOST4#$PORT4" -p 9 host.deny.test
check "#PORT wins over -p" 1 "$PRC"
run -s "$HOST6" -p "$PORT6" -o json host.deny.test
check "IPv6 server" "1 denied" "$PRC $(jget 0.verdict)"
run -s "[$HOST6]#$PORT6" host.deny.test
check "[IPv6]#PORT" 1 "$PRC"
run -s localhost -p "$PORT4" --timeout 300 --tries 1 -o json host.deny.test
check_match "a host name as server" '^(1|2)$' "$PRC"

# Text: the verdict first, then reason, RRset, lookups, warnings; no
# escape sequences when stdout is not a terminal; nothing on stderr.
probe xss.caatestsuite.test
check "text: first line" "xss.caatestsuite.test: denied" "$(printf '%s\n' "$POUT" | head -n1)"
check "text: second line" "  reason:   CAA record for xss.caatestsuite.test prevents issuance" \
	"$(printf '%s\n' "$POUT" | sed -n 2p)"
check_match "text: the value shown escaped" "^    -> 0 issue \"<script>alert\\('Wheeeeee'\\)</script>\"$" "$POUT"
order=$(printf '%s\n' "$POUT" | grep -Eo '^  (reason|request|relevant|lookups|warnings)' | tr -d ' ' | paste -sd' ' -)
check "text: sections in order" "reason request relevant lookups warnings" "$order"
check_match "text: lookups with RCODE and time" '^    \* xss\.caatestsuite\.test +NOERROR +1 record +[0-9]+\.[0-9] ms$' "$POUT"
if grep -q $'\033' <<<"$POUT"; then
	fail "text: no colour off a terminal" "no ESC" "ESC found"
else
	pass
fi
check "text: stderr empty" "" "$PERR"
probe -o json 'odd\\name.test'
check "a backslash is an invalid NAME" 64 "$PRC"
probe -o json host.deny.test.
check "a final dot is accepted" "1 host.deny.test denied" "$PRC $(jget 0.name) $(jget 0.verdict)"
# A Unicode name: looked up as A-labels, both forms reported.
probe -o json 'Hôte.deny.test'
check "a Unicode name" "1 xn--hte-kna.deny.test hôte.deny.test denied" \
	"$PRC $(jget 0.name) $(jget 0.unicode) $(jget 0.verdict)"
check "a Unicode name: the A-label asked" "xn--hte-kna.deny.test" "$(jget 0.lookups.0.name)"
probe 'hôte.deny.test'
check "text: the A-labels first" "xn--hte-kna.deny.test: denied" "$(printf '%s\n' "$POUT" | head -n1)"
check_match "text: the Unicode form" '^  unicode:  hôte\.deny\.test$' "$POUT"

# Colour only on a terminal (script(1) gives the probe a pty).
if command -v script >/dev/null 2>&1; then
	LAST_CMD="script caa-probe host.deny.test"
	OUT=$(TERM=xterm timeout 30 script -qec "'$PROBE' -s $HOST4 -p $PORT4 host.deny.test" /dev/null 2>&1)
	check_match "colour on a terminal" $'\033\\[1;31mdenied\033\\[0m' "$OUT"
	OUT=$(NO_COLOR=1 TERM=xterm timeout 30 script -qec "'$PROBE' -s $HOST4 -p $PORT4 host.deny.test" /dev/null 2>&1)
	if grep -q $'\033\\[' <<<"$OUT"; then
		fail "NO_COLOR" "no colour" "colour"
	else
		pass
	fi
fi

# JSON: the object of docs/probe.md, key for key (ms aside).
probe -o json host.deny.test
check "json: valid, one element" 1 "$(jget '*.name' | wc -l)"
check "json: the keys in order" "name wildcard ca policy verdict reason relevant allowed_issuers error lookups warnings" \
	"$(printf '%s' "$POUT" | "$PY" -c 'import json,sys; print(" ".join(json.load(sys.stdin)[0].keys()))')"
check "json: the object" \
	'{"name":"host.deny.test","wildcard":false,"ca":"letsencrypt.org","policy":"boulder","verdict":"denied","reason":"CAA record for deny.test prevents issuance","relevant":{"name":"deny.test","records":[{"flags":0,"tag":"issue","value":"otherca.test"}]},"allowed_issuers":["otherca.test"],"error":null,"lookups":[{"name":"host.deny.test","rcode":"NOERROR","dnssec":null,"records":0,"cname":[],"ms":0},{"name":"deny.test","rcode":"NOERROR","dnssec":null,"records":1,"cname":[],"ms":0},{"name":"test","rcode":"NOERROR","dnssec":null,"records":0,"cname":[],"ms":0}],"warnings":[]}' \
	"$(printf '%s' "$POUT" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)[0]
for l in d["lookups"]:
    assert isinstance(l["ms"], float) and l["ms"] >= 0
    l["ms"] = 0
print(json.dumps(d, separators=(",", ":")))')"
check_match "json: ms with one decimal" '"ms":[0-9]+\.[0-9][,}]' "$POUT"
# The default policy follows the CA: boulder for Let's Encrypt (the
# default CA), rfc8659 for any other; --policy always wins.  flag1 holds
# an issue for letsencrypt.org and a tag with flag bit 1, which Let's
# Encrypt reads as critical: denied by default, allowed by the RFC.
probe -o json flag1.cases.test
check "default policy: Let's Encrypt's" "boulder denied 1" \
	"$(jget 0.policy) $(jget 0.verdict) $PRC"
probe -o json --ca letsencrypt.org flag1.cases.test
check "default policy: --ca letsencrypt.org" "boulder denied" "$(jget 0.policy) $(jget 0.verdict)"
probe -o json --policy rfc8659 flag1.cases.test
check "--policy rfc8659 wins" "rfc8659 allowed 0" "$(jget 0.policy) $(jget 0.verdict) $PRC"
probe -o json --ca other.test host.deny.test
check "default policy: another CA" "rfc8659 denied" "$(jget 0.policy) $(jget 0.verdict)"
probe -o json --ca letsencrypt.org --ca other.test host.deny.test
check "default policy: not only Let's Encrypt" "rfc8659" "$(jget 0.policy)"
probe --ca other.test host.deny.test
check_match "text: the policy that applied" '^  request:  ca other\.test, policy rfc8659$' "$POUT"
probe host.deny.test
check_match "text: the default policy" '^  request:  ca letsencrypt\.org, policy boulder$' "$POUT"

probe -o jsonl host.deny.test
check "jsonl: one line" 1 "$(printf '%s\n' "$POUT" | wc -l)"
check_match "jsonl: an object" '^\{"name":"host\.deny\.test",.*\}$' "$POUT"

finish
