#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_json_schema.sh - output_format = json against its JSON Schemas
# (schema/event-native.schema.json, and event-ecs / event-otel for
# json_schema = ecs | otel; checked by Debian's python3-jsonschema):
# every line the plugin writes for the records captured from real auditd
# (tests/data: execve, PAM logins, user messages with forged fields, an
# nftables table named "v pid=1 y", auditd's own records), the hand-made
# edge cases, a generated stream with pid= traps and malformed lines
# validates, and its fields are what the text says (verify.py, through
# tests/tools/fieldsref.py); the checker can fail: events given a wrong
# type, an unknown key or a broken k8s object are rejected.  The ECS and
# OTel forms of the same input validate too, and say what the native one
# says (serial, node, container id, event for event); planted violations
# of each are rejected (a misspelt name, a pod named beside "?", a
# pid-derived name without process.pid).
set -u
. "$(dirname "$0")/../lib/common.sh"
R=$(t_repo_root)
BIN=$R/${B:-build}/audisp-pid2pod
T=$R/tests/tools
S=$R/schema/event-native.schema.json
PY=/usr/bin/python3
W=$(t_workdir)

if ! $PY -c 'import jsonschema' 2>/dev/null; then
	t_fail "python3-jsonschema" "not installed (make deps installs it)"
	t_done; exit
fi

# validate FILE: every line an instance of the schema; prints the count
# or the first failures, exits 1 on any
validate() {
	$PY - "${2:-$S}" "$1" <<'XEOF'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
n = bad = 0
for i, line in enumerate(open(sys.argv[2], encoding="utf-8"), 1):
    n += 1
    errs = sorted(v.iter_errors(json.loads(line)), key=lambda e: list(e.path))
    if errs:
        bad += 1
        if bad <= 3:
            print("line %d: %s at %s" % (i, errs[0].message[:200], list(errs[0].path)))
print("%d lines, %d invalid" % (n, bad))
sys.exit(1 if bad or not n else 0)
XEOF
}

printf 'output = stdout\noutput_format = json\nproc_root = %s/proc\nproc_connector = no\nnode_name = me\nruntime_state_dirs =\nkubelet_token_file =\n' "$W" > "$W/j.conf"
chmod 0640 "$W/j.conf"
for s in ecs otel; do
	{ cat "$W/j.conf"; echo "json_schema = $s"; } > "$W/$s.conf"
	chmod 0640 "$W/$s.conf"
done
mkdir -p "$W/proc"
echo '{}' > "$W/none.expect.json" # no process in the tree: every pid is "?"

# mapped NAME INPUT: the ECS and OTel forms of INPUT validate against
# their schemas and match the native form (W/NAME.json) line by line
mapped() {
	local name=$1 in=$2 s out
	for s in ecs otel; do
		"${T_WRAP[@]}" "$BIN" -c "$W/$s.conf" < "$in" > "$W/$name.$s.json" 2>"$W/$name.$s.err" ||
			{ t_fail "$name $s: plugin" "exit $?: $(tail -2 "$W/$name.$s.err")"; continue; }
		if out=$(validate "$W/$name.$s.json" "$R/schema/event-$s.schema.json"); then
			t_ok "$name $s: every line valid ($out)"
		else
			t_fail "$name $s: schema" "$(echo "$out" | tr '\n' ';')"
		fi
		if out=$($PY - "$W/$name.json" "$W/$name.$s.json" "$s" <<'XEOF'
import json, sys
nat = open(sys.argv[1], encoding="utf-8").read().splitlines()
got = open(sys.argv[2], encoding="utf-8").read().splitlines()
node = "host.name" if sys.argv[3] == "ecs" else "k8s.node.name"
if len(nat) != len(got):
    sys.exit("%d native lines, %d mapped" % (len(nat), len(got)))
for i, (a, b) in enumerate(zip(nat, got), 1):
    a, b = json.loads(a), json.loads(b)
    if "malformed" in a or "malformed" in b:
        if a != b:
            sys.exit("line %d: malformed lines differ" % i)
        continue
    want = (a["serial"], a["node"], a.get("k8s", {}).get("container_id"),
            "\n".join(r["text"] for r in a["records"]))
    orig = b.get("event.original", b.get("log.record.original"))
    have = (b["auditd.sequence"], b.get(node, ""), b.get("container.id"), orig)
    if want != have:
        sys.exit("line %d: native %r, %s %r" % (i, want[:3], sys.argv[3], have[:3]))
print("%d events as the native form says" % len(nat))
XEOF
		); then
			t_ok "$name $s: $out"
		else
			t_fail "$name $s: against native" "$out"
		fi
	done
}

# run NAME INPUT: the plugin's JSON for INPUT validates, fields as the text says
run() {
	local name=$1 in=$2 out
	"${T_WRAP[@]}" "$BIN" -c "$W/j.conf" < "$in" > "$W/$name.json" 2>"$W/$name.err" ||
		{ t_fail "$name: plugin" "exit $?: $(tail -2 "$W/$name.err")"; return; }
	if out=$(validate "$W/$name.json"); then
		t_ok "$name: every line valid ($out)"
	else
		t_fail "$name: schema" "$(echo "$out" | tr '\n' ';')"
	fi
	mapped "$name" "$in"
	if out=$($PY "$T/verify.py" --format json --input "$in" --output "$W/$name.json" \
		--expect "$W/none.expect.json" --unknown-pid missing --node-name me 2>&1); then
		t_ok "$name: every record in one event, fields as its text says"
	else
		t_fail "$name: verify" "$(echo "$out" | head -5 | tr '\n' ';')"
	fi
}
run captured-views "$R/tests/data/captured-views.log"
run captured-enriched "$R/tests/data/captured-enriched.log"
run verify-edge "$R/tests/data/verify-edge.in"

