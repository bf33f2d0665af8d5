#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_layers.sh - the include rule (tests/lint/layers.sh) holds on the tree,
# and the checker can fail: on copies of src/ and cli/ with one planted
# violation each (a later stage, an unqualified project header, conf.h
# outside its users, a cli file including plugin/) it must report it.
set -u
. "$(dirname "$0")/../lib/common.sh"
ROOT=$(t_repo_root)
L=$ROOT/tests/lint/layers.sh

if out=$(bash "$L" "$ROOT" 2>&1); then
	t_ok "layers: every #include follows the stage order"
else
	t_fail "layers: the tree" "$(echo "$out" | head -20 | tr '\n' ';')"
fi

W=$(t_workdir)
# plant NAME FILE LINE: a copy of the tree with LINE added to FILE after its
# first #include; layers.sh must exit 1 and name FILE
plant() {
	local name=$1 file=$2 line=$3 c=$W/$1 out rc
	mkdir -p "$c"
	cp -r "$ROOT/src" "$ROOT/cli" "$c/"
	sed -i "0,/^#include/s||$line\n#include|" "$c/$file"
	out=$(bash "$L" "$c" 2>&1)
	rc=$?
	if [ "$rc" -eq 1 ] && grep -q "^$file:" <<<"$out"; then
		t_ok "layers: planted $name is caught"
	else
		t_fail "layers: planted $name" "exit $rc: $out"
	fi
}
plant later-stage src/resolve/cgroup.c '#include "output/enrich.h"'
plant unqualified src/output/enrich.c '#include "record.h"'
plant conf-outside src/output/sink.c '#include "common/conf.h"'
plant cli-plugin cli/ps.c '#include "plugin/pipeline.h"'
plant no-such src/input/record.c '#include "input/nosuch.h"'
t_done; exit
