# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2034 # variables set here are read by the tests
# tests/lib/ctr.sh - a private containerd running real (runc) containers that
# look like the containers of Kubernetes pods.
#
# Requires common.sh; root; packages containerd, runc, busybox-static.
# Nothing system-wide is used: containerd's root, state, sockets and runc's
# state live under the test's dir W; the only exception is containerd-shim's
# socket, which containerd 1.6 always puts in /run/containerd/s/ (removed
# again, with /run/containerd/{s,} when this lib created them and they are empty).
#
# What a container looks like (what a kubelet + containerd's CRI would make):
#   namespace  k8s.io ($CTR_NS)
#   id         64 random hex digits (or $CTR_CID when set for one call)
#   cgroup     runc's cgroupfs driver, in every v1 hierarchy (name=systemd
#              too) and in cgroup v2 (the 0:: line), below a private top
#              directory $CTR_CG_ROOT (p2ptest-ctr-<pid>-<hex>), STYLE
#                cgroupfs       /$CTR_CG_ROOT/kubepods/burstable/pod<uid>/<cid>
#                systemd-names  /$CTR_CG_ROOT/kubepods.slice/kubepods-burstable.slice/
#                                 kubepods-burstable-pod<uid with _>.slice/cri-containerd-<cid>.scope
#              (systemd's own driver fails without systemd as pid 1.)
#   runtime state  $CTR_STATE_DIR/k8s.io/<cid>/config.json (the OCI bundle),
#              CTR_STATE_DIR=$W/state/io.containerd.runtime.v2.task, with
#              cgroupsPath and the annotations
#                io.kubernetes.cri.container-type=container
#                io.kubernetes.cri.container-name, .sandbox-name,
#                .sandbox-namespace, .sandbox-uid, .sandbox-id (made-up
#                64 hex, the same for every container of one pod UID, or
#                $CTR_SANDBOX_ID), .image-name=docker.io/library/busybox:1.36
#              plus the labels io.kubernetes.pod.name, .pod.namespace,
#              .pod.uid, io.kubernetes.container.name (ctr copies labels
#              into the annotations too). The bundle exists from task
#              create until task delete: a detached container keeps it
#              after its process exits until ctr_stop; ctr_run_birth
#              deletes it as soon as the exit is reported (like the CRI
#              plugin does on a TaskExit event).
#
# Functions (NAME is a handle chosen by the test; functions marked (sub) may
# run in $(...): they keep their records in files):
#   ctr_start W         start containerd (config $W/containerd.toml, log
#                       $W/containerd.log), wait until `ctr version` answers;
#                       export CTR_ADDR CTR_NS CTR_STATE_DIR CONTAINERD_PID
#                       CTR_W; register ctr_stop_all as cleanup. Status 2 if
#                       $W/containerd.sock is live or ctr_start already ran,
#                       1 on failure. Main shell only.
#   ctr_rootfs W        (sub) build $W/rootfs once (bin/busybox + one symlink per
#                       applet in CTR_APPLETS), print its path.
#   ctr_run_pod NAME POD_NAMESPACE POD_NAME POD_UID CONTAINER_NAME STYLE CMD...
#                       (sub) `ctr run -d --null-io` CMD in a new container;
#                       returns once the task runs; print its id. Status 2 on
#                       bad arguments, 1 on failure.
#   ctr_run_birth NAME POD_NAMESPACE POD_NAME POD_UID CONTAINER_NAME STYLE [CMD...]
#                       (sub) a container whose process (default /bin/true)
#                       exits at once: foreground `ctr run --rm --pid-file`,
#                       which returns after the exit, task delete and
#                       container delete. Print "CID HOSTPID EXIT" (the init's
#                       host pid, its exit status). Status 0 if it ran and is
#                       gone again, 1 otherwise.
#   ctr_id NAME         (sub) print the container id of NAME.
#   ctr_cgpath NAME     (sub) print its cgroup path (as in /proc/<pid>/cgroup).
#   ctr_uid NAME        (sub) print its pod UID.
#   ctr_sandbox_id NAME (sub) print its sandbox-id annotation. One runc shim
#                       serves all containers with the same sandbox id (its
#                       socket: /run/containerd/s/sha256(ADDR/NS/SANDBOX_ID)).
#   ctr_pid NAME        (sub) print the host pid of its task (from `ctr task ls`).
#   ctr_exec NAME EXEC_ID CMD...  (sub) run CMD inside it (`ctr task exec`,
#                       stdin /dev/null, output to ours); its exit status.
#   ctr_stop NAME       (sub) SIGKILL the task, wait until STOPPED, delete the
#                       task and the container.
#   ctr_stop_all        (cleanup, idempotent) every container in our
#                       containerd (even ones whose ctr_run_* was interrupted),
#                       then containerd, then leftover shims of ours (by pid),
#                       processes left in our cgroups, rmdir of the cgroup
#                       tree $CTR_CG_ROOT in every hierarchy, deepest first,
#                       our shim sockets, mounts under W, and rm -rf of
#                       W/{state,root,runc,opt,fifo}. Status 1 if something
#                       could not be removed.
#   ctr_shims           (sub) print the pids of live containerd-shim processes
#                       serving our containerd (-address $CTR_ADDR).
#   ctr_new_id          (sub) print 64 random hex digits.
# Variables: CTR_ADDR CTR_NS CTR_STATE_DIR CONTAINERD_PID CTR_W CTR_CG_ROOT
#   CTR_LAST_ID (set by ctr_run_* when not in a subshell), CTR_IMAGE,
#   CTR_TIMEOUT (s, per ctr call, default 20), CTR_CID and CTR_SANDBOX_ID
#   (one-call overrides of the container / sandbox id).

