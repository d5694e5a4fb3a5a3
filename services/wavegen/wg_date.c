/* wg_date.c — civil-date arithmetic (Howard Hinnant's days_from_civil / civil_from_days). */
#include "wg_date.h"

#include <stdio.h>
#include <string.h>

int32_t wg_date_from_ymd(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + (int)doe - 719468);
}

void wg_date_to_ymd(int32_t day, int *y, int *m, int *d)
{
    int z = day + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int yy = (int)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yy + (*m <= 2);
}

fm_status wg_date_parse(const char *text, int32_t *day)
{
    if (text == NULL || strlen(text) != 10 || text[4] != '-' || text[7] != '-')
        return FM_EINVAL;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (text[i] < '0' || text[i] > '9'))
            return FM_EINVAL;
    int y = (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
    int m = (text[5] - '0') * 10 + (text[6] - '0');
    int d = (text[8] - '0') * 10 + (text[9] - '0');
    if (m < 1 || m > 12 || d < 1 || d > 31)
        return FM_EINVAL;
    int32_t n = wg_date_from_ymd(y, m, d);
    int yy, mm, dd;
    wg_date_to_ymd(n, &yy, &mm, &dd);
    if (yy != y || mm != m || dd != d) /* 31 April and the like */
        return FM_EINVAL;
    *day = n;
    return FM_OK;
}

void wg_date_format(int32_t day, char out[11])
{
    int y, m, d;
    wg_date_to_ymd(day, &y, &m, &d);
    /* Digit by digit: exact width, and the compiler can see that nothing is truncated. */
    unsigned yy = (unsigned)(y < 0 ? 0 : y % 10000);
    out[0] = (char)('0' + yy / 1000);
    out[1] = (char)('0' + yy / 100 % 10);
    out[2] = (char)('0' + yy / 10 % 10);
    out[3] = (char)('0' + yy % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

int32_t wg_date_add_years(int32_t day, int years)
{
    int y, m, d;
    wg_date_to_ymd(day, &y, &m, &d);
    y += years;
    if (m == 2 && d == 29) {
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        if (!leap)
            d = 28;
    }
    return wg_date_from_ymd(y, m, d);
}
