#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# pid2pod-entrypoint - auditd with the pid2pod plugin in a DaemonSet pod.
#
# Writes auditd's configuration under $PID2POD_RUN (auditd runs in the
# foreground, `auditd -n -c DIR`, with the pid2pod stanza active), copies
# pid2pod.conf from the ConfigMap to a root-only file and checks it, starts
# rsyslogd (records and the daemons' messages to this container's stdout),
# then auditd, raises the kernel's backlog to PID2POD_BACKLOG_MIN (never
# lowers it), loads the audit rules and waits.  SIGTERM: the rules it
# loaded are deleted (they outlive auditd), auditd and rsyslogd stopped,
# and the node's audit settings as they were before the first start in
# this pod (backlog limit, enabled flag; kept in $PID2POD_RUN, which lives
# as long as the pod) put back.  Rules that were loaded before are left.
#
# Refuses to start where the kernel already has an audit daemon: one per
# kernel; such nodes run the pid2pod package with their own auditd.
#
#   pid2pod-entrypoint                 run (the container's command)
#   pid2pod-entrypoint --write-config  write and check the files, exit
#   pid2pod-entrypoint --alive         the liveness probe: this pod's auditd
#                                      is the kernel's audit daemon and the
#                                      plugin rewrote metrics_file within
#                                      3 x metrics_interval (exit 0), else 1
#
# Environment (defaults for the image):
#   PID2POD_CONF     pid2pod.conf to use      (/etc/pid2pod/pid2pod.conf)
#   PID2POD_RULES    audit rules, auditctl -R (/etc/pid2pod/audit.rules;
#                    absent: the package's rules without -w lines)
#   PID2POD_RUN      generated files          (/run/pid2pod)
#   PID2POD_LOG_DIR  auditd's audit.log       (/var/log/audit)
#   PID2POD_STANZA   the package's plugins.d stanza
#                    (/etc/audit/plugins.d/pid2pod.conf)
#   PID2POD_PLUGIN   the plugin binary        (path = of that stanza)
#   PID2POD_BACKLOG_MIN  kernel backlog limit at least this (8192; 0: leave)
set -euo pipefail

CONF=${PID2POD_CONF:-/etc/pid2pod/pid2pod.conf}
RULES=${PID2POD_RULES:-/etc/pid2pod/audit.rules}
RUN=${PID2POD_RUN:-/run/pid2pod}
LOG_DIR=${PID2POD_LOG_DIR:-/var/log/audit}
STANZA=${PID2POD_STANZA:-/etc/audit/plugins.d/pid2pod.conf}
PACKAGE_RULES=/usr/share/pid2pod/70-pid2pod.rules
BACKLOG_MIN=${PID2POD_BACKLOG_MIN:-8192}
START_TIMEOUT_S=5
ALIVE_INTERVALS=3

say() { echo "pid2pod-entrypoint: $*" >&2; }
die() { say "$*"; exit 1; }

