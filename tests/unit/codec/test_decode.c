/* test_decode.c — the decoders' contract: fields land in the structs; every refusal names its path and code.
 */
#include "fm_dates.h"
#include "fm_decode.h"
#include "fm_intake.h"
#include "fm_jread.h"
#include "fm_test.h"

#include <stdlib.h>
#include <string.h>

static const char ENROLLMENT[] =
    "{\"event_id\":\"enr-1\",\"type\":\"enrollment.submitted\",\"schema_version\":1,"
    "\"occurred_at\":\"2026-01-15T09:30:00+08:00\",\"producer\":\"t\",\"household_id\":\"H1\",\"plan_year\":"
    "2026,"
    "\"submitted_on\":\"2026-01-15\",\"managing_unit\":\"610113\",\"xian_registration\":true,"
    "\"resident_in_xian_since\":\"2020-05-01\","
    "\"category_evidence\":{\"only_child_certificate\":null,\"rural_two_daughter\":true},"
    "\"applicant\":{\"id_number\":\"610113198703120023\",\"name\":\"刘芳\",\"relation\":\"guardian\"},"
    "\"consent\":{\"given\":true,\"at\":\"2026-01-15T09:20:00Z\",\"channel\":\"agent_device\"},"
    "\"agent\":null,"
    "\"members\":[{\"role\":\"child\",\"id_number\":\"610113201203050027\",\"name\":\"王小雨\",\"previously_"
    "insured\":true},"
    "{\"role\":\"guardian\",\"id_number\":\"610113198703120023\",\"name\":\"刘芳\",\"previously_insured\":"
    "false}]}";

static const char CLAIM[] =
    "{\"event_id\":\"clm-1\",\"type\":\"claim.submitted\",\"schema_version\":1,"
    "\"occurred_at\":\"2026-06-02T10:00:00.123+08:00\",\"producer\":\"t\",\"claim_id\":\"C1\","
    "\"policy_number\":\"FJ2026-H1\",\"insured_id_number\":\"610113201203050027\",\"liability\":\"accidental_"
    "disability\","
    "\"cause\":\"accident\",\"incident_date\":\"2026-05-20\",\"event_date\":\"2026-06-01\",\"report_date\":"
    "\"2026-06-01\","
    "\"bills\":[{\"invoice_code\":\"A\",\"invoice_number\":\"1\",\"amount\":250000,\"paid_by_social_"
    "insurance\":120000,"
    "\"paid_by_other_insurers\":5}],"
    "\"injuries\":[{\"description\":\"hand\",\"grade\":-3}],\"critical_illness_code\":null,"
    "\"documents\":[\"claim_form\",\"disability_assessment\"]}";

/* Replaces the first occurrence of from by to in src: a malformed variant of a good event. */
static char *variant(const char *src, const char *from, const char *to)
{
    const char *at = strstr(src, from);
    assert_non_null(at);
    size_t head = (size_t)(at - src), n = strlen(src) - strlen(from) + strlen(to);
    char *out = malloc(n + 1);
    assert_non_null(out);
    memcpy(out, src, head);
    strcpy(out + head, to);
    strcat(out, at + strlen(from));
    return out;
}

static void expect_enrollment_error(const char *json, const char *path, const char *code)
{
    fm_enrollment e;
    fm_error err;
    fm_error_clear(&err);
    assert_int_equal(fm_decode_enrollment(json, strlen(json), &e, &err), FM_EINVAL);
    assert_string_equal(err.path, path);
    assert_string_equal(err.code, code);
    /* A refused event leaves nothing to free and no half-filled struct behind. */
    assert_null(e.members);
    assert_null(e.household_id);
    assert_null(e.event_id);
}

