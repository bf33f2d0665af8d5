#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_birth.sh - containers started by a real containerd/runc whose first
# and only process is /bin/true, with a real auditd delivering to the
# plugin: each init's execve record must carry its container id (read at
# the exec through the process connector; the bundle and the process are
# gone milliseconds later).  Asserted: no init attributed to the host or to
# another container.  Reported, with a floor: the share that got its id.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/auditd.sh"
. "$(dirname "$0")/../lib/ctr.sh"
R=$(t_repo_root)
BIN=$R/${B:-build}/audisp-pid2pod
W=$(t_workdir)
chmod 0755 "$W"
N=${P2P_BIRTHS:-20}

mkdir -p "$W/ctr"
ctr_start "$W/ctr" || { t_fail "containerd start" "rc=$?"; t_done; exit; }
# the kubelet is unreachable (none here): names come from the runtime state
printf 'output = file\noutput_file = %s/plugin.out\nruntime_state_dirs = %s\n' \
	"$W" "$CTR_STATE_DIR" > "$W/p.conf"
chmod 0640 "$W/p.conf"
auditd_with_plugin "$W" "$BIN" "$W/p.conf" || { t_done; exit; }
auditd_rule -a always,exit -F arch=b64 -S execve -k p2p_birth

: > "$W/births"
for i in $(seq "$N"); do
	u=$(printf '%08x-0000-4000-8000-%012x' "$i" "$i")
	style=cgroupfs; [ $((i % 2)) -eq 0 ] && style=systemd-names
	if out=$(ctr_run_birth "b$i" default "web-$i" "$u" app "$style" /bin/true); then
		echo "$out web-$i" >> "$W/births"
	else
		t_fail "birth $i" "container did not run"
	fi
done
t_log "$(wc -l < "$W/births") birth containers ran"
sleep 1
auditd_stop

/usr/bin/python3 - "$W/plugin.out" "$W/births" <<'PYEOF'
import re, sys
out = open(sys.argv[1], 'rb').read().splitlines()
births = [l.split() for l in open(sys.argv[2]) if l.strip()]
right = wrong = host = unres = missing = named = 0
for cid, pid, rc, pod in births:
    recs = [l for l in out if l.startswith(b'type=SYSCALL') and (b' pid=%s ' % pid.encode()) in l
            and b'key="p2p_birth"' in l and b'syscall=59 ' in l]
    # runc's own execs (runc init) share the pid; the container's is the last
    rec = recs[-1] if recs else None
    if rec is None:
        missing += 1; continue
    m = re.search(rb' container_id=("?)([0-9a-f]{64}|\?)\1', rec)
    got = m.group(2).decode() if m else None
    want = b' k8s_namespace="default" k8s_pod="%s" k8s_container="app" ' % pod.encode()
    if got == cid and want in rec and b' k8s_image="docker.io/library/busybox:1.36"' in rec:
        named += 1
    if got == cid: right += 1
    elif got == "?": unres += 1
    elif got is None: host += 1
    else: wrong += 1
n = len(births)
print("# %d births: right=%d named=%d unresolved=%d host=%d other=%d no-record=%d"
      % (n, right, named, unres, host, wrong, missing), file=sys.stderr)
res = [("every init's execve record was found (%d of %d)" % (n - missing, n), missing == 0 and n > 0),
       ("no init attributed to the host (%d) or another container (%d)" % (host, wrong), host == 0 and wrong == 0),
       # at most one of the 20 unresolved ("?", never wrong): 20 of 20
       # measured alone and with ASan, 19 of 20 once with five other test
       # runs sharing the two cores
       ("init execve records carry their container id: %d of %d, %.1f%% (floor: all but one)" % (right, n, 100.0 * right / max(n, 1)),
        n > 0 and right >= n - 1),
       ("init execve records carry namespace, pod, container and image from the runtime state: %d of %d, %.1f%% (floor: all but one)"
        % (named, n, 100.0 * named / max(n, 1)),
        n > 0 and named >= n - 1)]
for name, ok in res:
    print(("ok - " if ok else "not ok - ") + name)
sys.exit(0 if all(ok for _, ok in res) else 1)
PYEOF
py_rc=$?
t_done
st=$?
exit $((py_rc | st))
