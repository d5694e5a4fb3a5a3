/* elig_batch.c — the eligibility service's facts and rows per batch: one query in, one COPY per table out. */
#include "elig_batch.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fm_dates.h"
#include "fm_pgstmt.h"
#include "fm_reasons.h"

void elig_batch_begin(elig_batch *b)
{
    fm_map_clear(&b->known);
    b->n_ids = b->next_id = 0;
    b->n_events = b->next_event = 0;
    for (int t = 0; t < ELIG_TABLE_COUNT; t++)
        fm_copybuf_reset(&b->rows[t]);
}

void elig_batch_free(elig_batch *b)
{
    if (b == NULL)
        return;
    fm_map_free(&b->known);
    free(b->ids);
    free(b->events);
    free(b->people);
    for (int t = 0; t < ELIG_TABLE_COUNT; t++)
        fm_copybuf_free(&b->rows[t]);
    fm_copybuf_free(&b->scratch);
    for (size_t i = 0; i < sizeof b->params / sizeof b->params[0]; i++)
        fm_copybuf_free(&b->params[i]);
    memset(b, 0, sizeof *b);
}

/* The map's keys: kind, plan year, then the free-form part last, so no household id or event id can make
 * two keys collide. */
static void key_decided(char *buf, size_t len, const char *event_id)
{
    snprintf(buf, len, "D|%s", event_id);
}

static void key_policy(char *buf, size_t len, int plan_year, const char *household_id)
{
    snprintf(buf, len, "P|%d|%s", plan_year, household_id);
}

static void key_insured(char *buf, size_t len, int plan_year, const char *person_key)
{
    snprintf(buf, len, "I|%d|%s", plan_year, person_key);
}

/* Every branch probes a unique index (010_enrollment) once per value of the batch: LATERAL ... LIMIT keeps
 * the planner from hashing the whole table instead (a hash join costs in proportion to the table, so a wave
 * would slow down as it goes). A person's this year and last year are one descent of (person_key, plan_year)
 * (074_insured_person_first), the two rows side by side. Not prepared: each batch gets a plan for its own
 * arrays. */
static const char *const FACTS_SQL =
    "SELECT 'D', d.source_event_id, NULL::int, NULL::text FROM famins.enrollment_decisions d "
    " WHERE d.source_event_id = ANY ($1::text[]) "
    "UNION ALL "
    "SELECT 'P', q.h, q.y, p.policy_number FROM unnest($2::text[], $3::int[]) AS q(h, y) "
    " CROSS JOIN LATERAL (SELECT policy_number FROM famins.policies "
    "  WHERE household_id = q.h AND plan_year = q.y LIMIT 1) p "
    "UNION ALL "
    "SELECT 'I', q.k, ip.plan_year, ip.policy_number FROM unnest($4::text[], $5::int[]) AS q(k, y) "
    " CROSS JOIN LATERAL (SELECT plan_year, policy_number FROM famins.insured_persons "
    "  WHERE person_key = q.k AND plan_year BETWEEN q.y - 1 AND q.y LIMIT 2) ip "
    "UNION ALL "
    "SELECT 'N', NULL, NULL, nextval('famins.enrollment_decisions_decision_id_seq')::text "
    " FROM generate_series(1, $6::int)";

static fm_status add_param_item(fm_copybuf *p, const char *text)
{
    return fm_copybuf_array_item(p, text);
}

