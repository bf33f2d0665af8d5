#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_trust_netfilter.sh - a kernel record whose text a process chose:
# NETFILTER_CFG writes the nf_tables table name raw (`table=%s`) before its
# own ` pid=N comm=...`.  A process in pod A (root in its own user and
# network namespace, as `unshare -Urn` or a pod allowed nftables gets)
# names tables after pod B's pid, with quotes, with a host pid, and with a
# 0x1D byte, through the real kernel and a real auditd.  Each record is read
# back twice: as pid2pod's own field scan sees it (the text) and as
# libauparse does (tests/tools/p2p_auparse.c: auparse_find_field's first
# value).  Never pod B's fields, never none for pod A; the 0x1D one, where
# the kernel's pid is out of auparse's view, is container_id=?.  A table
# named with pod B's container_id=, k8s_pod_id= and a k8s_namespace=: our
# fields come first (before the raw name, every name written), so auparse
# reads ours.
set -u
set -o pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/auditd.sh"
. "$(dirname "$0")/../lib/podcg.sh"
R=$(t_repo_root)
BIN=$R/${B:-build}/audisp-pid2pod
AUP=$R/${B:-build}/tools/p2p_auparse
W=$(t_workdir)
chmod 0755 "$W"

if ! command -v nft >/dev/null; then
	t_fail "nft" "nftables is not installed (make deps)"; t_done; exit
fi
if ! unshare -Urn true 2>/dev/null; then
	t_skip "netfilter tables" "no unprivileged user+network namespaces on this kernel"; t_done; exit
fi

UIDA=5a1e0b2c-3d4e-4f50-8a61-72839405a6b7
CIDA=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
UIDB=6b2f1c3d-4e5f-4061-9b72-8394a5b6c7d8
CIDB=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
podcg_create a cgroupfs "$UIDA" "$CIDA" >/dev/null || t_fail "podcg a" "create"
podcg_create b systemd "$UIDB" "$CIDB" >/dev/null || t_fail "podcg b" "create"

printf 'output = file\noutput_file = %s/plugin.out\n' "$W" > "$W/p.conf"
chmod 0640 "$W/p.conf"
auditd_with_plugin "$W" "$BIN" "$W/p.conf" || { t_done; exit; }

PB=$(podcg_spawn b sleep 60)
tag=p2p$$
# name (JSON string) -> one nft run in pod A
names=(
	"$tag-1 pid=$PB y"
	"$tag-2 pid=$PB y\\\" q=\\\"z"
	"$tag-3 pid=1 y"
	"$tag-4 pid=$PB family=2 entries=1 op=nft_register_table pid=$PB comm=\\\"nft\\\" z"
	"$tag-5 pid=$PB \\u001dAUID=x b"
	"$tag-6 container_id=\\\"$CIDB\\\" k8s_namespace=\\\"kube-system\\\" k8s_pod_id=\\\"$UIDB\\\""
)
declare -A PA
# Each nft is forked by a shell that has been in pod A for a second (and
# stays): an nft gone before its exec is read keeps its parent's pod only
# when that parent's pod was known at the fork (docs/design.md, How a pid is
# resolved); podcg_spawn's own shell is forked on the host and moved just
# before, so its short-lived child would rightly be "?".  PA[n] is nft's
# pid (unshare execs it in place), as the kernel writes it.
for i in "${!names[@]}"; do
	n=$((i + 1))
	printf '{"nftables":[{"add":{"table":{"family":"ip","name":"%s"}}}]}\n' "${names[$i]}" >"$W/t$n.json"
	PODCG_SPAWN_OUT=$W/nft$n.err podcg_spawn a sh -c \
		'f=$1 go=$2; shift 2; while [ ! -e "$go" ]; do sleep 0.05; done
		 "$@" & echo $! >"$f"; wait; sleep 3' \
		sh "$W/nft$n.pid" "$W/go$n" unshare -Urn nft -j -f "$W/t$n.json" >/dev/null
done
sleep 1 # the shells' execs read, their pod known
for n in "${!names[@]}"; do
	: >"$W/go$((n + 1))"
done
for i in "${!names[@]}"; do
	n=$((i + 1))
	t_wait_for 3000 test -s "$W/nft$n.pid" || t_fail "table $n: nft" "no pid"
	PA[$n]=$(cat "$W/nft$n.pid" 2>/dev/null)
