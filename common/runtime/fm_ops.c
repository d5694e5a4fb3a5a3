/* fm_ops.c — a service's operations surface: metrics registry, readiness state, HTTP endpoint, and the
 * metrics every famins process shares. */
#include "fm_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "fm_kafka.h"
#include "fm_version.h"

static fm_status shared_families(fm_ops *ops, const char *service)
{
    static const char *const info_labels[] = {"service", "version", NULL};
    fm_metric *info = NULL, *start = NULL;
    fm_status st = fm_metrics_family(ops->metrics, "famins_build_info", FM_METRIC_GAUGE,
                                     "Always 1; the labels name the service and the famins version",
                                     info_labels, NULL, 0, &info);
    if (st == FM_OK)
        st = fm_metrics_family(ops->metrics, "famins_process_start_time_seconds", FM_METRIC_GAUGE,
                               "Start time of the process since the Unix epoch, in seconds", NULL, NULL, 0,
                               &start);
    if (st == FM_OK)
        st = fm_metrics_family(
            ops->metrics, "famins_ready", FM_METRIC_GAUGE,
            "1 when /readyz answered ready at the last database or Kafka statistics update, else 0", NULL,
            NULL, 0, &ops->ready_gauge);
    if (st == FM_OK)
        st = fm_metrics_family(ops->metrics, "famins_db_up", FM_METRIC_GAUGE,
                               "1 when the last use of the PostgreSQL connection worked, else 0", NULL, NULL,
                               0, &ops->db_up);
    if (st == FM_OK)
        st = fm_metrics_family(ops->metrics, "famins_db_reconnects_total", FM_METRIC_COUNTER,
                               "PostgreSQL connections re-made after the connection was lost", NULL, NULL, 0,
                               &ops->db_reconnects);
    if (st == FM_OK)
        st = fm_kstats_register(ops->metrics, &ops->kafka);
    const char *labels[] = {service, FM_VERSION};
    if (st == FM_OK)
        st = fm_metric_set(info, labels, 1);
    if (st == FM_OK)
        st = fm_metric_set(start, NULL, (double)time(NULL));
    return st;
}

fm_status fm_ops_start(const fm_settings *settings, const char *service, const fm_logger *logger,
                       fm_ops **out, fm_error *err)
{
    *out = NULL;
    int port = (int)fm_settings_int(settings, "FAMINS_METRICS_PORT");
    if (port == 0)
        return FM_OK;
    fm_ops *ops = calloc(1, sizeof *ops);
    if (ops == NULL)
        return FM_ENOMEM;
    ops->health.stuck_ms = fm_settings_int(settings, "FAMINS_READY_STUCK_S") * 1000;
    ops->stats_ms = fm_settings_int(settings, "FAMINS_METRICS_KAFKA_STATS_MS");
    ops->probe_ms = fm_settings_int(settings, "FAMINS_METRICS_DB_PROBE_S") * 1000;
    atomic_store(&ops->health.lag, -1);
    atomic_store(&ops->health.last_progress_ms, fm_health_now_ms());
    fm_status st = fm_metrics_new(&ops->metrics);
    if (st == FM_OK)
        st = shared_families(ops, service);
    if (st != FM_OK) {
        fm_error_set(err, "", "NO_MEMORY", "out of memory registering the metrics");
        fm_ops_stop(ops);
        return st;
    }
    const char *address = fm_settings_str(settings, "FAMINS_METRICS_ADDRESS");
    st = fm_http_start(address, port, ops->metrics, &ops->health, &ops->http, err);
    if (st != FM_OK) {
        fm_ops_stop(ops);
        return st;
    }
    fm_log(logger, FM_LOG_INFO, "metrics_listening", "address=%s port=%d paths=/metrics,/healthz,/readyz",
           address, port);
    *out = ops;
    return FM_OK;
}

void fm_ops_stop(fm_ops *ops)
{
    if (ops == NULL)
        return;
    fm_http_stop(ops->http); /* first: the HTTP thread reads the registry */
    fm_metrics_free(ops->metrics);
    free(ops);
}

/* famins_ready follows the readiness rule at the moments the state changes (database, Kafka statistics). */
static void refresh_ready(fm_ops *ops)
{
    fm_health_view v;
    char reason[200];
    fm_health_view_of(&ops->health, fm_health_now_ms(), &v);
    fm_metric_set(ops->ready_gauge, NULL, fm_health_ready(&v, reason, sizeof reason));
}

void fm_ops_db(fm_ops *ops, int up)
{
    if (ops == NULL)
        return;
    int before = atomic_exchange(&ops->health.db_up, up);
    if (up && !before && ops->db_connected_once)
        fm_metric_add(ops->db_reconnects, NULL, 1);
    if (up)
        ops->db_connected_once = 1;
    fm_metric_set(ops->db_up, NULL, up);
    refresh_ready(ops);
}

fm_status fm_ops_kafka_conf(fm_ops *ops, rd_kafka_conf_t *conf,
                            int (*stats_cb)(rd_kafka_t *, char *, size_t, void *), fm_error *err)
{
    if (ops == NULL)
        return FM_OK;
    char value[32];
    snprintf(value, sizeof value, "%lld", (long long)ops->stats_ms);
    fm_status st = fm_kafka_conf_set(conf, "statistics.interval.ms", value, err);
    if (st == FM_OK)
        rd_kafka_conf_set_stats_cb(conf, stats_cb);
    return st;
}

void fm_ops_kafka_stats(fm_ops *ops, const char *json, size_t len, int consumer)
{
    if (ops == NULL)
        return;
    fm_kstats_summary sum;
    if (fm_kstats_apply(json, len, &ops->kafka, &sum) != FM_OK)
        return; /* a report we cannot read only leaves the previous figures */
    if (consumer) {
        atomic_store(&ops->health.member, sum.group_up);
        fm_health_set_lag(&ops->health, sum.lag, fm_health_now_ms());
    }
    refresh_ready(ops);
}
