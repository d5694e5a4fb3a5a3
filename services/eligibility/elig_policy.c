/* elig_policy.c — policy changes after enrollment (issue 16): facts by statement, the pure rules, the rows.
 */
#include "elig_policy.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elig_apply.h"
#include "elig_people.h"
#include "fm_dates.h"
#include "fm_encode_policy.h"
#include "fm_intake.h"
#include "fm_pgstmt.h"
#include "fm_sha256.h"

bool elig_policy_is_change(const fm_event *event)
{
    return strncmp(event->type, "policy.", 7) == 0;
}

fm_status elig_policy_decode(const json_t *root, const fm_envelope *env, fm_event *out, fm_error *err)
{
    fm_policy_event *e = calloc(1, sizeof *e);
    if (e == NULL)
        return FM_ENOMEM;
    fm_status st = fm_decode_policy_event_json(root, e, err);
    if (st != FM_OK) {
        free(e);
        return st == FM_EINVAL ? fm_intake_dead(err, fm_intake_body_code(err)) : st;
    }
    uint8_t digest[FM_SHA256_LEN];
    if ((st = fm_event_content_hash_json(root, digest, err)) != FM_OK) {
        fm_policy_event_free(e);
        free(e);
        return st;
    }
    fm_sha256_to_hex(digest, out->content_hash);
    snprintf(out->event_id, sizeof out->event_id, "%s", env->event_id);
    snprintf(out->type, sizeof out->type, "%s", fm_event_type_name(env->type));
    out->decoded = e;
    return FM_OK;
}

void elig_policy_decoded_free(fm_event *event)
{
    if (event == NULL || event->decoded == NULL)
        return;
    fm_policy_event_free(event->decoded);
    free(event->decoded);
    event->decoded = NULL;
}

void elig_policy_result_free(elig_policy_result *r)
{
    if (r == NULL)
        return;
    free(r->payload);
    memset(r, 0, sizeof *r);
}

/* The policy of the household and year as it stands: as enrolled, moved by its changes (policy_status), its
 * children insured now, the premium paid, whether a claim was paid. */
static const char *const POLICY_SQL =
    "SELECT p.policy_number, p.managing_unit, coalesce(s.category, p.category) AS category,"
    " coalesce(s.premium, p.premium) AS premium, p.subsidy, coalesce(s.self_paid, p.self_paid) AS self_paid,"
    " coalesce(s.subsidy_reversed, 0) AS subsidy_reversed, s.cancelled_on,"
    " p.coverage_start, p.coverage_end, d.subsidy_city, d.subsidy_district, d.subsidy_zone,"
    " (SELECT count(*) FROM famins.insured_persons i LEFT JOIN famins.member_coverage m"
    "   ON m.policy_number = i.policy_number AND m.person_key = i.person_key"
    "  WHERE i.policy_number = p.policy_number AND i.role = 'child' AND NOT coalesce(m.removed, false))"
    "  AS n_children,"
    " (SELECT coalesce(bool_and(i.sex = 'F'), true) FROM famins.insured_persons i"
    "  LEFT JOIN famins.member_coverage m ON m.policy_number = i.policy_number AND m.person_key = "
    "i.person_key"
    "  WHERE i.policy_number = p.policy_number AND i.role = 'child' AND NOT coalesce(m.removed, false))"
    "  AS all_female,"
    " (SELECT max(i.member_index) FROM famins.insured_persons i WHERE i.policy_number = p.policy_number)"
    "  AS max_index,"
    " (SELECT count(*) FROM famins.policy_paid_claims c WHERE c.policy_number = p.policy_number) AS "
    "claim_paid,"
    " (SELECT coalesce(sum(q.amount) FILTER (WHERE q.kind = 'paid'), 0) FROM famins.premium_payments q"
    "  WHERE q.policy_number = p.policy_number) AS paid,"
    " (SELECT coalesce(sum(q.amount) FILTER (WHERE q.kind <> 'paid'), 0) FROM famins.premium_payments q"
    "  WHERE q.policy_number = p.policy_number) AS refunded,"
    " EXISTS (SELECT 1 FROM famins.policy_changes x WHERE x.source_event_id = $3) AS decided"
    " FROM famins.policies p JOIN famins.enrollment_decisions d ON d.decision_id = p.decision_id"
    " LEFT JOIN famins.policy_status s ON s.policy_number = p.policy_number"
    " WHERE p.household_id = $1 AND p.plan_year = $2";

