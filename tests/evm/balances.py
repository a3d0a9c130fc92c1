#!/usr/bin/python3
"""balances.py: recomputes every account's balance per asset from ethereum-etl CSVs alone.

An implementation independent of chainwatch's C code (Debian's python3, standard library only),
used to check the generator's ledger (truth/balances.csv) and the EVM store's balances.

    balances.py DIR [--weth ADDR] [--out FILE]

Rules (those of Ethereum itself, as the CSVs record it):
  * ETH enters through withdrawals (blocks.csv `withdrawals`, amounts in gwei) and leaves through
    the burnt base fee;
  * a transaction's value moves when its receipt status is 1 (to its `to_address`, or to the
    receipt's `contract_address` for a creation);
  * its sender pays gas_used x effective_gas_price; (effective_gas_price - base_fee_per_gas) x
    gas_used goes to the block's fee recipient (`miner`), the rest is burnt;
  * an internal call or create (traces.csv, non-empty trace_address) moves its value when its
    status is 1 and its call type moves value (not delegatecall / staticcall / callcode);
  * ERC-20: logs with topic0 = Transfer(address,address,uint256), three topics and a 32-byte
    data word; the zero address is the mint / burn source (its balance is not kept); a
    four-topic Transfer is ERC-721 (an item, not an amount) and is skipped;
  * the wrapped-ETH contract (--weth, or tokens.csv's WETH): Deposit(address,uint256) mints to the
    topic's address, Withdrawal(address,uint256) burns from it.
Output: `address,asset,balance` for every nonzero balance, asset = ETH or the token address,
sorted; a negative balance is an error (exit 2) naming the account.
"""
import csv
import json
import os
import sys

TRANSFER = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
DEPOSIT = "0xe1fffcc4923d04b559f4d29a8bfc6cda04eb5b0d3c460751c2402c5c5cc9109c"
WITHDRAWAL = "0x7fcf532c15f0a6db0bd6d0e038bea71d30d808c7d98cb3bf7268a95bf5081b65"
ZERO = "0x" + "0" * 40


def rows(d, name):
    path = os.path.join(d, name)
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            yield r


def main(argv):
    d = argv[1]
    weth = None
    out = None
    i = 2
    while i < len(argv):
        if argv[i] == "--weth":
            weth = argv[i + 1].lower()
            i += 2
        elif argv[i] == "--out":
            out = argv[i + 1]
            i += 2
        else:
            sys.exit("balances.py: unknown argument " + argv[i])
    if weth is None and os.path.exists(os.path.join(d, "tokens.csv")):
        for t in rows(d, "tokens.csv"):
            if t["symbol"] == "WETH":
                weth = t["address"].lower()
    bal = {}

    def add(addr, asset, v):
        if addr == ZERO or v == 0:
            return
        k = (addr, asset)
        bal[k] = bal.get(k, 0) + v

    base_fee = {}
    miner = {}
    for b in rows(d, "blocks.csv"):
        n = int(b["number"])
        base_fee[n] = int(b["base_fee_per_gas"]) if b["base_fee_per_gas"] else 0
        miner[n] = b["miner"].lower()
        w = b.get("withdrawals") or ""
        if w:
            for x in json.loads("[" + w + "]"):
                add(x["address"].lower(), "ETH", int(x["amount"]) * 10**9)
    receipts = {}
    for r in rows(d, "receipts.csv"):
        receipts[r["transaction_hash"]] = r
    for t in rows(d, "transactions.csv"):
        r = receipts[t["hash"]]
        frm = t["from_address"].lower()
        gas_used = int(r["gas_used"])
        price = int(r["effective_gas_price"] or t["gas_price"])
        n = int(t["block_number"])
        add(frm, "ETH", -gas_used * price)
        add(miner[n], "ETH", gas_used * (price - base_fee[n]))
        if r["status"] == "1":
            v = int(t["value"])
            to = (t["to_address"] or r["contract_address"]).lower()
            add(frm, "ETH", -v)
            add(to, "ETH", v)
    for tr in rows(d, "traces.csv"):
        if tr["trace_address"] == "" or tr["status"] != "1":
            continue
        if tr["trace_type"] not in ("call", "create"):
            continue
        if tr["trace_type"] == "call" and tr["call_type"] not in ("call", ""):
            continue
        v = int(tr["value"] or 0)
        add(tr["from_address"].lower(), "ETH", -v)
        add(tr["to_address"].lower(), "ETH", v)
    for lg in rows(d, "logs.csv"):
        topics = lg["topics"].split(",") if lg["topics"] else []
        if not topics:
            continue
        addr = lg["address"].lower()
        data = lg["data"][2:]
        if topics[0] == TRANSFER and len(topics) == 3 and len(data) == 64:
            v = int(data, 16)
            add("0x" + topics[1][-40:], addr, -v)
            add("0x" + topics[2][-40:], addr, v)
        elif addr == weth and len(topics) == 2 and len(data) == 64 and topics[0] in (DEPOSIT, WITHDRAWAL):
            v = int(data, 16)
            add("0x" + topics[1][-40:], addr, v if topics[0] == DEPOSIT else -v)
    lines = []
    bad = []
    for (a, asset), v in sorted(bal.items()):
        if v < 0:
            bad.append("%s %s %d" % (a, asset, v))
        elif v > 0:
            lines.append("%s,%s,%d\n" % (a, asset, v))
    text = "address,asset,balance\n" + "".join(lines)
    if out:
        with open(out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    if bad:
        sys.stderr.write("balances.py: %d balances below zero, e.g. %s\n" % (len(bad), bad[0]))
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
