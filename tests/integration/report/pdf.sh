#!/usr/bin/env bash
# famins-report --format pdf: the HTML page printed by headless Chromium. The PDF is A4, every page rendered back to an
# image (pdftoppm) is not blank, the values of the loss-ratio and paid-by-liability charts (equal to the independent
# sums, check_report.py) are in its text (pdftotext), parts start a new page, a table that runs over pages repeats its
# header row; pdf alone leaves no html behind; a missing, failing or hanging chromium is exit 1 with a clear message.
# Needs Debian's chromium, fonts-wqy-zenhei and poppler-utils (installed here when missing and we are root).
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
if ! command -v chromium >/dev/null || ! command -v pdftoppm >/dev/null; then
    [ "$(id -u)" = 0 ] || itest_fail "needs: apt-get install chromium fonts-wqy-zenhei poppler-utils"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-wqy-zenhei \
        poppler-utils >/dev/null || itest_fail "could not install chromium and poppler-utils"
fi
itest_init report_pdf
here="$FAMINS_SOURCE_DIR/tests/integration/report"
report="$FAMINS_BUILD_DIR/services/report/famins-report"
work=$(mktemp -d)
trap 'itest_done; rm -rf "$work"' EXIT
export FAMINS_REPORT_PG_DSN="$(itest_dsn_as famins_reporter)"
itest_psql -f "$here/seed.sql"

"$report" --year 2026 --format csv,json,html,pdf --out "$work/city" 2>"$work/city.log" ||
    { cat "$work/city.log"; itest_fail "pdf report failed"; }
pdf="$work/city/report-2026.pdf"
[ "$(head -c 5 "$pdf")" = "%PDF-" ] || itest_fail "not a PDF: $pdf"
pdfinfo "$pdf" >"$work/info.txt"
grep -q "Page size:.*(A4)" "$work/info.txt" || itest_fail "not A4: $(grep 'Page size' "$work/info.txt")"
pages=$(awk '/^Pages:/ {print $2}' "$work/info.txt")
[ "$pages" -ge 4 ] || itest_fail "only $pages pages: the parts do not start pages of their own"

# Every page rendered back to an image is not blank (a page that lost its fonts or styles would be).
pdftoppm -r 40 -png "$pdf" "$work/page"
n=0
for png in "$work"/page-*.png; do
    /usr/bin/python3 "$here/png_check.py" "$png" 16 5 >/dev/null || itest_fail "page $png looks blank"
    n=$((n + 1))
done
[ "$n" -eq "$pages" ] || itest_fail "$n images for $pages pages"
# The first page as an artifact: what a claims officer sees first on paper.
mkdir -p "$FAMINS_BUILD_DIR/artifacts"
pdftoppm -r 80 -png -f 1 -l 1 -singlefile "$pdf" "$FAMINS_BUILD_DIR/artifacts/report-pdf-page-1"

# The charts' values, which check_report.py proves equal to the independent sums, are in the PDF's text.
/usr/bin/python3 "$here/check_report.py" "$FAMINS_PG_DSN" "$work/city" 2026 >/dev/null ||
    itest_fail "the report printed differs from the independent sums"
pdftotext -layout "$pdf" "$work/all.txt"
/usr/bin/python3 - "$work/city/report-2026.html" "$work/all.txt" <<'PY' || itest_fail "chart values missing from the PDF text"
import re, sys
html, text = open(sys.argv[1], encoding="utf-8").read(), open(sys.argv[2], encoding="utf-8").read()
def chart(cid):
    block = html[html.index(f'id="{cid}"'):]
    block = block[:block.index("</svg>")]
    return [int(v) for v in re.findall(r'class="bar"[^>]*data-value="(-?\d+)"', block)]
loss = chart("chart-loss-ratio-by-unit")
paid = chart("chart-paid-by-liability")
assert len(loss) >= 4 and len(paid) == 5, (loss, paid)
missing = [f"{v // 100}.{v % 100:02d}%" for v in loss if f"{v // 100}.{v % 100:02d}%" not in text]
missing += [f"{v // 100:,}.{v % 100:02d}" for v in paid if f"{v // 100:,}.{v % 100:02d}" not in text]
assert not missing, f"not in the PDF text: {missing}"
print(f"chart values in the PDF: {len(loss)} loss ratios, {len(paid)} liabilities")
PY

# Page breaks: the charts and the detail tables start pages; the long claims table repeats its header row.
for p in $(seq 1 "$pages"); do pdftotext -f "$p" -l "$p" -layout "$pdf" "$work/text-$p.txt"; done
page_of() { # page_of TEXT: the first page whose text holds TEXT
    for p in $(seq 1 "$pages"); do
        grep -qF "$1" "$work/text-$p.txt" && { echo "$p"; return; }
    done
    echo 0
}
problems_page=$(page_of "存在突出问题 Problems found")
charts_page=$(page_of "2. 图表 Charts")
[ "$problems_page" -ge 1 ] && [ "$charts_page" -gt "$problems_page" ] ||
    itest_fail "the charts do not start a page after the problems ($problems_page, $charts_page)"
grep -qF "存在突出问题" "$work/text-$charts_page.txt" &&
    itest_fail "the problems and the charts share a page"
headers=0
for p in $(seq 1 "$pages"); do
    grep -qE '^ *保险责任 ' "$work/text-$p.txt" && headers=$((headers + 1))
done
[ "$headers" -ge 2 ] || itest_fail "the claims table's header row is not repeated on its next page ($headers)"
grep -qF "famins 版本 famins version" "$work/all.txt" || itest_fail "no footer in the PDF"

# pdf alone: no html left behind.
"$report" --year 2026 --unit 610122 --format pdf --out "$work/unit" 2>/dev/null || itest_fail "unit pdf failed"
[ -s "$work/unit/report-2026-610122.pdf" ] || itest_fail "no unit pdf"
[ -z "$(ls "$work/unit" | grep -v '\.pdf$' || true)" ] || itest_fail "pdf alone left files: $(ls "$work/unit")"

# Chromium missing, failing, hanging: exit 1, a message that says what to do, no PDF.
expect_fail() { # expect_fail TEXT: famins-report --format pdf exits 1 and says TEXT
    local code=0
    "$report" --year 2026 --format pdf --out "$work/bad" >/dev/null 2>"$work/err.txt" || code=$?
    [ "$code" -eq 1 ] || itest_fail "exit $code, expected 1: $(cat "$work/err.txt")"
    grep -qF "$1" "$work/err.txt" || itest_fail "no '$1' in: $(cat "$work/err.txt")"
    [ ! -e "$work/bad/report-2026.pdf" ] || itest_fail "a PDF was left after a failure"
}
FAMINS_REPORT_CHROMIUM=/nonexistent/chromium expect_fail "optional dependency"
FAMINS_REPORT_CHROMIUM=famins-no-such-browser expect_fail "optional dependency"
FAMINS_REPORT_CHROMIUM=false expect_fail "chromium failed printing"
printf '#!/bin/sh\nsleep 60\n' >"$work/hang.sh" && chmod +x "$work/hang.sh"
start=$(date +%s)
FAMINS_REPORT_CHROMIUM="$work/hang.sh" FAMINS_REPORT_PDF_TIMEOUT_S=5 expect_fail "did not print"
[ $(($(date +%s) - start)) -lt 30 ] || itest_fail "the timeout did not stop a hanging chromium"
echo "report pdf: ok ($pages pages)"
