/* test_eligibility_service.c — the eligibility and subsidy services' pure helpers: what a message becomes
 * (event or dead-letter code), what is kept of a person, and the derived event ids. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elig_apply.h"
#include "elig_decode.h"
#include "elig_people.h"
#include "fm_dates.h"
#include "fm_idnum.h"
#include "fm_test.h"
#include "subs_apply.h"
#include "subs_decode.h"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf != NULL)
        buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static const char *dir_of(const char *sub, char *buf, size_t len)
{
    snprintf(buf, len, "%s/schemas/examples/%s", FAMINS_SOURCE_DIR, sub);
    return buf;
}

static void every_valid_enrollment_example_decodes_with_a_content_hash(void **state)
{
    (void)state;
    char dir[1024];
    DIR *d = opendir(dir_of("enrollment.submitted/valid", dir, sizeof dir));
    assert_non_null(d);
    struct dirent *ent;
    int n = 0;
    while ((ent = readdir(d)) != NULL) {
        size_t l = strlen(ent->d_name);
        if (l < 6 || strcmp(ent->d_name + l - 5, ".json") != 0 || strstr(ent->d_name, ".expected.") ||
            strstr(ent->d_name, ".facts."))
            continue;
        char path[2048];
        size_t len;
        snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
        char *text = slurp(path, &len);
        assert_non_null(text);
        fm_event ev;
        fm_error err = {0};
        assert_int_equal(elig_decode(text, len, 0, &ev, &err), FM_OK);
        assert_string_equal(ev.type, "enrollment.submitted");
        assert_int_equal(strlen(ev.content_hash), 64);
        const fm_enrollment *e = ev.decoded;
        assert_string_equal(e->event_id, ev.event_id);
        elig_decoded_free(&ev);
        assert_null(ev.decoded);
        free(text);
        n++;
    }
    closedir(d);
    assert_true(n >= 40);
}

/* The runtime's dead-letter code for each codec error: format errors keep theirs, every field error is
 * SCHEMA_VIOLATION with the field in the text. */
static void every_invalid_example_is_a_dead_letter_with_the_runtimes_code(void **state)
{
    (void)state;
    const char *subs[2] = {"enrollment.submitted/invalid", "envelope/invalid"};
    int n = 0;
    for (int s = 0; s < 2; s++) {
        char dir[1024];
        DIR *d = opendir(dir_of(subs[s], dir, sizeof dir));
        assert_non_null(d);
        struct dirent *ent;
        while ((ent = readdir(d)) != NULL) {
            size_t l = strlen(ent->d_name);
            if (l < 6 || strcmp(ent->d_name + l - 5, ".json") != 0)
                continue;
            char path[2048], want_path[512] = "", want_code[64] = "";
            size_t len, elen;
            snprintf(path, sizeof path, "%s/%.*s.expected-error", dir, (int)(l - 5), ent->d_name);
            char *expected = slurp(path, &elen);
            assert_non_null(expected);
            char *colon = strstr(expected, ": ");
            assert_non_null(colon);
            snprintf(want_path, sizeof want_path, "%.*s", (int)(colon - expected), expected);
            sscanf(colon + 2, "%63s", want_code);
            snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
            char *text = slurp(path, &len);
            assert_non_null(text);
            fm_event ev;
            fm_error err = {0};
            assert_int_equal(elig_decode(text, len, 0, &ev, &err), FM_EINVAL);
            assert_null(ev.decoded);
            const char *want = "SCHEMA_VIOLATION";
            if (strcmp(want_code, "INVALID_JSON") == 0 || strcmp(want_code, "INVALID_UTF8") == 0 ||
                strcmp(want_code, "UNKNOWN_SCHEMA_VERSION") == 0)
                want = want_code;
            else if (strcmp(want_path, "type") == 0)
                want = "UNKNOWN_TYPE";
            if (strcmp(err.code, want) != 0)
                fail_msg("%s: code %s, want %s (codec %s at %s)", ent->d_name, err.code, want, want_code,
                         want_path);
            assert_non_null(strstr(err.text, want_code)); /* the codec's own code stays in the text */
            free(text);
            free(expected);
            n++;
        }
        closedir(d);
    }
    assert_true(n >= 30);
}

