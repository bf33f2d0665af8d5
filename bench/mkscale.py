#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""mkscale.py - the bench's scale case: a fake proc root of N pids spread over
every running container of a PodList, and a stream that touches each pid.

  mkscale.py LIST DIR --pids N --out STREAM [--passes P] [--seed S]

Writes DIR/<pid>/cgroup for N pids (pids 100000 upwards), round-robin over
the containers of LIST's pods (containerStatuses, cgroupfs v1 + v2 lines
like a kubelet with the cgroupfs driver makes them), DIR.pids (the pids,
one a line) and STREAM: P passes over every pid in a shuffled order, each
an ENRICHED execve SYSCALL record, an EXECVE, a PROCTITLE and an EOE (the
first pass reads each pid's cgroup once, later ones hit the cache).
Prints "pods containers pids lines" on stdout.  stdlib only.
"""
import argparse
import json
import os
import random

V1 = ["blkio", "cpu,cpuacct", "cpuset", "devices", "freezer", "memory", "pids"]


def containers(lst):
    for pod in lst.get("items", []):
        uid = pod["metadata"]["uid"]
        qos = (pod.get("status", {}).get("qosClass") or "BestEffort").lower()
        for cs in pod.get("status", {}).get("containerStatuses", []) or []:
            cid = cs.get("containerID", "")
            if "://" in cid:
                yield uid, qos, cid.split("://", 1)[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("list")
    ap.add_argument("dir")
    ap.add_argument("--pids", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--passes", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    with open(a.list) as f:
        lst = json.load(f)
    ctrs = list(containers(lst))
    if not ctrs:
        raise SystemExit("mkscale: no running containers in " + a.list)
    os.makedirs(a.dir, exist_ok=True)
    pids = []
    for i in range(a.pids):
        pid = 100000 + i
        uid, qos, cid = ctrs[i % len(ctrs)]
        path = "/kubepods/%s/pod%s/%s" % (qos, uid, cid)
        os.makedirs("%s/%d" % (a.dir, pid), exist_ok=True)
        with open("%s/%d/cgroup" % (a.dir, pid), "w") as f:
            for n, c in enumerate(V1):
                f.write("%d:%s:%s\n" % (len(V1) - n, c, path))
            f.write("0::%s\n" % path)
        pids.append(pid)
    with open(a.dir.rstrip("/") + ".pids", "w") as f:
        f.write("".join("%d\n" % p for p in pids))
    ser, sec, lines = 1000, 1795517700, 0
    with open(a.out, "w") as f:
        for _ in range(a.passes):
            order = pids[:]
            rnd.shuffle(order)
            for pid in order:
                ser += 1
                ms = ser % 1000
                if ms == 0:
                    sec += 1
                h = "msg=audit(%d.%03d:%d):" % (sec, ms, ser)
                f.write(
                    "type=SYSCALL %s arch=c000003e syscall=59 success=yes exit=0 "
                    "a0=55d0c8 a1=55d0d0 a2=55d0e0 a3=8 items=2 ppid=%d pid=%d "
                    "auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 "
                    "sgid=0 fsgid=0 tty=(none) ses=4294967295 comm=\"true\" "
                    "exe=\"/usr/bin/true\" subj=unconfined key=\"exec\"\x1dARCH=x86_64 "
                    "SYSCALL=execve AUID=\"unset\" UID=\"root\" GID=\"root\" "
                    "EUID=\"root\" SUID=\"root\" FSUID=\"root\" EGID=\"root\" "
                    "SGID=\"root\" FSGID=\"root\"\n" % (h, pid, pid))
                f.write("type=EXECVE %s argc=1 a0=\"/usr/bin/true\"\n" % h)
                f.write("type=PROCTITLE %s proctitle=2F7573722F62696E2F74727565\n" % h)
                f.write("type=EOE %s \n" % h)
                lines += 4
    pods = len({u for u, _, _ in ctrs})
    print(pods, len(ctrs), len(pids), lines)


if __name__ == "__main__":
    main()
