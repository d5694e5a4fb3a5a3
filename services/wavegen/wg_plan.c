/* wg_plan.c — reading one plan year of the catalogue (schemas/plans/plan-<year>.json) with jansson. */
#include "wg_plan.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "wg_date.h"

const char *const wg_role_names[WG_ROLE_COUNT] = {"child", "parent", "guardian"};
const char *const wg_liability_names[WG_LIAB_COUNT] = {"death", "critical_illness", "accidental_disability",
                                                       "accident_medical", "illness_hospital"};
const char *const wg_document_names[WG_DOC_COUNT] = {
    "claim_form",       "id_document",       "invoice",
    "medical_record",   "death_certificate", "disability_assessment",
    "diagnosis_report", "accident_report",   "household_register"};

bool wg_plan_has_unit(const wg_plan *plan, const char *code)
{
    for (int i = 0; i < plan->n_units; i++)
        if (strcmp(plan->units[i], code) == 0)
            return true;
    return false;
}

/* Small readers that record the first missing or mistyped field in err and let the caller carry on
 * (the caller checks err->code once at the end). */
static const char *str_at(json_t *o, const char *key, fm_error *err)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (s == NULL && err->code[0] == '\0')
        fm_error_set(err, key, "MISSING", "string field %s missing or not a string", key);
    return s ? s : "";
}

static int64_t int_at(json_t *o, const char *key, fm_error *err)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v)) {
        if (err->code[0] == '\0')
            fm_error_set(err, key, "MISSING", "integer field %s missing or not an integer", key);
        return 0;
    }
    return json_integer_value(v);
}

static bool bool_at(json_t *o, const char *key, fm_error *err)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_boolean(v) && err->code[0] == '\0')
        fm_error_set(err, key, "MISSING", "boolean field %s missing or not a boolean", key);
    return json_is_true(v);
}

static int32_t date_at(json_t *o, const char *key, fm_error *err)
{
    int32_t d = 0;
    if (wg_date_parse(str_at(o, key, err), &d) != FM_OK && err->code[0] == '\0')
        fm_error_set(err, key, "BAD_DATE", "%s is not a YYYY-MM-DD date", key);
    return d;
}

static void roles_at(json_t *o, const char *key, int64_t out[WG_ROLE_COUNT], fm_error *err)
{
    json_t *v = json_object_get(o, key);
    for (int r = 0; r < WG_ROLE_COUNT; r++)
        out[r] = v ? int_at(v, wg_role_names[r], err) : 0;
}

