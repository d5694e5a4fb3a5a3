/* adj_config.h — the adjudicator's own settings: review threshold override, fraud-signal thresholds. */
#ifndef ADJ_CONFIG_H
#define ADJ_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "fm_error.h"
#include "fm_model.h"
#include "fm_settings.h"

/* The variables the adjudicator reads besides FM_COMMON_SETTINGS and FM_WORKER_SETTINGS. */
#define ADJ_SETTINGS                                                                                         \
    {"FAMINS_REVIEW_THRESHOLD_FEN",                                                                          \
     FM_SETTING_INT,                                                                                         \
     "-1",                                                                                                   \
     -1,                                                                                                     \
     INT64_MAX / 2,                                                                                          \
     "payable above this (fen) goes to manual review; -1: the plan year's review_threshold"},                \
        {"FAMINS_EARLY_CLAIM_DAYS",                                                                          \
         FM_SETTING_INT,                                                                                     \
         "30",                                                                                               \
         0,                                                                                                  \
         3660,                                                                                               \
         "fraud signal EARLY_CLAIM: incident within this many days of a new person's coverage start"},       \
    {                                                                                                        \
        "FAMINS_UNUSUAL_AMOUNT_FACTOR", FM_SETTING_STRING, "2", 0, 0,                                        \
            "fraud signal AMOUNT_UNUSUAL: billed above this factor x the person's medical limit (e.g. 2 or " \
            "1.5)"                                                                                           \
    }

/* The parsed values. Plain data. */
typedef struct adj_config {
    bool review_threshold_override; /* false: each plan year's own threshold */
    int64_t review_threshold;       /* fen, when overridden */
    int32_t early_claim_days;
    int32_t unusual_factor_bp; /* 20000 = 2.0 */
} adj_config;

/* The defaults above, without reading the environment. */
adj_config adj_config_default(void);

/* Parses a positive decimal factor with at most 4 decimals ("2", "1.5", "0.75") into basis points.
 * FM_EINVAL (code BAD_FACTOR) for anything else, zero, or above 10000.0. */
fm_status adj_factor_parse(const char *text, int32_t *bp_out, fm_error *err);

/* Reads ADJ_SETTINGS from loaded settings. FM_EINVAL with err naming the variable. */
fm_status adj_config_load(const fm_settings *settings, adj_config *out, fm_error *err);

#endif
