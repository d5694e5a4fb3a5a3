/* test_wavegen_claims.c — the claim labels agree with the domain's claim decision on every claim, and
 * claims respect coverage and waiting periods by construction.
 *
 * A wave is enrolled with --policies-out, its claims generated from that file, then each claim is
 * decided by fm_decide_claim in emission order with the context a service would look up (policy,
 * insured member, role, renewal, the person's usage, the household's medical usage, invoices already
 * claimed), kept here from the rules' own decisions. */
#include "fm_test.h"

#include <jansson.h>

#include "fm_claim_rules.h"
#include "fm_dates.h"
#include "fm_plan.h"
#include "fm_plan_read.h"
#include "wg_test_util.h"

#define HOUSEHOLDS 3000
#define MAX_POLICIES (HOUSEHOLDS + 16)

typedef struct pmember {
    char id[20];
    fm_role role;
    bool prev, insured;
    fm_claim_usage usage;
    bool deceased;
} pmember;

typedef struct ppolicy {
    char number[64];
    fm_date start, end;
    pmember m[20];
    size_t n;
    fm_fen household_medical[FM_LIAB_COUNT];
} ppolicy;

typedef struct pbook {
    ppolicy *p;
    size_t n;
    wg_set index; /* policy number -> present; lookup by linear probe over p (small) */
} pbook;

static ppolicy *find_policy(pbook *b, const char *number)
{
    if (!wg_set_has(&b->index, number))
        return NULL;
    for (size_t i = 0; i < b->n; i++)
        if (strcmp(b->p[i].number, number) == 0)
            return &b->p[i];
    return NULL;
}

static void load_policies(pbook *b, const char *path)
{
    size_t len, n, *lens;
    char *buf = wg_test_slurp(path, &len);
    assert_non_null(buf);
    char **lines = wg_test_lines(buf, len, &lens, &n);
    b->p = calloc(n + 1, sizeof *b->p);
    b->n = 0;
    wg_set_init(&b->index, n * 4 + 16);
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_loads(lines[i], 0, NULL);
        assert_non_null(o);
        ppolicy *p = &b->p[b->n++];
        snprintf(p->number, sizeof p->number, "%s", json_string_value(json_object_get(o, "policy_number")));
        assert_int_equal(
            fm_date_parse(json_string_value(json_object_get(o, "coverage_start")), &p->start, NULL), FM_OK);
        assert_int_equal(fm_date_parse(json_string_value(json_object_get(o, "coverage_end")), &p->end, NULL),
                         FM_OK);
        size_t k;
        json_t *m;
        json_array_foreach(json_object_get(o, "members"), k, m)
        {
            pmember *pm = &p->m[p->n++];
            snprintf(pm->id, sizeof pm->id, "%s", json_string_value(json_object_get(m, "id_number")));
            assert_true(fm_role_parse(json_string_value(json_object_get(m, "role")), &pm->role));
            pm->prev = json_is_true(json_object_get(m, "previously_insured"));
            pm->insured = json_is_true(json_object_get(m, "insured"));
        }
        wg_set_add(&b->index, p->number);
        json_decref(o);
    }
    free(lines);
    free(lens);
    free(buf);
}

static char *s(json_t *o, const char *k)
{
    return (char *)json_string_value(json_object_get(o, k));
}

