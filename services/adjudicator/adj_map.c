/* adj_map.c — a string-keyed hash table owning its keys and values, for a batch's facts and overlay. */
#include "adj_map.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FNV_BASIS 0xcbf29ce484222325ULL

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static uint64_t hash(const char *s)
{
    return fnv(FNV_BASIS, s, strlen(s));
}

/* The slot holding key, or the empty slot where it would go. m->cap > 0. */
static size_t slot_of(const adj_map *m, const char *key)
{
    size_t i = (size_t)hash(key) & (m->cap - 1);
    while (m->keys[i] != NULL && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

/* A composite key (a, b) without its string: the decimal length of a, ':', a, then b. Unlike a separator,
 * the length keeps every pair apart whatever bytes a and b hold (("A", "B\x1fC") and ("A\x1fB", "C") differ),
 * and nothing is cut: lookups hash and compare the three pieces in place. */
typedef struct key2 {
    char prefix[24];
    size_t plen;
    const char *a, *b;
    size_t alen, blen;
} key2;

static void key2_init(key2 *k, const char *a, const char *b)
{
    k->a = a ? a : "";
    k->b = b ? b : "";
    k->alen = strlen(k->a);
    k->blen = strlen(k->b);
    k->plen = (size_t)snprintf(k->prefix, sizeof k->prefix, "%zu:", k->alen);
}

static int key2_equal(const char *stored, const key2 *k)
{
    return strlen(stored) == k->plen + k->alen + k->blen && memcmp(stored, k->prefix, k->plen) == 0 &&
           memcmp(stored + k->plen, k->a, k->alen) == 0 &&
           memcmp(stored + k->plen + k->alen, k->b, k->blen) == 0;
}

/* slot_of for a composite key: hashes the same bytes as hash() of its string. */
static size_t slot_of2(const adj_map *m, const key2 *k)
{
    uint64_t h = fnv(fnv(fnv(FNV_BASIS, k->prefix, k->plen), k->a, k->alen), k->b, k->blen);
    size_t i = (size_t)h & (m->cap - 1);
    while (m->keys[i] != NULL && !key2_equal(m->keys[i], k))
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

/* Stores the new entry k (owned: freed here on failure) in slot i of m, found free by the caller after any
 * growth. */
static void *store(adj_map *m, size_t i, char *k, size_t size, int *created)
{
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
    return store(m, slot_of(m, key), strdup(key), size, created);
}

void *adj_map_get2(const adj_map *m, const char *a, const char *b)
{
    if (m->cap == 0)
        return NULL;
    key2 k;
    key2_init(&k, a, b);
    size_t i = slot_of2(m, &k);
    return m->keys[i] ? m->values[i] : NULL;
}

void *adj_map_put2(adj_map *m, const char *a, const char *b, size_t size, int *created)
{
    if (created != NULL)
        *created = 0;
    key2 k;
    key2_init(&k, a, b);
    if (m->cap > 0) {
        size_t i = slot_of2(m, &k);
        if (m->keys[i] != NULL)
            return m->values[i];
    }
    if (2 * (m->n + 1) > m->cap && grow(m) != 0)
        return NULL;
    char *text = malloc(k.plen + k.alen + k.blen + 1);
    if (text != NULL) {
        memcpy(text, k.prefix, k.plen);
        memcpy(text + k.plen, k.a, k.alen);
        memcpy(text + k.plen + k.alen, k.b, k.blen + 1);
    }
    return store(m, slot_of2(m, &k), text, size, created);
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
    a = a ? a : "";
    snprintf(buf, len, "%zu:%s%s", strlen(a), a, b ? b : "");
    return buf;
}
