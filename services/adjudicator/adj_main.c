/* adj_main.c — famins-adjudicator: decides claims and reviews from claim.events, exactly once, into PostgreSQL. */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adj_config.h"
#include "adj_worker.h"
#include "fm_cli.h"
#include "fm_keyring.h"
#include "fm_pg.h"
#include "fm_plan.h"
#include "fm_worker.h"

static volatile sig_atomic_t stop_requested = 0;

/* First signal: finish the batch and leave. Second: leave now (the open batch is rolled back by the server). */
static void on_signal(int sig)
{
    (void)sig;
    if (stop_requested)
        _exit(130);
    stop_requested = 1;
}

static const fm_setting adj_settings[] = {
    FM_COMMON_SETTINGS,
    FM_WORKER_SETTINGS,
    ADJ_SETTINGS,
    {"FAMINS_ADJUDICATOR_PG_DSN", FM_SETTING_STRING, "", 0, 0,
     "the service's own connection (role famins_adjudicator); empty: FAMINS_PG_DSN with user=famins_adjudicator "
     "(FAMINS_PG_DSN itself is never used as is: it names the admin role)"},
};
#define ADJ_SETTING_COUNT (sizeof adj_settings / sizeof adj_settings[0])


/* The environment, except that FAMINS_PG_DSN reads as the service's own DSN (the runtime connects with
 * FAMINS_PG_DSN): FAMINS_ADJUDICATOR_PG_DSN, or FAMINS_PG_DSN with the adjudicator's role (in a libpq
 * connection string the last value of a keyword wins), as the eligibility service does. */
typedef struct env_ctx {
    char dsn[2048];
} env_ctx;

static fm_status own_dsn(env_ctx *c)
{
    return fm_pg_role_dsn(getenv("FAMINS_ADJUDICATOR_PG_DSN"), getenv("FAMINS_PG_DSN"), "famins_adjudicator", c->dsn, sizeof c->dsn);
}

/* The adjudicator's own defaults for two of the runtime's settings (the common ones, 200 ms and 500 messages,
 * suit throughput-bound services), used when the variable is not set:
 * FAMINS_BATCH_MAX_MS: a claim waits at most this long for its batch to fill, and a decision's latency includes
 * that wait. Measured at a steady 1,000 claims/s (README, Figures): decided_at p50/p99 46/82 ms with 20 ms,
 * 36/90 with 10, 30/48 with 5 — batches of 5 to 15 claims take 2 to 5 ms. At saturation batches fill to
 * FAMINS_BATCH_MAX_MESSAGES long before the wait ends, so it costs no throughput.
 * FAMINS_BATCH_MAX_MESSAGES: at saturation, batches of 2,000 decided about 1.2 times as many claims per second as
 * batches of 500 (fewer round trips and commits per claim). A batch whose set write is refused is redone one
 * message per transaction: 2,000 small transactions, a few seconds, for a rare event. */
#define ADJ_BATCH_MAX_MS_DEFAULT "5"
#define ADJ_BATCH_MAX_MESSAGES_DEFAULT "2000"

static const char *lookup(const char *name, void *ctx)
{
    env_ctx *c = ctx;
    if (strcmp(name, "FAMINS_PG_DSN") == 0)
        return c->dsn;
    if (strcmp(name, "FAMINS_BATCH_MAX_MS") == 0 && getenv(name) == NULL)
        return ADJ_BATCH_MAX_MS_DEFAULT;
    if (strcmp(name, "FAMINS_BATCH_MAX_MESSAGES") == 0 && getenv(name) == NULL)
        return ADJ_BATCH_MAX_MESSAGES_DEFAULT;
    return getenv(name);
}

