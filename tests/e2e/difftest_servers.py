# tests/e2e/difftest_servers.py -- start caa-responder, Knot DNS (knotd) and
# NSD on free loopback ports for the differential test, each on the same
# zone files in a temporary directory, and stop them by PID.
#
# Knot and NSD run as private instances: their configuration, run directory,
# database, pid file and logs are in the temporary directory, they listen on
# 127.0.0.1 only, never on port 53, and their remote control is off (Knot's
# control socket is a file in the directory).
"""Private caa-responder, knotd and nsd instances on loopback."""

import os
import shutil
import signal
import socket
import subprocess
import time

import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

UDP_MAX = 1232


def free_port():
    """A port free for both UDP and TCP on 127.0.0.1 right now."""
    for _ in range(50):
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.bind(("127.0.0.1", 0))
        port = t.getsockname()[1]
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("127.0.0.1", port))
        except OSError:
            t.close()
            continue
        u.close()
        t.close()
        return port
    raise RuntimeError("no free port on 127.0.0.1")


def find_tool(name):
    for d in (os.environ.get("PATH", "").split(os.pathsep) +
              ["/usr/sbin", "/usr/local/sbin", "/sbin"]):
        p = os.path.join(d, name)
        if d and os.access(p, os.X_OK):
            return p
    return None


class Server:
    """One running server: name, port, Popen."""

    def __init__(self, name, workdir):
        self.name = name
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir, exist_ok=True)
        self.port = None
        self.proc = None
        self.log = os.path.join(self.dir, "log.txt")

    def log_tail(self, n=20):
        try:
            with open(self.log, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)

    def sanitizer_report(self):
        """After stop(): what went wrong in the process, or None.  An exit
        status other than 0 after SIGTERM, or a sanitizer's report
        (ASan, UBSan's "runtime error") in its log."""
        text = self.log_tail(10000)
        for mark in ("runtime error", "AddressSanitizer", "LeakSanitizer"):
            i = text.find(mark)
            if i >= 0:
                start = text.rfind("\n", 0, i) + 1
                return "sanitizer report in its log:\n" + text[start:start + 2000]
        if self.proc is not None and self.proc.returncode not in (0, None):
            return "exit status %d after SIGTERM:\n%s" % (
                self.proc.returncode, self.log_tail())
        return None

    def wait_ready(self, origins, deadline):
        """Until every zone's SOA is answered with AA (or the deadline)."""
        pending = list(origins)
        while pending:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited with status %s:\n%s" % (
                    self.name, self.proc.returncode, self.log_tail()))
            if time.monotonic() > deadline:
                raise RuntimeError("%s did not serve %s in time:\n%s" % (
                    self.name, pending[0], self.log_tail()))
            q = dns.message.make_query(pending[0], dns.rdatatype.SOA)
            q.flags = 0
            try:
                r = dns.query.udp(q, "127.0.0.1", port=self.port, timeout=0.3)
                if r.rcode() == dns.rcode.NOERROR and r.answer:
                    pending.pop(0)
                    continue
            except (dns.exception.Timeout, OSError):
                pass
            time.sleep(0.05)


