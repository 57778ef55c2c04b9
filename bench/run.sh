#!/usr/bin/env bash
# `make bench`: every benchmark in one run on this machine, then the table on
# stdout and in bench/RESULTS.md (with the command that produced it).
#
#   bash bench/run.sh                      # 1,000,000 and 10,000,000 rows
#   BENCH_ROWS=1000000 bash bench/run.sh   # quicker
#
# Knobs: BENCH_ROWS (row counts), BENCH_RUNS (runs per measurement, best
# kept; default 3), BENCH_SECONDS (pgbench duration; default 10),
# BENCH_CLIENTS (pgbench clients; default "1 4 16"). Needs root, as the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${BENCH_ROWS:-1000000 10000000}
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT

[ -d node_modules/neo4j-driver ] || npm ci --silent
make -s driver-all >/dev/null
echo "== PackStream decode"
bash bench/decode.sh | tee -a "$raw"
echo "== scans, ETL, lookups, memory, round trips (rows: $rows)"
# shellcheck disable=SC2086
bash bench/scan.sh $rows | tee -a "$raw"

command="BENCH_ROWS=\"$rows\" BENCH_RUNS=${BENCH_RUNS:-3} BENCH_SECONDS=${BENCH_SECONDS:-10} BENCH_CLIENTS=\"${BENCH_CLIENTS:-1 4 16}\" make bench"
python3 bench/report.py --command "$command" "$raw" >bench/RESULTS.md
echo
cat bench/RESULTS.md
