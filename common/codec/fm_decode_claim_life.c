/* fm_decode_claim_life.c — decoding claim.documents_added, claim.appealed and claim.appeal_reviewed. */
#include "fm_decode_claim_life.h"

#include "fm_decode.h"
#include "fm_jread.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENVELOPE_KEYS "event_id", "type", "schema_version", "occurred_at", "producer"
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *fm_appeal_action_name(fm_appeal_action a)
{
    static const char *const names[FM_APPEAL_ACTION_COUNT] = {"uphold", "overturn"};
    return ((int)a >= 0 && a < FM_APPEAL_ACTION_COUNT) ? names[a] : "?";
}

/* The envelope of root, which must be of type want; *event_id a copy of its id. */
static fm_status check_event(const json_t *root, fm_event_type want, char **event_id, fm_error *err)
{
    fm_envelope env;
    fm_status st = fm_decode_envelope_json(root, &env, err);
    if (st != FM_OK)
        return st;
    if (env.type != want) {
        fm_error_set(err, "type", "WRONG_EVENT_TYPE", "expected a %s event, got %s", fm_event_type_name(want),
                     fm_event_type_name(env.type));
        return FM_EINVAL;
    }
    return (*event_id = strdup(env.event_id)) == NULL ? FM_ENOMEM : FM_OK;
}

/* claim_id and policy_number, as claim.submitted spells them. */
static fm_status read_claim_ref(const json_t *root, char **claim_id, char **policy_number, fm_error *err)
{
    fm_status st = fm_jr_string(root, "", "claim_id", 1, 32, FM_JR_ID_DASH, false, claim_id, err);
    if (st == FM_OK)
        st = fm_jr_string(root, "", "policy_number", 1, 48, FM_JR_ANY, false, policy_number, err);
    return st;
}

/* documents: min..20 names of claim.submitted's vocabulary (a repeated one counts once). */
static fm_status read_documents(const json_t *root, size_t min, fm_documents *out, fm_error *err)
{
    const char *names[FM_DOC_COUNT];
    json_t *arr;
    fm_status st;
    for (int i = 0; i < FM_DOC_COUNT; i++)
        names[i] = fm_document_name((fm_document)i);
    if ((st = fm_jr_array(root, "", "documents", min, 20, &arr, err)) != FM_OK)
        return st;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        char p[FM_JR_PATH_LEN];
        int d = 0;
        /* fm_jr_enum reads a member of an object: the item is wrapped so that the path is documents[i]. */
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
        *out |= FM_DOC_BIT(d);
    }
    return FM_OK;
}

/* The common tail of every decoder: NO_MEMORY worded, *out freed on failure. */
#define FINISH(st, free_fn, out, err)                                                                        \
    do {                                                                                                     \
        if ((st) != FM_OK) {                                                                                 \
            if ((st) == FM_ENOMEM)                                                                           \
                fm_error_set(err, "", "NO_MEMORY", "out of memory");                                         \
            free_fn(out);                                                                                    \
        }                                                                                                    \
        return (st);                                                                                         \
    } while (0)

#define DECODE_BUFFER(json_fn, buf, len, out, err)                                                           \
    do {                                                                                                     \
        json_t *root_ = NULL;                                                                                \
        memset(out, 0, sizeof *(out));                                                                       \
        fm_status st_ = fm_decode_parse(buf, len, (len) + 1, &root_, err);                                   \
        if (st_ != FM_OK)                                                                                    \
            return st_;                                                                                      \
        st_ = json_fn(root_, out, err);                                                                      \
        json_decref(root_);                                                                                  \
        return st_;                                                                                          \
    } while (0)

fm_status fm_decode_documents_added_json(const json_t *root, fm_documents_added *out, fm_error *err)
{
    static const char *const known[] = {ENVELOPE_KEYS, "claim_id", "policy_number", "documents"};
    memset(out, 0, sizeof *out);
    fm_status st = check_event(root, FM_EVENT_CLAIM_DOCUMENTS_ADDED, &out->event_id, err);
    if (st == FM_OK)
        st = read_claim_ref(root, &out->claim_id, &out->policy_number, err);
    if (st == FM_OK)
        st = read_documents(root, 1, &out->documents, err);
    if (st == FM_OK)
        st = fm_jr_no_unknown(root, "", known, COUNT(known), err);
    FINISH(st, fm_documents_added_free, out, err);
}

