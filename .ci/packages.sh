#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# .ci/packages.sh - the packaging stage of CI: build the .deb (lintian: no
# errors) and the .rpm (rpm -qlp: the expected files), then install the .deb
# with dpkg on this machine next to a real auditd (/etc/audit, the system's
# config) and rsyslog, switch the plugin on, find a pod-like cgroup's exec
# in syslog carrying its container_id, upgrade in place (config kept,
# plugin restarted), remove (plugin switched off and stopped), purge, and
# find nothing left behind.  One "ok - " or "FAIL - " line per check; exit
# status 1 on any failure.
#
# Needs root and the only auditd of this kernel: run it under
# `flock /tmp/p2p-auditd.lock bash .ci/packages.sh`.  It refuses to start
# when an auditd runs, /dev/log is taken, or pid2pod is installed; it puts
# back what it changed (package purged, auditd and rsyslogd it started
# stopped by pid, audit rules deleted), also when it fails or is killed.
set -u
cd "$(dirname "$0")/.." || exit 1
export DEBIAN_FRONTEND=noninteractive
B=${B:-build/pkg}
PKG_OUT=${PKG_OUT:-build/pkg-out}
STANZA=/etc/audit/plugins.d/pid2pod.conf
CONF=/etc/audit/pid2pod.conf
AUDIT_LOG=/var/log/audit/audit.log

. tests/lib/common.sh
. tests/lib/rsyslog.sh
. tests/lib/podcg.sh

NOK=0 NFAIL=0
pass() { echo "ok - $1"; NOK=$((NOK + 1)); }
fail() { echo "FAIL - $1: ${2//$'\n'/ | }"; NFAIL=$((NFAIL + 1)); }
check() { local n=$1; shift; if "$@"; then pass "$n"; else fail "$n" "exit status $? from: $*"; fi; }
finish() {
	echo "== packages: $NOK ok, $NFAIL FAILED"
	[ "$NFAIL" -eq 0 ]
	exit
}
stop_here() { fail "$1" "$2"; echo "== packages: stopped at the failure above"; finish; }

installed() { dpkg-query -W -f='${db:Status-Status}' pid2pod 2>/dev/null | grep -qv '^not-installed$'; }

echo "== packages: preconditions"
[ "$(id -u)" = 0 ] || stop_here "root" "run as root"
reg=$(auditctl -s 2>/dev/null | awk '$1 == "pid" { print $2 }')
[ "$reg" = 0 ] || stop_here "no audit daemon registered" "the kernel names pid ${reg:-?}"
if p=$(pgrep -x auditd); then stop_here "no auditd running" "pid(s) ${p//$'\n'/ }"; fi
installed && stop_here "pid2pod not installed" "dpkg knows pid2pod ($(dpkg-query -W -f='${Status}' pid2pod)); purge it first"
[ "$(auditctl -l 2>&1)" = "No rules" ] || stop_here "no audit rules loaded" "$(auditctl -l | head -3)"
pass "preconditions: root, no auditd, no audit rules, pid2pod not installed"

W=$(t_workdir)
echo "== packages: tools"
if make -s deps pkg-deps >"$W/deps.log" 2>&1; then
	pass "apt-get install of the build, test and packaging tools"
else
	stop_here "apt-get install" "$(tail -3 "$W/deps.log")"
fi

echo "== packages: .deb"
rm -f "$PKG_OUT"/pid2pod[_-]*
if make B="$B" PKG_OUT="$PKG_OUT" deb >"$W/deb.log" 2>&1; then
	pass "make deb (dpkg-buildpackage -us -uc -b in a staging copy)"
else
	stop_here "make deb" "$(tail -5 "$W/deb.log")"
fi
DEB=$(ls "$PKG_OUT"/pid2pod_*_*.deb 2>/dev/null | head -1)
CHANGES=$(ls "$PKG_OUT"/pid2pod_*.changes 2>/dev/null | head -1)
[ -f "$DEB" ] && [ -f "$CHANGES" ] || stop_here "the .deb" "no pid2pod_*.deb and .changes in $PKG_OUT"
[ ! -e debian ] && pass "the source tree has no debian/ dir" || fail "source tree" "debian/ exists at the top"

