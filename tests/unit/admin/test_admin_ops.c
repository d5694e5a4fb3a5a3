/* test_admin_ops.c — unit tests of famins-admin's operator commands' pure parts: the command lines (every
 * misuse refused before anything connects), time and id arguments, the table/JSON printer, and the relay's
 * choice of which delivery errors count towards parking a row. */
#include <stdlib.h>
#include <string.h>

#include "admin_backlog.h"
#include "admin_ops_args.h"
#include "admin_table.h"
#include "fm_test.h"
#include "relay_park.h"

/* 2026-12-03T12:00:00Z */
static const time_t NOW = 1796299200;

static fm_status parse(admin_op_request *req, fm_error *err, int argc, const char *const *argv)
{
    return admin_ops_parse(argc, (char *const *)argv, NOW, req, err);
}

#define PARSE(req, err, ...)                                                                                 \
    parse(req, err, (int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)),                     \
          (const char *const[]){__VA_ARGS__})

static void list_takes_filters_and_defaults_to_open_dead_letters(void **state)
{
    (void)state;
    admin_op_request req;
    fm_error err = {0};
    assert_int_equal(PARSE(&req, &err, "famins-admin", "dead-letters", "list", "--group", "g1",
                           "--code=SCHEMA_VIOLATION", "--since", "2h", "--until", "2026-12-03", "--json",
                           "--limit", "5"),
                     FM_OK);
    assert_int_equal(req.kind, ADMIN_OP_DL_LIST);
    assert_string_equal(req.group, "g1");
    assert_string_equal(req.code, "SCHEMA_VIOLATION");
    assert_string_equal(req.since, "2026-12-03T10:00:00Z");
    assert_string_equal(req.until, "2026-12-03");
    assert_true(req.json);
    assert_int_equal(req.limit, 5);
    assert_null(req.state);
    assert_int_equal(PARSE(&req, &err, "famins-admin", "dead-letters", "list"), FM_OK);
    assert_int_equal(req.limit, ADMIN_OPS_DEFAULT_LIMIT);
}

static void unknown_options_stray_arguments_and_unknown_verbs_are_refused(void **state)
{
    (void)state;
    admin_op_request req;
    fm_error err = {0};
    assert_int_equal(PARSE(&req, &err, "famins-admin", "dead-letters", "list", "--bogus"), FM_EINVAL);
    assert_string_equal(err.text, "unknown option '--bogus'");
    assert_int_equal(PARSE(&req, &err, "famins-admin", "dead-letters", "list", "stray"), FM_EINVAL);
    assert_string_equal(err.text, "unexpected argument 'stray'");
    assert_int_equal(PARSE(&req, &err, "famins-admin", "alarms", "explode"), FM_EINVAL);
    assert_int_equal(PARSE(&req, &err, "famins-admin", "outbox"), FM_EINVAL);
    /* an option of another command is unknown here */
    assert_int_equal(PARSE(&req, &err, "famins-admin", "outbox", "backlog", "--reason", "x"), FM_EINVAL);
    assert_int_equal(PARSE(&req, &err, "famins-admin", "alarms", "list", "--move-to", "3"), FM_EINVAL);
    assert_int_equal(PARSE(&req, &err, "famins-admin", "dead-letters", "list", "--group"), FM_EINVAL);
    assert_string_equal(err.text, "--group wants a value");
    assert_int_equal(PARSE(&req, &err, "famins-admin", "dead-letters", "list", "--json=yes"), FM_EINVAL);
    assert_int_equal(
        PARSE(&req, &err, "famins-admin", "dead-letters", "list", "--group", "a", "--group", "b"), FM_EINVAL);
}

