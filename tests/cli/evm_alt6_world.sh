#!/usr/bin/env bash
# An eighth EVM generator (tests/diff/evm_alt6_world.py, written from issues 13-15 only, before
# reading the trace: docs/GEN.md "An eighth EVM world": the Bybit heist as reported, among honest
# look-alikes) on a small world. Checks:
#  - determinism: the same seed twice gives identical CSV and truth files;
#  - the world carries its shapes: the Safe's takeover (execTransaction delegatecalling a trojan,
#    ChangedMasterCopy) and the backdoor's sweeps (delegatecalls), 10-ETH addresses by plain
#    transfers and through the batch sender beside an equal 10-ETH airdrop through it, Curve-like
#    TokenExchange and V2 Swap, MEV sandwiches (a bot's trades before and after the thief's in its
#    block), THORChain Deposit memos, an instant exchange's order addresses swept to its hot
#    wallet, mixer notes, L2 deposits, TokenRebased, the thief's fake stETHx and zero-value
#    transferFroms;
#  - the store holds the generator's ledger (every 16th account);
#  - `check` names the rebasing token and the fake token below zero;
#  - traced from the drain txs (labels as xchain_labels.py gives them, --through-mixer): every
#    THORChain deposit of the thief is an exit with the memo's Bitcoin address and none is an honest
#    one, every L2 deposit ends at the bridge, every instant-exchange order is reached, no honest
#    withdrawal is linked, no honest person is named (tests/diff/evm_alt6_score.py), no ETH is left
#    at anything but the true ends and dust;
#  - screening every honest person (the drain recipient labelled theft) flags none; nor does it
#    with every thief address labelled theft (as published lists do), the fake-token poisoning's
#    victims included (main at stop 23 flagged each of them theft, certain: the fake token's
#    Transfers name a thief address as sender, which never held that token).
# What main misses is printed, not checked (the thief's idle ETH after unlinked mixer notes).
. "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:?}
PY=/usr/bin/python3
GEN="$SRC/tests/diff/evm_alt6_world.py"
$PY "$GEN" --out "$T/w" --seed 2 --txs 4000 > /dev/null
$PY "$GEN" --out "$T/d2" --seed 2 --txs 4000 > /dev/null
check "the same seed gives the same world" diff -r "$T/w" "$T/d2"
rm -rf "$T/d2"
check "the world carries its shapes" $PY - "$T/w" <<'PY'
import csv, json, sys
from collections import defaultdict
w = sys.argv[1]
rd = lambda k: list(csv.DictReader(open(f"{w}/{k}.csv")))
logs, txs, tr = rd("logs"), rd("transactions"), rd("traces")
cat = {r["address"]: r["category"] for r in csv.DictReader(open(w + "/truth/addresses.csv"))}
flows = list(csv.DictReader(open(w + "/truth/heist_flows.csv")))
hj = json.load(open(w + "/truth/heists.json"))[0]
wj = json.load(open(w + "/truth/world.json"))
t0 = lambda l: l["topics"].split(",")[0]
ev = lambda pre: sum(1 for l in logs if t0(l).startswith(pre))
drains = set(hj["drain_txs"])
take = {f["tx_hash"] for f in flows if f["kind"] == "takeover"}
disp = wj["contracts"]["batch_sender"]
ten = 10 * 10 ** 18
eq10 = defaultdict(lambda: defaultdict(int))  # batch tx -> equal 10-ETH payments
for r in tr:
    if r["from_address"] == disp and r["trace_address"] and int(r["value"]) == ten:
        eq10[r["transaction_hash"]][cat.get(r["to_address"])] += 1
thief_swaps = set(hj["thief_swap_txs"])
pos = {r["hash"]: (r["block_number"], int(r["transaction_index"]), r["from_address"]) for r in txs}
bot_tx = defaultdict(list)
for h, (b, i, f) in pos.items():
    if cat.get(f) == "mev_bot":
        bot_tx[b].append(i)
sandwich = sum(1 for h in thief_swaps if any(i < pos[h][1] for i in bot_tx[pos[h][0]])
               and any(i > pos[h][1] for i in bot_tx[pos[h][0]]))
