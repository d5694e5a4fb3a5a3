#!/usr/bin/env bash
# write_cost.sh — what one event costs PostgreSQL, in figures that do not depend on the machine's load:
# WAL bytes, rows and index entries written per event, statements (round trips) per batch.
#
#   FAMINS_BUILD_DIR=$PWD/build bash tests/bench/tools/write_cost.sh [--households N] [--seed S] [--pg-port P]
#                                                                    [--claims-rate R]
#
# The real pipeline (famins-eligibility, famins-subsidy, famins-relay, then famins-adjudicator) runs on a fixed
# wave (famins-wavegen, fixed seed, produced before any worker starts, so batches are full) against a PRIVATE
# PostgreSQL 15 cluster started by this script (data in /tmp/famins-wc-pg, port 15532 by default) and the shared
# Kafka: the cluster-wide WAL position then moves for this run only. It runs with the local stack's durability
# and checkpoint settings, plus pg_stat_statements (per-statement calls and WAL) and autovacuum off (so that
# nothing but the pipeline writes WAL during a phase). A CHECKPOINT precedes each phase, so that the full-page
# images a phase writes (one per page it first touches) are the same from run to run.
#
# Two phases, measured separately: enrollment (N households: eligibility, subsidy, the relay publishing both
# outboxes) and claims (famins-wavegen claims on the wave's policies: the adjudicator and the relay). After each
# phase the workers are stopped (their sessions end, so their table statistics are flushed), then it prints:
#   - WAL bytes per event (pg_wal_lsn_diff over the phase; the workers' statements' own share from
#     pg_stat_statements),
#   - rows per event per table (pg_stat_user_tables: inserted, updated (of which HOT), deleted),
#   - index entries per event, per index: every row version written that the index holds (a HOT update writes
#     none); partial indexes are evaluated on the versions (see index_entries below),
#   - statements per batch, per role (pg_stat_statements calls, BEGIN/COMMIT/COPY included; a COPY is two round
#     trips, a PQprepare one more that pg_stat_statements does not see), batches = the positions' compare-and-set;
#     the server's execution and planning time per batch and per statement (track_planning on), CPU-bound on
#     the local stack: where a batch's fixed cost goes.
# --claims-rate R: the claims are produced at R/s while the adjudicator runs (famins-wavegen --rate), so its
# batches are those of a steady rate (small: the benchmark's steady run) instead of full ones.
# The private cluster keeps running for the next run (each run makes and drops its own database); stop it with
# `runuser -u famins -- /usr/lib/postgresql/15/bin/pg_ctl -D /tmp/famins-wc-pg/data stop` (without runuser when not root).
# Needs: root or the user owning the private cluster (PostgreSQL refuses to run as root: it runs as
# FAMINS_STACK_USER, default famins), the shared Kafka up (deploy/local/stack.sh up), a build.
set -euo pipefail

households=5000
seed=2026
pg_port=15532
claims_rate=0
while [ $# -gt 0 ]; do
    case "$1" in
    --households) households="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --pg-port) pg_port="$2"; shift 2 ;;
    --claims-rate) claims_rate="$2"; shift 2 ;;
    *) sed -n '2,33p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
    esac
done

