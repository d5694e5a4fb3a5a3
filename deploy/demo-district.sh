#!/usr/bin/env bash
# deploy/demo-district.sh — the demo's last step: one district association's own annual report, got the way an
# association gets it (services/report/README.md "District access"): its own database login, bound to its
# managing unit with `famins-admin district-role`, then famins-report run as that login, which reads its unit's
# rows only. Run again, it reuses the login and binds it anew (to the same unit, or to the one named).
#
# usage: deploy/demo-district.sh BUILD_DIR OUT_DIR YEAR [UNIT]
#   UNIT: default the managing unit with the most claims of YEAR.
# Needs FAMINS_PG_DSN (famins_admin) and FAMINS_PG_ADMIN_DSN (a superuser: creating a login needs CREATEROLE,
# which famins_admin has not), as `deploy/local/stack.sh env` exports them.
set -euo pipefail

[[ $# -ge 3 && $# -le 4 ]] || { echo "usage: $0 BUILD_DIR OUT_DIR YEAR [UNIT]" >&2; exit 2; }
build_dir="$1" out_dir="$2" year="$3" unit="${4:-}"
: "${FAMINS_PG_DSN:?FAMINS_PG_DSN must name the famins database (famins_admin)}"
: "${FAMINS_PG_ADMIN_DSN:?FAMINS_PG_ADMIN_DSN must name a superuser connection (it creates the login)}"
[[ $year =~ ^[0-9]{4}$ ]] || { echo "demo-district: YEAR must be a plan year, got '$year'" >&2; exit 2; }
role=famins_demo_district

if [[ -z $unit ]]; then
    unit=$(psql "$FAMINS_PG_DSN" -X -v ON_ERROR_STOP=1 -qAt -c "SELECT managing_unit FROM famins.claims
        WHERE plan_year = $year AND managing_unit IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
    [[ -n $unit ]] || { echo "demo-district: no claim of $year names a managing unit: nothing to report" >&2; exit 1; }
fi

# The login, once. No password: the local stack trusts local connections (deploy/local/stack.sh), so none is
# made, and none is written anywhere. On a cluster with password authentication the DBA creates the login with
# its password instead, and the association keeps it (e.g. in ~/.pgpass).
psql "$FAMINS_PG_ADMIN_DSN" -X -v ON_ERROR_STOP=1 -qAt -c "DO \$\$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') THEN CREATE ROLE $role LOGIN; END IF;
    END \$\$" >/dev/null
"$build_dir/services/admin/famins-admin" district-role "$unit" "$role"

# The famins database as that login: the admin connection without its user and password.
district_dsn="$(printf '%s' "$FAMINS_PG_DSN" | sed -E 's/(^|[[:space:]])(user|password)=[^[:space:]]*//g') user=$role"
formats=html,pdf
if ! command -v "${FAMINS_REPORT_CHROMIUM:-chromium}" >/dev/null 2>&1; then
    formats=html # the pdf is the html printed by headless Chromium, an optional dependency
fi
dir="$out_dir/district-$unit"
mkdir -p "$out_dir"
FAMINS_REPORT_PG_DSN="$district_dsn" "$build_dir/services/report/famins-report" --year "$year" --format "$formats" \
    --out "$dir"
echo "the report of managing unit $unit, as its association's login $role sees it (its own rows only):"
for f in "$dir"/report-"$year"-"$unit".*; do
    echo "  $f"
done
[[ $formats == *pdf* ]] || echo "  (no PDF: chromium is not installed)"