/* A test-only decoder from the contract's JSON to the domain's claim (strings borrowed). */
static void decode_claim(json_t *o, fm_claim *c, fm_bill *bills, fm_injury *injuries)
{
    memset(c, 0, sizeof *c);
    c->event_id = s(o, "event_id");
    c->claim_id = s(o, "claim_id");
    c->policy_number = s(o, "policy_number");
    c->insured_id_number = s(o, "insured_id_number");
    assert_true(fm_liability_parse(s(o, "liability"), &c->liability));
    assert_true(fm_cause_parse(s(o, "cause"), &c->cause));
    assert_int_equal(fm_date_parse(s(o, "incident_date"), &c->incident_date, NULL), FM_OK);
    c->has_event_date = s(o, "event_date") != NULL;
    if (c->has_event_date)
        assert_int_equal(fm_date_parse(s(o, "event_date"), &c->event_date, NULL), FM_OK);
    assert_int_equal(fm_date_parse(s(o, "report_date"), &c->report_date, NULL), FM_OK);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(o, "bills"), i, v)
    {
        bills[i].invoice_code = s(v, "invoice_code");
        bills[i].invoice_number = s(v, "invoice_number");
        bills[i].amount = json_integer_value(json_object_get(v, "amount"));
        bills[i].paid_by_social_insurance =
            json_integer_value(json_object_get(v, "paid_by_social_insurance"));
        bills[i].paid_by_other_insurers = json_integer_value(json_object_get(v, "paid_by_other_insurers"));
        c->n_bills = i + 1;
    }
    c->bills = bills;
    json_array_foreach(json_object_get(o, "injuries"), i, v)
    {
        injuries[i].description = s(v, "description");
        injuries[i].grade = json_integer_value(json_object_get(v, "grade"));
        c->n_injuries = i + 1;
    }
    c->injuries = injuries;
    c->critical_illness_code = s(o, "critical_illness_code");
    json_array_foreach(json_object_get(o, "documents"), i, v)
    {
        fm_document d;
        assert_true(fm_document_parse(json_string_value(v), &d));
        c->documents |= FM_DOC_BIT(d);
    }
}

