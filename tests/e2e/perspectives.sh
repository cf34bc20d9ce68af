#!/usr/bin/env bash
# tests/e2e/perspectives.sh -- caa-probe --perspective and --quorum:
# Boulder's multi-perspective cases (va/caa_test.go TestMultiCAARechecking),
# each remote perspective given its own caa-responder through
# server=127.0.0.1#PORT, with its own zones and faults.  The primary is the
# responder of probe_lib.sh (serve).
# shellcheck source=tests/e2e/probe_lib.sh
. "$(dirname "$0")/probe_lib.sh" "${1:-}" "${2:-}"

H=host.example.test
SV="During secondary validation: While processing CAA for $H: "
SERVFAIL="DNS problem: SERVFAIL looking up CAA for $H - the domain's nameservers may be malfunctioning"
RIRS=(ARIN RIPE APNIC LACNIC AFRINIC)

# A hijacked example.test: the same names, a CAA RRset that denies.
sed 's/^@               CAA     0 issue "letsencrypt.org"/@ CAA 0 issue "hijacker.test"/' \
	"$DATA/example.test.zone" >"$tmp/hijacked.zone"
HIJACKED=()
for z in "${BASE_ZONES[@]}"; do
	case $z in
	*/example.test.zone) HIJACKED+=("$tmp/hijacked.zone") ;;
	*) HIJACKED+=("$z") ;;
	esac
done

# The remotes' responders: RPID[i], RPORT[i], query log $tmp/rI.qlog.
RPID=() RPORT=()
stop_remotes() {
	local i
	for i in "${!RPID[@]}"; do
		stop_pid "${RPID[$i]}"
	done
	RPID=() RPORT=()
}
trap 'stop_remotes; cleanup' EXIT

# remote I MODE [RULES...]: remote I's responder, MODE ok, broken
# (SERVFAIL for CAA of $H) or hijacked (a denying example.test).
remote() {
	local i=$1 mode=$2 line="" zones=("${BASE_ZONES[@]}") args=()
	shift 2
	[ "$mode" = hijacked ] && zones=("${HIJACKED[@]}")
	[ "$mode" = broken ] && args=(-f "servfail $H CAA")
	: >"$tmp/r$i.out"
	: >"$tmp/r$i.qlog"
	(exec "$RESPONDER" -l 127.0.0.1:0 -q "$tmp/r$i.qlog" "${args[@]}" "$@" \
		"${zones[@]}" >"$tmp/r$i.out" 2>"$tmp/r$i.err") &
	RPID[i]=$!
	for _ in $(seq 1 200); do
		line=$(grep -m1 '^ready ' "$tmp/r$i.out" 2>/dev/null || true)
		[ -n "$line" ] && break
		sleep 0.1
	done
	RPORT[i]=$(ready_port "$line" udp '127\.0\.0\.1')
	if [ -z "${RPORT[i]}" ]; then
		fail "remote $i starts" "a ready line" "$(cat "$tmp/r$i.err")"
		return 1
	fi
}

# remotes MODE...: one remote per MODE (stopping the previous ones).
remotes() {
	local i=0 m
	stop_remotes
	for m in "$@"; do
		remote "$i" "$m" || return 1
		i=$((i + 1))
	done
}

# P: the --perspective options of the running remotes, named p1..pN, their
# RIRs in turn (RIR_OF overrides: a list, one a remote).
persp() {
	local i rirs=("${RIR_OF[@]:-${RIRS[@]}}")
	P=()
	for i in "${!RPORT[@]}"; do
		P+=(--perspective "p$((i + 1))=server=127.0.0.1#${RPORT[$i]},rir=${rirs[$((i % ${#rirs[@]}))]}")
	done
}
RIR_OF=()

serve || finish

# No fault anywhere: every remote corroborates.
remotes ok ok ok ok ok && persp
judge "no fault" allowed $H "${P[@]}"
field_is "no fault" 0.quorum 5/5
field_is "no fault" 0.perspectives.0.name p1
field_is "no fault" 0.perspectives.0.rir ARIN
field_is "no fault" 0.perspectives.4.verdict allowed
field_is "no fault" 0.perspectives.4.lookups.1.records 1
check "no fault: each remote asked its own server" 1 "$(qlog_count "$tmp/r3.qlog" $H CAA)"

