/* subs_reversal.c — subsidy reversals (issue 16): negative ledger rows split like the allocation. */
#include "subs_reversal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fm_encode_policy.h"
#include "fm_event_id.h"
#include "fm_intake.h"
#include "fm_sha256.h"

/* Its own format, so that a reversal's id never meets an allocation's ("sub-") or a decision's ("dec-"). */
static const fm_derived_id_format SUBSIDY_REVERSED_ID = {.prefix = "rev-",
                                                         .hashed_prefix = "revh-",
                                                         .basis1 = 0xcbf29ce484222325ULL,
                                                         .basis2 = 0x84222325cbf29ce4ULL,
                                                         .add2 = 0x9e3779b97f4a7c15ULL,
                                                         .tail = 26};

bool subs_reversal_is_change(const fm_event *event)
{
    return strcmp(event->type, "policy.change_decided") == 0;
}

fm_status subs_reversal_event_id(const char *decided_event_id, char out[SUBS_TEXT_LEN])
{
    _Static_assert(SUBS_TEXT_LEN >= FM_EVENT_ID_LEN + 1, "an event id fits");
    return fm_derived_event_id(&SUBSIDY_REVERSED_ID, decided_event_id, out);
}

fm_status subs_reversal_decode(const json_t *root, const fm_envelope *env, fm_event *out, fm_error *err)
{
    fm_policy_change_decided *d = calloc(1, sizeof *d);
    if (d == NULL)
        return FM_ENOMEM;
    fm_status st = fm_decode_policy_change_decided_json(root, d, err);
    uint8_t digest[FM_SHA256_LEN];
    if (st == FM_OK)
        st = fm_event_content_hash_json(root, digest, err);
    if (st != FM_OK) {
        free(d);
        return st == FM_EINVAL ? fm_intake_dead(err, fm_intake_body_code(err)) : st;
    }
    fm_sha256_to_hex(digest, out->content_hash);
    snprintf(out->event_id, sizeof out->event_id, "%s", env->event_id);
    snprintf(out->type, sizeof out->type, "%s", fm_event_type_name(env->type));
    out->decoded = d;
    return FM_OK;
}

void subs_reversal_result_free(subs_reversal_result *r)
{
    if (r == NULL)
        return;
    free(r->payload);
    memset(r, 0, sizeof *r);
}

static fm_status inconsistent(fm_error *err, const char *what)
{
    fm_error_set(err, "subsidy_reversal", "SUBSIDY_INCONSISTENT", "%s", what);
    return FM_EINVAL;
}

fm_status subs_reversal_apply(fm_copybuf *rows, const fm_policy_change_decided *d, const char *occurred_at,
                              subs_reversal_result *out, fm_error *err)
{
    memset(out, 0, sizeof *out);
    if (!d->accepted || d->reversal_amount == 0)
        return FM_OK;
    const fm_subsidy_split *s = &d->split;
    if (s->city + s->district_or_county + s->development_zone != FM_SUBSIDY_A_FEN)
        return inconsistent(err, "the allocation's split does not add up to 4000");
    if (fm_subsidy_reversal_split(s, d->reversed_before, d->reversal_amount, &out->rows) != FM_OK)
        return inconsistent(err, "the reversal exceeds what remains of the subsidy");
    static const char *const payers[3] = {"city", "district_or_county", "development_zone"};
    const fm_fen amounts[3] = {out->rows.city, out->rows.district_or_county, out->rows.development_zone};
    fm_status st = FM_OK;
    for (int i = 0; i < 3 && st == FM_OK; i++) {
        if (amounts[i] == 0)
            continue; /* a payer with nothing reversed gets no row, as a zero share gets no allocation row */
        char amount[32];
        snprintf(amount, sizeof amount, "%" PRId64, -amounts[i]);
        if ((st = fm_copybuf_text_field(rows, 1, d->event_id)) == FM_OK &&
            (st = fm_copybuf_text_field(rows, 0, d->household_id)) == FM_OK &&
            (st = fm_copybuf_text_field(rows, 0, d->policy_number)) == FM_OK) {
            char year[16];
            snprintf(year, sizeof year, "%d", d->plan_year);
            if ((st = fm_copybuf_text_field(rows, 0, year)) == FM_OK &&
                (st = fm_copybuf_text_field(rows, 0, d->managing_unit)) == FM_OK &&
                (st = fm_copybuf_text_field(rows, 0, payers[i])) == FM_OK &&
                (st = fm_copybuf_text_field(rows, 0, amount)) == FM_OK &&
                (st = fm_copybuf_text_field(rows, 0, d->plan_version)) == FM_OK &&
                (st = fm_copybuf_text_field(rows, 0, "reversal")) == FM_OK &&
                (st = fm_copybuf_text_field(rows, 0, fm_reversal_reason_name(d->reversal_reason))) == FM_OK)
                st = fm_copybuf_end_row(rows);
        }
    }
    if (st != FM_OK)
        return st;
    if ((st = subs_reversal_event_id(d->event_id, out->event_id)) != FM_OK ||
        (st = fm_encode_subsidy_reversed(d, &out->rows, out->event_id, occurred_at, &out->payload)) !=
            FM_OK) {
        subs_reversal_result_free(out);
        return st == FM_EINVAL ? inconsistent(err, "the reversal cannot be encoded") : st;
    }
    out->reversed = true;
    return FM_OK;
}

fm_status subs_reversal_write(PGconn *conn, const fm_copybuf *rows, fm_error *err)
{
    return fm_copybuf_send(
        conn,
        "COPY famins.subsidy_ledger (source_event_id, household_id, policy_number, plan_year,"
        " managing_unit, payer, amount, plan_version, entry_kind, reversal_reason) FROM STDIN",
        rows, err);
}
