#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""mkpodlist.py - build kubelet-shaped PodList JSON (GET /pods) for the tests.

  mkpodlist.py [GLOBAL...] pods SPEC [POD-OPTION...] [SPEC [POD-OPTION...]]...
  mkpodlist.py [GLOBAL...] scale N [--pad-bytes B] [--seed S]
  mkpodlist.py [GLOBAL...] shapes

GLOBAL options (before or after the command, anywhere among its arguments):
  -o FILE, --output FILE   write the list to FILE (temp file + rename); default stdout
  --expect FILE            write what a parser must find (below)
  --stats FILE             write {"items": N, "pods": N, "skipped": N}: elements
                           of "items", pods a parser keeps (an object with a
                           string metadata.uid not seen before), the others
  --node NAME              spec.nodeName (default: this host's name)

The output is what a kubelet sends: compact JSON, one trailing newline,
  {"kind":"PodList","apiVersion":"v1","metadata":{},"items":[...]}
each item with metadata {name, generateName, namespace, uid, resourceVersion,
creationTimestamp, labels, annotations, ownerReferences (controller: true)},
spec {nodeName, serviceAccountName, initContainers, containers,
ephemeralContainers}, status {phase, hostIP, podIP, qosClass, startTime,
initContainerStatuses, containerStatuses, ephemeralContainerStatuses}, each
status {name, state, lastState, ready, restartCount, image, imageID,
containerID "<runtime>://<id>", started}.  Timestamps are fixed
(2024-05-01T10:00:00Z onwards): same arguments, same bytes.

pods: the pods a test made itself (e.g. processes in pod-like cgroups).
  SPEC is NS/POD/UID/CONTAINERS, CONTAINERS a comma-separated list of
  NAME=CID (may be empty: `ns/pod/uid/`).  A CID with "://" is used as it
  is, else it gets the pod's runtime prefix.  POD-OPTIONs apply to the SPEC
  they follow:
    --owner KIND/NAME        the controller ownerReference (default: none)
    --sa NAME                spec.serviceAccountName (default: default)
    --label K=V              a label (repeatable)
    --annotation K=V         an annotation (repeatable)
    --image CONTAINER=IMAGE  that container's image (spec and status);
                             default docker.io/library/busybox:1.36
    --init NAME=CID          an init container that completed (state.terminated)
    --ephemeral NAME=CID     a running ephemeral (debug) container
    --restarted CONTAINER=OLDCID  CONTAINER restarted once: restartCount 1,
                             lastState.terminated.containerID OLDCID
    --waiting NAME           a container without an id yet (state.waiting
                             ContainerCreating, no containerID)
    --runtime containerd|cri-o|docker   the prefix of this pod's ids
    --phase PHASE            status.phase (default Running)
    --static                 a static pod: annotations config.source=file,
                             config.hash=UID, owner Node/<node> unless --owner
  Example:
    mkpodlist.py -o l.json --expect e.json \\
      pods default/web-7d9f8-abcde/$UID1/app=$CID1,sidecar=$CID2 \\
             --owner ReplicaSet/web-7d9f8 --sa web --label app=web \\
           kube-system/etcd-node1/$HASH32/etcd=$CID3 --static

scale: N pods with deterministic uids and ids (--seed, default 1; the same
  N and seed give the same pods whatever --pad-bytes is): owners ReplicaSet,
  StatefulSet, DaemonSet, Job (every other one a CronJob's, named
  <cronjob>-<scheduled minute>), none and static (Node, 32-hex uid) pods; 1-3
  containers each, some restarted (lastState.terminated); every pod an init
  container (state.terminated), every third one restarted once
  (lastState.terminated); every 20th an ephemeral container; labels.
  Spec images are short (nginx:1.25.3), status images normalized
  (docker.io/library/nginx:1.25.3), as a kubelet reports them.
  --pad-bytes B pads every pod with an annotation "pid2pod.test/padding" so
  that the whole output is exactly B bytes (when B is larger than the list
  without padding; else a warning and no padding).

shapes: one list with every shape a parser must tolerate: null, number,
  string and array items; items without metadata, with metadata null,
  without metadata.uid, with a numeric uid; a second item with an uid seen
  before; wrong types for name, namespace, labels (array), a label value
  (number), containerStatuses (object) and its elements (null, number);
  waiting containers without containerID or with ""; a restarted container
  (lastState.terminated.containerID); init and ephemeral containers; a
  static pod with a 32-hex uid; cri-o:// and docker:// ids; a status
  without image (the spec's counts); the same container id in two pods;
  ownerReferences with a non-controller entry first; workloads (a
  Deployment's ReplicaSet with its pod-template-hash, a ReplicaSet without
  one, a CronJob's Job, a Job named with 7 digits); deep unknown fields;
  non-ASCII label values; a Succeeded pod; "metadata" after "items".

--expect FILE: a JSON object, container id (64 hex, lowercase, without the
runtime prefix) -> what a parser must answer for it:
  {"uid", "namespace", "pod", "container", "image", "owner" ("Kind/name"
   or null), "sa", "labels" {..}, "kind" ("container"|"init"|"ephemeral"),
   "previous" (true: found as lastState.terminated.containerID)}
  a field the parser cannot know (wrong type) is null.  Ids that must get NO
  answer are listed too, with other shapes:
  {"ambiguous": true, "uids": [UID, UID]}   the id is in two pods
  {"absent": true, "why": "..."}            its item is skipped (no usable
                                           uid, duplicate uid, ...) or its
                                           list has the wrong type
"""

import hashlib
import json
import os
import random
import socket
import sys

T0 = "2024-05-01T10:00:00Z"
DEFAULT_IMAGE = "docker.io/library/busybox:1.36"
PREFIXES = {"containerd": "containerd://", "cri-o": "cri-o://", "docker": "docker://"}
PAD_KEY = "pid2pod.test/padding"
MIB = 1048576


def die(msg):
    print("mkpodlist.py: " + msg, file=sys.stderr)
    sys.exit(2)


def ts(sec):
    """T0 + sec seconds as RFC 3339."""
    s = 10 * 3600 + sec
    return "2024-05-01T%02d:%02d:%02dZ" % (s // 3600 % 24, s // 60 % 60, s % 60)


def h(*parts, n=64):
    return hashlib.sha256("/".join(str(p) for p in parts).encode()).hexdigest()[:n]


def image_id(image):
    repo = image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image
    return "%s@sha256:%s" % (repo, h("image", image))


def normalize_image(image):
    """What the kubelet reports in status.image for a spec image."""
    first = image.split("/", 1)[0]
    if "/" not in image:
        return "docker.io/library/" + image
    if "." not in first and ":" not in first and first != "localhost":
        return "docker.io/" + image
    return image


def split_cid(cid, runtime):
    """(containerID as the kubelet writes it, bare lowercase id)."""
    if "://" in cid:
        return cid, cid.split("://", 1)[1].lower()
    return PREFIXES[runtime] + cid, cid.lower()


def running(sec):
    return {"running": {"startedAt": ts(sec)}}


def terminated(cid_full, sec, code=0, reason="Completed"):
    return {"terminated": {"exitCode": code, "reason": reason, "startedAt": ts(sec),
                           "finishedAt": ts(sec + 2), "containerID": cid_full}}


def sorted_map(d):
    return {k: d[k] for k in sorted(d)}


class Pod:
    """One pod being built, and what it contributes to the expectations."""

    def __init__(self, ns, name, uid, node):
        self.ns, self.name, self.uid, self.node = ns, name, uid, node
        self.owner = None          # (kind, name)
        self.sa = "default"
        self.labels = {}
        self.annotations = {}
        self.images = {}
        self.containers = []       # (name, cid or None)
        self.inits = []            # (name, cid)
        self.ephemerals = []       # (name, cid)
        self.restarted = {}        # container name -> old cid
        self.waiting = []          # names
        self.runtime = "containerd"
        self.phase = "Running"
        self.static = False
        self.seq = 0               # for timestamps

    def image(self, cname):
        return self.images.get(cname, DEFAULT_IMAGE)

    def owner_refs(self):
        if self.owner is None:
            return None
        kind, oname = self.owner
        api = {"ReplicaSet": "apps/v1", "StatefulSet": "apps/v1", "DaemonSet": "apps/v1",
               "Job": "batch/v1", "Node": "v1"}.get(kind, "v1")
        ref = {"apiVersion": api, "kind": kind, "name": oname,
               "uid": "%s-%s-%s-%s-%s" % tuple(h("owner", kind, oname, n=32)[a:b] for a, b in
                                               ((0, 8), (8, 12), (12, 16), (16, 20), (20, 32))),
               "controller": True}
        if kind != "Node":
            ref["blockOwnerDeletion"] = True
        return [ref]

    def build(self, spec_image=None):
        """The item (a dict), and the expect entries [(bare id, info)]."""
        spec_image = spec_image or (lambda c: self.image(c))
        start = self.seq
        ann = dict(self.annotations)
        ann.setdefault("kubernetes.io/config.seen", ts(start) .replace("Z", ".123456789Z"))
        ann.setdefault("kubernetes.io/config.source", "file" if self.static else "api")
        if self.static:
            ann.setdefault("kubernetes.io/config.hash", self.uid)
            ann.setdefault("kubernetes.io/config.mirror", self.uid)
        md = {"name": self.name, "namespace": self.ns, "uid": self.uid,
              "resourceVersion": str(1000 + int(h("rv", self.uid, n=6), 16) % 900000),
              "creationTimestamp": ts(start)}
        if self.owner and self.owner[0] in ("ReplicaSet", "DaemonSet", "Job"):
            md["generateName"] = self.name.rsplit("-", 1)[0] + "-"
        if self.labels:
            md["labels"] = sorted_map(self.labels)
        md["annotations"] = sorted_map(ann)
        refs = self.owner_refs()
        if refs:
            md["ownerReferences"] = refs

        expect = []
        owner = "%s/%s" % self.owner if self.owner else None

        def want(bare, cname, image, kind, previous=False):
            expect.append((bare, {"uid": self.uid, "namespace": self.ns, "pod": self.name,
                                  "container": cname, "image": image, "owner": owner,
                                  "sa": self.sa, "labels": dict(self.labels),
                                  "kind": kind, "previous": previous}))

        spec = {"restartPolicy": "Always", "terminationGracePeriodSeconds": 30,
                "dnsPolicy": "ClusterFirst", "serviceAccountName": self.sa,
                "serviceAccount": self.sa, "nodeName": self.node}
        status = {"phase": self.phase,
                  "conditions": [{"type": t, "status": "True", "lastProbeTime": None,
                                  "lastTransitionTime": ts(start + 1)}
                                 for t in ("Initialized", "Ready", "ContainersReady",
                                           "PodScheduled")],
                  "hostIP": "10.0.0.10",
                  "podIP": "10.244.%d.%d" % (int(h("ip", self.uid, n=2), 16) % 250,
                                             int(h("ip2", self.uid, n=2), 16) % 250 + 2),
                  "startTime": ts(start)}
        sec = start + 3

        if self.inits:
            spec["initContainers"] = [{"name": n, "image": spec_image(n),
                                       "imagePullPolicy": "IfNotPresent"} for n, _ in self.inits]
            sts = []
            for n, cid in self.inits:
                full, bare = split_cid(cid, self.runtime)
                st = {"name": n, "state": terminated(full, sec), "lastState": {},
                      "ready": True, "restartCount": 0, "image": self.image(n),
                      "imageID": image_id(self.image(n)), "containerID": full,
                      "started": False}
                want(bare, n, self.image(n), "init")
                old = self.restarted.get(n)
                if old:
                    ofull, obare = split_cid(old, self.runtime)
                    st["lastState"] = terminated(ofull, sec - 2, 1, "Error")
                    st["restartCount"] = 1
                    want(obare, n, self.image(n), "init", True)
                sts.append(st)
            status["initContainerStatuses"] = sts

        names = [n for n, _ in self.containers] + list(self.waiting)
        spec["containers"] = [{"name": n, "image": spec_image(n), "resources": {},
                               "terminationMessagePath": "/dev/termination-log",
                               "terminationMessagePolicy": "File",
                               "imagePullPolicy": "IfNotPresent"} for n in names]
        sts = []
        for n, cid in self.containers:
            full, bare = split_cid(cid, self.runtime)
            done = self.phase in ("Succeeded", "Failed")
            st = {"name": n, "state": terminated(full, sec) if done else running(sec),
                  "lastState": {}, "ready": not done, "restartCount": 0,
                  "image": self.image(n), "imageID": image_id(self.image(n)),
                  "containerID": full, "started": not done}
            want(bare, n, self.image(n), "container")
            old = self.restarted.get(n)
            if old:
                ofull, obare = split_cid(old, self.runtime)
                st["lastState"] = terminated(ofull, sec - 60, 137, "OOMKilled")
                st["restartCount"] = 1
                want(obare, n, self.image(n), "container", True)
            sts.append(st)
        for n in self.waiting:
            sts.append({"name": n, "state": {"waiting": {"reason": "ContainerCreating"}},
                        "lastState": {}, "ready": False, "restartCount": 0,
                        "image": self.image(n), "imageID": "", "started": False})
        status["containerStatuses"] = sts

        if self.ephemerals:
            spec["ephemeralContainers"] = [
                {"name": n, "image": spec_image(n), "targetContainerName": names[0] if names else n,
                 "stdin": True, "tty": True, "imagePullPolicy": "IfNotPresent"}
                for n, _ in self.ephemerals]
            sts = []
            for n, cid in self.ephemerals:
                full, bare = split_cid(cid, self.runtime)
                sts.append({"name": n, "state": running(sec + 30), "lastState": {},
                            "ready": False, "restartCount": 0, "image": self.image(n),
                            "imageID": image_id(self.image(n)), "containerID": full})
                want(bare, n, self.image(n), "ephemeral")
            status["ephemeralContainerStatuses"] = sts
        status["qosClass"] = "BestEffort"
        return {"metadata": md, "spec": spec, "status": status}, expect


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def document(item_texts, metadata_last=False):
    if metadata_last:
        return '{"kind":"PodList","apiVersion":"v1","items":[%s],"metadata":{}}\n' % ",".join(item_texts)
    return '{"kind":"PodList","apiVersion":"v1","metadata":{},"items":[%s]}\n' % ",".join(item_texts)


def merge_expect(entries):
    """[(uid, bare, info)] -> the expect map (ids in two pods: ambiguous)."""
    out, uids = {}, {}
    for uid, bare, info in entries:
        uids.setdefault(bare, [])
        if uid not in uids[bare]:
            uids[bare].append(uid)
        if bare not in out:
            out[bare] = info
    for bare, us in uids.items():
        if len(us) > 1:
            out[bare] = {"ambiguous": True, "uids": us}
    return out


# --- pods -----------------------------------------------------------------------

POD_OPTS_ARG = {"--owner", "--sa", "--label", "--annotation", "--image", "--init",
                "--ephemeral", "--restarted", "--waiting", "--runtime", "--phase"}
POD_OPTS_FLAG = {"--static"}


def kv(opt, val):
    if "=" not in val:
        die("%s wants K=V, got %r" % (opt, val))
    return val.split("=", 1)


def cmd_pods(args, g):
    pods = []
    i = 0
    while i < len(args):
        a = args[i]
        if a in POD_OPTS_ARG or a in POD_OPTS_FLAG:
            if not pods:
                die("%s before the first SPEC" % a)
            p = pods[-1]
            if a in POD_OPTS_FLAG:
                p.static = True
                i += 1
                continue
            if i + 1 >= len(args):
                die("%s needs a value" % a)
            v = args[i + 1]
            i += 2
            if a == "--owner":
                if "/" not in v:
                    die("--owner wants KIND/NAME, got %r" % v)
                p.owner = tuple(v.split("/", 1))
            elif a == "--sa":
                p.sa = v
            elif a == "--label":
                k, val = kv(a, v)
                p.labels[k] = val
            elif a == "--annotation":
                k, val = kv(a, v)
                p.annotations[k] = val
            elif a == "--image":
                k, val = kv(a, v)
                p.images[k] = val
            elif a == "--init":
                p.inits.append(tuple(kv(a, v)))
            elif a == "--ephemeral":
                p.ephemerals.append(tuple(kv(a, v)))
            elif a == "--restarted":
                k, val = kv(a, v)
                p.restarted[k] = val
            elif a == "--waiting":
                p.waiting.append(v)
            elif a == "--runtime":
                if v not in PREFIXES:
                    die("--runtime: one of %s" % ", ".join(PREFIXES))
                p.runtime = v
            elif a == "--phase":
                p.phase = v
            continue
        if a.startswith("-"):
            die("unknown option %r" % a)
        parts = a.split("/", 3)
        if len(parts) != 4 or not all(parts[:3]):
            die("SPEC is NS/POD/UID/NAME=CID[,NAME=CID...], got %r" % a)
        p = Pod(parts[0], parts[1], parts[2], g["node"])
        p.seq = 10 * len(pods)
        for c in filter(None, parts[3].split(",")):
            p.containers.append(tuple(kv("SPEC", c)))
        pods.append(p)
        i += 1
    if not pods:
        die("pods: no SPEC")
    texts, entries = [], []
    for p in pods:
        if p.static and p.owner is None:
            p.owner = ("Node", g["node"])
        item, exp = p.build()
        texts.append(dumps(item))
        entries += [(p.uid, b, e) for b, e in exp]
    uids = [p.uid for p in pods]
    stats = {"items": len(pods), "pods": len(set(uids)), "skipped": len(uids) - len(set(uids))}
    return document(texts), merge_expect(entries), stats


# --- scale ----------------------------------------------------------------------

NAMESPACES = ["default", "kube-system", "monitoring", "payments", "web", "batch",
              "logging", "ingress-nginx", "team-a", "team-b", "ml", "cache"]
APPS = ["web", "api", "worker", "frontend", "checkout", "search", "redis", "kafka",
        "fluent-bit", "node-exporter", "cron-report", "etcd", "coredns", "postgres"]
CNAMES = ["app", "sidecar", "proxy", "metrics", "log-shipper"]
IMAGES = ["nginx:1.25.3", "quay.io/prometheus/node-exporter:v1.7.0",
          "registry.k8s.io/coredns/coredns:v1.11.1", "redis:7.2", "envoyproxy/envoy:v1.29.1",
          "ghcr.io/fluent/fluent-bit:2.2.2", "busybox:1.36", "python:3.12-slim",
          "bitnami/kafka:3.6", "postgres:16.2"]
CRON_MINUTE = 28578600  # 2024-05-01T10:00Z in minutes since the epoch
PAD_TEXT = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit; pid2pod padding "
            "0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ -_.:/+= ") * 64


def rng_uuid(r):
    x = r.getrandbits(128)
    s = "%032x" % x
    s = s[:12] + "4" + s[13:16] + "89ab"[int(s[16], 16) % 4] + s[17:]
    return "%s-%s-%s-%s-%s" % (s[0:8], s[8:12], s[12:16], s[16:20], s[20:32])


def rng_hex(r, n):
    return "%0*x" % (n, r.getrandbits(4 * n))


def rng_suffix(r, n):
    return "".join(r.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(n))


def cmd_scale(n, pad_bytes, seed, g):
    r = random.Random(seed)
    texts, entries = [], []
    pad = pad_bytes is not None
    for i in range(n):
        ns = r.choice(NAMESPACES)
        app = "%s-%d" % (r.choice(APPS), i)
        kind = r.choices(["ReplicaSet", "StatefulSet", "DaemonSet", "Job", None, "static"],
                         [60, 10, 10, 10, 5, 5])[0]
        labels = {"app.kubernetes.io/name": app, "team": r.choice(["a", "b", "c", "sre"])}
        if kind == "ReplicaSet":
            rs = "%s-%s" % (app, rng_suffix(r, 10))
            name = "%s-%s" % (rs, rng_suffix(r, 5))
            owner = ("ReplicaSet", rs)
            labels["pod-template-hash"] = rs.rsplit("-", 1)[1]
        elif kind == "StatefulSet":
            name = "%s-%d" % (app, r.randrange(5))
            owner = ("StatefulSet", app)
            labels["controller-revision-hash"] = "%s-%s" % (app, rng_suffix(r, 10))
            labels["statefulset.kubernetes.io/pod-name"] = name
        elif kind == "DaemonSet":
            name = "%s-%s" % (app, rng_suffix(r, 5))
            owner = ("DaemonSet", app)
            labels["controller-revision-hash"] = rng_suffix(r, 10)
        elif kind == "Job":
            # every other Job is a CronJob's: <cronjob>-<scheduled minute>
            job = app if i % 2 else "%s-%d" % (app, CRON_MINUTE + i)
            name = "%s-%s" % (job, rng_suffix(r, 5))
            owner = ("Job", job)
            labels["job-name"] = job
            labels["batch.kubernetes.io/controller-uid"] = rng_uuid(r)
        elif kind == "static":
            name = "%s-%s" % (app, g["node"])
            owner = ("Node", g["node"])
        else:
            name = app
            owner = None
        uid = rng_hex(r, 32) if kind == "static" else rng_uuid(r)
        p = Pod(ns, name, uid, g["node"])
        p.seq = i % 3600
        p.owner = owner
        p.static = kind == "static"
        p.sa = r.choice(["default", app, "monitoring"])
        p.labels = labels
        spec_images = {}
        for c in r.sample(CNAMES, r.randint(1, 3)):
            spec_images[c] = r.choice(IMAGES)
            p.containers.append((c, rng_hex(r, 64)))
            if r.random() < 0.2:
                p.restarted[c] = rng_hex(r, 64)
        spec_images["init-setup"] = "busybox:1.36"
        p.inits.append(("init-setup", rng_hex(r, 64)))
        if i % 3 == 0:
            p.restarted["init-setup"] = rng_hex(r, 64)
        if i % 20 == 7:
            spec_images["debugger"] = "busybox:1.36"
            p.ephemerals.append(("debugger", rng_hex(r, 64)))
        p.images = {c: normalize_image(im) for c, im in spec_images.items()}
        if pad:
            p.annotations[PAD_KEY] = ""
        item, exp = p.build(spec_image=lambda c, s=spec_images: s[c])
        texts.append(dumps(item))
        entries += [(uid, b, e) for b, e in exp]
    if pad:
        total = len(document(texts).encode())
        extra = pad_bytes - total
        if extra < 0:
            print("mkpodlist.py: warning: %d pods take %d bytes without padding, more than "
                  "--pad-bytes %d: not padded" % (n, total, pad_bytes), file=sys.stderr)
        elif n:
            q, rem = divmod(extra, n)
            if q + 8192 > 4 * MIB:
                print("mkpodlist.py: warning: each pod gets %d bytes of padding: items "
                      "above 4 MiB (PODLIST_ITEM_MAX)" % q, file=sys.stderr)
            empty = '"%s":""' % PAD_KEY
            for i in range(n):
                k = q + (1 if i < rem else 0)
                if k == 0:
                    continue
                reps = PAD_TEXT * (k // len(PAD_TEXT) + 1)
                texts[i] = texts[i].replace(empty, '"%s":"%s"' % (PAD_KEY, reps[:k]), 1)
    stats = {"items": n, "pods": n, "skipped": 0}
    return document(texts), merge_expect(entries), stats


# --- shapes ---------------------------------------------------------------------

def cmd_shapes(g):
    node = g["node"]
    texts, entries, absent = [], [], {}
    stats = {"items": 0, "pods": 0, "skipped": 0}
    seen = set()

    def cid(tag):
        return h("shapes", tag)

    def add(item, exp=(), kept=None, why=None):
        """Append an item; exp: its (bare, info) entries if kept, else absent."""
        stats["items"] += 1
        if kept is None:
            md = item.get("metadata") if isinstance(item, dict) else None
            uid = md.get("uid") if isinstance(md, dict) else None
            kept = isinstance(uid, str) and uid != "" and uid not in seen
            if kept:
                seen.add(uid)
        if kept:
            stats["pods"] += 1
            entries.extend((item["metadata"]["uid"], b, e) for b, e in exp)
        else:
            stats["skipped"] += 1
            for b, _ in exp:
                absent[b] = {"absent": True, "why": why or "item skipped"}
        texts.append(dumps(item))

    def pod(ns, name, uid, containers, **kw):
        p = Pod(ns, name, uid, node)
        p.seq = 10 * stats["items"]
        p.containers = containers
        for k, v in kw.items():
            setattr(p, k, v)
        return p

    # Not objects.
    for junk in (None, 42, "a string", [1, 2]):
        add(junk, kept=False)

    # An ordinary pod, and a second item reusing its uid (skipped as a duplicate).
    base_uid = "5d6c7b8a-0001-4000-8000-000000000001"
    p = pod("default", "web-6b7c8d9f4-abcde", base_uid, [("app", cid("basic"))],
            owner=("ReplicaSet", "web-6b7c8d9f4"), sa="web",
            labels={"app": "web", "pod-template-hash": "6b7c8d9f4"})
    add(*p.build())
    p = pod("default", "web-dup", base_uid, [("app", cid("dup-uid"))])
    item, exp = p.build()
    add(item, exp, why="duplicate uid (an earlier item has it)")

    # Items without a usable uid.
    for tag, mutate, why in (
            ("no-uid", lambda it: it["metadata"].pop("uid"), "no metadata.uid"),
            ("num-uid", lambda it: it["metadata"].__setitem__("uid", 12345), "metadata.uid is a number"),
            ("empty-uid", lambda it: it["metadata"].__setitem__("uid", ""), "metadata.uid is empty"),
            ("no-metadata", lambda it: it.pop("metadata"), "no metadata"),
            ("null-metadata", lambda it: it.__setitem__("metadata", None), "metadata is null")):
        p = pod("default", "bad-" + tag, "5d6c7b8a-0002-4000-8000-%012d" % len(texts),
                [("app", cid(tag))])
        item, exp = p.build()
        mutate(item)
        add(item, exp, kept=False, why=why)

    # Wrong types for name and namespace: the pod is kept, those are unknown.
    p = pod("default", "x", "5d6c7b8a-0003-4000-8000-000000000001", [("app", cid("num-name"))])
    item, exp = p.build()
    item["metadata"]["name"] = 7
    for _, e in exp:
        e["pod"] = None
    add(item, exp)
    p = pod("default", "ns-array", "5d6c7b8a-0003-4000-8000-000000000002", [("app", cid("arr-ns"))])
    item, exp = p.build()
    item["metadata"]["namespace"] = ["default"]
    for _, e in exp:
        e["namespace"] = None
    add(item, exp)

    # Labels: an array (no labels), a numeric value (that label unknown), non-ASCII.
    p = pod("default", "labels-array", "5d6c7b8a-0004-4000-8000-000000000001",
            [("app", cid("labels-array"))])
    item, exp = p.build()
    item["metadata"]["labels"] = ["app=web"]
    add(item, exp)
    p = pod("default", "labels-mixed", "5d6c7b8a-0004-4000-8000-000000000002",
            [("app", cid("labels-mixed"))], labels={"app": "caf\u00e9", "team": "\u65e5\u672c"})
    item, exp = p.build()
    item["metadata"]["labels"]["replicas"] = 3
    item["metadata"]["labels"]["debug"] = None
    add(item, exp)

    # containerStatuses of the wrong type; its init container still counts.
    p = pod("default", "statuses-object", "5d6c7b8a-0005-4000-8000-000000000001",
            [("app", cid("statuses-object"))], inits=[("init", cid("statuses-object-init"))])
    item, exp = p.build()
    item["status"]["containerStatuses"] = {"app": item["status"]["containerStatuses"][0]}
    for b, e in exp:
        if e["kind"] == "container":
            absent[b] = {"absent": True, "why": "containerStatuses is an object"}
    add(item, [(b, e) for b, e in exp if e["kind"] != "container"])

    # Odd elements in containerStatuses, waiting containers without an id.
    p = pod("default", "starting", "5d6c7b8a-0006-4000-8000-000000000001",
            [("app", cid("starting-app"))], waiting=["slow-pull", "empty-id"])
    item, exp = p.build()
    st = item["status"]["containerStatuses"]
    st[2]["containerID"] = ""
    item["status"]["containerStatuses"] = [None, 5, "x"] + st
    item["status"]["phase"] = "Pending"
    add(item, exp)

    # A restarted container: the new and the old id both name it.
    p = pod("default", "crashy", "5d6c7b8a-0007-4000-8000-000000000001",
            [("app", cid("crashy-new"))], restarted={"app": cid("crashy-old")})
    add(*p.build())

    # Init containers (one restarted) and an ephemeral container.
    p = pod("batch", "with-init-7x2kq", "5d6c7b8a-0008-4000-8000-000000000001",
            [("main", cid("init-main"))],
            inits=[("migrate", cid("init-migrate")), ("wait-db", cid("init-wait"))],
            restarted={"migrate": cid("init-migrate-old")},
            ephemerals=[("debugger-abcde", cid("ephemeral"))],
            owner=("Job", "with-init"), labels={"job-name": "with-init"})
    add(*p.build())

    # A static pod: 32-hex uid, Node owner.
    p = pod("kube-system", "etcd-" + node, h("static", n=32), [("etcd", cid("static-etcd"))],
            static=True, owner=("Node", node), labels={"component": "etcd", "tier": "control-plane"},
            images={"etcd": "registry.k8s.io/etcd:3.5.12-0"})
    add(*p.build())

    # Other runtimes' prefixes.
    p = pod("default", "on-crio", "5d6c7b8a-0009-4000-8000-000000000001",
            [("app", cid("crio"))], runtime="cri-o")
    add(*p.build())
    p = pod("default", "on-docker", "5d6c7b8a-0009-4000-8000-000000000002",
            [("app", cid("docker"))], runtime="docker")
    add(*p.build())

    # No image in the status: the spec's counts.
    p = pod("default", "no-status-image", "5d6c7b8a-000a-4000-8000-000000000001",
            [("app", cid("no-status-image"))], images={"app": "docker.io/library/nginx:1.25.3"})
    item, exp = p.build()
    del item["status"]["containerStatuses"][0]["image"]
    add(item, exp)

    # The same id in two pods: ambiguous.
    for k in (1, 2):
        p = pod("default", "twin-%d" % k, "5d6c7b8a-000b-4000-8000-00000000000%d" % k,
                [("app", cid("twin"))])
        add(*p.build())

    # Owners: a non-controller reference first; only non-controller references.
    p = pod("default", "two-owners", "5d6c7b8a-000c-4000-8000-000000000001",
            [("app", cid("two-owners"))], owner=("StatefulSet", "db"))
    item, exp = p.build()
    item["metadata"]["ownerReferences"].insert(0, {
        "apiVersion": "v1", "kind": "ConfigMap", "name": "not-the-controller",
        "uid": "5d6c7b8a-000c-4000-8000-0000000000ff"})
    add(item, exp)
    p = pod("default", "no-controller", "5d6c7b8a-000c-4000-8000-000000000002",
            [("app", cid("no-controller"))], owner=("ReplicaSet", "rs-x"))
    item, exp = p.build()
    item["metadata"]["ownerReferences"][0]["controller"] = False
    for _, e in exp:
        e["owner"] = None
    add(item, exp)

    # Workloads: a ReplicaSet made by hand (no pod-template-hash), a CronJob's
    # Job (<cronjob>-<scheduled minute>), a Job whose 7 digits are no
    # scheduled minute, a ReplicationController.
    for tag, owner, labels in (
            ("rs-by-hand", ("ReplicaSet", "cache-7f6d5"), {"app": "cache"}),
            ("cronjob-job", ("Job", "report-%d" % CRON_MINUTE), {"job-name": "report-%d" % CRON_MINUTE}),
            ("short-digit-job", ("Job", "migrate-2024050"), {"job-name": "migrate-2024050"}),
            ("rc", ("ReplicationController", "legacy"), {"app": "legacy"})):
        p = pod("default", "%s-%s" % (owner[1], "x7k2p"),
                "5d6c7b8a-000f-4000-8000-%012d" % len(texts), [("app", cid(tag))],
                owner=owner, labels=labels)
        add(*p.build())

    # Deeply nested unknown fields (40 levels) and managedFields.
    p = pod("default", "deep", "5d6c7b8a-000d-4000-8000-000000000001", [("app", cid("deep"))])
    item, exp = p.build()
    deep = {"leaf": [1, 2.5, True, None, "x"]}
    for _ in range(40):
        deep = {"n": deep}
    item["spec"]["x-unknown"] = deep
    item["metadata"]["managedFields"] = [{
        "manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1",
        "time": T0, "fieldsType": "FieldsV1",
        "fieldsV1": {"f:metadata": {"f:labels": {".": {}, "f:app": {}}},
                     "f:spec": {"f:containers": {"k:{\"name\":\"app\"}": {".": {}}}}}}]
    add(item, exp)

    # A completed pod still listed.
    p = pod("batch", "done-pod", "5d6c7b8a-000e-4000-8000-000000000001",
            [("job", cid("succeeded"))], phase="Succeeded")
    add(*p.build())

    expect = merge_expect(entries)
    for b, e in absent.items():
        expect.setdefault(b, e)
    return document(texts, metadata_last=True), expect, stats


# --- main -----------------------------------------------------------------------

def write_atomic(path, text):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.rename(tmp, path)


def main(argv):
    g = {"output": None, "expect": None, "stats": None, "node": socket.gethostname() or "node"}
    rest = []
    i = 0
    while i < len(argv):
        a = argv[i]
        key = {"-o": "output", "--output": "output", "--expect": "expect",
               "--stats": "stats", "--node": "node"}.get(a)
        if key:
            if i + 1 >= len(argv):
                die("%s needs a value" % a)
            g[key] = argv[i + 1]
            i += 2
            continue
        if a in ("-h", "--help"):
            print(__doc__)
            return 0
        rest.append(a)
        i += 1
    if not rest:
        die("usage: mkpodlist.py [-o FILE] [--expect FILE] pods SPEC...|scale N|shapes (see -h)")
    cmd, args = rest[0], rest[1:]
    if cmd == "pods":
        text, expect, stats = cmd_pods(args, g)
    elif cmd == "scale":
        n, pad, seed = None, None, 1
        j = 0
        while j < len(args):
            if args[j] in ("--pad-bytes", "--seed") and j + 1 < len(args):
                try:
                    v = int(args[j + 1])
                except ValueError:
                    die("%s wants an integer" % args[j])
                if args[j] == "--pad-bytes":
                    pad = v
                else:
                    seed = v
                j += 2
            elif n is None and args[j].isdigit():
                n = int(args[j])
                j += 1
            else:
                die("scale: unexpected %r" % args[j])
        if n is None:
            die("scale: N missing")
        text, expect, stats = cmd_scale(n, pad, seed, g)
    elif cmd == "shapes":
        if args:
            die("shapes takes no arguments")
        text, expect, stats = cmd_shapes(g)
    else:
        die("unknown command %r" % cmd)
    if g["output"]:
        write_atomic(g["output"], text)
    else:
        sys.stdout.write(text)
    if g["expect"]:
        write_atomic(g["expect"], json.dumps(expect, indent=1, sort_keys=True,
                                             ensure_ascii=False) + "\n")
    if g["stats"]:
        write_atomic(g["stats"], json.dumps(stats) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
