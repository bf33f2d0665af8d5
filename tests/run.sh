#!/usr/bin/env bash
# tests/run.sh - run every test and print the closing "N passed, N failed" line.
#
# Unit tests are the programs $B/tests/test_*; integration tests are the
# scripts tests/integration/test_*.sh (run one at a time: several use the one
# auditd a kernel allows).  Each prints "ok - ", "not ok - " and "skip - "
# lines; a program that exits non-zero without a "not ok" line counts as one
# failure.  TESTS="pattern ..." runs only the tests whose names match.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
LOG_DIR=$B/test-logs
mkdir -p "$LOG_DIR"
passed=0 failed=0 skipped=0
failed_names=()

selected() {
	[ -z "${TESTS:-}" ] && return 0
	local t
	for t in $TESTS; do
		case "$1" in *"$t"*) return 0 ;; esac
	done
	return 1
}

run_one() {
	local name=$1; shift
	local log=$LOG_DIR/$name.log rc start end p f s
	selected "$name" || return 0
	start=$(date +%s.%N)
	"$@" >"$log" 2>&1 </dev/null
	rc=$?
	end=$(date +%s.%N)
	p=$(grep -c '^ok - ' "$log")
	f=$(grep -c '^not ok - ' "$log")
	s=$(grep -c '^skip - ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name: exited $rc without a failing case" >>"$log"
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	printf '%-40s %4d ok %3d failed %3d skipped  %5.1fs\n' "$name" "$p" "$f" "$s" \
		"$(awk -v a="$start" -v b="$end" 'BEGIN{print b-a}')"
	grep -E '^(not ok|skip) - ' "$log" | sed 's/^/    /'
	[ "$f" -gt 0 ] && failed_names+=("$name")
	return 0
}

for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	run_one "$(basename "$t")" "$t"
done
for t in "$B"/fuzz-replay/fuzz_*; do
	[ -x "$t" ] || continue
	n=${t##*/fuzz_}
	run_one "replay_fuzz_$n" "$t" "fuzz/seeds/$n" "fuzz/corpus/$n"
done
# Integration tests own the machine's one auditd, /dev/log and the cgroup
# trees they make: each runs holding the lock CI's stages share, so two
# runs at once (two work trees, or .ci/packages.sh) take turns; -o keeps
# the lock's fd from the daemons a test starts.
LOCK=${P2P_LOCK:-/tmp/p2p-auditd.lock}
for t in tests/lint/test_*.sh tests/integration/test_*.sh tests/adversarial/test_*.sh tests/tools/test_*.sh; do
	[ -f "$t" ] || continue
	run_one "$(basename "$t" .sh)" flock -o "$LOCK" env B="$B" bash "$t"
done

if [ ${#failed_names[@]} -gt 0 ]; then
	echo "failed: ${failed_names[*]} (logs in $LOG_DIR)"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
