#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_kubelet.sh - names from the kubelet's pod list, fetched over HTTPS
# from a real server on 127.0.0.1 (nginx: a test CA made here, token and
# client-certificate checks): every container of every list resolves to its
# pod, namespace and container name, pods by their cgroup UID alone too
# (pause, static pods); the same id in two pods gets no names; a wrong token,
# a forbidden one and a wrong CA leave every record flowing, unnamed, and
# are said in the log.  Lists: every shape (tests/tools/mkpodlist.py), 500
# generated pods, and the real PodLists in ../shared/kubelet-pods when
# present (read in place, never copied into the repo).
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/kubelet.sh"
. "$(dirname "$0")/../lib/plugin.sh"
R=$(t_repo_root)
BIN=$R/${B:-build}/audisp-pid2pod
T=$R/tests/tools
W=$(t_workdir)
SHARED=${P2P_SHARED:-$R/../shared}

python3 "$T/mkpodlist.py" -o "$W/shapes.json" shapes || t_fail "mkpodlist shapes" "failed"
python3 "$T/mkpodlist.py" -o "$W/scale.json" scale 500 --seed 7 || t_fail "mkpodlist scale" "failed"
kubelet_start "$W/k" "$W/shapes.json" || { t_fail "nginx kubelet stand-in" "did not start"; t_done; exit; }

# conf NAME EXTRA...: a config for case NAME (kubelet keys as given)
conf() {
	local d=$W/$1
	shift
	mkdir -p "$d"
	{
		printf 'output = stdout\nproc_root = %s/proc\nproc_connector = no\n' "$d"
		printf 'runtime_state_dirs =\nlog_file = %s/plugin.log\nlabels = app\n' "$d"
		printf 'kubelet_url = %s\nkubelet_ca_file = %s\n' "$KUBELET_URL" "$KUBELET_DIR/ca.crt"
		printf '%s\n' "$@"
	} >"$d/p.conf"
	chmod 0640 "$d/p.conf"
}

# run NAME LIST WAIT_PATTERN: serve LIST, start the plugin, wait for the
# pattern in its log, send the records, check them against the list.
run() {
	local name=$1 list=$2 pat=$3 d=$W/$1
	python3 "$T/kubecheck.py" tree "$list" "$d/proc" "$d/records" "$d/expect" ||
		{ t_fail "$name: records" "kubecheck tree failed"; return 1; }
	kubelet_serve "$list"
	plugin_fifo_start "$BIN" "$d/p.conf" "$d/out"
	plugin_wait_log "$d/plugin.log" "$pat" 5000 || t_fail "$name: log says '$pat'" "$(tail -3 "$d/plugin.log" 2>/dev/null)"
	cat "$d/records" >&3
	plugin_finish || t_fail "$name: plugin exit" "status $?"
}

