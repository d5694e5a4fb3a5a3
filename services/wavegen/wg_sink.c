/* wg_sink.c — the dry-run file writer and the librdkafka producer with checked delivery reports. */
#include "wg_sink.h"

#include "fm_kafka.h"
#include "fm_kafka_topic.h"

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct wg_sink {
    fm_kafka_log_ref kafka_log; /* first: the producer's opaque is the sink, its log lines find the logger */
    FILE *file;
    bool own_file;
    rd_kafka_t *rk;
    rd_kafka_topic_t *rkt;
    const fm_logger *log;
    wg_sink_stats stats;
};

fm_status wg_sink_file_open(const char *path, wg_sink **out, fm_error *err)
{
    wg_sink *s = calloc(1, sizeof *s);
    if (s == NULL)
        return FM_ENOMEM;
    if (strcmp(path, "-") == 0) {
        s->file = stdout;
    } else {
        s->file = fopen(path, "wb");
        s->own_file = true;
    }
    if (s->file == NULL) {
        fm_error_set(err, path, "OPEN_FAILED", "cannot open the dry-run file for writing");
        free(s);
        return FM_EIO;
    }
    setvbuf(s->file, NULL, _IOFBF, 1 << 20);
    *out = s;
    return FM_OK;
}

/* Delivery reports: the only place where we learn whether the broker has the message. */
static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    wg_sink *s = opaque;
    if (m->err) {
        if (s->stats.failed == 0)
            snprintf(s->stats.first_error, sizeof s->stats.first_error, "%s", rd_kafka_err2str(m->err));
        s->stats.failed++;
    } else {
        s->stats.delivered++;
    }
}

static void on_error(rd_kafka_t *rk, int code, const char *reason, void *opaque)
{
    const wg_sink *s = opaque;
    /* Transport errors are retried by librdkafka and reported per message if they last; a fatal
     * error (idempotence broken) is worth a line of its own. */
    if (code == RD_KAFKA_RESP_ERR__FATAL) {
        char why[256];
        rd_kafka_fatal_error(rk, why, sizeof why);
        fm_log(s->log, FM_LOG_ERROR, "kafka_fatal_error", "reason=\"%s\"", why);
    } else if (code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
        fm_log(s->log, FM_LOG_WARN, "kafka_all_brokers_down", "reason=\"%s\"", reason);
    }
}

