#!/usr/bin/env bash
# common.sh — the steps both README commands share: install what is missing, build, bring the local stack
# up, migrate and create topics. Sourced by deploy/demo.sh and deploy/test.sh.
set -euo pipefail

FAMINS_SOURCE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export FAMINS_SOURCE_DIR

famins_step() {
    printf '\n== %s (%s)\n' "$*" "$(date -u +%H:%M:%S)"
}

# The fuzzing tool chain (deploy/fuzz.sh, tests/fuzz/): clang and its compiler runtime, which on Debian 12
# ships libFuzzer (libclang_rt.fuzzer-x86_64.a) beside the AddressSanitizer and UBSan runtimes; llvm-14 for
# llvm-symbolizer, so that a finding's stack trace names functions and lines.
FAMINS_FUZZ_PACKAGES=(clang-14 libclang-rt-14-dev llvm-14)

# famins_install_fuzz_tools: installs the missing FAMINS_FUZZ_PACKAGES with apt-get (as root).
famins_install_fuzz_tools() {
    local p status missing=()
    for p in "${FAMINS_FUZZ_PACKAGES[@]}"; do
        status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
        [[ $status == "install ok installed" ]] || missing+=("$p")
    done
    if [[ ${#missing[@]} -eq 0 ]]; then
        echo "fuzz tools: all Debian packages present"
        return 0
    fi
    if [[ $(id -u) -ne 0 ]]; then
        echo "fuzz tools missing: run as root, or: apt-get install --no-install-recommends ${missing[*]}" >&2
        return 1
    fi
    echo "fuzz tools: apt-get install ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=120 update >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=120 install --no-install-recommends \
        "${missing[@]}" >/dev/null
}

# famins_setup BUILD_DIR [cmake options...]: everything up to a migrated database with its topics.
# FAMINS_SETUP_FUZZ_TOOLS=1 installs the fuzzing tool chain as well (deploy/test.sh runs the fuzz smoke).
famins_setup() {
    local build_dir="$1"
    shift
    famins_step "installing what is missing"
    bash "$FAMINS_SOURCE_DIR/deploy/local/stack.sh" install
    if [[ ${FAMINS_SETUP_FUZZ_TOOLS:-0} == 1 ]]; then
        famins_install_fuzz_tools
    fi
    famins_step "building into $build_dir"
    cmake -S "$FAMINS_SOURCE_DIR" -B "$build_dir" -G Ninja "$@" >/dev/null
    cmake --build "$build_dir" -j "$(nproc)"
    famins_step "starting the local stack"
    FAMINS_SKIP_INSTALL=1 bash "$FAMINS_SOURCE_DIR/deploy/local/stack.sh" up
    eval "$(bash "$FAMINS_SOURCE_DIR/deploy/local/stack.sh" env)"
    famins_step "migrating the database and creating the topics"
    "$build_dir/services/admin/famins-admin" all
}
