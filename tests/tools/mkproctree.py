#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""mkproctree.py - build a fake /proc root of cgroup files, with expectations.

  mkproctree.py DIR --pods P --containers-per-pod C --pids-per-container K
                --host-pids H [--layouts L1,L2,...] [--missing M] [--empty E]
                [--seed S]

Creates DIR/<pid>/cgroup (only cgroup files: no stat, no status) for
  * P pods x C containers x K pids, each pod in one layout (round-robin over
    --layouts, in a seeded random order), random 64-hex container ids and
    random pod UIDs;
  * H host pids (systemd services, v1 "/" lines, init.scope, user sessions,
    GNOME terminal scopes and Ceph units named by bare UUIDs that are NOT pod
    UIDs, the container runtime's own service);
  * M "missing" pids that get no directory at all, and E pids whose cgroup
    file is empty (a process that just exited): the plugin can't resolve
    either of them, so both expect `container_id=?`.
and writes
  DIR.expect.json  {"<pid>": {"state": "container"|"host"|"missing",
                              "container_id": "<64hex>"|null,
                              "pod_uid": "<uid>"|null, "layout": "..."}}
  DIR.pids         every pid above (missing/empty ones too), one a line,
                   shuffled: the list for genstream.py --pids.

Container layouts (--layouts, default all):
  cgroupfs     v1, /kubepods/<qos>/pod<uid>/<id> on every hierarchy
  systemd      v1, kubepods.slice/...-pod<uid_>.slice/cri-containerd-<id>.scope
  v2           v2 only, systemd driver, containerd
  v2cgroupfs   v2 only, cgroupfs driver
  crio         v2, crio-<id>.scope
  dockershim   v2, docker-<id>.scope under a pod slice (cri-dockerd)
  hybrid       v1 systemd-driver lines + `0::/system.slice/containerd.service`
  static       cgroupfs, static pod: pod<32 hex> (the kubelet's hash)
  kind         v1, /docker/<node id>/kubepods/... (a kind node is a container)
  kindv2       v2, docker-<node id>.scope/kubelet.slice/... (cgroup-root kubelet)
  colon        v2, systemd "colon form" ...-pod<uid_>.slice:cri-containerd:<id>
  guaranteed   v2, no QoS slice (kubepods-pod<uid_>.slice)
  cgroupns     v2 inside a cgroup namespace: 0::/../...-pod<uid_>.slice/...
  podman       not Kubernetes: machine.slice/libpod-<id>.scope/container
  docker       not Kubernetes: v1 /docker/<id> lines + 0::/system.slice/docker-<id>.scope
(podman and docker have no pod: state container, pod_uid null.)
"""

import argparse
import json
import os
import random
import sys

ALL_LAYOUTS = ("cgroupfs", "systemd", "v2", "v2cgroupfs", "crio", "dockershim",
               "hybrid", "static", "kind", "kindv2", "colon", "guaranteed",
               "cgroupns", "podman", "docker")
NO_POD = ("podman", "docker")

V1_CTRLS = ["blkio", "cpu,cpuacct", "cpuset", "devices", "freezer", "hugetlb",
            "memory", "net_cls,net_prio", "perf_event", "pids"]


def hexid(rnd, n=64):
    return "%0*x" % (n, rnd.getrandbits(4 * n))


def uuid(rnd):
    h = hexid(rnd, 32)
    return "%s-%s-4%s-%s-%s" % (h[0:8], h[8:12], h[13:16],
                                "89ab"[int(h[16], 16) & 3] + h[17:20], h[20:32])


def v1_file(rnd, path, extra=()):
    """Lines for every v1 hierarchy (numbered like a real host), name=systemd
    last as 1:, plus rdma/misc lines with '/' and any extra lines."""
    ctrls = V1_CTRLS[:]
    rnd.shuffle(ctrls)
    lines = []
    n = len(ctrls) + 3
    lines.append("%d:misc:/" % n)
    lines.append("%d:rdma:/" % (n - 1))
    for i, c in enumerate(ctrls):
        lines.append("%d:%s:%s" % (n - 2 - i, c, path))
    lines.append("1:name=systemd:%s" % path)
    lines.extend(extra)
    return "\n".join(lines) + "\n"


def v2_file(path):
    return "0::%s\n" % path


def qos_of(rnd):
    return rnd.choice(("besteffort", "burstable", ""))


def sd_pod_slice(qos, uid, root="kubepods"):
    u = uid.replace("-", "_")
    if qos:
        return "/%s.slice/%s-%s.slice/%s-%s-pod%s.slice" % (
            root, root, qos, root, qos, u)
    return "/%s.slice/%s-pod%s.slice" % (root, root, u)


def container_cgroup(rnd, layout, pod, cid):
    """Return the cgroup file content for one process of container cid."""
    uid, qos, node_id = pod["uid"], pod["qos"], pod["node_id"]
    qdir = "/" + qos if qos else ""
    if layout == "cgroupfs" or layout == "static":
        return v1_file(rnd, "/kubepods%s/pod%s/%s" % (qdir, uid, cid),
                       extra=("0::/",) if rnd.random() < 0.5 else ())
    if layout == "systemd":
        return v1_file(rnd, sd_pod_slice(qos, uid) + "/cri-containerd-%s.scope" % cid)
    if layout == "v2":
        return v2_file(sd_pod_slice(qos, uid) + "/cri-containerd-%s.scope" % cid)
    if layout == "v2cgroupfs":
        return v2_file("/kubepods%s/pod%s/%s" % (qdir, uid, cid))
    if layout == "crio":
        return v2_file(sd_pod_slice(qos, uid) + "/crio-%s.scope" % cid)
    if layout == "dockershim":
        return v2_file(sd_pod_slice(qos, uid) + "/docker-%s.scope" % cid)
    if layout == "hybrid":
        return v1_file(rnd, sd_pod_slice(qos, uid) + "/cri-containerd-%s.scope" % cid,
                       extra=("0::/system.slice/containerd.service",))
    if layout == "kind":
        return v1_file(rnd, "/docker/%s/kubepods%s/pod%s/%s" % (node_id, qdir, uid, cid))
    if layout == "kindv2":
        return v2_file("/system.slice/docker-%s.scope" % node_id
                       + sd_pod_slice(qos, uid, root="kubelet-kubepods").replace(
                           "/kubelet-kubepods.slice", "/kubelet.slice/kubelet-kubepods.slice", 1)
                       + "/cri-containerd-%s.scope" % cid)
    if layout == "colon":
        u = uid.replace("-", "_")
        return v2_file("/system.slice/containerd.service/kubepods-burstable-pod%s.slice"
                       ":cri-containerd:%s" % (u, cid))
    if layout == "guaranteed":
        return v2_file(sd_pod_slice("", uid) + "/cri-containerd-%s.scope" % cid)
    if layout == "cgroupns":
        u = uid.replace("-", "_")
        return v2_file("/../kubepods-besteffort-pod%s.slice/cri-containerd-%s.scope" % (u, cid))
    if layout == "podman":
        return v2_file("/machine.slice/libpod-%s.scope/container" % cid)
    if layout == "docker":
        return v1_file(rnd, "/docker/%s" % cid,
                       extra=("0::/system.slice/docker-%s.scope" % cid,))
    raise ValueError(layout)


def host_cgroup(rnd):
    k = rnd.randrange(9)
    if k == 0:
        return v2_file(rnd.choice(("/system.slice/ssh.service", "/system.slice/cron.service",
                                   "/system.slice/rsyslog.service", "/system.slice/auditd.service")))
    if k == 1:
        return v2_file("/init.scope")
    if k == 2:
        return v2_file("/user.slice/user-%d.slice/session-%d.scope" % (
            rnd.choice((0, 1000)), rnd.randrange(1, 400)))
    if k == 3:   # GNOME terminal: a bare UUID is not a pod UID
        return v2_file("/user.slice/user-1000.slice/user@1000.service/app.slice/"
                       "app-gnome-org.gnome.Terminal.slice/vte-spawn-%s.scope" % uuid(rnd))
    if k == 4:   # Ceph fsid
        fsid = uuid(rnd)
        return v2_file("/system.slice/system-ceph\\x2d%s.slice/ceph-%s@osd.%d.service"
                       % (fsid, fsid, rnd.randrange(8)))
    if k == 5:
        return v1_file(rnd, "/", extra=("0::/",))
    if k == 6:
        return v1_file(rnd, "/system.slice/kubelet.service")
    if k == 7:
        return v2_file("/system.slice/containerd.service")
    return v1_file(rnd, "/system.slice/cron.service",
                   extra=("0::/system.slice/cron.service",))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--pods", type=int, default=10)
    ap.add_argument("--containers-per-pod", type=int, default=2)
    ap.add_argument("--pids-per-container", type=int, default=3)
    ap.add_argument("--host-pids", type=int, default=20)
    ap.add_argument("--layouts", default=",".join(ALL_LAYOUTS))
    ap.add_argument("--missing", type=int, default=0)
    ap.add_argument("--empty", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    layouts = [x for x in a.layouts.split(",") if x]
    for x in layouts:
        if x not in ALL_LAYOUTS:
            ap.error("unknown layout %r (known: %s)" % (x, ",".join(ALL_LAYOUTS)))
    rnd = random.Random(a.seed)
    total = (a.pods * a.containers_per_pod * a.pids_per_container + a.host_pids
             + a.missing + a.empty)
    if total > 4000000:
        ap.error("too many pids")
    pidlist = rnd.sample(range(2, 4194304), total)
    expect = {}
    root = a.dir.rstrip("/")
    os.makedirs(root, exist_ok=True)

    def write(pid, content):
        d = os.path.join(root, str(pid))
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "cgroup"), "w") as f:
            f.write(content)

    it = iter(pidlist)
    order = layouts[:]
    rnd.shuffle(order)
    for p in range(a.pods):
        layout = order[p % len(order)]
        pod = {"uid": hexid(rnd, 32) if layout == "static" else uuid(rnd),
               "qos": qos_of(rnd), "node_id": hexid(rnd)}
        for _c in range(a.containers_per_pod):
            cid = hexid(rnd)
            for _k in range(a.pids_per_container):
                pid = next(it)
                write(pid, container_cgroup(rnd, layout, pod, cid))
                expect[str(pid)] = {"state": "container", "container_id": cid,
                                    "pod_uid": None if layout in NO_POD else pod["uid"],
                                    "layout": layout}
    for _h in range(a.host_pids):
        pid = next(it)
        write(pid, host_cgroup(rnd))
        expect[str(pid)] = {"state": "host", "container_id": None, "pod_uid": None,
                            "layout": "host"}
    for _m in range(a.missing):
        pid = next(it)
        expect[str(pid)] = {"state": "missing", "container_id": None, "pod_uid": None,
                            "layout": "missing"}
    for _e in range(a.empty):
        pid = next(it)
        write(pid, "")
        expect[str(pid)] = {"state": "missing", "container_id": None, "pod_uid": None,
                            "layout": "empty"}
    with open(root + ".expect.json", "w") as f:
        json.dump(expect, f, indent=0, sort_keys=True)
        f.write("\n")
    shuffled = pidlist[:]
    rnd.shuffle(shuffled)
    with open(root + ".pids", "w") as f:
        f.write("".join("%d\n" % p for p in shuffled))
    sys.stderr.write("mkproctree: %s: %d container pids, %d host, %d missing, %d empty\n" % (
        root, a.pods * a.containers_per_pod * a.pids_per_container, a.host_pids,
        a.missing, a.empty))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
