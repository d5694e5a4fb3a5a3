#!/usr/bin/env bash
# deploy/local/cluster.sh — a SEPARATE replicated test cluster on this one machine, next to the shared
# single-node stack of stack.sh (which it never touches): three Kafka KRaft nodes (each broker and controller,
# a controller quorum of three) and a PostgreSQL 15 primary with a synchronous streaming-replication hot
# standby. The same jars and server binaries as stack.sh, whose functions it reuses. See deploy/local/README.md
# ("The replicated test cluster") and --help.
set -euo pipefail

CLUSTER_SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CLUSTER_DIR=${FAMINS_CLUSTER_DIR:-/var/tmp/famins-cluster}
while [[ $CLUSTER_DIR == */ && $CLUSTER_DIR != / ]]; do CLUSTER_DIR=${CLUSTER_DIR%/}; done
# stack.sh's functions act on its globals; they are pointed at one node of the cluster at a time below.
FAMINS_STACK_DIR=$CLUSTER_DIR
# shellcheck source=stack.sh
source "$CLUSTER_SCRIPT_DIR/stack.sh"

BROKER_BASE=${FAMINS_CLUSTER_KAFKA_BASE_PORT:-29092}     # brokers 29092, 29093, 29094
# controllers 29292, 29293, 29294 (29192/29193 are deploy/local/test-stack.sh's)
CONTROLLER_BASE=${FAMINS_CLUSTER_CONTROLLER_BASE_PORT:-29292}
PG_PRIMARY_PORT=${FAMINS_CLUSTER_PG_PORT:-25432}
PG_STANDBY_PORT=${FAMINS_CLUSTER_PG_STANDBY_PORT:-25433}
KAFKA_HEAP=${FAMINS_CLUSTER_KAFKA_HEAP:--Xms256m -Xmx768m}
NODES=(1 2 3)
STANDBY_NAME=famins_standby

usage() {
    cat <<EOF
Usage: deploy/local/cluster.sh <command> [args]

A replicated test cluster in $CLUSTER_DIR (FAMINS_CLUSTER_DIR), separate from stack.sh's stack:
three Kafka $KAFKA_VERSION KRaft nodes (broker+controller each; brokers 127.0.0.1:$BROKER_BASE..$((BROKER_BASE + 2)),
controllers $CONTROLLER_BASE..$((CONTROLLER_BASE + 2))) and PostgreSQL $PG_MAJOR: a primary on $PG_PRIMARY_PORT and a
synchronous hot standby on $PG_STANDBY_PORT. Run as root, like stack.sh.

Commands:
  up [kafka|pg]        start the three brokers and/or the primary+standby pair (default both); already up is fine
  down [kafka|pg]      stop them (brokers SIGTERM, PostgreSQL pg_ctl -m fast)
  status               each node's state; exit 0 when all five run, 3 otherwise
  reset [kafka|pg]     down, then wipe the data (the next 'up' formats / initialises again)
  env                  export lines: FAMINS_KAFKA_BOOTSTRAP (all three brokers), FAMINS_PG_DSN (multi-host,
                       target_session_attrs=read-write), FAMINS_REPORT_PG_DSN (the standby), FAMINS_TOPIC_REPLICATION=3,
                       FAMINS_TOPIC_MIN_INSYNC=2
  kill-broker N        SIGKILL broker N (1..3): a crash
  stop-broker N        SIGTERM broker N: a clean, controlled shutdown (its partition leaderships move)
  start-broker N       start broker N again and wait until it answers
  pg-crash-primary     pg_ctl stop -m immediate on the primary (a crash: no shutdown checkpoint)
  pg-promote           promote the standby (pg_ctl promote) and wait until it accepts writes
  pg-replay-lag        bytes of WAL the standby has received but not replayed yet, and its state
  topics [args]        Kafka's TopicCommand against the cluster (default --list)
  leader-election [args] Kafka's LeaderElectionCommand against the cluster, e.g.
                       leader-election --election-type PREFERRED --all-topic-partitions
  help                 this text

Environment: FAMINS_CLUSTER_DIR (/var/tmp/famins-cluster), FAMINS_CLUSTER_KAFKA_BASE_PORT (29092),
FAMINS_CLUSTER_CONTROLLER_BASE_PORT (29292), FAMINS_CLUSTER_PG_PORT (25432), FAMINS_CLUSTER_PG_STANDBY_PORT
(25433), FAMINS_CLUSTER_KAFKA_HEAP (-Xms256m -Xmx768m), and stack.sh's FAMINS_KAFKA_CACHE, FAMINS_STACK_USER,
FAMINS_WAIT_SECONDS, FAMINS_PG_BINDIR.
EOF
}

