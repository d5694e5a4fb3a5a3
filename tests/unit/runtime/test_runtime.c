/* test_runtime.c — unit tests of the worker runtime's pure parts: COPY rows and array literals, the
 * position map, batch bookkeeping, outbox and dead-letter rows and headers, configuration, relay headers. */
#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fm_batch.h"
#include "fm_copybuf.h"
#include "fm_dates.h"
#include "fm_deadletter.h"
#include "fm_outbox.h"
#include "fm_positions.h"
#include "fm_test.h"
#include "fm_worker.h"
#include "relay.h"

static const char *fake_env(const char *name, void *ctx)
{
    for (const char *const *p = ctx; *p != NULL; p++) {
        size_t n = strlen(name);
        if (strncmp(*p, name, n) == 0 && (*p)[n] == '=')
            return *p + n + 1;
    }
    return NULL;
}

static const fm_setting worker_settings[] = {FM_COMMON_SETTINGS, FM_WORKER_SETTINGS};
#define WORKER_SETTING_COUNT (sizeof worker_settings / sizeof worker_settings[0])

/* ---- COPY rows ---- */

static void copy_text_fields_escape_tab_newline_and_backslash(void **state)
{
    (void)state;
    fm_copybuf b = {0};
    assert_int_equal(fm_copybuf_text_field(&b, 1, "a\tb\nc\\d\re"), FM_OK);
    assert_int_equal(fm_copybuf_text_field(&b, 0, NULL), FM_OK);
    assert_int_equal(fm_copybuf_int_field(&b, 0, -42), FM_OK);
    assert_int_equal(fm_copybuf_end_row(&b), FM_OK);
    assert_string_equal(b.data, "a\\tb\\nc\\\\d\\re\t\\N\t-42\n");
    assert_int_equal(b.rows, 1);
    fm_copybuf_free(&b);
}

static void copy_bytea_fields_are_hex_with_the_backslash_doubled(void **state)
{
    (void)state;
    fm_copybuf b = {0};
    const unsigned char bytes[] = {0x00, 0xff, 0x41};
    assert_int_equal(fm_copybuf_bytea_field(&b, 1, bytes, sizeof bytes, 0), FM_OK);
    assert_int_equal(fm_copybuf_bytea_field(&b, 0, NULL, 0, 1), FM_OK);
    assert_int_equal(fm_copybuf_bytea_field(&b, 0, "", 0, 0), FM_OK);
    assert_string_equal(b.data, "\\\\x00ff41\t\\N\t\\\\x");
    fm_copybuf_free(&b);
}

static void array_literals_quote_and_escape_items(void **state)
{
    (void)state;
    fm_copybuf b = {0};
    assert_int_equal(fm_copybuf_array_item(&b, "ev-1"), FM_OK);
    assert_int_equal(fm_copybuf_array_item(&b, "a\"b\\c"), FM_OK);
    assert_int_equal(fm_copybuf_array_item(&b, ""), FM_OK);
    assert_int_equal(fm_copybuf_array_close(&b), FM_OK);
    assert_string_equal(b.data, "{\"ev-1\",\"a\\\"b\\\\c\",\"\"}");
    fm_copybuf_reset(&b);
    assert_int_equal(fm_copybuf_array_close(&b), FM_OK);
    assert_string_equal(b.data, "{}");
    fm_copybuf_reset(&b);
    assert_int_equal(fm_copybuf_array_int(&b, 7), FM_OK);
    assert_int_equal(fm_copybuf_array_int(&b, 12), FM_OK);
    assert_int_equal(fm_copybuf_array_close(&b), FM_OK);
    assert_string_equal(b.data, "{7,12}");
    fm_copybuf_free(&b);
}