fm_status elig_batch_prepare(elig_batch *b, PGconn *conn, const fm_keyring *ring,
                             const fm_enrollment *const *events, size_t n, fm_error *err)
{
    fm_status st = FM_OK;
    PGresult *res = NULL;
    fm_copybuf *p = b->params;
    for (int i = 0; i < 6; i++)
        fm_copybuf_reset(&p[i]);
    if (n > b->events_cap) {
        const fm_enrollment **ev = realloc(b->events, n * sizeof *ev);
        if (ev != NULL)
            b->events = ev;
        elig_person(*people)[FM_MAX_MEMBERS] = realloc(b->people, n * sizeof *people);
        if (people != NULL)
            b->people = people;
        if (ev == NULL || people == NULL)
            return FM_ENOMEM;
        b->events_cap = n;
    }
    b->n_events = b->next_event = 0;
    for (size_t e = 0; e < n; e++) {
        const fm_enrollment *en = events[e];
        b->events[b->n_events] = en;
        elig_person *people = b->people[b->n_events++];
        if (en->event_id != NULL && (st = add_param_item(&p[0], en->event_id)) != FM_OK)
            return st;
        if (en->household_id != NULL && ((st = add_param_item(&p[1], en->household_id)) != FM_OK ||
                                         (st = fm_copybuf_array_int(&p[2], en->plan_year)) != FM_OK))
            return st;
        for (size_t m = 0; m < en->n_members && m < FM_MAX_MEMBERS; m++) {
            elig_person *person = &people[m];
            if ((st = elig_person_read(ring, en->members[m].id_number, en->submitted_on, person, err)) !=
                FM_OK)
                return FM_ECONFIG;
            if (!person->valid)
                continue;
            /* This plan year (insured elsewhere) and the year before (renewal), in one probe, under every
             * key of the ring: a person keyed before a rotation is found under the key they were stored with.
             */
            for (size_t k = 0; k <= person->n_previous; k++) {
                const char *pk = k == 0 ? person->key : person->previous[k - 1];
                if ((st = add_param_item(&p[3], pk)) != FM_OK ||
                    (st = fm_copybuf_array_int(&p[4], en->plan_year)) != FM_OK)
                    return st;
            }
        }
    }
    for (int i = 0; i < 5; i++)
        if ((st = fm_copybuf_array_close(&p[i])) != FM_OK)
            return st;
    if (n > b->ids_cap) {
        int64_t *ids = realloc(b->ids, n * sizeof *ids);
        if (ids == NULL)
            return FM_ENOMEM;
        b->ids = ids;
        b->ids_cap = n;
    }
    fm_pg_params q = {0};
    for (int i = 0; i < 5; i++)
        fm_pg_p_str(&q, p[i].data);
    fm_pg_p_i64(&q, (int64_t)n);
    st = fm_pg_run(conn, FACTS_SQL, &q, &res, err);
    fm_pg_params_free(&q);
    if (st != FM_OK)
        return st;
    char key[512];
    for (int r = 0; r < PQntuples(res) && st == FM_OK; r++) {
        const char *kind = PQgetvalue(res, r, 0), *name = PQgetvalue(res, r, 1),
                   *value = PQgetvalue(res, r, 3);
        int year = atoi(PQgetvalue(res, r, 2));
        switch (kind[0]) {
        case 'D':
            key_decided(key, sizeof key, name);
            st = fm_map_put_str(&b->known, key, "1");
            break;
        case 'P':
            key_policy(key, sizeof key, year, name);
            st = fm_map_put_str(&b->known, key, value);
            break;
        case 'I':
            key_insured(key, sizeof key, year, name);
            st = fm_map_put_str(&b->known, key, value);
            break;
        default:
            if (b->n_ids < n)
                b->ids[b->n_ids++] = strtoll(value, NULL, 10);
            break;
        }
    }
    PQclear(res);
    return st;
}

const elig_person *elig_batch_people(elig_batch *b, const fm_enrollment *e)
{
    for (size_t i = b->next_event; i < b->n_events; i++)
        if (b->events[i] == e) {
            b->next_event = i + 1;
            return b->people[i];
        }
    return NULL;
}

fm_status elig_batch_facts(const elig_batch *b, const fm_enrollment *e, const elig_person *people,
                           elig_facts *out, fm_error *err)
{
    memset(out, 0, sizeof *out);
    if (e->n_members > FM_MAX_MEMBERS) {
        fm_error_set(err, "members", "TOO_MANY", "an enrollment has at most %d members", FM_MAX_MEMBERS);
        return FM_EINVAL;
    }
    char key[512], own[FM_POLICY_NUMBER_LEN];
    /* An id too long for a policy number cannot hold one: every policy found is another household's. */
    if (fm_policy_number(e->plan_year, e->household_id, own, sizeof own) != FM_OK)
        own[0] = '\0';
    if (e->event_id != NULL) {
        key_decided(key, sizeof key, e->event_id);
        out->already_decided = fm_map_get(&b->known, key) != NULL;
    }
    key_policy(key, sizeof key, e->plan_year, e->household_id);
    out->facts.household_has_policy = fm_map_get(&b->known, key) != NULL;
    for (size_t i = 0; i < e->n_members; i++) {
        if (!people[i].valid)
            continue;
        /* Under any key of the ring: the current one (the batch's own rows too) or a previous one. */
        for (size_t k = 0; k <= people[i].n_previous; k++) {
            const char *pk = k == 0 ? people[i].key : people[i].previous[k - 1];
            key_insured(key, sizeof key, e->plan_year, pk);
            const char *policy = fm_map_get(&b->known, key);
            if (policy != NULL && strcmp(policy, own) != 0 && !out->facts.members[i].insured_elsewhere) {
                out->facts.members[i].insured_elsewhere = true;
                snprintf(out->elsewhere_policy[i], sizeof out->elsewhere_policy[i], "%s", policy);
            }
            key_insured(key, sizeof key, e->plan_year - 1, pk);
            if (fm_map_get(&b->known, key) != NULL)
                out->facts.members[i].insured_last_year = true;
        }
    }
    return FM_OK;
}

