#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_trust_views.sh - audit's own tools read the output as they read the
# input.  tests/data/captured-views.log (records captured on this machine
# by tests/tools/capture_views.sh: execve/file/kill events, PAM logins and
# account tools, user messages with quotes, forged fields and an old-format
# ending, a user AVC, nf_tables tables named with pid=, auditd's own
# records) is replayed through the plugin with a proc tree that puts every
# pid in one container, and a kubelet stand-in (nginx, tests/lib/kubelet.sh)
# that names it with every field: namespace, pod, container, pod UID, pid
# inside, image, owner, service account and labels whose keys end in audit
# names (uid, app.kubernetes.io/name).  Then every view of ausearch and
# aureport of the input and of the output, with pid2pod's fields removed
# from the output's view, must be identical.
set -u
set -o pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/kubelet.sh"
. "$(dirname "$0")/../lib/plugin.sh"
R=$(t_repo_root)
BIN=$R/${B:-build}/audisp-pid2pod
CORPUS=${P2P_VIEWS_CORPUS:-$R/tests/data/captured-views.log}
W=$(t_workdir)
NODE=view-node
CID=$(printf '3e%.0s' $(seq 32))
PUID=4f5e6d7c-8b9a-4a0b-9c1d-2e3f4a5b6c7d

grep -a -v '^type=EOE ' "$CORPUS" | grep -a -v '^type=EOE$' >"$W/in.log"

# every pid, ppid and opid of the corpus: a process of the container
python3 - "$CORPUS" "$W/proc" "$PUID" "$CID" <<'PYEOF' || t_fail "proc tree" "failed"
import os, re, sys
corpus, root, uid, cid = sys.argv[1:5]
pids = set(int(p) for p in re.findall(rb"(?:^| )o?p?pid=(\d+)", open(corpus, "rb").read(), re.M))
cg = "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod%s.slice/cri-containerd-%s.scope\n" % (uid.replace("-", "_"), cid)
for p in pids:
    if p <= 0:
        continue
    d = os.path.join(root, str(p))
    os.makedirs(d, exist_ok=True)
    open(os.path.join(d, "cgroup"), "w").write(cg)
    open(os.path.join(d, "status"), "w").write("Name:\tx\nPid:\t%d\nNSpid:\t%d\t7\n" % (p, p))
PYEOF
python3 - "$W/pods.json" "$PUID" "$CID" "$NODE" <<'PYEOF' || t_fail "pod list" "failed"
import json, sys
out, uid, cid, node = sys.argv[1:5]
pod = {"metadata": {"name": "web-7d9f8-abcde", "namespace": "shop", "uid": uid,
                    "labels": {"app": "web", "uid": "u1", "app.kubernetes.io/name": "web",
                               "tier": "front", "pod-template-hash": "7d9f8"},
                    "ownerReferences": [{"kind": "ReplicaSet", "name": "web-7d9f8",
                                         "controller": True, "uid": uid}]},
       "spec": {"nodeName": node, "serviceAccountName": "web-sa",
                "containers": [{"name": "app", "image": "docker.io/library/nginx:1.25"}]},
       "status": {"phase": "Running", "containerStatuses": [
           {"name": "app", "containerID": "containerd://" + cid, "ready": True,
            "image": "docker.io/library/nginx:1.25"}]}}
json.dump({"kind": "PodList", "apiVersion": "v1", "items": [pod]}, open(out, "w"))
PYEOF
kubelet_start "$W/k" "$W/pods.json" || { t_fail "nginx kubelet stand-in" "did not start"; t_done; exit; }
{
	printf 'output = stdout\nproc_root = %s/proc\nproc_connector = no\nnode_name = %s\n' "$W" "$NODE"
	printf 'runtime_state_dirs =\nlog_file = %s/plugin.log\nlabels = app uid app.kubernetes.io/name tier\n' "$W"
	printf 'kubelet_url = %s\nkubelet_ca_file = %s\nkubelet_token_file = %s/token\n' "$KUBELET_URL" "$KUBELET_DIR/ca.crt" "$KUBELET_DIR"
} >"$W/p.conf"
chmod 0640 "$W/p.conf"
plugin_fifo_start "$BIN" "$W/p.conf" "$W/out.log"
plugin_wait_log "$W/plugin.log" "kubelet: pod list of" 5000 || t_fail "plugin: first pod list" "$(tail -3 "$W/plugin.log")"
cat "$CORPUS" >&3
plugin_finish || t_fail "plugin exit" "status $?"

