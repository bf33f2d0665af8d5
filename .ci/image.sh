#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# .ci/image.sh - the image stage of CI: the DaemonSet's image built from
# Debian's archive with no registry (`make image`: mmdebstrap + an OCI
# archive), the Dockerfile built by buildah on a mmdebstrap base and
# compared with it (packages and files), the image imported into a private
# containerd (tests/lib/ctr.sh) and run with the options
# deploy/ctr-run-args.py reads from deploy/daemonset.yaml (namespaces,
# capabilities, mounts, env, security context, containerd's default seccomp
# profile).  Checked from outside: host processes in pod-like cgroups
# (cgroupfs and systemd names) and a runc container with CRI annotations
# come out enriched and named in the container's log stream; the settings
# the manifest asks for are those the processes have; the metrics file
# appears in the host directory the manifest mounts; the liveness probe
# passes, fails when the plugin is stuck, passes again; a killed plugin is
# restarted by auditd; a second instance refuses; SIGTERM stops it with the
# node's audit settings (rules, backlog limit, enabled flag) as before.
# One "ok - " or "FAIL - " line per check; exit status 1 on any failure.
#
# The host's / is the real one for /proc only: every other hostPath of the
# manifest is taken under $W/host (containerd's task dir there is a link to
# the private containerd's), so nothing outside $W is created.
#
# Needs root and the only auditd of this kernel: run it under
# `flock /tmp/p2p-auditd.lock bash .ci/image.sh`.  Installs what it needs
# from Debian's archive (make deps pkg-deps, mmdebstrap, buildah); puts back
# what it changed (containers, containerd, cgroups, the node's audit
# settings), also when it fails.
set -u
cd "$(dirname "$0")/.." || exit 1
export DEBIAN_FRONTEND=noninteractive
B=${B:-build/pkg}
PKG_OUT=${PKG_OUT:-build/pkg-out}
IMG_OUT=${IMG_OUT:-build/image}
START_S=30

. tests/lib/common.sh
. tests/lib/podcg.sh
. tests/lib/ctr.sh

NOK=0 NFAIL=0
pass() { echo "ok - $1"; NOK=$((NOK + 1)); }
fail() { echo "FAIL - $1: ${2//$'\n'/ | }"; NFAIL=$((NFAIL + 1)); }
finish() {
	echo "== image: $NOK ok, $NFAIL FAILED"
	[ "$NFAIL" -eq 0 ]
	exit
}
stop_here() { fail "$1" "$2"; echo "== image: stopped at the failure above"; finish; }
status() { auditctl -s 2>/dev/null | awk -v f="$1" '$1 == f { print $2 }'; }
secs() { echo $(($(date +%s) - T0)); }
T0=$(date +%s)

echo "== image: preconditions"
[ "$(id -u)" = 0 ] || stop_here "root" "run as root"
reg=$(status pid)
[ "$reg" = 0 ] || stop_here "no audit daemon registered" "the kernel names pid ${reg:-?}"
[ "$(auditctl -l 2>&1)" = "No rules" ] || stop_here "no audit rules loaded" "$(auditctl -l | head -3)"
RUNDIRS_BEFORE=$(ls -d /run/containerd/fifo /run/containerd/runc 2>/dev/null)
W=$(t_workdir)
pass "preconditions: root, no audit daemon registered, no audit rules"

echo "== image: tools"
if make -s deps pkg-deps >"$W/deps.log" 2>&1 &&
	apt-get install -y -qq --no-install-recommends mmdebstrap buildah python3-yaml >>"$W/deps.log" 2>&1; then
	pass "apt-get install of the build tools, mmdebstrap and buildah ($(secs) s)"
else
	stop_here "apt-get install" "$(tail -3 "$W/deps.log")"
fi

