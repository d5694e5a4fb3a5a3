/* adj_policy.c — a claim's cover after the policy's changes (issue 16), for the rules' in-force check. */
#include "adj_policy.h"

#include "fm_policy_rules.h"

void adj_policy_cover(const fm_plan *plan, const adj_policy_fact *pol, const adj_person_fact *per,
                      fm_claim_context *ctx)
{
    if (pol == NULL || !pol->found || !ctx->policy_found)
        return;
    fm_date from = ctx->coverage_start, to = ctx->coverage_end;
    if (per != NULL && per->found && per->own_cover) {
        /* Added: from the day after the change (the waiting period counts from there too); removed: through
         * the day of the change. */
        if (per->covered_from > from)
            from = per->covered_from;
        if (per->covered_to < to)
            to = per->covered_to;
    }
    if (pol->cancelled && pol->cancelled_on < to)
        to = pol->cancelled_on;
    if (plan != NULL) {
        fm_date grace = fm_policy_grace_date(plan, pol->coverage_start);
        fm_fen paid_by_grace = pol->fully_paid && pol->fully_paid_on <= grace ? pol->premium_due : 0;
        if (fm_policy_lapsed(plan, pol->premium_due, paid_by_grace) && grace < to)
            to = grace;
    }
    ctx->coverage_start = from;
    ctx->coverage_end = to;
}
