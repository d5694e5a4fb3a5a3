/* report_access.h — which managing units the report's role may read: the whole city or one district. */
#ifndef REPORT_ACCESS_H
#define REPORT_ACCESS_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "fm_error.h"

typedef struct report_scope {
    char login[64]; /* the role connected (current_user) */
    bool all_units; /* the city's reporter, an operator */
    char unit[32];  /* the one unit a district login may read; "" when none (and not all_units) */
} report_scope;

/* Reads the connected role's scope from famins_report.caller_scope (migration 065). FM_EDB (err holds the
 * server's message, e.g. permission denied) or FM_EDB with code NO_SCOPE when the view returns no row. */
fm_status report_scope_read(PGconn *conn, report_scope *out, fm_error *err);

/* The unit a report or export covers, given the one asked for (NULL: none asked). The city: the one asked
 * (NULL = the whole city). A district login: its own unit when none or its own is asked; another unit is
 * refused (FM_EINVAL, code OTHER_UNIT, err says which unit the role may read), and so is a role bound to no
 * unit (FM_EINVAL, code NO_UNIT). *out points into scope or is requested. */
fm_status report_scope_unit(const report_scope *scope, const char *requested, const char **out,
                            fm_error *err);

#endif
