#!/usr/bin/env bash
# Probe batch benchmark: caa-probe judging 10,000 names against caa-responder.
#
#   scripts/bench-probe.sh        # several minutes; section 4 takes about 75 s a rep
#
# 1. A generated zone probe.test (apex CAA, 10,000 hosts, every tenth with its
#    own CAA); 10,000 names, half hN.probe.test and half x.y.z.hN.probe.test
#    (three labels that do not exist: the probe climbs to hN, then the apex).
#    caa-probe -f NAMES -j 200, REPS times (default 5): names per second, and
#    the CPU time of the responder (schedstat, ns) and of the probe
#    (/usr/bin/time) over the batch, with their shares of the wall time.
# 2. The same responder with `-f 'delay . CAA ms=200'`: wall time per name for
#    a sample of deep names (7 labels below the apex), each run on its own, and
#    for the sample at once.  Target: about 200 ms, not 200 ms per label.
# 3. -r: the probe's own recursive resolver (libunbound) against a local lab,
#    in a network namespace of its own (unshare -rn, so port 53 on 127.0.0.2
#    is free): caa-responder on 127.0.0.2:53 serving a root, test. and
#    probe.test (unsigned; --trust-anchor none), the root hints naming it.
#    The 10,000 names with -r, with -s 127.0.0.2 (direct), and with -s
#    127.0.0.3, an unbound daemon in the same namespace with the same root
#    hints (the resolver a CA runs; restarted before each run: an empty cache
#    as -r has), REPS times each, in turn: medians of the wall time, names
#    per second and caa-probe's CPU time, the ratios -r / -s direct (target:
#    at least 0.5) and -r / -s through unbound.
# 4. Five remote perspectives (--perspective NAME=server=127.0.0.1#PORT,rir=...),
#    each with its own lookup client, all asking the same caa-responder (as
#    the remotes of a CA reach the same nameservers): the 10,000 names
#    without perspectives, then with the five, REPS times each, in turn:
#    names per second and the ratio of the medians (target: at least 1/3;
#    every name costs the primary's lookups, then the five remotes' at once,
#    six times the queries), CAA queries per second, how long a name holds
#    its place in the batch (wall time x -j / names), and the CPU of
#    caa-probe and of the responder per name and as a share of the wall time.
#    4a on loopback, -j 200: both programs share this machine's cores, so the
#    batch is CPU-bound and the ratio is the whole system's.  4b with
#    `-f 'delay . CAA ms=PERSP_DELAY'` (default 50) on the responder and -j
#    PERSP_JOBS (default 50): every lookup waits a round trip, as a CA's
#    perspectives wait on real nameservers, and the batch without
#    perspectives waits (its CPU well under a core) instead of computing.
# Environment: RESPONDER, PROBE (binaries; default a Release build in
# build-bench/), WORK (default /tmp/caalab-bench-probe), REPS, PERSP_DELAY,
# PERSP_JOBS (4b), ONLY=3 (section 3 alone), ONLY=4 (section 4 alone: about
# 75 s a run, 4 minutes with REPS=3).  Port 5340 on 127.0.0.1 only; every
# process started here is stopped here, by its PID.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-/tmp/caalab-bench-probe}
PORT=5340
REPS=${REPS:-5}
PERSP_DELAY=${PERSP_DELAY:-50}
PERSP_JOBS=${PERSP_JOBS:-50}
log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
if [ -z "${RESPONDER:-}" ] || [ -z "${PROBE:-}" ]; then
  log "building caa-responder and caa-probe (Release) in build-bench/"
  cmake -S "$ROOT" -B "$ROOT/build-bench" -DCMAKE_BUILD_TYPE=Release > /dev/null &&
    cmake --build "$ROOT/build-bench" -j2 --target caa-responder caa-probe > /dev/null || exit 1
  RESPONDER=${RESPONDER:-$ROOT/build-bench/responder/caa-responder}
  PROBE=${PROBE:-$ROOT/build-bench/probe/caa-probe}
fi
if [ "${BENCH_NETNS:-}" != 1 ]; then rm -rf "$WORK"; fi; mkdir -p "$WORK"

