/* positions_itest.c — the compare-and-set of consumer positions against the real database: a zombie that
 * lost its partition cannot commit a batch that started from a stale position. Exit 0 when every check
 * holds; prints the failed check otherwise. Needs FAMINS_PG_DSN (a migrated database). */
#include <stdio.h>
#include <stdlib.h>

#include "fm_pg.h"
#include "fm_positions.h"

static int failures = 0;

#define CHECK(cond, what)                                                                                    \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            fprintf(stderr, "FAIL: %s (%s:%d)\n", what, __FILE__, __LINE__);                                 \
            failures++;                                                                                      \
        } else {                                                                                             \
            fprintf(stderr, "ok: %s\n", what);                                                               \
        }                                                                                                    \
    } while (0)

/* One batch's commit: BEGIN, compare-and-set, COMMIT (or ROLLBACK when refused). */
static fm_status commit_batch(PGconn *conn, const char *topic, int32_t partition, int64_t start, int64_t next)
{
    fm_error err = {0};
    if (fm_pg_exec(conn, "BEGIN", &err) != FM_OK)
        return FM_EDB;
    fm_position_move move = {topic, partition, start, next};
    fm_status st = fm_positions_cas_all(conn, "g-zombie", &move, 1, &err);
    fm_pg_exec(conn, st == FM_OK ? "COMMIT" : "ROLLBACK", &err);
    return st;
}

static int64_t stored(PGconn *conn, const char *topic, int32_t partition)
{
    fm_position_map map = {0};
    fm_error err = {0};
    fm_position_map_put(&map, topic, partition, FM_POSITION_NONE);
    int64_t value = -2;
    if (fm_positions_load(conn, "g-zombie", &map, &err) == FM_OK)
        value = map.items[0].committed;
    fm_position_map_free(&map);
    return value;
}

int main(void)
{
    const char *dsn = getenv("FAMINS_PG_DSN");
    fm_logger lg = {.level = FM_LOG_WARN, .out = stderr, .component = "positions-itest"};
    fm_backoff backoff = FM_BACKOFF_DEFAULT;
    fm_error err = {0};
    PGconn *owner = NULL, *zombie = NULL;
    if (dsn == NULL || fm_pg_connect(dsn, &backoff, NULL, &lg, &owner, &err) != FM_OK ||
        fm_pg_connect(dsn, &backoff, NULL, &lg, &zombie, &err) != FM_OK) {
        fprintf(stderr, "cannot connect: %s\n", err.text);
        return 2;
    }
    CHECK(stored(owner, "t", 0) == FM_POSITION_NONE, "a partition never committed has no stored position");
    CHECK(commit_batch(zombie, "t", 0, FM_POSITION_NONE, 10) == FM_OK, "the first batch inserts position 10");
    CHECK(stored(owner, "t", 0) == 10, "position 10 is stored");
    /* The partition moves to a new owner, which reads 10 and commits 10 -> 20. */
    CHECK(commit_batch(owner, "t", 0, 10, 20) == FM_OK, "the new owner moves 10 -> 20");
    /* The zombie wakes with a batch it started at 10. */
    CHECK(commit_batch(zombie, "t", 0, 10, 15) == FM_ECONFLICT, "the zombie's 10 -> 15 is refused");
    CHECK(stored(owner, "t", 0) == 20, "the refused commit left position 20");
    CHECK(commit_batch(zombie, "t", 0, FM_POSITION_NONE, 5) == FM_ECONFLICT,
          "a first-position insert where a row exists is refused");
    CHECK(stored(owner, "t", 0) == 20, "still 20");
    /* Both start a first batch on a fresh partition: only one insert wins. */
    fm_status a = commit_batch(owner, "t", 1, FM_POSITION_NONE, 7);
    fm_status b = commit_batch(zombie, "t", 1, FM_POSITION_NONE, 9);
    CHECK(a == FM_OK && b == FM_ECONFLICT, "of two first batches on one partition, only the first commits");
    CHECK(stored(owner, "t", 1) == 7, "the winner's position 7 is stored");
    /* A refused compare inside a batch rolls back the batch's other writes too. */
    fm_pg_exec(zombie, "CREATE TABLE IF NOT EXISTS famins.positions_itest (n int)", &err);
    fm_pg_exec(zombie, "BEGIN", &err);
    fm_pg_exec(zombie, "INSERT INTO famins.positions_itest VALUES (1)", &err);
    fm_position_move late = {"t", 0, 15, 30};
    fm_status st = fm_positions_cas_all(zombie, "g-zombie", &late, 1, &err);
    fm_pg_exec(zombie, "ROLLBACK", &err);
    PGresult *res = NULL;
    int rows = -1;
    if (fm_pg_query(owner, "SELECT count(*) FROM famins.positions_itest", 0, NULL, &res, &err) == FM_OK)
        rows = atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    CHECK(st == FM_ECONFLICT && rows == 0,
          "the zombie's batch writes are rolled back with its refused compare");
    /* A batch over several partitions moves them in one statement, all or none: partition 0 is at 20, 1 at 7,
     * 2 new. A zombie whose batch started partition 1 at 5 moves nothing; the owner's batch moves all three.
     */
    fm_position_move stale[3] = {{"t", 0, 20, 25}, {"t", 1, 5, 12}, {"t", 2, FM_POSITION_NONE, 3}};
    fm_pg_exec(zombie, "BEGIN", &err);
    st = fm_positions_cas_all(zombie, "g-zombie", stale, 3, &err);
    fm_pg_exec(zombie, "ROLLBACK", &err);
    CHECK(st == FM_ECONFLICT && stored(owner, "t", 0) == 20 && stored(owner, "t", 1) == 7 &&
              stored(owner, "t", 2) == FM_POSITION_NONE,
          "a multi-partition move with one stale partition is refused and moves none");
    fm_position_move fresh[3] = {{"t", 0, 20, 25}, {"t", 1, 7, 12}, {"t", 2, FM_POSITION_NONE, 3}};
    fm_pg_exec(owner, "BEGIN", &err);
    st = fm_positions_cas_all(owner, "g-zombie", fresh, 3, &err);
    fm_pg_exec(owner, st == FM_OK ? "COMMIT" : "ROLLBACK", &err);
    CHECK(st == FM_OK && stored(owner, "t", 0) == 25 && stored(owner, "t", 1) == 12 &&
              stored(owner, "t", 2) == 3,
          "the owner's multi-partition move (two updates and a first insert) moves all three");
    /* Offsets below the stored position are replays; offsets after it are accepted in order. */
    fm_position pos = {.committed = 20, .fetch_next = 20};
    CHECK(fm_position_accept(&pos, 19) == FM_POS_REPLAY, "offset 19 below position 20 is skipped");
    CHECK(fm_position_accept(&pos, 20) == FM_POS_ACCEPT && pos.fetch_next == 21, "offset 20 is accepted");
    PQfinish(owner);
    PQfinish(zombie);
    fprintf(stderr, "%s\n", failures ? "positions itest FAILED" : "positions itest passed");
    return failures ? 1 : 0;
}
