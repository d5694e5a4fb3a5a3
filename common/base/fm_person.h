/* fm_person.h — how famins keeps a person without keeping their identity number: a keyed hash and a mask. */
#ifndef FM_PERSON_H
#define FM_PERSON_H

#include <stddef.h>

#include "fm_error.h"

#define FM_PERSON_KEY_LEN 65   /* 64 hex characters and a NUL */
#define FM_PERSON_MASK_LEN 24

/* The person key: HMAC-SHA256 under the deployment's secret (FAMINS_PERSON_KEY_SECRET) of the identity
 * number with a lowercase check character 'x' folded to 'X'. Matching (one household per person and plan year,
 * claims against insured members) uses it; a plain hash would not do, since identity numbers are few enough
 * to enumerate. FM_EINVAL when the secret is empty or the number is empty or longer than 32 characters. */
fm_status fm_person_key(const char *secret, const char *id_number, char out[FM_PERSON_KEY_LEN]);

/* The masked number a claims officer may show: the first 4 and last 4 characters, '*' between
 * ("6101**********002X"); a number of 8 characters or fewer is all '*'. Always NUL-terminates. */
void fm_person_mask(const char *id_number, char out[FM_PERSON_MASK_LEN]);

#endif
