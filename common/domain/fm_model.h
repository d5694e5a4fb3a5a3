/* fm_model.h — the domain as the rules see it: enrollments, claims and reviews as plain C structs. */
#ifndef FM_MODEL_H
#define FM_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Ownership rule (the contract with the codec):
 *  - Every `char *` in fm_enrollment, fm_claim and fm_review is owned by the struct, allocated with
 *    malloc (strdup), NUL-terminated UTF-8, and freed by the matching fm_*_free(). A string that the
 *    event may omit or set to null is NULL here; every other string is non-NULL (possibly "").
 *  - Arrays are owned `T *items` + `size_t n_items`, malloc'ed, freed by fm_*_free(); n == 0 allows NULL.
 *  - fm_*_free() frees what the struct owns (not the struct itself, which is usually on the stack)
 *    and zeroes it, so calling it twice is harmless. A zero-initialised struct is valid to free.
 *  - The rules never keep a pointer into these structs after they return, and never modify them.
 *  - Decisions (fm_enrollment_decision, fm_claim_decision) own no heap memory: fixed-size arrays
 *    bounded by the FM_MAX_* limits below, which match the event schemas.
 */

/* A calendar date: days since 1970-01-01 in the proleptic Gregorian calendar (negative before). */
typedef int32_t fm_date;
/* Money in fen (1 yuan = 100 fen). Signed so that differences are plain; amounts in events are >= 0. */
typedef int64_t fm_fen;

/* Limits from the event schemas: a decide function given more returns FM_EINVAL. */
#define FM_MAX_MEMBERS 20
#define FM_MAX_BILLS 200
#define FM_MAX_INJURIES 20

/* Buffer sizes for text the event schemas limit. JSON Schema's maxLength counts code points, and UTF-8
 * spends up to 4 bytes on one: a field of n code points needs FM_UTF8_BYTES(n) bytes with its NUL, or a
 * schema-valid value (30 CJK characters are 90 bytes) would be cut, mid-character, and refused later.
 * FM_ASCII_BYTES(n) only for a field whose schema pattern admits ASCII alone. */
#define FM_UTF8_BYTES(n) (4 * (n) + 1)
#define FM_ASCII_BYTES(n) ((n) + 1)

typedef enum fm_role {
    FM_ROLE_CHILD = 0, /* first insured (第一被保险人) */
    FM_ROLE_PARENT,    /* second insured (第二被保险人) */
    FM_ROLE_GUARDIAN,  /* second insured (第二被保险人) */
    FM_ROLE_COUNT
} fm_role;

typedef enum fm_liability {
    FM_LIAB_DEATH = 0,             /* 意外身故或疾病身故 */
    FM_LIAB_CRITICAL_ILLNESS,      /* 重大疾病 */
    FM_LIAB_ACCIDENTAL_DISABILITY, /* 意外伤残 (children only) */
    FM_LIAB_ACCIDENT_MEDICAL,      /* 意外伤害医疗费 */
    FM_LIAB_ILLNESS_HOSPITAL,      /* 疾病住院医疗费 */
    FM_LIAB_COUNT
} fm_liability;

typedef enum fm_cause { FM_CAUSE_ACCIDENT = 0, FM_CAUSE_ILLNESS, FM_CAUSE_COUNT } fm_cause;

typedef enum fm_consent_channel {
    FM_CONSENT_PAPER = 0,
    FM_CONSENT_APP,
    FM_CONSENT_AGENT_DEVICE,
    FM_CONSENT_CHANNEL_COUNT
} fm_consent_channel;

/* Claim documents; a set of them is an fm_documents bitmask (1u << FM_DOC_...). */
typedef enum fm_document {
    FM_DOC_CLAIM_FORM = 0,
    FM_DOC_ID_DOCUMENT,
    FM_DOC_INVOICE,
    FM_DOC_MEDICAL_RECORD,
    FM_DOC_DEATH_CERTIFICATE,
    FM_DOC_DISABILITY_ASSESSMENT,
    FM_DOC_DIAGNOSIS_REPORT,
    FM_DOC_ACCIDENT_REPORT,
    FM_DOC_HOUSEHOLD_REGISTER,
    FM_DOC_COUNT
} fm_document;
typedef uint32_t fm_documents;
#define FM_DOC_BIT(d) ((fm_documents)1u << (unsigned)(d))

typedef enum fm_review_action {
    FM_REVIEW_APPROVE = 0,
    FM_REVIEW_DECLINE,
    FM_REVIEW_ACTION_COUNT
} fm_review_action;

