/* test_person.c — unit tests of the person mask, the person key's format and the keyring (issue 12). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fm_keyring.h"
#include "fm_person.h"
#include "fm_settings.h"
#include "fm_test.h"

static const fm_setting test_settings[] = {FM_COMMON_SETTINGS};
#define TEST_SETTING_COUNT (sizeof test_settings / sizeof test_settings[0])

static const char *fake_env(const char *name, void *ctx)
{
    for (const char *const *p = ctx; *p != NULL; p++) {
        size_t n = strlen(name);
        if (strncmp(*p, name, n) == 0 && (*p)[n] == '=')
            return *p + n + 1;
    }
    return NULL;
}

/* A temporary file holding text; its path in path (a "/tmp/famins-person-XXXXXX" buffer). */
static void temp_file(char *path, const char *text)
{
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

/* The keyring the environment env gives, or the status; err filled. */
static fm_status ring_of(const char **env, fm_keyring *ring, bool *dev, fm_error *err)
{
    fm_settings *s = NULL;
    assert_int_equal(fm_settings_load(test_settings, TEST_SETTING_COUNT, fake_env, env, &s, err), FM_OK);
    fm_status st = fm_keyring_from_settings(s, ring, dev, err);
    fm_settings_free(s);
    return st;
}

static void mask_keeps_only_the_last_four_characters(void **state)
{
    (void)state;
    char out[FM_PERSON_MASK_LEN];
    fm_person_mask("11010519491231002X", out);
    assert_string_equal(out, "**************002X");
    fm_person_mask("610125850101001", out);
    assert_string_equal(out, "***********1001");
    fm_person_mask("123456789", out);
    assert_string_equal(out, "*****6789");
    fm_person_mask("12345678", out);
    assert_string_equal(out, "********");
    fm_person_mask("", out);
    assert_string_equal(out, "");
}

static void mask_never_shows_the_area_code_or_the_birth_date(void **state)
{
    (void)state;
    const char *ids[] = {"11010519491231002X", "610113201203050027", "44030420000229001x"};
    for (size_t i = 0; i < 3; i++) {
        char out[FM_PERSON_MASK_LEN], area[7], birth[9];
        fm_person_mask(ids[i], out);
        memcpy(area, ids[i], 6);
        area[6] = '\0';
        memcpy(birth, ids[i] + 6, 8);
        birth[8] = '\0';
        assert_null(strstr(out, area));
        assert_null(strstr(out, birth));
        for (size_t k = 0; k < 14; k++)
            assert_int_equal(out[k], '*');
    }
}

static void mask_of_a_long_or_odd_number_keeps_its_end_and_stays_text(void **state)
{
    (void)state;
    char out[FM_PERSON_MASK_LEN];
    fm_person_mask("123456789012345678901234567890", out);
    assert_int_equal(strlen(out), FM_PERSON_MASK_LEN - 1);
    assert_string_equal(out + strlen(out) - 4, "7890");
    assert_int_equal(out[0], '*');
    /* A cut multi-byte character (the last bytes of "一二三") is not shown. */
    fm_person_mask("1234567\xe4\xb8\x80\xe4\xba\x8c\xe4\xb8\x89", out);
    assert_string_equal(out, "****************");
    fm_person_mask("123456789 00 2X", out);
    assert_string_equal(out, "***************");
}

static void person_key_names_its_key_and_folds_a_lowercase_check_character(void **state)
{
    (void)state;
    char a[FM_PERSON_KEY_LEN], b[FM_PERSON_KEY_LEN], c[FM_PERSON_KEY_LEN], d[FM_PERSON_KEY_LEN];
    assert_int_equal(fm_person_key("k1", "s1", "11010519491231002X", a), FM_OK);
    assert_int_equal(fm_person_key("k1", "s1", "11010519491231002x", b), FM_OK);
    assert_string_equal(a, b);
    assert_int_equal(strncmp(a, "k1:", 3), 0);
    assert_int_equal(strlen(a), 3 + 64);
    assert_true(fm_person_key_valid(a));
    assert_int_equal(fm_person_key("k2", "s2", "11010519491231002X", c), FM_OK);
    assert_string_not_equal(a + 3, c + 3);
    /* The id names the secret; the same secret under another id gives the same hash. */
    assert_int_equal(fm_person_key("k2", "s1", "11010519491231002X", d), FM_OK);
    assert_string_equal(a + 3, d + 3);
    assert_null(strstr(a, "11010519491231002X"));
    /* HMAC-SHA256("s1", "11010519491231002X"), checked with openssl dgst -sha256 -hmac s1. */
    assert_string_equal(a + 3, "6699ba7d5c41365aa516221ac632b7ff925236bfeb539b8b3e1104f3330ecbaf");
}

static void person_key_refuses_bad_ids_secrets_and_numbers(void **state)
{
    (void)state;
    char a[FM_PERSON_KEY_LEN];
    assert_int_equal(fm_person_key("k1", "", "11010519491231002X", a), FM_EINVAL);
    assert_int_equal(fm_person_key("k1", "s1", "", a), FM_EINVAL);
    assert_int_equal(fm_person_key("k1", "s1", "123456789012345678901234567890123", a), FM_EINVAL);
    assert_int_equal(fm_person_key("", "s1", "11010519491231002X", a), FM_EINVAL);
    assert_int_equal(fm_person_key("K1", "s1", "11010519491231002X", a), FM_EINVAL);
    assert_int_equal(fm_person_key("k:1", "s1", "11010519491231002X", a), FM_EINVAL);
    assert_int_equal(fm_person_key("12345678901234567", "s1", "11010519491231002X", a), FM_EINVAL);
    assert_int_equal(fm_person_key("1234567890abcde-", "s1", "11010519491231002X", a), FM_OK);
    assert_true(fm_person_key_valid(a));
    assert_false(fm_person_key_valid("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
    assert_false(fm_person_key_valid("k1:0123456789abcdef"));
    assert_false(fm_person_key_valid("k1:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"));
}

static void keyring_parses_previous_keys_one_a_line(void **state)
{
    (void)state;
    fm_keyring ring;
    fm_error err = {0};
    assert_int_equal(fm_keyring_init(&ring, "k3", "current secret", &err), FM_OK);
    const char *text = "# retired keys\n"
                       "\n"
                       "k2 second secret with spaces  \r\n"
                       "  k1\tfirst\n";
    assert_int_equal(fm_keyring_add_lines(&ring, text, "prev", &err), FM_OK);
    assert_int_equal(ring.n, 3);
    assert_string_equal(ring.keys[0].id, "k3");
    assert_string_equal(ring.keys[1].id, "k2");
    assert_string_equal(ring.keys[1].secret, "second secret with spaces");
    assert_string_equal(ring.keys[2].id, "k1");
    assert_string_equal(ring.keys[2].secret, "first");
    char key[FM_PERSON_KEY_LEN], direct[FM_PERSON_KEY_LEN];
    assert_int_equal(fm_keyring_person_key(&ring, 2, "11010519491231002X", key), FM_OK);
    assert_int_equal(fm_person_key("k1", "first", "11010519491231002X", direct), FM_OK);
    assert_string_equal(key, direct);
    assert_int_equal(fm_keyring_person_key(&ring, 3, "11010519491231002X", key), FM_EINVAL);
    fm_keyring_clear(&ring);
    assert_int_equal(ring.n, 0);
    assert_string_equal(ring.keys[1].secret, "");
}

/* Each bad file is refused naming its line, and the error never holds a secret. */
static void keyring_errors_name_the_line_never_the_secret(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *line;
        const char *code;
    } cases[] = {
        {"k1 s3cr3t-one\nk2\n", "prev:2", "MISSING_SECRET"},
        {"\n\nK9 s3cr3t-one\n", "prev:3", "BAD_KEY_ID"},
        {"Secret_s3cr3t s3cr3t-one\n", "prev:1", "BAD_KEY_ID"},
        {"k1 s3cr3t-one\nk1 s3cr3t-one\n", "prev:2", "DUPLICATE_KEY_ID"},
        {"k0 s3cr3t-one\n", "prev:1", "DUPLICATE_KEY_ID"}, /* the current key's id */
        {"a s3cr3t-one\nb s3cr3t-one\nc s3cr3t-one\nd s3cr3t-one\n", "prev:4", "TOO_MANY_KEYS"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fm_keyring ring;
        fm_error err = {0};
        assert_int_equal(fm_keyring_init(&ring, "k0", "s3cr3t-zero", &err), FM_OK);
        assert_int_equal(fm_keyring_add_lines(&ring, cases[i].text, "prev", &err), FM_EINVAL);
        assert_string_equal(err.path, cases[i].line);
        assert_string_equal(err.code, cases[i].code);
        assert_null(strstr(err.text, "s3cr3t"));
        assert_null(strstr(err.path, "s3cr3t"));
        assert_non_null(strstr(err.text, cases[i].line));
    }
    char long_line[600];
    memset(long_line, 'x', sizeof long_line - 1);
    long_line[0] = 'k', long_line[1] = '1', long_line[2] = ' ', long_line[sizeof long_line - 1] = '\0';
    fm_keyring ring;
    fm_error err = {0};
    assert_int_equal(fm_keyring_init(&ring, "k0", "s", &err), FM_OK);
    assert_int_equal(fm_keyring_add_lines(&ring, long_line, "prev", &err), FM_EINVAL);
    assert_string_equal(err.path, "prev:1");
    assert_null(strstr(err.text, "xxxx"));
}

static void keyring_needs_a_secret_unless_development_is_allowed(void **state)
{
    (void)state;
    fm_keyring ring;
    fm_error err = {0};
    bool dev = true;
    const char *none[] = {NULL};
    assert_int_equal(ring_of(none, &ring, &dev, &err), FM_ECONFIG);
    assert_string_equal(err.path, "FAMINS_PERSON_KEY_SECRET");
    assert_non_null(strstr(err.text, "FAMINS_PERSON_KEY_SECRET_FILE"));
    const char *dev_env[] = {"FAMINS_ALLOW_DEV_PERSON_KEY=1", NULL};
    assert_int_equal(ring_of(dev_env, &ring, &dev, &err), FM_OK);
    assert_true(dev);
    assert_int_equal(ring.n, 1);
    assert_string_equal(ring.keys[0].id, "k1");
    assert_string_equal(ring.keys[0].secret, FM_KEYRING_DEV_SECRET);
    const char *set[] = {"FAMINS_PERSON_KEY_SECRET=s3cr3t", "FAMINS_ALLOW_DEV_PERSON_KEY=1", NULL};
    assert_int_equal(ring_of(set, &ring, &dev, &err), FM_OK);
    assert_false(dev);
    assert_string_equal(ring.keys[0].secret, "s3cr3t");
    const char *bad_id[] = {"FAMINS_PERSON_KEY_SECRET=s3cr3t", "FAMINS_PERSON_KEY_ID=Key One", NULL};
    assert_int_equal(ring_of(bad_id, &ring, &dev, &err), FM_ECONFIG);
    assert_string_equal(err.path, "FAMINS_PERSON_KEY_ID");
    assert_null(strstr(err.text, "s3cr3t"));
}

static void keyring_reads_the_secret_and_previous_keys_from_files(void **state)
{
    (void)state;
    char secret_path[] = "/tmp/famins-person-XXXXXX", prev_path[] = "/tmp/famins-person-XXXXXX";
    temp_file(secret_path, "s3cr3t-two\n");
    temp_file(prev_path, "k1 s3cr3t-one\n");
    char v1[128], v2[128];
    snprintf(v1, sizeof v1, "FAMINS_PERSON_KEY_SECRET_FILE=%s", secret_path);
    snprintf(v2, sizeof v2, "FAMINS_PERSON_KEY_PREVIOUS_FILE=%s", prev_path);
    const char *env[] = {"FAMINS_PERSON_KEY_ID=k2", v1, v2, NULL};
    fm_keyring ring;
    fm_error err = {0};
    bool dev = true;
    assert_int_equal(ring_of(env, &ring, &dev, &err), FM_OK);
    assert_false(dev);
    assert_int_equal(ring.n, 2);
    assert_string_equal(ring.keys[0].id, "k2");
    assert_string_equal(ring.keys[0].secret, "s3cr3t-two"); /* the trailing newline stripped */
    assert_string_equal(ring.keys[1].id, "k1");
    assert_string_equal(ring.keys[1].secret, "s3cr3t-one");

    /* Both the secret and its file: ambiguous. */
    const char *both[] = {"FAMINS_PERSON_KEY_SECRET=x", v1, NULL};
    assert_int_equal(ring_of(both, &ring, &dev, &err), FM_ECONFIG);
    assert_string_equal(err.path, "FAMINS_PERSON_KEY_SECRET");
    /* A bad previous file: its line, never its contents. */
    temp_file(strcpy(prev_path, "/tmp/famins-person-XXXXXX"), "k1 s3cr3t-one\ns3cr3t-only\n");
    snprintf(v2, sizeof v2, "FAMINS_PERSON_KEY_PREVIOUS_FILE=%s", prev_path);
    const char *bad[] = {"FAMINS_PERSON_KEY_ID=k2", v1, v2, NULL};
    assert_int_equal(ring_of(bad, &ring, &dev, &err), FM_ECONFIG);
    assert_string_equal(err.path, "FAMINS_PERSON_KEY_PREVIOUS_FILE:2");
    assert_null(strstr(err.text, "s3cr3t"));
    assert_int_equal(ring.n, 0);
    unlink(prev_path);
    /* Missing files and an empty secret file. */
    const char *missing[] = {"FAMINS_PERSON_KEY_SECRET_FILE=/nonexistent/famins-secret", NULL};
    assert_int_equal(ring_of(missing, &ring, &dev, &err), FM_ECONFIG);
    assert_string_equal(err.path, "FAMINS_PERSON_KEY_SECRET_FILE");
    const char *missing_prev[] = {"FAMINS_PERSON_KEY_SECRET=x",
                                  "FAMINS_PERSON_KEY_PREVIOUS_FILE=/nonexistent/p", NULL};
    assert_int_equal(ring_of(missing_prev, &ring, &dev, &err), FM_ECONFIG);
    assert_string_equal(err.path, "FAMINS_PERSON_KEY_PREVIOUS_FILE");
    unlink(secret_path);
    char empty_path[] = "/tmp/famins-person-XXXXXX";
    temp_file(empty_path, "\n");
    snprintf(v1, sizeof v1, "FAMINS_PERSON_KEY_SECRET_FILE=%s", empty_path);
    const char *empty[] = {v1, NULL};
    assert_int_equal(ring_of(empty, &ring, &dev, &err), FM_ECONFIG);
    assert_string_equal(err.code, "EMPTY");
    unlink(empty_path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mask_keeps_only_the_last_four_characters),
        cmocka_unit_test(mask_never_shows_the_area_code_or_the_birth_date),
        cmocka_unit_test(mask_of_a_long_or_odd_number_keeps_its_end_and_stays_text),
        cmocka_unit_test(person_key_names_its_key_and_folds_a_lowercase_check_character),
        cmocka_unit_test(person_key_refuses_bad_ids_secrets_and_numbers),
        cmocka_unit_test(keyring_parses_previous_keys_one_a_line),
        cmocka_unit_test(keyring_errors_name_the_line_never_the_secret),
        cmocka_unit_test(keyring_needs_a_secret_unless_development_is_allowed),
        cmocka_unit_test(keyring_reads_the_secret_and_previous_keys_from_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
