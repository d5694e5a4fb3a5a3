#!/usr/bin/env bash
# Per-district access (migration 065): a district association's login, bound with `famins-admin district-role`,
# reads its own managing unit's rows through every reporting view and nothing of another unit; tried the ways a
# curious association would (other units named, session settings, SET ROLE, functions, casts that fail with a
# value in their message, the base tables); the city's reporter reads every unit; a role that holds a grant
# but no binding (or lost it) reads nothing; no view shows an identity number. famins-report run as the district
# writes that unit's report and refuses another unit. Also the CSV byte-order mark (--csv-bom) and that value
# columns of the CSV hold bare numbers.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init report_district
here="$FAMINS_SOURCE_DIR/tests/integration/report"
report="$FAMINS_BUILD_DIR/services/report/famins-report"
admin="$FAMINS_BUILD_DIR/services/admin/famins-admin"
SUPER_DSN="${FAMINS_PG_SUPER_DSN:-host=127.0.0.1 port=${FAMINS_PG_PORT} dbname=postgres user=postgres}"
work=$(mktemp -d)
# Roles are cluster-wide: named after this process, dropped at the end (after the database that holds grants).
D1="rad${$}_yanta" D2="rad${$}_gxq" DU="rad${$}_unbound" DX="rad${$}_lost" DM="rad${$}_member"
cleanup() {
    itest_done
    psql "$SUPER_DSN" -XqAt -c "DROP ROLE IF EXISTS $D1, $D2, $DU, $DX, $DM" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
for r in "$D1" "$D2" "$DU" "$DX" "$DM"; do
    psql "$SUPER_DSN" -X -v ON_ERROR_STOP=1 -qAt -c "DROP ROLE IF EXISTS $r" -c "CREATE ROLE $r LOGIN" >/dev/null
done
psql "$SUPER_DSN" -X -v ON_ERROR_STOP=1 -qAt -c "GRANT famins_reporter TO $DM" >/dev/null
itest_psql -f "$here/seed.sql"
# A canary: identity numbers are never stored, but were one to reach a base table, no view may show it.
CANARY=61012219900101123X
itest_psql -c "UPDATE famins.claims SET masked_id = '$CANARY' WHERE claim_id = (SELECT min(claim_id) FROM famins.claims)"
itest_psql -c "UPDATE famins.insured_persons SET masked_id = '$CANARY' WHERE member_index = 1"

as() { local role="$1"; shift; psql "$(itest_dsn_as "$role")" -X -v ON_ERROR_STOP=1 -qAt "$@"; }
expect_exit() {
    local want="$1"; shift
    local code=0
    "$@" >"$work/out.txt" 2>"$work/err.txt" || code=$?
    [ "$code" -eq "$want" ] || itest_fail "'$*' exited $code, expected $want: $(cat "$work/err.txt")"
}

# ---- binding: famins-admin district-role UNIT ROLE --------------------------------------------------------
# The operators' audit table of migration 063, in its shape, when this tree does not have it yet.
itest_psql -c "CREATE TABLE IF NOT EXISTS famins.operator_audit (id bigserial PRIMARY KEY, at timestamptz NOT NULL
    DEFAULT now(), db_role name NOT NULL DEFAULT session_user, operator text, action text NOT NULL,
    target_kind text NOT NULL, target_ids bigint[] NOT NULL, reason text, detail jsonb NOT NULL DEFAULT '{}')"
