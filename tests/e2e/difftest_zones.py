# tests/e2e/difftest_zones.py -- seeded random zones and queries for the
# differential test (difftest.py).  The same seed gives the same zones and
# the same queries, byte for byte, on every machine: everything is drawn
# from one random.Random(seed), never from the clock or from set order.
#
# Each seed has its own names: a parent zone zSEED.test., a child c.zSEED.test.
# delegated from it and loaded in the same process (sometimes a grandchild
# g.c.zSEED.test. too) and an unrelated zone oSEED.test. for chains that
# cross zones.  Every file is one that caa-responder, Knot DNS and NSD all
# load: a CNAME has no other data at its name, nothing lies below a DNAME,
# and below a delegation there is only glue.
"""Random zones and queries for the differential test, from a seed."""

import random

# Labels are few so that names meet: a query below one name is often an
# empty non-terminal, a wildcard's parent or a chain's target elsewhere.
LABELS = ["a", "b", "c", "d", "www", "mail", "x", "y", "sub", "_caa"]
TTLS = [60, 300, 3600]
CAA_TAGS = ["issue", "issuewild", "iodef", "ISSUE", "tbs", "x-unknown", "unknown1",
            "IsSuEwIlD"]
CAA_FLAGS = [0, 0, 0, 128, 1, 64, 255]
QTYPES = (["CAA"] * 8 + ["A"] * 3 + ["AAAA", "TXT", "MX", "NS", "NS", "SOA",
                                     "DS", "DS", "ANY", "ANY", "CNAME",
                                     "CNAME", "DNAME", "TYPE65280"])
RARE_QTYPES = ["RRSIG", "NSEC", "DNSKEY", "NSEC3PARAM", "AXFR", "IXFR",
               "MAILA", "MAILB", "TYPE0", "OPT", "TKEY", "TSIG", "HINFO",
               "SRV", "PTR", "URI", "TYPE65535"]
NOWHERE = ["nowhere.invalid.", "www.example.net."]


class Zone:
    """One zone: its origin and its records as (owner, ttl, type, rdata)."""

    def __init__(self, origin):
        self.origin = origin
        self.records = []

    def add(self, owner, ttl, rtype, rdata):
        self.records.append((owner, ttl, rtype, rdata))

    def text(self, seed):
        lines = ["; difftest seed %d: zone %s (generated)" % (seed, self.origin),
                 "$ORIGIN %s" % self.origin, "$TTL 300"]
        for owner, ttl, rtype, rdata in self.records:
            lines.append("%s %d IN %s %s" % (owner, ttl, rtype, rdata))
        return "\n".join(lines) + "\n"


def below(name, ancestor):
    """True when name is ancestor or below it (names end in a dot)."""
    return name == ancestor or name.endswith("." + ancestor)


def strictly_below(name, ancestor):
    return name != ancestor and name.endswith("." + ancestor)


def quoted(value):
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == " " or ch.isalnum() or ch in ".-_;=:/@+":
            out.append(ch)
        else:
            out.append("\\%03d" % ord(ch))
    return '"' + "".join(out) + '"'


