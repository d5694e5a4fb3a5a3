/* test_cli.c — fm_cli: what a program without arguments accepts (--help, --version, nothing) and refuses. */
#include <stdio.h>
#include <string.h>

#include "fm_cli.h"
#include "fm_test.h"

static fm_status parse(int argc, char **argv, fm_cli_request *req, fm_error *err)
{
    *req = (fm_cli_request)-1;
    fm_error_clear(err);
    return fm_cli_parse_bare(argc, argv, req, err);
}

static void nothing_runs_help_and_version_answer(void **state)
{
    (void)state;
    fm_cli_request req;
    fm_error err;
    char *none[] = {"famins-x", NULL};
    assert_int_equal(parse(1, none, &req, &err), FM_OK);
    assert_int_equal(req, FM_CLI_RUN);
    const char *help[] = {"--help", "-h"}, *version[] = {"--version", "-V"};
    for (int i = 0; i < 2; i++) {
        char *h[] = {"famins-x", (char *)help[i], NULL};
        assert_int_equal(parse(2, h, &req, &err), FM_OK);
        assert_int_equal(req, FM_CLI_HELP);
        char *v[] = {"famins-x", (char *)version[i], NULL};
        assert_int_equal(parse(2, v, &req, &err), FM_OK);
        assert_int_equal(req, FM_CLI_VERSION);
    }
    char *both[] = {"famins-x", "-V", "--help", NULL}; /* the first wins */
    assert_int_equal(parse(3, both, &req, &err), FM_OK);
    assert_int_equal(req, FM_CLI_VERSION);
}

static void anything_else_is_refused_wherever_it_stands(void **state)
{
    (void)state;
    fm_cli_request req;
    fm_error err;
    char *unknown[] = {"famins-x", "--verbose", NULL};
    assert_int_equal(parse(2, unknown, &req, &err), FM_EINVAL);
    assert_int_equal(req, (fm_cli_request)-1); /* not written on failure */
    assert_string_equal(err.text, "unknown option '--verbose'");
    assert_string_equal(err.code, "USAGE");
    char *after_help[] = {"famins-x", "--help", "-x", NULL};
    assert_int_equal(parse(3, after_help, &req, &err), FM_EINVAL);
    assert_string_equal(err.text, "unknown option '-x'");
    char *stray[] = {"famins-x", "--version", "config.env", NULL};
    assert_int_equal(parse(3, stray, &req, &err), FM_EINVAL);
    assert_string_equal(err.text, "unexpected argument 'config.env'");
    char *dash[] = {"famins-x", "-", NULL}; /* stdin is no argument of these programs either */
    assert_int_equal(parse(2, dash, &req, &err), FM_EINVAL);
    assert_string_equal(err.text, "unexpected argument '-'");
    char *attached[] = {"famins-x", "--help=yes", NULL};
    assert_int_equal(parse(2, attached, &req, &err), FM_EINVAL);
    char *empty[] = {"famins-x", "", NULL};
    assert_int_equal(parse(2, empty, &req, &err), FM_EINVAL);
    assert_string_equal(err.text, "unexpected argument ''");
}

/* A pasted blob is echoed only in part: the error line stays one short line. */
static void a_long_argument_is_cut_in_the_error(void **state)
{
    (void)state;
    char big[1000];
    memset(big, 'a', sizeof big - 1);
    big[0] = '-';
    big[1] = '-';
    big[sizeof big - 1] = '\0';
    char *argv[] = {"famins-x", big, NULL};
    fm_cli_request req;
    fm_error err;
    assert_int_equal(parse(2, argv, &req, &err), FM_EINVAL);
    assert_true(strlen(err.text) < 100);
    assert_non_null(strstr(err.text, "unknown option '--aaaa"));
}

static void version_and_usage_lines(void **state)
{
    (void)state;
    char buf[512];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    assert_non_null(f);
    fm_cli_print_version(f, "famins-x");
    fm_cli_print_usage_error(f, "famins-x", "unknown option '--y'");
    assert_int_equal(fclose(f), 0);
    char want[256];
    snprintf(want, sizeof want, "famins-x %s\nfamins-x: unknown option '--y'; see --help\n",
             fm_cli_version());
    assert_string_equal(buf, want);
    assert_true(strlen(fm_cli_version()) > 0);
    assert_null(strchr(fm_cli_version(), ' ')); /* one word: "famins-x VERSION" splits on the space */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nothing_runs_help_and_version_answer),
        cmocka_unit_test(anything_else_is_refused_wherever_it_stands),
        cmocka_unit_test(a_long_argument_is_cut_in_the_error),
        cmocka_unit_test(version_and_usage_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
