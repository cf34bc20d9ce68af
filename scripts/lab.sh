#!/usr/bin/env bash
# scripts/lab.sh -- a small offline internet on this machine: a root, TLDs
# and domains, each served by a caa-responder instance on its own IPv4 and
# IPv6 addresses (port 53), signed or not, with fault rules and views per
# server, and the source addresses of remote network perspectives, all in a
# network namespace of its own (loopback only: nothing leaves the
# machine).  One lab file describes it (lab/*.lab, docs/lab.md); the lab
# writes the zones, the keys, the root hints and the trust anchor (the
# root's DS) into its directory.  Needs root (ip netns).
#
#   scripts/lab.sh [OPTIONS] up [LABFILE]    stand the lab up (default
#                                            lab/basic.lab)
#   scripts/lab.sh [OPTIONS] exec CMD...     run CMD inside the lab
#   scripts/lab.sh [OPTIONS] status          its servers, and whether each runs
#   scripts/lab.sh [OPTIONS] down            stop its servers (by PID) and
#                                            delete its namespace
#
#   -d, --dir DIR         the lab's directory (default $CAALAB_LAB_DIR,
#                         else /tmp/caalab-lab): zones, keys, logs,
#                         root.hints, root.ds, unbound.conf,
#                         perspectives.args (the lab file's perspective
#                         lines as caa-probe --perspective options)
#   -n, --netns NAME      up: the namespace's name (default caalab)
#   --responder PATH      up: caa-responder to run (default $CAA_RESPONDER,
#                         else build/responder/caa-responder, else PATH)
#   -h, --help            this text
#
# "down" fails (status 1) when a server did not exit with status 0 on
# SIGTERM or left a sanitizer report (ASan, UBSan) on its stderr; each
# such server and the report are named.
#
# Exit status: 0 done, 1 an error (a lab file error names file and line),
# 2 misuse.
set -u -o pipefail

me=lab.sh
root=$(cd "$(dirname "$0")/.." && pwd)
# sanitizer_report, and sanitizer reports on the servers' stderr.
# shellcheck source=tests/e2e/stop_lib.sh
. "$root/tests/e2e/stop_lib.sh"
dir=${CAALAB_LAB_DIR:-/tmp/caalab-lab}
netns=caalab
responder=${CAA_RESPONDER:-}

usage() {
	sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'
}
die() {
	echo "$me: $*" >&2
	exit 1
}

cmd=""
while [ $# -gt 0 ]; do
	case $1 in
	-d | --dir)
		[ $# -ge 2 ] || { echo "$me: $1 needs a value" >&2; exit 2; }
		dir=$2
		shift
		;;
	-n | --netns)
		[ $# -ge 2 ] || { echo "$me: $1 needs a value" >&2; exit 2; }
		netns=$2
		shift
		;;
	--responder)
		[ $# -ge 2 ] || { echo "$me: $1 needs a value" >&2; exit 2; }
		responder=$2
		shift
		;;
	-h | --help)
		usage
		exit 0
		;;
	-*)
		echo "$me: unknown option $1 (try --help)" >&2
		exit 2
		;;
	*)
		if [ -z "$cmd" ]; then
			cmd=$1
			shift
			[ "$cmd" = exec ] && break
			continue
		fi
		break
		;;
	esac
	shift