def start_responder(binary, workdir, files):
    s = Server("caa-responder", workdir)
    ready = os.path.join(s.dir, "ready.txt")
    with open(ready, "w") as out, open(s.log, "w") as err:
        s.proc = subprocess.Popen(
            [binary, "-l", "127.0.0.1:0", "--udp-max", str(UDP_MAX)] + files,
            stdout=out, stderr=err, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with open(ready) as f:
            line = f.readline()
        if line.startswith("ready"):
            for word in line.split():
                if word.startswith("udp=127.0.0.1:"):
                    s.port = int(word.rsplit(":", 1)[1])
            return s
        if s.proc.poll() is not None:
            break
        time.sleep(0.02)
    s.stop()
    raise RuntimeError("caa-responder did not start:\n" + s.log_tail())


def start_knot(workdir, zonedir, origins):
    s = Server("knot", workdir)
    s.port = free_port()
    conf = os.path.join(s.dir, "knot.conf")
    lines = [
        "server:",
        "    rundir: \"%s\"" % s.dir,
        "    listen: 127.0.0.1@%d" % s.port,
        "    udp-max-payload: %d" % UDP_MAX,
        "    tcp-reuseport: off",
        "    background-workers: 1",
        "    udp-workers: 1",
        "    tcp-workers: 1",
        "control:",
        "    listen: \"%s\"" % os.path.join(s.dir, "knot.sock"),
        "database:",
        "    storage: \"%s\"" % os.path.join(s.dir, "db"),
        "log:",
        "  - target: stderr",
        "    any: warning",
        "template:",
        "  - id: default",
        "    storage: \"%s\"" % zonedir,
        "    zonefile-sync: -1",
        "    zonefile-load: whole",
        "    journal-content: none",
        "zone:",
    ]
    for o in origins:
        lines += ["  - domain: %s" % o, "    file: %s" % zone_file_name(o)]
    with open(conf, "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(s.log, "w") as err:
        s.proc = subprocess.Popen([find_tool("knotd"), "-c", conf],
                                  stdout=err, stderr=err,
                                  stdin=subprocess.DEVNULL)
    return s


def start_nsd(workdir, zonedir, origins):
    s = Server("nsd", workdir)
    s.port = free_port()
    conf = os.path.join(s.dir, "nsd.conf")
    lines = [
        "server:",
        "    ip-address: 127.0.0.1@%d" % s.port,
        "    port: %d" % s.port,
        "    do-ip6: no",
        "    server-count: 1",
        "    username: \"\"",
        "    chroot: \"\"",
        "    zonesdir: \"%s\"" % zonedir,
        "    database: \"\"",
        "    pidfile: \"%s\"" % os.path.join(s.dir, "nsd.pid"),
        "    xfrdfile: \"%s\"" % os.path.join(s.dir, "xfrd.state"),
        "    xfrdir: \"%s\"" % s.dir,
        "    zonelistfile: \"%s\"" % os.path.join(s.dir, "zone.list"),
        "    cookie-secret-file: \"%s\"" % os.path.join(s.dir, "cookie"),
        "    logfile: \"%s\"" % s.log,
        "    ipv4-edns-size: %d" % UDP_MAX,
        "    verbosity: 1",
        "remote-control:",
        "    control-enable: no",
    ]
    for o in origins:
        lines += ["zone:", "    name: %s" % o,
                  "    zonefile: %s" % zone_file_name(o)]
    with open(conf, "w") as f:
        f.write("\n".join(lines) + "\n")
    check = find_tool("nsd-checkconf")
    if check:
        r = subprocess.run([check, conf], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("nsd-checkconf: " + r.stdout + r.stderr)
    with open(os.path.join(s.dir, "stderr.txt"), "w") as err:
        s.proc = subprocess.Popen([find_tool("nsd"), "-d", "-c", conf],
                                  stdout=err, stderr=err,
                                  stdin=subprocess.DEVNULL)
    return s


def zone_file_name(origin):
    return origin.rstrip(".") + ".zone"


def have_tools():
    """The missing ones of knotd and nsd (empty: both there)."""
    return [t for t in ("knotd", "nsd") if find_tool(t) is None]


def start_all(binary, workdir, zones_by_file):
    """Write the zones, start the three servers, wait until each serves
    every zone.  Returns the servers in the order caa-responder, knot, nsd."""
    zonedir = os.path.join(workdir, "zones")
    os.makedirs(zonedir, exist_ok=True)
    files = []
    origins = []
    for origin, text in zones_by_file:
        path = os.path.join(zonedir, zone_file_name(origin))
        with open(path, "w") as f:
            f.write(text)
        files.append(path)
        origins.append(origin)
    servers = []
    try:
        servers.append(start_responder(binary, workdir, files))
        servers.append(start_knot(workdir, zonedir, origins))
        servers.append(start_nsd(workdir, zonedir, origins))
        deadline = time.monotonic() + 30
        for s in servers:
            s.wait_ready(origins, deadline)
    except BaseException:
        stop_all(servers)
        raise
    return servers


def stop_all(servers):
    for s in servers:
        s.stop()


def remove(workdir):
    shutil.rmtree(workdir, ignore_errors=True)
