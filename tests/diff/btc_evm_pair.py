#!/usr/bin/env python3
"""The Ethereum side of a THORChain-like vault, paired with a Bitcoin world's vault deposits
(`btc_alt6_world.py --evm-out DIR`): standard library only, deterministic.

The Bitcoin world's swap vault takes deposits whose OP_RETURN memo asks for ETH.ETH or
ETH.USDT-0XDAC17F958D2EE523A2206206994597C13D831EC7 at a 0x address. Here, written as
ethereum-etl CSVs (blocks, transactions, receipts, logs, traces, tokens), the vault's answers:
  - out:     the vault pays the memo's address with `OUT:<inbound txid>` in the calldata (ETH: a
             plain transfer whose calldata is the memo; USDT: the router's transferOut(to, asset,
             amount, memo) and the token's Transfer log), 5 min to 2 h after the deposit;
  - nomemo:  the same payment without any memo (a plain transfer, or the token's transfer());
  - refund:  nothing here: the Bitcoin world pays the deposit back there (REFUND:<txid>);
  - unpaid:  nothing anywhere.
Amounts: the deposit's satoshis at a rate that drifts (about 30 ETH or 90,000 USDT a BTC) less
0.5-2 % (the vault's fee and slippage). The thief's vault deposits take these kinds in turn
(the first names an honest person's address and is never paid; then out, nomemo, refund, out,
nomemo, ...; with btc_alt6_world.py --refund-redeposit, the thief's two swaps of its refund's
coins are out, outside that cycle); honest swappers' are out (70 %), nomemo (20 %) or refund
(10 %). The honest person
swaps to its own address just before the thief's first deposit (paid with OUT:), and an
exchange pays it ETH of about the amount the thief's swap would have given, inside the window.
The thief's addresses forward what they get to the exchange's hot wallet an hour or more later.
Honest background: exchange withdrawals to users and payments between users.

Truth in DIR/truth: payouts.csv (one row per vault deposit: its kind, the EVM payout's tx,
recipient, amount and time, the Bitcoin refund's txid), addresses.csv (address, entity_name,
category: exchange, bridge_vault, bridge_router, thief, honest_person, user; for
xchain_labels.py), pair.json (the honest person, the vault, the router, the token)."""
import csv
import hashlib
import json
import math
import os
import random

USDT = "0xdac17f958d2ee523a2206206994597c13d831ec7"
TRANSFER = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
E18 = 10**18


def _h(*a):
    return hashlib.sha256(repr(a).encode()).hexdigest()


def _addr(tag):
    return "0x" + _h("pair-addr", tag)[:40]


def _word(v):
    return "%064x" % v


def _pad(a):
    return "0x" + "0" * 24 + a[2:]


