#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""verify.py - check audisp-pid2pod's output against its input and a proc tree.

  verify.py --input IN --output OUT --expect DIR.expect.json
            [--node-name NAME] [--format text|json] [--strict]
            [--unknown-pid missing|host|error] [--max-errors 20]
            [--fields-every N]

The oracle for the plugin's output contract; it shares no code with the
plugin, and with refenrich.py only fieldsref.py (the JSON fields' rules,
written again in Python).  Works on bytes.  Prints one summary line
("verify: OK ..." or "verify: FAIL ...") and at most --max-errors mismatches
("IN:<line> OUT:<line>: what"), and exits 0 only when everything holds
(an error of the checker itself is a FAIL, status 1).

Text mode:
  * every input line except EOE lines (`[node=X ]type=EOE ...`) appears in
    the output exactly once, in input order (a dropped, added or reordered
    line is reported with both line numbers);
  * each output line is its input line with one string S inserted at P:
    P = just before ` msg='` in user-space records (types USER, 1100-1199,
    2100-2999, numbered by libaudit), just before the first field (` table=`)
    in NETFILTER_CFG, else the first 0x1D byte, else the end of line;
  * those two are sealed (text a process chose follows S): for a pid that
    is not a host process S carries every known key, container_id to
    k8s_exec, in order, with the map's value or `?` (`?` for all of them when
    unresolved), then only k8s_label_* keys;
  * S is `( key=value)*` with value "quoted" (nothing needing encoding
    inside, not empty), uppercase HEX (only for values that need encoding)
    or the bare `?`; no key twice; known keys in the order container_id,
    k8s_namespace, k8s_pod, k8s_container, k8s_pod_id, k8s_pid_inside,
    k8s_image, k8s_owner, k8s_workload, k8s_workload_kind, k8s_sa,
    k8s_exec, k8s_label_* (others after the known ones);
    no key ends in an audit field name (uid, pid, ses, exe, ...);
  * S is right for the record: the record's own `pid=` field (field-aware:
    tokens split on spaces, "..." and '...' values are opaque, only the part
    before 0x1D, ppid=/opid= are other fields; in user-space records only
    before msg='; in NETFILTER_CFG only the kernel's tail ` pid=N[ subj=S]
    comm=ESCAPED` ending the text, any other " pid=" there is forged and
    gets exactly `container_id=?`) names a process (a positive
    decimal pid) -> fields for that pid from the expect map: host -> none,
    missing (and pids absent from the map, see --unknown-pid) -> exactly
    `container_id=?`, container -> container_id="<id>" and
    k8s_pod_id="<uid>" when the map knows the uid (absent when it is null);
    any other `k8s_*` key in a map entry is an expected field too (a string:
    must be there with that value; null: must be absent).  OBJ_PID records:
    the same for `opid=` (their first field) with every key prefixed by
    `o`.  No pid -> no S.
    Records with a `node=NAME ` prefix whose NAME is not --node-name get no
    S (without --node-name every record counts as local);
  * no output line longer than 8969 bytes counting its newline.
  Fields the map says nothing about (e.g. k8s_pod when the map has no
  k8s_pod) are accepted when well-formed, and counted; --strict rejects them.

