/* fm_decode.c — decoding famins' input events (JSON, schemas/events/) into the domain's structs. */
#include "fm_decode.h"
#include "fm_canon.h"
#include "fm_decode_payment.h"

#include "fm_jread.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const EVENT_TYPES[FM_EVENT_TYPE_COUNT] = {
    "enrollment.submitted",     "enrollment.decided",      "subsidy.allocated",     "claim.submitted",
    "claim.reviewed",           "claim.decided",           "claim.documents_added", "claim.withdrawn",
    "claim.appealed",           "claim.appeal_reviewed",   "claim.payment_result",  "claim.payee_corrected",
    "claim.payment_instructed", "policy.member_added",     "policy.member_removed", "policy.cancelled",
    "policy.premium_paid",      "policy.premium_refunded", "policy.change_decided", "subsidy.reversed",
};

const char *fm_event_type_name(fm_event_type t)
{
    return (t >= 0 && t < FM_EVENT_TYPE_COUNT) ? EVENT_TYPES[t] : "?";
}

/* Parses buf as one JSON document. Duplicate keys are refused: with them, which value counts would
 * depend on the parser. */
static fm_status parse(const char *buf, size_t len, json_t **out, fm_error *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        if (json_error_code(&jerr) == json_error_out_of_memory) {
            fm_error_set(err, "", "NO_MEMORY", "out of memory");
            return FM_ENOMEM;
        }
        bool utf8 = json_error_code(&jerr) == json_error_invalid_utf8;
        fm_error_set(err, "", utf8 ? "INVALID_UTF8" : "INVALID_JSON", "%s at byte %d (line %d)",
                     utf8 ? "invalid UTF-8" : "invalid JSON", jerr.position, jerr.line);
        return FM_EINVAL;
    }
    *out = root;
    return FM_OK;
}

/* The fixed-size text fields hold their schema's longest value whole: maxLength counts code points, up to 4
 * bytes each in UTF-8 (1 where the schema's pattern is ASCII). */
#define FIELD_SIZE(type, field) sizeof(((type *)0)->field)
_Static_assert(FIELD_SIZE(fm_envelope, event_id) >= FM_ASCII_BYTES(64), "event_id: 64 of [A-Za-z0-9._:-]");
_Static_assert(FIELD_SIZE(fm_envelope, occurred_at) >= FM_ASCII_BYTES(40), "occurred_at: 40, ASCII pattern");
_Static_assert(FIELD_SIZE(fm_envelope, producer) >= FM_UTF8_BYTES(64), "producer: 64 code points");
_Static_assert(FIELD_SIZE(fm_enrollment_decided, source_event_id) >= FM_ASCII_BYTES(64), "source_event_id");
_Static_assert(FIELD_SIZE(fm_enrollment_decided, household_id) >= FM_ASCII_BYTES(32), "household_id");
_Static_assert(FIELD_SIZE(fm_enrollment_decided, managing_unit) >= FM_UTF8_BYTES(16), "managing_unit");
_Static_assert(FIELD_SIZE(fm_enrollment_decided, policy_number) >= FM_ASCII_BYTES(39), "FJ<year>-<hh id>");
_Static_assert(FIELD_SIZE(fm_enrollment_decided, plan_version) >= FM_UTF8_BYTES(64), "plan_version");

/* Copies s into dst whole, or refuses: never a cut value (the asserts above make a refusal a bug here). */
static fm_status copy_whole(char *dst, size_t dst_len, const char *s, const char *path, fm_error *err)
{
    size_t n = strlen(s);
    if (n >= dst_len) {
        fm_error_set(err, path, "TOO_LONG", "%s has %zu bytes, more than the %zu famins keeps", path, n,
                     dst_len - 1);
        return FM_EINVAL;
    }
    memcpy(dst, s, n + 1);
    return FM_OK;
}

/* Checks the envelope fields of root into env (see fm_decode_envelope for the order). */
static fm_status read_envelope(const json_t *root, fm_envelope *env, fm_error *err)
{
    fm_status st;
    char *s = NULL;
    int type = 0;
    memset(env, 0, sizeof *env);
    if ((st = fm_jr_is_object(root, "", err)) != FM_OK)
        return st;
    /* event_id first, quietly, so that a dead letter can name the event whatever else is wrong. */
    json_t *id = json_object_get(root, "event_id");
    if (json_is_string(id)) {
        const char *v = json_string_value(id);
        size_t n = strlen(v), i;
        for (i = 0; i < n; i++)
            if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-", v[i]))
                break;
        if (n >= 1 && n <= 64 && i == n)
            memcpy(env->event_id, v, n + 1);
    }
    json_t *t;
    if ((st = fm_jr_value(root, "", "type", false, &t, err)) != FM_OK)
        return st;
    if (!json_is_string(t)) {
        fm_error_set(err, "type", "WRONG_TYPE", "type must be a string");
        return FM_EINVAL;
    }
    if (fm_jr_enum(root, "", "type", EVENT_TYPES, FM_EVENT_TYPE_COUNT, &type, err) != FM_OK) {
        fm_error_set(err, "type", "UNKNOWN_TYPE", "type is not an event type famins knows");
        return FM_EINVAL;
    }
    env->type = (fm_event_type)type;
    int64_t version = 0;
    if ((st = fm_jr_int(root, "", "schema_version", INT64_MIN, INT64_MAX, "OUT_OF_RANGE", false, NULL,
                        &version, err)) != FM_OK)
        return st;
    env->schema_version = version;
    if (version != FM_SCHEMA_VERSION) {
        /* The value is not quoted: any number may stand there, an identity number too. */
        fm_error_set(err, "schema_version", "UNKNOWN_SCHEMA_VERSION",
                     "schema_version is not supported (only %d)", FM_SCHEMA_VERSION);
        return FM_EINVAL;
    }
    if ((st = fm_jr_string(root, "", "event_id", 1, 64, FM_JR_EVENT_ID, false, &s, err)) != FM_OK)
        return st;
    st = copy_whole(env->event_id, sizeof env->event_id, s, "event_id", err);
    free(s);
    if (st != FM_OK || (st = fm_jr_timestamp(root, "", "occurred_at", false, &s, err)) != FM_OK)
        return st;
    st = copy_whole(env->occurred_at, sizeof env->occurred_at, s, "occurred_at", err);
    free(s);
    if (st != FM_OK || (st = fm_jr_string(root, "", "producer", 1, 64, FM_JR_ANY, false, &s, err)) != FM_OK)
        return st;
    st = copy_whole(env->producer, sizeof env->producer, s, "producer", err);
    free(s);
    return st;
}

