/* fm_encode_policy.c — the JSON of policy.change_decided and subsidy.reversed (issue 16). */
#include "fm_encode_policy.h"

#include "fm_canon.h"
#include "fm_dates.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* json_object_set_new that counts a failure (a NULL value included) instead of returning it. */
static int set(json_t *o, const char *k, json_t *v)
{
    return v == NULL || json_object_set_new(o, k, v) != 0;
}

static json_t *date_or_null(bool present, fm_date d)
{
    char buf[FM_DATE_TEXT_LEN];
    if (!present || fm_date_format(d, buf, sizeof buf) != FM_OK)
        return json_null();
    return json_string(buf);
}

static json_t *category(fm_category c)
{
    return c == FM_CATEGORY_NONE ? json_null() : json_string(fm_category_name(c));
}

fm_reversal_reason fm_policy_reversal_reason(const fm_policy_change_record *r)
{
    if (r->decision->subsidy_reversal <= 0)
        return FM_REVERSAL_NONE;
    return r->event->kind == FM_CHANGE_CANCELLED ? FM_REVERSAL_CANCELLED : FM_REVERSAL_CATEGORY_A_LOST;
}

/* "member_added accepted: ...; premium difference 246 fen ..." in English or Chinese. */
static json_t *explanation(const fm_policy_change_record *r)
{
    const fm_policy_change_decision *d = r->decision;
    char en[1000], zh[1000];
    static const char *const zh_kind[FM_CHANGE_KIND_COUNT] = {"增加被保险人", "减少被保险人", "退保",
                                                              "缴纳保费", "退还保费"};
    int n = snprintf(en, sizeof en, "%s %s", fm_change_kind_name(r->event->kind),
                     d->accepted ? "accepted" : "refused");
    int m = snprintf(zh, sizeof zh, "%s%s", zh_kind[r->event->kind], d->accepted ? "已受理" : "不予受理");
    for (size_t i = 0; i < d->n_reasons; i++) {
        n += snprintf(en + n, sizeof en - (size_t)n, "%s%s", i ? "; " : ": ",
                      fm_reason_label_en(d->reasons[i]));
        m += snprintf(zh + m, sizeof zh - (size_t)m, "%s%s", i ? "；" : "：",
                      fm_reason_label_zh(d->reasons[i]));
        if (n >= (int)sizeof en - 200 || m >= (int)sizeof zh - 200)
            break;
    }
    if (d->accepted && (d->premium_delta != 0 || d->refund != 0 || d->subsidy_reversal != 0)) {
        snprintf(en + n, sizeof en - (size_t)n,
                 ". Premium difference %lld fen, refund %lld fen, subsidy reversed %lld fen.",
                 (long long)d->premium_delta, (long long)d->refund, (long long)d->subsidy_reversal);
        snprintf(zh + m, sizeof zh - (size_t)m, "。保费差额%lld分，退费%lld分，冲回补贴%lld分。",
                 (long long)d->premium_delta, (long long)d->refund, (long long)d->subsidy_reversal);
    }
    json_t *o = json_object();
    if (o != NULL && (set(o, "en", json_string(en)) || set(o, "zh", json_string(zh)))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

fm_status fm_policy_change_json(const fm_policy_change_record *r, bool labels, json_t **out)
{
    const fm_policy_change_decision *d = r->decision;
    const fm_policy_state *st = r->before;
    *out = NULL;
    json_t *b = json_object(), *reasons = json_array(), *rev = json_object(), *split = json_object();
    int bad = (b == NULL) + (reasons == NULL) + (rev == NULL) + (split == NULL);
    if (bad) {
        json_decref(b);
        json_decref(reasons);
        json_decref(rev);
        json_decref(split);
        return FM_ENOMEM;
    }
    for (size_t i = 0; i < d->n_reasons; i++) {
        json_t *x;
        if (labels) {
            x = json_object();
            if (x != NULL) {
                bad += set(x, "code", json_string(fm_reason_id(d->reasons[i])));
                bad += set(x, "en", json_string(fm_reason_label_en(d->reasons[i])));
                bad += set(x, "zh", json_string(fm_reason_label_zh(d->reasons[i])));
            }
        } else {
            x = json_string(fm_reason_id(d->reasons[i]));
        }
        bad += x == NULL || json_array_append_new(reasons, x) != 0;
    }
    bool added = r->event->kind == FM_CHANGE_MEMBER_ADDED,
         removed = r->event->kind == FM_CHANGE_MEMBER_REMOVED;
    bad += set(b, "source_event_id", json_string(r->event->event_id));
    bad += set(b, "change", json_string(fm_change_kind_name(r->event->kind)));
    bad += set(b, "household_id", json_string(r->event->household_id));
    bad += set(b, "plan_year", json_integer(r->event->plan_year));
    bad += set(b, "managing_unit", json_string(r->managing_unit ? r->managing_unit : ""));
    bad += set(b, "policy_number", r->policy_number ? json_string(r->policy_number) : json_null());
    bad += set(b, "outcome", json_string(d->accepted ? "accepted" : "refused"));
    bad += set(b, "reasons", reasons);
    bad += set(b, "effective_on", date_or_null(true, r->event->effective_on));
    bad += set(b, "category_before", category(st->exists ? st->category : FM_CATEGORY_NONE));
    bad += set(b, "category_after", category(st->exists ? d->category_after : FM_CATEGORY_NONE));
    bad += set(b, "member_index", r->member_index >= 0 ? json_integer(r->member_index) : json_null());
    bad += set(b, "member_covered_from", date_or_null(d->accepted && added, d->member_covered_from));
    bad += set(b, "member_covered_to", date_or_null(d->accepted && (added || removed), d->member_covered_to));
    bad += set(b, "premium_after", json_integer(d->premium_after));
    bad += set(b, "premium_delta", json_integer(d->premium_delta));
    bad += set(b, "refund", json_integer(d->refund));
    bad += set(split, "city", json_integer(st->split.city));
    bad += set(split, "district_or_county", json_integer(st->split.district_or_county));
    bad += set(split, "development_zone", json_integer(st->split.development_zone));
    bad += set(rev, "amount", json_integer(d->subsidy_reversal));
    bad += set(rev, "reason", json_string(fm_reversal_reason_name(fm_policy_reversal_reason(r))));
    bad += set(rev, "reversed_before", json_integer(st->subsidy_reversed));
    bad += set(rev, "split", split);
    bad += set(b, "subsidy_reversal", rev);
    bad += set(b, "plan_version", r->plan_version ? json_string(r->plan_version) : json_null());
    bad += set(b, "explanation", explanation(r));
    if (bad) {
        json_decref(b);
        return FM_ENOMEM;
    }
    *out = b;
    return FM_OK;
}

static fm_status finish(json_t *body, const char *type, const char *event_id, const char *occurred_at,
                        char **json_out)
{
    json_t *o = json_object();
    int bad = (o == NULL);
    const char *key;
    json_t *v;
    if (!bad) {
        bad += set(o, "event_id", json_string(event_id));
        bad += set(o, "type", json_string(type));
        bad += set(o, "schema_version", json_integer(1));
        bad += set(o, "occurred_at", json_string(occurred_at));
        bad += set(o, "producer", json_string(FM_PRODUCER));
        json_object_foreach(body, key, v) bad += set(o, key, json_incref(v));
    }
    json_decref(body);
    if (bad) {
        json_decref(o);
        return FM_ENOMEM;
    }
    /* json_dumps' text, without its per-node loop check (fm_canon.h): every decision passes here. */
    fm_status st = fm_canon_dumps(o, false, json_out);
    json_decref(o);
    return st;
}

fm_status fm_encode_policy_change_decided(const fm_policy_change_record *r, const char *event_id,
                                          const char *occurred_at, char **json_out)
{
    *json_out = NULL;
    if (event_id == NULL || occurred_at == NULL)
        return FM_EINVAL;
    json_t *body = NULL;
    fm_status st = fm_policy_change_json(r, false, &body);
    if (st != FM_OK)
        return st;
    return finish(body, "policy.change_decided", event_id, occurred_at, json_out);
}

fm_status fm_encode_subsidy_reversed(const fm_policy_change_decided *d, const fm_subsidy_split *rows,
                                     const char *event_id, const char *occurred_at, char **json_out)
{
    static const char *const names[3] = {"city", "district_or_county", "development_zone"};
    const fm_fen amounts[3] = {rows->city, rows->district_or_county, rows->development_zone};
    *json_out = NULL;
    if (event_id == NULL || occurred_at == NULL || d->reversal_amount <= 0 || amounts[0] < 0 ||
        amounts[1] < 0 || amounts[2] < 0 || amounts[0] + amounts[1] + amounts[2] != d->reversal_amount)
        return FM_EINVAL;
    json_t *body = json_object(), *payers = json_array();
    int bad = (body == NULL) + (payers == NULL);
    if (bad) {
        json_decref(body);
        json_decref(payers);
        return FM_ENOMEM;
    }
    bad += set(body, "source_event_id", json_string(d->event_id));
    bad += set(body, "household_id", json_string(d->household_id));
    bad += set(body, "plan_year", json_integer(d->plan_year));
    bad += set(body, "managing_unit", json_string(d->managing_unit));
    bad += set(body, "reason", json_string(fm_reversal_reason_name(d->reversal_reason)));
    bad += set(body, "total", json_integer(d->reversal_amount));
    for (int i = 0; i < 3; i++) {
        if (amounts[i] == 0)
            continue;
        json_t *p = json_object();
        if (p != NULL) {
            bad += set(p, "payer", json_string(names[i]));
            bad += set(p, "amount", json_integer(amounts[i]));
        }
        bad += p == NULL || json_array_append_new(payers, p) != 0;
    }
    bad += set(body, "payers", payers);
    if (bad) {
        json_decref(body);
        return FM_ENOMEM;
    }
    return finish(body, "subsidy.reversed", event_id, occurred_at, json_out);
}
