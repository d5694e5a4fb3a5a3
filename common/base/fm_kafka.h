/* fm_kafka.h — Kafka client configuration that passes any librdkafka property through, and topic names. */
#ifndef FM_KAFKA_H
#define FM_KAFKA_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>

#include "fm_error.h"
#include "fm_settings.h"

/* Sets one librdkafka property; FM_ECONFIG with librdkafka's own message in err. */
fm_status fm_kafka_conf_set(rd_kafka_conf_t *conf, const char *key, const char *value, fm_error *err);

/* Applies "key=value;key=value" (empty list: nothing). FM_ECONFIG on a malformed pair or unknown key. */
fm_status fm_kafka_conf_apply_list(rd_kafka_conf_t *conf, const char *list, fm_error *err);

/* Applies a properties file: one key=value a line, blank lines and '#' comments ignored. FM_EIO when
 * unreadable, FM_ECONFIG on a bad line (err->path holds "file:line"). */
fm_status fm_kafka_conf_apply_file(rd_kafka_conf_t *conf, const char *path, fm_error *err);

/* A new configuration with bootstrap.servers, client.id, then FAMINS_KAFKA_PROPERTIES_FILE and
 * FAMINS_KAFKA_PROPERTIES applied on top (so SASL/TLS deployments need no code). Caller owns *out
 * (rd_kafka_conf_destroy, or hand it to rd_kafka_new). */
fm_status fm_kafka_conf_new(const fm_settings *settings, const char *client_id, rd_kafka_conf_t **out,
                            fm_error *err);

/* The famins topics (architecture.md's topic table). */
typedef enum fm_topic_id {
    FM_TOPIC_ENROLLMENT_SUBMITTED = 0,
    FM_TOPIC_ENROLLMENT_DECIDED,
    FM_TOPIC_SUBSIDY_ALLOCATED,
    FM_TOPIC_CLAIM_EVENTS,
    FM_TOPIC_CLAIM_DECIDED,
    FM_TOPIC_ENROLLMENT_SUBMITTED_DLQ,
    FM_TOPIC_ENROLLMENT_DECIDED_DLQ,
    FM_TOPIC_CLAIM_EVENTS_DLQ,
    FM_TOPIC_COUNT
} fm_topic_id;

/* The base name of a topic, e.g. "claim.events" (no prefix). */
const char *fm_topic_base_name(fm_topic_id id);

/* Writes prefix + base name into buf. FM_EINVAL when it does not fit or is not a legal Kafka topic name
 * (1–249 chars of [A-Za-z0-9._-]). */
fm_status fm_topic_name(const char *prefix, const char *base, char *buf, size_t len, fm_error *err);

#endif
