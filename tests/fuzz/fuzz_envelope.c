/* fuzz_envelope.c — libFuzzer harness: the envelope of any event (fm_decode_envelope) and the content hash.
 */
#include "fm_decode.h"
#include "fuzz_support.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* An event id as the envelope keeps it: 1..64 characters of [A-Za-z0-9._:-]. */
static bool event_id_form(const char *id)
{
    size_t n = strlen(id);
    return n >= 1 && n <= 64 &&
           strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-") == n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    fm_envelope env;
    fm_error err;
    fm_status st = fm_decode_envelope(buf, size, size + 1, &env, &err);
    fuzz_check_result(st, &err);
    FUZZ_REQUIRE(memchr(env.event_id, '\0', sizeof env.event_id) != NULL, "event_id is a terminated string");
    if (st == FM_OK) {
        FUZZ_REQUIRE(event_id_form(env.event_id), "an accepted envelope has a well-formed event_id");
        FUZZ_REQUIRE(env.type >= 0 && env.type < FM_EVENT_TYPE_COUNT, "an accepted type is a known one");
        FUZZ_REQUIRE(env.schema_version == FM_SCHEMA_VERSION,
                     "an accepted schema_version is the supported one");
        FUZZ_REQUIRE(memchr(env.occurred_at, '\0', sizeof env.occurred_at) != NULL,
                     "occurred_at is terminated");
        FUZZ_REQUIRE(memchr(env.producer, '\0', sizeof env.producer) != NULL, "producer is terminated");
    } else {
        /* The dead letter names the event when its id was a valid one, and only then. */
        FUZZ_REQUIRE(env.event_id[0] == '\0' || event_id_form(env.event_id), "a refused envelope's event_id");
    }

    /* The size limit: one byte less than the message refuses it as TOO_LARGE, before parsing (a limit of 0
     * means the default one). */
    if (size > 1) {
        st = fm_decode_envelope(buf, size, size - 1, &env, &err);
        FUZZ_REQUIRE(st == FM_EINVAL && strcmp(err.code, "TOO_LARGE") == 0, "a message above the limit");
    }

    /* The content hash ignores spacing and key order: the hash of the canonical form of the message (keys
     * sorted, compact) is the message's own hash. */
    uint8_t hash[FM_SHA256_LEN], again[FM_SHA256_LEN];
    st = fm_event_content_hash(buf, size, hash, &err);
    fuzz_check_result(st, &err);
    if (st == FM_OK) {
        json_t *root = NULL;
        FUZZ_REQUIRE(fm_decode_parse(buf, size, size + 1, &root, &err) == FM_OK, "a hashed message parses");
        char *canon = json_dumps(root, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);
        json_decref(root);
        FUZZ_REQUIRE(canon != NULL, "a parsed message can be written back");
        FUZZ_REQUIRE(fm_event_content_hash(canon, strlen(canon), again, &err) == FM_OK,
                     "the canonical form hashes");
        FUZZ_REQUIRE(memcmp(hash, again, sizeof hash) == 0, "a message hashes as its canonical form");
        free(canon);
    }
    return 0;
}