static void copy_row_escapes_text_and_writes_null_ints_dates_and_owned_text(void **state)
{
    (void)state;
    fm_copybuf b = {0};
    fm_copyrow r = fm_copyrow_start(&b);
    fm_copyrow_text(&r, "a\tb\nc\rd\\e");
    fm_copyrow_null(&r);
    fm_copyrow_text(&r, NULL);
    fm_copyrow_int(&r, INT64_MIN);
    fm_copyrow_int(&r, 0);
    fm_copyrow_int(&r, INT64_MAX);
    fm_copyrow_date(&r, fm_date_from_ymd(2024, 2, 29));
    fm_copyrow_owned(&r, strdup("{\"x\"}")); /* the row frees it (the sanitizer build would see a leak) */
    assert_int_equal(fm_copyrow_end(&r), FM_OK);
    fm_copyrow second = fm_copyrow_start(&b);
    fm_copyrow_text(&second, "");
    fm_copyrow_int(&second, -1);
    assert_int_equal(fm_copyrow_end(&second), FM_OK);
    assert_string_equal(b.data, "a\\tb\\nc\\rd\\\\e\t\\N\t\\N\t-9223372036854775808\t0\t9223372036854775807\t"
                                "2024-02-29\t{\"x\"}\n"
                                "\t-1\n");
    assert_int_equal(b.rows, 2);
    fm_copybuf_free(&b);
}

static void copy_row_keeps_the_first_failure_and_appends_nothing_after_it(void **state)
{
    (void)state;
    fm_copybuf b = {0};
    fm_date beyond = fm_date_add_days(fm_date_from_ymd(9999, 12, 31), 1); /* year 10000: no text */
    fm_copyrow r = fm_copyrow_start(&b);
    fm_copyrow_text(&r, "kept");
    fm_copyrow_date(&r, beyond);
    assert_int_equal(r.st, FM_EINVAL);
    fm_copyrow_text(&r, "later");
    fm_copyrow_null(&r);
    fm_copyrow_int(&r, 5);
    fm_copyrow_date(&r, fm_date_from_ymd(2024, 1, 1));
    fm_copyrow_owned(&r, strdup("freed, not appended"));
    fm_copyrow_owned(&r, NULL);
    assert_int_equal(fm_copyrow_end(&r), FM_EINVAL);
    assert_string_equal(b.data, "kept"); /* the half-built row, no newline, not counted */
    assert_int_equal(b.rows, 0);

    /* An owned text that could not be made fails the row with FM_ENOMEM; a later failure does not replace it.
     */
    fm_copybuf_reset(&b);
    fm_copyrow o = fm_copyrow_start(&b);
    fm_copyrow_owned(&o, NULL);
    fm_copyrow_date(&o, beyond);
    fm_copyrow_text(&o, "later");
    assert_int_equal(fm_copyrow_end(&o), FM_ENOMEM);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.rows, 0);
    fm_copybuf_free(&b);
}

/* ---- positions ---- */

static void a_partition_without_stored_position_accepts_its_first_offset(void **state)
{
    (void)state;
    fm_position_map m = {0};
    assert_int_equal(fm_position_map_put(&m, "t", 3, FM_POSITION_NONE), FM_OK);
    fm_position *p = fm_position_map_find(&m, "t", 3);
    assert_non_null(p);
    assert_int_equal(fm_position_accept(p, 17), FM_POS_ACCEPT);
    assert_i64_equal(p->fetch_next, 18);
    assert_i64_equal(p->committed, FM_POSITION_NONE);
    fm_position_map_free(&m);
}

static void offsets_below_the_position_are_replays_and_skipped(void **state)
{
    (void)state;
    fm_position_map m = {0};
    fm_position_map_put(&m, "t", 0, 100);
    fm_position *p = fm_position_map_find(&m, "t", 0);
    assert_int_equal(fm_position_accept(p, 99), FM_POS_REPLAY);
    assert_int_equal(fm_position_accept(p, 100), FM_POS_ACCEPT);
    assert_int_equal(fm_position_accept(p, 100), FM_POS_REPLAY);
    assert_int_equal(fm_position_accept(p, 105), FM_POS_ACCEPT); /* a gap (transaction markers) is fine */
    assert_i64_equal(p->fetch_next, 106);
    fm_position_map_free(&m);
}

