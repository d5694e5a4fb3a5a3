/* report_problems.c — "problems found" (存在突出问题): the units whose figures stand far from the city's. */
#include "report_problems.h"

#include <stdlib.h>
#include <string.h>

#include "report_format.h"

const char *report_indicator_code(report_indicator ind)
{
    switch (ind) {
    case REPORT_IND_LOSS_RATIO: return "loss_ratio";
    case REPORT_IND_DECLINE_RATE: return "decline_rate";
    case REPORT_IND_SETTLEMENT: return "settlement_days";
    case REPORT_IND_SUBSIDY_GAP: return "subsidy_gap";
    case REPORT_IND_LOW_FREQUENCY: return "low_claim_frequency";
    case REPORT_IND_EXPECTED_LOSS: return "loss_ratio_vs_expected";
    }
    return "?";
}

report_measure report_indicator_measure(report_indicator ind)
{
    switch (ind) {
    case REPORT_IND_LOSS_RATIO:
    case REPORT_IND_DECLINE_RATE:
    case REPORT_IND_EXPECTED_LOSS: return REPORT_MEASURE_PERCENT;
    case REPORT_IND_SETTLEMENT: return REPORT_MEASURE_DAYS;
    case REPORT_IND_SUBSIDY_GAP: return REPORT_MEASURE_YUAN;
    case REPORT_IND_LOW_FREQUENCY: return REPORT_MEASURE_PERMILLE;
    }
    return REPORT_MEASURE_PERCENT;
}

/* value > factor_pct % of city, in integers: value * 100 > city * factor_pct. Values are bp or tenths of a
 * day, far below 2^50, so the products fit. */
static bool far_above(int64_t value, int64_t city, int64_t factor_pct)
{
    return value * 100 > city * factor_pct;
}

static fm_status push(report_problem **list, size_t *n, size_t *cap, const char *unit, report_indicator ind,
                      int64_t unit_value, int64_t city_value)
{
    if (*n == *cap) {
        size_t c = *cap == 0 ? 8 : *cap * 2;
        report_problem *grown = realloc(*list, c * sizeof *grown);
        if (grown == NULL)
            return FM_ENOMEM;
        *list = grown;
        *cap = c;
    }
    report_problem *p = &(*list)[(*n)++];
    memset(p, 0, sizeof *p);
    snprintf(p->unit, sizeof p->unit, "%s", unit);
    p->indicator = ind;
    p->unit_value = unit_value;
    p->city_value = city_value;
    return FM_OK;
}

fm_status report_find_problems(const report_unit_stats *units, size_t n, const report_unit_stats *city,
                               const report_rule *rule, report_problem **out, size_t *count)
{
    report_problem *list = NULL;
    size_t len = 0, cap = 0;
    int64_t city_loss = 0, city_decline = 0;
    bool has_city_loss = report_ratio_bp(city->paid, city->premium, &city_loss);
    bool has_city_decline = report_ratio_bp(city->declined, city->decided, &city_decline);
    int64_t city_freq = 0;
    bool has_city_freq = report_ratio_bp(city->claims, city->insured, &city_freq);
    for (size_t i = 0; i < n; i++) {
        const report_unit_stats *u = &units[i];
        int64_t v;
        if (u->decided >= rule->min_claims && has_city_loss && report_ratio_bp(u->paid, u->premium, &v) &&
            far_above(v, city_loss, rule->factor_pct) &&
            push(&list, &len, &cap, u->unit, REPORT_IND_LOSS_RATIO, v, city_loss) != FM_OK)
            goto fail;
        if (u->decided >= rule->min_claims && has_city_decline &&
            report_ratio_bp(u->declined, u->decided, &v) && far_above(v, city_decline, rule->factor_pct) &&
            push(&list, &len, &cap, u->unit, REPORT_IND_DECLINE_RATE, v, city_decline) != FM_OK)
            goto fail;
        if (u->settled >= rule->min_claims && u->has_mean && city->has_mean &&
            far_above(u->mean_tenths, city->mean_tenths, rule->factor_pct) &&
            push(&list, &len, &cap, u->unit, REPORT_IND_SETTLEMENT, u->mean_tenths, city->mean_tenths) !=
                FM_OK)
            goto fail;
        if (u->subsidy_gap != 0 && push(&list, &len, &cap, u->unit, REPORT_IND_SUBSIDY_GAP, u->subsidy_gap,
                                        city->subsidy_gap) != FM_OK)
            goto fail;
        /* Low: frequency x factor below the city's x 100 (a third under the city's at 1.5); a city without
         * claims has nothing to be below. */
        if (u->insured >= rule->min_insured && has_city_freq && city_freq > 0 &&
            report_ratio_bp(u->claims, u->insured, &v) && v * rule->factor_pct < city_freq * 100 &&
            push(&list, &len, &cap, u->unit, REPORT_IND_LOW_FREQUENCY, v, city_freq) != FM_OK)
            goto fail;
    }
    /* The city against the plan: priced for expected_loss_bp, far above means premiums too low (or fraud),
     * far below means the plan pays out little of what households and the budget paid in. */
    if (rule->expected_loss_bp > 0 && city->decided >= rule->min_claims && has_city_loss &&
        (city_loss * 100 > rule->expected_loss_bp * rule->factor_pct ||
         city_loss * rule->factor_pct < rule->expected_loss_bp * 100) &&
        push(&list, &len, &cap, REPORT_CITY_CODE, REPORT_IND_EXPECTED_LOSS, city_loss,
             rule->expected_loss_bp) != FM_OK)
        goto fail;
    *out = list;
    *count = len;
    return FM_OK;
fail:
    free(list);
    return FM_ENOMEM;
}
