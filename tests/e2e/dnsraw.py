#!/usr/bin/env python3
# tests/e2e/dnsraw.py -- hand-built DNS messages, for what dig, kdig and drill
# cannot send: other opcodes, QDCOUNT 0 or 2, garbage, pipelined TCP queries.
#
# Python standard library only.  Prints the reply as key=value lines that
# lib.sh reads (one "answer=", "authority=" or "additional=" line a record,
# RDATA in hex), "noreply" when none came within the timeout.
#
#   dnsraw.py ask HOST PORT NAME TYPE [--id N] [--opcode N] [--qdcount N]
#                                     [--edns VERSION] [--bufsize N] [--tcp]
#   dnsraw.py send HOST PORT (--hex HEX | --random N --seed S)
#   dnsraw.py pipeline HOST PORT NAME:TYPE... [--split]   one TCP connection
#   dnsraw.py idle HOST PORT NAME [--wait S]   when does the server close it
#   dnsraw.py series HOST PORT NAME TYPE COUNT [--tcp]   "rcodes=" of COUNT
#                                     queries asked one after the other
#   dnsraw.py timed HOST PORT NAME:TYPE...   sent at once over UDP, the
#                                     replies timed ("I.ms=", "order=")
#
# An OPT record in a reply gives "edns_option=CODE HEX" lines, and "ede=N"
# for an Extended DNS Error (RFC 8914).
"""Send hand-built DNS messages and print the replies as key=value lines."""

import argparse
import random
import selectors
import socket
import struct
import sys
import time

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "HINFO": 13, "MX": 15,
         "TXT": 16, "AAAA": 28, "SRV": 33, "NAPTR": 35,
         "DNAME": 39, "OPT": 41, "DS": 43, "CAA": 257}
TYPE_NAMES = {v: k for k, v in TYPES.items()}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN",
          4: "NOTIMP", 5: "REFUSED", 16: "BADVERS"}


def type_code(text):
    text = text.upper()
    if text in TYPES:
        return TYPES[text]
    if text.startswith("TYPE"):
        return int(text[4:])
    raise ValueError("unknown type " + text)


def name_to_wire(name):
    """Presentation name (no escapes) to wire form, letter case kept."""
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode("ascii")
    return out + b"\x00"


def build_query(qid, name, qtype, opcode=0, qdcount=1, edns=None,
                bufsize=1232):
    """A query with QDCOUNT questions (all the same), RD clear."""
    flags = (opcode & 0xF) << 11
    arcount = 1 if edns is not None else 0
    msg = struct.pack("!HHHHHH", qid, flags, qdcount, 0, 0, arcount)
    for _ in range(qdcount):
        msg += name_to_wire(name) + struct.pack("!HH", type_code(qtype), 1)
    if edns is not None:
        # OPT: root owner, type 41, CLASS = UDP size, TTL = ext-rcode,
        # version, flags (RFC 6891 6.1.3).
        msg += b"\x00" + struct.pack("!HHBBHH", 41, bufsize, 0, edns, 0, 0)
    return msg


def read_name(msg, off):
    """Read a possibly compressed name; returns (text, offset after it)."""
    labels = []
    end = None
    jumps = 0
    while True:
        if off >= len(msg):
            raise ValueError("name runs past the message")
        length = msg[off]
        if length & 0xC0 == 0xC0:
            if off + 1 >= len(msg) or jumps > 64:
                raise ValueError("bad compression pointer")
            if end is None:
                end = off + 2
            off = ((length & 0x3F) << 8) | msg[off + 1]
            jumps += 1
            continue
        if length == 0:
            off += 1
            break
        label = msg[off + 1:off + 1 + length]
        if len(label) != length:
            raise ValueError("label runs past the message")
        labels.append(label.decode("ascii", "backslashreplace"))
        off += 1 + length
    return ".".join(labels) + ".", (end if end is not None else off)


def type_text(code):
    return TYPE_NAMES.get(code, "TYPE%d" % code)


