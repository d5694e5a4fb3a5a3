/* elig_people.h — what the database keeps of a listed person: a keyed hash, a mask, birth date and sex. */
#ifndef ELIG_PEOPLE_H
#define ELIG_PEOPLE_H

#include <stdbool.h>

#include "fm_error.h"
#include "fm_idnum.h"
#include "fm_model.h"
#include "fm_person.h"

/* One member as stored. The identity number itself is never kept here. */
typedef struct elig_person {
    bool valid;                       /* the number passed GB 11643 as of the submission day */
    char key[FM_PERSON_KEY_LEN];      /* person key of the canonical number; "" when !valid */
    char masked[FM_PERSON_MASK_LEN];  /* the officer's mask, also for an invalid number */
    fm_date birth_date;               /* from the number; valid only */
    fm_sex sex;                       /* from the number; valid only */
} elig_person;

/*
 * Reads one identity number (NULL counts as invalid) as of `today`. An invalid number is not an error:
 * out->valid is false and only the mask is set (the decision rejects the household with
 * INVALID_ID_NUMBER, and the member row keeps no key). FM_OK, or FM_EINVAL when secret is empty
 * (err says so; *out is then zeroed). Owns nothing.
 */
fm_status elig_person_read(const char *secret, const char *id_number, fm_date today, elig_person *out,
                           fm_error *err);

/* "F" or "M", as insured_persons.sex stores it. */
const char *elig_sex_code(fm_sex sex);

#endif
