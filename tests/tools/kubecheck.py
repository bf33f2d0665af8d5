#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""kubecheck.py - records, proc trees and expectations from a PodList, and a
checker of the plugin's output against them (an implementation of its own,
independent of the C parser).

  kubecheck.py tree LIST DIR RECORDS EXPECT
      For every container id in LIST (every status, lastState.terminated
      included), a fake process DIR/<pid>/cgroup in the pod's cgroup; for
      every pod, one more process in the pod's cgroup only (pause-like); one
      host process.  RECORDS gets one SYSCALL record (+ EOE) per process,
      EXPECT the names each record must carry (JSON): with the pod's
      controller (k8s_owner) and the workload behind it (k8s_workload,
      k8s_workload_kind; docs/design.md "Workload"), null when there is none.
  kubecheck.py feed --sent FILE --seconds S --rate R PID... > fifo
      Writes SYSCALL+EOE events for the pids in turn at R events/s for S
      seconds to stdout; every line also to FILE.
  kubecheck.py verify RECORDS OUT [EXPECT] [--tail-named PIDS:FRACTION]
      Every record of RECORDS is in OUT exactly once, in order, byte for
      byte but for the fields appended; with EXPECT, each record's fields
      are exactly the expected ones (a host record: no field at all);
      --tail-named: of the last FRACTION of the records of PIDS, every one
      is named.  Prints ok/not ok lines; exits 1 on any "not ok", and a
      checker that breaks prints "not ok" and exits 1 too.