swept = {r["from_address"] for r in txs if cat.get(r["from_address"]) == "instant_exchange_deposit"
         and cat.get(r["to_address"]) == "instant_exchange"}
fake = wj["contracts"]["fake_token"]
n = {
    "takeover delegatecall to the trojan": sum(1 for r in tr if r["transaction_hash"] in take and r["call_type"] == "delegatecall"),
    "ChangedMasterCopy": ev("0x75e41bc3"),
    "drains through the backdoor (delegatecall)": sum(1 for r in tr if r["transaction_hash"] in drains and r["call_type"] == "delegatecall"),
    "thief's 10-ETH batches": sum(1 for c in eq10.values() if c.get("thief", 0) >= 5),
    "honest equal 10-ETH airdrop batches": sum(1 for c in eq10.values() if c.get("user", 0) >= 5),
    "thief's 10-ETH plain transfers": sum(1 for f in flows if f["kind"] == "fan_out" and int(f["amount"]) == ten),
    "Curve TokenExchange": ev("0x8b3e96f2"), "V2 Swap": ev("0xd78ad95f"),
    "sandwiched thief swaps": sandwich,
    "THORChain memos of the thief": sum(1 for l in logs if t0(l).startswith("0xef519b7e") and l["transaction_hash"] in
                                        {f["tx_hash"] for f in flows if f["kind"] == "bridge"}),
    "instant exchange orders swept": len(swept),
    "mixer withdrawals": ev("0xe9e508ba"), "L2 deposits": ev("0x35d79ab8"), "TokenRebased": ev("0xff08c3ef"),
    "fake stETHx Transfers": sum(1 for l in logs if l["address"] == fake),
    "zero-value transferFrom": sum(1 for r in rd("token_transfers") if r["value"] == "0"),
}
print(n)
assert all(v > 0 for v in n.values()), n
PY
"$CW_BIN" ingest evm --csv "$T/w" --store "$T/s" --chain ethereum --quiet > /dev/null
check "the store's balances equal the ledger's (every 16th account)" \
    $PY "$SRC/tests/cli/evm/balances_equal.py" "$T/w/truth/balances.csv" "$T/s" "$CW_BIN" 0 --every 16 --min-accounts 40
"$CW_BIN" check --store "$T/s" --json > "$T/check.json"
check "check names the rebasing token and the fake token below zero" $PY - "$T/w" "$T/check.json" <<'PY'
import csv, json, sys
w, js = sys.argv[1:]
c = json.load(open(w + "/truth/world.json"))["contracts"]
neg = sum(1 for r in csv.DictReader(open(w + "/truth/rebasing.csv")) if int(r["logs_balance"]) < 0)
rows = {r["token"]: r["accounts_below_zero"] for r in json.load(open(js))["tokens_below_zero"]}
print(neg, "rebasing holders below zero in the ledger;", rows)
assert neg > 0 and rows.get(c["rebasing_token"]) == neg and rows.get(c["fake_token"], 0) > 0
PY
"$PY" "$SRC/tests/diff/xchain_labels.py" "$T/w/truth/addresses.csv" > "$T/l.csv"
"$CW_BIN" labels import csv "$T/l.csv" --db "$T/l.db" > /dev/null
args=()
for t in $(jq -r '.[0].drain_txs[]' "$T/w/truth/heists.json"); do args+=(--from "$t"); done
"$CW_BIN" trace --store "$T/s" --labels "$T/l.db" "${args[@]}" --through-mixer --json > "$T/t.json"
# screening: the drain recipient labelled theft, every honest person who transacted screened
{ cat "$T/l.csv"; jq -r '.[0].drain_recipient + ",lazarus,theft,ETH"' "$T/w/truth/heists.json"; } > "$T/scr.csv"
"$CW_BIN" labels import csv "$T/scr.csv" --db "$T/scr.db" > /dev/null
$PY - "$T/w" > "$T/scr.txt" <<'PY'
import csv, sys
w = sys.argv[1]
seen = set()
for k in ("transactions", "traces"):
    for r in csv.DictReader(open(f"{w}/{k}.csv")):
        seen |= {r["from_address"], r["to_address"]}