write_config() {
	local a=$RUN/audit plugin
	plugin=${PID2POD_PLUGIN:-$(sed -n 's/^path *= *//p' "$STANZA")}
	[ -n "$plugin" ] || die "no plugin path in $STANZA"
	[ -r "$CONF" ] || die "no configuration at $CONF (the ConfigMap's pid2pod.conf)"
	# the plugin trusts its config and the service account's token only
	# below directories no one else can write (pid2pod.conf(5), FILES
	# PID2POD TRUSTS); the pod's /run is an emptyDir, which Kubernetes
	# makes 0777 without the sticky bit: it is this container's own, so
	# it is closed to others here
	chmod go-w "$(dirname "$RUN")"
	install -d -m 0750 "$a" "$a/plugins.d" "$RUN/rsyslog"
	mkdir -p "$LOG_DIR"

	# the ConfigMap's file is a world-readable symlink: the plugin gets
	# a root-only copy
	install -m 0640 "$CONF" "$a/pid2pod.conf"
	"$plugin" -n -c "$a/pid2pod.conf" >/dev/null ||
		die "$CONF rejected by $plugin -n (see above)"

	# auditd.conf: Debian's defaults, less what a container cannot do
	# (no mail, no halt or single-user on a full disk, no priority boost,
	# no group it may not chown to), auditd's queue raised for busy nodes
	cat >"$a/auditd.conf" <<-CONF
		# written by pid2pod-entrypoint
		local_events = yes
		write_logs = yes
		log_file = $LOG_DIR/audit.log
		log_group = root
		log_format = ENRICHED
		flush = INCREMENTAL_ASYNC
		freq = 50
		max_log_file = 8
		num_logs = 5
		priority_boost = 0
		name_format = NONE
		max_log_file_action = ROTATE
		space_left = 75
		space_left_action = SYSLOG
		verify_email = no
		action_mail_acct = root
		admin_space_left = 50
		admin_space_left_action = SUSPEND
		disk_full_action = SUSPEND
		disk_error_action = SUSPEND
		use_libwrap = no
		distribute_network = no
		q_depth = 20000
		overflow_action = SYSLOG
		max_restarts = 10
		plugin_dir = $a/plugins.d
		end_of_event_timeout = 2
	CONF
	# the package's stanza, switched on, pointing at the copy
	sed -e 's/^active *=.*/active = yes/' \
		-e "s|^path *=.*|path = $plugin|" \
		-e "s|^args *=.*|args = -c $a/pid2pod.conf|" \
		"$STANZA" >"$a/plugins.d/pid2pod.conf"
	grep -qx 'active = yes' "$a/plugins.d/pid2pod.conf" || die "$STANZA has no active line"

	cat >"$RUN/rsyslog.conf" <<-CONF
		# written by pid2pod-entrypoint: /dev/log to stdout; 16k for
		# records near auditd's 8970-byte limit (before imuxsock)
		global(maxMessageSize="16k" workDirectory="$RUN/rsyslog")
		module(load="imuxsock" SysSock.Name="/dev/log" SysSock.RateLimit.Interval="0")
		template(name="pid2pod" type="string"
			 string="%syslogtag%%msg:::sp-if-no-1st-sp%%msg:::drop-last-lf%\n")
		*.* action(type="omfile" file="/dev/stdout" template="pid2pod")
	CONF
	chmod 0640 "$a/auditd.conf" "$a/plugins.d/pid2pod.conf" "$RUN/rsyslog.conf"

	if [ -s "$RULES" ]; then
		install -m 0640 "$RULES" "$RUN/audit.rules"
	elif [ -r "$PACKAGE_RULES" ]; then
		grep -v -e '^-w' "$PACKAGE_RULES" >"$RUN/audit.rules"
	else
		: >"$RUN/audit.rules"
	fi
}

# audit_status FIELD: a field of `auditctl -s` (pid, enabled, backlog_limit)
audit_status() {
	auditctl -s 2>/dev/null | awk -v f="$1" '$1 == f { print $2 }'
}
registered_pid() { audit_status pid; }

# conf_value KEY: KEY's value in the plugin's config copy (empty: unset)
conf_value() {
	sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$RUN/audit/pid2pod.conf" | tail -1
}

# The liveness probe.  Healthy and idle: the plugin rewrites metrics_file
# every metrics_interval seconds whatever the load, so only a plugin that
# is stuck (or gone for good) lets it age.
alive() {
	local pid file interval age
	read -r pid <"$RUN/auditd.pid" 2>/dev/null || { say "not started"; return 1; }
	[ "$(registered_pid)" = "$pid" ] || { say "auditd $pid is not the kernel's audit daemon"; return 1; }
	file=$(conf_value metrics_file)
	[ -n "$file" ] || return 0
	interval=$(conf_value metrics_interval)
	interval=${interval:-60}
	if [ -e "$file" ]; then
		age=$(($(date +%s) - $(stat -c %Y "$file")))
	else
		age=$(($(date +%s) - $(stat -c %Y "$RUN/auditd.pid")))
	fi
	[ "$age" -le $((ALIVE_INTERVALS * interval)) ] ||
		{ say "$file not rewritten for $age s (metrics_interval $interval)"; return 1; }
}

# wait_until SECONDS CMD...: poll CMD every 0.1 s
wait_until() {
	local n=$(($1 * 10))
	shift
	while ! "$@"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
	done
}

