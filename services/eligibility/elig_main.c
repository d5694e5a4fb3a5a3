/* elig_main.c — famins-eligibility: decides enrollment.submitted events on the exactly-once worker runtime. */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "elig_apply.h"
#include "elig_decode.h"
#include "fm_cli.h"
#include "fm_keyring.h"
#include "fm_pg.h"
#include "fm_plan.h"
#include "fm_reasons.h"
#include "fm_worker.h"

static volatile sig_atomic_t stop_requested = 0;

/* First signal: finish the batch and leave. Second: leave now (nothing uncommitted is lost). */
static void on_signal(int sig)
{
    (void)sig;
    if (stop_requested)
        _exit(130);
    stop_requested = 1;
}


static const fm_setting elig_settings[] = {
    FM_COMMON_SETTINGS,
    FM_WORKER_SETTINGS,
    {"FAMINS_ELIGIBILITY_PG_DSN", FM_SETTING_STRING, "", 0, 0,
     "the service's own connection (role famins_eligibility); empty: FAMINS_PG_DSN with user=famins_eligibility "
     "(FAMINS_PG_DSN itself is never used as is: it names the admin role)"},
};
#define ELIG_SETTING_COUNT (sizeof elig_settings / sizeof elig_settings[0])

/* The environment, except that FAMINS_PG_DSN reads as the service's own DSN: the runtime connects with
 * FAMINS_PG_DSN, and least privilege means connecting as famins_eligibility. libpq takes the last of
 * repeated keywords, so appending user= overrides the user of an admin DSN. */
typedef struct env_ctx {
    char dsn[2048];
} env_ctx;

static const char *lookup(const char *name, void *arg)
{
    env_ctx *c = arg;
    if (strcmp(name, "FAMINS_PG_DSN") == 0)
        return c->dsn;
    return getenv(name);
}

static fm_status own_dsn(env_ctx *c)
{
    return fm_pg_role_dsn(getenv("FAMINS_ELIGIBILITY_PG_DSN"), getenv("FAMINS_PG_DSN"), "famins_eligibility", c->dsn, sizeof c->dsn);
}

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

