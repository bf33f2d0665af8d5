#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/run.sh - run every test and print the closing "N passed, N failed" line.
#
# Unit tests are the programs $B/tests/test_*; integration tests are the
# scripts tests/integration/test_*.sh (run one at a time: several use the one
# auditd a kernel allows).  Each prints "ok - ", "not ok - " and "skip - "
# lines (an "ok - ... # SKIP" line is a skip, never a pass).  A test fails
# by name when it exits non-zero without a "not ok" line, prints no result
# line at all, leaves no log, or runs past its timeout.  TESTS="pattern ..."
# runs only the tests whose names match.
#   P2P_TEST_TIMEOUT  seconds a test may run (default 300; times 5 when
#                     P2P_WRAP puts the plugin under valgrind, times 3 when
#                     the plugin is built with ASan); the wait for the
#                     integration lock is not counted
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
LOG_DIR=$B/test-logs
mkdir -p "$LOG_DIR"
passed=0 failed=0 skipped=0
failed_names=() skipped_names=()
TIMEOUT=${P2P_TEST_TIMEOUT:-300}
# slower builds: under valgrind (P2P_WRAP) 20-50x, with ASan 2-3x
if [ -n "${P2P_WRAP:-}" ]; then
	TIMEOUT=$((TIMEOUT * 5))
elif ldd "$B/audisp-pid2pod" 2>/dev/null | grep -q libasan; then
	TIMEOUT=$((TIMEOUT * 3))
fi
# after TERM, a test has this long to clean up before KILL
KILL_AFTER=30

selected() {
	[ -z "${TESTS:-}" ] && return 0
	local t
	for t in $TESTS; do
		case "$1" in *"$t"*) return 0 ;; esac
	done
	return 1
}

# run_one NAME CMD...: CMD holds "timeout" where the clock must start (after
# any lock), so its status 124 (TERM) or 137 (KILL after KILL_AFTER) is a
# timeout.
run_one() {
	local name=$1; shift
	local log=$LOG_DIR/$name.log rc start end secs p f s
	selected "$name" || return 0
	start=$(date +%s.%N)
	rm -f "$log"
	"$@" >"$log" 2>&1 </dev/null
	rc=$?
	end=$(date +%s.%N)
	if [ ! -f "$log" ]; then
		echo "not ok - $name: no log $log (status $rc)"
		failed=$((failed + 1))
		failed_names+=("$name")
		return 0
	fi
	p=$(grep -c '^ok - ' "$log") p=${p:-0}
	s=$(grep -cE '^skip - |^ok - .*# *SKIP' "$log") s=${s:-0}
	p=$((p - $(grep -cE '^ok - .*# *SKIP' "$log")))
	f=$(grep -c '^not ok - ' "$log") f=${f:-0}
	secs=$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.1f", b-a}')
	if { [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; } &&
		awk -v t="$secs" -v m="$TIMEOUT" 'BEGIN{exit !(t >= m)}'; then
		echo "not ok - $name: timed out after ${TIMEOUT}s (status $rc)" >>"$log"
		f=$((f + 1))
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name: exited $rc without a failing case" >>"$log"
		f=1
	elif [ $((p + f + s)) -eq 0 ]; then
		echo "not ok - $name: printed no ok, not ok or skip line" >>"$log"
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	printf '%-40s %4d ok %3d failed %3d skipped  %5.1fs\n' "$name" "$p" "$f" "$s" "$secs"
	grep -E '^(not ok|skip) - |^ok - .*# *SKIP' "$log" | sed 's/^/    /'
	[ "$f" -gt 0 ] && failed_names+=("$name")
	[ "$s" -gt 0 ] && skipped_names+=("$name ($s)")
	return 0
}

for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	run_one "$(basename "$t")" timeout -k "$KILL_AFTER" "$TIMEOUT" "$t"
done
for t in "$B"/fuzz-replay/fuzz_*; do
	[ -x "$t" ] || continue
	n=${t##*/fuzz_}
	run_one "replay_fuzz_$n" timeout -k "$KILL_AFTER" "$TIMEOUT" "$t" "fuzz/seeds/$n" "fuzz/corpus/$n"
done
# Integration tests own the machine's one auditd, /dev/log and the cgroup
# trees they make: each runs holding the lock CI's stages share, so two
# runs at once (two work trees, or .ci/packages.sh) take turns; -o keeps
# the lock's fd from the daemons a test starts.  The clock starts once the
# lock is held; timeout signals the test's process group, whose traps
# (tests/lib/common.sh) stop what it started.
LOCK=${P2P_LOCK:-/tmp/p2p-auditd.lock}
for t in tests/lint/test_*.sh tests/integration/test_*.sh tests/adversarial/test_*.sh \
	tests/tools/test_*.sh; do
	[ -f "$t" ] || continue
	run_one "$(basename "$t" .sh)" flock -o "$LOCK" \
		timeout -k "$KILL_AFTER" "$TIMEOUT" env B="$B" bash "$t"
done

if [ ${#failed_names[@]} -gt 0 ]; then
	echo "failed: ${failed_names[*]} (logs in $LOG_DIR)"
fi
# the tests that skipped are named (a skip is never a pass) on their own
# line, so the closing line stays the plain 'N passed, N failed, N skipped'
# that CI reads
[ ${#skipped_names[@]} -gt 0 ] && echo "skipped in: ${skipped_names[*]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
