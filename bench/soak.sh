#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/soak.sh - a long run under real load: a private auditd delivering to
# the plugin, a few hundred execs a second in pod-like cgroups
# (tests/lib/podcg.sh), and pod churn in the HTTPS kubelet stand-in (the
# served PodList rewritten every SOAK_CHURN_S seconds, pods added and
# deleted).  Prints the plugin's RSS and open fds after the warm-up, every
# SOAK_SAMPLE_S, and at the end, and whether they grew.  Not part of
# `make check` (it takes SOAK_SECONDS, default 600); exit status 1 when RSS
# or fds grew or the plugin died.  It starts auditd: only one per kernel.
#   SOAK_SECONDS   length after the warm-up (default 600)
#   SOAK_WARMUP_S  warm-up before the first sample (default 30); growth is
#                  judged over the second half (the first fills caches)
#   SOAK_PODS      pods with exec loops (default 4; ~80 execs/s each)
#   SOAK_CHURN_S   seconds between two pod lists (default 3)
#   SOAK_SAMPLE_S  seconds between two samples (default 60)
#   B              build dir (default build)
set -u
. "$(dirname "$0")/../tests/lib/common.sh"
. "$(dirname "$0")/../tests/lib/auditd.sh"
. "$(dirname "$0")/../tests/lib/kubelet.sh"
. "$(dirname "$0")/../tests/lib/podcg.sh"
R=$(t_repo_root)
BIN=$R/${B:-build}/audisp-pid2pod
T=$R/tests/tools
SOAK_SECONDS=${SOAK_SECONDS:-600}
SOAK_WARMUP_S=${SOAK_WARMUP_S:-30}
SOAK_PODS=${SOAK_PODS:-4}
SOAK_CHURN_S=${SOAK_CHURN_S:-3}
SOAK_SAMPLE_S=${SOAK_SAMPLE_S:-60}
# a growth of RSS within this is caches filling to their caps, not a leak
RSS_SLACK_KB=${SOAK_RSS_SLACK_KB:-2048}
W=$(t_workdir)
chmod 0755 "$W"

[[ -x $BIN ]] || { echo "soak: build the plugin first ($BIN)"; exit 1; }

# pods with exec loops, each a pod-like cgroup with a container id
declare -a UIDS CIDS
for ((i = 0; i < SOAK_PODS; i++)); do
	UIDS[i]=$(cat /proc/sys/kernel/random/uuid)
	CIDS[i]=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
	style=cgroupfs
	((i % 2)) && style=systemd
	podcg_create "p$i" "$style" "${UIDS[i]}" "${CIDS[i]}" >/dev/null ||
		{ echo "soak: podcg_create failed"; exit 1; }
done

# list GEN: our pods (always there) and churning ones: a window of 40
# generated pods that moves by 10 each generation (10 added, 10 deleted)
list() {
	local gen=$1 j k
	local -a spec=()
	for ((j = 0; j < SOAK_PODS; j++)); do
		spec+=("soak/loop-$j/${UIDS[j]}/app=${CIDS[j]}" --owner "ReplicaSet/loop-$j" --label "app=loop")
	done
	for ((k = gen * 10; k < gen * 10 + 40; k++)); do
		spec+=("churn/pod-$k/$(printf '%08x-0000-4000-8000-%012x' "$k" "$k")/c=$(printf '%064x' $((k + 1)))")
	done
	python3 "$T/mkpodlist.py" -o "$W/list.json" pods "${spec[@]}"
}
list 0 || { echo "soak: mkpodlist failed"; exit 1; }
kubelet_start "$W/k" "$W/list.json" || { echo "soak: kubelet stand-in did not start"; exit 1; }
{
	printf 'output = file\noutput_file = %s/plugin.out\nlog_file = %s/plugin.log\n' "$W" "$W"
	printf 'kubelet_url = %s\nkubelet_ca_file = %s/ca.crt\n' "$KUBELET_URL" "$KUBELET_DIR"
	printf 'kubelet_token_file = %s/token\nlabels = app\nkubelet_refresh_interval = 2\n' "$KUBELET_DIR"
	printf 'metrics_file = %s/metrics.prom\nmetrics_interval = 5\n' "$W"
} >"$W/p.conf"
chmod 0640 "$W/p.conf"
auditd_with_plugin "$W" "$BIN" "$W/p.conf" q_depth=20000 || { echo "soak: auditd with the plugin did not start"; exit 1; }
auditd_rule -a always,exit -F arch=b64 -S execve -k p2p_soak >/dev/null
PID=$(pgrep -f "$(t_plugin_pattern "$BIN" -c "$W/p.conf")" | head -n 1)
[[ -n $PID ]] || { echo "soak: plugin not found"; exit 1; }

