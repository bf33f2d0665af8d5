#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/test_ctr_harness.sh - the own test of tests/lib/ctr.sh on
# real components: a private containerd, runc containers in pod-like cgroups
# with CRI annotations, short-lived (/bin/true) containers, and a cleanup
# that leaves no process, cgroup, mount, socket or state behind.
# Needs root and the packages containerd, runc, busybox-static.
# Run from anywhere: bash tests/integration/test_ctr_harness.sh
# Output: ok / not ok / skip lines (see tests/lib/common.sh); exit 1 on any not ok.

# shellcheck source-path=SCRIPTDIR
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=../lib/common.sh
source "$HERE/../lib/common.sh"
# shellcheck source=../lib/ctr.sh
source "$HERE/../lib/ctr.sh"

PY=/usr/bin/python3
STYLES=(cgroupfs systemd-names)
BIRTHS=5

if ((EUID != 0)); then
	t_fail ctr/root "must run as root (containerd, cgroups)"
	t_done
	exit
fi
missing=
for c in containerd ctr runc containerd-shim-runc-v2 busybox "$PY"; do
	command -v "$c" >/dev/null || missing+=" $c"
done
if [[ -n $missing ]]; then
	t_fail ctr/tools "missing:$missing (make deps installs containerd runc busybox-static)"
	t_done
	exit
fi

W=$(t_workdir)
T0=$(t_now_ms)
new_uid() { cat /proc/sys/kernel/random/uuid; }

# --- containerd -------------------------------------------------------------

if ctr_start "$W"; then
	t_ok ctr/start
else
	t_fail ctr/start "ctr_start failed: $(tail -5 "$W/containerd.log" 2>/dev/null)"
	t_done
	exit
fi
t_log "containerd ready in ${CTR_START_MS} ms"
if [[ $CTR_NS == k8s.io && $CTR_ADDR == "$W/containerd.sock" &&
	$CTR_STATE_DIR == "$W/state/io.containerd.runtime.v2.task" &&
	$(<"/proc/$CONTAINERD_PID/comm") == containerd ]]; then
	t_ok ctr/exports
else
	t_fail ctr/exports "CTR_NS=$CTR_NS CTR_ADDR=$CTR_ADDR CTR_STATE_DIR=$CTR_STATE_DIR CONTAINERD_PID=$CONTAINERD_PID"
fi

# A second containerd on a live socket is refused (status 2), in a child
# with its own state; and a second ctr_start in this test too.
cat >"$W/child.sh" <<EOF
source "$HERE/../lib/common.sh"
source "$HERE/../lib/ctr.sh"
ctr_start "$W" 2>/dev/null
echo "rc \$?"
EOF
out=$(bash "$W/child.sh" 2>&1)
rc2=0
ctr_start "$W" 2>/dev/null || rc2=$?
if [[ $out == "rc 2" && $rc2 == 2 ]] && t_pid_alive "$CONTAINERD_PID"; then
	t_ok ctr/start-refuses-live-socket
else
	t_fail ctr/start-refuses-live-socket "child: '$out', second call: $rc2"
fi

# --- rootfs -------------------------------------------------------------------

R=$(ctr_rootfs "$W")
R2=$(ctr_rootfs "$W")
if [[ $R == "$W/rootfs" && $R2 == "$R" && -x $R/bin/busybox && ! -L $R/bin/busybox &&
	$(readlink "$R/bin/sh") == busybox && $(readlink "$R/bin/true") == busybox ]]; then
	t_ok ctr/rootfs
else
	t_fail ctr/rootfs "R=$R R2=$R2: $(find "$R/bin" -maxdepth 1 2>&1 | head -3 | tr '\n' ' ')"
fi

# --- long-running containers, one per style ------------------------------------

# cgroup_matches PID PATH: every hierarchy line of /proc/PID/cgroup (v1 and
# the 0:: line) shows PATH, and both kinds are there.
cgroup_matches() {
	local pid=$1 want=$2 id ctl path v1=0 v2=0 bad=0
	while IFS=: read -r id ctl path; do
		[[ -n $id ]] || continue
		if [[ $path != "$want" ]]; then
			bad=1
		elif [[ $id == 0 && -z $ctl ]]; then
			v2=1
		else
			v1=$((v1 + 1))
		fi
	done <"/proc/$pid/cgroup"
	((bad == 0 && v2 == 1 && v1 >= 1))
}

