#!/usr/bin/python3
"""Writes a small ethereum-etl world (blocks.csv, transactions.csv, receipts.csv) for the
account-model trace and service recognition tests, with its answer in truth.json.

Actors: victim V, thief T; an exchange with hot wallet H, customers C1..C6 and one deposit
address each (D1..D6), every deposit swept whole to H, H paying withdrawals to many; a mixer M
taking 1 ETH deposits from 12 depositors (T among them, 10 times) and paying 0.99 ETH to 22
fresh recipients through a relayer R; an honest user U who pays two different people.
The heist: V -> T 100 ETH. T then deposits 30 ETH at D1 (its own deposit address, via C1's
account? no: T is the customer behind D1) and 10 x 1 ETH into M; T keeps 60 ETH.
Gas price 0: no fees, so the answers are round. Usage: services_world.py OUTDIR [multidenom]
With `multidenom` the mixer is one contract taking four denominations (0.1, 1, 10 and 100 ETH,
as a pool of several denominations would) and three stray amounts arrive before any deposit (a
mistaken transfer, a donation): it must still be recognised, and the answer is the same.
With `consolidation` a second exchange sweeps through a consolidation address: customers
E1..E12 (each also paying someone else) deposit at F1..F12, which sweep whole to CK, which
sweeps whole to hot wallet HK, which pays withdrawals to many. The thief deposits 5 ETH at its
own F0 there, and sends 12 x 1 ETH through two hops each to D1: G_i splits all it got between
g_i (0.40..0.51 ETH) and the thief's Z, g_i forwards its part to D1. D1 is then fed by 12 forwarders too, but with no
depositor behind them (docs/TRACE-MODELS.md worked example 13).
With `oneuse` a service S with no label takes orders: 24 customers K1..K24 each pay an order
address O1..O24 of their own once, and the thief pays O0 7 ETH; each order address is swept whole
to S, which pays out to many (an instant exchange). No order address is ever paid twice, so S is
a service whose deposit addresses are used once, not known to be an exchange: the thief's 7 ETH
end at O0 as `service`. With `oneuse1` customer K1 comes back and pays O1 a second time, as an
exchange's customer does: S is then taken for an exchange's hot wallet, as before.
`oneuse19` and `oneuse20` have 19 and 20 order addresses in all (the threshold is 20);
`oneuse50r` and `oneuse51r` 50 and 51, K1 paying O1 twice (the ratio: fewer than 1 in 50).
With `bridge` a bridge vault BV with no label takes deposits whose calldata is a THORChain memo
(`=:BTC.BTC:ADDR`): 3 honest users once each, and 6 addresses A1..A6 of the thief's, each paid
2 ETH by T and sending all of it to BV with a memo naming its own Bitcoin address; BV pays out to
many by its own txs (inbound swaps from Bitcoin, memo `OUT:...`). The A_i look like deposit
addresses swept whole to a collector; BV's memos say it is a bridge: the 12 ETH end at BV as
`bridge`, six exits with their Bitcoin addresses, never at an A_i as an exchange cash-out.
With `gather` the thief gathers: T pays 2 ETH to each of R1..R5, each sends all of it to the
thief's gathering address GA, which pays 2 ETH into each of five deposit addresses DG1..DG5 of
H, which sweep whole to H. The R_i look like deposit addresses sweeping to GA, and GA pays out
to more than 4 by its own txs; but every send of GA's goes into a deposit address of another
service: GA is a customer, not a hot wallet, so the 10 ETH end at DG1..DG5, never at an R_i.
With `reserve` the thief pays 0.0015 ETH to its own deposit address DR at H, which sweeps all
but a fixed reserve of 21000 gwei to H, paying a fee of 21000 x 7 gwei itself (the one tx of
the world with a gas price): more than 1 % of so small a sweep is left behind, yet DR swept
everything it could; it is a deposit address, and the cash-out is T's payment into it.
"""
import json, os, sys

out = sys.argv[1]
multidenom = len(sys.argv) > 2 and sys.argv[2] == "multidenom"
consolidation = len(sys.argv) > 2 and sys.argv[2] in ("consolidation", "consolidation2")
# consolidation2: CK sweeps into a second consolidation address CK2 (which 3 more deposit
# addresses F13..F15 sweep into directly), and CK2 to HK: two levels
two = len(sys.argv) > 2 and sys.argv[2] == "consolidation2"
os.makedirs(out, exist_ok=True)
ETH = 10**18


def addr(tag, i=0):
    return "0x" + (tag.encode().hex() + "%04x" % i).ljust(40, "0")[:40]


V, T, H, M, R, U = addr("V"), addr("T"), addr("H"), addr("M"), addr("R"), addr("U")
C = [addr("C", i) for i in range(7)]
D = [addr("D", i) for i in range(7)]
blocks, txs = [], []
n = [0]
memos = {}  # tx number -> calldata memo