fm_status fm_decode_envelope(const char *buf, size_t len, size_t max_bytes, fm_envelope *out, fm_error *err)
{
    json_t *root = NULL;
    fm_status st;
    memset(out, 0, sizeof *out);
    if (max_bytes == 0)
        max_bytes = FM_CODEC_DEFAULT_MAX_BYTES;
    if (len > max_bytes) {
        fm_error_set(err, "", "TOO_LARGE", "message of %zu bytes is above the limit of %zu", len, max_bytes);
        return FM_EINVAL;
    }
    if ((st = parse(buf, len, &root, err)) != FM_OK)
        return st;
    st = read_envelope(root, out, err);
    json_decref(root);
    return st;
}

/* Checks root's envelope and that it is of type want; *event_id (malloc'ed) on FM_OK. */
static fm_status check_event(const json_t *root, fm_event_type want, char **event_id, fm_error *err)
{
    fm_envelope env;
    fm_status st = read_envelope(root, &env, err);
    if (st != FM_OK)
        return st;
    if (env.type != want) {
        fm_error_set(err, "type", "WRONG_EVENT_TYPE", "expected a %s event, got %s", fm_event_type_name(want),
                     fm_event_type_name(env.type));
        return FM_EINVAL;
    }
    if ((*event_id = strdup(env.event_id)) == NULL)
        return FM_ENOMEM;
    return FM_OK;
}

fm_status fm_decode_parse(const char *buf, size_t len, size_t max_bytes, json_t **out, fm_error *err)
{
    *out = NULL;
    if (max_bytes == 0)
        max_bytes = FM_CODEC_DEFAULT_MAX_BYTES;
    if (len > max_bytes) {
        fm_error_set(err, "", "TOO_LARGE", "message of %zu bytes is above the limit of %zu", len, max_bytes);
        return FM_EINVAL;
    }
    return parse(buf, len, out, err);
}

fm_status fm_decode_envelope_json(const json_t *root, fm_envelope *out, fm_error *err)
{
    return read_envelope(root, out, err);
}

/* The buffer form of a *_json decoder: parse, decode, release the document. */
#define DECODE_BUFFER(json_fn, buf, len, out, err)                                                           \
    do {                                                                                                     \
        json_t *root_ = NULL;                                                                                \
        memset(out, 0, sizeof *(out));                                                                       \
        fm_status st_ = parse(buf, len, &root_, err);                                                        \
        if (st_ != FM_OK)                                                                                    \
            return st_;                                                                                      \
        st_ = json_fn(root_, out, err);                                                                      \
        json_decref(root_);                                                                                  \
        return st_;                                                                                          \
    } while (0)

#define ENVELOPE_KEYS "event_id", "type", "schema_version", "occurred_at", "producer"
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Enumeration tables in the domain's enum order, built from its stable names. */
static void role_names(const char *names[FM_ROLE_COUNT])
{
    for (int i = 0; i < FM_ROLE_COUNT; i++)
        names[i] = fm_role_name((fm_role)i);
}

static fm_status read_members(const json_t *root, fm_enrollment *e, fm_error *err)
{
    static const char *const known[] = {"role", "id_number", "name", "previously_insured"};
    const char *roles[FM_ROLE_COUNT];
    json_t *arr;
    fm_status st;
    role_names(roles);
    if ((st = fm_jr_array(root, "", "members", 1, FM_MAX_MEMBERS, &arr, err)) != FM_OK)
        return st;
    e->members = calloc(json_array_size(arr), sizeof *e->members);
    if (e->members == NULL)
        return FM_ENOMEM;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        char p[FM_JR_PATH_LEN];
        json_t *m = json_array_get(arr, i);
        fm_member *mb = &e->members[i];
        int role = 0;
        e->n_members = i + 1;
        fm_jr_index(p, sizeof p, "members", i);
        if ((st = fm_jr_is_object(m, p, err)) != FM_OK ||
            (st = fm_jr_enum(m, p, "role", roles, FM_ROLE_COUNT, &role, err)) != FM_OK ||
            (st = fm_jr_string(m, p, "id_number", 1, 32, FM_JR_ANY, false, &mb->id_number, err)) != FM_OK ||
            (st = fm_jr_string(m, p, "name", 1, 64, FM_JR_ANY, false, &mb->name, err)) != FM_OK ||
            (st = fm_jr_bool(m, p, "previously_insured", &mb->previously_insured, err)) != FM_OK ||
            (st = fm_jr_no_unknown(m, p, known, COUNT(known), err)) != FM_OK)
            return st;
        mb->role = (fm_role)role;
    }
    return FM_OK;
}

