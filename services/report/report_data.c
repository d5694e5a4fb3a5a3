/* report_data.c — reads the annual report's tables from the famins_report views (the only thing the reporter
 * reads). */
#include "report.h"
#include "report_payments.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fm_pg.h"
#include "report_appeals.h"
#include "report_format.h"
#include "report_policy.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define CODED(key, zh, en, kind)                                                                             \
    {                                                                                                        \
        key, zh, en, REPORT_CODED, kind                                                                      \
    }

static const report_column summary_cols[] = {
    {"households", "参保家庭", "Insured households", REPORT_COUNT, 0},
    {"insured_children", "参保子女", "Insured children", REPORT_COUNT, 0},
    {"insured_parents_guardians", "参保父母或监护人", "Insured parents and guardians", REPORT_COUNT, 0},
    {"premium", "保费收入", "Premium income", REPORT_FEN, 0},
    {"self_paid", "个人缴费", "Paid by households", REPORT_FEN, 0},
    {"subsidy", "财政补贴", "Public subsidy", REPORT_FEN, 0},
    {"claims", "理赔案件", "Claims", REPORT_COUNT, 0},
    {"claimed_amount", "申请金额", "Amount claimed", REPORT_FEN, 0},
    {"paid", "赔付金额", "Paid", REPORT_FEN, 0},
    {"loss_ratio", "赔付率", "Loss ratio", REPORT_BP, 0},
    {"approved", "全额赔付", "Approved", REPORT_COUNT, 0},
    {"partial", "部分赔付", "Partly paid", REPORT_COUNT, 0},
    {"declined", "拒赔", "Declined", REPORT_COUNT, 0},
    {"pending", "待审核", "Pending review", REPORT_COUNT, 0},
    {"decline_rate", "拒赔率", "Decline rate", REPORT_BP, 0},
    {"mean_days", "平均结案天数", "Mean settlement days", REPORT_TENTHS, 0},
    {"median_days", "结案天数中位数", "Median settlement days", REPORT_TENTHS, 0},
    {"p90_days", "结案天数90分位", "90th percentile settlement days", REPORT_TENTHS, 0},
    {"fraud_signals", "欺诈风险信号", "Fraud signals", REPORT_COUNT, 0},
    {"subsidy_gap", "补贴差额", "Subsidy gap", REPORT_FEN, 0},
    {"insured", "参保人数", "Insured persons", REPORT_COUNT, 0},
    {"claims_per_1000", "每千名参保人案件数", "Claims per 1,000 insured", REPORT_TENTHS, 0},
    {"paid_claims", "赔付案件（全额及部分）", "Paid claims (approved and partly paid)", REPORT_COUNT, 0},
    {"average_paid", "件均赔付（赔付案件）", "Average paid per paid claim", REPORT_FEN, 0},
    {"pending_outstanding", "待审核案件申请金额", "Claimed by claims pending review", REPORT_FEN, 0},
};

static const report_column yoy_volume_cols[] = {
    {"unit", "管理单位", "Managing unit", REPORT_UNIT, 0},
    {"households_prev", "参保家庭（上年）", "Households (previous year)", REPORT_COUNT, 0},
    {"households", "参保家庭（本年）", "Households (this year)", REPORT_COUNT, 0},
    {"insured_prev", "参保人数（上年）", "Insured (previous year)", REPORT_COUNT, 0},
    {"insured", "参保人数（本年）", "Insured (this year)", REPORT_COUNT, 0},
    {"claims_prev", "案件数（上年）", "Claims (previous year)", REPORT_COUNT, 0},
    {"claims", "案件数（本年）", "Claims (this year)", REPORT_COUNT, 0},
    {"paid_prev", "赔付金额（上年）", "Paid (previous year)", REPORT_FEN, 0},
    {"paid", "赔付金额（本年）", "Paid (this year)", REPORT_FEN, 0},
};

static const report_column yoy_rates_cols[] = {
    {"unit", "管理单位", "Managing unit", REPORT_UNIT, 0},
    {"loss_ratio_prev", "赔付率（上年）", "Loss ratio (previous year)", REPORT_BP, 0},
    {"loss_ratio", "赔付率（本年）", "Loss ratio (this year)", REPORT_BP, 0},
    {"mean_days_prev", "平均结案天数（上年）", "Mean settlement days (previous year)", REPORT_TENTHS, 0},
    {"mean_days", "平均结案天数（本年）", "Mean settlement days (this year)", REPORT_TENTHS, 0},
    {"declined_prev", "拒赔（上年）", "Declined (previous year)", REPORT_COUNT, 0},
    {"declined", "拒赔（本年）", "Declined (this year)", REPORT_COUNT, 0},
    {"fraud_signals_prev", "欺诈风险信号（上年）", "Fraud signals (previous year)", REPORT_COUNT, 0},
    {"fraud_signals", "欺诈风险信号（本年）", "Fraud signals (this year)", REPORT_COUNT, 0},
};

static const report_column frequency_cols[] = {
    {"unit", "管理单位", "Managing unit", REPORT_UNIT, 0},
    {"insured", "参保人数", "Insured persons", REPORT_COUNT, 0},
    {"claims", "案件数", "Claims", REPORT_COUNT, 0},
    {"claims_per_1000", "每千名参保人案件数", "Claims per 1,000 insured", REPORT_TENTHS, 0},
    {"paid_claims", "赔付案件", "Paid claims", REPORT_COUNT, 0},
    {"paid", "赔付金额", "Paid", REPORT_FEN, 0},
    {"average_paid", "件均赔付", "Average paid per paid claim", REPORT_FEN, 0},
};

static const report_column pending_cols[] = {
    {"age_band", "等待天数", "Days waiting", REPORT_TEXT, 0},
    {"claims", "待审核案件", "Claims pending review", REPORT_COUNT, 0},
    {"outstanding", "申请金额（未决）", "Claimed, outstanding", REPORT_FEN, 0},
    {"assessed", "审核前核算金额", "Assessed before review", REPORT_FEN, 0},
    {"oldest_days", "最长等待天数", "Longest wait (days)", REPORT_COUNT, 0},
};

static const report_column trend_cols[] = {
    CODED("item", "项目", "Item", REPORT_CODE_SIGNAL),
    {"previous", "上年", "Previous year", REPORT_COUNT, 0},
    {"current", "本年", "This year", REPORT_COUNT, 0},
    {"change", "增减", "Change", REPORT_COUNT, 0},
};

