#!/bin/sh
# tests/acme/make-test-ca.sh -- a throwaway CA and one TLS leaf signed by it,
# for Pebble's HTTPS listener and caa-gate's (Debian ships no certificate
# for Pebble): the leaf names localhost, 127.0.0.1 and ::1, both expire in
# two days.  Clients under test trust ca.pem and nothing else.
#
#   tests/acme/make-test-ca.sh DIR [CN]
#
# Writes DIR/ca.pem, DIR/ca.key (the CA), DIR/cert.pem, DIR/key.pem (the
# leaf) and DIR/openssl.log.  CN is the CA's common name (default "caalab
# throwaway ACME test CA").  Status 0 when the leaf verifies against the
# CA; 1 otherwise, openssl's output on stderr; 2 on a usage error.
set -u

dir=${1:-}
cn=${2:-caalab throwaway ACME test CA}
if [ -z "$dir" ] || [ $# -gt 2 ]; then
	echo "usage: $0 DIR [CN]" >&2
	exit 2
fi
mkdir -p "$dir" || exit 1

if ! (
	cd "$dir" &&
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout ca.key -out ca.pem -days 2 -subj "/CN=$cn" \
			-addext basicConstraints=critical,CA:TRUE \
			-addext keyUsage=critical,keyCertSign,cRLSign &&
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout key.pem -out leaf.csr -subj "/CN=localhost" &&
		printf '%s\n' 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1' \
			'basicConstraints=critical,CA:FALSE' 'keyUsage=critical,digitalSignature' \
			'extendedKeyUsage=serverAuth' >leaf.ext &&
		openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
			-days 2 -out cert.pem -extfile leaf.ext &&
		openssl verify -CAfile ca.pem cert.pem
) >"$dir/openssl.log" 2>&1; then
	cat "$dir/openssl.log" >&2
	echo "make-test-ca: openssl could not make the test CA in $dir" >&2
	exit 1
fi
