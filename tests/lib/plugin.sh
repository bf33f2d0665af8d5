# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# tests/lib/plugin.sh - run the plugin binary by itself, its stdin a FIFO the
# test writes to, so a test can wait for the plugin (e.g. for its first pod
# list) before it sends records, and keep feeding while it changes things.
# Requires common.sh.
#
#   plugin_fifo_start BIN CONF OUT   start BIN -c CONF < fifo > OUT in the
#                                    background; fd 3 is the fifo's writing
#                                    end.  Sets PLUGIN_PID.  Cleanup registered.
#                                    Under P2P_WRAP (common.sh) when set.
#   plugin_wait_log FILE PATTERN [TIMEOUT_MS]  wait until FILE has PATTERN (grep -E)
#   plugin_finish [TIMEOUT_MS]       close fd 3 (EOF: the plugin drains and
#                                    exits); wait for it.  Status: its exit
#                                    status, 124 when it did not exit in time.

plugin_fifo_start() {
	local bin=$1 conf=$2 out=$3 fifo
	fifo=$(dirname "$out")/plugin.in.$$
	rm -f "$fifo"
	mkfifo "$fifo" || return 1
	"${T_WRAP[@]}" "$bin" -c "$conf" <"$fifo" >"$out" 2>"$out.stderr" &
	PLUGIN_PID=$!
	t_on_exit t_kill_pid "$PLUGIN_PID" "$(t_pid_starttime "$PLUGIN_PID")" 1000 KILL
	exec 3>"$fifo"
	rm -f "$fifo"
}

plugin_wait_log() {
	local ms=${3:-5000}
	# under a wrapper (valgrind: 20-50x slower) a TLS fetch and a parse of
	# hundreds of pods take far longer than the plain binary's
	((${#T_WRAP[@]})) && ms=$((ms * 8))
	t_wait_for "$ms" grep -qE "$2" "$1" 2>/dev/null
}

plugin_finish() {
	local timeout_ms=${1:-20000} rc
	exec 3>&-
	if ! t_wait_for "$timeout_ms" _plugin_gone; then
		kill -KILL "$PLUGIN_PID" 2>/dev/null
		wait "$PLUGIN_PID" 2>/dev/null
		return 124
	fi
	wait "$PLUGIN_PID"
	rc=$?
	return "$rc"
}

_plugin_gone() {
	! kill -0 "$PLUGIN_PID" 2>/dev/null || [[ $(awk '{print $3}' "/proc/$PLUGIN_PID/stat" 2>/dev/null) == Z ]]
}
