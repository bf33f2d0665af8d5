#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_cli.sh - the pid2pod command against real processes in real
# pod-like cgroups and the HTTPS kubelet stand-in (nginx, test CA, token).
#
# Two pods: shop/web-7d9f8-abcde (container "app": a bash with two sleeps,
# plus a later process in the same container, as kubectl exec makes, and a
# pause-like process in the pod's cgroup only) and data/db-0 (containers
# "db" and "cache", each in its own pid namespace).  The kubelet's list
# names them; runtime_state_dirs is empty, so every name comes from the
# kubelet.  Later an exec session into "cache": a shell that nsenter (on
# the host) starts in cache's pid namespace, moved into its cgroup, with a
# child, as runc exec makes one; ps, pids, lookup and sessions must show
# its root on both, "-" or no "exec" on the containers' own trees, "?" on
# the process added in the host's pid namespace (app's later one).
# Covered: every subcommand in table and JSON form, a host pid,
# a missing pid, the main-process marking, NSpid translation and its
# ambiguity, pod and container not found, --no-kubelet, a kubelet that is
# not there, a non-root user who cannot read the config (or the token), a
# tree holding only <pid>/cgroup, usage and config errors.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/podcg.sh"
. "$(dirname "$0")/../lib/kubelet.sh"
R=$(t_repo_root)
BIN=$R/${B:-build}/pid2pod
T=$R/tests/tools
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
W=$(t_workdir)
chmod 0755 "$W"
[ -x "$BIN" ] || { t_fail "binary" "$BIN missing"; t_done; exit; }

U1=3c1e0a52-6b7d-4e8f-9a0b-1c2d3e4f5a6b U2=8d7c6b5a-4e3f-4a1b-8c9d-0e1f2a3b4c5d
hex() { od -An -N32 -tx1 /dev/urandom | tr -d ' \n'; }
C1=$(hex) C2=$(hex) C3=$(hex)
ok=1
podcg_create app cgroupfs "$U1" "$C1" >/dev/null || ok=0
podcg_create pause cgroupfs "$U1" pause >/dev/null || ok=0
podcg_create db systemd "$U2" "$C2" >/dev/null || ok=0
podcg_create cache systemd "$U2" "$C3" >/dev/null || ok=0
((ok)) || { t_fail "podcg_create" "cannot make the pod cgroups"; t_done; exit; }

children() { local c; c=$(cat "/proc/$1/task/$1/children" 2>/dev/null); echo ${c% }; }
ppid() { awk '/^PPid:/ {print $2}' "/proc/$1/status"; }
A=$(podcg_spawn app /bin/bash -c 'sleep 30 & sleep 30 & wait')
t_wait_for 2000 sh -c "[ \$(wc -w < /proc/$A/task/$A/children) -ge 2 ]"
read -r A1 A2 <<<"$(children "$A")"
sleep 0.05 # a later start time than the container's first process
X=$(podcg_spawn app sleep 30)
P=$(podcg_spawn pause sleep 30)
D1=$(podcg_spawn_pidns db /bin/bash -c 'sleep 30 & exec sleep 30')
t_wait_for 2000 sh -c "[ -n \"\$(cat /proc/$D1/task/$D1/children)\" ]"
D2=$(children "$D1")
DU=$(ppid "$D1")
K1=$(podcg_spawn_pidns cache sleep 30)
KU=$(ppid "$K1")
sleep 30 & H=$!
t_on_exit sh -c "kill $H 2>/dev/null; true"
t_log "app $A ($A1 $A2) exec'd $X pause $P db $DU>$D1>$D2 cache $KU>$K1 host $H"

"$PY" "$T/mkpodlist.py" -o "$W/list.json" \
	pods "shop/web-7d9f8-abcde/$U1/app=$C1" --owner ReplicaSet/web-7d9f8 \
	--label pod-template-hash=7d9f8 --image app=docker.io/library/nginx:1.25 \
	"data/db-0/$U2/db=$C2,cache=$C3" --owner StatefulSet/db \
	--image db=docker.io/library/postgres:16 --image cache=docker.io/library/redis:7 ||
	{ t_fail "mkpodlist" "failed"; t_done; exit; }
