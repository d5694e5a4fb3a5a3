/* test_decode_claim_life.c — the claim-life decoders' contract: fields land in the structs, every refusal
 * names its path and code, the parse-once forms agree, a refused or freed struct owns nothing. */
#include "fm_decode.h"
#include "fm_decode_claim_life.h"
#include "fm_test.h"

#include <stdlib.h>
#include <string.h>

#define HEAD(type)                                                                                           \
    "{\"event_id\":\"e-1\",\"type\":\"" type "\",\"schema_version\":1,\"occurred_at\":"                      \
    "\"2026-07-01T09:00:00+08:00\",\"producer\":\"t\",\"claim_id\":\"C-1\",\"policy_number\":\"FJ2026-H1\","

static const char DOCS[] =
    HEAD("claim.documents_added") "\"documents\":[\"invoice\",\"medical_record\",\"invoice\"]}";
static const char APPEAL[] = HEAD("claim.appealed") "\"reason\":\"住院日期有误\",\"documents\":[]}";
static const char OVERTURN[] = HEAD(
    "claim.appeal_reviewed") "\"reviewer\":\"R-9\",\"action\":\"overturn\",\"amount\":96000,\"note\":null}";
static const char UPHOLD[] = HEAD(
    "claim.appeal_reviewed") "\"reviewer\":\"R-9\",\"action\":\"uphold\",\"amount\":null,\"note\":\"ok\"}";

/* src with the first `from` replaced by `to` (malloc'ed). */
static char *variant(const char *src, const char *from, const char *to)
{
    const char *at = strstr(src, from);
    assert_non_null(at);
    size_t n = strlen(src) - strlen(from) + strlen(to) + 1;
    char *out = malloc(n);
    assert_non_null(out);
    snprintf(out, n, "%.*s%s%s", (int)(at - src), src, to, at + strlen(from));
    return out;
}

static void fields_land_in_the_structs(void **state)
{
    (void)state;
    fm_error err;
    fm_documents_added d;
    assert_int_equal(fm_decode_documents_added(DOCS, strlen(DOCS), &d, &err), FM_OK);
    assert_string_equal(d.event_id, "e-1");
    assert_string_equal(d.claim_id, "C-1");
    assert_string_equal(d.policy_number, "FJ2026-H1");
    assert_int_equal(d.documents, FM_DOC_BIT(FM_DOC_INVOICE) | FM_DOC_BIT(FM_DOC_MEDICAL_RECORD));
    fm_documents_added_free(&d);
    assert_null(d.claim_id);
    fm_appeal a;
    assert_int_equal(fm_decode_appeal(APPEAL, strlen(APPEAL), &a, &err), FM_OK);
    assert_string_equal(a.reason, "住院日期有误");
    assert_int_equal(a.documents, 0);
    fm_appeal_free(&a);
    fm_appeal_review r;
    assert_int_equal(fm_decode_appeal_review(OVERTURN, strlen(OVERTURN), &r, &err), FM_OK);
    assert_int_equal(r.action, FM_APPEAL_OVERTURN);
    assert_true(r.has_amount);
    assert_int_equal(r.amount, 96000);
    assert_null(r.note);
    fm_appeal_review_free(&r);
    assert_int_equal(fm_decode_appeal_review(UPHOLD, strlen(UPHOLD), &r, &err), FM_OK);
    assert_int_equal(r.action, FM_APPEAL_UPHOLD);
    assert_false(r.has_amount);
    assert_string_equal(r.note, "ok");
    fm_appeal_review_free(&r);
    assert_string_equal(fm_appeal_action_name(FM_APPEAL_OVERTURN), "overturn");
    assert_string_equal(fm_appeal_action_name(FM_APPEAL_ACTION_COUNT), "?");
    fm_documents_added_free(NULL);
    fm_appeal_free(NULL);
    fm_appeal_review_free(NULL);
}

typedef struct refusal {
    const char *src, *from, *to, *path, *code;
} refusal;

