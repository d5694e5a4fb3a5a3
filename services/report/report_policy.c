/* report_policy.c — premium, subsidy after reversals, cancellations, lapses and members added, per unit. */
#include "report_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fm_pg.h"
#include "report_format.h"

static const report_column policy_cols[] = {
    {"unit", "管理单位", "Managing unit", REPORT_UNIT, 0},
    {"premium_collected", "实收保费", "Premium collected", REPORT_FEN, 0},
    {"premium_refunded", "退还保费", "Premium refunded", REPORT_FEN, 0},
    {"subsidy_allocated", "已拨补贴", "Subsidy allocated", REPORT_FEN, 0},
    {"subsidy_reversed", "冲回补贴", "Subsidy reversed", REPORT_FEN, 0},
    {"subsidy_net", "补贴净额", "Subsidy, net", REPORT_FEN, 0},
    {"cancellations", "退保", "Cancellations", REPORT_COUNT, 0},
    {"lapses", "未缴费失效", "Lapsed (premium unpaid)", REPORT_COUNT, 0},
    {"members_added", "年内新增被保险人", "Members added", REPORT_COUNT, 0},
    {"members_removed", "年内减少被保险人", "Members removed", REPORT_COUNT, 0},
};

/* $1 year, $2 unit (NULL: all in scope), $3 whether the plan tracks premiums, $4 its grace days. */
static const char sql_policy[] =
    "WITH pr AS (SELECT managing_unit, collected, refunded + cancellation_refunds AS refunded"
    "            FROM famins_report.premium_collected_by_unit WHERE plan_year = $1),"
    " su AS (SELECT managing_unit, sum(allocated) AS a, sum(reversed) AS r, sum(net) AS n"
    "        FROM famins_report.subsidy_net_by_payer WHERE plan_year = $1 GROUP BY 1),"
    " ch AS (SELECT managing_unit, sum(changes) FILTER (WHERE change = 'cancelled' AND outcome = 'accepted') "
    "AS c"
    "        FROM famins_report.policy_changes_by_unit WHERE plan_year = $1 GROUP BY 1),"
    " mb AS (SELECT managing_unit, sum(added) AS added, sum(removed) AS removed"
    "        FROM famins_report.members_changed_by_unit WHERE plan_year = $1 GROUP BY 1),"
    /* Lapsed: the premium not fully paid by the grace date, unless cancelled by then (a cancellation). */
    " la AS (SELECT managing_unit, count(*) AS lapses FROM famins_report.policy_premium_status"
    "        WHERE plan_year = $1 AND $3::boolean AND due > 0"
    "          AND (fully_paid_on IS NULL OR fully_paid_on > coverage_start + $4::int)"
    "          AND (cancelled_on IS NULL OR cancelled_on > coverage_start + $4::int) GROUP BY 1),"
    " u AS (SELECT managing_unit FROM pr UNION SELECT managing_unit FROM su UNION SELECT managing_unit FROM "
    "ch"
    "       UNION SELECT managing_unit FROM mb UNION SELECT managing_unit FROM la)"
    " SELECT u.managing_unit, coalesce(pr.collected, 0), coalesce(pr.refunded, 0), coalesce(su.a, 0),"
    "  coalesce(su.r, 0), coalesce(su.n, 0), coalesce(ch.c, 0), coalesce(la.lapses, 0), coalesce(mb.added, "
    "0),"
    "  coalesce(mb.removed, 0)"
    " FROM u LEFT JOIN pr USING (managing_unit) LEFT JOIN su USING (managing_unit) LEFT JOIN ch USING"
    " (managing_unit) LEFT JOIN mb USING (managing_unit) LEFT JOIN la USING (managing_unit)"
    " WHERE $2::text IS NULL OR u.managing_unit = $2::text ORDER BY u.managing_unit";

void report_policy_init(report_table *t)
{
    report_table_init(t, "policy_life", "保单变更、退保与补贴冲回",
                      "Policy changes, cancellations and reversals", policy_cols,
                      sizeof policy_cols / sizeof policy_cols[0]);
    t->note_zh =
        "补贴净额 = 已拨 − 冲回（A类家庭丧失条件或退保，按剩余天数比例冲回）；失效 = 宽限期内未缴清保费。";
    t->note_en = "Net subsidy = allocated - reversed (category A lost or cancelled, pro rata by days left); "
                 "lapsed = premium not paid by the grace date.";
}

fm_status report_policy_load(PGconn *conn, report_table *t, int plan_year, const char *unit,
                             const fm_plan *plan, fm_error *err)
{
    char year[16], grace[16];
    snprintf(year, sizeof year, "%d", plan_year);
    snprintf(grace, sizeof grace, "%d", plan ? (int)plan->policy.premium_grace_days : 0);
    const char *params[4] = {year, unit, plan && plan->policy.premium_tracking ? "true" : "false", grace};
    PGresult *res = NULL;
    fm_status st = fm_pg_query(conn, sql_policy, 4, params, &res, err);
    if (st != FM_OK)
        return st;
    for (int r = 0; r < PQntuples(res) && st == FM_OK; r++) {
        report_cell *row;
        if ((st = report_table_add_row(t, &row)) != FM_OK)
            break;
        st = report_cell_set_text(&row[0], PQgetvalue(res, r, 0));
        for (size_t c = 1; c < t->ncols && st == FM_OK; c++)
            if (!report_parse_scaled(PQgetvalue(res, r, (int)c), 0, &row[c].num)) {
                fm_error_set(err, t->key, "BAD_NUMBER", "policy_life: a figure is not an integer");
                st = FM_EDB;
            }
    }
    PQclear(res);
    return st == FM_OK ? report_table_sum_total(t) : st;
}
