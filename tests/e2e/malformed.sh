#!/usr/bin/env bash
# tests/e2e/malformed.sh -- what is not a plain query: another opcode gets
# NOTIMP, QDCOUNT other than 1 gets FORMERR, garbage and truncated
# datagrams are dropped, and the server goes on answering.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" "${1:-}"

start_responder "${ZONE_FILES[@]}" || finish

# Opcodes other than QUERY (0): NOTIMP, with the opcode and ID echoed.
ask dig flag0.caa.test CAA +opcode=status
expect rcode NOTIMP
expect count ANSWER 0
check_match "dig: the reply's opcode is STATUS" 'opcode: STATUS' "$OUT"
for op in 1 2 4 5 15; do
	raw ask "$HOST4" "$PORT4" flag0.caa.test CAA --opcode $op --id $((1000 + op))
	expect kv rcode NOTIMP
	expect kv qr 1
	expect kv opcode $op
	expect kv id $((1000 + op))
	expect kv ancount 0
done
raw ask "$HOST4" "$TPORT4" flag0.caa.test CAA --opcode 4 --tcp
expect kv rcode NOTIMP

# QDCOUNT 0 and 2: FORMERR (RFC 1035 4.1.2 allows one question in practice).
raw ask "$HOST4" "$PORT4" flag0.caa.test CAA --qdcount 0 --id 2000
expect kv rcode FORMERR
expect kv qr 1
expect kv id 2000
expect kv ancount 0
raw ask "$HOST4" "$PORT4" flag0.caa.test CAA --qdcount 2 --id 2002
expect kv rcode FORMERR
expect kv qr 1
expect kv id 2002
expect kv ancount 0
raw ask "$HOST4" "$TPORT4" flag0.caa.test CAA --qdcount 2 --tcp
expect kv rcode FORMERR

# Garbage: random datagrams of several sizes, a 5-octet datagram (shorter
# than a header), a header with no question, a question cut short, a
# response (QR set), a name with a compression loop.
for seed in 1 2 3 4 5 6 7 8; do
	raw --timeout 0.3 send "$HOST4" "$PORT4" --random $((seed * 37)) --seed $seed
done
raw --timeout 0.5 send "$HOST4" "$PORT4" --hex 1234010000
check "a 5-octet datagram gets no reply" noreply "$(printf '%s\n' "$OUT" | head -n1)"
raw --timeout 0.5 send "$HOST4" "$PORT4" --hex 123400000001000000000000
raw --timeout 0.5 send "$HOST4" "$PORT4" --hex 1234000000010000000000000363616104746573
raw --timeout 0.5 send "$HOST4" "$PORT4" --hex 12348400000100000000000003636161047465737400010100
check "a response (QR set) gets no reply" noreply "$(printf '%s\n' "$OUT" | head -n1)"
raw --timeout 0.5 send "$HOST4" "$PORT4" --hex 12340000000100000000000003636161c00c01010001
raw --timeout 0.5 send "$HOST4" "$PORT4" --hex ''
check "the responder survived the garbage" yes "$(responder_alive && echo yes || echo no)"

# ... and a normal query still succeeds, over UDP and TCP.
for tool in dig kdig drill; do
	ask $tool flag0.caa.test CAA
	expect rcode NOERROR
	expect flag aa
	expect rr ANSWER 'flag0.caa.test. IN CAA 0 issue "letsencrypt.org"'
done
QPORT=$TPORT4 ask dig flag0.caa.test CAA +tcp
expect rcode NOERROR
expect count ANSWER 1

# Garbage on a TCP connection does not stop the others.
LAST_CMD="python3: 300 random octets on a TCP connection"
OUT=$(timeout 10 "$PY" - "$HOST4" "$TPORT4" <<'PYEOF' 2>&1
import random, socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
s.sendall(b"\x00\x05" + random.Random(9).randbytes(300))
try:
    s.recv(65535)
except OSError:
    pass
s.close()
print("sent")
PYEOF
)
check "garbage sent over TCP" sent "$OUT"
ask dig flag128.caa.test CAA
expect rcode NOERROR
expect rr ANSWER 'flag128.caa.test. IN CAA 128 issue "letsencrypt.org"'
check "the responder still runs" yes "$(responder_alive && echo yes || echo no)"

finish
