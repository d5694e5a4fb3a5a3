/* fm_plan_read.c — reading the plan catalogue (schemas/plans/plan-*.json) into the domain's fm_plan structs,
 * with every check the format makes; the domain (fm_plan.c) keeps the structs and lookups and does no I/O. */
#include "fm_plan_read.h"

#include "fm_dates.h"
#include "fm_jread.h"

#include <dirent.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Paths in messages are cut to fit fm_error: a truncated path is still a useful message, so this
 * wrapper keeps the truncation deliberate (and out of -Wformat-truncation's sight). */
__attribute__((format(printf, 3, 4))) static void fmt(char *buf, size_t len, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, len, f, ap);
    va_end(ap);
}

/* The file being read and the JSON path inside it, for error messages. */
typedef struct ctx {
    const char *file;
    fm_error *err;
} ctx;

static fm_status fail(ctx *c, const char *path, const char *code, const char *what)
{
    char full[160];
    fmt(full, sizeof full, "%s:%s", c->file, path);
    fm_error_set(c->err, full, code, "plan catalogue %s: %s: %s", c->file, path, what);
    return FM_EINVAL;
}

/* Every object of the format lists its keys: an unknown key is a typo, refused like in the events (but named
 * in the path: a plan file is the operator's, not personal data). Paths are built as the codec's readers
 * build them (fm_jr_path, fm_jr_index); the codes are the plan format's own (schemas/plans/README.md). */
static fm_status only_keys(ctx *c, json_t *obj, const char *path, const char *const *keys)
{
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        bool known = false;
        for (const char *const *p = keys; *p != NULL; p++)
            known = known || strcmp(*p, k) == 0;
        if (!known) {
            char sub[160];
            fm_jr_path(sub, sizeof sub, path, k);
            return fail(c, sub, "UNKNOWN_FIELD", "unknown field");
        }
    }
    return FM_OK;
}

static fm_status member(ctx *c, json_t *obj, const char *path, const char *key, json_type type, json_t **out)
{
    char sub[160];
    fm_jr_path(sub, sizeof sub, path, key);
    json_t *v = json_object_get(obj, key);
    if (v == NULL)
        return fail(c, sub, "MISSING_FIELD", "required field is missing");
    bool ok = json_typeof(v) == type || (type == JSON_TRUE && json_is_boolean(v));
    if (!ok)
        return fail(c, sub, "WRONG_TYPE", "field has the wrong type");
    *out = v;
    return FM_OK;
}

static fm_status get_amount(ctx *c, json_t *obj, const char *path, const char *key, fm_fen *out)
{
    json_t *v;
    fm_status st = member(c, obj, path, key, JSON_INTEGER, &v);
    if (st != FM_OK)
        return st;
    if (json_integer_value(v) < 0) {
        char sub[160];
        fm_jr_path(sub, sizeof sub, path, key);
        return fail(c, sub, "NEGATIVE_AMOUNT", "amounts are fen >= 0");
    }
    *out = (fm_fen)json_integer_value(v);
    return FM_OK;
}

static fm_status get_int(ctx *c, json_t *obj, const char *path, const char *key, int64_t lo, int64_t hi,
                         const char *code, int32_t *out)
{
    json_t *v;
    fm_status st = member(c, obj, path, key, JSON_INTEGER, &v);
    if (st != FM_OK)
        return st;
    json_int_t x = json_integer_value(v);
    if (x < lo || x > hi) {
        char sub[160], what[96];
        fm_jr_path(sub, sizeof sub, path, key);
        fmt(what, sizeof what, "must be between %lld and %lld", (long long)lo, (long long)hi);
        return fail(c, sub, code, what);
    }
    *out = (int32_t)x;
    return FM_OK;
}

static fm_status get_bool(ctx *c, json_t *obj, const char *path, const char *key, bool *out)
{
    json_t *v;
    fm_status st = member(c, obj, path, key, JSON_TRUE, &v);
    if (st == FM_OK)
        *out = json_is_true(v);
    return st;
}