static fm_status read_enrollment(const json_t *root, fm_enrollment *e, fm_error *err)
{
    static const char *const known[] = {ENVELOPE_KEYS,
                                        "household_id",
                                        "plan_year",
                                        "submitted_on",
                                        "managing_unit",
                                        "xian_registration",
                                        "resident_in_xian_since",
                                        "category_evidence",
                                        "applicant",
                                        "consent",
                                        "agent",
                                        "members"};
    static const char *const ev_known[] = {"only_child_certificate", "rural_two_daughter"};
    static const char *const ap_known[] = {"id_number", "name", "relation"};
    static const char *const co_known[] = {"given", "at", "channel"};
    static const char *const ag_known[] = {"agent_id", "name"};
    /* The applicant is a parent or a guardian: "child" is not among the allowed names. */
    const char *relations[FM_ROLE_COUNT];
    const char *channels[FM_CONSENT_CHANNEL_COUNT];
    fm_status st;
    int64_t year = 0;
    int k = 0;
    json_t *o;

    role_names(relations);
    relations[FM_ROLE_CHILD] = NULL;
    for (int i = 0; i < FM_CONSENT_CHANNEL_COUNT; i++)
        channels[i] = fm_consent_channel_name((fm_consent_channel)i);

    if ((st = fm_jr_string(root, "", "household_id", 1, 32, FM_JR_ID_DASH, false, &e->household_id, err)) !=
            FM_OK ||
        (st = fm_jr_int(root, "", "plan_year", 2000, 2100, "OUT_OF_RANGE", false, NULL, &year, err)) !=
            FM_OK ||
        (st = fm_jr_date(root, "", "submitted_on", false, NULL, &e->submitted_on, err)) != FM_OK ||
        (st = fm_jr_string(root, "", "managing_unit", 1, 16, FM_JR_ANY, false, &e->managing_unit, err)) !=
            FM_OK ||
        (st = fm_jr_bool(root, "", "xian_registration", &e->xian_registration, err)) != FM_OK ||
        (st = fm_jr_date(root, "", "resident_in_xian_since", true, &e->has_resident_since, &e->resident_since,
                         err)) != FM_OK)
        return st;
    e->plan_year = (int)year;

    if ((st = fm_jr_value(root, "", "category_evidence", false, &o, err)) != FM_OK ||
        (st = fm_jr_is_object(o, "category_evidence", err)) != FM_OK ||
        (st = fm_jr_string(o, "category_evidence", "only_child_certificate", 1, 64, FM_JR_ANY, true,
                           &e->only_child_certificate, err)) != FM_OK ||
        (st = fm_jr_bool(o, "category_evidence", "rural_two_daughter", &e->rural_two_daughter, err)) !=
            FM_OK ||
        (st = fm_jr_no_unknown(o, "category_evidence", ev_known, COUNT(ev_known), err)) != FM_OK)
        return st;

    if ((st = fm_jr_value(root, "", "applicant", false, &o, err)) != FM_OK ||
        (st = fm_jr_is_object(o, "applicant", err)) != FM_OK ||
        (st = fm_jr_string(o, "applicant", "id_number", 1, 32, FM_JR_ANY, false, &e->applicant.id_number,
                           err)) != FM_OK ||
        (st = fm_jr_string(o, "applicant", "name", 1, 64, FM_JR_ANY, false, &e->applicant.name, err)) !=
            FM_OK ||
        (st = fm_jr_enum(o, "applicant", "relation", relations, FM_ROLE_COUNT, &k, err)) != FM_OK ||
        (st = fm_jr_no_unknown(o, "applicant", ap_known, COUNT(ap_known), err)) != FM_OK)
        return st;
    e->applicant.relation = (fm_role)k;

    if ((st = fm_jr_value(root, "", "consent", false, &o, err)) != FM_OK ||
        (st = fm_jr_is_object(o, "consent", err)) != FM_OK ||
        (st = fm_jr_bool(o, "consent", "given", &e->consent.given, err)) != FM_OK ||
        (st = fm_jr_timestamp(o, "consent", "at", !e->consent.given ? true : false, &e->consent.at, err)) !=
            FM_OK ||
        (st = fm_jr_enum(o, "consent", "channel", channels, FM_CONSENT_CHANNEL_COUNT, &k, err)) != FM_OK ||
        (st = fm_jr_no_unknown(o, "consent", co_known, COUNT(co_known), err)) != FM_OK)
        return st;
    e->consent.channel = (fm_consent_channel)k;

    if ((st = fm_jr_value(root, "", "agent", true, &o, err)) != FM_OK)
        return st;
    if (o != NULL) {
        if ((st = fm_jr_is_object(o, "agent", err)) != FM_OK ||
            (st = fm_jr_string(o, "agent", "agent_id", 1, 32, FM_JR_ANY, false, &e->agent.agent_id, err)) !=
                FM_OK ||
            (st = fm_jr_string(o, "agent", "name", 1, 64, FM_JR_ANY, false, &e->agent.name, err)) != FM_OK ||
            (st = fm_jr_no_unknown(o, "agent", ag_known, COUNT(ag_known), err)) != FM_OK)
            return st;
    }
    if ((st = read_members(root, e, err)) != FM_OK)
        return st;
    return fm_jr_no_unknown(root, "", known, COUNT(known), err);
}

