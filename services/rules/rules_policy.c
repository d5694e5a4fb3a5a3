/* rules_policy.c — famins-rules policy: one policy change decided from the event and a state file. */
#include "rules_policy.h"

#include "fm_cli.h"
#include "fm_dates.h"
#include "fm_decode_policy.h"
#include "fm_encode_policy.h"
#include "fm_idnum.h"
#include "fm_paths.h"
#include "fm_plan_read.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USAGE_POLICY "usage: famins-rules policy --state STATE.json [--plan-dir DIR] [FILE|-]\n"

static fm_status bad(fm_error *err, const char *path, const char *what)
{
    fm_error_set(err, path, "BAD_STATE", "%s", what);
    return FM_EINVAL;
}

static fm_status get_fen(const json_t *o, const char *key, fm_fen *out, fm_error *err)
{
    const json_t *v = json_object_get(o, key);
    if (v == NULL)
        return FM_OK; /* absent: 0 */
    if (!json_is_integer(v))
        return bad(err, key, "an integer (fen)");
    *out = json_integer_value(v);
    return FM_OK;
}

static fm_status get_date_field(const json_t *o, const char *key, bool *present, fm_date *out, fm_error *err)
{
    const json_t *v = json_object_get(o, key);
    if (present)
        *present = false;
    if (v == NULL || json_is_null(v))
        return FM_OK;
    if (!json_is_string(v) || fm_date_parse(json_string_value(v), out, NULL) != FM_OK)
        return bad(err, key, "a date YYYY-MM-DD");
    if (present)
        *present = true;
    return FM_OK;
}

static bool flag(const json_t *o, const char *key)
{
    return json_is_true(json_object_get(o, key));
}

fm_status rules_policy_facts_read(const json_t *root, const fm_plan *plan, rules_policy_facts *out,
                                  fm_error *err)
{
    memset(out, 0, sizeof *out);
    out->member_index = -1;
    if (!json_is_object(root))
        return bad(err, "", "the state file holds one object");
    const json_t *m = json_object_get(root, "member");
    if (json_is_object(m)) {
        out->already_member = flag(m, "already_member");
        out->insured_elsewhere = flag(m, "insured_elsewhere");
        const json_t *role = json_object_get(m, "role");
        if (role != NULL &&
            (!json_is_string(role) || !fm_role_parse(json_string_value(role), &out->member_role)))
            return bad(err, "member.role", "child, parent or guardian");
        const json_t *idx = json_object_get(m, "index");
        if (json_is_integer(idx))
            out->member_index = (int)json_integer_value(idx);
        if (get_date_field(m, "covered_from", NULL, &out->member_covered_from, err) != FM_OK)
            return FM_EINVAL;
    }
    const json_t *p = json_object_get(root, "policy");
    if (p == NULL || json_is_null(p))
        return FM_OK; /* no policy: POLICY_NOT_FOUND */
    if (!json_is_object(p))
        return bad(err, "policy", "an object or null");
    fm_policy_state *st = &out->state;
    st->exists = true;
    const char *cat = json_string_value(json_object_get(p, "category"));
    const char *basis = json_string_value(json_object_get(p, "a_basis"));
    const char *unit = json_string_value(json_object_get(p, "managing_unit"));
    if (cat == NULL || (strcmp(cat, "A") != 0 && strcmp(cat, "B") != 0))
        return bad(err, "policy.category", "A or B");
    st->category = cat[0] == 'A' ? FM_CATEGORY_A : FM_CATEGORY_B;
    if (st->category == FM_CATEGORY_A) {
        if (basis == NULL || (strcmp(basis, "only_child") != 0 && strcmp(basis, "two_daughters") != 0))
            return bad(err, "policy.a_basis", "only_child or two_daughters");
        st->a_basis = strcmp(basis, "only_child") == 0 ? FM_A_BASIS_ONLY_CHILD : FM_A_BASIS_TWO_DAUGHTERS;
    }
    snprintf(out->managing_unit, sizeof out->managing_unit, "%s", unit ? unit : "");
    const json_t *n = json_object_get(p, "n_children");
    if (!json_is_integer(n) || json_integer_value(n) < 1 || json_integer_value(n) > FM_MAX_PRICED_CHILDREN)
        return bad(err, "policy.n_children", "1 to 3");
    st->n_children = (int)json_integer_value(n);
    st->all_children_female = flag(p, "all_children_female");
    st->claim_paid = flag(p, "claim_paid");
    st->coverage_start = plan->start;
    st->coverage_end = plan->end;
    const json_t *split = json_object_get(p, "split");
    if (get_date_field(p, "coverage_start", NULL, &st->coverage_start, err) != FM_OK ||
        get_date_field(p, "cancelled_on", &st->cancelled, &st->cancelled_on, err) != FM_OK ||
        get_fen(p, "subsidy_reversed", &st->subsidy_reversed, err) != FM_OK ||
        get_fen(p, "premium_paid", &st->premium_paid, err) != FM_OK ||
        get_fen(p, "premium_refunded", &st->premium_refunded, err) != FM_OK)
        return FM_EINVAL;
    /* The premium, subsidy and self-paid of the category and children, unless the file says otherwise. */
    st->premium = fm_policy_premium(plan, st->category, st->n_children);
    st->subsidy = st->category == FM_CATEGORY_A ? FM_SUBSIDY_A_FEN : 0;
    st->self_paid = st->premium - st->subsidy;
    if (get_fen(p, "premium", &st->premium, err) != FM_OK ||
        get_fen(p, "self_paid", &st->self_paid, err) != FM_OK)
        return FM_EINVAL;
    if (st->category == FM_CATEGORY_A) {
        const fm_managing_unit *u = fm_plan_unit(plan, out->managing_unit);
        if (json_is_object(split)) {
            if (get_fen(split, "city", &st->split.city, err) != FM_OK ||
                get_fen(split, "district_or_county", &st->split.district_or_county, err) != FM_OK ||
                get_fen(split, "development_zone", &st->split.development_zone, err) != FM_OK)
                return FM_EINVAL;
        } else if (u != NULL) {
            st->split = u->split;
        } else {
            return bad(err, "policy.split", "a category-A policy needs its unit's split");
        }
    }
    return FM_OK;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 1 << 20;
    char *b = malloc(cap + 1);
    size_t n = b ? fread(b, 1, cap, f) : 0;
    if (f != stdin)
        fclose(f);
    if (b != NULL)
        b[n] = '\0';
    *len = n;
    return b;
}

