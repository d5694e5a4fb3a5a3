/* test_decode_limits.c — every text field at its schema's maxLength in 3- and 4-byte characters is decoded
 * whole; one code point more is refused. maxLength counts code points, so a field may take 4 bytes each. */
#include "fm_decode.h"
#include "fm_test.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

typedef enum kind { ENVELOPE, ENROLLMENT, CLAIM, REVIEW, DECIDED } kind;

/* One decoded event of any kind. */
typedef struct decoded {
    fm_envelope env;
    fm_enrollment e;
    fm_claim c;
    fm_review r;
    fm_enrollment_decided d;
} decoded;

/* A field's value as the decoder kept it; NULL when the decoder checks it but keeps nothing. */
typedef const char *(*getter)(const decoded *x);

static const char *producer(const decoded *x)
{
    return x->env.producer;
}
static const char *e_unit(const decoded *x)
{
    return x->e.managing_unit;
}
static const char *e_certificate(const decoded *x)
{
    return x->e.only_child_certificate;
}
static const char *e_applicant_id(const decoded *x)
{
    return x->e.applicant.id_number;
}
static const char *e_applicant_name(const decoded *x)
{
    return x->e.applicant.name;
}
static const char *e_agent_id(const decoded *x)
{
    return x->e.agent.agent_id;
}
static const char *e_agent_name(const decoded *x)
{
    return x->e.agent.name;
}
static const char *e_member_id(const decoded *x)
{
    return x->e.members[0].id_number;
}
static const char *e_member_name(const decoded *x)
{
    return x->e.members[0].name;
}
static const char *c_policy(const decoded *x)
{
    return x->c.policy_number;
}
static const char *c_insured(const decoded *x)
{
    return x->c.insured_id_number;
}
static const char *c_code(const decoded *x)
{
    return x->c.bills[0].invoice_code;
}
static const char *c_number(const decoded *x)
{
    return x->c.bills[0].invoice_number;
}
static const char *c_injury(const decoded *x)
{
    return x->c.injuries[0].description;
}
static const char *c_ci_code(const decoded *x)
{
    return x->c.critical_illness_code;
}
static const char *r_policy(const decoded *x)
{
    return x->r.policy_number;
}
static const char *r_reviewer(const decoded *x)
{
    return x->r.reviewer;
}
static const char *r_note(const decoded *x)
{
    return x->r.note;
}
static const char *d_unit(const decoded *x)
{
    return x->d.managing_unit;
}
static const char *d_plan_version(const decoded *x)
{
    return x->d.plan_version;
}

typedef struct limit_case {
    kind kind;
    const char *example; /* under schemas/examples/ */
    const char *path;    /* "a.b", "a[0].b": where the decoder names the field */
    size_t max;          /* the schema's maxLength, in code points */
    getter get;
} limit_case;

#define ENR "enrollment.submitted/valid/01-a-only-child-with-parents.json"
#define CLM "claim.submitted/valid/38-accident-medical-simple.json"
#define REV "claim.reviewed/valid/approve.json"
#define DEC "enrollment.decided/valid/accepted-a.json"
#define INJ "claim.submitted/valid/25-disability-two-injuries-same-grade.json"
#define CI "claim.submitted/valid/31-child-severe-critical-illness.json"

/* Every string field of the input schemas and enrollment.decided that admits any character. */
static const limit_case CASES[] = {
    {ENVELOPE, REV, "producer", 64, producer},
    {ENROLLMENT, ENR, "managing_unit", 16, e_unit},
    {ENROLLMENT, ENR, "category_evidence.only_child_certificate", 64, e_certificate},
    {ENROLLMENT, ENR, "applicant.id_number", 32, e_applicant_id},
    {ENROLLMENT, ENR, "applicant.name", 64, e_applicant_name},
    {ENROLLMENT, ENR, "agent.agent_id", 32, e_agent_id},
    {ENROLLMENT, ENR, "agent.name", 64, e_agent_name},
    {ENROLLMENT, ENR, "members[0].id_number", 32, e_member_id},
    {ENROLLMENT, ENR, "members[0].name", 64, e_member_name},
    {CLAIM, CLM, "policy_number", 48, c_policy},
    {CLAIM, CLM, "insured_id_number", 32, c_insured},
    {CLAIM, CLM, "bills[0].invoice_code", 32, c_code},
    {CLAIM, CLM, "bills[0].invoice_number", 32, c_number},
    {CLAIM, INJ, "injuries[0].description", 200, c_injury},
    {CLAIM, CI, "critical_illness_code", 16, c_ci_code},
    {REVIEW, REV, "policy_number", 48, r_policy},
    {REVIEW, REV, "reviewer", 32, r_reviewer},
    {REVIEW, REV, "note", 500, r_note},
    {DECIDED, DEC, "managing_unit", 16, d_unit},
    {DECIDED, DEC, "plan_version", 64, d_plan_version},
    {DECIDED, DEC, "explanation.en", 1000, NULL},
    {DECIDED, DEC, "explanation.zh", 1000, NULL},
};

static json_t *load_example(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/schemas/examples/%s", FAMINS_SOURCE_DIR, name);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (root == NULL)
        fail_msg("%s: %s", path, jerr.text);
    return root;
}