JSON mode (one object per line: node, time, serial, records[{type, text,
interp, fields[, argv][, fields_cut]}], k8s): every non-EOE input record is
in exactly one event (fields as fieldsref.py reads the record's text again;
text = the record before 0x1D without the node prefix, interp = what follows
0x1D), records of an event keep their input order and share the event's
serial/time/node, and k8s is right for the event's first record that has a
`pid=` field: absent for host processes, pid-less events and foreign nodes,
{"container_id": "?"} when unresolved, else container_id and pod_uid (when
known) equal to the map's; namespace/pod/container, when the map has
k8s_namespace/k8s_pod/k8s_container, must match; unknown keys may be absent.
Each OBJ_PID record with an opid= (local node) has its own "k8s" for that
pid by the same rules; no other record has one.  An event is node + time +
serial (as ausearch groups): the same serial at two times is two events.
Bytes that are not UTF-8 are expected as \\u00XX of the byte.
"""

import argparse
import collections
import ctypes
import ctypes.util
import json
import re
import sys

import fieldsref

_LIBAUDIT = ctypes.CDLL(ctypes.util.find_library("audit") or "libaudit.so.1")
_LIBAUDIT.audit_name_to_msg_type.argtypes = [ctypes.c_char_p]
_TYPE_NUM = {}


def type_num(name):
    """The record type's number, from libaudit's own table (or -1)."""
    n = _TYPE_NUM.get(name)
    if n is None:
        n = _TYPE_NUM[name] = _LIBAUDIT.audit_name_to_msg_type(name)
    return n


def is_user_type(name):
    n = type_num(name)
    return n == 1005 or 1100 <= n <= 1199 or 2100 <= n <= 2999

# Audit field names a name of ours must not end in (ausearch looks for
# "uid=", "exe=", ... with strstr, so "k8s_pod_uid=" is read as uid=).
AUDIT_KEYS = (b"uid", b"pid", b"auid", b"ses", b"exe", b"res", b"addr",
              b"terminal", b"hostname", b"acct", b"comm", b"subj", b"key",
              b"gid", b"tty", b"uuid", b"cwd", b"obj", b"name", b"type")
NFCFG_TAIL_RE = re.compile(rb' pid=(\d+)(?: subj=[^ ]*)? comm=(?:"[^"]*"|[0-9A-F]+|\(null\))\Z')

MAX_LINE = 8969          # bytes, including the newline
WINDOW = 16              # look-ahead used to resynchronise after a mismatch

KNOWN_ORDER = [b"container_id", b"k8s_namespace", b"k8s_pod", b"k8s_container",
               b"k8s_pod_id", b"k8s_pid_inside", b"k8s_image", b"k8s_owner",
               b"k8s_workload", b"k8s_workload_kind", b"k8s_sa", b"k8s_exec"]
RANK = {k: i for i, k in enumerate(KNOWN_ORDER)}
LABEL_RANK = len(KNOWN_ORDER)
OTHER_RANK = LABEL_RANK + 1

# A field at a token start: name=value, value "..." / '...' (to the next
# matching quote, or the end when unterminated) or up to the next space.
FIELD_RE = re.compile(rb"""(?:^|(?<= ))([^ =]+)=("[^"]*"?|'[^']*'?|[^ ]*)""")
HEADER_RE = re.compile(rb"msg=audit\((\d+\.\d+):(\d+)\)")
HEXVAL_RE = re.compile(rb"(?:[0-9A-F]{2})+\Z")
KEY_RE = re.compile(rb"[a-z][a-z0-9_]*(?:[A-Za-z0-9_.\-]*)\Z")
CID_RE = re.compile(rb"[0-9a-f]{64}\Z")


def needs_hex(v):
    for c in v:
        if c == 0x22 or c < 0x21 or c >= 0x7f:
            return True
    return False


def encode(key, val):
    """` key=value` as audit encodes it (val: bytes, or None for `?`)."""
    if val is None:
        return b" " + key + b"=?"
    if needs_hex(val):
        return b" " + key + b"=" + val.hex().upper().encode()
    return b" " + key + b'="' + val + b'"'


class Rec:
    """What verify needs to know about one input line."""
    __slots__ = ("line", "lno", "node", "text", "P", "pid", "opid",
                 "is_objpid", "serial", "time", "rtype", "sealed", "fields_h")


def analyse(line, lno):
    r = Rec()
    r.line = line
    r.lno = lno
    node = None
    body_off = 0
    if line.startswith(b"node="):
        sp = line.find(b" ")
        if sp < 0:
            sp = len(line)
        node = line[5:sp]
        body_off = sp + 1
    r.node = node
    k = line.find(b"\x1d")
    text_end = k if k >= 0 else len(line)
    r.text = line[:text_end]
    r.P = text_end
    r.pid = None
    r.opid = None
    r.rtype = None
    r.sealed = False
    tstart = line.startswith(b"type=", body_off)
    if tstart:
        e = line.find(b" ", body_off)
        r.rtype = line[body_off + 5:e if e >= 0 else len(line)]
    r.is_objpid = r.rtype == b"OBJ_PID"
    m = HEADER_RE.search(line, body_off, text_end)
    if m:
        r.time, r.serial = m.group(1), m.group(2)
    else:
        r.time = r.serial = None
    text = r.text
    user = r.rtype is not None and is_user_type(r.rtype)
    if r.rtype == b"NETFILTER_CFG":
        # the fields go before the raw table name (sealed); its pid is
        # only the kernel's tail
        if m and text[m.end():m.end() + 2] == b": ":
            r.P = m.end() + 1
            r.sealed = True
        m = NFCFG_TAIL_RE.search(text)
        if m:
            r.pid = m.group(1)
        elif b" pid=" in line:
            r.pid = b"forged"
        return r
    if b"pid=" in text or b"msg='" in text:
        first = True
        # after "): ", or ") " in auditd 1.x's own records
        start = (m.end() + (1 if text[m.end():m.end() + 1] == b":" else 0)) if m else body_off
        for fm in FIELD_RE.finditer(text, start):
            name = fm.group(1)
            if user and name == b"msg" and fm.group(2).startswith(b"'"):
                r.P = fm.start(1) - 1 if text[fm.start(1) - 1:fm.start(1)] == b" " else fm.start(1)
                r.sealed = True
                break
            if name == b"pid" and r.pid is None:
                r.pid = fm.group(2)
            elif name == b"opid" and first and r.is_objpid:
                r.opid = fm.group(2)
            first = False
    return r


