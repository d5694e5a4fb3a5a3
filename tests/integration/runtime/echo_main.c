/* echo_main.c — famins-test-echo: the smallest service on the worker runtime, for the runtime's integration
 * and crash tests. It consumes enrollment.submitted, records each event in famins.echo_results (a table the
 * test creates) and echoes it to enrollment.decided through the outbox. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fm_pg.h"
#include "fm_service.h"
#include "fm_sha256.h"
#include "fm_worker.h"

static const fm_setting echo_settings[] = {
    FM_COMMON_SETTINGS,
    FM_WORKER_SETTINGS,
    {"FAMINS_TEST_APPLY_DELAY_US", FM_SETTING_INT, "0", 0, 1000000,
     "test only: sleep this long in each apply (keeps batch transactions open for the crash test)"},
    {"FAMINS_TEST_ECHO_COPY", FM_SETTING_INT, "0", 0, 1,
     "test only: 1 buffers the result rows and writes them with one COPY per batch (end_batch)"},
    FM_SERVICE_DSN_SETTING("FAMINS_TEST_ECHO_PG_DSN", "famins_eligibility"),
};

/* It runs as famins_eligibility (the tests bind its group and grant its table to that role); a test that must
 * see its sessions' state as the database owner gives it FAMINS_TEST_ECHO_PG_DSN. */
static const fm_service echo_service = {
    .name = "test-echo",
    .role = "famins_eligibility",
    .dsn_setting = "FAMINS_TEST_ECHO_PG_DSN",
    .usage = "Usage: famins-test-echo\nA test service on the famins worker runtime.\n",
    .settings = echo_settings,
    .setting_count = sizeof echo_settings / sizeof echo_settings[0],
};

typedef struct echo_ctx {
    long delay_us;
    int copy; /* buffer result rows for one COPY per batch */
    fm_copybuf rows;
    /* What prepare_batch was given this attempt (borrowed from the runtime for the transaction), so that
     * apply can check it is only ever given those events, in that order. */
    const fm_event *const *prepared;
    size_t n_prepared, next_prepared;
    int elsewhere_once_done; /* a "decided_elsewhere":"once" event was refused once already */
} echo_ctx;

static fm_status echo_decode(void *ctx, const fm_raw_message *msg, fm_event *out, fm_error *err)
{
    (void)ctx;
    json_error_t jerr;
    json_t *root = json_loadb(msg->payload, msg->payload_len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        int utf8 = json_error_code(&jerr) == json_error_invalid_utf8;
        fm_error_set(err, "", utf8 ? "INVALID_UTF8" : "INVALID_JSON", "%s at byte %d", jerr.text,
                     jerr.position);
        return FM_EINVAL;
    }
    fm_status st = FM_EINVAL;
    json_t *id = json_object_get(root, "event_id"), *type = json_object_get(root, "type"),
           *version = json_object_get(root, "schema_version");
    if (!json_is_object(root)) {
        fm_error_set(err, "", "SCHEMA_VIOLATION", ": NOT_AN_OBJECT");
    } else if (!json_is_string(id) || json_string_length(id) == 0 ||
               json_string_length(id) > FM_EVENT_ID_MAX) {
        fm_error_set(err, "event_id", "SCHEMA_VIOLATION", "event_id: REQUIRED");
    } else if (!json_is_string(type)) {
        fm_error_set(err, "type", "SCHEMA_VIOLATION", "type: REQUIRED");
    } else if (!json_is_integer(version)) {
        fm_error_set(err, "schema_version", "SCHEMA_VIOLATION", "schema_version: REQUIRED");
    } else if (json_integer_value(version) != 1) {
        fm_error_set(err, "schema_version", "UNKNOWN_SCHEMA_VERSION", "schema_version %lld is not known",
                     (long long)json_integer_value(version));
    } else {
        snprintf(out->event_id, sizeof out->event_id, "%s", json_string_value(id));
        snprintf(out->type, sizeof out->type, "%s", json_string_value(type));
        st = fm_sha256_hex(msg->payload, msg->payload_len, out->content_hash);
        if (st == FM_OK)
            out->decoded = json_incref(root);
        else
            fm_error_set(err, "", "NO_MEMORY", "out of memory hashing the message");
    }
    json_decref(root);
    return st;
}

