#!/usr/bin/env python3
# tests/acme/http01-bridge.py -- lego's webroot HTTP-01 files, handed to
# caa-responder's challtestsrv-compatible /add-http01.
#
#   http01-bridge.py WEBROOT API-URL
#   lego --http --http.webroot WEBROOT ...
#
# lego writes each key authorization to
# WEBROOT/.well-known/acme-challenge/TOKEN and then asks the CA to
# validate.  This looks at that directory every 20 ms and adds each new or
# changed file with /add-http01, so that caa-responder --http01 serves the
# token when Pebble comes to fetch it, and the run needs no HTTP-01 server
# of the client's own.  lego does not wait for it: scripts/acme-e2e.sh
# delays the answers to the name's DNS queries (a fault rule) so that
# Pebble fetches well after the file is handed on.  Files over 4096
# octets are skipped.  scripts/acme-e2e.sh stops it by its PID.
import json
import os
import sys
import time
import urllib.error
import urllib.request

MAX_CONTENT = 4096


def add_http01(api, token, content):
    """POST /add-http01; returns the HTTP status (0 when unreachable)."""
    body = json.dumps({"token": token, "content": content}).encode()
    req = urllib.request.Request(api + "/add-http01", data=body,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0


def main():
    if len(sys.argv) != 3:
        print("usage: http01-bridge.py WEBROOT API-URL", file=sys.stderr)
        return 2
    chall = os.path.join(sys.argv[1], ".well-known", "acme-challenge")
    api = sys.argv[2].rstrip("/")
    seen = {}
    print("http01-bridge: watching %s" % chall, flush=True)
    while True:
        try:
            names = os.listdir(chall)
        except OSError:
            names = []
        for name in names:
            path = os.path.join(chall, name)
            try:
                st = os.stat(path)
                if st.st_size == 0 or st.st_size > MAX_CONTENT:
                    continue
                with open(path, encoding="utf-8", errors="replace") as f:
                    content = f.read()
            except OSError:
                continue
            if seen.get(name) == content:
                continue
            status = add_http01(api, name, content)
            print("http01-bridge: %s -> /add-http01 %d" % (name, status),
                  flush=True)
            if status == 200:
                seen[name] = content
        time.sleep(0.02)


if __name__ == "__main__":
    sys.exit(main())
