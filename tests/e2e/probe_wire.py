#!/usr/bin/env python3
# tests/e2e/probe_wire.py -- a scripted DNS server for caa-probe's tests:
# the replies no correct server sends and caa-responder's faults do not
# make (CAA records off the answer chain, a CNAME beside CAA, a DNAME
# without its synthesized CNAME, foreign replies before the right one, a
# zero-length TCP message, an EDE with EXTRA-TEXT, replies crossed between
# two queries, a reply from another port, a truncated datagram cut inside a
# record, NOTIMP without the question).
#
# Python standard library only.  Listens on 127.0.0.1, UDP and TCP on the
# same free port, prints "ready udp=127.0.0.1:P tcp=127.0.0.1:P" like
# caa-responder, and answers by the query name (see SCENARIOS below);
# every other name gets NOERROR with no records.  Stops on SIGTERM.
"""Answer CAA queries with scripted, sometimes broken, replies."""

import signal
import socket
import struct
import sys
import threading

CAA, CNAME, DNAME, OPT, A = 257, 5, 39, 41, 1


def wire_name(name):
    out = b""
    for label in [x for x in name.split(".") if x]:
        out += bytes([len(label)]) + label.encode()
    return out + b"\x00"


def rr(owner, rtype, rdata):
    return wire_name(owner) + struct.pack(">HHIH", rtype, 1, 300, len(rdata)) + rdata


def caa(owner, tag, value, flags=0):
    return rr(owner, CAA, bytes([flags, len(tag)]) + tag.encode() + value.encode())


def alias(owner, rtype, target):
    return rr(owner, rtype, wire_name(target))


def message(qid, qname, qtype, answers=(), rcode=0, tc=False, additional=()):
    flags = 0x8400 | rcode | (0x0200 if tc else 0)
    head = struct.pack(">HHHHHH", qid, flags, 1, len(answers), 0, len(additional))
    question = wire_name(qname) + struct.pack(">HH", qtype, 1)
    return head + question + b"".join(answers) + b"".join(additional)


def opt_ede(code, text):
    data = struct.pack(">H", code) + text.encode()
    option = struct.pack(">HH", 15, len(data)) + data
    return b"\x00" + struct.pack(">HHIH", OPT, 1232, 0, len(option)) + option


def parse_query(msg):
    qid = struct.unpack(">H", msg[:2])[0]
    pos, labels = 12, []
    while msg[pos] != 0:
        n = msg[pos]
        labels.append(msg[pos + 1:pos + 1 + n].decode("ascii", "replace"))
        pos += n + 1
    qtype = struct.unpack(">H", msg[pos + 1:pos + 3])[0]
    return qid, ".".join(labels), qtype


LE = "letsencrypt.org"
CROSS = ("cross1.wire.test", "cross2.wire.test")
HELD = {}  # crossed queries waiting for each other: name -> (qid, qname, peer)
SPOOF = None  # a second UDP socket, another source port


def crossed(qid, qname, qtype, peer):
    """cross1 and cross2 are held until both are in; then each ID is
    first answered for the other question (CAA that forbids), then both
    rightly.  The probe asks them on one socket, with distinct IDs."""
    HELD[qname.lower()] = (qid, qname, peer)
    if len(HELD) < 2:
        return []
    (id1, q1, p1), (id2, q2, p2) = HELD.pop(CROSS[0]), HELD.pop(CROSS[1])
    return [(message(id1, q2, qtype, [caa(q2, "issue", ";")]), p1),
            (message(id2, q1, qtype, [caa(q1, "issue", ";")]), p2),
            (message(id1, q1, qtype, [caa(q1, "issue", LE)]), p1),
            (message(id2, q2, qtype, [caa(q2, "issue", LE)]), p2)]