class Generator:
    """Draws the zones of one seed, then queries over them."""

    def __init__(self, seed):
        self.seed = seed
        self.rng = random.Random(seed)
        self.parent = "z%d.test." % seed
        self.child = "c." + self.parent
        self.other = "o%d.test." % seed
        self.zones = []
        # Names by what they are, over all the seed's zones.
        self.data = []        # owners with ordinary data
        self.cnames = []
        self.dnames = []
        self.wild_parents = []
        self.cuts = []        # delegations served nowhere
        self.owners = {}      # owner -> set of types
        self.apexes = []

    # ---- structure -------------------------------------------------------

    def reserved(self, name, zone):
        """A name no random record may take: at or below a cut, below a
        DNAME, in a child zone's subtree, or an ancestor of a DNAME."""
        for cut in self.cuts:
            if below(name, cut):
                return True
        for z in self.zones:
            if z is not zone and below(name, z.origin) and \
                    len(z.origin) > len(zone.origin):
                return True
        for d in self.dnames:
            if strictly_below(name, d) or strictly_below(d, name):
                return True
        return False

    def random_name(self, origin, depth_max=3):
        depth = self.rng.randint(1, depth_max)
        return ".".join(self.rng.choice(LABELS) for _ in range(depth)) + \
            "." + origin

    def put(self, zone, owner, ttl, rtype, rdata):
        zone.add(owner, ttl, rtype, rdata)
        self.owners.setdefault(owner, set()).add(rtype)

    def soa(self, zone):
        r = self.rng
        self.put(zone, zone.origin, r.choice([300, 3600, 86400]), "SOA",
                 "ns1.%s hostmaster.%s %d 7200 3600 1209600 %d" %
                 (zone.origin, zone.origin, 2026120100 + self.seed % 97,
                  r.choice([60, 300, 900, 7200])))
        self.put(zone, zone.origin, 3600, "NS", "ns1." + zone.origin)
        if r.random() < 0.5:
            self.put(zone, zone.origin, 3600, "NS", "ns2." + self.other
                     if zone.origin != self.other else "ns2." + self.parent)
        self.put(zone, "ns1." + zone.origin, 3600, "A", self.addr4())
        if r.random() < 0.5:
            self.put(zone, "ns1." + zone.origin, 3600, "AAAA", self.addr6())
        self.apexes.append(zone.origin)

    def addr4(self):
        return "192.0.2.%d" % self.rng.randint(1, 254)

    def addr6(self):
        return "2001:db8::%x" % self.rng.randint(1, 0xffff)

    def caa_rdata(self, long_ok=True):
        r = self.rng
        flags = r.choice(CAA_FLAGS)
        tag = r.choice(CAA_TAGS)
        kind = r.random()
        if kind < 0.15:
            value = ""
        elif kind < 0.25 and long_ok:
            value = "ca.test; accounturi=https://acme.test/acct/" + \
                "".join(r.choice("0123456789abcdef")
                        for _ in range(r.randint(100, 400)))
        elif kind < 0.35:
            value = ";"
        elif kind < 0.45:
            value = "ca.test; validationmethods=dns-01 x=\"y\""
        else:
            value = r.choice(["letsencrypt.org", "ca.test", "mailto:a@b.test",
                              "https://iodef.test/r", "other.ca", "a b c"])
        raw = value.encode("ascii")
        if len(raw) > 200 or r.random() < 0.15 or \
                not (tag.isalnum() and tag.islower()):
            # RFC 3597: the only form every server takes for long values
            # and tags other than lower-case letters and digits (NSD).
            body = bytes([flags, len(tag)]) + tag.encode("ascii") + raw
            return "TYPE257", "\\# %d %s" % (len(body), body.hex() or "")
        return "CAA", "%d %s %s" % (flags, tag, quoted(value))

    def data_records(self, zone, owner, big=False):
        r = self.rng
        ttl = r.choice(TTLS)
        types = r.sample(["A", "AAAA", "TXT", "MX", "CAA", "CAA", "CAA"],
                         r.randint(1, 4))
        if r.random() < 0.1:
            types = ["MX"]      # ANY then has one RRset, as Knot's and NSD's
        for t in sorted(set(types)):
            if t == "A":
                for _ in range(r.randint(1, 2)):
                    self.put(zone, owner, ttl, "A", self.addr4())
            elif t == "AAAA":
                self.put(zone, owner, ttl, "AAAA", self.addr6())
            elif t == "TXT":
                self.put(zone, owner, ttl, "TXT", r.choice(
                    ['"v=spf1 -all"', '"a" "b c"', '""', '"x\\"y"']))
            elif t == "MX":
                self.put(zone, owner, ttl, "MX", "%d %s" % (
                    r.choice([0, 10]), self.pick_target(zone)))
            elif t == "CAA":
                n = r.randint(12, 30) if big else r.randint(1, 3)
                for _ in range(n):
                    rtype, rdata = self.caa_rdata()
                    self.put(zone, owner, ttl, rtype, rdata)

    def pick_target(self, zone):
        """A CNAME, DNAME, MX or NS target: anything, existing or not."""
        r = self.rng
        k = r.random()
        pool = self.data + self.cnames + self.apexes
        if k < 0.3 and pool:
            return r.choice(pool)
        if k < 0.35:
            return r.choice(self.apexes)
        if k < 0.5 and self.cnames:
            return r.choice(self.cnames)
        if k < 0.6 and self.wild_parents:
            return r.choice(LABELS) + "." + r.choice(self.wild_parents)
        if k < 0.68 and self.cuts:
            return "h." + r.choice(self.cuts)
        if k < 0.76 and self.dnames:
            return r.choice(LABELS) + "." + r.choice(self.dnames)
        if k < 0.82:
            return r.choice(NOWHERE)
        return self.random_name(r.choice(self.zones).origin, 2)

    def build(self):
        r = self.rng
        parent, child, other = Zone(self.parent), Zone(self.child), \
            Zone(self.other)
        self.zones = [parent, child, other]
        grand = None
        if r.random() < 0.5:
            grand = Zone("g." + self.child)
            self.zones.append(grand)
        for z in self.zones:
            self.soa(z)
        # The loaded child is delegated from its parent, with glue; DS
        # sometimes.
        for up, down in [(parent, child)] + ([(child, grand)] if grand else []):
            self.put(up, down.origin, 3600, "NS", "ns1." + down.origin)
            self.put(up, "ns1." + down.origin, 3600, "A", self.addr4())
            if r.random() < 0.6:
                self.put(up, down.origin, 3600, "DS",
                         "%d 13 2 %s" % (r.randint(1, 65535), "".join(
                             r.choice("0123456789ABCDEF") for _ in range(64))))
        # Delegations served nowhere: glue, missing glue, NS out of zone.
        for i in range(r.randint(1, 3)):
            z = r.choice([parent, child, other])
            cut = "d%d.%s" % (i, z.origin)
            if self.reserved(cut, z):
                continue
            self.cuts.append(cut)
            how = r.choice(["glue", "noglue", "outside", "sibling"])
            if how == "glue":
                self.put(z, cut, 3600, "NS", "ns." + cut)
                self.put(z, "ns." + cut, 3600, "A", self.addr4())
                if r.random() < 0.5:
                    self.put(z, "ns." + cut, 3600, "AAAA", self.addr6())
            elif how == "noglue":
                self.put(z, cut, 3600, "NS", "ns." + cut)
            elif how == "outside":
                self.put(z, cut, 3600, "NS", "ns.example.net.")
            else:
                self.put(z, cut, 3600, "NS", "ns1." + z.origin)
                self.put(z, cut, 3600, "NS", "ns1." + self.other)
            if r.random() < 0.3:
                self.put(z, cut, 3600, "DS", "1 13 2 " + "AB" * 32)
        # A CAA RRset whose reply, asked with EDNS, ends a few octets short
        # of 512: it fits a 512-octet buffer exactly when the server
        # reserves nothing more than the OPT record.
        self.edge = "edge." + other.origin
        qlen = len(self.edge) + 1
        total = 512 - r.randint(0, 10)
        value = total - 11 - 12 - (qlen + 4) - 12 - 7
        body = bytes([0, 5]) + b"issue" + (b"ca.test;" + b"x" * value)[:value]
        self.put(other, self.edge, 300, "TYPE257",
                 "\\# %d %s" % (len(body), body.hex()))
        # Owners of each kind, then their records (targets need the names).
        plan = []
        for z in self.zones:
            for _ in range(r.randint(6, 14)):
                owner = self.random_name(z.origin)
                if owner in self.owners or self.reserved(owner, z):
                    continue
                k = r.random()
                if k < 0.5:
                    kind = "data"
                elif k < 0.7:
                    kind = "cname"
                elif k < 0.8:
                    kind = "dname"
                else:
                    kind = "wild"
                if kind == "dname" and any(strictly_below(o, owner)
                                           for o in self.owners):
                    kind = "data"
                if kind == "wild":
                    if "*." + owner in self.owners:
                        continue
                    self.wild_parents.append(owner)
                    owner = "*." + owner
                self.owners[owner] = set()
                plan.append((z, owner, kind))
                if kind == "data":
                    self.data.append(owner)
                elif kind == "cname":
                    self.cnames.append(owner)
                elif kind == "dname":
                    self.dnames.append(owner)
        # Apex data, so that CNAMEs to an apex have something to find.
        for z in self.zones:
            if r.random() < 0.7:
                self.data_records(z, z.origin)
        for z, owner, kind in plan:
            if kind == "data":
                self.data_records(z, owner, big=r.random() < 0.08)
            elif kind == "cname":
                t = self.pick_target(z)
                if r.random() < 0.1:
                    t = owner                       # a loop of one
                self.put(z, owner, r.choice(TTLS), "CNAME", t)
            elif kind == "dname":
                t = self.pick_target(z)
                while below(t, owner):
                    t = r.choice(self.apexes)
                if r.random() < 0.3:
                    self.data_records(z, owner)
                self.put(z, owner, r.choice(TTLS), "DNAME", t)
            else:
                if r.random() < 0.3:
                    # Half of them into their own wildcard: a loop that
                    # only synthesis makes.
                    t = self.pick_target(z) if r.random() < 0.5 else \
                        r.choice(LABELS) + owner[1:]
                    self.put(z, owner, r.choice(TTLS), "CNAME", t)
                else:
                    self.data_records(z, owner)
                # An existing name beside the wildcard stops it there.
                if r.random() < 0.4:
                    sib = r.choice(LABELS) + owner[1:]
                    if sib not in self.owners:
                        self.owners[sib] = set()
                        self.data_records(z, sib)
                        self.data.append(sib)
        return self.zones

    # ---- queries ---------------------------------------------------------

    def qname(self):
        r = self.rng
        k = r.random()
        names = [o for o in self.owners if not o.startswith("*.")]
        if k < 0.35:
            n = r.choice(names)
        elif k < 0.5:
            n = r.choice(LABELS) + "." + r.choice(names)
        elif k < 0.6 and self.wild_parents:
            n = r.choice(["q", "a", "x.y", "www"]) + "." + \
                r.choice(self.wild_parents)
        elif k < 0.7 and self.dnames:
            n = r.choice(["www", "a.b", "x"]) + "." + r.choice(self.dnames)
        elif k < 0.78:
            n = r.choice(self.apexes + self.cuts)
        elif k < 0.84 and self.cuts:
            n = r.choice(["h", "ns", "a.b"]) + "." + r.choice(self.cuts)
        elif k < 0.87:
            n = r.choice(["test.", "nothere.test.", "example.net."])
        elif k < 0.9:
            n = "*." + r.choice(self.wild_parents or names)
        else:
            n = ".".join(r.choice(LABELS) for _ in range(r.randint(1, 3))) + \
                "." + r.choice(self.zones).origin
        # Random letter case (0x20): the question must come back as sent.
        return "".join(c.upper() if r.random() < 0.3 else c for c in n)

    def query(self):
        """One query as a dict; difftest.py builds the message."""
        r = self.rng
        q = {"name": self.qname(), "type": r.choice(QTYPES),
             "tcp": r.random() < 0.25, "rd": r.random() < 0.2,
             "cd": r.random() < 0.1, "edns": None, "do": False,
             "bufsize": None, "tsig": False}
        if r.random() < 0.7:
            q["edns"] = 0 if r.random() < 0.97 else 1
            q["bufsize"] = r.choice([512, 512, 1232, 4096])
            q["do"] = r.random() < 0.35
        if r.random() < 0.03:
            q["tsig"] = True
        if r.random() < 0.03:
            q.update(name=self.edge, type="CAA", edns=0, bufsize=512,
                     tsig=False)
        # Now and then what a server must refuse or not implement: other
        # opcodes, classes, meta and zone-transfer types, tiny buffers.
        k = r.random()
        if k < 0.02:
            q["opcode"] = r.choice(["IQUERY", "STATUS", "NOTIFY", "UPDATE"])
        elif k < 0.035:
            q["class"] = r.choice(["CH", "ANY", "HS", "NONE"])
        elif k < 0.07:
            q["type"] = r.choice(RARE_QTYPES)
        elif k < 0.08 and q["edns"] is not None:
            q["bufsize"] = r.choice([0, 100, 511])
        return q


def generate(seed, nqueries):
    """The zones (list of Zone) and nqueries queries of one seed."""
    g = Generator(seed)
    zones = g.build()
    queries = [g.query() for _ in range(nqueries)]
    return zones, queries
