#!/usr/bin/python3
# tests/e2e/difftest.py -- differential test: caa-responder against Knot DNS
# (knotd) and NSD on the same seeded random zones.
#
#   difftest.py RESPONDER [--seeds N | --seed S | --seed-range A-B]
#               [--queries N] [--batch N] [--keep DIR] [--max-print N]
#               [--per-kind N]
#
# Each seed draws its own zones (difftest_zones.py: CAA of every form, A,
# AAAA, TXT, MX, NS, DS, CNAME and DNAME chains, wildcards, empty
# non-terminals, delegations, a child zone served with its parent) and its
# own queries (random names and types, UDP and TCP, with and without EDNS
# and DO, 512 to 4096 octet buffers, random letter case, now and then TSIG
# with a key no server knows).  The zones of several seeds are loaded at
# once into caa-responder, knotd and nsd, each query is sent to the three,
# and the replies are compared part by part: RCODE, AA and TC, the question
# (letter case included), each section as a multiset of records (owner
# names lower-cased, TTLs kept), the EDNS OPT record, the TSIG error.
#
# Where Knot and NSD agree on a part and caa-responder differs from both,
# that is a failure.  Where Knot and NSD disagree, either answer is right;
# where they disagree on the RCODE, only the flags and question are compared
# (past the header their agreement would be coincidence: Knot answers
# TYPE0 with an empty NOTIMP, NSD answers it, and both may leave the
# additional section empty).
# caa-responder's documented choices are exempt: the CD bit is not compared
# (copied per RFC 4035 3.1.6), an ANY answer may hold more than the others'
# (answered in full), a reply with TC=1 is compared only by RCODE and
# flags (empty per RFC 2181 9), and an opcode other than QUERY gets
# NOTIMP, without a TSIG record even if signed (the opcode is refused
# before the TSIG is looked at; Knot and NSD answer a NOTIFY with NOTAUTH
# or NXDOMAIN, a signed one with NOTAUTH and BADKEY).
#
# Without --seeds/--seed/--seed-range, the fixed CI seeds run.  Exit status:
# 0 no failure, 1 failures, 2 usage or setup error, 77 knotd or nsd missing.
"""Differential test of caa-responder against knotd and nsd."""

import argparse
import os
import signal
import socket
import struct
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

try:
    import dns.edns
    import dns.flags
    import dns.message
    import dns.name
    import dns.opcode
    import dns.rcode
    import dns.rdataclass
    import dns.rdatatype
    import dns.tsig
except ImportError:
    print("difftest: dnspython is missing (python3-dnspython, "
          "scripts/bootstrap.sh installs it); run with /usr/bin/python3",
          file=sys.stderr)
    sys.exit(2)

import dns.rdata  # noqa: E402
import dns.rdtypes.ANY.CAA  # noqa: E402

import difftest_servers as servers  # noqa: E402
import difftest_zones as zonegen  # noqa: E402

# 1-24, and two seeds for shapes the others miss within 200 queries: 82
# asks NS through a CNAME to a zone apex (the additional section then
# holds the name servers' addresses), 131 asks ANY at a name whose only
# RRset is an MX (Knot and NSD agree on it and on its additional section).
CI_SEEDS = list(range(1, 25)) + [82, 131]
CI_QUERIES = 200
NAMES = ("caa-responder", "knot", "nsd")
TSIG_KEY = dns.tsig.Key("difftest-unknown-key.", b"0123456789abcdef" * 2,
                        dns.tsig.HMAC_SHA256)
PARTS = ("rcode", "flags", "question", "answer", "authority", "additional",
         "edns", "tsig")
TIMEOUT = 2.0


class LenientCAA(dns.rdtypes.ANY.CAA.CAA):
    """CAA that dnspython refuses (a tag with other than letters and
    digits, as the zones hold on purpose) is read as RFC 3597 data."""

    @classmethod
    def from_wire_parser(cls, rdclass, rdtype, parser, origin=None):
        start = parser.current
        try:
            return super().from_wire_parser(rdclass, rdtype, parser, origin)
        except Exception:  # noqa: BLE001 -- any refusal: read it raw
            parser.seek(start)
            return dns.rdata.GenericRdata(rdclass, rdtype,
                                          parser.get_remaining())


