/* relay_metrics.c — the relay's metrics and readiness: counters, lease, outbox backlog and oldest age. */
#include "relay_metrics.h"

#include <stdlib.h>

#include "fm_pg.h"

fm_status relay_metrics_register(fm_ops *ops, relay_metrics *out)
{
    relay_metrics rm = {0};
    fm_metrics *m = ops->metrics;
    fm_status st =
        fm_metrics_family(m, "famins_relay_published_total", FM_METRIC_COUNTER,
                          "Outbox rows delivered to Kafka and marked sent", NULL, NULL, 0, &rm.published);
    if (st == FM_OK)
        st = fm_metrics_family(m, "famins_relay_rounds_total", FM_METRIC_COUNTER, "Publishing rounds run",
                               NULL, NULL, 0, &rm.rounds);
    if (st == FM_OK)
        st = fm_metrics_family(m, "famins_relay_round_failures_total", FM_METRIC_COUNTER,
                               "Rounds that left rows unsent (a delivery or database failure; retried)", NULL,
                               NULL, 0, &rm.failures);
    if (st == FM_OK)
        st = fm_metrics_family(m, "famins_relay_leases_total", FM_METRIC_COUNTER,
                               "Times this relay took the lease", NULL, NULL, 0, &rm.leases);
    if (st == FM_OK)
        st = fm_metrics_family(m, "famins_relay_deleted_total", FM_METRIC_COUNTER,
                               "Sent outbox rows deleted by retention", NULL, NULL, 0, &rm.deleted);
    if (st == FM_OK)
        st = fm_metrics_family(m, "famins_relay_raw_erased_total", FM_METRIC_COUNTER,
                               "Raw messages of dead letters erased by retention", NULL, NULL, 0,
                               &rm.raw_erased);
    if (st == FM_OK)
        st = fm_metrics_family(m, "famins_relay_lease_held", FM_METRIC_GAUGE,
                               "1 while this relay holds the lease and publishes, 0 while it stands by", NULL,
                               NULL, 0, &rm.lease_held);
    if (st == FM_OK)
        st = fm_metrics_family(m, "famins_outbox_backlog_rows", FM_METRIC_GAUGE,
                               "Outbox rows not yet published (all relays see the same figure)", NULL, NULL,
                               0, &rm.backlog);
    if (st == FM_OK)
        st = fm_metrics_family(m, "famins_outbox_oldest_unsent_age_seconds", FM_METRIC_GAUGE,
                               "Age of the oldest unpublished outbox row (0 when none)", NULL, NULL, 0,
                               &rm.oldest_age);
    if (st == FM_OK)
        *out = rm;
    return st;
}

void relay_metrics_busy(fm_ops *ops, int busy)
{
    if (ops != NULL)
        atomic_store(&ops->health.busy_since_ms, busy ? fm_health_now_ms() : 0);
}

void relay_metrics_update(fm_ops *ops, relay_metrics *rm, PGconn *conn, int leased, const relay_counters *c)
{
    if (ops == NULL)
        return;
    int64_t now = fm_health_now_ms();
    atomic_store(&ops->health.started, 1);
    atomic_store(&ops->health.member, 1); /* holding or waiting for the lease, both are its job */
    atomic_store(&ops->health.assigned, leased);
    fm_metric_set(rm->published, NULL, (double)c->published);
    fm_metric_set(rm->rounds, NULL, (double)c->rounds);
    fm_metric_set(rm->failures, NULL, (double)c->failures);
    fm_metric_set(rm->leases, NULL, (double)c->leases);
    fm_metric_set(rm->deleted, NULL, (double)c->deleted);
    fm_metric_set(rm->raw_erased, NULL, (double)c->raw_erased);
    fm_metric_set(rm->lease_held, NULL, leased);
    if (c->published != rm->last_published) {
        rm->last_published = c->published;
        fm_health_progress(&ops->health, now);
    }
    if (now - rm->last_backlog_ms < ops->stats_ms)
        return;
    rm->last_backlog_ms = now;
    PGresult *res = NULL;
    fm_error err = {0};
    relay_metrics_busy(ops, 1); /* this count may wait on the outbox like a round */
    fm_status st = fm_pg_query(conn,
                               "SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0) "
                               "FROM famins.outbox WHERE sent_at IS NULL",
                               0, NULL, &res, &err);
    relay_metrics_busy(ops, 0);
    if (st != FM_OK)
        return;
    long long backlog = atoll(PQgetvalue(res, 0, 0));
    fm_metric_set(rm->backlog, NULL, (double)backlog);
    fm_metric_set(rm->oldest_age, NULL, atof(PQgetvalue(res, 0, 1)));
    PQclear(res);
    /* Only the lease holder's job waits on the backlog; a standby relay is never stuck. */
    fm_health_set_lag(&ops->health, leased ? backlog : 0, now);
    if (backlog == 0)
        fm_health_progress(&ops->health, now);
}
