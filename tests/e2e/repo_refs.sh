#!/usr/bin/env bash
# tests/e2e/repo_refs.sh -- the repository cites only itself.
#
# caalab is read on its own, from a checkout or from an installed copy of
# its docs: no file may send the reader to a document the repository does
# not hold.  This fails, naming file and line, when a file cites one of the
# notes the project was once written from (a design, style, rules, cases,
# profiles or recipe note, or anything under a "shared" directory) instead
# of docs/ or the fact itself.
#
#   tests/e2e/repo_refs.sh [REPO-DIR]     (default: the checkout it is in)
#
# The files are those git tracks when REPO-DIR is a git checkout, else every
# file under it but build trees (build*/) and .git/.  Binary files are
# skipped (grep -I).  Exit 0: none found; 1: some found, listed on stdout.
set -u -o pipefail

ROOT=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT" || exit 2

# The names are spelled in pieces so that this file does not cite them.
NOTES='(design|style|rules|cases|profiles|recipe)[.]md'
SHARED='(^|[^A-Za-z0-9_.-])[.]{0,2}/?shared[/]'
PATTERN="$NOTES|$SHARED"

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	list() { git ls-files -z; }
else
	list() {
		find . \( -name .git -o -name 'build*' \) -prune -o -type f -print0 |
			sed -z 's|^\./||'
	}
fi

hits=$(list | xargs -0 grep -I -n -i -E "$PATTERN" -- 2>/dev/null)
# The design note by its bare name, in capitals as it was cited.
caps=$(list | xargs -0 grep -I -n -w -E 'DESIG[N]' -- 2>/dev/null)
hits=$(printf '%s\n%s\n' "$hits" "$caps" | sed '/^$/d' | sort -u)
if [ -n "$hits" ]; then
	echo "files citing documents outside the repository (cite docs/ or state the fact):"
	printf '%s\n' "$hits"
	echo "$(printf '%s\n' "$hits" | wc -l) line(s)"
	exit 1
fi
echo "no citation of a document outside the repository"
exit 0