lintian --pedantic -I "$CHANGES" >"$W/lintian.out" 2>"$W/lintian.err"
lrc=$?
nE=$(grep -c '^E: ' "$W/lintian.out") nW=$(grep -c '^W: ' "$W/lintian.out")
if [ "$lrc" -eq 0 ] && [ "$nE" -eq 0 ]; then
	pass "lintian: $nE errors, $nW warnings ($(grep -c '^[IP]: ' "$W/lintian.out") info/pedantic)"
else
	fail "lintian: no errors" "exit $lrc, $nE errors: $(grep '^E: ' "$W/lintian.out" | head -5)"
fi
[ "$nW" -eq 0 ] || echo "# lintian warnings: $(grep '^W: ' "$W/lintian.out" | tr '\n' ';')"

ctl=$W/deb-control
dpkg-deb -e "$DEB" "$ctl"
printf '/etc/audit/pid2pod.conf\n/etc/audit/plugins.d/pid2pod.conf\n/etc/logrotate.d/pid2pod\n' >"$W/conffiles.want"
cmp -s <(sort "$ctl/conffiles") <(sort "$W/conffiles.want") && pass "conffiles: both configs and the logrotate snippet" ||
	fail "conffiles" "$(tr '\n' ' ' <"$ctl/conffiles")"
dpkg-deb -f "$DEB" Depends | grep -Eq '(^|, )auditd(,|$| )' && pass "depends on auditd" ||
	fail "Depends" "$(dpkg-deb -f "$DEB" Depends)"

echo "== packages: .rpm"
if make B="$B" PKG_OUT="$PKG_OUT" rpm >"$W/rpm.log" 2>&1; then
	pass "make rpm (rpmbuild -bb --nodeps)"
	RPM=$(ls "$PKG_OUT"/pid2pod-*.rpm | head -1)
	rpm -qlp "$RPM" 2>/dev/null | grep -v '^/usr/lib/.build-id' | sort >"$W/rpm.files"
	cat >"$W/rpm.want" <<-LIST
		/etc/audit/pid2pod.conf
		/etc/audit/plugins.d/pid2pod.conf
		/etc/logrotate.d/pid2pod
		/usr/bin/pid2pod
		/usr/sbin/audisp-pid2pod
		/usr/share/bash-completion/completions/pid2pod
		/usr/share/doc/pid2pod-VERSION
		/usr/share/doc/pid2pod-VERSION/README.md
		/usr/share/doc/pid2pod-VERSION/README.rules.md
		/usr/share/licenses/pid2pod-VERSION
		/usr/share/licenses/pid2pod-VERSION/LICENSE
		/usr/share/man/man1/pid2pod.1*
		/usr/share/man/man5/pid2pod.conf.5*
		/usr/share/man/man8/audisp-pid2pod.8*
		/usr/share/pid2pod/70-pid2pod.rules
	LIST
	v=$(rpm -qp --qf '%{VERSION}' "$RPM" 2>/dev/null)
	sed -i "s/VERSION/$v/" "$W/rpm.want"
	miss=
	while read -r want; do
		# shellcheck disable=SC2053 # the man pages are globs (compressed or not)
		grep -qx -- "$(printf '%s' "$want" | sed 's/[.]/[.]/g; s/\*$/.*/')" "$W/rpm.files" || miss="$miss $want"
	done <"$W/rpm.want"
	[ -z "$miss" ] && [ "$(wc -l <"$W/rpm.files")" -eq "$(wc -l <"$W/rpm.want")" ] &&
		pass "rpm -qlp lists the expected $(wc -l <"$W/rpm.want") files" ||
		fail "rpm -qlp" "missing:${miss:- none}; got: $(tr '\n' ' ' <"$W/rpm.files")"
	cmp -s <(rpm -qcp "$RPM" 2>/dev/null | sort) <(sort "$W/conffiles.want") &&
		pass "rpm %config: both configs and the logrotate snippet" ||
		fail "rpm %config" "$(rpm -qcp "$RPM" | tr '\n' ' ')"
	rpm -qp --qf '[%{FILEMODES:perms} %{FILEUSERNAME} %{FILENAMES}\n]' "$RPM" 2>/dev/null |
		grep -qx -- '-rwxr-x--- root /usr/sbin/audisp-pid2pod' && pass "rpm: the plugin root-owned 0750" ||
		fail "rpm modes" "$(rpm -qp --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' "$RPM" | grep sbin)"
	# the same files as the .deb (docs, the licence's place and
	# compression aside: Debian's is doc/pid2pod/copyright)
	norm() { grep -v -e '/usr/share/doc/' -e '/usr/share/lintian/' -e '/usr/share/licenses/' | sed 's/\.gz$//' | sort; }
	dpkg-deb -c "$DEB" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }' | norm >"$W/deb.cmp"
	norm <"$W/rpm.files" >"$W/rpm.cmp"
	cmp -s "$W/deb.cmp" "$W/rpm.cmp" && pass "the .rpm and the .deb install the same files" ||
		fail "deb vs rpm" "$(diff "$W/deb.cmp" "$W/rpm.cmp" | grep '^[<>]' | tr '\n' ' ')"
