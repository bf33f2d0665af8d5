#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_goaudit.sh - input = go-audit: go-audit-shaped JSON lines (the real
# records of tests/data/captured-enriched.log as go-audit writes them,
# tests/tools/mkgoaudit.py) through the plugin binary, pids resolved through
# a fake proc tree (mkproctree.py) and names from the HTTPS kubelet
# stand-in (nginx, a test CA, a token): every line out once, in order;
# objects identical parsed without their k8s objects and byte for byte once
# the inserted text is cut; container pids named, host pids without k8s,
# unresolved ones "?"; malformed, overlong, NUL and empty lines passed on
# or reported without touching their neighbours; the counters; output to
# stdout and to a file, and the pipe `go-audit | audisp-pid2pod` (a writer
# in go-audit's place, since Debian has no go-audit package).
set -u -o pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/kubelet.sh"
. "$(dirname "$0")/../lib/plugin.sh"
R=$(t_repo_root)
BIN=$R/${B:-build}/audisp-pid2pod
T=$R/tests/tools
W=$(t_workdir)

python3 "$T/mkproctree.py" "$W/tree" --pods 12 --containers-per-pod 2 \
	--pids-per-container 2 --host-pids 8 --missing 3 --empty 2 --seed 5 \
	--layouts cgroupfs,systemd,v2,v2cgroupfs,crio,dockershim,static,colon,guaranteed,kind 2>/dev/null ||
	t_fail "mkproctree" "failed"
python3 "$T/mkgoaudit.py" make --log "$R/tests/data/captured-enriched.log" \
	--tree-expect "$W/tree.expect.json" --out "$W/in.jsonl" --expect "$W/expect.json" \
	--podspec "$W/podspec" --unnamed 2 --events 600 --malformed 2>/dev/null ||
	t_fail "mkgoaudit make" "failed"
mapfile -t specs <"$W/podspec"
python3 "$T/mkpodlist.py" -o "$W/pods.json" pods "${specs[@]}" || t_fail "mkpodlist" "failed"
kubelet_start "$W/k" "$W/pods.json" || { t_fail "nginx kubelet stand-in" "did not start"; t_done; exit; }

# conf NAME EXTRA...: a go-audit config for case NAME
conf() {
	local d=$W/$1
	shift
	mkdir -p "$d"
	{
		printf 'input = go-audit\nproc_root = %s/tree\nproc_connector = no\n' "$W"
		printf 'runtime_state_dirs =\nlog_file = %s/plugin.log\nmetrics_file = %s/metrics\n' "$d" "$d"
		printf 'kubelet_url = %s\nkubelet_ca_file = %s\nkubelet_token_file = %s\n' \
			"$KUBELET_URL" "$KUBELET_DIR/ca.crt" "$KUBELET_DIR/token"
		printf '%s\n' "$@"
	} >"$d/p.conf"
	chmod 0640 "$d/p.conf"
}

# counter DIR NAME: pid2pod_NAME_total from DIR/metrics
counter() {
	sed -n "s/^pid2pod_$2_total \([0-9]*\)$/\1/p" "$1/metrics"
}

lines=$(wc -l <"$W/in.jsonl")
nonempty=$(grep -ac . "$W/in.jsonl")

# stdout, the plugin started first and fed once it has its pod list
conf stdout "output = stdout"
plugin_fifo_start "$BIN" "$W/stdout/p.conf" "$W/stdout/out"
plugin_wait_log "$W/stdout/plugin.log" "kubelet: pod list of" 5000 ||
	t_fail "stdout: the first pod list is fetched" "$(tail -3 "$W/stdout/plugin.log" 2>/dev/null)"
cat "$W/in.jsonl" >&3
plugin_finish; rc=$?
[ "$rc" -eq 0 ] && t_ok "stdout: plugin drains and exits 0 at EOF" || t_fail "stdout: plugin exit" "status $rc"
t_checker "stdout: " python3 "$T/mkgoaudit.py" check "$W/in.jsonl" "$W/stdout/out" "$W/expect.json"
grep -q "input=go-audit" "$W/stdout/plugin.log" && t_ok "stdout: the log names the input" ||
	t_fail "stdout: the log names the input" "$(head -3 "$W/stdout/plugin.log")"

# the counters: objects (every non-empty line), malformed ones, the overlong one
d=$W/stdout
got="objects=$(counter "$d" goaudit_objects) malformed=$(counter "$d" goaudit_malformed) overlong=$(counter "$d" goaudit_overlong) lines_out=$(counter "$d" lines_out)"
want="objects=$nonempty malformed=6 overlong=1 lines_out=$lines"
[ "$got" = "$want" ] && t_ok "counters: $got" || t_fail "counters" "got $got, want $want"
enriched=$(counter "$d" records_enriched) unresolved=$(counter "$d" records_unresolved) host=$(counter "$d" records_host)
if [ "${enriched:-0}" -gt 0 ] && [ "${unresolved:-0}" -gt 0 ] && [ "${host:-0}" -gt 0 ]; then
	t_ok "counters: $enriched enriched, $host host, $unresolved unresolved pids"
else
	t_fail "counters: enriched, host, unresolved" "$enriched $host $unresolved"
fi

# a file, fed through a pipe by a writer in go-audit's place, in small
# pieces (objects split across reads)
conf file "output = file" "output_file = $W/file/out"
python3 - "$W/in.jsonl" <<'EOF' | "$BIN" -c "$W/file/p.conf"
import sys, time
data = open(sys.argv[1], 'rb').read()
time.sleep(1.5)  # the first pod list
for i in range(0, len(data), 7001):
    sys.stdout.buffer.write(data[i:i + 7001])
    sys.stdout.buffer.flush()
EOF
rc=$?
[ "$rc" -eq 0 ] && t_ok "file: go-audit | audisp-pid2pod exits 0" || t_fail "file: plugin exit" "status $rc"
t_checker "file: " python3 "$T/mkgoaudit.py" check "$W/in.jsonl" "$W/file/out" "$W/expect.json"

# the kubelet never answering names: every object still out, host/"?" kept
conf nokube "output = stdout" "hold_ms = 100"
sed -i "s|^kubelet_url = .*|kubelet_url = https://127.0.0.1:1|" "$W/nokube/p.conf"
"$BIN" -c "$W/nokube/p.conf" <"$W/in.jsonl" >"$W/nokube/out"; rc=$?
n=$(wc -l <"$W/nokube/out")
if [ "$rc" -eq 0 ] && [ "$n" -eq "$lines" ] && ! grep -q '"namespace"' "$W/nokube/out" &&
	grep -q '"k8s":{"container_id":"?"}' "$W/nokube/out"; then
	t_ok "kubelet down: $n of $lines lines out, no names, unresolved still marked"
else
	t_fail "kubelet down" "rc=$rc lines=$n of $lines"
fi
t_done
