/* wg_claim_life.c — a policy's claims' later life for famins-wavegen: documents sent later, appeals and their
 * answers, labelled by construction (services/adjudicator/README.md, "A claim's later life"). */
#include "wg_claim_life.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wg_date.h"
#include "wg_plan.h"

wg_life_config wg_life_config_default(void)
{
    return (wg_life_config){.documents = 0.8, .appeal = 0.08, .answer = 0.8, .again = 0.3};
}

void wg_life_begin(wg_life_book *lb)
{
    lb->n = 0;
}

void wg_life_track(wg_life_book *lb, int seq, const char *claim_id, const char *key, int32_t report,
                   const wg_life_verdict *v)
{
    int i = 0;
    while (i < lb->n && lb->claims[i].seq != seq)
        i++;
    if (i == lb->n) {
        if (lb->n == WG_LIFE_MAX_CLAIMS)
            return;
        lb->n++;
        lb->claims[i].seq = seq;
        snprintf(lb->claims[i].claim_id, sizeof lb->claims[i].claim_id, "%s", claim_id);
        snprintf(lb->claims[i].key, sizeof lb->claims[i].key, "%s", key);
        lb->claims[i].report = report;
        lb->claims[i].was_missing = false;
    }
    lb->claims[i].v = *v;
    for (int k = 0; k < v->n_reasons; k++)
        lb->claims[i].was_missing =
            lb->claims[i].was_missing || strcmp(v->reasons[k], "DOCUMENTS_MISSING") == 0;
}

static bool has_reason(const wg_life_verdict *v, const char *id)
{
    for (int i = 0; i < v->n_reasons; i++)
        if (strcmp(v->reasons[i], id) == 0)
            return true;
    return false;
}

static void add_reason(wg_life_verdict *v, const char *id)
{
    if (v->n_reasons < WG_LIFE_MAX_REASONS)
        v->reasons[v->n_reasons++] = id;
}

/* The envelope of an event of type on day (the claim's report day + days), at a fixed hour. */
static json_t *envelope(const char *type, const char *event_id, const char *producer, int32_t day,
                        const char *claim_id, const char *key)
{
    char d[11], ts[40];
    wg_date_format(day, d);
    snprintf(ts, sizeof ts, "%sT10:30:00+08:00", d);
    json_t *o = json_object();
    json_object_set_new(o, "event_id", json_string(event_id));
    json_object_set_new(o, "type", json_string(type));
    json_object_set_new(o, "schema_version", json_integer(1));
    json_object_set_new(o, "occurred_at", json_string(ts));
    json_object_set_new(o, "producer", json_string(producer));
    json_object_set_new(o, "claim_id", json_string(claim_id));
    json_object_set_new(o, "policy_number", json_string(key));
    return o;
}

static json_t *documents_array(uint32_t docs)
{
    json_t *a = json_array();
    for (int k = 0; k < WG_DOC_COUNT; k++)
        if (docs & (1u << k))
            json_array_append_new(a, json_string(wg_document_names[k]));
    return a;
}

/* A label: a decision (v) or, v NULL, an event recorded without one (reason: refused or ignored, or NULL). */
static char *label(const char *event_id, const char *key, const char *fault, const char *claim_id,
                   const wg_life_verdict *v, const char *reason)
{
    json_t *l = json_object(), *e = json_object(), *rs = json_array();
    json_object_set_new(l, "event_id", json_string(event_id));
    json_object_set_new(l, "key", json_string(key));
    json_object_set_new(l, "kind", json_string("valid"));
    json_object_set_new(l, "fault", json_string(fault));
    json_object_set_new(e, "claim_id", json_string(claim_id));
    if (v != NULL) {
        json_object_set_new(e, "outcome", json_string(v->outcome));
        json_object_set_new(e, "payable", json_integer(v->payable));
        json_object_set_new(e, "full", json_integer(v->full));
        for (int i = 0; i < v->n_reasons; i++)
            json_array_append_new(rs, json_string(v->reasons[i]));
        json_object_set_new(e, "reasons", rs);
    } else {
        json_decref(rs);
        json_object_set_new(e, "outcome", json_string("recorded"));
        json_object_set_new(e, "reason", reason ? json_string(reason) : json_null());
    }
    json_object_set_new(l, "expected", e);
    char *text = json_dumps(l, JSON_COMPACT);
    json_decref(l);
    return text;
}

/* Emits event o (taken) with its label (taken). */
static fm_status send(json_t *o, char *lab, const char *key, const char *fault, const char *unit,
                      const char *outcome, wg_emit_fn emit, void *arg)
{
    char *payload = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    fm_status st = FM_ENOMEM;
    if (payload != NULL && lab != NULL) {
        wg_message m = {.key = key,
                        .key_len = strlen(key),
                        .payload = payload,
                        .len = strlen(payload),
                        .label = lab,
                        .kind = "valid",
                        .fault = fault,
                        .unit = unit,
                        .outcome = outcome};
        st = emit(arg, &m);
    }
    free(payload);
    free(lab);
    return st;
}

