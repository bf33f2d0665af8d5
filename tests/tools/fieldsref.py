#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""fieldsref.py - the JSON events' "fields" of one record, written again
from the rules in docs/design.md ("JSON events"), not from the C code:
verify.py checks the plugin's "fields", "argv" and "fields_cut" against
this, and refenrich.py writes them.

record_json(line) -> dict of the keys a record object gets besides type,
text and interp: {"fields": {...}, "argv": [...], "fields_cut": True,
"interpreted": {...}}, each only when it applies; {} for a line that is
not an audit record.  "interpreted" (docs/design.md, "interpreted") asks
libauparse through ctypes, a fresh parse of each record (the plugin
remembers answers; this does not), for the kinds the rule names, and reads
the ENRICHED tail itself.
Strings are what the plugin writes: bytes that are not UTF-8 become the
characters U+0080..U+00FF of the byte.
"""
import ctypes
import ctypes.util
import json
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


# --- "interpreted" (src/output/jsoninterp.h's rule, written again) ----------
_ap = ctypes.CDLL(ctypes.util.find_library("auparse"))
for _f, _r in (("auparse_init", ctypes.c_void_p), ("auparse_get_field_name", ctypes.c_char_p),
               ("auparse_get_field_str", ctypes.c_char_p), ("auparse_interpret_field", ctypes.c_char_p),
               ("auparse_interpret_sock_family", ctypes.c_char_p),
               ("auparse_interpret_sock_address", ctypes.c_char_p),
               ("auparse_interpret_sock_port", ctypes.c_char_p),
               ("auparse_find_field", ctypes.c_char_p)):
    getattr(_ap, _f).restype = _r
for _f in ("auparse_new_buffer", "auparse_first_record", "auparse_get_field_type",
           "auparse_find_field", "auparse_interpret_field", "auparse_get_field_str",
           "auparse_interpret_sock_family", "auparse_interpret_sock_address",
           "auparse_interpret_sock_port", "auparse_set_escape_mode"):
    getattr(_ap, _f).argtypes = [ctypes.c_void_p] + ([ctypes.c_char_p, ctypes.c_size_t]
                                                      if _f == "auparse_new_buffer" else
                                                      [ctypes.c_char_p] if _f == "auparse_find_field" else
                                                      [ctypes.c_int] if _f == "auparse_set_escape_mode" else [])
_AU = None
LIB_ROOM = 4096
I_KEYS_MAX, I_KEY_MAX, I_VALUE_MAX = 64, 32, 1024
# libauparse's types (auparse-defs.h) and the shape a value must have
_SHAPE = {4: (rb"[0-9A-Fa-f]{1,8}"), 3: rb"[0-9]{1,10}", 5: rb"-?[0-9]{1,19}",
          8: rb"[0-7]{1,11}", 31: rb"[0-7]{1,11}", 7: rb"[0-9]{1,3}", 12: rb"[0-9]{1,3}",
          22: rb"[0-9A-Fa-f]{1,16}", 9: rb"(?:[0-9A-F]{2}){2,128}"}
_FAILED = ("unknown", "conversion error", "malformed", "(null)", "too short")
_CAND = {b"arch", b"syscall", b"exit", b"mode", b"perm", b"saddr", b"fp", b"fi",
         b"pp", b"pi", b"pe", b"pa", b"capability"}


def _lib():
    global _AU
    if _AU is None:
        _AU = _ap.auparse_init(3, b"")
        _ap.auparse_set_escape_mode(_AU, 0)
    return _AU


def _jstr(b):
    return json.dumps(text_of(b), ensure_ascii=False)


def _ask(raw, name):
    """the JSON text of the library's answer for name's first field, or '' """
    au = _lib()
    buf = raw + b"\n"
    if _ap.auparse_new_buffer(au, buf, len(buf)) != 0 or _ap.auparse_first_record(au) <= 0:
        return ""
    if not _ap.auparse_find_field(au, name):
        return ""
    t = _ap.auparse_get_field_type(au)
    v = _ap.auparse_get_field_str(au)
    if t in (1, 2) or v is None or t not in _SHAPE or not re.fullmatch(_SHAPE[t], v):
        return ""
    s = _ap.auparse_interpret_field(au)
    if not s or s == v or len(s) > I_VALUE_MAX or any(f.encode() in s for f in _FAILED):
        return ""
    if t != 9:
        return _jstr(s)
    o = '{"family":' + _jstr(_ap.auparse_interpret_sock_family(au) or b"?")
    for k, f in (("addr", _ap.auparse_interpret_sock_address), ("port", _ap.auparse_interpret_sock_port)):
        x = f(au)
        if x and len(x) <= I_VALUE_MAX:
            o += ',"%s":%s' % (k, _jstr(x))
    return o + ',"text":' + _jstr(s[:I_VALUE_MAX]) + "}"


def interpreted(rtype, raw, fields, tail, user):
    seen, items, room = [], [], LIB_ROOM

    def new(k):
        if not k or len(k) >= I_KEY_MAX or len(seen) >= I_KEYS_MAX or k in seen:
            return False
        seen.append(k)
        return True
    if not user and rtype != b"NETFILTER_CFG":
        used = 0
        for tok in fields.split(b" "):
            if b"=" not in tok:
                continue
            k = tok.split(b"=", 1)[0]
            if not (k in _CAND or (len(k) > 4 and k[:4] in (b"cap_", b"old_"))) or not new(k):
                continue
            a = _ask(raw, k)
            kj = _jstr(k)
            need = (1 if items else 0) + len(kj.encode()) + 1 + len(a.encode())
            if not a or used + len(k) + len(a.encode()) + 8 > room:
                continue
            used += need
            items.append((k, a))
    if tail is not None:
        for m in re.finditer(rb' *([^= ]*)=("[^"]*"?|\{[^}]*\}?|[^ ]*)', tail):
            k, v = m.group(1).lower(), m.group(2)
            if v[:1] == b'"':
                v = v[1:-1] if len(v) > 1 and v.endswith(b'"') else v[1:]
            if k in (b"arch", b"syscall", b"saddr") or not new(k):
                continue
            items.append((k, _jstr(v)))
    if not items:
        return None
    return json.loads("{" + ",".join(_jstr(k) + ":" + a for k, a in items) + "}")


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
    tail = line.split(b"\x1d", 1)[1] if b"\x1d" in line else None
    user = is_user_type(rtype) and any(
        k == b"msg" and fields[vs:vs + 1] == b"'" for k, v, q, vs in tokens(fields))
    it = interpreted(rtype, raw, fields, tail, user)
    if rtype == b"NETFILTER_CFG":
        if not nfcfg(top, fields):
            return {"interpreted": it} if it else {}
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
    if it:
        out["interpreted"] = it
    return out


if __name__ == "__main__":
    import json
    import sys
    for ln in sys.stdin.buffer:
        print(json.dumps(record_json(ln), ensure_ascii=False))