/* ---- rows ------------------------------------------------------------------------------------------ */

static fm_status put_int(fm_copybuf *row, int first, int64_t v)
{
    return fm_copybuf_int_field(row, first, v);
}

static fm_status put_bool(fm_copybuf *row, bool v)
{
    return fm_copybuf_text_field(row, 0, v ? "t" : "f");
}

static fm_status put_date(fm_copybuf *row, bool present, fm_date d)
{
    char text[16];
    if (!present)
        return fm_copybuf_text_field(row, 0, NULL);
    fm_date_format(d, text, sizeof text);
    return fm_copybuf_text_field(row, 0, text);
}

/* Reason codes as a text[] field. */
static fm_status put_reasons(elig_batch *b, fm_copybuf *row, const fm_reason *r, size_t n)
{
    fm_status st = FM_OK;
    fm_copybuf_reset(&b->scratch);
    for (size_t i = 0; i < n && st == FM_OK; i++)
        st = fm_copybuf_array_item(&b->scratch, fm_reason_id(r[i]));
    if (st == FM_OK)
        st = fm_copybuf_array_close(&b->scratch);
    return st == FM_OK ? fm_copybuf_text_field(row, 0, b->scratch.data) : st;
}

/* The fraud signal's detail: which members (by position and role) are insured under which policy. NULL when
 * no member was excluded as insured elsewhere. */
static const char *fraud_detail(char *buf, size_t len, const fm_enrollment *e, const elig_facts *facts,
                                const fm_enrollment_decision *d)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < e->n_members && used < len; i++) {
        bool named = false;
        for (size_t k = 0; k < d->members[i].n_reasons; k++)
            named = named || d->members[i].reasons[k] == FM_REASON_ALREADY_INSURED_ELSEWHERE;
        if (!named)
            continue;
        used += (size_t)snprintf(buf + used, len - used, "%smember %zu (%s) is insured under %s",
                                 used ? "; " : "", i, fm_role_name(e->members[i].role),
                                 facts->elsewhere_policy[i]);
    }
    return buf[0] ? buf : NULL;
}

static fm_status add_decision_row(elig_batch *b, int64_t id, const fm_enrollment *e,
                                  const fm_enrollment_decision *d, const fm_explanation *x,
                                  const elig_source *src)
{
    fm_copybuf *r = &b->rows[ELIG_TABLE_DECISIONS];
    bool accepted = d->outcome == FM_ENROLLMENT_ACCEPTED;
    fm_status st = FM_OK;
#define PUT(call)                                                                                            \
    if (st == FM_OK)                                                                                         \
    st = (call)
    PUT(put_int(r, 1, id));
    PUT(fm_copybuf_text_field(r, 0, e->event_id ? e->event_id : ""));
    PUT(fm_copybuf_text_field(r, 0, e->household_id));
    PUT(put_int(r, 0, e->plan_year));
    PUT(fm_copybuf_text_field(r, 0, e->managing_unit));
    PUT(put_date(r, true, e->submitted_on));
    PUT(fm_copybuf_text_field(r, 0, e->agent.agent_id)); /* NULL when the event has no agent */
    PUT(fm_copybuf_text_field(r, 0, fm_consent_channel_name(e->consent.channel)));
    PUT(fm_copybuf_text_field(r, 0, fm_enrollment_outcome_name(d->outcome)));
    PUT(fm_copybuf_text_field(r, 0, accepted ? fm_category_name(d->category) : NULL));
    PUT(put_reasons(b, r, d->reasons, d->n_reasons));
    PUT(put_reasons(b, r, d->notes, d->n_notes));
    PUT(put_reasons(b, r, d->applicant_reasons, d->n_applicant_reasons));
    PUT(put_int(r, 0, (int64_t)d->n_insured_children));
    PUT(put_int(r, 0, (int64_t)(d->n_insured - d->n_insured_children)));
    PUT(put_int(r, 0, d->premium));
    PUT(put_int(r, 0, d->subsidy));
    PUT(put_int(r, 0, d->self_paid));
    PUT(put_int(r, 0, d->subsidy_split.city));
    PUT(put_int(r, 0, d->subsidy_split.district_or_county));
    PUT(put_int(r, 0, d->subsidy_split.development_zone));
    PUT(fm_copybuf_text_field(r, 0, accepted ? d->policy_number : NULL));
    PUT(put_date(r, accepted, d->coverage_start));
    PUT(put_date(r, accepted, d->coverage_end));
    PUT(fm_copybuf_text_field(r, 0, d->plan_version));
    PUT(fm_copybuf_text_field(r, 0, x->en));
    PUT(fm_copybuf_text_field(r, 0, x->zh));
    PUT(fm_copybuf_text_field(r, 0, src->topic));
    PUT(put_int(r, 0, src->partition));
    PUT(put_int(r, 0, src->offset));
    PUT(fm_copybuf_end_row(r));
    return st;
}

