/* adj_apply.h — deciding one claim or one review inside the batch transaction: look up, decide, record, publish. */
#ifndef ADJ_APPLY_H
#define ADJ_APPLY_H

#include <libpq-fe.h>

#include "adj_config.h"
#include "adj_store.h"
#include "fm_claim_rules.h"
#include "fm_error.h"
#include "fm_model.h"
#include "fm_plan.h"

/* What apply needs besides the event. Borrowed for the service's lifetime. */
typedef struct adj_env {
    const fm_plan_catalogue *catalogue;
    const char *person_key_secret;
    adj_config cfg;
} adj_env;

/* The claim.decided event to publish through the outbox (key: the policy number). */
typedef struct adj_output {
    char event_id[65];
    char *key;                   /* malloc'ed; owned */
    char *payload;               /* malloc'ed JSON; owned */
    fm_claim_outcome outcome;    /* for logs and tests */
    fm_fen payable;
} adj_output;

void adj_output_free(adj_output *o);

/* The event id of the claim.decided that decides source_event_id: "famins-clm-dec-<source id>", or, when that
 * exceeds the contract's 64 characters, "famins-clm-dec-h" + a 32-hex-digit hash of the source id. Pure and
 * stable, so that a replayed decision gets the same id. */
void adj_decided_event_id(const char *source_event_id, char out[65]);

/* The current time as RFC 3339 in Asia/Shanghai (UTC+8, no daylight saving): "2026-06-02T10:00:03+08:00". */
void adj_now_shanghai(char out[32]);

/* The plan a claim is decided with: the policy's plan year when the policy is known (NULL when the catalogue
 * lacks it); otherwise the plan year covering the incident date, else the latest one starting before it, else
 * the first (a claim on an unknown policy is declined whatever the plan; the decision still names one). */
const fm_plan *adj_plan_for_claim(const fm_plan_catalogue *cat, const fm_claim_context *ctx, fm_date incident);

/*
 * Decides a claim.submitted and records everything in conn's open transaction: claims, claim_bills,
 * invoices_claimed (first claim wins), claim_decisions (kind initial), the new usage, fraud_signals; fills out
 * with the claim.decided event (the caller adds it to the outbox). A claim on an unknown policy or for a person
 * not insured is a decision (POLICY_NOT_FOUND, PERSON_NOT_INSURED).
 * Returns FM_OK; FM_EINVAL when the message must be a dead letter, err->code saying why:
 *   DUPLICATE_CLAIM_ID  the claim_id is already recorded under another event (the first claim stands; a
 *                       decline on claim.decided would read, downstream, as a decline of the first claim),
 *   EVENT_ID_CONFLICT   the event id already recorded another claim,
 *   DATA_REJECTED       the database refused a value, or a code of the rules (e.g. AMOUNT_OUT_OF_RANGE);
 * FM_EDB (redo the batch), FM_ECONFIG (the policy's plan year is not in the catalogue, or a privilege is
 * missing: stop), FM_ENOMEM. On any error the caller must roll back (earlier writes may have happened).
 */
fm_status adj_apply_claim(const adj_env *env, PGconn *conn, const adj_source *src, const fm_claim *c,
                          const char *occurred_at, adj_output *out, fm_error *err);

/*
 * Completes a pending claim with a claim.reviewed: re-decides it with fm_decide_review against the usage
 * available now, records claim_decisions (kind review), claim_reviews, the claim's new status and the usage.
 * A review that applies to no pending claim is a dead letter REVIEW_NOT_APPLICABLE (unknown claim_id, another
 * policy number than the claim's, or a claim that is not pending_review: already decided or reviewed).
 * Other errors as adj_apply_claim.
 */
fm_status adj_apply_review(const adj_env *env, PGconn *conn, const adj_source *src, const fm_review *r,
                           const char *occurred_at, adj_output *out, fm_error *err);

#endif
