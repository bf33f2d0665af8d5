#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_trust_user.sh - user-space messages, whose msg='...' is the sender's
# raw text, through the real kernel and a real auditd: a process in pod A
# (root, CAP_AUDIT_WRITE as runtimes grant it) sends messages that forge
# pid=, opid= (pod B's pid), container_id= and k8s_ fields, a ' inside a
# double-quoted value (a real PAM record's acct), an old-format `...)'`
# ending, and a user AVC; one with auditctl -m, the rest with
# tests/tools/audit_user_send.py.  Read back as pid2pod's text, with
# libauparse (auparse_find_field's first value: ours, before the sender's)
# and with ausearch (the record found by the same searches as auditd's own
# log, and its message byte for byte).
set -u
set -o pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/auditd.sh"
. "$(dirname "$0")/../lib/podcg.sh"
R=$(t_repo_root)
BIN=$R/${B:-build}/audisp-pid2pod
AUP=$R/${B:-build}/tools/p2p_auparse
SEND=$R/tests/tools/audit_user_send.py
W=$(t_workdir)
chmod 0755 "$W"

UIDA=7c3a2d4e-5f60-4172-8c83-94a5b6c7d8e9
CIDA=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
UIDB=8d4b3e5f-6071-4283-9d94-a5b6c7d8e9fa
CIDB=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
podcg_create a cgroupfs "$UIDA" "$CIDA" >/dev/null || t_fail "podcg a" "create"
podcg_create b systemd "$UIDB" "$CIDB" >/dev/null || t_fail "podcg b" "create"

printf 'output = file\noutput_file = %s/plugin.out\n' "$W" > "$W/p.conf"
chmod 0640 "$W/p.conf"
auditd_with_plugin "$W" "$BIN" "$W/p.conf" || { t_done; exit; }

