/* fm_worker.h — the consumer loop every famins service runs: Kafka in, one PostgreSQL transaction per batch
 * (the service's writes, dead letters, outbox rows, processed event ids and the positions as a
 * compare-and-set), so that each event takes effect exactly once. See common/runtime/README.md. */
#ifndef FM_WORKER_H
#define FM_WORKER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "fm_error.h"
#include "fm_kafka.h"
#include "fm_log.h"
#include "fm_ops.h"
#include "fm_settings.h"
#include "fm_txn.h"

/* clang-format off */
/* The variables fm_worker_run reads; a service lists them after FM_COMMON_SETTINGS so --help shows them. */
#define FM_WORKER_SETTINGS                                                                                   \
    {"FAMINS_GROUP_ID", FM_SETTING_STRING, "", 0, 0,                                                         \
     "consumer group (empty: FAMINS_TOPIC_PREFIX + famins-<service>)"},                                      \
    {"FAMINS_BATCH_MAX_MESSAGES", FM_SETTING_INT, "500", 1, 100000,                                          \
     "most messages applied in one database transaction"},                                                   \
    {"FAMINS_BATCH_MAX_MS", FM_SETTING_INT, "200", 1, 60000,                                                 \
     "longest wait, from a batch's first message, before the batch is applied"},                             \
    {"FAMINS_SESSION_TIMEOUT_MS", FM_SETTING_INT, "45000", 1000, 3600000,                                    \
     "Kafka session.timeout.ms: how long a dead member keeps its partitions"},                               \
    {"FAMINS_MAX_POLL_INTERVAL_MS", FM_SETTING_INT, "300000", 1000, 86400000,                                \
     "Kafka max.poll.interval.ms: a batch must be applied within this"},                                     \
    {"FAMINS_GROUP_INSTANCE_ID", FM_SETTING_STRING, "", 0, 0,                                                \
     "Kafka group.instance.id for static membership (a restarted member takes its partitions back)"},        \
    {"FAMINS_ASSIGNOR", FM_SETTING_STRING, "range", 0, 0,                                                    \
     "partition assignor: range, roundrobin (eager) or cooperative-sticky (incremental)"},                   \
    {"FAMINS_STATS_INTERVAL_S", FM_SETTING_INT, "60", 1, 86400, "how often the counters are logged"},          \
    {"FAMINS_PG_IDLE_TXN_TIMEOUT_MS", FM_SETTING_INT, "60000", 1000, 86400000,                               \
     "PostgreSQL ends a worker session idle inside a batch this long (a frozen zombie releases its locks)"},  \
    {"FAMINS_MEMORY_BUDGET_MB", FM_SETTING_INT, "128", 48, 65536,                                             \
     "the worker's memory: sets librdkafka's fetch and queue limits and the batch's byte bound"},            \
    {"FAMINS_PREFETCH_KBYTES", FM_SETTING_INT, "0", 0, 2097151,                                              \
     "Kafka queued.max.messages.kbytes (0: a quarter of the budget above its base)"},                        \
    {"FAMINS_BATCH_MAX_BYTES", FM_SETTING_INT, "0", 0, 1073741824,                                           \
     "a batch closes once its messages' bytes reach this (0: from FAMINS_MEMORY_BUDGET_MB)"},                \
    FM_METRICS_SETTINGS
/* clang-format on */

/* One Kafka message as the service sees it. Pointers are borrowed for the callback's duration. */
typedef struct fm_raw_message {
    const char *topic;
    int32_t partition;
    int64_t offset;
    const void *key; /* NULL: no key */
    size_t key_len;
    const void *payload; /* not NUL-terminated */
    size_t payload_len;
} fm_raw_message;

#define FM_EVENT_ID_MAX 128

/* What decode makes of a message. */
typedef struct fm_event {
    char event_id[FM_EVENT_ID_MAX + 1];
    char type[64];
    char content_hash[65]; /* e.g. lowercase hex SHA-256 of the content; equal content, equal hash */
    void *decoded;         /* the service's object; released by handler.release */
} fm_event;

/* How a service plugs in. decode is pure (no I/O): it fills out, or returns FM_EINVAL with err->code the
 * dead-letter code (INVALID_JSON, INVALID_UTF8, SCHEMA_VIOLATION, UNKNOWN_SCHEMA_VERSION, UNKNOWN_TYPE) and
 * err->text its detail; any other status stops the worker.
 * apply runs inside the batch transaction for each new event (never for a duplicate), in partition order:
 *   FM_OK      applied (its writes and fm_outbox_add rows commit with the batch);
 *   FM_EINVAL  this message cannot be applied: the batch is rolled back and redone with the message as a
 *              dead letter (err->code, err->text) — so apply may refuse after writing;
 *   FM_EDB     transient (connection lost, serialization failure...): the batch is rolled back, the
 *              connection re-made with backoff and the batch redone from its stored positions;
 *   FM_ECONFLICT  the event was decided by another member (a zombie, or one finishing a revoked partition's
 *              batch) after the batch's deduplication read: rolled back and redone like FM_EDB, where the
 * event is then a duplicate; counted as a conflict. When the group's deduplication row of the event is not
 * there (re-read at once), the event was re-sent after the deduplication window: it is counted a duplicate
 * and its row written again, and the batch goes on (apply must not have written anything for it). Five in a
 * row without a committed batch is no race (the service's tables and processed_events disagree): the worker
 * stops; other      the worker stops (exit non-zero); nothing of the batch is committed. release (may be
 * NULL) frees event->decoded. ctx is passed to every callback. begin_batch, prepare_batch and end_batch (all
 * optional) make set-based services: per batch, one read of everything the batch's events need and one COPY
 * per table, instead of statements per event. begin_batch   first in the transaction (again when a batch is
 * redone): reset the buffers; prepare_batch then, with the events apply will be given, in order (events the
 * group applied before are left out; an event repeated inside the batch may be listed twice): read their
 * facts in one round trip. FM_EDB and FM_ECONFLICT (as for apply) redo the batch, any other failure stops the
 * worker; end_batch     after the last apply: write the buffered rows. FM_EDB and FM_ECONFLICT redo the
 * batch; so does a first unique violation (23505: another member's row committed after the deduplication
 *                 read, counted as a conflict). A row the database
 *                 refused on its data (FM_EINVAL, or FM_EDB with err->code a SQLSTATE of class 22 or 23, as
 *                 fm_copybuf_send and fm_pg_query leave it) cannot be tied to its message here, so the
 * runtime redoes the batch one message per transaction: the message whose write is refused alone becomes a
 * dead letter WRITE_REJECTED with the SQLSTATE and the server's text — at once, or after three refusals
 * running for a unique violation (23505), which may be a concurrent worker's row that a redo resolves. Any
 * other failure stops the worker. */
