#!/usr/bin/env bash
# installed_wave.sh — famins run from an installation only: the working tree's files (what is there, committed or
# not) copied into a temporary folder, configured Release without sanitizers, built, `cmake --install`ed into a
# temporary prefix; then the copy's source and build folders are DELETED, and from the installed programs alone:
# famins-admin migrates a fresh database and creates the topics, famins-wavegen produces an enrollment wave,
# famins-eligibility, famins-subsidy and famins-relay decide it (every decision equal to its label, the subsidy
# ledger reconciled), a year of claims is decided by famins-adjudicator (equal to its labels), and famins-report's
# every figure equals independent sums over the database. Each service runs as its installed unit runs it (its
# ExecStart=, Environment= and credential files), and no installed file carries a path of the deleted tree.
# Sizes: INSTALL_WAVE_HOUSEHOLDS (default 400), INSTALL_CLAIM_SCALE (default 4); INSTALL_BUILD_JOBS (2).
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
src="$FAMINS_SOURCE_DIR"
households="${INSTALL_WAVE_HOUSEHOLDS:-400}"
scale="${INSTALL_CLAIM_SCALE:-4}"
work=$(mktemp -d /tmp/famins-installed.XXXXXX)
copy="$work/famins-src"
build="$work/famins-build"
prefix="$work/prefix"
mkdir -p "$copy" "$work/logs" "$work/run"
say() { echo "$*"; }
die() {
    echo "FAIL: $*" >&2
    echo "logs in $work/logs" >&2
    exit 1
}
trap 'rm -rf "$copy" "$build"' EXIT

# 1. The working tree as it is: tracked and new files (not ignored ones, not build folders); a file deleted in the
# working tree is left out. Without git, everything but build folders.
t0=$(date +%s)
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$src" && git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
        tar --null -T - -cf -) | tar -C "$copy" -xf -
else
    (cd "$src" && tar --exclude='./build*' --exclude='./.git' -cf - .) | tar -C "$copy" -xf -
fi
[ -f "$copy/CMakeLists.txt" ] || die "the copy of $src has no CMakeLists.txt"

# 2. Release, no sanitizers, no tests; installed into the prefix given at configure time.
cmake -S "$copy" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFAMINS_SANITIZE=OFF -DFAMINS_TESTS=OFF \
    -DCMAKE_INSTALL_PREFIX="$prefix" >"$work/logs/configure.log" 2>&1 ||
    { tail -20 "$work/logs/configure.log"; die "configure"; }
nice cmake --build "$build" -j "${INSTALL_BUILD_JOBS:-2}" >"$work/logs/build.log" 2>&1 ||
    { tail -30 "$work/logs/build.log"; die "build"; }
cmake --install "$build" >"$work/logs/install.log" 2>&1 || { tail -20 "$work/logs/install.log"; die "install"; }
say "ok: copied, built (Release) and installed into $prefix in $(($(date +%s) - t0)) s"

# 3. Nothing of the copy remains, and no installed file points back at it.
rm -rf "$copy" "$build"
[ ! -e "$copy" ] && [ ! -e "$build" ] || die "the copy could not be deleted"
for f in "$prefix"/bin/* "$prefix"/lib/systemd/system/*; do
    if grep -aqF -e "$copy" -e "$build" "$f"; then die "$f holds the path of the deleted source or build folder"; fi
done
say "ok: source and build folders deleted; no installed program or unit names them"

bin="$prefix/bin"
# Every program is started from an unrelated folder, with no data folder set: they must find share/famins.
unset FAMINS_PLAN_DIR FAMINS_SQL_DIR
cd "$work/run"

# The services run as their units run them: the program of ExecStart=, the variables of Environment= (%d the
# credentials folder), and the credential files as systemd hands them over: the person key, and where an
# optional file is absent the unit's SetCredential= fallback. So the test also checks that the programs accept
# what the units give them.
units="$prefix/lib/systemd/system"
creds="$work/credentials"
secret=installed-wave-person-key
install -d -m 0700 "$creds"
(
    umask 077
    printf '%s\n' "$secret" >"$creds/person-key"
    sed -n 's/^SetCredential=\([^:]*\):\(.*\)/\1 \2/p' "$units"/famins-*.service | sort -u |
        while read -r id value; do printf '%s\n' "$value" >"$creds/$id"; done
)
for s in eligibility subsidy adjudicator relay migrate; do
    for id in $(sed -n 's/^LoadCredential=\([^:]*\):.*/\1/p' "$units/famins-$s.service"); do
        [ -f "$creds/$id" ] || die "famins-$s.service loads credential $id, which the test does not provide"
    done
done
unit_exec() { sed -n 's/^ExecStart=//p' "$units/$1.service"; }
unit_env() { sed -n 's/^Environment=//p' "$units/$1.service" | sed "s|%d|$creds|g"; }

# 4. A fresh database and topic prefix (as tests/support/itest.sh makes them), migrated by the installed
# famins-admin from the installed migrations.
ITEST_NAME=installed
ITEST_DB="famins_t_${ITEST_NAME}_$$"
psql "$ITEST_ADMIN_DSN" -v ON_ERROR_STOP=1 -qAt -c "SELECT 1" >/dev/null 2>&1 ||
    die "PostgreSQL is not reachable ($ITEST_ADMIN_DSN): run 'bash deploy/local/stack.sh up'"
