#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_stale_reuse.sh - a real pid reuse while records lag, under a real
# auditd: a process in pod A (python) sets ns_last_pid and forks a child
# that execs /usr/bin/true (pid N, a record of pod A); once it is reaped,
# ns_last_pid is set again and a process in pod B forks at once, getting
# pid N.  The plugin often takes pod B's fork before pod A's record (records
# are read with the batch): that record must never be pod B's (nor the
# host's).  Rounds whose reuse was raced by another fork are not counted.
# Printed: the share of reused records named pod A.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/auditd.sh"
. "$(dirname "$0")/../lib/podcg.sh"
R=$(t_repo_root)
BIN=$R/${B:-build}/audisp-pid2pod
W=$(t_workdir)
chmod 0755 "$W"
ROUNDS=40
[[ -w /proc/sys/kernel/ns_last_pid ]] || { t_skip "pid reuse" "no ns_last_pid"; t_done; exit; }

UA=$(cat /proc/sys/kernel/random/uuid) UB=$(cat /proc/sys/kernel/random/uuid)
CA=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
CB=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
podcg_create a cgroupfs "$UA" "$CA" >/dev/null || t_fail "podcg a" "create"
podcg_create b cgroupfs "$UB" "$CB" >/dev/null || t_fail "podcg b" "create"
mkfifo "$W/go" "$W/done"
cat >"$W/reuse.py" <<'PY'
import os, sys, time
role, w, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
def last_pid(x):
    with open('/proc/sys/kernel/ns_last_pid', 'w') as f:
        f.write(str(x))
if role == 'b':
    go, done = open(w + '/go'), open(w + '/done', 'w')
    kids = []
    for line in go:
        pid = os.fork()
        if pid == 0:
            time.sleep(0.3)
            os._exit(0)
        done.write('%d\n' % pid); done.flush()
        kids.append(pid)
    for k in kids:
        os.waitpid(k, 0)
    sys.exit(0)
go, done = open(w + '/go', 'w'), open(w + '/done')
log = open(w + '/pairs', 'w')
base = 300000 if int(open('/proc/sys/kernel/pid_max').read()) > 400000 else 20000
for i in range(rounds):
    x = base + i * 7
    last_pid(x)
    pid = os.fork()
    if pid == 0:
        os.execv('/usr/bin/true', ['true'])
    os.waitpid(pid, 0)
    last_pid(x)
    go.write('go\n'); go.flush()
    b = int(done.readline())
    log.write('%d %d\n' % (pid, b)); log.flush()
    time.sleep(0.05)
go.close()
PY

printf 'output = file\noutput_file = %s/plugin.out\n' "$W" >"$W/p.conf"
chmod 0640 "$W/p.conf"
auditd_with_plugin "$W" "$BIN" "$W/p.conf" q_depth=20000 || { t_done; exit; }
auditd_rule -a always,exit -F arch=b64 -S execve -F exe=/usr/bin/true -k p2p_reuse

# a host load keeps the plugin reading with the batch (every batch_ms), so
# pod A's record is often read after pod B's fork
/bin/bash -c 'for i in $(seq 20000); do /bin/true; done' & load=$!
t_on_exit sh -c "kill $load 2>/dev/null; true"
pb=$(podcg_spawn b /usr/bin/python3 "$W/reuse.py" b "$W" "$ROUNDS")
pa=$(podcg_spawn a /usr/bin/python3 "$W/reuse.py" a "$W" "$ROUNDS")
t_wait_for 30000 sh -c "! kill -0 $pa 2>/dev/null && ! kill -0 $pb 2>/dev/null" ||
	t_fail "the two pods' processes ended" "still running"
kill "$load" 2>/dev/null
sleep 1
auditd_stop

/usr/bin/python3 - "$W/plugin.out" "$W/pairs" "$CA" "$CB" "$pa" <<'PYEOF'
import re, sys
out, pairs, ca, cb, pa = sys.argv[1:]
reused = set()
n_pairs = 0
for line in open(pairs):
    a, b = line.split()
    n_pairs += 1
    if a == b:
        reused.add(a)
c = {'right': 0, 'unresolved': 0, 'host': 0, 'pod_b': 0, 'other': 0}
for line in open(out, 'rb'):
    line = line.decode('utf-8', 'replace')
    if 'key="p2p_reuse"' not in line or not line.startswith('type=SYSCALL'):
        continue
    pid = re.search(r' pid=(\d+) ', line).group(1)
    ppid = re.search(r' ppid=(\d+) ', line).group(1)
    if pid not in reused or ppid != pa:
        continue  # the host load's processes may take these pids later
    m = re.search(r' container_id=("?)([0-9a-f]{64}|\?)\1', line)
    got = m.group(2) if m else None
    c['right' if got == ca else 'unresolved' if got == '?' else 'host' if got is None
      else 'pod_b' if got == cb else 'other'] += 1
n = sum(c.values())
print('# %d rounds, %d with the pid reused by pod B; their records: %s' % (n_pairs, len(reused), c), file=sys.stderr)
res = [('pids reused for real (%d of %d rounds)' % (len(reused), n_pairs), len(reused) >= 5),
       ('a record of every reused pid (%d)' % n, n == len(reused)),
       ('pod A\'s late records never pod B\'s (%d), the host\'s (%d) or another\'s (%d); pod A %.1f%%'
        % (c['pod_b'], c['host'], c['other'], 100.0 * c['right'] / max(n, 1)),
        n > 0 and c['pod_b'] == 0 and c['host'] == 0 and c['other'] == 0)]
for name, ok in res:
    print(('ok - ' if ok else 'not ok - ') + name)
sys.exit(0 if all(ok for _, ok in res) else 1)
PYEOF
py=$?
t_done
exit $((py | $?))
