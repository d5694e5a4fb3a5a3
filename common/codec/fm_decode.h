/* fm_decode.h — decoding famins' input events (JSON, schemas/events/) into the domain's structs. */
#ifndef FM_DECODE_H
#define FM_DECODE_H

#include "fm_error.h"
#include "fm_model.h"
#include "fm_plan.h"
#include "fm_sha256.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* The default message size limit (FAMINS_MAX_MESSAGE_BYTES in schemas/events/README.md). */
#define FM_CODEC_DEFAULT_MAX_BYTES 262144u
/* The only schema version of every event type today. */
#define FM_SCHEMA_VERSION 1

typedef enum fm_event_type {
    FM_EVENT_ENROLLMENT_SUBMITTED = 0,
    FM_EVENT_ENROLLMENT_DECIDED,
    FM_EVENT_SUBSIDY_ALLOCATED,
    FM_EVENT_CLAIM_SUBMITTED,
    FM_EVENT_CLAIM_REVIEWED,
    FM_EVENT_CLAIM_DECIDED,
    /* The claim's life after its first decision (issue 15), on claim.events unless said. */
    FM_EVENT_CLAIM_DOCUMENTS_ADDED,
    FM_EVENT_CLAIM_WITHDRAWN,
    FM_EVENT_CLAIM_APPEALED,
    FM_EVENT_CLAIM_APPEAL_REVIEWED,
    FM_EVENT_CLAIM_PAYMENT_RESULT,
    FM_EVENT_CLAIM_PAYEE_CORRECTED,
    FM_EVENT_CLAIM_PAYMENT_INSTRUCTED, /* output, on claim.payment */
    /* The policy's life after enrollment (issue 16), on enrollment.submitted (keyed by household). */
    FM_EVENT_POLICY_MEMBER_ADDED,
    FM_EVENT_POLICY_MEMBER_REMOVED,
    FM_EVENT_POLICY_CANCELLED,
    FM_EVENT_POLICY_PREMIUM_PAID,
    FM_EVENT_POLICY_PREMIUM_REFUNDED,
    FM_EVENT_POLICY_CHANGE_DECIDED, /* output, on enrollment.decided */
    FM_EVENT_SUBSIDY_REVERSED,      /* output, on subsidy.allocated */
    FM_EVENT_TYPE_COUNT
} fm_event_type;

/* "enrollment.submitted", ...; "?" for an out-of-range value, never NULL. */
const char *fm_event_type_name(fm_event_type t);

/* The envelope of any event. Fixed-size: owns no heap memory. */
typedef struct fm_envelope {
    char event_id[FM_ASCII_BYTES(64)]; /* "" when it could not be read */
    fm_event_type type;
    char occurred_at[FM_ASCII_BYTES(40)];
    char producer[FM_UTF8_BYTES(64)];
    int64_t schema_version;
} fm_envelope;

/*
 * Reads and checks the envelope only (event_id, type, schema_version, occurred_at, producer), so that a
 * worker can route a message or dead-letter it. max_bytes is the size limit (0: FM_CODEC_DEFAULT_MAX_BYTES).
 * Returns FM_OK, or FM_EINVAL with err = path and code: TOO_LARGE, INVALID_JSON, INVALID_UTF8,
 * WRONG_TYPE (not an object), MISSING / WRONG_TYPE / UNKNOWN_TYPE at "type", UNKNOWN_SCHEMA_VERSION at
 * "schema_version", or a field error of event_id, occurred_at, producer; FM_ENOMEM.
 * Exception to the out-parameter rule: on FM_EINVAL, out->event_id holds the event id when it was a
 * valid one (else ""), for the dead letter's context; the rest of *out is unspecified.
 */
fm_status fm_decode_envelope(const char *buf, size_t len, size_t max_bytes, fm_envelope *out, fm_error *err);

/*
 * Decode one event of the named type, checking every rule of its schema (field error codes:
 * schemas/events/README.md). Another type in the message is WRONG_EVENT_TYPE at "type"; the size
 * limit is the caller's (fm_decode_envelope). On FM_OK *out is filled and owns its strings and
 * arrays (free with fm_enrollment_free / fm_claim_free / fm_review_free); on FM_EINVAL (err says
 * where and why) or FM_ENOMEM, *out is zeroed and owns nothing. out->event_id is set.
 */