static fm_status get_text(ctx *c, json_t *obj, const char *path, const char *key, char *buf, size_t len)
{
    json_t *v;
    fm_status st = member(c, obj, path, key, JSON_STRING, &v);
    if (st != FM_OK)
        return st;
    if (json_string_length(v) == 0 || json_string_length(v) >= len) {
        char sub[160];
        fm_jr_path(sub, sizeof sub, path, key);
        return fail(c, sub, "WRONG_TYPE", "text is empty or too long");
    }
    fmt(buf, len, "%s", json_string_value(v));
    return FM_OK;
}

static fm_status get_date(ctx *c, json_t *obj, const char *path, const char *key, fm_date *out)
{
    json_t *v;
    fm_status st = member(c, obj, path, key, JSON_STRING, &v);
    if (st != FM_OK)
        return st;
    if (fm_date_parse(json_string_value(v), out, NULL) != FM_OK) {
        char sub[160];
        fm_jr_path(sub, sizeof sub, path, key);
        return fail(c, sub, "BAD_DATE", "not a YYYY-MM-DD calendar date");
    }
    return FM_OK;
}

/* {"child": n, "parent": n, "guardian": n}: every role, no other key. */
static fm_status get_per_role(ctx *c, json_t *obj, const char *path, const char *key,
                              fm_fen out[FM_ROLE_COUNT])
{
    json_t *v;
    fm_status st = member(c, obj, path, key, JSON_OBJECT, &v);
    if (st != FM_OK)
        return st;
    char sub[160];
    fm_jr_path(sub, sizeof sub, path, key);
    const char *k;
    json_t *x;
    json_object_foreach(v, k, x)
    {
        fm_role r;
        if (!fm_role_parse(k, &r)) {
            char kp[160];
            fm_jr_path(kp, sizeof kp, sub, k);
            return fail(c, kp, "UNKNOWN_ROLE", "not a role (child, parent, guardian)");
        }
    }
    for (int r = 0; r < FM_ROLE_COUNT; r++)
        if ((st = get_amount(c, v, sub, fm_role_name((fm_role)r), &out[r])) != FM_OK)
            return st;
    return FM_OK;
}

static fm_status get_percent(ctx *c, json_t *obj, const char *path, const char *key, int32_t *bp)
{
    int32_t pct = 0; /* get_int writes it only on FM_OK; -O3 cannot see that */
    fm_status st = get_int(c, obj, path, key, 0, 100, "BAD_RATIO", &pct);
    if (st == FM_OK)
        *bp = pct * (FM_BP_ONE / 100);
    return st;
}

static fm_status load_liability(ctx *c, json_t *obj, fm_liability l, const char *path, fm_liability_terms *t)
{
    static const char *const keys[] = {"sum_insured",    "deductible",       "ratio_percent",
                                       "person_limit",   "household_shared", "household_limit",
                                       "waiting_period", "documents",        NULL};
    fm_status st = only_keys(c, obj, path, keys);
    if (st != FM_OK)
        return st;
    if (fm_liability_is_medical(l)) {
        if ((st = get_amount(c, obj, path, "deductible", &t->deductible)) != FM_OK ||
            (st = get_percent(c, obj, path, "ratio_percent", &t->ratio_bp)) != FM_OK ||
            (st = get_per_role(c, obj, path, "person_limit", t->person_limit)) != FM_OK ||
            (st = get_bool(c, obj, path, "household_shared", &t->household_shared)) != FM_OK ||
            (st = get_amount(c, obj, path, "household_limit", &t->household_limit)) != FM_OK)
            return st;
    } else if ((st = get_per_role(c, obj, path, "sum_insured", t->sum_insured)) != FM_OK) {
        return st;
    }
    if ((st = get_bool(c, obj, path, "waiting_period", &t->waiting_period)) != FM_OK)
        return st;
    json_t *docs;
    if ((st = member(c, obj, path, "documents", JSON_ARRAY, &docs)) != FM_OK)
        return st;
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d)
    {
        fm_document doc;
        if (!json_is_string(d) || !fm_document_parse(json_string_value(d), &doc)) {
            char sub[160];
            fmt(sub, sizeof sub, "%s.documents[%zu]", path, i);
            return fail(c, sub, "UNKNOWN_DOCUMENT", "not a document name of the claim event");
        }
        t->documents_required |= FM_DOC_BIT(doc);
    }
    return FM_OK;
}

