#!/usr/bin/env bash
# scripts/tsan.sh BUILD_DIR [JOBS]: builds the ThreadSanitizer tests (the tests whose threads share
# data) in BUILD_DIR and runs them. The targets and the test filter are read from the `tsan`
# presets in CMakePresets.json, so the preset stays the one list (`make test` runs this after
# the ASan suite; `cmake --build --preset tsan && ctest --preset tsan` does the same in build/tsan).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:?usage: scripts/tsan.sh BUILD_DIR [JOBS]}
jobs=${2:-2}
mapfile -t targets < <(jq -r '.buildPresets[] | select(.name == "tsan") | .targets[]' CMakePresets.json)
filter=$(jq -r '.testPresets[] | select(.name == "tsan") | .filter.include.name' CMakePresets.json)
[ ${#targets[@]} -gt 0 ] && [ -n "$filter" ] || { echo "tsan.sh: no tsan presets in CMakePresets.json" >&2; exit 2; }
cmake --preset tsan -B "$dir" > /dev/null
cmake --build "$dir" -j "$jobs" --target "${targets[@]}"
cd "$dir"
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
run() { ctest --output-on-failure -j 1 --timeout 900 -R "$filter" "$@"; }
# gcc 12's TSan refuses to start ("unexpected memory mapping") on kernels whose mmap
# randomisation is wider than it knows; that is the sanitizer failing, not the code: then run
# the tests again with address randomisation off for them (setarch -R), the usual workaround.
if ! run > tsan.log 2>&1; then
    if grep -q "unexpected memory mapping" tsan.log && setarch "$(uname -m)" -R true 2> /dev/null; then
        echo "tsan.sh: TSan could not map its shadow memory here; rerunning with setarch -R" >&2
        setarch "$(uname -m)" -R ctest --output-on-failure -j 1 --timeout 900 -R "$filter"
        exit
    fi
    cat tsan.log
    exit 1
fi
cat tsan.log