for r in csv.DictReader(open(w + "/truth/addresses.csv")):
    if r["category"] in ("user", "market_maker", "mev_bot", "mev_bot_contract", "airdrop_distributor") and r["address"] in seen:
        print(r["address"])
PY
"$CW_BIN" screen --file "$T/scr.txt" --store "$T/s" --labels "$T/scr.db" --json > "$T/screen.json"
$PY "$SRC/tests/diff/evm_alt6_score.py" "$T/w" "$T/t.json" --screen "$T/screen.json" --list 20 > "$T/sc.txt"
cat "$T/sc.txt"
J() { $PY -c "import json, sys; j = json.loads([l for l in open('$T/sc.txt') if l.startswith('JSON ')][0][5:]); $1"; }
check "every THORChain deposit of the thief is an exit with the memo's Bitcoin address; no honest exit" \
    J "assert j['exits_truth'] > 0 and j['exits_right'] == j['exits_truth'] and j['exits_honest'] == 0, j"
check "every L2 deposit ends at the bridge, every instant-exchange order is reached" \
    J "assert j['l2_pct'] == 100.0 and j['instant_pct'] == 100.0 and j['thor_pct'] == 100.0, j"
check "no honest mixer withdrawal linked" J "assert j['links'] > 0 and j['links_honest'] == 0, j"
check "no honest person named by the trace (certain or probable)" J "assert j['trace_named'] == 0, j"
check "no ETH left at anything but the true ends and dust" \
    $PY -c "import re; assert not [l for l in open('$T/sc.txt') if l.startswith('  elsewhere: ETH') and ' dust ' not in l]"
check "screening flags no honest person" J "assert j['screen_screened'] > 100 and j['screen_flagged'] == 0, j"
# screening again with every address of the thief's on this chain labelled theft (as the lists
# published after such a heist name them): the thief's fake stETHx, whose Transfers name a thief
# address as sender, sent to honest users (address poisoning) is no value of the thief's (main
# flagged every one of them theft, certain, share 1)
{ cat "$T/l.csv"; $PY - "$T/w" <<'PY'
import csv, sys
w = sys.argv[1]
cat = {r["address"]: r["category"] for r in csv.DictReader(open(w + "/truth/addresses.csv"))}
s = {a for r in csv.DictReader(open(w + "/truth/heist_flows.csv")) for a in (r["from_address"], r["to_address"])
     if cat.get(a) == "thief"}
print("".join(a + ",lazarus,theft,ETH\n" for a in sorted(s)), end="")
PY
} > "$T/pub.csv"
"$CW_BIN" labels import csv "$T/pub.csv" --db "$T/pub.db" > /dev/null
"$CW_BIN" screen --file "$T/scr.txt" --store "$T/s" --labels "$T/pub.db" --json > "$T/screen2.json"
$PY "$SRC/tests/diff/evm_alt6_score.py" "$T/w" "$T/t.json" --screen "$T/screen2.json" --list 20 > "$T/sc2.txt"
grep -E "FLAGGED|flagged" "$T/sc2.txt" | grep -v " 0 of " || true
check "screening with every thief address labelled: no honest person flagged, the fake token's victims among them" \
    $PY - "$T/w" "$T/sc2.txt" "$T/screen2.json" <<'PY'
import csv, json, re, sys
w, txt, js = sys.argv[1:]
j = json.loads([l for l in open(txt) if l.startswith("JSON ")][0][5:])
fake_victims = {r["address"] for r in csv.DictReader(open(w + "/truth/honest_exposed.csv")) if r["kind"] == "poison_fake_token"}
res = {r["address"]: r for r in json.load(open(js))["results"]}
assert fake_victims and fake_victims <= set(res), "the fake token's victims are screened"
print(len(fake_victims), "fake-token victims screened;", j["screen_flagged"], "honest persons flagged")
assert j["screen_flagged"] == 0, j
PY
finish