static const report_column problem_cols[] = {
    {"unit", "管理单位", "Managing unit", REPORT_UNIT, 0},
    CODED("indicator", "指标", "Indicator", REPORT_CODE_INDICATOR),
    CODED("measure", "计量", "Measure", REPORT_CODE_MEASURE),
    {"unit_value", "本单位", "Unit", REPORT_MEASURED, 0},
    /* On the city's own row (loss_ratio_vs_expected) the value it is compared with is the plan's. */
    {"city_value", "全市（全市行：方案预期赔付率）",
     "City (on the city's row: the plan's expected loss ratio)", REPORT_MEASURED, 0},
};

static const report_column enrollment_cols[] = {
    {"unit", "管理单位", "Managing unit", REPORT_UNIT, 0},
    CODED("category", "类别", "Category", REPORT_CODE_CATEGORY),
    {"households", "参保家庭", "Households", REPORT_COUNT, 0},
    {"insured_children", "参保子女", "Insured children", REPORT_COUNT, 0},
    {"insured_parents_guardians", "参保父母或监护人", "Insured parents and guardians", REPORT_COUNT, 0},
};

static const report_column premium_cols[] = {
    {"unit", "管理单位", "Managing unit", REPORT_UNIT, 0},
    CODED("category", "类别", "Category", REPORT_CODE_CATEGORY),
    {"households", "参保家庭", "Households", REPORT_COUNT, 0},
    {"premium", "保费合计", "Premium", REPORT_FEN, 0},
    {"self_paid", "个人缴费", "Self-paid", REPORT_FEN, 0},
    {"subsidy", "补贴合计", "Subsidy", REPORT_FEN, 0},
    {"subsidy_city", "市级补贴", "City subsidy", REPORT_FEN, 0},
    {"subsidy_district_or_county", "区县补贴", "District or county subsidy", REPORT_FEN, 0},
    {"subsidy_development_zone", "开发区补贴", "Development zone subsidy", REPORT_FEN, 0},
};

static const report_column claims_cols[] = {
    CODED("liability", "保险责任", "Liability", REPORT_CODE_LIABILITY),
    CODED("role", "被保险人", "Insured", REPORT_CODE_ROLE),
    {"unit", "管理单位", "Managing unit", REPORT_UNIT, 0},
    {"claims", "案件数", "Claims", REPORT_COUNT, 0},
    {"approved", "全额赔付", "Approved", REPORT_COUNT, 0},
    {"partial", "部分赔付", "Partly paid", REPORT_COUNT, 0},
    {"declined", "拒赔", "Declined", REPORT_COUNT, 0},
    {"pending", "待审核", "Pending", REPORT_COUNT, 0},
    {"claimed_amount", "申请金额", "Claimed", REPORT_FEN, 0},
    {"paid", "赔付金额", "Paid", REPORT_FEN, 0},
};

static const report_column loss_cols[] = {
    {"unit", "管理单位", "Managing unit", REPORT_UNIT, 0}, {"premium", "保费收入", "Premium", REPORT_FEN, 0},
    {"claims", "案件数", "Claims", REPORT_COUNT, 0},       {"paid", "赔付金额", "Paid", REPORT_FEN, 0},
    {"loss_ratio", "赔付率", "Loss ratio", REPORT_BP, 0},
};

static const report_column settlement_cols[] = {
    {"unit", "管理单位", "Managing unit", REPORT_UNIT, 0},
    {"decided_claims", "已结案件", "Decided claims", REPORT_COUNT, 0},
    {"mean_days", "平均天数", "Mean days", REPORT_TENTHS, 0},
    {"median_days", "中位数天数", "Median days", REPORT_TENTHS, 0},
    {"p90_days", "90分位天数", "90th percentile days", REPORT_TENTHS, 0},
};

static const report_column decline_cols[] = {
    {"rank", "排名", "Rank", REPORT_COUNT, 0},
    CODED("reason", "拒赔原因", "Reason", REPORT_CODE_REASON),
    {"claims", "案件数", "Claims", REPORT_COUNT, 0},
};

static const report_column fraud_cols[] = {
    {"unit", "管理单位", "Managing unit", REPORT_UNIT, 0},
    CODED("code", "信号类型", "Signal", REPORT_CODE_SIGNAL),
    {"signals", "信号数", "Signals", REPORT_COUNT, 0},
};

static const report_column subsidy_cols[] = {
    {"unit", "管理单位", "Managing unit", REPORT_UNIT, 0},
    {"households_a", "A类家庭", "Category-A households", REPORT_COUNT, 0},
    {"households_allocated", "已拨付家庭", "Households allocated", REPORT_COUNT, 0},
    {"expected_total", "应拨合计(40元/户)", "Expected (40 yuan each)", REPORT_FEN, 0},
    {"allocated_total", "已拨合计", "Allocated", REPORT_FEN, 0},
    {"gap_total", "差额", "Gap", REPORT_FEN, 0},
    {"expected_city", "市级应拨", "City expected", REPORT_FEN, 0},
    {"allocated_city", "市级已拨", "City allocated", REPORT_FEN, 0},
    {"gap_city", "市级差额", "City gap", REPORT_FEN, 0},
    {"expected_district_or_county", "区县应拨", "District/county expected", REPORT_FEN, 0},
    {"allocated_district_or_county", "区县已拨", "District/county allocated", REPORT_FEN, 0},
    {"gap_district_or_county", "区县差额", "District/county gap", REPORT_FEN, 0},
    {"expected_development_zone", "开发区应拨", "Zone expected", REPORT_FEN, 0},
    {"allocated_development_zone", "开发区已拨", "Zone allocated", REPORT_FEN, 0},
    {"gap_development_zone", "开发区差额", "Zone gap", REPORT_FEN, 0},
};

static const report_column monthly_cols[] = {
    {"month", "报案月份", "Month reported", REPORT_TEXT, 0},
    {"claims", "案件数", "Claims", REPORT_COUNT, 0},
    {"declined", "拒赔", "Declined", REPORT_COUNT, 0},
    {"pending", "待审核", "Pending", REPORT_COUNT, 0},
    {"claimed_amount", "申请金额", "Claimed", REPORT_FEN, 0},
    {"paid", "赔付金额", "Paid", REPORT_FEN, 0},
};

/* Every query takes $1 = plan year, $2 = managing unit or NULL (the whole city), and returns the table's
 * columns in order (NULL for a column the program computes). */
#define WHERE_YEAR_UNIT " WHERE plan_year = $1::integer AND ($2::text IS NULL OR managing_unit = $2::text) "

static const char sql_enrollment[] =
    "SELECT managing_unit, category, households, insured_children, insured_parents_guardians"
    " FROM famins_report.enrollment_by_unit" WHERE_YEAR_UNIT "ORDER BY managing_unit, category";

static const char sql_premium[] =
    "SELECT managing_unit, category, households, premium, self_paid, subsidy, subsidy_city,"
    " subsidy_district_or_county, subsidy_development_zone"
    " FROM famins_report.premium_by_unit" WHERE_YEAR_UNIT "ORDER BY managing_unit, category";

