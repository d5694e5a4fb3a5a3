/* fm_dates.h — calendar arithmetic on fm_date day numbers: strict parsing, formatting, ages. */
#ifndef FM_DATES_H
#define FM_DATES_H

#include "fm_error.h"
#include "fm_model.h"

#include <stdbool.h>

/* Years this module accepts: 0001..9999 (what "YYYY" can spell). */
#define FM_DATE_MIN_YEAR 1
#define FM_DATE_MAX_YEAR 9999

/* Length of "YYYY-MM-DD" plus the NUL. */
#define FM_DATE_TEXT_LEN 11

bool fm_is_leap_year(int year);
/* Days in month 1..12 of year; 0 for a month out of range. */
int fm_days_in_month(int year, int month);

/* True when year/month/day is a real calendar date within FM_DATE_MIN_YEAR..FM_DATE_MAX_YEAR. */
bool fm_date_valid(int year, int month, int day);

/* Day number of a valid calendar date (caller checks with fm_date_valid). */
fm_date fm_date_from_ymd(int year, int month, int day);
/* Splits a day number; any of the out-pointers may be NULL. */
void fm_date_to_ymd(fm_date d, int *year, int *month, int *day);

/* Parses exactly "YYYY-MM-DD" (10 characters, digits and two '-', a real date; no spaces, no sign,
 * no time part). FM_OK and *out set, or FM_EINVAL with err->code "DATE_FORMAT" or "DATE_INVALID". */
fm_status fm_date_parse(const char *s, fm_date *out, fm_error *err);

/* Writes "YYYY-MM-DD" into buf (at least FM_DATE_TEXT_LEN bytes). FM_EINVAL when len is too small
 * or the year is outside 1..9999 (buf then holds ""). */
fm_status fm_date_format(fm_date d, char *buf, size_t len);

/* d + days. Caller keeps within range (dates of this scheme are far from int32 limits). */
fm_date fm_date_add_days(fm_date d, int32_t days);
/* d + months / years; when the day does not exist in the target month it becomes that month's last
 * day (31 Jan + 1 month = 28/29 Feb; 29 Feb 2024 + 1 year = 28 Feb 2025). */
fm_date fm_date_add_months(fm_date d, int32_t months);
fm_date fm_date_add_years(fm_date d, int32_t years);
/* Last day of February of year (28 or 29). */
fm_date fm_date_last_of_february(int year);

/* Age in full years (周岁) on date `on` of a person born on `birth`; -1 when on < birth.
 * Choice: a person born on 29 February becomes a year older on 1 March in a non-leap year
 * (still the younger age on 28 February) — the reading of Chinese and most civil practice. */
int fm_age_on(fm_date birth, fm_date on);

#endif
