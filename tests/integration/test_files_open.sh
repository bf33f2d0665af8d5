#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_files_open.sh - the files the plugin writes as root cannot be turned
# against the node.  In a 0777 directory (fs.protected_symlinks does not
# cover a directory without the sticky bit) nobody plants:
#   - a symlink at output_file to a root-only file: the plugin refuses to
#     start, the file is untouched;
#   - a symlink at log_file: refused with a warning, the file untouched,
#     the records still flow;
#   - a FIFO at output_file: refused at once (not blocked on an open nobody
#     reads);
#   - a FIFO at metrics_file.tmp, the temporary name main used: the metrics
#     file is still written (mkstemp names its own) and records flow.
set -u -o pipefail
. "$(dirname "$0")/../lib/common.sh"
R=$(t_repo_root)
BIN=$R/${B:-build}/audisp-pid2pod
W=$(t_workdir)
D=$R/tests/data/demo
NOBODY=65534

mkdir "$W/open" && chmod 0777 "$W/open"
printf 'root only\n' > "$W/secret" && chmod 0600 "$W/secret"
sum() { sha256sum < "$W/secret"; }
before=$(sum)
conf() { # NAME extra-lines...
	local n=$1
	shift
	{
		printf 'proc_root = %s/proc\nproc_connector = no\n' "$D"
		printf 'runtime_state_dirs = %s/containerd %s/crio\n' "$D" "$D"
		printf '%s\n' "$@"
	} > "$W/$n.conf"
	chmod 0640 "$W/$n.conf"
}
# run NAME: the plugin on the demo records, at most 10 s; sets rc
run() {
	rc=0
	timeout -k 2 10 "${T_WRAP[@]}" "$BIN" -d -c "$W/$1.conf" < "$D/records.log" \
		> "$W/$1.out" 2> "$W/$1.err" || rc=$?
}

# --- output_file: a planted symlink -----------------------------------------
ln -s "$W/secret" "$W/open/out.log" && chown -h $NOBODY "$W/open/out.log"
conf out-link "output = file" "output_file = $W/open/out.log"
run out-link
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ "$(sum)" = "$before" ] &&
	grep -q "start-up: Too many levels of symbolic links" "$W/out-link.err" &&
	t_ok "output_file: a planted symlink is refused (exit $rc), the root-only file untouched" ||
	t_fail "output_file: a planted symlink" "rc=$rc secret $( [ "$(sum)" = "$before" ] && echo untouched || echo WRITTEN) $(tail -1 "$W/out-link.err")"

# --- log_file: a planted symlink ---------------------------------------------
ln -s "$W/secret" "$W/open/p.log" && chown -h $NOBODY "$W/open/p.log"
conf log-link "output = stdout" "log_file = $W/open/p.log"
run log-link
[ "$rc" -eq 0 ] && [ "$(sum)" = "$before" ] && [ "$(wc -l < "$W/log-link.out")" -eq 22 ] &&
	grep -q "log_file $W/open/p.log: Too many levels of symbolic links" "$W/log-link.err" &&
	t_ok "log_file: a planted symlink is refused with a warning, the file untouched, 22 records out" ||
	t_fail "log_file: a planted symlink" "rc=$rc secret $( [ "$(sum)" = "$before" ] && echo untouched || echo WRITTEN) $(grep log_file "$W/log-link.err" | tail -1)"

# --- output_file: a FIFO nobody reads ----------------------------------------
mkfifo "$W/open/fifo.log"
conf out-fifo "output = file" "output_file = $W/open/fifo.log"
t0=$(t_now_ms)
run out-fifo
t1=$(t_now_ms)
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ $((t1 - t0)) -lt 5000 ] &&
	t_ok "output_file: a FIFO is refused at once (exit $rc in $((t1 - t0)) ms), not waited on" ||
	t_fail "output_file: a FIFO" "rc=$rc (124: hung until killed) after $((t1 - t0)) ms $(tail -1 "$W/out-fifo.err")"

# --- metrics_file: a FIFO at the old temporary name ---------------------------
mkfifo "$W/open/m.prom.tmp"
conf metrics "output = stdout" "metrics_file = $W/open/m.prom" "metrics_interval = 1"
run metrics
[ "$rc" -eq 0 ] && [ "$(wc -l < "$W/metrics.out")" -eq 22 ] &&
	grep -qx "pid2pod_lines_out_total 22" "$W/open/m.prom" && [ -p "$W/open/m.prom.tmp" ] &&
	[ "$(stat -c %a "$W/open/m.prom")" = 644 ] &&
	[ -z "$(find "$W/open" -name 'm.prom.??????')" ] &&
	t_ok "metrics_file: a FIFO planted at <file>.tmp changes nothing: 22 records, the file written (0644), no temporary left" ||
	t_fail "metrics_file: a FIFO at <file>.tmp" "rc=$rc (124: hung) out=$(wc -l < "$W/metrics.out") $(head -c 300 "$W/open/m.prom" 2>&1)"
t_done
