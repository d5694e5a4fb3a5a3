/* fm_pg.c — PostgreSQL connections that come back: connect and reconnect with bounded backoff. */
#include "fm_pg.h"

#include <string.h>
#include <time.h>

int fm_backoff_delay_ms(const fm_backoff *b, int attempt)
{
    if (attempt < 1 || b->initial_ms <= 0)
        return 0;
    long long delay = b->initial_ms;
    for (int i = 1; i < attempt && delay < b->max_ms; i++)
        delay *= 2;
    if (delay > b->max_ms)
        delay = b->max_ms;
    return (int)delay;
}

void fm_sleep_ms(int ms, const volatile sig_atomic_t *stop)
{
    while (ms > 0 && (stop == NULL || !*stop)) {
        int step = ms < 50 ? ms : 50;
        struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)step * 1000000L};
        nanosleep(&ts, NULL);
        ms -= step;
    }
}

/* libpq messages end with a newline; logs want one line. */
static void copy_message(char *dst, size_t len, const char *msg)
{
    snprintf(dst, len, "%s", msg ? msg : "");
    size_t n = strlen(dst);
    while (n > 0 && (dst[n - 1] == '\n' || dst[n - 1] == ' '))
        dst[--n] = '\0';
    for (char *p = dst; *p; p++)
        if (*p == '\n')
            *p = ' ';
}

void fm_pg_result_text(const PGconn *conn, const PGresult *res, char *dst, size_t len)
{
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (primary == NULL) {
        copy_message(dst, len, res ? PQresultErrorMessage(res) : conn ? PQerrorMessage(conn) : "no result");
        if (dst[0] == '\0')
            copy_message(dst, len, conn ? PQerrorMessage(conn) : "no result");
        return;
    }
    const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY);
    char text[512];
    snprintf(text, sizeof text, "%s: %s", severity ? severity : "ERROR", primary);
    copy_message(dst, len, text);
}

fm_status fm_pg_connect(const char *dsn, const fm_backoff *backoff, const volatile sig_atomic_t *stop,
                        const fm_logger *logger, PGconn **out, fm_error *err)
{
    char last[256] = "";
    for (int attempt = 0; backoff->max_attempts == 0 || attempt < backoff->max_attempts; attempt++) {
        if (stop != NULL && *stop)
            break;
        if (attempt > 0)
            fm_sleep_ms(fm_backoff_delay_ms(backoff, attempt), stop);
        PGconn *conn = PQconnectdb(dsn);
        if (conn != NULL && PQstatus(conn) == CONNECTION_OK) {
            if (attempt > 0)
                fm_log(logger, FM_LOG_INFO, "pg_connected", "attempts=%d", attempt + 1);
            *out = conn;
            return FM_OK;
        }
        copy_message(last, sizeof last, conn ? PQerrorMessage(conn) : "out of memory");
        PQfinish(conn);
        fm_log(logger, FM_LOG_WARN, "pg_connect_failed", "attempt=%d error=\"%s\"", attempt + 1, last);
    }
    fm_error_set(err, "", "PG_UNREACHABLE", "cannot connect to PostgreSQL: %s", last[0] ? last : "stopped");
    return FM_EDB;
}

fm_status fm_pg_ensure(PGconn **conn, const char *dsn, const fm_backoff *backoff,
                       const volatile sig_atomic_t *stop, const fm_logger *logger, fm_error *err)
{
    if (*conn != NULL && PQstatus(*conn) == CONNECTION_OK)
        return FM_OK;
    PQfinish(*conn);
    *conn = NULL;
    return fm_pg_connect(dsn, backoff, stop, logger, conn, err);
}

static fm_status result_status(PGconn *conn, PGresult *res, fm_error *err)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return FM_OK;
    char msg[256];
    fm_pg_result_text(conn, res, msg, sizeof msg);
    const char *sqlstate = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    fm_error_set(err, "", sqlstate ? sqlstate : "PG_ERROR", "%s", msg);
    return FM_EDB;
}

fm_status fm_pg_exec(PGconn *conn, const char *sql, fm_error *err)
{
    PGresult *res = PQexec(conn, sql);
    fm_status st = result_status(conn, res, err);
    PQclear(res);
    return st;
}

fm_status fm_pg_query(PGconn *conn, const char *sql, int nparams, const char *const *params, PGresult **out,
                      fm_error *err)
{
    PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
    fm_status st = result_status(conn, res, err);
    if (st != FM_OK) {
        PQclear(res);
        return st;
    }
    *out = res;
    return FM_OK;
}

/* Appends " keyword=value" to out at *at, quoting the value when libpq would otherwise split or misread it.
 * 0 when it does not fit. */
static int append_option(char *out, size_t len, size_t *at, const char *keyword, const char *value)
{
    int quote = value[0] == '\0' || strpbrk(value, " \t\n\r\f\v'\\") != NULL;
    int n = snprintf(out + *at, len - *at, "%s%s=%s", *at > 0 ? " " : "", keyword, quote ? "'" : "");
    if (n < 0 || (size_t)n >= len - *at)
        return 0;
    *at += (size_t)n;
    for (const char *p = value; *p; p++) {
        size_t need = (quote && (*p == '\'' || *p == '\\')) ? 2 : 1;
        if (*at + need >= len)
            return 0;
        if (need == 2)
            out[(*at)++] = '\\';
        out[(*at)++] = *p;
    }
    if (quote) {
        if (*at + 1 >= len)
            return 0;
        out[(*at)++] = '\'';
    }
    out[*at] = '\0';
    return 1;
}

fm_status fm_pg_role_dsn(const char *own_dsn, const char *base_dsn, const char *role, char *out, size_t len)
{
    if (len == 0)
        return FM_EINVAL;
    out[0] = '\0';
    if (own_dsn != NULL && own_dsn[0] != '\0') {
        int n = snprintf(out, len, "%s", own_dsn);
        return (n < 0 || (size_t)n >= len) ? FM_EINVAL : FM_OK;
    }
    /* Parsed, not pasted: a URI or a quoted value is read as libpq reads it, and the admin's user and
     * password are left out rather than overridden (the role's password comes from a passfile, never the
     * admin's). */
    PQconninfoOption *opts =
        PQconninfoParse(base_dsn != NULL && base_dsn[0] != '\0' ? base_dsn : FM_PG_DEFAULT_SERVER, NULL);
    if (opts == NULL)
        return FM_EINVAL;
    size_t at = 0;
    int ok = 1;
    for (const PQconninfoOption *o = opts; ok && o->keyword != NULL; o++)
        if (o->val != NULL && strcmp(o->keyword, "user") != 0 && strcmp(o->keyword, "password") != 0)
            ok = append_option(out, len, &at, o->keyword, o->val);
    PQconninfoFree(opts);
    if (ok)
        ok = append_option(out, len, &at, "user", role);
    if (!ok)
        out[0] = '\0';
    return ok ? FM_OK : FM_EINVAL;
}

int fm_pg_connection_lost(const PGconn *conn)
{
    return conn == NULL || PQstatus(conn) != CONNECTION_OK;
}
