#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/run.sh - pid2pod against its peers on the same streams, in the same
# run, in alternation; then the plugin at scale; then CPU under real auditd.
# `make bench` runs it (after the bench_*.c microbenchmarks); as root.
#
# Parts (BENCH_PARTS, default "stream scale cpu"):
#   stream  200,000 events (BENCH_EVENTS) expanded by tests/tools/genstream.py
#           from records captured from auditd (tests/data/captured-enriched.log),
#           ENRICHED with EOE lines, 4 events interleaved, their pids those of
#           real processes in pod-like cgroups (tests/lib/podcg.sh; BENCH_PODS
#           pods, default 300, one process each, plus host processes) named by
#           the nginx kubelet stand-in (tests/lib/kubelet.sh, a list from
#           tests/tools/mkpodlist.py); a clean stream and an overload one
#           (genstream --incomplete 14: 14% of events lose their EOE, SYSCALL
#           or a middle record).  Programs, each BENCH_ROUNDS times (default
#           5), in alternation, output to /dev/null (LAUREL's to its own
#           files, it cannot do otherwise):
#             pid2pod-text  audisp-pid2pod, output_format = text
#             pid2pod-json  audisp-pid2pod, output_format = json
#             laurel        LAUREL (Debian's package), Debian's config.toml
#                           with directory set to the bench's and no user
#             auparse       bench/auparse_pass.c: libauparse in feed mode,
#                           each record of each event printed
#             cat           cat
#           Printed: the median wall time of each, ratios, peak RSS.
#           BENCH_SANDBOX_COMPARE=1 adds pid2pod-text-nosb and
#           pid2pod-json-nosb: the same with sandbox = no (no Landlock, no
#           seccomp filter), in the same alternation.
#   scale   a 5,000-pod list (BENCH_SCALE_PODS; mkpodlist.py scale) served by
#           the stand-in, a proc_root tree of 100,000 pids (BENCH_SCALE_PIDS;
#           bench/mkscale.py) spread over the list's containers, a stream
#           touching every pid twice (pass 1 reads every cgroup file, pass 2
#           hits the cache), fed through a FIFO: the list's refresh time (the
#           plugin's log), records per second of each pass, and VmHWM/VmRSS
#           read from /proc once everything is out (queue empty).
#   cpu     real auditd (tests/lib/auditd.sh, private config and plugin dir)
#           delivering BENCH_CPU_RATE (1000) execs/s of /bin/true from a
#           process in a pod-like cgroup for BENCH_CPU_SECONDS (30) to
#           pid2pod, then to LAUREL: utime+stime of the plugin process
#           (/proc/<pid>/stat) for each, and its context switches (wakeups,
#           /proc/<pid>/status).  Holds P2P_AUDITD_LOCK (flock, default
#           /tmp/p2p-auditd.lock) meanwhile: one auditd per kernel.
#           BENCH_SANDBOX_COMPARE=1 adds a pid2pod-nosb run (sandbox = no)
#           after the pid2pod one.  BENCH_CPU_CONF: lines added to pid2pod's config ('batch_ms = 0'
#           to compare; printf %b, so \n separates lines).  BENCH_CPU_HOOK:
#           a command run in the background as the load starts, with the
#           plugin's pid and name (pid2pod, laurel): a perf record or strace
#           to see where the time goes.
#
# What it needs it installs with apt-get (laurel, auditd, libauparse-dev,
# nginx-light, python3, time).  Installing laurel ships an ACTIVE
# /etc/audit/plugins.d/laurel.conf: when this script installs laurel it sets
# `active = no` there at once and says so (it runs laurel only through
# private stanzas and stdin).  Everything else lives in a scratch dir removed
# at exit (P2P_KEEP=1 keeps it); processes, cgroups, nginx and auditd it
# started are stopped by pid.  Figures only: it asserts nothing about speed.
set -u
cd "$(dirname "$0")/.." || exit 1
R=$PWD
B=${B:-build}
BIN=${BENCH_PLUGIN:-$R/$B/audisp-pid2pod} # another build to compare with
PASS=$R/$B/benchtools/auparse_pass
LOADGEN=$R/$B/benchtools/loadgen
T=$R/tests/tools
ROUNDS=${BENCH_ROUNDS:-5}
EVENTS=${BENCH_EVENTS:-200000}
PODS=${BENCH_PODS:-300}
SCALE_PODS=${BENCH_SCALE_PODS:-5000}
SCALE_PIDS=${BENCH_SCALE_PIDS:-100000}
CPU_RATE=${BENCH_CPU_RATE:-1000}
CPU_SECONDS=${BENCH_CPU_SECONDS:-30}
PARTS=${BENCH_PARTS:-stream scale cpu}
SB_COMPARE=${BENCH_SANDBOX_COMPARE:-0}
LOCK=${P2P_AUDITD_LOCK:-/tmp/p2p-auditd.lock}

