/* test_fm_map.c — the batch map's composite keys: no two (code, number) pairs share one, none is cut. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fm_map.h"
#include "fm_test.h"

/* Stores tag under (a, b), which must be new. */
static void put_new(fm_map *m, const char *a, const char *b, int tag)
{
    int created = 0;
    int *v = fm_map_put2(m, a, b, sizeof *v, &created);
    assert_non_null(v);
    assert_int_equal(created, 1);
    *v = tag;
}

static int tag_of(const fm_map *m, const char *a, const char *b)
{
    const int *v = fm_map_get2(m, a, b);
    return v ? *v : -1;
}

static void invoices_differing_in_where_a_separator_falls_are_two_keys(void **state)
{
    (void)state;
    fm_map m = {0};
    /* The pair: code + 0x1f + number made one key of both. */
    put_new(&m, "A",
            "B\x1f"
            "C",
            1);
    put_new(&m,
            "A\x1f"
            "B",
            "C", 2);
    /* Nor can a length prefix be forged: ("1", "23") / ("12", "3") / ("", "2:12") / ("2:", "12"). */
    put_new(&m, "1", "23", 3);
    put_new(&m, "12", "3", 4);
    put_new(&m, "", "2:12", 5);
    put_new(&m, "2:", "12", 6);
    put_new(&m, "1:", "", 7);
    assert_int_equal(tag_of(&m, "A",
                            "B\x1f"
                            "C"),
                     1);
    assert_int_equal(tag_of(&m,
                            "A\x1f"
                            "B",
                            "C"),
                     2);
    assert_int_equal(tag_of(&m, "1", "23"), 3);
    assert_int_equal(tag_of(&m, "12", "3"), 4);
    assert_int_equal(tag_of(&m, "", "2:12"), 5);
    assert_int_equal(tag_of(&m, "2:", "12"), 6);
    assert_int_equal(tag_of(&m, "1:", ""), 7);
    assert_int_equal(tag_of(&m, NULL, "2:12"), 5); /* NULL reads as "" */
    assert_int_equal(tag_of(&m, "A", "B"), -1);
    assert_int_equal(tag_of(&m, "AB", "C"), -1);
    int created = 1;
    int *again = fm_map_put2(&m,
                             "A\x1f"
                             "B",
                             "C", sizeof *again, &created);
    assert_int_equal(created, 0);
    assert_int_equal(*again, 2);
    fm_map_free(&m);
}

/* Fills out with n copies of the 4-byte character U+1F600 (the schema allows 32 code points: 128 bytes). */
static void emoji(char *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        memcpy(out + 4 * i, "\xF0\x9F\x98\x80", 4);
    out[4 * n] = '\0';
}

static void long_codes_and_numbers_are_never_cut(void **state)
{
    (void)state;
    fm_map m = {0};
    char code[4 * 32 + 1], number[4 * 32 + 1], other[4 * 32 + 1];
    emoji(code, 32);
    emoji(number, 32);
    emoji(other, 32);
    other[4 * 32 - 1] = '\x81'; /* differs in the very last byte: a 256-byte key would have dropped it */
    put_new(&m, code, number, 1);
    put_new(&m, code, other, 2);
    assert_int_equal(tag_of(&m, code, number), 1);
    assert_int_equal(tag_of(&m, code, other), 2);
    /* Far beyond any buffer. */
    size_t n = 5000;
    char *big_a = malloc(n + 1), *big_b = malloc(n + 1);
    memset(big_a, 'x', n);
    big_a[n] = '\0';
    memcpy(big_b, big_a, n + 1);
    big_b[n - 1] = 'y';
    put_new(&m, big_a, big_a, 3);
    put_new(&m, big_a, big_b, 4);
    assert_int_equal(tag_of(&m, big_a, big_a), 3);
    assert_int_equal(tag_of(&m, big_a, big_b), 4);
    free(big_a);
    free(big_b);
    fm_map_free(&m);
}

static void pairs_are_found_through_growth_and_by_their_written_key(void **state)
{
    (void)state;
    fm_map m = {0};
    for (int i = 0; i < 5000; i++) {
        char number[20];
        snprintf(number, sizeof number, "%d", i);
        put_new(&m, "3300", number, i);
    }
    assert_int_equal(m.n, 5000);
    for (int i = 0; i < 5000; i++) {
        char number[20];
        snprintf(number, sizeof number, "%d", i);
        assert_int_equal(tag_of(&m, "3300", number), i);
    }
    /* fm_map_key2 writes the key fm_map_put2 stores: both ways reach one entry. */
    char key[64];
    const int *v = fm_map_get(&m, fm_map_key2(key, sizeof key, "3300", "17"));
    assert_non_null(v);
    assert_int_equal(*v, 17);
    assert_string_equal(fm_map_key2(key, sizeof key,
                                    "A\x1f"
                                    "B",
                                    "C"),
                        "3:A\x1f"
                        "BC");
    assert_null(fm_map_get(&m, fm_map_key2(key, sizeof key, "330", "017")));
    fm_map_clear(&m);
    assert_int_equal(tag_of(&m, "3300", "17"), -1);
    fm_map_free(&m);
    assert_null(fm_map_get2(&m, "a", "b")); /* an empty map */
}