static fm_status load_liabilities(ctx *c, json_t *root, fm_plan *p)
{
    json_t *obj;
    fm_status st = member(c, root, "", "liabilities", JSON_OBJECT, &obj);
    if (st != FM_OK)
        return st;
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        fm_liability l;
        if (!fm_liability_parse(k, &l)) {
            char sub[160];
            fmt(sub, sizeof sub, "liabilities.%s", k);
            return fail(c, sub, "UNKNOWN_LIABILITY", "not a liability of the scheme");
        }
    }
    for (int l = 0; l < FM_LIAB_COUNT; l++) {
        char sub[160];
        fmt(sub, sizeof sub, "liabilities.%s", fm_liability_name((fm_liability)l));
        if ((st = member(c, obj, "liabilities", fm_liability_name((fm_liability)l), JSON_OBJECT, &v)) !=
                FM_OK ||
            (st = load_liability(c, v, (fm_liability)l, sub, &p->liabilities[l])) != FM_OK)
            return st;
    }
    return FM_OK;
}

static fm_status load_diseases(ctx *c, json_t *root, fm_plan *p)
{
    static const char *const keys[] = {"code", "name_zh", "name_en", "severity", "covered", NULL};
    json_t *arr;
    fm_status st = member(c, root, "", "critical_illnesses", JSON_ARRAY, &arr);
    if (st != FM_OK)
        return st;
    p->n_diseases = json_array_size(arr);
    p->diseases = calloc(p->n_diseases ? p->n_diseases : 1, sizeof *p->diseases);
    if (p->diseases == NULL)
        return FM_ENOMEM;
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        char path[64];
        fm_jr_index(path, sizeof path, "critical_illnesses", i);
        fm_ci_disease *d = &p->diseases[i];
        char severity[16];
        if (!json_is_object(v))
            return fail(c, path, "WRONG_TYPE", "a disease is an object");
        if ((st = only_keys(c, v, path, keys)) != FM_OK ||
            (st = get_text(c, v, path, "code", d->code, sizeof d->code)) != FM_OK ||
            (st = get_text(c, v, path, "name_zh", d->name_zh, sizeof d->name_zh)) != FM_OK ||
            (st = get_text(c, v, path, "name_en", d->name_en, sizeof d->name_en)) != FM_OK ||
            (st = get_text(c, v, path, "severity", severity, sizeof severity)) != FM_OK ||
            (st = get_bool(c, v, path, "covered", &d->covered)) != FM_OK)
            return st;
        if (strcmp(severity, "severe") != 0 && strcmp(severity, "mild") != 0)
            return fail(c, path, "WRONG_TYPE", "severity is severe or mild");
        d->severe = strcmp(severity, "severe") == 0;
        for (size_t j = 0; j < i; j++)
            if (strcmp(p->diseases[j].code, d->code) == 0)
                return fail(c, path, "DUPLICATE_CODE", "the disease code appears twice");
    }
    return FM_OK;
}

/* Optional (older files lack it: then no diagnosis is accident-causable): the codes of the plan's list
 * that an accident can cause. A code the list lacks is a typo that would silently keep a waiting period. */
