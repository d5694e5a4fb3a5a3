#!/usr/bin/env bash
# deploy/local/stack.sh — runs famins' LOCAL DEVELOPMENT stack on this one machine, without
# Docker: Apache Kafka 4.x (KRaft, one combined broker+controller, jars from Maven Central)
# and a private PostgreSQL 15 cluster, both in their own folder and on their own ports, so
# nothing is shared with the system's own services (a system cluster on 5432 is left alone).
# PostgreSQL trusts every local connection (no passwords): never use this on a shared host.
# Every subcommand can be re-run; every wait has a bound. See --help and deploy/local/README.md.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
POM="$SCRIPT_DIR/kafka/pom.xml"
# One place pins the Kafka version: the pom.
KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\([^<]*\)</kafka.version>.*:\1:p' "$POM" | head -n 1)
PG_MAJOR=15

STACK_DIR=${FAMINS_STACK_DIR:-/var/tmp/famins-stack}
# One spelling of the folder: process matching compares command lines textually.
while [[ $STACK_DIR == */ && $STACK_DIR != / ]]; do STACK_DIR=${STACK_DIR%/}; done
KAFKA_PORT=${FAMINS_KAFKA_PORT:-19092}
CTRL_PORT=${FAMINS_KAFKA_CONTROLLER_PORT:-19093}
PG_PORT=${FAMINS_PG_PORT:-15432}
KAFKA_CACHE=${FAMINS_KAFKA_CACHE:-/var/cache/famins/kafka-$KAFKA_VERSION}
KAFKA_HEAP=${FAMINS_KAFKA_HEAP:--Xms512m -Xmx1g}  # 512m ran out with ~2,800 test topics
STACK_USER=${FAMINS_STACK_USER:-famins}
WAIT_SECONDS=${FAMINS_WAIT_SECONDS:-60}
SKIP_INSTALL=${FAMINS_SKIP_INSTALL:-0}
PG_BINDIR=${FAMINS_PG_BINDIR:-/usr/lib/postgresql/$PG_MAJOR/bin}
LOG_LINES=${FAMINS_LOG_LINES:-80}

KAFKA_DIR="$STACK_DIR/kafka"
KAFKA_DATA="$KAFKA_DIR/data"
KAFKA_LOGS="$KAFKA_DIR/logs"
KAFKA_PIDFILE="$KAFKA_DIR/kafka.pid"
KAFKA_PROPS="$KAFKA_DIR/server.properties"
KAFKA_STAMP="$KAFKA_DIR/format.stamp"
PG_DIR="$STACK_DIR/pg"
PG_DATA="$PG_DIR/data"
PG_SOCK="$PG_DIR/socket"
PG_LOGDIR="$PG_DIR/log"
PG_SUPERUSER=postgres
PG_ADMIN_ROLE=famins_admin
PG_DB=famins
NODE_ID=1

say() { printf 'stack: %s\n' "$*"; }
warn() { printf 'stack: warning: %s\n' "$*" >&2; }
die() { printf 'stack: error: %s\n' "$*" >&2; exit 1; }

usage() {
    cat <<EOF
Usage: deploy/local/stack.sh <command> [args]

famins' local development stack: Kafka $KAFKA_VERSION (KRaft, single node) and PostgreSQL $PG_MAJOR,
run from one folder, as root (PostgreSQL itself runs as an unprivileged user).

Commands:
  install          install missing Debian packages (apt-get) and fetch the Kafka jars into the cache
  up               install (unless FAMINS_SKIP_INSTALL=1), start PostgreSQL and Kafka, wait until
                   both answer; already up is fine
  down             stop both (Kafka: SIGTERM, bounded wait, SIGKILL; PostgreSQL: pg_ctl stop -m fast)
                   and make sure no process of the stack is left
  status           running/stopped, pid and port of each; exit 0 if both up, 3 otherwise
  reset            down, then wipe Kafka's and PostgreSQL's data (the jar cache is kept)
  env              print export lines for clients:  eval "\$(deploy/local/stack.sh env)" (with the stack's
                   own person-key secret, made once in FAMINS_STACK_DIR/person-key.secret)
  logs [kafka|pg] [lines]
                   tail of the logs (both when no component is named)
  topics [args]    Kafka's TopicCommand against the stack (default: --list), e.g.
                   topics --create --topic claim.events --partitions 6 --replication-factor 1
  groups [group]   consumer groups (list), or one group's offsets and lag
  help, --help     this text

Environment (default):
  FAMINS_STACK_DIR               ($STACK_DIR_DEFAULT) data, logs, configs, pid files; must be
                                 traversable by FAMINS_STACK_USER
  FAMINS_KAFKA_PORT              (19092) broker listener, 127.0.0.1 only
  FAMINS_KAFKA_CONTROLLER_PORT   (19093) KRaft controller listener, 127.0.0.1 only
  FAMINS_PG_PORT                 (15432) PostgreSQL, 127.0.0.1 and a socket in FAMINS_STACK_DIR/pg/socket
  FAMINS_KAFKA_CACHE             (/var/cache/famins/kafka-$KAFKA_VERSION) the Kafka jars
  FAMINS_KAFKA_HEAP              (-Xms512m -Xmx1g) JVM heap options of the broker
  FAMINS_STACK_USER              (famins) unprivileged system user running PostgreSQL; created
                                 with useradd --system when missing
  FAMINS_WAIT_SECONDS            (60) bound of every wait (start-up, shutdown)
  FAMINS_SKIP_INSTALL            (0) 1: 'up' installs nothing, only checks what it needs
  FAMINS_PG_BINDIR               (/usr/lib/postgresql/$PG_MAJOR/bin) PostgreSQL $PG_MAJOR server binaries
  FAMINS_LOG_LINES               (80) lines shown by 'logs'
  JAVA_HOME                      (unset) a Java 17+ to prefer; otherwise java on PATH or /usr/lib/jvm/*
EOF
}
STACK_DIR_DEFAULT=/var/tmp/famins-stack

# ---------------------------------------------------------------------------------------------
# checks of the configuration: the values end up in config files and in rm -rf paths

validate_config() {
    [[ -n $KAFKA_VERSION ]] || die "cannot read <kafka.version> from $POM"
    local v
    for v in KAFKA_PORT CTRL_PORT PG_PORT; do
        if ! [[ ${!v} =~ ^[1-9][0-9]{3,4}$ ]] || ((${!v} > 65535)); then
            die "$(port_var "$v") must be a port number 1024..65535 (got '${!v}')"
        fi
    done
    [[ $KAFKA_PORT != "$CTRL_PORT" && $KAFKA_PORT != "$PG_PORT" && $CTRL_PORT != "$PG_PORT" ]] ||
        die "FAMINS_KAFKA_PORT, FAMINS_KAFKA_CONTROLLER_PORT and FAMINS_PG_PORT must differ"
    if ! [[ $WAIT_SECONDS =~ ^[1-9][0-9]*$ ]] || ((WAIT_SECONDS < 5)); then
        die "FAMINS_WAIT_SECONDS must be a whole number >= 5 (got '$WAIT_SECONDS')"
    fi
    [[ $LOG_LINES =~ ^[0-9]+$ ]] || die "FAMINS_LOG_LINES must be a whole number"
    # Plain absolute paths only: they are written unquoted into properties files and wiped by reset.
    [[ $STACK_DIR =~ ^/[A-Za-z0-9._/-]+$ && $STACK_DIR != *..* && $STACK_DIR != *//* &&
        $STACK_DIR != */./* && $STACK_DIR != */. ]] ||
        die "FAMINS_STACK_DIR must be a plain absolute path of letters, digits, . _ - / (got '$STACK_DIR')"
    case $STACK_DIR in
        / | /bin | /boot | /dev | /etc | /home | /lib* | /opt | /proc | /root | /run | /sbin | /srv | /sys | /tmp | /usr | /usr/* | /var | /var/tmp | /var/lib | /var/cache)
            die "FAMINS_STACK_DIR=$STACK_DIR is a system folder; use a folder of its own" ;;
    esac
    [[ $KAFKA_CACHE =~ ^/[A-Za-z0-9._/-]+$ && $KAFKA_CACHE != *..* ]] ||
        die "FAMINS_KAFKA_CACHE must be an absolute path of letters, digits, . _ - / (got '$KAFKA_CACHE')"
    [[ $STACK_USER =~ ^[a-z_][a-z0-9_-]*$ ]] || die "FAMINS_STACK_USER '$STACK_USER' is not a valid user name"
}

port_var() {
    case $1 in
        KAFKA_PORT) echo FAMINS_KAFKA_PORT ;;
        CTRL_PORT) echo FAMINS_KAFKA_CONTROLLER_PORT ;;
        PG_PORT) echo FAMINS_PG_PORT ;;
    esac
}

need_root() {
    [[ $(id -u) -eq 0 ]] || die "'$1' must run as root (it installs packages, creates a user, runs services)"
}

now() { date +%s.%N; }
elapsed_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# ---------------------------------------------------------------------------------------------
# install

# Prints the path of a Java 17+ runtime; JAVA_HOME first, then PATH, then Debian's /usr/lib/jvm.
find_java() {
    local c major
    for c in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} "$(command -v java 2>/dev/null || true)" /usr/lib/jvm/*/bin/java; do
        [[ -n $c && -x $c ]] || continue
        major=$(java_major "$c")
        if [[ $major =~ ^[0-9]+$ ]] && ((major >= 17)); then
            printf '%s\n' "$c"
            return 0
        fi
    done
    return 1
}