echo "== image: make deb, make image"
rm -f "$PKG_OUT"/pid2pod[_-]*
make B="$B" PKG_OUT="$PKG_OUT" deb >"$W/deb.log" 2>&1 || stop_here "make deb" "$(tail -5 "$W/deb.log")"
pass "make deb ($(secs) s)"
make B="$B" PKG_OUT="$PKG_OUT" IMG_OUT="$IMG_OUT" image >"$W/image.log" 2>&1 ||
	stop_here "make image" "$(tail -5 "$W/image.log")"
IMAGE=$(cat "$IMG_OUT/image.name")
KNAME=$(python3 -c 'import yaml; i = yaml.safe_load(open("deploy/kustomization.yaml"))["images"][0]; print(i["newName"] + ":" + i["newTag"])')
[ "$IMAGE" = "$KNAME" ] && pass "make image: $IMAGE, as kustomization.yaml names it ($(du -m "$IMG_OUT/pid2pod-image.tar" | cut -f1) MiB, $(secs) s)" ||
	fail "image name" "$IMAGE, kustomization.yaml: $KNAME"

echo "== image: the Dockerfile (buildah, on a mmdebstrap base) gives the same content"
# debian:12 stands for a mmdebstrap base; buildah's storage is private to $W
bst=(--root "$W/buildah/root" --runroot "$W/buildah/run" --storage-driver vfs)
buildah_clean() { buildah "${bst[@]}" rm -a >/dev/null 2>&1; buildah "${bst[@]}" rmi -a -f >/dev/null 2>&1; rm -rf "$W/buildah"; }
t_on_exit buildah_clean
m=${P2P_DEBIAN_MIRROR:-http://deb.debian.org}
ctx=$W/context
mkdir -p "$ctx"
cp deploy/Dockerfile deploy/entrypoint.sh "$PKG_OUT"/pid2pod_*_*.deb "$ctx/"
rm -f "$ctx"/pid2pod-dbgsym_*
if mmdebstrap --mode=root --variant=apt --format=tar bookworm "$W/base.tar" \
	"deb $m/debian bookworm main" "deb $m/debian bookworm-updates main" \
	"deb $m/debian-security bookworm-security main" </dev/null >"$W/base.log" 2>&1 &&
	python3 deploy/oci-archive.py "$W/base.tar" docker.io/library/debian:12 "$W/base-oci.tar" &&
	buildah "${bst[@]}" pull "oci-archive:$W/base-oci.tar" >"$W/buildah.log" 2>&1 &&
	buildah "${bst[@]}" tag "$(buildah "${bst[@]}" images -q | head -1)" docker.io/library/debian:12 >>"$W/buildah.log" 2>&1 &&
	buildah "${bst[@]}" bud --pull=never --isolation chroot -t p2p-dockerfile "$ctx" >>"$W/buildah.log" 2>&1; then
	pass "buildah bud --pull=never of deploy/Dockerfile on a mmdebstrap debian:12 ($(secs) s)"
	bc=$(buildah "${bst[@]}" from --pull=never p2p-dockerfile 2>>"$W/buildah.log")
	bm=$(buildah "${bst[@]}" mount "$bc" 2>>"$W/buildah.log")
	mkdir -p "$W/mm"
	tar -C "$W/mm" -xf "$IMG_OUT/rootfs.tar"
	pkgs() { dpkg-query --admindir="$1/var/lib/dpkg" -W -f '${Package} ${Version} ${db:Status-Status}\n' | sort; }
	# what differs by nature between two builds: logs, caches of ld and
	# debconf, machine ids, apt's own state and backup files of dpkg
	files() {
		(cd "$1" && find . -xdev \( -type f -o -type l -o -type d \) -printf '%y %m %u %p\n') | grep -Ev \
			-e ' \./(var/log|var/cache/debconf|var/cache/ldconfig|tmp|run|proc|sys|dev)/' \
			-e ' \./etc/(machine-id|hostname|hosts|resolv\.conf|ld\.so\.cache)$' \
			-e ' \./var/lib/(apt/extended_states|apt/lists/partial|apt/lists/lock|dpkg/[a-z]*-old|dbus/machine-id)$' \
			-e ' \./var/cache/debconf$' | sort
	}
	pkgs "$W/mm" >"$W/mm.pkgs"
	pkgs "$bm" >"$W/df.pkgs"
	if [ -s "$W/mm.pkgs" ] && cmp -s "$W/mm.pkgs" "$W/df.pkgs"; then
		pass "the same packages and versions ($(wc -l <"$W/mm.pkgs"), pid2pod $(awk '$1 == "pid2pod" { print $2 }' "$W/mm.pkgs"))"
	else
		fail "packages" "$(diff "$W/mm.pkgs" "$W/df.pkgs" | grep '^[<>]' | head -10 | tr '\n' ' ')"
	fi
	files "$W/mm" >"$W/mm.files"
	files "$bm" >"$W/df.files"
	if cmp -s "$W/mm.files" "$W/df.files"; then
		pass "the same files, modes and owners ($(wc -l <"$W/mm.files") entries; apt's lists and cache gone from both)"
	else
		fail "files" "< make image, > Dockerfile: $(diff "$W/mm.files" "$W/df.files" | grep '^[<>]' | head -12 | tr '\n' ' ')"
	fi
	buildah "${bst[@]}" umount "$bc" >/dev/null 2>&1
	rm -rf "$W/mm"
else
	fail "buildah bud of deploy/Dockerfile" "$(tail -5 "$W/base.log" "$W/buildah.log" | tr '\n' ' ')"
fi
buildah_clean
rm -f "$W/base.tar" "$W/base-oci.tar"

echo "== image: import into a private containerd"
ctr_start "$W/ctr" || stop_here "containerd" "see above"
c() { timeout -k 2 60 ctr --address "$CTR_ADDR" --namespace "$CTR_NS" "$@"; }
c image import "$IMG_OUT/pid2pod-image.tar" >"$W/import.log" 2>&1 &&
	c image ls -q | grep -qx "$IMAGE" && pass "ctr image import: $IMAGE ($(secs) s)" ||
	stop_here "ctr image import" "$(tail -3 "$W/import.log")"

# the node's audit settings before: a backlog limit below the manifest's
# minimum, auditing off, one rule of the node's own; each must be as
# before at the end
NODE_BACKLOG=$(status backlog_limit) NODE_ENABLED=$(status enabled)
node_restore() {
	auditctl -D >/dev/null 2>&1
	auditctl -b "$NODE_BACKLOG" >/dev/null 2>&1
	auditctl -e "$NODE_ENABLED" >/dev/null 2>&1
}
t_on_exit node_restore
HOST_RULE='-a always,exit -F arch=b64 -S fchownat -F key=p2p_ci_node'
auditctl -D >/dev/null && auditctl -b 4321 >/dev/null && auditctl -e 0 >/dev/null &&
	auditctl ${HOST_RULE} >/dev/null || stop_here "node audit settings" "auditctl failed"
auditctl -l >"$W/rules.before"
settings() { echo "backlog_limit $(status backlog_limit) enabled $(status enabled) pid $(status pid)"; }
BEFORE=$(settings)

echo "== image: run as deploy/daemonset.yaml says"
H=$W/host
mkdir -p "$H/run/containerd"
ln -s "$CTR_STATE_DIR" "$H/run/containerd/io.containerd.runtime.v2.task"
args() { # CONFIG_DIR
	python3 deploy/ctr-run-args.py --config-dir "$1" --host-root "$H" \
		--pid-ns "/proc/$CONTAINERD_PID/ns/pid"
}
mapfile -t OPTS < <(args "$W/cm") && [ "${#OPTS[@]}" -gt 10 ] || stop_here "ctr-run-args.py" "no options"
# a capability of the manifest outside this machine's own bounding set (a
# sandbox's) cannot be granted: run without it, say so, and expect what
# its absence brings (SYS_RESOURCE: auditd's "Unable to adjust out of
# memory score"), nothing else
CAPS_PY='import importlib.util, sys
spec = importlib.util.spec_from_file_location("a", "deploy/ctr-run-args.py")
a = importlib.util.module_from_spec(spec); spec.loader.exec_module(a)
print(" ".join(sorted("CAP_" + c for i, c in enumerate(a.ALL_CAPS) if int(sys.argv[1], 16) >> i & 1)))'
own_caps=" $(python3 -c "$CAPS_PY" "$(awk '$1 == "CapBnd:" { print $2 }' /proc/self/status)") "
# without_lacking NAME: the options in array NAME less those caps
without_lacking() {
	local -n o=$1
	local i kept=()
	LACKING=''
	for ((i = 0; i < ${#o[@]}; i++)); do
		if [ "${o[i]}" = --cap-add ] && [[ $own_caps != *" ${o[i + 1]} "* ]]; then
			LACKING="$LACKING ${o[i + 1]}"
			i=$((i + 1))
			continue
		fi
		kept+=("${o[i]}")
	done
	o=("${kept[@]}")
}
without_lacking OPTS
[ -z "$LACKING" ] || echo "# this machine's bounding set lacks$LACKING, which the manifest adds: run without"
# the liveness probe's window, shortened for the test: 3 x 1 s
INTERVAL=1
sed -i "s/^metrics_interval = .*/metrics_interval = $INTERVAL/" "$W/cm/pid2pod.conf"
grep -qx "metrics_interval = $INTERVAL" "$W/cm/pid2pod.conf" || stop_here "metrics_interval" "not in the ConfigMap"
METRICS=$(python3 deploy/ctr-run-args.py --value metrics_file)
[ -n "$METRICS" ] || fail "metrics_file" "not set in the ConfigMap"
mapfile -t PROBE < <(python3 deploy/ctr-run-args.py --probe)
LOG=$W/pid2pod.log
c run -d --runc-root "$CTR_W/runc" --fifo-dir "$CTR_W/fifo" --log-uri "file://$LOG" "${OPTS[@]}" "$IMAGE" p2p-ds >"$W/run.out" 2>&1 ||
	stop_here "ctr run" "$(cat "$W/run.out")"
running() { grep -q 'running with audisp-pid2pod' "$LOG" 2>/dev/null; }
t_wait_for $((START_S * 1000)) running && pass "started: $(grep -o 'auditd [0-9]* running.*' "$LOG") ($(secs) s)" ||
	stop_here "start" "$(tail -5 "$LOG" 2>/dev/null | tr '\n' ' ')"
EP=$(c task ls | awk '$1 == "p2p-ds" { print $2 }')
AUDITD=$(status pid)
plugin_pid() { pgrep -x -P "$AUDITD" audisp-pid2pod; }
t_wait_for 5000 plugin_pid >/dev/null
P1=$(plugin_pid)
[ -n "$P1" ] && pass "auditd $AUDITD (registered) runs audisp-pid2pod $P1" || fail "plugin" "no audisp-pid2pod child of $AUDITD"
# auditd, rsyslogd, the plugin and the entrypoint say nothing amiss (auditd's
# "Unable to adjust out of memory score" without SYS_RESOURCE, for one)
sleep 1
expected='^$'
[[ $LACKING == *CAP_SYS_RESOURCE* ]] && expected='auditd\[[0-9]*\]: Unable to adjust out of memory score$'
# (the plugin's start-up line on its seccomp list says "fail with EPERM"
# and "seccomp_denied": what happens to calls off it, not a warning)
grep -av 'type=[A-Z_]* msg=audit' "$LOG" | grep -Ei 'warn|error|unable|cannot|fail|denied' | grep -v "$expected" |
	grep -v 'sandbox: seccomp: [0-9]* system calls allowed, others fail with EPERM' | head -5 >"$W/warnings"
[ -s "$W/warnings" ] && fail "no warnings at start" "$(cat "$W/warnings")" ||
	pass "no warning or error at start in the log stream ($(grep -avc 'type=[A-Z_]* msg=audit' "$LOG") messages)"

# the manifest's settings, as the kernel shows them for the entrypoint
want_caps=$(python3 -c 'import yaml; d = yaml.safe_load(open("deploy/daemonset.yaml")); print(" ".join(sorted("cap_" + x.lower() for x in d["spec"]["template"]["spec"]["containers"][0]["securityContext"]["capabilities"]["add"])))')
got_caps=$(python3 -c "$CAPS_PY" "$(awk '$1 == "CapBnd:" { print $2 }' "/proc/$EP/status")" | tr 'A-Z ' 'a-z\n' | LC_ALL=C sort | paste -sd ' ')
for l in $LACKING; do want_caps=$(echo " $want_caps " | sed "s/ $(echo "$l" | tr 'A-Z' 'a-z') / /; s/^ *//; s/ *$//"); done
[ "$got_caps" = "$want_caps" ] && pass "bounding set: the manifest's capabilities ($want_caps${LACKING:+; without$LACKING})" ||
	fail "capabilities" "got $got_caps, want $want_caps"
st() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$EP/status"; }
[ "$(st Seccomp)" = 2 ] && [ "$(st NoNewPrivs)" = 1 ] && pass "seccomp filter (containerd's default profile) and no_new_privs" ||
	fail "seccomp" "Seccomp $(st Seccomp) NoNewPrivs $(st NoNewPrivs)"
[ "$(readlink "/proc/$EP/ns/pid")" = "$(readlink /proc/$CONTAINERD_PID/ns/pid)" ] &&
	[ "$(readlink "/proc/$EP/ns/net")" = "$(readlink /proc/$CONTAINERD_PID/ns/net)" ] &&
	[ "$(readlink "/proc/$EP/ns/mnt")" != "$(readlink /proc/$CONTAINERD_PID/ns/mnt)" ] &&
	pass "host pid and network namespaces, its own mount namespace" || fail "namespaces" "$(ls -l /proc/$EP/ns | tr '\n' ' ')"
c task exec --fifo-dir "$CTR_W/fifo" --exec-id rofs p2p-ds sh -c 'touch /p2p-rofs' >/dev/null 2>&1 && fail "read-only root" "touch / worked" ||
	pass "read-only root filesystem (touch / refused)"
c task exec --fifo-dir "$CTR_W/fifo" --exec-id rohost p2p-ds sh -c 'touch /host/proc/p2p || touch /var/lib/kubelet/pki/p2p' >/dev/null 2>&1 &&
	fail "read-only host mounts" "touch worked" || pass "host mounts read-only"
[ "$(status backlog_limit)" = "$(python3 -c 'import yaml; d = yaml.safe_load(open("deploy/daemonset.yaml")); print([e["value"] for e in d["spec"]["template"]["spec"]["containers"][0]["env"] if e["name"] == "PID2POD_BACKLOG_MIN"][0])')" ] &&
	pass "backlog limit raised to the manifest's PID2POD_BACKLOG_MIN ($(status backlog_limit))" ||
	fail "backlog" "$(settings)"

echo "== image: records enriched in the log stream"
# serial_of MARKER: serial of the execve whose EXECVE record has MARKER
serial_of() { grep -aF "a1=\"$1\"" "$LOG" | grep -a 'type=EXECVE' | sed -n 's/.*msg=audit([0-9.]*:\([0-9]*\)).*/\1/p' | head -1; }
syscall_of() { grep -a "type=SYSCALL msg=audit([0-9.]*:$1)" "$LOG" | head -1; }
has_exec() { local s; s=$(serial_of "$1") && [ -n "$s" ] && [ -n "$(syscall_of "$s")" ]; }
# exec_line MARKER: the SYSCALL line of MARKER's execve (waits 5 s)
exec_line() { t_wait_for 5000 has_exec "$1" && syscall_of "$(serial_of "$1")"; }
n=0
for style in cgroupfs systemd; do
	n=$((n + 1))
	uid=$(cat /proc/sys/kernel/random/uuid) cid=$(ctr_new_id)
	podcg_create "cg$style" "$style" "$uid" "$cid" >/dev/null || { fail "$style cgroup" "podcg_create"; continue; }
	mk=p2p-img-$$-$style
	# /bin/true forked by a shell settled in the pod (and staying): a child
	# gone before its exec is read keeps its parent's pod only when that
	# parent's pod was known at the fork (docs/design.md, How a pid is resolved)
	podcg_spawn "cg$style" /bin/sh -c "sleep 0.5; /bin/true $mk; sleep 1" >/dev/null
	line=$(exec_line "$mk")
	[[ $line == *"container_id=\"$cid\""* && $line == *"k8s_pod_id=\"$uid\""* && $line == *'key="p2p_exec"'* ]] &&
		pass "a host process in a pod-like cgroup ($style driver): container_id and k8s_pod_id" ||
		fail "$style cgroup" "${line:0:400}"
done
/bin/true "p2p-img-$$-host"
line=$(exec_line "p2p-img-$$-host")
# a short-lived host process read after it left is "?" (a host answer only
# from a read of the living process): never a pod's fields
[[ -n $line && $line != *'container_id="'* && $line != *k8s_* ]] &&
	pass "a host process: no pod's fields (none, or container_id=?)" || fail "host process" "${line:0:400}"

POD_UID=$(cat /proc/sys/kernel/random/uuid)
CID=$(ctr_run_pod app p2p-ns p2p-web "$POD_UID" web cgroupfs /bin/sleep 600) || fail "runc container" "ctr_run_pod"
mk=p2p-img-$$-exec
# the exec'd process stays a moment (then execs echo): one gone before its
# exec is read, with a runtime for parent, is rightly "?" (docs/design.md, How a
# pid is resolved), and this stage checks the deployment, not that race
ctr_exec app e1 /bin/sh -c "sleep 0.3; exec /bin/echo $mk" >/dev/null
line=$(exec_line "$mk")
[[ $line == *"container_id=\"$CID\""* && $line == *'k8s_namespace="p2p-ns"'* && $line == *'k8s_pod="p2p-web"'* &&
	$line == *'k8s_container="web"'* && $line == *"k8s_pod_id=\"$POD_UID\""* ]] &&
	pass "ctr task exec in a runc container with CRI annotations: named from runtime state" ||
	fail "runc container" "${line:0:500}"

echo "== image: metrics file and liveness probe"
MHOST=$H$(dirname "$METRICS")/$(basename "$METRICS")
t_wait_for 5000 test -s "$MHOST" && grep -q '^pid2pod_' "$MHOST" &&
	pass "metrics file in the host directory the manifest mounts ($(grep -c '^pid2pod_' "$MHOST") samples)" ||
	fail "metrics file" "$MHOST: $(ls -l "$(dirname "$MHOST")" 2>&1 | tr '\n' ' ')"
probe() { c task exec --fifo-dir "$CTR_W/fifo" --exec-id "probe$1" p2p-ds "${PROBE[@]}" >"$W/probe$1.out" 2>&1; }
probe 1 && pass "liveness probe (${PROBE[*]}) passes" || fail "liveness probe" "$(cat "$W/probe1.out")"
kill -STOP "$P1"
sleep $((3 * INTERVAL + 2))
probe 2 && fail "liveness probe, plugin stopped" "passed" ||
	pass "liveness probe fails with the plugin stopped $((3 * INTERVAL + 2)) s: $(tr '\n' ' ' <"$W/probe2.out")"
kill -CONT "$P1"
t_wait_for 5000 probe 3 && pass "liveness probe passes again once it runs" || fail "liveness probe after" "$(cat "$W/probe3.out")"

echo "== image: a killed plugin is restarted, a second instance refuses"
kill -KILL "$P1"
new_plugin() { local p; p=$(plugin_pid) && [ "$p" != "$P1" ]; }
t_wait_for 10000 new_plugin && pass "audisp-pid2pod killed: auditd started another ($P1 -> $(plugin_pid))" ||
	fail "plugin restart" "$(plugin_pid)"
sleep 0.5
mk=p2p-img-$$-exec2
ctr_exec app e2 /bin/sh -c "sleep 0.3; exec /bin/echo $mk" >/dev/null
line=$(exec_line "$mk")
[[ $line == *"container_id=\"$CID\""* && $line == *'k8s_pod="p2p-web"'* ]] &&
	pass "records enriched after the restart" || fail "after restart" "${line:0:400}"

mapfile -t OPTS2 < <(args "$W/cm2")
without_lacking OPTS2
mid=$(settings)
c run --runc-root "$CTR_W/runc" --fifo-dir "$CTR_W/fifo" --log-uri "file://$W/second.log" "${OPTS2[@]}" "$IMAGE" p2p-ds2 >"$W/second.out" 2>&1
rc=$?
c container rm p2p-ds2 >/dev/null 2>&1
# the shim may write the log file after ctr run returned
t_wait_for 3000 grep -q 'already has an audit daemon' "$W/second.log"
[ "$rc" -ne 0 ] && grep -q 'already has an audit daemon' "$W/second.log" && [ "$(settings)" = "$mid" ] &&
	pass "a second instance refuses (exit $rc), the running one's settings untouched: $(grep -o 'already has[^:]*' "$W/second.log")" ||
	fail "second instance" "rc $rc; $(tail -2 "$W/second.log" "$W/second.out" | tr '\n' ' '); $mid -> $(settings)"
t_pid_alive "$AUDITD" && pass "the first one's auditd still runs" || fail "first auditd" "gone"

echo "== image: SIGTERM"
c task kill -s SIGTERM p2p-ds >/dev/null
stopped() { c task ls | awk '$1 == "p2p-ds" { print $3 }' | grep -qx STOPPED; }
t_wait_for 20000 stopped && pass "SIGTERM: the task stopped" || fail "SIGTERM" "$(c task ls | grep p2p-ds)"
code=$(c task delete p2p-ds 2>&1 | sed -n 's/.*exit status \([0-9]*\).*/\1/p')
c container rm p2p-ds >/dev/null 2>&1
grep -q 'pid2pod-entrypoint: stopped' "$LOG" && [ -z "$code" -o "$code" = 0 ] &&
	pass "it stopped cleanly (\"stopped\" in its log, exit status ${code:-0})" || fail "clean stop" "exit ${code:-?}; $(tail -3 "$LOG" | tr '\n' ' ')"
[ "$(settings)" = "$BEFORE" ] && pass "the node's settings as before: $BEFORE" || fail "settings" "before $BEFORE, after $(settings)"
auditctl -l >"$W/rules.after"
cmp -s "$W/rules.before" "$W/rules.after" && pass "the node's rules as before ($(wc -l <"$W/rules.after"), its own rule kept, ours gone)" ||
	fail "rules" "$(diff "$W/rules.before" "$W/rules.after" | grep '^[<>]' | tr '\n' ' ')"
[ "$(ls -d /run/containerd/fifo /run/containerd/runc 2>/dev/null)" = "$RUNDIRS_BEFORE" ] &&
	pass "no fifo or runc state of ours in /run/containerd (all under $W)" ||
	fail "/run/containerd" "$(ls -d /run/containerd/fifo /run/containerd/runc 2>/dev/null | tr '\n' ' ')"
cp "$LOG" "$IMG_OUT/ctr-run.log" 2>/dev/null
echo "# the container's log stream: $IMG_OUT/ctr-run.log; stage time: $(secs) s"
finish
