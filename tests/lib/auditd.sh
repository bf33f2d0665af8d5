# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2034 # variables set here are read by the tests
# tests/lib/auditd.sh - a private, real auditd delivering to one plugin.
#
# Requires common.sh. Nothing under /etc is touched: auditd runs with
# `-c $W` on a copy of /etc/audit/auditd.conf whose log_file and plugin_dir
# point into $W. There is one audit daemon per kernel, so auditd_start
# refuses (status 2) when another one is registered or running.
#
# Functions:
#   auditd_start W PLUGIN_BIN PLUGIN_ARGS [KEY=VALUE...]
#       Write $W/auditd.conf and $W/plugins.d/plugin.conf, start
#       `setsid auditd -n -c $W`, wait until the kernel shows its pid
#       (`auditctl -s`), register auditd_stop as cleanup. Call it in the main
#       shell (not in $(...)): it sets and exports AUDITD_PID.
#       PLUGIN_ARGS is at most 2 words (auditd 3.0.x), "" for none.
#       KEY=VALUE overrides one auditd.conf key; allowed: log_format,
#       name_format, name, q_depth, overflow_action, max_restarts,
#       end_of_event_timeout, flush, freq, priority_boost.
#       With AUDITD_PLUGIN_STATUS=FILE set, auditd runs the plugin through
#       t_plugin_status_wrapper, which writes its exit status to FILE.
#       Returns 0 when running, 2 when refused (bad arguments, a plugin auditd
#       would reject, another auditd), 1 when auditd failed to come up
#       (its stderr and log are in $W/auditd.stderr, syslog).
#   auditd_rule ARGS...   auditctl ARGS...; the first call registers an
#                         `auditctl -D` cleanup (rules outlive auditd).
#   auditd_hup            SIGHUP to the auditd we started (config reload).
#   auditd_stop           auditctl -D, SIGTERM our auditd (SIGKILL after 5 s),
#                         wait until it is gone and `auditctl -s` shows pid 0.
#                         Idempotent; a no-op if we started nothing.
#   auditd_registered_pid print the pid the kernel sends audit records to (0: none).
#
# What auditd 3.0.9 checks before it runs a plugin (audisp/audispd-pconfig.c,
# path_parser), mirrored by _auditd_check_plugin so a refusal is explained here
# instead of only in syslog:
#   - `path` is absolute and its dirname is at least 4 characters ("/var");
#   - stat(path) succeeds (symlinks are followed), S_ISREG;
#   - st_uid == 0;
#   - the mode has all of 0750 (u=rwx, g=rx); other bits may be set (0755 passes);
#   - the inode is remembered: on SIGHUP a changed binary is restarted.
# auditd runs as root, so search permission on the directories is not a real
# obstacle, but every ancestor must exist and be a directory; we check that.
# The plugin conf itself must be a regular root-owned file, not
# world-writable (newer audit: not group-writable either), in a plugin_dir
# whose names hold at most one '.' (3.0.9 skips others; 4.x wants ".conf").
# `args` holds at most 2 words in 3.0.x. The plugin is exec'd with an empty
# environment, stdin a socket, stdout/stderr /dev/null.
# With P2P_WRAP set (see common.sh), the plugin path auditd gets is a wrapper
# script in W that execs the wrapper (valgrind) on the binary.

_AUDITD_BIN=/usr/sbin/auditd
_AUDITD_SYS_CONF=/etc/audit/auditd.conf
_AUDITD_START_TIMEOUT_MS=5000
_AUDITD_STOP_TIMEOUT_MS=5000
_AUDITD_OVERRIDABLE=" log_format name_format name q_depth overflow_action max_restarts end_of_event_timeout flush freq priority_boost "

auditd_registered_pid() {
	auditctl -s 2>/dev/null | awk '$1 == "pid" { print $2; found = 1 } END { if (!found) print "?" }'
}

_auditd_registered_is() {
	[[ $(auditd_registered_pid) == "$1" ]]
}

