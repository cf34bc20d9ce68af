#!/usr/bin/env bash
# scripts/acme-e2e.sh -- real ACME clients against DNS faults, offline.
#
# Pebble (Let's Encrypt's test CA) asks caa-responder, directly or through
# unbound, for the names lego and certbot want certificates for; fault
# rules set through the responder's management API break those lookups the
# way broken nameservers do, and each client's outcome and message are
# checked against what a real CA's error looks like.  caa-probe gives the
# CAA verdict that Pebble, which never checks CAA, does not.  Everything
# runs on loopback; every process it starts is stopped by its PID on exit.
#
#   scripts/acme-e2e.sh [--quick] [--only LIST] [--keep-logs DIR]
#                       [--build-dir DIR] [--no-install]
#   scripts/acme-e2e.sh --serve SECONDS [--via-unbound]
#
#   --quick          scenarios 1, 2, 7 and 8 with lego only (what CI runs)
#   --only LIST      only these scenarios, e.g. --only 3,4
#   --keep-logs DIR  copy every log, client output and config to DIR
#   --build-dir DIR  where caa-responder and caa-probe are (default build/;
#                    built there when missing)
#   --no-install     do not install missing packages (status 77 instead)
#   --serve SECONDS  run no scenario: start the same setup, print how to
#                    point a client at it, keep it up that long (or until
#                    Ctrl-C); --via-unbound: Pebble asks unbound
#
# Scenarios: 1 no fault (lego, certbot), 2 servfail A, 3 drop / servfail
# AAAA, 4 DNS-01 via /set-txt (and servfail TXT), 5 flapping SERVFAIL then
# a retry, 6 the same through unbound, 7 CAA: Pebble issues, caa-probe
# says what a real CA would, 8 HTTP-01 answered by caa-responder --http01
# (no challtestsrv, no client server).  Status: 0 every outcome as
# expected, 1 one differed (or the setup failed), 2 usage, 77 the tools
# could not be installed.
set -u -o pipefail

cd "$(dirname "$0")/.." || exit 1
root=$PWD
acme=$root/tests/acme
PATH=$PATH:/usr/sbin:/sbin

# The ports of tests/acme/pebble-config.json and unbound.conf.  Fixed:
# Pebble's HTTP-01 port is in its config, and the clients listen there.
PEBBLE_PORT=14400    # ACME directory https://127.0.0.1:14400/dir
PEBBLE_MGMT_PORT=14401
HTTP01_PORT=14402    # the client's HTTP-01 server, on 127.0.0.1 only
RSP_PORT=14456       # caa-responder (UDP and TCP)
UNBOUND_PORT=14457   # unbound, the CA's resolver
API_PORT=14458       # caa-responder's management API
DIR_URL=https://127.0.0.1:$PEBBLE_PORT/dir
API=http://127.0.0.1:$API_PORT
CLIENT_TIMEOUT=120   # seconds, per client run
EMAIL=admin@example.test

quick=false
only=""
keep_logs=""
build_dir=${CAA_BUILD_DIR:-$root/build}
install=true
serve=""
via_unbound=false
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=true ;;
	--only)
		only=${2:?--only needs a list like 1,3}
		shift
		;;
	--keep-logs)
		keep_logs=${2:?--keep-logs needs a directory}
		shift
		;;
	--build-dir)
		build_dir=${2:?--build-dir needs a directory}
		shift
		;;
	--no-install) install=false ;;
	--serve)
		serve=${2:?--serve needs a number of seconds}
		case $serve in *[!0-9]* | "") echo "acme-e2e: --serve SECONDS" >&2 && exit 2 ;; esac
		shift
		;;
	--via-unbound) via_unbound=true ;;
	-h | --help)
		sed -n '2,32p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "acme-e2e: unknown option $1 (try --help)" >&2
		exit 2
		;;
	esac
	shift
