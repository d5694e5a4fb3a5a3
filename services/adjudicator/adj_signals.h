/* adj_signals.h — the fraud signals of a claim: stable codes with a detail line, computed from the facts. */
#ifndef ADJ_SIGNALS_H
#define ADJ_SIGNALS_H

#include <stddef.h>

#include "adj_config.h"
#include "fm_claim_rules.h"
#include "fm_model.h"
#include "fm_plan.h"

/*
 * The codes (stable, reported by plan year and managing unit from famins.fraud_signals):
 *   DUPLICATE_INVOICE        a bill (invoice code + number) was already claimed, in any claim, or twice in
 * this one EARLY_CLAIM              incident within early_claim_days of the coverage start of a person who is
 * not renewing (a renewal has had cover all along, so an early incident is not suspicious)
 *   INCIDENT_BEFORE_COVERAGE incident date before the policy's coverage start
 *   PERSON_NOT_INSURED       the policy exists but the claimed person is not one of its insured
 *   AMOUNT_UNUSUAL           billed total above factor x "usual": the person's per-year medical limit for the
 *                            liability and role (medical liabilities only: the others are lump sums without
 * bills)
 *   CAUSE_IMPLAUSIBLE        a critical illness declared as accident, its diagnosis not accident-causable
 *
 * A signal never changes the decision.
 */
#define ADJ_MAX_SIGNALS 6
#define ADJ_SIGNAL_DETAIL_LEN 200

typedef struct adj_signal {
    const char *code;                   /* static string */
    char detail[ADJ_SIGNAL_DETAIL_LEN]; /* no identity number */
} adj_signal;

typedef struct adj_signals {
    adj_signal items[ADJ_MAX_SIGNALS];
    size_t n;
} adj_signals;

/* The billed total of a claim (sum of bill amounts), FM_EINVAL (AMOUNT_OUT_OF_RANGE) when it overflows. */
fm_status adj_claimed_amount(const fm_claim *c, fm_fen *out, fm_error *err);

/* Fills out with every signal that applies. plan is the plan the claim was decided with; ctx the facts
 * looked up; d the first decision. Pure. FM_OK, or FM_EINVAL for a claimed total that overflows. */
fm_status adj_find_signals(const adj_config *cfg, const fm_plan *plan, const fm_claim *c,
                           const fm_claim_context *ctx, const fm_claim_decision *d, adj_signals *out,
                           fm_error *err);

#endif
