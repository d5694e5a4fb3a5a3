/* fuzz_claim_life.c — libFuzzer harness: the claim-life decoders (claim.documents_added, claim.appealed,
 * claim.appeal_reviewed), each buffer form against its parse-once *_json form, and what an accepted event
 * promises. */
#include "fm_decode.h"
#include "fm_decode_claim_life.h"
#include "fuzz_support.h"

#include <jansson.h>
#include <stdint.h>
#include <string.h>

/* Whatever the type, each decoder either accepts with its promises kept or refuses with a code; the *_json
 * form says the same. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    fm_error err, jerr, perr;
    fm_documents_added d;
    fm_appeal a;
    fm_appeal_review r;
    fm_status sd = fm_decode_documents_added(buf, size, &d, &err);
    fuzz_check_result(sd, &err);
    if (sd == FM_OK)
        FUZZ_REQUIRE(d.claim_id != NULL && d.documents != 0, "documents added name a claim and a document");
    fm_documents_added_free(&d);
    fm_status sa = fm_decode_appeal(buf, size, &a, &err);
    fuzz_check_result(sa, &err);
    if (sa == FM_OK)
        FUZZ_REQUIRE(a.reason != NULL && a.reason[0] != '\0', "an appeal has a reason");
    fm_appeal_free(&a);
    fm_status sr = fm_decode_appeal_review(buf, size, &r, &err);
    fuzz_check_result(sr, &err);
    if (sr == FM_OK)
        FUZZ_REQUIRE(r.has_amount == (r.action == FM_APPEAL_OVERTURN) && (!r.has_amount || r.amount >= 0),
                     "an amount exactly on an overturn, never negative");
    fm_appeal_review_free(&r);
    FUZZ_REQUIRE((sd == FM_OK) + (sa == FM_OK) + (sr == FM_OK) <= 1, "one type at most accepts a message");

    json_t *root = NULL;
    if (fm_decode_parse(buf, size, size + 1, &root, &perr) != FM_OK)
        return 0;
    fm_status st = fm_decode_appeal_review_json(root, &r, &jerr);
    FUZZ_REQUIRE(st == sr, "the *_json form returns what the buffer form does");
    if (st == FM_EINVAL)
        FUZZ_REQUIRE(strcmp(jerr.code, err.code) == 0 && strcmp(jerr.path, err.path) == 0, "the same error");
    fm_appeal_review_free(&r);
    json_decref(root);
    return 0;
}