done

rec() { grep -a "^type=NETFILTER_CFG .*table=$tag-$1 " "$W/plugin.out" | head -n 1; }
for n in 1 2 3 4 5 6; do
	t_wait_for 5000 sh -c "grep -a -q 'table=$tag-$n ' '$W/plugin.out'" ||
		t_fail "table $n: record" "no NETFILTER_CFG record ($(head -c 200 "$W/nft$n.err"))"
done
# the kernel wrote the nft process's pid in its tail: the records are real
for n in 1 2 3 4 6; do
	case $(rec $n) in
	*" pid=${PA[$n]} comm=\"nft\""*) ;;
	*) t_fail "table $n: the kernel's tail" "pid=${PA[$n]} not in $(rec $n | head -c 300)";;
	esac
done

"$AUP" "$W/plugin.out" container_id ocontainer_id k8s_pod_id k8s_namespace >"$W/auparse.out" ||
	t_fail "p2p_auparse" "rc=$?"
aup() { # N: auparse's line for table N's record
	local s
	s=$(rec "$1" | sed -n 's/^[^(]*([0-9.]*:\([0-9]*\)).*/\1/p')
	grep "^$s NETFILTER_CFG " "$W/auparse.out" | head -n 1
}

# Pod A's fields, or "?" where nft was gone before pid2pod could prove
# where it ran (docs/design.md, How a pid is resolved: a wrong answer is worse than
# none); never pod B's, whose pid the table names.  At least one of the
# five must be proven pod A's, or the check would pass on "?" alone.  The
# fields go before the raw table name, sealed (no kubelet here: ? for the
# names), so none the table forges is the first auparse finds.
SEAL="k8s_namespace=? k8s_pod=? k8s_container=?"
want_a="): container_id=\"$CIDA\" $SEAL k8s_pod_id=\"$UIDA\" k8s_pid_inside=? k8s_image=? k8s_owner=? k8s_workload=? k8s_workload_kind=? k8s_sa=? k8s_exec=? table=$tag-"
want_u="): container_id=? $SEAL k8s_pod_id=? k8s_pid_inside=? k8s_image=? k8s_owner=? k8s_workload=? k8s_workload_kind=? k8s_sa=? k8s_exec=? table=$tag-"
named_a=0
for n in 1 2 3 4 6; do
	what=$(printf '%s' "${names[$((n - 1))]}" | sed 's/\\//g' | cut -c1-60)
	l=$(rec $n)
	a=$(aup $n)
	case $l in
	*"$want_a$n "*)
		named_a=$((named_a + 1))
		t_ok "table '$what': text has pod A's fields (the kernel's pid) before the table name"
		[[ $a == *" container_id=\"$CIDA\" ocontainer_id=- k8s_pod_id=\"$UIDA\" k8s_namespace=?" ]] &&
			t_ok "table '$what': auparse's first container_id, k8s_pod_id and k8s_namespace are ours" ||
			t_fail "table '$what': auparse" "$a";;
	*"$want_u$n "*)
		t_ok "table '$what': text has container_id=? (nft gone before it was proven) before the table name"
		[[ $a == *" container_id=? ocontainer_id=- k8s_pod_id=? k8s_namespace=?" ]] &&
			t_ok "table '$what': auparse's first container_id, k8s_pod_id and k8s_namespace are our ?" ||
			t_fail "table '$what': auparse" "$a";;
	*) t_fail "table '$what': text" "want pod A's fields or container_id=? before the table name: $l";;
	esac
done
[ "$named_a" -ge 1 ] && t_ok "tables named pod A's: $named_a of 5" ||
	t_fail "tables named pod A's" "none of 5 proven pod A's"

l=$(rec 5)
case $l in
*"$want_u"5" pid=$PB "$'\x1d'"AUID=x b"*) t_ok "table with 0x1D: sealed container_id=? before the table name, no pod";;
*) t_fail "table with 0x1D: text" "$l";;
esac
a=$(aup 5)
if [[ $a == *" container_id=? ocontainer_id=- k8s_pod_id=? k8s_namespace=?" ]]; then
	t_ok "table with 0x1D: auparse reads container_id=?"
else
	t_fail "table with 0x1D: auparse" "$a"
fi
t_done
