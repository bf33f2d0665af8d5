#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_json_auditd.sh - output_format = json under a real auditd, sandboxed
# (Landlock and the seccomp filter, the defaults): an openat refused with
# EACCES to a process running as nobody comes out as an event whose SYSCALL
# record's "interpreted" object has libauparse's arch, syscall and errno
# names (asked after the sandbox is in place) and the uid name from
# auditd's ENRICHED tail; the events validate against the schema and every
# record's fields and interpretations are what fieldsref.py (the rules
# written again, libauparse through ctypes) reads in its text.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/auditd.sh"
R=$(t_repo_root)
BIN=$R/${B:-build}/audisp-pid2pod
T=$R/tests/tools
PY=/usr/bin/python3
W=$(t_workdir)
chmod 0755 "$W"

conf=$W/pid2pod.conf
printf 'output = file\noutput_file = %s/plugin.out\noutput_format = json\nproc_connector = no\nlog_file = %s/plugin.log\n' "$W" "$W" > "$conf"
chmod 0640 "$conf"
mkdir -p "$W/auditd"
if ! auditd_start "$W/auditd" "$BIN" "-c $conf" log_format=ENRICHED; then
	t_fail "auditd start" "another auditd is registered, or it did not come up"
	t_done; exit
fi
t_ok "auditd started with the plugin (json, sandbox on)"
auditd_rule -a always,exit -F arch=b64 -S openat -F exit=-EACCES -F path=/etc/shadow -k p2p_json_eacces ||
	t_fail "audit rule" "auditctl refused it"
grep -q "sandbox: " "$W/plugin.log" 2>/dev/null || sleep 0.5
setpriv --reuid=65534 --regid=65534 --clear-groups cat /etc/shadow 2>/dev/null &&
	t_fail "cat /etc/shadow as nobody" "it was allowed"

has_event() { grep -a -q 'exit=-13 .*key=\\"p2p_json_eacces' "$W/plugin.out" 2>/dev/null; }
if ! t_wait_for 5000 has_event; then
	t_fail "the EACCES event came out" "$(tail -c 300 "$W/plugin.out" 2>/dev/null)"
	t_done; exit
fi
grep -a 'exit=-13 .*key=\\"p2p_json_eacces' "$W/plugin.out" | head -n 1 > "$W/event.json"
if out=$($PY - "$W/event.json" <<'PYEOF' 2>&1
import json, sys
ev = json.loads(open(sys.argv[1]).read())
sc = [r for r in ev["records"] if r["type"] == "SYSCALL"][0]
it = sc.get("interpreted", {})
want = {"arch": "x86_64", "syscall": "openat", "exit": "EACCES(Permission denied)", "uid": "nobody"}
bad = {k: it.get(k) for k in want if it.get(k) != want[k]}
if bad:
    print("got %s" % json.dumps(it)[:400])
    sys.exit(1)
PYEOF
); then
	t_ok "SYSCALL: arch, syscall and errno from libauparse, uid name from the tail"
else
	t_fail "SYSCALL interpreted" "$out"
fi
grep -q "info: sandbox: Landlock ABI" "$W/plugin.log" && grep -q "info: sandbox: seccomp:" "$W/plugin.log" &&
	t_ok "the plugin ran under Landlock and the seccomp filter" ||
	t_fail "sandbox in place" "$(grep -m2 sandbox "$W/plugin.log")"
if out=$($PY -c '
import json, sys, jsonschema
v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
n = 0
for l in open(sys.argv[2]):
    v.validate(json.loads(l)); n += 1
print(n)' "$R/schema/event-native.schema.json" "$W/plugin.out" 2>&1); then
	t_ok "$out events validate against the schema"
else
	t_fail "schema" "$(echo "$out" | tail -3 | tr '\n' ';')"
fi
if out=$($PY - "$T" "$W/plugin.out" <<'PYEOF' 2>&1
import json, sys
sys.path.insert(0, sys.argv[1])
import fieldsref
n = bad = 0
for l in open(sys.argv[2]):
    for r in json.loads(l)["records"]:
        line = r["text"] + ("\x1d" + r["interp"] if "interp" in r else "")
        want = fieldsref.record_json(line.encode("utf-8", "surrogateescape"))
        got = {k: r[k] for k in ("fields", "argv", "fields_cut", "interpreted") if k in r}
        n += 1
        if got != want:
            bad += 1
            print("record %r: got %s want %s" % (r["text"][:80], json.dumps(got)[:200], json.dumps(want)[:200]))
print("%d records, %d differ" % (n, bad))
sys.exit(1 if bad or not n else 0)
PYEOF
); then
	t_ok "fieldsref.py reads every record's fields and interpretations so ($out)"
else
	t_fail "fieldsref.py" "$(echo "$out" | head -4 | tr '\n' ';')"
fi
# the interpretation path under the seccomp list: no call denied in the
# whole run (the count is logged at exit when it is not 0)
auditd_stop
if grep -q "seccomp denied" "$W/plugin.log"; then
	t_fail "seccomp" "$(grep -m2 "seccomp denied" "$W/plugin.log")"
else
	t_ok "no system call denied by the seccomp list in the whole run"
fi
t_done