else
	fail "make rpm" "$(tail -5 "$W/rpm.log")"
fi

echo "== packages: install, enable, upgrade, remove, purge next to a real auditd"
# what is on the machine before; compared after the purge
snapshot() {
	find /etc /usr /sbin /bin /lib /var/lib/dpkg/info /var/log/audit -xdev \
		! -path '/var/log/audit/audit.log*' -printf '%y %p\n' 2>/dev/null | sort
}
snapshot >"$W/before.list"

purge_if_installed() { installed && dpkg -P pid2pod >/dev/null 2>&1; return 0; }
t_on_exit purge_if_installed
rsyslog_start "$W" || stop_here "rsyslog start" "see above"
stop_auditd() {
	local pid start wrapper
	[ -f "$_T_STATE/auditd.pid" ] || return 0
	read -r pid start wrapper <"$_T_STATE/auditd.pid"
	auditctl -D >/dev/null 2>&1
	t_kill_pid "$pid" "$start" 5000
	wait "$wrapper" 2>/dev/null
	t_wait_for 3000 sh -c '[ "$(auditctl -s | awk "\$1 == \"pid\" { print \$2 }")" = 0 ]'
	rm -f "$_T_STATE/auditd.pid"
}
t_on_exit stop_auditd
t_on_exit sh -c 'auditctl -D >/dev/null 2>&1'
auditd_registered() { [ "$(auditctl -s 2>/dev/null | awk '$1 == "pid" { print $2 }')" = "$1" ]; }
t_daemon_start "$_T_STATE/auditd.pid" auditd "$W/auditd.stderr" /sbin/auditd -n ||
	stop_here "auditd start" "$(tail -3 "$W/auditd.stderr")"
AUDITD=$T_DAEMON_PID
t_wait_for 5000 auditd_registered "$AUDITD" && pass "the system's auditd runs (pid $AUDITD, /etc/audit)" ||
	stop_here "auditd registered" "kernel names $(auditctl -s | grep pid)"

# auditd's own record of each reload it did (anchored: an audited grep's
# EXECVE record holds the pattern too)
reconfigs() { local n; n=$(grep -ac '^type=DAEMON_CONFIG .*op=reconfigure' "$AUDIT_LOG" 2>/dev/null); echo "${n:-0}"; }
more_reconfigs() { [ "$(reconfigs)" -gt "$1" ]; }
plugin_pid() { pgrep -x -P "$AUDITD" audisp-pid2pod; }
plugin_gone() { ! pgrep -x -P "$AUDITD" audisp-pid2pod >/dev/null; }

n0=$(reconfigs)
if dpkg -i "$DEB" >"$W/dpkg-i.log" 2>&1; then pass "dpkg -i"; else stop_here "dpkg -i" "$(tail -5 "$W/dpkg-i.log")"; fi
t_wait_for 3000 more_reconfigs "$n0" && pass "install reloaded the running auditd (DAEMON_CONFIG op=reconfigure)" ||
	fail "install reload" "no new reconfigure record in $AUDIT_LOG"
missing=$(dpkg -L pid2pod | while read -r f; do [ -e "$f" ] || echo "$f"; done)
[ -z "$missing" ] && pass "every file of dpkg -L pid2pod is there" || fail "dpkg -L" "missing: $missing"
[ "$(stat -c '%a %U' /usr/sbin/audisp-pid2pod) $(stat -c '%a %U' "$CONF") $(stat -c '%a %U' "$STANZA")" = \
	"750 root 640 root 640 root" ] && pass "modes: plugin 0750, configs 0640, root-owned" ||
	fail "modes" "$(stat -c '%a %U %n' /usr/sbin/audisp-pid2pod "$CONF" "$STANZA" | tr '\n' ' ')"