for ((i = 0; i < SOAK_PODS; i++)); do
	podcg_spawn "p$i" /bin/bash -c 'while :; do /bin/true; sleep 0.01; done' >/dev/null
done

# churn: a new list every SOAK_CHURN_S; the output file emptied now and then
(
	g=1
	while :; do
		sleep "$SOAK_CHURN_S"
		list "$g" && kubelet_serve "$W/list.json"
		g=$((g + 1))
		((g % 20 == 0)) && : >"$W/plugin.out"
	done
) &
CHURN=$!
t_on_exit kill "$CHURN"

sample() { # LABEL: RSS kB, open fds, records in, named so far
	local rss fds rin named
	rss=$(awk '/^VmRSS/ {print $2}' "/proc/$PID/status" 2>/dev/null)
	fds=$(find "/proc/$PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
	rin=$(awk '$1 == "pid2pod_records_in_total" {print $2}' "$W/metrics.prom" 2>/dev/null)
	named=$(awk '$1 == "pid2pod_records_named_total" {print $2}' "$W/metrics.prom" 2>/dev/null)
	printf 'soak: %-6s t=%4ss rss=%s kB fds=%s records_in=%s named=%s\n' "$1" \
		"$(($(t_now_ms) / 1000 - T0))" "${rss:-?}" "${fds:-?}" "${rin:-?}" "${named:-?}"
	SRSS=${rss:-0} SFDS=${fds:-0} SRIN=${rin:-0}
}
RSSM=
T0=$(($(t_now_ms) / 1000))
sleep "$SOAK_WARMUP_S"
sample start
RSS0=$SRSS FDS0=$SFDS RIN0=$SRIN
end=$(($(t_now_ms) / 1000 + SOAK_SECONDS))
while (($(t_now_ms) / 1000 < end)); do
	left=$((end - $(t_now_ms) / 1000))
	sleep $((left < SOAK_SAMPLE_S ? left : SOAK_SAMPLE_S))
	t_pid_alive "$PID" || { echo "soak: the plugin (pid $PID) died"; exit 1; }
	sample run
	# the first half fills the caches: the pid cache is calloc'd and its
	# pages are touched as the pid counter reaches their slots (about
	# 220 s where 150 new pids a second go round a 32768 pid_max)
	if [[ -z ${RSSM:-} ]] && (($(t_now_ms) / 1000 >= end - SOAK_SECONDS / 2)); then
		RSSM=$SRSS FDSM=$SFDS
		echo "soak: half-way: the rest of the run is judged from here"
	fi
done
sample end
rate=$(((SRIN - RIN0) / (SOAK_SECONDS > 0 ? SOAK_SECONDS : 1)))
lost=$(auditctl -s | awk '$1 == "lost" {print $2}')
rc=0
RSSM=${RSSM:-$RSS0} FDSM=${FDSM:-$FDS0}
verdict="RSS ${RSS0} -> ${RSSM} -> ${SRSS} kB, fds ${FDS0} -> ${FDSM} -> ${SFDS} (start, half-way, end)"
if ((SRSS > RSSM + RSS_SLACK_KB || SFDS > FDSM)); then
	echo "soak: GREW: $verdict over ${SOAK_SECONDS} s at ~${rate} records/s"
	rc=1
else
	echo "soak: no growth past ${RSS_SLACK_KB} kB: $verdict over ${SOAK_SECONDS} s at ~${rate} records/s (kernel lost counter: ${lost:-?})"
fi
# the log names state changes only; the counters tell every list taken
awk '$1 == "pid2pod_kubelet_ok_total" {print "soak: pod lists taken: " $2}' "$W/metrics.prom"
awk '$1 == "pid2pod_kubelet_pods" {print "soak: pods in the last list: " $2}' "$W/metrics.prom"
exit "$rc"
