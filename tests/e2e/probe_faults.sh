#!/usr/bin/env bash
# tests/e2e/probe_faults.sh -- caa-probe against a misbehaving server
# (cases G, docs/probe.md): every RCODE error, EDE, timeouts and retries,
# truncation with and without TCP, garbled and wrong-ID replies, malformed
# CAA RDATA, errors above the relevant RRset, Boulder's NXDOMAIN at the
# TLD.  Each case restarts caa-responder with its fault rule.
# shellcheck source=tests/e2e/probe_lib.sh
. "$(dirname "$0")/probe_lib.sh" "${1:-}" "${2:-}"

H=host.example.test
DP="DNS problem"

# The control: no fault, the permissive apex decides.
serve || finish
judge "control" allowed $H
reason_is "control" "CAA record for example.test permits issuance by letsencrypt.org"

# C72: SERVFAIL at the name, permissive parent: the error decides.
serve -f "servfail $H CAA" || finish
judge2 "C72" lookup-failed lookup-failed $H
reason_is "C72" "$DP: SERVFAIL looking up CAA for $H - the domain's nameservers may be malfunctioning"
field_is "C72" 0.error.name $H
field_is "C72" 0.error.rcode SERVFAIL
field_is "C72" 0.error.detail "$DP: SERVFAIL looking up CAA for $H - the domain's nameservers may be malfunctioning"
field_is "C72" 0.relevant null
field_is "C72" 0.lookups.0.rcode SERVFAIL
field_is "C72" 0.lookups.1.rcode NOERROR
field_is "C72" 0.lookups.1.records 1
probe "$H"
check "C72 text: verdict first" "$H: lookup-failed" "$(printf '%s\n' "$POUT" | head -n1)"
check_match "C72 text: reason" "reason: +$DP: SERVFAIL looking up CAA for $H" "$POUT"

# C78, C79, C80: REFUSED, NOTIMP, FORMERR are final errors too.
for rc in refused notimp formerr; do
	RC=$(printf '%s' "$rc" | tr '[:lower:]' '[:upper:]')
	serve -f "$rc $H CAA" || finish
	judge2 "$RC" lookup-failed lookup-failed $H
	reason_is "$RC" "$DP: $RC looking up CAA for $H"
	field_is "$RC" 0.error.rcode "$RC"
done

# C84: SERVFAIL with an Extended DNS Error, in Boulder's words.
serve -f "servfail $H CAA ede=6" || finish
judge "C84" lookup-failed $H
reason_is "C84" "$DP: looking up CAA for $H: DNSSEC: Bogus"
field_is "C84" 0.error.rcode SERVFAIL

# C86 (policy part): a persistent SERVFAIL is never permission, whatever
# the policy and the tries.
serve -f "servfail $H CAA" || finish
judge2 "C86" lookup-failed lookup-failed $H --tries 3

# RCODEs are final: SERVFAIL is asked once, with 3 tries allowed.
serve -q "$tmp/qlog" -f "servfail $H CAA" || finish
judge "SERVFAIL not retried" lookup-failed $H --tries 3 --timeout 300
stop_responder
check "SERVFAIL asked once" 1 "$(qlog_count "$tmp/qlog" $H CAA)"

# C76: timeout at the name.  drop with --timeout 200 --tries 2: two tries
# of 200 ms, then the failure, in about 400 ms, not more.
serve -q "$tmp/qlog2" -f "drop $H CAA" || finish
judge2 "C76" lookup-failed lookup-failed $H --timeout 200 --tries 2
reason_is "C76" "$DP: query timed out looking up CAA for $H"
field_is "C76" 0.error.rcode null
field_is "C76" 0.lookups.0.rcode null
within "C76 (2 x 200 ms)" 380 2500
ms=$(jget 0.lookups.0.ms)
if awk -v m="$ms" 'BEGIN { exit !(m >= 390 && m < 1500) }'; then pass; else
	fail "C76: the lookup's ms" "about 400" "$ms"; fi
stop_responder
check "C76: asked once per try (2 tries, twice per policy)" 4 "$(qlog_count "$tmp/qlog2" $H CAA)"

# Only a timeout is retried: the first try dropped, the second answered.
serve -f "drop $H CAA count=1" || finish
judge "retry after a timeout" allowed $H --timeout 200 --tries 2
serve -f "drop $H CAA count=1" || finish
judge "no retry with --tries 1" lookup-failed $H --timeout 200 --tries 1

# A late reply to the first try (same ID) still answers the second: sent
# at 0 and 200 ms, each answered 300 ms later, the first at 300 ms.
serve -f "delay $H CAA ms=300" || finish
judge "late reply accepted" allowed $H --timeout 200 --tries 2

# Replies with another ID are never accepted: a timeout.
serve -f "wrongid $H CAA" || finish
judge "wrongid" lookup-failed $H --timeout 200 --tries 2
reason_is "wrongid" "$DP: query timed out looking up CAA for $H"