def parse_reply(msg):
    """Key=value lines describing MSG."""
    if len(msg) < 12:
        return ["short=%d" % len(msg)]
    qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", msg[:12])
    lines = ["size=%d" % len(msg), "id=%d" % qid,
             "qr=%d" % (flags >> 15 & 1), "opcode=%d" % (flags >> 11 & 0xF),
             "aa=%d" % (flags >> 10 & 1), "tc=%d" % (flags >> 9 & 1),
             "rd=%d" % (flags >> 8 & 1),
             "qdcount=%d" % qd, "ancount=%d" % an, "nscount=%d" % ns,
             "arcount=%d" % ar]
    rcode = flags & 0xF
    off = 12
    try:
        for _ in range(qd):
            name, off = read_name(msg, off)
            qtype, _qclass = struct.unpack("!HH", msg[off:off + 4])
            off += 4
            lines.append("question=%s %s" % (name, type_text(qtype)))
        for section, count in (("answer", an), ("authority", ns),
                               ("additional", ar)):
            for _ in range(count):
                name, off = read_name(msg, off)
                rtype, rclass, ttl, rdlen = struct.unpack(
                    "!HHIH", msg[off:off + 10])
                off += 10
                rdata = msg[off:off + rdlen]
                if len(rdata) != rdlen:
                    raise ValueError("RDATA runs past the message")
                off += rdlen
                if rtype == 41:
                    rcode |= (ttl >> 24) << 4
                    lines.append("edns_version=%d" % (ttl >> 16 & 0xFF))
                    lines.append("edns_udp=%d" % rclass)
                    lines.extend(edns_options(rdata))
                    continue
                lines.append("%s=%s %s %s" % (section, name, type_text(rtype),
                                               rdata.hex()))
    except (ValueError, struct.error) as exc:
        lines.append("malformed=%s" % exc)
    lines.append("rcode=%s" % RCODES.get(rcode, "RCODE%d" % rcode))
    return lines


def edns_options(rdata):
    """An OPT record's options: "edns_option=CODE HEX" each, and "ede=N"
    for an RFC 8914 Extended DNS Error (its INFO-CODE)."""
    lines = []
    off = 0
    while off + 4 <= len(rdata):
        code, length = struct.unpack("!HH", rdata[off:off + 4])
        data = rdata[off + 4:off + 4 + length]
        if len(data) != length:
            raise ValueError("EDNS option runs past the OPT record")
        lines.append("edns_option=%d %s" % (code, data.hex()))
        if code == 15 and length >= 2:
            lines.append("ede=%d" % struct.unpack("!H", data[:2])[0])
        off += 4 + length
    if off != len(rdata):
        raise ValueError("OPT RDATA ends inside an option header")
    return lines


