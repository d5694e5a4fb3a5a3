#!/usr/bin/env bash
# fuzz.sh — builds the libFuzzer harnesses of tests/fuzz with clang into build-fuzz and runs each for N
# seconds; exits non-zero on any crash, leak, undefined behaviour, timeout or broken property, keeping the
# input that did it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
    cat <<'EOF'
usage: deploy/fuzz.sh [--seconds N] [--jobs J] [--only NAME[,NAME...]] [--build-dir DIR] [--findings DIR]
                      [--no-install]

Builds every harness of tests/fuzz (clang, -fsanitize=fuzzer,address,undefined) and runs each for N seconds
(default 300) on its corpus (seeded from schemas/, growing in the build folder). Exits 1 when any harness
finds something; the input that did it is kept in the findings folder, named <harness>-crash-<sha1> (or
-leak-, -timeout-, -oom-), and the harness's output, with the stack trace, in <build>/fuzz-logs/<harness>.log.
Reproduce a finding: <build>/tests/fuzz/fuzz_<harness> <file>.

  --seconds N     seconds per harness (default 300; deploy/test.sh runs a smoke of 5)
  --jobs J        harnesses run at the same time (default 1)
  --only LIST     only these harnesses (names: <build>/tests/fuzz/harnesses.txt, or tests/fuzz/README.md)
  --build-dir DIR the build folder (default: FAMINS_FUZZ_BUILD_DIR or <source>/build-fuzz)
  --findings DIR  where crashing inputs go (default: <build>/findings)
  --no-install    do not install missing Debian packages (clang-14, libclang-rt-14-dev, llvm-14)
Environment: FAMINS_FUZZ_CC (the clang to use; default clang-14, else clang).
EOF
}

seconds=300
jobs=1
only=""
build_dir="${FAMINS_FUZZ_BUILD_DIR:-$FAMINS_SOURCE_DIR/build-fuzz}"
findings=""
install=1
while [[ $# -gt 0 ]]; do
    case "$1" in
    --seconds) seconds="${2:?--seconds needs a number}"; shift 2 ;;
    --jobs) jobs="${2:?--jobs needs a number}"; shift 2 ;;
    --only) only="${2:?--only needs names}"; shift 2 ;;
    --build-dir) build_dir="${2:?--build-dir needs a folder}"; shift 2 ;;
    --findings) findings="${2:?--findings needs a folder}"; shift 2 ;;
    --no-install) install=0; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "fuzz.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
    esac
done
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: --seconds must be a positive number" >&2; exit 2; }
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: --jobs must be a positive number" >&2; exit 2; }
findings="${findings:-$build_dir/findings}"
started=$(date +%s)

if [[ $install -eq 1 ]]; then
    famins_step "installing the fuzzing tool chain if missing"
    famins_install_fuzz_tools
fi
cc="${FAMINS_FUZZ_CC:-}"
if [[ -z $cc ]]; then
    cc=$(command -v clang-14 || command -v clang || true)
fi
[[ -n $cc ]] || { echo "fuzz.sh: clang not found: apt-get install ${FAMINS_FUZZ_PACKAGES[*]}" >&2; exit 1; }

famins_step "building the harnesses with $cc into $build_dir"
# -O1 with debug information and assertions on: the usual trade for fuzzing (fast, readable traces, invariants
# checked). The tests and services are not built here: FAMINS_TESTS=OFF and only the famins-fuzz target.
cmake -S "$FAMINS_SOURCE_DIR" -B "$build_dir" -G Ninja -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_C_FLAGS_DEBUG="-g -O1" -DFAMINS_FUZZ=ON -DFAMINS_TESTS=OFF >/dev/null
if ! cmake --build "$build_dir" -j "$(nproc)" --target famins-fuzz >"$build_dir/fuzz-build.log" 2>&1; then
    tail -40 "$build_dir/fuzz-build.log" >&2
    echo "fuzz.sh: the build failed (whole output: $build_dir/fuzz-build.log)" >&2
    exit 1
fi
echo "built in $(($(date +%s) - started)) s"

fuzz_dir="$build_dir/tests/fuzz"
mapfile -t names <"$fuzz_dir/harnesses.txt"
if [[ -n $only ]]; then
    IFS=, read -r -a wanted <<<"$only"
    for w in "${wanted[@]}"; do
        printf '%s\n' "${names[@]}" | grep -qx -- "$w" || { echo "fuzz.sh: no harness named $w" >&2; exit 2; }
    done
    names=("${wanted[@]}")
fi

logs="$build_dir/fuzz-logs"
mkdir -p "$findings" "$logs" "$build_dir/fuzz-tmp"
# The harnesses that read a path write their input to a file of their own in TMPDIR.
export TMPDIR="$build_dir/fuzz-tmp"
export ASAN_OPTIONS="detect_leaks=1:symbolize=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
symbolizer=$(command -v llvm-symbolizer-14 || command -v llvm-symbolizer || true)
[[ -z $symbolizer ]] || export ASAN_SYMBOLIZER_PATH="$symbolizer"

# run_one NAME: runs one harness; its exit status goes to $logs/NAME.rc.
run_one() {
    local name="$1" rc=0
    "$fuzz_dir/fuzz_$name" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$findings/$name-" "$fuzz_dir/corpus/$name" >"$logs/$name.log" 2>&1 || rc=$?
    echo "$rc" >"$logs/$name.rc"
}

famins_step "running ${#names[@]} harnesses for $seconds s each, $jobs at a time"
rm -f "$logs"/*.rc
running=0
for name in "${names[@]}"; do
    if [[ $running -ge $jobs ]]; then
        wait -n || true
        running=$((running - 1))
    fi
    run_one "$name" &
    running=$((running + 1))
done
wait || true

failed=()
printf '%-20s %12s %10s %8s  %s\n' harness runs exec/s "new" result
for name in "${names[@]}"; do
    log="$logs/$name.log"
    rc=$(cat "$logs/$name.rc" 2>/dev/null || echo 1)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    added=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -1)
    result=ok
    if [[ $rc -ne 0 ]]; then
        result="FOUND (exit $rc): $(grep -m1 -E '^SUMMARY|property broken' "$log" || echo 'see the log')"
        failed+=("$name")
    fi
    printf '%-20s %12s %10s %8s  %s\n' "$name" "${runs:--}" "${rate:--}" "${added:--}" "$result"
done

for name in "${failed[@]}"; do
    famins_step "finding of $name (log: $logs/$name.log)"
    grep -E -A40 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|property broken' \
        "$logs/$name.log" | head -60 || true
    echo "input kept: $(ls -t "$findings/$name-"* 2>/dev/null | head -1)"
    echo "reproduce:  $fuzz_dir/fuzz_$name <that file>"
done
rmdir "$findings" 2>/dev/null || true
echo "fuzzing finished in $(($(date +%s) - started)) s;" \
    "${#failed[@]} of ${#names[@]} harnesses found something"
[[ ${#failed[@]} -eq 0 ]]
