/* test_paths.c — unit tests of fm_paths: an installed program finds its data under <prefix>/share/famins, a
 * program in its build tree finds the source tree, an explicit setting wins, and a miss names the folders
 * looked in. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fm_paths.h"
#include "fm_settings.h"
#include "fm_test.h"

typedef struct fixture {
    char root[64]; /* a fresh temporary folder */
} fixture;

static void make_dirs(const char *root, const char *rel)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (char *p = path + strlen(root) + 1; *p != '\0'; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0755);
            *p = '/';
        }
    }
    assert_int_equal(mkdir(path, 0755) == 0 || access(path, F_OK) == 0, 1);
}

static void write_file(const char *root, const char *rel, const char *text)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    strcpy(f->root, "/tmp/famins-paths-XXXXXX");
    if (mkdtemp(f->root) == NULL)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->root);
    int rc = system(cmd);
    free(f);
    return rc == 0 ? 0 : -1;
}

static void an_installed_program_finds_its_data_under_share_famins(void **state)
{
    fixture *f = *state;
    char exe[PATH_MAX], want[PATH_MAX], out[PATH_MAX];
    make_dirs(f->root, "prefix/bin");
    make_dirs(f->root, "prefix/share/famins/plans");
    make_dirs(f->root, "prefix/share/famins/sql");
    snprintf(exe, sizeof exe, "%s/prefix/bin/famins-eligibility", f->root);
    fm_error err = {0};
    assert_int_equal(fm_paths_data_dir_for(exe, "plans", out, sizeof out, &err), FM_OK);
    snprintf(want, sizeof want, "%s/prefix/share/famins/plans", f->root); /* no "bin/.." left in it */
    assert_string_equal(out, want);
    assert_int_equal(fm_paths_data_dir_for(exe, "sql", out, sizeof out, &err), FM_OK);
    snprintf(want, sizeof want, "%s/prefix/share/famins/sql", f->root);
    assert_string_equal(out, want);
}

static void a_build_tree_program_finds_the_source_tree_named_beside_it(void **state)
{
    fixture *f = *state;
    char exe[PATH_MAX], want[PATH_MAX], out[PATH_MAX], marker[PATH_MAX];
    make_dirs(f->root, "src/schemas/plans");
    make_dirs(f->root, "src/schemas/places");
    make_dirs(f->root, "build/services/wavegen");
    snprintf(marker, sizeof marker, "%s/src\n", f->root);
    write_file(f->root, "build/services/wavegen/" FM_PATHS_BUILD_TREE_MARKER, marker);
    snprintf(exe, sizeof exe, "%s/build/services/wavegen/famins-wavegen", f->root);
    fm_error err = {0};
    assert_int_equal(fm_paths_data_dir_for(exe, "plans", out, sizeof out, &err), FM_OK);
    snprintf(want, sizeof want, "%s/src/schemas/plans", f->root);
    assert_string_equal(out, want);
    assert_int_equal(fm_paths_data_dir_for(exe, "places", out, sizeof out, &err), FM_OK);
    snprintf(want, sizeof want, "%s/src/schemas/places", f->root);
    assert_string_equal(out, want);
}

static void installed_data_wins_over_a_build_tree_marker(void **state)
{
    fixture *f = *state;
    char exe[PATH_MAX], want[PATH_MAX], out[PATH_MAX], marker[PATH_MAX];
    make_dirs(f->root, "src/schemas/plans");
    make_dirs(f->root, "prefix/bin");
    make_dirs(f->root, "prefix/share/famins/plans");
    snprintf(marker, sizeof marker, "%s/src\n", f->root);
    write_file(f->root, "prefix/bin/" FM_PATHS_BUILD_TREE_MARKER, marker);
    snprintf(exe, sizeof exe, "%s/prefix/bin/famins-subsidy", f->root);
    assert_int_equal(fm_paths_data_dir_for(exe, "plans", out, sizeof out, NULL), FM_OK);
    snprintf(want, sizeof want, "%s/prefix/share/famins/plans", f->root);
    assert_string_equal(out, want);
}

