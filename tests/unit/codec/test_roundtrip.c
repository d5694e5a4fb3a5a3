/* test_roundtrip.c — what the encoders write, the decoders read back unchanged (decisions from the real
 * rules). */
#include "fm_claim_rules.h"
#include "fm_dates.h"
#include "fm_decode.h"
#include "fm_eligibility.h"
#include "fm_encode.h"
#include "fm_explain.h"
#include "fm_plan.h"
#include "fm_plan_read.h"
#include "fm_test.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An A household of Yanta district (610113): one child, the father insured too. */
static const char ENROLLMENT_A[] =
    "{\"event_id\":\"rt-enr-1\",\"type\":\"enrollment.submitted\",\"schema_version\":1,"
    "\"occurred_at\":\"2026-05-15T09:30:00+08:00\",\"producer\":\"t\",\"household_id\":\"H-RT-1\",\"plan_"
    "year\":2026,"
    "\"submitted_on\":\"2026-05-15\",\"managing_unit\":\"610113\",\"xian_registration\":true,"
    "\"resident_in_xian_since\":null,"
    "\"category_evidence\":{\"only_child_certificate\":\"610113-2010-1\",\"rural_two_daughter\":false},"
    "\"applicant\":{\"id_number\":\"610113198501010010\",\"name\":\"王建国\",\"relation\":\"parent\"},"
    "\"consent\":{\"given\":true,\"at\":\"2026-05-15T09:20:00+08:00\",\"channel\":\"app\"},\"agent\":null,"
    "\"members\":[{\"role\":\"child\",\"id_number\":\"610113201203050027\",\"name\":\"王小雨\",\"previously_"
    "insured\":false},"
    "{\"role\":\"parent\",\"id_number\":\"610113198501010010\",\"name\":\"王建国\",\"previously_insured\":"
    "false}]}";

typedef struct fixture {
    fm_plan_catalogue *cat;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    fm_error err;
    if (f == NULL || fm_plan_catalogue_load(FAMINS_SOURCE_DIR "/schemas/plans", &f->cat, &err) != FM_OK) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    fm_plan_catalogue_free(f->cat);
    free(f);
    return 0;
}

/* Decodes src with an optional substitution, decides it: the enrollment and its decision. */
static void decide(const fixture *f, const char *src, const char *from, const char *to, fm_enrollment *e,
                   fm_enrollment_decision *d)
{
    char buf[4096];
    const char *at = from ? strstr(src, from) : NULL;
    if (at != NULL)
        snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - src), src, to, at + strlen(from));
    else
        snprintf(buf, sizeof buf, "%s", src);
    fm_error err;
    assert_int_equal(fm_decode_enrollment(buf, strlen(buf), e, &err), FM_OK);
    assert_int_equal(fm_decide_enrollment(f->cat, e, NULL, d, &err), FM_OK);
}

static void accepted_enrollment_survives_the_round_trip(void **state)
{
    fixture *f = *state;
    fm_enrollment e;
    fm_enrollment_decision d;
    fm_enrollment_decided back;
    fm_error err;
    char *json = NULL;
    decide(f, ENROLLMENT_A, NULL, NULL, &e, &d);
    assert_int_equal(d.outcome, FM_ENROLLMENT_ACCEPTED);
    assert_int_equal(fm_encode_enrollment_decided(&e, &d, "famins-dec-1", "2026-05-15T09:31:00+08:00", &json),
                     FM_OK);
    assert_int_equal(fm_decode_enrollment_decided(json, strlen(json), &back, &err), FM_OK);
    assert_string_equal(back.event_id, "famins-dec-1");
    assert_string_equal(back.source_event_id, "rt-enr-1");
    assert_string_equal(back.household_id, "H-RT-1");
    assert_int_equal(back.plan_year, 2026);
    assert_string_equal(back.managing_unit, "610113");
    assert_int_equal(back.outcome, d.outcome);
    assert_int_equal(back.category, d.category);
    assert_string_equal(back.policy_number, d.policy_number);
    assert_int_equal(back.n_members, 2);
    assert_int_equal(back.n_insured, d.n_insured);
    assert_fen_equal(back.premium, d.premium);
    assert_fen_equal(back.subsidy, d.subsidy);
    assert_fen_equal(back.self_paid, d.self_paid);
    assert_true(back.has_split);
    assert_fen_equal(back.split.city, d.subsidy_split.city);
    assert_fen_equal(back.split.district_or_county, d.subsidy_split.district_or_county);
    assert_fen_equal(back.split.development_zone, d.subsidy_split.development_zone);
    assert_true(back.has_coverage);
    assert_i64_equal(back.coverage_start, d.coverage_start);
    assert_i64_equal(back.coverage_end, d.coverage_end);
    assert_string_equal(back.plan_version, d.plan_version);
    /* and the identity numbers stayed out of the event */
    assert_null(strstr(json, "610113201203050027"));
    assert_null(strstr(json, "610113198501010010"));
    free(json);
    fm_enrollment_free(&e);
}