fm_status fm_decode_enrollment_json(const json_t *root, fm_enrollment *out, fm_error *err)
{
    memset(out, 0, sizeof *out);
    fm_status st = check_event(root, FM_EVENT_ENROLLMENT_SUBMITTED, &out->event_id, err);
    if (st == FM_OK)
        st = read_enrollment(root, out, err);
    if (st != FM_OK) {
        if (st == FM_ENOMEM)
            fm_error_set(err, "", "NO_MEMORY", "out of memory");
        fm_enrollment_free(out);
    }
    return st;
}

fm_status fm_decode_enrollment(const char *buf, size_t len, fm_enrollment *out, fm_error *err)
{
    DECODE_BUFFER(fm_decode_enrollment_json, buf, len, out, err);
}

static fm_status read_bills(const json_t *root, fm_claim *c, fm_error *err)
{
    static const char *const known[] = {"invoice_code", "invoice_number", "amount",
                                        "paid_by_social_insurance", "paid_by_other_insurers"};
    json_t *arr;
    fm_status st;
    if ((st = fm_jr_array(root, "", "bills", 0, FM_MAX_BILLS, &arr, err)) != FM_OK)
        return st;
    if (json_array_size(arr) == 0)
        return FM_OK;
    if ((c->bills = calloc(json_array_size(arr), sizeof *c->bills)) == NULL)
        return FM_ENOMEM;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        char p[FM_JR_PATH_LEN];
        json_t *b = json_array_get(arr, i);
        fm_bill *bl = &c->bills[i];
        c->n_bills = i + 1;
        fm_jr_index(p, sizeof p, "bills", i);
        if ((st = fm_jr_is_object(b, p, err)) != FM_OK ||
            (st = fm_jr_string(b, p, "invoice_code", 1, 32, FM_JR_ANY, false, &bl->invoice_code, err)) !=
                FM_OK ||
            (st = fm_jr_string(b, p, "invoice_number", 1, 32, FM_JR_ANY, false, &bl->invoice_number, err)) !=
                FM_OK ||
            (st = fm_jr_fen(b, p, "amount", false, NULL, &bl->amount, err)) != FM_OK ||
            (st = fm_jr_fen(b, p, "paid_by_social_insurance", false, NULL, &bl->paid_by_social_insurance,
                            err)) != FM_OK ||
            (st = fm_jr_fen(b, p, "paid_by_other_insurers", false, NULL, &bl->paid_by_other_insurers, err)) !=
                FM_OK ||
            (st = fm_jr_no_unknown(b, p, known, COUNT(known), err)) != FM_OK)
            return st;
    }
    return FM_OK;
}

static fm_status read_injuries(const json_t *root, fm_claim *c, fm_error *err)
{
    static const char *const known[] = {"description", "grade"};
    json_t *arr;
    fm_status st;
    if ((st = fm_jr_array(root, "", "injuries", 0, FM_MAX_INJURIES, &arr, err)) != FM_OK)
        return st;
    if (json_array_size(arr) == 0)
        return FM_OK;
    if ((c->injuries = calloc(json_array_size(arr), sizeof *c->injuries)) == NULL)
        return FM_ENOMEM;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        char p[FM_JR_PATH_LEN];
        json_t *v = json_array_get(arr, i);
        fm_injury *in = &c->injuries[i];
        c->n_injuries = i + 1;
        fm_jr_index(p, sizeof p, "injuries", i);
        if ((st = fm_jr_is_object(v, p, err)) != FM_OK ||
            (st = fm_jr_string(v, p, "description", 1, 200, FM_JR_ANY, false, &in->description, err)) !=
                FM_OK ||
            (st = fm_jr_int(v, p, "grade", -1000000, 1000000, "OUT_OF_RANGE", false, NULL, &in->grade,
                            err)) != FM_OK ||
            (st = fm_jr_no_unknown(v, p, known, COUNT(known), err)) != FM_OK)
            return st;
    }
    return FM_OK;
}

static fm_status read_documents(const json_t *root, fm_claim *c, fm_error *err)
{
    const char *names[FM_DOC_COUNT];
    json_t *arr;
    fm_status st;
    for (int i = 0; i < FM_DOC_COUNT; i++)
        names[i] = fm_document_name((fm_document)i);
    if ((st = fm_jr_array(root, "", "documents", 0, 20, &arr, err)) != FM_OK)
        return st;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        char p[FM_JR_PATH_LEN];
        int d = 0;
        /* fm_jr_enum reads a member of an object: wrap the item so that the path is documents[i]. */
        json_t *holder = json_object();
        if (holder == NULL || json_object_set(holder, "v", json_array_get(arr, i)) != 0) {
            json_decref(holder);
            return FM_ENOMEM;
        }
        fm_jr_index(p, sizeof p, "documents", i);
        st = fm_jr_enum(holder, "", "v", names, FM_DOC_COUNT, &d, err);
        json_decref(holder);
        if (st != FM_OK) {
            char code[sizeof err->code];
            snprintf(code, sizeof code, "%s", err ? err->code : "NOT_ONE_OF");
            fm_error_set(err, p, code, "%s is not a document famins knows", p);
            return st;
        }
        c->documents |= FM_DOC_BIT(d);
    }
    return FM_OK;
}

