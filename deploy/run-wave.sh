#!/usr/bin/env bash
# deploy/run-wave.sh — the sample enrollment wave of README command 1: with the stack up and the database
# migrated (deploy/common.sh's famins_setup), starts famins-eligibility, famins-subsidy and famins-relay in the
# background, produces a wave with famins-wavegen (fixed seed), waits (bounded) until every consumer has
# caught up, prints the decisions by outcome and reason and the subsidy by payer, and stops the services with
# SIGTERM.
#
# Environment (default):
#   FAMINS_BUILD_DIR        ($source/build) where the binaries are
#   FAMINS_PG_DSN           (the stack's famins_admin DSN) for the report queries; each service connects with
#                           the same server and database as its own role (famins_eligibility, famins_subsidy,
#                           famins_relay)
#   FAMINS_KAFKA_BOOTSTRAP  (127.0.0.1:19092)
#   FAMINS_TOPIC_PREFIX     ("")
#   FAMINS_PERSON_KEY_SECRET or FAMINS_PERSON_KEY_SECRET_FILE (required; stack.sh env gives the local stack's)
#                           the person-key secret of eligibility and the adjudicator
#   WAVE_HOUSEHOLDS         (3000) households in the wave
#   WAVE_SEED               (2026) famins-wavegen's seed: the same seed is the same wave (its events are then
#                           recognised as already processed and decided only once)
#   WAVE_TIMEOUT_S          (600) bound of the wait for the consumers
#   WAVE_LOG_DIR            ($build/wave-logs/<time>) the services' logs and the wave's labels
#   WAVE_CLAIMS             (0) 1: then a year of claims and reviews for the wave's policies (famins-wavegen
#                           claims mode, rebuilt from the same seed) through famins-adjudicator and famins-relay,
#                           with the later life of a claim (documents, appeals, payee blocks, payment results,
#                           withdrawals), and a summary of the claim decisions
set -euo pipefail

src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${FAMINS_BUILD_DIR:-$src/build}"
export FAMINS_PG_DSN="${FAMINS_PG_DSN:-host=127.0.0.1 port=15432 dbname=famins user=famins_admin}"
export FAMINS_KAFKA_BOOTSTRAP="${FAMINS_KAFKA_BOOTSTRAP:-127.0.0.1:19092}"
export FAMINS_TOPIC_PREFIX="${FAMINS_TOPIC_PREFIX:-}"
# The services refuse to start without a person-key secret of their own: eval "$(deploy/local/stack.sh env)"
# gives the local stack's.
if [ -z "${FAMINS_PERSON_KEY_SECRET:-}" ] && [ -z "${FAMINS_PERSON_KEY_SECRET_FILE:-}" ]; then
    echo "run-wave: set FAMINS_PERSON_KEY_SECRET or FAMINS_PERSON_KEY_SECRET_FILE" \
        "(eval \"\$(deploy/local/stack.sh env)\" sets the local stack's)" >&2
    exit 2
fi
households="${WAVE_HOUSEHOLDS:-3000}"
seed="${WAVE_SEED:-2026}"
timeout_s="${WAVE_TIMEOUT_S:-600}"
logs="${WAVE_LOG_DIR:-$build/wave-logs/$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$logs"

in_topic="${FAMINS_TOPIC_PREFIX}enrollment.submitted"
decided_topic="${FAMINS_TOPIC_PREFIX}enrollment.decided"
elig_group="${FAMINS_TOPIC_PREFIX}famins-eligibility"
subs_group="${FAMINS_TOPIC_PREFIX}famins-subsidy"
pids=()

wave_psql() { psql "$FAMINS_PG_DSN" -v ON_ERROR_STOP=1 -qAt "$@"; }

