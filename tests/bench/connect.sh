#!/usr/bin/env bash
# connect.sh — the benchmark's peer: Kafka Connect standalone (the broker's Kafka version) running the Debezium
# JDBC sink connector into PostgreSQL, from the official jars on Maven Central, resolved with mvn like
# deploy/local/stack.sh resolves the broker's and cached the same way. run.sh starts and stops it.
#
#   bash tests/bench/connect.sh install                 # resolve the jars into the cache (idempotent)
#   bash tests/bench/connect.sh start DIR TOPIC DB TABLE TASKS
#        # writes DIR/worker.properties and DIR/connector.properties, starts the worker in the background
#        # (log DIR/connect.log, pid DIR/connect.pid), sinking TOPIC into table TABLE of database DB
#   bash tests/bench/connect.sh stop DIR                # SIGTERM, then SIGKILL after 20 s
#
# Settings are the connector's usual ones: JsonConverter with schemas.enable=true (records carry their schema),
# insert.mode=upsert, primary.key.mode=record_key, default batch settings; tasks.max=TASKS. Debezium 3.5.0:
# 3.6's connector names org.hibernate:hibernate-agroal 7.x, which is not published under that group (it fails
# to resolve, and the connector cannot start without it); 3.5 uses Hibernate's c3p0 pool, which resolves.
# Environment: FAMINS_KAFKA_BOOTSTRAP (127.0.0.1:19092), FAMINS_PG_PORT (15432), FAMINS_CONNECT_CACHE
# (/var/cache/famins/connect-<kafka>-debezium-<version>), FAMINS_CONNECT_HEAP (512m).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
RUNTIME_POM="$HERE/connect/runtime-pom.xml"
PLUGIN_POM="$HERE/connect/plugin-pom.xml"
pom_value() { sed -n "s:.*<$1>\\([^<]*\\)</$1>.*:\\1:p" "$2" | head -n 1; }
KAFKA_VERSION=$(pom_value kafka.version "$RUNTIME_POM")
BROKER_VERSION=$(pom_value kafka.version "$SRC/deploy/local/kafka/pom.xml")
DEBEZIUM_VERSION=$(pom_value debezium.version "$PLUGIN_POM")
CACHE=${FAMINS_CONNECT_CACHE:-/var/cache/famins/connect-$KAFKA_VERSION-debezium-$DEBEZIUM_VERSION}
BOOTSTRAP=${FAMINS_KAFKA_BOOTSTRAP:-127.0.0.1:19092}
PG_PORT=${FAMINS_PG_PORT:-15432}

say() { echo "[connect] $*" >&2; }
die() {
    echo "[connect] ERROR: $*" >&2
    exit 1
}

[ "$KAFKA_VERSION" = "$BROKER_VERSION" ] ||
    die "tests/bench/connect/runtime-pom.xml has Kafka $KAFKA_VERSION, the broker $BROKER_VERSION: make them agree"

# The stamp says which poms filled the cache, so a changed pom refreshes it.
stamp() { printf 'connect %s debezium %s poms %s\n' "$KAFKA_VERSION" "$DEBEZIUM_VERSION" \
    "$(cat "$RUNTIME_POM" "$PLUGIN_POM" | sha256sum | cut -c1-16)"; }
complete() { [[ -f $CACHE/.complete && $(cat "$CACHE/.complete") == "$(stamp)" ]]; }

