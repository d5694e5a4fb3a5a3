/* report_access.c — which managing units the report's role may read: the whole city or one district. */
#include "report_access.h"

#include <stdio.h>
#include <string.h>

#include "fm_pg.h"

fm_status report_scope_read(PGconn *conn, report_scope *out, fm_error *err)
{
    PGresult *res = NULL;
    fm_status st = fm_pg_query(conn, "SELECT login, all_units, managing_unit FROM famins_report.caller_scope",
                               0, NULL, &res, err);
    if (st != FM_OK)
        return st;
    if (PQntuples(res) != 1 || PQnfields(res) != 3) {
        fm_error_set(err, "famins_report.caller_scope", "NO_SCOPE",
                     "the database did not say what this role may read");
        PQclear(res);
        return FM_EDB;
    }
    report_scope s;
    memset(&s, 0, sizeof s);
    snprintf(s.login, sizeof s.login, "%s", PQgetvalue(res, 0, 0));
    s.all_units = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
    if (!PQgetisnull(res, 0, 2))
        snprintf(s.unit, sizeof s.unit, "%s", PQgetvalue(res, 0, 2));
    PQclear(res);
    *out = s;
    return FM_OK;
}

fm_status report_scope_unit(const report_scope *scope, const char *requested, const char **out, fm_error *err)
{
    if (scope->all_units) {
        *out = requested;
        return FM_OK;
    }
    if (scope->unit[0] == '\0') {
        fm_error_set(err, scope->login, "NO_UNIT",
                     "role %s may read no managing unit (bind it: famins-admin district-role UNIT %s)",
                     scope->login, scope->login);
        return FM_EINVAL;
    }
    if (requested != NULL && strcmp(requested, scope->unit) != 0) {
        fm_error_set(err, scope->login, "OTHER_UNIT", "role %s may read managing unit %s only, not %s",
                     scope->login, scope->unit, requested);
        return FM_EINVAL;
    }
    *out = scope->unit;
    return FM_OK;
}
