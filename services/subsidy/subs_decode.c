/* subs_decode.c — a Kafka message of enrollment.decided made into what the ledger needs, or a dead-letter code. */
#include "subs_decode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fm_decode.h"
#include "fm_sha256.h"

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

fm_status subs_decode(const void *payload, size_t len, size_t max_bytes, fm_event *out, fm_error *err)
{
    fm_envelope env;
    json_t *root = NULL;
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
    if (env.type != FM_EVENT_ENROLLMENT_DECIDED) {
        fm_error_set(err, "type", "WRONG_EVENT_TYPE", "%s on the enrollment.decided topic",
                     fm_event_type_name(env.type));
        st = dead(err, "UNKNOWN_TYPE");
        goto done;
    }
    fm_enrollment_decided ed;
    if ((st = fm_decode_enrollment_decided_json(root, &ed, err)) != FM_OK) {
        if (st == FM_EINVAL)
            st = dead(err, "SCHEMA_VIOLATION");
        goto done;
    }
    uint8_t digest[FM_SHA256_LEN];
    if ((st = fm_event_content_hash_json(root, digest, err)) != FM_OK)
        goto done;
    subs_decided *d = calloc(1, sizeof *d);
    if (d == NULL) {
        st = FM_ENOMEM;
        goto done;
    }
    snprintf(d->event_id, sizeof d->event_id, "%s", ed.event_id);
    snprintf(d->household_id, sizeof d->household_id, "%s", ed.household_id);
    d->plan_year = ed.plan_year;
    snprintf(d->managing_unit, sizeof d->managing_unit, "%s", ed.managing_unit);
    snprintf(d->policy_number, sizeof d->policy_number, "%s", ed.policy_number);
    snprintf(d->plan_version, sizeof d->plan_version, "%s", ed.plan_version);
    d->outcome = ed.outcome;
    d->category = ed.category;
    d->subsidy = ed.subsidy;
    d->has_split = ed.has_split;
    d->split = ed.split;
    fm_sha256_to_hex(digest, out->content_hash);
    snprintf(out->event_id, sizeof out->event_id, "%s", env.event_id);
    snprintf(out->type, sizeof out->type, "%s", fm_event_type_name(env.type));
    out->decoded = d;
done:
    json_decref(root);
    return st;
}

void subs_decoded_free(fm_event *event)
{
    if (event == NULL)
        return;
    free(event->decoded);
    event->decoded = NULL;
}