static fm_status load_accident_causable(ctx *c, json_t *root, fm_plan *p)
{
    json_t *arr = json_object_get(root, "ci_accident_causable");
    if (arr == NULL)
        return FM_OK;
    if (!json_is_array(arr))
        return fail(c, "ci_accident_causable", "WRONG_TYPE", "a list of critical-illness codes");
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        char path[64];
        fm_jr_index(path, sizeof path, "ci_accident_causable", i);
        if (!json_is_string(v))
            return fail(c, path, "WRONG_TYPE", "a critical-illness code");
        fm_ci_disease *d = NULL;
        for (size_t j = 0; j < p->n_diseases && d == NULL; j++)
            if (strcmp(p->diseases[j].code, json_string_value(v)) == 0)
                d = &p->diseases[j];
        if (d == NULL)
            return fail(c, path, "UNKNOWN_CODE", "not a code of critical_illnesses");
        if (d->accident_causable)
            return fail(c, path, "DUPLICATE_CODE", "the code is marked twice");
        d->accident_causable = true;
    }
    return FM_OK;
}

static fm_status load_units(ctx *c, json_t *root, fm_plan *p)
{
    static const char *const keys[] = {"code", "name_zh", "name_en", "kind", "subsidy_split", NULL};
    static const char *const split_keys[] = {"city", "district_or_county", "development_zone", NULL};
    json_t *arr;
    fm_status st = member(c, root, "", "managing_units", JSON_ARRAY, &arr);
    if (st != FM_OK)
        return st;
    p->n_units = json_array_size(arr);
    p->units = calloc(p->n_units ? p->n_units : 1, sizeof *p->units);
    if (p->units == NULL)
        return FM_ENOMEM;
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        char path[64], split_path[96], kind[16];
        fm_jr_index(path, sizeof path, "managing_units", i);
        fmt(split_path, sizeof split_path, "%s.subsidy_split", path);
        fm_managing_unit *u = &p->units[i];
        json_t *split;
        if (!json_is_object(v))
            return fail(c, path, "WRONG_TYPE", "a managing unit is an object");
        if ((st = only_keys(c, v, path, keys)) != FM_OK ||
            (st = get_text(c, v, path, "code", u->code, sizeof u->code)) != FM_OK ||
            (st = get_text(c, v, path, "name_zh", u->name_zh, sizeof u->name_zh)) != FM_OK ||
            (st = get_text(c, v, path, "name_en", u->name_en, sizeof u->name_en)) != FM_OK ||
            (st = get_text(c, v, path, "kind", kind, sizeof kind)) != FM_OK ||
            (st = member(c, v, path, "subsidy_split", JSON_OBJECT, &split)) != FM_OK ||
            (st = only_keys(c, split, split_path, split_keys)) != FM_OK ||
            (st = get_amount(c, split, split_path, "city", &u->split.city)) != FM_OK ||
            (st = get_amount(c, split, split_path, "district_or_county", &u->split.district_or_county)) !=
                FM_OK ||
            (st = get_amount(c, split, split_path, "development_zone", &u->split.development_zone)) != FM_OK)
            return st;
        if (strcmp(kind, "district") == 0)
            u->kind = FM_UNIT_DISTRICT;
        else if (strcmp(kind, "county") == 0)
            u->kind = FM_UNIT_COUNTY;
        else if (strcmp(kind, "zone") == 0)
            u->kind = FM_UNIT_ZONE;
        else
            return fail(c, path, "WRONG_TYPE", "kind is district, county or zone");
        /* Each part is >= 0 and fits in json_int_t, so checked addition only guards absurd values. */
        fm_fen sum;
        if (__builtin_add_overflow(u->split.city, u->split.district_or_county, &sum) ||
            __builtin_add_overflow(sum, u->split.development_zone, &sum) || sum != FM_SUBSIDY_A_FEN) {
            char what[96];
            fmt(what, sizeof what, "the subsidy split of %s must add up to %d fen", u->code,
                FM_SUBSIDY_A_FEN);
            return fail(c, split_path, "SPLIT_NOT_4000", what);
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(p->units[j].code, u->code) == 0)
                return fail(c, path, "DUPLICATE_CODE", "the managing-unit code appears twice");
    }
    return FM_OK;
}

