#!/usr/bin/env bash
# Runs neo4j-query against the scripted Bolt stub and shows the conversation.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
make -s bin/neo4j-query
script=test/stub/scripts/demo.script
out=$(mktemp -d)
python3 test/stub/boltstub.py --listen 127.0.0.1:0 "$script" >"$out/stub.out" 2>"$out/stub.err" &
stub=$!
for _ in $(seq 50); do grep -q listening "$out/stub.out" 2>/dev/null && break; sleep 0.1; done
addr=$(sed -n 's/^listening on //p' "$out/stub.out")
echo "\$ NEO4J_USER=neo4j NEO4J_PASSWORD=secret bin/neo4j-query --log trace bolt://$addr 'MATCH (p:Person) RETURN p.name AS name, p.born AS born'"
NEO4J_USER=neo4j NEO4J_PASSWORD=secret bin/neo4j-query --log trace "bolt://$addr" \
  'MATCH (p:Person) RETURN p.name AS name, p.born AS born'
wait "$stub"
