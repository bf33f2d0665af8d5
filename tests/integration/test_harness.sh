#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/test_harness.sh - the test libraries' own test, on real
# components: common.sh (results, cleanup stack, signals), rsyslog.sh (a real
# rsyslogd on /dev/log), auditd.sh (a real auditd feeding /usr/bin/tee as its
# plugin), podcg.sh (pod-like cgroups in every hierarchy, pid namespaces).
# Needs root. Run from anywhere: bash tests/integration/test_harness.sh
# Output: ok / not ok / skip lines (see tests/lib/common.sh); exit 1 on any not ok.

# shellcheck source-path=SCRIPTDIR disable=SC2030,SC2031 # PID vars cleared in subshells on purpose
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=../lib/common.sh
source "$HERE/../lib/common.sh"
# shellcheck source=../lib/rsyslog.sh
source "$HERE/../lib/rsyslog.sh"
# shellcheck source=../lib/auditd.sh
source "$HERE/../lib/auditd.sh"
# shellcheck source=../lib/podcg.sh
source "$HERE/../lib/podcg.sh"

STYLES=(cgroupfs guaranteed systemd crio v2only)
KEY=p2ptest-harness

if ((EUID != 0)); then
	t_fail harness/root "must run as root (auditd, cgroups, /dev/log)"
	t_done
	exit
fi

W=$(t_workdir)
T_START=$(t_now_ms)

