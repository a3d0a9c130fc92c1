# tests/lib/cli.sh: helpers for the CLI tests (sourced). Each test runs in its own temp folder.
set -euo pipefail
CW_BIN=${CW_BIN:?CW_BIN must point at the chainwatch binary}
SHARED=${CW_SHARED_DATA:-$(dirname "$0")/../../../shared/data}
T=$(mktemp -d "${TMPDIR:-/tmp}/cwcli.XXXXXX")
trap 'rm -rf "$T"' EXIT
export CW_NO_PROGRESS=1
PASSED=0
FAILED=0

need_hooks() { # skip (exit 77) when CW_BIN was built without CW_TEST_HOOKS (a release build)
    rm -f "$T/hooked"
    CW_TEST_BEFORE_SNAPSHOT_CHECK="touch $T/hooked" "$CW_BIN" check --store "$1" > /dev/null 2>&1 || true
    [ -e "$T/hooked" ] || { echo "SKIPPED: $CW_BIN has no test hooks (configure with -DCW_TEST_HOOKS=ON; the asan and tsan presets do)"; exit 77; }
}
need_shared() { # need_shared REL...: skip (exit 77) when a fixture is absent
    for rel in "$@"; do
        if [ ! -e "$SHARED/$rel" ]; then
            echo "SKIPPED: shared fixture $SHARED/$rel is absent"
            exit 77
        fi
    done
}
ok() { PASSED=$((PASSED + 1)); echo "ok   $*"; }
bad() { FAILED=$((FAILED + 1)); echo "FAIL $*" >&2; }
check() { # check "description" command...
    local what=$1; shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}
check_eq() { # check_eq "description" actual expected
    if [ "$2" == "$3" ]; then ok "$1"; else bad "$1: got '$2', expected '$3'"; fi
}
kill9_after() { # kill9_after SECONDS CMD...: runs CMD (output dropped), SIGKILLs it after SECONDS
    local t=$1
    shift
    "$@" > /dev/null 2>&1 &
    local pid=$!
    sleep "$t"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
crash_at() { # crash_at N CMD...: runs CMD (output dropped) with CW_TEST_CRASH_POINT=N; returns
    # its status (137 when the crash point killed it). The braces keep bash's "Killed" job report
    # out of the test's output, where it buried the FAIL lines of a red run.
    local n=$1 rc=0
    shift
    { (CW_TEST_CRASH_POINT=$n exec "$@" > /dev/null 2>&1); } 2>/dev/null || rc=$?
    return "$rc"
}
store_digest() { # digest of every store file but the lock (byte-identical stores match)
    (cd "$1" && find . -type f ! -name LOCK ! -name '*.tmp' | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -d' ' -f1
}
stix_validate() { # stix_validate OBJECTS.jsonl WHAT: the OASIS stix2-validator (../shared/tools) on
    # a bundle of the objects, as a check; a note when the validator or its packages are absent
    local tools="$CW_SOURCE_DIR/../shared/tools/stix2-validator" rc=0
    if [ -f "$tools/run.py" ] && /usr/bin/python3 -c 'import jsonschema, antlr4, dateutil, simplejson, colorama, appdirs, requests_cache' 2> /dev/null; then
        jq -s '{type: "bundle", id: "bundle--6a1f3c2e-8d55-4b0e-9a51-2f0c3b7d9e41", objects: .}' "$1" > "$T/bundle.json"
        PYTHONPATH="$tools" /usr/bin/python3 "$tools/run.py" --no-cache "$T/bundle.json" > "$T/validator.txt" 2>&1 || rc=$?
        [ "$rc" = 0 ] || cat "$T/validator.txt"
        check_eq "OASIS stix2-validator: $2" "$rc" 0
    else
        echo "note: stix2-validator or its Debian packages absent (scripts/bootstrap.sh); that check skipped"
    fi
}
finish() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}
