#!/usr/bin/env bash
# crash_kill.sh — exactly once through crashes: during a wave of CRASH_HOUSEHOLDS households (default 50,000),
# famins-eligibility, famins-subsidy and famins-relay are each SIGKILLed CRASH_KILLS times (default 20) at random
# moments and restarted at once (static membership: each takes its partitions straight back). When everything
# is drained the database must hold exactly one decision per distinct valid event and one dead letter per
# unreadable message, equal to famins-wavegen's labels, and identical (checksum of the decision, member, policy,
# insured-person, ledger and dead-letter rows, without ids, timestamps and offsets) to an uninterrupted run of
# the same seed, which runs meanwhile on a database of its own; the subsidy ledger reconciles to 4000 fen x the
# accepted category-A households of each managing unit.
# For each kill it records whether the worker had a write transaction open (pg_stat_activity, by
# application_name, polled inside PostgreSQL; the kill follows the poll's answer within one psql exit) and requires at least half of the kills to hit one; the
# runtime's replay counters are summed from the logs.
# Profiles: CI (defaults) CRASH_HOUSEHOLDS=50000 CRASH_KILLS=20; soak: CRASH_HOUSEHOLDS=200000 CRASH_KILLS=100.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init enrollment_crash
source "$FAMINS_SOURCE_DIR/tests/integration/enrollment/enr_common.sh"

households="${CRASH_HOUSEHOLDS:-50000}"
kills="${CRASH_KILLS:-20}"
seed="${CRASH_SEED:-90210}"
super_dsn="${FAMINS_PG_SUPER_DSN:-host=127.0.0.1 port=${FAMINS_PG_PORT:-15432} dbname=postgres user=postgres}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
kill_log="$ENR_LOGS/kills.txt"
: >"$kill_log"

# The uninterrupted run, meanwhile (it uses the idle time of the restarts).
bash "$here/crash_baseline.sh" "$ENR_LOGS/baseline.md5" "$households" "$seed" >"$ENR_LOGS/baseline.out" 2>&1 &
base_pid=$!
# On the way out the uninterrupted run is stopped with SIGTERM, so that its own clean-up stops its services and
# drops its database.
trap 'kill -TERM "$base_pid" 2>/dev/null || true; wait "$base_pid" 2>/dev/null || true; enr_cleanup' EXIT

declare -A pid app
app[elig]=crash-elig app[subs]=crash-subs app[relay]=crash-relay
start() {
    case "$1" in
    elig) enr_start_elig "${app[elig]}" ;;
    subs) enr_start_subs "${app[subs]}" ;;
    relay) enr_start_relay "${app[relay]}" ;;
    esac
    pid[$1]=$ENR_LAST_PID
}

# wait_open_write_txn WORKER TRIES: polls pg_stat_activity inside PostgreSQL (one psql call: a shell loop of
# psql calls is far too slow on a loaded machine), TRIES times 10 ms, until the worker's session has a
# transaction open that wrote (it holds an xid); prints 1 when it found one, else 0.
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
            RAISE WARNING 'open=%', found::int;  -- WARNING: itest.sh sets client_min_messages=warning
        END \$\$" 2>&1 | sed -n 's/.*open=\([01]\).*/\1/p'
}

start elig
start relay
start subs
started=$(date +%s.%N)
enr_wave "$households" "$seed" "$ENR_LOGS/labels.jsonl" &
wave_pid=$!

