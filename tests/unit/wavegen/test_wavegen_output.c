/* test_wavegen_output.c — what users of famins-wavegen rely on in its output: valid identity numbers,
 * same seed same bytes, and injected-fault shares close to the requested ones, measured by parsing
 * the --dry-run output (not from the generator's own counters). */
#include "fm_test.h"

#include <jansson.h>
#include <math.h>

#include "fm_dates.h"
#include "fm_idnum.h"
#include "wg_idnum.h"
#include "wg_rng.h"
#include "wg_test_util.h"

static char *run_to_file(const char *name, const char *args, size_t *len)
{
    char path[512];
    wg_test_path(path, sizeof path, name);
    assert_int_equal(wg_test_run("%s --dry-run '%s'", args, path), 0);
    char *buf = wg_test_slurp(path, len);
    assert_non_null(buf);
    unlink(path);
    return buf;
}

static void check_char_agrees_with_the_domain_core_on_random_numbers(void **state)
{
    (void)state;
    wg_rng r;
    wg_rng_seed(&r, 5, 5, 5);
    char digits[18];
    for (int i = 0; i < 200000; i++) {
        for (int k = 0; k < 17; k++)
            digits[k] = (char)('0' + wg_rng_below(&r, 10));
        digits[17] = '\0';
        assert_int_equal(wg_idnum_check_char(digits), fm_idnum_check_char(digits));
    }
}

static void identity_numbers_issued_never_repeat_and_carry_birth_date_and_sex(void **state)
{
    (void)state;
    const char *areas[] = {"610113", "610125"};
    wg_idreg *reg = NULL;
    int32_t day = fm_date_from_ymd(2012, 2, 29);
    assert_int_equal(wg_idreg_new(areas, 2, day - 10, day + 10, &reg), FM_OK);
    wg_set seen;
    wg_set_init(&seen, 8192);
    /* 500 men and 499 women per (area, date): 1,000 men and 998 women for one date in two areas. */
    for (int i = 0; i < 1998; i++) {
        char id[19];
        bool male = i < 1000;
        assert_int_equal(wg_idreg_issue(reg, 0, day, male, id), FM_OK);
        fm_idnum parsed;
        assert_int_equal(fm_idnum_parse(id, day + 1, &parsed, NULL), FM_OK);
        assert_i64_equal(parsed.birth_date, day);
        assert_int_equal(parsed.sex, male ? FM_SEX_MALE : FM_SEX_FEMALE);
        assert_false(wg_set_add(&seen, id));
    }
    char id[19];
    assert_int_equal(wg_idreg_issue(reg, 0, day, true, id), FM_ENOTFOUND);
    assert_int_equal(wg_idreg_issue(reg, 1, day, false, id), FM_ENOTFOUND);
    assert_int_equal(wg_idreg_issue(reg, 1, day + 1, true, id), FM_OK);
    wg_set_free(&seen);
    wg_idreg_free(reg);
}

/* Every identity number of the households built valid passes the domain core's check as of the
 * submission date, and no person appears in two households (shared people are off by default). */
static void generated_identity_numbers_all_pass_the_domain_check(void **state)
{
    (void)state;
    size_t len, n_lines, *lens;
    char *ev = run_to_file("ids.jsonl",
                           "enroll --households 20000 --seed 3 --ineligible-share 0 --two-reasons-share 0 "
                           "--unreadable-share 0",
                           &len);
    char **lines = wg_test_lines(ev, len, &lens, &n_lines);
    assert_true(n_lines >= 20000);
    wg_set people, events;
    wg_set_init(&people, 400000);
    wg_set_init(&events, 100000);
    size_t checked = 0, old_codes = 0, elsewhere = 0, lower_x = 0;
    for (size_t i = 0; i < n_lines; i++) {
        json_t *root = json_loads(lines[i], 0, NULL);
        assert_non_null(root);
        bool repeat = wg_set_add(&events, json_string_value(json_object_get(root, "event_id")));
        fm_date today;
        assert_int_equal(
            fm_date_parse(json_string_value(json_object_get(root, "submitted_on")), &today, NULL), FM_OK);
        const char *hh = json_string_value(json_object_get(root, "household_id"));
        json_t *ms = json_object_get(root, "members");
        size_t k;
        json_t *m;
        json_array_foreach(ms, k, m)
        {
            const char *id = json_string_value(json_object_get(m, "id_number"));
            fm_idnum parsed;
            fm_error err;
            if (fm_idnum_parse(id, today, &parsed, &err) != FM_OK)
                fail_msg("member %zu of %s: %s", k, hh, err.code);
            checked++;
            old_codes += strncmp(id, "610125", 6) == 0 || strncmp(id, "610126", 6) == 0;
            elsewhere += strncmp(id, "6101", 4) != 0;
            lower_x += id[17] == 'x';
            /* the same person twice: only inside one household's repeated event */
            char who[128];
            snprintf(who, sizeof who, "%s", parsed.canonical);
            if (!repeat && wg_set_add(&people, who)) {
                /* a second household may only name someone again if it is the same household */
                fail_msg("identity number of member %zu of %s also appears in another household", k, hh);
            }
        }
        const char *app = json_string_value(json_object_get(json_object_get(root, "applicant"), "id_number"));
        assert_int_equal(fm_idnum_parse(app, today, &(fm_idnum){0}, NULL), FM_OK);
        json_decref(root);
    }
    /* some old codes (610125/610126), some from outside Xi'an, some lowercase x: all valid */
    assert_true(checked > 50000);
    assert_true(old_codes > 100);
    assert_true(elsewhere > 1000);
    assert_true(lower_x > 10);
    wg_set_free(&people);
    wg_set_free(&events);
    free(lines);
    free(lens);
    free(ev);
}