: "${FAMINS_BUILD_DIR:?FAMINS_BUILD_DIR must name the build folder}"
FAMINS_SOURCE_DIR=${FAMINS_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
export FAMINS_SOURCE_DIR FAMINS_BUILD_DIR
BIN="$FAMINS_BUILD_DIR/services"
PG_BINDIR=${FAMINS_PG_BINDIR:-/usr/lib/postgresql/15/bin}
STACK_USER=${FAMINS_STACK_USER:-famins}
PGW=${FAMINS_WC_PG_DIR:-/tmp/famins-wc-pg}
WORK=$(mktemp -d /tmp/famins-wc.XXXXXX)
log() { echo "[write_cost $(date -u +%H:%M:%S)] $*" >&2; }
fail() { log "FAIL: $*; logs in $WORK"; exit 1; }

as_pg_user() {
    if [ "$(id -u)" = 0 ]; then (cd / && runuser -u "$STACK_USER" -- "$@"); else "$@"; fi
}

# ---------------------------------------------------------------- the private cluster
if [ ! -s "$PGW/data/PG_VERSION" ]; then
    mkdir -p "$PGW/socket"
    [ "$(id -u)" != 0 ] || chown -R "$STACK_USER:" "$PGW"
    as_pg_user "$PG_BINDIR/initdb" -D "$PGW/data" -U postgres -A trust --encoding=UTF8 --locale=C.UTF-8 \
        >"$WORK/initdb.log" 2>&1 || fail "initdb failed"
    cat >>"$PGW/data/postgresql.conf" <<EOF
# write_cost.sh: the local stack's settings (deploy/local/stack.sh), plus statement statistics, no autovacuum
listen_addresses = '127.0.0.1'
port = $pg_port
unix_socket_directories = '$PGW/socket'
max_connections = 100
shared_buffers = 256MB
fsync = on
synchronous_commit = on
full_page_writes = on
track_commit_timestamp = on
max_wal_size = 4GB
min_wal_size = 1GB
checkpoint_timeout = 15min
autovacuum = off
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.max = 10000
pg_stat_statements.track_utility = on
EOF
fi
if ! as_pg_user "$PG_BINDIR/pg_ctl" -D "$PGW/data" status >/dev/null 2>&1; then
    as_pg_user "$PG_BINDIR/pg_ctl" -D "$PGW/data" -l "$PGW/server.log" -w start >/dev/null ||
        fail "the private PostgreSQL did not start (see $PGW/server.log)"
fi
SUPER="host=127.0.0.1 port=$pg_port user=postgres"
sq() { psql "$SUPER dbname=$1" -v ON_ERROR_STOP=1 -qAt -c "$2"; }
# Planning time too (a cluster made by an earlier version of this script lacks it in its file).
sq postgres "ALTER SYSTEM SET pg_stat_statements.track_planning = on" >/dev/null
sq postgres "SELECT pg_reload_conf()" >/dev/null
psql "$SUPER dbname=postgres" -v ON_ERROR_STOP=1 -qAt >/dev/null <<'EOF'
SELECT 'CREATE ROLE famins_admin LOGIN CREATEDB' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'famins_admin') \gexec
SELECT format('CREATE ROLE %I LOGIN', r)
  FROM unnest(ARRAY['famins_eligibility', 'famins_subsidy', 'famins_adjudicator', 'famins_relay',
                    'famins_reporter', 'famins_operator']) AS r
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) \gexec
GRANT pg_checkpoint TO famins_admin;
SELECT 'CREATE DATABASE famins OWNER famins_admin' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'famins') \gexec
EOF

# ---------------------------------------------------------------- the run's database and topics
export FAMINS_PG_PORT=$pg_port FAMINS_TOPIC_PARTITIONS=6
# shellcheck source=../../support/itest.sh
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    itest_done
}
itest_init write_cost
trap cleanup EXIT
sq "$ITEST_DB" "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
q() { itest_psql -c "$1"; }

worker_env=(FAMINS_PERSON_KEY_SECRET=famins-bench-secret FAMINS_SESSION_TIMEOUT_MS=6000)
start_service() { # NAME VAR=value... BINARY
    local name="$1"
    shift
    env "${worker_env[@]}" "$@" >>"$WORK/$name.log" 2>&1 &
    LAST_PID=$!
    PIDS+=("$LAST_PID")
}
stop_service() { kill -TERM "$1" 2>/dev/null || true; wait "$1" || log "WARNING: process $1 exited $? after SIGTERM"; }
hw() { # TOPIC: sum of high watermarks
    local args=() p
    for ((p = 0; p < FAMINS_TOPIC_PARTITIONS; p++)); do args+=(-t "$1:$p:-1"); done
    kcat -Q -b "$FAMINS_KAFKA_BOOTSTRAP" "${args[@]}" 2>/dev/null | awk '/offset/ { s += $NF } END { print s + 0 }'
}
pos() { q "SELECT coalesce(sum(next_offset), 0) FROM famins.consumer_positions WHERE topic = '$1'"; }
wait_for() { # DESCRIPTION COMMAND...: polls until COMMAND succeeds (10 min at most)
    local what="$1" i
    shift
    for ((i = 0; i < 3000; i++)); do "$@" && return 0; sleep 0.2; done
    fail "$what not reached"
}