fm_status fm_decode_appeal_json(const json_t *root, fm_appeal *out, fm_error *err)
{
    static const char *const known[] = {ENVELOPE_KEYS, "claim_id", "policy_number", "reason", "documents"};
    memset(out, 0, sizeof *out);
    fm_status st = check_event(root, FM_EVENT_CLAIM_APPEALED, &out->event_id, err);
    if (st == FM_OK)
        st = read_claim_ref(root, &out->claim_id, &out->policy_number, err);
    if (st == FM_OK)
        st = fm_jr_string(root, "", "reason", 1, 1000, FM_JR_ANY, false, &out->reason, err);
    if (st == FM_OK)
        st = read_documents(root, 0, &out->documents, err);
    if (st == FM_OK)
        st = fm_jr_no_unknown(root, "", known, COUNT(known), err);
    FINISH(st, fm_appeal_free, out, err);
}

static fm_status read_appeal_review(const json_t *root, fm_appeal_review *r, fm_error *err)
{
    static const char *const known[] = {ENVELOPE_KEYS, "claim_id", "policy_number", "reviewer",
                                        "action",      "amount",   "note"};
    const char *actions[FM_APPEAL_ACTION_COUNT];
    fm_status st;
    int k = 0;
    for (int i = 0; i < FM_APPEAL_ACTION_COUNT; i++)
        actions[i] = fm_appeal_action_name((fm_appeal_action)i);
    if ((st = read_claim_ref(root, &r->claim_id, &r->policy_number, err)) != FM_OK ||
        (st = fm_jr_string(root, "", "reviewer", 1, 32, FM_JR_ANY, false, &r->reviewer, err)) != FM_OK ||
        (st = fm_jr_enum(root, "", "action", actions, FM_APPEAL_ACTION_COUNT, &k, err)) != FM_OK)
        return st;
    r->action = (fm_appeal_action)k;
    if ((st = fm_jr_fen(root, "", "amount", true, &r->has_amount, &r->amount, err)) != FM_OK)
        return st;
    if (r->action == FM_APPEAL_OVERTURN && !r->has_amount) {
        fm_error_set(err, "amount", "MISSING", "amount is required to overturn");
        return FM_EINVAL;
    }
    if (r->action == FM_APPEAL_UPHOLD && r->has_amount) {
        fm_error_set(err, "amount", "MUST_BE_NULL", "amount must be null to uphold");
        return FM_EINVAL;
    }
    if ((st = fm_jr_string(root, "", "note", 0, 500, FM_JR_ANY, true, &r->note, err)) != FM_OK)
        return st;
    return fm_jr_no_unknown(root, "", known, COUNT(known), err);
}

fm_status fm_decode_appeal_review_json(const json_t *root, fm_appeal_review *out, fm_error *err)
{
    memset(out, 0, sizeof *out);
    fm_status st = check_event(root, FM_EVENT_CLAIM_APPEAL_REVIEWED, &out->event_id, err);
    if (st == FM_OK)
        st = read_appeal_review(root, out, err);
    FINISH(st, fm_appeal_review_free, out, err);
}

fm_status fm_decode_documents_added(const char *buf, size_t len, fm_documents_added *out, fm_error *err)
{
    DECODE_BUFFER(fm_decode_documents_added_json, buf, len, out, err);
}

fm_status fm_decode_appeal(const char *buf, size_t len, fm_appeal *out, fm_error *err)
{
    DECODE_BUFFER(fm_decode_appeal_json, buf, len, out, err);
}

fm_status fm_decode_appeal_review(const char *buf, size_t len, fm_appeal_review *out, fm_error *err)
{
    DECODE_BUFFER(fm_decode_appeal_review_json, buf, len, out, err);
}

void fm_documents_added_free(fm_documents_added *d)
{
    if (d == NULL)
        return;
    free(d->event_id);
    free(d->claim_id);
    free(d->policy_number);
    memset(d, 0, sizeof *d);
}

void fm_appeal_free(fm_appeal *a)
{
    if (a == NULL)
        return;
    free(a->event_id);
    free(a->claim_id);
    free(a->policy_number);
    free(a->reason);
    memset(a, 0, sizeof *a);
}

void fm_appeal_review_free(fm_appeal_review *r)
{
    if (r == NULL)
        return;
    free(r->event_id);
    free(r->claim_id);
    free(r->policy_number);
    free(r->reviewer);
    free(r->note);
    memset(r, 0, sizeof *r);
}