static fm_status load_premiums(ctx *c, json_t *root, fm_plan *p)
{
    static const char *const keys[] = {"A", "B", NULL};
    json_t *obj;
    fm_status st = member(c, root, "", "premiums", JSON_OBJECT, &obj);
    if (st != FM_OK || (st = only_keys(c, obj, "premiums", keys)) != FM_OK)
        return st;
    for (int cat = 0; cat < 2; cat++) {
        json_t *arr;
        const char *name = cat == 0 ? "A" : "B";
        fm_fen *dst = cat == 0 ? p->premium_a : p->premium_b;
        if ((st = member(c, obj, "premiums", name, JSON_ARRAY, &arr)) != FM_OK)
            return st;
        char path[32];
        fmt(path, sizeof path, "premiums.%s", name);
        if (json_array_size(arr) != FM_MAX_PRICED_CHILDREN)
            return fail(c, path, "WRONG_TYPE", "three premiums: for 1, 2 and 3 insured children");
        for (size_t i = 0; i < FM_MAX_PRICED_CHILDREN; i++) {
            json_t *v = json_array_get(arr, i);
            char ip[48];
            fm_jr_index(ip, sizeof ip, path, i);
            if (!json_is_integer(v))
                return fail(c, ip, "WRONG_TYPE", "a premium is an integer amount in fen");
            if (json_integer_value(v) < 0)
                return fail(c, ip, "NEGATIVE_AMOUNT", "amounts are fen >= 0");
            if (cat == 0 && json_integer_value(v) < FM_SUBSIDY_A_FEN)
                return fail(c, ip, "PREMIUM_BELOW_SUBSIDY",
                            "a category-A premium is at least the 4000-fen subsidy");
            dst[i + 1] = (fm_fen)json_integer_value(v);
        }
    }
    return FM_OK;
}

static fm_status load_grades(ctx *c, json_t *root, fm_plan *p)
{
    json_t *arr;
    fm_status st = member(c, root, "", "disability_grade_percent", JSON_ARRAY, &arr);
    if (st != FM_OK)
        return st;
    if (json_array_size(arr) != FM_DISABILITY_GRADES)
        return fail(c, "disability_grade_percent", "BAD_RATIO", "ten percentages, grade 1 to grade 10");
    for (size_t g = 0; g < FM_DISABILITY_GRADES; g++) {
        json_t *v = json_array_get(arr, g);
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 100)
            return fail(c, "disability_grade_percent", "BAD_RATIO", "each grade pays 0 to 100 percent");
        p->disability_grade_bp[g + 1] = (int32_t)json_integer_value(v) * (FM_BP_ONE / 100);
    }
    return FM_OK;
}

/* "none" | "days" (| "full" where allowed) at path.key. */
static fm_status get_prorata(ctx *c, json_t *obj, const char *path, const char *key, bool full_allowed,
                             fm_prorata *out)
{
    json_t *v;
    fm_status st = member(c, obj, path, key, JSON_STRING, &v);
    if (st != FM_OK)
        return st;
    fm_prorata r;
    if (!fm_prorata_parse(json_string_value(v), &r) || (r == FM_PRORATA_FULL && !full_allowed)) {
        char sub[160];
        fm_jr_path(sub, sizeof sub, path, key);
        return fail(c, sub, "BAD_RULE", full_allowed ? "one of none, days, full" : "one of none, days");
    }
    *out = r;
    return FM_OK;
}

/* Issue 16, optional "policy_changes": how the life of a policy after enrollment is priced. Absent: the
 * defaults (fm_policy_terms_default), which track no premium, so that older files keep their decisions. */