_auditd_check_plugin() {
	local bin=$1 dir mode uid
	if [[ $bin != /* ]]; then
		echo "auditd_start: plugin path '$bin' is not absolute" >&2
		return 2
	fi
	dir=$(dirname -- "$bin")
	if ((${#dir} < 4)); then
		echo "auditd_start: auditd rejects a plugin in a directory shorter than 4 characters: '$dir'" >&2
		return 2
	fi
	while [[ $dir != / ]]; do
		if [[ ! -d $dir || ! -x $dir ]]; then
			echo "auditd_start: '$dir' (on the plugin's path) is not a searchable directory" >&2
			return 2
		fi
		dir=$(dirname -- "$dir")
	done
	if [[ ! -f $bin ]]; then
		echo "auditd_start: plugin '$bin' is not a regular file" >&2
		return 2
	fi
	read -r mode uid < <(stat -L -c '%a %u' -- "$bin")
	if [[ $uid != 0 ]]; then
		echo "auditd_start: plugin '$bin' is owned by uid $uid; auditd wants root" >&2
		return 2
	fi
	if (((8#$mode & 8#0750) != 8#0750)); then
		echo "auditd_start: plugin '$bin' has mode $mode; auditd wants at least 0750" >&2
		return 2
	fi
	return 0
}

# Writes $1/auditd.conf from the system one with KEY=VALUE overrides ($2...).
_auditd_write_conf() {
	local w=$1
	shift
	local kv key
	local -a sets=("log_file=$w/audit.log" "plugin_dir=$w/plugins.d")
	for kv in "$@"; do
		key=${kv%%=*}
		if [[ $kv != *=* || $_AUDITD_OVERRIDABLE != *" $key "* ]]; then
			echo "auditd_start: cannot override '$kv' (allowed:$_AUDITD_OVERRIDABLE)" >&2
			return 2
		fi
		sets+=("$kv")
	done
	# Replace each key where the system file sets it, append the others.
	printf '%s\n' "${sets[@]}" | awk '
		FNR == NR { k = $0; sub(/=.*/, "", k); v = $0; sub(/^[^=]*=/, "", v);
			    want[k] = v; order[++n] = k; next }
		{ k = $0; sub(/^[ \t]*/, "", k); sub(/[ \t]*=.*/, "", k) }
		$0 !~ /^[ \t]*#/ && (k in want) { print k " = " want[k]; done[k] = 1; next }
		{ print }
		END { for (i = 1; i <= n; i++) if (!(order[i] in done)) print order[i] " = " want[order[i]] }
	' - "$_AUDITD_SYS_CONF" >"$w/auditd.conf" || return 1
	chown root:root "$w/auditd.conf" && chmod 0640 "$w/auditd.conf"
}