static void rejected_enrollment_survives_the_round_trip(void **state)
{
    fixture *f = *state;
    fm_enrollment e;
    fm_enrollment_decision d;
    fm_enrollment_decided back;
    fm_error err;
    char *json = NULL;
    decide(f, ENROLLMENT_A, "\"given\":true,\"at\":\"2026-05-15T09:20:00+08:00\"",
           "\"given\":false,\"at\":null", &e, &d);
    assert_int_equal(d.outcome, FM_ENROLLMENT_REJECTED);
    assert_int_equal(fm_encode_enrollment_decided(&e, &d, "famins-dec-2", "2026-05-15T09:31:00Z", &json),
                     FM_OK);
    assert_int_equal(fm_decode_enrollment_decided(json, strlen(json), &back, &err), FM_OK);
    assert_int_equal(back.outcome, FM_ENROLLMENT_REJECTED);
    assert_int_equal(back.category, FM_CATEGORY_NONE);
    assert_string_equal(back.policy_number, "");
    assert_false(back.has_split);
    assert_false(back.has_coverage);
    assert_int_equal(back.n_insured, 0);
    assert_int_equal(back.n_reasons, d.n_reasons);
    assert_fen_equal(back.premium, 0);
    free(json);
    fm_enrollment_free(&e);
}

/* The explanation of an enrollment.decided event (en or zh), copied into out. */
static void event_explanation(const char *json, const char *lang, char *out, size_t len)
{
    json_t *o = json_loads(json, 0, NULL);
    assert_non_null(o);
    const char *s = json_string_value(json_object_get(json_object_get(o, "explanation"), lang));
    assert_non_null(s);
    snprintf(out, len, "%s", s);
    json_decref(o);
}

/* Eligibility builds the explanation once and gives it to the decision's row and to its event: the event
 * carries exactly the text it was given, and the text built once is the one the encoder would build. */
static void enrollment_decided_carries_exactly_the_explanation_it_is_given(void **state)
{
    fixture *f = *state;
    fm_enrollment e;
    fm_enrollment_decision d;
    char *json = NULL, got[FM_EXPLANATION_LEN];
    decide(f, ENROLLMENT_A, NULL, NULL, &e, &d);

    fm_explanation x = {.en = "Given\tline \"quoted\" \\ and more.", .zh = "给定的说明。"};
    assert_int_equal(
        fm_encode_enrollment_decided_explained(&e, &d, &x, "famins-dec-x", "2026-05-15T09:31:00Z", &json),
        FM_OK);
    event_explanation(json, "en", got, sizeof got);
    assert_string_equal(got, x.en);
    event_explanation(json, "zh", got, sizeof got);
    assert_string_equal(got, x.zh);
    free(json);

    fm_explanation built;
    fm_explain_enrollment_both(&d, &built);
    assert_true(strlen(built.en) > 10 && strlen(built.zh) > 5);
    char *own = NULL;
    assert_int_equal(fm_encode_enrollment_decided(&e, &d, "famins-dec-x", "2026-05-15T09:31:00Z", &own),
                     FM_OK);
    assert_int_equal(
        fm_encode_enrollment_decided_explained(&e, &d, &built, "famins-dec-x", "2026-05-15T09:31:00Z", &json),
        FM_OK);
    assert_string_equal(json, own);
    event_explanation(json, "en", got, sizeof got);
    assert_string_equal(got, built.en);
    free(own);
    free(json);
    fm_enrollment_free(&e);
}

