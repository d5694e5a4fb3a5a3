/* fm_ops.h — a service's operations surface: its metrics registry, readiness state and HTTP endpoint, with
 * the metrics every famins process shares (build info, start time, database, librdkafka statistics). Off
 * unless FAMINS_METRICS_PORT is set; then every call here still works on a NULL fm_ops and does nothing. */
#ifndef FM_OPS_H
#define FM_OPS_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>

#include "fm_error.h"
#include "fm_health.h"
#include "fm_http.h"
#include "fm_kstats.h"
#include "fm_log.h"
#include "fm_metrics.h"
#include "fm_settings.h"

/* clang-format off */
/* The variables fm_ops_start reads; FM_WORKER_SETTINGS ends with them, the relay lists them. */
#define FM_METRICS_SETTINGS                                                                                  \
    {"FAMINS_METRICS_PORT", FM_SETTING_INT, "0", 0, 65535,                                                   \
     "TCP port of /metrics, /healthz and /readyz (0: no endpoint, no metrics)"},                             \
    {"FAMINS_METRICS_ADDRESS", FM_SETTING_STRING, "127.0.0.1", 0, 0,                                         \
     "address the metrics endpoint listens on (an IPv4 or IPv6 literal; 0.0.0.0 for every interface)"},      \
    {"FAMINS_READY_STUCK_S", FM_SETTING_INT, "60", 1, 86400,                                                 \
     "/readyz turns not ready when work waits (lag > 0) and nothing was committed for this long"},           \
    {"FAMINS_METRICS_KAFKA_STATS_MS", FM_SETTING_INT, "5000", 100, 3600000,                                  \
     "librdkafka statistics.interval.ms while metrics are on (consumer lag, broker state, queues)"},         \
    {"FAMINS_METRICS_DB_PROBE_S", FM_SETTING_INT, "5", 1, 3600,                                              \
     "an idle worker checks its database connection this often, so /readyz sees it lost"}
/* clang-format on */

typedef struct fm_ops {
    fm_metrics *metrics;
    fm_health health;
    fm_http *http;
    fm_kstats_metrics kafka;
    fm_metric *db_up, *db_reconnects, *ready_gauge;
    int db_connected_once;
    int64_t stats_ms, probe_ms;
} fm_ops;

/* Reads FM_METRICS_SETTINGS. With FAMINS_METRICS_PORT 0, *out = NULL and FM_OK (metrics off). Otherwise
 * makes the registry with the shared families (famins_build_info{service,version}, famins_process_start_time_
 * seconds, famins_db_up, famins_db_reconnects_total, the librdkafka ones) and starts the HTTP endpoint.
 * The caller registers its own families on (*out)->metrics, then sets health.started. Free with fm_ops_stop.
 * FM_ECONFIG / FM_EIO (the port cannot be bound) with err saying why, FM_ENOMEM. */
fm_status fm_ops_start(const fm_settings *settings, const char *service, const fm_logger *logger,
                       fm_ops **out, fm_error *err);
void fm_ops_stop(fm_ops *ops);

/* The database connection works (up = 1) or does not. A change from down to up after the first connection
 * counts a reconnect. */
void fm_ops_db(fm_ops *ops, int up);

/* Sets statistics.interval.ms and the stats callback on a client's configuration. The callback's opaque is
 * the configuration's (rd_kafka_conf_set_opaque), so the caller passes a callback that finds its fm_ops and
 * calls fm_ops_kafka_stats. No-op (FM_OK) when ops is NULL. */
fm_status fm_ops_kafka_conf(fm_ops *ops, rd_kafka_conf_t *conf,
                            int (*stats_cb)(rd_kafka_t *, char *, size_t, void *), fm_error *err);

/* Applies one librdkafka statistics report: the Kafka metrics, and (consumer = 1) lag and group membership
 * for readiness. */
void fm_ops_kafka_stats(fm_ops *ops, const char *json, size_t len, int consumer);

#endif
