/* neo4j_fdw--0.1.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION neo4j_fdw" to load this file. \quit

CREATE FUNCTION neo4j_fdw_handler()
RETURNS fdw_handler
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT;

CREATE FUNCTION neo4j_fdw_validator(text[], oid)
RETURNS void
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT;

CREATE FOREIGN DATA WRAPPER neo4j_fdw
  HANDLER neo4j_fdw_handler
  VALIDATOR neo4j_fdw_validator;

-- Ad-hoc Cypher: rows typed by a column definition list.
CREATE FUNCTION neo4j_query(server text, cypher text, params jsonb DEFAULT '{}')
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'neo4j_query'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

-- Ad-hoc Cypher: each record as a jsonb object keyed by the RETURN names.
CREATE FUNCTION neo4j_query_jsonb(server text, cypher text, params jsonb DEFAULT '{}')
RETURNS SETOF jsonb
AS 'MODULE_PATHNAME', 'neo4j_query_jsonb'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION neo4j_fdw_get_connections(OUT server_name text, OUT user_name text, OUT valid boolean,
                                          OUT address text, OUT idle_connections integer)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'neo4j_fdw_get_connections'
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED;

CREATE FUNCTION neo4j_fdw_disconnect(server text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'neo4j_fdw_disconnect'
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED;

CREATE FUNCTION neo4j_fdw_disconnect_all()
RETURNS boolean
AS 'MODULE_PATHNAME', 'neo4j_fdw_disconnect_all'
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED;

CREATE FUNCTION neo4j_server_info(server text, OUT address text, OUT server_agent text,
                                  OUT protocol_version text, OUT database text)
RETURNS record
AS 'MODULE_PATHNAME', 'neo4j_fdw_server_info'
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED;

-- Runs a writing Cypher statement in the Neo4j transaction of the current
-- Postgres transaction (WRITE); returns the statement's counters.
CREATE FUNCTION neo4j_execute(server text, cypher text, params jsonb DEFAULT '{}')
RETURNS jsonb
AS 'MODULE_PATHNAME', 'neo4j_execute'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

-- The bookmarks this backend holds (sent with the next BEGIN on that server).
CREATE FUNCTION neo4j_fdw_bookmarks(OUT server_name text, OUT bookmark text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'neo4j_fdw_bookmarks'
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED;

-- Forgets the bookmarks of a server (NULL: of every server).
CREATE FUNCTION neo4j_fdw_clear_bookmarks(server text DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'neo4j_fdw_clear_bookmarks'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;

-- The routing table of a database (NULL: the server's database option, or
-- the home database) of a neo4j:// server.
CREATE FUNCTION neo4j_routing_table(server text, database text DEFAULT NULL,
                                    OUT role text, OUT address text, OUT expires_in interval)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'neo4j_routing_table'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;
