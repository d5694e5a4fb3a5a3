#!/bin/sh
# conventions.sh — the command-line conventions of every famins program (README, Command-line conventions):
# --help/-h and --version/-V on stdout with exit 0; an unknown option or a stray argument refused with exit 2
# and one line on stderr, promptly, before any setting is used: the database and the broker are pointed at
# ports nothing listens on, so a program that tried to connect would retry (or fail) instead of exiting 2 at
# once, and would log more than one line.
# Usage: conventions.sh VERSION PROGRAM...   (each PROGRAM the path of a built famins-<name>)
set -u
version=$1
shift
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0

# Two ports free now; nothing is kept listening there (the socket is closed when python exits).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pg_port=$(free_port) && kafka_port=$(free_port) || { echo "FAIL: no free port"; exit 1; }
dsn="host=127.0.0.1 port=$pg_port dbname=famins user=famins connect_timeout=30"
export FAMINS_PG_DSN="$dsn" FAMINS_ELIGIBILITY_PG_DSN="$dsn" FAMINS_SUBSIDY_PG_DSN="$dsn"
export FAMINS_ADJUDICATOR_PG_DSN="$dsn" FAMINS_REPORT_PG_DSN="$dsn" FAMINS_RELAY_PG_DSN="$dsn"
export FAMINS_TEST_ECHO_PG_DSN="$dsn"
export FAMINS_KAFKA_BOOTSTRAP="127.0.0.1:$kafka_port"

# run CODE DESCRIPTION -- COMMAND...: runs the command for at most 5 s; stdout/stderr in $tmp/out, $tmp/err.
run() {
    want=$1; what=$2; shift 3
    timeout 5 "$@" > "$tmp/out" 2> "$tmp/err" < /dev/null
    got=$?
    if [ "$got" -ne "$want" ]; then
        [ "$got" -eq 124 ] && what="$what (still running after 5 s)"
        echo "FAIL $what: exit $got, expected $want"; sed 's/^/  stderr: /' "$tmp/err" | head -5
        fail=$((fail + 1))
        return 1
    fi
    return 0
}
lines() { # FILE N DESCRIPTION
    n=$(wc -l < "$1")
    if [ "$n" -ne "$2" ]; then
        echo "FAIL $3: $(basename "$1") has $n lines, expected $2"; sed 's/^/  /' "$1" | head -5
        fail=$((fail + 1))
    fi
}
contains() { # FILE TEXT DESCRIPTION
    if ! grep -qF -- "$2" "$1"; then echo "FAIL $3: no [$2] in $(basename "$1")"; fail=$((fail + 1)); fi
}
is_line() { # FILE TEXT DESCRIPTION: the file is exactly this one line
    if [ "$(cat "$1")" != "$2" ] || [ "$(wc -l < "$1")" -ne 1 ]; then
        echo "FAIL $3: expected [$2], got [$(head -3 "$1")]"; fail=$((fail + 1))
    fi
}
# usage_error DESCRIPTION -- COMMAND...: exit 2 at once, nothing on stdout, one line "famins-x: ...; see --help"
usage_error() {
    what=$1; shift 2
    run 2 "$what" -- "$@" || return
    lines "$tmp/out" 0 "$what: stdout"
    lines "$tmp/err" 1 "$what: stderr"
    contains "$tmp/err" "$name: " "$what: names the program"
    contains "$tmp/err" "; see --help" "$what: points to --help"
}

[ $# -ge 8 ] || { echo "FAIL: expected every program, got $#"; exit 1; }
for bin in "$@"; do
    name=$(basename "$bin")
    # A setting --help must list, and a command line that is good up to one stray argument.
    case $name in
    famins-eligibility) setting=FAMINS_ELIGIBILITY_PG_DSN; stray="stray" ;;
    famins-subsidy) setting=FAMINS_SUBSIDY_PG_DSN; stray="stray" ;;
    famins-adjudicator) setting=FAMINS_ADJUDICATOR_PG_DSN; stray="stray" ;;
    famins-relay) setting=FAMINS_RELAY_PG_DSN; stray="stray" ;;
    famins-admin) setting=FAMINS_SQL_DIR; stray="migrate stray" ;;
    famins-report) setting=FAMINS_REPORT_PG_DSN; stray="--year 2026 stray" ;;
    famins-wavegen) setting=FAMINS_KAFKA_BOOTSTRAP; stray="enroll --households 1 stray" ;;
    famins-rules) setting=FAMINS_PLAN_DIR; stray="enrollment a.json stray" ;;
    famins-test-echo) setting=FAMINS_TEST_ECHO_PG_DSN; stray="stray" ;;
    *) echo "FAIL: no expectations for $name"; fail=$((fail + 1)); continue ;;
    esac
    for opt in --version -V; do
        run 0 "$name $opt" -- "$bin" "$opt" && {
            is_line "$tmp/out" "$name $version" "$name $opt"
            lines "$tmp/err" 0 "$name $opt: stderr"
        }
    done
    for opt in --help -h; do
        run 0 "$name $opt" -- "$bin" "$opt" && {
            contains "$tmp/out" "$setting" "$name $opt"
            lines "$tmp/err" 0 "$name $opt: stderr"
        }
    done
    usage_error "$name --no-such-option" -- "$bin" --no-such-option
    contains "$tmp/err" "unknown option '--no-such-option'" "$name --no-such-option"
    usage_error "$name -Z" -- "$bin" -Z
    # shellcheck disable=SC2086 # the stray line is words on purpose
    usage_error "$name $stray" -- "$bin" $stray
    contains "$tmp/err" "stray" "$name $stray: names the argument"
done

# The programs without arguments: a stray argument alone, and a bad option before or after a good one.
for bin in "$@"; do
    name=$(basename "$bin")
    case $name in famins-eligibility | famins-subsidy | famins-adjudicator | famins-relay | famins-test-echo) ;;
    *) continue ;;
    esac
    usage_error "$name stray" -- "$bin" stray
    contains "$tmp/err" "unexpected argument 'stray'" "$name stray"
    usage_error "$name --version --x" -- "$bin" --version --x
    usage_error "$name --x --help" -- "$bin" --x --help
    usage_error "$name --help=1" -- "$bin" --help=1
done

# A service's own defaults are what --help shows (the settings it runs with come from the same table:
# fm_service_settings, tests/unit/runtime/test_service.c). The adjudicator's batch settings differ from the
# runtime's (500 messages, 200 ms); eligibility has its own batch size and the runtime's wait; subsidy has the
# runtime's both (its batch of 500 is a choice: subs_main.c says why).
# shown_default NAME VARIABLE VALUE: NAME's --help output ($tmp/out) shows VARIABLE with default VALUE.
shown_default() {
    grep -qE "^  $2 +.*\\[$3\\]\$" "$tmp/out" ||
        { echo "FAIL $1 --help: $2 not shown with default $3"; fail=$((fail + 1)); }
}
for bin in "$@"; do
    name=$(basename "$bin")
    case "$name" in
    famins-adjudicator) batch_ms=5 batch_messages=2000 ;;
    famins-eligibility) batch_ms=200 batch_messages=2000 ;;
    famins-subsidy) batch_ms=200 batch_messages=500 ;;
    *) continue ;;
    esac
    run 0 "$name --help" -- "$bin" --help && {
        shown_default "$name" FAMINS_BATCH_MAX_MS "$batch_ms"
        shown_default "$name" FAMINS_BATCH_MAX_MESSAGES "$batch_messages"
    }
done

if [ "$fail" -ne 0 ]; then
    echo "$fail failures"
    exit 1
fi
echo "all command-line conventions hold for $# programs"
