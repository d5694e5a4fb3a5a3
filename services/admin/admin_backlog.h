/* admin_backlog.h — the outbox backlog per partition: unsent rows grouped by key and mapped to the partition
 * the relay's producer will choose (murmur2 of the key, the relay's partitioner), with the topic's partition
 * count from Kafka. */
#ifndef ADMIN_BACKLOG_H
#define ADMIN_BACKLOG_H

#include <libpq-fe.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>

#include "fm_error.h"

/* Prints per topic and partition the unsent rows and the oldest one's age in seconds (a table, or a JSON
 * array with json). partition is NULL (shown "-") for rows without a key (the relay picks a partition at
 * random) and for a topic Kafka does not know. rk: any client handle (metadata only). FM_EDB, FM_ENOMEM,
 * FM_EIO. */
fm_status admin_backlog_by_partition(PGconn *conn, rd_kafka_t *rk, int timeout_ms, int json, FILE *out,
                                     fm_error *err);

/* Decodes the lowercase or uppercase hex text into out (at least strlen(hex) / 2 bytes); returns the byte
 * count, or -1 when hex is not an even number of hex digits. Pure. */
long admin_backlog_unhex(const char *hex, unsigned char *out);

#endif