say() { printf '%s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
part() { [[ " $PARTS " == *" $1 "* ]]; }

[[ $(id -u) == 0 ]] || die "run as root (cgroups, auditd)"
for f in "$BIN" "$PASS" "$LOADGEN"; do
	[[ -x $f ]] || die "$f missing: run \`make B=$B bench\`"
done

# --- what the bench needs, from Debian's archive -----------------------------
need=()
command -v laurel >/dev/null || need+=(laurel)
[[ -x /usr/sbin/auditd ]] || need+=(auditd)
[[ -x /usr/bin/time ]] || need+=(time)
command -v nginx >/dev/null || need+=(nginx-light)
command -v python3 >/dev/null || need+=(python3)
[[ -e /usr/include/auparse.h ]] || need+=(libauparse-dev)
if ((${#need[@]})); then
	say "bench: installing ${need[*]}"
	apt-get update -qq || die "apt-get update failed"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${need[@]}" >/dev/null || die "apt-get install ${need[*]} failed"
	if [[ " ${need[*]} " == *" laurel "* ]]; then
		f=/etc/audit/plugins.d/laurel.conf
		if [[ -f $f ]] && grep -Eq '^[[:space:]]*active[[:space:]]*=[[:space:]]*yes' "$f"; then
			sed -i -E 's/^([[:space:]]*active[[:space:]]*=[[:space:]]*).*/\1no/' "$f"
			say "bench: laurel's package installed $f active; set it to \`active = no\` (the bench runs laurel only through its own private stanza)"
		fi
	fi
fi
LAUREL=$(command -v laurel)
LAUREL_VERSION=$(dpkg-query -W -f '${Version}' laurel 2>/dev/null || echo '?')

. "$R/tests/lib/common.sh"
. "$R/tests/lib/podcg.sh"
. "$R/tests/lib/kubelet.sh"
. "$R/tests/lib/auditd.sh"
W=$(t_workdir) || die "no scratch dir"
chmod 0755 "$W"

# Debian's laurel config, but writing into DIR and without a user switch.
laurel_conf() { # laurel_conf FILE DIR
	mkdir -p "$2"
	sed -e "s|^directory = .*|directory = \"$2\"|" -e 's|^user = .*|# user: the bench runs laurel as root|' \
		/etc/laurel/config.toml >"$1"
}

# --- pods: real processes in pod-like cgroups, named by the stand-in ---------
setup_pods() {
	local i uid cid style pid
	local -a specs=()
	: >"$W/pids"
	for ((i = 0; i < PODS; i++)); do
		uid=$(</proc/sys/kernel/random/uuid)
		cid=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
		((i % 2)) && style=systemd || style=cgroupfs
		podcg_create "p$i" "$style" "$uid" "$cid" >/dev/null || die "podcg_create p$i"
		pid=$(podcg_spawn "p$i" sleep 100000)
		echo "$pid" >>"$W/pids"
		specs+=("ns-$((i % 20))/web-$i-abcde/$uid/app=$cid" --owner "ReplicaSet/web-$i" --label "app=web-$i")
	done
	# host processes: ours, in the cgroups the harness gave us
	for ((i = 0; i < 20; i++)); do
		sleep 100000 >/dev/null 2>&1 &
		echo "$!" >>"$W/pids"
		t_on_exit kill "$!"
	done
	python3 "$T/mkpodlist.py" -o "$W/list.json" pods "${specs[@]}" || die "mkpodlist"
	kubelet_start "$W/k" "$W/list.json" >/dev/null || die "the kubelet stand-in did not start"
}

kube_conf() { # the kubelet keys
	printf 'kubelet_url = %s\nkubelet_ca_file = %s/ca.crt\nkubelet_token_file = %s/token\nlabels = app\n' \
		"$KUBELET_URL" "$KUBELET_DIR" "$KUBELET_DIR"
}

# --- part 1: the streams -----------------------------------------------------
# run_one PROGRAM STREAM: one timed run, "PROGRAM STREAM SECONDS RSS_KB" to $W/times
run_one() {
	local prog=$1 stream=$2 t0 t1 rss f
	local -a cmd
	case $prog in
	pid2pod-text) cmd=("$BIN" -c "$W/text.conf") ;;
	pid2pod-json) cmd=("$BIN" -c "$W/json.conf") ;;
	pid2pod-*-nosb) f=${prog#pid2pod-} f=${f%-nosb} cmd=("$BIN" -c "$W/$f-nosb.conf") ;;
	laurel) rm -rf "$W/lau"; mkdir -p "$W/lau"; cmd=("$LAUREL" -c "$W/laurel.toml") ;;
	auparse) cmd=("$PASS") ;;
	cat) cmd=(cat) ;;
	esac
	t0=$EPOCHREALTIME
	/usr/bin/time -f '%M' -o "$W/rss.one" "${cmd[@]}" <"$W/$stream.log" >"$W/out.one" 2>>"$W/$prog.err" ||
		say "bench: $prog on $stream exited $? (see $W/$prog.err)"
	t1=$EPOCHREALTIME
	rss=$(tail -n 1 "$W/rss.one")
	echo "$prog $stream $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }') $rss" >>"$W/times"
}

