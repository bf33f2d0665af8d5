#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_stream.sh - 200,000 generated events through the real binary with a
# fake proc tree: records out == records in (EOE aside), order kept, every
# record byte-identical once the inserted fields are removed, the right
# fields for every pid (checked by tests/tools/verify.py, an independent
# implementation of the contract), ausearch reads the output; the same for
# JSON (each 5th record's fields against tests/tools/fieldsref.py); an
# overload stream with incomplete events; interleaving, foreign nodes and
# "pid=" traps inside quoted values throughout.
set -u
. "$(dirname "$0")/../lib/common.sh"
R=$(t_repo_root)
BIN=$R/${B:-build}/audisp-pid2pod
T=$R/tests/tools
PY=/usr/bin/python3
W=$(t_workdir)
EVENTS=${P2P_STREAM_EVENTS:-200000}
NODE=node-a.example.com

$PY "$T/mkproctree.py" "$W/proc" --pods 60 --containers-per-pod 2 \
	--pids-per-container 4 --host-pids 120 --missing 25 --empty 5 \
	>/dev/null 2>"$W/mk.err" || t_fail "mkproctree" "$(cat "$W/mk.err")"

gen() { # gen OUT [genstream options]
	local out=$1; shift
	$PY "$T/genstream.py" --events "$EVENTS" --pids "$W/proc.pids" \
		--interleave 8 --node "$NODE" --foreign-node-pct 5 --traps 5 \
		"$@" -o "$out"
}
conf() { # conf NAME FORMAT
	printf 'output = stdout\noutput_format = %s\nproc_root = %s/proc\nnode_name = %s\nproc_connector = no\n' \
		"$2" "$W" "${NODE%%.*}" > "$W/$1.conf"
	chmod 0640 "$W/$1.conf"
}
verify() { # verify NAME IN OUT FORMAT
	if $PY "$T/verify.py" --strict --input "$2" --output "$3" --expect "$W/proc.expect.json" \
		--node-name "$NODE" --format "$4" --fields-every 5 > "$W/$1.verify" 2>&1; then
		t_ok "$1: $(grep -m1 -o 'lines_in=[0-9]* .*lines_out=[0-9]*' "$W/$1.verify" || tail -1 "$W/$1.verify")"
	else
		t_fail "$1" "$(head -c 1500 "$W/$1.verify" | tr '\n' ';')"
	fi
}

gen "$W/clean.log" --seed 7
conf text text
conf json json
t_log "stream: $(wc -l < "$W/clean.log") lines, $EVENTS events"

# text
"${T_WRAP[@]}" "$BIN" -c "$W/text.conf" < "$W/clean.log" > "$W/clean.out" 2>"$W/text.err"
t_check "text: exit 0" test $? -eq 0
verify "text: 200k events verified" "$W/clean.log" "$W/clean.out" text
n_in=$(grep -a -c -v '^\(node=[^ ]* \)\?type=EOE ' "$W/clean.log")
n_out=$(wc -l < "$W/clean.out")
[ "$n_in" -eq "$n_out" ] && t_ok "text: records out ($n_out) == records in without EOE" ||
	t_fail "text: record count" "in=$n_in out=$n_out"

# ausearch reads our output and shows the fields (interpreted mode)
pid=$($PY -c '
import json,sys
m=json.load(open(sys.argv[1]))
for p,v in m.items():
    if v.get("state")=="container" and v.get("pod_uid"):
        print(p, v["container_id"], v["pod_uid"]); break' "$W/proc.expect.json")
set -- $pid
if [ $# -eq 3 ]; then
	ausearch -if "$W/clean.out" -i -p "$1" 2>/dev/null > "$W/ausearch.out"
	grep -q "container_id=\"$2\"" "$W/ausearch.out" && grep -q "k8s_pod_id=\"$3\"" "$W/ausearch.out" &&
		t_ok "ausearch -i shows container_id and k8s_pod_id for pid $1" ||
		t_fail "ausearch reads the fields" "pid=$1 $(head -c 400 "$W/ausearch.out")"
	# and the raw records survived: ausearch finds as many events for the pid
	# in our output as in the input
	a=$(ausearch -if "$W/clean.log" -p "$1" --raw 2>/dev/null | grep -c 'type=SYSCALL')
	b=$(ausearch -if "$W/clean.out" -p "$1" --raw 2>/dev/null | grep -c 'type=SYSCALL')
	[ "$a" -gt 0 ] && [ "$a" -eq "$b" ] && t_ok "ausearch finds the same $a SYSCALL records for pid $1" ||
		t_fail "ausearch record count" "in=$a out=$b"
else
	t_fail "pick a container pid" "expect map has none"
fi

# JSON
"${T_WRAP[@]}" "$BIN" -c "$W/json.conf" < "$W/clean.log" > "$W/clean.json" 2>"$W/json.err"
t_check "json: exit 0" test $? -eq 0
verify "json: 200k events verified" "$W/clean.log" "$W/clean.json" json
$PY - "$W/clean.json" <<'PYEOF' && t_ok "json: every line parses; events carry node, time, serial, records" || t_fail "json: shape" "see above"
import json, sys
n = 0
for line in open(sys.argv[1], 'rb'):
    o = json.loads(line)
    assert isinstance(o["serial"], int) and o["records"], o
    assert "." in o["time"] and o["node"], o
    n += 1
print("# json events:", n, file=sys.stderr)
PYEOF

# overload: 14% of events lose a record (EOE, SYSCALL or a middle one)
gen "$W/over.log" --seed 8 --incomplete 14
"${T_WRAP[@]}" "$BIN" -c "$W/text.conf" < "$W/over.log" > "$W/over.out"
verify "overload text: incomplete events, nothing lost" "$W/over.log" "$W/over.out" text
"${T_WRAP[@]}" "$BIN" -c "$W/json.conf" < "$W/over.log" > "$W/over.json"
verify "overload json: incomplete events closed by timeout or EOF" "$W/over.log" "$W/over.json" json

# raw format (no 0x1D tails): fields at the end of the line
gen "$W/raw.log" --seed 9 --format raw
"${T_WRAP[@]}" "$BIN" -c "$W/text.conf" < "$W/raw.log" > "$W/raw.out"
verify "raw log_format" "$W/raw.log" "$W/raw.out" text
t_done
