/* test_admin.c — unit tests of migration files (names, checksums, scanning, role comments), of the topic
 * plan and of the default role bindings. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin_bindings.h"
#include "admin_migrations.h"
#include "admin_topics.h"
#include "fm_test.h"

static void migration_names_need_a_number_and_a_lowercase_name(void **state)
{
    (void)state;
    int version = 0;
    assert_true(admin_migration_name_parse("001_foundation.sql", &version));
    assert_int_equal(version, 1);
    assert_true(admin_migration_name_parse("0042_claims_v2.sql", &version));
    assert_int_equal(version, 42);
    assert_false(admin_migration_name_parse("01_short.sql", &version));
    assert_false(admin_migration_name_parse("001-dash.sql", &version));
    assert_false(admin_migration_name_parse("001_Upper.sql", &version));
    assert_false(admin_migration_name_parse("001_foundation.sql~", &version));
    assert_false(admin_migration_name_parse("001_.sql", &version));
    assert_false(admin_migration_name_parse("README.md", &version));
}

static void migration_checksum_changes_with_any_byte(void **state)
{
    (void)state;
    char a[65], b[65], c[65];
    admin_migration_checksum("CREATE TABLE t (x int);", 23, a);
    admin_migration_checksum("CREATE TABLE t (x int);", 23, b);
    admin_migration_checksum("CREATE TABLE t (x int); ", 24, c);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_int_equal(strlen(a), 64);
}

static void write_text(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void remove_dir(const char *dir)
{
    char command[600];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    assert_int_equal(system(command), 0);
}

static void scan_orders_by_number_and_ignores_other_files(void **state)
{
    (void)state;
    char dir[] = "/tmp/famins-migrations-XXXXXX";
    assert_non_null(mkdtemp(dir));
    write_text(dir, "010_later.sql", "SELECT 10;");
    write_text(dir, "002_second.sql", "SELECT 2;");
    write_text(dir, "001_first.sql", "SELECT 1;");
    write_text(dir, "notes.txt", "not a migration");
    admin_migration_set set = {0};
    assert_int_equal(admin_migrations_scan(dir, &set, NULL), FM_OK);
    assert_int_equal(set.count, 3);
    assert_int_equal(set.items[0].version, 1);
    assert_int_equal(set.items[1].version, 2);
    assert_int_equal(set.items[2].version, 10);
    assert_string_equal(set.items[2].sql, "SELECT 10;");
    admin_migrations_free(&set);
    remove_dir(dir);
}

static void scan_refuses_two_files_with_one_number(void **state)
{
    (void)state;
    char dir[] = "/tmp/famins-migrations-XXXXXX";
    assert_non_null(mkdtemp(dir));
    write_text(dir, "003_a.sql", "SELECT 1;");
    write_text(dir, "003_b.sql", "SELECT 2;");
    admin_migration_set set = {0};
    fm_error err = {0};
    assert_int_equal(admin_migrations_scan(dir, &set, &err), FM_EINVAL);
    assert_string_equal(err.code, "DUPLICATE_VERSION");
    assert_int_equal(set.count, 0);
    remove_dir(dir);
    assert_int_equal(admin_migrations_scan("/nonexistent/famins", &set, &err), FM_EIO);
    assert_string_equal(err.code, "UNREADABLE");
}

static void the_shipped_migrations_scan_cleanly(void **state)
{
    (void)state;
    admin_migration_set set = {0};
    fm_error err = {0};
    assert_int_equal(admin_migrations_scan(FAMINS_SOURCE_DIR "/schemas/sql", &set, &err), FM_OK);
    assert_true(set.count >= 1);
    assert_int_equal(set.items[0].version, 1);
    admin_migrations_free(&set);
}

static void topic_plan_covers_every_topic_with_overrides(void **state)
{
    (void)state;
    admin_topic_plan plan[FM_TOPIC_COUNT];
    fm_error err = {0};
    assert_int_equal(admin_topics_plan("t1.", 6, 1, "claim.events=12,enrollment.submitted=3", plan, &err),
                     FM_OK);
    int seen_claims = 0;
    for (int i = 0; i < FM_TOPIC_COUNT; i++) {
        assert_int_equal(strncmp(plan[i].name, "t1.", 3), 0);
        if (strcmp(plan[i].name, "t1.claim.events") == 0) {
            assert_int_equal(plan[i].partitions, 12);
            seen_claims = 1;
        } else if (strcmp(plan[i].name, "t1.enrollment.submitted") == 0) {
            assert_int_equal(plan[i].partitions, 3);
        } else {
            assert_int_equal(plan[i].partitions, 6);
        }
    }
    assert_true(seen_claims);
}

static void topic_plan_refuses_bad_overrides(void **state)
{
    (void)state;
    admin_topic_plan plan[FM_TOPIC_COUNT];
    fm_error err = {0};
    assert_int_equal(admin_topics_plan("", 6, 1, "claim.events", plan, &err), FM_EINVAL);
    assert_string_equal(err.code, "BAD_OVERRIDE");
    assert_int_equal(admin_topics_plan("", 6, 1, "claim.events=0", plan, &err), FM_EINVAL);
    assert_int_equal(admin_topics_plan("", 6, 1, "claims=4", plan, &err), FM_EINVAL);
    assert_string_equal(err.code, "UNKNOWN_TOPIC");
}

static void topic_plan_min_insync_within_replication(void **state)
{
    (void)state;
    admin_topic_plan plan[FM_TOPIC_COUNT];
    fm_error err = {0};
    assert_int_equal(admin_topics_plan("", 6, 3, "", plan, &err), FM_OK);
    assert_int_equal(plan[0].min_insync, 0); /* the broker's default unless configured */
    assert_int_equal(admin_topics_plan_min_insync(plan, 2, &err), FM_OK);
    for (int i = 0; i < FM_TOPIC_COUNT; i++)
        assert_int_equal(plan[i].min_insync, 2);
    /* More in-sync replicas than replicas: no acks=all write could succeed. */
    assert_int_equal(admin_topics_plan_min_insync(plan, 4, &err), FM_EINVAL);
    assert_string_equal(err.code, "BAD_MIN_INSYNC");
    assert_string_equal(err.path, "FAMINS_TOPIC_MIN_INSYNC");
}

