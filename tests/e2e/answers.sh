#!/usr/bin/env bash
# tests/e2e/answers.sh -- answers where a parent and its children share the
# process, aliases that end below a delegation, and TSIG, each as Knot DNS
# 3.2 and NSD 4.6 give them for the same zones (tests/data/answers/).
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" "${1:-}"

DATA=$(cd "$E2E_DIR/../data/answers" && pwd)
start_responder "$DATA"/p.test.zone "$DATA"/kid1.p.test.zone \
	"$DATA"/kid2.p.test.zone "$DATA"/kid3.p.test.zone || finish

psoa='p.test. IN SOA ns1.p.test. hm.p.test. 1 7200 3600 1209600 300'

# The referral to deleg.p.test. that ends a chain below that cut.
deleg_referral() {
	expect count AUTHORITY 2
	expect rr AUTHORITY 'deleg.p.test. IN NS ns1.deleg.p.test.'
	expect rr AUTHORITY 'deleg.p.test. IN NS ns2.deleg.p.test.'
	expect rr ADDITIONAL 'ns1.deleg.p.test. IN A 192.0.2.53'
	expect rr ADDITIONAL 'ns2.deleg.p.test. IN A 192.0.2.54'
	expect rr ADDITIONAL 'ns2.deleg.p.test. IN AAAA 2001:db8::54'
}

for tool in dig kdig; do
	# DS at a child's apex is the parent's (RFC 4035 3.1.4.1), even
	# though this process serves the child: the parent's DS ...
	ask $tool kid1.p.test DS
	expect rcode NOERROR
	expect flag aa
	expect count ANSWER 1
	expect count AUTHORITY 0
	expect nrecords ANSWER DS 1
	# ... or the parent's NODATA, with the parent's SOA.
	ask $tool kid2.p.test DS
	expect rcode NOERROR
	expect flag aa
	expect count ANSWER 0
	expect rr AUTHORITY "$psoa"
	ask $tool kid3.p.test DS
	expect rcode NOERROR
	expect count ANSWER 0
	expect rr AUTHORITY "$psoa"
	# Every other type at the apex is the child's.
	ask $tool kid1.p.test A
	expect rcode NOERROR
	expect rr ANSWER 'kid1.p.test. IN A 192.0.2.101'

	# A chain that ends below a delegation goes on with the referral
	# (RFC 1034 4.3.2 step 3b); the alias is authoritative data: AA set.
	ask $tool todeleg.p.test A
	expect rcode NOERROR
	expect flag aa
	expect count ANSWER 1
	expect rr ANSWER 'todeleg.p.test. IN CNAME www.deleg.p.test.'
	deleg_referral
	ask $tool todeleg2.p.test TXT
	expect rcode NOERROR
	expect flag aa
	expect count ANSWER 2
	expect rr ANSWER 'mid.p.test. IN CNAME deleg.p.test.'
	deleg_referral
	ask $tool todeleg.p.test DS
	expect count ANSWER 1
	deleg_referral
	ask $tool foo.wd.p.test A
	expect rcode NOERROR
	expect rr ANSWER 'foo.wd.p.test. IN CNAME x.deleg.p.test.'
	deleg_referral
	ask $tool x.dd.p.test A
	expect rcode NOERROR
	expect count ANSWER 2
	expect rr ANSWER 'dd.p.test. IN DNAME deleg.p.test.'
	expect rr ANSWER 'x.dd.p.test. IN CNAME x.deleg.p.test.'
	deleg_referral
	# Into a child served here: the parent's referral, not the child's
	# data (Knot's answer; the chain stays in its zone).
	ask $tool tokid.p.test A
	expect rcode NOERROR
	expect flag aa
	expect count ANSWER 1
	expect rr ANSWER 'tokid.p.test. IN CNAME www.kid1.p.test.'
	expect count AUTHORITY 1
	expect rr AUTHORITY 'kid1.p.test. IN NS ns1.p.test.'
	expect rr ADDITIONAL 'ns1.p.test. IN A 127.0.0.1'

	# CNAME asked below a DNAME: the DNAME and the synthesized CNAME,
	# nothing followed past it.
	ask $tool x.d.p.test CNAME
	expect rcode NOERROR
	expect flag aa
	expect count ANSWER 2
	expect count AUTHORITY 0
	expect rr ANSWER 'd.p.test. IN DNAME t.p.test.'
	expect rr ANSWER 'x.d.p.test. IN CNAME x.t.p.test.'
	ask $tool www.d.p.test CNAME
	expect rcode NOERROR
	expect count ANSWER 2
	expect count AUTHORITY 0
	# Other types still follow it.
	ask $tool tod.p.test A
	expect rcode NOERROR
	expect count ANSWER 4
	expect rr ANSWER 'www.t.p.test. IN A 192.0.2.7'

	# A DNAME loop ends when a DNAME comes round again (NSD's answer;
	# Knot stops a few CNAMEs later, never at the 16-step limit).
	ask $tool z.loopa.p.test A
	expect rcode NOERROR
	expect count ANSWER 4
	expect rr ANSWER 'loopb.p.test. IN DNAME loopa.p.test.'
	expect rr ANSWER 'z.loopb.p.test. IN CNAME z.loopa.p.test.'
