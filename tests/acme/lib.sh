# shellcheck shell=bash
# tests/acme/lib.sh -- the setup of scripts/acme-e2e.sh: the tools, the
# build, the daemons (caa-responder, unbound, Pebble, caa-gate), the
# management API, the ACME clients (lego, certbot, uacme) and the result
# table.  Sourced by scripts/acme-e2e.sh, which sets root, acme, quick,
# install, build_dir and keep_logs first; it defines functions and
# constants only, the script calls them in order.

# The ports of tests/acme/pebble-config.json and unbound.conf.  Fixed:
# Pebble's HTTP-01 port is in its config, and the clients listen there.
PEBBLE_PORT=14400    # ACME directory https://127.0.0.1:14400/dir
PEBBLE_MGMT_PORT=14401
HTTP01_PORT=14402    # the client's HTTP-01 server, on 127.0.0.1 only
GATE_PORT=14404      # caa-gate in front of Pebble, https://127.0.0.1:14404/dir
GATE_RECHECK_PORT=14405 # a second caa-gate, --recheck always
GATE_DNSSEC_PORT=14406 # a third, validating the signed responder (scenario 18)
GATE_MPIC_PORT=14407 # scenario 19: a caa-gate with remote perspectives
MPIC_PORTS=(14461 14462 14463) # their caa-responders
RSP_PORT=14456       # caa-responder (UDP and TCP)
UNBOUND_PORT=14457   # unbound, the CA's resolver
API_PORT=14458       # caa-responder's management API
SIGNED_PORT=14460    # caa-responder --dnssec, the same zones signed (scenario 18)
DIR_URL=https://127.0.0.1:$PEBBLE_PORT/dir
GATE_URL=https://127.0.0.1:$GATE_PORT/dir
GATE_RECHECK_URL=https://127.0.0.1:$GATE_RECHECK_PORT/dir
GATE_DNSSEC_URL=https://127.0.0.1:$GATE_DNSSEC_PORT/dir
API=http://127.0.0.1:$API_PORT
CLIENT_TIMEOUT=120   # seconds, per client run
EMAIL=admin@example.test
# The ACME directory the clients ask: Pebble, or caa-gate in front of it.
ACME_URL=$DIR_URL

now() { printf '%s\n' "${EPOCHREALTIME/,/.}"; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
say() { printf 'acme-e2e: %s\n' "$*"; }
die() {
	printf 'acme-e2e: %s\n' "$*" >&2
	exit 1
}

# ---------------------------------------------------------------- install

# Each package and the command that shows it is there.
PKGS=(pebble:pebble lego:lego unbound:unbound knot-dnsutils:kdig
	openssl:openssl curl:curl python3:python3)

# install_tools: install what PKGS names and is missing; 0, or 77 when
# it cannot.
install_tools() {
	local missing=() p sudo=()
	for p in "${PKGS[@]}"; do
		command -v "${p#*:}" >/dev/null 2>&1 || missing+=("${p%%:*}")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if ! $install; then
		say "missing: ${missing[*]} (and --no-install)"
		return 77
	fi
	if [ "$(id -u)" -ne 0 ]; then
		if command -v sudo >/dev/null 2>&1; then
			sudo=(sudo -n)
		else
			say "need root (or sudo) to install: ${missing[*]}"
			return 77
		fi
	fi
	# Debian's unbound starts its own daemon on port 53 where it can; it
	# is left alone (nothing here uses port 53).
	local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive timeout 900
		apt-get -q -y -o Dpkg::Options::=--force-confold)
	say "installing ${missing[*]}"
	if ! "${apt[@]}" install --no-install-recommends "${missing[@]}" </dev/null; then
		# Only now: the package lists may be missing or stale.
		"${apt[@]}" update </dev/null || return 77
		"${apt[@]}" install --no-install-recommends "${missing[@]}" </dev/null || return 77
	fi
	for p in "${PKGS[@]}"; do
		command -v "${p#*:}" >/dev/null 2>&1 || {
			say "installed, but ${p#*:} is still not found"
			return 77
		}
	done
}

