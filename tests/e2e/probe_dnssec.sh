#!/usr/bin/env bash
# tests/e2e/probe_dnssec.sh -- caa-probe resolving and validating as a CA
# does (-r, --validate, libunbound), and through a validating unbound (-s).
#
# A tiny signed internet in a network namespace of its own (unshare -rnm:
# port 53 on any 127.0.0.x is free there, and /etc/resolv.conf can be
# replaced): one NSD instance on 127.0.0.2 (the root's address in the root
# hints) and 127.0.0.3 (ns.test.), serving the root, test. and one child of
# test. per case, each signed by ldns-signzone with a key of its own
# (ECDSAP256SHA256, one key with flags 257), the DS of each child in test.
# and of test. in the root; the trust anchor is the root's DS.
#
#   good.test      signed: secure, allowed
#   unsigned.test  no DS: insecure, allowed
#   expired.test   signatures expired 5 days ago    -> Signature Expired
#   future.test    signatures valid in 5 days        -> Signature Not Yet Valid
#   nosig.test     DS and DNSKEY, no RRSIG            -> RRSIGs Missing
#   badsig.test    the RRSIG over CAA altered         -> Bogus
#
# (Unbound accepts signatures up to a day out of date, val-sig-skew-max:
# the dates are five days away.)
set -u -o pipefail

if [ "${CAA_NETNS:-}" != 1 ]; then
	for tool in unshare nsd ldns-keygen ldns-signzone ip; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			echo "probe_dnssec: $tool missing (scripts/bootstrap.sh)" >&2
			exit 1
		fi
	done
	CAA_NETNS=1 exec unshare -rnm "$BASH" "$0" "$@"
fi
ip link set lo up

# shellcheck source=tests/e2e/probe_lib.sh
. "$(dirname "$0")/probe_lib.sh" "$1" "$2"

NSD_PID="" UB_PID=""
stop_servers() {
	for p in $NSD_PID $UB_PID; do
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	NSD_PID="" UB_PID=""
}
trap 'stop_servers; cleanup' EXIT

Z=$tmp/zones
mkdir -p "$Z" "$tmp/keys"
now=$(date +%s)
day=86400

# key ZONE: a key for ZONE in $tmp/keys; prints its base name.
key() {
	(cd "$tmp/keys" && ldns-keygen -a ECDSAP256SHA256 -k "$1.")
}

# zone ORIGIN BODY: the zone file $Z/ORIGIN.zone with an SOA and NS.
zone() {
	local origin=$1 ns=$2
	printf '$ORIGIN %s\n$TTL 300\n@ SOA %s hostmaster.test. 1 3600 900 604800 300\n@ NS %s\n%s\n' \
		"$1." "$ns" "$ns" "$3" >"$Z/$origin.zone"
}

# sign ORIGIN KEY [ldns-signzone options]: $Z/ORIGIN.zone.signed.
sign() {
	local origin=$1 k=$2
	shift 2
	cat "$tmp/keys/$k.key" >>"$Z/$origin.zone"
	ldns-signzone "$@" -f "$Z/$origin.zone.signed" "$Z/$origin.zone" "$tmp/keys/$k" ||
		echo "probe_dnssec: cannot sign $origin" >&2
}

children="good expired future nosig badsig"
delegations=""
for c in $children; do
	k=$(key "$c.test")
	zone "$c.test" ns.test. '@ CAA 0 issue "letsencrypt.org"'
	case $c in
	good) sign "$c.test" "$k" ;;
	expired) sign "$c.test" "$k" -i $((now - 10 * day)) -e $((now - 5 * day)) ;;
	future) sign "$c.test" "$k" -i $((now + 5 * day)) -e $((now + 30 * day)) ;;
	nosig)
		cat "$tmp/keys/$k.key" >>"$Z/$c.test.zone"
		cp "$Z/$c.test.zone" "$Z/$c.test.zone.signed"
		;;
	badsig)
		sign "$c.test" "$k"
		# One character of the signature over CAA changed.
		awk '$4 == "RRSIG" && $5 == "CAA" { s = $NF; c = substr(s, 10, 1);
			$NF = substr(s, 1, 9) (c == "A" ? "B" : "A") substr(s, 11) } { print }' \
			"$Z/$c.test.zone.signed" >"$Z/x" && mv "$Z/x" "$Z/$c.test.zone.signed"
		;;
	esac
	delegations+="$c NS ns.test.
$(sed 's/^[^ \t]*[ \t]*[0-9]*[ \t]*IN[ \t]*/'"$c"' /' "$tmp/keys/$k.ds")
"
done
delegations+="unsigned NS ns.test.
"
zone unsigned.test ns.test. '@ CAA 0 issue "letsencrypt.org"'
cp "$Z/unsigned.test.zone" "$Z/unsigned.test.zone.signed"

