#!/usr/bin/env bash
# scripts/demo.sh -- see caa-responder answer and caa-probe decide: installs
# what is missing (scripts/bootstrap.sh --demo), builds both if needed
# (build/, without the tests), starts the responder on the zones in zones/
# on a free loopback port (with one fault rule: SERVFAIL for CAA at
# broken.caa.test), asks it a few questions with dig (each with a line
# saying what to look at), lets caa-probe give a CA's verdict on three
# names (allowed, denied, lookup failed), and stops the responder.  Every
# answer and verdict is checked against what the demo says it shows; the
# status is 1 if one differs.
#
#   scripts/demo.sh [--no-bootstrap] [--installed]
#
#   --no-bootstrap   do not check the installed packages
#   --installed      the installed caalab instead of build/: caa-responder
#                    and caa-probe from PATH, the zones from the
#                    share/caalab/zones beside them (a smoke test of an
#                    installation; no bootstrap, no build)
#   -h, --help       this text
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD

bootstrap=true
installed=false
while [ $# -gt 0 ]; do
	case $1 in
	--no-bootstrap) bootstrap=false ;;
	--installed) installed=true ;;
	-h | --help)
		sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "demo.sh: unknown option $1 (try --help)" >&2
		exit 2
		;;
	esac
	shift
done

if $installed; then
	bin=$(command -v caa-responder || true)
	probe=$(command -v caa-probe || true)
	if [ -z "$bin" ] || [ -z "$probe" ]; then
		echo "demo.sh: --installed: caa-responder and caa-probe must be on PATH" >&2
		exit 1
	fi
	zones=$(cd "$(dirname "$bin")/../share/caalab/zones" 2>/dev/null && pwd) || {
		echo "demo.sh: --installed: no $(dirname "$bin")/../share/caalab/zones" >&2
		exit 1
	}
	if ! command -v dig >/dev/null 2>&1; then
		echo "demo.sh: --installed: dig is not installed (package dnsutils)" >&2
		exit 1
	fi
	echo "== installed caalab: $bin, $probe, zones in $zones"
else
	if $bootstrap; then
		"$root/scripts/bootstrap.sh" --demo >/dev/null
	fi
	bin=$root/build/responder/caa-responder
	probe=$root/build/probe/caa-probe
	zones=$root/zones
	echo "== building caa-responder and caa-probe in build/"
	if [ ! -f "$root/build/CMakeCache.txt" ]; then
		cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
			-DBUILD_TESTING=OFF >/dev/null
	fi
	cmake --build "$root/build" --target caa-responder caa-probe \
		-j "$(nproc 2>/dev/null || echo 2)" >/dev/null
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/caa-demo.XXXXXX")
pid=""
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		echo "== caa-responder (pid $pid) stopped"
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

