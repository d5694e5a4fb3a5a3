#!/usr/bin/env bash
# crash.sh — SIGKILL famins-adjudicator at random moments (CRASH_KILLS times, default 20) while it decides
# CRASH_CLAIMS generated claims (default 20000, plus the reviews the generator adds), restarting it each time.
# The claims are produced in one chunk per kill, so that every restart finds work; each kill waits (briefly) for
# a moment when a batch transaction is open. For each kill the test records
# from pg_stat_activity (the worker's application_name, seen as its own role) whether a batch transaction was
# open, and requires that at least half were. After draining: every claim recorded once with exactly one first
# decision, one outbox claim.decided per decision, every event processed once, and every claim's decision, every
# person's usage and the paid totals per person equal to those of an uninterrupted run of the same seed (the
# same events applied in order without Kafka, into a second database, while the crash run goes on).
# With the claims' payees, payment results, payee corrections and withdrawals (adj-testgen --payments yes, issue
# 15): each payment instruction exactly once in the database and once in the outbox for claim.payment (by
# instruction id), every instruction, result and withdrawal (amounts, status, re-issues, reasons) equal to the
# uninterrupted run: nothing paid twice, the money of every decision equal.
# CI profile: the defaults (about 2-4 minutes on 2 cores). Soak: CRASH_CLAIMS=200000 CRASH_KILLS=100.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init adj_crash
source "$FAMINS_SOURCE_DIR/tests/integration/adjudicator/adj_common.sh"
adj_wait_topic "$ADJ_IN"

CLAIMS=${CRASH_CLAIMS:-20000}
KILLS=${CRASH_KILLS:-20}
HOUSEHOLDS=${CRASH_HOUSEHOLDS:-4000}
SEED=${CRASH_SEED:-23}
APP=adj-crash
ADJ_AS_SELF="$(itest_dsn_as famins_adjudicator)"
started=$(date +%s)

"$WAVEGEN_BIN" enroll --households "$HOUSEHOLDS" --seed "$SEED" --dry-run /dev/null \
    --policies-out "$ADJ_LOGS/policies.jsonl" --quiet >/dev/null 2>"$ADJ_LOGS/wavegen.log" || adj_fail "wavegen enroll"
"$TESTGEN_BIN" seed --policies "$ADJ_LOGS/policies.jsonl" 2>>"$ADJ_LOGS/seed.log" || adj_fail "seed"
"$TESTGEN_BIN" claims --policies "$ADJ_LOGS/policies.jsonl" --seed "$SEED" --claims "$CLAIMS" --payments yes \
    >"$ADJ_LOGS/events.txt"
total=$(wc -l <"$ADJ_LOGS/events.txt")
split -n "l/$KILLS" -d -a 3 "$ADJ_LOGS/events.txt" "$ADJ_LOGS/chunk."

# The uninterrupted run, in the background while the crash run goes on.
(adj_reference_db "$ADJ_LOGS/events.txt" "$ADJ_LOGS/policies.jsonl") >"$ADJ_LOGS/reference.out" 2>&1 &
ref_pid=$!
ADJ_REF_DB="${ITEST_DB}_ref"
ADJ_REF_DSN="host=127.0.0.1 port=${FAMINS_PG_PORT} dbname=${ADJ_REF_DB} user=famins_admin"

start_worker() { adj_start "$APP" FAMINS_LOG_LEVEL=info FAMINS_BATCH_MAX_MESSAGES=100; }
state_sql() {
    echo "SELECT coalesce(string_agg(state, ','), 'none') FROM pg_stat_activity
          WHERE application_name = '$APP' AND backend_start >= '$1'"
}