static void enrollment_fields_are_decoded(void **state)
{
    (void)state;
    fm_enrollment e;
    fm_error err;
    assert_int_equal(fm_decode_enrollment(ENROLLMENT, strlen(ENROLLMENT), &e, &err), FM_OK);
    assert_string_equal(e.event_id, "enr-1");
    assert_string_equal(e.household_id, "H1");
    assert_int_equal(e.plan_year, 2026);
    assert_i64_equal(e.submitted_on, fm_date_from_ymd(2026, 1, 15));
    assert_true(e.has_resident_since);
    assert_i64_equal(e.resident_since, fm_date_from_ymd(2020, 5, 1));
    assert_null(e.only_child_certificate);
    assert_true(e.rural_two_daughter);
    assert_int_equal(e.applicant.relation, FM_ROLE_GUARDIAN);
    assert_string_equal(e.applicant.name, "刘芳");
    assert_true(e.consent.given);
    assert_string_equal(e.consent.at, "2026-01-15T09:20:00Z");
    assert_int_equal(e.consent.channel, FM_CONSENT_AGENT_DEVICE);
    assert_null(e.agent.agent_id);
    assert_int_equal(e.n_members, 2);
    assert_int_equal(e.members[0].role, FM_ROLE_CHILD);
    assert_true(e.members[0].previously_insured);
    assert_int_equal(e.members[1].role, FM_ROLE_GUARDIAN);
    assert_string_equal(e.members[1].id_number, "610113198703120023");
    fm_enrollment_free(&e);
    fm_enrollment_free(&e); /* freeing twice is harmless */
}

static void claim_fields_are_decoded(void **state)
{
    (void)state;
    fm_claim c;
    fm_error err;
    assert_int_equal(fm_decode_claim(CLAIM, strlen(CLAIM), &c, &err), FM_OK);
    assert_int_equal(c.liability, FM_LIAB_ACCIDENTAL_DISABILITY);
    assert_int_equal(c.cause, FM_CAUSE_ACCIDENT);
    assert_true(c.has_event_date);
    assert_i64_equal(c.event_date, fm_date_from_ymd(2026, 6, 1));
    assert_int_equal(c.n_bills, 1);
    assert_fen_equal(c.bills[0].amount, 250000);
    assert_fen_equal(c.bills[0].paid_by_social_insurance, 120000);
    assert_fen_equal(c.bills[0].paid_by_other_insurers, 5);
    assert_int_equal(c.n_injuries, 1);
    assert_i64_equal(c.injuries[0].grade,
                     -3); /* any integer: a bad grade is a decision, not a schema error */
    assert_null(c.critical_illness_code);
    assert_int_equal(c.documents, FM_DOC_BIT(FM_DOC_CLAIM_FORM) | FM_DOC_BIT(FM_DOC_DISABILITY_ASSESSMENT));
    fm_claim_free(&c);
}

static void review_decline_has_no_amount(void **state)
{
    (void)state;
    static const char json[] =
        "{\"event_id\":\"r1\",\"type\":\"claim.reviewed\",\"schema_version\":1,"
        "\"occurred_at\":\"2026-06-10T15:00:00+08:00\",\"producer\":\"desk\",\"claim_id\":\"C1\","
        "\"policy_number\":\"FJ2026-H1\",\"reviewer\":\"R-7\",\"action\":\"decline\","
        "\"amount\":null,\"note\":\"\"}";
    fm_review r;
    fm_error err;
    assert_int_equal(fm_decode_review(json, strlen(json), &r, &err), FM_OK);
    assert_int_equal(r.action, FM_REVIEW_DECLINE);
    assert_false(r.has_amount);
    assert_string_equal(r.note, "");
    fm_review_free(&r);
}

static void nested_errors_name_the_item(void **state)
{
    (void)state;
    char *j = variant(ENROLLMENT, "\"role\":\"guardian\"", "\"role\":\"uncle\"");
    expect_enrollment_error(j, "members[1].role", "NOT_ONE_OF");
    free(j);
    j = variant(ENROLLMENT, "\"previously_insured\":false", "\"previously_insured\":false,\"x\":1");
    expect_enrollment_error(j, "members[1]", "UNKNOWN_FIELD");
    free(j);
    j = variant(ENROLLMENT, "\"rural_two_daughter\":true", "\"rural_two_daughter\":1");
    expect_enrollment_error(j, "category_evidence.rural_two_daughter", "WRONG_TYPE");
    free(j);
}

static void a_child_cannot_be_the_applicant(void **state)
{
    (void)state;
    char *j = variant(ENROLLMENT, "\"relation\":\"guardian\"", "\"relation\":\"child\"");
    expect_enrollment_error(j, "applicant.relation", "NOT_ONE_OF");
    free(j);
}