static int decide_file(const char *file, const char *state_file, const fm_plan_catalogue *cat)
{
    fm_error err;
    fm_error_clear(&err);
    fm_policy_event ev;
    size_t len = 0;
    char *buf = slurp(file, &len);
    int rc = 1;
    json_t *sroot = NULL, *out = NULL;
    memset(&ev, 0, sizeof ev);
    if (buf == NULL || fm_decode_policy_event(buf, len, &ev, &err) != FM_OK) {
        fprintf(stderr, "famins-rules: %s: %s: %s\n", file, err.path, buf ? err.code : "UNREADABLE");
        goto done;
    }
    const fm_plan *plan = fm_plan_for_year(cat, ev.plan_year);
    if (plan == NULL) {
        fprintf(stderr, "famins-rules: %s: plan_year: PLAN_YEAR_NOT_OFFERED\n", file);
        goto done;
    }
    json_error_t jerr;
    rules_policy_facts facts;
    sroot = json_load_file(state_file, JSON_REJECT_DUPLICATES, &jerr);
    if (sroot == NULL || rules_policy_facts_read(sroot, plan, &facts, &err) != FM_OK) {
        fprintf(stderr, "famins-rules: %s: %s: %s\n", state_file, sroot ? err.path : "",
                sroot ? err.code : "INVALID_JSON");
        goto done;
    }
    fm_policy_change ch = {.kind = ev.kind,
                           .on = ev.effective_on,
                           .role = ev.kind == FM_CHANGE_MEMBER_ADDED ? ev.role : facts.member_role,
                           .already_member = facts.already_member,
                           .insured_elsewhere = facts.insured_elsewhere,
                           .member_covered_from = facts.member_covered_from,
                           .amount = ev.amount};
    if (ev.kind == FM_CHANGE_MEMBER_ADDED) {
        fm_idnum id;
        /* Checked as of the change date: a newborn's birth date is on or before it. */
        ch.id_valid = fm_idnum_parse(ev.id_number, ev.effective_on, &id, NULL) == FM_OK;
        ch.birth = ch.id_valid ? id.birth_date : 0;
        ch.female = ch.id_valid && id.sex == FM_SEX_FEMALE;
    }
    fm_policy_change_decision d;
    if (fm_decide_policy_change(plan, &facts.state, &ch, &d, &err) != FM_OK) {
        fprintf(stderr, "famins-rules: %s: %s: %s\n", file, err.path, err.code);
        goto done;
    }
    char number[64];
    snprintf(number, sizeof number, "FJ%d-%s", ev.plan_year, ev.household_id);
    fm_policy_change_record r = {.event = &ev,
                                 .before = &facts.state,
                                 .decision = &d,
                                 .managing_unit = facts.managing_unit,
                                 .policy_number = facts.state.exists ? number : NULL,
                                 .plan_version = plan->version,
                                 .member_index = facts.member_index};
    if (fm_policy_change_json(&r, true, &out) != FM_OK)
        goto done;
    rc = json_dumpf(out, stdout, JSON_INDENT(2)) == 0 && fputc('\n', stdout) != EOF ? 0 : 1;
done:
    json_decref(out);
    json_decref(sroot);
    fm_policy_event_free(&ev);
    free(buf);
    return rc;
}

int rules_policy_main(int argc, char **argv)
{
    const char *state = NULL, *plan_dir = NULL, *file = NULL;
    for (int i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "--state") == 0 || strcmp(argv[i], "--plan-dir") == 0) && i + 1 < argc) {
            *(argv[i][2] == 's' ? &state : &plan_dir) = argv[i + 1];
            i++;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fputs(USAGE_POLICY, stderr);
            return 2;
        } else if (file == NULL) {
            file = argv[i];
        } else {
            fputs(USAGE_POLICY, stderr);
            return 2;
        }
    }
    if (state == NULL) {
        fputs(USAGE_POLICY, stderr);
        return 2;
    }
    fm_error err;
    fm_error_clear(&err);
    char found[PATH_MAX];
    if (plan_dir == NULL)
        plan_dir = getenv("FAMINS_PLAN_DIR");
    if (plan_dir == NULL || plan_dir[0] == '\0') {
        if (fm_paths_data_dir("plans", found, sizeof found, &err) != FM_OK) {
            fprintf(stderr, "famins-rules: %s (%s)\n", err.code, err.text);
            return 1;
        }
        plan_dir = found;
    }
    fm_plan_catalogue *cat = NULL;
    if (fm_plan_catalogue_load(plan_dir, &cat, &err) != FM_OK) {
        fprintf(stderr, "famins-rules: %s: %s: %s\n", plan_dir, err.path, err.code);
        return 1;
    }
    int rc = decide_file(file ? file : "-", state, cat);
    fm_plan_catalogue_free(cat);
    return rc;
}
