#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""genstream.py - expand captured audit records into a large plugin input stream.

Reads a sample in auditd's plugin "string" format (default:
tests/data/captured-enriched.log), groups its records into events by serial
(multi-record kernel events end with EOE; user-space events are single
records) and writes N events drawn at random from them, as auditd would hand
them to a plugin:

  * serials renumbered: every record of an event shares one new serial, and
    serials increase in event-start order; timestamps increase plausibly
    (0-3 ms apart, the odd 10-60 ms gap);
  * --pids FILE: every event picks one pid from the list and uses it for the
    sample's pid=/ppid=/opid= values consistently across its records (each
    distinct original value is mapped once per event; the event's own pid is
    mapped to the picked pid; an OBJ_PID target gets its own pick half the
    time so that opid differs from pid);
  * --interleave K: up to K events are open at once and their records are
    interleaved, each event's own records staying in order;
  * --incomplete PCT: PCT% of multi-record events lose one record (the EOE,
    the SYSCALL or a middle record), like auditd dropping under load;
  * --node NAME / --foreign-node-pct P: a `node=NAME ` prefix, P% of events
    with another node's name;
  * --traps PCT: PCT% of events get `pid=<other pid>` inside quoted values
    (comm="x pid=N", ocomm, cwd, PATH name, EXECVE a0, USER msg='...') which
    a field-aware parser must ignore; the pid is another one from the list;
  * --format raw strips the 0x1D interpretation tails;
  * --eoe-space PCT: PCT% of EOE lines end with a space (seen from auditd).