static void after_a_seek_back_a_message_beyond_the_position_is_reseeked_not_skipped_to(void **state)
{
    (void)state;
    fm_position pos = {.committed = 100, .fetch_next = 100, .resync = 1, .resync_offset = FM_POSITION_NONE};
    for (int i = 0; i < FM_POSITION_RESEEKS; i++)
        assert_int_equal(fm_position_accept(&pos, 130), FM_POS_RESEEK);
    /* The same first offset after every re-seek: a real gap in the log. */
    assert_int_equal(fm_position_accept(&pos, 130), FM_POS_ACCEPT);
    assert_i64_equal(pos.fetch_next, 131);
    /* A stream that goes on where it was (the seek never happened) is never taken for a gap. */
    fm_position stuck = {.committed = 100, .fetch_next = 100, .resync = 1, .resync_offset = FM_POSITION_NONE};
    for (int64_t off = 130; off < 150; off++)
        assert_int_equal(fm_position_accept(&stuck, off), FM_POS_RESEEK);
    assert_i64_equal(stuck.fetch_next, 100);
    fm_position again = {.committed = 100, .fetch_next = 100, .resync = 1, .resync_offset = FM_POSITION_NONE};
    assert_int_equal(fm_position_accept(&again, 99), FM_POS_REPLAY);
    assert_int_equal(fm_position_accept(&again, 100), FM_POS_ACCEPT);
    assert_int_equal(again.resync, 0);
    assert_int_equal(fm_position_accept(&again, 105), FM_POS_ACCEPT); /* gaps are fine once in step */
}

static void unassigned_and_stopped_partitions_are_not_consumed(void **state)
{
    (void)state;
    fm_position_map m = {0};
    fm_position_map_put(&m, "t", 0, 5);
    fm_position_map_put(&m, "t", 1, 5);
    assert_int_equal(fm_position_accept(fm_position_map_find(&m, "t", 2), 5), FM_POS_UNASSIGNED);
    assert_int_equal(fm_position_accept(fm_position_map_find(&m, "u", 0), 5), FM_POS_UNASSIGNED);
    fm_position_map_find(&m, "t", 1)->stopped = 1;
    assert_int_equal(fm_position_accept(fm_position_map_find(&m, "t", 1), 5), FM_POS_STOPPED);
    fm_position_map_remove(&m, "t", 0);
    assert_null(fm_position_map_find(&m, "t", 0));
    assert_non_null(fm_position_map_find(&m, "t", 1));
    assert_int_equal(m.count, 1);
    fm_position_map_free(&m);
}

/* ---- batches ---- */

static void a_batch_moves_each_partition_from_its_stored_position_to_after_its_last_message(void **state)
{
    (void)state;
    fm_batch b = {0};
    assert_int_equal(fm_batch_add(&b, NULL, 0, "t", 0, 10, 10), FM_OK);
    assert_int_equal(fm_batch_add(&b, NULL, 0, "t", 1, 0, FM_POSITION_NONE), FM_OK);
    assert_int_equal(fm_batch_add(&b, NULL, 0, "t", 0, 11, 10), FM_OK);
    assert_int_equal(fm_batch_add(&b, NULL, 0, "t", 0, 14, 10), FM_OK);
    assert_int_equal(b.count, 4);
    assert_int_equal(b.range_count, 2);
    assert_string_equal(b.ranges[0].topic, "t");
    assert_i64_equal(b.ranges[0].start, 10);
    assert_i64_equal(b.ranges[0].next, 15);
    assert_int_equal(b.ranges[0].messages, 3);
    assert_i64_equal(b.ranges[1].start, FM_POSITION_NONE);
    assert_i64_equal(b.ranges[1].next, 1);
    char text[128];
    fm_batch_describe(&b, text, sizeof text);
    assert_string_equal(text, "t:0:10-15,t:1:-1-1");
    fm_batch_clear(&b);
    assert_int_equal(b.count, 0);
    assert_int_equal(b.range_count, 0);
    fm_batch_free(&b);
}

static void describing_a_large_batch_truncates_safely(void **state)
{
    (void)state;
    fm_batch b = {0};
    for (int p = 0; p < 50; p++)
        fm_batch_add(&b, NULL, 0, "a-rather-long-topic-name", p, 1000000 + p, 1000000);
    char text[64];
    fm_batch_describe(&b, text, sizeof text);
    assert_true(strlen(text) < sizeof text);
    fm_batch_free(&b);
}

/* A batch closes at FAMINS_BATCH_MAX_BYTES as well as at its message count: ten near-limit messages under a
 * 1 MiB bound make a batch of five (the fifth reaches it), never of max_messages. */