static void an_integer_with_a_fraction_is_the_wrong_type(void **state)
{
    (void)state;
    char *j = variant(ENROLLMENT, "\"plan_year\":2026", "\"plan_year\":2026.0");
    expect_enrollment_error(j, "plan_year", "WRONG_TYPE");
    free(j);
}

static void lengths_count_characters_not_bytes(void **state)
{
    (void)state;
    char name64[64 * 3 + 1] = "", name65[65 * 3 + 1] = "";
    for (int i = 0; i < 64; i++)
        strcat(name64, "王");
    strcpy(name65, name64);
    strcat(name65, "王");
    char *j = variant(ENROLLMENT, "\"name\":\"王小雨\"", "\"name\":\"NAME\"");
    char *ok = variant(j, "NAME", name64), *bad = variant(j, "NAME", name65);
    fm_enrollment e;
    fm_error err;
    assert_int_equal(fm_decode_enrollment(ok, strlen(ok), &e, &err), FM_OK); /* 192 bytes, 64 characters */
    fm_enrollment_free(&e);
    expect_enrollment_error(bad, "members[0].name", "TOO_LONG");
    free(j);
    free(ok);
    free(bad);
}

static void consent_needs_a_time_only_when_given(void **state)
{
    (void)state;
    char *j = variant(ENROLLMENT, "\"at\":\"2026-01-15T09:20:00Z\"", "\"at\":null");
    expect_enrollment_error(j, "consent.at", "MISSING");
    char *k = variant(j, "\"given\":true", "\"given\":false");
    fm_enrollment e;
    fm_error err;
    assert_int_equal(fm_decode_enrollment(k, strlen(k), &e, &err), FM_OK);
    assert_null(e.consent.at);
    fm_enrollment_free(&e);
    free(j);
    free(k);
}

static void event_date_follows_the_liability(void **state)
{
    (void)state;
    fm_claim c;
    fm_error err;
    char *j = variant(CLAIM, "\"event_date\":\"2026-06-01\"", "\"event_date\":null");
    assert_int_equal(fm_decode_claim(j, strlen(j), &c, &err), FM_EINVAL);
    assert_string_equal(err.path, "event_date");
    assert_string_equal(err.code, "MISSING");
    char *k = variant(CLAIM, "accidental_disability", "illness_hospital");
    assert_int_equal(fm_decode_claim(k, strlen(k), &c, &err), FM_EINVAL);
    assert_string_equal(err.code, "MUST_BE_NULL");
    assert_null(c.bills);
    free(j);
    free(k);
}

static void negative_money_and_bad_documents_are_named(void **state)
{
    (void)state;
    fm_claim c;
    fm_error err;
    char *j = variant(CLAIM, "\"paid_by_other_insurers\":5", "\"paid_by_other_insurers\":-5");
    assert_int_equal(fm_decode_claim(j, strlen(j), &c, &err), FM_EINVAL);
    assert_string_equal(err.path, "bills[0].paid_by_other_insurers");
    assert_string_equal(err.code, "NEGATIVE");
    char *k = variant(CLAIM, "\"disability_assessment\"", "\"disability_assessment\",7");
    assert_int_equal(fm_decode_claim(k, strlen(k), &c, &err), FM_EINVAL);
    assert_string_equal(err.path, "documents[2]");
    assert_string_equal(err.code, "WRONG_TYPE");
    free(j);
    free(k);
}

static void a_decoder_refuses_another_event_type(void **state)
{
    (void)state;
    fm_claim c;
    fm_error err;
    assert_int_equal(fm_decode_claim(ENROLLMENT, strlen(ENROLLMENT), &c, &err), FM_EINVAL);
    assert_string_equal(err.path, "type");
    assert_string_equal(err.code, "WRONG_EVENT_TYPE");
}

