#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_json_groups.sh - output_format = json groups records into events as
# ausearch does: for each input, `ausearch -if` (Debian's auditd) and the
# plugin must have the same events (node + time + serial), each with the
# same records (tests/tools/groups.py; EOE aside: the JSON event ends at it).
# Inputs: the records captured from real auditd (tests/data), generated
# streams (interleaved, 14% of events missing a record, foreign nodes), the
# captured events cut by a crash and again a day later with the same
# serials (a reboot), and
# old daemon records with no ':' after audit(...).  The checker can fail:
# merged events, a dropped record and a record moved to another event are
# each named.
set -u
. "$(dirname "$0")/../lib/common.sh"
R=$(t_repo_root)
BIN=$R/${B:-build}/audisp-pid2pod
T=$R/tests/tools
PY=/usr/bin/python3
W=$(t_workdir)

if ! command -v ausearch >/dev/null; then
	t_fail "ausearch" "not installed (make deps installs auditd)"
	t_done; exit
fi

printf 'output = stdout\noutput_format = json\nproc_root = %s/proc\nproc_connector = no\nnode_name = me\nruntime_state_dirs =\nkubelet_token_file =\n' "$W" > "$W/j.conf"
chmod 0640 "$W/j.conf"
mkdir -p "$W/proc"

# same NAME INPUT: ausearch and the plugin group INPUT alike
same() {
	local name=$1 in=$2 out
	ausearch -if "$in" > "$W/$name.aus" 2>"$W/$name.auserr"
	[ -s "$W/$name.aus" ] || { t_fail "$name: ausearch" "no output: $(head -2 "$W/$name.auserr")"; return; }
	"${T_WRAP[@]}" "$BIN" -c "$W/j.conf" < "$in" > "$W/$name.json" 2>"$W/$name.err" ||
		{ t_fail "$name: plugin" "exit $?: $(tail -2 "$W/$name.err")"; return; }
	if out=$($PY "$T/groups.py" "$W/$name.aus" "$W/$name.json" 2>&1); then
		t_ok "$name: as ausearch groups ($out)"
	else
		t_fail "$name: grouping" "$(echo "$out" | head -4 | tr '\n' ';')"
	fi
}
same captured-views "$R/tests/data/captured-views.log"
same captured-enriched "$R/tests/data/captured-enriched.log"
$PY "$T/genstream.py" --events 3000 --interleave 4 --seed 21 -o "$W/gen.log" 2>/dev/null
same generated "$W/gen.log"
$PY "$T/genstream.py" --events 3000 --interleave 8 --incomplete 14 --node n1 \
	--foreign-node-pct 20 --seed 22 -o "$W/inc.log" 2>/dev/null
same incomplete-nodes "$W/inc.log"

# a crash and a reboot: the day's last event lost its EOE, then the same
# serials come again a day later; they are other events
$PY - "$R/tests/data/captured-enriched.log" "$W/reboot.log" <<'XEOF'
import re, sys
lines = [l for l in open(sys.argv[1], "rb").read().split(b"\n") if l]
cut = max(i for i, l in enumerate(lines) if l.startswith(b"type=EOE"))
later = [re.sub(rb"audit\((\d+)\.", lambda m: b"audit(%d." % (int(m.group(1)) + 86400), l, count=1)
         for l in lines]
open(sys.argv[2], "wb").write(b"\n".join(lines[:cut] + later) + b"\n")
XEOF
same reboot "$W/reboot.log"

# old daemon records (auditd 1.x wrote no ':' after audit(...))
printf '%s\n' \
	'type=DAEMON_START msg=audit(1143146623.787:10) auditd start, ver=1.0.9 format=raw auid=4294967295 pid=2911 res=success' \
	'type=DAEMON_END msg=audit(1143146700.100:11) auditd normal halt, sending auid=0 pid=1 res=success' \
	> "$W/old.log"
same old-daemon "$W/old.log"

# the checker can fail: each planted change of the plugin's events is named
plant() { # NAME PYTHON-ON-evs (a list of the events of reboot.json)
	$PY - "$W/reboot.json" "$W/bad.$1" "$2" <<'XEOF'
import json, sys
src, dst, expr = sys.argv[1:4]
evs = [json.loads(l) for l in open(src, encoding="utf-8")]
exec(expr)
open(dst, "w", encoding="utf-8").write("".join(json.dumps(e) + "\n" for e in evs))
XEOF
	if $PY "$T/groups.py" "$W/reboot.aus" "$W/bad.$1" >/dev/null 2>&1; then
		t_fail "groups.py: planted $1" "accepted"
	else
		t_ok "groups.py: planted $1 is named"
	fi
}
# the two events of serial 3 (one per day) as one, as grouping without time would
plant merged-reboot '
a = [e for e in evs if e["serial"] == 3]
a[0]["records"] += a[1]["records"]; evs.remove(a[1])'
plant dropped-record 'next(e for e in evs if len(e["records"]) > 1)["records"].pop()'
plant moved-record '
m = [e for e in evs if len(e["records"]) > 1]
m[1]["records"].append(m[0]["records"].pop())'
t_done
