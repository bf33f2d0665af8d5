#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""refenrich.py - a tiny reference enricher: what audisp-pid2pod should write.

  refenrich.py --proc-root DIR [--node-name NAME] [--format text|json]
               < records > enriched

Implements the plugin's output contract with no kubelet (so only
container_id and k8s_pod_id): reads DIR/<pid>/cgroup itself and resolves it
the way tests/../notes/resolution.md describes (innermost 64-hex segment after
stripping .scope and a runtime prefix, or what follows :cri-containerd:;
pod UID only from a pod<uid> token; lines without a container id ignored,
lines with a pod UID preferred, disagreement -> unknown).  Deliberately
written without sharing code with verify.py: a byte-at-a-time field scanner
here, regular expressions there, so the self-test cross-checks them.

  --resolve-vectors FILE   instead, check the resolver against a
                           cgroup-vectors JSONL file and print the tally.
"""

import argparse
import ctypes
import ctypes.util
import json
import os
import re
import sys

import fieldsref

_audit = ctypes.CDLL(ctypes.util.find_library("audit") or "libaudit.so.1")
_audit.audit_name_to_msg_type.argtypes = [ctypes.c_char_p]

RUNTIME_PREFIXES = ("cri-containerd-", "crio-", "docker-", "libpod-payload-", "libpod-",
                    "nerdctl-")
HEX = set("0123456789abcdef")


def seg_container(seg):
    if ":cri-containerd:" in seg:
        s = seg.split(":cri-containerd:", 1)[1]
    else:
        s = seg[:-6] if seg.endswith(".scope") else seg
        for p in RUNTIME_PREFIXES:
            if s.startswith(p):
                s = s[len(p):]
                break
    if len(s) == 64 and all(c in HEX for c in s):
        return s
    return None


def is_uuid(u, sep):
    parts = u.split(sep)
    if [len(x) for x in parts] != [8, 4, 4, 4, 12]:
        return False
    return all(c in HEX for c in u.replace(sep, ""))


def seg_pod(seg):
    """pod UID named by one path segment, or None."""
    s = seg.split(":", 1)[0]
    s = s[:-6] if s.endswith(".slice") else s
    # the token after the last '-' for systemd names, the whole segment else
    cands = [s]
    i = s.rfind("-pod")
    if i >= 0:
        cands.append(s[i + 1:])
    for c in cands:
        if "-pod" in c and not c.startswith("pod"):
            c = c[c.rfind("-pod") + 1:]
        if not c.startswith("pod"):
            continue
        u = c[3:]
        if len(u) == 32 and all(ch in HEX for ch in u):
            return u
        if is_uuid(u, "-"):
            return u
        if is_uuid(u, "_"):
            return u.replace("_", "-")
    return None


def resolve_cgroup(text):
    """(container_id, pod_uid) or None (host), or 'unknown'; container_id is
    None when only a pod UID is named (a pod-level process such as conmon)."""
    found = []
    pod_only = set()
    for line in text.replace("\r", "\n").split("\n"):
        line = line.strip()
        parts = line.split(":", 2)
        if len(parts) != 3 or not parts[2].startswith("/"):
            continue
        segs = [x for x in parts[2].split("/") if x]
        cid = None
        for seg in reversed(segs):
            cid = seg_container(seg)
            if cid:
                break
        uid = None
        for seg in reversed(segs):
            uid = seg_pod(seg)
            if uid:
                break
        if not cid:
            if uid:
                pod_only.add(uid)
            continue
        found.append((cid, uid))
    if not found:
        if len(pod_only) == 1:
            return (None, pod_only.pop())
        return None
    with_uid = [f for f in found if f[1]]
    pool = set(with_uid or found)
    if len(pool) != 1:
        return "unknown"
    return pool.pop()


class Resolver:
    def __init__(self, root):
        self.root = root
        self.cache = {}

    def lookup(self, pid):
        """'host', 'unknown' or (cid, uid)."""
        if pid in self.cache:
            return self.cache[pid]
        try:
            with open(os.path.join(self.root, str(pid), "cgroup"), "rb") as f:
                data = f.read().decode("utf-8", "replace")
        except OSError:
            data = ""
        if not data.strip():
            res = "unknown"
        else:
            r = resolve_cgroup(data)
            res = "host" if r is None else r
            if isinstance(res, tuple) and res[0] is None:
                res = "unknown"     # pod-level only: not produced by mkproctree
        self.cache[pid] = res
        return res


def scan_fields(text):
    """Byte-at-a-time field scanner: list of (name, value, value_end)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i] == 0x20:
            i += 1
        start = i
        while i < n and text[i] not in (0x20, 0x3d):
            i += 1
        if i >= n or text[i] != 0x3d:
            continue          # a token without '=' (or end)
        name = text[start:i]
        i += 1
        vstart = i
        if i < n and text[i] in (0x22, 0x27):
            q = text[i]
            i += 1
            while i < n and text[i] != q:
                i += 1
            if i < n:
                i += 1
        else:
            while i < n and text[i] != 0x20:
                i += 1
        out.append((name, text[vstart:i], i))
    return out


