#!/usr/bin/env bash
# install.sh BIN PREFIX: what `make install PREFIX=...` copies (the Makefile builds first):
#   PREFIX/bin/chainwatch, PREFIX/share/chainwatch/web (the dashboard, vendor/ included when
#   scripts/web-build.sh made it), PREFIX/share/chainwatch/data (reference tables, scenarios),
#   PREFIX/share/doc/chainwatch (README.md, docs/). Prints what it installed.
set -euo pipefail
BIN=${1:?usage: install.sh BIN PREFIX}
PREFIX=${2:?usage: install.sh BIN PREFIX}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$BIN" ] || { echo "install: $BIN is not an executable (build it first: make release)" >&2; exit 1; }
install -d "$PREFIX/bin" "$PREFIX/share/chainwatch" "$PREFIX/share/doc/chainwatch"
install -m 755 "$BIN" "$PREFIX/bin/chainwatch"
for d in web data; do
    rm -rf "$PREFIX/share/chainwatch/$d"
    cp -R "$ROOT/$d" "$PREFIX/share/chainwatch/$d"
done
rm -rf "$PREFIX/share/doc/chainwatch/docs"
cp -R "$ROOT/docs" "$PREFIX/share/doc/chainwatch/docs"
install -m 644 "$ROOT/README.md" "$PREFIX/share/doc/chainwatch/README.md"
[ -s "$PREFIX/share/chainwatch/web/vendor/cytoscape.min.js" ] ||
    echo "install: note: web/vendor is empty (run scripts/web-build.sh): the dashboard's graphs need it" >&2
echo "installed chainwatch $("$PREFIX/bin/chainwatch" --version | awk '{print $2}') in $PREFIX:"
echo "  $PREFIX/bin/chainwatch"
echo "  $PREFIX/share/chainwatch/web   (chainwatch serve --web-root $PREFIX/share/chainwatch/web)"
echo "  $PREFIX/share/doc/chainwatch"
