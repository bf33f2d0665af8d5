#!/usr/bin/env bash
# .ci/valgrind.sh - the integration tests that run the plugin, once, with the
# plugin under valgrind (memcheck): no errors and no definite or indirect
# leaks in any run.  The tests honour P2P_WRAP (tests/lib/common.sh): the
# words put before the plugin binary wherever they start it; for a plugin
# auditd starts, a root-owned 0750 wrapper script is the plugin path (auditd
# passes an empty environment).  Valgrind makes the plugin ~20-50x slower,
# so the tests run with smaller streams and slower feeds (the P2P_* sizes
# below), or auditd and the feeders would outrun it.  Each valgrind run
# writes its own log (%p: its pid); the stage fails when a test fails or a
# log reports an error or a leak.
#   B           build dir (default build/valgrind)
#   VG_LOG_DIR  where the logs go (default /tmp/p2p-valgrind, emptied first)
#   VG_TESTS    the tests to run (names of tests/integration/*.sh)
set -uo pipefail
cd "$(dirname "$0")/.."
B=${B:-build/valgrind}
VG=${VG_LOG_DIR:-/tmp/p2p-valgrind}
# the integration tests (tests/integration/NAME.sh) that run the plugin;
# test_kubelet_faults is left out: its fault windows (1.5 s) are shorter
# than the plugin's start under valgrind
VG_TESTS=${VG_TESTS:-"test_stream test_faults test_kubelet test_kubelet_auditd test_auditd test_resilience"}

command -v valgrind >/dev/null || {
	echo "valgrind.sh: valgrind is not installed (apt-get install valgrind)" >&2
	exit 1
}
rm -rf "$VG"
mkdir -p "$VG"
chmod 0755 "$VG"

export P2P_WRAP="valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --num-callers=30 --log-file=$VG/vg.%p.log"
# sizes and rates a plugin under valgrind keeps up with
export P2P_STREAM_EVENTS=${P2P_STREAM_EVENTS:-4000}
export P2P_FAULTS_EVENTS=${P2P_FAULTS_EVENTS:-4000} P2P_FAULTS_BLOCK_S=${P2P_FAULTS_BLOCK_S:-6}
export P2P_RES_HUP_EVENTS=${P2P_RES_HUP_EVENTS:-8000} P2P_RES_HUP_COUNT=${P2P_RES_HUP_COUNT:-20}
export P2P_RES_HUP_GAP=${P2P_RES_HUP_GAP:-0.2}
export P2P_RES_BLOCK_RATE=${P2P_RES_BLOCK_RATE:-1000} P2P_RES_BLOCK_QUEUE_KB=${P2P_RES_BLOCK_QUEUE_KB:-256}
export P2P_RES_BLOCK_MS=${P2P_RES_BLOCK_MS:-4000} P2P_RES_BLOCK_FEED_S=${P2P_RES_BLOCK_FEED_S:-8}
export P2P_RES_KUBE_RATE=${P2P_RES_KUBE_RATE:-300} P2P_RES_KUBE_S=${P2P_RES_KUBE_S:-15}
export P2P_RES_PIDS=${P2P_RES_PIDS:-500} P2P_RES_PIDS_MIN_PCT=${P2P_RES_PIDS_MIN_PCT:-30}
export P2P_RES_GARBAGE_RECORDS=${P2P_RES_GARBAGE_RECORDS:-8000}

rc=0
make B="$B" all || exit 1
mkdir -p "$B/test-logs"
for t in $VG_TESTS; do
	log=$B/test-logs/valgrind-$t.log
	start=$(date +%s)
	B=$B bash "tests/integration/$t.sh" >"$log" 2>&1 </dev/null
	st=$?
	f=$(grep -c '^not ok - ' "$log")
	printf '%-28s %4d ok %3d failed  %4ss\n' "$t" "$(grep -c '^ok - ' "$log")" "$f" "$(($(date +%s) - start))"
	grep '^not ok - ' "$log" | sed 's/^/    /'
	((st == 0 && f == 0)) || rc=1
done

logs=("$VG"/vg.*.log)
if [[ ! -e ${logs[0]} ]]; then
	echo "valgrind.sh: no valgrind log in $VG: the wrapper was not used" >&2
	exit 1
fi
bad=0
for l in "${logs[@]}"; do
	if grep -qE 'ERROR SUMMARY: [1-9]|definitely lost: [1-9]|indirectly lost: [1-9]' "$l"; then
		echo "== $l"
		cat "$l"
		bad=$((bad + 1))
	fi
done
echo "valgrind: ${#logs[@]} plugin runs, $bad with errors or leaks (logs in $VG)"
((bad == 0)) || rc=1
exit "$rc"