part_stream() {
	local r s p n_in n_out
	python3 "$T/genstream.py" --events "$EVENTS" --pids "$W/pids" --interleave 4 \
		--seed 1 -o "$W/clean.log" 2>/dev/null || die "genstream"
	python3 "$T/genstream.py" --events "$EVENTS" --pids "$W/pids" --interleave 4 \
		--seed 1 --incomplete 14 -o "$W/over.log" 2>/dev/null || die "genstream"
	for f in text json; do
		{
			printf 'output = stdout\noutput_format = %s\nproc_connector = no\nlog_file = %s/p-%s.log\n' "$f" "$W" "$f"
			kube_conf
		} >"$W/$f.conf"
		chmod 0640 "$W/$f.conf"
		{ cat "$W/$f.conf"; printf 'sandbox = no\n'; } >"$W/$f-nosb.conf"
		chmod 0640 "$W/$f-nosb.conf"
	done
	progs=(pid2pod-text pid2pod-json laurel auparse cat)
	((SB_COMPARE)) && progs=(pid2pod-text pid2pod-text-nosb pid2pod-json pid2pod-json-nosb laurel auparse cat)
	laurel_conf "$W/laurel.toml" "$W/lau"
	say "== streams: $EVENTS events, clean $(wc -l <"$W/clean.log") lines ($(($(stat -c %s "$W/clean.log") / 1048576)) MiB), overload $(wc -l <"$W/over.log") lines; $PODS pods in the stand-in, $(wc -l <"$W/pids") live pids; $ROUNDS rounds"
	# the output is what the contract says: one line per record in, EOE aside
	"$BIN" -c "$W/text.conf" <"$W/clean.log" >"$W/check.out" 2>/dev/null
	n_in=$(grep -a -c -v '^type=EOE ' "$W/clean.log")
	n_out=$(wc -l <"$W/check.out")
	say "pid2pod-text: $n_out lines out for $n_in records in; $(grep -a -c 'k8s_pod="web-' "$W/check.out") named by the pod list"
	: >"$W/times"
	for ((r = 0; r < ROUNDS; r++)); do
		for s in clean over; do
			for p in "${progs[@]}"; do
				run_one "$p" "$s"
			done
		done
	done
	python3 - "$W/times" "$LAUREL_VERSION" <<'PYEOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
t, m = {}, {}
for p, s, sec, rss in rows:
    t.setdefault((p, s), []).append(float(sec))
    m[(p, s)] = max(m.get((p, s), 0), int(rss))
med = {k: statistics.median(v) for k, v in t.items()}
progs = ["pid2pod-text", "pid2pod-text-nosb", "pid2pod-json",
         "pid2pod-json-nosb", "laurel", "auparse", "cat"]
label = {"laurel": "laurel " + sys.argv[2], "auparse": "auparse pass-through"}
print("| stream | program | median s | runs | vs auparse | LAUREL / it | peak RSS MB |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
for s in ("clean", "over"):
    for p in progs:
        k = (p, s)
        if k not in med:
            continue
        a = med[k] / med[("auparse", s)]
        l = med[("laurel", s)] / med[k]
        print("| %s | %s | %.3f | %d | %.2f | %.1fx | %.1f |" % (
            "overload 14%" if s == "over" else s, label.get(p, p), med[k],
            len(t[k]), a, l, m[k] / 1024))
print()
def tgt(name, val, ok):
    print("target: %-52s %8s  %s" % (name, val, "met" if ok else "MISSED"))
x = med[("pid2pod-text", "clean")] / med[("auparse", "clean")]
tgt("text / auparse pass-through, clean stream (<= 1.0)", "%.2f" % x, x <= 1.0)
x = med[("laurel", "clean")] / med[("pid2pod-text", "clean")]
tgt("LAUREL / text, clean stream (>= 6x)", "%.1fx" % x, x >= 6)
x = med[("laurel", "clean")] / med[("pid2pod-json", "clean")]
tgt("LAUREL / JSON, clean stream (>= 4x)", "%.1fx" % x, x >= 4)
for f in ("text", "json"):
    x = med[("pid2pod-" + f, "over")] / med[("pid2pod-" + f, "clean")]
    tgt("%s: overload / clean (<= 1.5)" % f, "%.2f" % x, x <= 1.5)
x = med[("auparse", "over")] / med[("auparse", "clean")]
print("(auparse pass-through: overload / clean %.2f)" % x)
for f in ("text", "json"):
    for s in ("clean", "over"):
        k = ("pid2pod-%s-nosb" % f, s)
        if k in med:
            print("sandbox cost, %s, %s stream: sandbox = yes / no %.3f (median %.3f s / %.3f s; runs %s / %s)" % (
                f, s, med[("pid2pod-" + f, s)] / med[k], med[("pid2pod-" + f, s)], med[k],
                " ".join("%.3f" % v for v in t[("pid2pod-" + f, s)]),
                " ".join("%.3f" % v for v in t[k])))
PYEOF
}

# --- part 2: scale -------------------------------------------------------------
_size_of() { stat -c %s "$1" 2>/dev/null || echo 0; }
# wait_settled FILE: until FILE stops growing for 300 ms; prints when it last grew
wait_settled() {
	local f=$1 last=-1 size t_change=$EPOCHREALTIME stable=0
	while ((stable < 15)); do
		size=$(_size_of "$f")
		if [[ $size != "$last" ]]; then
			last=$size t_change=$EPOCHREALTIME stable=0
		else
			stable=$((stable + 1))
		fi
		sleep 0.02
	done
	echo "$t_change"
}

part_scale() {
	local info pods ctrs npids lines pid t0 t1 t2 half hwm rss refresh
	python3 "$T/mkpodlist.py" -o "$W/big.json" scale "$SCALE_PODS" || die "mkpodlist scale"
	info=$(python3 "$R/bench/mkscale.py" "$W/big.json" "$W/sproc" --pids "$SCALE_PIDS" \
		--out "$W/scale.log" --passes 2) || die "mkscale"
	read -r pods ctrs npids lines <<<"$info"
	half=$((lines / 2))
	head -n "$half" "$W/scale.log" >"$W/scale1.log"
	tail -n "+$((half + 1))" "$W/scale.log" >"$W/scale2.log"
	kubelet_serve "$W/big.json"
	{
		printf 'output = file\noutput_file = %s/scale.out\nproc_root = %s/sproc\n' "$W" "$W"
		printf 'proc_connector = no\nlog_file = %s/scale.plog\n' "$W"
		kube_conf
	} >"$W/scale.conf"
	chmod 0640 "$W/scale.conf"
	mkfifo "$W/scale.in"
	"$BIN" -c "$W/scale.conf" <"$W/scale.in" >/dev/null 2>&1 &
	pid=$!
	t_on_exit t_kill_pid "$pid" "$(t_pid_starttime "$pid")" 2000 KILL
	exec 4>"$W/scale.in"
	t_wait_for 20000 grep -qs 'pod list of' "$W/scale.plog" || say "bench: no pod list within 20 s"
	refresh=$(grep -so 'pod list of .*' "$W/scale.plog" | head -1)
	say "== scale: $pods pods ($ctrs containers, $(($(stat -c %s "$W/big.json") / 1048576)) MiB list), $npids pids in a proc_root tree, $lines lines (2 passes over every pid)"
	say "refresh: $refresh"
	grep -E 'VmHWM|VmRSS' "/proc/$pid/status" | tr -s ' \t' ' ' | sed 's/^/after the refresh, before records: /'
	t0=$EPOCHREALTIME
	cat "$W/scale1.log" >&4
	t1=$(wait_settled "$W/scale.out")
	cat "$W/scale2.log" >&4
	t2=$(wait_settled "$W/scale.out")
	hwm=$(awk '$1 == "VmHWM:" { print $2 }' "/proc/$pid/status")
	rss=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$pid/status")
	awk -v a="$t0" -v b="$t1" -v c="$t2" -v n="$npids" 'BEGIN {
		printf "pass 1 (every pid read from the tree): %.2f s, %.0f events/s\n", b - a, n / (b - a)
		printf "pass 2 (every pid cached):             %.2f s, %.0f events/s\n", c - b, n / (c - b) }'
	say "lines out: $(wc -l <"$W/scale.out") of $((lines * 3 / 4)) records; SYSCALL records named: $(grep -a -c ' k8s_pod="' "$W/scale.out") of $((lines / 4))"
	awk -v h="$hwm" -v r="$rss" 'BEGIN {
		printf "queue empty: VmRSS %.1f MB, VmHWM %.1f MB\n", r / 1024, h / 1024
		printf "target: %-52s %8s  %s\n", "RSS in steady state, 5,000 pods, 100,000 pids (< 32 MB)", sprintf("%.1f MB", r / 1024), r < 32768 ? "met" : "MISSED" }'
	exec 4>&-
	t_wait_for 10000 sh -c "! kill -0 $pid 2>/dev/null"
	kubelet_serve "$W/list.json"
}