# One remote broken: 4/5 is the quorum of 5.
remotes ok broken ok ok ok && persp
judge "one broken" allowed $H "${P[@]}"
field_is "one broken" 0.quorum 4/5
field_is "one broken" 0.perspectives.1.verdict lookup-failed
field_is "one broken" 0.perspectives.1.reason "$SERVFAIL"

# Two remotes broken: the first failing remote's reason, Boulder's prefix.
remotes ok broken ok broken ok && persp
judge "two broken" lookup-failed $H "${P[@]}"
field_is "two broken" 0.quorum 3/5
reason_is "two broken" "$SV$SERVFAIL"
field_is "two broken" 0.error.detail "$SV$SERVFAIL"
probe "${P[@]}" $H
check "two broken, text: verdict" "$H: lookup-failed" "$(head -n1 <<<"$POUT")"
check_match "two broken, text: quorum line" '^  perspectives: quorum 3/5$' "$POUT"
check_match "two broken, text: the failing remote's line" "^    p2  RIPE     lookup-failed  $SERVFAIL" "$POUT"
check_match "two broken, text: a corroborating line" '^    p1  ARIN     allowed$' "$POUT"
check "two broken, text: exit status" 2 "$PRC"

# --quorum 3 accepts 3/5.
judge "two broken, --quorum 3" allowed $H "${P[@]}" --quorum 3

# One remote hijacked (its answer denies): still corroborated.
remotes ok ok hijacked ok ok && persp
judge "one hijacked" allowed $H "${P[@]}"
field_is "one hijacked" 0.quorum 4/5
field_is "one hijacked" 0.perspectives.2.verdict denied

# Two hijacked: denied, in the first failing remote's words.
remotes ok hijacked ok ok hijacked && persp
judge "two hijacked" denied $H "${P[@]}"
reason_is "two hijacked" "${SV}CAA record for example.test prevents issuance"
field_is "two hijacked" 0.quorum 3/5

# The primary denies: it decides alone, no remote is asked.
remotes ok ok ok ok ok && persp
judge "primary denies" denied host.deny.test "${P[@]}"
reason_is "primary denies" "CAA record for deny.test prevents issuance"
field_is "primary denies" 0.quorum null
field_is "primary denies" 0.perspectives.0.verdict null
field_is "primary denies" 0.perspectives.0.name p1
stop_remotes_logs=0
for i in 0 1 2 3 4; do
	stop_remotes_logs=$((stop_remotes_logs + $(wc -l <"$tmp/r$i.qlog")))
done
check "primary denies: the remotes' query logs are empty" 0 "$stop_remotes_logs"
probe "${P[@]}" host.deny.test
check_match "primary denies, text" '^  perspectives: not asked' "$POUT"
check_match "primary denies, text: a line per perspective" '^    p5  AFRINIC  not asked$' "$POUT"

# The primary fails its lookup: the same, a lookup failure of its own.
serve -f "servfail $H CAA" || finish
judge "primary fails" lookup-failed $H "${P[@]}"
reason_is "primary fails" "$SERVFAIL"
serve || finish

# Too few RIRs: every remote corroborates, all in ARIN: Boulder's words.
RIR_OF=(ARIN)
remotes ok ok ok && persp
judge "one RIR" lookup-failed $H "${P[@]}"
reason_is "one RIR" "During secondary validation: validation failed but the problem is unavailable"
field_is "one RIR" 0.quorum 3/3
# Quorum met (2/3) but the two corroborating in one RIR: the failing
# remote's reason.
RIR_OF=(ARIN ARIN RIPE)
remotes ok ok broken && persp
judge "quorum, one RIR" lookup-failed $H "${P[@]}"
reason_is "quorum, one RIR" "$SV$SERVFAIL"
field_is "quorum, one RIR" 0.quorum 2/3
# Two RIRs among the corroborating: allowed.
RIR_OF=(ARIN RIPE ARIN)
remotes ok ok broken && persp
judge "quorum, two RIRs" allowed $H "${P[@]}"
RIR_OF=()

# One or two remotes: no RIR rule; one remote must corroborate.
remotes broken && persp
judge "one remote broken" lookup-failed $H "${P[@]}"
field_is "one remote broken" 0.quorum 0/1
remotes ok broken && persp
judge "two remotes, one broken" allowed $H "${P[@]}"
field_is "two remotes, one broken" 0.quorum 1/2

