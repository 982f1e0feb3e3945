#!/usr/bin/env python3
"""A webhook receiver for tests: HTTP (or HTTPS with a self-signed certificate) on 127.0.0.1.

Prints the port it listens on as its first stdout line, then records each request as one JSON
line ({"path", "headers" (names lowercased), "body"}) to --record FILE; with --timestamps each
line also has "received_at": time.time() when the request's headers had been read (benchmarks
measure alert latency with it). What it answers depends on the path:
  /ok           200
  /fail-twice   500, 500, then 200 (counted per path)
  /retry-after  429 with "Retry-After: 2" the first time, then 200
  /hang         never answers (other requests are still served)
  /hang-first   never answers the first request, then 200 (a sender killed mid-send)
  /gone         404
It exits when its stdin closes (the test that started it is gone) or on SIGTERM/SIGKILL.
"""
import argparse
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from peerlib import exit_when_stdin_closes, own_process_group

counts = {}
lock = threading.Lock()


def answer_for(path):
    with lock:
        n = counts.get(path, 0)
        counts[path] = n + 1
    if path == "/ok":
        return 200, {}
    if path == "/fail-twice":
        return (500, {}) if n < 2 else (200, {})
    if path == "/retry-after":
        return (429, {"Retry-After": "2"}) if n == 0 else (200, {})
    if path == "/hang-first":
        return (0, {}) if n == 0 else (200, {})
    if path == "/gone":
        return 404, {}
    return 400, {}


class Handler(BaseHTTPRequestHandler):
    record = None
    timestamps = False
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        received_at = time.time()  # before the body: what a receiver would call "got the request"
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        entry = {
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body,
        }
        if self.timestamps:
            entry["received_at"] = received_at
        with lock, open(self.record, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")
        if self.path == "/hang" or (self.path == "/hang-first" and answer_for(self.path)[0] == 0):
            time.sleep(3600)
            return
        status, headers = answer_for(self.path)
        text = ("status %d for %s\n" % (status, self.path)).encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)

    def log_message(self, fmt, *args):
        sys.stderr.write("webhook peer: " + (fmt % args) + "\n")


def self_signed(folder):
    """A certificate and key for 127.0.0.1 that no client trusts."""
    cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
    if shutil.which("openssl"):
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return cert, key
    try:
        return self_signed_python(cert, key)
    except ImportError:
        sys.exit("webhook peer: --tls needs the openssl command or the cryptography module")


def self_signed_python(cert, key):
    import datetime
    import ipaddress
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(private.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(private, hashes.SHA256()))
    with open(key, "wb") as f:
        f.write(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    with open(cert, "wb") as f:
        f.write(certificate.public_bytes(serialization.Encoding.PEM))
    return cert, key


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--record", required=True)
    parser.add_argument("--tls", action="store_true")
    parser.add_argument("--timestamps", action="store_true", help='add "received_at" (epoch s) to each line')
    args = parser.parse_args()
    own_process_group()
    Handler.record = args.record
    Handler.timestamps = args.timestamps
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if args.tls:
        with tempfile.TemporaryDirectory() as folder:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self_signed(folder))
        server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
