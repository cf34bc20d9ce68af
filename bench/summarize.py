#!/usr/bin/env python3
"""Print the Markdown tables of scripts/bench.sh from its results.csv.

    summarize.py RESULTS.CSV DATE VERSIONS DURATION REPS LAT_DURATION BIG_RECORDS
                 [LAT_REPS [PINNED [SAT_DURATION]]]

Row kinds: throughput (dnsperf), saturated (caa-loadgen), latency (dnsperf at
a fixed rate), zoneload.
"""
import csv
import statistics
import sys

path, date, versions, dur, reps, latdur, big = sys.argv[1:8]
latreps = sys.argv[8] if len(sys.argv) > 8 else "1"
pinned = sys.argv[9] if len(sys.argv) > 9 else "not pinned"
satdur = sys.argv[10] if len(sys.argv) > 10 else "?"
rows = list(csv.DictReader(open(path, newline="")))


def med(kind, run, col):
    v = [float(r[col]) for r in rows if r["kind"] == kind and r["run"] == run and r[col] not in ("", None)]
    return statistics.median(v) if v else None


def own_rate(kind, run):
    """Median over repetitions of RUN's rate / the plain responder's in the same repetition."""
    base = {r["rep"]: float(r["qps"]) for r in rows if r["kind"] == kind and r["run"] == "responder"}
    v = [float(r["qps"]) / base[r["rep"]] for r in rows
         if r["kind"] == kind and r["run"] == run and base.get(r["rep"])]
    return statistics.median(v) if v else None


def f(v, fmt):
    return "-" if v is None else fmt.format(v)


def ratio(a, b):
    return None if a is None or not b else a / b


NAMES = {"responder": "caa-responder", "knot": "Knot DNS", "nsd": "NSD",
         "responder-faulted": "caa-responder, 10% faulted", "responder-10k-rules": "caa-responder, 10,000 rules not matching"}