static fm_status load_policy_changes(ctx *c, json_t *root, fm_plan *p)
{
    static const char *const keys[] = {"premium_difference",
                                       "category_a_loss_reversal",
                                       "cancellation_refund",
                                       "refund_after_paid_claim",
                                       "cancellation_subsidy_reversal",
                                       "premium_tracking",
                                       "premium_grace_days",
                                       NULL};
    static const char *const path = "policy_changes";
    p->policy = fm_policy_terms_default();
    if (json_object_get(root, path) == NULL)
        return FM_OK;
    json_t *o;
    fm_policy_terms *t = &p->policy;
    fm_status st;
    if ((st = member(c, root, "", path, JSON_OBJECT, &o)) != FM_OK ||
        (st = only_keys(c, o, path, keys)) != FM_OK ||
        (st = get_prorata(c, o, path, "premium_difference", false, &t->premium_difference)) != FM_OK ||
        (st = get_prorata(c, o, path, "category_a_loss_reversal", false, &t->category_a_loss_reversal)) !=
            FM_OK ||
        (st = get_prorata(c, o, path, "cancellation_refund", false, &t->cancellation_refund)) != FM_OK ||
        (st = get_bool(c, o, path, "refund_after_paid_claim", &t->refund_after_paid_claim)) != FM_OK ||
        (st = get_prorata(c, o, path, "cancellation_subsidy_reversal", true,
                          &t->cancellation_subsidy_reversal)) != FM_OK ||
        (st = get_bool(c, o, path, "premium_tracking", &t->premium_tracking)) != FM_OK ||
        (st = get_int(c, o, path, "premium_grace_days", 0, 366, "BAD_PERIOD", &t->premium_grace_days)) !=
            FM_OK)
        return st;
    return FM_OK;
}