ZONE=$WORK/probe.test.zone
{
  cat <<'EOF'
$ORIGIN probe.test.
$TTL 3600
@  IN SOA ns1.probe.test. hostmaster.probe.test. 1 7200 3600 1209600 300
@  IN NS  ns1.probe.test.
@  IN CAA 0 issue "letsencrypt.org"
@  IN CAA 0 iodef "mailto:security@probe.test"
ns1 IN A 192.0.2.53
EOF
  awk 'BEGIN { for (i = 0; i < 10000; i++) {
      printf "h%d IN A 198.18.%d.%d\n", i, int(i / 250), (i % 250) + 1
      if (i % 10 == 0) printf "h%d IN CAA 0 issue \"letsencrypt.org\"\nh%d IN CAA 0 issuewild \";\"\n", i, i } }'
} > "$ZONE"
awk 'BEGIN { for (i = 0; i < 10000; i++) printf (i % 2 ? "x.y.z.h%d.probe.test\n" : "h%d.probe.test\n"), i }' > "$WORK/names.txt"
awk 'BEGIN { for (i = 1; i <= 20; i++) printf "l1.l2.l3.l4.l5.l6.h%d.probe.test\n", i * 37 }' > "$WORK/deep.txt"

RPID=
start_responder() {
  "$RESPONDER" -l "127.0.0.1:$PORT" "$@" "$ZONE" > "$WORK/responder.out" 2>&1 &
  RPID=$!
  for _ in $(seq 200); do grep -q '^ready' "$WORK/responder.out" 2>/dev/null && return 0; sleep 0.05; done
  log "responder not ready"; cat "$WORK/responder.out" >&2; stop_responder; return 1
}
stop_responder() {
  [ -n "$RPID" ] || return 0
  kill -TERM "$RPID" 2>/dev/null; wait "$RPID" 2>/dev/null; RPID=
}
trap 'stop_responder; exit 130' INT TERM
# cpu_ns PID: nanoseconds on a CPU of every thread of PID
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ t += $1 } END { printf "%.0f\n", t }'; }
now() { date +%s.%N; }

# --- 3. (in its own network namespace) -r against a local lab ----------------------
if [ "${BENCH_NETNS:-}" = 1 ]; then
  ip link set lo up
  LAB=$WORK/lab; mkdir -p "$LAB"
  printf '%s\n' '$ORIGIN .' '$TTL 3600' '@ SOA a.root.lab. hostmaster.root.lab. 1 7200 3600 1209600 300' \
    '@ NS a.root.lab.' 'a.root.lab. A 127.0.0.2' 'test. NS ns.test.' 'ns.test. A 127.0.0.2' > "$LAB/root.zone"
  printf '%s\n' '$ORIGIN test.' '$TTL 3600' '@ SOA ns.test. hostmaster.test. 1 7200 3600 1209600 300' \
    '@ NS ns.test.' 'ns A 127.0.0.2' 'probe NS ns1.probe.test.' 'ns1.probe A 127.0.0.2' > "$LAB/test.zone"
  sed 's/^ns1 IN A 192.0.2.53$/ns1 IN A 127.0.0.2/' "$ZONE" > "$LAB/probe.test.zone"
  printf '%s\n' '. 3600000 NS a.root.lab.' 'a.root.lab. 3600000 A 127.0.0.2' > "$LAB/root.hints"
  "$RESPONDER" -l 127.0.0.2:53 "$LAB/root.zone" "$LAB/test.zone" "$LAB/probe.test.zone" > "$LAB/responder.out" 2>&1 &
  RPID=$!
  for _ in $(seq 200); do grep -q '^ready' "$LAB/responder.out" 2>/dev/null && break; sleep 0.05; done
  RES=(-r --root-hints "$LAB/root.hints" --trust-anchor none)
  # unbound the daemon, as a CA runs it, on 127.0.0.3:53 with the same root
  # hints and the options caa-probe gives libunbound; restarted before each
  # run, so every run starts from an empty cache as -r does.
  UB=$(command -v unbound || echo /usr/sbin/unbound)
  cat > "$LAB/unbound.conf" <<U
server:
    interface: 127.0.0.3
    port: 53
    do-ip6: no
    num-threads: 1
    username: ""
    chroot: ""
    directory: "$LAB"
    pidfile: "$LAB/unbound.pid"
    use-syslog: no
    logfile: "$LAB/unbound.log"
    verbosity: 1
    access-control: 127.0.0.0/8 allow
    root-hints: "$LAB/root.hints"
    do-not-query-localhost: no
    local-zone: "test." transparent
    qname-minimisation: no
    num-queries-per-thread: 4096
    outgoing-range: 4096
remote-control:
    control-enable: no
