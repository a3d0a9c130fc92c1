#!/usr/bin/python3
"""gen_check.py: checks a generated EVM world's ground truth (DIR/truth) against its CSVs.

    gen_check.py DIR

Independent of the generator's C code (Debian's python3, standard library only). Checks:
  * the CSVs: headers as ethereum-etl writes them; block numbers contiguous from 0 with parent
    hashes linked; transaction_count and the receipts per block; every log, trace and token
    transfer names a transaction of its block; log indexes run 0.. per block;
  * cash_outs.csv: each is a successful transaction from the thief address to the deposit
    address with that value, and addresses.csv names the deposit address as a deposit of that
    exchange owned for the thief;
  * bridge_deposits.csv: the transaction exists, succeeded, carries the memo (ABI string for the
    router, raw UTF-8 for the vault), and the memo names the BTC address;
  * mixer_links.csv: the deposit pays the pool its denomination; the withdrawal's internal call
    pays the recipient the denomination less the relayer fee (and the fee to the relayer);
  * heist_flows.csv: every transaction exists; heists.json's thief holdings at the tip equal the
    balances recomputed by balances.py for the thief's addresses.
Exits 1 with the first problems listed.
"""
import csv
import json
import os
import subprocess
import sys

HEADERS = {
    "blocks.csv": "number,hash,parent_hash,nonce,sha3_uncles,logs_bloom,transactions_root,state_root,receipts_root,miner,difficulty,total_difficulty,size,extra_data,gas_limit,gas_used,timestamp,transaction_count,base_fee_per_gas,withdrawals_root,withdrawals",
    "transactions.csv": "hash,nonce,block_hash,block_number,transaction_index,from_address,to_address,value,gas,gas_price,input,block_timestamp,max_fee_per_gas,max_priority_fee_per_gas,transaction_type",
    "receipts.csv": "transaction_hash,transaction_index,block_hash,block_number,cumulative_gas_used,gas_used,contract_address,root,status,effective_gas_price,l1_fee,l1_gas_used,l1_gas_price,l1_fee_scalar",
    "logs.csv": "log_index,transaction_hash,transaction_index,block_hash,block_number,address,data,topics",
    "token_transfers.csv": "token_address,from_address,to_address,value,transaction_hash,log_index,block_number",
    "traces.csv": "block_number,transaction_hash,transaction_index,from_address,to_address,value,input,output,trace_type,call_type,reward_type,gas,gas_used,subtraces,trace_address,error,status,trace_id",
    "tokens.csv": "address,symbol,name,decimals,total_supply,block_number",
}

problems = []


def bad(msg):
    problems.append(msg)


def rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        yield from csv.DictReader(f)


