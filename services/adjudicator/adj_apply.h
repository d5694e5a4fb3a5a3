/* adj_apply.h — deciding claims and reviews of a batch against its facts: prepare, decide, buffer, publish.
 */
#ifndef ADJ_APPLY_H
#define ADJ_APPLY_H

#include <libpq-fe.h>

#include "adj_batch.h"
#include "adj_config.h"
#include "adj_store.h"
#include "fm_claim_rules.h"
#include "fm_error.h"
#include "fm_event_id.h"
#include "fm_explain.h"
#include "fm_keyring.h"
#include "fm_model.h"
#include "fm_pgstmt.h"
#include "fm_plan.h"

/* What apply needs besides the event. Borrowed for the service's lifetime. */
typedef struct adj_env {
    const fm_plan_catalogue *catalogue;
    const fm_keyring *keyring; /* person keys: claims are matched under every key, see adj_prepare */
    adj_config cfg;
    fm_pg_stmts *cache; /* the worker's prepared statements (mutable; NULL: none) */
} adj_env;

/* The claim.decided event to publish through the outbox (key: the policy number). */
typedef struct adj_output {
    char event_id[FM_EVENT_ID_LEN + 1];
    char *key;                /* malloc'ed; owned */
    char *payload;            /* malloc'ed JSON; owned */
    fm_claim_outcome outcome; /* for logs and tests */
    fm_fen payable;
    /* What the decision added to the usage, for the payment step's reservation (adj_payment.h): set when
     * reserved (the usage changed on a known policy). */
    bool reserved;
    int plan_year;
    char person_key[FM_PERSON_KEY_LEN];
    fm_claim_usage usage_delta;
    fm_fen household_delta[FM_LIAB_COUNT];
} adj_output;

void adj_output_free(adj_output *o);

/* The event id of the claim.decided that decides source_event_id (fm_derived_event_id, FM_ID_CLAIM_DECIDED):
 * "famins-clm-dec-<source id>", or, when that exceeds FM_EVENT_ID_LEN, "famins-clm-dec-h" + a 32-hex-digit
 * hash of the source id. Pure and stable, so that a replayed decision gets the same id. */
void adj_decided_event_id(const char *source_event_id, char out[FM_EVENT_ID_LEN + 1]);

/* The plan a claim is decided with: the policy's plan year when the policy is known (NULL when the catalogue
 * lacks it); otherwise the plan year covering the incident date, else the latest one starting before it, else
 * the first (a claim on an unknown policy is declined whatever the plan; the decision still names one). */
const fm_plan *adj_plan_for_claim(const fm_plan_catalogue *cat, const fm_claim_context *ctx,
                                  fm_date incident);

/*
 * A batch in three steps (the worker's prepare_batch, apply, end_batch):
 * adj_prepare reads everything the batch's claims and reviews need into b (a few statements for the whole
 * batch: the reviewed claims, the facts with the invoice locks, the invoices claimed); adj_decide_claim and
 * adj_decide_review decide one event each in memory, against the facts as the batch's earlier events left
 * them, and buffer its rows; adj_store_write (adj_store.h) writes them. b must have been reset
 * (adj_batch_reset) before adj_prepare. claims and reviews are borrowed for the call. adj_prepare returns
 * FM_OK, FM_EDB (redo the batch), FM_ECONFIG (missing privilege), FM_ENOMEM.
 */
fm_status adj_prepare(const adj_env *env, PGconn *conn, adj_batch *b, const fm_claim *const *claims,
                      size_t n_claims, const fm_review *const *reviews, size_t n_reviews, fm_error *err);