/* Where a person (under any key of the ring) is insured this plan year, and whether they left. */
static const char *const PERSON_SQL =
    "SELECT i.policy_number, i.role, i.member_index, i.person_key, coalesce(m.removed, false) AS removed"
    " FROM famins.insured_persons i LEFT JOIN famins.member_coverage m"
    " ON m.policy_number = i.policy_number AND m.person_key = i.person_key"
    " WHERE i.plan_year = $1 AND i.person_key = ANY($2::text[])";

typedef struct policy_row {
    char number[FM_POLICY_NUMBER_LEN];
    char unit[64];
    int max_index;
    fm_policy_state st;
} policy_row;

static fm_status date_col(const PGresult *res, const char *name, bool *present, fm_date *out)
{
    if (fm_pg_col_null(res, 0, name)) {
        if (present)
            *present = false;
        return FM_OK;
    }
    if (present)
        *present = true;
    return fm_date_parse(fm_pg_col_str(res, 0, name), out, NULL);
}

static fm_status read_policy(PGconn *conn, const fm_policy_event *ev, policy_row *row, bool *decided,
                             fm_error *err)
{
    fm_pg_params p = {0};
    PGresult *res = NULL;
    memset(row, 0, sizeof *row);
    row->max_index = -1;
    *decided = false;
    fm_pg_p_str(&p, ev->household_id);
    fm_pg_p_i64(&p, ev->plan_year);
    fm_pg_p_str(&p, ev->event_id);
    fm_status st = fm_pg_run(conn, POLICY_SQL, &p, &res, err);
    fm_pg_params_free(&p);
    if (st != FM_OK)
        return st;
    if (PQntuples(res) == 1) {
        fm_policy_state *s = &row->st;
        s->exists = true;
        snprintf(row->number, sizeof row->number, "%s", fm_pg_col_str(res, 0, "policy_number"));
        snprintf(row->unit, sizeof row->unit, "%s", fm_pg_col_str(res, 0, "managing_unit"));
        s->category = fm_pg_col_str(res, 0, "category")[0] == 'A' ? FM_CATEGORY_A : FM_CATEGORY_B;
        s->premium = fm_pg_col_i64(res, 0, "premium");
        s->subsidy = fm_pg_col_i64(res, 0, "subsidy");
        s->self_paid = fm_pg_col_i64(res, 0, "self_paid");
        s->subsidy_reversed = fm_pg_col_i64(res, 0, "subsidy_reversed");
        s->split = (fm_subsidy_split){fm_pg_col_i64(res, 0, "subsidy_city"),
                                      fm_pg_col_i64(res, 0, "subsidy_district"),
                                      fm_pg_col_i64(res, 0, "subsidy_zone")};
        s->n_children = (int)fm_pg_col_i64(res, 0, "n_children");
        s->all_children_female = strcmp(fm_pg_col_str(res, 0, "all_female"), "t") == 0;
        /* The enrollment does not keep which evidence made the household A: two insured children can only
         * be a rural two-daughter household; one child is read as the only-child certificate (domain.md,
         * "Policy changes"). */
        s->a_basis = s->category != FM_CATEGORY_A ? FM_A_BASIS_NONE
                     : s->n_children >= 2         ? FM_A_BASIS_TWO_DAUGHTERS
                                                  : FM_A_BASIS_ONLY_CHILD;
        s->claim_paid = fm_pg_col_i64(res, 0, "claim_paid") > 0;
        s->premium_paid = fm_pg_col_i64(res, 0, "paid");
        s->premium_refunded = fm_pg_col_i64(res, 0, "refunded");
        row->max_index = fm_pg_col_null(res, 0, "max_index") ? -1 : (int)fm_pg_col_i64(res, 0, "max_index");
        if (date_col(res, "coverage_start", NULL, &s->coverage_start) != FM_OK ||
            date_col(res, "coverage_end", NULL, &s->coverage_end) != FM_OK ||
            date_col(res, "cancelled_on", &s->cancelled, &s->cancelled_on) != FM_OK) {
            fm_error_set(err, "policy", "BAD_DATE", "a policy date could not be read");
            st = FM_EDB;
        }
    }
    if (PQntuples(res) == 1)
        *decided = strcmp(fm_pg_col_str(res, 0, "decided"), "t") == 0;
    PQclear(res);
    return st;
}