def replies(msg, tcp, peer=None):
    """The messages to send for query MSG, in order; a (message, address)
    pair goes to that address rather than to PEER."""
    qid, qname, qtype = parse_query(msg)
    name = qname.lower()
    if name == "outside.wire.test":
        return [message(qid, qname, qtype, [caa(qname, "issue", LE),
                                            caa("evil.test", "issue", ";")])]
    if name == "badoutside.wire.test":
        # Malformed RDATA (tag length 0) owned by a name off the chain.
        return [message(qid, qname, qtype, [caa(qname, "issue", LE),
                                            rr("evil.test", CAA, b"\x00\x00x")])]
    if name == "badinside.wire.test":
        return [message(qid, qname, qtype, [caa(qname, "issue", LE),
                                            rr(qname, CAA, b"\x00\x00x")])]
    if name == "onlyoutside.wire.test":
        return [message(qid, qname, qtype, [caa("evil.test", "issue", ";")])]
    if name == "both.wire.test":
        return [message(qid, qname, qtype, [alias(qname, CNAME, "x.wire.test"),
                                            caa(qname, "issue", LE)])]
    if name == "www.sub.wire.test":
        # The DNAME alone, as servers before RFC 6672 sent it.
        return [message(qid, qname, qtype,
                        [alias("sub.wire.test", DNAME, "other.wire.test")])]
    if name == "www.other.wire.test":
        return [message(qid, qname, qtype, [caa(qname, "issue", "otherca.test")])]
    if name == "zerotcp.wire.test":
        if not tcp:
            return [message(qid, qname, qtype, tc=True)]
        return [b""]
    if name == "noise.wire.test":
        return [message(qid ^ 1, qname, qtype, [caa(qname, "issue", ";")]),
                message(qid, "other.wire.test", qtype, [caa("other.wire.test", "issue", ";")]),
                message(qid, qname, A),
                message(qid, qname, qtype, [caa(qname, "issue", LE)])]
    if name == "case.wire.test":
        return [message(qid, "CaSe.WiRe.TeSt", qtype, [caa("CASE.wire.test", "issue", LE)])]
    if name == "tcpnoise.wire.test":
        if not tcp:
            return [message(qid, qname, qtype, tc=True)]
        return [message(qid ^ 0x100, qname, qtype, [caa(qname, "issue", ";")]),
                message(qid, qname, qtype, [caa(qname, "issue", LE)])]
    if name == "cut.wire.test":
        # Over UDP the datagram cut at 512 octets inside the second
        # record, TC set (RFC 1035 4.2.1); the whole answer over TCP.
        full = message(qid, qname, qtype,
                       [caa(qname, "issue", "otherca.test; pad=" + "x" * 300),
                        caa(qname, "issue", LE + "; pad=" + "y" * 300)])
        if tcp:
            return [full]
        return [(full[:2] + bytes([full[2] | 0x02]) + full[3:])[:512]]
    if name == "noq.wire.test":
        # NOTIMP with no question section, as servers that do not echo it.
        return [struct.pack(">HHHHHH", qid, 0x8004, 0, 0, 0, 0)]
    if name == "short.wire.test":
        return [msg[:5]]
    if name == "tiny.wire.test":  # shorter than an ID: no lookup's
        return [msg[:1], message(qid, qname, qtype, [caa(qname, "issue", LE)])]
    if name in CROSS and not tcp:
        return crossed(qid, qname, qtype, peer)
    if name == "spoof.wire.test" and not tcp:
        # The right ID and question from another port first: the probe's
        # socket is connected to the server, so it never sees it.
        SPOOF.sendto(message(qid, qname, qtype, [caa(qname, "issue", ";")]), peer)
        return [message(qid, qname, qtype, [caa(qname, "issue", LE)])]
    # For tests/e2e/hostile.sh: replies that never match or never finish.
    if name == "wrongq.wire.test":  # only answers to another question
        return [message(qid, "other.wire.test", qtype, [caa("other.wire.test", "issue", LE)]),
                message(qid, qname, A)]
    if name == "tcclose.wire.test":  # TC over UDP, TCP closed unanswered
        return [message(qid, qname, qtype, tc=True)] if not tcp else [None]
    if name == "silent.wire.test":  # never answers, UDP or TCP
        return []
    if name == "garbage.wire.test":  # the right ID, then noise
        return [struct.pack(">H", qid) + b"\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00"
                + b"\xc0\x0c" * 40]
    if name == "loop1.wire.test":  # a CNAME loop across two replies
        return [message(qid, qname, qtype, [alias(qname, CNAME, "loop2.wire.test")])]
    if name == "loop2.wire.test":
        return [message(qid, qname, qtype, [alias(qname, CNAME, "loop1.wire.test")])]
    if name == "ede.wire.test":
        return [message(qid, qname, qtype, rcode=2,
                        additional=[opt_ede(9, "no key here")])]
    return [message(qid, qname, qtype)]


def serve_udp(sock):
    while True:
        msg, peer = sock.recvfrom(4096)
        try:
            for out in replies(msg, False, peer):
                dest = peer
                if isinstance(out, tuple):
                    out, dest = out
                sock.sendto(out, dest)
        except (IndexError, struct.error, UnicodeError):
            pass


def serve_tcp_conn(conn):
    with conn:
        while True:
            head = conn.recv(2)
            if len(head) < 2:
                return
            n = struct.unpack(">H", head)[0]
            msg = b""
            while len(msg) < n:
                part = conn.recv(n - len(msg))
                if not part:
                    return
                msg += part
            for out in replies(msg, True):
                if out is None:  # close without an answer
                    return
                conn.sendall(struct.pack(">H", len(out)) + out)


def serve_tcp(sock):
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=serve_tcp_conn, args=(conn,), daemon=True).start()


def main():
    global SPOOF
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    SPOOF = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    SPOOF.bind(("127.0.0.1", 0))
    for _ in range(50):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", 0))
        port = udp.getsockname()[1]
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            tcp.bind(("127.0.0.1", port))
            break
        except OSError:
            udp.close()
            tcp.close()
    else:
        sys.exit("probe_wire.py: no free port")
    tcp.listen(16)
    threading.Thread(target=serve_tcp, args=(tcp,), daemon=True).start()
    print(f"ready udp=127.0.0.1:{port} tcp=127.0.0.1:{port}", flush=True)
    serve_udp(udp)


if __name__ == "__main__":
    main()
