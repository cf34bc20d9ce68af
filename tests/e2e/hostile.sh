#!/usr/bin/env bash
# tests/e2e/hostile.sh -- hostile peers.  caa-responder under 10,000 random
# datagrams, truncated headers, compression loops, a huge QDCOUNT, a TCP
# frame announcing 65535 octets then stalling, 1,000 idle TCP connections
# over --tcp-max-conns, half-closed connections: normal queries are
# answered throughout and its RSS stays bounded.  Then caa-probe against a
# scripted bad server (probe_wire.py): only wrong questions, TC with TCP
# closed, garbage with the right ID, a CNAME loop across replies, never an
# answer: lookup-failed with the CA's reason, within the configured time.
# (API bodies of 10 MB and invalid JSON: api.sh.)
# shellcheck source=tests/e2e/probe_lib.sh
. "$(dirname "$0")/probe_lib.sh" "${1:-}" "${2:-}"

# 1,000 connections and the script's own descriptors.
ulimit -n 4096 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

IDLE_MS=4000 # longer than opening 1,000 connections takes under ASan
MAXCONN=100

# rss: the responder's VmRSS in kB.
rss() {
	sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$RSP_PID/status" 2>/dev/null || echo 0
}

# answers WHAT: a normal query is answered, over UDP and over TCP.
answers() {
	ask dig example.test CAA
	LAST_CMD="$LAST_CMD ($1)" expect rcode NOERROR
	if [ "${2:-}" != udp ]; then
		ask dig example.test CAA +tcp
		LAST_CMD="$LAST_CMD ($1, TCP)" expect rcode NOERROR
	fi
}

# hostile MODE ARGS...: the Python helper below; its output in $OUT.
hostile() {
	LAST_CMD="hostile $*"
	require_responder || return 0
	OUT=$(timeout 120 "$PY" - "$@" <<'PYEOF' 2>&1
import random, socket, struct, sys, time

mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])

def query(qid, name="example.test", qtype=257, qdcount=1):
    q = struct.pack(">HHHHHH", qid, 0, qdcount, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\0" + struct.pack(">HH", qtype, 1)

def udp_send(msgs, pause_every=200):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setblocking(False)
    for i, m in enumerate(msgs):
        try:
            s.sendto(m, (host, port))
        except BlockingIOError:
            time.sleep(0.01)
        if i % pause_every == 0:
            time.sleep(0.005)
            try:  # drain what came back
                while s.recv(65535):
                    pass
            except (BlockingIOError, OSError):
                pass
    s.close()

if mode == "random":
    n = int(sys.argv[4])
    rnd = random.Random(7)
    msgs = []
    for i in range(n):
        if i % 4 == 0:  # a real header, random rest: past the first checks
            m = query(rnd.randrange(65536))
            m = m[:12] + rnd.randbytes(rnd.randrange(0, 300))
        else:
            m = rnd.randbytes(rnd.randrange(0, 600))
        msgs.append(m)
    udp_send(msgs)
    print("sent=%d" % n)
elif mode == "truncated":
    q = query(4242) + b"\0" + struct.pack(">HHIH", 41, 4096, 0, 0)
    udp_send([q[:k] for k in range(len(q))] * 3, pause_every=20)
    print("sent=%d" % (3 * len(q)))
elif mode == "loops":
    h = lambda qid, qd=1, an=0: struct.pack(">HHHHHH", qid, 0, qd, an, 0, 0)
    msgs = [
        h(1) + b"\xc0\x0c\x01\x01\x00\x01",                  # points at itself
        h(2) + b"\x01a\xc0\x0c\x01\x01\x00\x01",             # a label, then back
        h(3) + b"\xc0\x0e\xc0\x0c\x01\x01\x00\x01",          # two pointing at each other
        h(4) + b"\xc0\xff\x01\x01\x00\x01",                  # forward, past the end
        h(5) + b"\x3f" + b"a" * 63 + b"\xc0\x0c\x01\x01\x00\x01",
        h(6, 1, 1) + query(6)[12:] + b"\xc0\x1d\x00\x01\x00\x01\x00\x00\x00\x00\x00\x00",
        h(7) + b"\x40abc\x00\x01\x01\x00\x01",               # label type 01
        h(8) + b"\x80abc\x00\x01\x01\x00\x01",               # label type 10
    ]
    udp_send(msgs * 50, pause_every=10)
    print("sent=%d" % (50 * len(msgs)))
elif mode == "qdcount":
    msgs = [query(9, qdcount=65535), query(10, qdcount=0),
            query(11, qdcount=2) + query(0)[12:] * 1000]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1.0)
    for m in msgs:
        s.sendto(m[:65000], (host, port))
        try:
            r = s.recv(65535)
            print("rcode=%d" % (r[3] & 15))
        except socket.timeout:
            print("rcode=none")
elif mode == "stall":  # announce 65535 octets, send 100, wait to be closed
    s = socket.create_connection((host, port), timeout=5)
    s.sendall(b"\xff\xff" + b"\0" * 100)
    t0 = time.time()
    s.settimeout(float(sys.argv[4]))
    try:
        data = s.recv(10)
        print("closed_after=%d" % int((time.time() - t0) * 1000) if not data
              else "data")
    except socket.timeout:
        print("still_open")
    except ConnectionResetError:
        print("closed_after=%d" % int((time.time() - t0) * 1000))
elif mode == "idle":  # N idle connections: how many does the server keep?
    n, hold = int(sys.argv[4]), float(sys.argv[5])
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(2)
        try:
            s.connect((host, port))
            socks.append(s)
        except OSError:
            s.close()
    time.sleep(0.5)
    def is_open(s):
        s.setblocking(False)
        try:
            d = s.recv(1)
            return False if d == b"" else True
        except BlockingIOError:
            return True
        except OSError:
            return False
    print("connected=%d" % len(socks))
    print("kept=%d" % sum(1 for s in socks if is_open(s)))
    # A TCP query at the limit: refused (closed) or answered, never a hang.
    time.sleep(hold)
    print("kept_after=%d" % sum(1 for s in socks if is_open(s)))
    for s in socks:
        s.close()
