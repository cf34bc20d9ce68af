#!/usr/bin/env bash
# tests/e2e/caa.sh -- CAA records as zones/caa.test.zone writes them, seen
# by dig, kdig and drill: flags 0, 1, 128, 130, every tag, letter case of
# tags kept, parameters, a value over 255 octets, the records read through
# $INCLUDE, and RFC 3597 generic records sent octet for octet.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" "${1:-}"

start_responder "${ZONE_FILES[@]}" || finish

long_value="ca.test; filler=$(printf '0123456789%.0s' $(seq 1 29))"

for tool in dig kdig drill; do
	ask $tool flag0.caa.test CAA
	expect rcode NOERROR
	expect flag aa
	expect count ANSWER 1
	expect rr ANSWER 'flag0.caa.test. IN CAA 0 issue "letsencrypt.org"'

	ask $tool flag1.caa.test CAA
	expect rr ANSWER 'flag1.caa.test. IN CAA 1 issue "letsencrypt.org"'

	ask $tool flag128.caa.test CAA
	expect rcode NOERROR
	expect count ANSWER 1
	expect rr ANSWER 'flag128.caa.test. IN CAA 128 issue "letsencrypt.org"'

	ask $tool flag130.caa.test CAA
	expect rr ANSWER 'flag130.caa.test. IN CAA 130 issue "letsencrypt.org"'

	ask $tool flags.caa.test CAA
	expect count ANSWER 2
	expect rr ANSWER 'flags.caa.test. IN CAA 0 issue "letsencrypt.org"'
	expect rr ANSWER 'flags.caa.test. IN CAA 128 iodef "mailto:security@caa.test"'

	ask $tool issuewild.caa.test CAA
	expect count ANSWER 2
	expect rr ANSWER 'issuewild.caa.test. IN CAA 0 issue "otherca.test"'
	expect rr ANSWER 'issuewild.caa.test. IN CAA 0 issuewild "letsencrypt.org"'

	ask $tool iodef.caa.test CAA
	expect rr ANSWER 'iodef.caa.test. IN CAA 0 iodef "https://iodef.caa.test/report"'

	ask $tool critical.caa.test CAA
	expect count ANSWER 2
	expect rr ANSWER 'critical.caa.test. IN CAA 128 caatestsuitedummyproperty "test"'
	expect rr ANSWER 'critical.caa.test. IN CAA 0 issue "letsencrypt.org"'

	ask $tool unknown.caa.test CAA
	expect rr ANSWER 'unknown.caa.test. IN CAA 0 dummy "dummy"'

	# The tag's letter case is the zone's, not lowered.
	ask $tool upper.caa.test CAA
	expect rr ANSWER 'upper.caa.test. IN CAA 0 ISSUE "otherca.test"'
	ask $tool mixedcase.caa.test CAA
	expect rr ANSWER 'mixedcase.caa.test. IN CAA 0 IsSuE "otherca.test"'

	ask $tool deny.caa.test CAA
	expect rr ANSWER 'deny.caa.test. IN CAA 0 issue ";"'

	ask $tool params.caa.test CAA
	expect rr ANSWER 'params.caa.test. IN CAA 0 issue "letsencrypt.org; policy=ev; foo=b1,b2,b3"'

	ask $tool long.caa.test CAA
	expect rcode NOERROR
	expect count ANSWER 1
	expect rr ANSWER "long.caa.test. IN CAA 0 issue \"$long_value\""

	# From caa.test.params.inc, read through $INCLUDE.
	ask $tool account.caa.test CAA
	expect rcode NOERROR
	expect rr ANSWER 'account.caa.test. IN CAA 0 issue "letsencrypt.org; accounturi=https://acme-v02.api.letsencrypt.org/acme/acct/1234"'
	ask $tool methods.caa.test CAA
	expect rr ANSWER 'methods.caa.test. IN CAA 0 issue "letsencrypt.org; validationmethods=dns-01"'
	ask $tool account-methods.caa.test CAA
	expect rr ANSWER 'account-methods.caa.test. IN CAA 0 issue "letsencrypt.org; accounturi=https://acme-v02.api.letsencrypt.org/acme/acct/1234; validationmethods=dns-01"'

	# A generic (RFC 3597) record that is a well-formed CAA.
	ask $tool generic.caa.test CAA
	expect rcode NOERROR
	expect rr ANSWER 'generic.caa.test. IN CAA 0 issue "ca.test"'
done

# The same records, octet for octet (RFC 8659 4.1: flags, tag length, tag,
# value), including the generic ones no tool prints.
raw ask "$HOST4" "$PORT4" flag128.caa.test CAA
expect kv rcode NOERROR
expect kvhas answer "flag128.caa.test. CAA $(caa_hex 128 issue letsencrypt.org)"
raw ask "$HOST4" "$PORT4" long.caa.test CAA
expect kvhas answer "long.caa.test. CAA $(caa_hex 0 issue "$long_value")"
raw ask "$HOST4" "$PORT4" generic.caa.test CAA
expect kvhas answer "generic.caa.test. CAA 00056973737565$(hex ca.test)"
raw ask "$HOST4" "$PORT4" badtag.caa.test CAA
expect kv rcode NOERROR
expect kv ancount 1
expect kvhas answer "badtag.caa.test. CAA 0006$(hex is-sue)$(hex letsencrypt.org)"
raw ask "$HOST4" "$PORT4" badtag-critical.caa.test CAA
expect kvhas answer "badtag-critical.caa.test. CAA 8004$(hex is_x)$(hex x)"
raw ask "$HOST4" "$PORT4" emptytag.caa.test CAA
expect kv rcode NOERROR
expect kvhas answer "emptytag.caa.test. CAA 0000$(hex abc)"
raw ask "$HOST4" "$PORT4" flagsonly.caa.test CAA
expect kv rcode NOERROR
expect kv ancount 1
expect kvhas answer "flagsonly.caa.test. CAA 00"

# A CAA query by its number is the same query.
ask dig flag0.caa.test TYPE257
expect rcode NOERROR
expect rr ANSWER 'flag0.caa.test. IN CAA 0 issue "letsencrypt.org"'

finish
