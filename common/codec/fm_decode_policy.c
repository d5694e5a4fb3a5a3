/* fm_decode_policy.c — decoders of the policy's life events (issue 16), on the codec's field readers. */
#include "fm_decode_policy.h"

#include "fm_jread.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define ENVELOPE_KEYS "event_id", "type", "schema_version", "occurred_at", "producer"

static const char *const reversal_names[FM_REVERSAL_REASON_COUNT] = {"none", "category_a_lost", "cancelled"};

const char *fm_reversal_reason_name(fm_reversal_reason r)
{
    return (int)r >= 0 && r < FM_REVERSAL_REASON_COUNT ? reversal_names[r] : "?";
}

void fm_policy_event_free(fm_policy_event *e)
{
    if (e == NULL)
        return;
    free(e->id_number);
    free(e->name);
    memset(e, 0, sizeof *e);
}

bool fm_event_type_is_policy_change(fm_event_type t)
{
    return t >= FM_EVENT_POLICY_MEMBER_ADDED && t <= FM_EVENT_POLICY_PREMIUM_REFUNDED;
}

/* Copies a string the reader checked into a fixed buffer that holds its longest value. */
static fm_status read_fixed(const json_t *obj, const char *prefix, const char *key, size_t max,
                            fm_jr_charset cs, char *buf, size_t len, fm_error *err)
{
    char *s = NULL;
    fm_status st = fm_jr_string(obj, prefix, key, 1, max, cs, false, &s, err);
    if (st != FM_OK)
        return st;
    snprintf(buf, len, "%s", s);
    free(s);
    return FM_OK;
}

static fm_status read_common(const json_t *root, fm_policy_event *e, fm_error *err)
{
    int64_t year = 0;
    fm_status st;
    if ((st = read_fixed(root, "", "household_id", 32, FM_JR_ID_DASH, e->household_id, sizeof e->household_id,
                         err)) != FM_OK ||
        (st = fm_jr_int(root, "", "plan_year", 2000, 2100, "OUT_OF_RANGE", false, NULL, &year, err)) !=
            FM_OK ||
        (st = fm_jr_date(root, "", "effective_on", false, NULL, &e->effective_on, err)) != FM_OK)
        return st;
    e->plan_year = (int)year;
    return FM_OK;
}

static fm_status read_member(const json_t *root, fm_policy_event *e, fm_error *err)
{
    static const char *const keys[] = {"role", "id_number", "name"};
    const char *roles[FM_ROLE_COUNT];
    for (int i = 0; i < FM_ROLE_COUNT; i++)
        roles[i] = fm_role_name((fm_role)i);
    json_t *m = NULL;
    int role = 0;
    fm_status st;
    if ((st = fm_jr_value(root, "", "member", false, &m, err)) != FM_OK ||
        (st = fm_jr_is_object(m, "member", err)) != FM_OK ||
        (st = fm_jr_enum(m, "member", "role", roles, FM_ROLE_COUNT, &role, err)) != FM_OK ||
        (st = fm_jr_string(m, "member", "id_number", 1, 32, FM_JR_ANY, false, &e->id_number, err)) != FM_OK ||
        (st = fm_jr_string(m, "member", "name", 1, 64, FM_JR_ANY, false, &e->name, err)) != FM_OK)
        return st;
    e->role = (fm_role)role;
    return fm_jr_no_unknown(m, "member", keys, COUNT(keys), err);
}

static fm_status read_money(const json_t *root, fm_policy_event *e, fm_error *err)
{
    int64_t amount = 0;
    fm_status st = fm_jr_int(root, "", "amount", 1, FM_JR_MAX_FEN, "OUT_OF_RANGE", false, NULL, &amount, err);
    if (st != FM_OK)
        return st;
    e->amount = amount;
    return read_fixed(root, "", "reference", 64, FM_JR_ANY, e->reference, sizeof e->reference, err);
}

