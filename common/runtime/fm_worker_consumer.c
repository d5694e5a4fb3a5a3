/* fm_worker_consumer.c — a worker's construction from its settings: consumer group, assignor, topics, batch
 * limits, the worker's DSN, and the librdkafka consumer with offsets left to PostgreSQL. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fm_worker.h"
#include "fm_worker_int.h"

fm_status fm_worker_group_id(const fm_settings *settings, const char *service, char *buf, size_t len,
                             fm_error *err)
{
    const char *group = fm_settings_str(settings, "FAMINS_GROUP_ID");
    int n = group[0] != '\0' ? snprintf(buf, len, "%s", group)
                             : snprintf(buf, len, "%sfamins-%s",
                                        fm_settings_str(settings, "FAMINS_TOPIC_PREFIX"), service);
    if (n <= 0 || (size_t)n >= len) {
        fm_error_set(err, "FAMINS_GROUP_ID", "TOO_LONG", "the consumer group name is empty or too long");
        return FM_EINVAL;
    }
    return FM_OK;
}

fm_status fm_worker_assignor_parse(const char *name, int *cooperative, fm_error *err)
{
    if (strcmp(name, "range") == 0 || strcmp(name, "roundrobin") == 0) {
        *cooperative = 0;
        return FM_OK;
    }
    if (strcmp(name, "cooperative-sticky") == 0) {
        *cooperative = 1;
        return FM_OK;
    }
    fm_error_set(err, "FAMINS_ASSIGNOR", "BAD_ASSIGNOR",
                 "FAMINS_ASSIGNOR=\"%s\": use range, roundrobin or cooperative-sticky", name);
    return FM_ECONFIG;
}

/* librdkafka's statistics, served by consumer_poll on this thread: lag, broker state, group membership. */
static int stats_cb(rd_kafka_t *rk, char *json, size_t json_len, void *opaque)
{
    (void)rk;
    fm_ops_kafka_stats(((fmw_worker *)opaque)->ops, json, json_len, 1);
    return 0; /* librdkafka frees json */
}

fm_status fmw_make_consumer(fmw_worker *w, fm_error *err)
{
    const fm_settings *s = w->opt->settings;
    rd_kafka_conf_t *conf = NULL;
    char client_id[128], value[32];
    snprintf(client_id, sizeof client_id, "famins-%s", w->opt->service);
    fm_status st = fm_kafka_conf_new(s, client_id, &conf, err);
    if (st != FM_OK)
        return st;
    /* Offsets are PostgreSQL's: Kafka never commits or stores them on its own, and a position Kafka cannot
     * serve is an error to report, never a silent jump (auto.offset.reset=error). */
    st = fm_kafka_conf_set(conf, "group.id", w->group, err);
    if (st == FM_OK)
        st = fm_kafka_conf_set(conf, "enable.auto.commit", "false", err);
    if (st == FM_OK)
        st = fm_kafka_conf_set(conf, "enable.auto.offset.store", "false", err);
    if (st == FM_OK)
        st = fm_kafka_conf_set(conf, "auto.offset.reset", "error", err);
    /* Only committed records (librdkafka's default, said explicitly): an aborted transaction's never decides.
     */
    if (st == FM_OK)
        st = fm_kafka_conf_set(conf, "isolation.level", "read_committed", err);
    if (st == FM_OK)
        st = fm_kafka_conf_set(conf, "partition.assignment.strategy", fm_settings_str(s, "FAMINS_ASSIGNOR"),
                               err);
    snprintf(value, sizeof value, "%" PRId64, fm_settings_int(s, "FAMINS_SESSION_TIMEOUT_MS"));
    if (st == FM_OK)
        st = fm_kafka_conf_set(conf, "session.timeout.ms", value, err);
    /* The heartbeat must be well inside the session timeout (a third, as Kafka advises). */
    snprintf(value, sizeof value, "%" PRId64, fm_settings_int(s, "FAMINS_SESSION_TIMEOUT_MS") / 3);
    if (st == FM_OK)
        st = fm_kafka_conf_set(conf, "heartbeat.interval.ms", value, err);
    /* librdkafka's defaults (a 64 MiB queue, 50 MiB fetches, 100,000 messages per partition) would hold a
     * backlog's messages in memory for nothing: the limits come from the worker's memory budget. */
    const struct {
        const char *name;
        int64_t value;
    } limits[] = {{"queued.max.messages.kbytes", w->limits.queued_max_messages_kbytes},
                  {"fetch.max.bytes", w->limits.fetch_max_bytes},
                  {"max.partition.fetch.bytes", w->limits.max_partition_fetch_bytes},
                  {"message.max.bytes", w->limits.message_max_bytes},
                  {"queued.min.messages", w->limits.queued_min_messages}};
    for (size_t i = 0; i < sizeof limits / sizeof limits[0] && st == FM_OK; i++) {
        snprintf(value, sizeof value, "%" PRId64, limits[i].value);
        st = fm_kafka_conf_set(conf, limits[i].name, value, err);
    }
    snprintf(value, sizeof value, "%" PRId64, fm_settings_int(s, "FAMINS_MAX_POLL_INTERVAL_MS"));
    if (st == FM_OK)
        st = fm_kafka_conf_set(conf, "max.poll.interval.ms", value, err);
    const char *instance = fm_settings_str(s, "FAMINS_GROUP_INSTANCE_ID");
    if (st == FM_OK && instance[0] != '\0')
        st = fm_kafka_conf_set(conf, "group.instance.id", instance, err);
    if (st == FM_OK)
        st = fm_ops_kafka_conf(w->ops, conf, stats_cb, err);
    if (st != FM_OK) {
        rd_kafka_conf_destroy(conf);
        return st;
    }
    rd_kafka_conf_set_rebalance_cb(conf, fmw_rebalance_cb);
    fm_kafka_conf_log_to(conf, w->lg, &w->kafka_log);
    rd_kafka_conf_set_opaque(conf, w);
    char errstr[512];
    w->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (w->rk == NULL) {
        rd_kafka_conf_destroy(conf);
        fm_error_set(err, "", "KAFKA_CLIENT", "%s", errstr);
        return FM_EKAFKA;
    }
    conf = NULL; /* owned by rk now */
    rd_kafka_poll_set_consumer(w->rk);
    rd_kafka_topic_partition_list_t *subs = rd_kafka_topic_partition_list_new((int)w->topic_count);
    for (size_t i = 0; i < w->topic_count; i++)
        rd_kafka_topic_partition_list_add(subs, w->topics[i], RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(w->rk, subs);
    rd_kafka_topic_partition_list_destroy(subs);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fm_error_set(err, "", "KAFKA_SUBSCRIBE", "%s", rd_kafka_err2str(e));
        return FM_EKAFKA;
    }
    return FM_OK;
}

