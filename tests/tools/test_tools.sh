#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test_tools.sh - self-test of the python test tools (genstream, mkproctree,
# verify, refenrich): a correct output must pass verify.py, and each kind of
# broken output must be rejected.  Prints "ok - ..." / "not ok - ..." lines;
# exits non-zero on any failure.  Needs only /usr/bin/python3 (stdlib).
set -u -o pipefail
T=$(cd "$(dirname "$0")" && pwd)
PY=${PYTHON:-/usr/bin/python3}
W=$(mktemp -d "${TMPDIR:-/tmp}/p2p-tools.XXXXXX")
trap 'rm -rf "$W"' EXIT
fail=0
ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; fail=1; }
NODE=node-a

# --- mkproctree -----------------------------------------------------------
if $PY "$T/mkproctree.py" "$W/proc" --pods 30 --containers-per-pod 2 \
	--pids-per-container 2 --host-pids 40 --missing 10 --empty 2 --seed 7 \
	2>"$W/mk.err" &&
	[ "$(wc -l <"$W/proc.pids")" -eq 172 ] &&
	[ "$(ls "$W/proc" | wc -l)" -eq 162 ] &&
	[ -z "$(find "$W/proc" -type f ! -name cgroup)" ]; then
	ok "mkproctree: 172 pids listed, 162 dirs (10 missing), only cgroup files"
else
	nok "mkproctree"; cat "$W/mk.err"
fi

V=${P2P_SHARED:-$(cd "$T/../.." && pwd)/../shared}/cgroup-vectors/vectors.jsonl
if [ -r "$V" ]; then
	if out=$($PY "$T/refenrich.py" --resolve-vectors "$V" 2>&1); then
		ok "refenrich resolver agrees with cgroup-vectors ($(echo "$out" | tail -1))"
	else
		nok "refenrich resolver vs cgroup-vectors"; echo "$out" | sed 's/^/# /'
	fi
else
	echo "skip - refenrich vs cgroup-vectors: $V not found"
fi

# Every pid mkproctree wrote resolves (by refenrich's independent resolver)
# to what its expect map says.
if PYTHONPATH="$T" $PY - "$W/proc" <<'EOF'
import json, sys
import refenrich
root = sys.argv[1]
exp = json.load(open(root + ".expect.json"))
r = refenrich.Resolver(root)
bad = 0
for pid, e in exp.items():
    got = r.lookup(int(pid))
    want = {"host": "host", "missing": "unknown"}.get(e["state"]) or (e["container_id"], e["pod_uid"])
    if got != want:
        bad += 1
        print("# pid %s (%s): resolver %r, expect %r" % (pid, e["layout"], got, want))
sys.exit(1 if bad else 0)
EOF
then
	ok "mkproctree expect map agrees with the reference resolver"
else
	nok "mkproctree expect map vs reference resolver"
fi

# --- genstream ------------------------------------------------------------
G="$PY $T/genstream.py --events 3000 --pids $W/proc.pids --interleave 8 --incomplete 5 --node $NODE --foreign-node-pct 10 --traps 10 --seed 11"
$G -o "$W/in.log" 2>/dev/null
$G -o "$W/in2.log" 2>/dev/null
if cmp -s "$W/in.log" "$W/in2.log"; then
	ok "genstream is deterministic for a seed"
else
	nok "genstream is not deterministic"
fi
if $PY - "$W/in.log" "$W/proc.pids" <<'EOF'
import re, sys
data = open(sys.argv[1], "rb").read().split(b"\n")[:-1]
pids = set(open(sys.argv[2], "rb").read().split())
hdr = re.compile(rb"msg=audit\((\d+\.\d+):(\d+)\)")
ts, errs = {}, []
for l in data:
    m = hdr.search(l)
    t, s = m.group(1), int(m.group(2))
    if ts.setdefault(s, t) != t:
        errs.append("serial %d has two timestamps" % s)
    for pm in re.finditer(rb"(?:^| )(?:pid|ppid|opid)=(\d+)", l.split(b"\x1d")[0]):
        if pm.group(1) not in pids:
            errs.append("pid %s not from the list" % pm.group(1))
order = sorted(ts)
if order != list(range(order[0], order[0] + len(order))):
    errs.append("serials are not consecutive")
tl = [ts[s] for s in order]
if tl != sorted(tl, key=float):
    errs.append("timestamps do not increase with the serial")
