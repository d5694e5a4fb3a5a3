/* wg_places.h — the population table (schemas/places) that spreads a wave over the managing units. */
#ifndef WG_PLACES_H
#define WG_PLACES_H

#include <stdint.h>

#include "fm_error.h"
#include "wg_rng.h"

#define WG_MAX_UNITS 64
#define WG_MAX_UNIT_AREAS 4
#define WG_MAX_AREAS 128
/* Xi'an's largest district has about 1.5 million people: a bound far above any unit that keeps the running
 * sum of WG_MAX_UNITS populations inside int64_t. */
#define WG_MAX_UNIT_POPULATION 1000000000

typedef struct wg_unit {
    char code[17];
    char name_zh[64];
    char kind[12]; /* district | county | zone */
    int64_t population;
    double rural_share;              /* share of rural households, for rural two-daughter households */
    int area_idx[WG_MAX_UNIT_AREAS]; /* indexes into wg_places.areas: codes of numbers issued here */
    int n_areas;
} wg_unit;

/* The table, loaded whole (a few dozen units). Plain value, nothing to free. */
typedef struct wg_places {
    wg_unit units[WG_MAX_UNITS];
    int n_units;
    int64_t cumulative[WG_MAX_UNITS]; /* running sum of population, for weighted picks */
    char areas[WG_MAX_AREAS][7];      /* every area code used in identity numbers */
    int n_areas;
    int old_idx[WG_MAX_AREAS]; /* codes from before a renaming (610125 户县) */
    int n_old;
    int elsewhere_idx[WG_MAX_AREAS]; /* codes outside Xi'an */
    int n_elsewhere;
} wg_places;

/* Loads the JSON table at path into *out. FM_EIO when unreadable, FM_EINVAL (err says where) when a
 * field is missing or wrong, or a code is not 6 digits, or a population is not in 1..WG_MAX_UNIT_POPULATION.
 */
fm_status wg_places_load(const char *path, wg_places *out, fm_error *err);

/* A unit drawn in proportion to population. */
const wg_unit *wg_places_pick(const wg_places *p, wg_rng *r);

#endif
