/* fm_kstats.c — librdkafka's statistics JSON (parsed with jansson) turned into operator metrics. */
#include "fm_kstats.h"

#include <jansson.h>
#include <string.h>

fm_status fm_kstats_register(fm_metrics *m, fm_kstats_metrics *out)
{
    static const char *const tp[] = {"topic", "partition", NULL};
    static const char *const broker[] = {"broker", NULL};
    fm_kstats_metrics k = {0};
    fm_status st = fm_metrics_family(m, "famins_kafka_consumer_lag", FM_METRIC_GAUGE,
                                     "Messages between the partition's high watermark and the committed "
                                     "position (librdkafka consumer_lag), per fetched partition",
                                     tp, NULL, 0, &k.lag);
    if (st == FM_OK)
        st = fm_metrics_family(m, "famins_kafka_fetch_queue_messages", FM_METRIC_GAUGE,
                               "Messages fetched ahead and waiting in the partition's queue (fetchq_cnt)", tp,
                               NULL, 0, &k.fetchq);
    if (st == FM_OK)
        st = fm_metrics_family(m, "famins_kafka_broker_up", FM_METRIC_GAUGE,
                               "1 when the connection to the broker is UP, else 0 (librdkafka broker state)",
                               broker, NULL, 0, &k.broker_up);
    if (st == FM_OK)
        st = fm_metrics_family(m, "famins_kafka_broker_outbuf_requests", FM_METRIC_GAUGE,
                               "Requests waiting to be sent to the broker (outbuf_cnt)", broker, NULL, 0,
                               &k.broker_outbuf);
    if (st == FM_OK)
        st = fm_metrics_family(m, "famins_kafka_broker_waitresp_requests", FM_METRIC_GAUGE,
                               "Requests sent to the broker and waiting for its response (waitresp_cnt)",
                               broker, NULL, 0, &k.broker_waitresp);
    if (st == FM_OK)
        st = fm_metrics_family(m, "famins_kafka_queue_messages", FM_METRIC_GAUGE,
                               "Messages in the client's producer queues (msg_cnt)", NULL, NULL, 0,
                               &k.msg_cnt);
    if (st == FM_OK)
        st = fm_metrics_family(
            m, "famins_kafka_reply_queue_ops", FM_METRIC_GAUGE,
            "Operations (callbacks, events) waiting to be served by the application (replyq)", NULL, NULL, 0,
            &k.replyq);
    if (st == FM_OK)
        st = fm_metrics_family(m, "famins_kafka_group_up", FM_METRIC_GAUGE,
                               "1 when the consumer group state is up (a member of the group), else 0", NULL,
                               NULL, 0, &k.group_up);
    if (st == FM_OK)
        *out = k;
    return st;
}

static int64_t int_of(const json_t *obj, const char *key, int64_t fallback)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : fallback;
}

static fm_status partitions(const char *topic, json_t *parts, const fm_kstats_metrics *k,
                            fm_kstats_summary *sum)
{
    const char *id;
    json_t *p;
    json_object_foreach(parts, id, p)
    {
        if (strcmp(id, "-1") == 0 || !json_is_object(p))
            continue;
        const char *state = json_string_value(json_object_get(p, "fetch_state"));
        if (state == NULL || strcmp(state, "none") == 0 || strcmp(state, "stopped") == 0)
            continue; /* not assigned to this consumer */
        const char *labels[] = {topic, id};
        int64_t lag = int_of(p, "consumer_lag", -1);
        fm_status st = fm_metric_set(k->fetchq, labels, (double)int_of(p, "fetchq_cnt", 0));
        if (st == FM_OK && lag >= 0) {
            st = fm_metric_set(k->lag, labels, (double)lag);
            sum->lag = (sum->lag < 0 ? 0 : sum->lag) + lag;
        }
        if (st != FM_OK)
            return st;
    }
    return FM_OK;
}

fm_status fm_kstats_apply(const char *json, size_t json_len, const fm_kstats_metrics *k,
                          fm_kstats_summary *sum)
{
    *sum = (fm_kstats_summary){.lag = -1};
    json_error_t jerr;
    json_t *root = json_loadb(json, json_len, 0, &jerr);
    if (!json_is_object(root) || !json_is_string(json_object_get(root, "type"))) {
        json_decref(root);
        return FM_EINVAL;
    }
    fm_status st = fm_metric_set(k->msg_cnt, NULL, (double)int_of(root, "msg_cnt", 0));
    if (st == FM_OK)
        st = fm_metric_set(k->replyq, NULL, (double)int_of(root, "replyq", 0));
    fm_metric_clear(k->broker_up);
    fm_metric_clear(k->broker_outbuf);
    fm_metric_clear(k->broker_waitresp);
    const char *key;
    json_t *b;
    json_object_foreach(json_object_get(root, "brokers"), key, b)
    {
        const char *state = json_string_value(json_object_get(b, "state"));
        if (st != FM_OK || int_of(b, "nodeid", -1) < 0)
            continue; /* the bootstrap placeholder and internal brokers have no node id */
        const char *labels[] = {key};
        st = fm_metric_set(k->broker_up, labels, state != NULL && strcmp(state, "UP") == 0);
        if (st == FM_OK)
            st = fm_metric_set(k->broker_outbuf, labels, (double)int_of(b, "outbuf_cnt", 0));
        if (st == FM_OK)
            st = fm_metric_set(k->broker_waitresp, labels, (double)int_of(b, "waitresp_cnt", 0));
    }
    fm_metric_clear(k->lag);
    fm_metric_clear(k->fetchq);
    json_t *t;
    json_object_foreach(json_object_get(root, "topics"), key, t)
    {
        if (st == FM_OK)
            st = partitions(key, json_object_get(t, "partitions"), k, sum);
    }
    json_t *cgrp = json_object_get(root, "cgrp");
    if (json_is_object(cgrp)) {
        const char *state = json_string_value(json_object_get(cgrp, "state"));
        sum->group_up = state != NULL && strcmp(state, "up") == 0;
        sum->assigned = (int)int_of(cgrp, "assignment_size", 0);
        if (st == FM_OK)
            st = fm_metric_set(k->group_up, NULL, sum->group_up);
    }
    json_decref(root);
    return st;
}