/* The optional payee block is checked here and decoded apart (fm_decode_payment.c): fm_claim does not hold
 * it. */
static fm_status check_payee(const json_t *root, fm_liability liability, fm_error *err)
{
    fm_payee p;
    fm_status st = fm_decode_payee_json(root, (int)liability, &p, err);
    fm_payee_wipe(&p);
    return st;
}

static fm_status read_claim(const json_t *root, fm_claim *c, fm_error *err)
{
    static const char *const known[] = {ENVELOPE_KEYS, "claim_id", "policy_number", "insured_id_number",
                                        "liability",   "cause",    "incident_date", "event_date",
                                        "report_date", "bills",    "injuries",      "critical_illness_code",
                                        "documents",   "payee"};
    const char *liabilities[FM_LIAB_COUNT];
    const char *causes[FM_CAUSE_COUNT];
    fm_status st;
    int k = 0;
    for (int i = 0; i < FM_LIAB_COUNT; i++)
        liabilities[i] = fm_liability_name((fm_liability)i);
    for (int i = 0; i < FM_CAUSE_COUNT; i++)
        causes[i] = fm_cause_name((fm_cause)i);

    if ((st = fm_jr_string(root, "", "claim_id", 1, 32, FM_JR_ID_DASH, false, &c->claim_id, err)) != FM_OK ||
        (st = fm_jr_string(root, "", "policy_number", 1, 48, FM_JR_ANY, false, &c->policy_number, err)) !=
            FM_OK ||
        (st = fm_jr_string(root, "", "insured_id_number", 1, 32, FM_JR_ANY, false, &c->insured_id_number,
                           err)) != FM_OK ||
        (st = fm_jr_enum(root, "", "liability", liabilities, FM_LIAB_COUNT, &k, err)) != FM_OK)
        return st;
    c->liability = (fm_liability)k;
    if ((st = fm_jr_enum(root, "", "cause", causes, FM_CAUSE_COUNT, &k, err)) != FM_OK)
        return st;
    c->cause = (fm_cause)k;
    if ((st = fm_jr_date(root, "", "incident_date", false, NULL, &c->incident_date, err)) != FM_OK ||
        (st = fm_jr_date(root, "", "event_date", true, &c->has_event_date, &c->event_date, err)) != FM_OK)
        return st;
    /* The event date is the date of death or of the disability assessment: those two need it, the others
     * must not carry one (a stray date would be a silent misunderstanding of the producer's). */
    bool needs = c->liability == FM_LIAB_DEATH || c->liability == FM_LIAB_ACCIDENTAL_DISABILITY;
    if (needs && !c->has_event_date) {
        fm_error_set(err, "event_date", "MISSING", "event_date is required for %s",
                     fm_liability_name(c->liability));
        return FM_EINVAL;
    }
    if (!needs && c->has_event_date) {
        fm_error_set(err, "event_date", "MUST_BE_NULL", "event_date must be null for %s",
                     fm_liability_name(c->liability));
        return FM_EINVAL;
    }
    if ((st = fm_jr_date(root, "", "report_date", false, NULL, &c->report_date, err)) != FM_OK ||
        (st = read_bills(root, c, err)) != FM_OK || (st = read_injuries(root, c, err)) != FM_OK ||
        (st = fm_jr_string(root, "", "critical_illness_code", 1, 16, FM_JR_ANY, true,
                           &c->critical_illness_code, err)) != FM_OK ||
        (st = read_documents(root, c, err)) != FM_OK || (st = check_payee(root, c->liability, err)) != FM_OK)
        return st;
    return fm_jr_no_unknown(root, "", known, COUNT(known), err);
}

fm_status fm_decode_claim_json(const json_t *root, fm_claim *out, fm_error *err)
{
    memset(out, 0, sizeof *out);
    fm_status st = check_event(root, FM_EVENT_CLAIM_SUBMITTED, &out->event_id, err);
    if (st == FM_OK)
        st = read_claim(root, out, err);
    if (st != FM_OK) {
        if (st == FM_ENOMEM)
            fm_error_set(err, "", "NO_MEMORY", "out of memory");
        fm_claim_free(out);
    }
    return st;
}

fm_status fm_decode_claim(const char *buf, size_t len, fm_claim *out, fm_error *err)
{
    DECODE_BUFFER(fm_decode_claim_json, buf, len, out, err);
}

