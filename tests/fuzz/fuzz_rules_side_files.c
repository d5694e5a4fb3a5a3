/* fuzz_rules_side_files.c — libFuzzer harness: famins-rules' side files, the claim --context and the
 * enrollment
 * --facts (services/rules/rules_context.h), each input read as both; an accepted context goes on to the
 * rules. */
#include "fm_claim_rules.h"
#include "fm_decode.h"
#include "fuzz_support.h"
#include "rules_context.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The claim a context is read for: two bills, so that claimed_invoices can match one (no personal data: the
 * number is the format's test value). */
static const char CLAIM[] =
    "{\"event_id\":\"fuzz-claim-2\",\"type\":\"claim.submitted\",\"schema_version\":1,"
    "\"occurred_at\":\"2026-06-02T10:00:00+08:00\",\"producer\":\"famins-fuzz\",\"claim_id\":\"C2026999998\","
    "\"policy_number\":\"FJ2026-H610113000001\",\"insured_id_number\":\"11010520120305001X\","
    "\"liability\":\"illness_hospital\",\"cause\":\"illness\",\"incident_date\":\"2026-04-30\","
    "\"event_date\":null,\"report_date\":\"2026-04-30\",\"bills\":["
    "{\"invoice_code\":\"161002300201\",\"invoice_number\":\"00020001\",\"amount\":60000,"
    "\"paid_by_social_insurance\":20000,\"paid_by_other_insurers\":0},"
    "{\"invoice_code\":\"161002300201\",\"invoice_number\":\"00020002\",\"amount\":1000,"
    "\"paid_by_social_insurance\":0,\"paid_by_other_insurers\":0}],"
    "\"injuries\":[],\"critical_illness_code\":null,"
    "\"documents\":[\"claim_form\",\"id_document\",\"invoice\",\"medical_record\"]}";

/* Decoded once for the process (libFuzzer gives no context to keep it in). */
static fm_claim claim;
static bool have_claim;

static void free_claim(void)
{
    fm_claim_free(&claim);
}

static const fm_claim *the_claim(void)
{
    if (!have_claim) {
        fm_error err;
        if (fm_decode_claim(CLAIM, strlen(CLAIM), &claim, &err) != FM_OK)
            fuzz_fail(__FILE__, __LINE__, err.code, "the harness's own claim decodes");
        have_claim = true;
        atexit(free_claim);
    }
    return &claim;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    const fm_claim *c = the_claim();
    rules_claim_context ctx;
    fm_error err;
    fm_status st = rules_parse_context(buf, size, c, &ctx, &err);
    fuzz_check_result(st, &err);
    if (st == FM_OK && ctx.has_policy) {
        /* famins-rules decides with the plan of the policy's year; the context may name any year. */
        const fm_plan *plan = fm_plan_for_year(fuzz_plans(), ctx.ctx.plan_year);
        if (plan != NULL) {
            fm_claim_decision d;
            st = fm_decide_claim(plan, c, &ctx.ctx, &d, &err);
            fuzz_check_result(st, &err);
            if (st == FM_OK)
                FUZZ_REQUIRE(d.payable >= 0, "a decision never pays a negative amount");
        }
    }

    /* The same bytes as a facts file, for a household of one and of the most members. */
    size_t counts[] = {1, FM_MAX_MEMBERS};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        fm_enrollment_facts facts;
        st = rules_parse_facts(buf, size, counts[i], &facts, &err);
        fuzz_check_result(st, &err);
    }
    return 0;
}