static void help_wins_over_missing_values_but_not_over_unknown_options(void **state)
{
    (void)state;
    admin_op_request req;
    fm_error err = {0};
    assert_int_equal(PARSE(&req, &err, "famins-admin", "dead-letters", "discard", "--help"), FM_OK);
    assert_true(req.help);
    assert_int_equal(req.kind, ADMIN_OP_DL_DISCARD);
    assert_int_equal(PARSE(&req, &err, "famins-admin", "alarms", "-h"), FM_OK);
    assert_true(req.help);
    assert_int_equal(req.kind, ADMIN_OP_NONE);
    assert_int_equal(req.noun, ADMIN_NOUN_ALARMS);
    assert_int_equal(PARSE(&req, &err, "famins-admin", "outbox", "parked", "--help", "--nope"), FM_EINVAL);
    /* a bad value before --help does not hide the help; --version answers too, the first of the two wins */
    assert_int_equal(PARSE(&req, &err, "famins-admin", "outbox", "parked", "--limit", "x", "--help"), FM_OK);
    assert_true(req.help);
    assert_int_equal(PARSE(&req, &err, "famins-admin", "alarms", "resolve", "-V", "--help"), FM_OK);
    assert_true(req.version);
    assert_false(req.help);
    assert_int_equal(PARSE(&req, &err, "famins-admin", "dead-letters", "--version"), FM_OK);
    assert_true(req.version);
}

static void replay_and_discard_need_a_selection_and_discard_a_reason(void **state)
{
    (void)state;
    admin_op_request req;
    fm_error err = {0};
    assert_int_equal(PARSE(&req, &err, "famins-admin", "dead-letters", "replay"), FM_EINVAL);
    assert_int_equal(PARSE(&req, &err, "famins-admin", "dead-letters", "replay", "--id", "3,4", "--id", "9",
                           "--operator", "alice", "--reason", "fixed"),
                     FM_OK);
    assert_int_equal(req.id_count, 3);
    assert_i64_equal(req.ids[2], 9);
    assert_string_equal(req.operator_name, "alice");
    assert_int_equal(PARSE(&req, &err, "famins-admin", "dead-letters", "replay", "--code", "WRITE_REJECTED"),
                     FM_OK);
    assert_int_equal(PARSE(&req, &err, "famins-admin", "dead-letters", "replay", "--id", "3", "--code", "X"),
                     FM_EINVAL);
    assert_string_equal(err.text, "--id or a filter, not both");
    assert_int_equal(PARSE(&req, &err, "famins-admin", "dead-letters", "discard", "--id", "3"), FM_EINVAL);
    assert_string_equal(err.text, "a discard needs --reason TEXT");
    assert_int_equal(
        PARSE(&req, &err, "famins-admin", "dead-letters", "discard", "--id", "3", "--reason", ""), FM_EINVAL);
    assert_int_equal(PARSE(&req, &err, "famins-admin", "dead-letters", "discard", "--id", "3", "--dry-run"),
                     FM_OK);
    assert_int_equal(PARSE(&req, &err, "famins-admin", "outbox", "discard", "--id", "7"), FM_EINVAL);
    assert_int_equal(PARSE(&req, &err, "famins-admin", "outbox", "requeue"), FM_EINVAL);
    assert_int_equal(PARSE(&req, &err, "famins-admin", "outbox", "requeue", "--id", "7"), FM_OK);
}

static void resolve_wants_one_alarm_and_expect_only_with_a_move(void **state)
{
    (void)state;
    admin_op_request req;
    fm_error err = {0};
    assert_int_equal(PARSE(&req, &err, "famins-admin", "alarms", "resolve"), FM_EINVAL);
    assert_int_equal(PARSE(&req, &err, "famins-admin", "alarms", "resolve", "--id", "1,2"), FM_EINVAL);
    assert_int_equal(PARSE(&req, &err, "famins-admin", "alarms", "resolve", "--id", "1", "--expect", "4"),
                     FM_EINVAL);
    assert_int_equal(PARSE(&req, &err, "famins-admin", "alarms", "resolve", "--id", "1", "--move-to", "-1"),
                     FM_EINVAL);
    assert_int_equal(PARSE(&req, &err, "famins-admin", "alarms", "resolve", "--id", "12", "--move-to", "0",
                           "--expect", "999999"),
                     FM_OK);
    assert_true(req.has_move_to);
    assert_i64_equal(req.move_to, 0);
    assert_i64_equal(req.expect, 999999);
    assert_int_equal(PARSE(&req, &err, "famins-admin", "alarms", "resolve", "--id", "12"), FM_OK);
    assert_false(req.has_move_to);
}

