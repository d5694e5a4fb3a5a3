/* fm_model.c — freeing the domain structs and the stable names of their enums. */
#include "fm_model.h"

#include <stdlib.h>
#include <string.h>

void fm_enrollment_free(fm_enrollment *e)
{
    if (e == NULL)
        return;
    free(e->event_id);
    free(e->household_id);
    free(e->managing_unit);
    free(e->only_child_certificate);
    free(e->applicant.id_number);
    free(e->applicant.name);
    free(e->consent.at);
    free(e->agent.agent_id);
    free(e->agent.name);
    for (size_t i = 0; i < e->n_members && e->members != NULL; i++) {
        free(e->members[i].id_number);
        free(e->members[i].name);
    }
    free(e->members);
    memset(e, 0, sizeof *e);
}

void fm_claim_free(fm_claim *c)
{
    if (c == NULL)
        return;
    free(c->event_id);
    free(c->claim_id);
    free(c->policy_number);
    free(c->insured_id_number);
    for (size_t i = 0; i < c->n_bills && c->bills != NULL; i++) {
        free(c->bills[i].invoice_code);
        free(c->bills[i].invoice_number);
    }
    free(c->bills);
    for (size_t i = 0; i < c->n_injuries && c->injuries != NULL; i++)
        free(c->injuries[i].description);
    free(c->injuries);
    free(c->critical_illness_code);
    memset(c, 0, sizeof *c);
}

void fm_review_free(fm_review *r)
{
    if (r == NULL)
        return;
    free(r->event_id);
    free(r->claim_id);
    free(r->policy_number);
    free(r->reviewer);
    free(r->note);
    memset(r, 0, sizeof *r);
}

/* One table per enum: the index is the value, so name and parse cannot disagree. */
static const char *const role_names[] = {"child", "parent", "guardian"};
static const char *const liability_names[] = {"death", "critical_illness", "accidental_disability",
                                              "accident_medical", "illness_hospital"};
static const char *const cause_names[] = {"accident", "illness"};
static const char *const channel_names[] = {"paper", "app", "agent_device"};
static const char *const document_names[] = {"claim_form",       "id_document",       "invoice",
                                             "medical_record",   "death_certificate", "disability_assessment",
                                             "diagnosis_report", "accident_report",   "household_register"};
static const char *const action_names[] = {"approve", "decline"};
static const char *const outcome_names[] = {"accepted", "rejected"};
static const char *const category_names[] = {"", "A", "B"};
static const char *const claim_outcome_names[] = {"approved", "partial", "declined", "pending_review"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *name_of(const char *const *names, size_t n, int v)
{
    return (v >= 0 && (size_t)v < n) ? names[v] : "?";
}

static int index_of(const char *const *names, size_t n, const char *s)
{
    if (s == NULL)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return (int)i;
    return -1;
}

#define NAME_AND_PARSE(fn, type, table)                                                                      \
    const char *fm_##fn##_name(type v)                                                                       \
    {                                                                                                        \
        return name_of(table, COUNT(table), (int)v);                                                         \
    }                                                                                                        \
    bool fm_##fn##_parse(const char *s, type *out)                                                           \
    {                                                                                                        \
        int i = index_of(table, COUNT(table), s);                                                            \
        if (i < 0)                                                                                           \
            return false;                                                                                    \
        *out = (type)i;                                                                                      \
        return true;                                                                                         \
    }

NAME_AND_PARSE(role, fm_role, role_names)
NAME_AND_PARSE(liability, fm_liability, liability_names)
NAME_AND_PARSE(cause, fm_cause, cause_names)
NAME_AND_PARSE(consent_channel, fm_consent_channel, channel_names)
NAME_AND_PARSE(document, fm_document, document_names)
NAME_AND_PARSE(review_action, fm_review_action, action_names)

const char *fm_enrollment_outcome_name(fm_enrollment_outcome v)
{
    return name_of(outcome_names, COUNT(outcome_names), (int)v);
}

const char *fm_category_name(fm_category v)
{
    return name_of(category_names, COUNT(category_names), (int)v);
}

const char *fm_claim_outcome_name(fm_claim_outcome v)
{
    return name_of(claim_outcome_names, COUNT(claim_outcome_names), (int)v);
}

bool fm_liability_is_medical(fm_liability v)
{
    return v == FM_LIAB_ACCIDENT_MEDICAL || v == FM_LIAB_ILLNESS_HOSPITAL;
}