U
  UPID=
  start_unbound() {
    : > "$LAB/unbound.log"
    "$UB" -d -c "$LAB/unbound.conf" > "$LAB/unbound.out" 2>&1 &
    UPID=$!
    for _ in $(seq 200); do grep -q 'start of service' "$LAB/unbound.log" 2>/dev/null && return 0; sleep 0.05; done
    log "unbound not ready: $(tail -n 3 "$LAB/unbound.log" "$LAB/unbound.out" | head -c 400)"; return 1
  }
  stop_unbound() {
    [ -n "$UPID" ] || return 0
    kill -TERM "$UPID" 2>/dev/null; wait "$UPID" 2>/dev/null; UPID=
  }
  trap 'stop_unbound; stop_responder; exit 130' INT TERM
  MODES="r s"; [ -x "$UB" ] && MODES="r s u" || log "no unbound: the -s through unbound row is left out"
  "$PROBE" "${RES[@]}" -f "$WORK/names.txt" -j 200 -o jsonl > /dev/null 2>&1   # warm-up (nothing kept: a cache per run)
  : > "$LAB/runs.csv"
  for rep in $(seq "$REPS"); do
    for mode in $MODES; do
      case $mode in
        r) args=("${RES[@]}") ;;
        s) args=(-s 127.0.0.2) ;;
        u) start_unbound || continue; args=(-s 127.0.0.3) ;;
      esac
      t0=$(now)
      /usr/bin/time -f '%U %S' -o "$LAB/probe.time" \
        "$PROBE" "${args[@]}" -f "$WORK/names.txt" -j 200 -o jsonl > "$LAB/batch-$mode.jsonl" 2>/dev/null
      t1=$(now)
      [ "$mode" != u ] || stop_unbound
      read -r pu ps < <(tail -n 1 "$LAB/probe.time")
      failed=$(grep -c '"verdict":"lookup-failed"' "$LAB/batch-$mode.jsonl")
      awk -v m="$mode" -v a="$t0" -v b="$t1" -v f="$failed" -v c="$(echo "$pu + $ps" | bc)" \
        -v n="$(wc -l < "$LAB/batch-$mode.jsonl")" 'BEGIN { printf "%s,%.3f,%.0f,%d,%.2f\n", m, b - a, n / (b - a), f, c }'
    done
  done >> "$LAB/runs.csv"
  awk -F, -v reps="$REPS" '
    { w[$1] = w[$1] " " $2; q[$1] = q[$1] " " $3; f[$1] = f[$1] " " $4; c[$1] = c[$1] " " $5 }
    function med(s,   a, n, i, j, x) {
      n = split(s, a, " ")
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { x = a[i]; a[i] = a[j]; a[j] = x }
      return n ? a[int((n + 1) / 2)] : 0
    }
    END {
      name["r"] = "-r (libunbound in caa-probe)"; name["s"] = "-s 127.0.0.2 (direct)"
      name["u"] = "-s 127.0.0.3 (unbound daemon, fresh cache)"
      printf "medians of %d runs each\n| mode | wall s | names/s | caa-probe CPU s | lookup-failed |\n|---|---|---|---|---|\n", reps
      split("r s u", o, " ")
      for (i = 1; i <= 3; i++) if (o[i] in w)
        printf "| %s | %.2f | %.0f | %.2f | %d |\n", name[o[i]], med(w[o[i]]), med(q[o[i]]), med(c[o[i]]), med(f[o[i]])
      printf "\n-r / -s direct rate: %.2f (target >= 0.5)\n", med(q["r"]) / med(q["s"])
      if ("u" in q) printf "-r / -s through unbound rate: %.2f\n", med(q["r"]) / med(q["u"])
    }' "$LAB/runs.csv"
  stop_responder
  exit 0
fi

# --- 1. 10,000 names, -j 200, REPS times -------------------------------------------
if [ "${ONLY:-}" != 3 ]; then
if [ "${ONLY:-}" != 4 ]; then
start_responder || exit 1
"$PROBE" -s 127.0.0.1 -p $PORT -f "$WORK/names.txt" -j 200 -o jsonl > /dev/null 2>&1   # warm-up
echo "10,000 names, caa-probe -j 200 -o jsonl, $REPS runs"
echo "| wall s | names/s | responder CPU s (% of wall) | caa-probe CPU s (% of wall) | responder µs/name | caa-probe µs/name |"
echo "|---|---|---|---|---|---|"
for rep in $(seq "$REPS"); do
  c0=$(cpu_ns "$RPID"); t0=$(now)
  /usr/bin/time -f '%U %S' -o "$WORK/probe.time" "$PROBE" -s 127.0.0.1 -p $PORT -f "$WORK/names.txt" -j 200 -o jsonl > "$WORK/batch.jsonl"
  rc=$?
  t1=$(now); c1=$(cpu_ns "$RPID")
  nlines=$(wc -l < "$WORK/batch.jsonl")
  read -r pu ps < <(tail -n 1 "$WORK/probe.time")
  [ "$rc" = 0 ] && [ "$nlines" = 10000 ] || log "run $rep: exit $rc, $nlines results"
  awk -v n="$nlines" -v t0="$t0" -v t1="$t1" -v rns=$((c1 - c0)) -v pu="$pu" -v ps="$ps" 'BEGIN {
    w = t1 - t0; r = rns / 1e9; p = pu + ps
    printf "| %.2f | %.0f | %.2f (%.0f%%) | %.2f (%.0f%%) | %.0f | %.0f |\n", w, n / w, r, r / w * 100, p, p / w * 100, r / n * 1e6, p / n * 1e6
  }'
