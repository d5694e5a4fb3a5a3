/* test_wavegen_corrupt.c — the truncated-JSON fault cuts on a UTF-8 character boundary: the message is valid
 * UTF-8 that is not JSON, so famins' only finding is INVALID_JSON (never INVALID_UTF8). */
#include "fm_test.h"
#include "wg_corrupt.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* True when s[0..n-1] is well-formed UTF-8 (shortest forms, no surrogates, at most U+10FFFF). */
static bool utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t len = c < 0x80             ? 1
                     : (c & 0xE0) == 0xC0 ? 2
                     : (c & 0xF0) == 0xE0 ? 3
                     : (c & 0xF8) == 0xF0 ? 4
                                          : 0;
        if (len == 0 || i + len > n || (len == 2 && c < 0xC2) || (len == 4 && c > 0xF4))
            return false;
        for (size_t k = 1; k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
        if ((len == 3 && c == 0xE0 && s[i + 1] < 0xA0) || (len == 3 && c == 0xED && s[i + 1] >= 0xA0) ||
            (len == 4 && c == 0xF0 && s[i + 1] < 0x90) || (len == 4 && c == 0xF4 && s[i + 1] >= 0x90))
            return false;
        i += len;
    }
    return true;
}

static void truncated_json_ends_on_a_character_boundary(void **state)
{
    (void)state;
    /* Mostly multi-byte text (3-byte Chinese, 2-byte Latin, a 4-byte character), so that most cuts would land
     * inside a character. */
    json_t *o = json_object();
    json_object_set_new(o, "event_id", json_string("clm-1"));
    json_object_set_new(o, "producer", json_string("famins-wavegen"));
    json_object_set_new(o, "a",
                        json_string("右腿胫骨骨折左手三指缺失颅脑损伤脊柱骨折严重Ⅲ度烧伤语言能力丧失"));
    json_object_set_new(o, "b", json_string("éàüñçøåß—“”‘’"));
    json_object_set_new(o, "c", json_string("\xF0\x9F\x98\x80\xF0\xA0\x80\x8B\xF0\x9F\x98\x80"));
    char *full = json_dumps(o, JSON_COMPACT);
    assert_non_null(full);
    size_t full_len = strlen(full), inside = 0;
    for (uint64_t k = 0; k < 2000; k++) {
        wg_rng r;
        wg_rng_seed(&r, 7, 3, k);
        char *out = NULL;
        size_t len = 0;
        assert_int_equal(wg_corrupt(o, WG_U_INVALID_JSON, 262144, &r, &out, &len), FM_OK);
        assert_int_equal(strlen(out), len);
        assert_true(len > 0 && len < full_len);
        assert_memory_equal(out, full, len); /* a prefix of the event */
        assert_true(utf8_valid((const unsigned char *)out, len));
        /* the cut would have split a character had it not moved back */
        inside += ((unsigned char)full[len] & 0xC0) != 0x80 && len > 0 &&
                  ((unsigned char)full[len - 1] & 0x80) != 0;
        json_error_t je;
        json_t *back = json_loadb(out, len, 0, &je);
        assert_null(back); /* not JSON */
        free(out);
    }
    assert_true(inside > 100); /* many cuts fell right after a multi-byte character */
    free(full);
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(truncated_json_ends_on_a_character_boundary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