open=0
k=0
for chunk in "$ADJ_LOGS"/chunk.*; do
    k=$((k + 1))
    adj_produce "$chunk"
    # Only this worker's session counts, not a killed predecessor's backend that is still going away.
    t0=$(psql "$ADJ_AS_SELF" -qAt -c "SELECT now()")
    before=$(itest_psql -c "$adj_consumed_sql")
    start_worker
    pid=$ADJ_LAST_PID
    # Let this worker commit at least one batch (so that every life makes progress; up to 60 s), then kill it at
    # a random moment 0 to 0.3 s later — at the first moment from then on (within about a second) when its batch
    # transaction is open. The set-based worker spends little of its time in a transaction and decides a chunk in
    # well under a second, so a blind moment would mostly find it between batches or idle.
    for ((i = 0; i < 300; i++)); do
        [ "$(itest_psql -c "$adj_consumed_sql")" -gt "$before" ] && break
        sleep 0.2
    done
    sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", (r % 30) / 100 }')"
    for ((i = 0; i < 40; i++)); do
        state=$(psql "$ADJ_AS_SELF" -qAt -c "$(state_sql "$t0")")
        case "$state" in *"idle in transaction"* | *active*) break ;; esac
    done
    kill -9 "$pid"
    wait "$pid" 2>/dev/null || true
    consumed=$(itest_psql -c "$adj_consumed_sql")
    case "$state" in *"idle in transaction"* | *active*) open=$((open + 1)); txn=open ;; *) txn=closed ;; esac
    echo "kill $k: transaction $txn (state: $state), consumed $consumed of $total"
done

start_worker
pid=$ADJ_LAST_PID
adj_wait_sql 400 "$total" "$adj_consumed_sql"
adj_stop "$pid"
wait "$ref_pid" || { cat "$ADJ_LOGS/reference.out" >&2; adj_fail "the uninterrupted reference run failed"; }
echo "crash run and reference done after $(($(date +%s) - started)) s"