dns.rdata._rdata_classes[(dns.rdataclass.IN, dns.rdatatype.CAA)] = LenientCAA


# ---- one query -----------------------------------------------------------

def build(q, qid):
    """The query's wire form, from a difftest_zones query dict."""
    m = dns.message.make_query(
        dns.name.from_text(q["name"]), dns.rdatatype.from_text(q["type"]),
        rdclass=dns.rdataclass.from_text(q.get("class", "IN")),
        use_edns=q["edns"] if q["edns"] is not None else False,
        want_dnssec=q["do"],
        payload=q["bufsize"] if q["bufsize"] is not None else 1232)
    m.id = qid
    m.flags = (dns.flags.RD if q["rd"] else 0) | \
        (dns.flags.CD if q["cd"] else 0)
    m.set_opcode(dns.opcode.from_text(q.get("opcode", "QUERY")))
    if q["tsig"]:
        m.use_tsig(TSIG_KEY)
    return m.to_wire()


def describe(q):
    """The query as a kdig command line (for a reader to rerun)."""
    opts = ["+norec" if not q["rd"] else "+rec"]
    if q["tcp"]:
        opts.append("+tcp")
    if q["edns"] is None:
        opts.append("+noedns")
    else:
        opts.append("+edns=%d" % q["edns"])
        opts.append("+bufsize=%d" % q["bufsize"])
        if q["do"]:
            opts.append("+dnssec")
    if q["cd"]:
        opts.append("+cdflag")
    if q["tsig"]:
        opts.append("-y hmac-sha256:%s:%s" % (
            TSIG_KEY.name.to_text(), TSIG_KEY.secret.hex()))
    if "opcode" in q:
        opts.append("+opcode=%s" % q["opcode"])
    return "kdig @127.0.0.1 -p PORT %s %s %s %s" % (
        " ".join(opts), q["name"], q.get("class", "IN"), q["type"])


def exchange(wire, port, tcp):
    """Send one query; the reply's octets, or None after TIMEOUT."""
    if tcp:
        with socket.create_connection(("127.0.0.1", port),
                                      timeout=TIMEOUT) as s:
            s.sendall(struct.pack("!H", len(wire)) + wire)
            buf = b""
            deadline = time.monotonic() + TIMEOUT
            while time.monotonic() < deadline:
                want = 2 if len(buf) < 2 else 2 + struct.unpack("!H",
                                                                buf[:2])[0]
                if len(buf) >= want and len(buf) >= 2 and want > 2:
                    return buf[2:want]
                try:
                    chunk = s.recv(65535)
                except socket.timeout:
                    return None
                if not chunk:
                    return None
                buf += chunk
            return None
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(TIMEOUT)
        s.sendto(wire, ("127.0.0.1", port))
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                data, _ = s.recvfrom(65535)
            except socket.timeout:
                return None
            if data[:2] == wire[:2]:
                return data
        return None


def ask(wire, port, tcp):
    """exchange(), tried three times: on a loaded machine a server may
    miss one query, and none of the three ever ignores one on purpose."""
    for _ in range(3):
        reply = exchange(wire, port, tcp)
        if reply is not None:
            return reply
    return None


# ---- replies, normalised --------------------------------------------------

def skip_name(wire, off):
    while True:
        n = wire[off]
        if n >= 0xC0:
            return off + 2
        off += 1 + n
        if n == 0:
            return off


def split_tsig(wire):
    """(message without its TSIG record, (key name, error) or None)."""
    qd, an, ns, ar = struct.unpack("!HHHH", wire[4:12])
    if ar == 0:
        return wire, None
    off = 12
    for _ in range(qd):
        off = skip_name(wire, off) + 4
    last = None
    for _ in range(an + ns + ar):
        last = off
        off = skip_name(wire, off)
        rtype, _, _, rdlen = struct.unpack("!HHIH", wire[off:off + 10])
        off += 10 + rdlen
    rtype = struct.unpack("!H", wire[skip_name(wire, last):][:2])[0]
    if rtype != dns.rdatatype.TSIG:
        return wire, None
    # TSIG RDATA: algorithm name, time (6), fudge (2), MAC size + MAC,
    # original ID (2), error (2), other len + other.
    key = dns.name.from_wire(wire, last)[0].to_text().lower()
    rd = skip_name(wire, last) + 10
    p = skip_name(wire, rd) + 8
    macsize = struct.unpack("!H", wire[p:p + 2])[0]
    p += 2 + macsize + 2
    error = struct.unpack("!H", wire[p:p + 2])[0]
    head = wire[:10] + struct.pack("!H", ar - 1)
    return head + wire[12:last], (key, error)