done
case $build_dir in /*) ;; *) build_dir=$PWD/$build_dir ;; esac
if [ -n "$keep_logs" ]; then
	mkdir -p "$keep_logs" && keep_logs=$(cd "$keep_logs" && pwd) || exit 2
fi

if $quick; then
	only=${only:-1,2,7,8}
fi
# want N: 0 if scenario N is selected.
want() {
	[ -z "$only" ] && return 0
	case ",$only," in *",$1,"*) return 0 ;; esac
	return 1
}
with_certbot() { ! $quick; }

now() { printf '%s\n' "${EPOCHREALTIME/,/.}"; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
t_start=$(now)
say() { printf 'acme-e2e: %s\n' "$*"; }
die() {
	printf 'acme-e2e: %s\n' "$*" >&2
	exit 1
}

# ---------------------------------------------------------------- install

# Each package and the command that shows it is there.
PKGS=(pebble:pebble lego:lego unbound:unbound knot-dnsutils:kdig
	openssl:openssl curl:curl python3:python3)
$quick || PKGS+=(certbot:certbot)

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

install_tools
rc=$?
if [ "$rc" -ne 0 ]; then
	say "the tools could not be installed: nothing run"
	exit "$rc"
fi

# ------------------------------------------------------------------ build

RSP=$build_dir/responder/caa-responder
PROBE=$build_dir/probe/caa-probe
if [ ! -x "$RSP" ] || [ ! -x "$PROBE" ]; then
	say "building in $build_dir"
	if $install && [ -x "$root/scripts/bootstrap.sh" ]; then
		"$root/scripts/bootstrap.sh" || die "scripts/bootstrap.sh failed"
	fi
	{ cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
		cmake --build "$build_dir" -j "$(nproc 2>/dev/null || echo 2)"; } ||
		die "the build failed"
fi
if [ ! -x "$RSP" ] || [ ! -x "$PROBE" ]; then
	die "no $RSP or $PROBE after the build"
fi
# A here-string, not a pipe: grep -q stops reading at the match, and the
# help written after it would die of SIGPIPE, which pipefail reports.
grep -q -- '--control' <<<"$("$RSP" -h 2>&1)" ||
	die "$RSP has no management API (-c): too old"

# From here on no proxy: every address is the loopback.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
export NO_PROXY=127.0.0.1,localhost,::1 no_proxy=127.0.0.1,localhost,::1

# --------------------------------------------------- processes and cleanup

work=$(mktemp -d "${TMPDIR:-/tmp}/caalab-acme.XXXXXX") || die "no temporary directory"
rsp_pid="" unbound_pid="" pebble_pid="" client_pid="" bridge_pid=""

# stop_pid PID: TERM, up to 5 s, then KILL; only that PID.
stop_pid() {
	local pid=$1 _
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || {
		wait "$pid" 2>/dev/null
		return 0
	}
	for _ in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

cleanup() {
	local status=$?
	trap - EXIT INT TERM
	stop_pid "$client_pid"
	stop_pid "$bridge_pid"
	stop_pid "$pebble_pid"
	stop_pid "$unbound_pid"
	stop_pid "$rsp_pid"
	if [ -n "$keep_logs" ] && [ -d "$work" ]; then
		cp -a "$work/." "$keep_logs/" 2>/dev/null &&
			say "logs kept in $keep_logs"
	fi
	rm -rf "$work"
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# port_busy PORT: 0 if something listens on 127.0.0.1:PORT (TCP or UDP).
port_busy() {
	command -v ss >/dev/null 2>&1 || return 1
	ss -Hlntu 2>/dev/null | awk -v p="$1" '{ n = split($5, a, ":"); if (a[n] == p) f = 1 } END { exit !f }'
}
for p in $PEBBLE_PORT $PEBBLE_MGMT_PORT $HTTP01_PORT $RSP_PORT $UNBOUND_PORT $API_PORT; do
	if port_busy "$p"; then
		die "port $p is in use ($(ss -Hlntup 2>/dev/null | awk -v p=":$p" 'index($5, p) { print $7; exit }')): stop it, or wait for the other run"
	fi
done

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

# A throwaway CA and a leaf for Pebble's HTTPS listener (Debian ships
# none): localhost, 127.0.0.1, ::1.  The clients trust only this CA.
make_tls() {
	local d=$work/tls
	mkdir -p "$d" && (
		cd "$d" &&
			openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
				-keyout ca.key -out ca.pem -days 2 -subj "/CN=caalab throwaway ACME test CA" \
				-addext basicConstraints=critical,CA:TRUE \
				-addext keyUsage=critical,keyCertSign,cRLSign &&
			openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
				-keyout key.pem -out leaf.csr -subj "/CN=localhost" &&
			printf '%s\n' 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1' \
				'basicConstraints=critical,CA:FALSE' 'keyUsage=critical,digitalSignature' \
				'extendedKeyUsage=serverAuth' >leaf.ext &&
			openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
				-days 2 -out cert.pem -extfile leaf.ext &&
			openssl verify -CAfile ca.pem cert.pem
	) >"$work/openssl.log" 2>&1
}
make_tls || {
	cat "$work/openssl.log" >&2
	die "openssl could not make the test CA"
}
CA=$work/tls/ca.pem
export LEGO_CA_CERTIFICATES=$CA REQUESTS_CA_BUNDLE=$CA

sed "s#@WORK@#$work#g" "$acme/pebble-config.json" >"$work/pebble.json"
mkdir -p "$work/unbound"
sed "s#@WORK@#$work#g" "$acme/unbound.conf" >"$work/unbound.conf"

# -------------------------------------------------------------- daemons

RSP_EXTRA=() # more options, for scenario 8
start_responder() {
	(exec "$RSP" -l "127.0.0.1:$RSP_PORT" -c "127.0.0.1:$API_PORT" \
		"${RSP_EXTRA[@]}" -q "$work/queries.log" "$acme"/zones/*.zone) \
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
faults_clear() { api DELETE /faults >/dev/null || die "DELETE /faults failed"; }
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

# lego_http NAME DIR: HTTP-01, the server on 127.0.0.1:14402.
lego_http() {
	CERT=$2/certificates/$1.crt
	run_client "$2.out" lego --server "$DIR_URL" --accept-tos --email "$EMAIL" \
		--domains "$1" --http --http.port "127.0.0.1:$HTTP01_PORT" --path "$2" run
}
# lego_dns NAME DIR: DNS-01 through the exec provider and the hook that
# calls /set-txt and /clear-txt.  --dns.disable-cp, else lego asks the
# zone's NS on port 53 and waits.
lego_dns() {
	CERT=$2/certificates/$1.crt
	run_client "$2.out" env EXEC_PATH="$acme/dns01-hook.sh" CAALAB_API="$API" \
		EXEC_PROPAGATION_TIMEOUT=10 EXEC_POLLING_INTERVAL=1 EXEC_SEQUENCE_INTERVAL=1 \
		lego --server "$DIR_URL" --accept-tos --email "$EMAIL" --domains "$1" \
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
	run_client "$2.out" lego --server "$DIR_URL" --accept-tos --email "$EMAIL" \
		--domains "$1" --http --http.webroot "$3" --path "$2" run
}
# certbot_http NAME DIR: certbot's standalone HTTP-01 server.
certbot_http() {
	CERT=$2/config/live/$1/cert.pem
	run_client "$2.out" certbot certonly --standalone \
		--http-01-address 127.0.0.1 --http-01-port "$HTTP01_PORT" \
		--server "$DIR_URL" --config-dir "$2/config" --work-dir "$2/work" \
		--logs-dir "$2/logs" -d "$1" --agree-tos -m "$EMAIL" --no-eff-email \
		--non-interactive
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
	printf '  %-24s %-20s %-24s %-50s %5ss  %s\n' "$1" "$2" "$3" "$4" "$5" "$result"
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
re_name() { printf '%s' "$1" | sed 's/\./\\./g'; }
msg_issued_lego='Server responded with a certificate\.'
msg_issued_certbot='Successfully received certificate\.'
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

# ------------------------------------------------------------ scenarios

N1=s1-lego.example.test N1C=s1-certbot.example.test
N2=s2-lego.example.test N2C=s2-certbot.example.test
N3D=s3-drop.example.test N3F=s3-fallback.example.test
N4=s4-dns.example.test N4F=s4-fail.example.test
N5=s5-flap.example.test
N6=s6-ok.example.test N6F=s6-fail.example.test
N7D=www.other-ca.test N7F=caa-fail.example.test
N8=s8-http01.example.test

scenario_1() {
	say "1: no fault, HTTP-01"
	lego_http "$N1" "$STATE/1-lego"
	check "1 no fault" lego "$N1" "$STATE/1-lego" issued "$msg_issued_lego"
	if with_certbot; then
		certbot_http "$N1C" "$STATE/1-certbot"
		check "1 no fault" certbot "$N1C" "$STATE/1-certbot" issued "$msg_issued_certbot"
	fi
}

scenario_2() {
	say "2: servfail NAME A"
	fault "servfail $N2 A"
	queries_clear
	lego_http "$N2" "$STATE/2-lego"
	check "2 servfail A" lego "$N2" "$STATE/2-lego" "could not resolve URL" \
		"$(msg_unresolved_lego "$N2")" "$(dns_seen "$N2" A)"
	if with_certbot; then
		fault "servfail $N2C A"
		certbot_http "$N2C" "$STATE/2-certbot"
		check "2 servfail A" certbot "$N2C" "$STATE/2-certbot" "could not resolve URL" \
			"$(msg_unresolved_certbot "$N2C")" "$(dns_seen "$N2C" A)"
		grep -Eq 'Type: +connection' "$STATE/2-certbot.out" ||
			row "2 servfail A" certbot "Type: connection" "not printed" "$CLIENT_SECS" no
	fi
	faults_clear
}

scenario_3() {
	# Both names have A 127.0.0.1 and AAAA ::1.  Pebble asks AAAA first and
	# dials the first address; the client listens on 127.0.0.1 only, so
	# the success with SERVFAIL on AAAA shows the fallback to A.
	say "3: drop NAME AAAA; servfail NAME AAAA"
	fault "drop $N3D AAAA"
	fault "servfail $N3F AAAA"
	queries_clear
	lego_http "$N3D" "$STATE/3-drop"
	check "3 drop AAAA" lego "$N3D" "$STATE/3-drop" "i/o timeout" \
		"$(msg_timeout_lego "$N3D")" "$(dns_seen "$N3D" AAAA)"
	lego_http "$N3F" "$STATE/3-fallback"
	check "3 servfail AAAA" lego "$N3F" "$STATE/3-fallback" issued \
		"$msg_issued_lego" "$(dns_seen "$N3F" AAAA), $(dns_seen "$N3F" A)"
	faults_clear
}

scenario_4() {
	say "4: DNS-01 through /set-txt; servfail _acme-challenge.NAME TXT"
	queries_clear
	lego_dns "$N4" "$STATE/4-dns"
	check "4 DNS-01" lego "$N4" "$STATE/4-dns" issued "$msg_issued_lego" \
		"$(dns_seen "_acme-challenge.$N4" TXT)"
	local hook
	for hook in "present _acme-challenge.$N4. (/set-txt)" "cleanup _acme-challenge.$N4. (/clear-txt)"; do
		grep -qF "dns01-hook: $hook" "$STATE/4-dns.out" ||
			row "4 DNS-01" "lego exec hook" "${hook##* }" "not called" "$CLIENT_SECS" no
	done
	fault "servfail _acme-challenge.$N4F TXT"
	lego_dns "$N4F" "$STATE/4-fail"
	check "4 DNS-01 servfail TXT" lego "$N4F" "$STATE/4-fail" "TXT lookup unsuccessful" \
		"$(msg_txt_lego "$N4F")" "$(dns_seen "_acme-challenge.$N4F" TXT)"
	faults_clear
}

scenario_5() {
	# Flapping: the first N matching queries fail, then all is well.
	# Pebble (2.4) validates HTTP-01 from 3 "perspectives" at once, each
	# with its own AAAA and A lookup and no retry, and fails the challenge
	# if any of them fails.  count=1 would fail one of the three, which
	# is enough for Pebble 2.4 but would be absorbed by a CA that takes a
	# quorum (Boulder's multi-perspective validation); count=3 is exactly
	# the A lookups of one validation, so the first validation surely
	# fails and the retry (lego run again, same account) surely succeeds.
	say "5: servfail NAME A count=3 (flapping), then a retry"
	fault "servfail $N5 A count=3"
	queries_clear
	lego_http "$N5" "$STATE/5-flap"
	check "5 flapping, 1st try" lego "$N5" "$STATE/5-flap" "could not resolve URL" \
		"$(msg_unresolved_lego "$N5")" "$(dns_seen "$N5" A)"
	queries_clear
	mv "$STATE/5-flap.out" "$STATE/5-flap.try1.out"
	lego_http "$N5" "$STATE/5-flap"
	check "5 flapping, retry" lego "$N5" "$STATE/5-flap" issued \
		"$msg_issued_lego" "$(dns_seen "$N5" A)"
	faults_clear
}

scenario_6() {
	# Pebble's resolver is unbound now; unbound asks caa-responder.
	say "6: through unbound: no fault; servfail NAME A"
	lego_http "$N6" "$STATE/6-ok"
	check "6 unbound, no fault" lego "$N6" "$STATE/6-ok" issued "$msg_issued_lego"
	fault "servfail $N6F A"
	queries_clear
	lego_http "$N6F" "$STATE/6-fail"
	local via="not in unbound's log"
	grep -q "SERVFAIL <$N6F. A IN>" "$work/unbound.log" && via="via unbound"
	check "6 unbound, servfail A" lego "$N6F" "$STATE/6-fail" "could not resolve URL" \
		"$(msg_unresolved_lego "$N6F")" "$(dns_seen "$N6F" A), $via"
	[ "$via" = "via unbound" ] ||
		row "6 unbound, servfail A" unbound "SERVFAIL logged" "$via" "$CLIENT_SECS" no
	faults_clear
}

# probe SCENARIO NAME SERVER-LABEL PORT VERDICT EXIT REASON-ERE: caa-probe
# through that server says VERDICT, exits EXIT, and gives the CA's reason.
PROBE_SAID=()
ISSUED_7=()
probe() {
	local sc=$1 name=$2 label=$3 port=$4 verdict=$5 code=$6 ere=$7 t0 out rc secs got reason ok=no
	t0=$(now)
	out=$(timeout 30 "$PROBE" -s "127.0.0.1#$port" -o json "$name" 2>&1)
	rc=$?
	secs=$(since "$t0")
	got=$(printf '%s' "$out" | python3 -c 'import json, sys; j = json.load(sys.stdin)[0]; print(j["verdict"]); print(j["reason"])' 2>/dev/null)
	reason=$(printf '%s\n' "$got" | sed -n 2p)
	got=$(printf '%s\n' "$got" | sed -n 1p)
	if [ "$got" = "$verdict" ] && [ "$rc" = "$code" ] && grep -Eq -- "$ere" <<<"$reason"; then
		ok=yes
	fi
	PROBE_SAID+=("$label|$name|${got:-?}|$reason")
	row "$sc" "caa-probe@$label" "$verdict (exit $code)" "${got:-no verdict} (exit $rc)" \
		"$secs" "$ok" "  reason: ${reason:-$out}
  expected a match for /$ere/"
}

scenario_7() {
	# Pebble never checks CAA: it issues for a name whose CAA names
	# another CA, and for one whose CAA lookup fails.  caa-probe, asked
	# directly and through unbound, gives the verdict a real CA would.
	say "7: CAA: Pebble issues anyway; caa-probe gives a real CA's verdict"
	fault "servfail $N7F CAA"
	queries_clear
	lego_http "$N7D" "$STATE/7-other-ca"
	check "7 CAA names another CA" lego "$N7D" "$STATE/7-other-ca" issued \
		"$msg_issued_lego" "CAA queries: $(dns_seen "$N7D" CAA | cut -d' ' -f2-)"
	[ -s "$CERT" ] && ISSUED_7+=("$N7D")
	lego_http "$N7F" "$STATE/7-caa-fail"
	check "7 servfail CAA" lego "$N7F" "$STATE/7-caa-fail" issued \
		"$msg_issued_lego" "CAA queries: $(dns_seen "$N7F" CAA | cut -d' ' -f2-)"
	[ -s "$CERT" ] && ISSUED_7+=("$N7F")
	local where port
	for where in responder:$RSP_PORT unbound:$UNBOUND_PORT; do
		port=${where#*:}
		where=${where%%:*}
		probe "7 zone example.test" "$N1" "$where" "$port" allowed 0 \
			'^CAA record for example\.test permits issuance by letsencrypt\.org'
		probe "7 CAA names another CA" "$N7D" "$where" "$port" denied 1 \
			'^CAA record for other-ca\.test prevents issuance$'
		probe "7 servfail CAA" "$N7F" "$where" "$port" lookup-failed 2 \
			"^DNS problem: SERVFAIL looking up CAA for $(re_name "$N7F") - the domain's nameservers may be malfunctioning$"
	done
	faults_clear
}

# http_seen NAME: the requests caa-responder's HTTP-01 server got for
# NAME (/http-request-history), e.g. "3 requests, 3 for a token".
http_seen() {
	api POST /http-request-history "{\"host\":\"$1\"}" | python3 -c '
import json, sys
j = json.load(sys.stdin)
n = sum(1 for e in j if e["URL"].startswith("/.well-known/acme-challenge/"))
print("%d requests, %d for a token" % (len(j), n))' 2>/dev/null ||
		echo "no history"
}

scenario_8() {
	# caa-responder takes the client's port, 14402, where Pebble fetches
	# the token: it runs again with --http01 (last: no client listens
	# there after this), and Pebble asks it directly.
	# lego asks Pebble to validate as soon as the file is written; the
	# name's DNS answers come 500 ms late (a fault rule), so Pebble
	# fetches long after the bridge's 20 ms look at the directory.
	say "8: HTTP-01 answered by caa-responder --http01 (/add-http01)"
	stop_pid "$rsp_pid"
	RSP_EXTRA=(--http01 "127.0.0.1:$HTTP01_PORT")
	start_responder
	start_pebble "$RSP_PORT"
	mkdir -p "$STATE/8-webroot"
	start_bridge "$STATE/8-webroot"
	fault "delay $N8 * ms=500"
	lego_http01 "$N8" "$STATE/8-http01" "$STATE/8-webroot"
	local seen
	seen=$(http_seen "$N8")
	check "8 HTTP-01 by responder" lego "$N8" "$STATE/8-http01" issued \
		"$msg_issued_lego" "$seen"
	case $seen in
	"0 requests"* | *" 0 for a token" | "no history")
		row "8 HTTP-01 by responder" "caa-responder http01" \
			"token fetched" "$seen" "$CLIENT_SECS" no
		;;
	esac
	grep -q ' -> /add-http01 200$' "$work/bridge.log" ||
		row "8 HTTP-01 by responder" "http01-bridge" "/add-http01 200" \
			"$(tail -n1 "$work/bridge.log")" "$CLIENT_SECS" no
	stop_pid "$bridge_pid"
	bridge_pid=""
	faults_clear
}

# ------------------------------------------------------------------ run

# serve_setup SECONDS: keep the setup up and say how to use it.
serve_setup() {
	local dns=$RSP_PORT what=caa-responder deadline p
	if $via_unbound; then
		dns=$UNBOUND_PORT
		what="unbound, stub zones at caa-responder"
	fi
	start_pebble "$dns"
	cat <<EOF

The setup is up for $1 s (Ctrl-C stops it):
  ACME directory  $DIR_URL
  its TLS CA      $CA
                  (lego: LEGO_CA_CERTIFICATES=that; certbot: REQUESTS_CA_BUNDLE=that)
  Pebble's DNS    127.0.0.1:$dns ($what)
  HTTP-01         Pebble fetches http://NAME:$HTTP01_PORT/...: listen on 127.0.0.1:$HTTP01_PORT
  caa-responder   127.0.0.1:$RSP_PORT, the zones of tests/acme/zones/
  management API  $API (challtestsrv's /add-a, /set-txt, ...; /faults)
  unbound         127.0.0.1:$UNBOUND_PORT
  query log       $work/queries.log
For example:
  curl -d '{"rule":"servfail s2-lego.example.test A"}' $API/faults
  curl -d '{"host":"my.example.test","addresses":["127.0.0.1"]}' $API/add-a
  LEGO_CA_CERTIFICATES=$CA lego --server $DIR_URL --accept-tos \\
      --email $EMAIL --domains my.example.test --http \\
      --http.port 127.0.0.1:$HTTP01_PORT --path $work/my-lego run
  $PROBE -s 127.0.0.1#$UNBOUND_PORT my.example.test
EOF
	deadline=$(($(date +%s) + $1))
	while [ "$(date +%s)" -lt "$deadline" ]; do
		for p in "$rsp_pid" "$unbound_pid" "$pebble_pid"; do
			kill -0 "$p" 2>/dev/null || die "a daemon stopped (pid $p): see its log in $work"
		done
		sleep 1
	done
	say "$1 s are over: stopping"
	exit 0
}

say "work directory $work"
start_responder
start_unbound
if [ -n "$serve" ]; then
	serve_setup "$serve"
fi
# Pebble asks caa-responder for every scenario but 6, which needs it
# restarted to ask unbound.
direct=false
for n in 1 2 3 4 5 7; do
	want "$n" && direct=true
done
if $direct; then
	start_pebble "$RSP_PORT"
	for n in 1 2 3 4 5 7; do
		if want "$n"; then
			"scenario_$n"
		fi
	done
fi
if want 6; then
	start_pebble "$UNBOUND_PORT"
	scenario_6
fi
if want 8; then
	scenario_8
fi

# The table, in scenario order (6 and 8 ran last: they restart Pebble).
echo
fmt='%-24s %-20s %-24s %-52s %7s  %s\n'
# shellcheck disable=SC2059 # the format is the same for every line
printf "$fmt" scenario client expected observed seconds result
# shellcheck disable=SC2059
printf "$fmt" -------- ------ -------- -------- ------- ------
printf '%s\n' "${ROWS[@]}" | sort -s -n -k1,1 | while IFS='|' read -r a b c d e f; do
	# shellcheck disable=SC2059
	printf "$fmt" "$a" "$b" "$c" "$d" "$e" "$f"
done

if want 7; then
	echo
	echo "CAA: Pebble does not check CAA, so it issued where a real CA would refuse."
	for r in "${PROBE_SAID[@]}"; do
		IFS='|' read -r where name verdict reason <<<"$r"
		[ "$verdict" = allowed ] && continue
		printf '  %s via %s: %s -- %s\n' "$name" "$where" "$verdict" "$reason"
	done
	for r in "${ISSUED_7[@]}"; do
		printf '  %s: Pebble issued a certificate all the same\n' "$r"
	done
	echo "  caa-probe gives the verdict Let's Encrypt would; check it before trusting an issued test certificate."
fi

if [ ${#DETAILS[@]} -gt 0 ]; then
	echo
	echo "what differed:"
	for d in "${DETAILS[@]}"; do
		printf '%s\n' "$d"
	done
	[ -n "$keep_logs" ] || echo "(run with --keep-logs DIR to keep every log)"
fi

echo
say "done in $(since "$t_start") s"
echo "acme-e2e: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ]