# ------------------------------------------------------------------ build

# build_binaries: RSP, PROBE and GATE, built in build_dir when missing.
build_binaries() {
	RSP=$build_dir/responder/caa-responder
	PROBE=$build_dir/probe/caa-probe
	GATE=$build_dir/gate/caa-gate
	if [ ! -x "$RSP" ] || [ ! -x "$PROBE" ] || [ ! -x "$GATE" ]; then
		say "building in $build_dir"
		if $install && [ -x "$root/scripts/bootstrap.sh" ]; then
			"$root/scripts/bootstrap.sh" || die "scripts/bootstrap.sh failed"
		fi
		{ cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
			cmake --build "$build_dir" -j "$(nproc 2>/dev/null || echo 2)"; } ||
			die "the build failed"
	fi
	if [ ! -x "$RSP" ] || [ ! -x "$PROBE" ] || [ ! -x "$GATE" ]; then
		die "no $RSP, $PROBE or $GATE after the build"
	fi
	# A here-string, not a pipe: grep -q stops reading at the match, and
	# the help written after it would die of SIGPIPE, which pipefail
	# reports.
	grep -q -- '--control' <<<"$("$RSP" -h 2>&1)" ||
		die "$RSP has no management API (-c): too old"
}

# --------------------------------------------------- processes and cleanup

rsp_pid="" unbound_pid="" pebble_pid="" client_pid="" bridge_pid=""
gate_pid="" gate_recheck_pid="" signed_pid="" gate_dnssec_pid=""
MPIC_PIDS=() # scenario 19: the remotes' caa-responders and their gate
BG_PIDS=() # clients run side by side (scenario 17)

# stop_pid PID [SIGNAL]: TERM, up to 5 s, then KILL; only that PID.  And
# stop_judged, sanitizer_report (tests/e2e/stop_lib.sh): how a server of
# caalab's own ended.
# shellcheck source=tests/e2e/stop_lib.sh
. "$acme/../e2e/stop_lib.sh"

# stop_ours NAME PID ERRFILE: stop caa-responder or caa-gate (PID, its
# stderr in ERRFILE) and add a row when it did not end well: an exit
# status other than 0 on SIGTERM, or a sanitizer report (shown).
stop_ours() {
	[ -n "$2" ] || return 0
	stop_judged "$2" "$3" && return 0
	row "stop" "$1" "exit 0, no report" "$(head -n1 <<<"$STOP_PROBLEM")" 0 no \
		"$STOP_PROBLEM"
}

cleanup() {
	local status=$?
	trap - EXIT INT TERM
	local p
	for p in "${BG_PIDS[@]}" "${MPIC_PIDS[@]}"; do
		stop_pid "$p"
	done
	stop_pid "$client_pid"
	stop_pid "$bridge_pid"
	stop_pid "$gate_pid"
	stop_pid "$gate_recheck_pid"
	stop_pid "$gate_dnssec_pid"
	stop_pid "$pebble_pid"
	stop_pid "$unbound_pid"
	stop_pid "$rsp_pid"
	stop_pid "$signed_pid"
	if [ -n "$keep_logs" ] && [ -d "$work" ]; then
		cp -a "$work/." "$keep_logs/" 2>/dev/null &&
			say "logs kept in $keep_logs"
	fi
	rm -rf "$work"
	exit "$status"
}

# setup_work: the temporary directory (work), the traps, the ports free.
setup_work() {
	local p
	work=$(mktemp -d "${TMPDIR:-/tmp}/caalab-acme.XXXXXX") || die "no temporary directory"
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	for p in $PEBBLE_PORT $PEBBLE_MGMT_PORT $HTTP01_PORT $GATE_PORT $GATE_RECHECK_PORT \
		$GATE_DNSSEC_PORT $GATE_MPIC_PORT "${MPIC_PORTS[@]}" $RSP_PORT $UNBOUND_PORT $API_PORT $SIGNED_PORT; do
		if port_busy "$p"; then
			die "port $p is in use ($(ss -Hlntup 2>/dev/null | awk -v p=":$p" 'index($5, p) { print $7; exit }')): stop it, or wait for the other run"
		fi
	done
}

