#!/usr/bin/env python3
"""Writes a small EVM chain as ethereum-etl CSVs (for the CLI tests):
mkchain.py DIR FIRST N [SEED [FORK]]: blocks from FORK on (default: all) depend on SEED, the
ones before it on seed 1, so two seeds with the same FORK give two chains that share blocks
FIRST..FORK-1.
Blocks FIRST..FIRST+N-1 linked by parent hash, each with a few txs (ETH transfers, a contract
creation, a failed tx), receipts, Transfer logs of one token, WETH Deposit/Withdrawal logs,
traces with an internal call, and tokens.csv; some txs carry a bridge memo (as UTF-8 calldata,
or in a Deposit event's data as an ABI string). Deterministic. Also prints nothing."""
import hashlib, os, random, sys

d, first, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
seed0 = int(sys.argv[4]) if len(sys.argv) > 4 else 1
fork = int(sys.argv[5]) if len(sys.argv) > 5 else first
os.makedirs(d, exist_ok=True)
H = lambda *a: "0x" + hashlib.sha256(repr(a).encode()).hexdigest()
A = lambda i: "0x" + hashlib.sha256(b"acct%d" % i).hexdigest()[:40]
TOKEN = A(1000)
WETH = "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"
TRANSFER = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
DEPOSIT = "0xe1fffcc4923d04b559f4d29a8bfc6cda04eb5b0d3c460751c2402c5c5cc9109c"
pad = lambda a: "0x" + "0" * 24 + a[2:]
word = lambda v: "0x%064x" % v
B = open(f"{d}/blocks.csv", "w")
B.write("number,hash,parent_hash,nonce,sha3_uncles,logs_bloom,transactions_root,state_root,receipts_root,miner,difficulty,total_difficulty,size,extra_data,gas_limit,gas_used,timestamp,transaction_count,base_fee_per_gas,withdrawals_root,withdrawals\n")
T = open(f"{d}/transactions.csv", "w")
T.write("hash,nonce,block_hash,block_number,transaction_index,from_address,to_address,value,gas,gas_price,input,block_timestamp,max_fee_per_gas,max_priority_fee_per_gas,transaction_type\n")
R = open(f"{d}/receipts.csv", "w")
R.write("transaction_hash,transaction_index,block_hash,block_number,cumulative_gas_used,gas_used,contract_address,root,status,effective_gas_price,l1_fee,l1_gas_used,l1_gas_price,l1_fee_scalar\n")
L = open(f"{d}/logs.csv", "w")
L.write("log_index,transaction_hash,transaction_index,block_hash,block_number,address,data,topics\n")
TR = open(f"{d}/traces.csv", "w")
TR.write("block_number,transaction_hash,transaction_index,from_address,to_address,value,input,output,trace_type,call_type,reward_type,gas,gas_used,subtraces,trace_address,error,status,trace_id\n")
open(f"{d}/tokens.csv", "w").write("address,symbol,name,decimals,total_supply,block_number\n"
                                  f"{TOKEN},USDT,Tether USD,6,1000000000000,{first}\n"
                                  f"{WETH},WETH,Wrapped Ether,18,0,{first}\n")
parent = H("genesis", 1)
base_fee = 7
for b in range(first, first + n):
    seed = seed0 if b >= fork else 1
    rnd = random.Random(seed * 1000003 + b)
    bh = H("block", b, seed)
    txs = []
    for i in range(rnd.randint(2, 5)):
        txs.append(dict(hash=H("tx", b, i, seed), frm=A(rnd.randint(0, 20)), to=A(rnd.randint(0, 20)),
                        value=rnd.choice([0, 10**18, 123456789012345678901234567, 5]), status=1))
    txs[-1]["status"] = 0 if b % 3 == 0 else 1
    if b == 0:  # genesis: allocations only
        txs = []
    rows_logs, rows_traces = [], []
    if b == 0:
        for i in range(0, 21):
            rows_traces.append(("", "", "", A(i), 10**30, "genesis", "", "", "", 1))
    li = 0
    for i, t in enumerate(txs):
        if t["status"] and i % 2 == 0:
            rows_logs.append((li, t["hash"], i, TOKEN, word(10**6 * (i + 1)), ",".join([TRANSFER, pad(t["frm"]), pad(A(99))])))
            li += 1
            rows_logs.append((li, t["hash"], i, WETH, word(777), ",".join([DEPOSIT, pad(t["frm"])])))
            li += 1
            if b % 5 == 2:  # a router's Deposit(to, asset, amount, memo) event: an ABI string
                m = ("SWAP:BTC.BTC:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2:%d" % b).encode()
                data = word(5) + "%064x" % 64 + "%064x" % len(m) + m.hex().ljust(64 * ((len(m) + 31) // 32), "0")
                rows_logs.append((li, t["hash"], i, A(60), data, ",".join([DEPOSIT, pad(A(61))])))
                li += 1
        rows_traces.append((t["hash"], i, t["frm"], t["to"], t["value"], "call", "call", "", "" if t["status"] else "Reverted", t["status"]))
        if t["status"]:
            rows_traces.append((t["hash"], i, t["to"], A(50), 3, "call", "call", "0", "", 1))
    B.write(f"{b},{bh},{parent},0x0,0x0,0x0,0x0,0x0,0x0,{A(7)},0,0,1000,0x,30000000,{21000*len(txs)},{1600000000+12*b},{len(txs)},{base_fee},,\n")
    cum = 0
    for i, t in enumerate(txs):
        inp = "0xa9059cbb00"
        if i == 0 and b % 4 == 1:  # a bridge memo as UTF-8 calldata (memos.col)
            inp = "0x" + ("=:BTC.BTC:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4:%d" % b).encode().hex()
        T.write(f"{t['hash']},{i},{bh},{b},{i},{t['frm']},{t['to']},{t['value']},50000,9,{inp},{1600000000+12*b},20,2,2\n")
        cum += 21000
        R.write(f"{t['hash']},{i},{bh},{b},{cum},21000,,,{t['status']},9,,,,\n")
    for (li_, h, i, addr, data, topics) in rows_logs:
        L.write(f'{li_},{h},{i},{bh},{b},{addr},{data},"{topics}"\n')
    for (h, i, f, to, v, tt, ct, ta, err, st) in rows_traces:
        TR.write(f"{b},{h},{i},{f},{to},{v},0x,0x,{tt},{ct},,0,0,0,{ta},{err},{st},x\n")
    parent = bh
