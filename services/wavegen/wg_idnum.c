/* wg_idnum.c — identity-number check characters and the collision-free issuing of numbers. */
#include "wg_idnum.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wg_date.h"

char wg_idnum_check_char(const char first17[17])
{
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char map[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (first17[i] - '0') * weights[i];
    return map[sum % 11];
}

void wg_idnum_format(char out[19], const char area[7], int32_t birth_day, int seq)
{
    char date[11];
    wg_date_format(birth_day, date);
    unsigned s = (unsigned)(seq < 0 ? 0 : seq % 1000);
    memcpy(out, area, 6);
    memcpy(out + 6, date, 4);
    memcpy(out + 10, date + 5, 2);
    memcpy(out + 12, date + 8, 2);
    out[14] = (char)('0' + s / 100);
    out[15] = (char)('0' + s / 10 % 10);
    out[16] = (char)('0' + s % 10);
    out[17] = wg_idnum_check_char(out);
    out[18] = '\0';
}

struct wg_idreg {
    int n_areas;
    int32_t first_day;
    int32_t n_days;
    char (*areas)[7];
    uint16_t *used; /* [area][day][sex]: how many numbers were issued */
};

fm_status wg_idreg_new(const char *const *areas, int n_areas, int32_t first_day, int32_t last_day,
                       wg_idreg **out)
{
    if (areas == NULL || n_areas <= 0 || last_day < first_day || out == NULL)
        return FM_EINVAL;
    for (int i = 0; i < n_areas; i++)
        if (areas[i] == NULL || strlen(areas[i]) != 6)
            return FM_EINVAL;
    wg_idreg *reg = calloc(1, sizeof *reg);
    if (reg == NULL)
        return FM_ENOMEM;
    reg->n_areas = n_areas;
    reg->first_day = first_day;
    reg->n_days = last_day - first_day + 1;
    reg->areas = calloc((size_t)n_areas, sizeof *reg->areas);
    /* calloc: pages never touched (dates nobody is born on) cost no resident memory. */
    reg->used = calloc((size_t)n_areas * (size_t)reg->n_days * 2, sizeof *reg->used);
    if (reg->areas == NULL || reg->used == NULL)
        goto fail;
    for (int i = 0; i < n_areas; i++)
        memcpy(reg->areas[i], areas[i], 7);
    *out = reg;
    return FM_OK;
fail:
    wg_idreg_free(reg);
    return FM_ENOMEM;
}

void wg_idreg_free(wg_idreg *reg)
{
    if (reg == NULL)
        return;
    free(reg->areas);
    free(reg->used);
    free(reg);
}

int wg_idreg_area_index(const wg_idreg *reg, const char *area)
{
    for (int i = 0; i < reg->n_areas; i++)
        if (strcmp(reg->areas[i], area) == 0)
            return i;
    return -1;
}

fm_status wg_idreg_issue(wg_idreg *reg, int area_index, int32_t birth_day, bool male, char out[19])
{
    int32_t off = birth_day - reg->first_day;
    /* The area index comes from the places table, whose loader checked every index against its areas. */
    assert(area_index >= 0 && area_index < reg->n_areas);
    if (off < 0 || off >= reg->n_days)
        return FM_EINVAL;
    /* Men get odd sequences 1..999 (500), women even ones 2..998 (499). */
    const unsigned capacity = male ? 500 : 499;
    for (int k = 0; k < reg->n_areas; k++) {
        int a = (area_index + k) % reg->n_areas;
        uint16_t *slot = &reg->used[((size_t)a * (size_t)reg->n_days + (size_t)off) * 2 + (male ? 1 : 0)];
        if (*slot < capacity) {
            int seq = 2 * (int)*slot + (male ? 1 : 2);
            (*slot)++;
            wg_idnum_format(out, reg->areas[a], birth_day, seq);
            return FM_OK;
        }
    }
    return FM_ENOTFOUND;
}