# port_busy PORT: 0 if something listens on 127.0.0.1:PORT (TCP or UDP).
port_busy() {
	command -v ss >/dev/null 2>&1 || return 1
	ss -Hlntu 2>/dev/null | awk -v p="$1" '{ n = split($5, a, ":"); if (a[n] == p) f = 1 } END { exit !f }'
}

# wait_for SECONDS PID COMMAND...: run COMMAND every 0.1 s until it
# succeeds (0), PID dies (1) or SECONDS pass (1).
wait_for() {
	local deadline=$(($(date +%s) + $1)) pid=$2
	shift 2
	while [ "$(date +%s)" -le "$deadline" ]; do
		kill -0 "$pid" 2>/dev/null || return 1
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# ------------------------------------------------------------ TLS material

# setup_tls: the throwaway CA and the leaf Pebble and caa-gate serve
# (tests/acme/make-test-ca.sh), the configs; the clients trust only CA.
setup_tls() {
	"$acme/make-test-ca.sh" "$work/tls" || die "openssl could not make the test CA"
	CA=$work/tls/ca.pem
	export LEGO_CA_CERTIFICATES=$CA REQUESTS_CA_BUNDLE=$CA
	sed "s#@WORK@#$work#g" "$acme/pebble-config.json" >"$work/pebble.json"
	mkdir -p "$work/unbound"
	sed "s#@WORK@#$work#g" "$acme/unbound.conf" >"$work/unbound.conf"
}

# -------------------------------------------------------------- daemons

# The profiles the gate's scenarios meet, on from the start: SERVFAIL for
# every CAA query under profile.gated.test (scenario 11), and one CAA query
# in three at the TLD test. (scenario 16: it decides for flap.test's names
# only, every other zone has a CAA record at its apex).
RSP_PROFILES=(-P caa-servfail:profile.gated.test -P tld-flap:test)
RSP_EXTRA=() # more options, for scenario 8
start_responder() {
	(exec "$RSP" -l "127.0.0.1:$RSP_PORT" -c "127.0.0.1:$API_PORT" \
		"${RSP_PROFILES[@]}" "${RSP_EXTRA[@]}" -q "$work/queries.log" \
		"$acme"/zones/*.zone) \
		>"$work/responder.out" 2>"$work/responder.err" &
	rsp_pid=$!
	wait_for 10 "$rsp_pid" grep -q '^ready ' "$work/responder.out" || {
		cat "$work/responder.err" >&2
		die "caa-responder did not start on 127.0.0.1:$RSP_PORT"
	}
	say "caa-responder: $(head -n1 "$work/responder.out") (pid $rsp_pid)"
}

unbound_ready() {
	grep -q 'status: NOERROR' <<<"$(kdig @127.0.0.1 -p "$UNBOUND_PORT" \
		+time=1 +retry=0 example.test SOA)"
}
start_unbound() {
	(exec unbound -d -c "$work/unbound.conf") >"$work/unbound.log" 2>&1 &
	unbound_pid=$!
	wait_for 15 "$unbound_pid" unbound_ready || {
		tail -n 20 "$work/unbound.log" >&2
		die "unbound did not answer on 127.0.0.1:$UNBOUND_PORT"
	}
	say "unbound: 127.0.0.1:$UNBOUND_PORT, stub zones at caa-responder (pid $unbound_pid)"
}

bridge_ready() { grep -q '^http01-bridge: watching' "$work/bridge.log"; }
# start_bridge WEBROOT: lego's webroot HTTP-01 files -> /add-http01.
start_bridge() {
	(exec python3 "$acme/http01-bridge.py" "$1" "$API") \
		>"$work/bridge.log" 2>&1 &
	bridge_pid=$!
	wait_for 10 "$bridge_pid" bridge_ready || {
		cat "$work/bridge.log" >&2
		die "tests/acme/http01-bridge.py did not start"
	}
	say "http01-bridge: $1 -> $API/add-http01 (pid $bridge_pid)"
}

pebble_gen=0
pebble_ready() { curl -sS --fail --max-time 2 --cacert "$CA" "$DIR_URL"; }
# start_pebble PORT: Pebble with -dnsserver 127.0.0.1:PORT.  Pebble
# forgets every account when it stops, so each start gets new state
# directories (STATE, under it).
start_pebble() {
	stop_pid "$pebble_pid"
	pebble_pid=""
	pebble_gen=$((pebble_gen + 1))
	STATE=$work/pebble$pebble_gen
	mkdir -p "$STATE"
	(
		export PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0
		exec pebble -config "$work/pebble.json" -dnsserver "127.0.0.1:$1"
	) >"$work/pebble$pebble_gen.log" 2>&1 &
	pebble_pid=$!
	wait_for 20 "$pebble_pid" pebble_ready || {
		tail -n 20 "$work/pebble$pebble_gen.log" >&2
		die "Pebble did not start on 127.0.0.1:$PEBBLE_PORT"
	}
	say "Pebble: $DIR_URL, -dnsserver 127.0.0.1:$1 (pid $pebble_pid)"
}

# start_gate NAME PORT [OPTION...]: caa-gate on 127.0.0.1:PORT in front
# of Pebble, serving the test CA's leaf, its CAA lookups to caa-responder
# (a 1 s timeout, 2 tries: a dropped query fails in 2 s), its decisions
# logged to WORK/NAME.log; its PID in GATE_STARTED.
start_gate() {
	local name=$1 port=$2
	shift 2
	(exec "$GATE" -l "127.0.0.1:$port" -u "https://127.0.0.1:$PEBBLE_PORT" \
		--upstream-ca "$CA" --cert "$work/tls/cert.pem" --key "$work/tls/key.pem" \
		-s "127.0.0.1#$RSP_PORT" --timeout 1000 --tries 2 \
		-q "$work/$name.log" "$@") >"$work/$name.out" 2>"$work/$name.err" &
	GATE_STARTED=$!
	wait_for 10 "$GATE_STARTED" grep -q '^ready ' "$work/$name.out" || {
		cat "$work/$name.err" >&2
		die "caa-gate ($name) did not start on 127.0.0.1:$port"
	}
	say "caa-gate: $(head -n1 "$work/$name.out") ${*:+($*) }(pid $GATE_STARTED)"
}
# start_gates: the gate (--recheck as Let's Encrypt) and the one that
# rechecks CAA at every finalize (scenario 15).
start_gates() {
	start_gate gate "$GATE_PORT"
	gate_pid=$GATE_STARTED
	start_gate gate-recheck "$GATE_RECHECK_PORT" --recheck always
	gate_recheck_pid=$GATE_STARTED
}

# Scenario 18: a second caa-responder serves the zones of tests/acme/zones/
# signed (--dnssec, a key per zone made at start; test.'s DS, the trust
# anchor, in WORK/ta.ds), with bogus signatures over the CAA answers of
# *.bogus.gated.test (a rule) and over every empty answer under
# empty.gated.test (the dnssec-empty-bogus profile); a third caa-gate
# asks it and validates (--validate --trust-anchor WORK/ta.ds).  Pebble
# still resolves through the unsigned responder.  GATE_DNSSEC_OPTS: the
# gate's DNSSEC options (empty: the gate that does not validate, which
# issues every name).
SIGNED_RULES=(-f "sig-bogus *.bogus.gated.test CAA" -P dnssec-empty-bogus:empty.gated.test)
GATE_DNSSEC_OPTS=(--validate)
start_signed() {
	[ -n "$signed_pid" ] && return 0
	(exec "$RSP" -l "127.0.0.1:$SIGNED_PORT" --dnssec --trust-anchor-out "$work/ta.ds" \
		"${SIGNED_RULES[@]}" -q "$work/signed-queries.log" "$acme"/zones/*.zone) \
		>"$work/signed.out" 2>"$work/signed.err" &
	signed_pid=$!
	wait_for 10 "$signed_pid" grep -q '^ready ' "$work/signed.out" || {
		cat "$work/signed.err" >&2
		die "caa-responder --dnssec did not start on 127.0.0.1:$SIGNED_PORT"
	}
	say "caa-responder --dnssec: $(head -n1 "$work/signed.out") (pid $signed_pid), trust anchor $work/ta.ds"
	start_gate gate-dnssec "$GATE_DNSSEC_PORT" -s "127.0.0.1#$SIGNED_PORT" \
		"${GATE_DNSSEC_OPTS[@]}" --trust-anchor "$work/ta.ds"
	gate_dnssec_pid=$GATE_STARTED
}

# ------------------------------------------------------ management API

# api METHOD PATH [BODY]: the body of the answer on stdout; status 1
# unless 2xx.
api() {
	local data=()
	[ $# -ge 3 ] && data=(-H 'Content-Type: application/json' --data-binary "$3")
	curl -sS --fail --max-time 10 -X "$1" "${data[@]}" "$API$2"
}
fault() {
	api POST /faults "{\"rule\":\"$1\"}" >/dev/null ||
		die "the management API refused the rule '$1'"
}
# faults_clear: remove the rules added over the API; the profiles the
# responder started with (RSP_PROFILES) stay.
faults_clear() {
	local id
	for id in $(api GET /faults | python3 -c '
import json, sys
print(" ".join(str(r["id"]) for r in json.load(sys.stdin) if r["origin"] == "api"))'); do
		api DELETE "/faults/$id" >/dev/null || die "DELETE /faults/$id failed"
	done
}
queries_clear() { api DELETE /queries >/dev/null || die "DELETE /queries failed"; }

# dns_seen NAME TYPE: what the responder answered to the queries for NAME
# TYPE since the last queries_clear, e.g. "A SERVFAILx3".
dns_seen() {
	api GET "/queries?name=$1&type=$2" | python3 -c '
import collections, json, sys
c = collections.Counter("dropped" if q.get("dropped") else q["rcode"] for q in json.load(sys.stdin))
print(sys.argv[1], " ".join("%sx%d" % kv for kv in c.items()) or "none")' "$2" 2>/dev/null ||
		echo "$2 ?"
}

# ------------------------------------------------------------- clients

# run_client OUT COMMAND...: run it (bounded), output to OUT; exit status
# in CLIENT_RC, seconds in CLIENT_SECS.  In the background so that a
# signal stops it at once (cleanup kills it by its PID).
run_client() {
	local out=$1 t0
	shift
	t0=$(now)
	timeout -k 5 "$CLIENT_TIMEOUT" "$@" >"$out" 2>&1 </dev/null &
	client_pid=$!
	wait "$client_pid"
	CLIENT_RC=$?
	client_pid=""
	CLIENT_SECS=$(since "$t0")
}

# Every client asks ACME_URL (Pebble's directory, or the gate's).
# lego_http NAME DIR: HTTP-01, the server on 127.0.0.1:14402.
lego_http() {
	CERT=$2/certificates/$1.crt
	run_client "$2.out" lego --server "$ACME_URL" --accept-tos --email "$EMAIL" \
		--domains "$1" --http --http.port "127.0.0.1:$HTTP01_PORT" --path "$2" run
}
# lego_dns NAME DIR: DNS-01 through the exec provider and the hook that
# calls /set-txt and /clear-txt.  --dns.disable-cp, else lego asks the
# zone's NS on port 53 and waits.  lego stores a wildcard's certificate
# as _.NAME.crt.
lego_dns() {
	CERT=$2/certificates/${1/#\*/_}.crt
	run_client "$2.out" env EXEC_PATH="$acme/dns01-hook.sh" CAALAB_API="$API" \
		EXEC_PROPAGATION_TIMEOUT=10 EXEC_POLLING_INTERVAL=1 EXEC_SEQUENCE_INTERVAL=1 \
		lego --server "$ACME_URL" --accept-tos --email "$EMAIL" --domains "$1" \
		--dns exec --dns.resolvers "127.0.0.1:$RSP_PORT" --dns.disable-cp \
		--path "$2" run
}
# lego_http01 NAME DIR WEBROOT: HTTP-01 with no server of lego's own: it
# writes each key authorization under WEBROOT, the bridge adds it with
# /add-http01, and caa-responder's --http01 server on 127.0.0.1:14402
# answers Pebble.  (lego 4.9's --http.memcached-host, which would wait
# for the hand-over, is inert in Debian's build: it serves on :80.)
lego_http01() {
	CERT=$2/certificates/$1.crt
	run_client "$2.out" lego --server "$ACME_URL" --accept-tos --email "$EMAIL" \
		--domains "$1" --http --http.webroot "$3" --path "$2" run
}
# certbot_http NAME DIR: certbot's standalone HTTP-01 server.
certbot_http() {
	CERT=$2/config/live/$1/cert.pem
	run_client "$2.out" certbot certonly --standalone \
		--http-01-address 127.0.0.1 --http-01-port "$HTTP01_PORT" \
		--server "$ACME_URL" --config-dir "$2/config" --work-dir "$2/work" \
		--logs-dir "$2/logs" -d "$1" --agree-tos -m "$EMAIL" --no-eff-email \
		--non-interactive
}
# certbot_dns NAME DIR: DNS-01 with certbot's manual plugin and the same
# hook (/set-txt, /clear-txt).  certbot names a wildcard's lineage
# without the "*.".
certbot_dns() {
	CERT=$2/config/live/${1#\*.}/cert.pem
	run_client "$2.out" env CAALAB_API="$API" certbot certonly --manual \
		--preferred-challenges dns \
		--manual-auth-hook "$acme/dns01-hook.sh certbot-auth" \
		--manual-cleanup-hook "$acme/dns01-hook.sh certbot-cleanup" \
		--server "$ACME_URL" --config-dir "$2/config" --work-dir "$2/work" \
		--logs-dir "$2/logs" -d "$1" --agree-tos -m "$EMAIL" --no-eff-email \
		--non-interactive
}
# uacme_issue NAME DIR [TYPE]: uacme (C, libcurl with GnuTLS) with the
# hook, which answers TYPE only (dns-01 through /set-txt by default;
# http-01 serves nothing, for names whose CAA stops the order first).
# uacme trusts only the system's bundle, so it runs in a private mount
# namespace with the test CA bound over it; -v prints the server's
# problem documents.  The account is made on the first run in DIR.
uacme_issue() {
	CERT=$2/${1#\*.}/cert.pem
	mkdir -p "$2"
	# shellcheck disable=SC2016 # expanded by that shell, from its arguments
	run_client "$2.out" env CAALAB_API="$API" CAALAB_UACME_TYPE="${3:-dns-01}" \
		unshare -m sh -c 'mount --bind "$1" /etc/ssl/certs/ca-certificates.crt || exit
			shift
			if [ ! -s "$2/private/key.pem" ]; then
				uacme -v -y -t EC -a "$1" -c "$2" new "$3" || exit
			fi
			exec uacme -v -t EC -a "$1" -c "$2" -h "$4" issue "$5"' \
		uacme "$CA" "$ACME_URL" "$2" "$EMAIL" "$acme/dns01-hook.sh" "$1"
}
# uacme_usable: 0 when uacme can run (it needs unshare -m: root).
uacme_usable() {
	command -v uacme >/dev/null 2>&1 && unshare -m true 2>/dev/null
}

# ------------------------------------------------------------ results

ROWS=()    # scenario|client|expected|observed|seconds|result
DETAILS=() # what a differing row printed
PASSED=0
FAILED=0

# row SCENARIO CLIENT EXPECTED OBSERVED SECONDS OK [DETAIL]
row() {
	local result=ok
	if [ "$6" = yes ]; then
		PASSED=$((PASSED + 1))
	else
		result=DIFFERS
		FAILED=$((FAILED + 1))
		DETAILS+=("$1 / $2: expected $3, observed $4${7:+
$7}")
	fi
	ROWS+=("$1|$2|$3|$4|$5|$result")
	printf '  %-31s %-20s %-24s %-50s %5ss  %s\n' "$1" "$2" "$3" "$4" "$5" "$result"
}

# outcome_of OUT: what the client's output says, in short.
outcome_of() {
	if [ "$CLIENT_RC" -eq 0 ] && [ -s "$CERT" ]; then
		echo issued
	elif [ "$CLIENT_RC" -eq 124 ] || [ "$CLIENT_RC" -eq 137 ]; then
		echo "no end in ${CLIENT_TIMEOUT}s"
	elif grep -q 'could not resolve URL' "$1"; then
		echo "could not resolve URL"
	elif grep -q 'i/o timeout' "$1"; then
		echo "i/o timeout"
	elif grep -q 'returned an unsuccessful response' "$1"; then
		echo "TXT lookup unsuccessful"
	elif [ "$CLIENT_RC" -eq 0 ]; then
		echo "exit 0, no certificate"
	else
		echo "failed (exit $CLIENT_RC)"
	fi
}

# check SCENARIO CLIENT NAME DIR EXPECTED ERE [DNS-NOTE]: the run just
# made for NAME (output DIR.out) ended as EXPECTED (issued, or the short
# error), and its output matches ERE.  An issued certificate must be for
# NAME.
check() {
	local sc=$1 client=$2 name=$3 out=$4.out expected=$5 ere=$6 note=${7:-}
	local seen ok=no detail=""
	seen=$(outcome_of "$out")
	if [ "$seen" = "$expected" ] && grep -Eq -- "$ere" "$out"; then
		ok=yes
		if [ "$expected" = issued ] &&
			! openssl x509 -in "$CERT" -noout -ext subjectAltName 2>/dev/null |
			grep -Eq "DNS:$(re_name "$name")(,|\$)"; then
			ok=no
			seen="issued, not for $name"
		fi
	elif [ "$seen" = "$expected" ]; then
		seen="$seen, other wording"
	fi
	if [ "$ok" = no ]; then
		detail="  name: $name; the output should match /$ere/; its end:
$(tail -n 12 "$out" | cut -c1-400 | sed 's/^/  | /')"
	fi
	row "$sc" "$client" "$expected" "$seen${note:+ ($note)}" "$CLIENT_SECS" "$ok" "$detail"
}

# What the clients print (tests/acme, docs/testing.md), as regular
# expressions; NAME is filled in.
re_name() { printf '%s' "$1" | sed 's/[.*]/\\&/g'; }
msg_issued_lego='Server responded with a certificate\.'
msg_issued_certbot='Successfully received certificate\.'
msg_issued_uacme='uacme: saving certificate to '
msg_unresolved_lego() {
	echo "urn:ietf:params:acme:error:connection :: Get \"http://$(re_name "$1"):$HTTP01_PORT/[^\"]*\": could not resolve URL"
}
msg_unresolved_certbot() {
	echo "Detail: Get \"http://$(re_name "$1"):$HTTP01_PORT/[^\"]*\": could not resolve URL"
}
msg_timeout_lego() {
	echo "urn:ietf:params:acme:error:connection :: .*error occurred while resolving URL \"http://$(re_name "$1"):$HTTP01_PORT/.*i/o timeout"
}
msg_txt_lego() {
	echo "urn:ietf:params:acme:error:unauthorized :: Error retrieving TXT records for DNS challenge .*_acme-challenge\.$(re_name "$1").* returned an unsuccessful response"
}
