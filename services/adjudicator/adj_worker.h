/* adj_worker.h — the adjudicator's callbacks for the fm_worker runtime: decode claim.events, apply in the
 * batch. */
#ifndef ADJ_WORKER_H
#define ADJ_WORKER_H

#include <stdint.h>

#include "adj_apply.h"
#include "adj_life.h"
#include "adj_payment_event.h"
#include "fm_log.h"
#include "fm_worker.h"

/* The service's state for the callbacks. Borrowed pointers live as long as the worker runs. */
typedef struct adj_worker {
    adj_env env; /* env.cache points at sql_cache below when set up by the service */
    fm_pg_stmts sql_cache;
    adj_batch batch;     /* the open batch's facts and rows (adj_batch_free when done) */
    adj_life_batch life; /* its claim-life part (adj_life_free when done) */
    adj_payment pay;     /* the open batch's payment state (adj_payment_free when done; pay.keyring: env's) */
    const fm_logger *logger;
    uint64_t decided[4]; /* per fm_claim_outcome, for the exit log */
    uint64_t reviews;
} adj_worker;

/*
 * decode: the codec's envelope, then the claim or review decoder by `type`. Dead-letter codes: INVALID_JSON,
 * INVALID_UTF8, UNKNOWN_SCHEMA_VERSION, UNKNOWN_TYPE (a type other than claim.submitted / claim.reviewed and
 * the claim-life types of adj_life.h), SCHEMA_VIOLATION (err->text: "<path>: <code> <text>"). The content
 * hash is the codec's canonical hash, so an exact re-send with other spacing is still recognised. apply:
 * adj_apply_claim / adj_apply_review, then the claim.decided into the outbox (key: policy number).
 */
fm_status adj_worker_decode(void *ctx, const fm_raw_message *msg, fm_event *out, fm_error *err);
fm_status adj_worker_apply(void *ctx, fm_txn *txn, const fm_raw_message *msg, const fm_event *event,
                           fm_error *err);
void adj_worker_release(void *ctx, fm_event *event);

/* The set-based hooks: begin_batch resets the batch; prepare_batch reads every fact of the batch's claims and
 * reviews (adj_prepare); apply (above) decides in memory and buffers rows; end_batch writes them
 * (adj_store_write: FM_EINVAL / FM_EDB with the SQLSTATE in err->code for a refused row). */
fm_status adj_worker_begin_batch(void *ctx, fm_txn *txn, fm_error *err);
fm_status adj_worker_prepare_batch(void *ctx, fm_txn *txn, const fm_event *const *events, size_t count,
                                   fm_error *err);
fm_status adj_worker_end_batch(void *ctx, fm_txn *txn, fm_error *err);

/* apply without the runtime, one event as a batch of its own: decides a decoded event on conn (inside the
 * caller's transaction) and fills out with the claim.decided to publish (the caller frees it with
 * adj_output_free). Same statuses as apply. Used by adj_worker_apply and by the tests' uninterrupted
 * reference run. */
fm_status adj_worker_decide(adj_worker *w, PGconn *conn, const fm_raw_message *msg, const fm_event *event,
                            adj_output *out, fm_error *err);

#endif
