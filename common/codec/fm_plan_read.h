/* fm_plan_read.h — reading the plan catalogue's files (schemas/plans/README.md) into fm_plan structs. */
#ifndef FM_PLAN_READ_H
#define FM_PLAN_READ_H

#include "fm_error.h"
#include "fm_plan.h"

/*
 * Loads every file named plan-*.json in dir. Each file is one plan
 * year (format: schemas/plans/README.md). Refuses, with FM_EINVAL and err naming the file and field:
 * missing or mistyped fields (MISSING_FIELD, WRONG_TYPE), unknown fields (UNKNOWN_FIELD), negative
 * amounts (NEGATIVE_AMOUNT), a subsidy split not adding to 4000 (SPLIT_NOT_4000), a category-A
 * premium below the subsidy (PREMIUM_BELOW_SUBSIDY), an unknown liability/role/document
 * (UNKNOWN_LIABILITY, UNKNOWN_ROLE, UNKNOWN_DOCUMENT), bad dates (BAD_DATE), inconsistent dates
 * (BAD_PERIOD), overlapping plan years or two files for one year (OVERLAPPING_PLAN_YEARS), duplicate
 * unit or disease codes (DUPLICATE_CODE), bad ratios or grades (BAD_RATIO), no file (NO_PLANS).
 * FM_EIO when dir or a file cannot be read, FM_ENOMEM on allocation failure.
 * On FM_OK *out is a new catalogue the caller frees with fm_plan_catalogue_free; otherwise *out is NULL.
 */
fm_status fm_plan_catalogue_load(const char *dir, fm_plan_catalogue **out, fm_error *err);

/* Loads one plan file into a new one-plan catalogue (same checks). */
fm_status fm_plan_catalogue_load_file(const char *path, fm_plan_catalogue **out, fm_error *err);

#endif
