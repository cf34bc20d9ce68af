#!/usr/bin/env bash
# Benchmark caa-responder beside Knot DNS and NSD, in the same run, on loopback.
#
#   scripts/bench.sh            # full run (about 12 minutes)
#   scripts/bench.sh --quick    # about one minute, one repetition, shorter runs
#
# Every server serves bench/example.test.zone (one UDP worker each) and is
# loaded with bench/queries-caa-mix.txt (3,000 CAA queries: a third each
# answered, NODATA, NXDOMAIN), one server after another, by two generators:
#   dnsperf -s 127.0.0.1 -p PORT -d FILE -l DURATION -c 10 -q 100 -T 1
#   caa-loadgen -s 127.0.0.1 -p PORT -d FILE -l SAT_DURATION -c 10 -q 100 -b 32
# dnsperf needs more CPU per query than the servers do, so on two cores it
# saturates its own CPU first and every server reaches the same rate.
# caa-loadgen (bench/loadgen.c) keeps the same 100 queries outstanding on
# 10 sockets but sends and reads them in batches, so the server runs out of
# CPU first and its rate is its own.  Both print the generator's CPU use
# beside the server's, so each table shows which side was the limit.
# With two or more CPUs every server runs on CPU 0 and the generator on
# CPU 1 (taskset; PIN=0 turns that off).  Knot pins its UDP worker to CPU 0
# whatever it is started with, so this is the one layout that is the same
# for all three; unpinned, a server that happens to share the generator's
# CPU spends far less per query (no cross-CPU wakeups), and runs differ by
# that more than by the servers.  The server's CPU time (the run time of
# every thread of the started PID and its children,
# /proc/PID/task/TID/schedstat, in nanoseconds) and RSS are sampled around
# and during each run.  Runs:
#   responder, responder-faulted, responder-10k-rules, knot, nsd
#                               all up at once (the idle ones sleep), loaded
#                               one after another by caa-loadgen, then by
#                               dnsperf, REPS times (medians), the order
#                               rotated each time, so that the runs a ratio
#                               compares are seconds apart
#     responder-faulted         10% of the queries hit by fault rules (5% servfail
#                               on host0..149, 5% nodata on nx0..149)
#     responder-10k-rules       10,000 rules loaded that match nothing
#   latency                     dnsperf -Q 20000 -v: CPU per query, p50/p99
#                               (responder and knot both up, LAT_REPS short runs
#                               each, alternating, which goes first alternating)
#   1M-record zone              exec to answering its last record, RSS (responder, knot)
#   zone changes                caa-responder alone, with the management API:
#                               a CHANGE_RECORDS-record zone (1M; 200k with
#                               --quick) and a 1,000-record zone beside it;
#                               CHANGES records added to each over the API, one
#                               after the other, each timed from the POST to the
#                               first answer with the new record (bench/changes.py);
#                               a steady stream (dnsperf -Q CHANGE_QPS -v,
#                               CHANGE_DURATION s) of A queries for the big
#                               zone's names, once without changes and once
#                               while changes to the big zone run back to back:
#                               p50, p99, max; then a 1,000-record zone served
#                               alone, CHANGES records added
#   signing                     a SIGN_RECORDS-record zone (1M with ONLY=sign,
#                               else 100k): caa-responder --dnssec (and --nsec3)
#                               from exec to ready beside Knot DNS from exec to
#                               the signed zone published (its own instance,
#                               on SIGN_PORT or the first free port from
#                               5337), one ECDSAP256SHA256 CSK each;
#                               wall-clock and CPU ratios, peak RSS,
#                               medians of SIGN_REPS (3)
# Installs dnsperf, knot and nsd with apt-get if missing.  Every process started
# here is stopped here, by its PID.  Ports 5330-5336 (and SIGN_PORT) on
# 127.0.0.1 only.
#
# Environment: RESPONDER and LOADGEN (binaries; default: a Release build in
# build-bench/), WORK (default /tmp/caalab-bench), DURATION, SAT_DURATION,
# REPS, LAT_DURATION, LAT_REPS, BIG_RECORDS, CHANGE_RECORDS, CHANGES,
# CHANGE_QPS, CHANGE_DURATION, SIGN_RECORDS, SIGN_REPS (with ONLY=sign, REPS
# too), SIGN_TIMEOUT (600 s a run), SIGN_LDNS=1 (ldns-signzone rows as well),
# PIN, ONLY=changes or ONLY=sign (that section alone).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/bench
QUICK=0
[ "${ONLY:-}" != sign ] || SIGN_REPS=${SIGN_REPS:-${REPS:-}}
for a in "$@"; do
  case $a in
    --quick) QUICK=1 ;;
    -h|--help) sed -n '2,69p' "$0"; exit 0 ;;
    *) echo "usage: $0 [--quick]" >&2; exit 64 ;;
  esac
