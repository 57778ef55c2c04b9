#!/usr/bin/env bash
# Scan, ETL and memory benchmarks: the same rows (five fields: integer, float,
# 16-character string, boolean, date) read by every reader a user could pick,
# in one run on this machine. Prints result lines "NAME rows=N seconds=S"
# on stdout, one per measurement, for bench/run.sh to tabulate.
#
#   bash bench/scan.sh ROWS [ROWS ...]
#
# Starts a throwaway PostgreSQL cluster (TCP on loopback, for postgres_fdw)
# and the graph server's bench mode (--bench-rows ROWS): a Bolt server that
# streams pre-encoded records, so that it is not the bottleneck.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
RUNS=${BENCH_RUNS:-3}

source test/pg/lib.sh
pg_lib_init
make -s install >"$work/install.log" 2>&1 || { cat "$work/install.log"; exit 1; }
make -s build/bench/bolt_drain bin/neo4j-query >/dev/null
PG_LISTEN=127.0.0.1 PG_EXTRA_OPTS="-c shared_buffers=1GB -c work_mem=64MB -c max_connections=50" pg_cluster_start
psql=(psql -X -q -v ON_ERROR_STOP=1 -d postgres)

query='MATCH (n:`BenchRow`) RETURN n.`i` AS `i`, n.`f` AS `f`, n.`s` AS `s`, n.`b` AS `b`, n.`d` AS `d`'
# every column fetched and converted, nothing pushed down: one qual over all
# columns that is volatile (random() * 0), which no FDW ships
count_sql() { echo "SELECT count(*) FROM $1 WHERE num_nonnulls(i, f, s, b, d) + (random() * 0)::int = 5"; }

now() { date +%s.%N; }
# best of $RUNS: seconds of the fastest run of "$@"
best_of() {
  local best='' t0 t1 s
  for _ in $(seq "$RUNS"); do
    t0=$(now); "$@" >/dev/null; t1=$(now)
    s=$(echo "$t1 - $t0" | bc -l)
    if [ -z "$best" ] || [ "$(echo "$s < $best" | bc -l)" = 1 ]; then best=$s; fi
  done
  printf '%.3f' "$best"
}
sql() { "${psql[@]}" -c "$1"; }
# the backend's own /proc/self/status fields (kB), for the memory measurements
kb_function="CREATE FUNCTION pg_temp.kb(field text) RETURNS bigint LANGUAGE sql AS
  \$\$ SELECT (regexp_match(pg_read_file('/proc/self/status'), field || ':\\s+(\\d+)'))[1]::bigint \$\$;"
result() { echo "$1 rows=$2 seconds=$3"; }

"${psql[@]}" <<SQL
CREATE EXTENSION neo4j_fdw;
CREATE EXTENSION postgres_fdw;
CREATE SERVER loopback FOREIGN DATA WRAPPER postgres_fdw
  OPTIONS (host '127.0.0.1', port '$PGPORT', dbname 'postgres', fetch_size '1000');
CREATE USER MAPPING FOR CURRENT_USER SERVER loopback OPTIONS (user 'postgres');
SQL

python3 bench/round_trips.py

for rows in "$@"; do
  start_listener "benchserver-$rows" node test/graphserver/server.js --listen 127.0.0.1:0 --dataset none --bench-rows "$rows"
  addr=$REPLY
  url="bolt://$addr"
  "${psql[@]}" <<SQL
DROP SERVER IF EXISTS bench CASCADE;
DROP TABLE IF EXISTS local_rows, etl_target;
DROP FOREIGN TABLE IF EXISTS pg_rows;
CREATE SERVER bench FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url '$url');
CREATE USER MAPPING FOR CURRENT_USER SERVER bench OPTIONS (user 'neo4j', password 'bench');
CREATE FOREIGN TABLE bench_rows (i bigint, f float8, s text, b boolean, d date) SERVER bench OPTIONS (label 'BenchRow');
CREATE TABLE local_rows (i bigint PRIMARY KEY, f float8, s text, b boolean, d date);
INSERT INTO local_rows
  SELECT i, i + 0.5, 'row-' || lpad(i::text, 12, '0'), i % 2 = 0, date '2020-01-01' + (i % 1000)::int
  FROM generate_series(0, $rows - 1) AS i;
VACUUM (FREEZE, ANALYZE) local_rows;
CREATE FOREIGN TABLE pg_rows (i bigint, f float8, s text, b boolean, d date)
  SERVER loopback OPTIONS (table_name 'local_rows');