static fm_status load_plan(ctx *c, json_t *root, fm_plan *p)
{
    /* A new field: its name here, its reading below (an optional one defaults when absent, as older files
     * lack it). */
    static const char *const keys[] = {"sample",
                                       "note",
                                       "plan_year",
                                       "version",
                                       "start",
                                       "end",
                                       "enrollment_window",
                                       "child_born_on_or_after",
                                       "residence_counts_for_b",
                                       "max_children_b",
                                       "premiums",
                                       "waiting_days",
                                       "renewal_skips_waiting",
                                       "review_threshold",
                                       "disability_grade_percent",
                                       "ci_mild_ratio_percent",
                                       "expected_loss_ratio_percent",
                                       "liabilities",
                                       "critical_illnesses",
                                       "ci_accident_causable",
                                       "managing_units",
                                       "policy_changes",
                                       NULL};
    static const char *const window_keys[] = {"opens", "closes", NULL};
    if (!json_is_object(root))
        return fail(c, "", "WRONG_TYPE", "a plan file holds one JSON object");
    fm_status st;
    json_t *window, *note;
    if ((st = only_keys(c, root, "", keys)) != FM_OK ||
        (st = get_bool(c, root, "", "sample", &p->sample)) != FM_OK ||
        (st = get_int(c, root, "", "plan_year", 2000, 9998, "BAD_PERIOD", &p->plan_year)) != FM_OK ||
        (st = get_text(c, root, "", "version", p->version, sizeof p->version)) != FM_OK ||
        (st = get_date(c, root, "", "start", &p->start)) != FM_OK ||
        (st = get_date(c, root, "", "end", &p->end)) != FM_OK ||
        (st = member(c, root, "", "enrollment_window", JSON_OBJECT, &window)) != FM_OK ||
        (st = only_keys(c, window, "enrollment_window", window_keys)) != FM_OK ||
        (st = get_date(c, window, "enrollment_window", "opens", &p->enrollment_opens)) != FM_OK ||
        (st = get_date(c, window, "enrollment_window", "closes", &p->enrollment_closes)) != FM_OK ||
        (st = get_date(c, root, "", "child_born_on_or_after", &p->child_born_on_or_after)) != FM_OK ||
        (st = get_bool(c, root, "", "residence_counts_for_b", &p->residence_counts_for_b)) != FM_OK ||
        (st = get_int(c, root, "", "max_children_b", 1, FM_MAX_PRICED_CHILDREN, "BAD_RATIO",
                      &p->max_children_b)) != FM_OK ||
        (st = load_premiums(c, root, p)) != FM_OK ||
        (st = get_int(c, root, "", "waiting_days", 0, 366, "BAD_PERIOD", &p->waiting_days)) != FM_OK ||
        (st = get_bool(c, root, "", "renewal_skips_waiting", &p->renewal_skips_waiting)) != FM_OK ||
        (st = get_amount(c, root, "", "review_threshold", &p->review_threshold)) != FM_OK ||
        (st = load_grades(c, root, p)) != FM_OK ||
        (st = get_percent(c, root, "", "ci_mild_ratio_percent", &p->ci_mild_ratio_bp)) != FM_OK ||
        (st = load_liabilities(c, root, p)) != FM_OK || (st = load_diseases(c, root, p)) != FM_OK ||
        (st = load_accident_causable(c, root, p)) != FM_OK || (st = load_units(c, root, p)) != FM_OK ||
        (st = load_policy_changes(c, root, p)) != FM_OK)
        return st;
    if ((note = json_object_get(root, "note")) != NULL && !json_is_string(note))
        return fail(c, "note", "WRONG_TYPE", "the note is text");
    /* Optional (older files lack it): the loss ratio the plan was priced for, which the annual report
     * compares the city's with. Up to 1000 %: a loss-making year is a fact to report, not a malformed file.
     */
    p->expected_loss_ratio_bp = FM_EXPECTED_LOSS_RATIO_BP_DEFAULT;
    if (json_object_get(root, "expected_loss_ratio_percent") != NULL) {
        int32_t pct = 0;
        if ((st = get_int(c, root, "", "expected_loss_ratio_percent", 1, 1000, "BAD_RATIO", &pct)) != FM_OK)
            return st;
        p->expected_loss_ratio_bp = pct * (FM_BP_ONE / 100);
    }
    int sy;
    fm_date_to_ymd(p->start, &sy, NULL, NULL);
    /* A plan year is named after the year it starts in and lasts at most one year. */
    if (sy != p->plan_year || p->end < p->start || p->end >= fm_date_add_years(p->start, 1))
        return fail(c, "start", "BAD_PERIOD", "the plan starts in plan_year and lasts at most one year");
    if (p->enrollment_closes < p->enrollment_opens || p->enrollment_closes > p->end)
        return fail(c, "enrollment_window", "BAD_PERIOD",
                    "the window opens before it closes, closing by plan end");
    if (p->child_born_on_or_after > p->start)
        return fail(c, "child_born_on_or_after", "BAD_PERIOD", "the age cut-off is on or before plan start");
    return FM_OK;
}

/* A plan left half-read: what it owns is freed, the rest zeroed. */
static void plan_clear(fm_plan *p)
{
    free(p->diseases);
    free(p->units);
    memset(p, 0, sizeof *p);
}

/* Reads one file and appends its plan to cat (which has room for it). */
static fm_status load_file(const char *path, fm_plan_catalogue *cat, fm_error *err)
{
    const char *base = strrchr(path, '/');
    ctx c = {base ? base + 1 : path, err};
    json_error_t jerr;
    fm_plan *p = &cat->plans[cat->n_plans];
    memset(p, 0, sizeof *p);
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        /* jansson reports an unreadable file and bad JSON alike; tell them apart by the text. */
        bool io = jerr.line < 1 && jerr.position == 0;
        fm_error_set(err, c.file, io ? "UNREADABLE" : "BAD_JSON", "plan catalogue %s: %s (line %d)", c.file,
                     jerr.text, jerr.line);
        return io ? FM_EIO : FM_EINVAL;
    }
    fm_status st = load_plan(&c, root, p);
    json_decref(root);
    if (st != FM_OK) {
        if (st == FM_ENOMEM)
            fm_error_set(err, c.file, "NO_MEMORY", "out of memory reading %s", c.file);
        plan_clear(p);
        return st;
    }
    cat->n_plans++;
    return FM_OK;
}