# ---------------------------------------------------------------------------------------------
# Kafka: three nodes

voters() {
    local n out=""
    for n in "${NODES[@]}"; do out+="${out:+,}$n@127.0.0.1:$((CONTROLLER_BASE + n - 1))"; done
    printf '%s\n' "$out"
}

bootstrap() {
    local n out=""
    for n in "${NODES[@]}"; do out+="${out:+,}127.0.0.1:$((BROKER_BASE + n - 1))"; done
    printf '%s\n' "$out"
}

# Points stack.sh's Kafka globals at node N.
kafka_node() {
    [[ $1 =~ ^[123]$ ]] || die "broker number must be 1, 2 or 3 (got '$1')"
    NODE_ID=$1
    KAFKA_PORT=$((BROKER_BASE + $1 - 1))
    CTRL_PORT=$((CONTROLLER_BASE + $1 - 1))
    KAFKA_DIR="$CLUSTER_DIR/kafka-$1"
    KAFKA_DATA="$KAFKA_DIR/data"
    KAFKA_LOGS="$KAFKA_DIR/logs"
    KAFKA_PIDFILE="$KAFKA_DIR/kafka.pid"
    KAFKA_PROPS="$KAFKA_DIR/server.properties"
    KAFKA_STAMP="$KAFKA_DIR/format.stamp"
}

# stack.sh's single-node file (and its log4j2 files), then the node's own properties over it.
write_node_config() {
    write_kafka_config
    cat >"$KAFKA_PROPS.tmp" <<EOF
# Written by deploy/local/cluster.sh: node $NODE_ID of a three-node KRaft cluster (broker and controller).
process.roles=broker,controller
node.id=$NODE_ID
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CTRL_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CTRL_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
# A static voter set of three: any two controllers form a majority, so one node may be down.
controller.quorum.voters=$(voters)
log.dirs=$KAFKA_DATA

auto.create.topics.enable=false
num.partitions=6
# Every record on three brokers; a write with acks=all needs two of them in sync.
default.replication.factor=3
min.insync.replicas=2
# No leader from an out-of-sync replica: that would drop acknowledged records.
unclean.leader.election.enable=false
offsets.topic.replication.factor=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
share.coordinator.state.topic.replication.factor=3
share.coordinator.state.topic.min.isr=2
offsets.topic.num.partitions=10
transaction.state.log.num.partitions=10
# Leadership goes back to the preferred replica soon after a restarted broker has caught up.
auto.leader.rebalance.enable=true
leader.imbalance.check.interval.seconds=30

group.initial.rebalance.delay.ms=0
group.min.session.timeout.ms=1000
num.recovery.threads.per.data.dir=1
log.retention.hours=168
EOF
    mv "$KAFKA_PROPS.tmp" "$KAFKA_PROPS"
}

