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

PGBIN=$(pg_config --bindir)
PG_REGRESS=$(dirname "$(pg_config --pgxs)")/../test/regress/pg_regress
work=$(mktemp -d /tmp/neo4j_fdw_test.XXXXXX)
chmod 755 "$work"
pids=()
stub_pids=()

cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  [ -f "$work/data/postmaster.pid" ] && su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D $work/data -m immediate stop" >/dev/null 2>&1
  wait 2>/dev/null
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "not ok 1 - $1"; echo "1..1"; exit 1; }

make -s install >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "make install"; }

# A server that prints "listening on HOST:PORT": sets REPLY to HOST:PORT.
start_listener() {
  local name=$1; shift
  "$@" >"$work/$name.out" 2>"$work/$name.err" &
  pids+=($!)
  for _ in $(seq 300); do
    REPLY=$(sed -n 's/^listening on //p' "$work/$name.out" 2>/dev/null)
    [ -n "$REPLY" ] && return 0
    sleep 0.1
  done
  cat "$work/$name.err" >&2
  fail "$name did not start"
}

# The throwaway cluster: Unix socket only, in $work.
chown postgres "$work"
su postgres -s /bin/sh -c "$PGBIN/initdb -D $work/data -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8" \
  >"$work/initdb.log" 2>&1 || { cat "$work/initdb.log"; fail initdb; }
port=$((20000 + RANDOM % 20000))
su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D $work/data -w -l $work/postgres.log \
  -o \"-p $port -k $work -c listen_addresses='' -c fsync=off\" start" >"$work/pg_ctl.log" 2>&1 \
  || { cat "$work/pg_ctl.log" "$work/postgres.log"; fail "postgres start"; }

# The graph server with the movies graph.
if [ -f test/graphserver/server.js ]; then
  start_listener graphserver node test/graphserver/server.js --listen 127.0.0.1:0 --user neo4j --password secret
  export GRAPH_URL="bolt://$REPLY"
fi

[ -f build/tls/ca.pem ] || bash test/tls/make-certs.sh build/tls >/dev/null

# One stub per conversation in test/pg/stubs/NAME.script, as STUB_<NAME>_URL.
for script in test/pg/stubs/*.script; do
  [ -f "$script" ] || continue
  name=$(basename "$script" .script)
  extra=()
  # NAME.args: more stub arguments, e.g. a TLS certificate ({certs} = build/tls)
  [ -f "${script%.script}.args" ] && read -r -a extra < <(sed "s|{certs}|$top/build/tls|g" "${script%.script}.args")
  start_listener "stub-$name" python3 test/stub/boltstub.py --listen 127.0.0.1:0 --timeout 120 "${extra[@]}" "$script"
  stub_pids+=("$!:$name")
  var=STUB_$(echo "$name" | tr 'a-z-' 'A-Z_')
  export "${var}_URL=bolt://$REPLY" "${var}_PORT=${REPLY##*:}"
done
export TLS_CERTS=$top/build/tls
export DEAD_URL="bolt://127.0.0.1:$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

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
