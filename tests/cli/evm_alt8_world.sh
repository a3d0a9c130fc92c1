#!/usr/bin/env bash
# A tenth outside EVM generator (tests/diff/evm_alt8_world.py, written from the public specs and
# docs of the shapes before reading the trace, screening or label code: docs/GEN.md "A tenth EVM
# world": where a swap's or a bridge's output is not paid from its input) on a small world. Checks:
#  - determinism: the same seed twice gives identical CSV and truth files;
#  - the world carries its shapes, honest and the thief's: Uniswap v4 swaps through the
#    PoolManager (Swap logs of the singleton, ERC-6909 claim mints and burns), CoW settlements
#    with the thief's order among honest ones (Trade logs), UniswapX fills by market makers (Fill),
#    ERC-7683 opens, Stargate sends and incoming payouts, Chainflip vault swaps to Bitcoin and
#    egress, shielded-pool shields and unshields; the thief's swaps paying another of its addresses;
#  - the store holds the generator's ledger (every 12th account);
#  - traced from each heist's drain txs (labels as xchain_labels.py gives them, --through-mixer,
#    tests/diff/evm_alt8_score.py): no false cash-out (precision 1) and every cash-out but those
#    after the ERC-6909 claims found; no honest person (user or market maker) named; the thief's
#    v4 swaps, CoW trades and UniswapX fills passed to the thief's own output, its receiver's
#    when the order names one (none to a co-trader, a filler or another swapper); every
#    Stargate, Chainflip and ERC-7683 deposit of the thief an end at the bridge, every
#    Stargate and ERC-7683 deposit an exit naming the destination chain and recipient (OFTSent's
#    endpoint id with the send call's SendParam.to; Open's maxSpent output), and every
#    THORChain and Chainflip deposit an exit naming its Bitcoin address (Chainflip's
#    `xSwapNative` carries it alone, as bytes);
#  - screening (every thief address labelled theft): no honest party of the counterpart groups
#    flagged theft but the market makers that filled the thief's orders.
# What main (stop 29) gets wrong is printed, not checked (the lead decides): the cash-outs after
# ERC-6909 claims taken in a later tx are missed (the swap's ETH ends at the PoolManager as "dust
# beside the account's own funds"); the market makers the thief's UniswapX orders paid are flagged theft, certain.
. "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:?}
PY=/usr/bin/python3
GEN="$SRC/tests/diff/evm_alt8_world.py"
$PY "$GEN" --out "$T/w" --seed 2 --txs 4000 > /dev/null
$PY "$GEN" --out "$T/d2" --seed 2 --txs 4000 > /dev/null
check "the same seed gives the same world" diff -r "$T/w" "$T/d2"
rm -rf "$T/d2"
check "the world carries its shapes, honest and the thief's" $PY - "$T/w" <<'PY'
import csv, json, sys
from collections import Counter
w = sys.argv[1]
wj = json.load(open(w + "/truth/world.json"))["contracts"]
topic = lambda r: r["topics"].split(",")[0]
logs = list(csv.DictReader(open(w + "/logs.csv")))
by = Counter((r["address"], topic(r)) for r in logs)
em = Counter(r["address"] for r in logs)
rows = list(csv.DictReader(open(w + "/truth/shapes.csv")))
sh = Counter((r["shape"], bool(r["heist"])) for r in rows)
cl = Counter(r["kind"] for r in csv.DictReader(open(w + "/truth/claims.csv")))
n = {k + ("/thief" if t else ""): v for (k, t), v in sh.items()}
n.update(pm_logs=em[wj["pool_manager"]], cow_logs=em[wj["cow_settlement"]], fill_logs=em[wj["uniswapx_reactor"]],
         claim_mints=cl["mint"], claim_takes=cl["burn_take"],
         thief_swaps_paying_another=sum(1 for r in rows if r["heist"] and r["shape"] in ("v4_swap", "cow_trade", "x_fill")
                                        and r["recipient"] != r["from_address"]))
print(sorted(n.items()))
need = ["v4_swap", "v4_swap/thief", "v4_claim_mint/thief", "v4_claim_take/thief", "cow_trade", "cow_trade/thief",
        "x_fill", "x_fill/thief", "intent_open", "intent_open/thief", "intent_fill_here", "intent_refund",
        "stargate_send", "stargate_send/thief", "stargate_receive", "stargate_redeem", "chainflip_swap",
        "chainflip_swap/thief", "chainflip_egress", "railgun_shield", "railgun_shield/thief", "railgun_unshield",
        "railgun_unshield/thief", "pm_logs", "cow_logs", "fill_logs", "claim_mints", "claim_takes",
        "thief_swaps_paying_another"]
assert all(n.get(k, 0) > 0 for k in need), [k for k in need if not n.get(k)]
PY
"$CW_BIN" ingest evm --csv "$T/w" --store "$T/s" --chain ethereum --quiet > /dev/null
$PY - "$T/w" > "$T/want.csv" <<'PY'
import csv, sys
w = sys.argv[1]
want = {(r["address"], r["asset"]): r["balance"] for r in csv.DictReader(open(w + "/truth/balances.csv"))}
want.update({(r["address"], r["collection"]): r["items"] for r in csv.DictReader(open(w + "/truth/nft_items.csv"))})
print("address,asset,balance")
for (a, t), v in sorted(want.items()):
    print(f"{a},{t},{v}")
PY
check "the store's balances equal the ledger's (every 12th account)" \
    $PY "$SRC/tests/cli/evm/balances_equal.py" "$T/want.csv" "$T/s" "$CW_BIN" 0 --every 12 --min-accounts 40
