/* fm_copybuf.c — rows for PostgreSQL COPY (text format) and array literals, built in memory. */
#include "fm_copybuf.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fm_dates.h"
#include "fm_pg.h"

void fm_copybuf_reset(fm_copybuf *buf)
{
    buf->len = 0;
    buf->rows = 0;
}

void fm_copybuf_free(fm_copybuf *buf)
{
    free(buf->data);
    *buf = (fm_copybuf){0};
}

static fm_status reserve(fm_copybuf *buf, size_t extra)
{
    if (buf->len + extra + 1 <= buf->cap)
        return FM_OK;
    size_t cap = buf->cap ? buf->cap : 4096;
    while (cap < buf->len + extra + 1)
        cap *= 2;
    char *grown = realloc(buf->data, cap);
    if (grown == NULL)
        return FM_ENOMEM;
    buf->data = grown;
    buf->cap = cap;
    return FM_OK;
}

fm_status fm_copybuf_append(fm_copybuf *buf, const void *bytes, size_t len)
{
    if (reserve(buf, len) != FM_OK)
        return FM_ENOMEM;
    memcpy(buf->data + buf->len, bytes, len);
    buf->len += len;
    buf->data[buf->len] = '\0';
    return FM_OK;
}

static fm_status put_char(fm_copybuf *buf, char c)
{
    return fm_copybuf_append(buf, &c, 1);
}

static fm_status separator(fm_copybuf *buf, int first)
{
    return first ? FM_OK : put_char(buf, '\t');
}

fm_status fm_copybuf_text_field(fm_copybuf *buf, int first, const char *text)
{
    if (separator(buf, first) != FM_OK)
        return FM_ENOMEM;
    if (text == NULL)
        return fm_copybuf_append(buf, "\\N", 2);
    /* COPY text format: backslash, tab, newline and carriage return are escaped; all else is literal. */
    for (const char *p = text; *p; p++) {
        const char *esc = NULL;
        switch (*p) {
        case '\\': esc = "\\\\"; break;
        case '\t': esc = "\\t"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        default: break;
        }
        fm_status st = esc ? fm_copybuf_append(buf, esc, 2) : put_char(buf, *p);
        if (st != FM_OK)
            return st;
    }
    return FM_OK;
}

fm_status fm_copybuf_bytea_field(fm_copybuf *buf, int first, const void *bytes, size_t len, int is_null)
{
    static const char hex[] = "0123456789abcdef";
    if (separator(buf, first) != FM_OK)
        return FM_ENOMEM;
    if (is_null)
        return fm_copybuf_append(buf, "\\N", 2);
    /* bytea hex input is "\x..."; COPY's own escaping doubles the backslash. */
    if (reserve(buf, 3 + 2 * len) != FM_OK)
        return FM_ENOMEM;
    memcpy(buf->data + buf->len, "\\\\x", 3);
    buf->len += 3;
    const unsigned char *b = bytes;
    for (size_t i = 0; i < len; i++) {
        buf->data[buf->len++] = hex[b[i] >> 4];
        buf->data[buf->len++] = hex[b[i] & 15];
    }
    buf->data[buf->len] = '\0';
    return FM_OK;
}

fm_status fm_copybuf_int_field(fm_copybuf *buf, int first, int64_t value)
{
    char text[32];
    int n = snprintf(text, sizeof text, "%" PRId64, value);
    if (separator(buf, first) != FM_OK)
        return FM_ENOMEM;
    return fm_copybuf_append(buf, text, (size_t)n);
}

fm_status fm_copybuf_end_row(fm_copybuf *buf)
{
    if (put_char(buf, '\n') != FM_OK)
        return FM_ENOMEM;
    buf->rows++;
    return FM_OK;
}

fm_copyrow fm_copyrow_start(fm_copybuf *buf)
{
    return (fm_copyrow){.buf = buf, .first = 1, .st = FM_OK};
}

void fm_copyrow_text(fm_copyrow *r, const char *text)
{
    if (r->st == FM_OK)
        r->st = fm_copybuf_text_field(r->buf, r->first, text);
    r->first = 0;
}

void fm_copyrow_null(fm_copyrow *r)
{
    fm_copyrow_text(r, NULL);
}

void fm_copyrow_int(fm_copyrow *r, int64_t value)
{
    if (r->st == FM_OK)
        r->st = fm_copybuf_int_field(r->buf, r->first, value);
    r->first = 0;
}

void fm_copyrow_date(fm_copyrow *r, fm_date d)
{
    char text[FM_DATE_TEXT_LEN];
    if (r->st == FM_OK && fm_date_format(d, text, sizeof text) != FM_OK)
        r->st = FM_EINVAL;
    fm_copyrow_text(r, r->st == FM_OK ? text : NULL);
}

void fm_copyrow_owned(fm_copyrow *r, char *text)
{
    if (text == NULL && r->st == FM_OK)
        r->st = FM_ENOMEM;
    fm_copyrow_text(r, text);
    free(text);
}

