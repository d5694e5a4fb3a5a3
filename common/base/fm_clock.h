/* fm_clock.h — the clocks famins reads: now as an event's occurred_at, and a monotonic one for durations. */
#ifndef FM_CLOCK_H
#define FM_CLOCK_H

#include <stdint.h>

/* "2026-06-02T02:00:03.123Z" and its NUL fit. */
#define FM_TIMESTAMP_LEN 32

/* Now, in UTC, as RFC 3339 with milliseconds: "2026-06-02T02:00:03.123Z". The one convention for the
 * occurred_at of the events famins produces (the envelope allows any offset:
 * schemas/events/envelope.schema.json). */
void fm_clock_occurred_at(char out[FM_TIMESTAMP_LEN]);

/* Microseconds of CLOCK_MONOTONIC: for durations only (its zero is arbitrary). */
int64_t fm_clock_mono_us(void);

#endif