def _abi_transfer_out(to, asset, amount, memo):
    """THORChain router transferOut(address,address,uint256,string)"""
    m = memo.encode()
    body = _word(int(to, 16)) + _word(int(asset, 16)) + _word(amount) + _word(128) + _word(len(m))
    body += m.hex().ljust(64 * ((len(m) + 31) // 32), "0")
    return "0x574da717" + body


class Pair:
    def __init__(self, seed):
        self.seed = seed
        self.rng = random.Random(seed * 613 + 17)
        self.honest_person = _addr(("honest-person", seed))
        self.n_thief = 0
        self.attacked = False

    def attack_next(self):
        """True for the thief's first vault deposit: its memo names the honest person"""
        if self.attacked:
            return False
        self.attacked = True
        return True

    def deposit(self, txid, memo, value, height, thief, kind=None):
        """kind: forced (the thief's refund swapped again, --refund-redeposit), outside the cycle"""
        f = memo.split(":")
        asset = "ETH" if f[1] == "ETH.ETH" else "USDT"
        dest = f[2].lower()
        if kind:  # forced: the thief's count and the RNG are untouched
            pass
        elif thief:
            k = self.n_thief
            self.n_thief += 1
            if dest == self.honest_person:
                kind = "unpaid"
            else:
                kind = ["out", "nomemo", "refund"][(k - 1) % 3] if k else "out"
        elif dest == self.honest_person:
            kind = "out"
        else:
            x = self.rng.random()
            kind = "out" if x < 0.7 else "nomemo" if x < 0.9 else "refund"
        return {"btc_txid": txid, "memo": memo, "value_sat": value, "height": height, "thief": thief,
                "kind": kind, "dest": dest, "asset": asset, "refund_txid": ""}

    def write(self, out, deps, t0):
        write(out, deps, t0, self)


def write(out, deps, t0, pair):
    rng = random.Random(pair.seed * 7451 + 3)
    os.makedirs(os.path.join(out, "truth"), exist_ok=True)
    vault, router, exch = _addr("vault"), _addr("router"), _addr("exchange")
    minter = _addr("usdt-minter")
    users = [_addr(("user", i)) for i in range(40)]
    hp = pair.honest_person
    btime = lambda h: t0 + 600 * h + (h * 37 % 300)

    def rate(t, asset):  # units of the asset (base) per satoshi
        drift = 1 + 0.03 * math.sin((t - t0) / 86400.0)
        return (30 * E18 / 1e8 if asset == "ETH" else 90000 * 10**6 / 1e8) * drift

    txs = []  # (time, from, to, value, input, [(token, from, to, amount)], tag)
    for d in deps:
        t = btime(d["height"])
        d["btc_time"] = t
        d.update(evm_tx="", evm_amount="", evm_time="")
        if d["kind"] not in ("out", "nomemo"):
            continue
        pt = t + rng.randint(300, 7200)
        amt = int(d["value_sat"] * rate(pt, d["asset"]) * (1 - rng.uniform(0.005, 0.02)))
        memo = "OUT:" + d["btc_txid"].upper()
        if d["asset"] == "ETH":
            inp = "0x" + memo.encode().hex() if d["kind"] == "out" else "0x"
            txs.append([pt, vault, d["dest"], amt, inp, [], d])
        elif d["kind"] == "out":
            txs.append([pt, vault, router, 0, _abi_transfer_out(d["dest"], USDT, amt, memo),
                        [(USDT, vault, d["dest"], amt)], d])
        else:
            txs.append([pt, vault, USDT, 0, "0xa9059cbb" + _word(int(d["dest"], 16)) + _word(amt),
                        [(USDT, vault, d["dest"], amt)], d])
        d["evm_amount"], d["evm_time"] = str(amt), str(pt)
        if d["thief"]:  # the thief forwards it to the exchange
            ft = pt + rng.randint(3600, 6 * 3600)
            if d["asset"] == "ETH":
                txs.append([ft, d["dest"], exch, amt - E18 // 1000, "0x", [], None])
            else:
                txs.append([ft, d["dest"], USDT, 0, "0xa9059cbb" + _word(int(exch, 16)) + _word(amt),
                            [(USDT, d["dest"], exch, amt)], None])
        if d["dest"] == hp:  # the honest person spends some of it later
            txs.append([pt + rng.randint(86400, 3 * 86400), hp, rng.choice(users), amt // 3, "0x", [], None]
                       if d["asset"] == "ETH" else
                       [pt + rng.randint(86400, 3 * 86400), hp, USDT, 0,
                        "0xa9059cbb" + _word(int(users[0], 16)) + _word(amt // 3),
                        [(USDT, hp, users[0], amt // 3)], None])
    # the exchange pays the honest person about what the thief's swap naming it would have given
    for d in deps:
        if d["thief"] and d["dest"] == hp:
            pt = d["btc_time"] + rng.randint(1800, 3 * 3600)
            amt = int(d["value_sat"] * rate(pt, d["asset"]) * 0.99)
            if d["asset"] == "ETH":
                txs.append([pt, exch, hp, amt, "0x", [], None])
            else:
                txs.append([pt, exch, USDT, 0, "0xa9059cbb" + _word(int(hp, 16)) + _word(amt),
                            [(USDT, exch, hp, amt)], None])
    # background
    t_lo = min([d["btc_time"] for d in deps] or [t0])
    t_hi = max([d["btc_time"] for d in deps] or [t0]) + 86400
    for _ in range(4 * len(deps) + 40):
        t = rng.randint(t_lo, t_hi)
        if rng.random() < 0.5:
            txs.append([t, exch, rng.choice(users), rng.randint(1, 50) * E18 // 10, "0x", [], None])
        else:
            a, b = rng.sample(users, 2)
            txs.append([t, a, b, rng.randint(1, 20) * E18 // 100, "0x", [], None])
    txs.sort(key=lambda x: x[0])

    D = out
    B = open(os.path.join(D, "blocks.csv"), "w")
    B.write("number,hash,parent_hash,nonce,sha3_uncles,logs_bloom,transactions_root,state_root,receipts_root,miner,difficulty,total_difficulty,size,extra_data,gas_limit,gas_used,timestamp,transaction_count,base_fee_per_gas,withdrawals_root,withdrawals\n")
    T = open(os.path.join(D, "transactions.csv"), "w")
    T.write("hash,nonce,block_hash,block_number,transaction_index,from_address,to_address,value,gas,gas_price,input,block_timestamp,max_fee_per_gas,max_priority_fee_per_gas,transaction_type\n")
    R = open(os.path.join(D, "receipts.csv"), "w")
    R.write("transaction_hash,transaction_index,block_hash,block_number,cumulative_gas_used,gas_used,contract_address,root,status,effective_gas_price,l1_fee,l1_gas_used,l1_gas_price,l1_fee_scalar\n")
    L = open(os.path.join(D, "logs.csv"), "w")
    L.write("log_index,transaction_hash,transaction_index,block_hash,block_number,address,data,topics\n")
    TR = open(os.path.join(D, "traces.csv"), "w")
    TR.write("block_number,transaction_hash,transaction_index,from_address,to_address,value,input,output,trace_type,call_type,reward_type,gas,gas_used,subtraces,trace_address,error,status,trace_id\n")
    with open(os.path.join(D, "tokens.csv"), "w") as f:
        f.write("address,symbol,name,decimals,total_supply,block_number\n%s,USDT,Tether USD,6,0,1\n" % USDT)
    parent = "0x" + _h("pair-genesis", pair.seed)
    # block 0: ETH allocations; block 1: USDT minted to the vault and the exchange
    blocks = [(t_lo - 7200, []), (t_lo - 3600, [[t_lo - 3600, minter, USDT, 0, "0x40c10f19", [
        (USDT, "0x" + "0" * 40, vault, 10**15), (USDT, "0x" + "0" * 40, exch, 10**15)], None]])]
    last = t_lo - 3600
    for x in txs:
        t = max(x[0], last + 1)
        last = t
        blocks.append((t, [x]))
    nonce = {}
    for b, (ts, btx) in enumerate(blocks):
        bh = "0x" + _h("pair-block", pair.seed, b)
        B.write(f"{b},{bh},{parent},0x0,0x0,0x0,0x0,0x0,0x0,{_addr('miner')},0,0,1000,0x,30000000,{21000*len(btx)},{ts},{len(btx)},7,,\n")
        if b == 0:
            for a, v in [(vault, 10**6 * E18), (exch, 10**6 * E18), (minter, E18), (hp, E18)] + \
                    [(u, 100 * E18) for u in users] + \
                    [(d["dest"], E18 // 10) for d in deps if d["thief"]]:
                TR.write(f"0,,,,{a},{v},0x,0x,genesis,,,0,0,0,,,1,g\n")
        li = 0
        for i, (t, fr, to, v, inp, toks, d) in enumerate(btx):
            h = "0x" + _h("pair-tx", pair.seed, b, i)
            n = nonce.get(fr, 0)
            nonce[fr] = n + 1
            T.write(f"{h},{n},{bh},{b},{i},{fr},{to},{v},90000,9,{inp},{ts},20,2,2\n")
            R.write(f"{h},{i},{bh},{b},{21000*(i+1)},21000,,,1,9,,,,\n")
            TR.write(f"{b},{h},{i},{fr},{to},{v},{inp},0x,call,call,,90000,21000,0,,,1,t{b}-{i}\n")
            for (tok, a, c, amt) in toks:
                L.write(f'{li},{h},{i},{bh},{b},{tok},0x{_word(amt)},"{TRANSFER},{_pad(a)},{_pad(c)}"\n')
                li += 1
            if d is not None:
                d["evm_tx"] = h
        parent = bh
    for f in (B, T, R, L, TR):
        f.close()
    cols = ["btc_txid", "thief", "kind", "asset", "dest", "value_sat", "height", "btc_time", "memo",
            "evm_tx", "evm_amount", "evm_time", "refund_txid"]
    with open(os.path.join(D, "truth", "payouts.csv"), "w", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(cols)
        for d in deps:
            wr.writerow([int(d[c]) if c == "thief" else d[c] for c in cols])
    with open(os.path.join(D, "truth", "addresses.csv"), "w", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(["address", "entity_name", "category"])
        wr.writerow([exch, "exchange-1", "exchange"])
        wr.writerow([vault, "thorchain", "bridge_vault"])
        wr.writerow([router, "thorchain-router", "bridge_router"])
        wr.writerow([hp, "honest-person", "honest_person"])
        for a in sorted({d["dest"] for d in deps if d["thief"] and d["dest"] != hp}):
            wr.writerow([a, "lazarus", "thief"])
        for u in users:
            wr.writerow([u, "user", "user"])
    with open(os.path.join(D, "truth", "pair.json"), "w") as f:
        json.dump({"honest_person": hp, "vault": vault, "router": router, "exchange": exch, "token": USDT,
                   "chain": "ethereum", "deposits": len(deps),
                   "thief_deposits": sum(1 for d in deps if d["thief"])}, f, indent=1)
