#!/usr/bin/env bash
# famins-admin against the real stack: a second run changes nothing (schema dump and topic metadata
# compared), a tampered migration is refused, and a missing database gives a clear error.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init admin
admin="$FAMINS_BUILD_DIR/services/admin/famins-admin"
work=$(mktemp -d)
trap 'itest_done; rm -rf "$work"' EXIT

topics_of_prefix() {
    kcat -b "$FAMINS_KAFKA_BOOTSTRAP" -L -J -m 10 |
        /usr/bin/python3 -c '
import json, sys
prefix = sys.argv[1]
md = json.load(sys.stdin)
for t in sorted(md["topics"], key=lambda t: t["topic"]):
    if t["topic"].startswith(prefix):
        print(t["topic"], len(t["partitions"]))
' "$FAMINS_TOPIC_PREFIX"
}
dump_schema() {
    # \restrict lines carry a random key per dump (pg_dump 15.14+): not part of the schema.
    pg_dump --schema-only --no-owner "$FAMINS_PG_DSN" | grep -v -e '^--' -e '^$' -e '^\\restrict ' -e '^\\unrestrict '
}

# itest_init ran famins-admin once. Every topic of the table exists with 6 partitions. A broker's
# metadata may lag a CreateTopics answer by a moment: wait (bounded) until all 8 are listed.
for _ in $(seq 1 30); do
    topics_of_prefix >"$work/topics1"
    [ "$(wc -l <"$work/topics1")" -eq 9 ] && break
    sleep 1
done
expected_topics="enrollment.submitted enrollment.decided subsidy.allocated claim.events claim.decided enrollment.submitted.dlq enrollment.decided.dlq claim.events.dlq claim.payment"
for t in $expected_topics; do
    grep -qx "${FAMINS_TOPIC_PREFIX}$t 6" "$work/topics1" || itest_fail "topic $t missing or not 6 partitions: $(cat "$work/topics1")"
done
[ "$(wc -l <"$work/topics1")" -eq 9 ] || itest_fail "expected 9 topics, got: $(cat "$work/topics1")"
dump_schema >"$work/schema1"
migrations1=$(itest_psql -c "SELECT version, checksum, applied_at FROM famins_meta.schema_migrations ORDER BY 1")
[ -n "$migrations1" ] || itest_fail "no migration recorded"

# A second run changes nothing.
"$admin" all 2>"$work/second.log" || { cat "$work/second.log"; itest_fail "second famins-admin run failed"; }
grep -q 'applied=0' "$work/second.log" || itest_fail "second run applied something: $(cat "$work/second.log")"
grep -q 'created=0' "$work/second.log" || itest_fail "second run created topics: $(cat "$work/second.log")"
topics_of_prefix >"$work/topics2"
dump_schema >"$work/schema2"
diff -u "$work/topics1" "$work/topics2" || itest_fail "topic metadata changed on the second run"
diff -u "$work/schema1" "$work/schema2" || itest_fail "schema changed on the second run"
[ "$(itest_psql -c "SELECT version, checksum, applied_at FROM famins_meta.schema_migrations ORDER BY 1")" = "$migrations1" ] ||
    itest_fail "migration records changed on the second run"

# A topic with another partition count is reported (exit 3), never altered.
FAMINS_TOPIC_PARTITIONS_OVERRIDES=claim.events=12 "$admin" topics 2>"$work/drift.log" && code=0 || code=$?
[ "$code" -eq 3 ] || itest_fail "partition drift: expected exit 3, got $code: $(cat "$work/drift.log")"
grep -q 'topic_partitions_differ topic=.*claim.events partitions=6 configured=12' "$work/drift.log" ||
    itest_fail "drift not reported: $(cat "$work/drift.log")"

# A tampered migration is refused, and nothing after it is applied.
cp -r "$FAMINS_SOURCE_DIR/schemas/sql" "$work/sql"
echo "-- tampered" >>"$work/sql/001_foundation.sql"
printf 'CREATE TABLE famins.should_not_exist (x int);\n' >"$work/sql/999_after_tamper.sql"
FAMINS_SQL_DIR="$work/sql" "$admin" migrate 2>"$work/tamper.log" && code=0 || code=$?
[ "$code" -eq 1 ] || itest_fail "tampered migration: expected exit 1, got $code"
grep -q 'MIGRATION_CHANGED' "$work/tamper.log" || itest_fail "no MIGRATION_CHANGED: $(cat "$work/tamper.log")"
grep -q '001_foundation.sql was changed after it was applied' "$work/tamper.log" || itest_fail "message does not name the file"
[ "$(itest_psql -c "SELECT to_regclass('famins.should_not_exist') IS NULL")" = t ] || itest_fail "a migration was applied after the refusal"

# A failing migration is rolled back whole and not recorded.
rm "$work/sql/999_after_tamper.sql"
cp "$FAMINS_SOURCE_DIR/schemas/sql/001_foundation.sql" "$work/sql/001_foundation.sql"
printf 'CREATE TABLE famins.half (x int);\nSELECT no_such_function();\n' >"$work/sql/998_broken.sql"
FAMINS_SQL_DIR="$work/sql" "$admin" migrate 2>"$work/broken.log" && code=0 || code=$?
[ "$code" -eq 1 ] || itest_fail "broken migration: expected exit 1, got $code"
grep -q 'MIGRATION_FAILED' "$work/broken.log" || itest_fail "no MIGRATION_FAILED: $(cat "$work/broken.log")"
[ "$(itest_psql -c "SELECT to_regclass('famins.half') IS NULL")" = t ] || itest_fail "broken migration left a table"
[ "$(itest_psql -c "SELECT count(*) FROM famins_meta.schema_migrations WHERE version = 998")" = 0 ] || itest_fail "broken migration recorded"

# An unreachable database is a clear error, within a bound.
FAMINS_PG_DSN="host=127.0.0.1 port=1 dbname=x connect_timeout=1" timeout 60 "$admin" migrate 2>"$work/down.log" && code=0 || code=$?
[ "$code" -eq 1 ] || itest_fail "unreachable database: expected exit 1, got $code"
grep -q 'PG_UNREACHABLE' "$work/down.log" || itest_fail "no PG_UNREACHABLE: $(cat "$work/down.log")"
echo "admin: all checks passed"
