/* test_strmap.c — fm_strmap: values found, replaced, absent keys, growth past many slots, clear. */
#include <stdio.h>
#include <string.h>

#include "fm_strmap.h"
#include "fm_test.h"

static void a_put_value_is_found_and_a_missing_key_is_null(void **state)
{
    (void)state;
    fm_strmap m = {0};
    assert_null(fm_strmap_get(&m, "x")); /* an empty map, never allocated */
    assert_int_equal(fm_strmap_put(&m, "P|2026|H1", "FJ2026-H1"), FM_OK);
    assert_string_equal(fm_strmap_get(&m, "P|2026|H1"), "FJ2026-H1");
    assert_null(fm_strmap_get(&m, "P|2026|H2"));
    assert_null(fm_strmap_get(&m, "P|2026|H"));
    assert_int_equal(fm_strmap_count(&m), 1);
    fm_strmap_free(&m);
}

static void a_second_put_replaces_the_value(void **state)
{
    (void)state;
    fm_strmap m = {0};
    assert_int_equal(fm_strmap_put(&m, "k", "one"), FM_OK);
    assert_int_equal(fm_strmap_put(&m, "k", "two"), FM_OK);
    assert_string_equal(fm_strmap_get(&m, "k"), "two");
    assert_int_equal(fm_strmap_count(&m), 1);
    assert_int_equal(fm_strmap_put(&m, "", "empty key"), FM_OK);
    assert_string_equal(fm_strmap_get(&m, ""), "empty key");
    fm_strmap_free(&m);
}

/* 50,000 keys: the table grows many times and the arena moves; every value stays with its key. */
static void many_keys_survive_growth(void **state)
{
    (void)state;
    fm_strmap m = {0};
    char key[32], value[32];
    for (int i = 0; i < 50000; i++) {
        snprintf(key, sizeof key, "I|2026|%08d", i);
        snprintf(value, sizeof value, "v%d", i * 7);
        assert_int_equal(fm_strmap_put(&m, key, value), FM_OK);
    }
    assert_int_equal(fm_strmap_count(&m), 50000);
    for (int i = 0; i < 50000; i++) {
        snprintf(key, sizeof key, "I|2026|%08d", i);
        snprintf(value, sizeof value, "v%d", i * 7);
        const char *got = fm_strmap_get(&m, key);
        assert_non_null(got);
        assert_string_equal(got, value);
    }
    assert_null(fm_strmap_get(&m, "I|2026|00050000"));
    fm_strmap_free(&m);
}

static void clear_forgets_everything_and_the_map_is_reusable(void **state)
{
    (void)state;
    fm_strmap m = {0};
    for (int i = 0; i < 1000; i++) {
        char key[16];
        snprintf(key, sizeof key, "%d", i);
        assert_int_equal(fm_strmap_put(&m, key, "x"), FM_OK);
    }
    fm_strmap_clear(&m);
    assert_int_equal(fm_strmap_count(&m), 0);
    assert_null(fm_strmap_get(&m, "5"));
    assert_int_equal(fm_strmap_put(&m, "5", "y"), FM_OK);
    assert_string_equal(fm_strmap_get(&m, "5"), "y");
    fm_strmap_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_put_value_is_found_and_a_missing_key_is_null),
        cmocka_unit_test(a_second_put_replaces_the_value),
        cmocka_unit_test(many_keys_survive_growth),
        cmocka_unit_test(clear_forgets_everything_and_the_map_is_reusable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
