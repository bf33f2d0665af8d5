#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""mutate.py - break a correct plugin output in one chosen way (self-test).

  mutate.py --input IN --output OUT --expect DIR.expect.json
            [--node-name NAME] --mode MODE > broken

Text modes (OUT is a correct text-mode output of IN):
  drop        delete one output line
  swap        swap two adjacent (different) output lines
  corrupt     change one byte of the input's part of a line
  wrongcid    container_id="..." replaced by another container's id
  wronguid    k8s_pod_id="..." replaced by another pod's UID
  misplace    the inserted fields moved to the end of the line (after 0x1D)
  foreign     fields added to a foreign-node record whose pid is a container
  trap-comm   a SYSCALL whose comm="... pid=N" gets the fields of N
  trap-nopid  a record with no pid= field but "... pid=N" in a quoted value
              gets the fields of N
  eoe         an EOE line passed through
  order       k8s_pod_id written before container_id
  hostfields  a host process's record given container_id=?
  unresolved  an unresolved pid's `container_id=?` replaced by an id
  quotedhex   a value that needs hex written quoted (with a space inside)
  objpid      OBJ_PID fields written without the `o` prefix
  longline    a line pushed over 8969 bytes by a long label field
  extra       a container's record given well-formed fields the expect map
              does not name (k8s_image="wrong" k8s_sa="bogus"; --strict)
JSON modes (OUT is a correct JSON-mode output of IN):
  json-drop   one record removed from an event
  json-order  two records of an event swapped
  json-k8s    a container event's k8s.container_id changed
  json-dup    an event written twice
