/* wg_idnum.h — makes resident identity numbers (GB 11643-1999) that are unique within a run by construction.
 */
#ifndef WG_IDNUM_H
#define WG_IDNUM_H

#include <stdbool.h>
#include <stdint.h>

#include "fm_error.h"

/* The check character of the first 17 digits: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, sum mod 11
 * mapped to 1 0 X 9 8 7 6 5 4 3 2. Computed here, not by the domain core, on purpose: the unit test
 * checks every generated number with the domain's own check, so the two must agree independently. */
char wg_idnum_check_char(const char first17[17]);

/* Writes the 18 characters and a NUL: area (6 digits), birth date, sequence (1-999), check. */
void wg_idnum_format(char out[19], const char area[7], int32_t birth_day, int seq);

/* Hands out sequence numbers per (area code, birth date, sex) so that no two people of a run share a
 * number, without remembering the people: memory is a fixed counter table, not a function of N.
 * Numbers are given in call order, so the same calls in the same order give the same numbers. */
typedef struct wg_idreg wg_idreg;

/* Creates a registry over the given area codes (6-digit strings, copied) and birth dates in
 * [first_day, last_day]. *out is the caller's, freed with wg_idreg_free. FM_EINVAL, FM_ENOMEM. */
fm_status wg_idreg_new(const char *const *areas, int n_areas, int32_t first_day, int32_t last_day,
                       wg_idreg **out);

void wg_idreg_free(wg_idreg *reg);

/* The index of a 6-digit area code in the registry, or -1. */
int wg_idreg_area_index(const wg_idreg *reg, const char *area);

/* Writes a fresh identity number for a person of that area, birth date and sex. When the 499 or 500
 * numbers of that (area, date, sex) are used up, the next area codes are tried in turn.
 * area_index must be one of the registry's (asserted). FM_EINVAL for a date outside the registry,
 * FM_ENOTFOUND when every area is full for that date. */
fm_status wg_idreg_issue(wg_idreg *reg, int area_index, int32_t birth_day, bool male, char out[19]);

#endif
