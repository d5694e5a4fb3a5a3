/* fm_positions.c — consumer positions owned by PostgreSQL: the in-memory map of assigned partitions and
 * the compare-and-set that moves a stored position in the batch transaction. */
#include "fm_positions.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fm_pg.h"

void fm_position_map_clear(fm_position_map *map)
{
    for (size_t i = 0; i < map->count; i++)
        free(map->items[i].topic);
    map->count = 0;
}

void fm_position_map_free(fm_position_map *map)
{
    fm_position_map_clear(map);
    free(map->items);
    *map = (fm_position_map){0};
}

fm_position *fm_position_map_find(const fm_position_map *map, const char *topic, int32_t partition)
{
    for (size_t i = 0; i < map->count; i++)
        if (map->items[i].partition == partition && strcmp(map->items[i].topic, topic) == 0)
            return &map->items[i];
    return NULL;
}

fm_status fm_position_map_put(fm_position_map *map, const char *topic, int32_t partition, int64_t offset)
{
    fm_position *pos = fm_position_map_find(map, topic, partition);
    if (pos == NULL) {
        if (map->count == map->cap) {
            size_t cap = map->cap ? map->cap * 2 : 16;
            fm_position *grown = realloc(map->items, cap * sizeof *grown);
            if (grown == NULL)
                return FM_ENOMEM;
            map->items = grown;
            map->cap = cap;
        }
        char *copy = strdup(topic);
        if (copy == NULL)
            return FM_ENOMEM;
        pos = &map->items[map->count++];
        *pos = (fm_position){.topic = copy, .partition = partition};
    }
    pos->committed = offset;
    pos->fetch_next = offset;
    pos->stopped = 0;
    pos->resync = 0;
    pos->resync_attempts = 0;
    return FM_OK;
}

void fm_position_map_remove(fm_position_map *map, const char *topic, int32_t partition)
{
    fm_position *pos = fm_position_map_find(map, topic, partition);
    if (pos == NULL)
        return;
    free(pos->topic);
    *pos = map->items[--map->count];
}

fm_position_verdict fm_position_accept(fm_position *pos, int64_t offset)
{
    if (pos == NULL)
        return FM_POS_UNASSIGNED;
    if (pos->stopped)
        return FM_POS_STOPPED;
    if (pos->fetch_next != FM_POSITION_NONE && offset < pos->fetch_next)
        return FM_POS_REPLAY;
    if (pos->resync && pos->fetch_next != FM_POSITION_NONE && offset > pos->fetch_next &&
        pos->resync_attempts < FM_POSITION_RESEEKS) {
        pos->resync_attempts++;
        return FM_POS_RESEEK;
    }
    pos->resync = 0;
    pos->resync_attempts = 0;
    pos->fetch_next = offset + 1;
    return FM_POS_ACCEPT;
}

fm_status fm_positions_load(PGconn *conn, const char *group, fm_position_map *map, fm_error *err)
{
    PGresult *res = NULL;
    const char *params[1] = {group};
    fm_status st = fm_pg_query(conn,
                               "SELECT topic, partition, next_offset FROM famins.consumer_positions "
                               "WHERE consumer_group = $1",
                               1, params, &res, err);
    if (st != FM_OK)
        return st;
    for (size_t i = 0; i < map->count; i++) {
        map->items[i].committed = FM_POSITION_NONE;
        map->items[i].fetch_next = FM_POSITION_NONE;
    }
    int c_topic = PQfnumber(res, "topic"), c_part = PQfnumber(res, "partition"), c_next = PQfnumber(res, "next_offset");
    for (int r = 0; r < PQntuples(res); r++) {
        fm_position *pos = fm_position_map_find(map, PQgetvalue(res, r, c_topic),
                                                (int32_t)strtol(PQgetvalue(res, r, c_part), NULL, 10));
        if (pos != NULL) {
            pos->committed = strtoll(PQgetvalue(res, r, c_next), NULL, 10);
            pos->fetch_next = pos->committed;
        }
    }
    PQclear(res);
    return FM_OK;
}

fm_status fm_positions_cas(PGconn *conn, const char *group, const char *topic, int32_t partition, int64_t start,
                           int64_t next, fm_error *err)
{
    char part[16], start_text[32], next_text[32];
    snprintf(part, sizeof part, "%" PRId32, partition);
    snprintf(start_text, sizeof start_text, "%" PRId64, start);
    snprintf(next_text, sizeof next_text, "%" PRId64, next);
    PGresult *res = NULL;
    fm_status st;
    if (start == FM_POSITION_NONE) {
        /* First position: another member that got there first makes the INSERT do nothing: 0 rows. */
        const char *params[4] = {group, topic, part, next_text};
        st = fm_pg_query(conn,
                         "INSERT INTO famins.consumer_positions (consumer_group, topic, partition, next_offset) "
                         "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                         4, params, &res, err);
    } else {
        const char *params[5] = {group, topic, part, next_text, start_text};
        st = fm_pg_query(conn,
                         "UPDATE famins.consumer_positions SET next_offset = $4, updated_at = now() "
                         "WHERE consumer_group = $1 AND topic = $2 AND partition = $3 AND next_offset = $5",
                         5, params, &res, err);
    }
    if (st != FM_OK)
        return st;
    int rows = atoi(PQcmdTuples(res));
    PQclear(res);
    if (rows != 1) {
        fm_error_set(err, topic, "POSITION_CONFLICT",
                     "partition %" PRId32 " is no longer at %" PRId64 " (another member moved it)", partition,
                     start);
        return FM_ECONFLICT;
    }
    return FM_OK;
}

fm_status fm_positions_alarm(PGconn *conn, const char *group, const char *topic, int32_t partition,
                             const char *kind, int64_t stored, int64_t low, int64_t high, const char *detail,
                             fm_error *err)
{
    char part[16], s[32], l[32], h[32];
    snprintf(part, sizeof part, "%" PRId32, partition);
    snprintf(s, sizeof s, "%" PRId64, stored);
    snprintf(l, sizeof l, "%" PRId64, low);
    snprintf(h, sizeof h, "%" PRId64, high);
    const char *params[8] = {group, topic, part, kind, s, l, h, detail};
    PGresult *res = NULL;
    fm_status st = fm_pg_query(conn,
                               "INSERT INTO famins.consumer_alarms (consumer_group, topic, partition, kind, "
                               "stored_offset, low_watermark, high_watermark, detail) "
                               "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
                               "ON CONFLICT (consumer_group, topic, partition, kind) WHERE resolved_at IS NULL "
                               "DO NOTHING",
                               8, params, &res, err);
    PQclear(res);
    return st;
}
