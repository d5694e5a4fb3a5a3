/* fuzz_claim_reviewed.c — libFuzzer harness: claim.reviewed decoding, then the review rules on what the
 * decoder accepts, against a pending medical claim (as famins-adjudicator does). */
#include "fm_claim_rules.h"
#include "fm_decode.h"
#include "fuzz_support.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The claim under review: a hospital bill above the plan's review threshold (no personal data: the number is
 * the format's test value). */
static const char PENDING_CLAIM[] =
    "{\"event_id\":\"fuzz-claim-1\",\"type\":\"claim.submitted\",\"schema_version\":1,"
    "\"occurred_at\":\"2026-06-02T10:00:00+08:00\",\"producer\":\"famins-fuzz\",\"claim_id\":\"C2026999999\","
    "\"policy_number\":\"FJ2026-H610113000001\",\"insured_id_number\":\"11010520120305001X\","
    "\"liability\":\"illness_hospital\",\"cause\":\"illness\",\"incident_date\":\"2026-09-30\","
    "\"event_date\":null,\"report_date\":\"2026-10-03\",\"bills\":[{\"invoice_code\":\"161002300201\","
    "\"invoice_number\":\"00020001\",\"amount\":9000000,\"paid_by_social_insurance\":20000,"
    "\"paid_by_other_insurers\":0}],\"injuries\":[],\"critical_illness_code\":null,"
    "\"documents\":[\"claim_form\",\"id_document\",\"invoice\",\"medical_record\"]}";

/* Decoded once for the process (libFuzzer gives no context to keep it in). */
static fm_claim pending;
static bool have_pending;

static void free_pending(void)
{
    fm_claim_free(&pending);
}

static const fm_claim *pending_claim(void)
{
    if (!have_pending) {
        fm_error err;
        if (fm_decode_claim(PENDING_CLAIM, strlen(PENDING_CLAIM), &pending, &err) != FM_OK)
            fuzz_fail(__FILE__, __LINE__, err.code, "the harness's own claim decodes");
        have_pending = true;
        atexit(free_pending);
    }
    return &pending;
}

static void check_accepted(const fm_review *r)
{
    FUZZ_REQUIRE(r->claim_id != NULL && r->reviewer != NULL, "required strings are set");
    FUZZ_REQUIRE(r->has_amount == (r->action == FM_REVIEW_APPROVE), "an amount exactly on an approval");
    FUZZ_REQUIRE(!r->has_amount || r->amount >= 0, "a review amount is not negative");
    const fm_plan *plan = fm_plan_for_year(fuzz_plans(), 2026);
    FUZZ_REQUIRE(plan != NULL, "the sample catalogue has 2026");
    fm_claim_context ctx = fuzz_claim_context(plan, FM_ROLE_CHILD);
    fm_claim_decision d;
    fm_error err;
    fm_status st = fm_decide_review(plan, pending_claim(), &ctx, r, &d, &err);
    fuzz_check_result(st, &err);
    if (st == FM_OK) {
        FUZZ_REQUIRE(d.payable >= 0, "a decision never pays a negative amount");
        FUZZ_REQUIRE(r->action == FM_REVIEW_APPROVE || d.payable == 0, "a declining review pays nothing");
        FUZZ_REQUIRE(!r->has_amount || d.payable <= r->amount, "never more than the reviewer approved");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    fm_review r;
    fm_error err;
    fm_status st = fm_decode_review(buf, size, &r, &err);
    fuzz_check_result(st, &err);
    if (st == FM_OK)
        check_accepted(&r);
    /* On a refusal *out owns nothing: freeing it anyway must be harmless. */
    fm_review_free(&r);

    /* The parse-once form a worker uses decides exactly as the buffer form. */
    json_t *root = NULL;
    fm_error perr;
    if (fm_decode_parse(buf, size, size + 1, &root, &perr) != FM_OK) {
        FUZZ_REQUIRE(st == FM_EINVAL && strcmp(err.code, perr.code) == 0, "a message that does not parse");
        return 0;
    }
    fm_review again;
    fm_error jerr;
    fm_status jst = fm_decode_review_json(root, &again, &jerr);
    FUZZ_REQUIRE(jst == st, "the *_json form returns what the buffer form does");
    if (jst == FM_EINVAL)
        FUZZ_REQUIRE(strcmp(jerr.code, err.code) == 0 && strcmp(jerr.path, err.path) == 0, "the same error");
    fm_review_free(&again);
    json_decref(root);
    return 0;
}
