/* report_appeals.h — the annual report's appeals table (claim-life, issue 15). */
#ifndef REPORT_APPEALS_H
#define REPORT_APPEALS_H

#include <libpq-fe.h>

#include "report.h"

/* Sets up the empty appeals table (static columns and notes). */
void report_appeals_init(report_table *t);

/* Reads rep->tables[REPORT_T_APPEALS] from famins_report.appeals_by_unit for rep's plan year (and unit) in
 * the caller's transaction, with its total and the overturn rates. FM_EDB, FM_ENOMEM. */
fm_status report_appeals_load(PGconn *conn, report *rep, fm_error *err);

#endif
