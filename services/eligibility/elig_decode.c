/* elig_decode.c — a Kafka message of enrollment.submitted made into a decoded event, or a dead-letter code. */
#include "elig_decode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fm_decode.h"
#include "fm_sha256.h"

/* The codec's detail becomes the dead letter's text; its code, one of the runtime's dead-letter codes. */
static fm_status dead(fm_error *err, const char *code)
{
    /* code may point into err itself: copy both first. */
    fm_error detail = *err;
    char dead_code[sizeof err->code];
    snprintf(dead_code, sizeof dead_code, "%s", code);
    fm_error_set(err, detail.path, dead_code, "%s: %s: %s", detail.path[0] ? detail.path : "(message)", detail.code,
                 detail.text);
    return FM_EINVAL;
}

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

fm_status elig_decode(const void *payload, size_t len, size_t max_bytes, fm_event *out, fm_error *err)
{
    fm_envelope env;
    json_t *root = NULL;
    fm_enrollment *e = NULL;
    memset(out, 0, sizeof *out);
    /* One parse for the envelope, the body and the content hash. */
    fm_status st = fm_decode_parse(payload, len, max_bytes, &root, err);
    if (st == FM_OK)
        st = fm_decode_envelope_json(root, &env, err);
    if (st == FM_EINVAL) {
        st = dead(err, envelope_code(err));
        goto done;
    }
    if (st != FM_OK)
        goto done;
    if (env.type != FM_EVENT_ENROLLMENT_SUBMITTED) {
        fm_error_set(err, "type", "WRONG_EVENT_TYPE", "%s on the enrollment.submitted topic",
                     fm_event_type_name(env.type));
        st = dead(err, "UNKNOWN_TYPE");
        goto done;
    }
    if ((e = calloc(1, sizeof *e)) == NULL) {
        st = FM_ENOMEM;
        goto done;
    }
    st = fm_decode_enrollment_json(root, e, err);
    if (st != FM_OK) {
        free(e);
        e = NULL;
        if (st == FM_EINVAL)
            st = dead(err, strcmp(err->code, "UNKNOWN_SCHEMA_VERSION") == 0 ? err->code : "SCHEMA_VIOLATION");
        goto done;
    }
    uint8_t digest[FM_SHA256_LEN];
    if ((st = fm_event_content_hash_json(root, digest, err)) != FM_OK) {
        fm_enrollment_free(e);
        free(e);
        e = NULL;
        goto done;
    }
    fm_sha256_to_hex(digest, out->content_hash);
    snprintf(out->event_id, sizeof out->event_id, "%s", env.event_id);
    snprintf(out->type, sizeof out->type, "%s", fm_event_type_name(env.type));
    out->decoded = e;
done:
    json_decref(root);
    return st;
}

void elig_decoded_free(fm_event *event)
{
    if (event == NULL || event->decoded == NULL)
        return;
    fm_enrollment_free(event->decoded);
    free(event->decoded);
    event->decoded = NULL;
}
