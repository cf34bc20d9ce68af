#!/usr/bin/env python3
"""Print the Markdown tables of scripts/bench.sh from its results.csv.

    summarize.py RESULTS.CSV DATE VERSIONS DURATION REPS LAT_DURATION BIG_RECORDS
                 [LAT_REPS [PINNED [SAT_DURATION]]]

Row kinds: throughput (dnsperf), saturated (caa-loadgen), latency (dnsperf at
a fixed rate), zoneload.  Values are medians over repetitions; a ratio to
Knot (or to the plain responder) is the median over repetitions of the
ratio within each repetition, whose runs are seconds apart, so that the
machine's drift over the whole run cancels.  The fixed-rate runs' per-query
latencies (raw/lat-RUN-rREP.txt beside the CSV, in ms) are also pooled per
server, with an interval for the ratio of the pooled p99s from resampling
the pairs of runs.
"""
import collections
import csv
import glob
import os
import random
import statistics
import sys

path, date, versions, dur, reps, latdur, big = sys.argv[1:8]
latreps = sys.argv[8] if len(sys.argv) > 8 else "1"
pinned = sys.argv[9] if len(sys.argv) > 9 else "not pinned"
satdur = sys.argv[10] if len(sys.argv) > 10 else "?"
rows = list(csv.DictReader(open(path, newline="")))


def values(kind, run, col):
    """{rep: value} of COL in RUN's rows of KIND."""
    return {r["rep"]: float(r[col]) for r in rows
            if r["kind"] == kind and r["run"] == run and r[col] not in ("", None)}


def med(kind, run, col):
    v = values(kind, run, col)
    return statistics.median(v.values()) if v else None


def paired(kind, run, col, base):
    """Median over repetitions of RUN's COL / BASE's COL in the same repetition."""
    a, b = values(kind, run, col), values(kind, base, col)
    v = [a[k] / b[k] for k in a if b.get(k)]
    return statistics.median(v) if v else None


def vs_knot(kind, run, col):
    return paired(kind, run, col, "knot")


def own_rate(kind, run):
    return paired(kind, run, "qps", "responder")


def lat_hists(run):
    """{rep: Counter of RUN's latencies in µs} from raw/lat-RUN-rREP.txt."""
    out = {}
    for p in glob.glob(os.path.join(os.path.dirname(path) or ".", "raw", f"lat-{run}-r*.txt")):
        with open(p) as fh:
            out[p.rsplit("-r", 1)[1][:-4]] = collections.Counter(round(float(x) * 1000) for x in fh if x.strip())
    return out


def hist_pct(counts, keys, q):
    """The q-quantile (as bench.sh takes it: the int(n*q)-th smallest) in ms."""
    k, c = max(int(sum(counts) * q), 1), 0
    for key, n in zip(keys, counts):
        c += n
        if c >= k:
            return key / 1000
    return None


def pooled_latency(q=0.99, resamples=200):
    """Pooled responder and Knot q-quantiles, their ratio, a 90% interval of
    the ratio over pairs of runs resampled with replacement, and in how many
    pairs the responder's own q-quantile was the lower; None without data."""
    r, k = lat_hists("responder"), lat_hists("knot")
    reps = sorted(set(r) & set(k))
    if not reps:
        return None
    keys = sorted(set().union(*r.values(), *k.values()))
    rc = {i: [r[i][v] for v in keys] for i in reps}
    kc = {i: [k[i][v] for v in keys] for i in reps}
    pool = lambda c, pick: [sum(col) for col in zip(*(c[i] for i in pick))]
    pr, pk = hist_pct(pool(rc, reps), keys, q), hist_pct(pool(kc, reps), keys, q)
    rng, ratios = random.Random(1), []
    for _ in range(resamples):
        pick = [rng.choice(reps) for _ in reps]
        ratios.append(hist_pct(pool(rc, pick), keys, q) / hist_pct(pool(kc, pick), keys, q))
    ratios.sort()
    lower = sum(hist_pct(rc[i], keys, q) < hist_pct(kc[i], keys, q) for i in reps)
    return pr, pk, pr / pk, ratios[int(resamples * 0.05)], ratios[int(resamples * 0.95) - 1], lower, len(reps)


def f(v, fmt):
    return "-" if v is None else fmt.format(v)


NAMES = {"responder": "caa-responder", "knot": "Knot DNS", "nsd": "NSD",
         "responder-faulted": "caa-responder, 10% faulted", "responder-10k-rules": "caa-responder, 10,000 rules not matching"}


