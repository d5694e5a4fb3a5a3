/* fuzz_enrollment_submitted.c — libFuzzer harness: enrollment.submitted decoding, then the eligibility
 * rules on what the decoder accepts (as famins-eligibility does). */
#include "fm_decode.h"
#include "fm_eligibility.h"
#include "fuzz_support.h"

#include <jansson.h>
#include <stdint.h>
#include <string.h>

static void check_accepted(const fm_enrollment *e)
{
    FUZZ_REQUIRE(e->n_members >= 1 && e->n_members <= FM_MAX_MEMBERS, "members within the schema's limits");
    FUZZ_REQUIRE(e->household_id != NULL && e->managing_unit != NULL, "required strings are set");
    for (size_t i = 0; i < e->n_members; i++) {
        FUZZ_REQUIRE(e->members[i].id_number != NULL && e->members[i].name != NULL,
                     "a member's strings are set");
        FUZZ_REQUIRE(strcmp(fm_role_name(e->members[i].role), "?") != 0, "a member's role is a known one");
    }
    fm_enrollment_decision d;
    fm_error err;
    fm_status st = fm_decide_enrollment(fuzz_plans(), e, NULL, &d, &err);
    fuzz_check_result(st, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    fm_enrollment e;
    fm_error err;
    fm_status st = fm_decode_enrollment(buf, size, &e, &err);
    fuzz_check_result(st, &err);
    if (st == FM_OK)
        check_accepted(&e);
    /* On a refusal *out owns nothing: freeing it anyway must be harmless. */
    fm_enrollment_free(&e);

    /* The parse-once form a worker uses decides exactly as the buffer form. */
    json_t *root = NULL;
    fm_error perr;
    if (fm_decode_parse(buf, size, size + 1, &root, &perr) != FM_OK) {
        FUZZ_REQUIRE(st == FM_EINVAL && strcmp(err.code, perr.code) == 0, "a message that does not parse");
        return 0;
    }
    fm_enrollment again;
    fm_error jerr;
    fm_status jst = fm_decode_enrollment_json(root, &again, &jerr);
    FUZZ_REQUIRE(jst == st, "the *_json form returns what the buffer form does");
    if (jst == FM_EINVAL)
        FUZZ_REQUIRE(strcmp(jerr.code, err.code) == 0 && strcmp(jerr.path, err.path) == 0, "the same error");
    fm_enrollment_free(&again);
    json_decref(root);
    return 0;
}
