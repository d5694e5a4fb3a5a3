/* fuzz_places.c — libFuzzer harness: famins-wavegen's table of places (wg_places_load, schemas/places/). */
#include "fuzz_support.h"
#include "wg_places.h"
#include "wg_rng.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* About 20 KB: static, so that each run does not need it on the stack (the process runs one input at a
     * time). */
    static wg_places places;
    fm_error err;
    fm_status st = wg_places_load(fuzz_input_file(data, size), &places, &err);
    FUZZ_REQUIRE(st == FM_OK || st == FM_EINVAL || st == FM_EIO,
                 "the loader returns FM_OK, FM_EINVAL or FM_EIO");
    if (st != FM_OK) {
        fuzz_check_error(&err);
        return 0;
    }
    FUZZ_REQUIRE(places.n_units >= 1 && places.n_units <= WG_MAX_UNITS, "units within the table's room");
    FUZZ_REQUIRE(places.n_areas >= 1 && places.n_areas <= WG_MAX_AREAS, "areas within the table's room");
    for (int i = 0; i < places.n_units; i++) {
        const wg_unit *u = &places.units[i];
        FUZZ_REQUIRE(u->population > 0, "a population is positive");
        FUZZ_REQUIRE(i == 0 || places.cumulative[i] > places.cumulative[i - 1], "the running sum grows");
        for (int a = 0; a < u->n_areas; a++)
            FUZZ_REQUIRE(u->area_idx[a] >= 0 && u->area_idx[a] < places.n_areas, "an area index is in range");
    }
    /* The weighted pick wavegen makes for every household lands on a unit of the table. */
    wg_rng r;
    wg_rng_seed(&r, size, 1, 2);
    for (int k = 0; k < 16; k++) {
        const wg_unit *u = wg_places_pick(&places, &r);
        FUZZ_REQUIRE(u >= places.units && u < places.units + places.n_units, "a pick is a unit of the table");
    }
    return 0;
}
