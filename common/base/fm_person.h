/* fm_person.h — how famins keeps a person without keeping their identity number: a keyed hash and a mask. */
#ifndef FM_PERSON_H
#define FM_PERSON_H

#include <stddef.h>

#include "fm_error.h"

/*
 * What is stored of a person, and why it cannot be completed into the identity number.
 *
 * An identity number (GB 11643) is 18 characters: a 6-digit area code, the birth date YYYYMMDD, a 3-digit
 * sequence (odd for men) and a check character. The database keeps, per person:
 *   - the person key (below): a keyed hash, reversible only by someone holding the secret;
 *   - the mask: the LAST 4 characters only (the sequence and the check character);
 *   - in insured_persons, the birth YEAR (reports count ages) and the sex (already implied by the
 *     sequence in the mask); the policy keeps the managing unit, which may name the area code.
 * The full birth date is not stored anywhere: it is read from the number when the enrollment is decided
 * (the child-age rule uses it inside the decision) and then dropped. So even with the area code taken from
 * the unit, the year and the last 4 leave the month and day open (about 365 dates, of which the check
 * character keeps about one in eleven: some 33 numbers per stored person), and the first 6 characters
 * and the 8-digit birth date never appear in any stored column. Earlier masks kept the first 4 characters
 * too and insured_persons kept the birth date: together they gave the number back; migration 062 cut
 * both.
 */

#define FM_PERSON_KEY_ID_MAX 16 /* a key id is 1 to 16 of [a-z0-9-] */
#define FM_PERSON_HEX_LEN 64    /* HMAC-SHA256 in hex */
/* "<key id>:<64 hex>" and a NUL */
#define FM_PERSON_KEY_LEN (FM_PERSON_KEY_ID_MAX + 1 + FM_PERSON_HEX_LEN + 1)
#define FM_PERSON_MASK_LEN 24

/* 1 when id is a valid key id: 1 to FM_PERSON_KEY_ID_MAX characters of [a-z0-9-]. */
int fm_person_key_id_valid(const char *id);

/* The person key "<key_id>:<hex>": HMAC-SHA256 under the secret of the key named key_id of the identity
 * number with a lowercase check character 'x' folded to 'X'. Matching (one household per person and plan
 * year, claims against insured members) uses it; a plain hash would not do, since identity numbers are few
 * enough to enumerate. The key id says which secret made it, so that the secret can be rotated (see
 * fm_keyring.h). FM_EINVAL when the key id is invalid, the secret is empty, or the number is empty or longer
 * than 32 characters; FM_ENOMEM when libcrypto could not compute the HMAC. */
fm_status fm_person_key(const char *key_id, const char *secret, const char *id_number,
                        char out[FM_PERSON_KEY_LEN]);

/* 1 when key has the form "<valid key id>:<64 lowercase hex>". */
int fm_person_key_valid(const char *key);

/* The masked number a claims officer may show: the last 4 characters, '*' for every other byte
 * ("**************002X"). A number of 8 bytes or fewer, or whose last 4 bytes are not all ASCII letters or
 * digits, is all '*' (a short number would be mostly shown; a cut multi-byte character is not text).
 * At most FM_PERSON_MASK_LEN - 1 bytes (the number's end is kept). Always NUL-terminates. */
void fm_person_mask(const char *id_number, char out[FM_PERSON_MASK_LEN]);

#endif
