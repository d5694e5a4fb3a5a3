/* admin_topics.c — the famins topics: planned from configuration, created if missing, drift reported. */
#include "admin_topics.h"

#include "fm_kafka_topic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static fm_status parse_count(const char *text, int *out)
{
    char *end = NULL;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0' || v < 1 || v > 10000)
        return FM_EINVAL;
    *out = (int)v;
    return FM_OK;
}

fm_status admin_topics_plan(const char *prefix, int partitions, int replication, const char *overrides,
                            admin_topic_plan out[FM_TOPIC_COUNT], fm_error *err)
{
    for (int i = 0; i < FM_TOPIC_COUNT; i++) {
        fm_status st =
            fm_topic_name(prefix, fm_topic_base_name((fm_topic_id)i), out[i].name, sizeof out[i].name, err);
        if (st != FM_OK)
            return st;
        out[i].partitions = partitions;
        out[i].replication = replication;
        out[i].min_insync = 0;
    }
    char *copy = strdup(overrides ? overrides : "");
    if (copy == NULL)
        return FM_ENOMEM;
    fm_status st = FM_OK;
    char *save = NULL;
    for (char *item = strtok_r(copy, ",", &save); item != NULL && st == FM_OK;
         item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        int count = 0;
        if (eq == NULL || (*eq = '\0', parse_count(eq + 1, &count)) != FM_OK) {
            fm_error_set(err, "FAMINS_TOPIC_PARTITIONS_OVERRIDES", "BAD_OVERRIDE",
                         "\"%s\" is not topic=count with a count of 1 to 10000", item);
            st = FM_EINVAL;
            break;
        }
        int found = 0;
        for (int i = 0; i < FM_TOPIC_COUNT; i++)
            if (strcmp(item, fm_topic_base_name((fm_topic_id)i)) == 0) {
                out[i].partitions = count;
                found = 1;
            }
        if (!found) {
            fm_error_set(err, "FAMINS_TOPIC_PARTITIONS_OVERRIDES", "UNKNOWN_TOPIC",
                         "\"%s\" is not a famins topic (use base names such as claim.events)", item);
            st = FM_EINVAL;
        }
    }
    free(copy);
    return st;
}

fm_status admin_topics_plan_min_insync(admin_topic_plan plan[FM_TOPIC_COUNT], int min_insync, fm_error *err)
{
    for (int i = 0; i < FM_TOPIC_COUNT; i++) {
        if (min_insync < 0 || min_insync > plan[i].replication) {
            fm_error_set(err, "FAMINS_TOPIC_MIN_INSYNC", "BAD_MIN_INSYNC",
                         "min.insync.replicas %d is not 0..%d (the replication factor of %s)", min_insync,
                         plan[i].replication, plan[i].name);
            return FM_EINVAL;
        }
        plan[i].min_insync = min_insync;
    }
    return FM_OK;
}

/* Returns the partition count of topic in md, or 0 when the broker does not know it. */
static int partitions_in(const struct rd_kafka_metadata *md, const char *topic)
{
    for (int i = 0; i < md->topic_cnt; i++)
        if (strcmp(md->topics[i].topic, topic) == 0)
            return md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR ? md->topics[i].partition_cnt : 0;
    return 0;
}

static fm_status create_topics(rd_kafka_t *rk, rd_kafka_NewTopic_t **topics, size_t count, int timeout_ms,
                               fm_error *err)
{
    fm_status st = FM_OK;
    rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    char errstr[512];
    rd_kafka_AdminOptions_set_operation_timeout(options, timeout_ms, errstr, sizeof errstr);
    rd_kafka_CreateTopics(rk, topics, count, options, queue);
    rd_kafka_event_t *event = rd_kafka_queue_poll(queue, timeout_ms + 2000);
    if (event == NULL) {
        fm_error_set(err, "", "KAFKA_TIMEOUT", "no answer to CreateTopics within %d ms", timeout_ms + 2000);
        st = FM_EKAFKA;
        goto done;
    }
    if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fm_error_set(err, "", "KAFKA_ERROR", "CreateTopics failed: %s", rd_kafka_event_error_string(event));
        st = FM_EKAFKA;
        goto done;
    }
    size_t n = 0;
    const rd_kafka_topic_result_t **results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &n);
    for (size_t i = 0; i < n; i++) {
        rd_kafka_resp_err_t e = rd_kafka_topic_result_error(results[i]);
        /* Another admin may have created it between our metadata read and now. */
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
            fm_error_set(err, rd_kafka_topic_result_name(results[i]), "KAFKA_ERROR", "cannot create %s: %s",
                         rd_kafka_topic_result_name(results[i]),
                         rd_kafka_topic_result_error_string(results[i]));
            st = FM_EKAFKA;
        }
    }
