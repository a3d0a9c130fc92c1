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
echo "layers: ok"
