/* adj_sql.h — parameter lists and statement execution for the adjudicator's SQL, with error classes. */
#ifndef ADJ_SQL_H
#define ADJ_SQL_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fm_error.h"
#include "fm_model.h"

#define ADJ_SQL_MAX_PARAMS 64

/* Text parameters of one statement. Values are borrowed (str) or owned (arrays, numbers): adj_params_free
 * frees what it owns. A zero-initialised struct is empty. A failed add leaves `failed` set; adj_sql_run then
 * returns FM_ENOMEM, so callers add without checking each call. */
typedef struct adj_params {
    const char *values[ADJ_SQL_MAX_PARAMS];
    char *owned[ADJ_SQL_MAX_PARAMS];
    int n;
    bool failed;
} adj_params;

void adj_p_str(adj_params *p, const char *s);         /* NULL: SQL NULL */
void adj_p_own(adj_params *p, char *s);               /* takes a malloc'ed value (NULL: allocation failed) */
void adj_p_i64(adj_params *p, int64_t v);
void adj_p_bool(adj_params *p, bool v);
void adj_p_date(adj_params *p, fm_date d);            /* "YYYY-MM-DD" */
/* Array literals: text[] (with quoting), bigint[], boolean[]. */
void adj_p_text_array(adj_params *p, const char *const *items, size_t n);
void adj_p_i64_array(adj_params *p, const int64_t *items, size_t n);
void adj_p_bool_array(adj_params *p, const bool *items, size_t n);
void adj_params_free(adj_params *p);

/* The text[] literal of items ("{\"a\",\"b\\\"c\"}"), malloc'ed; NULL on allocation failure. Pure. */
char *adj_text_array_literal(const char *const *items, size_t n);

/*
 * Runs sql with p's parameters on conn (inside the caller's transaction). On FM_OK *out (may be NULL when
 * the caller needs no rows) is the result, owned by the caller (PQclear). Errors as fm_pg_query's, err->code
 * the SQLSTATE ("CONNECTION_LOST" or "PG_ERROR" without one):
 *   FM_EDB     anything the batch may redo, a refused row too (classes 22 and 23: the runtime classifies it
 *              by err->code, see fm_worker.h's end_batch);
 *   FM_ECONFIG a missing privilege or object (class 42): the deployment is wrong, the worker stops;
 *   FM_ENOMEM.
 * err->text holds the server's message (which never holds an identity number: none is ever a parameter).
 */
fm_status adj_sql_run(PGconn *conn, const char *sql, adj_params *p, PGresult **out, fm_error *err);

/* Statements worth preparing once per connection (the ones every batch runs). */
typedef enum adj_stmt {
    ADJ_STMT_LOAD_CLAIMS = 0,
    ADJ_STMT_LOAD_BILLS,
    ADJ_STMT_FACTS,
    ADJ_STMT_INVOICES,
    ADJ_STMT_REVIEWS,
    ADJ_STMT_UPDATE_CLAIMS,
    ADJ_STMT_PERSON_USAGE,
    ADJ_STMT_HOUSEHOLD,
    ADJ_STMT_COUNT
} adj_stmt;

/* Which statements the current session has prepared. Plain data, owned by the caller (one per worker); a
 * zero-initialised cache is empty. It notices a new session (another connection or backend) by itself. */
typedef struct adj_sql_cache {
    const PGconn *conn;
    int backend_pid;
    bool prepared[ADJ_STMT_COUNT];
} adj_sql_cache;

/* As adj_sql_run, through a statement prepared on first use in this session (cache NULL: not prepared).
 * Preparing is not undone by a rollback, so a redone batch finds it still there; a session that lost it
 * anyway (SQLSTATE 26000) gives FM_EDB and an emptied cache, and the redo prepares again. */
fm_status adj_sql_run_stmt(PGconn *conn, adj_sql_cache *cache, adj_stmt id, const char *sql, adj_params *p,
                           PGresult **out, fm_error *err);

/* Reads a column by name from row 0.. of res; NULL-safe helpers with a default for SQL NULL. */
bool adj_col_null(const PGresult *res, int row, const char *name);
const char *adj_col_str(const PGresult *res, int row, const char *name); /* "" for NULL */
int64_t adj_col_i64(const PGresult *res, int row, const char *name);     /* 0 for NULL */
bool adj_col_bool(const PGresult *res, int row, const char *name);       /* false for NULL */

#endif