(exec "$bin" -l 127.0.0.1:0 -f 'servfail broken.caa.test CAA' \
	"$zones"/*.zone >"$tmp/out" 2>"$tmp/err") &
pid=$!
ready=""
for _ in $(seq 1 100); do
	ready=$(grep -m1 '^ready ' "$tmp/out" 2>/dev/null || true)
	[ -n "$ready" ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
if [ -z "$ready" ]; then
	echo "caa-responder did not start:" >&2
	cat "$tmp/err" >&2
	exit 1
fi
port=$(printf '%s\n' "$ready" | sed -n 's/.*udp=127\.0\.0\.1:\([0-9]*\).*/\1/p')
echo "== caa-responder (pid $pid) serves $zones/*.zone: $ready"
echo

# Each answer and verdict is checked: a mismatch is counted and named.
mismatches=0
checks=0
last=""
# want ERE...: the last dig output (or caa-probe report) matches every ERE.
want() {
	local re
	for re in "$@"; do
		checks=$((checks + 1))
		if ! grep -Eq -- "$re" <<<"$last"; then
			mismatches=$((mismatches + 1))
			echo "MISMATCH: expected a line matching /$re/ in the output above" >&2
		fi
	done
}

# show EXPLANATION NAME TYPE [DIG-OPTIONS...]
show() {
	local what=$1
	shift
	echo "### $what"
	echo "\$ dig @127.0.0.1 -p $port +norec $*"
	last=$(dig @127.0.0.1 -p "$port" +norec +nocmd +nostats "$@" 2>&1 |
		grep -v '^;; Got answer:$' || true)
	printf '%s\n' "$last"
}

ws='[[:space:]]+'
show "A site's CAA policy (flags 0): one CA may issue (issue), none for wildcards (issuewild \";\"), reports go to iodef." \
	caa.test CAA
want 'status: NOERROR' 'flags: qr aa;' "^caa\.test\.${ws}[0-9]+${ws}IN${ws}CAA${ws}0 issue \"letsencrypt\.org\"" \
	"CAA${ws}0 issuewild \";\"" "CAA${ws}0 iodef \"mailto:security@caa\.test\""
show "Flags 0 and 128 side by side: 128 marks a property critical, a CA that does not understand it must not issue." \
	flags.caa.test CAA
want 'status: NOERROR' "CAA${ws}0 issue " "CAA${ws}128 iodef "
show "An unknown tag with the critical flag: no CA may issue for this name." \
	critical.caa.test CAA
want 'status: NOERROR' "CAA${ws}128 caatestsuitedummyproperty "
show "RFC 8657 parameters: only this ACME account, only with dns-01." \
	account-methods.caa.test CAA
want 'status: NOERROR' 'accounturi=https://[^;]*; validationmethods=dns-01"'
show "NXDOMAIN: the name does not exist; the zone's SOA comes in the authority section (flag aa)." \
	nothere.caa.test CAA
want 'status: NXDOMAIN' 'flags: qr aa;' 'ANSWER: 0, AUTHORITY: 1,' "^caa\.test\.${ws}[0-9]+${ws}IN${ws}SOA"
show "NODATA: the name exists (it has an A record) but no CAA; NOERROR, empty answer, the SOA in authority." \
	host.caa.test CAA
want 'status: NOERROR' 'flags: qr aa;' 'ANSWER: 0, AUTHORITY: 1,' "^caa\.test\.${ws}[0-9]+${ws}IN${ws}SOA"
show "A referral: deleg.test is delegated to servers elsewhere; NS in authority, glue in additional, no aa flag." \
	www.deleg.test CAA
want 'status: NOERROR' 'flags: qr;' "^deleg\.test\.${ws}[0-9]+${ws}IN${ws}NS${ws}ns1\.deleg\.test\." \
	"^ns1\.deleg\.test\.${ws}[0-9]+${ws}IN${ws}A${ws}192\.0\.2\.53"
show "A CNAME chain inside the zone, followed to the CAA records at its end." \
	chain.alias.test CAA
want 'status: NOERROR' "^chain\.alias\.test\.${ws}[0-9]+${ws}IN${ws}CNAME${ws}cname\.alias\.test\." \
	"^target\.alias\.test\.${ws}[0-9]+${ws}IN${ws}CAA${ws}0 issue "
show "A wildcard: the record is synthesized with the name that was asked." \
	anything.wild.alias.test CAA
want 'status: NOERROR' "^anything\.wild\.alias\.test\.${ws}[0-9]+${ws}IN${ws}CAA${ws}0 issue \"wild\.ca\.test\""
echo "### 1001 CAA records: too large for UDP, so the reply has the tc flag and dig asks again over TCP."
echo "\$ dig @127.0.0.1 -p $port +norec many.big.test CAA"
last=$(dig @127.0.0.1 -p "$port" +norec many.big.test CAA 2>&1 |
	grep -E 'Truncated|^;; flags|^;; SERVER|MSG SIZE' || true)
printf '%s\n' "$last"
want 'Truncated, retrying in TCP mode' 'ANSWER: 1001,' '\(TCP\)'

# verdict EXPLANATION NAME STATUS VERDICT: caa-probe's report on NAME, as a
# CA decides; it must exit with STATUS and give VERDICT.
verdict() {
	local rc=0
	echo
	echo "### $1"
	echo "\$ caa-probe -s 127.0.0.1#$port $2"
	last=$("$probe" -s "127.0.0.1#$port" "$2" 2>&1) || rc=$?
	printf '%s\n' "$last"
	[ "$rc" -eq 0 ] || echo "(exit status $rc)"
	checks=$((checks + 1))
	if [ "$rc" -ne "$3" ]; then
		mismatches=$((mismatches + 1))
		echo "MISMATCH: expected exit status $3, got $rc" >&2
	fi
	want "^${2//./\\.}: $4\$"
}

echo
echo "== caa-probe: may Let's Encrypt issue?  (exit 0 allowed, 1 denied, 2 lookup failed)"
verdict "allowed: the CAA record at caa.test names letsencrypt.org." www.caa.test 0 allowed
verdict "denied: deny.caa.test has issue \";\", which lets no CA issue." deny.caa.test 1 denied
verdict "lookup failed: the fault rule makes the CAA query SERVFAIL, and a CA fails closed." \
	broken.caa.test 2 lookup-failed

echo
if [ "$mismatches" -ne 0 ]; then
	echo "demo: $mismatches of $checks checks did not match (MISMATCH above)" >&2
	exit 1
fi
echo "demo: every answer and verdict as described ($checks checks)"