expect_exit 0 "$admin" district-role 610122 "$D1"
expect_exit 0 "$admin" district-role GXQ "$D2"
expect_exit 0 "$admin" district-role 610122 "$DX"
expect_exit 1 "$admin" district-role 610122 famins_reporter
grep -q "cannot be a district login" "$work/err.txt" || itest_fail "binding famins_reporter: $(cat "$work/err.txt")"
expect_exit 1 "$admin" district-role 610122 "$DM"
grep -q "cannot be a district login" "$work/err.txt" || itest_fail "binding a reporter's member: $(cat "$work/err.txt")"
expect_exit 1 "$admin" district-role 610122 "rad${$}_nobody"
grep -q "does not exist" "$work/err.txt" || itest_fail "binding a missing role: $(cat "$work/err.txt")"
expect_exit 1 "$admin" district-role "61'0" "$D1"
expect_exit 1 "$admin" district-role UNKNOWN "$D1"
expect_exit 1 "$admin" district-role 610122 "bad role"
grep -q "role name" "$work/err.txt" || itest_fail "a bad role name: $(cat "$work/err.txt")"
expect_exit 2 "$admin" district-role 610122
[ "$(itest_psql -c "SELECT managing_unit FROM famins.district_logins WHERE role_name = '$D1'")" = 610122 ] ||
    itest_fail "a refused binding changed $D1's unit"
# Moving a login to another unit and back: both audited, with the unit before.
expect_exit 0 "$admin" district-role GXQ "$D1"
expect_exit 0 "$admin" district-role 610122 "$D1"
[ "$(itest_psql -c "SELECT string_agg(concat_ws('>', detail->>'previous_unit', detail->>'managing_unit'), ',' ORDER BY id)
    FROM famins.operator_audit WHERE action = 'district-role' AND detail->>'role' = '$D1'")" = "610122,610122>GXQ,GXQ>610122" ] ||
    itest_fail "district-role is not audited as expected"
# A role with a grant on a view and no binding (an operator's slip), and a binding deleted by hand: both read
# nothing (fail closed), never everything.
itest_psql -c "GRANT CONNECT ON DATABASE \"$ITEST_DB\" TO $DU" -c "GRANT USAGE ON SCHEMA famins_report TO $DU" \
    -c "GRANT SELECT ON famins_report.claim_facts, famins_report.caller_scope TO $DU" \
    -c "DELETE FROM famins.district_logins WHERE role_name = '$DX'"
for r in "$DU" "$DX"; do
    [ "$(as "$r" -c "SELECT count(*) FROM famins_report.claim_facts")" = 0 ] || itest_fail "$r (no binding) reads claims"
    [ "$(as "$r" -c "SELECT all_units, managing_unit IS NULL FROM famins_report.caller_scope")" = "f|t" ] ||
        itest_fail "$r's scope is not empty"
done