def enc(name, val):
    if val is None:
        return b" " + name + b"=?"
    if any(c == 0x22 or c < 0x21 or c >= 0x7f for c in val):
        return b" " + name + b"=" + val.hex().upper().encode()
    return b" " + name + b'="' + val + b'"'


SEALED_NAMES = (b"k8s_namespace", b"k8s_pod", b"k8s_container", b"k8s_pod_id",
                b"k8s_pid_inside", b"k8s_image", b"k8s_owner", b"k8s_workload",
                b"k8s_workload_kind", b"k8s_sa", b"k8s_exec")


def fields_for(res, prefix, sealed=False):
    """sealed: text a process chose follows the fields (a user-space msg=',
    NETFILTER_CFG's table name): every name written, `?` when unknown.
    No kubelet here and no nspid in a fake proc tree: only the pod id."""
    if res == "host":
        return b""
    if res == "unknown":
        s = enc(prefix + b"container_id", None)
        if sealed:
            s += b"".join(enc(prefix + n, None) for n in SEALED_NAMES)
        return s
    cid, uid = res
    s = enc(prefix + b"container_id", cid.encode())
    if not sealed:
        if uid:
            s += enc(prefix + b"k8s_pod_id", uid.encode())
        return s
    for n in SEALED_NAMES:
        s += enc(prefix + n, uid.encode() if n == b"k8s_pod_id" and uid else None)
    return s


def split_node(line):
    if line[:5] == b"node=":
        sp = line.find(b" ")
        if sp > 0:
            return line[5:sp], line[sp + 1:]
    return None, line


def pidval(v):
    if v and all(0x30 <= c <= 0x39 for c in v) and int(v) > 0:
        return int(v)
    return None


def user_type(rtype):
    """A user-space record type (USER, 1100-1199, 2100-2999), numbered by
    libaudit's own table."""
    if rtype is None:
        return False
    n = _audit.audit_name_to_msg_type(rtype)
    return n == 1005 or 1100 <= n <= 1199 or 2100 <= n <= 2999


# NETFILTER_CFG: the table name is raw; the kernel's pid ends the record
NFCFG_TAIL = re.compile(rb' pid=([0-9]+)(?: subj=[^ ]*)? comm=(?:"[^"]*"|[0-9A-F]+|\(null\))$')


def enrich_line(line, resolver, node_name):
    """Return (S, P, pid, opid) for one non-EOE line (opid: an OBJ_PID's
    target on this node, else None)."""
    node, body = split_node(line)
    off = len(line) - len(body)
    gs = line.find(b"\x1d")
    text_end = gs if gs >= 0 else len(line)
    P = text_end
    fl = scan_fields(line[off:text_end])
    pid = opid = None
    rtype = fl[0][1] if fl and fl[0][0] == b"type" else None
    user = user_type(rtype)
    forged = sealed = False
    if rtype == b"NETFILTER_CFG":
        # before the first field: "): table=..." (the raw table name)
        h = line.find(b"): ", off)
        if 0 <= h < text_end:
            P = h + 2
            sealed = True
        m = NFCFG_TAIL.search(line[:text_end])
        if m:
            pid = m.group(1)
        else:
            forged = b" pid=" in line
        fl = []
    for i, (name, val, vend) in enumerate(fl):
        if user and name == b"msg" and val[:1] == b"'":
            start = off + vend - len(val) - len(name) - 1
            P = start - 1 if line[start - 1:start] == b" " else start
            sealed = True
            break
        if name == b"pid" and pid is None:
            pid = val
        elif name == b"opid" and i == 2 and rtype == b"OBJ_PID":
            opid = val  # the first field after type=, msg=audit(...):
    if node is not None and node_name is not None and node != node_name:
        return b"", P, None, None
    if forged:
        return fields_for("unknown", b"", sealed), P, None, None
    s = b""
    p = pidval(pid)
    if p is not None:
        s += fields_for(resolver.lookup(p), b"", sealed)
    op = None
    if rtype == b"OBJ_PID":
        op = pidval(opid)
        if op is not None:
            s += fields_for(resolver.lookup(op), b"o")
    return s, P, p, op