static void role_comments_are_blanked_and_nothing_else(void **state)
{
    (void)state;
    const char *sql = "CREATE SCHEMA s;\n"
                      "COMMENT ON ROLE famins_relay IS 'famins outbox relay: reads; and marks the outbox';\n"
                      "  comment on role r2 IS 'x';  \n"
                      "COMMENT ON ROLE r3 IS 'no semicolon'\n"
                      "COMMENT ON TABLE t IS 'kept';\n"
                      "SELECT 1; COMMENT ON ROLE r4 IS 'after another statement: kept';\n"
                      "COMMENT ON ROLE r5 IS 'last line';";
    char *out = NULL;
    int removed = -1;
    assert_int_equal(admin_migration_without_role_comments(sql, &out, &removed), FM_OK);
    assert_int_equal(removed, 3);
    assert_int_equal(strlen(out), strlen(sql)); /* blanked, not removed: error line numbers still match */
    assert_null(strstr(out, "famins_relay"));
    assert_null(strstr(out, "r2"));
    assert_null(strstr(out, "r5"));
    assert_non_null(strstr(out, "CREATE SCHEMA s;\n"));
    assert_non_null(strstr(out, "COMMENT ON ROLE r3 IS 'no semicolon'\n"));
    assert_non_null(strstr(out, "COMMENT ON TABLE t IS 'kept';"));
    assert_non_null(strstr(out, "SELECT 1; COMMENT ON ROLE r4"));
    free(out);
}

static void the_foundation_migration_loses_only_its_six_role_comments(void **state)
{
    (void)state;
    admin_migration_set set = {0};
    fm_error err = {0};
    assert_int_equal(admin_migrations_scan(FAMINS_SOURCE_DIR "/schemas/sql", &set, &err), FM_OK);
    for (size_t i = 0; i < set.count; i++) {
        char *out = NULL;
        int removed = -1;
        assert_int_equal(admin_migration_without_role_comments(set.items[i].sql, &out, &removed), FM_OK);
        assert_int_equal(removed, set.items[i].version == 1 ? 6 : 0);
        assert_null(strstr(out, "COMMENT ON ROLE"));
        free(out);
    }
    admin_migrations_free(&set);
}