static void oversized_and_wrong_type_messages_are_dead_letters(void **state)
{
    (void)state;
    char dir[1024], path[2048];
    size_t len;
    snprintf(path, sizeof path, "%s/02-a-only-child-without-adults.json",
             dir_of("enrollment.submitted/valid", dir, sizeof dir));
    char *text = slurp(path, &len);
    assert_non_null(text);
    fm_event ev;
    fm_error err = {0};
    assert_int_equal(elig_decode(text, len, 100, &ev, &err), FM_EINVAL);
    assert_string_equal(err.code, "MESSAGE_TOO_LARGE");
    /* An enrollment.submitted on the decided topic is not the subsidy's event. */
    assert_int_equal(subs_decode(text, len, 0, &ev, &err), FM_EINVAL);
    assert_string_equal(err.code, "UNKNOWN_TYPE");
    free(text);
    snprintf(path, sizeof path, "%s/accepted-a.json", dir_of("enrollment.decided/valid", dir, sizeof dir));
    text = slurp(path, &len);
    assert_non_null(text);
    assert_int_equal(elig_decode(text, len, 0, &ev, &err), FM_EINVAL);
    assert_string_equal(err.code, "UNKNOWN_TYPE");
    /* ...and is what the subsidy service reads. */
    assert_int_equal(subs_decode(text, len, 0, &ev, &err), FM_OK);
    const subs_decided *d = ev.decoded;
    assert_int_equal(d->category, FM_CATEGORY_A);
    assert_fen_equal(d->split.city + d->split.district_or_county + d->split.development_zone, 4000);
    assert_string_equal(d->event_id, ev.event_id);
    subs_decoded_free(&ev);
    free(text);
}

static void a_valid_number_is_kept_as_key_mask_birth_year_and_sex(void **state)
{
    (void)state;
    /* A girl's number (even 17th digit) whose check character is X, also typed with a lowercase x by an
     * agent. */
    char upper[19] = "", lower[19];
    for (int seq = 0; seq < 1000 && upper[0] == '\0'; seq += 2) {
        char first17[18];
        snprintf(first17, sizeof first17, "61011320120305%03d", seq);
        if (fm_idnum_check_char(first17) == 'X')
            snprintf(upper, sizeof upper, "%sX", first17);
    }
    assert_int_equal(strlen(upper), 18);
    snprintf(lower, sizeof lower, "%.17sx", upper);
    elig_person a, b, c;
    fm_error err;
    fm_keyring s, t;
    assert_int_equal(fm_keyring_init(&s, "k1", "s", &err), FM_OK);
    assert_int_equal(fm_keyring_init(&t, "k1", "t", &err), FM_OK);
    fm_date today = fm_date_from_ymd(2026, 1, 15);
    assert_int_equal(elig_person_read(&s, upper, today, &a, &err), FM_OK);
    assert_int_equal(elig_person_read(&s, lower, today, &b, &err), FM_OK);
    assert_true(a.valid);
    assert_true(b.valid);
    assert_string_equal(a.key, b.key);
    assert_int_equal(strlen(a.key), 3 + 64);
    assert_int_equal(strncmp(a.key, "k1:", 3), 0);
    assert_int_equal(a.n_previous, 0);
    assert_null(strstr(a.key, "610113"));
    char mask[24];
    snprintf(mask, sizeof mask, "**************%.4s", upper + 14);
    assert_string_equal(a.masked, mask);
    /* The date is for the rules while deciding; the row keeps its year. */
    assert_i64_equal(a.birth_date, fm_date_from_ymd(2012, 3, 5));
    assert_int_equal(elig_year_of(a.birth_date), 2012);
    assert_string_equal(elig_sex_code(a.sex), "F");
    /* Another secret, another key: the key is keyed, not a plain hash. */
    assert_int_equal(elig_person_read(&t, upper, today, &c, &err), FM_OK);
    assert_string_not_equal(a.key, c.key);
}

