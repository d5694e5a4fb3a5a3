/* test_copybuf_send.c — COPY data sent in bounded chunks into a real table: every row arrives, and a chunk
 * that cannot be sent fails the whole COPY and its transaction. Needs FAMINS_PG_DSN (a fresh database). */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fm_copybuf.h"
#include "fm_sha256.h"
#include "fm_test.h"

static PGconn *conn;

static void exec_ok(const char *sql)
{
    PGresult *r = PQexec(conn, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(conn));
    PQclear(r);
}

static char *scalar(const char *sql)
{
    PGresult *r = PQexec(conn, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
        fail_msg("%s: %s", sql, PQerrorMessage(conn));
    char *v = strdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

static int setup(void **state)
{
    (void)state;
    const char *dsn = getenv("FAMINS_PG_DSN");
    if (dsn == NULL)
        return -1;
    conn = PQconnectdb(dsn);
    if (PQstatus(conn) != CONNECTION_OK)
        return -1;
    PGresult *r = PQexec(conn, "CREATE TABLE copy_probe (n bigint PRIMARY KEY, t text NOT NULL, b bytea);"
                               "CREATE TABLE copy_positions (p int PRIMARY KEY)");
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    return ok ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    PQfinish(conn);
    return 0;
}

static int empty_tables(void **state)
{
    (void)state;
    exec_ok("TRUNCATE copy_probe, copy_positions");
    return 0;
}

/* Appends count rows for copy_probe whose texts hold what COPY escapes and what a chunk boundary may split
 * (multibyte characters, escapes): row i's text is "<i>:" then filler to about width bytes. hex receives the
 * SHA-256 of the texts joined by '\n', as the table is asked for it back. */
static void build_rows(fm_copybuf *buf, size_t count, size_t width, char hex[FM_SHA256_HEX_LEN])
{
    static const char *const pieces[] = {"\xE7\x89\x88",     "\t", "\\", "\n", "\r",
                                         "\xF0\x9F\x98\x80", "x",  "N"};
    fm_copybuf joined = {0}; /* the texts joined by '\n', hashed at the end */
    char *text = malloc(width + 64);
    assert_non_null(text);
    for (size_t i = 0; i < count; i++) {
        size_t len = (size_t)snprintf(text, width + 64, "%zu:", i);
        for (size_t k = i; len < width; k++) {
            const char *p = pieces[k % (sizeof pieces / sizeof pieces[0])];
            memcpy(text + len, p, strlen(p));
            len += strlen(p);
        }
        text[len] = '\0';
        if (i > 0)
            assert_int_equal(fm_copybuf_append(&joined, "\n", 1), FM_OK);
        assert_int_equal(fm_copybuf_append(&joined, text, len), FM_OK);
        unsigned char b = (unsigned char)i;
        assert_int_equal(fm_copybuf_int_field(buf, 1, (int64_t)i), FM_OK);
        assert_int_equal(fm_copybuf_text_field(buf, 0, text), FM_OK);
        assert_int_equal(fm_copybuf_bytea_field(buf, 0, &b, 1, i % 3 == 0), FM_OK);
        assert_int_equal(fm_copybuf_end_row(buf), FM_OK);
    }
    free(text);
    unsigned char digest[FM_SHA256_LEN];
    assert_int_equal(fm_sha256_digest(joined.data, joined.len, digest), FM_OK);
    fm_sha256_to_hex(digest, hex);
    fm_copybuf_free(&joined);
}

static void expect_table_holds(size_t count, const char *hex)
{
    char *n = scalar("SELECT count(*) FROM copy_probe");
    char want[32];
    snprintf(want, sizeof want, "%zu", count);
    assert_string_equal(n, want);
    free(n);
    char *got = scalar("SELECT encode(sha256(convert_to(string_agg(t, E'\\n' ORDER BY n), 'UTF8')), 'hex')"
                       " FROM copy_probe");
    assert_string_equal(got, hex);
    free(got);
    char *bytes = scalar("SELECT count(*) FILTER (WHERE b IS NULL) || '/' || count(*) FILTER (WHERE"
                         " b = decode(lpad(to_hex(n % 256), 2, '0'), 'hex')) FROM copy_probe");
    snprintf(want, sizeof want, "%zu/%zu", (count + 2) / 3, count - (count + 2) / 3);
    assert_string_equal(bytes, want);
    free(bytes);
}

/* A put that counts its calls and the largest chunk, then sends, or fails at call fail_at (1-based) with
 * fail_result. */
typedef struct put_probe {
    size_t calls, largest, fail_at;
    int fail_result;
} put_probe;

static int probe_put(PGconn *c, const char *data, int len, void *ctx)
{
    put_probe *p = ctx;
    p->calls++;
    if ((size_t)len > p->largest)
        p->largest = (size_t)len;
    if (p->fail_at != 0 && p->calls == p->fail_at)
        return p->fail_result;
    return PQputCopyData(c, data, len);
}

static const char COPY_SQL[] = "COPY copy_probe (n, t, b) FROM STDIN";

static void buffer_spanning_many_small_chunks_arrives_whole(void **state)
{
    (void)state;
    fm_copybuf buf = {0};
    char hex[FM_SHA256_HEX_LEN];
    build_rows(&buf, 3000, 90, hex);
    /* 997 bytes: chunks end inside rows, escapes and multibyte characters. */
    put_probe probe = {0};
    fm_copy_io io = {.chunk = 997, .put = probe_put, .ctx = &probe};
    fm_error err = {0};
    exec_ok("BEGIN");
    fm_status st = fm_copybuf_send_io(conn, COPY_SQL, &buf, &io, &err);
    if (st != FM_OK)
        fail_msg("send: %s %s %s", fm_status_name(st), err.code, err.text);
    exec_ok("COMMIT");
    assert_int_equal(probe.calls, (buf.len + 996) / 997);
    assert_true(probe.calls > 100);
    assert_int_equal(probe.largest, 997);
    expect_table_holds(3000, hex);
    fm_copybuf_free(&buf);
}

static void buffer_over_the_default_chunk_goes_in_chunks_of_one_mebibyte(void **state)
{
    (void)state;
    fm_copybuf buf = {0};
    char hex[FM_SHA256_HEX_LEN];
    build_rows(&buf, 2600, 1000, hex); /* about 2.6 MB with its escapes */
    assert_true(buf.len > 2 * FM_COPYBUF_CHUNK);
    put_probe probe = {0};
    fm_copy_io io = {.put = probe_put, .ctx = &probe}; /* chunk 0: the default */
    fm_error err = {0};
    exec_ok("BEGIN");
    assert_int_equal(fm_copybuf_send_io(conn, COPY_SQL, &buf, &io, &err), FM_OK);
    exec_ok("COMMIT");
    assert_int_equal(probe.calls, (buf.len + FM_COPYBUF_CHUNK - 1) / FM_COPYBUF_CHUNK);
    assert_int_equal(probe.largest, FM_COPYBUF_CHUNK);
    expect_table_holds(2600, hex);
    /* fm_copybuf_send itself, the path every service takes. */
    exec_ok("TRUNCATE copy_probe");
    exec_ok("BEGIN");
    assert_int_equal(fm_copybuf_send(conn, COPY_SQL, &buf, &err), FM_OK);
    exec_ok("COMMIT");
    expect_table_holds(2600, hex);
    fm_copybuf_free(&buf);
}

/* The batch's shape: earlier work in the transaction, the COPY, then the positions. A chunk not sent (libpq's
 * -1, or 0: not queued) fails the send, the COPY stores nothing, and the transaction cannot commit. */
static void chunk_not_sent_fails_the_whole_copy_and_its_transaction(void **state)
{
    (void)state;
    const int failures[] = {-1, 0};
    for (size_t f = 0; f < 2; f++) {
        fm_copybuf buf = {0};
        char hex[FM_SHA256_HEX_LEN];
        build_rows(&buf, 400, 90, hex);
        put_probe probe = {.fail_at = 3, .fail_result = failures[f]};
        fm_copy_io io = {.chunk = 1000, .put = probe_put, .ctx = &probe};
        fm_error err = {0};
        exec_ok("BEGIN");
        exec_ok("INSERT INTO copy_positions VALUES (1)");
        assert_int_equal(fm_copybuf_send_io(conn, COPY_SQL, &buf, &io, &err), FM_EDB);
        assert_int_equal(probe.calls, 3); /* nothing sent after the failure */
        assert_true(err.code[0] != '\0');
        /* The positions' statement is refused: the transaction is aborted. */
        PGresult *r = PQexec(conn, "INSERT INTO copy_positions VALUES (2)");
        assert_int_equal(PQresultStatus(r), PGRES_FATAL_ERROR);
        assert_string_equal(PQresultErrorField(r, PG_DIAG_SQLSTATE), "25P02");
        PQclear(r);
        r = PQexec(conn, "COMMIT");
        assert_string_equal(PQcmdStatus(r), "ROLLBACK");
        PQclear(r);
        char *n = scalar("SELECT (SELECT count(*) FROM copy_probe) || '/' ||"
                         " (SELECT count(*) FROM copy_positions)");
        assert_string_equal(n, "0/0");
        free(n);
        fm_copybuf_free(&buf);
    }
}

/* The server's own count is checked against the rows built: a buffer holding other than its rows is
 * refused. */
static void rows_stored_other_than_the_rows_built_fail_the_send(void **state)
{
    (void)state;
    fm_copybuf buf = {0};
    char hex[FM_SHA256_HEX_LEN];
    build_rows(&buf, 5, 20, hex);
    buf.rows = 4; /* as if a row had been lost */
    fm_error err = {0};
    exec_ok("BEGIN");
    assert_int_equal(fm_copybuf_send(conn, COPY_SQL, &buf, &err), FM_EDB);
    assert_string_equal(err.code, "COPY_ROW_COUNT");
    exec_ok("ROLLBACK");
    /* Empty: nothing is sent, not even the COPY statement (no transaction needed). */
    fm_copybuf empty = {0};
    assert_int_equal(fm_copybuf_send(conn, "COPY no_such_table FROM STDIN", &empty, &err), FM_OK);
    fm_copybuf_free(&buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(buffer_spanning_many_small_chunks_arrives_whole, empty_tables),
        cmocka_unit_test_setup(buffer_over_the_default_chunk_goes_in_chunks_of_one_mebibyte, empty_tables),
        cmocka_unit_test_setup(chunk_not_sent_fails_the_whole_copy_and_its_transaction, empty_tables),
        cmocka_unit_test_setup(rows_stored_other_than_the_rows_built_fail_the_send, empty_tables),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
