#!/usr/bin/env bash
# tests/e2e/referral.sh -- a delegation no zone here serves (deleg.test.)
# answers with a referral: NOERROR, AA clear, no answer, the NS RRset in
# authority and the glue in additional.  DS at the cut belongs to the
# parent, which answers it authoritatively.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" "${1:-}"

start_responder "${ZONE_FILES[@]}" || finish

referral() {
	expect rcode NOERROR
	expect noflag aa
	expect count ANSWER 0
	expect count AUTHORITY 2
	expect rr AUTHORITY 'deleg.test. IN NS ns1.deleg.test.'
	expect rr AUTHORITY 'deleg.test. IN NS ns2.deleg.test.'
	expect rr ADDITIONAL 'ns1.deleg.test. IN A 192.0.2.53'
	expect rr ADDITIONAL 'ns2.deleg.test. IN A 192.0.2.54'
	expect rr ADDITIONAL 'ns2.deleg.test. IN AAAA 2001:db8::54'
}

for tool in dig kdig drill; do
	ask $tool www.deleg.test A
	referral
	ask $tool a.b.deleg.test CAA
	referral
	# At the cut itself, even for NS: the parent's NS are not authoritative.
	ask $tool deleg.test NS
	referral
	ask $tool deleg.test CAA
	referral
	# The glue's own name is below the cut too.
	ask $tool ns1.deleg.test A
	referral
	# DS is the parent side's: NODATA with the parent's SOA, AA set.
	ask $tool deleg.test DS
	expect rcode NOERROR
	expect flag aa
	expect count ANSWER 0
	expect rr AUTHORITY 'test. IN SOA ns1.test. hostmaster.test. 2026112201 7200 3600 1209600 300'
done

# The same seen octet for octet: header counts.
raw ask "$HOST4" "$PORT4" www.deleg.test CAA
expect kv rcode NOERROR
expect kv aa 0
expect kv ancount 0
expect kv nscount 2
expect kv arcount 3

# A child served by this process answers itself: no referral for it.
ask dig flag0.caa.test CAA
expect rcode NOERROR
expect flag aa
expect count ANSWER 1

finish
