#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_spdx.sh - every source file carries the licence's SPDX line
# (tests/lint/spdx.sh), and the checker can fail: on a copy of the tree
# (no .git: the tarball's case) with the line taken out of one file of
# each kind, it must name that file.
set -u
. "$(dirname "$0")/../lib/common.sh"
ROOT=$(t_repo_root)
L=$ROOT/tests/lint/spdx.sh

if out=$(bash "$L" "$ROOT" 2>&1); then
	t_ok "spdx: every source file names its licence"
else
	t_fail "spdx: the tree" "$(echo "$out" | head -20 | tr '\n' ';')"
fi

W=$(t_workdir)
# plant FILE: a copy of the tree without the SPDX line in FILE
plant() {
	local file=$1 c=$W/copy out rc
	rm -rf "$c"
	mkdir -p "$c"
	(cd "$ROOT" && tar --exclude=./build --exclude=./.git -cf - .) | tar -C "$c" -xf -
	sed -i '/SPDX-License-Identifier/d' "$c/$file"
	out=$(bash "$L" "$c" 2>&1)
	rc=$?
	if [ "$rc" -eq 1 ] && grep -q "^$file:" <<<"$out" && [ "$(wc -l <<<"$out")" -eq 1 ]; then
		t_ok "spdx: a planted $file without the line is named"
	else
		t_fail "spdx: planted $file" "exit $rc: $out"
	fi
}
plant src/resolve/cgroup.c
plant tests/run.sh
plant man/pid2pod.1
plant packaging/rpm/pid2pod.spec
t_done; exit
