#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_faults.sh - bad input and a bad environment lose nothing: garbage,
# NUL bytes and overlong lines mixed into valid records; SIGTERM while
# records are buffered; SIGHUP during a stream; output blocked (the reader
# stopped) with overflow_action = block and drop; syslog with no daemon.
set -u
. "$(dirname "$0")/../lib/common.sh"
R=$(t_repo_root)
BIN=$R/${B:-build}/audisp-pid2pod
T=$R/tests/tools
PY=/usr/bin/python3
W=$(t_workdir)
EVENTS=${P2P_FAULTS_EVENTS:-20000}   # the main stream (smaller under valgrind)
export BLOCK_S=${P2P_FAULTS_BLOCK_S:-2.0} # how long the reader stops (longer under valgrind)

$PY "$T/mkproctree.py" "$W/proc" --pods 10 --host-pids 20 --missing 5 >/dev/null 2>&1
$PY "$T/genstream.py" --events "$EVENTS" --pids "$W/proc.pids" --interleave 4 \
	--seed 3 -o "$W/good.log" 2>/dev/null
mkconf() { # NAME [extra lines]
	local n=$1; shift
	{ printf 'output = stdout\nproc_root = %s/proc\nproc_connector = no\n' "$W"; printf '%s\n' "$@"; } > "$W/$n.conf"
	chmod 0640 "$W/$n.conf"
}
mkconf text
mkconf small 'queue_max_bytes = 256K'
mkconf drop 'queue_max_bytes = 256K' 'overflow_action = drop'

# --- malformed lines among good ones -------------------------------------
$PY - "$W/good.log" "$W/mixed.log" "$W/mixed.idx" <<'PYEOF'
import random, sys
random.seed(5)
good = open(sys.argv[1], 'rb').read().splitlines()
bad = [b'garbage without a header', b'type=SYSCALL msg=audit(17', b'\x00\x00\x00',
       b'type=SYSCALL msg=audit(1.0:1): pid=1 comm="a\x00b"', b'x' * 20000,
       bytes(random.randrange(1, 256) for _ in range(300)).replace(b'\n', b' '),
       b'type=PATH msg=audit(1.0:2): name=' + b'A' * 9000, b'']