The line changed is chosen deterministically (the first candidate after the
first 10% of the file).  Exits 2 when no candidate exists.
"""

import argparse
import json
import re
import sys

FIELD_CID = re.compile(rb' (o?)container_id="([0-9a-f]{64})"')
FIELD_UID = re.compile(rb' (o?)k8s_pod_id="([^"]+)"')


def split_node(line):
    if line.startswith(b"node="):
        sp = line.find(b" ")
        return line[5:sp], line[sp + 1:]
    return None, line


def is_eoe(line):
    _n, body = split_node(line)
    return body.startswith(b"type=EOE")


def pairs(inp, out):
    ins = [l for l in inp if not is_eoe(l)]
    if len(ins) != len(out):
        raise SystemExit("mutate: output is not 1:1 with input")
    return ins


def s_of(i, o):
    """(start, S) of the insertion that turns i into o; for no insertion the
    start is the insertion point P (0x1D or end; before msg='...')."""
    if i == o:
        m = re.search(rb" msg='", i.split(b"\x1d")[0])
        if m:
            return m.start(), b""
        gs = i.find(b"\x1d")
        return (len(i) if gs < 0 else gs), b""
    n = 0
    m = min(len(i), len(o))
    while n < m and i[n] == o[n]:
        n += 1
    return n, o[n:n + len(o) - len(i)]


def fields_for(exp, pid, prefix=b""):
    e = exp.get(str(pid), {"state": "missing"})
    if e["state"] == "host":
        return b""
    if e["state"] == "missing":
        return b" " + prefix + b"container_id=?"
    s = b" " + prefix + b'container_id="' + e["container_id"].encode() + b'"'
    if e.get("pod_uid"):
        s += b" " + prefix + b'k8s_pod_id="' + e["pod_uid"].encode() + b'"'
    return s


def trap_pid(body):
    """pid=N inside a quoted value (the genstream --traps forms)."""
    m = re.search(rb'(?:comm|ocomm|cwd|name|a0)="[^"]* pid=(\d+)"', body)
    if m:
        return int(m.group(1))
    m = re.search(rb"msg='pid=(\d+)", body)
    return int(m.group(1)) if m else None


def real_pid(body):
    """The record's own pid= field (quoted values blanked first)."""
    body = body.split(b"\x1d")[0]
    body = re.sub(rb"(?<==)'[^']*'", b"''", re.sub(rb'(?<==)"[^"]*"', b'""', body))
    m = re.search(rb"(?:^| )pid=(\d+)", body)
    return int(m.group(1)) if m else None


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--input", required=True)
    ap.add_argument("--output", required=True)
    ap.add_argument("--expect", required=True)
    ap.add_argument("--node-name")
    ap.add_argument("--mode", required=True)
    a = ap.parse_args(argv)
    with open(a.input, "rb") as f:
        inp = f.read().split(b"\n")
    if inp and inp[-1] == b"":
        inp.pop()
    with open(a.output, "rb") as f:
        out = f.read().split(b"\n")
    if out and out[-1] == b"":
        out.pop()
    with open(a.expect) as f:
        exp = json.load(f)
    node_name = a.node_name.encode() if a.node_name else None
    start = len(out) // 10
    mode = a.mode

    def done(lines):
        sys.stdout.buffer.write(b"".join(l + b"\n" for l in lines))
        return 0

    def local(line):
        n, _b = split_node(line)
        return n is None or node_name is None or n == node_name

    if mode.startswith("json-"):
        evs = [json.loads(l) for l in out]
        for k in range(start, len(evs)):
            ev = evs[k]
            if mode == "json-drop" and len(ev["records"]) >= 2:
                del ev["records"][-1]
                break
            if mode == "json-order" and len(ev["records"]) >= 2 and \
                    ev["records"][0]["text"] != ev["records"][1]["text"]:
                ev["records"][0], ev["records"][1] = ev["records"][1], ev["records"][0]
                break
            if mode == "json-k8s" and isinstance(ev.get("k8s"), dict) and \
                    len(ev["k8s"].get("container_id", "")) == 64:
                ev["k8s"]["container_id"] = ev["k8s"]["container_id"][::-1]
                break
            if mode == "json-dup":
                evs.insert(k + 1, json.loads(json.dumps(ev)))
                break
        else:
            return 2
        return done([json.dumps(ev, ensure_ascii=False).encode() for ev in evs])

    if mode == "drop":
        del out[start]
        return done(out)
    if mode == "swap":
        for k in range(start, len(out) - 1):
            if out[k] != out[k + 1]:
                out[k], out[k + 1] = out[k + 1], out[k]
                return done(out)
        return 2
    if mode == "eoe":
        for l in inp[len(inp) // 10:]:
            if is_eoe(l):
                out.insert(start, l)
                return done(out)
        return 2
    ins = pairs(inp, out)
    cids = sorted({e["container_id"] for e in exp.values() if e.get("container_id")})
    uids = sorted({e["pod_uid"] for e in exp.values() if e.get("pod_uid")})
    for k in range(start, len(out)):
        i, o = ins[k], out[k]
        at, s = s_of(i, o)
        node, body = split_node(i)
        if mode == "corrupt":
            j = len(i) // 3
            if j < at:
                c = o[j]
                o2 = o[:j] + bytes([c ^ 0x01]) + o[j + 1:]
                out[k] = o2
                return done(out)
        elif mode == "wrongcid":
            m = FIELD_CID.search(s)
            if m:
                other = cids[(cids.index(m.group(2).decode()) + 1) % len(cids)].encode() \
                    if m.group(2).decode() in cids else b"0" * 64
                out[k] = o[:at] + s.replace(m.group(2), other) + o[at + len(s):]
                return done(out)
        elif mode == "wronguid":
            m = FIELD_UID.search(s)
            if m and len(uids) > 1:
                u = m.group(2).decode()
                other = uids[(uids.index(u) + 1) % len(uids)].encode() if u in uids else b"x"
                out[k] = o[:at] + s.replace(m.group(2), other) + o[at + len(s):]
                return done(out)
        elif mode == "misplace":
            if s and b"\x1d" in i and not body.startswith(b"type=USER"):
                out[k] = i + s
                return done(out)
        elif mode == "foreign":
            if not local(i):
                p = real_pid(body)
                f = fields_for(exp, p) if p else b""
                if p and f and b"container_id=?" not in f:
                    gs = i.find(b"\x1d")
                    gs = len(i) if gs < 0 else gs
                    out[k] = i[:gs] + f + i[gs:]
                    return done(out)
        elif mode == "trap-comm":
            if local(i) and body.startswith(b"type=SYSCALL"):
                t = trap_pid(body)
                if t is not None:
                    f = fields_for(exp, t)
                    if f != s:
                        out[k] = o[:at] + f + o[at + len(s):]
                        return done(out)
        elif mode == "trap-nopid":
            if local(i) and real_pid(body) is None and \
                    not body.startswith(b"type=OBJ_PID"):
                t = trap_pid(body)
                if t is not None:
                    f = fields_for(exp, t)
                    if f:
                        gs = i.find(b"\x1d")
                        gs = len(i) if gs < 0 else gs
                        out[k] = i[:gs] + f + i[gs:]
                        return done(out)
        elif mode == "order":
            m1, m2 = FIELD_CID.search(s), FIELD_UID.search(s)
            if m1 and m2:
                s2 = s.replace(m1.group(0), b"").replace(m2.group(0), b"")
                s2 = m2.group(0) + m1.group(0) + s2
                out[k] = o[:at] + s2 + o[at + len(s):]
                return done(out)
        elif mode == "hostfields":
            p = real_pid(body)
            if local(i) and p and exp.get(str(p), {}).get("state") == "host" and \
                    not body.startswith(b"type=OBJ_PID"):
                out[k] = o[:at] + b" container_id=?" + o[at:]
                return done(out)
        elif mode == "unresolved":
            if s == b" container_id=?":
                out[k] = o[:at] + b' container_id="' + cids[0].encode() + b'"' + o[at + len(s):]
                return done(out)
        elif mode == "quotedhex":
            if FIELD_CID.search(s):
                out[k] = o[:at] + s + b' k8s_label_team="a b"' + o[at + len(s):]
                return done(out)
        elif mode == "objpid":
            if s.startswith(b" ocontainer_id="):
                s2 = s.replace(b" ocontainer_id=", b" container_id=").replace(
                    b" ok8s_", b" k8s_")
                out[k] = o[:at] + s2 + o[at + len(s):]
                return done(out)
        elif mode == "longline":
            if FIELD_CID.search(s):
                pad = b" k8s_label_note=\"" + b"x" * (8970 - len(o)) + b"\""
                out[k] = o[:at] + s + pad + o[at + len(s):]
                return done(out)
        elif mode == "extra":
            if FIELD_CID.search(s) and b"k8s_image=" not in s:
                out[k] = o[:at] + s + b' k8s_image="wrong" k8s_sa="bogus"' + o[at + len(s):]
                return done(out)
        else:
            raise SystemExit("mutate: unknown mode %s" % mode)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
