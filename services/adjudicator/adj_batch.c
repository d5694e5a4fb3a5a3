/* adj_batch.c — one batch's facts, read once, and the overlay of what the batch decided so far, with its
 * rows. */
#include "adj_batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void free_stored_and_reviews(adj_batch *b)
{
    for (size_t i = 0; i < b->n_stored; i++)
        fm_claim_free(&b->stored[i].claim);
    b->n_stored = 0;
    for (size_t i = 0; i < b->n_reviews; i++) {
        adj_review_row *r = &b->reviews[i];
        free(r->claim_id);
        free(r->event_id);
        free(r->reviewer);
        free(r->note);
    }
    b->n_reviews = 0;
}

void adj_batch_reset(adj_batch *b)
{
    fm_map *maps[] = {&b->policies, &b->persons,  &b->usage,  &b->households,
                      &b->claims,   &b->invoices, &b->events, &b->deceased};
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++)
        fm_map_clear(maps[i]);
    free_stored_and_reviews(b);
    fm_copybuf *bufs[] = {&b->claim_rows, &b->bill_rows, &b->invoice_rows, &b->decision_rows,
                          &b->signal_rows};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        fm_copybuf_reset(bufs[i]);
}

void adj_batch_free(adj_batch *b)
{
    if (b == NULL)
        return;
    fm_map *maps[] = {&b->policies, &b->persons,  &b->usage,  &b->households,
                      &b->claims,   &b->invoices, &b->events, &b->deceased};
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++)
        fm_map_free(maps[i]);
    free_stored_and_reviews(b);
    free(b->stored);
    free(b->reviews);
    fm_copybuf *bufs[] = {&b->claim_rows, &b->bill_rows, &b->invoice_rows, &b->decision_rows,
                          &b->signal_rows};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        fm_copybuf_free(bufs[i]);
    memset(b, 0, sizeof *b);
}

fm_status adj_batch_add_stored(adj_batch *b, adj_stored_claim *c, long *index)
{
    if (b->n_stored == b->cap_stored) {
        size_t cap = b->cap_stored ? 2 * b->cap_stored : 16;
        adj_stored_claim *s = realloc(b->stored, cap * sizeof *s);
        if (s == NULL)
            return FM_ENOMEM;
        b->stored = s;
        b->cap_stored = cap;
    }
    b->stored[b->n_stored] = *c;
    memset(c, 0, sizeof *c);
    *index = (long)b->n_stored++;
    return FM_OK;
}

static char *dup_or_fail(const char *s, bool *failed)
{
    if (s == NULL)
        return NULL;
    char *d = strdup(s);
    *failed = *failed || d == NULL;
    return d;
}

fm_status adj_claim_clone_stored(const fm_claim *c, fm_claim *out)
{
    bool failed = false;
    memset(out, 0, sizeof *out);
    *out = *c;
    out->bills = NULL;
    out->injuries = NULL;
    out->n_bills = 0;
    out->n_injuries = 0;
    out->event_id = dup_or_fail(c->event_id, &failed);
    out->claim_id = dup_or_fail(c->claim_id, &failed);
    out->policy_number = dup_or_fail(c->policy_number, &failed);
    out->insured_id_number = dup_or_fail("", &failed);
    out->critical_illness_code = dup_or_fail(c->critical_illness_code, &failed);
    /* What the database keeps: at most FM_MAX_BILLS bills and FM_MAX_INJURIES injury grades. */
    size_t nb = c->n_bills < FM_MAX_BILLS ? c->n_bills : FM_MAX_BILLS;
    size_t ni = c->n_injuries < FM_MAX_INJURIES ? c->n_injuries : FM_MAX_INJURIES;
    if (nb > 0 && (out->bills = calloc(nb, sizeof *out->bills)) == NULL)
        failed = true;
    for (size_t i = 0; out->bills && i < nb; i++) {
        out->bills[i] = c->bills[i];
        out->bills[i].invoice_code = dup_or_fail(c->bills[i].invoice_code, &failed);
        out->bills[i].invoice_number = dup_or_fail(c->bills[i].invoice_number, &failed);
        out->n_bills = i + 1;
    }
    if (ni > 0 && (out->injuries = calloc(ni, sizeof *out->injuries)) == NULL)
        failed = true;
    for (size_t i = 0; out->injuries && i < ni; i++) {
        out->injuries[i].grade = c->injuries[i].grade;
        out->injuries[i].description = dup_or_fail("", &failed);
        out->n_injuries = i + 1;
    }
    if (failed) {
        fm_claim_free(out);
        return FM_ENOMEM;
    }
    return FM_OK;
}

fm_status adj_batch_add_review(adj_batch *b, const fm_review *r, const char *status_before,
                               const char *status_after, fm_fen payable_after, bool has_decision,
                               const char *ignored_reason)
{
    if (b->n_reviews == b->cap_reviews) {
        size_t cap = b->cap_reviews ? 2 * b->cap_reviews : 16;
        adj_review_row *s = realloc(b->reviews, cap * sizeof *s);
        if (s == NULL)
            return FM_ENOMEM;
        b->reviews = s;
        b->cap_reviews = cap;
    }
    bool failed = false;
    adj_review_row row = {.action = fm_review_action_name(r->action),
                          .has_amount = r->has_amount,
                          .amount = r->amount,
                          .payable_after = payable_after,
                          .has_decision = has_decision,
                          .ignored_reason = ignored_reason};
    row.claim_id = dup_or_fail(r->claim_id, &failed);
    row.event_id = dup_or_fail(r->event_id, &failed);
    row.reviewer = dup_or_fail(r->reviewer, &failed);
    row.note = dup_or_fail(r->note, &failed);
    snprintf(row.status_before, sizeof row.status_before, "%s", status_before);
    snprintf(row.status_after, sizeof row.status_after, "%s", status_after);
    if (failed) {
        free(row.claim_id);
        free(row.event_id);
        free(row.reviewer);
        free(row.note);
        return FM_ENOMEM;
    }
    b->reviews[b->n_reviews++] = row;
    return FM_OK;
}

const char *adj_usage_key(char *buf, size_t len, int plan_year, const char *person_key)
{
    snprintf(buf, len, "%d\x1f%s", plan_year, person_key);
    return buf;
}

fm_status adj_batch_set_deceased(adj_batch *b, const char *person_key, bool deceased)
{
    char *v = fm_map_put(&b->deceased, person_key, 1, NULL);
    if (v == NULL)
        return FM_ENOMEM;
    *v = deceased ? 1 : 0;
    return FM_OK;
}

bool adj_batch_is_deceased(const adj_batch *b, const char *person_key)
{
    const char *v = fm_map_get(&b->deceased, person_key);
    return v != NULL && *v == 1;
}
