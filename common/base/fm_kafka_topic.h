/* fm_kafka_topic.h — waiting until a topic can take messages: every partition led and answering. */
#ifndef FM_KAFKA_TOPIC_H
#define FM_KAFKA_TOPIC_H

#include <librdkafka/rdkafka.h>

#include "fm_error.h"

/* Waits up to timeout_ms until topic is in the metadata with every partition online: a leader, and that
 * leader answering an offset query. A just-created topic shows in the metadata before its broker has opened
 * every partition's log, and events produced meanwhile can be lost though reported delivered (seen with
 * librdkafka 2.0.2's idempotent producer and Kafka 4.1: the first two events of the partition opened last
 * missing from its log, the producer saying "delivered 2051, failed 0"). So a producer or an admin that just
 * created the topic waits here first. On FM_OK *partitions (may be NULL) is the partition count. FM_ENOTFOUND
 * when the topic is missing or a partition still offline at the bound (err says which), FM_ETIMEDOUT when the
 * metadata itself did not come, FM_EKAFKA on another metadata error, FM_ENOMEM. */
fm_status fm_kafka_topic_wait_online(rd_kafka_t *rk, const char *topic, int timeout_ms, int *partitions,
                                     fm_error *err);

#endif
