#!/usr/bin/env python3
"""Record changes over caa-responder's management API, timed; and the table
of scripts/bench.sh's "zone changes" section.

    changes.py run DNSPORT APIPORT ZONE LABEL COUNT [SECONDS] >> CSV
    changes.py stream LABEL LATENCIES LOST >> CSV
    changes.py table CSV

run: COUNT changes one after the other (or as many as fit in SECONDS, when
given), each POST /records adding "apiLABEL-I.ZONE. 60 IN A 192.0.2.X", then
the new name asked over UDP until it is answered with the record.  A row
"change,LABEL,I,MS": from sending the POST to that answer (the API replies
once the new data serves, so the first query finds it).
stream: a row "stream,LABEL,N,P50,P99,MAX,LOST" from LATENCIES (one latency
a line, in ms: dnsperf -v's, converted).
table: the Markdown tables.  Loopback only; standard library only.
"""
import http.client
import socket
import statistics
import struct
import sys
import time


def query(name, qid):
    q = struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\0" + struct.pack("!HH", 1, 1)


def answered(sock, port, name, qid):
    """True when NAME A is answered NOERROR with at least one record."""
    sock.sendto(query(name, qid), ("127.0.0.1", port))
    while True:
        data = sock.recv(4096)
        if struct.unpack("!H", data[:2])[0] == qid:
            flags, _, an = struct.unpack("!HHH", data[2:8])
            return flags & 0xf == 0 and an > 0


def run(port, aport, zone, label, count, seconds):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(10)
    conn = http.client.HTTPConnection("127.0.0.1", aport, timeout=120)
    end = time.monotonic() + seconds if seconds else None
    i = 0
    while (end is None and i < count) or (end is not None and time.monotonic() < end):
        name = "api%s-%d.%s" % (label, i, zone.rstrip("."))
        body = '{"rr":"%s. 60 IN A 192.0.2.%d"}' % (name, i % 250 + 1)
        t = time.monotonic()
        conn.request("POST", "/records", body, {"Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        if r.status != 201:
            sys.exit("POST /records: %d" % r.status)
        qid = i & 0xffff
        while not answered(sock, port, name, qid):
            qid = (qid + 1) & 0xffff
        print("change,%s,%d,%.3f" % (label, i, (time.monotonic() - t) * 1000))
        i += 1


def stream(label, path, lost):
    lat = sorted(float(x) for x in open(path) if x.strip())
    if not lat:
        print("stream,%s,0,,,,%s" % (label, lost))
        return
    n = len(lat)
    p = lambda q: lat[min(n - 1, max(0, int(n * q) - 1))]
    print("stream,%s,%d,%.3f,%.3f,%.3f,%s" % (label, n, p(0.5), p(0.99), lat[-1], lost))


def table(path):
    changes, streams = {}, {}
    for line in open(path):
        f = line.strip().split(",")
        if f[0] == "change":
            changes.setdefault(f[1], []).append(float(f[3]))
        elif f[0] == "stream":
            streams[f[1]] = f[2:]
    print("\n| change (POST /records to the new answer) | changes | median ms | max ms |")
    print("|---|---|---|---|")
    for label, v in changes.items():
        print("| %s | %d | %.1f | %.1f |" % (NAMES.get(label, label), len(v),
                                            statistics.median(v), max(v)))
    print("\n| steady stream (dnsperf -Q) | queries | p50 ms | p99 ms | max ms | lost |")
    print("|---|---|---|---|---|---|")
    for label, v in streams.items():
        print("| %s | %s | %s | %s | %s | %s |" % (NAMES.get(label, label), *v))


NAMES = {
    "big": "a record added to the big zone (it is built again)",
    "small": "a record added to the 1,000-record zone beside it",
    "alone": "a record added to a 1,000-record zone served alone",
    "quiet": "no changes",
    "changing": "changes to the big zone back to back",
}

if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "run":
        port, aport, zone, label, count = sys.argv[2:7]
        secs = float(sys.argv[7]) if len(sys.argv) > 7 else None
        run(int(port), int(aport), zone, label, int(count), secs)
    elif cmd == "stream":
        stream(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        table(sys.argv[2])
