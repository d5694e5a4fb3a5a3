/* subs_apply.c — the subsidy ledger: one accepted category-A decision becomes its payers' rows and an event.
 */
#include "subs_apply.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fm_eligibility.h"
#include "fm_encode.h"
#include "fm_event_id.h"

fm_status subs_event_id(const char *decided_event_id, char out[SUBS_TEXT_LEN])
{
    return fm_derived_event_id(&FM_ID_SUBSIDY_ALLOCATED, decided_event_id, out);
}

void subs_result_free(subs_result *out)
{
    if (out == NULL)
        return;
    free(out->payload);
    memset(out, 0, sizeof *out);
}

static bool split_equal(const fm_subsidy_split *a, const fm_subsidy_split *b)
{
    return a->city == b->city && a->district_or_county == b->district_or_county &&
           a->development_zone == b->development_zone;
}

/* Compares with the catalogue's split of the same plan version; true when they differ. A decision made under
 * another version of the plan year (the catalogue moved on since) is not a mismatch: it keeps its own. */
static bool catalogue_differs(const subs_config *cfg, const subs_decided *d)
{
    const fm_plan *plan = cfg->catalogue ? fm_plan_for_year(cfg->catalogue, d->plan_year) : NULL;
    if (plan == NULL || strcmp(plan->version, d->plan_version) != 0)
        return false;
    const fm_managing_unit *unit = fm_plan_unit(plan, d->managing_unit);
    return unit == NULL || !split_equal(&unit->split, &d->split);
}

static const char *const PAYERS[3] = {"city", "district_or_county", "development_zone"};

fm_status subs_ledger_write(PGconn *conn, const fm_copybuf *ledger, fm_error *err)
{
    return fm_copybuf_send(conn,
                           "COPY famins.subsidy_ledger (source_event_id, household_id, policy_number,"
                           " plan_year, managing_unit, payer, amount, plan_version) FROM STDIN",
                           ledger, err);
}

fm_status subs_apply(fm_copybuf *ledger, const subs_config *cfg, const subs_decided *d,
                     const char *occurred_at, subs_result *out, fm_error *err)
{
    memset(out, 0, sizeof *out);
    if (d->outcome != FM_ENROLLMENT_ACCEPTED || d->category != FM_CATEGORY_A)
        return FM_OK;
    const fm_subsidy_split *s = &d->split;
    if (!d->has_split || s->city < 0 || s->district_or_county < 0 || s->development_zone < 0 ||
        d->subsidy != FM_SUBSIDY_A_FEN ||
        s->city + s->district_or_county + s->development_zone != d->subsidy || d->policy_number[0] == '\0' ||
        d->event_id[0] == '\0') {
        fm_error_set(err, "subsidy_split", "SUBSIDY_INCONSISTENT",
                     "an accepted category-A decision must carry a policy and a split of exactly %d fen",
                     FM_SUBSIDY_A_FEN);
        return FM_EINVAL;
    }
    fm_status st = subs_event_id(d->event_id, out->event_id);
    if (st != FM_OK)
        return st;
    if (catalogue_differs(cfg, d)) {
        out->catalogue_mismatch = true;
        if (cfg->logger != NULL)
            fm_log(cfg->logger, FM_LOG_WARN, "subsidy_split_mismatch",
                   "event_id=%s household_id=%s plan_year=%d managing_unit=%s plan_version=%s booked=%" PRId64
                   "/%" PRId64 "/%" PRId64
                   " reason=\"the decision's split is booked; the catalogue differs\"",
                   d->event_id, d->household_id, d->plan_year, d->managing_unit, d->plan_version, s->city,
                   s->district_or_county, s->development_zone);
    }
    const fm_fen shares[3] = {s->city, s->district_or_county, s->development_zone};
    for (int p = 0; p < 3; p++) {
        if (shares[p] == 0)
            continue; /* a zero share owes nothing and gets no row */
        if (fm_copybuf_text_field(ledger, 1, d->event_id) != FM_OK ||
            fm_copybuf_text_field(ledger, 0, d->household_id) != FM_OK ||
            fm_copybuf_text_field(ledger, 0, d->policy_number) != FM_OK ||
            fm_copybuf_int_field(ledger, 0, d->plan_year) != FM_OK ||
            fm_copybuf_text_field(ledger, 0, d->managing_unit) != FM_OK ||
            fm_copybuf_text_field(ledger, 0, PAYERS[p]) != FM_OK ||
            fm_copybuf_int_field(ledger, 0, shares[p]) != FM_OK ||
            fm_copybuf_text_field(ledger, 0, d->plan_version) != FM_OK || fm_copybuf_end_row(ledger) != FM_OK)
            return FM_ENOMEM;
    }

    /* The encoder reads the household, plan year and unit from the enrollment and the amounts from the
     * decision: both are filled from the decided event (borrowed strings; e is never freed). */
    fm_enrollment e = {0};
    fm_enrollment_decision dec = {0};
    e.household_id = (char *)d->household_id;
    e.managing_unit = (char *)d->managing_unit;
    e.plan_year = d->plan_year;
    dec.outcome = FM_ENROLLMENT_ACCEPTED;
    dec.category = FM_CATEGORY_A;
    dec.subsidy = d->subsidy;
    dec.subsidy_split = d->split;
    st = fm_encode_subsidy_allocated(&e, &dec, d->event_id, out->event_id, occurred_at, &out->payload);
    if (st != FM_OK) {
        fm_error_set(err, "", "ENCODE", "the subsidy.allocated event could not be written (%s)",
                     fm_status_name(st));
        return st;
    }
    out->allocated = true;
    return FM_OK;
}
