#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_exec_sessions.sh - k8s_exec (README: Exec sessions) with a real
# containerd and runc under a real auditd.  Before the plugin: a container
# "old" whose init loops `/bin/true p2p-old` and a `ctr task exec` session
# in it (its records: ? or its root; the init's: none, it is pid 1 of its
# pid namespace).  Under the plugin: a container whose init loops
# `/bin/true p2p-init`, and in it three
# sessions: a shell running children, a shell whose child outlives it
# (re-parented to the container's init), a shell that execs /bin/true in
# place; and an exec whose only process is /bin/true.  Every record of a
# session's processes must carry its root's host pid, none of the init's
# tree may carry one, the bare /bin/true its own pid or ? (it may be gone
# before its exec is read: rightly ?), the session from before ? or its
# root; the metric sessions_started and the log line count them.
# Processes are found by their arguments (EXECVE a1, or $0 of a root
# shell), never by the fields under test.
set -u
set -o pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/auditd.sh"
. "$(dirname "$0")/../lib/ctr.sh"
R=$(t_repo_root)
BIN=$R/${B:-build}/audisp-pid2pod
W=$(t_workdir)
chmod 0755 "$W"

mkdir -p "$W/ctr"
ctr_start "$W/ctr" || { t_fail "containerd start" "rc=$?"; t_done; exit; }
oldcid=$(ctr_run_pod old shop db-0 8d7c6b5a-4e3f-4a1b-8c9d-0e1f2a3b4c5d db cgroupfs \
	/bin/sh -c 'while true; do /bin/true p2p-old; sleep 0.2; done') ||
	{ t_fail "container old" "did not start"; t_done; exit; }
# a session older than the plugin: its lineage was never seen
ctr_exec old s0 /bin/sh -c 'for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do /bin/true p2p-s0; sleep 0.3; done' p2p-root-s0 &
s0_job=$!
sleep 0.5

printf 'output = file\noutput_file = %s/plugin.out\nruntime_state_dirs = %s\nmetrics_file = %s/m.prom\nmetrics_interval = 1\nlog_file = %s/plugin.log\n' \
	"$W" "$CTR_STATE_DIR" "$W" "$W" > "$W/p.conf"
chmod 0640 "$W/p.conf"
auditd_with_plugin "$W" "$BIN" "$W/p.conf" || { t_done; exit; }
auditd_rule -a always,exit -F arch=b64 -S execve -k p2p_ex
# pid2pod sessions, from /proc alone, while the older session runs: its
# root (its parent the shim, in another pid namespace), not the init
oldinit=$(ctr_pid old) || t_fail "the old init's pid" "none"
CLI=$R/${B:-build}/pid2pod
"$CLI" -c "$W/p.conf" --no-kubelet sessions shop/db-0 >"$W/sess.out" 2>"$W/sess.err"
"$CLI" -c "$W/p.conf" --no-kubelet sessions --json shop/db-0 >"$W/sess.json" 2>>"$W/sess.err"
cat "$W/sess.out" "$W/sess.json" "$W/sess.err" | sed 's/^/# /'
sroot=$(awk '$1 == "shop" && $2 == "db-0" && $3 == "db" { print $4 }' "$W/sess.out")
if [ -n "$sroot" ] && [ "$(wc -l <"$W/sess.out")" -eq 2 ] && [ "$sroot" != "$oldinit" ] &&
	tr '\0' ' ' <"/proc/$sroot/cmdline" | grep -q "p2p-root-s0" &&
	grep -q "p2p-root-s0\$" "$W/sess.out"; then
	t_ok "pid2pod sessions: the one open session, root $sroot (its shell), not the init $oldinit"
else
	t_fail "pid2pod sessions" "$(cat "$W/sess.out" "$W/sess.err")"
fi
/usr/bin/python3 - "$W/sess.json" "$sroot" <<'PYEOF' && t_ok "pid2pod sessions --json: the root, its start, its processes, exec in its k8s" || t_fail "pid2pod sessions --json" "$(cat "$W/sess.json")"
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
o = objs[0]
sys.exit(0 if len(objs) == 1 and str(o["root"]) == sys.argv[2] and o["processes"] >= 1 and
         o["started"].endswith("Z") and o["process"]["k8s"]["exec"] == o["root"] and
         o["process"]["k8s"]["container"] == "db" else 1)
