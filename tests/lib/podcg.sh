# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2034 # variables set here are read by the tests
# tests/lib/podcg.sh - pod-like cgroups and processes running inside them.
#
# Requires common.sh. Makes what the kubelet + a container runtime would
# make: a cgroup for a pod's container in every mounted hierarchy (all v1
# controllers, name=systemd when mounted, and cgroup v2), then starts real
# processes inside it, optionally in their own pid namespace.
#
# Everything lives under a test-private top directory, $PODCG_ROOT
# (p2ptest-<pid>-<random>), above the kubepods part: a real kubepods tree is
# never touched, and it is a realistic "custom cgroup root" (pid2pod must not
# anchor on "kubepods" at the top). Paths, as /proc/<pid>/cgroup shows them:
#   cgroupfs    /$PODCG_ROOT/kubepods/burstable/pod<uid>/<cid>
#   guaranteed  /$PODCG_ROOT/kubepods/pod<uid>/<cid>
#   systemd     /$PODCG_ROOT/kubepods.slice/kubepods-besteffort.slice/
#                   kubepods-besteffort-pod<uid with - as _>.slice/cri-containerd-<cid>.scope
#   crio        same slices, then crio-<cid>.scope
#   v2only      the cgroupfs path, in the unified (v2) hierarchy only
# Note: moving a process into these trees takes it out of the cgroups it was
# in (on these machines the harness runs in memory:/process_api/<hex>).
#
# Functions (NAME is a handle chosen by the test):
#   podcg_create NAME STYLE POD_UID CONTAINER_ID
#       mkdir the cgroup in every hierarchy (cpuset.cpus/mems copied from the
#       parent at each new v1 cpuset level); print its path and set PODCG_PATH
#       (when not in a subshell). Status 2 on bad arguments, 3 when the
#       machine lacks what STYLE needs (no cgroup v2 for v2only), 1 on failure.
#       The first call registers podcg_destroy_all as cleanup.
#   podcg_path NAME         print the path (as in /proc/<pid>/cgroup) of NAME.
#   podcg_dirs NAME         print the directories of NAME, one per hierarchy.
#   podcg_hierarchies       print "MOUNT KEY" per hierarchy; KEY is the middle
#                           field of /proc/<pid>/cgroup lines ("" for v2, e.g.
#                           "cpu" or "name=systemd" for v1).
#   podcg_enter NAME PID    move PID into NAME in each of its hierarchies; its
#                           former cgroups are remembered and restored by
#                           podcg_destroy_all if it is still alive then.
#   podcg_spawn NAME CMD... start CMD already inside NAME (a subshell puts its
#                           own pid into cgroup.procs, then execs CMD), stdin
#                           /dev/null, stdout+stderr to $PODCG_SPAWN_OUT
#                           (default /dev/null); print its pid. Returns once the
#                           process is in the cgroup (or already gone).
#                           Usable as pid=$(podcg_spawn ...).
#   podcg_spawn_pidns NAME CMD...  the same through
#                           `unshare --pid --fork --mount-proc --kill-child`;
#                           print the HOST pid of CMD (the process whose NSpid
#                           in /proc/<pid>/status ends with 1).
#   podcg_destroy_all       kill the processes this lib started (by pid, if
#                           still the same process and still in our tree),
#                           restore entered processes, rmdir every directory it
#                           created, deepest first. Idempotent.

_PODCG_STATE=$_T_STATE/podcg
mkdir -p "$_PODCG_STATE"
if [[ -z ${PODCG_ROOT:-} ]]; then
	PODCG_ROOT=p2ptest-$$-$(printf '%08x' "$SRANDOM")
fi
export PODCG_ROOT
: "${PODCG_SPAWN_OUT:=/dev/null}"
_PODCG_RMDIR_TIMEOUT_MS=3000
_PODCG_KILL_TIMEOUT_MS=1000