good_token="kubelet_token_file = $KUBELET_DIR/token"
for list in "$W/shapes.json" "$W/scale.json" "$SHARED"/kubelet-pods/*.json; do
	[[ -f $list ]] || continue
	n=$(basename "$list" .json)
	conf "$n" "$good_token"
	run "$n" "$list" "kubelet: pod list of" &&
		t_checker "$n: " python3 "$T/kubecheck.py" verify "$W/$n/records" "$W/$n/out" "$W/$n/expect"
done
[[ -d $SHARED/kubelet-pods ]] || t_skip "real kubelet PodLists" "$SHARED/kubelet-pods not present (a user's clone)"

# labels, owner and service account come along
conf labels "$good_token"
run labels "$W/shapes.json" "kubelet: pod list of"
if grep -q 'k8s_owner="ReplicaSet/' "$W/labels/out" && grep -q 'k8s_label_app="' "$W/labels/out" &&
	grep -q 'k8s_sa="' "$W/labels/out" &&
	grep -q 'k8s_owner="ReplicaSet/web-6b7c8d9f4" k8s_workload="web" k8s_workload_kind="Deployment" ' "$W/labels/out" &&
	grep -q 'k8s_workload="report" k8s_workload_kind="CronJob" ' "$W/labels/out" &&
	grep -q 'k8s_owner="ReplicaSet/cache-7f6d5" k8s_workload="cache-7f6d5" k8s_workload_kind="ReplicaSet" ' "$W/labels/out"; then
	t_ok "owner, its workload (Deployment, CronJob, ReplicaSet), service account and the configured label are added"
else
	t_fail "owner, its workload (Deployment, CronJob, ReplicaSet), service account and the configured label are added" "$(head -c 600 "$W/labels/out")"
fi

# both name sources at once: the runtime's state files (tests/data/demo:
# containerd for pid 4711, CRI-O for pid 4800) and the kubelet's list.  The
# state gives namespace, pod, container and image, the kubelet adds owner,
# workload, service account and label (its image, another, is not taken); for 4800
# the kubelet names another pod than the cgroup and the state: no names,
# container_id=?
DEMO=$R/tests/data/demo
CA=3f1e2d4c5b6a79880f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a6978
CB=a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90
UA=6a1f3c2e-8b4d-4e5f-9a7b-1c2d3e4f5a6b
python3 "$T/mkpodlist.py" -o "$W/both.json" pods "shop/web-7d9f8c6b5-x2x4q/$UA/app=$CA" \
	--owner ReplicaSet/web-7d9f8c6b5 --sa web-sa --label app=web --label pod-template-hash=7d9f8c6b5 \
	--image app=docker.io/library/kubelet-says:1 \
	"ingress/not-edge-proxy/11111111-2222-4333-8444-555555555555/nginx=cri-o://$CB" ||
	t_fail "both sources: mkpodlist" "failed"
conf both "$good_token"
sed -i "s|^proc_root = .*|proc_root = $DEMO/proc|; s|^runtime_state_dirs =.*|runtime_state_dirs = $DEMO/containerd $DEMO/crio|" \
	"$W/both/p.conf"
printf 'type=SYSCALL msg=audit(1700000000.001:1): arch=c000003e syscall=59 success=yes exit=0 pid=%s comm="x"\n' \
	4711 4800 >"$W/both/records"
kubelet_serve "$W/both.json"
plugin_fifo_start "$BIN" "$W/both/p.conf" "$W/both/out"
plugin_wait_log "$W/both/plugin.log" "kubelet: pod list of" 5000 ||
	t_fail "both sources: the pod list is fetched" "$(tail -3 "$W/both/plugin.log" 2>/dev/null)"
cat "$W/both/records" >&3
plugin_finish || t_fail "both sources: plugin exit" "status $?"
want_a=" container_id=\"$CA\" k8s_namespace=\"shop\" k8s_pod=\"web-7d9f8c6b5-x2x4q\" k8s_container=\"app\" k8s_pod_id=\"$UA\" k8s_image=\"registry.example/shop/web:1.4.2\" k8s_owner=\"ReplicaSet/web-7d9f8c6b5\" k8s_workload=\"web\" k8s_workload_kind=\"Deployment\" k8s_sa=\"web-sa\" k8s_label_app=\"web\""
mapfile -t got <"$W/both/out"
rec() { sed -n "${1}p" "$W/both/records"; }
if [ "${#got[@]}" -eq 2 ] && [ "${got[0]}" = "$(rec 1)$want_a" ]; then
	t_ok "both sources: names and image from the runtime's state, owner, account and label from the kubelet"
else
	t_fail "both sources: state and kubelet together" "got '${got[0]:-}' want suffix '$want_a'"
fi
if [ "${got[1]:-}" = "$(rec 2) container_id=?" ]; then
	t_ok "both sources: the kubelet naming another pod than the state and the cgroup gives container_id=?"
else
	t_fail "both sources: disagreeing sources" "got '${got[1]:-}'"
fi

# client certificate instead of a token
conf cert "kubelet_token_file =" "kubelet_client_cert = $KUBELET_DIR/client.crt" \
	"kubelet_client_key = $KUBELET_DIR/client.key"
run cert "$W/shapes.json" "kubelet: pod list of" &&
	t_checker "client certificate: " python3 "$T/kubecheck.py" verify "$W/cert/records" "$W/cert/out" "$W/cert/expect"

# refused (by the kubelet, or ours: a token file others can write): every
# record still goes out, unnamed, and the log says why
for c in "unauthorized|kubelet_token_file = $KUBELET_DIR/token.bad|HTTP 401" \
	"forbidden|kubelet_token_file = $KUBELET_DIR/token.forbidden|HTTP 403 \\(needs get on nodes/pods" \
	"wrong-ca|$good_token|SSL|certificate" \
	"token-writable|kubelet_token_file = $KUBELET_DIR/token.ww|refused: writable by others"; do
	IFS='|' read -r n line pat <<<"$c"
	printf 'not-the-token\n' >"$KUBELET_DIR/token.bad"
	cp "$KUBELET_DIR/token" "$KUBELET_DIR/token.ww" && chmod 0666 "$KUBELET_DIR/token.ww"
	conf "$n" "$line"
	[[ $n == wrong-ca ]] && sed -i "s|^kubelet_ca_file = .*|kubelet_ca_file = $KUBELET_DIR/other-ca.crt|" "$W/$n/p.conf"
	run "$n" "$W/shapes.json" "kubelet: .*($pat)"
	t_checker "$n: " python3 "$T/kubecheck.py" verify "$W/$n/records" "$W/$n/out"
	if grep -q 'k8s_pod=' "$W/$n/out"; then
		t_fail "$n: no names from a kubelet that refused" "names found"
	else
		t_ok "$n: no names from a kubelet that refused; the log says why"
	fi
done
grep -rl "$(cat "$KUBELET_DIR/token")" "$W"/*/plugin.log "$W"/*/out >/dev/null 2>&1 &&
	t_fail "the token never appears in the plugin's log or output" "found" ||
	t_ok "the token never appears in the plugin's log or output"
t_done