static void a_put_value_is_found_and_a_missing_key_is_null(void **state)
{
    (void)state;
    fm_map m = {0};
    assert_null(fm_map_get(&m, "x")); /* an empty map, never allocated */
    assert_int_equal(fm_map_put_str(&m, "P|2026|H1", "FJ2026-H1"), FM_OK);
    assert_string_equal(fm_map_get(&m, "P|2026|H1"), "FJ2026-H1");
    assert_null(fm_map_get(&m, "P|2026|H2"));
    assert_null(fm_map_get(&m, "P|2026|H"));
    assert_int_equal(fm_map_count(&m), 1);
    fm_map_free(&m);
}

static void a_second_put_replaces_the_value(void **state)
{
    (void)state;
    fm_map m = {0};
    assert_int_equal(fm_map_put_str(&m, "k", "one"), FM_OK);
    assert_int_equal(fm_map_put_str(&m, "k", "two"), FM_OK);
    assert_string_equal(fm_map_get(&m, "k"), "two");
    assert_int_equal(fm_map_count(&m), 1);
    assert_int_equal(fm_map_put_str(&m, "", "empty key"), FM_OK);
    assert_string_equal(fm_map_get(&m, ""), "empty key");
    fm_map_free(&m);
}

/* 50,000 keys: the table grows many times ; every value stays with its key. */
static void many_keys_survive_growth(void **state)
{
    (void)state;
    fm_map m = {0};
    char key[32], value[32];
    for (int i = 0; i < 50000; i++) {
        snprintf(key, sizeof key, "I|2026|%08d", i);
        snprintf(value, sizeof value, "v%d", i * 7);
        assert_int_equal(fm_map_put_str(&m, key, value), FM_OK);
    }
    assert_int_equal(fm_map_count(&m), 50000);
    for (int i = 0; i < 50000; i++) {
        snprintf(key, sizeof key, "I|2026|%08d", i);
        snprintf(value, sizeof value, "v%d", i * 7);
        const char *got = fm_map_get(&m, key);
        assert_non_null(got);
        assert_string_equal(got, value);
    }
    assert_null(fm_map_get(&m, "I|2026|00050000"));
    fm_map_free(&m);
}

static void clear_forgets_everything_and_the_map_is_reusable(void **state)
{
    (void)state;
    fm_map m = {0};
    for (int i = 0; i < 1000; i++) {
        char key[16];
        snprintf(key, sizeof key, "%d", i);
        assert_int_equal(fm_map_put_str(&m, key, "x"), FM_OK);
    }
    fm_map_clear(&m);
    assert_int_equal(fm_map_count(&m), 0);
    assert_null(fm_map_get(&m, "5"));
    assert_int_equal(fm_map_put_str(&m, "5", "y"), FM_OK);
    assert_string_equal(fm_map_get(&m, "5"), "y");
    fm_map_free(&m);
}

/* reserve makes room ahead and keeps what the map holds. */
static void reserve_keeps_the_entries(void **state)
{
    (void)state;
    fm_map m = {0};
    assert_int_equal(fm_map_put_str(&m, "a", "1"), FM_OK);
    assert_int_equal(fm_map_reserve(&m, 5000), FM_OK);
    assert_true(m.cap >= 10002);
    assert_string_equal(fm_map_get(&m, "a"), "1");
    size_t cap = m.cap;
    assert_int_equal(fm_map_reserve(&m, 10), FM_OK);
    assert_int_equal(m.cap, cap);
    fm_map_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(invoices_differing_in_where_a_separator_falls_are_two_keys),
        cmocka_unit_test(long_codes_and_numbers_are_never_cut),
        cmocka_unit_test(pairs_are_found_through_growth_and_by_their_written_key),
        cmocka_unit_test(a_put_value_is_found_and_a_missing_key_is_null),
        cmocka_unit_test(a_second_put_replaces_the_value),
        cmocka_unit_test(many_keys_survive_growth),
        cmocka_unit_test(clear_forgets_everything_and_the_map_is_reusable),
        cmocka_unit_test(reserve_keeps_the_entries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