static void ids_are_positive_integers_and_become_an_array_literal(void **state)
{
    (void)state;
    admin_op_request *req = calloc(1, sizeof *req);
    fm_error err = {0};
    char buf[64];
    assert_int_equal(admin_ops_ids_literal(req, buf, sizeof buf, &err), FM_OK);
    assert_string_equal(buf, "{}");
    assert_int_equal(admin_ops_add_ids(req, "5,17", &err), FM_OK);
    assert_int_equal(admin_ops_ids_literal(req, buf, sizeof buf, &err), FM_OK);
    assert_string_equal(buf, "{5,17}");
    assert_int_equal(admin_ops_ids_literal(req, buf, 5, &err), FM_EINVAL);
    assert_int_equal(admin_ops_add_ids(req, "0", &err), FM_EINVAL);
    assert_int_equal(admin_ops_add_ids(req, "-3", &err), FM_EINVAL);
    assert_int_equal(admin_ops_add_ids(req, "4,", &err), FM_EINVAL);
    assert_int_equal(admin_ops_add_ids(req, "4x", &err), FM_EINVAL);
    assert_int_equal(admin_ops_add_ids(req, "99999999999999999999", &err), FM_EINVAL);
    req->id_count = ADMIN_OPS_MAX_IDS;
    assert_int_equal(admin_ops_add_ids(req, "1", &err), FM_EINVAL);
    free(req);
}

static void times_are_relative_durations_or_iso_dates(void **state)
{
    (void)state;
    char out[40];
    fm_error err = {0};
    assert_int_equal(admin_ops_time_arg("30m", NOW, out, sizeof out, &err), FM_OK);
    assert_string_equal(out, "2026-12-03T11:30:00Z");
    assert_int_equal(admin_ops_time_arg("7d", NOW, out, sizeof out, &err), FM_OK);
    assert_string_equal(out, "2026-11-26T12:00:00Z");
    assert_int_equal(admin_ops_time_arg("45s", NOW, out, sizeof out, &err), FM_OK);
    assert_string_equal(out, "2026-12-03T11:59:15Z");
    assert_int_equal(admin_ops_time_arg("2026-12-01T08:00:00+08:00", NOW, out, sizeof out, &err), FM_OK);
    assert_string_equal(out, "2026-12-01T08:00:00+08:00");
    assert_int_equal(admin_ops_time_arg("yesterday", NOW, out, sizeof out, &err), FM_EINVAL);
    assert_int_equal(admin_ops_time_arg("2026-12-01; DROP TABLE x", NOW, out, sizeof out, &err), FM_EINVAL);
    assert_int_equal(admin_ops_time_arg("h", NOW, out, sizeof out, &err), FM_EINVAL);
    assert_int_equal(admin_ops_time_arg("-2h", NOW, out, sizeof out, &err), FM_EINVAL);
    assert_int_equal(admin_ops_time_arg("2026-1-01", NOW, out, sizeof out, &err), FM_EINVAL);
    assert_int_equal(admin_ops_time_arg("99999999999d", NOW, out, sizeof out, &err), FM_EINVAL);
}

/* Prints t into a string (caller frees). */
static char *print(const admin_table *t, int json, fm_status *st)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fm_error err = {0};
    *st = admin_table_print(f, t, json, &err);
    fclose(f);
    return buf;
}

