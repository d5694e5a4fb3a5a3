#!/usr/bin/env bash
# policy_e2e.sh — the life of a policy on the real stack (issue 16): four households enrolled through
# famins-eligibility, then a newborn in an only-child household (category A lost: subsidy reversed pro rata), a
# cancellation the day after cover began... (see policy_events.py), a member removed, a premium paid, a change
# for a household without a policy; famins-subsidy books the reversals; claims for the removed member, after the
# cancellations and for the newborn before its cover are declined NOT_IN_FORCE by famins-adjudicator, the others
# paid. Checks every decision against hand-computed values and the ledger to the fen.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init policy_e2e
source "$FAMINS_SOURCE_DIR/tests/integration/enrollment/enr_common.sh"
ADJ_BIN="$FAMINS_BUILD_DIR/services/adjudicator/famins-adjudicator"
CLAIMS_IN="${FAMINS_TOPIC_PREFIX}claim.events"

produce() { kcat -P -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$1" -K '|' -X partitioner=murmur2_random -l "$2"; }
want() { # want SQL EXPECTED WHAT
    local got
    got=$(itest_psql -c "$1" | tr '\n' ' ' | sed 's/ $//')
    [ "$got" = "$2" ] || enr_fail "$3: want [$2], got [$got]"
    enr_ok "$3"
}
wait_sql() { # wait_sql SECONDS EXPECTED SQL
    local i got=""
    for ((i = 0; i < $1 * 5; i++)); do
        got=$(itest_psql -c "$3" 2>/dev/null || true)
        [ "$got" = "$2" ] && return 0
        sleep 0.2
    done
    enr_fail "waited $1 s for [$3] = $2, last got '$got'"
}

/usr/bin/python3 "$FAMINS_SOURCE_DIR/tests/integration/policy/policy_events.py" "$ENR_LOGS"
enr_start_relay relay
enr_start_elig elig
elig=$ENR_LAST_PID
enr_start_subs subs
subs=$ENR_LAST_PID

produce "$ENR_IN" "$ENR_LOGS/enrollments.txt"
wait_sql 120 4 "SELECT count(*) FROM famins.policies"
produce "$ENR_IN" "$ENR_LOGS/changes.txt"
enr_drain 120
want "SELECT count(*) FROM famins.policy_changes" 7 "seven changes decided"

want "SELECT outcome, array_to_string(reasons, ','), category_after, member_covered_from, premium_delta, subsidy_reversal
      FROM famins.policy_changes WHERE source_event_id = 'pm-1'" \
    "accepted|CATEGORY_A_EVIDENCE_LOST|B|2026-09-02|246|1972" \
    "newborn in an only-child household: B from 2026-09-02, 500 x 180/365 = 246, 4000 x 180/365 = 1972 reversed"
want "SELECT outcome, refund, subsidy_reversal FROM famins.policy_changes WHERE source_event_id = 'pc-2'" \
    "accepted|10034|3210" "A cancelled 2026-05-11: 12500 x 293/365 = 10034 refunded, 4000 x 293/365 = 3210 reversed"
want "SELECT outcome, premium_delta, member_covered_to FROM famins.policy_changes WHERE source_event_id = 'pr-3'" \
    "accepted|-246|2026-09-01" "a child leaves a two-child B household: -500 x 180/365 = -246"
want "SELECT outcome, refund, subsidy_reversal FROM famins.policy_changes WHERE source_event_id = 'pc-4'" \
    "accepted|10984|0" "B cancelled 2026-06-30: 16500 x 243/365 = 10984"
want "SELECT outcome, category_before, refund, subsidy_reversal FROM famins.policy_changes
      WHERE source_event_id = 'pc-1'" \
    "accepted|B|3629|0" "H1 (now B) cancelled 2026-11-30: (12500 + 246 + 1972) x 90/365 = 3629, no reversal"
want "SELECT outcome, array_to_string(reasons, ',') FROM famins.policy_changes WHERE source_event_id = 'pc-9'" \
    "refused|POLICY_NOT_FOUND" "a household without a policy"
want "SELECT kind, amount FROM famins.premium_payments ORDER BY kind, amount" \
    "cancellation_refund|3629 cancellation_refund|10034 cancellation_refund|10984 paid|16500" \
    "premium payments and cancellation refunds recorded"

# The ledger: negative rows per payer, split like the allocation (2000/2000), adding up to every reversal.
want "SELECT source_event_id LIKE 'dec-%', payer, amount, reversal_reason FROM famins.subsidy_ledger
      WHERE entry_kind = 'reversal' ORDER BY amount, payer" \
    "t|city|-1605|cancelled t|district_or_county|-1605|cancelled t|city|-986|category_a_lost t|district_or_county|-986|category_a_lost" \
    "reversal rows 1605 + 1605 and 986 + 986"
want "SELECT gap_total, reversal_decided_total, reversed_total, reversal_gap_total, net_city, net_district_or_county,
             net_total, expected_net_total FROM famins_report.subsidy_reconciliation WHERE plan_year = 2026" \
    "0|5182|5182|0|1409|1409|2818|2818" "the reconciliation balances to the fen after reversals"
want "SELECT payer, allocated, reversed, net FROM famins_report.subsidy_net_by_payer ORDER BY payer" \
    "city|4000|2591|1409 district_or_county|4000|2591|1409" "net subsidy per payer"
enr_drain 60
n=$(kcat -C -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$ENR_ALLOCATED" -o beginning -e -q -f '%s\n' | grep -c '"type":"subsidy.reversed"' || true)
[ "$n" = 2 ] || enr_fail "want 2 subsidy.reversed events on the topic, got $n"
n=$(kcat -C -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$ENR_DECIDED" -o beginning -e -q -f '%s\n' | grep -c '"type":"policy.change_decided"' || true)
[ "$n" = 7 ] || enr_fail "want 7 policy.change_decided events on the topic, got $n"
enr_ok "2 subsidy.reversed and 7 policy.change_decided published"

# Claims: the member's own cover, the cancellation date.
env FAMINS_PG_DSN="$(itest_dsn_as famins_adjudicator) application_name=adj" FAMINS_SESSION_TIMEOUT_MS=6000 \
    FAMINS_GROUP_INSTANCE_ID=adj FAMINS_BATCH_MAX_MS=50 FAMINS_PERSON_KEY_SECRET=famins-itest-secret \
    "$ADJ_BIN" >>"$ENR_LOGS/adj.log" 2>&1 &
ENR_PIDS+=("$!")
adj=$!
produce "$CLAIMS_IN" "$ENR_LOGS/claims.txt"
wait_sql 120 7 "SELECT count(*) FROM famins.claims"
want "SELECT claim_id, status, array_to_string(reasons, ',') FROM famins.claims c
      JOIN LATERAL (SELECT reasons FROM famins.claim_decisions d WHERE d.claim_id = c.claim_id
                    ORDER BY decision_id DESC LIMIT 1) d ON true
      WHERE status = 'declined' ORDER BY claim_id" \
    "C-CANCEL-AFTER|declined|NOT_IN_FORCE C-H1-AFTER-CANCEL|declined|NOT_IN_FORCE C-NEWBORN-BEFORE|declined|NOT_IN_FORCE C-REMOVED-AFTER|declined|NOT_IN_FORCE" \
    "claims after a removal or a cancellation, or before a newborn's cover: NOT_IN_FORCE"
want "SELECT string_agg(claim_id, ',' ORDER BY claim_id) FROM famins.claims WHERE status IN ('approved', 'partial')" \
    "C-CANCEL-ON,C-NEWBORN-AFTER,C-REMOVED-ON" "claims on the day of a removal or cancellation, and in the newborn's cover: paid"

enr_stop "$adj"
enr_stop "$elig"
enr_stop "$subs"
echo "PASS policy_e2e"
