#!/usr/bin/env bash
# scripts/acme-e2e.sh -- real ACME clients against DNS faults and CAA,
# offline.
#
# Pebble (Let's Encrypt's test CA) asks caa-responder, directly or through
# unbound, for the names lego, certbot and uacme want certificates for;
# fault rules set through the responder's management API break those
# lookups the way broken nameservers do, and each client's outcome and
# message are checked against what a real CA's error looks like.  Pebble
# never checks CAA: caa-probe gives the verdict it does not, and caa-gate,
# in front of Pebble, refuses as Let's Encrypt does, with Let's Encrypt's
# problem documents.  Everything runs on loopback; every process it starts
# is stopped by its PID on exit.  caa-gate and caa-responder are stopped
# before the table, and must exit with status 0 on SIGTERM with no
# sanitizer report on their stderr (a row "stop" differs otherwise; with
# --build-dir build-asan they run under ASan and UBSan).
#
#   scripts/acme-e2e.sh [--quick] [--only LIST] [--keep-logs DIR]
#                       [--build-dir DIR] [--no-install]
#   scripts/acme-e2e.sh --serve SECONDS [--via-unbound] [--gate]
#
#   --quick          scenarios 1, 2, 7, 8, 9, 10, 11 and 19 with lego only
#                    (what CI runs)
#   --only LIST      only these scenarios, e.g. --only 3,4
#   --keep-logs DIR  copy every log, client output and config to DIR
#   --build-dir DIR  where caa-responder, caa-probe and caa-gate are
#                    (default build/; built there when missing)
#   --no-install     do not install missing packages (status 77 instead)
#   --serve SECONDS  run no scenario: start the same setup, print how to
#                    point a client at it, keep it up that long (or until
#                    Ctrl-C); --via-unbound: Pebble asks unbound; --gate:
#                    caa-gate in front of Pebble too (https://127.0.0.1:14404/dir,
#                    --recheck always on 14405, --validate on 14406)
#
# Scenarios, straight to Pebble: 1 no fault (lego, certbot), 2 servfail A,
# 3 drop / servfail AAAA, 4 DNS-01 via /set-txt (and servfail TXT), 5
# flapping SERVFAIL then a retry, 6 the same through unbound, 7 CAA: Pebble
# issues, caa-probe says what a real CA would, 8 HTTP-01 answered by
# caa-responder --http01 (no challtestsrv, no client server).  Through
# caa-gate (lego, certbot, uacme): 9 CAA permits, 10 CAA names another CA,
# 11 SERVFAIL for CAA (a rule, the caa-servfail profile), 12 the CAA query
# dropped, 13 accounturi / validationmethods (RFC 8657), 14 a wildcard
# under issuewild ";", 15 CAA changed before finalize (--recheck always),
# 16 a flapping TLD (tld-flap) and a retry, 17 100 orders, none lost, 18
# DNSSEC: Bogus (caa-responder --dnssec with sig-bogus and the
# dnssec-empty-bogus profile, caa-gate --validate) and a secure name issued, 19
# three remote perspectives (--perspective), one then two broken.
# Status: 0 every outcome as expected, 1 one differed (or the setup
# failed), 2 usage, 77 the tools could not be installed.
set -u -o pipefail

cd "$(dirname "$0")/.." || exit 1
root=$PWD
acme=$root/tests/acme
PATH=$PATH:/usr/sbin:/sbin

quick=false
only=""
keep_logs=""
build_dir=${CAA_BUILD_DIR:-$root/build}
install=true
serve=""
via_unbound=false
serve_gate=false
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
	--gate) serve_gate=true ;;
	-h | --help)
		sed -n '2,45p' "$0" | sed 's/^# \{0,1\}//'
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
if $serve_gate && [ -z "$serve" ]; then
	echo "acme-e2e: --gate goes with --serve SECONDS" >&2
	exit 2
fi

if $quick; then
	only=${only:-1,2,7,8,9,10,11,19}
fi
# want N: 0 if scenario N is selected.
want() {
	[ -z "$only" ] && return 0
	case ",$only," in *",$1,"*) return 0 ;; esac
	return 1
}
with_certbot() { ! $quick; }
with_uacme() { ! $quick; }

# shellcheck source=tests/acme/lib.sh
. "$acme/lib.sh"
# shellcheck source=tests/acme/scenarios.sh
. "$acme/scenarios.sh"
# shellcheck source=tests/acme/gate-scenarios.sh
. "$acme/gate-scenarios.sh"

t_start=$(now)
$quick || PKGS+=(certbot:certbot uacme:uacme)
install_tools
rc=$?
if [ "$rc" -ne 0 ]; then
	say "the tools could not be installed: nothing run"
	exit "$rc"
fi
build_binaries
# From here on no proxy: every address is the loopback.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
export NO_PROXY=127.0.0.1,localhost,::1 no_proxy=127.0.0.1,localhost,::1
setup_work
setup_tls

# ------------------------------------------------------------------ serve

