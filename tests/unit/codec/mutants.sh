#!/bin/sh
# mutants.sh — single-mutation variants of the valid examples get the same verdict from the JSON Schema and
# from the C decoders, and are refused at the same path. Usage: mutants.sh SOURCE_DIR DECODE_EXAMPLE [SEED]
set -u
src=$1
decoder=$2
seed=${3:-20261128}
python=/usr/bin/python3
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
n=$("$python" "$src/tests/unit/codec/mutants.py" "$src" "$tmp" "$seed" 8) || exit 1
ls "$tmp"/*.json | sort > "$tmp/files"
xargs "$python" "$src/tests/unit/codec/schema_check.py" "$src/schemas/events" < "$tmp/files" | sort > "$tmp/py" || exit 1
xargs "$decoder" < "$tmp/files" | sort > "$tmp/c" || exit 1
fail=0
while IFS= read -r f; do
    py=$(grep -F "$f	" "$tmp/py" | cut -f2,3)
    c=$(grep -F "$f	" "$tmp/c" | cut -f2,3)
    if [ "$(echo "$py" | cut -f1)" != "$(echo "$c" | cut -f1)" ] || [ "$py" != "$c" ]; then
        echo "DISAGREE $(basename "$f"): schema [$py] C [$(grep -F "$f	" "$tmp/c" | cut -f2-)]"
        fail=$((fail + 1))
    fi
done < "$tmp/files"
valid=$(grep -c '	valid$' "$tmp/c")
echo "mutants (seed $seed): $n, $valid still valid, $fail disagreements"
[ "$fail" -eq 0 ]