elif mode == "halfclose":
    ok = 0
    for i in range(20):
        s = socket.create_connection((host, port), timeout=5)
        if i % 2 == 0:  # a query, then our side closed: still answered
            q = query(100 + i)
            s.sendall(struct.pack(">H", len(q)) + q)
        s.shutdown(socket.SHUT_WR)
        data = b""
        try:
            while True:
                d = s.recv(65535)
                if not d:
                    break
                data += d
        except OSError:
            pass
        if (i % 2 == 0 and len(data) > 14 and data[2:4] == struct.pack(">H", 100 + i)) \
                or (i % 2 == 1 and data == b""):
            ok += 1
        s.close()
    print("ok=%d" % ok)
PYEOF
	)
	# shellcheck disable=SC2034 # read by lib.sh, as after raw
	RC=$?
}

# ------------------------------------------------------------ the responder

serve --tcp-idle-timeout $IDLE_MS --tcp-max-conns $MAXCONN || finish
answers "at start"
rss0=$(rss)

hostile random "$HOST4" "$PORT4" 10000
check "10,000 random datagrams sent" "sent=10000" "$OUT"
answers "after 10,000 random datagrams"

hostile truncated "$HOST4" "$PORT4"
check_match "truncated headers sent" '^sent=[0-9]+$' "$OUT"
answers "after truncated headers"

hostile loops "$HOST4" "$PORT4"
check_match "compression loops sent" '^sent=[0-9]+$' "$OUT"
answers "after compression loops"

hostile qdcount "$HOST4" "$PORT4"
check "QDCOUNT 65535, 0, 2: FORMERR (or dropped)" \
	"$(printf 'rcode=1\nrcode=1\nrcode=1')" "$(printf '%s\n' "$OUT" | sed 's/rcode=none/rcode=1/')"
answers "after huge QDCOUNT"

# A frame announcing 65535 octets, then nothing: closed by the idle timeout
# (not earlier than about IDLE_MS), and the server answers meanwhile.
hostile stall "$HOST4" "$TPORT4" 10 &
stall_pid=$!
sleep 0.3
answers "while a TCP frame stalls"
wait "$stall_pid"
hostile stall "$HOST4" "$TPORT4" 10
ms=$(out_kv closed_after)
if [ -n "$ms" ] && [ "$ms" -ge $((IDLE_MS - 200)) ] && [ "$ms" -le $((IDLE_MS + 3000)) ]; then
	pass
else
	fail "a stalled 65535-octet frame is closed by --tcp-idle-timeout $IDLE_MS" \
		"closed_after=$IDLE_MS..$((IDLE_MS + 3000))" "$OUT"
fi

# 1,000 idle connections: at most --tcp-max-conns are kept, the rest are
# closed at once; once the idle timeout
# closed them, UDP and TCP are answered again.
hostile idle "$HOST4" "$TPORT4" 1000 $((IDLE_MS * 2 / 1000 + 2))
idle_out=$OUT
check "1,000 connections made" connected=1000 "$(printf '%s\n' "$idle_out" | grep '^connected=')"
kept=$(printf '%s\n' "$idle_out" | sed -n 's/^kept=//p')
if [ -n "$kept" ] && [ "$kept" -le $MAXCONN ] && [ "$kept" -ge 1 ]; then
	pass
else
	fail "at most --tcp-max-conns $MAXCONN idle connections kept" "1..$MAXCONN" "$idle_out"
fi
echo "hostile: $(printf '%s\n' "$idle_out" | tr '\n' ' ')"
check "idle connections closed by the timeout" kept_after=0 \
	"$(printf '%s\n' "$idle_out" | grep '^kept_after=')"
answers "after 1,000 idle connections"

hostile halfclose "$HOST4" "$TPORT4"
check "half-closed connections: answered, then closed" ok=20 "$OUT"
answers "after half-closed connections"

# Bounded memory: nothing above grows the RSS by more than 32 MB (the
# sanitizer build's quarantine included).
rss1=$(rss)
if [ "$rss0" -gt 0 ] && [ "$rss1" -gt 0 ] && [ "$rss1" -le $((rss0 + 32768)) ]; then
	pass
else
	fail "RSS stays bounded" "at most $((rss0 + 32768)) kB" "$rss0 kB at start, $rss1 kB at the end"
fi
echo "hostile: RSS $rss0 kB at start, $rss1 kB at the end"

# ------------------------------------------------------------ the probe

start_wire_server

DP="DNS problem"
T=(--timeout 300 --tries 2)
# bad NAME REASON MAX-MS: lookup-failed with REASON within MAX-MS.
bad() {
	judge "$1" lookup-failed "$1" "${T[@]}"
	reason_is "$1" "$2"
	within "$1" 0 "$3"
}
bad wrongq.wire.test "$DP: query timed out looking up CAA for wrongq.wire.test" 2000
bad silent.wire.test "$DP: query timed out looking up CAA for silent.wire.test" 2000
bad tcclose.wire.test "$DP: response was truncated looking up CAA for tcclose.wire.test" 2000
bad garbage.wire.test "$DP: malformed response looking up CAA for garbage.wire.test" 2000
bad loop1.wire.test "$DP: CNAME loop looking up CAA for loop1.wire.test" 2000
# The climb from below meets the same failures first.
judge "below a silent name" lookup-failed host.silent.wire.test "${T[@]}"
within "below a silent name" 0 2000

finish