typedef struct fm_worker_handler {
    void *ctx;
    fm_status (*decode)(void *ctx, const fm_raw_message *msg, fm_event *out, fm_error *err);
    fm_status (*apply)(void *ctx, fm_txn *txn, const fm_raw_message *msg, const fm_event *event,
                       fm_error *err);
    void (*release)(void *ctx, fm_event *event);
    fm_status (*begin_batch)(void *ctx, fm_txn *txn, fm_error *err);
    fm_status (*prepare_batch)(void *ctx, fm_txn *txn, const fm_event *const *events, size_t count,
                               fm_error *err);
    fm_status (*end_batch)(void *ctx, fm_txn *txn, fm_error *err);
} fm_worker_handler;

/* What a run did; logged every FAMINS_STATS_INTERVAL_S and at exit. */
typedef struct fm_worker_counters {
    uint64_t messages; /* committed: applied + dead letters + duplicates */
    uint64_t applied;
    uint64_t batches;
    uint64_t dead_letters;
    uint64_t duplicates;    /* re-sent events (same id, same content) ignored */
    uint64_t replays;       /* batches rolled back and redone */
    uint64_t conflicts;     /* of those, zombie fencing: a refused compare-and-set, or events another
                               member had applied meanwhile (processed-event key, a service's unique key,
                               or a service's FM_ECONFLICT) */
    uint64_t skipped_below; /* messages below the stored position (Kafka replayed them), skipped */
    uint64_t isolations;    /* batches whose set write was refused, redone one message per transaction */
} fm_worker_counters;

typedef struct fm_worker_options {
    const fm_settings *settings; /* loaded from FM_COMMON_SETTINGS + FM_WORKER_SETTINGS (+ the service's) */
    const char *service;         /* "eligibility": client.id famins-eligibility, default group */
    const char *dsn;             /* its own role's connection string (fm_service_dsn); NULL: FAMINS_PG_DSN */
    const fm_topic_id *topics;   /* the topics to consume */
    size_t topic_count;
    fm_worker_handler handler;
    const fm_logger *logger;
    const volatile sig_atomic_t *stop; /* set by main's signal handler: finish the batch, close, return */
} fm_worker_options;

/* Runs until *stop is set (FM_OK: last batch committed, consumer closed) or a fatal error (FM_ECONFIG,
 * FM_EKAFKA, FM_EDB when PostgreSQL stayed unreachable through every retry, or the status a callback
 * returned), with err saying why. counters (may be NULL) receives the totals. */
fm_status fm_worker_run(const fm_worker_options *opt, fm_worker_counters *counters, fm_error *err);

/* The consumer group for a service: FAMINS_GROUP_ID, or FAMINS_TOPIC_PREFIX + "famins-" + service. FM_EINVAL
 * when it does not fit. Pure: exposed for tests. */
fm_status fm_worker_group_id(const fm_settings *settings, const char *service, char *buf, size_t len,
                             fm_error *err);

/* The connection string a worker's sessions use (malloc'd; the caller frees it; NULL when out of memory):
 * - fallback_application_name=famins-<service>, so pg_stat_activity names the worker;
 * - idle_in_transaction_session_timeout=idle_txn_ms: a worker frozen inside a batch (a zombie: stopped VM,
 *   long pause) must not hold its row locks, which block the partition's new owner, longer than that;
 *   PostgreSQL ends its session and the batch rolls back. A batch is never idle between its statements for
 *   longer than one apply takes;
 * - jit=off: a batch's reads are index probes by key, but on tables without statistics yet (a service that
 *   starts before its tables fill) the planner's estimate of a batch-sized key list passes jit_above_cost,
 *   and compiling the plan then costs more than running it (the adjudicator's facts read of 1,835 keys on an
 *   empty database: 79-99 ms with JIT, 22-25 ms without; tests/bench/results/2026-12-04-jit.md).
 * A key=value DSN that sets its own options keeps them and gets only the application name (the operator's
 * choice wins); a URI is left as written. Pure: exposed for tests. */
char *fm_worker_session_dsn(const char *dsn, const char *service, int64_t idle_txn_ms);

/* The batch's deduplication read ($1 the consumer group, $2 the batch's event ids as a text[]): the rows of
 * famins.own_processed_events the group wrote for those ids (event_id, content_hash). Exposed for the test of
 * its plan (integration_runtime_dedup_plan); the worker sends it with BEGIN in one pipeline. */
const char *fm_worker_dedup_read_sql(void);

/* Checks FAMINS_ASSIGNOR; *cooperative says whether it is incremental. FM_ECONFIG otherwise. */
fm_status fm_worker_assignor_parse(const char *name, int *cooperative, fm_error *err);

#endif