done
if [ $QUICK = 1 ]; then
  DURATION=${DURATION:-3}; SAT_DURATION=${SAT_DURATION:-2}; REPS=${REPS:-1}
  LAT_DURATION=${LAT_DURATION:-3}; LAT_REPS=${LAT_REPS:-2}
  CHANGE_RECORDS=${CHANGE_RECORDS:-200000}; CHANGES=${CHANGES:-5}
  CHANGE_DURATION=${CHANGE_DURATION:-4}
else
  DURATION=${DURATION:-10}; SAT_DURATION=${SAT_DURATION:-5}; REPS=${REPS:-5}
  LAT_DURATION=${LAT_DURATION:-3}; LAT_REPS=${LAT_REPS:-20}
  CHANGE_RECORDS=${CHANGE_RECORDS:-1000000}; CHANGES=${CHANGES:-20}
  CHANGE_DURATION=${CHANGE_DURATION:-10}
fi
CHANGE_QPS=${CHANGE_QPS:-2000}
if [ $QUICK = 1 ]; then SIGN_REPS=${SIGN_REPS:-1}; else SIGN_REPS=${SIGN_REPS:-3}; fi
if [ $QUICK = 0 ] && [ "${ONLY:-}" = sign ]; then SIGN_RECORDS=${SIGN_RECORDS:-1000000}
else SIGN_RECORDS=${SIGN_RECORDS:-100000}; fi
SIGN_TIMEOUT=${SIGN_TIMEOUT:-600}
SIGN_PORT=${SIGN_PORT:-}               # empty: chosen before each Knot start
ONLY=${ONLY:-}
PIN=${PIN:-1}
SRV_PIN=() GEN_PIN=()
if [ "$PIN" = 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset > /dev/null; then
  SRV_PIN=(taskset -c 0) GEN_PIN=(taskset -c 1)
fi
BIG_RECORDS=${BIG_RECORDS:-1000000}
WORK=${WORK:-/tmp/caalab-bench}
ADDR=127.0.0.1                     # loopback only
declare -A PORT=([responder]=5330 [knot]=5331 [nsd]=5332 [responder-faulted]=5333 [responder-10k-rules]=5334 [responder-changes]=5335)
API_PORT=5336                      # responder-changes' management API
SERVERS=(responder responder-faulted responder-10k-rules knot nsd responder-changes)
PY=$(command -v python3)
ZONE=$B/example.test.zone
QUERIES=$B/queries-caa-mix.txt
log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }

# --- tools -----------------------------------------------------------------
need=()
command -v dnsperf > /dev/null || need+=(dnsperf)
command -v knotd > /dev/null || need+=(knot)
command -v nsd > /dev/null || need+=(nsd)
command -v dig > /dev/null || need+=(bind9-dnsutils)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get install -y "${need[@]}" > /dev/null || { log "apt-get failed"; exit 1; }
fi
if [ -z "${RESPONDER:-}" ] || [ -z "${LOADGEN:-}" ]; then
  log "building caa-responder and caa-loadgen (Release) in build-bench/"
  cmake -S "$ROOT" -B "$ROOT/build-bench" -DCMAKE_BUILD_TYPE=Release > /dev/null &&
    cmake --build "$ROOT/build-bench" -j2 --target caa-responder caa-loadgen > /dev/null || exit 1
  RESPONDER=${RESPONDER:-$ROOT/build-bench/responder/caa-responder}
  LOADGEN=${LOADGEN:-$ROOT/build-bench/caa-loadgen}
fi

rm -rf "$WORK"; mkdir -p "$WORK/raw"
RAW=$WORK/results.csv
echo "kind,run,rep,qps,completed,lost,resp_bytes,cpu_us_per_q,cpu_pct,rss_kb,p50_ms,p99_ms,seconds,rcodes,gen_cpu_pct" > "$RAW"

# --- servers ---------------------------------------------------------------
# write_conf SERVER ZONENAME ZONEFILE
write_conf() {
  local s=$1 zn=$2 zf=$3 d=$WORK/$1
  rm -rf "$d"; mkdir -p "$d"
  case $s in
  knot)
    mkdir -p "$d/db"
    cat > "$d/knot.conf" <<EOF
server:
    rundir: "$d"
    pidfile: "$d/knot.pid"
    listen: $ADDR@${PORT[knot]}
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
log:
  - target: "$d/knot.log"
    any: info
