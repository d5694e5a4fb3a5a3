/* fm_strmap.h — a string-to-string hash map for per-batch lookups (facts read once per batch, then consulted
 * and extended in memory). Cleared between batches without giving its memory back. */
#ifndef FM_STRMAP_H
#define FM_STRMAP_H

#include <stddef.h>

#include "fm_error.h"

typedef struct fm_strmap_slot {
    size_t key; /* offset of the key in the arena + 1; 0: empty slot */
    size_t value; /* offset of the value in the arena */
    size_t hash;
} fm_strmap_slot;

/* Zero-initialise ({0}); fm_strmap_free releases. Keys and values are copied into the map's arena. */
typedef struct fm_strmap {
    fm_strmap_slot *slots;
    size_t cap, used;
    char *arena;
    size_t arena_len, arena_cap;
} fm_strmap;

/* Sets key to value (replacing an earlier value). FM_ENOMEM leaves the map as it was. */
fm_status fm_strmap_put(fm_strmap *map, const char *key, const char *value);

/* The value of key, or NULL. Valid until the next put, clear or free. */
const char *fm_strmap_get(const fm_strmap *map, const char *key);

size_t fm_strmap_count(const fm_strmap *map);
void fm_strmap_clear(fm_strmap *map); /* empties, keeps the memory */
void fm_strmap_free(fm_strmap *map);

#endif