int main(int argc, char **argv)
{
    /* The command line first: --version or a typo must never read settings or connect. */
    int help = 0, cli_exit = FM_EXIT_OK;
    if (fm_cli_answer_bare(argc, argv, "famins-adjudicator", &help, &cli_exit))
        return cli_exit;
    if (help) {
        printf("Usage: famins-adjudicator\n"
               "Decides claim.submitted and claim.reviewed events from the claim.events topic, records claims,\n"
               "decisions, reviews, benefit usage and fraud signals in PostgreSQL and publishes claim.decided\n"
               "through the outbox. It connects as the famins_adjudicator role (FAMINS_ADJUDICATOR_PG_DSN, or\n"
               "FAMINS_PG_DSN with user=famins_adjudicator).\n"
               "For this service FAMINS_BATCH_MAX_MS defaults to " ADJ_BATCH_MAX_MS_DEFAULT " (a claim's decision latency\n"
               "includes the wait for its batch) and FAMINS_BATCH_MAX_MESSAGES to " ADJ_BATCH_MAX_MESSAGES_DEFAULT ", not the\n"
               "runtime's defaults in brackets below.\n"
               "Configuration (environment variables, default in brackets):\n");
        fm_settings_print_help(stdout, adj_settings, ADJ_SETTING_COUNT);
        return 0;
    }
    fm_error err = {0};
    fm_settings *settings = NULL;
    env_ctx envc;
    if (own_dsn(&envc) != FM_OK) {
        fprintf(stderr, "famins-adjudicator: FAMINS_ADJUDICATOR_PG_DSN or FAMINS_PG_DSN is too long\n");
        return 2;
    }
    fm_plan_catalogue *cat = NULL;
    fm_keyring keyring = {0};
    bool dev_secret = false;
    fm_logger logger;
    int rc = 2;
    if (fm_settings_load(adj_settings, ADJ_SETTING_COUNT, lookup, &envc, &settings, &err) != FM_OK) {
        fprintf(stderr, "famins-adjudicator: %s: %s\n", err.path, err.text);
        return 2;
    }
    if (fm_logger_init(&logger, "adjudicator", fm_settings_str(settings, "FAMINS_LOG_LEVEL"),
                       fm_settings_str(settings, "FAMINS_LOG_FORMAT"), stderr, &err) != FM_OK) {
        fprintf(stderr, "famins-adjudicator: %s\n", err.text);
        goto done;
    }
    adj_worker w = {.logger = &logger};
    /* Before any connection: without a secret of its own the service would key persons under a public one. */
    if (fm_keyring_from_settings(settings, &keyring, &dev_secret, &err) != FM_OK) {
        fprintf(stderr, "famins-adjudicator: %s\n", err.text);
        goto done;
    }
    if (adj_config_load(settings, &w.env.cfg, &err) != FM_OK) {
        fm_log(&logger, FM_LOG_ERROR, "bad_setting", "variable=%s error=\"%s\"", err.path, err.text);
        goto done;
    }
    if (fm_plan_catalogue_load(fm_settings_str(settings, "FAMINS_PLAN_DIR"), &cat, &err) != FM_OK) {
        fm_log(&logger, FM_LOG_ERROR, "plan_catalogue", "dir=%s code=%s error=\"%s\"",
               fm_settings_str(settings, "FAMINS_PLAN_DIR"), err.code, err.text);
        goto done;
    }
    w.env.catalogue = cat;
    w.env.cache = &w.sql_cache;
    w.env.keyring = &keyring;
    if (dev_secret)
        fm_log(&logger, FM_LOG_WARN, "person_key_secret_development",
               "detail=\"FAMINS_ALLOW_DEV_PERSON_KEY=1: persons are keyed under the public development secret\"");
    fm_log(&logger, FM_LOG_INFO, "start", "plans=%zu review_threshold=%s early_claim_days=%d unusual_factor_bp=%d",
           cat->n_plans, w.env.cfg.review_threshold_override ? "setting" : "plan", (int)w.env.cfg.early_claim_days,
           (int)w.env.cfg.unusual_factor_bp);

    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    const fm_topic_id topics[] = {FM_TOPIC_CLAIM_EVENTS};
    fm_worker_options opt = {
        .settings = settings,
        .service = "adjudicator",
        .topics = topics,
        .topic_count = 1,
        .handler = {.ctx = &w,
                    .decode = adj_worker_decode,
                    .apply = adj_worker_apply,
                    .release = adj_worker_release,
                    .begin_batch = adj_worker_begin_batch,
                    .prepare_batch = adj_worker_prepare_batch,
                    .end_batch = adj_worker_end_batch},
        .logger = &logger,
        .stop = &stop_requested,
    };
    fm_status st = fm_worker_run(&opt, NULL, &err);
    fm_log(&logger, st == FM_OK ? FM_LOG_INFO : FM_LOG_ERROR, "exit",
           "status=%s approved=%llu partial=%llu declined=%llu pending_review=%llu reviews=%llu code=%s error=\"%s\"",
           fm_status_name(st), (unsigned long long)w.decided[FM_CLAIM_APPROVED],
           (unsigned long long)w.decided[FM_CLAIM_PARTIAL], (unsigned long long)w.decided[FM_CLAIM_DECLINED],
           (unsigned long long)w.decided[FM_CLAIM_PENDING_REVIEW], (unsigned long long)w.reviews, err.code, err.text);
    rc = st == FM_OK ? 0 : 1;
    adj_batch_free(&w.batch);
done:
    fm_plan_catalogue_free(cat);
    fm_keyring_clear(&keyring);
    fm_settings_free(settings);
    return rc;
}
