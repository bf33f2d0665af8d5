#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_deploy.sh - the DaemonSet, RBAC and ConfigMap manifests in deploy/
# hold together (python3-yaml, no cluster, no network): kinds and required
# fields, the host namespaces, every host path read-only but auditd's log,
# what the plugin reads (proc_root, runtime_state_dirs, the kubelet CA and
# token) mounted where the ConfigMap's config says, the capabilities auditd
# and the plugin need, the RBAC rule, the ConfigMap's config accepted by
# `audisp-pid2pod -n -c`, its audit rules taken from rules/70-pid2pod.rules,
# the entrypoint's generated auditd files, the Dockerfile's steps, the
# liveness probe, the backlog and metrics settings, and the ctr options
# deploy/ctr-run-args.py derives from the manifest (what .ci/image.sh runs
# the image with; the image itself is built and run there, not here).
set -u
. "$(dirname "$0")/../lib/common.sh"
R=$(t_repo_root)
BIN=$R/${B:-build}/audisp-pid2pod
W=$(t_workdir)
cd "$R" || exit 1

python3 -c 'import yaml' 2>/dev/null || { t_fail "python3-yaml" "not installed (make deps)"; t_done; exit; }

# Structural checks; the ConfigMap's files are written to $W for the
# checks below.  Prints the result protocol.
P2P_EP=$(sed -n 's/^ENTRYPOINT \["\([^"]*\)".*/\1/p' deploy/Dockerfile) \
	python3 - "$W" <<'PY' >"$W/py.out" 2>"$W/py.err"
import os, re, sys, yaml
w = sys.argv[1]
def ok(n): print("ok - " + n)
def bad(n, d): print("not ok - %s: %s" % (n, str(d).replace("\n", " | ")))
def check(n, cond, d=""):
    ok(n) if cond else bad(n, d)

docs, files = [], sorted(f for f in os.listdir("deploy") if f.endswith(".yaml"))
for f in files:
    try:
        for d in yaml.safe_load_all(open(os.path.join("deploy", f))):
            if d is not None:
                docs.append((f, d))
    except yaml.YAMLError as e:
        bad("parse " + f, e); sys.exit(0)
ok("every manifest parses (%d files, %d objects)" % (len(files), len(docs)))

kust = [d for f, d in docs if d.get("kind") == "Kustomization"]
objs = [(f, d) for f, d in docs if d.get("kind") != "Kustomization"]
miss = [f"{f}:{d.get('kind')}" for f, d in objs
        if not (d.get("apiVersion") and d.get("kind") and d.get("metadata", {}).get("name"))]
check("apiVersion, kind and metadata.name on every object", not miss, miss)
by = {}
for f, d in objs:
    by.setdefault(d["kind"], []).append(d)
want = {"Namespace": 1, "ServiceAccount": 1, "ClusterRole": 2, "ClusterRoleBinding": 2,
        "ConfigMap": 1, "DaemonSet": 1}
got = {k: len(v) for k, v in by.items()}
check("kinds: Namespace, ServiceAccount, 2 ClusterRoles and bindings, ConfigMap, DaemonSet",
      got == want, got)
if got != want:
    sys.exit(0)
check("kustomization lists every manifest",
      len(kust) == 1 and set(kust[0].get("resources", [])) == {f for f, _ in objs},
      kust[0].get("resources") if kust else "no kustomization.yaml")

ns = by["Namespace"][0]["metadata"]["name"]
wrong = [f"{d['kind']}/{d['metadata']['name']}" for f, d in objs
         if d["kind"] in ("ServiceAccount", "ConfigMap", "DaemonSet")
         and d["metadata"].get("namespace") != ns]
check("namespaced objects are in namespace " + ns, not wrong, wrong)
check("the namespace allows host namespaces (pod-security privileged)",
      by["Namespace"][0]["metadata"].get("labels", {}).get("pod-security.kubernetes.io/enforce") == "privileged")

# RBAC: get on nodes/pods (1.33+), get on nodes/proxy (older), nothing else
sa = by["ServiceAccount"][0]["metadata"]["name"]
roles = {r["metadata"]["name"]: r for r in by["ClusterRole"]}
grants = set()
for b in by["ClusterRoleBinding"]:
    ref = b.get("roleRef", {})
    subj = b.get("subjects", [])
    if ref.get("kind") == "ClusterRole" and ref.get("apiGroup") == "rbac.authorization.k8s.io" \
       and ref.get("name") in roles and subj == [{"kind": "ServiceAccount", "name": sa, "namespace": ns}]:
        for rule in roles[ref["name"]].get("rules", []):
            for g in rule.get("apiGroups", []):
                for res in rule.get("resources", []):
                    for v in rule.get("verbs", []):
                        grants.add((g, res, v))
