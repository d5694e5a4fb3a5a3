/* wg_claims.c — claims generation (in progress). */
#include "wg_claims.h"

#include <stdlib.h>

struct wg_claims {
    wg_claims_config cfg;
};

fm_status wg_claims_new(const wg_claims_config *cfg, wg_claims **out, fm_error *err)
{
    (void)err;
    wg_claims *g = calloc(1, sizeof *g);
    if (g == NULL)
        return FM_ENOMEM;
    g->cfg = *cfg;
    *out = g;
    return FM_OK;
}

void wg_claims_free(wg_claims *g)
{
    free(g);
}

fm_status wg_claims_policy(wg_claims *g, const char *line, size_t len, wg_emit_fn emit, void *arg,
                           fm_error *err)
{
    (void)g, (void)line, (void)len, (void)emit, (void)arg;
    fm_error_set(err, "claims", "NOT_IMPLEMENTED", "claims mode is not built yet");
    return FM_EINVAL;
}
