/* report_problems.h — "problems found" (存在突出问题): the units whose figures stand far from the city's. */
#ifndef REPORT_PROBLEMS_H
#define REPORT_PROBLEMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fm_error.h"
#include "report_format.h"

/* What "far" means: a unit is named when its indicator exceeds factor_pct % of the city's (150: 1.5 times)
 * and it has at least min_claims decided claims (so that two claims do not make a problem). A subsidy gap
 * (expected differs from allocated) is named whatever its size. Suspiciously low: a unit with at least
 * min_insured insured persons whose claim frequency is below the city's divided by the factor
 * (under-reporting, or claims not reaching the insurer). The city: its loss ratio more than factor times the
 * plan's expected one, or below it divided by the factor (with at least min_claims decided claims;
 * expected_loss_bp 0: not compared). */
typedef struct report_rule {
    int64_t factor_pct;
    int64_t min_claims;
    int64_t min_insured;
    int64_t expected_loss_bp; /* the plan's expected loss ratio; 0: none */
} report_rule;

#define REPORT_RULE_DEFAULT ((report_rule){.factor_pct = 150, .min_claims = 5, .min_insured = 100})

/* The unit code the city-wide problems carry. */
#define REPORT_CITY_CODE "CITY"

/* The figures of one unit, or of the whole city. */
typedef struct report_unit_stats {
    char unit[32];
    int64_t premium; /* fen */
    int64_t paid;    /* fen */
    int64_t decided; /* approved + partial + declined claims */
    int64_t declined;
    int64_t settled;     /* decided claims with a settlement time */
    int64_t mean_tenths; /* mean settlement days x 10 */
    bool has_mean;
    int64_t subsidy_gap; /* fen, expected - allocated */
    int64_t insured;     /* insured persons (children, parents, guardians) */
    int64_t claims;      /* every claim, pending included */
} report_unit_stats;

typedef enum report_indicator {
    REPORT_IND_LOSS_RATIO = 0, /* values in basis points */
    REPORT_IND_DECLINE_RATE,   /* basis points */
    REPORT_IND_SETTLEMENT,     /* tenths of a day */
    REPORT_IND_SUBSIDY_GAP,    /* fen */
    REPORT_IND_LOW_FREQUENCY,  /* claims per 1,000 insured in tenths (= claims / insured in basis points) */
    REPORT_IND_EXPECTED_LOSS   /* the city's loss ratio (unit_value) against the plan's expected (city_value),
                                  bp */
} report_indicator;

typedef struct report_problem {
    char unit[32];
    report_indicator indicator;
    int64_t unit_value;
    int64_t city_value;
} report_problem;

/* The stable code of an indicator ("loss_ratio", "decline_rate", "settlement_days", "subsidy_gap",
 * "low_claim_frequency", "loss_ratio_vs_expected"). */
const char *report_indicator_code(report_indicator ind);

/* The measure an indicator's values are kept in (percent for ratios, permille for the claim frequency, days,
 * yuan for the subsidy gap). */
report_measure report_indicator_measure(report_indicator ind);

/* Finds the problems of units[0..n) against city under rule, in unit order then indicator order, then the
 * city's own (unit REPORT_CITY_CODE). On FM_OK *out is a new array the caller frees (NULL when *count is 0).
 * FM_ENOMEM. */
fm_status report_find_problems(const report_unit_stats *units, size_t n, const report_unit_stats *city,
                               const report_rule *rule, report_problem **out, size_t *count);

#endif
