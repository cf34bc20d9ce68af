#!/usr/bin/env bash
# tests/e2e/alias.sh -- CNAME chains (followed in the zone, returned as is
# out of it, loops ended), DNAME with a synthesized CNAME (RFC 6672) and
# wildcards (RFC 4592), from zones/alias.test.zone.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" "${1:-}"

start_responder "${ZONE_FILES[@]}" || finish

soa='alias.test. IN SOA ns1.test. hostmaster.alias.test. 2026112201 7200 3600 1209600 300'

for tool in dig kdig drill; do
	# A two-hop chain inside the zone is followed to the data.
	ask $tool chain.alias.test CAA
	expect rcode NOERROR
	expect flag aa
	expect count ANSWER 3
	expect rr ANSWER 'chain.alias.test. IN CNAME cname.alias.test.'
	expect rr ANSWER 'cname.alias.test. IN CNAME target.alias.test.'
	expect rr ANSWER 'target.alias.test. IN CAA 0 issue "letsencrypt.org"'

	# Asking for the CNAME itself is not following it.
	ask $tool cname.alias.test CNAME
	expect rcode NOERROR
	expect count ANSWER 1
	expect rr ANSWER 'cname.alias.test. IN CNAME target.alias.test.'

	# Into another zone (served by this process or not): returned as is.
	ask $tool other-zone.alias.test CAA
	expect rcode NOERROR
	expect flag aa
	expect count ANSWER 1
	expect rr ANSWER 'other-zone.alias.test. IN CNAME flag0.caa.test.'
	expect nrr ANSWER 'flag0.caa.test. IN CAA 0 issue "letsencrypt.org"'

	ask $tool outside.alias.test CAA
	expect rcode NOERROR
	expect flag aa
	expect count ANSWER 1
	expect rr ANSWER 'outside.alias.test. IN CNAME www.example.net.'

	# A loop ends: each CNAME once.
	ask $tool loop1.alias.test CAA
	expect rcode NOERROR
	expect flag aa
	expect count ANSWER 2
	expect rr ANSWER 'loop1.alias.test. IN CNAME loop2.alias.test.'
	expect rr ANSWER 'loop2.alias.test. IN CNAME loop1.alias.test.'

	# A chain ending at a name that does not exist: NXDOMAIN (RFC 6604),
	# the CNAME kept, the SOA in authority.
	ask $tool dangling.alias.test CAA
	expect rcode NXDOMAIN
	expect flag aa
	expect rr ANSWER 'dangling.alias.test. IN CNAME nowhere.alias.test.'
	expect rr AUTHORITY "$soa"

	# DNAME: the DNAME, the synthesized CNAME (owner = the question), and
	# the chain followed inside the zone.
	ask $tool www.old.alias.test CAA
	expect rcode NOERROR
	expect flag aa
	expect count ANSWER 3
	expect rr ANSWER 'old.alias.test. IN DNAME new.alias.test.'
	expect rr ANSWER 'www.old.alias.test. IN CNAME www.new.alias.test.'
	expect rr ANSWER 'www.new.alias.test. IN CAA 0 issue "otherca.test"'

	# The DNAME's own name is not redirected.
	ask $tool old.alias.test DNAME
	expect rcode NOERROR
	expect count ANSWER 1
	expect rr ANSWER 'old.alias.test. IN DNAME new.alias.test.'

	# Synthesis to a name that does not exist: NXDOMAIN with both records.
	ask $tool nothing.old.alias.test CAA
	expect rcode NXDOMAIN
	expect rr ANSWER 'old.alias.test. IN DNAME new.alias.test.'
	expect rr ANSWER 'nothing.old.alias.test. IN CNAME nothing.new.alias.test.'
	expect rr AUTHORITY "$soa"

	# DNAME into another zone: synthesized, not followed.
	ask $tool flag0.moved.alias.test CAA
	expect rcode NOERROR
	expect flag aa
	expect count ANSWER 2
	expect rr ANSWER 'moved.alias.test. IN DNAME caa.test.'
	expect rr ANSWER 'flag0.moved.alias.test. IN CNAME flag0.caa.test.'

	# Wildcards: the owner of a synthesized record is the question.
	ask $tool anything.wild.alias.test CAA
	expect rcode NOERROR
	expect flag aa
	expect count ANSWER 1
	expect rr ANSWER 'anything.wild.alias.test. IN CAA 0 issue "wild.ca.test"'

	ask $tool a.b.wild.alias.test CAA
	expect rcode NOERROR
	expect count ANSWER 1
	expect rr ANSWER 'a.b.wild.alias.test. IN CAA 0 issue "wild.ca.test"'

	ask $tool anything.wild.alias.test TXT
	expect rcode NOERROR
	expect rr ANSWER 'anything.wild.alias.test. IN TXT "synthesized from *.wild.alias.test."'

	# The wildcard matches, the type does not: NODATA.
	ask $tool anything.wild.alias.test A
	expect rcode NOERROR
	expect flag aa
	expect count ANSWER 0
	expect rr AUTHORITY "$soa"

	# An existing name is not covered by the wildcard (RFC 4592 2.2.1).
	ask $tool host.wild.alias.test CAA
	expect rcode NOERROR
	expect count ANSWER 0
	expect rr AUTHORITY "$soa"

	# Nor is an empty non-terminal, nor the names below it (their closest
	# encloser is deep.wild, which has no wildcard child).
	ask $tool deep.wild.alias.test CAA
	expect rcode NOERROR
	expect count ANSWER 0
	expect rr AUTHORITY "$soa"
	ask $tool x.deep.wild.alias.test CAA
	expect rcode NXDOMAIN
	expect flag aa
	expect rr AUTHORITY "$soa"

	# The wildcard's own name answers with its records as they are.
	ask $tool '*.wild.alias.test' CAA
	expect rcode NOERROR
	expect rr ANSWER '*.wild.alias.test. IN CAA 0 issue "wild.ca.test"'

	# A wildcard CNAME: synthesized, then followed inside the zone.
	ask $tool foo.wc.alias.test CAA
	expect rcode NOERROR
	expect flag aa
	expect count ANSWER 2
	expect rr ANSWER 'foo.wc.alias.test. IN CNAME target.alias.test.'
	expect rr ANSWER 'target.alias.test. IN CAA 0 issue "letsencrypt.org"'
done

finish