def load_table(kind):
    """One row per server: rate, CPU per query, both CPUs' use, ratios to Knot."""
    print("| server | queries/s | / Knot | CPU µs/query | / Knot | server CPU | generator CPU | RSS MiB "
          "| response bytes (avg) | lost | of own no-fault rate |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    kq, kc = med(kind, "knot", "qps"), med(kind, "knot", "cpu_us_per_q")
    for run in NAMES:
        q, c = med(kind, run, "qps"), med(kind, run, "cpu_us_per_q")
        if q is None:
            continue
        rss, rb, lost = med(kind, run, "rss_kb"), med(kind, run, "resp_bytes"), med(kind, run, "lost")
        scpu, gcpu = med(kind, run, "cpu_pct"), med(kind, run, "gen_cpu_pct")
        own = own_rate(kind, run) if run.startswith("responder-") else None
        own = f(own * 100, "{:.0f}%") if own else ""
        print(f"| {NAMES[run]} | {q:,.0f} | {f(ratio(q, kq), '{:.2f}')} | {c:.2f} | {f(ratio(c, kc), '{:.2f}')} "
              f"| {f(scpu, '{:.0f}%')} | {f(gcpu, '{:.0f}%')} | {rss / 1024:.1f} | {rb:.0f} | {lost:.0f} | {own} |")


print(f"Run {date}; {versions}; 2 cores ({pinned}), loopback, one UDP worker each.")
print(f"Server-bound: caa-loadgen -c 10 -q 100 -b 32 -l {satdur}, bench/queries-caa-mix.txt; medians of {reps}.\n")
load_table("saturated")
print(f"\nThe same servers under dnsperf -c 10 -q 100 -T 1 -l {dur}; medians of {reps}.\n")
load_table("throughput")
print(f"\nFixed rate: dnsperf -Q 20000 -v -l {latdur}; medians of {latreps}.\n")
print("| server | queries/s | CPU µs/query | / Knot | p50 ms | p99 ms | / Knot p99 |")
print("|---|---|---|---|---|---|---|")
lkc, lkp = med("latency", "knot", "cpu_us_per_q"), med("latency", "knot", "p99_ms")
for run in ("responder", "knot"):
    q = med("latency", run, "qps")
    if q is None:
        continue
    c, p50, p99 = med("latency", run, "cpu_us_per_q"), med("latency", run, "p50_ms"), med("latency", run, "p99_ms")
    print(f"| {NAMES[run]} | {q:,.0f} | {c:.2f} | {f(ratio(c, lkc), '{:.2f}')} | {f(p50, '{:.3f}')} | {f(p99, '{:.3f}')} "
          f"| {f(ratio(p99, lkp), '{:.2f}')} |")

print(f"\n{int(big):,}-record zone: exec to answering its last record (polled every ~25 ms), RSS once loaded.\n")
print("| server | seconds | / Knot | RSS MiB | / Knot |")
print("|---|---|---|---|---|")
kt, kr = med("zoneload", "knot", "seconds"), med("zoneload", "knot", "rss_kb")
for run in ("responder", "knot"):
    t, r = med("zoneload", run, "seconds"), med("zoneload", run, "rss_kb")
    if t is None:
        continue
    print(f"| {NAMES[run]} | {t:.2f} | {f(ratio(t, kt), '{:.2f}')} | {r / 1024:.0f} | {f(ratio(r, kr), '{:.2f}')} |")


def target(name, ok):
    print(f"- [{'x' if ok else ' '}] {name}" + ("" if ok is not None else " (not measured)"))


print("\nTargets (issue 6; rates from the server-bound runs, where the server is the limit):\n")
c = lambda a, op, b: None if a is None or b is None else op(a, b)
for kind, how in (("saturated", "caa-loadgen"), ("throughput", "dnsperf")):
    rq, kq = med(kind, "responder", "qps"), med(kind, "knot", "qps")
    rc, kc = med(kind, "responder", "cpu_us_per_q"), med(kind, "knot", "cpu_us_per_q")
    if kind == "saturated":
        target(f"queries/s >= Knot's ({how}: {f(ratio(rq, kq), '{:.2f}')})", c(rq, float.__ge__, kq))
    else:
        g = med(kind, "responder", "gen_cpu_pct")
        print(f"- queries/s under dnsperf: {f(ratio(rq, kq), '{:.2f}')} x Knot's (dnsperf at "
              f"{f(g, '{:.0f}%')} of its CPU, caa-responder at {f(med(kind, 'responder', 'cpu_pct'), '{:.0f}%')}, "
              f"Knot at {f(med(kind, 'knot', 'cpu_pct'), '{:.0f}%')}: the generator's limit, not the servers')")
    target(f"CPU µs/query <= Knot's ({how}: {f(ratio(rc, kc), '{:.2f}')})", c(rc, float.__le__, kc))
target(f"CPU µs/query at 20k qps <= Knot's ({f(ratio(med('latency', 'responder', 'cpu_us_per_q'), lkc), '{:.2f}')})",
       c(med("latency", "responder", "cpu_us_per_q"), float.__le__, lkc))
target(f"p99 at 20k qps <= Knot's ({f(ratio(med('latency', 'responder', 'p99_ms'), lkp), '{:.2f}')})",
       c(med("latency", "responder", "p99_ms"), float.__le__, lkp))
for kind, how in (("saturated", "caa-loadgen"), ("throughput", "dnsperf")):
    o = own_rate(kind, "responder-faulted")
    target(f"10% faulted >= 90% of own no-fault rate ({how}: {f(o and o * 100, '{:.0f}%')})", c(o, float.__ge__, 0.9))
    o = own_rate(kind, "responder-10k-rules")
    target(f"10,000 non-matching rules >= 95% of own no-fault rate ({how}: {f(o and o * 100, '{:.0f}%')})",
           c(o, float.__ge__, 0.95))
rt, rr = med("zoneload", "responder", "seconds"), med("zoneload", "responder", "rss_kb")
target(f"big zone: exec to answering <= 1.5 x Knot's ({f(ratio(rt, kt), '{:.2f}')})",
       c(rt, float.__le__, None if kt is None else 1.5 * kt))
target(f"big zone: exec to answering < 3 s (DESIGN.md; {f(rt, '{:.2f} s')})", c(rt, float.__lt__, 3.0))
target(f"big zone: RSS <= Knot's ({f(ratio(rr, kr), '{:.2f}')})", c(rr, float.__le__, kr))
for run in ("responder-faulted",):
    rcs = [r["rcodes"] for r in rows if r["run"] == run and r["kind"] == "throughput"]
    if rcs:
        print(f"\nResponse codes, {NAMES[run]} (last dnsperf run): {rcs[-1].strip()}")
