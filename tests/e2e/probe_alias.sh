#!/usr/bin/env bash
# tests/e2e/probe_alias.sh -- aliases (docs/probe.md): CNAME
# chains the server follows, CNAMEs into other zones that the probe must
# follow itself, DNAME (RFC 6672) and erratum 5097, the parents of a target
# never climbed (erratum 5065), loops in one zone and across two, and the
# 16-alias limit.
# shellcheck source=tests/e2e/probe_lib.sh
. "$(dirname "$0")/probe_lib.sh" "${1:-}" "${2:-}"

CTS=caatestsuite.test
DP="DNS problem"
serve || finish

# C62: CNAME to a name with CAA; the reason names the name asked.
judge2 "C62" denied denied cname-deny.basic.$CTS
reason_is "C62" "CAA record for cname-deny.basic.$CTS prevents issuance"
field_is "C62" 0.relevant.name cname-deny.basic.$CTS
field_is "C62" 0.lookups.0.cname '["deny.basic.caatestsuite.test"]'
field_is "C62" 0.relevant.records.0.value caatestsuite.com

# C63: CNAME to a CNAME.
judge2 "C63" denied denied cname-cname-deny.basic.$CTS
field_is "C63" 0.lookups.0.cname '["cname-deny.basic.caatestsuite.test","deny.basic.caatestsuite.test"]'

# C64: below a CNAME owner: climb to it, then follow it.
judge2 "C64" denied denied sub1.cname-deny.basic.$CTS
reason_is "C64" "CAA record for cname-deny.basic.$CTS prevents issuance"
field_is "C64" 0.lookups.0.rcode NXDOMAIN

# Into another zone: the server returns the CNAME only, the probe asks
# the target (as the CA's recursive resolver would).
judge2 "other zone" denied denied other-zone.chase.test
field_is "other zone" 0.lookups.0.cname '["deny.basic.caatestsuite.test"]'
judge2 "other zone, permits" allowed allowed to-permit.chase.test
reason_is "other zone, permits" "CAA record for to-permit.chase.test permits issuance by letsencrypt.org"
judge2 "in zone" denied denied in-zone.chase.test
field_is "in zone" 0.lookups.0.cname '["target.chase.test"]'

# Erratum 5065: the target does not exist, its parent forbids, but only
# the name asked is climbed (to chase.test, then test: nothing).
judge2 "dangling CNAME" allowed allowed dangling.chase.test
field_is "dangling CNAME" 0.lookups.0.rcode NXDOMAIN
field_is "dangling CNAME" 0.lookups.0.cname '["nothere.deny.test"]'

# DNAME: a name below it is rewritten (the synthesized CNAME) ...
judge2 "DNAME in zone" denied denied www.old.chase.test
field_is "DNAME in zone" 0.lookups.0.cname '["www.new.chase.test"]'
judge2 "DNAME to another zone" denied denied deny.basic.moved.chase.test
field_is "DNAME to another zone" 0.lookups.0.cname '["deny.basic.caatestsuite.test"]'
judge2 "DNAME to another zone, wildcard" denied denied "*.deny-wild.basic.moved.chase.test"
# ... but the DNAME owner itself is not (erratum 5097): new has CAA that
# would deny, old is not redirected to it.
judge2 "DNAME owner" allowed allowed old.chase.test
field_is "DNAME owner" 0.lookups.0.cname '[]'

# C70: a CNAME loop fails the lookup (strict mode), though the parent
# permits.
judge2 "C70" lookup-failed lookup-failed a.example.test
reason_is "C70" "$DP: CNAME loop looking up CAA for a.example.test"
field_is "C70" 0.error.name a.example.test
# A loop through two zones, found across the probe's own queries.
judge2 "two-zone loop" lookup-failed lookup-failed xloop.chase.test
reason_is "two-zone loop" "$DP: CNAME loop looking up CAA for xloop.chase.test"

# 16 aliases are followed; 17 are too many.
judge2 "16 aliases" allowed allowed m0.chase.test
check "16 aliases: the chain" 16 "$(jget '0.lookups.0.cname.*' | wc -l)"
judge2 "17 aliases" lookup-failed lookup-failed l0.chase.test
reason_is "17 aliases" "$DP: CNAME chain too long looking up CAA for l0.chase.test"

# A fault on the alias target is an error of the name asked.
serve -f "servfail deny.basic.$CTS CAA" || finish
judge "SERVFAIL at the target" lookup-failed other-zone.chase.test
reason_is "SERVFAIL at the target" "$DP: SERVFAIL looking up CAA for other-zone.chase.test - the domain's nameservers may be malfunctioning"
serve -f "drop deny.basic.$CTS CAA" || finish
judge "timeout at the target" lookup-failed other-zone.chase.test --timeout 200 --tries 2
reason_is "timeout at the target" "$DP: query timed out looking up CAA for other-zone.chase.test"
within "timeout at the target (2 x 200 ms)" 380 2500

finish
