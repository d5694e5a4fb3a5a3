/* test_wavegen_places.c — the population table: the real one loads, a population that could overflow the
 * running sum is refused (a fuzzer's finding: two units of 2^63-1 people). */
#include "fm_test.h"
#include "wg_places.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char *write_table(char *path, size_t len, const char *population)
{
    snprintf(path, len, "/tmp/famins-places-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fprintf(f,
            "{\"units\": ["
            "{\"code\": \"610102\", \"name_zh\": \"a\", \"kind\": \"district\", \"population\": %s,"
            " \"rural_share\": 0.1, \"id_area_codes\": [\"610102\"]},"
            "{\"code\": \"610103\", \"name_zh\": \"b\", \"kind\": \"district\", \"population\": %s,"
            " \"rural_share\": 0.1, \"id_area_codes\": [\"610103\"]}],"
            " \"id_area_codes_old\": [], \"id_area_codes_elsewhere\": [\"110105\"]}",
            population, population);
    fclose(f);
    return path;
}

static void the_project_table_loads(void **state)
{
    (void)state;
    static wg_places p;
    fm_error err = {0};
    assert_int_equal(wg_places_load(PLACES_FILE, &p, &err), FM_OK);
    assert_true(p.n_units > 10);
}

static void populations_that_overflow_the_running_sum_are_refused(void **state)
{
    (void)state;
    static wg_places p;
    char path[64];
    fm_error err = {0};
    write_table(path, sizeof path, "9223372036854775807");
    assert_int_equal(wg_places_load(path, &p, &err), FM_EINVAL);
    assert_string_equal(err.code, "BAD_UNIT");
    unlink(path);
    write_table(path, sizeof path, "1000000000");
    assert_int_equal(wg_places_load(path, &p, &err), FM_OK);
    assert_true(p.cumulative[1] == 2000000000LL);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_project_table_loads),
        cmocka_unit_test(populations_that_overflow_the_running_sum_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