def is_eoe(line):
    if line.startswith(b"node="):
        sp = line.find(b" ")
        if sp < 0:
            return False
        return line.startswith(b"type=EOE ", sp + 1) or line[sp + 1:] == b"type=EOE"
    return line.startswith(b"type=EOE ") or line == b"type=EOE"


def proc_pid(v):
    """The pid a pid=/opid= value names, or None (not a process); 0 for a
    forged one (expected as unresolved: exactly container_id=?)."""
    if v == b"forged":
        return 0
    if v is None or not v.isdigit():
        return None
    n = int(v)
    return n if n > 0 else None


class Expect:
    def __init__(self, path, unknown):
        with open(path, "rb") as f:
            raw = json.load(f)
        self.map = {}
        for k, v in raw.items():
            try:
                self.map[int(k)] = v
            except ValueError:
                continue
        self.unknown = unknown
        self.cache = {}

    def entry(self, pid):
        e = self.map.get(pid)
        if e is None:
            if self.unknown == "error":
                return None
            return {"state": self.unknown}
        return e

    def fields(self, pid):
        """(state, required [(key, val|None)], forbidden set of keys) for pid;
        val None means `?`.  Cached."""
        c = self.cache.get(pid)
        if c is not None:
            return c
        if pid == 0:  # a forged pid=: unresolved, never the pid it names
            return ("missing", [(b"container_id", None)], set())
        e = self.entry(pid)
        if e is None:
            c = ("unmapped", [], set())
        else:
            st = e.get("state")
            req, forb = [], set()
            if st == "host":
                pass
            elif st == "missing":
                req = [(b"container_id", None)]
            elif st == "container":
                req = [(b"container_id", e["container_id"].encode())]
                uid = e.get("pod_uid")
                if uid:
                    req.append((b"k8s_pod_id", uid.encode()))
                else:
                    forb.add(b"k8s_pod_id")
                for k, v in e.items():
                    if k.startswith("k8s_") and k != "k8s_pod_id":
                        if v is None:
                            forb.add(k.encode())
                        else:
                            req.append((k.encode(), str(v).encode()))
                req.sort(key=lambda kv: RANK.get(kv[0], LABEL_RANK if kv[0].startswith(b"k8s_label_") else OTHER_RANK))
            else:
                st = "bad-state:%s" % st
            c = (st, req, forb)
        self.cache[pid] = c
        return c


def parse_s(s):
    """Parse S into [(key, val-bytes|None)]; raises ValueError on bad form."""
    out = []
    i = 0
    n = len(s)
    while i < n:
        if s[i] != 0x20:
            raise ValueError("expected ' ' at S+%d, got %r" % (i, s[i:i + 12]))
        i += 1
        eq = s.find(b"=", i)
        if eq < 0:
            raise ValueError("field without '=' at S+%d: %r" % (i, s[i:i + 30]))
        key = s[i:eq]
        if not key or not KEY_RE.match(key):
            raise ValueError("bad key %r" % key)
        if key.endswith(AUDIT_KEYS):
            raise ValueError("key %r ends in an audit field name" % key)
        i = eq + 1
        if i < n and s[i] == 0x22:
            e = s.find(b'"', i + 1)
            if e < 0:
                raise ValueError("unterminated quote in %r" % key)
            val = s[i + 1:e]
            if not val:
                raise ValueError("empty value for %r" % key)
            if needs_hex(val):
                raise ValueError("%r: quoted value needs hex encoding: %r" % (key, val))
            i = e + 1
            if i < n and s[i] != 0x20:
                raise ValueError("%r: junk after closing quote" % key)
            out.append((key, val))
        else:
            e = s.find(b" ", i)
            if e < 0:
                e = n
            v = s[i:e]
            i = e
            if v == b"?":
                out.append((key, None))
            elif HEXVAL_RE.match(v):
                dv = bytes.fromhex(v.decode())
                if not needs_hex(dv):
                    raise ValueError("%r: hex value %r should be quoted (%r)" % (key, v, dv))
                out.append((key, dv))
            else:
                raise ValueError("%r: value %r neither \"quoted\", HEX nor ?" % (key, v))
    return out


