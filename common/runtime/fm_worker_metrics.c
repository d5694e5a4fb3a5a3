/* fm_worker_metrics.c — the worker runtime's metric families and their buckets. */
#include "fm_worker_metrics.h"

/* Batches take milliseconds to seconds; decisions are expected within a second of the event, but a backlog
 * (a wave produced faster than applied, a worker restarted) makes minutes. */
static const double batch_seconds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                       0.25,  0.5,    1,     2.5,  5,     10,   30};
static const double batch_messages[] = {1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};
static const double latency_seconds[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,    2.5,
                                         5,     10,   30,    60,   120, 300,  600, 1800, 3600};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

fm_status fm_worker_metrics_register(fm_metrics *m, fm_worker_metrics *out)
{
    static const char *const code[] = {"code", NULL};
    static const char *const reason[] = {"reason", NULL};
    fm_worker_metrics w = {0};
    struct {
        fm_metric **slot;
        const char *name;
        fm_metric_type type;
        const char *help;
        const char *const *labels;
        const double *bounds;
        size_t bound_count;
    } defs[] = {
        {&w.consumed, "famins_messages_consumed_total", FM_METRIC_COUNTER,
         "Messages taken from Kafka into a batch (a redone batch's messages count again)", NULL, NULL, 0},
        {&w.applied, "famins_events_applied_total", FM_METRIC_COUNTER,
         "Events decided (applied by the service) and committed", NULL, NULL, 0},
        {&w.dead_letters, "famins_dead_letters_total", FM_METRIC_COUNTER,
         "Messages committed as dead letters, by dead-letter code", code, NULL, 0},
        {&w.duplicates, "famins_duplicates_total", FM_METRIC_COUNTER,
         "Re-sent events (same event_id, same content) recognised and ignored", NULL, NULL, 0},
        {&w.batches, "famins_batches_total", FM_METRIC_COUNTER, "Batches committed", NULL, NULL, 0},
        {&w.redos, "famins_batch_redos_total", FM_METRIC_COUNTER,
         "Batches rolled back and redone from the stored positions, by reason", reason, NULL, 0},
        {&w.conflicts, "famins_conflicts_total", FM_METRIC_COUNTER,
         "Redos caused by another member (zombie fencing: a refused position compare-and-set, or an event "
         "decided elsewhere meanwhile)",
         NULL, NULL, 0},
        {&w.skipped, "famins_messages_skipped_below_total", FM_METRIC_COUNTER,
         "Messages Kafka delivered again below the stored position, skipped", NULL, NULL, 0},
        {&w.isolations, "famins_batch_isolations_total", FM_METRIC_COUNTER,
         "Batches whose set write was refused, redone one message per transaction", NULL, NULL, 0},
        {&w.batch_seconds, "famins_batch_duration_seconds", FM_METRIC_HISTOGRAM,
         "Committed batches: time from decoding the first message to the commit", NULL, batch_seconds,
         COUNT(batch_seconds)},
        {&w.batch_messages, "famins_batch_size_messages", FM_METRIC_HISTOGRAM, "Committed batches: messages",
         NULL, batch_messages, COUNT(batch_messages)},
        {&w.latency_seconds, "famins_decision_latency_seconds", FM_METRIC_HISTOGRAM,
         "Committed messages: time from the Kafka message timestamp to the commit of its decision", NULL,
         latency_seconds, COUNT(latency_seconds)},
        {&w.assigned, "famins_assigned_partitions", FM_METRIC_GAUGE,
         "Partitions this member holds and consumes (stopped partitions left out)", NULL, NULL, 0},
    };
    for (size_t i = 0; i < COUNT(defs); i++) {
        fm_status st = fm_metrics_family(m, defs[i].name, defs[i].type, defs[i].help, defs[i].labels,
                                         defs[i].bounds, defs[i].bound_count, defs[i].slot);
        if (st != FM_OK)
            return st;
    }
    *out = w;
    return FM_OK;
}
