/* fm_health.c — readiness state shared by a main loop and the HTTP thread, and the rule that judges it. */
#include "fm_health.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

int64_t fm_health_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int fm_health_ready(const fm_health_view *v, char *reason, size_t cap)
{
    if (!v->started) {
        snprintf(reason, cap, "starting");
        return 0;
    }
    if (!v->db_up) {
        snprintf(reason, cap, "database unreachable");
        return 0;
    }
    if (!v->member && v->assigned <= 0) {
        snprintf(reason, cap, "not in the consumer group and no partition assigned");
        return 0;
    }
    if (v->busy_since_ms > 0 && v->now_ms - v->busy_since_ms > v->stuck_ms) {
        snprintf(reason, cap, "stuck: one batch in hand for %" PRId64 " s",
                 (v->now_ms - v->busy_since_ms) / 1000);
        return 0;
    }
    if (v->lag > 0) {
        /* Stuck is measured from the later of the last commit and the moment work appeared: an idle worker
         * that just received messages is not stuck merely because its previous batch is old. */
        int64_t since = v->last_progress_ms > v->lag_since_ms ? v->last_progress_ms : v->lag_since_ms;
        if (v->now_ms - since > v->stuck_ms) {
            snprintf(reason, cap, "stuck: lag %" PRId64 " and no batch committed for %" PRId64 " s", v->lag,
                     (v->now_ms - since) / 1000);
            return 0;
        }
    }
    snprintf(reason, cap, "ready");
    return 1;
}

void fm_health_view_of(fm_health *h, int64_t now_ms, fm_health_view *out)
{
    *out = (fm_health_view){.started = atomic_load(&h->started),
                            .db_up = atomic_load(&h->db_up),
                            .member = atomic_load(&h->member),
                            .assigned = atomic_load(&h->assigned),
                            .lag = atomic_load(&h->lag),
                            .lag_since_ms = atomic_load(&h->lag_since_ms),
                            .last_progress_ms = atomic_load(&h->last_progress_ms),
                            .busy_since_ms = atomic_load(&h->busy_since_ms),
                            .now_ms = now_ms,
                            .stuck_ms = h->stuck_ms};
}

void fm_health_set_lag(fm_health *h, int64_t lag, int64_t now_ms)
{
    if (h == NULL)
        return;
    int64_t before = atomic_exchange(&h->lag, lag);
    if (lag > 0 && before <= 0)
        atomic_store(&h->lag_since_ms, now_ms);
}

void fm_health_progress(fm_health *h, int64_t now_ms)
{
    if (h != NULL)
        atomic_store(&h->last_progress_ms, now_ms);
}