static void claims_agree_with_the_domain_claim_decision_on_every_claim(void **state)
{
    (void)state;
    char pol[512], ev[512], lb[512];
    wg_test_path(pol, sizeof pol, "claims-policies.jsonl");
    wg_test_path(ev, sizeof ev, "claims-events.jsonl");
    wg_test_path(lb, sizeof lb, "claims-labels.jsonl");
    assert_int_equal(wg_test_run("enroll --households %d --seed 31 --dry-run /dev/null --policies-out '%s'",
                                 HOUSEHOLDS, pol),
                     0);
    /* a high claim rate so that limits, deductibles and deaths after disability come up */
    assert_int_equal(
        wg_test_run("claims --policies '%s' --seed 31 --claim-rate-scale 8 --claim-unreadable-share 0.02 "
                    "--claim-resend-share 0.02 --dry-run '%s' --labels '%s'",
                    pol, ev, lb),
        0);
    pbook book;
    load_policies(&book, pol);
    fm_plan_catalogue *cat = NULL;
    assert_int_equal(fm_plan_catalogue_load(WAVEGEN_PLANS, &cat, NULL), FM_OK);
    const fm_plan *plan = fm_plan_for_year(cat, 2026);
    assert_non_null(plan);

    size_t elen, llen, ne, nl, *el, *ll;
    char *ebuf = wg_test_slurp(ev, &elen), *lbuf = wg_test_slurp(lb, &llen);
    assert_non_null(ebuf);
    assert_non_null(lbuf);
    char **evl = wg_test_lines(ebuf, elen, &el, &ne);
    char **lbl = wg_test_lines(lbuf, llen, &ll, &nl);
    assert_int_equal(ne, nl);
    assert_true(ne > 3000);

    wg_set invoices;
    wg_set_init(&invoices, ne * 16 + 64);
    int mismatches = 0;
    size_t by_outcome[4] = {0}, n_reviews = 0, n_resends = 0, n_unreadable = 0, n_implausible = 0, n_life = 0;
    bool seen_reason[FM_REASON_COUNT] = {false};
    for (size_t i = 0; i < ne && mismatches < 20; i++) {
        json_t *label = json_loads(lbl[i], 0, NULL);
        assert_non_null(label);
        const char *kind = s(label, "kind");
        if (strcmp(kind, "valid") != 0) { /* never decided: check it is what the label says, book nothing */
            json_t *raw = json_loadb(evl[i], el[i], JSON_REJECT_DUPLICATES, NULL);
            bool ok;
            if (strcmp(kind, "resend") == 0) {
                ok = i > 0 && el[i] == el[i - 1] && memcmp(evl[i], evl[i - 1], el[i]) == 0;
                n_resends++;
            } else {
                const char *dl = s(json_object_get(label, "expected"), "dead_letter");
                const char *path = s(json_object_get(label, "expected"), "path");
                ok = raw == NULL      ? strcmp(dl, "INVALID_JSON") == 0 || strcmp(dl, "INVALID_UTF8") == 0
                     : el[i] > 262144 ? strcmp(dl, "MESSAGE_TOO_LARGE") == 0
                     : json_integer_value(json_object_get(raw, "schema_version")) != 1
                         ? strcmp(dl, "UNKNOWN_SCHEMA_VERSION") == 0
                         : strcmp(dl, "SCHEMA_VIOLATION") == 0 && path != NULL &&
                               (strcmp(path, "report_date") == 0 ? json_object_get(raw, "report_date") == NULL
                                : strcmp(path, "liability") == 0 ? strcmp(s(raw, "liability"), "dental") == 0
                                : strcmp(path, "claim_id") == 0
                                    ? json_is_integer(json_object_get(raw, "claim_id"))
                                    : json_object_get(raw, "remark") != NULL);
                n_unreadable++;
            }
            if (!ok) {
                print_error("%s: not %s as labelled\n", s(label, "event_id"), kind);
                mismatches++;
            }
            json_decref(raw);
            json_decref(label);
            continue;
        }
        json_t *o = json_loadb(evl[i], el[i], JSON_REJECT_DUPLICATES, NULL);
        assert_non_null(o);
        json_t *exp = json_object_get(label, "expected");
        /* claim-life events (documents later, appeals) come after their policy's claims and are decided by
         * the adjudicator's own later-life paths, not fm_decide_*: integration_adjudicator_labels checks
         * them. */
        if (strncmp(s(o, "type"), "claim.", 6) == 0 && strcmp(s(o, "type"), "claim.submitted") != 0 &&
            strcmp(s(o, "type"), "claim.reviewed") != 0) {
            n_life++;
            json_decref(o);
            json_decref(label);
            continue;
        }
        fm_claim c;
        fm_bill bills[FM_MAX_BILLS];
        fm_injury injuries[FM_MAX_INJURIES];
        /* A review is decided on its claim (the claim.submitted with that claim id, earlier in the
         * stream) as things stand at review time. */
        bool is_review = strcmp(s(o, "type"), "claim.reviewed") == 0;
        json_t *claim_json = o;
        fm_review review;
        memset(&review, 0, sizeof review);
        if (is_review) {
            claim_json = NULL;
            for (size_t j = i; j-- > 0 && claim_json == NULL;) {
                json_t *cand = json_loadb(evl[j], el[j], 0, NULL);
                const char *type = cand ? s(cand, "type") : NULL, *cid = cand ? s(cand, "claim_id") : NULL;
                if (type != NULL && cid != NULL && strcmp(type, "claim.submitted") == 0 &&
                    strcmp(cid, s(o, "claim_id")) == 0)
                    claim_json = cand;
                else
                    json_decref(cand);
            }
            assert_non_null(claim_json);
            review.event_id = s(o, "event_id");
            review.claim_id = s(o, "claim_id");
            review.policy_number = s(o, "policy_number");
            review.reviewer = s(o, "reviewer");
            assert_true(fm_review_action_parse(s(o, "action"), &review.action));
            review.has_amount = json_is_integer(json_object_get(o, "amount"));
            review.amount = json_integer_value(json_object_get(o, "amount"));
            review.note = s(o, "note");
            n_reviews++;
        }
        decode_claim(claim_json, &c, bills, injuries);
        assert_string_equal(s(label, "key"), c.policy_number);

        fm_claim_context ctx;
        memset(&ctx, 0, sizeof ctx);
        if (!is_review) /* the receipt, as the adjudicator reads it from the envelope */
            assert_int_equal(fm_claim_receipt_date(s(o, "occurred_at"), &ctx.received_on), FM_OK);
        ctx.has_receipt = !is_review;
        ppolicy *p = find_policy(&book, c.policy_number);
        pmember *pm = NULL;
        ctx.plan_year = 2026;
        if (p != NULL) {
            ctx.policy_found = true;
            ctx.coverage_start = p->start;
            ctx.coverage_end = p->end;
            for (size_t k = 0; k < p->n; k++)
                if (p->m[k].insured && strcmp(p->m[k].id, c.insured_id_number) == 0)
                    pm = &p->m[k];
            memcpy(ctx.household_medical_paid, p->household_medical, sizeof ctx.household_medical_paid);
        }
        if (pm != NULL) {
            ctx.person_found = true;
            ctx.role = pm->role;
            ctx.renewal = pm->prev;
            ctx.deceased = pm->deceased;
            ctx.usage = pm->usage;
        }
        for (size_t b = 0; b < c.n_bills; b++) {
            /* claimed before: by any claim; at review, by a claim other than the first one to bring
             * the bill (the reviewed claim itself, when it was the first) */
            char key[80], first[160];
            snprintf(key, sizeof key, "%s/%s", bills[b].invoice_code, bills[b].invoice_number);
            snprintf(first, sizeof first, "%s@%s", key, c.claim_id);
            ctx.bill_already_claimed[b] =
                wg_set_has(&invoices, key) && !(is_review && wg_set_has(&invoices, first));
        }
        fm_claim_decision d;
        fm_error err;
        if (is_review)
            assert_int_equal(fm_decide_review(plan, &c, &ctx, &review, &d, &err), FM_OK);
        else
            assert_int_equal(fm_decide_claim(plan, &c, &ctx, &d, &err), FM_OK);
        by_outcome[d.outcome]++;
        n_implausible += !is_review && d.cause_implausible && s(label, "fault") != NULL &&
                         strcmp(s(label, "fault"), "CAUSE_IMPLAUSIBLE") == 0;
        /* the fault names the signal: CAUSE_IMPLAUSIBLE when the generator built one (a forgotten document
         * or a diagnosis not covered may name the claim's fault instead) */
        const char *fault = s(label, "fault");
        bool built = fault != NULL && strcmp(fault, "CAUSE_IMPLAUSIBLE") == 0;
        bool other = fault != NULL &&
                     (strcmp(fault, "DOCUMENTS_MISSING") == 0 || strcmp(fault, "CI_NOT_COVERED") == 0);
        if (!is_review && (built ? !d.cause_implausible : d.cause_implausible && !other)) {
            print_error("%s: cause_implausible %d, fault %s\n", c.event_id, d.cause_implausible,
                        fault ? fault : "none");
            mismatches++;
        }

        const char *want_outcome = s(exp, "outcome");
        if (strcmp(want_outcome, fm_claim_outcome_name(d.outcome)) != 0 ||
            json_integer_value(json_object_get(exp, "payable")) != d.payable) {
            print_error("%s: label %s %lld, rules %s %lld\n", c.event_id, want_outcome,
                        (long long)json_integer_value(json_object_get(exp, "payable")),
                        fm_claim_outcome_name(d.outcome), (long long)d.payable);
            mismatches++;
        }
        if (d.outcome != FM_CLAIM_DECLINED && json_integer_value(json_object_get(exp, "full")) != d.full) {
            print_error("%s: full label %lld rules %lld\n", c.event_id,
                        (long long)json_integer_value(json_object_get(exp, "full")), (long long)d.full);
            mismatches++;
        }
        char want[256] = "", got[256] = "";
        size_t k;
        json_t *v;
        json_array_foreach(json_object_get(exp, "reasons"), k, v)
        {
            strncat(want, json_string_value(v), sizeof want - strlen(want) - 2);
            strncat(want, ",", sizeof want - strlen(want) - 1);
        }
        for (size_t r = 0; r < d.n_reasons; r++) {
            strncat(got, fm_reason_id(d.reasons[r]), sizeof got - strlen(got) - 2);
            strncat(got, ",", sizeof got - strlen(got) - 1);
            seen_reason[d.reasons[r]] = true;
        }
        if (strcmp(want, got) != 0) {
            print_error("%s: reasons label [%s] rules [%s]\n", c.event_id, want, got);
            mismatches++;
        }

        /* what the service would store after the decision */
        if (d.usage_changed && pm != NULL) {
            pm->usage = d.new_usage;
            memcpy(p->household_medical, d.new_household_medical_paid, sizeof p->household_medical);
        }
        if (pm != NULL && c.liability == FM_LIAB_DEATH && d.payable > 0)
            pm->deceased = true;
        for (size_t b = 0; b < c.n_bills && !is_review; b++) {
            char key[80], first[160];
            snprintf(key, sizeof key, "%s/%s", bills[b].invoice_code, bills[b].invoice_number);
            snprintf(first, sizeof first, "%s@%s", key, c.claim_id);
            if (!wg_set_add(&invoices, key))
                wg_set_add(&invoices, first);
        }
        if (is_review)
            json_decref(claim_json);
        json_decref(o);
        json_decref(label);
    }
    assert_int_equal(mismatches, 0);
    assert_true(n_reviews > 20);
    assert_true(n_resends > 20);
    assert_true(n_unreadable > 20);
    assert_true(n_implausible > 0);
    assert_true(n_life > 10); /* documents later and appeals: on by default */
    /* the wave exercises every outcome and the reasons users rely on */
    for (int out = 0; out < 4; out++)
        assert_true(by_outcome[out] > 0);
    const fm_reason must[] = {FM_REASON_POLICY_NOT_FOUND,   FM_REASON_PERSON_NOT_INSURED,
                              FM_REASON_NOT_IN_FORCE,       FM_REASON_LIABILITY_NOT_COVERED_FOR_ROLE,
                              FM_REASON_WAITING_PERIOD,     FM_REASON_ACCIDENT_WINDOW_EXCEEDED,
                              FM_REASON_INVALID_GRADE,      FM_REASON_DUPLICATE_INVOICE,
                              FM_REASON_BELOW_DEDUCTIBLE,   FM_REASON_LIMIT_REACHED,
                              FM_REASON_DOCUMENTS_MISSING,  FM_REASON_AMOUNT_ABOVE_REVIEW_THRESHOLD,
                              FM_REASON_NO_ELIGIBLE_AMOUNT, FM_REASON_REVIEWER_DECLINED,
                              FM_REASON_REVIEWER_REDUCED,   FM_REASON_REPORT_AFTER_RECEIPT};
    for (size_t i = 0; i < sizeof must / sizeof must[0]; i++)
        if (!seen_reason[must[i]])
            fail_msg("no claim decided with %s", fm_reason_id(must[i]));

    wg_set_free(&invoices);
    wg_set_free(&book.index);
    free(book.p);
    free(evl);
    free(lbl);
    free(el);
    free(ll);
    free(ebuf);
    free(lbuf);
    fm_plan_catalogue_free(cat);
    unlink(pol);
    unlink(ev);
    unlink(lb);
}