static fm_status send_appeal(const char *producer, const char *event_id, int32_t day, const char *claim_id,
                             const char *key, const char *fault, const char *refused, wg_emit_fn emit,
                             void *arg)
{
    json_t *o = envelope("claim.appealed", event_id, producer, day, claim_id, key);
    json_object_set_new(o, "reason", json_string("家属对理赔结果有异议，申请复核。"));
    json_object_set_new(o, "documents", documents_array(0));
    return send(o, label(event_id, key, fault, claim_id, NULL, refused), key, fault, "appeal", "recorded",
                emit, arg);
}

fm_status wg_life_policy(const wg_life_config *cfg, const char *producer, wg_rng *r, wg_life_book *lb,
                         wg_life_redecide_fn redecide, void *ctx, wg_emit_fn emit, void *arg)
{
    fm_status st = FM_OK;
    for (int i = 0; i < lb->n && st == FM_OK; i++) {
        char event_id[64];
        const char *cid = lb->claims[i].claim_id, *key = lb->claims[i].key;
        wg_life_verdict *v = &lb->claims[i].v;
        int32_t day = lb->claims[i].report + 35;
        /* Documents: a claim still pending for a missing document gets it; decided again now. */
        if (strcmp(v->outcome, "pending_review") == 0 && has_reason(v, "DOCUMENTS_MISSING") &&
            wg_rng_chance(r, cfg->documents)) {
            uint32_t sent = 0;
            redecide(ctx, lb->claims[i].seq, &sent, v);
            snprintf(event_id, sizeof event_id, "doc-%s", cid);
            json_t *o = envelope("claim.documents_added", event_id, producer, day, cid, key);
            json_object_set_new(o, "documents", documents_array(sent));
            st = send(o, label(event_id, key, "DOCUMENTS_ADDED", cid, v, NULL), key, "DOCUMENTS_ADDED",
                      "documents", v->outcome, emit, arg);
            continue;
        }
        if (lb->claims[i].was_missing && strcmp(v->outcome, "pending_review") != 0 && wg_rng_chance(r, 0.3)) {
            /* the document arrives after a reviewer decided the claim: kept, ignored */
            snprintf(event_id, sizeof event_id, "doc-%s", cid);
            json_t *o = envelope("claim.documents_added", event_id, producer, day, cid, key);
            json_object_set_new(o, "documents", documents_array(1u << WG_DOC_MEDICAL_RECORD));
            st = send(o, label(event_id, key, "DOCUMENTS_NOT_PENDING", cid, NULL, "DOCUMENTS_NOT_PENDING"),
                      key, "DOCUMENTS_NOT_PENDING", "documents", "recorded", emit, arg);
            if (st != FM_OK)
                continue;
        }
        bool adverse = strcmp(v->outcome, "declined") == 0 || strcmp(v->outcome, "partial") == 0;
        if (!adverse || !wg_rng_chance(r, cfg->appeal))
            continue;
        snprintf(event_id, sizeof event_id, "apl-%s", cid);
        if ((st = send_appeal(producer, event_id, day, cid, key, "APPEAL", NULL, emit, arg)) != FM_OK ||
            !wg_rng_chance(r, cfg->answer))
            continue;
        /* The answer. Overturn only a partial decision a limit cut (not a reviewer): no room is left for the
         * person or household, so the payable stands whatever the amount; everything else is upheld. */
        bool overturn = strcmp(v->outcome, "partial") == 0 && has_reason(v, "LIMIT_REACHED") &&
                        !has_reason(v, "REVIEWER_REDUCED");
        int64_t amount = v->payable + 100000;
        wg_life_verdict a = *v;
        if (overturn) {
            a.outcome = "partial";
            a.full = amount;
            a.n_reasons = 0;
            add_reason(&a, "LIMIT_REACHED");
            add_reason(&a, "APPEAL_OVERTURNED");
        } else {
            add_reason(&a, "APPEAL_UPHELD");
        }
        char answer_id[64];
        snprintf(answer_id, sizeof answer_id, "apr-%s", cid);
        json_t *o = envelope("claim.appeal_reviewed", answer_id, producer, day + 10, cid, key);
        json_object_set_new(o, "reviewer", json_string("R-0011"));
        json_object_set_new(o, "action", json_string(overturn ? "overturn" : "uphold"));
        json_object_set_new(o, "amount", overturn ? json_integer(amount) : json_null());
        json_object_set_new(o, "note", json_string(overturn ? "limit reached" : "decision confirmed"));
        const char *fault = overturn ? "APPEAL_OVERTURN" : "APPEAL_UPHOLD";
        if ((st = send(o, label(answer_id, key, fault, cid, &a, NULL), key, fault, "appeal_review", a.outcome,
                       emit, arg)) != FM_OK)
            continue;
        *v = a;
        if (wg_rng_chance(r, cfg->again)) { /* the family appeals the answer: refused */
            snprintf(event_id, sizeof event_id, "apl2-%s", cid);
            st = send_appeal(producer, event_id, day + 20, cid, key, "APPEAL_OF_APPEAL_OUTCOME",
                             "APPEAL_OF_APPEAL_OUTCOME", emit, arg);
        }
    }
    return st;
}
