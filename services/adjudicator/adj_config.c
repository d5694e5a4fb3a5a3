/* adj_config.c — reading the adjudicator's own settings. */
#include "adj_config.h"

#include <ctype.h>
#include <string.h>

adj_config adj_config_default(void)
{
    return (adj_config){.review_threshold_override = false,
                        .review_threshold = 0,
                        .early_claim_days = 30,
                        .unusual_factor_bp = 20000};
}

fm_status adj_factor_parse(const char *text, int32_t *bp_out, fm_error *err)
{
    int64_t whole = 0, frac = 0;
    int frac_digits = 0, whole_digits = 0;
    const char *p = text;
    if (p == NULL)
        goto bad;
    for (; isdigit((unsigned char)*p); p++) {
        whole = whole * 10 + (*p - '0');
        if (++whole_digits > 5)
            goto bad;
    }
    if (*p == '.') {
        p++;
        for (; isdigit((unsigned char)*p); p++) {
            if (++frac_digits > 4)
                goto bad;
            frac = frac * 10 + (*p - '0');
        }
        if (frac_digits == 0)
            goto bad;
    }
    if (*p != '\0' || whole_digits == 0)
        goto bad;
    for (int i = frac_digits; i < 4; i++)
        frac *= 10;
    int64_t bp = whole * 10000 + frac;
    if (bp <= 0 || bp > (int64_t)10000 * 10000)
        goto bad;
    *bp_out = (int32_t)bp;
    return FM_OK;
bad:
    fm_error_set(err, "FAMINS_UNUSUAL_AMOUNT_FACTOR", "BAD_FACTOR",
                 "a factor is a positive decimal with at most 4 decimals, up to 10000 (e.g. 2 or 1.5)");
    return FM_EINVAL;
}

fm_status adj_config_load(const fm_settings *settings, adj_config *out, fm_error *err)
{
    adj_config c = adj_config_default();
    int64_t threshold = fm_settings_int(settings, "FAMINS_REVIEW_THRESHOLD_FEN");
    if (threshold >= 0) {
        c.review_threshold_override = true;
        c.review_threshold = threshold;
    }
    c.early_claim_days = (int32_t)fm_settings_int(settings, "FAMINS_EARLY_CLAIM_DAYS");
    fm_status st = adj_factor_parse(fm_settings_str(settings, "FAMINS_UNUSUAL_AMOUNT_FACTOR"),
                                    &c.unusual_factor_bp, err);
    if (st != FM_OK)
        return st;
    *out = c;
    return FM_OK;
}
