/* fm_jread.c — reading JSON fields against the event schemas' rules, reporting a precise path and code. */
#include "fm_jread.h"

#include "fm_dates.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fm_jr_path(char *buf, size_t len, const char *prefix, const char *key)
{
    if (prefix == NULL || prefix[0] == '\0')
        snprintf(buf, len, "%s", key);
    else
        snprintf(buf, len, "%s.%s", prefix, key);
}

void fm_jr_index(char *buf, size_t len, const char *prefix, size_t index)
{
    snprintf(buf, len, "%s[%zu]", prefix ? prefix : "", index);
}

size_t fm_jr_codepoints(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80)
            n++;
    return n;
}

static const char *type_word(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number with a fraction or exponent";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "something else";
}

fm_status fm_jr_value(const json_t *obj, const char *prefix, const char *key, bool nullable, json_t **out,
                      fm_error *err)
{
    char path[FM_JR_PATH_LEN];
    json_t *v = json_object_get(obj, key);
    if (v == NULL || (json_is_null(v) && !nullable)) {
        fm_jr_path(path, sizeof path, prefix, key);
        fm_error_set(err, path, "MISSING", "%s is required%s", path, v ? " and may not be null" : "");
        return FM_EINVAL;
    }
    *out = json_is_null(v) ? NULL : v;
    return FM_OK;
}

static fm_status wrong_type(const json_t *v, const char *prefix, const char *key, const char *want,
                            fm_error *err)
{
    char path[FM_JR_PATH_LEN];
    fm_jr_path(path, sizeof path, prefix, key);
    fm_error_set(err, path, "WRONG_TYPE", "%s must be %s, not %s", path, want, type_word(v));
    return FM_EINVAL;
}

static bool charset_ok(const char *s, fm_jr_charset charset)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        bool alnum = (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');
        switch (charset) {
        case FM_JR_ANY: return true;
        case FM_JR_EVENT_ID:
            if (!alnum && *p != '.' && *p != '_' && *p != ':' && *p != '-')
                return false;
            break;
        case FM_JR_ID_DASH:
            if (!alnum && *p != '-')
                return false;
            break;
        }
    }
    return true;
}

fm_status fm_jr_string(const json_t *obj, const char *prefix, const char *key, size_t min, size_t max,
                       fm_jr_charset charset, bool nullable, char **out, fm_error *err)
{
    char path[FM_JR_PATH_LEN];
    json_t *v;
    fm_status st = fm_jr_value(obj, prefix, key, nullable, &v, err);
    if (st != FM_OK)
        return st;
    if (v == NULL) {
        *out = NULL;
        return FM_OK;
    }
    if (!json_is_string(v))
        return wrong_type(v, prefix, key, "a string", err);
    const char *s = json_string_value(v);
    size_t n = fm_jr_codepoints(s);
    fm_jr_path(path, sizeof path, prefix, key);
    if (n < min) {
        fm_error_set(err, path, "TOO_SHORT", "%s must have at least %zu characters", path, min);
        return FM_EINVAL;
    }
    if (n > max) {
        fm_error_set(err, path, "TOO_LONG", "%s has %zu characters, at most %zu allowed", path, n, max);
        return FM_EINVAL;
    }
    if (!charset_ok(s, charset)) {
        fm_error_set(err, path, "BAD_FORMAT", "%s has a character outside %s", path,
                     charset == FM_JR_EVENT_ID ? "[A-Za-z0-9._:-]" : "[A-Za-z0-9-]");
        return FM_EINVAL;
    }
    char *copy = strdup(s);
    if (copy == NULL) {
        fm_error_set(err, path, "NO_MEMORY", "out of memory");
        return FM_ENOMEM;
    }
    *out = copy;
    return FM_OK;
}

fm_status fm_jr_bool(const json_t *obj, const char *prefix, const char *key, bool *out, fm_error *err)
{
    json_t *v;
    fm_status st = fm_jr_value(obj, prefix, key, false, &v, err);
    if (st != FM_OK)
        return st;
    if (!json_is_boolean(v))
        return wrong_type(v, prefix, key, "true or false", err);
    *out = json_is_true(v);
    return FM_OK;
}

