#!/usr/bin/env python3
# tests/e2e/stall.py -- how long queries wait while the management API
# changes records.
#
#   stall.py DNSPORT APIPORT NAME BODY [ROUNDS]
#
# ROUNDS times (default 3): POST BODY, with the round's number in place of
# "%d", to http://127.0.0.1:APIPORT/records and, until its reply comes,
# ask NAME A over UDP every 2 ms, one query at a time, timing each.  Prints "queries=N max_ms=X post_ms=Y codes=C,..."
# (post_ms the longest POST).  Python standard library only.
"""Time DNS queries sent while record changes are being built."""

import socket
import struct
import sys
import threading
import time
import urllib.error
import urllib.request


def query(name, qid):
    q = struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\0" + struct.pack("!HH", 1, 1)


def post(url, body, out):
    req = urllib.request.Request(url, data=body.encode(), method="POST")
    t = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            out["code"] = r.status
    except urllib.error.HTTPError as e:
        out["code"] = e.code
    out["ms"] = (time.monotonic() - t) * 1000


def main():
    port, aport, name, body = (int(sys.argv[1]), int(sys.argv[2]),
                               sys.argv[3], sys.argv[4])
    rounds = int(sys.argv[5]) if len(sys.argv) > 5 else 3
    url = "http://127.0.0.1:%d/records" % aport
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    worst, count, post_ms, codes, qid = 0.0, 0, 0.0, [], 0
    for n in range(rounds):
        out = {}
        th = threading.Thread(target=post, args=(url, body % n, out))
        th.start()
        while th.is_alive():
            qid = (qid + 1) & 0xffff
            t = time.monotonic()
            s.sendto(query(name, qid), ("127.0.0.1", port))
            while True:
                data = s.recv(4096)
                if struct.unpack("!H", data[:2])[0] == qid:
                    break
            worst = max(worst, (time.monotonic() - t) * 1000)
            count += 1
            time.sleep(0.002)
        th.join()
        post_ms = max(post_ms, out.get("ms", 0))
        codes.append(str(out.get("code")))
    print("queries=%d max_ms=%.1f post_ms=%.1f codes=%s" %
          (count, worst, post_ms, ",".join(codes)))


if __name__ == "__main__":
    main()
