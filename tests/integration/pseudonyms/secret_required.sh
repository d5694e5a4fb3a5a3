#!/usr/bin/env bash
# secret_required.sh — every program that computes person keys (famins-eligibility, famins-adjudicator) refuses
# to start without a person-key secret of its own: exit 2 (configuration) before any connection, one line that
# names the setting and never a secret; FAMINS_ALLOW_DEV_PERSON_KEY=1 lets it start with a warning.
# The DSN points at a port nothing listens on, so a program that went on would fail differently (and later).
set -euo pipefail
: "${FAMINS_BUILD_DIR:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dsn="host=127.0.0.1 port=$port dbname=famins user=famins_admin connect_timeout=2"
bins=("$FAMINS_BUILD_DIR/services/eligibility/famins-eligibility" "$FAMINS_BUILD_DIR/services/adjudicator/famins-adjudicator")
printf 'k1 s3cr3t-previous\nthis-line-has-only-one-s3cr3t\n' >"$work/previous-bad"
printf 'k1 s3cr3t-previous\n' >"$work/previous-good"
printf 's3cr3t-from-file\n' >"$work/secret"

# run NAME BIN [VAR=value...]: the program with a clean person-key environment; its exit code in $rc, its
# stderr in $work/NAME.err. Bounded: a program that tries to connect is stopped after $limit s (default 20).
run() {
    local name="$1" bin="$2"
    shift 2
    rc=0
    env -u FAMINS_PERSON_KEY_SECRET -u FAMINS_PERSON_KEY_SECRET_FILE -u FAMINS_PERSON_KEY_PREVIOUS_FILE \
        -u FAMINS_PERSON_KEY_ID -u FAMINS_ALLOW_DEV_PERSON_KEY -u FAMINS_ELIGIBILITY_PG_DSN \
        -u FAMINS_ADJUDICATOR_PG_DSN FAMINS_PG_DSN="$dsn" FAMINS_KAFKA_BOOTSTRAP="127.0.0.1:$port" "$@" \
        timeout -s KILL "${limit:-20}" "$bin" >"$work/$name.out" 2>"$work/$name.err" || rc=$?
}

for bin in "${bins[@]}"; do
    b=$(basename "$bin")
    start=$(date +%s%N)
    run "$b-none" "$bin"
    took=$((($(date +%s%N) - start) / 1000000))
    [ "$rc" = 2 ] || fail "$b without a secret exited $rc, want 2: $(cat "$work/$b-none.err")"
    [ "$(wc -l <"$work/$b-none.err")" = 1 ] || fail "$b: want one line, got: $(cat "$work/$b-none.err")"
    grep -q 'FAMINS_PERSON_KEY_SECRET' "$work/$b-none.err" || fail "$b: the line does not name the setting"
    [ "$took" -lt 2000 ] || fail "$b took $took ms to refuse: it tried to connect first"
    ok "$b without a secret: exit 2 in $took ms: $(cat "$work/$b-none.err")"

    run "$b-empty" "$bin" FAMINS_PERSON_KEY_SECRET=
    [ "$rc" = 2 ] || fail "$b with an empty secret exited $rc, want 2"

    run "$b-both" "$bin" FAMINS_PERSON_KEY_SECRET=s3cr3t-env FAMINS_PERSON_KEY_SECRET_FILE="$work/secret"
    [ "$rc" = 2 ] || fail "$b with both the secret and its file exited $rc, want 2"
    ! grep -q 's3cr3t' "$work/$b-both.err" || fail "$b echoed a secret: $(cat "$work/$b-both.err")"

    run "$b-prev" "$bin" FAMINS_PERSON_KEY_SECRET_FILE="$work/secret" FAMINS_PERSON_KEY_ID=k2 \
        FAMINS_PERSON_KEY_PREVIOUS_FILE="$work/previous-bad"
    [ "$rc" = 2 ] || fail "$b with a bad previous-keys file exited $rc, want 2"
    grep -q 'FAMINS_PERSON_KEY_PREVIOUS_FILE:2' "$work/$b-prev.err" || fail "$b: the error does not name line 2"
    ! grep -q 's3cr3t' "$work/$b-prev.err" || fail "$b echoed a secret: $(cat "$work/$b-prev.err")"
    ok "$b with a bad previous-keys file: exit 2 naming the line only: $(cat "$work/$b-prev.err")"

    run "$b-id" "$bin" FAMINS_PERSON_KEY_SECRET=s3cr3t-env FAMINS_PERSON_KEY_ID='Key 1'
    [ "$rc" = 2 ] || fail "$b with a bad key id exited $rc, want 2"
    grep -q 'FAMINS_PERSON_KEY_ID' "$work/$b-id.err" || fail "$b: the error does not name FAMINS_PERSON_KEY_ID"

    # With a secret (or the development flag) the program goes on: to the unreachable database, so it does not
    # exit 2 for the configuration, and the flag's warning is logged.
    limit=4 run "$b-dev" "$bin" FAMINS_ALLOW_DEV_PERSON_KEY=1
    [ "$rc" != 2 ] && [ "$rc" != 0 ] || fail "$b with FAMINS_ALLOW_DEV_PERSON_KEY=1 exited $rc"
    grep -q 'person_key_secret_development' "$work/$b-dev.err" || fail "$b: no development-secret warning"
    limit=4 run "$b-file" "$bin" FAMINS_PERSON_KEY_SECRET_FILE="$work/secret" FAMINS_PERSON_KEY_ID=k2 \
        FAMINS_PERSON_KEY_PREVIOUS_FILE="$work/previous-good"
    [ "$rc" != 2 ] && [ "$rc" != 0 ] || fail "$b with a secret file exited $rc"
    ! grep -q 'person_key_secret' "$work/$b-file.err" || fail "$b warned about the secret although it was set"
    ! grep -q 's3cr3t' "$work/$b-file.err" || fail "$b logged a secret"
    ok "$b starts with a secret file or the development flag (exit $rc at the unreachable database)"
done