if len(order) != 3000:
    errs.append("%d events, expected 3000" % len(order))
if not any(b" type=EOE " in l for l in data):
    errs.append("no EOE")
if not any(l.startswith(b"node=worker-7 ") or l.startswith(b"node=edge-02.example ") for l in data):
    errs.append("no foreign-node records")
for e in errs[:5]:
    print("# " + e)
sys.exit(1 if errs else 0)
EOF
then
	ok "genstream: one timestamp per serial, increasing with it, pids from the list, 3000 events"
else
	nok "genstream stream invariants"
fi
$PY "$T/genstream.py" --events 500 --format raw --seed 3 -o "$W/raw.log" 2>/dev/null
if ! grep -q $'\x1d' "$W/raw.log" && [ -s "$W/raw.log" ]; then
	ok "genstream --format raw has no 0x1D"
else
	nok "genstream --format raw"
fi

# --- verify accepts a correct output --------------------------------------
VER="$PY $T/verify.py --strict --expect $W/proc.expect.json --node-name $NODE"
$PY "$T/refenrich.py" --proc-root "$W/proc" --node-name $NODE <"$W/in.log" >"$W/out.log"
if res=$($VER --input "$W/in.log" --output "$W/out.log"); then
	ok "verify accepts the reference output (${res#verify: })"
else
	nok "verify rejects the reference output"; echo "$res" | sed 's/^/# /'
fi

$PY "$T/genstream.py" --events 1500 --pids "$W/proc.pids" --format raw --interleave 4 \
	--traps 20 --seed 5 -o "$W/rawp.log" 2>/dev/null
$PY "$T/refenrich.py" --proc-root "$W/proc" <"$W/rawp.log" >"$W/rawp.out"
if res=$($PY "$T/verify.py" --strict --expect "$W/proc.expect.json" --input "$W/rawp.log" --output "$W/rawp.out"); then
	ok "verify accepts the reference output of a raw-format stream"
else
	nok "verify on raw format"; echo "$res" | sed 's/^/# /'
fi

# the unenriched stream (EOE removed) must be rejected: container pids lack fields
grep -av $'^\\(node=[^ ]* \\)\\?type=EOE' "$W/in.log" >"$W/plain.out"
if res=$($VER --input "$W/in.log" --output "$W/plain.out"); then
	nok "verify accepted an output without any fields"
else
	ok "verify rejects an output without any fields"
fi

# --- hand-made edge cases (tests/data/verify-edge.*) ----------------------
D=$T/../data
EV="$PY $T/verify.py --strict --expect $D/verify-edge.expect.json --node-name me --input $D/verify-edge.in"
if res=$($EV --output "$D/verify-edge.out"); then
	ok "verify accepts the hand-made edge cases (msg='...' rule, quoted pid= look-alikes, OBJ_PID, nodes)"
else
	nok "verify rejects the hand-made edge cases"; echo "$res" | sed 's/^/# /'
fi
mkdir -p "$W/edgeproc/100" "$W/edgeproc/200"
printf '0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0f0e0d0c_1111_4222_8333_444455556666.slice/cri-containerd-%s.scope\n' \
	"$(printf 'c%.0s' $(seq 64))" >"$W/edgeproc/100/cgroup"
echo '0::/system.slice/ssh.service' >"$W/edgeproc/200/cgroup"
$PY "$T/refenrich.py" --proc-root "$W/edgeproc" --node-name me <"$D/verify-edge.in" >"$W/edge.ref"
if cmp -s "$W/edge.ref" "$D/verify-edge.out"; then
	ok "refenrich reproduces the hand-made expected output byte for byte"
else
	nok "refenrich differs from tests/data/verify-edge.out"
