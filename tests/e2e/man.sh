#!/usr/bin/env bash
# tests/e2e/man.sh -- the man pages: clean under mandoc's lint, and in step
# with the programs' --help.
#
#   man.sh lint PAGE...
#       mandoc -Tlint -W warning on every PAGE; any message fails.
#   man.sh options PROGRAM PAGE [PROGRAM PAGE]...
#       every option PROGRAM --help prints (the short and long forms at the
#       start of its option lines, and every --long word anywhere in it)
#       must appear in PAGE as an argument of the Fl macro; and every option
#       PAGE lists under OPTIONS (the Fl of each .It head there) must be one
#       that --help prints.  So a page can neither miss an option the code
#       has nor document one it lacks.
#
# Status 0 when everything holds, 1 when something does not (each miss is
# printed), 77 (a skip for ctest) when mandoc is not installed.
set -u -o pipefail

if ! command -v mandoc >/dev/null 2>&1; then
	echo "man.sh: mandoc is not installed: skipped" >&2
	exit 77
fi

usage() {
	echo "usage: man.sh lint PAGE... | man.sh options PROGRAM PAGE..." >&2
	exit 2
}

# shellcheck source=tests/e2e/help_options.sh
. "$(dirname "$0")/help_options.sh"

# The text of every Fl in PAGE, as options ("-z", "--zone"), one a line;
# with "heads", only those in the .It heads of the OPTIONS section.
page_options() {
	local tree
	if ! tree=$(mandoc -Ttree "$1"); then
		echo "man.sh: mandoc -Ttree $1 failed" >&2
		return 1
	fi
	awk -v only_heads="${2:-}" '
	function indent(s) { match(s, /^ */); return RLENGTH }
	{
		n = indent($0)
		if ($0 ~ /^ *Sh \(head\)/) { sh_head = n; section = ""; next }
		if (sh_head >= 0 && n > sh_head && $0 ~ /\(text\)/ && section == "") {
			t = $0; sub(/^ */, "", t); sub(/ \(text\).*/, "", t)
			section = t; sh_head = -1
		}
		if (it_head >= 0 && n <= it_head) it_head = -1
		if ($0 ~ /^ *It \(head\)/) { it_head = n; next }
		if (fl >= 0 && n <= fl) fl = -1
		if ($0 ~ /^ *Fl \(elem\)/) { fl = n; next }
		if (fl >= 0 && $0 ~ /\(text\)/) {
			if (only_heads != "" && (it_head < 0 || section != "OPTIONS"))
				next
			t = $0; sub(/^ */, "", t); sub(/ \(text\).*/, "", t)
			if (t ~ /^-?[A-Za-z0-9][A-Za-z0-9-]*$/) print "-" t
		}
	}
	BEGIN { sh_head = -1; it_head = -1; fl = -1 }' <<<"$tree"
}

check_options() {
	local prog=$1 page=$2 opt bad=0
	local -A in_page=() in_help=()
	local help_list page_list head_list

	help_list=$(help_options "$prog") || return 1
	page_list=$(page_options "$page") || return 1
	head_list=$(page_options "$page" heads) || return 1
	if [ -z "$help_list" ]; then
		echo "FAIL $(basename "$prog"): no option found in --help"
		return 1
	fi
	if [ -z "$head_list" ]; then
		echo "FAIL $page: no option listed under OPTIONS"
		return 1
	fi
	while read -r opt; do
		[ -n "$opt" ] && in_page[$opt]=1
	done <<<"$page_list"
	while read -r opt; do
		[ -n "$opt" ] && in_help[$opt]=1
	done <<<"$help_list"
	for opt in $(sort -u <<<"$help_list"); do
		if [ -z "${in_page[$opt]:-}" ]; then
			echo "FAIL $page: $opt (in $(basename "$prog") --help) is not in the page as .Fl"
			bad=1
		fi
	done
	for opt in $(sort -u <<<"$head_list"); do
		if [ -z "${in_help[$opt]:-}" ]; then
			echo "FAIL $page: $opt (listed under OPTIONS) is not in $(basename "$prog") --help"
			bad=1
		fi
	done
	if [ "$bad" -eq 0 ]; then
		echo "ok $page: $(sort -u <<<"$help_list" | wc -l) options of $(basename "$prog") --help, $(sort -u <<<"$head_list" | wc -l) listed"
	fi
	return "$bad"
}

[ $# -ge 2 ] || usage
mode=$1
shift
status=0
case $mode in
lint)
	for page in "$@"; do
		out=$(mandoc -Tlint -W warning "$page" 2>&1)
		rc=$?
		if [ -n "$out" ] || [ "$rc" -ne 0 ]; then
			echo "FAIL $page: mandoc -Tlint -W warning (status $rc):"
			printf '%s\n' "$out"
			status=1
		else
			echo "ok $page: mandoc -Tlint -W warning is silent"
		fi
	done
	;;
options)
	[ $(($# % 2)) -eq 0 ] || usage
	while [ $# -gt 0 ]; do
		check_options "$1" "$2" || status=1
		shift 2
	done
	;;
*)
	usage
	;;
esac
exit "$status"