static void a_batch_closes_when_its_bytes_reach_the_bound(void **state)
{
    (void)state;
    fm_batch b = {0};
    const size_t near_limit = 260000, bound = 1024 * 1024;
    size_t added = 0;
    while (!fm_batch_full(&b, 500, bound) && added < 10) {
        assert_int_equal(fm_batch_add(&b, NULL, near_limit, "t", 0, (int64_t)added, 0), FM_OK);
        added++;
    }
    assert_int_equal(b.count, 5); /* 4 x 260000 = 1040000 < 1048576: the fifth reaches it */
    assert_int_equal(b.bytes, 5 * near_limit);
    assert_true(b.bytes < bound + near_limit);
    /* The message count still closes a batch of small messages; 0 bytes means no byte bound. */
    fm_batch_clear(&b);
    assert_int_equal(b.bytes, 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(fm_batch_add(&b, NULL, 100, "t", 0, i, 0), FM_OK);
    assert_true(fm_batch_full(&b, 3, bound));
    assert_false(fm_batch_full(&b, 4, bound));
    assert_false(fm_batch_full(&b, 4, 0));
    /* A message larger than the bound is a batch alone. */
    fm_batch_clear(&b);
    assert_int_equal(fm_batch_add(&b, NULL, 2 * bound, "t", 0, 0, 0), FM_OK);
    assert_true(fm_batch_full(&b, 500, bound));
    fm_batch_free(&b);
}

/* ---- outbox and dead letters ---- */

static void outbox_headers_are_a_sorted_json_object(void **state)
{
    (void)state;
    fm_header h[] = {{"z", "1"}, {"a", "x\"y"}};
    char *json = NULL;
    assert_int_equal(fm_outbox_headers_json(h, 2, &json, NULL), FM_OK);
    assert_string_equal(json, "{\"a\":\"x\\\"y\",\"z\":\"1\"}");
    free(json);
    assert_int_equal(fm_outbox_headers_json(NULL, 0, &json, NULL), FM_OK);
    assert_string_equal(json, "{}");
    free(json);
    fm_header bad[] = {{"h", "\xff"}};
    fm_error err = {0};
    assert_int_equal(fm_outbox_headers_json(bad, 1, &json, &err), FM_EINVAL);
}

static void outbox_add_prefixes_the_topic_and_stages_one_row(void **state)
{
    (void)state;
    fm_txn txn = {.group = "g", .topic_prefix = "dev."};
    fm_header h[] = {{"k", "v"}};
    assert_int_equal(fm_outbox_add(&txn, FM_TOPIC_CLAIM_DECIDED, "P1", "e1", "{}", h, 1, NULL), FM_OK);
    assert_int_equal(txn.outbox.rows, 1);
    /* topic, key (hex "P1"), payload (hex "{}"), headers, event id */
    assert_string_equal(txn.outbox.data, "dev.claim.decided\t\\\\x5031\t\\\\x7b7d\t{\"k\":\"v\"}\te1\n");
    fm_error err = {0};
    assert_int_equal(fm_outbox_add(&txn, FM_TOPIC_COUNT, "P1", "e2", "{}", NULL, 0, &err), FM_EINVAL);
    assert_int_equal(txn.outbox.rows, 1);
    fm_copybuf_free(&txn.outbox);
}

static void a_dead_letter_is_a_table_row_and_a_dlq_outbox_row_with_context_headers(void **state)
{
    (void)state;
    fm_txn txn = {.group = "grp", .topic_prefix = ""};
    fm_dead_source src = {.topic = "claim.events",
                          .partition = 2,
                          .offset = 41,
                          .key = "P9",
                          .key_len = 2,
                          .payload = "{bad",
                          .payload_len = 4};
    assert_int_equal(fm_deadletter_stage(&txn, &src, "INVALID_JSON", "end of\tinput \xe2\x80\x94 x", NULL),
                     FM_OK);
    assert_int_equal(txn.dead.rows, 1);
    assert_int_equal(txn.outbox.rows, 1);
    /* The error text keeps printable ASCII only. */
    assert_string_equal(
        txn.dead.data,
        "grp\tclaim.events\t2\t41\t\\\\x5039\tINVALID_JSON\tend of?input ??? x\t\\\\x7b626164\n");
    /* The .dlq row: the source key, and a reference to the table row as payload, never the raw message. */
    assert_non_null(strstr(txn.outbox.data, "claim.events.dlq\t\\\\x5039\t\\\\x"));
    assert_null(strstr(txn.outbox.data, "7b626164"));
    assert_non_null(strstr(txn.outbox.data, "\"famins.errors.code\":\"INVALID_JSON\""));
    assert_non_null(strstr(txn.outbox.data, "\"famins.errors.offset\":\"41\""));
    assert_non_null(strstr(txn.outbox.data, "\"famins.errors.partition\":\"2\""));
    assert_non_null(strstr(txn.outbox.data, "\"famins.errors.topic\":\"claim.events\""));
    assert_non_null(strstr(txn.outbox.data, "\"famins.errors.group\":\"grp\""));
    assert_non_null(strstr(txn.outbox.data, "\tdlq:grp:claim.events:2:41\n"));
    fm_copybuf_free(&txn.dead);
    fm_copybuf_free(&txn.outbox);
}

static void a_dead_letter_without_key_keeps_no_key(void **state)
{
    (void)state;
    fm_txn txn = {.group = "g", .topic_prefix = ""};
    fm_dead_source src = {.topic = "t", .partition = 0, .offset = 0, .payload = "", .payload_len = 0};
    assert_int_equal(fm_deadletter_stage(&txn, &src, "MESSAGE_TOO_LARGE", "big", NULL), FM_OK);
    assert_string_equal(txn.dead.data, "g\tt\t0\t0\t\\N\tMESSAGE_TOO_LARGE\tbig\t\\\\x\n");
    assert_non_null(strstr(txn.outbox.data, "t.dlq\t\\N\t\\\\x7b"));
    fm_copybuf_free(&txn.dead);
    fm_copybuf_free(&txn.outbox);
}

/* Decodes the hex of a COPY bytea field ("\\x7b22...") starting at p into a malloc'ed string. */
static char *unhex_field(const char *p)
{
    assert_true(strncmp(p, "\\\\x", 3) == 0);
    p += 3;
    size_t n = strcspn(p, "\t\n") / 2;
    char *out = malloc(n + 1);
    assert_non_null(out);
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        assert_int_equal(sscanf(p + 2 * i, "%2x", &v), 1);
        out[i] = (char)v;
    }
    out[n] = '\0';
    return out;
}