def rank(key):
    r = RANK.get(key)
    if r is not None:
        return r
    return LABEL_RANK if key.startswith(b"k8s_label_") else OTHER_RANK


def sealed_canon(state, req):
    """The fields of a sealed record (text a process chose follows them):
    every known key, its expected value or `?`; labels not included."""
    d = dict(req) if state == "container" else {}
    return [(k, d.get(k)) for k in KNOWN_ORDER]


def check_sealed(got, state, req, forb, prefix, strict, what):
    """A sealed record: every known key present, in order, `?` where the
    map expects nothing; then only k8s_label_* keys (`?` for a missing
    pid)."""
    errs = []
    keys = [k for k, _ in got]
    if keys[:len(KNOWN_ORDER)] != KNOWN_ORDER:
        return ["%s: a sealed record (text a process chose follows) must carry every one of %s in order, got %s" % (
            what, b",".join(prefix + k for k in KNOWN_ORDER).decode(), fmt_fields(got, prefix) or "nothing")]
    reqd = dict(req)
    for k, v in got[:len(KNOWN_ORDER)]:
        if state == "missing" or k in forb:
            if v is not None:
                errs.append("%s: %s%s=%s, expected ?" % (what, prefix.decode(), k.decode(), fmt_val(v)))
        elif k in reqd:
            if v != reqd[k]:
                errs.append("%s: %s%s=%s, expected %s" % (what, prefix.decode(), k.decode(), fmt_val(v), fmt_val(reqd[k])))
        elif strict and v is not None:
            errs.append("%s: unexpected value %s%s=%s (--strict: ? or the map's)" % (what, prefix.decode(), k.decode(), fmt_val(v)))
    for k, v in got[len(KNOWN_ORDER):]:
        if not k.startswith(b"k8s_label_"):
            errs.append("%s: %s%s after the sealed names" % (what, prefix.decode(), k.decode()))
        elif k in reqd and v != reqd[k]:
            errs.append("%s: %s%s=%s, expected %s" % (what, prefix.decode(), k.decode(), fmt_val(v), fmt_val(reqd[k])))
        elif (state == "missing" or k in forb) and v is not None:
            errs.append("%s: %s%s=%s, expected ?" % (what, prefix.decode(), k.decode(), fmt_val(v)))
        elif strict and k not in reqd and v is not None:
            errs.append("%s: unexpected value %s%s=%s (--strict)" % (what, prefix.decode(), k.decode(), fmt_val(v)))
    for k, v in req:
        if k.startswith(b"k8s_label_") and k not in keys:
            errs.append("%s: missing %s%s (expected %s)" % (what, prefix.decode(), k.decode(), fmt_val(v)))
    return errs


def check_fields(got, state, req, forb, prefix, strict, what, sealed=False):
    """Compare parsed fields (keys already stripped of prefix) with the
    expectation; return a list of problems."""
    errs = []
    keys = [k for k, _ in got]
    if len(set(keys)) != len(keys):
        errs.append("%s: duplicate key in %s" % (what, b",".join(keys).decode("ascii", "replace")))
    ranks = [rank(k) for k in keys]
    if ranks != sorted(ranks):
        errs.append("%s: keys out of order: %s" % (what, b",".join(prefix + k for k in keys).decode("ascii", "replace")))
    d = dict(got)
    if state == "host":
        if got:
            errs.append("%s: host process must get no fields, got %s" % (what, fmt_fields(got, prefix)))
        return errs
    if sealed and state in ("missing", "container"):
        return errs + check_sealed(got, state, req, forb, prefix, strict, what)
    if state == "missing":
        if got != [(b"container_id", None)]:
            errs.append("%s: unresolved pid must get exactly %scontainer_id=?, got %s" % (what, prefix.decode(), fmt_fields(got, prefix) or "nothing"))
        return errs
    if state == "unmapped":
        errs.append("%s: pid not in the expect map (--unknown-pid error)" % what)
        return errs
    if state != "container":
        errs.append("%s: expect map entry has %s" % (what, state))
        return errs
    for k, v in req:
        if k not in d:
            errs.append("%s: missing %s%s (expected %s)" % (what, prefix.decode(), k.decode(), fmt_val(v)))
        elif d[k] != v:
            errs.append("%s: %s%s=%s, expected %s" % (what, prefix.decode(), k.decode(), fmt_val(d[k]), fmt_val(v)))
    reqk = {k for k, _ in req}
    for k in keys:
        if k in forb:
            errs.append("%s: %s%s present but expected absent" % (what, prefix.decode(), k.decode()))
        elif strict and k not in reqk:
            errs.append("%s: unexpected field %s%s (--strict)" % (what, prefix.decode(), k.decode()))
    return errs