def memo_block(txlist):
    """A block of (from, to, value, memo) txs, the memo as calldata."""
    for k, t in enumerate(txlist):
        memos[len(txs) + k] = t[3]
    return block([t[:3] for t in txlist])


def block(txlist):
    num = len(blocks) + 1
    h = "0x%064x" % (0xB000 + num)
    parent = "0x%064x" % (0xB000 + num - 1)
    blocks.append((num, h, parent, len(txlist)))
    for i, (f, t, v) in enumerate(txlist):
        n[0] += 1
        txs.append(("0x%064x" % (0xA00000 + n[0]), num, h, i, f, t, v, memos.get(len(txs), "")))
    return [tx[0] for tx in txs[-len(txlist):]]


heist = block([(V, T, 100 * ETH)])[0]
# customers deposit, deposits sweep whole to H; T is the customer behind D1
for i in range(1, 7):
    block([(C[i], D[i], (i + 2) * ETH)])
deposit_tx = block([(T, D[1], 30 * ETH)])[0]
for i in range(1, 7):
    amount = (i + 2) * ETH + (30 * ETH if i == 1 else 0)
    block([(D[i], H, amount)])
# H pays withdrawals to many: each customer, more than a deposit address has hot wallets
block([(H, C[i], ETH) for i in range(1, 7)])
# the mixer: 12 depositors of 1 ETH (T ten times), 22 withdrawals of 0.99 ETH + relayer fees
mix_in = [(T, M, ETH) for _ in range(10)] + [(addr("P", i), M, ETH) for i in range(12)]
if multidenom:
    block([(addr("S", 1), M, 37 * ETH // 100), (addr("S", 2), M, 25 * ETH // 10),
           (addr("S", 3), M, 123 * ETH // 1000)])
    block([(addr("P", 100 + i), M, d) for i, d in enumerate([ETH // 10, 10 * ETH, 100 * ETH] * 6)])
block(mix_in[:11])
block(mix_in[11:])
block([(M, addr("W", i), 99 * ETH // 100) for i in range(22)] + [(M, R, 22 * ETH // 100)])
# an honest user paying two people
block([(U, addr("Q", 1), ETH), (U, addr("Q", 2), ETH)])
oneuse = {}
if len(sys.argv) > 2 and sys.argv[2] in ("oneuse", "oneuse1", "oneuse19", "oneuse20",
                                         "oneuse50r", "oneuse51r"):
    # oneuse19 / oneuse20: 19 or 20 order addresses in all (O0 the thief's), at the threshold
    # CW_EVM_ONE_USE_MIN (20) below which a collector is taken for an exchange's; oneuse50r /
    # oneuse51r: 50 or 51, one of them paid twice, at the ratio (fewer than 1 in 50 reused)
    n_o = int(sys.argv[2][6:8]) if sys.argv[2] not in ("oneuse", "oneuse1") else 25
    S, O = addr("SV"), [addr("O", i) for i in range(n_o)]
    K = [addr("K", i) for i in range(n_o)]
    amt = [7 * ETH] + [(100 + 13 * i) * ETH // 100 for i in range(1, n_o)]  # no denomination
    order_tx = block([(T, O[0], amt[0])])[0]
    block([(K[i], O[i], amt[i]) for i in range(1, n_o)])
    if sys.argv[2] in ("oneuse1", "oneuse50r", "oneuse51r"):
        block([(K[1], O[1], ETH)])  # a customer comes back to its address
        amt[1] += ETH
    block([(O[i], S, amt[i]) for i in range(n_o)])
    for i in range(1, 7):  # S pays out to many, by its own txs: payouts in another asset, unseen
        block([(S, addr("Y", i), ETH)])
    oneuse = {"service": S, "order": O[0], "order_tx": order_tx, "orders": O[1:]}
bridge = {}
if len(sys.argv) > 2 and sys.argv[2] == "bridge":
    BV = addr("BV")
    A = [addr("A", i) for i in range(1, 7)]
    btc = ["bc1q%038d" % (7000 + i) for i in range(10)]
    memo_block([(addr("BU", i), BV, (i + 1) * ETH, "=:BTC.BTC:%s" % btc[7 + i]) for i in range(3)])
    block([(T, A[i], 2 * ETH) for i in range(6)])
    exits = memo_block([(A[i], BV, 2 * ETH, ("=:BTC.BTC:%s" if i % 2 else "SWAP:BTC.BTC:%s") % btc[i])
                        for i in range(6)])
    memo_block([(BV, addr("BY", i), ETH, "OUT:%064X" % i) for i in range(6)])
    bridge = {"vault": BV, "thief_bridge_addresses": A, "exits": exits, "btc": btc[:6]}
gasp = {}  # tx number -> gas price (wei): 0 unless set
extra = {}
if len(sys.argv) > 2 and sys.argv[2] == "gather":
    R, GA, DG = [addr("R", i) for i in range(1, 6)], addr("GA"), [addr("DG", i) for i in range(1, 6)]
    block([(T, R[i], 2 * ETH) for i in range(5)])
    block([(R[i], GA, 2 * ETH) for i in range(5)])
    pay = block([(GA, DG[i], 2 * ETH) for i in range(5)])
    block([(DG[i], H, 2 * ETH) for i in range(5)])
    extra = {"gatherer": GA, "gather_feeders": R, "gather_deposits": DG, "gather_pay": pay}
if len(sys.argv) > 2 and sys.argv[2] == "reserve":
    DR, fee, keep = addr("DR"), 21000 * 7 * 10**9, 21000 * 10**9
    dep = block([(T, DR, 15 * ETH // 10000)])[0]
    gasp[len(txs)] = 7 * 10**9
    sweep = block([(DR, H, 15 * ETH // 10000 - fee - keep)])[0]
    extra = {"reserve_deposit": DR, "reserve_tx": dep, "reserve_sweep": sweep}
HK, CK = addr("HK"), addr("CK")
F = [addr("F", i) for i in range(13)]
cons = {}
if consolidation:
    E = [addr("E", i) for i in range(16)]
    block([(addr("X"), E[i], 50 * ETH) for i in range(1, 16)])  # the customers' own money
    block([(E[i], F[i], (i + 1) * ETH) for i in range(1, 13)] +
          [(E[i], addr("Q", 100 + i), ETH) for i in range(1, 13)])
    thief_f0 = block([(T, F[0], 5 * ETH)])[0]
    hops = [(T, addr("G", i), ETH) for i in range(12)]
    block(hops)
    # each hop splits all it got: 0.40..0.51 ETH on to g_i, the rest to the thief's Z
    part = [(40 + i) * ETH // 100 for i in range(12)]
    block([(addr("G", i), addr("g", i), part[i]) for i in range(12)] +
          [(addr("G", i), addr("Z"), ETH - part[i]) for i in range(12)])
    hop_deposits = block([(addr("g", i), D[1], part[i]) for i in range(12)])
    block([(D[1], H, sum(part))])
    block([(F[i], CK, (i + 1) * ETH if i else 5 * ETH) for i in range(13)])
    if two:
        CK2 = addr("CL")
        F += [addr("F", i) for i in range(13, 16)]
        direct = block([(E[i], F[i], ETH) for i in range(13, 16)] +
                       [(E[i], addr("Q", 100 + i), ETH) for i in range(13, 16)])[0]
        block([(F[i], CK2, ETH) for i in range(13, 16)])
        block([(CK, CK2, (78 + 5) * ETH)])
        block([(CK2, HK, (78 + 5 + 3) * ETH)])
        cons_two = {"consolidation2": CK2, "direct_tx": direct, "direct_deposit": F[13]}
    else:
        block([(CK, HK, (78 + 5) * ETH)])
        cons_two = {}
    block([(HK, addr("E", i), ETH) for i in range(1, 7)])
    cons = {"hot_wallet_k": HK, "consolidation": CK, "thief_deposit_k": F[0],
            "thief_deposit_k_tx": thief_f0, "hop_deposits": hop_deposits,
            "deposits_k": F[1:], "thief_z": addr("Z"), **cons_two}

# funds for everyone who sends but never received: a genesis-like block 0 is not ethereum-etl's
# habit, so the store starts at block 1 and balances of unfunded senders are not checked here.
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
    for k, (h, num, bh, i, fr, to, v, memo) in enumerate(txs):
        f.write(f"{h},0,{bh},{num},{i},{fr},{to},{v},21000,{gasp.get(k, 0)},0x{memo.encode().hex()},"
                f"{1700000000 + 12 * num},,,0\n")
with open(os.path.join(out, "receipts.csv"), "w") as f:
    f.write("transaction_hash,transaction_index,block_hash,block_number,cumulative_gas_used,"
            "gas_used,contract_address,root,status,effective_gas_price\n")
    for k, (h, num, bh, i, fr, to, v, _) in enumerate(txs):
        f.write(f"{h},{i},{bh},{num},{21000 * (i + 1)},21000,,,1,{gasp.get(k, 0)}\n")
json.dump({"heist": heist, "deposit_tx": deposit_tx, "thief": T, "hot_wallet": H,
           "deposits": D[1:], "customers": C[1:], "mixer": M, "honest": U,
           "thief_deposit": D[1], **cons, **oneuse, **bridge, **extra}, open(os.path.join(out, "truth.json"), "w"), indent=1)