static void a_dlq_message_is_a_reference_to_the_row_without_the_raw_message(void **state)
{
    (void)state;
    fm_txn txn = {.group = "grp", .topic_prefix = ""};
    static const char raw[] = "{\"id_number\":\"11010519491231002X\",\"name\":\"\xe7\x8e\x8b\"}";
    fm_dead_source src = {.topic = "enrollment.submitted",
                          .partition = 3,
                          .offset = 17,
                          .key = "H1",
                          .key_len = 2,
                          .payload = raw,
                          .payload_len = strlen(raw)};
    /* A caller's text quoting a number (full-width here): masked on the row, the payload and the header. */
    static const char text[] = "event_id \xef\xbc\x91\xef\xbc\x91"
                               "0105194912310020 was applied";
    assert_int_equal(fm_deadletter_stage(&txn, &src, "EVENT_ID_CONFLICT", text, NULL), FM_OK);
    /* topic, key, payload, headers, event id */
    const char *payload_field = strchr(strchr(txn.outbox.data, '\t') + 1, '\t') + 1;
    char *payload = unhex_field(payload_field);
    json_error_t jerr;
    json_t *o = json_loads(payload, 0, &jerr);
    assert_non_null(o);
    assert_int_equal(json_object_size(o), 8);
    assert_string_equal(json_string_value(json_object_get(o, "dead_letter")), "famins.dead_letters");
    assert_string_equal(json_string_value(json_object_get(o, "consumer_group")), "grp");
    assert_string_equal(json_string_value(json_object_get(o, "topic")), "enrollment.submitted");
    assert_int_equal(json_integer_value(json_object_get(o, "partition")), 3);
    assert_int_equal(json_integer_value(json_object_get(o, "offset")), 17);
    assert_string_equal(json_string_value(json_object_get(o, "error_code")), "EVENT_ID_CONFLICT");
    assert_string_equal(json_string_value(json_object_get(o, "error_text")),
                        "event_id ********************** was applied");
    assert_int_equal(json_integer_value(json_object_get(o, "message_bytes")), strlen(raw));
    json_decref(o);
    assert_null(strstr(payload, "1101051949"));
    free(payload);
    /* the header and the table row carry the masked text too; the raw message stays in the table row only */
    assert_null(strstr(txn.outbox.data, "0105194912310020"));
    assert_non_null(
        strstr(txn.outbox.data, "\"famins.errors.text\":\"event_id ********************** was applied\""));
    assert_non_null(strstr(txn.dead.data, "\tevent_id ********************** was applied\t"));
    assert_null(strstr(txn.outbox.data, "3131303130")); /* "11010" in hex: no copy of the raw bytes */
    assert_non_null(strstr(txn.dead.data, "3131303130"));
    fm_copybuf_free(&txn.dead);
    fm_copybuf_free(&txn.outbox);
}

