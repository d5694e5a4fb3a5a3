#!/bin/sh
# encoders.sh — every event famins' encoders write for the valid examples is valid against its JSON Schema.
# Usage: encoders.sh SOURCE_DIR ENCODE_SAMPLES_BINARY
set -u
src=$1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
n=$("$2" "$src" "$tmp") || { echo "FAIL: encode_samples failed"; exit 1; }
if [ "$n" -lt 100 ]; then
    echo "FAIL: only $n events encoded"
    exit 1
fi
/usr/bin/python3 "$src/tests/unit/codec/schema_check.py" "$src/schemas/events" "$tmp"/*.json > "$tmp/verdicts" || exit 1
bad=$(grep -cv '	valid$' "$tmp/verdicts")
grep -v '	valid$' "$tmp/verdicts" | sed "s|$tmp/|FAIL |"
types=$(cat "$tmp"/*.json | grep -o '"type":"[a-z.]*"' | sort | uniq -c | tr -s ' ' | tr '\n' ';')
echo "encoders: $n events ($types) checked, $bad invalid"
[ "$bad" -eq 0 ]