# the demo sample (tests/data/demo): real records whose pids are in a proc
# tree with containerd and CRI-O pods, so the pod names are written too
D=$R/tests/data/demo
for s in native ecs otel; do
	{ printf 'output = stdout\noutput_format = json\njson_schema = %s\n' "$s"
	  printf 'proc_root = %s/proc\nproc_connector = no\nnode_name = me\n' "$D"
	  printf 'runtime_state_dirs = %s/containerd %s/crio\nkubelet_token_file =\n' "$D" "$D"
	} > "$W/demo-$s.conf"
	chmod 0640 "$W/demo-$s.conf"
	"${T_WRAP[@]}" "$BIN" -c "$W/demo-$s.conf" < "$D/records.log" > "$W/demo.$s.json" 2>"$W/demo.$s.err" ||
		t_fail "demo $s: plugin" "exit $?"
	if out=$(validate "$W/demo.$s.json" "$R/schema/event-$s.schema.json"); then
		t_ok "demo $s: every line valid ($out)"
	else
		t_fail "demo $s: schema" "$(echo "$out" | tr '\n' ';')"
	fi
done
grep -q '"orchestrator.resource.name":"edge-proxy-0"' "$W/demo.ecs.json" &&
	grep -q '"k8s.pod.name":"edge-proxy-0"' "$W/demo.otel.json" &&
	t_ok "demo: the CRI-O pod named in both forms" ||
	t_fail "demo: pod names" "edge-proxy-0 missing in ecs or otel"

# a generated stream: interleaved events, foreign nodes, pid= traps inside
# quoted values; a user message with more keys than an object takes
$PY "$T/genstream.py" --events 3000 --interleave 4 --traps 20 --seed 11 -o "$W/gen.log" 2>/dev/null
printf 'type=USER msg=audit(1795517706.354:99993): pid=1 uid=0 msg=%s%s%s\n' "'" \
	"$(for i in $(seq 600); do printf 'k%d=v ' "$i"; done)" "'" >> "$W/gen.log"
run generated "$W/gen.log"
grep -q '"fields_cut":true' "$W/generated.json" &&
	t_ok "a message with more keys than an object takes: fields_cut" ||
	t_fail "fields_cut" "no line has it"

# lines that are not records (no header, a NUL, longer than auditd's
# 8970 bytes): one valid malformed object each, none lost
{
	printf 'not an audit record at all\n'
	printf 'type=SYSCALL msg=audit(1795517706.354:99991): pid=1 comm="a\0b"\n'
	printf 'type=SYSCALL msg=audit(1795517706.354:99992): pid=1 comm=%s\n' "$(head -c 9000 /dev/zero | tr '\0' 'A')"
	printf 'type=SYSCALL msg=audit(1795517706.354:99994): pid=1 comm=%s\n' "$(head -c 9000 /dev/zero | tr '\0' '\001')"
} > "$W/bad.log"
"${T_WRAP[@]}" "$BIN" -c "$W/j.conf" < "$W/bad.log" > "$W/bad.json" 2>"$W/bad.err"
if out=$(validate "$W/bad.json"); then
	t_ok "malformed lines: every line valid ($out)"
else
	t_fail "malformed lines: schema" "$(echo "$out" | tr '\n' ';')"
fi
got=$(grep -o '"malformed":"[a-z]*"' "$W/bad.json" | tr '\n' ' ')
[ "$got" = '"malformed":"header" "malformed":"nul" "malformed":"long" "malformed":"long" ' ] &&
	t_ok "malformed lines: header, nul, long, long (one control-byte line: 6 bytes a byte)" ||
	t_fail "malformed lines" "got: $got"

# the checker can fail: each planted change must make a line invalid
plant() { # NAME PYTHON-EXPR-ON-ev [FORM]
	local form=${3:-}
	$PY - "$W/captured-views${form:+.$form}.json" "$W/bad.$1" "$2" <<'XEOF'
import json, sys
src, dst, expr = sys.argv[1:4]
lines = open(src, encoding="utf-8").read().splitlines()
for i, l in enumerate(lines):
    ev = json.loads(l)
    if "malformed" not in ev and ("process.pid" in ev or "records" in ev):
        exec(expr)
        lines[i] = json.dumps(ev)
        break
open(dst, "w", encoding="utf-8").write("\n".join(lines) + "\n")
XEOF
	if validate "$W/bad.$1" "$R/schema/event-${form:-native}.schema.json" >/dev/null; then
		t_fail "schema: planted $1" "accepted"
	else
		t_ok "schema: planted $1 is rejected"
	fi
}
plant serial-string 'ev["serial"] = str(ev["serial"])'
plant unknown-key 'ev["records"][0]["extra"] = 1'
plant field-number 'ev["records"][0]["fields"] = {"pid": 5}'
plant bad-container-id 'ev["k8s"] = {"container_id": "nothex"}'
plant no-records 'ev["records"] = []'
plant ecs-misspelt 'ev["process.pidd"] = ev.pop("process.pid")' ecs
plant ecs-pod-beside-unknown 'ev["container.id"] = "?"; ev["orchestrator.resource.name"] = "web"' ecs
plant ecs-vpid-without-pid 'ev.pop("process.pid"); ev["process.vpid"] = 7' ecs
plant ecs-pid-string 'ev["process.pid"] = str(ev["process.pid"])' ecs
plant otel-misspelt 'ev["k8s.pod.nmae"] = "web"' otel
plant otel-pod-beside-unknown 'ev["container.id"] = "?"; ev["k8s.pod.name"] = "web"' otel
plant otel-exec-without-pid 'ev.pop("process.pid"); ev["pid2pod.exec"] = 9' otel
plant otel-label-number 'ev["k8s.pod.label.app"] = 5' otel
t_done