kubelet_start "$W/k" "$W/list.json" || { t_fail "nginx" "did not start"; t_done; exit; }
conf() { # conf FILE [EXTRA LINE]
	{
		printf 'runtime_state_dirs =\nkubelet_url = %s\n' "$KUBELET_URL"
		printf 'kubelet_ca_file = %s/ca.crt\nkubelet_token_file = %s/token\n' \
			"$KUBELET_DIR" "$KUBELET_DIR"
		[ $# -gt 1 ] && printf '%s\n' "$2"
	} >"$1"
	chmod 0600 "$1"
}
conf "$W/p.conf"
p2p() { "$BIN" -c "$W/p.conf" "$@"; }

# run NAME CMD...: stdout in $W/NAME.out, stderr in $W/NAME.err, status in RC
run() {
	local n=$1
	shift
	RC=0
	"$@" >"$W/$n.out" 2>"$W/$n.err" || RC=$?
}
# want_rc NAME RC: the status and, for failures, stderr as the detail
want_rc() {
	[ "$RC" -eq "$2" ] && return 0
	t_fail "$1" "exit $RC, want $2; stderr: $(head -c 300 "$W/$1.err")"
	return 1
}
# pyjson NAME SCRIPT ARGS...: run a python check over $W/NAME.out's lines
# (L: a list of objects); it prints nothing when right, else what is wrong
pyjson() {
	local n=$1 script=$2 out
	shift 2
	out=$("$PY" -c "import json, sys
L = [json.loads(x) for x in open(sys.argv[1]) if x.strip()]
A = sys.argv[2:]
$script" "$W/$n.out" "$@" 2>&1)
	if [ -z "$out" ]; then t_ok "$n"; else t_fail "$n" "$out"; fi
}
# field ROW COLUMN-NAME FILE: the cell of a table (header in line 1)
cell() {
	awk -v r="$1" -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$(col["PID"]) == r { print $(col[c]); exit }' "$3"
}

# --- lookup ------------------------------------------------------------------
run lookup_table p2p lookup "$A" "$D2" "$P"
if want_rc lookup_table 0; then
	f=$W/lookup_table.out
	got="$(cell "$A" CONTAINER-ID "$f") $(cell "$A" RUNTIME "$f") $(cell "$A" NAMESPACE "$f") $(cell "$A" POD "$f") $(cell "$A" CONTAINER "$f") $(cell "$A" IMAGE "$f") $(cell "$A" POD-UID "$f") $(cell "$A" NSPID "$f")"
	want="${C1:0:13} - shop web-7d9f8-abcde app docker.io/library/nginx:1.25 $U1 $A"
	[ "$got" = "$want" ] && t_ok "lookup table: the app container's names, short id, pod UID" ||
		t_fail "lookup table" "got [$got] want [$want]"
	got="$(cell "$D2" NSPID "$f") $(cell "$D2" CONTAINER "$f") $(cell "$P" CONTAINER-ID "$f") $(cell "$P" POD "$f") $(cell "$P" CONTAINER "$f")"
	[ "$got" = "2 db - web-7d9f8-abcde -" ] &&
		t_ok "lookup table: pid inside the namespace; the pause process has the pod, no container" ||
		t_fail "lookup table nspid/pause" "got [$got]"
fi
run lookup_json p2p lookup --json "$A" "$D2" "$P"
want_rc lookup_json 0 && pyjson lookup_json '
a, d, p = A[0:3]
want = [
 {"pid": int(a), "nspid": int(a), "runtime": None,
  "k8s": {"container_id": A[3], "namespace": "shop", "pod": "web-7d9f8-abcde",
          "container": "app", "pod_uid": A[5], "image": "docker.io/library/nginx:1.25",
          "owner": "ReplicaSet/web-7d9f8", "workload": "web",
          "workload_kind": "Deployment", "sa": "default"}},
 {"pid": int(d), "nspid": 2, "runtime": "containerd",
  "k8s": {"container_id": A[4], "namespace": "data", "pod": "db-0", "container": "db",
          "pod_uid": A[6], "nspid": 2, "image": "docker.io/library/postgres:16",
          "owner": "StatefulSet/db", "workload": "db",
          "workload_kind": "StatefulSet", "sa": "default"}},
 {"pid": int(p), "nspid": int(p), "runtime": None,
  "k8s": {"container_id": "?", "namespace": "shop", "pod": "web-7d9f8-abcde",
          "pod_uid": A[5], "owner": "ReplicaSet/web-7d9f8", "workload": "web",
          "workload_kind": "Deployment", "sa": "default"}}]
if L != want: print("got %s want %s" % (L, want))
k = open(sys.argv[1]).readline()
if not k.startswith("{\"pid\":%s,\"nspid\":%s,\"runtime\":null,\"k8s\":{\"container_id\":" % (a, a)):
    print("member order: " + k)' "$A" "$D2" "$P" "$C1" "$C2" "$U1" "$U2"

run lookup_host p2p lookup "$H"
want_rc lookup_host 0 && { [ "$(cell "$H" CONTAINER-ID "$W/lookup_host.out")" = host ] &&
	t_ok "lookup table: a host process says host" || t_fail "lookup host" "$(cat "$W/lookup_host.out")"; }
run lookup_host_json p2p lookup --json "$H"
want_rc lookup_host_json 0 && pyjson lookup_host_json '
if L != [{"pid": int(A[0]), "host": True}]: print(L)' "$H"

MISSING=$(($(cat /proc/sys/kernel/pid_max) + 1))
run lookup_missing p2p lookup "$A" "$MISSING"
if want_rc lookup_missing 1; then
	[ "$(cat "$W/lookup_missing.err")" = "pid2pod: no process $MISSING" ] &&
		[ "$(cell "$A" POD "$W/lookup_missing.out")" = web-7d9f8-abcde ] &&
		t_ok "lookup: a missing pid is one line on stderr, status 1, the others still printed" ||
		t_fail "lookup missing" "stderr [$(cat "$W/lookup_missing.err")] out [$(cat "$W/lookup_missing.out")]"
fi
grep -q 'auth=token' "$KUBELET_ACCESS_LOG" && t_ok "the pod list was fetched with the token" ||
	t_fail "kubelet auth" "$(cat "$KUBELET_ACCESS_LOG")"

# --- ps ----------------------------------------------------------------------
run ps_table p2p ps
if want_rc ps_table 0; then
	got=$(awk -v s=" $A $A1 $A2 $X $P $DU $D1 $D2 $KU $K1 " 'index(s, " " $4 " ") { print $1, $2, $3, $4, $5, $6 }' "$W/ps_table.out")
	want="data db-0 cache $KU $(ppid "$KU") $KU
data db-0 cache $K1 $KU 1
data db-0 db $DU $(ppid "$DU") $DU
data db-0 db $D1 $DU 1
data db-0 db $D2 $D1 2
shop web-7d9f8-abcde - $P $(ppid "$P") $P
shop web-7d9f8-abcde app $A $(ppid "$A") $A
shop web-7d9f8-abcde app $A1 $A $A1
shop web-7d9f8-abcde app $A2 $A $A2
shop web-7d9f8-abcde app $X $(ppid "$X") $X"
	[ "$got" = "$want" ] && t_ok "ps table: grouped by pod and container (pause first as -), pid, ppid, nspid" ||
		t_fail "ps table" "got [$got] want [$want]"
	head -1 "$W/ps_table.out" | grep -qx 'NAMESPACE *POD *CONTAINER *PID *PPID *NSPID *EXEC *COMMAND' &&
		grep -q " $A  .*/bin/bash -c sleep 30 & sleep 30 & wait\$" "$W/ps_table.out" &&
		t_ok "ps table: header, and the command line as ps shows it" ||
		t_fail "ps header/command" "$(head -3 "$W/ps_table.out")"
fi
run ps_json p2p ps --json
want_rc ps_json 0 && pyjson ps_json '
ours = {int(x) for x in A[:10]}
got = {o["pid"]: o for o in L if o["pid"] in ours}
if set(got) != ours: print("pids %s want %s" % (sorted(got), sorted(ours)))
a = got.get(int(A[0]), {})
want = {"pid": int(A[0]), "ppid": int(A[10]), "nspid": int(A[0]), "runtime": None,
        "command": "/bin/bash -c sleep 30 & sleep 30 & wait",
        "k8s": {"container_id": A[11], "namespace": "shop", "pod": "web-7d9f8-abcde",
                "container": "app", "pod_uid": A[12], "image": "docker.io/library/nginx:1.25",
                "owner": "ReplicaSet/web-7d9f8", "workload": "web",
          "workload_kind": "Deployment", "sa": "default"}}
if a != want: print("app %s want %s" % (a, want))
d2 = got.get(int(A[7]), {})
if d2.get("nspid") != 2 or d2.get("ppid") != int(A[6]) or d2.get("k8s", {}).get("container") != "db":
    print("db child %s" % d2)
if any("main" in o for o in L): print("ps marks no main")' \
	"$A" "$A1" "$A2" "$X" "$P" "$DU" "$D1" "$D2" "$KU" "$K1" "$(ppid "$A")" "$C1" "$U1"
run ps_ns p2p ps -n data --json
want_rc ps_ns 0 && pyjson ps_ns '
got = sorted(o["pid"] for o in L); want = sorted(int(x) for x in A)
if got != want: print("got %s want %s" % (got, want))' "$DU" "$D1" "$D2" "$KU" "$K1"
run ps_pod p2p ps --pod web-7d9f8-abcde
want_rc ps_pod 0 && {
	got=$(awk 'NR > 1 { print $4 }' "$W/ps_pod.out" | sort -n | tr '\n' ' ')
	want=$(printf '%s\n' "$A" "$A1" "$A2" "$X" "$P" | sort -n | tr '\n' ' ')
	[ "$got" = "$want" ] && t_ok "ps --pod: that pod's processes only" || t_fail "ps --pod" "got [$got] want [$want]"; }
run ps_nomatch p2p ps -n nosuch
want_rc ps_nomatch 1 && { [ ! -s "$W/ps_nomatch.out" ] && grep -q "no pod process in namespace nosuch" "$W/ps_nomatch.err" &&
	t_ok "ps -n matching nothing: status 1, said on stderr" || t_fail "ps -n nosuch" "$(cat "$W/ps_nomatch.err")"; }

# --- pids --------------------------------------------------------------------
run pids_table p2p pids shop/web-7d9f8-abcde
want_rc pids_table 0 && {
	got=$(awk 'NR > 1 { print $1, $2, $3 }' "$W/pids_table.out")
	want="- $P yes
app $(printf '%s\n' "$A" "$A1" "$A2" "$X" | sort -n | while read -r p; do
	[ "$p" = "$A" ] && m=yes || m=no; printf '%s %s\napp ' "$p" "$m"; done)"
	want=${want%$'\n'app }
	[ "$got" = "$want" ] && t_ok "pids: the pod's host pids, the container's first process marked main (not the exec'd one)" ||
		t_fail "pids table" "got [$got] want [$want]"; }
run pids_json p2p pids shop/web-7d9f8-abcde --container app --json
want_rc pids_json 0 && pyjson pids_json '
got = sorted(o["pid"] for o in L); want = sorted(int(x) for x in A[:4])
if got != want: print("pids %s want %s" % (got, want))
mains = [o["pid"] for o in L if o.get("main") is True]
if mains != [int(A[0])]: print("main %s want %s" % (mains, A[0]))
if any(o.get("main", True) is not True for o in L): print("main is true or absent")
if any(o["k8s"].get("container") != "app" for o in L): print("containers %s" % L)' "$A" "$A1" "$A2" "$X"
run pids_db p2p pids data/db-0 --container db --json
want_rc pids_db 0 && pyjson pids_db '
got = [(o["pid"], o.get("main", False), o["nspid"]) for o in L]
want = [(int(A[0]), True, int(A[0])), (int(A[1]), False, 1), (int(A[2]), False, 2)]
if got != want: print("got %s want %s" % (got, want))' "$DU" "$D1" "$D2"
run pids_noctr p2p pids shop/web-7d9f8-abcde --container nope
want_rc pids_noctr 1 && { [ "$(cat "$W/pids_noctr.err")" = "pid2pod: container nope not found in shop/web-7d9f8-abcde" ] &&
	[ ! -s "$W/pids_noctr.out" ] && t_ok "pids --container unknown: not found, status 1" ||
	t_fail "pids container not found" "$(cat "$W/pids_noctr.err")"; }
run pids_nopod p2p pids shop/nope
want_rc pids_nopod 1 && { [ "$(cat "$W/pids_nopod.err")" = "pid2pod: pod shop/nope not found" ] &&
	t_ok "pids: pod not found, status 1" || t_fail "pids pod not found" "$(cat "$W/pids_nopod.err")"; }

# --- hostpid -----------------------------------------------------------------
run hp1 p2p hostpid data/db-0/db 1
want_rc hp1 0 && { [ "$(cat "$W/hp1.out")" = "$D1" ] && t_ok "hostpid NS/POD/CONTAINER 1: the namespace's init ($D1)" ||
	t_fail "hostpid db 1" "got [$(cat "$W/hp1.out")] want $D1"; }
run hp2 p2p hostpid data/db-0 2
want_rc hp2 0 && { [ "$(cat "$W/hp2.out")" = "$D2" ] && t_ok "hostpid NS/POD 2: unique in the pod, no container needed" ||
	t_fail "hostpid db-0 2" "got [$(cat "$W/hp2.out")] want $D2"; }
run hp_json p2p hostpid --json data/db-0/cache 1
want_rc hp_json 0 && pyjson hp_json '
o = L[0] if len(L) == 1 else {}
if (o.get("pid"), o.get("nspid"), o.get("ppid"), o["k8s"].get("container") if o else None,
    o["k8s"].get("nspid") if o else None) != (int(A[0]), 1, int(A[1]), "cache", 1): print(L)' "$K1" "$KU"
run hp_amb p2p hostpid data/db-0 1
want_rc hp_amb 1 && {
	want="pid2pod: pid 1 is in 2 containers of data/db-0: cache (host pid $K1), db (host pid $D1); name one as data/db-0/CONTAINER"
	[ "$(cat "$W/hp_amb.err")" = "$want" ] && t_ok "hostpid: a pid two containers know is an error naming both" ||
		t_fail "hostpid ambiguous" "got [$(cat "$W/hp_amb.err")] want [$want]"; }
run hp_none p2p hostpid data/db-0/db 99
want_rc hp_none 1 && { [ "$(cat "$W/hp_none.err")" = "pid2pod: no process 99 in data/db-0/db" ] &&
	t_ok "hostpid: no such pid in the container, status 1" || t_fail "hostpid none" "$(cat "$W/hp_none.err")"; }
run hp_nopod p2p hostpid data/nope 1
want_rc hp_nopod 1 && { [ "$(cat "$W/hp_nopod.err")" = "pid2pod: pod data/nope not found" ] &&
	t_ok "hostpid: pod not found, status 1" || t_fail "hostpid pod not found" "$(cat "$W/hp_nopod.err")"; }
run hp_noctr p2p hostpid data/db-0/web 1
want_rc hp_noctr 1 && { [ "$(cat "$W/hp_noctr.err")" = "pid2pod: container web not found in data/db-0" ] &&
	t_ok "hostpid: container not found, status 1" || t_fail "hostpid container not found" "$(cat "$W/hp_noctr.err")"; }

# --- an exec session: ps, pids, lookup and sessions show its root -------------
# nsenter stays on the host (the shim's place); its child joins cache's pid
# namespace, is moved into cache's cgroup, then forks S1 and execs sleep.
mkfifo "$W/go"
nsenter -t "$K1" -p -- /bin/sh -c 'read -r x <"$0"; sleep 30 & exec sleep 30' "$W/go" </dev/null >/dev/null 2>&1 &
NE=$!
t_on_exit sh -c "kill $NE 2>/dev/null; true"
t_wait_for 2000 sh -c "[ -n \"\$(cat /proc/$NE/task/$NE/children 2>/dev/null)\" ]"
S=$(children "$NE")
S1=
if [ -n "$S" ] && podcg_enter cache "$S"; then
	echo go >"$W/go"
	t_wait_for 2000 sh -c "[ -n \"\$(cat /proc/$S/task/$S/children 2>/dev/null)\" ]"
	S1=$(children "$S")
	t_on_exit sh -c "kill $S $S1 2>/dev/null; true"
fi
t_log "session: nsenter $NE > root $S > $S1 (cache's pid namespace)"
if [ -z "$S1" ]; then
	t_fail "exec session" "the root or its child did not start (nsenter $NE root [$S])"
else
	# what each process's session is (pid:exec, "" for none)
	want="$A: $A1: $A2: $X:? $P: $DU: $D1: $D2: $KU: $K1: $S:$S $S1:$S"
	run ses_ps_json p2p ps --json
	want_rc ses_ps_json 0 && pyjson ses_ps_json '
want = dict((int(p), e) for p, e in (x.split(":") for x in A[0].split()))
got = dict((o["pid"], o["k8s"].get("exec", "")) for o in L if o["pid"] in want)
got = dict((p, str(e)) for p, e in got.items())
want = dict((p, e) for p, e in want.items())
if got != want: print("ps --json exec: got %s want %s" % (got, want))
for o in L:
    if o["pid"] == int(A[1]) and not isinstance(o["k8s"].get("exec"), int): print("root: exec not a number: %s" % o)' "$want" "$S"
	run ses_ps p2p ps
	want_rc ses_ps 0 && {
		got=$(for x in $want; do printf '%s:%s ' "${x%%:*}" "$(cell "${x%%:*}" EXEC "$W/ses_ps.out")"; done)
		exp=$(for x in $want; do e=${x#*:}; printf '%s:%s ' "${x%%:*}" "${e:--}"; done)
		[ "$got" = "$exp" ] && t_ok "ps: EXEC is the root $S for the session's two processes, - for the containers' own trees, ? for app's process from the host" ||
			t_fail "ps EXEC" "got [$got] want [$exp]"; }
	run ses_pids p2p pids data/db-0 --container cache
	want_rc ses_pids 0 && {
		got=$(awk 'NR > 1 { print $2, $3, $6 }' "$W/ses_pids.out" | tr '\n' ' ')
		[ "$got" = "$KU yes - $K1 no - $S no $S $S1 no $S " ] && head -1 "$W/ses_pids.out" | grep -q ' NSPID *EXEC *COMMAND$' &&
			t_ok "pids: EXEC, the session's root on its processes, - on the main's tree" || t_fail "pids EXEC" "$(cat "$W/ses_pids.out")"; }
	run ses_pids_json p2p pids data/db-0 --json
	want_rc ses_pids_json 0 && pyjson ses_pids_json '
got = [(o["pid"], o["k8s"].get("exec")) for o in L if o["k8s"].get("container") == "cache"]
want = [(int(A[0]), None), (int(A[1]), None), (int(A[2]), int(A[2])), (int(A[3]), int(A[2]))]
if got != want: print("got %s want %s" % (got, want))
if any("exec" in o["k8s"] for o in L if o["k8s"].get("container") == "db"): print("db: %s" % L)' "$KU" "$K1" "$S" "$S1"
	run ses_lookup p2p lookup "$S1" "$S" "$K1" "$X"
	want_rc ses_lookup 0 && {
		got="$(cell "$S1" EXEC "$W/ses_lookup.out") $(cell "$S" EXEC "$W/ses_lookup.out") $(cell "$K1" EXEC "$W/ses_lookup.out") $(cell "$X" EXEC "$W/ses_lookup.out")"
		[ "$got" = "$S $S - ?" ] && t_ok "lookup: EXEC $S for the root and its child, - for the init, ? for app's process from the host" ||
			t_fail "lookup EXEC" "got [$got] want [$S $S - ?]"; }
	run ses_lookup_json p2p lookup --json "$S1" "$K1" "$X"
	want_rc ses_lookup_json 0 && pyjson ses_lookup_json '
got = [(o["pid"], o["k8s"].get("exec")) for o in L]
want = [(int(A[0]), int(A[1])), (int(A[2]), None), (int(A[3]), "?")]
if got != want: print("got %s want %s" % (got, want))
k = open(sys.argv[1]).readline()
if "\"nspid\":3,\"exec\":%s," % A[1] not in k: print("member order: " + k)' "$S1" "$S" "$K1" "$X"
	run ses_sessions p2p sessions data/db-0
	want_rc ses_sessions 0 && {
		got=$(awk 'NR > 1 { print $3, $4, $6 }' "$W/ses_sessions.out")
		[ "$got" = "cache $S 2" ] && t_ok "sessions: the one root ($S) with its 2 processes" ||
			t_fail "sessions" "$(cat "$W/ses_sessions.out" "$W/ses_sessions.err")"; }
	kill "$S" "$S1" 2>/dev/null
fi

# --- --no-kubelet: cgroups only (no runtime state here): ids, no names ----------
run nk_json p2p --no-kubelet lookup --json "$A" "$D1"
want_rc nk_json 0 && pyjson nk_json '
want = [{"pid": int(A[0]), "nspid": int(A[0]), "runtime": None,
         "k8s": {"container_id": A[2], "pod_uid": A[3]}},
        {"pid": int(A[1]), "nspid": 1, "runtime": "containerd",
         "k8s": {"container_id": A[4], "pod_uid": A[5], "nspid": 1}}]
if L != want: print("got %s want %s" % (L, want))' "$A" "$D1" "$C1" "$U1" "$C2" "$U2"
n0=$(kubelet_requests)
run nk_ps p2p --no-kubelet ps
want_rc nk_ps 0 && {
	got=$(awk -v p="$A" '$4 == p { print $1, $2, $3 }' "$W/nk_ps.out")
	[ "$got" = "- $U1 ${C1:0:13}" ] && [ "$(kubelet_requests)" = "$n0" ] &&
		t_ok "--no-kubelet ps: pod UID and short id stand in for the names; the kubelet is not asked" ||
		t_fail "--no-kubelet ps" "got [$got] requests $n0 -> $(kubelet_requests)"; }
run nk_pids p2p --no-kubelet pids shop/web-7d9f8-abcde
want_rc nk_pids 1 && { grep -qx "pid2pod: pod shop/web-7d9f8-abcde not found" "$W/nk_pids.err" &&
	t_ok "--no-kubelet pids: without names the pod is not found" || t_fail "--no-kubelet pids" "$(cat "$W/nk_pids.err")"; }

# --- the kubelet is not there -------------------------------------------------
t0=$(t_now_ms)
run down p2p --kubelet-url https://127.0.0.1:1 lookup --json "$A"
t1=$(t_now_ms)
want_rc down 0 && {
	e=$(cat "$W/down.err")
	case $e in "pid2pod: kubelet https://127.0.0.1:1/pods: "*"; showing what /proc and the runtime state say")
		[ "$(wc -l <"$W/down.err")" -eq 1 ] && t_ok "kubelet unreachable: one line on stderr ($((t1 - t0)) ms)" ||
			t_fail "kubelet down stderr" "$e";;
	*) t_fail "kubelet down stderr" "$e";; esac
	pyjson down '
if L != [{"pid": int(A[0]), "nspid": int(A[0]), "runtime": None, "k8s": {"container_id": A[1], "pod_uid": A[2]}}]: print(L)' "$A" "$C1" "$U1"; }
run down_pids p2p --kubelet-url https://127.0.0.1:1 pids shop/web-7d9f8-abcde
want_rc down_pids 1 && { [ "$(tail -1 "$W/down_pids.err")" = "pid2pod: pod shop/web-7d9f8-abcde not found" ] &&
	t_ok "kubelet unreachable: pids finds nothing locally, status 1" || t_fail "kubelet down pids" "$(cat "$W/down_pids.err")"; }

# a kubelet that accepts and then stalls: given up at the CLI's deadline (5 s)
if kubelet_fault_start "$W/k" stall "$W/list.json"; then
	t0=$(t_now_ms)
	run stall p2p --kubelet-url "$KUBELET_FAULT_URL" lookup --json "$A"
	t1=$(t_now_ms)
	want_rc stall 0 && {
		[ "$(cat "$W/stall.err")" = "pid2pod: kubelet $KUBELET_FAULT_URL/pods: no answer within 5 s; showing what /proc and the runtime state say" ] &&
			[ $((t1 - t0)) -ge 4900 ] && [ $((t1 - t0)) -lt 7000 ] && grep -q "\"pod_uid\":\"$U1\"" "$W/stall.out" &&
			t_ok "kubelet stalled: given up after 5 s ($((t1 - t0)) ms), local results printed" ||
			t_fail "kubelet stalled" "$((t1 - t0)) ms: $(cat "$W/stall.err") $(cat "$W/stall.out")"; }
	kubelet_fault_stop
else
	t_fail "kubeletd" "did not start"
fi

# --- a user who cannot read the config, or the token ----------------------------
asnobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
run nobody asnobody "$BIN" -c "$W/p.conf" lookup --json "$A"
want_rc nobody 0 && {
	[ "$(cat "$W/nobody.err")" = "pid2pod: cannot read $W/p.conf: Permission denied; using /proc only" ] &&
		t_ok "non-root, config 0600: told so in one line" || t_fail "non-root stderr" "$(cat "$W/nobody.err")"
	pyjson nobody '
if L != [{"pid": int(A[0]), "nspid": int(A[0]), "runtime": None, "k8s": {"container_id": A[1], "pod_uid": A[2]}}]: print(L)' "$A" "$C1" "$U1"; }
conf "$W/readable.conf"
chmod 0644 "$W/readable.conf"
run nobody_token asnobody "$BIN" -c "$W/readable.conf" ps -n nosuch
e=$(head -1 "$W/nobody_token.err")
case $e in "pid2pod: kubelet $KUBELET_URL/pods: token file $KUBELET_DIR/token: Permission denied; showing what /proc and the runtime state say")
	t_ok "non-root, token 0600: the kubelet line says so";;
*) t_fail "non-root token" "$e";; esac

# --- a tree holding only <pid>/cgroup ---------------------------------------------
F=$W/tree
mkdir -p "$F/4711" "$F/4712"
cp "/proc/$A/cgroup" "$F/4711/cgroup"
cp "/proc/$P/cgroup" "$F/4712/cgroup"
run fake p2p --proc-root "$F" --no-kubelet lookup 4711 --json
want_rc fake 0 && pyjson fake '
if L != [{"pid": 4711, "nspid": None, "runtime": None, "k8s": {"container_id": A[0], "pod_uid": A[1], "exec": "?"}}]: print(L)' "$C1" "$U1"
run fake_table p2p --proc-root "$F" --no-kubelet lookup 4711 4712
want_rc fake_table 0 && {
	got=$(awk 'NR > 1 { print $1, $2, $3, $NF }' "$W/fake_table.out")
	[ "$got" = "4711 - ? $U1
4712 - ? $U1" ] && [ "$(cell 4711 CONTAINER-ID "$W/fake_table.out") $(cell 4712 CONTAINER-ID "$W/fake_table.out")" = "${C1:0:13} -" ] &&
		t_ok "only <pid>/cgroup: table with nspid unknown (-), session not told (?)" || t_fail "fake table" "$got"; }
run fake_ps p2p --proc-root "$F" --no-kubelet ps
want_rc fake_ps 0 && { [ "$(awk 'NR > 1 { print $4, $5, $6, $7, $8 }' "$W/fake_ps.out" | tr '\n' ' ')" = "4712 - - ? - 4711 - - ? - " ] &&
	t_ok "only <pid>/cgroup: ps with ppid, nspid, command unknown, session ?" || t_fail "fake ps" "$(cat "$W/fake_ps.out")"; }

# --- usage and config errors: status 2 --------------------------------------------
usage_case() { # NAME WANT-IN-STDERR ARGS...
	local n=$1 w=$2
	shift 2
	RC=0
	"$BIN" -c "$W/p.conf" --no-kubelet "$@" >"$W/u.out" 2>"$W/u.err" || RC=$?
	if [ "$RC" -eq 2 ] && grep -qF -- "$w" "$W/u.err" && grep -q '^usage: pid2pod' "$W/u.err" && [ ! -s "$W/u.out" ]; then
		t_ok "usage error, status 2: $n"
	else
		t_fail "usage $n" "exit $RC: $(tr '\n' ' ' <"$W/u.err" | head -c 200)"
	fi
}
usage_case "no subcommand" "no subcommand"
usage_case "unknown subcommand" "unknown subcommand 'frobnicate'" frobnicate
usage_case "lookup without a pid" "lookup: missing operands" lookup
usage_case "unknown option" "unknown option --bogus" ps --bogus
usage_case "option without its value" "option -n needs a value" ps -n
usage_case "an option another subcommand has" "lookup: --container is not one of its options" lookup 1 --container x
usage_case "hostpid with one operand" "hostpid: missing operands" hostpid data/db-0
RC=0; p2p --no-kubelet lookup 12x >/dev/null 2>"$W/u.err" || RC=$?
[ "$RC" -eq 2 ] && grep -qx "pid2pod: not a pid: '12x'" "$W/u.err" && t_ok "usage error, status 2: not a pid" ||
	t_fail "lookup 12x" "exit $RC $(cat "$W/u.err")"
RC=0; p2p --no-kubelet pids justapod >/dev/null 2>"$W/u.err" || RC=$?
[ "$RC" -eq 2 ] && grep -qx "pid2pod: 'justapod' is not NAMESPACE/POD" "$W/u.err" && t_ok "usage error, status 2: a pod without its namespace" ||
	t_fail "pids justapod" "exit $RC $(cat "$W/u.err")"
printf 'output = sideways\nbogus = 1\n' >"$W/bad.conf"
RC=0; "$BIN" -c "$W/bad.conf" lookup "$A" >"$W/bad.out" 2>"$W/bad.err" || RC=$?
[ "$RC" -eq 2 ] && grep -q "^$W/bad.conf:1: " "$W/bad.err" && grep -q "^$W/bad.conf:2: unknown key 'bogus'" "$W/bad.err" &&
	[ ! -s "$W/bad.out" ] && t_ok "a malformed config: its errors as file:line, status 2" ||
	t_fail "bad config" "exit $RC $(cat "$W/bad.err")"
RC=0; "$BIN" -c "$W/none.conf" lookup "$A" >/dev/null 2>"$W/u.err" || RC=$?
[ "$RC" -eq 2 ] && grep -q "none.conf:0: cannot open: No such file or directory" "$W/u.err" &&
	t_ok "a config named with -c that is missing: status 2" || t_fail "missing -c config" "exit $RC $(cat "$W/u.err")"
t_done