static void a_miss_names_the_installed_folder_looked_in(void **state)
{
    fixture *f = *state;
    char exe[PATH_MAX], want[PATH_MAX], out[PATH_MAX];
    make_dirs(f->root, "prefix/bin");
    snprintf(exe, sizeof exe, "%s/prefix/bin/famins-admin", f->root);
    fm_error err = {0};
    assert_int_equal(fm_paths_data_dir_for(exe, "sql", out, sizeof out, &err), FM_ENOTFOUND);
    snprintf(want, sizeof want, "%s/prefix/share/famins/sql", f->root);
    assert_string_equal(out, want); /* the value a caller then reports */
    assert_string_equal(err.code, "DATA_DIR_NOT_FOUND");
    assert_non_null(strstr(err.text, want));
}

static void a_moved_source_tree_names_both_folders_looked_in(void **state)
{
    fixture *f = *state;
    char exe[PATH_MAX], installed[PATH_MAX], source[PATH_MAX], out[PATH_MAX], marker[PATH_MAX];
    make_dirs(f->root, "build/services/admin");
    snprintf(marker, sizeof marker, "%s/gone\n", f->root);
    write_file(f->root, "build/services/admin/" FM_PATHS_BUILD_TREE_MARKER, marker);
    snprintf(exe, sizeof exe, "%s/build/services/admin/famins-admin", f->root);
    fm_error err = {0};
    assert_int_equal(fm_paths_data_dir_for(exe, "sql", out, sizeof out, &err), FM_ENOTFOUND);
    snprintf(installed, sizeof installed, "%s/build/services/share/famins/sql", f->root);
    snprintf(source, sizeof source, "%s/gone/schemas/sql", f->root);
    assert_string_equal(out, source);
    assert_non_null(strstr(err.text, installed));
    assert_non_null(strstr(err.text, source));
}

static void a_program_at_the_root_gets_a_clean_path(void **state)
{
    (void)state;
    char out[PATH_MAX];
    /* /bin/../share/famins/plans is /share/famins/plans, not //share/...; nothing there on a test machine. */
    fm_status st = fm_paths_data_dir_for("/bin/famins-report", "plans", out, sizeof out, NULL);
    if (st == FM_ENOTFOUND)
        assert_string_equal(out, "/share/famins/plans");
    else
        assert_int_equal(st, FM_OK);
}

static void unknown_names_relative_paths_and_short_buffers_are_refused(void **state)
{
    fixture *f = *state;
    char exe[PATH_MAX], out[PATH_MAX], tiny[8];
    fm_error err = {0};
    assert_int_equal(fm_paths_data_dir_for("/opt/famins/bin/famins-admin", "secrets", out, sizeof out, &err),
                     FM_EINVAL);
    assert_string_equal(err.code, "UNKNOWN_DATA_DIR");
    assert_int_equal(fm_paths_data_dir_for("bin/famins-admin", "sql", out, sizeof out, &err), FM_EINVAL);
    assert_string_equal(err.code, "BAD_PROGRAM_PATH");
    make_dirs(f->root, "prefix/bin");
    make_dirs(f->root, "prefix/share/famins/sql");
    snprintf(exe, sizeof exe, "%s/prefix/bin/famins-admin", f->root);
    assert_int_equal(fm_paths_data_dir_for(exe, "sql", tiny, sizeof tiny, &err), FM_EINVAL);
    assert_string_equal(err.code, "PATH_TOO_LONG");
    assert_string_equal(tiny, "");
}

static void every_installed_folder_has_a_source_folder(void **state)
{
    (void)state;
    assert_string_equal(fm_paths_source_subdir("plans"), "schemas/plans");
    assert_string_equal(fm_paths_source_subdir("sql"), "schemas/sql");
    assert_string_equal(fm_paths_source_subdir("places"), "schemas/places");
    assert_string_equal(fm_paths_source_subdir("schemas"), "schemas/events");
    assert_null(fm_paths_source_subdir("bin"));
}

