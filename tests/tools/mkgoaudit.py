#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""mkgoaudit.py - go-audit-shaped JSON lines for the tests, and a checker of
audisp-pid2pod's output for them (input = go-audit), independent of the C.

  mkgoaudit.py make --log LOG --tree-expect T.expect.json --out IN
               --expect EXP [--podspec SPEC] [--unnamed N] [--events N]
               [--malformed] [--seed S]
      Events from LOG (tests/data/captured-enriched.log: RAW part only, the
      0x1D tail cut, the header cut as go-audit does) as go-audit writes
      them: {"sequence","timestamp","messages":[{"type","data"}],
      "uid_map"}, compact, one a line.  The pid= of every record that has
      one (the first pid= at a field start, quoted values skipped) is
      replaced by a pid of the fake proc tree (mkproctree.py's expect
      file), round robin over container, host and missing pids.  --events:
      how many objects (the log's events repeated).  SPEC gets
      mkpodlist.py `pods` arguments naming every pod but N (--unnamed) of
      the tree.  --malformed adds lines that must come out as they came or
      reported: truncated, not an object, messages not an array, data not a
      string, NUL bytes, an empty line, a 300 KiB line; and objects whose
      data needs escapes (\\" \\u0022 \\\\) or hides pid= in quoted values.
      EXP: per line what must come out.
  mkgoaudit.py check IN OUT EXP
      Every line of IN comes out once, in order; objects compared parsed
      with the k8s objects removed, and byte for byte once the inserted
      `,"k8s":{...}` texts are cut; each message's k8s is the expected one
      (container id, pod UID, names; "?" when unresolved; none for host
      processes); malformed lines reported with their head, or passed on.
      Prints ok/not ok lines.
"""
import argparse
import json
import random
import re
import sys

TYPES = {"SYSCALL": 1300, "PATH": 1302, "IPC": 1303, "SOCKADDR": 1306,
         "CWD": 1307, "EXECVE": 1309, "CONFIG_CHANGE": 1305, "OBJ_PID": 1318,
         "BPRM_FCAPS": 1321, "PROCTITLE": 1327, "USER": 1005,
         "DAEMON_START": 1200, "DAEMON_END": 1202}
HDR = re.compile(r'^type=(\S+) msg=audit\((\d+)\.(\d+):(\d+)\): ?')
K8S_ORDER = ["container_id", "namespace", "pod", "container", "pod_uid",
             "nspid", "image", "owner", "workload", "workload_kind", "sa", "labels"]


def fields(data):
    """(key, value start, value end) of each field, quoted values skipped
    whole (the rule of the audit record format)."""
    i, n = 0, len(data)
    while i < n:
        while i < n and data[i] == ' ':
            i += 1
        j = i
        while j < n and data[j] not in '= ':
            j += 1
        if j >= n:
            return
        if data[j] == ' ':
            i = j + 1
            continue
        key, v = data[i:j], j + 1
        if v < n and data[v] in '"\'':
            q = data.find(data[v], v + 1)
            e = q + 1 if q >= 0 else n
        else:
            e = data.find(' ', v)
            e = n if e < 0 else e
        yield key, v, e
        i = e


def first_pid(data):
    for k, v, e in fields(data):
        if k == 'pid':
            return v, e
    return None


def events(log):
    evs, cur = [], {}
    for raw in open(log, 'rb').read().decode('utf-8', 'replace').split('\n'):
        line = raw.split('\x1d', 1)[0]
        m = HDR.match(line)
        if not m:
            continue
        typ, sec, ms, serial = m.groups()
        if typ == 'EOE':
            continue
        key = (sec, ms, serial)
        if key not in cur:
            cur[key] = {"sequence": int(serial), "timestamp": "%s.%s" % (sec, ms),
                        "messages": []}
            evs.append(cur[key])
        cur[key]["messages"].append({"type": TYPES.get(typ, 1100),
                                     "data": line[m.end():]})
    return evs


def enc(obj):
    return json.dumps(obj, separators=(',', ':'), ensure_ascii=False)


def make(a):
    tree = json.load(open(a.tree_expect))
    rnd = random.Random(a.seed)
    pods = {}
    for pid, e in sorted(tree.items(), key=lambda x: int(x[0])):
        if e["state"] == "container" and e["pod_uid"]:
            pods.setdefault(e["pod_uid"], {}).setdefault(e["container_id"], []).append(pid)
    uids = sorted(pods)
    rnd.shuffle(uids)
    unnamed = set(uids[:a.unnamed])
    names, spec = {}, []
    for i, uid in enumerate(sorted(uids)):
        if uid in unnamed:
            continue
        ns, pod = "ns%d" % (i % 3), "pod-%d" % i
        ctrs = []
        for j, cid in enumerate(sorted(pods[uid])):
            names[cid] = {"namespace": ns, "pod": pod, "container": "c%d" % j}
            ctrs.append("c%d=%s" % (j, cid))
        spec.append("%s/%s/%s/%s" % (ns, pod, uid, ",".join(ctrs)))
    if a.podspec:
        open(a.podspec, 'w').write("\n".join(spec) + "\n")

    def expect_of(pid):
        e = tree[pid]
        if e["state"] == "host":
            return "host"
        if e["state"] == "missing":
            return {"container_id": "?"}
        x = {"container_id": e["container_id"]}
        if e["container_id"] in names:
            x.update(names[e["container_id"]])
        if e["pod_uid"]:
            x["pod_uid"] = e["pod_uid"]
        return x

    kinds = {}
    for pid, e in tree.items():
        kinds.setdefault(e["state"], []).append(pid)
    order = []
    for k in ("container", "host", "missing"):
        order.append(sorted(kinds.get(k, []), key=int))
    pool = [p for p in order if p]
    evs = events(a.log)
    lines, exp = [], []
    n = 0
    while len(lines) < a.events:
        ev = json.loads(json.dumps(evs[n % len(evs)]))
        ev["sequence"] = 1000 + n
        msgs_exp = []
        for k, m in enumerate(ev["messages"]):
            span = first_pid(m["data"])
            if not span:
                msgs_exp.append("none")
                continue
            lst = pool[(n + k) % len(pool)]
            pid = lst[(n // len(pool)) % len(lst)]
            m["data"] = m["data"][:span[0]] + pid + m["data"][span[1]:]
            msgs_exp.append(expect_of(pid))
        ev["uid_map"] = {"0": "root", "4294967295": "unset"}
        lines.append(enc(ev))
        exp.append({"kind": "object", "messages": msgs_exp})
        n += 1
    if a.malformed:
        cpid = order[0][0]
        c = expect_of(cpid)
        extra = [
            # data needing escapes; pid= hidden in quoted values
            (enc({"sequence": 1, "timestamp": "1.0", "messages": [
                {"type": 1300, "data": 'comm="a pid=1" exe="/x\\\\y" pid=%s key="k"' % cpid}]}),
             {"kind": "object", "messages": [c]}),
            ('{"sequence":2,"timestamp":"1.0","messages":[{"type":1300,"data":'
             '"comm=\\u0022x pid=1\\u0022 pid=%s"}]}' % cpid,
             {"kind": "object", "messages": [c]}),
            (enc({"sequence": 3, "timestamp": "1.0", "messages": [
                {"type": 1005, "data": "uid=0 msg='op=x pid=%s res=success'" % cpid}]}),
             {"kind": "object", "messages": ["none"]}),
            ('{"sequence":4,"messages":[{"type":1300,"data":"pid=%s' % cpid,
             {"kind": "report", "why": "json"}),
            ('[{"type":1300,"data":"pid=%s"}]' % cpid, {"kind": "same"}),
            ('{"sequence":5,"messages":{"type":1300,"data":"pid=%s"}}' % cpid, {"kind": "same"}),
            ('{"sequence":6,"messages":[{"type":1300,"data":%s}]}' % cpid, {"kind": "same"}),
            ('{"sequence":7,"messages":[{"type":1300,"data":"pid=%s\0"}]}' % cpid,
             {"kind": "report", "why": "nul"}),
            ('', {"kind": "same"}),
            (enc({"sequence": 8, "timestamp": "1.0", "messages": [
                {"type": 1300, "data": "pid=%s a0=%s" % (cpid, "x" * 300000)}]}),
             {"kind": "report", "why": "long"}),
        ]
        step = max(1, len(lines) // (len(extra) + 1))
        for i, (ln, e) in enumerate(extra):
            at = min(len(lines), (i + 1) * step + i)
            lines.insert(at, ln)
            exp.insert(at, e)
    with open(a.out, 'w', encoding='utf-8', newline='') as f:
        f.write("".join(ln + "\n" for ln in lines))
    json.dump(exp, open(a.expect, 'w'))
    print("# mkgoaudit: %d lines, %d pods named, %d unnamed" %
          (len(lines), len(spec), len(unnamed)), file=sys.stderr)
    return 0


def cut_k8s(s):
    """s with every `,"k8s":{...}` cut, and the k8s objects in order."""
    dec = json.JSONDecoder()
    out, objs, i = [], [], 0
    while True:
        j = s.find(',"k8s":{', i)
        if j < 0:
            out.append(s[i:])
            return "".join(out), objs
        obj, end = dec.raw_decode(s, j + 7)
        if s[end:end + 1] != '}':
            raise ValueError("k8s not at a closing brace")
        out.append(s[i:j])
        objs.append((obj, s[j + 7:end]))
        i = end


def check(a):
    ins = open(a.inp, 'rb').read().split(b'\n')[:-1]
    outs = open(a.out, 'rb').read().split(b'\n')[:-1]
    exp = json.load(open(a.expect))
    fails = []

    def bad(i, what):
        if len(fails) < 10:
            fails.append("line %d: %s" % (i + 1, what))

    if len(outs) != len(ins):
        print("not ok - every line out once: %d in, %d out" % (len(ins), len(outs)))
    else:
        print("ok - every line out once, in order (%d lines)" % len(ins))
    stats = {"container": 0, "named": 0, "host": 0, "unresolved": 0, "report": 0}
    for i, (li, lo, e) in enumerate(zip(ins, outs, exp)):
        try:
            check_line(i, li, lo, e, bad, stats)
        except Exception as x:  # a line the checker cannot read fails, never vanishes
            bad(i, "cannot check: %s: %s" % (type(x).__name__, x))
    if fails:
        print("not ok - objects, k8s objects and reports as expected: " + "; ".join(fails))
    else:
        print("ok - objects kept (parsed and byte for byte), k8s as expected: "
              "%(container)d containers (%(named)d named), %(host)d host pids without k8s, "
              "%(unresolved)d unresolved, %(report)d reports" % stats)
    return 1 if fails or len(outs) != len(ins) else 0


def check_line(i, li, lo, e, bad, stats):
    """One output line against its input and expectation (bad() on each
    difference); raises when the line cannot be read at all."""
    if e["kind"] == "same":
        if lo != li:
            bad(i, "not passed on as it came")
        return
    if e["kind"] == "report":
        try:
            r = json.loads(lo.decode('utf-8'))
            ok = (r.get("malformed") == e["why"] and r.get("orig_len") == len(li) and
                  li.decode('utf-8', 'replace').startswith(r["line"][:64]) and
                  len(r["line"]) <= 65536)
        except (ValueError, KeyError, UnicodeDecodeError) as x:
            ok = False
            bad(i, "report not JSON: %s" % x)
        if not ok:
            bad(i, "report wrong: %r" % lo[:200])
        stats["report"] += 1
        return
    so = lo.decode('utf-8')
    try:
        cut, objs = cut_k8s(so)
    except ValueError as x:
        bad(i, "k8s insertion: %s" % x)
        return
    if cut.encode('utf-8') != li:
        bad(i, "not byte-identical once the k8s texts are cut")
    po, pi = json.loads(so), json.loads(li.decode('utf-8'))
    got = []
    for m in po["messages"]:
        got.append(m.pop("k8s", "none"))
    if po != pi:
        bad(i, "objects differ (parsed, k8s removed)")
    want = e["messages"]
    if len(got) != len(want):
        bad(i, "message count")
        return
    for k, (g, w) in enumerate(zip(got, want)):
        if w in ("none", "host"):
            if g != "none":
                bad(i, "message %d: k8s where none belongs: %r" % (k, g))
            stats["host"] += w == "host"
            continue
        if g == "none":
            bad(i, "message %d: no k8s, want %r" % (k, w))
            continue
        keys = [x for x in g]
        if keys != [x for x in K8S_ORDER if x in g]:
            bad(i, "message %d: k8s key order %r" % (k, keys))
        if w == {"container_id": "?"}:
            if g != w:
                bad(i, "message %d: want unresolved, got %r" % (k, g))
            stats["unresolved"] += 1
            continue
        for key, val in w.items():
            if g.get(key) != val:
                bad(i, "message %d: %s=%r, want %r" % (k, key, g.get(key), val))
        if set(g) - set(w) - {"nspid", "image", "owner", "workload", "workload_kind",
                              "sa", "labels"}:
            bad(i, "message %d: unexpected keys %r" % (k, sorted(set(g) - set(w))))
        stats["container"] += 1
        stats["named"] += "pod" in w


def main(argv):
    ap = argparse.ArgumentParser(prog="mkgoaudit.py")
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make")
    m.add_argument("--log", required=True)
    m.add_argument("--tree-expect", required=True)
    m.add_argument("--out", required=True)
    m.add_argument("--expect", required=True)
    m.add_argument("--podspec")
    m.add_argument("--unnamed", type=int, default=1)
    m.add_argument("--events", type=int, default=200)
    m.add_argument("--malformed", action="store_true")
    m.add_argument("--seed", type=int, default=1)
    c = sub.add_parser("check")
    c.add_argument("inp")
    c.add_argument("out")
    c.add_argument("expect")
    a = ap.parse_args(argv)
    if a.cmd == "make":
        return make(a)
    try:
        return check(a)
    except Exception as x:  # a broken checker is a failure, never silence
        print("not ok - mkgoaudit check %s: checker failed: %s: %s" % (a.out, type(x).__name__, x))
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
