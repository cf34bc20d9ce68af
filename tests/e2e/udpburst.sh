#!/usr/bin/env bash
# tests/e2e/udpburst.sh -- a burst of UDP queries that arrives while the
# responder is busy waits in its socket's receive buffer, which is sized
# for bursts (SO_RCVBUF), not dropped by the kernel: udpburst.py stops
# the responder, sends 3000 queries from one socket, lets it go on and
# counts the replies.  With the kernel's default buffer (about 200 KiB)
# only a few hundred are kept.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" "${1:-}"

N=3000
start_responder -v "${ZONE_FILES[@]}" || finish

# -v says what buffer each UDP socket got.
check_match "-v logs the UDP receive buffer obtained" \
	'udp 127\.0\.0\.1:[0-9]+: receive buffer [0-9]+ bytes' "$(cat "$tmp/err")"

# Without CAP_NET_ADMIN the kernel caps the buffer at net.core.rmem_max;
# when that cannot hold the burst, the burst checks say so and are left out.
got=$(sed -n 's/^.*udp 127\.0\.0\.1:[0-9]*: receive buffer \([0-9]*\) bytes.*$/\1/p' "$tmp/err" | head -n1)
if [ "${got:-0}" -lt 2500000 ]; then
	echo "udpburst: the receive buffer is ${got:-unknown} bytes (net.core.rmem_max" \
		"$(cat /proc/sys/net/core/rmem_max 2>/dev/null)): a burst of $N is not checked"
	finish
fi

for host in "$HOST4" "$HOST6"; do
	port=$PORT4
	[ "$host" = "$HOST6" ] && port=$PORT6
	LAST_CMD="udpburst.py $RSP_PID $host $port $N 10"
	OUT=$("$PY" "$E2E_DIR/udpburst.py" "$RSP_PID" "$host" "$port" "$N" 10 2>&1)
	check "a burst of $N queries to $host is answered in full" \
		"answered $N of $N" "$OUT"
	require_responder || finish
done

finish
