--
-- A routed cluster of scripted stubs (test/pg/stubs/routing_*.script): a
-- router, a follower and two leaders in turn. Reads go to the follower,
-- writes to the leader; a leader change (NotALeader) is a clear error and
-- the next write goes to the new leader after the table is refreshed.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS neo4j_fdw;
RESET client_min_messages;
\getenv router_port STUB_ROUTING_ROUTER_PORT
\set router_url 'neo4j://127.0.0.1:' :router_port
CREATE SERVER cluster FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url :'router_url', database 'movies');
CREATE USER MAPPING FOR CURRENT_USER SERVER cluster OPTIONS (user 'neo4j', password 'pass');

-- the routing table (ports masked)
SELECT role, regexp_replace(address, ':[0-9]+', ':PORT') AS address, expires_in > interval '4 min' AS fresh
FROM neo4j_routing_table('cluster') ORDER BY role, address;
-- a read goes to the follower
SELECT * FROM neo4j_query('cluster', 'MATCH (p:Person) RETURN count(p) AS n') AS t(n int);
-- a write goes to the leader, which has changed
SELECT neo4j_execute('cluster', 'CREATE (:Person {name: $name})', '{"name": "Neo"}');
-- the old leader left the table; the write goes to the new one
SELECT neo4j_execute('cluster', 'CREATE (:Person {name: $name})', '{"name": "Neo"}') ->> 'nodes_created' AS nodes_created;
SELECT server_name, bookmark FROM neo4j_fdw_bookmarks();
DROP SERVER cluster CASCADE;
