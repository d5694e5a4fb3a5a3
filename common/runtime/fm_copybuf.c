/* fm_copybuf.c — rows for PostgreSQL COPY (text format) and array literals, built in memory. */
#include "fm_copybuf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
static void set_pg_error(fm_error *err, const char *state, const char *msg)
{
    fm_error_set(err, "", state ? state : "PG_ERROR", "%s", msg ? msg : "");
    if (err == NULL)
        return;
    for (char *p = err->text; *p; p++)
        if (*p == '\n' || *p == '\t')
            *p = ' ';
    size_t n = strlen(err->text);
    while (n > 0 && err->text[n - 1] == ' ')
        err->text[--n] = '\0';
}

fm_status fm_copybuf_send(PGconn *conn, const char *copy_sql, const fm_copybuf *buf, fm_error *err)
{
    if (buf->rows == 0)
        return FM_OK;
    PGresult *res = PQexec(conn, copy_sql);
    if (res == NULL || PQresultStatus(res) != PGRES_COPY_IN) {
        set_pg_error(err, res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL,
                     res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
        PQclear(res);
        return FM_EDB;
    }
    PQclear(res);
    int ok = PQputCopyData(conn, buf->data, (int)buf->len) == 1;
    ok = PQputCopyEnd(conn, ok ? NULL : "famins: could not send COPY data") == 1 && ok;
    fm_status st = FM_OK;
    while ((res = PQgetResult(conn)) != NULL) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && st == FM_OK) {
            set_pg_error(err, PQresultErrorField(res, PG_DIAG_SQLSTATE), PQresultErrorMessage(res));
            st = FM_EDB;
        }
        PQclear(res);
    }
    if (st == FM_OK && !ok) {
        set_pg_error(err, NULL, PQerrorMessage(conn));
        st = FM_EDB;
    }
    return st;
}
