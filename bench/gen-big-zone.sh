#!/usr/bin/env bash
# gen-big-zone.sh FILE [N]: write a zone big.test. with N records (default
# 1,000,000): SOA, 2 NS, apex A/AAAA, 3 apex CAA, 2 glue A and N-10 host A
# records h0..h(N-11). The last record is h(N-11).big.test A.  Only
# documentation / benchmarking address ranges are used as record data.
set -euo pipefail
f=$1; n=${2:-1000000}
{
cat <<'Z'
$ORIGIN big.test.
$TTL 3600
@       IN SOA  ns1.big.test. hostmaster.big.test. 1 7200 3600 1209600 300
@       IN NS   ns1.big.test.
@       IN NS   ns2.big.test.
@       IN A    192.0.2.1
@       IN AAAA 2001:db8::1
@       IN CAA  0 issue "letsencrypt.org"
@       IN CAA  0 issuewild ";"
@       IN CAA  128 iodef "mailto:security@big.test"
ns1     IN A    192.0.2.53
ns2     IN A    192.0.2.54
Z
awk -v n="$((n - 10))" 'BEGIN { for (i = 0; i < n; i++) printf "h%d\tIN A\t198.%d.%d.%d\n", i, 18 + int(i/64516), int((i%64516)/254), (i%254)+1 }'
} > "$f"