# Truncated over UDP, answered over TCP: the answer counts.
serve -f "truncate $H CAA" || finish
judge "truncate, TCP answers" allowed $H
field_is "truncate" 0.lookups.0.rcode NOERROR
serve -f "truncate deny.test CAA" || finish
judge "truncate at the relevant RRset" denied host.deny.test
reason_is "truncate at the relevant RRset" "CAA record for deny.test prevents issuance"
# An RRset over 4096 octets: TC=1 from an honest server, then TCP.
serve || finish
judge "big RRset over TCP" allowed big.cases.test
check "big RRset: letsencrypt.org among the records" 1 \
	"$(jget '0.relevant.records.*.value' | grep -cx letsencrypt.org)"
field_is "big RRset" 0.lookups.0.records 41

# Truncated, and TCP broken too: the CA's "response was truncated".
serve -f "truncate $H CAA tcp=drop" || finish
judge "truncate tcp=drop" lookup-failed $H --timeout 200 --tries 2
reason_is "truncate tcp=drop" "$DP: response was truncated looking up CAA for $H"
within "truncate tcp=drop (2 x 200 ms)" 380 2500
serve -f "truncate $H CAA tcp=servfail" || finish
judge "truncate tcp=servfail" lookup-failed $H
reason_is "truncate tcp=servfail" "$DP: SERVFAIL looking up CAA for $H - the domain's nameservers may be malfunctioning"
serve -f "truncate $H CAA tcp=truncate" || finish
judge "TC over TCP" lookup-failed $H
reason_is "TC over TCP" "$DP: response was truncated looking up CAA for $H"

# Garbled answers do not parse: lookup-failed, not "no CAA".
serve -f "garble $H CAA" || finish
judge "garble (no records)" lookup-failed $H
reason_is "garble" "$DP: malformed response looking up CAA for $H"
serve -f "garble example.test CAA" || finish
judge "garble (cut RDATA)" lookup-failed $H
reason_is "garble (cut RDATA)" "$DP: malformed response looking up CAA for example.test"
serve -f "garble $H CAA transport=udp" || finish
judge "garble over UDP only" lookup-failed $H

# Malformed CAA RDATA: fail closed (a lookup failure).
serve || finish
for n in emptytag flagsonly; do
	judge2 "bad RDATA $n" lookup-failed lookup-failed $n.example.test
	reason_is "bad RDATA $n" "$DP: malformed CAA record looking up CAA for $n.example.test"
	field_is "bad RDATA $n" 0.error.rcode NOERROR
done

# Errors above the relevant RRset do not matter (Boulder asks every
# level at once and ignores them) but are warned about.
serve -f "drop test CAA" || finish
judge "timeout above" denied host.deny.test --timeout 200 --tries 1
has_warning "timeout above" lookup-error-above
judge "timeout above" allowed www.example.test --timeout 200 --tries 1
serve -f "servfail test CAA" || finish
judge "SERVFAIL above" allowed $H
has_warning "SERVFAIL above" lookup-error-above
field_is "SERVFAIL above" 0.error null
# ... but an error below, before the RRset, decides.
serve -f "servfail example.test CAA" || finish
judge "error at the parent" lookup-failed $H
reason_is "error at the parent" "$DP: SERVFAIL looking up CAA for example.test - the domain's nameservers may be malfunctioning"

# NXDOMAIN at the TLD: empty under RFC 8659, an error under Boulder.
serve -f "nxdomain test CAA" || finish
judge2 "NXDOMAIN at the TLD" allowed lookup-failed plain.test
judge "NXDOMAIN at the TLD (boulder)" lookup-failed plain.test --policy boulder
reason_is "NXDOMAIN at the TLD (boulder)" "$DP: NXDOMAIN looking up CAA for test - check that a DNS record exists for this domain"
judge2 "NXDOMAIN at the TLD above the RRset" allowed allowed $H
serve "$DATA/root.zone" || finish
judge2 "nonexistent TLD" allowed lookup-failed host.nxtld
field_is "nonexistent TLD" 0.lookups.1.rcode NXDOMAIN

# Faults that change nothing a CA reads: no AA, no SOA.
serve -f "noaa . CAA" -f "nosoa . CAA" || finish
judge "noaa, nosoa" allowed $H
judge "noaa, nosoa (climb)" denied host.deny.test

# Flapping: SERVFAIL on one try in two is still a failure when it hits.
serve -f "servfail $H CAA count=1" || finish
judge "flapping (hit)" lookup-failed $H
judge "flapping (after)" allowed $H

# A server that does not answer at all on that port: a network error or a
# timeout, never permission.
serve || finish
dead=$PORT4
stop_responder
PORT4=$dead
judge "no server" lookup-failed $H --timeout 200 --tries 1
check_match "no server: reason" "^$DP: (networking error|query timed out) looking up CAA for $H$" "$(jget 0.reason)"

finish