static const char sql_claims[] =
    "SELECT liability, role, managing_unit, claims, approved, partial, declined, pending, claimed_amount, "
    "paid"
    " FROM famins_report.claims_by_liability" WHERE_YEAR_UNIT
    "ORDER BY array_position(ARRAY['death','critical_illness','accidental_disability','accident_medical',"
    "'illness_hospital'], liability), array_position(ARRAY['child','parent','guardian','unknown'], role),"
    " managing_unit";

static const char sql_loss[] =
    "SELECT managing_unit, premium, claims, paid, NULL::bigint"
    " FROM famins_report.loss_ratio_by_unit" WHERE_YEAR_UNIT "ORDER BY managing_unit";

/* Days are numeric with one decimal in the views: times ten they are exact integers. */
static const char sql_settlement[] =
    "SELECT managing_unit, decided_claims, (mean_days * 10)::bigint, (median_days * 10)::bigint,"
    " (p90_days * 10)::bigint FROM famins_report.settlement_time_by_unit" WHERE_YEAR_UNIT
    "ORDER BY managing_unit";

static const char sql_settlement_city[] =
    "SELECT NULL::text, decided_claims, (mean_days * 10)::bigint, (median_days * 10)::bigint,"
    " (p90_days * 10)::bigint FROM famins_report.settlement_time_city WHERE plan_year = $1::integer";

static const char sql_declines[] =
    "SELECT rank() OVER (ORDER BY sum(claims) DESC), reason, sum(claims)::bigint"
    " FROM famins_report.decline_reasons_by_unit" WHERE_YEAR_UNIT "GROUP BY reason ORDER BY 1, 2";

static const char sql_fraud[] =
    "SELECT managing_unit, code, signals FROM famins_report.fraud_signals_by_unit" WHERE_YEAR_UNIT
    "ORDER BY managing_unit, code";

static const char sql_subsidy[] =
    "SELECT managing_unit, households_a, households_allocated, expected_total, allocated_total, gap_total,"
    " expected_city, allocated_city, gap_city, expected_district_or_county, allocated_district_or_county,"
    " gap_district_or_county, expected_development_zone, allocated_development_zone, gap_development_zone"
    " FROM famins_report.subsidy_reconciliation" WHERE_YEAR_UNIT "ORDER BY managing_unit";

static const char sql_monthly[] =
    "SELECT month, sum(claims)::bigint, sum(declined)::bigint, sum(pending)::bigint, "
    "sum(claimed_amount)::bigint,"
    " sum(paid)::bigint FROM famins_report.claims_by_month" WHERE_YEAR_UNIT "GROUP BY month ORDER BY month";

/* Year over year: one row per unit and year (this and the previous) with what both comparison tables and the
 * frequency table need: households, insured, premium, claims, paid, declined, paid claims, fraud signals,
 * mean settlement days x 10. A unit absent from a year has no row for it (shown as "no data", not as zeros).
 */
#define YEARS " WHERE plan_year IN ($1::integer, $1::integer - 1) "
static const char sql_yoy[] =
    "WITH e AS (SELECT plan_year, managing_unit, sum(households)::bigint AS hh,"
    "           sum(insured_children + insured_parents_guardians)::bigint AS ins"
    "           FROM famins_report.enrollment_by_unit" YEARS "GROUP BY 1, 2),"
    " l AS (SELECT plan_year, managing_unit, premium, claims, paid FROM "
    "famins_report.loss_ratio_by_unit" YEARS "),"
    " s AS (SELECT plan_year, managing_unit, mean_days FROM famins_report.settlement_time_by_unit" YEARS "),"
    " c AS (SELECT plan_year, managing_unit, sum(declined)::bigint AS declined,"
    "       sum(approved + partial)::bigint AS paid_claims FROM famins_report.claims_by_liability" YEARS
    "GROUP BY 1, 2),"
    " f AS (SELECT plan_year, managing_unit, sum(signals)::bigint AS signals"
    "       FROM famins_report.fraud_signals_by_unit" YEARS "GROUP BY 1, 2),"
    " k AS (SELECT plan_year, managing_unit FROM e UNION SELECT plan_year, managing_unit FROM l"
    "       UNION SELECT plan_year, managing_unit FROM f)"
    " SELECT managing_unit, plan_year, coalesce(e.hh, 0), coalesce(e.ins, 0), coalesce(l.premium, 0),"
    " coalesce(l.claims, 0), coalesce(l.paid, 0), coalesce(c.declined, 0), coalesce(c.paid_claims, 0),"
    " coalesce(f.signals, 0), (s.mean_days * 10)::bigint"
    " FROM k LEFT JOIN e USING (plan_year, managing_unit) LEFT JOIN l USING (plan_year, managing_unit)"
    " LEFT JOIN s USING (plan_year, managing_unit) LEFT JOIN c USING (plan_year, managing_unit)"
    " LEFT JOIN f USING (plan_year, managing_unit)"
    " WHERE ($2::text IS NULL OR managing_unit = $2::text) ORDER BY 1, 2";

/* The city's mean settlement days of both years (a mean is not a mean of means). */
static const char sql_city_days[] =
    "SELECT plan_year, (mean_days * 10)::bigint FROM famins_report.settlement_time_city" YEARS;

static const char sql_pending[] = "SELECT age_band, sum(claims)::bigint, sum(outstanding)::bigint, "
                                  "sum(assessed)::bigint, max(oldest_days)::bigint"
                                  " FROM famins_report.pending_claims_by_age" WHERE_YEAR_UNIT
                                  "GROUP BY band_order, age_band ORDER BY band_order";

/* Declined claims, then every fraud signal code, in the previous and this year (NULL: no row that year). */
static const char sql_trend[] =
    "WITH a AS (SELECT 'DECLINED'::text AS item, plan_year, sum(declined)::bigint AS n"
    "           FROM famins_report.claims_by_liability" YEARS
    "           AND ($2::text IS NULL OR managing_unit = $2::text) GROUP BY plan_year"
    "           UNION ALL SELECT code, plan_year, sum(signals)::bigint FROM "
    "famins_report.fraud_signals_by_unit" YEARS
    "           AND ($2::text IS NULL OR managing_unit = $2::text) GROUP BY code, plan_year)"
    " SELECT item, sum(n) FILTER (WHERE plan_year = $1::integer - 1)::bigint,"
    " coalesce(sum(n) FILTER (WHERE plan_year = $1::integer), 0)::bigint, NULL::bigint"
    " FROM a GROUP BY item ORDER BY item <> 'DECLINED', item";

