#!/usr/bin/env bash
# labels: a version-2 store (before label_by_entity, stop 29) read by the read commands stays
# byte-identical (no index, no version change, no -wal/-shm file left) and answers as after; a
# writing command (labels import, here of a file already imported: unchanged) migrates it to
# version 3 and it gains the index; `labels show ENTITY` then searches label_by_entity.
# Needs no shared data.
source "$(dirname "$0")/../lib/cli.sh"
DB=$T/l.db
cat > "$T/a.csv" <<'CSV'
address,asset,entity,category
bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq,XBT,Example Exchange,exchange
1BoatSLRHtKNngkdXEeobR76b53LETtpyT,XBT,Heist Inc,theft
1H939dom7i4WDLCKyGbXUp3fs9CSTNRzgL,XBT,Heist Inc,theft
CSV
"$CW_BIN" labels import csv "$T/a.csv" --db "$DB" --quiet > /dev/null
version() { sqlite3 -readonly "$1" "PRAGMA user_version;"; }
has_index() { sqlite3 -readonly "$1" "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'label_by_entity';"; }
check_eq "a new store: version 3" "$(version "$DB")" 3
check_eq "a new store: label_by_entity" "$(has_index "$DB")" 1
"$CW_BIN" labels show "Heist Inc" --db "$DB" --json | jq -S 'del(.store)' > "$T/new.json"

# what version 2 wrote
sqlite3 "$DB" "DROP INDEX IF EXISTS label_by_entity; PRAGMA user_version = 2;"
cp "$DB" "$T/v2.db"
for c in "labels show Heist Inc" "labels list" "labels count" "labels list --category theft"; do
    set +e
    if [ "$c" = "labels show Heist Inc" ]; then
        "$CW_BIN" labels show "Heist Inc" --db "$DB" --json > "$T/out" 2> "$T/err"
    else
        $CW_BIN $c --db "$DB" > "$T/out" 2> "$T/err"
    fi
    rc=$?
    set -e
    check_eq "'$c' on version 2: exit 0" "$rc" 0
    check "'$c' on version 2: the store's bytes unchanged" cmp -s "$DB" "$T/v2.db"
    check_eq "'$c' on version 2: no -wal or -shm file" "$(ls "$T" | grep -c 'l\.db-')" 0
done
check_eq "read commands: still version 2" "$(version "$DB")" 2
check_eq "read commands: no label_by_entity" "$(has_index "$DB")" 0
check_eq "show ENTITY on version 2: the same labels" \
    "$("$CW_BIN" labels show "Heist Inc" --db "$DB" --json | jq -S 'del(.store)')" "$(cat "$T/new.json")"

# a writing command migrates it
"$CW_BIN" labels import csv "$T/a.csv" --db "$DB" > "$T/out"
check "import of the same file: unchanged" grep -q "unchanged" "$T/out"
check_eq "after a writing command: version 3" "$(version "$DB")" 3
check_eq "after a writing command: label_by_entity" "$(has_index "$DB")" 1
check_eq "show ENTITY after the migration: the same labels" \
    "$("$CW_BIN" labels show "Heist Inc" --db "$DB" --json | jq -S 'del(.store)')" "$(cat "$T/new.json")"
check_eq "labels count: 3 labels" "$("$CW_BIN" labels count --db "$DB" --json | jq .labels)" 3
finish