"""
import json
import re
import sys
import time

FIELD = re.compile(r' ([a-z0-9_]+)=("[^"]*"|[0-9A-F]+|\?)')
HEX64 = re.compile(r'^[0-9a-fA-F]{64}$')
OWNED = ('k8s_owner', 'k8s_workload', 'k8s_workload_kind')


def statuses(pod):
    st = pod.get('status') or {}
    if not isinstance(st, dict):
        return
    for key in ('containerStatuses', 'initContainerStatuses',
                'ephemeralContainerStatuses'):
        lst = st.get(key)
        if not isinstance(lst, list):
            continue
        for cs in lst:
            if not isinstance(cs, dict):
                continue
            name = cs.get('name') if isinstance(cs.get('name'), str) else None
            ids = [cs.get('containerID')]
            last = (cs.get('lastState') or {})
            if isinstance(last, dict):
                term = last.get('terminated') or {}
                if isinstance(term, dict):
                    ids.append(term.get('containerID'))
            for cid in ids:
                if isinstance(cid, str) and '://' in cid:
                    cid = cid.split('://', 1)[1]
                    if HEX64.match(cid):
                        yield cid.lower(), name


def uid_ok(u):
    return isinstance(u, str) and (
        re.match(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-'
                 r'[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$', u) or
        re.match(r'^[0-9a-fA-F]{32}$', u))


def printable(v, cap=1023):
    return isinstance(v, str) and 0 < len(v) <= cap and all(0x20 <= ord(c) < 0x7f for c in v)


def workload(md):
    """{'k8s_owner', 'k8s_workload', 'k8s_workload_kind'} of a pod's
    metadata, None for absent; {} when a name is not printable ASCII (the
    field would be hex: not checked)."""
    none = {'k8s_owner': None, 'k8s_workload': None, 'k8s_workload_kind': None}
    refs = md.get('ownerReferences')
    ctl = None
    for r in refs if isinstance(refs, list) else []:
        if isinstance(r, dict) and r.get('controller') is True:
            ctl = r
            break
    if ctl is None:
        return none
    kind, name = ctl.get('kind'), ctl.get('name')
    if not (isinstance(kind, str) and kind and isinstance(name, str) and name):
        return none
    if not (printable(kind) and printable(name)):
        return {}
    owner = kind + '/' + name
    if len(owner) > 1023:
        return none
    labels = md.get('labels') if isinstance(md.get('labels'), dict) else {}
    notes = md.get('annotations') if isinstance(md.get('annotations'), dict) else {}
    h = labels.get('pod-template-hash')
    w, k = name, kind
    if kind == 'Node':
        k = 'Node'
    elif isinstance(notes.get('kubernetes.io/config.mirror'), str):
        return dict(none, k8s_owner=owner)   # static, but no node named
    elif kind == 'ReplicaSet' and isinstance(h, str) and h and len(name) > len(h) + 1 \
            and name.endswith('-' + h):
        w, k = name[:-len(h) - 1], 'Deployment'
    elif kind == 'Job' and re.fullmatch(r'(.{1,52})-([1-9][0-9]{7,9})', name):
        w, k = re.fullmatch(r'(.{1,52})-([1-9][0-9]{7,9})', name).group(1), 'CronJob'
    return {'k8s_owner': owner, 'k8s_workload': w, 'k8s_workload_kind': k}


def tree(lst, d, records, expect):
    import os
    doc = json.load(open(lst))
    items = doc.get('items') or []
    pods, owner = [], {}
    for it in items:
        if not isinstance(it, dict):
            continue
        md = it.get('metadata') or {}
        if not isinstance(md, dict) or not uid_ok(md.get('uid')):
            continue
        uid = md['uid'].lower()
        if any(p[0] == uid for p in pods):
            continue
        pods.append((uid, md.get('namespace'), md.get('name'), it))
        for cid, _ in statuses(it):
            owner.setdefault(cid, set()).add(uid)
    pid, recs, exp = 1000, [], {}
    serial = 1

    def proc(cg):
        nonlocal pid
        os.makedirs('%s/%d' % (d, pid), exist_ok=True)
        with open('%s/%d/cgroup' % (d, pid), 'w') as f:
            f.write(cg)
        pid += 1
        return pid - 1

    def rec(p, e):
        nonlocal serial
        recs.append('type=SYSCALL msg=audit(1700000000.%03d:%d): arch=c000003e '
                    'syscall=59 success=yes exit=0 pid=%d comm="x"' % (serial % 1000, serial, p))
        recs.append('type=EOE msg=audit(1700000000.%03d:%d): ' % (serial % 1000, serial))
        exp[str(serial)] = e
        serial += 1

    def s(v):
        return v if isinstance(v, str) and v and all(0x20 <= ord(c) < 0x7f for c in v) else None

    for uid, ns, name, it in pods:
        seen = set()
        wl = workload(it['metadata'])
        for cid, cname in statuses(it):
            if cid in seen:
                continue
            seen.add(cid)
            p = proc('0::/kubepods/burstable/pod%s/%s\n' % (uid, cid))
            if len(owner[cid]) > 1:
                # the same id in two pods: the cgroup's pod decides nothing
                rec(p, {'container_id': cid, 'k8s_pod_id': uid, 'ambiguous': True})
            else:
                rec(p, dict({'container_id': cid, 'k8s_namespace': s(ns), 'k8s_pod': s(name),
                             'k8s_container': s(cname), 'k8s_pod_id': uid}, **wl))
        p = proc('0::/kubepods/burstable/pod%s\n' % uid)
        rec(p, dict({'container_id': '?', 'k8s_namespace': s(ns), 'k8s_pod': s(name),
                     'k8s_pod_id': uid}, **wl))
    p = proc('0::/system.slice/sshd.service\n')
    rec(p, {})
    open(records, 'w').write('\n'.join(recs) + '\n')
    json.dump(exp, open(expect, 'w'), indent=1)
    print('# %s: %d pods, %d records' % (lst, len(pods), len(exp)), file=sys.stderr)


def feed(args):
    import argparse
    ap = argparse.ArgumentParser(prog='kubecheck.py feed')
    ap.add_argument('--sent', required=True)
    ap.add_argument('--seconds', type=float, required=True)
    ap.add_argument('--rate', type=float, required=True)
    ap.add_argument('pids', nargs='+', type=int)
    a = ap.parse_args(args)
    sent, seconds, rate, pids = open(a.sent, 'w'), a.seconds, a.rate, a.pids
    out = sys.stdout
    t0 = time.monotonic()
    n = 0
    while True:
        now = time.monotonic() - t0
        if now >= seconds:
            break
        while n < now * rate:
            p = pids[n % len(pids)]
            s = n + 1
            lines = ('type=SYSCALL msg=audit(1700000000.%03d:%d): arch=c000003e '
                     'syscall=59 success=yes exit=0 pid=%d comm="x"\n'
                     'type=EOE msg=audit(1700000000.%03d:%d): \n' % (s % 1000, s, p, s % 1000, s))
            out.write(lines)
            sent.write(lines)
            n += 1
        out.flush()
        time.sleep(0.005)
    sent.close()


def fields(tail):
    got, pos = {}, 0
    for m in FIELD.finditer(tail):
        if m.start() != pos:
            return None
        v = m.group(2)
        got[m.group(1)] = v[1:-1] if v.startswith('"') else (
            v if v == '?' else bytes.fromhex(v).decode('utf-8', 'replace'))
        pos = m.end()
    return got if pos == len(tail) else None


def verify(args):
    recs = [l for l in open(args[0], 'rb').read().decode('utf-8', 'replace').split('\n')
            if l and not l.startswith('type=EOE')]
    out = [l for l in open(args[1], 'rb').read().decode('utf-8', 'replace').split('\n') if l]
    expect = json.load(open(args[2])) if len(args) > 2 and not args[2].startswith('--') else None
    res = []
    res.append(('every record out exactly once (%d in, %d out)' % (len(recs), len(out)),
                len(recs) == len(out)))
    bad_order, parsed = None, []
    for i, (a, b) in enumerate(zip(recs, out)):
        f = fields(b[len(a):]) if b.startswith(a) else None
        if f is None and bad_order is None:
            bad_order = i
        parsed.append((a, f or {}))
    res.append(('in input order, bytes kept but for appended fields%s' %
                ('' if bad_order is None else ' (first bad: line %d)' % bad_order),
                bad_order is None))
    if expect is not None:
        wrong = []
        for a, f in parsed:
            serial = re.search(r':(\d+)\): ', a).group(1)
            e = expect.get(serial)
            if e is None:
                continue
            if not e:
                # a host process: none of the fields pid2pod writes
                ok = not f
            elif e.get('ambiguous'):
                ok = f.get('container_id') == e['container_id'] and 'k8s_pod' not in f
            else:
                want = {k: v for k, v in e.items() if v is not None}
                # names the list has not: absent (owner and workload: when
                # the expectation names them at all)
                never = {k for k, v in e.items() if v is None and k in OWNED}
                ok = all(f.get(k) == v for k, v in want.items()) and \
                    all(k in want for k in f if k in ('k8s_namespace', 'k8s_pod', 'k8s_container')) and \
                    not never & set(f)
            if not ok:
                wrong.append('%s: want %s got %s' % (serial, e, f))
        named = sum(1 for e in expect.values() if e.get('k8s_pod'))
        print('# %d records expected named, %d wrong' % (named, len(wrong)), file=sys.stderr)
        for w in wrong[:10]:
            print('#   ' + w, file=sys.stderr)
        res.append(('every record carries exactly its pod, namespace, container, owner and '
                    'workload (%d named expected, %d with a workload, %d wrong)' %
                    (named, sum(1 for e in expect.values() if e.get('k8s_workload')),
                     len(wrong)), not wrong))
    if '--tail-named' in args:
        spec = args[args.index('--tail-named') + 1]
        pids, frac = spec.split(':')
        pids = set(pids.split(','))
        mine = [f for a, f in parsed if re.search(r' pid=(\d+) ', a).group(1) in pids]
        tail = mine[int(len(mine) * (1 - float(frac))):]
        unnamed = sum(1 for f in tail if 'k8s_pod' not in f)
        print('# %d records of %s, %d named in all, %d of the last %d unnamed' %
              (len(mine), spec, sum(1 for f in mine if 'k8s_pod' in f), unnamed, len(tail)),
              file=sys.stderr)
        res.append(('records are named once the kubelet answers (%d of the last %d unnamed)'
                    % (unnamed, len(tail)), len(tail) > 0 and unnamed == 0))
    for name, ok in res:
        print(('ok - ' if ok else 'not ok - ') + name)
    return all(ok for _, ok in res)


if __name__ == '__main__':
    cmd, rest = sys.argv[1], sys.argv[2:]
    if cmd == 'tree':
        tree(*rest)
    elif cmd == 'feed':
        feed(rest)
    elif cmd == 'verify':
        try:
            good = verify(rest)
        except Exception as x:  # a broken checker is a failure, never silence
            print('not ok - kubecheck verify %s: checker failed: %s: %s'
                  % (' '.join(rest[:2]), type(x).__name__, x))
            good = False
        sys.exit(0 if good else 1)
    else:
        sys.exit('usage: see the header')
