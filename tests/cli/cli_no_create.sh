#!/usr/bin/env bash
# cli_no_create.sh: a read command never creates a database (issue 14, Build 7). Every read of a
# missing node database, label store, supply database or chain store exits 3, names the path
# and the option it came from, and leaves nothing behind; the commands that make databases
# (node init, labels import, supply load, ingest) still do.
source "$(dirname "$0")/../lib/cli.sh"
cd "$T"
reads=("alerts list" "alerts show 1" "node show" "keys list" "audit verify" "audit list"
       "peer list" "supply status" "supply coverage" "labels count" "labels list" "labels show 1abc"
       "serve --listen 127.0.0.1:0")
for c in "${reads[@]}"; do
    set +e; $CW_BIN $c > out 2> err; rc=$?; set -e
    check_eq "'$c' in an empty folder: exit 3" "$rc" 3
    check "'$c' names the missing default path" grep -Eq "(chainwatch|labels|supply)\.db does not exist" err
done
check_eq "nothing was created by the reads" "$(ls | grep -v '^out$\|^err$' | wc -l)" 0
for c in "alerts list --db $T/nope/node.db" "trace --from 00:0 --store $T/nostore" \
         "tx 0000000000000000000000000000000000000000000000000000000000000000 --store $T/nostore" \
         "rules run --db $T/node.db" "screen 1abc --store $T/nostore --labels $T/l.db"; do
    set +e; $CW_BIN $c > out 2> err; rc=$?; set -e
    check_eq "'${c%% *} ...' on a missing path: exit 3" "$rc" 3
    check "'${c%% *} ...' names the path" grep -q "$T/no.* does not exist\|$T/node.db does not exist" err
done
check "no node.db appeared" test ! -e "$T/node.db"
check "no store appeared" test ! -e "$T/nostore"
set +e; $CW_BIN labels import csv "$T/missing.csv" --db "$T/l.db" 2> err; rc=$?; set -e
check_eq "labels import of a missing file: exit 3" "$rc" 3
check "... and no label store was made for it" test ! -e "$T/l.db"
# the commands that make databases still make them
check "node init makes the node database" $CW_BIN node init --db "$T/node.db" --name USA
check "alerts list then reads it (exit 0)" $CW_BIN alerts list --db "$T/node.db"
printf 'address,entity,category\n1BoatSLRHtKNngkdXEeobR76b53LETtpyT,X,exchange\n' > "$T/l.csv"
check "labels import makes the label store" $CW_BIN labels import csv "$T/l.csv" --db "$T/l.db" --quiet
check "labels count then reads it" $CW_BIN labels count --db "$T/l.db"
# a read of a database a writer closed leaves nothing beside it: the last writer puts the file
# back in rollback-journal mode, or a read-only open would make -wal and -shm files (SQLite's WAL
# index) that it cannot remove
$CW_BIN labels list --db "$T/l.db" > /dev/null
$CW_BIN alerts list --db "$T/node.db" > /dev/null
for f in l.db node.db; do
    check "no $f-wal or $f-shm after the reads" test ! -e "$T/$f-wal" -a ! -e "$T/$f-shm"
done
finish
