/* fm_idnum.h — checking an 18-character resident identity number (GB 11643-1999). */
#ifndef FM_IDNUM_H
#define FM_IDNUM_H

#include "fm_error.h"
#include "fm_model.h"

#include <stdbool.h>

#define FM_IDNUM_LEN 18

typedef enum fm_sex { FM_SEX_FEMALE = 0, FM_SEX_MALE = 1 } fm_sex;

typedef struct fm_idnum {
    char canonical[FM_IDNUM_LEN + 1]; /* the number with a lowercase x made uppercase */
    char area_code[7];                /* first six digits */
    fm_date birth_date;
    fm_sex sex; /* 17th digit odd = male, even = female */
} fm_idnum;

/*
 * Checks s against GB 11643-1999 and fills *out. Checks, in this order, and err->code on failure:
 *   LENGTH           — not exactly 18 bytes (NULL counts as length 0);
 *   CHARACTERS       — not 17 digits then a digit or X;
 *   AREA_CODE        — the first two digits are not a GB/T 2260 province code (11–15, 21–23, 31–37,
 *                      41–46, 50–54, 61–65, 71, 81, 82, and 83 of the residence permits). The other
 *                      four digits are not checked: old codes (610125 户县) and other provinces are valid;
 *   BIRTH_DATE       — digits 7–14 are not a real date, before 1900-01-01, or after `today`;
 *   CHECK_CHARACTER  — the 18th character is not the ISO 7064 MOD 11-2 check character.
 * Choice: a lowercase 'x' check character is accepted as 'X' (agents type it; the number is the same
 * number) and out->canonical carries the uppercase form, which is what must be compared and stored.
 * Returns FM_OK, or FM_EINVAL with err (when not NULL) filled; err->text never contains the number.
 */
fm_status fm_idnum_parse(const char *s, fm_date today, fm_idnum *out, fm_error *err);

/* The check character ('0'..'9' or 'X') for the first 17 digits; '?' when they are not 17 digits. */
char fm_idnum_check_char(const char *first17);

/* True when the two-digit code is a province code in the sense of fm_idnum_parse. */
bool fm_idnum_province_valid(int code);

#endif