static void table_aligns_columns_and_json_keeps_types_and_nulls(void **state)
{
    (void)state;
    const char *names[] = {"id", "code", "bytes"};
    const char *cells[] = {"7", "WRITE_REJECTED", "1843", "12", "X", NULL};
    const int numeric[] = {1, 0, 1};
    admin_table t = {.cols = 3, .rows = 2, .names = names, .cells = cells, .numeric = numeric};
    fm_status st;
    char *text = print(&t, 0, &st);
    assert_int_equal(st, FM_OK);
    assert_string_equal(text, "id  code            bytes\n"
                              " 7  WRITE_REJECTED   1843\n"
                              "12  X                   -\n");
    free(text);
    char *json = print(&t, 1, &st);
    assert_int_equal(st, FM_OK);
    assert_string_equal(json, "[{\"id\":7,\"code\":\"WRITE_REJECTED\",\"bytes\":1843},"
                              "{\"id\":12,\"code\":\"X\",\"bytes\":null}]\n");
    free(json);
    admin_table empty = {.cols = 3, .rows = 0, .names = names, .cells = cells, .numeric = numeric};
    json = print(&empty, 1, &st);
    assert_string_equal(json, "[]\n");
    free(json);
    const char *bad[] = {"1", "\xff\xfe", "2"};
    admin_table notutf8 = {.cols = 3, .rows = 1, .names = names, .cells = bad, .numeric = numeric};
    json = print(&notutf8, 1, &st);
    assert_int_equal(st, FM_EINVAL);
    free(json);
}

static void keys_come_back_from_hex_exactly(void **state)
{
    (void)state;
    unsigned char out[8];
    assert_int_equal(admin_backlog_unhex("", out), 0);
    assert_int_equal(admin_backlog_unhex("48370aFF", out), 4);
    assert_memory_equal(out, "H7\n\xff", 4);
    assert_int_equal(admin_backlog_unhex("483", out), -1);
    assert_int_equal(admin_backlog_unhex("4g", out), -1);
}

static void only_a_rows_own_delivery_errors_count_towards_parking(void **state)
{
    (void)state;
    assert_true(relay_park_is_permanent(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE));
    assert_true(relay_park_is_permanent(RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC));
    assert_true(relay_park_is_permanent(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED));
    assert_false(relay_park_is_permanent(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT));
    assert_false(relay_park_is_permanent(RD_KAFKA_RESP_ERR__TRANSPORT));
    assert_false(relay_park_is_permanent(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN));
    assert_false(relay_park_is_permanent(RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION));
    assert_false(relay_park_is_permanent(RD_KAFKA_RESP_ERR__IN_PROGRESS));
}

static void a_failure_that_is_not_the_rows_own_is_not_reported(void **state)
{
    (void)state;
    /* No connection needed: an outage's row, or no row, never reaches the database. */
    relay_failed_row outage = {.id = 5, .permanent = 0};
    relay_failed_row none = {.id = 0, .permanent = 1};
    int parked = 1;
    fm_error err = {0};
    assert_int_equal(relay_park_report(NULL, &outage, 3, NULL, &parked, &err), FM_OK);
    assert_false(parked);
    assert_int_equal(relay_park_report(NULL, &none, 3, NULL, &parked, &err), FM_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(list_takes_filters_and_defaults_to_open_dead_letters),
        cmocka_unit_test(unknown_options_stray_arguments_and_unknown_verbs_are_refused),
        cmocka_unit_test(help_wins_over_missing_values_but_not_over_unknown_options),
        cmocka_unit_test(replay_and_discard_need_a_selection_and_discard_a_reason),
        cmocka_unit_test(resolve_wants_one_alarm_and_expect_only_with_a_move),
        cmocka_unit_test(ids_are_positive_integers_and_become_an_array_literal),
        cmocka_unit_test(times_are_relative_durations_or_iso_dates),
        cmocka_unit_test(table_aligns_columns_and_json_keeps_types_and_nulls),
        cmocka_unit_test(keys_come_back_from_hex_exactly),
        cmocka_unit_test(only_a_rows_own_delivery_errors_count_towards_parking),
        cmocka_unit_test(a_failure_that_is_not_the_rows_own_is_not_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
