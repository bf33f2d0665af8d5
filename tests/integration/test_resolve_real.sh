#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_resolve_real.sh - real processes in real pod-like cgroups (v1
# controllers and the v2 hierarchy; cgroupfs, Guaranteed, systemd and CRI-O
# names; v2 only; one in its own pid namespace) and host processes resolve
# correctly through the real /proc: records naming their pids are fed to
# the plugin, which must add exactly the right fields.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/podcg.sh"
R=$(t_repo_root)
BIN=$R/${B:-build}/audisp-pid2pod
W=$(t_workdir)

rand_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
uuid() { local h; h=$(rand_hex 16); echo "${h:0:8}-${h:8:4}-${h:12:4}-${h:16:4}-${h:20:12}"; }

declare -A WANT_CID WANT_UID
pids=()
for style in cgroupfs guaranteed systemd crio v2only; do
	u=$(uuid); c=$(rand_hex 32)
	podcg_create "$style" "$style" "$u" "$c" >/dev/null || {
		rc=$?; [ $rc -eq 3 ] && { t_skip "style $style" "no cgroup v2 here"; continue; }
		t_fail "podcg_create $style" "rc=$rc"; continue; }
	p=$(podcg_spawn "$style" sleep 30)
	pids+=("$p"); WANT_CID[$p]=$c; WANT_UID[$p]=$u
done
# one in its own pid namespace
u=$(uuid); c=$(rand_hex 32)
podcg_create pidns cgroupfs "$u" "$c" >/dev/null
pn=$(podcg_spawn_pidns pidns sleep 30)
pids+=("$pn"); WANT_CID[$pn]=$c; WANT_UID[$pn]=$u
# host processes: this shell's child, and pid 1
sleep 30 & hp=$!
t_on_exit sh -c "kill $hp 2>/dev/null; true"
pids+=("$hp" 1)

printf 'output = stdout\nproc_connector = no\n' > "$W/p.conf"; chmod 0640 "$W/p.conf"
i=0
for p in "${pids[@]}"; do
	i=$((i + 1))
	printf 'type=SYSCALL msg=audit(1700000000.%03d:%d): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=%s comm="sleep" exe="/usr/bin/sleep"\x1dARCH=x86_64\n' "$i" "$i" "$p"
	printf 'type=EOE msg=audit(1700000000.%03d:%d): \n' "$i" "$i"
done > "$W/in.log"
"$BIN" -c "$W/p.conf" < "$W/in.log" > "$W/out.log"
t_check "plugin exit 0" test $? -eq 0

for p in "${pids[@]}"; do
	line=$(grep -a " pid=$p " "$W/out.log")
	if [ -n "${WANT_CID[$p]:-}" ]; then
		want=" container_id=\"${WANT_CID[$p]}\" k8s_pod_id=\"${WANT_UID[$p]}\""
		if [ "$p" = "$pn" ]; then
			ns=$(awk '/^NSpid:/ {print $NF}' "/proc/$p/status")
			want="$want k8s_pid_inside=\"$ns\""
		fi
		case $line in *"$want"$'\x1d'*) t_ok "pod process $p ($(cut -d: -f3 /proc/$p/cgroup | tail -1 | cut -c1-60)...) resolved";;
			*) t_fail "pod process $p" "want [$want] in [$line] cgroup=$(tr '\n' ' ' < /proc/$p/cgroup)";; esac
	else
		case $line in *container_id*|*k8s_*) t_fail "host process $p" "$line";;
			"") t_fail "host process $p" "no output line";;
			*) t_ok "host process $p: no fields";; esac
	fi
done
[ -n "$pn" ] && grep -q "NSpid:.*[[:space:]]1$" "/proc/$pn/status" &&
	t_ok "the pid-namespace process is pid 1 inside" || t_fail "pidns NSpid" "$(grep NSpid /proc/$pn/status)"
t_done