def fmt_val(v):
    if v is None:
        return "?"
    return '"%s"' % v.decode("utf-8", "backslashreplace")


def fmt_fields(got, prefix=b""):
    return "".join(encode(prefix + k, v).decode("utf-8", "backslashreplace") for k, v in got)


class Report:
    def __init__(self, maxerr):
        self.maxerr = maxerr
        self.count = 0
        self.shown = []

    def add(self, ilno, olno, msg):
        self.count += 1
        if len(self.shown) < self.maxerr:
            loc = "IN:%s OUT:%s" % (ilno if ilno is not None else "-",
                                   olno if olno is not None else "-")
            self.shown.append("%s: %s" % (loc, msg))


def read_lines(path):
    """Yield (lineno, bytes without newline, had_newline)."""
    with open(path, "rb", buffering=1 << 20) as f:
        n = 0
        for line in f:
            n += 1
            if line.endswith(b"\n"):
                yield n, line[:-1], True
            else:
                yield n, line, False


def structural(r, out):
    """S when `out` is r.line with S inserted at r.P, else None."""
    line = r.line
    lo, ll = len(out), len(line)
    if lo < ll:
        return None
    tail = ll - r.P
    if out[:r.P] != line[:r.P]:
        return None
    if tail and out[lo - tail:] != line[r.P:]:
        return None
    return out[r.P:lo - tail]


def first_diff(a, b):
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n


