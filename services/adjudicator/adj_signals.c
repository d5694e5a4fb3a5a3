/* adj_signals.c — fraud signals of a claim (see adj_signals.h for each code's definition). */
#include "adj_signals.h"

#include <stdio.h>
#include <string.h>

#include "fm_dates.h"

fm_status adj_claimed_amount(const fm_claim *c, fm_fen *out, fm_error *err)
{
    fm_fen total = 0;
    for (size_t i = 0; i < c->n_bills; i++) {
        if (c->bills[i].amount < 0 || __builtin_add_overflow(total, c->bills[i].amount, &total)) {
            fm_error_set(err, "bills", "AMOUNT_OUT_OF_RANGE", "the billed total does not fit in 64 bits");
            return FM_EINVAL;
        }
    }
    *out = total;
    return FM_OK;
}

static adj_signal *add(adj_signals *s, const char *code)
{
    adj_signal *x = &s->items[s->n++];
    x->code = code;
    x->detail[0] = '\0';
    return x;
}

fm_status adj_find_signals(const adj_config *cfg, const fm_plan *plan, const fm_claim *c,
                           const fm_claim_context *ctx, const fm_claim_decision *d, adj_signals *out,
                           fm_error *err)
{
    memset(out, 0, sizeof *out);
    fm_fen claimed;
    fm_status st = adj_claimed_amount(c, &claimed, err);
    if (st != FM_OK)
        return st;

    size_t excluded = 0;
    for (size_t i = 0; i < d->n_bills && i < FM_MAX_BILLS; i++)
        excluded += d->bill_excluded[i];
    /* The rules stop before the amount on an earlier decline; the facts still show a re-used invoice. */
    size_t seen = 0;
    for (size_t i = 0; i < c->n_bills && i < FM_MAX_BILLS; i++)
        seen += ctx->bill_already_claimed[i];
    if (excluded > 0 || seen > 0)
        snprintf(add(out, "DUPLICATE_INVOICE")->detail, ADJ_SIGNAL_DETAIL_LEN,
                 "%zu of %zu bills already claimed", excluded > seen ? excluded : seen, c->n_bills);

    if (d->cause_implausible) /* the rules applied the waiting period as for an illness */
        snprintf(add(out, "CAUSE_IMPLAUSIBLE")->detail, ADJ_SIGNAL_DETAIL_LEN,
                 "critical illness %s declared as accident; the plan does not mark it as one an accident can "
                 "cause",
                 c->critical_illness_code != NULL ? c->critical_illness_code : "(none)");

    if (ctx->policy_found && !ctx->person_found)
        snprintf(add(out, "PERSON_NOT_INSURED")->detail, ADJ_SIGNAL_DETAIL_LEN,
                 "the claimed person is not insured under policy %s", c->policy_number);

    if (ctx->policy_found && ctx->person_found) {
        char start[FM_DATE_TEXT_LEN] = "";
        (void)fm_date_format(ctx->coverage_start, start, sizeof start);
        int64_t days = (int64_t)c->incident_date - ctx->coverage_start;
        if (days < 0)
            snprintf(add(out, "INCIDENT_BEFORE_COVERAGE")->detail, ADJ_SIGNAL_DETAIL_LEN,
                     "incident %lld days before coverage start %s", (long long)-days, start);
        else if (!ctx->renewal && days < cfg->early_claim_days)
            snprintf(add(out, "EARLY_CLAIM")->detail, ADJ_SIGNAL_DETAIL_LEN,
                     "incident %lld days after coverage start %s (signal below %d days)", (long long)days,
                     start, (int)cfg->early_claim_days);

        if (fm_liability_is_medical(c->liability) && (int)ctx->role >= 0 && ctx->role < FM_ROLE_COUNT) {
            fm_fen usual = plan->liabilities[c->liability].person_limit[ctx->role];
            /* claimed > factor x usual, exactly: claimed * 10000 > factor_bp * usual in 128 bits. */
            if (usual > 0 && (__int128)claimed * 10000 > (__int128)cfg->unusual_factor_bp * usual)
                snprintf(add(out, "AMOUNT_UNUSUAL")->detail, ADJ_SIGNAL_DETAIL_LEN,
                         "billed %lld fen, above %d.%04d x the %s limit %lld fen of a %s", (long long)claimed,
                         (int)(cfg->unusual_factor_bp / 10000), (int)(cfg->unusual_factor_bp % 10000),
                         fm_liability_name(c->liability), (long long)usual, fm_role_name(ctx->role));
        }
    }
    return FM_OK;
}