/* The latest decision included, and the plan versions the year's decisions name. */
static const char sql_cutoff[] =
    "SELECT to_char(max(last_decided_at) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS')"
    " FROM famins_report.decision_cutoff" WHERE_YEAR_UNIT;
static const char sql_versions[] = "SELECT string_agg(DISTINCT plan_version, ', ' ORDER BY plan_version) "
                                   "FROM famins_report.plan_versions" WHERE_YEAR_UNIT;

/* The figures of every unit of the year (never filtered: a unit is compared with the whole city). Each view
 * is read once (MATERIALIZED), never re-run per unit by a nested loop. */
static const char sql_unit_stats[] =
    "WITH l AS MATERIALIZED (SELECT managing_unit, premium, paid, claims FROM "
    "famins_report.loss_ratio_by_unit"
    "                        WHERE plan_year = $1::integer),"
    " r AS MATERIALIZED (SELECT managing_unit, gap_total FROM famins_report.subsidy_reconciliation"
    "                    WHERE plan_year = $1::integer),"
    " s AS MATERIALIZED (SELECT managing_unit, decided_claims, mean_days FROM "
    "famins_report.settlement_time_by_unit"
    "                    WHERE plan_year = $1::integer),"
    " c AS MATERIALIZED (SELECT managing_unit, sum(approved + partial + declined)::bigint AS decided,"
    "                    sum(declined)::bigint AS declined FROM famins_report.claims_by_liability"
    "                    WHERE plan_year = $1::integer GROUP BY 1),"
    " e AS MATERIALIZED (SELECT managing_unit, sum(insured_children + insured_parents_guardians)::bigint AS "
    "ins"
    "                    FROM famins_report.enrollment_by_unit WHERE plan_year = $1::integer GROUP BY 1),"
    " units AS (SELECT managing_unit FROM l UNION SELECT managing_unit FROM r)"
    " SELECT u.managing_unit, coalesce(l.premium, 0), coalesce(l.paid, 0), coalesce(c.decided, 0),"
    " coalesce(c.declined, 0), coalesce(s.decided_claims, 0), (s.mean_days * 10)::bigint, "
    "coalesce(r.gap_total, 0),"
    " coalesce(e.ins, 0), coalesce(l.claims, 0)"
    " FROM units u LEFT JOIN l USING (managing_unit) LEFT JOIN c USING (managing_unit)"
    " LEFT JOIN s USING (managing_unit) LEFT JOIN r USING (managing_unit) LEFT JOIN e USING (managing_unit)"
    " ORDER BY u.managing_unit";

/* Runs sql with $1 = year and, when the query names it ($2 appears), $2 = unit (NULL: the whole city). */
static fm_status query(PGconn *conn, const char *sql, int year, const char *unit, PGresult **res,
                       fm_error *err)
{
    char year_text[16];
    snprintf(year_text, sizeof year_text, "%d", year);
    const char *params[2] = {year_text, unit};
    return fm_pg_query(conn, sql, strstr(sql, "$2") != NULL ? 2 : 1, params, res, err);
}

static fm_status parse_int(const char *text, int64_t *out, fm_error *err)
{
    if (!report_parse_scaled(text, 0, out)) {
        fm_error_set(err, "", "BAD_NUMBER", "the database returned \"%s\" where an integer was expected",
                     text);
        return FM_EDB;
    }
    return FM_OK;
}

/* Appends every row of sql's result to t, column by column. */
static fm_status load_table(PGconn *conn, report_table *t, const char *sql, int year, const char *unit,
                            fm_error *err)
{
    PGresult *res = NULL;
    fm_status st = query(conn, sql, year, unit, &res, err);
    if (st != FM_OK)
        goto done;
    if ((size_t)PQnfields(res) != t->ncols) {
        fm_error_set(err, t->key, "COLUMNS", "%s: %d columns returned, %zu expected", t->key, PQnfields(res),
                     t->ncols);
        st = FM_EDB;
        goto done;
    }
    for (int r = 0; r < PQntuples(res); r++) {
        report_cell *row;
        if ((st = report_table_add_row(t, &row)) != FM_OK)
            goto done;
        for (size_t c = 0; c < t->ncols; c++) {
            if (PQgetisnull(res, r, (int)c)) {
                row[c].null = true;
                continue;
            }
            const char *v = PQgetvalue(res, r, (int)c);
            report_kind k = t->cols[c].kind;
            if (k == REPORT_TEXT || k == REPORT_UNIT || k == REPORT_CODED)
                st = report_cell_set_text(&row[c], v);
            else
                st = parse_int(v, &row[c].num, err);
            if (st != FM_OK)
                goto done;
        }
    }
done:
    if (st == FM_ENOMEM)
        fm_error_set(err, t->key, "NO_MEMORY", "out of memory reading %s", t->key);
    PQclear(res);
    return st;
}

static int64_t col_sum(const report_table *t, const char *key)
{
    int c = report_table_col(t, key);
    return t->total != NULL && c >= 0 ? t->total[c].num : 0;
}

static void set_bp(report_cell *cell, int64_t num, int64_t den)
{
    cell->null = !report_ratio_bp(num, den, &cell->num);
}

/* Loss ratios of every row and of the total. */
static void fill_loss_ratios(report_table *t)
{
    for (size_t r = 0; r < t->nrows; r++)
        set_bp(report_table_cell(t, r, 4), report_table_cell(t, r, 3)->num, report_table_cell(t, r, 1)->num);
    set_bp(&t->total[4], t->total[3].num, t->total[1].num);
}

/* The settlement total: the city view for the whole city; the unit's own row when one unit is reported. */
static fm_status settlement_total(PGconn *conn, report *rep, fm_error *err)
{
    report_table *t = &rep->tables[REPORT_T_SETTLEMENT];
    fm_status st = report_table_sum_total(t);
    if (st != FM_OK)
        return st;
    if (rep->unit[0] != '\0') {
        if (t->nrows == 1)
            for (size_t c = 2; c < 5; c++)
                t->total[c] = (report_cell){.num = report_table_cell(t, 0, c)->num, .null = false};
        return FM_OK;
    }
    report_table city;
    report_table_init(&city, "settlement_city", "", "", settlement_cols, N(settlement_cols));
    st = load_table(conn, &city, sql_settlement_city, rep->plan_year, NULL, err);
    if (st == FM_OK && city.nrows == 1)
        for (size_t c = 1; c < 5; c++)
            t->total[c] = (report_cell){.num = report_table_cell(&city, 0, c)->num,
                                        .null = report_table_cell(&city, 0, c)->null};
    report_table_free(&city);
    return st;
}