ktest=$(key test)
zone test ns.test. "ns A 127.0.0.3
$delegations"
sign test "$ktest"

kroot=$(key "")
zone "" a.root-servers.lab. "a.root-servers.lab. A 127.0.0.2
test. NS ns.test.
ns.test. A 127.0.0.3
$(sed 's/^[^ \t]*[ \t]*[0-9]*[ \t]*IN[ \t]*/test. /' "$tmp/keys/$ktest.ds")"
mv "$Z/.zone" "$Z/root.zone"
sed -i 's/^\$ORIGIN \.\.$/$ORIGIN ./' "$Z/root.zone"
sign root "$kroot"
cp "$tmp/keys/$kroot.ds" "$tmp/root.ds"
printf '. 3600000 NS a.root-servers.lab.\na.root-servers.lab. 3600000 A 127.0.0.2\n' >"$tmp/root.hints"

# NSD on 127.0.0.2 and 127.0.0.3, port 53.
{
	printf 'server:\n  ip-address: 127.0.0.2\n  ip-address: 127.0.0.3\n  port: 53\n  do-ip6: no\n'
	printf '  server-count: 1\n  username: ""\n  chroot: ""\n  zonesdir: "%s"\n  database: ""\n' "$Z"
	printf '  pidfile: "%s/nsd.pid"\n  xfrdfile: "%s/xfrd.state"\n  xfrdir: "%s"\n' "$tmp" "$tmp" "$tmp"
	printf '  zonelistfile: "%s/zone.list"\n  logfile: "%s/nsd.log"\n  verbosity: 1\n' "$tmp" "$tmp"
	printf 'remote-control:\n  control-enable: no\n'
	printf 'zone:\n  name: "."\n  zonefile: root.zone.signed\n'
	printf 'zone:\n  name: test.\n  zonefile: test.zone.signed\n'
	for c in $children unsigned; do
		printf 'zone:\n  name: %s.test.\n  zonefile: %s.test.zone.signed\n' "$c" "$c"
	done
} >"$tmp/nsd.conf"
nsd -d -c "$tmp/nsd.conf" >"$tmp/nsd.out" 2>&1 &
NSD_PID=$!
for _ in $(seq 1 100); do
	dig +short +time=1 +tries=1 @127.0.0.3 good.test SOA >/dev/null 2>&1 && break
	sleep 0.1
done

# rprobe ARGS...: caa-probe with exactly ARGS, -o json (see run).
rprobe() {
	run -o json "$@"
}
RSV=(--root-hints "$tmp/root.hints" --trust-anchor "$tmp/root.ds")

# ---- -r: secure, insecure, and each kind of bogus
rprobe -r "${RSV[@]}" good.test
check "secure: verdict" allowed "$(jget 0.verdict)"
check "secure: exit" 0 "$PRC"
check "secure: dnssec of each lookup" "secure secure" "$(jget '0.lookups.*.dnssec' | tr '\n' ' ' | sed 's/ $//')"

rprobe -r "${RSV[@]}" unsigned.test
check "insecure: verdict" allowed "$(jget 0.verdict)"
check "insecure: dnssec" "insecure secure" "$(jget '0.lookups.*.dnssec' | tr '\n' ' ' | sed 's/ $//')"

# bogus CASE WORDS REASON-ERE [ARGS]: lookup-failed with the CA's words.
bogus() {
	local name=$1.test words=$2 ere=$3
	shift 3
	rprobe "$@" "$name"
	check "$name $*: verdict" lookup-failed "$(jget 0.verdict)"
	check "$name: exit status" 2 "$PRC"
	check_match "$name $*: reason" "^DNS problem: looking up CAA for $name: DNSSEC: $words: $ere" "$(jget 0.reason)"
	check "$name: error rcode" SERVFAIL "$(jget 0.error.rcode)"
	check "$name: no record read" 0 "$(jget 0.lookups.0.records)"
}
bogus expired "Signature Expired" "validation failure <expired\.test\. CAA IN>: signature expired" -r "${RSV[@]}"
check "expired: dnssec" bogus "$(jget 0.lookups.0.dnssec)"
bogus future "Signature Not Yet Valid" ".*signature before inception date" -r "${RSV[@]}"
bogus nosig "RRSIGs Missing" ".*no signatures" -r "${RSV[@]}"
bogus badsig "Bogus" ".*(signature crypto failed|verification failed)" -r "${RSV[@]}"

# The text report shows the validation of each lookup.
run -r "${RSV[@]}" expired.test
check_match "text: the bogus lookup" '^    \* expired\.test +SERVFAIL .* dnssec bogus$' "$POUT"
check_match "text: the secure one" '^      test +NOERROR .* dnssec secure$' "$POUT"

