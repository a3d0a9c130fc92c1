#!/usr/bin/env bash
# demo stage 90: the dashboard. Makes the front-end libraries servable (scripts/web-build.sh),
# makes sure the demo node ($OUT/node.db) exists with an analyst key, partner keys for KOR and
# JPN (the share preview's partners) and the heist alert (its
# evidence is the heist's path from a generated world's ground truth: the world of an earlier
# stage when there is one, else a small one made here), then starts `chainwatch serve` on
# 127.0.0.1:8080 in the background and prints the URL and the login key.
# Idempotent: a demo server started before (pid in $OUT/serve.pid) is stopped first; the node,
# the key and the alert are reused.
set -euo pipefail
LISTEN=${CW_DEMO_LISTEN:-127.0.0.1:8080}
DB="$OUT/node.db"
KEYFILE="$OUT/dashboard-key.txt"
PIDFILE="$OUT/serve.pid"

bash "$ROOT/scripts/web-build.sh"

# Stop the previous demo server, only if the pid is still a chainwatch serve on our database.
if [ -s "$PIDFILE" ]; then
    old=$(cat "$PIDFILE")
    if [ -r "/proc/$old/cmdline" ] && tr '\0' ' ' < "/proc/$old/cmdline" | grep -q "serve --db $DB"; then
        echo "stopping the previous demo server (pid $old)"
        kill "$old" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$old" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$PIDFILE"
fi

if [ ! -e "$DB" ]; then
    "$BIN" node init --db "$DB" --name USA >/dev/null
    rm -f "$KEYFILE"
fi
if [ ! -s "$KEYFILE" ]; then
    ( umask 077; "$BIN" keys add "demo-analyst-$(date +%s)" --role analyst --db "$DB" > "$KEYFILE" )
fi

# Partner keys for KOR and JPN (role peer): what each may pull from this node over TAXII is what
# an alert's share preview shows. The keys are in $OUT/partner-keys.txt (mode 600).
if ! "$BIN" keys list --db "$DB" | grep -q partner-KOR; then
    ( umask 077
      for org in KOR JPN; do
          printf '%s %s\n' "$org" "$("$BIN" keys add "partner-$org" --role peer --org "$org" --db "$DB")"
      done > "$OUT/partner-keys.txt" )
fi

if [ "$("$BIN" alerts list --db "$DB" --kind stolen-funds-at-exchange --status new --json | jq '.alerts | length')" = 0 ] &&
   [ "$("$BIN" alerts list --db "$DB" --kind stolen-funds-at-exchange --status acknowledged --json | jq '.alerts | length')" = 0 ]; then
    TRUTH="$OUT/world/truth/heists.json"  # the world of stage 10
    if [ ! -e "$TRUTH" ]; then
        "$BIN" gen --out "$OUT/web-world" --txs 20000 --seed 7 --quiet >/dev/null
        TRUTH="$OUT/web-world/truth/heists.json"
    fi
    if [ "$TRUTH" = "$OUT/world/truth/heists.json" ] && [ -e "$OUT/store/MANIFEST" ] &&
       [ -e "$OUT/world-labels.db" ] && "$BIN" trace --help >/dev/null 2>&1; then
        # the engine's FIFO trace of the heist (as stage 30), compacted to what the graph needs
        FROM=()
        for op in $(jq -r '.[0].stolen_outputs[].outpoint' "$TRUTH"); do FROM+=(--from "$op"); done
        "$BIN" trace "${FROM[@]}" --model fifo --store "$OUT/store" --labels "$OUT/world-labels.db" \
            --stop-at default --top 1000 --json |
            jq -c '{trace: {graph: [.graph[] | {txid, hop, coinjoin, inputs: [.inputs[] | {outpoint, traced}],
                    outputs: [.outputs[] | {address, outpoint, traced}]}],
                    by_address: [.by_address[] | select(.how | index("label")) | {address, entity, category}],
                    by_entity, options, sources}}' > "$OUT/heist-evidence.json"
        SRC_DESC="chainwatch trace --model fifo"
    fi
    # the evidence goes through a file (alerts raise --evidence-file): a trace graph can be
    # larger than one command-line argument (128 KiB)
    if [ ! -s "$OUT/heist-evidence.json" ] || [ -z "${SRC_DESC:-}" ]; then
        node "$ROOT/tests/e2e/lib/truth-trace.mjs" "$TRUTH" > "$OUT/heist-evidence.json"
        SRC_DESC="the world's ground truth"
    fi
    NAME=$(jq -r '.[0].name' "$TRUTH")
    N=$(jq '.[0].deposits_by_exchange | length' "$TRUTH")
    "$BIN" alerts raise --db "$DB" --kind stolen-funds-at-exchange --severity critical --tlp amber \
        --share-to KOR --title "Heist $NAME: stolen funds reached $N exchanges" \
        --explanation "The path from the theft to each exchange deposit ($SRC_DESC)." \
        --evidence-file "$OUT/heist-evidence.json" >/dev/null
    echo "raised the heist alert ($NAME; path from $SRC_DESC)"
