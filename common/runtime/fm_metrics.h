/* fm_metrics.h — a small metrics registry (counters, gauges, histograms with up to three labels) and its
 * rendering in the Prometheus text exposition format (version 0.0.4). Thread-safe: the worker thread writes,
 * the HTTP thread renders, under one mutex per registry. */
#ifndef FM_METRICS_H
#define FM_METRICS_H

#include <stddef.h>

#include "fm_error.h"

typedef enum fm_metric_type { FM_METRIC_COUNTER, FM_METRIC_GAUGE, FM_METRIC_HISTOGRAM } fm_metric_type;

#define FM_METRIC_LABELS_MAX 3
#define FM_METRIC_BUCKETS_MAX 24

typedef struct fm_metrics fm_metrics;
typedef struct fm_metric fm_metric; /* one family: a name, a type, a help text, label names */

/* Makes an empty registry. FM_ENOMEM. Free with fm_metrics_free (NULL is fine). */
fm_status fm_metrics_new(fm_metrics **out);
void fm_metrics_free(fm_metrics *m);

/* Registers a family and returns it in *out (owned by the registry, valid until fm_metrics_free).
 * label_names: NULL-terminated, at most FM_METRIC_LABELS_MAX (NULL: no labels). bounds: a histogram's bucket
 * upper bounds, strictly increasing, at most FM_METRIC_BUCKETS_MAX (the +Inf bucket is implicit); NULL for
 * counters and gauges. name, help and label names must be static strings. FM_EINVAL for a name that is not
 * [a-zA-Z_:][a-zA-Z0-9_:]*, a duplicate name, or bad bounds; FM_ENOMEM. */
fm_status fm_metrics_family(fm_metrics *m, const char *name, fm_metric_type type, const char *help,
                            const char *const *label_names, const double *bounds, size_t bound_count,
                            fm_metric **out);

/* Updates the series with these label values (as many as the family has names; NULL when it has none),
 * creating it on first use. A NULL family is ignored (metrics off). FM_ENOMEM when a new series cannot be
 * made; FM_EINVAL when the call does not fit the family's type. */
fm_status fm_metric_add(fm_metric *f, const char *const *label_values, double delta); /* counter, gauge */
/* set: a gauge, or a counter mirroring a running total kept elsewhere (which must never decrease) */
fm_status fm_metric_set(fm_metric *f, const char *const *label_values, double value);
fm_status fm_metric_observe(fm_metric *f, const char *const *label_values, double value); /* histogram */

/* Observes n values at once into a histogram (one lock for a whole batch's latencies). */
fm_status fm_metric_observe_many(fm_metric *f, const char *const *label_values, const double *values,
                                 size_t n);

/* Drops every series of a family (gauges whose label set changes, e.g. per-partition lag). */
void fm_metric_clear(fm_metric *f);

/* Renders every family, in registration order, with # HELP and # TYPE lines; histograms as cumulative
 * _bucket{le="..."} lines ending with le="+Inf", then _sum and _count. Families without a series print
 * nothing but a counter or gauge without labels prints 0. *out is malloc'ed (caller frees), *len its length
 * without the terminating NUL. FM_ENOMEM. */
fm_status fm_metrics_render(fm_metrics *m, char **out, size_t *len);

/* Writes s into out (capacity cap) escaped as a label value (backslash, double quote, line feed) or, with
 * help != 0, as a HELP text (backslash, line feed). Returns the length it needs without the NUL (as
 * snprintf). Pure: exposed for tests. */
size_t fm_metrics_escape(const char *s, int help, char *out, size_t cap);

/* Formats a sample value as Prometheus reads it: integers without a fraction, +Inf, -Inf, NaN. */
void fm_metrics_format_value(double v, char *out, size_t cap);

#endif