check("RBAC: the service account may get nodes/pods and nodes/proxy, nothing else",
      grants == {("", "nodes/pods", "get"), ("", "nodes/proxy", "get")}, sorted(grants))

# ConfigMap: its config and rules to files
cm = by["ConfigMap"][0]
conf = cm.get("data", {}).get("pid2pod.conf", "")
rules = cm.get("data", {}).get("audit.rules", "")
open(os.path.join(w, "pid2pod.conf"), "w").write(conf)
open(os.path.join(w, "audit.rules"), "w").write(rules)
keys = {}
for line in conf.splitlines():
    m = re.match(r"\s*([a-z_]+)\s*=\s*(.*?)\s*$", line)
    if m:
        keys[m.group(1)] = m.group(2)
shipped = [l.strip() for l in open("rules/70-pid2pod.rules") if l.startswith("-a")]
ra = [l.strip() for l in rules.splitlines() if l.startswith("-a")]
check("ConfigMap audit rules: system-call rules of rules/70-pid2pod.rules, no -w",
      ra and all(l in shipped for l in ra) and not any(l.startswith("-w") for l in rules.splitlines()),
      [l for l in ra if l not in shipped])

# DaemonSet
ds = by["DaemonSet"][0]
spec = ds["spec"]
pod = spec["template"]["spec"]
sel = spec.get("selector", {}).get("matchLabels", {})
tl = spec["template"].get("metadata", {}).get("labels", {})
check("selector matches the pod template's labels", sel and all(tl.get(k) == v for k, v in sel.items()), (sel, tl))
check("hostPID and hostNetwork", pod.get("hostPID") is True and pod.get("hostNetwork") is True)
check("dnsPolicy ClusterFirstWithHostNet (hostNetwork)", pod.get("dnsPolicy") == "ClusterFirstWithHostNet")
check("runs as the service account, its token mounted",
      pod.get("serviceAccountName") == sa and pod.get("automountServiceAccountToken", True) is not False)
terms = pod.get("affinity", {}).get("nodeAffinity", {}).get(
    "requiredDuringSchedulingIgnoredDuringExecution", {}).get("nodeSelectorTerms", [])
check("nodes labelled pid2pod.io/host-auditd (their own auditd) are left out",
      terms and all(any(e.get("key") == "pid2pod.io/host-auditd" and e.get("operator") == "DoesNotExist"
                        for e in t.get("matchExpressions", [])) for t in terms), terms)
check("tolerates every taint (every node)", {"operator": "Exists"} in pod.get("tolerations", []))
cs = pod.get("containers", [])
check("one container", len(cs) == 1, len(cs))
c = cs[0]
sc = c.get("securityContext", {})
caps = sc.get("capabilities", {})
need = {"AUDIT_CONTROL", "AUDIT_READ", "AUDIT_WRITE", "NET_ADMIN", "SETPCAP", "SYS_RESOURCE"}
check("capabilities: ALL dropped; AUDIT_CONTROL, AUDIT_READ, AUDIT_WRITE, NET_ADMIN, SETPCAP, SYS_RESOURCE added",
      caps.get("drop") == ["ALL"] and set(caps.get("add", [])) == need, caps)
check("not privileged, no privilege escalation",
      sc.get("privileged") is False and sc.get("allowPrivilegeEscalation") is False, sc)
vols = {v["name"]: v for v in pod.get("volumes", [])}
mounts = c.get("volumeMounts", [])
undef = [m["name"] for m in mounts if m["name"] not in vols]
check("every mount names a volume", not undef, undef)
writable_ok = {"audit-log", "run", "metrics"}
rw = [m["mountPath"] for m in mounts if not m.get("readOnly") and m["name"] not in writable_ok]
check("every mount read-only but auditd's log, the metrics directory and /run", not rw, rw)
hostro = {m["mountPath"]: vols[m["name"]]["hostPath"]["path"] for m in mounts
          if m["name"] in vols and "hostPath" in vols[m["name"]] and m.get("readOnly")}
