#!/usr/bin/env bash
# anvil_heist.sh: a heist on a real node, traced from what `ingest evm --rpc` read (issue 13,
# "Anvil end to end"). tests/evm/anvil_heist.mjs scripts it on Foundry's anvil with plain
# JSON-RPC: a hot wallet drained of 500 ETH and 1,000,000 TUSD; the thief swaps 600,000 TUSD
# for ETH through a deployed constant-product pool (tests/evm/contracts/Pool.sol: transferFrom
# in, ETH out by an internal call, in one tx), deposits the other 400,000 TUSD at an exchange
# deposit address, fans the ETH out to six fresh addresses, runs hops (one through a forwarder
# contract, one through an address that held clean ETH), and deposits at deposit addresses of
# two exchanges that sweep to their hot wallets (labelled `exchange` by a labels import, as an
# investigator would). The script writes what a correct trace finds, computed from the values it
# sent and the receipts' gas, never from chainwatch. Checked here: forward FIFO and haircut from
# the two theft txs give exactly those amounts per exchange and asset (poison: the reach, whole
# movements); the swap converts at the pool's executed rate; the deposit addresses are recognised as such with their hot wallets;
# what the thief's addresses still hold is the node's balance; the honest trader who swapped at
# the same pool after the heist is not named; `screen` on the deposit addresses reports the
# theft exposure (shares computed from the amounts sent).
# The same trace from a store read with debug_traceBlockByNumber (callTracer) gives the same ends.
# Skips (77) when anvil or solc (npm, scripts/web-build.sh) or node is not installed.
. "$(dirname "$0")/../lib/cli.sh"
. "$(dirname "$0")/../lib/anvil.sh"
trap 'kill $APID 2>/dev/null; rm -rf "$T"' EXIT

check "the heist is scripted on the node" node "$SRC/tests/evm/anvil_heist.mjs" "$URL" "$T/state.json"
st() { jq -r "$1" "$T/state.json"; }
S="$T/store"
check "ingest evm --rpc (trace_block)" "$CW_BIN" ingest evm --rpc "$URL" --store "$S" --chain dev --quiet
TIP=$(printf '%d' "$(rpc eth_blockNumber '[]' | jq -r .result)")
check_eq "the store holds the node's chain" "$("$CW_BIN" block "$TIP" --store "$S" --json | jq -r .hash)" \
    "$(rpc eth_getBlockByNumber "[\"$(printf 0x%x "$TIP")\",false]" | jq -r .result.hash)"

# the investigator's labels: the two exchanges' hot wallets, and the thief once known
printf 'address,entity,category,asset\n%s,Exchange A,exchange,ETH\n%s,Exchange B,exchange,ETH\n%s,anvil heist thief,theft,ETH\n' \
    "$(st .hot_a)" "$(st .hot_b)" "$(st .thief)" > "$T/labels.csv"
check "labels import" "$CW_BIN" labels import csv "$T/labels.csv" --db "$T/labels.db" --quiet

FROM=(--from "$(st .txs.drain_eth)" --from "$(st .txs.drain_token)")
"$CW_BIN" trace --store "$S" "${FROM[@]}" --labels "$T/labels.db" --json > "$T/fifo.json"
"$CW_BIN" trace --store "$S" "${FROM[@]}" --labels "$T/labels.db" --model haircut --json > "$T/haircut.json"
"$CW_BIN" trace --store "$S" "${FROM[@]}" --labels "$T/labels.db" --model poison --json > "$T/poison.json"
TUSD=$(st .token)
# the sum of exchange ends per hot wallet (the deposit address's collector) and asset
# (ETH, or the token's contract)
per_exchange() { # FILE HOT ASSET
    /usr/bin/python3 - "$1" "$2" "$3" <<'PY'
import json, sys
j = json.load(open(sys.argv[1])); hot, asset = sys.argv[2], sys.argv[3]
tot = 0
for e in j["ends"]:
    if e["kind"] != "exchange" or (e.get("recognised") or {}).get("collector") != hot:
        continue
    a = e["asset"]
    if (asset == "ETH" and a["id"] == 0) or a.get("contract") == asset:
        tot += int(e["amount"])
print(tot)
PY
}
for model in fifo haircut poison; do
    check_eq "$model: ETH at exchange A (3 deposits, 2 deposit addresses)" \
        "$(per_exchange "$T/$model.json" "$(st .hot_a)" ETH)" "$(st ".expect.$model.A.ETH")"
    check_eq "$model: ETH at exchange B (through the forwarder's internal call)" \
        "$(per_exchange "$T/$model.json" "$(st .hot_b)" ETH)" "$(st ".expect.$model.B.ETH")"
    check_eq "$model: TUSD at exchange B" \
        "$(per_exchange "$T/$model.json" "$(st .hot_b)" "$TUSD")" "$(st ".expect.$model.B.TUSD")"
    check_eq "$model: no TUSD at exchange A" "$(per_exchange "$T/$model.json" "$(st .hot_a)" "$TUSD")" 0
    check_eq "$model: sourced 500 ETH and 1,000,000 TUSD" \
        "$(jq -r '[.totals[] | select(.sourced != "0") | .sourced] | join(",")' "$T/$model.json")" \
        "500000000000000000000,1000000000000"
done
# the token's metadata, read over RPC (eth_call symbol() and decimals() at its first Transfer)
check_eq "the token is named TUSD with 6 decimals" \
    "$(jq -r --arg t "$TUSD" '[.ends[] | select(.asset.contract == $t) | .asset | "\(.symbol) \(.decimals)"] | unique | join(",")' "$T/fifo.json")" "TUSD 6"