database:
    storage: "$d/db"
template:
  - id: default
    storage: "$d"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
zone:
  - domain: $zn
    file: "$zf"
EOF
    ;;
  nsd)
    cat > "$d/nsd.conf" <<EOF
server:
    ip-address: $ADDR@${PORT[nsd]}
    do-ip6: no
    server-count: 1
    username: ""
    chroot: ""
    database: ""
    zonesdir: "$d"
    zonelistfile: "$d/zone.list"
    xfrdfile: "$d/xfrd.state"
    xfrdir: "$d"
    pidfile: "$d/nsd.pid"
    logfile: "$d/nsd.log"
    verbosity: 1
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
remote-control:
    control-enable: no
zone:
    name: "$zn"
    zonefile: "$zf"
EOF
    ;;
  responder*) : ;;
  esac
}

# exec_server SERVER ZONEFILE [RESPONDER ARGS...]: start in the foreground
# (backgrounded here), PID in $WORK/SERVER/started.pid
exec_server() {
  local s=$1 zf=$2; shift 2
  case $s in
    responder*) "${SRV_PIN[@]}" "$RESPONDER" -l "$ADDR:${PORT[$s]}" "$@" "$zf" > "$WORK/$s/stdout.log" 2>&1 & ;;
    knot) "${SRV_PIN[@]}" knotd -c "$WORK/knot/knot.conf" > "$WORK/$s/stdout.log" 2>&1 & ;;
    nsd) "${SRV_PIN[@]}" nsd -d -c "$WORK/nsd/nsd.conf" > "$WORK/$s/stdout.log" 2>&1 & ;;
  esac
  echo $! > "$WORK/$s/started.pid"
}

probe() { "$PY" "$B/dnsprobe.py" "$@"; }

# start_server SERVER [RESPONDER ARGS...]: example.test, wait for SOA
start_server() {
  local s=$1; shift
  write_conf "$s" example.test "$ZONE"
  mkdir -p "$WORK/$s"
  exec_server "$s" "$ZONE" "$@"
  if ! probe "${PORT[$s]}" example.test SOA 60 > /dev/null; then
    log "$s did not answer"; tail -n 20 "$WORK/$s/"*.log >&2; stop_server "$s"; return 1
  fi
}

