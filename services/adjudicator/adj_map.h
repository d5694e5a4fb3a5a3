/* adj_map.h — a string-keyed hash table owning its keys and values, for a batch's facts and overlay. */
#ifndef ADJ_MAP_H
#define ADJ_MAP_H

#include <stddef.h>

#include "fm_error.h"

/* Open addressing with linear probing. Zero-initialise ({0}) to start; adj_map_clear empties it (keeps the
 * slots), adj_map_free releases everything. Values are malloc'ed blocks the map owns (freed by clear/free). */
typedef struct adj_map {
    char **keys;
    void **values;
    size_t cap; /* power of two, or 0 */
    size_t n;
} adj_map;

/* The value stored under key, or NULL. */
void *adj_map_get(const adj_map *m, const char *key);

/* The value under key; when absent, a new zeroed block of size bytes is stored there first (*created set to
 * 1, else 0; created may be NULL). NULL only on allocation failure (the map is unchanged). */
void *adj_map_put(adj_map *m, const char *key, size_t size, int *created);

/* Calls fn(key, value, ctx) for every entry, in no particular order; stops at the first status not FM_OK. */
fm_status adj_map_each(const adj_map *m, fm_status (*fn)(const char *key, void *value, void *ctx), void *ctx);

void adj_map_clear(adj_map *m);
void adj_map_free(adj_map *m);

/* Joins two strings with the unit separator (0x1f) into buf: a composite key. Truncates to len. */
const char *adj_map_key2(char *buf, size_t len, const char *a, const char *b);

#endif
