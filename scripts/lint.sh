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
# The module layering (also a test: cli/layers).
bash scripts/check-layers.sh || status=1
# No `| head` here: clang-format exits 74 when head closes the pipe, and under pipefail that
# made the whole check pass whatever the differences.
if ! fmt=$(clang-format --dry-run -Werror $files 2>&1); then
    echo "lint: clang-format differences (run clang-format -i) in:"
    grep -E 'warning|error' <<<"$fmt" | cut -d: -f1 | sort -u
    status=1
fi
# cppcheck has no jansson library file and does not read system headers (missingIncludeSystem),
# so it cannot expand jansson's iteration macros (unknownMacro): give it their definitions,
# copied from <jansson.h>, in a small library file of our own.
jansson_cfg=$(mktemp --suffix=.cfg)
trap 'rm -f "$jansson_cfg"' EXIT
cat >"$jansson_cfg" <<'CFG'
<?xml version="1.0"?>
<def format="2">
  <define name="json_array_foreach(array, index, value)" value="for (index = 0; index &lt; json_array_size(array) &amp;&amp; (value = json_array_get(array, index)); index++)"/>
  <define name="json_object_foreach(object, key, value)" value="for (key = json_object_iter_key(json_object_iter(object)); key &amp;&amp; (value = json_object_iter_value(json_object_key_to_iter(key))); key = json_object_iter_key(json_object_iter_next(object, json_object_key_to_iter(key))))"/>
  <define name="json_object_foreach_safe(object, n, key, value)" value="for (key = json_object_iter_key(json_object_iter(object)), n = json_object_iter_next(object, json_object_key_to_iter(key)); key &amp;&amp; (value = json_object_iter_value(json_object_key_to_iter(key))); key = json_object_iter_key(n), n = json_object_iter_next(object, json_object_key_to_iter(key)))"/>
</def>
CFG
cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
    --library="$jansson_cfg" --suppress=missingIncludeSystem -I include -I src src || status=1
# Output captured first: piped straight into grep, a non-zero clang-tidy exit (pipefail) hid
# its findings.
tidy=$(clang-tidy -p "$BUILD" --quiet $(git ls-files 'src/*.c') \
    -checks='-*,bugprone-*,-bugprone-easily-swappable-parameters,-bugprone-reserved-identifier,cert-err34-c' 2>/dev/null)
grep -E 'warning|error' <<<"$tidy" && status=1
exit $status
