#!/usr/bin/env bash
# Progress: on a terminal (a pty from script(1)) ingest draws a progress line with rate and ETA;
# piped, it prints nothing on stderr. Valgrind: the optimised (non-ASan) build ingests and
# queries the mainnet sample with no memory errors and no leaks.
source "$(dirname "$0")/../lib/cli.sh"
need_shared btc-mainnet-blocks/mainnet-h0-h438.blk
M=$SHARED/btc-mainnet-blocks
mkdir -p "$T/b"
ln -s "$M/mainnet-h0-h438.blk" "$T/b/blk00000.dat"
unset CW_NO_PROGRESS
script -qec "'$CW_BIN' ingest btc --blocks '$T/b' --store '$T/tty' --commit-txs 50" "$T/typescript" > /dev/null
check "a terminal sees the progress line (blocks/s, tx/s, MB/s, ETA)" grep -q "tx/s.*MB/s.*ETA" "$T/typescript"
"$CW_BIN" ingest btc --blocks "$T/b" --store "$T/pipe" 2> "$T/stderr" | cat > /dev/null
check_eq "piped: stderr stays empty" "$(wc -c < "$T/stderr")" 0
export CW_NO_PROGRESS=1

REL="${CW_BUILD_DIR:-}/../release/chainwatch"
if [ ! -x "$REL" ] || ! command -v valgrind > /dev/null; then
    echo "(no release build or valgrind beside $CW_BUILD_DIR: valgrind part skipped)"
else
    vg() { valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect "$@"; }
    check "valgrind: ingest --threads 2" vg "$REL" ingest btc --blocks "$T/b" --store "$T/vg" --threads 2 --quiet
    check "valgrind: check" vg "$REL" check --store "$T/vg"
    check "valgrind: tx" vg "$REL" tx f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16 --store "$T/vg" --json
    check "valgrind: address" vg "$REL" address 12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S --store "$T/vg"
    check "valgrind: block" vg "$REL" block 170 --store "$T/vg" --json
fi
finish
