/* elig_people.h — what the database keeps of a listed person: a keyed hash, a mask, birth year and sex. */
#ifndef ELIG_PEOPLE_H
#define ELIG_PEOPLE_H

#include <stdbool.h>

#include "fm_error.h"
#include "fm_idnum.h"
#include "fm_keyring.h"
#include "fm_model.h"
#include "fm_person.h"

/* One member as stored (see fm_person.h for why these cannot be completed into the number). The identity
 * number itself is never kept here; the birth date only while the enrollment is decided. */
typedef struct elig_person {
    bool valid;                  /* the number passed GB 11643 as of the submission day */
    char key[FM_PERSON_KEY_LEN]; /* under the keyring's current key; "" when !valid. New rows get it */
    /* The keys under the keyring's previous keys, searched too (a person keyed before a rotation). */
    char previous[FM_KEYRING_MAX - 1][FM_PERSON_KEY_LEN];
    size_t n_previous;
    char masked[FM_PERSON_MASK_LEN]; /* the officer's mask (last 4 only), also for an invalid number */
    fm_date birth_date;              /* from the number, for the rules; valid only; never stored */
    fm_sex sex;                      /* from the number; valid only */
} elig_person;

/*
 * Reads one identity number (NULL counts as invalid) as of `today`, keyed under every key of ring. An invalid
 * number is not an error: out->valid is false and only the mask is set (the decision rejects the household
 * with INVALID_ID_NUMBER, and the member row keeps no key). FM_OK, or FM_EINVAL when the ring is empty
 * (err says so; *out is then zeroed). Owns nothing.
 */
fm_status elig_person_read(const fm_keyring *ring, const char *id_number, fm_date today, elig_person *out,
                           fm_error *err);

/* The calendar year of a date, as insured_persons.birth_year stores it. */
int elig_year_of(fm_date d);

/* "F" or "M", as insured_persons.sex stores it. */
const char *elig_sex_code(fm_sex sex);

#endif
