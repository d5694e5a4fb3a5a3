/* fm_canon.h — compact JSON exactly as jansson's json_dumps writes it, faster: straight into SHA-256 with
 * keys sorted (the content hash of every consumed event, without building the text), or as a text (the
 * encoders). */
#ifndef FM_CANON_H
#define FM_CANON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "fm_error.h"
#include "fm_sha256.h"

/* The SHA-256 of the bytes json_dumps(root, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY) writes — the
 * same bytes, byte for byte: keys ordered bytewise (shorter first on a common prefix), strings escaped as
 * jansson escapes them (\" \\ \b \f \n \r \t, other control characters \u00XX in uppercase hex, everything
 * else as is), integers in decimal. A tree this writer does not cover — a real number (no event schema has
 * one) or nesting deeper than FM_CANON_MAX_DEPTH — is hashed through json_dumps itself. FM_ENOMEM when memory
 * or libcrypto failed or json_dumps could not dump the tree. */
#define FM_CANON_MAX_DEPTH 64
fm_status fm_canon_sha256(const json_t *root, uint8_t out[FM_SHA256_LEN]);

/* *out = the text json_dumps(root, JSON_COMPACT | JSON_ENCODE_ANY, with JSON_SORT_KEYS when sort_keys)
 * writes, byte for byte (unsorted: keys in jansson's iteration order, as json_dumps), malloc'd: the caller
 * frees it. The same fallback to json_dumps. FM_ENOMEM (*out NULL). */
fm_status fm_canon_dumps(const json_t *root, bool sort_keys, char **out);

#endif
