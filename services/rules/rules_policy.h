/* rules_policy.h — famins-rules policy: decide one policy change (issue 16) from files. */
#ifndef RULES_POLICY_H
#define RULES_POLICY_H

#include "fm_error.h"
#include "fm_policy_rules.h"

#include <jansson.h>

/* What a state file tells (schemas/examples/README.md, "policy changes"): the policy before the change and
 * what famins knows of the person. */
typedef struct rules_policy_facts {
    fm_policy_state state;
    char managing_unit[64];
    bool already_member;
    bool insured_elsewhere;
    fm_role member_role;         /* removed: the member's role */
    fm_date member_covered_from; /* removed: the member's cover start */
    int member_index;            /* -1 when none */
} rules_policy_facts;

/* Reads a state file's JSON (FM_EINVAL with the path of the bad field). */
fm_status rules_policy_facts_read(const json_t *root, const fm_plan *plan, rules_policy_facts *out,
                                  fm_error *err);

/* famins-rules policy --state STATE.json [--plan-dir DIR] [FILE|-]; argv[0] is "policy". Exit status as the
 * other commands: 0 decided, 1 invalid input, 2 usage. */
int rules_policy_main(int argc, char **argv);

#endif
