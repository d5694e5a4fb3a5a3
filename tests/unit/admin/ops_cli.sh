#!/bin/sh
# ops_cli.sh — famins-admin's operator commands follow the command-line conventions (README): --help and
# --version on stdout, exit 0; an unknown option, a stray argument or a missing required option exits 2 with
# one line on stderr, promptly, before anything connects (the database is pointed at a port nothing listens
# on); a well-formed command that cannot connect fails with exit 1 after a bounded retry.
# Usage: ops_cli.sh FAMINS_ADMIN
set -u
admin=$1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export FAMINS_PG_DSN="host=127.0.0.1 port=$port dbname=famins user=famins connect_timeout=30"
unset FAMINS_OPERATOR_PG_DSN

# expect CODE STDERR_LINES DESCRIPTION -- ARGS...
expect() {
    want=$1 lines=$2 what=$3
    shift 4
    timeout 10 "$admin" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    got=$?
    n=$(wc -l <"$tmp/err")
    if [ "$got" -ne "$want" ] || { [ "$lines" -ge 0 ] && [ "$n" -ne "$lines" ]; }; then
        echo "FAIL $what: exit $got (want $want), $n stderr lines (want $lines)"
        sed 's/^/  stderr: /' "$tmp/err" | head -5
        fail=$((fail + 1))
    fi
}

for noun in dead-letters alarms outbox; do
    expect 0 0 "$noun --help" -- "$noun" --help
    grep -q "^Usage: famins-admin $noun " "$tmp/out" || { echo "FAIL $noun --help: no usage"; fail=$((fail + 1)); }
    grep -q FAMINS_OPERATOR_PG_DSN "$tmp/out" || { echo "FAIL $noun --help: settings missing"; fail=$((fail + 1)); }
    expect 2 1 "$noun without a command" -- "$noun"
    expect 2 1 "$noun with an unknown command" -- "$noun" frobnicate
done
for cmd in "dead-letters list" "dead-letters replay" "dead-letters discard" "alarms list" "alarms resolve" \
    "outbox backlog" "outbox parked" "outbox requeue" "outbox discard"; do
    # shellcheck disable=SC2086 # the command is two words on purpose
    set -- $cmd
    expect 0 0 "$cmd --help" -- "$@" --help
    expect 0 0 "$cmd --version" -- "$@" --version
    grep -q '^famins-admin ' "$tmp/out" || { echo "FAIL $cmd --version: $(cat "$tmp/out")"; fail=$((fail + 1)); }
    expect 2 1 "$cmd --bogus" -- "$@" --bogus
    grep -q "unknown option '--bogus'" "$tmp/err" || { echo "FAIL $cmd --bogus: $(cat "$tmp/err")"; fail=$((fail + 1)); }
    expect 2 1 "$cmd stray" -- "$@" stray
done
expect 2 1 "replay without a selection" -- dead-letters replay
expect 2 1 "discard without --reason" -- dead-letters discard --id 3
expect 2 1 "outbox discard without --reason" -- outbox discard --id 3
expect 2 1 "resolve without --id" -- alarms resolve
expect 2 1 "a bad time" -- dead-letters list --since yesterday
expect 2 1 "--id and a filter" -- dead-letters replay --id 1 --code X
# Well-formed, but nothing listens: exit 1 after the bounded retry, never 2 and never a hang.
expect 1 -1 "list without a database" -- dead-letters list
echo "ops_cli: $fail failures"
[ "$fail" -eq 0 ]