# --- part 3: CPU under real auditd ---------------------------------------------
# gone_within MS PID: wait for PID to end without starting a process (t_wait_for
# runs `sh -c` and `sleep` every 10 ms: execs pid2pod's connector would see and
# be charged for while LAUREL, seeing only the rule's records, is not)
gone_within() {
	local end=$((SECONDS + ($1 + 999) / 1000)) fd
	exec {fd}<> <(:)
	while kill -0 "$2" 2>/dev/null && ((SECONDS < end)); do
		read -r -t 0.2 -u "$fd" || :
	done
	exec {fd}>&-
	! kill -0 "$2" 2>/dev/null
}

# cpu_ticks PID, switches PID: utime+stime in clock ticks; context switches
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
switches() { awk '/ctxt_switches/ { n += $2 } END { print n }' "/proc/$1/status"; }

# cpu_run NAME BIN ARGS: auditd delivering the load to BIN ARGS; prints the figure
cpu_run() {
	local name=$1 bin=$2 args=$3 ppid c0 c1 w0 w1 g
	auditd_start "$W/a-$name" "$bin" "$args" q_depth=20000 || { say "bench: auditd did not start for $name"; return 1; }
	t_wait_for 5000 sh -c "pgrep -P $AUDITD_PID >/dev/null" || { say "bench: auditd did not start $name"; auditd_stop; return 1; }
	ppid=$(pgrep -P "$AUDITD_PID" | head -1)
	auditd_rule -b 8192 >/dev/null
	auditd_rule -a always,exit -F arch=b64 -S execve -F exe=/usr/bin/true -k p2p_bench >/dev/null
	sleep 1
	c0=$(cpu_ticks "$ppid")
	w0=$(switches "$ppid")
	g=$(podcg_spawn p0 "$LOADGEN" "$CPU_RATE" "$CPU_SECONDS")
	[[ -n ${BENCH_CPU_HOOK:-} ]] && { $BENCH_CPU_HOOK "$ppid" "$name" & }
	# a machine too busy for the rate takes longer; past 3x it is stopped
	if ! gone_within $((CPU_SECONDS * 3000 + 10000)) "$g"; then
		say "bench: $name: the load generator is behind; stopped at $((CPU_SECONDS * 3 + 10)) s"
		kill -INT "$g" 2>/dev/null
		t_wait_for 5000 sh -c "! kill -0 $g 2>/dev/null" || kill -KILL "$g" 2>/dev/null
	fi
	sleep 2 # the last records through auditd
	c1=$(cpu_ticks "$ppid")
	w1=$(switches "$ppid")
	auditd_rule -D >/dev/null
	auditd_stop
	echo "$name $((c1 - c0)) $(getconf CLK_TCK) $((w1 - w0))" >>"$W/cpu"
}

