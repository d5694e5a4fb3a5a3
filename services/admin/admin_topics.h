/* admin_topics.h — the famins topics: planned from configuration, created if missing, drift reported. */
#ifndef ADMIN_TOPICS_H
#define ADMIN_TOPICS_H

#include <librdkafka/rdkafka.h>

#include "fm_error.h"
#include "fm_kafka.h"
#include "fm_log.h"

typedef struct admin_topic_plan {
    char name[256]; /* prefix + base name */
    int partitions;
    int replication;
    int min_insync; /* min.insync.replicas of the topic created; 0: the broker's default */
} admin_topic_plan;

/* Plans every famins topic: `partitions` each, except those named in overrides
 * ("claim.events=12,enrollment.submitted=3", base names). FM_EINVAL on a malformed override, an unknown
 * topic or a count outside 1..10000 (err says which). out has FM_TOPIC_COUNT entries. */
fm_status admin_topics_plan(const char *prefix, int partitions, int replication, const char *overrides,
                            admin_topic_plan out[FM_TOPIC_COUNT], fm_error *err);

/* Sets min.insync.replicas (0: the broker's default) of every planned topic. FM_EINVAL (err names the
 * setting) when it exceeds a topic's replication factor: no acks=all write could ever succeed. */
fm_status admin_topics_plan_min_insync(admin_topic_plan plan[FM_TOPIC_COUNT], int min_insync, fm_error *err);

typedef struct admin_topics_report {
    int created;   /* topics created by this run */
    int existing;  /* topics that were there with the planned partition count */
    int differing; /* topics that were there with another partition count (logged, never changed) */
} admin_topics_report;

/* Creates the planned topics that do not exist (CreateTopics, with min.insync.replicas when planned), reading
 * what exists from rd_kafka_metadata() (librdkafka 2.0.2 has no DescribeTopics). A topic with another
 * partition count is reported, not altered. Returns once every planned topic has every partition online
 * (fm_kafka_topic_wait_online, each bounded by timeout_ms). FM_EKAFKA when the broker cannot be reached
 * within timeout_ms or refuses a creation; FM_ENOTFOUND when a partition is still offline at the bound. */
fm_status admin_topics_ensure(rd_kafka_t *rk, const admin_topic_plan plan[FM_TOPIC_COUNT], int timeout_ms,
                              const fm_logger *logger, admin_topics_report *report, fm_error *err);

#endif
