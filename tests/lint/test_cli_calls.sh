#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_cli_calls.sh - the calls between the files of cli/ have no cycle
# (tests/lint/cli_calls.sh over the built objects), and the checker can
# fail: on copies of the objects with one file recompiled with a planted
# call back up the order (util.c calling a subcommand, out.c calling
# proc.c, which calls out.c) it must name that cycle; with no objects it
# must not pass.
set -u -o pipefail
. "$(dirname "$0")/../lib/common.sh"
ROOT=$(t_repo_root)
L=$ROOT/tests/lint/cli_calls.sh
OBJ=${B:-build}
case $OBJ in /*) ;; *) OBJ=$ROOT/$OBJ ;; esac
OBJ=$OBJ/cli

if out=$(bash "$L" -v "$OBJ" 2>&1); then
	# not vacuous: the edges it saw include main's call of ps
	if grep -q '^main ps cmd_ps$' <<<"$out"; then
		t_ok "cli_calls: the calls between cli/ files have no cycle"
	else
		t_fail "cli_calls: the tree" "no edge main -> ps seen: $(head -5 <<<"$out" | tr '\n' ';')"
	fi
else
	# the cycle, without the edges -v listed
	t_fail "cli_calls: the tree" "$(bash "$L" "$OBJ" 2>&1 | head -20 | tr '\n' ';')"
fi

W=$(t_workdir)
# plant NAME FILE CODE CALL: the objects, with FILE (cli/FILE.c) rebuilt
# with CODE appended; cli_calls.sh must exit 1 and show the planted CALL
# in the cycle it prints
plant() {
	local name=$1 file=$2 code=$3 call=$4 d=$W/$1 out rc
	mkdir -p "$d"
	cp "$OBJ"/*.o "$d/"
	{ cat "$ROOT/cli/$file.c"; printf '%s\n' "$code"; } >"$d/$file.c"
	if ! ${CC:-cc} -std=gnu11 -D_GNU_SOURCE -I"$ROOT/src" -I"$ROOT/cli" \
		-c -o "$d/$file.o" "$d/$file.c" 2>"$d/cc.log"; then
		t_fail "cli_calls: planted $name" "does not compile: $(head -3 "$d/cc.log")"
		return
	fi
	out=$(bash "$L" "$d" 2>&1)
	rc=$?
	if [ "$rc" -eq 1 ] && grep -qF "  $call" <<<"$out"; then
		t_ok "cli_calls: planted $name is caught"
	else
		t_fail "cli_calls: planted $name" "exit $rc: $(tr '\n' ';' <<<"$out")"
	fi
}
plant util-calls-ps util \
	'int cli_planted(struct cli *c); int cli_planted(struct cli *c) { return cmd_ps(c, NULL, 0, NULL); }' \
	'util.c calls ps.c: cmd_ps'
plant out-calls-proc out \
	'int out_planted(struct cproc_list *l); int out_planted(struct cproc_list *l) { return cproc_find(l, 1) != NULL; }' \
	'out.c calls proc.c: cproc_find'

mkdir -p "$W/none"
out=$(bash "$L" "$W/none" 2>&1)
rc=$?
if [ "$rc" -eq 2 ]; then
	t_ok "cli_calls: no objects is an error, not a pass"
else
	t_fail "cli_calls: no objects" "exit $rc: $out"
fi
t_done; exit
