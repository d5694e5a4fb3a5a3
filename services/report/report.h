/* report.h — the annual claims report (年度理赔报告) of one plan year: read from the reporting views into
 * tables. */
#ifndef REPORT_H
#define REPORT_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "fm_error.h"
#include "fm_plan.h"
#include "report_problems.h"
#include "report_table.h"

/* The tables, in the order the report shows them. */
typedef enum report_table_id {
    REPORT_T_SUMMARY = 0,
    REPORT_T_PROBLEMS,
    REPORT_T_YOY_VOLUME,  /* year over year: households, insured, claims, paid */
    REPORT_T_YOY_RATES,   /* year over year: loss ratio, settlement days, declines, fraud signals */
    REPORT_T_FREQUENCY,   /* claims per 1,000 insured, average paid per paid claim */
    REPORT_T_PENDING_AGE, /* claims pending review by age, amount outstanding */
    REPORT_T_TREND,       /* declines and fraud signals against the previous year */
    REPORT_T_ENROLLMENT,
    REPORT_T_PREMIUM,
    REPORT_T_CLAIMS,
    REPORT_T_LOSS_RATIO,
    REPORT_T_SETTLEMENT,
    REPORT_T_DECLINES,
    REPORT_T_FRAUD,
    REPORT_T_SUBSIDY,
    REPORT_T_MONTHLY,
    REPORT_T_APPEALS,     /* claim-life: appeals by unit (report_appeals.c) */
    REPORT_T_WITHDRAWALS, /* claim-pay (issue 15): report_payments.c */
    REPORT_T_PAYMENTS,
    REPORT_T_POLICY, /* issue 16: premium, reversals, cancellations, lapses, members added (report_policy.c)
                      */
    REPORT_T_COUNT
} report_table_id;

typedef struct report_unit_name {
    char code[FM_CODE_LEN];
    char zh[FM_NAME_LEN];
    char en[FM_NAME_LEN];
} report_unit_name;

typedef struct report {
    int plan_year;
    char unit[32];                     /* "" for the whole city */
    char plan_version[FM_VERSION_LEN]; /* of the catalogue the names came from, "" when none */
    report_unit_name *names;           /* owned */
    size_t n_names;
    report_rule rule;
    bool prev_year_empty;    /* the previous plan year has no enrollment and no claim in scope */
    char cutoff[40];         /* latest decided_at included, "YYYY-MM-DD HH:MM:SS" Asia/Shanghai; "" none */
    char plan_versions[160]; /* catalogue versions the year's decisions name, comma-separated; "" none */
    report_table tables[REPORT_T_COUNT];
} report;

/* Reads the report of plan_year (and only unit, when unit is not NULL) from the famins_report views through
 * conn, in one read-only repeatable-read transaction (a consistent snapshot). plan (may be NULL) gives the
 * units' names and the expected loss ratio (rule->expected_loss_bp is replaced by the plan's, or the default
 * without a plan). On FM_OK *out is filled and the caller frees it with report_free. FM_EDB (err holds the
 * server's message), FM_ENOMEM. On failure *out holds nothing to free. */
fm_status report_load(PGconn *conn, int plan_year, const char *unit, const fm_plan *plan,
                      const report_rule *rule, report *out, fm_error *err);

void report_free(report *r);

/* The Chinese or English name of a managing unit, or NULL when the catalogue does not know it. */
const char *report_unit_name_of(const report *r, const char *code, bool chinese);

#endif
