#!/usr/bin/env bash
# Data sharing: `famins-report export` writes one managing unit's plan year for its district association as CSV
# files (enrollment decisions, insured persons, claims, claim decisions) with manifest.json and SHA256SUMS. Checked:
# sha256sum -c passes (and fails on a changed byte), each file's rows equal an independent count over the base
# tables and the manifest's, every row is of the unit and year, no identity number in any file (a canary planted
# in the base tables does not come out), persons appear by their key only; as the district's login the unit is its
# own and another unit is refused with nothing written; the byte-order mark option; an empty year; usage errors.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init report_export
here="$FAMINS_SOURCE_DIR/tests/integration/report"
report="$FAMINS_BUILD_DIR/services/report/famins-report"
admin="$FAMINS_BUILD_DIR/services/admin/famins-admin"
SUPER_DSN="${FAMINS_PG_SUPER_DSN:-host=127.0.0.1 port=${FAMINS_PG_PORT} dbname=postgres user=postgres}"
work=$(mktemp -d)
D1="rae${$}_lantian"
cleanup() {
    itest_done
    psql "$SUPER_DSN" -XqAt -c "DROP ROLE IF EXISTS $D1" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
psql "$SUPER_DSN" -X -v ON_ERROR_STOP=1 -qAt -c "DROP ROLE IF EXISTS $D1" -c "CREATE ROLE $D1 LOGIN" >/dev/null
itest_psql -f "$here/seed.sql"
CANARY=61012219900101123X
itest_psql -c "UPDATE famins.claims SET masked_id = '$CANARY'" -c "UPDATE famins.insured_persons SET masked_id = '$CANARY'" \
    -c "UPDATE famins.enrollment_members SET masked_id = '$CANARY'"
"$admin" district-role 610122 "$D1" 2>/dev/null || itest_fail "district-role failed"

expect_exit() {
    local want="$1"; shift
    local code=0
    "$@" >"$work/out.txt" 2>"$work/err.txt" || code=$?
    [ "$code" -eq "$want" ] || itest_fail "'$*' exited $code, expected $want: $(cat "$work/err.txt")"
}
version=$("$report" --version | awk '{print $2}')

# check DIR UNIT YEAR BOM: the checks every export passes.
check() {
    local dir="$1" unit="$2" year="$3" bom="$4"
    (cd "$dir" && sha256sum --quiet -c SHA256SUMS) || itest_fail "$dir: sha256sum -c failed"
    local counts
    counts=$(itest_psql -F ' ' -c "
        SELECT 'enrollment_decisions.csv', count(*) FROM famins.enrollment_decisions
         WHERE plan_year = $year AND managing_unit = '$unit'
        UNION ALL SELECT 'insured_persons.csv', count(*) FROM famins.insured_persons i
         JOIN famins.policies p USING (policy_number) WHERE i.plan_year = $year AND p.managing_unit = '$unit'
        UNION ALL SELECT 'claims.csv', count(*) FROM famins.claims WHERE plan_year = $year AND managing_unit = '$unit'
        UNION ALL SELECT 'claim_decisions.csv', count(*) FROM famins.claim_decisions d
         JOIN famins.claims c USING (claim_id) WHERE c.plan_year = $year AND c.managing_unit = '$unit'")
    /usr/bin/python3 - "$dir" "$unit" "$year" "$bom" "$version" "$counts" <<'PY' || itest_fail "$dir: export checks"
import csv, hashlib, json, os, re, sys
d, unit, year, bom, version, counts = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1", sys.argv[5], sys.argv[6]
want = {line.split()[0]: int(line.split()[1]) for line in counts.splitlines()}
m = json.load(open(os.path.join(d, "manifest.json")))
assert m["plan_year"] == year and m["managing_unit"] == unit, m
assert m["famins_version"] == version, (m["famins_version"], version)
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", m["generated_at"]), m["generated_at"]
assert m["csv"]["bom"] is bom
names = [f["name"] for f in m["files"]]
assert sorted(names) == sorted(want), names
sums = dict(reversed(l.split("  ")) for l in open(os.path.join(d, "SHA256SUMS")).read().splitlines())
assert set(sums) == set(names) | {"manifest.json"}, sums
ident = re.compile(rb"[0-9]{17}[0-9Xx]")
for f in m["files"]:
    raw = open(os.path.join(d, f["name"]), "rb").read()
    assert hashlib.sha256(raw).hexdigest() == f["sha256"] == sums[f["name"]], f["name"]
    assert raw.startswith(b"\xef\xbb\xbf") == bom, f["name"] + ": byte-order mark"
    assert not ident.search(raw) and b"****" not in raw, f["name"] + ": an identity number"
    rows = list(csv.DictReader(open(os.path.join(d, f["name"]), encoding="utf-8-sig", newline="")))
    assert len(rows) == f["rows"] == want[f["name"]], (f["name"], len(rows), f["rows"], want[f["name"]])
    for r in rows:
        assert r["managing_unit"] == unit and int(r["plan_year"]) == year, (f["name"], r)
        assert "masked_id" not in r and "person_key" not in r
        if "person_ref" in r:
            assert r["person_ref"], f["name"] + ": empty person reference"
        for k, v in r.items():
            if k.endswith("_fen"):
                assert re.fullmatch(r"[0-9]+", v), (f["name"], k, v)
PY
}

# As the district's login: its own unit, without naming it.
D1_DSN="$(itest_dsn_as "$D1")"
FAMINS_REPORT_PG_DSN="$D1_DSN" expect_exit 0 "$report" export --year 2026 --out "$work/d1"
check "$work/d1" 610122 2026 0
[ "$(grep -c . "$work/d1/claims.csv")" -gt 1 ] || itest_fail "the district's export has no claims"
# person_ref is the stored person key, the same reference the insurer uses.
want_ref=$(itest_psql -c "SELECT person_key FROM famins.claims WHERE managing_unit = '610122' ORDER BY claim_id LIMIT 1")
grep -qF "$want_ref" "$work/d1/claims.csv" || itest_fail "claims.csv lacks the keyed person reference"
# A changed byte is caught (the twin of the checksum check).
cp -r "$work/d1" "$work/tampered"
sed -i '2s/^./Z/' "$work/tampered/claims.csv"
if (cd "$work/tampered" && sha256sum --quiet -c SHA256SUMS >/dev/null 2>&1); then
    itest_fail "twin: a changed claims.csv passed sha256sum -c"
fi
# Another unit: refused, nothing written (no manifest, no sums).
FAMINS_REPORT_PG_DSN="$D1_DSN" expect_exit 1 "$report" export --year 2026 --unit GXQ --out "$work/refused"
grep -q "may read managing unit 610122 only, not GXQ" "$work/err.txt" || itest_fail "refusal: $(cat "$work/err.txt")"
[ ! -e "$work/refused" ] || itest_fail "a refused export wrote files"

# As the city's reporter: any unit named; with the byte-order mark; again into the same folder.
export FAMINS_REPORT_PG_DSN="$(itest_dsn_as famins_reporter)"
expect_exit 0 "$report" export --year 2026 --unit GXQ --out "$work/gxq"
check "$work/gxq" GXQ 2026 0
expect_exit 0 "$report" export --year 2026 --unit GXQ --csv-bom --out "$work/gxq"
check "$work/gxq" GXQ 2026 1
expect_exit 0 "$report" export --year 2025 --unit 610113 --out "$work/y2025"
check "$work/y2025" 610113 2025 0
# The same unit and year exported by the district and by the city: the same files.
expect_exit 0 "$report" export --year 2026 --unit 610122 --out "$work/city-610122"
for f in enrollment_decisions.csv insured_persons.csv claims.csv claim_decisions.csv; do
    cmp -s "$work/d1/$f" "$work/city-610122/$f" || itest_fail "$f differs between the district's and the city's export"
done
# An empty year: header-only files, rows 0, still checksummed.
expect_exit 0 "$report" export --year 2030 --unit GXQ --out "$work/empty"
check "$work/empty" GXQ 2030 0
# An export that fails leaves no manifest or sums of an earlier one behind.
cp -r "$work/gxq" "$work/stale"
FAMINS_REPORT_PG_DSN="$(itest_dsn_as famins_relay)" expect_exit 1 "$report" export --year 2026 --unit GXQ --out "$work/stale"
[ ! -e "$work/stale/SHA256SUMS" ] && [ ! -e "$work/stale/manifest.json" ] || {
    # The scope is read before anything is written: the old export stays whole, which is also fine.
    (cd "$work/stale" && sha256sum --quiet -c SHA256SUMS) || itest_fail "a failed export left a broken folder"
}

# Usage: the city names a unit; --out is required; export writes CSV only.
expect_exit 2 "$report" export --year 2026 --out "$work/nounit"
grep -q "export wants --unit" "$work/err.txt" || itest_fail "no clear message without --unit: $(cat "$work/err.txt")"
expect_exit 2 "$report" export --year 2026 --unit GXQ
expect_exit 2 "$report" export --year 2026 --unit GXQ --out "$work/x" --format json
expect_exit 2 "$report" export --unit GXQ --out "$work/x"
echo "report_export: ok"