static fm_status add_member_rows(elig_batch *b, int64_t id, const fm_enrollment *e, const elig_person *people,
                                 const fm_enrollment_decision *d)
{
    fm_copybuf *r = &b->rows[ELIG_TABLE_MEMBERS];
    fm_status st = FM_OK;
    for (size_t i = 0; i < e->n_members; i++) {
        const fm_member_decision *md = &d->members[i];
        PUT(put_int(r, 1, id));
        PUT(put_int(r, 0, (int64_t)i));
        PUT(fm_copybuf_text_field(r, 0, fm_role_name(e->members[i].role)));
        PUT(fm_copybuf_text_field(r, 0, people[i].valid ? people[i].key : NULL));
        PUT(fm_copybuf_text_field(r, 0, people[i].masked));
        PUT(put_bool(r, md->insured));
        PUT(put_bool(r, md->renewal));
        PUT(put_reasons(b, r, md->reasons, md->n_reasons));
        PUT(fm_copybuf_end_row(r));
    }
    return st;
}

/* The policy and its insured persons, recorded for the batch's later events too. */
static fm_status add_policy_rows(elig_batch *b, int64_t id, const fm_enrollment *e, const elig_person *people,
                                 const fm_enrollment_decision *d)
{
    fm_copybuf *r = &b->rows[ELIG_TABLE_POLICIES];
    fm_status st = FM_OK;
    char key[512];
    PUT(fm_copybuf_text_field(r, 1, d->policy_number));
    PUT(fm_copybuf_text_field(r, 0, e->household_id));
    PUT(put_int(r, 0, e->plan_year));
    PUT(fm_copybuf_text_field(r, 0, e->managing_unit));
    PUT(fm_copybuf_text_field(r, 0, fm_category_name(d->category)));
    PUT(put_int(r, 0, d->premium));
    PUT(put_int(r, 0, d->subsidy));
    PUT(put_int(r, 0, d->self_paid));
    PUT(put_date(r, true, d->coverage_start));
    PUT(put_date(r, true, d->coverage_end));
    PUT(fm_copybuf_text_field(r, 0, d->plan_version));
    PUT(put_int(r, 0, id));
    PUT(fm_copybuf_end_row(r));
    key_policy(key, sizeof key, e->plan_year, e->household_id);
    PUT(fm_map_put_str(&b->known, key, d->policy_number));
    r = &b->rows[ELIG_TABLE_INSURED];
    for (size_t i = 0; i < e->n_members; i++) {
        if (!d->members[i].insured || !people[i].valid)
            continue;
        PUT(fm_copybuf_text_field(r, 1, d->policy_number));
        PUT(put_int(r, 0, e->plan_year));
        PUT(fm_copybuf_text_field(r, 0, people[i].key));
        PUT(put_int(r, 0, (int64_t)i));
        PUT(fm_copybuf_text_field(r, 0, fm_role_name(e->members[i].role)));
        PUT(fm_copybuf_text_field(r, 0, people[i].masked));
        PUT(put_int(r, 0, elig_year_of(people[i].birth_date))); /* the year only: see fm_person.h */
        PUT(fm_copybuf_text_field(r, 0, elig_sex_code(people[i].sex)));
        PUT(put_bool(r, d->members[i].renewal));
        PUT(fm_copybuf_end_row(r));
        key_insured(key, sizeof key, e->plan_year, people[i].key);
        PUT(fm_map_put_str(&b->known, key, d->policy_number));
    }
    return st;
}

