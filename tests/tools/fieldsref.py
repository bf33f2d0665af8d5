#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""fieldsref.py - the JSON events' "fields" of one record, written again
from the rules in docs/design.md ("JSON events"), not from the C code:
verify.py checks the plugin's "fields", "argv" and "fields_cut" against
this, and refenrich.py writes them.

record_json(line) -> dict of the keys a record object gets besides type,
text and interp: {"fields": {...}, "argv": [...], "fields_cut": True},
each only when it applies; {} for a line that is not an audit record.
Strings are what the plugin writes: bytes that are not UTF-8 become the
characters U+0080..U+00FF of the byte.
"""
import ctypes
import ctypes.util
import re

KEYS_MAX = 512          # distinct keys in one object
ARGV_MAX = 4096         # arguments in one argv
ENCODED = {b"acct", b"cmd", b"comm", b"cwd", b"data", b"exe", b"key", b"name",
           b"ocomm", b"path", b"proctitle", b"root_dir", b"old-chardev",
           b"new-chardev", b"old-disk", b"new-disk", b"old-fs", b"new-fs",
           b"old-net", b"new-net", b"old-rng", b"new-rng", b"device", b"vm"}
HEADER = re.compile(rb"(?:node=[^ ]+ )?type=([^ ]+) msg=audit\(\d{1,18}\.\d{1,3}:\d{1,18}\)")
HEX = re.compile(rb"(?:[0-9A-F]{2})+")
ARG = re.compile(rb"a(\d+)(?:(_len)|\[(\d+)\])?")
NF_TAIL = re.compile(rb" pid=(\d+)(?: subj=[^ ]*)? comm=(?:\"[^\"]*\"|[0-9A-F]+|\(null\))")

_audit = ctypes.CDLL(ctypes.util.find_library("audit"))
_audit.audit_name_to_msg_type.argtypes = [ctypes.c_char_p]


_USER = {}


def is_user_type(t):
    u = _USER.get(t)
    if u is None:
        n = _audit.audit_name_to_msg_type(t)
        u = _USER[t] = n == 1005 or 1100 <= n <= 1199 or 2100 <= n <= 2999
    return u


def text_of(b):
    """bytes as the plugin's JSON strings have them"""
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        pass
    s = b.decode("utf-8", "surrogateescape")
    return "".join(chr(ord(c) - 0xdc00) if 0xdc80 <= ord(c) <= 0xdcff else c for c in s)


def tokens(s):
    """(key, value, quoted, value_start) of each key=value in s; bare words
    skipped; a quoted value runs to its own quote character or the end"""
    i, n = 0, len(s)
    while True:
        while i < n and s[i] == 0x20:
            i += 1
        if i >= n:
            return
        j = i
        while j < n and s[j] not in (0x3d, 0x20):
            j += 1
        if j >= n:
            return
        if s[j] == 0x20 or j == i:
            i = j + 1
            continue
        key, v = s[i:j], j + 1
        if v < n and s[v] in (0x22, 0x27):
            q = s.find(s[v:v + 1], v + 1)
            e = n if q < 0 else q
            yield key, s[v + 1:e], True, v
            i = n if q < 0 else q + 1
        else:
            q = s.find(b" ", v)
            e = n if q < 0 else q
            yield key, s[v:e], False, v
            i = e


def decoded(val, quoted, decode):
    if decode and not quoted and HEX.fullmatch(val):
        return bytes.fromhex(val.decode())
    return val


class Obj:
    """one JSON object: first value of a key wins, KEYS_MAX keys at most"""

    def __init__(self):
        self.items = []
        self.keys = set()
        self.cut = False

    def add(self, key, val):
        if key in self.keys:
            return
        if len(self.keys) >= KEYS_MAX:
            self.cut = True
            return
        self.keys.add(key)
        self.items.append((text_of(key), val))

    def add_span(self, s, skip_args=False):
        for k, v, q, _ in tokens(s):
            if skip_args and is_arg(k) is not None:
                continue
            self.add(k, text_of(decoded(v, q, k in ENCODED)))

    def json(self):
        return dict(self.items)


def is_arg(k):
    m = ARG.fullmatch(k)
    if not m or int(m.group(1)) > 1000000 or (m.group(3) and int(m.group(3)) > 1000000):
        return None
    return int(m.group(1)), (-2 if m.group(2) else int(m.group(3)) if m.group(3) else -1)


def argv_of(s):
    out, cur, buf = [], None, b""
    for k, v, q, _ in tokens(s):
        a = is_arg(k)
        if a is None or a[1] == -2:
            continue
        idx, part = a
        if part >= 0 and idx == cur:
            buf += decoded(v, q, True)
            continue
        if cur is not None:
            out.append(text_of(buf))
            cur = None
        if len(out) >= ARGV_MAX:
            break
        if part >= 0:
            cur, buf = idx, decoded(v, q, True)
            continue
        out.append(text_of(decoded(v, q, True)))
    if cur is not None:
        out.append(text_of(buf))
    return out


def nfcfg(top, fields):
    """NETFILTER_CFG: False when the kernel's tail is not there"""
    p = fields.rfind(b" pid=")
    if p < 0:
        return False
    m = NF_TAIL.fullmatch(fields, p)
    if not m or not 0 < int(m.group(1)) <= 0x7fffffff:
        return False
    head = fields[:p].lstrip(b" ")
    if head.startswith(b"table="):
        rest = head[6:]
        op = rest.rfind(b" op=")
        ent = rest.rfind(b" entries=", 0, op) if op >= 0 else -1
        fam = rest.rfind(b" family=", 0, ent) if ent >= 0 else -1

        def word(a, b):
            return a < b and b" " not in rest[a:b]
        if fam >= 0 and word(fam + 8, ent) and word(ent + 9, op) and word(op + 4, len(rest)):
            top.add(b"table", text_of(rest[:fam]))
            top.add_span(rest[fam:])
        else:
            top.add(b"table", text_of(rest))
    top.add_span(fields[p:])
    return True


def record_json(line):
    if line.endswith(b"\n"):
        line = line[:-1]
    raw = line.split(b"\x1d", 1)[0]
    m = HEADER.match(raw)
    if not m:
        return {}
    rest = raw[m.end():]
    if rest.startswith(b":"):
        fields = rest[1:]
    elif rest == b"" or rest.startswith(b" "):
        fields = rest
    else:
        return {}
    rtype = m.group(1)
    if rtype == b"EOE":
        return {}
    top = Obj()
    out = {}
    if rtype == b"NETFILTER_CFG":
        if not nfcfg(top, fields):
            return {}
    elif is_user_type(rtype):
        msg_at = None
        for k, v, q, vs in tokens(fields):
            if k == b"msg" and vs < len(fields) and fields[vs:vs + 1] == b"'":
                msg_at = vs
                break
        if msg_at is None:
            top.add_span(fields)
        else:
            top.add_span(fields[:msg_at - 4])
            inner = fields[msg_at + 1:]
            if inner.endswith(b"'"):
                inner = inner[:-1]
            msg = Obj()
            msg.add_span(inner)
            top.items.append(("msg", msg.json()))
            top.cut |= msg.cut
    else:
        top.add_span(fields, skip_args=(rtype == b"EXECVE"))
    out["fields"] = top.json()
    if top.cut:
        out["fields_cut"] = True
    if rtype == b"EXECVE":
        out["argv"] = argv_of(fields)
    return out


if __name__ == "__main__":
    import json
    import sys
    for ln in sys.stdin.buffer:
        print(json.dumps(record_json(ln), ensure_ascii=False))
