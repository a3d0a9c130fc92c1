#!/usr/bin/env bash
# The module layering is a build fact: no #include in src/ or include/ climbs the module graph
# declared in CMakeLists.txt (scripts/check-layers.sh), the server issues no SQL, and no engine
# names a CLI flag. It also proves each check can fail: a copy of the tree with one climbing
# include, one SQL call in the server or one flag in an engine is refused, naming the file.
set -euo pipefail
src=${CW_SOURCE_DIR:?}
bash "$src/scripts/check-layers.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
git -C "$src" ls-files -z CMakeLists.txt scripts/check-layers.sh 'src/*' 'include/*' |
    (cd "$src" && xargs -0 cp --parents -t "$tmp")
git -C "$tmp" init -q && git -C "$tmp" add -A
refused() { # FILE LINE PATTERN WHAT: with LINE added to FILE the check fails, saying PATTERN
    cp "$tmp/$1" "$tmp/$1.orig"
    printf '%s\n' "$2" >> "$tmp/$1"
    local out rc=0
    out=$(bash "$tmp/scripts/check-layers.sh" 2>&1) || rc=$?
    mv "$tmp/$1.orig" "$tmp/$1"
    [ "$rc" -ne 0 ] || { echo "FAIL: $4 was not caught"; exit 1; }
    grep -q "$3" <<<"$out" || { echo "FAIL ($4): $out"; exit 1; }
}
refused src/util/error.c '#include "chainwatch/server.h"' \
    'src/util/error.c (module util) includes "chainwatch/server.h"' "a climbing include"
# The server issues no SQL: one statement added to a server file is refused, naming it.
refused src/server/api.c 'static void f(void *db) { sqlite3_exec(db, "DELETE FROM audit", 0, 0, 0); }' \
    'src/server/api.c:[0-9]*:.*the server issues SQL' "SQL in the server"
# Engines name no CLI flag: an engine string naming one is refused, naming the file.
refused src/supply/db.c 'static const char *m = "give --txs 5";' \
    'src/supply/db.c:[0-9]*:.*an engine names a CLI flag' "a CLI flag in an engine"
# each case alone: the tree is clean again after them
bash "$tmp/scripts/check-layers.sh"
echo "layers: ok"