def is_eoe(line):
    _node, body = split_node(line)
    return body == b"type=EOE" or body.startswith(b"type=EOE ")


def jstr(b):
    s = b.decode("utf-8", "surrogateescape")
    return "".join(chr(ord(c) - 0xdc00) if 0xdc80 <= ord(c) <= 0xdcff else c for c in s)


def k8s_of(res):
    """The JSON k8s object for a resolver answer, None for the host."""
    if res == "unknown":
        return {"container_id": "?"}
    if res == "host":
        return None
    k = {"container_id": res[0]}
    if res[1]:
        k["pod_uid"] = res[1]
    return k


def run_json(inp, out, resolver, node_name):
    events = {}
    order = []

    def emit(key):
        ev = events.pop(key)
        out.write(json.dumps(ev, ensure_ascii=False).encode("utf-8") + b"\n")

    for raw in inp:
        line = raw[:-1] if raw.endswith(b"\n") else raw
        node, body = split_node(line)
        i = body.find(b"msg=audit(")
        j = body.find(b")", i)
        hdr = body[i + 10:j] if i >= 0 and j > i else b"0.000:0"
        t, _, serial = hdr.partition(b":")
        key = (node, t, serial)  # an event: node + time + serial
        if is_eoe(line):
            if key in events:
                emit(key)
            continue
        gs = body.find(b"\x1d")
        rec = {"type": jstr(body[5:body.find(b" ")]) if body.startswith(b"type=") else None,
               "text": jstr(body if gs < 0 else body[:gs])}
        if gs >= 0:
            rec["interp"] = jstr(body[gs + 1:])
        rec.update(fieldsref.record_json(line))
        ev = events.get(key)
        if ev is None:
            ev = {"node": jstr(node) if node is not None else None, "time": jstr(t),
                  "serial": int(serial) if serial.isdigit() else jstr(serial), "records": []}
            events[key] = ev
            order.append(key)
        ev["records"].append(rec)
        s, _P, p, op = enrich_line(line, resolver, node_name)
        if op is not None:
            k = k8s_of(resolver.lookup(op))
            if k is not None:
                rec["k8s"] = k
        if "k8s" not in ev and not ev.get("_pidseen"):
            if p is not None:
                ev["_pidseen"] = True
                k = k8s_of(resolver.lookup(p))
                if k is not None:
                    ev["k8s"] = k
        # single-record user events have no EOE
        if body.startswith(b"type=USER") or body.startswith(b"type=DAEMON_"):
            if len(ev["records"]) == 1:
                ev.pop("_pidseen", None)
                emit(key)
    for key in order:
        if key in events:
            events[key].pop("_pidseen", None)
            emit(key)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--proc-root")
    ap.add_argument("--node-name")
    ap.add_argument("--format", choices=("text", "json"), default="text")
    ap.add_argument("--resolve-vectors")
    a = ap.parse_args(argv)
    if a.resolve_vectors:
        ok = bad = 0
        with open(a.resolve_vectors) as f:
            for line in f:
                if not line.strip():
                    continue
                v = json.loads(line)
                r = resolve_cgroup(v["cgroup"])
                got = (None, None) if r is None or r == "unknown" else r
                want = (v.get("container_id"), v.get("pod_uid"))
                if got == want:
                    ok += 1
                else:
                    bad += 1
                    print("vector %s: got %s want %s" % (v.get("id"), got, want))
        print("vectors: %d agree, %d differ" % (ok, bad))
        return 0 if bad == 0 else 1
    if not a.proc_root:
        ap.error("--proc-root is required")
    resolver = Resolver(a.proc_root)
    node_name = a.node_name.encode() if a.node_name is not None else None
    inp = sys.stdin.buffer
    out = sys.stdout.buffer
    if a.format == "json":
        run_json(inp, out, resolver, node_name)
        out.flush()
        return 0
    for raw in inp:
        line = raw[:-1] if raw.endswith(b"\n") else raw
        if is_eoe(line):
            continue
        s, P, _p, _op = enrich_line(line, resolver, node_name)
        out.write(line[:P] + s + line[P:] + b"\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