psql "$ITEST_ADMIN_DSN" -v ON_ERROR_STOP=1 -qAt -c "DROP DATABASE IF EXISTS \"$ITEST_DB\"" >/dev/null
psql "$ITEST_ADMIN_DSN" -v ON_ERROR_STOP=1 -qAt -c "CREATE DATABASE \"$ITEST_DB\" OWNER famins_admin" >/dev/null
export FAMINS_PG_DSN="host=127.0.0.1 port=${FAMINS_PG_PORT} dbname=${ITEST_DB} user=famins_admin"
export FAMINS_TOPIC_PREFIX="t.${ITEST_NAME}.$$."
trap 'rm -rf "$copy" "$build"; itest_done' EXIT
mapfile -t migrate_env < <(unit_env famins-migrate)
read -r -a migrate_cmd <<<"$(unit_exec famins-migrate)"
[ "${migrate_cmd[0]}" = "$bin/famins-admin" ] || die "famins-migrate.service runs ${migrate_cmd[*]}"
env "${migrate_env[@]}" "${migrate_cmd[@]}" >"$work/logs/admin.log" 2>&1 ||
    { cat "$work/logs/admin.log"; die "famins-migrate.service's command"; }
migrations=$(itest_psql -c "SELECT count(*) FROM famins_meta.schema_migrations")
want=$(ls "$prefix/share/famins/sql"/*.sql | wc -l)
[ "$migrations" = "$want" ] || die "$migrations migrations applied, $want installed"
say "ok: installed famins-admin applied the $want installed migrations and created the topics"

# 5. The enrollment wave through the installed workers (the harness of tests/integration/enrollment, pointed at
# the installed programs).
ENR_LOGS="$work/logs"
source "$src/tests/integration/enrollment/enr_common.sh"
source "$src/tests/integration/adjudicator/adj_common.sh" # sets the tests' person-key secret
rmdir "$ADJ_LOGS"
unset FAMINS_PERSON_KEY_SECRET # the services read the credential file, as under systemd
ENR_ELIG_BIN="$(unit_exec famins-eligibility)" ENR_SUBS_BIN="$(unit_exec famins-subsidy)"
ENR_RELAY_BIN="$(unit_exec famins-relay)" ADJ_BIN="$(unit_exec famins-adjudicator)"
for b in "$ENR_ELIG_BIN" "$ENR_SUBS_BIN" "$ENR_RELAY_BIN" "$ADJ_BIN"; do
    [[ $b == "$bin/famins-"* ]] || die "a unit runs $b, not an installed program"
done
ENR_WAVEGEN_BIN="$bin/famins-wavegen" WAVEGEN_BIN="$bin/famins-wavegen"
ADJ_LOGS="$work/logs"
enr_worker_env=(FAMINS_SESSION_TIMEOUT_MS=6000 FAMINS_BATCH_MAX_MS=50 FAMINS_STATS_INTERVAL_S=5)
mapfile -t elig_env < <(unit_env famins-eligibility)
mapfile -t subs_env < <(unit_env famins-subsidy)
mapfile -t relay_env < <(unit_env famins-relay)
mapfile -t adj_env < <(unit_env famins-adjudicator)
# famins-eligibility and famins-relay run under strace, which counts their system calls: each must be one the
# units' filter allows (@system-service without @privileged and @resources), or the service would meet EPERM.
traced() { # NAME PROGRAM: prints a script that runs PROGRAM under strace -c into logs/NAME.syscalls
    local script="$work/run/traced-$1"
    printf '#!/bin/sh\nexec strace -f -qq -c -o "%s" "%s"\n' "$work/logs/$1.syscalls" "$2" >"$script"
    chmod +x "$script"
    echo "$script"
}
# A machine that forbids ptrace (some container runtimes) skips this part, saying so.
if strace -f -qq -o /dev/null true 2>/dev/null; then
    tracing=1
    ENR_ELIG_BIN=$(traced eligibility "$ENR_ELIG_BIN") ENR_RELAY_BIN=$(traced relay "$ENR_RELAY_BIN")
else
    tracing=
    say "SKIP: strace cannot trace on this machine: the system calls are not checked against the units' filter"
fi
printf '%s\n' "${elig_env[@]}" | grep -q "^FAMINS_PERSON_KEY_SECRET_FILE=$creds/person-key$" ||
    die "famins-eligibility.service does not point FAMINS_PERSON_KEY_SECRET_FILE at its credential"
cleanup() {
    local pid
    for pid in "${ENR_PIDS[@]}" "${ADJ_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    itest_done
    rm -rf "$copy" "$build"
    [ "${FAMINS_KEEP_TEST_DB:-0}" = 1 ] || [ -n "${failed:-}" ] || rm -rf "$work"
}
failed=1
trap cleanup EXIT

enr_start_elig installed-elig "${elig_env[@]}"
enr_start_relay installed-relay "${relay_env[@]}"
enr_start_subs installed-subs "${subs_env[@]}"
enr_wave "$households" 2026 "$work/logs/labels.jsonl" --policies-out "$work/logs/policies.jsonl"
enr_drain 240
enr_load_labels "$work/logs/labels.jsonl" >/dev/null
enr_check_labels "installed programs, wave of $households households"
enr_check_ledger "installed programs, wave of $households households"

# 6. A year of claims through the installed adjudicator (its catalogue from share/famins/plans).
"$bin/famins-wavegen" claims --policies "$work/logs/policies.jsonl" --seed 5 --claim-rate-scale "$scale" \
    --labels "$work/logs/claim-labels.jsonl" -b "$FAMINS_KAFKA_BOOTSTRAP" --quiet >>"$work/logs/wavegen.log" 2>&1 ||
    die "famins-wavegen claims"
events=$(wc -l <"$work/logs/claim-labels.jsonl")
[ "$events" -gt 0 ] || die "no claim events generated"
adj_start installed-adj "${adj_env[@]}"
adj_wait_sql 240 "$events" "$adj_consumed_sql"
FAMINS_PERSON_KEY_SECRET="$secret" "$TESTGEN_BIN" check-labels --labels "$work/logs/claim-labels.jsonl" \
    --group "$ADJ_GROUP" >"$work/logs/check-labels.log" 2>&1 ||
    { tail -20 "$work/logs/check-labels.log"; die "claim decisions differ from their labels"; }
claims=$(itest_psql -c "SELECT count(*) FROM famins.claims")
[ "$claims" -gt 0 ] || die "no claim recorded"
say "ok: $events claim events decided by the installed famins-adjudicator as labelled ($claims claims)"

# 7. The report of the year from the installed famins-report (unit names from share/famins/plans), every figure
# compared with independent sums over the base tables.
FAMINS_REPORT_PG_DSN="$(itest_dsn_as famins_reporter)" "$bin/famins-report" --year 2026 --format csv,json,html \
    --out "$work/report" >"$work/logs/report.log" 2>&1 || { cat "$work/logs/report.log"; die "famins-report"; }
/usr/bin/python3 "$src/tests/integration/report/check_report.py" "$FAMINS_PG_DSN" "$work/report" 2026 "" \
    >"$work/logs/check-report.log" 2>&1 ||
    { tail -20 "$work/logs/check-report.log"; die "the report differs from the database"; }
! grep -q "catalogue_unavailable" "$work/logs/report.log" ||
    die "famins-report did not find the installed plan catalogue: $(cat "$work/logs/report.log")"
say "ok: the installed famins-report of 2026 equals the independent sums"

# 8. Every service stops cleanly on SIGTERM, with no error in its log (a traced one: SIGTERM to the program
# strace runs, its child; strace then exits with the program's status).
for pid in "${ENR_PIDS[@]}" "${ADJ_PIDS[@]}"; do
    child=$(pgrep -P "$pid" || true)
    if [ -n "$child" ] && [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = strace ]; then
        kill -TERM "$child"
        rc=0
        wait "$pid" || rc=$?
        [ "$rc" = 0 ] || die "traced process $child exited $rc after SIGTERM (want 0)"
    else
        enr_stop "$pid"
    fi
done
ENR_PIDS=() ADJ_PIDS=()
if grep -h "worker_exit\|level=error" "$work"/logs/installed-*.log; then die "errors in the service logs"; fi

# 9. The system calls of the traced services against the units' filter.
filter_calls() { # GROUP: its system calls, nested groups expanded
    systemd-analyze syscall-filter "$1" | sed -n '2,$p' | sed 's/^ *//; /^#/d; /^$/d' | while read -r x; do
        case $x in @*) filter_calls "$x" ;; *) echo "$x" ;; esac
    done
}
filter_calls @system-service | sort -u >"$work/logs/allowed.txt"
{ filter_calls @privileged; filter_calls @resources; } | sort -u >"$work/logs/denied.txt"
[ "$(wc -l <"$work/logs/allowed.txt")" -gt 100 ] || die "systemd-analyze syscall-filter listed no @system-service"
for s in ${tracing:+eligibility relay}; do
    # strace -c: a table whose last column is the call's name, between dashed lines, then a total
    awk '/^-/ { n++; next } n == 1 { print $NF }' "$work/logs/$s.syscalls" | sort -u >"$work/logs/$s.used"
    [ "$(wc -l <"$work/logs/$s.used")" -gt 10 ] || die "strace counted no system calls of famins-$s"
    outside=$(comm -23 "$work/logs/$s.used" "$work/logs/allowed.txt" | tr '\n' ' ')
    denied=$(comm -12 "$work/logs/$s.used" "$work/logs/denied.txt" | tr '\n' ' ')
    [ -z "$outside$denied" ] ||
        die "famins-$s makes system calls its unit refuses: outside @system-service [$outside], denied [$denied]"
done
[ -z "$tracing" ] || say "ok: every system call of famins-eligibility and famins-relay is allowed by their units' filter"
failed=
say "installed wave: ok ($households households, $events claim events, from $prefix only)"
