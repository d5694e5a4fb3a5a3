/* rules_context.c — famins-rules' side files: a claim's --context and an enrollment's --facts (JSON). */
#include "rules_context.h"

#include "fm_jread.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static fm_status load(const char *buf, size_t len, json_t **root, fm_error *err)
{
    json_error_t jerr;
    *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    if (*root == NULL) {
        /* jansson's own text quotes the token it stopped at (a number, a key): position and a generic
         * reason only, as the event decoders say it. */
        bool utf8 = json_error_code(&jerr) == json_error_invalid_utf8;
        fm_error_set(err, "", utf8 ? "INVALID_UTF8" : "INVALID_JSON", "%s at line %d, column %d (byte %d)",
                     utf8 ? "invalid UTF-8" : "invalid JSON", jerr.line, jerr.column, jerr.position);
        return FM_EINVAL;
    }
    return fm_jr_is_object(*root, "", err);
}

/* An optional member: absent or null reads as not there. */
static json_t *optional(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_null(v) ? NULL : v;
}

static fm_status opt_fen(const json_t *obj, const char *prefix, const char *key, fm_fen *out, fm_error *err)
{
    if (optional(obj, key) == NULL)
        return FM_OK;
    return fm_jr_fen(obj, prefix, key, false, NULL, out, err);
}

static fm_status opt_bool(const json_t *obj, const char *prefix, const char *key, bool *out, fm_error *err)
{
    if (optional(obj, key) == NULL)
        return FM_OK;
    return fm_jr_bool(obj, prefix, key, out, err);
}

/* {"accident_medical": fen, "illness_hospital": fen}: the medical liabilities only. */
static fm_status per_liability(const json_t *obj, const char *prefix, const char *key,
                               fm_fen out[FM_LIAB_COUNT], fm_error *err)
{
    static const char *const known[] = {"accident_medical", "illness_hospital"};
    char path[FM_JR_PATH_LEN];
    json_t *o = optional(obj, key);
    fm_status st;
    if (o == NULL)
        return FM_OK;
    fm_jr_path(path, sizeof path, prefix, key);
    if ((st = fm_jr_is_object(o, path, err)) != FM_OK ||
        (st = opt_fen(o, path, "accident_medical", &out[FM_LIAB_ACCIDENT_MEDICAL], err)) != FM_OK ||
        (st = opt_fen(o, path, "illness_hospital", &out[FM_LIAB_ILLNESS_HOSPITAL], err)) != FM_OK)
        return st;
    return fm_jr_no_unknown(o, path, known, COUNT(known), err);
}

static fm_status read_usage(const json_t *root, fm_claim_usage *u, fm_error *err)
{
    static const char *const known[] = {"death_paid",     "disability_paid", "ci_mild_paid",
                                        "ci_severe_paid", "deductible_used", "medical_paid"};
    json_t *o = optional(root, "usage");
    fm_status st;
    if (o == NULL)
        return FM_OK;
    if ((st = fm_jr_is_object(o, "usage", err)) != FM_OK ||
        (st = opt_fen(o, "usage", "death_paid", &u->death_paid, err)) != FM_OK ||
        (st = opt_fen(o, "usage", "disability_paid", &u->disability_paid, err)) != FM_OK ||
        (st = opt_fen(o, "usage", "ci_mild_paid", &u->ci_mild_paid, err)) != FM_OK ||
        (st = opt_fen(o, "usage", "ci_severe_paid", &u->ci_severe_paid, err)) != FM_OK ||
        (st = per_liability(o, "usage", "deductible_used", u->deductible_used, err)) != FM_OK ||
        (st = per_liability(o, "usage", "medical_paid", u->medical_paid, err)) != FM_OK)
        return st;
    return fm_jr_no_unknown(o, "usage", known, COUNT(known), err);
}

static fm_status read_claimed(const json_t *root, const fm_claim *c, fm_claim_context *ctx, fm_error *err)
{
    static const char *const known[] = {"invoice_code", "invoice_number"};
    json_t *arr;
    fm_status st;
    if (optional(root, "claimed_invoices") == NULL)
        return FM_OK;
    if ((st = fm_jr_array(root, "", "claimed_invoices", 0, 100000, &arr, err)) != FM_OK)
        return st;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        char p[FM_JR_PATH_LEN];
        json_t *o = json_array_get(arr, i);
        char *code = NULL, *number = NULL;
        fm_jr_index(p, sizeof p, "claimed_invoices", i);
        if ((st = fm_jr_is_object(o, p, err)) != FM_OK ||
            (st = fm_jr_string(o, p, "invoice_code", 1, 32, FM_JR_ANY, false, &code, err)) != FM_OK ||
            (st = fm_jr_string(o, p, "invoice_number", 1, 32, FM_JR_ANY, false, &number, err)) != FM_OK ||
            (st = fm_jr_no_unknown(o, p, known, COUNT(known), err)) != FM_OK) {
            free(code);
            free(number);
            return st;
        }
        /* A bill is the pair (code, number): the same number under another code is another bill. */
        for (size_t b = 0; b < c->n_bills && b < FM_MAX_BILLS; b++)
            if (strcmp(c->bills[b].invoice_code, code) == 0 &&
                strcmp(c->bills[b].invoice_number, number) == 0)
                ctx->bill_already_claimed[b] = true;
        free(code);
        free(number);
    }
    return FM_OK;
}

