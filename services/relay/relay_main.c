/* relay_main.c — famins-relay: publishes the outbox to Kafka (see relay.h). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fm_cli.h"
#include "relay.h"
#include "relay_retention.h"

static volatile sig_atomic_t stop_requested = 0;

/* First signal: finish the round and leave. Second: leave now. */
static void on_signal(int sig)
{
    (void)sig;
    if (stop_requested)
        _exit(130);
    stop_requested = 1;
}

static const fm_setting relay_settings[] = {FM_COMMON_SETTINGS, RELAY_SETTINGS, RELAY_RETENTION_SETTINGS};
#define RELAY_SETTING_COUNT (sizeof relay_settings / sizeof relay_settings[0])

int main(int argc, char **argv)
{
    /* The command line first: --version or a typo must never read settings or connect. */
    int help = 0, cli_exit = FM_EXIT_OK;
    if (fm_cli_answer_bare(argc, argv, "famins-relay", &help, &cli_exit))
        return cli_exit;
    if (help) {
        printf(
            "Usage: famins-relay\n"
            "Publishes famins.outbox rows to Kafka in id order and marks them sent. Several relays may run;\n"
            "one holds the lease (a PostgreSQL advisory lock), the others wait to take over.\n"
            "Delivery is at-least-once: consumers deduplicate by the event_id header.\n\n");
        fm_settings_print_help(stdout, relay_settings, RELAY_SETTING_COUNT);
        return 0;
    }
    fm_error err = {0};
    fm_settings *settings = NULL;
    if (fm_settings_load(relay_settings, RELAY_SETTING_COUNT, NULL, NULL, &settings, &err) != FM_OK) {
        fprintf(stderr, "famins-relay: %s\n", err.text);
        return 2;
    }
    fm_logger logger;
    if (fm_logger_init(&logger, "relay", fm_settings_str(settings, "FAMINS_LOG_LEVEL"),
                       fm_settings_str(settings, "FAMINS_LOG_FORMAT"), stderr, &err) != FM_OK) {
        fprintf(stderr, "famins-relay: %s\n", err.text);
        fm_settings_free(settings);
        return 2;
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    fm_status st = relay_run(settings, &logger, &stop_requested, NULL, &err);
    if (st != FM_OK)
        fm_log(&logger, FM_LOG_ERROR, "relay_exit", "status=%s error=\"%s\"", fm_status_name(st), err.text);
    fm_settings_free(settings);
    return st == FM_OK ? 0 : 1;
}
