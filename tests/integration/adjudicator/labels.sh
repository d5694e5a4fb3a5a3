#!/usr/bin/env bash
# labels.sh — a generated year of claims decided exactly as its labels say, claim by claim: famins-wavegen builds
# an enrollment wave (its policies seeded as the eligibility service creates them) and a plan year of claims and
# reviews with the decision each was built to get (by the generator's own accounting, not the rules' code), plus
# unreadable messages and re-sends; famins-adjudicator decides them from Kafka; every label is checked.
# Sizes: ADJ_LABELS_HOUSEHOLDS (default 3000, about 1 250 claim events), ADJ_LABELS_SEED.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init adj_labels
source "$FAMINS_SOURCE_DIR/tests/integration/adjudicator/adj_common.sh"
adj_wait_topic "$ADJ_IN"

HOUSEHOLDS=${ADJ_LABELS_HOUSEHOLDS:-3000}
SEED=${ADJ_LABELS_SEED:-9}
"$WAVEGEN_BIN" enroll --households "$HOUSEHOLDS" --seed "$SEED" --dry-run /dev/null \
    --policies-out "$ADJ_LOGS/policies.jsonl" --quiet >/dev/null 2>"$ADJ_LOGS/wavegen.log" || adj_fail "wavegen enroll"
"$TESTGEN_BIN" seed --policies "$ADJ_LOGS/policies.jsonl" 2>>"$ADJ_LOGS/seed.log" || adj_fail "seed"
"$WAVEGEN_BIN" claims --policies "$ADJ_LOGS/policies.jsonl" --seed "$SEED" --payments --labels "$ADJ_LOGS/labels.jsonl" \
    --quiet >>"$ADJ_LOGS/wavegen.log" 2>&1 || adj_fail "wavegen claims"
total=$(wc -l <"$ADJ_LOGS/labels.jsonl")

t0=$(date +%s.%N)
adj_start adj-labels FAMINS_LOG_LEVEL=info
pid=$ADJ_LAST_PID
adj_wait_sql 240 "$total" "$adj_consumed_sql"
t1=$(date +%s.%N)
adj_stop "$pid"

FAMINS_PG_DSN="$FAMINS_PG_DSN" "$TESTGEN_BIN" check-labels --labels "$ADJ_LOGS/labels.jsonl" --group "$ADJ_GROUP" ||
    adj_fail "decisions differ from their labels"
echo "labels: $total events in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
echo "labels: all passed"