auditd_start() {
	if (($# < 3)); then
		echo "usage: auditd_start W PLUGIN_BIN PLUGIN_ARGS [KEY=VALUE...]" >&2
		return 2
	fi
	local w=$1 bin=$2 args=$3 other
	shift 3
	local -a words=()
	read -ra words <<<"$args"
	if ((${#words[@]} > 2)); then
		echo "auditd_start: plugin args '$args' has ${#words[@]} words; auditd 3.0.x passes at most 2" >&2
		return 2
	fi
	[[ $bin == /* ]] || bin=$PWD/$bin
	_auditd_check_plugin "$bin" || return
	# P2P_WRAP (valgrind): auditd runs a wrapper script that execs it on bin
	mkdir -p "$w" && bin=$(t_plugin_wrapper "$w" "$bin") || return 1
	# AUDITD_PLUGIN_STATUS=FILE: the plugin's exit status is written there
	if [[ -n ${AUDITD_PLUGIN_STATUS:-} ]]; then
		bin=$(t_plugin_status_wrapper "$w" "$bin" "$AUDITD_PLUGIN_STATUS") || return 1
	fi
	if [[ -n ${AUDITD_PID:-} ]]; then
		echo "auditd_start: this test already started auditd (pid $AUDITD_PID)" >&2
		return 2
	fi
	other=$(auditd_registered_pid)
	if [[ $other != 0 ]]; then
		echo "auditd_start: refusing: the kernel already sends audit records to pid $other ($(cat "/proc/$other/comm" 2>/dev/null || echo '?'))" >&2
		return 2
	fi
	if other=$(pgrep -x auditd); then
		echo "auditd_start: refusing: an auditd is running: pid(s) ${other//$'\n'/ }" >&2
		return 2
	fi

	mkdir -p "$w/plugins.d" || return 1
	chmod 0750 "$w/plugins.d"
	_auditd_write_conf "$w" "$@" || return
	{
		echo "# written by tests/lib/auditd.sh"
		echo "active = yes"
		echo "direction = out"
		echo "path = $bin"
		echo "type = always"
		((${#words[@]} == 0)) || echo "args = ${words[*]}"
		echo "format = string"
	} >"$w/plugins.d/plugin.conf"
	chown root:root "$w/plugins.d/plugin.conf" && chmod 0640 "$w/plugins.d/plugin.conf" || return 1

	local t0 t1
	t0=$(t_now_ms)
	# With -n auditd stays in the foreground. Never -f: it writes no log
	# and crashed on SIGUSR1 here.
	t_on_exit auditd_stop
	if ! t_daemon_start "$_T_STATE/auditd.pid" auditd "$w/auditd.stderr" \
		"$_AUDITD_BIN" -n -c "$w"; then
		echo "auditd_start: auditd did not start; stderr: $(tail -n 5 "$w/auditd.stderr" 2>/dev/null)" >&2
		return 1
	fi
	AUDITD_PID=$T_DAEMON_PID
	export AUDITD_PID
	t_wait_for "$_AUDITD_START_TIMEOUT_MS" _auditd_up "$AUDITD_PID"
	if ! _auditd_registered_is "$AUDITD_PID"; then
		echo "auditd_start: auditd (pid $AUDITD_PID) did not register within ${_AUDITD_START_TIMEOUT_MS} ms; registered pid: $(auditd_registered_pid); stderr: $(tail -n 5 "$w/auditd.stderr" 2>/dev/null)" >&2
		auditd_stop
		return 1
	fi
	t1=$(t_now_ms)
	AUDITD_START_MS=$((t1 - t0))
	return 0
}

# Up when the kernel names it as the audit daemon; fails early if it died.
_auditd_up() {
	t_pid_alive "$1" || return 0 # died: stop waiting, the caller sees it
	_auditd_registered_is "$1"
}

auditd_rule() {
	if [[ ! -e $_T_STATE/auditd.rules ]]; then
		: >"$_T_STATE/auditd.rules"
		t_on_exit _auditd_delete_rules
	fi
	auditctl "$@"
}

_auditd_delete_rules() {
	[[ -e $_T_STATE/auditd.rules ]] || return 0
	auditctl -D >/dev/null || return 1
	rm -f "$_T_STATE/auditd.rules"
}

auditd_hup() {
	[[ -n ${AUDITD_PID:-} ]] || {
		echo "auditd_hup: no auditd started by this test" >&2
		return 1
	}
	kill -HUP "$AUDITD_PID"
}

auditd_stop() {
	local pid start wrapper
	[[ -f $_T_STATE/auditd.pid ]] || {
		_auditd_delete_rules
		return 0
	}
	read -r pid start wrapper <"$_T_STATE/auditd.pid"
	# Rules outlive auditd; with no daemon they would go to printk.
	auditctl -D >/dev/null 2>&1
	rm -f "$_T_STATE/auditd.rules"
	t_kill_pid "$pid" "$start" "$_AUDITD_STOP_TIMEOUT_MS"
	wait "$wrapper" 2>/dev/null
	if ! t_wait_for 3000 _auditd_registered_is 0; then
		echo "auditd_stop: the kernel still names pid $(auditd_registered_pid) as audit daemon" >&2
	fi
	rm -f "$_T_STATE/auditd.pid"
	AUDITD_PID=
	export AUDITD_PID
	return 0
}

# auditd_with_plugin W BIN CONF [KEY=VALUE...] - start auditd
# in $W/auditd with BIN -c CONF as its plugin (overrides as auditd_start),
# and wait until the plugin runs and has had time to subscribe to the
# process connector.  On failure it records a failing case and returns 1:
# the caller just does `auditd_with_plugin ... || { t_done; exit; }`.
auditd_with_plugin() {
	local w=$1 bin=$2 conf=$3
	shift 3
	mkdir -p "$w/auditd"
	if ! auditd_start "$w/auditd" "$bin" "-c $conf" "$@"; then
		t_fail "auditd start" "another auditd is registered, or it did not come up"
		return 1
	fi
	t_wait_for 3000 sh -c "pgrep -f '$(t_plugin_pattern "$bin" -c "$conf")' >/dev/null" || {
		t_fail "plugin start" "auditd did not start $bin"
		return 1
	}
	sleep 0.3
}