typedef struct person_facts {
    bool in_policy; /* insured under this policy (removed or not) */
    bool current;   /* in_policy and not removed */
    bool elsewhere; /* insured under another policy this year */
    fm_role role;
    int member_index;
    char key[FM_PERSON_KEY_LEN]; /* the key the insured_persons row holds */
} person_facts;

static fm_status read_person(PGconn *conn, const fm_policy_event *ev, const elig_person *who,
                             const char *policy_number, person_facts *out, fm_error *err)
{
    memset(out, 0, sizeof *out);
    out->member_index = -1;
    if (!who->valid)
        return FM_OK;
    const char *keys[FM_KEYRING_MAX];
    size_t n = 0;
    keys[n++] = who->key;
    for (size_t i = 0; i < who->n_previous; i++)
        keys[n++] = who->previous[i];
    fm_pg_params p = {0};
    PGresult *res = NULL;
    fm_pg_p_i64(&p, ev->plan_year);
    fm_pg_p_text_array(&p, keys, n);
    fm_status st = fm_pg_run(conn, PERSON_SQL, &p, &res, err);
    fm_pg_params_free(&p);
    if (st != FM_OK)
        return st;
    for (int r = 0; r < PQntuples(res); r++) {
        if (strcmp(fm_pg_col_str(res, r, "policy_number"), policy_number) != 0) {
            out->elsewhere = true;
            continue;
        }
        out->in_policy = true;
        out->current = strcmp(fm_pg_col_str(res, r, "removed"), "t") != 0;
        out->member_index = (int)fm_pg_col_i64(res, r, "member_index");
        fm_role_parse(fm_pg_col_str(res, r, "role"), &out->role);
        snprintf(out->key, sizeof out->key, "%s", fm_pg_col_str(res, r, "person_key"));
    }
    PQclear(res);
    return FM_OK;
}

static void p_date(fm_pg_params *p, bool present, fm_date d)
{
    char buf[FM_DATE_TEXT_LEN];
    if (!present || fm_date_format(d, buf, sizeof buf) != FM_OK)
        fm_pg_p_str(p, NULL);
    else
        fm_pg_p_own(p, strdup(buf));
}

static const char *const CHANGE_SQL =
    "INSERT INTO famins.policy_changes (source_event_id, change, household_id, plan_year, policy_number,"
    " managing_unit, outcome, reasons, effective_on, category_before, category_after, person_key, masked_id,"
    " member_role, member_covered_from, member_covered_to, premium_after, premium_delta, refund,"
    " subsidy_reversal, reversal_reason, amount, reference, plan_version, explanation_en, explanation_zh,"
    " source_topic, source_partition, source_offset)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text[], $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,"
    " $20, $21, $22, $23, $24, $25, $26, $27, $28, $29) RETURNING change_id";

typedef struct change_ctx {
    const fm_policy_event *ev;
    const policy_row *pol;
    const fm_policy_change_decision *d;
    const elig_person *who; /* member changes: the person; NULL otherwise */
    const char *person_key; /* the key recorded */
    fm_role role;
    fm_reversal_reason reversal;
    const char *plan_version;
    const char *en, *zh;
    const elig_source *src;
} change_ctx;

