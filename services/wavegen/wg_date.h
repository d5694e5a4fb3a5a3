/* wg_date.h — calendar dates as day numbers (days since 1970-01-01), parsed from and printed as YYYY-MM-DD.
 */
#ifndef WG_DATE_H
#define WG_DATE_H

#include <stdbool.h>
#include <stdint.h>

#include "fm_error.h"

/* The day number of a proleptic Gregorian date (no validation: 2026-02-31 is 2026-03-03). */
int32_t wg_date_from_ymd(int y, int m, int d);

/* Splits a day number into year, month (1-12) and day (1-31). */
void wg_date_to_ymd(int32_t day, int *y, int *m, int *d);

/* Parses "YYYY-MM-DD" into *day. FM_EINVAL when malformed or not a real date; *day untouched then. */
fm_status wg_date_parse(const char *text, int32_t *day);

/* Writes "YYYY-MM-DD" and a NUL into out (11 bytes). */
void wg_date_format(int32_t day, char out[11]);

/* The same month and day, years later or earlier; 29 February becomes 28 February in a common year
 * (how a birthday is counted for "18 years before plan start"). */
int32_t wg_date_add_years(int32_t day, int years);

#endif