fm_status fm_jr_int(const json_t *obj, const char *prefix, const char *key, int64_t min, int64_t max,
                    const char *below_code, bool nullable, bool *present, int64_t *out, fm_error *err)
{
    char path[FM_JR_PATH_LEN];
    json_t *v;
    fm_status st = fm_jr_value(obj, prefix, key, nullable, &v, err);
    if (st != FM_OK)
        return st;
    if (v == NULL) {
        if (present)
            *present = false;
        return FM_OK;
    }
    /* 250000.0 is refused: amounts are exact integers and the contract says to write them so. */
    if (!json_is_integer(v))
        return wrong_type(v, prefix, key, "an integer", err);
    json_int_t x = json_integer_value(v);
    fm_jr_path(path, sizeof path, prefix, key);
    if (x < min) {
        fm_error_set(err, path, below_code, "%s is below %" PRId64, path, min);
        return FM_EINVAL;
    }
    if (x > max) {
        fm_error_set(err, path, "OUT_OF_RANGE", "%s is above %" PRId64, path, max);
        return FM_EINVAL;
    }
    if (present)
        *present = true;
    *out = (int64_t)x;
    return FM_OK;
}

fm_status fm_jr_fen(const json_t *obj, const char *prefix, const char *key, bool nullable, bool *present,
                    fm_fen *out, fm_error *err)
{
    int64_t x = 0;
    bool here = false;
    fm_status st = fm_jr_int(obj, prefix, key, 0, FM_JR_MAX_FEN, "NEGATIVE", nullable, &here, &x, err);
    if (st != FM_OK)
        return st;
    if (present)
        *present = here;
    if (here)
        *out = x;
    return FM_OK;
}

fm_status fm_jr_date(const json_t *obj, const char *prefix, const char *key, bool nullable, bool *present,
                     fm_date *out, fm_error *err)
{
    char path[FM_JR_PATH_LEN];
    json_t *v;
    fm_status st = fm_jr_value(obj, prefix, key, nullable, &v, err);
    if (st != FM_OK)
        return st;
    if (v == NULL) {
        if (present)
            *present = false;
        return FM_OK;
    }
    if (!json_is_string(v))
        return wrong_type(v, prefix, key, "a date string YYYY-MM-DD", err);
    fm_date d;
    if (fm_date_parse(json_string_value(v), &d, NULL) != FM_OK) {
        fm_jr_path(path, sizeof path, prefix, key);
        fm_error_set(err, path, "BAD_DATE", "%s must be an existing date YYYY-MM-DD", path);
        return FM_EINVAL;
    }
    if (present)
        *present = true;
    *out = d;
    return FM_OK;
}

static bool digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int num(const char *s, int n)
{
    int x = 0;
    for (int i = 0; i < n; i++)
        x = x * 10 + (s[i] - '0');
    return x;
}

bool fm_jr_timestamp_valid(const char *s)
{
    size_t len = strlen(s);
    if (len < 20 || len > 40)
        return false;
    /* YYYY-MM-DDThh:mm:ss */
    if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2) ||
        s[10] != 'T' || !digits(s + 11, 2) || s[13] != ':' || !digits(s + 14, 2) || s[16] != ':' ||
        !digits(s + 17, 2))
        return false;
    if (!fm_date_valid(num(s, 4), num(s + 5, 2), num(s + 8, 2)))
        return false;
    if (num(s + 11, 2) > 23 || num(s + 14, 2) > 59 || num(s + 17, 2) > 60)
        return false;
    const char *p = s + 19;
    if (*p == '.') {
        int n = 0;
        for (p++; *p >= '0' && *p <= '9'; p++)
            n++;
        if (n < 1 || n > 9)
            return false;
    }
    if (p[0] == 'Z')
        return p[1] == '\0';
    if ((p[0] != '+' && p[0] != '-') || !digits(p + 1, 2) || p[3] != ':' || !digits(p + 4, 2) || p[6] != '\0')
        return false;
    return num(p + 1, 2) <= 23 && num(p + 4, 2) <= 59;
}

