/* domain_fixtures.h — test helpers: dates, identity numbers built independently of fm_idnum, sample plans. */
#ifndef DOMAIN_FIXTURES_H
#define DOMAIN_FIXTURES_H

#include "fm_test.h"

#include "fm_dates.h"
#include "fm_plan.h"
#include "fm_plan_read.h"

#include <stdio.h>
#include <string.h>

static inline fm_date D(const char *s)
{
    fm_date d = 0;
    assert_int_equal(fm_date_parse(s, &d, NULL), FM_OK);
    return d;
}

/* An 18-character number for area, birth "YYYYMMDD" and sequence; the check character is computed here
 * with its own code, so the tests do not trust fm_idnum to build what it checks. */
static inline void make_id(char out[19], const char *area, const char *birth, int seq)
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    snprintf(out, 19, "%.6s%.8s%03d", area, birth, seq % 1000);
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (out[i] - '0') * w[i];
    out[17] = "10X98765432"[sum % 11];
    out[18] = '\0';
}

/* The shipped sample catalogue (schemas/plans); tests may change a plan of their own copy. */
static inline fm_plan_catalogue *load_samples(void)
{
    fm_plan_catalogue *cat = NULL;
    fm_error err;
    fm_error_clear(&err);
    if (fm_plan_catalogue_load(FM_TEST_PLANS, &cat, &err) != FM_OK)
        print_error("catalogue: %s %s\n", err.code, err.text);
    assert_non_null(cat);
    return cat;
}

static inline fm_plan *sample_plan(fm_plan_catalogue *cat, int year)
{
    fm_plan *p = (fm_plan *)fm_plan_for_year(cat, year);
    assert_non_null(p);
    return p;
}

#endif
