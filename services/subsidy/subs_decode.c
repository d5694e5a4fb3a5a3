/* subs_decode.c — a Kafka message of enrollment.decided made into what the ledger needs, or a dead-letter
 * code. */
#include "subs_decode.h"
#include "subs_reversal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fm_decode.h"
#include "fm_intake.h"
#include "fm_sha256.h"

/* Each field of subs_decided holds the decoder's whole: copied, never cut. */
#define COPY_FIELD(dst, src)                                                                                 \
    do {                                                                                                     \
        _Static_assert(sizeof(dst) >= sizeof(src), "subs_decided." #dst " is smaller than the decoder's");   \
        memcpy((dst), (src), sizeof(src));                                                                   \
    } while (0)

fm_status subs_decode(const void *payload, size_t len, size_t max_bytes, fm_event *out, fm_error *err)
{
    fm_envelope env;
    json_t *root = NULL;
    memset(out, 0, sizeof *out);
    /* One parse for the envelope, the body and the content hash. */
    /* The topic carries the household's decisions: its enrollment's, then its policy changes' (issue 16). */
    static const fm_event_type types[] = {FM_EVENT_ENROLLMENT_DECIDED, FM_EVENT_POLICY_CHANGE_DECIDED};
    fm_status st =
        fm_intake_open_any(payload, len, max_bytes, types, 2, "enrollment.decided", &root, &env, err);
    if (st != FM_OK)
        return st;
    if (env.type == FM_EVENT_POLICY_CHANGE_DECIDED) {
        st = subs_reversal_decode(root, &env, out, err);
        goto done;
    }
    fm_enrollment_decided ed;
    if ((st = fm_decode_enrollment_decided_json(root, &ed, err)) != FM_OK) {
        if (st == FM_EINVAL)
            st = fm_intake_dead(err, fm_intake_body_code(err));
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
    COPY_FIELD(d->event_id, ed.event_id);
    COPY_FIELD(d->household_id, ed.household_id);
    d->plan_year = ed.plan_year;
    COPY_FIELD(d->managing_unit, ed.managing_unit);
    COPY_FIELD(d->policy_number, ed.policy_number);
    COPY_FIELD(d->plan_version, ed.plan_version);
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
