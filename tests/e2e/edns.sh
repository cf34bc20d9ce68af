#!/usr/bin/env bash
# tests/e2e/edns.sh -- EDNS0 (RFC 6891): OPT echoed when the query has one
# and only then, BADVERS for a version above 0, and the UDP payload size the
# client advertises honoured (medium.big.test. needs about 800 octets: TC
# at 512, whole at 1232).
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" "${1:-}"

start_responder "${ZONE_FILES[@]}" || finish

# OPT in, OPT out.
ask dig flag0.caa.test CAA +edns=0
expect rcode NOERROR
expect opt
check_match "dig: EDNS version 0 in the reply" '^; EDNS: version: 0' "$OUT"
ask kdig flag0.caa.test CAA +edns=0
expect rcode NOERROR
expect opt
check_match "kdig: EDNS version 0 in the reply" '^;; Version: 0;' "$OUT"
ask drill flag0.caa.test CAA -b 1232
expect rcode NOERROR
expect opt

# No OPT in, no OPT out.
ask dig flag0.caa.test CAA +noedns
expect rcode NOERROR
expect noopt
expect count ADDITIONAL 0
ask kdig flag0.caa.test CAA +noedns
expect rcode NOERROR
expect noopt
ask drill flag0.caa.test CAA
expect rcode NOERROR
expect noopt
raw ask "$HOST4" "$PORT4" flag0.caa.test CAA
expect kv arcount 0
expect kv edns_version ''
raw ask "$HOST4" "$PORT4" flag0.caa.test CAA --edns 0
expect kv arcount 1
expect kv edns_version 0

# An unknown version: BADVERS (extended RCODE 16), OPT with version 0, no
# answer.  dig would otherwise retry with version 0 by itself.
ask dig flag0.caa.test CAA +edns=1 +noednsnegotiation
expect rcode BADVERS
expect opt
expect count ANSWER 0
check_match "dig: the BADVERS reply's OPT is version 0" '^; EDNS: version: 0' "$OUT"
ask kdig flag0.caa.test CAA +edns=1
expect rcode BADVERS
expect count ANSWER 0
raw ask "$HOST4" "$PORT4" flag0.caa.test CAA --edns 1
expect kv rcode BADVERS
expect kv edns_version 0
expect kv ancount 0
raw ask "$HOST4" "$PORT4" flag0.caa.test CAA --edns 255
expect kv rcode BADVERS

# The UDP size: no EDNS means 512 octets, so medium does not fit.
ask dig medium.big.test CAA +noedns +ignore
expect rcode NOERROR
expect flag tc
ask kdig medium.big.test CAA +noedns +ignore
expect flag tc
ask drill medium.big.test CAA
expect flag tc
raw ask "$HOST4" "$PORT4" medium.big.test CAA
expect kv tc 1
size=$(out_kv size)
if [ "${size:-99999}" -le 512 ]; then pass; else fail "reply without EDNS within 512 octets" "<= 512" "$size"; fi

# EDNS with 512 octets: the same.
ask dig medium.big.test CAA +bufsize=512 +ignore
expect flag tc
# Below 512 counts as 512 (RFC 6891 6.2.5), still too small.
raw ask "$HOST4" "$PORT4" medium.big.test CAA --edns 0 --bufsize 100
expect kv tc 1

# EDNS with 1232 octets: all 25 records, no TC.
for tool in dig kdig; do
	ask $tool medium.big.test CAA +bufsize=1232 +ignore
	expect rcode NOERROR
	expect flag aa
	expect noflag tc
	expect count ANSWER 25
	expect nrecords ANSWER CAA 25
	expect rr ANSWER 'medium.big.test. IN CAA 0 issue "m01.ca.test"'
	expect rr ANSWER 'medium.big.test. IN CAA 0 issue "m25.ca.test"'
done
ask drill medium.big.test CAA -b 1232
expect noflag tc
expect count ANSWER 25
raw ask "$HOST4" "$PORT4" medium.big.test CAA --edns 0 --bufsize 1232
expect kv tc 0
expect kv ancount 25

# A large buffer never makes the server send more than the client allows.
raw ask "$HOST4" "$PORT4" many.big.test CAA --edns 0 --bufsize 4096
expect kv tc 1
size=$(out_kv size)
if [ "${size:-99999}" -le 4096 ]; then pass; else fail "reply within the 4096 octets asked" "<= 4096" "$size"; fi

finish