static void envelope_routes_and_limits(void **state)
{
    (void)state;
    fm_envelope env;
    fm_error err;
    assert_int_equal(fm_decode_envelope(CLAIM, strlen(CLAIM), 0, &env, &err), FM_OK);
    assert_int_equal(env.type, FM_EVENT_CLAIM_SUBMITTED);
    assert_string_equal(env.event_id, "clm-1");
    assert_string_equal(env.occurred_at, "2026-06-02T10:00:00.123+08:00");
    assert_int_equal(env.schema_version, 1);
    /* Above the caller's limit: refused before parsing. */
    assert_int_equal(fm_decode_envelope(CLAIM, strlen(CLAIM), 100, &env, &err), FM_EINVAL);
    assert_string_equal(err.code, "TOO_LARGE");
    assert_string_equal(err.path, "");
    /* An unknown version or type still names the event for the dead letter. */
    char *j = variant(CLAIM, "\"schema_version\":1", "\"schema_version\":2");
    assert_int_equal(fm_decode_envelope(j, strlen(j), 0, &env, &err), FM_EINVAL);
    assert_string_equal(err.code, "UNKNOWN_SCHEMA_VERSION");
    assert_string_equal(env.event_id, "clm-1");
    char *k = variant(CLAIM, "claim.submitted", "claim.reopened");
    assert_int_equal(fm_decode_envelope(k, strlen(k), 0, &env, &err), FM_EINVAL);
    assert_string_equal(err.code, "UNKNOWN_TYPE");
    assert_string_equal(env.event_id, "clm-1");
    free(j);
    free(k);
}

static void broken_bytes_are_invalid_json_or_utf8(void **state)
{
    (void)state;
    fm_envelope env;
    fm_error err;
    static const char utf8[] = "{\"event_id\":\"a\",\"type\":\"claim.reviewed\",\"producer\":\"\xc3\x28\"}";
    assert_int_equal(fm_decode_envelope(utf8, strlen(utf8), 0, &env, &err), FM_EINVAL);
    assert_string_equal(err.code, "INVALID_UTF8");
    assert_int_equal(fm_decode_envelope(CLAIM, strlen(CLAIM) - 1, 0, &env, &err), FM_EINVAL);
    assert_string_equal(err.code, "INVALID_JSON");
    static const char dup[] = "{\"type\":\"claim.reviewed\",\"type\":\"claim.submitted\"}";
    assert_int_equal(fm_decode_envelope(dup, strlen(dup), 0, &env, &err), FM_EINVAL);
    assert_string_equal(err.code, "INVALID_JSON");
    assert_int_equal(fm_decode_envelope("", 0, 0, &env, &err), FM_EINVAL);
    assert_string_equal(err.code, "INVALID_JSON");
}

static void timestamps_follow_rfc3339_with_offset(void **state)
{
    (void)state;
    assert_true(fm_jr_timestamp_valid("2026-01-15T09:20:00+08:00"));
    assert_true(fm_jr_timestamp_valid("2026-01-15T09:20:00Z"));
    assert_true(fm_jr_timestamp_valid("2024-02-29T23:59:60.123456789-05:30"));
    assert_false(fm_jr_timestamp_valid("2026-01-15T09:20:00"));       /* no offset */
    assert_false(fm_jr_timestamp_valid("2026-01-15 09:20:00+08:00")); /* space */
    assert_false(fm_jr_timestamp_valid("2025-02-29T09:20:00Z"));      /* no such day */
    assert_false(fm_jr_timestamp_valid("2026-01-15T24:00:00Z"));
    assert_false(fm_jr_timestamp_valid("2026-01-15T09:20:00.Z"));
    assert_false(fm_jr_timestamp_valid("2026-01-15T09:20:00.1234567890Z"));
    assert_false(fm_jr_timestamp_valid("2026-01-15T09:20:00+0800"));
    assert_false(fm_jr_timestamp_valid("2026-01-15T09:20:00Zjunk"));
}

static void the_error_text_never_quotes_an_identity_number(void **state)
{
    (void)state;
    char *j = variant(ENROLLMENT, "\"id_number\":\"610113201203050027\"",
                      "\"id_number\":\"610113201203050027610113201203050027\"");
    fm_enrollment e;
    fm_error err;
    assert_int_equal(fm_decode_enrollment(j, strlen(j), &e, &err), FM_EINVAL);
    assert_string_equal(err.code, "TOO_LONG");
    assert_null(strstr(err.text, "6101132012"));
    free(j);
}

/* A made-up identity number (valid check character) used where a key or a value of the message goes. */
#define SECRET_ID "11010519491231002X"

/* Asserts that neither the path, the code nor the text of err holds the identity number or its digits. */
static void assert_no_identity_number(const fm_error *err)
{
    assert_null(strstr(err->path, "1101051949"));
    assert_null(strstr(err->text, "1101051949"));
    assert_null(strstr(err->code, "1101051949"));
    assert_null(strstr(err->text, "1231002"));
}