Everything is bytes; stdlib only.  Output to stdout or -o FILE.
"""

import argparse
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SAMPLE = os.path.join(HERE, "..", "data", "captured-enriched.log")

HDR_RE = re.compile(rb"msg=audit\((\d+)\.(\d+):(\d+)\)")
# pid-like fields at a token start, unquoted decimal values.
PIDF_RE = re.compile(rb"(?:^|(?<= ))(pid|ppid|opid)=(\d+)(?= |$|\x1d)")
TYPE_RE = re.compile(rb"^type=([A-Z_0-9]+) ")

# Slots in a record template.
S_TS, S_SERIAL, S_TRAP = 0, 1, 2   # others: ('pid', b'2935') tuples


def read_sample(path):
    """Return a list of events; each event is a list of record lines (bytes,
    no newline, node prefix stripped)."""
    with open(path, "rb") as f:
        data = f.read()
    events = {}
    order = []
    for line in data.split(b"\n"):
        line = line.rstrip(b"\r")
        if not line.strip():
            continue
        if line.startswith(b"node="):
            sp = line.find(b" ")
            line = line[sp + 1:]
        m = HDR_RE.search(line)
        if not m:
            continue
        key = m.group(3)
        if key not in events:
            events[key] = []
            order.append(key)
        events[key].append(line)
    return [events[k] for k in order]


def add_trap(rtype, line):
    """Return the record with a `pid=` planted inside a quoted value and the
    byte offset where the %s trap slot goes, or None when this record type has
    no place for one."""
    def in_quoted(field, suffix_builder):
        m = re.search(rb"(?:^|(?<= ))" + field + rb'="([^"]*)"', line)
        if not m:
            return None
        new_val = suffix_builder(m.group(1))
        i = new_val.index(b"\x00")
        new = line[:m.start(1)] + new_val.replace(b"\x00", b"") + line[m.end(1):]
        return new, m.start(1) + i

    if rtype == b"SYSCALL":
        return in_quoted(rb"comm", lambda v: v + b" pid=\x00")
    if rtype == b"OBJ_PID":
        return in_quoted(rb"ocomm", lambda v: v + b"'s pid=\x00")
    if rtype == b"CWD":
        return in_quoted(rb"cwd", lambda v: v + b"/x pid=\x00")
    if rtype == b"PATH":
        return in_quoted(rb"name", lambda v: b"/tmp/\xc3\xa9 pid=\x00")
    if rtype == b"EXECVE":
        return in_quoted(rb"a0", lambda v: v + b" pid=\x00")
    if rtype.startswith(b"USER"):
        m = re.search(rb"(?:^|(?<= ))msg='", line)
        if not m:
            return None
        return line[:m.end()] + b"pid=" + line[m.end():], m.end() + 4
    return None


def compile_record(line, raw, trap):
    """Turn one record into (fmt, slots): fmt is bytes with %s holes."""
    if raw:
        k = line.find(b"\x1d")
        if k >= 0:
            line = line[:k]
    trap_at = -1
    if trap:
        m = TYPE_RE.match(line)
        t = add_trap(m.group(1) if m else b"", line)
        if t is None:
            return None
        line, trap_at = t
    holes = []  # (start, end, slot)
    m = HDR_RE.search(line)
    holes.append((m.start(1), m.end(2), S_TS))
    holes.append((m.start(3), m.end(3), S_SERIAL))
    text_end = line.find(b"\x1d")
    if text_end < 0:
        text_end = len(line)
    for pm in PIDF_RE.finditer(line, 0, text_end):
        if trap_at >= 0 and pm.start() <= trap_at <= pm.end():
            continue
        holes.append((pm.start(2), pm.end(2), (pm.group(1), pm.group(2))))
    if trap_at >= 0:
        holes.append((trap_at, trap_at, S_TRAP))
    holes.sort()
    out = []
    slots = []
    pos = 0
    for s, e, slot in holes:
        out.append(line[pos:s].replace(b"%", b"%%"))
        out.append(b"%s")
        slots.append(slot)
        pos = e
    out.append(line[pos:].replace(b"%", b"%%"))
    return b"".join(out), tuple(slots)


class Template:
    def __init__(self, records, raw):
        self.n = len(records)
        self.types = []
        for r in records:
            m = TYPE_RE.match(r)
            self.types.append(m.group(1) if m else b"")
        self.recs = [compile_record(r, raw, False) for r in records]
        trapped = [compile_record(r, raw, True) for r in records]
        if any(t is not None for t in trapped):
            self.trap_recs = [t if t is not None else n
                              for t, n in zip(trapped, self.recs)]
        else:
            self.trap_recs = None
        self.is_eoe = [t == b"EOE" for t in self.types]
        # the event's own pid: first pid= value
        self.main_pid = None
        for fmt, slots in self.recs:
            for s in slots:
                if isinstance(s, tuple) and s[0] == b"pid":
                    self.main_pid = s[1]
                    break
            if self.main_pid is not None:
                break


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sample", default=DEFAULT_SAMPLE)
    ap.add_argument("--events", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pids", help="file with one pid per line")
    ap.add_argument("--interleave", type=int, default=1, metavar="K")
    ap.add_argument("--incomplete", type=float, default=0.0, metavar="PCT")
    ap.add_argument("--node", help="node=NAME prefix for every record")
    ap.add_argument("--foreign-node-pct", type=float, default=0.0, metavar="P")
    ap.add_argument("--foreign-nodes", default="worker-7,edge-02.example",
                    help="comma-separated names used for foreign events")
    ap.add_argument("--traps", type=float, default=0.0, metavar="PCT")
    ap.add_argument("--eoe-space", type=float, default=25.0, metavar="PCT")
    ap.add_argument("--format", choices=("raw", "enriched"), default="enriched")
    ap.add_argument("--start-serial", type=int, default=1000)
    ap.add_argument("-o", "--output", help="output file (default stdout)")
    a = ap.parse_args(argv)
    if a.interleave < 1:
        ap.error("--interleave must be >= 1")
    return a


def read_pids(path):
    pids = []
    with open(path, "rb") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith(b"#"):
                int(line)
                pids.append(line)
    if not pids:
        raise SystemExit("genstream: %s: no pids" % path)
    return pids


def main(argv):
    a = parse_args(argv)
    rnd = random.Random(a.seed)
    raw = a.format == "raw"
    templates = [Template(ev, raw) for ev in read_sample(a.sample)]
    if not templates:
        raise SystemExit("genstream: no events in %s" % a.sample)
    pids = read_pids(a.pids) if a.pids else None
    foreign = [n.encode() for n in a.foreign_nodes.split(",") if n]
    local_prefix = b"node=" + a.node.encode() + b" " if a.node else b""
    foreign_prefixes = [b"node=" + n + b" " for n in foreign]
    p_incomplete = a.incomplete / 100.0
    p_foreign = a.foreign_node_pct / 100.0
    p_trap = a.traps / 100.0
    p_eoe_space = a.eoe_space / 100.0
    ms = 1795517705851           # the sample's first timestamp, in ms
    serial = a.start_serial
    ntempl = len(templates)
    rrand = rnd.random
    choice = rnd.choice

    def make_event():
        """Return the event's lines (bytes with newline)."""
        nonlocal ms, serial
        t = templates[int(rrand() * ntempl)]
        r = rrand()
        ms += 0 if r < 0.3 else 1 if r < 0.7 else 2 if r < 0.9 else 3
        if r > 0.995:
            ms += 10 + int(rrand() * 50)
        serial += 1
        ts = b"%d.%03d" % divmod(ms, 1000)
        ser = b"%d" % serial
        recs = t.recs
        trap_pid = b""
        if p_trap and t.trap_recs is not None and rrand() < p_trap:
            recs = t.trap_recs
            trap_pid = choice(pids) if pids else b"%d" % (2 + int(rrand() * 4000000))
        pmap = {}
        if pids is not None:
            if t.main_pid is not None:
                pmap[(b"pid", t.main_pid)] = choice(pids)
        prefix = local_prefix
        if p_foreign and rrand() < p_foreign:
            prefix = choice(foreign_prefixes)
        skip = -1
        n = t.n
        if p_incomplete and n >= 2 and rrand() < p_incomplete:
            r = rrand()
            if r < 1 / 3 and t.is_eoe[-1]:
                skip = n - 1
            elif r < 2 / 3 and b"SYSCALL" in t.types:
                skip = t.types.index(b"SYSCALL")
            else:
                last = n - 2 if t.is_eoe[-1] else n - 1
                skip = 1 + int(rrand() * last) if last >= 1 else n - 1
        out = []
        for i in range(n):
            if i == skip:
                continue
            fmt, slots = recs[i]
            vals = []
            for s in slots:
                if s == S_TS:
                    vals.append(ts)
                elif s == S_SERIAL:
                    vals.append(ser)
                elif s == S_TRAP:
                    vals.append(trap_pid)
                else:
                    if pids is None:
                        vals.append(s[1])
                        continue
                    name, orig = s
                    key = (b"opid", orig) if name == b"opid" else (b"pid", orig)
                    v = pmap.get(key)
                    if v is None:
                        if name == b"opid" and rrand() < 0.5:
                            v = pmap.get((b"pid", orig))
                        if v is None:
                            v = choice(pids)
                        pmap[key] = v
                    vals.append(v)
            line = fmt % tuple(vals)
            if t.is_eoe[i] and rrand() < p_eoe_space:
                line += b" "
            out.append(prefix + line + b"\n")
        return out

    fout = open(a.output, "wb") if a.output else sys.stdout.buffer
    buf = []
    nlines = 0
    if a.interleave == 1:
        for _ in range(a.events):
            ev = make_event()
            buf.extend(ev)
            if len(buf) > 4096:
                nlines += len(buf)
                fout.write(b"".join(buf))
                buf = []
    else:
        active = []   # [lines, next index]
        made = 0
        K = a.interleave
        while made < a.events or active:
            while len(active) < K and made < a.events:
                ev = make_event()
                made += 1
                if ev:
                    active.append([ev, 0])
            # favour variety: any open event may deliver its next record
            j = int(rrand() * len(active))
            ent = active[j]
            buf.append(ent[0][ent[1]])
            ent[1] += 1
            if ent[1] == len(ent[0]):
                active[j] = active[-1]
                active.pop()
            if len(buf) > 4096:
                nlines += len(buf)
                fout.write(b"".join(buf))
                buf = []
    nlines += len(buf)
    fout.write(b"".join(buf))
    if a.output:
        fout.close()
    else:
        fout.flush()
    sys.stderr.write("genstream: %d events, %d lines\n" % (a.events, nlines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
