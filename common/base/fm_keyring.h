/* fm_keyring.h — the person-key secrets in force: the current one for new records, older ones for lookups. */
#ifndef FM_KEYRING_H
#define FM_KEYRING_H

#include <stdbool.h>
#include <stddef.h>

#include "fm_error.h"
#include "fm_person.h"
#include "fm_settings.h"

#define FM_KEYRING_MAX 4          /* the current key and up to 3 previous ones */
#define FM_KEYRING_SECRET_MAX 256 /* bytes of one secret */

/* The development secret FAMINS_ALLOW_DEV_PERSON_KEY=1 stands in for a missing one. Public: never for data
 * that matters. */
#define FM_KEYRING_DEV_SECRET "famins-local-development-only"

/*
 * Keys in order: keys[0] is the current key (new records are keyed under it), the others previous keys,
 * searched too when a person is looked up (a person keyed under an older key keeps that key: see
 * fm_person.h and services/eligibility/README.md "Rotating the person key"). Plain data, built once at
 * start-up and read-only afterwards; fm_keyring_clear wipes the secrets.
 */
typedef struct fm_keyring_key {
    char id[FM_PERSON_KEY_ID_MAX + 1];
    char secret[FM_KEYRING_SECRET_MAX + 1];
} fm_keyring_key;

typedef struct fm_keyring {
    size_t n;
    fm_keyring_key keys[FM_KEYRING_MAX];
} fm_keyring;

/* A keyring of the one current key. FM_EINVAL (err names FAMINS_PERSON_KEY_ID or FAMINS_PERSON_KEY_SECRET,
 * never the secret) when the id is not [a-z0-9-]{1,16} or the secret is empty or too long. */
fm_status fm_keyring_init(fm_keyring *ring, const char *id, const char *secret, fm_error *err);

/* Adds a previous key. FM_EINVAL on a bad id or secret, an id already in the ring, or a full ring. */
fm_status fm_keyring_add(fm_keyring *ring, const char *id, const char *secret, fm_error *err);

/* Adds the previous keys of text: one "<key id> <secret>" a line (the secret is the rest of the line after
 * the first run of spaces or tabs, trailing spaces and CR dropped), blank lines and '#' comments skipped.
 * FM_EINVAL with err->path "<source>:<line>" and a text that names the line number only. */
fm_status fm_keyring_add_lines(fm_keyring *ring, const char *text, const char *source, fm_error *err);

/*
 * The keyring of the settings: FAMINS_PERSON_KEY_ID with FAMINS_PERSON_KEY_SECRET or the contents of
 * FAMINS_PERSON_KEY_SECRET_FILE (one trailing newline stripped; setting both is an error), then the keys of
 * FAMINS_PERSON_KEY_PREVIOUS_FILE. Without a secret: FM_ECONFIG naming the two settings, unless
 * FAMINS_ALLOW_DEV_PERSON_KEY=1, when the development secret is used and *dev_secret is set true (the
 * caller logs a warning). FM_ECONFIG on any other setting or file problem (err names the setting or the
 * file and line, never a secret). dev_secret may be NULL.
 */
fm_status fm_keyring_from_settings(const fm_settings *settings, fm_keyring *ring, bool *dev_secret,
                                   fm_error *err);

/* The person key of id_number under key i of the ring. FM_EINVAL when i is out of range or the number
 * cannot be keyed (fm_person_key). */
fm_status fm_keyring_person_key(const fm_keyring *ring, size_t i, const char *id_number,
                                char out[FM_PERSON_KEY_LEN]);

/* Wipes the secrets. */
void fm_keyring_clear(fm_keyring *ring);

#endif
