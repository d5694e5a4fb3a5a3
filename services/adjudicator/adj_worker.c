/* adj_worker.c — the adjudicator's callbacks for the fm_worker runtime: decode claim.events, apply in the
 * batch. */
#include "adj_worker.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fm_clock.h"
#include "fm_decode.h"
#include "fm_intake.h"
#include "fm_sha256.h"

/* What decode hands to apply. The payment side's events (adj_payment_event.c) fill review.claim_id with their
 * claim, so that prepare_batch reads and locks it as it does a review's. */
typedef struct adj_event {
    fm_event_type type;
    fm_claim claim;
    fm_review review;
    char occurred_at[sizeof((fm_envelope *)0)->occurred_at]; /* the claim's receipt, or the review's time */
    adj_life_event life;                                     /* claim-life types (adj_life.h) */
    adj_pay_event pay; /* payment-side types and a claim's payee (adj_payment_event.h) */
} adj_event;

fm_status adj_worker_decode(void *ctx, const fm_raw_message *msg, fm_event *out, fm_error *err)
{
    (void)ctx;
    static const fm_event_type carried[] = {FM_EVENT_CLAIM_SUBMITTED,       FM_EVENT_CLAIM_REVIEWED,
                                            FM_EVENT_CLAIM_DOCUMENTS_ADDED, FM_EVENT_CLAIM_APPEALED,
                                            FM_EVENT_CLAIM_APPEAL_REVIEWED, FM_EVENT_CLAIM_WITHDRAWN,
                                            FM_EVENT_CLAIM_PAYMENT_RESULT,  FM_EVENT_CLAIM_PAYEE_CORRECTED};
    fm_envelope envl;
    uint8_t digest[FM_SHA256_LEN];
    json_t *root = NULL;
    adj_event *ev = NULL;
    /* One parse for the envelope, the body and the content hash (parsing is most of a decoder's cost). The
     * size limit is the runtime's (MESSAGE_TOO_LARGE before decode). */
    fm_status st = fm_intake_open_any(msg->payload, msg->payload_len, (size_t)-1 / 2, carried,
                                      sizeof carried / sizeof carried[0], "claim.events", &root, &envl, err);
    if (st != FM_OK)
        return st;
    if ((ev = calloc(1, sizeof *ev)) == NULL) {
        st = FM_ENOMEM;
        goto fail;
    }
    ev->type = envl.type;
    snprintf(ev->occurred_at, sizeof ev->occurred_at, "%s", envl.occurred_at);
    if (adj_life_type(envl.type)) {
        st = adj_life_decode_json(envl.type, root, &ev->life, err);
    } else {
        st = adj_pay_event_decode(root, &envl, &ev->pay, &ev->review, err);
        if (st == FM_ENOTFOUND) /* not a payment-side event */
            st = envl.type == FM_EVENT_CLAIM_SUBMITTED ? fm_decode_claim_json(root, &ev->claim, err)
                                                       : fm_decode_review_json(root, &ev->review, err);
    }
    if (st == FM_OK)
        st = fm_event_content_hash_json(root, digest, err);
    if (st != FM_OK)
        goto fail;
    json_decref(root);
    snprintf(out->event_id, sizeof out->event_id, "%s", envl.event_id);
    snprintf(out->type, sizeof out->type, "%s", fm_event_type_name(envl.type));
    fm_sha256_to_hex(digest, out->content_hash);
    out->decoded = ev;
    return FM_OK;
fail:
    json_decref(root);
    if (ev != NULL) {
        fm_claim_free(&ev->claim);
        fm_review_free(&ev->review);
        adj_life_event_free(&ev->life);
        adj_pay_event_free(&ev->pay);
        free(ev);
    }
    return st == FM_EINVAL ? fm_intake_dead(err, fm_intake_body_code(err)) : st;
}

fm_status adj_worker_decide(adj_worker *w, PGconn *conn, const fm_raw_message *msg, const fm_event *event,
                            adj_output *out, fm_error *err)
{
    const adj_event *ev = event->decoded;
    adj_source src = {.topic = msg->topic,
                      .partition = msg->partition,
                      .offset = msg->offset,
                      .occurred_at = ev->occurred_at};
    char now[FM_TIMESTAMP_LEN];
    fm_clock_occurred_at(now);
    if (adj_life_type(ev->type))
        return adj_life_apply(&w->env, conn, &src, &ev->life, now, out, err);
    if (ev->pay.kind != ADJ_PAY_NONE) {
        fm_error_set(err, "type", "UNSUPPORTED", "a payment-side event is applied by the worker only");
        return FM_ECONFIG;
    }
    return ev->type == FM_EVENT_CLAIM_SUBMITTED
               ? adj_apply_claim(&w->env, conn, &src, &ev->claim, now, out, err)
               : adj_apply_review(&w->env, conn, &src, &ev->review, now, out, err);
}