grep -qx 'active = no' "$STANZA" && grep -qx 'path = /usr/sbin/audisp-pid2pod' "$STANZA" && sleep 0.3 && plugin_gone &&
	pass "installed inactive: the stanza says active = no, auditd runs no plugin" ||
	fail "inactive" "$(grep -E '^(active|path)' "$STANZA" | tr '\n' ' ') plugin pid $(plugin_pid)"
check "audisp-pid2pod -n accepts the installed config" sh -c "/usr/sbin/audisp-pid2pod -n -c $CONF >/dev/null"
logrotate -d /etc/logrotate.d/pid2pod >"$W/logrotate.out" 2>&1 && pass "logrotate -d accepts the snippet" ||
	fail "logrotate" "$(tail -3 "$W/logrotate.out")"

sed -i 's/^active = no$/active = yes/' "$STANZA"
kill -HUP "$AUDITD"
t_wait_for 5000 plugin_pid >/dev/null && P1=$(plugin_pid) && pass "switched on: auditd runs audisp-pid2pod (pid $P1)" ||
	stop_here "plugin start" "no audisp-pid2pod child of auditd; syslog: $(grep -i auditd "$RSYSLOG_OUT" | tail -3)"
sleep 0.3 # the plugin subscribes to the process connector

# a process in a pod-like cgroup, audited by the package's exec rule
POD_UID=$(cat /proc/sys/kernel/random/uuid)
CID=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
podcg_create pkgpod cgroupfs "$POD_UID" "$CID" >/dev/null || stop_here "pod cgroup" "podcg_create failed"
grep -e '-k p2p_exec' /usr/share/pid2pod/70-pid2pod.rules >"$W/exec.rules"
auditctl -R "$W/exec.rules" >/dev/null && pass "the package's p2p_exec rules load ($(wc -l <"$W/exec.rules"))" ||
	stop_here "auditctl -R" "$(cat "$W/exec.rules")"

# find_exec MARKER: the serial of the execve whose EXECVE record has MARKER
serial_of() {
	grep -F "a1=\"$1\"" "$RSYSLOG_OUT" | grep 'type=EXECVE' | sed -n 's/.*msg=audit([0-9.]*:\([0-9]*\)).*/\1/p' | head -1
}
syscall_of() { grep "type=SYSCALL msg=audit([0-9.]*:$1)" "$RSYSLOG_OUT" | head -1; }
has_exec() { [ -n "$(serial_of "$1")" ] && [ -n "$(syscall_of "$(serial_of "$1")")" ]; }
pod_exec_check() { # NAME MARKER
	local name=$1 m=$2 s line
	# /bin/true forked by a shell that has been in the pod for a while and
	# stays: a child gone before its exec is read keeps its parent's pod
	# only when that parent's pod was known at the fork (docs/design.md, How a pid
	# is resolved)
	podcg_spawn pkgpod /bin/sh -c "sleep 0.5; /bin/true $m; sleep 1" >/dev/null
	/bin/true "$m-host"
	if ! t_wait_for 5000 has_exec "$m" || ! t_wait_for 3000 has_exec "$m-host"; then
		fail "$name" "no execve of $m (or $m-host) in syslog ($(wc -l <"$RSYSLOG_OUT") lines)"
		return
	fi
	s=$(serial_of "$m")
	line=$(syscall_of "$s")
	if [[ $line == *"audisp-pid2pod"* && $line == *"key=\"p2p_exec\""* &&
		$line == *"container_id=\"$CID\""* && $line == *"k8s_pod_id=\"$POD_UID\""* ]]; then
		pass "$name: the pod's execve in syslog carries container_id and k8s_pod_id (serial $s)"
	else
		fail "$name" "SYSCALL of serial $s: ${line:0:400}"
	fi
	# a short-lived host process read after it left is "?": a host answer
	# only from a read of the living process; never a pod's fields
	line=$(syscall_of "$(serial_of "$m-host")")
	[[ $line == *"key=\"p2p_exec\""* && $line != *'container_id="'* && $line != *k8s_* ]] &&
		pass "$name: a host execve carries no pod's fields (none, or container_id=?)" ||
		fail "$name host" "${line:0:400}"
}
pod_exec_check "enabled" "p2p-pkg-$$-a"