static fm_status read_event(const json_t *root, fm_policy_event *e, fm_error *err)
{
    static const char *const added[] = {ENVELOPE_KEYS, "household_id", "plan_year", "effective_on", "member"};
    static const char *const removed[] = {ENVELOPE_KEYS, "household_id", "plan_year", "effective_on",
                                          "id_number"};
    static const char *const cancelled[] = {ENVELOPE_KEYS, "household_id", "plan_year", "effective_on"};
    static const char *const money[] = {ENVELOPE_KEYS,  "household_id", "plan_year",
                                        "effective_on", "amount",       "reference"};
    fm_status st = read_common(root, e, err);
    if (st != FM_OK)
        return st;
    switch (e->type) {
    case FM_EVENT_POLICY_MEMBER_ADDED:
        e->kind = FM_CHANGE_MEMBER_ADDED;
        if ((st = read_member(root, e, err)) != FM_OK)
            return st;
        return fm_jr_no_unknown(root, "", added, COUNT(added), err);
    case FM_EVENT_POLICY_MEMBER_REMOVED:
        e->kind = FM_CHANGE_MEMBER_REMOVED;
        if ((st = fm_jr_string(root, "", "id_number", 1, 32, FM_JR_ANY, false, &e->id_number, err)) != FM_OK)
            return st;
        return fm_jr_no_unknown(root, "", removed, COUNT(removed), err);
    case FM_EVENT_POLICY_CANCELLED:
        e->kind = FM_CHANGE_CANCELLED;
        return fm_jr_no_unknown(root, "", cancelled, COUNT(cancelled), err);
    default:
        e->kind =
            e->type == FM_EVENT_POLICY_PREMIUM_PAID ? FM_CHANGE_PREMIUM_PAID : FM_CHANGE_PREMIUM_REFUNDED;
        if ((st = read_money(root, e, err)) != FM_OK)
            return st;
        return fm_jr_no_unknown(root, "", money, COUNT(money), err);
    }
}

/* The envelope, and the type among `want` (or any policy change when want is the count). */
static fm_status check_envelope(const json_t *root, fm_event_type want, fm_envelope *env, fm_error *err)
{
    fm_status st = fm_decode_envelope_json(root, env, err);
    if (st != FM_OK)
        return st;
    bool ok = want == FM_EVENT_TYPE_COUNT ? fm_event_type_is_policy_change(env->type) : env->type == want;
    if (!ok) {
        fm_error_set(err, "type", "WRONG_EVENT_TYPE", "expected a policy event, got %s",
                     fm_event_type_name(env->type));
        return FM_EINVAL;
    }
    return FM_OK;
}

fm_status fm_decode_policy_event_json(const json_t *root, fm_policy_event *out, fm_error *err)
{
    memset(out, 0, sizeof *out);
    fm_envelope env;
    fm_status st = check_envelope(root, FM_EVENT_TYPE_COUNT, &env, err);
    if (st == FM_OK) {
        snprintf(out->event_id, sizeof out->event_id, "%s", env.event_id);
        out->type = env.type;
        st = read_event(root, out, err);
    }
    if (st != FM_OK) {
        if (st == FM_ENOMEM)
            fm_error_set(err, "", "NO_MEMORY", "out of memory");
        fm_policy_event_free(out);
    }
    return st;
}

fm_status fm_decode_policy_event(const char *buf, size_t len, fm_policy_event *out, fm_error *err)
{
    json_t *root = NULL;
    memset(out, 0, sizeof *out);
    fm_status st = fm_decode_parse(buf, len, 0, &root, err);
    if (st != FM_OK)
        return st;
    st = fm_decode_policy_event_json(root, out, err);
    json_decref(root);
    return st;
}

static fm_status read_split(const json_t *obj, const char *prefix, fm_subsidy_split *s, fm_error *err)
{
    static const char *const keys[] = {"city", "district_or_county", "development_zone"};
    json_t *v = NULL;
    char path[FM_JR_PATH_LEN];
    fm_jr_path(path, sizeof path, prefix, "split");
    fm_status st;
    if ((st = fm_jr_value(obj, prefix, "split", false, &v, err)) != FM_OK ||
        (st = fm_jr_is_object(v, path, err)) != FM_OK ||
        (st = fm_jr_fen(v, path, "city", false, NULL, &s->city, err)) != FM_OK ||
        (st = fm_jr_fen(v, path, "district_or_county", false, NULL, &s->district_or_county, err)) != FM_OK ||
        (st = fm_jr_fen(v, path, "development_zone", false, NULL, &s->development_zone, err)) != FM_OK)
        return st;
    return fm_jr_no_unknown(v, path, keys, COUNT(keys), err);
}

static fm_status read_reversal(const json_t *root, fm_policy_change_decided *d, fm_error *err)
{
    static const char *const keys[] = {"amount", "reason", "reversed_before", "split"};
    json_t *v = NULL;
    int reason = 0;
    fm_status st;
    if ((st = fm_jr_value(root, "", "subsidy_reversal", false, &v, err)) != FM_OK ||
        (st = fm_jr_is_object(v, "subsidy_reversal", err)) != FM_OK ||
        (st = fm_jr_fen(v, "subsidy_reversal", "amount", false, NULL, &d->reversal_amount, err)) != FM_OK ||
        (st = fm_jr_enum(v, "subsidy_reversal", "reason", reversal_names, FM_REVERSAL_REASON_COUNT, &reason,
                         err)) != FM_OK ||
        (st = fm_jr_fen(v, "subsidy_reversal", "reversed_before", false, NULL, &d->reversed_before, err)) !=
            FM_OK ||
        (st = read_split(v, "subsidy_reversal", &d->split, err)) != FM_OK ||
        (st = fm_jr_no_unknown(v, "subsidy_reversal", keys, COUNT(keys), err)) != FM_OK)
        return st;
    d->reversal_reason = (fm_reversal_reason)reason;
    return FM_OK;
}