# check_config FILE CID UID CGPATH POD_NS POD_NAME CONTAINER: the bundle's
# config.json carries the CRI annotations, the labels and the cgroup path.
check_config() {
	"$PY" - "$@" <<'EOF'
import json, re, sys
f, cid, uid, cg, pns, pname, cname = sys.argv[1:]
c = json.load(open(f))
a = c.get("annotations", {})
want = {
    "io.kubernetes.cri.container-type": "container",
    "io.kubernetes.cri.container-name": cname,
    "io.kubernetes.cri.sandbox-name": pname,
    "io.kubernetes.cri.sandbox-namespace": pns,
    "io.kubernetes.cri.sandbox-uid": uid,
    "io.kubernetes.cri.image-name": "docker.io/library/busybox:1.36",
    "io.kubernetes.pod.name": pname,
    "io.kubernetes.pod.namespace": pns,
    "io.kubernetes.pod.uid": uid,
    "io.kubernetes.container.name": cname,
}
bad = [k for k, v in want.items() if a.get(k) != v]
sb = a.get("io.kubernetes.cri.sandbox-id", "")
if not re.fullmatch(r"[0-9a-f]{64}", sb) or sb == cid:
    bad.append("io.kubernetes.cri.sandbox-id=" + sb)
if c.get("linux", {}).get("cgroupsPath") != cg:
    bad.append("cgroupsPath=" + str(c.get("linux", {}).get("cgroupsPath")))
if bad:
    print("wrong: " + ", ".join(bad))
    sys.exit(1)
EOF
}