char *fm_worker_session_dsn(const char *dsn, const char *service, int64_t idle_txn_ms)
{
    size_t len = strlen(dsn) + strlen(service) + 160;
    char *out = malloc(len);
    if (out == NULL)
        return NULL;
    if (strncmp(dsn, "postgres", 8) == 0) /* a URI: leave it as written */
        snprintf(out, len, "%s", dsn);
    else if (strstr(dsn, "options=") != NULL) /* the operator set server options: theirs win */
        snprintf(out, len, "%s fallback_application_name=famins-%s", dsn, service);
    else
        snprintf(
            out, len,
            "%s fallback_application_name=famins-%s options='-c idle_in_transaction_session_timeout=%lld "
            "-c jit=off'",
            dsn, service, (long long)idle_txn_ms);
    return out;
}

fm_status fmw_configure(fmw_worker *w, fm_error *err)
{
    const fm_worker_options *opt = w->opt;
    const fm_settings *s = opt->settings;
    fm_status st = fm_worker_group_id(s, opt->service, w->group, sizeof w->group, err);
    if (st == FM_OK)
        st = fm_worker_assignor_parse(fm_settings_str(s, "FAMINS_ASSIGNOR"), &w->cooperative, err);
    if (st != FM_OK)
        return st;
    /* librdkafka fixed its cooperative-sticky bugs in 2.3–2.10; on 2.0.2 our rebalance test has seen
     * consumption stall after an incremental assignment. Allowed, but never silently. */
    if (w->cooperative && rd_kafka_version() < 0x020a0000)
        fm_log(w->lg, FM_LOG_WARN, "assignor_not_recommended",
               "assignor=cooperative-sticky librdkafka=%s known_issue=\"consumption may stall after an "
               "incremental rebalance before librdkafka 2.10; use range\"",
               rd_kafka_version_str());
    if (opt->topic_count == 0 || opt->topic_count > sizeof w->topics / sizeof w->topics[0]) {
        fm_error_set(err, "", "BAD_TOPICS", "a worker consumes 1 to 8 topics");
        return FM_ECONFIG;
    }
    for (size_t i = 0; i < opt->topic_count; i++) {
        st = fm_topic_name(fm_settings_str(s, "FAMINS_TOPIC_PREFIX"), fm_topic_base_name(opt->topics[i]),
                           w->topics[i], sizeof w->topics[i], err);
        if (st != FM_OK)
            return st;
    }
    w->topic_count = opt->topic_count;
    w->batch_max = (int)fm_settings_int(s, "FAMINS_BATCH_MAX_MESSAGES");
    w->batch_ms = (int)fm_settings_int(s, "FAMINS_BATCH_MAX_MS");
    w->max_bytes = (int)fm_settings_int(s, "FAMINS_MAX_MESSAGE_BYTES");
    w->stats_s = (int)fm_settings_int(s, "FAMINS_STATS_INTERVAL_S");
    /* One budget sets librdkafka's fetch and queue limits and the batch's byte bound (README, "Memory"). */
    st = fm_memory_limits_derive(fm_settings_int(s, "FAMINS_MEMORY_BUDGET_MB"), w->max_bytes, w->batch_max,
                                 fm_settings_int(s, "FAMINS_PREFETCH_KBYTES"),
                                 fm_settings_int(s, "FAMINS_BATCH_MAX_BYTES"), &w->limits, err);
    if (st != FM_OK)
        return st;
    w->txn.group = w->group;
    w->txn.topic_prefix = fm_settings_str(s, "FAMINS_TOPIC_PREFIX");
    w->dsn = fm_worker_session_dsn(opt->dsn != NULL ? opt->dsn : fm_settings_str(s, "FAMINS_PG_DSN"),
                                   opt->service, fm_settings_int(s, "FAMINS_PG_IDLE_TXN_TIMEOUT_MS"));
    return w->dsn == NULL ? FM_ENOMEM : FM_OK;
}