# Without -s, -r is the default.
rprobe "${RSV[@]}" good.test
check "default -r: dnssec" secure "$(jget 0.lookups.0.dnssec)"

# --trust-anchor none: resolved, not validated; bogus data reads as data.
rprobe -r --root-hints "$tmp/root.hints" --trust-anchor none expired.test
check "no anchor: verdict" allowed "$(jget 0.verdict)"
check "no anchor: dnssec null" "null" "$(jget 0.lookups.0.dnssec)"

# ---- --validate with -s: the server's answers, validated here
bogus expired "Signature Expired" ".*signature expired" -s 127.0.0.3 --validate --trust-anchor "$tmp/root.ds"
rprobe -s 127.0.0.3 --validate --trust-anchor "$tmp/root.ds" good.test
check "--validate: secure" "allowed secure" "$(jget 0.verdict) $(jget 0.lookups.0.dnssec)"
# -s alone: as before, nothing validated.
rprobe -s 127.0.0.3 expired.test
check "-s alone: not validated" "allowed null" "$(jget 0.verdict) $(jget 0.lookups.0.dnssec)"

# ---- --resolver system: resolv.conf's server, as before -r existed.
printf 'nameserver 127.0.0.3\n' >"$tmp/resolv.conf"
if mount --bind "$tmp/resolv.conf" /etc/resolv.conf; then
	rprobe --resolver system expired.test
	check "--resolver system: as -s" "allowed null" "$(jget 0.verdict) $(jget 0.lookups.0.dnssec)"
	umount /etc/resolv.conf
else
	fail "--resolver system" "resolv.conf replaced" "mount --bind refused"
fi

# ---- a root that never answers: each lookup gives up after --timeout
# times --tries, its question left with libunbound (and freed at the end).
printf '. 3600000 NS a.root.lab.\na.root.lab. 3600000 A 127.0.0.9\n' >"$tmp/silent.hints"
"$PY" -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.9", 53))
time.sleep(30)' &
SILENT_PID=$!
sleep 0.3
t0=$(date +%s%N)
rprobe -r --root-hints "$tmp/silent.hints" --trust-anchor none --timeout 300 --tries 2 a.test b.c.test
t1=$(date +%s%N)
check "silent root: timed out" "DNS problem: query timed out looking up CAA for a.test" "$(jget 0.reason)"
check "silent root: exit" 2 "$PRC"
check_match "silent root: within the deadline" '^[0-9]{1,4}$' "$(((t1 - t0) / 1000000))"
kill "$SILENT_PID" 2>/dev/null
wait "$SILENT_PID" 2>/dev/null

# ---- usage
run -r -s 127.0.0.3 good.test
check "-r with -s: usage" 64 "$PRC"
check_match "-r with -s: message" "exclude each other" "$PERR"
run -r --root-hints "$tmp/nope" good.test
check "missing hints: usage" 64 "$PRC"
check_match "missing hints: message" "root-hints $tmp/nope: No such file" "$PERR"
printf 'x. 300 IN A 127.0.0.1\n' >"$tmp/bad.ta"
run -r --root-hints "$tmp/root.hints" --trust-anchor "$tmp/bad.ta" good.test
check_match "bad anchor: file, line, field" "trust-anchor $tmp/bad.ta:1: a A record" "$PERR"

# ---- through a validating unbound given with -s: its EDE, same words
if command -v unbound >/dev/null 2>&1; then
	cat >"$tmp/unbound.conf" <<CONF
server:
    interface: 127.0.0.53
    port: 53
    username: ""
    chroot: ""
    directory: "$tmp"
    pidfile: "$tmp/unbound.pid"
    use-syslog: no
    logfile: "$tmp/unbound.log"
    num-threads: 1
    do-ip6: no
    root-hints: "$tmp/root.hints"
    trust-anchor-file: "$tmp/root.ds"
    do-not-query-localhost: no
    local-zone: "test." nodefault
    access-control: 127.0.0.0/8 allow
    ede: yes
    val-log-level: 2
remote-control:
    control-enable: no
CONF
	unbound -d -c "$tmp/unbound.conf" >"$tmp/unbound.out" 2>&1 &
	UB_PID=$!
	for _ in $(seq 1 100); do
		dig +time=1 +tries=1 @127.0.0.53 lab. SOA >/dev/null 2>&1 && break
		sleep 0.1
	done
	# First queries only: a cached failure comes back as EDE 6 without text.
	bogus expired "Signature Expired" "validation failure <expired\.test\. CAA IN>: signature expired" -s 127.0.0.53
	bogus nosig "RRSIGs Missing" ".*no signatures" -s 127.0.0.53
	rprobe -s 127.0.0.53 good.test
	check "through unbound: allowed" allowed "$(jget 0.verdict)"
else
	fail "unbound" "unbound installed" "missing (scripts/bootstrap.sh)"
fi
stop_servers
finish
