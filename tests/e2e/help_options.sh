# tests/e2e/help_options.sh -- sourced: help_options PROGRAM prints the
# options PROGRAM --help names, one a line.  man.sh checks the man pages
# against them, completion.sh the bash completions.
# shellcheck shell=bash

# The options PROGRAM --help prints, one a line ("-z", "--zone").
help_options() {
	local help
	if ! help=$("$1" --help); then
		echo "help_options: '$1 --help' failed" >&2
		return 1
	fi
	# The option lines: "  -z, --zone FILE", "      --udp-max N",
	# "  --ca DOMAIN", "  -s, --server ...".
	sed -nE 's/^[[:space:]]+(-[A-Za-z0-9])([,[:space:]].*|$)/\1/p' <<<"$help"
	sed -nE 's/^[[:space:]]+-[A-Za-z0-9],[[:space:]]+(--[a-z0-9][a-z0-9-]*).*/\1/p' <<<"$help"
	sed -nE 's/^[[:space:]]+(--[a-z0-9][a-z0-9-]*).*/\1/p' <<<"$help"
	# A long option named anywhere ("every --ca is ...").
	grep -oE '(^|[^A-Za-z0-9-])--[a-z0-9][a-z0-9-]*[a-z0-9]' <<<"$help" |
		sed -E 's/^[^-]*//'
}