# serve_setup SECONDS: keep the setup up and say how to use it.
serve_setup() {
	local dns=$RSP_PORT what=caa-responder deadline p
	if $via_unbound; then
		dns=$UNBOUND_PORT
		what="unbound, stub zones at caa-responder"
	fi
	start_pebble "$dns"
	if $serve_gate; then
		start_gates
		start_signed
	fi
	cat <<EOF

The setup is up for $1 s (Ctrl-C stops it):
  ACME directory  $DIR_URL
  its TLS CA      $CA
                  (lego: LEGO_CA_CERTIFICATES=that; certbot: REQUESTS_CA_BUNDLE=that)
  Pebble's DNS    127.0.0.1:$dns ($what)
  HTTP-01         Pebble fetches http://NAME:$HTTP01_PORT/...: listen on 127.0.0.1:$HTTP01_PORT
  caa-responder   127.0.0.1:$RSP_PORT, the zones of tests/acme/zones/
  management API  $API (challtestsrv's /add-a, /set-txt, ...; /faults, /records)
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
	if $serve_gate; then
		cat <<EOF

caa-gate decides CAA before Pebble validates, with Let's Encrypt's problem
documents; its CAA lookups go to caa-responder, its certificate is the same CA's:
  ACME directory  $GATE_URL  (CAA rechecked at finalize after 7 h, as Let's Encrypt)
                  $GATE_RECHECK_URL  (--recheck always: at every finalize)
                  $GATE_DNSSEC_URL  (--validate: its CAA lookups go to
                  caa-responder --dnssec on 127.0.0.1:$SIGNED_PORT, trust anchor $work/ta.ds)
  decision log    $work/gate.log, $work/gate-recheck.log, $work/gate-dnssec.log
  names           tests/acme/zones/gated.test.zone: CLIENT.ok (permitted),
                  CLIENT.deny (another CA), CLIENT.profile (SERVFAIL for CAA),
                  CLIENT.acct (accounturi), CLIENT.meth (dns-01 only),
                  *.CLIENT.wild (issuewild ";") .gated.test; CLIENT.flap.test (tld-flap);
                  on port $GATE_DNSSEC_PORT: CLIENT.bogus (sig-bogus for CAA), CLIENT.empty
                  (dnssec-empty-bogus), CLIENT.signed (secure) .gated.test;
                  CLIENT: lego, certbot or uacme (A 127.0.0.1), or any name (/add-a)
For example:
  curl -d '{"rule":"servfail my.ok.gated.test CAA"}' $API/faults
  curl -d '{"rr":"my.ok.gated.test. 60 IN CAA 0 issue \"ca.other.test\""}' $API/records
  LEGO_CA_CERTIFICATES=$CA lego --server $GATE_URL --accept-tos \\
      --email $EMAIL --domains my.deny.gated.test --http \\
      --http.port 127.0.0.1:$HTTP01_PORT --path $work/my-lego run
  REQUESTS_CA_BUNDLE=$CA certbot certonly --standalone --server $GATE_URL \\
      --http-01-address 127.0.0.1 --http-01-port $HTTP01_PORT -d my.deny.gated.test \\
      --config-dir $work/my-certbot --work-dir $work/my-certbot \\
      --logs-dir $work/my-certbot --agree-tos -m $EMAIL --no-eff-email -n
EOF
	fi
	deadline=$(($(date +%s) + $1))
	while [ "$(date +%s)" -lt "$deadline" ]; do
		for p in "$rsp_pid" "$unbound_pid" "$pebble_pid" "$gate_pid" "$gate_recheck_pid" \
			"$signed_pid" "$gate_dnssec_pid"; do
			[ -n "$p" ] || continue
			kill -0 "$p" 2>/dev/null || die "a daemon stopped (pid $p): see its log in $work"
		done
		sleep 1
	done
	say "$1 s are over: stopping"
	exit 0
}

# -------------------------------------------------------------------- run

say "work directory $work"
start_responder
start_unbound
if [ -n "$serve" ]; then
	serve_setup "$serve"
fi
# Pebble asks caa-responder for every scenario but 6, which needs it
# restarted to ask unbound; 8 takes port 14402 from the clients, so it
# runs last.
DIRECT=(1 2 3 4 5 7 9 10 11 12 13 14 15 16 17 18 19)
direct=false gated=false
for n in "${DIRECT[@]}"; do
	want "$n" && direct=true
	[ "$n" -ge 9 ] && want "$n" && gated=true
done
if $direct; then
	start_pebble "$RSP_PORT"
	if $gated; then
		start_gates
		gate_clients
	fi
	for n in "${DIRECT[@]}"; do
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

# caa-gate and caa-responder stop before the table: a server that does
# not exit with status 0 on SIGTERM, or leaves a sanitizer report on its
# stderr, is a row that differs.
stop_ours caa-gate "$gate_pid" "$work/gate.err"
stop_ours caa-gate "$gate_recheck_pid" "$work/gate-recheck.err"
stop_ours caa-gate "$gate_dnssec_pid" "$work/gate-dnssec.err"
stop_ours caa-responder "$rsp_pid" "$work/responder.err"
stop_ours caa-responder "$signed_pid" "$work/signed.err"
gate_pid="" gate_recheck_pid="" rsp_pid="" gate_dnssec_pid="" signed_pid=""

# The table, in scenario order (6 and 8 ran last: they restart Pebble).
echo
fmt='%-31s %-20s %-24s %-52s %7s  %s\n'
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
	echo "  caa-probe gives the verdict Let's Encrypt would; caa-gate in front of Pebble"
	echo "  refuses as it would (scenarios 9-19)."
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
