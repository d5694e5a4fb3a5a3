/* report_appeals.c — the annual report's appeals (群众诉求) by unit: received, refused, awaiting review,
 * upheld, overturned, and the overturn rate. */
#include "report_appeals.h"

#include <stdio.h>
#include <string.h>

#include "fm_pg.h"
#include "report_format.h"

static const report_column appeal_cols[] = {
    {"unit", "管理单位", "Managing unit", REPORT_UNIT, 0},
    {"received", "收到申诉", "Appeals received", REPORT_COUNT, 0},
    {"refused", "不予受理", "Refused", REPORT_COUNT, 0},
    {"open", "待复核", "Awaiting review", REPORT_COUNT, 0},
    {"upheld", "维持原决定", "Upheld", REPORT_COUNT, 0},
    {"overturned", "改变原决定", "Overturned", REPORT_COUNT, 0},
    {"overturn_rate", "改判率", "Overturn rate", REPORT_BP, 0},
};
#define N_COLS (sizeof appeal_cols / sizeof appeal_cols[0])

/* The rate is computed here from the counts (as the loss ratio is), not read: the total's is the same rule.
 */
static const char sql_appeals[] =
    "SELECT managing_unit, received, refused, open, upheld, overturned, NULL::bigint"
    " FROM famins_report.appeals_by_unit"
    " WHERE plan_year = $1::integer AND ($2::text IS NULL OR managing_unit = $2::text) ORDER BY "
    "managing_unit";

void report_appeals_init(report_table *t)
{
    report_table_init(t, "appeals", "申诉处理（群众诉求）", "Appeals (families' complaints)", appeal_cols,
                      N_COLS);
    t->note_zh = "对拒赔或部分赔付决定的申诉：收到 = 全部申诉（含不予受理）；改判率 = 改变原决定 ÷ "
                 "已复核（维持 + 改变）。";
    t->note_en =
        "Appeals of declined or partly paid claims: received = every appeal (refused ones included); "
        "overturn rate = overturned / answered (upheld + overturned).";
}

/* overturned / (upheld + overturned) in basis points; null without an answered appeal. */
static void set_rate(report_cell *rate, const report_cell *upheld, const report_cell *overturned)
{
    rate->null = !report_ratio_bp(overturned->num, upheld->num + overturned->num, &rate->num);
}

fm_status report_appeals_load(PGconn *conn, report *rep, fm_error *err)
{
    report_table *t = &rep->tables[REPORT_T_APPEALS];
    char year[16];
    snprintf(year, sizeof year, "%d", rep->plan_year);
    const char *params[2] = {year, rep->unit[0] ? rep->unit : NULL};
    PGresult *res = NULL;
    fm_status st = fm_pg_query(conn, sql_appeals, 2, params, &res, err);
    for (int r = 0; st == FM_OK && r < PQntuples(res); r++) {
        report_cell *row;
        if ((st = report_table_add_row(t, &row)) != FM_OK)
            break;
        st = report_cell_set_text(&row[0], PQgetvalue(res, r, 0));
        for (int c = 1; st == FM_OK && c < 6; c++)
            if (!report_parse_scaled(PQgetvalue(res, r, c), 0, &row[c].num)) {
                fm_error_set(err, t->key, "BAD_NUMBER", "appeals: an integer was expected");
                st = FM_EDB;
            }
        if (st == FM_OK)
            set_rate(&row[6], &row[4], &row[5]);
    }
    PQclear(res);
    if (st == FM_OK && (st = report_table_sum_total(t)) == FM_OK)
        set_rate(&t->total[6], &t->total[4], &t->total[5]);
    if (st == FM_ENOMEM)
        fm_error_set(err, t->key, "NO_MEMORY", "out of memory reading appeals");
    return st;
}
