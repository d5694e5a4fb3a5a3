/* fm_cli.h — the command-line conventions every famins program shares: --help, --version, exit 2 on misuse.
 */
#ifndef FM_CLI_H
#define FM_CLI_H

#include <stdio.h>

#include "fm_error.h"

/* Exit codes of every famins program (a program may add its own above these, e.g. famins-admin's 3). */
enum { FM_EXIT_OK = 0, FM_EXIT_FAILED = 1, FM_EXIT_USAGE = 2 };

/* What the command line of a program without arguments asks for. */
typedef enum fm_cli_request {
    FM_CLI_RUN,     /* no arguments: start */
    FM_CLI_HELP,    /* --help or -h: the caller prints its usage and settings on stdout, exits 0 */
    FM_CLI_VERSION, /* --version or -V: the caller prints fm_cli_print_version, exits 0 */
} fm_cli_request;

/* The build's version (FM_VERSION of the generated fm_version.h); never NULL. */
const char *fm_cli_version(void);

/* Parses the arguments of a program that takes none but --help/-h and --version/-V (the first of them wins).
 * Anything else, anywhere on the line, is FM_EINVAL with err->text "unknown option '--x'" or
 * "unexpected argument 'x'" (code USAGE): checked before anything is read or connected. */
fm_status fm_cli_parse_bare(int argc, char *const argv[], fm_cli_request *out, fm_error *err);

/* The start of a program that takes no arguments: parses argv (fm_cli_parse_bare) and answers misuse (the
 * one-line usage error on stderr, *exit_code FM_EXIT_USAGE) and --version (on stdout, FM_EXIT_OK) itself.
 * Returns 1 when main should return *exit_code now, 0 when it goes on; *help then says whether --help was
 * asked (the caller prints its own usage and settings). */
int fm_cli_answer_bare(int argc, char *const argv[], const char *program, int *help, int *exit_code);

/* Prints "PROGRAM VERSION" and a newline to out. */
void fm_cli_print_version(FILE *out, const char *program);

/* Prints the one-line usage error "PROGRAM: TEXT; see --help" to out. */
void fm_cli_print_usage_error(FILE *out, const char *program, const char *text);

/* True when arg is --version or -V (for programs with their own option parser). */
int fm_cli_is_version(const char *arg);

/* True when arg is --help or -h. */
int fm_cli_is_help(const char *arg);

#endif