static fm_status fill_summary(report *rep)
{
    report_table *s = &rep->tables[REPORT_T_SUMMARY];
    const report_table *en = &rep->tables[REPORT_T_ENROLLMENT], *pr = &rep->tables[REPORT_T_PREMIUM];
    const report_table *cl = &rep->tables[REPORT_T_CLAIMS], *se = &rep->tables[REPORT_T_SETTLEMENT];
    const report_table *fr = &rep->tables[REPORT_T_FRAUD], *su = &rep->tables[REPORT_T_SUBSIDY];
    report_cell *row;
    fm_status st = report_table_add_row(s, &row);
    if (st != FM_OK)
        return st;
    row[0].num = col_sum(en, "households");
    row[1].num = col_sum(en, "insured_children");
    row[2].num = col_sum(en, "insured_parents_guardians");
    row[3].num = col_sum(pr, "premium");
    row[4].num = col_sum(pr, "self_paid");
    row[5].num = col_sum(pr, "subsidy");
    row[6].num = col_sum(cl, "claims");
    row[7].num = col_sum(cl, "claimed_amount");
    row[8].num = col_sum(cl, "paid");
    set_bp(&row[9], row[8].num, row[3].num);
    row[10].num = col_sum(cl, "approved");
    row[11].num = col_sum(cl, "partial");
    row[12].num = col_sum(cl, "declined");
    row[13].num = col_sum(cl, "pending");
    set_bp(&row[14], row[12].num, row[10].num + row[11].num + row[12].num);
    for (size_t c = 0; c < 3; c++)
        row[15 + c] = (report_cell){.num = se->total[2 + c].num, .null = se->total[2 + c].null};
    row[18].num = col_sum(fr, "signals");
    row[19].num = col_sum(su, "gap_total");
    const report_table *fq = &rep->tables[REPORT_T_FREQUENCY];
    row[20].num = row[1].num + row[2].num;
    row[21].null = !report_ratio_bp(row[6].num, row[20].num, &row[21].num);
    row[22].num = row[10].num + row[11].num;
    row[23] = fq->total != NULL ? fq->total[6] : (report_cell){.null = true};
    row[24].num = col_sum(&rep->tables[REPORT_T_PENDING_AGE], "outstanding");
    return FM_OK;
}

/* One unit's figures of one year, as sql_yoy returns them. */
typedef struct yoy_year {
    bool present;
    int64_t households, insured, premium, claims, paid, declined, paid_claims, signals, mean_tenths;
    bool has_mean;
} yoy_year;

static fm_status parse_yoy(PGresult *res, int r, yoy_year *y, fm_error *err)
{
    int64_t *f[] = {&y->households, &y->insured,  &y->premium,     &y->claims,
                    &y->paid,       &y->declined, &y->paid_claims, &y->signals};
    fm_status st = FM_OK;
    for (int i = 0; i < 8 && st == FM_OK; i++)
        st = parse_int(PQgetvalue(res, r, 2 + i), f[i], err);
    y->has_mean = !PQgetisnull(res, r, 10);
    if (st == FM_OK && y->has_mean)
        st = parse_int(PQgetvalue(res, r, 10), &y->mean_tenths, err);
    y->present = true;
    return st;
}

static void yoy_add(yoy_year *sum, const yoy_year *y)
{
    sum->present = sum->present || y->present;
    sum->households += y->households;
    sum->insured += y->insured;
    sum->premium += y->premium;
    sum->claims += y->claims;
    sum->paid += y->paid;
    sum->declined += y->declined;
    sum->paid_claims += y->paid_claims;
    sum->signals += y->signals;
}

/* The comparison and frequency cells of one unit (or of the total when row is a total row). */
static void yoy_cells(report_cell *vol, report_cell *rat, report_cell *freq, const yoy_year *prev,
                      const yoy_year *cur)
{
    const int64_t pv[] = {prev->households, prev->insured, prev->claims, prev->paid};
    const int64_t cv[] = {cur->households, cur->insured, cur->claims, cur->paid};
    for (int i = 0; i < 4; i++) {
        vol[1 + 2 * i] = (report_cell){.num = pv[i], .null = !prev->present};
        vol[2 + 2 * i] = (report_cell){.num = cv[i], .null = !cur->present};
    }
    const yoy_year *ys[2] = {prev, cur};
    for (int i = 0; i < 2; i++) {
        const yoy_year *y = ys[i];
        rat[1 + i].null = !y->present || !report_ratio_bp(y->paid, y->premium, &rat[1 + i].num);
        rat[3 + i] = (report_cell){.num = y->mean_tenths, .null = !y->present || !y->has_mean};
        rat[5 + i] = (report_cell){.num = y->declined, .null = !y->present};
        rat[7 + i] = (report_cell){.num = y->signals, .null = !y->present};
    }
    freq[1].num = cur->insured;
    freq[2].num = cur->claims;
    freq[3].null =
        !report_ratio_bp(cur->claims, cur->insured, &freq[3].num); /* bp of a ratio = tenths of per mille */
    freq[4].num = cur->paid_claims;
    freq[5].num = cur->paid;
    freq[6].null = cur->paid_claims <= 0;
    if (!freq[6].null)
        freq[6].num = (cur->paid * 2 + cur->paid_claims) / (cur->paid_claims * 2); /* rounded half up */
}

static fm_status add_unit_row(report_table *t, const char *unit, report_cell **row)
{
    fm_status st = report_table_add_row(t, row);
    return st == FM_OK ? report_cell_set_text(&(*row)[0], unit) : st;
}

