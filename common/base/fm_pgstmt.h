/* fm_pgstmt.h — one statement's text parameters (arrays too), its run with error classes, and a session's
 * prepared statements. */
#ifndef FM_PGSTMT_H
#define FM_PGSTMT_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fm_error.h"

#define FM_PG_MAX_PARAMS 64

/* Text parameters of one statement. Values are borrowed (str) or owned (arrays, numbers): fm_pg_params_free
 * frees what it owns. A zero-initialised struct is empty. A failed add leaves `failed` set; fm_pg_run then
 * returns FM_ENOMEM, so callers add without checking each call. */
typedef struct fm_pg_params {
    const char *values[FM_PG_MAX_PARAMS];
    char *owned[FM_PG_MAX_PARAMS];
    int n;
    bool failed;
} fm_pg_params;

void fm_pg_p_str(fm_pg_params *p, const char *s); /* NULL: SQL NULL */
void fm_pg_p_own(fm_pg_params *p, char *s);       /* takes a malloc'ed value (NULL: allocation failed) */
void fm_pg_p_i64(fm_pg_params *p, int64_t v);
void fm_pg_p_bool(fm_pg_params *p, bool v);
/* Array literals: text[] (with quoting; a NULL item is ""), bigint[], boolean[]. */
void fm_pg_p_text_array(fm_pg_params *p, const char *const *items, size_t n);
void fm_pg_p_i64_array(fm_pg_params *p, const int64_t *items, size_t n);
void fm_pg_p_bool_array(fm_pg_params *p, const bool *items, size_t n);
/* The same with NULL elements: a NULL item, or one whose has[i] is false. */
void fm_pg_p_text_array_nulls(fm_pg_params *p, const char *const *items, size_t n);
void fm_pg_p_i64_array_nulls(fm_pg_params *p, const int64_t *items, const bool *has, size_t n);
void fm_pg_params_free(fm_pg_params *p);

/* The text[] literal of items ("{\"a\",\"b\\\"c\"}"), malloc'ed; NULL on allocation failure. Pure. */
char *fm_pg_text_array_literal(const char *const *items, size_t n);
/* The bigint[] literal of items ("{1,-2,NULL}"; has NULL: every item present), malloc'ed; NULL on allocation
 * failure. Pure. */
char *fm_pg_i64_array_literal(const int64_t *items, const bool *has, size_t n);

/*
 * Runs sql with p's parameters (p may be NULL) on conn (inside the caller's transaction). On FM_OK *out
 * (may be NULL when the caller needs no rows) is the result, owned by the caller (PQclear).
 * Errors as fm_pg_query's, err->code the SQLSTATE ("CONNECTION_LOST" or "PG_ERROR" without one):
 *   FM_EDB     anything a batch may redo, a refused row too (classes 22 and 23: a worker's runtime
 *              classifies it by err->code, see fm_worker.h's end_batch);
 *   FM_ECONFIG a missing privilege or object (class 42): the deployment is wrong, redoing cannot help;
 *   FM_ENOMEM  parameters that could not be built.
 * err->text holds the server's primary message only (fm_pg_result_text).
 */
fm_status fm_pg_run(PGconn *conn, const char *sql, fm_pg_params *p, PGresult **out, fm_error *err);

#define FM_PG_STMTS_MAX 16

/* Which statements the current session has prepared, by the caller's numbers 0..FM_PG_STMTS_MAX-1. Plain
 * data, owned by the caller (one per worker); a zero-initialised cache is empty. It notices a new session
 * (another connection or backend) by itself. */
typedef struct fm_pg_stmts {
    const PGconn *conn;
    int backend_pid;
    bool prepared[FM_PG_STMTS_MAX];
} fm_pg_stmts;

/* As fm_pg_run, through statement number id ("fm_stmt_<id>"), prepared with sql on first use in this session
 * (cache NULL or id out of range: not prepared). One numbering per connection. Preparing is not undone by a
 * rollback, so a redone batch finds it still there; a session that lost it anyway (SQLSTATE 26000) gives
 * FM_EDB and an emptied cache, and the redo prepares again. */
fm_status fm_pg_run_prepared(PGconn *conn, fm_pg_stmts *cache, int id, const char *sql, fm_pg_params *p,
                             PGresult **out, fm_error *err);

/* A column by name of row `row` of res; SQL NULL (or no such column) reads as the default. */
bool fm_pg_col_null(const PGresult *res, int row, const char *name);
const char *fm_pg_col_str(const PGresult *res, int row, const char *name); /* "" for NULL */
int64_t fm_pg_col_i64(const PGresult *res, int row, const char *name);     /* 0 for NULL */

#endif
