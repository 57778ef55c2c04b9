#!/usr/bin/env bash
# Runs the pg_regress suite (sql/, expected/) against a throwaway PostgreSQL
# cluster, the local graph server and scripted Bolt stubs, all started here
# and stopped at the end. Prints one TAP line per test.
#
#   bash test/pg/run-regress.sh [TEST ...]      (default: every sql/*.sql)
#
# Needs root (to install the extension and to run initdb as postgres).
set -uo pipefail
cd "$(dirname "$0")/../.."
top=$PWD

source test/pg/lib.sh
PG_REGRESS=$(dirname "$(pg_config --pgxs)")/../test/regress/pg_regress
stub_pids=()
fail() { echo "not ok 1 - $1"; echo "1..1"; exit 1; }
pg_lib_init

make -s install >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "make install"; }

pg_cluster_start
port=$PGPORT

# The graph server with the movies graph.
[ -f test/graphserver/server.js ] && start_graph_server

[ -f build/tls/ca.pem ] || bash test/tls/make-certs.sh build/tls >/dev/null

# One stub per conversation in test/pg/stubs/NAME.script, as STUB_<NAME>_URL.
# Ports are reserved first, so that a script can name another stub's address
# as {addr:NAME} (a router's ROUTE answer pointing to readers and writers).
declare -A stub_port
for script in test/pg/stubs/*.script; do
  [ -f "$script" ] || continue
  stub_port[$(basename "$script" .script)]=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
done
for script in test/pg/stubs/*.script; do
  [ -f "$script" ] || continue
  name=$(basename "$script" .script)
  played="$work/stub-$name.script"
  cp "$script" "$played"
  for other in "${!stub_port[@]}"; do
    sed -i "s/{addr:$other}/127.0.0.1:${stub_port[$other]}/g" "$played"
  done
  extra=()
  # NAME.args: more stub arguments, e.g. a TLS certificate ({certs} = build/tls)
  [ -f "${script%.script}.args" ] && read -r -a extra < <(sed "s|{certs}|$top/build/tls|g" "${script%.script}.args")
  start_listener "stub-$name" python3 test/stub/boltstub.py --listen "127.0.0.1:${stub_port[$name]}" --timeout 120 \
    "${extra[@]}" "$played"
  stub_pids+=("$LAST_PID:$name")
  var=STUB_$(echo "$name" | tr 'a-z-' 'A-Z_')
  export "${var}_URL=bolt://$REPLY" "${var}_PORT=${REPLY##*:}"
done
export TLS_CERTS=$top/build/tls
DEAD_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DEAD_PORT DEAD_URL="bolt://127.0.0.1:$DEAD_PORT"

tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
  for f in sql/*.sql; do tests+=("$(basename "$f" .sql)"); done
fi
mkdir -p build/regress
"$PG_REGRESS" --bindir="$PGBIN" --host="$work" --port="$port" --user=postgres \
  --inputdir=. --outputdir=build/regress --dbname=neo4j_fdw_regression "${tests[@]}" \
  >"$work/regress.out" 2>&1
status=$?

# pg_regress prints "ok N - name  123 ms" (PG 15: "test name ... ok"); normalise to TAP.
n=0
while read -r line; do
  if [[ $line =~ ^(test[[:space:]]+)?([a-z0-9_]+)[[:space:]]+\.\.\.[[:space:]]+(ok|FAILED|failed) ]]; then
    n=$((n + 1))
    if [ "${BASH_REMATCH[3]}" = ok ]; then echo "ok $n - ${BASH_REMATCH[2]}"; else echo "not ok $n - ${BASH_REMATCH[2]}"; fi
  fi
done <"$work/regress.out"
# every stub must have played its whole conversation
for entry in "${stub_pids[@]}"; do
  pid=${entry%%:*}; name=${entry#*:}
  # stub NAME serves the test named by NAME up to its first "_"
  [[ " ${tests[*]} " == *" ${name%%_*} "* ]] || continue
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -TERM "$pid" 2>/dev/null
  wait "$pid"; rc=$?
  n=$((n + 1))
  if [ $rc -eq 0 ]; then echo "ok $n - stub conversation $name"; else
    echo "not ok $n - stub conversation $name"; sed 's/^/#   /' "$work/stub-$name.err"; status=1; fi
done
echo "1..$n"
if [ $status -ne 0 ] || [ $n -eq 0 ]; then
  cat "$work/regress.out"
  [ -f build/regress/regression.diffs ] && head -n 200 build/regress/regression.diffs
  tail -n 30 "$work/postgres.log"
  for f in "$work"/stub-*.err; do [ -s "$f" ] && { echo "# $f"; cat "$f"; }; done
  [ $n -eq 0 ] && echo "not ok 1 - pg_regress ran no test"
  exit 1
fi