/* Sets the string at path ("a.b", "a[0].b"), which must exist, to value. */
static void set_at(json_t *root, const char *path, const char *value)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *obj = root;
    char *save = NULL;
    char *part = strtok_r(buf, ".", &save);
    while (part != NULL) {
        char *next = strtok_r(NULL, ".", &save);
        char *bracket = strchr(part, '[');
        size_t index = 0;
        if (bracket != NULL) {
            index = (size_t)atoi(bracket + 1);
            *bracket = '\0';
        }
        if (next == NULL && bracket == NULL) {
            assert_non_null(json_object_get(obj, part));
            assert_int_equal(json_object_set_new(obj, part, json_string(value)), 0);
            return;
        }
        obj = json_object_get(obj, part);
        if (bracket != NULL)
            obj = json_array_get(obj, index);
        assert_true(json_is_object(obj));
        part = next;
    }
}

static fm_status decode(kind k, const char *json, decoded *x, fm_error *err)
{
    size_t n = strlen(json);
    switch (k) {
    case ENVELOPE: return fm_decode_envelope(json, n, 0, &x->env, err);
    case ENROLLMENT: return fm_decode_enrollment(json, n, &x->e, err);
    case CLAIM: return fm_decode_claim(json, n, &x->c, err);
    case REVIEW: return fm_decode_review(json, n, &x->r, err);
    case DECIDED: return fm_decode_enrollment_decided(json, n, &x->d, err);
    }
    return FM_EINVAL;
}

static void free_decoded(decoded *x)
{
    fm_enrollment_free(&x->e);
    fm_claim_free(&x->c);
    fm_review_free(&x->r);
}

/* n copies of the character ch (UTF-8), malloc'ed. */
static char *repeat(const char *ch, size_t n)
{
    size_t w = strlen(ch);
    char *s = malloc(n * w + 1);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * w, ch, w);
    s[n * w] = '\0';
    return s;
}

/* The example with the field at path set to value: the decoder's verdict, and what it kept. */
static fm_status decode_with(const limit_case *lc, const char *value, decoded *x, fm_error *err)
{
    json_t *root = load_example(lc->example);
    set_at(root, lc->path, value);
    char *json = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    assert_non_null(json);
    memset(x, 0, sizeof *x);
    fm_status st = decode(lc->kind, json, x, err);
    free(json);
    return st;
}

static void check_character(const char *ch, const char *what)
{
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const limit_case *lc = &CASES[i];
        decoded x;
        fm_error err = {0};
        char *at_limit = repeat(ch, lc->max);
        fm_status st = decode_with(lc, at_limit, &x, &err);
        if (st != FM_OK)
            fail_msg("%s with %zu %s: refused %s %s", lc->path, lc->max, what, err.code, err.path);
        if (lc->get != NULL && (lc->get(&x) == NULL || strcmp(lc->get(&x), at_limit) != 0))
            fail_msg("%s with %zu %s: not kept whole (%zu bytes of %zu)", lc->path, lc->max, what,
                     lc->get(&x) ? strlen(lc->get(&x)) : 0, strlen(at_limit));
        free_decoded(&x);
        free(at_limit);

        char *over = repeat(ch, lc->max + 1);
        st = decode_with(lc, over, &x, &err);
        if (st != FM_EINVAL || strcmp(err.code, "TOO_LONG") != 0 || strcmp(err.path, lc->path) != 0)
            fail_msg("%s with %zu %s: %s %s at %s, want TOO_LONG there", lc->path, lc->max + 1, what,
                     fm_status_name(st), err.code, err.path);
        free_decoded(&x);
        free(over);
    }
}

static void fields_take_max_length_three_byte_characters_whole(void **state)
{
    (void)state;
    check_character("\xE7\x89\x88", "CJK characters"); /* U+7248 */
}

static void fields_take_max_length_four_byte_characters_whole(void **state)
{
    (void)state;
    check_character("\xF0\xA0\x80\x80", "supplementary-plane characters"); /* U+20000, CJK Extension B */
}

/* The fixed-size fields of enrollment.decided, the ones a byte buffer could cut, hold the largest case. */
static void decided_fixed_fields_hold_sixty_four_four_byte_characters(void **state)
{
    (void)state;
    assert_true(sizeof(((fm_enrollment_decided *)0)->plan_version) >= 4 * 64 + 1);
    assert_true(sizeof(((fm_enrollment_decided *)0)->managing_unit) >= 4 * 16 + 1);
    assert_true(sizeof(((fm_envelope *)0)->producer) >= 4 * 64 + 1);
    /* 30 CJK characters: the value that was cut at 64 bytes. */
    decoded x;
    fm_error err = {0};
    char *v = repeat("\xE7\x89\x88", 30);
    const limit_case lc = {DECIDED, DEC, "plan_version", 64, d_plan_version};
    assert_int_equal(decode_with(&lc, v, &x, &err), FM_OK);
    assert_string_equal(x.d.plan_version, v);
    assert_int_equal(strlen(x.d.plan_version), 90);
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fields_take_max_length_three_byte_characters_whole),
        cmocka_unit_test(fields_take_max_length_four_byte_characters_whole),
        cmocka_unit_test(decided_fixed_fields_hold_sixty_four_four_byte_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
