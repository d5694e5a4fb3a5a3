#!/usr/bin/env bash
# units.sh — `cmake --install` of this build into a temporary prefix (and once more with DESTDIR, as a package
# build does): the programs in bin/, the migrations, plans, places and event schemas under share/famins/ equal to
# the source's, no build-tree file installed; every systemd unit names the installed programs, passes
# `systemd-analyze verify` without a single complaint and keeps its exposure (`systemd-analyze security`) at 2.0
# or below; every environment file a unit reads has an installed example; the installed programs find the
# installed data, and a missing folder is reported by its installed path.
# Needs FAMINS_SOURCE_DIR and FAMINS_BUILD_DIR (CTest sets both); no servers.
set -euo pipefail
: "${FAMINS_SOURCE_DIR:?}" "${FAMINS_BUILD_DIR:?}"
src="$FAMINS_SOURCE_DIR"
work=$(mktemp -d /tmp/famins-units.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
ok() { echo "ok: $*"; }

prefix="$work/prefix"
cmake --install "$FAMINS_BUILD_DIR" --prefix "$prefix" >"$work/install.log" 2>&1 ||
    { cat "$work/install.log"; echo "FAIL: cmake --install"; exit 1; }

# Programs.
programs=(famins-admin famins-eligibility famins-subsidy famins-adjudicator famins-relay famins-report
    famins-rules famins-wavegen)
for p in "${programs[@]}"; do
    [ -x "$prefix/bin/$p" ] || bad "$prefix/bin/$p is not installed"
done
ok "${#programs[@]} programs in bin/"
# No RPATH back into the build or source tree (the programs link no library of ours).
for p in "${programs[@]}"; do
    rpath=$(readelf -d "$prefix/bin/$p" | sed -n 's/.*(R\(UN\)\{0,1\}PATH).*\[\(.*\)\]/\2/p')
    case "$rpath" in *"$FAMINS_BUILD_DIR"* | *"$src"*) bad "$p: RPATH $rpath points into the build" ;; esac
done
ok "no installed program has an RPATH into the build or source tree"

# Data: the same files as the source's (a changed or missing migration would be refused or skipped).
same_files() { # SOURCE_DIR INSTALLED_DIR PATTERN
    local want have
    want=$(cd "$1" && ls $3 | sort)
    have=$(cd "$2" 2>/dev/null && ls | sort)
    [ -n "$want" ] && [ "$want" = "$have" ] || { bad "$2 holds [$have], want [$want]"; return; }
    for f in $want; do cmp -s "$1/$f" "$2/$f" || bad "$2/$f differs from $1/$f"; done
}
same_files "$src/schemas/sql" "$prefix/share/famins/sql" '*.sql'
same_files "$src/schemas/plans" "$prefix/share/famins/plans" 'plan-*.json README.md'
same_files "$src/schemas/places" "$prefix/share/famins/places" '*.json'
same_files "$src/schemas/events" "$prefix/share/famins/schemas" '*.json README.md'
same_files "$src/deploy/systemd" "$prefix/share/famins/examples" '*.env'
[ -f "$prefix/share/doc/famins/OPERATIONS.md" ] || bad "OPERATIONS.md not installed"
if find "$prefix" -name famins-build-tree | grep -q .; then bad "a famins-build-tree file was installed"; fi
ok "share/famins holds the source's migrations, plans, places, event schemas and example environment files"

# Units.
units_dir="$prefix/lib/systemd/system"
services=(famins-eligibility famins-subsidy famins-adjudicator famins-relay famins-migrate)
for s in "${services[@]}"; do
    unit="$units_dir/$s.service"
    [ -f "$unit" ] || { bad "$unit not installed"; continue; }
    exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
    [[ $exec_start == "$prefix/bin/famins-"* ]] || bad "$s: ExecStart=$exec_start is not an installed program"
    grep -Eq '@[A-Z_]+@' "$unit" && bad "$s: an unsubstituted @VARIABLE@ is left"
    for key in DynamicUser=yes NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
        PrivateDevices=yes 'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' SystemCallFilter=@system-service \
        CapabilityBoundingSet=; do
        grep -qx "$key" "$unit" || bad "$s: no $key"
    done
    if [ "$s" != famins-migrate ]; then
        grep -qx "Restart=on-failure" "$unit" || bad "$s: no Restart=on-failure"
        grep -qx "RestartPreventExitStatus=2" "$unit" || bad "$s: restarts after a configuration error"
    fi
    # No secret in a unit: they name credential files only.
    grep -Eiq '^Environment=.*(PASSWORD|SECRET=|password=)' "$unit" && bad "$s: a secret in the unit"
    for envfile in $(sed -n 's/^EnvironmentFile=-\{0,1\}\/etc\/famins\///p' "$unit"); do
        [ -f "$prefix/share/famins/examples/$envfile" ] || bad "$s reads /etc/famins/$envfile: no example installed"
    done
