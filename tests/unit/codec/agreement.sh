#!/bin/sh
# agreement.sh — every input example must get the same verdict from the JSON Schema (Debian's
# python3-jsonschema, Draft 2020-12) and from the C decoders; an invalid one must be refused by C with
# exactly the path and code of its .expected-error file (and by the schema at the same path).
# Usage: agreement.sh SOURCE_DIR DECODE_EXAMPLE_BINARY
set -u
src=$1
decoder=$2
python=/usr/bin/python3   # Debian's, with python3-jsonschema; another python may come first on PATH
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

find "$src/schemas/examples" -path '*/valid/*.json' -o -path '*/invalid/*.json' | \
    grep -v -e '\.expected\.json$' -e '\.context\.json$' -e '\.facts\.json$' -e '\.claim\.json$' -e '\.state\.json$' | \
    grep -e '/enrollment.submitted/' -e '/claim.submitted/' -e '/claim.reviewed/' -e '/envelope/' -e '/enrollment.decided/' \
         -e '/claim.documents_added/' -e '/claim.appealed/' -e '/claim.appeal_reviewed/' \
         -e '/claim.withdrawn/' -e '/claim.payment_result/' -e '/claim.payee_corrected/' \
         -e '/policy\.member_added/' -e '/policy\.member_removed/' -e '/policy\.cancelled/' -e '/policy\.premium_' | sort > "$tmp/files"
count=$(wc -l < "$tmp/files")
if [ "$count" -lt 50 ]; then
    echo "FAIL: only $count example files found under $src/schemas/examples" >&2
    exit 1
fi
xargs "$python" "$src/tests/unit/codec/schema_check.py" "$src/schemas/events" < "$tmp/files" > "$tmp/py" || exit 1
xargs "$decoder" < "$tmp/files" > "$tmp/c" || exit 1

fail=0
while IFS= read -r f; do
    py=$(grep -F "$f	" "$tmp/py" | head -1 | cut -f2,3)
    c=$(grep -F "$f	" "$tmp/c" | head -1 | cut -f2-)
    case "$f" in
    */valid/*)
        if [ "$py" != "valid" ] || [ "$c" != "valid" ]; then
            echo "FAIL $f: valid example; schema says [$py], C says [$c]"
            fail=$((fail + 1))
        fi ;;
    */invalid/*)
        want=$(head -1 "${f%.json}.expected-error")
        want_path=${want%%: *}
        want_code=${want##*: }
        got="$(echo "$c" | cut -f2): $(echo "$c" | cut -f3)"
        py_verdict=$(echo "$py" | cut -f1)
        py_path=$(echo "$py" | cut -f2)
        if [ "$(echo "$c" | cut -f1)" != "invalid" ] || [ "$got" != "$want" ]; then
            echo "FAIL $f: C says [$c], expected [$want]"
            fail=$((fail + 1))
        elif [ "$py_verdict" != "invalid" ]; then
            echo "FAIL $f: the schema accepts an example the C decoder refuses ($want)"
            fail=$((fail + 1))
        elif [ "$py_path" != "$want_path" ]; then
            echo "FAIL $f: the schema refuses it at [$py_path], C at [$want_path]"
            fail=$((fail + 1))
        fi ;;
    esac
done < "$tmp/files"
echo "agreement: $count examples, $fail disagreements"
[ "$fail" -eq 0 ]