def rr_key(rrset, rd):
    """One record: owner lower-cased, TTL kept, RDATA canonical (names in
    RDATA lower-cased as RFC 4034 6.2 does)."""
    return (rrset.name.to_text().lower(), rrset.ttl,
            dns.rdatatype.to_text(rrset.rdtype),
            rd.to_digestable().hex(), rd.to_text())


def section(rrsets):
    out = []
    for rrset in rrsets:
        for rd in rrset:
            out.append(rr_key(rrset, rd))
    return Section(sorted(out))


class Section(tuple):
    """A section's records, compared without their text form."""

    def key(self):
        return tuple(sorted(r[:4] for r in self))

    def __eq__(self, other):
        return isinstance(other, Section) and self.key() == other.key()

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(self.key())


def option_text(opt):
    """An EDNS option: its code; an Extended DNS Error with its INFO-CODE
    (the EXTRA-TEXT is free text, not compared)."""
    if int(opt.otype) == 15:
        return "ede=%d" % int(opt.code)
    return str(int(opt.otype))


def normalise(wire):
    """A reply as a dict part -> comparable value, plus its text."""
    if wire is None:
        return {p: "no reply" for p in PARTS}, "(no reply)"
    try:
        body, tsig = split_tsig(wire)
        m = dns.message.from_wire(body, ignore_trailing=True)
    except Exception as e:  # noqa: BLE001 -- any parse error is a result
        return ({p: "unparseable: %s" % e for p in PARTS},
                "(unparseable: %s) %s" % (e, wire.hex()))
    flags = []
    # Every header flag but CD (copied by caa-responder, RFC 4035 3.1.6).
    for f, name in ((dns.flags.QR, "qr"), (dns.flags.AA, "aa"),
                    (dns.flags.TC, "tc"), (dns.flags.RD, "rd"),
                    (dns.flags.RA, "ra"), (dns.flags.AD, "ad")):
        if m.flags & f:
            flags.append(name)
    if m.opcode() != dns.opcode.QUERY:
        flags.append("opcode=" + dns.opcode.to_text(m.opcode()))
    edns = None
    if m.edns >= 0:
        edns = ("version=%d" % m.edns,
                "do" if m.ednsflags & dns.flags.DO else "",
                "options=" + ",".join(sorted(option_text(o)
                                             for o in m.options)))
    parts = {
        "rcode": dns.rcode.to_text(m.rcode()),
        "flags": " ".join(flags),
        "question": " ".join("%s %s" % (r.name.to_text(),
                                        dns.rdatatype.to_text(r.rdtype))
                             for r in m.question),
        "answer": section(m.answer),
        "authority": section(m.authority),
        "additional": section(m.additional),
        "edns": edns,
        "tsig": tsig and "%s error=%s" % (tsig[0],
                                          dns.rcode.to_text(tsig[1])),
    }
    text = m.to_text()
    if tsig:
        text += "\n;TSIG %s" % parts["tsig"]
    return parts, text


def show(value):
    if isinstance(value, Section):
        return "\n".join("      %s %d %s %s" % (o, t, ty, txt)
                         for o, t, ty, _, txt in value) or "      (empty)"
    return "      %s" % (value,)


