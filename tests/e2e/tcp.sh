#!/usr/bin/env bash
# tests/e2e/tcp.sh -- TCP: the 1001-record CAA RRset at many.big.test.
# (about 30 KB) gets TC over UDP and arrives whole over TCP; dig falls back
# by itself; several queries share one connection, pipelined or split
# across writes; an idle connection is closed.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" "${1:-}"

start_responder "${ZONE_FILES[@]}" || finish

# Over UDP the answer cannot fit: TC.
ask dig many.big.test CAA +ignore
expect rcode NOERROR
expect flag tc
ask kdig many.big.test CAA +ignore
expect flag tc
ask drill many.big.test CAA -b 1232
expect flag tc
raw ask "$HOST4" "$PORT4" many.big.test CAA --edns 0 --bufsize 1232
expect kv tc 1
size=$(out_kv size)
if [ "${size:-99999}" -le 1232 ]; then pass; else fail "TC reply within 1232 octets" "<= 1232" "$size"; fi

# dig retries over TCP by itself and gets all 1001 records.
if [ "$TPORT4" = "$PORT4" ]; then
	ask dig many.big.test CAA
	expect rcode NOERROR
	expect flag aa
	expect noflag tc
	expect count ANSWER 1001
	expect nrecords ANSWER CAA 1001
	check_match "dig said it retried over TCP" 'Truncated, retrying in TCP mode' "$OUT"
else
	fail "UDP and TCP on one --listen address share the port" "$PORT4" "$TPORT4"
fi

# Straight over TCP, each tool.
for tool in dig kdig; do
	QPORT=$TPORT4 ask $tool many.big.test CAA +tcp
	expect rcode NOERROR
	expect flag aa
	expect noflag tc
	expect count ANSWER 1001
	expect nrecords ANSWER CAA 1001
	expect rr ANSWER 'many.big.test. IN CAA 0 issue "ca0001.test"'
	expect rr ANSWER 'many.big.test. IN CAA 0 issue "ca0500.test"'
	expect rr ANSWER 'many.big.test. IN CAA 0 issue "ca1001.test"'
done
QPORT=$TPORT4 ask drill many.big.test CAA -t
expect rcode NOERROR
expect noflag tc
expect count ANSWER 1001
expect nrecords ANSWER CAA 1001
raw ask "$HOST4" "$TPORT4" many.big.test CAA --tcp
expect kv tc 0
expect kv ancount 1001
check "1001 distinct records over TCP" 1001 "$(out_kv answer | sort -u | wc -l)"

# Small answers over TCP are the same as over UDP.
QPORT=$TPORT4 ask dig nothere.caa.test CAA +tcp
expect rcode NXDOMAIN
expect flag aa
expect rr AUTHORITY 'caa.test. IN SOA ns1.test. hostmaster.caa.test. 2026112201 7200 3600 1209600 300'

# Several queries on one connection, sent at once (pipelined).
raw pipeline "$HOST4" "$TPORT4" caa.test:CAA many.big.test:CAA nothere.caa.test:CAA \
	www.deleg.test:A example.com:A
expect kv replies 5
ids=$(out_kv '[0-9]*\.id' | sort | paste -sd' ' -)
check "the replies carry the five query IDs" "4096 4097 4098 4099 4100" "$ids"
expect kvhas '[0-9]*\.ancount' 1001
expect kvhas '[0-9]*\.rcode' NXDOMAIN
expect kvhas '[0-9]*\.rcode' REFUSED
expect kvhas '[0-9]*\.nscount' 2

# Length prefixes and messages split across writes are put back together.
raw pipeline --split "$HOST4" "$TPORT4" flag0.caa.test:CAA flag128.caa.test:CAA
expect kv replies 2
expect kvhas '[0-9]*\.answer' "flag0.caa.test. CAA $(caa_hex 0 issue letsencrypt.org)"
expect kvhas '[0-9]*\.answer' "flag128.caa.test. CAA $(caa_hex 128 issue letsencrypt.org)"

# kdig keeps one connection open for several queries.
LAST_CMD="kdig +tcp +keepopen (3 queries)"
OUT=$(timeout 20 kdig @"$HOST4" -p "$TPORT4" +norec +tcp +keepopen +timeout=3 +retry=0 \
	flag0.caa.test CAA many.big.test CAA nothere.caa.test CAA 2>&1)
check "kdig: three replies" 3 "$(printf '%s\n' "$OUT" | grep -c -- '->>HEADER<<-')"
check "kdig: the statuses in order" "NOERROR NOERROR NXDOMAIN" \
	"$(printf '%s\n' "$OUT" | sed -n 's/.*status: \([A-Z]*\).*/\1/p' | paste -sd' ' -)"
check_match "kdig: the 1001-record answer among them" 'ANSWER: 1001;' "$OUT"

# The server still serves after all that.
ask dig flag0.caa.test CAA
expect rcode NOERROR
expect count ANSWER 1

# A connection left idle is closed by the server (--tcp-idle-timeout, in
# milliseconds), after its last answer.
start_responder --tcp-idle-timeout 500 "${ZONE_FILES[@]}" || finish
raw idle "$HOST4" "$TPORT4" caa.test --wait 5
check "the idle connection was answered first" answered "$(printf '%s\n' "$OUT" | head -n1)"
check_match "the idle connection is closed within 5 s" '^closed_after=' "$(printf '%s\n' "$OUT" | tail -n1)"

finish
