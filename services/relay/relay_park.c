/* relay_park.c — poison outbox rows: counted on each failure of their own, parked with an alarm at
 * FAMINS_RELAY_PARK_AFTER (famins.outbox_delivery_failed, migration 063). */
#include "relay_park.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fm_pg.h"

int relay_park_is_permanent(rd_kafka_resp_err_t err)
{
    switch (err) {
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_MSG:
    case RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR__BAD_MSG:
    case RD_KAFKA_RESP_ERR_POLICY_VIOLATION: return 1;
    default: return 0;
    }
}

fm_status relay_park_report(PGconn *conn, const relay_failed_row *row, int park_after, const fm_logger *lg,
                            int *parked, fm_error *err)
{
    if (parked != NULL)
        *parked = 0;
    if (row->id <= 0 || !row->permanent)
        return FM_OK;
    char id[24], after[16];
    snprintf(id, sizeof id, "%" PRId64, row->id);
    snprintf(after, sizeof after, "%d", park_after);
    const char *params[3] = {id, row->error, after};
    PGresult *res = NULL;
    fm_status st = fm_pg_query(conn, "SELECT famins.outbox_delivery_failed($1::bigint, $2, $3::int)", 3,
                               params, &res, err);
    if (st != FM_OK)
        return st;
    const char *outcome = PQgetvalue(res, 0, 0);
    if (strcmp(outcome, "parked") == 0) {
        fm_log(
            lg, FM_LOG_ERROR, "relay_row_parked",
            "outbox_id=%s attempts=%d error=\"%s\" action=\"famins-admin outbox parked; fix the cause, then "
            "outbox requeue or discard\"",
            id, park_after, row->error);
        if (parked != NULL)
            *parked = 1;
    } else {
        fm_log(lg, FM_LOG_WARN, "relay_row_failed", "outbox_id=%s outcome=%s park_after=%d error=\"%s\"", id,
               outcome, park_after, row->error);
    }
    PQclear(res);
    return FM_OK;
}