def load_table(kind):
    """One row per server: rate, CPU per query, both CPUs' use, ratios to Knot."""
    print("| server | queries/s | / Knot | CPU µs/query | / Knot | server CPU | generator CPU | RSS MiB "
          "| response bytes (avg) | lost | of own no-fault rate |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for run in NAMES:
        q, c = med(kind, run, "qps"), med(kind, run, "cpu_us_per_q")
        if q is None:
            continue
        rss, rb, lost = med(kind, run, "rss_kb"), med(kind, run, "resp_bytes"), med(kind, run, "lost")
        scpu, gcpu = med(kind, run, "cpu_pct"), med(kind, run, "gen_cpu_pct")
        own = own_rate(kind, run) if run.startswith("responder-") else None
        own = f(own * 100, "{:.0f}%") if own else ""
        print(f"| {NAMES[run]} | {q:,.0f} | {f(vs_knot(kind, run, 'qps'), '{:.2f}')} | {c:.2f} "
              f"| {f(vs_knot(kind, run, 'cpu_us_per_q'), '{:.2f}')} | {f(scpu, '{:.0f}%')} | {f(gcpu, '{:.0f}%')} "
              f"| {rss / 1024:.1f} | {rb:.0f} | {lost:.0f} | {own} |")


print(f"Run {date}; {versions}; 2 cores ({pinned}), loopback, one UDP worker each.")
print("Medians of the repetitions; a ratio is the median of the ratios within each repetition.\n")
print(f"Server-bound: caa-loadgen -c 10 -q 100 -b 32 -l {satdur}, bench/queries-caa-mix.txt, {reps} repetitions.\n")
load_table("saturated")
print(f"\nThe same servers under dnsperf -c 10 -q 100 -T 1 -l {dur}, {reps} repetitions.\n")
load_table("throughput")

print(f"\nFixed rate: dnsperf -Q 20000 -v -l {latdur}; both servers up, {latreps} runs each, alternating.\n")
print("| server | queries/s | CPU µs/query | / Knot | p50 ms | p99 ms | / Knot p99 |")
print("|---|---|---|---|---|---|---|")
for run in ("responder", "knot"):
    q = med("latency", run, "qps")
    if q is None:
        continue
    c, p50, p99 = med("latency", run, "cpu_us_per_q"), med("latency", run, "p50_ms"), med("latency", run, "p99_ms")
    print(f"| {NAMES[run]} | {q:,.0f} | {c:.2f} | {f(vs_knot('latency', run, 'cpu_us_per_q'), '{:.2f}')} "
          f"| {f(p50, '{:.3f}')} | {f(p99, '{:.3f}')} | {f(vs_knot('latency', run, 'p99_ms'), '{:.2f}')} |")

pl = pooled_latency()
if pl:
    print(f"\nAll {pl[6]} runs pooled: p99 {pl[0]:.3f} ms (caa-responder), {pl[1]:.3f} ms (Knot), ratio {pl[2]:.2f} "
          f"(90% interval {pl[3]:.2f}-{pl[4]:.2f}, pairs of runs resampled); caa-responder's p99 the lower in "
          f"{pl[5]} of {pl[6]} pairs.")

print(f"\n{int(big):,}-record zone: exec to answering its last record (polled every ~25 ms), RSS once loaded.\n")
print("| server | seconds | / Knot | RSS MiB | / Knot |")
print("|---|---|---|---|---|")
for run in ("responder", "knot"):
    t, r = med("zoneload", run, "seconds"), med("zoneload", run, "rss_kb")
    if t is None:
        continue
    print(f"| {NAMES[run]} | {t:.2f} | {f(vs_knot('zoneload', run, 'seconds'), '{:.2f}')} | {r / 1024:.0f} "
          f"| {f(vs_knot('zoneload', run, 'rss_kb'), '{:.2f}')} |")


def target(name, value, fmt, ok):
    """One checklist line: ticked if OK(VALUE); '(not measured)' without a value."""
    if value is None:
        print(f"- [ ] {name} (not measured)")
    else:
        print(f"- [{'x' if ok(value) else ' '}] {name}: {fmt.format(value)}")


at_most = lambda limit: (lambda v: v <= limit)
at_least = lambda limit: (lambda v: v >= limit)
print("\nTargets (issue 6). Full load is the server-bound run, where the server is the limit; under dnsperf the")
print("servers idle part of the time at a rate dnsperf sets, which moves by up to 10% from run to run.\n")
target("queries/s / Knot's (caa-loadgen) >= 1", vs_knot("saturated", "responder", "qps"), "{:.2f}", at_least(1))
target("CPU µs/query / Knot's (caa-loadgen) <= 1", vs_knot("saturated", "responder", "cpu_us_per_q"), "{:.2f}",
       at_most(1))
g = med("throughput", "responder", "gen_cpu_pct")
print(f"- under dnsperf: queries/s / Knot's {f(vs_knot('throughput', 'responder', 'qps'), '{:.2f}')}, CPU µs/query "
      f"/ Knot's {f(vs_knot('throughput', 'responder', 'cpu_us_per_q'), '{:.2f}')} (dnsperf at "
      f"{f(g, '{:.0f}%')} of its CPU, caa-responder at {f(med('throughput', 'responder', 'cpu_pct'), '{:.0f}%')}, "
      f"Knot at {f(med('throughput', 'knot', 'cpu_pct'), '{:.0f}%')})")
target("CPU µs/query at 20k qps / Knot's <= 1", vs_knot("latency", "responder", "cpu_us_per_q"), "{:.2f}", at_most(1))
target("p99 at 20k qps / Knot's <= 1", vs_knot("latency", "responder", "p99_ms"), "{:.2f}", at_most(1))
if pl:
    print(f"  - all runs pooled: {pl[2]:.2f} (90% interval {pl[3]:.2f}-{pl[4]:.2f}); the lower in {pl[5]} of {pl[6]} pairs")
for kind, how in (("saturated", "caa-loadgen"), ("throughput", "dnsperf")):
    target(f"10% faulted, of own no-fault rate ({how}) >= 90%", own_rate(kind, "responder-faulted"), "{:.0%}",
           at_least(0.9))
    target(f"10,000 non-matching rules, of own no-fault rate ({how}) >= 95%", own_rate(kind, "responder-10k-rules"),
           "{:.0%}", at_least(0.95))
target("big zone: exec to answering / Knot's <= 1.5", vs_knot("zoneload", "responder", "seconds"), "{:.2f}",
       at_most(1.5))
target("big zone: exec to answering < 3 s", med("zoneload", "responder", "seconds"), "{:.2f} s",
       lambda v: v < 3.0)
target("big zone: RSS / Knot's <= 1", vs_knot("zoneload", "responder", "rss_kb"), "{:.2f}", at_most(1))
rcs = [r["rcodes"] for r in rows if r["run"] == "responder-faulted" and r["kind"] == "throughput"]
if rcs:
    print(f"\nResponse codes, {NAMES['responder-faulted']} (last dnsperf run): {rcs[-1].strip()}")