fm_status adj_worker_begin_batch(void *ctx, fm_txn *txn, fm_error *err)
{
    (void)txn;
    (void)err;
    adj_batch_reset(&((adj_worker *)ctx)->batch);
    adj_life_reset(&((adj_worker *)ctx)->life);
    adj_payment_reset(&((adj_worker *)ctx)->pay);
    return FM_OK;
}

fm_status adj_worker_prepare_batch(void *ctx, fm_txn *txn, const fm_event *const *events, size_t count,
                                   fm_error *err)
{
    adj_worker *w = ctx;
    const fm_claim **claims = calloc(count + 1, sizeof *claims);
    const fm_review **reviews = calloc(count + 1, sizeof *reviews);
    const adj_life_event **life = calloc(count + 1, sizeof *life);
    const adj_pay_event **results = calloc(count + 1, sizeof *results);
    /* the claims whose payment state the batch needs: reviews', payment-side events' and life events' */
    const fm_review **paying = calloc(count + 1, sizeof *paying);
    fm_review *life_claims = calloc(count + 1, sizeof *life_claims);
    size_t nc = 0, nr = 0, nl = 0, np = 0, npay = 0;
    fm_status st = FM_ENOMEM;
    if (claims == NULL || reviews == NULL || life == NULL || results == NULL || paying == NULL ||
        life_claims == NULL) {
        fm_error_set(err, "batch", FM_NO_MEMORY, "out of memory preparing the batch");
        goto done;
    }
    for (size_t i = 0; i < count; i++) {
        const adj_event *ev = events[i]->decoded;
        if (ev == NULL)
            continue;
        if (adj_life_type(ev->type))
            life[nl++] = &ev->life;
        else if (ev->type == FM_EVENT_CLAIM_SUBMITTED)
            claims[nc++] = &ev->claim;
        else
            reviews[nr++] = &ev->review; /* a review's claim, or a payment-side event's */
        if (ev->pay.kind == ADJ_PAY_RESULT)
            results[np++] = &ev->pay;
    }
    int64_t t = fm_clock_mono_us();
    st = nl > 0 ? adj_life_prepare(&w->env, fm_txn_conn(txn), &w->batch, &w->life, claims, nc, reviews, nr,
                                   life, nl, err)
                : adj_prepare(&w->env, fm_txn_conn(txn), &w->batch, claims, nc, reviews, nr, err);
    for (size_t i = 0; i < nr; i++)
        paying[npay++] = reviews[i];
    for (size_t i = 0; i < nl; i++) {
        life_claims[i].claim_id = (char *)adj_life_claim_id(life[i]); /* borrowed: not freed here */
        paying[npay++] = &life_claims[i];
    }
    if (st == FM_OK)
        st = adj_pay_event_prepare(&w->pay, fm_txn_conn(txn), paying, npay, results, np, err);
    fm_log(w->logger, FM_LOG_DEBUG, "batch_prepared", "claims=%zu reviews=%zu us=%lld", nc, nr,
           (long long)(fm_clock_mono_us() - t));
done:
    free(claims);
    free(reviews);
    free(life);
    free(results);
    free(paying);
    free(life_claims);
    return st;
}

fm_status adj_worker_end_batch(void *ctx, fm_txn *txn, fm_error *err)
{
    adj_worker *w = ctx;
    int64_t t = fm_clock_mono_us();
    fm_status st = adj_store_write(fm_txn_conn(txn), w->env.cache, &w->batch, err);
    if (st == FM_OK)
        st = adj_life_write(fm_txn_conn(txn), &w->life, err);
    if (st == FM_OK)
        st = adj_payment_write(&w->pay, fm_txn_conn(txn), err);
    fm_log(w->logger, FM_LOG_DEBUG, "batch_written", "status=%s us=%lld", fm_status_name(st),
           (long long)(fm_clock_mono_us() - t));
    return st;
}

