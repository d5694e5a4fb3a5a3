/* fm_txn.h — the batch transaction as a service's apply callback sees it: its connection and its outbox. */
#ifndef FM_TXN_H
#define FM_TXN_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "fm_copybuf.h"
#include "fm_error.h"
#include "fm_kafka.h"

/* A Kafka header of an outbox message; both strings are copied by fm_outbox_add. */
typedef struct fm_header {
    const char *name;
    const char *value;
} fm_header;

/* The open batch transaction. Owned by the worker; valid only during the callback it is passed to.
 * The fields are the runtime's: services use the functions below. */
typedef struct fm_txn {
    PGconn *conn;
    const char *group;
    const char *topic_prefix;
    fm_copybuf outbox;    /* COPY rows for famins.outbox */
    fm_copybuf dead;      /* COPY rows for famins.dead_letters */
    fm_copybuf processed; /* COPY rows for famins.processed_events */
} fm_txn;

/* The connection, inside the batch's transaction: the service's own writes go here (never COMMIT or
 * ROLLBACK). A failed statement aborts the whole batch: return FM_EDB from apply and the batch is redone. */
PGconn *fm_txn_conn(fm_txn *txn);

/* Queues a message for topic (prefixed as configured) in this batch's transaction: it is published by the
 * relay only if the batch commits. key and payload_json are text (NUL-terminated; key may be NULL);
 * headers (n_headers of them, may be NULL) are added to the Kafka message, plus an "event_id" header the
 * relay adds from event_id. Copies everything. FM_EINVAL (bad topic), FM_ENOMEM. */
fm_status fm_outbox_add(fm_txn *txn, fm_topic_id topic, const char *key, const char *event_id,
                        const char *payload_json, const fm_header *headers, size_t n_headers, fm_error *err);

#endif