done
case $dir in
/*) ;;
*) dir=$PWD/$dir ;;
esac

# ---------------------------------------------------------------- lab file

# Servers, by index: host name (as the NS records name it), addresses,
# zones served, signing (""|dnssec|nsec3), responder arguments (one a line).
S_HOST=() S_LINE=() S_ADDRS=() S_ZONES=() S_SIGN=() S_ARGS=() S_SHELL=()
# Views, by server index: "FILE:LINE NAME CIDR..." one a line.
S_VIEWS=()
declare -A Z_RECS=() Z_SEEN=()
Z_LIST=()
# A zone's copy for a view: its records and the line of its zone line, by
# "ZONE NAME"; in V_LIST in the lab file's order.
declare -A V_RECS=() V_LINE=()
V_LIST=()
# Perspectives: name, source address, RIR ('' if none), lab file line.
P_NAME=() P_ADDR=() P_RIR=() P_LINE=()

# canon NAME: lower case, no final dot; the root is '.'.
canon() {
	local n=${1,,}
	[ "$n" = . ] && { echo .; return; }
	echo "${n%.}"
}
# fqdn NAME (canonical): with its final dot.
fqdn() {
	[ "$1" = . ] && { echo .; return; }
	echo "$1."
}
# enclosing NAME: the deepest lab zone at or above NAME ('' if none).
enclosing() {
	local n=$1
	while :; do
		[ -n "${Z_SEEN[$n]:-}" ] && { echo "$n"; return; }
		[ "$n" = . ] && return
		case $n in
		*.*) n=${n#*.} ;;
		*) n=. ;;
		esac
	done
}
# parent ZONE: the deepest lab zone strictly above ZONE.
parent() {
	local n=$1
	[ "$n" = . ] && return
	case $n in
	*.*) enclosing "${n#*.}" ;;
	*) enclosing . ;;
	esac
}
# under NAME ZONE: is NAME at or below ZONE?
under() {
	[ "$2" = . ] || [ "$1" = "$2" ] || [[ $1 == *".$2" ]]
}
is_v6() { [[ $1 == *:* ]]; }

# check_addr WHERE ADDR: dies (WHERE: address ...) unless ADDR looks like an
# IPv4 or an IPv6 address.
check_addr() {
	if is_v6 "$2"; then
		[[ $2 =~ ^[0-9a-fA-F:]+$ ]] || die "$1: address '$2' is not IPv6"
	else
		[[ $2 =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
			die "$1: address '$2' is neither IPv4 nor IPv6"
	fi
}

add_zone() {
	if [ -z "${Z_SEEN[$1]:-}" ]; then
		Z_SEEN[$1]=1
		Z_LIST+=("$1")
		Z_RECS[$1]=""
	fi
}

parse_lab() {
	local file=$1 line n=0 kw rest cur="" zone="" i=-1 w a z
	[ -r "$file" ] || die "$file: cannot read the lab file"
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		line=${line%$'\r'}
		[[ $line =~ ^[[:space:]]*(#|$) ]] && continue
		read -r kw rest <<<"$line"
		case $kw in
		zone)
			rest=${rest%%#*}
			read -r z w a <<<"$rest"
			[ -n "$z" ] && [ -z "$a" ] && [[ -z $w || $w == view=* ]] ||
				die "$file:$n: zone: one name, and view=NAME for a view's copy, as 'zone example.test' or 'zone example.test view=asia'"
			z=$(canon "$z")
			if [ -n "$w" ]; then
				w=${w#view=}
				[[ $w =~ ^[A-Za-z0-9_-]+$ ]] ||
					die "$file:$n: zone: view=: a name of letters, digits, '-' and '_', not '$w'"
				[ -z "${V_LINE["$z $w"]:-}" ] ||
					die "$file:$n: zone $z view=$w: given twice (first at ${V_LINE["$z $w"]})"
				V_LINE["$z $w"]="$file:$n"
				V_RECS["$z $w"]=""
				V_LIST+=("$z $w")
				cur=zone zone="$z $w"
			else
				add_zone "$z"
				cur=zone zone=$z
			fi
			;;
		perspective)
			rest=${rest%%#*}
			read -r -a w <<<"$rest"
			[ ${#w[@]} -ge 2 ] && [ ${#w[@]} -le 3 ] ||
				die "$file:$n: perspective: a name, one source address and rir=RIR, as 'perspective p1 127.0.1.1 rir=ARIN'"
			[[ ${w[0]} =~ ^[A-Za-z0-9_.-]{1,32}$ ]] ||
				die "$file:$n: perspective: name '${w[0]}' is not 1 to 32 letters, digits, '-', '_' or '.'"
			for a in "${P_NAME[@]}"; do
				[ "$a" != "${w[0]}" ] || die "$file:$n: perspective: name '${w[0]}' given twice"
			done
			a=${w[1]}
			check_addr "$file:$n: perspective" "$a"
			z=""
			if [ ${#w[@]} -eq 3 ]; then
				z=${w[2]#rir=}
				z=${z^^}
				[[ ${w[2]} == rir=* && $z =~ ^(ARIN|RIPE|APNIC|LACNIC|AFRINIC)$ ]] ||
					die "$file:$n: perspective: rir=: '${w[2]#rir=}' is not ARIN, RIPE, APNIC, LACNIC or AFRINIC"
			fi
			P_NAME+=("${w[0]}") P_ADDR+=("$a") P_RIR+=("$z") P_LINE+=("$file:$n")
			cur=""
			;;
		server)
			rest=${rest%%#*}
			read -r -a w <<<"$rest"
			[ ${#w[@]} -ge 2 ] ||
				die "$file:$n: server: a host name and at least one address, as 'server ns1.example.test 127.0.0.10 fd00::10'"
			i=$((i + 1))
			S_HOST[i]=$(canon "${w[0]}")
			S_LINE[i]="$file:$n"
			S_ADDRS[i]=""
			for a in "${w[@]:1}"; do
				check_addr "$file:$n: server" "$a"
				S_ADDRS[i]+="$a "
			done
			S_ZONES[i]="" S_SIGN[i]="" S_ARGS[i]="" S_VIEWS[i]=""
			cur=server
			;;
		serves | dnssec | nsec3 | fault | profile | option | view)
			[ "$cur" = server ] ||
				die "$file:$n: $kw: belongs under a server line"
			case $kw in
			serves)
				rest=${rest%%#*}
				read -r -a w <<<"$rest"
				[ ${#w[@]} -ge 1 ] || die "$file:$n: serves: at least one zone"
				for z in "${w[@]}"; do
					z=$(canon "$z")
					add_zone "$z"
					S_ZONES[i]+="$z "
				done
				;;
			dnssec)
				[ "${S_SIGN[i]}" = nsec3 ] || S_SIGN[i]=dnssec
				;;
			nsec3) S_SIGN[i]=nsec3 ;;
			fault)
				[ -n "$rest" ] || die "$file:$n: fault: a rule, as 'fault servfail example.test CAA'"
				S_ARGS[i]+="-f"$'\n'"$rest"$'\n'
				;;
			profile)
				rest=${rest%%#*}
				read -r w <<<"$rest"
				[ -n "$w" ] || die "$file:$n: profile: a name, as 'profile tld-flap'"
				S_ARGS[i]+="-P"$'\n'"$w"$'\n'
				;;
			view)
				rest=${rest%%#*}
				read -r -a w <<<"$rest"
				[ ${#w[@]} -ge 2 ] ||
					die "$file:$n: view: a view name and at least one address or prefix, as 'view asia 127.0.1.3 fd00::1:3/128'"
				for a in "${w[@]:1}"; do
					cidr_ok "$a" ||
						die "$file:$n: view ${w[0]}: '$a' is not an IPv4 or IPv6 address or prefix"
				done
				S_VIEWS[i]+="$file:$n ${w[*]}"$'\n'
				;;
			option)
				read -r -a w <<<"$rest"
				[ ${#w[@]} -ge 1 ] || die "$file:$n: option: caa-responder arguments"
				for a in "${w[@]}"; do S_ARGS[i]+="$a"$'\n'; done
				;;
			esac
			;;
		*)
			[ "$cur" = zone ] ||
				die "$file:$n: unknown keyword '$kw' (zone, server, perspective, serves, dnssec, nsec3, fault, profile, view, option; records only under a zone line)"
			# Leading blanks go: every record names its owner.
			line=${line#"${line%%[![:space:]]*}"}
			if [[ $zone == *" "* ]]; then
				V_RECS[$zone]+="$line"$'\n'
			else
				Z_RECS[$zone]+="$line"$'\n'
			fi
			;;
		esac
	done <"$file"
	[ $i -ge 0 ] || die "$file: no server line"
	for ((i = 0; i < ${#S_HOST[@]}; i++)); do
		[ -n "${S_ZONES[i]}" ] || die "$file: server ${S_HOST[i]}: no 'serves' line"
	done
	for z in "${Z_LIST[@]}"; do
		servers_of "$z" >/dev/null ||
			die "$file: zone $z: no server serves it"
	done
	[ -n "${Z_SEEN[.]:-}" ] || die "$file: no server serves the root (.)"
	check_views
}

# cidr_ok ADDR[/LEN]: an IPv4 or IPv6 address, with a prefix length that
# fits its family (caa-responder checks the rest).
cidr_ok() {
	local a=${1%/*} len=""
	[[ $1 == */* ]] && len=${1#*/}
	[ -z "$len" ] && [[ $1 == */* ]] && return 1
	[[ -z $len || $len =~ ^[0-9]{1,3}$ ]] || return 1
	if is_v6 "$a"; then
		[[ $a =~ ^[0-9a-fA-F:.]+$ ]] && [ "${len:-128}" -le 128 ]
	else
		[[ $a =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]] && [ "${len:-32}" -le 32 ]
	fi
}

# check_views: every server's view names a zone copy of one of its zones,
# and every zone copy is served by a server with that view.
check_views() {
	local i l at v c rest z used
	for ((i = 0; i < ${#S_HOST[@]}; i++)); do
		while read -r at v rest; do
			[ -n "$at" ] || continue
			used=""
			for z in ${S_ZONES[i]}; do
				[ -n "${V_LINE["$z $v"]:-}" ] && used=1
			done
			[ -n "$used" ] ||
				die "$at: view $v: no zone of server ${S_HOST[i]} has a copy for it ('zone ORIGIN view=$v')"
		done <<<"${S_VIEWS[i]}"
	done
	for l in "${V_LIST[@]}"; do
		z=${l% *} v=${l#* }
		[ -n "${Z_SEEN[$z]:-}" ] ||
			die "${V_LINE[$l]}: zone $z view=$v: no server serves $z"
		used=""
		for i in $(servers_of "$z"); do
			while read -r at c rest; do
				[ "$c" = "$v" ] && used=1
			done <<<"${S_VIEWS[i]}"
		done
		[ -n "$used" ] ||
			die "${V_LINE[$l]}: zone $z view=$v: no server of $z has a 'view $v ...' line"
	done
}

# servers_of ZONE: the indexes of the servers that serve ZONE (status 1: none).
servers_of() {
	local i found=1
	for ((i = 0; i < ${#S_HOST[@]}; i++)); do
		if [[ " ${S_ZONES[i]}" == *" $1 "* ]]; then
			echo "$i"
			found=0
		fi
	done
	return $found
}
# signed ZONE: does a server of ZONE sign it?
signed() {
	local i
	for i in $(servers_of "$1"); do
		[ -n "${S_SIGN[i]}" ] && return 0
	done
	return 1
}

# addr_rrs HOST: the A and AAAA records of every server named HOST.
addr_rrs() {
	local i a
	for ((i = 0; i < ${#S_HOST[@]}; i++)); do
		[ "${S_HOST[i]}" = "$1" ] || continue
		for a in ${S_ADDRS[i]}; do
			if is_v6 "$a"; then
				echo "$(fqdn "$1") AAAA $a"
			else
				echo "$(fqdn "$1") A $a"
			fi
		done
	done
}

# ns_hosts ZONE: the distinct host names of ZONE's servers.
ns_hosts() {
	local i
	for i in $(servers_of "$1"); do echo "${S_HOST[i]}"; done | sort -u
}

# write_zone ZONE FILE [VIEW]: SOA, NS, the addresses of the servers whose
# names lie in ZONE, each child's delegation (NS, glue, DS when signed), and
# the lab file's records (of ZONE's copy for VIEW when given).
write_zone() {
	local z=$1 out=$2 v=${3:-} h c first
	first=$(ns_hosts "$z" | head -n 1)
	{
		echo "; written by scripts/lab.sh from $labfile"
		echo "\$ORIGIN $(fqdn "$z")"
		echo "\$TTL 300"
		echo "@ SOA $(fqdn "$first") hostmaster 1 3600 900 604800 300"
		for h in $(ns_hosts "$z"); do echo "@ NS $(fqdn "$h")"; done
		for h in $(printf '%s\n' "${S_HOST[@]}" | sort -u); do
			[ "$(enclosing "$h")" = "$z" ] && addr_rrs "$h"
		done
		for c in "${Z_LIST[@]}"; do
			[ "$c" != "$z" ] && [ "$(parent "$c")" = "$z" ] || continue
			for h in $(ns_hosts "$c"); do
				echo "$(fqdn "$c") NS $(fqdn "$h")"
				under "$h" "$c" && addr_rrs "$h"
			done
			if signed "$c"; then
				grep -v '^;' "$dir/keys/$(key_of "$c").ds"
			fi
		done
		if [ -n "$v" ]; then
			printf '%s' "${V_RECS["$z $v"]}"
		else
			printf '%s' "${Z_RECS[$z]}"
		fi
	} >"$out"
}

# key_of ZONE: the base name of ZONE's key in $dir/keys.
declare -A Z_KEY=()
key_of() { echo "${Z_KEY[$1]}"; }

# zone_file ZONE [VIEW]: where ZONE (its copy for VIEW) is written.
zone_file() {
	local b=$1
	[ "$b" = . ] && b=root
	echo "$dir/zones/$b${2:+.view-$2}.zone"
}

# view_args I: the --view options of server I, one a line: for each of its
# views, each CIDR gets each of the server's zones (a view holds only its
# own zones), the view's copy where there is one.
view_args() {
	local at v rest z c f
	while read -r at v rest; do
		[ -n "$at" ] || continue
		for c in $rest; do
			for z in ${S_ZONES[$1]}; do
				f=$(zone_file "$z")
				[ -n "${V_LINE["$z $v"]:-}" ] && f=$(zone_file "$z" "$v")
				printf -- '--view\n%s=%s\n' "$c" "$f"
			done
		done
	done <<<"${S_VIEWS[$1]}"
}

# ---------------------------------------------------------------- commands

in_ns() { ip netns exec "$netns" "$@"; }

# ours PID: is PID a caa-responder of this lab (its query log in $dir/log)?
ours() {
	local c
	[ -r "/proc/$1/cmdline" ] || return 1
	c=$(tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline") || return 1
	[[ $c == *caa-responder* && $c == *" $dir/log/"* ]]
}

lab_down() {
	local pid host left t bad=0
	if [ ! -f "$dir/netns" ]; then
		echo "$me: no lab is up in $dir"
		return 0
	fi
	netns=$(cat "$dir/netns")
	left=""
	if [ -f "$dir/pids" ]; then
		while read -r pid host; do
			if ours "$pid"; then
				kill -TERM "$pid" 2>/dev/null
				left+="$pid "
			fi
		done <"$dir/pids"
	fi
	for ((t = 0; t < 50; t++)); do
		local still=""
		for pid in $left; do ours "$pid" && still+="$pid "; done
		left=$still
		[ -z "$left" ] && break
		sleep 0.1
	done
	for pid in $left; do
		echo "$me: $pid does not stop on SIGTERM: SIGKILL" >&2
		kill -KILL "$pid" 2>/dev/null
	done
	lab_judge || bad=1
	if grep -q "^$netns\( \|$\)" <<<"$(ip netns list)"; then
		ip netns del "$netns" || die "cannot delete namespace $netns"
	fi
	rm -f "$dir/netns" "$dir/pids"
	echo "lab down: namespace $netns deleted, servers stopped"
	return "$bad"
}

# lab_judge: 0 if every server of $dir/pids ended well: exit status 0 on
# SIGTERM (H.I.status) and no sanitizer report on its stderr (H.I.err,
# tests/e2e/stop_lib.sh); otherwise 1, each problem on stderr.
lab_judge() {
	local pid host base st report i=0 t bad=0
	[ -f "$dir/pids" ] || return 0
	while read -r pid host; do
		base=$dir/log/$host.$i
		i=$((i + 1))
		for ((t = 0; t < 20; t++)); do
			[ -s "$base.status" ] && break
			sleep 0.1
		done
		st=$(cat "$base.status" 2>/dev/null)
		if [ "$st" != 0 ]; then
			echo "$me: server $host (pid $pid) exited with status ${st:-unknown} (see $base.err)" >&2
			bad=1
		fi
		report=$(sanitizer_report "$base.err")
		if [ -n "$report" ]; then
			printf '%s: server %s (pid %s): a sanitizer report in %s:\n%s\n' \
				"$me" "$host" "$pid" "$base.err" "$report" >&2
			bad=1
		fi
	done <"$dir/pids"
	return "$bad"
}

lab_status() {
	local pid host
	[ -f "$dir/netns" ] || { echo "no lab is up in $dir"; return 1; }
	echo "namespace $(cat "$dir/netns"), directory $dir"
	while read -r pid host; do
		if ours "$pid"; then
			echo "  $host pid $pid running"
		else
			echo "  $host pid $pid NOT running"
		fi
	done <"$dir/pids"
}

lab_up() {
	local i z a ready t h args pid first_err
	labfile=${1:-$root/lab/basic.lab}
	case $labfile in
	/*) ;;
	*) labfile=$PWD/$labfile ;;
	esac
	if [ -z "$responder" ]; then
		if [ -x "$root/build/responder/caa-responder" ]; then
			responder=$root/build/responder/caa-responder
		else
			responder=$(command -v caa-responder) ||
				die "no caa-responder: build it (build/) or give --responder"
		fi
	fi
	[ -x "$responder" ] || die "$responder: not an executable"
	[ -f "$dir/netns" ] &&
		die "a lab is up in $dir (namespace $(cat "$dir/netns")): '$0 -d $dir down' first"
	command -v ip >/dev/null || die "ip (iproute2) is not installed"
	parse_lab "$labfile"

	rm -rf "$dir/zones" "$dir/keys" "$dir/log"
	mkdir -p "$dir/zones" "$dir/keys" "$dir/log" || die "cannot make $dir"

	# Keys first, children before parents need them: every signed zone
	# gets one ECDSAP256SHA256 key (flags 257) made here, so that its DS
	# is known before its parent's zone file is written.
	for z in "${Z_LIST[@]}"; do
		signed "$z" || continue
		command -v ldns-keygen >/dev/null ||
			die "ldns-keygen is not installed (package ldnsutils)"
		Z_KEY[$z]=$(cd "$dir/keys" && ldns-keygen -a ECDSAP256SHA256 -k "$(fqdn "$z")") ||
			die "ldns-keygen fails for $z"
	done
	for z in "${Z_LIST[@]}"; do
		write_zone "$z" "$(zone_file "$z")"
	done
	for z in "${V_LIST[@]}"; do
		write_zone "${z% *}" "$(zone_file "${z% *}" "${z#* }")" "${z#* }"
	done
	# The perspectives' options for caa-probe and caa-gate, on one line.
	rm -f "$dir/perspectives.args"
	if [ ${#P_NAME[@]} -gt 0 ]; then
		for ((i = 0; i < ${#P_NAME[@]}; i++)); do
			printf -- '--perspective %s=from=%s%s' "${P_NAME[i]}" "${P_ADDR[i]}" \
				"${P_RIR[i]:+,rir=${P_RIR[i]}}"
			[ $((i + 1)) -lt ${#P_NAME[@]} ] && printf ' '
		done >"$dir/perspectives.args"
		echo >>"$dir/perspectives.args"
	fi

	# The root hints, the trust anchor and an unbound.conf for a resolver.
	{
		for h in $(ns_hosts .); do
			echo ". 3600000 NS $(fqdn "$h")"
			addr_rrs "$h" | sed 's/ \(A\|AAAA\) / 3600000 \1 /'
		done
	} >"$dir/root.hints"
	if signed .; then
		grep -v '^;' "$dir/keys/$(key_of .).ds" >"$dir/root.ds"
		ta="$dir/root.ds"
	else
		rm -f "$dir/root.ds"
		ta=none
	fi
	{
		echo "# unbound.conf for a validating resolver inside the lab:"
		echo "#   scripts/lab.sh -d $dir exec unbound -d -c $dir/unbound.conf"
		echo "server:"
		echo "    interface: 127.0.0.53"
		echo "    port: 53"
		echo "    username: \"\""
		echo "    chroot: \"\""
		echo "    directory: \"$dir\""
		echo "    pidfile: \"\""
		echo "    use-syslog: no"
		echo "    num-threads: 1"
		echo "    do-ip6: yes"
		echo "    root-hints: \"$dir/root.hints\""
		[ "$ta" != none ] && echo "    trust-anchor-file: \"$dir/root.ds\""
		echo "    do-not-query-localhost: no"
		echo "    local-zone: \"test.\" nodefault"
		echo "    access-control: 127.0.0.0/8 allow"
		echo "    ede: yes"
		echo "    val-log-level: 2"
		echo "remote-control:"
		echo "    control-enable: no"
	} >"$dir/unbound.conf"

	# The namespace, its loopback, every server's addresses on it.
	ip netns add "$netns" 2>"$dir/log/netns.err" ||
		die "cannot make network namespace $netns: $(cat "$dir/log/netns.err")"
	echo "$netns" >"$dir/netns"
	: >"$dir/pids"
	in_ns ip link set lo up || { lab_down >/dev/null; die "cannot bring lo up in $netns"; }
	in_ns sysctl -qw net.ipv6.conf.lo.disable_ipv6=0 2>/dev/null
	for ((i = 0; i < ${#S_HOST[@]}; i++)); do
		for a in ${S_ADDRS[i]}; do
			if is_v6 "$a"; then
				in_ns ip -6 addr add "$a/128" dev lo nodad 2>/dev/null
			elif [[ $a != 127.* ]]; then
				in_ns ip addr add "$a/32" dev lo 2>/dev/null
			fi
		done
	done
	for a in "${P_ADDR[@]}"; do
		if is_v6 "$a"; then
			in_ns ip -6 addr add "$a/128" dev lo nodad 2>/dev/null
		elif [[ $a != 127.* ]]; then
			in_ns ip addr add "$a/32" dev lo 2>/dev/null
		fi
	done

	# The servers, each detached (setsid), its PID in $dir/pids.
	for ((i = 0; i < ${#S_HOST[@]}; i++)); do
		h=${S_HOST[i]}
		args=()
		for a in ${S_ADDRS[i]}; do
			if is_v6 "$a"; then args+=(-l "[$a]:53"); else args+=(-l "$a:53"); fi
		done
		args+=(-q "$dir/log/$h.$i.jsonl")
		if [ -n "${S_SIGN[i]}" ]; then
			args+=(--dnssec --key-dir "$dir/keys")
			[ "${S_SIGN[i]}" = nsec3 ] && args+=(--nsec3)
		fi
		if [ -n "${S_ARGS[i]}" ]; then
			while IFS= read -r a; do args+=("$a"); done <<<"${S_ARGS[i]%$'\n'}"
		fi
		for z in ${S_ZONES[i]}; do args+=("$(zone_file "$z")"); done
		while IFS= read -r a; do
			[ -n "$a" ] && args+=("$a")
		done < <(view_args "$i")
		printf '%s\n' "$responder ${args[*]}" >"$dir/log/$h.$i.cmd"
		# Under a shell that keeps its exit status for "down" (in
		# H.I.status); the server's own PID in H.I.pid.
		rm -f "$dir/log/$h.$i.pid" "$dir/log/$h.$i.status"
		# shellcheck disable=SC2016 # expanded by that shell
		setsid ip netns exec "$netns" bash -c \
			'"${@:2}" & echo $! >"$1.pid"; wait $!; echo $? >"$1.status"' \
			lab-server "$dir/log/$h.$i" "$responder" "${args[@]}" \
			</dev/null >"$dir/log/$h.$i.out" 2>"$dir/log/$h.$i.err" &
		S_SHELL[i]=$!
	done
	for ((i = 0; i < ${#S_HOST[@]}; i++)); do
		h=${S_HOST[i]}
		for ((t = 0; t < 100; t++)); do
			[ -s "$dir/log/$h.$i.pid" ] && break
			sleep 0.1
		done
		echo "$(cat "$dir/log/$h.$i.pid" 2>/dev/null || echo "${S_SHELL[i]}") $h" >>"$dir/pids"
	done
	i=0
	while read -r pid h; do
		ready=false
		for ((t = 0; t < 300; t++)); do
			if grep -q '^ready' "$dir/log/$h.$i.out" 2>/dev/null; then
				ready=true
				break
			fi
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if ! $ready; then
			first_err=$(head -n 5 "$dir/log/$h.$i.err")
			lab_down >/dev/null
			die "${S_LINE[i]}: server $h does not start: ${first_err:-no ready line in 30 s} (command in $dir/log/$h.$i.cmd)"
		fi
		i=$((i + 1))
	done <"$dir/pids"

	echo "lab up: namespace $netns, ${#S_HOST[@]} servers, ${#Z_LIST[@]} zones, from $labfile"
	for ((i = 0; i < ${#S_HOST[@]}; i++)); do
		printf '  %-24s %-28s %s%s\n' "${S_HOST[i]}" "${S_ADDRS[i]% }" "${S_ZONES[i]% }" \
			"${S_SIGN[i]:+ (${S_SIGN[i]})}"
		while read -r a h z; do
			[ -n "$a" ] && printf '  %-24s view %s: %s\n' "" "$h" "$z"
		done <<<"${S_VIEWS[i]}"
	done
	for ((i = 0; i < ${#P_NAME[@]}; i++)); do
		printf '  perspective %-12s %-28s %s\n' "${P_NAME[i]}" "${P_ADDR[i]}" "${P_RIR[i]}"
	done
	echo "root hints:   $dir/root.hints"
	echo "trust anchor: ${ta}"
	[ ${#P_NAME[@]} -gt 0 ] && echo "perspectives: $dir/perspectives.args"
	echo "query logs:   $dir/log/*.jsonl"
	echo "use it:"
	echo "  $0 -d $dir exec caa-probe -r --root-hints $dir/root.hints --trust-anchor $ta NAME"
	[ ${#P_NAME[@]} -gt 0 ] &&
		echo "  $0 -d $dir exec caa-probe -r --root-hints $dir/root.hints --trust-anchor $ta \$(cat $dir/perspectives.args) NAME"
	echo "  $0 -d $dir exec unbound -d -c $dir/unbound.conf   # a resolver on 127.0.0.53"
	echo "  $0 -d $dir down"
}

case $cmd in
up)
	[ $# -le 1 ] || { echo "$me: up takes one lab file" >&2; exit 2; }
	lab_up "$@"
	;;
down) lab_down ;;
status) lab_status ;;
exec)
	[ $# -ge 1 ] || { echo "$me: exec needs a command" >&2; exit 2; }
	[ -f "$dir/netns" ] || die "no lab is up in $dir"
	netns=$(cat "$dir/netns")
	CAALAB_LAB_DIR=$dir exec ip netns exec "$netns" "$@"
	;;
"")
	usage >&2
	exit 2
	;;
*)
	echo "$me: unknown command $cmd (up, exec, status, down; try --help)" >&2
	exit 2
	;;
esac