java_major() {
    # java.specification.version is "1.8" up to Java 8, then "11", "17", ...
    local spec
    spec=$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n 1)
    [[ $spec == 1.* ]] && spec=${spec#1.}
    printf '%s\n' "$spec"
}

java_or_die() {
    local j
    if j=$(find_java); then
        printf '%s\n' "$j"
        return 0
    fi
    if command -v java >/dev/null 2>&1; then
        die "Java 17 or newer is needed for Kafka $KAFKA_VERSION; found only Java $(java_major "$(command -v java)") ($(command -v java)). Run 'stack.sh install' (installs openjdk-17-jre-headless) or set JAVA_HOME to a Java 17+"
    fi
    die "Java is missing (Kafka $KAFKA_VERSION needs Java 17+). Run 'stack.sh install' or install openjdk-17-jre-headless"
}

pkg_missing() {
    # Prints those of the given Debian packages that are not installed.
    local p status
    for p in "$@"; do
        status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
        [[ $status == "install ok installed" ]] || printf '%s\n' "$p"
    done
}

do_install() {
    need_root install
    local t0 pkgs missing
    t0=$(now)
    pkgs=(build-essential cmake ninja-build pkg-config librdkafka-dev libjansson-dev libpq-dev libssl-dev
        libcmocka-dev postgresql postgresql-client maven python3-jsonschema kcat procps iproute2
        chromium fonts-wqy-zenhei poppler-utils libmicrohttpd-dev prometheus curl clang-format)
    # chromium and the CJK font: the report test renders the HTML report in headless Chromium, and famins-report
    # --format pdf prints it with Chromium; poppler-utils (pdftoppm, pdftotext): the PDF test reads the PDF back.
    # clang-format: deploy/format-check.sh.
    # systemd-analyze: tests/unit/install checks the installed units (no running systemd needed); strace:
    # tests/integration/install checks the services' system calls against the units' filter.
    pkgs+=(systemd strace)
    # linux-perf: tests/bench/tools/cpu_perf.sh (the pipeline's hottest functions during a benchmark run).
    pkgs+=(linux-perf)
    # Any Java 17+ already there will do; otherwise Debian 12's OpenJDK 17.
    find_java >/dev/null 2>&1 || pkgs+=(openjdk-17-jre-headless)
    mapfile -t missing < <(pkg_missing "${pkgs[@]}")
    # The metapackage may be absent while the versioned server is there (e.g. from PGDG).
    if [[ ${#missing[@]} -gt 0 && -x $PG_BINDIR/postgres ]]; then
        mapfile -t missing < <(printf '%s\n' "${missing[@]}" | grep -vx postgresql || true)
    fi
    if [[ ${#missing[@]} -gt 0 ]]; then
        say "install: apt-get install ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get -q -o DPkg::Lock::Timeout=120 update >/dev/null ||
            die "apt-get update failed"
        apt-get -q -y -o DPkg::Lock::Timeout=120 install --no-install-recommends "${missing[@]}" ||
            die "apt-get install failed for: ${missing[*]}"
    else
        say "install: all Debian packages present"
    fi
    [[ -x $PG_BINDIR/initdb ]] ||
        die "PostgreSQL $PG_MAJOR server binaries not found in $PG_BINDIR (Debian package postgresql-$PG_MAJOR; or set FAMINS_PG_BINDIR)"
    java_or_die >/dev/null
    fetch_kafka
    say "install: done in $(elapsed_since "$t0") s"
}

# The stamp says which pom filled the cache, so a changed pom refreshes it.
cache_stamp() { printf 'kafka %s pom %s\n' "$KAFKA_VERSION" "$(sha256sum <"$POM" | cut -c1-16)"; }

cache_complete() {
    [[ -f $KAFKA_CACHE/.complete && -f $KAFKA_CACHE/libs/kafka_2.13-$KAFKA_VERSION.jar ]] &&
        [[ $(cat "$KAFKA_CACHE/.complete") == "$(cache_stamp)" ]]
}

fetch_kafka() {
    if cache_complete; then
        say "install: Kafka $KAFKA_VERSION jars present in $KAFKA_CACHE"
        return 0
    fi
    if [[ -d $KAFKA_CACHE ]] && kafka_pid >/dev/null; then
        warn "the jar cache $KAFKA_CACHE does not match $POM, but Kafka runs from it; 'down' first to refresh it"
        return 0
    fi
    command -v mvn >/dev/null || die "mvn is missing: run 'stack.sh install' (Debian package maven)"
    local parent tmp old="" base
    parent=$(dirname "$KAFKA_CACHE")
    base=$(basename "$KAFKA_CACHE")
    mkdir -p "$parent"
    # One download at a time; under the lock, temp folders of interrupted downloads can go.
    exec 8>"$parent/.$base.lock"
    flock -w 600 8 || die "another install holds $parent/.$base.lock"
    if cache_complete; then
        say "install: Kafka $KAFKA_VERSION jars present in $KAFKA_CACHE"
        return 0
    fi
    rm -rf "$parent/.$base.tmp."* "$parent/.$base.old."*
    # Download next to the cache and rename: an interrupted download never looks complete.
    tmp=$(mktemp -d "$parent/.$base.tmp.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    say "install: fetching Kafka $KAFKA_VERSION jars from Maven Central into $KAFKA_CACHE"
    if ! mvn -B -q -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
        -DoutputDirectory="$tmp/libs" -DincludeScope=runtime >"$tmp/mvn.log" 2>&1; then
        tail -n 30 "$tmp/mvn.log" >&2
        die "could not fetch the Kafka jars with Maven (log above)"
    fi
    [[ -f $tmp/libs/kafka_2.13-$KAFKA_VERSION.jar ]] || die "Maven finished but kafka_2.13-$KAFKA_VERSION.jar is missing"
    cp "$POM" "$tmp/pom.xml"
    cache_stamp >"$tmp/.complete"
    chmod -R a+rX "$tmp"
    if [[ -e $KAFKA_CACHE ]]; then
        old="$parent/.$base.old.$$"
        mv "$KAFKA_CACHE" "$old"
    fi
    mv "$tmp" "$KAFKA_CACHE"
    trap - EXIT
    [[ -n $old ]] && rm -rf "$old"
    say "install: $(find "$KAFKA_CACHE/libs" -name '*.jar' | wc -l) jars in $KAFKA_CACHE/libs"
}

# Checks, without installing, that what 'up' needs is there (FAMINS_SKIP_INSTALL=1).
check_prereqs() {
    command -v kcat >/dev/null || die "kcat is missing (Debian package kcat): run 'stack.sh install'"
    command -v ss >/dev/null || die "ss is missing (Debian package iproute2): run 'stack.sh install'"
    [[ -x $PG_BINDIR/initdb ]] ||
        die "PostgreSQL $PG_MAJOR server binaries not found in $PG_BINDIR: run 'stack.sh install' or set FAMINS_PG_BINDIR"
    cache_complete || die "the Kafka jars are not in $KAFKA_CACHE: run 'stack.sh install'"
}

# ---------------------------------------------------------------------------------------------
# processes and ports

cmdline_of() { tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline"; }

is_our_kafka() {
    [[ $1 =~ ^[0-9]+$ && -r /proc/$1/cmdline ]] || return 1
    # cmdline_of ends every argument with a space: the match is exact, not a prefix.
    [[ $(cmdline_of "$1") == *"kafka.Kafka $KAFKA_PROPS "* ]]
}

# Prints the pid of this stack's broker; by the pid file, else by its command line.
kafka_pid() {
    local pid
    if [[ -f $KAFKA_PIDFILE ]]; then
        pid=$(<"$KAFKA_PIDFILE")
        if is_our_kafka "$pid"; then
            printf '%s\n' "$pid"
            return 0
        fi
    fi
    for pid in $(pgrep -f -- "kafka.Kafka $KAFKA_PROPS" 2>/dev/null || true); do
        if is_our_kafka "$pid"; then
            printf '%s\n' "$pid"
            return 0
        fi
    done
    return 1
}

# Prints the pid of this stack's postmaster; by postmaster.pid, else by its command line.
pg_pid() {
    local pid
    if [[ -r $PG_DATA/postmaster.pid ]]; then
        pid=$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null || true)
        if [[ $pid =~ ^[0-9]+$ && $(cmdline_of "$pid") == *"-D $PG_DATA "* ]]; then
            printf '%s\n' "$pid"
            return 0
        fi
    fi
    for pid in $(pgrep -f -- "-D $PG_DATA" 2>/dev/null || true); do
        if [[ $(cat "/proc/$pid/comm" 2>/dev/null) == postgres && $(cmdline_of "$pid") == *"-D $PG_DATA "* ]]; then
            printf '%s\n' "$pid"
            return 0
        fi
    done
    return 1
}

# Every Java or PostgreSQL process of this stack: its command line names the stack folder
# (broker, postmaster) or it runs inside it (PostgreSQL's backends and helpers, whose titles are
# rewritten, run in the data folder). Other programs (an editor, a tail -f) are never included.
stack_pids() {
    local d pid comm cwd
    for d in /proc/[0-9]*; do
        pid=${d#/proc/}
        [[ $pid == "$$" ]] && continue
        comm=$(cat "$d/comm" 2>/dev/null) || continue
        case $comm in java | postgres | postmaster) ;; *) continue ;; esac
        cwd=$(readlink "$d/cwd" 2>/dev/null || true)
        if [[ $(cmdline_of "$pid") == *"$STACK_DIR/"* || $cwd == "$STACK_DIR" || $cwd == "$STACK_DIR/"* ]]; then
            printf '%s\n' "$pid"
        fi
    done
}

is_alive() { [[ -d /proc/$1 ]] && [[ $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) != Z ]]; }

# Waits up to $2 seconds for process $1 to end; returns 1 if it is still there.
wait_gone() {
    local pid=$1 deadline=$((SECONDS + $2))
    while is_alive "$pid"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
}

is_listening() { [[ -n $(ss -Hltn "sport = :$1" 2>/dev/null) ]]; }

# Fails with a clear message when something that is not ours listens on the port.
check_port_free() {
    local port=$1 var=$2 who
    is_listening "$port" || return 0
    who=$(ss -Hltnp "sport = :$port" 2>/dev/null | grep -o 'users:(([^)]*))' | head -n 1 || true)
    die "port $port is already in use by another program ${who:+($who)}; stop it or choose another port with $var=<port>"
}

# ---------------------------------------------------------------------------------------------
# Kafka

write_kafka_config() {
    mkdir -p "$KAFKA_DATA" "$KAFKA_LOGS"
    cat >"$KAFKA_PROPS.tmp" <<EOF
# Written by deploy/local/stack.sh on every 'up': change the script, not this file.
# Single-node KRaft: this process is broker and controller. Local development only.
process.roles=broker,controller
node.id=$NODE_ID
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CTRL_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CTRL_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
controller.quorum.bootstrap.servers=127.0.0.1:$CTRL_PORT
log.dirs=$KAFKA_DATA

# famins creates its own topics; a typo must fail, not create a topic.
auto.create.topics.enable=false
num.partitions=6
default.replication.factor=1
min.insync.replicas=1

# One broker: every internal topic has one replica.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Fewer partitions than the default 50 for the internal topics: the first consumer group and
# the first transactional producer come up faster on a two-core machine.
offsets.topic.num.partitions=10
transaction.state.log.num.partitions=10

# Tests start consumers often and use short session timeouts.
group.initial.rebalance.delay.ms=0
group.min.session.timeout.ms=1000

num.recovery.threads.per.data.dir=1
log.retention.hours=168
EOF
    mv "$KAFKA_PROPS.tmp" "$KAFKA_PROPS"

    # Broker logs: files in the stack folder, rolled by size (5 x 20 MB each).
    cat >"$KAFKA_DIR/log4j2.properties" <<'EOF'
# Written by deploy/local/stack.sh: the broker's log files, rolled by size.
name = famins-kafka
status = warn
property.dir = ${sys:kafka.logs.dir}

appender.server.type = RollingFile
appender.server.name = server
appender.server.fileName = ${dir}/server.log
appender.server.filePattern = ${dir}/server.log.%i
appender.server.layout.type = PatternLayout
appender.server.layout.pattern = [%d] %p %m (%c)%n
appender.server.policies.type = Policies
appender.server.policies.size.type = SizeBasedTriggeringPolicy
appender.server.policies.size.size = 20MB
appender.server.strategy.type = DefaultRolloverStrategy
appender.server.strategy.max = 5

appender.controller.type = RollingFile
appender.controller.name = controller
appender.controller.fileName = ${dir}/controller.log
appender.controller.filePattern = ${dir}/controller.log.%i
appender.controller.layout.type = PatternLayout
appender.controller.layout.pattern = [%d] %p %m (%c)%n
appender.controller.policies.type = Policies
appender.controller.policies.size.type = SizeBasedTriggeringPolicy
appender.controller.policies.size.size = 20MB
appender.controller.strategy.type = DefaultRolloverStrategy
appender.controller.strategy.max = 5

rootLogger.level = INFO
rootLogger.appenderRef.server.ref = server

logger.controller.name = kafka.controller
logger.controller.level = INFO
logger.controller.additivity = false
logger.controller.appenderRef.controller.ref = controller

logger.qcontroller.name = org.apache.kafka.controller
logger.qcontroller.level = INFO
logger.qcontroller.additivity = false
logger.qcontroller.appenderRef.controller.ref = controller

logger.statechange.name = state.change.logger
logger.statechange.level = INFO
logger.statechange.additivity = false
logger.statechange.appenderRef.controller.ref = controller

logger.request.name = kafka.request.logger
logger.request.level = WARN
EOF

    # Command-line tools (StorageTool, topics, groups): warnings only, to stderr.
    cat >"$KAFKA_DIR/log4j2-tools.properties" <<'EOF'
# Written by deploy/local/stack.sh: Kafka's command-line tools log warnings to stderr only.
name = famins-kafka-tools
status = warn
appender.err.type = Console
appender.err.name = err
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.err.ref = err
EOF
}

kafka_tool() {
    local java=$1
    shift
    local logcfg=()
    [[ -f $KAFKA_DIR/log4j2-tools.properties ]] && logcfg=("-Dlog4j2.configurationFile=$KAFKA_DIR/log4j2-tools.properties")
    "$java" -Xmx256m "${logcfg[@]}" -cp "$KAFKA_CACHE/libs/*" "$@"
}

prop_of() { sed -n "s/^$1=//p" "$2" 2>/dev/null | head -n 1; }

# Formats the log folder once; refuses a folder formatted for another cluster or layout.
format_kafka_if_needed() {
    local java=$1 meta="$KAFKA_DATA/meta.properties" cid nid want_cid want_ctrl
    if [[ -f $meta ]]; then
        cid=$(prop_of cluster.id "$meta")
        nid=$(prop_of node.id "$meta")
        if [[ ! -f $KAFKA_STAMP ]]; then
            die "the Kafka folder $KAFKA_DATA was formatted (cluster $cid) but not by this script; wipe it with 'deploy/local/stack.sh reset'"
        fi
        want_cid=$(prop_of cluster.id "$KAFKA_STAMP")
        want_ctrl=$(prop_of controller.port "$KAFKA_STAMP")
        [[ $cid == "$want_cid" ]] ||
            die "the Kafka folder $KAFKA_DATA belongs to cluster '$cid', not to this stack's cluster '$want_cid' (stale or copied folder); wipe it with 'deploy/local/stack.sh reset'"
        [[ $nid == "$NODE_ID" ]] ||
            die "the Kafka folder $KAFKA_DATA was formatted for node.id=$nid, this stack runs node.id=$NODE_ID; wipe it with 'deploy/local/stack.sh reset'"
        # The controller's address is part of the stored KRaft voter set.
        [[ $want_ctrl == "$CTRL_PORT" ]] ||
            die "the Kafka folder $KAFKA_DATA was formatted with controller port $want_ctrl, now FAMINS_KAFKA_CONTROLLER_PORT=$CTRL_PORT; set it back to $want_ctrl or wipe the data with 'deploy/local/stack.sh reset'"
        return 0
    fi
    if [[ -n $(ls -A "$KAFKA_DATA" 2>/dev/null) ]]; then
        die "the Kafka folder $KAFKA_DATA holds files but no meta.properties (stale or damaged); wipe it with 'deploy/local/stack.sh reset'"
    fi
    cid=$(kafka_tool "$java" kafka.tools.StorageTool random-uuid 2>>"$KAFKA_LOGS/format.log" | tail -n 1)
    [[ $cid =~ ^[A-Za-z0-9_-]{22}$ ]] || die "kafka-storage random-uuid gave '$cid' (see $KAFKA_LOGS/format.log)"
    if ! kafka_tool "$java" kafka.tools.StorageTool format --standalone -t "$cid" -c "$KAFKA_PROPS" \
        >>"$KAFKA_LOGS/format.log" 2>&1; then
        tail -n 20 "$KAFKA_LOGS/format.log" >&2
        die "formatting the Kafka folder failed (above); if it is damaged: 'deploy/local/stack.sh reset'"
    fi
    printf 'cluster.id=%s\nnode.id=%s\ncontroller.port=%s\nformatted=%s\n' \
        "$cid" "$NODE_ID" "$CTRL_PORT" "$(date -u +%FT%TZ)" >"$KAFKA_STAMP"
    say "kafka: formatted $KAFKA_DATA (cluster $cid)"
}

# Starts the broker in the background; prints its pid. Does not wait for it.
launch_kafka() {
    local java=$1 heap pid
    read -r -a heap <<<"$KAFKA_HEAP"
    # setsid: the broker leaves this shell's session, so a closed terminal does not stop it.
    # The broker must not inherit the lock descriptors (8, 9): it would hold the locks forever.
    (
        cd "$KAFKA_DIR"
        exec 8>&- 9>&-
        exec setsid nohup "$java" "${heap[@]}" -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
            -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
            -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
            -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.properties" \
            -Dkafka.logs.dir="$KAFKA_LOGS" \
            -cp "$KAFKA_CACHE/libs/*" kafka.Kafka "$KAFKA_PROPS" \
            >>"$KAFKA_LOGS/kafka.out" 2>&1 </dev/null
    ) &
    pid=$!
    printf '%s\n' "$pid" >"$KAFKA_PIDFILE"
    printf '%s\n' "$pid"
}

# kafka_answers SECONDS: one metadata request, given at most that long.
kafka_answers() {
    local out
    out=$(timeout "$1" kcat -L -b "127.0.0.1:$KAFKA_PORT" -m "$1" 2>/dev/null) || return 1
    grep -q "broker $NODE_ID at 127.0.0.1:$KAFKA_PORT" <<<"$out"
}

show_kafka_log_tail() {
    local f
    for f in "$KAFKA_LOGS/kafka.out" "$KAFKA_LOGS/server.log"; do
        [[ -s $f ]] || continue
        printf -- '--- last lines of %s ---\n' "$f" >&2
        tail -n 25 "$f" >&2
    done
}

# Waits, within the bound, until the broker answers a metadata request.
wait_kafka() {
    local pid=$1 deadline=$((SECONDS + WAIT_SECONDS)) left
    while :; do
        if ! is_alive "$pid"; then
            # setsid may have forked: look for the broker by its command line before giving up.
            if pid=$(kafka_pid); then
                printf '%s\n' "$pid" >"$KAFKA_PIDFILE"
            else
                show_kafka_log_tail
                rm -f "$KAFKA_PIDFILE"
                die "kafka exited during start-up (log above, all logs in $KAFKA_LOGS)"
            fi
        fi
        left=$((deadline - SECONDS))
        ((left < 1)) && left=1
        ((left > 5)) && left=5
        if is_listening "$KAFKA_PORT" && kafka_answers "$left"; then
            return 0
        fi
        if ((SECONDS >= deadline)); then
            show_kafka_log_tail
            stop_kafka >/dev/null 2>&1 || true
            die "kafka did not answer on 127.0.0.1:$KAFKA_PORT within $WAIT_SECONDS s (FAMINS_WAIT_SECONDS); it was stopped; log above"
        fi
        sleep 0.3
    done
}

stop_kafka() {
    local pid
    if ! pid=$(kafka_pid); then
        rm -f "$KAFKA_PIDFILE"
        say "kafka: already stopped"
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" "$WAIT_SECONDS"; then
        warn "kafka (pid $pid) still running $WAIT_SECONDS s after SIGTERM; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        wait_gone "$pid" 10 || die "kafka (pid $pid) survived SIGKILL"
    fi
    rm -f "$KAFKA_PIDFILE"
    say "kafka: stopped (was pid $pid)"
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL

ensure_user() {
    if ! id -u "$STACK_USER" >/dev/null 2>&1; then
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$STACK_USER" ||
            die "could not create the system user $STACK_USER (FAMINS_STACK_USER)"
        say "created system user $STACK_USER"
    fi
    [[ $(id -u "$STACK_USER") -ne 0 ]] || die "FAMINS_STACK_USER=$STACK_USER is root; PostgreSQL refuses to run as root"
}

# Runs a command as the stack user, in a folder it can read, without the lock descriptors.
as_user() { (cd "$PG_DIR" && runuser -u "$STACK_USER" -- "$@" 8>&- 9>&-); }

prepare_dirs() {
    mkdir -p "$STACK_DIR" "$KAFKA_DIR" "$PG_DIR" "$PG_SOCK" "$PG_LOGDIR"
    chmod 0755 "$STACK_DIR" "$KAFKA_DIR"
    chown "$STACK_USER:" "$PG_DIR" "$PG_SOCK" "$PG_LOGDIR"
    chmod 0755 "$PG_DIR" "$PG_SOCK" "$PG_LOGDIR"
    runuser -u "$STACK_USER" -- test -x "$PG_DIR" -a -w "$PG_SOCK" ||
        die "user $STACK_USER cannot reach $PG_DIR: every folder above FAMINS_STACK_DIR=$STACK_DIR must be traversable by others (chmod o+x), or choose another FAMINS_STACK_DIR"
}

check_pg_binaries() {
    [[ -x $PG_BINDIR/initdb && -x $PG_BINDIR/pg_ctl && -x $PG_BINDIR/postgres ]] ||
        die "PostgreSQL $PG_MAJOR server binaries not found in $PG_BINDIR: run 'stack.sh install' (Debian postgresql-$PG_MAJOR) or set FAMINS_PG_BINDIR"
    local v
    v=$("$PG_BINDIR/postgres" --version 2>/dev/null || true)
    [[ $v == *" $PG_MAJOR."* ]] || die "$PG_BINDIR/postgres is '$v', not PostgreSQL $PG_MAJOR (FAMINS_PG_BINDIR)"
}

# Refuses a data folder that is not a PostgreSQL 15 cluster of the stack user.
check_pg_data() {
    local owner ver
    owner=$(stat -c %U "$PG_DATA")
    [[ $owner == "$STACK_USER" ]] ||
        die "the PostgreSQL data folder $PG_DATA belongs to user '$owner', not to FAMINS_STACK_USER=$STACK_USER; wipe it with 'deploy/local/stack.sh reset' (or run with FAMINS_STACK_USER=$owner)"
    ver=$(cat "$PG_DATA/PG_VERSION" 2>/dev/null || true)
    [[ $ver == "$PG_MAJOR" ]] ||
        die "the PostgreSQL data folder $PG_DATA is of version '${ver:-none}', not $PG_MAJOR; wipe it with 'deploy/local/stack.sh reset'"
    [[ -f $PG_DATA/global/pg_control && -f $PG_DATA/postgresql.conf && -d $PG_DATA/base ]] ||
        die "the PostgreSQL data folder $PG_DATA is incomplete or damaged; wipe it with 'deploy/local/stack.sh reset'"
}

init_pg() {
    if ! as_user "$PG_BINDIR/initdb" -D "$PG_DATA" -U "$PG_SUPERUSER" --encoding=UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=trust >"$PG_LOGDIR/initdb.log" 2>&1; then
        tail -n 20 "$PG_LOGDIR/initdb.log" >&2
        die "initdb failed (above); to start over: 'deploy/local/stack.sh reset'"
    fi
    say "pg: initialised $PG_DATA"
}

# Rewrites our block at the end of postgresql.conf (later lines win) and pg_hba.conf.
# A quarter of the machine's memory, at most 4 GiB, at least 128 MiB (PostgreSQL's own advice for a dedicated
# server, kept small on a shared one): a 1,000,000-household database is 7-8 GB, and the adjudicator's lookups
# (policies, insured persons, the deduplication keys: about 1.5 GB) must stay in PostgreSQL's cache while the
# benchmark writes gigabytes beside them; with 256 MB they were read again from disk batch after batch.
shared_buffers_mb() {
    local kib mb
    kib=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo 2>/dev/null)
    mb=$(( ${kib:-0} / 1024 / 4 ))
    ((mb <= 4096)) || mb=4096
    ((mb >= 128)) || mb=128
    echo "$mb"
}

write_pg_config() {
    local conf="$PG_DATA/postgresql.conf" tmp
    tmp=$(mktemp "$PG_DATA/.conf.XXXXXX")
    sed '/^# >>> famins local stack/,/^# <<< famins local stack/d' "$conf" >"$tmp"
    cat >>"$tmp" <<EOF
# >>> famins local stack (written by deploy/local/stack.sh on every 'up'; change the script)
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCK'
max_connections = 200
shared_buffers = $(shared_buffers_mb)MB
# Time spent reading blocks (pg_stat_database.blk_read_time): the benchmark tells a slow batch's disk reads
# from its CPU with it.
track_io_timing = on
# Durability stays on: the outbox relay may publish only what is durably committed.
fsync = on
synchronous_commit = on
full_page_writes = on
# Commit times are kept so that the benchmark measures a claim's decision latency to its commit.
track_commit_timestamp = on
# A write-heavy service: room for a wave's WAL between checkpoints (the default 1 GB forced one every 10-16 s
# during a 1,000,000-household wave, and every page's first change after one is written whole to the WAL).
max_wal_size = 4GB
min_wal_size = 1GB
checkpoint_timeout = 15min
logging_collector = on
log_directory = '$PG_LOGDIR'
log_filename = 'postgresql-%a.log'
log_truncate_on_rotation = on
log_rotation_age = 1d
log_rotation_size = 100MB
log_line_prefix = '%m [%p] %q%u@%d '
# readable by every local user (a development stack): 'stack.sh logs pg' works unprivileged
log_file_mode = 0644
# <<< famins local stack
EOF
    cat "$tmp" >"$conf"
    rm -f "$tmp"
    # LOCAL DEVELOPMENT ONLY: no passwords, for the socket and 127.0.0.1 only.
    cat >"$PG_DATA/pg_hba.conf" <<'EOF'
# Written by deploy/local/stack.sh. LOCAL DEVELOPMENT STACK ONLY: every local connection is
# trusted without a password. Never copy this to a shared or production server.
# TYPE  DATABASE  USER  ADDRESS        METHOD
local   all       all                  trust
host    all       all   127.0.0.1/32   trust
EOF
    chown "$STACK_USER:" "$conf" "$PG_DATA/pg_hba.conf"
}

psql_super() {
    "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U "$PG_SUPERUSER" "$@"
}

# The bootstrap, as the cluster superuser, idempotently and before any migration runs: the role famins_admin
# (LOGIN CREATEDB: each integration test makes its own database, see tests/support/itest.sh; NOCREATEROLE,
# also on a stack made before: in PostgreSQL 15 CREATEROLE lets a role grant itself pg_execute_server_program,
# i.e. run shell commands as the server), the six service roles with their comments (migration 001 creates
# them only when missing, which famins_admin no longer can), and the database famins owned by famins_admin.
ensure_db() {
    (cd / && psql_super -d postgres) <<EOF || die "could not create the roles / database $PG_DB (PostgreSQL log: stack.sh logs pg)"
SELECT 'CREATE ROLE $PG_ADMIN_ROLE LOGIN CREATEDB NOCREATEROLE'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$PG_ADMIN_ROLE') \gexec
ALTER ROLE $PG_ADMIN_ROLE LOGIN CREATEDB NOCREATEROLE NOSUPERUSER NOBYPASSRLS;
SELECT format('CREATE ROLE %I LOGIN', r)
  FROM unnest(ARRAY['famins_eligibility', 'famins_subsidy', 'famins_adjudicator', 'famins_relay',
                    'famins_reporter', 'famins_operator']) AS r
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) \gexec
COMMENT ON ROLE famins_eligibility IS 'famins eligibility service: households, members, policies, enrollment decisions';
COMMENT ON ROLE famins_subsidy IS 'famins subsidy service: the subsidy ledger';
COMMENT ON ROLE famins_adjudicator IS 'famins adjudicator: claims, usage, claim decisions, reviews';
COMMENT ON ROLE famins_relay IS 'famins outbox relay: reads and marks the outbox';
COMMENT ON ROLE famins_reporter IS 'read-only: the reporting views (famins-report, BI tools)';
COMMENT ON ROLE famins_operator IS 'operators: dead letters with their raw messages, replay';
-- The benchmark checkpoints between its measurements, so that one's dirty pages are not flushed during the next.
GRANT pg_checkpoint TO $PG_ADMIN_ROLE;
SELECT 'CREATE DATABASE $PG_DB OWNER $PG_ADMIN_ROLE'
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$PG_DB') \gexec
ALTER DATABASE $PG_DB OWNER TO $PG_ADMIN_ROLE;
\c $PG_DB
-- PostgreSQL 15 no longer lets everyone create in public; the owner role needs it.
GRANT ALL ON SCHEMA public TO $PG_ADMIN_ROLE;
EOF
}

show_pg_log_tail() {
    local f
    for f in "$PG_LOGDIR/startup.log" "$(ls -t "$PG_LOGDIR"/postgresql-*.log 2>/dev/null | head -n 1)"; do
        [[ -n $f && -s $f ]] || continue
        printf -- '--- last lines of %s ---\n' "$f" >&2
        tail -n 25 "$f" >&2
    done
}

# Everything that can refuse PostgreSQL's start, checked before anything is started.
precheck_pg() {
    check_port_free "$PG_PORT" FAMINS_PG_PORT
    check_pg_binaries
    clear_stale_pg_lock
    if [[ -e $PG_DATA/PG_VERSION ]]; then
        check_pg_data
    elif [[ -n $(ls -A "$PG_DATA" 2>/dev/null) ]]; then
        die "the PostgreSQL data folder $PG_DATA holds files but no cluster (PG_VERSION missing: stale or damaged); wipe it with 'deploy/local/stack.sh reset'"
    fi
}

# Lock files left by a killed server (postmaster.pid, the socket's .lock). PostgreSQL ignores
# them when their pid is gone, but not when the pid is an unreaped zombie (seen on machines
# whose init reaps late) or was reused: then it refuses to start. No postmaster of ours runs
# (checked by the caller), so they are stale unless a backend of the dead server is still
# there: those must go first. A server's processes all run in its data folder, so only those
# count: another server of the same folder tree (the cluster's primary beside its standby)
# is not an orphan of this one.
clear_stale_pg_lock() {
    local sock_lock="$PG_SOCK/.s.PGSQL.$PG_PORT.lock" orphans="" pid data
    [[ -f $PG_DATA/postmaster.pid || -f $sock_lock ]] || return 0
    data=$(readlink -f "$PG_DATA" 2>/dev/null || printf '%s' "$PG_DATA")
    for pid in $(stack_pids); do
        [[ $(cat "/proc/$pid/comm" 2>/dev/null) == postgres ]] || continue
        # "(deleted)": a backend whose data folder was wiped under it.
        case $(readlink "/proc/$pid/cwd" 2>/dev/null) in "$data" | "$data (deleted)") orphans+="$pid " ;; esac
    done
    [[ -z $orphans ]] ||
        die "PostgreSQL processes of a crashed server are still running (pids $orphans); run 'deploy/local/stack.sh down' first"
    [[ -f $PG_DATA/postmaster.pid ]] && mv -f "$PG_DATA/postmaster.pid" "$PG_DATA/postmaster.pid.stale"
    rm -f "$sock_lock" "$PG_SOCK/.s.PGSQL.$PG_PORT"
    say "pg: cleared the lock files of a server that was killed"
}

start_pg() {
    [[ -e $PG_DATA/PG_VERSION ]] || init_pg
    write_pg_config
    chmod a+r "$PG_LOGDIR"/*.log 2>/dev/null || true
    : >"$PG_LOGDIR/startup.log"
    chown "$STACK_USER:" "$PG_LOGDIR/startup.log"
    # setsid -w: the postmaster leaves this session (a closed terminal does not stop it).
    if ! as_user setsid -w "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -l "$PG_LOGDIR/startup.log" \
        -w -t "$WAIT_SECONDS" start >/dev/null; then
        show_pg_log_tail
        die "PostgreSQL did not start (bound $WAIT_SECONDS s; log above); if its data folder is damaged: 'deploy/local/stack.sh reset'"
    fi
    pg_pid >/dev/null || die "PostgreSQL started but its postmaster cannot be found"
}

stop_pg() {
    local pid
    if ! pid=$(pg_pid); then
        say "pg: already stopped"
        return 0
    fi
    if ! as_user "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -m fast -w -t "$WAIT_SECONDS" stop >/dev/null 2>&1; then
        warn "pg_ctl stop -m fast did not finish within $WAIT_SECONDS s; trying -m immediate"
        as_user "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -m immediate -w -t 10 stop >/dev/null 2>&1 || true
    fi
    if ! wait_gone "$pid" 10; then
        warn "postmaster (pid $pid) still running; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        wait_gone "$pid" 10 || true
    fi
    say "pg: stopped (was pid $pid)"
}

# ---------------------------------------------------------------------------------------------
# subcommands

# One up/down/reset at a time per stack folder (fd 9 stays open until the script ends).
take_lock() {
    mkdir -p "$STACK_DIR"
    exec 9>"$STACK_DIR/.lock"
    flock -w "$WAIT_SECONDS" 9 || die "another stack.sh up/down/reset holds $STACK_DIR/.lock for more than $WAIT_SECONDS s"
}

# On a failed 'up', the broker this run launched is stopped again: no half-started stack.
LAUNCHED_KAFKA=""
on_up_exit() {
    local rc=$?
    if [[ $rc -ne 0 && -n $LAUNCHED_KAFKA ]] && is_alive "$LAUNCHED_KAFKA"; then
        warn "stopping the broker this failed 'up' started"
        stop_kafka >/dev/null 2>&1 || true
    fi
    return "$rc"
}

cmd_up() {
    need_root up
    local t0 java kpid="" ppid=""
    t0=$(now)
    if [[ $SKIP_INSTALL == 1 ]]; then
        check_prereqs
    else
        do_install
    fi
    java=$(java_or_die)
    ensure_user
    prepare_dirs
    take_lock

    # First every check that can refuse, so a refusal starts nothing.
    if kpid=$(kafka_pid); then
        say "kafka: already running (pid $kpid)"
    else
        kpid=""
        check_port_free "$KAFKA_PORT" FAMINS_KAFKA_PORT
        check_port_free "$CTRL_PORT" FAMINS_KAFKA_CONTROLLER_PORT
        write_kafka_config
        format_kafka_if_needed "$java"
    fi
    if ppid=$(pg_pid); then
        say "pg: already running (pid $ppid)"
    else
        ppid=""
        precheck_pg
    fi

    # Kafka boots in the background while PostgreSQL starts; then the broker is waited for.
    trap on_up_exit EXIT
    if [[ -z $kpid ]]; then
        LAUNCHED_KAFKA=$(launch_kafka "$java")
    fi
    [[ -n $ppid ]] || start_pg
    ensure_db
    [[ -z $LAUNCHED_KAFKA ]] || wait_kafka "$LAUNCHED_KAFKA"
    LAUNCHED_KAFKA=""
    trap - EXIT

    status_line_pg
    status_line_kafka
    say "up: ready in $(elapsed_since "$t0") s"
}

status_line_kafka() {
    local pid
    if pid=$(kafka_pid); then
        if is_listening "$KAFKA_PORT"; then
            echo "kafka: running  pid $pid  port $KAFKA_PORT (controller $CTRL_PORT)  bootstrap 127.0.0.1:$KAFKA_PORT  Kafka $KAFKA_VERSION"
            return 0
        fi
        echo "kafka: starting  pid $pid  port $KAFKA_PORT not listening yet"
        return 1
    fi
    echo "kafka: stopped  (port $KAFKA_PORT)"
    return 1
}

status_line_pg() {
    local pid
    if pid=$(pg_pid); then
        if is_listening "$PG_PORT"; then
            echo "pg:    running  pid $pid  port $PG_PORT  data $PG_DATA  PostgreSQL $PG_MAJOR"
            return 0
        fi
        echo "pg:    starting  pid $pid  port $PG_PORT not listening yet"
        return 1
    fi
    echo "pg:    stopped  (port $PG_PORT)"
    return 1
}

cmd_status() {
    local rc=0
    status_line_kafka || rc=3
    status_line_pg || rc=3
    return "$rc"
}

cmd_down() {
    need_root down
    local pid left
    take_lock
    stop_kafka
    stop_pg
    # Whatever is still there (a lost pid file, a crashed postmaster's children) goes too.
    for pid in $(stack_pids); do
        warn "leftover process of the stack: pid $pid: $(cmdline_of "$pid" | cut -c1-160); sending SIGTERM"
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in $(stack_pids); do
        if ! wait_gone "$pid" 10; then
            warn "pid $pid ignores SIGTERM; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            wait_gone "$pid" 5 || true
        fi
    done
    left=$(stack_pids | tr '\n' ' ')
    [[ -z ${left// /} ]] || die "processes of the stack still running: $left"
    say "down: no process of the stack is left"
}

cmd_reset() {
    need_root reset
    cmd_down
    rm -rf "$KAFKA_DATA" "$KAFKA_STAMP" "$KAFKA_PIDFILE" "$PG_DATA"
    say "reset: wiped $KAFKA_DATA and $PG_DATA (jar cache $KAFKA_CACHE kept)"
}

# The stack's own person-key secret: random, made once per stack folder (mode 0600) and kept, so that the
# services find the persons of earlier runs. Never the public development secret.
stack_person_key_secret() {
    local f="$STACK_DIR/person-key.secret"
    if [[ ! -s $f ]]; then
        mkdir -p "$STACK_DIR" || die "cannot create $STACK_DIR for the person-key secret"
        (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$f.tmp" && mv "$f.tmp" "$f") ||
            die "cannot write the person-key secret in $STACK_DIR"
    fi
    cat "$f"
}

cmd_env() {
    local secret
    secret=$(stack_person_key_secret)
    printf "export FAMINS_PG_DSN='host=127.0.0.1 port=%s dbname=%s user=%s'\n" "$PG_PORT" "$PG_DB" "$PG_ADMIN_ROLE"
    printf "export FAMINS_PG_ADMIN_DSN='host=127.0.0.1 port=%s dbname=postgres user=%s'\n" "$PG_PORT" "$PG_SUPERUSER"
    printf "export FAMINS_KAFKA_BOOTSTRAP='127.0.0.1:%s'\n" "$KAFKA_PORT"
    printf "export FAMINS_PERSON_KEY_SECRET='%s'\n" "$secret"
}

cmd_logs() {
    local what=${1:-all} n=${2:-$LOG_LINES} f
    [[ $n =~ ^[0-9]+$ ]] || die "logs: line count must be a number"
    case $what in
        kafka | all)
            for f in "$KAFKA_LOGS/server.log" "$KAFKA_LOGS/controller.log" "$KAFKA_LOGS/kafka.out"; do
                [[ -s $f ]] || continue
                printf -- '==> %s <==\n' "$f"
                tail -n "$n" "$f"
            done
            ;;&
        pg | all)
            for f in "$PG_LOGDIR/startup.log" "$(ls -t "$PG_LOGDIR"/postgresql-*.log 2>/dev/null | head -n 1)"; do
                [[ -n $f && -s $f ]] || continue
                printf -- '==> %s <==\n' "$f"
                tail -n "$n" "$f"
            done
            ;;
        kafka) ;;
        *) die "logs: unknown component '$what' (kafka or pg)" ;;
    esac
}

cmd_topics() {
    local java
    java=$(java_or_die)
    cache_complete || die "the Kafka jars are not in $KAFKA_CACHE: run 'stack.sh install'"
    [[ $# -gt 0 ]] || set -- --list
    kafka_tool "$java" org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" "$@"
}

cmd_groups() {
    local java
    java=$(java_or_die)
    cache_complete || die "the Kafka jars are not in $KAFKA_CACHE: run 'stack.sh install'"
    if [[ $# -eq 0 ]]; then
        kafka_tool "$java" org.apache.kafka.tools.consumer.group.ConsumerGroupCommand \
            --bootstrap-server "127.0.0.1:$KAFKA_PORT" --list
    else
        kafka_tool "$java" org.apache.kafka.tools.consumer.group.ConsumerGroupCommand \
            --bootstrap-server "127.0.0.1:$KAFKA_PORT" --describe --group "$1"
    fi
}

main() {
    local cmd=${1:-}
    [[ $# -gt 0 ]] && shift
    case $cmd in
        help | --help | -h) usage; return 0 ;;
        "") usage >&2; return 2 ;;
    esac
    validate_config
    case $cmd in
        install) do_install ;;
        up) cmd_up ;;
        down) cmd_down ;;
        status) cmd_status ;;
        reset) cmd_reset ;;
        env) cmd_env ;;
        logs) cmd_logs "$@" ;;
        topics) cmd_topics "$@" ;;
        groups) cmd_groups "$@" ;;
        *) printf 'stack: unknown command %s\n\n' "$cmd" >&2; usage >&2; return 2 ;;
    esac
}

# deploy/local/cluster.sh sources this file for its functions (then main does not run).
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    main "$@"
fi
