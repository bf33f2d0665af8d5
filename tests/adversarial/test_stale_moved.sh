#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_stale_moved.sh - processes that change cgroup after their exec was
# read, under a real auditd, for each way a pod's cgroup can look: the
# cgroupfs and systemd drivers (every hierarchy), the v1 hierarchies alone
# and cgroup v2 alone.
#  - the moved shell: a host shell, read at its exec, moves itself into the
#    pod and runs /usr/bin/true N times (its children inherit a "host" that
#    is stale);
#  - the self-moving true: `sh -c 'echo $$ > cgroup.procs; exec true'`
#    from the host, 20 times (forked on the host, moved before its exec).
# Asserted hard: none of the pod's processes attributed to the host or to
# another pod; no host process to a pod.  Printed: the share named right.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/auditd.sh"
. "$(dirname "$0")/../lib/podcg.sh"
R=$(t_repo_root)
BIN=$R/${B:-build}/audisp-pid2pod
W=$(t_workdir)
chmod 0755 "$W"
N=${P2P_STALE_N:-400}
N_SELF=20

v2mnt=$(podcg_hierarchies | awk 'NF == 1 {print $1}')
printf 'output = file\noutput_file = %s/plugin.out\n' "$W" >"$W/p.conf"
chmod 0640 "$W/p.conf"
auditd_with_plugin "$W" "$BIN" "$W/p.conf" q_depth=20000 || { t_done; exit; }
auditctl -b 16384 >/dev/null
auditd_rule -a always,exit -F arch=b64 -S execve -F exe=/usr/bin/true -k p2p_stale

: >"$W/expect"   # "KIND PID CID VARIANT": ppid (moved shell) or pid (self)
n_expect=0
for variant in cgroupfs systemd v1 v2only; do
	style=$variant
	[[ $variant == v1 ]] && style=cgroupfs
	uid=$(cat /proc/sys/kernel/random/uuid)
	cid=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
	if ! podcg_create "$variant" "$style" "$uid" "$cid" >/dev/null; then
		[[ $variant == v2only ]] && { t_skip "$variant" "no cgroup v2"; continue; }
		t_fail "podcg $variant" "create"
		continue
	fi
	dirs=$(podcg_dirs "$variant")
	if [[ $variant == v1 ]]; then
		dirs=$(grep -v "^$v2mnt/" <<<"$dirs")
	fi
	move='for d in '$(tr '\n' ' ' <<<"$dirs")'; do echo $$ > $d/cgroup.procs || exit 9; done'
	# the moved shell: its exec is read (host) before it moves
	/bin/bash -c "sleep 0.3; $move; for i in \$(seq $N); do /usr/bin/true; done" &
	sh=$!
	wait "$sh" || t_fail "$variant: moved shell" "exited $?"
	echo "ppid $sh $cid $variant" >>"$W/expect"
	n_expect=$((n_expect + N))
	for _ in $(seq $N_SELF); do
		/bin/sh -c "$move; exec /usr/bin/true" &
		p=$!
		wait "$p" || t_fail "$variant: self-moving true" "exited $?"
		echo "pid $p $cid $variant" >>"$W/expect"
	done
	n_expect=$((n_expect + N_SELF))
done
/bin/bash -c 'for i in $(seq 100); do /usr/bin/true; done' &
hsh=$!
wait "$hsh"
echo "ppid $hsh host host" >>"$W/expect"
n_expect=$((n_expect + 100))

t_wait_for 20000 sh -c "[ \$(grep -a -c 'key=\"p2p_stale\"' '$W/plugin.out') -ge $n_expect ]"
auditd_stop

/usr/bin/python3 - "$W/plugin.out" "$W/expect" <<'PYEOF'
import re, sys
out, expect = sys.argv[1:]
by_ppid, by_pid, variants = {}, {}, []
for line in open(expect):
    kind, pid, cid, variant = line.split()
    (by_ppid if kind == 'ppid' else by_pid)[pid] = (cid, variant, kind)
    if variant not in variants:
        variants.append(variant)
counts = {}
for line in open(out, 'rb'):
    line = line.decode('utf-8', 'replace')
    if 'key="p2p_stale"' not in line or not line.startswith('type=SYSCALL'):
        continue
    pid = re.search(r' pid=(\d+) ', line).group(1)
    ppid = re.search(r' ppid=(\d+) ', line).group(1)
    e = by_pid.get(pid) or by_ppid.get(ppid)
    if not e:
        continue
    cid, variant, kind = e
    m = re.search(r' container_id=("?)([0-9a-f]{64}|\?)\1', line)
    got = m.group(2) if m else None
    shape = 'self' if kind == 'pid' else 'shell'
    c = counts.setdefault((variant, shape), {'right': 0, 'unresolved': 0, 'host': 0, 'other': 0})
    if cid == 'host':
        c['host' if got is None else 'unresolved' if got == '?' else 'other'] += 1
    elif got == cid: c['right'] += 1
    elif got == '?': c['unresolved'] += 1
    elif got is None: c['host'] += 1
    else: c['other'] += 1
res = []
for (variant, shape), c in sorted(counts.items()):
    n = sum(c.values())
    print('# %s %s: %d records: %s' % (variant, shape, n, c), file=sys.stderr)
    if variant == 'host':
        res.append(('host loop: no host process named a pod (%d of %d)' % (c['other'], n),
                    n == 100 and c['other'] == 0))
        continue
    res.append(('%s, %s: none of the pod\'s attributed to the host (%d) or another pod (%d); right %.1f%% of %d'
                % (variant, 'moved shell' if shape == 'shell' else 'self-moving true',
                   c['host'], c['other'], 100.0 * c['right'] / max(n, 1), n),
                n > 0 and c['host'] == 0 and c['other'] == 0))
if not counts:
    res.append(('records arrived', False))
for name, ok in res:
    print(('ok - ' if ok else 'not ok - ') + name)
sys.exit(0 if all(ok for _, ok in res) else 1)
PYEOF
py=$?
t_done
exit $((py | $?))