static void a_person_is_keyed_under_every_key_of_the_ring_current_first(void **state)
{
    (void)state;
    fm_keyring ring;
    fm_error err;
    assert_int_equal(fm_keyring_init(&ring, "k2", "two", &err), FM_OK);
    assert_int_equal(fm_keyring_add(&ring, "k1", "one", &err), FM_OK);
    elig_person p;
    assert_int_equal(elig_person_read(&ring, "11010519491231002X", fm_date_from_ymd(2026, 1, 15), &p, &err),
                     FM_OK);
    char k1[FM_PERSON_KEY_LEN], k2[FM_PERSON_KEY_LEN];
    assert_int_equal(fm_person_key("k1", "one", "11010519491231002X", k1), FM_OK);
    assert_int_equal(fm_person_key("k2", "two", "11010519491231002X", k2), FM_OK);
    assert_string_equal(p.key, k2);
    assert_int_equal(p.n_previous, 1);
    assert_string_equal(p.previous[0], k1);
}

static void an_invalid_number_keeps_only_its_mask(void **state)
{
    (void)state;
    elig_person p;
    fm_error err;
    fm_keyring s, empty = {0};
    assert_int_equal(fm_keyring_init(&s, "k1", "s", &err), FM_OK);
    assert_int_equal(elig_person_read(&s, "610113201203050021", fm_date_from_ymd(2026, 1, 15), &p, &err),
                     FM_OK);
    assert_false(p.valid);
    assert_string_equal(p.key, "");
    assert_string_equal(p.masked, "**************0021");
    assert_int_equal(elig_person_read(&s, NULL, 0, &p, &err), FM_OK);
    assert_false(p.valid);
    assert_int_equal(elig_person_read(&empty, "61011320120305002X", 0, &p, &err), FM_EINVAL);
}

static void decided_and_allocated_event_ids_are_derived_and_fit_the_envelope(void **state)
{
    (void)state;
    char out[ELIG_EVENT_ID_LEN], again[ELIG_EVENT_ID_LEN], sub[SUBS_TEXT_LEN];
    assert_int_equal(elig_decided_event_id("enr-2026-1", out), FM_OK);
    assert_string_equal(out, "dec-enr-2026-1");
    assert_int_equal(subs_event_id(out, sub), FM_OK);
    assert_string_equal(sub, "sub-dec-enr-2026-1");
    char long_id[65];
    memset(long_id, 'x', 64);
    long_id[64] = '\0';
    assert_int_equal(elig_decided_event_id(long_id, out), FM_OK);
    assert_int_equal(strlen(out), 64);
    assert_int_equal(strncmp(out, "dech-", 5), 0);
    assert_int_equal(elig_decided_event_id(long_id, again), FM_OK);
    assert_string_equal(out, again);
    long_id[63] = 'y';
    assert_int_equal(elig_decided_event_id(long_id, again), FM_OK);
    assert_string_not_equal(out, again);
    for (const char *c = out; *c; c++)
        assert_non_null(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-", *c));
    assert_int_equal(elig_decided_event_id("", out), FM_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_valid_enrollment_example_decodes_with_a_content_hash),
        cmocka_unit_test(every_invalid_example_is_a_dead_letter_with_the_runtimes_code),
        cmocka_unit_test(oversized_and_wrong_type_messages_are_dead_letters),
        cmocka_unit_test(a_valid_number_is_kept_as_key_mask_birth_year_and_sex),
        cmocka_unit_test(a_person_is_keyed_under_every_key_of_the_ring_current_first),
        cmocka_unit_test(an_invalid_number_keeps_only_its_mask),
        cmocka_unit_test(decided_and_allocated_event_ids_are_derived_and_fit_the_envelope),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