done
stop_responder
grep -o '"verdict":"[a-z-]*"' "$WORK/batch.jsonl" | sort | uniq -c | awk '{printf "  %s %s\n", $2, $1}'

# --- 2. delay 200 ms on every CAA query ------------------------------------------
echo
start_responder -f 'delay . CAA ms=200' || exit 1
echo "delay . CAA ms=200; deep names (7 labels below probe.test, 9 in all), each on its own:"
echo "| name | wall ms | CAA lookups reported |"
echo "|---|---|---|"
for name in $(head -5 "$WORK/deep.txt"); do
  t0=$(now)
  "$PROBE" -s 127.0.0.1 -p $PORT -o json "$name" > "$WORK/one.json" 2>&1
  t1=$(now)
  q=$(grep -o '"ms":' "$WORK/one.json" | wc -l)
  awk -v a="$t0" -v b="$t1" -v n="$name" -v q="$q" 'BEGIN { printf "| %s | %.0f | %s |\n", n, (b - a) * 1000, q }'
done
t0=$(now)
"$PROBE" -s 127.0.0.1 -p $PORT -f "$WORK/deep.txt" -j 200 -o jsonl > /dev/null 2>&1
t1=$(now)
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "\nthe 20 deep names at once (-j 200): %.0f ms wall\n", (b - a) * 1000 }'
stop_responder

fi

# --- 4. five remote perspectives -----------------------------------------------------
PERSP=()
RIRS=(ARIN RIPE APNIC LACNIC AFRINIC)
for i in 1 2 3 4 5; do
  PERSP+=(--perspective "p$i=server=127.0.0.1#$PORT,rir=${RIRS[$((i - 1))]}")