PYEOF
# ps, pids and lookup, text and --json, from /proc alone while s0 runs:
# its root and the root's children carry the root, the init none, the
# init's children ? (pid 1 adopts orphans: /proc cannot tell).  A snapshot
# that caught no child of the root (they live 0.3 s at a time) is taken
# again, up to 5 times; a wrong answer fails at once.
cat >"$W/cli_check.py" <<'PYEOF'
import json, sys
kind, path, init, root = sys.argv[1:5]
want = dict(a.split(":", 1) for a in sys.argv[5:])  # lookup: pid -> exec
rows = []
lines = open(path).read().splitlines()
if kind == "json":
    for o in (json.loads(l) for l in lines if l.strip()):
        k = o.get("k8s", {})
        if k.get("pod") == "db-0" and k.get("container") == "db":
            e = k.get("exec")
            if e is not None and not (isinstance(e, int) or e == "?"):
                print("exec %r: not a number nor ?" % (e,)); sys.exit(1)
            rows.append((str(o["pid"]), str(o.get("ppid")), "" if e is None else str(e)))
else:
    col = {h: i for i, h in enumerate(lines[0].split())} if lines else {}
    for l in lines[1:]:
        f = l.split()
        if f[col["CONTAINER"]] == "db" and f[col.get("POD", col["CONTAINER"])] in ("db-0", "db"):
            e = f[col["EXEC"]]
            rows.append((f[col["PID"]], f[col["PPID"]] if "PPID" in col else "",
                         "" if e == "-" else e))
got = {p: e for p, _, e in rows}
bad = []
if want:
    if got != want: bad.append("got %s want %s" % (got, want))
else:
    kids = 0
    for p, pp, e in rows:
        w = None
        if p == init: w = ""
        elif p == root or pp == root: w = root; kids += pp == root
        elif pp == init: w = "?"
        elif e not in ("", "?"): bad.append("%s (parent %s): exec %s, not in the session" % (p, pp, e))
        if w is not None and e != w: bad.append("%s (parent %s): exec [%s] want [%s]" % (p, pp, e, w))
    for p in (init, root):
        if p not in got: bad.append("no process %s" % p)
    if not bad and not kids:
        sys.exit(2)
if bad: print("; ".join(bad)); sys.exit(1)
PYEOF
# cli_sess NAME KIND CMD...: CMD's output checked by cli_check.py (after --)
cli_sess() {
	local n=$1 kind=$2 try out rc
	shift 2
	local -a cmd=() chk=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do cmd+=("$1"); shift; done
	shift
	chk=("$@")
	for try in 1 2 3 4 5; do
		if [ "${chk[0]:-}" = kids ]; then # lookup: a child of each, now
			local rk ik
			rk=$(cut -d' ' -f1 "/proc/$sroot/task/$sroot/children" 2>/dev/null)
			ik=$(cut -d' ' -f1 "/proc/$oldinit/task/$oldinit/children" 2>/dev/null)
			[ -n "$rk" ] && [ -n "$ik" ] || { sleep 0.1; continue; }
			cmd=("${cmd[@]:0:${#cmd[@]}-4}" "$oldinit" "$sroot" "$rk" "$ik")
			chk=(kids "$oldinit:" "$sroot:$sroot" "$rk:$sroot" "$ik:?")
		fi
		rc=0
		"${cmd[@]}" >"$W/$n.out" 2>"$W/$n.err" || rc=$?
		[ "$rc" -eq 0 ] || { [ "${chk[0]:-}" = kids ] && [ "$rc" -eq 1 ] && continue; break; }
		rc=0
		out=$(/usr/bin/python3 "$W/cli_check.py" "$kind" "$W/$n.out" "$oldinit" "$sroot" "${chk[@]:1}" 2>&1) || rc=$?
		[ "$rc" -eq 2 ] || break
	done
	if [ "$rc" -eq 0 ]; then
		t_ok "pid2pod $n: the root $sroot and its children carry it, the init $oldinit none, its children ? ($try tries)"
	else
		t_fail "pid2pod $n" "status $rc: $out $(head -c 300 "$W/$n.err") $(head -c 600 "$W/$n.out")"
	fi
}
if [ -n "$sroot" ] && [ "$sroot" != "$oldinit" ]; then
	p2p() { "$CLI" -c "$W/p.conf" --no-kubelet "$@"; }
	cli_sess ps table p2p ps --
	cli_sess "ps --json" json p2p ps --json --
	cli_sess "pids" table p2p pids shop/db-0 --
	cli_sess "pids --json" json p2p pids --json shop/db-0 --
	cli_sess "lookup" table p2p lookup 0 0 0 0 -- kids
	cli_sess "lookup --json" json p2p lookup --json 0 0 0 0 -- kids
	sed 's/^/# /' "$W/pids.out" "$W/lookup.out" >&2