static void an_unknown_field_is_named_by_its_position_never_by_its_key(void **state)
{
    (void)state;
    fm_enrollment e;
    fm_error err;
    /* at the root */
    char *j = variant(ENROLLMENT, "\"plan_year\":2026", "\"plan_year\":2026,\"" SECRET_ID "\":\"x\"");
    fm_error_clear(&err);
    assert_int_equal(fm_decode_enrollment(j, strlen(j), &e, &err), FM_EINVAL);
    assert_string_equal(err.path, "");
    assert_string_equal(err.code, "UNKNOWN_FIELD");
    assert_string_equal(err.text, "the message has an unknown field");
    free(j);
    /* in an array item */
    j = variant(ENROLLMENT, "\"previously_insured\":false",
                "\"previously_insured\":false,\"" SECRET_ID "\":1");
    fm_error_clear(&err);
    assert_int_equal(fm_decode_enrollment(j, strlen(j), &e, &err), FM_EINVAL);
    assert_string_equal(err.path, "members[1]");
    assert_string_equal(err.code, "UNKNOWN_FIELD");
    assert_string_equal(err.text, "members[1] has an unknown field");
    free(j);
    /* in a nested object of a claim */
    j = variant(CLAIM, "\"paid_by_other_insurers\":5", "\"paid_by_other_insurers\":5,\"" SECRET_ID "\":null");
    fm_claim c;
    fm_error_clear(&err);
    assert_int_equal(fm_decode_claim(j, strlen(j), &c, &err), FM_EINVAL);
    assert_string_equal(err.path, "bills[0]");
    assert_string_equal(err.code, "UNKNOWN_FIELD");
    assert_no_identity_number(&err);
    free(j);
}

/* What a worker's decode step makes of the message: the dead letter's code and text (famins.dead_letters,
 * the .dlq header) must not quote the key either. */
static void an_unknown_key_does_not_reach_the_dead_letter_text(void **state)
{
    (void)state;
    char *j = variant(ENROLLMENT, "\"name\":\"王小雨\"", "\"name\":\"王小雨\",\"" SECRET_ID "\":true");
    json_t *root = NULL;
    fm_envelope env;
    fm_error err;
    fm_error_clear(&err);
    assert_int_equal(fm_intake_open(j, strlen(j), 0, FM_EVENT_ENROLLMENT_SUBMITTED, "enrollment.submitted",
                                    &root, &env, &err),
                     FM_OK);
    fm_enrollment e;
    assert_int_equal(fm_decode_enrollment(j, strlen(j), &e, &err), FM_EINVAL);
    json_decref(root);
    assert_int_equal(fm_intake_dead(&err, fm_intake_body_code(&err)), FM_EINVAL);
    assert_string_equal(err.code, "SCHEMA_VIOLATION");
    assert_string_equal(err.text, "members[0]: UNKNOWN_FIELD: members[0] has an unknown field");
    assert_no_identity_number(&err);
    free(j);
}

/* A topic that carries several types (claim.events): each of them is taken, any other is UNKNOWN_TYPE worded
 * as the one-type topics word it. */
static void a_topic_of_several_types_takes_each_and_refuses_the_rest(void **state)
{
    (void)state;
    static const fm_event_type claims[] = {FM_EVENT_CLAIM_SUBMITTED, FM_EVENT_CLAIM_REVIEWED};
    static const fm_event_type both[] = {FM_EVENT_CLAIM_SUBMITTED, FM_EVENT_ENROLLMENT_SUBMITTED};
    json_t *root = NULL;
    fm_envelope env;
    fm_error err;
    fm_error_clear(&err);
    assert_int_equal(
        fm_intake_open_any(ENROLLMENT, strlen(ENROLLMENT), 0, both, 2, "mixed", &root, &env, &err), FM_OK);
    assert_non_null(root);
    assert_int_equal(env.type, FM_EVENT_ENROLLMENT_SUBMITTED);
    json_decref(root);
    assert_int_equal(
        fm_intake_open_any(ENROLLMENT, strlen(ENROLLMENT), 0, claims, 2, "claim.events", &root, &env, &err),
        FM_EINVAL);
    assert_null(root);
    assert_string_equal(err.code, "UNKNOWN_TYPE");
    assert_string_equal(err.text, "type: WRONG_EVENT_TYPE: enrollment.submitted on the claim.events topic");
    assert_int_equal(fm_intake_open_any("{", 1, 0, claims, 2, "claim.events", &root, &env, &err), FM_EINVAL);
    assert_string_equal(err.code, "INVALID_JSON");
}

