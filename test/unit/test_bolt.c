/*
 * Unit tests of the Bolt connection's message reader and state machine,
 * fed with server bytes from memory (no socket).
 */
#include <stdarg.h>
#include <stdlib.h>

#include "bolt.h"
#include "testlib.h"

/* Server bytes under construction. */
static neo4j_buf wire;

static void
chunk_message(const neo4j_buf *msg, size_t max_chunk)
{
    size_t off = 0;

    while (off < msg->len)
    {
        size_t n = msg->len - off < max_chunk ? msg->len - off : max_chunk;
        uint8_t h[2] = { (uint8_t) (n >> 8), (uint8_t) n };

        neo4j_buf_append(&wire, h, 2);
        neo4j_buf_append(&wire, msg->data + off, n);
        off += n;
    }
    neo4j_buf_append(&wire, "\0\0", 2);
}

/* SUCCESS {key: value...} with string or int values given as pairs. */
static void
success(int n, ...)
{
    neo4j_buf msg;
    va_list ap;

    neo4j_buf_init(&msg);
    ps_pack_struct_header(&msg, 1, BOLT_SUCCESS);
    ps_pack_map_header(&msg, (uint32_t) n);
    va_start(ap, n);
    for (int i = 0; i < n; i++)
    {
        const char *key = va_arg(ap, const char *);
        const char *kind = va_arg(ap, const char *);

        ps_pack_cstring(&msg, key);
        if (kind[0] == 's')
            ps_pack_cstring(&msg, va_arg(ap, const char *));
        else if (kind[0] == 'b')
            ps_pack_bool(&msg, va_arg(ap, int));
        else
            ps_pack_int(&msg, va_arg(ap, long long));
    }
    va_end(ap);
    chunk_message(&msg, 65535);
    neo4j_buf_free(&msg);
}

static void
record_ints(int n, int first)
{
    neo4j_buf msg;

    neo4j_buf_init(&msg);
    ps_pack_struct_header(&msg, 1, BOLT_RECORD);
    ps_pack_list_header(&msg, (uint32_t) n);
    for (int i = 0; i < n; i++)
        ps_pack_int(&msg, first + i);
    chunk_message(&msg, 65535);
    neo4j_buf_free(&msg);
}

static void
failure(const char *code_key, const char *code, const char *message)
{
    neo4j_buf msg;

    neo4j_buf_init(&msg);
    ps_pack_struct_header(&msg, 1, BOLT_FAILURE);
    ps_pack_map_header(&msg, 2);
    ps_pack_cstring(&msg, code_key);
    ps_pack_cstring(&msg, code);
    ps_pack_cstring(&msg, "message");
    ps_pack_cstring(&msg, message);
    chunk_message(&msg, 65535);
    neo4j_buf_free(&msg);
}

static void
ignored(void)
{
    neo4j_buf msg;

    neo4j_buf_init(&msg);
    ps_pack_struct_header(&msg, 0, BOLT_IGNORED);
    chunk_message(&msg, 65535);
    neo4j_buf_free(&msg);
}

static void
noop(void)
{
    neo4j_buf_append(&wire, "\0\0", 2);
}

static bolt_conn *
conn_for_wire(int major, int minor)
{
    bolt_conn *conn = bolt_conn_from_bytes(wire.data, wire.len, major, minor);

    neo4j_buf_reset(&wire);
    return conn;
}

