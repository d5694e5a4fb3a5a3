/* test_wavegen_rules_cli.c — the labels of a small wave agree with `famins-rules` on every event:
 * each readable enrollment is decided by the real CLI (codec + rules) with the facts a service would
 * know from the decisions before it, and each unreadable one is refused by the codec with the error
 * its label names. Resends and id conflicts are the consumer's business, not the CLI's: skipped. */
#include "fm_test.h"

#include <ctype.h>
#include <jansson.h>

#include "wg_test_util.h"

#define HOUSEHOLDS 250

static char *s(json_t *o, const char *k)
{
    return (char *)json_string_value(json_object_get(o, k));
}

/* Codes of an array of reasons (strings or {code, ...}); with members_only < 0 only those without
 * member_index, > 0 only those with it, 0 all. */
static void codes(json_t *arr, int members_only, char *buf, size_t len)
{
    buf[0] = '\0';
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *code = json_is_string(v) ? json_string_value(v) : s(v, "code");
        bool has_member = json_is_object(v) && json_object_get(v, "member_index") != NULL;
        if ((members_only < 0 && has_member) || (members_only > 0 && !has_member) || code == NULL)
            continue;
        strncat(buf, code, len - strlen(buf) - 2);
        strncat(buf, ",", len - strlen(buf) - 1);
    }
}

static int same(const char *event_id, const char *what, const char *want, const char *got)
{
    if (strcmp(want ? want : "", got ? got : "") == 0)
        return 0;
    print_error("%s: %s label=[%s] famins-rules=[%s]\n", event_id, what, want ? want : "", got ? got : "");
    return 1;
}

static void canonical(const char *id, char out[64])
{
    snprintf(out, 64, "%s", id ? id : "");
    for (char *p = out; *p; p++)
        *p = (char)toupper((unsigned char)*p);
}