static void dead_letter_event_ids_are_stable_and_bounded(void **state)
{
    (void)state;
    char id[64];
    assert_int_equal(fm_deadletter_event_id("g", "t", 1, 99, id, sizeof id), FM_OK);
    assert_string_equal(id, "dlq:g:t:1:99");
    char tiny[8];
    assert_int_equal(fm_deadletter_event_id("g", "topic", 1, 99, tiny, sizeof tiny), FM_EINVAL);
}

/* ---- configuration ---- */

static void the_default_group_is_the_topic_prefix_plus_the_service(void **state)
{
    (void)state;
    const char *env[] = {"FAMINS_TOPIC_PREFIX=dev.", NULL};
    fm_settings *s = NULL;
    assert_int_equal(fm_settings_load(worker_settings, WORKER_SETTING_COUNT, fake_env, env, &s, NULL), FM_OK);
    char group[64];
    assert_int_equal(fm_worker_group_id(s, "eligibility", group, sizeof group, NULL), FM_OK);
    assert_string_equal(group, "dev.famins-eligibility");
    assert_i64_equal(fm_settings_int(s, "FAMINS_BATCH_MAX_MESSAGES"), 500);
    assert_i64_equal(fm_settings_int(s, "FAMINS_BATCH_MAX_MS"), 200);
    assert_string_equal(fm_settings_str(s, "FAMINS_ASSIGNOR"), "range");
    fm_settings_free(s);
}

static void an_explicit_group_id_wins(void **state)
{
    (void)state;
    const char *env[] = {"FAMINS_TOPIC_PREFIX=dev.", "FAMINS_GROUP_ID=elig-blue", NULL};
    fm_settings *s = NULL;
    assert_int_equal(fm_settings_load(worker_settings, WORKER_SETTING_COUNT, fake_env, env, &s, NULL), FM_OK);
    char group[64];
    assert_int_equal(fm_worker_group_id(s, "eligibility", group, sizeof group, NULL), FM_OK);
    assert_string_equal(group, "elig-blue");
    char tiny[4];
    assert_int_equal(fm_worker_group_id(s, "eligibility", tiny, sizeof tiny, NULL), FM_EINVAL);
    fm_settings_free(s);
}

static void batch_sizes_out_of_range_are_refused(void **state)
{
    (void)state;
    const char *env[] = {"FAMINS_BATCH_MAX_MESSAGES=0", NULL};
    fm_settings *s = NULL;
    fm_error err = {0};
    assert_int_equal(fm_settings_load(worker_settings, WORKER_SETTING_COUNT, fake_env, env, &s, &err),
                     FM_EINVAL);
    assert_string_equal(err.path, "FAMINS_BATCH_MAX_MESSAGES");
}

static void assignors_are_eager_unless_cooperative_sticky(void **state)
{
    (void)state;
    int coop = -1;
    assert_int_equal(fm_worker_assignor_parse("range", &coop, NULL), FM_OK);
    assert_int_equal(coop, 0);
    assert_int_equal(fm_worker_assignor_parse("roundrobin", &coop, NULL), FM_OK);
    assert_int_equal(coop, 0);
    assert_int_equal(fm_worker_assignor_parse("cooperative-sticky", &coop, NULL), FM_OK);
    assert_int_equal(coop, 1);
    fm_error err = {0};
    assert_int_equal(fm_worker_assignor_parse("sticky", &coop, &err), FM_ECONFIG);
    assert_string_equal(err.path, "FAMINS_ASSIGNOR");
}

/* ---- the worker's session ---- */

static void worker_sessions_time_out_idle_transactions_and_never_jit(void **state)
{
    (void)state;
    char *dsn = fm_worker_session_dsn("host=db dbname=famins user=famins_eligibility", "eligibility", 30000);
    assert_non_null(dsn);
    assert_string_equal(dsn, "host=db dbname=famins user=famins_eligibility fallback_application_name=famins-"
                             "eligibility options='-c idle_in_transaction_session_timeout=30000 -c jit=off'");
    free(dsn);
}

