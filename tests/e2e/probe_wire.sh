#!/usr/bin/env bash
# tests/e2e/probe_wire.sh -- caa-probe against replies no correct server
# sends (tests/e2e/probe_wire.py, a scripted server): CAA records off the
# answer chain (ignored, warned), a CNAME beside CAA, a DNAME without its
# synthesized CNAME, foreign replies before the right one (ignored), the
# question in another letter case (0x20), replies crossed between two
# lookups, a reply from another port, a truncated datagram cut inside a
# record, an error without the question, a zero-length TCP message, a
# short datagram, an EDE with EXTRA-TEXT.
# shellcheck source=tests/e2e/probe_lib.sh
. "$(dirname "$0")/probe_lib.sh" "${1:-}" "${2:-}"

DP="DNS problem"

# The scripted server in place of caa-responder: lib.sh stops it by PID.
start_wire_server

# CAA records owned by a name off the chain are ignored, with a warning.
judge2 "off the chain" allowed allowed outside.wire.test
field_is "off the chain" 0.lookups.0.records 1
has_warning "off the chain" caa-outside-chain
# Malformed RDATA fails the lookup in the RRset that counts, and is
# ignored off the chain like the rest of such records.
judge2 "malformed off the chain" allowed allowed badoutside.wire.test
has_warning "malformed off the chain" caa-outside-chain
judge2 "malformed in the RRset" lookup-failed lookup-failed badinside.wire.test
reason_is "malformed in the RRset" "$DP: malformed CAA record looking up CAA for badinside.wire.test"
judge2 "only off the chain" allowed allowed onlyoutside.wire.test
field_is "only off the chain" 0.lookups.0.records 0
field_is "only off the chain" 0.relevant null
has_warning "only off the chain" caa-outside-chain

# A CNAME and CAA at one name: the CAA counts, with a warning.
judge "CNAME beside CAA" allowed both.wire.test
has_warning "CNAME beside CAA" cname-and-caa

# A DNAME without the synthesized CNAME: the probe synthesizes it.
judge2 "DNAME alone" denied denied www.sub.wire.test
field_is "DNAME alone" 0.lookups.0.cname '["www.other.wire.test"]'
reason_is "DNAME alone" "CAA record for www.sub.wire.test prevents issuance"

# Foreign replies (another ID, name, type) are ignored; the right one
# that follows is taken.
judge "foreign replies first" allowed noise.wire.test --timeout 1000 --tries 1
judge "foreign replies over TCP" allowed tcpnoise.wire.test --timeout 1000 --tries 1
# The question in another letter case still matches (0x20).
judge "0x20" allowed case.wire.test

# Two lookups on one socket, each first sent a reply with its ID and the
# other's question: both ignored, the right ones that follow taken.
probe -o json --timeout 2000 --tries 1 cross1.wire.test cross2.wire.test
check "crossed replies: exit status" 0 "$PRC"
check "crossed replies: verdicts" "allowed allowed" "$(jget '*.verdict' | paste -sd' ' -)"
check "crossed replies: records" "1 1" "$(jget '*.lookups.0.records' | paste -sd' ' -)"
# A reply from another port, with the right ID and question: never seen.
judge "reply from another port" allowed spoof.wire.test --timeout 1000 --tries 1
# A datagram shorter than an ID belongs to no lookup: dropped, and the
# answer that follows is taken.
judge "datagram under 2 octets" allowed tiny.wire.test --timeout 1000 --tries 1

# A truncated datagram cut inside a record (TC set) is not read but asked
# again over TCP, whose whole answer decides.
judge2 "TC, cut datagram" allowed allowed cut.wire.test --timeout 1000 --tries 1
field_is "TC, cut datagram" 0.lookups.0.records 2

# An error without the question (NOTIMP, QDCOUNT 0) is that error, not a
# timeout: the ID ties it to the query.
judge2 "NOTIMP without question" lookup-failed lookup-failed noq.wire.test --timeout 1000 --tries 1
reason_is "NOTIMP without question" "$DP: NOTIMP looking up CAA for noq.wire.test"
field_is "NOTIMP without question" 0.lookups.0.rcode NOTIMP

# Broken messages: malformed, never "no CAA", and no hang.
judge "zero-length TCP message" lookup-failed zerotcp.wire.test --timeout 500 --tries 1
reason_is "zero-length TCP message" "$DP: malformed response looking up CAA for zerotcp.wire.test"
judge "short datagram" lookup-failed short.wire.test --timeout 500 --tries 1
reason_is "short datagram" "$DP: malformed response looking up CAA for short.wire.test"

# An Extended DNS Error with EXTRA-TEXT, in Boulder's words.
judge "EDE text" lookup-failed ede.wire.test
reason_is "EDE text" "$DP: looking up CAA for ede.wire.test: DNSSEC: DNSKEY Missing: no key here"

finish