# Rounds of one kill per worker, at random moments: a short random pause, then polling for the worker's write
# transaction (eligibility: up to 1.5 s; subsidy, idle while it waits for the relay: up to 5 s), then SIGKILL
# whatever was found, and an immediate restart. The relay has no batch transaction (it reads the outbox, publishes,
# then marks the rows sent, each in autocommit): its kill records the unsent outbox rows instead, the window in
# which a kill makes it publish again (consumers deduplicate by event id).
for ((round = 1; round <= kills; round++)); do
    for w in elig subs relay; do
        sleep "0.$((RANDOM % 6 + 1))"
        case "$w" in
        elig) open=$(wait_open_write_txn "$w" 150) ;;
        subs) open=$(wait_open_write_txn "$w" 500) ;;
        relay) open=-; pending=$(enr_unsent) ;;
        esac
        kill -KILL "${pid[$w]}" 2>/dev/null || enr_fail "$w (pid ${pid[$w]}) was not running at kill $round"
        wait "${pid[$w]}" 2>/dev/null || true
        if [ "$w" = relay ]; then
            echo "round=$round worker=$w unsent_outbox_rows=$pending t=$(date +%s.%N)" >>"$kill_log"
        else
            echo "round=$round worker=$w open_write_txn=${open:-0} t=$(date +%s.%N)" >>"$kill_log"
        fi
        start "$w"
    done
done
wait "$wave_pid" || enr_fail "famins-wavegen failed"
enr_drain "${CRASH_DRAIN_S:-900}"
drained=$(date +%s.%N)

for w in elig subs relay; do enr_stop "${pid[$w]}"; done

total=$(grep -c . "$kill_log")
open_total=$(grep -c "open_write_txn=1" "$kill_log" || true)
for w in elig subs; do
    echo "kills of $w: $(grep -c "worker=$w " "$kill_log"), with a write transaction open: $(grep "worker=$w " "$kill_log" | grep -c "open_write_txn=1" || true)"
done
echo "kills of relay: $(grep -c "worker=relay " "$kill_log"), with unsent outbox rows: $(grep "worker=relay " "$kill_log" | grep -vc "unsent_outbox_rows=0" || true)"
batch_kills=$(grep -c "open_write_txn=" "$kill_log" || true)
# The runtime's own replay counters: the last counters line of each run of each worker (a killed run's last
# periodic line), summed.
replays=$(awk '/event=worker_started/ { s += last; last = 0 } /event=worker_(counters|stopped)/ {
    if (match($0, /replays=[0-9]+/)) last = substr($0, RSTART + 8, RLENGTH - 8) } END { print s + last }' \
    "$ENR_LOGS/crash-elig.log" "$ENR_LOGS/crash-subs.log")
echo "kills: $total; of the $batch_kills of workers with batch transactions, $open_total with one open (each such batch rolled back and re-read after the restart); batches the runtime redid by itself: $replays"
[ "$total" = $((3 * kills)) ] || enr_fail "$total kills recorded, want $((3 * kills))"
[ $((2 * open_total)) -ge "$batch_kills" ] || enr_fail "only $open_total of $batch_kills worker kills hit an open batch transaction (want at least half)"
enr_ok "$total SIGKILLs; $open_total of the $batch_kills eligibility and subsidy kills with a batch transaction open"

enr_load_labels "$ENR_LOGS/labels.jsonl" >/dev/null
enr_check_labels "$households households through $total kills"
enr_check_ledger "$households households through $total kills"
twice=$(itest_psql -c "SELECT (SELECT count(*) FROM famins.enrollment_decisions) - (SELECT count(DISTINCT source_event_id) FROM famins.enrollment_decisions)")
[ "$twice" = 0 ] || enr_fail "$twice events decided twice"

awk -v n="$households" -v a="$started" -v b="$drained" 'BEGIN { printf "ok: %d households end to end in %.1f s through the kills: %.0f households/s\n", n, b - a, n / (b - a) }'

wait "$base_pid" || { cat "$ENR_LOGS/baseline.out" >&2; enr_fail "the uninterrupted run failed"; }
mine=$(enr_checksum)
theirs=$(cat "$ENR_LOGS/baseline.md5")
[ -n "$mine" ] && [ "$mine" = "$theirs" ] || enr_fail "checksum $mine differs from the uninterrupted run's $theirs"
enr_ok "checksum of the decisions $mine equals the uninterrupted run's"
ENR_PIDS=()
