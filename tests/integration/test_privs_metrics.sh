#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_privs_metrics.sh - the running plugin holds no capabilities after
# start-up nor after a SIGHUP rebuild (and still works), sets no_new_privs;
# after a known stream its SIGUSR1 report, its metrics file and its status
# line give exactly the expected counts; configs others can write are
# refused, through a symlink too.
set -u
. "$(dirname "$0")/../lib/common.sh"
R=$(t_repo_root)
BIN=$R/${B:-build}/audisp-pid2pod
W=$(t_workdir)
D=$R/tests/data/demo

# The demo's pids (1234, 4711, 4800, ...) are real pids on this machine
# too, and the connector below is the real one: a real pid 4711 that exits
# while the test runs makes a read of the fake /proc/4711 one taken after
# that pid's exit, rightly '?' (seen in CI's sanitizer stage, after the
# SIGHUP). The test is about privileges and counts, not the machine's
# churn, so its copy of the demo uses pids above the kernel's limit
# (PID_MAX_LIMIT, 4194304): no real process, no connector event, has them.
mkdir -p "$W/demo/proc"
for p in "$D"/proc/*; do cp -r "$p" "$W/demo/proc/$((5000000 + ${p##*/}))"; done
sed -E 's/(^| )(pid|ppid|opid)=([0-9]+)/\1\2=500\3/g' "$D/records.log" > "$W/demo/records.log"

conf() { # extra lines...
	{
		printf 'output = file\noutput_file = %s/out.log\nproc_root = %s/demo/proc\n' "$W" "$W"
		printf 'proc_connector = yes\nruntime_state_dirs = %s/containerd %s/crio\n' "$D" "$D"
		printf 'metrics_file = %s/pid2pod.prom\nmetrics_interval = 1\n' "$W"
		printf 'status_interval = 1\nlog_file = %s/pid2pod.log\n' "$W"
		# a kubelet client thread (nothing listens there)
		printf 'kubelet_url = http://127.0.0.1:9\n'
		printf '%s\n' "$@"
	} > "$W/p.conf"
	chmod 0640 "$W/p.conf"
}
conf
mkfifo "$W/in"
"$BIN" -c "$W/p.conf" < "$W/in" &
pp=$!
exec 7>"$W/in"   # keep the input open: no EOF until we say so
t_on_exit sh -c "kill $pp 2>/dev/null; true"

caps() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$pp/status"; }
# every thread (capabilities are per thread): "tid CapEff CapPrm CapBnd NNP" lines
thread_caps() {
	for t in /proc/$pp/task/*; do
		awk -v t="${t##*/}" '$1 == "CapEff:" {e=$2} $1 == "CapPrm:" {p=$2}
			$1 == "CapBnd:" {b=$2} $1 == "NoNewPrivs:" {n=$2}
			END {print t, e, p, b, n}' "$t/status"
	done
}
threads_dropped() {
	local n
	n=$(thread_caps | grep -vc ' 0000000000000000 0000000000000000 0000000000000000 1$')
	[ "$n" = 0 ] && [ "$(ls /proc/$pp/task | wc -l)" -ge 2 ]
}
t_wait_for 3000 grep -q started "$W/pid2pod.log" || t_fail "plugin started" "$(cat "$W/pid2pod.log" 2>&1)"
[ "$(caps CapEff)" = 0000000000000000 ] && [ "$(caps CapPrm)" = 0000000000000000 ] &&
	[ "$(caps CapBnd)" = 0000000000000000 ] && [ "$(caps NoNewPrivs)" = 1 ] &&
	t_ok "after start-up: no capabilities (effective, permitted, bounding), no_new_privs" ||
	t_fail "capabilities after start" "CapEff=$(caps CapEff) CapPrm=$(caps CapPrm) CapBnd=$(caps CapBnd) NNP=$(caps NoNewPrivs)"

# a known stream: the demo records (22 records, 4 EOE, 3 enriched, 1 host,
# 1 unresolved; 4 named from the runtime state: the 3 enriched and the
# OBJ_PID record whose target is in a pod)
cat "$W/demo/records.log" >&7
t_wait_for 3000 sh -c "[ \$(wc -l < '$W/out.log') -ge 22 ]"
kill -USR1 "$pp"
t_wait_for 3000 grep -q "reload_failures=" "$W/pid2pod.log"
want="records_in=22 eoe_in=4 records_enriched=3 records_host=1 records_unresolved=1 records_named=4 lines_out=22"
ok=1; miss=
for kv in $want; do grep -qE "(^| )$kv( |$)" "$W/pid2pod.log" || { ok=0; miss="$miss $kv"; }; done
[ $ok = 1 ] && t_ok "SIGUSR1 report: $want" || t_fail "SIGUSR1 report" "missing:$miss"

