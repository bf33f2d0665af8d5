#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""kubeletd.py - a kubelet GET /pods stand-in that misbehaves on request.

  kubeletd.py --cert CRT --key KEY --client-ca CA [--also-trust CA2]
              --token-file F --forbidden-token-file F2
              --file PODLIST [--mode MODE] [--mode-file F]
              [--listen 127.0.0.1] [--port 0] [--port-file F] [--log F]

HTTPS (TLS 1.2+) on LISTEN:PORT (PORT 0: one the kernel picks); once it
listens, the port number is written to --port-file (temp file + rename).
Python stdlib only.  Started by tests/lib/kubelet.sh (kubelet_fault_start);
stops cleanly (exit 0) on SIGTERM or SIGINT, also in the middle of a slow or
stalled answer.

Authorization (as the nginx stand-in in tests/lib/kubelet.sh), GET /pods:
  a client certificate issued by --client-ca  -> allowed (token or not)
  else "Authorization: Bearer <token>"        -> allowed
  else the forbidden token                    -> 403
  else                                        -> 401
Any other path -> 404; a method other than GET or HEAD -> 405.  Client
certificates are requested, not required; one issued by an --also-trust CA
passes the handshake but counts as no certificate (so: 401 without a
token); one from any other CA fails the handshake.  The token files are
re-read on every request (token rotation tests).

Modes (for allowed /pods requests; the mode is re-read from --mode-file,
when it exists, on every request, else --mode; default ok):
  ok               200, the file, Content-Length
  chunked          200, the file in Transfer-Encoding: chunked (odd sizes
                   1, 17, 333, 4096, 8192 bytes, as a Go server streams it)
  slow:SECONDS     wait SECONDS (a float) before answering, then as ok
  status:CODE      CODE (e.g. 500, 503) with a short text/plain body
  garbage          200, application/json, bytes that are not JSON
  truncated        200, Content-Length of the whole file, half of it sent,
                   then the TCP connection closed (no TLS close_notify)
  chunked-truncated  chunked, half the file, then closed (no last chunk)
  stall            200, Content-Length of the whole file, half of it sent,
                   then nothing until the client gives up (closes)
  drop             read the request, close the connection, answer nothing
  big:MB           a valid PodList of exactly MB MiB (MB may be a float;
                   1 MiB = 1048576 bytes): the file's items, then filler
                   pods (namespace kubeletd-filler, one container each,
                   unique ids) padded with an annotation; streamed with
                   Content-Length.  If the file alone is larger, the file.
  big-chunked:MB   the same, chunked
An unknown mode answers 500 ("kubeletd: unknown mode ...").

Log (--log; one line per request, appended when the answer is over; the
Authorization header is never logged):
  t=1718000000.123 mode=ok status=200 path=/pods auth=token bytes=1234 outcome=complete
    auth     cert | token | forbidden | bad (another token or scheme) | none
    bytes    body bytes sent
    outcome  complete | truncated | stalled (client gone during a stall) |
             dropped | client-gone (the client closed early) | stopped
A failed TLS handshake logs `t=... tls-error=<reason>`.
"""

import argparse
import hashlib
import http.server
import json
import os
import select
import signal
import socket
import ssl
import sys
import threading
import time

MIB = 1048576
CHUNK_SIZES = (1, 17, 333, 4096, 8192)
STALL_MAX_S = 600.0
FILLER_BYTES = 65536
GARBAGE = (b"<html><head><title>502 Bad Gateway</title></head>\r\n"
           b"<body>not json \x00\xff\xfe{\"items\":[}</body></html>\r\n")


class Config:
    pass


CFG = Config()
STOP = threading.Event()
LOG_LOCK = threading.Lock()


def read_text(path):
    try:
        with open(path, "r", encoding="utf-8", errors="replace") as f:
            return f.read().strip()
    except OSError:
        return None


def log_line(text):
    if not CFG.log:
        return
    line = "t=%.3f %s\n" % (time.time(), text)
    with LOG_LOCK:
        with open(CFG.log, "a", encoding="utf-8") as f:
            f.write(line)


def current_mode():
    if CFG.mode_file:
        m = read_text(CFG.mode_file)
        if m:
            return m
    return CFG.mode


def item_texts(data):
    """The file's items, each serialized compactly, or None if it is no PodList."""
    try:
        doc = json.loads(data)
    except ValueError:
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        return None
    return [json.dumps(i, separators=(",", ":")) for i in doc["items"]]


