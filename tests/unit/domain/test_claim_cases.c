/* test_claim_cases.c — runs the hand-worked claim cases of claim_cases.json through fm_decide_claim. */
#include "domain_fixtures.h"

#include "fm_claim_rules.h"

#include <jansson.h>

#define FM_TEST_CASES FM_TEST_DIR "/claim_cases.json"

static const char *str(json_t *o, const char *k, const char *dflt)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : dflt;
}

static fm_fen num(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_integer(v) ? (fm_fen)json_integer_value(v) : 0;
}

static void run_case(const fm_plan *plan, json_t *tc)
{
    const char *name = str(tc, "name", "?");
    json_t *cj = json_object_get(tc, "claim"), *xj = json_object_get(tc, "context"),
           *ej = json_object_get(tc, "expect");
    static fm_bill bills[FM_MAX_BILLS];
    static char numbers[FM_MAX_BILLS][24];
    static fm_injury injuries[FM_MAX_INJURIES];
    fm_claim c = {0};
    fm_claim_context ctx = {0};
    assert_true(fm_liability_parse(str(cj, "liability", ""), &c.liability));
    assert_true(fm_cause_parse(str(cj, "cause", ""), &c.cause));
    c.incident_date = D(str(cj, "incident_date", ""));
    if (str(cj, "event_date", NULL) != NULL) {
        c.has_event_date = true;
        c.event_date = D(str(cj, "event_date", ""));
    }
    c.critical_illness_code = (char *)str(cj, "critical_illness_code", NULL);
    json_t *docs = json_object_get(cj, "documents");
    if (docs == NULL) {
        c.documents = (1u << FM_DOC_COUNT) - 1;
    } else {
        size_t i;
        json_t *d;
        json_array_foreach(docs, i, d)
        {
            fm_document doc;
            assert_true(fm_document_parse(json_string_value(d), &doc));
            c.documents |= FM_DOC_BIT(doc);
        }
    }
    size_t i;
    json_t *b;
    c.bills = bills;
    json_array_foreach(json_object_get(cj, "bills"), i, b)
    {
        snprintf(numbers[i], sizeof numbers[i], "%08zu", i + 1);
        bills[i] =
            (fm_bill){(char *)"161002300101", numbers[i], json_integer_value(json_array_get(b, 0)),
                      json_integer_value(json_array_get(b, 1)), json_integer_value(json_array_get(b, 2))};
        ctx.bill_already_claimed[i] = json_is_true(json_array_get(b, 3));
        c.n_bills = i + 1;
    }
    c.injuries = injuries;
    json_array_foreach(json_object_get(cj, "injuries"), i, b)
    {
        injuries[i].grade = json_integer_value(b);
        c.n_injuries = i + 1;
    }

    ctx.policy_found = !json_is_false(json_object_get(xj, "policy_found"));
    ctx.person_found = true;
    ctx.plan_year = plan->plan_year;
    ctx.coverage_start = plan->start;
    ctx.coverage_end = plan->end;
    assert_true(fm_role_parse(str(xj, "role", "child"), &ctx.role));
    ctx.renewal = json_is_true(json_object_get(xj, "renewal"));
    ctx.deceased = json_is_true(json_object_get(xj, "deceased"));
    ctx.usage.disability_paid = num(xj, "disability_paid");
    ctx.usage.ci_mild_paid = num(xj, "ci_mild_paid");
    ctx.usage.deductible_used[c.liability] = num(xj, "deductible_used");
    ctx.usage.medical_paid[c.liability] = num(xj, "medical_paid");
    ctx.household_medical_paid[c.liability] = num(xj, "household_medical_paid");

    fm_claim_decision d;
    fm_error err;
    assert_int_equal(fm_decide_claim(plan, &c, &ctx, &d, &err), FM_OK);
    bool ok = strcmp(fm_claim_outcome_name(d.outcome), str(ej, "outcome", "")) == 0 &&
              d.payable == num(ej, "payable") && d.full == num(ej, "full") &&
              d.n_reasons == json_array_size(json_object_get(ej, "reasons"));
    for (size_t r = 0; ok && r < d.n_reasons; r++)
        ok = strcmp(fm_reason_id(d.reasons[r]),
                    json_string_value(json_array_get(json_object_get(ej, "reasons"), r))) == 0;
    if (!ok) {
        print_error("case %s: got %s payable %lld full %lld reasons", name, fm_claim_outcome_name(d.outcome),
                    (long long)d.payable, (long long)d.full);
        for (size_t r = 0; r < d.n_reasons; r++)
            print_error(" %s", fm_reason_id(d.reasons[r]));
        print_error("\n");
    }
    assert_true(ok);
}

static void hand_worked_claim_cases_hold(void **state)
{
    (void)state;
    fm_plan_catalogue *cat = load_samples();
    json_error_t jerr;
    json_t *root = json_load_file(FM_TEST_CASES, 0, &jerr);
    assert_non_null(root);
    json_t *cases = json_object_get(root, "cases");
    assert_true(json_array_size(cases) > 20);
    size_t i;
    json_t *tc;
    json_array_foreach(cases, i, tc) run_case(fm_plan_for_year(cat, 2026), tc);
    json_decref(root);
    fm_plan_catalogue_free(cat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hand_worked_claim_cases_hold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
