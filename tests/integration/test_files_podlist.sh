#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_files_podlist.sh - a pod list longer than kubelet_max_bytes (one node,
# many large pods) is cut there, not thrown away: the pods complete before
# the cut are named, the rest are not, and the cut is logged once however
# many fetches see it.  The kubelet is the nginx stand-in (tests/lib/kubelet.sh).
set -u -o pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/kubelet.sh"
. "$(dirname "$0")/../lib/plugin.sh"
R=$(t_repo_root)
BIN=$R/${B:-build}/audisp-pid2pod
T=$R/tests/tools
W=$(t_workdir)

# 40 pods, 400 KB in all: about 10 KB a pod, 6 of them within 64 KiB
python3 "$T/mkpodlist.py" -o "$W/list.json" scale 40 --pad-bytes 400000 --seed 9 ||
	t_fail "mkpodlist" "failed"
python3 "$T/kubecheck.py" tree "$W/list.json" "$W/proc" "$W/records" "$W/expect" 2>/dev/null ||
	t_fail "kubecheck tree" "failed"
kubelet_start "$W/k" "$W/list.json" || { t_fail "nginx" "did not start"; t_done; exit; }
{
	printf 'output = stdout\nproc_root = %s/proc\nproc_connector = no\n' "$W"
	printf 'runtime_state_dirs =\nlog_file = %s/plugin.log\n' "$W"
	printf 'kubelet_url = %s\nkubelet_ca_file = %s/ca.crt\n' "$KUBELET_URL" "$KUBELET_DIR"
	printf 'kubelet_token_file = %s/token\n' "$KUBELET_DIR"
	printf 'kubelet_max_bytes = 64K\nkubelet_refresh_interval = 1\n'
} > "$W/p.conf"
chmod 0640 "$W/p.conf"
plugin_fifo_start "$BIN" "$W/p.conf" "$W/out"
plugin_wait_log "$W/plugin.log" "kubelet: pod list of" 5000
# three fetches at least, so "once" means something
kubelet_wait_requests 3 200 5000 || t_fail "three fetches" "$(kubelet_requests 200) answered"
cat "$W/records" >&3
plugin_finish 10000 || t_fail "plugin drains and exits 0" "status $?"

pods=$(sed -n 's/.*kubelet: pod list of \([0-9]*\) pods.*/\1/p' "$W/plugin.log" | head -1)
cut=$(grep -c "pod list is longer than kubelet_max_bytes" "$W/plugin.log")
named=$(grep -o 'k8s_pod="[^"]*"' "$W/out" | sort -u | wc -l)
total=$(grep -c '^type=SYSCALL' "$W/records")
out=$(grep -c '^type=SYSCALL' "$W/out")
[ -n "$pods" ] && [ "$pods" -gt 0 ] && [ "$pods" -lt 40 ] && [ "$named" -eq "$pods" ] &&
	t_ok "a list over kubelet_max_bytes is cut, not dropped: $pods of 40 pods named" ||
	t_fail "a list over kubelet_max_bytes keeps the pods before the cut" \
		"pods=${pods:-none} named=$named $(grep kubelet "$W/plugin.log" | tail -2)"
[ "$cut" -eq 1 ] &&
	t_ok "the cut is logged once over $(kubelet_requests 200) fetches" ||
	t_fail "the cut is logged once" "$cut times over $(kubelet_requests 200) fetches"
[ "$out" -eq "$total" ] && grep -q "kubelet_too_big=[1-9]" "$W/plugin.log" &&
	t_ok "every record out ($out), the cut counted in kubelet_too_big" ||
	t_fail "records and count" "out=$out of $total $(grep -o 'kubelet_too_big=[0-9]*' "$W/plugin.log")"
t_done