static fm_status read_review(const json_t *root, fm_review *r, fm_error *err)
{
    static const char *const known[] = {ENVELOPE_KEYS, "claim_id", "policy_number", "reviewer",
                                        "action",      "amount",   "note"};
    const char *actions[FM_REVIEW_ACTION_COUNT];
    fm_status st;
    int k = 0;
    for (int i = 0; i < FM_REVIEW_ACTION_COUNT; i++)
        actions[i] = fm_review_action_name((fm_review_action)i);
    if ((st = fm_jr_string(root, "", "claim_id", 1, 32, FM_JR_ID_DASH, false, &r->claim_id, err)) != FM_OK ||
        (st = fm_jr_string(root, "", "policy_number", 1, 48, FM_JR_ANY, false, &r->policy_number, err)) !=
            FM_OK ||
        (st = fm_jr_string(root, "", "reviewer", 1, 32, FM_JR_ANY, false, &r->reviewer, err)) != FM_OK ||
        (st = fm_jr_enum(root, "", "action", actions, FM_REVIEW_ACTION_COUNT, &k, err)) != FM_OK)
        return st;
    r->action = (fm_review_action)k;
    if ((st = fm_jr_fen(root, "", "amount", true, &r->has_amount, &r->amount, err)) != FM_OK)
        return st;
    if (r->action == FM_REVIEW_APPROVE && !r->has_amount) {
        fm_error_set(err, "amount", "MISSING", "amount is required to approve");
        return FM_EINVAL;
    }
    if (r->action == FM_REVIEW_DECLINE && r->has_amount) {
        fm_error_set(err, "amount", "MUST_BE_NULL", "amount must be null to decline");
        return FM_EINVAL;
    }
    if ((st = fm_jr_string(root, "", "note", 0, 500, FM_JR_ANY, true, &r->note, err)) != FM_OK)
        return st;
    return fm_jr_no_unknown(root, "", known, COUNT(known), err);
}

fm_status fm_decode_review_json(const json_t *root, fm_review *out, fm_error *err)
{
    memset(out, 0, sizeof *out);
    fm_status st = check_event(root, FM_EVENT_CLAIM_REVIEWED, &out->event_id, err);
    if (st == FM_OK)
        st = read_review(root, out, err);
    if (st != FM_OK) {
        if (st == FM_ENOMEM)
            fm_error_set(err, "", "NO_MEMORY", "out of memory");
        fm_review_free(out);
    }
    return st;
}

fm_status fm_decode_review(const char *buf, size_t len, fm_review *out, fm_error *err)
{
    DECODE_BUFFER(fm_decode_review_json, buf, len, out, err);
}

fm_status fm_event_content_hash_json(const json_t *root, uint8_t out[FM_SHA256_LEN], fm_error *err)
{
    /* The digest of json_dumps(root, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY)'s text, without the
     * text (fm_canon.h): stored hashes stay comparable. */
    fm_status st = fm_canon_sha256(root, out);
    if (st != FM_OK)
        fm_error_set(err, "", "NO_MEMORY", "out of memory hashing the event");
    return st;
}

fm_status fm_event_content_hash(const char *buf, size_t len, uint8_t out[FM_SHA256_LEN], fm_error *err)
{
    json_t *root = NULL;
    fm_status st = parse(buf, len, &root, err);
    if (st != FM_OK)
        return st;
    st = fm_event_content_hash_json(root, out, err);
    json_decref(root);
    return st;
}

/* [A-Z][A-Z0-9_]*, 1..48: the form of a reason code (the schema's reason_code). */
static bool reason_code_form(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 48 || s[0] < 'A' || s[0] > 'Z')
        return false;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

/* A string item or member of a reason list: type, then form. path is the item's own path. */
static fm_status check_code(const json_t *v, const char *path, fm_error *err)
{
    if (!json_is_string(v)) {
        fm_error_set(err, path, v == NULL || json_is_null(v) ? "MISSING" : "WRONG_TYPE",
                     "%s must be a reason code", path);
        return FM_EINVAL;
    }
    if (!reason_code_form(json_string_value(v))) {
        fm_error_set(err, path, "BAD_FORMAT", "%s is not of the form of a reason code", path);
        return FM_EINVAL;
    }
    return FM_OK;
}

/* An array (max items) of reason-code strings. */
static fm_status read_code_list(const json_t *obj, const char *prefix, const char *key, size_t max,
                                fm_error *err)
{
    char path[FM_JR_PATH_LEN], p[FM_JR_PATH_LEN];
    json_t *arr;
    fm_status st = fm_jr_array(obj, prefix, key, 0, max, &arr, err);
    if (st != FM_OK)
        return st;
    fm_jr_path(path, sizeof path, prefix, key);
    for (size_t i = 0; i < json_array_size(arr); i++) {
        fm_jr_index(p, sizeof p, path, i);
        if ((st = check_code(json_array_get(arr, i), p, err)) != FM_OK)
            return st;
    }
    return FM_OK;
}

/* For a field that must be null exactly when `null_wanted`: MUST_BE_NULL or MISSING; *value is the field. */
static fm_status null_rule(const json_t *root, const char *key, bool null_wanted, json_t **value,
                           fm_error *err)
{
    json_t *v = json_object_get(root, key);
    if (v == NULL || (json_is_null(v) && !null_wanted)) {
        fm_error_set(err, key, "MISSING", "%s is required here", key);
        return FM_EINVAL;
    }
    if (!json_is_null(v) && null_wanted) {
        fm_error_set(err, key, "MUST_BE_NULL", "%s must be null here", key);
        return FM_EINVAL;
    }
    *value = json_is_null(v) ? NULL : v;
    return FM_OK;
}

static fm_status copy_string(const json_t *obj, const char *key, size_t min, size_t max, fm_jr_charset cs,
                             bool nullable, char *dst, size_t dst_len, fm_error *err)
{
    char *s = NULL;
    fm_status st = fm_jr_string(obj, "", key, min, max, cs, nullable, &s, err);
    if (st != FM_OK)
        return st;
    st = copy_whole(dst, dst_len, s ? s : "", key, err);
    free(s);
    return st;
}

