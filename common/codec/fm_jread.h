/* fm_jread.h — reading JSON fields against the event schemas' rules, reporting a precise path and code. */
#ifndef FM_JREAD_H
#define FM_JREAD_H

#include "fm_error.h"
#include "fm_model.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * Every reader takes the enclosing object, the path of that object ("" for the root, "members[2]")
 * and a key (always one of famins' own field names, never one read from the input); on failure it returns
 * FM_EINVAL with err filled as "<path>.<key>" and a stable code
 * (MISSING, WRONG_TYPE, TOO_SHORT, TOO_LONG, BAD_FORMAT, NOT_ONE_OF, NEGATIVE, OUT_OF_RANGE, BAD_DATE,
 * BAD_TIMESTAMP, TOO_MANY, UNKNOWN_FIELD), or FM_ENOMEM. err->text never quotes the value (it may be an
 * identity number), nor a key of the input. Strings returned through char ** are malloc'ed, owned by the
 * caller; they are written only on FM_OK (NULL for a JSON null where null is allowed).
 */

#define FM_JR_PATH_LEN 160

/* Writes "<prefix>.<key>" (or "<key>" at the root) into buf. */
void fm_jr_path(char *buf, size_t len, const char *prefix, const char *key);
/* Writes "<prefix>[<index>]" into buf. */
void fm_jr_index(char *buf, size_t len, const char *prefix, size_t index);

/* Number of Unicode code points of a valid UTF-8 string (what JSON Schema's maxLength counts). */
size_t fm_jr_codepoints(const char *s);

/* The member key of obj; MISSING when absent, and also when null unless nullable (then *out = NULL). */
fm_status fm_jr_value(const json_t *obj, const char *prefix, const char *key, bool nullable, json_t **out,
                      fm_error *err);

/* Character classes for fm_jr_string's BAD_FORMAT check. */
typedef enum fm_jr_charset {
    FM_JR_ANY = 0,
    FM_JR_EVENT_ID, /* [A-Za-z0-9._:-] */
    FM_JR_ID_DASH   /* [A-Za-z0-9-] (household_id, claim_id) */
} fm_jr_charset;

/* A string of min..max code points in charset; nullable allows JSON null (*out = NULL). */
fm_status fm_jr_string(const json_t *obj, const char *prefix, const char *key, size_t min, size_t max,
                       fm_jr_charset charset, bool nullable, char **out, fm_error *err);
fm_status fm_jr_bool(const json_t *obj, const char *prefix, const char *key, bool *out, fm_error *err);
/* An integer (no fraction, no exponent) within min..max; below min reports below_code ("NEGATIVE" for
 * money, "OUT_OF_RANGE" otherwise), above max OUT_OF_RANGE. nullable: *present = false for null. */
fm_status fm_jr_int(const json_t *obj, const char *prefix, const char *key, int64_t min, int64_t max,
                    const char *below_code, bool nullable, bool *present, int64_t *out, fm_error *err);
/* Money in fen: an integer 0..FM_JR_MAX_FEN (NEGATIVE, OUT_OF_RANGE). */
#define FM_JR_MAX_FEN 100000000000LL
fm_status fm_jr_fen(const json_t *obj, const char *prefix, const char *key, bool nullable, bool *present,
                    fm_fen *out, fm_error *err);
/* A "YYYY-MM-DD" date that exists (BAD_DATE); nullable: *present = false for null. */
fm_status fm_jr_date(const json_t *obj, const char *prefix, const char *key, bool nullable, bool *present,
                     fm_date *out, fm_error *err);
/* An RFC 3339 timestamp as the schema spells it (BAD_TIMESTAMP), returned as a copy of the text. */
fm_status fm_jr_timestamp(const json_t *obj, const char *prefix, const char *key, bool nullable, char **out,
                          fm_error *err);
/* True when s is a timestamp in the schema's form: YYYY-MM-DDThh:mm:ss[.f{1,9}](Z|+hh:mm|-hh:mm), real date.
 */
bool fm_jr_timestamp_valid(const char *s);

/* A string among names[0..n) (NOT_ONE_OF); *out = its index. */
fm_status fm_jr_enum(const json_t *obj, const char *prefix, const char *key, const char *const *names,
                     size_t n, int *out, fm_error *err);
/* An array of min..max items (WRONG_TYPE, TOO_SHORT, TOO_MANY). */
fm_status fm_jr_array(const json_t *obj, const char *prefix, const char *key, size_t min, size_t max,
                      json_t **out, fm_error *err);
/* An object (WRONG_TYPE); path is the full path of v. */
fm_status fm_jr_is_object(const json_t *v, const char *path, fm_error *err);
/* UNKNOWN_FIELD for the first key of obj not in known[0..n), reported at prefix (the object's own path,
 * "" for the root): the unknown key itself is never quoted, in the path or the text. */
fm_status fm_jr_no_unknown(const json_t *obj, const char *prefix, const char *const *known, size_t n,
                           fm_error *err);

#endif
