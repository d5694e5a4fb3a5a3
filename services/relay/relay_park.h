/* relay_park.h — poison outbox rows: a row whose delivery fails for a reason of its own (too large, an
 * unknown or forbidden topic, bad headers) is counted on each failure and, at FAMINS_RELAY_PARK_AFTER, moved
 * out of the outbox into famins.outbox_parked with an alarm (migration 063), so that it no longer blocks the
 * rows behind it. Outages (timeouts, brokers down) are never counted: they are nobody's row's fault. */
#ifndef RELAY_PARK_H
#define RELAY_PARK_H

#include <libpq-fe.h>
#include <librdkafka/rdkafka.h>
#include <stdint.h>

#include "fm_error.h"
#include "fm_log.h"

/* clang-format off */
#define RELAY_PARK_SETTINGS                                                                                 \
    {"FAMINS_RELAY_PARK_AFTER", FM_SETTING_INT, "10", 1, 1000,                                             \
     "an outbox row whose delivery fails this many times for a reason of its own (not an outage) is "      \
     "parked with an alarm (famins-admin outbox parked)"},                                                 \
    {"FAMINS_RELAY_MESSAGE_MAX_BYTES", FM_SETTING_INT, "1000000", 1000, 1000000000,                        \
     "the producer's message.max.bytes: a larger row fails (and is parked); keep it within the topics' "   \
     "max.message.bytes"}
/* clang-format on */

/* The first row a failed round could not deliver; id 0: none (the round failed as a whole). */
typedef struct relay_failed_row {
    int64_t id;
    int permanent; /* the row's own fault: counted towards parking */
    char error[200];
} relay_failed_row;

/* 1 when a produce or delivery error belongs to the message (it fails again however often it is retried):
 * too large, invalid, an unknown, invalid or forbidden topic; 0 for everything else (timeouts, transport,
 * brokers down, leadership changes), which are retried without counting. Pure. */
int relay_park_is_permanent(rd_kafka_resp_err_t err);

/* Records the failed row (famins.outbox_delivery_failed): counted, or parked at park_after with an alarm.
 * Nothing for a row that is not permanent. *parked (may be NULL) is set to 1 when the row was parked. Logs
 * relay_row_failed / relay_row_parked. FM_EDB when the database refused (the row is then retried as before).
 */
fm_status relay_park_report(PGconn *conn, const relay_failed_row *row, int park_after, const fm_logger *lg,
                            int *parked, fm_error *err);

#endif
