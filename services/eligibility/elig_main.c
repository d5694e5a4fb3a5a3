/* elig_main.c — famins-eligibility: decides enrollment.submitted events on the exactly-once worker runtime.
 */
#include <stdio.h>
#include <stdlib.h>

#include "elig_apply.h"
#include "elig_decode.h"
#include "elig_policy.h"
#include "fm_clock.h"
#include "fm_reasons.h"
#include "fm_service.h"
#include "fm_worker.h"

static const fm_setting elig_settings[] = {
    FM_COMMON_SETTINGS,
    FM_WORKER_SETTINGS,
    FM_SERVICE_DSN_SETTING("FAMINS_ELIGIBILITY_PG_DSN", "famins_eligibility"),
};

/* Its own default for one of the runtime's settings. FAMINS_BATCH_MAX_MESSAGES: a backlog (a wave) is decided
 * in batches of 2,000 instead of the runtime's 500 — the batch's fixed work (a dozen statements, the
 * statement triggers, the commit) spread over four times the households. Measured with famins-subsidy at
 * the same, which went back to 500 (subs_main.c says why) (tests/bench/README.md, "Batches of 2,000"): the
 * enrollment pipeline's CPU per household fell by 14 % (the services' PostgreSQL backends by 17 %) at 300,000
 * households; eligibility's peak memory rose from 85-86 to 108-109 MiB, inside its FAMINS_MEMORY_BUDGET_MB of
 * 128, whose byte bound (3.25 MiB of messages) closes a batch of large messages before its count. A steady
 * trickle is not affected: its batches close at FAMINS_BATCH_MAX_MS long before 2,000. */
static const fm_service_default elig_defaults[] = {
    {"FAMINS_BATCH_MAX_MESSAGES", "2000"},
};

static const fm_service elig_service = {
    .name = "eligibility",
    .role = "famins_eligibility",
    .dsn_setting = "FAMINS_ELIGIBILITY_PG_DSN",
    .usage =
        "Usage: famins-eligibility\n"
        "Consumes enrollment.submitted, decides each enrollment (domain.md, Decisions / Enrollment), "
        "records\n"
        "the decision, members, policy and insured persons, and publishes enrollment.decided through the\n"
        "outbox, exactly once. Stops on SIGTERM/SIGINT after the batch in hand (a second signal: at once).\n"
        "Its default of FAMINS_BATCH_MAX_MESSAGES is its own (2000; the runtime's is 500).\n",
    .settings = elig_settings,
    .setting_count = sizeof elig_settings / sizeof elig_settings[0],
    .defaults = elig_defaults,
    .default_count = sizeof elig_defaults / sizeof elig_defaults[0],
    .needs = FM_SERVICE_CATALOGUE | FM_SERVICE_KEYRING,
};

typedef struct elig_ctx {
    elig_config cfg;
    const fm_logger *logger;
    size_t max_bytes;
    elig_batch batch;               /* facts and rows of the batch in hand */
    const fm_enrollment **prepared; /* scratch for prepare_cb; prepared_cap of them */
    size_t prepared_cap;
} elig_ctx;

static fm_status decode_cb(void *arg, const fm_raw_message *msg, fm_event *out, fm_error *err)
{
    elig_ctx *c = arg;
    return elig_decode(msg->payload, msg->payload_len, c->max_bytes, out, err);
}

static fm_status apply_policy(elig_ctx *c, fm_txn *txn, const fm_raw_message *msg, const fm_event *event,
                              fm_error *err)
{
    const fm_policy_event *ev = event->decoded;
    elig_source src = {.topic = msg->topic, .partition = msg->partition, .offset = msg->offset};
    char now[FM_TIMESTAMP_LEN];
    fm_clock_occurred_at(now);
    elig_policy_result res;
    fm_status st = elig_policy_apply(&c->batch, fm_txn_conn(txn), c->cfg.catalogue, c->cfg.keyring, ev, &src,
                                     now, &res, err);
    if (st != FM_OK)
        return st;
    fm_header headers[] = {{"famins.source.event_id", ev->event_id}};
    st = fm_outbox_add(txn, FM_TOPIC_ENROLLMENT_DECIDED, ev->household_id, res.event_id, res.payload, headers,
                       1, err);
    if (st == FM_OK && c->logger->level <= FM_LOG_DEBUG)
        fm_log(c->logger, FM_LOG_DEBUG, "policy_change_decided",
               "event_id=%s household_id=%s change=%s outcome=%s first_reason=%s subsidy_reversal=%lld",
               ev->event_id, ev->household_id, fm_change_kind_name(ev->kind),
               res.accepted ? "accepted" : "refused", res.first_reason ? fm_reason_id(res.first_reason) : "-",
               (long long)res.subsidy_reversal);
    elig_policy_result_free(&res);
    return st;
}