_CTR_S=$_T_STATE/ctr
mkdir -p "$_CTR_S"
if [[ -z ${CTR_CG_ROOT:-} ]]; then
	CTR_CG_ROOT=p2ptest-ctr-$$-$(printf '%08x' "$SRANDOM")
fi
CTR_NS=k8s.io
: "${CTR_IMAGE:=docker.io/library/busybox:1.36}"
: "${CTR_TIMEOUT:=20}"
: "${CTR_APPLETS:=sh sleep true false cat ls ps echo env id grep head tail wc mkdir rm touch kill date hostname uname readlink printf test [ sync}"
_CTR_RUN_DIR=/run/containerd
_CTR_SHIM_SOCK_DIR=/run/containerd/s
export CTR_CG_ROOT CTR_NS

# ctr against our containerd, bounded in time.
_ctr() {
	timeout -k 2 "$CTR_TIMEOUT" ctr --address "$CTR_ADDR" --namespace "$CTR_NS" "$@"
}

_ctr_live() {
	timeout -k 1 5 ctr --address "$1" version >/dev/null 2>&1
}

ctr_new_id() {
	local h
	h=$(od -An -tx1 -N32 /dev/urandom) || return 1
	h=${h//[[:space:]]/}
	((${#h} == 64)) || return 1
	printf '%s\n' "$h"
}

ctr_start() {
	if (($# != 1)); then
		echo "usage: ctr_start W" >&2
		return 2
	fi
	local w=$1 sock=$1/containerd.sock
	if [[ -e $_CTR_S/containerd ]]; then
		echo "ctr_start: containerd already started by this test" >&2
		return 2
	fi
	if [[ -S $sock ]] && _ctr_live "$sock"; then
		echo "ctr_start: $sock is live (another containerd?)" >&2
		return 2
	fi
	rm -f "$sock" "$sock.ttrpc"
	((${#sock} < 100)) || {
		echo "ctr_start: socket path too long: $sock" >&2
		return 1
	}
	mkdir -p "$w/fifo" || return 1
	printf '%s\n' "$w" >"$_CTR_S/w"
	# Remember what in /run/containerd we would create (shim sockets).
	[[ -d $_CTR_RUN_DIR ]] || : >"$_CTR_S/created_run"
	[[ -d $_CTR_SHIM_SOCK_DIR ]] || : >"$_CTR_S/created_s"
	cat >"$w/containerd.toml" <<EOF
version = 2
root = "$w/root"
state = "$w/state"
oom_score = 0
disabled_plugins = [
  "io.containerd.grpc.v1.cri",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.aufs",
]

[grpc]
  address = "$sock"

[ttrpc]
  address = "$sock.ttrpc"

[debug]
  address = ""
  level = "info"

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "$w/opt"
EOF
	CTR_W=$w
	CTR_ADDR=$sock
	CTR_STATE_DIR=$w/state/io.containerd.runtime.v2.task
	export CTR_W CTR_ADDR CTR_STATE_DIR
	# Registered before the start: t_daemon_start records the pid in
	# $_CTR_S/containerd before it lets a signal through.
	t_on_exit ctr_stop_all
	local t0 t1
	t0=$(t_now_ms)
	if ! t_daemon_start "$_CTR_S/containerd" containerd "$w/containerd.log" \
		containerd --config "$w/containerd.toml"; then
		echo "ctr_start: containerd did not start: $(tail -3 "$w/containerd.log" 2>/dev/null)" >&2
		return 1
	fi
	CONTAINERD_PID=$T_DAEMON_PID
	export CONTAINERD_PID
	if ! t_wait_for 10000 _ctr_live "$sock"; then
		echo "ctr_start: containerd (pid $CONTAINERD_PID) does not answer on $sock: $(tail -3 "$w/containerd.log")" >&2
		return 1
	fi
	t1=$(t_now_ms)
	CTR_START_MS=$((t1 - t0))
	t_log "ctr: containerd pid $CONTAINERD_PID ready in ${CTR_START_MS} ms on $sock"
}

_ctr_started() {
	[[ -s $_CTR_S/containerd && -n ${CTR_ADDR:-} ]] || {
		echo "ctr: containerd not started (ctr_start W first)" >&2
		return 2
	}
}

ctr_rootfs() {
	if (($# != 1)); then
		echo "usage: ctr_rootfs W" >&2
		return 2
	fi
	local r=$1/rootfs a
	if [[ ! -x $r/bin/busybox ]]; then
		local bb
		bb=$(command -v busybox) || bb=/bin/busybox
		[[ -x $bb ]] || {
			echo "ctr_rootfs: no busybox (package busybox-static)" >&2
			return 1
		}
		# Built aside and renamed: a concurrent or interrupted build never
		# leaves a half rootfs at $r.
		local tmp
		tmp=$(mktemp -d "$1/rootfs.tmp.XXXXXX") || return 1
		mkdir -p "$tmp"/{bin,proc,sys,dev,etc,tmp,root} || return 1
		cp "$bb" "$tmp/bin/busybox" || return 1
		for a in $CTR_APPLETS; do
			ln -s busybox "$tmp/bin/$a" || return 1
		done
		printf 'root:x:0:0:root:/root:/bin/sh\n' >"$tmp/etc/passwd"
		printf 'root:x:0:\n' >"$tmp/etc/group"
		chmod 1777 "$tmp/tmp"
		mv -T "$tmp" "$r" 2>/dev/null || rm -rf -- "$tmp"
	fi
	printf '%s\n' "$r"
}

# Prints the cgroup path of STYLE for uid $2, container $3.
_ctr_cgpath() {
	local style=$1 uid=$2 cid=$3
	case $style in
	cgroupfs) echo "/$CTR_CG_ROOT/kubepods/burstable/pod$uid/$cid" ;;
	systemd-names)
		echo "/$CTR_CG_ROOT/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${uid//-/_}.slice/cri-containerd-$cid.scope"
		;;
	*) return 2 ;;
	esac
}

# Shared by ctr_run_pod and ctr_run_birth: checks arguments, records NAME,
# fills the array _CTR_ARGS with the `ctr run` options and sets _CTR_CID.
_ctr_prepare() {
	local fn=$1
	shift
	if (($# < 6)); then
		echo "usage: $fn NAME POD_NAMESPACE POD_NAME POD_UID CONTAINER_NAME STYLE CMD..." >&2
		return 2
	fi
	local name=$1 pns=$2 pname=$3 uid=$4 cname=$5 style=$6 cid sbid cg rootfs
	_ctr_started || return
	if [[ ! $name =~ ^[A-Za-z0-9_.-]+$ || -e $_CTR_S/c.$name ]]; then
		echo "$fn: bad or duplicate NAME '$name'" >&2
		return 2
	fi
	if [[ ! $uid =~ ^[A-Za-z0-9-]+$ ]]; then
		echo "$fn: POD_UID must be [A-Za-z0-9-]+" >&2
		return 2
	fi
	if [[ -z $pns || -z $pname || -z $cname || $pns$pname$cname == *[[:space:]=]* ]]; then
		echo "$fn: empty or blank-containing namespace/pod/container name" >&2
		return 2
	fi
	if [[ -n ${CTR_CID:-} ]]; then
		cid=$CTR_CID
		[[ $cid =~ ^[0-9a-f]{64}$ ]] || {
			echo "$fn: CTR_CID must be 64 lowercase hex digits" >&2
			return 2
		}
	else
		cid=$(ctr_new_id) || return 1
	fi
	# One made-up sandbox id per pod (as the kubelet's pods have): the runc
	# shim serves all containers with the same sandbox-id annotation.
	if [[ -n ${CTR_SANDBOX_ID:-} ]]; then
		sbid=$CTR_SANDBOX_ID
	else
		read -r sbid _ < <(printf 'sandbox/%s/%s' "$CTR_CG_ROOT" "$uid" | sha256sum)
	fi
	[[ $sbid =~ ^[0-9a-f]{64}$ ]] || {
		echo "$fn: CTR_SANDBOX_ID must be 64 lowercase hex digits" >&2
		return 2
	}
	cg=$(_ctr_cgpath "$style" "$uid" "$cid") || {
		echo "$fn: unknown STYLE '$style' (cgroupfs systemd-names)" >&2
		return 2
	}
	rootfs=$(ctr_rootfs "$CTR_W") || return 1
	# Recorded before the run: cleanup finds it even if we are interrupted.
	printf '%s %s %s %s %s\n' "$cid" "$uid" "$cg" "$style" "$sbid" >"$_CTR_S/c.$name"
	_CTR_CID=$cid
	_CTR_ARGS=(
		--null-io --runc-root "$CTR_W/runc" --fifo-dir "$CTR_W/fifo"
		--cgroup "$cg"
		--annotation io.kubernetes.cri.container-type=container
		--annotation "io.kubernetes.cri.container-name=$cname"
		--annotation "io.kubernetes.cri.sandbox-name=$pname"
		--annotation "io.kubernetes.cri.sandbox-namespace=$pns"
		--annotation "io.kubernetes.cri.sandbox-uid=$uid"
		--annotation "io.kubernetes.cri.sandbox-id=$sbid"
		--annotation "io.kubernetes.cri.image-name=$CTR_IMAGE"
		--label "io.kubernetes.pod.name=$pname"
		--label "io.kubernetes.pod.namespace=$pns"
		--label "io.kubernetes.pod.uid=$uid"
		--label "io.kubernetes.container.name=$cname"
		--rootfs "$rootfs" "$cid"
	)
}

ctr_run_pod() {
	local _CTR_CID _CTR_ARGS=() rc=0
	_ctr_prepare ctr_run_pod "$@" || return
	shift 6
	if (($# == 0)); then
		echo "ctr_run_pod: no CMD" >&2
		return 2
	fi
	_ctr run -d "${_CTR_ARGS[@]}" "$@" >"$_CTR_S/run.out" 2>&1 || rc=$?
	if ((rc != 0)); then
		echo "ctr_run_pod: ctr run failed ($rc): $(tr '\n' ' ' <"$_CTR_S/run.out")" >&2
		return 1
	fi
	CTR_LAST_ID=$_CTR_CID
	printf '%s\n' "$_CTR_CID"
}

ctr_run_birth() {
	local _CTR_CID _CTR_ARGS=() rc=0 name=$1 pid
	_ctr_prepare ctr_run_birth "$@" || return
	shift 6
	(($# > 0)) || set -- /bin/true
	local pidf=$_CTR_S/birth.$name.pid
	rm -f "$pidf"
	# ctr writes the pid file after the task is created and before it is
	# started; it returns once the exit is reported and task and container
	# are deleted, with the process's exit status.
	_ctr run --rm --pid-file "$pidf" "${_CTR_ARGS[@]}" "$@" >"$_CTR_S/birth.$name.out" 2>&1 || rc=$?
	pid=$(<"$pidf") 2>/dev/null
	if [[ ! $pid =~ ^[0-9]+$ ]]; then
		echo "ctr_run_birth: the container did not start ($rc): $(tr '\n' ' ' <"$_CTR_S/birth.$name.out")" >&2
		return 1
	fi
	printf '%s %s %s\n' "$_CTR_CID" "$pid" "$rc" >"$_CTR_S/birth.$name"
	CTR_LAST_ID=$_CTR_CID
	printf '%s %s %s\n' "$_CTR_CID" "$pid" "$rc"
	# Timeouts (124, 137) or a failed delete leave it behind.
	if _ctr containers info "$_CTR_CID" >/dev/null 2>&1; then
		echo "ctr_run_birth: container $_CTR_CID still exists after ctr run --rm ($rc)" >&2
		return 1
	fi
}

_ctr_rec() {
	local f=$_CTR_S/c.$1 cid uid cg style sbid
	[[ -f $f ]] || {
		echo "ctr: no container named '$1'" >&2
		return 2
	}
	read -r cid uid cg style sbid <"$f"
	case $2 in
	id) printf '%s\n' "$cid" ;;
	uid) printf '%s\n' "$uid" ;;
	cg) printf '%s\n' "$cg" ;;
	sb) printf '%s\n' "$sbid" ;;
	esac
}

ctr_id() { _ctr_rec "$1" id; }
ctr_sandbox_id() { _ctr_rec "$1" sb; }
ctr_uid() { _ctr_rec "$1" uid; }
ctr_cgpath() { _ctr_rec "$1" cg; }

# Prints "PID STATUS" of task $1 ("" if there is no task).
_ctr_task_line() {
	_ctr tasks ls 2>/dev/null | awk -v c="$1" '$1 == c { print $2, $3; exit }'
}

ctr_pid() {
	local cid line
	cid=$(ctr_id "$1") || return
	_ctr_started || return
	line=$(_ctr_task_line "$cid")
	[[ -n $line ]] || {
		echo "ctr_pid: no task for $1 ($cid)" >&2
		return 1
	}
	printf '%s\n' "${line%% *}"
}

ctr_exec() {
	if (($# < 3)); then
		echo "usage: ctr_exec NAME EXEC_ID CMD..." >&2
		return 2
	fi
	local cid
	cid=$(ctr_id "$1") || return
	_ctr_started || return
	_ctr tasks exec --exec-id "$2" --fifo-dir "$CTR_W/fifo" "$cid" "${@:3}" </dev/null
}

_ctr_task_not_running() {
	local line
	line=$(_ctr_task_line "$1")
	[[ -z $line || $line == *STOPPED* ]]
}

# Kills and deletes task and container $1, whatever state they are in.
_ctr_remove() {
	local cid=$1 rc=0
	if [[ -n $(_ctr_task_line "$cid") ]]; then
		_ctr tasks kill -s SIGKILL "$cid" >/dev/null 2>&1
		if ! t_wait_for 5000 _ctr_task_not_running "$cid"; then
			echo "ctr: task $cid does not stop" >&2
			rc=1
		fi
		# Prints a warning about exit status 137: expected.
		_ctr tasks delete --force "$cid" >/dev/null 2>&1 || {
			echo "ctr: cannot delete task $cid" >&2
			rc=1
		}
	fi
	if _ctr containers info "$cid" >/dev/null 2>&1; then
		_ctr containers delete "$cid" >/dev/null 2>&1 || {
			echo "ctr: cannot delete container $cid" >&2
			rc=1
		}
	fi
	return "$rc"
}

ctr_stop() {
	if (($# != 1)); then
		echo "usage: ctr_stop NAME" >&2
		return 2
	fi
	local cid
	cid=$(ctr_id "$1") || return
	_ctr_started || return
	_ctr_remove "$cid"
}

ctr_shims() {
	local p cmd
	[[ -n ${CTR_ADDR:-} ]] || return 0
	for p in /proc/[0-9]*; do
		[[ $(<"$p/comm") == containerd-shim* ]] 2>/dev/null || continue
		cmd=$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) || continue
		[[ " $cmd" == *" -address $CTR_ADDR "* ]] || continue
		t_pid_alive "${p#/proc/}" && printf '%s\n' "${p#/proc/}"
	done
	return 0
}

# Prints the mount points of every cgroup hierarchy (v1 and v2), once each.
_ctr_cg_mounts() {
	awk '{ for (i = 7; i <= NF; i++) if ($i == "-") break;
	       if ($(i + 1) == "cgroup" || $(i + 1) == "cgroup2") print $5 }' /proc/self/mountinfo | sort -u
}

_ctr_rmdir() {
	[[ -d $1 ]] || return 0
	rmdir "$1" 2>/dev/null
}

# Prints the mount points under $1 (deepest first).
_ctr_mounts_under() {
	awk -v d="$1/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r
}

ctr_stop_all() {
	local rc=0 cid pid start w line d m
	local -a cids=() pids=()
	[[ -s $_CTR_S/w ]] || return 0
	w=$(<"$_CTR_S/w")
	: "${CTR_W:=$w}" "${CTR_ADDR:=$w/containerd.sock}" "${CTR_STATE_DIR:=$w/state/io.containerd.runtime.v2.task}"
	# 1. Containers: all in this private containerd are ours.
	if [[ -s $_CTR_S/containerd ]]; then
		read -r pid start _ <"$_CTR_S/containerd"
		if t_pid_alive "$pid" "$start" && _ctr_live "$CTR_ADDR"; then
			mapfile -t cids < <(_ctr containers ls -q 2>/dev/null)
			for cid in "${cids[@]}"; do
				[[ -n $cid ]] && { _ctr_remove "$cid" || rc=1; }
			done
		fi
		# 2. containerd.
		pids=()
		mapfile -t pids < <(ctr_shims)
		t_kill_pid "$pid" "$start" 5000 TERM
		if t_pid_alive "$pid" "$start"; then
			echo "ctr: containerd $pid does not go" >&2
			rc=1
		fi
		rm -f "$_CTR_S/containerd"
	fi
	# 3. Shims still serving our address (a container that could not be
	# deleted): by pid, as they were before containerd went, and any new.
	mapfile -t -O "${#pids[@]}" pids < <(ctr_shims)
	for pid in "${pids[@]}"; do
		[[ -n $pid ]] || continue
		start=$(t_pid_starttime "$pid" 2>/dev/null) || continue
		t_kill_pid "$pid" "$start" 2000 TERM
	done
	# 4. Processes left in our cgroups (container processes whose shim
	# died): SIGKILL by pid, then the tree, deepest first, every hierarchy.
	while read -r m; do
		d=$m/$CTR_CG_ROOT
		[[ -d $d ]] || continue
		while read -r line; do
			while read -r pid; do
				[[ -n $pid ]] && kill -KILL "$pid" 2>/dev/null
			done <"$line"
		done < <(find "$d" -name cgroup.procs 2>/dev/null)
		while read -r line; do
			if ! t_wait_for 3000 _ctr_rmdir "$line"; then
				echo "ctr: cannot remove cgroup $line: $(rmdir "$line" 2>&1)" >&2
				rc=1
			fi
		done < <(find "$d" -depth -type d 2>/dev/null)
	done < <(_ctr_cg_mounts)
	# 5. Shim sockets: /run/containerd/s/sha256(<address>/<ns>/<group>),
	# the group being the sandbox-id annotation (else the container id).
	for line in "$_CTR_S"/c.*; do
		[[ -f $line ]] || continue
		read -r _ _ _ _ cid <"$line"
		read -r d _ < <(printf '%s' "$CTR_ADDR/$CTR_NS/$cid" | sha256sum)
		rm -f "$_CTR_SHIM_SOCK_DIR/$d"
	done
	[[ -e $_CTR_S/created_s ]] && rmdir "$_CTR_SHIM_SOCK_DIR" 2>/dev/null
	[[ -e $_CTR_S/created_run ]] && rmdir "$_CTR_RUN_DIR" 2>/dev/null
	# 6. Mounts under W (none expected with --rootfs), then the dirs.
	while read -r m; do
		[[ -n $m ]] && { umount -l "$m" || rc=1; }
	done < <(_ctr_mounts_under "$w")
	if [[ -z $(_ctr_mounts_under "$w") ]]; then
		rm -rf -- "$w/state" "$w/root" "$w/runc" "$w/opt" "$w/fifo" "$w/containerd.sock" "$w/containerd.sock.ttrpc"
	else
		echo "ctr: mounts left under $w, not removing it" >&2
		rc=1
	fi
	if ((rc == 0)); then
		rm -f "$_CTR_S"/c.* "$_CTR_S"/birth.* "$_CTR_S/w" "$_CTR_S/created_run" "$_CTR_S/created_s"
	fi
	return "$rc"
}
