/* test_admin.c — unit tests of migration files (names, checksums, scanning) and of the topic plan. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fm_test.h"
#include "admin_migrations.h"
#include "admin_topics.h"

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
    assert_int_equal(admin_topics_plan("t1.", 6, 1, "claim.events=12,enrollment.submitted=3", plan, &err), FM_OK);
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
