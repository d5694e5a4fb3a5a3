/* wg_places.c — loading the managing-unit population table and drawing units by population. */
#include "wg_places.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static int area_add(wg_places *p, const char *code)
{
    for (int i = 0; i < p->n_areas; i++)
        if (strcmp(p->areas[i], code) == 0)
            return i;
    if (p->n_areas >= WG_MAX_AREAS)
        return -1;
    snprintf(p->areas[p->n_areas], 7, "%s", code);
    return p->n_areas++;
}

static bool six_digits(const char *s)
{
    if (s == NULL || strlen(s) != 6)
        return false;
    for (int i = 0; i < 6; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* Reads an array of area codes into idx[], adding each to p->areas. */
static fm_status read_codes(wg_places *p, json_t *arr, int *idx, int *n, int max, const char *what,
                            fm_error *err)
{
    if (!json_is_array(arr)) {
        fm_error_set(err, what, "MISSING", "%s must be an array of 6-digit codes", what);
        return FM_EINVAL;
    }
    size_t i;
    json_t *v;
    *n = 0;
    json_array_foreach(arr, i, v)
    {
        const char *code = json_string_value(v);
        int k = six_digits(code) ? area_add(p, code) : -1;
        if (k < 0 || *n >= max) {
            fm_error_set(err, what, "BAD_CODE", "%s[%zu] is not a 6-digit code or there are too many", what,
                         i);
            return FM_EINVAL;
        }
        idx[(*n)++] = k;
    }
    return FM_OK;
}

fm_status wg_places_load(const char *path, wg_places *out, fm_error *err)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    fm_status st = FM_EINVAL;
    if (root == NULL) {
        fm_error_set(err, path, "UNREADABLE", "line %d: %s", jerr.line, jerr.text);
        return FM_EIO;
    }
    memset(out, 0, sizeof *out);
    json_t *units = json_object_get(root, "units");
    if (!json_is_array(units) || json_array_size(units) == 0 || json_array_size(units) > WG_MAX_UNITS) {
        fm_error_set(err, "units", "MISSING", "units must be an array of 1..%d units", WG_MAX_UNITS);
        goto fail;
    }
    size_t i;
    json_t *u;
    int64_t total = 0;
    json_array_foreach(units, i, u)
    {
        wg_unit *w = &out->units[i];
        const char *code = json_string_value(json_object_get(u, "code"));
        const char *name = json_string_value(json_object_get(u, "name_zh"));
        const char *kind = json_string_value(json_object_get(u, "kind"));
        json_t *pop = json_object_get(u, "population");
        json_t *rural = json_object_get(u, "rural_share");
        if (code == NULL || strlen(code) > 16 || name == NULL || kind == NULL || !json_is_integer(pop) ||
            json_integer_value(pop) <= 0 || json_integer_value(pop) > WG_MAX_UNIT_POPULATION ||
            !json_is_number(rural)) {
            fm_error_set(err, "units", "BAD_UNIT",
                         "unit %zu lacks code, name_zh, kind, population in 1..%d or rural_share", i,
                         WG_MAX_UNIT_POPULATION);
            goto fail;
        }
        snprintf(w->code, sizeof w->code, "%s", code);
        snprintf(w->name_zh, sizeof w->name_zh, "%s", name);
        snprintf(w->kind, sizeof w->kind, "%s", kind);
        w->population = json_integer_value(pop);
        w->rural_share = json_number_value(rural);
        if (read_codes(out, json_object_get(u, "id_area_codes"), w->area_idx, &w->n_areas, WG_MAX_UNIT_AREAS,
                       "units[].id_area_codes", err) != FM_OK ||
            w->n_areas == 0)
            goto fail;
        total += w->population;
        out->cumulative[i] = total;
        out->n_units++;
    }
    if (read_codes(out, json_object_get(root, "id_area_codes_old"), out->old_idx, &out->n_old, WG_MAX_AREAS,
                   "id_area_codes_old", err) != FM_OK ||
        read_codes(out, json_object_get(root, "id_area_codes_elsewhere"), out->elsewhere_idx,
                   &out->n_elsewhere, WG_MAX_AREAS, "id_area_codes_elsewhere", err) != FM_OK)
        goto fail;
    if (out->n_elsewhere == 0) {
        fm_error_set(err, "id_area_codes_elsewhere", "MISSING",
                     "at least one code from outside Xi'an is needed");
        goto fail;
    }
    st = FM_OK;
fail:
    json_decref(root);
    return st;
}

const wg_unit *wg_places_pick(const wg_places *p, wg_rng *r)
{
    int64_t total = p->cumulative[p->n_units - 1];
    int64_t x = wg_rng_range(r, 0, total - 1);
    int lo = 0, hi = p->n_units - 1;
    while (lo < hi) { /* first unit whose running sum exceeds x */
        int mid = (lo + hi) / 2;
        if (p->cumulative[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return &p->units[lo];
}