fm_status fm_copyrow_end(fm_copyrow *r)
{
    if (r->st == FM_OK)
        r->st = fm_copybuf_end_row(r->buf);
    return r->st;
}

fm_status fm_copybuf_array_item(fm_copybuf *buf, const char *text)
{
    if (put_char(buf, buf->len == 0 ? '{' : ',') != FM_OK || put_char(buf, '"') != FM_OK)
        return FM_ENOMEM;
    for (const char *p = text; *p; p++) {
        if ((*p == '"' || *p == '\\') && put_char(buf, '\\') != FM_OK)
            return FM_ENOMEM;
        if (put_char(buf, *p) != FM_OK)
            return FM_ENOMEM;
    }
    buf->rows++;
    return put_char(buf, '"');
}

fm_status fm_copybuf_array_int(fm_copybuf *buf, int64_t value)
{
    char text[32];
    int n = snprintf(text, sizeof text, "%" PRId64, value);
    if (put_char(buf, buf->len == 0 ? '{' : ',') != FM_OK)
        return FM_ENOMEM;
    buf->rows++;
    return fm_copybuf_append(buf, text, (size_t)n);
}

fm_status fm_copybuf_array_close(fm_copybuf *buf)
{
    if (buf->len == 0)
        return fm_copybuf_append(buf, "{}", 2);
    return put_char(buf, '}');
}

/* libpq messages end with (and may hold) newlines; log lines want one line. */
/* The SQLSTATE as the code, the server's primary message as the text (fm_pg_result_text). */
static void set_pg_error(fm_error *err, const PGconn *conn, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    char msg[256];
    fm_pg_result_text(conn, res, msg, sizeof msg);
    fm_error_set(err, "", state ? state : "PG_ERROR", "%s", msg);
}

static int put_copy_data(PGconn *conn, const char *data, int len, void *ctx)
{
    (void)ctx;
    return PQputCopyData(conn, data, len);
}

fm_status fm_copybuf_send(PGconn *conn, const char *copy_sql, const fm_copybuf *buf, fm_error *err)
{
    return fm_copybuf_send_io(conn, copy_sql, buf, NULL, err);
}

fm_status fm_copybuf_send_io(PGconn *conn, const char *copy_sql, const fm_copybuf *buf, const fm_copy_io *io,
                             fm_error *err)
{
    if (buf->rows == 0)
        return FM_OK;
    size_t chunk = io != NULL && io->chunk > 0 ? io->chunk : FM_COPYBUF_CHUNK;
    if (chunk > INT_MAX)
        chunk = INT_MAX;
    int (*put)(PGconn *, const char *, int, void *) = io != NULL && io->put != NULL ? io->put : put_copy_data;
    void *ctx = io != NULL ? io->ctx : NULL;

    PGresult *res = PQexec(conn, copy_sql);
    if (res == NULL || PQresultStatus(res) != PGRES_COPY_IN) {
        set_pg_error(err, conn, res);
        PQclear(res);
        return FM_EDB;
    }
    PQclear(res);
    /* Every byte, a chunk at a time. A chunk not sent ends the COPY with an error message: the server then
     * refuses the whole COPY (and so the transaction), never a part of it. */
    int ok = 1;
    for (size_t at = 0; ok && at < buf->len; at += chunk) {
        size_t n = buf->len - at < chunk ? buf->len - at : chunk;
        ok = put(conn, buf->data + at, (int)n, ctx) == 1;
    }
    int ended = PQputCopyEnd(conn, ok ? NULL : "famins: could not send all the COPY data") == 1;
    fm_status st = FM_OK;
    int stored_all = 0;
    while ((res = PQgetResult(conn)) != NULL) {
        if (PQresultStatus(res) == PGRES_COPY_IN) {
            /* The end was never sent (the connection failed under it): libpq would answer COPY_IN for ever.
             * The caller's FM_EDB makes the connection anew. */
            PQclear(res);
            if (st == FM_OK)
                set_pg_error(err, conn, NULL);
            st = FM_EDB;
            break;
        }
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            if (st == FM_OK)
                set_pg_error(err, conn, res);
            st = FM_EDB;
        } else {
            /* "COPY n": the server's count of the rows it stored, checked against the rows built. */
            char *end = NULL;
            unsigned long long stored = strtoull(PQcmdTuples(res), &end, 10);
            stored_all = end != NULL && *end == '\0' && end != PQcmdTuples(res) && stored == buf->rows;
            if (!stored_all && st == FM_OK) {
                fm_error_set(err, "", "COPY_ROW_COUNT", "COPY stored %s rows of %zu", PQcmdTuples(res),
                             buf->rows);
                st = FM_EDB;
            }
        }
        PQclear(res);
    }
    if (st == FM_OK && (!ok || !ended || !stored_all)) {
        set_pg_error(err, conn, NULL);
        if (err != NULL && err->text[0] == '\0')
            fm_error_set(err, "", "PG_ERROR", "the COPY data could not be sent");
        st = FM_EDB;
    }
    return st;
}