done
[ -f "$units_dir/famins.target" ] || bad "famins.target not installed"
# Every setting an example environment file names (commented ones too) is one the program reads: a typo there
# would be ignored silently by the service.
settings_of() { "$prefix/bin/famins-$1" --help 2>/dev/null | sed -n 's/^  \(FAMINS_[A-Z0-9_]*\) .*/\1/p'; }
for env in eligibility subsidy adjudicator relay admin famins; do
    users=$env
    [ "$env" = famins ] && users="eligibility subsidy adjudicator relay admin"
    for name in $(sed -n 's/^#\{0,1\}\(FAMINS_[A-Z0-9_]*\)=.*/\1/p' "$src/deploy/systemd/$env.env"); do
        for user in $users; do
            settings_of "$user" | grep -qx "$name" || bad "$env.env: famins-$user does not read $name"
        done
    done
done
ok "units name the installed programs, carry the hardening and read documented environment files"

# systemd-analyze verify: exit 0 and no complaint at all (it only warns, exit 0, on an unknown key or a value it
# cannot parse). Run from an empty folder so that no unit file of the working folder is picked up.
rc=0
verify_out=$(cd "$work" && systemd-analyze verify --recursive-errors=no "$units_dir"/famins* 2>&1) || rc=$?
if [ "$rc" = 0 ] && [ -z "$verify_out" ]; then
    ok "systemd-analyze verify: every unit clean ($(ls "$units_dir" | tr '\n' ' '))"
else
    bad "systemd-analyze verify (exit $rc): $verify_out"
fi
for s in "${services[@]}"; do
    (cd "$work" && systemd-analyze security --offline=yes --threshold=20 "$units_dir/$s.service" \
        >"$work/security-$s.txt" 2>&1) || bad "$s: exposure above 2.0: $(tail -1 "$work/security-$s.txt")"
done
exposure=$(for s in "${services[@]}"; do
    sed -n 's/.*Overall exposure level for \(.*\): \([0-9.]*\).*/\1 \2/p' "$work/security-$s.txt"
done | tr '\n' ' ')
ok "systemd-analyze security: $exposure"

# The installed programs find the installed data (the build tree's marker is not there, so nothing else could
# give them the catalogue) ...
example="$src/schemas/examples/enrollment.submitted/valid/01-a-only-child-with-parents.json"
(cd "$work" && env -u FAMINS_PLAN_DIR "$prefix/bin/famins-rules" enrollment "$example" >"$work/rules.json" 2>&1) ||
    bad "installed famins-rules could not decide an example: $(cat "$work/rules.json")"
grep -q '"outcome"' "$work/rules.json" && ok "installed famins-rules decides with the installed plans"
# ... and a missing one is named by where it was looked for.
mv "$prefix/share/famins/plans" "$prefix/share/famins/plans.away"
rc=0
env -u FAMINS_PLAN_DIR "$prefix/bin/famins-rules" enrollment "$example" >/dev/null 2>"$work/rules.err" || rc=$?
[ "$rc" != 0 ] && grep -qF "$prefix/share/famins/plans" "$work/rules.err" &&
    ok "without installed plans: refused, naming $prefix/share/famins/plans" ||
    bad "without installed plans: exit $rc, stderr: $(cat "$work/rules.err")"
mv "$prefix/share/famins/plans.away" "$prefix/share/famins/plans"
mv "$prefix/share/famins/sql" "$prefix/share/famins/sql.away"
rc=0
env -u FAMINS_SQL_DIR FAMINS_PG_DSN="host=127.0.0.1 port=1 dbname=none user=nobody connect_timeout=1" \
    "$prefix/bin/famins-admin" migrate >/dev/null 2>"$work/admin.err" || rc=$?
[ "$rc" = 1 ] && grep -qF "$prefix/share/famins/sql" "$work/admin.err" &&
    ok "without installed migrations: famins-admin migrate fails naming $prefix/share/famins/sql" ||
    bad "without installed migrations: exit $rc, stderr: $(cat "$work/admin.err")"
mv "$prefix/share/famins/sql.away" "$prefix/share/famins/sql"
"$prefix/bin/famins-admin" --help | grep -q "FAMINS_SQL_DIR .*share/famins/sql" ||
    bad "famins-admin --help does not say where the migrations are looked for"

# A package build: DESTDIR stages the files, the units name the final prefix.
before=$(ls -d /opt/famins 2>/dev/null || true)
DESTDIR="$work/stage" cmake --install "$FAMINS_BUILD_DIR" --prefix /opt/famins >"$work/destdir.log" 2>&1 ||
    { cat "$work/destdir.log"; bad "cmake --install with DESTDIR"; }
[ -x "$work/stage/opt/famins/bin/famins-relay" ] || bad "DESTDIR: programs not staged under $work/stage/opt/famins"
grep -qx "ExecStart=/opt/famins/bin/famins-relay" "$work/stage/opt/famins/lib/systemd/system/famins-relay.service" ||
    bad "DESTDIR: the relay's unit does not name /opt/famins/bin/famins-relay"
[ "$(ls -d /opt/famins 2>/dev/null || true)" = "$before" ] || bad "DESTDIR: files written to /opt/famins itself"
ok "DESTDIR install: staged, units naming the final prefix"

[ "$fail" = 0 ] || { echo "$fail failure(s)"; exit 1; }
echo "install and units: ok"
