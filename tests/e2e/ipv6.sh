#!/usr/bin/env bash
# tests/e2e/ipv6.sh -- the [::1] listener answers as the 127.0.0.1 one does,
# over UDP and TCP, with dig, kdig and drill.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" "${1:-}"

start_responder "${ZONE_FILES[@]}" || finish

for tool in dig kdig drill; do
	QHOST=$HOST6 QPORT=$PORT6 ask $tool flags.caa.test CAA
	expect rcode NOERROR
	expect flag aa
	expect count ANSWER 2
	expect rr ANSWER 'flags.caa.test. IN CAA 0 issue "letsencrypt.org"'
	expect rr ANSWER 'flags.caa.test. IN CAA 128 iodef "mailto:security@caa.test"'

	QHOST=$HOST6 QPORT=$PORT6 ask $tool nothere.alias.test CAA
	expect rcode NXDOMAIN
	expect flag aa

	QHOST=$HOST6 QPORT=$PORT6 ask $tool www.example.com A
	expect rcode REFUSED
done

QHOST=$HOST6 QPORT=$TPORT6 ask dig many.big.test CAA +tcp
expect rcode NOERROR
expect count ANSWER 1001
QHOST=$HOST6 QPORT=$TPORT6 ask kdig many.big.test CAA +tcp
expect count ANSWER 1001

raw ask "$HOST6" "$PORT6" flag130.caa.test CAA
expect kv rcode NOERROR
expect kvhas answer "flag130.caa.test. CAA $(caa_hex 130 issue letsencrypt.org)"
raw ask "$HOST6" "$TPORT6" flag130.caa.test CAA --tcp
expect kv rcode NOERROR
expect kv ancount 1

finish