PB=$(podcg_spawn b sleep 60)
tag=p2p$$
forge="opid=$PB pid=$PB container_id=\"$CIDB\" k8s_pod_id=\"$UIDB\" k8s_namespace=\"kube-system\""
# TYPE TEXT (type 0: auditctl -m)
msgs=(
	0 "$tag-1 $forge"
	1100 "op=PAM:authentication grantors=? acct=\"system-property('xsl:vendor')/>\" exe=\"/usr/sbin/sshd\" hostname=1.2.3.4 addr=1.2.3.4 terminal=ssh res=failed $tag-2"
	1112 "$tag-3 login pid=$PB uid=0 auid=0 ses=1: exe=\"/bin/login\" (hostname=?, addr=?, terminal=tty1 res=success)"
	1107 "$tag-4 avc:  denied  { send_msg } for msgtype=method_call pid=$PB opid=$PB scontext=x tcontext=y tclass=dbus exe=\"/usr/bin/dbus-daemon\" sauid=0 hostname=? addr=? terminal=?"
	1123 "$tag-5 cwd=\"/\" cmd=6C73 terminal=pts/0 res=success' container_id=\"$CIDB\" x='"
)
declare -A PA
# Each sender is forked by a shell that has been in pod A for a while (and
# stays there): a sender gone before pid2pod reads its exec keeps its
# parent's pod only when that parent's pod was known at the fork and is
# still its pod when read again (docs/design.md, How a pid is resolved).  A parent
# forked on the host and moved just before (podcg_spawn's own shape) gives
# its children "?", rightly.  PA[n] is the sender's own pid, as the kernel
# writes it.
send_from_a() { # N CMD...
	local n=$1
	shift
	PODCG_SPAWN_OUT=$W/send$n.err podcg_spawn a sh -c \
		'f=$1 go=$2; shift 2; while [ ! -e "$go" ]; do sleep 0.05; done
		 "$@" & echo $! >"$f"; wait; sleep 3' \
		sh "$W/sender$n.pid" "$W/go$n" "$@" >/dev/null
}
for ((i = 0; i < ${#msgs[@]}; i += 2)); do
	n=$((i / 2 + 1))
	if [ "${msgs[$i]}" = 0 ]; then
		send_from_a "$n" auditctl -m "${msgs[$((i + 1))]}"
	else
		send_from_a "$n" python3 "$SEND" "${msgs[$i]}" "${msgs[$((i + 1))]}"
	fi
done
sleep 1 # the shells' execs read, their pod known
for ((n = 1; n <= ${#msgs[@]} / 2; n++)); do
	: >"$W/go$n"
done
for ((n = 1; n <= ${#msgs[@]} / 2; n++)); do
	t_wait_for 3000 test -s "$W/sender$n.pid" || t_fail "message $n: sender" "no pid"
	PA[$n]=$(cat "$W/sender$n.pid" 2>/dev/null)
done
N=$(( ${#msgs[@]} / 2 ))
# no kubelet here: the names are not known, so a sealed record (the
# sender's text follows) says ? for each, ahead of any the sender forged
SEAL_A="k8s_namespace=? k8s_pod=? k8s_container=? k8s_pod_id=\"$UIDA\" k8s_pid_inside=? k8s_image=? k8s_owner=? k8s_workload=? k8s_workload_kind=? k8s_sa=? k8s_exec=?"
rec() { grep -a " msg='.*$tag-$2[ )']" "$1" | head -n 1; }
for n in $(seq "$N"); do
	t_wait_for 5000 sh -c "grep -a -q '$tag-$n[ )'\'']' '$W/plugin.out'" ||
		t_fail "message $n: record" "not in the plugin's output ($(head -c 200 "$W/send$n.err"))"
done
t_wait_for 3000 sh -c "grep -a -q '$tag-$N[ )'\'']' '$W/auditd/audit.log'"

"$AUP" "$W/plugin.out" pid container_id k8s_pod_id k8s_namespace ocontainer_id >"$W/auparse.out" ||
	t_fail "p2p_auparse" "rc=$?"
serial() { sed -n 's/^[^(]*([0-9.]*:\([0-9]*\)).*/\1/p'; }

for n in $(seq "$N"); do
	l=$(rec "$W/plugin.out" "$n")
	in=$(rec "$W/auditd/audit.log" "$n")
	head=${l%%" msg='"*}
	what="message $n (type ${msgs[$(((n - 1) * 2))]})"
	# the kernel's header pid is the sender's
	case $head in *" pid=${PA[$n]} "*) ;; *) t_fail "$what: the kernel's pid" "pid=${PA[$n]} not in: $head";; esac
	case $head in
	*"$CIDB"* | *"ocontainer_id"*) t_fail "$what: text" "pod B's or object fields before msg: $head";;
	*" container_id=\"$CIDA\" $SEAL_A") t_ok "$what: pod A's fields just before msg=', sealed (? for every name not known), none of pod B's";;
	*) t_fail "$what: text" "want pod A's fields just before msg=': $l";;
	esac
	# the sender's text untouched, and the whole line is auditd's with ours removed
	if [ -n "$in" ] && [ "${l#"$head"}" = "${in#"${in%%" msg='"*}"}" ] &&
		[ "${head% container_id=*}${l#"$head"}" = "$in" ]; then
		t_ok "$what: the line is auditd's own with our fields inserted before msg=' alone"
	else
		t_fail "$what: bytes" "in:  $in | out: $l"
	fi
	s=$(printf '%s' "$l" | serial)
	a=$(grep "^$s " "$W/auparse.out" | head -n 1)
	if [[ $a == *" pid=${PA[$n]} container_id=\"$CIDA\" k8s_pod_id=\"$UIDA\" k8s_namespace=? ocontainer_id=-" ]]; then
		t_ok "$what: auparse's first pid, container_id, k8s_pod_id and k8s_namespace are the kernel's and ours (not the forged kube-system)"
	else
		t_fail "$what: auparse" "$a"
	fi
done

# ausearch finds them by the same searches in auditd's log and in ours
for q in "-ui 0" "-m USER_AUTH" "-m USER_LOGIN" "-m USER_AVC" "-m USER_CMD" "-p ${PA[2]}" "-sv no"; do
	# shellcheck disable=SC2086
	ni=$(ausearch -if "$W/auditd/audit.log" $q --raw 2>/dev/null | grep -a -c "$tag-")
	# shellcheck disable=SC2086
	no=$(ausearch -if "$W/plugin.out" $q --raw 2>/dev/null | grep -a -c "$tag-")
	if [ "$ni" = "$no" ]; then
		t_ok "ausearch $q: the same $ni of our messages in auditd's log and in the output"
	else
		t_fail "ausearch $q" "auditd's log $ni, output $no"
	fi
done
t_done