# The node's settings before this pod's first start, "backlog_limit enabled"
# (a restarted container finds them in $RUN and keeps the first ones).
save_node_state() {
	[ -s "$RUN/node-audit.state" ] ||
		echo "$(audit_status backlog_limit) $(audit_status enabled)" >"$RUN/node-audit.state"
}
# our rules only (-a becomes -d, -w becomes -W); -c: one already gone
# does not stop the others
unload_rules() {
	[ -s "$RUN/audit.rules" ] || return 0
	{ echo -c; sed -n -e 's/^-a /-d /p' -e 's/^-w /-W /p' "$RUN/audit.rules"; } >"$RUN/audit.unload"
	auditctl -R "$RUN/audit.unload" >/dev/null 2>&1 || true
}
restore_node_state() {
	local backlog enabled
	read -r backlog enabled <"$RUN/node-audit.state" 2>/dev/null || return 0
	[ -z "$backlog" ] || auditctl -b "$backlog" >/dev/null || say "cannot put the backlog limit back to $backlog"
	case $enabled in
	0 | 1) auditctl -e "$enabled" >/dev/null || say "cannot put the enabled flag back to $enabled" ;;
	esac
}

AUDITD_PID='' RSYSLOG_PID='' STATE_SAVED=''
stop() {
	local rc=${1:-0}
	trap '' TERM INT
	[ -z "$STATE_SAVED" ] || unload_rules
	[ -z "$AUDITD_PID" ] || { kill -TERM "$AUDITD_PID" 2>/dev/null; wait "$AUDITD_PID" || true; }
	[ -z "$STATE_SAVED" ] || restore_node_state
	[ -z "$RSYSLOG_PID" ] || { kill -TERM "$RSYSLOG_PID" 2>/dev/null; wait "$RSYSLOG_PID" || true; }
	say "stopped"
	exit "$rc"
}

if [ "${1:-}" = --alive ]; then
	alive
	exit
fi
write_config
if [ "${1:-}" = --write-config ]; then
	say "configuration written to $RUN"
	exit 0
fi
[ $# -eq 0 ] || die "usage: pid2pod-entrypoint [--write-config | --alive]"

other=$(registered_pid)
[ -n "$other" ] || die "auditctl -s failed: is CAP_AUDIT_CONTROL granted, hostPID set?"
if [ "$other" != 0 ]; then
	die "the kernel already has an audit daemon (pid $other): this node runs auditd; install the pid2pod package there and label the node pid2pod.io/host-auditd=true"
fi

trap 'stop 0' TERM INT
save_node_state
STATE_SAVED=1
rsyslogd -n -f "$RUN/rsyslog.conf" -i "$RUN/rsyslogd.pid" &
RSYSLOG_PID=$!
wait_until "$START_TIMEOUT_S" test -S /dev/log || stop 1
auditd -n -c "$RUN/audit" &
AUDITD_PID=$!
auditd_up() { [ "$(registered_pid)" = "$AUDITD_PID" ]; }
wait_until "$START_TIMEOUT_S" auditd_up || { say "auditd did not register"; stop 1; }
echo "$AUDITD_PID" >"$RUN/auditd.pid"
backlog=$(audit_status backlog_limit)
if [ "$BACKLOG_MIN" -gt 0 ] && [ "${backlog:-0}" -lt "$BACKLOG_MIN" ]; then
	auditctl -b "$BACKLOG_MIN" >/dev/null || { say "cannot raise the backlog limit"; stop 1; }
fi
if [ -s "$RUN/audit.rules" ]; then
	# -c: a rule left by a container killed before its cleanup is there
	# already ("Rule exists"); the others still load, any other error stops
	{ echo -c; cat "$RUN/audit.rules"; } >"$RUN/audit.load"
	if ! auditctl -R "$RUN/audit.load" >"$RUN/auditctl.out" 2>&1 &&
		grep -v -e '(Rule exists)' -e '^There was an error in line' "$RUN/auditctl.out" | grep -q .; then
		say "audit rules rejected: $(tr '\n' ' ' <"$RUN/auditctl.out")"
		stop 1
	fi
fi
say "auditd $AUDITD_PID running with audisp-pid2pod; $(auditctl -l | grep -c '^-') rules; backlog limit $(audit_status backlog_limit)"
# either daemon gone: stop the other and let the pod restart
wait -n "$AUDITD_PID" "$RSYSLOG_PID" || true
say "auditd or rsyslogd exited"
stop 1