/* Settings: the data folder of this test program, which CMake built beside a famins-build-tree file. */
static const fm_setting path_settings[] = {
    FM_COMMON_SETTINGS,
    {"FAMINS_SQL_DIR", FM_SETTING_DATA_DIR, "sql", 0, 0, "folder of the numbered SQL migrations"},
};
#define PATH_SETTING_COUNT (sizeof path_settings / sizeof path_settings[0])

static const char *fake_env(const char *name, void *ctx)
{
    for (const char *const *p = ctx; *p != NULL; p++) {
        size_t n = strlen(name);
        if (strncmp(*p, name, n) == 0 && (*p)[n] == '=')
            return *p + n + 1;
    }
    return NULL;
}

static void an_explicit_setting_wins_and_unset_or_empty_is_found_beside_the_program(void **state)
{
    (void)state;
    fm_settings *s = NULL;
    const char *explicit_env[] = {"FAMINS_PLAN_DIR=/srv/plans-2027", "FAMINS_SQL_DIR=/srv/sql", NULL};
    assert_int_equal(fm_settings_load(path_settings, PATH_SETTING_COUNT, fake_env, explicit_env, &s, NULL),
                     FM_OK);
    assert_string_equal(fm_settings_str(s, "FAMINS_PLAN_DIR"), "/srv/plans-2027");
    assert_string_equal(fm_settings_str(s, "FAMINS_SQL_DIR"), "/srv/sql");
    assert_int_equal(fm_settings_is_set(s, "FAMINS_PLAN_DIR"), 1);
    fm_settings_free(s);

    const char *empty_env[] = {"FAMINS_PLAN_DIR=", NULL};
    assert_int_equal(fm_settings_load(path_settings, PATH_SETTING_COUNT, fake_env, empty_env, &s, NULL),
                     FM_OK);
    assert_string_equal(fm_settings_str(s, "FAMINS_PLAN_DIR"), FAMINS_SOURCE_DIR "/schemas/plans");
    assert_string_equal(fm_settings_str(s, "FAMINS_SQL_DIR"), FAMINS_SOURCE_DIR "/schemas/sql");
    assert_int_equal(fm_settings_is_set(s, "FAMINS_PLAN_DIR"), 0);
    fm_settings_free(s);
}

static void help_describes_where_a_data_folder_is_looked_for(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    fm_settings_print_help(out, path_settings, PATH_SETTING_COUNT);
    fclose(out);
    assert_non_null(strstr(text, "share/famins/sql; in a build tree <source>/schemas/sql]"));
    assert_non_null(strstr(text, "share/famins/plans; in a build tree <source>/schemas/plans]"));
    assert_null(strstr(text, FAMINS_SOURCE_DIR)); /* no build path in --help either */
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(an_installed_program_finds_its_data_under_share_famins, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_build_tree_program_finds_the_source_tree_named_beside_it, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(installed_data_wins_over_a_build_tree_marker, setup, teardown),
        cmocka_unit_test_setup_teardown(a_miss_names_the_installed_folder_looked_in, setup, teardown),
        cmocka_unit_test_setup_teardown(a_moved_source_tree_names_both_folders_looked_in, setup, teardown),
        cmocka_unit_test(a_program_at_the_root_gets_a_clean_path),
        cmocka_unit_test_setup_teardown(unknown_names_relative_paths_and_short_buffers_are_refused, setup,
                                        teardown),
        cmocka_unit_test(every_installed_folder_has_a_source_folder),
        cmocka_unit_test(an_explicit_setting_wins_and_unset_or_empty_is_found_beside_the_program),
        cmocka_unit_test(help_describes_where_a_data_folder_is_looked_for),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
