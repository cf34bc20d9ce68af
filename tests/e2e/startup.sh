#!/usr/bin/env bash
# tests/e2e/startup.sh -- the command line and zone loading: the ready
# line, -z and positional files, $INCLUDE relative to the including file,
# a root zone beside its children, bare CAA values; a bad zone stops
# start-up with status 1 and "file:line: reason"; -h and -V.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" "${1:-}"

# run_once ARGS...: run the responder to its end (at most 10 s); sets
# STATUS, and its output is in $tmp/once.out and $tmp/once.err.
run_once() {
	LAST_CMD="caa-responder $*"
	OUT=""
	timeout 10 "$RESPONDER" "$@" >"$tmp/once.out" 2>"$tmp/once.err" </dev/null
	STATUS=$?
	OUT="stdout: $(head -c 300 "$tmp/once.out") stderr: $(head -c 600 "$tmp/once.err")"
}

# The ready line: every socket with its real port, UDP and TCP of one
# address on one port.
start_responder "${ZONE_FILES[@]}" || finish
check_match "ready line format" \
	'^ready udp=127\.0\.0\.1:[1-9][0-9]* tcp=127\.0\.0\.1:[1-9][0-9]* udp=\[::1\]:[1-9][0-9]* tcp=\[::1\]:[1-9][0-9]*' \
	"$READY_LINE"
check "UDP and TCP on 127.0.0.1 share the port" "$PORT4" "$TPORT4"
check "UDP and TCP on [::1] share the port" "$PORT6" "$TPORT6"

# $INCLUDE resolves against the including file's directory, whatever the
# working directory; -z and positional files mix.
for dir in "$ZONES_DIR/.." "$tmp" /; do
	cd "$dir" || exit 1
	if [ "$dir" = "$ZONES_DIR/.." ]; then
		start_responder -z zones/test.zone zones/caa.test.zone || finish
	else
		start_responder -z "$ZONES_DIR/test.zone" "$ZONES_DIR/caa.test.zone" || finish
	fi
	ask dig account.caa.test CAA
	expect rcode NOERROR
	expect rr ANSWER 'account.caa.test. IN CAA 0 issue "letsencrypt.org; accounturi=https://acme-v02.api.letsencrypt.org/acme/acct/1234"'
	ask dig example.test A
	expect rcode NOERROR
	# alias.test. is not loaded this time: the parent refers to it.
	ask dig target.alias.test CAA
	expect rcode NOERROR
	expect noflag aa
	expect rr AUTHORITY 'alias.test. IN NS ns1.test.'
done
cd "$tmp" || exit 1

# A root zone beside its children: the longest origin wins, and names
# under no other zone are the root's (NXDOMAIN, not REFUSED).
cat >"$tmp/root.zone" <<'ZONE'
; a root zone for the test
$ORIGIN .
$TTL 86400
@       SOA     a.root.test. hostmaster.root.test. 1 1800 900 604800 86400
@       NS      a.root.test.
ZONE
start_responder "$tmp/root.zone" "${ZONE_FILES[@]}" || finish
ask dig www.example.com A
expect rcode NXDOMAIN
expect flag aa
expect rr AUTHORITY '. IN SOA a.root.test. hostmaster.root.test. 1 1800 900 604800 86400'
ask dig nothere.test A
expect rcode NXDOMAIN
expect rr AUTHORITY 'test. IN SOA ns1.test. hostmaster.test. 2026112201 7200 3600 1209600 300'
ask dig flag0.caa.test CAA
expect rcode NOERROR
expect count ANSWER 1
check "the responder survives queries with a root zone loaded" yes \
	"$(responder_alive && echo yes || echo no)"

# CAA values without quotes, and a CAA record written as a generic one next
# to the same record in presentation form (one record, not two).
cat >"$tmp/forms.test.zone" <<'ZONE'
; CAA forms
$ORIGIN forms.test.
$TTL 60
@       SOA     ns1.test. hostmaster.forms.test. 1 7200 3600 1209600 60
@       NS      ns1.test.
bare    CAA     0 issue letsencrypt.org
same    CAA     0 issue "ca.test"
same    TYPE257 \# 14 00056973737565 63612e74657374
flag255 CAA     255 issue "ca.test"
ZONE
start_responder "$tmp/forms.test.zone" || finish
ask dig bare.forms.test CAA
expect rcode NOERROR
expect rr ANSWER 'bare.forms.test. IN CAA 0 issue "letsencrypt.org"'
ask dig same.forms.test CAA
expect count ANSWER 1
ask dig flag255.forms.test CAA
expect rr ANSWER 'flag255.forms.test. IN CAA 255 issue "ca.test"'
stop_responder

# A syntax error stops start-up: status 1, "file:line: reason", no ready.
cat >"$tmp/bad.test.zone" <<'ZONE'
; line 1
$ORIGIN bad.test.
$TTL 60
@       SOA     ns1.test. hostmaster.bad.test. 1 7200 3600 1209600 60
@       NS      ns1.test.
x       CAA     notaflag issue "ca.test"
ZONE
run_once -l 127.0.0.1:0 "${ZONE_FILES[@]}" "$tmp/bad.test.zone"
check "a bad zone: exit status 1" 1 "$STATUS"
check_match "a bad zone: file:line: reason on stderr" 'bad\.test\.zone:6: .+' "$(cat "$tmp/once.err")"
check "a bad zone: no ready line" "" "$(grep '^ready' "$tmp/once.out")"

# The same for an error inside an included file: its own name and line.
printf '; included\nok      A       192.0.2.1\nbad     AAAA    not-an-address\n' >"$tmp/part.inc"
cat >"$tmp/inc.test.zone" <<'ZONE'
$ORIGIN inc.test.
$TTL 60
@       SOA     ns1.test. hostmaster.inc.test. 1 7200 3600 1209600 60
$INCLUDE part.inc
ZONE
run_once -l 127.0.0.1:0 "$tmp/inc.test.zone"
check "a bad included file: exit status 1" 1 "$STATUS"
check_match "a bad included file: its file:line on stderr" 'part\.inc:3: .+' "$(cat "$tmp/once.err")"

# A zone without an SOA.
cat >"$tmp/nosoa.test.zone" <<'ZONE'
$ORIGIN nosoa.test.
$TTL 60
@       NS      ns1.test.
x       A       192.0.2.1
ZONE
run_once -l 127.0.0.1:0 "$tmp/nosoa.test.zone"
check "a zone without SOA: exit status 1" 1 "$STATUS"
check_match "a zone without SOA: the file is named" 'nosoa\.test\.zone' "$(cat "$tmp/once.err")"

# A file that does not exist.
run_once -l 127.0.0.1:0 "$tmp/missing.zone"
check "a missing zone file: exit status 1" 1 "$STATUS"
check_match "a missing zone file: the file is named" 'missing\.zone' "$(cat "$tmp/once.err")"

# -h: usage on stdout, status 0; -V: the version; a bad option fails.
run_once -h
check "-h: exit status 0" 0 "$STATUS"
check_match "-h: usage on stdout" '--listen' "$(cat "$tmp/once.out")"
check_match "-h: usage names --query-log" '--query-log' "$(cat "$tmp/once.out")"
run_once -V
check "-V: exit status 0" 0 "$STATUS"
check_match "-V: a version number" '[0-9]+\.[0-9]+\.[0-9]+' "$(cat "$tmp/once.out")"
run_once --no-such-option
if [ "$STATUS" != 0 ] && [ "$STATUS" != 124 ]; then pass; else fail "an unknown option fails" "non-zero status" "$STATUS"; fi

finish