# per deposit address (FIFO), each recognised with its hot wallet, none probable in amount
for d in $(st '.expect.deposit_fifo | keys[]'); do
    check_eq "fifo: deposit address $d receives the expected amount" \
        "$(jq -r --arg d "$d" '[.ends[] | select(.address == $d and .kind == "exchange") | .amount] | join(",")' "$T/fifo.json")" \
        "$(st ".expect.deposit_fifo[\"$d\"]")"
done
for k in a1 a2 b_eth b_token; do
    d=$(st ".thief_deposits.$k")
    hot=$(st "if \"$k\" | startswith(\"a\") then .hot_a else .hot_b end")
    check_eq "deposit address $k recognised as a deposit address of its exchange's hot wallet" \
        "$(jq -r --arg d "$d" '.ends[] | select(.address == $d) | .recognised | [.as, .collector] | join(" ")' "$T/fifo.json")" \
        "exchange deposit address $hot"
done
# the swap: 600,000 TUSD in, the pool's constant-product output out, all of it stolen
check_eq "the swap converts at the executed rate (TUSD in, ETH out, all tainted)" \
    "$(jq -r --arg tx "$(st .txs.swap)" '.conversions[] | select(.tx == $tx) | [.account, .venue, .tainted_in, .gained, .tainted_out, .probable] | join(" ")' "$T/fifo.json")" \
    "$(st .thief) $(st .pool) $(st .swap.token_in) $(st .swap.eth_out) $(st .swap.eth_out) false"
# what the thief's addresses still hold (FIFO): the node's balances (stolen funds only), and
# 44 ETH - fee at the hop that held 5 clean ETH
for a in $(st '.expect.held_fifo | keys[]'); do
    check_eq "fifo: $a holds the expected stolen ETH" \
        "$(jq -r --arg a "$a" '[.ends[] | select(.address == $a and .kind == "held") | .amount] | join(",")' "$T/fifo.json")" \
        "$(st ".expect.held_fifo[\"$a\"]")"
done
check_eq "fifo: gas paid from stolen ETH is counted as fees" \
    "$(jq -r '.totals[] | select(.asset.id == 0) | .fees' "$T/fifo.json")" "$(st .expect.fees_fifo)"
# nothing else is named: every end is a deposit address or one of the thief's holdings
NAMED=$(jq -r '[.ends[].address] | unique | .[]' "$T/fifo.json" | sort | tr '\n' ' ')
WANT=$( (st '.expect.deposit_fifo | keys[]'; st '.expect.held_fifo | keys[]') | sort -u | tr '\n' ' ')
check_eq "no other account is named (not the honest trader, the pool, the hot wallets)" "$NAMED" "$WANT"
check_eq "the honest trader's later swap at the same pool carries no taint" \
    "$(jq -r --arg u "$(st .honest_trader)" --arg tx "$(st .txs.late_swap)" '[.conversions[] | select(.tx == $tx or .account == $u)] | length' "$T/fifo.json")" 0
check_eq "one conversion: the thief's swap" "$(jq -r '[.conversions[].tx] | join(",")' "$T/fifo.json")" "$(st .txs.swap)"
# the same trace from a store read with debug_traceBlockByNumber (callTracer) instead
check "ingest evm --rpc --traces debug" "$CW_BIN" ingest evm --rpc "$URL" --store "$T/store2" --chain dev --traces debug --quiet
"$CW_BIN" trace --store "$T/store2" "${FROM[@]}" --labels "$T/labels.db" --json > "$T/fifo2.json"
ENDS='[.ends[] | [.address, .kind, .asset.symbol, .amount, .hops, (.path | join(" "))] | join(" ")] | sort | join(";")'
check_eq "callTracer store: the same ends, amounts and paths" "$(jq -r "$ENDS" "$T/fifo2.json")" "$(jq -r "$ENDS" "$T/fifo.json")"
check_eq "the evidence path of DA_T2: drain -> fan-out -> F4 -> H4 -> deposit" \
    "$(jq -r --arg d "$(st .thief_deposits.a2)" '.ends[] | select(.address == $d) | .path | length' "$T/fifo.json")" 4

# screening the deposit addresses (haircut backwards to the labelled thief)
"$CW_BIN" screen "$(st .thief_deposits.a2)" "$(st .thief_deposits.b_token)" "$(st .thief_deposits.a1)" \
    --store "$S" --labels "$T/labels.db" --json > "$T/screen.json"
share() { # ADDR ASSET(ETH|contract) direct|indirect
    jq -r --arg a "$1" --arg s "$2" --arg k "$3" '.results[] | select(.address == $a) | .assets[] | select(.asset == $s) | .exposure.theft[$k] // 0' "$T/screen.json"
}
near() { /usr/bin/python3 -c "import sys; sys.exit(0 if abs(float(sys.argv[1]) - float(sys.argv[2])) < 1e-9 else 1)" "$1" "$2"; }
# DA_T2 received 40 ETH from H4, which had received 5 clean ETH and then 79 from F4 (all the thief's)
check "screen DA_T2: 79/84 indirect theft" near "$(share "$(st .thief_deposits.a2)" ETH indirect)" "$(/usr/bin/python3 -c 'print(79/84)')"
check "screen DA_T1: all of it indirect theft (two hops each)" near "$(share "$(st .thief_deposits.a1)" ETH indirect)" 1
check "screen DB_T: its TUSD is direct theft" near "$(share "$(st .thief_deposits.b_token)" TUSD direct)" 1
check_eq "all three deposit addresses flagged" "$(jq -c '[.results[] | .flagged]' "$T/screen.json")" "[true,true,true]"
finish
