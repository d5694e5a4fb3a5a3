/* elig_decode.c — a Kafka message of enrollment.submitted made into a decoded event, or a dead-letter code.
 */
#include "elig_decode.h"
#include "elig_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fm_decode.h"
#include "fm_intake.h"
#include "fm_sha256.h"

fm_status elig_decode(const void *payload, size_t len, size_t max_bytes, fm_event *out, fm_error *err)
{
    fm_envelope env;
    json_t *root = NULL;
    fm_enrollment *e = NULL;
    memset(out, 0, sizeof *out);
    /* One parse for the envelope, the body and the content hash. */
    /* The topic carries the household's events: its enrollment and, after it, its policy's changes. */
    static const fm_event_type types[] = {FM_EVENT_ENROLLMENT_SUBMITTED,  FM_EVENT_POLICY_MEMBER_ADDED,
                                          FM_EVENT_POLICY_MEMBER_REMOVED, FM_EVENT_POLICY_CANCELLED,
                                          FM_EVENT_POLICY_PREMIUM_PAID,   FM_EVENT_POLICY_PREMIUM_REFUNDED};
    fm_status st = fm_intake_open_any(payload, len, max_bytes, types, sizeof types / sizeof types[0],
                                      "enrollment.submitted", &root, &env, err);
    if (st != FM_OK)
        return st;
    if (env.type != FM_EVENT_ENROLLMENT_SUBMITTED) { /* issue 16: elig_policy.c */
        st = elig_policy_decode(root, &env, out, err);
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
            st = fm_intake_dead(err, fm_intake_body_code(err));
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
    if (elig_policy_is_change(event)) {
        elig_policy_decoded_free(event);
        return;
    }
    fm_enrollment_free(event->decoded);
    free(event->decoded);
    event->decoded = NULL;
}
