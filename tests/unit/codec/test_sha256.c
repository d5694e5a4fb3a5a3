/* test_sha256.c — SHA-256 against the FIPS 180-2 vectors and block-boundary lengths, HMAC-SHA-256 against RFC
 * 4231, and the content hash (fm_canon: the digest of json_dumps' canonical text, without the text, and the
 * same writer's text for the encoders). */
#include "fm_canon.h"
#include "fm_decode.h"
#include "fm_sha256.h"
#include "fm_test.h"

#include <stdlib.h>
#include <string.h>

static void expect_hex(const void *data, size_t len, const char *hex)
{
    uint8_t d[FM_SHA256_LEN];
    char got[FM_SHA256_HEX_LEN];
    assert_int_equal(fm_sha256_digest(data, len, d), FM_OK);
    fm_sha256_to_hex(d, got);
    assert_string_equal(got, hex);
}

static void fips_180_2_vectors(void **state)
{
    (void)state;
    expect_hex("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    expect_hex(two, strlen(two), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    expect_hex("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *long_msg =
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqr"
        "lmnopqrsmnopqrstnopqrstu";
    expect_hex(long_msg, strlen(long_msg),
               "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void one_million_a(void **state)
{
    (void)state;
    char *a = malloc(1000000);
    assert_non_null(a);
    memset(a, 'a', 1000000);
    expect_hex(a, 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(a);
}

static void one_million_a_in_uneven_pieces(void **state)
{
    (void)state;
    char chunk[997];
    memset(chunk, 'a', sizeof chunk);
    fm_sha256 ctx;
    uint8_t d[FM_SHA256_LEN];
    char hex[FM_SHA256_HEX_LEN];
    assert_int_equal(fm_sha256_init(&ctx), FM_OK);
    for (size_t left = 1000000; left > 0;) {
        size_t n = left < sizeof chunk ? left : sizeof chunk;
        fm_sha256_update(&ctx, chunk, n);
        left -= n;
    }
    assert_int_equal(fm_sha256_final(&ctx, d), FM_OK);
    fm_sha256_to_hex(d, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    /* An abandoned digest is freed (the sanitizer's leak check sees to it); free after final does nothing. */
    assert_int_equal(fm_sha256_init(&ctx), FM_OK);
    fm_sha256_update(&ctx, "abc", 3);
    fm_sha256_free(&ctx);
    fm_sha256_free(&ctx);
}

static void expect_hmac(const void *key, size_t key_len, const char *data, const char *hex)
{
    char got[FM_SHA256_HEX_LEN];
    assert_int_equal(fm_hmac_sha256_hex(key, key_len, data, strlen(data), got), FM_OK);
    /* RFC 4231's case 5 gives only the first 128 bits. */
    assert_memory_equal(got, hex, strlen(hex));
}

/* RFC 4231 section 4, HMAC-SHA-256: keys shorter than, equal to and longer than the block. */
static void rfc_4231_hmac_vectors(void **state)
{
    (void)state;
    unsigned char key[131];
    memset(key, 0x0b, 20);
    expect_hmac(key, 20, "Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    expect_hmac("Jefe", 4, "what do ya want for nothing?",
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    char data[51];
    memset(key, 0xaa, 20);
    memset(data, 0xdd, 50);
    data[50] = '\0';
    expect_hmac(key, 20, data, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
    for (int i = 0; i < 25; i++)
        key[i] = (unsigned char)(i + 1);
    memset(data, 0xcd, 50);
    expect_hmac(key, 25, data, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
    memset(key, 0x0c, 20);
    expect_hmac(key, 20, "Test With Truncation", "a3b6167473100ee06e0c796c2955552b");
    memset(key, 0xaa, 131);
    expect_hmac(key, 131, "Test Using Larger Than Block-Size Key - Hash Key First",
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    expect_hmac(
        key, 131,
        "This is a test using a larger than block-size key and a larger than block-size data. The key "
        "needs to be hashed before being used by the HMAC algorithm.",
        "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

static void padding_at_block_boundaries(void **state)
{
    (void)state;
    /* Lengths around 55/56/64 bytes exercise the one- and two-block padding paths (values from
     * Python's hashlib). */
    char a[120];
    memset(a, 'a', sizeof a);
    expect_hex(a, 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
    expect_hex(a, 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
    expect_hex(a, 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34");
    expect_hex(a, 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
    expect_hex(a, 65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0");
    expect_hex(a, 119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb");
    expect_hex(a, 120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c");
}

static void content_hash_ignores_spacing_and_key_order(void **state)
{
    (void)state;
    static const char a[] = "{\"event_id\":\"e1\",\"type\":\"claim.reviewed\",\"amount\":5,\"note\":\"王\"}";
    static const char b[] =
        "{ \"note\" : \"\\u738b\",\n \"amount\": 5, \"type\":\"claim.reviewed\", \"event_id\":\"e1\" }";
    static const char c[] = "{\"event_id\":\"e1\",\"type\":\"claim.reviewed\",\"amount\":6,\"note\":\"王\"}";
    uint8_t ha[FM_SHA256_LEN], hb[FM_SHA256_LEN], hc[FM_SHA256_LEN];
    fm_error err;
    assert_int_equal(fm_event_content_hash(a, strlen(a), ha, &err), FM_OK);
    assert_int_equal(fm_event_content_hash(b, strlen(b), hb, &err), FM_OK);
    assert_int_equal(fm_event_content_hash(c, strlen(c), hc, &err), FM_OK);
    assert_memory_equal(ha, hb, FM_SHA256_LEN);
    assert_memory_not_equal(ha, hc, FM_SHA256_LEN);
    /* and it is the SHA-256 of the canonical text */
    static const char canon[] =
        "{\"amount\":5,\"event_id\":\"e1\",\"note\":\"王\",\"type\":\"claim.reviewed\"}";
    uint8_t hx[FM_SHA256_LEN];
    assert_int_equal(fm_sha256_digest(canon, strlen(canon), hx), FM_OK);
    assert_memory_equal(ha, hx, FM_SHA256_LEN);
    assert_int_equal(fm_event_content_hash("{", 1, ha, &err), FM_EINVAL);
    assert_string_equal(err.code, "INVALID_JSON");
}

/* fm_canon_sha256(root) must be the digest of json_dumps(root, SORT_KEYS | COMPACT | ENCODE_ANY)'s text, byte
 * for byte: hashes stored by earlier versions are compared with new ones (an event re-sent with the same id).
 */
static void expect_canon_is_dumps(const char *text, size_t flags)
{
    json_error_t jerr;
    json_t *root = json_loads(text, flags | JSON_DECODE_ANY, &jerr);
    assert_non_null(root);
    char *dumped = json_dumps(root, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);
    assert_non_null(dumped);
    uint8_t want[FM_SHA256_LEN], got[FM_SHA256_LEN];
    assert_int_equal(fm_sha256_digest(dumped, strlen(dumped), want), FM_OK);
    assert_int_equal(fm_canon_sha256(root, got), FM_OK);
    if (memcmp(want, got, FM_SHA256_LEN) != 0)
        fail_msg("canonical digest differs from json_dumps' for %s", dumped);
    /* and the text, sorted and in jansson's own order (the encoders') */
    char *written = NULL;
    assert_int_equal(fm_canon_dumps(root, true, &written), FM_OK);
    assert_string_equal(written, dumped);
    free(written);
    free(dumped);
    dumped = json_dumps(root, JSON_COMPACT | JSON_ENCODE_ANY);
    assert_int_equal(fm_canon_dumps(root, false, &written), FM_OK);
    assert_string_equal(written, dumped);
    free(written);
    free(dumped);
    json_decref(root);
}

static void canonical_digest_is_that_of_json_dumps_text(void **state)
{
    (void)state;
    /* key order: bytewise, shorter first on a common prefix; UTF-8 keys after ASCII ones */
    expect_canon_is_dumps(
        "{\"b\":1,\"a\":2,\"ab\":3,\"A\":4,\"\\u00e9\":5,\"\":6,\"a b\":7,\"aa\":8,\"_\":9}", 0);
    /* escapes: quote, backslash, the named control characters, other control characters (uppercase hex),
     * DEL, slash and non-ASCII as they are */
    expect_canon_is_dumps("[\"\\\" \\\\ \\b \\f \\n \\r \\t \\u0001 \\u001f \\u001A \\u007f / \\u00e9 "
                          "\\u738b \\ud83d\\ude00\",\"plain\",\"\"]",
                          0);
    expect_canon_is_dumps("{\"nul\":\"a\\u0000b\"}", JSON_ALLOW_NUL);
    /* numbers, literals, empty and nested containers, a root that is no object */
    expect_canon_is_dumps("[0,-1,7,9223372036854775807,-9223372036854775808,true,false,null]", 0);
    expect_canon_is_dumps("{\"a\":{},\"b\":[],\"c\":[[[]]],\"d\":{\"z\":{\"y\":[{}]}}}", 0);
    expect_canon_is_dumps("\"just a string\"", 0);
    expect_canon_is_dumps("42", 0);
    /* a real number: hashed through json_dumps itself */
    expect_canon_is_dumps("{\"amount\":1.5,\"big\":1e300,\"list\":[0.1,2]}", 0);
    /* more keys than the writer sorts on its stack, a string longer than its buffer, nesting past its depth
     */
    char text[12000];
    size_t at = 0;
    text[at++] = '{';
    for (int k = 99; k >= 0; k--)
        at += (size_t)snprintf(text + at, sizeof text - at, "%s\"key%02d\":%d", k < 99 ? "," : "", k, k);
    at += (size_t)snprintf(text + at, sizeof text - at, ",\"long\":\"");
    for (int i = 0; i < 9000; i++)
        text[at++] = i % 97 == 0 ? 'x' : (char)('a' + i % 26);
    snprintf(text + at, sizeof text - at, "\"}");
    expect_canon_is_dumps(text, 0);
    at = 0;
    for (int d = 0; d < FM_CANON_MAX_DEPTH + 10; d++)
        text[at++] = '[';
    for (int d = 0; d < FM_CANON_MAX_DEPTH + 10; d++)
        text[at++] = ']';
    text[at] = '\0';
    expect_canon_is_dumps(text, 0);
    uint8_t out[FM_SHA256_LEN];
    assert_int_equal(fm_canon_sha256(NULL, out), FM_ENOMEM);
    char *none = NULL;
    assert_int_equal(fm_canon_dumps(NULL, false, &none), FM_ENOMEM);
    assert_null(none);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fips_180_2_vectors),
        cmocka_unit_test(one_million_a),
        cmocka_unit_test(one_million_a_in_uneven_pieces),
        cmocka_unit_test(rfc_4231_hmac_vectors),
        cmocka_unit_test(padding_at_block_boundaries),
        cmocka_unit_test(content_hash_ignores_spacing_and_key_order),
        cmocka_unit_test(canonical_digest_is_that_of_json_dumps_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