new_uid() { cat /proc/sys/kernel/random/uuid; }
new_cid() {
	local a b
	a=$(new_uid) b=$(new_uid)
	a=${a//-/} b=${b//-/}
	printf '%s\n' "$a$b"
}

# --- common.sh ------------------------------------------------------------

# The cleanup stack runs last-in first-out, also on SIGINT, and removes
# scratch dirs; checked in a child test script.
cat >"$W/child.sh" <<EOF
source "$HERE/../lib/common.sh"
d=\$(t_workdir)
echo "dir \$d"
t_on_exit echo first-registered
t_on_exit echo "second registered"
[[ \${1:-} == wait ]] && { echo ready; while :; do sleep 0.05; done; }
t_ok child
t_done
EOF
out=$(P2P_KEEP=0 bash "$W/child.sh" 2>&1)
child_dir=$(sed -n 's/^dir //p' <<<"$out")
if [[ $(grep -v '^dir ' <<<"$out" | tr '\n' '|') == "ok - child|second registered|first-registered|" &&
	-n $child_dir && ! -e $child_dir ]]; then
	t_ok common/on-exit-lifo-and-workdir-removed
else
	t_fail common/on-exit-lifo-and-workdir-removed "child said: $out"
fi

# SIGINT mid-run: the child's own trap must run the stack. A background job
# of a non-interactive shell starts with SIGINT ignored; give it back.
P2P_KEEP=0 env --default-signal=INT bash "$W/child.sh" wait >"$W/child.out" 2>&1 &
child=$!
t_wait_for 3000 grep -qs '^ready' "$W/child.out"
kill -INT "$child"
wait "$child"
rc=$?
child_dir=$(sed -n 's/^dir //p' "$W/child.out")
if ((rc == 130)) && grep -q '^second registered' "$W/child.out" &&
	[[ -n $child_dir && ! -e $child_dir ]]; then
	t_ok common/cleanup-on-sigint
else
	t_fail common/cleanup-on-sigint "status $rc, output: $(cat "$W/child.out")"
fi

t0=$(t_now_ms)
t_wait_for 200 false
t1=$(t_now_ms)
if t_wait_for 1000 true && ((t1 - t0 >= 200 && t1 - t0 < 1000)); then
	t_ok common/wait-for
else
	t_fail common/wait-for "t_wait_for 200 false took $((t1 - t0)) ms"
fi

if [[ -f $(t_repo_root)/tests/lib/common.sh ]]; then
	t_ok common/repo-root
else
	t_fail common/repo-root "t_repo_root gave '$(t_repo_root)'"
fi

# --- rsyslog ----------------------------------------------------------------

if rsyslog_start "$W"; then
	t_ok rsyslog/start
	t_log "rsyslogd up in ${RSYSLOG_START_MS} ms"
else
	t_fail rsyslog/start "status $?"
fi
rc=0
rsyslog_start "$W" 2>/dev/null || rc=$?
t_check rsyslog/refuses-second-start test "$rc" -eq 2
# As another test would see it: /dev/log is live, owned by a daemon not its own.
rc=0
(RSYSLOG_PID='' && rsyslog_start "$W/other" 2>"$W/refusal.err") || rc=$?
if ((rc == 2)) && grep -q "belongs to a running daemon" "$W/refusal.err"; then
	t_ok rsyslog/refuses-live-dev-log
else
	t_fail rsyslog/refuses-live-dev-log "status $rc: $(cat "$W/refusal.err")"
fi

msg="hello from test_harness $$ $RANDOM"
logger -t "$KEY" -p local3.warning -- "$msg"
if rsyslog_wait_lines "$RSYSLOG_OUT" 2 3000 &&
	t_wait_for 2000 grep -qxF "local3.warning $KEY: $msg" "$RSYSLOG_OUT"; then
	t_ok rsyslog/logger-message-arrives
else
	t_fail rsyslog/logger-message-arrives "not in syslog.out: $(tail -n 3 "$RSYSLOG_OUT")"
fi

# maxMessageSize=16k: a 12,000-byte message arrives whole.
big=$(printf 'x%.0s' {1..12000})
logger -S 16000 -t "$KEY-big" -p user.info -- "$big"
if t_wait_for 2000 grep -qE "^user.info $KEY-big: x{12000}$" "$RSYSLOG_OUT"; then
	t_ok rsyslog/message-of-12000-bytes-whole
else
	t_fail rsyslog/message-of-12000-bytes-whole "longest line: $(awk '{ if (length > m) m = length } END { print m }' "$RSYSLOG_OUT")"
fi

# --- auditd -----------------------------------------------------------------

rc=0
auditd_start "$W" /usr/bin/tee "-a $W/plugin.out extra" 2>/dev/null || rc=$?
t_check auditd/refuses-3-plugin-args test "$rc" -eq 2
cp /bin/true "$W/badplugin" && chmod 0700 "$W/badplugin"
rc=0
auditd_start "$W" "$W/badplugin" "" 2>/dev/null || rc=$?
t_check auditd/refuses-plugin-mode-0700 test "$rc" -eq 2

if auditd_start "$W" /usr/bin/tee "$W/plugin.out"; then
	t_ok auditd/start
	t_log "auditd registered in ${AUDITD_START_MS} ms"
else
	t_fail auditd/start "status $?"
fi
t_check auditd/kernel-names-our-pid test "$(auditd_registered_pid)" = "${AUDITD_PID:-none}"
rc=0
auditd_start "$W" /usr/bin/tee "$W/plugin.out" 2>/dev/null || rc=$?
t_check auditd/refuses-second-start test "$rc" -eq 2
# As another test would see it: the kernel already has an audit daemon.
rc=0
(AUDITD_PID='' && auditd_start "$W/other" /usr/bin/tee "$W/other.out" 2>"$W/refusal.err") || rc=$?
if ((rc == 2)) && grep -q "already sends audit records to pid $AUDITD_PID" "$W/refusal.err"; then
	t_ok auditd/refuses-when-another-auditd-registered
else
	t_fail auditd/refuses-when-another-auditd-registered "status $rc: $(cat "$W/refusal.err")"
fi
if t_wait_for 3000 grep -q ' auditd\[[0-9]*\]: ' "$RSYSLOG_OUT"; then
	t_ok auditd/own-messages-reach-syslog
else
	t_fail auditd/own-messages-reach-syslog "no auditd line in syslog.out"
fi

auditd_rule -b 8192 >/dev/null
t_check auditd/rule-added auditd_rule -a always,exit -F arch=b64 -S execve -k "$KEY"

# Has the plugin (tee) written a SYSCALL record of this pid and command?
plugin_has_exec() {
	grep -E "^type=SYSCALL .* pid=$1 .*comm=\"$2\".*key=\"$KEY\"" "$W/plugin.out" >/dev/null 2>&1
}

# Does /proc/PID/cgroup show PATH on the v2 line, and on the v1 lines
# unless v2only (then on none of them)?
cgroup_lines_ok() {
	local pid=$1 path=$2 style=$3 line key p bad=
	while IFS= read -r line; do
		key=${line#*:}
		key=${key%%:*}
		p=${line#*:*:}
		if [[ -z $key || $style != v2only ]]; then
			[[ $p == "$path" ]] || bad+="[$line] "
		else
			[[ $p != "$path" ]] || bad+="[$line] "
		fi
	done <"/proc/$pid/cgroup"
	[[ -z $bad ]] || {
		echo "$bad"
		return 1
	}
}

declare -A TRUE_PID=()
for style in "${STYLES[@]}"; do
	uid=$(new_uid)
	cid=$(new_cid)
	rc=0
	path=$(podcg_create "$style" "$style" "$uid" "$cid") || rc=$?
	if ((rc == 3)); then
		t_skip "podcg/$style" "no cgroup v2 hierarchy mounted"
		continue
	elif ((rc != 0)); then
		t_fail "podcg/$style/create" "status $rc"
		continue
	fi
	long=$(podcg_spawn "$style" sleep 30)
	if why=$(cgroup_lines_ok "$long" "$path" "$style"); then
		t_ok "podcg/$style/proc-cgroup-shows-pod-path"
	else
		t_fail "podcg/$style/proc-cgroup-shows-pod-path" "want $path, got $why"
	fi
	TRUE_PID[$style]=$(podcg_spawn "$style" /bin/true)
	[[ -n ${TRUE_PID[$style]} ]] || t_fail "podcg/$style/spawn" "podcg_spawn printed no pid"
done
for style in "${STYLES[@]}"; do
	[[ -n ${TRUE_PID[$style]:-} ]] || continue
	if t_wait_for 3000 plugin_has_exec "${TRUE_PID[$style]}" true; then
		t_ok "auditd/$style/plugin-got-execve-of-true"
	else
		t_fail "auditd/$style/plugin-got-execve-of-true" "no SYSCALL pid=${TRUE_PID[$style]} comm=\"true\" in plugin.out ($(wc -l <"$W/plugin.out") lines)"
	fi
done

# --- pid namespace ------------------------------------------------------------

if podcg_create pidns cgroupfs "$(new_uid)" "$(new_cid)" >/dev/null; then
	ns_path=$(podcg_path pidns)
	inner=$(podcg_spawn_pidns pidns sleep 30)
	nspid=$(awk '$1 == "NSpid:" { $1 = ""; sub(/^ /, ""); print }' "/proc/$inner/status" 2>/dev/null)
	if [[ $nspid =~ ^${inner}[[:space:]]+1$ ]]; then
		t_ok podcg/pidns/nspid-two-numbers
		t_log "NSpid of $inner: $nspid"
	else
		t_fail podcg/pidns/nspid-two-numbers "NSpid of $inner is '$nspid'"
	fi
	if why=$(cgroup_lines_ok "$inner" "$ns_path" cgroupfs); then
		t_ok podcg/pidns/in-pod-cgroup
	else
		t_fail podcg/pidns/in-pod-cgroup "want $ns_path, got $why"
	fi
	# The kernel reports host pids in audit records.
	if t_wait_for 3000 plugin_has_exec "$inner" sleep; then
		t_ok auditd/pidns/record-carries-host-pid
	else
		t_fail auditd/pidns/record-carries-host-pid "no SYSCALL pid=$inner comm=\"sleep\""
	fi
else
	t_fail podcg/pidns/create "podcg_create failed"
fi

t_check auditd/hup-keeps-daemon auditd_hup
t_check auditd/still-registered-after-hup t_wait_for 1000 _auditd_registered_is "${AUDITD_PID:-none}"

# --- everything cleaned --------------------------------------------------------

our_auditd=${AUDITD_PID:-} our_rsyslogd=${RSYSLOG_PID:-}
t0=$(t_now_ms)
t_check cleanup/podcg-destroy-all podcg_destroy_all
t1=$(t_now_ms)
t_check cleanup/auditd-stop auditd_stop
t2=$(t_now_ms)
t_check cleanup/rsyslog-stop rsyslog_stop
t3=$(t_now_ms)
t_log "stop times: podcg $((t1 - t0)) ms, auditd $((t2 - t1)) ms, rsyslogd $((t3 - t2)) ms"

t_check cleanup/no-auditd-registered test "$(auditd_registered_pid)" = 0
rules=$(auditctl -l 2>&1)
t_check cleanup/no-audit-rules test "$rules" = "No rules"
gone() { ! t_pid_alive "$1"; }
t_check cleanup/auditd-gone gone "$our_auditd"
t_check cleanup/rsyslogd-gone gone "$our_rsyslogd"
t_check cleanup/no-dev-log test ! -e /dev/log
left=$(while read -r mnt _; do
	[[ -e $mnt/$PODCG_ROOT ]] && echo "$mnt/$PODCG_ROOT"
done < <(podcg_hierarchies))
t_check cleanup/no-test-cgroups test -z "$left"
others=$(find /sys/fs/cgroup -mindepth 2 -maxdepth 2 -name 'p2ptest-*' 2>/dev/null | head -n 3)
[[ -z $others ]] || t_log "other p2ptest cgroup dirs exist (not ours): $others"

t_log "harness took $(($(t_now_ms) - T_START)) ms"
t_done