static void labels_agree_with_famins_rules_on_every_event_of_a_small_wave(void **state)
{
    (void)state;
    char ev[512], lb[512], one[512], facts[512], out[512], err[512];
    wg_test_path(ev, sizeof ev, "cli-events.jsonl");
    wg_test_path(lb, sizeof lb, "cli-labels.jsonl");
    wg_test_path(one, sizeof one, "cli-one.json");
    wg_test_path(facts, sizeof facts, "cli-facts.json");
    wg_test_path(out, sizeof out, "cli-out.json");
    wg_test_path(err, sizeof err, "cli-err.txt");
    assert_int_equal(
        wg_test_run("enroll --households %d --seed 12 --dry-run '%s' --labels '%s' --ineligible-share 0.35 "
                    "--two-reasons-share 0.08 --unreadable-share 0.1 --over-age-share 0.3 "
                    "--shared-person-share 0.05",
                    HOUSEHOLDS, ev, lb),
        0);
    size_t elen, llen, ne, nl, *el, *ll;
    char *ebuf = wg_test_slurp(ev, &elen), *lbuf = wg_test_slurp(lb, &llen);
    assert_non_null(ebuf);
    assert_non_null(lbuf);
    char **evl = wg_test_lines(ebuf, elen, &el, &ne);
    char **lbl = wg_test_lines(lbuf, llen, &ll, &nl);
    assert_int_equal(ne, nl);

    wg_set policies, insured;
    wg_set_init(&policies, 4096);
    wg_set_init(&insured, 16384);
    int mismatches = 0;
    size_t decided = 0, refused = 0;
    for (size_t i = 0; i < ne && mismatches < 20; i++) {
        json_t *label = json_loads(lbl[i], 0, NULL);
        assert_non_null(label);
        const char *kind = s(label, "kind"), *event_id = s(label, "event_id");
        json_t *exp = json_object_get(label, "expected");
        if (strcmp(kind, "resend") == 0 || strcmp(kind, "conflict") == 0) {
            json_decref(label);
            continue;
        }
        FILE *f = fopen(one, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(evl[i], 1, el[i], f), el[i]);
        fclose(f);

        /* facts from the decisions so far (only for events that parse) */
        json_t *event = json_loadb(evl[i], el[i], 0, NULL);
        json_t *fj = json_object();
        if (event != NULL && json_is_string(json_object_get(event, "household_id"))) {
            char pn[128];
            snprintf(pn, sizeof pn, "FJ%lld-%s",
                     (long long)json_integer_value(json_object_get(event, "plan_year")),
                     s(event, "household_id"));
            json_object_set_new(fj, "household_has_policy", json_boolean(wg_set_has(&policies, pn)));
            json_t *fm = json_array();
            size_t k;
            json_t *m;
            json_array_foreach(json_object_get(event, "members"), k, m)
            {
                char id[64], own[160];
                canonical(s(m, "id_number"), id);
                snprintf(own, sizeof own, "%s@%s", id, s(event, "household_id"));
                json_t *one_fact = json_object();
                json_object_set_new(one_fact, "insured_elsewhere",
                                    json_boolean(wg_set_has(&insured, id) && !wg_set_has(&insured, own)));
                json_array_append_new(fm, one_fact);
            }
            json_object_set_new(fj, "members", fm);
        }
        assert_int_equal(json_dump_file(fj, facts, 0), 0);
        json_decref(fj);

        char cmd[4096];
        snprintf(cmd, sizeof cmd, "'%s' enrollment --plan-dir '%s' --facts '%s' '%s' >'%s' 2>'%s'", RULES_BIN,
                 WAVEGEN_PLANS, facts, one, out, err);
        int rc = system(cmd);
        assert_true(WIFEXITED(rc));
        rc = WEXITSTATUS(rc);

        if (strcmp(kind, "unreadable") == 0) {
            size_t n;
            char *msg = wg_test_slurp(err, &n);
            assert_non_null(msg);
            const char *dl = s(exp, "dead_letter");
            char want[160];
            if (strcmp(dl, "MESSAGE_TOO_LARGE") == 0)
                snprintf(want, sizeof want, "TOO_LARGE");
            else if (strcmp(dl, "SCHEMA_VIOLATION") == 0 && s(exp, "path")[0] == '\0')
                snprintf(want, sizeof want, ": %s (", s(exp, "error")); /* "file: CODE (text)" */
            else if (strcmp(dl, "SCHEMA_VIOLATION") == 0)
                snprintf(want, sizeof want, "%s: %s", s(exp, "path"), s(exp, "error"));
            else
                snprintf(want, sizeof want, "%s", dl);
            if (rc != 1 || strstr(msg, want) == NULL) {
                print_error("%s: labelled %s, famins-rules exit %d: %s", event_id, want, rc, msg);
                mismatches++;
            }
            refused++;
            free(msg);
            json_decref(event);
            json_decref(label);
            continue;
        }
        if (rc != 0) {
            size_t n;
            char *msg = wg_test_slurp(err, &n);
            print_error("%s: famins-rules exit %d: %s", event_id, rc, msg ? msg : "");
            free(msg);
            mismatches++;
            json_decref(event);
            json_decref(label);
            continue;
        }
        json_t *d = json_load_file(out, 0, NULL);
        assert_non_null(d);
        decided++;
        char want[512], got[512];
        mismatches += same(event_id, "outcome", s(exp, "outcome"), s(d, "outcome"));
        mismatches += same(event_id, "category", s(exp, "category"), s(d, "category"));
        mismatches += same(event_id, "policy_number", s(exp, "policy_number"), s(d, "policy_number"));
        codes(json_object_get(exp, "reasons"), 0, want, sizeof want);
        codes(json_object_get(d, "reasons"), -1, got, sizeof got);
        mismatches += same(event_id, "reasons", want, got);
        codes(json_object_get(exp, "applicant_reasons"), 0, want, sizeof want);
        codes(json_object_get(d, "applicant_reasons"), 0, got, sizeof got);
        mismatches += same(event_id, "applicant_reasons", want, got);
        codes(json_object_get(exp, "notes"), 0, want, sizeof want);
        codes(json_object_get(d, "notes"), 0, got, sizeof got);
        mismatches += same(event_id, "notes", want, got);
        json_t *lm = json_object_get(exp, "members"), *dm = json_object_get(d, "members");
        assert_int_equal(json_array_size(lm), json_array_size(dm));
        for (size_t k = 0; k < json_array_size(lm); k++) {
            mismatches += same(event_id, "member status", s(json_array_get(lm, k), "status"),
                               s(json_array_get(dm, k), "status"));
            codes(json_object_get(json_array_get(lm, k), "reasons"), 0, want, sizeof want);
            codes(json_object_get(json_array_get(dm, k), "reasons"), 0, got, sizeof got);
            mismatches += same(event_id, "member reasons", want, got);
        }
        const char *amounts[] = {"premium", "subsidy", "self_paid"};
        for (int a = 0; a < 3; a++) {
            snprintf(want, sizeof want, "%lld",
                     (long long)json_integer_value(json_object_get(exp, amounts[a])));
            snprintf(got, sizeof got, "%lld", (long long)json_integer_value(json_object_get(d, amounts[a])));
            mismatches += same(event_id, amounts[a], want, got);
        }
        mismatches += same(event_id, "coverage_start", s(exp, "coverage_start"), s(d, "coverage_start"));
        mismatches += same(event_id, "coverage_end", s(exp, "coverage_end"), s(d, "coverage_end"));

        if (strcmp(s(d, "outcome"), "accepted") == 0) { /* what the database would now know */
            wg_set_add(&policies, s(d, "policy_number"));
            json_t *ms = json_object_get(event, "members");
            for (size_t k = 0; k < json_array_size(dm); k++)
                if (strcmp(s(json_array_get(dm, k), "status"), "insured") == 0) {
                    char id[64], own[160];
                    canonical(s(json_array_get(ms, k), "id_number"), id);
                    snprintf(own, sizeof own, "%s@%s", id, s(event, "household_id"));
                    wg_set_add(&insured, id);
                    wg_set_add(&insured, own);
                }
        }
        json_decref(d);
        json_decref(event);
        json_decref(label);
    }
    assert_int_equal(mismatches, 0);
    assert_true(decided > HOUSEHOLDS / 2);
    assert_true(refused > 5);
    wg_set_free(&policies);
    wg_set_free(&insured);
    free(evl);
    free(lbl);
    free(el);
    free(ll);
    free(ebuf);
    free(lbuf);
    unlink(ev);
    unlink(lb);
    unlink(one);
    unlink(facts);
    unlink(out);
    unlink(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(labels_agree_with_famins_rules_on_every_event_of_a_small_wave),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