done

# TSIG: no keys here, so BADKEY (RFC 8945 5.2.2): NOTAUTH, AA clear, the
# question kept, and a TSIG record echoing the key, algorithm, time and
# fudge, with no MAC.
key=hmac-sha256:key1:c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0
ask dig www.p.test A -y "$key"
expect rcode NOTAUTH
expect noflag aa
expect count ANSWER 0
expect count ADDITIONAL 2
expect question 'www.p.test. IN A'
check_match "dig shows BADKEY" 'key1\.[[:space:]]+0[[:space:]]+ANY[[:space:]]+TSIG[[:space:]]+hmac-sha256\. [0-9]+ 300 0 [0-9]+ BADKEY 0' "$OUT"
ask kdig www.p.test A -y "$key"
expect rcode BADKEY
ask kdig www.p.test A -y "$key" +tcp
expect rcode BADKEY

# The same octet for octet: TSIG owner, class ANY, TTL 0, then algorithm,
# time signed 0x6b151ab5, fudge 300, MAC size 0, original ID, error 17.
hdr=1234010000010000000000
question=03777777017004746573740000010001
tsig_rd=0b686d61632d73686132353600$(printf '00006b151ab5012c0020%064d' 0)123400000000
tsig=046b6579310000fa00ff00000000003d$tsig_rd
raw send "$HOST4" "$PORT4" --hex "${hdr}01$question$tsig"
expect kv rcode RCODE9
expect kv aa 0
expect kv qdcount 1
expect kv ancount 0
expect kv arcount 1
expect kvhas additional 'key1. TYPE250 0b686d61632d7368613235360000006b151ab5012c0000123400110000'
# A TSIG that is not the last record, or whose RDATA does not parse:
# FORMERR, nothing more.
opt=0000290200000000000000
raw send "$HOST4" "$PORT4" --hex "${hdr}02$question$tsig$opt"
expect kv rcode FORMERR
expect kv arcount 0
raw send "$HOST4" "$PORT4" --hex "${hdr}01${question}046b6579310000fa00ff0000000000040b686d61"
expect kv rcode FORMERR
expect kv arcount 0

# The nodata rule answers DS at a child's apex as the parent would: the
# parent's SOA.
start_responder "$DATA"/p.test.zone "$DATA"/kid1.p.test.zone \
	-f 'nodata kid1.p.test DS' || finish
ask dig kid1.p.test DS
expect rcode NOERROR
expect count ANSWER 0
expect rr AUTHORITY "$psoa"

finish