"$PY" "$SRC/tests/diff/xchain_labels.py" "$T/w/truth/addresses.csv" > "$T/l.csv"
"$CW_BIN" labels import csv "$T/l.csv" --db "$T/l.db" > /dev/null
for h in 0 1; do
    args=()
    for t in $(jq -r ".[$h].drain_txs[]" "$T/w/truth/heists.json"); do args+=(--from "$t"); done
    "$CW_BIN" trace --store "$T/s" --labels "$T/l.db" "${args[@]}" --through-mixer --json > "$T/t$h.json"
done
$PY - "$T/w" > "$T/scr.txt" <<'PY'
import csv, sys
for a in sorted({r["address"] for r in csv.DictReader(open(sys.argv[1] + "/truth/counterparts.csv"))}):
    print(a)
PY
{ cat "$T/l.csv"; tr -d '\r' < "$T/w/truth/addresses.csv" | awk -F, '$5 == "thief" { print $1 ",lazarus,theft,ETH" }'; } \
    > "$T/scrl.csv"
"$CW_BIN" labels import csv "$T/scrl.csv" --db "$T/scrl.db" > /dev/null
"$CW_BIN" screen --file "$T/scr.txt" --store "$T/s" --labels "$T/scrl.db" --json > "$T/screen.json"
$PY "$SRC/tests/diff/evm_alt8_score.py" "$T/w" "$T/t0.json" "$T/t1.json" --screen "$T/screen.json" --list 4 > "$T/sc.txt"
cat "$T/sc.txt"
J() { $PY -c "import json, sys; j = json.loads([l for l in open('$T/sc.txt') if l.startswith('JSON ')][0][5:]); $1"; }
check "no false cash-out in either heist (precision 1)" J "assert all(j[h + '_cash'][0] == j[h + '_cash'][2] > 0 for h in ('h1', 'h2')), j"
check "every cash-out found but those after ERC-6909 claims" $PY - "$T/w" "$T/sc.txt" <<'PY'
import csv, json, sys
w, sc = sys.argv[1:]
j = json.loads([l for l in open(sc) if l.startswith("JSON ")][0][5:])
to = {}
for r in csv.DictReader(open(w + "/truth/heist_flows.csv")):
    if r["kind"] == "v4_claim_take":
        to[r["to_address"]] = r["heist"]
cash = list(csv.DictReader(open(w + "/truth/cash_outs.csv")))
for h in ("h1", "h2"):
    after = sum(1 for r in cash if r["heist"] == h and r["from_address"] in to)
    print(h, j[h + "_cash"], "after claims", after)
    assert j[h + "_cash"][0] >= j[h + "_cash"][1] - after, (h, j[h + "_cash"], after)
PY
check "no honest person (user or market maker) named by the traces" J "assert j['named'] == 0, j"
check "the thief's v4 swaps, CoW trades and UniswapX fills pass to its own output, none elsewhere" \
    J "s = [j[h + '_shapes'].get(k, {}) for h in ('h1', 'h2') for k in ('v4_swap', 'cow_trade', 'x_fill')]; assert all(set(x) <= {'passes', 'passes-probable'} and x for x in s), s"
check "every Stargate, Chainflip and ERC-7683 deposit of the thief ends at the bridge" \
    J "s = [j[h + '_shapes'].get(k, {}) for h in ('h1', 'h2') for k in ('stargate_send', 'chainflip_swap', 'intent_open')]; assert all(set(x) == {'stops'} for x in s), s"
check "every Stargate and ERC-7683 deposit of the thief an exit naming its destination chain and recipient" \
    $PY - "$T/w" "$T/t0.json" "$T/t1.json" <<'PY'
import csv, json, sys
w, *tj = sys.argv[1:]
# LayerZero v2 endpoint ids -> EVM chain ids (LayerZero's deployed-contracts table); others stay ids
LZ = {30101: 1, 30102: 56, 30106: 43114, 30109: 137, 30110: 42161, 30111: 10, 30184: 8453}
ex = {}
for f in tj:
    for e in json.load(open(f))["bridge_exits"]:
        ex.setdefault(e["tx"], []).append(e)
n = bad = 0
for r in csv.DictReader(open(w + "/truth/shapes.csv")):
    if not r["heist"] or r["shape"] not in ("stargate_send", "intent_open"):
        continue
    n += 1
    c = int(r["dest_chain"])
    if r["shape"] == "stargate_send":
        want = ("OFTSent", "eip155:%d" % LZ[c] if c in LZ else "layerzero:%d" % c, c)
    else:
        want = ("Open", "eip155:%d" % c, None)
    got = [(e.get("event"), e.get("chain"), e.get("layerzero_eid"), e.get("destination"))
           for e in ex.get(r["tx_hash"], [])]
    if not got or any(g != want + (r["dest_address"],) for g in got):
        bad += 1
        print("wrong", r["shape"], r["tx_hash"], want, r["dest_address"], got)
print("thief Stargate/ERC-7683 deposits", n, "named right", n - bad)
assert n > 0 and bad == 0
PY
check "every THORChain and Chainflip deposit of the thief an exit with its Bitcoin address" \
    J "assert all(j[h + '_btc_exits'][0] == j[h + '_btc_exits'][1] > 0 for h in ('h1', 'h2')), j"
check "screening flags no honest counterpart theft but the market makers that filled the thief's orders" \
    J "s = j['screen0']; assert all(v[1] == 0 for g, v in s.items() if g not in ('filler', 'filler_paid_by_thief', 'intent_filler_repaid')), s"
echo "what main gets wrong (not checked):"
grep -E "^h[12]:|v4_claim_mint|\[filler" "$T/sc.txt" | grep -v "^JSON" || true
finish
