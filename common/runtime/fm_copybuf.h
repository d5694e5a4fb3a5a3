/* fm_copybuf.h — rows for PostgreSQL COPY (text format) and array literals, built in memory. */
#ifndef FM_COPYBUF_H
#define FM_COPYBUF_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "fm_error.h"
#include "fm_model.h"

/* A growable byte buffer. Zero-initialise ({0}) to start; fm_copybuf_free releases it. Append
 * functions return FM_ENOMEM (buffer unchanged in length meaning: the row being built is incomplete, the
 * caller discards the whole buffer) or FM_OK. */
typedef struct fm_copybuf {
    char *data;
    size_t len;
    size_t cap;
    size_t rows; /* rows ended with fm_copybuf_end_row */
} fm_copybuf;

void fm_copybuf_reset(fm_copybuf *buf); /* empties, keeps the memory */
void fm_copybuf_free(fm_copybuf *buf);

fm_status fm_copybuf_append(fm_copybuf *buf, const void *bytes, size_t len);

/* COPY text format (one row per line, fields separated by tabs): each *_field appends a field, preceded by
 * a tab unless it is the row's first; fm_copybuf_end_row ends the line. */
fm_status fm_copybuf_text_field(fm_copybuf *buf, int first, const char *text); /* NULL: \N */
fm_status fm_copybuf_bytea_field(fm_copybuf *buf, int first, const void *bytes, size_t len, int is_null);
fm_status fm_copybuf_int_field(fm_copybuf *buf, int first, int64_t value);
fm_status fm_copybuf_end_row(fm_copybuf *buf);

/* One COPY row built field by field, in column order: r = fm_copyrow_start(buf), a call per column, then
 * fm_copyrow_end(&r). The first status that is not FM_OK is kept in r.st; every later call (fm_copyrow_end
 * included) then appends nothing. A failed row is left half-built at the end of buf (and not counted in
 * buf->rows): the caller discards the whole buffer. The row borrows buf, which the caller owns. */
typedef struct fm_copyrow {
    fm_copybuf *buf;
    int first;    /* no field appended yet */
    fm_status st; /* the first failure, FM_OK until one */
} fm_copyrow;

fm_copyrow fm_copyrow_start(fm_copybuf *buf);
void fm_copyrow_text(fm_copyrow *r, const char *text); /* NULL: \N */
void fm_copyrow_null(fm_copyrow *r);                   /* \N */
void fm_copyrow_int(fm_copyrow *r, int64_t value);
/* "YYYY-MM-DD"; a date fm_date_format refuses (year outside 1..9999) fails the row with FM_EINVAL. */
void fm_copyrow_date(fm_copyrow *r, fm_date d);
/* text, which the row takes and frees (after the append or on failure); NULL (the caller's allocation of
 * it failed) fails the row with FM_ENOMEM. */
void fm_copyrow_owned(fm_copyrow *r, char *text);
/* Ends the line (buf->rows counts it); r->st: FM_OK, or the first failure (FM_ENOMEM, FM_EINVAL). */
fm_status fm_copyrow_end(fm_copyrow *r);

/* A text[] literal: {"a","b\"c"}. Call fm_copybuf_array_item for each element after an empty buffer, then
 * fm_copybuf_array_close; the result is NUL-terminated text. */
fm_status fm_copybuf_array_item(fm_copybuf *buf, const char *text);
fm_status fm_copybuf_array_int(fm_copybuf *buf, int64_t value);
fm_status fm_copybuf_array_close(fm_copybuf *buf);

/* The most bytes one PQputCopyData call is given: libpq takes an int length, and a buffer of 2 GiB or more
 * cast to int sent nothing at all (a COPY of no rows that "succeeded"). */
#define FM_COPYBUF_CHUNK ((size_t)1 << 20)

/* How fm_copybuf_send_io hands the data to libpq. put has PQputCopyData's contract (1: queued; anything
 * else: not sent); tests shrink chunk (1..INT_MAX) and make put fail. */
typedef struct fm_copy_io {
    size_t chunk;
    int (*put)(PGconn *conn, const char *data, int len, void *ctx);
    void *ctx;
} fm_copy_io;

/* Sends buf's rows with copy_sql ("COPY t (cols) FROM STDIN") on conn, inside the caller's transaction, in
 * chunks of FM_COPYBUF_CHUNK bytes, every call's result checked. Nothing is sent for an empty buffer.
 * FM_OK only when the server stored exactly buf->rows rows. FM_EDB with err otherwise: the server's error
 * (err->code its SQLSTATE), a chunk not sent (the COPY is then ended with an error, so nothing of it is
 * stored), or COPY_ROW_COUNT when the server counted other than buf->rows rows. On FM_EDB the transaction
 * is aborted, except after COPY_ROW_COUNT: the caller fails its batch either way, so positions never commit
 * without the rows. */
fm_status fm_copybuf_send(PGconn *conn, const char *copy_sql, const fm_copybuf *buf, fm_error *err);

/* fm_copybuf_send with io's chunk size and put function (NULL: FM_COPYBUF_CHUNK and PQputCopyData). */
fm_status fm_copybuf_send_io(PGconn *conn, const char *copy_sql, const fm_copybuf *buf, const fm_copy_io *io,
                             fm_error *err);

#endif