fm_status fm_decode_policy_change_decided_json(const json_t *root, fm_policy_change_decided *out,
                                               fm_error *err)
{
    static const char *const outcomes[] = {"accepted", "refused"};
    memset(out, 0, sizeof *out);
    fm_envelope env;
    int change = 0, outcome = 0;
    int64_t year = 0;
    char *policy = NULL;
    const char *kinds[FM_CHANGE_KIND_COUNT];
    for (int i = 0; i < FM_CHANGE_KIND_COUNT; i++)
        kinds[i] = fm_change_kind_name((fm_change_kind)i);
    fm_status st;
    if ((st = check_envelope(root, FM_EVENT_POLICY_CHANGE_DECIDED, &env, err)) != FM_OK)
        return st;
    snprintf(out->event_id, sizeof out->event_id, "%s", env.event_id);
    if ((st = read_fixed(root, "", "source_event_id", 64, FM_JR_EVENT_ID, out->source_event_id,
                         sizeof out->source_event_id, err)) != FM_OK ||
        (st = fm_jr_enum(root, "", "change", kinds, FM_CHANGE_KIND_COUNT, &change, err)) != FM_OK ||
        (st = read_fixed(root, "", "household_id", 32, FM_JR_ID_DASH, out->household_id,
                         sizeof out->household_id, err)) != FM_OK ||
        (st = fm_jr_int(root, "", "plan_year", 2000, 2100, "OUT_OF_RANGE", false, NULL, &year, err)) !=
            FM_OK ||
        (st = fm_jr_string(root, "", "policy_number", 1, 48, FM_JR_ANY, true, &policy, err)) != FM_OK ||
        (st = fm_jr_enum(root, "", "outcome", outcomes, 2, &outcome, err)) != FM_OK ||
        (st = fm_jr_int(root, "", "premium_delta", -FM_JR_MAX_FEN, FM_JR_MAX_FEN, "OUT_OF_RANGE", false, NULL,
                        &out->premium_delta, err)) != FM_OK ||
        (st = fm_jr_fen(root, "", "refund", false, NULL, &out->refund, err)) != FM_OK ||
        (st = read_reversal(root, out, err)) != FM_OK)
        goto done;
    char *unit = NULL, *version = NULL;
    if ((st = fm_jr_string(root, "", "managing_unit", 0, 16, FM_JR_ANY, false, &unit, err)) != FM_OK)
        goto done;
    snprintf(out->managing_unit, sizeof out->managing_unit, "%s", unit);
    free(unit);
    if ((st = fm_jr_string(root, "", "plan_version", 0, 64, FM_JR_ANY, true, &version, err)) != FM_OK)
        goto done;
    snprintf(out->plan_version, sizeof out->plan_version, "%s", version ? version : "");
    free(version);
    out->change = (fm_change_kind)change;
    out->plan_year = (int)year;
    out->accepted = outcome == 0;
    if (policy != NULL)
        snprintf(out->policy_number, sizeof out->policy_number, "%s", policy);
    if (out->reversal_amount > 0 && (out->reversal_reason == FM_REVERSAL_NONE || !out->accepted ||
                                     policy == NULL || out->managing_unit[0] == '\0')) {
        fm_error_set(err, "subsidy_reversal", "INCONSISTENT",
                     "a reversal needs a reason, an accepted change, a policy and its unit");
        st = FM_EINVAL;
    }
done:
    free(policy);
    if (st == FM_ENOMEM)
        fm_error_set(err, "", "NO_MEMORY", "out of memory");
    return st;
}

fm_status fm_decode_policy_change_decided(const char *buf, size_t len, fm_policy_change_decided *out,
                                          fm_error *err)
{
    json_t *root = NULL;
    memset(out, 0, sizeof *out);
    fm_status st = fm_decode_parse(buf, len, 0, &root, err);
    if (st != FM_OK)
        return st;
    st = fm_decode_policy_change_decided_json(root, out, err);
    json_decref(root);
    return st;
}
