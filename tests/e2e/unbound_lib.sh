# tests/e2e/unbound_lib.sh -- sourced after lib.sh: an unbound of the
# test's own as the validating resolver in front of the running responder
# (dnssec.sh, dnssec_faults.sh).  Stopped by its PID on exit.
# shellcheck shell=bash

UB_PID=""

stop_unbound() {
	stop_pid "$UB_PID"
	UB_PID=""
}
trap 'stop_unbound; cleanup' EXIT

# start_unbound TA-FILE [CONFIG-LINE...]: a fresh unbound (empty cache)
# validating against TA-FILE and forwarding test. to the running
# responder, with the extra server: lines given.  Sets UPORT.  No aggressive NSEC (RFC
# 8198): a wildcard validated once would answer every faulted name below
# it from the cache, without asking the responder.
start_unbound() {
	local ta=$1
	shift
	stop_unbound
	UPORT=$(free_port)
	{
		cat <<CONF
server:
    interface: 127.0.0.1
    port: $UPORT
    username: ""
    chroot: ""
    directory: "$tmp"
    pidfile: ""
    use-syslog: no
    logfile: "$tmp/unbound.log"
    num-threads: 1
    do-ip6: no
    trust-anchor-file: "$ta"
    do-not-query-localhost: no
    local-zone: "test." nodefault
    access-control: 127.0.0.0/8 allow
    ede: yes
    val-log-level: 2
    aggressive-nsec: no
    module-config: "validator iterator"
CONF
		for l in "$@"; do printf '    %s\n' "$l"; done
		cat <<CONF
remote-control:
    control-enable: no
forward-zone:
    name: "test."
    forward-addr: 127.0.0.1@$PORT4
CONF
	} >"$tmp/unbound.conf"
	(exec unbound -d -c "$tmp/unbound.conf" >"$tmp/unbound.out" 2>&1) &
	UB_PID=$!
	for _ in $(seq 1 100); do
		dig @127.0.0.1 -p "$UPORT" +time=1 +tries=1 test. SOA >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	LAST_CMD="unbound -c $tmp/unbound.conf" fail "unbound starts" "an answer on port $UPORT" \
		"$(tail -n 5 "$tmp/unbound.out" "$tmp/unbound.log" 2>/dev/null)"
	return 1
}

# ask_ub NAME TYPE: through unbound (recursion desired, validated).
ask_ub() {
	LAST_CMD="dig @127.0.0.1 -p $UPORT $1 $2"
	OUT=$(timeout 20 dig @127.0.0.1 -p "$UPORT" +time=5 +tries=1 "$1" "$2" 2>&1)
	RC=$?
}

# secure RCODE NAME TYPE: unbound validated it (AD) with that RCODE.
secure() {
	ask_ub "$2" "$3"
	expect rcode "$1"
	expect flag ad
}