def judge(q, parts):
    """Parts where caa-responder differs from Knot and NSD, which agree."""
    caa, knot, nsd = parts
    compared = PARTS
    tc = ["tc" in str(p["flags"]).split() for p in parts]
    if q["type"] == "ANY" and tc[0] and not tc[1] and not tc[2]:
        # The full ANY answer did not fit where their one RRset did.
        compared = ("rcode", "question")
    elif any(tc):
        compared = ("rcode", "flags", "question")
    elif knot["rcode"] != nsd["rcode"]:
        # Knot and NSD took different paths (Knot answers NOTIMP to TYPE0,
        # NSD answers it): what they then agree on past the header (an
        # additional section both left empty, for unrelated reasons) is
        # coincidence, not a reference.  caa-responder's RCODE is then not
        # judged: it may match either, or neither (Knot says NOTIMP to
        # TYPE0, NSD NXDOMAIN after following a CNAME into a child zone it
        # serves, caa-responder NOERROR with the referral Knot gives to A).
        compared = ("rcode", "flags", "question")
    elif knot["answer"] != nsd["answer"] and caa["answer"] != knot["answer"] \
            and caa["answer"] != nsd["answer"]:
        # Knot and NSD answer differently (NSD follows a CNAME into another
        # zone it serves, Knot does not follow one for NSEC, ...) and
        # caa-responder a third way: what they then agree on around their
        # answers says nothing of caa-responder's.
        compared = ("rcode", "flags", "question", "edns", "tsig")
    if q.get("opcode", "QUERY") != "QUERY" and caa["rcode"] == "NOTIMP" \
            and caa["tsig"] is None:
        # Another opcode gets NOTIMP, before a TSIG is looked at: Knot and
        # NSD may answer otherwise (NOTAUTH and NXDOMAIN to a NOTIFY, and
        # NOTAUTH with BADKEY to a signed one).
        compared = tuple(p for p in compared if p not in ("rcode", "tsig"))
    bad = []
    for p in compared:
        if knot[p] != nsd[p] or caa[p] == knot[p]:
            continue
        if p == "answer" and q["type"] == "ANY" and \
                isinstance(caa[p], Section) and isinstance(knot[p], Section) \
                and set(knot[p].key()) <= set(caa[p].key()):
            continue                       # ANY answered in full
        if p == "additional" and q["type"] == "ANY" and \
                "answer" not in bad and caa["answer"] != knot["answer"]:
            continue                       # follows from the fuller ANY
        bad.append(p)
    return bad


# ---- the run ---------------------------------------------------------------

def run_batch(binary, seeds, nqueries, keep, report):
    plans = {}
    zones = []
    for seed in seeds:
        zs, qs = zonegen.generate(seed, nqueries)
        plans[seed] = (zs, qs)
        zones += [(z.origin, z.text(seed)) for z in zs]
    workdir = tempfile.mkdtemp(prefix="caa-difftest-")
    try:
        svs = servers.start_all(binary, workdir, zones)
    except BaseException:
        servers.remove(workdir)
        raise
    failures = 0
    total = 0
    try:
        qid = 1
        for seed in seeds:
            zs, qs = plans[seed]
            for i, q in enumerate(qs):
                wire = build(q, qid)
                qid = qid % 65535 + 1
                results = [normalise(ask(wire, s.port, q["tcp"]))
                           for s in svs]
                total += 1
                bad = judge(q, [r[0] for r in results])
                if bad:
                    failures += 1
                    report(seed, i, q, bad, results, zs)
    finally:
        servers.stop_all(svs)
        # A sanitizer build reports on stderr and may go on answering.
        trouble = svs[0].sanitizer_report()
        if trouble:
            failures += 1
            total += 1
            print("FAIL caa-responder (seeds %s): %s" % (
                describe_seeds(seeds), trouble))
        if keep:
            os.makedirs(keep, exist_ok=True)
            for origin, text in zones:
                with open(os.path.join(keep, servers.zone_file_name(origin)),
                          "w") as f:
                    f.write(text)
        servers.remove(workdir)
    return total, failures


def describe_seeds(seeds):
    """1-24,116 for a list of seeds."""
    out = []
    for s in seeds:
        if out and out[-1][1] == s - 1:
            out[-1][1] = s
        else:
            out.append([s, s])
    return ",".join("%d" % a if a == b else "%d-%d" % (a, b) for a, b in out)


