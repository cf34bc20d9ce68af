#!/usr/bin/env bash
# tests/e2e/completion.sh -- the bash completions of completions/: each is
# sourced in a fresh bash, on its own and again after bash-completion's
# helpers (when the bash-completion package is installed), and asked to
# complete a command line as a user's TAB would: an option's prefix, the
# values of --format, --policy and --method, file names after -f and -z,
# and the profile names after -P, which must be exactly the profiles the
# responder knows (those its error for an unknown profile lists).  And
# every option a program's --help names is offered after "-".
#
#   completion.sh caa-responder caa-probe caa-gate   (paths)
# shellcheck source=tests/e2e/probe_lib.sh
. "$(dirname "$0")/probe_lib.sh" "${1:-}" "${2:-}"
# shellcheck source=tests/e2e/help_options.sh
. "$E2E_DIR/help_options.sh"
GATE=${3:-}
if [ -z "$GATE" ] || [ ! -x "$GATE" ]; then
	echo "usage: $0 PATH-TO-caa-responder PATH-TO-caa-probe PATH-TO-caa-gate" >&2
	exit 2
fi

COMPLETIONS=$(cd "$E2E_DIR/../../completions" && pwd)
HELPERS=/usr/share/bash-completion/bash_completion

# The programs by their names, as a user types them.
mkdir -p "$tmp/bin" "$tmp/files"
ln -s "$RESPONDER" "$tmp/bin/caa-responder"
ln -s "$PROBE" "$tmp/bin/caa-probe"
ln -s "$GATE" "$tmp/bin/caa-gate"
touch "$tmp/files/names.txt" "$tmp/files/zone.db" "$tmp/files/other"

# complete_line MODE LINE: the completions (one a line, sorted) bash offers
# for LINE with the cursor at its end.  MODE plain: only the completion
# file is sourced; helpers: bash-completion's bash_completion first.
complete_line() {
	LAST_CMD="complete ($1): '$2'"
	# shellcheck disable=SC2016 # the script runs in the inner bash
	PATH=$tmp/bin:$PATH timeout 30 bash --norc --noprofile -c '
		mode=$1 dir=$2 line=$3
		if [ "$mode" = helpers ]; then
			. "$4" >/dev/null 2>&1 || { echo "cannot source $4"; exit 3; }
		fi
		read -r -a COMP_WORDS <<<"$line"
		[[ $line == *" " ]] && COMP_WORDS+=("")
		. "$dir/${COMP_WORDS[0]}" || exit 3
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$line
		COMP_POINT=${#line}
		spec=$(complete -p "${COMP_WORDS[0]}") || exit 3
		func=${spec#*-F }
		func=${func%% *}
		COMPREPLY=()
		"$func" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" \
			"${COMP_WORDS[COMP_CWORD - 1]:-}"
		if [ ${#COMPREPLY[@]} -gt 0 ]; then
			printf "%s\n" "${COMPREPLY[@]}" | sort
		fi
	' _ "$1" "$COMPLETIONS" "$2" "$HELPERS" >"$tmp/compl.out" 2>"$tmp/compl.err"
	CRC=$?
	OUT="$(cat "$tmp/compl.out")
stderr: $(cat "$tmp/compl.err")"
	COMPL=$(tr '\n' ' ' <"$tmp/compl.out")
	COMPL=${COMPL% }
}

# expect_completion MODE LINE WANT: LINE completes to exactly WANT (sorted,
# separated by single spaces).
expect_completion() {
	complete_line "$1" "$2"
	check "$1: '$2' completes to" "$3" "$COMPL"
	check "$1: '$2' exit status" 0 "$CRC"
}

# The profiles, as the responder names them when one is unknown.
# shellcheck disable=SC2034 # fail (lib.sh) prints it
LAST_CMD="caa-responder -P no-such-profile"
OUT=$(timeout 10 "$RESPONDER" -P no-such-profile -l 127.0.0.1:0 \
	"$ZONES_DIR/test.zone" 2>&1 >/dev/null)
PROFILES=$(sed -n 's/.*(valid: \([^)]*\)).*/\1/p' <<<"$OUT" | tr -d ',' |
	tr ' ' '\n' | sort | tr '\n' ' ')
PROFILES=${PROFILES% }
check_match "the responder lists its profiles in its error" 'caa-servfail' "$PROFILES"

modes=(plain)
if [ -r "$HELPERS" ]; then
	modes+=(helpers)
else
	echo "note: $HELPERS not installed (package bash-completion): only plain bash"
fi

for mode in "${modes[@]}"; do
	expect_completion "$mode" "caa-probe --fo" "--format"
	expect_completion "$mode" "caa-probe --format " "brief json jsonl text"
	expect_completion "$mode" "caa-probe -o j" "json jsonl"
	expect_completion "$mode" "caa-probe --policy " "boulder rfc8659"
	expect_completion "$mode" "caa-probe --method " "dns-01 http-01 tls-alpn-01"
	expect_completion "$mode" "caa-probe --qu" "--quiet --quorum"
	expect_completion "$mode" "caa-probe --pers" "--perspective"
	expect_completion "$mode" "caa-probe --perspective " ""
	expect_completion "$mode" "caa-gate --quo" "--quorum"
	expect_completion "$mode" "caa-probe --rec" "--recursive"
	expect_completion "$mode" "caa-probe --resolver " "system"
	expect_completion "$mode" "caa-probe --trust-anchor no" "none"
	expect_completion "$mode" "caa-probe --root-hints $tmp/files/na" "$tmp/files/names.txt"
	expect_completion "$mode" "caa-probe -f $tmp/files/na" "$tmp/files/names.txt"
	expect_completion "$mode" "caa-responder -P " "$PROFILES"
	expect_completion "$mode" "caa-responder --profile tld" "tld-flap"
	expect_completion "$mode" "caa-responder --control-token-" "--control-token-file"
	expect_completion "$mode" "caa-responder --default-ipv" "--default-ipv4 --default-ipv6"
	expect_completion "$mode" "caa-responder -z $tmp/files/zo" "$tmp/files/zone.db"
	expect_completion "$mode" "caa-responder -q $tmp/files/ot" "$tmp/files/other"
	expect_completion "$mode" "caa-responder $tmp/files/zo" "$tmp/files/zone.db"
	expect_completion "$mode" "caa-responder --trust-anchor-out $tmp/files/ot" "$tmp/files/other"
	expect_completion "$mode" "caa-responder --key-dir $tmp/fi" "$tmp/files"
	expect_completion "$mode" "caa-gate --resolver " "system"
	expect_completion "$mode" "caa-gate --rech" "--recheck"
	expect_completion "$mode" "caa-gate --recheck " "after= always never"
	expect_completion "$mode" "caa-gate --policy b" "boulder"
	expect_completion "$mode" "caa-gate --cert-out $tmp/files/ot" "$tmp/files/other"
	expect_completion "$mode" "caa-gate -q $tmp/files/na" "$tmp/files/names.txt"
done

# Every option of --help, offered after "-": a new option cannot be left
# out of its completion.
for prog in caa-responder caa-probe caa-gate; do
	complete_line plain "$prog -"
	missing=""
	for opt in $(help_options "$tmp/bin/$prog" | sort -u); do
		grep -qxF -- "$opt" "$tmp/compl.out" || missing="$missing $opt"
	done
	check "$prog: options of --help the completion lacks" "" "${missing# }"
done

finish