static void
test_autocommit_stream(void)
{
    bolt_conn *conn;
    bolt_response r;
    neo4j_error err;
    bolt_tx_params tx = { .tx_timeout_ms = -1 };

    success(2, "fields", "i", 0LL, "t_first", "i", 1LL);
    noop();
    record_ints(2, 1);
    noop();
    noop();
    record_ints(2, 3);
    success(1, "has_more", "b", 1);
    record_ints(2, 5);
    success(2, "bookmark", "s", "FB:1", "type", "s", "r");
    conn = conn_for_wire(5, 8);

    CHECK(bolt_queue_run(conn, "RETURN 1", NULL, &tx, &err) == 0, "RUN is legal in READY");
    CHECK(conn->send_state == BOLT_STREAMING, "RUN moves the send state to STREAMING");
    CHECK(bolt_queue_pull(conn, 2, -1, &err) == 0, "PULL is legal after RUN");
    CHECK(bolt_queue_run(conn, "RETURN 2", NULL, &tx, &err) < 0 && strcmp(err.code, NEO4J_CODE_ILLEGAL_STATE) == 0,
          "a second auto-commit RUN while streaming is refused: %s", err.message);
    CHECK(bolt_recv(conn, &r, &err) == 0 && r.signature == BOLT_SUCCESS && r.request == BOLT_RUN, "RUN SUCCESS");
    CHECK(conn->state == BOLT_STREAMING, "state STREAMING after RUN SUCCESS");
    CHECK(bolt_recv(conn, &r, &err) == 0 && r.signature == BOLT_RECORD && r.record->size == 2 &&
          r.record->u.items[0].u.integer == 1, "first record (after a NOOP)");
    CHECK(bolt_recv(conn, &r, &err) == 0 && r.signature == BOLT_RECORD && r.record->u.items[1].u.integer == 4,
          "second record (after two NOOPs)");
    CHECK(bolt_recv(conn, &r, &err) == 0 && r.signature == BOLT_SUCCESS && r.request == BOLT_PULL,
          "batch summary");
    CHECK(conn->state == BOLT_STREAMING, "has_more keeps STREAMING");
    CHECK(bolt_queue_pull(conn, 2, -1, &err) == 0, "second PULL");
    CHECK(bolt_recv(conn, &r, &err) == 0 && r.signature == BOLT_RECORD, "record of the second batch");
    CHECK(bolt_recv(conn, &r, &err) == 0 && r.signature == BOLT_SUCCESS &&
          neo4j_string_equals(neo4j_map_get(r.metadata, "bookmark"), "FB:1"), "final summary with bookmark");
    CHECK(conn->state == BOLT_READY && conn->send_state == BOLT_READY, "READY after the stream ends");
    CHECK(bolt_recv(conn, &r, &err) < 0 && strcmp(err.code, NEO4J_CODE_ILLEGAL_STATE) == 0,
          "recv with nothing pending is refused");
    bolt_close(conn);
}

static void
test_failure_ignored_reset(void)
{
    bolt_conn *conn;
    bolt_response r;
    neo4j_error err;
    bolt_tx_params tx = { .tx_timeout_ms = -1 };

    failure("code", "Neo.ClientError.Statement.SyntaxError", "Invalid input 'RETRUN'");
    ignored();
    success(0);
    conn = conn_for_wire(5, 0);
    bolt_queue_run(conn, "RETRUN 1", NULL, &tx, &err);
    bolt_queue_pull(conn, 100, -1, &err);
    CHECK(bolt_recv(conn, &r, &err) == 0 && r.signature == BOLT_FAILURE, "FAILURE answers RUN");
    CHECK(conn->state == BOLT_FAILED, "state FAILED");
    CHECK(neo4j_error_is_syntax(&conn->failure) && conn->failure.category == NEO4J_ERROR_CLIENT,
          "FAILURE becomes a syntax error value");
    CHECK(bolt_recv(conn, &r, &err) == 0 && r.signature == BOLT_IGNORED && r.request == BOLT_PULL,
          "the pipelined PULL is IGNORED");
    CHECK(conn->state == BOLT_FAILED && conn->send_state == BOLT_FAILED, "still FAILED after IGNORED");
    CHECK(bolt_queue_run(conn, "RETURN 1", NULL, &tx, &err) < 0 && strstr(err.message, "RESET"),
          "RUN in FAILED is refused and says RESET: %s", err.message);
    CHECK(bolt_queue_reset(conn, &err) == 0, "RESET is legal in FAILED");
    CHECK(bolt_recv(conn, &r, &err) == 0 && r.signature == BOLT_SUCCESS && r.request == BOLT_RESET,
          "RESET SUCCESS");
    CHECK(conn->state == BOLT_READY, "READY after RESET");
    bolt_close(conn);
}

