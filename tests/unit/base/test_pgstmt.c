/* test_pgstmt.c — fm_pgstmt's parameters without a database: array literals as PostgreSQL reads them
 * (quoting, NULL elements, the extremes of bigint), and a failed add that the run reports instead of sending.
 */
#include <stdlib.h>
#include <string.h>

#include "fm_pgstmt.h"
#include "fm_test.h"

static void text_arrays_quote_and_may_hold_nulls(void **state)
{
    (void)state;
    const char *items[] = {"a", NULL, "b\"c", "d\\e", ""};
    fm_pg_params p = {0};
    fm_pg_p_text_array(&p, items, 5);       /* NULL reads as "" */
    fm_pg_p_text_array_nulls(&p, items, 5); /* NULL stays NULL */
    fm_pg_p_text_array_nulls(&p, NULL, 0);
    assert_false(p.failed);
    assert_int_equal(p.n, 3);
    assert_string_equal(p.values[0], "{\"a\",\"\",\"b\\\"c\",\"d\\\\e\",\"\"}");
    assert_string_equal(p.values[1], "{\"a\",NULL,\"b\\\"c\",\"d\\\\e\",\"\"}");
    assert_string_equal(p.values[2], "{}");
    fm_pg_params_free(&p);
    assert_int_equal(p.n, 0);
}

static void bigint_arrays_reach_the_extremes_and_may_hold_nulls(void **state)
{
    (void)state;
    const int64_t v[] = {INT64_MIN, -1, 0, INT64_MAX};
    const bool has[] = {true, false, true, true};
    char *s = fm_pg_i64_array_literal(v, NULL, 4);
    assert_string_equal(s, "{-9223372036854775808,-1,0,9223372036854775807}");
    free(s);
    s = fm_pg_i64_array_literal(v, has, 4);
    assert_string_equal(s, "{-9223372036854775808,NULL,0,9223372036854775807}");
    free(s);
    fm_pg_params p = {0};
    fm_pg_p_i64_array_nulls(&p, v, has, 0);
    fm_pg_p_i64(&p, -7);
    fm_pg_p_bool(&p, true);
    assert_string_equal(p.values[0], "{}");
    assert_string_equal(p.values[1], "-7");
    assert_string_equal(p.values[2], "t");
    fm_pg_params_free(&p);
}

/* More parameters than a statement takes: the add fails, the owned value is freed, the run says FM_ENOMEM
 * without a connection being used. */
static void too_many_parameters_fail_the_run(void **state)
{
    (void)state;
    fm_pg_params p = {0};
    for (int i = 0; i < FM_PG_MAX_PARAMS + 1; i++)
        fm_pg_p_i64(&p, i);
    assert_true(p.failed);
    assert_int_equal(p.n, FM_PG_MAX_PARAMS);
    fm_error err = {0};
    assert_int_equal(fm_pg_run(NULL, "SELECT 1", &p, NULL, &err), FM_ENOMEM);
    assert_string_equal(err.code, FM_NO_MEMORY);
    fm_pg_params_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_arrays_quote_and_may_hold_nulls),
        cmocka_unit_test(bigint_arrays_reach_the_extremes_and_may_hold_nulls),
        cmocka_unit_test(too_many_parameters_fail_the_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
