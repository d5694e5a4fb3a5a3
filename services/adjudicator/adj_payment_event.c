/* adj_payment_event.c — the worker's side of the payment step: decoding the payment-side events of
 * claim.events, their facts in prepare_batch, applying them and publishing on claim.payment. */
#include "adj_payment_event.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fm_decode_payment.h"

fm_status adj_pay_event_decode(const json_t *root, const fm_envelope *envl, adj_pay_event *ev,
                               fm_review *review, fm_error *err)
{
    const char *claim_id = NULL;
    fm_status st;
    memset(ev, 0, sizeof *ev);
    snprintf(ev->occurred_at, sizeof ev->occurred_at, "%s", envl->occurred_at);
    switch (envl->type) {
    case FM_EVENT_CLAIM_SUBMITTED: {
        /* the liability is checked against the kind by the claim decoder (fm_decode.c's check_payee) */
        st = fm_decode_payee_json(root, -1, &ev->payee, err);
        return st == FM_OK ? FM_ENOTFOUND : st;
    }
    case FM_EVENT_CLAIM_WITHDRAWN:
        ev->kind = ADJ_PAY_WITHDRAWN;
        st = fm_decode_withdrawal_json(root, &ev->withdrawal, err);
        claim_id = ev->withdrawal.claim_id;
        break;
    case FM_EVENT_CLAIM_PAYMENT_RESULT:
        ev->kind = ADJ_PAY_RESULT;
        st = fm_decode_payment_result_json(root, &ev->result, err);
        claim_id = ev->result.claim_id;
        break;
    case FM_EVENT_CLAIM_PAYEE_CORRECTED:
        ev->kind = ADJ_PAY_CORRECTED;
        st = fm_decode_payee_correction_json(root, &ev->correction, err);
        claim_id = ev->correction.claim_id;
        break;
    default: return FM_ENOTFOUND;
    }
    if (st == FM_OK && (review->claim_id = strdup(claim_id)) == NULL) {
        fm_error_set(err, "", FM_NO_MEMORY, "out of memory");
        st = FM_ENOMEM;
    }
    return st;
}

void adj_pay_event_free(adj_pay_event *ev)
{
    if (ev == NULL)
        return;
    fm_payee_wipe(&ev->payee);
    fm_withdrawal_free(&ev->withdrawal);
    fm_payment_result_free(&ev->result);
    fm_payee_correction_free(&ev->correction);
    memset(ev, 0, sizeof *ev);
}

fm_status adj_pay_event_prepare(adj_payment *p, PGconn *conn, const fm_review *const *reviews,
                                size_t n_reviews, const adj_pay_event *const *results, size_t n_results,
                                fm_error *err)
{
    const char **ids = calloc(n_reviews + 1, sizeof *ids), **ins = calloc(n_results + 1, sizeof *ins);
    fm_status st = FM_ENOMEM;
    if (ids == NULL || ins == NULL) {
        fm_error_set(err, "batch", FM_NO_MEMORY, "out of memory preparing the batch");
        goto done;
    }
    for (size_t i = 0; i < n_reviews; i++)
        ids[i] = reviews[i]->claim_id ? reviews[i]->claim_id : "";
    for (size_t i = 0; i < n_results; i++)
        ins[i] = results[i]->result.instruction_id;
    st = adj_payment_prepare(p, conn, ids, n_reviews, ins, n_results, err);
done:
    free(ids);
    free(ins);
    return st;
}

/* The events the last payment call produced, into the outbox. */
static fm_status flush(adj_payment *p, fm_txn *txn, const char *source_event_id, fm_error *err)
{
    size_t n = 0;
    adj_pay_output *o = adj_payment_take_outputs(p, &n);
    fm_status st = FM_OK;
    fm_header headers[] = {{"famins.source.event_id", source_event_id}};
    for (size_t i = 0; st == FM_OK && i < n; i++)
        st = fm_outbox_add(txn, FM_TOPIC_CLAIM_PAYMENT, o[i].key, o[i].event_id, o[i].payload, headers, 1,
                           err);
    if (st == FM_EINVAL)
        st = FM_ENOMEM; /* the topic is ours and valid: only memory can fail here; never a dead letter */
    adj_payment_outputs_free(o, n);
    return st;
}

fm_status adj_pay_event_apply(adj_payment *p, adj_batch *b, fm_txn *txn, const fm_logger *logger,
                              const adj_pay_event *ev, const char *occurred_at, fm_error *err)
{
    const char *ignored = NULL, *what = "?", *claim_id = "", *event_id = "";
    fm_status st = FM_ENOTFOUND;
    switch (ev->kind) {
    case ADJ_PAY_WITHDRAWN:
        what = "claim_withdrawn";
        claim_id = ev->withdrawal.claim_id;
        event_id = ev->withdrawal.event_id;
        st = adj_payment_withdraw(p, b, &ev->withdrawal, occurred_at, &ignored, err);
        break;
    case ADJ_PAY_RESULT:
        what = "payment_result";
        claim_id = ev->result.claim_id;
        event_id = ev->result.event_id;
        st = adj_payment_result(p, &ev->result, &ignored, err);
        break;
    case ADJ_PAY_CORRECTED:
        what = "payee_corrected";
        claim_id = ev->correction.claim_id;
        event_id = ev->correction.event_id;
        st = adj_payment_correct(p, b, &ev->correction, occurred_at, &ignored, err);
        break;
    case ADJ_PAY_NONE: break;
    }
    if (st == FM_OK)
        st = flush(p, txn, event_id, err);
    if (st == FM_OK)
        /* ids and reason codes only: never an account */
        fm_log(logger, ignored ? FM_LOG_INFO : FM_LOG_DEBUG, what, "claim_id=%s applied=%s reason=%s",
               claim_id, ignored ? "false" : "true", ignored ? ignored : "-");
    return st;
}

fm_status adj_pay_event_instruct(adj_payment *p, fm_txn *txn, const char *claim_id, const char *policy_number,
                                 const char *source_event_id, const adj_output *decided,
                                 const char *occurred_at, fm_error *err)
{
    fm_status st =
        adj_payment_instruct(p, claim_id, policy_number, source_event_id, decided, occurred_at, err);
    return st == FM_OK ? flush(p, txn, source_event_id, err) : st;
}
