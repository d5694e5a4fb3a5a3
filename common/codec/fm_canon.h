/* fm_canon.h — an event's canonical JSON (keys sorted, compact) written straight into SHA-256: the content
 * hash of every consumed event, without building the text. */
#ifndef FM_CANON_H
#define FM_CANON_H

#include <jansson.h>
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

#endif
