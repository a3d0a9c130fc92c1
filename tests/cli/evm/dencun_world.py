#!/usr/bin/env python3
"""Writes a small post-Dencun EVM chain as ethereum-etl's current exporters write it (for the
CLI tests), independently of `chainwatch gen evm` and mkchain.py: dencun_world.py DIR N [SEED].
The columns are the exporters' field lists (ethereumetl/jobs/exporters/*_item_exporter.py):
blocks with withdrawals_root, withdrawals (ethereum-etl's comma-joined JSON objects, amounts in
gwei), blob_gas_used and excess_blob_gas; transactions with max_fee_per_blob_gas and
blob_versioned_hashes (comma-joined, quoted); receipts with the OP-stack l1_* columns (empty on
L1) and blob_gas_price, blob_gas_used (empty but for type-3 txs). Blocks 0..N-1: block 0 holds
genesis allocations (traces), then each block a legacy transfer, an EIP-1559 transfer, one or two
type-3 (blob) transactions to a rollup inbox (one of them failed now and then: the blob fee is
charged whatever the status), a contract creation now and then (empty to_address, the receipt's
contract_address), an ERC-20 Transfer log with its token_transfers row, and withdrawals.
Blob gas prices vary from 1 wei to above 2^64 wei. Deterministic; prints nothing."""
import hashlib, json, os, random, sys

d, n = sys.argv[1], int(sys.argv[2])
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
os.makedirs(d, exist_ok=True)
H = lambda *a: "0x" + hashlib.sha256(repr(a).encode()).hexdigest()
A = lambda i: "0x" + hashlib.sha256(b"dencun%d" % i).hexdigest()[:40]
TOKEN, INBOX = A(900), A(901)
TRANSFER = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
pad = lambda a: "0x" + "0" * 24 + a[2:]
q = lambda s: '"' + s.replace('"', '""') + '"'
rnd = random.Random(seed)
B = open(f"{d}/blocks.csv", "w")
B.write("number,hash,parent_hash,nonce,sha3_uncles,logs_bloom,transactions_root,state_root,"
        "receipts_root,miner,difficulty,total_difficulty,size,extra_data,gas_limit,gas_used,"
        "timestamp,transaction_count,base_fee_per_gas,withdrawals_root,withdrawals,"
        "blob_gas_used,excess_blob_gas\n")
T = open(f"{d}/transactions.csv", "w")
T.write("hash,nonce,block_hash,block_number,transaction_index,from_address,to_address,value,gas,"
        "gas_price,input,block_timestamp,max_fee_per_gas,max_priority_fee_per_gas,"
        "transaction_type,max_fee_per_blob_gas,blob_versioned_hashes\n")
R = open(f"{d}/receipts.csv", "w")
R.write("transaction_hash,transaction_index,block_hash,block_number,cumulative_gas_used,gas_used,"
        "contract_address,root,status,effective_gas_price,l1_fee,l1_gas_used,l1_gas_price,"
        "l1_fee_scalar,blob_gas_price,blob_gas_used\n")
L = open(f"{d}/logs.csv", "w")
L.write("log_index,transaction_hash,transaction_index,block_hash,block_number,address,data,topics\n")
TT = open(f"{d}/token_transfers.csv", "w")
TT.write("token_address,from_address,to_address,value,transaction_hash,log_index,block_number\n")
TR = open(f"{d}/traces.csv", "w")
TR.write("block_number,transaction_hash,transaction_index,from_address,to_address,value,input,"
         "output,trace_type,call_type,reward_type,gas,gas_used,subtraces,trace_address,error,"
         "status,trace_id\n")
open(f"{d}/tokens.csv", "w").write("address,symbol,name,decimals,total_supply,block_number\n"
                                  f"{TOKEN},USDC,USD Coin,6,1000000000000000,0\n")
parent = "0x" + "00" * 32
nonce = {}
for b in range(n):
    bh = H("dencun block", b, seed)
    ts = 1710338135 + 12 * b
    base = 7 + b % 5
    txs = []  # (from, to, value, type, gas_used, price, blob_used, blob_price, status, create)
    if b > 0:
        u = lambda: A(rnd.randint(0, 9))
        txs.append((u(), u(), rnd.choice([1, 10**18, 3 * 10**17]), 0, 21000, base + 3, 0, 0, 1, None))
        txs.append((u(), u(), 12345, 2, 21000, base + 1, 0, 0, 1, None))
        for k in range(1 + b % 2):
            bp = rnd.choice([1, 7, 10**9 + 3, 2**64 + 5])
            txs.append((u(), INBOX, 0, 3, 50000, base + 2, 131072 * (1 + k), bp,
                        0 if (b % 4 == 3 and k == 0) else 1, None))
        if b % 3 == 1:
            txs.append((u(), "", 5, 2, 90000, base + 1, 0, 0, 1, A(1000 + b)))
    wd = [dict(index=b * 2 + i, validator_index=7000 + i, address=A(i + 3), amount=rnd.randint(1, 10**7))
          for i in range(2)] if b > 0 else []
    wds = ",".join(json.dumps(w, separators=(",", ":")) for w in wd)
    blob_total = sum(t[6] for t in txs)
    B.write(f"{b},{bh},{parent},0x0000000000000000,0x00,0x00,0x00,0x00,0x00,{A(42)},0,,1000,0x,"
            f"30000000,{sum(t[4] for t in txs)},{ts},{len(txs)},{base},{H('wr', b)},"
            f"{q(wds) if wds else ''},{blob_total},{b * 1000}\n")
    if b == 0:
        for i in range(10):
            TR.write(f"0,,,,{A(i)},{10**30},,,genesis,,,0,0,0,,,1,genesis_{i}\n")
    cum, li = 0, 0
    for i, (f, to, v, ty, gu, price, bu, bp, st, cr) in enumerate(txs):
        th = H("dencun tx", b, i, seed)
        nonce[f] = nonce.get(f, -1) + 1
        hashes = q(",".join(H("blob", b, i, j)[:2] + "01" + H("blob", b, i, j)[4:] for j in range(bu // 131072))) if ty == 3 else ""
        T.write(f"{th},{nonce[f]},{bh},{b},{i},{f},{to},{v},100000,{price if ty < 2 else price + 50},"
                f"{'0x' if ty != 3 else '0x1234'},{ts},{'' if ty < 2 else price + 50},"
                f"{'' if ty < 2 else price - base},{ty},{bp + 9 if ty == 3 else ''},{hashes}\n")
        cum += gu
        R.write(f"{th},{i},{bh},{b},{cum},{gu},{cr or ''},,{st},{price},,,,,"
                f"{bp if ty == 3 else ''},{bu if ty == 3 else ''}\n")
        TR.write(f"{b},{th},{i},{f},{cr or to},{v},0x,0x,{'create' if cr else 'call'},"
                 f"{'' if cr else 'call'},,100000,{gu},0,,{'' if st else 'Reverted'},{st},call_{b}_{i}\n")
        if ty == 2 and cr is None:
            amt = rnd.randint(1, 10**9)
            z = "0x" + "00" * 20  # a mint: token balances never go below zero
            L.write(f"{li},{th},{i},{bh},{b},{TOKEN},0x{amt:064x},{q(','.join([TRANSFER, pad(z), pad(to)]))}\n")
            TT.write(f"{TOKEN},{z},{to},{amt},{th},{li},{b}\n")
            li += 1
    parent = bh
