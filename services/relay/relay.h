/* relay.h — the outbox relay: publishes famins.outbox rows in id order with an idempotent producer, marks
 * them sent, and holds a PostgreSQL advisory lock as its lease so that only one relay publishes at a time. */
#ifndef RELAY_H
#define RELAY_H

#include <signal.h>
#include <stdint.h>

#include "fm_error.h"
#include "fm_log.h"
#include "fm_ops.h" /* FM_METRICS_SETTINGS, which the relay reads too */
#include "fm_settings.h"
#include "relay_park.h"

/* clang-format off */
#define RELAY_SETTINGS                                                                                      \
    {"FAMINS_RELAY_BATCH", FM_SETTING_INT, "1000", 1, 100000, "outbox rows published per round"},           \
    {"FAMINS_RELAY_IDLE_MS", FM_SETTING_INT, "500", 10, 60000,                                              \
     "longest wait for a NOTIFY when the outbox is empty before looking again"},                            \
    {"FAMINS_RELAY_STANDBY_MS", FM_SETTING_INT, "1000", 10, 60000,                                          \
     "how often a relay without the lease tries to take it"},                                               \
    {"FAMINS_RELAY_MESSAGE_TIMEOUT_MS", FM_SETTING_INT, "30000", 1000, 900000,                              \
     "Kafka message.timeout.ms: a row not delivered within this is retried in a later round"},              \
    {"FAMINS_OUTBOX_RETENTION_HOURS", FM_SETTING_INT, "168", 0, 87600,                                      \
     "sent outbox rows older than this are deleted (0: as soon as sent)"},                                  \
    {"FAMINS_DEAD_LETTER_RAW_RETENTION_DAYS", FM_SETTING_INT, "30", 0, 3650,                                \
     "raw messages of dead letters older than this are erased (the row stays; 0: at the next clean-up)"}, \
    {"FAMINS_RELAY_CLEANUP_INTERVAL_S", FM_SETTING_INT, "60", 1, 86400, "how often old sent rows are deleted"}, \
    {"FAMINS_RELAY_PG_DSN", FM_SETTING_STRING, "", 0, 0,                                                    \
     "the relay's own connection (role famins_relay); empty: FAMINS_PG_DSN without its user and password, " \
     "with user=famins_relay (the password then comes from a passfile)"},                                   \
    RELAY_PARK_SETTINGS
/* clang-format on */

/* The advisory lock key of the relay lease (per database): "famins" in ASCII, then 1. */
#define RELAY_LEASE_KEY "111542265048321"

typedef struct relay_counters {
    uint64_t published; /* rows delivered and marked sent */
    uint64_t rounds;
    uint64_t failures;   /* rounds that left rows unsent (retried) */
    uint64_t deleted;    /* sent rows removed by retention */
    uint64_t raw_erased; /* raw messages of dead letters erased by retention */
    uint64_t leases;     /* times the lease was taken */
} relay_counters;

/* Runs until *stop, connected with dsn (the relay's own role's, fm_service_dsn: it reads and marks the outbox
 * as famins_relay, never as the admin role FAMINS_PG_DSN names). FM_OK after a clean stop;
 * FM_ECONFIG/FM_EKAFKA when the producer cannot be made. */
fm_status relay_run(const fm_settings *settings, const char *dsn, const fm_logger *logger,
                    const volatile sig_atomic_t *stop, relay_counters *counters, fm_error *err);

/* Parses the text form of a famins.outbox headers object into (name, value) pairs for the producer, plus
 * "event_id" when event_id is not NULL. Pure: exposed for tests. Returns the count added to *out (an
 * rd_kafka_headers_t owned by the caller), or -1 when the JSON is not an object of strings. */
struct rd_kafka_headers_s;
int relay_headers_from_json(const char *json, const char *event_id, struct rd_kafka_headers_s *out);

#endif