/* The decided event's timestamp: now, UTC. */
static void utc_now(char *buf, size_t len)
{
    struct timespec ts;
    struct tm tm;
    char date[32];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    if (strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
        snprintf(date, sizeof date, "1970-01-01T00:00:00");
    snprintf(buf, len, "%s.%03dZ", date, (int)(ts.tv_nsec / 1000000) % 1000);
}

static fm_status apply_cb(void *arg, fm_txn *txn, const fm_raw_message *msg, const fm_event *event, fm_error *err)
{
    elig_ctx *c = arg;
    const fm_enrollment *e = event->decoded;
    elig_source src = {.topic = msg->topic, .partition = msg->partition, .offset = msg->offset};
    char now[64];
    utc_now(now, sizeof now);
    elig_result res;
    fm_status st = elig_apply(&c->batch, &c->cfg, e, &src, now, &res, err);
    if (st != FM_OK)
        return st;
    fm_header headers[] = {{"famins.source.event_id", e->event_id}};
    st = fm_outbox_add(txn, FM_TOPIC_ENROLLMENT_DECIDED, e->household_id, res.event_id, res.payload, headers, 1, err);
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

static fm_status prepare_cb(void *arg, fm_txn *txn, const fm_event *const *events, size_t count, fm_error *err)
{
    elig_ctx *c = arg;
    if (count > c->prepared_cap) {
        const fm_enrollment **grown = realloc(c->prepared, count * sizeof *grown);
        if (grown == NULL)
            return FM_ENOMEM;
        c->prepared = grown;
        c->prepared_cap = count;
    }
    for (size_t i = 0; i < count; i++)
        c->prepared[i] = events[i]->decoded;
    return elig_batch_prepare(&c->batch, fm_txn_conn(txn), c->cfg.keyring, c->prepared, count, err);
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

int main(int argc, char **argv)
{
    /* The command line first: --version or a typo must never read settings or connect. */
    int help = 0, cli_exit = FM_EXIT_OK;
    if (fm_cli_answer_bare(argc, argv, "famins-eligibility", &help, &cli_exit))
        return cli_exit;
    if (help) {
        printf("Usage: famins-eligibility\n"
               "Consumes enrollment.submitted, decides each enrollment (domain.md, Decisions / Enrollment), records\n"
               "the decision, members, policy and insured persons, and publishes enrollment.decided through the\n"
               "outbox, exactly once. Stops on SIGTERM/SIGINT after the batch in hand. Settings (environment):\n");
        fm_settings_print_help(stdout, elig_settings, ELIG_SETTING_COUNT);
        return 0;
    }
    int code = 1;
    fm_error err = {0};
    fm_settings *settings = NULL;
    fm_plan_catalogue *cat = NULL;
    elig_ctx ctx = {0};
    fm_keyring keyring = {0};
    env_ctx env;
    if (own_dsn(&env) != FM_OK) {
        fprintf(stderr, "famins-eligibility: FAMINS_ELIGIBILITY_PG_DSN or FAMINS_PG_DSN is too long\n");
        return 2;
    }
    if (fm_settings_load(elig_settings, ELIG_SETTING_COUNT, lookup, &env, &settings, &err) != FM_OK) {
        fprintf(stderr, "famins-eligibility: %s %s\n", err.path, err.text);
        return 2;
    }
    fm_logger logger;
    if (fm_logger_init(&logger, "eligibility", fm_settings_str(settings, "FAMINS_LOG_LEVEL"),
                       fm_settings_str(settings, "FAMINS_LOG_FORMAT"), stderr, &err) != FM_OK) {
        fprintf(stderr, "famins-eligibility: %s\n", err.text);
        code = 2;
        goto done;
    }
    if (fm_plan_catalogue_load(fm_settings_str(settings, "FAMINS_PLAN_DIR"), &cat, &err) != FM_OK) {
        fm_log(&logger, FM_LOG_ERROR, "catalogue_refused", "path=%s code=%s error=\"%s\"", err.path, err.code,
               err.text);
        code = 2;
        goto done;
    }
    /* Before any connection: without a secret of its own the service would key persons under a public one. */
    bool dev_secret = false;
    if (fm_keyring_from_settings(settings, &keyring, &dev_secret, &err) != FM_OK) {
        fprintf(stderr, "famins-eligibility: %s\n", err.text);
        code = 2;
        goto done;
    }
    if (dev_secret)
        fm_log(&logger, FM_LOG_WARN, "person_key_secret_development",
               "detail=\"FAMINS_ALLOW_DEV_PERSON_KEY=1: persons are keyed under the public development secret\"");
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    ctx = (elig_ctx){.cfg = {.catalogue = cat, .keyring = &keyring},
                    .logger = &logger,
                    .max_bytes = (size_t)fm_settings_int(settings, "FAMINS_MAX_MESSAGE_BYTES")};
    const fm_topic_id topics[] = {FM_TOPIC_ENROLLMENT_SUBMITTED};
    fm_worker_options opt = {
        .settings = settings,
        .service = "eligibility",
        .topics = topics,
        .topic_count = 1,
        .handler = {.ctx = &ctx,
                    .decode = decode_cb,
                    .apply = apply_cb,
                    .release = release_cb,
                    .begin_batch = begin_cb,
                    .prepare_batch = prepare_cb,
                    .end_batch = end_cb},
        .logger = &logger,
        .stop = &stop_requested,
    };
    fm_worker_counters counters = {0};
    fm_status st = fm_worker_run(&opt, &counters, &err);
    if (st != FM_OK) {
        fm_log(&logger, FM_LOG_ERROR, "worker_exit", "status=%s code=%s error=\"%s\"", fm_status_name(st), err.code,
               err.text);
        goto done;
    }
    code = 0;
done:
    elig_batch_free(&ctx.batch);
    free(ctx.prepared);
    fm_plan_catalogue_free(cat);
    fm_keyring_clear(&keyring);
    fm_settings_free(settings);
    return code;
}