fi

ARGS=()
[ -e "$OUT/store/MANIFEST" ] && ARGS+=(--store "$OUT/store")
[ -e "$OUT/labels.db" ] && ARGS+=(--labels "$OUT/labels.db")
# the EVM world of stage 27 with its own labels (its addresses are not the Bitcoin world's)
if [ -e "$OUT/evm/store/MANIFEST" ] && "$BIN" serve --help 2>&1 | grep -q -- --evm-labels; then
    ARGS+=(--evm-store "$OUT/evm/store")
    [ -e "$OUT/evm/labels.db" ] && ARGS+=(--evm-labels "$OUT/evm/labels.db")
fi
[ -e "$OUT/supply/supply.db" ] && ARGS+=(--supply-db "$OUT/supply/supply.db")
if "$BIN" serve --help 2>&1 | grep -q -- --web-root; then
    ARGS+=(--web-root "$ROOT/web")
else
    echo "note: this chainwatch has no 'serve --web-root' yet: only the API is served (see docs/DASHBOARD.md)"
fi
start_server() { # start_server ADDR: 0 when it answered with its ready file
    rm -f "$OUT/serve.ready"
    nohup "$BIN" serve --db "$DB" --listen "$1" --ready-file "$OUT/serve.ready" "${ARGS[@]}" \
        > "$OUT/serve.log" 2>&1 < /dev/null &
    echo $! > "$PIDFILE"
    # Wait while the server lives (its start loads the stores and label sets: seconds on a busy
    # machine); it exits at once when the address is taken, and only then is another tried.
    local pid; pid=$(cat "$PIDFILE")
    for _ in $(seq 1200); do [ -s "$OUT/serve.ready" ] && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if [ ! -s "$OUT/serve.ready" ] && kill -0 "$pid" 2>/dev/null; then
        echo "the server did not become ready in 120 s; stopping it" >&2
        kill "$pid" 2>/dev/null
        return 2
    fi
    [ -s "$OUT/serve.ready" ]
}
started=0; start_server "$LISTEN" || started=$?
if [ "$started" -ne 0 ]; then
    # the default port may be taken by another program on this machine: let the kernel choose
    if [ "$started" -eq 1 ] && [ -z "${CW_DEMO_LISTEN:-}" ] && start_server 127.0.0.1:0; then
        echo "note: $LISTEN was not available; the server listens on $(cat "$OUT/serve.ready") instead"
    else
        echo "the server did not start:" >&2
        cat "$OUT/serve.log" >&2
        rm -f "$PIDFILE"
        exit 1
    fi
fi
echo
echo "  dashboard:  http://$(cat "$OUT/serve.ready")/"
echo "  API key:    $(cat "$KEYFILE")   (role analyst; also in $KEYFILE)"
echo "  stop it:    kill $(cat "$PIDFILE")"
