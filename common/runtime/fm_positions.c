/* fm_positions.c — consumer positions owned by PostgreSQL: the in-memory map of assigned partitions and
 * the compare-and-set that moves a stored position in the batch transaction. */
#include "fm_positions.h"

#include "fm_copybuf.h"

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
    if (pos->resync && pos->fetch_next != FM_POSITION_NONE && offset > pos->fetch_next) {
        if (offset != pos->resync_offset) {
            pos->resync_offset = offset;
            pos->resync_attempts = 0;
        }
        if (pos->resync_attempts < FM_POSITION_RESEEKS) {
            pos->resync_attempts++;
            return FM_POS_RESEEK;
        }
    }
    pos->resync = 0;
    pos->resync_attempts = 0;
    pos->resync_offset = FM_POSITION_NONE;
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
    int c_topic = PQfnumber(res, "topic"), c_part = PQfnumber(res, "partition"),
        c_next = PQfnumber(res, "next_offset");
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

/* UPDATE where a row exists (compare-and-set on next_offset), INSERT where none does (another member that got
 * there first makes it do nothing); the count of rows moved must be the count of partitions. */
static const char *const CAS_SQL =
    "WITH q AS (SELECT * FROM unnest($2::text[], $3::int[], $4::bigint[], $5::bigint[]) AS q(topic, part, "
    "start, next)),"
    " u AS (UPDATE famins.consumer_positions p SET next_offset = q.next, updated_at = now() FROM q"
    "  WHERE q.start >= 0 AND p.consumer_group = $1 AND p.topic = q.topic AND p.partition = q.part"
    "  AND p.next_offset = q.start RETURNING 1),"
    " i AS (INSERT INTO famins.consumer_positions (consumer_group, topic, partition, next_offset)"
    "  SELECT $1, q.topic, q.part, q.next FROM q WHERE q.start < 0 ON CONFLICT DO NOTHING RETURNING 1)"
    "SELECT (SELECT count(*) FROM u) + (SELECT count(*) FROM i)";

fm_status fm_positions_cas_all(PGconn *conn, const char *group, const fm_position_move *moves, size_t n,
                               fm_error *err)
{
    fm_copybuf arrays[4] = {{0}};
    fm_status st = FM_OK;
    PGresult *res = NULL;
    for (size_t i = 0; i < n && st == FM_OK; i++) {
        if ((st = fm_copybuf_array_item(&arrays[0], moves[i].topic)) == FM_OK &&
            (st = fm_copybuf_array_int(&arrays[1], moves[i].partition)) == FM_OK &&
            (st = fm_copybuf_array_int(&arrays[2], moves[i].start < 0 ? -1 : moves[i].start)) == FM_OK)
            st = fm_copybuf_array_int(&arrays[3], moves[i].next);
    }
    for (int a = 0; a < 4 && st == FM_OK; a++)
        st = fm_copybuf_array_close(&arrays[a]);
    if (st != FM_OK) {
        fm_error_set(err, "", "NO_MEMORY", "out of memory building the positions' compare-and-set");
        goto done;
    }
    const char *params[5] = {group, arrays[0].data, arrays[1].data, arrays[2].data, arrays[3].data};
    if ((st = fm_pg_query(conn, CAS_SQL, 5, params, &res, err)) != FM_OK)
        goto done;
    long moved = PQntuples(res) == 1 ? atol(PQgetvalue(res, 0, 0)) : -1;
    if (moved != (long)n) {
        fm_error_set(
            err, n == 1 ? moves[0].topic : "", "POSITION_CONFLICT",
            "%ld of %zu partitions were still where this batch started (another member moved the rest)",
            moved < 0 ? 0 : moved, n);
        st = FM_ECONFLICT;
    }
done:
    PQclear(res);
    for (int a = 0; a < 4; a++)
        fm_copybuf_free(&arrays[a]);
    return st;
}

fm_status fm_positions_check_group(PGconn *conn, const char *group, fm_error *err)
{
    const char *params[1] = {group};
    PGresult *res = NULL;
    fm_status st =
        fm_pg_query(conn,
                    "SELECT famins.runtime_unrestricted() OR EXISTS (SELECT 1 FROM famins.consumer_groups "
                    "WHERE consumer_group = $1 AND owner_role = current_user), current_user",
                    1, params, &res, err);
    if (st != FM_OK)
        return st;
    if (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
        const char *role = PQntuples(res) == 1 ? PQgetvalue(res, 0, 1) : "?";
        fm_error_set(err, "FAMINS_GROUP_ID", "GROUP_NOT_BOUND",
                     "consumer group \"%s\" is not bound to role %s, which may not use its positions: "
                     "famins-admin bind-group %s %s",
                     group, role, group, role);
        st = FM_ECONFIG;
    }
    PQclear(res);
    return st;
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
    fm_status st =
        fm_pg_query(conn,
                    "INSERT INTO famins.consumer_alarms (consumer_group, topic, partition, kind, "
                    "stored_offset, low_watermark, high_watermark, detail) "
                    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
                    "ON CONFLICT (consumer_group, topic, partition, kind) WHERE resolved_at IS NULL "
                    "DO NOTHING",
                    8, params, &res, err);
    PQclear(res);
    return st;
}
