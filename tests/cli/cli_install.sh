#!/usr/bin/env bash
# cli_install.sh: `make install PREFIX=DIR` (issue 14, Build 7). The Makefile's install target
# builds and runs scripts/install.sh; this runs the script with the binary under test and
# checks what lands where, then that make's target is wired to it with PREFIX and DESTDIR.
source "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:?}
bash "$SRC/scripts/install.sh" "$CW_BIN" "$T/prefix" > "$T/out" 2> "$T/err"
check "bin/chainwatch installed and runs" "$T/prefix/bin/chainwatch" --version
check "the dashboard in share/chainwatch/web" test -s "$T/prefix/share/chainwatch/web/index.html"
check "the reference data in share/chainwatch/data" test -d "$T/prefix/share/chainwatch/data"
check "the docs in share/doc/chainwatch" test -s "$T/prefix/share/doc/chainwatch/docs/DASHBOARD.md"
check "it says where" grep -q "installed chainwatch .* in $T/prefix" "$T/out"
PATH="$T/prefix/bin:$PATH" check "on PATH as 'chainwatch'" chainwatch --help
make -n -C "$SRC" install PREFIX=/opt/cw DESTDIR="$T/dest" BUILD_ROOT=/x > "$T/make-n" 2>&1 || true
check "make install PREFIX= DESTDIR= calls install.sh with DESTDIR/PREFIX" \
    grep -q "scripts/install.sh /x/release/chainwatch \"$T/dest/opt/cw\"" "$T/make-n"
set +e; bash "$SRC/scripts/install.sh" "$T/nobin" "$T/p2" 2> "$T/err2"; rc=$?; set -e
check_eq "a missing binary: exit 1" "$rc" 1
check "... and nothing installed" test ! -e "$T/p2"
finish
