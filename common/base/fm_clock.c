/* fm_clock.c — the clocks famins reads: now as an event's occurred_at, and a monotonic one for durations. */
#include "fm_clock.h"

#include <stdio.h>
#include <time.h>

void fm_clock_occurred_at(char out[FM_TIMESTAMP_LEN])
{
    struct timespec ts;
    struct tm tm;
    char date[24];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    if (strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
        snprintf(date, sizeof date, "1970-01-01T00:00:00");
    snprintf(out, FM_TIMESTAMP_LEN, "%s.%03dZ", date, (int)(ts.tv_nsec / 1000000) % 1000);
}

int64_t fm_clock_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
