#!/usr/bin/python3
"""An independent EVM world (issue 13's "a generator you have not seen"), written apart from
`chainwatch gen evm` (src/gen/evm) and on purpose with other habits, so that the EVM trace is
measured on behaviours, not on one generator's constants. Standard library only.

usage: evm_shapes_world.py --out DIR [--seed S] [--txs N] [--no-reuse-mixing] [--mixer-evidence]

--no-reuse-mixing: the thief's mixer notes are all withdrawn through relayers (no gas funder of
its own), and every cash-out of mixed funds goes to a deposit address of its own, used once (a
new account at the exchange), so nothing but the pool links a withdrawal to the heist. Without
the option the world is byte for byte the same as before it existed.

--mixer-evidence (implies --no-reuse-mixing): the evidence real Tornado-style laundering
leaves, drawn independently per note of the thief: the note withdrawn to the address that
deposited it (12 %, an address match); the fresh recipient topped up with gas by the thief's gas
funder, which holds stolen ETH (30 %); the recipient's funds gathered with 2-5 other recipients'
at a consolidation address of the thief's before the cash-out (50 %), a third of them also paid
from the gas funder. Honest mixer users get the same look-alikes: withdrawal to the depositing
address (15 %), gas from one of their own other addresses (30 %), a fresh recipient that pays
everything on to one of the user's own addresses (40 %), and notes of several denominations at
once (20 %). Truth: mixer_links.csv gains an "evidence" column only with the option.

Writes ethereum-etl CSVs (blocks, transactions, receipts, logs, token_transfers, traces, tokens;
LF line ends, as ethereum-etl's own exporter writes them on Linux) and DIR/truth with the files
tests/diff/evm_eval.py reads (docs/GEN.md "Ground truth": addresses.csv, entities.csv,
world.json, heists.json, cash_outs.csv, bridge_deposits.csv, mixer_links.csv), and the
generator's own ledger at the tip (balances.csv: address,asset,balance; asset ETH or the token
contract), which tests/evm/balances.py must reproduce from the CSVs alone.

How it differs from gen evm:
- exchanges of three sweep styles: each deposit swept alone after a random delay; deposits
  swept through one consolidation address per exchange that pays the hot wallet later
  (deposit -> consolidation -> hot wallet); and forwarder contracts created by the hot wallet
  that pass ETH on inside the deposit (no event) and whose tokens the hot wallet flushes;
- token sweeps after a gas top-up from the hot wallet itself, not from a gas station;
- a DEX pool that pays the token buyer WETH, not ETH: traders unwrap later, in a tx of their own;
- mixers at 1, 10 and 100 ETH; relayer fees a flat 0.3-1.5 %;
- the thief: a gas funder that tops up fresh addresses before they move tokens, tokens moved to
  fresh addresses and sold there in chunks, WETH sometimes passed on before it is unwrapped,
  account-model peel chains (a part to a deposit or a fresh address, the rest to a fresh next
  address), merges of several thief addresses into one, mixer notes withdrawn after 2-30 hours
  to fresh addresses that hop once before a deposit, tokens deposited unsold, bridge deposits
  by vault transfer (memo in calldata) or router call (memo in the Deposit event), and
  address-poisoning dust sent to thief addresses by a stranger;
- a victim multisig (a contract wallet) drained through internal calls and a token Transfer
  from the contract, by an attacker EOA whose gas came from an exchange withdrawal (clean ETH);
- an unlabelled instant exchange: ETH paid to a fresh order address, swept to the service's hot
  wallet, paid back in USDX or ETH from the hot wallet with no on-chain link. Honest users and the
  thief both use it; the thief's deposits of such payouts are in truth/cash_outs_via_service.csv
  (not cash_outs.csv: nothing on-chain links them to the heist), the orders in service_swaps.csv;
- honest look-alikes: users who receive from exchanges and pay the same exchanges, honest mixer
  users and bridge users, and honest peel-like payers.

With --lock-bridge (default worlds keep their bytes): an unlabelled lock-and-release bridge with
no memos (Multichain/Ren-like events, or calldata only; ETH and USDX) that honest users and the
thief deposit to and that releases to honest users arriving from other chains through MPC
signers' transactions; truth/lock_bridge.csv (docs/GEN.md).

With --across-bridge (default worlds keep their bytes): an unlabelled Across-like pool
(V3FundsDeposited deposits of ETH or USDX; relayers fill elsewhere from their own funds and are
paid back in bulk refunds by a dataworker's calls; deposits from other chains filled here by the
relayers; relayers deposit at exchanges now and then) that honest users and the thief use;
truth/across_bridge.csv. With --fresh-bridge-users: honest bridge users pay from a fresh address
that an exchange withdrawal funded and that sends the bridge everything it got.

With --calldata-bridge (and --lock-bridge): the lock bridge's deposits but the Bitcoin ones are
Wormhole transferTokens / wrapAndTransferETH calls whose input alone names the destination (no
event). With --bridge-router (and --across-bridge): half the pool's deposits call an unlabelled
aggregator router that passes the value on to the pool, which emits the event;
truth/bridge_router.csv. With --swap-router (implies both): the same router also swaps: half of
all DEX swaps (the thief's and everyone's) call it; it takes the input, pays the pool, and the
pool pays the output to the router, which passes it on, or to the trader directly;
truth/router_swaps.csv. Worlds without them keep their bytes.

With --contract-hot (default worlds keep their bytes): the hot wallets of Quarry and Sable are
Safe-like contracts (category exchange_hot_contract, unlabelled): deposit addresses sweep (or
forward) into them as before, and every payment out of one is a transaction of the exchange's
operator EOA (exchange_operator) calling the contract, which pays in that call.
"""
import argparse
import csv
import json
import os
import random

