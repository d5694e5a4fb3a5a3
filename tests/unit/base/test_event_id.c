/* test_event_id.c — fm_derived_event_id: the ids each service produced before this function existed, byte for
 * byte (consumers deduplicate on them), and its refusals. */
#include <string.h>

#include "fm_event_id.h"
#include "fm_test.h"

/* source, enrollment.decided, subsidy.allocated, claim.decided: as elig_decided_event_id, subs_event_id and
 * adj_decided_event_id made them (each service's own code until the formats became data). */
static const char *const GOLDEN[][4] = {
    {"eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee",
     "dec-eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee",
     "sub-eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee",
     "famins-clm-dec-eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"},
    {"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
     "dec-ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
     "sub-ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
     "famins-clm-dec-h65bca1bb77b92ed567a0620f379b2eac"},
    {"ggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg",
     "dech-24efc08889cdac10095068b4a2b2914b-gggggggggggggggggggggggggg",
     "subh-24efc08889cdac10095068b4a2b2914b-gggggggggggggggggggggggggg",
     "famins-clm-dec-h07d6446cb92b7f7a1fcd60fe4348911d"},
    {"enr-2026-1", "dec-enr-2026-1", "sub-enr-2026-1", "famins-clm-dec-enr-2026-1"},
    {"x", "dec-x", "sub-x", "famins-clm-dec-x"},
    {"a-60-char-id-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     "dech-8dfdd8c12eb92992680d6b299b1efd1a-a-60-char-id-aaaaaaaaaaaaa",
     "subh-8dfdd8c12eb92992680d6b299b1efd1a-a-60-char-id-aaaaaaaaaaaaa",
     "famins-clm-dec-h87ee29505584c5085b56decd320b3039"},
    {"an-id-of-exactly-fifty-characters-xxxxxxxxxxxxxxxx",
     "dec-an-id-of-exactly-fifty-characters-xxxxxxxxxxxxxxxx",
     "sub-an-id-of-exactly-fifty-characters-xxxxxxxxxxxxxxxx",
     "famins-clm-dec-ha2ab1296dceaf8f66059181fb9ebce2f"},
    {"clm:2026:üñï-long-long-long-long-long-long-long-long-long-long-long-long-end",
     "dech-82727f104554a858a351aecd019850bf-clm:2026:üñï-long-long-",
     "subh-82727f104554a858a351aecd019850bf-clm:2026:üñï-long-long-",
     "famins-clm-dec-h8db2d7a131ba0eea58f0c5f2b2135d7d"},
};

static void ids_are_the_ones_each_service_made(void **state)
{
    (void)state;
    char out[FM_EVENT_ID_LEN + 1];
    for (size_t i = 0; i < sizeof GOLDEN / sizeof GOLDEN[0]; i++) {
        assert_int_equal(fm_derived_event_id(&FM_ID_ENROLLMENT_DECIDED, GOLDEN[i][0], out), FM_OK);
        assert_string_equal(out, GOLDEN[i][1]);
        assert_int_equal(fm_derived_event_id(&FM_ID_SUBSIDY_ALLOCATED, GOLDEN[i][0], out), FM_OK);
        assert_string_equal(out, GOLDEN[i][2]);
        assert_int_equal(fm_derived_event_id(&FM_ID_CLAIM_DECIDED, GOLDEN[i][0], out), FM_OK);
        assert_string_equal(out, GOLDEN[i][3]);
        assert_true(strlen(out) <= FM_EVENT_ID_LEN);
    }
}

static void no_source_no_id(void **state)
{
    (void)state;
    char out[FM_EVENT_ID_LEN + 1] = "x";
    assert_int_equal(fm_derived_event_id(&FM_ID_CLAIM_DECIDED, NULL, out), FM_EINVAL);
    assert_string_equal(out, "");
    assert_int_equal(fm_derived_event_id(&FM_ID_ENROLLMENT_DECIDED, "", out), FM_EINVAL);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ids_are_the_ones_each_service_made),
        cmocka_unit_test(no_source_no_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
