#!/usr/bin/env python3
"""Turns the result lines of bench/decode.sh and bench/scan.sh into the
markdown of bench/RESULTS.md: tables of rates and ratios against the targets
of the benchmark issue.

    python3 bench/report.py --command 'make bench' RAW_FILE
"""
import argparse
import datetime
import os
import platform
import re
import subprocess


def parse(path):
    results = []
    for line in open(path):
        m = re.match(r"^([a-z0-9_-]+) ((?:\w+=\S+ ?)+)$", line.strip())
        if m:
            fields = dict(kv.split("=", 1) for kv in m.group(2).split())
            results.append((m.group(1), fields))
    return results


def rate(fields):
    return float(fields["rows"]) / float(fields["seconds"])


def fmt_rate(r):
    return "{:,.0f}".format(r)


def verdict(value, target):
    return "met" if value >= target else "missed"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--command", required=True)
    ap.add_argument("raw")
    args = ap.parse_args()
    results = parse(args.raw)
    out = []
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    pg = subprocess.run(["pg_config", "--version"], capture_output=True, text=True).stdout.strip()
    out.append("# Benchmark results\n")
    out.append("Produced by `%s` on %s (%s, %d cores, %s, %s). Every figure comes from this one run;"
               " each measurement is the best of its runs.\n" % (
                   args.command, datetime.date.today().isoformat(), cpu, os.cpu_count(), platform.system(), pg))
    out.append("The Bolt server is the graph server's bench mode (`--bench-rows N`): it streams pre-encoded"
               " RECORDs of five fields (integer, float, 16-character string, boolean, date) as fast as the"
               " socket takes them; `drain` is a plain socket reader of that stream, the wire limit."
               " postgres_fdw reads the same rows from a local table over loopback (fetch_size 1000);"
               " `heap` is a local scan of that table. `count` is `SELECT count(*)` with a volatile"
               " qual over all five columns (so every column is fetched and converted and nothing is pushed"
               " down); `copy` is `COPY (SELECT * FROM t) TO '/dev/null'`.\n")

    by_rows = {}
    for name, f in results:
        if "rows" in f and "seconds" in f:
            by_rows.setdefault(int(f["rows"]), {})[name] = f
    for rows in sorted(by_rows):
        r = by_rows[rows]
        out.append("## Scan throughput, %s rows\n" % "{:,}".format(rows))
        out.append("| reader | seconds | rows/s | foreign table (count) is |")
        out.append("|---|---:|---:|---|")
        fdw = rate(r["fdw-count"]) if "fdw-count" in r else None
        for name in ["drain", "fdw-count", "fdw-copy", "neo4j-query", "js-driver", "postgres_fdw-count",
                     "postgres_fdw-copy", "heap-count", "heap-copy"]:
            if name not in r:
                continue
            rr = rate(r[name])
            rel = "" if name == "fdw-count" or fdw is None else "%.2f×" % (fdw / rr)
            out.append("| %s | %.3f | %s | %s |" % (name, float(r[name]["seconds"]), fmt_rate(rr), rel))
        out.append("")
        if fdw is not None and all(k in r for k in ("js-driver", "postgres_fdw-count", "heap-count")):
            checks = [("official JS driver", fdw / rate(r["js-driver"]), 3.0),
                      ("postgres_fdw (count)", fdw / rate(r["postgres_fdw-count"]), 1.5),
                      ("local heap scan (count)", fdw / rate(r["heap-count"]), 0.25)]
            out.append("| target: foreign table vs | ratio | target | |")
            out.append("|---|---:|---:|---|")
            for label, ratio, target in checks:
                out.append("| %s | %.2f× | %.2f× | %s |" % (label, ratio, target, verdict(ratio, target)))
            out.append("")
        if "etl-fdw" in r:
            out.append("ETL into a local table, %s rows:\n" % "{:,}".format(rows))
            out.append("| method | seconds | rows/s |")
            out.append("|---|---:|---:|")
            for name, label in [("etl-fdw", "`INSERT INTO t SELECT * FROM foreign_table`"),
                                ("etl-js-driver-copy", "official JS driver piped into `COPY t FROM STDIN`"),
                                ("etl-local", "`INSERT INTO t SELECT * FROM local_table` (ceiling)")]:
                if name in r:
                    out.append("| %s | %.3f | %s |" % (label, float(r[name]["seconds"]), fmt_rate(rate(r[name]))))
            out.append("")

    lookups = [(n, f) for n, f in results if n.startswith("lookup-")]
    if lookups:
        out.append("## Point lookups (pgbench, prepared, primary key pushed down)\n")
        out.append("| clients | neo4j_fdw tps | postgres_fdw tps | ratio | target ≥ 1 |")
        out.append("|---:|---:|---:|---:|---|")
        clients = sorted({int(f["clients"]) for _, f in lookups})
        for c in clients:
            fdw = next(float(f["tps"]) for n, f in lookups if n == "lookup-fdw" and int(f["clients"]) == c)
            pg_ = next(float(f["tps"]) for n, f in lookups if n == "lookup-postgres_fdw" and int(f["clients"]) == c)
            out.append("| %d | %s | %s | %.2f× | %s |" % (c, fmt_rate(fdw), fmt_rate(pg_), fdw / pg_, verdict(fdw / pg_, 1.0)))
        out.append("")

    out.append("## Memory\n")
    out.append("| what | backend RSS before | after | growth | target |")
    out.append("|---|---:|---:|---:|---|")
    for name, f in results:
        if name == "memory":
            growth = int(f["rss_after_kb"]) - int(f["rss_before_kb"])
            out.append("| streaming %s rows (COPY to /dev/null) | %s kB | %s kB | %d kB | < 16 MiB: %s |" % (
                "{:,}".format(int(f["rows"])), f["rss_before_kb"], f["rss_after_kb"], growth,
                "met" if growth < 16384 else "missed"))
        if name == "statements":
            growth = int(f["rss_after_kb"]) - int(f["rss_before_kb"])
            out.append("| %s statements on a pooled connection (sockets %s → %s) | %s kB | %s kB | %d kB | flat |" % (
                "{:,}".format(int(f["count"])), f["fds_before"], f["fds_after"], f["rss_before_kb"],
                f["rss_after_kb"], growth))
    out.append("")

    trips = [(n, f) for n, f in results if n == "roundtrips"]
    if trips:
        out.append("## Round trips (scripted stub's log; the Bolt handshake, and a TLS handshake, come before)\n")
        out.append("| conversation | round trips | what each one carried |")
        out.append("|---|---:|---|")
        for _, f in trips:
            out.append("| %s | %s | %s |" % (f["name"], f["count"], f["batches"].replace("|", " · ")))
        out.append("")

    dec = {n: f for n, f in results if n.startswith("decode-")}
    if dec:
        out.append("## PackStream decode (no network)\n")
        out.append("| decoder | records/s | MB/s |")
        out.append("|---|---:|---:|")
        for n, f in dec.items():
            out.append("| %s | %s | %s |" % (n[len("decode-"):], fmt_rate(float(f["records_per_s"])), f["mb_per_s"]))
        out.append("")
    print("\n".join(out))


if __name__ == "__main__":
    main()
