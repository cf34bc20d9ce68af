#!/usr/bin/env python3
"""tests/e2e/udpburst.py -- a burst of UDP queries that arrives while the
server is busy.

usage: udpburst.py PID HOST PORT N SECONDS

Stops the server PID (SIGSTOP), sends N queries for caa.test CAA from one
socket (ids 0..N-1), lets the server go on (SIGCONT) and reads replies for
at most SECONDS.  What the server's receive buffer did not hold is lost:
prints "answered A of N" (distinct ids with a reply).  The client's own
receive buffer is made large, and it reads as the replies come.
"""
import os
import signal
import socket
import struct
import sys
import time


def query(qid):
    name = b"".join(bytes([len(p)]) + p for p in (b"caa", b"test")) + b"\0"
    return struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 0) + name + \
        struct.pack("!HH", 257, 1)


def main():
    pid, host, port, n, seconds = (int(sys.argv[1]), sys.argv[2],
                                   int(sys.argv[3]), int(sys.argv[4]),
                                   float(sys.argv[5]))
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 << 20)
    s.connect((host, port))
    seen = set()
    os.kill(pid, signal.SIGSTOP)
    try:
        for i in range(n):
            s.send(query(i))
    finally:
        os.kill(pid, signal.SIGCONT)
    end = time.monotonic() + seconds
    while len(seen) < n:
        left = end - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            msg = s.recv(4096)
        except socket.timeout:
            break
        if len(msg) >= 12 and msg[2] & 0x80:
            seen.add(struct.unpack("!H", msg[:2])[0])
    print("answered %d of %d" % (len(seen), n))


if __name__ == "__main__":
    main()