/* Natural claims (no injected fault) have their incident inside the coverage, and an illness claim of
 * a first-time insured person is after the waiting period unless built to fail on it. */
static void claim_dates_respect_coverage_by_construction(void **state)
{
    (void)state;
    char pol[512], ev[512], lb[512];
    wg_test_path(pol, sizeof pol, "dates-policies.jsonl");
    wg_test_path(ev, sizeof ev, "dates-events.jsonl");
    wg_test_path(lb, sizeof lb, "dates-labels.jsonl");
    assert_int_equal(
        wg_test_run("enroll --households 2000 --seed 4 --dry-run /dev/null --policies-out '%s'", pol), 0);
    assert_int_equal(
        wg_test_run("claims --policies '%s' --seed 4 --claim-rate-scale 4 --dry-run '%s' --labels '%s'", pol,
                    ev, lb),
        0);
    pbook book;
    load_policies(&book, pol);
    size_t elen, llen, ne, nl, *el, *ll;
    char *ebuf = wg_test_slurp(ev, &elen), *lbuf = wg_test_slurp(lb, &llen);
    char **evl = wg_test_lines(ebuf, elen, &el, &ne);
    char **lbl = wg_test_lines(lbuf, llen, &ll, &nl);
    assert_int_equal(ne, nl);
    size_t natural = 0, reviews = 0, refused = 0, late = 0;
    wg_set receipts;
    wg_set_init(&receipts, ne * 2 + 64);
    for (size_t i = 0; i < ne; i++) {
        json_t *o = json_loadb(evl[i], el[i], 0, NULL), *label = json_loads(lbl[i], 0, NULL);
        const char *fault = s(label, "fault");
        if (strcmp(s(label, "kind"), "valid") != 0 ||
            (strcmp(s(o, "type"), "claim.submitted") != 0 && strcmp(s(o, "type"), "claim.reviewed") != 0)) {
            /* unreadable ones and re-sends are not claims to check; documents sent later or an appeal have no
             * dates of their own (a review's time is checked below) */
            json_decref(o);
            json_decref(label);
            continue;
        }
        fm_date receipt;
        assert_int_equal(fm_claim_receipt_date(s(o, "occurred_at"), &receipt), FM_OK);
        char receipt_key[80];
        snprintf(receipt_key, sizeof receipt_key, "%s=%lld", s(o, "claim_id"), (long long)receipt);
        if (strcmp(s(o, "type"), "claim.reviewed") == 0) {
            /* a review is received at least three days after its claim (the claim's receipt was noted) */
            bool after = false;
            for (int back = 3; back <= 30 && !after; back++) {
                snprintf(receipt_key, sizeof receipt_key, "%s=%lld", s(o, "claim_id"),
                         (long long)receipt - back);
                after = wg_set_has(&receipts, receipt_key);
            }
            assert_true(after);
            reviews++;
            json_decref(o);
            json_decref(label);
            continue;
        }
        wg_set_add(&receipts, receipt_key);
        fm_date incident, report;
        assert_int_equal(fm_date_parse(s(o, "incident_date"), &incident, NULL), FM_OK);
        assert_int_equal(fm_date_parse(s(o, "report_date"), &report, NULL), FM_OK);
        assert_true(report >= incident);
        /* incident <= report <= receipt, except the claims built to be refused */
        if (fault != NULL && strcmp(fault, "REPORT_AFTER_RECEIPT") == 0) {
            assert_int_equal(receipt, report - 1);
            refused++;
        } else {
            assert_true(receipt >= report && receipt <= report + 31);
            late += receipt > report;
        }
        if (fault == NULL || strcmp(fault, "DOCUMENTS_MISSING") == 0 ||
            strcmp(fault, "CI_NOT_COVERED") == 0 || strcmp(fault, "DUPLICATE_INVOICE") == 0) {
            ppolicy *p = find_policy(&book, s(o, "policy_number"));
            assert_non_null(p);
            assert_true(incident >= p->start && incident <= p->end);
            natural++;
        }
        json_decref(o);
        json_decref(label);
    }
    assert_true(natural > 1000);
    assert_true(reviews > 10);
    assert_true(refused > 0);
    assert_true(late > natural / 5); /* receipts spread after the report, not all on its day */
    wg_set_free(&receipts);
    wg_set_free(&book.index);
    free(book.p);
    free(evl);
    free(lbl);
    free(el);
    free(ll);
    free(ebuf);
    free(lbuf);
    unlink(pol);
    unlink(ev);
    unlink(lb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(claims_agree_with_the_domain_claim_decision_on_every_claim),
        cmocka_unit_test(claim_dates_respect_coverage_by_construction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