# Prints "MOUNT KEY" for each cgroup hierarchy (one mount point each).
_podcg_scan_hierarchies() {
	local -A seen=()
	local -a f self_keys=()
	local line rest dev mnt fstype opts key tok k ok
	while IFS=: read -r _ k _; do
		[[ -n $k ]] && self_keys+=("$k")
	done </proc/self/cgroup
	while read -r line; do
		read -ra f <<<"$line"
		dev=${f[2]} mnt=${f[4]}
		rest=${line#* - }
		read -r fstype _ opts <<<"$rest"
		[[ $fstype == cgroup || $fstype == cgroup2 ]] || continue
		[[ -z ${seen[$dev]:-} ]] || continue
		seen[$dev]=1
		mnt=${mnt//\\040/ }
		if [[ $fstype == cgroup2 ]]; then
			printf '%s \n' "$mnt"
			continue
		fi
		# The v1 key is the /proc/self/cgroup controller list whose
		# every controller is among this mount's super options.
		for key in "${self_keys[@]}"; do
			ok=1
			IFS=, read -ra tok <<<"$key"
			for k in "${tok[@]}"; do
				[[ ,$opts, == *",$k,"* ]] || ok=0
			done
			if ((ok)); then
				printf '%s %s\n' "$mnt" "$key"
				break
			fi
		done
	done </proc/self/mountinfo
}

podcg_hierarchies() {
	if [[ ! -s $_PODCG_STATE/hierarchies ]]; then
		_podcg_scan_hierarchies >"$_PODCG_STATE/hierarchies.tmp" &&
			mv "$_PODCG_STATE/hierarchies.tmp" "$_PODCG_STATE/hierarchies"
	fi
	cat "$_PODCG_STATE/hierarchies"
}

_podcg_rel_path() {
	local style=$1 uid=$2 cid=$3
	case $style in
	cgroupfs | v2only) echo "/$PODCG_ROOT/kubepods/burstable/pod$uid/$cid" ;;
	guaranteed) echo "/$PODCG_ROOT/kubepods/pod$uid/$cid" ;;
	systemd | crio)
		local u=${uid//-/_} scope=cri-containerd-$cid.scope
		[[ $style == crio ]] && scope=crio-$cid.scope
		echo "/$PODCG_ROOT/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod$u.slice/$scope"
		;;
	*) return 2 ;;
	esac
}

# mkdir -p one level at a time, recording each new directory, copying the
# cpuset of the parent into new v1 cpuset levels.
_podcg_mkdirs() {
	local mnt=$1 rel=$2 dir=$1 part f
	local -a parts
	IFS=/ read -ra parts <<<"${rel#/}"
	for part in "${parts[@]}"; do
		local parent=$dir
		dir=$dir/$part
		[[ -d $dir ]] && continue
		mkdir "$dir" || return 1
		printf '%s\n' "$dir" >>"$_PODCG_STATE/created"
		for f in cpuset.cpus cpuset.mems; do
			if [[ -f $parent/$f && -f $dir/$f ]]; then
				cat "$parent/$f" >"$dir/$f" || return 1
			fi
		done
	done
}