def main(d):
    for name, h in HEADERS.items():
        with open(os.path.join(d, name), "rb") as f:
            first = f.readline()
        if first != (h + "\r\n").encode():
            bad("%s: header %r" % (name, first[:80]))
    blocks = {}
    prev = None
    for b in rows(os.path.join(d, "blocks.csv")):
        n = int(b["number"])
        if prev is not None and (n != prev[0] + 1 or b["parent_hash"] != prev[1]):
            bad("blocks.csv: block %d does not follow %d" % (n, prev[0]))
        prev = (n, b["hash"])
        blocks[n] = b
    if 0 not in blocks:
        bad("blocks.csv: no genesis block 0")
    txs = {}
    per_block = {}
    for t in rows(os.path.join(d, "transactions.csv")):
        n = int(t["block_number"])
        if blocks[n]["hash"] != t["block_hash"]:
            bad("transactions.csv: %s: block hash" % t["hash"])
        if t["hash"] in txs:
            bad("transactions.csv: duplicate %s" % t["hash"])
        txs[t["hash"]] = t
        per_block[n] = per_block.get(n, 0) + 1
    for n, b in blocks.items():
        if int(b["transaction_count"]) != per_block.get(n, 0):
            bad("blocks.csv: block %d transaction_count %s, %d transactions" % (n, b["transaction_count"], per_block.get(n, 0)))
    rc = {}
    for r in rows(os.path.join(d, "receipts.csv")):
        t = txs.get(r["transaction_hash"])
        if not t or t["transaction_index"] != r["transaction_index"]:
            bad("receipts.csv: %s names no transaction" % r["transaction_hash"])
        rc[r["transaction_hash"]] = r
    if len(rc) != len(txs):
        bad("receipts: %d for %d transactions" % (len(rc), len(txs)))
    last = {}
    for lg in rows(os.path.join(d, "logs.csv")):
        t = txs.get(lg["transaction_hash"])
        n = int(lg["block_number"])
        if not t or t["block_number"] != lg["block_number"] or t["transaction_index"] != lg["transaction_index"]:
            bad("logs.csv: log %s names no transaction of its block" % lg["log_index"])
        elif rc[t["hash"]]["status"] != "1":
            bad("logs.csv: a log of failed transaction %s" % t["hash"])
        if int(lg["log_index"]) != last.get(n, -1) + 1:
            bad("logs.csv: block %d log_index %s out of order" % (n, lg["log_index"]))
        last[n] = int(lg["log_index"])
    for tt in rows(os.path.join(d, "token_transfers.csv")):
        if tt["transaction_hash"] not in txs:
            bad("token_transfers.csv: %s names no transaction" % tt["transaction_hash"])
    internal = {}
    for tr in rows(os.path.join(d, "traces.csv")):
        t = txs.get(tr["transaction_hash"])
        if not t or t["transaction_index"] != tr["transaction_index"]:
            bad("traces.csv: %s names no transaction" % tr["trace_id"])
            continue
        if tr["trace_address"] and tr["status"] == "1":
            internal.setdefault(tr["transaction_hash"], []).append(tr)
    # addresses.csv
    addr = {}
    for a in rows(os.path.join(d, "truth", "addresses.csv")):
        addr[a["address"]] = a
    heists = json.load(open(os.path.join(d, "truth", "heists.json")))
    thief_ent = {h["name"]: h["thief_entity"] for h in heists}
    cash = list(rows(os.path.join(d, "truth", "cash_outs.csv")))
    tok_cash = {c["tx_hash"] for c in cash if c["asset"] != "ETH"}
    tt = {}
    if tok_cash:
        for r in rows(os.path.join(d, "token_transfers.csv")):
            if r["transaction_hash"] in tok_cash:
                tt.setdefault(r["transaction_hash"], []).append(r)
    for c in cash:
        t = txs.get(c["tx_hash"])
        if c["asset"] != "ETH":
            # a token cash-out: one Transfer of the token from the thief to the deposit address
            ok = t and rc[t["hash"]]["status"] == "1" and t["from_address"] == c["from_address"] and \
                t["to_address"] == c["asset"] and \
                [(r["token_address"], r["from_address"], r["to_address"], r["value"]) for r in tt.get(c["tx_hash"], [])] == \
                [(c["asset"], c["from_address"], c["deposit_address"], c["amount"])]
        else:
            ok = t and rc[t["hash"]]["status"] == "1" and t["to_address"] == c["deposit_address"] and \
                t["from_address"] == c["from_address"] and t["value"] == c["amount"]
        if not ok:
            bad("cash_outs.csv: %s does not match its transaction" % c["tx_hash"])
            continue
        da = addr.get(c["deposit_address"])
        fa = addr.get(c["from_address"])
        if not da or da["category"] != "exchange_deposit" or da["exchange"] != c["exchange"]:
            bad("cash_outs.csv: %s is not a deposit address of %s" % (c["deposit_address"], c["exchange"]))
        if not fa or fa["category"] != "thief" or fa["entity_name"] != thief_ent[c["heist"]]:
            bad("cash_outs.csv: %s is not the thief's" % c["from_address"])
        elif da and da["customer_id"] != fa["entity_id"]:
            bad("cash_outs.csv: deposit address %s is not the thief's account" % c["deposit_address"])
    n_bridge = 0
    for b in rows(os.path.join(d, "truth", "bridge_deposits.csv")):
        t = txs.get(b["tx_hash"])
        if not t or rc[t["hash"]]["status"] != "1" or t["value"] != b["amount"]:
            bad("bridge_deposits.csv: %s does not match its transaction" % b["tx_hash"])
            continue
        memo_hex = b["memo"].encode().hex()
        if memo_hex not in t["input"]:
            bad("bridge_deposits.csv: %s: memo not in the input" % b["tx_hash"])
        if not b["btc_address"] or b["btc_address"] not in b["memo"]:
            bad("bridge_deposits.csv: %s: the memo does not name %s" % (b["tx_hash"], b["btc_address"]))
        n_bridge += 1
    n_links = 0
    for m in rows(os.path.join(d, "truth", "mixer_links.csv")):
        dt = txs.get(m["deposit_tx"])
        wt = txs.get(m["withdrawal_tx"])
        if not dt or dt["to_address"] != m["pool"] or dt["value"] != m["denomination_wei"] or dt["from_address"] != m["depositor"]:
            bad("mixer_links.csv: deposit %s" % m["deposit_tx"])
            continue
        if not wt or wt["to_address"] != m["pool"]:
            bad("mixer_links.csv: withdrawal %s" % m["withdrawal_tx"])
            continue
        fee = int(m["relayer_fee_wei"])
        pays = {(x["from_address"], x["to_address"], int(x["value"])) for x in internal.get(wt["hash"], [])}
        if (m["pool"], m["recipient"], int(m["denomination_wei"]) - fee) not in pays:
            bad("mixer_links.csv: withdrawal %s does not pay the recipient" % wt["hash"])
        if fee and (m["pool"], m["relayer"], fee) not in pays:
            bad("mixer_links.csv: withdrawal %s does not pay the relayer" % wt["hash"])
        n_links += 1
    for f in rows(os.path.join(d, "truth", "heist_flows.csv")):
        if f["tx_hash"] not in txs:
            bad("heist_flows.csv: %s names no transaction" % f["tx_hash"])
    # the thief's holdings, recomputed
    out = subprocess.run(["/usr/bin/python3", os.path.join(os.path.dirname(os.path.abspath(__file__)), "balances.py"), d],
                         check=True, capture_output=True, text=True).stdout
    held = {}
    for line in out.splitlines()[1:]:
        a, asset, v = line.split(",")
        info = addr.get(a)
        if info and info["category"] == "thief":
            k = (info["entity_name"], asset)
            held[k] = held.get(k, 0) + int(v)
    for h in heists:
        if not h.get("identity_holds"):
            bad("heists.json: %s: identity_holds is not true" % h["name"])
        got = held.get((h["thief_entity"], "ETH"), 0)
        if got != int(h["held_at_tip"]["ETH"]):
            bad("heists.json: %s holds %d wei at the tip, the CSVs say %d" % (h["name"], int(h["held_at_tip"]["ETH"]), got))
        if h["totals"]["cash_outs"] == 0 or h["totals"]["mixer_withdrawals"] != h["totals"]["mixer_deposits"]:
            bad("heists.json: %s: no cash-outs, or mixer deposits not all withdrawn" % h["name"])
    if n_bridge == 0 or n_links == 0:
        bad("no bridge deposits or no mixer links")
    if problems:
        for p in problems[:20]:
            print("FAIL " + p)
        print("%d problems" % len(problems))
        return 1
    print("ok: %d blocks, %d transactions, %d bridge deposits, %d mixer links" % (len(blocks), len(txs), n_bridge, n_links))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
