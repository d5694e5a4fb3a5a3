#!/usr/bin/env bash
# runtime_dedup_plan.sh — the batch's deduplication read stays a few index probes per event id when the
# statistics do not know the reading group (dedup_plan_itest.c says why): processed_events analysed with another
# group's 200,000 rows only, then 30,000 rows of the reading group that no ANALYZE sees (autovacuum off on the
# table, so none comes in the middle).
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init runtime_dedup_plan
itest_psql <<'SQL'
ALTER TABLE famins.processed_events SET (autovacuum_enabled = off);
INSERT INTO famins.processed_events (consumer_group, event_id, content_hash, topic, partition, kafka_offset)
    SELECT 'other-group', 'other-' || n, 'h-' || n, 't', 0, n FROM generate_series(1, 200000) n;
ANALYZE famins.processed_events;
INSERT INTO famins.processed_events (consumer_group, event_id, content_hash, topic, partition, kafka_offset)
    SELECT 'dedup-plan-group', 'ev-' || n, 'h-' || n, 't', 0, n FROM generate_series(1, 30000) n;
SQL
"$FAMINS_BUILD_DIR/tests/integration/runtime/runtime_dedup_plan_itest"
