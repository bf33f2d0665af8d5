#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_json_names.sh - the names of json_schema = ecs | otel
# (src/output/jsonnames.c) against the pinned specs: tests/spec's
# package.json and package-lock.json (exact versions, integrity hashes) of
# @elastic/ecs and @opentelemetry/semantic-conventions, installed with
# `npm ci` into a scratch directory at test time (never at run time, never
# vendored).  Every name not marked custom must be the spec's; the checker
# can fail: a misspelt name and a custom name the spec has are rejected.
# No registry (an offline clone): skipped, saying so; CI has it.
set -u
. "$(dirname "$0")/../lib/common.sh"
R=$(t_repo_root)
LIST=$R/${B:-build}/tools/jsonnames_list
W=$(t_workdir)

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	t_fail "node and npm" "not installed (make deps installs them)"
	t_done; exit
fi
cp "$R/tests/spec/package.json" "$R/tests/spec/package-lock.json" \
	"$R/tests/spec/check_names.js" "$W/"
if ! out=$(cd "$W" && timeout 120 npm ci --ignore-scripts --no-audit --no-fund 2>&1); then
	if ! (cd "$W" && timeout 30 npm ping >/dev/null 2>&1); then
		t_skip "pinned specs" "the npm registry is not reachable (offline): names not checked"
		t_done; exit
	fi
	t_fail "npm ci" "$(echo "$out" | tail -3 | tr '\n' ';')"
	t_done; exit
fi
"$LIST" > "$W/names.txt" || t_fail "jsonnames_list" "exit $?"

if out=$(cd "$W" && node check_names.js < names.txt 2>&1); then
	t_ok "every name in the pinned spec or custom ($out)"
else
	t_fail "names vs pinned spec" "$(echo "$out" | head -5 | tr '\n' ';')"
fi
# the versions checked are the pinned ones
for p in @elastic/ecs @opentelemetry/semantic-conventions; do
	want=$(cd "$W" && node -e "console.log(require('./package.json').dependencies['$p'])")
	got=$(cd "$W" && node -e "console.log(JSON.parse(require('fs').readFileSync('node_modules/$p/package.json')).version)")
	[ -n "$want" ] && [ "$want" = "$got" ] && t_ok "$p $got as pinned" ||
		t_fail "$p version" "pinned '$want', installed '$got'"
done
# the checker can fail
sed 's/^ecs process\.pid /ecs process.pidd /' "$W/names.txt" > "$W/typo.txt"
if ! out=$(cd "$W" && node check_names.js < typo.txt 2>&1) &&
	echo "$out" | grep -q 'process.pidd is not in the pinned spec'; then
	t_ok "a misspelt ECS name is rejected"
else
	t_fail "typo not caught" "$out"
fi
sed 's/^otel k8s\.pod\.name string spec/otel k8s.pod.nmae string spec/' "$W/names.txt" > "$W/typo2.txt"
if ! out=$(cd "$W" && node check_names.js < typo2.txt 2>&1) &&
	echo "$out" | grep -q 'k8s.pod.nmae is not in the pinned spec'; then
	t_ok "a misspelt OTel name is rejected"
else
	t_fail "OTel typo not caught" "$out"
fi
echo "otel k8s.node.name string custom" >> "$W/names.txt"
if ! (cd "$W" && node check_names.js < names.txt >/dev/null 2>&1); then
	t_ok "a spec name marked custom is rejected"
else
	t_fail "custom spec name" "accepted"
fi
t_done
