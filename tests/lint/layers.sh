#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/lint/layers.sh [ROOT] - the include rule of DEVELOPERS.md, checked
# over the #include lines of ROOT (default: the repository).
#
# The stages, in data-path order: common < input < resolve < podmeta <
# output < plugin.  A file under src/<stage>/ may include a project header
# of its own stage or an earlier one; cli/ may include any stage but
# plugin; tests, fuzz targets and benches may include anything.  Every
# project header is included by its stage ("resolve/cgroup.h"): an
# unqualified "cgroup.h" naming a project header is a violation, and so is
# a "stage/x.h" that does not exist.  common/conf.h (the whole plugin
# config) is for plugin/, cli/ and the bindings in CONF_USERS: every other
# stage takes a small options struct instead.
# Prints one line per violation; exits 1 if there is any, 0 if none, 2 if
# ROOT has no src/.
set -u
ROOT=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT" || exit 2
[ -d src ] || { echo "no src/ under $ROOT"; exit 2; }
STAGES="common input resolve podmeta output plugin"
CONF_USERS="src/common/conf.c src/podmeta/kubeconf.c src/podmeta/kubeconf.h"

# every file that exists, for the awk below: headers by stage path, and
# files by their own path (for includes of a file beside the includer)
find src cli tests fuzz bench -name '*.[ch]' 2>/dev/null | sort >"${TMPDIR:-/tmp}/layers.$$"
trap 'rm -f "${TMPDIR:-/tmp}/layers.$$"' EXIT
ls -d src/*/ | sed 's|/$||' | while read -r d; do
	case " $STAGES " in *" ${d#src/} "*) ;; *) echo "$d: not a stage ($STAGES)" ;; esac
done | grep . && bad=1 || bad=0

awk -v stages="$STAGES" -v conf_users="$CONF_USERS" -v list="${TMPDIR:-/tmp}/layers.$$" '
BEGIN {
	n = split(stages, st, " ")
	for (i = 1; i <= n; i++) rank[st[i]] = i
	split(conf_users, cu, " ")
	for (i in cu) confok[cu[i]] = 1
	while ((getline f < list) > 0) {
		exists[f] = 1
		if (f ~ /^src\/[a-z]+\/[^\/]+\.h$/) {
			b = f; sub(/^.*\//, "", b); bare[b] = f
		}
	}
	bad = 0
}
function dir(p) { sub(/\/[^\/]*$/, "", p); return p }
function fail(msg) { print FILENAME ":" FNR ": " msg; bad = 1 }
FNR == 1 {
	split(FILENAME, parts, "/")
	if (parts[1] == "src") from = (parts[2] in rank) ? rank[parts[2]] : 0
	else if (parts[1] == "cli") from = rank["plugin"] - 1
	else from = n + 1
}
/^[ \t]*#[ \t]*include[ \t]*"/ {
	inc = $0
	sub(/^[ \t]*#[ \t]*include[ \t]*"/, "", inc); sub(/".*/, "", inc)
	if (inc ~ /\//) {
		s = inc; sub(/\/.*/, "", s)
		if (!(s in rank)) {
			if (!((dir(FILENAME) "/" inc) in exists))
				fail("\"" inc "\" is no header of a stage")
			next
		}
		if (!(("src/" inc) in exists)) { fail("\"" inc "\" does not exist"); next }
		if (rank[s] > from) fail("includes " inc ", a later stage (" s ")")
		if (inc == "common/conf.h" && FILENAME ~ /^src\// &&
		    FILENAME !~ /^src\/plugin\// && !(FILENAME in confok))
			fail("includes common/conf.h: take an options struct")
	} else if (inc in bare && (FILENAME ~ /^src\// ||
		   !((dir(FILENAME) "/" inc) in exists))) {
		fail("\"" inc "\" without its stage (" bare[inc] ")")
	} else if (!((dir(FILENAME) "/" inc) in exists)) {
		fail("\"" inc "\" is no project header")
	}
}
END { exit bad }
' $(cat "${TMPDIR:-/tmp}/layers.$$") || bad=1
exit $bad
