#!/usr/bin/env bash
# The demo: on a fresh Debian 12 machine (as root) installs what it needs,
# builds and installs neo4j_fdw, starts a throwaway PostgreSQL and the local
# graph server with the movies graph, runs a few showcase queries
# (scripts/demo.sql) and prints their results, then stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
echo "== building and installing neo4j_fdw"
make -s all >/dev/null
make -s install >/dev/null

source test/pg/lib.sh
pg_lib_init
echo "== starting a throwaway PostgreSQL and the graph server (movies graph)"
pg_cluster_start
start_graph_server
echo "   PostgreSQL $(psql -X -At -c 'SHOW server_version' postgres) on $PGHOST:$PGPORT, graph server on $GRAPH_URL"
echo
psql -X -q -v ON_ERROR_STOP=1 -d postgres -f scripts/demo.sql
echo
echo "== done: everything stopped"
