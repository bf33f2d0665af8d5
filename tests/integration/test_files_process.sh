#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_files_process.sh - what the plugin's process cannot be talked into:
#   privs: started without CAP_SETPCAP (setpriv --bounding-set=-setpcap) it
#     cannot empty its bounding set; it must say so and exit, not run on
#     (libcap-ng itself reports success there).
#   environment: https_proxy/HTTPS_PROXY/ALL_PROXY naming a listening
#     stand-in proxy on 127.0.0.1 do not take the kubelet fetch (and its
#     token) there: the proxy sees no connection and the pods are named;
#     SSLKEYLOGFILE does not make libcurl write the TLS keys to a file.
#   credentials: a token file owned by another user, a CA in a 0777
#     directory are refused (the log says which and why), the kubelet is
#     never asked with them.
#   syslog_socket: records and the plugin's own messages go to the socket
#     the config names (a datagram socket of the test's), with no
#     P2P_SYSLOG_PATH or other environment variable.
set -u -o pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/kubelet.sh"
. "$(dirname "$0")/../lib/plugin.sh"
R=$(t_repo_root)
BIN=$R/${B:-build}/audisp-pid2pod
W=$(t_workdir)
D=$R/tests/data/demo

printf 'output = stdout\nproc_root = %s/proc\nproc_connector = no\n' "$D" > "$W/min.conf"

# --- privs: a drop that leaves a capability is fatal ------------------------
if ! command -v setpriv >/dev/null; then
	t_fail "privs: setpriv (util-linux) is needed" "not found"
else
	rc=0
	setpriv --bounding-set=-setpcap "${T_WRAP[@]}" "$BIN" -d -c "$W/min.conf" \
		< "$D/records.log" > "$W/privs.out" 2> "$W/privs.err" || rc=$?
	if [ "$rc" -ne 0 ] && grep -q "cannot drop privileges" "$W/privs.err" &&
		[ ! -s "$W/privs.out" ]; then
		t_ok "privs: bounding set not emptied (no CAP_SETPCAP): exits $rc before reading a record"
	else
		t_fail "privs: a failed drop is fatal" "rc=$rc out=$(wc -l < "$W/privs.out") $(tail -2 "$W/privs.err")"
	fi
	rc=0
	"${T_WRAP[@]}" "$BIN" -c "$W/min.conf" < "$D/records.log" > "$W/plain.out" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] && [ "$(wc -l < "$W/plain.out")" -eq 22 ] &&
		t_ok "privs: with every capability it drops them and runs (22 records)" ||
		t_fail "privs: plain run" "rc=$rc $(tail -2 "$W/plain.out")"
fi

# --- environment: no proxy, no key log --------------------------------------
T=$R/tests/tools
python3 "$T/mkpodlist.py" -o "$W/list.json" scale 3 --seed 5 || t_fail "mkpodlist" "failed"
python3 "$T/kubecheck.py" tree "$W/list.json" "$W/proc" "$W/records" "$W/expect" 2>/dev/null
kubelet_start "$W/k" "$W/list.json" || { t_fail "nginx" "did not start"; t_done; exit; }
# a stand-in proxy: counts the connections it accepts, answers nothing
python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
open(sys.argv[1] + ".port", "w").write(str(s.getsockname()[1]))
n = 0
while True:
    c, _ = s.accept(); n += 1
    open(sys.argv[1], "w").write(str(n)); c.close()
' "$W/proxy.count" &
PROXY_PID=$!
t_on_exit t_kill_pid "$PROXY_PID" "$(t_pid_starttime "$PROXY_PID")"
t_wait_for 3000 test -s "$W/proxy.count.port" || t_fail "proxy stand-in" "no port"
PROXY=http://127.0.0.1:$(cat "$W/proxy.count.port")
{
	printf 'output = stdout\nproc_root = %s/proc\nproc_connector = no\n' "$W"
	printf 'runtime_state_dirs =\nlog_file = %s/env.log\n' "$W"
	printf 'kubelet_url = %s\nkubelet_ca_file = %s/ca.crt\n' "$KUBELET_URL" "$KUBELET_DIR"
	printf 'kubelet_token_file = %s/token\n' "$KUBELET_DIR"
} > "$W/env.conf"
chmod 0640 "$W/env.conf"
export https_proxy=$PROXY HTTPS_PROXY=$PROXY ALL_PROXY=$PROXY all_proxy=$PROXY
plugin_fifo_start "$BIN" "$W/env.conf" "$W/env.out"
unset https_proxy HTTPS_PROXY ALL_PROXY all_proxy
plugin_wait_log "$W/env.log" "kubelet: pod list of" 5000
plugin_finish 10000 || t_fail "environment: plugin exits 0" "status $?"
n=$(kubelet_requests 200)
proxied=$(cat "$W/proxy.count" 2>/dev/null || echo 0)
grep -q "kubelet: pod list of 3 pods" "$W/env.log" && [ "$n" -ge 1 ] && [ "$proxied" = 0 ] &&
	t_ok "environment: https_proxy and ALL_PROXY ignored: the kubelet answered $n time(s) directly, the proxy saw nothing" ||
	t_fail "environment: no proxy for the kubelet" "kubelet 200s=$n proxy connections=$proxied $(grep kubelet "$W/env.log" | tail -2)"