cluster_id() {
    local f="$CLUSTER_DIR/kafka-cluster.id" java=$1 cid
    if [[ ! -s $f ]]; then
        cid=$(kafka_tool "$java" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
        [[ $cid =~ ^[A-Za-z0-9_-]{22}$ ]] || die "kafka-storage random-uuid gave '$cid'"
        printf '%s\n' "$cid" >"$f"
    fi
    cat "$f"
}

format_node_if_needed() {
    local java=$1 cid=$2
    if [[ -f $KAFKA_DATA/meta.properties ]]; then
        [[ $(prop_of cluster.id "$KAFKA_DATA/meta.properties") == "$cid" ]] ||
            die "$KAFKA_DATA belongs to another cluster; 'cluster.sh reset kafka'"
        return 0
    fi
    if ! kafka_tool "$java" kafka.tools.StorageTool format -t "$cid" -c "$KAFKA_PROPS" \
        >>"$KAFKA_LOGS/format.log" 2>&1; then
        tail -n 20 "$KAFKA_LOGS/format.log" >&2
        die "formatting $KAFKA_DATA failed (above)"
    fi
    say "kafka-$NODE_ID: formatted $KAFKA_DATA (cluster $cid)"
}

# A node answers once the cluster's metadata lists it (all three brokers are started before any wait).
start_node() {
    local java=$1 pid
    kafka_node "$2"
    if pid=$(kafka_pid); then
        say "kafka-$NODE_ID: already running (pid $pid)"
        return 0
    fi
    check_port_free "$KAFKA_PORT" "broker $NODE_ID"
    check_port_free "$CTRL_PORT" "controller $NODE_ID"
    write_node_config
    format_node_if_needed "$java" "$(cluster_id "$java")"
    launch_kafka "$java" >/dev/null
}

wait_node() {
    local pid
    kafka_node "$1"
    pid=$(cat "$KAFKA_PIDFILE" 2>/dev/null) || die "kafka-$NODE_ID has no pid file"
    wait_kafka "$pid"
    say "kafka-$NODE_ID: answers on 127.0.0.1:$KAFKA_PORT"
}

kafka_up() {
    local java n
    java=$(java_or_die)
    cache_complete || die "the Kafka jars are not in $KAFKA_CACHE: run 'stack.sh install'"
    for n in "${NODES[@]}"; do start_node "$java" "$n"; done
    for n in "${NODES[@]}"; do wait_node "$n"; done
}

kafka_down() {
    local n
    for n in "${NODES[@]}"; do
        kafka_node "$n"
        stop_kafka | sed "s/^stack: kafka:/cluster: kafka-$n:/"
    done
}

kill_broker() {
    local pid
    kafka_node "$1"
    pid=$(kafka_pid) || die "kafka-$1 is not running"
    kill -KILL "$pid"
    wait_gone "$pid" 10 || die "kafka-$1 (pid $pid) survived SIGKILL"
    rm -f "$KAFKA_PIDFILE"
    say "kafka-$1: killed (was pid $pid)"
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL: a primary and a synchronous hot standby

# Points stack.sh's PostgreSQL globals at the primary or the standby.
pg_node() {
    case $1 in
        primary) PG_PORT=$PG_PRIMARY_PORT ;;
        standby) PG_PORT=$PG_STANDBY_PORT ;;
        *) die "pg node is primary or standby" ;;
    esac
    PG_DIR="$CLUSTER_DIR/pg-$1"
    PG_DATA="$PG_DIR/data"
    PG_SOCK="$PG_DIR/socket"
    PG_LOGDIR="$PG_DIR/log"
    PG_NODE=$1
}

pg_prepare_dirs() {
    mkdir -p "$CLUSTER_DIR" "$PG_DIR" "$PG_SOCK" "$PG_LOGDIR"
    chmod 0755 "$CLUSTER_DIR" "$PG_DIR" "$PG_SOCK" "$PG_LOGDIR"
    chown "$STACK_USER:" "$PG_DIR" "$PG_SOCK" "$PG_LOGDIR"
}

# stack.sh's configuration, then replication: streaming to the standby, and (primary only) the standby named as
# synchronous, so that a commit returns only once the standby has flushed its WAL (synchronous_commit=on).
# The standby does not name one: once promoted it must accept commits without a standby of its own.
write_node_pg_config() {
    write_pg_config
    local conf="$PG_DATA/postgresql.conf"
    sed -i '/^# >>> famins cluster/,/^# <<< famins cluster/d' "$conf"
    {
        echo "# >>> famins cluster (written by deploy/local/cluster.sh)"
        echo "wal_level = replica"
        echo "max_wal_senders = 5"
        echo "max_replication_slots = 5"
        echo "hot_standby = on"
        echo "hot_standby_feedback = on"
        echo "wal_log_hints = on"
        echo "cluster_name = 'famins_$PG_NODE'"
        if [[ $PG_NODE == primary && -e $CLUSTER_DIR/pg-standby/data/PG_VERSION ]]; then
            echo "synchronous_standby_names = 'FIRST 1 ($STANDBY_NAME)'"
        elif [[ $PG_NODE == primary ]]; then
            # No standby yet: a synchronous name now would block the bootstrap's commits until there is one.
            echo "synchronous_standby_names = ''"
        else
            echo "synchronous_standby_names = ''"
            echo "primary_conninfo = 'host=127.0.0.1 port=$PG_PRIMARY_PORT user=$PG_SUPERUSER application_name=$STANDBY_NAME'"
            echo "primary_slot_name = '$STANDBY_NAME'"
        fi
        echo "# <<< famins cluster"
    } >>"$conf"
    cat >>"$PG_DATA/pg_hba.conf" <<'EOF'
local   replication  all                trust
host    replication  all  127.0.0.1/32  trust
EOF
}

