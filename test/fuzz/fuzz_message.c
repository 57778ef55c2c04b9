/*
 * libFuzzer target: the Bolt message reader and state machine. The input is
 * what a hostile server sends after the handshake; the first byte picks the
 * protocol version and the request pipeline the client has in flight.
 */
#include <stdint.h>
#include <stddef.h>

#include "bolt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int versions[][2] = { { 4, 4 }, { 5, 0 }, { 5, 4 }, { 5, 8 }, { 6, 0 } };
    bolt_tx_params tx = { .tx_timeout_ms = -1 };
    bolt_response resp;
    neo4j_error err;
    bolt_conn *conn;
    uint8_t pick;
    int rounds = 0;

    if (size < 1)
        return 0;
    pick = data[0];
    conn = bolt_conn_from_bytes(data + 1, size - 1, versions[pick % 5][0], versions[pick % 5][1]);
    if (!conn)
        return 0;
    if (pick & 0x10)
    {
        bolt_queue_begin(conn, &tx, &err);
        bolt_queue_run(conn, "RETURN 1", NULL, NULL, &err);
    }
    else
        bolt_queue_run(conn, "RETURN 1", NULL, &tx, &err);
    bolt_queue_pull(conn, 2, -1, &err);
    if (pick & 0x20)
        bolt_queue_reset(conn, &err);

    while (conn->pending_count > 0 && rounds++ < 10000)
    {
        if (bolt_recv(conn, &resp, &err) < 0)
            break;
        /* ask for more while the server says there is more */
        if (resp.signature == BOLT_SUCCESS && resp.request == BOLT_PULL && conn->pending_count == 0 &&
            (conn->state == BOLT_STREAMING || conn->state == BOLT_TX_STREAMING))
            bolt_queue_pull(conn, 2, -1, &err);
        if (resp.signature == BOLT_FAILURE && conn->pending_count == 0 && conn->state == BOLT_FAILED)
            bolt_queue_reset(conn, &err);
    }
    bolt_close(conn);
    return 0;
}
