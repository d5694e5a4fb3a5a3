#!/usr/bin/env bash
# deploy/local/test-stack.sh — tests stack.sh for real on a stack of its own (own folder, own
# ports), never the default one others use: up, answers, idempotence, down leaves nothing,
# data survives a restart, refusals (port taken, stale Kafka folder), reset, restart after kill -9.
# Needs root and takes about a minute. Ends with "N passed, N failed"; exit 1 on any failure.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STACK="$HERE/stack.sh"
export FAMINS_STACK_DIR=${FAMINS_TEST_STACK_DIR:-/var/tmp/famins-stack-selftest}
export FAMINS_KAFKA_PORT=${FAMINS_TEST_KAFKA_PORT:-29192}
export FAMINS_KAFKA_CONTROLLER_PORT=${FAMINS_TEST_KAFKA_CONTROLLER_PORT:-29193}
export FAMINS_PG_PORT=${FAMINS_TEST_PG_PORT:-25532}
BLOCK_PORT=${FAMINS_TEST_BLOCK_PORT:-25533}
export FAMINS_WAIT_SECONDS=${FAMINS_WAIT_SECONDS:-60}
TOPIC=selftest.events

passed=0
failed=0
ok() { passed=$((passed + 1)); printf 'ok   %s\n' "$1"; }
bad() { failed=$((failed + 1)); printf 'FAIL %s\n' "$1"; [[ -z ${2:-} ]] || printf '     %s\n' "$2" | head -n 15; }
# check NAME COMMAND...: passes when the command succeeds.
check() {
    local name=$1 out
    shift
    if out=$("$@" 2>&1); then ok "$name"; else bad "$name" "$out"; fi
}

stack() { bash "$STACK" "$@"; }

# pids of any process whose command line names the test folder (never the default stack's)
test_pids() { pgrep -f -- "$FAMINS_STACK_DIR/" || true; }

blocker=""
cleanup() {
    [[ -z $blocker ]] || kill "$blocker" 2>/dev/null || true
    stack down >/dev/null 2>&1 || true
    rm -rf "$FAMINS_STACK_DIR"
}
trap cleanup EXIT

[[ $(id -u) -eq 0 ]] || { echo "test-stack.sh must run as root"; exit 2; }
for p in "$FAMINS_KAFKA_PORT" "$FAMINS_KAFKA_CONTROLLER_PORT" "$FAMINS_PG_PORT" "$BLOCK_PORT"; do
    if [[ -n $(ss -Hltn "sport = :$p") ]]; then
        echo "port $p is taken; set FAMINS_TEST_*_PORT to free ones"
        exit 2
    fi
done
stack down >/dev/null 2>&1 || true
rm -rf "$FAMINS_STACK_DIR"

# --- a stack from nothing -------------------------------------------------------------------
out=$(stack up 2>&1) && rc=0 || rc=$?
if [[ $rc -eq 0 && $out == *"up: ready in"* ]]; then ok "up from scratch"; else bad "up from scratch (rc $rc)" "$out"; fi
check "status exits 0 when both run" stack status

eval "$(stack env)"
check "env: DSN of famins_admin on the stack's port" \
    test "$FAMINS_PG_DSN" = "host=127.0.0.1 port=$FAMINS_PG_PORT dbname=famins user=famins_admin"
check "env: Kafka bootstrap" test "$FAMINS_KAFKA_BOOTSTRAP" = "127.0.0.1:$FAMINS_KAFKA_PORT"
check "psql as famins_admin answers" test "$(psql "$FAMINS_PG_DSN" -XAtc 'select 1')" = 1
check "fsync and synchronous_commit are on" \
    test "$(psql "$FAMINS_PG_DSN" -XAtc "select current_setting('fsync') || current_setting('synchronous_commit')")" = onon
check "famins_admin creates tables in public" \
    psql "$FAMINS_PG_DSN" -Xq -v ON_ERROR_STOP=1 -c 'create table selftest_keep (id int primary key); insert into selftest_keep values (7)'
check "famins_admin owns database famins" \
    test "$(psql "$FAMINS_PG_ADMIN_DSN" -XAtc "select pg_get_userbyid(datdba) from pg_database where datname = 'famins'")" = famins_admin
check "PostgreSQL refuses ::1 (listens on 127.0.0.1 only)" \
    bash -c "! psql 'host=::1 port=$FAMINS_PG_PORT dbname=famins user=famins_admin connect_timeout=3' -XAtc 'select 1'"

check "topic creation through stack.sh topics" \
    stack topics --create --topic "$TOPIC" --partitions 3 --replication-factor 1
printf 'x\n' | timeout 20 kcat -P -b "$FAMINS_KAFKA_BOOTSTRAP" -t selftest.no.such.topic \
    -X message.timeout.ms=3000 >/dev/null 2>&1 || true
check "auto topic creation is off" bash -c "! bash '$STACK' topics | grep -qx selftest.no.such.topic"
printf 'k1:v1\nk2:v2\nk3:v3\n' | kcat -P -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$TOPIC" -K: -m 10
got=$(timeout 30 kcat -C -b "$FAMINS_KAFKA_BOOTSTRAP" -G selftest-group -o beginning -X session.timeout.ms=6000 \
    "$TOPIC" -e -q -f '%k=%s\n' 2>/dev/null | sort | tr '\n' ' ' || true)