static fm_status insert_change(PGconn *conn, const change_ctx *c, int64_t *change_id, fm_error *err)
{
    const fm_policy_change_decision *d = c->d;
    const char *reasons[FM_MAX_CHANGE_REASONS];
    for (size_t i = 0; i < d->n_reasons; i++)
        reasons[i] = fm_reason_id(d->reasons[i]);
    bool member = c->ev->kind == FM_CHANGE_MEMBER_ADDED || c->ev->kind == FM_CHANGE_MEMBER_REMOVED;
    bool money = c->ev->kind == FM_CHANGE_PREMIUM_PAID || c->ev->kind == FM_CHANGE_PREMIUM_REFUNDED;
    bool exists = c->pol->st.exists;
    fm_pg_params p = {0};
    fm_pg_p_str(&p, c->ev->event_id);
    fm_pg_p_str(&p, fm_change_kind_name(c->ev->kind));
    fm_pg_p_str(&p, c->ev->household_id);
    fm_pg_p_i64(&p, c->ev->plan_year);
    fm_pg_p_str(&p, exists ? c->pol->number : NULL);
    fm_pg_p_str(&p, c->pol->unit);
    fm_pg_p_str(&p, d->accepted ? "accepted" : "refused");
    fm_pg_p_text_array(&p, reasons, d->n_reasons);
    p_date(&p, true, c->ev->effective_on);
    fm_pg_p_str(&p, exists ? fm_category_name(c->pol->st.category) : NULL);
    fm_pg_p_str(&p, exists ? fm_category_name(d->category_after) : NULL);
    fm_pg_p_str(&p, member && c->person_key != NULL && c->person_key[0] ? c->person_key : NULL);
    fm_pg_p_str(&p, member && c->who != NULL ? c->who->masked : NULL);
    fm_pg_p_str(&p, member ? fm_role_name(c->role) : NULL);
    p_date(&p, d->accepted && c->ev->kind == FM_CHANGE_MEMBER_ADDED, d->member_covered_from);
    p_date(&p, d->accepted && member, d->member_covered_to);
    fm_pg_p_i64(&p, d->premium_after);
    fm_pg_p_i64(&p, d->premium_delta);
    fm_pg_p_i64(&p, d->refund);
    fm_pg_p_i64(&p, d->subsidy_reversal);
    fm_pg_p_str(&p, fm_reversal_reason_name(c->reversal));
    fm_pg_p_i64(&p, money ? c->ev->amount : 0);
    fm_pg_p_str(&p, money ? c->ev->reference : NULL);
    fm_pg_p_str(&p, c->plan_version);
    fm_pg_p_str(&p, c->en);
    fm_pg_p_str(&p, c->zh);
    fm_pg_p_str(&p, c->src->topic);
    fm_pg_p_i64(&p, c->src->partition);
    fm_pg_p_i64(&p, c->src->offset);
    PGresult *res = NULL;
    fm_status st = fm_pg_run(conn, CHANGE_SQL, &p, &res, err);
    fm_pg_params_free(&p);
    if (st == FM_OK)
        *change_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return st;
}

static fm_status run(PGconn *conn, const char *sql, fm_pg_params *p, fm_error *err)
{
    fm_status st = fm_pg_run(conn, sql, p, NULL, err);
    fm_pg_params_free(p);
    return st;
}

