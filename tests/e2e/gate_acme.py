#!/usr/bin/python3
"""tests/e2e/gate_acme.py -- a minimal ACME client (RFC 8555) for gate.sh.

What lego cannot show: the replies caa-gate writes itself (their headers,
the authorization and order read again afterwards), a JWS it cannot read,
and a finalize refused after the CAA changed.  Signs with ES256
(python3-cryptography, Debian's /usr/bin/python3).  Prints one JSON object
describing every exchange of the scenario on stdout.

  gate_acme.py DIR-URL CA-FILE deny NAME
  gate_acme.py DIR-URL CA-FILE malformed NAME
  gate_acme.py DIR-URL CA-FILE recheck CONTROL-URL RR-DELETE RR-ADD NAME...
  gate_acme.py DIR-URL CA-FILE gone NAME   (hangs up mid-decision)
"""
import base64
import json
import ssl
import sys
import urllib.error
import urllib.request

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Client:
    def __init__(self, directory, cafile):
        self.ctx = ssl.create_default_context(cafile=cafile)
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.kid = None
        self.nonce = None
        self.dir = self.get(directory)[2]

    def http(self, method, url, body=None, timeout=30):
        req = urllib.request.Request(url, data=body, method=method)
        if body is not None:
            req.add_header("Content-Type", "application/jose+json")
        try:
            resp = urllib.request.urlopen(req, context=self.ctx,
                                          timeout=timeout)
        except urllib.error.HTTPError as e:
            resp = e
        data = resp.read()
        headers = {k.lower(): v for k, v in resp.headers.items()}
        if "replay-nonce" in headers:
            self.nonce = headers["replay-nonce"]
        try:
            doc = json.loads(data) if data else None
        except ValueError:
            doc = data.decode(errors="replace")
        return resp.status, headers, doc

    def get(self, url):
        return self.http("GET", url)

    def jwk(self):
        n = self.key.public_key().public_numbers()
        return {"crv": "P-256", "kty": "EC",
                "x": b64(n.x.to_bytes(32, "big")),
                "y": b64(n.y.to_bytes(32, "big"))}

    def jws(self, url, payload):
        if self.nonce is None:
            self.http("HEAD", self.dir["newNonce"])
        prot = {"alg": "ES256", "nonce": self.nonce, "url": url}
        if self.kid is None:
            prot["jwk"] = self.jwk()
        else:
            prot["kid"] = self.kid
        self.nonce = None
        p64 = b64(json.dumps(prot).encode())
        pl64 = "" if payload is None else b64(json.dumps(payload).encode())
        der = self.key.sign(f"{p64}.{pl64}".encode(), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        return json.dumps({"protected": p64, "payload": pl64,
                           "signature": b64(sig)}).encode()

    def post(self, url, payload):
        """payload None: POST-as-GET."""
        return self.http("POST", url, self.jws(url, payload))

    def account(self):
        st, h, doc = self.post(self.dir["newAccount"],
                               {"termsOfServiceAgreed": True})
        assert st in (200, 201), (st, doc)
        self.kid = h["location"]

    def order(self, names):
        st, h, doc = self.post(self.dir["newOrder"], {
            "identifiers": [{"type": "dns", "value": n} for n in names]})
        assert st == 201, (st, doc)
        return h["location"], doc

    def challenge(self, authz_url, kind="http-01"):
        st, h, authz = self.post(authz_url, None)
        for c in authz["challenges"]:
            if c["type"] == kind:
                return c["url"]
        raise SystemExit(f"no {kind} challenge in {authz}")


def seen(st, h, doc):
    return {"status": st, "type": h.get("content-type"),
            "link": h.get("link"), "nonce": h.get("replay-nonce"),
            "body": doc}


def deny(c, name):
    out = {}
    c.account()
    order_url, order = c.order([name])
    authz_url = order["authorizations"][0]
    chal = c.challenge(authz_url)
    out["post"] = seen(*c.post(chal, {}))
    out["authz"] = seen(*c.post(authz_url, None))
    out["challenge"] = seen(*c.post(chal, None))
    out["order"] = seen(*c.post(order_url, None))
    out["again"] = seen(*c.post(chal, {}))
    return out


def malformed(c, name):
    c.account()
    _, order = c.order([name])
    chal = c.challenge(order["authorizations"][0])
    bodies = {
        "not-json": b"not json",
        "not-object": b"[1]",
        "no-protected": b'{"payload":"","signature":""}',
        "no-payload": b'{"protected":"e30","signature":""}',
        "bad-base64url": b'{"protected":"!!!","payload":"e30","signature":""}',
        "header-not-object": json.dumps({"protected": b64(b"[1]"),
                                         "payload": "e30",
                                         "signature": ""}).encode(),
        "too-large": b'{"protected":"' + b"A" * 70000 + b'"}',
    }
    return {k: seen(*c.http("POST", chal, v)) for k, v in bodies.items()}


def recheck(c, control, delete, add, names):
    out = {}
    c.account()
    order_url, order = c.order(names)
    out["created"] = order
    for authz_url in order["authorizations"]:
        chal = c.challenge(authz_url)
        out.setdefault("posts", []).append(seen(*c.post(chal, {}))["status"])
    for authz_url in order["authorizations"]:
        for _ in range(50):
            st, h, doc = c.post(authz_url, None)
            if doc.get("status") != "pending":
                break
        out.setdefault("authz", []).append(doc.get("status"))
    # The CAA changes now, between the validation and the finalize.
    for name in names:
        for path, rr in (("records", delete), ("records", add)):
            req = urllib.request.Request(
                f"{control}/{path}",
                data=json.dumps({"rr": rr.replace("NAME", name)}).encode(),
                method="DELETE" if rr is delete else "POST")
            urllib.request.urlopen(req, timeout=10).read()
    key = ec.generate_private_key(ec.SECP256R1())
    csr = x509.CertificateSigningRequestBuilder().subject_name(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    ).add_extension(x509.SubjectAlternativeName(
        [x509.DNSName(n) for n in names]), critical=False).sign(
        key, hashes.SHA256())
    der = csr.public_bytes(serialization.Encoding.DER)
    out["finalize"] = seen(*c.post(order["finalize"], {"csr": b64(der)}))
    out["order"] = seen(*c.post(order_url, None))
    return out


def gone(c, name):
    """The challenge POST, given up after 0.3 s: the CAA lookup is slower."""
    c.account()
    _, order = c.order([name])
    chal = c.challenge(order["authorizations"][0])
    try:
        c.http("POST", chal, c.jws(chal, {}), timeout=0.3)
        return {"gone": False}
    except (TimeoutError, OSError):
        return {"gone": True}


def main():
    directory, cafile, scenario = sys.argv[1:4]
    c = Client(directory, cafile)
    if scenario == "deny":
        out = deny(c, sys.argv[4])
    elif scenario == "gone":
        out = gone(c, sys.argv[4])
    elif scenario == "malformed":
        out = malformed(c, sys.argv[4])
    else:
        out = recheck(c, sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7:])
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