static void
test_transaction_states(void)
{
    bolt_conn *conn;
    bolt_response r;
    neo4j_error err;
    bolt_tx_params tx = { .tx_timeout_ms = 5000, .database = "movies", .mode = NEO4J_ACCESS_READ };

    success(0);                                          /* BEGIN */
    success(2, "fields", "i", 0LL, "qid", "i", 0LL);     /* RUN */
    record_ints(1, 7);
    success(1, "has_more", "b", 1);                      /* PULL */
    success(0);                                          /* DISCARD */
    success(1, "bookmark", "s", "FB:2");                 /* COMMIT */
    conn = conn_for_wire(5, 4);
    CHECK(bolt_queue_commit(conn, &err) < 0, "COMMIT outside a transaction is refused");
    CHECK(bolt_queue_begin(conn, &tx, &err) == 0 && conn->send_state == BOLT_TX_READY, "BEGIN -> TX_READY");
    CHECK(bolt_queue_begin(conn, &tx, &err) < 0, "nested BEGIN is refused");
    CHECK(bolt_queue_run(conn, "MATCH (n) RETURN n", NULL, &tx, &err) < 0,
          "RUN with transaction settings inside a transaction is refused");
    CHECK(bolt_queue_run(conn, "MATCH (n) RETURN n", NULL, NULL, &err) == 0 && conn->send_state == BOLT_TX_STREAMING,
          "RUN -> TX_STREAMING");
    CHECK(bolt_queue_pull(conn, 1, -1, &err) == 0, "PULL in TX_STREAMING");
    CHECK(bolt_queue_commit(conn, &err) < 0, "COMMIT while streaming is refused");
    CHECK(bolt_recv(conn, &r, &err) == 0 && r.request == BOLT_BEGIN && conn->state == BOLT_TX_READY, "BEGIN ok");
    CHECK(bolt_recv(conn, &r, &err) == 0 && r.request == BOLT_RUN && conn->state == BOLT_TX_STREAMING, "RUN ok");
    CHECK(bolt_recv(conn, &r, &err) == 0 && r.signature == BOLT_RECORD && r.record->u.items[0].u.integer == 7,
          "record");
    CHECK(bolt_recv(conn, &r, &err) == 0 && r.request == BOLT_PULL && conn->state == BOLT_TX_STREAMING,
          "has_more keeps TX_STREAMING");
    CHECK(bolt_queue_discard(conn, -1, 0, &err) == 0, "DISCARD with qid");
    CHECK(bolt_recv(conn, &r, &err) == 0 && r.request == BOLT_DISCARD && conn->state == BOLT_TX_READY,
          "DISCARD ends the stream: TX_READY");
    CHECK(bolt_queue_commit(conn, &err) == 0, "COMMIT in TX_READY");
    CHECK(bolt_recv(conn, &r, &err) == 0 && r.request == BOLT_COMMIT && conn->state == BOLT_READY &&
          neo4j_string_equals(neo4j_map_get(r.metadata, "bookmark"), "FB:2"), "COMMIT -> READY with bookmark");
    bolt_close(conn);
}

static void
test_large_message_reassembly(void)
{
    neo4j_buf msg;
    bolt_conn *conn;
    bolt_response r;
    neo4j_error err;
    bolt_tx_params tx = { .tx_timeout_ms = -1 };
    char *big = malloc(200000);

    memset(big, 'x', 200000);
    big[199999] = 'y';
    success(1, "fields", "i", 0LL);
    neo4j_buf_init(&msg);
    ps_pack_struct_header(&msg, 1, BOLT_RECORD);
    ps_pack_list_header(&msg, 1);
    ps_pack_string(&msg, big, 200000);
    chunk_message(&msg, 65535);          /* four chunks */
    neo4j_buf_reset(&msg);
    ps_pack_struct_header(&msg, 1, BOLT_RECORD);
    ps_pack_list_header(&msg, 1);
    ps_pack_string(&msg, big, 70000);
    chunk_message(&msg, 7);              /* many tiny chunks */
    neo4j_buf_free(&msg);
    success(0);
    conn = conn_for_wire(5, 8);
    bolt_queue_run(conn, "RETURN $s", NULL, &tx, &err);
    bolt_queue_pull(conn, -1, -1, &err);
    CHECK(bolt_recv(conn, &r, &err) == 0, "RUN SUCCESS");
    CHECK(bolt_recv(conn, &r, &err) == 0 && r.signature == BOLT_RECORD && r.record->u.items[0].size == 200000 &&
          r.record->u.items[0].u.string[199999] == 'y', "a 200000-byte string over four chunks is reassembled");
    CHECK(bolt_recv(conn, &r, &err) == 0 && r.signature == BOLT_RECORD && r.record->u.items[0].size == 70000,
          "a message in 7-byte chunks is reassembled");
    CHECK(bolt_recv(conn, &r, &err) == 0 && conn->state == BOLT_READY, "then the summary");
    bolt_close(conn);
    free(big);
}

