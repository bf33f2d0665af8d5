# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2034 # variables set here are read by the tests
# tests/lib/common.sh - result protocol, scratch dirs, cleanup stack, polling.
#
# Sourced (bash only) by every integration test, before the component libs
# (auditd.sh, rsyslog.sh, podcg.sh), which build on it.
#
# Output protocol, counted by tests/run.sh over all tests: one line per check
# on stdout, exactly one of
#   ok - NAME
#   not ok - NAME: DETAIL
#   skip - NAME: REASON        (only where the machine lacks a kernel feature)
# and the script ends with `t_done`, whose status is non-zero if any `not ok`.
#
# State (results, the cleanup stack) lives in files under a private directory,
# not in shell variables, so that helpers called inside $(...) or a pipeline
# still record results and register cleanups for the main shell.
#
# Functions:
#   t_ok NAME                 print `ok - NAME`
#   t_fail NAME DETAIL        print `not ok - NAME: DETAIL`, remember the failure
#   t_skip NAME REASON        print `skip - NAME: REASON`
#   t_check NAME CMD...       run CMD; ok if it succeeds, else not ok with its status
#   t_checker PREFIX CMD...   run a checker that prints ok/not ok lines: each is
#                             recorded with PREFIX put before its name (other
#                             lines go to stderr); a checker that exits non-zero
#                             without a "not ok" line, or prints no result at
#                             all, is one more failure (a crash never passes)
#   t_done                    return 0 if nothing failed so far, else 1 (use: `t_done; exit`)
#   t_workdir                 print a new scratch dir (mktemp -d under ${TMPDIR:-/tmp}),
#                             removed at exit unless P2P_KEEP=1
#   t_on_exit CMD [ARGS...]   push a command; at exit (also INT/TERM) the stack runs
#                             in reverse order, each entry once, failures ignored
#   t_wait_for TIMEOUT_MS CMD...  run CMD every 10 ms until it succeeds (0) or
#                             TIMEOUT_MS has passed (1)
#   t_now_ms                  print the wall clock in milliseconds
#   t_repo_root               print the repository root (found from this file's path)
#   t_log MSG...              diagnostic to stderr (never counted)
#   t_pid_starttime PID       print field 22 of /proc/PID/stat (start time in ticks),
#                             which tells a process from a later one with its pid
#   t_pid_alive PID [START]   true if PID exists, is not a zombie and, given START,
#                             still has that start time
#   t_daemon_start STATE COMM OUT CMD...  start CMD in its own session (setsid),
#                             stdin /dev/null, stdout+stderr to OUT; wait until a
#                             process named COMM runs it, set T_DAEMON_PID and
#                             T_DAEMON_START to it (setsid forks when the caller has
#                             job control, so $! is not always the daemon) and write
#                             "PID START WRAPPER" to the file STATE; INT/TERM are held
#                             back meanwhile so the daemon cannot escape cleanup.
#                             Main shell only.
#   t_kill_pid PID START [TIMEOUT_MS [SIG]]  send SIG (default TERM) to the process
#                             if it is still the one that started at START, wait for
#                             it to go (default 3000 ms), then SIGKILL; reap it if it
#                             is our child
#
# The plugin under a wrapper (valgrind, .ci/valgrind.sh): P2P_WRAP holds the
# words put before the plugin binary wherever a test starts it; this is the
# one place that reads it.
#   T_WRAP                    array of those words (empty: the plain binary);
#                             use "${T_WRAP[@]}" "$BIN" ... (python drivers split
#                             P2P_WRAP with shlex the same way)
#   t_plugin_pattern BIN ARGS print an ERE for pgrep -f matching BIN ARGS, run
#                             plainly or under the wrapper
#   t_plugin_wrapper DIR BIN  print the path to give auditd as the plugin: BIN, or
#                             with P2P_WRAP a root-owned 0750 script DIR/p2p-wrap
#                             exec'ing the wrapper on BIN (auditd passes an empty
#                             environment, so the words are written into it)
#   t_plugin_status_wrapper DIR CMD STATUS  print the path of a root-owned 0750
#                             script DIR/p2p-status that runs CMD (the plugin, or
#                             t_plugin_wrapper's script) as its child on the same
#                             stdin, passes TERM, HUP, INT and USR1 on to it, and
#                             when it ends writes its exit status (128+N for
#                             signal N) to the file STATUS: auditd reaps its
#                             plugin, so this is how a test learns how it ended