# The remotes run at once: five remotes that answer after 300 ms take
# about one lookup's time, not five.
stop_remotes
for i in 0 1 2 3 4; do
	remote "$i" ok -f 'delay . CAA ms=300' || finish
done
persp
judge "concurrent remotes" allowed $H "${P[@]}"
# Each remote's first query, by its responder's clock: all within a
# lookup's time (one after the other, 300 ms apart at least).
spread=$("$PY" -c '
import datetime, json, sys
t = []
for f in sys.argv[1:]:
    line = open(f).readline()
    ts = json.loads(line)["ts"].rstrip("Z")
    t.append(datetime.datetime.fromisoformat(ts).timestamp())
print(int((max(t) - min(t)) * 1000))' "$tmp"/r[0-4].qlog 2>/dev/null || echo none)
if [ "$spread" != none ] && [ "$spread" -lt 250 ]; then
	pass
else
	fail "concurrent remotes: their first queries within 250 ms" "< 250 ms" "$spread ms"
fi

# from=: each remote asks from its own address.
remotes ok && P=(--perspective "p1=server=127.0.0.1#${RPORT[0]},from=127.0.0.2")
judge "from=" allowed $H "${P[@]}"
check_match "from=: the remote's query came from 127.0.0.2" '"client":"127\.0\.0\.2' "$(cat "$tmp/r0.qlog")"

# A batch with perspectives: every name, jsonl and brief.
remotes ok broken ok hijacked ok && persp
printf '%s\n' $H www.example.test host.deny.test >"$tmp/names"
probe -o jsonl -q "${P[@]}" -f "$tmp/names"
check "batch: exit status (a quorum failing on a lookup failure)" 2 "$PRC"
check "batch: three reports" 3 "$(grep -c '"quorum"' <<<"$POUT")"
check_match "batch: host failed by the quorum" "\"name\":\"$H\".*\"verdict\":\"lookup-failed\".*\"quorum\":\"3/5\"" "$POUT"
check_match "batch: www corroborated 4/5" '"name":"www.example.test".*"verdict":"allowed".*"quorum":"4/5"' "$POUT"
check_match "batch: host.deny.test decided by the primary" '"name":"host.deny.test".*"quorum":null' "$POUT"
probe -o brief -q "${P[@]}" -f "$tmp/names"
check "batch, brief: first line" "$H lookup-failed $SV$SERVFAIL" "$(head -n1 <<<"$POUT")"

# Without --perspective, no new keys.
probe -o json $H
check "no perspectives: no quorum key" "<missing>" "$(jget 0.quorum)"
check "no perspectives: no perspectives key" "<missing>" "$(jget 0.perspectives)"

# Usage errors name the option and the field.
run --quorum 2 $H
check "--quorum alone: usage" 64 "$PRC"
check_match "--quorum alone: message" 'caa-probe: --quorum needs --perspective' "$PERR"
run -s 127.0.0.1 --perspective 'p1=from=1.2.3' $H
check "bad from=: usage" 64 "$PRC"
check_match "bad from=: message" "bad value 'p1=from=1.2.3' for --perspective \(from=: not an IP address '1.2.3'\)" "$PERR"
run -s 127.0.0.1 --perspective 'p1=rir=MARS' $H
check_match "bad rir=: message" "rir=: 'MARS' is not ARIN, RIPE, APNIC, LACNIC or AFRINIC" "$PERR"
run -s 127.0.0.1 --perspective 'p1=port=5' $H
check_match "unknown field: message" "port=: unknown field" "$PERR"
run -s 127.0.0.1 --perspective a= --perspective b= --perspective c=rir=ARIN $H
check "three without rir=: usage" 64 "$PRC"
check_match "three without rir=: message" "caa-probe: --perspective a: rir= is needed with 3 or more perspectives" "$PERR"
run -s 127.0.0.1 --perspective a= --quorum 2 $H
check_match "--quorum over the remotes" "bad value '2' for --quorum \(more than the 1 remote perspectives\)" "$PERR"
run -s 127.0.0.1 --perspective 'a=server=[::1' $H
check_match "bad server=: message" "caa-probe: --perspective a: server=: bad server" "$PERR"

stop_remotes
finish