static void every_refusal_names_its_path_and_code(void **state)
{
    (void)state;
    static const refusal cases[] = {
        {DOCS, "\"documents\":[\"invoice\",\"medical_record\",\"invoice\"]", "\"documents\":[]", "documents",
         "TOO_SHORT"},
        {DOCS, "\"medical_record\"", "\"x-ray\"", "documents[1]", "NOT_ONE_OF"},
        {DOCS, "\"claim_id\":\"C-1\"", "\"claim_id\":\"C 1\"", "claim_id", "BAD_FORMAT"},
        {DOCS, "\"policy_number\":\"FJ2026-H1\",", "", "policy_number", "MISSING"},
        {DOCS, "\"documents\"", "\"extra\":1,\"documents\"", "", "UNKNOWN_FIELD"},
        {DOCS, "claim.documents_added", "claim.appealed", "type", "WRONG_EVENT_TYPE"},
        {APPEAL, "\"reason\":\"住院日期有误\",", "", "reason", "MISSING"},
        {APPEAL, "\"住院日期有误\"", "\"\"", "reason", "TOO_SHORT"},
        {APPEAL, "\"documents\":[]", "\"documents\":null", "documents", "MISSING"},
        {APPEAL, "\"documents\":[]", "\"documents\":{}", "documents", "WRONG_TYPE"},
        {OVERTURN, "\"amount\":96000", "\"amount\":null", "amount", "MISSING"},
        {OVERTURN, "\"amount\":96000", "\"amount\":-1", "amount", "NEGATIVE"},
        {OVERTURN, "\"amount\":96000", "\"amount\":96000.0", "amount", "WRONG_TYPE"},
        {OVERTURN, "\"overturn\"", "\"approve\"", "action", "NOT_ONE_OF"},
        {UPHOLD, "\"amount\":null", "\"amount\":1", "amount", "MUST_BE_NULL"},
        {UPHOLD, "\"reviewer\":\"R-9\",", "", "reviewer", "MISSING"},
        {UPHOLD, "\"schema_version\":1", "\"schema_version\":2", "schema_version", "UNKNOWN_SCHEMA_VERSION"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *msg = variant(cases[i].src, cases[i].from, cases[i].to);
        fm_error err, jerr;
        fm_status st, jst;
        json_t *root = NULL;
        assert_int_equal(fm_decode_parse(msg, strlen(msg), 0, &root, &err), FM_OK);
        if (cases[i].src == DOCS) {
            fm_documents_added d, dj;
            st = fm_decode_documents_added(msg, strlen(msg), &d, &err);
            jst = fm_decode_documents_added_json(root, &dj, &jerr);
            assert_null(d.claim_id); /* a refused struct owns nothing */
        } else if (cases[i].src == APPEAL) {
            fm_appeal a, aj;
            st = fm_decode_appeal(msg, strlen(msg), &a, &err);
            jst = fm_decode_appeal_json(root, &aj, &jerr);
            assert_null(a.reason);
        } else {
            fm_appeal_review r, rj;
            st = fm_decode_appeal_review(msg, strlen(msg), &r, &err);
            jst = fm_decode_appeal_review_json(root, &rj, &jerr);
            assert_null(r.reviewer);
        }
        json_decref(root);
        if (st != FM_EINVAL || strcmp(err.path, cases[i].path) != 0 || strcmp(err.code, cases[i].code) != 0)
            fail_msg("case %zu: %s %s:%s, want %s:%s", i, fm_status_name(st), err.path, err.code,
                     cases[i].path, cases[i].code);
        assert_int_equal(jst, st);
        assert_string_equal(jerr.code, err.code);
        free(msg);
    }
    fm_error err;
    fm_appeal a;
    assert_int_equal(fm_decode_appeal("{", 1, &a, &err), FM_EINVAL);
    assert_string_equal(err.code, "INVALID_JSON");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fields_land_in_the_structs),
        cmocka_unit_test(every_refusal_names_its_path_and_code),
    };
    return cmocka_run_group_tests_name("decode_claim_life", tests, NULL, NULL);
}