static fm_status apply_cb(void *arg, fm_txn *txn, const fm_raw_message *msg, const fm_event *event,
                          fm_error *err)
{
    elig_ctx *c = arg;
    if (elig_policy_is_change(event)) /* issue 16 */
        return apply_policy(c, txn, msg, event, err);
    const fm_enrollment *e = event->decoded;
    elig_source src = {.topic = msg->topic, .partition = msg->partition, .offset = msg->offset};
    char now[FM_TIMESTAMP_LEN];
    fm_clock_occurred_at(now);
    elig_result res;
    fm_status st = elig_apply(&c->batch, &c->cfg, e, &src, now, &res, err);
    if (st != FM_OK)
        return st;
    fm_header headers[] = {{"famins.source.event_id", e->event_id}};
    st = fm_outbox_add(txn, FM_TOPIC_ENROLLMENT_DECIDED, e->household_id, res.event_id, res.payload, headers,
                       1, err);
    if (st == FM_OK && c->logger->level <= FM_LOG_DEBUG)
        fm_log(c->logger, FM_LOG_DEBUG, "enrollment_decided",
               "event_id=%s household_id=%s outcome=%s category=%s reasons=%zu first_reason=%s partition=%d "
               "offset=%lld",
               e->event_id, e->household_id, fm_enrollment_outcome_name(res.decision.outcome),
               fm_category_name(res.decision.category), res.decision.n_reasons,
               res.decision.n_reasons ? fm_reason_id(res.decision.reasons[0]) : "-", (int)msg->partition,
               (long long)msg->offset);
    elig_result_free(&res);
    return st;
}

static fm_status begin_cb(void *arg, fm_txn *txn, fm_error *err)
{
    (void)txn;
    (void)err;
    elig_batch_begin(&((elig_ctx *)arg)->batch);
    return FM_OK;
}

static fm_status prepare_cb(void *arg, fm_txn *txn, const fm_event *const *events, size_t count,
                            fm_error *err)
{
    elig_ctx *c = arg;
    if (count > c->prepared_cap) {
        const fm_enrollment **grown = realloc(c->prepared, count * sizeof *grown);
        if (grown == NULL)
            return FM_ENOMEM;
        c->prepared = grown;
        c->prepared_cap = count;
    }
    size_t n = 0;
    for (size_t i = 0; i < count; i++)
        if (!elig_policy_is_change(events[i])) /* policy changes read their own facts (elig_policy.c) */
            c->prepared[n++] = events[i]->decoded;
    return elig_batch_prepare(&c->batch, fm_txn_conn(txn), c->cfg.keyring, c->prepared, n, err);
}

static fm_status end_cb(void *arg, fm_txn *txn, fm_error *err)
{
    return elig_batch_write(&((elig_ctx *)arg)->batch, fm_txn_conn(txn), err);
}

static void release_cb(void *arg, fm_event *event)
{
    (void)arg;
    elig_decoded_free(event);
}

static fm_status run(void *arg, const fm_service_env *env, fm_error *err)
{
    (void)arg;
    elig_ctx ctx = {.cfg = {.catalogue = env->catalogue, .keyring = &env->keyring},
                    .logger = &env->logger,
                    .max_bytes = (size_t)fm_settings_int(env->settings, "FAMINS_MAX_MESSAGE_BYTES")};
    const fm_topic_id topics[] = {FM_TOPIC_ENROLLMENT_SUBMITTED};
    fm_worker_options opt = fm_service_worker_options(env);
    opt.topics = topics;
    opt.topic_count = 1;
    opt.handler = (fm_worker_handler){.ctx = &ctx,
                                      .decode = decode_cb,
                                      .apply = apply_cb,
                                      .release = release_cb,
                                      .begin_batch = begin_cb,
                                      .prepare_batch = prepare_cb,
                                      .end_batch = end_cb};
    fm_status st = fm_worker_run(&opt, NULL, err);
    elig_batch_free(&ctx.batch);
    free(ctx.prepared);
    return st;
}

int main(int argc, char **argv)
{
    return fm_service_main(&elig_service, argc, argv, run, NULL);
}
