#!/usr/bin/env bash
# tests/e2e/dnssec_diff.sh -- caa-responder --dnssec against NSD: the same
# zone (tests/data/dnssec/sig.test.zone), signed by the responder at load
# and by ldns-signzone with the same key (from --key-dir) for NSD.  For each
# kind of answer (data, DNSKEY, NODATA, NXDOMAIN, wildcard, wildcard NODATA,
# empty non-terminal, DS, referrals with and without DS) both must give the
# same RCODE, AA and TC, and in each section the same RRset types and counts
# (an RRSIG counted by the type it covers); signature octets differ (ECDSA is
# randomised).  NSEC, then NSEC3; then the file ldns-signzone signed, served
# by the responder as it is.  One difference is NSD's alone, and left
# out: the apex NS RRset it adds to the authority of positive answers.  Skipped (77) without nsd or ldns-signzone.
. "$(dirname "$0")/lib.sh" "$1"

for tool in nsd ldns-signzone; do
	if ! command -v "$tool" >/dev/null; then
		echo "dnssec_diff: $tool is not installed: skipped"
		exit 77
	fi
done

DATA=$(cd "$E2E_DIR/../data/dnssec" && pwd)
NSD_PID=""

stop_nsd() {
	stop_pid "$NSD_PID"
	NSD_PID=""
}
trap 'stop_nsd; cleanup' EXIT

# start_nsd SIGNED-FILE: NSD serving sig.test. from it; sets NPORT.
start_nsd() {
	stop_nsd
	NPORT=$(free_port)
	mkdir -p "$tmp/nsd"
	cat >"$tmp/nsd/nsd.conf" <<CONF
server:
    ip-address: 127.0.0.1@$NPORT
    port: $NPORT
    username: ""
    chroot: ""
    zonesdir: "$tmp/nsd"
    pidfile: "$tmp/nsd/nsd.pid"
    xfrdfile: "$tmp/nsd/xfrd.state"
    zonelistfile: "$tmp/nsd/zone.list"
    xfrdir: "$tmp/nsd"
    database: ""
    logfile: "$tmp/nsd/nsd.log"
    server-count: 1
    hide-version: yes
remote-control:
    control-enable: no
zone:
    name: "sig.test."
    zonefile: "$1"
CONF
	(exec nsd -d -c "$tmp/nsd/nsd.conf" >"$tmp/nsd/out" 2>&1) &
	NSD_PID=$!
	for _ in $(seq 1 100); do
		dig @127.0.0.1 -p "$NPORT" +norec +time=1 +tries=1 sig.test. SOA 2>/dev/null |
			grep -q 'status: NOERROR' && return 0
		sleep 0.1
	done
	LAST_CMD="nsd -c $tmp/nsd/nsd.conf" fail "nsd starts" "an answer on port $NPORT" \
		"$(tail -n 5 "$tmp/nsd/out" "$tmp/nsd/nsd.log" 2>/dev/null)"
	return 1
}

# shape PORT NAME TYPE: "rcode flags | ANSWER: types | AUTHORITY: ... | ADDITIONAL: ..."
shape() {
	dig @127.0.0.1 -p "$1" +norec +dnssec +time=3 +tries=1 "$2" "$3" 2>&1 | awk '
		/->>HEADER<<-/ { sub(/.*status: /, ""); sub(/,.*/, ""); rcode = $0 }
		/^;; flags:/ {
			f = $0; sub(/^;; flags: /, "", f); sub(/;.*/, "", f)
			n = split(f, a, " "); fl = ""
			for (i = 1; i <= n; i++) if (a[i] == "aa" || a[i] == "tc") fl = fl a[i] " "
		}
		/^;; [A-Z]+ SECTION:/ { sect = $2; next }
		/^$/ { sect = ""; next }
		/^;/ { next }
		sect != "" && sect != "QUESTION" {
			t = $4; if (t == "RRSIG") t = "RRSIG(" $5 ")"
			cnt[sect " " t]++
		}
		END {
			out = rcode " " fl
			split("ANSWER AUTHORITY ADDITIONAL", ss, " ")
			for (s = 1; s <= 3; s++) {
				line = ""
				for (k in cnt) { split(k, p, " "); if (p[1] == ss[s]) line = line p[2] "x" cnt[k] " " }
				m = split(line, w, " "); 
				for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (w[j] < w[i]) { x = w[i]; w[i] = w[j]; w[j] = x }
				line = ""; for (i = 1; i <= m; i++) line = line w[i] " "
				out = out "| " ss[s] ": " line
			}
			print out
		}'
}