CREATE TABLE etl_target (LIKE local_rows);
SQL
  # the same rows both ways
  check=$("${psql[@]}" -At -c "SELECT (SELECT sum(hashtext(s) + i + f + b::int + (d - date '2000-01-01')) FROM bench_rows)
                                    = (SELECT sum(hashtext(s) + i + f + b::int + (d - date '2000-01-01')) FROM local_rows)")
  [ "$check" = t ] || { echo "bench: the foreign rows differ from the local ones" >&2; exit 1; }

  result drain "$rows" "$(best_of build/bench/bolt_drain "${addr%:*}" "${addr##*:}" "$query")"
  result neo4j-query "$rows" "$(best_of bin/neo4j-query --fetch-size 1000 "$url" "$query")"
  result js-driver "$rows" "$(best_of node bench/js_scan.js "$url" "$query" 1000)"
  result fdw-copy "$rows" "$(best_of sql "COPY (SELECT * FROM bench_rows) TO '/dev/null'")"
  result fdw-count "$rows" "$(best_of sql "$(count_sql bench_rows)")"
  result postgres_fdw-copy "$rows" "$(best_of sql "COPY (SELECT * FROM pg_rows) TO '/dev/null'")"
  result postgres_fdw-count "$rows" "$(best_of sql "$(count_sql pg_rows)")"
  result heap-copy "$rows" "$(best_of sql "COPY (SELECT * FROM local_rows) TO '/dev/null'")"
  result heap-count "$rows" "$(best_of sql "$(count_sql local_rows)")"

  # ETL: into a local table, from the graph, from an official-driver script
  # piping into COPY, and from a local table (the ceiling)
  result etl-fdw "$rows" "$(best_of sql "TRUNCATE etl_target; INSERT INTO etl_target SELECT * FROM bench_rows")"
  etl_script() {
    sql "TRUNCATE etl_target"
    node bench/js_etl.js "$url" "$query" | "${psql[@]}" -c "COPY etl_target FROM STDIN"
  }
  result etl-js-driver-copy "$rows" "$(best_of etl_script)"
  result etl-local "$rows" "$(best_of sql "TRUNCATE etl_target; INSERT INTO etl_target SELECT * FROM local_rows")"

  # point lookups by primary key, pushed down, on pooled connections
  if [ "$rows" = "$1" ]; then
    for clients in ${BENCH_CLIENTS:-1 4 16}; do
      for table in bench_rows pg_rows; do
        printf '\\set id random(0, %d)\nSELECT i, f, s, b, d FROM %s WHERE i = :id;\n' $((rows - 1)) "$table" >"$work/lookup.sql"
        tps=$("$PGBIN/pgbench" -n -M prepared -c "$clients" -j "$(( clients < 2 ? clients : 2 ))" -T "${BENCH_SECONDS:-10}" \
                -f "$work/lookup.sql" postgres 2>&1 | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
        name=$([ "$table" = bench_rows ] && echo fdw || echo postgres_fdw)
        echo "lookup-$name clients=$clients tps=$tps"
      done
    done
    # 100,000 statements on one pooled connection: backend memory and sockets
    flat=$("${psql[@]}" -At <<SQL
$kb_function
SELECT format('SELECT * FROM bench_rows WHERE i = %s', i) FROM generate_series(1, 1000) AS i \gexec
SELECT pg_temp.kb('VmRSS') AS before, (SELECT count(*) FROM pg_ls_dir('/proc/self/fd')) AS fds \gset
\o /dev/null
SELECT format('SELECT * FROM bench_rows WHERE i = %s', i % $rows) FROM generate_series(1, 100000) AS i \gexec
\o
SELECT :before || ' ' || pg_temp.kb('VmRSS') || ' ' || :fds || ' ' || (SELECT count(*) FROM pg_ls_dir('/proc/self/fd'));
SQL
)
    read -r rss_before rss_after fds_before fds_after <<<"$(echo "$flat" | tail -1)"
    echo "statements count=100000 rss_before_kb=$rss_before rss_after_kb=$rss_after fds_before=$fds_before fds_after=$fds_after"
  fi

  # backend memory while streaming every row through the foreign table
  mem=$("${psql[@]}" -At <<SQL
$kb_function
SELECT count(*) FROM bench_rows WHERE i = -1;
SELECT pg_temp.kb('VmRSS') AS before \gset
COPY (SELECT * FROM bench_rows) TO '/dev/null';
SELECT :before || ' ' || pg_temp.kb('VmRSS') || ' ' || pg_temp.kb('VmHWM');
SQL
)
  echo "memory rows=$rows rss_before_kb=$(echo "$mem" | tail -1 | cut -d' ' -f1) rss_after_kb=$(echo "$mem" | tail -1 | cut -d' ' -f2) hwm_kb=$(echo "$mem" | tail -1 | cut -d' ' -f3)"
  kill "$LAST_PID" 2>/dev/null || true
done