/*
 * Decides a claim.submitted of the prepared batch and buffers its rows: claims, claim_bills, invoices_claimed
 * (first claim wins), claim_decisions (kind initial), the new usage, fraud_signals; fills out with the
 * claim.decided event (the caller adds it to the outbox). A claim on an unknown policy or for a person not
 * insured is a decision (POLICY_NOT_FOUND, PERSON_NOT_INSURED).
 * Returns FM_OK; FM_EINVAL when the message must be a dead letter, err->code saying why:
 *   INVALID_ID_NUMBER   the identity number cannot be keyed,
 *   DUPLICATE_CLAIM_ID  the claim_id is already recorded under another event (the first claim stands; a
 *                       decline on claim.decided would read, downstream, as a decline of the first claim),
 *   EVENT_ID_CONFLICT   the event id already recorded another claim earlier in this batch,
 *   a code of the rules (e.g. AMOUNT_OUT_OF_RANGE);
 * FM_ECONFLICT (DECIDED_ELSEWHERE) when the facts read found the event recorded although the runtime's
 * deduplication read did not: another member committed it meanwhile; the runtime redoes the batch;
 * FM_ECONFIG (the policy's plan year is not in the catalogue; NOT_PREPARED: the claim was not given to
 * adj_prepare), FM_ENOMEM. On FM_EINVAL the batch must be redone without the message (b may hold part of it).
 */
fm_status adj_decide_claim(const adj_env *env, adj_batch *b, const adj_source *src, const fm_claim *c,
                           const char *occurred_at, adj_output *out, fm_error *err);

/*
 * Completes a pending claim with a claim.reviewed: re-decides it with fm_decide_review against the usage
 * available now, buffers claim_decisions (kind review), claim_reviews, the claim's new status and the usage.
 * A review of a claim that is not pending_review (already decided, or reviewed before) is recorded in
 * claim_reviews with ignored_reason REVIEW_NOT_APPLICABLE and status unchanged, and ignored: FM_OK with out
 * empty (payload NULL: nothing to publish). A review that names no recorded claim, or another policy number
 * than the claim's, cannot be recorded against a claim: a dead letter REVIEW_NOT_APPLICABLE. Other errors as
 * adj_decide_claim.
 */
fm_status adj_decide_review(const adj_env *env, adj_batch *b, const adj_source *src, const fm_review *r,
                            const char *occurred_at, adj_output *out, fm_error *err);

/* One event as a batch of its own on conn, inside the caller's transaction: prepare, decide, write. Used by
 * tests and by the reference run. Statuses as adj_decide_claim / adj_decide_review, plus adj_store_write's
 * (FM_EDB with the SQLSTATE in err->code when the database refused a row). */
fm_status adj_apply_claim(const adj_env *env, PGconn *conn, const adj_source *src, const fm_claim *c,
                          const char *occurred_at, adj_output *out, fm_error *err);
fm_status adj_apply_review(const adj_env *env, PGconn *conn, const adj_source *src, const fm_review *r,
                           const char *occurred_at, adj_output *out, fm_error *err);

/* For adj_life.c (documents added, appeals), which decides stored claims as adj_decide_review does: the claim
 * context from the batch's facts (*policy: the policy's fact), the plan (with the configured threshold),
 * which bills other claims claimed, the claim.decided encoding (with the two explanation lines it carries,
 * for the decision's record) and the usage a decision leaves. Statuses as the functions they share. */
fm_status adj_apply_context_of(const adj_batch *b, const char *policy_number, const char *person_key,
                               fm_claim_context *ctx, const adj_policy_fact **policy, fm_error *err);
fm_status adj_apply_choose_plan(const adj_env *env, const fm_claim_context *ctx, fm_date incident,
                                fm_plan *out, fm_error *err);
void adj_apply_claimed_bills(const adj_batch *b, const fm_claim *c, const char *own_claim_id,
                             bool out[FM_MAX_BILLS]);
fm_status adj_apply_describe(const fm_claim *c, const fm_claim_decision *d, const char *source_event_id,
                             const char *occurred_at, adj_output *out, char **params_json, fm_explanation *x,
                             fm_error *err);
fm_status adj_apply_keep_usage(adj_batch *b, const fm_claim *c, int plan_year, const char *person_key,
                               const fm_claim_decision *d);

#endif
