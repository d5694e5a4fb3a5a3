/* fm_pgstmt.c — one statement's text parameters (arrays too), its run with error classes, and a session's
 * prepared statements. */
#include "fm_pgstmt.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fm_pg.h"

void fm_pg_p_own(fm_pg_params *p, char *s)
{
    if (s == NULL || p->n >= FM_PG_MAX_PARAMS) {
        free(s);
        p->failed = true;
        return;
    }
    p->owned[p->n] = s;
    p->values[p->n++] = s;
}

void fm_pg_p_str(fm_pg_params *p, const char *s)
{
    if (p->n >= FM_PG_MAX_PARAMS) {
        p->failed = true;
        return;
    }
    p->owned[p->n] = NULL;
    p->values[p->n++] = s;
}

void fm_pg_p_i64(fm_pg_params *p, int64_t v)
{
    char *s = malloc(24);
    if (s != NULL)
        snprintf(s, 24, "%" PRId64, v);
    fm_pg_p_own(p, s);
}

void fm_pg_p_bool(fm_pg_params *p, bool v)
{
    fm_pg_p_str(p, v ? "t" : "f");
}

/* The text[] literal of items; a NULL item is "" or, with nulls, a NULL element. */
static char *text_array(const char *const *items, size_t n, bool nulls)
{
    size_t len = 3;
    for (size_t i = 0; i < n; i++)
        len += 5 + 2 * strlen(items[i] ? items[i] : "");
    char *s = malloc(len), *w = s;
    if (s == NULL)
        return NULL;
    *w++ = '{';
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            *w++ = ',';
        if (nulls && items[i] == NULL) {
            memcpy(w, "NULL", 4);
            w += 4;
            continue;
        }
        *w++ = '"';
        /* Inside a quoted element only '"' and '\' need a backslash. */
        for (const char *r = items[i] ? items[i] : ""; *r; r++) {
            if (*r == '"' || *r == '\\')
                *w++ = '\\';
            *w++ = *r;
        }
        *w++ = '"';
    }
    *w++ = '}';
    *w = '\0';
    return s;
}

char *fm_pg_text_array_literal(const char *const *items, size_t n)
{
    return text_array(items, n, false);
}

char *fm_pg_i64_array_literal(const int64_t *items, const bool *has, size_t n)
{
    char *s = malloc(3 + n * 22), *w = s;
    if (s == NULL)
        return NULL;
    *w++ = '{';
    for (size_t i = 0; i < n; i++) {
        if (has != NULL && !has[i])
            w += snprintf(w, 23, "%sNULL", i ? "," : "");
        else
            w += snprintf(w, 23, "%s%" PRId64, i ? "," : "", items[i]);
    }
    *w++ = '}';
    *w = '\0';
    return s;
}

void fm_pg_p_text_array(fm_pg_params *p, const char *const *items, size_t n)
{
    fm_pg_p_own(p, text_array(items, n, false));
}

void fm_pg_p_text_array_nulls(fm_pg_params *p, const char *const *items, size_t n)
{
    fm_pg_p_own(p, text_array(items, n, true));
}

void fm_pg_p_i64_array(fm_pg_params *p, const int64_t *items, size_t n)
{
    fm_pg_p_own(p, fm_pg_i64_array_literal(items, NULL, n));
}

void fm_pg_p_i64_array_nulls(fm_pg_params *p, const int64_t *items, const bool *has, size_t n)
{
    fm_pg_p_own(p, fm_pg_i64_array_literal(items, has, n));
}

void fm_pg_p_bool_array(fm_pg_params *p, const bool *items, size_t n)
{
    char *s = malloc(3 + 2 * n), *w = s;
    if (s != NULL) {
        *w++ = '{';
        for (size_t i = 0; i < n; i++) {
            if (i > 0)
                *w++ = ',';
            *w++ = items[i] ? 't' : 'f';
        }
        *w++ = '}';
        *w = '\0';
    }
    fm_pg_p_own(p, s);
}

