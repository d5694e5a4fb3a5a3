/* fm_plan.c — the plan catalogue's lookups and its release; reading it is common/codec/fm_plan_read.c's
 * job (the domain does no I/O). */
#include "fm_plan.h"

#include <stdlib.h>
#include <string.h>

void fm_plan_catalogue_free(fm_plan_catalogue *cat)
{
    if (cat == NULL)
        return;
    for (size_t i = 0; i < cat->n_plans; i++) {
        free(cat->plans[i].diseases);
        free(cat->plans[i].units);
    }
    free(cat->plans);
    free(cat);
}

const fm_plan *fm_plan_for_year(const fm_plan_catalogue *cat, int plan_year)
{
    if (cat == NULL)
        return NULL;
    for (size_t i = 0; i < cat->n_plans; i++)
        if (cat->plans[i].plan_year == plan_year)
            return &cat->plans[i];
    return NULL;
}

const fm_managing_unit *fm_plan_unit(const fm_plan *plan, const char *code)
{
    if (plan == NULL || code == NULL)
        return NULL;
    for (size_t i = 0; i < plan->n_units; i++)
        if (strcmp(plan->units[i].code, code) == 0)
            return &plan->units[i];
    return NULL;
}

const fm_ci_disease *fm_plan_disease(const fm_plan *plan, const char *code)
{
    if (plan == NULL || code == NULL)
        return NULL;
    for (size_t i = 0; i < plan->n_diseases; i++)
        if (strcmp(plan->diseases[i].code, code) == 0)
            return &plan->diseases[i];
    return NULL;
}
