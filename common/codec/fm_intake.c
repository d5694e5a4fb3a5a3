/* fm_intake.c — one parse, the envelope, the topic's type, and the codec's errors as dead-letter codes. */
#include "fm_intake.h"

#include <stdio.h>
#include <string.h>

fm_status fm_intake_dead(fm_error *err, const char *code)
{
    /* code may point into err itself: copy both first. */
    fm_error detail = *err;
    char dead_code[sizeof err->code];
    snprintf(dead_code, sizeof dead_code, "%s", code);
    fm_error_set(err, detail.path, dead_code, "%s: %s: %s", detail.path[0] ? detail.path : "(message)",
                 detail.code, detail.text);
    return FM_EINVAL;
}

/* The dead-letter code of an envelope refusal. */
static const char *envelope_code(const fm_error *err)
{
    if (strcmp(err->code, "TOO_LARGE") == 0)
        return "MESSAGE_TOO_LARGE";
    if (strcmp(err->code, "INVALID_JSON") == 0 || strcmp(err->code, "INVALID_UTF8") == 0 ||
        strcmp(err->code, "UNKNOWN_SCHEMA_VERSION") == 0)
        return err->code;
    if (strcmp(err->path, "type") == 0)
        return "UNKNOWN_TYPE";
    return "SCHEMA_VIOLATION";
}

const char *fm_intake_body_code(const fm_error *err)
{
    return strcmp(err->code, "UNKNOWN_SCHEMA_VERSION") == 0 ? "UNKNOWN_SCHEMA_VERSION" : "SCHEMA_VIOLATION";
}

fm_status fm_intake_open_any(const void *payload, size_t len, size_t max_bytes, const fm_event_type *want,
                             size_t n_want, const char *topic, json_t **root, fm_envelope *env, fm_error *err)
{
    fm_status st = fm_decode_parse(payload, len, max_bytes, root, err);
    if (st == FM_OK)
        st = fm_decode_envelope_json(*root, env, err);
    size_t i = 0;
    while (st == FM_OK && i < n_want && env->type != want[i])
        i++;
    if (st == FM_OK && i == n_want) {
        fm_error_set(err, "type", "WRONG_EVENT_TYPE", "%s on the %s topic", fm_event_type_name(env->type),
                     topic);
        st = fm_intake_dead(err, "UNKNOWN_TYPE");
    } else if (st == FM_EINVAL) {
        st = fm_intake_dead(err, envelope_code(err));
    }
    if (st != FM_OK) {
        json_decref(*root);
        *root = NULL;
    }
    return st;
}

fm_status fm_intake_open(const void *payload, size_t len, size_t max_bytes, fm_event_type want,
                         const char *topic, json_t **root, fm_envelope *env, fm_error *err)
{
    return fm_intake_open_any(payload, len, max_bytes, &want, 1, topic, root, env, err);
}
