/* session_itest.c — a worker's PostgreSQL session has the settings fm_worker_session_dsn promises, as the
 * server sees them: libpq parses the options string and the server applies both -c settings (JIT off, the
 * idle-in-transaction timeout) and the application name. Exit 0 when every check holds; prints the failed
 * check otherwise. Needs FAMINS_PG_DSN (key=value form, as the local stack gives it). */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fm_worker.h"

static int failures = 0;

/* One setting of the session, compared as text. */
static void check_setting(PGconn *conn, const char *name, const char *expected)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SHOW %s", name);
    PGresult *res = PQexec(conn, sql);
    const char *got = PQresultStatus(res) == PGRES_TUPLES_OK ? PQgetvalue(res, 0, 0) : PQerrorMessage(conn);
    if (strcmp(got, expected) != 0) {
        fprintf(stderr, "FAIL: %s is '%s', expected '%s'\n", name, got, expected);
        failures++;
    } else {
        fprintf(stderr, "ok: %s = %s\n", name, got);
    }
    PQclear(res);
}

int main(void)
{
    const char *base = getenv("FAMINS_PG_DSN");
    if (base == NULL || strncmp(base, "postgres", 8) == 0) {
        fprintf(stderr, "FAIL: FAMINS_PG_DSN must be set, in key=value form\n");
        return 1;
    }
    char *dsn = fm_worker_session_dsn(base, "session-test", 4321);
    if (dsn == NULL)
        return 1;
    PGconn *conn = PQconnectdb(dsn);
    free(dsn);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "FAIL: connect: %s", PQerrorMessage(conn));
        PQfinish(conn);
        return 1;
    }
    check_setting(conn, "jit", "off");
    check_setting(conn, "idle_in_transaction_session_timeout", "4321ms");
    check_setting(conn, "application_name", "famins-session-test");
    PQfinish(conn);
    return failures == 0 ? 0 : 1;
}