static void subsidy_is_written_only_for_category_a_and_adds_up(void **state)
{
    fixture *f = *state;
    fm_enrollment e;
    fm_enrollment_decision d;
    char *json = NULL;
    json_error_t jerr;
    decide(f, ENROLLMENT_A, "\"managing_unit\":\"610113\"", "\"managing_unit\":\"610122\"", &e, &d);
    assert_int_equal(
        fm_encode_subsidy_allocated(&e, &d, "famins-dec-3", "famins-sub-3", "2026-05-15T09:31:00Z", &json),
        FM_OK);
    json_t *o = json_loads(json, 0, &jerr);
    assert_non_null(o);
    json_t *payers = json_object_get(o, "payers");
    fm_fen total = 0;
    for (size_t i = 0; i < json_array_size(payers); i++)
        total += json_integer_value(json_object_get(json_array_get(payers, i), "amount"));
    assert_fen_equal(total, 4000);
    assert_fen_equal(json_integer_value(json_object_get(o, "total")), 4000);
    assert_string_equal(json_string_value(json_object_get(o, "source_event_id")), "famins-dec-3");
    assert_string_equal(json_string_value(json_object_get(o, "managing_unit")), "610122");
    json_decref(o);
    free(json);
    fm_enrollment_free(&e);
    /* a B household has no subsidy to allocate */
    decide(f, ENROLLMENT_A, "\"only_child_certificate\":\"610113-2010-1\"", "\"only_child_certificate\":null",
           &e, &d);
    assert_int_equal(d.category, FM_CATEGORY_B);
    assert_int_equal(
        fm_encode_subsidy_allocated(&e, &d, "famins-dec-4", "famins-sub-4", "2026-05-15T09:31:00Z", &json),
        FM_EINVAL);
    assert_null(json);
    fm_enrollment_free(&e);
}

static void self_paid_must_be_premium_minus_subsidy(void **state)
{
    fixture *f = *state;
    fm_enrollment e;
    fm_enrollment_decision d;
    fm_enrollment_decided back;
    fm_error err;
    char *json = NULL;
    decide(f, ENROLLMENT_A, NULL, NULL, &e, &d);
    d.self_paid += 1; /* a decision that does not add up must not pass the consumer */
    assert_int_equal(fm_encode_enrollment_decided(&e, &d, "famins-dec-5", "2026-05-15T09:31:00Z", &json),
                     FM_OK);
    assert_int_equal(fm_decode_enrollment_decided(json, strlen(json), &back, &err), FM_EINVAL);
    assert_string_equal(err.path, "self_paid");
    assert_string_equal(err.code, "INCONSISTENT");
    free(json);
    fm_enrollment_free(&e);
}