t_wait_for 3000 sh -c "grep -q '^pid2pod_lines_out_total 22$' '$W/pid2pod.prom'"
ok=1; miss=
for m in "records_in_total 22" "eoe_in_total 4" "records_enriched_total 3" "records_host_total 1" \
	"records_unresolved_total 1" "records_named_total 4" "lines_out_total 22" "connector_up 1" \
	"records_dropped_total 0"; do
	grep -qx "pid2pod_$m" "$W/pid2pod.prom" || { ok=0; miss="$miss $m"; }
done
[ $ok = 1 ] && t_ok "metrics file (textfile format) has the same counts" ||
	t_fail "metrics file" "missing:$miss"
grep -q '^# TYPE pid2pod_records_in_total counter$' "$W/pid2pod.prom" &&
	grep -q '^# TYPE pid2pod_queue_bytes gauge$' "$W/pid2pod.prom" &&
	[ ! -e "$W/pid2pod.prom.tmp" ] &&
	t_ok "metrics file: HELP/TYPE lines, no temporary left" || t_fail "metrics format" "$(head -4 "$W/pid2pod.prom")"
t_wait_for 3000 grep -q "status: records_in=22 lines_out=22 enriched=3 unresolved=1 host=1" "$W/pid2pod.log" &&
	t_ok "periodic status line" || t_fail "status line" "$(grep status "$W/pid2pod.log" | tail -1)"

threads_dropped && t_ok "every thread, the kubelet client's too, holds no capability" ||
	t_fail "capabilities of every thread" "$(thread_caps | tr '\n' ';')"

# SIGHUP with a changed config: rebuilt, still no capabilities, still working
conf 'queue_max_bytes = 4M'
kill -HUP "$pp"
t_wait_for 3000 grep -q "new configuration loaded" "$W/pid2pod.log" ||
	t_fail "reload" "$(tail -2 "$W/pid2pod.log")"
[ "$(caps CapEff)" = 0000000000000000 ] && [ "$(caps CapBnd)" = 0000000000000000 ] &&
	t_ok "after SIGHUP: still no capabilities" || t_fail "capabilities after SIGHUP" "CapEff=$(caps CapEff)"
threads_dropped && t_ok "after SIGHUP: the new kubelet client thread holds no capability either" ||
	t_fail "capabilities of every thread after SIGHUP" "$(thread_caps | tr '\n' ';')"
before=$(wc -l < "$W/out.log")
cat "$W/demo/records.log" >&7
t_wait_for 3000 sh -c "[ \$(wc -l < '$W/out.log') -ge $((before + 22)) ]" &&
	tail -n 22 "$W/out.log" | grep -q 'k8s_pod="web-7d9f8c6b5-x2x4q"' &&
	t_ok "after SIGHUP without privileges: output reopened, records still enriched and named" ||
	t_fail "working after SIGHUP" "$(wc -l < "$W/out.log") lines; pid 5004711 after the SIGHUP: $(tail -n 22 "$W/out.log" | grep -m1 ' pid=5004711 ' | grep -o ' container_id=.*')"

# a world-writable config, also behind a symlink, is refused on SIGHUP
cp "$W/p.conf" "$W/ww.conf"; chmod 0666 "$W/ww.conf"
mv "$W/p.conf" "$W/p.conf.real"; ln -s "$W/ww.conf" "$W/p.conf"
kill -HUP "$pp"
t_wait_for 3000 grep -q "writable by others" "$W/pid2pod.log" &&
	t_ok "a world-writable config behind a symlink is refused" ||
	t_fail "world-writable via symlink" "$(tail -2 "$W/pid2pod.log")"
exec 7>&-
if t_wait_for 5000 sh -c "! kill -0 $pp 2>/dev/null || grep -q '^State:.*zombie' /proc/$pp/status"; then
	wait "$pp"
	rc=$?
	[ "$rc" -eq 0 ] && t_ok "EOF: exit 0" || t_fail "exit at EOF" "status $rc"
else
	t_fail "exit at EOF" "still running"
fi
# the seccomp filter was on, and its list held every call of this run
# (enrichment, connector, SIGUSR1, SIGHUP reloads, metrics, kubelet thread)
if grep -q "sandbox: seccomp: [0-9]* system calls allowed" "$W/pid2pod.log" &&
	grep -qx 'pid2pod_seccomp_denied_total 0' "$W/pid2pod.prom" &&
	! grep -q "seccomp denied" "$W/pid2pod.log"; then
	t_ok "seccomp on, no system call denied in the whole run (seccomp_denied 0)"
else
	t_fail "no system call denied" "$(grep -h -e 'sandbox: seccomp' -e 'seccomp.denied' "$W/pid2pod.log" "$W/pid2pod.prom")"
fi
t_done