def covered(path):
    for mp, hp in hostro.items():
        if path == mp or path.startswith(mp.rstrip("/") + "/"):
            return hp + path[len(mp):]
    return None
check("proc_root is the host's /proc, mounted read-only",
      covered(keys.get("proc_root", "/proc")) == "/proc" and keys.get("proc_root") != "/proc",
      keys.get("proc_root"))
dirs = keys.get("runtime_state_dirs", "").split()
bad_dirs = [d for d in dirs if covered(d) != d]
check("every runtime_state_dirs entry is its host directory, mounted read-only at its own path",
      dirs and not bad_dirs, bad_dirs or "none set")
check("containerd, CRI-O and Docker state are among them",
      any("/run/containerd/" in d for d in dirs) and any("overlay-containers" in d for d in dirs)
      and any("/var/lib/docker/containers" in d for d in dirs), dirs)
ca = keys.get("kubelet_ca_file", "/var/lib/kubelet/pki/kubelet.crt")
check("the kubelet CA comes from the host's /var/lib/kubelet/pki, read-only",
      covered(ca) is not None and covered(ca).startswith("/var/lib/kubelet/pki/"), ca)
tok = keys.get("kubelet_token_file", "/var/run/secrets/kubernetes.io/serviceaccount/token")
check("the kubelet token is the service account's",
      tok == "/var/run/secrets/kubernetes.io/serviceaccount/token", tok)
cmv = [m for m in mounts if "configMap" in vols.get(m["name"], {})]
check("the ConfigMap is mounted at /etc/pid2pod, read-only",
      len(cmv) == 1 and cmv[0]["mountPath"] == "/etc/pid2pod" and cmv[0].get("readOnly")
      and vols[cmv[0]["name"]]["configMap"]["name"] == cm["metadata"]["name"], cmv)
check("output is syslog (the pod's rsyslogd writes it to stdout; under auditd stdout is /dev/null)",
      keys.get("output", "syslog") == "syslog", keys.get("output"))
check("no -b in the ConfigMap's rules (the node's backlog is the entrypoint's: raised, never lowered, put back)",
      not any(l.split()[:1] == ["-b"] for l in rules.splitlines()), [l for l in rules.splitlines() if l.startswith("-b")])
env = {e.get("name"): e.get("value") for e in c.get("env", [])}
check("PID2POD_BACKLOG_MIN set, a number", str(env.get("PID2POD_BACKLOG_MIN", "")).isdigit(), env)
nodir = [v["name"] for v in vols.values() if "hostPath" in v and v["hostPath"]["path"] != "/proc"
         and v["hostPath"].get("type") != "DirectoryOrCreate"]
check("every hostPath but /proc DirectoryOrCreate (a node without one still starts the pod)", not nodir, nodir)
hostrw = {m["mountPath"]: vols[m["name"]]["hostPath"]["path"] for m in mounts
          if "hostPath" in vols.get(m["name"], {}) and not m.get("readOnly")}
mf = keys.get("metrics_file", "")
mdir = os.path.dirname(mf)
check("metrics_file set, its directory a writable host mount at its own path (node_exporter's textfile dir)",
      mf.endswith(".prom") and hostrw.get(mdir) == mdir, (mf, hostrw))
lp = c.get("livenessProbe", {})
cmd = lp.get("exec", {}).get("command", [])
interval = int(keys.get("metrics_interval", "60"))
period, fails, delay = lp.get("periodSeconds", 10), lp.get("failureThreshold", 3), lp.get("initialDelaySeconds", 0)
check("liveness probe: the Dockerfile's ENTRYPOINT with --alive",
      cmd == [os.environ.get("P2P_EP"), "--alive"], (cmd, os.environ.get("P2P_EP")))
check("liveness probe gives an idle plugin its 3 x metrics_interval: a period of at least metrics_interval, a timeout, restarts after 2+ failures",
      period >= interval and lp.get("timeoutSeconds", 1) >= 5 and fails >= 2 and delay >= 10, lp)
