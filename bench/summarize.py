#!/usr/bin/env python3
"""Print the Markdown tables of scripts/bench.sh from its results.csv.

    summarize.py RESULTS.CSV DATE VERSIONS DURATION REPS LAT_DURATION BIG_RECORDS [LAT_REPS [PINNED]]
"""
import csv
import statistics
import sys

path, date, versions, dur, reps, latdur, big = sys.argv[1:8]
latreps = sys.argv[8] if len(sys.argv) > 8 else "1"
pinned = sys.argv[9] if len(sys.argv) > 9 else "not pinned"
rows = list(csv.DictReader(open(path, newline="")))


def med(kind, run, col):
    v = [float(r[col]) for r in rows if r["kind"] == kind and r["run"] == run and r[col] not in ("", None)]
    return statistics.median(v) if v else None


def own_rate(run):
    """Median over repetitions of RUN's rate / the plain responder's in the same repetition."""
    base = {r["rep"]: float(r["qps"]) for r in rows if r["kind"] == "throughput" and r["run"] == "responder"}
    v = [float(r["qps"]) / base[r["rep"]] for r in rows
         if r["kind"] == "throughput" and r["run"] == run and base.get(r["rep"])]
    return statistics.median(v) if v else None


def f(v, fmt):
    return "-" if v is None else fmt.format(v)


def ratio(a, b):
    return None if a is None or not b else a / b


NAMES = {"responder": "caa-responder", "knot": "Knot DNS", "nsd": "NSD",
         "responder-faulted": "caa-responder, 10% faulted", "responder-10k-rules": "caa-responder, 10,000 rules not matching"}
print(f"Run {date}; {versions}; 2 cores ({pinned}), loopback, one UDP worker each.")
print(f"dnsperf -c 10 -q 100 -T 1 -l {dur}, bench/queries-caa-mix.txt; medians of {reps}.\n")
print("| server | queries/s | / Knot | CPU µs/query | / Knot | RSS MiB | response bytes (avg) | lost | of own no-fault rate |")
print("|---|---|---|---|---|---|---|---|---|")
kq, kc = med("throughput", "knot", "qps"), med("throughput", "knot", "cpu_us_per_q")
rq = med("throughput", "responder", "qps")
for run in NAMES:
    q, c = med("throughput", run, "qps"), med("throughput", run, "cpu_us_per_q")
    if q is None:
        continue
    rss, rb, lost = med("throughput", run, "rss_kb"), med("throughput", run, "resp_bytes"), med("throughput", run, "lost")
    own = own_rate(run) if run.startswith("responder-") else None
    own = f(own * 100, "{:.0f}%") if own else ""
    print(f"| {NAMES[run]} | {q:,.0f} | {f(ratio(q, kq), '{:.2f}')} | {c:.2f} | {f(ratio(c, kc), '{:.2f}')} "
          f"| {rss / 1024:.1f} | {rb:.0f} | {lost:.0f} | {own} |")

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


print("\nTargets (issue 6):\n")
c = lambda a, op, b: None if a is None or b is None else op(a, b)
rc = med("throughput", "responder", "cpu_us_per_q")
target("queries/s >= Knot's", c(rq, float.__ge__, kq))
target("CPU µs/query <= Knot's", c(rc, float.__le__, kc))
target("CPU µs/query at 20k qps <= Knot's", c(med("latency", "responder", "cpu_us_per_q"), float.__le__, lkc))
target("p99 at 20k qps <= Knot's", c(med("latency", "responder", "p99_ms"), float.__le__, lkp))
target("10% faulted >= 90% of own no-fault rate", c(own_rate("responder-faulted"), float.__ge__, 0.9))
target("10,000 non-matching rules >= 95% of own no-fault rate", c(own_rate("responder-10k-rules"), float.__ge__, 0.95))
rt, rr = med("zoneload", "responder", "seconds"), med("zoneload", "responder", "rss_kb")
target("big zone: exec to answering <= 1.5 x Knot's", c(rt, float.__le__, None if kt is None else 1.5 * kt))
target("big zone: exec to answering < 3 s (DESIGN.md)", c(rt, float.__lt__, 3.0))
target("big zone: RSS <= Knot's", c(rr, float.__le__, kr))
for run in ("responder-faulted",):
    rcs = [r["rcodes"] for r in rows if r["run"] == run]
    if rcs:
        print(f"\nResponse codes, {NAMES[run]} (last run): {rcs[-1].strip()}")
