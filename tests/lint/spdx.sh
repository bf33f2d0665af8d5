#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/lint/spdx.sh [ROOT] - every source file of ROOT (default: the
# repository) names its licence in its first five lines:
# "SPDX-License-Identifier: Apache-2.0".  Source is code, scripts, build
# and packaging files, manifests and man pages; test data, fuzz seeds and
# corpora, JSON, Markdown and the generated plugin/pid2pod.conf are not.
# Prints one line per file without it; exits 1 if there is any, 0 if none,
# 2 if ROOT has no src/.
set -u
ROOT=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT" || exit 2
[ -d src ] || { echo "no src/ under $ROOT"; exit 2; }
TAG='SPDX-License-Identifier: Apache-2.0'

# the files: git's list in a clone, every file otherwise (a tarball)
if [ -d .git ] && git rev-parse --git-dir >/dev/null 2>&1; then
	list() { git ls-files; }
else
	list() { find . -path ./build -prune -o -path ./.git -prune -o -type f -print | sed 's|^\./||'; }
fi

is_source() {
	case $1 in
	tests/data/* | fuzz/seeds/* | fuzz/corpus/* | *.json | *.md | LICENSE) return 1 ;;
	plugin/pid2pod.conf) return 1 ;; # written by --print-config
	packaging/debian/source/format | packaging/debian/changelog) return 1 ;;
	packaging/debian/copyright | packaging/debian/pid2pod.docs) return 1 ;;
	*.c | *.h | *.sh | *.py | *.yaml | *.mut | *.rules | *.conf | *.spec) return 0 ;;
	Makefile | .gitignore | .ci/* | deploy/* | man/* | completion/*) return 0 ;;
	packaging/*) return 0 ;;
	*) return 1 ;;
	esac
}

bad=0
while IFS= read -r f; do
	is_source "$f" || continue
	[ -f "$f" ] || continue
	if ! head -n 5 "$f" | grep -qF "$TAG"; then
		echo "$f: no '$TAG' in its first five lines"
		bad=1
	fi
done < <(list)
exit $bad