check "produce and consume 3 keyed messages" test "$got" = "k1=v1 k2=v2 k3=v3 "
lag=$(stack groups selftest-group 2>/dev/null | awk -v t="$TOPIC" '$2 == t { n++; s += $6 } END { print n "/" s }')
check "groups shows the group's 3 partitions with lag 0" test "$lag" = "3/0"

# --- idempotence ----------------------------------------------------------------------------
pids_before=$(cat "$FAMINS_STACK_DIR/kafka/kafka.pid"; head -n 1 "$FAMINS_STACK_DIR/pg/data/postmaster.pid")
out=$(FAMINS_SKIP_INSTALL=1 stack up 2>&1) && rc=0 || rc=$?
pids_after=$(cat "$FAMINS_STACK_DIR/kafka/kafka.pid"; head -n 1 "$FAMINS_STACK_DIR/pg/data/postmaster.pid")
if [[ $rc -eq 0 && $out == *"already running"* && $pids_before == "$pids_after" ]]; then
    ok "second up says already running and starts nothing"
else
    bad "second up (rc $rc)" "$out"
fi

# --- down leaves nothing; data survives ------------------------------------------------------
check "down" stack down
check "no process of the stack after down" test -z "$(test_pids)"
check "status exits 3 when stopped" bash -c "bash '$STACK' status >/dev/null; test \$? -eq 3"
check "down when already down" stack down

check "up again on the same data" env FAMINS_SKIP_INSTALL=1 bash "$STACK" up
check "table kept across restart" test "$(psql "$FAMINS_PG_DSN" -XAtc 'select id from selftest_keep')" = 7
got=$(timeout 30 kcat -C -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$TOPIC" -o beginning -e -q -f '%k\n' 2>/dev/null | sort | tr '\n' ' ' || true)
check "messages kept across restart" test "$got" = "k1 k2 k3 "

# --- refusals --------------------------------------------------------------------------------
stack down >/dev/null
python3 -m http.server "$BLOCK_PORT" --bind 127.0.0.1 >/dev/null 2>&1 &
blocker=$!
for _ in $(seq 50); do [[ -n $(ss -Hltn "sport = :$BLOCK_PORT") ]] && break; sleep 0.1; done
t0=$SECONDS
out=$(FAMINS_PG_PORT=$BLOCK_PORT FAMINS_SKIP_INSTALL=1 timeout 30 bash "$STACK" up 2>&1) && rc=0 || rc=$?
if [[ $rc -ne 0 && $rc -ne 124 && $out == *FAMINS_PG_PORT* && $((SECONDS - t0)) -lt 10 ]]; then
    ok "a taken PostgreSQL port is refused at once, naming FAMINS_PG_PORT"
else
    bad "taken PostgreSQL port (rc $rc)" "$out"
fi
check "nothing started after the refusal" test -z "$(test_pids)"
out=$(FAMINS_KAFKA_PORT=$BLOCK_PORT FAMINS_SKIP_INSTALL=1 timeout 30 bash "$STACK" up 2>&1) && rc=0 || rc=$?
if [[ $rc -ne 0 && $rc -ne 124 && $out == *FAMINS_KAFKA_PORT* ]]; then
    ok "a taken Kafka port is refused, naming FAMINS_KAFKA_PORT"
else
    bad "taken Kafka port (rc $rc)" "$out"
fi
kill "$blocker" 2>/dev/null || true
blocker=""

# A Kafka folder formatted for another cluster (e.g. copied from elsewhere)
cache=${FAMINS_KAFKA_CACHE:-/var/cache/famins/kafka-$(sed -n 's:.*<kafka.version>\([^<]*\)</kafka.version>.*:\1:p' "$HERE/kafka/pom.xml")}
rm -rf "$FAMINS_STACK_DIR/kafka/data"
other=$(java -cp "$cache/libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
java -cp "$cache/libs/*" kafka.tools.StorageTool format --standalone -t "$other" \
    -c "$FAMINS_STACK_DIR/kafka/server.properties" >/dev/null 2>&1
out=$(FAMINS_SKIP_INSTALL=1 bash "$STACK" up 2>&1) && rc=0 || rc=$?
if [[ $rc -ne 0 && $out == *"$other"* && $out == *reset* ]]; then
    ok "a Kafka folder of another cluster is refused, naming reset"
else
    bad "stale Kafka folder (rc $rc)" "$out"
fi
check "nothing left running after the refusal" test -z "$(test_pids)"

# --- reset -----------------------------------------------------------------------------------
check "reset" stack reset
check "reset wiped both data folders" test ! -e "$FAMINS_STACK_DIR/kafka/data" -a ! -e "$FAMINS_STACK_DIR/pg/data"
check "up after reset" env FAMINS_SKIP_INSTALL=1 bash "$STACK" up
check "fresh cluster has no selftest topic" bash -c "! bash '$STACK' topics | grep -qx '$TOPIC'"
check "fresh database has no selftest table" \
    test "$(psql "$FAMINS_PG_DSN" -XAtc "select count(*) from pg_tables where tablename = 'selftest_keep'")" = 0

# --- a killed stack comes back ---------------------------------------------------------------
kill -KILL "$(cat "$FAMINS_STACK_DIR/kafka/kafka.pid")" "$(head -n 1 "$FAMINS_STACK_DIR/pg/data/postmaster.pid")"
sleep 0.5
check "up after kill -9 of both" env FAMINS_SKIP_INSTALL=1 bash "$STACK" up
check "status after the restart" stack status

check "final down" stack down
check "no process of the stack at the end" test -z "$(test_pids)"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