fi
# ... and the plugin itself writes exactly that output over the same tree
BIN=$(cd "$T/../.." && pwd)/${B:-build}/audisp-pid2pod
if [ -x "$BIN" ]; then
	printf 'output = stdout\nproc_root = %s/edgeproc\nproc_connector = no\nnode_name = me\n' "$W" >"$W/edge.conf"
	printf 'runtime_state_dirs =\nkubelet_token_file =\n' >>"$W/edge.conf"
	chmod 0640 "$W/edge.conf"
	"$BIN" -c "$W/edge.conf" <"$D/verify-edge.in" >"$W/edge.plugin" 2>"$W/edge.err"
	rc=$?
	if [ $rc -eq 0 ] && cmp -s "$W/edge.plugin" "$D/verify-edge.out"; then
		ok "the plugin writes tests/data/verify-edge.out for verify-edge.in byte for byte"
	else
		nok "the plugin on verify-edge.in (exit $rc): $(cmp "$W/edge.plugin" "$D/verify-edge.out" 2>&1)"
		diff <(cat -A "$W/edge.plugin") <(cat -A "$D/verify-edge.out") | sed 's/^/# /' | head -20
		sed 's/^/# /' "$W/edge.err" | head -5
	fi
else
	nok "the plugin on verify-edge.in: $BIN not built"
fi
# edge_mut SERIAL EXPR WHAT: verify-edge.out with the line of SERIAL made
# EXPR (python, the line is l): verify must reject it
edge_mut() { # serial python-expression-on-l description
	$PY - "$D/verify-edge.out" "$W/edge.m" "$1" "$2" <<'XEOF'
import sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
for i, l in enumerate(lines):
    if (":%s): " % sys.argv[3]).encode() in l:
        lines[i] = eval(sys.argv[4])
open(sys.argv[2], "wb").write(b"\n".join(lines))
XEOF
	if cmp -s "$W/edge.m" "$D/verify-edge.out"; then
		nok "edge mutation changed nothing: $3"
	elif res=$($EV --output "$W/edge.m"); then
		nok "verify accepted $3"
	else
		ok "verify rejects $3"
	fi
}
edge_mut 18 'l[:l.index(b" container_id=")] + l[l.index(b" msg=\x27"):l.index(b"\x27 ") + 1] + l[l.index(b" container_id="):l.index(b" msg=\x27")] + l[l.index(b"\x27 ") + 1:]' \
	"user-record fields placed after msg='...' instead of before it"
# a forged pid= obeyed: the table names pid=100, given pid 100's container
edge_mut 27 'l.replace(b" container_id=?", b" container_id=\x22" + b"c" * 64 + b"\x22", 1)' \
	"a NETFILTER_CFG record given the pod of the pid= its table name forged"
# sealed records: a name left out (a forged one in the message would be the
# first auparse finds), and NETFILTER_CFG's fields after the raw table name
edge_mut 29 'l.replace(b" k8s_namespace=?", b"", 1)' "a sealed user record without k8s_namespace"
edge_mut 25 'l.replace(b" k8s_sa=?", b"", 1)' "an unresolved sender's sealed user record without k8s_sa"
edge_mut 29 'l.replace(b" k8s_workload_kind=?", b"", 1)' "a sealed user record without k8s_workload_kind"
edge_mut 27 'l.replace(b" k8s_workload=? k8s_workload_kind=?", b" k8s_workload_kind=? k8s_workload=?", 1)' \
	"a sealed NETFILTER_CFG record with k8s_workload_kind before k8s_workload"
edge_mut 27 'l[:l.index(b" container_id=")] + l[l.index(b" table="):l.index(b"\x1d")] + l[l.index(b" container_id="):l.index(b" table=")] + l[l.index(b"\x1d"):]' \
	"NETFILTER_CFG fields after the raw table name"
edge_mut 29 "l.replace(b' k8s_image=?', b' k8s_image=\"x\"', 1)" "a value where the seal says ? (--strict)"

