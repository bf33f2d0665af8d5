#!/bin/bash
# pid2pod-entrypoint - auditd with the pid2pod plugin in a DaemonSet pod.
#
# Writes auditd's configuration under $PID2POD_RUN (auditd runs in the
# foreground, `auditd -n -c DIR`, with the pid2pod stanza active), copies
# pid2pod.conf from the ConfigMap to a root-only file and checks it, starts
# rsyslogd (records and the daemons' messages to this container's stdout),
# then auditd, loads the audit rules and waits.  SIGTERM: the rules are
# deleted (they outlive auditd), auditd and rsyslogd stopped.
#
# Refuses to start where the kernel already has an audit daemon: one per
# kernel; such nodes run the pid2pod package with their own auditd.
#
#   pid2pod-entrypoint                 run (the container's command)
#   pid2pod-entrypoint --write-config  write and check the files, exit
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
set -euo pipefail

CONF=${PID2POD_CONF:-/etc/pid2pod/pid2pod.conf}
RULES=${PID2POD_RULES:-/etc/pid2pod/audit.rules}
RUN=${PID2POD_RUN:-/run/pid2pod}
LOG_DIR=${PID2POD_LOG_DIR:-/var/log/audit}
STANZA=${PID2POD_STANZA:-/etc/audit/plugins.d/pid2pod.conf}
PACKAGE_RULES=/usr/share/pid2pod/70-pid2pod.rules
START_TIMEOUT_S=5

say() { echo "pid2pod-entrypoint: $*" >&2; }
die() { say "$*"; exit 1; }

write_config() {
	local a=$RUN/audit plugin
	plugin=${PID2POD_PLUGIN:-$(sed -n 's/^path *= *//p' "$STANZA")}
	[ -n "$plugin" ] || die "no plugin path in $STANZA"
	[ -r "$CONF" ] || die "no configuration at $CONF (the ConfigMap's pid2pod.conf)"
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

registered_pid() {
	auditctl -s 2>/dev/null | awk '$1 == "pid" { print $2 }'
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

AUDITD_PID='' RSYSLOG_PID=''
stop() {
	local rc=${1:-0}
	trap '' TERM INT
	auditctl -D >/dev/null 2>&1 || true
	[ -z "$AUDITD_PID" ] || { kill -TERM "$AUDITD_PID" 2>/dev/null; wait "$AUDITD_PID" || true; }
	[ -z "$RSYSLOG_PID" ] || { kill -TERM "$RSYSLOG_PID" 2>/dev/null; wait "$RSYSLOG_PID" || true; }
	exit "$rc"
}

write_config
if [ "${1:-}" = --write-config ]; then
	say "configuration written to $RUN"
	exit 0
fi
[ $# -eq 0 ] || die "usage: pid2pod-entrypoint [--write-config]"

other=$(registered_pid)
[ -n "$other" ] || die "auditctl -s failed: is CAP_AUDIT_CONTROL granted, hostPID set?"
if [ "$other" != 0 ]; then
	die "the kernel already has an audit daemon (pid $other): this node runs auditd; install the pid2pod package there and label the node pid2pod.io/host-auditd=true"
fi

trap 'stop 0' TERM INT
rsyslogd -n -f "$RUN/rsyslog.conf" -i "$RUN/rsyslogd.pid" &
RSYSLOG_PID=$!
wait_until "$START_TIMEOUT_S" test -S /dev/log || stop 1
auditd -n -c "$RUN/audit" &
AUDITD_PID=$!
auditd_up() { [ "$(registered_pid)" = "$AUDITD_PID" ]; }
wait_until "$START_TIMEOUT_S" auditd_up || { say "auditd did not register"; stop 1; }
if [ -s "$RUN/audit.rules" ]; then
	auditctl -R "$RUN/audit.rules" >/dev/null || { say "audit rules rejected"; stop 1; }
fi
say "auditd $AUDITD_PID running with audisp-pid2pod; $(auditctl -l | grep -c '^-') rules"
# either daemon gone: stop the other and let the pod restart
wait -n "$AUDITD_PID" "$RSYSLOG_PID" || true
say "auditd or rsyslogd exited"
stop 1