# phase_begin: a checkpoint, statistics reset, the WAL position.
phase_begin() {
    sq "$ITEST_DB" "CHECKPOINT" >/dev/null
    sq "$ITEST_DB" "SELECT pg_stat_reset(), pg_stat_statements_reset()" >/dev/null
    WAL0=$(sq "$ITEST_DB" "SELECT pg_current_wal_lsn()")
}
# phase_end NAME EVENTS UNIT: the report of one phase (the workers are stopped: their statistics are flushed).
phase_end() {
    local name="$1" events="$2" unit="$3"
    sleep 1.5
    psql "$SUPER dbname=$ITEST_DB" -v ON_ERROR_STOP=1 -qAt -v wal0="$WAL0" -v ev="$events" >"$WORK/$name.md" <<'SQL'
\pset format unaligned
\pset tuples_only on
CREATE TEMP TABLE t AS
SELECT s.relid, s.relname, s.n_tup_ins AS ins, s.n_tup_upd AS upd, s.n_tup_hot_upd AS hot, s.n_tup_del AS del
  FROM pg_stat_user_tables s WHERE s.schemaname = 'famins' AND s.n_tup_ins + s.n_tup_upd + s.n_tup_del > 0;
-- Index entries written: one per row version the index holds. A non-partial index holds every inserted row and
-- every non-HOT update. A partial index: the live rows matching its predicate now, plus the outbox rows that
-- were inserted unsent and are now sent (outbox_unsent held them when inserted); an approximation for tables
-- whose rows move in and out of a predicate within a phase (the outbox is the only one here).
CREATE TEMP TABLE ix (idx text, tbl text, partial bool, entries numeric);
DO $$
DECLARE r record; n bigint;
BEGIN
  FOR r IN SELECT i.indexrelid::regclass::text AS idx, t.relname, t.ins, t.upd - t.hot AS nonhot,
                  pg_get_expr(i.indpred, i.indrelid) AS pred, i.indrelid::regclass::text AS rel
             FROM pg_index i JOIN t ON t.relid = i.indrelid LOOP
    IF r.pred IS NULL THEN
      INSERT INTO ix VALUES (r.idx, r.relname, false, r.ins + r.nonhot);
    ELSE
      EXECUTE format('SELECT count(*) FROM %s WHERE %s', r.rel, r.pred) INTO n;
      -- Rows of earlier phases may match too: a phase wrote at most its own versions.
      n := least(n, r.ins + r.nonhot);
      IF r.idx = 'famins.outbox_unsent' THEN n := r.ins; END IF;
      IF r.idx = 'famins.outbox_sent_at' THEN n := least(n, r.nonhot); END IF;
      INSERT INTO ix VALUES (r.idx, r.relname, true, n);
    END IF;
  END LOOP;
END $$;
SELECT format('WAL bytes per event (whole cluster, checkpoint before): **%s** (%s bytes for %s events); '
              'of which the statements of the workers and the relay: %s, full-page images %s',
              round(pg_wal_lsn_diff(pg_current_wal_lsn(), :'wal0'::pg_lsn) / :ev, 0),
              pg_wal_lsn_diff(pg_current_wal_lsn(), :'wal0'::pg_lsn), :ev,
              round((SELECT sum(wal_bytes) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
                      WHERE d.datname = current_database()) / :ev, 0),
              (SELECT sum(wal_fpi) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
                WHERE d.datname = current_database()));
SELECT '';
SELECT '| table | inserted | updated (HOT) | deleted | rows written per event | indexes | index entries per event |';
SELECT '|---|---:|---:|---:|---:|---:|---:|';
SELECT format('| %s | %s | %s (%s) | %s | %s | %s | %s |', t.relname, t.ins, t.upd, t.hot, t.del,
              round((t.ins + t.upd + t.del)::numeric / :ev, 3),
              (SELECT count(*) FROM ix WHERE ix.tbl = t.relname),
              round((SELECT coalesce(sum(entries), 0) FROM ix WHERE ix.tbl = t.relname) / :ev, 3))
  FROM t ORDER BY t.relname;
SELECT format('| **total** | %s | %s (%s) | %s | **%s** | %s | **%s** |', sum(ins), sum(upd), sum(hot), sum(del),
              round(sum(ins + upd + del)::numeric / :ev, 3), (SELECT count(*) FROM ix),
              round((SELECT sum(entries) FROM ix) / :ev, 3)) FROM t;
SELECT '';
SELECT '| index | partial | entries written | per event |';
SELECT '|---|---|---:|---:|';
SELECT format('| %s | %s | %s | %s |', idx, CASE WHEN partial THEN 'yes' ELSE '' END, entries, round(entries / :ev, 3))
  FROM ix ORDER BY tbl, idx;
SELECT '';
-- Batches per role: calls of the positions' compare-and-set (one statement per batch).
CREATE TEMP TABLE st AS
SELECT r.rolname, s.calls, s.wal_bytes, s.rows, s.total_exec_time AS exec_ms, s.total_plan_time AS plan_ms,
       regexp_replace(left(s.query, 90), '\s+', ' ', 'g') AS query,
       s.query ~ '^WITH q AS .*UPDATE famins\.consumer_positions' AS is_cas
  FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid JOIN pg_database d ON d.oid = s.dbid
 WHERE d.datname = current_database() AND r.rolname <> 'postgres' AND r.rolname <> 'famins_admin';
SELECT '| role | batches | statements | statements per batch | WAL bytes of its statements per event | execution ms per batch | planning ms per batch |';
SELECT '|---|---:|---:|---:|---:|---:|---:|';
SELECT format('| %s | %s | %s | %s | %s | %s | %s |', rolname, b, sum(calls), CASE WHEN b > 0 THEN round(sum(calls) / b, 2) END,
              round(sum(wal_bytes) / :ev, 0), CASE WHEN b > 0 THEN round((sum(exec_ms) / b)::numeric, 2) END,
              CASE WHEN b > 0 THEN round((sum(plan_ms) / b)::numeric, 2) END)
  FROM (SELECT st.*, (SELECT coalesce(sum(calls), 0) FROM st s2 WHERE s2.rolname = st.rolname
                       AND s2.is_cas) AS b FROM st) x
 GROUP BY rolname, b ORDER BY rolname;
SELECT '';
SELECT '| role | calls | rows | WAL bytes | execution ms | planning ms | statement |';
SELECT '|---|---:|---:|---:|---:|---:|---|';
SELECT format('| %s | %s | %s | %s | %s | %s | `%s` |', rolname, calls, rows, wal_bytes, round(exec_ms::numeric, 1),
              round(plan_ms::numeric, 1), replace(query, '|', '\|'))
  FROM st ORDER BY rolname, exec_ms + plan_ms DESC, query;
SQL
    {
        echo "### $name: $events $unit"
        echo
        cat "$WORK/$name.md"
        echo
    } >>"$WORK/report.md"
}

