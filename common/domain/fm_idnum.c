/* fm_idnum.c — GB 11643-1999 identity numbers: format, province, birth date and check character. */
#include "fm_idnum.h"

#include "fm_dates.h"

#include <string.h>

char fm_idnum_check_char(const char *first17)
{
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char map[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
    if (first17 == NULL)
        return '?';
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        if (first17[i] < '0' || first17[i] > '9')
            return '?';
        sum += (first17[i] - '0') * weights[i];
    }
    return map[sum % 11];
}

bool fm_idnum_province_valid(int code)
{
    /* GB/T 2260 provinces, plus 83 used by the Taiwan residents' residence permits (GB 11643 form). */
    return (code >= 11 && code <= 15) || (code >= 21 && code <= 23) || (code >= 31 && code <= 37) ||
           (code >= 41 && code <= 46) || (code >= 50 && code <= 54) || (code >= 61 && code <= 65) ||
           code == 71 || code == 81 || code == 82 || code == 83;
}

static int num(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* Error texts never quote the number: identity numbers are personal information. */
fm_status fm_idnum_parse(const char *s, fm_date today, fm_idnum *out, fm_error *err)
{
    size_t len = s ? strnlen(s, FM_IDNUM_LEN + 1) : 0;
    if (len != FM_IDNUM_LEN) {
        fm_error_set(err, "", "LENGTH", "an identity number has 18 characters");
        return FM_EINVAL;
    }
    for (int i = 0; i < 17; i++) {
        if (s[i] < '0' || s[i] > '9') {
            fm_error_set(err, "", "CHARACTERS", "characters 1-17 of an identity number are digits");
            return FM_EINVAL;
        }
    }
    char last = s[17] == 'x' ? 'X' : s[17];
    if (!((last >= '0' && last <= '9') || last == 'X')) {
        fm_error_set(err, "", "CHARACTERS", "the last character of an identity number is a digit or X");
        return FM_EINVAL;
    }
    if (!fm_idnum_province_valid(num(s, 2))) {
        fm_error_set(err, "", "AREA_CODE", "the area code does not start with a province code");
        return FM_EINVAL;
    }
    int y = num(s + 6, 4), m = num(s + 10, 2), d = num(s + 12, 2);
    if (y < 1900 || !fm_date_valid(y, m, d)) {
        fm_error_set(err, "", "BIRTH_DATE", "the birth date in the identity number is not a real date");
        return FM_EINVAL;
    }
    fm_date birth = fm_date_from_ymd(y, m, d);
    if (birth > today) {
        fm_error_set(err, "", "BIRTH_DATE", "the birth date in the identity number is in the future");
        return FM_EINVAL;
    }
    if (fm_idnum_check_char(s) != last) {
        fm_error_set(err, "", "CHECK_CHARACTER", "the check character of the identity number is wrong");
        return FM_EINVAL;
    }
    memcpy(out->canonical, s, 17);
    out->canonical[17] = last;
    out->canonical[18] = '\0';
    memcpy(out->area_code, s, 6);
    out->area_code[6] = '\0';
    out->birth_date = birth;
    out->sex = ((s[16] - '0') % 2 == 1) ? FM_SEX_MALE : FM_SEX_FEMALE;
    return FM_OK;
}
