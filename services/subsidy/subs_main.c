/* subs_main.c — famins-subsidy: books the category-A subsidy of enrollment.decided events, exactly once. */
#include <stdio.h>

#include "fm_clock.h"
#include "fm_service.h"
#include "fm_worker.h"
#include "subs_apply.h"
#include "subs_decode.h"
#include "subs_reversal.h"

static const fm_setting subs_settings[] = {
    FM_COMMON_SETTINGS,
    FM_WORKER_SETTINGS,
    FM_SERVICE_DSN_SETTING("FAMINS_SUBSIDY_PG_DSN", "famins_subsidy"),
};

/* No default of its own: the runtime's batch of 500. Batches of 2,000 (eligibility's) saved 2-3 % of the
 * pipeline's CPU here but raised the peak by 6 MiB (21-23.5 -> 27-30 MiB at 1,000,000 households), and its
 * spread over the wave went above 10 % in 2 runs of 3 (2 of 6 at 500: tests/bench/README.md, "Batches of
 * 2,000"). */
static const fm_service subs_service = {
    .name = "subsidy",
    .role = "famins_subsidy",
    .dsn_setting = "FAMINS_SUBSIDY_PG_DSN",
    .usage =
        "Usage: famins-subsidy\n"
        "Consumes enrollment.decided; for each accepted category-A household books the 4000-fen subsidy in\n"
        "the ledger, one row per paying payer (city, district or county, development zone), and publishes\n"
        "subsidy.allocated through the outbox, exactly once. Stops on SIGTERM/SIGINT after the batch in\n"
        "hand (a second signal: at once).\n",
    .settings = subs_settings,
    .setting_count = sizeof subs_settings / sizeof subs_settings[0],
    .needs = FM_SERVICE_CATALOGUE,
};

typedef struct subs_ctx {
    subs_config cfg;
    const fm_logger *logger;
    size_t max_bytes;
    fm_copybuf ledger;    /* the batch's ledger rows, written with one COPY */
    fm_copybuf reversals; /* issue 16: the batch's reversal rows (negative), one COPY after the ledger's */
} subs_ctx;

static fm_status apply_reversal(subs_ctx *c, fm_txn *txn, const fm_event *event, fm_error *err)
{
    const fm_policy_change_decided *d = event->decoded;
    char now[FM_TIMESTAMP_LEN];
    fm_clock_occurred_at(now);
    subs_reversal_result res;
    fm_status st = subs_reversal_apply(&c->reversals, d, now, &res, err);
    if (st != FM_OK || !res.reversed)
        return st;
    fm_header headers[] = {{"famins.source.event_id", d->event_id}};
    st = fm_outbox_add(txn, FM_TOPIC_SUBSIDY_ALLOCATED, d->household_id, res.event_id, res.payload, headers,
                       1, err);
    if (st == FM_OK && c->logger->level <= FM_LOG_DEBUG)
        fm_log(c->logger, FM_LOG_DEBUG, "subsidy_reversed", "event_id=%s household_id=%s amount=%lld",
               d->event_id, d->household_id, (long long)d->reversal_amount);
    subs_reversal_result_free(&res);
    return st;
}

static fm_status decode_cb(void *arg, const fm_raw_message *msg, fm_event *out, fm_error *err)
{
    subs_ctx *c = arg;
    return subs_decode(msg->payload, msg->payload_len, c->max_bytes, out, err);
}

static fm_status apply_cb(void *arg, fm_txn *txn, const fm_raw_message *msg, const fm_event *event,
                          fm_error *err)
{
    (void)msg;
    subs_ctx *c = arg;
    if (subs_reversal_is_change(event))
        return apply_reversal(c, txn, event, err);
    const subs_decided *d = event->decoded;
    char now[FM_TIMESTAMP_LEN];
    fm_clock_occurred_at(now);
    subs_result res;
    fm_status st = subs_apply(&c->ledger, &c->cfg, d, now, &res, err);
    if (st != FM_OK || !res.allocated)
        return st;
    fm_header headers[] = {{"famins.source.event_id", d->event_id}};
    st = fm_outbox_add(txn, FM_TOPIC_SUBSIDY_ALLOCATED, d->household_id, res.event_id, res.payload, headers,
                       1, err);
    if (st == FM_OK && c->logger->level <= FM_LOG_DEBUG)
        fm_log(c->logger, FM_LOG_DEBUG, "subsidy_allocated", "event_id=%s household_id=%s managing_unit=%s",
               d->event_id, d->household_id, d->managing_unit);
    subs_result_free(&res);
    return st;
}

static fm_status begin_cb(void *arg, fm_txn *txn, fm_error *err)
{
    (void)txn;
    (void)err;
    fm_copybuf_reset(&((subs_ctx *)arg)->ledger);
    fm_copybuf_reset(&((subs_ctx *)arg)->reversals);
    return FM_OK;
}

static fm_status end_cb(void *arg, fm_txn *txn, fm_error *err)
{
    fm_status st = subs_ledger_write(fm_txn_conn(txn), &((subs_ctx *)arg)->ledger, err);
    return st == FM_OK ? subs_reversal_write(fm_txn_conn(txn), &((subs_ctx *)arg)->reversals, err) : st;
}

static void release_cb(void *arg, fm_event *event)
{
    (void)arg;
    subs_decoded_free(event);
}

static fm_status run(void *arg, const fm_service_env *env, fm_error *err)
{
    (void)arg;
    subs_ctx ctx = {.cfg = {.catalogue = env->catalogue, .logger = &env->logger},
                    .logger = &env->logger,
                    .max_bytes = (size_t)fm_settings_int(env->settings, "FAMINS_MAX_MESSAGE_BYTES")};
    const fm_topic_id topics[] = {FM_TOPIC_ENROLLMENT_DECIDED};
    fm_worker_options opt = fm_service_worker_options(env);
    opt.topics = topics;
    opt.topic_count = 1;
    opt.handler = (fm_worker_handler){.ctx = &ctx,
                                      .decode = decode_cb,
                                      .apply = apply_cb,
                                      .release = release_cb,
                                      .begin_batch = begin_cb,
                                      .end_batch = end_cb};
    fm_status st = fm_worker_run(&opt, NULL, err);
    fm_copybuf_free(&ctx.ledger);
    fm_copybuf_free(&ctx.reversals);
    return st;
}

int main(int argc, char **argv)
{
    return fm_service_main(&subs_service, argc, argv, run, NULL);
}
