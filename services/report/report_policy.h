/* report_policy.h — the report's table of the policies' life after enrollment (issue 16). */
#ifndef REPORT_POLICY_H
#define REPORT_POLICY_H

#include <libpq-fe.h>

#include "fm_plan.h"
#include "report_table.h"

/* Sets up the empty table (key "policy_life"). */
void report_policy_init(report_table *t);

/* Fills it, per managing unit, from the famins_report views of migration 072 in the caller's transaction:
 * premium collected and refunded, subsidy allocated / reversed / net, cancellations, lapses (policies whose
 * premium was not paid by the grace date, where plan tracks premiums; none otherwise), members added and
 * removed; then its total row. unit NULL: every unit in scope. FM_OK; FM_EDB; FM_ENOMEM. */
fm_status report_policy_load(PGconn *conn, report_table *t, int plan_year, const char *unit,
                             const fm_plan *plan, fm_error *err);

#endif
