#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""deploy/ctr-run-args.py - the DaemonSet's container settings as `ctr run`
options, read from deploy/daemonset.yaml and deploy/configmap.yaml (so a
node without a cluster runs the image as the manifest says, and a test of
it cannot drift from the manifest).  Prints one option per line:

    mapfile -t opts < <(python3 deploy/ctr-run-args.py --config-dir /tmp/p2p-cm)
    ctr -n k8s.io run -d --log-uri file:///var/log/pid2pod.out "${opts[@]}" IMAGE pid2pod

What is translated, and how:
  hostPID                  --with-ns pid:PIDNS (--pid-ns; default
                           /proc/1/ns/pid; containerd's own is the same one)
  hostNetwork              --net-host
  securityContext          capabilities: ALL dropped, the added ones kept
                           (--cap-drop of every other one, --cap-add);
                           readOnlyRootFilesystem: --read-only;
                           allowPrivilegeEscalation false: ctr's default
                           (no_new_privs), true: --allow-new-privs;
                           seccompProfile RuntimeDefault: --seccomp
                           (containerd's default profile); runAsUser and
                           runAsGroup must be 0 (ctr's default) or unset;
                           privileged: --privileged
  env                      --env NAME=VALUE (value only)
  resources.limits.memory  --memory-limit
  volumeMounts, by volume
    configMap              the ConfigMap's data written to --config-dir,
                           bound read-only at mountPath
    hostPath               bound (rbind, ro when readOnly) from the host
                           path, or from --host-root + path for every path
                           but /proc (tests: a private "host"); type
                           Directory must exist, DirectoryOrCreate is made
    emptyDir               a tmpfs (sizeLimit as its size)
  service account token    automountServiceAccountToken: --sa-dir bound
                           read-only at /var/run/secrets/kubernetes.io/
                           serviceaccount when given (no cluster: no token)
Mounts are ordered by the depth of their mountPath, as the CRI orders them
(/run before /run/containerd/...).

  --probe   print the liveness probe's exec command instead, one word a line
  --value KEY  print a key of the ConfigMap's pid2pod.conf (empty: unset)
Anything the manifest asks that this cannot translate is an error.
"""
import argparse, os, re, sys
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ALL_CAPS = """CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP
LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER
SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE
SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP
MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF
CHECKPOINT_RESTORE""".split()
SA_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
UNITS = {"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "K": 10**3, "M": 10**6, "G": 10**9, "": 1}


def die(msg):
    sys.exit("ctr-run-args.py: " + msg)


def load(name, kind):
    for d in yaml.safe_load_all(open(os.path.join(HERE, name))):
        if d and d.get("kind") == kind:
            return d
    die("no %s in %s" % (kind, name))


def quantity(q):
    m = re.fullmatch(r"(\d+)([KMG]i?)?", str(q))
    if not m:
        die("quantity %r" % q)
    return int(m.group(1)) * UNITS[m.group(2) or ""]


def conf_value(cm, key):
    val = ""
    for line in cm.get("data", {}).get("pid2pod.conf", "").splitlines():
        m = re.match(r"\s*%s\s*=\s*(.*?)\s*$" % re.escape(key), line)
        if m:
            val = m.group(1)
    return val


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config-dir", help="write the ConfigMap's files here (made)")
    ap.add_argument("--host-root", default="", help="prefix of every hostPath but /proc")
    ap.add_argument("--sa-dir", help="service account token dir to mount")
    ap.add_argument("--pid-ns", default="/proc/1/ns/pid")
    ap.add_argument("--probe", action="store_true")
    ap.add_argument("--value")
    a = ap.parse_args()

    ds = load("daemonset.yaml", "DaemonSet")
    cm = load("configmap.yaml", "ConfigMap")
    pod = ds["spec"]["template"]["spec"]
    if len(pod["containers"]) != 1 or pod.get("initContainers"):
        die("one container expected")
    c = pod["containers"][0]
    if a.value:
        print(conf_value(cm, a.value))
        return
    if a.probe:
        cmd = c.get("livenessProbe", {}).get("exec", {}).get("command")
        if not cmd:
            die("no livenessProbe.exec.command")
        print("\n".join(cmd))
        return
    if not a.config_dir:
        die("--config-dir is required")

    out = []
    if pod.get("hostPID"):
        out += ["--with-ns", "pid:" + a.pid_ns]
    if pod.get("hostNetwork"):
        out.append("--net-host")
    if pod.get("hostIPC"):
        die("hostIPC is not translated")
    sc = c.get("securityContext", {})
    for k in ("runAsUser", "runAsGroup"):
        if sc.get(k, 0) != 0 or pod.get("securityContext", {}).get(k, 0) != 0:
            die(k + " other than 0 is not translated")
    if sc.get("privileged"):
        out.append("--privileged")
    caps = sc.get("capabilities", {})
    add = ["CAP_" + x for x in caps.get("add", [])]
    if caps.get("drop") == ["ALL"]:
        out += [x for cap in ALL_CAPS if "CAP_" + cap not in add for x in ("--cap-drop", "CAP_" + cap)]
    elif caps.get("drop"):
        out += [x for cap in caps["drop"] for x in ("--cap-drop", "CAP_" + cap)]
    out += [x for cap in add for x in ("--cap-add", cap)]
    if sc.get("readOnlyRootFilesystem"):
        out.append("--read-only")
    if sc.get("allowPrivilegeEscalation", True):
        out.append("--allow-new-privs")
    prof = sc.get("seccompProfile", pod.get("securityContext", {}).get("seccompProfile", {}))
    if prof.get("type") == "RuntimeDefault":
        out.append("--seccomp")
    elif prof.get("type") not in (None, "Unconfined"):
        die("seccompProfile %s is not translated" % prof.get("type"))
    for e in c.get("env", []):
        if "value" not in e:
            die("env %s: only value is translated" % e.get("name"))
        out += ["--env", "%s=%s" % (e["name"], e["value"])]
    mem = c.get("resources", {}).get("limits", {}).get("memory")
    if mem:
        out += ["--memory-limit", str(quantity(mem))]

    vols = {v["name"]: v for v in pod.get("volumes", [])}
    mounts = []
    for m in c.get("volumeMounts", []):
        v = vols[m["name"]]
        dst, ro = m["mountPath"], m.get("readOnly", False)
        if m.get("subPath"):
            die("subPath is not translated")
        if "configMap" in v:
            if v["configMap"]["name"] != cm["metadata"]["name"]:
                die("configMap %s is not configmap.yaml's" % v["configMap"]["name"])
            os.makedirs(a.config_dir, exist_ok=True)
            for k, data in cm.get("data", {}).items():
                with open(os.path.join(a.config_dir, k), "w") as f:
                    f.write(data)
            mounts.append((dst, "type=bind,src=%s,dst=%s,options=rbind:ro" % (os.path.abspath(a.config_dir), dst)))
        elif "hostPath" in v:
            hp = v["hostPath"]["path"]
            src = hp if hp == "/proc" or not a.host_root else a.host_root.rstrip("/") + hp
            t = v["hostPath"].get("type", "")
            if t == "DirectoryOrCreate":
                os.makedirs(src, exist_ok=True)
            elif t == "Directory" and not os.path.isdir(src):
                die("hostPath %s (type Directory) does not exist: the pod would not start" % src)
            elif t not in ("", "Directory"):
                die("hostPath type %s is not translated" % t)
            mounts.append((dst, "type=bind,src=%s,dst=%s,options=rbind:%s" % (src, dst, "ro" if ro else "rw")))
        elif "emptyDir" in v:
            size = v["emptyDir"].get("sizeLimit")
            opt = "nosuid:nodev:mode=755" + (":size=%d" % quantity(size) if size else "")
            mounts.append((dst, "type=tmpfs,src=tmpfs,dst=%s,options=%s" % (dst, opt)))
        else:
            die("volume %s: only configMap, hostPath and emptyDir are translated" % m["name"])
    if pod.get("automountServiceAccountToken", True) and a.sa_dir:
        mounts.append((SA_PATH, "type=bind,src=%s,dst=%s,options=rbind:ro" % (os.path.abspath(a.sa_dir), SA_PATH)))
    mounts.sort(key=lambda m: len([p for p in m[0].split("/") if p]))
    for _, spec in mounts:
        out += ["--mount", spec]
    print("\n".join(out))


if __name__ == "__main__":
    main()
