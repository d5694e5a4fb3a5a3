#!/usr/bin/env bash
# crash_policy.sh — exactly once through crashes for the policy's life (issue 16): a wave of CRASH_HOUSEHOLDS
# households (default 30,000) of which CRASH_POLICY_SHARE (default 0.3) have policy events through the year
# (newborns, members leaving, cancellations and their repeats, premium payments: famins-wavegen --policy-share).
# famins-eligibility, famins-subsidy and famins-relay are each SIGKILLed CRASH_KILLS times (default 20) at random
# moments and restarted at once. Drained, the database must hold every enrollment and every change decided once,
# as labelled; every reversal booked once and to the fen (no reversal written twice); the ledger reconciled; and
# the decisions, policy rows and ledger equal (checksum) to an uninterrupted run of the same wave.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init policy_crash
source "$FAMINS_SOURCE_DIR/tests/integration/enrollment/enr_common.sh"

households="${CRASH_HOUSEHOLDS:-30000}"
kills="${CRASH_KILLS:-20}"
seed="${CRASH_SEED:-160316}"
share="${CRASH_POLICY_SHARE:-0.3}"
super_dsn="${FAMINS_PG_SUPER_DSN:-host=127.0.0.1 port=${FAMINS_PG_PORT:-15432} dbname=postgres user=postgres}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
kill_log="$ENR_LOGS/kills.txt"
: >"$kill_log"

# The policy rows by source event, without ids, timestamps and offsets (added to enr_checksum's).
policy_checksum_sql="
SELECT md5(string_agg(line, E'\n' ORDER BY line)) FROM (
  SELECT concat_ws('|', 'C', source_event_id, change, household_id, plan_year, policy_number, managing_unit, outcome,
      reasons, effective_on, category_before, category_after, person_key, masked_id, member_role, member_covered_from,
      member_covered_to, premium_after, premium_delta, refund, subsidy_reversal, reversal_reason, amount, reference,
      plan_version, explanation_en, explanation_zh) AS line FROM famins.policy_changes
  UNION ALL
  SELECT concat_ws('|', 'T', s.policy_number, s.category, s.premium, s.self_paid, s.subsidy_reversed, s.cancelled_on,
      c.source_event_id) FROM famins.policy_status s JOIN famins.policy_changes c ON c.change_id = s.last_change_id
  UNION ALL
  SELECT concat_ws('|', 'V', m.policy_number, m.person_key, m.covered_from, m.covered_to, m.removed, c.source_event_id)
  FROM famins.member_coverage m JOIN famins.policy_changes c USING (change_id)
  UNION ALL
  SELECT concat_ws('|', 'Y', source_event_id, policy_number, kind, amount, paid_on, reference) FROM famins.premium_payments
  UNION ALL
  SELECT concat_ws('|', 'R', source_event_id, payer, amount, entry_kind, reversal_reason) FROM famins.subsidy_ledger) t"

# The uninterrupted run, meanwhile: crash_baseline.sh with the same wave options; its checksum file gets the
# policy checksum appended by this script's own query on its database (kept until read).
FAMINS_KEEP_TEST_DB=1 bash "$here/crash_baseline.sh" "$ENR_LOGS/baseline.md5" "$households" "$seed" \
    --policy-share "$share" >"$ENR_LOGS/baseline.out" 2>&1 &
base_pid=$!
trap 'kill -TERM "$base_pid" 2>/dev/null || true; wait "$base_pid" 2>/dev/null || true; enr_cleanup' EXIT

declare -A pid app
app[elig]=pcrash-elig app[subs]=pcrash-subs app[relay]=pcrash-relay
start() {
    case "$1" in
    elig) enr_start_elig "${app[elig]}" ;;
    subs) enr_start_subs "${app[subs]}" ;;
    relay) enr_start_relay "${app[relay]}" ;;
    esac
    pid[$1]=$ENR_LAST_PID
}
wait_open_write_txn() {
    psql "$super_dsn" -qAt -c "DO \$\$
        DECLARE found boolean := false;
        BEGIN
            FOR i IN 1..$2 LOOP
                PERFORM pg_stat_clear_snapshot();
                SELECT count(*) > 0 INTO found FROM pg_stat_activity WHERE datname = '$ITEST_DB'
                    AND application_name = '${app[$1]}' AND xact_start IS NOT NULL AND backend_xid IS NOT NULL;
                EXIT WHEN found;
                PERFORM pg_sleep(0.01);
            END LOOP;
            RAISE WARNING 'open=%', found::int;
        END \$\$" 2>&1 | sed -n 's/.*open=\([01]\).*/\1/p'
}

start elig
start relay
start subs
enr_wave "$households" "$seed" "$ENR_LOGS/labels.jsonl" --policy-share "$share" &
wave_pid=$!
for ((round = 1; round <= kills; round++)); do
    for w in elig subs relay; do
        sleep "0.$((RANDOM % 6 + 1))"
        case "$w" in
        elig) open=$(wait_open_write_txn "$w" 150) ;;
        subs) open=$(wait_open_write_txn "$w" 500) ;;
        relay) open=- ;;
        esac
        kill -KILL "${pid[$w]}" 2>/dev/null || enr_fail "$w (pid ${pid[$w]}) was not running at kill $round"
        wait "${pid[$w]}" 2>/dev/null || true
        echo "round=$round worker=$w open_write_txn=${open:-0}" >>"$kill_log"
        start "$w"
    done
