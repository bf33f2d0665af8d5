#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/lint/cli_calls.sh [-v] [OBJDIR] - the calls between the files of
# cli/ have no cycle (DEVELOPERS.md).
#
# From the objects in OBJDIR (default: $B/cli, B defaulting to build): the
# file that defines each global symbol (nm -g --defined-only) and the
# files that use it (nm -u) give the edges "caller callee symbol"; tsort
# finds a cycle among them.  A cycle is printed as its files and the calls
# between them; -v prints every edge.  Exits 1 on a cycle, 0 without one,
# 2 when OBJDIR holds no objects or nm fails.
set -u -o pipefail
verbose=0
[ "${1:-}" = -v ] && { verbose=1; shift; }
dir=${1:-${B:-build}/cli}
shopt -s nullglob
objs=("$dir"/*.o)
[ ${#objs[@]} -gt 0 ] || { echo "cli_calls: no objects in $dir"; exit 2; }
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/defs"
: >"$tmp/uses"
for o in "${objs[@]}"; do
	f=$(basename "$o" .o)
	nm -g --defined-only "$o" >"$tmp/nm" || { echo "cli_calls: nm $o failed"; exit 2; }
	awk -v f="$f" 'NF == 3 { print $3, f }' "$tmp/nm" >>"$tmp/defs" || exit 2
	nm -u "$o" >"$tmp/nm" || { echo "cli_calls: nm -u $o failed"; exit 2; }
	awk -v f="$f" 'NF { print $NF, f }' "$tmp/nm" >>"$tmp/uses" || exit 2
	echo "$f $f" >>"$tmp/nodes"
done
awk 'NR == FNR { def[$1] = $2; next }
     ($1 in def) && def[$1] != $2 { print $2, def[$1], $1 }' \
	"$tmp/defs" "$tmp/uses" | sort -u >"$tmp/edges" || exit 2
[ "$verbose" = 1 ] && cat "$tmp/edges"
# a depth-first walk from each file in turn; the first back edge closes a
# cycle, printed from the file it returns to
awk '
function report(v,    i, k, a, b, path) {
	for (k = sp; stack[k] != v; k--)
		;
	for (i = k; i <= sp; i++)
		path = path stack[i] ".c -> "
	print "cli_calls: a cycle among the files of cli/: " path v ".c"
	for (i = k; i <= sp; i++) {
		a = stack[i]
		b = i < sp ? stack[i + 1] : v
		print "  " a ".c calls " b ".c: " sym[a, b]
	}
}
function dfs(u,    i, v) {
	state[u] = 1
	stack[++sp] = u
	for (i = 1; i <= nout[u]; i++) {
		v = out[u, i]
		if (state[v] == 1) {
			report(v)
			return 1
		}
		if (!state[v] && dfs(v))
			return 1
	}
	state[u] = 2
	sp--
	return 0
}
{
	if (!(($1, $2) in sym))
		out[$1, ++nout[$1]] = $2
	sym[$1, $2] = sym[$1, $2] ((($1, $2) in seen) ? ", " : "") $3
	seen[$1, $2] = 1
	if (!($1 in isnode)) { isnode[$1] = 1; node[++n] = $1 }
}
END {
	for (j = 1; j <= n; j++)
		if (!state[node[j]] && dfs(node[j]))
			exit 1
}' "$tmp/edges"