podcg_create() {
	if (($# != 4)); then
		echo "usage: podcg_create NAME STYLE POD_UID CONTAINER_ID" >&2
		return 2
	fi
	local name=$1 style=$2 uid=$3 cid=$4 rel mnt key n=0
	if [[ ! $name =~ ^[A-Za-z0-9_.-]+$ || -e $_PODCG_STATE/cg.$name ]]; then
		echo "podcg_create: bad or duplicate NAME '$name'" >&2
		return 2
	fi
	if [[ ! $uid =~ ^[A-Za-z0-9_-]+$ || ! $cid =~ ^[A-Za-z0-9_-]+$ ]]; then
		echo "podcg_create: POD_UID and CONTAINER_ID must be [A-Za-z0-9_-]+" >&2
		return 2
	fi
	if ! rel=$(_podcg_rel_path "$style" "$uid" "$cid"); then
		echo "podcg_create: unknown STYLE '$style' (cgroupfs guaranteed systemd crio v2only)" >&2
		return 2
	fi
	if [[ ! -e $_PODCG_STATE/registered ]]; then
		: >"$_PODCG_STATE/registered"
		t_on_exit podcg_destroy_all
	fi
	: >"$_PODCG_STATE/dirs.$name"
	while read -r mnt key; do
		[[ $style == v2only && -n $key ]] && continue
		_podcg_mkdirs "$mnt" "$rel" || {
			echo "podcg_create: cannot create $mnt$rel" >&2
			return 1
		}
		printf '%s\n' "$mnt$rel" >>"$_PODCG_STATE/dirs.$name"
		n=$((n + 1))
	done < <(podcg_hierarchies)
	if ((n == 0)); then
		echo "podcg_create: no cgroup hierarchy for style $style on this machine" >&2
		rm -f "$_PODCG_STATE/dirs.$name"
		return 3
	fi
	printf '%s\n' "$rel" >"$_PODCG_STATE/cg.$name"
	PODCG_PATH=$rel
	printf '%s\n' "$rel"
}

_podcg_known() {
	[[ -f $_PODCG_STATE/cg.$1 ]] || {
		echo "podcg: no cgroup named '$1' (podcg_create first)" >&2
		return 2
	}
}

podcg_path() {
	_podcg_known "$1" || return
	cat "$_PODCG_STATE/cg.$1"
}

podcg_dirs() {
	_podcg_known "$1" || return
	cat "$_PODCG_STATE/dirs.$1"
}

podcg_enter() {
	if (($# != 2)); then
		echo "usage: podcg_enter NAME PID" >&2
		return 2
	fi
	local name=$1 pid=$2 dir mnt key cur
	_podcg_known "$name" || return
	# Remember where PID was, per hierarchy, to put it back at the end.
	while read -r mnt key; do
		cur=$(awk -F: -v k="$key" '$2 == k { sub(/^[^:]*:[^:]*:/, ""); print; exit }' "/proc/$pid/cgroup") || return 1
		printf '%s %s %s\n' "$pid" "$mnt" "$cur" >>"$_PODCG_STATE/entered"
	done < <(podcg_hierarchies)
	while read -r dir; do
		echo "$pid" >"$dir/cgroup.procs" || {
			echo "podcg_enter: cannot move $pid into $dir" >&2
			return 1
		}
	done <"$_PODCG_STATE/dirs.$name"
}

# True once $1 is gone or its cgroup file shows path $2.
_podcg_in_or_gone() {
	local c
	t_pid_alive "$1" || return 0
	c=$(<"/proc/$1/cgroup") 2>/dev/null || return 0
	[[ $c == *"::$2"* || $c == *":$2"$'\n'* || $c == *":$2" ]]
}

# Appends "PID START SIGNAL" (START - when already gone) to the spawn list.
_podcg_record_spawn() {
	local pid=$1 sig=${2:-TERM} start
	start=$(t_pid_starttime "$pid" 2>/dev/null) || start=-
	printf '%s %s %s\n' "$pid" "$start" "$sig" >>"$_PODCG_STATE/spawned"
}

podcg_spawn() {
	if (($# < 2)); then
		echo "usage: podcg_spawn NAME CMD..." >&2
		return 2
	fi
	local name=$1 pid rel
	shift
	_podcg_known "$name" || return
	rel=$(<"$_PODCG_STATE/cg.$name")
	local -a dirs
	mapfile -t dirs <"$_PODCG_STATE/dirs.$name"
	(
		for d in "${dirs[@]}"; do
			echo "$BASHPID" >"$d/cgroup.procs" || exit 125
		done
		exec "$@"
	) </dev/null >>"$PODCG_SPAWN_OUT" 2>&1 &
	pid=$!
	_podcg_record_spawn "$pid"
	t_wait_for 2000 _podcg_in_or_gone "$pid" "$rel"
	printf '%s\n' "$pid"
}

# Sets _PODCG_INNER to the child of $1 whose NSpid ends in 1.
_podcg_find_ns_init() {
	local outer=$1 child nspid
	child=$(<"/proc/$outer/task/$outer/children") 2>/dev/null || return 1
	child=${child%% *}
	[[ -n $child ]] || return 1
	nspid=$(awk '$1 == "NSpid:" { $1 = ""; print }' "/proc/$child/status" 2>/dev/null)
	[[ $nspid =~ [[:space:]]1$ ]] || return 1
	_PODCG_INNER=$child
}

podcg_spawn_pidns() {
	if (($# < 2)); then
		echo "usage: podcg_spawn_pidns NAME CMD..." >&2
		return 2
	fi
	local name=$1 outer _PODCG_INNER=
	shift
	_podcg_known "$name" || return
	local -a dirs
	mapfile -t dirs <"$_PODCG_STATE/dirs.$name"
	(
		for d in "${dirs[@]}"; do
			echo "$BASHPID" >"$d/cgroup.procs" || exit 125
		done
		exec unshare --pid --fork --mount-proc --kill-child "$@"
	) </dev/null >>"$PODCG_SPAWN_OUT" 2>&1 &
	outer=$!
	if ! t_wait_for 2000 _podcg_find_ns_init "$outer"; then
		_podcg_record_spawn "$outer" KILL
		echo "podcg_spawn_pidns: no namespace init under pid $outer" >&2
		return 1
	fi
	# Destroyed latest first: the outer unshare (which ignores SIGTERM) is
	# killed first, and --kill-child takes the inner init with it. A
	# namespace init without handlers ignores SIGTERM too: KILL both.
	_podcg_record_spawn "$_PODCG_INNER" KILL
	_podcg_record_spawn "$outer" KILL
	printf '%s\n' "$_PODCG_INNER"
}

# True if $1 (start time $2, or - if unknown) is alive and in our tree.
_podcg_ours() {
	local pid=$1 start=$2 c
	if [[ $start == - ]]; then
		t_pid_alive "$pid" || return 1
	else
		t_pid_alive "$pid" "$start" || return 1
	fi
	c=$(<"/proc/$pid/cgroup") 2>/dev/null || return 1
	[[ $c == *"/$PODCG_ROOT/"* ]]
}

_podcg_rmdir() {
	[[ -d $1 ]] || return 0
	rmdir "$1" 2>/dev/null
}

podcg_destroy_all() {
	local pid start sig i rc=0
	local -a lines
	# Processes we started, latest first.
	if [[ -f $_PODCG_STATE/spawned ]]; then
		mapfile -t lines <"$_PODCG_STATE/spawned"
		for ((i = ${#lines[@]} - 1; i >= 0; i--)); do
			read -r pid start sig <<<"${lines[i]}"
			if _podcg_ours "$pid" "$start"; then
				[[ $start == - ]] && start=$(t_pid_starttime "$pid" 2>/dev/null)
				t_kill_pid "$pid" "$start" "$_PODCG_KILL_TIMEOUT_MS" "${sig:-TERM}"
			else
				wait "$pid" 2>/dev/null
			fi
		done
		rm -f "$_PODCG_STATE/spawned"
	fi
	# Anything else still in our private tree was started by us too (a
	# spawn interrupted before it was recorded, children of spawned
	# commands): SIGKILL it, by pid, after giving entered ones back.
	_podcg_restore_entered
	if [[ -f $_PODCG_STATE/created ]]; then
		local dir
		while read -r dir; do
			[[ -f $dir/cgroup.procs ]] || continue
			while read -r pid; do
				kill -KILL "$pid" 2>/dev/null
			done <"$dir/cgroup.procs"
		done <"$_PODCG_STATE/created"
	fi
	# Directories, deepest (latest created) first; dying tasks may hold
	# a cgroup busy for a moment.
	if [[ -f $_PODCG_STATE/created ]]; then
		mapfile -t lines <"$_PODCG_STATE/created"
		for ((i = ${#lines[@]} - 1; i >= 0; i--)); do
			if ! t_wait_for "$_PODCG_RMDIR_TIMEOUT_MS" _podcg_rmdir "${lines[i]}"; then
				t_log "podcg: cannot remove ${lines[i]}: $(rmdir "${lines[i]}" 2>&1); procs: $(tr '\n' ' ' <"${lines[i]}/cgroup.procs" 2>/dev/null)"
				rc=1
			fi
		done
		((rc == 0)) && rm -f "$_PODCG_STATE/created"
	fi
	rm -f "$_PODCG_STATE"/cg.* "$_PODCG_STATE"/dirs.*
	return "$rc"
}

# Processes moved in by podcg_enter go back where they were.
_podcg_restore_entered() {
	local pid mnt cur
	if [[ -f $_PODCG_STATE/entered ]]; then
		while read -r pid mnt cur; do
			t_pid_alive "$pid" || continue
			grep -q "/$PODCG_ROOT/" "/proc/$pid/cgroup" 2>/dev/null || continue
			if [[ -d $mnt$cur ]]; then
				echo "$pid" >"$mnt$cur/cgroup.procs" 2>/dev/null ||
					t_log "podcg: cannot move $pid back to $mnt$cur"
			fi
		done <"$_PODCG_STATE/entered"
		rm -f "$_PODCG_STATE/entered"
	fi
}
