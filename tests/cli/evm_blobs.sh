#!/usr/bin/env bash
# evm_blobs.sh: a post-Dencun chain as ethereum-etl's current exporters write it
# (tests/cli/evm/dencun_world.py, independent of `gen evm`: blob_gas_used, excess_blob_gas,
# withdrawals in blocks; max_fee_per_blob_gas, blob_versioned_hashes in transactions; l1_* and
# blob_gas_price, blob_gas_used in receipts). Type-3 txs pay their blob fee (blob gas x blob gas
# price, EIP-4844), burnt whatever the status: a fee_burnt movement at position 1
# (docs/STORE-FORMAT.md "Value movements"). Every account's balance per asset equals the
# independent recomputation from the CSVs alone (tests/cli/evm/balances.py, which has the rule
# from the EIP); main's build, without blob fees, disagreed on 9 of 22 accounts. The same chain
# in BigQuery's layout (receipt_blob_gas_used, receipt_blob_gas_price in transactions) gives the
# same store bytes.
source "$(dirname "$0")/../lib/cli.sh"
H=$(dirname "$0")/evm
python3 "$H/dencun_world.py" "$T/w" 30 1
"$CW_BIN" ingest evm --csv "$T/w" --store "$T/s" --quiet > /dev/null 2> "$T/err" || bad "ingest: $(cat "$T/err")"
"$CW_BIN" check --store "$T/s" --json > "$T/check.json" || bad "check: $(cat "$T/check.json")"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["balances_checked"] and d["problems"] == 0, d' "$T/check.json" && ok "complete store: balances checked, none below zero" || bad "balances not checked"

python3 "$H/balances.py" "$T/w" > "$T/want.json"
python3 "$H/balances_equal.py" "$T/want.json" "$T/s" "$CW_BIN" 20 && ok "every account's balance per asset equals the independent recomputation (blob fees burnt)" || bad "balances differ"

# each type-3 tx: one blob fee movement, sender to nobody, exactly blob_gas_used x blob_gas_price
# (above 2^64 wei for some), also when the tx failed; other txs have none
python3 - "$T/w" "$T/s" "$CW_BIN" <<'PY' && ok "each blob tx burns blob_gas_used x blob_gas_price, failed ones too, wide amounts exact" || bad "blob fee movements"
import csv, json, subprocess, sys
d, s, cw = sys.argv[1:]
rec = {r["transaction_hash"]: r for r in csv.DictReader(open(f"{d}/receipts.csv"))}
seen = {"failed": 0, "wide": 0, "plain": 0}
for t in csv.DictReader(open(f"{d}/transactions.csv")):
    r = rec[t["hash"]]
    j = json.loads(subprocess.check_output([cw, "tx", t["hash"], "--store", s, "--json"]))
    blob = [m for m in j["movements"] if m.get("blob")]
    if t["transaction_type"] != "3":
        assert not blob, (t["hash"], blob)
        seen["plain"] += 1
        continue
    want = int(r["blob_gas_used"]) * int(r["blob_gas_price"])
    assert len(blob) == 1, (t["hash"], j["movements"])
    m = blob[0]
    assert m["kind"] == "fee_burnt" and m["to"] is None and m["from"] == t["from_address"], m
    assert int(m["amount"]) == want and int(j["blob_fee"]) == want, (m["amount"], j.get("blob_fee"), want)
    seen["failed"] += r["status"] == "0"
    seen["wide"] += want >= 2**64
assert seen["failed"] >= 3 and seen["wide"] >= 3 and seen["plain"] >= 30, seen
PY
# tx (text) says it
bh=$(awk -F, '$15 == 3 { print $1; exit }' "$T/w/transactions.csv")
"$CW_BIN" tx "$bh" --store "$T/s" > "$T/tx.txt"
check "tx (text): the blob fee line" grep -Eq "^  blob fee [0-9]+ wei \(EIP-4844, burnt\)$" "$T/tx.txt"
check "tx (text): the movement marked as the blob fee" grep -Eq "^    fee_burnt .* -> \(none\)  \(blob fee\)$" "$T/tx.txt"
# amounts are scaled by the asset's decimals: a fee in wei is printed as ETH, exactly (before,
# "fee_burnt 400000 ETH" printed wei beside the symbol)
check "tx (text): movements in ETH scaled by 18 decimals, never wei beside the symbol" \
    grep -Eq "^    fee_burnt +0\.[0-9]+ ETH  " "$T/tx.txt"
check "tx (text): no movement prints base units beside ETH" \
    bash -c "! grep -Eq '^    [a-z_0-9]+ +[0-9]+ ETH  ' '$T/tx.txt'"
# block --json: burnt_fees counts the blob fees with the base fees
python3 - "$T/w" "$T/s" "$CW_BIN" <<'PY' && ok "block burnt_fees = base fee x gas used + blob fees" || bad "block burnt_fees"
import csv, json, subprocess, sys
d, s, cw = sys.argv[1:]
blocks = {r["number"]: r for r in csv.DictReader(open(f"{d}/blocks.csv"))}
rec = {r["transaction_hash"]: r for r in csv.DictReader(open(f"{d}/receipts.csv"))}
want = {}
for t in csv.DictReader(open(f"{d}/transactions.csv")):
    r = rec[t["hash"]]
    w = int(r["gas_used"]) * int(blocks[t["block_number"]]["base_fee_per_gas"])
    if r["blob_gas_used"]:
        w += int(r["blob_gas_used"]) * int(r["blob_gas_price"])
    want[t["block_number"]] = want.get(t["block_number"], 0) + w
for n in ("1", "7", "29"):
    j = json.loads(subprocess.check_output([cw, "block", n, "--store", s, "--json"]))
    assert int(j["burnt_fees"]) == want[n], (n, j["burnt_fees"], want[n])
PY

# BigQuery's layout: the receipt's columns in transactions as receipt_*, blob ones included
python3 - "$T/w" "$T/bq" <<'PY'
import csv, os, shutil, sys
src, dst = sys.argv[1], sys.argv[2]
shutil.copytree(src, dst)
os.remove(f"{dst}/receipts.csv")
rec = {r["transaction_hash"]: r for r in csv.DictReader(open(f"{src}/receipts.csv"))}
txs = list(csv.DictReader(open(f"{src}/transactions.csv")))
for t in txs:
    for k, v in rec[t["hash"]].items():
        if k not in ("transaction_hash", "transaction_index", "block_hash", "block_number"):
            t["receipt_" + k] = v
with open(f"{dst}/transactions.csv", "w", newline="") as f:
    w = csv.DictWriter(f, list(txs[0].keys()), lineterminator="\n")
    w.writeheader()
    w.writerows(txs)
PY
"$CW_BIN" ingest evm --csv "$T/bq" --store "$T/s_bq" --quiet > /dev/null 2> "$T/err" || bad "bq: ingest failed: $(cat "$T/err")"
check_eq "BigQuery layout (receipt_blob_gas_*): the same store bytes" "$(store_digest "$T/s_bq")" "$(store_digest "$T/s")"
finish
