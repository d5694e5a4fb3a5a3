/* fm_map.h — famins' string-keyed hash table (a batch's facts, overlay, known ids); owns keys and values. */
#ifndef FM_MAP_H
#define FM_MAP_H

#include <stddef.h>

#include "fm_error.h"

/* Open addressing with linear probing. Zero-initialise ({0}) to start; fm_map_clear empties it (keeps the
 * slots), fm_map_free releases everything. Values are malloc'ed blocks the map owns (freed by clear/free). */
typedef struct fm_map {
    char **keys;
    void **values;
    size_t cap; /* power of two, or 0 */
    size_t n;
} fm_map;

/* The value stored under key, or NULL. */
void *fm_map_get(const fm_map *m, const char *key);

/* The value under key; when absent, a new zeroed block of size bytes is stored there first (*created set to
 * 1, else 0; created may be NULL). NULL only on allocation failure (the map is unchanged). */
void *fm_map_put(fm_map *m, const char *key, size_t size, int *created);

/* fm_map_get and fm_map_put for the composite key (a, b) (NULL reads as ""): stored as the decimal length
 * of a, ':', a, then b, so no two pairs share a key whatever bytes they hold, and no part is ever cut
 * (lookups allocate nothing). fm_map_put2 returns NULL only on allocation failure (the map unchanged). */
void *fm_map_get2(const fm_map *m, const char *a, const char *b);
void *fm_map_put2(fm_map *m, const char *a, const char *b, size_t size, int *created);

/* Calls fn(key, value, ctx) for every entry, in no particular order; stops at the first status not FM_OK. */
fm_status fm_map_each(const fm_map *m, fm_status (*fn)(const char *key, void *value, void *ctx), void *ctx);

/* A string value: the value under key becomes a copy of value (replacing any earlier one). FM_ENOMEM leaves
 * the map as it was. Read it back with fm_map_get (a const char *). */
fm_status fm_map_put_str(fm_map *m, const char *key, const char *value);

/* How many entries m holds. */
size_t fm_map_count(const fm_map *m);

/* Makes room for n entries without growing on the way (keeps the entries). FM_ENOMEM leaves m as it was. */
fm_status fm_map_reserve(fm_map *m, size_t n);

void fm_map_clear(fm_map *m);
void fm_map_free(fm_map *m);

/* Writes the composite key of (a, b) into buf, as fm_map_put2 stores it, so fm_map_get(m, key) finds what
 * fm_map_put2(m, a, b) stored. Truncates to len: only for parts whose lengths are bounded well inside len
 * (a person key and a policy number famins issued); parts that may be long (text from a message) use
 * fm_map_get2/put2. */
const char *fm_map_key2(char *buf, size_t len, const char *a, const char *b);

#endif