else
	t_fail "pid2pod ps/pids/lookup sessions" "no session root from pid2pod sessions"
fi
cid=$(ctr_run_pod one shop web-0 3f2504e0-4f89-41d3-9a0c-0305e82c3301 app cgroupfs \
	/bin/sh -c 'while true; do /bin/true p2p-init; sleep 0.2; done') ||
	{ t_fail "container one" "did not start"; t_done; exit; }
sleep 0.5

ctr_exec one s1 /bin/sh -c 'sleep 0.3; /bin/true p2p-s1; /bin/true p2p-s1; (/bin/true p2p-s1)' p2p-root-s1 ||
	t_fail "session 1" "failed"
ctr_exec one s2 /bin/sh -c 'sleep 0.3; (sleep 1; /bin/true p2p-s2; /bin/true p2p-s2) >/dev/null 2>&1 & exit 0' p2p-root-s2 ||
	t_fail "session 2" "failed"
ctr_exec one s3 /bin/sh -c 'sleep 0.3; exec /bin/true p2p-s3' p2p-root-s3 ||
	t_fail "session 3" "failed"
ctr_exec one s4 /bin/true p2p-s4 || t_fail "session 4 (a bare /bin/true)" "failed"
sleep 2 # session 2's child outlives its root by 1 s
wait "$s0_job"
sleep 1.2
auditd_stop

/usr/bin/python3 - "$W/plugin.out" "$cid" "$oldcid" <<'PYEOF'
import re, sys
lines = open(sys.argv[1], 'rb').read().splitlines()
cid, oldcid = sys.argv[2].encode(), sys.argv[3].encode()
def serial(l):
    m = re.search(rb'msg=audit\([0-9.]+:(\d+)\)', l)
    return m.group(1) if m else None
def arg(v):
    if v.startswith(b'"'):
        return v[1:-1]
    try:
        return bytes.fromhex(v.decode())
    except ValueError:
        return v
argv = {}
for l in lines:
    if l.startswith(b'type=EXECVE'):
        argv[serial(l)] = [arg(m.group(1)) for m in re.finditer(rb' a\d+=("[^"]*"|[0-9A-F]+)', l)]
recs = [l for l in lines if l.startswith(b'type=SYSCALL') and b'key="p2p_ex"' in l]
def f(l, name):
    m = re.search(rb' ' + name + rb'=("[^"]*"|\?|\S+)', l)
    return m.group(1).strip(b'"') if m else None
def args(l):
    return argv.get(serial(l), [])
def marked(l, mark):
    a = args(l)
    return len(a) > 1 and a[1] == mark or a[-1:] == [b'p2p-root-' + mark[4:]]
res = []
def check(name, ok, detail=''):
    res.append((name + (': ' + detail if detail else ''), ok))
ours = [l for l in recs if f(l, b'container_id') == cid]
print('# %d execve records, %d of the container' % (len(recs), len(ours)), file=sys.stderr)
# the roots: the shell each session started ($0 = p2p-root-sN), in a
# container (ctr's own command line on the host ends the same)
roots = {}
for s in (b'p2p-s1', b'p2p-s2', b'p2p-s3', b'p2p-s0'):
    r = [f(l, b'pid') for l in recs if args(l)[-1:] == [b'p2p-root-' + s[4:]]
         and args(l)[:1] == [b'/bin/sh'] and f(l, b'container_id') != None]
    roots[s] = r[0] if r else None
    print('# %s: root %s' % (s.decode(), r), file=sys.stderr)
