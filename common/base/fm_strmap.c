/* fm_strmap.c — open addressing with linear probing over an arena of NUL-terminated strings. */
#include "fm_strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* FNV-1a: the keys are short and made by us, so a simple hash spreads them well enough. */
static size_t hash_of(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        h = (h ^ *c) * 1099511628211ULL;
    return (size_t)h;
}

static const char *key_at(const fm_strmap *map, const fm_strmap_slot *slot)
{
    return map->arena + slot->key - 1;
}

/* The slot holding key, or the empty slot where it would go. cap is a power of two, never full. */
static fm_strmap_slot *find(const fm_strmap *map, const char *key, size_t hash)
{
    size_t mask = map->cap - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        fm_strmap_slot *slot = &map->slots[i];
        if (slot->key == 0 || (slot->hash == hash && strcmp(key_at(map, slot), key) == 0))
            return slot;
    }
}

static fm_status grow_slots(fm_strmap *map)
{
    size_t cap = map->cap ? map->cap * 2 : 64;
    fm_strmap_slot *slots = calloc(cap, sizeof *slots);
    if (slots == NULL)
        return FM_ENOMEM;
    fm_strmap old = *map;
    map->slots = slots;
    map->cap = cap;
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i].key != 0)
            *find(map, key_at(&old, &old.slots[i]), old.slots[i].hash) = old.slots[i];
    free(old.slots);
    return FM_OK;
}

/* Appends s (with its NUL) to the arena; *offset receives where. */
static fm_status arena_add(fm_strmap *map, const char *s, size_t *offset)
{
    size_t n = strlen(s) + 1;
    if (map->arena_len + n > map->arena_cap) {
        size_t cap = map->arena_cap ? map->arena_cap : 4096;
        while (cap < map->arena_len + n)
            cap *= 2;
        char *arena = realloc(map->arena, cap);
        if (arena == NULL)
            return FM_ENOMEM;
        map->arena = arena;
        map->arena_cap = cap;
    }
    memcpy(map->arena + map->arena_len, s, n);
    *offset = map->arena_len;
    map->arena_len += n;
    return FM_OK;
}

fm_status fm_strmap_put(fm_strmap *map, const char *key, const char *value)
{
    if ((map->used + 1) * 4 > map->cap * 3 && grow_slots(map) != FM_OK)
        return FM_ENOMEM;
    size_t hash = hash_of(key), value_at;
    fm_strmap_slot *slot = find(map, key, hash);
    if (arena_add(map, value, &value_at) != FM_OK)
        return FM_ENOMEM;
    if (slot->key == 0) {
        size_t key_at_offset;
        if (arena_add(map, key, &key_at_offset) != FM_OK)
            return FM_ENOMEM;
        slot->key = key_at_offset + 1;
        slot->hash = hash;
        map->used++;
    }
    slot->value = value_at;
    return FM_OK;
}

const char *fm_strmap_get(const fm_strmap *map, const char *key)
{
    if (map->cap == 0)
        return NULL;
    const fm_strmap_slot *slot = find(map, key, hash_of(key));
    return slot->key == 0 ? NULL : map->arena + slot->value;
}

size_t fm_strmap_count(const fm_strmap *map)
{
    return map->used;
}

void fm_strmap_clear(fm_strmap *map)
{
    if (map->slots != NULL)
        memset(map->slots, 0, map->cap * sizeof *map->slots);
    map->used = 0;
    map->arena_len = 0;
}

void fm_strmap_free(fm_strmap *map)
{
    free(map->slots);
    free(map->arena);
    memset(map, 0, sizeof *map);
}