# the output carries every field, or this test shows nothing
want=(container_id k8s_namespace k8s_pod k8s_container k8s_pod_id k8s_pid_inside k8s_image
	k8s_owner k8s_workload k8s_workload_kind k8s_sa k8s_label_app k8s_label_uid_ k8s_label_app_kubernetes_io_name_ k8s_label_tier)
missing=()
for f in "${want[@]}"; do
	grep -a -q " $f=\"" "$W/out.log" || missing+=("$f")
done
nin=$(wc -l <"$W/in.log")
nuser=$(grep -a -c "^type=USER_[A-Z]* .* container_id=\"$CID\".* msg='" "$W/out.log")
if [ ${#missing[@]} -eq 0 ] && [ "$(wc -l <"$W/out.log")" -eq "$nin" ] && [ "$nuser" -gt 5 ]; then
	t_ok "the output: $nin records, every field written ($nuser user records named before msg=')"
else
	t_fail "the output" "missing fields: ${missing[*]}; $(wc -l <"$W/out.log") lines for $nin; $nuser user records"
fi

# what the plugin inserts for every pid: exactly these fields, in this order
S=" container_id=\"$CID\" k8s_namespace=\"shop\" k8s_pod=\"web-7d9f8-abcde\" k8s_container=\"app\""
S+=" k8s_pod_id=\"$PUID\" k8s_pid_inside=\"7\" k8s_image=\"docker.io/library/nginx:1.25\""
S+=" k8s_owner=\"ReplicaSet/web-7d9f8\" k8s_workload=\"web\" k8s_workload_kind=\"Deployment\""
S+=" k8s_sa=\"web-sa\""
L=" k8s_label_app=\"web\" k8s_label_uid_=\"u1\""
L+=" k8s_label_app_kubernetes_io_name_=\"web\" k8s_label_tier=\"front\""
# sealed records (user messages, NETFILTER_CFG) say k8s_exec too: ? here,
# no process connector (README: Exec sessions)
SX="$S k8s_exec=?$L"
S+=$L
SO=${S// / o}
export S SO SX
n=$(grep -a -c -F -e "$S" -e "$SX" "$W/out.log")
m=$(grep -a -c -F -- " container_id=\"$CID\"" "$W/out.log")
if [ "$n" -gt 50 ] && [ "$n" -eq "$m" ]; then
	t_ok "every one of the $n named records carries the whole field set in the contract's order"
else
	t_fail "the whole field set" "$n of $m named records carry: $S"
fi
strip() { # exactly the plugin's insertions out of a view (a sender's forged ones stay)
	python3 -c '
import os, sys
s, so, sx = os.environb[b"S"], os.environb[b"SO"], os.environb[b"SX"]
sys.stdout.buffer.write(sys.stdin.buffer.read().replace(s + so, b"").replace(so, b"").replace(sx, b"").replace(s, b""))'
}
view() { # NAME CMD...: CMD -if FILE for both, compared
	local name=$1
	shift
	"$@" -if "$W/in.log" >"$W/v.in" 2>&1
	"$@" -if "$W/out.log" 2>&1 | strip >"$W/v.out"
	if [ ! -s "$W/v.in" ]; then
		t_fail "$name" "empty view of the input"
	elif cmp -s "$W/v.in" "$W/v.out"; then
		t_ok "$name: identical for input and output ($(wc -l <"$W/v.in") lines)"
	else
		t_fail "$name" "$(diff "$W/v.in" "$W/v.out" | head -6 | cut -c1-240)"
	fi
}
export TZ=UTC LC_ALL=C
view "ausearch -i" ausearch -i
view "ausearch --raw" ausearch --raw
view "ausearch --format csv" ausearch --format csv
view "ausearch --format text" ausearch --format text
view "ausearch -ui 0 --raw" ausearch -ui 0 --raw
view "ausearch -m USER_AUTH,USER_LOGIN,USER_AVC -i" ausearch -m USER_AUTH,USER_LOGIN,USER_AVC -i
view "ausearch -x /usr/bin/su --raw" ausearch -x /usr/bin/su --raw
view "ausearch -sv no --raw" ausearch -sv no --raw
view "ausearch -k exec --raw" ausearch -k exec --raw
view "aureport" aureport
for o in -u -au -x -e -l -m -p -f -k -i; do
	view "aureport $o" aureport "$o"
done
t_done
