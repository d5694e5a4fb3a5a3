/* fm_positions.h — consumer positions owned by PostgreSQL: the in-memory map of assigned partitions and
 * the compare-and-set that moves a stored position in the batch transaction. */
#ifndef FM_POSITIONS_H
#define FM_POSITIONS_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "fm_error.h"

/* No stored row yet: the partition starts at Kafka's earliest offset and the first commit INSERTs. */
#define FM_POSITION_NONE (-1)

/* One assigned partition. */
typedef struct fm_position {
    char *topic; /* owned */
    int32_t partition;
    int64_t committed;   /* stored next_offset, FM_POSITION_NONE when no row: the start of the next batch */
    int64_t fetch_next;  /* next offset expected from Kafka; messages below it are replays, skipped */
    int stopped;         /* an alarm stopped this partition: its messages are not consumed */
    int resync;          /* after a seek back: the next message must be at fetch_next (see below) */
    int resync_attempts; /* re-seeks that brought back the same offset beyond fetch_next */
    int64_t resync_offset;
} fm_position;

/* The assigned partitions. Zero-initialise; fm_position_map_free releases. */
typedef struct fm_position_map {
    fm_position *items;
    size_t count, cap;
} fm_position_map;

void fm_position_map_free(fm_position_map *map);
void fm_position_map_clear(fm_position_map *map);
/* NULL when not assigned. The pointer is valid until the map next changes size. */
fm_position *fm_position_map_find(const fm_position_map *map, const char *topic, int32_t partition);
/* Adds (or resets) an entry with committed = fetch_next = offset. FM_ENOMEM. */
fm_status fm_position_map_put(fm_position_map *map, const char *topic, int32_t partition, int64_t offset);
void fm_position_map_remove(fm_position_map *map, const char *topic, int32_t partition);

typedef enum fm_position_verdict {
    FM_POS_ACCEPT = 0, /* the next message to apply */
    FM_POS_REPLAY,     /* below what is already applied (a replay after a Kafka-side seek): skip */
    FM_POS_UNASSIGNED, /* not ours (any more): drop */
    FM_POS_STOPPED,    /* alarm: drop, do not consume */
    FM_POS_RESEEK      /* after a seek back, a message beyond the position: drop it and seek again */
} fm_position_verdict;

/* How many re-seeks must bring back the same first offset beyond the position before it counts as a gap. */
#define FM_POSITION_RESEEKS 3

/* What to do with a message at offset; on FM_POS_ACCEPT fetch_next moves to offset + 1. Offsets above
 * fetch_next are accepted: Kafka offsets may have gaps (transaction markers of other producers) — except
 * right after a seek back (resync set), where a message beyond the position may be left from before the
 * seek, or show that the seek did not happen: then FM_POS_RESEEK. Only when FM_POSITION_RESEEKS re-seeks
 * in a row bring back the same first offset is it a real gap in the log and accepted; a stream that goes
 * on where it was (a seek that did not happen) is never taken for one, so nothing is skipped silently. */
fm_position_verdict fm_position_accept(fm_position *pos, int64_t offset);

/* Reads the stored positions of every partition in map from famins.consumer_positions (one query) and sets
 * committed and fetch_next (FM_POSITION_NONE where there is no row). FM_EDB with err. */
fm_status fm_positions_load(PGconn *conn, const char *group, fm_position_map *map, fm_error *err);

/* One partition's move for fm_positions_cas_all. Strings borrowed. */
typedef struct fm_position_move {
    const char *topic;
    int32_t partition;
    int64_t start; /* FM_POSITION_NONE: no row yet */
    int64_t next;
} fm_position_move;

/* The compare-and-set of n partitions in one statement (one round trip per batch, not one per partition),
 * inside the caller's transaction: each move takes (group, topic, partition) from start to next, start
 * FM_POSITION_NONE meaning there must be no row yet (it INSERTs). Every move must succeed, else FM_ECONFLICT:
 * another member moved a position, this one is a zombie and must roll back (nothing is changed that the
 * caller's rollback does not undo). FM_EDB; FM_ENOMEM. */
fm_status fm_positions_cas_all(PGconn *conn, const char *group, const fm_position_move *moves, size_t n,
                               fm_error *err);

/* Whether the connected role may use group's rows of the runtime tables (migration 060: the group is bound to
 * it in famins.consumer_groups, or the role is exempt like a table owner). One query, at start-up: a worker
 * whose group is not its own would otherwise be refused at its first commit, and again at every retry.
 * FM_OK when it may; FM_ECONFIG when not (err names the group, the role and the command that binds them);
 * FM_EDB when the query fails. */
fm_status fm_positions_check_group(PGconn *conn, const char *group, fm_error *err);

/* Records an open alarm for a partition (at most one open per partition and kind), outside any batch.
 * FM_EDB. */
fm_status fm_positions_alarm(PGconn *conn, const char *group, const char *topic, int32_t partition,
                             const char *kind, int64_t stored, int64_t low, int64_t high, const char *detail,
                             fm_error *err);

#endif
