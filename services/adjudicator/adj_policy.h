/* adj_policy.h — the adjudicator's side of issue 16: a claim's cover is the member's own (added or removed
 * during the year), ends with the policy's cancellation, and with its lapse where the plan tracks premiums.
 */
#ifndef ADJ_POLICY_H
#define ADJ_POLICY_H

#include "adj_batch.h"
#include "fm_claim_rules.h"
#include "fm_plan.h"

/* Narrows ctx->coverage_start / coverage_end (which the in-force and waiting-period checks read) to what
 * fm_policy_in_force_on allows: the member's own dates, through the cancellation date, through the grace date
 * of a lapsed policy. A policy or person not found: unchanged. */
void adj_policy_cover(const fm_plan *plan, const adj_policy_fact *pol, const adj_person_fact *per,
                      fm_claim_context *ctx);

#endif