done
# persp_runs TAG JOBS [RESPONDER ARGS]: the 10,000 names with -j JOBS
# without and with the five, REPS times each, in turn, against a responder
# started with ARGS; a row each (TAG prefixes its files), then the ratios.
# "ms a name" is the wall time times JOBS over the names: how long a name
# holds its place in the batch, one round of lookups without perspectives,
# two with (the primary's, then the five at once) when nothing else bounds.
persp_runs() {
  local tag=$1 jobs=$2 np rep args c0 c1 t0 t1 pu ps full failed
  shift 2
  start_responder "$@" || return 1
  echo "| perspectives | wall s | names/s | quorum 5/5 | lookup-failed | CAA queries/s | ms a name | caa-probe CPU s | responder CPU s | CPU % of wall (both) | CPU µs/name (both) |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  for rep in $(seq "$REPS"); do
    for np in 0 5; do
      args=(); [ "$np" = 5 ] && args=("${PERSP[@]}")
      c0=$(cpu_ns "$RPID"); t0=$(now)
      /usr/bin/time -f '%U %S' -o "$WORK/probe.time" \
        "$PROBE" -s 127.0.0.1 -p $PORT -f "$WORK/names.txt" -j "$jobs" -o jsonl -q "${args[@]}" > "$WORK/$tag-$np.jsonl" 2>/dev/null
      t1=$(now); c1=$(cpu_ns "$RPID")
      read -r pu ps < <(tail -n 1 "$WORK/probe.time")
      full=$(grep -c '"quorum":"5/5"' "$WORK/$tag-$np.jsonl")
      failed=$(grep -c '^{"name":"[^"]*","wildcard":[a-z]*,"ca":"[^"]*","policy":"[a-z0-9]*","verdict":"lookup-failed"' "$WORK/$tag-$np.jsonl")
      awk -v p="$np" -v a="$t0" -v b="$t1" -v q="$full" -v f="$failed" -v n="$(wc -l < "$WORK/$tag-$np.jsonl")" \
        -v k="$(grep -o '"ms":' "$WORK/$tag-$np.jsonl" | wc -l)" -v j="$jobs" \
        -v pc="$(echo "$pu + $ps" | bc)" -v rns=$((c1 - c0)) \
        'BEGIN { r = rns / 1e9; w = b - a
          printf "| %s | %.2f | %.0f | %d | %d | %.0f | %.1f | %.2f | %.2f | %.0f%% | %.0f |\n",
            p, w, n / w, q, f, k / w, w * j / n * 1000, pc, r, (pc + r) / w * 100, (pc + r) / n * 1e6 }'
    done
  done | tee "$WORK/$tag-rates.md"
  stop_responder
  # The rate's ratio depends on the machine's load; the ratio of the CPU a
  # name costs (caa-probe and caa-responder together, as they share the
  # cores here) is what bounds it when the batch is CPU-bound.
  awk -F'|' '
    function med(s,   a, n, i, j, x) {
      n = split(s, a, " ")
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { x = a[i]; a[i] = a[j]; a[j] = x }
      return n ? a[int((n + 1) / 2)] : 0
    }
    $2 ~ /^ 0 / { a = a " " $4; ca = ca " " $12; pa = pa " " $9; ma = ma " " $8; sa = sa " " $11 }
    $2 ~ /^ 5 / { b = b " " $4; cb = cb " " $12; pb = pb " " $9; mb = mb " " $8; sb = sb " " $11 }
    END { if (a != "" && b != "") {
      printf "\nmedians of %d runs each: names/s %.0f without, %.0f with; ms a name %.1f and %.1f; CPU %% of wall %.0f and %.0f\n",
        split(a, x, " "), med(a), med(b), med(ma), med(mb), med(sa), med(sb)
      printf "5 perspectives / none, rate: %.2f (target >= 0.33)\n", med(b) / med(a)
      printf "none / 5 perspectives, CPU per name (caa-probe and responder): %.2f; caa-probe CPU alone: %.2f\n", med(ca) / med(cb), med(pa) / med(pb) } }' "$WORK/$tag-rates.md"
}
echo
start_responder || exit 1
"$PROBE" -s 127.0.0.1 -p $PORT -f "$WORK/names.txt" -j 200 -o jsonl -q "${PERSP[@]}" > /dev/null 2>&1   # warm-up
stop_responder
echo "4a. loopback: 10,000 names, -j 200, without and with 5 remote perspectives (server=, the same caa-responder), $REPS runs:"
persp_runs loop 200 || exit 1
echo
echo "4b. a round trip: the same with \`-f 'delay . CAA ms=$PERSP_DELAY'\` on the responder, -j $PERSP_JOBS, $REPS runs:"
persp_runs delay "$PERSP_JOBS" -f "delay . CAA ms=$PERSP_DELAY" || exit 1
echo "(ms a name in rounds of $PERSP_DELAY ms: one without perspectives, two with, when the remotes run at once and nothing else bounds the batch)"
# One name at a time (-j 1), nothing else in flight: the wall time of a
# name, 20 names in one process so that its start-up counts little.
head -n 20 "$WORK/names.txt" > "$WORK/one-by-one.txt"
start_responder -f "delay . CAA ms=$PERSP_DELAY" || exit 1
for np in 0 5; do
  args=(); [ "$np" = 5 ] && args=("${PERSP[@]}")
  for rep in $(seq "$REPS"); do
    t0=$(now)
    "$PROBE" -s 127.0.0.1 -p $PORT -f "$WORK/one-by-one.txt" -j 1 -o brief "${args[@]}" > /dev/null 2>&1
    t1=$(now)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) * 1000 / 20 }'
  done | sort -n | awk -v p="$np" '{ v[NR] = $1 } END { printf "%s %s\n", p, v[int((NR + 1) / 2)] }'
done | awk -v d="$PERSP_DELAY" -v reps="$REPS" '{ m[$1] = $2 }
  END { printf "\n20 names one at a time (-j 1), delay %d ms, median of %d runs: %.1f ms a name without perspectives (%.2f rounds), %.1f with five (%.2f rounds)\n",
    d, reps, m[0], m[0] / d, m[5], m[5] / d }'
stop_responder
fi

# --- 3. -r against a local lab, in a network namespace of its own ------------------
[ "${ONLY:-}" != 4 ] || exit 0
echo
echo "-r (libunbound from a local root, --trust-anchor none) vs -s direct, 10,000 names, -j 200:"
BENCH_NETNS=1 RESPONDER="$RESPONDER" PROBE="$PROBE" WORK="$WORK" REPS="$REPS" unshare -rn "$BASH" "$0" ||
  log "section 3 needs unshare -rn (user and network namespaces)"