fm_status adj_worker_apply(void *ctx, fm_txn *txn, const fm_raw_message *msg, const fm_event *event,
                           fm_error *err)
{
    adj_worker *w = ctx;
    const adj_event *ev = event->decoded;
    adj_output out = {0};
    adj_source src = {.topic = msg->topic,
                      .partition = msg->partition,
                      .offset = msg->offset,
                      .occurred_at = ev->occurred_at};
    char now[FM_TIMESTAMP_LEN];
    fm_clock_occurred_at(now);
    if (ev->pay.kind != ADJ_PAY_NONE) /* withdrawal, payment result, payee correction */
        return adj_pay_event_apply(&w->pay, &w->batch, txn, w->logger, &ev->pay, now, err);
    bool life = adj_life_type(ev->type);
    fm_status st = life ? adj_life_decide(&w->env, &w->batch, &w->life, &src, &ev->life, now, &out, err)
                   : ev->type == FM_EVENT_CLAIM_SUBMITTED
                       ? adj_decide_claim(&w->env, &w->batch, &src, &ev->claim, now, &out, err)
                       : adj_decide_review(&w->env, &w->batch, &src, &ev->review, now, &out, err);
    if (st == FM_OK && !life)
        st = adj_life_note(&w->life,
                           ev->type == FM_EVENT_CLAIM_SUBMITTED ? ev->claim.claim_id : ev->review.claim_id,
                           ev->type == FM_EVENT_CLAIM_SUBMITTED ? "initial" : "review", &out);
    if (st == FM_OK && ev->type == FM_EVENT_CLAIM_SUBMITTED)
        st = adj_payment_claim_submitted(&w->pay, ev->claim.claim_id, ev->claim.event_id, &ev->pay.payee,
                                         ev->pay.occurred_at, err);
    /* A decision that pays (first, review, documents completed, appeal overturned) instructs what it owes
     * beyond the claim's earlier instructions (adj_payment_instruct). */
    if (st == FM_OK && out.payload != NULL)
        st = adj_pay_event_instruct(&w->pay, txn,
                                    life                                   ? adj_life_claim_id(&ev->life)
                                    : ev->type == FM_EVENT_CLAIM_SUBMITTED ? ev->claim.claim_id
                                                                           : ev->review.claim_id,
                                    life                                   ? adj_life_policy_number(&ev->life)
                                    : ev->type == FM_EVENT_CLAIM_SUBMITTED ? ev->claim.policy_number
                                                                           : ev->review.policy_number,
                                    event->event_id, &out, now, err);
    if (st != FM_OK) {
        adj_output_free(&out);
        return st;
    }
    if (out.payload == NULL && life) { /* recorded; decides nothing (adj_life_decide) */
        fm_log(w->logger, FM_LOG_INFO, "claim_life_recorded", "claim_id=%s type=%s",
               adj_life_claim_id(&ev->life), fm_event_type_name(ev->type));
        return FM_OK;
    }
    if (out.payload == NULL) { /* an ignored review: recorded, nothing to publish */
        fm_log(w->logger, FM_LOG_INFO, "review_ignored", "claim_id=%s reason=REVIEW_NOT_APPLICABLE",
               ev->review.claim_id);
        return FM_OK;
    }
    fm_header headers[] = {{"famins.source.event_id", event->event_id}};
    st = fm_outbox_add(txn, FM_TOPIC_CLAIM_DECIDED, out.key, out.event_id, out.payload, headers, 1, err);
    if (st == FM_OK) {
        w->decided[out.outcome & 3]++;
        w->reviews += ev->type == FM_EVENT_CLAIM_REVIEWED || life;
        fm_log(w->logger, FM_LOG_DEBUG, "claim_decided", "claim_id=%s kind=%s outcome=%s payable=%lld",
               life                                   ? adj_life_claim_id(&ev->life)
               : ev->type == FM_EVENT_CLAIM_SUBMITTED ? ev->claim.claim_id
                                                      : ev->review.claim_id,
               life                                   ? "claim_life"
               : ev->type == FM_EVENT_CLAIM_SUBMITTED ? "initial"
                                                      : "review",
               fm_claim_outcome_name(out.outcome), (long long)out.payable);
    } else if (st == FM_EINVAL) {
        st = FM_ENOMEM; /* the topic is ours and valid: only memory can fail here; never a dead letter */
    }
    adj_output_free(&out);
    return st;
}

void adj_worker_release(void *ctx, fm_event *event)
{
    (void)ctx;
    adj_event *ev = event->decoded;
    if (ev == NULL)
        return;
    fm_claim_free(&ev->claim);
    fm_review_free(&ev->review);
    adj_life_event_free(&ev->life);
    adj_pay_event_free(&ev->pay);
    free(ev);
    event->decoded = NULL;
}
