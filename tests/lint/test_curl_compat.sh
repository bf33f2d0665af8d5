#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test_curl_compat.sh - the sources that use libcurl compile against
# libcurl 7.76's API (RHEL 9), as tests/lint/curl_7_76.h presents it over
# the installed header: LIBCURL_VERSION_NUM forced to 7.76.0, identifiers
# added later poisoned.  And the check can fail: a copy of kubelet.c whose
# version test is planted away (#if 1) must not compile under it.
# What this does not show: linking or running against a real 7.76.
set -u -o pipefail
. "$(dirname "$0")/../lib/common.sh"
ROOT=$(t_repo_root)
W=$(t_workdir)
CC=${CC:-cc}
# as the Makefile compiles, less -Werror=deprecated-declarations: 7.76's
# header does not deprecate the CURLOPT_PROTOCOLS its branch uses
FLAGS=(-std=gnu11 -D_GNU_SOURCE -I"$ROOT/src" -Wall -Wextra -Werror
	-Wno-deprecated-declarations -fsyntax-only
	-include "$ROOT/tests/lint/curl_7_76.h")

files=$(grep -l '#include <curl/curl.h>' "$ROOT"/src/*/*.c "$ROOT"/cli/*.c)
[ -n "$files" ] || t_fail "curl 7.76: sources found" "none include curl.h"
for f in $files; do
	rel=${f#"$ROOT"/}
	if out=$("$CC" "${FLAGS[@]}" "$f" 2>&1); then
		t_ok "curl 7.76: $rel compiles"
	else
		t_fail "curl 7.76: $rel compiles" "$(echo "$out" | grep -m3 -E 'error' | tr '\n' ';')"
	fi
done

# the check can fail: the 7.85 branch taken regardless
mkdir -p "$W/podmeta"
sed 's/^#if LIBCURL_VERSION_NUM >= 0x075500.*/#if 1/' "$ROOT/src/podmeta/kubelet.c" > "$W/podmeta/kubelet.c"
if cmp -s "$ROOT/src/podmeta/kubelet.c" "$W/podmeta/kubelet.c"; then
	t_fail "curl 7.76: planted copy" "kubelet.c has no version test to plant away"
elif out=$("$CC" "${FLAGS[@]}" -I"$ROOT/src/podmeta" "$W/podmeta/kubelet.c" 2>&1); then
	t_fail "curl 7.76: CURLOPT_PROTOCOLS_STR unguarded is caught" "the planted copy compiled"
elif grep -q 'poisoned' <<<"$out" && grep -q 'CURLOPT_PROTOCOLS_STR' <<<"$out"; then
	t_ok "curl 7.76: CURLOPT_PROTOCOLS_STR unguarded is caught"
else
	t_fail "curl 7.76: CURLOPT_PROTOCOLS_STR unguarded is caught" "$(echo "$out" | head -3 | tr '\n' ';')"
fi
t_done
