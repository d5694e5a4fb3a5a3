/* fm_dates.c — calendar arithmetic on day numbers (proleptic Gregorian, days since 1970-01-01). */
#include "fm_dates.h"

#include <stdio.h>

bool fm_is_leap_year(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int fm_days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    return month == 2 && fm_is_leap_year(year) ? 29 : days[month - 1];
}

bool fm_date_valid(int year, int month, int day)
{
    return year >= FM_DATE_MIN_YEAR && year <= FM_DATE_MAX_YEAR && month >= 1 && month <= 12 && day >= 1 &&
           day <= fm_days_in_month(year, month);
}

/* The civil-from-days pair below counts eras of 400 years from 1 March 0000, so that the leap day
 * is the last day of the counted year; it is exact for every date of the proleptic calendar. */
fm_date fm_date_from_ymd(int year, int month, int day)
{
    int y = year - (month <= 2);
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int mp = (month + 9) % 12;
    int doy = (153 * mp + 2) / 5 + day - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (fm_date)(era * 146097 + doe - 719468);
}

void fm_date_to_ymd(fm_date d, int *year, int *month, int *day)
{
    int z = (int)d + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int y = yoe + era * 400;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    int dd = doy - (153 * mp + 2) / 5 + 1;
    int mm = mp < 10 ? mp + 3 : mp - 9;
    if (year)
        *year = y + (mm <= 2);
    if (month)
        *month = mm;
    if (day)
        *day = dd;
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

fm_status fm_date_parse(const char *s, fm_date *out, fm_error *err)
{
    if (s == NULL) {
        fm_error_set(err, "", "DATE_FORMAT", "a date is required (YYYY-MM-DD)");
        return FM_EINVAL;
    }
    /* strnlen-free check: exactly 10 characters, the 11th must be the end. */
    for (int i = 0; i < 10; i++) {
        if (s[i] == '\0') {
            fm_error_set(err, "", "DATE_FORMAT", "a date is written YYYY-MM-DD");
            return FM_EINVAL;
        }
    }
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    if (s[10] != '\0' || s[4] != '-' || s[7] != '-' || y < 0 || m < 0 || d < 0) {
        fm_error_set(err, "", "DATE_FORMAT", "a date is written YYYY-MM-DD");
        return FM_EINVAL;
    }
    if (!fm_date_valid(y, m, d)) {
        fm_error_set(err, "", "DATE_INVALID", "%04d-%02d-%02d is not a calendar date", y, m, d);
        return FM_EINVAL;
    }
    *out = fm_date_from_ymd(y, m, d);
    return FM_OK;
}

fm_status fm_date_format(fm_date d, char *buf, size_t len)
{
    if (buf == NULL || len < FM_DATE_TEXT_LEN) {
        if (buf != NULL && len > 0)
            buf[0] = '\0';
        return FM_EINVAL;
    }
    int y, m, dd;
    fm_date_to_ymd(d, &y, &m, &dd);
    if (y < FM_DATE_MIN_YEAR || y > FM_DATE_MAX_YEAR) {
        buf[0] = '\0';
        return FM_EINVAL;
    }
    snprintf(buf, len, "%04d-%02d-%02d", y, m, dd);
    return FM_OK;
}

fm_date fm_date_add_days(fm_date d, int32_t days)
{
    return (fm_date)(d + days);
}

fm_date fm_date_add_months(fm_date d, int32_t months)
{
    int y, m, dd;
    fm_date_to_ymd(d, &y, &m, &dd);
    long total = (long)y * 12 + (m - 1) + months;
    /* floor division so that negative month offsets land in the right year */
    long ny = total >= 0 ? total / 12 : -((-total + 11) / 12);
    int nm = (int)(total - ny * 12) + 1;
    int last = fm_days_in_month((int)ny, nm);
    return fm_date_from_ymd((int)ny, nm, dd > last ? last : dd);
}

fm_date fm_date_add_years(fm_date d, int32_t years)
{
    return fm_date_add_months(d, years * 12);
}

fm_date fm_date_last_of_february(int year)
{
    return fm_date_from_ymd(year, 2, fm_days_in_month(year, 2));
}

int fm_age_on(fm_date birth, fm_date on)
{
    if (on < birth)
        return -1;
    int by, bm, bd, y, m, d;
    fm_date_to_ymd(birth, &by, &bm, &bd);
    fm_date_to_ymd(on, &y, &m, &d);
    int age = y - by;
    /* Comparing (month, day) pairs gives the 29 February rule for free: in a non-leap year
     * (2, 28) is before (2, 29), so the birthday is reached on (3, 1). */
    if (m < bm || (m == bm && d < bd))
        age--;
    return age;
}