fm_status wg_sink_kafka_open(const char *topic, rd_kafka_conf_t *base, const char *const *props, int n_props,
                             const fm_logger *log, wg_sink **out, fm_error *err)
{
    static const char *const defaults[][2] = {
        {"enable.idempotence", "true"},
        {"acks", "all"}, /* delivered = on every in-sync replica (a replicated cluster loses no event) */
        {"partitioner", "murmur2_random"},
        {"linger.ms", "20"},
        {"compression.type", "lz4"},
        {"queue.buffering.max.messages", "200000"},
        {"queue.buffering.max.kbytes", "262144"},
        {"message.timeout.ms", "120000"},
    };
    char errstr[512];
    wg_sink *s = calloc(1, sizeof *s);
    rd_kafka_conf_t *conf = base;
    if (s == NULL || conf == NULL)
        goto nomem;
    s->log = log;
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
        if (rd_kafka_conf_set(conf, defaults[i][0], defaults[i][1], errstr, sizeof errstr) !=
            RD_KAFKA_CONF_OK) {
            fm_error_set(err, defaults[i][0], "BAD_PROPERTY", "%s", errstr);
            goto config;
        }
    for (int i = 0; i < n_props; i++) {
        char kv[1024];
        snprintf(kv, sizeof kv, "%s", props[i]);
        char *eq = strchr(kv, '=');
        if (eq == NULL) {
            fm_error_set(err, props[i], "BAD_PROPERTY", "a property is key=value");
            goto config;
        }
        *eq = '\0';
        if (rd_kafka_conf_set(conf, kv, eq + 1, errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
            fm_error_set(err, kv, "BAD_PROPERTY", "%s", errstr);
            goto config;
        }
    }
    fm_kafka_conf_log_to(conf, log, &s->kafka_log);
    rd_kafka_conf_set_opaque(conf, s);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_error_cb(conf, on_error);
    s->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (s->rk == NULL) {
        fm_error_set(err, "producer", "CREATE_FAILED", "%s", errstr);
        goto config;
    }
    conf = NULL; /* owned by rk now */
    s->rkt = rd_kafka_topic_new(s->rk, topic, NULL);
    if (s->rkt == NULL) {
        fm_error_set(err, topic, "TOPIC_FAILED", "%s", rd_kafka_err2str(rd_kafka_last_error()));
        rd_kafka_destroy(s->rk);
        free(s);
        return FM_EKAFKA;
    }
    *out = s;
    return FM_OK;
config:
    if (conf != NULL)
        rd_kafka_conf_destroy(conf);
    free(s);
    return FM_ECONFIG;
nomem:
    if (conf != NULL)
        rd_kafka_conf_destroy(conf);
    free(s);
    return FM_ENOMEM;
}

fm_status wg_sink_kafka_create_topic(wg_sink *s, const char *topic, int partitions, int replication,
                                     int timeout_ms, fm_error *err)
{
    char errstr[512];
    fm_status st = FM_EKAFKA;
    rd_kafka_NewTopic_t *nt =
        rd_kafka_NewTopic_new(topic, partitions, replication > 0 ? replication : 1, errstr, sizeof errstr);
    rd_kafka_AdminOptions_t *opts = rd_kafka_AdminOptions_new(s->rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_queue_t *q = rd_kafka_queue_new(s->rk);
    rd_kafka_event_t *ev = NULL;
    if (nt == NULL || opts == NULL || q == NULL) {
        fm_error_set(err, topic, "CREATE_TOPIC", "%s", nt == NULL ? errstr : "out of memory");
        goto done;
    }
    rd_kafka_AdminOptions_set_operation_timeout(opts, timeout_ms, errstr, sizeof errstr);
    rd_kafka_CreateTopics(s->rk, &nt, 1, opts, q);
    ev = rd_kafka_queue_poll(q, timeout_ms + 2000);
    if (ev == NULL) {
        fm_error_set(err, topic, "CREATE_TOPIC", "no answer within %d ms", timeout_ms);
        st = FM_ETIMEDOUT;
        goto done;
    }
    if (rd_kafka_event_error(ev)) {
        fm_error_set(err, topic, "CREATE_TOPIC", "%s", rd_kafka_event_error_string(ev));
        goto done;
    }
    size_t n = 0;
    const rd_kafka_topic_result_t **res =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
    rd_kafka_resp_err_t e = n == 1 ? rd_kafka_topic_result_error(res[0]) : RD_KAFKA_RESP_ERR__FAIL;
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        fm_error_set(err, topic, "CREATE_TOPIC", "%s", rd_kafka_err2str(e));
        goto done;
    }
    st = FM_OK;
done:
    if (ev != NULL)
        rd_kafka_event_destroy(ev);
    if (q != NULL)
        rd_kafka_queue_destroy(q);
    if (opts != NULL)
        rd_kafka_AdminOptions_destroy(opts);
    if (nt != NULL)
        rd_kafka_NewTopic_destroy(nt);
    return st;
}

fm_status wg_sink_kafka_check_topic(wg_sink *s, int timeout_ms, int *partitions, fm_error *err)
{
    /* A topic created a moment ago (by --create-topic, or by a test) may take a while to show in every
     * broker's metadata and to open every partition: nothing is produced before (fm_kafka_topic.h says why).
     */
    return fm_kafka_topic_wait_online(s->rk, rd_kafka_topic_name(s->rkt), timeout_ms, partitions, err);
}

fm_status wg_sink_put(wg_sink *s, const char *key, size_t key_len, const void *payload, size_t len)
{
    s->stats.produced++;
    if (s->file != NULL) {
        if (fwrite(payload, 1, len, s->file) != len || fputc('\n', s->file) == EOF) {
            s->stats.failed++;
            return FM_EIO;
        }
        s->stats.delivered++;
        return FM_OK;
    }
    for (;;) {
        if (rd_kafka_produce(s->rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, (void *)payload, len, key,
                             key_len, NULL) == 0)
            break;
        rd_kafka_resp_err_t e = rd_kafka_last_error();
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            if (s->stats.failed == 0)
                snprintf(s->stats.first_error, sizeof s->stats.first_error, "%s", rd_kafka_err2str(e));
            s->stats.failed++;
            return FM_EKAFKA;
        }
        rd_kafka_poll(s->rk, 100); /* bounded queue full: let deliveries drain it */
    }
    rd_kafka_poll(s->rk, 0);
    return FM_OK;
}

fm_status wg_sink_close(wg_sink *s, int flush_timeout_ms, wg_sink_stats *stats)
{
    fm_status st = FM_OK;
    if (s->file != NULL) {
        if (fflush(s->file) != 0)
            st = FM_EIO;
        if (s->own_file && fclose(s->file) != 0)
            st = FM_EIO;
    } else {
        rd_kafka_flush(s->rk, flush_timeout_ms);
        int left = rd_kafka_outq_len(s->rk);
        if (left > 0) {
            /* Still in flight at the bound: purge them so that their delivery reports arrive (as
             * failures) and are counted, and the run says it could not deliver everything. */
            rd_kafka_purge(s->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
            for (int i = 0; i < 50 && rd_kafka_outq_len(s->rk) > 0; i++)
                rd_kafka_poll(s->rk, 100);
            if (s->stats.failed == 0 || s->stats.first_error[0] == '\0')
                snprintf(s->stats.first_error, sizeof s->stats.first_error,
                         "%d messages still queued when the flush bound (%d ms) ran out", left,
                         flush_timeout_ms);
            st = FM_ETIMEDOUT;
        }
        rd_kafka_topic_destroy(s->rkt);
        rd_kafka_destroy(s->rk);
    }
    if (st == FM_OK && s->stats.failed > 0)
        st = s->file != NULL ? FM_EIO : FM_EKAFKA;
    if (stats != NULL)
        *stats = s->stats;
    free(s);
    return st;
}