QUERIES=(
	"sig.test CAA" "sig.test SOA" "sig.test NS" "sig.test DNSKEY"
	"host.sig.test A" "host.sig.test CAA" "nope.sig.test CAA"
	"x.wild.sig.test CAA" "x.wild.sig.test TXT" "a.b.wild.sig.test A"
	"ent.sig.test A" "b.ent.sig.test CAA" "a.b.ent.sig.test A"
	"child.sig.test DS" "www.unsigned.sig.test A" "unsigned.sig.test DS"
	"www.child.sig.test A" "tocut.sig.test A"
)

# compare MODE: every query, the responder's shape against NSD's.
compare() {
	local q rsp ref
	for q in "${QUERIES[@]}"; do
		# shellcheck disable=SC2086 # NAME TYPE
		rsp=$(shape "$PORT4" $q)
		# shellcheck disable=SC2086
		ref=$(shape "$NPORT" $q)
		# NSD adds the apex NS RRset to the authority section of positive
		# answers (minimal-responses off); caa-responder, as Knot, does
		# not, with or without DNSSEC: not a DNSSEC difference.
		if [[ $ref != *"ANSWER: |"* ]]; then
			ref=$(sed -E 's/(AUTHORITY: .*)NSx1 RRSIG\(NS\)x1 /\1/' <<<"$ref")
		fi
		LAST_CMD="dig +dnssec $q (responder port $PORT4, nsd port $NPORT)"
		check "$1 $q: sections as NSD's" "$ref" "$rsp"
	done
}

# The responder serves sig.test. alone (so that child.sig.test. is a
# referral on both sides) but knows the child's key: it is loaded once
# with both to make the keys, then with sig.test. and the child's DS in
# the file, as NSD gets it.
mkdir -p "$tmp/keys"
start_responder --dnssec --key-dir "$tmp/keys" "$DATA"/sig.test.zone "$DATA"/child.sig.test.zone ||
	{ finish; exit; }
stop_responder
ksig=$(find "$tmp/keys" -name 'Ksig.test.+013+*.private' | head -n1)
ksig=${ksig%.private}
{
	cat "$DATA/sig.test.zone"
	awk '{ $2 = 300; print }' "$tmp"/keys/Kchild.sig.test.+013+*.ds
} >"$tmp/sig.test.zone"

for mode in nsec nsec3; do
	if [ $mode = nsec ]; then
		flags=()
		sflags=()
	else
		flags=(--nsec3)
		sflags=(-n -a 1 -t 0 -s '')
	fi
	mkdir -p "$tmp/nsd"
	ldns-signzone "${sflags[@]}" -o sig.test. -f "$tmp/nsd/sig.test.$mode" "$tmp/sig.test.zone" "$ksig" \
		>"$tmp/signzone.out" 2>&1
	check "ldns-signzone ($mode) signs the zone" 0 "$?"
	start_nsd "sig.test.$mode" || continue
	start_responder --dnssec "${flags[@]}" --key-dir "$tmp/keys" "sig.test.=$tmp/sig.test.zone" ||
		{ finish; exit; }
	compare "$mode"
	# The file ldns-signzone signed, served as it is (it holds DNSKEY and
	# RRSIGs, so --dnssec signs nothing): the same shapes again.
	start_responder --dnssec "sig.test.=$tmp/nsd/sig.test.$mode" || { finish; exit; }
	compare "$mode presigned"
	stop_nsd
done

finish
