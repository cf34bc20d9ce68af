#!/usr/bin/env bash
# tests/e2e/authoritative.sh -- the plain authoritative answers: AA on zone
# data, NXDOMAIN and NODATA with the zone's SOA (an empty non-terminal is
# NODATA), the longest matching origin, REFUSED outside every zone, the
# question's letter case kept.  Asked with dig, kdig and drill alike.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" "${1:-}"

start_responder "${ZONE_FILES[@]}" || finish

for tool in dig kdig drill; do
	# Authoritative data: AA, NOERROR, the records, nothing else.
	ask $tool example.test A
	expect rcode NOERROR
	expect flag aa
	expect flag qr
	expect count ANSWER 1
	expect rr ANSWER 'example.test. IN A 192.0.2.10'

	# The child zone answers for its own apex, not the parent's cut.
	ask $tool caa.test CAA
	expect rcode NOERROR
	expect flag aa
	expect count ANSWER 3
	expect rr ANSWER 'caa.test. IN CAA 0 issue "letsencrypt.org"'
	expect rr ANSWER 'caa.test. IN CAA 0 issuewild ";"'
	expect rr ANSWER 'caa.test. IN CAA 0 iodef "mailto:security@caa.test"'

	# NXDOMAIN: the SOA of the zone that holds the name (the longest origin).
	ask $tool nothere.caa.test CAA
	expect rcode NXDOMAIN
	expect flag aa
	expect count ANSWER 0
	expect count AUTHORITY 1
	expect rr AUTHORITY 'caa.test. IN SOA ns1.test. hostmaster.caa.test. 2026112201 7200 3600 1209600 300'

	ask $tool nothere.test A
	expect rcode NXDOMAIN
	expect flag aa
	expect rr AUTHORITY 'test. IN SOA ns1.test. hostmaster.test. 2026112201 7200 3600 1209600 300'

	# NODATA: the name exists, the type does not.
	ask $tool host.caa.test CAA
	expect rcode NOERROR
	expect flag aa
	expect count ANSWER 0
	expect count AUTHORITY 1
	expect rr AUTHORITY 'caa.test. IN SOA ns1.test. hostmaster.caa.test. 2026112201 7200 3600 1209600 300'

	ask $tool caa.test A
	expect rcode NOERROR
	expect flag aa
	expect count ANSWER 0
	expect rr AUTHORITY 'caa.test. IN SOA ns1.test. hostmaster.caa.test. 2026112201 7200 3600 1209600 300'

	# An empty non-terminal exists: NODATA, not NXDOMAIN (RFC 8020).
	ask $tool ent.alias.test CAA
	expect rcode NOERROR
	expect flag aa
	expect count ANSWER 0
	expect rr AUTHORITY 'alias.test. IN SOA ns1.test. hostmaster.alias.test. 2026112201 7200 3600 1209600 300'

	# Below the empty non-terminal nothing else exists.
	ask $tool other.ent.alias.test CAA
	expect rcode NXDOMAIN
	expect flag aa

	# Outside every zone: REFUSED, no AA, no records.
	ask $tool www.example.com A
	expect rcode REFUSED
	expect noflag aa
	expect count ANSWER 0
	expect count AUTHORITY 0

	ask $tool . SOA
	expect rcode REFUSED
	expect noflag aa

done

# The question comes back with the letter case it was sent with (0x20).
# kdig lowers the name before it sends it, so only dig, drill and dnsraw.
for tool in dig drill; do
	ask $tool ExAmPlE.TeSt A
	expect rcode NOERROR
	expect flag aa
	expect question 'ExAmPlE.TeSt. IN A'
	expect count ANSWER 1

	ask $tool FLAG0.Caa.TEST CAA
	expect rcode NOERROR
	expect question 'FLAG0.Caa.TEST. IN CAA'
	expect count ANSWER 1
done
raw ask "$HOST4" "$PORT4" nOtHeRe.CaA.tEsT CAA
expect kv rcode NXDOMAIN
expect kv question 'nOtHeRe.CaA.tEsT. CAA'

# The SOA and NS of each zone at its apex.
ask dig test SOA
expect rcode NOERROR
expect flag aa
expect rr ANSWER 'test. IN SOA ns1.test. hostmaster.test. 2026112201 7200 3600 1209600 300'
ask dig alias.test NS
expect rcode NOERROR
expect flag aa
expect rr ANSWER 'alias.test. IN NS ns1.test.'

# Recursion desired is echoed, recursion available never set.
ask dig example.test A +rec
expect rcode NOERROR
expect flag rd
expect noflag ra

# The responder answers with the query's ID (dnsraw reads it back).
raw ask "$HOST4" "$PORT4" example.test A --id 54321
expect kv id 54321
expect kv qr 1
expect kv aa 1
expect kv rcode NOERROR

finish
