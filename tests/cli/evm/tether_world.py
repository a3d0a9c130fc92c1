#!/usr/bin/env python3
"""Writes a small EVM chain as ethereum-etl CSVs in which Tether's contract (USDT on Ethereum,
0xdac17f958d2ee523a2206206994597c13d831ec7) mints to and burns from its owner with
Issue(uint256) / Redeem(uint256) and no Transfer, as TetherToken's issue() and redeem() do (for
tests/cli/evm_tether.sh): tether_world.py DIR [--no-traces].
Blocks 0..4: block 0 the genesis allocations (ETH for fees). The owner is a multisig contract
(MSIG), so its calls reach USDT as internal calls of txs a signer sends to the multisig:
  1: MSIG issues 1,000,000 USDT (Issue from USDT; MSIG calls USDT in a trace).
  2: MSIG sends 300,000 to ALICE (Transfer); ALICE sends 100,000 to BOB (a direct call); and
     USDT blacklists MSIG itself (AddedBlackList: a freeze, which the later Redeem must not lift).
  3: MSIG redeems 200,000 (Redeem); a copy of TetherToken (CLONE) emits Issue(5) from its own
     address, which is not Tether's contract: nothing moves.
  4: OWNER2 calls USDT's issue() itself (tx to USDT): 50 USDT to OWNER2; and an Issue(7) in a tx
     where two accounts call USDT (MSIG and a BATCHER contract): the owner is not told.
With --no-traces, traces.csv is left out: only the direct call tells the owner.
The balances in USDT units of 10^-6 (decimals 6), as Tether's contract holds them after block 4:
MSIG 500,007,000,000 - the store misses the 7 it cannot attribute - ALICE 200,000,000,000,
BOB 100,000,000,000, OWNER2 50,000,000. Deterministic; prints nothing."""
import hashlib, os, sys

d = sys.argv[1]
traces = "--no-traces" not in sys.argv[2:]
os.makedirs(d, exist_ok=True)
H = lambda *a: "0x" + hashlib.sha256(repr(a).encode()).hexdigest()
A = lambda s: "0x" + hashlib.sha256(b"tether " + s.encode()).hexdigest()[:40]
USDT = "0xdac17f958d2ee523a2206206994597c13d831ec7"
SIGNER, MSIG, ALICE, BOB, OWNER2, CLONE, BATCHER, MINER = (
    A(n) for n in ("signer", "msig", "alice", "bob", "owner2", "clone", "batcher", "miner"))
TRANSFER = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
ISSUE = "0xcb8241adb0c3fdb35b70c24ce35c5eb0c17af7431c99f827d44a445ca624176a"
REDEEM = "0x702d5967f45f6513a38ffc42d6ba9bf230bd40e8f53b16363c7eb4fd2deb9a44"
ADDED_BLACKLIST = "0x42e160154868087d6bfdc0ca23d96a1c1cfa32f1b72ba9ba27b69b98a0d819dc"
SEL = {"issue": "0xcc872b66", "redeem": "0xdb006a75", "transfer": "0xa9059cbb",
       "exec": "0xc6427474"}
pad = lambda a: "0x" + "0" * 24 + a[2:]
word = lambda v: "%064x" % v
q = lambda s: '"' + s.replace('"', '""') + '"'
U = 10**6  # one USDT

B = open(f"{d}/blocks.csv", "w")
B.write("number,hash,parent_hash,nonce,sha3_uncles,logs_bloom,transactions_root,state_root,"
        "receipts_root,miner,difficulty,total_difficulty,size,extra_data,gas_limit,gas_used,"
        "timestamp,transaction_count,base_fee_per_gas\n")
T = open(f"{d}/transactions.csv", "w")
T.write("hash,nonce,block_hash,block_number,transaction_index,from_address,to_address,value,gas,"
        "gas_price,input,block_timestamp,max_fee_per_gas,max_priority_fee_per_gas,"
        "transaction_type\n")
R = open(f"{d}/receipts.csv", "w")
R.write("transaction_hash,transaction_index,block_hash,block_number,cumulative_gas_used,gas_used,"
        "contract_address,root,status,effective_gas_price\n")