/* What an accepted change moves beside its decision row. */
static fm_status write_effects(elig_batch *b, PGconn *conn, const change_ctx *c, int64_t change_id,
                               fm_error *err)
{
    const fm_policy_change_decision *d = c->d;
    const policy_row *pol = c->pol;
    const fm_policy_event *ev = c->ev;
    fm_pg_params p = {0};
    fm_status st = FM_OK;
    if (ev->kind == FM_CHANGE_MEMBER_ADDED) {
        fm_pg_p_str(&p, pol->number);
        fm_pg_p_i64(&p, ev->plan_year);
        fm_pg_p_str(&p, c->who->key);
        fm_pg_p_i64(&p, pol->max_index + 1);
        fm_pg_p_str(&p, fm_role_name(ev->role));
        fm_pg_p_str(&p, c->who->masked);
        fm_pg_p_i64(&p, elig_year_of(c->who->birth_date));
        fm_pg_p_str(&p, elig_sex_code(c->who->sex));
        if ((st = run(
                 conn,
                 "INSERT INTO famins.insured_persons (policy_number, plan_year, person_key, member_index,"
                 " role, masked_id, birth_year, sex, renewal) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, false)",
                 &p, err)) != FM_OK)
            return st;
        fm_pg_p_str(&p, pol->number);
        fm_pg_p_str(&p, c->who->key);
        p_date(&p, true, d->member_covered_from);
        p_date(&p, true, d->member_covered_to);
        fm_pg_p_i64(&p, change_id);
        if ((st = run(
                 conn,
                 "INSERT INTO famins.member_coverage (policy_number, person_key, covered_from, covered_to,"
                 " change_id) VALUES ($1, $2, $3, $4, $5)",
                 &p, err)) != FM_OK)
            return st;
        if ((st = elig_batch_note_insured(b, ev->plan_year, c->who->key, pol->number)) != FM_OK) {
            fm_error_set(err, "", "NO_MEMORY", "out of memory");
            return st;
        }
    } else if (ev->kind == FM_CHANGE_MEMBER_REMOVED) {
        fm_pg_p_str(&p, pol->number);
        fm_pg_p_str(&p, c->person_key);
        p_date(&p, true, pol->st.coverage_start);
        p_date(&p, true, d->member_covered_to);
        fm_pg_p_i64(&p, change_id);
        if ((st = run(
                 conn,
                 "INSERT INTO famins.member_coverage AS m (policy_number, person_key, covered_from,"
                 " covered_to, removed, change_id) VALUES ($1, $2, $3, $4, true, $5)"
                 " ON CONFLICT (policy_number, person_key) DO UPDATE SET covered_to = excluded.covered_to,"
                 " removed = true, change_id = excluded.change_id",
                 &p, err)) != FM_OK)
            return st;
    }
    bool money = ev->kind == FM_CHANGE_PREMIUM_PAID || ev->kind == FM_CHANGE_PREMIUM_REFUNDED;
    if (money || (ev->kind == FM_CHANGE_CANCELLED && d->refund > 0)) {
        fm_pg_p_str(&p, ev->event_id);
        fm_pg_p_str(&p, pol->number);
        fm_pg_p_i64(&p, ev->plan_year);
        fm_pg_p_str(&p, pol->unit);
        fm_pg_p_str(&p, ev->kind == FM_CHANGE_PREMIUM_PAID       ? "paid"
                        : ev->kind == FM_CHANGE_PREMIUM_REFUNDED ? "refunded"
                                                                 : "cancellation_refund");
        fm_pg_p_i64(&p, money ? ev->amount : d->refund);
        p_date(&p, true, ev->effective_on);
        fm_pg_p_str(&p, money ? ev->reference : NULL);
        fm_pg_p_i64(&p, change_id);
        if ((st = run(conn,
                      "INSERT INTO famins.premium_payments (source_event_id, policy_number, plan_year,"
                      " managing_unit, kind, amount, paid_on, reference, change_id)"
                      " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                      &p, err)) != FM_OK)
            return st;
    }
    if (money)
        return FM_OK;
    /* The policy as it stands after the change. */
    bool cancelled = pol->st.cancelled || ev->kind == FM_CHANGE_CANCELLED;
    fm_pg_p_str(&p, pol->number);
    fm_pg_p_str(&p, fm_category_name(d->category_after));
    fm_pg_p_i64(&p, d->premium_after);
    fm_pg_p_i64(&p, pol->st.self_paid + d->self_paid_delta);
    fm_pg_p_i64(&p, pol->st.subsidy_reversed + d->subsidy_reversal);
    p_date(&p, cancelled, ev->kind == FM_CHANGE_CANCELLED ? ev->effective_on : pol->st.cancelled_on);
    fm_pg_p_i64(&p, change_id);
    return run(
        conn,
        "INSERT INTO famins.policy_status (policy_number, category, premium, self_paid, subsidy_reversed,"
        " cancelled_on, last_change_id) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        " ON CONFLICT (policy_number) DO UPDATE SET category = excluded.category,"
        " premium = excluded.premium, self_paid = excluded.self_paid,"
        " subsidy_reversed = excluded.subsidy_reversed, cancelled_on = excluded.cancelled_on,"
        " last_change_id = excluded.last_change_id",
        &p, err);
}

fm_status elig_policy_apply(elig_batch *b, PGconn *conn, const fm_plan_catalogue *cat, const fm_keyring *ring,
                            const fm_policy_event *ev, const elig_source *src, const char *occurred_at,
                            elig_policy_result *out, fm_error *err)
{
    memset(out, 0, sizeof *out);
    fm_status st = elig_batch_flush(b, conn, err);
    policy_row pol;
    bool decided = false;
    if (st != FM_OK || (st = read_policy(conn, ev, &pol, &decided, err)) != FM_OK)
        return st;
    if (decided) {
        fm_error_set(err, "", "DECIDED_ELSEWHERE", "the change was decided by another member");
        return FM_ECONFLICT;
    }
    const fm_plan *plan = fm_plan_for_year(cat, ev->plan_year);
    fm_policy_change ch = {.kind = ev->kind, .on = ev->effective_on, .amount = ev->amount};
    elig_person who;
    person_facts pf;
    memset(&who, 0, sizeof who);
    memset(&pf, 0, sizeof pf);
    bool member = ev->kind == FM_CHANGE_MEMBER_ADDED || ev->kind == FM_CHANGE_MEMBER_REMOVED;
    if (member) {
        /* Read as of the change date: a newborn's birth date is on or before it. */
        if ((st = elig_person_read(ring, ev->id_number, ev->effective_on, &who, err)) != FM_OK)
            return FM_ECONFIG;
        if (pol.st.exists && (st = read_person(conn, ev, &who, pol.number, &pf, err)) != FM_OK)
            return st;
        ch.role = ev->kind == FM_CHANGE_MEMBER_ADDED ? ev->role : pf.role;
        ch.id_valid = who.valid;
        ch.birth = who.birth_date;
        ch.female = who.valid && who.sex == FM_SEX_FEMALE;
        ch.already_member = ev->kind == FM_CHANGE_MEMBER_ADDED ? pf.in_policy : pf.current;
        ch.insured_elsewhere = pf.elsewhere;
        ch.member_covered_from = pol.st.coverage_start;
    }
    fm_policy_change_decision d;
    if (plan == NULL) {
        /* No plan for the year: no policy of it either (an enrollment would have been refused). */
        memset(&d, 0, sizeof d);
        d.reasons[d.n_reasons++] = FM_REASON_PLAN_YEAR_NOT_OFFERED;
        pol.st.exists = false;
    } else if ((st = fm_decide_policy_change(plan, &pol.st, &ch, &d, err)) != FM_OK) {
        return FM_EINVAL; /* the stored policy cannot be priced: a dead letter, not a stop */
    }
    const char *number = pol.st.exists ? pol.number : NULL;
    fm_policy_change_record rec = {.event = ev,
                                   .before = &pol.st,
                                   .decision = &d,
                                   .managing_unit = pol.unit,
                                   .policy_number = number,
                                   .plan_version = plan ? plan->version : NULL,
                                   .member_index = !member ? -1
                                                   : d.accepted && ev->kind == FM_CHANGE_MEMBER_ADDED
                                                       ? pol.max_index + 1
                                                       : pf.member_index};
    json_t *body = NULL;
    if ((st = fm_policy_change_json(&rec, false, &body)) != FM_OK)
        return st;
    json_t *expl = json_object_get(body, "explanation");
    change_ctx c = {.ev = ev,
                    .pol = &pol,
                    .d = &d,
                    .who = member ? &who : NULL,
                    .person_key = ev->kind == FM_CHANGE_MEMBER_REMOVED && pf.in_policy ? pf.key : who.key,
                    .role = ch.role,
                    .reversal = fm_policy_reversal_reason(&rec),
                    .plan_version = plan ? plan->version : NULL,
                    .en = json_string_value(json_object_get(expl, "en")),
                    .zh = json_string_value(json_object_get(expl, "zh")),
                    .src = src};
    int64_t change_id = 0;
    st = insert_change(conn, &c, &change_id, err);
    json_decref(body);
    if (st == FM_OK && d.accepted && pol.st.exists)
        st = write_effects(b, conn, &c, change_id, err);
    if (st == FM_OK && (st = elig_decided_event_id(ev->event_id, out->event_id)) == FM_OK)
        st = fm_encode_policy_change_decided(&rec, out->event_id, occurred_at, &out->payload);
    if (st != FM_OK)
        return st;
    out->accepted = d.accepted;
    out->first_reason = d.n_reasons ? d.reasons[0] : FM_REASON_NONE;
    out->subsidy_reversal = d.subsidy_reversal;
    return FM_OK;
}