static int by_year(const void *a, const void *b)
{
    const fm_plan *x = a, *y = b;
    return (x->plan_year > y->plan_year) - (x->plan_year < y->plan_year);
}

static fm_status check_catalogue(fm_plan_catalogue *cat, fm_error *err)
{
    qsort(cat->plans, cat->n_plans, sizeof cat->plans[0], by_year);
    for (size_t i = 1; i < cat->n_plans; i++) {
        const fm_plan *a = &cat->plans[i - 1], *b = &cat->plans[i];
        if (a->plan_year == b->plan_year || b->start <= a->end) {
            fm_error_set(err, b->version, "OVERLAPPING_PLAN_YEARS",
                         "plan catalogue: plan years %d and %d overlap", a->plan_year, b->plan_year);
            return FM_EINVAL;
        }
    }
    return FM_OK;
}

fm_status fm_plan_catalogue_load_file(const char *path, fm_plan_catalogue **out, fm_error *err)
{
    *out = NULL;
    fm_plan_catalogue *cat = calloc(1, sizeof *cat);
    if (cat == NULL || (cat->plans = calloc(1, sizeof *cat->plans)) == NULL) {
        free(cat);
        fm_error_set(err, "", "NO_MEMORY", "out of memory");
        return FM_ENOMEM;
    }
    fm_status st = load_file(path, cat, err);
    if (st != FM_OK) {
        fm_plan_catalogue_free(cat);
        return st;
    }
    *out = cat;
    return FM_OK;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_plan_file(const char *name)
{
    size_t n = strlen(name);
    return n > strlen("plan-.json") && strncmp(name, "plan-", 5) == 0 && strcmp(name + n - 5, ".json") == 0;
}

fm_status fm_plan_catalogue_load(const char *dir, fm_plan_catalogue **out, fm_error *err)
{
    fm_status st = FM_OK;
    char **names = NULL;
    size_t n = 0, cap = 0;
    fm_plan_catalogue *cat = NULL;
    *out = NULL;

    DIR *d = dir ? opendir(dir) : NULL;
    if (d == NULL) {
        fm_error_set(err, dir ? dir : "", "UNREADABLE", "plan catalogue: cannot open the folder");
        return FM_EIO;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!is_plan_file(de->d_name))
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            char **grown = realloc(names, ncap * sizeof *names);
            if (grown == NULL)
                goto nomem;
            names = grown;
            cap = ncap;
        }
        if ((names[n] = strdup(de->d_name)) == NULL)
            goto nomem;
        n++;
    }
    closedir(d);
    d = NULL;
    if (n == 0) {
        fm_error_set(err, dir, "NO_PLANS", "plan catalogue: no plan-*.json file in the folder");
        st = FM_EINVAL;
        goto fail;
    }
    qsort(names, n, sizeof *names, by_name);
    cat = calloc(1, sizeof *cat);
    if (cat == NULL || (cat->plans = calloc(n, sizeof *cat->plans)) == NULL)
        goto nomem;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= sizeof path) {
            fm_error_set(err, names[i], "UNREADABLE", "plan catalogue: path too long");
            st = FM_EIO;
            goto fail;
        }
        if ((st = load_file(path, cat, err)) != FM_OK)
            goto fail;
    }
    if ((st = check_catalogue(cat, err)) != FM_OK)
        goto fail;
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    *out = cat;
    return FM_OK;

nomem:
    fm_error_set(err, "", "NO_MEMORY", "out of memory");
    st = FM_ENOMEM;
fail:
    if (d != NULL)
        closedir(d);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    fm_plan_catalogue_free(cat);
    return st;
}