done
wait "$wave_pid" || enr_fail "famins-wavegen failed"
enr_drain "${CRASH_DRAIN_S:-900}"
for w in elig subs relay; do enr_stop "${pid[$w]}"; done

total=$(grep -c . "$kill_log")
open_total=$(grep -c "open_write_txn=1" "$kill_log" || true)
[ "$total" = $((3 * kills)) ] || enr_fail "$total kills recorded, want $((3 * kills))"
enr_ok "$total SIGKILLs ($kills of each worker); $open_total of the eligibility and subsidy kills with a write transaction open"

enr_load_labels "$ENR_LOGS/labels.jsonl" >/dev/null
enr_check_labels "$households households through $total kills"
n=$(itest_psql -c "WITH l AS (SELECT doc->>'event_id' AS eid, doc->'expected' AS x FROM famins_test.labels
                              WHERE doc->>'kind' = 'policy')
    SELECT count(*) FROM l LEFT JOIN famins.policy_changes c ON c.source_event_id = l.eid
    WHERE c.change_id IS NULL OR c.outcome <> l.x->>'outcome' OR c.refund <> (l.x->>'refund')::bigint
       OR c.premium_delta <> (l.x->>'premium_delta')::bigint OR c.subsidy_reversal <> (l.x->>'subsidy_reversal')::bigint
       OR c.reasons <> ARRAY(SELECT jsonb_array_elements_text(l.x->'reasons'))")
[ "$n" = 0 ] || enr_fail "$n policy changes lost or decided otherwise than labelled"
labelled=$(itest_psql -c "SELECT count(*) FROM famins_test.labels WHERE doc->>'kind' = 'policy'")
decided=$(itest_psql -c "SELECT count(*) FROM famins.policy_changes")
[ "$labelled" = "$decided" ] || enr_fail "$decided changes decided, $labelled labelled"
enr_ok "$decided policy changes decided once each, as labelled"
twice=$(itest_psql -c "SELECT count(*) FROM (SELECT source_event_id, payer FROM famins.subsidy_ledger
    GROUP BY 1, 2 HAVING count(*) > 1) t")
[ "$twice" = 0 ] || enr_fail "$twice ledger rows written twice"
bad=$(itest_psql -c "SELECT count(*) FROM famins.policy_changes c
    LEFT JOIN (SELECT source_event_id, -sum(amount) AS booked FROM famins.subsidy_ledger WHERE entry_kind = 'reversal'
               GROUP BY 1) l ON l.source_event_id = 'dec-' || c.source_event_id
    WHERE coalesce(l.booked, 0) <> c.subsidy_reversal")
[ "$bad" = 0 ] || enr_fail "$bad reversals not booked exactly once to the fen"
gaps=$(itest_psql -c "SELECT count(*) FROM famins_report.subsidy_reconciliation WHERE gap_total <> 0
    OR reversal_gap_total <> 0 OR net_total <> expected_net_total")
[ "$gaps" = 0 ] || enr_fail "$gaps units whose ledger does not reconcile"
enr_ok "no reversal written twice; the ledger reconciles to the fen: $(itest_psql -c "SELECT sum(reversed_total) ||
    ' fen reversed over ' || (SELECT count(*) FROM famins.policy_changes WHERE subsidy_reversal > 0) || ' changes'
    FROM famins_report.subsidy_reconciliation")"

wait "$base_pid" || { cat "$ENR_LOGS/baseline.out" >&2; enr_fail "the uninterrupted run failed"; }
base_db=$(sed -n 's/.*BASE_DB=\(.*\)$/\1/p' "$ENR_LOGS/baseline.out" | tail -1)
mine="$(enr_checksum)/$(itest_psql -c "$policy_checksum_sql")"
theirs="$(cat "$ENR_LOGS/baseline.md5")/$(psql "host=127.0.0.1 port=${FAMINS_PG_PORT} dbname=$base_db user=famins_admin" \
    -qAt -c "$policy_checksum_sql")"
itest_drop_db "$base_db" || echo "WARNING: could not drop $base_db" >&2
base_prefix=$(sed -n 's/.*BASE_PREFIX=\(.*\)$/\1/p' "$ENR_LOGS/baseline.out" | tail -1)
[ -z "$base_prefix" ] || "$FAMINS_BUILD_DIR/tests/famins-test-delete-topics" "$FAMINS_KAFKA_BOOTSTRAP" "$base_prefix" \
    >/dev/null 2>&1 || true
[ -n "$base_db" ] && [ "$mine" = "$theirs" ] || enr_fail "checksums $mine differ from the uninterrupted run's $theirs"
enr_ok "the decisions, policy rows and ledger equal the uninterrupted run's ($mine)"
ENR_PIDS=()
