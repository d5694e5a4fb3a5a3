/* wg_progress.c — a terminal progress bar (events, rate, ETA) and plain lines for logs. */
#include "wg_progress.h"

#include <time.h>
#include <unistd.h>

double wg_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void wg_progress_start(wg_progress *p, FILE *out, const fm_logger *log, uint64_t total, const char *unit,
                       bool quiet)
{
    p->out = out;
    p->log = log;
    p->tty = isatty(fileno(out)) == 1;
    p->quiet = quiet;
    p->total = total;
    p->started = wg_now();
    p->last = p->started;
    p->interval = p->tty ? 0.2 : 5.0;
    p->unit = unit;
}

static void eta_text(double secs, char *buf, size_t len)
{
    if (secs < 0 || secs > 1e7)
        snprintf(buf, len, "?");
    else if (secs >= 3600)
        snprintf(buf, len, "%dh%02dm", (int)secs / 3600, ((int)secs / 60) % 60);
    else if (secs >= 60)
        snprintf(buf, len, "%dm%02ds", (int)secs / 60, (int)secs % 60);
    else
        snprintf(buf, len, "%ds", (int)secs);
}

void wg_progress_update(wg_progress *p, uint64_t done, uint64_t events, bool force)
{
    if (p->quiet)
        return;
    double now = wg_now();
    if (!force && now - p->last < p->interval)
        return;
    p->last = now;
    double el = now - p->started;
    double rate = el > 0 ? (double)events / el : 0;
    double urate = el > 0 ? (double)done / el : 0;
    double frac = p->total ? (double)done / (double)p->total : 0;
    char eta[32];
    eta_text(urate > 0 && p->total ? (double)(p->total - done) / urate : -1, eta, sizeof eta);
    if (p->tty) {
        char bar[31];
        int fill = (int)(frac * 30);
        for (int i = 0; i < 30; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[30] = '\0';
        fprintf(p->out, "\r[%s] %5.1f%% %llu/%llu %s  %llu events  %.0f ev/s  ETA %s   ", bar, frac * 100,
                (unsigned long long)done, (unsigned long long)p->total, p->unit, (unsigned long long)events,
                rate, eta);
    } else {
        fm_log(p->log, FM_LOG_INFO, "progress", "%s=%llu total=%llu events=%llu rate_ev_s=%.0f eta=%s",
               p->unit, (unsigned long long)done, (unsigned long long)p->total, (unsigned long long)events,
               rate, eta);
    }
    fflush(p->out);
}

void wg_progress_finish(wg_progress *p, uint64_t done, uint64_t events)
{
    if (p->quiet)
        return;
    wg_progress_update(p, done, events, true);
    if (p->tty)
        fputc('\n', p->out);
}