def verify_text(a, exp, rep):
    st = collections.Counter()
    serials = set()

    def inputs():
        for lno, line, _nl in read_lines(a.input):
            st["lines_in"] += 1
            if is_eoe(line):
                st["eoe"] += 1
                continue
            r = analyse(line, lno)
            if r.serial is not None:
                serials.add((r.node, r.serial))
            yield r

    def outputs():
        for lno, line, nl in read_lines(a.output):
            st["lines_out"] += 1
            if not nl:
                rep.add(None, lno, "last output line has no newline")
            if len(line) + 1 > MAX_LINE:
                rep.add(None, lno, "output line is %d bytes with its newline (max %d)" % (len(line) + 1, MAX_LINE))
            yield lno, line

    node_name = a.node_name.encode() if a.node_name is not None else None
    ii, oi = inputs(), outputs()
    inq, outq = collections.deque(), collections.deque()

    def fill():
        while len(inq) < WINDOW:
            r = next(ii, None)
            if r is None:
                break
            inq.append(r)
        while len(outq) < WINDOW:
            o = next(oi, None)
            if o is None:
                break
            outq.append(o)

    strict = a.strict
    fill()
    while inq or outq:
        if len(inq) < 2 or len(outq) < 2:
            fill()
        if not inq:
            for olno, _o in outq:
                rep.add(None, olno, "extra output line (no input left)")
            st["lines_extra"] += len(outq)
            outq.clear()
            for olno, _o in oi:
                rep.add(None, olno, "extra output line (no input left)")
                st["lines_extra"] += 1
            break
        if not outq:
            for r in inq:
                rep.add(r.lno, None, "input line missing from output (output ended)")
            st["lines_missing"] += len(inq)
            inq.clear()
            for r in ii:
                rep.add(r.lno, None, "input line missing from output (output ended)")
                st["lines_missing"] += 1
            break
        r = inq[0]
        olno, out = outq[0]
        s = structural(r, out)
        if s is None:
            fill()
            resolved = False
            for k in range(1, WINDOW):
                if k < len(inq) and structural(inq[k], out) is not None:
                    for j in range(k):
                        rep.add(inq[0].lno, olno, "input line missing from output here (or moved)")
                        st["lines_missing"] += 1
                        inq.popleft()
                    resolved = True
                    break
                if k < len(outq) and structural(r, outq[k][1]) is not None:
                    for j in range(k):
                        rep.add(r.lno, outq[0][0], "extra/out-of-order output line before this input line")
                        st["lines_extra"] += 1
                        outq.popleft()
                    resolved = True
                    break
            if resolved:
                continue
            d = first_diff(r.line, out)
            rep.add(r.lno, olno, "output is not the input with one insertion at byte %d "
                    "(first difference at byte %d: in %r, out %r)" % (
                        r.P, d, r.line[max(0, d - 20):d + 20], out[max(0, d - 20):d + 20]))
            st["mismatch"] += 1
            inq.popleft()
            outq.popleft()
            continue
        inq.popleft()
        outq.popleft()
        st["paired"] += 1
        # which fields are expected
        foreign = node_name is not None and r.node is not None and r.node != node_name
        if foreign:
            st["foreign"] += 1
            if s:
                rep.add(r.lno, olno, "foreign-node record (node=%s) must pass untouched, got%r" % (
                    r.node.decode("utf-8", "replace"), s[:200]))
            continue
        pid = proc_pid(r.pid)
        opid = proc_pid(r.opid) if r.is_objpid else None
        if pid is None and opid is None:
            st["no_pid"] += 1
            if s:
                rep.add(r.lno, olno, "record without a pid= field must get no fields, got %r" % s[:200])
            continue
        # fast path: the exact canonical string
        parts = []
        states = []
        if pid is not None:
            state, req, _forb = exp.fields(pid)
            states.append(state)
            if r.sealed and state in ("missing", "container"):
                req = sealed_canon(state, req)
            parts.append(b"".join(encode(k, v) for k, v in req))
        if opid is not None:
            ostate, oreq, _oforb = exp.fields(opid)
            parts.append(b"".join(encode(b"o" + k, v) for k, v in oreq))
        if s == b"".join(parts) and not (states and states[0] == "unmapped"):
            if pid is not None:
                st[states[0]] += 1
            if opid is not None:
                st["objpid_" + ostate] += 1
            continue
        try:
            got = parse_s(s)
        except ValueError as e:
            rep.add(r.lno, olno, "malformed inserted fields %r: %s" % (s[:200], e))
            continue
        mine = [(k, v) for k, v in got if not k.startswith(b"o")]
        theirs = [(k[1:], v) for k, v in got if k.startswith(b"o")]
        errs = []
        if pid is not None:
            state, req, forb = exp.fields(pid)
            st[state] += 1
            errs += check_fields(mine, state, req, forb, b"", strict, "pid=%d" % pid, r.sealed)
            extra = {k for k, _ in mine} - {k for k, _ in req}
            st["unverified_fields"] += len(extra) if state == "container" else 0
        elif mine:
            errs.append("fields %s but the record has no pid= field" % fmt_fields(mine))
        if opid is not None:
            ostate, oreq, oforb = exp.fields(opid)
            st["objpid_" + ostate] += 1
            errs += check_fields(theirs, ostate, oreq, oforb, b"o", strict, "opid=%d" % opid)
        elif theirs:
            errs.append("o-prefixed fields %s on a record that is not OBJ_PID with opid=" % fmt_fields(theirs, b"o"))
        if pid is not None and opid is not None and got:
            # pid's fields first, then the o-prefixed ones
            flags = [k.startswith(b"o") for k, _ in got]
            if flags != sorted(flags):
                errs.append("o-prefixed fields mixed with the pid's fields")
        for e in errs:
            rep.add(r.lno, olno, e)
    st["events"] = len(serials)
    return st


def b2s(b):
    """The JSON string a plugin writes for bytes b: UTF-8 where valid, other
    bytes as U+00XX."""
    s = b.decode("utf-8", "surrogateescape")
    if any(0xdc80 <= ord(c) <= 0xdcff for c in s):
        s = "".join(chr(ord(c) - 0xdc00) if 0xdc80 <= ord(c) <= 0xdcff else c for c in s)
    return s


