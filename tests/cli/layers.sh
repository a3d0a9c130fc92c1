#!/usr/bin/env bash
# The module layering is a build fact: no #include in src/ or include/ climbs the module graph
# declared in CMakeLists.txt (scripts/check-layers.sh). It also proves the check can fail: a
# copy of the tree with one climbing include must be refused, naming the file.
set -euo pipefail
src=${CW_SOURCE_DIR:?}
bash "$src/scripts/check-layers.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
git -C "$src" ls-files -z CMakeLists.txt scripts/check-layers.sh 'src/*' 'include/*' |
    (cd "$src" && xargs -0 cp --parents -t "$tmp")
git -C "$tmp" init -q && git -C "$tmp" add -A
printf '#include "chainwatch/server.h"\n' >> "$tmp/src/util/error.c"
git -C "$tmp" add -A
if out=$(bash "$tmp/scripts/check-layers.sh" 2>&1); then
    echo "FAIL: a climbing include was not caught"; exit 1
fi
grep -q 'src/util/error.c (module util) includes "chainwatch/server.h"' <<<"$out" || { echo "FAIL: $out"; exit 1; }
# The server issues no SQL: one statement added to a server file is refused, naming it.
git -C "$tmp" checkout -q -- src/util/error.c
printf 'static void f(void *db) { sqlite3_exec(db, "DELETE FROM audit", 0, 0, 0); }\n' >> "$tmp/src/server/api.c"
git -C "$tmp" add -A
if out=$(bash "$tmp/scripts/check-layers.sh" 2>&1); then
    echo "FAIL: SQL in the server was not caught"; exit 1
fi
grep -q 'src/server/api.c:[0-9]*:.*the server issues SQL' <<<"$out" || { echo "FAIL: $out"; exit 1; }
# Engines name no CLI flag: an engine error naming one is refused, naming the file.
git -C "$tmp" checkout -q -- src/server/api.c
printf 'static const char *m = "give --txs 5";\n' >> "$tmp/src/supply/db.c"
git -C "$tmp" add -A
if out=$(bash "$tmp/scripts/check-layers.sh" 2>&1); then
    echo "FAIL: a CLI flag in an engine was not caught"; exit 1
fi
grep -q 'src/supply/db.c:[0-9]*:.*an engine names a CLI flag' <<<"$out" || { echo "FAIL: $out"; exit 1; }
echo "layers: ok"
