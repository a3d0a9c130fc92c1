#!/usr/bin/env bash
# make lint: clang-format check, cppcheck, clang-tidy (on compile_commands.json), and the
# banned-call list (curl's checksrc idea).
set -uo pipefail
BUILD=${1:-build/release}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
status=0
files=$(git ls-files 'src/*.c' 'src/*.h' 'include/*.h' 'tests/*.c' 'tests/*.h' 'fuzz/*.c' 'bench/*.c')
if grep -nE '\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|atof|strtok)\s*\(' $files; then
    echo "lint: banned call (use snprintf, cw_parse_*, strtok_r)"; status=1
fi
clang-format --dry-run $files 2>&1 | head -50 | grep -q warning && { echo "lint: clang-format differences (run clang-format -i)"; status=1; }
cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
    --suppress=missingIncludeSystem -I include -I src src || status=1
clang-tidy -p "$BUILD" --quiet $(git ls-files 'src/*.c') \
    -checks='-*,bugprone-*,-bugprone-easily-swappable-parameters,-bugprone-reserved-identifier,cert-err34-c' 2>/dev/null | grep -E 'warning|error' && status=1
exit $status