# upgrade in place (the same version again: prerm upgrade, new files,
# postinst configure): the admin's config kept, the new binary running
sed -i 's/^status_interval = .*/status_interval = 3600/' "$CONF"
n0=$(reconfigs)
if dpkg -i --force-confold "$DEB" >"$W/dpkg-u.log" 2>&1; then pass "dpkg -i again (upgrade)"; else fail "upgrade" "$(tail -5 "$W/dpkg-u.log")"; fi
grep -qx 'status_interval = 3600' "$CONF" && grep -qx 'active = yes' "$STANZA" &&
	pass "upgrade keeps the admin's config and active = yes (conffiles)" ||
	fail "conffiles kept" "$(grep -E '^(status_interval|active)' "$CONF" "$STANZA" | tr '\n' ' ')"
new_plugin() { local p; p=$(plugin_pid) && [ "$p" != "$P1" ]; }
t_wait_for 5000 new_plugin && P2=$(plugin_pid) && pass "upgrade: auditd restarted the plugin (pid $P1 -> $P2)" ||
	fail "upgrade restart" "plugin pid still $(plugin_pid) (was $P1); reconfigures $n0 -> $(reconfigs)"
sleep 0.3
pod_exec_check "after the upgrade" "p2p-pkg-$$-b"

# remove: switched off and stopped before the binary goes; auditd keeps
# running and says nothing about pid2pod at its next reload
if dpkg -r pid2pod >"$W/dpkg-r.log" 2>&1; then pass "dpkg -r"; else fail "dpkg -r" "$(tail -5 "$W/dpkg-r.log")"; fi
grep -qx 'active = no' "$STANZA" && [ "$(stat -c '%a %U' "$STANZA")" = "640 root" ] &&
	pass "remove switched the plugin off (active = no, still 0640 root)" || fail "remove: active" "$(grep '^active' "$STANZA")"
t_wait_for 3000 plugin_gone && pass "remove: auditd stopped the plugin" || fail "remove: plugin" "pid $(plugin_pid) still runs"
[ ! -e /usr/sbin/audisp-pid2pod ] && [ -f "$CONF" ] && pass "remove: binary gone, configs kept" ||
	fail "remove: files" "$(ls -l /usr/sbin/audisp-pid2pod "$CONF" 2>&1 | tr '\n' ' ')"
# auditd said "Terminating ... because its now inactive" above; from now on
# it has nothing to say about pid2pod
sleep 0.3
nlines=$(wc -l <"$RSYSLOG_OUT")
n0=$(reconfigs)
kill -HUP "$AUDITD"
t_wait_for 3000 more_reconfigs "$n0"
sleep 0.3
complaints=$(tail -n +"$((nlines + 1))" "$RSYSLOG_OUT" | awk '$2 ~ /^auditd(\[|:)/' | grep -i 'pid2pod')
t_pid_alive "$AUDITD" && [ -z "$complaints" ] && pass "auditd alive, no complaint about pid2pod at its next reload" ||
	fail "auditd after remove" "alive: $(t_pid_alive "$AUDITD" && echo yes || echo no); ${complaints:0:300}"

if dpkg -P pid2pod >"$W/dpkg-p.log" 2>&1; then pass "dpkg -P"; else fail "dpkg -P" "$(tail -5 "$W/dpkg-p.log")"; fi
left=$(ls -d "$CONF"* "$STANZA"* /etc/logrotate.d/pid2pod* /usr/share/pid2pod /usr/share/doc/pid2pod 2>/dev/null)
! installed && [ -z "$left" ] && pass "purge: package and configs gone" || fail "purge" "left: $left"

# put the machine back, then compare
auditctl -D >/dev/null
stop_auditd
rsyslog_stop
podcg_destroy_all
[ "$(auditctl -l 2>&1)" = "No rules" ] && [ "$(auditctl -s | awk '$1 == "pid" { print $2 }')" = 0 ] &&
	pass "auditd stopped, its rules deleted" || fail "auditd stop" "$(auditctl -s | grep pid); $(auditctl -l | head -2)"
snapshot >"$W/after.list"
if cmp -s "$W/before.list" "$W/after.list"; then
	pass "nothing left behind: /etc /usr /sbin /bin /lib /var/lib/dpkg/info /var/log/audit as before ($(wc -l <"$W/after.list") entries)"
else
	fail "nothing left behind" "$(diff "$W/before.list" "$W/after.list" | grep '^[<>]' | head -10 | tr '\n' ' ')"
fi
finish
