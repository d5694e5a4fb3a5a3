/* adj_payment_event.h — the worker's side of the payment step: decoding the payment-side events of
 * claim.events, their facts in prepare_batch, applying them and publishing on claim.payment. */
#ifndef ADJ_PAYMENT_EVENT_H
#define ADJ_PAYMENT_EVENT_H

#include "adj_payment.h"
#include "fm_decode.h"
#include "fm_log.h"
#include "fm_worker.h"

typedef enum adj_pay_kind {
    ADJ_PAY_NONE = 0,
    ADJ_PAY_WITHDRAWN,
    ADJ_PAY_RESULT,
    ADJ_PAY_CORRECTED
} adj_pay_kind;

/* The payment side of one decoded event: a claim.submitted's payee and receipt time (kind NONE), or one of
 * the three payment-side events. Owned; adj_pay_event_free. */
typedef struct adj_pay_event {
    adj_pay_kind kind;
    char occurred_at[FM_ASCII_BYTES(40)];
    fm_payee payee; /* claim.submitted's (present false when it has none) */
    fm_withdrawal withdrawal;
    fm_payment_result result;
    fm_payee_correction correction;
} adj_pay_event;

/*
 * Decodes root by envl's type: claim.withdrawn, claim.payment_result, claim.payee_corrected into ev (and
 * review->claim_id, a copy of their claim, so prepare_batch reads and locks the claim); claim.submitted: its
 * payee block and occurred_at only, then FM_ENOTFOUND (the claim decoder follows); claim.reviewed:
 * FM_ENOTFOUND. FM_EINVAL (err: path and code), FM_ENOMEM.
 */
fm_status adj_pay_event_decode(const json_t *root, const fm_envelope *envl, adj_pay_event *ev,
                               fm_review *review, fm_error *err);
void adj_pay_event_free(adj_pay_event *ev);

/* prepare_batch's payment reads: the payment state of the claims the batch's reviews and payment-side events
 * name (reviews[i]->claim_id), and the instructions its payment results name (results[i]). */
fm_status adj_pay_event_prepare(adj_payment *p, PGconn *conn, const fm_review *const *reviews,
                                size_t n_reviews, const adj_pay_event *const *results, size_t n_results,
                                fm_error *err);

/* apply of a payment-side event: adj_payment_withdraw / _result / _correct, then its claim.payment events
 * into the outbox. */
fm_status adj_pay_event_apply(adj_payment *p, adj_batch *b, fm_txn *txn, const fm_logger *logger,
                              const adj_pay_event *ev, const char *occurred_at, fm_error *err);

/* After a decision: adj_payment_instruct, then its claim.payment events into the outbox. */
fm_status adj_pay_event_instruct(adj_payment *p, fm_txn *txn, const char *claim_id, const char *policy_number,
                                 const char *source_event_id, const adj_output *decided,
                                 const char *occurred_at, fm_error *err);

#endif
