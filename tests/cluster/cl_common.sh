#!/usr/bin/env bash
# cl_common.sh — shared by the cluster tests (label cluster): brings up deploy/local/cluster.sh's three-broker
# KRaft cluster (idempotent; the shared stack is never touched), points the test's topics at it with replication
# factor 3 and min.insync.replicas 2, and checks that every output topic holds every event of the outbox.
CL_SCRIPT="$FAMINS_SOURCE_DIR/deploy/local/cluster.sh"

cl_kafka_up() {
    FAMINS_SKIP_INSTALL=1 bash "$CL_SCRIPT" up kafka >"/tmp/cluster-up-$$.log" 2>&1 ||
        { cat "/tmp/cluster-up-$$.log" >&2; echo "FAIL: cluster.sh up kafka" >&2; exit 1; }
    eval "$(bash "$CL_SCRIPT" env | grep -E 'FAMINS_KAFKA_BOOTSTRAP|FAMINS_TOPIC_(REPLICATION|MIN_INSYNC)')"
}

cl_cluster() { bash "$CL_SCRIPT" "$@" >>"$ENR_LOGS/cluster.log" 2>&1 || enr_fail "cluster.sh $* failed"; }

# cl_check_outputs WHAT: every event the outbox holds for a topic is on that topic (by its event_id header, read
# committed, from the start), and nothing is there that the outbox does not hold. A message may appear twice (the relay publishes at
# least once); the consumers' deduplication is checked by the labels.
cl_check_outputs() {
    local topic want have
    for topic in $(itest_psql -c "SELECT DISTINCT topic FROM famins.outbox"); do
        want=$(itest_psql -c "SELECT count(DISTINCT event_id) FROM famins.outbox WHERE topic = '$topic'")
        have=$(timeout 120 kcat -C -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$topic" -o beginning -e -q \
            -X isolation.level=read_committed -f '%h\n' 2>>"$ENR_LOGS/kcat.log" |
            python3 -c 'import sys
ids = set()
for line in sys.stdin:
    ids.update(h[len("event_id="):] for h in line.strip().split(",") if h.startswith("event_id="))
print(len(ids))')
        [ "$want" = "$have" ] || enr_fail "$1: topic $topic holds $have distinct events, the outbox $want"
        enr_ok "$1: $topic holds all $want events of the outbox"
    done
}

# cl_pg_fresh_pair: a new primary (25432) and synchronous standby (25433) of deploy/local/cluster.sh (the failover
# test leaves a promoted standby behind), then the test's database on the pair. Every DSN is multi-host with
# target_session_attrs=read-write: the services and the test's own psql follow a promotion by themselves.
# A standby killed in an earlier run leaves its socket's lock file behind: it is planted here every time, so that
# the standby's start must clear it while the primary runs (once taken for an orphan of the standby: a CI failure).
cl_pg_fresh_pair() {
    local sock="${FAMINS_CLUSTER_DIR:-/var/tmp/famins-cluster}/pg-standby/socket"
    { bash "$CL_SCRIPT" reset pg && mkdir -p "$sock" && printf '2147483\n' >"$sock/.s.PGSQL.25433.lock" &&
        FAMINS_SKIP_INSTALL=1 bash "$CL_SCRIPT" up pg; } >"/tmp/cluster-pg-$$.log" 2>&1 ||
        { cat "/tmp/cluster-pg-$$.log" >&2; echo "FAIL: cluster.sh reset pg / up pg" >&2; exit 1; }
    grep -q "cleared the lock files" "/tmp/cluster-pg-$$.log" ||
        { cat "/tmp/cluster-pg-$$.log" >&2; echo "FAIL: the standby's stale lock file was not cleared" >&2; exit 1; }
    CL_PG_PRIMARY=25432
    CL_PG_STANDBY=25433
    CL_PG_HOSTS="host=127.0.0.1,127.0.0.1 port=$CL_PG_PRIMARY,$CL_PG_STANDBY target_session_attrs=read-write"
    export FAMINS_PG_PORT=$CL_PG_PRIMARY
    export FAMINS_PG_ADMIN_DSN="$CL_PG_HOSTS dbname=famins user=famins_admin"
}

# After itest_init: the test's DSNs become multi-host.
cl_pg_multi_host() {
    export FAMINS_PG_DSN="$CL_PG_HOSTS dbname=$ITEST_DB user=famins_admin"
    itest_dsn_as() { echo "$CL_PG_HOSTS dbname=$ITEST_DB user=$1"; }
}

# cl_pg_wait_replayed SECONDS: until the standby has replayed every WAL record the primary has written.
cl_pg_wait_replayed() {
    local deadline=$(($(date +%s) + $1)) lsn
    lsn=$(psql "host=127.0.0.1 port=$CL_PG_PRIMARY dbname=postgres user=postgres" -qAt -c "SELECT pg_current_wal_lsn()")
    while [ "$(psql "host=127.0.0.1 port=$CL_PG_STANDBY dbname=postgres user=postgres" -qAt \
        -c "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '$lsn') >= 0")" != t ]; do
        [ "$(date +%s)" -lt "$deadline" ] || enr_fail "the standby has not replayed up to $lsn after $1 s"
        sleep 0.2
    done
}

# cl_wait_topic TOPIC PARTITIONS: until the brokers' metadata lists the topic with its partitions (a topic just
# created by famins-admin can be unknown for a moment to a busy broker, and famins-wavegen refuses an unknown one).
cl_wait_topic() {
    local have=0 i
    for ((i = 0; i < 60; i++)); do
        have=$(kcat -L -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$1" 2>/dev/null | grep -c '^ *partition [0-9]*, leader [0-9]' || true)
        [ "$have" = "$2" ] && return 0
        sleep 0.5
    done
    enr_fail "topic $1 lists $have partitions after 30 s, want $2"
}