install() {
    complete && return 0
    command -v mvn >/dev/null || die "mvn is missing (Debian package maven: deploy/local/stack.sh install)"
    command -v java >/dev/null || die "java is missing (deploy/local/stack.sh install)"
    local parent base tmp
    parent=$(dirname "$CACHE")
    base=$(basename "$CACHE")
    mkdir -p "$parent"
    # One download at a time; an interrupted one never looks complete (downloaded beside, then renamed).
    exec 9>"$parent/.$base.lock"
    flock -w 600 9 || die "another install holds $parent/.$base.lock"
    complete && return 0
    rm -rf "$parent/.$base.tmp."*
    tmp=$(mktemp -d "$parent/.$base.tmp.XXXXXX")
    say "fetching Kafka Connect $KAFKA_VERSION and the Debezium JDBC sink $DEBEZIUM_VERSION into $CACHE"
    if ! mvn -B -q -Dstyle.color=never -f "$RUNTIME_POM" dependency:copy-dependencies \
        -DoutputDirectory="$tmp/libs" -DincludeScope=runtime >"$tmp/mvn-runtime.log" 2>&1; then
        tail -n 20 "$tmp/mvn-runtime.log" >&2
        rm -rf "$tmp"
        die "could not fetch the Kafka Connect jars with Maven"
    fi
    # The plugin in a folder of its own under plugin.path: Connect loads it in its own class loader.
    if ! mvn -B -q -Dstyle.color=never -f "$PLUGIN_POM" dependency:copy-dependencies \
        -DoutputDirectory="$tmp/plugins/debezium-connector-jdbc" -DincludeScope=runtime >"$tmp/mvn-plugin.log" 2>&1; then
        tail -n 20 "$tmp/mvn-plugin.log" >&2
        rm -rf "$tmp"
        die "could not fetch the Debezium JDBC sink jars with Maven"
    fi
    [ -f "$tmp/libs/connect-runtime-$KAFKA_VERSION.jar" ] || die "connect-runtime-$KAFKA_VERSION.jar missing after Maven"
    ls "$tmp/plugins/debezium-connector-jdbc/debezium-connector-jdbc-"*.jar >/dev/null ||
        die "debezium-connector-jdbc missing after Maven"
    stamp >"$tmp/.complete"
    chmod -R a+rX "$tmp"
    rm -rf "$CACHE"
    mv "$tmp" "$CACHE"
    say "$(find "$CACHE" -name '*.jar' | wc -l) jars in $CACHE"
}

start() {
    local dir="$1" topic="$2" db="$3" table="$4" tasks="$5" port
    install
    mkdir -p "$dir"
    # The REST listener (standalone mode has one): a free port, so that concurrent runs do not collide.
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    cat >"$dir/worker.properties" <<EOF
bootstrap.servers=$BOOTSTRAP
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=true
value.converter.schemas.enable=true
offset.storage.file.filename=$dir/connect.offsets
offset.flush.interval.ms=10000
plugin.path=$CACHE/plugins
# The plugins declare themselves (ServiceLoader manifests): no class scanning at start-up.
plugin.discovery=service_load
listeners=http://127.0.0.1:$port
EOF
    cat >"$dir/connector.properties" <<EOF
name=famins-bench-sink-$topic
connector.class=io.debezium.connector.jdbc.JdbcSinkConnector
tasks.max=$tasks
topics=$topic
connection.url=jdbc:postgresql://127.0.0.1:$PG_PORT/$db
connection.username=famins_admin
connection.password=unused
insert.mode=upsert
primary.key.mode=record_key
primary.key.fields=household_id
schema.evolution=basic
collection.name.format=$table
table.name.format=$table
EOF
    cat >"$dir/log4j2.properties" <<EOF
rootLogger.level=INFO
rootLogger.appenderRef.stdout.ref=STDOUT
appender.stdout.type=Console
appender.stdout.name=STDOUT
appender.stdout.layout.type=PatternLayout
appender.stdout.layout.pattern=[%d] %p %m (%c)%n
EOF
    # Started in its own session (setsid) so that stop can end the JVM by its pid alone.
    setsid java -Xmx"${FAMINS_CONNECT_HEAP:-512m}" -Dlog4j2.configurationFile="$dir/log4j2.properties" \
        -cp "$CACHE/libs/*" org.apache.kafka.connect.cli.ConnectStandalone \
        "$dir/worker.properties" "$dir/connector.properties" >"$dir/connect.log" 2>&1 </dev/null &
    echo $! >"$dir/connect.pid"
    say "started (pid $(cat "$dir/connect.pid"), log $dir/connect.log)"
}

stop() {
    local dir="$1" pid i
    [ -f "$dir/connect.pid" ] || return 0
    pid=$(cat "$dir/connect.pid")
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.2
    done
    kill -KILL "$pid" 2>/dev/null || true
}

case "${1:-}" in
install) install ;;
start) [ $# = 6 ] || die "usage: connect.sh start DIR TOPIC DB TABLE TASKS"; start "$2" "$3" "$4" "$5" "$6" ;;
stop) [ $# = 2 ] || die "usage: connect.sh stop DIR"; stop "$2" ;;
*) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