def filler_pod(n, pad):
    h = hashlib.sha256(b"kubeletd-filler-%d" % n).hexdigest()
    uid = "%s-%s-%s-%s-%s" % (h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
    name = "filler-%d" % n
    image = "registry.k8s.io/pause:3.9"
    pod = {
        "metadata": {
            "name": name, "namespace": "kubeletd-filler", "uid": uid,
            "labels": {"app": "filler"},
            "annotations": {"pid2pod.test/padding": "p" * pad},
        },
        "spec": {"nodeName": "kubeletd", "serviceAccountName": "default",
                 "containers": [{"name": "pause", "image": image}]},
        "status": {"phase": "Running", "containerStatuses": [{
            "name": "pause", "image": image, "imageID": image,
            "containerID": "containerd://" + hashlib.sha256(h.encode()).hexdigest(),
            "ready": True, "restartCount": 0,
            "state": {"running": {"startedAt": "2024-05-01T10:00:00Z"}}}]},
    }
    return json.dumps(pod, separators=(",", ":"))


def big_body(data, target):
    """(total length, iterator of byte strings) for a PodList of target bytes."""
    items = item_texts(data)
    if items is None:
        items = []
    head = '{"kind":"PodList","apiVersion":"v1","metadata":{},"items":['
    tail = "]}"
    base = len(head) + len(tail) + sum(len(i) for i in items) + max(len(items) - 1, 0)
    if base >= target:
        if len(data) >= target:
            return len(data), iter([data])
        return base, iter([(head + ",".join(items) + tail).encode()])
    # Fillers of FILLER_BYTES (with the comma before them), the last one sized
    # to land on target exactly; a remainder too small for a pod widens the
    # one before it.
    empty = len(filler_pod(0, 0)) + 1  # +1: the comma
    need = target - base
    if not items:
        need += 1  # the first filler has no comma
    sizes = []
    while need > 0:
        s = FILLER_BYTES if need >= FILLER_BYTES + empty else need
        if s < empty + 1:
            if sizes:
                sizes[-1] += s
            else:
                return base, iter([(head + ",".join(items) + tail).encode()])
            break
        sizes.append(s)
        need -= s

    def gen():
        yield (head + ",".join(items)).encode()
        for n, s in enumerate(sizes):
            lead = "," if (items or n > 0) else ""
            text = filler_pod(n, 0)
            pad = s - len(text) - 1
            # The filler's digits vary in length: measure the real one.
            text = filler_pod(n, pad)
            fix = s - 1 - len(text)
            if fix:
                text = filler_pod(n, pad + fix)
            yield (lead + text).encode()
        yield tail.encode()
    return target, gen()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kubeletd/1"
    sys_version = ""
    timeout = 30

    def setup(self):
        raw = self.request
        raw.settimeout(10)
        try:
            self.request = CFG.ctx.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError) as e:
            log_line("tls-error=%s" % str(e).replace(" ", "_")[:120])
            raw.close()
            raise
        super().setup()

    def finish(self):
        try:
            super().finish()
        except OSError:
            pass
        try:
            self.request.close()
        except OSError:
            pass

    def log_message(self, format, *args):  # noqa: A002 (the base's name)
        pass

    def auth(self):
        cert = self.connection.getpeercert()
        if cert and cert.get("issuer") in CFG.client_issuers:
            return "cert"
        h = self.headers.get("Authorization")
        if h is None:
            return "none"
        good = read_text(CFG.token_file)
        forbidden = read_text(CFG.forbidden_token_file)
        if good and h == "Bearer " + good:
            return "token"
        if forbidden and h == "Bearer " + forbidden:
            return "forbidden"
        return "bad"

    # Response helpers: each returns the body bytes sent.
    def head(self, code, ctype, length=None, chunked=False, extra=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif length is not None:
            self.send_header("Content-Length", str(length))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()

    def simple(self, code, text, extra=()):
        body = text.encode()
        self.head(code, "text/plain; charset=utf-8", len(body), extra=extra)
        if self.command != "HEAD":
            self.wfile.write(body)
            return len(body)
        return 0

    def write_chunked(self, pieces, limit=None):
        sent = 0
        k = 0
        for piece in pieces:
            off = 0
            while off < len(piece):
                n = CHUNK_SIZES[k % len(CHUNK_SIZES)]
                k += 1
                if limit is not None:
                    n = min(n, limit - sent)
                    if n <= 0:
                        return sent
                part = piece[off:off + n]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                sent += len(part)
                off += len(part)
            if STOP.is_set():
                return sent
        if limit is None:
            self.wfile.write(b"0\r\n\r\n")
        return sent

    def cut(self):
        """Close the TCP connection without a TLS close_notify."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.request.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def wait_client_gone(self):
        """Until the client closes (or we stop): True if it closed."""
        sock = self.request
        deadline = time.monotonic() + STALL_MAX_S
        while not STOP.is_set() and time.monotonic() < deadline:
            r, _, _ = select.select([sock], [], [], 0.1)
            if not r:
                continue
            try:
                sock.settimeout(0.1)
                if not sock.recv(4096):
                    return True
            except (socket.timeout, ssl.SSLWantReadError):
                continue
            except (OSError, ssl.SSLError):
                return True
        return False

    def do_HEAD(self):
        self.do_GET()

    def do_POST(self):
        self.answer_other(405)

    do_PUT = do_DELETE = do_PATCH = do_POST

    def answer_other(self, code):
        mode = current_mode()
        n = self.simple(code, "405 method not allowed\n", extra=(("Allow", "GET, HEAD"),))
        log_line("mode=%s status=%d path=%s auth=- bytes=%d outcome=complete"
                 % (mode, code, self.path.split(" ")[0], n))

    def do_GET(self):
        mode = current_mode()
        path = self.path.split("?", 1)[0]
        status, n, outcome, auth = 0, 0, "complete", "-"
        try:
            if path != "/pods":
                status = 404
                n = self.simple(404, "404 page not found\n")
            else:
                auth = self.auth()
                if auth == "forbidden":
                    status = 403
                    n = self.simple(403, "Forbidden (user=pid2pod-test, verb=get, "
                                         "resource=nodes, subresource=proxy)\n")
                elif auth in ("none", "bad"):
                    status = 401
                    n = self.simple(401, "Unauthorized\n")
                else:
                    status, n, outcome = self.serve(mode)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, socket.timeout,
                OSError):
            outcome = "client-gone"
            self.close_connection = True
        if STOP.is_set() and outcome == "complete" and status == 0:
            outcome = "stopped"
        log_line("mode=%s status=%d path=%s auth=%s bytes=%d outcome=%s"
                 % (mode.replace(" ", "_"), status, self.path.replace(" ", "%20"),
                    auth, n, outcome))

    def serve(self, mode):
        """Answer an allowed /pods request: (status, body bytes, outcome)."""
        name, _, arg = mode.partition(":")
        try:
            with open(CFG.file, "rb") as f:
                data = f.read()
        except OSError as e:
            return 500, self.simple(500, "kubeletd: cannot read the pod list: %s\n" % e), "complete"
        is_head = self.command == "HEAD"
        js = "application/json"
        if name == "slow":
            try:
                delay = float(arg)
            except ValueError:
                return 500, self.simple(500, "kubeletd: bad mode %r\n" % mode), "complete"
            if STOP.wait(delay):
                self.cut()
                return 0, 0, "stopped"
            name = "ok"
        if name == "ok":
            self.head(200, js, len(data))
            if not is_head:
                self.wfile.write(data)
                return 200, len(data), "complete"
            return 200, 0, "complete"
        if name == "chunked":
            self.head(200, js, chunked=True)
            if is_head:
                return 200, 0, "complete"
            return 200, self.write_chunked([data]), "complete"
        if name == "status":
            try:
                code = int(arg)
                if not 100 <= code <= 599:
                    raise ValueError
            except ValueError:
                return 500, self.simple(500, "kubeletd: bad mode %r\n" % mode), "complete"
            return code, self.simple(code, "kubeletd: fault status %d\n" % code), "complete"
        if name == "garbage":
            self.head(200, js, len(GARBAGE))
            if is_head:
                return 200, 0, "complete"
            self.wfile.write(GARBAGE)
            return 200, len(GARBAGE), "complete"
        if name in ("truncated", "stall"):
            half = len(data) // 2
            self.head(200, js, len(data))
            self.wfile.write(data[:half])
            self.wfile.flush()
            if name == "truncated":
                self.cut()
                return 200, half, "truncated"
            gone = self.wait_client_gone()
            self.close_connection = True
            return 200, half, ("stalled" if gone else "stopped")
        if name == "chunked-truncated":
            self.head(200, js, chunked=True)
            n = self.write_chunked([data], limit=len(data) // 2)
            self.cut()
            return 200, n, "truncated"
        if name == "drop":
            self.cut()
            return 0, 0, "dropped"
        if name in ("big", "big-chunked"):
            try:
                target = int(float(arg) * MIB)
                if target <= 0:
                    raise ValueError
            except ValueError:
                return 500, self.simple(500, "kubeletd: bad mode %r\n" % mode), "complete"
            total, pieces = big_body(data, target)
            if name == "big":
                self.head(200, js, total)
                if is_head:
                    return 200, 0, "complete"
                sent = 0
                for p in pieces:
                    self.wfile.write(p)
                    sent += len(p)
                    if STOP.is_set():
                        self.cut()
                        return 200, sent, "stopped"
                return 200, sent, "complete"
            self.head(200, js, chunked=True)
            if is_head:
                return 200, 0, "complete"
            return 200, self.write_chunked(pieces), "complete"
        return 500, self.simple(500, "kubeletd: unknown mode %r\n" % mode), "complete"


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def handle_error(self, request, client_address):
        # Handshake failures are logged in setup(); a client that went away
        # is not our error.  Anything else: one line on stderr.
        e = sys.exc_info()[1]
        if isinstance(e, (ssl.SSLError, OSError)):
            return
        print("kubeletd: error serving %s: %r" % (client_address, e), file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--listen", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--client-ca", required=True)
    ap.add_argument("--also-trust", action="append", default=[])
    ap.add_argument("--token-file", required=True)
    ap.add_argument("--forbidden-token-file", required=True)
    ap.add_argument("--file", required=True)
    ap.add_argument("--mode", default="ok")
    ap.add_argument("--mode-file")
    ap.add_argument("--log")
    a = ap.parse_args()

    CFG.file, CFG.mode, CFG.mode_file, CFG.log = a.file, a.mode, a.mode_file, a.log
    CFG.token_file, CFG.forbidden_token_file = a.token_file, a.forbidden_token_file

    # Which issuers authenticate: the subjects of --client-ca's certificates.
    probe = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    probe.load_verify_locations(cafile=a.client_ca)
    CFG.client_issuers = [c["subject"] for c in probe.get_ca_certs()]

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(a.cert, a.key)
    ctx.load_verify_locations(cafile=a.client_ca)
    for extra in a.also_trust:
        ctx.load_verify_locations(cafile=extra)
    ctx.verify_mode = ssl.CERT_OPTIONAL
    CFG.ctx = ctx

    srv = Server((a.listen, a.port), Handler)
    port = srv.server_address[1]

    def on_signal(signum, frame):
        STOP.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True)
    t.start()
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, a.port_file)
    while not STOP.wait(0.5):
        pass
    srv.shutdown()
    srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
