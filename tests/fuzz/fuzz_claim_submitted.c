/* fuzz_claim_submitted.c — libFuzzer harness: claim.submitted decoding, then the claim rules on what the
 * decoder accepts (as famins-adjudicator does). */
#include "fm_claim_rules.h"
#include "fm_decode.h"
#include "fuzz_support.h"

#include <jansson.h>
#include <stdint.h>
#include <string.h>

static void check_accepted(const fm_claim *c)
{
    FUZZ_REQUIRE(c->n_bills <= FM_MAX_BILLS && c->n_injuries <= FM_MAX_INJURIES, "lists within the limits");
    FUZZ_REQUIRE(c->claim_id != NULL && c->policy_number != NULL && c->insured_id_number != NULL,
                 "required strings are set");
    for (size_t i = 0; i < c->n_bills; i++)
        FUZZ_REQUIRE(c->bills[i].invoice_code != NULL && c->bills[i].invoice_number != NULL,
                     "a bill's strings");
    /* Every plan year of the catalogue, for a child and for a parent: the amounts meet each plan's terms. */
    const fm_plan_catalogue *cat = fuzz_plans();
    for (size_t p = 0; p < cat->n_plans; p++)
        for (fm_role role = FM_ROLE_CHILD; role <= FM_ROLE_PARENT; role++) {
            fm_claim_context ctx = fuzz_claim_context(&cat->plans[p], role);
            fm_claim_decision d;
            fm_error err;
            fm_status st = fm_decide_claim(&cat->plans[p], c, &ctx, &d, &err);
            fuzz_check_result(st, &err);
            if (st == FM_OK)
                FUZZ_REQUIRE(d.payable >= 0, "a decision never pays a negative amount");
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    fm_claim c;
    fm_error err;
    fm_status st = fm_decode_claim(buf, size, &c, &err);
    fuzz_check_result(st, &err);
    if (st == FM_OK)
        check_accepted(&c);
    /* On a refusal *out owns nothing: freeing it anyway must be harmless. */
    fm_claim_free(&c);

    /* The parse-once form a worker uses decides exactly as the buffer form. */
    json_t *root = NULL;
    fm_error perr;
    if (fm_decode_parse(buf, size, size + 1, &root, &perr) != FM_OK) {
        FUZZ_REQUIRE(st == FM_EINVAL && strcmp(err.code, perr.code) == 0, "a message that does not parse");
        return 0;
    }
    fm_claim again;
    fm_error jerr;
    fm_status jst = fm_decode_claim_json(root, &again, &jerr);
    FUZZ_REQUIRE(jst == st, "the *_json form returns what the buffer form does");
    if (jst == FM_EINVAL)
        FUZZ_REQUIRE(strcmp(jerr.code, err.code) == 0 && strcmp(jerr.path, err.path) == 0, "the same error");
    fm_claim_free(&again);
    json_decref(root);
    return 0;
}
