/* fm_worker_int.h — the worker's state and the functions its parts share; private to the runtime.
 *
 * The worker is split by job, as PostgreSQL splits its logical-replication worker (worker.c, proto.c,
 * origin.c): fm_worker.c runs the loop and the batch (collect, decode, the outcome of a transaction);
 * fm_worker_seek.c the rebalance callbacks and every seek (assignment at the stored positions, redo,
 * re-seek, stopped partitions, the positions a commit moved); fm_worker_txn.c the batch's transaction
 * (apply, the runtime's rows, the positions' compare-and-set); fm_worker_consumer.c the consumer's
 * construction from the settings; fm_worker_state.c, below them all, what they share (the connection's
 * upkeep, the poison list, the counters' metrics). Services see none of this: their API is fm_worker.h. */
#ifndef FM_WORKER_INT_H
#define FM_WORKER_INT_H

#include <libpq-fe.h>
#include <stdint.h>
#include <time.h>

#include "fm_batch.h"
#include "fm_budget.h"
#include "fm_map.h"
#include "fm_positions.h"
#include "fm_worker.h"
#include "fm_worker_metrics.h"

/* A message apply refused (FM_EINVAL): on the redo it becomes a dead letter. */
typedef struct fmw_poison {
    char *topic;
    int32_t partition;
    int64_t offset;
    fm_error err;
} fmw_poison;

typedef struct fmw_worker {
    fm_kafka_log_ref
        kafka_log; /* first: the consumer's opaque is the worker, its log lines find the logger */
    const fm_worker_options *opt;
    const fm_logger *lg;
    char group[256];
    char topics[8][256];
    size_t topic_count;
    const char *dsn;
    int batch_max, batch_ms, max_bytes, stats_s;
    fm_memory_limits limits; /* from FAMINS_MEMORY_BUDGET_MB: librdkafka's limits, the batch's bytes */
    int cooperative;
    rd_kafka_t *rk;
    PGconn *conn;
    fm_position_map map;
    fm_batch batch;
    fmw_poison *poisons;
    size_t poison_count, poison_cap;
    fm_event *events; /* one per batch message */
    int *kinds;       /* one per batch message: FMW_APPLY or FMW_DEAD */
    fm_error *errors; /* one per batch message: the dead-letter reason */
    size_t events_cap;
    fm_map seen;
    fm_copybuf ids;
    fm_txn txn;
    fm_worker_counters counters;
    int64_t phase_us[5];       /* this batch: decode, lookup, apply, write (COPY + positions), commit */
    const fm_event **prepared; /* the events handed to prepare_batch; events_cap of them */
    size_t isolate_left;       /* messages still to apply one per transaction after a refused set write */
    int isolated_refusals;     /* class-23 refusals in a row of a one-message batch */
    fm_status set_status;      /* what end_batch returned when it made a FMW_BATCH_SET_REFUSED */
    int elsewhere_redos;       /* redos running, without a committed batch, because another member decided one
                                  of the batch's events after the deduplication read (FM_ECONFLICT, 23505) */
    fm_status fatal;           /* set by the rebalance callback when the worker must stop */
    fm_error fatal_err;
    fm_ops *ops;          /* metrics and health; NULL when off (FAMINS_METRICS_PORT 0) */
    fm_worker_metrics wm; /* all NULL when off */
    int64_t last_db_ms;   /* when the database was last used or probed */
} fmw_worker;

/* What the batch does with a message. */
enum { FMW_APPLY = 0, FMW_DEAD };

/* How a batch's transaction ended (fmw_run_transaction). */
typedef enum fmw_outcome {
    FMW_BATCH_DONE = 0,
    FMW_BATCH_REDO,
    FMW_BATCH_ELSEWHERE, /* another member decided one of the batch's events after its deduplication read:
                            redo */
    FMW_BATCH_SET_REFUSED,
    FMW_BATCH_FATAL
} fmw_outcome;

static inline int64_t fmw_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static inline int64_t fmw_now_ms(void)
{
    return fmw_now_us() / 1000;
}

/* The message as the service's callbacks see it; borrows m's pointers. */
static inline void fmw_raw_of(const rd_kafka_message_t *m, fm_raw_message *raw)
{
    *raw = (fm_raw_message){.topic = rd_kafka_topic_name(m->rkt),
                            .partition = m->partition,
                            .offset = m->offset,
                            .key = m->key,
                            .key_len = m->key_len,
                            .payload = m->payload ? m->payload : "",
                            .payload_len = m->len};
}

/* ---- fm_worker_state.c: what the parts share (it calls none of them) ---- */

/* Rolls back the batch's transaction if one is open (a lost connection has nothing to roll back). */
void fmw_rollback_open(fmw_worker *w);
/* Makes sure the connection works, waiting with backoff (until *stop). FM_EDB when it never came back. */
fm_status fmw_ensure_db(fmw_worker *w, fm_error *err);
/* The poison list: messages apply refused, dead letters on the redo. fmw_poison_add: FM_ENOMEM. */
const fmw_poison *fmw_poison_find(const fmw_worker *w, const char *topic, int32_t partition, int64_t offset);
fm_status fmw_poison_add(fmw_worker *w, const char *topic, int32_t partition, int64_t offset,
                         const fm_error *err);
/* Forgets poisons the committed positions have passed. */
void fmw_poison_prune(fmw_worker *w);
/* The counters kept in w->counters, mirrored into their metric families (no-ops when metrics are off). */
void fmw_sync_counters(fmw_worker *w);

/* ---- fm_worker_seek.c: rebalancing and seeks ---- */

/* The consumer's rebalance callback (opaque: the worker). On failure it sets w->fatal for the loop. */
void fmw_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts,
                      void *opaque);
/* A consumer error: out-of-range offsets stop the partition (auto.offset.reset=error), a fatal error sets
 * w->fatal, others are logged. */
void fmw_consumer_error(fmw_worker *w, const rd_kafka_message_t *m);
/* A message beyond the position arrived right after a seek back: seek again rather than skip anything. */
void fmw_reseek(fmw_worker *w, const fm_position *pos, int64_t offset);
/* Rolls back what is open, drops the batch, reconnects, re-reads the stored positions and seeks every
 * assigned partition there. FM_EDB when the positions could not be read. */
fm_status fmw_redo(fmw_worker *w, const char *reason, const fm_error *cause, fm_error *err);
/* After the database commit: remember the new positions and tell Kafka, for lag tools only. */
void fmw_after_commit(fmw_worker *w);

/* ---- fm_worker_txn.c: the batch transaction ---- */

/* Runs the batch's transaction. On FMW_BATCH_REDO, _ELSEWHERE and _SET_REFUSED *cause says why; on
 * FMW_BATCH_FATAL *fatal is the status and err says why. */
fmw_outcome fmw_run_transaction(fmw_worker *w, fm_error *cause, fm_error *err, fm_status *fatal);

/* ---- fm_worker_consumer.c: construction ---- */

/* Reads the settings into w (group, assignor, topics, batch sizes, the worker's DSN). FM_ECONFIG, FM_EINVAL,
 * FM_ENOMEM with err (FM_ENOMEM: err untouched). */
fm_status fmw_configure(fmw_worker *w, fm_error *err);
/* Makes w->rk: the consumer, its rebalance and statistics callbacks, subscribed to w->topics. FM_EKAFKA,
 * FM_ECONFIG. */
fm_status fmw_make_consumer(fmw_worker *w, fm_error *err);

#endif