def verify_json(a, exp, rep):
    st = collections.Counter()
    node_name = a.node_name.encode() if a.node_name is not None else None
    # (node, serial) -> deque of (index, Rec, text_str, interp_str, consumed-flag list)
    pool = {}
    recs = []
    for lno, line, _nl in read_lines(a.input):
        st["lines_in"] += 1
        if is_eoe(line):
            st["eoe"] += 1
            continue
        r = analyse(line, lno)
        body = line
        if r.node is not None:
            sp = line.find(b" ")
            body = line[sp + 1:]
        k = body.find(b"\x1d")
        text = body if k < 0 else body[:k]
        interp = None if k < 0 else body[k + 1:]
        # an event is node + time + serial, as ausearch groups
        key = (r.node.decode("utf-8", "surrogateescape") if r.node is not None else None,
               r.time.decode() if r.time else None,
               r.serial.decode() if r.serial else None)
        # a hash of (text, interp) is enough within one serial, and keeps a
        # million-record input in a few hundred MB
        h = hash((b2s(text), b2s(interp) if interp is not None else None))
        pool.setdefault(key, []).append([len(recs), h, None, False])
        # the record's fields as fieldsref.py reads the text: a hash, so a
        # large stream still fits
        r.fields_h = hash(json.dumps(fieldsref.record_json(line), ensure_ascii=False)) \
            if len(recs) % a.fields_every == 0 else None
        r.line = r.text = None
        recs.append(r)
    st["records_in"] = len(recs)
    st["events"] = len(pool)
    used = 0
    for olno, line, nl in read_lines(a.output):
        st["lines_out"] += 1
        if not line.strip():
            continue
        try:
            ev = json.loads(line)
        except ValueError as e:
            rep.add(None, olno, "not JSON: %s" % e)
            continue
        if not isinstance(ev, dict) or not isinstance(ev.get("records"), list):
            rep.add(None, olno, "event without a records list")
            continue
        st["events_out"] += 1
        node = ev.get("node")
        serial = ev.get("serial")
        key = (node, str(ev.get("time")) if ev.get("time") is not None else None,
               str(serial) if serial is not None else None)
        cand = pool.get(key)
        if cand is None and node is not None and a.node_name is not None and \
                node in (a.node_name, a.node_name.split(".")[0]):
            # records without node= go out under the plugin's node name
            key = (None,) + key[1:]
            cand = pool.get(key)
        if cand is None:
            rep.add(None, olno, "no input records for node=%r time=%r serial=%r" % (node, ev.get("time"), serial))
            continue
        last = -1
        first_pid_rec = None
        objk = []
        bad = False
        for jr in ev["records"]:
            text = jr.get("text") if isinstance(jr, dict) else None
            interp = jr.get("interp") if isinstance(jr, dict) else None
            if interp == "":
                interp = None
            if not isinstance(text, str):
                rep.add(None, olno, "record without text")
                bad = True
                continue
            if node is not None and text.startswith("node=%s " % node):
                text = text[len("node=%s " % node):]
            h = hash((text, interp))
            hit = None
            for c in cand:
                if not c[3] and c[1] == h:
                    hit = c
                    break
            if hit is None:
                dup = any(c[3] and c[1] == h for c in cand)
                rep.add(None, olno, "%s record of serial %s: %r" % (
                    "duplicated" if dup else "not in the input", serial, text[:120]))
                bad = True
                continue
            hit[3] = True
            used += 1
            r = recs[hit[0]]
            if hit[0] < last:
                rep.add(r.lno, olno, "records of serial %s out of input order" % serial)
            last = max(last, hit[0])
            if jr.get("type") is not None and r.rtype is not None and jr["type"] != b2s(r.rtype):
                rep.add(r.lno, olno, "type %r, input says %r" % (jr["type"], b2s(r.rtype)))
            if ev.get("time") is not None and r.time is not None and str(ev["time"]) != r.time.decode():
                rep.add(r.lno, olno, "time %r, record says %s" % (ev["time"], r.time.decode()))
            # the record's fields, as fieldsref.py reads its text again
            got = {k: jr[k] for k in ("fields", "argv", "fields_cut", "interpreted") if k in jr}
            if r.fields_h is not None and hash(json.dumps(got, ensure_ascii=False)) != r.fields_h:
                rep.add(r.lno, olno, "fields of serial %s are not what the text says "
                        "(fieldsref.py): %s" % (serial, json.dumps(got, ensure_ascii=False)[:200]))
            if first_pid_rec is None and r.pid is not None:
                first_pid_rec = r
            objk.append((r, jr.get("k8s", None) if isinstance(jr, dict) else None))
        if bad:
            continue
        # k8s
        k8s = ev.get("k8s")
        foreign = node_name is not None and node is not None and node.encode("utf-8", "surrogateescape") != node_name
        # every OBJ_PID record: its own k8s for its opid=, none elsewhere
        for r, ok8s in objk:
            opid = proc_pid(r.opid) if r.is_objpid and not foreign else None
            if opid is None:
                if ok8s is not None:
                    rep.add(r.lno, olno, "k8s %r on a record that is not a local OBJ_PID with opid=" % (ok8s,))
                continue
            ostate, oreq, oforb = exp.fields(opid)
            st["objpid_" + ostate] += 1
            for e in check_k8s(ok8s, ostate, oreq, oforb, a.strict):
                rep.add(r.lno, olno, "opid=%d: %s" % (opid, e))
        pid = proc_pid(first_pid_rec.pid) if first_pid_rec is not None else None
        where = first_pid_rec.lno if first_pid_rec is not None else None
        if foreign or pid is None:
            st["foreign" if foreign else "no_pid"] += 1
            if k8s is not None:
                rep.add(where, olno, "k8s %r on a %s event" % (k8s, "foreign-node" if foreign else "pid-less"))
            continue
        state, req, forb = exp.fields(pid)
        st[state] += 1
        for e in check_k8s(k8s, state, req, forb, a.strict):
            rep.add(where, olno, "pid=%d: %s" % (pid, e))
    for key, cand in pool.items():
        for c in cand:
            if not c[3]:
                rep.add(recs[c[0]].lno, None, "input record in no output event")
                st["records_lost"] += 1
    st["records_out"] = used
    return st


