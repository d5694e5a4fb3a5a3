/* relay_main.c — famins-relay: publishes the outbox to Kafka (see relay.h). */
#include <stddef.h>

#include "fm_service.h"
#include "relay.h"
#include "relay_retention.h"

/* RELAY_SETTINGS holds FAMINS_RELAY_PG_DSN, the relay's own connection string. */
static const fm_setting relay_settings[] = {FM_COMMON_SETTINGS, RELAY_SETTINGS, FM_METRICS_SETTINGS,
                                            RELAY_RETENTION_SETTINGS};

static const fm_service relay_service = {
    .name = "relay",
    .role = "famins_relay",
    .dsn_setting = "FAMINS_RELAY_PG_DSN",
    .usage =
        "Usage: famins-relay\n"
        "Publishes famins.outbox rows to Kafka in id order and marks them sent. Several relays may run;\n"
        "one holds the lease (a PostgreSQL advisory lock), the others wait to take over.\n"
        "Delivery is at-least-once: consumers deduplicate by the event_id header. Stops on SIGTERM/SIGINT\n"
        "after the round in hand (a second signal: at once).\n\n",
    .settings = relay_settings,
    .setting_count = sizeof relay_settings / sizeof relay_settings[0],
};

static fm_status run(void *arg, const fm_service_env *env, fm_error *err)
{
    (void)arg;
    return relay_run(env->settings, env->dsn, &env->logger, env->stop, NULL, err);
}

int main(int argc, char **argv)
{
    return fm_service_main(&relay_service, argc, argv, run, NULL);
}
