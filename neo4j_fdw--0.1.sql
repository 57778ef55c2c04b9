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