JSON_KEYS = {b"container_id": "container_id", b"k8s_namespace": "namespace",
             b"k8s_pod": "pod", b"k8s_container": "container", b"k8s_pod_id": "pod_uid"}


def check_k8s(k8s, state, req, forb, strict):
    if state == "host":
        return [] if k8s is None else ["host process must have no k8s, got %r" % k8s]
    if state == "missing":
        return [] if k8s == {"container_id": "?"} else ['unresolved pid must have k8s {"container_id": "?"}, got %r' % k8s]
    if state != "container":
        return ["expect map state %s" % state]
    if not isinstance(k8s, dict):
        return ["container process needs k8s, got %r" % k8s]
    errs = []
    for k, v in req:
        jk = JSON_KEYS.get(k)
        if jk is None:
            continue
        if k8s.get(jk) != v.decode("utf-8", "surrogateescape"):
            errs.append("k8s.%s=%r, expected %r" % (jk, k8s.get(jk), v.decode()))
    for k in forb:
        jk = JSON_KEYS.get(k)
        if jk and k8s.get(jk) not in (None,):
            errs.append("k8s.%s present but expected absent" % jk)
    if strict:
        allowed = {JSON_KEYS[k] for k, _ in req if k in JSON_KEYS}
        for jk in k8s:
            if jk not in allowed:
                errs.append("unexpected k8s.%s (--strict)" % jk)
    return errs


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--input", required=True)
    ap.add_argument("--output", required=True)
    ap.add_argument("--expect", required=True)
    ap.add_argument("--node-name")
    ap.add_argument("--format", choices=("text", "json"), default="text")
    ap.add_argument("--fields-every", type=int, default=1, metavar="N",
                    help="JSON: check the fields of every Nth record (default: all)")
    ap.add_argument("--strict", action="store_true",
                    help="reject fields the expect map does not mention")
    ap.add_argument("--unknown-pid", choices=("missing", "host", "error"), default="missing",
                    help="state of pids absent from the map (default: missing, as "
                         "for a pid without a directory in a mkproctree root)")
    ap.add_argument("--max-errors", type=int, default=20)
    a = ap.parse_args(argv)
    exp = Expect(a.expect, a.unknown_pid)
    rep = Report(a.max_errors)
    st = verify_text(a, exp, rep) if a.format == "text" else verify_json(a, exp, rep)
    fields = ["lines_in=%d" % st["lines_in"], "eoe=%d" % st["eoe"],
              "lines_out=%d" % st["lines_out"], "events=%d" % st["events"]]
    if a.format == "json":
        fields += ["records_in=%d" % st["records_in"], "records_out=%d" % st["records_out"],
                   "events_out=%d" % st["events_out"], "records_lost=%d" % st["records_lost"]]
    else:
        fields += ["lines_missing=%d" % st["lines_missing"], "lines_extra=%d" % st["lines_extra"],
                   "lines_mismatch=%d" % st["mismatch"]]
    fields += ["enriched=%d" % st["container"], "host=%d" % st["host"],
               "unresolved=%d" % st["missing"], "no_pid=%d" % st["no_pid"],
               "foreign=%d" % st["foreign"]]
    if a.format == "text":
        fields += ["objpid=%d" % sum(v for k, v in st.items() if k.startswith("objpid_")),
                   "unverified_fields=%d" % st["unverified_fields"]]
    fields.append("errors=%d" % rep.count)
    print("verify: %s %s" % ("OK" if rep.count == 0 else "FAIL", " ".join(fields)))
    for s in rep.shown:
        print("  " + s)
    if rep.count > len(rep.shown):
        print("  ... %d more" % (rep.count - len(rep.shown)))
    return 0 if rep.count == 0 else 1


if __name__ == "__main__":
    try:
        rc = main(sys.argv[1:])
    except Exception as x:  # a broken checker fails, with the reason
        print("verify: FAIL checker error: %s: %s" % (type(x).__name__, x))
        rc = 1
    sys.exit(rc)
