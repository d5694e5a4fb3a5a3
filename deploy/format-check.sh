#!/usr/bin/env bash
# The C sources against .clang-format: `clang-format --dry-run -Werror` over every tracked .c and .h (or the
# files given), listing each file that would change and failing when any would. --fix rewrites them instead.
#   bash deploy/format-check.sh              check the whole tree
#   bash deploy/format-check.sh --fix        reformat the whole tree in place
#   bash deploy/format-check.sh a.c b.h      check those files only
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
fix=0
if [[ ${1:-} == --fix ]]; then
    fix=1
    shift
fi
tool=${CLANG_FORMAT:-clang-format}
if ! command -v "$tool" >/dev/null; then
    echo "format-check: $tool not found: apt-get install clang-format (or bash deploy/local/stack.sh install)" >&2
    exit 2
fi
if [[ $# -gt 0 ]]; then
    files=("$@")
else
    mapfile -t files < <(git ls-files '*.c' '*.h')
fi
if [[ $fix -eq 1 ]]; then
    "$tool" -i "${files[@]}"
    echo "format-check: reformatted ${#files[@]} files"
    exit 0
fi
bad=()
for f in "${files[@]}"; do
    "$tool" --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [[ ${#bad[@]} -gt 0 ]]; then
    printf 'format-check: not as .clang-format says: %s\n' "${bad[@]}" >&2
    echo "format-check: ${#bad[@]} of ${#files[@]} files differ; see one with: $tool --dry-run FILE; fix all: bash deploy/format-check.sh --fix" >&2
    exit 1
fi
echo "format-check: ${#files[@]} files as .clang-format says"