typedef enum fm_enrollment_outcome {
    FM_ENROLLMENT_ACCEPTED = 0,
    FM_ENROLLMENT_REJECTED
} fm_enrollment_outcome;
typedef enum fm_category { FM_CATEGORY_NONE = 0, FM_CATEGORY_A, FM_CATEGORY_B } fm_category;
typedef enum fm_claim_outcome {
    FM_CLAIM_APPROVED = 0,
    FM_CLAIM_PARTIAL,
    FM_CLAIM_DECLINED,
    FM_CLAIM_PENDING_REVIEW
} fm_claim_outcome;

/* ---- enrollment.submitted ---- */

typedef struct fm_applicant {
    char *id_number;
    char *name;
    fm_role relation; /* FM_ROLE_PARENT or FM_ROLE_GUARDIAN */
} fm_applicant;

typedef struct fm_consent {
    bool given;
    char *at; /* RFC 3339 text as received; NULL when the event has null */
    fm_consent_channel channel;
} fm_consent;

typedef struct fm_agent {
    char *agent_id;
    char *name;
} fm_agent;

typedef struct fm_member {
    fm_role role;
    char *id_number;
    char *name;
    bool previously_insured;
} fm_member;

typedef struct fm_enrollment {
    char *event_id; /* envelope, kept for the decision's source_event_id; may be NULL */
    char *household_id;
    int plan_year;
    fm_date submitted_on;
    char *managing_unit;
    bool xian_registration;
    bool has_resident_since; /* false when resident_in_xian_since is null */
    fm_date resident_since;
    char *only_child_certificate; /* category_evidence.only_child_certificate; NULL when null */
    bool rural_two_daughter;      /* category_evidence.rural_two_daughter */
    fm_applicant applicant;
    fm_consent consent;
    fm_agent agent;
    fm_member *members;
    size_t n_members;
} fm_enrollment;

/* ---- claim.submitted ---- */

typedef struct fm_bill {
    char *invoice_code;
    char *invoice_number;
    fm_fen amount;
    fm_fen paid_by_social_insurance;
    fm_fen paid_by_other_insurers;
} fm_bill;

typedef struct fm_injury {
    char *description;
    int64_t grade; /* any integer: outside 1..10 is INVALID_GRADE */
} fm_injury;

typedef struct fm_claim {
    char *event_id; /* may be NULL */
    char *claim_id;
    char *policy_number;
    char *insured_id_number;
    fm_liability liability;
    fm_cause cause;
    fm_date incident_date;
    bool has_event_date; /* false when event_date is null */
    fm_date event_date;
    fm_date report_date;
    fm_bill *bills;
    size_t n_bills;
    fm_injury *injuries;
    size_t n_injuries;
    char *critical_illness_code; /* NULL when null */
    fm_documents documents;
} fm_claim;

/* ---- claim.reviewed ---- */

typedef struct fm_review {
    char *event_id; /* may be NULL */
    char *claim_id;
    char *policy_number;
    char *reviewer;
    fm_review_action action;
    bool has_amount; /* true for approve */
    fm_fen amount;
    char *note; /* NULL when absent */
} fm_review;

/* Free what the struct owns and zero it; NULL is allowed. Never fail. */
void fm_enrollment_free(fm_enrollment *e);
void fm_claim_free(fm_claim *c);
void fm_review_free(fm_review *r);

/* Stable names used in events ("child", "accident_medical", "agent_device", ...).
 * *_name returns the name, or "?" for an out-of-range value (never NULL).
 * *_parse returns true and sets *out when the name is known, false otherwise (out untouched). */
const char *fm_role_name(fm_role v);
bool fm_role_parse(const char *s, fm_role *out);
const char *fm_liability_name(fm_liability v);
bool fm_liability_parse(const char *s, fm_liability *out);
const char *fm_cause_name(fm_cause v);
bool fm_cause_parse(const char *s, fm_cause *out);
const char *fm_consent_channel_name(fm_consent_channel v);
bool fm_consent_channel_parse(const char *s, fm_consent_channel *out);
const char *fm_document_name(fm_document v);
bool fm_document_parse(const char *s, fm_document *out);
const char *fm_review_action_name(fm_review_action v);
bool fm_review_action_parse(const char *s, fm_review_action *out);
const char *fm_enrollment_outcome_name(fm_enrollment_outcome v); /* "accepted" | "rejected" */
const char *fm_category_name(fm_category v);                     /* "A" | "B" | "" */
const char *
fm_claim_outcome_name(fm_claim_outcome v); /* "approved" | "partial" | "declined" | "pending_review" */

/* True for accident_medical and illness_hospital (the bill-based liabilities). */
bool fm_liability_is_medical(fm_liability v);

#endif