out, idx = [], []
for i, l in enumerate(good):
    if i % 97 == 5:
        b = bad[(i // 97) % len(bad)]
        idx.append(len(out)); out.append(b)
    out.append(l)
open(sys.argv[2], 'wb').write(b'\n'.join(out) + b'\n')
open(sys.argv[3], 'w').write(' '.join(map(str, idx)))
PYEOF
"${T_WRAP[@]}" "$BIN" -c "$W/text.conf" < "$W/mixed.log" > "$W/mixed.out"; rc=$?
t_check "malformed mix: exit 0" test $rc -eq 0
$PY - "$W/mixed.log" "$W/mixed.out" "$W/mixed.idx" <<'PYEOF' && t_ok "malformed mix: every line out once, in order, neighbours intact, bad ones marked" || t_fail "malformed mix" "see stderr"
import re, sys
inp = open(sys.argv[1], 'rb').read().split(b'\n')[:-1]
out = open(sys.argv[2], 'rb').read().split(b'\n')[:-1]
bad = set(map(int, open(sys.argv[3]).read().split()))
fields = re.compile(rb' (o?(container_id|k8s_[a-z0-9_]+))=("[^"]*"|[0-9A-F]+|\?)')
inp_noeoe = [(i, l) for i, l in enumerate(inp) if not l.startswith(b'type=EOE ')]
assert len(inp_noeoe) == len(out), (len(inp_noeoe), len(out))
marked = 0
for (i, a), b in zip(inp_noeoe, out):
    assert len(b) + 1 <= 8969 or b == a, ("long", i, len(b))
    if i in bad and (b'\x00' in a or len(a) + 1 > 8970):
        assert b'pid2pod_malformed=' in b, (i, b[:80])
        assert b'\x00' not in b
        marked += 1
    elif i in bad:
        assert b == a, (i, a[:60], b[:60])   # garbage passes unchanged
    else:
        assert fields.sub(b'', b) == a, (i, a[:80], b[:80])
print("# %d lines, %d bad, %d marked" % (len(out), len(bad), marked), file=sys.stderr)
PYEOF

# --- SIGTERM with records buffered: all of them come out ---------------
# stdin stays open (no EOF) and stdout is not read until after the signal,
# so the records sit in the plugin's queue when SIGTERM arrives.
$PY "$T/genstream.py" --events 2000 --pids "$W/proc.pids" --seed 4 -o "$W/small.log" 2>/dev/null
$PY - "$BIN" "$W/text.conf" "$W/small.log" "$W/term.out" <<'PYEOF'
import os, shlex, signal, subprocess, sys, time
binp, conf, inp, outp = sys.argv[1:5]
p = subprocess.Popen(shlex.split(os.environ.get("P2P_WRAP", "")) + [binp, "-c", conf], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
p.stdin.write(open(inp, 'rb').read()); p.stdin.flush()
time.sleep(0.5)
p.send_signal(signal.SIGTERM)
time.sleep(0.5)                     # still nobody reads: it must wait
out = p.stdout.read()
p.wait()
open(outp, 'wb').write(out)
sys.exit(p.returncode)
PYEOF
rc=$?
t_check "SIGTERM: exit 0" test $rc -eq 0
$PY "$T/verify.py" --strict --input "$W/small.log" --output "$W/term.out" \
	--expect "$W/proc.expect.json" > "$W/term.verify" 2>&1 &&
	t_ok "SIGTERM: every buffered record written, in order" ||
	t_fail "SIGTERM drain" "$(head -c 800 "$W/term.verify")"

# --- SIGHUP during a stream: nothing lost, nothing reordered ------------
# every other SIGHUP comes with a changed (valid) config, which rebuilds the
# queue and the pipeline; the others only reopen the output.
mkconf hup
mkfifo "$W/hup.fifo"
"${T_WRAP[@]}" "$BIN" -d -c "$W/hup.conf" < "$W/hup.fifo" > "$W/hup.out" 2>"$W/hup.err" &
hp=$!
split -l $((EVENTS * 3 / 10)) "$W/good.log" "$W/part."
{
	n=0
	for p in "$W"/part.*; do
		cat "$p"
		n=$((n + 1))
		[ $((n % 2)) -eq 0 ] && mkconf hup "queue_max_bytes = $((512 + n))K"
		kill -HUP "$hp" 2>/dev/null
		sleep 0.05
	done
} > "$W/hup.fifo"
wait "$hp"; rc=$?
t_check "SIGHUP during stream: exit 0" test $rc -eq 0
$PY "$T/verify.py" --strict --input "$W/good.log" --output "$W/hup.out" \
	--expect "$W/proc.expect.json" > "$W/hup.verify" 2>&1 &&
	t_ok "SIGHUP during stream: output verified" ||
	t_fail "SIGHUP during stream" "$(head -c 800 "$W/hup.verify")"
r=$(grep -c "new configuration loaded" "$W/hup.err"); u=$(grep -c "configuration unchanged" "$W/hup.err")
[ "$r" -ge 3 ] && [ "$u" -ge 3 ] && t_ok "SIGHUP: $r rebuilds and $u reopens happened mid-stream" ||
	t_fail "SIGHUP: reloads happened" "rebuilds=$r reopens=$u"

# --- output blocked: the reader stops; block mode loses nothing --------
# A python reader that pauses 2 s before reading; the plugin must keep
# draining stdin into its queue up to queue_max_bytes, then stop reading.
blocked_run() { # CONF OUT -> prints "writer_done_before_reader_started" 0/1
	$PY - "$BIN" "$1" "$W/good.log" "$2" <<'PYEOF'
import os, shlex, subprocess, sys, threading, time
binp, conf, inp, outp = sys.argv[1:5]
p = subprocess.Popen(shlex.split(os.environ.get("P2P_WRAP", "")) + [binp, "-c", conf], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
data = open(inp, 'rb').read()
fed = [0]
def feed():
    for i in range(0, len(data), 65536):
        p.stdin.write(data[i:i+65536]); fed[0] = i
    p.stdin.close()
t = threading.Thread(target=feed); t.start()
time.sleep(float(os.environ["BLOCK_S"]))  # nobody reads stdout meanwhile
fed_while_blocked = fed[0]
out = p.stdout.read()
t.join(); p.wait()
open(outp, 'wb').write(out)
print(fed_while_blocked, len(data), p.returncode)
PYEOF
}
set -- $(blocked_run "$W/small.conf" "$W/block.out")
if [ $# -eq 3 ] && [ "$3" -eq 0 ]; then
	# it read ahead (well past the pipe buffers) but not everything
	[ "$1" -gt 300000 ] && [ "$1" -lt "$2" ] &&
		t_ok "block: kept reading into the queue while output was stuck, then stopped ($1 of $2 bytes)" ||
		t_fail "block: read-ahead bounded" "fed=$1 of $2"
	$PY "$T/verify.py" --strict --input "$W/good.log" --output "$W/block.out" \
		--expect "$W/proc.expect.json" > "$W/block.verify" 2>&1 &&
		t_ok "block: every record out, in order" ||
		t_fail "block: verify" "$(head -c 800 "$W/block.verify")"
else
	t_fail "block run" "$*"
fi

# drop mode: stdin keeps flowing; what did not fit is counted and logged
set -- $(blocked_run "$W/drop.conf" "$W/drop.out")
if [ $# -eq 3 ] && [ "$3" -eq 0 ]; then
	[ "$1" -ge $(( $2 - 65536 )) ] && t_ok "drop: stdin never stopped" ||
		t_fail "drop: stdin kept flowing" "fed=$1 of $2"
	got=$(wc -l < "$W/drop.out")
	want=$(grep -a -c -v '^type=EOE ' "$W/good.log")
	[ "$got" -lt "$want" ] && [ "$got" -gt 0 ] && t_ok "drop: $((want - got)) of $want records dropped" ||
		t_fail "drop: some dropped" "got=$got want=$want"
else
	t_fail "drop run" "$*"
fi
"${T_WRAP[@]}" "$BIN" -d -c "$W/drop.conf" < "$W/good.log" 2>"$W/drop.err" | { sleep 1.5; cat > /dev/null; }
grep -q "queue full" "$W/drop.err" && grep -q "dropped=[1-9]" "$W/drop.err" &&
	t_ok "drop: logged and counted" || t_fail "drop: logged" "$(tail -3 "$W/drop.err")"

# --- syslog with no daemon: records are counted as lost, and it says so --
printf 'output = syslog\nsyslog_socket = %s/no-such-log\nproc_root = %s/proc\nproc_connector = no\n' "$W" "$W" > "$W/sys.conf"; chmod 0640 "$W/sys.conf"
"${T_WRAP[@]}" "$BIN" -d -c "$W/sys.conf" < "$W/good.log" 2>"$W/sys.err"; rc=$?
want=$(grep -a -c -v '^type=EOE ' "$W/good.log")
[ $rc -eq 0 ] && grep -q "records are being lost" "$W/sys.err" &&
	grep -qE "syslog_failed=$want( |$)" "$W/sys.err" &&
	t_ok "syslog without a daemon: all $want counted as lost and reported" ||
	t_fail "syslog without a daemon" "rc=$rc $(tail -3 "$W/sys.err")"
t_done