# --- verify rejects broken outputs ----------------------------------------
reject() { # mode description [verify args...]
	local mode=$1 desc=$2
	shift 2
	$PY "$T/mutate.py" --input "$W/in.log" --output "$W/out.log" \
		--expect "$W/proc.expect.json" --node-name $NODE --mode "$mode" \
		>"$W/bad.$mode"
	local rc=$?
	if [ $rc -ne 0 ]; then
		nok "mutate $mode found no candidate (rc $rc)"; return
	fi
	if cmp -s "$W/bad.$mode" "$W/out.log"; then
		nok "mutate $mode changed nothing"; return
	fi
	res=$($VER --input "$W/in.log" --output "$W/bad.$mode" "$@" 2>&1)
	rc=$?
	if [ $rc -eq 1 ] && echo "$res" | grep -q '^verify: FAIL'; then
		ok "verify rejects: $desc ($(echo "$res" | sed -n 2p | sed 's/^ *//' | cut -c1-110))"
	else
		nok "verify did not reject: $desc (rc $rc)"; echo "$res" | sed 's/^/# /' | head -5
	fi
}
reject drop "a dropped line"
reject swap "two lines swapped"
reject corrupt "a corrupted byte"
reject wrongcid "a wrong container id"
reject wronguid "a wrong pod UID"
reject misplace "fields in the wrong place (after the 0x1D tail)"
reject foreign "fields added to a foreign-node record"
reject trap-comm "fields taken from comm=\"... pid=N\""
reject trap-nopid "fields from pid=N inside a quoted value of a pid-less record"
reject eoe "an EOE line passed through"
reject order "fields out of order"
reject hostfields "fields on a host process's record"
reject unresolved "an id where container_id=? is due"
reject quotedhex "a quoted value that needs hex"
reject objpid "OBJ_PID fields without the o prefix"
reject longline "a line over 8969 bytes"
reject extra "fields the proc tree does not give (k8s_image, k8s_sa; --strict)"

# --- JSON mode ------------------------------------------------------------
$PY "$T/refenrich.py" --proc-root "$W/proc" --node-name $NODE --format json \
	<"$W/in.log" >"$W/out.json"
if res=$($VER --format json --input "$W/in.log" --output "$W/out.json"); then
	ok "verify --format json accepts the reference JSON (${res#verify: })"
else
	nok "verify --format json rejects the reference JSON"; echo "$res" | sed 's/^/# /'
fi
# json_rejects MODE: verify --format json must reject $W/bad.MODE
json_rejects() {
	local res rc
	res=$($VER --format json --input "$W/in.log" --output "$W/bad.$1" 2>&1)
	rc=$?
	if [ $rc -eq 1 ] && echo "$res" | grep -q '^verify: FAIL'; then
		ok "verify --format json rejects: $1 ($(echo "$res" | sed -n 2p | sed 's/^ *//' | cut -c1-100))"
	else
		nok "verify --format json did not reject $1 (rc $rc)"; echo "$res" | sed 's/^/# /' | head -5
	fi
}
for m in json-drop json-order json-k8s json-dup; do
	$PY "$T/mutate.py" --input "$W/in.log" --output "$W/out.json" \
		--expect "$W/proc.expect.json" --mode $m >"$W/bad.$m" || { nok "mutate $m"; continue; }
	json_rejects "$m"
done
# an OBJ_PID record's own k8s taken away; an event moved to another time
# (the same serial at two times is two events); a record's fields: a value
# changed, two keys swapped, an argv argument dropped, a field left out
for m in objk8s time fieldval fieldorder argv fielddrop; do
	$PY - "$W/out.json" "$W/bad.$m" "$m" <<'XEOF'
import json, sys
src, dst, mode = sys.argv[1:4]
out, done = [], False
for line in open(src, encoding="utf-8"):
    ev = json.loads(line)
    if not done and mode == "objk8s":
        for r in ev["records"]:
            if r.get("type") == "OBJ_PID" and "k8s" in r and r["k8s"].get("container_id") != "?":
                del r["k8s"]
                done = True
                break
    elif not done and mode == "time" and ev.get("time"):
        sec, _, ms = ev["time"].partition(".")
        ev["time"] = "%d.%s" % (int(sec) + 3600, ms)
        done = True
    elif not done and mode in ("fieldval", "fieldorder", "fielddrop"):
        for r in ev["records"]:
            f = r.get("fields")
            if f and len(f) >= 2:
                k = list(f)
                if mode == "fieldval":
                    f[k[0]] = f[k[0]] + "x"
                elif mode == "fielddrop":
                    del f[k[-1]]
                else:
                    r["fields"] = dict([(k[1], f[k[1]]), (k[0], f[k[0]])] + [(x, f[x]) for x in k[2:]])
                done = True
                break
    elif not done and mode == "argv":
        for r in ev["records"]:
            if r.get("argv"):
                r["argv"].pop()
                done = True
                break
    out.append(json.dumps(ev, ensure_ascii=False))
open(dst, "w", encoding="utf-8").write("\n".join(out) + "\n")
sys.exit(0 if done else 1)
XEOF
	if [ $? -ne 0 ]; then
		nok "json mutation $m found no candidate"; continue
	fi
	json_rejects "$m"
done

exit $fail
