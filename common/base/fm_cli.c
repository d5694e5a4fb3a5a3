/* fm_cli.c — the command-line conventions every famins program shares (see fm_cli.h). */
#include "fm_cli.h"

#include <string.h>

#include "fm_version.h"

/* An argument is echoed in the error at most this long: enough to recognise a typo, never a pasted file. */
#define ARG_ECHO_MAX 64

const char *fm_cli_version(void)
{
    return FM_VERSION;
}

int fm_cli_is_version(const char *arg)
{
    return arg != NULL && (strcmp(arg, "--version") == 0 || strcmp(arg, "-V") == 0);
}

int fm_cli_is_help(const char *arg)
{
    return arg != NULL && (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0);
}

fm_status fm_cli_parse_bare(int argc, char *const argv[], fm_cli_request *out, fm_error *err)
{
    fm_cli_request req = FM_CLI_RUN;
    /* Every argument is checked before the first --help or --version is obeyed, so that a misspelt line never
     * passes for a good one because a known option came first. */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (fm_cli_is_help(a) || fm_cli_is_version(a)) {
            if (req == FM_CLI_RUN)
                req = fm_cli_is_help(a) ? FM_CLI_HELP : FM_CLI_VERSION;
        } else if (a[0] == '-' && a[1] != '\0') {
            fm_error_set(err, "", "USAGE", "unknown option '%.*s'", ARG_ECHO_MAX, a);
            return FM_EINVAL;
        } else {
            fm_error_set(err, "", "USAGE", "unexpected argument '%.*s'", ARG_ECHO_MAX, a);
            return FM_EINVAL;
        }
    }
    *out = req;
    return FM_OK;
}

void fm_cli_print_version(FILE *out, const char *program)
{
    fprintf(out, "%s %s\n", program, FM_VERSION);
}

void fm_cli_print_usage_error(FILE *out, const char *program, const char *text)
{
    fprintf(out, "%s: %s; see --help\n", program, text);
}

int fm_cli_answer_bare(int argc, char *const argv[], const char *program, int *help, int *exit_code)
{
    fm_cli_request cli = FM_CLI_RUN;
    fm_error err = {0};
    *help = 0;
    if (fm_cli_parse_bare(argc, argv, &cli, &err) != FM_OK) {
        fm_cli_print_usage_error(stderr, program, err.text);
        *exit_code = FM_EXIT_USAGE;
        return 1;
    }
    if (cli == FM_CLI_VERSION) {
        fm_cli_print_version(stdout, program);
        *exit_code = FM_EXIT_OK;
        return 1;
    }
    *help = cli == FM_CLI_HELP;
    return 0;
}
