#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_sandbox.sh - the running plugin is confined by Landlock (sandbox.c):
# the test build's hook (build/hooks/audisp-pid2pod, P2P_TEST_SANDBOX_TRY;
# absent from the shipped binary, checked here) makes it try, one plugin
# run per attempt, on its main thread and on a thread started after the
# set-up: reading /etc/shadow, creating a file in a directory the config
# does not name (a stand-in for /etc/cron.d), and a TCP connection to a
# real listener on 127.0.0.1 that is not the kubelet.  Each fails with
# EACCES with sandbox = yes and succeeds with sandbox = no (so each check
# can fail).  An exec of /bin/sh kills the plugin (seccomp, sysfilter.c),
# and runs without the sandbox; a system call off the seccomp list
# (getcpu) fails with EPERM, is counted and logged, and the plugin goes on
# naming records.  Meanwhile, sandboxed: the pod list comes over HTTPS from a
# real server (nginx), records are named, the metrics file is rewritten,
# SIGHUP reopens a rotated output and reloads; a reload that needs a path
# or a kubelet port outside the sandbox is refused, said in the log, and
# the plugin keeps working with the running configuration; and no system
# call of that run was denied (seccomp_denied 0: the list is complete).
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/kubelet.sh"
. "$(dirname "$0")/../lib/plugin.sh"
R=$(t_repo_root)
BIN=$R/${B:-build}/audisp-pid2pod
HBIN=$R/${B:-build}/hooks/audisp-pid2pod
T=$R/tests/tools
W=$(t_workdir)

# the hook is in the test build only
if [[ -x $HBIN ]] && (($(strings "$HBIN" | grep -c P2P_TEST_SANDBOX_TRY) > 0)) &&
	(($(strings "$BIN" | grep -c -e P2P_TEST_SANDBOX_TRY -e test-hook) == 0)); then
	t_ok "the hook is in $B/hooks/audisp-pid2pod only, not in the shipped binary"
else
	t_fail "the hook is in the test build only" "$(strings "$BIN" | grep -e P2P_TEST -e test-hook | head -3)"
fi

python3 "$T/mkpodlist.py" -o "$W/shapes.json" shapes || t_fail "mkpodlist shapes" "failed"
kubelet_start "$W/k" "$W/shapes.json" || { t_fail "nginx kubelet stand-in" "did not start"; t_done; exit; }

# a listener that is not the kubelet
t_daemon_start "$W/listener.state" python3 "$W/listener.out" python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    c, _ = s.accept(); c.close()
' "$W/listener.port" || { t_fail "listener" "did not start"; t_done; exit; }
t_on_exit t_kill_pid "$T_DAEMON_PID" "$T_DAEMON_START"
t_wait_for 3000 test -s "$W/listener.port" || t_fail "listener port" "none written"
LPORT=$(cat "$W/listener.port")

mkdir -p "$W/crond" && chmod 0755 "$W/crond"
# conf NAME EXTRA...: config in its own directory (the sandbox reads it)
conf() {
	local d=$W/$1
	shift
	mkdir -p "$d/cfg" "$d/out" "$d/log" "$d/metrics" "$d/proc"
	{
		printf 'output = file\noutput_file = %s/out/out.log\n' "$d"
		printf 'proc_root = %s/proc\nproc_connector = no\nruntime_state_dirs =\n' "$d"
		printf 'log_file = %s/log/plugin.log\n' "$d"
		printf 'metrics_file = %s/metrics/p.prom\nmetrics_interval = 1\n' "$d"
		printf 'kubelet_url = %s\nkubelet_ca_file = %s/ca.crt\n' "$KUBELET_URL" "$KUBELET_DIR"
		printf 'kubelet_token_file = %s/token\n' "$KUBELET_DIR"
		printf '%s\n' "$@"
	} >"$d/cfg/p.conf"
	chmod 0640 "$d/cfg/p.conf"
}

