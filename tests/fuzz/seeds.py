#!/usr/bin/env python3
# tests/fuzz/seeds.py -- writes the seed corpus of each harness into
# tests/fuzz/corpus/HARNESS/ from the project's real test data: the zones of
# zones/ and tests/data/, fault rules from the profiles and e2e tests, CAA
# records of those zones, and queries and replies built for names in them.
# Regression inputs (crashes found and fixed) live beside, as regress-*.
# Deterministic: running it again rewrites the same files.
#
#   tests/fuzz/seeds.py
"""Write the fuzz seed corpora from the project's test data."""

import glob
import hashlib
import os
import re
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")


def put(harness, data, name=None):
    d = os.path.join(CORPUS, harness)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    name = name or "seed-" + hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def wname(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def query(qid, name, qtype, flags=0x0000, edns=None, qdcount=1):
    msg = struct.pack(">HHHHHH", qid, flags, qdcount, 0, 0, 1 if edns else 0)
    msg += wname(name) + struct.pack(">HH", qtype, 1)
    if edns is not None:
        size, version, do = edns
        ttl = version << 16 | (0x8000 if do else 0)
        msg += b"\0" + struct.pack(">HHIH", 41, size, ttl, 0)
    return msg


def caa_rdata(flags, tag, value):
    return bytes([flags, len(tag)]) + tag.encode() + value.encode()


def rr(owner_ptr_or_name, rtype, rdata, ttl=60):
    owner = owner_ptr_or_name if isinstance(owner_ptr_or_name, bytes) \
        else wname(owner_ptr_or_name)
    return owner + struct.pack(">HHIH", rtype, 1, ttl, len(rdata)) + rdata


def reply(qid, name, qtype, answers, rcode=0, flags=0x8400, extra=b"",
          narcount=0):
    msg = struct.pack(">HHHHHH", qid, flags | rcode, 1, len(answers), 0,
                      narcount)
    msg += wname(name) + struct.pack(">HH", qtype, 1)
    for a in answers:
        msg += a
    return msg + extra


def zone_files():
    return sorted(glob.glob(os.path.join(ROOT, "zones", "*.zone")) +
                  glob.glob(os.path.join(ROOT, "zones", "*.inc")) +
                  glob.glob(os.path.join(ROOT, "tests", "data", "*.zone")) +
                  glob.glob(os.path.join(ROOT, "tests", "data", "*.inc")) +
                  glob.glob(os.path.join(ROOT, "tests", "data", "probe",
                                         "*.zone")))


def main():
    names = set()
    caas = set()
    for path in zone_files():
        with open(path, "rb") as f:
            text = f.read()
        if len(text) < 8192:
            put("fuzz_zone", text)
        else:  # the first 8 KB of the big ones
            put("fuzz_zone", text[:8192])
        origin = None
        for line in text.decode(errors="replace").splitlines():
            m = re.match(r"\$ORIGIN\s+(\S+)", line)
            if m:
                origin = m.group(1).rstrip(".")
            m = re.match(r"(\S+)\s+(?:\d+\s+)?(?:IN\s+)?CAA\s+(\d+)\s+(\S+)\s+"
                         r"\"?([^\"]*)\"?", line)
            if m:
                caas.add((int(m.group(2)) & 255, m.group(3), m.group(4)))
                owner = m.group(1)
                if origin and owner not in ("@",) and not owner.endswith("."):
                    names.add(owner + "." + origin)
                elif origin:
                    names.add(origin)
    names = sorted(n for n in names if "*" not in n)[:40]
    # fuzz_zone: RFC 3597 generic RDATA of every type whose RDATA the
    # answers read, well formed, for the mutations to break (a CNAME of
    # "\\# 3 ffffff" once overran a stack buffer on the first query).
    def generic(rdata):
        return "\\# %d %s" % (len(rdata), rdata.hex())
    put("fuzz_zone", "\n".join([
        "$ORIGIN gen.test.",
        "$TTL 60",
        "@ SOA " + generic(wname("ns.gen.test") + wname("hm.gen.test") +
                           struct.pack(">IIIII", 1, 7200, 3600, 86400, 300)),
        "@ NS " + generic(wname("ns.gen.test")),
        "ns A " + generic(bytes([192, 0, 2, 1])),
        "ns AAAA " + generic(bytes([0x20, 1, 0xd, 0xb8] + [0] * 11 + [1])),
        "www CNAME " + generic(wname("ns.gen.test")),
        "chain CNAME " + generic(wname("www.gen.test")),
        "d DNAME " + generic(wname("gen.test")),
        "mx MX " + generic(struct.pack(">H", 10) + wname("ns.gen.test")),
        "_x._tcp SRV " + generic(struct.pack(">HHH", 1, 2, 53) +
                                 wname("ns.gen.test")),
        "p PTR " + generic(wname("www.gen.test")),
        "sub NS " + generic(wname("ns.sub.gen.test")),
        "ns.sub A " + generic(bytes([192, 0, 2, 2])),
        "c CAA " + generic(caa_rdata(0, "issue", "ca.test")),
        "c TYPE257 \\# 2 0005",
        "t TXT \\# 1 05",
        "u TYPE65280 \\# 3 ffffff",
        ""]))

    # fuzz_caa: lists of RDATA, 2-octet length each.
    recs = [caa_rdata(*c) for c in sorted(caas)[:40]]
    recs += [caa_rdata(0, "issue", "ca.test; accounturi=https://a.test/1; "
                       "validationmethods=dns-01,http-01"),
             caa_rdata(128, "tbs", "x"), caa_rdata(2, "future", ""),
             caa_rdata(0, "iodef", "mailto:x@example.test"),
             caa_rdata(0, "issuewild", ";"), b"\0\0", b"\0\x05iss"]
    for i, r in enumerate(recs):
        put("fuzz_caa", struct.pack(">H", len(r)) + r)
    blob = b"".join(struct.pack(">H", len(r)) + r for r in recs[:8])
    put("fuzz_caa", blob)
    # fuzz_caa also reads its input as an identifier (caa_ident_check()).
    idents = names[:10] + [
        "*.caa.test", "Www.Caa.Test.", "https://deny.caa.test/", "a..b.test",
        "192.0.2.1", "[2001:db8::1]", "www.caa.test,ok", "*.*.caa.test",
        "xn--mnich-kva.test", "www.xn--m.test", "bq--abc.test",
        "xn--109-3veba6djs1bfxlfmx6c9g.xn--f1awi.xn--p1ai",
        "m\u00fcnich.test", "*.\u4f8b\u3048.\u30c6\u30b9\u30c8",
        "\ufeffwww.caa.test", "fa\u00df.test\u3002", "a" * 63 + ".test"]
    for n in idents:
        put("fuzz_caa", n)

    # fuzz_rule: rules from the e2e tests and the profiles.
    rules = set()
    for path in glob.glob(os.path.join(ROOT, "tests", "e2e", "*.sh")) + \
            glob.glob(os.path.join(ROOT, "responder", "profiles.c")):
        with open(path, encoding="utf-8", errors="replace") as f:
            for m in re.finditer(r"[-\"' ](?:-f |\")?((?:servfail|refused|"
                                 r"notimp|formerr|nxdomain|nodata|drop|delay|"
                                 r"truncate|garble|noaa|nosoa|wrongid|"
                                 r"sig-expired|sig-future|sig-bogus|"
                                 r"sig-strip|nsec-strip|ds-bogus) "
                                 r"[^'\"\n]*)", f.read()):
                rules.add(m.group(1).strip())
    for r in sorted(rules)[:200]:
        put("fuzz_rule", r)
    put("fuzz_rule", "truncate big.test CAA tcp=drop count=2 after=1 every=3 "
        "p=0.25 transport=udp family=6 ms=10 ede=18")
    put("fuzz_rule", "sig-bogus *.signed.test * count=2 after=1 every=3 "
        "p=0.5 transport=tcp family=4 ms=1 ede=6 answer=negative case=mixed")
    put("fuzz_rule", "truncate x.test DS tcp=ds-bogus answer=positive "
        "case=lower")
    # from=: IPv4 and IPv6 prefixes, bare addresses, IPv4-mapped.
    for r in ("servfail caa.test CAA from=127.0.0.3",
              "drop . * count=2 from=10.0.0.0/8",
              "refused *.caa.test CAA from=2001:db8::/32",
              "nxdomain x.test A from=::1",
              "delay . CAA ms=5 from=::ffff:192.0.2.0/120",
              "servfail . * from=0.0.0.0/0 family=6",
              "servfail . * from=192.0.2.77/25"):
        put("fuzz_rule", r)

    # fuzz_query: queries for the names of the zones.
    qid = 1
    for n in names + ["nonexistent.example.test", "outside.invalid"]:
        for t in (257, 1, 28, 16, 5, 255):
            qid += 1
            put("fuzz_query", query(qid, n, t))
        put("fuzz_query", query(qid, n, 257, edns=(4096, 0, True)))
    # Signed zones (tests/data/dnssec/, signed by the harness): DO queries
    # for data, NODATA, NXDOMAIN, wildcards, empty non-terminals, DS,
    # DNSKEY, referrals.
    for n in ["sig.test", "host.sig.test", "nope.sig.test", "x.wild.sig.test",
              "ent.sig.test", "child.sig.test", "www.child.sig.test",
              "www.unsigned.sig.test", "cname.alias.test"]:
        for t in (257, 1, 43, 48, 50, 255):
            qid += 1
            put("fuzz_query", query(qid, n, t, edns=(1232, 0, True)))
    put("fuzz_query", query(7, "example.test", 257, edns=(512, 1, False)))
    put("fuzz_query", query(7, "example.test", 257, flags=0x2800))
    put("fuzz_query", query(7, "example.test", 257, qdcount=2))
    put("fuzz_query", query(7, "example.test", 257)[:7])
    # a compression loop in the question
    put("fuzz_query", struct.pack(">HHHHHH", 9, 0, 1, 0, 0, 0) +
        b"\xc0\x0c\x01\x01\x00\x01")

    # fuzz_log: K, L, action, qtype, flags, a number, K name octets, then
    # the rule's options (fuzz_log.c draws the layout).  The worst cases:
    # 255 octets of \001 in labels of 63 and of 1, a rule with every option.
    opts = (b"count=4294967295 after=4294967295 every=4294967295 "
            b"p=2.2250738585072014e-308 transport=udp family=6 "
            b"ms=4294967295 ede=65535 tcp=nxdomain")
    for label in (63, 1, 2):
        put("fuzz_log", bytes([255, label - 1, 8]) + b"\xff\xff" +
            bytes([0x01, 0xff]) + b"\x01" * 255 + opts)
    put("fuzz_log", bytes([12, 62, 7, 1, 1, 0, 5]) + b"examplestest" +
        b"ms=30000")
    put("fuzz_log", bytes([40, 62, 6, 0, 16, 0x0b, 9]) + b'a"b\\c.d e#f' * 4 +
        b"\x00\x7f\x80\xff\"\\")

    # fuzz_reply: replies to CAA? host.example.test with ID 0x1234.
    q = "host.example.test"
    ptr = b"\xc0\x0c"
    put("fuzz_reply", reply(0x1234, q, 257,
                            [rr(ptr, 257, caa_rdata(0, "issue",
                                                    "letsencrypt.org"))]))
    put("fuzz_reply", reply(0x1234, q, 257,
                            [rr(ptr, 5, wname("alias.example.test")),
                             rr("alias.example.test", 257,
                                caa_rdata(0, "issuewild", ";"))]))
    put("fuzz_reply", reply(0x1234, q, 257,
                            [rr("example.test", 39, wname("other.test")),
                             rr(ptr, 5, wname("host.other.test"))]))
    put("fuzz_reply", reply(0x1234, q, 257,
                            [rr(ptr, 5, wname("a.example.test")),
                             rr("a.example.test", 5, wname(q))]))
    put("fuzz_reply", reply(0x1234, q, 257, [], rcode=3,
                            extra=rr("example.test", 6, b"\0" * 22)))
    put("fuzz_reply", reply(0x1234, q, 257, [], rcode=2, narcount=1,
                            extra=b"\0" + struct.pack(">HHIH", 41, 4096, 0, 10)
                            + struct.pack(">HH", 15, 6) + b"\0\x12ab\0c"))
    put("fuzz_reply", reply(0x1234, q, 257, [rr(ptr, 257, b"\0\0")]))
    put("fuzz_reply", reply(0x1234, q, 257, [], flags=0x8600))

    # fuzz_trace: a mode octet (0 CAA reply, 1 NS, 2 A, 3 AAAA), then a
    # nameserver's reply to CAA? a.test or the resolver's answer.
    put("fuzz_trace", b"\0" + reply(0x1234, "a.test", 257,
                                    [rr(ptr, 257, caa_rdata(0, "issue",
                                                            "ca.test"))]))
    put("fuzz_trace", b"\0" + reply(0x1234, "a.test", 257, [], rcode=2,
                                    flags=0x8000))
    put("fuzz_trace", b"\0" + reply(0x1234, "a.test", 257, [], flags=0x8600))
    put("fuzz_trace", b"\1" + reply(0x1234, "a.test", 2,
                                    [rr(ptr, 2, wname("ns1.a.test")),
                                     rr(ptr, 2, wname("ns2.a.test"))]))
    put("fuzz_trace", b"\1" + reply(0x1234, "a.test", 2, [], rcode=3))
    put("fuzz_trace", b"\2" + reply(0x1234, "ns.a.test", 1,
                                    [rr(ptr, 1, b"\x7f\0\0\2")]))
    put("fuzz_trace", b"\3" + reply(0x1234, "ns.a.test", 28,
                                    [rr(ptr, 28, b"\xfd" + b"\0" * 14 +
                                        b"\2")]))

    # fuzz_unbound: libunbound's answers (ID 0) to CAA? host.example.test,
    # after sec, rcode and why_bogus (fuzz_unbound.c draws the layout).
    why = (b"validation failure <host.example.test. CAA IN>: signature "
           b"expired from 127.0.0.3 for key example.test. while building "
           b"chain of trust")
    good = reply(0, q, 257, [rr(ptr, 257, caa_rdata(0, "issue",
                                                    "letsencrypt.org"))])
    put("fuzz_unbound", bytes([2, 0, 0]) + good)
    put("fuzz_unbound", bytes([0, 0, 0]) + good)
    put("fuzz_unbound", bytes([1, 0, len(why)]) + why + good)
    put("fuzz_unbound", bytes([2, 0, 0]) +
        reply(0, q, 257, [rr(ptr, 5, wname("alias.example.test")),
                          rr("alias.example.test", 257,
                             caa_rdata(0, "issuewild", ";"))]))
    put("fuzz_unbound", bytes([2, 0, 0]) + reply(0, q, 257, [], rcode=3))
    put("fuzz_unbound", bytes([0, 5, 0]))

    # fuzz_gate: ACME replies caa-gate relays (RFC 8555 section 7.1):
    # Pebble's directory, one with caaIdentities, and objects that are not
    # directories.
    base = "https://127.0.0.1:14000"
    put("fuzz_gate", '{"keyChange":"%s/rollover-account-key","meta":'
        '{"externalAccountRequired":false,"termsOfService":'
        '"data:text/plain,Do%%20what%%20thou%%20wilt"},'
        '"newAccount":"%s/sign-me-up","newNonce":"%s/nonce-plz",'
        '"newOrder":"%s/order-plz","revokeCert":"%s/revoke-cert"}'
        % (base, base, base, base, base))
    put("fuzz_gate", '{"newNonce":"n","newAccount":"a","meta":'
        '{"caaIdentities":["letsencrypt.org"],"website":"https://x.test"}}')
    put("fuzz_gate", '{"newNonce":"n","newAccount":"a","meta":7}')
    put("fuzz_gate", '{"status":"pending","identifier":{"type":"dns",'
        '"value":"example.test"},"challenges":[{"type":"http-01",'
        '"url":"%s/chalZ/1","token":"t","status":"pending"}]}' % base)
    put("fuzz_gate", '{"type":"urn:ietf:params:acme:error:badNonce",'
        '"detail":"JWS has an invalid anti-replay nonce","status":400}')
    # ... an order, a wildcard authorization, and request JWS (kid, jwk,
    # POST-as-GET), which the CAA step reads.
    put("fuzz_gate", '{"status":"pending","expires":"2026-12-07T14:00:00Z",'
        '"identifiers":[{"type":"dns","value":"a.test"},{"type":"dns",'
        '"value":"*.b.test"}],"finalize":"%s/finalize-order/f",'
        '"authorizations":["%s/authZ/a1","%s/authZ/a2"]}' % (base, base, base))
    put("fuzz_gate", '{"status":"pending","identifier":{"type":"dns",'
        '"value":"b.test"},"wildcard":true,"challenges":[{"type":"dns-01",'
        '"url":"%s/chalZ/2","token":"t","status":"pending"}]}' % base)
    # {"alg":"ES256","kid":"https://127.0.0.1:14000/my-account/1",...}
    put("fuzz_gate", '{"protected":"eyJhbGciOiJFUzI1NiIsImtpZCI6Imh0dHBzOi8v'
        'MTI3LjAuMC4xOjE0MDAwL215LWFjY291bnQvMSIsIm5vbmNlIjoibiIsInVybCI6Ii'
        '9jaGFsWi8xIn0","payload":"e30","signature":"c2ln"}')
    # {"alg":"ES256","jwk":{"kty":"EC"}}, POST-as-GET
    put("fuzz_gate", '{"protected":"eyJhbGciOiJFUzI1NiIsImp3ayI6eyJrdHkiOiJF'
        'QyJ9fQ","payload":"","signature":"c2ln"}')
    # fuzz_perspective: --perspective NAME=SPEC, as docs/probe.md and
    # tests/e2e/perspectives.sh write them.
    for spec in ("p1=server=127.0.0.1#5300,rir=ARIN",
                 "eu-1=from=::1,server=[::1]#53,rir=ripe",
                 "a=from=127.0.0.2", "b=", "c=rir=APNIC,from=10.0.0.1",
                 "d=server=localhost:53,rir=LACNIC,from=127.0.0.3",
                 "x=from=1.2.3", "y=rir=ARIN,,from=::1"):
        put("fuzz_perspective", spec)


if __name__ == "__main__":
    main()
