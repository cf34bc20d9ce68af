#!/usr/bin/env bash
# tests/e2e/repo_pipes.sh -- no "grep -q" at the end of a pipe in a shell
# script that sets pipefail.
#
# grep -q exits at its first match; the command writing into the pipe may
# then die of SIGPIPE, and with pipefail the pipe's status is that failure:
# a match read as "not found", now and then, by timing alone (a test that
# fails once in a while on a loaded machine).  Write `grep -q PATTERN
# <<<"$TEXT"` instead, or keep the whole output first.  This fails, naming
# file and line, for every such pipe in a tracked *.sh file (a library
# sourced by a script that sets pipefail runs under it too).
#
#   tests/e2e/repo_pipes.sh [REPO-DIR]     (default: the checkout it is in)
#
# Exit 0: none found; 1: some found, listed on stdout.
set -u -o pipefail

ROOT=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT" || exit 2

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	list() { git ls-files -z -- '*.sh'; }
else
	list() { find . \( -name .git -o -name 'build*' \) -prune -o -type f -name '*.sh' -print0; }
fi

found=0
while IFS= read -r -d '' f; do
	# (every script: a sourced library runs under its caller's pipefail)
	# a pipe into grep whose options hold q: "| grep -q", "| grep -Fxq", ...
	hits=$(grep -nE '\|[[:space:]]*grep([[:space:]]+-[A-Za-z]+)*[[:space:]]+-[A-Za-z]*q' "$f" |
		grep -v '^[0-9]*:[[:space:]]*#')
	if [ -n "$hits" ]; then
		sed "s|^|$f:|" <<<"$hits"
		found=1
	fi
done < <(list)
if [ "$found" = 0 ]; then
	echo "repo_pipes: no grep -q at the end of a pipe under pipefail"
fi
exit "$found"
