/* report_payments.h — the report's withdrawals and payments tables (issue 15): their columns, queries and
 * totals, hooked into report_load. */
#ifndef REPORT_PAYMENTS_H
#define REPORT_PAYMENTS_H

#include "report_table.h"

/* The queries ($1 plan year, $2 unit or NULL), one row per managing unit, from migration 070's views. */
extern const char report_sql_withdrawals[];
extern const char report_sql_payments[];

/* Sets up the two empty tables with their titles and notes. */
void report_payments_init(report_table *withdrawals, report_table *payments);

/* After the rows and the summed totals are in: the total of the days columns is not a sum (median: none
 * over units; longest: the longest). */
void report_payments_finish(report_table *payments);

#endif
