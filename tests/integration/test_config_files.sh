#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_config_files.sh - the shipped files agree with the key table, and the
# binary's command line behaves: -n, -V, -h, --print-config, bad configs.
set -u
. "$(dirname "$0")/../lib/common.sh"
R=$(t_repo_root)
BIN=$R/${B:-build}/audisp-pid2pod
W=$(t_workdir)

gen=$W/generated.conf
"$BIN" --print-config > "$gen"
t_check "shipped pid2pod.conf is the generated one" cmp -s "$gen" "$R/plugin/pid2pod.conf"
t_check "-n accepts the shipped config" "$BIN" -n -c "$R/plugin/pid2pod.conf"

keys=$(sed -n 's/^\([a-z_]*\) =.*/\1/p' "$gen")
[ -n "$keys" ] || t_fail "key list" "no keys in --print-config output"
# the man page's keys: the ".B name" line after each ".TP" of the KEYS section
man_keys=$(awk '/^\.SH KEYS/ {k=1; next} /^\.SH/ {k=0} k && tp && /^\.B / {print $2} {tp = ($0 == ".TP")}' \
	"$R/man/pid2pod.conf.5" | sort)
if [ "$(echo "$keys" | sort)" = "$man_keys" ]; then
	t_ok "pid2pod.conf(5) documents exactly the keys of the table"
else
	t_fail "pid2pod.conf(5) documents exactly the keys of the table" \
		"$(diff <(echo "$keys" | sort) <(echo "$man_keys") | tr '\n' ' ')"
fi

printf 'output = stdout\nbogus = 1\noutput_format = yaml\n' > "$W/bad.conf"
chmod 0640 "$W/bad.conf"
out=$("$BIN" -n -c "$W/bad.conf" 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "bad.conf:2: unknown key 'bogus'" &&
	echo "$out" | grep -q "bad.conf:3: output_format: 'yaml'" &&
	t_ok "-n reports every problem as file:line, exit 1" ||
	t_fail "-n reports every problem as file:line, exit 1" "rc=$rc out=$out"

# the plugin itself refuses to start on a bad config, and says why on stderr
out=$("$BIN" -c "$W/bad.conf" </dev/null 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "unknown key" &&
	t_ok "plugin exits 1 on a bad config" || t_fail "plugin exits 1 on a bad config" "rc=$rc"

chmod 0666 "$W/bad.conf"
printf 'output = stdout\n' > "$W/bad.conf"
out=$("$BIN" -n -c "$W/bad.conf" 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "writable by others" &&
	t_ok "world-writable config refused" || t_fail "world-writable config refused" "rc=$rc out=$out"

t_check "-V prints the version" sh -c "'$BIN' -V | grep -q '^audisp-pid2pod [0-9]'"
t_check "-h prints usage" sh -c "'$BIN' -h | grep -q 'usage: audisp-pid2pod'"
"$BIN" --bogus >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && t_ok "unknown option: exit 2" || t_fail "unknown option: exit 2" "rc=$rc"
"$BIN" -n -c /nonexistent.conf >/dev/null 2>&1; rc=$?
[ $rc -eq 1 ] && t_ok "missing config: exit 1" || t_fail "missing config: exit 1" "rc=$rc"

st=$R/plugin/plugins.d/pid2pod.conf
if [ -f "$st" ] && grep -qx 'args = -c /etc/audit/pid2pod.conf' "$st" &&
	grep -qx 'active = no' "$st" && grep -qx 'direction = out' "$st" &&
	grep -qx 'type = always' "$st" && grep -qx 'format = string' "$st" &&
	grep -qx 'path = /sbin/audisp-pid2pod' "$st"; then
	t_ok "plugins.d stanza: inactive as shipped, two args words, format string"
else
	t_fail "plugins.d stanza" "$(cat "$st" 2>&1 | head -c 300)"
fi
t_done
