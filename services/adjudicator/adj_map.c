/* adj_map.c — a string-keyed hash table owning its keys and values, for a batch's facts and overlay. */
#include "adj_map.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* The slot holding key, or the empty slot where it would go. m->cap > 0. */
static size_t slot_of(const adj_map *m, const char *key)
{
    size_t i = (size_t)hash(key) & (m->cap - 1);
    while (m->keys[i] != NULL && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

void *adj_map_get(const adj_map *m, const char *key)
{
    if (m->cap == 0)
        return NULL;
    size_t i = slot_of(m, key);
    return m->keys[i] ? m->values[i] : NULL;
}

/* Doubles the table (or makes the first one). The map is unchanged on failure. */
static int grow(adj_map *m)
{
    size_t cap = m->cap ? 2 * m->cap : 64;
    adj_map bigger = {.keys = calloc(cap, sizeof(char *)), .values = calloc(cap, sizeof(void *)), .cap = cap};
    if (bigger.keys == NULL || bigger.values == NULL) {
        free(bigger.keys);
        free(bigger.values);
        return -1;
    }
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i] != NULL) {
            size_t j = slot_of(&bigger, m->keys[i]);
            bigger.keys[j] = m->keys[i];
            bigger.values[j] = m->values[i];
            bigger.n++;
        }
    free(m->keys);
    free(m->values);
    *m = bigger;
    return 0;
}

void *adj_map_put(adj_map *m, const char *key, size_t size, int *created)
{
    if (created != NULL)
        *created = 0;
    if (m->cap > 0) {
        size_t i = slot_of(m, key);
        if (m->keys[i] != NULL)
            return m->values[i];
    }
    /* At most half full: probes stay short. */
    if (2 * (m->n + 1) > m->cap && grow(m) != 0)
        return NULL;
    size_t i = slot_of(m, key);
    char *k = strdup(key);
    void *v = calloc(1, size ? size : 1);
    if (k == NULL || v == NULL) {
        free(k);
        free(v);
        return NULL;
    }
    m->keys[i] = k;
    m->values[i] = v;
    m->n++;
    if (created != NULL)
        *created = 1;
    return v;
}

fm_status adj_map_each(const adj_map *m, fm_status (*fn)(const char *key, void *value, void *ctx), void *ctx)
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i] != NULL) {
            fm_status st = fn(m->keys[i], m->values[i], ctx);
            if (st != FM_OK)
                return st;
        }
    return FM_OK;
}

void adj_map_clear(adj_map *m)
{
    for (size_t i = 0; i < m->cap; i++) {
        free(m->keys[i]);
        free(m->values[i]);
        m->keys[i] = NULL;
        m->values[i] = NULL;
    }
    m->n = 0;
}

void adj_map_free(adj_map *m)
{
    adj_map_clear(m);
    free(m->keys);
    free(m->values);
    memset(m, 0, sizeof *m);
}

const char *adj_map_key2(char *buf, size_t len, const char *a, const char *b)
{
    snprintf(buf, len, "%s\x1f%s", a ? a : "", b ? b : "");
    return buf;
}