fm_status fm_decode_enrollment(const char *buf, size_t len, fm_enrollment *out, fm_error *err);
fm_status fm_decode_claim(const char *buf, size_t len, fm_claim *out, fm_error *err);
fm_status fm_decode_review(const char *buf, size_t len, fm_review *out, fm_error *err);

/* The part of an enrollment.decided event its consumers act on (the subsidy ledger, association
 * systems). Fixed-size: owns no heap memory; every text field holds its schema's longest value whole
 * (FM_UTF8_BYTES). */
typedef struct fm_enrollment_decided {
    char event_id[FM_ASCII_BYTES(64)];
    char source_event_id[FM_ASCII_BYTES(64)];
    char household_id[FM_ASCII_BYTES(32)];
    int plan_year;
    char managing_unit[FM_UTF8_BYTES(16)];
    fm_enrollment_outcome outcome;
    fm_category category;                   /* FM_CATEGORY_NONE when rejected */
    char policy_number[FM_ASCII_BYTES(48)]; /* "" when rejected; FJ<year>-<household_id> (ASCII) */
    size_t n_members;
    size_t n_insured; /* members with status insured */
    size_t n_reasons; /* entries of reasons[] */
    fm_fen premium;
    fm_fen subsidy;
    fm_fen self_paid;
    bool has_split; /* subsidy_split was an object (category A) */
    fm_subsidy_split split;
    bool has_coverage; /* coverage dates were given (accepted) */
    fm_date coverage_start;
    fm_date coverage_end;
    char plan_version[FM_UTF8_BYTES(64)]; /* "" when null */
} fm_enrollment_decided;

/*
 * Decodes an enrollment.decided event, checking every rule of its schema (same codes as the input
 * decoders). Reason codes need only the schema's form [A-Z][A-Z0-9_]* (BAD_FORMAT otherwise): a consumer
 * must survive a code added later. category, policy_number and the coverage dates are MUST_BE_NULL on a
 * rejection and MISSING when null on an acceptance; subsidy_split likewise for category A against the
 * rest. Beyond the schema: self_paid must equal premium - subsidy (INCONSISTENT at self_paid).
 * FM_OK with *out filled; FM_EINVAL with err; FM_ENOMEM.
 */
fm_status fm_decode_enrollment_decided(const char *buf, size_t len, fm_enrollment_decided *out,
                                       fm_error *err);

/*
 * The SHA-256 of the event's canonical JSON (keys sorted, compact, as jansson writes them with
 * JSON_SORT_KEYS | JSON_COMPACT): two messages with the same content but other spacing or key order
 * hash alike, which is what recognising an exact re-send of an event_id needs.
 * FM_EINVAL (INVALID_JSON / INVALID_UTF8) when buf is not JSON; FM_ENOMEM.
 */
fm_status fm_event_content_hash(const char *buf, size_t len, uint8_t out[FM_SHA256_LEN], fm_error *err);

/*
 * Parse once, check several times: a worker that needs the envelope (to route or dead-letter), the body and
 * the content hash of one message parses it with fm_decode_parse (the size limit, then JSON with duplicate
 * keys refused: TOO_LARGE, INVALID_JSON, INVALID_UTF8 as fm_decode_envelope) and passes the document to the
 * *_json forms of the functions above, which check and return exactly what the buffer forms do. The caller
 * owns the document (json_decref). Parsing is most of a decoder's cost, so this saves two parses of three.
 */
fm_status fm_decode_parse(const char *buf, size_t len, size_t max_bytes, json_t **out, fm_error *err);
fm_status fm_decode_envelope_json(const json_t *root, fm_envelope *out, fm_error *err);
fm_status fm_decode_enrollment_json(const json_t *root, fm_enrollment *out, fm_error *err);
fm_status fm_decode_claim_json(const json_t *root, fm_claim *out, fm_error *err);
fm_status fm_decode_review_json(const json_t *root, fm_review *out, fm_error *err);
fm_status fm_decode_enrollment_decided_json(const json_t *root, fm_enrollment_decided *out, fm_error *err);
fm_status fm_event_content_hash_json(const json_t *root, uint8_t out[FM_SHA256_LEN], fm_error *err);

#endif