static void the_same_seed_gives_the_same_bytes_and_another_seed_other_bytes(void **state)
{
    (void)state;
    const char *args = "enroll --households 3000 --ineligible-share 0.3 --shared-person-share 0.02";
    char a1[512], a2[512], a3[512];
    snprintf(a1, sizeof a1, "%s --seed 99", args);
    snprintf(a2, sizeof a2, "%s --seed 99 --rate 0", args);
    snprintf(a3, sizeof a3, "%s --seed 100", args);
    size_t l1, l2, l3;
    char *b1 = run_to_file("det1.jsonl", a1, &l1);
    char *b2 = run_to_file("det2.jsonl", a2, &l2);
    char *b3 = run_to_file("det3.jsonl", a3, &l3);
    assert_true(l1 > 100000);
    assert_int_equal(l1, l2);
    assert_memory_equal(b1, b2, l1);
    assert_false(l1 == l3 && memcmp(b1, b3, l1) == 0);
    free(b1);
    free(b2);
    free(b3);

    /* labels and policies too */
    char lab1[512], lab2[512], pol1[512], pol2[512];
    wg_test_path(lab1, sizeof lab1, "det-l1");
    wg_test_path(lab2, sizeof lab2, "det-l2");
    wg_test_path(pol1, sizeof pol1, "det-p1");
    wg_test_path(pol2, sizeof pol2, "det-p2");
    assert_int_equal(wg_test_run("%s --dry-run /dev/null --labels '%s' --policies-out '%s'", a1, lab1, pol1),
                     0);
    assert_int_equal(wg_test_run("%s --dry-run /dev/null --labels '%s' --policies-out '%s'", a1, lab2, pol2),
                     0);
    const char *pairs[2][2] = {{lab1, lab2}, {pol1, pol2}};
    for (int i = 0; i < 2; i++) {
        size_t x, y;
        char *p = wg_test_slurp(pairs[i][0], &x), *q = wg_test_slurp(pairs[i][1], &y);
        assert_non_null(p);
        assert_non_null(q);
        assert_true(x > 1000);
        assert_int_equal(x, y);
        assert_memory_equal(p, q, x);
        free(p);
        free(q);
        unlink(pairs[i][0]);
        unlink(pairs[i][1]);
    }
}

/* Claims from the policies file of a wave and claims from the same wave rebuilt from its seed are the
 * same bytes: the rebuilt mode needs no file of identity numbers. */
static void claims_from_a_rebuilt_wave_equal_claims_from_its_policies_file(void **state)
{
    (void)state;
    char pol[512], a[512], b[512];
    wg_test_path(pol, sizeof pol, "rebuild-policies.jsonl");
    wg_test_path(a, sizeof a, "rebuild-a.jsonl");
    wg_test_path(b, sizeof b, "rebuild-b.jsonl");
    const char *wave = "--households 1500 --seed 21 --ineligible-share 0.2 --over-age-share 0.2";
    assert_int_equal(wg_test_run("enroll %s --dry-run /dev/null --policies-out '%s'", wave, pol), 0);
    assert_int_equal(
        wg_test_run("claims --policies '%s' --seed 21 --claim-rate-scale 3 --dry-run '%s'", pol, a), 0);
    assert_int_equal(wg_test_run("claims %s --claim-rate-scale 3 --dry-run '%s'", wave, b), 0);
    size_t la, lb;
    char *x = wg_test_slurp(a, &la), *y = wg_test_slurp(b, &lb);
    assert_non_null(x);
    assert_non_null(y);
    assert_true(la > 10000);
    assert_int_equal(la, lb);
    assert_memory_equal(x, y, la);
    free(x);
    free(y);
    unlink(pol);
    unlink(a);
    unlink(b);
}

/* |measured - expected| within 4 standard deviations of a binomial count, and at least 1 event. */
static void assert_share(const char *what, size_t count, size_t n, double share)
{
    double expected = share * (double)n;
    double sd = sqrt(expected * (1 - share));
    double tol = 4 * sd + 1;
    if (fabs((double)count - expected) > tol)
        fail_msg("%s: measured %zu of %zu (%.4f), requested %.4f (tolerance +-%.0f)", what, count, n,
                 (double)count / (double)n, share, tol);
}

