/* wg_sink.h — where generated messages go: a JSON-lines file (--dry-run) or a Kafka topic. */
#ifndef WG_SINK_H
#define WG_SINK_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "fm_error.h"
#include "fm_log.h"

typedef struct wg_sink wg_sink;

typedef struct wg_sink_stats {
    uint64_t produced;  /* handed to the file or to librdkafka */
    uint64_t delivered; /* written, or acknowledged by the broker */
    uint64_t failed;    /* delivery reports with an error, or still queued when the flush ran out */
    char first_error[256];
} wg_sink_stats;

/* A file sink: one message per line (path "-" is stdout). *out freed by wg_sink_close. FM_EIO. */
fm_status wg_sink_file_open(const char *path, wg_sink **out, fm_error *err);

/* A Kafka sink producing to topic. base is the connection configuration (fm_kafka_conf_new:
 * bootstrap servers, client id, FAMINS_KAFKA_PROPERTIES[_FILE]); the generator's producer settings
 * (idempotent, murmur2 partitioner, lz4, linger 20 ms, a bounded queue) go on top of it, then the
 * caller's key=value properties (-X), which win. Client errors are logged through log (borrowed).
 * base is taken in every case (destroyed on failure).
 * FM_ECONFIG (err says which property) or FM_EKAFKA. */
fm_status wg_sink_kafka_open(const char *topic, rd_kafka_conf_t *base, const char *const *props, int n_props,
                             const fm_logger *log, wg_sink **out, fm_error *err);

/* Creates the sink's topic with that many partitions (replication factor 1 unless replication > 0)
 * when it does not exist; an existing topic is fine. FM_ETIMEDOUT, FM_EKAFKA (err says why). */
fm_status wg_sink_kafka_create_topic(wg_sink *s, const char *topic, int partitions, int replication,
                                     int timeout_ms, fm_error *err);

/* Looks the topic up in the cluster's metadata, asking again for up to timeout_ms while it is not
 * there yet (a topic just created): *partitions receives its partition count.
 * FM_ENOTFOUND when the cluster does not have it (famins' brokers do not create topics on use),
 * FM_ETIMEDOUT or FM_EKAFKA when the cluster did not answer. */
fm_status wg_sink_kafka_check_topic(wg_sink *s, int timeout_ms, int *partitions, fm_error *err);

/* Writes or enqueues one message; on a full Kafka queue it serves delivery reports until there is
 * room. FM_EIO (file), FM_EKAFKA (refused by the client: the message is counted as failed). */
fm_status wg_sink_put(wg_sink *s, const char *key, size_t key_len, const void *payload, size_t len);

/* Flushes (Kafka: waits at most flush_timeout_ms for outstanding deliveries), fills *stats, frees s.
 * FM_OK only when every message was delivered; FM_ETIMEDOUT when some were still in flight at the
 * bound; FM_EKAFKA or FM_EIO when some failed. */
fm_status wg_sink_close(wg_sink *s, int flush_timeout_ms, wg_sink_stats *stats);

#endif