L = open(f"{d}/logs.csv", "w")
L.write("log_index,transaction_hash,transaction_index,block_hash,block_number,address,data,topics\n")
TR = open(f"{d}/traces.csv", "w") if traces else None
if TR:
    TR.write("block_number,transaction_hash,transaction_index,from_address,to_address,value,input,"
             "output,trace_type,call_type,reward_type,gas,gas_used,subtraces,trace_address,error,"
             "status,trace_id\n")
open(f"{d}/tokens.csv", "w").write("address,symbol,name,decimals,total_supply,block_number\n"
                                  f"{USDT},USDT,Tether USD,6,0,1\n")

# per block: txs (from, to, input, [call frames (from, to, trace_address)], [logs (addr, topics, data)])
blocks = {
    1: [(SIGNER, MSIG, SEL["exec"], [(MSIG, USDT, "0")],
         [(USDT, [ISSUE], word(1_000_000 * U))])],
    2: [(SIGNER, MSIG, SEL["exec"], [(MSIG, USDT, "0")],
         [(USDT, [TRANSFER, pad(MSIG), pad(ALICE)], word(300_000 * U))]),
        (ALICE, USDT, SEL["transfer"], [],
         [(USDT, [TRANSFER, pad(ALICE), pad(BOB)], word(100_000 * U))]),
        (SIGNER, MSIG, SEL["exec"], [(MSIG, USDT, "0")],
         [(USDT, [ADDED_BLACKLIST], pad(MSIG)[2:])])],
    3: [(SIGNER, MSIG, SEL["exec"], [(MSIG, USDT, "0")],
         [(USDT, [REDEEM], word(200_000 * U))]),
        (ALICE, CLONE, SEL["issue"], [], [(CLONE, [ISSUE], word(5 * U))])],
    4: [(OWNER2, USDT, SEL["issue"], [], [(USDT, [ISSUE], word(50 * U))]),
        (SIGNER, MSIG, SEL["exec"], [(MSIG, USDT, "0"), (MSIG, BATCHER, "1"),
                                     (BATCHER, USDT, "1,0")],
         [(USDT, [ISSUE], word(7 * U))])],
}
parent = "0x" + "00" * 32
nonce = {}
for b in range(5):
    bh = H("tether block", b)
    ts = 1600000000 + 13 * b
    base = 10
    txs = blocks.get(b, [])
    B.write(f"{b},{bh},{parent},0x0000000000000000,0x00,0x00,0x00,0x00,0x00,{MINER},0,,1000,0x,"
            f"30000000,{60000 * len(txs)},{ts},{len(txs)},{base}\n")
    if b == 0 and TR:
        for i, who in enumerate((SIGNER, ALICE, OWNER2)):
            TR.write(f"0,,,,{who},{10**21},,,genesis,,,0,0,0,,,1,genesis_{i}\n")
    li = 0
    for i, (f, to, inp, frames, logs) in enumerate(txs):
        th = H("tether tx", b, i)
        nonce[f] = nonce.get(f, -1) + 1
        T.write(f"{th},{nonce[f]},{bh},{b},{i},{f},{to},0,200000,{base + 2},"
                f"{inp}{word(1)},{ts},,,0\n")
        R.write(f"{th},{i},{bh},{b},{60000 * (i + 1)},60000,,,1,{base + 2}\n")
        if TR:
            TR.write(f"{b},{th},{i},{f},{to},0,{inp},0x,call,call,,200000,60000,"
                     f"{sum(1 for fr in frames if ',' not in fr[2])},,,1,call_{b}_{i}\n")
            for fr, frto, ta in frames:
                TR.write(f"{b},{th},{i},{fr},{frto},0,0x,0x,call,call,,100000,30000,"
                         f"{sum(1 for x in frames if x[2].startswith(ta + ','))},{q(ta)},,1,"
                         f"call_{b}_{i}_{ta.replace(',', '_')}\n")
        for addr, topics, data in logs:
            L.write(f"{li},{th},{i},{bh},{b},{addr},0x{data},{q(','.join(topics))}\n")
            li += 1
    parent = bh