check("no SYS_ADMIN, no privileged, no hostIPC", "SYS_ADMIN" not in caps.get("add", []) and not pod.get("hostIPC"), caps)
PY
[ -s "$W/py.err" ] && t_fail "manifest checks ran" "$(tail -3 "$W/py.err")"
while IFS= read -r line; do
	case $line in
	"ok - "*) t_ok "${line#ok - }" ;;
	"not ok - "*) l=${line#not ok - }; t_fail "${l%%: *}" "${l#*: }" ;;
	esac
done <"$W/py.out"

# the ConfigMap's config, as the entrypoint installs it (root-only copy)
chmod 0640 "$W/pid2pod.conf"
out=$("$BIN" -n -c "$W/pid2pod.conf" 2>&1) && t_ok "audisp-pid2pod -n accepts the ConfigMap's config" ||
	t_fail "audisp-pid2pod -n accepts the ConfigMap's config" "$out"

# the entrypoint's generated files, with the repo's stanza and binary
t_check "entrypoint parses (bash -n)" bash -n deploy/entrypoint.sh
if out=$(PID2POD_CONF=$W/pid2pod.conf PID2POD_RULES=$W/audit.rules PID2POD_RUN=$W/run \
	PID2POD_LOG_DIR=$W/log PID2POD_STANZA=plugin/plugins.d/pid2pod.conf PID2POD_PLUGIN=$BIN \
	bash deploy/entrypoint.sh --write-config 2>&1); then
	t_ok "entrypoint --write-config"
	st=$W/run/audit/plugins.d/pid2pod.conf
	grep -qx 'active = yes' "$st" && grep -qx "path = $BIN" "$st" &&
		grep -qx "args = -c $W/run/audit/pid2pod.conf" "$st" && grep -qx 'format = string' "$st" &&
		[ "$(sed -n 's/^args = //p' "$st" | wc -w)" -le 2 ] &&
		t_ok "entrypoint stanza: active, the plugin, its config copy, two args words" ||
		t_fail "entrypoint stanza" "$(tr '\n' ';' <"$st")"
	cmp -s "$W/pid2pod.conf" "$W/run/audit/pid2pod.conf" &&
		[ "$(stat -c %a "$W/run/audit/pid2pod.conf")" = 640 ] &&
		t_ok "entrypoint: the plugin's config is the ConfigMap's, mode 0640" ||
		t_fail "entrypoint config copy" "$(stat -c %a "$W/run/audit/pid2pod.conf" 2>&1)"
	ac=$W/run/audit/auditd.conf
	grep -qx "plugin_dir = $W/run/audit/plugins.d" "$ac" && grep -qx "log_file = $W/log/audit.log" "$ac" &&
		! grep -Eq '_action = (HALT|SINGLE|EMAIL)' "$ac" && grep -qx 'local_events = yes' "$ac" &&
		t_ok "entrypoint auditd.conf: its plugins.d, log in the log volume, no halt/single/mail" ||
		t_fail "entrypoint auditd.conf" "$(grep -E 'plugin_dir|log_file|_action' "$ac" | tr '\n' ';')"
	cmp -s "$W/audit.rules" "$W/run/audit.rules" && t_ok "entrypoint: the ConfigMap's rules" ||
		t_fail "entrypoint rules" "$(head -3 "$W/run/audit.rules")"
else
	t_fail "entrypoint --write-config" "$out"
fi
printf 'output = stdout\nbogus = 1\n' >"$W/bad.conf"
chmod 0640 "$W/bad.conf"
PID2POD_CONF=$W/bad.conf PID2POD_RUN=$W/run2 PID2POD_LOG_DIR=$W/log \
	PID2POD_STANZA=plugin/plugins.d/pid2pod.conf PID2POD_PLUGIN=$BIN \
	bash deploy/entrypoint.sh --write-config >"$W/bad.out" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q "unknown key 'bogus'" "$W/bad.out" && [ ! -e "$W/run2/audit/auditd.conf" ] &&
	t_ok "entrypoint refuses a bad config before writing auditd's" ||
	t_fail "entrypoint bad config" "rc=$rc $(tail -2 "$W/bad.out")"

# the ctr options .ci/image.sh runs the image with, derived from the manifest
if python3 deploy/ctr-run-args.py --config-dir "$W/cm" --host-root "$W/host" >"$W/ctr.args" 2>"$W/ctr.err"; then
	a=$(tr '\n' ' ' <"$W/ctr.args")
	adds=$(grep -A1 -x -- --cap-add "$W/ctr.args" | grep '^CAP_' | sort | tr '\n' ' ')
	[[ $a == *"--with-ns pid:/proc/1/ns/pid "* && $a == *"--net-host "* && $a == *"--read-only "* &&
		$a == *"--seccomp "* && $a != *"--allow-new-privs"* && $a != *"--privileged"* &&
		$adds == "CAP_AUDIT_CONTROL CAP_AUDIT_READ CAP_AUDIT_WRITE CAP_NET_ADMIN CAP_SETPCAP CAP_SYS_RESOURCE " &&
		$(grep -c -x -- --cap-drop "$W/ctr.args") -ge 30 ]] &&
		t_ok "ctr-run-args.py: host pid and network, read-only root, default seccomp, no_new_privs, the six capabilities" ||
		t_fail "ctr-run-args.py options" "$a"
	grep -q "^type=bind,src=$W/cm,dst=/etc/pid2pod,options=rbind:ro$" "$W/ctr.args" && cmp -s "$W/cm/pid2pod.conf" "$W/pid2pod.conf" &&
		grep -q "^type=bind,src=/proc,dst=/host/proc,options=rbind:ro$" "$W/ctr.args" &&
		grep -q "^type=bind,src=$W/host/var/log/pid2pod,dst=/var/log/audit,options=rbind:rw$" "$W/ctr.args" &&
		t_ok "ctr-run-args.py mounts: the ConfigMap, /proc at /host/proc, the rest under --host-root" ||
		t_fail "ctr-run-args.py mounts" "$(grep '^type=' "$W/ctr.args" | tr '\n' ' ')"
	# /run (a tmpfs) before the runtime dirs below it, as the CRI orders them
	r=$(grep -n '^type=tmpfs,src=tmpfs,dst=/run,' "$W/ctr.args" | cut -d: -f1)
	k=$(grep -n 'dst=/run/containerd/' "$W/ctr.args" | cut -d: -f1)
	[ -n "$r" ] && [ -n "$k" ] && [ "$r" -lt "$k" ] && t_ok "ctr-run-args.py: /run mounted before /run/containerd/..." ||
		t_fail "mount order" "/run at line ${r:-none}, /run/containerd at ${k:-none}"
else
	t_fail "ctr-run-args.py" "$(tail -3 "$W/ctr.err")"
fi

# README: the kubectl steps name what deploy/ has
sec=$(sed -n '/^### DaemonSet/,/^## /p' README.md)
kimg=$(python3 -c 'import yaml; i = yaml.safe_load(open("deploy/kustomization.yaml"))["images"][0]; print(i["newName"] + ":" + i["newTag"])')
[[ $sec == *"kubectl apply -k deploy/"* && $sec == *"$kimg"* && $sec == *"ctr -n k8s.io image import"* &&
	$sec == *"make deb image"* && $sec == *"deploy/ctr-run-args.py"* ]] &&
	t_ok "README's DaemonSet steps: make deb image, ctr import, ctr-run-args.py, kubectl apply -k deploy/, the image $kimg" ||
	t_fail "README DaemonSet steps" "missing one of: kubectl apply -k deploy/, $kimg, ctr -n k8s.io image import, make deb image, deploy/ctr-run-args.py"

# the Dockerfile, read: Debian 12, the package and auditd installed with
# apt-get, the entrypoint copied where ENTRYPOINT runs it
df=deploy/Dockerfile
ep=$(sed -n 's/^ENTRYPOINT \["\([^"]*\)".*/\1/p' "$df")
grep -qx 'FROM debian:12' "$df" && grep -q '^COPY pid2pod_\*\.deb /tmp/' "$df" &&
	grep -q 'apt-get install .*--no-install-recommends' "$df" &&
	sed -n '/apt-get install/,/rm -rf/p' "$df" | grep -q 'auditd' &&
	sed -n '/apt-get install/,/rm -rf/p' "$df" | grep -q '/tmp/pid2pod_\*\.deb' &&
	sed -n '/apt-get install/,/rm -rf/p' "$df" | grep -q 'apt-get clean' &&
	[ -n "$ep" ] && grep -q "^COPY entrypoint.sh $ep\$" "$df" &&
	t_ok "Dockerfile: debian:12, apt-get install auditd and the .deb, apt-get clean, the entrypoint" ||
	t_fail "Dockerfile" "entrypoint '$ep'; $(grep -E '^(FROM|COPY|ENTRYPOINT)' "$df" | tr '\n' ';')"
t_done
