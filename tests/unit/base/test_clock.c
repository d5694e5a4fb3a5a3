/* test_clock.c — fm_clock: occurred_at is now, in UTC, RFC 3339 with milliseconds (the envelope's format);
 * the monotonic clock never goes back. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fm_clock.h"
#include "fm_test.h"

static void occurred_at_is_now_in_utc(void **state)
{
    (void)state;
    char at[FM_TIMESTAMP_LEN];
    /* The same clock as fm_clock's: time() reads the kernel's coarse clock, which trails CLOCK_REALTIME by up
     * to a tick, so across a second's boundary it said the second before the stamp's (a failure in CI). */
    struct timespec before_ts, after_ts;
    clock_gettime(CLOCK_REALTIME, &before_ts);
    fm_clock_occurred_at(at);
    clock_gettime(CLOCK_REALTIME, &after_ts);
    time_t before = before_ts.tv_sec, after = after_ts.tv_sec;
    assert_int_equal(strlen(at), 24);
    struct tm tm = {0};
    int ms = -1, used = 0;
    assert_int_equal(sscanf(at, "%4d-%2d-%2dT%2d:%2d:%2d.%3d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                            &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms, &used),
                     7);
    assert_string_equal(at + used, "Z");
    assert_true(ms >= 0 && ms <= 999);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    assert_true(t >= before && t <= after);
}

static void monotonic_never_goes_back(void **state)
{
    (void)state;
    int64_t a = fm_clock_mono_us();
    struct timespec pause = {.tv_sec = 0, .tv_nsec = 2000000};
    nanosleep(&pause, NULL);
    int64_t b = fm_clock_mono_us();
    assert_true(b - a >= 2000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(occurred_at_is_now_in_utc),
        cmocka_unit_test(monotonic_never_goes_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