fm_status rules_parse_context(const char *buf, size_t len, const fm_claim *c, rules_claim_context *out,
                              fm_error *err)
{
    static const char *const known[] = {"policy", "member", "usage", "household_medical_paid",
                                        "claimed_invoices"};
    static const char *const policy_known[] = {"plan_year", "coverage_start", "coverage_end"};
    static const char *const member_known[] = {"role", "renewal", "deceased"};
    const char *roles[FM_ROLE_COUNT];
    json_t *root = NULL, *o;
    fm_status st;
    int64_t year = 0;
    int role = 0;

    memset(out, 0, sizeof *out);
    for (int i = 0; i < FM_ROLE_COUNT; i++)
        roles[i] = fm_role_name((fm_role)i);
    if ((st = load(buf, len, &root, err)) != FM_OK)
        goto fail;
    if ((st = fm_jr_value(root, "", "policy", true, &o, err)) != FM_OK)
        goto fail;
    if (o != NULL) {
        if ((st = fm_jr_is_object(o, "policy", err)) != FM_OK ||
            (st = fm_jr_int(o, "policy", "plan_year", 2000, 2100, "OUT_OF_RANGE", false, NULL, &year, err)) !=
                FM_OK ||
            (st = fm_jr_date(o, "policy", "coverage_start", false, NULL, &out->ctx.coverage_start, err)) !=
                FM_OK ||
            (st = fm_jr_date(o, "policy", "coverage_end", false, NULL, &out->ctx.coverage_end, err)) !=
                FM_OK ||
            (st = fm_jr_no_unknown(o, "policy", policy_known, COUNT(policy_known), err)) != FM_OK)
            goto fail;
        out->has_policy = true;
        out->ctx.policy_found = true;
        out->ctx.plan_year = (int)year;
    }
    if ((st = fm_jr_value(root, "", "member", true, &o, err)) != FM_OK)
        goto fail;
    if (o != NULL) {
        if ((st = fm_jr_is_object(o, "member", err)) != FM_OK ||
            (st = fm_jr_enum(o, "member", "role", roles, FM_ROLE_COUNT, &role, err)) != FM_OK ||
            (st = fm_jr_bool(o, "member", "renewal", &out->ctx.renewal, err)) != FM_OK ||
            (st = opt_bool(o, "member", "deceased", &out->ctx.deceased, err)) != FM_OK ||
            (st = fm_jr_no_unknown(o, "member", member_known, COUNT(member_known), err)) != FM_OK)
            goto fail;
        out->ctx.person_found = true;
        out->ctx.role = (fm_role)role;
    }
    if ((st = read_usage(root, &out->ctx.usage, err)) != FM_OK ||
        (st = per_liability(root, "", "household_medical_paid", out->ctx.household_medical_paid, err)) !=
            FM_OK ||
        (st = read_claimed(root, c, &out->ctx, err)) != FM_OK ||
        (st = fm_jr_no_unknown(root, "", known, COUNT(known), err)) != FM_OK)
        goto fail;
    json_decref(root);
    return FM_OK;
fail:
    json_decref(root);
    memset(out, 0, sizeof *out);
    return st;
}

fm_status rules_parse_facts(const char *buf, size_t len, size_t n_members, fm_enrollment_facts *out,
                            fm_error *err)
{
    static const char *const known[] = {"household_has_policy", "members"};
    static const char *const member_known[] = {"insured_elsewhere", "insured_last_year"};
    json_t *root = NULL, *arr;
    fm_status st;

    memset(out, 0, sizeof *out);
    if ((st = load(buf, len, &root, err)) != FM_OK ||
        (st = opt_bool(root, "", "household_has_policy", &out->household_has_policy, err)) != FM_OK)
        goto fail;
    if (optional(root, "members") != NULL) {
        if ((st = fm_jr_array(root, "", "members", 0, n_members, &arr, err)) != FM_OK)
            goto fail;
        for (size_t i = 0; i < json_array_size(arr); i++) {
            char p[FM_JR_PATH_LEN];
            json_t *o = json_array_get(arr, i);
            fm_jr_index(p, sizeof p, "members", i);
            if ((st = fm_jr_is_object(o, p, err)) != FM_OK ||
                (st = opt_bool(o, p, "insured_elsewhere", &out->members[i].insured_elsewhere, err)) !=
                    FM_OK ||
                (st = opt_bool(o, p, "insured_last_year", &out->members[i].insured_last_year, err)) !=
                    FM_OK ||
                (st = fm_jr_no_unknown(o, p, member_known, COUNT(member_known), err)) != FM_OK)
                goto fail;
        }
    }
    if ((st = fm_jr_no_unknown(root, "", known, COUNT(known), err)) != FM_OK)
        goto fail;
    json_decref(root);
    return FM_OK;
fail:
    json_decref(root);
    memset(out, 0, sizeof *out);
    return st;
}