static void default_bindings_give_each_worker_its_group_and_topics(void **state)
{
    (void)state;
    admin_binding groups[ADMIN_DEFAULT_GROUPS], topics[ADMIN_DEFAULT_TOPICS];
    fm_error err = {0};
    assert_int_equal(admin_bindings_defaults("t.x.1.", groups, topics, &err), FM_OK);
    assert_string_equal(groups[0].name, "t.x.1.famins-eligibility");
    assert_string_equal(groups[0].role, "famins_eligibility");
    assert_string_equal(groups[1].name, "t.x.1.famins-subsidy");
    assert_string_equal(groups[1].role, "famins_subsidy");
    assert_string_equal(groups[2].name, "t.x.1.famins-adjudicator");
    assert_string_equal(groups[2].role, "famins_adjudicator");
    const char *want[ADMIN_DEFAULT_TOPICS][2] = {
        {"t.x.1.enrollment.decided", "famins_eligibility"},
        {"t.x.1.enrollment.submitted.dlq", "famins_eligibility"},
        {"t.x.1.subsidy.allocated", "famins_subsidy"},
        {"t.x.1.enrollment.decided.dlq", "famins_subsidy"},
        {"t.x.1.claim.decided", "famins_adjudicator"},
        {"t.x.1.claim.events.dlq", "famins_adjudicator"},
        {"t.x.1.claim.payment", "famins_adjudicator"},
    };
    for (int i = 0; i < ADMIN_DEFAULT_TOPICS; i++) {
        assert_string_equal(topics[i].name, want[i][0]);
        assert_string_equal(topics[i].role, want[i][1]);
    }
    assert_int_equal(admin_bindings_defaults("", groups, topics, &err), FM_OK);
    assert_string_equal(groups[1].name, "famins-subsidy");
    assert_int_equal(admin_bindings_defaults("bad prefix ", groups, topics, &err), FM_EINVAL);
}

static void only_worker_roles_own_groups(void **state)
{
    (void)state;
    assert_true(admin_binding_role_known("famins_eligibility"));
    assert_true(admin_binding_role_known("famins_subsidy"));
    assert_true(admin_binding_role_known("famins_adjudicator"));
    assert_false(admin_binding_role_known("famins_relay"));
    assert_false(admin_binding_role_known("famins_operator"));
    assert_false(admin_binding_role_known("famins_admin"));
    assert_false(admin_binding_role_known("postgres"));
    assert_false(admin_binding_role_known(""));
    assert_false(admin_binding_role_known(NULL));
    fm_error err = {0};
    /* Refused before any connection is used. */
    assert_int_equal(admin_bindings_bind_group(NULL, "g", "famins_relay", NULL, &err), FM_EINVAL);
    assert_string_equal(err.code, "UNKNOWN_ROLE");
    assert_int_equal(admin_bindings_bind_group(NULL, "", "famins_subsidy", NULL, &err), FM_EINVAL);
    assert_string_equal(err.code, "BAD_GROUP");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(migration_names_need_a_number_and_a_lowercase_name),
        cmocka_unit_test(migration_checksum_changes_with_any_byte),
        cmocka_unit_test(scan_orders_by_number_and_ignores_other_files),
        cmocka_unit_test(scan_refuses_two_files_with_one_number),
        cmocka_unit_test(the_shipped_migrations_scan_cleanly),
        cmocka_unit_test(topic_plan_covers_every_topic_with_overrides),
        cmocka_unit_test(topic_plan_refuses_bad_overrides),
        cmocka_unit_test(topic_plan_min_insync_within_replication),
        cmocka_unit_test(role_comments_are_blanked_and_nothing_else),
        cmocka_unit_test(the_foundation_migration_loses_only_its_six_role_comments),
        cmocka_unit_test(default_bindings_give_each_worker_its_group_and_topics),
        cmocka_unit_test(only_worker_roles_own_groups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