# libcurl writes every TLS session's keys to the file SSLKEYLOGFILE names
: > "$W/env.log"
SSLKEYLOGFILE=$W/tls-keys plugin_fifo_start "$BIN" "$W/env.conf" "$W/env.out"
plugin_wait_log "$W/env.log" "kubelet: pod list of" 5000
plugin_finish 10000 || t_fail "environment: plugin exits 0" "status $?"
n2=$(kubelet_requests 200)
[ "$n2" -gt "$n" ] && [ ! -e "$W/tls-keys" ] &&
	t_ok "environment: SSLKEYLOGFILE ignored: no TLS key log written" ||
	t_fail "environment: SSLKEYLOGFILE" "kubelet 200s=$((n2 - n)); $(wc -l < "$W/tls-keys" 2>/dev/null) key lines written to the file the environment named"

# --- credentials: the token's owner, the CA's directory ---------------------
# (0644: readable without CAP_DAC_OVERRIDE, which the plugin has dropped;
# the token is read by a thread at its first fetch; the CA is checked when
# the kubelet client is set up: either way the kubelet is never asked)
cp "$KUBELET_DIR/token" "$W/their-token" && chown 65534 "$W/their-token" && chmod 0644 "$W/their-token"
mkdir -p "$W/open" && chmod 0777 "$W/open" && cp "$KUBELET_DIR/ca.crt" "$W/open/ca.crt"
for c in "token-owner|kubelet_token_file = $W/their-token|token file $W/their-token refused: owned by uid 65534" \
	"ca-dir|kubelet_ca_file = $W/open/ca.crt|$W/open/ca.crt refused: writable by others: $W/open/ca.crt is in a directory"; do
	IFS='|' read -r n line pat <<<"$c"
	grep -v "^${line%% =*} =" "$W/env.conf" > "$W/$n.conf"
	printf '%s\nlog_file = %s/%s.log\n' "$line" "$W" "$n" >> "$W/$n.conf"
	sed -i "/^log_file = .*env.log$/d" "$W/$n.conf"
	chmod 0640 "$W/$n.conf"
	before=$(kubelet_requests 200)
	plugin_fifo_start "$BIN" "$W/$n.conf" "$W/$n.out"
	plugin_wait_log "$W/$n.log" "refused" 5000
	sleep 1
	cat "$D/records.log" >&3
	plugin_finish 10000 || t_fail "$n: plugin exits 0" "status $?"
	after=$(kubelet_requests 200)
	grep -qF "$pat" "$W/$n.log" && [ "$after" = "$before" ] && [ "$(wc -l < "$W/$n.out")" -eq 22 ] &&
		t_ok "$n: refused and said so; the kubelet got nothing; 22 records out" ||
		t_fail "$n: refused" "kubelet 200s $before -> $after, out=$(wc -l < "$W/$n.out") $(grep kubelet "$W/$n.log" | tail -1)"
done

# --- syslog_socket: the config names the socket ------------------------------
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1])
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536) + b"\n")
' "$W/log.sock" "$W/log.out" &
SYSLOG_PID=$!
t_on_exit t_kill_pid "$SYSLOG_PID" "$(t_pid_starttime "$SYSLOG_PID")"
t_wait_for 3000 test -S "$W/log.sock" || t_fail "syslog stand-in" "no socket"
printf 'output = syslog\nsyslog_socket = %s/log.sock\nproc_root = %s/proc\nproc_connector = no\nruntime_state_dirs = %s/containerd %s/crio\n' \
	"$W" "$D" "$D" "$D" > "$W/sock.conf"
chmod 0640 "$W/sock.conf"
rc=0
"${T_WRAP[@]}" "$BIN" -c "$W/sock.conf" < "$D/records.log" 2> "$W/sock.err" || rc=$?
t_wait_for 3000 sh -c "[ \$(grep -c 'audisp-pid2pod\[[0-9]*\]: type=' '$W/log.out') -ge 22 ]"
recs=$(grep -c 'audisp-pid2pod\[[0-9]*\]: type=' "$W/log.out")
[ "$rc" -eq 0 ] && [ "$recs" -eq 22 ] && grep -q 'audisp-pid2pod\[[0-9]*\]: type=.*k8s_pod=' "$W/log.out" &&
	t_ok "syslog_socket: all 22 records went to the configured socket" ||
	t_fail "syslog_socket: records" "rc=$rc records=$recs $(tail -2 "$W/sock.err")"
grep -q 'audisp-pid2pod\[[0-9]*\]: started: ' "$W/log.out" &&
	t_ok "syslog_socket: the plugin's own messages went there too" ||
	t_fail "syslog_socket: diagnostics" "$(grep -v type= "$W/log.out" | head -2)"
t_done