static fm_status read_decided_members(const json_t *root, fm_enrollment_decided *d, fm_error *err)
{
    static const char *const known[] = {"index", "role", "status", "reasons"};
    static const char *const statuses[] = {"insured", "excluded"};
    const char *roles[FM_ROLE_COUNT];
    json_t *arr;
    fm_status st;
    role_names(roles);
    if ((st = fm_jr_array(root, "", "members", 0, FM_MAX_MEMBERS, &arr, err)) != FM_OK)
        return st;
    d->n_members = json_array_size(arr);
    for (size_t i = 0; i < json_array_size(arr); i++) {
        char p[FM_JR_PATH_LEN];
        json_t *m = json_array_get(arr, i);
        int64_t index = 0;
        int k = 0, status = 0;
        fm_jr_index(p, sizeof p, "members", i);
        if ((st = fm_jr_is_object(m, p, err)) != FM_OK ||
            (st = fm_jr_int(m, p, "index", 0, FM_MAX_MEMBERS - 1, "OUT_OF_RANGE", false, NULL, &index,
                            err)) != FM_OK ||
            (st = fm_jr_enum(m, p, "role", roles, FM_ROLE_COUNT, &k, err)) != FM_OK ||
            (st = fm_jr_enum(m, p, "status", statuses, 2, &status, err)) != FM_OK ||
            (st = read_code_list(m, p, "reasons", 8, err)) != FM_OK ||
            (st = fm_jr_no_unknown(m, p, known, COUNT(known), err)) != FM_OK)
            return st;
        if (status == 0)
            d->n_insured++;
    }
    return FM_OK;
}

static fm_status read_decided_reasons(const json_t *root, fm_enrollment_decided *d, fm_error *err)
{
    static const char *const known[] = {"code", "member_index"};
    json_t *arr;
    fm_status st;
    if ((st = fm_jr_array(root, "", "reasons", 0, 64, &arr, err)) != FM_OK)
        return st;
    d->n_reasons = json_array_size(arr);
    for (size_t i = 0; i < json_array_size(arr); i++) {
        char p[FM_JR_PATH_LEN], pc[FM_JR_PATH_LEN];
        json_t *r = json_array_get(arr, i);
        int64_t index = 0;
        fm_jr_index(p, sizeof p, "reasons", i);
        fm_jr_path(pc, sizeof pc, p, "code");
        if ((st = fm_jr_is_object(r, p, err)) != FM_OK ||
            (st = check_code(json_object_get(r, "code"), pc, err)) != FM_OK)
            return st;
        if (json_object_get(r, "member_index") != NULL &&
            (st = fm_jr_int(r, p, "member_index", 0, FM_MAX_MEMBERS - 1, "OUT_OF_RANGE", false, NULL, &index,
                            err)) != FM_OK)
            return st;
        if ((st = fm_jr_no_unknown(r, p, known, COUNT(known), err)) != FM_OK)
            return st;
    }
    return FM_OK;
}