claims=$(grep -c '"type":"claim.submitted"' "$ADJ_LOGS/events.txt")
got=$(itest_psql -c "SELECT count(*), count(DISTINCT claim_id) FROM famins.claims")
[ "$got" = "$claims|$claims" ] || adj_fail "want $claims claims recorded once each, got $got"
got=$(itest_psql -c "SELECT count(*), count(DISTINCT claim_id) FROM famins.claim_decisions WHERE kind = 'initial'")
[ "$got" = "$claims|$claims" ] || adj_fail "want exactly one first decision per claim, got $got"
got=$(itest_psql -c "SELECT count(*) FROM famins.claim_decisions d
                     WHERE kind = 'review' AND (SELECT count(*) FROM famins.claim_decisions x
                                                WHERE x.claim_id = d.claim_id AND x.kind = 'review') > 1")
[ "$got" = 0 ] || adj_fail "$got claims reviewed twice"
decisions=$(itest_psql -c "SELECT count(*) FROM famins.claim_decisions")
got=$(itest_psql -c "SELECT count(*), count(DISTINCT event_id) FROM famins.outbox WHERE topic = '$ADJ_OUT'")
[ "$got" = "$decisions|$decisions" ] || adj_fail "want $decisions claim.decided outbox rows, one per decision, got $got"
got=$(itest_psql -c "SELECT count(*) FROM famins.processed_events WHERE consumer_group = '$ADJ_GROUP'")
dead=$(itest_psql -c "SELECT count(*) FROM famins.dead_letters WHERE consumer_group = '$ADJ_GROUP'")
[ "$((got + dead))" = "$total" ] || adj_fail "processed $got + dead letters $dead, want $total events"
adj_compare_with_reference crash
# A claim's later life (documents, appeals, answers): every step recorded once, as in the uninterrupted run.
life_sql="SELECT (SELECT count(*) || '/' || count(refused_reason) FROM famins.claim_appeals) || '|' ||
          (SELECT count(*) || '/' || count(decision_id) FROM famins.claim_appeal_reviews) || '|' ||
          (SELECT count(*) || '/' || count(decision_id) FROM famins.claim_documents_received) || '|' ||
          (SELECT count(*) FROM famins.claim_decisions WHERE kind IN ('documents', 'appeal'))"
life_run=$(itest_psql -c "$life_sql")
life_ref=$(psql "$ADJ_REF_DSN" -qAt -c "$life_sql")
[ "$life_run" = "$life_ref" ] || adj_fail "claim-life rows $life_run, the uninterrupted run $life_ref"
case "$life_run" in 0/*) adj_fail "no appeals in the run ($life_run)" ;; esac

# The payment step: each instruction once in the database (its primary key) and once on claim.payment as "pay",
# each cancelled one once more as "cancel"; instructions, results, corrections, withdrawals and reservations as
# the uninterrupted run made them.
PAY_OUT="${FAMINS_TOPIC_PREFIX}claim.payment"
got=$(itest_psql -c "SELECT count(*), count(*) FILTER (WHERE status = 'cancelled') FROM famins.payment_instructions")
ins=${got%|*} cancelled=${got#*|}
[ "$ins" -gt 100 ] || adj_fail "only $ins payment instructions: the generator's payments did not happen"
want=$((ins + cancelled))
got=$(itest_psql -c "SELECT count(*), count(DISTINCT event_id) FROM famins.outbox WHERE topic = '$PAY_OUT'")
[ "$got" = "$want|$want" ] || adj_fail "want $want claim.payment outbox rows ($ins instructions, $cancelled cancelled), got $got"
# (a hash join: a correlated count per instruction scans the outbox once per instruction and takes minutes)
got=$(itest_psql -c "SELECT count(*) FROM famins.payment_instructions i
                     LEFT JOIN (SELECT event_id, count(*) AS n FROM famins.outbox WHERE topic = '$PAY_OUT'
                                GROUP BY event_id) o ON o.event_id = i.instruction_id
                     WHERE coalesce(o.n, 0) <> 1")
[ "$got" = 0 ] || adj_fail "$got instructions not exactly once on claim.payment"
pay_sqls=("SELECT instruction_id, claim_id, recipient_index, amount, status, coalesce(replaces, ''),
             coalesce(paid_date::text, ''), account_masked, account_ref FROM famins.payment_instructions ORDER BY 1"
          "SELECT source_event_id, instruction_id, coalesce(ignored_reason, 'applied') FROM famins.payment_results ORDER BY 1"
          "SELECT source_event_id, coalesce(payee_version, -1), reissued, coalesce(ignored_reason, '') FROM famins.payee_corrections ORDER BY 1"
          "SELECT source_event_id, accepted, released, cancelled, coalesce(ignored_reason, '') FROM famins.claim_withdrawals ORDER BY 1"
          "SELECT claim_id, payable, released, death_paid, medical_am, medical_ih, household_am FROM famins.claim_reservations ORDER BY 1"
          "SELECT claim_id, payee_version, recipient_index, account_masked FROM famins.claim_payees ORDER BY 1, 2, 3")
for i in "${!pay_sqls[@]}"; do
    itest_psql -c "${pay_sqls[$i]}" >"$ADJ_LOGS/crash-pay$i.run"
    psql "$ADJ_REF_DSN" -qAt -c "${pay_sqls[$i]}" >"$ADJ_LOGS/crash-pay$i.ref"
    cmp -s "$ADJ_LOGS/crash-pay$i.run" "$ADJ_LOGS/crash-pay$i.ref" ||
        { diff "$ADJ_LOGS/crash-pay$i.run" "$ADJ_LOGS/crash-pay$i.ref" | head -20 >&2; adj_fail "payments differ from the uninterrupted run: ${pay_sqls[$i]}"; }
done
paid_out=$(itest_psql -c "SELECT coalesce(sum(amount), 0) FROM famins.payment_instructions WHERE status = 'paid'")
adj_ok "$ins payment instructions ($cancelled cancelled) each once in the database and on claim.payment; results, corrections, withdrawals, reservations equal to the uninterrupted run ($paid_out fen paid out)"
paid=$(itest_psql -c "SELECT sum(payable) FROM famins.claims")
[ "$open" -ge $(((KILLS + 1) / 2)) ] || adj_fail "only $open of $KILLS kills hit an open batch transaction"
adj_ok "$KILLS kills ($open with a batch transaction open), $claims claims and $((total - claims)) reviews, appeals, documents and payment-side events (life: $life_run): none lost, none decided twice, decisions, usage and paid totals per person ($paid fen in all) equal to the uninterrupted run ($(($(date +%s) - started)) s)"
echo "adjudicator_crash: all passed"
