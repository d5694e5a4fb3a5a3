/* fm_test.h — cmocka helpers for signed values (fen, day numbers) that print both sides. */
#ifndef FM_TEST_H
#define FM_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

/* cmocka 1.1.5's assert_int_equal compares as unsigned and prints hex: these keep the sign. */
static inline void fm_assert_i64_equal(int64_t actual, int64_t expected, const char *what, const char *file,
                                       int line)
{
    if (actual != expected) {
        print_error("%s: %lld != %lld (expected)\n", what, (long long)actual, (long long)expected);
        _fail(file, line);
    }
}
#define assert_fen_equal(actual, expected)                                                                   \
    fm_assert_i64_equal((int64_t)(actual), (int64_t)(expected), #actual, __FILE__, __LINE__)
#define assert_i64_equal(actual, expected)                                                                   \
    fm_assert_i64_equal((int64_t)(actual), (int64_t)(expected), #actual, __FILE__, __LINE__)

#endif
