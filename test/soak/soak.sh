#!/usr/bin/env bash
# `make soak`: mixed load on the FDW for SOAK_MINUTES (default 30) from
# SOAK_SESSIONS (default 8) concurrent sessions, against the test servers:
# the movies graph server and the graph server's bench mode (1,000,000 rows).
# Each session loops over lookups, scans, joins, long streams, Cypher
# errors, writes refused in read mode and reconnects (test/soak/soak.sql);
# every few seconds (SOAK_CANCEL_SECONDS, default 3; 0 = never) one
# session's query is cancelled, and every few minutes
# the bench server is restarted on the same port (dropped connections;
# SOAK_RESTART_SECONDS, default 180). Each backend's private memory is
# printed every SOAK_SNAPSHOT_SECONDS (default 300).
# Reports statements by kind and outcome, and each backend's memory and
# open sockets after the warm-up and at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
minutes=${SOAK_MINUTES:-30}
sessions=${SOAK_SESSIONS:-8}
restart_every=${SOAK_RESTART_SECONDS:-180}
snapshot_every=${SOAK_SNAPSHOT_SECONDS:-300}
cancel_every=${SOAK_CANCEL_SECONDS:-3}

source test/pg/lib.sh
pg_lib_init
make -s install >"$work/install.log" 2>&1 || { cat "$work/install.log"; exit 1; }
[ -d node_modules/kuzu ] || npm ci --silent
PG_EXTRA_OPTS="-c max_connections=40 ${SOAK_PG_OPTS:-}" pg_cluster_start
start_graph_server
bench_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start_bench() { start_listener "benchserver" node test/graphserver/server.js --listen "127.0.0.1:$bench_port" --dataset none --bench-rows 1000000; bench_pid=$LAST_PID; }
start_bench
psql=(psql -X -q -v ON_ERROR_STOP=1 -d postgres)
"${psql[@]}" -v graph_url="$GRAPH_URL" -v bench_url="bolt://127.0.0.1:$bench_port" -f test/soak/soak.sql

deadline=$("${psql[@]}" -At -c "SELECT now() + interval '$minutes minutes'")
echo "soak: $sessions sessions for $minutes min (until $deadline)"
workers=()
for w in $(seq "$sessions"); do
  # one session (one backend) per worker; a cancel that lands between two
  # statements of the procedure ends the CALL, and the next CALL goes on
  for _ in $(seq 2000); do echo "CALL soak_worker($w, '$deadline');"; done |
    psql -X -q -d postgres >"$work/worker-$w.log" 2>&1 &
  workers+=($!)
done

# memory (kB) and sockets of every worker backend
snapshot() {
  "${psql[@]}" -At -c "SELECT worker, pid FROM soak_backends ORDER BY worker" | while IFS='|' read -r w pid; do
    # private memory: VmRSS also counts the shared buffers a backend touched
    rss=$(awk '/^RssAnon:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo '?')
    socks=$(find "/proc/$pid/fd" -lname 'socket:*' 2>/dev/null | wc -l)
    echo "$w $rss $socks"
  done
}
sleep 30
start_snapshot=$(snapshot)
start_s=$(date +%s)
end_s=$((start_s + minutes * 60 - 60))   # the end snapshot: 30 s before the deadline
cancels=0 restarts=0 last_restart=$start_s downtimes=() last_snapshot=$start_s last_cancel=$start_s
echo "private memory (RssAnon, kB) of sessions 1..$sessions every $snapshot_every s:"
echo "  0 s: $(echo "$start_snapshot" | awk '{printf "%s ", $2}')"
while [ "$(date +%s)" -lt "$end_s" ]; do
  sleep 1
  if [ $(( $(date +%s) - last_snapshot )) -ge "$snapshot_every" ]; then
    last_snapshot=$(date +%s)
    echo "  $((last_snapshot - start_s)) s: $(snapshot | awk '{printf "%s ", $2}')"
  fi
  # cancel whatever one session is running
  if [ "$cancel_every" -gt 0 ] && [ $(( $(date +%s) - last_cancel )) -ge "$cancel_every" ]; then
    last_cancel=$(date +%s)
    "${psql[@]}" -At -c "SELECT pg_cancel_backend(pid) FROM soak_backends ORDER BY random() LIMIT 1" >/dev/null && cancels=$((cancels + 1))
  fi
  if [ $(( $(date +%s) - last_restart )) -ge "$restart_every" ]; then
    down_ms=$(date +%s%3N)
    kill "$bench_pid"; wait "$bench_pid" 2>/dev/null || true
    start_bench
    downtimes+=($(( $(date +%s%3N) - down_ms )))
    restarts=$((restarts + 1)); last_restart=$(date +%s)
  fi
done
end_snapshot=$(snapshot)
failed=0
for p in "${workers[@]}"; do wait "$p" || failed=$((failed + 1)); done

echo
echo "== statements by kind and outcome (SQLSTATE), all sessions"
"${psql[@]}" -c "SELECT kind AS \"kind outcome\", sum(n) AS statements,
  left(regexp_replace(max(sample), ':[0-9]+', ':PORT', 'g'), 90) AS \"a message\" FROM soak_stats GROUP BY kind ORDER BY kind"
total=$("${psql[@]}" -At -c "SELECT sum(n) FROM soak_stats")
interrupted=$(cat "$work"/worker-*.log | grep -c "canceling statement" || true)
echo "statements: $total in $minutes min; cancels sent: $cancels (of which $interrupted landed between statements and ended a CALL); bench server restarts: $restarts (down for ${downtimes[*]:-} ms); sessions that failed: $failed"
unexpected=$(cat "$work"/worker-*.log | grep "ERROR" | grep -vc "canceling statement" || true)
[ "$unexpected" -eq 0 ] || { echo "unexpected errors outside the procedure's handler:"; grep -h ERROR "$work"/worker-*.log | grep -v "canceling statement" | sort | uniq -c; failed=$((failed + 1)); }
echo
echo "== backends: private memory (RssAnon, kB) and open sockets after the warm-up -> at the end"
join <(echo "$start_snapshot" | sort) <(echo "$end_snapshot" | sort) |
  awk '{ printf "session %s: rss %s -> %s kB (%+d), sockets %s -> %s\n", $1, $2, $4, $4 - $2, $3, $5 }'
[ "$failed" -eq 0 ]
