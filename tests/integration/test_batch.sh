#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_batch.sh - batch_ms: after a small read stdin rests, so records that
# trickle in are taken many to a read; nothing is lost, reordered or held
# past the rest.  The same trickle (one event per write, 2 ms apart, through
# a FIFO) is fed with batch_ms = 0 and 20: both outputs are the records in,
# byte for byte the same; with 20 the reads (input_reads) are far fewer.
# With batch_ms = 100 a lone record still comes out once its rest is over.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/plugin.sh"
R=$(t_repo_root)
BIN=$R/${B:-build}/audisp-pid2pod
T=$R/tests/tools
PY=/usr/bin/python3
W=$(t_workdir)
EVENTS=${P2P_BATCH_EVENTS:-300}

$PY "$T/mkproctree.py" "$W/proc" --pods 5 --host-pids 10 >/dev/null 2>"$W/mk.err" ||
	t_fail "mkproctree" "$(cat "$W/mk.err")"
$PY "$T/genstream.py" --events "$EVENTS" --pids "$W/proc.pids" --seed 3 \
	-o "$W/in.log" 2>"$W/gen.err" || t_fail "genstream" "$(cat "$W/gen.err")"

conf() { # conf NAME BATCH_MS
	printf 'output = stdout\nproc_connector = no\nproc_root = %s/proc\nbatch_ms = %s\nmetrics_file = %s/%s.prom\n' \
		"$W" "$2" "$W" "$1" >"$W/$1.conf"
	chmod 0640 "$W/$1.conf"
}
counter() { # counter NAME KEY: from the metrics file written at exit
	sed -n "s/^pid2pod_$2_total \([0-9]*\)$/\1/p" "$W/$1.prom"
}

# trickle: one event per write, 2 ms apart (events end at their EOE line)
trickle() {
	$PY - "$W/in.log" <<'EOF'
import os, sys, time
ev = []
with open(sys.argv[1], 'rb') as f:
    for line in f:
        ev.append(line)
        if b'type=EOE ' in line:
            os.write(3, b''.join(ev)); ev = []; time.sleep(0.002)
if ev:
    os.write(3, b''.join(ev))
EOF
}

n_in=$(grep -a -c -v 'type=EOE ' "$W/in.log")
for b in 0 20; do
	conf "b$b" "$b"
	plugin_fifo_start "$BIN" "$W/b$b.conf" "$W/b$b.out"
	trickle
	plugin_finish 20000
	t_check "batch_ms = $b: exit 0" test $? -eq 0
	n_out=$(wc -l <"$W/b$b.out")
	[ "$n_out" -eq "$n_in" ] && t_ok "batch_ms = $b: records out ($n_out) == records in" ||
		t_fail "batch_ms = $b: record count" "in=$n_in out=$n_out"
done
cmp -s "$W/b0.out" "$W/b20.out" && t_ok "batch_ms = 20: the same output, byte for byte, in the same order" ||
	t_fail "batch_ms = 20: output differs" "$(diff "$W/b0.out" "$W/b20.out" | head -5 | tr '\n' ';')"
r0=$(counter b0 input_reads)
r20=$(counter b20 input_reads)
t_log "input_reads: batch_ms = 0: $r0, batch_ms = 20: $r20 ($EVENTS events, 2 ms apart)"
if [[ -n $r0 && -n $r20 ]] && ((r20 > 0 && r20 * 3 < r0)); then
	t_ok "batch_ms = 20: a third of the reads or fewer ($r20 against $r0)"
else
	t_fail "batch_ms = 20: reads" "batch_ms = 0: '$r0', batch_ms = 20: '$r20'"
fi

# a lone record after a rest has begun: out once the rest is over
conf lone 100
plugin_fifo_start "$BIN" "$W/lone.conf" "$W/lone.out"
head -n 1 "$W/in.log" >&3
t_wait_for 5000 test -s "$W/lone.out"
sed -n 2p "$W/in.log" >&3
if t_wait_for 5000 sh -c "[ \$(wc -l <'$W/lone.out') -eq 2 ]"; then
	t_ok "batch_ms = 100: a lone record comes out with the FIFO still open"
else
	t_fail "batch_ms = 100: lone record" "$(wc -l <"$W/lone.out") lines out of 2"
fi
plugin_finish 20000
t_check "batch_ms = 100: exit 0" test $? -eq 0
t_done