def relevant_records(zs, q, results):
    """The zone records a reader needs: at the query's name and its
    ancestors, and at every name the replies mention."""
    names = {q["name"].lower()}
    cuts = set()
    n = dns.name.from_text(q["name"].lower())
    while len(n) > 2:
        n = n.parent()
        names.add("*." + n.to_text())
        cuts.add(n.to_text())
    for parts, _ in results:
        for sec in ("answer", "authority", "additional"):
            if isinstance(parts[sec], Section):
                for o, _, ty, _, txt in parts[sec]:
                    names.add(o)
                    if ty in ("CNAME", "DNAME"):
                        names.add(txt.lower())
    out = []
    for z in zs:
        for owner, ttl, rtype, rdata in z.records:
            if rtype != "SOA" and (owner in names or (
                    owner in cuts and rtype in ("DNAME", "NS", "DS") and
                    owner != z.origin)):
                out.append("%s %d IN %s %s" % (owner, ttl, rtype,
                                               rdata[:80]))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("responder", help="path of the caa-responder binary")
    ap.add_argument("--seeds", type=int,
                    help="run seeds 1..N (default: the fixed CI seeds)")
    ap.add_argument("--seed", type=int, action="append",
                    help="run this seed (repeatable)")
    ap.add_argument("--seed-range", help="run seeds A-B")
    ap.add_argument("--queries", type=int, default=CI_QUERIES,
                    help="queries per seed (default %d)" % CI_QUERIES)
    ap.add_argument("--batch", type=int, default=24,
                    help="seeds loaded per server start (default 24)")
    ap.add_argument("--keep", metavar="DIR",
                    help="write the zone files of the seeds run to DIR")
    ap.add_argument("--max-print", type=int, default=40,
                    help="failures printed in full (default 40)")
    ap.add_argument("--per-kind", type=int, default=2,
                    help="failures printed in full for each query type "
                    "and set of differing parts (default 2)")
    args = ap.parse_args()

    # A timeout's SIGTERM (ctest) still stops the servers this run started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    missing = servers.have_tools()
    if missing:
        print("difftest: SKIP: %s not installed (scripts/bootstrap.sh "
              "installs knot and nsd)" % " and ".join(missing))
        return 77
    if not os.access(args.responder, os.X_OK):
        print("difftest: %s is not an executable" % args.responder,
              file=sys.stderr)
        return 2
    if args.seed:
        seeds = args.seed
    elif args.seed_range:
        a, _, b = args.seed_range.partition("-")
        seeds = list(range(int(a), int(b or a) + 1))
    elif args.seeds:
        seeds = list(range(1, args.seeds + 1))
    else:
        seeds = CI_SEEDS

    printed = [0]
    kinds = {}

    def report(seed, i, q, bad, results, zs):
        key = ("signed" if q["tsig"] else q.get("opcode", q.get("class",
                                                                q["type"])),
               tuple(bad))
        kinds.setdefault(key, []).append((seed, i))
        if printed[0] >= args.max_print or len(kinds[key]) > args.per_kind:
            return
        printed[0] += 1
        print("FAIL seed %d query %d: %s differs (%s)" % (
            seed, i, ", ".join(bad), describe(q)))
        for name, (parts, _) in zip(NAMES, results):
            print("  %s: rcode %s, flags [%s]" % (name, parts["rcode"],
                                                   parts["flags"]))
            for p in PARTS[2:]:
                if p in bad or (p == "answer" and parts[p]):
                    print("    %s:\n%s" % (p, show(parts[p])))
        print("  zone records involved (seed %d):" % seed)
        for line in relevant_records(zs, q, results):
            print("    " + line)
        print()

    start = time.monotonic()
    total = failures = 0
    try:
        for k in range(0, len(seeds), args.batch):
            t, f = run_batch(args.responder, seeds[k:k + args.batch],
                             args.queries, args.keep, report)
            total += t
            failures += f
    except RuntimeError as e:
        print("difftest: %s" % e, file=sys.stderr)
        return 2
    if kinds:
        print("failures by query type and differing parts "
              "(first seed/query of each):")
        for (qtype, bad), where in sorted(kinds.items()):
            print("  %-9s %-32s %4d  e.g. --seed %d, query %d" % (
                qtype, ",".join(bad), len(where), where[0][0], where[0][1]))
    print("difftest: seeds %s, %d queries, %.1f s" % (
        describe_seeds(seeds),
        total, time.monotonic() - start))
    print("%d passed, %d failed" % (total - failures, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
