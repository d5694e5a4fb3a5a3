/* adj_life.h — a claim's later life on claim.events: documents sent after it, appeals and their reviews. */
#ifndef ADJ_LIFE_H
#define ADJ_LIFE_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "adj_apply.h"
#include "adj_batch.h"
#include "fm_decode.h"
#include "fm_decode_claim_life.h"
#include "fm_map.h"

#define ADJ_KIND_LEN 16

/* One decoded claim-life event (type: FM_EVENT_CLAIM_DOCUMENTS_ADDED, _APPEALED or _APPEAL_REVIEWED). */
typedef struct adj_life_event {
    fm_event_type type;
    fm_documents_added docs;
    fm_appeal appeal;
    fm_appeal_review review;
} adj_life_event;

/* What the claim-life events of a batch know of a claim beyond adj_claim_fact (key: claim id): its current
 * decision and its open appeal, read by adj_life_prepare and kept up to date by the batch's decisions. */
typedef struct adj_life_claim {
    bool known;                               /* its current decision is known (read, or made in the batch) */
    char decision_event[FM_EVENT_ID_LEN + 1]; /* the source event id of the current decision */
    char decision_kind[ADJ_KIND_LEN];         /* initial | review | documents | appeal */
    fm_fen decision_full;                     /* its full amount */
    fm_reason reasons[FM_MAX_CLAIM_REASONS];  /* its reasons */
    size_t n_reasons;
    char open_appeal[FM_EVENT_ID_LEN + 1]; /* the event id of the appeal awaiting review, "" when none */
    bool documents_dirty;                  /* documents added in the batch: claims.documents updated */
    fm_documents documents;                /* the claim's documents then (when documents_dirty) */
} adj_life_claim;

/* A row of the claim-life tables (strings owned; documents as a text[] literal). */
typedef struct adj_life_row {
    int table; /* 0: claim_documents_received, 1: claim_appeals, 2: claim_appeal_reviews */
    char *claim_id, *event_id, *documents, *text, *reviewer, *note;
    char *other_event;  /* appeal: its original decision's event; appeal review: the appeal's event */
    const char *result; /* documents: redecided | still_missing | ignored; appeal review: its action */
    const char *reason; /* ignored or refused reason (static), NULL when none */
    char status_before[ADJ_STATUS_LEN], status_after[ADJ_STATUS_LEN];
    fm_fen payable_before, payable_after;
    bool has_amount;
    fm_fen amount;
    bool has_decision; /* the decision made by the row's event (claim_decisions.source_event_id) */
} adj_life_row;

/* The claim-life part of a batch (a zeroed struct is empty). */
typedef struct adj_life_batch {
    fm_map claims; /* adj_life_claim */
    adj_life_row *rows;
    size_t n_rows, cap_rows;
} adj_life_batch;

void adj_life_reset(adj_life_batch *lb);
void adj_life_free(adj_life_batch *lb);
void adj_life_event_free(adj_life_event *ev);

/* True for the three claim-life types. */
bool adj_life_type(fm_event_type t);
/* Decodes a claim-life event of type t from the parsed root into ev (zeroed first). Decoder statuses. */
fm_status adj_life_decode_json(fm_event_type t, const json_t *root, adj_life_event *ev, fm_error *err);
/* The claim id and policy number an event names. */
const char *adj_life_claim_id(const adj_life_event *ev);
const char *adj_life_policy_number(const adj_life_event *ev);

/*
 * The batch's prepare with claim-life events: adj_prepare with the claims they name loaded (rows locked) as a
 * review's are, then one statement for those claims' current decision and open appeal. Statuses as
 * adj_prepare.
 */
fm_status adj_life_prepare(const adj_env *env, PGconn *conn, adj_batch *b, adj_life_batch *lb,
                           const fm_claim *const *claims, size_t n_claims, const fm_review *const *reviews,
                           size_t n_reviews, const adj_life_event *const *life, size_t n_life, fm_error *err);

