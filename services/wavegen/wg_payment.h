/* wg_payment.h — the payment side of a generated claim (issue 15): its payee block, and after its decision
 * the bank's results, payee corrections and the family's withdrawals, with their labels, by construction. */
#ifndef WG_PAYMENT_H
#define WG_PAYMENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "fm_error.h"
#include "wg_emit.h"

/* What the generator knows of one emitted claim or review (all borrowed). */
typedef struct wg_payment_claim {
    const char *key;      /* the policy number sent */
    const char *producer; /* envelope producer */
    const char *claim_id;
    const char *event_id; /* the claim's or review's: famins derives its instruction ids from it */
    bool death;           /* paid to beneficiaries (two, 60/40) */
    bool child;           /* paid to the guardian, else to the insured */
    const char *outcome;  /* the label's intended outcome */
    int64_t payable;
    bool reviewed_later; /* a pending claim a review of the batch completes later (never withdrawn) */
    int32_t report;      /* the claim's report date (day number): the events come after it */
} wg_payment_claim;

/* Whether wg_payment_after withdraws the claim (a pending one no review completes, chosen by its id's hash):
 * the claim's later life (wg_claim_life) must then know it is no longer pending. */
bool wg_payment_withdraws(const wg_payment_claim *c);

/* Adds the claim's payee block to its JSON object o (accounts derived from the claim id). FM_ENOMEM. */
fm_status wg_payment_add_payee(json_t *o, const wg_payment_claim *c);

/*
 * The events that follow a claim's (or review's) decision, chosen from a hash of the claim id (never from the
 * claim's random stream, so that the claims stay the bytes they were): for an approved or partial one with a
 * payable, a paid result for each recipient (60 %), a failed one, the payee corrected and the re-issued
 * instruction paid (15 %), a paid result sent twice, the second recorded and ignored (5 %), or nothing yet
 * (outstanding); for a pending claim no review completes, a withdrawal (30 %). Instruction ids are famins'
 * by construction: "famins-pay-<event id>-<recipient>". Labels: kind "payment" or "withdrawal", expected
 * {"claim_id", "outcome": "payment_applied" | "payment_ignored" | "withdrawn", "reason": null | code}.
 */
fm_status wg_payment_after(const wg_payment_claim *c, wg_emit_fn emit, void *arg);

#endif