fm_status wg_plan_load(const char *dir, int year, wg_plan *out, fm_error *err)
{
    fm_error local;
    if (err == NULL)
        err = &local;
    fm_error_clear(err);
    char path[4096];
    snprintf(path, sizeof path, "%s/plan-%d.json", dir, year);
    struct stat sb;
    if (stat(path, &sb) != 0) {
        fm_error_set(err, path, "NOT_FOUND", "no plan file for plan year %d", year);
        return FM_ENOTFOUND;
    }
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        fm_error_set(err, path, "UNREADABLE", "line %d: %s", jerr.line, jerr.text);
        return FM_EIO;
    }
    memset(out, 0, sizeof *out);
    out->plan_year = (int)int_at(root, "plan_year", err);
    snprintf(out->version, sizeof out->version, "%s", str_at(root, "version", err));
    out->start = date_at(root, "start", err);
    out->end = date_at(root, "end", err);
    json_t *win = json_object_get(root, "enrollment_window");
    out->opens = date_at(win, "opens", err);
    out->closes = date_at(win, "closes", err);
    out->child_born_on_or_after = date_at(root, "child_born_on_or_after", err);
    out->residence_counts_for_b = bool_at(root, "residence_counts_for_b", err);
    out->max_children_b = (int32_t)int_at(root, "max_children_b", err);
    json_t *prem = json_object_get(root, "premiums");
    for (int c = 0; c < 2; c++) {
        json_t *arr = json_object_get(prem, c == 0 ? "A" : "B");
        for (int n = 1; n <= 3; n++) {
            json_t *v = json_array_get(arr, (size_t)n - 1);
            if (!json_is_integer(v) && err->code[0] == '\0')
                fm_error_set(err, "premiums", "MISSING", "premiums.%s needs three integers",
                             c == 0 ? "A" : "B");
            (c == 0 ? out->premium_a : out->premium_b)[n] = json_integer_value(v);
        }
    }
    out->waiting_days = (int32_t)int_at(root, "waiting_days", err);
    out->renewal_skips_waiting = bool_at(root, "renewal_skips_waiting", err);
    out->review_threshold = int_at(root, "review_threshold", err);
    json_t *grades = json_object_get(root, "disability_grade_percent");
    for (int gr = 1; gr <= 10; gr++)
        out->disability_grade_bp[gr] =
            (int32_t)json_integer_value(json_array_get(grades, (size_t)gr - 1)) * 100;
    out->ci_mild_ratio_bp = (int32_t)int_at(root, "ci_mild_ratio_percent", err) * 100;
    json_t *liabs = json_object_get(root, "liabilities");
    for (int l = 0; l < WG_LIAB_COUNT; l++) {
        json_t *t = json_object_get(liabs, wg_liability_names[l]);
        wg_terms *w = &out->liab[l];
        if (t == NULL) {
            if (err->code[0] == '\0')
                fm_error_set(err, wg_liability_names[l], "MISSING", "liability %s missing",
                             wg_liability_names[l]);
            continue;
        }
        bool medical = l == WG_LIAB_ACCIDENT_MEDICAL || l == WG_LIAB_ILLNESS_HOSPITAL;
        if (medical) {
            w->deductible = int_at(t, "deductible", err);
            w->ratio_bp = (int32_t)int_at(t, "ratio_percent", err) * 100;
            roles_at(t, "person_limit", w->person_limit, err);
            w->household_shared = bool_at(t, "household_shared", err);
            w->household_limit = int_at(t, "household_limit", err);
        } else {
            roles_at(t, "sum_insured", w->sum_insured, err);
        }
        w->waiting_period = bool_at(t, "waiting_period", err);
        json_t *docs = json_object_get(t, "documents");
        size_t i;
        json_t *d;
        json_array_foreach(docs, i, d)
        {
            for (int k = 0; k < WG_DOC_COUNT; k++)
                if (json_is_string(d) && strcmp(json_string_value(d), wg_document_names[k]) == 0)
                    w->documents_required |= 1u << k;
        }
    }
    json_t *cis = json_object_get(root, "critical_illnesses");
    size_t i;
    json_t *ci;
    json_array_foreach(cis, i, ci)
    {
        if (out->n_diseases >= WG_MAX_DISEASES)
            break;
        wg_disease *d = &out->diseases[out->n_diseases++];
        snprintf(d->code, sizeof d->code, "%s", str_at(ci, "code", err));
        d->severe = strcmp(str_at(ci, "severity", err), "severe") == 0;
        d->covered = bool_at(ci, "covered", err);
    }
    json_t *mark; /* the diagnoses an accident can cause (optional list of codes) */
    json_array_foreach(json_object_get(root, "ci_accident_causable"), i, mark)
    {
        for (int k = 0; k < out->n_diseases; k++)
            if (json_is_string(mark) && strcmp(out->diseases[k].code, json_string_value(mark)) == 0)
                out->diseases[k].accident_causable = true;
    }
    json_t *units = json_object_get(root, "managing_units");
    json_t *u;
    json_array_foreach(units, i, u)
    {
        if (out->n_units >= WG_MAX_PLAN_UNITS)
            break;
        snprintf(out->units[out->n_units++], 17, "%s", str_at(u, "code", err));
    }
    json_decref(root);
    if (err->code[0] == '\0' && out->plan_year != year)
        fm_error_set(err, "plan_year", "WRONG_YEAR", "%s holds plan year %d", path, out->plan_year);
    if (err->code[0] == '\0' && (out->n_units == 0 || out->start >= out->end))
        fm_error_set(err, path, "INCOMPLETE", "no managing units, or start not before end");
    return err->code[0] == '\0' ? FM_OK : FM_EINVAL;
}