part_cpu() {
	local lockfd
	: >"$W/cpu"
	{
		printf 'output = file\noutput_file = %s/cpu-p2p.out\nlog_file = %s/cpu-p2p.log\n' "$W" "$W"
		kube_conf
		[[ -n ${BENCH_CPU_CONF:-} ]] && printf '%b\n' "$BENCH_CPU_CONF"
	} >"$W/cpu.conf"
	chmod 0640 "$W/cpu.conf"
	{ sed 's|/cpu-p2p\.|/cpu-nosb.|' "$W/cpu.conf"; printf 'sandbox = no\n'; } >"$W/cpu-nosb.conf"
	chmod 0640 "$W/cpu-nosb.conf"
	laurel_conf "$W/laurel-cpu.toml" "$W/lau-cpu"
	chmod 0640 "$W/laurel-cpu.toml"
	say "== cpu: real auditd, $CPU_RATE execs/s of /bin/true for $CPU_SECONDS s from a pod-like cgroup (waiting for $LOCK)"
	exec {lockfd}>"$LOCK"
	flock "$lockfd"
	PODCG_SPAWN_OUT=$W/loadgen-p2p.out cpu_run pid2pod "$BIN" "-c $W/cpu.conf"
	((SB_COMPARE)) && PODCG_SPAWN_OUT=$W/loadgen-nosb.out cpu_run pid2pod-nosb "$BIN" "-c $W/cpu-nosb.conf"
	PODCG_SPAWN_OUT=$W/loadgen-laurel.out cpu_run laurel "$LAUREL" "--config $W/laurel-cpu.toml"
	flock -u "$lockfd"
	exec {lockfd}>&-
	say "load: pid2pod run: $(cat "$W/loadgen-p2p.out" 2>/dev/null); laurel run: $(cat "$W/loadgen-laurel.out" 2>/dev/null)"
	np=$(grep -a -c 'key="p2p_bench"' "$W/cpu-p2p.out" 2>/dev/null)
	nl=$(cat "$W"/lau-cpu/audit.log* 2>/dev/null | grep -a -c '"key":"p2p_bench"')
	say "records: pid2pod wrote $np execve SYSCALL records ($(grep -a 'key="p2p_bench"' "$W/cpu-p2p.out" 2>/dev/null | grep -c ' k8s_pod="web-0-abcde"') named web-0-abcde); laurel $nl events"
	# per exec delivered, so runs whose load generator fell behind compare
	awk -v np="${np:-0}" -v nl="${nl:-0}" '{ cpu[$1] = $2 / $3; sw[$1] = $4 } END {
		printf "plugin CPU (utime+stime): pid2pod %.2f s, laurel %.2f s\n", cpu["pid2pod"], cpu["laurel"]
		printf "plugin context switches: pid2pod %d, laurel %d\n", sw["pid2pod"], sw["laurel"]
		if ("pid2pod-nosb" in cpu) printf "sandbox = no: pid2pod %.2f s of CPU, %d context switches (load: see loadgen-nosb)\n", cpu["pid2pod-nosb"], sw["pid2pod-nosb"]
		if (np > 0 && nl > 0) {
			a = cpu["pid2pod"] / np * 1000; b = cpu["laurel"] / nl * 1000
			printf "per 1,000 execs delivered: pid2pod %.3f s, laurel %.3f s of CPU; %.0f and %.0f context switches\n", a, b, sw["pid2pod"] / np * 1000, sw["laurel"] / nl * 1000
			printf "target: %-52s %8.2f  %s\n", "pid2pod CPU / LAUREL CPU per exec (<= 0.5)", a / b, a / b <= 0.5 ? "met" : "MISSED" } }' "$W/cpu"
}

say "bench: $(uname -r), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); laurel $LAUREL_VERSION"
setup_pods
part stream && part_stream
part scale && part_scale
part cpu && part_cpu
exit 0