static void
test_protocol_violations(void)
{
    bolt_conn *conn;
    bolt_response r;
    neo4j_error err;
    bolt_tx_params tx = { .tx_timeout_ms = -1 };

    record_ints(1, 1);
    conn = conn_for_wire(5, 8);
    bolt_queue_run(conn, "RETURN 1", NULL, &tx, &err);
    CHECK(bolt_recv(conn, &r, &err) < 0 && err.category == NEO4J_ERROR_PROTOCOL && conn->state == BOLT_DEFUNCT,
          "RECORD answering RUN is a protocol error: %s", err.message);
    CHECK(bolt_queue_reset(conn, &err) < 0 && err.category == NEO4J_ERROR_CONNECTIVITY,
          "nothing can be sent on a DEFUNCT connection");
    bolt_close(conn);

    success(0);
    wire.len -= 3;                       /* cut inside the message */
    conn = conn_for_wire(5, 8);
    bolt_queue_reset(conn, &err);
    CHECK(bolt_recv(conn, &r, &err) < 0 && err.category == NEO4J_ERROR_CONNECTIVITY &&
          conn->state == BOLT_DEFUNCT, "a connection closed mid-message is DEFUNCT: %s", err.message);
    bolt_close(conn);

    {
        static const uint8_t junk[] = { 0x00, 0x03, 0xB1, 0x70, 0xFF, 0x00, 0x00 };   /* bad map marker */

        conn = bolt_conn_from_bytes(junk, sizeof junk, 5, 8);
        bolt_queue_reset(conn, &err);
        CHECK(bolt_recv(conn, &r, &err) < 0 && err.category == NEO4J_ERROR_PROTOCOL, "undecodable message: %s",
              err.message);
        bolt_close(conn);
    }
    {
        static const uint8_t unknown[] = { 0x00, 0x02, 0xB0, 0x55, 0x00, 0x00 };      /* signature 0x55 */

        conn = bolt_conn_from_bytes(unknown, sizeof unknown, 5, 8);
        bolt_queue_reset(conn, &err);
        CHECK(bolt_recv(conn, &r, &err) < 0 && err.category == NEO4J_ERROR_PROTOCOL && strstr(err.message, "0x55"),
              "unknown response signature: %s", err.message);
        bolt_close(conn);
    }
}

static void
test_failure_conversion(void)
{
    neo4j_error err;
    neo4j_map_entry e[3] = {
        { neo4j_string("neo4j_code"), neo4j_string("Neo.ClientError.Database.DatabaseNotFound") },
        { neo4j_string("message"), neo4j_string("Database does not exist: nope") },
        { neo4j_string("gql_status"), neo4j_string("22N51") },
    };
    neo4j_value meta = neo4j_map(e, 3);
    neo4j_map_entry e4[2] = {
        { neo4j_string("code"), neo4j_string("Neo.ClientError.Security.Unauthorized") },
        { neo4j_string("message"), neo4j_string("The client is unauthorized due to authentication failure.") },
    };
    neo4j_value meta4 = neo4j_map(e4, 2);
    neo4j_map_entry e5[2] = {
        { neo4j_string("code"), neo4j_string("Neo.TransientError.General.DatabaseUnavailable") },
        { neo4j_string("message"), neo4j_string("down") },
    };
    neo4j_value meta5 = neo4j_map(e5, 2);

    bolt_failure_to_error(&meta, &err);
    CHECK(neo4j_error_is_database_not_found(&err) && !neo4j_error_is_authentication(&err),
          "5.7 neo4j_code: database not found");
    CHECK_STR(err.gql_status, "22N51", "GQL status kept");
    CHECK(err.category == NEO4J_ERROR_CLIENT, "client category");
    bolt_failure_to_error(&meta4, &err);
    CHECK(neo4j_error_is_authentication(&err) && err.category == NEO4J_ERROR_SECURITY,
          "4.x/5.x code: authentication failure is a security error");
    bolt_failure_to_error(&meta5, &err);
    CHECK(err.category == NEO4J_ERROR_TRANSIENT && neo4j_error_is_retryable(&err), "transient, retryable");
}

static void
test_request_bytes(void)
{
    bolt_conn *conn = bolt_conn_from_bytes((const uint8_t *) "", 0, 5, 8);
    neo4j_error err;
    bolt_tx_params tx = { .tx_timeout_ms = -1 };
    static const uint8_t expected[] = {
        0x00, 0x0D, 0xB3, 0x10, 0x88, 'R', 'E', 'T', 'U', 'R', 'N', ' ', '1', 0xA0, 0xA0, 0x00, 0x00,
        0x00, 0x05, 0xB1, 0x3F, 0xA1, 0x81, 'n', 0x00, 0x00  /* PULL {n: ...} follows */
    };

    bolt_queue_run(conn, "RETURN 1", NULL, &tx, &err);
    CHECK(conn->out.len >= 17 && memcmp(conn->out.data, expected, 17) == 0,
          "RUN \"RETURN 1\" {} {} is chunked exactly");
    bolt_queue_pull(conn, 1000, -1, &err);
    CHECK(conn->out.len == 17 + 2 + 8 + 2 && conn->out.data[19] == 0xB1 && conn->out.data[20] == 0x3F &&
          conn->out.data[24] == 0xC9 && conn->out.data[25] == 0x03 && conn->out.data[26] == 0xE8,
          "PULL {n: 1000} follows in the same buffer (one write)");
    CHECK(conn->pending_count == 2, "two requests pending");
    bolt_close(conn);
}

int
main(void)
{
    neo4j_buf_init(&wire);
    test_autocommit_stream();
    test_failure_ignored_reset();
    test_transaction_states();
    test_large_message_reassembly();
    test_protocol_violations();
    test_failure_conversion();
    test_request_bytes();
    neo4j_buf_free(&wire);
    return TEST_DONE();
}
