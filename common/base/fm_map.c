/* fm_map.c — famins' string-keyed hash table: open addressing, linear probing, FNV-1a, at most half full. */
#include "fm_map.h"

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
static size_t slot_of(const fm_map *m, const char *key)
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
static size_t slot_of2(const fm_map *m, const key2 *k)
{
    uint64_t h = fnv(fnv(fnv(FNV_BASIS, k->prefix, k->plen), k->a, k->alen), k->b, k->blen);
    size_t i = (size_t)h & (m->cap - 1);
    while (m->keys[i] != NULL && !key2_equal(m->keys[i], k))
        i = (i + 1) & (m->cap - 1);
    return i;
}

void *fm_map_get(const fm_map *m, const char *key)
{
    if (m->cap == 0)
        return NULL;
    size_t i = slot_of(m, key);
    return m->keys[i] ? m->values[i] : NULL;
}

/* Makes the table cap slots (a power of two above twice the entries). The map is unchanged on failure. */
static int resize(fm_map *m, size_t cap)
{
    fm_map bigger = {.keys = calloc(cap, sizeof(char *)), .values = calloc(cap, sizeof(void *)), .cap = cap};
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

/* Doubles the table (or makes the first one). */
static int grow(fm_map *m)
{
    return resize(m, m->cap ? 2 * m->cap : 64);
}

/* Stores the new entry k (owned: freed here on failure) in slot i of m, found free by the caller after any
 * growth. */
static void *store(fm_map *m, size_t i, char *k, size_t size, int *created)
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

void *fm_map_put(fm_map *m, const char *key, size_t size, int *created)
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

void *fm_map_get2(const fm_map *m, const char *a, const char *b)
{
    if (m->cap == 0)
        return NULL;
    key2 k;
    key2_init(&k, a, b);
    size_t i = slot_of2(m, &k);
    return m->keys[i] ? m->values[i] : NULL;
}

void *fm_map_put2(fm_map *m, const char *a, const char *b, size_t size, int *created)
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

fm_status fm_map_each(const fm_map *m, fm_status (*fn)(const char *key, void *value, void *ctx), void *ctx)
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i] != NULL) {
            fm_status st = fn(m->keys[i], m->values[i], ctx);
            if (st != FM_OK)
                return st;
        }
    return FM_OK;
}

fm_status fm_map_put_str(fm_map *m, const char *key, const char *value)
{
    size_t len = strlen(value) + 1;
    if (m->cap > 0) {
        size_t i = slot_of(m, key);
        if (m->keys[i] != NULL) {
            char *v = realloc(m->values[i], len);
            if (v == NULL)
                return FM_ENOMEM;
            memcpy(v, value, len);
            m->values[i] = v;
            return FM_OK;
        }
    }
    char *v = fm_map_put(m, key, len, NULL);
    if (v == NULL)
        return FM_ENOMEM;
    memcpy(v, value, len);
    return FM_OK;
}

size_t fm_map_count(const fm_map *m)
{
    return m->n;
}

fm_status fm_map_reserve(fm_map *m, size_t n)
{
    size_t cap = m->cap ? m->cap : 64;
    while (cap < 2 * n + 2)
        cap *= 2;
    return cap <= m->cap || resize(m, cap) == 0 ? FM_OK : FM_ENOMEM;
}

void fm_map_clear(fm_map *m)
{
    for (size_t i = 0; i < m->cap; i++) {
        free(m->keys[i]);
        free(m->values[i]);
        m->keys[i] = NULL;
        m->values[i] = NULL;
    }
    m->n = 0;
}

void fm_map_free(fm_map *m)
{
    fm_map_clear(m);
    free(m->keys);
    free(m->values);
    memset(m, 0, sizeof *m);
}

const char *fm_map_key2(char *buf, size_t len, const char *a, const char *b)
{
    a = a ? a : "";
    snprintf(buf, len, "%zu:%s%s", strlen(a), a, b ? b : "");
    return buf;
}
