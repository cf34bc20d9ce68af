#!/usr/bin/env bash
# scripts/demo.sh -- see caa-responder answer and caa-probe decide: installs
# what is missing, builds both if needed, starts the responder on the zones
# in zones/ on a free loopback port (with one fault rule: SERVFAIL for CAA
# at broken.caa.test), asks it a few questions with dig (each with a line
# saying what to look at), lets caa-probe give a CA's verdict on three
# names (allowed, denied, lookup failed), and stops the responder.
#
#   scripts/demo.sh [--no-bootstrap]
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD

if [ "${1:-}" != --no-bootstrap ]; then
	"$root/scripts/bootstrap.sh" >/dev/null
fi

bin=$root/build/responder/caa-responder
probe=$root/build/probe/caa-probe
echo "== building caa-responder and caa-probe in build/"
if [ ! -f "$root/build/CMakeCache.txt" ]; then
	cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$root/build" --target caa-responder caa-probe \
	-j "$(nproc 2>/dev/null || echo 2)" >/dev/null

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
	"$root"/zones/*.zone >"$tmp/out" 2>"$tmp/err") &
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
echo "== caa-responder (pid $pid) serves zones/*.zone: $ready"
echo

# show EXPLANATION NAME TYPE [DIG-OPTIONS...]
show() {
	local what=$1
	shift
	echo "### $what"
	echo "\$ dig @127.0.0.1 -p $port +norec $*"
	dig @127.0.0.1 -p "$port" +norec +nocmd +nostats "$@" | grep -v '^;; Got answer:$'
}

show "A site's CAA policy (flags 0): one CA may issue (issue), none for wildcards (issuewild \";\"), reports go to iodef." \
	caa.test CAA
show "Flags 0 and 128 side by side: 128 marks a property critical, a CA that does not understand it must not issue." \
	flags.caa.test CAA
show "An unknown tag with the critical flag: no CA may issue for this name." \
	critical.caa.test CAA
show "RFC 8657 parameters: only this ACME account, only with dns-01." \
	account-methods.caa.test CAA
show "NXDOMAIN: the name does not exist; the zone's SOA comes in the authority section (flag aa)." \
	nothere.caa.test CAA
show "NODATA: the name exists (it has an A record) but no CAA; NOERROR, empty answer, the SOA in authority." \
	host.caa.test CAA
show "A referral: deleg.test is delegated to servers elsewhere; NS in authority, glue in additional, no aa flag." \
	www.deleg.test CAA
show "A CNAME chain inside the zone, followed to the CAA records at its end." \
	chain.alias.test CAA
show "A wildcard: the record is synthesized with the name that was asked." \
	anything.wild.alias.test CAA
echo "### 1001 CAA records: too large for UDP, so the reply has the tc flag and dig asks again over TCP."
echo "\$ dig @127.0.0.1 -p $port +norec many.big.test CAA"
dig @127.0.0.1 -p "$port" +norec many.big.test CAA |
	grep -E 'Truncated|^;; flags|^;; SERVER|MSG SIZE' || true

# verdict EXPLANATION NAME: caa-probe's report on NAME, as a CA decides.
verdict() {
	echo
	echo "### $1"
	echo "\$ caa-probe -s 127.0.0.1#$port $2"
	"$probe" -s "127.0.0.1#$port" "$2" || echo "(exit status $?)"
}

echo
echo "== caa-probe: may Let's Encrypt issue?  (exit 0 allowed, 1 denied, 2 lookup failed)"
verdict "allowed: the CAA record at caa.test names letsencrypt.org." www.caa.test
verdict "denied: deny.caa.test has issue \";\", which lets no CA issue." deny.caa.test
verdict "lookup failed: the fault rule makes the CAA query SERVFAIL, and a CA fails closed." \
	broken.caa.test