for s in (b'p2p-s1', b'p2p-s2', b'p2p-s3'):
    root = roots[s]
    # in a container (ctr and timeout on the host end the same)
    mine = [l for l in recs if f(l, b'container_id') is not None and
            (marked(l, s) or (root and f(l, b'ppid') == root))]
    named = [l for l in mine if f(l, b'container_id') == cid]
    # container_id=?: a short-lived child read after it and its parent
    # were gone (README, How a pid is resolved, rule 2): no session either
    unres = [l for l in mine if f(l, b'container_id') == b'?' and f(l, b'k8s_exec') is None]
    check('%s: its root started under the plugin found' % s.decode(), root is not None)
    good = [l for l in named if root and f(l, b'k8s_exec') == root]
    check('%s: every named record of its processes carries k8s_exec="%s" (%d of %d; %d more container_id=?)'
          % (s.decode(), (root or b'-').decode(), len(good), len(mine), len(unres)),
          len(good) >= 3 and len(good) + len(unres) == len(mine),
          '' if len(good) + len(unres) == len(mine) else repr([(f(l, b'pid'), f(l, b'ppid'), args(l)[:2],
                                                   (f(l, b'container_id') or b'-')[:8], f(l, b'k8s_exec'))
                                                  for l in mine]))
# session 2's children ran after their root exited (re-parented)
s2late = [l for l in recs if args(l)[1:2] == [b'p2p-s2']]
s2named = [l for l in s2late if f(l, b'container_id') == cid]
check('p2p-s2: the records of the children that outlived the root carry it (%d of %d named)'
      % (len(s2named), len(s2late)),
      len(s2late) == 2 and len(s2named) >= 1 and
      all(f(l, b'k8s_exec') == roots[b'p2p-s2'] for l in s2named) and
      all(f(l, b'container_id') == b'?' and f(l, b'k8s_exec') is None
          for l in s2late if l not in s2named),
      repr([(f(l, b'pid'), f(l, b'ppid'), (f(l, b'container_id') or b'-')[:8], f(l, b'k8s_exec')) for l in s2late]))
# the inits' trees: never a session (the old one's init too: pid 1 of
# its pid namespace, its children forked under the plugin)
for mark, c, what in ((b'p2p-init', cid, "the init's tree"),
                      (b'p2p-old', oldcid, "the init's tree of the container older than the plugin")):
    itree = [l for l in recs if args(l)[1:2] == [mark]]
    named = [l for l in itree if f(l, b'container_id') == c]
    carry = [l for l in itree if f(l, b'k8s_exec') is not None]
    check("%s: %d records, %d named, none carries k8s_exec" % (what, len(itree), len(named)),
          len(itree) >= 5 and len(named) >= len(itree) - 1 and not carry,
          repr([f(l, b'k8s_exec') for l in carry][:5]))
# a bare /bin/true exec'd: its own pid, or ? (gone before its exec was
# read: then container_id=? too, and no k8s_exec)
s4 = [l for l in recs if args(l)[1:2] == [b'p2p-s4']]
check('the bare exec\'d /bin/true: k8s_exec is its own pid, or ? (%s)'
      % [(f(l, b'container_id')[:12], f(l, b'k8s_exec')) for l in s4],
      len(s4) == 1 and (f(s4[0], b'k8s_exec') in (f(s4[0], b'pid'), b'?') or
                        f(s4[0], b'container_id') == b'?' and f(s4[0], b'k8s_exec') is None))
# the session from before the plugin: ? or its root, never absent
s0 = [l for l in recs if args(l)[1:2] == [b'p2p-s0']]
s0v = [f(l, b'k8s_exec') for l in s0]
check("the session started before the plugin: ? or its root on each of its %d records" % len(s0),
      len(s0) >= 3 and all(v == b'?' or (roots[b'p2p-s0'] and v == roots[b'p2p-s0']) for v in s0v),
      repr(sorted(set(s0v))))
for name, ok in res:
    print(('ok - ' if ok else 'not ok - ') + name)
sys.exit(0 if all(ok for _, ok in res) else 1)
PYEOF
py_rc=$?
# the bare /bin/true's start is counted only when it was read alive
started=$(awk '$1 == "pid2pod_sessions_started_total" { print $2 }' "$W/m.prom" 2>/dev/null)
if [ "${started:-0}" -ge 3 ] && [ "${started:-0}" -le 4 ]; then
	t_ok "metric sessions_started: $started (3 sessions under the plugin, and a bare /bin/true)"
else
	t_fail "metric sessions_started" "${started:-none} for 3-4 sessions: $(grep sessions "$W/m.prom" 2>&1)"
fi
nlog=$(grep -c "exec session: root [0-9]* in shop/web-0 container app" "$W/plugin.log")
if [ "$nlog" -ge 1 ]; then
	t_ok "log: a session's line names its pod and container ($nlog lines, rate-limited)"
else
	t_fail "log" "no session line: $(grep -i session "$W/plugin.log" | head -3)"
fi
t_done
st=$?
exit $((py_rc | st))