# Stops what this script started, by pid: SIGTERM, a bounded wait, then SIGKILL.
stop_services() {
    local pid i
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do
        for ((i = 0; i < 300; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    pids=()
}
trap stop_services EXIT

for bin in eligibility/famins-eligibility subsidy/famins-subsidy relay/famins-relay wavegen/famins-wavegen; do
    [ -x "$build/services/$bin" ] || { echo "run-wave: $build/services/$bin is missing: build first" >&2; exit 1; }
done
wave_psql -c "SELECT 1 FROM famins.enrollment_decisions LIMIT 1" >/dev/null ||
    { echo "run-wave: the database is not migrated (famins-admin all)" >&2; exit 1; }

# lag GROUP TOPIC: sum over the topic's partitions of (high watermark - the group's stored position).
lag() {
    local group="$1" topic="$2" n args=() p hw pos
    n=$(kcat -L -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$topic" 2>/dev/null | sed -n 's/.* with \([0-9]*\) partitions.*/\1/p' | head -1)
    [ -n "$n" ] || { echo -1; return; }
    for ((p = 0; p < n; p++)); do args+=(-t "$topic:$p:-1"); done
    # Every partition must answer: a failed query is "not caught up", never a lag of 0.
    hw=$(kcat -Q -b "$FAMINS_KAFKA_BOOTSTRAP" "${args[@]}" 2>/dev/null |
        awk -v n="$n" '/offset/ { s += $NF; k++ } END { print (k == n ? s : -1) }')
    [ "$hw" -ge 0 ] || { echo unknown; return; }
    pos=$(wave_psql -c "SELECT coalesce(sum(next_offset), 0) FROM famins.consumer_positions
        WHERE consumer_group = '$group' AND topic = '$topic'")
    echo $((hw - pos))
}

echo "run-wave: $households households, seed $seed, logs in $logs"
base_dsn="$FAMINS_PG_DSN"
FAMINS_ELIGIBILITY_PG_DSN="$base_dsn user=famins_eligibility application_name=famins-eligibility" \
    "$build/services/eligibility/famins-eligibility" >"$logs/eligibility.log" 2>&1 &
pids+=($!)
FAMINS_SUBSIDY_PG_DSN="$base_dsn user=famins_subsidy application_name=famins-subsidy" \
    "$build/services/subsidy/famins-subsidy" >"$logs/subsidy.log" 2>&1 &
pids+=($!)
FAMINS_PG_DSN="$base_dsn user=famins_relay application_name=famins-relay" \
    "$build/services/relay/famins-relay" >"$logs/relay.log" 2>&1 &
pids+=($!)

started=$(date +%s.%N)
"$build/services/wavegen/famins-wavegen" enroll --households "$households" --seed "$seed" \
    --labels "$logs/labels.jsonl" --quiet -b "$FAMINS_KAFKA_BOOTSTRAP" >"$logs/wavegen.log" 2>&1 ||
    { cat "$logs/wavegen.log" >&2; echo "run-wave: famins-wavegen failed" >&2; exit 1; }
produced=$(date +%s.%N)

deadline=$(($(date +%s) + timeout_s))
quiet=0
while :; do
    for pid in "${pids[@]}"; do
        kill -0 "$pid" 2>/dev/null || { tail -5 "$logs"/*.log >&2; echo "run-wave: a service exited early" >&2; exit 1; }
    done
    a=$(lag "$elig_group" "$in_topic")
    b=$(wave_psql -c "SELECT count(*) FROM famins.outbox WHERE sent_at IS NULL")
    c=$(lag "$subs_group" "$decided_topic")
    if [ "$a" = 0 ] && [ "$b" = 0 ] && [ "$c" = 0 ]; then
        quiet=$((quiet + 1))
        [ "$quiet" -ge 2 ] && break
    else
        quiet=0
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
        echo "run-wave: not caught up after ${timeout_s}s (eligibility lag $a, unsent outbox $b, subsidy lag $c)" >&2
        exit 1
    fi
    sleep 0.5
done
drained=$(date +%s.%N)
stop_services

# The wave's events: the labels name them (dead letters have no decision; re-sends are decided once).
wave_psql <<SQL
CREATE TEMP TABLE wave_labels (doc jsonb NOT NULL);
\copy wave_labels (doc) FROM '$logs/labels.jsonl' WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02')
CREATE TEMP TABLE wave AS
  SELECT d.* FROM famins.enrollment_decisions d
  WHERE d.source_event_id IN (SELECT doc->>'event_id' FROM wave_labels WHERE doc->>'kind' = 'valid');
\echo
\echo == decisions of this wave
SELECT rpad(outcome || coalesce(' ' || category, ''), 40) || lpad(count(*)::text, 8) FROM wave GROUP BY outcome, category ORDER BY 1;
\echo
\echo == rejections by reason (a rejection may have several)
SELECT rpad(r, 40) || lpad(count(*)::text, 8) FROM wave, unnest(reasons) r WHERE outcome = 'rejected' GROUP BY r ORDER BY count(*) DESC, r;
\echo
\echo == members excluded from accepted households, by reason
SELECT rpad(r, 40) || lpad(count(*)::text, 8) FROM wave w JOIN famins.enrollment_members m USING (decision_id), unnest(m.reasons) r
  WHERE w.outcome = 'accepted' GROUP BY r ORDER BY count(*) DESC, r;
\echo
\echo == subsidy of this wave by payer (fen)
SELECT rpad(s.payer, 40) || lpad(sum(s.amount)::text, 12) FROM famins.subsidy_ledger s JOIN wave w ON w.policy_number = s.policy_number
  GROUP BY s.payer ORDER BY s.payer;
SELECT rpad('total (' || count(DISTINCT s.policy_number) || ' category-A households)', 40) || lpad(coalesce(sum(s.amount), 0)::text, 12)
  FROM famins.subsidy_ledger s JOIN wave w ON w.policy_number = s.policy_number;
\echo
\echo == dead letters of the eligibility group (whole database)
SELECT rpad(error_code, 40) || lpad(count(*)::text, 8) FROM famins_report.dead_letters WHERE consumer_group = '$elig_group' GROUP BY error_code ORDER BY error_code;
SQL
echo
awk -v n="$households" -v a="$started" -v b="$produced" -v c="$drained" 'BEGIN {
    printf "run-wave: produced in %.1f s, all consumers caught up %.1f s after the start: %.0f households/s end to end\n",
        b - a, c - a, n / (c - a) }'

[ "${WAVE_CLAIMS:-0}" = 1 ] || exit 0

# A year of claims for the wave's policies: wavegen rebuilds the wave from its seed (no file of identity numbers).
claims_topic="${FAMINS_TOPIC_PREFIX}claim.events"
adj_group="${FAMINS_TOPIC_PREFIX}famins-adjudicator"
[ -x "$build/services/adjudicator/famins-adjudicator" ] ||
    { echo "run-wave: $build/services/adjudicator/famins-adjudicator is missing: build first" >&2; exit 1; }
FAMINS_ADJUDICATOR_PG_DSN="$base_dsn user=famins_adjudicator application_name=famins-adjudicator" \
    "$build/services/adjudicator/famins-adjudicator" >"$logs/adjudicator.log" 2>&1 &
pids+=($!)
FAMINS_PG_DSN="$base_dsn user=famins_relay application_name=famins-relay" \
    "$build/services/relay/famins-relay" >"$logs/relay-claims.log" 2>&1 &
pids+=($!)
claims_started=$(date +%s.%N)
"$build/services/wavegen/famins-wavegen" claims --households "$households" --seed "$seed" --payments \
    --labels "$logs/claim-labels.jsonl" --quiet -b "$FAMINS_KAFKA_BOOTSTRAP" >"$logs/wavegen-claims.log" 2>&1 ||
    { cat "$logs/wavegen-claims.log" >&2; echo "run-wave: famins-wavegen claims failed" >&2; exit 1; }
deadline=$(($(date +%s) + timeout_s))
quiet=0
while :; do
    for pid in "${pids[@]}"; do
        kill -0 "$pid" 2>/dev/null || { tail -5 "$logs"/*.log >&2; echo "run-wave: a service exited early" >&2; exit 1; }
    done
    a=$(lag "$adj_group" "$claims_topic")
    b=$(wave_psql -c "SELECT count(*) FROM famins.outbox WHERE sent_at IS NULL")
    if [ "$a" = 0 ] && [ "$b" = 0 ]; then
        quiet=$((quiet + 1))
        [ "$quiet" -ge 2 ] && break
    else
        quiet=0
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
        echo "run-wave: claims not caught up after ${timeout_s}s (adjudicator lag $a, unsent outbox $b)" >&2
        exit 1
    fi
    sleep 0.5
done
claims_drained=$(date +%s.%N)
stop_services
wave_psql <<SQL
\echo
\echo == claims decided (current decision of each claim)
SELECT rpad(status, 40) || lpad(count(*)::text, 8) || lpad(to_char(sum(payable) / 100.0, 'FM999999990.00'), 16) || ' yuan'
  FROM famins.claims GROUP BY status ORDER BY status;
\echo
\echo == declines by reason
SELECT rpad(r, 40) || lpad(count(*)::text, 8) FROM famins.claims c
  JOIN famins.claim_decisions d ON d.claim_id = c.claim_id AND d.outcome = 'declined', unnest(d.reasons) r
  WHERE c.status = 'declined' GROUP BY r ORDER BY count(*) DESC, r;
SQL
events=$(wc -l <"$logs/claim-labels.jsonl")
awk -v n="$events" -v a="$claims_started" -v c="$claims_drained" 'BEGIN {
    printf "run-wave: %d claim events decided %.1f s after the start: %.0f events/s end to end\n", n, c - a, n / (c - a) }'