def family_of(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def udp_exchange(host, port, data, timeout):
    with socket.socket(family_of(host), socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(data, (host, port))
        try:
            reply, _ = sock.recvfrom(65535)
        except socket.timeout:
            return None
    return reply


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def tcp_exchange(host, port, messages, timeout, split=False):
    """Send every message on one connection (pipelined), read as many
    replies.  SPLIT sends each length prefix and each message in writes of
    their own, a little apart, so the server must reassemble them."""
    replies = []
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if split:
            for m in messages:
                for part in (struct.pack("!H", len(m))[:1],
                             struct.pack("!H", len(m))[1:], m[:5], m[5:]):
                    sock.sendall(part)
                    time.sleep(0.02)
        else:
            sock.sendall(b"".join(struct.pack("!H", len(m)) + m
                                  for m in messages))
        try:
            for _ in messages:
                head = recv_exact(sock, 2)
                if head is None:
                    break
                body = recv_exact(sock, struct.unpack("!H", head)[0])
                if body is None:
                    break
                replies.append(body)
        except socket.timeout:
            pass
    return replies


def print_reply(reply, prefix=""):
    if reply is None:
        print(prefix + "noreply")
        return
    for line in parse_reply(reply):
        print(prefix + line)


def cmd_ask(args):
    msg = build_query(args.id, args.name, args.type, args.opcode,
                      args.qdcount, args.edns, args.bufsize)
    if args.tcp:
        replies = tcp_exchange(args.host, args.port, [msg], args.timeout)
        print_reply(replies[0] if replies else None)
    else:
        print_reply(udp_exchange(args.host, args.port, msg, args.timeout))


def cmd_send(args):
    if args.hex is not None:
        data = bytes.fromhex(args.hex)
    else:
        data = random.Random(args.seed).randbytes(args.random)
    print_reply(udp_exchange(args.host, args.port, data, args.timeout))


def reply_word(reply):
    """One word for a reply: its RCODE, "noreply", or "malformed"."""
    if reply is None:
        return "noreply"
    lines = parse_reply(reply)
    if any(l.startswith(("malformed=", "short=")) for l in lines):
        return "malformed"
    return [l for l in lines if l.startswith("rcode=")][0][len("rcode="):]


def cmd_series(args):
    """COUNT queries one after the other (each waits for its reply or the
    timeout), each with its own ID; "rcodes=" the replies in order."""
    words = []
    for i in range(args.count):
        msg = build_query((args.id + i) & 0xFFFF, args.name, args.type)
        if args.tcp:
            replies = tcp_exchange(args.host, args.port, [msg], args.timeout)
            reply = replies[0] if replies else None
        else:
            reply = udp_exchange(args.host, args.port, msg, args.timeout)
        words.append(reply_word(reply))
    print("rcodes=" + " ".join(words))


def cmd_timed(args):
    """Send every query at once over UDP, each from its own socket, in the
    order given, and time the replies: "I.ms=" and "I.rcode=" each (ms
    from the send of query 0), "order=" the indexes in order of arrival."""
    sel = selectors.DefaultSelector()
    socks = []
    start = time.monotonic()
    for i, spec in enumerate(args.queries):
        name, qtype = spec.rsplit(":", 1)
        sock = socket.socket(family_of(args.host), socket.SOCK_DGRAM)
        sock.setblocking(False)
        sock.sendto(build_query(0x3000 + i, name, qtype),
                    (args.host, args.port))
        sel.register(sock, selectors.EVENT_READ, i)
        socks.append(sock)
    got = {}
    order = []
    deadline = start + args.timeout
    while len(got) < len(socks):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        for key, _ in sel.select(left):
            i = key.data
            try:
                reply, _ = key.fileobj.recvfrom(65535)
            except BlockingIOError:
                continue
            got[i] = ((time.monotonic() - start) * 1000.0, reply)
            order.append(str(i))
            sel.unregister(key.fileobj)
    for i in range(len(socks)):
        if i in got:
            print("%d.ms=%d" % (i, got[i][0]))
            print("%d.rcode=%s" % (i, reply_word(got[i][1])))
        else:
            print("%d.ms=none" % i)
            print("%d.rcode=noreply" % i)
        socks[i].close()
    print("order=" + " ".join(order))


def cmd_pipeline(args):
    msgs = []
    for i, spec in enumerate(args.queries):
        name, qtype = spec.rsplit(":", 1)
        msgs.append(build_query(0x1000 + i, name, qtype))
    replies = tcp_exchange(args.host, args.port, msgs, args.timeout,
                           args.split)
    print("replies=%d" % len(replies))
    for i, reply in enumerate(replies):
        print_reply(reply, prefix="%d." % i)


def cmd_idle(args):
    """One query on a TCP connection, then wait for the server to close it."""
    msg = build_query(0x2000, args.name, "A")
    with socket.create_connection((args.host, args.port),
                                  timeout=args.timeout) as sock:
        sock.sendall(struct.pack("!H", len(msg)) + msg)
        head = recv_exact(sock, 2)
        if head is None or recv_exact(sock, struct.unpack("!H", head)[0]) is None:
            print("noreply")
            return
        print("answered")
        start = time.monotonic()
        sock.settimeout(args.wait)
        try:
            while sock.recv(4096):
                pass
            print("closed_after=%.1f" % (time.monotonic() - start))
        except socket.timeout:
            print("open")
        except ConnectionResetError:
            print("closed_after=%.1f" % (time.monotonic() - start))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--timeout", type=float, default=2.0)
    sub = parser.add_subparsers(dest="cmd", required=True)

    ask = sub.add_parser("ask")
    ask.add_argument("host")
    ask.add_argument("port", type=int)
    ask.add_argument("name")
    ask.add_argument("type")
    ask.add_argument("--id", type=int, default=4660)
    ask.add_argument("--opcode", type=int, default=0)
    ask.add_argument("--qdcount", type=int, default=1)
    ask.add_argument("--edns", type=int, default=None)
    ask.add_argument("--bufsize", type=int, default=1232)
    ask.add_argument("--tcp", action="store_true")
    ask.set_defaults(func=cmd_ask)

    send = sub.add_parser("send")
    send.add_argument("host")
    send.add_argument("port", type=int)
    group = send.add_mutually_exclusive_group(required=True)
    group.add_argument("--hex")
    group.add_argument("--random", type=int)
    send.add_argument("--seed", type=int, default=1)
    send.set_defaults(func=cmd_send)

    pipe = sub.add_parser("pipeline")
    pipe.add_argument("host")
    pipe.add_argument("port", type=int)
    pipe.add_argument("queries", nargs="+")
    pipe.add_argument("--split", action="store_true")
    pipe.set_defaults(func=cmd_pipeline)

    series = sub.add_parser("series")
    series.add_argument("host")
    series.add_argument("port", type=int)
    series.add_argument("name")
    series.add_argument("type")
    series.add_argument("count", type=int)
    series.add_argument("--id", type=int, default=0x4000)
    series.add_argument("--tcp", action="store_true")
    series.set_defaults(func=cmd_series)

    timed = sub.add_parser("timed")
    timed.add_argument("host")
    timed.add_argument("port", type=int)
    timed.add_argument("queries", nargs="+")
    timed.set_defaults(func=cmd_timed)

    idle = sub.add_parser("idle")
    idle.add_argument("host")
    idle.add_argument("port", type=int)
    idle.add_argument("name")
    idle.add_argument("--wait", type=float, default=5.0)
    idle.set_defaults(func=cmd_idle)

    args = parser.parse_args()
    args.func(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
