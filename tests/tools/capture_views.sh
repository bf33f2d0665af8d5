#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# capture_views.sh OUT - capture the records of tests/data/captured-views.log
# on this machine: a private auditd (tests/lib/auditd.sh) whose one plugin
# is tee writing what auditd hands a plugin (format = string, ENRICHED),
# while this script makes the kinds of records a node sees: execve and
# file rules (SYSCALL, EXECVE, CWD, PATH, PROCTITLE), a kill (OBJ_PID),
# PAM logins and account tools (su, runuser: USER_AUTH, USER_ACCT,
# CRED_ACQ, USER_START, USER_END, CRED_DISP; useradd/userdel: ADD_USER,
# DEL_USER, ...), user messages with quotes, forged fields and an old
# format ending, nf_tables tables named with pid=, and auditd's own
# DAEMON_START/END and CONFIG_CHANGE.  Run as root, holding the auditd
# lock: flock /tmp/p2p-auditd.lock bash tests/tools/capture_views.sh OUT
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/auditd.sh"
OUT=$1
W=$(t_workdir)
chmod 0755 "$W"
mkdir -p "$W/auditd"
auditd_start "$W/auditd" /usr/bin/tee "$W/tee.out" || exit 1
auditd_rule -a always,exit -F arch=b64 -S execve -k exec
auditd_rule -a always,exit -F arch=b64 -S kill -k kill
auditd_rule -w /etc/hostname -p r -k hostname_read
auditd_rule -a always,exit -F arch=b64 -S openat -F path=/etc/shadow -k shadow
sleep 0.5
cat /etc/hostname >/dev/null
sh -c 'echo "x y" > /dev/null; ls /tmp > /dev/null'
su -s /bin/sh -c true nobody
runuser -u nobody -- true
useradd -M -s /usr/sbin/nologin p2pview$$ && userdel p2pview$$
su -s /bin/sh -c true p2pnosuchuser$$ 2>/dev/null
auditctl -m "pid2pod view test: a plain message"
S=$(dirname "$0")/audit_user_send.py
python3 "$S" 1100 "op=PAM:authentication grantors=? acct=\"system-property('xsl:vendor')/>\" exe=\"/usr/sbin/sshd\" hostname=1.2.3.4 addr=1.2.3.4 terminal=ssh res=failed"
python3 "$S" 1005 "opid=1 pid=1 container_id=\"$(printf 'f%.0s' $(seq 64))\" k8s_namespace=\"kube-system\" uid=0 auid=0 ses=1"
python3 "$S" 1112 "login pid=1 uid=0 auid=0 ses=1: exe=\"/bin/login\" (hostname=?, addr=?, terminal=tty1 res=success)"
python3 "$S" 1107 "avc:  denied  { send_msg } for msgtype=method_call pid=1 opid=1 exe=\"/usr/bin/dbus-daemon\" sauid=0 hostname=? addr=? terminal=?"
if command -v nft >/dev/null; then
	printf '{"nftables":[{"add":{"table":{"family":"ip","name":"v pid=1 y"}}}]}\n' >"$W/t.json"
	unshare -Urn nft -j -f "$W/t.json"
fi
sleep 30 & k=$!
kill "$k"
sleep 1
auditd_stop
cp "$W/tee.out" "$OUT"