static void injected_fault_shares_measured_from_the_output_match_the_requested_ones(void **state)
{
    (void)state;
    const size_t households = 40000;
    const double unreadable = 0.03, resend = 0.02, conflict = 0.015, ineligible = 0.2, two = 0.02;
    char args[512];
    snprintf(args, sizeof args,
             "enroll --households %zu --seed 8 --unreadable-share %g --resend-share %g --conflict-share %g "
             "--ineligible-share %g --two-reasons-share %g",
             households, unreadable, resend, conflict, ineligible, two);
    size_t len, n, *lens;
    char *buf = run_to_file("shares.jsonl", args, &len);
    char **lines = wg_test_lines(buf, len, &lens, &n);

    wg_set ids, first_lines, households_seen;
    wg_set_init(&ids, n * 4);
    wg_set_init(&first_lines, n * 4);
    wg_set_init(&households_seen, n * 4);
    size_t n_unreadable = 0, n_resend = 0, n_conflict = 0, n_no_consent = 0, n_unknown_unit = 0, n_second = 0;
    size_t by_kind[5] = {0};
    const char *prev_id = NULL;
    char prev_id_buf[128] = "";
    for (size_t i = 0; i < n; i++) {
        json_error_t jerr;
        json_t *root = json_loadb(lines[i], lens[i], JSON_REJECT_DUPLICATES, &jerr);
        bool readable = root != NULL && lens[i] <= 262144 &&
                        json_integer_value(json_object_get(root, "schema_version")) == 1 &&
                        json_is_string(json_object_get(root, "submitted_on")) &&
                        json_is_integer(json_object_get(root, "plan_year")) &&
                        json_object_get(root, "remark") == NULL;
        if (readable) { /* every member role one of the three */
            size_t k;
            json_t *m;
            json_array_foreach(json_object_get(root, "members"), k, m)
            {
                const char *role = json_string_value(json_object_get(m, "role"));
                readable = readable && role != NULL &&
                           (!strcmp(role, "child") || !strcmp(role, "parent") || !strcmp(role, "guardian"));
            }
        }
        if (!readable) {
            n_unreadable++;
            if (root == NULL)
                by_kind[strstr(jerr.text, "UTF-8") || strstr(jerr.text, "decode") ? 1 : 0]++;
            else if (lens[i] > 262144)
                by_kind[4]++;
            else if (json_integer_value(json_object_get(root, "schema_version")) != 1)
                by_kind[3]++;
            else
                by_kind[2]++;
            json_decref(root);
            continue;
        }
        const char *eid = json_string_value(json_object_get(root, "event_id"));
        const char *hh = json_string_value(json_object_get(root, "household_id"));
        if (wg_set_add(&ids, eid)) { /* the id again: same bytes = re-send, other bytes = conflict */
            if (prev_id != NULL && strcmp(prev_id, eid) == 0 && lens[i] == lens[i - 1] &&
                memcmp(lines[i], lines[i - 1], lens[i]) == 0)
                n_resend++;
            else
                n_conflict++;
        } else {
            if (wg_set_add(&households_seen, hh))
                n_second++; /* a second enrollment of one household under a new id */
            json_t *consent = json_object_get(root, "consent");
            n_no_consent += json_is_false(json_object_get(consent, "given"));
            const char *unit = json_string_value(json_object_get(root, "managing_unit"));
            n_unknown_unit += strcmp(unit, "610199") == 0 || strcmp(unit, "ZZKFQ") == 0;
        }
        snprintf(prev_id_buf, sizeof prev_id_buf, "%s", eid);
        prev_id = prev_id_buf;
        json_decref(root);
    }
    assert_share("unreadable", n_unreadable, households, unreadable);
    for (int k = 0; k < 5; k++) /* each of the five kinds of unreadable message is there */
        assert_share("one kind of unreadable", by_kind[k], households, unreadable / 5);
    assert_share("re-sent", n_resend, households, resend);
    assert_share("event id conflict", n_conflict, households, conflict);
    /* ten single reasons share `ineligible`; NO_CONSENT also comes with each two-reason household */
    assert_share("no consent", n_no_consent, households, ineligible / 10 + two);
    assert_share("unknown managing unit", n_unknown_unit, households, ineligible / 10 + two / 6);
    assert_share("enrolled twice", n_second, households, ineligible / 10);
    wg_set_free(&ids);
    wg_set_free(&first_lines);
    wg_set_free(&households_seen);
    free(lines);
    free(lens);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(check_char_agrees_with_the_domain_core_on_random_numbers),
        cmocka_unit_test(identity_numbers_issued_never_repeat_and_carry_birth_date_and_sex),
        cmocka_unit_test(generated_identity_numbers_all_pass_the_domain_check),
        cmocka_unit_test(the_same_seed_gives_the_same_bytes_and_another_seed_other_bytes),
        cmocka_unit_test(claims_from_a_rebuilt_wave_equal_claims_from_its_policies_file),
        cmocka_unit_test(injected_fault_shares_measured_from_the_output_match_the_requested_ones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