/* Values: every refusal of an event holding the number in the wrong places stays silent about it. */
static void no_refusal_quotes_a_value(void **state)
{
    (void)state;
    static const char *const variants[][2] = {
        {"\"schema_version\":1", "\"schema_version\":110105194912310020"},
        {"\"plan_year\":2026", "\"plan_year\":110105194912310020"},
        {"\"plan_year\":2026", "\"plan_year\":\"" SECRET_ID "\""},
        {"\"role\":\"guardian\"", "\"role\":\"" SECRET_ID "\""},
        {"\"relation\":\"guardian\"", "\"relation\":\"" SECRET_ID "\""},
        {"\"submitted_on\":\"2026-01-15\"", "\"submitted_on\":\"" SECRET_ID "\""},
        {"\"at\":\"2026-01-15T09:20:00Z\"", "\"at\":\"" SECRET_ID "\""},
        {"\"household_id\":\"H1\"", "\"household_id\":\"" SECRET_ID " \""},
        {"\"managing_unit\":\"610113\"", "\"managing_unit\":\"" SECRET_ID "\""},
        {"\"id_number\":\"610113201203050027\"", "\"id_number\":\"" SECRET_ID SECRET_ID "\""},
        {"\"xian_registration\":true", "\"xian_registration\":\"" SECRET_ID "\""},
        {"\"members\":[", "\"members\":[\"" SECRET_ID "\","},
        {"\"plan_year\":2026", "\"plan_year\":2026 110105194912310020"},      /* broken JSON */
        {"\"plan_year\":2026", "\"plan_year\":" SECRET_ID},                   /* an unquoted token */
        {"\"plan_year\":2026", "\"plan_year\":\"" SECRET_ID},                 /* unterminated string */
        {"\"plan_year\":2026", "\"" SECRET_ID "\":2026,\"" SECRET_ID "\":1"}, /* duplicate key */
    };
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        char *j = variant(ENROLLMENT, variants[i][0], variants[i][1]);
        fm_enrollment e;
        fm_error err;
        fm_error_clear(&err);
        assert_int_equal(fm_decode_enrollment(j, strlen(j), &e, &err), FM_EINVAL);
        assert_no_identity_number(&err);
        json_t *root = NULL;
        fm_envelope env;
        fm_error_clear(&err);
        if (fm_intake_open(j, strlen(j), 0, FM_EVENT_ENROLLMENT_SUBMITTED, "enrollment.submitted", &root,
                           &env, &err) == FM_OK)
            json_decref(root);
        else
            assert_no_identity_number(&err);
        free(j);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(enrollment_fields_are_decoded),
        cmocka_unit_test(claim_fields_are_decoded),
        cmocka_unit_test(review_decline_has_no_amount),
        cmocka_unit_test(nested_errors_name_the_item),
        cmocka_unit_test(a_child_cannot_be_the_applicant),
        cmocka_unit_test(an_integer_with_a_fraction_is_the_wrong_type),
        cmocka_unit_test(lengths_count_characters_not_bytes),
        cmocka_unit_test(consent_needs_a_time_only_when_given),
        cmocka_unit_test(event_date_follows_the_liability),
        cmocka_unit_test(negative_money_and_bad_documents_are_named),
        cmocka_unit_test(a_decoder_refuses_another_event_type),
        cmocka_unit_test(envelope_routes_and_limits),
        cmocka_unit_test(broken_bytes_are_invalid_json_or_utf8),
        cmocka_unit_test(timestamps_follow_rfc3339_with_offset),
        cmocka_unit_test(the_error_text_never_quotes_an_identity_number),
        cmocka_unit_test(an_unknown_field_is_named_by_its_position_never_by_its_key),
        cmocka_unit_test(an_unknown_key_does_not_reach_the_dead_letter_text),
        cmocka_unit_test(a_topic_of_several_types_takes_each_and_refuses_the_rest),
        cmocka_unit_test(no_refusal_quotes_a_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
