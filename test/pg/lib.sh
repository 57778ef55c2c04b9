# test/pg/lib.sh — sourced by the regress runner and the demo: a throwaway
# PostgreSQL cluster and background servers, all stopped on exit.
#
#   source test/pg/lib.sh
#   pg_lib_init                       # $work: a fresh directory; cleanup on EXIT
#   pg_cluster_start                  # initdb + pg_ctl start (as postgres); sets PGHOST/PGPORT
#                                     # ($PG_LISTEN: TCP addresses; $PG_EXTRA_OPTS: more -c settings;
#                                     #  $PG_VALGRIND: a directory: run it under valgrind, logs there)
#   start_listener NAME CMD ...       # waits for "listening on HOST:PORT"; sets REPLY
#   start_graph_server                # the movies graph; sets GRAPH_URL

PGBIN=$(pg_config --bindir)
pids=()

pg_lib_init() {
  work=$(mktemp -d /tmp/neo4j_fdw.XXXXXX)
  chmod 755 "$work"
  trap pg_lib_cleanup EXIT
}

pg_lib_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -f "$work/data/postmaster.pid" ]; then
    su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D $work/data -m fast -t 600 stop" >/dev/null 2>&1 || true
  fi
  wait 2>/dev/null || true
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}

pg_lib_fail() { echo "error: $*" >&2; exit 1; }

pg_cluster_start() {
  chown postgres "$work"
  su postgres -s /bin/sh -c "$PGBIN/initdb -D $work/data -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8" \
    >"$work/initdb.log" 2>&1 || { cat "$work/initdb.log" >&2; pg_lib_fail initdb; }
  PGPORT=$((20000 + RANDOM % 20000))
  local settings="-p $PGPORT -k $work -c listen_addresses='${PG_LISTEN:-}' -c fsync=off ${PG_EXTRA_OPTS:-}"
  if [ -n "${PG_VALGRIND:-}" ]; then
    # every backend under valgrind (it follows the postmaster's forks); one log
    # per process in $PG_VALGRIND, a directory
    mkdir -p "$PG_VALGRIND" && chown postgres "$PG_VALGRIND"
    su postgres -s /bin/sh -c "valgrind --quiet --leak-check=full --show-leak-kinds=definite \
      --errors-for-leak-kinds=definite --num-callers=30 --log-file=$PG_VALGRIND/%p.log \
      $PGBIN/postgres -D $work/data $settings >$work/postgres.log 2>&1 &"
    for _ in $(seq 600); do
      "$PGBIN/pg_isready" -q -h "$work" -p "$PGPORT" && break
      sleep 0.2
    done
    "$PGBIN/pg_isready" -q -h "$work" -p "$PGPORT" || { cat "$work/postgres.log" >&2; pg_lib_fail "postgres did not start under valgrind"; }
  else
    su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D $work/data -w -l $work/postgres.log \
      -o \"$settings\" start" >"$work/pg_ctl.log" 2>&1 \
      || { cat "$work/pg_ctl.log" "$work/postgres.log" >&2; pg_lib_fail "postgres did not start"; }
  fi
  export PGHOST=$work PGPORT PGUSER=postgres
}

start_listener() {
  local name=$1; shift
  "$@" >"$work/$name.out" 2>"$work/$name.err" &
  pids+=($!)
  LAST_PID=$!
  for _ in $(seq 300); do
    REPLY=$(sed -n 's/^listening on //p' "$work/$name.out" 2>/dev/null)
    [ -n "$REPLY" ] && return 0
    kill -0 "$LAST_PID" 2>/dev/null || break
    sleep 0.1
  done
  cat "$work/$name.err" >&2
  pg_lib_fail "$name did not start"
}

start_graph_server() {
  start_listener graphserver node test/graphserver/server.js --listen 127.0.0.1:0 --user neo4j --password secret
  export GRAPH_URL="bolt://$REPLY"
}