/* A decision made in the batch by a claim or a review (out: its claim.decided): the claim-life events later
 * in the batch see it as the claim's current decision. Only claims a claim-life event names are noted. */
fm_status adj_life_note(adj_life_batch *lb, const char *claim_id, const char *kind, const adj_output *out);

/*
 * Decides one claim-life event of the prepared batch; buffers its rows (and its decision, claim status and
 * usage in b); out receives the claim.decided to publish, or stays empty (payload NULL) when the event
 * decides nothing (documents still missing, ignored, an appeal accepted into the queue or refused).
 *   documents_added: adds the documents to a claim pending for DOCUMENTS_MISSING; when none is missing any
 *     more the claim is decided again (fm_decide_claim, kind 'documents') against the limits available now.
 *     Another claim: recorded, ignored (DOCUMENTS_NOT_PENDING).
 *   appealed: a declined or partial claim's appeal opens (the queue), with its current decision attached;
 * else refused: APPEAL_CLAIM_NOT_DECIDED, APPEAL_NOT_ADVERSE, APPEAL_OF_APPEAL_OUTCOME, APPEAL_ALREADY_OPEN.
 *   appeal_reviewed: answers the open appeal: uphold (the decision restated with APPEAL_UPHELD) or overturn
 *     (adj_life_overturn, APPEAL_OVERTURNED), kind 'appeal'; none open: recorded, ignored (APPEAL_NOT_OPEN).
 * FM_EINVAL (a dead letter) for an event without id, a claim id not recorded (CLAIM_NOT_FOUND) or another
 * policy number than the claim's (CLAIM_POLICY_MISMATCH); otherwise statuses as adj_decide_review.
 */
fm_status adj_life_decide(const adj_env *env, adj_batch *b, adj_life_batch *lb, const adj_source *src,
                          const adj_life_event *ev, const char *occurred_at, adj_output *out, fm_error *err);

/* Writes the claim-life rows after adj_store_write (which wrote their decisions): the appeals, then the
 * appeal reviews and the documents received (their decision and appeal joined by event id), and the documents
 * of the claims they changed. Statuses as adj_store_write. */
fm_status adj_life_write(PGconn *conn, adj_life_batch *lb, fm_error *err);

/* adj_life_store.c: the current decision and open appeal of claim_ids into lb->claims (an entry for every
 * id, known when the claim has a decision). fm_pg_run's statuses. */
fm_status adj_life_store_load(PGconn *conn, adj_life_batch *lb, const char *const *claim_ids, size_t n,
                              fm_error *err);

/* One claim-life event as a batch of its own inside the caller's transaction (tests, the reference run). */
fm_status adj_life_apply(const adj_env *env, PGconn *conn, const adj_source *src, const adj_life_event *ev,
                         const char *occurred_at, adj_output *out, fm_error *err);

/*
 * The overturn's arithmetic (pure): the claim pays `payable` now (counted in usage); the reviewer says it
 * should pay `amount` in all. The increase (amount - payable, never negative: an appeal never lowers a
 * decision) is capped by the room the plan leaves the person (and the household, for a shared medical limit)
 * given ctx's usage: death and disability together within the death sum insured; critical illness within its
 * sum insured; medical within the person's (and household's) remaining limit. Fills d: outcome (approved
 * when the new payable reaches max(amount, payable), partial when a limit cut it, declined when nothing is
 * payable), payable, full = max(amount, payable), reasons (LIMIT_REACHED / LIMIT_EXHAUSTED,
 * APPEAL_OVERTURNED), new usage (usage_changed when the increase is > 0). A person or policy not found leaves
 * no room.
 */
void adj_life_overturn(const fm_plan *plan, const fm_claim *c, const fm_claim_context *ctx, fm_fen payable,
                       fm_fen amount, fm_claim_decision *d);

#endif