# server_pids SERVER: the started PID and its descendants
server_pids() {
  local root; root=$(cat "$WORK/$1/started.pid" 2>/dev/null) || return 0
  [ -d /proc/"$root" ] || return 0
  local todo=("$root") out=() p c
  while [ ${#todo[@]} -gt 0 ]; do
    p=${todo[0]}; todo=("${todo[@]:1}"); out+=("$p")
    for c in $(ps -o pid= --ppid "$p"); do todo+=("$c"); done
  done
  echo "${out[@]}"
}

# stop_server SERVER: SIGTERM the recorded PIDs, SIGKILL after 10 s
stop_server() {
  local s=$1 pid pids p i
  pid=$(cat "$WORK/$s/started.pid" 2>/dev/null) || return 0
  pids=$(server_pids "$s")
  [ -d /proc/"$pid" ] && kill -TERM "$pid" 2>/dev/null
  for p in $pids; do
    for i in $(seq 100); do
      [ -d /proc/"$p" ] || break
      [ "$(awk '{ sub(/^.*\) /, ""); print $1 }' /proc/"$p"/stat 2>/dev/null)" = Z ] && break
      sleep 0.1
    done
    if [ -d /proc/"$p" ] && [ "$(awk '{ sub(/^.*\) /, ""); print $1 }' /proc/"$p"/stat 2>/dev/null)" != Z ]; then
      log "SIGKILL $s pid $p"; kill -KILL "$p" 2>/dev/null
    fi
  done
  wait "$pid" 2>/dev/null
  rm -f "$WORK/$s/started.pid"
}
cleanup() { for s in "${SERVERS[@]}"; do stop_server "$s"; done; }
trap 'cleanup; exit 130' INT TERM

# cpu_ns PID...: nanoseconds on a CPU of every thread of the PIDs
cpu_ns() {
  local p
  for p in "$@"; do cat /proc/"$p"/task/*/schedstat 2>/dev/null; done | awk '{ t += $1 } END { printf "%.0f\n", t }'
}
rss_kb() {
  local r=0 p a
  for p in "$@"; do a=$(awk '/^VmRSS:/{print $2}' /proc/"$p"/status 2>/dev/null); r=$(( r + ${a:-0} )); done
  echo $r
}

# load_run dnsperf|loadgen SERVER RUNNAME REP [QPS]: server running; one row
# in $RAW (kind throughput for dnsperf, saturated for caa-loadgen, latency
# for dnsperf at a fixed QPS)
load_run() {
  local tool=$1 s=$2 run=$3 rep=$4 qps=${5:-} p=${PORT[$2]} kind d gen=()
  local rawf=$WORK/raw/$tool-$3-r$4.txt
  case $tool in
    dnsperf) gen=(dnsperf -s "$ADDR" -p "$p" -d "$QUERIES" -c 10 -q 100 -T 1); d=$DURATION; kind=throughput ;;
    loadgen) gen=("$LOADGEN" -s "$ADDR" -p "$p" -d "$QUERIES" -c 10 -q 100 -b 32); d=$SAT_DURATION; kind=saturated ;;
  esac
  if [ -n "$qps" ]; then gen+=(-Q "$qps" -v); d=$LAT_DURATION; kind=latency; fi
  [ -n "$qps" ] || "${GEN_PIN[@]}" "${gen[@]}" -l 1 > /dev/null 2>&1   # warm-up
  local pids c0 c1 rss; pids=$(server_pids "$s")
  # shellcheck disable=SC2086
  c0=$(cpu_ns $pids)
  # the generator's own CPU time (user, system) from bash's time
  ( TIMEFORMAT='%3U %3S'; time "${GEN_PIN[@]}" "${gen[@]}" -l "$d" > "$rawf" 2>&1 ) 2> "$rawf.cpu" &
  local dp=$!
  sleep "$(awk -v d="$d" 'BEGIN{print d/2}')"
  # shellcheck disable=SC2086
  rss=$(rss_kb $pids)
  wait "$dp"
  # shellcheck disable=SC2086
  c1=$(cpu_ns $pids)
  local p50="" p99=""
  if [ -n "$qps" ]; then
    grep '^> ' "$rawf" | awk '{print $NF*1000}' | sort -g > "$rawf.lat"
    local n; n=$(wc -l < "$rawf.lat")
    p50=$(awk -v n="$n" 'BEGIN{k=int(n*0.5); if(k<1)k=1} NR==k{print; exit}' "$rawf.lat")
    p99=$(awk -v n="$n" 'BEGIN{k=int(n*0.99); if(k<1)k=1} NR==k{print; exit}' "$rawf.lat")
    grep -v '^> ' "$rawf" > "$rawf.tmp"; mv "$rawf.tmp" "$rawf"
    mv "$rawf.lat" "$WORK/raw/lat-$run-r$rep.txt"   # pooled by summarize.py
  fi
  awk -v kind="$kind" -v run="$run" -v rep="$rep" -v ns=$((c1 - c0)) -v rss="$rss" \
      -v p50="$p50" -v p99="$p99" -v gcpu="$(tail -n 1 "$rawf.cpu")" '
    /Queries completed:/ { comp=$3 }
    /Queries lost:/      { lost=$3 }
    /Average packet size:/ { resp=$7 }
    /Run time \(s\):/    { rt=$4 }
    /Queries per second:/ { qps=$4 }
    /Response codes:/    { rc=$0; sub(/^ *Response codes: */, "", rc); gsub(/,/, ";", rc) }
    END {
      split(gcpu, g, " ")
      printf "%s,%s,%s,%.0f,%d,%d,%d,%.3f,%.1f,%d,%s,%s,,%s,%.1f\n", kind, run, rep, qps, comp, lost, resp,
        (comp > 0 ? ns / 1e3 / comp : 0), (rt > 0 ? ns / 1e9 / rt * 100 : 0), rss, p50, p99, rc,
        (rt > 0 ? (g[1] + g[2]) / rt * 100 : 0)
    }' "$rawf" | tee -a "$RAW" >&2
}

log "start: DURATION=$DURATION SAT_DURATION=$SAT_DURATION REPS=$REPS LAT_DURATION=$LAT_DURATION LAT_REPS=$LAT_REPS pinned=${SRV_PIN[*]:-no} responder=$RESPONDER loadgen=$LOADGEN"

# --- fault rule files ------------------------------------------------------
{ for i in $(seq 0 149); do echo "servfail host$i.example.test CAA"; echo "nodata nx$i.example.test CAA"; done; } > "$WORK/faults-10pct.txt"
seq 0 9999 | awk '{ printf "servfail nomatch%d.example.net CAA\n", $1 }' > "$WORK/rules-10k.txt"

