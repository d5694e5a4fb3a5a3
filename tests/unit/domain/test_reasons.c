/* test_reasons.c — every reason code has a distinct stable id and both labels. */
#include "fm_test.h"

#include "fm_model.h"
#include "fm_reasons.h"

#include <string.h>

static void every_reason_has_an_id_and_two_labels(void **state)
{
    (void)state;
    for (int r = 1; r < FM_REASON_COUNT; r++) {
        const char *id = fm_reason_id((fm_reason)r);
        assert_string_not_equal(id, "?");
        assert_true(strlen(fm_reason_label_en((fm_reason)r)) > 3);
        assert_true(strlen(fm_reason_label_zh((fm_reason)r)) > 3);
        fm_reason back = FM_REASON_NONE;
        assert_true(fm_reason_parse(id, &back));
        assert_int_equal(back, r);
        for (int s = 1; s < r; s++)
            assert_string_not_equal(fm_reason_id((fm_reason)s), id);
    }
    assert_string_equal(fm_reason_id(FM_REASON_CHILD_OVER_AGE), "CHILD_OVER_AGE");
    assert_string_equal(fm_reason_label_en(FM_REASON_CHILD_OVER_AGE), "Child over the age limit");
    assert_string_equal(fm_reason_label_zh(FM_REASON_CHILD_OVER_AGE), "子女超过年龄上限");
    assert_string_equal(fm_reason_id(FM_REASON_COUNT), "?");
    fm_reason r;
    assert_false(fm_reason_parse("NOT_A_REASON", &r));
}

static void enum_names_round_trip(void **state)
{
    (void)state;
    for (int i = 0; i < FM_LIAB_COUNT; i++) {
        fm_liability l;
        assert_true(fm_liability_parse(fm_liability_name((fm_liability)i), &l));
        assert_int_equal(l, i);
    }
    for (int i = 0; i < FM_DOC_COUNT; i++) {
        fm_document d;
        assert_true(fm_document_parse(fm_document_name((fm_document)i), &d));
        assert_int_equal(d, i);
    }
    fm_role role;
    assert_true(fm_role_parse("guardian", &role));
    assert_int_equal(role, FM_ROLE_GUARDIAN);
    assert_false(fm_role_parse("Child", &role));
    assert_string_equal(fm_claim_outcome_name(FM_CLAIM_PENDING_REVIEW), "pending_review");
    assert_string_equal(fm_consent_channel_name(FM_CONSENT_AGENT_DEVICE), "agent_device");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_reason_has_an_id_and_two_labels),
        cmocka_unit_test(enum_names_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