fm_status fm_jr_timestamp(const json_t *obj, const char *prefix, const char *key, bool nullable, char **out,
                          fm_error *err)
{
    char path[FM_JR_PATH_LEN];
    json_t *v;
    fm_status st = fm_jr_value(obj, prefix, key, nullable, &v, err);
    if (st != FM_OK)
        return st;
    if (v == NULL) {
        *out = NULL;
        return FM_OK;
    }
    if (!json_is_string(v))
        return wrong_type(v, prefix, key, "an RFC 3339 timestamp string", err);
    fm_jr_path(path, sizeof path, prefix, key);
    if (!fm_jr_timestamp_valid(json_string_value(v))) {
        fm_error_set(err, path, "BAD_TIMESTAMP",
                     "%s must be YYYY-MM-DDThh:mm:ss with an offset (Z or +hh:mm)", path);
        return FM_EINVAL;
    }
    char *copy = strdup(json_string_value(v));
    if (copy == NULL) {
        fm_error_set(err, path, "NO_MEMORY", "out of memory");
        return FM_ENOMEM;
    }
    *out = copy;
    return FM_OK;
}

fm_status fm_jr_enum(const json_t *obj, const char *prefix, const char *key, const char *const *names,
                     size_t n, int *out, fm_error *err)
{
    char path[FM_JR_PATH_LEN];
    json_t *v;
    fm_status st = fm_jr_value(obj, prefix, key, false, &v, err);
    if (st != FM_OK)
        return st;
    if (!json_is_string(v))
        return wrong_type(v, prefix, key, "a string", err);
    for (size_t i = 0; i < n; i++) {
        if (names[i] != NULL && strcmp(json_string_value(v), names[i]) == 0) {
            *out = (int)i;
            return FM_OK;
        }
    }
    fm_jr_path(path, sizeof path, prefix, key);
    fm_error_set(err, path, "NOT_ONE_OF", "%s is not one of the allowed values", path);
    return FM_EINVAL;
}

fm_status fm_jr_array(const json_t *obj, const char *prefix, const char *key, size_t min, size_t max,
                      json_t **out, fm_error *err)
{
    char path[FM_JR_PATH_LEN];
    json_t *v;
    fm_status st = fm_jr_value(obj, prefix, key, false, &v, err);
    if (st != FM_OK)
        return st;
    if (!json_is_array(v))
        return wrong_type(v, prefix, key, "an array", err);
    fm_jr_path(path, sizeof path, prefix, key);
    if (json_array_size(v) < min) {
        fm_error_set(err, path, "TOO_SHORT", "%s must have at least %zu items", path, min);
        return FM_EINVAL;
    }
    if (json_array_size(v) > max) {
        fm_error_set(err, path, "TOO_MANY", "%s has %zu items, at most %zu allowed", path, json_array_size(v),
                     max);
        return FM_EINVAL;
    }
    *out = v;
    return FM_OK;
}

fm_status fm_jr_is_object(const json_t *v, const char *path, fm_error *err)
{
    if (json_is_object(v))
        return FM_OK;
    fm_error_set(err, path, "WRONG_TYPE", "%s must be an object, not %s", path[0] ? path : "the message",
                 type_word(v));
    return FM_EINVAL;
}

fm_status fm_jr_no_unknown(const json_t *obj, const char *prefix, const char *const *known, size_t n,
                           fm_error *err)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        bool found = false;
        for (size_t i = 0; i < n && !found; i++)
            found = strcmp(key, known[i]) == 0;
        if (!found) {
            /* The path is the enclosing object's, never the key: a key is input like a value, and an
             * identity number written as a key must not reach an error text, a log or a .dlq header. */
            const char *where = prefix != NULL ? prefix : "";
            fm_error_set(err, where, "UNKNOWN_FIELD", "%s has an unknown field",
                         where[0] ? where : "the message");
            return FM_EINVAL;
        }
    }
    return FM_OK;
}