pg_start_node() {
    local pid
    if pid=$(pg_pid); then
        say "pg-$PG_NODE: already running (pid $pid, port $PG_PORT)"
        return 0
    fi
    clear_stale_pg_lock
    # Not stack.sh's start_pg: that rewrites pg_hba.conf without the replication lines.
    chmod a+r "$PG_LOGDIR"/*.log 2>/dev/null || true
    if ! as_user setsid -w "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -l "$PG_LOGDIR/startup.log" \
        -w -t "$WAIT_SECONDS" start >/dev/null; then
        show_pg_log_tail
        die "pg-$PG_NODE did not start (log above)"
    fi
    say "pg-$PG_NODE: running on $PG_PORT"
}

pg_up() {
    check_pg_binaries
    ensure_user
    pg_node primary
    pg_prepare_dirs
    [[ -e $PG_DATA/PG_VERSION ]] || init_pg
    write_node_pg_config
    pg_start_node
    as_user "$PG_BINDIR/pg_ctl" -D "$PG_DATA" reload >/dev/null
    ensure_db
    (cd / && psql_super -d postgres -c "SELECT pg_create_physical_replication_slot('$STANDBY_NAME')
        WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = '$STANDBY_NAME')" >/dev/null)
    pg_node standby
    pg_prepare_dirs
    if [[ ! -e $PG_DATA/PG_VERSION ]]; then
        # Without -R: its primary_conninfo (in postgresql.auto.conf, read last) would lack the standby's name,
        # which synchronous_standby_names matches; the block of write_node_pg_config sets it, standby.signal here.
        as_user "$PG_BINDIR/pg_basebackup" -h 127.0.0.1 -p "$PG_PRIMARY_PORT" -U "$PG_SUPERUSER" -D "$PG_DATA" \
            -X stream -c fast >"$PG_LOGDIR/basebackup.log" 2>&1 ||
            { tail -n 20 "$PG_LOGDIR/basebackup.log" >&2; die "pg_basebackup failed"; }
        as_user touch "$PG_DATA/standby.signal"
        say "pg-standby: base backup of the primary taken"
    fi
    write_node_pg_config
    pg_start_node
    # Now that the standby exists, the primary names it as synchronous.
    pg_node primary
    write_node_pg_config
    as_user "$PG_BINDIR/pg_ctl" -D "$PG_DATA" reload >/dev/null
    wait_streaming
}

wait_streaming() {
    local deadline=$((SECONDS + WAIT_SECONDS)) st
    pg_node primary
    while :; do
        st=$(cd / && psql_super -d postgres -Atc "SELECT sync_state FROM pg_stat_replication
            WHERE application_name = '$STANDBY_NAME' AND state = 'streaming'" 2>/dev/null || true)
        if [[ $st == sync ]]; then
            say "pg: the standby streams synchronously from the primary"
            return 0
        fi
        ((SECONDS < deadline)) || die "the standby does not stream synchronously within $WAIT_SECONDS s (state '$st')"
        sleep 0.5
    done
}

pg_down() {
    local n
    for n in standby primary; do
        pg_node "$n"
        stop_pg | sed "s/^stack: pg:/cluster: pg-$n:/"
    done
}

pg_crash_primary() {
    pg_node primary
    pg_pid >/dev/null || die "the primary is not running"
    as_user "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null
    say "pg-primary: stopped with -m immediate"
}

pg_promote() {
    local deadline=$((SECONDS + WAIT_SECONDS))
    pg_node standby
    as_user "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -w -t "$WAIT_SECONDS" promote >/dev/null || die "pg_ctl promote failed"
    while [[ $(cd / && psql_super -d postgres -Atc "SELECT pg_is_in_recovery()" 2>/dev/null) != f ]]; do
        ((SECONDS < deadline)) || die "the standby did not leave recovery within $WAIT_SECONDS s"
        sleep 0.2
    done
    say "pg-standby: promoted, accepts writes on $PG_PORT"
}

pg_replay_lag() {
    pg_node standby
    (cd / && psql_super -d postgres -Atc "SELECT pg_is_in_recovery(),
        coalesce(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), 0)")
}

# ---------------------------------------------------------------------------------------------

cluster_status() {
    local rc=0 n pid
    for n in "${NODES[@]}"; do
        kafka_node "$n"
        if pid=$(kafka_pid) && is_listening "$KAFKA_PORT"; then
            echo "kafka-$n: running  pid $pid  port $KAFKA_PORT (controller $CTRL_PORT)"
        else
            echo "kafka-$n: stopped  (port $KAFKA_PORT)"
            rc=3
        fi
    done
    for n in primary standby; do
        pg_node "$n"
        if pid=$(pg_pid) && is_listening "$PG_PORT"; then
            echo "pg-$n: running  pid $pid  port $PG_PORT  recovery $(cd / && psql_super -d postgres -Atc \
                'SELECT pg_is_in_recovery()' 2>/dev/null || echo '?')"
        else
            echo "pg-$n: stopped  (port $PG_PORT)"
            rc=3
        fi
    done
    return "$rc"
}

cluster_env() {
    local secret
    secret=$(stack_person_key_secret)
    printf "export FAMINS_KAFKA_BOOTSTRAP='%s'\n" "$(bootstrap)"
    printf "export FAMINS_PG_DSN='host=127.0.0.1,127.0.0.1 port=%s,%s dbname=%s user=%s target_session_attrs=read-write'\n" \
        "$PG_PRIMARY_PORT" "$PG_STANDBY_PORT" "$PG_DB" "$PG_ADMIN_ROLE"
    printf "export FAMINS_REPORT_PG_DSN='host=127.0.0.1 port=%s dbname=%s user=famins_reporter'\n" "$PG_STANDBY_PORT" "$PG_DB"
    printf "export FAMINS_TOPIC_REPLICATION=3\nexport FAMINS_TOPIC_MIN_INSYNC=2\n"
    printf "export FAMINS_PERSON_KEY_SECRET='%s'\n" "$secret"
}

cluster_main() {
    local cmd=${1:-} what
    [[ $# -gt 0 ]] && shift
    what=${1:-all}
    case $cmd in
        help | --help | -h) usage; return 0 ;;
        "") usage >&2; return 2 ;;
    esac
    [[ $what == all || $what == kafka || $what == pg || $cmd == *broker || $cmd == topics ||
        $cmd == leader-election ]] || die "$cmd: kafka or pg (got '$what')"
    case $cmd in
        up)
            need_root up
            [[ $what == pg ]] || kafka_up
            [[ $what == kafka ]] || pg_up
            ;;
        down)
            need_root down
            [[ $what == pg ]] || kafka_down
            [[ $what == kafka ]] || pg_down
            ;;
        reset)
            need_root reset
            if [[ $what != pg ]]; then
                kafka_down
                rm -rf "$CLUSTER_DIR"/kafka-[123] "$CLUSTER_DIR/kafka-cluster.id"
            fi
            if [[ $what != kafka ]]; then
                pg_down
                rm -rf "$CLUSTER_DIR/pg-primary/data" "$CLUSTER_DIR/pg-standby/data"
            fi
            say "reset: wiped $what"
            ;;
        status) cluster_status ;;
        env) cluster_env ;;
        kill-broker) kill_broker "${1:?broker number}" ;;
        stop-broker) kafka_node "${1:?broker number}"; stop_kafka ;;
        start-broker)
            local java
            java=$(java_or_die)
            start_node "$java" "${1:?broker number}"
            wait_node "$1"
            ;;
        pg-crash-primary) pg_crash_primary ;;
        pg-promote) pg_promote ;;
        pg-replay-lag) pg_replay_lag ;;
        topics)
            [[ $# -gt 0 ]] || set -- --list
            kafka_node 1
            kafka_tool "$(java_or_die)" org.apache.kafka.tools.TopicCommand --bootstrap-server "$(bootstrap)" "$@"
            ;;
        leader-election)
            kafka_node 1
            kafka_tool "$(java_or_die)" org.apache.kafka.tools.LeaderElectionCommand --bootstrap-server "$(bootstrap)" "$@"
            ;;
        *) printf 'cluster: unknown command %s\n\n' "$cmd" >&2; usage >&2; return 2 ;;
    esac
}

say() { printf 'cluster: %s\n' "$*"; }
cluster_main "$@"
