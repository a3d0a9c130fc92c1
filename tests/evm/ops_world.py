#!/usr/bin/python3
"""Writes a small ethereum-etl world (blocks.csv, transactions.csv, receipts.csv) for the EVM
screening, monitor and sharing tests (issue 13), with its answer in truth.json.

Two addresses are real OFAC SDN entries, so that the labels come from the published list:
S = 0x098B716B8Aaf21512996dC57EB0615e2383E2f96 (Lazarus Group, the Ronin bridge exploiter)
and K = 0xb6f5ec1a0a9cd1526536d3f0426c429529471f40 (Kim Sang Man: ETH, USDC, USDT and XBT
addresses). The others are made up; tests label H an exchange, M a mixer, B a bridge.
The heist: V -> T 100 ETH. T sends 30 ETH to exchange H, 10 x 1 ETH into mixer M, 20 ETH to
bridge B, 15 ETH to S, and keeps 25. S pays 5 ETH to Y (whose only receipt it is: Y is 100 %
directly exposed to sanctioned). Y and an unfunded W pay Z 5 ETH each (Z: 50 % indirectly
exposed, 50 % unexplained). G pays K 3 ETH, K pays U 2 ETH.
Gas price 0: no fees, so the answers are round. Usage: ops_world.py OUTDIR
"""
import json, os, sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
ETH = 10**18


def addr(tag, i=0):
    return "0x" + (tag.encode().hex() + "%04x" % i).ljust(40, "0")[:40]


S = "0x098b716b8aaf21512996dc57eb0615e2383e2f96"
K = "0xb6f5ec1a0a9cd1526536d3f0426c429529471f40"
V, T, H, M, B, Y, W, Z, G, U = (addr(t) for t in ("V", "T", "H", "M", "B", "Y", "W", "Z", "G", "U"))
blocks, txs = [], []


def block(txlist):
    num = len(blocks) + 1
    h = "0x%064x" % (0xC000 + num)
    parent = "0x%064x" % (0xC000 + num - 1)
    blocks.append((num, h, parent, len(txlist)))
    for i, (f, t, v) in enumerate(txlist):
        txs.append(("0x%064x" % (0xE00000 + len(txs) + 1), num, h, i, f, t, v))
    return [tx[0] for tx in txs[-len(txlist):]]


heist = block([(V, T, 100 * ETH)])[0]
to_exchange = block([(T, H, 30 * ETH)])[0]
to_mixer = block([(T, M, ETH) for _ in range(10)])
to_bridge = block([(T, B, 20 * ETH)])[0]
to_sanctioned = block([(T, S, 15 * ETH)])[0]
block([(S, Y, 5 * ETH)])
block([(Y, Z, 5 * ETH), (W, Z, 5 * ETH), (G, K, 3 * ETH)])
block([(K, U, 2 * ETH)])

with open(os.path.join(out, "blocks.csv"), "w") as f:
    f.write("number,hash,parent_hash,nonce,sha3_uncles,logs_bloom,transactions_root,state_root,"
            "receipts_root,miner,difficulty,total_difficulty,size,extra_data,gas_limit,gas_used,"
            "timestamp,transaction_count,base_fee_per_gas,withdrawals_root,withdrawals\n")
    for num, h, parent, k in blocks:
        f.write(f"{num},{h},{parent},0x0,0x0,0x0,0x0,0x0,0x0,{addr('miner')},0,0,1000,0x,"
                f"30000000,{21000 * k},{1700000000 + 12 * num},{k},,,\n")
with open(os.path.join(out, "transactions.csv"), "w") as f:
    f.write("hash,nonce,block_hash,block_number,transaction_index,from_address,to_address,value,"
            "gas,gas_price,input,block_timestamp,max_fee_per_gas,max_priority_fee_per_gas,"
            "transaction_type\n")
    for h, num, bh, i, fr, to, v in txs:
        f.write(f"{h},0,{bh},{num},{i},{fr},{to},{v},21000,0,0x,{1700000000 + 12 * num},,,0\n")
with open(os.path.join(out, "receipts.csv"), "w") as f:
    f.write("transaction_hash,transaction_index,block_hash,block_number,cumulative_gas_used,"
            "gas_used,contract_address,root,status,effective_gas_price\n")
    for h, num, bh, i, fr, to, v in txs:
        f.write(f"{h},{i},{bh},{num},{21000 * (i + 1)},21000,,,1,0\n")
with open(os.path.join(out, "labels.csv"), "w") as f:
    f.write("address,entity,category,asset\n")
    f.write(f"{H},Exchange X,exchange,ETH\n{M},Mixer M,mixer,ETH\n{B},Bridge B,bridge,ETH\n")
json.dump({"heist": heist, "thief": T, "exchange": H, "mixer": M, "bridge": B,
           "sanctioned": S, "kim": K, "y": Y, "z": Z, "u": U,
           "to_exchange": to_exchange, "to_mixer": to_mixer, "to_bridge": to_bridge,
           "to_sanctioned": to_sanctioned,
           "expect_wei": {"exchange": str(30 * ETH), "mixer": str(10 * ETH),
                          "bridge": str(20 * ETH), "sanctioned": str(15 * ETH)}},
          open(os.path.join(out, "truth.json"), "w"), indent=1)