if [[ -n ${_T_COMMON_LOADED:-} ]]; then
	return 0
fi
_T_COMMON_LOADED=1

# A pipeline fails when any of its commands fails: a checker that crashes
# in `checker | sed` must not pass as sed's success.
set -o pipefail

_T_MAIN_PID=$BASHPID
_T_STATE=$(mktemp -d "${TMPDIR:-/tmp}/p2p-state.XXXXXX") || {
	echo "common.sh: cannot create a state directory" >&2
	exit 1
}
: >"$_T_STATE/results"
: >"$_T_STATE/onexit"

read -ra T_WRAP <<<"${P2P_WRAP:-}"

t_plugin_pattern() {
	if ((${#T_WRAP[@]})); then
		printf '^([^ ]*/)?%s[^ ]* .*%s\n' "${T_WRAP[0]##*/}" "$*"
	else
		printf '^%s\n' "$*"
	fi
}

t_plugin_wrapper() {
	local dir=$1 bin=$2 q
	if ((${#T_WRAP[@]} == 0)); then
		printf '%s\n' "$bin"
		return 0
	fi
	printf -v q '%q ' "${T_WRAP[@]}" "$bin"
	printf '#!/bin/sh\n# written by tests/lib/common.sh (P2P_WRAP)\nexec %s"$@"\n' "$q" >"$dir/p2p-wrap" &&
		chown root:root "$dir/p2p-wrap" && chmod 0750 "$dir/p2p-wrap" || return 1
	printf '%s\n' "$dir/p2p-wrap"
}

t_plugin_status_wrapper() {
	local dir=$1 cmd=$2 status=$3
	cat >"$dir/p2p-status" <<-EOF || return 1
		#!/usr/bin/python3
		# written by tests/lib/common.sh (t_plugin_status_wrapper)
		import os, signal, sys
		SIGS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGUSR1)
		child = 0
		def forward(n, _frame):
		    if child:
		        os.kill(child, n)
		for n in SIGS:
		    signal.signal(n, forward)
		child = os.fork()
		if child == 0:
		    for n in SIGS:
		        signal.signal(n, signal.SIG_DFL)
		    os.execv("$cmd", ["$cmd"] + sys.argv[1:])
		_, st = os.waitpid(child, 0)
		code = os.waitstatus_to_exitcode(st)
		code = 128 - code if code < 0 else code
		with open("$status", "w") as f:
		    f.write("%d\n" % code)
		sys.exit(code)
	EOF
	chown root:root "$dir/p2p-status" && chmod 0750 "$dir/p2p-status" || return 1
	printf '%s\n' "$dir/p2p-status"
}

t_log() {
	printf '# %s\n' "$*" >&2
}

t_ok() {
	printf 'ok - %s\n' "$1"
	printf 'ok\n' >>"$_T_STATE/results"
}

t_fail() {
	# A detail must stay on one line: the protocol is line-based.
	local detail=${2:-failed}
	detail=${detail//$'\n'/ | }
	printf 'not ok - %s: %s\n' "$1" "$detail"
	printf 'not ok\n' >>"$_T_STATE/results"
}

t_skip() {
	printf 'skip - %s: %s\n' "$1" "${2:-skipped}"
	printf 'skip\n' >>"$_T_STATE/results"
}

t_checker() {
	local prefix=$1 rc=0 out line bad=0 n=0
	shift
	out=$("$@") || rc=$?
	while IFS= read -r line; do
		case $line in
		'ok - '*)
			t_ok "$prefix${line#ok - }"
			n=$((n + 1))
			;;
		'not ok - '*)
			printf 'not ok - %s\n' "$prefix${line#not ok - }"
			printf 'not ok\n' >>"$_T_STATE/results"
			n=$((n + 1)) bad=$((bad + 1))
			;;
		'') ;;
		*) printf '%s\n' "$line" >&2 ;;
		esac
	done <<<"$out"
	if ((rc != 0 && bad == 0)); then
		t_fail "${prefix}checker" "exit status $rc without a failing line from: $*"
	elif ((n == 0)); then
		t_fail "${prefix}checker" "no result line from: $*"
	fi
	((rc == 0 && bad == 0))
}

t_check() {
	local name=$1 rc=0
	shift
	"$@" || rc=$?
	if ((rc == 0)); then
		t_ok "$name"
	else
		t_fail "$name" "exit status $rc from: $*"
	fi
	return "$rc"
}

t_done() {
	if grep -qx 'not ok' "$_T_STATE/results"; then
		return 1
	fi
	return 0
}

# Sets the variable named $1 to the wall clock in ms (no subshell).
_t_now_ms_into() {
	local t=${EPOCHREALTIME//[.,]/}
	printf -v "$1" '%s' "${t:0:-3}"
}

t_now_ms() {
	local now
	_t_now_ms_into now
	printf '%s\n' "$now"
}

t_wait_for() {
	local timeout_ms=$1
	shift
	local now deadline
	_t_now_ms_into now
	deadline=$((now + timeout_ms))
	while :; do
		if "$@"; then
			return 0
		fi
		_t_now_ms_into now
		if ((now >= deadline)); then
			return 1
		fi
		sleep 0.01
	done
}

t_repo_root() {
	(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
}

# Fields of /proc/PID/stat after the ")" that ends comm: index 0 is field 3.
_t_stat_fields() {
	local line
	line=$(<"/proc/$1/stat") 2>/dev/null || return 1
	# A process that is exiting can yield an empty or cut read.
	[[ $line == *") "* ]] || return 1
	line=${line##*) }
	read -ra _T_STAT <<<"$line"
	((${#_T_STAT[@]} >= 20))
}

t_pid_starttime() {
	local _T_STAT
	_t_stat_fields "$1" || return 1
	printf '%s\n' "${_T_STAT[19]}"
}

t_pid_alive() {
	local _T_STAT
	[[ $1 =~ ^[0-9]+$ ]] || return 1
	_t_stat_fields "$1" 2>/dev/null || return 1
	[[ ${_T_STAT[0]} != Z && ${_T_STAT[0]} != X ]] || return 1
	[[ -z ${2:-} || ${_T_STAT[19]} == "$2" ]]
}

t_kill_pid() {
	local pid=$1 start=$2 timeout_ms=${3:-3000} sig=${4:-TERM}
	if t_pid_alive "$pid" "$start"; then
		kill -"$sig" "$pid" 2>/dev/null
		if ! t_wait_for "$timeout_ms" _t_pid_gone "$pid" "$start"; then
			t_log "pid $pid still there ${timeout_ms} ms after SIG$sig, sending SIGKILL"
			kill -KILL "$pid" 2>/dev/null
			t_wait_for 2000 _t_pid_gone "$pid" "$start"
		fi
	fi
	# Reap it if it is a child of this shell; silently a no-op otherwise.
	wait "$pid" 2>/dev/null
	return 0
}

t_daemon_start() {
	local state=$1 comm=$2 out=$3
	shift 3
	T_DAEMON_PID=
	T_DAEMON_START=
	# From the fork until STATE names the daemon, an INT/TERM would leave
	# it running with nobody to stop it: hold signals until then.
	_t_defer_signals
	# fd 3 is a test's own (plugin.sh: the plugin's stdin): a daemon must
	# not hold it open, or the plugin never sees its EOF
	setsid -w "$@" </dev/null >"$out" 2>&1 3>&- &
	_T_DAEMON_WRAPPER=$!
	if ! t_wait_for 2000 _t_daemon_resolve "$_T_DAEMON_WRAPPER" "$comm" ||
		! T_DAEMON_START=$(t_pid_starttime "$T_DAEMON_PID"); then
		t_log "t_daemon_start: no process '$comm' appeared for: $*"
		_t_kill_tree "$_T_DAEMON_WRAPPER"
		T_DAEMON_PID=
		_t_undefer_signals
		return 1
	fi
	printf '%s %s %s\n' "$T_DAEMON_PID" "$T_DAEMON_START" "$_T_DAEMON_WRAPPER" >"$state"
	_t_undefer_signals
	return 0
}

# SIGKILLs $1 and its children (one level), then reaps $1.
_t_kill_tree() {
	local -a c=()
	read -ra c <<<"$(cat "/proc/$1/task/$1/children" 2>/dev/null)"
	kill -KILL "$1" "${c[@]}" 2>/dev/null
	wait "$1" 2>/dev/null
}

# Sets T_DAEMON_PID once $1 has become COMM $2, or its child (setsid forked) has.
_t_daemon_resolve() {
	local w=$1 comm=$2 c child
	c=$(<"/proc/$w/comm") 2>/dev/null || return 1
	if [[ $c == "$comm" ]]; then
		T_DAEMON_PID=$w
		return 0
	fi
	[[ $c == setsid ]] || return 1
	# No trailing newline in "children": read(1) would fail on it.
	child=$(<"/proc/$w/task/$w/children") 2>/dev/null || return 1
	child=${child%% *}
	[[ -n $child ]] || return 1
	c=$(<"/proc/$child/comm") 2>/dev/null || return 1
	[[ $c == "$comm" ]] || return 1
	T_DAEMON_PID=$child
}

_t_pid_gone() {
	! t_pid_alive "$1" "$2"
}

# Pushes one command; its words are quoted now and eval'ed at exit.
t_on_exit() {
	local q
	printf -v q '%q ' "$@"
	printf '%s\n' "$q" >>"$_T_STATE/onexit"
}

t_workdir() {
	local w
	w=$(mktemp -d "${TMPDIR:-/tmp}/p2p-test.XXXXXX") || return 1
	if [[ ${P2P_KEEP:-0} == 1 ]]; then
		t_log "keeping work dir $w (P2P_KEEP=1)"
	else
		t_on_exit rm -rf -- "$w"
	fi
	printf '%s\n' "$w"
}

# Runs the cleanup stack once, in the main shell only (a subshell that
# inherited the trap must not tear down what the main shell still uses).
_t_run_exit() {
	local rc=$?
	[[ $BASHPID == "$_T_MAIN_PID" ]] || return "$rc"
	trap '' INT TERM HUP
	trap - EXIT
	local -a stack=()
	local i
	if [[ -f $_T_STATE/onexit ]]; then
		mapfile -t stack <"$_T_STATE/onexit"
		: >"$_T_STATE/onexit"
		for ((i = ${#stack[@]} - 1; i >= 0; i--)); do
			[[ -n ${stack[i]} ]] || continue
			eval "${stack[i]}" </dev/null || t_log "cleanup failed: ${stack[i]}"
		done
	fi
	rm -rf -- "$_T_STATE"
	exit "$rc"
}

# Critical sections (main shell): a signal arriving inside one is acted on
# when it ends.
_T_DEFER=0
_T_PENDING=
_t_defer_signals() {
	_T_DEFER=1
}

_t_undefer_signals() {
	_T_DEFER=0
	if [[ -n $_T_PENDING ]]; then
		_t_on_signal "$_T_PENDING"
	fi
}

_t_on_signal() {
	if ((_T_DEFER)) && [[ $BASHPID == "$_T_MAIN_PID" ]]; then
		_T_PENDING=$1
		return 0
	fi
	t_log "caught SIG$1, cleaning up"
	case $1 in
	INT) exit 130 ;;
	TERM) exit 143 ;;
	*) exit 129 ;;
	esac
}

trap _t_run_exit EXIT
trap '_t_on_signal INT' INT
trap '_t_on_signal TERM' TERM
trap '_t_on_signal HUP' HUP
