#!/usr/bin/env bash
# The HTML report in headless Chromium: it opens with no console error, its charts are in the rendered DOM with the
# figures of the independent sums, and a screenshot (kept as $FAMINS_BUILD_DIR/artifacts/report-screenshot.png) is not
# blank. Needs Debian's chromium (installed here when missing and we are root) and a CJK font (fonts-wqy-zenhei).
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
if ! command -v chromium >/dev/null; then
    [ "$(id -u)" = 0 ] || itest_fail "chromium is not installed: apt-get install chromium fonts-wqy-zenhei"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-wqy-zenhei >/dev/null ||
        itest_fail "could not install chromium"
fi
itest_init report_browser
here="$FAMINS_SOURCE_DIR/tests/integration/report"
report="$FAMINS_BUILD_DIR/services/report/famins-report"
work=$(mktemp -d)
trap 'itest_done; rm -rf "$work"' EXIT
export FAMINS_REPORT_PG_DSN="$(itest_dsn_as famins_reporter)"
itest_psql -f "$here/seed.sql"
"$report" --year 2026 --format csv,json,html --out "$work" 2>/dev/null || itest_fail "html report failed"
"$report" --year 2030 --format html --out "$work" 2>/dev/null || itest_fail "empty html report failed"

browse() { # browse PROFILE_DIR ARGS... : headless Chromium, no network, no state kept
    timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$1" \
        --enable-logging=stderr --v=0 "${@:2}"
}
console_errors() { grep -E 'CONSOLE|Uncaught|ERR_' "$1" | grep -v -e 'dbus' -e 'Fontconfig' || true; }

# The detector sees an error when a page has one (so that "no error" below means something).
printf '<!DOCTYPE html><html><body><script>no_such_function();</script></body></html>' >"$work/broken.html"
browse "$work/p0" --dump-dom "file://$work/broken.html" >/dev/null 2>"$work/broken.err" || true
[ -n "$(console_errors "$work/broken.err")" ] || itest_fail "the console-error detector missed a broken page"

for year in 2026 2030; do
    page="$work/report-$year.html"
    browse "$work/p$year" --dump-dom "file://$page" >"$work/dom-$year.html" 2>"$work/dom-$year.err" ||
        itest_fail "chromium could not open $page: $(tail -5 "$work/dom-$year.err")"
    errors=$(console_errors "$work/dom-$year.err")
    [ -z "$errors" ] || itest_fail "console errors in $page: $errors"
done
# The DOM Chromium built holds the charts with the independent figures.
/usr/bin/python3 "$here/check_report.py" "$FAMINS_PG_DSN" "$work" 2026 "" "$work/dom-2026.html" ||
    itest_fail "rendered charts differ from the independent sums"

mkdir -p "$FAMINS_BUILD_DIR/artifacts"
shot="$FAMINS_BUILD_DIR/artifacts/report-screenshot.png"
rm -f "$shot"
browse "$work/pshot" --screenshot="$shot" --window-size=1280,2000 "file://$work/report-2026.html" \
    >/dev/null 2>"$work/shot.err" || itest_fail "screenshot failed: $(tail -5 "$work/shot.err")"
[ -s "$shot" ] || itest_fail "no screenshot written"
/usr/bin/python3 "$here/png_check.py" "$shot" 64 30 || itest_fail "the screenshot looks blank"
echo "report browser: ok (screenshot $shot)"