# ---- every view, every role ------------------------------------------------------------------------------
# The views of famins_report with a managing_unit column, and those without, from the catalogue (a view added
# later is tried too).
views_with_unit=$(itest_psql -c "SELECT table_name FROM information_schema.columns WHERE table_schema = 'famins_report'
    AND column_name = 'managing_unit' AND table_name <> 'caller_scope' ORDER BY 1")
all_views=$(itest_psql -c "SELECT table_name FROM information_schema.views WHERE table_schema = 'famins_report' ORDER BY 1")
[ "$(echo "$views_with_unit" | wc -l)" -ge 14 ] || itest_fail "fewer unit views than expected: $views_with_unit"
granted_d1=$(itest_psql -c "SELECT DISTINCT table_name FROM information_schema.table_privileges
    WHERE grantee = '$D1' AND privilege_type = 'SELECT' ORDER BY 1")
for v in $views_with_unit; do
    got=$(as famins_reporter -c "SELECT count(DISTINCT managing_unit) FROM famins_report.$v WHERE managing_unit <> 'UNKNOWN'")
    # Claims pending review are seeded in 610113 and GXQ only: that view holds two units (and GXQ, which makes the
    # cast probe below bite); every other view holds all four.
    min=4
    [ "$v" = pending_claims_by_age ] && min=2
    [ "$got" -ge "$min" ] || itest_fail "famins_reporter sees $got units in $v, expected at least $min"
    if ! echo "$granted_d1" | grep -qx "$v"; then
        as "$D1" -c "SELECT 1 FROM famins_report.$v LIMIT 1" >/dev/null 2>&1 && itest_fail "$D1 reads ungranted $v"
        continue
    fi
    for pair in "$D1:610122" "$D2:GXQ"; do
        role=${pair%%:*} unit=${pair#*:}
        other=$(as "$role" -c "SELECT count(*) FROM famins_report.$v WHERE managing_unit IS DISTINCT FROM '$unit'")
        [ "$other" = 0 ] || itest_fail "$role reads $other rows of other units in $v"
        own=$(as "$role" -c "SELECT count(*) FROM famins_report.$v")
        want=$(as famins_reporter -c "SELECT count(*) FROM famins_report.$v WHERE managing_unit = '$unit'")
        [ "$own" = "$want" ] || itest_fail "$role reads $own rows of $v, the reporter sees $want of $unit"
    done
    # A condition that fails with the value in its message ('GXQ' is not an integer) must never see another
    # unit's row: security_barrier keeps it above the filter. The twin: the same cast over the city fails.
    as "$D1" -c "SELECT count(*) FROM famins_report.$v WHERE managing_unit::integer > 0" >/dev/null 2>"$work/cast.err" ||
        itest_fail "$D1's failing cast on $v saw another unit's row: $(cat "$work/cast.err")"
    if as famins_reporter -c "SELECT count(*) FROM famins_report.$v WHERE managing_unit::integer > 0" >/dev/null 2>&1; then
        itest_fail "twin: the reporter's cast on $v did not fail (the probe proves nothing)"
    fi
done
for v in $all_views; do
    echo "$views_with_unit" | grep -qx "$v" && continue
    echo "$granted_d1" | grep -qx "$v" || {
        as "$D1" -c "SELECT 1 FROM famins_report.$v LIMIT 1" >/dev/null 2>&1 && itest_fail "$D1 reads ungranted $v"
        continue
    }
done
# The views without a unit column: for a district they are its own unit's figures, equal to independent sums.
own_decided=$(itest_psql -c "SELECT count(*) FROM famins.claims WHERE managing_unit = '610122' AND plan_year = 2026
    AND status <> 'pending_review'")
[ "$(as "$D1" -c "SELECT decided_claims FROM famins_report.settlement_time_city WHERE plan_year = 2026")" = "$own_decided" ] ||
    itest_fail "$D1's settlement_time_city is not its own unit's"
own_declines=$(itest_psql -c "SELECT count(*) FROM famins.claims c, LATERAL unnest((SELECT reasons FROM famins.claim_decisions d
    WHERE d.claim_id = c.claim_id ORDER BY decision_id DESC LIMIT 1)) r WHERE c.managing_unit = '610122' AND c.status = 'declined'")
[ "$(as "$D1" -c "SELECT coalesce(sum(claims), 0) FROM famins_report.decline_reasons_ranked")" = "$own_declines" ] ||
    itest_fail "$D1's decline_reasons_ranked is not its own unit's"
[ "$(as "$D1" -c "SELECT login, all_units, managing_unit FROM famins_report.caller_scope")" = "$D1|f|610122" ] ||
    itest_fail "$D1's caller_scope"
[ "$(as famins_reporter -c "SELECT all_units FROM famins_report.caller_scope")" = t ] || itest_fail "reporter's scope"

# ---- the base tables and the ways around ------------------------------------------------------------------
for t in $(itest_psql -c "SELECT tablename FROM pg_tables WHERE schemaname = 'famins' ORDER BY 1"); do
    as "$D1" -c "SELECT 1 FROM famins.$t LIMIT 1" >/dev/null 2>"$work/base.err" && itest_fail "$D1 reads famins.$t"
    grep -q "permission denied" "$work/base.err" || itest_fail "$D1 on famins.$t: $(cat "$work/base.err")"
done
other_rows() { as "$D1" -c "$1" -c "SELECT count(*) FROM famins_report.claim_facts WHERE managing_unit <> '610122'" | tail -1; }
for attempt in "SET famins.managing_unit = 'GXQ'" "SET famins.unit = 'GXQ'" "SELECT set_config('famins.unit', 'GXQ', false)" \
    "SET row_security = off" "SET search_path = famins, famins_report" "RESET ROLE" "SET ROLE NONE"; do
    [ "$(other_rows "$attempt")" = 0 ] || itest_fail "$D1 widened its view with: $attempt"
done
for attempt in "SET ROLE famins_reporter" "SET ROLE famins_admin" "SET SESSION AUTHORIZATION famins_reporter" \
    "SELECT famins.bind_district_login('$D1', 'GXQ')" "SELECT famins.grant_district_views()" \
    "SELECT * FROM famins.district_logins" "SELECT * FROM famins.report_scope" \
    "UPDATE famins.district_logins SET managing_unit = 'GXQ'" "CREATE TEMP TABLE t (x int)" \
    "CREATE FUNCTION public.leak(text) RETURNS boolean LANGUAGE sql AS 'SELECT true'" \
    "CREATE VIEW famins_report.mine AS SELECT * FROM famins_report.claim_facts" \
    "ALTER VIEW famins_report.claim_facts SET (security_barrier = false)"; do
    as "$D1" -c "$attempt" >/dev/null 2>"$work/attempt.err" && itest_fail "$D1 was allowed: $attempt"
    grep -qE "permission denied|must be owner|must be member" "$work/attempt.err" ||
        itest_fail "$D1 '$attempt' failed otherwise: $(cat "$work/attempt.err")"
done
# Setting the session's role to the district's own: still its unit only.
[ "$(other_rows "SET ROLE $D1")" = 0 ] || itest_fail "SET ROLE $D1 widened its view"

# ---- no identity number in any view, for any role ----------------------------------------------------------
for role in famins_reporter famins_operator "$D1"; do
    for v in $all_views; do
        as "$role" -c "SELECT * FROM famins_report.$v" >"$work/view.txt" 2>/dev/null || continue
        grep -qE '[0-9]{17}[0-9Xx]' "$work/view.txt" && itest_fail "$role sees an identity number in $v"
        grep -qF '****' "$work/view.txt" && itest_fail "$role sees a masked identity number in $v"
    done
done
[ "$(itest_psql -c "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'famins_report'
    AND column_name IN ('masked_id', 'birth_date', 'identity_number', 'id_number', 'name')")" = 0 ] ||
    itest_fail "a reporting view has an identity column"
echo "$CANARY" | grep -qE '[0-9]{17}[0-9Xx]' || itest_fail "twin: the identity pattern misses the canary"

# ---- unbinding: no grant left, the login cannot even connect -----------------------------------------------
expect_exit 0 "$admin" district-role 610113 "$DX"
[ "$(as "$DX" -c "SELECT count(DISTINCT managing_unit) FROM famins_report.claim_facts")" = 1 ] || itest_fail "$DX rebound"
[ "$(itest_psql -c "SELECT famins.unbind_district_login('$DX'), famins.unbind_district_login('$DX')")" = "t|f" ] ||
    itest_fail "unbind_district_login"
[ "$(itest_psql -c "SELECT count(*) FROM information_schema.table_privileges WHERE grantee = '$DX'")" = 0 ] ||
    itest_fail "an unbound login keeps grants"
as "$DX" -c "SELECT 1" >/dev/null 2>"$work/unbound.err" && itest_fail "an unbound login still connects"
grep -q "permission denied for database" "$work/unbound.err" || itest_fail "unbound: $(cat "$work/unbound.err")"
[ "$(itest_psql -c "SELECT count(*) FROM famins.operator_audit WHERE action = 'district-role unbind'
    AND detail->>'role' = '$DX' AND detail->>'previous_unit' = '610113'")" = 1 ] || itest_fail "unbind is not audited"

# ---- famins-report as the district -------------------------------------------------------------------------
D1_DSN="$(itest_dsn_as "$D1")"
FAMINS_REPORT_PG_DSN="$D1_DSN" expect_exit 0 "$report" --year 2026 --unit 610122 --format csv,json,html --out "$work/d1"
/usr/bin/python3 "$here/check_report.py" "$FAMINS_PG_DSN" "$work/d1" 2026 610122 || itest_fail "$D1's report figures differ"
# Without --unit: its own unit, the same tables as the city reporter's report of that unit (the problems aside:
# a district cannot compare itself with units it may not read).
FAMINS_REPORT_PG_DSN="$D1_DSN" expect_exit 0 "$report" --year 2026 --format csv --out "$work/d1-default"
FAMINS_REPORT_PG_DSN="$(itest_dsn_as famins_reporter)" expect_exit 0 "$report" --year 2026 --unit 610122 --format csv \
    --out "$work/city-610122"
for f in "$work/city-610122"/report-2026-610122-*.csv; do
    case "$f" in *-problems.csv) continue ;; esac
    cmp -s "$f" "$work/d1-default/$(basename "$f")" || itest_fail "$D1's default report differs in $(basename "$f")"
done
for attempt in "--unit GXQ" "--unit 610113" "--unit UNKNOWN"; do
    # shellcheck disable=SC2086
    FAMINS_REPORT_PG_DSN="$D1_DSN" expect_exit 1 "$report" --year 2026 $attempt --format json --out "$work/refused"
    grep -q "may read managing unit 610122 only" "$work/err.txt" || itest_fail "no clear refusal: $(cat "$work/err.txt")"
    [ ! -e "$work/refused" ] || itest_fail "a refused report wrote files"
done
FAMINS_REPORT_PG_DSN="$(itest_dsn_as "$DU")" expect_exit 1 "$report" --year 2026 --format json
grep -q "may read no managing unit" "$work/err.txt" || itest_fail "unbound role: $(cat "$work/err.txt")"

# ---- CSV: byte-order mark on request, bare numbers in value columns ----------------------------------------
export FAMINS_REPORT_PG_DSN="$(itest_dsn_as famins_reporter)"
expect_exit 0 "$report" --year 2026 --format csv --out "$work/plain"
expect_exit 0 "$report" --year 2026 --format csv --csv-bom --out "$work/bom"
FAMINS_REPORT_CSV_BOM=1 expect_exit 0 "$report" --year 2026 --format csv --out "$work/bom-setting"
expect_exit 0 "$report" --year 2026 --format csv --csv-bom
cp "$work/out.txt" "$work/stdout-bom.csv"
/usr/bin/python3 - "$work" <<'PY' || itest_fail "CSV byte-order mark or numbers"
import csv, glob, io, os, re, sys
work = sys.argv[1]
BOM = b"\xef\xbb\xbf"
plain = sorted(glob.glob(work + "/plain/*.csv"))
assert len(plain) >= 11, plain
for p in plain:
    name = os.path.basename(p)
    body = open(p, "rb").read()
    assert not body.startswith(BOM), f"{name}: a mark without --csv-bom"
    for d in ("bom", "bom-setting"):
        b = open(f"{work}/{d}/{name}", "rb").read()
        assert b == BOM + body, f"{d}/{name}: not the mark followed by the same bytes"
    # Value columns: a number, plain (no unit, no thousands separator), or empty.
    text_cols = re.compile(r"(^|_)(unit|name_zh|name_en|zh|en|category|liability|role|reason|code|indicator|month|item|age_band|band|kind|signal)$")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    for r in rows[1:]:
        for h, v in zip(rows[0], r):
            if text_cols.search(h) or name.endswith("-problems.csv"):
                continue
            assert v == "" or re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", v), f"{name}: {h} = {v!r} is not a bare number"
stdout = open(work + "/stdout-bom.csv", "rb").read()
assert stdout.startswith(BOM) and stdout.count(BOM) == 1, "stdout csv: one mark at the start"
# Excel's check, in effect: decoded as utf-8-sig the first header is the column name, not the mark.
first = open(f"{work}/bom/{os.path.basename(plain[0])}", encoding="utf-8-sig").readline()
assert first.split(",")[0].isidentifier(), first
PY
echo "report_district: ok"
