#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""groups.py - do pid2pod's JSON events group records as ausearch does?

  groups.py AUSEARCH_OUT EVENTS_JSON

AUSEARCH_OUT is what `ausearch -if LOG` printed for the plugin's input LOG
(events between "----" lines, a "time->" line, then the records, in
ausearch's own order); EVENTS_JSON is the plugin's output_format = json for
the same LOG, one event per line.  An event on either side is keyed by
node, time and serial, and holds the multiset of its records' texts (the
0x1D interpretation tail left out: ausearch prints without it; "node=X "
left out: the key has it).  EOE records are left out of ausearch's side:
the plugin's JSON ends an event at its EOE and does not repeat it (written
in docs/design.md).

Exit 0 when both sides have the same events with the same records; else
prints the first differences and exits 1.  Stdlib only.
"""

import collections
import json
import re
import sys

HEAD = re.compile(r"^(?:node=(\S+) )?type=(\S+) msg=audit\((\d+\.\d+):(\d+)\)")


def ausearch_events(path):
    events = collections.OrderedDict()
    cur = None
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            line = line.rstrip("\n")
            if line == "----":
                cur = None
                continue
            if line.startswith("time->") or not line:
                continue
            m = HEAD.match(line)
            if not m:
                raise SystemExit("ausearch output: not a record: %r" % line[:120])
            node, typ, tm, serial = m.group(1) or "", m.group(2), m.group(3), int(m.group(4))
            key = (node, tm, serial)
            if cur is None:
                cur = key
                if key in events:
                    raise SystemExit("ausearch printed event %r twice" % (key,))
                events[key] = []
            elif key != cur:
                raise SystemExit("ausearch event %r holds a record of %r" % (cur, key))
            if typ == "EOE":
                continue
            text = line[len("node=%s " % node):] if node else line
            events[key].append(text)
    return events


def plugin_events(path):
    events = collections.OrderedDict()
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            ev = json.loads(line)
            if "records" not in ev:
                continue  # a malformed line's own object: not an event
            # the key as the text says it: the event's "node" is the
            # configured node_name when the records carry none
            m = HEAD.match(ev["records"][0]["text"]) if ev["records"] else None
            if not m:
                raise SystemExit("line %d: event without a record head" % i)
            key = (m.group(1) or "", m.group(3), int(m.group(4)))
            if (key[1], key[2]) != (ev["time"], ev["serial"]):
                raise SystemExit("line %d: time/serial %s:%s, the text %s:%d"
                                 % (i, ev["time"], ev["serial"], key[1], key[2]))
            if key in events:
                raise SystemExit("line %d: event %r written twice" % (i, key))
            texts = []
            for r in ev["records"]:
                t = r["text"]
                if key[0] and t.startswith("node=%s " % key[0]):
                    t = t[len("node=%s " % key[0]):]
                texts.append(t.split("\x1d", 1)[0])
            events[key] = texts
    return events


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    a = ausearch_events(sys.argv[1])
    p = plugin_events(sys.argv[2])
    bad = []
    for key in a:
        if key not in p:
            bad.append("ausearch has event %s:%s:%d, the plugin not" % key)
        elif collections.Counter(a[key]) != collections.Counter(p[key]):
            bad.append("event %s:%s:%d: ausearch %d records, the plugin %d (or other texts)"
                       % (key + (len(a[key]), len(p[key]))))
    for key in p:
        if key not in a:
            bad.append("the plugin has event %s:%s:%d, ausearch not" % key)
    nrec = sum(len(v) for v in a.values())
    print("ausearch %d events, the plugin %d; %d records (EOE aside); %d differ"
          % (len(a), len(p), nrec, len(bad)))
    for b in bad[:5]:
        print("  " + b)
    sys.exit(1 if bad or not a else 0)


if __name__ == "__main__":
    main()