IN_TOPIC="${FAMINS_TOPIC_PREFIX}enrollment.submitted"
DECIDED_TOPIC="${FAMINS_TOPIC_PREFIX}enrollment.decided"
CLAIMS_TOPIC="${FAMINS_TOPIC_PREFIX}claim.events"

# ---------------------------------------------------------------- enrollment
log "wave: $households households, seed $seed"
"$BIN/wavegen/famins-wavegen" enroll --households "$households" --seed "$seed" --quiet \
    --policies-out "$WORK/policies.jsonl" -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$IN_TOPIC" >"$WORK/wavegen.log" 2>&1 ||
    fail "famins-wavegen enroll failed"
in_messages=$(hw "$IN_TOPIC")
phase_begin
start_service eligibility FAMINS_ELIGIBILITY_PG_DSN="$(itest_dsn_as famins_eligibility)" \
    "$BIN/eligibility/famins-eligibility"
elig_pid=$LAST_PID
start_service subsidy FAMINS_SUBSIDY_PG_DSN="$(itest_dsn_as famins_subsidy)" "$BIN/subsidy/famins-subsidy"
subs_pid=$LAST_PID
start_service relay FAMINS_PG_DSN="$(itest_dsn_as famins_relay)" "$BIN/relay/famins-relay"
relay_pid=$LAST_PID
enroll_done() {
    [ "$(pos "$IN_TOPIC")" -ge "$in_messages" ] || return 1
    [ "$(q "SELECT count(*) FROM famins.outbox WHERE sent_at IS NULL")" = 0 ] || return 1
    local d
    d=$(hw "$DECIDED_TOPIC")
    [ "$d" -gt 0 ] && [ "$(pos "$DECIDED_TOPIC")" -ge "$d" ] &&
        [ "$(q "SELECT count(*) FROM famins.outbox WHERE sent_at IS NULL")" = 0 ]
}
wait_for "enrollment drained" enroll_done
for p in "$elig_pid" "$subs_pid" "$relay_pid"; do stop_service "$p"; done
log "enrollment: $in_messages messages drained"
phase_end enrollment "$households" "households ($in_messages messages on enrollment.submitted)"

# ---------------------------------------------------------------- claims
produce_claims() { # [wavegen options]
    "$BIN/wavegen/famins-wavegen" claims --policies "$WORK/policies.jsonl" --seed "$seed" --quiet \
        -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$CLAIMS_TOPIC" "$@" >"$WORK/wavegen-claims.log" 2>&1 ||
        fail "famins-wavegen claims failed"
}
[ "$claims_rate" != 0 ] || produce_claims
phase_begin
start_service adjudicator FAMINS_PG_DSN="$(itest_dsn_as famins_adjudicator)" "$BIN/adjudicator/famins-adjudicator"
adj_pid=$LAST_PID
start_service relay FAMINS_PG_DSN="$(itest_dsn_as famins_relay)" "$BIN/relay/famins-relay"
relay_pid=$LAST_PID
if [ "$claims_rate" != 0 ]; then
    # Paced while the adjudicator runs, once it holds its partitions: a steady rate's batches.
    wait_for "adjudicator assigned" grep -q 'event=partition_assigned' "$WORK/adjudicator.log"
    sleep 1
    produce_claims --rate "$claims_rate"
fi
claim_messages=$(hw "$CLAIMS_TOPIC")
claims_done() {
    [ "$(pos "$CLAIMS_TOPIC")" -ge "$claim_messages" ] &&
        [ "$(q "SELECT count(*) FROM famins.outbox WHERE sent_at IS NULL")" = 0 ]
}
wait_for "claims drained" claims_done
for p in "$adj_pid" "$relay_pid"; do stop_service "$p"; done
log "claims: $claim_messages messages drained"
phase_end claims "$claim_messages" "claim.events messages"

cat "$WORK/report.md"
rm -rf "$WORK"