/* The two year-over-year tables and the frequency table, from sql_yoy (rows sorted by unit, then year). */
static fm_status fill_yoy(PGconn *conn, report *rep, fm_error *err)
{
    report_table *vol = &rep->tables[REPORT_T_YOY_VOLUME], *rat = &rep->tables[REPORT_T_YOY_RATES];
    report_table *fq = &rep->tables[REPORT_T_FREQUENCY];
    PGresult *res = NULL, *days = NULL;
    yoy_year tot_prev = {0}, tot_cur = {0};
    fm_status st = query(conn, sql_yoy, rep->plan_year, rep->unit[0] ? rep->unit : NULL, &res, err);
    if (st != FM_OK)
        goto done;
    for (int r = 0; r < PQntuples(res);) {
        const char *unit = PQgetvalue(res, r, 0);
        yoy_year prev = {0}, cur = {0};
        for (; r < PQntuples(res) && strcmp(PQgetvalue(res, r, 0), unit) == 0; r++) {
            int64_t year;
            if ((st = parse_int(PQgetvalue(res, r, 1), &year, err)) != FM_OK ||
                (st = parse_yoy(res, r, year == rep->plan_year ? &cur : &prev, err)) != FM_OK)
                goto done;
        }
        yoy_add(&tot_prev, &prev);
        yoy_add(&tot_cur, &cur);
        report_cell *v, *a, *f = NULL;
        if ((st = add_unit_row(vol, unit, &v)) != FM_OK || (st = add_unit_row(rat, unit, &a)) != FM_OK)
            goto done;
        report_cell scratch[N(frequency_cols)];
        memset(scratch, 0, sizeof scratch);
        if (cur.present && (st = add_unit_row(fq, unit, &f)) != FM_OK)
            goto done;
        /* add_row may move the cells of vol and rat: take the rows again. */
        v = report_table_cell(vol, vol->nrows - 1, 0);
        a = report_table_cell(rat, rat->nrows - 1, 0);
        yoy_cells(v, a, f != NULL ? f : scratch, &prev, &cur);
    }
    rep->prev_year_empty = !tot_prev.present;
    tot_cur.present = true; /* the report's own year has figures, zeros when empty (as the summary shows) */
    /* Totals: the city's (or the unit's) means come from the settlement views, not from the rows. */
    if (rep->unit[0] == '\0') {
        if ((st = query(conn, sql_city_days, rep->plan_year, NULL, &days, err)) != FM_OK)
            goto done;
        for (int r = 0; r < PQntuples(days); r++) {
            int64_t year;
            yoy_year *y;
            if ((st = parse_int(PQgetvalue(days, r, 0), &year, err)) != FM_OK)
                goto done;
            y = year == rep->plan_year ? &tot_cur : &tot_prev;
            y->has_mean = !PQgetisnull(days, r, 1);
            if (y->has_mean && (st = parse_int(PQgetvalue(days, r, 1), &y->mean_tenths, err)) != FM_OK)
                goto done;
        }
    } else if (vol->nrows == 1) {
        tot_prev.has_mean = !report_table_cell(rat, 0, 3)->null;
        tot_prev.mean_tenths = report_table_cell(rat, 0, 3)->num;
        tot_cur.has_mean = !report_table_cell(rat, 0, 4)->null;
        tot_cur.mean_tenths = report_table_cell(rat, 0, 4)->num;
    }
    report_table *ts[] = {vol, rat, fq};
    for (size_t i = 0; i < N(ts); i++)
        if ((st = report_table_sum_total(ts[i])) != FM_OK)
            goto done;
    yoy_cells(vol->total, rat->total, fq->total, &tot_prev, &tot_cur);
done:
    PQclear(res);
    PQclear(days);
    return st;
}

/* Pending claims by age (the total's oldest is the max, not a sum) and the declines and fraud trend (a code
 * absent in the previous year counts 0 when that year has data, "no data" when it has none). */
static fm_status fill_pending_and_trend(PGconn *conn, report *rep, fm_error *err)
{
    const char *unit = rep->unit[0] ? rep->unit : NULL;
    report_table *pe = &rep->tables[REPORT_T_PENDING_AGE], *tr = &rep->tables[REPORT_T_TREND];
    fm_status st = load_table(conn, pe, sql_pending, rep->plan_year, unit, err);
    if (st == FM_OK)
        st = report_table_sum_total(pe);
    if (st != FM_OK)
        return st;
    pe->total[4] = (report_cell){.null = pe->nrows == 0};
    for (size_t r = 0; r < pe->nrows; r++)
        if (report_table_cell(pe, r, 4)->num > pe->total[4].num)
            pe->total[4].num = report_table_cell(pe, r, 4)->num;
    if ((st = load_table(conn, tr, sql_trend, rep->plan_year, unit, err)) != FM_OK)
        return st;
    for (size_t r = 0; r < tr->nrows; r++) {
        report_cell *prev = report_table_cell(tr, r, 1), *cur = report_table_cell(tr, r, 2);
        if (prev->null && !rep->prev_year_empty)
            *prev = (report_cell){.num = 0};
        *report_table_cell(tr, r, 3) = (report_cell){.num = cur->num - prev->num, .null = prev->null};
    }
    return FM_OK; /* no total: declined claims and fraud signals do not add up */
}