void fm_pg_params_free(fm_pg_params *p)
{
    for (int i = 0; i < p->n; i++)
        free(p->owned[i]);
    memset(p, 0, sizeof *p);
}

/* Classifies res (consumed). */
static fm_status finish(PGconn *conn, PGresult *res, PGresult **out, fm_error *err);

fm_status fm_pg_run(PGconn *conn, const char *sql, fm_pg_params *p, PGresult **out, fm_error *err)
{
    if (out != NULL)
        *out = NULL;
    if (p != NULL && p->failed) {
        fm_error_set(err, "sql", FM_NO_MEMORY, "out of memory building parameters");
        return FM_ENOMEM;
    }
    return finish(conn, PQexecParams(conn, sql, p ? p->n : 0, NULL, p ? p->values : NULL, NULL, NULL, 0), out,
                  err);
}

fm_status fm_pg_run_prepared(PGconn *conn, fm_pg_stmts *cache, int id, const char *sql, fm_pg_params *p,
                             PGresult **out, fm_error *err)
{
    if (cache == NULL || id < 0 || id >= FM_PG_STMTS_MAX)
        return fm_pg_run(conn, sql, p, out, err);
    if (out != NULL)
        *out = NULL;
    if (p != NULL && p->failed) {
        fm_error_set(err, "sql", FM_NO_MEMORY, "out of memory building parameters");
        return FM_ENOMEM;
    }
    int pid = PQbackendPID(conn);
    if (cache->conn != conn || cache->backend_pid != pid) {
        memset(cache, 0, sizeof *cache);
        cache->conn = conn;
        cache->backend_pid = pid;
    }
    char name[24];
    snprintf(name, sizeof name, "fm_stmt_%d", (int)id);
    fm_status st;
    if (!cache->prepared[id]) {
        if ((st = finish(conn, PQprepare(conn, name, sql, 0, NULL), NULL, err)) != FM_OK)
            return st;
        cache->prepared[id] = true;
    }
    st =
        finish(conn, PQexecPrepared(conn, name, p ? p->n : 0, p ? p->values : NULL, NULL, NULL, 0), out, err);
    if (st != FM_OK && err != NULL && strcmp(err->code, "26000") == 0)
        memset(cache, 0, sizeof *cache);
    return st;
}

static fm_status finish(PGconn *conn, PGresult *res, PGresult **out, fm_error *err)
{
    ExecStatusType rs = PQresultStatus(res);
    if (rs == PGRES_COMMAND_OK || rs == PGRES_TUPLES_OK) {
        if (out != NULL)
            *out = res;
        else
            PQclear(res);
        return FM_OK;
    }
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    char msg[256];
    fm_pg_result_text(conn, res, msg, sizeof msg);
    /* As fm_pg_query: err->code the SQLSTATE, and the runtime classifies a refused row (classes 22, 23). Only
     * a missing privilege or object (class 42) is told apart here: redoing cannot mend a deployment. */
    fm_status st = FM_EDB;
    if (PQstatus(conn) != CONNECTION_BAD && state != NULL && strncmp(state, "42", 2) == 0)
        st = FM_ECONFIG;
    fm_error_set(err, "",
                 state                              ? state
                 : PQstatus(conn) == CONNECTION_BAD ? "CONNECTION_LOST"
                                                    : "PG_ERROR",
                 "%s", msg);
    PQclear(res);
    return st;
}

static int col(const PGresult *res, const char *name)
{
    return PQfnumber(res, name);
}

bool fm_pg_col_null(const PGresult *res, int row, const char *name)
{
    int c = col(res, name);
    return c < 0 || PQgetisnull(res, row, c);
}

const char *fm_pg_col_str(const PGresult *res, int row, const char *name)
{
    int c = col(res, name);
    return c < 0 || PQgetisnull(res, row, c) ? "" : PQgetvalue(res, row, c);
}

int64_t fm_pg_col_i64(const PGresult *res, int row, const char *name)
{
    int c = col(res, name);
    return c < 0 || PQgetisnull(res, row, c) ? 0 : strtoll(PQgetvalue(res, row, c), NULL, 10);
}
