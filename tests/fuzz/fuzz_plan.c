/* fuzz_plan.c — libFuzzer harness: the plan loader, one plan file (fm_plan_catalogue_load_file). */
#include "fm_plan.h"
#include "fm_plan_read.h"
#include "fuzz_support.h"

#include <stdint.h>

/* What the loader promises of a plan it accepts (fm_plan.h), and the lookups the workers make on it. */
static void check_plan(const fm_plan_catalogue *cat)
{
    FUZZ_REQUIRE(cat->n_plans == 1, "one file, one plan");
    const fm_plan *p = &cat->plans[0];
    FUZZ_REQUIRE(fm_plan_for_year(cat, p->plan_year) == p, "the plan is found by its year");
    FUZZ_REQUIRE(p->start <= p->end && p->enrollment_opens <= p->enrollment_closes, "periods in order");
    for (size_t i = 0; i < p->n_units; i++) {
        const fm_managing_unit *u = &p->units[i];
        FUZZ_REQUIRE(u->split.city + u->split.district_or_county + u->split.development_zone ==
                         FM_SUBSIDY_A_FEN,
                     "a unit's subsidy split adds up to 4000 fen");
        FUZZ_REQUIRE(fm_plan_unit(p, u->code) == u, "a unit is found by its code (codes are unique)");
    }
    for (size_t i = 0; i < p->n_diseases; i++)
        FUZZ_REQUIRE(fm_plan_disease(p, p->diseases[i].code) == &p->diseases[i],
                     "a disease is found by its code");
    for (int k = 1; k <= FM_MAX_PRICED_CHILDREN; k++)
        FUZZ_REQUIRE(p->premium_a[k] >= FM_SUBSIDY_A_FEN && p->premium_b[k] >= 0,
                     "premiums cover the subsidy");
    FUZZ_REQUIRE(fm_plan_unit(p, NULL) == NULL, "no unit for a NULL code");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fm_plan_catalogue *cat = NULL;
    fm_error err;
    fm_status st = fm_plan_catalogue_load_file(fuzz_input_file(data, size), &cat, &err);
    FUZZ_REQUIRE(st == FM_OK || st == FM_EINVAL || st == FM_EIO,
                 "the loader returns FM_OK, FM_EINVAL or FM_EIO");
    if (st == FM_OK) {
        FUZZ_REQUIRE(cat != NULL, "FM_OK gives a catalogue");
        check_plan(cat);
    } else {
        FUZZ_REQUIRE(cat == NULL, "a refusal gives no catalogue");
        fuzz_check_error(&err);
    }
    fm_plan_catalogue_free(cat);
    return 0;
}
