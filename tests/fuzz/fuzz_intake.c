/* fuzz_intake.c — libFuzzer harness: a worker's whole way in (fm_intake.h and the adjudicator's parse-once
 * path): the envelope, the topic's type, the body, and every refusal worded as a dead-letter code. */
#include "fm_decode.h"
#include "fm_intake.h"
#include "fuzz_support.h"

#include <jansson.h>
#include <stdint.h>
#include <string.h>

/* The dead-letter codes fm_intake_open may give (fm_intake.h). */
static bool open_code(const char *code)
{
    static const char *const codes[] = {"MESSAGE_TOO_LARGE",      "INVALID_JSON", "INVALID_UTF8",
                                        "UNKNOWN_SCHEMA_VERSION", "UNKNOWN_TYPE", "SCHEMA_VIOLATION"};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (strcmp(code, codes[i]) == 0)
            return true;
    return false;
}

/* A body refusal as a worker words it for its dead letter. */
static void check_body_refusal(fm_error *err)
{
    const char *code = fm_intake_body_code(err);
    FUZZ_REQUIRE(strcmp(code, "UNKNOWN_SCHEMA_VERSION") == 0 || strcmp(code, "SCHEMA_VIOLATION") == 0,
                 "a body refusal is UNKNOWN_SCHEMA_VERSION or SCHEMA_VIOLATION");
    FUZZ_REQUIRE(fm_intake_dead(err, code) == FM_EINVAL, "fm_intake_dead returns FM_EINVAL");
    fuzz_check_result(FM_EINVAL, err);
    FUZZ_REQUIRE(strcmp(err->code, code) == 0, "the dead letter carries the code asked for");
}

/* famins-eligibility and famins-subsidy: one topic, one type. */
static void worker_intake(const uint8_t *data, size_t size, fm_event_type want, const char *topic)
{
    json_t *root = NULL;
    fm_envelope env;
    fm_error err;
    fm_status st = fm_intake_open(data, size, size + 1, want, topic, &root, &env, &err);
    fuzz_check_result(st, &err);
    if (st != FM_OK) {
        FUZZ_REQUIRE(root == NULL, "a refused message leaves no document");
        FUZZ_REQUIRE(open_code(err.code), "an intake refusal is one of the documented dead-letter codes");
        return;
    }
    FUZZ_REQUIRE(root != NULL && env.type == want, "an accepted message is of the topic's type");
    if (want == FM_EVENT_ENROLLMENT_SUBMITTED) {
        fm_enrollment e;
        st = fm_decode_enrollment_json(root, &e, &err);
        fuzz_check_result(st, &err);
        FUZZ_REQUIRE(st == FM_OK || strcmp(err.code, "WRONG_EVENT_TYPE") != 0,
                     "the body agrees with the type");
        fm_enrollment_free(&e);
    } else {
        fm_enrollment_decided d;
        st = fm_decode_enrollment_decided_json(root, &d, &err);
        fuzz_check_result(st, &err);
        FUZZ_REQUIRE(st == FM_OK || strcmp(err.code, "WRONG_EVENT_TYPE") != 0,
                     "the body agrees with the type");
    }
    if (st != FM_OK)
        check_body_refusal(&err);
    json_decref(root);
}

/* famins-adjudicator: claim.events carries two types, told apart by the envelope. */
static void claim_events_intake(const uint8_t *data, size_t size)
{
    json_t *root = NULL;
    fm_envelope env;
    fm_error err;
    fm_status st = fm_decode_parse((const char *)data, size, size + 1, &root, &err);
    fuzz_check_result(st, &err);
    if (st != FM_OK)
        return;
    st = fm_decode_envelope_json(root, &env, &err);
    fuzz_check_result(st, &err);
    if (st == FM_OK && env.type == FM_EVENT_CLAIM_SUBMITTED) {
        fm_claim c;
        st = fm_decode_claim_json(root, &c, &err);
        fm_claim_free(&c);
    } else if (st == FM_OK && env.type == FM_EVENT_CLAIM_REVIEWED) {
        fm_review r;
        st = fm_decode_review_json(root, &r, &err);
        fm_review_free(&r);
    }
    fuzz_check_result(st, &err);
    if (st != FM_OK)
        check_body_refusal(&err);
    uint8_t hash[FM_SHA256_LEN];
    st = fm_event_content_hash_json(root, hash, &err);
    FUZZ_REQUIRE(st == FM_OK, "a parsed message always has a content hash");
    json_decref(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    worker_intake(data, size, FM_EVENT_ENROLLMENT_SUBMITTED, "enrollment.submitted");
    worker_intake(data, size, FM_EVENT_ENROLLMENT_DECIDED, "enrollment.decided");
    claim_events_intake(data, size);
    return 0;
}
