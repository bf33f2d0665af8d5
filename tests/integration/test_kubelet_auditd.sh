#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_kubelet_auditd.sh - the whole path with real components: a real
# auditd feeding the plugin, real processes in two pod-like cgroups (a
# container of a Deployment's pod, and a process in a pod's cgroup only,
# like pause), and the HTTPS kubelet stand-in (nginx, test CA, token) whose
# PodList names them.  Every execve record of theirs carries namespace, pod,
# container, image, owner, service account and the configured label; the
# host's carry nothing; a container the list does not know yet gets its
# names once the list has it (the record that missed waits for that fetch).
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/auditd.sh"
. "$(dirname "$0")/../lib/podcg.sh"
. "$(dirname "$0")/../lib/kubelet.sh"
R=$(t_repo_root)
BIN=$R/${B:-build}/audisp-pid2pod
T=$R/tests/tools
W=$(t_workdir)
chmod 0755 "$W"

U1=3c1e0a52-6b7d-4e8f-9a0b-1c2d3e4f5a6b U2=8d7c6b5a-4e3f-4a1b-8c9d-0e1f2a3b4c5d
C1=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
C3=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
podcg_create app cgroupfs "$U1" "$C1" >/dev/null || t_fail "podcg app" "create"
podcg_create late systemd "$U2" "$C3" >/dev/null || t_fail "podcg late" "create"

list() { # the pod list, with the late container or without
	python3 "$T/mkpodlist.py" -o "$W/list.json" \
		pods "shop/web-7d9f8-abcde/$U1/app=$C1" --owner ReplicaSet/web-7d9f8 \
		--sa web-sa --label app=web --label pod-template-hash=7d9f8 \
		--image app=docker.io/library/nginx:1.25 \
		"edge/front-0/$U2/$1" --owner StatefulSet/front --label app=front
}
list ""
kubelet_start "$W/k" "$W/list.json" || { t_fail "nginx" "did not start"; t_done; exit; }
{
	printf 'output = file\noutput_file = %s/plugin.out\nlog_file = %s/plugin.log\n' "$W" "$W"
	printf 'kubelet_url = %s\nkubelet_ca_file = %s/ca.crt\n' "$KUBELET_URL" "$KUBELET_DIR"
	printf 'kubelet_token_file = %s/token\nlabels = app\nhold_ms = 1000\n' "$KUBELET_DIR"
} >"$W/p.conf"
chmod 0640 "$W/p.conf"
auditd_with_plugin "$W" "$BIN" "$W/p.conf" || { t_done; exit; }
auditd_rule -a always,exit -F arch=b64 -S execve -F exe=/usr/bin/true -k p2p_kube
t_wait_for 5000 grep -q "kubelet: pod list of 2 pods" "$W/plugin.log" ||
	t_fail "the plugin has the pod list" "$(grep kubelet "$W/plugin.log" | tail -2)"

a=$(podcg_spawn app /bin/bash -c 'for i in 1 2 3 4 5; do /usr/bin/true; done; sleep 0.3')
/bin/bash -c 'for i in 1 2 3; do /usr/bin/true; done' & h=$!
t_wait_for 5000 sh -c "! kill -0 $a 2>/dev/null"
wait "$h"
# the late container appears in the list; its first record asks for it
list "side=$C3"
kubelet_serve "$W/list.json"
sleep 1.1
l=$(podcg_spawn late /bin/bash -c '/usr/bin/true; sleep 0.3')
t_wait_for 5000 sh -c "! kill -0 $l 2>/dev/null"
t_wait_for 5000 sh -c "[ \$(grep -a -c 'key=\"p2p_kube\"' '$W/plugin.out') -ge 9 ]"
auditd_stop

# a host /usr/bin/true is often gone before the plugin reads its cgroup
# (host execs are read with the next batch), and a host parent's answer is
# not inherited by a gone child (it may have moved itself into a pod before
# its exec): "?" is allowed for it, never a container or pod
wrapped=0
((${#T_WRAP[@]})) && wrapped=1
/usr/bin/python3 - "$W/plugin.out" "$a" "$h" "$l" "$C1" "$C3" "$U1" "$U2" "$wrapped" <<'PYEOF'
import re, sys
out, a, h, l, c1, c3, u1, u2, wrapped = sys.argv[1:]
recs = [x for x in open(out, 'rb').read().decode('utf-8', 'replace').splitlines()
        if x.startswith('type=SYSCALL') and 'key="p2p_kube"' in x]
by = lambda ppid: [x for x in recs if ' ppid=%s ' % ppid in x]
want_app = (' container_id="%s" k8s_namespace="shop" k8s_pod="web-7d9f8-abcde" '
            'k8s_container="app" k8s_pod_id="%s" ' % (c1, u1))
app = by(a)
res = [("the app container's 5 execs carry namespace, pod, container and pod UID (%d of %d)"
        % (sum(want_app in x for x in app), len(app)),
        len(app) == 5 and all(want_app in x for x in app)),
       ("... and image, owner, its workload, service account and label",
        all('k8s_image="docker.io/library/nginx:1.25" k8s_owner="ReplicaSet/web-7d9f8" '
            'k8s_workload="web" k8s_workload_kind="Deployment" '
            'k8s_sa="web-sa" k8s_label_app="web"' in x for x in app) and len(app) == 5)]
host = by(h)
# the unresolved mark is raw: container_id=? (a quoted "?" would be a name)
def host_ok(x):
    if re.findall(r' container_id=(\S*)', x) == ['?']:
        return 'k8s_' not in x
    return 'container_id=' not in x and 'k8s_' not in x
res.append(("the host's 3 execs carry nothing or ? (%d, %d unresolved)" % (len(host),
            sum(re.findall(r' container_id=(\S*)', x) == ['?'] for x in host)),
            len(host) == 3 and all(host_ok(x) for x in host)))
late = by(l)
want_late = ' container_id="%s" k8s_namespace="edge" k8s_pod="front-0" k8s_container="side" ' % c3
res.append(("a container new to the list is named on its first record (%d)" % len(late),
            len(late) == 1 and want_late in late[0] and
            'k8s_owner="StatefulSet/front" k8s_workload="front" k8s_workload_kind="StatefulSet" ' in late[0]))
for x in recs[:3] + late:
    print('# ' + x[x.find(' pid='):][:400], file=sys.stderr)
for n, ok in res:
    print(('ok - ' if ok else 'not ok - ') + n)
sys.exit(0 if all(ok for _, ok in res) else 1)
PYEOF
py=$?
t_done
exit $((py | $?))
