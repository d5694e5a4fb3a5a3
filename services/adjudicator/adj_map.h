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

/* adj_map_get and adj_map_put for the composite key (a, b) (NULL reads as ""): stored as the decimal length
 * of a, ':', a, then b, so no two pairs share a key whatever bytes they hold, and no part is ever cut (lookups
 * allocate nothing). adj_map_put2 returns NULL only on allocation failure (the map unchanged). */
void *adj_map_get2(const adj_map *m, const char *a, const char *b);
void *adj_map_put2(adj_map *m, const char *a, const char *b, size_t size, int *created);

/* Calls fn(key, value, ctx) for every entry, in no particular order; stops at the first status not FM_OK. */
fm_status adj_map_each(const adj_map *m, fm_status (*fn)(const char *key, void *value, void *ctx), void *ctx);

void adj_map_clear(adj_map *m);
void adj_map_free(adj_map *m);

/* Writes the composite key of (a, b) into buf, as adj_map_put2 stores it, so adj_map_get(m, key) finds what
 * adj_map_put2(m, a, b) stored. Truncates to len: only for parts whose lengths are bounded well inside len
 * (a person key and a policy number famins issued); parts that may be long (text from a message) use
 * adj_map_get2/put2. */
const char *adj_map_key2(char *buf, size_t len, const char *a, const char *b);

#endif
