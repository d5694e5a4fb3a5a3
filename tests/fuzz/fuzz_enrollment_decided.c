/* fuzz_enrollment_decided.c — libFuzzer harness: enrollment.decided decoding, the input of famins-subsidy
 * (fm_decode_enrollment_decided). */
#include "fm_decode.h"
#include "fuzz_support.h"

#include <jansson.h>
#include <stdint.h>
#include <string.h>

static bool terminated(const char *s, size_t size)
{
    return memchr(s, '\0', size) != NULL;
}

static void check_accepted(const fm_enrollment_decided *d)
{
    FUZZ_REQUIRE(terminated(d->event_id, sizeof d->event_id) &&
                     terminated(d->household_id, sizeof d->household_id) &&
                     terminated(d->managing_unit, sizeof d->managing_unit) &&
                     terminated(d->policy_number, sizeof d->policy_number) &&
                     terminated(d->plan_version, sizeof d->plan_version),
                 "fixed-size strings are terminated");
    FUZZ_REQUIRE(d->n_insured <= d->n_members, "no more insured than members");
    /* What the subsidy ledger relies on (the decoder's own rules, schemas/events/README.md). */
    FUZZ_REQUIRE(d->self_paid == d->premium - d->subsidy, "self_paid = premium - subsidy");
    if (d->outcome == FM_ENROLLMENT_REJECTED)
        FUZZ_REQUIRE(d->category == FM_CATEGORY_NONE && d->policy_number[0] == '\0' && !d->has_coverage,
                     "a rejection has no category, policy or coverage");
    else
        FUZZ_REQUIRE(d->category != FM_CATEGORY_NONE && d->policy_number[0] != '\0' && d->has_coverage,
                     "an acceptance has a category, a policy and coverage");
    FUZZ_REQUIRE(d->has_split == (d->category == FM_CATEGORY_A), "a subsidy split exactly for category A");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    fm_enrollment_decided d;
    fm_error err;
    fm_status st = fm_decode_enrollment_decided(buf, size, &d, &err);
    fuzz_check_result(st, &err);
    if (st == FM_OK)
        check_accepted(&d);

    /* The parse-once form a worker uses decides exactly as the buffer form. */
    json_t *root = NULL;
    fm_error perr;
    if (fm_decode_parse(buf, size, size + 1, &root, &perr) != FM_OK) {
        FUZZ_REQUIRE(st == FM_EINVAL && strcmp(err.code, perr.code) == 0, "a message that does not parse");
        return 0;
    }
    fm_enrollment_decided again;
    fm_error jerr;
    fm_status jst = fm_decode_enrollment_decided_json(root, &again, &jerr);
    FUZZ_REQUIRE(jst == st, "the *_json form returns what the buffer form does");
    if (jst == FM_EINVAL)
        FUZZ_REQUIRE(strcmp(jerr.code, err.code) == 0 && strcmp(jerr.path, err.path) == 0, "the same error");
    json_decref(root);
    return 0;
}
