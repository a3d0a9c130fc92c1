#!/usr/bin/env python3
"""An independent recomputation of every account's balance per asset from ethereum-etl CSVs
alone (the rules of docs/STORE-FORMAT.md "EVM stores", written again in Python without the
store's code): balances.py CSVDIR -> JSON {address: {asset: balance}} where asset is "native" or
the token address. Genesis/reward traces mint; successful txs move their value; every tx with a
receipt pays gas_used x effective_gas_price (base fee part burnt, the rest to the miner);
successful internal calls (call_type call, trace_address non-empty), internal creations
(trace_type create: the endowment to the new contract) and SELFDESTRUCT payouts (trace_type
suicide: the contract's balance to its beneficiary) move value; ERC-20 Transfer
logs (3 topics, 32-byte data) and WETH9 Deposit/Withdrawal move tokens. A successful contract
creation (empty to_address) moves its value to the receipt's contract_address. EIP-4844: a type-3
tx's sender also pays its blob gas (131072 per versioned hash, which the receipt's blob_gas_used
must equal) x the receipt's blob_gas_price, whatever the tx's status, and all of it is burnt.
Withdrawals (EIP-4895; ethereum-etl writes them as comma-joined JSON objects) credit amount gwei
x 10^9 to their address."""
import csv, json, os, sys
from collections import defaultdict

d = sys.argv[1]
rd = lambda k: list(csv.DictReader(open(os.path.join(d, k + ".csv")))) if os.path.exists(os.path.join(d, k + ".csv")) else []
TRANSFER = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
DEPOSIT = "0xe1fffcc4923d04b559f4d29a8bfc6cda04eb5b0d3c460751c2402c5c5cc9109c"
WITHDRAWAL = "0x7fcf532c15f0a6db0bd6d0e038bea71d30d808c7d98cb3bf7268a95bf5081b65"
WETH = "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"
ZERO = "0x" + "0" * 40
bal = defaultdict(lambda: defaultdict(int))
blocks = {int(b["number"]): b for b in rd("blocks")}
receipts = {r["transaction_hash"]: r for r in rd("receipts")}
status = {}
for t in rd("transactions"):
    r = receipts[t["hash"]]
    b = blocks[int(t["block_number"])]
    fee = int(r["gas_used"]) * int(r["effective_gas_price"])
    bal[t["from_address"]]["native"] -= fee
    burnt = int(r["gas_used"]) * int(b["base_fee_per_gas"] or 0)
    bal[b["miner"]]["native"] += fee - burnt
    if r.get("blob_gas_used"):
        hashes = [h for h in t.get("blob_versioned_hashes", "").split(",") if h]
        assert int(r["blob_gas_used"]) == 131072 * len(hashes), (t["hash"], r["blob_gas_used"], hashes)
        bal[t["from_address"]]["native"] -= int(r["blob_gas_used"]) * int(r["blob_gas_price"])
    status[t["hash"]] = r["status"] == "1"
    to = t["to_address"] or r["contract_address"]
    if r["status"] == "1" and to:
        v = int(t["value"])
        bal[t["from_address"]]["native"] -= v
        bal[to]["native"] += v
for b in blocks.values():  # EIP-4895 withdrawals: gwei, credited from nobody
    for w in json.loads("[" + (b.get("withdrawals") or "") + "]"):
        bal[w["address"]]["native"] += int(w["amount"]) * 10**9
for tr in rd("traces"):
    v = int(tr["value"] or 0)
    if tr["status"] != "1" or v == 0:
        continue
    if tr["trace_type"] in ("genesis", "reward"):
        bal[tr["to_address"]]["native"] += v
    elif tr["trace_address"] != "" and (tr["trace_type"] == "call" and tr["call_type"] == "call" or
                                        tr["trace_type"] in ("create", "suicide")):
        # an internal call, an internal creation's endowment (the created contract's address
        # in to_address), a SELFDESTRUCT's payout of the contract's balance to its beneficiary
        bal[tr["from_address"]]["native"] -= v
        bal[tr["to_address"]]["native"] += v
for l in rd("logs"):
    if not status[l["transaction_hash"]]:
        continue
    topics = l["topics"].split(",") if l["topics"] else []
    data = l["data"][2:]
    if topics and topics[0] == TRANSFER and len(topics) == 3 and len(data) >= 64:
        v = int(data[:64], 16)
        f, t = "0x" + topics[1][-40:], "0x" + topics[2][-40:]
        if f != ZERO:
            bal[f][l["address"]] -= v
        if t != ZERO:
            bal[t][l["address"]] += v
    elif topics and topics[0] in (DEPOSIT, WITHDRAWAL) and len(topics) == 2 and l["address"] == WETH and len(data) == 64:
        v = int(data, 16)
        who = "0x" + topics[1][-40:]
        bal[who][WETH] += v if topics[0] == DEPOSIT else -v
print(json.dumps({a: {k: str(v) for k, v in m.items() if v != 0} for a, m in bal.items()}, sort_keys=True))
