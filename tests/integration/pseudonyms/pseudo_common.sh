#!/usr/bin/env bash
# pseudo_common.sh — helpers of the pseudonym tests (source after itest_init and enr_common.sh): identity
# numbers with their check character, hand-made enrollment and claim events, the adjudicator started beside
# eligibility.
PSEUDO_ADJ_BIN="$FAMINS_BUILD_DIR/services/adjudicator/famins-adjudicator"
PSEUDO_CLAIMS="${FAMINS_TOPIC_PREFIX}claim.events"
PSEUDO_ADJ_GROUP="${FAMINS_TOPIC_PREFIX}famins-adjudicator"
PSEUDO_EXAMPLES="$FAMINS_SOURCE_DIR/schemas/examples"

# pseudo_id FIRST17: the GB 11643 number FIRST17 + its check character.
pseudo_id() {
    local first="$1" w=(7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2) checks=10X98765432 s=0 i
    for ((i = 0; i < 17; i++)); do s=$((s + ${first:i:1} * w[i])); done
    printf '%s%s' "$first" "${checks:$((s % 11)):1}"
}

pseudo_compact() { tr -d '\n' <"$1" | sed 's/: /:/g; s/, /,/g; s/  */ /g; s/{ /{/g; s/ }/}/g; s/\[ /[/g; s/ \]/]/g'; }

# pseudo_enrollment EVENT_ID HOUSEHOLD PLAN_YEAR CHILD_ID APPLICANT_ID: an only child's enrollment (example 02)
# for that household and plan year, submitted on 15 January of the plan year.
pseudo_enrollment() {
    pseudo_compact "$PSEUDO_EXAMPLES/enrollment.submitted/valid/02-a-only-child-without-adults.json" |
        sed "s/\"event_id\":\"[^\"]*\"/\"event_id\":\"$1\"/; s/\"household_id\":\"[^\"]*\"/\"household_id\":\"$2\"/;
             s/2026-01-15/$3-01-15/g; s/\"plan_year\":2026/\"plan_year\":$3/;
             s/610113201406200136/$4/; s/610113198501010010/$5/"
}

# pseudo_claim EVENT_ID CLAIM_ID POLICY ID_NUMBER INVOICE: an accident-medical claim (example 07) of 2026-06-11.
pseudo_claim() {
    pseudo_compact "$PSEUDO_EXAMPLES/claim.submitted/valid/07-accident-on-first-day-of-late-coverage.json" |
        sed "s/\"event_id\":\"[^\"]*\"/\"event_id\":\"$1\"/; s/\"claim_id\":\"[^\"]*\"/\"claim_id\":\"$2\"/;
             s/\"policy_number\":\"[^\"]*\"/\"policy_number\":\"$3\"/;
             s/\"insured_id_number\":\"[^\"]*\"/\"insured_id_number\":\"$4\"/; s/00012345/$5/"
}

# pseudo_produce_claim KEY FILE: one message on the claims topic.
pseudo_produce_claim() {
    kcat -P -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$PSEUDO_CLAIMS" -k "$1" -X partitioner=murmur2_random "$2"
}

# pseudo_start_adj NAME [VAR=value ...]: the adjudicator as famins_adjudicator; sets ENR_LAST_PID (the pid is
# stopped with enr_cleanup's others).
pseudo_start_adj() {
    local name="$1"
    shift
    env "${enr_worker_env[@]}" FAMINS_ADJUDICATOR_PG_DSN="$(itest_dsn_as famins_adjudicator) application_name=$name" \
        FAMINS_GROUP_INSTANCE_ID="$name" "$@" "$PSEUDO_ADJ_BIN" >>"$ENR_LOGS/$name.log" 2>&1 &
    ENR_LAST_PID=$!
    ENR_PIDS+=("$ENR_LAST_PID")
}

# pseudo_wait_consumed GROUP N SECONDS: until the group has committed N messages.
pseudo_wait_consumed() {
    local deadline=$(($(date +%s) + $3))
    while [ "$(enr_consumed "$1")" != "$2" ]; do
        [ "$(date +%s)" -lt "$deadline" ] || enr_fail "$1 did not commit $2 messages within $3 s"
        sleep 0.3
    done
}
