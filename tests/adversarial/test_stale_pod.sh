#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_stale_pod.sh - a pod's own processes that used to be misread, under a
# real auditd:
#  - zombies on cgroup v1: 20 pod shells that fork /usr/bin/true and exec
#    sleep (which never reaps it), while a host loop keeps the plugin
#    reading with the batch: the child, read late, is a zombie whose cgroup
#    file reads "/" on every line;
#  - a process named runc inside the pod (a copy of bash) running
#    /usr/bin/true 300 times: a pod's process, not a runtime: its children
#    inherit the pod;
#  - 100 more processes named runc in the pod, running before the plugin
#    starts: the doorbell's watch set takes runtimes on the host only, so
#    they do not join it (connector_watched in metrics_file).
# Asserted hard: none of the pod's attributed to the host or another pod.
# Printed: the share named right (runc's children: at least 90%).
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/auditd.sh"
. "$(dirname "$0")/../lib/podcg.sh"
R=$(t_repo_root)
BIN=$R/${B:-build}/audisp-pid2pod
W=$(t_workdir)
chmod 0755 "$W"
UID1=$(cat /proc/sys/kernel/random/uuid)
CID1=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
podcg_create pod cgroupfs "$UID1" "$CID1" >/dev/null || t_fail "podcg" "create"
if ! podcg_hierarchies | awk 'NF == 2' | grep -q .; then
	t_skip "zombies on cgroup v1" "no v1 hierarchy"
fi
cp /bin/bash "$W/runc"
# 100 sleepers named runc in the pod (comm "runc"), before the plugin starts
mkdir -p "$W/s" && cp /bin/sleep "$W/s/runc"
fleet=$(podcg_spawn pod /bin/bash -c "for i in \$(seq 100); do '$W/s/runc' 30 & done; wait")
t_wait_for 3000 sh -c "[ \$(pgrep -x -P $fleet runc | wc -l) -ge 100 ]" ||
	t_fail "100 pod processes named runc" "$(pgrep -x -P "$fleet" runc | wc -l) started"
pgrep -x -P "$fleet" runc >"$W/fleet.pids"
t_on_exit sh -c "kill \$(cat '$W/fleet.pids') $fleet 2>/dev/null; true"

{
	printf 'output = file\noutput_file = %s/plugin.out\n' "$W"
	printf 'metrics_file = %s/metrics\nmetrics_interval = 1\n' "$W"
} >"$W/p.conf"
chmod 0640 "$W/p.conf"
auditd_with_plugin "$W" "$BIN" "$W/p.conf" q_depth=20000 || { t_done; exit; }
auditctl -b 16384 >/dev/null
auditd_rule -a always,exit -F arch=b64 -S execve -F exe=/usr/bin/true -k p2p_stale_pod

: >"$W/zpids"
# a host load keeps the plugin reading with the batch (every batch_ms), so
# the zombies' execs are read late, after /usr/bin/true exited
/bin/bash -c 'for i in $(seq 3000); do /bin/true; done' & load=$!
t_on_exit sh -c "kill $load 2>/dev/null; true"
# in the pod on the v1 hierarchies alone (on v2 a zombie still shows its
# cgroup): the loop moves itself there, then execs
v2mnt=$(podcg_hierarchies | awk 'NF == 1 {print $1}')
v1dirs=$(podcg_dirs pod | grep -v "^$v2mnt/" | tr '\n' ' ')
/bin/bash -c "for d in $v1dirs; do echo \$\$ > \$d/cgroup.procs || exit 9; done
	exec /bin/bash -c \"for i in \\\$(seq 20); do /bin/sh -c '/usr/bin/true & exec /bin/sleep 2' & echo \\\$! >>'$W/zpids'; sleep 0.05; done; wait\"" &
zl=$!
t_wait_for 20000 sh -c "! kill -0 $zl 2>/dev/null"
kill "$load" 2>/dev/null
rc=$(podcg_spawn pod "$W/runc" -c 'for i in $(seq 300); do /usr/bin/true; done; sleep 0.2')
t_wait_for 20000 sh -c "! kill -0 $rc 2>/dev/null"
t_wait_for 20000 sh -c "[ \$(grep -a -c 'key=\"p2p_stale_pod\"' '$W/plugin.out') -ge 320 ]"
t_wait_for 3000 test -s "$W/metrics"
sleep 1.1
watched=$(awk '/^pid2pod_connector_watched /{print $2}' "$W/metrics")
auditd_stop
# shellcheck disable=SC2046 # one pid a word
kill $(cat "$W/fleet.pids") "$fleet" 2>/dev/null

t_check "the pod's 100 processes named runc are not watched (connector_watched $watched)" \
	test "${watched:-999}" -lt 50

/usr/bin/python3 - "$W/plugin.out" "$W/zpids" "$rc" "$CID1" <<'PYEOF'
import re, sys
out, zpids, rc, cid = sys.argv[1:]
zp = set(open(zpids).read().split())
z = {'right': 0, 'unresolved': 0, 'host': 0, 'other': 0}
r = dict(z)
for line in open(out, 'rb'):
    line = line.decode('utf-8', 'replace')
    if 'key="p2p_stale_pod"' not in line or not line.startswith('type=SYSCALL'):
        continue
    ppid = re.search(r' ppid=(\d+) ', line).group(1)
    c = z if ppid in zp else r if ppid == rc else None
    if c is None:
        continue
    m = re.search(r' container_id=("?)([0-9a-f]{64}|\?)\1', line)
    got = m.group(2) if m else None
    c['right' if got == cid else 'unresolved' if got == '?' else 'host' if got is None else 'other'] += 1
nz, nr = sum(z.values()), sum(r.values())
print('# zombies: %d records: %s' % (nz, z), file=sys.stderr)
print('# runc in the pod: %d records: %s' % (nr, r), file=sys.stderr)
res = [('zombies on v1: none attributed to the host (%d) or another pod (%d); right %.1f%% of %d'
        % (z['host'], z['other'], 100.0 * z['right'] / max(nz, 1), nz),
        nz == 20 and z['host'] == 0 and z['other'] == 0),
       ('runc in a pod: none of its children to the host (%d) or another pod (%d)'
        % (r['host'], r['other']), nr == 300 and r['host'] == 0 and r['other'] == 0),
       ('runc in a pod: its children named by the pod, %.1f%% (floor 90%%)'
        % (100.0 * r['right'] / max(nr, 1)), r['right'] >= 0.9 * 300)]
for name, ok in res:
    print(('ok - ' if ok else 'not ok - ') + name)
sys.exit(0 if all(ok for _, ok in res) else 1)
PYEOF
py=$?
t_done
exit $((py | $?))