if [ -z "$ONLY" ]; then
# --- throughput: responder, faulted, 10k rules, knot, nsd --------------------
# The machine's speed drifts within a minute, so all five servers stay up
# (each on its own port; the idle ones sleep) and every repetition loads
# them back to back, first with caa-loadgen, then with dnsperf, the order
# rotated from one repetition to the next.  The runs a ratio compares are
# seconds apart, not minutes.
started=()
start_server responder && started+=(responder)
start_server responder-faulted -F "$WORK/faults-10pct.txt" && started+=(responder-faulted)
start_server responder-10k-rules -F "$WORK/rules-10k.txt" && started+=(responder-10k-rules)
start_server knot && started+=(knot)
start_server nsd && started+=(nsd)
for rep in $(seq "$REPS"); do
  k=$(( (rep - 1) % ${#started[@]} ))
  order=("${started[@]:$k}" "${started[@]:0:$k}")
  for s in "${order[@]}"; do load_run loadgen "$s" "$s" "$rep"; done
  for s in "${order[@]}"; do load_run dnsperf "$s" "$s" "$rep"; done
done
cleanup

# --- fixed rate 20k qps: CPU per query, latency ------------------------------
# p99 here moves by 2x from one run to the next for either server, with the
# machine's other load, so both servers stay up and short runs alternate
# between them (which goes first alternating too); the ratios are taken
# within each pair.
if start_server responder && start_server knot; then
  for s in responder knot; do
    "${GEN_PIN[@]}" dnsperf -s "$ADDR" -p "${PORT[$s]}" -d "$QUERIES" -l 1 -Q 20000 > /dev/null 2>&1   # warm-up
  done
  for rep in $(seq "$LAT_REPS"); do
    order="responder knot"; [ $((rep % 2)) = 0 ] && order="knot responder"
    for s in $order; do load_run dnsperf "$s" "$s" "$rep" 20000; done
  done
fi
stop_server responder; stop_server knot

# --- 1M-record zone: exec to answering the last record, RSS ------------------
BIG=$WORK/big.test.zone
log "generating $BIG_RECORDS-record zone"
"$B/gen-big-zone.sh" "$BIG" "$BIG_RECORDS"
last=h$((BIG_RECORDS - 11)).big.test
for s in responder knot; do
  write_conf "$s" big.test "$BIG"; mkdir -p "$WORK/$s"
  probe "${PORT[$s]}" "$last" A 120 abs > "$WORK/probe.out" &   # probe first: its start-up is not counted
  pp=$!
  sleep 0.5
  t0=$(date +%s.%N)
  exec_server "$s" "$BIG"
  if wait "$pp"; then
    t=$(awk -v a="$t0" -v b="$(cat "$WORK/probe.out")" 'BEGIN{printf "%.3f", b-a}')
    sleep 0.5
    # shellcheck disable=SC2046
    rss=$(rss_kb $(server_pids "$s"))
    echo "zoneload,$s,1,,,,,,,$rss,,,$t," | tee -a "$RAW" >&2
  else
    log "$s never answered $last"
  fi
  stop_server "$s"
done
cleanup
fi

# --- zone changes: from the API to the answer; queries meanwhile -----------
# A change is built beside the event loop and swapped in, so the queries of
# the steady stream should not wait for it; the stream without changes is
# the baseline.  A change to the small zone builds only that zone.
changes_section() {
  local s=responder-changes p=${PORT[responder-changes]} csv=$WORK/changes.csv
  local big=$WORK/change-big.test.zone small=$WORK/small.test.zone qf=$WORK/queries-big.txt
  local raw lost
  log "zone changes: generating a $CHANGE_RECORDS-record zone and a 1,000-record one"
  "$B/gen-big-zone.sh" "$big" "$CHANGE_RECORDS"
  "$B/gen-big-zone.sh" "$small" 1000
  sed -i 's/big\.test\./small.test./g' "$small"
  awk -v n="$((CHANGE_RECORDS - 10))" 'BEGIN { srand(1); for (i = 0; i < 3000; i++) printf "h%d.big.test A\n", int(rand() * n) }' > "$qf"
  : > "$csv"
  mkdir -p "$WORK/$s"
  exec_server "$s" "$big" -c "$ADDR:$API_PORT" "$small"
  if ! probe "$p" "h$((CHANGE_RECORDS - 11)).big.test" A 120 > /dev/null; then
    log "$s did not answer"; stop_server "$s"; return 1
  fi
  "${GEN_PIN[@]}" "$PY" "$B/changes.py" run "$p" "$API_PORT" small.test small "$CHANGES" >> "$csv" || log "changes to small.test failed"
  "${GEN_PIN[@]}" "$PY" "$B/changes.py" run "$p" "$API_PORT" big.test big "$CHANGES" >> "$csv" || log "changes to big.test failed"
  for run in quiet changing; do
    raw=$WORK/raw/dnsperf-changes-$run.txt
    "${GEN_PIN[@]}" dnsperf -s "$ADDR" -p "$p" -d "$qf" -l "$CHANGE_DURATION" -Q "$CHANGE_QPS" -v > "$raw" 2>&1 &
    local dp=$!
    if [ $run = changing ]; then
      sleep 0.2
      "${GEN_PIN[@]}" "$PY" "$B/changes.py" run "$p" "$API_PORT" big.test stream 0 \
        "$(awk -v d="$CHANGE_DURATION" 'BEGIN{print d - 0.5}')" > "$WORK/raw/changes-stream.csv" ||
        log "changes during the stream failed"
      log "changes during the stream: $(wc -l < "$WORK/raw/changes-stream.csv")"
    fi
    wait "$dp"
    grep '^> ' "$raw" | awk '{print $NF*1000}' > "$raw.lat"
    lost=$(awk '/Queries lost:/ { print $3 }' "$raw")
    "$PY" "$B/changes.py" stream "$run" "$raw.lat" "${lost:-?}" >> "$csv"
  done
  stop_server "$s"
  exec_server "$s" "$small" -c "$ADDR:$API_PORT"
  if probe "$p" h989.small.test A 60 > /dev/null; then
    "${GEN_PIN[@]}" "$PY" "$B/changes.py" run "$p" "$API_PORT" small.test alone "$CHANGES" >> "$csv" || log "changes to a zone alone failed"
  fi
  stop_server "$s"
  tee -a "$RAW" < "$csv" > /dev/null
}

if [ -z "$ONLY" ] || [ "$ONLY" = changes ]; then
  mkdir -p "$WORK/responder-changes"
  changes_section
  cleanup
fi

# --- signing at load: caa-responder --dnssec beside Knot DNS -----------------
# One SIGN_RECORDS-record zone (gen-big-zone.sh; 1,000,000 with ONLY=sign).
# caa-responder: from exec to its ready line (read, built, signed, answers
# compiled), unsigned, then --dnssec (NSEC), then --dnssec --nsec3, with a key
# made by ldns-keygen (--key-dir).  Knot DNS: its own instance (config, KASP
# database and rundir under WORK/sign/knot, 127.0.0.1:SIGN_PORT), dnssec-signing
# on with a policy of one ECDSAP256SHA256 CSK (single-type-signing, key made by
# Knot at load), signing-threads 1, NSEC, then NSEC3 (0 iterations, no salt, no
# opt-out); from exec to its log line "loaded, serial", which Knot writes once
# the signed zone is published, then checked: kdig +dnssec SOA must carry an
# RRSIG.  SIGN_REPS times (3), the order NSEC, NSEC3 alternating between the
# two servers; medians of wall-clock and of CPU seconds (utime + stime of every
# thread; the fairer ratio on a shared machine) and the peak RSS (VmHWM).
# Every run is bounded by SIGN_TIMEOUT seconds (600).  SIGN_LDNS=1 adds
# ldns-signzone (read, sign, write, same key) as in earlier tables.  Servers on
# CPU 0 as above.
# proc_row PID T0: "seconds,cpu seconds,peak RSS KB" of a running PID
proc_row() {
  local t; t=$(date +%s.%N)
  awk -v a="$2" -v b="$t" -v r="$(awk '/^VmHWM:/{print $2}' /proc/"$1"/status 2>/dev/null)" -v hz="$(getconf CLK_TCK)" \
    '{ sub(/^.*\) /, ""); printf "%.3f,%.2f,%s\n", b - a, ($12 + $13) / hz, r }' "/proc/$1/stat"
}
# time_ready ARGS...: caa-responder from exec to its ready line
time_ready() {
  local out=$WORK/sign/ready.out t0 pid row="nan,nan,0" end
  : > "$out"
  t0=$(date +%s.%N); end=$(( $(date +%s) + SIGN_TIMEOUT ))
  "${SRV_PIN[@]}" "$RESPONDER" -l "$ADDR:0" "$@" > "$out" 2> "$WORK/sign/ready.err" &
  pid=$!
  while [ "$(date +%s)" -lt $end ]; do
    if grep -q '^ready' "$out" 2> /dev/null; then row=$(proc_row "$pid" "$t0"); break; fi
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.01
  done
  [ "$row" != "nan,nan,0" ] || log "caa-responder $* not ready: $(head -c 300 "$WORK/sign/ready.err")"
  echo "$row"
  kill -TERM "$pid" 2> /dev/null; wait "$pid" 2> /dev/null
}
# time_knot nsec|nsec3 ZONEFILE: Knot from exec to the signed zone published
time_knot() {
  local d=$WORK/sign/knot t0 pid row="nan,nan,0" end n3=off port=$SIGN_PORT
  [ "$1" = nsec3 ] && n3=on
  if [ -z "$port" ]; then              # the first port from 5337 that nothing binds now
    for port in $(seq 5337 5399); do
      [ -n "$(ss -Hlnut "( sport = :$port )" 2> /dev/null)" ] || break
    done
  fi
  rm -rf "$d"; mkdir -p "$d/db" "$d/keys"
  cat > "$d/knot.conf" <<K
server:
    rundir: "$d"
    pidfile: "$d/knot.pid"
    listen: $ADDR@$port
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
log:
  - target: "$d/knot.log"
    any: info
database:
    storage: "$d/db"
keystore:
  - id: pem
    backend: pem
    config: "$d/keys"
policy:
  - id: csk
    keystore: pem
    algorithm: ecdsap256sha256
    single-type-signing: on
    signing-threads: 1
    nsec3: $n3
    nsec3-iterations: 0
    nsec3-salt-length: 0
    nsec3-opt-out: off
template:
  - id: default
    storage: "$d"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
zone:
  - domain: big.test
    file: "$2"
    dnssec-signing: on
    dnssec-policy: csk
K
  t0=$(date +%s.%N); end=$(( $(date +%s) + SIGN_TIMEOUT ))
  "${SRV_PIN[@]}" knotd -c "$d/knot.conf" > "$d/stdout.log" 2>&1 &
  pid=$!
  while [ "$(date +%s)" -lt $end ]; do
    if grep -q 'loaded, serial' "$d/knot.log" 2> /dev/null; then row=$(proc_row "$pid" "$t0"); break; fi
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.01
  done
  if [ "$row" = "nan,nan,0" ]; then
    log "knotd ($1) not loaded: $(tail -n 5 "$d/knot.log" "$d/stdout.log" 2>/dev/null | head -c 600)"
  elif ! grep -q 'RRSIG.*SOA' <<<"$(kdig @$ADDR -p "$port" +dnssec +norec +time=5 big.test SOA)"; then
    log "knotd ($1): no RRSIG on the SOA"; row="nan,nan,0"
  fi
  echo "$row"
  kill -TERM "$pid" 2> /dev/null
  for _ in $(seq 100); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2> /dev/null && { log "SIGKILL knotd $pid"; kill -KILL "$pid" 2> /dev/null; }
  wait "$pid" 2> /dev/null
}

sign_section() {
  local d=$WORK/sign z k rows
  mkdir -p "$d"
  z=$d/big.test.zone
  log "signing: generating a $SIGN_RECORDS-record zone"
  "$B/gen-big-zone.sh" "$z" "$SIGN_RECORDS"
  k=$(cd "$d" && ldns-keygen -a ECDSAP256SHA256 -k big.test.)
  : > "$d/sign.csv"
  rows="responder-unsigned responder-nsec knot-nsec responder-nsec3 knot-nsec3"
  for rep in $(seq 1 "$SIGN_REPS"); do
    log "signing: repetition $rep of $SIGN_REPS"
    echo "responder-unsigned,$rep,$(time_ready "$z")" >> "$d/sign.csv"
    if [ $((rep % 2)) = 1 ]; then
      echo "responder-nsec,$rep,$(time_ready --dnssec --key-dir "$d" "$z")" >> "$d/sign.csv"
      echo "knot-nsec,$rep,$(time_knot nsec "$z")" >> "$d/sign.csv"
      echo "responder-nsec3,$rep,$(time_ready --dnssec --nsec3 --key-dir "$d" "$z")" >> "$d/sign.csv"
      echo "knot-nsec3,$rep,$(time_knot nsec3 "$z")" >> "$d/sign.csv"
    else
      echo "knot-nsec,$rep,$(time_knot nsec "$z")" >> "$d/sign.csv"
      echo "responder-nsec,$rep,$(time_ready --dnssec --key-dir "$d" "$z")" >> "$d/sign.csv"
      echo "knot-nsec3,$rep,$(time_knot nsec3 "$z")" >> "$d/sign.csv"
      echo "responder-nsec3,$rep,$(time_ready --dnssec --nsec3 --key-dir "$d" "$z")" >> "$d/sign.csv"
    fi
    if [ "${SIGN_LDNS:-0}" = 1 ]; then
      rows="$rows ldns-signzone-nsec ldns-signzone-nsec3"
      /usr/bin/time -f "ldns-signzone-nsec,$rep,%e,%U %S,%M" -a -o "$d/sign.csv" \
        timeout "$SIGN_TIMEOUT" "${SRV_PIN[@]}" ldns-signzone -o big.test. -f "$d/out.nsec" "$z" "$d/$k" ||
        log "ldns-signzone failed"
      /usr/bin/time -f "ldns-signzone-nsec3,$rep,%e,%U %S,%M" -a -o "$d/sign.csv" \
        timeout "$SIGN_TIMEOUT" "${SRV_PIN[@]}" ldns-signzone -n -a 1 -t 0 -s '' -o big.test. -f "$d/out.nsec3" "$z" "$d/$k" ||
        log "ldns-signzone -n failed"
      rm -f "$d/out.nsec" "$d/out.nsec3"
    fi
  done
  printf '\nSigning a %s-record zone at load (%s, %s; %s; medians of %s): from exec to\nserving the signed zone; one ECDSAP256SHA256 CSK, one signing thread each.\n\n' \
    "$SIGN_RECORDS" "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(knotd --version | head -1 | sed 's/.*version /Knot DNS /')" "$PINNED" "$SIGN_REPS"
  awk -F, -v rows="$rows" '
    $3 != "nan" {
      n = split($4, u, " "); c[$1] = c[$1] " " (n > 1 ? u[1] + u[2] : $4)
      t[$1] = t[$1] " " $3; if ($5 != "") m[$1] = m[$1] " " $5
    }
    function med(s,   a, n, i, j, x) {
      n = split(s, a, " ")
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { x = a[i]; a[i] = a[j]; a[j] = x }
      return n ? a[int((n + 1) / 2)] : ""
    }
    function ratio(a, b) { return (a != "" && b != "" && b > 0) ? sprintf("%.2f", a / b) : "n/a" }
    END {
      printf "| run | seconds | CPU seconds | peak RSS MB |\n|---|---|---|---|\n"
      n = split(rows, o, " ")
      for (i = 1; i <= n; i++) {
        r = o[i]; if (r in seen) continue; seen[r] = 1; s[r] = med(t[r]); cpu[r] = med(c[r])
        printf "| %s | %s | %s | %s |\n", r, s[r], cpu[r], (r in m) ? sprintf("%.0f", med(m[r]) / 1024) : ""
      }
      printf "\ncaa-responder --dnssec / Knot, seconds: NSEC %s, NSEC3 %s; CPU: NSEC %s, NSEC3 %s\n",
        ratio(s["responder-nsec"], s["knot-nsec"]), ratio(s["responder-nsec3"], s["knot-nsec3"]),
        ratio(cpu["responder-nsec"], cpu["knot-nsec"]), ratio(cpu["responder-nsec3"], cpu["knot-nsec3"])
    }' "$d/sign.csv"
}

# --- table -------------------------------------------------------------------
PINNED="servers on CPU 0, load generators on CPU 1"; [ ${#SRV_PIN[@]} -gt 0 ] || PINNED="not pinned"
if [ "$ONLY" = sign ]; then
  sign_section
  exit 0
fi
VERSIONS="caa-responder $("$RESPONDER" --version 2>&1 | head -1 | awk '{print $NF}'), $(knotd --version | head -1 | sed 's/.*version /Knot DNS /'), NSD $(nsd -v 2>&1 | head -1 | awk '{print $NF}'), dnsperf $(dpkg-query -W -f='${Version}' dnsperf 2>/dev/null || echo '?')"
PINNED="servers on CPU 0, load generators on CPU 1"; [ ${#SRV_PIN[@]} -gt 0 ] || PINNED="not pinned"
if [ -z "$ONLY" ]; then
  grep -v '^change,\|^stream,' "$RAW" > "$RAW.main"
  "$PY" "$B/summarize.py" "$RAW.main" "$(date -u '+%Y-%m-%d %H:%M UTC')" "$VERSIONS" "$DURATION" "$REPS" "$LAT_DURATION" "$BIG_RECORDS" "$LAT_REPS" "$PINNED" "$SAT_DURATION"
fi
[ -z "$ONLY" ] || [ "$ONLY" = changes ] || exit 0
printf '\nZone changes over the management API: a %s-record zone and a 1,000-record zone in one\ncaa-responder (%s); the stream: dnsperf -Q %s -v -l %s, A queries for the big zone.\n' \
  "$CHANGE_RECORDS" "$PINNED" "$CHANGE_QPS" "$CHANGE_DURATION"
"$PY" "$B/changes.py" table "$WORK/changes.csv"
[ -n "$ONLY" ] || sign_section
