#!/usr/bin/python3
"""Rewrites an ethereum-etl CSV export as the JSON lines ethereum-etl writes for the same data.

    csv2jsonl.py SRC DST            one DST/<kind>.json per SRC/<kind>*.csv (export jobs with
                                    outputs named .json: JsonLinesItemExporter)
    csv2jsonl.py SRC FILE --stream  one file of `ethereumetl stream` items (ConsoleItemExporter)

Learnt from blockchain-etl/ethereum-etl (no code copied): the exporters' FIELDS_TO_EXPORT give the
key order (a key the item lacks is left out, null stays null); the mappers give the types
(hex_to_dec integers of any size, strings for hashes, addresses and hex data, lists for topics,
trace_address and withdrawals); json.dumps writes ", " and ": " separators and \\u escapes. The
stream writes every kind into one output with a "type" first, receipts folded into transactions
as receipt_* fields, logs, token transfers and traces with the block's timestamp and hash, an
item_id and item_timestamp last, in batches of blocks (each batch: blocks, transactions, logs,
token transfers, traces, tokens). CSV columns the lists lack (a newer exporter's) are kept after
the listed ones. Standard library only.
"""
import csv
import glob
import json
import os
import re
import sys

csv.field_size_limit(1 << 30)

ORDER = {
    "blocks": "number hash parent_hash nonce sha3_uncles logs_bloom transactions_root state_root "
    "receipts_root miner difficulty total_difficulty size extra_data gas_limit gas_used timestamp "
    "transaction_count base_fee_per_gas withdrawals_root withdrawals",
    "transactions": "hash nonce block_hash block_number transaction_index from_address to_address "
    "value gas gas_price input block_timestamp max_fee_per_gas max_priority_fee_per_gas "
    "transaction_type",
    "receipts": "transaction_hash transaction_index block_hash block_number cumulative_gas_used "
    "gas_used contract_address root status effective_gas_price l1_fee l1_gas_used l1_gas_price "
    "l1_fee_scalar",
    "logs": "log_index transaction_hash transaction_index block_hash block_number address data topics",
    "token_transfers": "token_address from_address to_address value transaction_hash log_index "
    "block_number",
    "traces": "block_number transaction_hash transaction_index from_address to_address value input "
    "output trace_type call_type reward_type gas gas_used subtraces trace_address error status "
    "trace_id",
    "tokens": "address symbol name decimals total_supply block_number",
}
ORDER = {k: v.split() for k, v in ORDER.items()}
STRINGS = set("hash parent_hash nonce sha3_uncles logs_bloom transactions_root state_root receipts_root "
              "miner extra_data withdrawals_root block_hash from_address to_address input "
              "transaction_hash contract_address root address data token_address output trace_type "
              "call_type reward_type error trace_id symbol name l1_fee_scalar".split())
LISTS = {"topics", "trace_address", "withdrawals"}
TYPES = {"blocks": "block", "transactions": "transaction", "receipts": "receipt", "logs": "log",
         "token_transfers": "token_transfer", "traces": "trace", "tokens": "token"}


def integer(v):
    return int(v, 16) if v[:2].lower() == "0x" else int(v)


def value(kind, col, v):
    if col == "nonce" and kind != "blocks":
        return None if v == "" else integer(v)  # a transaction's nonce is a number, a block's hex
    if col in LISTS:
        if v == "":
            return []
        if col == "withdrawals":
            return json.loads("[" + v + "]")
        if col == "trace_address":
            return [int(x) for x in v.split(",")]
        return v.split(",")
    if v == "":
        return None
    if col in STRINGS:
        return v
    if re.fullmatch(r"-?[0-9]+|0[xX][0-9a-fA-F]+", v):
        return integer(v)
    return v  # a column of a newer export, not a number


def rows(src, kind):
    files = sorted(glob.glob(os.path.join(src, "**", kind + "*.csv"), recursive=True))
    files = [f for f in files if re.match(kind + r"[._-]", os.path.basename(f))]
    for f in files:
        with open(f, newline="") as fh:
            for r in csv.DictReader(fh):
                yield r


def item(kind, r):
    cols = [c for c in ORDER[kind] if c in r] + [c for c in r if c not in ORDER[kind]]
    return {c: value(kind, c, r[c]) for c in cols}


def per_kind(src, dst):
    os.makedirs(dst, exist_ok=True)
    for kind in ORDER:
        if not glob.glob(os.path.join(src, "**", kind + "*.csv"), recursive=True):
            continue
        with open(os.path.join(dst, kind + ".json"), "w") as out:
            for r in rows(src, kind):
                out.write(json.dumps(item(kind, r)) + "\n")


def stream(src, path, batch=10):
    blocks = [item("blocks", r) for r in rows(src, "blocks")]
    by_block = {}
    receipts = {r["transaction_hash"]: item("receipts", r) for r in rows(src, "receipts")}
    for kind in ("transactions", "logs", "token_transfers", "traces", "tokens"):
        for n, r in enumerate(rows(src, kind)):
            it = item(kind, r)
            b = it.get("block_number")
            it["_n"] = n
            by_block.setdefault((kind, b), []).append(it)
    blk = {b["number"]: b for b in blocks}

    def typed(kind, it, extra=()):
        out = {"type": TYPES[kind]}
        out.update({k: v for k, v in it.items() if k != "_n"})
        b = blk.get(it.get("block_number"))
        for k in extra:
            if k == "block_timestamp":
                out[k] = b["timestamp"] if b else None
            elif k == "block_hash":
                out[k] = b["hash"] if b else None
        return out

    with open(path, "w") as out:
        nums = [b["number"] for b in blocks]
        for i in range(0, len(nums), batch):
            part = nums[i:i + batch]
            items = []
            for n in part:
                items.append(typed("blocks", blk[n]))
            for n in part:
                for t in sorted(by_block.get(("transactions", n), []), key=lambda t: t["transaction_index"]):
                    x = typed("transactions", t)
                    rc = receipts.get(t["hash"])
                    if rc is not None:
                        for k in ("cumulative_gas_used", "gas_used", "contract_address", "root", "status",
                                  "effective_gas_price", "l1_fee", "l1_gas_used", "l1_gas_price",
                                  "l1_fee_scalar", "blob_gas_used", "blob_gas_price"):
                            if k in rc:
                                x["receipt_" + k] = rc[k]
                    items.append(x)
            for kind, key in (("logs", "log_index"), ("token_transfers", "log_index"), ("traces", "_n"),
                              ("tokens", "_n")):
                for n in part:
                    for it in sorted(by_block.get((kind, n), []), key=lambda t: t[key]):
                        items.append(typed(kind, it, ("block_timestamp", "block_hash")))
            for it in items:
                it["item_id"] = it["type"] + "_" + str(it.get("hash") or it.get("transaction_hash") or it.get("number"))
                it["item_timestamp"] = "1970-01-01T00:00:00Z"
                out.write(json.dumps(it) + "\n")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[3] == "--stream":
        stream(sys.argv[1], sys.argv[2])
    elif len(sys.argv) == 3:
        per_kind(sys.argv[1], sys.argv[2])
    else:
        sys.exit(__doc__)