declare -A CIDS=() PIDS=()
SOCKS=()
for style in "${STYLES[@]}"; do
	n=long-$style uid=$(new_uid)
	t1=$(t_now_ms)
	if ! cid=$(ctr_run_pod "$n" default "web-$style" "$uid" app "$style" /bin/sh -c 'while :; do sleep 1; done'); then
		t_fail "ctr/run-pod/$style" "ctr_run_pod failed"
		continue
	fi
	t2=$(t_now_ms)
	t_log "container $style started in $((t2 - t1)) ms"
	CIDS[$style]=$cid
	read -r h _ < <(printf '%s' "$CTR_ADDR/$CTR_NS/$(ctr_sandbox_id "$n")" | sha256sum)
	SOCKS+=("$h")
	if [[ $cid =~ ^[0-9a-f]{64}$ && $(ctr_id "$n") == "$cid" && $(ctr_uid "$n") == "$uid" ]]; then
		t_ok "ctr/run-pod/$style"
	else
		t_fail "ctr/run-pod/$style" "id '$cid', recorded '$(ctr_id "$n")'"
	fi
	pid=$(ctr_pid "$n")
	PIDS[$style]=$pid
	cg=$(ctr_cgpath "$n")
	case $style in
	cgroupfs) want=/$CTR_CG_ROOT/kubepods/burstable/pod$uid/$cid ;;
	systemd-names) want=/$CTR_CG_ROOT/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${uid//-/_}.slice/cri-containerd-$cid.scope ;;
	esac
	if [[ $cg == "$want" ]] && t_pid_alive "$pid" && cgroup_matches "$pid" "$cg"; then
		t_ok "ctr/cgroup/$style"
	else
		t_fail "ctr/cgroup/$style" "pid '$pid', want $want, recorded $cg, got: $(tr '\n' ' ' <"/proc/$pid/cgroup" 2>&1)"
	fi
	cfg=$CTR_STATE_DIR/$CTR_NS/$cid/config.json
	if out=$(check_config "$cfg" "$cid" "$uid" "$cg" default "web-$style" app 2>&1); then
		t_ok "ctr/config-json/$style"
	else
		t_fail "ctr/config-json/$style" "$cfg: $out"
	fi
	# init.pid in the bundle is the host pid too.
	if [[ $(<"$CTR_STATE_DIR/$CTR_NS/$cid/init.pid") == "$pid" ]]; then
		t_ok "ctr/init-pid/$style"
	else
		t_fail "ctr/init-pid/$style" "init.pid $(<"$CTR_STATE_DIR/$CTR_NS/$cid/init.pid"), ctr_pid $pid"
	fi
	t1=$(t_now_ms)
	rc=0
	ctr_exec "$n" "e1-$RANDOM" /bin/true || rc=$?
	t2=$(t_now_ms)
	t_log "ctr_exec /bin/true ($style) took $((t2 - t1)) ms"
	if ((rc == 0)); then
		t_ok "ctr/exec-true/$style"
	else
		t_fail "ctr/exec-true/$style" "exit status $rc"
	fi
	rc=0
	ctr_exec "$n" e2 /bin/sh -c 'exit 7' || rc=$?
	out=$(ctr_exec "$n" e3 /bin/cat /proc/self/cgroup)
	if ((rc == 7)) && [[ $out == *"0::$cg"* && $out == *":memory:$cg"* ]]; then
		t_ok "ctr/exec-status-and-cgroup/$style"
	else
		t_fail "ctr/exec-status-and-cgroup/$style" "status $rc, cgroup: $out"
	fi
done

# The shim socket is where ctr_stop_all will look for leftovers.
cid=${CIDS[cgroupfs]:-}
if [[ -n $cid ]]; then
	sb=$(ctr_sandbox_id long-cgroupfs)
	read -r h _ < <(printf '%s' "$CTR_ADDR/$CTR_NS/$sb" | sha256sum)
	addr=$(<"$CTR_STATE_DIR/$CTR_NS/$cid/address")
	if [[ $addr == "unix:///run/containerd/s/$h" && -S /run/containerd/s/$h ]]; then
		t_ok ctr/shim-socket-name
	else
		t_fail ctr/shim-socket-name "address file '$addr', computed $h"
	fi
fi

# A second container of the same pod shares its sandbox id, so its shim.
if [[ -n $cid ]]; then
	uid=$(ctr_uid long-cgroupfs)
	if side=$(ctr_run_pod sidecar default web-cgroupfs "$uid" sidecar cgroupfs /bin/sleep 1000) &&
		spid=$(ctr_pid sidecar) &&
		cgroup_matches "$spid" "/$CTR_CG_ROOT/kubepods/burstable/pod$uid/$side" &&
		[[ $(ctr_sandbox_id sidecar) == "$(ctr_sandbox_id long-cgroupfs)" &&
			$(<"$CTR_STATE_DIR/$CTR_NS/$side/address") == "$addr" ]]; then
		t_ok ctr/same-pod-shares-sandbox-and-shim
	else
		t_fail ctr/same-pod-shares-sandbox-and-shim "sidecar '$side' pid '${spid:-}' address $(cat "$CTR_STATE_DIR/$CTR_NS/$side/address" 2>&1)"
	fi
	PIDS[sidecar]=${spid:-}
fi

# --- short-lived containers ---------------------------------------------------

# watch_birth CID OUT DONE: polls (no forks) the bundle's config.json and the init
# (from init.pid) and writes "SEEN_MS INIT_GONE_MS CONFIG_GONE_MS" to OUT;
# gives up when the file DONE appears before config.json was seen.
watch_birth() {
	local cfg=$CTR_STATE_DIR/$CTR_NS/$1/config.json ip=$CTR_STATE_DIR/$CTR_NS/$1/init.pid
	local now deadline seen='' pid='' pgone='' cgone='' st
	_t_now_ms_into now
	deadline=$((now + 10000))
	while ((now < deadline)); do
		_t_now_ms_into now
		if [[ -e $cfg ]]; then
			[[ -n $seen ]] || seen=$now
			if [[ -z $pid && -s $ip ]]; then
				read -r pid <"$ip" 2>/dev/null
			fi
		elif [[ -n $seen ]]; then
			cgone=$now
			[[ -n $pgone ]] || pgone=$now
			break
		elif [[ -e $3 ]]; then
			break # never seen, and the run is over
		fi
		if [[ -n $pid && -z $pgone ]]; then
			st=
			read -r st 2>/dev/null <"/proc/$pid/stat"
			st=${st##*) }
			[[ -z $st || ${st:0:1} == Z ]] && pgone=$now
		fi
	done
	printf '%s %s %s\n' "${seen:--}" "${pgone:--}" "${cgone:--}" >"$2"
}

births_ok=0
for ((i = 1; i <= BIRTHS; i++)); do
	bid=$(ctr_new_id)
	watch_birth "$bid" "$W/watch.$i" "$W/done.$i" &
	wpid=$!
	t1=$(t_now_ms)
	rc=0
	out=$(CTR_CID=$bid ctr_run_birth "birth-$i" default "job-$i" "$(new_uid)" run cgroupfs /bin/true) || rc=$?
	t2=$(t_now_ms)
	: >"$W/done.$i"
	wait "$wpid"
	read -r cid bpid st <<<"$out"
	read -r seen pgone cgone <"$W/watch.$i"
	linger=-
	[[ $pgone != - && $cgone != - ]] && linger=$((cgone - pgone))
	t_log "birth $i: ctr_run_birth took $((t2 - t1)) ms; host pid $bpid; config.json seen $((seen - t1)) ms after the call, stayed $linger ms after the init was gone, gone $((t2 - cgone)) ms before the call returned"
	if ((rc == 0)) && [[ $cid == "$bid" && $bpid =~ ^[0-9]+$ && $st == 0 && ! -e $CTR_STATE_DIR/$CTR_NS/$cid ]]; then
		births_ok=$((births_ok + 1))
	else
		t_fail "ctr/birth/$i" "status $rc, output '$out', bundle: $(ls "$CTR_STATE_DIR/$CTR_NS/$cid" 2>&1)"
	fi
done
((births_ok == BIRTHS)) && t_ok "ctr/birth-true-x$BIRTHS"
out=$(ctr_run_birth birth-fail default job-f "$(new_uid)" run systemd-names /bin/sh -c 'exit 3')
read -r cid bpid st <<<"$out"
if [[ $st == 3 && $bpid =~ ^[0-9]+$ ]]; then
	t_ok ctr/birth-exit-status
else
	t_fail ctr/birth-exit-status "output '$out'"
fi

# --- stop ---------------------------------------------------------------------

if [[ -n ${CIDS[cgroupfs]:-} ]]; then
	cid=${CIDS[cgroupfs]} pid=${PIDS[cgroupfs]}
	cg=$(ctr_cgpath long-cgroupfs)
	if ctr_stop long-cgroupfs && ! t_pid_alive "$pid" && [[ ! -e $CTR_STATE_DIR/$CTR_NS/$cid &&
		! -d /sys/fs/cgroup/memory$cg ]] &&
		! ctr --address "$CTR_ADDR" -n "$CTR_NS" c ls -q | grep -qx "$cid"; then
		t_ok ctr/stop
	else
		t_fail ctr/stop "pid $pid alive? bundle: $(ls "$CTR_STATE_DIR/$CTR_NS/$cid" 2>&1)"
	fi
fi

# A container left running for ctr_stop_all, with a process exec'd inside.
ctr_exec long-systemd-names e-bg /bin/sh -c 'sleep 1000 </dev/null >/dev/null 2>&1 & exit 0' >/dev/null

mapfile -t shims < <(ctr_shims)
cpid=$CONTAINERD_PID
t1=$(t_now_ms)
rc=0
ctr_stop_all || rc=$?
t2=$(t_now_ms)
t_log "ctr_stop_all took $((t2 - t1)) ms (shims before: ${shims[*]:-none})"
left=
t_pid_alive "$cpid" && left+=" containerd:$cpid"
for p in "${shims[@]}"; do
	t_pid_alive "$p" && left+=" shim:$p"
done
for p in "${PIDS[@]}"; do
	t_pid_alive "$p" && left+=" init:$p"
done
l=$(ctr_shims)
[[ -n $l ]] && left+=" shims:$l"
[[ -e $W/state || -e $W/root || -e $W/runc || -e $W/containerd.sock ]] && left+=" state-dirs"
l=$(find /sys/fs/cgroup/ -maxdepth 2 -name "$CTR_CG_ROOT" 2>/dev/null)
[[ -n $l ]] && left+=" cgroups:$l"
l=$(awk -v d="$W/" 'index($5, d) == 1' /proc/self/mountinfo)
[[ -n $l ]] && left+=" mounts:$l"
for h in "${SOCKS[@]}"; do
	[[ -e /run/containerd/s/$h ]] && left+=" socket:$h"
done
if ((rc == 0)) && [[ -z $left ]]; then
	t_ok ctr/stop-all-leaves-nothing
else
	t_fail ctr/stop-all-leaves-nothing "status $rc, left:$left"
fi
rc=0
ctr_stop_all || rc=$?
if ((rc == 0)); then
	t_ok ctr/stop-all-idempotent
else
	t_fail ctr/stop-all-idempotent "second call: status $rc"
fi

T1=$(t_now_ms)
t_log "total $((T1 - T0)) ms"
t_done