static fm_status read_enrollment_decided(const json_t *root, fm_enrollment_decided *d, fm_error *err)
{
    static const char *const known[] = {
        ENVELOPE_KEYS,   "source_event_id", "household_id",  "plan_year",    "managing_unit",
        "outcome",       "category",        "policy_number", "reasons",      "applicant_reasons",
        "notes",         "members",         "premium",       "subsidy",      "self_paid",
        "subsidy_split", "coverage_start",  "coverage_end",  "plan_version", "explanation"};
    static const char *const outcomes[] = {"accepted", "rejected"};
    static const char *const categories[] = {"A", "B"};
    static const char *const split_known[] = {"city", "district_or_county", "development_zone"};
    static const char *const ex_known[] = {"en", "zh"};
    fm_status st;
    int64_t year = 0;
    int k = 0;
    json_t *v, *o;

    if ((st = copy_string(root, "source_event_id", 1, 64, FM_JR_EVENT_ID, false, d->source_event_id,
                          sizeof d->source_event_id, err)) != FM_OK ||
        (st = copy_string(root, "household_id", 1, 32, FM_JR_ID_DASH, false, d->household_id,
                          sizeof d->household_id, err)) != FM_OK ||
        (st = fm_jr_int(root, "", "plan_year", 2000, 2100, "OUT_OF_RANGE", false, NULL, &year, err)) !=
            FM_OK ||
        (st = copy_string(root, "managing_unit", 1, 16, FM_JR_ANY, false, d->managing_unit,
                          sizeof d->managing_unit, err)) != FM_OK ||
        (st = fm_jr_enum(root, "", "outcome", outcomes, 2, &k, err)) != FM_OK)
        return st;
    d->plan_year = (int)year;
    d->outcome = k == 0 ? FM_ENROLLMENT_ACCEPTED : FM_ENROLLMENT_REJECTED;
    bool rejected = d->outcome == FM_ENROLLMENT_REJECTED;

    if ((st = null_rule(root, "category", rejected, &v, err)) != FM_OK)
        return st;
    if (v != NULL) {
        if ((st = fm_jr_enum(root, "", "category", categories, 2, &k, err)) != FM_OK)
            return st;
        d->category = k == 0 ? FM_CATEGORY_A : FM_CATEGORY_B;
    }
    if ((st = null_rule(root, "policy_number", rejected, &v, err)) != FM_OK)
        return st;
    if (v != NULL) {
        char *s = NULL;
        if ((st = fm_jr_string(root, "", "policy_number", 1, 48, FM_JR_ANY, false, &s, err)) != FM_OK)
            return st;
        /* FJ<4 digits>-<household_id>: the schema's pattern. */
        size_t n = strlen(s);
        bool ok = n >= 8 && n <= 39 && strncmp(s, "FJ", 2) == 0 && s[6] == '-';
        for (size_t i = 2; ok && i < 6; i++)
            ok = s[i] >= '0' && s[i] <= '9';
        for (size_t i = 7; ok && i < n; i++)
            ok = (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
                 (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '-';
        if (ok)
            st = copy_whole(d->policy_number, sizeof d->policy_number, s, "policy_number", err);
        free(s);
        if (!ok) {
            fm_error_set(err, "policy_number", "BAD_FORMAT", "policy_number must be FJ<year>-<household_id>");
            return FM_EINVAL;
        }
        if (st != FM_OK)
            return st;
    }
    if ((st = read_decided_reasons(root, d, err)) != FM_OK ||
        (st = read_code_list(root, "", "applicant_reasons", 4, err)) != FM_OK ||
        (st = read_code_list(root, "", "notes", 8, err)) != FM_OK ||
        (st = read_decided_members(root, d, err)) != FM_OK ||
        (st = fm_jr_fen(root, "", "premium", false, NULL, &d->premium, err)) != FM_OK ||
        (st = fm_jr_fen(root, "", "subsidy", false, NULL, &d->subsidy, err)) != FM_OK ||
        (st = fm_jr_fen(root, "", "self_paid", false, NULL, &d->self_paid, err)) != FM_OK)
        return st;
    if ((st = null_rule(root, "subsidy_split", d->category != FM_CATEGORY_A, &o, err)) != FM_OK)
        return st;
    if (o != NULL) {
        if ((st = fm_jr_is_object(o, "subsidy_split", err)) != FM_OK ||
            (st = fm_jr_fen(o, "subsidy_split", "city", false, NULL, &d->split.city, err)) != FM_OK ||
            (st = fm_jr_fen(o, "subsidy_split", "district_or_county", false, NULL,
                            &d->split.district_or_county, err)) != FM_OK ||
            (st = fm_jr_fen(o, "subsidy_split", "development_zone", false, NULL, &d->split.development_zone,
                            err)) != FM_OK ||
            (st = fm_jr_no_unknown(o, "subsidy_split", split_known, COUNT(split_known), err)) != FM_OK)
            return st;
        d->has_split = true;
    }
    if ((st = null_rule(root, "coverage_start", rejected, &v, err)) != FM_OK ||
        (st = null_rule(root, "coverage_end", rejected, &v, err)) != FM_OK ||
        (st = fm_jr_date(root, "", "coverage_start", true, &d->has_coverage, &d->coverage_start, err)) !=
            FM_OK ||
        (st = fm_jr_date(root, "", "coverage_end", true, NULL, &d->coverage_end, err)) != FM_OK ||
        (st = copy_string(root, "plan_version", 1, 64, FM_JR_ANY, true, d->plan_version,
                          sizeof d->plan_version, err)) != FM_OK)
        return st;
    char *s = NULL;
    if ((st = fm_jr_value(root, "", "explanation", false, &o, err)) != FM_OK ||
        (st = fm_jr_is_object(o, "explanation", err)) != FM_OK ||
        (st = fm_jr_string(o, "explanation", "en", 1, 1000, FM_JR_ANY, false, &s, err)) != FM_OK)
        return st;
    free(s);
    s = NULL;
    if ((st = fm_jr_string(o, "explanation", "zh", 1, 1000, FM_JR_ANY, false, &s, err)) != FM_OK)
        return st;
    free(s);
    if ((st = fm_jr_no_unknown(o, "explanation", ex_known, COUNT(ex_known), err)) != FM_OK ||
        (st = fm_jr_no_unknown(root, "", known, COUNT(known), err)) != FM_OK)
        return st;
    /* The schema cannot do arithmetic; the ledger relies on it. */
    if (d->self_paid != d->premium - d->subsidy) {
        fm_error_set(err, "self_paid", "INCONSISTENT", "self_paid must be premium - subsidy");
        return FM_EINVAL;
    }
    return FM_OK;
}

fm_status fm_decode_enrollment_decided_json(const json_t *root, fm_enrollment_decided *out, fm_error *err)
{
    char *event_id = NULL;
    memset(out, 0, sizeof *out);
    fm_status st = check_event(root, FM_EVENT_ENROLLMENT_DECIDED, &event_id, err);
    if (st == FM_OK) {
        snprintf(out->event_id, sizeof out->event_id, "%s", event_id);
        st = read_enrollment_decided(root, out, err);
    }
    free(event_id);
    if (st != FM_OK) {
        if (st == FM_ENOMEM)
            fm_error_set(err, "", "NO_MEMORY", "out of memory");
        memset(out, 0, sizeof *out);
    }
    return st;
}

fm_status fm_decode_enrollment_decided(const char *buf, size_t len, fm_enrollment_decided *out, fm_error *err)
{
    DECODE_BUFFER(fm_decode_enrollment_decided_json, buf, len, out, err);
}
