#!/usr/bin/env bash
# The alert listing under load (issue 15): its totals come from one aggregate query grouped by
# marking, and each worker caches its serialised answer while the database's data_version
# holds. This checks that neither can show the wrong thing:
#   - totals and totals by severity equal what the caller may see, per organisation (TLP);
#   - the same URL asked by two organisations gets each its own answer (the cache key);
#   - an alert raised by another process, and a status change through the API, show up in the
#     very next listing (the cache is dropped by any commit);
#   - every request is still audited when it is answered from the cache.
source "$(dirname "$0")/../lib/cli.sh"
DB="$T/node.db"
"$CW_BIN" node init --db "$DB" --name USA > /dev/null
K_USA=$("$CW_BIN" keys add usa1 --role analyst --db "$DB")
K_KOR=$("$CW_BIN" keys add kor1 --role analyst --org KOR --db "$DB")
raise() { "$CW_BIN" alerts raise --db "$DB" --kind cache-test "$@" > /dev/null; }
for i in 1 2 3; do raise --title "green $i" --tlp green --severity high; done
for i in 1 2; do raise --title "red $i" --tlp red --severity critical; done
raise --title "amber for KOR" --tlp amber --share-to KOR --severity low
raise --title "amber for JPN" --tlp amber --share-to JPN --severity low
"$CW_BIN" serve --db "$DB" --listen 127.0.0.1:0 --ready-file "$T/ready" 2> "$T/log" &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 100); do [ -s "$T/ready" ] && break; sleep 0.1; done
[ -s "$T/ready" ] || { cat "$T/log"; exit 1; }
U="http://$(cat "$T/ready")/api/v1"
get() { curl -s -H "Authorization: Bearer $1" "$U/$2"; }

# Ask each URL several times, so that both workers have cached it.
for _ in 1 2 3 4; do
    a=$(get "$K_USA" "alerts?limit=2")
    b=$(get "$K_KOR" "alerts?limit=2")
done
check_eq "USA (the node's org) sees all 7" "$(jq .total <<<"$a")" 7
check_eq "USA by severity" "$(jq -c '.total_by_severity | to_entries | sort_by(.key) | from_entries' <<<"$a")" \
    '{"critical":2,"high":3,"low":2}'
check_eq "KOR sees green and its amber: 4" "$(jq .total <<<"$b")" 4
check_eq "KOR by severity" "$(jq -c '.total_by_severity | to_entries | sort_by(.key) | from_entries' <<<"$b")" \
    '{"high":3,"low":1}'
check_eq "KOR's page never holds a red or JPN's amber" \
    "$(get "$K_KOR" "alerts?limit=100" | jq '[.alerts[] | select(.tlp == "red" or .title == "amber for JPN")] | length')" 0
check_eq "KOR's listing: the visible titles" \
    "$(get "$K_KOR" "alerts?limit=100" | jq -c '[.alerts[].title] | sort')" \
    '["amber for KOR","green 1","green 2","green 3"]'

# A commit by another process (the CLI) is seen by the very next request on every worker.
raise --title "new from the CLI" --tlp green --severity medium
for _ in 1 2 3 4; do
    check_eq "the new alert is listed at once" "$(get "$K_USA" "alerts?limit=2" | jq -r '.alerts[0].title')" "new from the CLI"
done
check_eq "and counted" "$(get "$K_KOR" "alerts?limit=2" | jq .total)" 5

# A status change through the API (the writer thread's connection) likewise.
ID=$(get "$K_USA" "alerts?limit=1" | jq .alerts[0].id)
check_eq "acknowledge: 200" "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $K_USA" "$U/alerts/$ID/ack")" 200
for _ in 1 2 3 4; do
    check_eq "the acknowledgement is listed at once" "$(get "$K_USA" "alerts?limit=1" | jq -r '.alerts[0].status')" acknowledged
done
check_eq "status filter counts it" "$(get "$K_USA" "alerts?status=acknowledged&limit=5" | jq .total)" 1

# Cached answers are audited like any other.
# (identical reads of one group commit are one entry: "N identical reads, the first at ...")
n_reads() { "$CW_BIN" audit list --db "$DB" --action http.read --limit 100000 --json |
    jq '[.[] | ((.detail // "") | capture("(?<n>[0-9]+) identical reads, the first at") | .n | tonumber) // 1] | add // 0'; }
sleep 0.5
before=$(n_reads)
for _ in $(seq 10); do get "$K_USA" "alerts?limit=2" > /dev/null; done
sleep 0.5 # the background thread commits the audit queue every 100 ms
after=$(n_reads)
check "10 more reads audited ($before -> $after)" test "$after" -ge $((before + 10))
finish
