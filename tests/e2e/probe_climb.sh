#!/usr/bin/env bash
# tests/e2e/probe_climb.sh -- RFC 8659 section 3 over the network: the
# relevant RRset is the first non-empty one from the name up to the TLD,
# NXDOMAIN and NODATA both climb on, the closest RRset wins, wildcard
# requests start at their parent, every candidate is asked at once
# (cases A and D, C01-C11, C39, C40, C08 with a CAA at the TLD), and a
# referral read as no answer (C87).
# shellcheck source=tests/e2e/probe_lib.sh
. "$(dirname "$0")/probe_lib.sh" "${1:-}" "${2:-}"

CTS=caatestsuite.test
serve || finish

# C01: no CAA anywhere.
judge2 "C01" allowed allowed c01.cases.test
reason_is "C01" "no CAA record found"
field_is "C01" 0.relevant null
field_is "C01" 0.error null
field_is "C01" 0.lookups.0.rcode NOERROR
field_is "C01" '0.lookups.*.name' "c01.cases.test
cases.test
test"

# C02: CAA at the name permits.
judge2 "C02" allowed allowed c02.cases.test
reason_is "C02" "CAA record for c02.cases.test permits issuance by letsencrypt.org"
field_is "C02" 0.relevant '{"name":"c02.cases.test","records":[{"flags":0,"tag":"issue","value":"letsencrypt.org"}]}'

# C03: another CA only.
judge2 "C03" denied denied deny.basic.$CTS
reason_is "C03" "CAA record for deny.basic.$CTS prevents issuance"

# C04, C05: climb one and two levels through NXDOMAIN.
judge2 "C04" denied denied sub1.deny.basic.$CTS
reason_is "C04" "CAA record for deny.basic.$CTS prevents issuance"
field_is "C04" 0.relevant.name deny.basic.$CTS
field_is "C04" 0.lookups.0.rcode NXDOMAIN
judge2 "C05" denied denied sub2.sub1.deny.basic.$CTS
reason_is "C05" "CAA record for deny.basic.$CTS prevents issuance"
field_is "C05" '0.lookups.*.rcode' "NXDOMAIN
NXDOMAIN
NOERROR
NOERROR
NOERROR
NOERROR"

# NODATA climbs as NXDOMAIN does (RFC 8659 section 3).
judge2 "NODATA climbs" denied denied host.deny.test
field_is "NODATA climbs" 0.lookups.0.rcode NOERROR
reason_is "NODATA climbs" "CAA record for deny.test prevents issuance"
judge "NXDOMAIN climbs" denied nothere.deny.test
field_is "NXDOMAIN climbs" 0.lookups.0.rcode NXDOMAIN
judge "NXDOMAIN to the end" allowed nothere.cases.test

# C06 and C07: the closest RRset wins, loosening or tightening.
judge2 "C06" allowed allowed www.c06.cases.test
judge2 "C06 parent" denied denied c06.cases.test
judge2 "C06 below" allowed allowed a.b.www.c06.cases.test
judge2 "open below deny" allowed allowed open.deny.test
judge2 "C07" denied denied deny.permit.basic.$CTS

# C09: a non-empty RRset without issue/issuewild restricts nothing.
judge2 "C09a" allowed allowed permit.basic.$CTS
reason_is "C09a" "CAA record for permit.basic.$CTS does not restrict issuance"
has_warning "C09a" unknown-tag
judge2 "C09b" allowed allowed "*.permit.basic.$CTS"

# C11: the name's letter case does not matter.
judge2 "C11" denied denied DENY.Basic.CaaTestSuite.TEST
field_is "C11" 0.name deny.basic.$CTS
judge "final dot" denied deny.basic.$CTS.
field_is "final dot" 0.name deny.basic.$CTS

# C39: *.X starts at X.
judge2 "C39" denied denied "*.deny.basic.$CTS"
field_is "C39" 0.wildcard true
field_is "C39" 0.name "*.deny.basic.$CTS"
field_is "C39" 0.lookups.0.name deny.basic.$CTS
reason_is "C39" "CAA record for deny.basic.$CTS prevents issuance"

# C40: issuewild only.
judge2 "C40a" denied denied "*.deny-wild.basic.$CTS"
judge2 "C40b" allowed allowed deny-wild.basic.$CTS
field_is "C40b" 0.wildcard false

# The TLD is asked, never the root; a single-label name is its own TLD.
judge "TLD asked" allowed plain.test
field_is "TLD asked" '0.lookups.*.name' "plain.test
test"
judge "a TLD itself" allowed test
field_is "a TLD itself" '0.lookups.*.name' test

# All candidates at once: with every CAA answer 300 ms late, a name of
# six labels takes about one delay, not six.
serve -f "delay . CAA ms=300" || finish
judge "one round trip" denied sub2.sub1.deny.basic.$CTS --timeout 2000
within "one round trip (6 candidates, 300 ms each)" 280 1500

# C87: a referral is no answer.  Asked directly, the parent's server
# refers ipv6only to nsipv6 (AA clear, NS, no SOA); a CA's resolver would
# follow it, so the probe cannot know the CAA there and must not climb
# past it to the parent's (empty) RRsets: lookup-failed, never allowed.
serve || finish
REFERRAL="DNS problem: referral looking up CAA for ipv6only.$CTS - the server asked is not authoritative for it and does not recurse"
judge2 "C87 referral" lookup-failed lookup-failed ipv6only.$CTS
reason_is "C87 referral" "$REFERRAL"
field_is "C87 referral" 0.lookups.0.rcode NOERROR
judge2 "C87 referral, its CA" lookup-failed lookup-failed ipv6only.$CTS \
	--ca caatestsuite.com
judge "C87 referral below" lookup-failed host.ipv6only.$CTS
reason_is "C87 referral below" "DNS problem: referral looking up CAA for host.ipv6only.$CTS - the server asked is not authoritative for it and does not recurse"
probe -o text ipv6only.$CTS
check "C87 referral: text report" 1 "$(grep -c 'NOERROR.*(referral)' <<<"$POUT")"
# With the child served too, its CAA decides (C87b).
serve "$DATA/ipv6only.caatestsuite.test.zone" || finish
judge2 "C87b" denied denied ipv6only.$CTS
reason_is "C87b" "CAA record for ipv6only.$CTS prevents issuance"
judge2 "C87b, its CA" allowed allowed host.ipv6only.$CTS --ca caatestsuite.com

# C08: CAA only at the TLD.
start_responder "$DATA/tld-deny.zone" "$DATA/example.test.zone" \
	"$DATA/cases.test.zone" || finish
judge2 "C08" denied denied c01.cases.test
reason_is "C08" "CAA record for test prevents issuance"
field_is "C08" 0.relevant.name test
judge2 "C08 wildcard" denied denied "*.cases.test"
# ... where a closer RRset still wins.
judge2 "C08 closer" allowed allowed host.example.test

finish