done:
    if (event != NULL)
        rd_kafka_event_destroy(event);
    rd_kafka_AdminOptions_destroy(options);
    rd_kafka_queue_destroy(queue);
    return st;
}

fm_status admin_topics_ensure(rd_kafka_t *rk, const admin_topic_plan plan[FM_TOPIC_COUNT], int timeout_ms,
                              const fm_logger *logger, admin_topics_report *report, fm_error *err)
{
    memset(report, 0, sizeof *report);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 1, NULL, &md, timeout_ms);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fm_error_set(err, "FAMINS_KAFKA_BOOTSTRAP", "KAFKA_UNREACHABLE", "cannot read Kafka metadata: %s",
                     rd_kafka_err2str(e));
        return FM_EKAFKA;
    }
    rd_kafka_NewTopic_t *missing[FM_TOPIC_COUNT];
    size_t missing_count = 0;
    fm_status st = FM_OK;
    for (int i = 0; i < FM_TOPIC_COUNT && st == FM_OK; i++) {
        int have = partitions_in(md, plan[i].name);
        if (have == 0) {
            char errstr[256];
            missing[missing_count] = rd_kafka_NewTopic_new(plan[i].name, plan[i].partitions,
                                                           plan[i].replication, errstr, sizeof errstr);
            if (missing[missing_count] == NULL) {
                fm_error_set(err, plan[i].name, "BAD_TOPIC", "%s", errstr);
                st = FM_EINVAL;
                break;
            }
            missing_count++;
            if (plan[i].min_insync > 0) {
                char value[16];
                snprintf(value, sizeof value, "%d", plan[i].min_insync);
                rd_kafka_resp_err_t ce =
                    rd_kafka_NewTopic_set_config(missing[missing_count - 1], "min.insync.replicas", value);
                if (ce != RD_KAFKA_RESP_ERR_NO_ERROR) {
                    fm_error_set(err, plan[i].name, "BAD_TOPIC", "min.insync.replicas: %s",
                                 rd_kafka_err2str(ce));
                    st = FM_EINVAL;
                    break;
                }
            }
            fm_log(logger, FM_LOG_INFO, "topic_create", "topic=%s partitions=%d replication=%d min_insync=%d",
                   plan[i].name, plan[i].partitions, plan[i].replication, plan[i].min_insync);
        } else if (have != plan[i].partitions) {
            report->differing++;
            fm_log(
                logger, FM_LOG_WARN, "topic_partitions_differ",
                "topic=%s partitions=%d configured=%d action=none (changing a keyed topic's partition count "
                "moves keys between partitions; do it deliberately)",
                plan[i].name, have, plan[i].partitions);
        } else {
            report->existing++;
        }
    }
    rd_kafka_metadata_destroy(md);
    if (st == FM_OK && missing_count > 0) {
        st = create_topics(rk, missing, missing_count, timeout_ms, err);
        if (st == FM_OK)
            report->created = (int)missing_count;
    }
    rd_kafka_NewTopic_destroy_array(missing, missing_count);
    /* Ready means every partition can take messages: the workers' idempotent producers may write the moment
     * this returns (fm_kafka_topic.h says what is lost otherwise). */
    for (int i = 0; i < FM_TOPIC_COUNT && st == FM_OK; i++)
        st = fm_kafka_topic_wait_online(rk, plan[i].name, timeout_ms, NULL, err);
    return st;
}
