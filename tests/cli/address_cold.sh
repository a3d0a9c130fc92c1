#!/usr/bin/env bash
# A point query (`address`, `tx`) on a store not in the page cache reads the pages it needs,
# not the disk's read-ahead window around each (cw_chainstore_advise_random, as the server's
# handle does): before, one cold `address` lookup on the 1M-tx store brought in ~14,000 pages
# (~55 MiB), the window of every column it touched. Measured with fincore after the store's
# files are dropped from the page cache (posix_fadvise DONTNEED). Skipped where the cache
# cannot be dropped (tmpfs) or where the read-ahead window is a single page anyway.
source "$(dirname "$0")/../lib/cli.sh"
command -v fincore > /dev/null || { echo "SKIPPED: fincore (util-linux) is absent"; exit 77; }
"$CW_BIN" gen --out "$T/w" --txs 20000 --seed 3 --quiet > /dev/null
"$CW_BIN" ingest btc --blocks "$T/w/blocks" --store "$T/s" --network regtest --quiet > /dev/null
[ "$(stat -f -c %T "$T/s")" != tmpfs ] || { echo "SKIPPED: the store is on tmpfs (no page cache to drop)"; exit 77; }
drop() { # writes back, then drops the store's pages; prints the pages still resident
    /usr/bin/python3 - "$T/s" <<'PY'
import os, sys
d = sys.argv[1]
for f in os.listdir(d):
    p = os.path.join(d, f)
    if os.path.isfile(p):
        fd = os.open(p, os.O_RDONLY)
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)
PY
}
pages() { # pages of $1 (a store file) in the page cache
    fincore --bytes --noheadings --raw --output PAGES "$T/s/$1"
}
A=$(awk -F, 'NR > 1 && $5 == "user" { print $1; exit }' "$T/w/truth/addresses.csv")
TX=$(awk -F, 'NR > 1 { print $2; exit }' "$T/w/truth/thief_txs.csv")
for f in addrs.col outs.col txs.col; do
    sz=$(stat -c %s "$T/s/$f")
    [ "$sz" -ge $((256 * 1024)) ] || { echo "SKIPPED: $f is only $sz bytes"; exit 77; }
done
drop
[ "$(pages addrs.col)" -eq 0 ] || { echo "SKIPPED: the page cache was not dropped"; exit 77; }
"$CW_BIN" address "$A" --store "$T/s" --json > "$T/a.json"
check_eq "the cold lookup answers" "$(jq -r .address "$T/a.json")" "$A"
for f in addrs.col outs.col txs.col; do
    n=$(pages $f)
    if [ "$n" -le 8 ]; then ok "address: $f: $n pages read (a point lookup)"; else bad "address: $f: $n pages read (a read-ahead window, not a point lookup)"; fi
done
drop
"$CW_BIN" tx "$TX" --store "$T/s" --json > /dev/null
n=$(pages txs.col)
if [ "$n" -le 16 ]; then ok "tx: txs.col: $n pages read"; else bad "tx: txs.col: $n pages read (a read-ahead window)"; fi
finish