static fm_status echo_apply(void *ctx, fm_txn *txn, const fm_raw_message *msg, const fm_event *event,
                            fm_error *err)
{
    echo_ctx *c = ctx;
    json_t *root = event->decoded;
    if (c->copy) {
        while (c->next_prepared < c->n_prepared && c->prepared[c->next_prepared] != event)
            c->next_prepared++;
        if (c->next_prepared == c->n_prepared) {
            fm_error_set(err, "event_id", "NOT_PREPARED",
                         "apply got event %s, which prepare_batch was not given", event->event_id);
            return FM_ECONFIG;
        }
        c->next_prepared++;
    }
    /* "decided_elsewhere": as a service whose facts read finds the event decided by another member after the
     * deduplication read: "once" (a race, which the redo resolves) or "always" (tables that disagree). */
    const char *elsewhere = json_string_value(json_object_get(root, "decided_elsewhere"));
    if (elsewhere != NULL && (strcmp(elsewhere, "always") == 0 || !c->elsewhere_once_done)) {
        c->elsewhere_once_done = 1;
        fm_error_set(err, "event_id", "ALREADY_DECIDED", "event %s decided elsewhere (test)",
                     event->event_id);
        return FM_ECONFLICT;
    }
    if (json_object_get(root, "refuse") != NULL) {
        fm_error_set(err, "refuse", "TEST_REFUSED", "refused by the echo service after writing");
        /* fall through to a write first, so the test proves the redo drops it */
    }
    if (c->delay_us > 0) {
        struct timespec ts = {.tv_sec = c->delay_us / 1000000, .tv_nsec = (c->delay_us % 1000000) * 1000};
        nanosleep(&ts, NULL);
    }
    char partition[16], offset[32];
    snprintf(partition, sizeof partition, "%d", (int)msg->partition);
    snprintf(offset, sizeof offset, "%lld", (long long)msg->offset);
    char *payload = strndup(msg->payload, msg->payload_len);
    char *key = msg->key ? strndup(msg->key, msg->key_len) : NULL;
    if (payload == NULL || (msg->key != NULL && key == NULL)) {
        free(payload);
        free(key);
        return FM_ENOMEM;
    }
    const char *params[5] = {event->event_id, msg->topic, partition, offset, payload};
    PGresult *res = NULL;
    fm_error db_err = {0};
    fm_status st = FM_OK;
    if (c->copy) {
        if (fm_copybuf_text_field(&c->rows, 1, event->event_id) != FM_OK ||
            fm_copybuf_text_field(&c->rows, 0, msg->topic) != FM_OK ||
            fm_copybuf_int_field(&c->rows, 0, msg->partition) != FM_OK ||
            fm_copybuf_int_field(&c->rows, 0, msg->offset) != FM_OK ||
            fm_copybuf_text_field(&c->rows, 0, payload) != FM_OK || fm_copybuf_end_row(&c->rows) != FM_OK)
            st = FM_ENOMEM;
    } else {
        st =
            fm_pg_query(fm_txn_conn(txn),
                        "INSERT INTO famins.echo_results (event_id, topic, partition, kafka_offset, payload) "
                        "VALUES ($1, $2, $3, $4, $5)",
                        5, params, &res, &db_err);
        PQclear(res);
    }
    if (st == FM_ENOMEM) {
        fm_error_set(err, "", "NO_MEMORY", "out of memory buffering a result row");
    } else if (st != FM_OK) {
        *err = db_err;
        st = FM_EDB;
    } else if (json_object_get(root, "refuse") != NULL) {
        st = FM_EINVAL;
    } else {
        char out_id[FM_EVENT_ID_MAX + 8];
        snprintf(out_id, sizeof out_id, "echo:%s", event->event_id);
        fm_header headers[] = {{"famins.source.event_id", event->event_id}};
        st = fm_outbox_add(txn, FM_TOPIC_ENROLLMENT_DECIDED, key, out_id, payload, headers, 1, err);
    }
    free(payload);
    free(key);
    return st;
}

static fm_status echo_begin_batch(void *ctx, fm_txn *txn, fm_error *err)
{
    (void)txn;
    (void)err;
    fm_copybuf_reset(&((echo_ctx *)ctx)->rows);
    return FM_OK;
}

static fm_status echo_prepare_batch(void *ctx, fm_txn *txn, const fm_event *const *events, size_t count,
                                    fm_error *err)
{
    (void)txn;
    (void)err;
    echo_ctx *c = ctx;
    c->prepared = events;
    c->n_prepared = count;
    c->next_prepared = 0;
    return FM_OK;
}

/* The rows go in with one COPY; a refused row (the test's CHECK or unique constraint) comes back as FM_EDB
 * with its SQLSTATE, and the runtime finds its message. */
static fm_status echo_end_batch(void *ctx, fm_txn *txn, fm_error *err)
{
    echo_ctx *c = ctx;
    c->prepared = NULL;
    c->n_prepared = 0;
    return fm_copybuf_send(
        fm_txn_conn(txn),
        "COPY famins.echo_results (event_id, topic, partition, kafka_offset, payload) FROM STDIN", &c->rows,
        err);
}

static void echo_release(void *ctx, fm_event *event)
{
    (void)ctx;
    json_decref(event->decoded);
}

static fm_status run(void *arg, const fm_service_env *env, fm_error *err)
{
    (void)arg;
    echo_ctx ctx = {.delay_us = (long)fm_settings_int(env->settings, "FAMINS_TEST_APPLY_DELAY_US"),
                    .copy = (int)fm_settings_int(env->settings, "FAMINS_TEST_ECHO_COPY")};
    const fm_topic_id topics[] = {FM_TOPIC_ENROLLMENT_SUBMITTED};
    fm_worker_options opt = fm_service_worker_options(env);
    opt.topics = topics;
    opt.topic_count = 1;
    opt.handler = (fm_worker_handler){.ctx = &ctx,
                                      .decode = echo_decode,
                                      .apply = echo_apply,
                                      .release = echo_release,
                                      .begin_batch = echo_begin_batch,
                                      .end_batch = echo_end_batch};
    if (ctx.copy)
        opt.handler.prepare_batch = echo_prepare_batch;
    fm_status st = fm_worker_run(&opt, NULL, err);
    fm_copybuf_free(&ctx.rows);
    return st;
}

int main(int argc, char **argv)
{
    return fm_service_main(&echo_service, argc, argv, run, NULL);
}
