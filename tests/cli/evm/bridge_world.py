#!/usr/bin/env python3
"""Writes a tiny EVM world (ethereum-etl CSVs) whose thief bridges out with every kind of memo
the bridge-exit rule must sort (tests/cli/trace_xchain.sh): bridge_world.py DIR REGTEST_ADDR.
Block 0 funds the thief T (1000 ETH) and an honest user U; block 1 is the heist tx T -> T2
(900 ETH); then T2 pays the bridge vault V one tx per memo below, as UTF-8 calldata (the
THORChain form of a plain transfer to a vault); U pays V once too (an honest swap).
DIR/truth.json names the accounts, the heist tx and each deposit's tx with the status the trace
must give it. Deterministic."""
import hashlib, json, os, sys

d, regtest_addr = sys.argv[1], sys.argv[2]
os.makedirs(d, exist_ok=True)
H = lambda *a: "0x" + hashlib.sha256(repr(a).encode()).hexdigest()
A = lambda i: "0x" + hashlib.sha256(b"bridge-acct%d" % i).hexdigest()[:40]
E = 10**18
T, T2, U, V = A(1), A(2), A(3), A(50)


def bech32_p2wpkh(hrp, prog):  # BIP 173 (witness version 0)
    CH = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

    def polymod(vals):
        g, chk = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3], 1
        for v in vals:
            top = chk >> 25
            chk = (chk & 0x1FFFFFF) << 5 ^ v
            for i in range(5):
                chk ^= g[i] if (top >> i) & 1 else 0
        return chk

    acc, bits, data = 0, 0, [0]
    for x in prog:
        acc, bits = (acc << 8) | x, bits + 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    e = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    pm = polymod(e + data + [0] * 6) ^ 1
    return hrp + "1" + "".join(CH[d] for d in data + [(pm >> 5 * (5 - i)) & 31 for i in range(6)])


UNPAID = bech32_p2wpkh("bcrt", hashlib.sha256(b"never paid").digest()[:20])
MEMOS = [  # (memo, value in ETH, status the trace must report)
    ("=:BTC.BTC:%s" % regtest_addr, 100, "continued"),
    ("=:LTC.LTC:ltc1qg82tvwmzvr3kcgyqfu6exg08lq4cj3mtcqcsk6", 50, "other chain"),
    ("=:BTC/BTC:thor1el4ufmhll3yw7zxzszvfakrk66j7fx0tvcslym", 50, "other chain"),
    ("=:BTC.BTC:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", 50, "bad address"),
    ("hello there, vault", 50, "no memo"),
    ("+:ETH.ETH", 50, "bad memo"),
    ("=:b:%s" % UNPAID, 50, "not paid in window"),
]
B = open(f"{d}/blocks.csv", "w")
B.write("number,hash,parent_hash,nonce,sha3_uncles,logs_bloom,transactions_root,state_root,receipts_root,miner,difficulty,total_difficulty,size,extra_data,gas_limit,gas_used,timestamp,transaction_count,base_fee_per_gas,withdrawals_root,withdrawals\n")
TX = open(f"{d}/transactions.csv", "w")
TX.write("hash,nonce,block_hash,block_number,transaction_index,from_address,to_address,value,gas,gas_price,input,block_timestamp,max_fee_per_gas,max_priority_fee_per_gas,transaction_type\n")
R = open(f"{d}/receipts.csv", "w")
R.write("transaction_hash,transaction_index,block_hash,block_number,cumulative_gas_used,gas_used,contract_address,root,status,effective_gas_price,l1_fee,l1_gas_used,l1_gas_price,l1_fee_scalar\n")
open(f"{d}/logs.csv", "w").write("log_index,transaction_hash,transaction_index,block_hash,block_number,address,data,topics\n")
TR = open(f"{d}/traces.csv", "w")
TR.write("block_number,transaction_hash,transaction_index,from_address,to_address,value,input,output,trace_type,call_type,reward_type,gas,gas_used,subtraces,trace_address,error,status,trace_id\n")
T0 = 1767225600  # 2026-01-01: the generated Bitcoin worlds start there too
blocks = [[]]  # block 0: genesis allocations (traces)
blocks.append([(T, T2, 900 * E, "0x", "heist")])
deps = []
for k, (memo, eth, st) in enumerate(MEMOS):
    blocks.append([(T2, V, eth * E, "0x" + memo.encode().hex(), "dep%d" % k)])
    deps.append(dict(memo=memo, status=st))
blocks.append([(U, V, 10 * E, "0x" + ("=:b:%s" % regtest_addr).encode().hex(), "honest")])
parent = H("genesis-parent")
truth = dict(thief=T, thief2=T2, honest=U, vault=V, deposits=deps)
nonce = {}
for b, txs in enumerate(blocks):
    bh = H("block", b)
    ts = T0 + 12 * b
    B.write(f"{b},{bh},{parent},0x0,0x0,0x0,0x0,0x0,0x0,{A(7)},0,0,1000,0x,30000000,{21000*len(txs)},{ts},{len(txs)},7,,\n")
    if b == 0:
        for a, v in ((T, 1000 * E), (U, 100 * E)):
            TR.write(f"0,,,,{a},{v},0x,0x,genesis,,,0,0,0,,,1,g\n")
    cum = 0
    for i, (f, to, v, inp, name) in enumerate(txs):
        h = H("tx", b, i)
        n = nonce.get(f, 0)
        nonce[f] = n + 1
        TX.write(f"{h},{n},{bh},{b},{i},{f},{to},{v},50000,9,{inp},{ts},20,2,2\n")
        cum += 21000
        R.write(f"{h},{i},{bh},{b},{cum},21000,,,1,9,,,,\n")
        TR.write(f"{b},{h},{i},{f},{to},{v},{inp},0x,call,call,,50000,21000,0,,,1,t{b}-{i}\n")
        if name == "heist":
            truth["heist"] = h
        elif name.startswith("dep"):
            deps[int(name[3:])]["tx"] = h
        else:
            truth["honest_tx"] = h
    parent = bh
json.dump(truth, open(f"{d}/truth.json", "w"), indent=1)
