#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_kubelet_faults.sh - a kubelet that is down, slow, failing or lying
# never stops or reorders the stream: records are fed at a steady rate while
# the HTTPS stand-ins (nginx; tests/tools/kubeletd.py for slow and broken
# answers) misbehave, and every record must come out once, in order, named
# once the kubelet answers well.  Also: a 50 MB list (peak RSS reported),
# a token file that changes, the kubelet killed and restarted mid-stream.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/kubelet.sh"
. "$(dirname "$0")/../lib/plugin.sh"
R=$(t_repo_root)
BIN=$R/${B:-build}/audisp-pid2pod
T=$R/tests/tools
W=$(t_workdir)

python3 "$T/mkpodlist.py" -o "$W/list.json" scale 20 --seed 3 || t_fail "mkpodlist" "failed"
python3 "$T/kubecheck.py" tree "$W/list.json" "$W/proc" "$W/records" "$W/expect" 2>/dev/null
# the pids of the first two containers: in pods, named once the list is in
PIDS="1000 1001"
kubelet_start "$W/k" "$W/list.json" || { t_fail "nginx" "did not start"; t_done; exit; }
kubelet_fault_start "$W/k" ok "$W/list.json" || { t_fail "kubeletd" "did not start"; t_done; exit; }

# conf NAME URL [EXTRA...]
conf() {
	local d=$W/$1 url=$2
	shift 2
	mkdir -p "$d"
	{
		printf 'output = stdout\nproc_root = %s/proc\nproc_connector = no\n' "$W"
		printf 'runtime_state_dirs =\nlog_file = %s/plugin.log\n' "$d"
		printf 'kubelet_url = %s\nkubelet_ca_file = %s/ca.crt\n' "$url" "$KUBELET_DIR"
		printf 'kubelet_refresh_interval = 1\n'
		printf '%s\n' "$@"
	} >"$d/p.conf"
	chmod 0640 "$d/p.conf"
	[[ " $* " == *kubelet_token_file* ]] ||
		printf 'kubelet_token_file = %s/token\n' "$KUBELET_DIR" >>"$d/p.conf"
}

# stream NAME SECONDS RATE: start the plugin, feed, then check everything
start_stream() {
	local d=$W/$1
	plugin_fifo_start "$BIN" "$d/p.conf" "$d/out"
	python3 "$T/kubecheck.py" feed --sent "$d/sent" --seconds "$2" --rate "$3" $PIDS >&3 &
	FEEDER=$!
}
end_stream() {
	local n=$1 d=$W/$1
	wait "$FEEDER"
	plugin_finish 30000 || t_fail "$n: plugin drains and exits 0" "status $?"
	t_checker "$n: " python3 "$T/kubecheck.py" verify "$d/sent" "$d/out" --tail-named "${PIDS// /,}:0.2"
}
lines_now() { wc -l <"$W/$1/out"; }

# 1. down at start, then up
conf down-up "$KUBELET_URL"
kubelet_stop
start_stream down-up 5 400
sleep 1.5
kubelet_restart || t_fail "nginx restart" "failed"
end_stream down-up
grep -q 'kubelet: .*refused\|Connection refused\|Could not connect\|Failed to connect' "$W/down-up/plugin.log" &&
	t_ok "down-up: the log says the kubelet could not be reached" ||
	t_fail "down-up: the log says the kubelet could not be reached" "$(head -5 "$W/down-up/plugin.log")"

# 2. an answer after 10 s: the stream does not wait for it.  Before the
# first list each record may wait for it up to hold_ms (1 s here, docs/design.md:
# Names at start), no longer: 2.5 s in, at 400 records/s, the first 1.5 s
# (600 records) are out, and more than 400 must be
kubelet_fault_mode slow:10
conf slow "$KUBELET_FAULT_URL" "hold_ms = 1000"
start_stream slow 3 400
sleep 2.5
n=$(lines_now slow)
((n > 400)) && t_ok "slow: records flow while the kubelet takes 10 s, each held at most hold_ms ($n lines out after 2.5 s)" ||
	t_fail "slow: records flow while the kubelet takes 10 s" "$n lines out after 2.5 s"
kubelet_fault_mode ok
wait "$FEEDER"
plugin_finish 30000 || t_fail "slow: plugin exits 0 with a fetch in flight" "status $?"
t_checker "slow: " python3 "$T/kubecheck.py" verify "$W/slow/sent" "$W/slow/out"

# 3-5. error statuses, garbage, a truncated body, then a good answer
for m in status:500 garbage truncated; do
	n=${m/:/-}
	kubelet_fault_mode "$m"
	conf "$n" "$KUBELET_FAULT_URL"
	start_stream "$n" 5 400
	sleep 1.5
	kubelet_fault_mode ok
	end_stream "$n"
	grep -q 'warning: kubelet: ' "$W/$n/plugin.log" && t_ok "$n: the failure is logged" ||
		t_fail "$n: the failure is logged" "$(tail -3 "$W/$n/plugin.log")"
done

# 6. the token file changes: a 401 makes it read again
printf 'an-old-token\n' >"$W/rotating"
chmod 0600 "$W/rotating"
conf rotate "$KUBELET_URL" "kubelet_token_file = $W/rotating"
start_stream rotate 5 400
sleep 1.5
cp "$KUBELET_DIR/token" "$W/rotating.new" && mv "$W/rotating.new" "$W/rotating"
end_stream rotate

# 7. killed and restarted mid-stream
conf restart "$KUBELET_URL"
start_stream restart 6 400
sleep 1.5
kubelet_stop
sleep 1.5
kubelet_restart || t_fail "nginx restart" "failed"
end_stream restart

# 8. a 50 MB list of 5,000 pods: parsed as it streams; peak RSS reported
python3 "$T/mkpodlist.py" -o "$W/big.json" scale 5000 --seed 3 --pad-bytes 52428800 2>/dev/null
kubelet_serve "$W/big.json"
conf big "$KUBELET_URL"
start_stream big 4 400
plugin_wait_log "$W/big/plugin.log" "kubelet: pod list of" 15000
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$PLUGIN_PID/status")
t_log "50 MB list ($(stat -c %s "$W/big.json") bytes, 5000 pods): plugin peak RSS ${hwm} kB"
end_stream big
grep -q 'pod list of 5000 pods' "$W/big/plugin.log" && t_ok "big: a 50 MB list of 5000 pods is taken (peak RSS ${hwm} kB)" ||
	t_fail "big: a 50 MB list of 5000 pods is taken" "$(grep kubelet "$W/big/plugin.log" | tail -2)"
t_done