# attempt NAME SANDBOX TRY: one hooked plugin run; prints "main=X thread=Y"
attempt() {
	local d=$W/$1
	conf "$1" "sandbox = $2"
	P2P_TEST_SANDBOX_TRY=$3 plugin_fifo_start "$HBIN" "$d/cfg/p.conf" "$d/stdout"
	plugin_wait_log "$d/log/plugin.log" "test-hook: " 5000
	plugin_finish >/dev/null 2>&1
	sed -n 's/.*test-hook: .*: \(main=[^ ]* thread=[^ ]*\).*/\1/p' "$d/log/plugin.log"
}

landlock=yes
for a in "shadow|read:/etc/shadow" "crond|create:$W/crond/job" "port|connect:$LPORT"; do
	name=${a%%|*} try=${a#*|}
	got=$(attempt "$name-on" yes "$try")
	if [[ $name == shadow ]] && grep -q "sandbox: Landlock unavailable" "$W/$name-on/log/plugin.log"; then
		landlock=no
		t_skip "sandbox" "this kernel has no Landlock: $(grep -m1 'sandbox:' "$W/$name-on/log/plugin.log")"
		break
	fi
	if [[ $got == "main=EACCES thread=EACCES" ]] && [[ $name != crond || -z $(ls -A "$W/crond") ]]; then
		t_ok "sandbox = yes: $try fails with EACCES on the main thread and a later one"
	else
		t_fail "sandbox = yes: $try fails with EACCES" "got '$got'; $(grep -E 'sandbox|test-hook' "$W/$name-on/log/plugin.log" | head -3)"
	fi
	got=$(attempt "$name-off" no "$try")
	if [[ $got == "main=ok thread=ok" ]] && { [[ $name != crond ]] ||
		[[ -f $W/crond/job.main && -f $W/crond/job.thread ]]; }; then
		t_ok "sandbox = no: $try succeeds (the check above can fail)"
	else
		t_fail "sandbox = no: $try succeeds" "got '$got'; $(tail -3 "$W/$name-off/log/plugin.log")"
	fi
done
[[ $landlock == yes ]] || { t_done; exit; }

# exec: the seccomp filter kills the process (status 128 + SIGSYS = 159);
# without the sandbox the exec'd /bin/sh runs (exit 42)
exec_status() {
	local d=$W/$1
	conf "$1" "sandbox = $2"
	P2P_TEST_SANDBOX_TRY=exec:/bin/sh plugin_fifo_start "$HBIN" "$d/cfg/p.conf" "$d/stdout"
	plugin_wait_log "$d/log/plugin.log" "test-hook: exec:/bin/sh: trying" 5000
	plugin_finish >/dev/null 2>&1
	echo $?
}
st=$(exec_status exec-on yes)
[[ $st == 159 ]] && grep -q "sandbox: seccomp: [0-9]* system calls allowed.*exec, ptrace and kin.*kill the process" "$W/exec-on/log/plugin.log" &&
	t_ok "sandbox = yes: exec of /bin/sh kills the plugin (SIGSYS, status 159)" ||
	t_fail "sandbox = yes: exec of /bin/sh kills the plugin" "status $st; $(grep -E 'sandbox|test-hook' "$W/exec-on/log/plugin.log" | tail -3)"
st=$(exec_status exec-off no)
[[ $st == 42 ]] && t_ok "sandbox = no: exec of /bin/sh runs it (status 42: the check above can fail)" ||
	t_fail "sandbox = no: exec of /bin/sh runs it" "status $st"

# a call the seccomp list (sysallow.c) leaves out, getcpu(2) made as a
# system call on the main thread and a later one: each fails with EPERM,
# both are counted (seccomp_denied 2) and logged by name, and the plugin
# goes on naming records; without the sandbox the call works
d=$W/denied
conf denied
python3 "$T/kubecheck.py" tree "$W/shapes.json" "$d/proc" "$d/records" "$d/expect" ||
	t_fail "denied: records" "kubecheck tree failed"
P2P_TEST_SANDBOX_TRY=syscall:getcpu plugin_fifo_start "$HBIN" "$d/cfg/p.conf" "$d/stdout"
plugin_wait_log "$d/log/plugin.log" "test-hook: " 5000
plugin_wait_log "$d/log/plugin.log" "kubelet: pod list of" 5000 ||
	t_fail "denied: the pod list comes" "$(tail -3 "$d/log/plugin.log")"
cat "$d/records" >&3
t_wait_for 5000 grep -q '^pid2pod_seccomp_denied_total 2$' "$d/metrics/p.prom" &&
	t_ok "sandbox = yes: a call off the seccomp list is counted (seccomp_denied 2: main thread and a later one)" ||
	t_fail "sandbox = yes: a call off the seccomp list is counted" "$(grep seccomp "$d/metrics/p.prom")"
plugin_finish || t_fail "denied: exit" "status $?"
got=$(sed -n 's/.*test-hook: .*: \(main=[^ ]* thread=[^ ]*\).*/\1/p' "$d/log/plugin.log")
[[ $got == "main=EPERM thread=EPERM" ]] &&
	t_ok "sandbox = yes: getcpu (not on the seccomp list) fails with EPERM on both threads" ||
	t_fail "sandbox = yes: getcpu fails with EPERM" "got '$got'; $(grep -E 'sandbox|test-hook' "$d/log/plugin.log" | head -3)"
grep -q "seccomp denied syscall [0-9]* (getcpu), returned EPERM; count 2" "$d/log/plugin.log" &&
	t_ok "the denial is logged with the call's name and the count" ||
	t_fail "the denial is logged" "$(grep -i seccomp "$d/log/plugin.log")"
t_checker "denied: the plugin goes on naming records: " python3 "$T/kubecheck.py" verify "$d/records" "$d/out/out.log" "$d/expect"
got=$(attempt getcpu-off no syscall:getcpu)
[[ $got == "main=ok thread=ok" ]] && t_ok "sandbox = no: getcpu succeeds (the checks above can fail)" ||
	t_fail "sandbox = no: getcpu succeeds" "got '$got'"

# what the sandbox allows still works: the kubelet's CA is read, its port
# connected to
for a in "ca|read:$KUBELET_DIR/ca.crt" "kport|connect:$KUBELET_PORT"; do
	name=${a%%|*} try=${a#*|}
	got=$(attempt "$name" yes "$try")
	[[ $got == "main=ok thread=ok" ]] && t_ok "sandbox = yes: $try (allowed) succeeds" ||
		t_fail "sandbox = yes: $try (allowed) succeeds" "got '$got'"
done

# a normal run, sandboxed: names from the kubelet over HTTPS, metrics,
# SIGHUP reopen and reload, and reloads the sandbox cannot follow
d=$W/run
conf run
python3 "$T/kubecheck.py" tree "$W/shapes.json" "$d/proc" "$d/records" "$d/expect" ||
	t_fail "records" "kubecheck tree failed"
plugin_fifo_start "$BIN" "$d/cfg/p.conf" "$d/stdout"
plugin_wait_log "$d/log/plugin.log" "kubelet: pod list of" 5000 ||
	t_fail "sandboxed: the pod list comes" "$(tail -3 "$d/log/plugin.log")"
grep -q "sandbox: Landlock ABI [0-9]*;.*TCP connect: \(port $KUBELET_PORT\|not restricted\)" "$d/log/plugin.log" &&
	t_ok "the log says the sandbox is set, by which ABI, and the port it allows" ||
	t_fail "the log says the sandbox is set" "$(grep sandbox "$d/log/plugin.log")"
half=$(($(wc -l <"$d/records") / 2))
head -n "$half" "$d/records" >&3
t_wait_for 5000 test -s "$d/metrics/p.prom" && grep -q '^pid2pod_' "$d/metrics/p.prom" &&
	t_ok "sandboxed: the metrics file is written (temporary file renamed over it)" ||
	t_fail "sandboxed: the metrics file is written" "$(ls -la "$d/metrics"; tail -3 "$d/log/plugin.log")"
t_wait_for 5000 test -s "$d/out/out.log" || t_fail "sandboxed: output" "nothing in out.log"
# rotation: the file moves away, SIGHUP makes a new one
mv "$d/out/out.log" "$d/out/out.log.1"
kill -HUP "$PLUGIN_PID"
plugin_wait_log "$d/log/plugin.log" "SIGHUP: configuration unchanged, output reopened" 5000 ||
	t_fail "sandboxed: SIGHUP reopen" "$(tail -3 "$d/log/plugin.log")"
# a reload the sandbox cannot follow: output_file elsewhere, another port
mkdir -p "$W/elsewhere"
cp "$d/cfg/p.conf" "$d/cfg/p.conf.good"
sed -i "s|^output_file = .*|output_file = $W/elsewhere/out.log|; s|^kubelet_url = .*|kubelet_url = https://127.0.0.1:$LPORT|" "$d/cfg/p.conf"
kill -HUP "$PLUGIN_PID"
if plugin_wait_log "$d/log/plugin.log" "SIGHUP: keeping the running configuration; the sandbox" 5000 &&
	grep -q "writes to output_file $W/elsewhere.*TCP connections to port $LPORT" "$d/log/plugin.log"; then
	t_ok "a reload needing a new output directory and kubelet port is refused and each is named in the log"
else
	t_fail "a reload outside the sandbox is refused and logged" "$(grep SIGHUP "$d/log/plugin.log" | tail -3)"
fi
# a reload inside it is applied (a label more)
cp "$d/cfg/p.conf.good" "$d/cfg/p.conf"
printf 'labels = app\n' >>"$d/cfg/p.conf"
kill -HUP "$PLUGIN_PID"
plugin_wait_log "$d/log/plugin.log" "SIGHUP: new configuration loaded" 5000 &&
	t_ok "a reload within the sandbox is applied" ||
	t_fail "a reload within the sandbox is applied" "$(grep SIGHUP "$d/log/plugin.log" | tail -3)"
# the rebuilt client's first pod list, before the rest of the records
t_wait_for 5000 eval '(($(grep -c "kubelet: pod list of" "$d/log/plugin.log") >= 2))' ||
	t_fail "a reload within the sandbox: the pod list comes again" "$(tail -3 "$d/log/plugin.log")"
tail -n +"$((half + 1))" "$d/records" >&3
plugin_finish || t_fail "sandboxed run: exit" "status $?"
[[ ! -e $W/elsewhere/out.log ]] && t_ok "nothing was written outside the sandbox" ||
	t_fail "nothing was written outside the sandbox" "$W/elsewhere/out.log exists"
# the SIGHUP made a new out.log, and the later records went there
[[ -s $d/out/out.log ]] && ! grep -q -F -f <(tail -n 1 "$d/records" | cut -d' ' -f1-3) "$d/out/out.log.1" &&
	t_ok "sandboxed: SIGHUP after a rotation makes a new output file, which takes the later records" ||
	t_fail "sandboxed: SIGHUP reopens a rotated output" "$(ls -la "$d/out")"
cat "$d/out/out.log.1" "$d/out/out.log" >"$d/out.all" 2>/dev/null
t_checker "sandboxed run: " python3 "$T/kubecheck.py" verify "$d/records" "$d/out.all" "$d/expect"
# the seccomp list holds every call this run made: none denied
if grep -q '^pid2pod_seccomp_denied_total 0$' "$d/metrics/p.prom" && ! grep -q "seccomp denied" "$d/log/plugin.log"; then
	t_ok "sandboxed run: no system call denied (seccomp_denied 0)"
else
	t_fail "sandboxed run: no system call denied" "$(grep -h seccomp "$d/metrics/p.prom" "$d/log/plugin.log")"
fi

# a runtime state dir the plugin cannot reach once its capabilities are
# dropped (a parent of another owner, mode 0700): no rule, said in the
# log, and the plugin runs (it could not read there anyway)
u=$W/unreach
mkdir -p "$u/locked/sub" "$u/proc" "$u/out"
chown 65534 "$u/locked" && chmod 0700 "$u/locked"
printf 'output = file\noutput_file = %s/out/o.log\nproc_root = %s/proc\nproc_connector = no\nnode_name = me\nruntime_state_dirs = %s/locked/sub\nkubelet_token_file =\n' \
	"$u" "$u" "$u" >"$u/p.conf"
chmod 0640 "$u/p.conf"
printf 'type=USER msg=audit(1795517706.354:99993): pid=1 uid=0 msg=%sx%s\n' "'" "'" |
	"${T_WRAP[@]}" "$BIN" -d -c "$u/p.conf" >/dev/null 2>"$u/err"
st=$?
if ((st == 0)) && grep -q "locked/sub is not reachable" "$u/err" && [[ -s $u/out/o.log ]]; then
	t_ok "an unreachable runtime state dir: named in the log, no rule, the plugin runs"
else
	t_fail "an unreachable runtime state dir" "status $st: $(grep -m2 -i "sandbox\|error" "$u/err")"
fi

# a kubelet given by a host name that only DNS knows: glibc's resolver
# (sendmmsg, ioctl FIONREAD) works under the seccomp list.  In a mount
# namespace whose resolv.conf names 127.0.0.1, where tests/tools/dnsd.py
# answers; nothing listens on the kubelet port, so the fetch ends in
# "Couldn't connect" once the name is resolved
n=$W/dns
mkdir -p "$n/proc" "$n/log"
echo "nameserver 127.0.0.1" >"$n/resolv.conf"
echo token >"$n/token" && chmod 0600 "$n/token"
printf 'output = stdout\nproc_root = %s/proc\nproc_connector = no\nnode_name = me\nruntime_state_dirs =\nkubelet_url = https://kubelet.p2p-test.invalid:10250\nkubelet_token_file = %s/token\nlog_file = %s/log/plugin.log\n' \
	"$n" "$n" "$n" >"$n/p.conf"
chmod 0640 "$n/p.conf"
if ! /usr/bin/python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).bind(("127.0.0.1", 53))' 2>/dev/null; then
	t_fail "kubelet by a DNS name" "UDP 127.0.0.1:53 is taken here (a local resolver?)"
else
	# shellcheck disable=SC2016
	(sleep 4; printf 'type=USER msg=audit(1795517706.354:99993): pid=1 uid=0 msg=%sx%s\n' "'" "'") |
		timeout 30 unshare -m sh -c 'mount --bind "$1/resolv.conf" /etc/resolv.conf &&
			{ /usr/bin/python3 "$2/dnsd.py" kubelet.p2p-test.invalid >"$1/dnsd.log" 2>&1 & echo $! >"$1/dnsd.pid"; } &&
			sleep 0.5 && "$3" -c "$1/p.conf"; st=$?; kill "$(cat "$1/dnsd.pid")"; exit $st' \
			sh "$n" "$T" "$BIN" >/dev/null 2>"$n/err"
	st=$?
	if ((st == 0)) && grep -q "kubelet.p2p-test.invalid port 10250.*Couldn't connect" "$n/log/plugin.log" &&
		grep -q "seccomp_denied=0" "$n/log/plugin.log" && ! grep -q "seccomp denied" "$n/log/plugin.log"; then
		t_ok "a kubelet host name resolved by DNS under the seccomp list (no call denied)"
	else
		t_fail "kubelet by a DNS name" "status $st: $(grep -m3 "kubelet:\|seccomp" "$n/log/plugin.log" | tr '\n' ';')"
	fi
fi
t_done