/* One text value of a one-row query into out ("" when NULL). */
static fm_status read_text(PGconn *conn, const char *sql, const report *rep, char *out, size_t cap,
                           fm_error *err)
{
    PGresult *res = NULL;
    fm_status st = query(conn, sql, rep->plan_year, rep->unit[0] ? rep->unit : NULL, &res, err);
    if (st == FM_OK && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
        snprintf(out, cap, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return st;
}

static fm_status fill_problems(PGconn *conn, report *rep, fm_error *err)
{
    report_unit_stats *units = NULL;
    report_problem *problems = NULL;
    size_t n_problems = 0;
    PGresult *res = NULL;
    report_unit_stats city = {0};
    fm_status st = query(conn, sql_unit_stats, rep->plan_year, NULL, &res, err);
    if (st != FM_OK)
        goto done;
    int n = PQntuples(res);
    units = calloc((size_t)n + 1, sizeof *units);
    if (units == NULL) {
        st = FM_ENOMEM;
        goto done;
    }
    for (int r = 0; r < n; r++) {
        report_unit_stats *u = &units[r];
        snprintf(u->unit, sizeof u->unit, "%s", PQgetvalue(res, r, 0));
        int64_t *fields[] = {&u->premium, &u->paid, &u->decided, &u->declined, &u->settled};
        for (int f = 0; f < 5; f++)
            if ((st = parse_int(PQgetvalue(res, r, f + 1), fields[f], err)) != FM_OK)
                goto done;
        u->has_mean = !PQgetisnull(res, r, 6);
        if (u->has_mean && (st = parse_int(PQgetvalue(res, r, 6), &u->mean_tenths, err)) != FM_OK)
            goto done;
        if ((st = parse_int(PQgetvalue(res, r, 7), &u->subsidy_gap, err)) != FM_OK ||
            (st = parse_int(PQgetvalue(res, r, 8), &u->insured, err)) != FM_OK ||
            (st = parse_int(PQgetvalue(res, r, 9), &u->claims, err)) != FM_OK)
            goto done;
        city.insured += u->insured;
        city.claims += u->claims;
        city.premium += u->premium;
        city.paid += u->paid;
        city.decided += u->decided;
        city.declined += u->declined;
        city.settled += u->settled;
        city.subsidy_gap += u->subsidy_gap;
    }
    /* Claims that named no policy count in the city's figures, but UNKNOWN is not a managing unit: they are
     * all declined by construction, and comparing them would name a "unit" nobody manages. */
    int kept = 0;
    for (int r = 0; r < n; r++)
        if (strcmp(units[r].unit, "UNKNOWN") != 0)
            units[kept++] = units[r];
    n = kept;
    /* The city's mean settlement time: the settlement table's total when the report is city-wide, else read.
     */
    report_table ct;
    report_table_init(&ct, "settlement_city", "", "", settlement_cols, N(settlement_cols));
    st = load_table(conn, &ct, sql_settlement_city, rep->plan_year, NULL, err);
    if (st == FM_OK && ct.nrows == 1 && !report_table_cell(&ct, 0, 2)->null) {
        city.has_mean = true;
        city.mean_tenths = report_table_cell(&ct, 0, 2)->num;
    }
    report_table_free(&ct);
    if (st != FM_OK)
        goto done;
    if ((st = report_find_problems(units, (size_t)n, &city, &rep->rule, &problems, &n_problems)) != FM_OK)
        goto done;
    report_table *t = &rep->tables[REPORT_T_PROBLEMS];
    for (size_t i = 0; i < n_problems; i++) {
        const report_problem *p = &problems[i];
        if (rep->unit[0] != '\0' && strcmp(rep->unit, p->unit) != 0)
            continue;
        const char *measure = report_measure_code(report_indicator_measure(p->indicator));
        report_cell *row;
        if ((st = report_table_add_row(t, &row)) != FM_OK ||
            (st = report_cell_set_text(&row[0], p->unit)) != FM_OK ||
            (st = report_cell_set_text(&row[1], report_indicator_code(p->indicator))) != FM_OK ||
            (st = report_cell_set_text(&row[2], measure)) != FM_OK ||
            (st = report_cell_set_text(&row[3], measure)) != FM_OK ||
            (st = report_cell_set_text(&row[4], measure)) != FM_OK)
            goto done;
        row[3].num = p->unit_value;
        row[4].num = p->city_value;
    }
done:
    PQclear(res);
    free(units);
    free(problems);
    return st;
}

static fm_status copy_names(report *rep, const fm_plan *plan)
{
    if (plan == NULL)
        return FM_OK;
    snprintf(rep->plan_version, sizeof rep->plan_version, "%s", plan->version);
    if (plan->n_units == 0)
        return FM_OK;
    rep->names = calloc(plan->n_units, sizeof *rep->names);
    if (rep->names == NULL)
        return FM_ENOMEM;
    for (size_t i = 0; i < plan->n_units; i++) {
        snprintf(rep->names[i].code, sizeof rep->names[i].code, "%s", plan->units[i].code);
        snprintf(rep->names[i].zh, sizeof rep->names[i].zh, "%s", plan->units[i].name_zh);
        snprintf(rep->names[i].en, sizeof rep->names[i].en, "%s", plan->units[i].name_en);
    }
    rep->n_names = plan->n_units;
    return FM_OK;
}

const char *report_unit_name_of(const report *r, const char *code, bool chinese)
{
    if (code == NULL)
        return NULL;
    for (size_t i = 0; i < r->n_names; i++)
        if (strcmp(r->names[i].code, code) == 0)
            return chinese ? r->names[i].zh : r->names[i].en;
    if (strcmp(code, "UNKNOWN") == 0)
        return chinese ? "未知（保单未找到）" : "Unknown (no policy found)";
    if (strcmp(code, REPORT_CITY_CODE) == 0)
        return chinese ? "全市" : "Whole city";
    return NULL;
}

fm_status report_load(PGconn *conn, int plan_year, const char *unit, const fm_plan *plan,
                      const report_rule *rule, report *out, fm_error *err)
{
    report rep;
    memset(&rep, 0, sizeof rep);
    rep.plan_year = plan_year;
    rep.rule = *rule;
    rep.rule.expected_loss_bp =
        plan != NULL ? plan->expected_loss_ratio_bp : FM_EXPECTED_LOSS_RATIO_BP_DEFAULT;
    if (unit != NULL)
        snprintf(rep.unit, sizeof rep.unit, "%s", unit);
    report_table *T = rep.tables;
    report_table_init(&T[REPORT_T_SUMMARY], "summary", "概览", "Summary", summary_cols, N(summary_cols));
    T[REPORT_T_SUMMARY].vertical = true;
    report_table_init(&T[REPORT_T_PROBLEMS], "problems", "存在突出问题", "Problems found", problem_cols,
                      N(problem_cols));
    report_table_init(&T[REPORT_T_YOY_VOLUME], "yoy_volume", "与上年对比：参保与理赔",
                      "Year over year: enrollment and claims", yoy_volume_cols, N(yoy_volume_cols));
    report_table_init(&T[REPORT_T_YOY_RATES], "yoy_rates", "与上年对比：赔付率、时效、拒赔与风险信号",
                      "Year over year: loss ratio, settlement time, declines and fraud signals",
                      yoy_rates_cols, N(yoy_rates_cols));
    report_table_init(&T[REPORT_T_FREQUENCY], "claim_frequency", "出险率与件均赔付",
                      "Claim frequency and average paid", frequency_cols, N(frequency_cols));
    report_table_init(&T[REPORT_T_PENDING_AGE], "pending_by_age", "待审核案件账龄",
                      "Claims pending review by age", pending_cols, N(pending_cols));
    report_table_init(&T[REPORT_T_TREND], "declines_fraud_trend", "拒赔与欺诈风险信号趋势",
                      "Declines and fraud signals against the previous year", trend_cols, N(trend_cols));
    T[REPORT_T_YOY_VOLUME].note_zh = "上年 = 上一方案年度；“—”表示该年度无数据（不是零）。";
    T[REPORT_T_YOY_VOLUME].note_en =
        "Previous year = the previous plan year; \"—\" means no data that year (not zero).";
    T[REPORT_T_YOY_RATES].note_zh = "赔付率 = 赔付金额 ÷ 保费收入（无保费时无赔付率）；“—”表示无数据。";
    T[REPORT_T_YOY_RATES].note_en =
        "Loss ratio = paid / premium (none without premium); \"—\" means no data.";
    T[REPORT_T_FREQUENCY].note_zh = "每千名参保人案件数 = 案件数（含待审核、拒赔）÷ 参保人数 × "
                                    "1000；件均赔付 = 赔付金额 ÷ 全额及部分赔付案件数。";
    T[REPORT_T_FREQUENCY].note_en =
        "Claims per 1,000 insured = claims (pending and declined included) / insured persons x 1000; "
        "average paid = paid / approved and partly paid claims.";
    T[REPORT_T_PENDING_AGE].note_zh =
        "待审核（等待复核或补充材料）的案件，按报案日至今日（北京时间）的天数分段；申请金额为其票据金额（身故"
        "等定额责任为0）；审核前核算金额为当前决定在复核前算出的金额。";
    T[REPORT_T_PENDING_AGE].note_en =
        "Claims pending review (awaiting a reviewer or documents) by days from report date to today "
        "(Asia/Shanghai); claimed = their bills (0 for a sum-insured liability such as death); assessed = "
        "what their "
        "current decision computed before review.";
    T[REPORT_T_TREND].note_zh = "拒赔案件与各类欺诈风险信号，本年与上一方案年度对比；增减 = 本年 − 上年。";
    T[REPORT_T_TREND].note_en =
        "Declined claims and each kind of fraud signal, this plan year against the previous; "
        "change = this year - previous.";
    report_table_init(&T[REPORT_T_ENROLLMENT], "enrollment", "参保情况", "Enrollment", enrollment_cols,
                      N(enrollment_cols));
    report_table_init(&T[REPORT_T_PREMIUM], "premium", "保费收入", "Premium income", premium_cols,
                      N(premium_cols));
    report_table_init(&T[REPORT_T_CLAIMS], "claims_by_liability", "理赔情况（按责任、被保险人、单位）",
                      "Claims by liability, insured and unit", claims_cols, N(claims_cols));
    report_table_init(&T[REPORT_T_LOSS_RATIO], "loss_ratio", "赔付率", "Loss ratio", loss_cols, N(loss_cols));
    report_table_init(&T[REPORT_T_SETTLEMENT], "settlement_time", "结案时效", "Settlement time",
                      settlement_cols, N(settlement_cols));
    report_table_init(&T[REPORT_T_DECLINES], "decline_reasons", "拒赔原因排名", "Decline reasons ranked",
                      decline_cols, N(decline_cols));
    report_table_init(&T[REPORT_T_FRAUD], "fraud_signals", "欺诈风险信号", "Fraud signals", fraud_cols,
                      N(fraud_cols));
    report_table_init(&T[REPORT_T_SUBSIDY], "subsidy_reconciliation", "财政补贴核对",
                      "Subsidy reconciliation", subsidy_cols, N(subsidy_cols));
    report_payments_init(&T[REPORT_T_WITHDRAWALS], &T[REPORT_T_PAYMENTS]);
    report_table_init(&T[REPORT_T_MONTHLY], "claims_by_month", "月度理赔", "Claims by month", monthly_cols,
                      N(monthly_cols));
    report_appeals_init(&T[REPORT_T_APPEALS]);
    report_policy_init(&T[REPORT_T_POLICY]);
    T[REPORT_T_CLAIMS].note_zh = "赔付金额 = 全额及部分赔付案件的应付金额；待审核案件不计赔付。";
    T[REPORT_T_CLAIMS].note_en =
        "Paid = the payable of approved and partly paid claims; pending claims pay nothing yet.";
    T[REPORT_T_SETTLEMENT].note_zh = "从受理理赔申请之日到当前决定日期（北京时间）的天数，不含待审核案件。";
    T[REPORT_T_SETTLEMENT].note_en = "Days from the claim's receipt to its current decision (Asia/Shanghai "
                                     "dates), pending claims excluded.";
    T[REPORT_T_DECLINES].note_zh = "当前为拒赔的案件按其决定原因统计。";
    T[REPORT_T_DECLINES].note_en = "Claims declined now, counted by the reasons of their current decision.";
    T[REPORT_T_SUBSIDY].note_zh =
        "应拨 = 每户40元 × 已接受的A类家庭（各出资方份额取自参保决定）；差额 = 应拨 − 已拨。";
    T[REPORT_T_SUBSIDY].note_en = "Expected = 4000 fen x accepted category-A households (per payer as "
                                  "decided); gap = expected - allocated.";

    fm_status st = copy_names(&rep, plan);
    if (st != FM_OK)
        goto fail;
    /* One snapshot for every table, so that the totals agree with each other. */
    if ((st = fm_pg_exec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err)) != FM_OK)
        goto fail;
    struct {
        report_table_id id;
        const char *sql;
    } loads[] = {
        {REPORT_T_ENROLLMENT, sql_enrollment},
        {REPORT_T_PREMIUM, sql_premium},
        {REPORT_T_CLAIMS, sql_claims},
        {REPORT_T_LOSS_RATIO, sql_loss},
        {REPORT_T_SETTLEMENT, sql_settlement},
        {REPORT_T_DECLINES, sql_declines},
        {REPORT_T_FRAUD, sql_fraud},
        {REPORT_T_SUBSIDY, sql_subsidy},
        {REPORT_T_MONTHLY, sql_monthly},
        {REPORT_T_WITHDRAWALS, report_sql_withdrawals},
        {REPORT_T_PAYMENTS, report_sql_payments},
    };
    for (size_t i = 0; i < N(loads); i++) {
        if ((st = load_table(conn, &T[loads[i].id], loads[i].sql, plan_year, unit, err)) != FM_OK)
            goto fail;
        if (loads[i].id != REPORT_T_SETTLEMENT && (st = report_table_sum_total(&T[loads[i].id])) != FM_OK)
            goto fail;
    }
    if ((st = report_policy_load(conn, &T[REPORT_T_POLICY], plan_year, unit, plan, err)) != FM_OK)
        goto fail;
    T[REPORT_T_DECLINES].total[0].null = true; /* a sum of ranks means nothing */
    fill_loss_ratios(&T[REPORT_T_LOSS_RATIO]);
    report_payments_finish(&T[REPORT_T_PAYMENTS]);
    if ((st = settlement_total(conn, &rep, err)) != FM_OK)
        goto fail;
    if ((st = fill_yoy(conn, &rep, err)) != FM_OK ||
        (st = fill_pending_and_trend(conn, &rep, err)) != FM_OK ||
        (st = report_appeals_load(conn, &rep, err)) != FM_OK ||
        (st = read_text(conn, sql_cutoff, &rep, rep.cutoff, sizeof rep.cutoff, err)) != FM_OK ||
        (st = read_text(conn, sql_versions, &rep, rep.plan_versions, sizeof rep.plan_versions, err)) != FM_OK)
        goto fail;
    if ((st = fill_summary(&rep)) != FM_OK)
        goto fail;
    if ((st = fill_problems(conn, &rep, err)) != FM_OK)
        goto fail;
    if ((st = fm_pg_exec(conn, "COMMIT", err)) != FM_OK)
        goto fail;
    *out = rep;
    return FM_OK;
fail:
    if (st == FM_ENOMEM)
        fm_error_set(err, "", "NO_MEMORY", "out of memory building the report");
    if (PQtransactionStatus(conn) != PQTRANS_IDLE)
        PQclear(PQexec(conn, "ROLLBACK"));
    report_free(&rep);
    return st;
}

void report_free(report *r)
{
    for (size_t i = 0; i < REPORT_T_COUNT; i++)
        report_table_free(&r->tables[i]);
    free(r->names);
    r->names = NULL;
    r->n_names = 0;
}