static void a_dsn_with_its_own_options_keeps_them_and_a_uri_is_left_as_written(void **state)
{
    (void)state;
    char *dsn = fm_worker_session_dsn("host=db options='-c jit=on'", "subsidy", 30000);
    assert_string_equal(dsn, "host=db options='-c jit=on' fallback_application_name=famins-subsidy");
    free(dsn);
    dsn = fm_worker_session_dsn("postgresql://db/famins?application_name=x", "subsidy", 30000);
    assert_string_equal(dsn, "postgresql://db/famins?application_name=x");
    free(dsn);
}

/* ---- relay headers ---- */

static void relay_headers_come_from_the_row_plus_the_event_id(void **state)
{
    (void)state;
    rd_kafka_headers_t *h = rd_kafka_headers_new(4);
    assert_int_equal(relay_headers_from_json("{\"a\": \"1\", \"b\": \"two\"}", "ev-9", h), 3);
    const void *value = NULL;
    size_t size = 0;
    assert_int_equal(rd_kafka_header_get_last(h, "b", &value, &size), RD_KAFKA_RESP_ERR_NO_ERROR);
    assert_int_equal(size, 3);
    assert_memory_equal(value, "two", 3);
    assert_int_equal(rd_kafka_header_get_last(h, "event_id", &value, &size), RD_KAFKA_RESP_ERR_NO_ERROR);
    assert_memory_equal(value, "ev-9", 4);
    rd_kafka_headers_destroy(h);
    h = rd_kafka_headers_new(4);
    assert_int_equal(relay_headers_from_json("{}", NULL, h), 0);
    assert_int_equal(relay_headers_from_json("[1]", NULL, h), -1);
    assert_int_equal(relay_headers_from_json("{\"a\": 1}", NULL, h), -1);
    rd_kafka_headers_destroy(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(copy_text_fields_escape_tab_newline_and_backslash),
        cmocka_unit_test(copy_bytea_fields_are_hex_with_the_backslash_doubled),
        cmocka_unit_test(array_literals_quote_and_escape_items),
        cmocka_unit_test(copy_row_escapes_text_and_writes_null_ints_dates_and_owned_text),
        cmocka_unit_test(copy_row_keeps_the_first_failure_and_appends_nothing_after_it),
        cmocka_unit_test(a_partition_without_stored_position_accepts_its_first_offset),
        cmocka_unit_test(offsets_below_the_position_are_replays_and_skipped),
        cmocka_unit_test(after_a_seek_back_a_message_beyond_the_position_is_reseeked_not_skipped_to),
        cmocka_unit_test(unassigned_and_stopped_partitions_are_not_consumed),
        cmocka_unit_test(a_batch_moves_each_partition_from_its_stored_position_to_after_its_last_message),
        cmocka_unit_test(describing_a_large_batch_truncates_safely),
        cmocka_unit_test(a_batch_closes_when_its_bytes_reach_the_bound),
        cmocka_unit_test(outbox_headers_are_a_sorted_json_object),
        cmocka_unit_test(outbox_add_prefixes_the_topic_and_stages_one_row),
        cmocka_unit_test(a_dead_letter_is_a_table_row_and_a_dlq_outbox_row_with_context_headers),
        cmocka_unit_test(a_dead_letter_without_key_keeps_no_key),
        cmocka_unit_test(a_dlq_message_is_a_reference_to_the_row_without_the_raw_message),
        cmocka_unit_test(dead_letter_event_ids_are_stable_and_bounded),
        cmocka_unit_test(the_default_group_is_the_topic_prefix_plus_the_service),
        cmocka_unit_test(an_explicit_group_id_wins),
        cmocka_unit_test(batch_sizes_out_of_range_are_refused),
        cmocka_unit_test(assignors_are_eager_unless_cooperative_sticky),
        cmocka_unit_test(worker_sessions_time_out_idle_transactions_and_never_jit),
        cmocka_unit_test(a_dsn_with_its_own_options_keeps_them_and_a_uri_is_left_as_written),
        cmocka_unit_test(relay_headers_come_from_the_row_plus_the_event_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
