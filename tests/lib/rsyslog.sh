# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2034 # variables set here are read by the tests
# tests/lib/rsyslog.sh - a private, real rsyslogd owning /dev/log.
#
# Requires common.sh. Until a syslog daemon creates /dev/log, glibc's
# syslog(3) drops messages silently (and auditd logs its own errors there),
# so tests that need to see syslog output start this first.
# The config is private ($W/rsyslog.conf): maxMessageSize 16k (declared before
# imuxsock is loaded, or it does not apply to it), imuxsock on /dev/log with
# rate limiting off, no imklog, and every message written to $W/syslog.out as
#   FACILITY.SEVERITY TAG MSG        e.g. "daemon.err auditd[123]: ..."
#
# Functions:
#   rsyslog_start W     start `setsid rsyslogd -n -f $W/rsyslog.conf -i $W/rsyslogd.pid`,
#                       wait until /dev/log is a socket rsyslogd listens on,
#                       register rsyslog_stop as cleanup; sets RSYSLOG_PID and
#                       RSYSLOG_OUT. Call it in the main shell. Returns 0 when
#                       up, 2 when refused (a live /dev/log of another daemon,
#                       or already started), 1 when rsyslogd did not come up.
#   rsyslog_stop        SIGTERM our rsyslogd, wait until gone, make sure
#                       /dev/log is gone. Idempotent.
#   rsyslog_wait_lines FILE N TIMEOUT_MS
#                       wait until FILE has at least N lines (0), else 1.

_RSYSLOG_BIN=/usr/sbin/rsyslogd
_RSYSLOG_SOCK=/dev/log
_RSYSLOG_START_TIMEOUT_MS=5000

# Prints "pid=..." of the process listening on /dev/log, if any (status 0).
_rsyslog_sock_listener() {
	local out
	# An AF_UNIX datagram socket never "listens": look at all of them.
	out=$(ss -xapnH 2>/dev/null | awk -v s="$_RSYSLOG_SOCK" '$5 == s { print; exit }')
	[[ -n $out ]] || return 1
	printf '%s\n' "$out"
}

rsyslog_start() {
	if (($# != 1)); then
		echo "usage: rsyslog_start W" >&2
		return 2
	fi
	local w=$1 who
	if [[ -n ${RSYSLOG_PID:-} ]]; then
		echo "rsyslog_start: this test already started rsyslogd (pid $RSYSLOG_PID)" >&2
		return 2
	fi
	if [[ -e $_RSYSLOG_SOCK || -L $_RSYSLOG_SOCK ]]; then
		if who=$(_rsyslog_sock_listener); then
			echo "rsyslog_start: refusing: $_RSYSLOG_SOCK belongs to a running daemon: $who" >&2
			return 2
		fi
		if [[ ! -S $_RSYSLOG_SOCK ]]; then
			echo "rsyslog_start: refusing: $_RSYSLOG_SOCK exists and is not a socket" >&2
			return 2
		fi
		# A stale socket nobody listens on: rsyslogd unlinks and rebinds it.
		t_log "rsyslog_start: replacing a stale $_RSYSLOG_SOCK"
	fi

	RSYSLOG_OUT=$w/syslog.out
	cat >"$w/rsyslog.conf" <<EOF
# written by tests/lib/rsyslog.sh
global(maxMessageSize="16k" workDirectory="$w")
module(load="imuxsock" SysSock.Name="$_RSYSLOG_SOCK" SysSock.RateLimit.Interval="0")
template(name="p2ptest" type="string"
	 string="%syslogfacility-text%.%syslogseverity-text% %syslogtag%%msg:::sp-if-no-1st-sp%%msg:::drop-last-lf%\n")
*.* action(type="omfile" file="$RSYSLOG_OUT" template="p2ptest")
EOF
	chmod 0640 "$w/rsyslog.conf"
	: >"$RSYSLOG_OUT"

	local t0 t1
	t0=$(t_now_ms)
	t_on_exit rsyslog_stop
	if ! t_daemon_start "$_T_STATE/rsyslog.pid" rsyslogd "$w/rsyslogd.stderr" \
		"$_RSYSLOG_BIN" -n -f "$w/rsyslog.conf" -i "$w/rsyslogd.pid"; then
		echo "rsyslog_start: rsyslogd did not start; stderr: $(tail -n 5 "$w/rsyslogd.stderr" 2>/dev/null)" >&2
		return 1
	fi
	RSYSLOG_PID=$T_DAEMON_PID
	export RSYSLOG_PID RSYSLOG_OUT
	t_wait_for "$_RSYSLOG_START_TIMEOUT_MS" _rsyslog_up "$RSYSLOG_PID"
	if ! _rsyslog_sock_listener | grep -q "pid=$RSYSLOG_PID,"; then
		echo "rsyslog_start: rsyslogd (pid $RSYSLOG_PID) did not listen on $_RSYSLOG_SOCK within ${_RSYSLOG_START_TIMEOUT_MS} ms; stderr: $(tail -n 5 "$w/rsyslogd.stderr" 2>/dev/null)" >&2
		rsyslog_stop
		return 1
	fi
	t1=$(t_now_ms)
	RSYSLOG_START_MS=$((t1 - t0))
	return 0
}

_rsyslog_up() {
	t_pid_alive "$1" || return 0 # died: stop waiting, the caller sees it
	[[ -S $_RSYSLOG_SOCK ]] && _rsyslog_sock_listener | grep -q "pid=$1,"
}

rsyslog_stop() {
	local pid start wrapper
	[[ -f $_T_STATE/rsyslog.pid ]] || return 0
	read -r pid start wrapper <"$_T_STATE/rsyslog.pid"
	t_kill_pid "$pid" "$start" 3000
	wait "$wrapper" 2>/dev/null
	# rsyslogd unlinks /dev/log on exit; after a SIGKILL it cannot.
	if [[ -S $_RSYSLOG_SOCK ]] && ! _rsyslog_sock_listener >/dev/null; then
		rm -f "$_RSYSLOG_SOCK"
	fi
	rm -f "$_T_STATE/rsyslog.pid"
	RSYSLOG_PID=
	export RSYSLOG_PID
	return 0
}

_rsyslog_has_lines() {
	local n
	[[ -f $1 ]] || return 1
	n=$(wc -l <"$1")
	((n >= $2))
}

rsyslog_wait_lines() {
	if (($# != 3)); then
		echo "usage: rsyslog_wait_lines FILE N TIMEOUT_MS" >&2
		return 2
	fi
	t_wait_for "$3" _rsyslog_has_lines "$1" "$2"
}