static fm_status add_signal_row(elig_batch *b, const fm_enrollment *e, const elig_facts *facts,
                                const fm_enrollment_decision *d)
{
    char detail[1024];
    if (fraud_detail(detail, sizeof detail, e, facts, d) == NULL)
        return FM_OK;
    fm_copybuf *r = &b->rows[ELIG_TABLE_SIGNALS];
    fm_status st = FM_OK;
    PUT(fm_copybuf_text_field(r, 1, "ALREADY_INSURED_ELSEWHERE"));
    PUT(fm_copybuf_text_field(r, 0, e->household_id));
    PUT(fm_copybuf_text_field(r, 0, d->outcome == FM_ENROLLMENT_ACCEPTED ? d->policy_number : NULL));
    PUT(put_int(r, 0, e->plan_year));
    PUT(fm_copybuf_text_field(r, 0, e->managing_unit));
    PUT(fm_copybuf_text_field(r, 0, detail));
    PUT(fm_copybuf_text_field(r, 0, e->event_id ? e->event_id : ""));
    PUT(fm_copybuf_end_row(r));
    return st;
#undef PUT
}

fm_status elig_batch_add(elig_batch *b, const fm_enrollment *e, const elig_person *people,
                         const elig_facts *facts, const fm_enrollment_decision *d,
                         const fm_explanation *explanation, const elig_source *src)
{
    /* prepare_batch reserved one id per event the runtime will apply (fm_worker.h). */
    assert(b->next_id < b->n_ids && "a decision id was reserved for every prepared event");
    /* A failed row leaves its buffers half-built: the caller fails the whole batch (FM_ENOMEM is fatal). */
    int64_t id = b->ids[b->next_id++];
    fm_status st = add_decision_row(b, id, e, d, explanation, src);
    if (st == FM_OK)
        st = add_member_rows(b, id, e, people, d);
    if (st == FM_OK && d->outcome == FM_ENROLLMENT_ACCEPTED)
        st = add_policy_rows(b, id, e, people, d);
    if (st == FM_OK)
        st = add_signal_row(b, e, facts, d);
    return st;
}

static const char *const COPY_SQL[ELIG_TABLE_COUNT] = {
    "COPY famins.enrollment_decisions (decision_id, source_event_id, household_id, plan_year, managing_unit,"
    " submitted_on, agent_id, consent_channel, outcome, category, reasons, notes, applicant_reasons,"
    " insured_children, insured_adults, premium, subsidy, self_paid, subsidy_city, subsidy_district,"
    " subsidy_zone, policy_number, coverage_start, coverage_end, plan_version, explanation_en, "
    "explanation_zh,"
    " source_topic, source_partition, source_offset) FROM STDIN",
    "COPY famins.enrollment_members (decision_id, member_index, role, person_key, masked_id, insured, "
    "renewal,"
    " reasons) FROM STDIN",
    "COPY famins.policies (policy_number, household_id, plan_year, managing_unit, category, premium, subsidy,"
    " self_paid, coverage_start, coverage_end, plan_version, decision_id) FROM STDIN",
    "COPY famins.insured_persons (policy_number, plan_year, person_key, member_index, role, masked_id,"
    " birth_year, sex, renewal) FROM STDIN",
    "COPY famins.fraud_signals (code, household_id, policy_number, plan_year, managing_unit, detail,"
    " source_event_id) FROM STDIN",
};

fm_status elig_batch_write(elig_batch *b, PGconn *conn, fm_error *err)
{
    /* A refused row comes back as FM_EDB with its SQLSTATE: the runtime tells data from transient errors. */
    for (int t = 0; t < ELIG_TABLE_COUNT; t++) {
        fm_status st = fm_copybuf_send(conn, COPY_SQL[t], &b->rows[t], err);
        if (st != FM_OK)
            return st;
    }
    return FM_OK;
}

fm_status elig_batch_flush(elig_batch *b, PGconn *conn, fm_error *err)
{
    fm_status st = elig_batch_write(b, conn, err);
    for (int t = 0; st == FM_OK && t < ELIG_TABLE_COUNT; t++)
        fm_copybuf_reset(&b->rows[t]);
    return st;
}

fm_status elig_batch_note_insured(elig_batch *b, int plan_year, const char *person_key,
                                  const char *policy_number)
{
    char key[512];
    key_insured(key, sizeof key, plan_year, person_key);
    return fm_map_put_str(&b->known, key, policy_number);
}