static void claim_decision_carries_amounts_reasons_and_review(void **state)
{
    fixture *f = *state;
    static const char claim[] =
        "{\"event_id\":\"rt-clm-1\",\"type\":\"claim.submitted\",\"schema_version\":1,"
        "\"occurred_at\":\"2026-06-02T10:00:00+08:00\",\"producer\":\"t\",\"claim_id\":\"C-RT-1\","
        "\"policy_number\":\"FJ2026-H-RT-1\",\"insured_id_number\":\"610113201203050027\",\"liability\":"
        "\"death\","
        "\"cause\":\"accident\",\"incident_date\":\"2026-05-20\",\"event_date\":\"2026-05-21\",\"report_"
        "date\":\"2026-06-01\","
        "\"bills\":[],\"injuries\":[],\"critical_illness_code\":null,"
        "\"documents\":[\"claim_form\",\"id_document\",\"death_certificate\"]}";
    static const char review[] =
        "{\"event_id\":\"rt-rev-1\",\"type\":\"claim.reviewed\",\"schema_version\":1,"
        "\"occurred_at\":\"2026-06-10T15:00:00+08:00\",\"producer\":\"desk\",\"claim_id\":\"C-RT-1\","
        "\"policy_number\":\"FJ2026-H-RT-1\",\"reviewer\":\"R-7\",\"action\":\"approve\","
        "\"amount\":4000000,\"note\":null}";
    fm_claim c;
    fm_review r;
    fm_claim_context ctx;
    fm_claim_decision d;
    fm_error err;
    json_error_t jerr;
    char *json = NULL;
    memset(&ctx, 0, sizeof ctx);
    ctx.policy_found = ctx.person_found = true;
    ctx.plan_year = 2026;
    ctx.coverage_start = fm_date_from_ymd(2026, 3, 1);
    ctx.coverage_end = fm_date_from_ymd(2027, 2, 28);
    ctx.role = FM_ROLE_CHILD;
    assert_int_equal(fm_decode_claim(claim, strlen(claim), &c, &err), FM_OK);
    assert_int_equal(fm_decode_review(review, strlen(review), &r, &err), FM_OK);
    const fm_plan *plan = fm_plan_for_year(f->cat, 2026);
    assert_non_null(plan);
    assert_int_equal(fm_decide_review(plan, &c, &ctx, &r, &d, &err), FM_OK);
    assert_int_equal(fm_encode_claim_decided(&c, &d, &r, "famins-clm-1", "2026-06-10T15:00:01+08:00", &json),
                     FM_OK);
    json_t *o = json_loads(json, 0, &jerr);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "type")), "claim.decided");
    assert_string_equal(json_string_value(json_object_get(o, "source_event_id")), "rt-rev-1");
    assert_string_equal(json_string_value(json_object_get(o, "outcome")), fm_claim_outcome_name(d.outcome));
    assert_fen_equal(json_integer_value(json_object_get(o, "payable")), d.payable);
    assert_fen_equal(json_integer_value(json_object_get(o, "full")), d.full);
    json_t *reasons = json_object_get(o, "reasons");
    assert_int_equal(json_array_size(reasons), d.n_reasons);
    for (size_t i = 0; i < d.n_reasons; i++)
        assert_string_equal(json_string_value(json_array_get(reasons, i)), fm_reason_id(d.reasons[i]));
    json_t *rv = json_object_get(o, "review");
    assert_string_equal(json_string_value(json_object_get(rv, "event_id")), "rt-rev-1");
    assert_fen_equal(json_integer_value(json_object_get(rv, "amount")), 4000000);
    assert_string_equal(json_string_value(json_object_get(json_object_get(o, "parameters"), "plan_version")),
                        d.plan_version);
    assert_null(strstr(json, "610113201203050027"));
    /* One encoding for the event and the decision's record: the same bytes, and its parameters object. */
    char *again = NULL, *params = NULL;
    assert_int_equal(fm_encode_claim_decided_params(&c, &d, &r, "famins-clm-1", "2026-06-10T15:00:01+08:00",
                                                    &again, &params),
                     FM_OK);
    assert_string_equal(again, json);
    char *expected = json_dumps(json_object_get(o, "parameters"), JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(params, expected);
    free(expected);
    free(again);
    free(params);
    assert_int_equal(
        fm_encode_claim_decided_params(&c, &d, &r, NULL, "2026-06-10T15:00:01+08:00", &again, &params),
        FM_EINVAL);
    assert_null(again);
    assert_null(params);
    /* The adjudicator builds the explanation once for the decision's record and its event: given, the event
     * carries exactly it, even a line longer than the record's old 512-byte buffer (eight reasons, Chinese).
     */
    fm_claim_decision many = d;
    many.outcome = FM_CLAIM_DECLINED;
    many.n_reasons = FM_MAX_CLAIM_REASONS;
    for (size_t i = 0; i < many.n_reasons; i++)
        many.reasons[i] = (fm_reason)(FM_REASON_POLICY_NOT_FOUND + i);
    fm_explanation x;
    fm_explain_claim_both(&many, c.liability, &x);
    assert_true(strlen(x.en) > 300 && strlen(x.zh) > 300);
    assert_int_equal(fm_encode_claim_decided_explained(&c, &many, &r, &x, "famins-clm-2",
                                                       "2026-06-10T15:00:01+08:00", &again, &params),
                     FM_OK);
    char got[FM_EXPLANATION_LEN];
    event_explanation(again, "en", got, sizeof got);
    assert_string_equal(got, x.en);
    event_explanation(again, "zh", got, sizeof got);
    assert_string_equal(got, x.zh);
    char *own = NULL;
    assert_int_equal(
        fm_encode_claim_decided(&c, &many, &r, "famins-clm-2", "2026-06-10T15:00:01+08:00", &own), FM_OK);
    assert_string_equal(again, own); /* the text built once is the one the encoder builds itself */
    free(own);
    free(again);
    free(params);
    json_decref(o);
    free(json);
    fm_claim_free(&c);
    fm_review_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepted_enrollment_survives_the_round_trip),
        cmocka_unit_test(rejected_enrollment_survives_the_round_trip),
        cmocka_unit_test(enrollment_decided_carries_exactly_the_explanation_it_is_given),
        cmocka_unit_test(subsidy_is_written_only_for_category_a_and_adds_up),
        cmocka_unit_test(self_paid_must_be_premium_minus_subsidy),
        cmocka_unit_test(claim_decision_carries_amounts_reasons_and_review),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