WETH = "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"
ZERO = "0x" + "00" * 20
def keccak256(data):
    """Keccak-256 (the pre-standard padding Ethereum uses), pure Python."""
    RC = [0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
          0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
          0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
          0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
          0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
          0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008]
    ROT = [[0, 36, 3, 41, 18], [1, 44, 10, 45, 2], [62, 6, 43, 15, 61], [28, 55, 25, 21, 56],
           [27, 20, 39, 8, 14]]
    M = (1 << 64) - 1
    rate = 136
    msg = bytearray(data) + b"\x01"
    while len(msg) % rate:
        msg.append(0)
    msg[-1] |= 0x80
    st = [[0] * 5 for _ in range(5)]
    for off in range(0, len(msg), rate):
        for i in range(rate // 8):
            st[i % 5][i // 5] ^= int.from_bytes(msg[off + 8 * i:off + 8 * i + 8], "little")
        for rnd in range(24):
            C = [st[x][0] ^ st[x][1] ^ st[x][2] ^ st[x][3] ^ st[x][4] for x in range(5)]
            D = [C[(x - 1) % 5] ^ (((C[(x + 1) % 5] << 1) | (C[(x + 1) % 5] >> 63)) & M) for x in range(5)]
            st = [[st[x][y] ^ D[x] for y in range(5)] for x in range(5)]
            B = [[0] * 5 for _ in range(5)]
            for x in range(5):
                for y in range(5):
                    r = ROT[x][y]
                    v = st[x][y]
                    B[y][(2 * x + 3 * y) % 5] = ((v << r) | (v >> (64 - r))) & M if r else v
            st = [[B[x][y] ^ ((~B[(x + 1) % 5][y]) & B[(x + 2) % 5][y]) for y in range(5)] for x in range(5)]
            st[0][0] ^= RC[rnd]
    return b"".join(st[i % 5][i // 5].to_bytes(8, "little") for i in range(4))


def topic(sig):
    return "0x" + keccak256(sig.encode()).hex()


def selector(sig):
    return topic(sig)[:10]


T_TRANSFER = topic("Transfer(address,address,uint256)")
T_WDEPOSIT = topic("Deposit(address,uint256)")
T_WWITHDRAW = topic("Withdrawal(address,uint256)")
T_SWAP = topic("Swap(address,uint256,uint256,uint256,uint256,address)")
T_TC_DEPOSIT = topic("Deposit(address,address,uint256,string)")
T_MIX_DEPOSIT = topic("Deposit(bytes32,uint32,uint256)")
T_MIX_WITHDRAW = topic("Withdrawal(address,bytes32,address,uint256)")
SEL_TRANSFER = selector("transfer(address,uint256)")
SEL_EXEC = selector("execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)")
SEL_DEPOSIT_EXPIRY = selector("depositWithExpiry(address,address,uint256,string,uint256)")
SEL_MULTICALL = selector("multicall(bytes[])")
# a Safe's execTransaction(to, value, data, operation, safeTxGas, baseGas, gasPrice, gasToken,
# refundReceiver, signatures) (payable: the owner sends the value with it)
SEL_SAFE_EXEC = selector("execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)")
# LI.FI's ThorSwap facet: startBridgeTokensViaThorSwap(BridgeData, ThorSwapData{vault, memo, expiration})
SEL_LIFI_THOR = selector("startBridgeTokensViaThorSwap((bytes32,string,string,address,address,address,uint256,"
                         "uint256,bool,bool),(address,string,uint256))")
SEL_MIX_DEPOSIT = selector("deposit(bytes32)")
SEL_MIX_WITHDRAW = selector("withdraw(bytes,bytes32,bytes32,address,address,uint256,uint256)")
SEL_WETH_WITHDRAW = selector("withdraw(uint256)")
SEL_WETH_DEPOSIT = selector("deposit()")
SEL_SWAP = selector("swap(uint256,uint256,address,bytes)")
SEL_FLUSH = selector("flushTokens(address)")
# --lock-bridge: a Multichain/Ren-like lock-and-release bridge (no memo): the recipient as an
# indexed address on another EVM chain, or as bytes (a Bitcoin address in ASCII), or in calldata
T_ANY_OUT = topic("LogAnySwapOut(address,address,address,uint256,uint256,uint256)")
T_ANY_IN = topic("LogAnySwapIn(bytes32,address,address,uint256,uint256,uint256)")
T_BURN_TO = topic("LogBurn(bytes,uint256,uint256,bytes)")
SEL_ANY_OUT = selector("anySwapOut(address,address,uint256,uint256)")
SEL_ANY_OUT_NATIVE = selector("anySwapOutNative(address,address,uint256)")
SEL_BURN_TO = selector("burn(bytes,uint256)")
SEL_ANY_IN = selector("anySwapIn(bytes32,address,address,uint256,uint256)")
# --across-bridge: an Across-like pool (SpokePool): deposits name the destination chain and the
# recipient in V3FundsDeposited; relayers fill on the other chain from their own funds and the
# pool pays them back in bulk refunds (a dataworker's executeRelayerRefundLeaf); fills of deposits
# from other chains are paid here by the relayers (fillV3Relay: ETH passed through the pool in
# the relayer's call, tokens moved straight from relayer to recipient)
T_V3_DEPOSITED = topic("V3FundsDeposited(address,address,uint256,uint256,uint256,uint32,uint32,uint32,uint32,"
                       "address,address,address,bytes)")
T_V3_FILLED = topic("FilledV3Relay(address,address,uint256,uint256,uint256,uint256,uint32,uint32,uint32,"
                    "address,address,address,address,bytes)")
T_REFUND_LEAF = topic("ExecutedRelayerRefundRoot(uint256,uint256,uint256[],uint32,uint32,address,address[],address)")
SEL_DEPOSIT_V3 = selector("depositV3(address,address,address,address,uint256,uint256,uint256,address,uint32,"
                          "uint32,uint32,bytes)")
SEL_FILL_V3 = selector("fillV3Relay((address,address,address,address,address,uint256,uint256,uint256,uint32,"
                       "uint32,uint32,uint32,bytes),uint256)")
# --calldata-bridge: the lock bridge's deposits are Wormhole token-bridge calls whose input alone
# names the destination (no event of theirs in the logs)
SEL_WH_TRANSFER = selector("transferTokens(address,uint256,uint16,bytes32,uint256,uint32)")
SEL_WH_WRAP = selector("wrapAndTransferETH(uint16,bytes32,uint256,uint32)")
# --bridge-router: an aggregator's router in front of the Across-like pool (LI.FI/Socket-like):
# the user calls the router, which calls the pool; the pool emits the deposit event
# --swap-router: the same aggregator router also swaps (1inch/LI.FI-like): the trader calls the router,
# which passes the input to the DEX pool; the pool pays the output to the router, which passes it
# on, or to the trader directly
SEL_ROUTER_SWAP = selector("swap(address,(address,address,address,address,uint256,uint256,uint256),bytes)")
SEL_SWAP_BRIDGE = selector("swapAndStartBridgeTokensViaAcross((bytes32,string,string,address,address,address,"
                           "uint256,uint256,bool,bool),(address,address,address,address,uint256,bytes,bool)[],"
                           "(address,uint256,bytes))")
SEL_ROUTER_MULTI = selector("startBridgeTokensViaMultichain((bytes32,string,string,address,address,address,uint256,"
                            "uint256,bool,bool),(address,address))")
SEL_ROUTER_BRIDGE = selector("startBridgeTokensViaAcross((bytes32,string,address,address,uint256,uint256),bytes)")
SEL_REFUND_LEAF = selector("executeRelayerRefundLeaf(uint32,(uint256,uint256,uint256[],uint32,address,address[]),"
                           "bytes32[])")
assert T_TRANSFER == "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
GWEI = 10**9
ETH = 10**18
BLOCK_S = 12
GENESIS_TS = 1780000000  # --genesis-ts
BTC_TO = []  # --btc-to


def word(x):
    return "%064x" % x


def aword(a):
    return "0" * 24 + a[2:]


# ---------------------------------------------------------------- bech32 (BIP 173) -------------
B32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _polymod(values):
    gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]
    chk = 1
    for v in values:
        b = chk >> 25
        chk = (chk & 0x1ffffff) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if ((b >> i) & 1) else 0
    return chk


def bech32_p2wpkh(h20, hrp="bc"):
    acc, bits, data = 0, 0, [0]
    for b in h20:
        acc = (acc << 8) | b
        bits += 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    hv = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    pm = _polymod(hv + data + [0] * 6) ^ 1
    return hrp + "1" + "".join(B32[d] for d in data + [(pm >> 5 * (5 - i)) & 31 for i in range(6)])


# ---------------------------------------------------------------- the chain --------------------
class Chain:
    def __init__(self, out, rnd):
        self.rnd = rnd
        self.out = out
        self.f = {}
        self.w = {}
        heads = {
            "blocks": "number,hash,parent_hash,nonce,sha3_uncles,logs_bloom,transactions_root,state_root,receipts_root,miner,difficulty,total_difficulty,size,extra_data,gas_limit,gas_used,timestamp,transaction_count,base_fee_per_gas,withdrawals_root,withdrawals",
            "transactions": "hash,nonce,block_hash,block_number,transaction_index,from_address,to_address,value,gas,gas_price,input,block_timestamp,max_fee_per_gas,max_priority_fee_per_gas,transaction_type",
            "receipts": "transaction_hash,transaction_index,block_hash,block_number,cumulative_gas_used,gas_used,contract_address,root,status,effective_gas_price,l1_fee,l1_gas_used,l1_gas_price,l1_fee_scalar",
            "logs": "log_index,transaction_hash,transaction_index,block_hash,block_number,address,data,topics",
            "token_transfers": "token_address,from_address,to_address,value,transaction_hash,log_index,block_number",
            "traces": "block_number,transaction_hash,transaction_index,from_address,to_address,value,input,output,trace_type,call_type,reward_type,gas,gas_used,subtraces,trace_address,error,status,trace_id",
            "tokens": "address,symbol,name,decimals,total_supply,block_number",
        }
        for k, h in heads.items():
            self.f[k] = open(os.path.join(out, k + ".csv"), "w", newline="")
            self.w[k] = csv.writer(self.f[k], lineterminator="\n")
            self.w[k].writerow(h.split(","))
        self.eth = {}
        self.tok = {}
        self.nonce = {}
        self.number = 0
        self.parent = "0x" + "00" * 32
        self.base = 12 * GWEI
        self.pending = []     # (kind, row) of the open block, written at its close
        self.withdrawals = []
        self.undo = []
        self.gas_used = 0
        self.log_index = 0
        self.undo = []
        self.builders = [self.addr() for _ in range(4)]
        self.miner = self.builders[0]
        self.hash = self.h32()
        self.n_txs = 0
        self.n_failed = 0
        self.contracts = set()

    def h32(self):
        return "0x%064x" % self.rnd.getrandbits(256)

    def addr(self):
        return "0x%040x" % self.rnd.getrandbits(160)

    def ts(self):
        return GENESIS_TS + self.number * BLOCK_S

    def credit(self, a, v):
        self.undo.append((self.eth, a, self.eth.get(a, 0)))
        self.eth[a] = self.eth.get(a, 0) + v

    def debit(self, a, v):
        b = self.eth.get(a, 0)
        if b < v:
            raise RuntimeError("overdraft %s: %d < %d at block %d" % (a, b, v, self.number))
        self.undo.append((self.eth, a, b))
        self.eth[a] = b - v

    def tbal(self, t, a):
        return self.tok.get((t, a), 0)

    def tmove(self, t, src, dst, v):
        for k in ((t, src), (t, dst)):
            self.undo.append((self.tok, k, self.tok.get(k, 0)))
        if src != ZERO:
            b = self.tbal(t, src)
            if b < v:
                raise RuntimeError("token overdraft %s %s: %d < %d" % (t, src, b, v))
            self.tok[(t, src)] = b - v
        if dst != ZERO:
            self.tok[(t, dst)] = self.tbal(t, dst) + v

    def withdraw(self, a, gwei):
        self.withdrawals.append((a, gwei))

    def fee(self, gas):
        return gas * (self.base + 2 * GWEI)

    def tx(self, src, to, value=0, data="0x", gas=21000, calls=(), logs=(), status=1, create=None):
        """One transaction. calls: internal value transfers (from, to, value) in order; logs:
        (address, [topics], data, token_transfer or None) where a token transfer is
        (token, from, to, value). Failed: fee only."""
        tip = self.rnd.choice([1, 1, 2]) * GWEI
        price = self.base + tip
        fee = gas * price
        self.undo = []
        try:
            self.apply(src, to, value, gas, tip, fee, calls, logs, status, create)
        except RuntimeError:
            for d, k, v in reversed(self.undo):   # nothing of a tx that cannot be paid
                d[k] = v
            raise
        return self.emit(src, to, value, data, gas, price, tip, calls, logs, status, create)

    def apply(self, src, to, value, gas, tip, fee, calls, logs, status, create):
        self.debit(src, fee)
        self.credit(self.miner, gas * tip)
        if status:
            if value:
                self.debit(src, value)
                self.credit(to or create, value)
            for a, b, v in calls:
                self.debit(a, v)
                self.credit(b, v)
            for _, _, _, tt in logs:
                if tt:
                    self.tmove(*tt)

    def emit(self, src, to, value, data, gas, price, tip, calls, logs, status, create):
        h = self.h32()
        n = self.nonce.get(src, 0)
        self.nonce[src] = n + 1
        idx = sum(1 for k, _ in self.pending if k == "transactions")
        self.gas_used += gas
        typ = 2 if self.rnd.random() < 0.8 else 0
        self.pending.append(("transactions", [h, n, None, self.number, idx, src, to or "", value, gas + self.rnd.randint(0, 30000),
                                              price, data, self.ts(), 2 * self.base + tip if typ == 2 else "",
                                              tip if typ == 2 else "", typ]))
        self.pending.append(("receipts", [h, idx, None, self.number, self.gas_used, gas, create or "", "", status,
                                          price, "", "", "", ""]))
        top_calls = list(calls) if status else []
        self.pending.append(("traces", [self.number, h, idx, src, to or create or "", value, data, "0x",
                                        "create" if create else "call", "" if create else "call", "", gas, gas - 21000 if gas > 21000 else 0,
                                        len(top_calls), "", "" if status else "Reverted", status,
                                        ("create_%s_" if create else "call_%s_") % h]))
        for i, (a, b, v) in enumerate(top_calls):
            self.pending.append(("traces", [self.number, h, idx, a, b, v, "0x", "0x", "call", "call", "", 2300, 0, 0,
                                            str(i), "", 1, "call_%s_%d" % (h, i)]))
        if status:
            for la, topics, ldata, tt in logs:
                li = self.log_index
                self.log_index += 1
                self.pending.append(("logs", [li, h, idx, None, self.number, la, ldata, ",".join(topics)]))
                if tt:
                    t, a, b, v = tt
                    self.pending.append(("token_transfers", [t, a, b, v, h, li, self.number]))
        else:
            self.n_failed += 1
        if create:
            self.contracts.add(create)
        self.n_txs += 1
        return h

    def close(self):
        """Closes the open block: writes it and its rows."""
        bh = self.hash
        for a, g in self.withdrawals:
            self.credit(a, g * GWEI)
        wd = ",".join('{"index":%d,"validator_index":%d,"address":"%s","amount":%d}' % (i, 400000 + i, a, g)
                            for i, (a, g) in enumerate(self.withdrawals))
        ntx = sum(1 for k, _ in self.pending if k == "transactions")
        self.w["blocks"].writerow([self.number, bh, self.parent, "0x0000000000000000",
                                   "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347",
                                   "0x" + "00" * 256, self.h32(), self.h32(), self.h32(), self.miner, 0, "",
                                   1000 + 150 * ntx, "0x", 30000000, self.gas_used, self.ts(), ntx, self.base,
                                   self.h32(), wd])
        for k, row in self.pending:
            if k in ("transactions", "receipts", "logs"):
                row[2 if k == "transactions" else 2 if k == "receipts" else 3] = bh
            self.w[k].writerow(row)
        self.pending = []
        self.withdrawals = []
        self.undo = []
        self.gas_used = 0
        self.log_index = 0
        self.parent = bh
        self.number += 1
        self.hash = self.h32()
        self.miner = self.rnd.choice(self.builders)
        self.base = max(3 * GWEI, min(60 * GWEI, int(self.base * self.rnd.uniform(0.93, 1.07))))

    def finish(self):
        for f in self.f.values():
            f.close()


# ---------------------------------------------------------------- the world --------------------
class World:
    def __init__(self, out, seed, txs):
        self.rnd = random.Random(seed)
        self.c = Chain(out, self.rnd)
        self.target = txs
        self.entities = []       # (id, name, category)
        self.addrs = []          # address rows
        self.kind = {}
        self.cash_outs = []
        self.bridge = []
        self.mixer_links = []
        self.heists = []
        self.sched = {}          # block -> [callables]
        self.service_swaps = []
        self.service_cash_outs = []

    def entity(self, name, cat):
        eid = "e%d" % (len(self.entities) + 1)
        self.entities.append((eid, name, cat))
        return eid

    def new(self, eid, cat, customer="", exchange="", contract=False):
        a = self.c.addr()
        name = next(n for i, n, _ in self.entities if i == eid)
        self.addrs.append([a, "contract" if contract else "eoa", eid, name, cat, customer, exchange])
        self.kind[a] = cat
        return a

    def at(self, block, fn):
        self.sched.setdefault(max(block, self.c.number), []).append(fn)

    def run_due(self):
        for fn in self.sched.pop(self.c.number, []):
            fn()


def build(out, seed, txs, no_reuse_mixing=False, mixer_evidence=False, lock_bridge=False, contract_hot=False,
          across_bridge=False, fresh_bridge_users=False, calldata_bridge=False, bridge_router=False,
          swap_router=False, swap_bridge=False, lock_router=False, thor_aggregator=False, nested_memo=False):
    thor_aggregator = thor_aggregator or nested_memo
    across_bridge = across_bridge or swap_router or swap_bridge or lock_router or thor_aggregator
    bridge_router = bridge_router or swap_router or swap_bridge or lock_router or thor_aggregator
    lock_bridge = lock_bridge or lock_router
    no_reuse_mixing = no_reuse_mixing or mixer_evidence
    W = World(out, seed, txs)
    c, rnd = W.c, W.rnd
    tdir = os.path.join(out, "truth")
    os.makedirs(tdir, exist_ok=True)
    # ---- actors
    dep_e = W.entity("deployer", "deployer")
    deployer = W.new(dep_e, "deployer")
    tok_e = W.entity("Tethys", "token")
    usdx = W.new(tok_e, "token", contract=True)
    dai_e = W.entity("Daisy", "token")
    daix = W.new(dai_e, "token", contract=True)
    weth_e = W.entity("WETH", "weth")
    W.addrs.append([WETH, "contract", weth_e, "WETH", "weth", "", ""])
    tokens = {usdx: ("USDX", 6), daix: ("DAIX", 18)}
    issuer_e = W.entity("Tethys Treasury", "stablecoin_issuer")
    issuer = W.new(issuer_e, "stablecoin_issuer")
    dex_e = W.entity("Pondswap", "dex_pair")
    pools = {usdx: W.new(dex_e, "dex_pair", contract=True), daix: W.new(dex_e, "dex_pair", contract=True)}
    reserves = {}
    mix_e = W.entity("Fogbank", "mixer_pool")
    denoms = [1 * ETH, 10 * ETH, 100 * ETH]
    mixers = {d: W.new(mix_e, "mixer_pool", contract=True) for d in denoms}
    notes = {d: [] for d in denoms}   # unspent notes: (deposit_tx, block, depositor, owner_callback, heist)
    rel_e = W.entity("relayers", "mixer_relayer")
    relayers = [W.new(rel_e, "mixer_relayer") for _ in range(5)]
    br_e = W.entity("ThorLike", "bridge_router")
    router = W.new(br_e, "bridge_router", contract=True)
    vault = W.new(br_e, "bridge_vault")
    spam_e = W.entity("poisoner", "user")
    spammer = W.new(spam_e, "user")
    swap_e = W.entity("Quickflip", "instant_exchange")     # unlabelled: no provider knows it
    swapper = {"eid": swap_e, "hot": W.new(swap_e, "instant_exchange"), "orders": []}
    ex_names = ["Northwind", "Harbor", "Lumen", "Quarry", "Sable"]
    exchanges = []
    for i, n in enumerate(ex_names):
        eid = W.entity(n, "exchange")
        style = ["alone", "batch", "consolidate", "alone", "forward"][i]
        ex = {"name": n, "eid": eid, "hot": [W.new(eid, "exchange", exchange=n) for _ in range(2)],
              "style": style, "deposits": {}, "pending": set()}
        if style == "consolidate":
            ex["cons"] = W.new(eid, "exchange_consolidation", exchange=n)
        exchanges.append(ex)
    # --contract-hot: Quarry's and Sable's hot wallets are contracts an operator EOA pays out of
    hot_op = {}
    if contract_hot:
        for ex in exchanges[3:]:
            op = W.new(ex["eid"], "exchange_operator", exchange=ex["name"])
            for h in ex["hot"]:
                row = next(r for r in W.addrs if r[0] == h)
                row[1], row[4] = "contract", "exchange_hot_contract"
                W.kind[h] = "exchange_hot_contract"
                hot_op[h] = op
    n_users = max(300, txs // 40)
    users = []
    for i in range(n_users):
        eid = W.entity("user-%d" % (i + 1), "user")
        users.append({"eid": eid, "addrs": [W.new(eid, "user") for _ in range(rnd.choice([1, 1, 2, 3]))]})

    lockb = None
    if lock_bridge:
        # unlabelled: a provider's list knows THORChain, not this one
        lb_e = W.entity("Spanway", "bridge_lock")
        lockb = W.new(lb_e, "bridge_lock", contract=True)
        mpc = [W.new(lb_e, "bridge_relayer") for _ in range(2)]
        lock_rows = []
    acr = None
    if bridge_router and across_bridge:
        # unlabelled: an aggregator's router; it holds nothing and passes each deposit on
        acr = W.new(W.entity("Hopway", "aggregator_router"), "aggregator_router", contract=True)
        router_rows = []
    swap_rows = []
    swapbridge_rows, lockrouter_rows = [], []
    acp = None
    if across_bridge:
        # unlabelled too; each relayer is a business of its own
        ac_e = W.entity("Arcspan", "bridge_pool")
        acp = W.new(ac_e, "bridge_pool", contract=True)
        ac_dw = W.new(ac_e, "bridge_operator")
        ac_rel_e = [W.entity("relayer-%d" % (i + 1), "bridge_relayer") for i in range(3)]
        ac_rel = [W.new(e, "bridge_relayer") for e in ac_rel_e]
        ac_owed = {}        # (relayer, asset) -> what the pool owes it for fills on other chains
        ac_rows = []
        ac_ids = [0]

    # ---- block 0: genesis (empty); block 1: funding withdrawals
    c.close()
    if lock_bridge:
        for m in mpc:
            c.withdraw(m, 3000 * 10**9)
    if across_bridge:
        for r in ac_rel:
            c.withdraw(r, 2500 * 10**9)
        c.withdraw(ac_dw, 20 * 10**9)
    c.withdraw(deployer, 100 * 10**9)
    c.withdraw(issuer, 100 * 10**9)
    for ex in exchanges:
        for h in ex["hot"]:
            c.withdraw(h, 60000 * 10**9)
    for r in relayers:
        c.withdraw(r, 20 * 10**9)
    c.withdraw(spammer, 5 * 10**9)
    for op in sorted(set(hot_op.values())):
        c.withdraw(op, 500 * 10**9)
    c.withdraw(swapper["hot"], 8000 * 10**9)
    c.close()
    # block 2: contracts, mints, pools
    for t in list(tokens) + list(pools.values()) + list(mixers.values()) + [router] + ([acp] if acp else []) + ([acr] if acr else []):
        c.tx(deployer, None, gas=900000, data="0x6080", create=t)
    for t, (sym, dec) in tokens.items():
        amt = 10**9 * 10**dec
        c.tx(issuer, t, data=SEL_TRANSFER, gas=60000,
             logs=[(t, [T_TRANSFER, "0x" + aword(ZERO), "0x" + aword(issuer)], "0x" + word(amt), (t, ZERO, issuer, amt))])
        c.w["tokens"].writerow([t, sym, sym + " token", dec, amt, c.number])
    c.close()
    for ex in exchanges:
        for h in ex["hot"]:
            for t, (sym, dec) in tokens.items():
                v = 20_000_000 * 10**dec
                c.tx(issuer, t, data=SEL_TRANSFER, gas=52000,
                     logs=[(t, [T_TRANSFER, "0x" + aword(issuer), "0x" + aword(h)], "0x" + word(v), (t, issuer, h, v))])
    for r in (ac_rel if across_bridge else []):
        v = 2_000_000 * 10**tokens[usdx][1]
        c.tx(issuer, usdx, data=SEL_TRANSFER, gas=52000,
             logs=[(usdx, [T_TRANSFER, "0x" + aword(issuer), "0x" + aword(r)], "0x" + word(v), (usdx, issuer, r, v))])
    v = 5_000_000 * 10**tokens[usdx][1]
    c.tx(issuer, usdx, data=SEL_TRANSFER, gas=52000,
         logs=[(usdx, [T_TRANSFER, "0x" + aword(issuer), "0x" + aword(swapper["hot"])], "0x" + word(v),
                (usdx, issuer, swapper["hot"], v))])
    # the victim's multisig: a contract wallet its hot wallet fills with ETH and DAIX
    msig = W.new(exchanges[1]["eid"], "exchange", exchange=exchanges[1]["name"], contract=True)
    exchanges[1]["msig"] = msig
    c.tx(exchanges[1]["hot"][1], None, gas=700000, data="0x6080", create=msig)
    c.tx(exchanges[1]["hot"][1], msig, value=9000 * ETH, gas=30000)
    v = 8_000_000 * 10**18
    c.tx(exchanges[1]["hot"][1], daix, data=SEL_TRANSFER, gas=52000,
         logs=[(daix, [T_TRANSFER, "0x" + aword(exchanges[1]["hot"][1]), "0x" + aword(msig)], "0x" + word(v),
                (daix, exchanges[1]["hot"][1], msig, v))])
    # liquidity: the deployer-funded pools hold tokens and WETH (WETH minted from the hot wallets'
    # ETH by a wrap, then moved): simple seeds, by the issuer and an exchange
    lp = exchanges[0]["hot"][0]
    for t, p in pools.items():
        dec = tokens[t][1]
        ew = 20000 * ETH
        c.tx(lp, WETH, value=ew, data=SEL_WETH_DEPOSIT, gas=45000,
             logs=[(WETH, [T_WDEPOSIT, "0x" + aword(lp)], "0x" + word(ew), None)])
        c.tok[(WETH, lp)] = c.tbal(WETH, lp) + ew
        c.tx(lp, WETH, data=SEL_TRANSFER, gas=50000,
             logs=[(WETH, [T_TRANSFER, "0x" + aword(lp), "0x" + aword(p)], "0x" + word(ew), (WETH, lp, p, ew))])
        ta = 40_000_000 * 10**dec
        c.tx(issuer, t, data=SEL_TRANSFER, gas=50000,
             logs=[(t, [T_TRANSFER, "0x" + aword(issuer), "0x" + aword(p)], "0x" + word(ta), (t, issuer, p, ta))])
        reserves[t] = [ta, ew]
    c.close()

    # ---- helpers
    def eth_of(a):
        return c.eth.get(a, 0)

    def pay(src, dst, v, data="0x"):
        if src in hot_op:   # the operator calls the contract hot wallet, which pays
            return c.tx(hot_op[src], src, data=SEL_EXEC + aword(dst) + word(v) + word(0x60), gas=58000,
                        calls=[(src, dst, v)])
        return c.tx(src, dst, value=v, data=data)

    def tpay(src, t, dst, v):
        if src in hot_op:
            return c.tx(hot_op[src], src, data=SEL_EXEC + aword(t) + word(0) + word(0x60), gas=83000,
                        logs=[(t, [T_TRANSFER, "0x" + aword(src), "0x" + aword(dst)], "0x" + word(v), (t, src, dst, v))])
        return c.tx(src, t, data=SEL_TRANSFER + aword(dst) + word(v), gas=52000,
                    logs=[(t, [T_TRANSFER, "0x" + aword(src), "0x" + aword(dst)], "0x" + word(v), (t, src, dst, v))])

    def wrap(a, v):
        h = c.tx(a, WETH, value=v, data=SEL_WETH_DEPOSIT, gas=45000,
                 logs=[(WETH, [T_WDEPOSIT, "0x" + aword(a)], "0x" + word(v), None)])
        c.tok[(WETH, a)] = c.tbal(WETH, a) + v
        return h

    def unwrap(a, v):
        if c.tbal(WETH, a) < v:
            raise RuntimeError("WETH overdraft")
        h = c.tx(a, WETH, data=SEL_WETH_WITHDRAW + word(v), gas=36000, calls=[(WETH, a, v)],
                 logs=[(WETH, [T_WWITHDRAW, "0x" + aword(a)], "0x" + word(v), None)])
        c.tok[(WETH, a)] = c.tbal(WETH, a) - v
        return h

    def routed(a, p, t_in, v, t_out, out, swap_data, heist):
        """--swap-router: a swap through the aggregator router (half of all swaps, the thief's and
        everyone's): trader -> router -> pool; the pool pays the router, which passes the output
        on, or (half of these) pays the trader directly."""
        direct = rnd.random() < 0.5
        dst = a if direct else acr
        logs = [(t_in, [T_TRANSFER, "0x" + aword(a), "0x" + aword(acr)], "0x" + word(v), (t_in, a, acr, v)),
                (t_in, [T_TRANSFER, "0x" + aword(acr), "0x" + aword(p)], "0x" + word(v), (t_in, acr, p, v)),
                (t_out, [T_TRANSFER, "0x" + aword(p), "0x" + aword(dst)], "0x" + word(out), (t_out, p, dst, out)),
                (p, [T_SWAP, "0x" + aword(acr), "0x" + aword(dst)], swap_data, None)]
        if not direct:
            logs.append((t_out, [T_TRANSFER, "0x" + aword(acr), "0x" + aword(a)], "0x" + word(out), (t_out, acr, a, out)))
        h = c.tx(a, acr, data=SEL_ROUTER_SWAP + aword(t_in) + word(0x40) + aword(t_in) + aword(t_out) + aword(p)
                 + aword(a) + word(v) + word(out - out // 200) + word(0), gas=170000, logs=logs)
        swap_rows.append([heist, h, c.number, a, acr, p, t_in, v, t_out, out, "trader" if direct else "router"])
        return h

    def swap_bridge_out(a, t, v, heist=""):
        """--swap-bridge: LI.FI's swapAndStartBridgeTokensVia... in one tx: the trader's token goes
        to the router, the router sells it at the DEX pool for WETH paid to the router, and the
        router deposits the WETH into the Across-like pool (V3FundsDeposited, the trader as
        depositor)."""
        if c.tbal(t, a) < v or eth_of(a) < c.fee(240000):
            return None
        rt, rw = reserves[t]
        outw = v * 997 * rw // (rt * 1000 + v * 997)
        p = pools[t]
        chain = rnd.choice([10, 8453, 42161, 59144])
        rcpt = c.addr()
        dep_id = ac_ids[0]
        ac_ids[0] += 1
        out_v = outw - outw // 400
        ev = (aword(WETH) + aword(WETH) + word(outw) + word(out_v) + word(c.ts()) + word(c.ts() + 21600) + word(0)
              + aword(rcpt) + aword(ZERO) + word(0x140) + word(0))
        topics = [T_V3_DEPOSITED, "0x" + word(chain), "0x" + word(dep_id), "0x" + aword(a)]
        data = (SEL_SWAP_BRIDGE + word(0x60) + word(0x1a0) + word(0x2a0) + word(rnd.getrandbits(256)) + aword(t)
                + aword(WETH) + aword(rcpt) + word(v) + word(chain) + word(1))
        logs = [(t, [T_TRANSFER, "0x" + aword(a), "0x" + aword(acr)], "0x" + word(v), (t, a, acr, v)),
                (t, [T_TRANSFER, "0x" + aword(acr), "0x" + aword(p)], "0x" + word(v), (t, acr, p, v)),
                (WETH, [T_TRANSFER, "0x" + aword(p), "0x" + aword(acr)], "0x" + word(outw), (WETH, p, acr, outw)),
                (p, [T_SWAP, "0x" + aword(acr), "0x" + aword(acr)], "0x" + word(v) + word(0) + word(0) + word(outw), None),
                (WETH, [T_TRANSFER, "0x" + aword(acr), "0x" + aword(acp)], "0x" + word(outw), (WETH, acr, acp, outw)),
                (acp, topics, "0x" + ev, None)]
        h = c.tx(a, acr, data=data, gas=240000, logs=logs)
        reserves[t] = [rt + v, rw - outw]
        ac_rows.append(["deposit", heist, h, c.number, c.ts(), a, acp, WETH, outw, chain, rcpt])
        swapbridge_rows.append([heist, h, c.number, a, acr, p, t, v, acp, outw, chain, rcpt])
        return h

    def sell(a, t, v, heist=""):
        """Sells v of token t for WETH, paid to the seller (no unwrap in the same tx)."""
        rt, rw = reserves[t]
        outw = v * 997 * rw // (rt * 1000 + v * 997)
        p = pools[t]
        if swap_router and rnd.random() < 0.5:
            h = routed(a, p, t, v, WETH, outw, "0x" + word(v) + word(0) + word(0) + word(outw), heist)
            reserves[t] = [rt + v, rw - outw]
            return h, outw
        h = c.tx(a, p, data=SEL_SWAP + word(0) + word(outw) + aword(a) + word(0x80), gas=130000,
                 logs=[(t, [T_TRANSFER, "0x" + aword(a), "0x" + aword(p)], "0x" + word(v), (t, a, p, v)),
                       (WETH, [T_TRANSFER, "0x" + aword(p), "0x" + aword(a)], "0x" + word(outw), (WETH, p, a, outw)),
                       (p, [T_SWAP, "0x" + aword(a), "0x" + aword(a)], "0x" + word(v) + word(0) + word(0) + word(outw), None)])
        reserves[t] = [rt + v, rw - outw]
        return h, outw

    def buy(a, t, w):
        """Buys token t with w WETH."""
        rt, rw = reserves[t]
        outt = w * 997 * rt // (rw * 1000 + w * 997)
        p = pools[t]
        reserves[t] = [rt - outt, rw + w]
        if swap_router and rnd.random() < 0.5:
            return routed(a, p, WETH, w, t, outt, "0x" + word(0) + word(w) + word(outt) + word(0), "")
        return c.tx(a, p, data=SEL_SWAP + word(outt) + word(0) + aword(a) + word(0x80), gas=130000,
                    logs=[(WETH, [T_TRANSFER, "0x" + aword(a), "0x" + aword(p)], "0x" + word(w), (WETH, a, p, w)),
                          (t, [T_TRANSFER, "0x" + aword(p), "0x" + aword(a)], "0x" + word(outt), (t, p, a, outt)),
                          (p, [T_SWAP, "0x" + aword(a), "0x" + aword(a)], "0x" + word(0) + word(w) + word(outt) + word(0), None)])

    def new_deposit_addr(ex, customer_eid):
        """A deposit address: an EOA, or (style forward) a contract the hot wallet creates that
        passes ETH on to the hot wallet inside the deposit and whose tokens the hot wallet
        flushes later."""
        fwd = ex["style"] == "forward"
        d = W.new(ex["eid"], "exchange_deposit", customer=customer_eid, exchange=ex["name"], contract=fwd)
        if fwd:
            c.tx(hot_op.get(ex["hot"][0], ex["hot"][0]), None, gas=120000, data="0x3d602d80", create=d)
        return d

    def deposit_addr(ex, customer_eid):
        d = ex["deposits"].get(customer_eid)
        if d is None:
            d = new_deposit_addr(ex, customer_eid)
            ex["deposits"][customer_eid] = d
        return d

    ex_of_dep = {}

    def deposit(src, ex, d, v, t=None):
        """Pays a deposit (ETH or token t) into ex's deposit address d."""
        ex_of_dep[d] = ex
        if ex["style"] == "forward" and not t:
            return c.tx(src, d, value=v, gas=32000, calls=[(d, ex["hot"][0], v)])
        h = tpay(src, t, d, v) if t else pay(src, d, v)
        on_deposit(ex, d)
        return h

    def sweep(ex, d):
        """Sweeps deposit address d: tokens (after a gas top-up from the hot wallet), then ETH."""
        hot = rnd.choice(ex["hot"])
        dest = ex.get("cons", hot)
        for t in tokens:
            v = c.tbal(t, d)
            if v:
                need = c.fee(52000) * 2
                if eth_of(d) < need:
                    pay(hot, d, need)
                tpay(d, t, dest, v)
        v = eth_of(d) - c.fee(21000)
        if v > 0:
            pay(d, dest, v)
        ex["pending"].discard(d)

    def flush(ex, d):
        hot = ex["hot"][0]
        for t in tokens:
            v = c.tbal(t, d)
            if v:
                c.tx(hot_op.get(hot, hot), d, data=SEL_FLUSH + aword(t), gas=60000,
                     logs=[(t, [T_TRANSFER, "0x" + aword(d), "0x" + aword(hot)], "0x" + word(v), (t, d, hot, v))])
        ex["pending"].discard(d)

    def on_deposit(ex, d):
        if d in ex["pending"]:
            return
        ex["pending"].add(d)
        if ex["style"] == "forward":   # tokens flushed by the hot wallet
            W.at(c.number + rnd.randint(20, 600), lambda: flush(ex, d))
        elif ex["style"] == "alone":
            W.at(c.number + rnd.randint(3, 400), lambda: sweep(ex, d))
        # batch and consolidate styles sweep on their own schedule (below)

    def batch_sweeps():
        for ex in exchanges:
            if ex["style"] in ("batch", "consolidate") and c.number % rnd.choice([150, 300, 450]) == 0:
                for d in sorted(ex["pending"]):
                    sweep(ex, d)
            if ex["style"] == "consolidate" and c.number % 900 == 450:
                cons = ex["cons"]
                hot = rnd.choice(ex["hot"])
                for t in tokens:
                    v = c.tbal(t, cons)
                    if v:
                        if eth_of(cons) < c.fee(52000) * 2:
                            pay(hot, cons, c.fee(52000) * 2)
                        tpay(cons, t, hot, v)
                v = eth_of(cons) - c.fee(21000)
                if v > ETH // 10:
                    pay(cons, hot, v)

    def ex_deposit(src, ex, customer, v, t=None, d=None):
        d = d or deposit_addr(ex, customer)
        return deposit(src, ex, d, v, t), d

    def withdraw_to(ex, a, v, t=None):
        hot = max(ex["hot"], key=eth_of) if t is None else max(ex["hot"], key=lambda x: c.tbal(t, x))
        if t is None:
            if eth_of(hot) > v + ETH:
                pay(hot, a, v)
        elif c.tbal(t, hot) > v and eth_of(hot) > ETH:
            tpay(hot, t, a, v)

    def mix_deposit(a, d, heist, owner_cb):
        p = mixers[d]
        com = c.h32()
        h = c.tx(a, p, value=d, data=SEL_MIX_DEPOSIT + com[2:], gas=1_000_000,
                 logs=[(p, [T_MIX_DEPOSIT, com], "0x" + word(len(notes[d])) + word(c.ts()), None)])
        notes[d].append({"tx": h, "block": c.number, "depositor": a, "heist": heist, "cb": owner_cb})
        return h

    def mix_withdraw(d, note, recipient, relayed):
        p = mixers[d]
        nul = c.h32()
        if relayed:
            r = rnd.choice(relayers)
            fee = d * rnd.randint(30, 150) // 10000
            h = c.tx(r, p, data=SEL_MIX_WITHDRAW + word(0x100) + nul[2:], gas=350000,
                     calls=[(p, recipient, d - fee), (p, r, fee)],
                     logs=[(p, [T_MIX_WITHDRAW, "0x" + aword(r)], "0x" + aword(recipient) + nul[2:] + word(fee), None)])
        else:
            r, fee = "", 0
            sender = note["funder"]
            h = c.tx(sender, p, data=SEL_MIX_WITHDRAW + word(0x100) + nul[2:], gas=350000,
                     calls=[(p, recipient, d)],
                     logs=[(p, [T_MIX_WITHDRAW, "0x" + aword(ZERO)], "0x" + aword(recipient) + nul[2:] + word(0), None)])
        W.mixer_links.append([p, d, note["tx"], note["block"], note["depositor"], h, c.number, recipient, r, fee, note["heist"]])
        return h, d - fee

    safes = {}  # --nested-memo: each user's Safe
    memo_styles = ["=:BTC.BTC:%s", "SWAP:BTC.BTC:%s", "=:b:%s", "=:BTC.BTC:%s:0/3/0", "s:BTC.BTC:%s::t:0"]

    def bridge_out(a, v, btc, heist):
        memo = rnd.choice(memo_styles) % btc
        v = min(v, eth_of(a) - c.fee(95000 if nested_memo else 60000))
        if v <= 0:
            return None
        if rnd.random() < 0.5:
            h = c.tx(a, vault, value=v, data="0x" + memo.encode().hex(), gas=24000)
            style = "vault_transfer"
        else:
            # --thor-aggregator: half the router deposits go through the aggregator's multicall
            # (a THORSwap-like aggregator), the memo with an affiliate and a streaming swap; the
            # THORChain router still logs Deposit itself (no draw without the option)
            agg = thor_aggregator and rnd.random() < 0.5
            if agg:
                memo = "=:BTC.BTC:%s:0/2/0:hw:25" % btc
            mb = memo.encode()
            pad = mb + b"\0" * (-len(mb) % 32)
            data = (SEL_DEPOSIT_EXPIRY + aword(vault) + aword(ZERO) + word(v) + word(0xa0) + word(c.ts() + 900)
                    + word(len(mb)) + pad.hex())
            ldata = "0x" + word(v) + word(0x40) + word(len(mb)) + pad.hex()
            logs = [(router, [T_TC_DEPOSIT, "0x" + aword(vault), "0x" + aword(ZERO)], ldata, None)]
            if agg:
                inner = bytes.fromhex(data[2:])
                ipad = inner + b"\0" * (-len(inner) % 32)
                mdata = SEL_MULTICALL + word(0x20) + word(1) + word(0x20) + word(len(inner)) + ipad.hex()
                # --nested-memo: of these, a third are the multicall made from the user's Safe
                # (execTransaction wrapping it), a third LI.FI's ThorSwap facet (the memo in a
                # tuple argument); the rest as above (no draw without the option)
                shape = rnd.choice(("multicall", "safe", "lifi")) if nested_memo else "multicall"
                if shape == "safe":
                    safe = safes.get(a)
                    if safe is None:
                        safe = safes[a] = W.new(W.entity("Safe", "smart_wallet"), "smart_wallet", contract=True)
                    mb2 = bytes.fromhex(mdata[2:])
                    mpad = mb2 + b"\0" * (-len(mb2) % 32)
                    sig = c.h32()[2:] + c.h32()[2:] + "1b" + "00" * 31
                    sdata = (SEL_SAFE_EXEC + aword(acr) + word(v) + word(0x140) + word(0) * 6
                             + word(0x140 + 32 + len(mpad)) + word(len(mb2)) + mpad.hex() + word(65) + sig)
                    h = c.tx(a, safe, value=v, data=sdata, gas=95000,
                             calls=[(safe, acr, v), (acr, router, v), (router, vault, v)], logs=logs)
                    style = "safe_aggregator"
                elif shape == "lifi":
                    tid = c.h32()[2:]
                    bd = (tid + word(32 * 10) + word(32 * 12) + aword(ZERO) + aword(ZERO) + aword(ZERO) + word(v)
                          + word(20000000001) + word(0) + word(0) + word(8) + b"thorswap".hex() + "00" * 24
                          + word(6) + b"hopway".hex() + "00" * 26)
                    ts = aword(vault) + word(0x60) + word(c.ts() + 900) + word(len(mb)) + pad.hex()
                    ldata2 = SEL_LIFI_THOR + word(0x40) + word(0x40 + 32 * 14) + bd + ts
                    h = c.tx(a, acr, value=v, data=ldata2, gas=70000, calls=[(acr, router, v), (router, vault, v)],
                             logs=logs)
                    style = "lifi_aggregator"
                else:
                    h = c.tx(a, acr, value=v, data=mdata, gas=60000, calls=[(acr, router, v), (router, vault, v)],
                             logs=logs)
                    style = "aggregator"
            else:
                h = c.tx(a, router, value=v, data=data, gas=60000, calls=[(router, vault, v)], logs=logs)
                style = "router"
        W.bridge.append([heist, h, c.number, c.ts(), a, "ETH", v, memo, btc, style])
        return h

    def lock_out(a, v, heist, btc=None, t=None):
        """A deposit into the lock bridge: an indexed recipient address on an EVM chain (ETH or
        USDX), or the recipient as bytes in a LogBurn event (btc: a Bitcoin address), or (a fifth
        of the ETH deposits) nothing but the calldata."""
        if t is None:
            v = min(v, eth_of(a) - c.fee(90000))
            if v <= 0:
                return None
        elif c.tbal(t, a) < v or eth_of(a) < c.fee(90000):
            return None
        # --lock-router: half the ETH deposits call the aggregator router, which calls the bridge
        # with the value (LI.FI's startBridgeTokensVia...); the bridge's event, if any, its own
        via = lock_router and t is None and rnd.random() < 0.5

        def ctx(a, to, value=0, data="0x", gas=21000, logs=()):
            if not via:
                return c.tx(a, to, value=value, data=data, gas=gas, logs=list(logs))
            rdata = SEL_ROUTER_MULTI + word(0x40) + word(rnd.getrandbits(256)) + data[2:]
            h = c.tx(a, acr, value=value, data=rdata, gas=gas + 15000, calls=[(acr, to, value)], logs=list(logs))
            lockrouter_rows.append([heist, h, c.number, a, acr, to, "ETH", value])
            return h
        to_chain = rnd.choice([56, 137, 43114, 250])
        rcpt = c.addr()
        if btc:
            b = btc.encode()
            pad = b + b"\0" * (-len(b) % 32)
            data = SEL_BURN_TO + word(0x40) + word(v) + word(len(b)) + pad.hex()
            ld = "0x" + word(0x60) + word(v) + word(0) + word(len(b)) + pad.hex()
            h = ctx(a, lockb, value=v, data=data, gas=70000, logs=[(lockb, [T_BURN_TO], ld, None)])
            to_chain, rcpt = 0, btc
        elif calldata_bridge:
            # Wormhole chain ids; the recipient a 32-byte account or a left-padded address
            to_chain = rnd.choice([4, 5, 6, 23, 1])
            r32 = rnd.getrandbits(256) if rnd.random() < 0.3 else int(rcpt, 16)
            rcpt = "0x" + ("%064x" % r32 if r32 >> 160 else "%040x" % r32)
            if t is not None:
                data = SEL_WH_TRANSFER + aword(t) + word(v) + word(to_chain) + word(r32) + word(0) + word(rnd.getrandbits(32))
                h = c.tx(a, lockb, data=data, gas=90000,
                         logs=[(t, [T_TRANSFER, "0x" + aword(a), "0x" + aword(lockb)], "0x" + word(v), (t, a, lockb, v))])
            else:
                data = SEL_WH_WRAP + word(to_chain) + word(r32) + word(0) + word(rnd.getrandbits(32))
                h = ctx(a, lockb, value=v, data=data, gas=65000)
        elif t is not None:
            data = SEL_ANY_OUT + aword(t) + aword(rcpt) + word(v) + word(to_chain)
            h = c.tx(a, lockb, data=data, gas=90000,
                     logs=[(t, [T_TRANSFER, "0x" + aword(a), "0x" + aword(lockb)], "0x" + word(v), (t, a, lockb, v)),
                           (lockb, [T_ANY_OUT, "0x" + aword(t), "0x" + aword(a), "0x" + aword(rcpt)],
                            "0x" + word(v) + word(1) + word(to_chain), None)])
        elif rnd.random() < 0.2:
            h = ctx(a, lockb, value=v, data=SEL_ANY_OUT_NATIVE + aword(ZERO) + aword(rcpt) + word(to_chain), gas=50000)
        else:
            h = ctx(a, lockb, value=v, data=SEL_ANY_OUT_NATIVE + aword(ZERO) + aword(rcpt) + word(to_chain), gas=65000,
                     logs=[(lockb, [T_ANY_OUT, "0x" + aword(ZERO), "0x" + aword(a), "0x" + aword(rcpt)],
                            "0x" + word(v) + word(1) + word(to_chain), None)])
        lock_rows.append(["deposit", heist, h, c.number, c.ts(), a, lockb, t or "ETH", v, to_chain, rcpt])
        return h

    def lock_in(to, v, t=None):
        """A release: an MPC signer calls anySwapIn and the bridge pays `to` (ETH or USDX)."""
        m = rnd.choice(mpc)
        src = "0x%064x" % rnd.getrandbits(256)
        if t is None:
            if eth_of(lockb) < v:
                return None
            calls, tm = [(lockb, to, v)], []
        else:
            if c.tbal(t, lockb) < v:
                return None
            calls, tm = [], [(t, [T_TRANSFER, "0x" + aword(lockb), "0x" + aword(to)], "0x" + word(v), (t, lockb, to, v))]
        h = c.tx(m, lockb, data=SEL_ANY_IN + src[2:] + aword(t or ZERO) + aword(to) + word(v) + word(137), gas=80000,
                 calls=calls, logs=tm + [(lockb, [T_ANY_IN, src, "0x" + aword(t or ZERO), "0x" + aword(to)],
                                          "0x" + word(v) + word(137) + word(1), None)])
        lock_rows.append(["release", "", h, c.number, c.ts(), lockb, to, t or "ETH", v, 1, to])
        return h

    def across_out(a, v, heist, t=None):
        """A deposit into the Across-like pool (ETH or USDX): V3FundsDeposited names the
        destination chain (indexed) and the recipient (data word 7). A relayer fills it on the
        destination chain from its own funds; the pool owes that relayer the input amount less
        the LP fee, paid back later in a bulk refund."""
        if t is None:
            v = min(v, eth_of(a) - c.fee(110000))
            if v <= 0:
                return None
        elif c.tbal(t, a) < v or eth_of(a) < c.fee(110000):
            return None
        chain = rnd.choice([10, 8453, 42161, 59144])
        rcpt = c.addr()
        dep_id = ac_ids[0]
        ac_ids[0] += 1
        tok = t or WETH
        out_v = v - v // 400
        ev = (aword(tok) + aword(tok) + word(v) + word(out_v) + word(c.ts()) + word(c.ts() + 21600) + word(0)
              + aword(rcpt) + aword(ZERO) + word(0x140) + word(0))
        topics = [T_V3_DEPOSITED, "0x" + word(chain), "0x" + word(dep_id), "0x" + aword(a)]
        data = (SEL_DEPOSIT_V3 + aword(a) + aword(rcpt) + aword(tok) + aword(tok) + word(v) + word(out_v) + word(chain)
                + aword(ZERO) + word(c.ts()) + word(c.ts() + 21600) + word(0) + word(0x180) + word(0))
        via = acr is not None and rnd.random() < 0.5
        if via:
            # the user calls the router; the router passes the value on to the pool in its call
            # (ETH: an internal call; USDX: a Transfer user -> router, then router -> pool)
            rdata = (SEL_ROUTER_BRIDGE + word(0x40) + word(0x100) + word(rnd.getrandbits(256)) + word(0xc0) + aword(tok)
                     + aword(rcpt) + word(v) + word(chain) + word(4) + "6c696669" + "0" * 56 + word(len(data) // 2 - 1)
                     + data[2:] + "0" * (-(len(data) - 2) % 64))
            if t is None:
                h = c.tx(a, acr, value=v, data=rdata, gas=95000, calls=[(acr, acp, v)],
                         logs=[(acp, topics, "0x" + ev, None)])
            else:
                h = c.tx(a, acr, data=rdata, gas=110000,
                         logs=[(t, [T_TRANSFER, "0x" + aword(a), "0x" + aword(acr)], "0x" + word(v), (t, a, acr, v)),
                               (t, [T_TRANSFER, "0x" + aword(acr), "0x" + aword(acp)], "0x" + word(v), (t, acr, acp, v)),
                               (acp, topics, "0x" + ev, None)])
            router_rows.append([heist, h, c.number, a, acr, acp, t or "ETH", v, chain, rcpt])
        elif t is None:
            h = c.tx(a, acp, value=v, data=data, gas=95000, logs=[(acp, topics, "0x" + ev, None)])
        else:
            h = c.tx(a, acp, data=data, gas=110000,
                     logs=[(t, [T_TRANSFER, "0x" + aword(a), "0x" + aword(acp)], "0x" + word(v), (t, a, acp, v)),
                           (acp, topics, "0x" + ev, None)])
        r = rnd.choice(ac_rel)
        k = (r, t or "ETH")
        ac_owed[k] = ac_owed.get(k, 0) + v - v // 1000
        ac_rows.append(["deposit", heist, h, c.number, c.ts(), a, acp, t or "ETH", v, chain, rcpt])
        return h

    def across_fill(to, v, t=None):
        """A deposit made on another chain, filled here by a relayer from its own funds."""
        r = rnd.choice(ac_rel)
        if t is None:
            if eth_of(r) < v + c.fee(90000):
                return None
            calls, logs, value = [(acp, to, v)], [], v
        else:
            if c.tbal(t, r) < v or eth_of(r) < c.fee(90000):
                return None
            calls, value = [], 0
            logs = [(t, [T_TRANSFER, "0x" + aword(r), "0x" + aword(to)], "0x" + word(v), (t, r, to, v))]
        src_chain = rnd.choice([10, 8453, 42161, 59144])
        logs = logs + [(acp, [T_V3_FILLED, "0x" + word(src_chain), "0x" + word(rnd.getrandbits(24)), "0x" + aword(c.addr())],
                        "0x" + aword(t or WETH) + aword(t or WETH) + word(v) + word(v) + word(0) + aword(r) + aword(to), None)]
        h = c.tx(r, acp, value=value, data=SEL_FILL_V3 + word(0x40) + word(src_chain), gas=90000, calls=calls, logs=logs)
        ac_rows.append(["fill", "", h, c.number, c.ts(), r, to, t or "ETH", v, src_chain, to])
        return h

    def across_refunds():
        """The dataworker executes a refund leaf per asset: the pool pays each relayer what it
        is owed (a sum of many fills), as far as the pool holds it."""
        for asset in ("ETH", usdx):
            calls, logs, rows = [], [], []
            for r in ac_rel:
                v = ac_owed.get((r, asset), 0)
                held = eth_of(acp) if asset == "ETH" else c.tbal(usdx, acp)
                v = min(v, held - sum(x for _, x in rows))
                if v <= 0:
                    continue
                rows.append((r, v))
                if asset == "ETH":
                    calls.append((acp, r, v))
                else:
                    logs.append((usdx, [T_TRANSFER, "0x" + aword(acp), "0x" + aword(r)], "0x" + word(v), (usdx, acp, r, v)))
            if not rows or eth_of(ac_dw) < c.fee(200000):
                continue
            logs.append((acp, [T_REFUND_LEAF, "0x" + word(len(ac_rows)), "0x" + word(1), "0x" + aword(ac_dw)],
                         "0x" + word(sum(v for _, v in rows)) + aword(WETH if asset == "ETH" else usdx), None))
            h = c.tx(ac_dw, acp, data=SEL_REFUND_LEAF + word(len(ac_rows)) + word(0x60), gas=120000 + 30000 * len(rows),
                     calls=calls, logs=logs)
            for r, v in rows:
                ac_owed[(r, asset)] -= v
                ac_rows.append(["refund", "", h, c.number, c.ts(), acp, r, asset, v, "", ""])

    def relayer_cash():
        """A relayer moves some of its ETH to its exchange account (rebalancing: an honest
        deposit, not a cash-out of anyone's loot)."""
        i = rnd.randrange(len(ac_rel))
        r = ac_rel[i]
        v = eth_of(r) // 4
        if v > 50 * ETH:
            ex_deposit(r, rnd.choice(exchanges), ac_rel_e[i], v)

    def fresh_bridge(u, v, go):
        """--fresh-bridge-users: an honest bridge user withdraws v to a fresh address of its own
        and that address sends the bridge everything it got (go(addr, amount))."""
        a = W.new(u["eid"], "user")
        ex = rnd.choice(exchanges)
        withdraw_to(ex, a, v)
        W.at(c.number + rnd.randint(1, 20), lambda: go(a, eth_of(a) - c.fee(120000)) if eth_of(a) > c.fee(120000) * 2 else None)

    # ---- honest activity, one action at a time
    def uaddr(u):
        return rnd.choice(u["addrs"])

    def honest():
        r = rnd.random()
        u = rnd.choice(users)
        a = uaddr(u)
        bal = eth_of(a)
        if r < 0.18 or bal < ETH // 20:
            ex = rnd.choice(exchanges)
            if rnd.random() < 0.7:
                withdraw_to(ex, a, int(10**rnd.uniform(16.5, 19.7)))
            else:
                withdraw_to(ex, a, int(10**rnd.uniform(1.5, 4.5)) * 10**tokens[usdx][1], usdx)
            return
        if r < 0.45:
            v = int(bal * rnd.uniform(0.05, 0.6))
            dst = uaddr(rnd.choice(users)) if rnd.random() < 0.85 else rnd.choice(u["addrs"])
            pay(a, dst, v)
        elif r < 0.62:
            ex = rnd.choice(exchanges)
            ex_deposit(a, ex, u["eid"], int(bal * rnd.uniform(0.2, 0.9)))
        elif r < 0.72:
            t = usdx if rnd.random() < 0.7 else daix
            tb = c.tbal(t, a)
            if tb and bal > c.fee(60000) * 3:
                if rnd.random() < 0.5:
                    ex_deposit(a, rnd.choice(exchanges), u["eid"], tb, t)
                else:
                    tpay(a, t, uaddr(rnd.choice(users)), tb * rnd.randint(1, 9) // 10 or tb)
            elif bal > ETH // 5:
                w = int(bal * rnd.uniform(0.1, 0.4))
                wrap(a, w)
                buy(a, t, w)
        elif r < 0.78:
            for t in (usdx, daix):
                tb = c.tbal(t, a)
                if tb and bal > c.fee(200000):
                    if swap_bridge and rnd.random() < 0.3 and swap_bridge_out(a, t, tb):
                        break
                    _, w = sell(a, t, tb)
                    if rnd.random() < 0.6:
                        W.at(c.number + rnd.randint(1, 50), lambda a=a, w=w: unwrap(a, w) if c.tbal(WETH, a) >= w and eth_of(a) > c.fee(40000) else None)
                    break
            else:
                pay(a, uaddr(rnd.choice(users)), int(bal * 0.1))
        elif r < 0.80:
            # honest mixer use: a note withdrawn later to a fresh address of the user's or an own one
            d = max((x for x in denoms if x < bal * 0.8), default=None)
            ds = [d] if d else []
            if d and mixer_evidence and rnd.random() < 0.2:
                # several denominations at once (the multi-denomination look-alike)
                rest = bal - d - c.fee(1_000_000) * 4
                for x in sorted(denoms, reverse=True):
                    if x < rest * 0.8:
                        ds.append(x)
                        rest -= x
            for d in ds:
                def honest_out(note, d=d, u=u, a=a):
                    own = list(u["addrs"])
                    if mixer_evidence and rnd.random() < 0.15:
                        fresh = a  # withdrawn to the depositing address
                    else:
                        fresh = W.new(u["eid"], "user")
                        u["addrs"].append(fresh)
                    note["funder"] = rnd.choice(u["addrs"])
                    if eth_of(note["funder"]) < c.fee(350000):
                        relayed = True
                    else:
                        relayed = rnd.random() < 0.6
                    mix_withdraw(d, note, fresh, relayed)
                    if mixer_evidence:
                        others = [x for x in own if x != fresh]
                        if others and rnd.random() < 0.3:
                            f = rnd.choice(others)
                            W.at(c.number + rnd.randint(1, 40), lambda f=f, r=fresh: pay(f, r, c.fee(21000) * rnd.randint(3, 12)) if eth_of(f) > c.fee(21000) * 20 else None)
                        if others and fresh != a and rnd.random() < 0.4:
                            o = rnd.choice(others)
                            W.at(c.number + rnd.randint(2, 120), lambda o=o, r=fresh: pay(r, o, eth_of(r) - c.fee(21000)) if eth_of(r) > c.fee(21000) * 2 else None)
                if mixer_evidence and eth_of(a) - c.fee(1_000_000) < d:
                    break
                mix_deposit(a, d, "", honest_out)
                note = notes[d][-1]
                W.at(c.number + rnd.randint(30, 3000), lambda d=d, note=note: release(d, note))
        elif r < 0.805:
            order(a, int(bal * rnd.uniform(0.2, 0.8)), uaddr(rnd.choice(users)) if rnd.random() < 0.3 else a, None)
        elif r < 0.81:
            v = int(bal * rnd.uniform(0.2, 0.7))
            if across_bridge and rnd.random() < 0.6:
                tb = c.tbal(usdx, a)
                if fresh_bridge_users:
                    fresh_bridge(u, int(10**rnd.uniform(17, 20)), lambda f, x: across_out(f, x, ""))
                elif rnd.random() < 0.3 and tb:
                    across_out(a, tb, "", t=usdx)
                else:
                    across_out(a, v, "")
                return
            if lock_bridge and fresh_bridge_users:
                fresh_bridge(u, int(10**rnd.uniform(17, 20)), lambda f, x: lock_out(f, x, ""))
                return
            if lock_bridge and rnd.random() < 0.7:
                q = rnd.random()
                tb = c.tbal(usdx, a)
                if q < 0.3 and tb:
                    lock_out(a, tb, "", t=usdx)
                elif q < 0.4:
                    lock_out(a, v, "", btc=bech32_p2wpkh(rnd.getrandbits(160).to_bytes(20, "big")))
                else:
                    lock_out(a, v, "")
                return
            bridge_out(a, v, bech32_p2wpkh(rnd.getrandbits(160).to_bytes(20, "big")), "")
        elif r < 0.83:
            # an honest payer paying from one address to many, peel-like (fresh change)
            cur = a
            for _ in range(rnd.randint(3, 8)):
                if eth_of(cur) < ETH // 10:
                    break
                nxt = W.new(u["eid"], "user")
                u["addrs"].append(nxt)
                v = eth_of(cur)
                part = int(v * rnd.uniform(0.05, 0.2))
                if rnd.random() < 0.7:
                    pay(cur, uaddr(rnd.choice(users)), part)
                else:
                    ex_deposit(cur, rnd.choice(exchanges), u["eid"], part)
                pay(cur, nxt, eth_of(cur) - c.fee(21000))
                cur = nxt
        elif lock_bridge and r < 0.85:
            # someone arriving from another chain: the bridge releases to them (ETH or USDX);
            # when it holds too little, an MPC signer refills it first
            if rnd.random() < 0.75:
                v = int(10**rnd.uniform(16.5, 19.5))
                if eth_of(lockb) < v:
                    m = rnd.choice(mpc)
                    top = v + 30 * ETH
                    if eth_of(m) > top + c.fee(21000):
                        h = pay(m, lockb, top)
                        lock_rows.append(["refill", "", h, c.number, c.ts(), m, lockb, "ETH", top, "", ""])
                lock_in(a, v)
            else:
                lock_in(a, int(10**rnd.uniform(1.5, 4)) * 10**tokens[usdx][1], usdx)
        elif across_bridge and r < (0.87 if lock_bridge else 0.85):
            # someone arriving from another chain through the pool: a relayer pays them
            if rnd.random() < 0.75:
                across_fill(a, int(10**rnd.uniform(16.5, 19.5)))
            else:
                across_fill(a, int(10**rnd.uniform(1.5, 4)) * 10**tokens[usdx][1], usdx)
        else:
            pay(a, uaddr(rnd.choice(users)), int(bal * rnd.uniform(0.01, 0.2)))

    def order(a, v, dest, on_paid):
        """An order at the instant exchange: ETH paid to a fresh order address of the service;
        the service sweeps it to its hot wallet and pays USDX (60 %) or ETH back to dest from
        the hot wallet, a few blocks later. No on-chain link between the two."""
        oa = W.new(swapper["eid"], "instant_exchange_order")
        v = min(v, eth_of(a) - c.fee(21000))
        if v < ETH // 50:
            return None
        h = pay(a, oa, v)
        W.at(c.number + rnd.randint(2, 30), lambda: pay(oa, swapper["hot"], eth_of(oa) - c.fee(21000)))
        def payout():
            hot = swapper["hot"]
            if rnd.random() < 0.6:
                usd = v * 3000 // 10**12 * 995 // 1000          # 3000 USDX/ETH, 0.5 % fee, 6 decimals
                usd = min(usd, c.tbal(usdx, hot))
                if usd and eth_of(hot) > ETH:
                    ph = tpay(hot, usdx, dest, usd)
                    if on_paid:
                        on_paid(dest, usd, usdx, h, ph)
            elif eth_of(hot) > v + ETH:
                ph = pay(hot, dest, v * 99 // 100)
                if on_paid:
                    on_paid(dest, v * 99 // 100, None, h, ph)
        W.at(c.number + rnd.randint(3, 40), payout)
        return h

    def release(d, note):
        if note in notes[d]:
            notes[d].remove(note)
            note["cb"](note)

    # ---- the heist
    thief_e = W.entity("thief", "thief")
    heist = {"name": "shapes-heist-%d" % seed, "cash_outs": 0}
    fresh = lambda: W.new(thief_e, "thief")
    tstate = {"addrs": set(), "accounts": {}}

    def cash_out(a, v, t=None, new_account=False, once=False):
        ex = rnd.choice([e for e in exchanges if e is not victim])
        accs = tstate["accounts"].setdefault(ex["name"], [])
        if once:  # a deposit address of its own, never used again (--no-reuse-mixing)
            d = new_deposit_addr(ex, thief_e)
        else:
            if new_account or not accs or (len(accs) < 4 and rnd.random() < 0.3):
                accs.append(new_deposit_addr(ex, thief_e))
            d = rnd.choice(accs)
        if not t:
            v = min(v, eth_of(a) - c.fee(32000))
            if v <= 0:
                return None
        h = deposit(a, ex, d, v, t)
        W.cash_outs.append([heist["name"], h, c.number, c.ts(), ex["name"], d, a, t or "ETH", v])
        return h

    def gas_up(a, gas_funder, n=2):
        need = c.fee(130000) * n + c.fee(52000) * 2
        if eth_of(a) < need:
            pay(gas_funder, a, need * 2)

    victim = exchanges[1]
    plan = []   # (block offset, fn)
    start = 400
    btc_addrs = [bech32_p2wpkh(rnd.getrandbits(160).to_bytes(20, "big")) for _ in range(6)]
    if BTC_TO:  # --btc-to: the thief's Bitcoin addresses are given (the draws above still made)
        btc_addrs = [BTC_TO[i % len(BTC_TO)] for i in range(6)]

    def attacker_setup():
        atk = fresh()
        tstate["atk"] = atk
        withdraw_to(exchanges[3], atk, ETH // 2)     # gas from an exchange account: clean ETH

    W.at(start - 30, attacker_setup)

    def heist_drain():
        hot = victim["hot"][0]
        ethv = eth_of(hot) * 6 // 10
        drains = [fresh() for _ in range(3)]
        gasf = fresh()
        heist["drain_txs"] = []
        heist["drain_block"] = c.number
        heist["victim"] = victim["name"]
        heist["victim_hot_wallet"] = hot
        for i, d in enumerate(drains):
            heist["drain_txs"].append(pay(hot, d, ethv // 3))
        heist["drain_txs"].append(pay(hot, gasf, 50 * ETH))
        tv = c.tbal(usdx, hot) * 7 // 10
        heist["drain_txs"].append(tpay(hot, usdx, drains[0], tv))
        # the multisig, drained by the attacker's own EOA (gas withdrawn from an exchange: clean)
        # through internal calls and a token Transfer from the contract
        msig, atk = victim["msig"], tstate["atk"]
        me = eth_of(msig) * 9 // 10
        md = c.tbal(daix, msig)
        d3 = fresh()
        heist["drain_txs"].append(c.tx(atk, msig, data="0x6a761202" + word(0), gas=90000, calls=[(msig, d3, me)]))
        heist["drain_txs"].append(c.tx(atk, msig, data="0x6a761202" + word(1), gas=90000,
                                       logs=[(daix, [T_TRANSFER, "0x" + aword(msig), "0x" + aword(d3)], "0x" + word(md),
                                              (daix, msig, d3, md))]))
        drains.append(d3)
        heist["stolen"] = {"ETH": str(ethv // 3 * 3 + 50 * ETH + me), "USDX": str(tv), "DAIX": str(md)}
        tstate["gas"] = gasf
        tstate["drains"] = drains
        # step 1 (after 20-60 blocks): tokens to 6 fresh addresses, half sold, half kept
        W.at(c.number + rnd.randint(20, 60), tokens_out)
        W.at(c.number + rnd.randint(30, 70), dai_out)
        W.at(c.number + rnd.randint(80, 150), eth_out)

    def tokens_out():
        src = tstate["drains"][0]
        gas_up(src, tstate["gas"], 8)
        total = c.tbal(usdx, src)
        holders = [fresh() for _ in range(6)]
        for i, h in enumerate(holders):
            v = total // 6 if i < 5 else c.tbal(usdx, src)
            tpay(src, usdx, h, v)
        for i, h in enumerate(holders):
            def go(h=h, i=i):
                gas_up(h, tstate["gas"], 6)
                if i < 4:
                    v = c.tbal(usdx, h)
                    chunks = rnd.randint(2, 4)
                    got = 0
                    for k in range(chunks):
                        part = v // chunks if k < chunks - 1 else c.tbal(usdx, h)
                        if swap_bridge and rnd.random() < 0.4 and swap_bridge_out(h, usdx, part, heist["name"]):
                            continue
                        _, w = sell(h, usdx, part, heist["name"])
                        got += w
                    if swap_bridge and not got:
                        pass
                    elif rnd.random() < 0.5:
                        unwrap(h, got)
                        tstate["addrs"].add(h)
                    else:
                        # WETH passed on before it is unwrapped
                        n2 = fresh()
                        gas_up(n2, tstate["gas"], 2)
                        tpay(h, WETH, n2, got)
                        W.at(c.number + rnd.randint(5, 40), lambda n2=n2, got=got: (unwrap(n2, got), tstate["addrs"].add(n2)))
                else:
                    # tokens cashed out as they are, in 2-3 deposits
                    v = c.tbal(usdx, h)
                    k = rnd.randint(2, 3)
                    for j in range(k):
                        part = v // k if j < k - 1 else None   # the last one: what is left
                        W.at(c.number + 10 * j + rnd.randint(1, 9),
                             lambda h=h, part=part: cash_out(h, min(part or c.tbal(usdx, h), c.tbal(usdx, h)), usdx)
                             if eth_of(h) > c.fee(52000) and c.tbal(usdx, h) else None)
            W.at(c.number + rnd.randint(5, 100), go)

    def dai_out():
        src = tstate["drains"][3]
        gas_up(src, tstate["gas"], 4)
        v = c.tbal(daix, src)
        for k in range(3):
            part = v // 3 if k < 2 else c.tbal(daix, src)
            if swap_bridge and rnd.random() < 0.4 and swap_bridge_out(src, daix, part, heist["name"]):
                continue
            sell(src, daix, part, heist["name"])
        if c.tbal(WETH, src) or not swap_bridge:
            unwrap(src, c.tbal(WETH, src))

    def eth_out():
        # merge the drains into one, then fan out unevenly to 40 fresh addresses
        hub = fresh()
        for d in tstate["drains"]:
            pay(d, hub, eth_of(d) - c.fee(21000))
        total = eth_of(hub) - c.fee(21000) * 60
        weights = [rnd.paretovariate(1.5) for _ in range(40)]
        s = sum(weights)
        outs = []
        for wgt in weights:
            a = fresh()
            v = int(total * wgt / s)
            pay(hub, a, v)
            outs.append(a)
        for a in outs:
            W.at(c.number + rnd.randint(5, 300), lambda a=a: route(a, 0))

    def route(a, depth):
        """What one thief address does with its ETH."""
        v = eth_of(a) - c.fee(21000) * 3
        if v <= ETH // 10:
            return
        r = rnd.random()
        if depth == 0 and r < 0.30:
            peel(a, rnd.randint(4, 12))
        elif r < 0.55 and v > 2 * ETH:
            mix(a)
        elif r < 0.72:
            btc = rnd.choice(btc_addrs)
            amt = v if rnd.random() < 0.6 else (v // ETH) * ETH
            if across_bridge and rnd.random() < 0.5:
                across_out(a, amt, heist["name"])
                return
            if lock_bridge and rnd.random() < 0.6:
                # the memo-less bridge: a third name the Bitcoin address, the rest an EVM chain
                lock_out(a, amt, heist["name"], btc=btc if rnd.random() < 0.33 else None)
                return
            bridge_out(a, amt, btc, heist["name"])
        elif r < 0.78:
            def paid(dest, amount, t, oh, ph):
                W.service_swaps.append([heist["name"], oh, ph, dest, t or "ETH", amount])
                W.at(c.number + rnd.randint(5, 60), lambda: service_cash_out(dest, t))
            order(a, v, fresh(), paid)
        elif r < 0.85 and depth < 3:
            n = fresh()
            pay(a, n, eth_of(a) - c.fee(21000))
            W.at(c.number + rnd.randint(2, 60), lambda: route(n, depth + 1))
        else:
            k = rnd.randint(1, 3)
            for j in range(k):
                part = v // k
                W.at(c.number + rnd.randint(1, 30) * (j + 1),
                     lambda a=a, part=part: cash_out(a, min(part, eth_of(a) - c.fee(21000))) if eth_of(a) > c.fee(21000) * 2 else None)

    def service_cash_out(a, t):
        """The thief deposits what the instant exchange paid it. On-chain nothing links it to the
        heist: truth/cash_outs_via_service.csv, not cash_outs.csv."""
        ex = rnd.choice([e for e in exchanges if e is not victim])
        d = new_deposit_addr(ex, thief_e)
        if t:
            gas_up(a, tstate["gas"], 1)
            v = c.tbal(t, a)
        else:
            v = eth_of(a) - c.fee(32000)
        if v <= 0:
            return
        h = deposit(a, ex, d, v, t)
        W.service_cash_outs.append([heist["name"], h, c.number, c.ts(), ex["name"], d, a, t or "ETH", v])

    def peel(a, hops):
        cur = a
        for _ in range(hops):
            v = eth_of(cur) - c.fee(21000) * 2
            if v < ETH // 2:
                break
            part = int(v * rnd.uniform(0.05, 0.25))
            if rnd.random() < 0.6:
                cash_out(cur, part)
            else:
                side = fresh()
                pay(cur, side, part)
                W.at(c.number + rnd.randint(3, 80), lambda side=side: route(side, 2))
            nxt = fresh()
            pay(cur, nxt, eth_of(cur) - c.fee(21000))
            cur = nxt
        W.at(c.number + rnd.randint(3, 80), lambda: route(cur, 2))

    def mix(a):
        for d in sorted(denoms, reverse=True):
            while eth_of(a) - c.fee(1_000_000) * 2 >= d and rnd.random() < 0.95:
                def out(note, d=d):
                    if mixer_evidence and rnd.random() < 0.12:
                        rec = note["depositor"]  # an address match
                    else:
                        rec = fresh()
                    note["funder"] = tstate["gas"]
                    relayed = rnd.random() < 0.75 or no_reuse_mixing
                    mix_withdraw(d, note, rec, relayed)
                    if not mixer_evidence:
                        W.at(c.number + rnd.randint(2, 100), lambda: after_mix(rec))
                        return
                    ev = []
                    if rec == note["depositor"]:
                        ev.append("address_match")
                    if rnd.random() < 0.3:
                        ev.append("gas_funding")
                        W.at(c.number + rnd.randint(1, 40), lambda: pay(tstate["gas"], rec, c.fee(21000) * rnd.randint(3, 12)) if eth_of(tstate["gas"]) > ETH // 10 else None)
                    if rnd.random() < 0.5:
                        ev.append("convergence")
                        W.at(c.number + rnd.randint(2, 100), lambda: gather(rec))
                    else:
                        W.at(c.number + rnd.randint(2, 100), lambda: after_mix(rec))
                    W.mixer_links[-1].append("+".join(ev))
                mix_deposit(a, d, heist["name"], out)
                note = notes[d][-1]
                W.at(c.number + rnd.randint(600, 9000), lambda d=d, note=note: release(d, note))
        if eth_of(a) > ETH // 5:
            W.at(c.number + rnd.randint(2, 50), lambda: route(a, 3))

    def gather(rec):
        """The thief's consolidation: recipients pay one gathering address (fresh; a third of
        them topped up by the gas funder too), which cashes out once 3-6 have paid it."""
        g = tstate.get("gather")
        if not g:
            g = tstate["gather"] = {"a": fresh(), "left": rnd.randint(3, 6)}
            if rnd.random() < 0.33:
                pay(tstate["gas"], g["a"], c.fee(21000) * rnd.randint(3, 12))
        v = eth_of(rec) - c.fee(21000)
        if v <= 0:
            return
        pay(rec, g["a"], v)
        g["left"] -= 1
        if g["left"] <= 0:
            del tstate["gather"]
            n = g["a"]
            W.at(c.number + rnd.randint(2, 60), lambda: cash_out(n, eth_of(n) - c.fee(21000), once=True) if eth_of(n) > c.fee(21000) * 2 else None)

    def after_mix(rec):
        v = eth_of(rec) - c.fee(21000) * 2
        if v <= 0:
            return
        r = rnd.random()
        if r < 0.5:
            n = fresh()
            pay(rec, n, eth_of(rec) - c.fee(21000))
            W.at(c.number + rnd.randint(2, 60), lambda: cash_out(n, eth_of(n) - c.fee(21000), once=no_reuse_mixing) if eth_of(n) > c.fee(21000) * 2 else None)
        elif r < 0.8:
            cash_out(rec, v, once=no_reuse_mixing)
        else:
            bridge_out(rec, v, rnd.choice(btc_addrs), heist["name"])

    W.at(start, heist_drain)

    def poison():
        if tstate.get("addrs") and rnd.random() < 0.5:
            tgt = rnd.choice(sorted(tstate["addrs"]))
            pay(spammer, tgt, rnd.randint(1, 99) * 10**10)

    # ---- run
    while c.n_txs < txs or W.sched and c.number < 200000:
        if c.n_txs >= txs and min(W.sched) > c.number + 20000:
            break
        W.run_due()
        batch_sweeps()
        for _ in range(rnd.randint(8, 30)):
            if c.n_txs < txs:
                try:
                    honest()
                except RuntimeError:
                    pass
        if c.number % 50 == 0:
            poison()
        if across_bridge and c.number % 240 == 120:
            across_refunds()
        if across_bridge and c.number % 700 == 350:
            relayer_cash()
        if rnd.random() < 0.02:
            a = uaddr(rnd.choice(users))
            if eth_of(a) > c.fee(60000) * 2:
                c.tx(a, usdx, data=SEL_TRANSFER + aword(a) + word(10**30), gas=40000, status=0)
        c.close()
    # finish pending notes of the thief (withdraw them all) and pending sweeps are left as they are
    c.finish()

    # ---- truth
    def wcsv(name, head, rows):
        with open(os.path.join(tdir, name), "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(head)
            w.writerows(rows)
    bal = [(a, "ETH", v) for a, v in c.eth.items() if v] + \
          [(a, t, v) for (t, a), v in c.tok.items() if v and a != ZERO]
    wcsv("balances.csv", ["address", "asset", "balance"], sorted(bal))
    wcsv("entities.csv", ["entity_id", "name", "category"], W.entities)
    wcsv("addresses.csv", ["address", "kind", "entity_id", "entity_name", "category", "customer_id", "exchange"], W.addrs)
    wcsv("cash_outs.csv", ["heist", "tx_hash", "block", "timestamp", "exchange", "deposit_address", "from_address", "asset", "amount"], W.cash_outs)
    wcsv("bridge_deposits.csv", ["heist", "tx_hash", "block", "timestamp", "from_address", "asset", "amount", "memo", "btc_address", "style"], W.bridge)
    wcsv("service_swaps.csv", ["heist", "order_tx", "payout_tx", "recipient", "asset", "amount"], W.service_swaps)
    wcsv("cash_outs_via_service.csv", ["heist", "tx_hash", "block", "timestamp", "exchange", "deposit_address", "from_address", "asset", "amount"], W.service_cash_outs)
    wcsv("mixer_links.csv", ["pool", "denomination_wei", "deposit_tx", "deposit_block", "depositor", "withdrawal_tx", "withdrawal_block", "recipient", "relayer", "relayer_fee_wei", "heist"] + (["evidence"] if mixer_evidence else []),
         [r + [""] * (12 - len(r)) for r in W.mixer_links] if mixer_evidence else W.mixer_links)
    if lock_bridge:
        wcsv("lock_bridge.csv", ["kind", "heist", "tx_hash", "block", "timestamp", "from_address", "to_address",
                                 "asset", "amount", "dest_chain", "recipient"], lock_rows)
    if across_bridge:
        wcsv("across_bridge.csv", ["kind", "heist", "tx_hash", "block", "timestamp", "from_address", "to_address",
                                   "asset", "amount", "dest_chain", "recipient"], ac_rows)
    if swap_router:
        wcsv("router_swaps.csv", ["heist", "tx_hash", "block", "trader", "router", "pool", "asset_in", "amount_in",
                                  "asset_out", "amount_out", "paid_by"], swap_rows)
    if swap_bridge:
        wcsv("swap_bridges.csv", ["heist", "tx_hash", "block", "trader", "router", "dex_pool", "asset_in", "amount_in",
                                  "bridge", "weth_deposited", "dest_chain", "recipient"], swapbridge_rows)
    if lock_router:
        wcsv("lock_router.csv", ["heist", "tx_hash", "block", "from_address", "router", "bridge", "asset", "amount"],
             lockrouter_rows)
    if acr:
        wcsv("bridge_router.csv", ["heist", "tx_hash", "block", "from_address", "router", "bridge", "asset", "amount",
                                   "dest_chain", "recipient"], router_rows)
    heist["btc_addresses"] = btc_addrs
    heist["deposit_addresses"] = [{"address": d, "exchange": n} for n, l in sorted(tstate["accounts"].items()) for d in l]
    with open(os.path.join(tdir, "heists.json"), "w") as f:
        json.dump([heist], f, indent=1, sort_keys=True)
    with open(os.path.join(tdir, "world.json"), "w") as f:
        json.dump({"format": "evm-shapes-world/1", "generator": "tests/diff/evm_shapes_world.py", "ingest_chain": "ethereum",
                   "seed": seed, "txs": c.n_txs, "failed_txs": c.n_failed, "blocks": c.number,
                   "exchanges": [{"name": e["name"], "sweep_style": e["style"], "hot_wallets": e["hot"],
                                  "consolidation": e.get("cons")} for e in exchanges]}, f, indent=1, sort_keys=True)
    return c.n_txs, c.number, len(W.cash_outs), len(W.bridge), len(W.mixer_links)


def main():
    global GENESIS_TS, BTC_TO
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--txs", type=int, default=200000)
    ap.add_argument("--no-reuse-mixing", action="store_true",
                    help="mixed funds: relayed withdrawals only, cash-outs at deposit addresses used once")
    ap.add_argument("--mixer-evidence", action="store_true",
                    help="--no-reuse-mixing plus the evidence real mixing leaves (address match, gas "
                         "funding, convergence) and honest look-alikes of each")
    ap.add_argument("--contract-hot", action="store_true",
                    help="two exchanges' hot wallets are unlabelled Safe-like contracts whose "
                         "payments an operator EOA sends")
    ap.add_argument("--lock-bridge", action="store_true",
                    help="an unlabelled lock-and-release bridge without memos (Multichain/Ren-like "
                         "events, or calldata only) that honest users and the thief deposit to and "
                         "that releases to honest users arriving from other chains "
                         "(truth/lock_bridge.csv)")
    ap.add_argument("--across-bridge", action="store_true",
                    help="an unlabelled Across-like pool: deposits name the destination chain and "
                         "recipient in V3FundsDeposited, relayers fill from their own funds and are "
                         "paid back in bulk refunds, inbound fills are paid by relayers "
                         "(truth/across_bridge.csv); the thief bridges part of the loot through it")
    ap.add_argument("--fresh-bridge-users", action="store_true",
                    help="honest bridge users (lock bridge, Across pool) withdraw to a fresh address "
                         "that sends the bridge everything it got")
    ap.add_argument("--calldata-bridge", action="store_true",
                    help="with --lock-bridge: its deposits (but the Bitcoin ones) are Wormhole "
                         "token-bridge calls (transferTokens, wrapAndTransferETH) whose input alone "
                         "names the destination chain and recipient: no event of theirs")
    ap.add_argument("--bridge-router", action="store_true",
                    help="with --across-bridge: half the pool's deposits go through an unlabelled "
                         "aggregator router the depositor calls, which calls the pool (the pool "
                         "emits the event; truth/bridge_router.csv)")
    ap.add_argument("--swap-router", action="store_true",
                    help="implies --across-bridge --bridge-router: the same router also swaps; half "
                         "of all DEX swaps (the thief's and everyone's) call it, and it passes the "
                         "input to the pool, whose output goes to the router and on to the trader, "
                         "or to the trader directly (truth/router_swaps.csv)")
    ap.add_argument("--btc-to", default="",
                    help="comma-separated Bitcoin addresses (of a generated Bitcoin world, for a "
                         "cross-chain case) the thief's bridge memos name instead of drawn ones; "
                         "the rest of the world keeps its draws")
    ap.add_argument("--genesis-ts", type=int, default=GENESIS_TS,
                    help="the genesis block's Unix time (default %d)" % GENESIS_TS)
    ap.add_argument("--swap-bridge", action="store_true",
                    help="implies --across-bridge --bridge-router: the router also swaps and bridges in one "
                         "call (LI.FI's swapAndStartBridgeTokensVia...): a token in, sold at the DEX pool, "
                         "the WETH deposited into the Across-like pool; some of the thief's token sales and "
                         "of honest users' go that way (truth/swap_bridges.csv)")
    ap.add_argument("--lock-router", action="store_true",
                    help="implies --lock-bridge --across-bridge --bridge-router: half the lock bridge's ETH "
                         "deposits (the thief's and everyone's) call the router, which calls the bridge with "
                         "the value; a fifth of those the bridge records with no event (truth/lock_router.csv)")
    ap.add_argument("--thor-aggregator", action="store_true",
                    help="implies --across-bridge --bridge-router: half the THORChain router deposits (the "
                         "thief's and everyone's) are made in the aggregator router's multicall(bytes[]) with "
                         "an affiliate and streaming memo; the THORChain router logs Deposit itself (style "
                         "aggregator in truth/bridge_deposits.csv)")
    ap.add_argument("--nested-memo", action="store_true",
                    help="implies --thor-aggregator: of the aggregator's THORChain deposits (the thief's "
                         "and everyone's), a third are its multicall sent from the user's Safe "
                         "(execTransaction(aggregator, value, multicall, ...)), a third LI.FI's "
                         "startBridgeTokensViaThorSwap with the memo in a tuple argument (styles "
                         "safe_aggregator and lifi_aggregator in truth/bridge_deposits.csv)")
    a = ap.parse_args()
    GENESIS_TS = a.genesis_ts
    BTC_TO = [x for x in a.btc_to.split(",") if x]
    os.makedirs(a.out, exist_ok=True)
    n, blocks, co, br, ml = build(a.out, a.seed, a.txs, a.no_reuse_mixing, a.mixer_evidence, a.lock_bridge,
                                  a.contract_hot, a.across_bridge, a.fresh_bridge_users, a.calldata_bridge,
                                  a.bridge_router, a.swap_router, a.swap_bridge, a.lock_router,
                                  a.thor_aggregator, a.nested_memo)
    print("wrote %d txs in %d blocks to %s: %d cash-outs, %d bridge deposits, %d mixer withdrawals"
          % (n, blocks, a.out, co, br, ml))


if __name__ == "__main__":
    main()
