/* subs_main.c — famins-subsidy: books the category-A subsidy of enrollment.decided events, exactly once. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fm_cli.h"
#include "fm_pg.h"
#include "fm_plan.h"
#include "fm_worker.h"
#include "subs_apply.h"
#include "subs_decode.h"

static volatile sig_atomic_t stop_requested = 0;

/* First signal: finish the batch and leave. Second: leave now (nothing uncommitted is lost). */
static void on_signal(int sig)
{
    (void)sig;
    if (stop_requested)
        _exit(130);
    stop_requested = 1;
}


static const fm_setting subs_settings[] = {
    FM_COMMON_SETTINGS,
    FM_WORKER_SETTINGS,
    {"FAMINS_SUBSIDY_PG_DSN", FM_SETTING_STRING, "", 0, 0,
     "the service's own connection (role famins_subsidy); empty: FAMINS_PG_DSN with user=famins_subsidy "
     "(FAMINS_PG_DSN itself is never used as is: it names the admin role)"},
};
#define SUBS_SETTING_COUNT (sizeof subs_settings / sizeof subs_settings[0])

/* The environment, except that FAMINS_PG_DSN reads as the service's own DSN: the runtime connects with
 * FAMINS_PG_DSN, and least privilege means connecting as famins_subsidy. libpq takes the last of
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
    return fm_pg_role_dsn(getenv("FAMINS_SUBSIDY_PG_DSN"), getenv("FAMINS_PG_DSN"), "famins_subsidy", c->dsn, sizeof c->dsn);
}

typedef struct subs_ctx {
    subs_config cfg;
    const fm_logger *logger;
    size_t max_bytes;
    fm_copybuf ledger; /* the batch's ledger rows, written with one COPY */
} subs_ctx;

static fm_status decode_cb(void *arg, const fm_raw_message *msg, fm_event *out, fm_error *err)
{
    subs_ctx *c = arg;
    return subs_decode(msg->payload, msg->payload_len, c->max_bytes, out, err);
}

/* The allocated event's timestamp: now, UTC. */
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
    (void)msg;
    subs_ctx *c = arg;
    const subs_decided *d = event->decoded;
    char now[64];
    utc_now(now, sizeof now);
    subs_result res;
    fm_status st = subs_apply(&c->ledger, &c->cfg, d, now, &res, err);
    if (st != FM_OK || !res.allocated)
        return st;
    fm_header headers[] = {{"famins.source.event_id", d->event_id}};
    st = fm_outbox_add(txn, FM_TOPIC_SUBSIDY_ALLOCATED, d->household_id, res.event_id, res.payload, headers, 1, err);
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
    return FM_OK;
}

static fm_status end_cb(void *arg, fm_txn *txn, fm_error *err)
{
    return subs_ledger_write(fm_txn_conn(txn), &((subs_ctx *)arg)->ledger, err);
}

static void release_cb(void *arg, fm_event *event)
{
    (void)arg;
    subs_decoded_free(event);
}

int main(int argc, char **argv)
{
    /* The command line first: --version or a typo must never read settings or connect. */
    int help = 0, cli_exit = FM_EXIT_OK;
    if (fm_cli_answer_bare(argc, argv, "famins-subsidy", &help, &cli_exit))
        return cli_exit;
    if (help) {
        printf("Usage: famins-subsidy\n"
               "Consumes enrollment.decided; for each accepted category-A household books the 4000-fen subsidy in\n"
               "the ledger, one row per paying payer (city, district or county, development zone), and publishes\n"
               "subsidy.allocated through the outbox, exactly once. Stops on SIGTERM/SIGINT after the batch in\n"
               "hand. Settings (environment):\n");
        fm_settings_print_help(stdout, subs_settings, SUBS_SETTING_COUNT);
        return 0;
    }
    int code = 1;
    fm_error err = {0};
    fm_settings *settings = NULL;
    subs_ctx ctx = {0};
    fm_plan_catalogue *cat = NULL;
    env_ctx env;
    if (own_dsn(&env) != FM_OK) {
        fprintf(stderr, "famins-subsidy: FAMINS_SUBSIDY_PG_DSN or FAMINS_PG_DSN is too long\n");
        return 2;
    }
    if (fm_settings_load(subs_settings, SUBS_SETTING_COUNT, lookup, &env, &settings, &err) != FM_OK) {
        fprintf(stderr, "famins-subsidy: %s %s\n", err.path, err.text);
        return 2;
    }
    fm_logger logger;
    if (fm_logger_init(&logger, "subsidy", fm_settings_str(settings, "FAMINS_LOG_LEVEL"),
                       fm_settings_str(settings, "FAMINS_LOG_FORMAT"), stderr, &err) != FM_OK) {
        fprintf(stderr, "famins-subsidy: %s\n", err.text);
        code = 2;
        goto done;
    }
    if (fm_plan_catalogue_load(fm_settings_str(settings, "FAMINS_PLAN_DIR"), &cat, &err) != FM_OK) {
        fm_log(&logger, FM_LOG_ERROR, "catalogue_refused", "path=%s code=%s error=\"%s\"", err.path, err.code,
               err.text);
        code = 2;
        goto done;
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    ctx = (subs_ctx){.cfg = {.catalogue = cat, .logger = &logger},
                     .logger = &logger,
                     .max_bytes = (size_t)fm_settings_int(settings, "FAMINS_MAX_MESSAGE_BYTES")};
    const fm_topic_id topics[] = {FM_TOPIC_ENROLLMENT_DECIDED};
    fm_worker_options opt = {
        .settings = settings,
        .service = "subsidy",
        .topics = topics,
        .topic_count = 1,
        .handler = {.ctx = &ctx,
                    .decode = decode_cb,
                    .apply = apply_cb,
                    .release = release_cb,
                    .begin_batch = begin_cb,
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
    fm_copybuf_free(&ctx.ledger);
    fm_plan_catalogue_free(cat);
    fm_settings_free(settings);
    return code;
}
