#!/usr/bin/python3
"""A sixth EVM world (stop 21, evmalt4), written from the texts of issues 12-15 and 2024-25
mainnet habits only, without reading chainwatch's trace, screening or other generators' bodies:
laundering around custodians and issuers, each used by honest users too, over two EVM chains.

  - centralised exchanges (per-customer deposit EOAs swept to a hot wallet, token sweeps after a
    gas top-up, withdrawals singly or batched through a disperse contract with other customers'),
    the same hot wallet and deposit addresses on both chains;
  - an eXch-like instant exchanger: a fresh deposit address per order, swept to its shared hot
    wallet, payouts (in another asset) batched with honest customers';
  - stablecoin issuers: a USDT-like token whose owner blacklists (AddedBlackList) and burns a
    frozen balance (DestroyedBlackFunds, with no Transfer or, on odd seeds, a Transfer to 0x0), a
    USDC-like token with Blacklisted and issuer mint/burn (Transfer from/to 0x0); a blacklisted
    sender's later transfer reverts;
  - a DEX aggregator routing through 2-3 Uniswap-V2-like pools in one tx (WETH unwrapped by the
    router, ETH paid by an internal call), Multicall3-style value batches, a Safe-like multisig
    paying many in internal calls, ERC-4337 smart accounts called by a bundler through an
    EntryPoint whose gas a paymaster sponsors (the EntryPoint refunds the bundler);
  - an honest OTC market maker taking large ETH transfers and paying out USDT from inventory;
  - a second chain (arbitrum, its own ethereum-etl export in DIR-arbitrum, or --out2) joined by a
    lock-and-mint bridge (ETH and USDC locked in a vault on Ethereum, bETH / USDC.e minted on
    Arbitrum) and a liquidity bridge whose relayers fill from their own ETH (Across-like
    FundsDeposited on Ethereum, FilledRelay on Arbitrum), the thief's EOAs reused on both chains;
  - a heist of a few thousand ETH and ~10M in stablecoins from a DeFi treasury Safe, laundered
    through all of the above, cash-outs at exchange deposit addresses in the truth.

usage: evm_alt4_world.py --out DIR [--out2 DIR2] [--seed S] [--txs N] [--btc-to A,..]
                         [--genesis-ts T]
Writes ethereum-etl CSVs (blocks, transactions, receipts, logs, token_transfers, traces, tokens)
in export_all's start_block=/end_block= folders, deterministic by seed, and DIR/truth (and
DIR2/truth) in docs/GEN.md's EVM layout (addresses, entities, world.json, heists.json,
cash_outs.csv, bridge_deposits.csv, mixer_links.csv, heist_flows.csv, balances.csv: the ledger the
logs and traces give) plus lock_bridge.csv and across_bridge.csv (the thief's and honest users'
bridge deposits), issuer_actions.csv (blacklists and burns, and what the logs cannot show),
service_payouts.csv (what services paid the thief: not stolen), xchain.csv (each bridge deposit
beside its mint or fill on the other chain) and honest_exposed.csv (every honest account the
thief's value or its services touched, and how). Arbitrum's truth treats the bridge credits to
the thief as its "drain" (heists.json drain_txs): trace from them on the Arbitrum store.
--btc-to is accepted (scripts/eval-evm-accept.sh passes it) and unused: no Bitcoin bridge here.
"""
import argparse, csv, json, os, random
from collections import defaultdict

# ---- Keccak-256 (original padding 0x01, as Ethereum uses)
_RC = [0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
       0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
       0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
       0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
       0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
       0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008]
_ROT = [[0, 36, 3, 41, 18], [1, 44, 10, 45, 2], [62, 6, 43, 15, 61], [28, 55, 25, 21, 56],
        [27, 20, 39, 8, 14]]
_M = (1 << 64) - 1


def keccak(data: bytes) -> bytes:
    rate = 136
    msg = bytearray(data) + b"\x01" + b"\x00" * ((rate - (len(data) + 1) % rate) % rate)
    msg[-1] |= 0x80
    s = [[0] * 5 for _ in range(5)]
    for off in range(0, len(msg), rate):
        for i in range(rate // 8):
            s[i % 5][i // 5] ^= int.from_bytes(msg[off + 8 * i:off + 8 * i + 8], "little")
        for rnd in range(24):
            c = [s[x][0] ^ s[x][1] ^ s[x][2] ^ s[x][3] ^ s[x][4] for x in range(5)]
            d = [c[(x - 1) % 5] ^ (((c[(x + 1) % 5] << 1) | (c[(x + 1) % 5] >> 63)) & _M) for x in range(5)]
            s = [[s[x][y] ^ d[x] for y in range(5)] for x in range(5)]
            b = [[0] * 5 for _ in range(5)]
            for x in range(5):
                for y in range(5):
                    r = _ROT[x][y]
                    b[y][(2 * x + 3 * y) % 5] = ((s[x][y] << r) | (s[x][y] >> (64 - r))) & _M if r else s[x][y]
            s = [[b[x][y] ^ ((~b[(x + 1) % 5][y]) & b[(x + 2) % 5][y]) for y in range(5)] for x in range(5)]
            s[0][0] ^= _RC[rnd]
    out = b"".join(s[i % 5][i // 5].to_bytes(8, "little") for i in range(4))
    return out


def topic(sig):
    return "0x" + keccak(sig.encode()).hex()


def selector(sig):
    return keccak(sig.encode()).hex()[:8]


T_TRANSFER = topic("Transfer(address,address,uint256)")
assert T_TRANSFER == "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
T_WDEP = topic("Deposit(address,uint256)")
T_WWD = topic("Withdrawal(address,uint256)")
T_SWAP = topic("Swap(address,uint256,uint256,uint256,uint256,address)")
T_SYNC = topic("Sync(uint112,uint112)")
T_ADDBL = topic("AddedBlackList(address)")
T_DESTROY = topic("DestroyedBlackFunds(address,uint256)")
T_BLACKLISTED = topic("Blacklisted(address)")
T_LOCKED = topic("Locked(address,address,address,uint256,uint256)")
T_FUNDSDEP = topic("FundsDeposited(address,address,uint256,uint256,uint256,uint32)")
T_FILLED = topic("FilledRelay(address,address,uint256,uint256,uint32)")
T_UOP = topic("UserOperationEvent(bytes32,address,address,uint256,bool,uint256,uint256)")
T_EXECOK = topic("ExecutionSuccess(bytes32,uint256)")
S_TRANSFER = selector("transfer(address,uint256)")
S_TRANSFERFROM = selector("transferFrom(address,address,uint256)")
S_EXEC = selector("execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)")
S_HANDLEOPS = selector("handleOps((address,uint256,bytes,bytes,uint256,uint256,uint256,uint256,uint256,bytes,bytes)[],address)")
S_AGG3V = selector("aggregate3Value((address,bool,uint256,bytes)[])")
S_DISPERSE_ETH = selector("disperseEther(address[],uint256[])")
S_DISPERSE_TOK = selector("disperseToken(address,address[],uint256[])")
S_SWAP_ROUTE = selector("swap(address,address,uint256,uint256,bytes)")
S_LOCK = selector("lock(address,uint256,address)")
S_DEPOSIT_V3 = selector("depositV3(address,address,uint256,uint256,uint256,uint32)")
S_FILL = selector("fillRelay(address,address,uint256,uint32)")
S_ADDBL = selector("addBlackList(address)")
S_DESTROY = selector("destroyBlackFunds(address)")
S_BLACKLIST = selector("blacklist(address)")
S_MINT = selector("mint(address,uint256)")
S_BURN = selector("burn(uint256)")
S_DEPOSIT = selector("deposit()")
ZERO = "0x" + "00" * 20
WETH_ETH = "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"
E18, E6 = 10 ** 18, 10 ** 6
GWEI = 10 ** 9


def w32(x):
    return "%064x" % x


def a32(a):
    return "0" * 24 + a[2:]


class Chain:
    """One EVM chain: a ledger, the blocks being written, the rows of every export."""

    def __init__(self, name, rng, t0, block_secs, base_lo, base_hi, tip_hi):
        self.name, self.rng, self.t = name, rng, t0
        self.block_secs, self.base_lo, self.base_hi, self.tip_hi = block_secs, base_lo, base_hi, tip_hi
        self.eth = defaultdict(int)
        self.tok = defaultdict(int)  # (token, addr)
        self.supply = defaultdict(int)
        self.nonce = defaultdict(int)
        self.rows = defaultdict(list)
        self.meta = {}  # addr -> dict(kind, entity_id, entity_name, category, customer_id, exchange)
        self.entities = {}  # id -> (name, category)
        self.tokens = {}  # addr -> (symbol, name, decimals)
        self.number = 0
        self.parent = "0x" + "00" * 32
        self.base = (base_lo + base_hi) // 2
        self.ntx = 0
        self.failed = 0
        self.miners = []
        self.blacklist = set()
        self.block = None

    def h32(self):
        return "0x%064x" % self.rng.getrandbits(256)

    def new_addr(self, category, entity=None, kind="eoa", customer="", exchange=""):
        a = "0x%040x" % self.rng.getrandbits(160)
        self.put(a, category, entity, kind, customer, exchange)
        return a

    def put(self, a, category, entity=None, kind="eoa", customer="", exchange=""):
        eid, ename = (entity if entity else ("", ""))
        self.meta[a] = dict(kind=kind, entity_id=eid, entity_name=ename, category=category,
                            customer_id=customer, exchange=exchange)
        return a

    def entity(self, eid, name, category):
        self.entities[eid] = (name, category)
        return (eid, name)

    def genesis(self, allocs):
        hsh = self.h32()
        for i, (a, v) in enumerate(allocs):
            self.eth[a] += v
            self.rows["traces"].append([0, "", "", "", a, v, "", "", "genesis", "", "", "", "", 0, "", "", 1,
                                        "genesis_" + a])
        self.rows["blocks"].append([0, hsh, self.parent, "0x0000000000000000", "0x" + "00" * 32, "0x", "0x", "0x",
                                    "0x", ZERO, 0, 0, 540, "0x", 30000000, 0, self.t, 0, "", "", ""])
        self.parent = hsh

    def open_block(self):
        self.number += 1
        self.t += self.block_secs
        r = self.rng
        self.base = max(self.base_lo, min(self.base_hi, int(self.base * (0.9 + 0.2 * r.random()))))
        self.block = dict(hash=self.h32(), txs=0, gas=0, logs=0, miner=r.choice(self.miners))

    def close_block(self):
        b = self.block
        self.rows["blocks"].append([self.number, b["hash"], self.parent, "0x0000000000000000", "0x" + "00" * 32,
                                    "0x" + "00" * 256, self.h32(), self.h32(), self.h32(), b["miner"], 0, 0,
                                    600 + 120 * b["txs"], "0x", 30000000, b["gas"], self.t, b["txs"], self.base,
                                    "", ""])
        self.parent = b["hash"]

    # -- one transaction: ops run in order on an overlay; none is written unless all fit
    def tx(self, frm, to, value=0, ops=(), gas=21000, inp="0x", fail=False):
        r = self.rng
        tip = r.randint(1, self.tip_hi) if self.tip_hi else 0
        price = self.base + tip
        fee = gas * price
        de, dt = defaultdict(int), defaultdict(int)

        def eb(a):
            return self.eth[a] + de[a]

        def tb(t, a):
            return self.tok[(t, a)] + dt[(t, a)]

        if callable(value):  # value and ops chosen knowing the fee (an "all but the fee" send)
            value, ops = value(fee)
            if value is None:
                return None
        de[frm] -= fee
        if eb(frm) < 0:
            return None
        b = self.block
        h = self.h32()
        idx = b["txs"]
        logs, traces, tts = [], [], []
        ok = not fail
        if ok:
            de[frm] -= value
            de[to] += value
            if eb(frm) < 0:
                return None
            sub = 0
            for op in ops:
                k = op[0]
                if k == "call":  # internal value call
                    _, a, c, v = op
                    de[a] -= v
                    de[c] += v
                    if eb(a) < 0:
                        return None
                    traces.append([a, c, v, "0x", "call", str(sub)])
                    sub += 1
                elif k == "nocall":  # an internal call moving no value (a smart account's execute)
                    _, a, c = op
                    traces.append([a, c, 0, "0x", "call", str(sub)])
                    sub += 1
                elif k == "tok":
                    _, t, a, c, v = op
                    if a != ZERO:
                        dt[(t, a)] -= v
                        if tb(t, a) < 0 or (t, a) in self.blacklist:
                            ok = False  # reverts: a blacklisted sender or too little
                            break
                    if c != ZERO:
                        dt[(t, c)] += v
                    logs.append([t, [T_TRANSFER, "0x" + a32(a), "0x" + a32(c)], "0x" + w32(v)])
                    tts.append([t, a, c, v])
                elif k == "silentburn":  # balance destroyed with no Transfer (USDT's destroyBlackFunds)
                    _, t, a, v = op
                    dt[(t, a)] -= v
                elif k == "log":
                    _, addr, tops, data = op
                    logs.append([addr, tops, data])
                elif k == "wrap":  # WETH deposit by `a` with v wei it sends in an internal call
                    _, weth, a, v = op
                    de[a] -= v
                    de[weth] += v
                    if eb(a) < 0:
                        return None
                    traces.append([a, weth, v, "0x" + S_DEPOSIT, "call", str(sub)])
                    sub += 1
                    dt[(weth, a)] += v
                    logs.append([weth, [T_WDEP, "0x" + a32(a)], "0x" + w32(v)])
                elif k == "unwrap":
                    _, weth, a, v = op
                    dt[(weth, a)] -= v
                    if tb(weth, a) < 0:
                        return None
                    logs.append([weth, [T_WWD, "0x" + a32(a)], "0x" + w32(v)])
                    de[weth] -= v
                    de[a] += v
                    traces.append([weth, a, v, "0x", "call", str(sub)])
                    sub += 1
        if not ok:  # the tx reverted inside: only its fee is paid
            de = defaultdict(int)
            de[frm] -= fee
            dt = defaultdict(int)
            logs, traces, tts = [], [], []
        # commit
        for a, v in de.items():
            self.eth[a] += v
        for k2, v in dt.items():
            self.tok[k2] += v
        for t, a, c, v in tts:
            if a == ZERO:
                self.supply[t] += v
            if c == ZERO:
                self.supply[t] -= v
        burnt = gas * self.base
        self.eth[b["miner"]] += gas * tip
        n = self.nonce[frm]
        self.nonce[frm] += 1
        self.rows["transactions"].append([h, n, b["hash"], self.number, idx, frm, to, value, gas + 20000, price,
                                          inp, self.t, 2 * self.base + tip, tip, 2])
        b["gas"] += gas
        self.rows["receipts"].append([h, idx, b["hash"], self.number, b["gas"], gas, "", "", 1 if ok else 0,
                                      price, "", "", "", ""])
        self.rows["traces"].append([self.number, h, idx, frm, to, value, inp, "0x", "call", "call", "", gas + 20000,
                                    gas, len(traces), "", "" if ok else "Reverted", 1 if ok else 0,
                                    "call_%s_" % h])
        for a, c, v, i2, tt, ta in traces:
            self.rows["traces"].append([self.number, h, idx, a, c, v, i2, "0x", tt, "call", "", 30000, 9000, 0, ta,
                                        "", 1, "call_%s_%s" % (h, ta.replace(",", "_"))])
        for t, tops, data in logs:
            li = b["logs"]
            b["logs"] += 1
            self.rows["logs"].append([li, h, idx, b["hash"], self.number, t, data, ",".join(tops)])
            if tops[0] == T_TRANSFER and len(tops) == 3:
                self.rows["token_transfers"].append([t, "0x" + tops[1][26:], "0x" + tops[2][26:],
                                                     int(data, 16), h, li, self.number])
        b["txs"] += 1
        self.ntx += 1
        if not ok:
            self.failed += 1
        self._burnt = burnt
        return dict(hash=h, block=self.number, ts=self.t, fee=gas * price, ok=ok, value=value)

    def write(self, out, span):
        os.makedirs(out, exist_ok=True)
        heads = {
            "blocks": "number,hash,parent_hash,nonce,sha3_uncles,logs_bloom,transactions_root,state_root,"
                      "receipts_root,miner,difficulty,total_difficulty,size,extra_data,gas_limit,gas_used,"
                      "timestamp,transaction_count,base_fee_per_gas,withdrawals_root,withdrawals",
            "transactions": "hash,nonce,block_hash,block_number,transaction_index,from_address,to_address,value,"
                            "gas,gas_price,input,block_timestamp,max_fee_per_gas,max_priority_fee_per_gas,"
                            "transaction_type",
            "receipts": "transaction_hash,transaction_index,block_hash,block_number,cumulative_gas_used,gas_used,"
                        "contract_address,root,status,effective_gas_price,l1_fee,l1_gas_used,l1_gas_price,"
                        "l1_fee_scalar",
            "logs": "log_index,transaction_hash,transaction_index,block_hash,block_number,address,data,topics",
            "token_transfers": "token_address,from_address,to_address,value,transaction_hash,log_index,block_number",
            "traces": "block_number,transaction_hash,transaction_index,from_address,to_address,value,input,output,"
                      "trace_type,call_type,reward_type,gas,gas_used,subtraces,trace_address,error,status,trace_id",
            "tokens": "address,symbol,name,decimals,total_supply,block_number",
        }
        bn = {"blocks": 0, "transactions": 3, "receipts": 3, "logs": 4, "token_transfers": 6, "traces": 0}
        self.rows["tokens"] = [[a, s, n, d, self.supply[a], 0] for a, (s, n, d) in sorted(self.tokens.items())]
        last = self.number
        for lo in range(0, last + 1, span):
            hi = min(last, lo + span - 1)
            for kind, head in heads.items():
                d = os.path.join(out, kind, "start_block=%08d" % lo, "end_block=%08d" % hi)
                os.makedirs(d, exist_ok=True)
                if kind == "tokens":
                    rows = self.rows["tokens"] if lo == 0 else []
                else:
                    rows = [x for x in self.rows[kind] if lo <= x[bn[kind]] <= hi]
                with open(os.path.join(d, "%s_%08d_%08d.csv" % (kind, lo, hi)), "w", newline="") as f:
                    w = csv.writer(f, lineterminator="\n")
                    w.writerow(head.split(","))
                    w.writerows(rows)


def writecsv(path, head, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(head)
        w.writerows(rows)


class Pair:
    """A Uniswap-V2-like pair: exact 0.3 % constant product, Swap and Sync logs."""

    def __init__(self, addr, ta, tb):
        self.addr = addr
        self.t0, self.t1 = sorted([ta, tb])
        self.r = {self.t0: 0, self.t1: 0}

    def out(self, tin, ain):
        tout = self.t1 if tin == self.t0 else self.t0
        rin, rout = self.r[tin], self.r[tout]
        return tout, ain * 997 * rout // (rin * 1000 + ain * 997)


def route_ops(pairs, tin, ain, to, sender):
    """Ops of one swap through `pairs` in order (the input already at pairs[0]); the last pays
    `to`. Returns (ops, token out, amount out, reserve updates)."""
    ops, upd, amt, t = [], [], ain, tin
    for i, p in enumerate(pairs):
        tout, aout = p.out(t, amt)
        dest = pairs[i + 1].addr if i + 1 < len(pairs) else to
        ops.append(("tok", tout, p.addr, dest, aout))
        a0in, a1in = (amt, 0) if t == p.t0 else (0, amt)
        a0out, a1out = (0, aout) if t == p.t0 else (aout, 0)
        upd.append((p, t, amt, tout, aout))
        n0 = p.r[p.t0] + a0in - a0out
        n1 = p.r[p.t1] + a1in - a1out
        ops.append(("log", p.addr, [T_SYNC], "0x" + w32(n0) + w32(n1)))
        ops.append(("log", p.addr, [T_SWAP, "0x" + a32(sender), "0x" + a32(dest)],
                    "0x" + w32(a0in) + w32(a1in) + w32(a0out) + w32(a1out)))
        amt, t = aout, tout
    return ops, t, amt, upd


def apply_upd(upd):
    for p, tin, ain, tout, aout in upd:
        p.r[tin] += ain
        p.r[tout] -= aout


class World:
    def __init__(self, args):
        self.a = args
        self.rng = random.Random(args.seed * 7919 + 21)
        r = self.rng
        t0 = args.genesis_ts
        self.eth = Chain("ethereum", random.Random(args.seed * 31 + 1), t0, 12, 6 * GWEI, 40 * GWEI, 2 * GWEI)
        self.arb = Chain("arbitrum", random.Random(args.seed * 31 + 2), t0, 4, GWEI // 100, GWEI // 10, 0)
        self.flows = {"ethereum": [], "arbitrum": []}
        self.cash = {"ethereum": [], "arbitrum": []}
        self.svc_pay = []
        self.issuer_rows = []
        self.lock_rows = []
        self.across_rows = []
        self.xchain = []
        self.exposed = []
        self.drains = {"ethereum": [], "arbitrum": []}
        self.msgs = []  # (eth ts, kind, payload) for the other chain
        self.thief_set = set()
        self.procs = []
        self.swapped_in, self.swapped_out = 0, defaultdict(int)
        self.bridged, self.arb_credit = defaultdict(int), defaultdict(int)
        self.otc_paid, self.destroyed, self.silent_burn = 0, 0, None
        self.pool_tainted = self.mm_tainted = self.mc_tainted = False
        self.tainted_hot, self.bundler_tainted = set(), set()
        self.relayer_tainted, self.refunds = {}, []

    # ---------------------------------------------------------------- set-up
    def setup(self):
        r, E, A = self.rng, self.eth, self.arb
        for ch in (E, A):
            ch.miners = [ch.new_addr("fee_recipient", ch.entity("fee%d" % i, "builder%d" % i, "fee_recipient"))
                         for i in range(3)]
        # tokens
        self.ent_tether = E.entity("tether", "Tether-like", "stablecoin_issuer")
        self.ent_circle = E.entity("circle", "Circle-like", "stablecoin_issuer")
        self.usdt = E.new_addr("token", self.ent_tether, "contract")
        self.usdc = E.new_addr("token", self.ent_circle, "contract")
        self.dai = E.new_addr("token", E.entity("maker", "DAI-like", "token"), "contract")
        self.weth = E.put(WETH_ETH, "weth", E.entity("weth", "WETH9", "weth"), "contract")
        E.tokens.update({self.usdt: ("USDT", "Tether USD", 6), self.usdc: ("USDC", "USD Coin", 6),
                         self.dai: ("DAI", "Dai Stablecoin", 18), self.weth: ("WETH", "Wrapped Ether", 18)})
        self.usdt_owner = E.new_addr("stablecoin_issuer", self.ent_tether)
        self.usdc_minter = E.new_addr("stablecoin_issuer", self.ent_circle)
        self.usdc_master = E.new_addr("stablecoin_issuer", self.ent_circle)  # blacklister role
        # DEX
        ent_dex = E.entity("dex", "UniV2-like", "dex")
        self.router = E.new_addr("dex_router", ent_dex, "contract")
        self.agg = E.new_addr("dex_router", E.entity("agg", "Aggregator-like", "dex_aggregator"), "contract")
        self.pairs = {}
        for ta, tb in ((self.usdt, self.usdc), (self.usdc, self.weth), (self.usdt, self.weth),
                       (self.dai, self.usdc), (self.dai, self.weth)):
            p = Pair(E.new_addr("dex_pair", ent_dex, "contract"), ta, tb)
            self.pairs[frozenset((ta, tb))] = p
        self.multicall = E.new_addr("batch_sender", E.entity("mc3", "Multicall3-like", "batch_sender"), "contract")
        self.disperse = E.new_addr("batch_sender", E.entity("disp", "Disperse-like", "batch_sender"), "contract")
        # ERC-4337 (both chains, same addresses, as the real EntryPoint)
        ent_aa = E.entity("aa", "EntryPoint-like", "account_abstraction")
        self.entry = E.new_addr("entrypoint", ent_aa, "contract")
        self.pm = E.new_addr("paymaster", E.entity("pm", "Paymaster-like", "paymaster"), "contract")
        self.bundlers = [E.new_addr("bundler", E.entity("bnd%d" % i, "bundler%d" % i, "bundler")) for i in range(2)]
        for a in [self.entry, self.pm] + self.bundlers:
            A.meta[a] = dict(E.meta[a])
        for k, v in E.entities.items():
            A.entities.setdefault(k, v)
        # bridges
        ent_lb = E.entity("lockbridge", "LockMint-bridge", "bridge")
        ent_lq = E.entity("liqbridge", "Across-like", "bridge")
        self.vault = E.new_addr("bridge_vault", ent_lb, "contract")
        self.spoke_e = E.new_addr("bridge_router", ent_lq, "contract")
        A.entities.update({"lockbridge": E.entities["lockbridge"], "liqbridge": E.entities["liqbridge"]})
        self.minter = A.new_addr("bridge_operator", ent_lb)
        self.beth = A.new_addr("token", ent_lb, "contract")
        self.usdce = A.new_addr("token", ent_lb, "contract")
        self.usdt_a = A.new_addr("token", self.ent_tether, "contract")
        A.tokens.update({self.beth: ("bETH", "Bridged Ether", 18), self.usdce: ("USDC.e", "Bridged USDC", 6),
                         self.usdt_a: ("USDT", "Tether USD", 6)})
        A.entities.update({"tether": E.entities["tether"]})
        self.spoke_a = A.new_addr("bridge_router", ent_lq, "contract")
        self.executor = E.new_addr("bridge_operator", ent_lq)
        self.relayers = [E.new_addr("bridge_relayer", E.entity("rl%d" % i, "relayer%d" % i, "bridge_relayer"))
                         for i in range(3)]
        for a in self.relayers:
            A.meta[a] = dict(E.meta[a])
            A.entities[E.meta[a]["entity_id"]] = E.entities[E.meta[a]["entity_id"]]
        # services
        self.cex = []
        for i, nm in enumerate(("Binance-like", "OKX-like", "Kraken-like")):
            ent = E.entity("cex%d" % i, nm, "exchange")
            A.entities["cex%d" % i] = E.entities["cex%d" % i]
            hot = E.new_addr("exchange", ent, exchange=nm)
            A.meta[hot] = dict(E.meta[hot])
            self.cex.append(dict(name=nm, ent=ent, hot=hot, deps={}, pend={"ethereum": [], "arbitrum": []},
                                 wq={"ethereum": [], "arbitrum": []}))
        ent = E.entity("exch", "eXch-like", "exchange")
        A.entities["exch"] = E.entities["exch"]
        hot = E.new_addr("exchange", ent, exchange="eXch-like")
        A.meta[hot] = dict(E.meta[hot])
        self.exch = dict(name="eXch-like", ent=ent, hot=hot, pend={"ethereum": [], "arbitrum": []},
                         payq={"ethereum": [], "arbitrum": []})
        self.mm_ent = E.entity("mm", "MarketMaker-like", "otc_desk")
        self.mm = E.new_addr("otc_desk", self.mm_ent)
        self.mm_q = []
        # honest people (EOAs reused on both chains, as real ones are) and their smart accounts
        self.users = []
        for i in range(max(60, self.a.txs // 120)):
            u = E.new_addr("user", E.entity("u%d" % i, "user%d" % i, "user"))
            self.users.append(u)
        self.arb_users = self.users[: len(self.users) // 3]
        for u in self.arb_users:
            A.meta[u] = dict(E.meta[u])
            A.entities[E.meta[u]["entity_id"]] = E.entities[E.meta[u]["entity_id"]]
        self.sa = {}
        for u in r.sample(self.users, len(self.users) // 8):
            self.sa[u] = E.new_addr("user", (E.meta[u]["entity_id"], E.meta[u]["entity_name"]), "contract")
            A.meta[self.sa[u]] = dict(E.meta[self.sa[u]])
        self.dao_ent = E.entity("dao", "DAO-treasury", "dao")
        self.dao_safe = E.new_addr("multisig", self.dao_ent, "contract")
        self.dao_signer = E.new_addr("multisig", self.dao_ent)
        self.lps = [E.new_addr("user", E.entity("lp%d" % i, "lp%d" % i, "user")) for i in range(3)]
        # the victim: a DeFi protocol's treasury Safe
        self.vic_ent = E.entity("victim", "DeFi-treasury", "defi_protocol")
        self.victim = E.new_addr("multisig", self.vic_ent, "contract")
        self.thief_ent = E.entity("thief", "heist thief", "thief")
        A.entities["thief"] = E.entities["thief"]
        self.t0 = self.thief("ethereum")
        self.st_usdt = r.randint(5, 9) * 10 ** 6 * E6
        self.st_usdc = r.randint(3, 5) * 10 ** 6 * E6
        self.thief_accts = {}
        # genesis allocations
        alloc_e = [(self.t0, E18)]
        for u in self.users:
            alloc_e.append((u, int(r.uniform(0.3, 40) * E18)))
        for s in self.sa.values():
            alloc_e.append((s, int(r.uniform(0.1, 3) * E18)))
        for c in self.cex:
            alloc_e.append((c["hot"], 30000 * E18))
        alloc_e += [(self.exch["hot"], 4000 * E18), (self.mm, 20000 * E18), (self.victim, int(r.uniform(2500, 4000)) * E18),
                    (self.dao_safe, 3000 * E18), (self.dao_signer, 5 * E18), (self.entry, 200 * E18),
                    (self.weth, 0), (self.usdt_owner, 10 * E18), (self.usdc_minter, 10 * E18),
                    (self.usdc_master, 10 * E18), (self.executor, 10 * E18)]
        alloc_e += [(b, 20 * E18) for b in self.bundlers] + [(x, 50000 * E18) for x in self.lps]
        alloc_e += [(x, 3000 * E18) for x in self.relayers]
        E.genesis(alloc_e)
        alloc_a = [(u, int(r.uniform(0.05, 5) * E18)) for u in self.arb_users]
        alloc_a += [(c["hot"], 5000 * E18) for c in self.cex] + [(self.exch["hot"], 1500 * E18)]
        alloc_a += [(x, 2000 * E18) for x in self.relayers] + [(self.minter, 5 * E18), (self.entry, 50 * E18)]
        alloc_a += [(b, 5 * E18) for b in self.bundlers] + [(s, int(0.05 * E18)) for s in self.sa.values()]
        A.genesis(alloc_a)

    def first_blocks(self):
        """Block 1-3: issuers mint and distribute, LPs seed the pools."""
        E, A, r = self.eth, self.arb, self.rng
        E.open_block()
        A.open_block()
        big = [c["hot"] for c in self.cex] + [self.exch["hot"], self.mm]
        for tok, iss, per in ((self.usdt, self.usdt_owner, 60), (self.usdc, self.usdc_minter, 60)):
            ops = [("tok", tok, ZERO, x, per * 10 ** 6 * E6) for x in big]
            ops += [("tok", tok, ZERO, u, int(r.uniform(50, 60000)) * E6) for u in self.users]
            ops += [("tok", tok, ZERO, lp, 150 * 10 ** 6 * E6) for lp in self.lps]
            ops.append(("tok", tok, ZERO, self.victim, self.st_usdt if tok == self.usdt else self.st_usdc))
            E.tx(iss, tok, 0, ops, 60000 + 30000 * len(ops), "0x" + S_MINT)
        ops = [("tok", self.dai, ZERO, lp, 100 * 10 ** 6 * E18) for lp in self.lps]
        ops += [("tok", self.dai, ZERO, u, int(r.uniform(10, 20000)) * E18) for u in self.users[::3]]
        E.tx(self.usdt_owner, self.dai, 0, ops, 400000, "0x" + S_MINT)
        for lp in self.lps:
            E.tx(lp, self.weth, 40000 * E18, [("log", self.weth, [T_WDEP, "0x" + a32(lp)], "0x" + w32(40000 * E18))],
                 45000, "0x" + S_DEPOSIT)
            E.tok[(self.weth, lp)] += 40000 * E18
            E.supply[self.weth] += 40000 * E18
        E.close_block()
        E.open_block()
        for p in self.pairs.values():
            dec = {self.usdt: E6, self.usdc: E6, self.dai: E18, self.weth: E18}
            price = {self.usdt: 1, self.usdc: 1, self.dai: 1, self.weth: 2500}
            usd = 30 * 10 ** 6 if self.weth in (p.t0, p.t1) else 40 * 10 ** 6
            lp = r.choice(self.lps)
            ops = []
            for t in (p.t0, p.t1):
                amt = usd // price[t] * dec[t]
                ops.append(("tok", t, lp, p.addr, amt))
            res = E.tx(lp, p.addr, 0, ops + [("log", p.addr, [T_SYNC], "0x" + w32(ops[0][4]) + w32(ops[1][4]))],
                       180000, "0x" + S_TRANSFER)
            assert res and res["ok"], "pool seed"
            p.r[p.t0] += ops[0][4]
            p.r[p.t1] += ops[1][4]
        E.close_block()
        # Arbitrum: USDT minted to exchanges and users; its exports start the same way
        ops = [("tok", self.usdt_a, ZERO, c["hot"], 20 * 10 ** 6 * E6) for c in self.cex]
        ops += [("tok", self.usdt_a, ZERO, self.exch["hot"], 10 * 10 ** 6 * E6)]
        ops += [("tok", self.usdt_a, ZERO, u, int(r.uniform(20, 9000)) * E6) for u in self.arb_users]
        A.tx(self.minter, self.usdt_a, 0, ops, 60000 + 30000 * len(ops), "0x" + S_MINT)
        A.close_block()

    # ---------------------------------------------------------------- services
    def ch(self, name):
        return self.eth if name == "ethereum" else self.arb

    def dep_addr(self, cex, cust_eid, chain, fresh=False):
        """A customer's deposit address at an exchange: one per customer, the same on both
        chains (fresh=True: an instant exchanger's per-order address)."""
        E = self.eth
        key = cust_eid
        if fresh or key not in cex.get("deps", {}):
            a = E.new_addr("exchange_deposit", cex["ent"], customer=cust_eid, exchange=cex["name"])
            if not fresh:
                cex["deps"][key] = a
        else:
            a = cex["deps"][key]
        if chain == "arbitrum" and a not in self.arb.meta:
            self.arb.meta[a] = dict(E.meta[a])
        return a

    def sweep_step(self, cname):
        ch, r = self.ch(cname), self.rng
        for svc in self.cex + [self.exch]:
            keep = []
            for due, dep, asset in svc["pend"][cname]:
                if due > ch.number:
                    keep.append((due, dep, asset))
                    continue
                if asset == "ETH":
                    if ch.eth[dep] <= 21000 * ch.base * 3:
                        continue
                    ch.tx(dep, svc["hot"], lambda fee, d=dep: (ch.eth[d] - fee, ()), 21000)
                else:
                    bal = ch.tok[(asset, dep)]
                    if bal == 0:
                        continue
                    need = 65000 * (ch.base + (ch.tip_hi or 0))
                    if ch.eth[dep] < need:
                        ch.tx(svc["hot"], dep, need * 2, (), 21000)
                        keep.append((ch.number + r.randint(1, 3), dep, asset))
                        continue
                    ch.tx(dep, asset, 0, [("tok", asset, dep, svc["hot"], bal)], 52000,
                          "0x" + S_TRANSFER + a32(svc["hot"]) + w32(bal))
            svc["pend"][cname] = keep

    def pay_batch(self, ch, hot, items, asset):
        """A service's payout: one transfer, or a disperse batch with other customers'."""
        if len(items) == 1:
            payee, amt = items[0][0], items[0][1]
            if asset == "ETH":
                return ch.tx(hot, payee, amt, (), 21000)
            return ch.tx(hot, asset, 0, [("tok", asset, hot, payee, amt)], 52000,
                         "0x" + S_TRANSFER + a32(payee) + w32(amt))
        if asset == "ETH":
            tot = sum(x[1] for x in items)
            return ch.tx(hot, self.disperse, tot, [("call", self.disperse, x[0], x[1]) for x in items],
                         30000 + 9000 * len(items), "0x" + S_DISPERSE_ETH)
        return ch.tx(hot, self.disperse, 0, [("tok", asset, hot, x[0], x[1]) for x in items],
                     40000 + 30000 * len(items), "0x" + S_DISPERSE_TOK + a32(asset))

    def payout_step(self, cname):
        """Exchanges' and the instant exchanger's withdrawal queues: paid every few blocks,
        several customers in one disperse batch."""
        ch, r = self.ch(cname), self.rng
        for svc, q in [(c, c["wq"]) for c in self.cex] + [(self.exch, self.exch["payq"])]:
            due = [x for x in q[cname] if x[3] <= ch.number]
            if not due or (len(due) < 4 and r.random() < 0.6 and all(x[3] > ch.number - 30 for x in due)):
                continue
            q[cname] = [x for x in q[cname] if x[3] > ch.number]
            by = defaultdict(list)
            for x in due:
                by[x[2]].append(x)
            for asset, items in by.items():
                res = self.pay_batch(ch, svc["hot"], [(x[0], x[1]) for x in items], asset)
                if not res or not res["ok"]:
                    continue
                thief_in = [x for x in items if x[4]]
                for x in thief_in:
                    self.svc_pay.append([cname, res["hash"], res["block"], svc["name"], svc["hot"], x[0],
                                         asset if asset == "ETH" else asset, x[1], x[4]])
                    self.flows[cname].append(["h1", res["hash"], res["block"], res["ts"], "service_payout", svc["hot"],
                                              x[0], asset, x[1], 0])
                if thief_in:
                    for x in items:
                        if not x[4]:
                            self.exposed.append([cname, x[0], "batch_co_payee", res["hash"], svc["name"]])
                    self.tainted_hot.add((cname, svc["hot"]))
                elif (cname, svc["hot"]) in self.tainted_hot:
                    for x in items:
                        self.exposed.append([cname, x[0], "hot_wallet_payee", res["hash"], svc["name"]])
        # the market maker pays its OTC customers from inventory (USDT)
        if cname == "ethereum":
            keep = []
            for x in self.mm_q:
                if x[3] > ch.number:
                    keep.append(x)
                    continue
                payee, amt, _, _, thief = x
                res = ch.tx(self.mm, self.usdt, 0, [("tok", self.usdt, self.mm, payee, amt)], 52000,
                            "0x" + S_TRANSFER + a32(payee) + w32(amt))
                if thief:
                    self.svc_pay.append([cname, res["hash"], res["block"], "MarketMaker-like", self.mm, payee,
                                         self.usdt, amt, thief])
                    self.flows[cname].append(["h1", res["hash"], res["block"], res["ts"], "service_payout", self.mm,
                                              payee, self.usdt, amt, 0])
                    self.mm_tainted = True
                elif self.mm_tainted:
                    self.exposed.append([cname, payee, "otc_maker_payee", res["hash"], "MarketMaker-like"])
            self.mm_q = keep

    def bridge_step(self):
        """Arbitrum's side of both bridges: mints for locks, relayer fills from their own ETH."""
        A, r = self.arb, self.rng
        keep = []
        for m in self.msgs:
            if m["arrive"] > A.t:
                keep.append(m)
                continue
            if m["kind"] == "lock":
                tok = self.beth if m["asset"] == "ETH" else self.usdce
                res = A.tx(self.minter, tok, 0, [("tok", tok, ZERO, m["to"], m["amount"])], 70000,
                           "0x" + S_MINT + a32(m["to"]) + w32(m["amount"]))
                credit, asset = m["amount"], tok
                self.lock_rows.append(["arbitrum", "mint", res["hash"], res["block"], res["ts"], self.minter,
                                       m["to"], tok, m["amount"], m["heist"], m["src_tx"]])
            else:
                rl = m["relayer"]
                out = m["amount"] - m["amount"] * r.randint(5, 25) // 10000
                res = A.tx(rl, self.spoke_a, out, [("call", self.spoke_a, m["to"], out),
                                                   ("log", self.spoke_a, [T_FILLED, "0x" + a32(rl), "0x" + a32(m["to"])],
                                                    "0x" + w32(out) + w32(m["id"]) + w32(1))],
                           90000, "0x" + S_FILL + a32(m["to"]) + w32(out))
                credit, asset = out, "ETH"
                self.across_rows.append(["arbitrum", "fill", res["hash"], res["block"], res["ts"], rl, m["to"], "ETH",
                                         out, m["heist"], m["src_tx"]])
                self.refunds.append((rl, m["amount"]))
                if self.relayer_tainted.get(rl) and not m["heist"]:
                    self.exposed.append(["arbitrum", m["to"], "relayer_fill_peer", res["hash"], rl])
                if m["heist"]:
                    self.relayer_tainted[rl] = True
            self.xchain.append([m["kind"], m["src_tx"], res["hash"], m["from"], m["to"], m["asset"], m["amount"],
                                asset, credit, m["heist"]])
            if m["heist"]:
                self.drains["arbitrum"].append(res["hash"])
                self.flows["arbitrum"].append(["h1", res["hash"], res["block"], res["ts"], "bridge_in", "", m["to"],
                                               asset, credit, 0])
                self.arb_credit[asset] += credit
            if m["to"] not in A.meta:
                A.meta[m["to"]] = dict(self.eth.meta[m["to"]])
        self.msgs = keep

    def refund_step(self):
        """The liquidity bridge repays its relayers on Ethereum from the deposits."""
        E = self.eth
        if len(self.refunds) < 6 and self.rng.random() < 0.97:
            return
        by = defaultdict(int)
        for rl, v in self.refunds:
            by[rl] += v
        if sum(by.values()) > E.eth[self.spoke_e]:
            return
        res = E.tx(self.executor, self.spoke_e, 0, [("call", self.spoke_e, rl, v) for rl, v in sorted(by.items())],
                   60000 + 9000 * len(by), "0x" + selector("executeRelayerRefundLeaf(uint32,bytes,bytes32[])"))
        if res and res["ok"]:
            self.refunds = []

    # ---------------------------------------------------------------- honest activity
    def honest(self, cname):
        ch, r = self.ch(cname), self.rng
        users = self.users if cname == "ethereum" else self.arb_users
        u = r.choice(users)
        x = r.random()
        stable = self.usdt if cname == "ethereum" else self.usdt_a
        if x < 0.28:  # a payment in ETH
            v = int(ch.eth[u] * r.uniform(0.01, 0.3))
            ch.tx(u, r.choice(users), v, (), 21000)
        elif x < 0.46:  # a stablecoin payment (1.5 % revert)
            t = stable if cname != "ethereum" or r.random() < 0.6 else self.usdc
            bal = ch.tok[(t, u)]
            if bal == 0:
                return
            v = int(bal * r.uniform(0.05, 0.6))
            if r.random() < 0.015:
                v = bal * 3
            to = r.choice(users)
            ch.tx(u, t, 0, [("tok", t, u, to, v)], 48000, "0x" + S_TRANSFER + a32(to) + w32(v))
        elif x < 0.60:  # a deposit at an exchange, and later a withdrawal to herself or a friend
            cex = r.choice(self.cex)
            eid = ch.meta[u]["entity_id"]
            d = self.dep_addr(cex, eid, cname)
            if r.random() < 0.7:
                v = int(ch.eth[u] * r.uniform(0.1, 0.6))
                res = ch.tx(u, d, v, (), 21000)
                asset = "ETH"
            else:
                t = stable
                v = int(ch.tok[(t, u)] * r.uniform(0.2, 0.9))
                if v == 0:
                    return
                res = ch.tx(u, t, 0, [("tok", t, u, d, v)], 48000, "0x" + S_TRANSFER + a32(d) + w32(v))
                asset = t
            if res and res["ok"]:
                cex["pend"][cname].append((ch.number + r.randint(3, 40), d, asset))
                if r.random() < 0.8:
                    cex["wq"][cname].append((r.choice(users) if r.random() < 0.3 else u, v * r.randint(40, 95) // 100,
                                             asset, ch.number + r.randint(10, 200), ""))
        elif x < 0.70 and cname == "ethereum":  # a swap through the aggregator (1-3 pools)
            self.honest_swap(u)
        elif x < 0.74:  # an instant-exchanger order
            self.exch_order(cname, u, ch.eth[u] * r.randint(10, 50) // 100, "", u)
        elif x < 0.78 and cname == "ethereum":  # OTC with the market maker (ETH in, USDT out)
            v = ch.eth[u] * r.randint(30, 80) // 100
            if v < 5 * E18:
                return
            res = ch.tx(u, self.mm, v, (), 21000)
            if res:
                self.mm_q.append((u, v * 2480 // E18 * E6, "USDT", ch.number + r.randint(3, 25), ""))
        elif x < 0.83 and u in self.sa:  # ERC-4337: a smart account pays, gas sponsored or prefunded
            self.user_op(cname, r.choice(self.bundlers), self.sa[u], r.choice(users),
                         ch.eth[self.sa[u]] * r.randint(5, 40) // 100, r.random() < 0.6)
        elif x < 0.86:  # a Multicall3 value batch to a few friends
            n = r.randint(2, 6)
            tot = ch.eth[u] * r.randint(5, 30) // 100
            tos = r.sample(users, n)
            ops = [("call", self.multicall, t, tot // n) for t in tos]
            res = ch.tx(u, self.multicall, tot // n * n, ops, 40000 + 12000 * n, "0x" + S_AGG3V)
            if res and res["ok"] and self.mc_tainted and cname == "ethereum":
                for t in tos:  # paid through the batch sender the thief used before
                    self.exposed.append([cname, t, "batch_sender_peer", res["hash"], self.multicall])
        elif x < 0.89 and cname == "ethereum":  # bridge to Arbitrum, either bridge
            self.bridge_out(u, ch.eth[u] * r.randint(10, 40) // 100, r.choice(self.arb_users), "")
        elif x < 0.90 and cname == "ethereum":  # the DAO's Safe pays contributors
            n = r.randint(3, 15)
            tos = r.sample(users, n)
            ops = [("call", self.dao_safe, t, int(r.uniform(0.2, 4) * E18)) for t in tos]
            ops.append(("log", self.dao_safe, [T_EXECOK], "0x" + w32(r.getrandbits(256)) + w32(0)))
            ch.tx(self.dao_signer, self.dao_safe, 0, ops, 80000 + 12000 * n, "0x" + S_EXEC)
        elif x < 0.92 and cname == "ethereum":  # USDC minted to / redeemed by the market maker
            if r.random() < 0.5:
                v = r.randint(1, 20) * 10 ** 5 * E6
                ch.tx(self.usdc_minter, self.usdc, 0, [("tok", self.usdc, ZERO, self.mm, v)], 60000,
                      "0x" + S_MINT + a32(self.mm) + w32(v))
            else:
                v = min(ch.tok[(self.usdc, self.mm)], r.randint(1, 10) * 10 ** 5 * E6)
                if ch.tx(self.mm, self.usdc, 0, [("tok", self.usdc, self.mm, self.usdc_minter, v)], 52000,
                         "0x" + S_TRANSFER + a32(self.usdc_minter) + w32(v)):
                    ch.tx(self.usdc_minter, self.usdc, 0, [("tok", self.usdc, self.usdc_minter, ZERO, v)], 40000,
                          "0x" + S_BURN + w32(v))
        else:
            v = int(ch.eth[u] * r.uniform(0.01, 0.1))
            ch.tx(u, r.choice(users), v, (), 21000)

    def honest_swap(self, u):
        E, r = self.eth, self.rng
        tin = r.choice([self.usdt, self.usdc, self.dai, "ETH"])
        if tin == "ETH":
            v = E.eth[u] * r.randint(5, 30) // 100
            if v == 0:
                return
            tout = r.choice([self.usdt, self.usdc])
            path = r.choice([[self.pairs[frozenset((self.weth, tout))]],
                             [self.pairs[frozenset((self.weth, self.dai))], self.pairs[frozenset((self.dai, self.usdc))]]]
                            if tout == self.usdc else [[self.pairs[frozenset((self.weth, tout))]]])
            ops, t2, out, upd = route_ops(path, self.weth, v, u, self.agg)
            ops = [("wrap", self.weth, self.agg, v), ("tok", self.weth, self.agg, path[0].addr, v)] + ops
            res = E.tx(u, self.agg, v, ops, 180000 + 60000 * len(path), "0x" + S_SWAP_ROUTE)
        else:
            v = E.tok[(tin, u)] * r.randint(10, 60) // 100
            if v == 0:
                return
            path = self.eth_paths(tin)
            path = r.choice(path)
            ops, t2, out, upd = route_ops(path, tin, v, self.agg, self.agg)
            ops = [("tok", tin, u, path[0].addr, v)] + ops + [("unwrap", self.weth, self.agg, out),
                                                              ("call", self.agg, u, out)]
            res = E.tx(u, self.agg, 0, ops, 200000 + 60000 * len(path), "0x" + S_SWAP_ROUTE)
        if res and res["ok"]:
            apply_upd(upd)
            if self.pool_tainted and r.random() < 1:
                self.exposed.append(["ethereum", u, "pool_peer", res["hash"], "dex"])

    def eth_paths(self, tin):
        P = self.pairs
        W = self.weth
        if tin == self.usdt:
            return [[P[frozenset((self.usdt, W))]], [P[frozenset((self.usdt, self.usdc))], P[frozenset((self.usdc, W))]],
                    [P[frozenset((self.usdt, self.usdc))], P[frozenset((self.usdc, self.dai))], P[frozenset((self.dai, W))]]]
        if tin == self.usdc:
            return [[P[frozenset((self.usdc, W))]], [P[frozenset((self.usdc, self.dai))], P[frozenset((self.dai, W))]]]
        return [[P[frozenset((self.dai, W))]], [P[frozenset((self.dai, self.usdc))], P[frozenset((self.usdc, W))]]]

    def exch_order(self, cname, payer, v, heist, payee):
        """An instant-exchanger order: ETH to a fresh per-order address; paid out later in the
        chain's USDT from the shared hot wallet, batched with other orders."""
        ch, r = self.ch(cname), self.rng
        if v < E18 // 20:
            return None
        cust = ch.meta[payer]["entity_id"]
        d = self.dep_addr(self.exch, cust, cname, fresh=True)
        res = ch.tx(payer, d, v, (), 21000)
        if not res:
            return None
        self.exch["pend"][cname].append((ch.number + r.randint(2, 20), d, "ETH"))
        stable = self.usdt if cname == "ethereum" else self.usdt_a
        self.exch["payq"][cname].append((payee, v * 2450 // E18 * E6, stable, ch.number + r.randint(3, 30), heist))
        return res, d

    def user_op(self, cname, bundler, acct, to, v, sponsored, token=None):
        """ERC-4337 handleOps: the EntryPoint calls the account, the account pays `to`; the
        EntryPoint refunds the bundler (from the paymaster's deposit, or the account's prefund)."""
        ch, r = self.ch(cname), self.rng
        gas = 160000
        refund = gas * (ch.base + (ch.tip_hi or 0)) * 12 // 10
        ops = []
        if not sponsored:
            ops.append(("call", acct, self.entry, refund))
        ops.append(("nocall", self.entry, acct))
        if token:
            ops.append(("tok", token, acct, to, v))
        else:
            ops.append(("call", acct, to, v))
        ops.append(("log", self.entry, [T_UOP, "0x%064x" % r.getrandbits(256), "0x" + a32(acct),
                                        "0x" + a32(self.pm if sponsored else ZERO)],
                    "0x" + w32(r.getrandbits(32)) + w32(1) + w32(refund) + w32(gas)))
        ops.append(("call", self.entry, bundler, refund))
        return ch.tx(bundler, self.entry, 0, ops, gas, "0x" + S_HANDLEOPS)

    def bridge_out(self, u, v, to, heist, asset="ETH", which=None):
        E, r = self.eth, self.rng
        if v < E18 // 100 and asset == "ETH":
            return None
        which = which or r.choice(["lock", "liq"])
        if which == "lock":
            if asset == "ETH":
                ops = [("log", self.vault, [T_LOCKED, "0x" + a32(u), "0x" + a32(ZERO), "0x" + a32(to)],
                        "0x" + w32(v) + w32(42161))]
                res = E.tx(u, self.vault, v, ops, 70000, "0x" + S_LOCK + a32(ZERO) + w32(v) + a32(to))
            else:
                ops = [("tok", asset, u, self.vault, v),
                       ("log", self.vault, [T_LOCKED, "0x" + a32(u), "0x" + a32(asset), "0x" + a32(to)],
                        "0x" + w32(v) + w32(42161))]
                res = E.tx(u, self.vault, 0, ops, 110000, "0x" + S_LOCK + a32(asset) + w32(v) + a32(to))
            if not res or not res["ok"]:
                return None
            self.lock_rows.append(["ethereum", "deposit", res["hash"], res["block"], res["ts"], u, to, asset, v, heist, ""])
            self.msgs.append(dict(kind="lock", arrive=res["ts"] + r.randint(600, 1200), to=to, amount=v, asset=asset,
                                  heist=heist, src_tx=res["hash"], **{"from": u}))
        else:
            did = r.getrandbits(32)
            rl = r.choice(self.relayers)
            ops = [("log", self.spoke_e, [T_FUNDSDEP, "0x" + a32(u), "0x" + a32(to)],
                    "0x" + w32(v) + w32(v) + w32(42161) + w32(did))]
            res = E.tx(u, self.spoke_e, v, ops, 90000, "0x" + S_DEPOSIT_V3 + a32(to) + w32(v))
            if not res or not res["ok"]:
                return None
            self.across_rows.append(["ethereum", "deposit", res["hash"], res["block"], res["ts"], u, to, "ETH", v, heist, ""])
            self.msgs.append(dict(kind="liq", arrive=res["ts"] + r.randint(4, 90), to=to, amount=v, asset="ETH",
                                  heist=heist, src_tx=res["hash"], relayer=rl, id=did, **{"from": u}))
        return res

    # ---------------------------------------------------------------- the thief
    def thief(self, cname, kind="eoa"):
        a = self.eth.new_addr("thief", self.thief_ent, kind)
        self.thief_set.add(a)
        return a

    def tmark(self, a):
        """A thief address used on Arbitrum too (the same EOA)."""
        if a not in self.arb.meta:
            self.arb.meta[a] = dict(self.eth.meta[a])

    def flow(self, cname, res, kind, frm, to, asset, amt):
        if res is None:
            raise SystemExit("evm_alt4_world: the heist's %s tx from %s could not be made" % (kind, frm))
        self.flows[cname].append(["h1", res["hash"], res["block"], res["ts"], kind, frm, to, asset, amt, res["fee"]])

    def cash_out(self, cname, res, exch, dep, frm, asset, amt):
        self.flow(cname, res, "cash_out", frm, dep, asset, amt)
        self.cash[cname].append(["h1", res["hash"], res["block"], res["ts"], exch, dep, frm, asset, amt])

    def thief_dep(self, cex, k, cname):
        """The thief's own accounts at an exchange (KYC'd mules): deposit addresses reused."""
        eid = "thief_acct_%s_%d" % (cex["name"], k)
        if eid not in self.eth.entities:
            self.eth.entities[eid] = ("mule %d at %s" % (k, cex["name"]), "thief")
            self.arb.entities[eid] = self.eth.entities[eid]
        return self.dep_addr(cex, eid, cname)

    def spawn(self, cname, gen, delay=0):
        ch = self.ch(cname)
        self.procs.append([ch.number + delay, cname, gen])

    def run_procs(self, cname):
        ch = self.ch(cname)
        for p in list(self.procs):
            if p[1] != cname or p[0] > ch.number:
                continue
            try:
                p[0] = ch.number + max(1, next(p[2]))
            except StopIteration:
                self.procs.remove(p)

    def W(self, frac):
        return max(1, int(frac * self.blocks))

    def send_all(self, cname, a, to, kind, keep=0):
        ch = self.ch(cname)
        res = ch.tx(a, to, lambda fee: (ch.eth[a] - fee - keep, ()) if ch.eth[a] - fee - keep > 0 else (None, ()), 21000)
        self.flow(cname, res, kind, a, to, "ETH", res["value"])
        return res

    def heist(self):
        E, r = self.eth, self.rng
        yield self.W(0.06)
        v = E.eth[self.victim]
        res = E.tx(self.t0, self.victim, 0, [("call", self.victim, self.t0, v),
                                             ("log", self.victim, [T_EXECOK], "0x" + w32(r.getrandbits(256)) + w32(0))],
                   120000, "0x" + S_EXEC)
        self.flow("ethereum", res, "drain", self.victim, self.t0, "ETH", v)
        self.drains["ethereum"].append(res["hash"])
        self.stolen = {"ETH": v, self.usdt: self.st_usdt, self.usdc: self.st_usdc}
        yield 1
        res = E.tx(self.t0, self.victim, 0, [("tok", self.usdt, self.victim, self.t0, self.st_usdt),
                                             ("tok", self.usdc, self.victim, self.t0, self.st_usdc),
                                             ("log", self.victim, [T_EXECOK], "0x" + w32(r.getrandbits(256)) + w32(0))],
                   150000, "0x" + S_EXEC)
        self.flow("ethereum", res, "drain", self.victim, self.t0, self.usdt, self.st_usdt)
        self.flow("ethereum", dict(res, fee=0), "drain", self.victim, self.t0, self.usdc, self.st_usdc)
        self.drains["ethereum"].append(res["hash"])
        yield 1
        # stablecoins out fast: to swappers (gas first, in one multicall), sold through routes
        sw = [self.thief("ethereum") for _ in range(6)]
        res = E.tx(self.t0, self.multicall, len(sw) * E18 // 5, [("call", self.multicall, a, E18 // 5) for a in sw],
                   40000 + 12000 * len(sw), "0x" + S_AGG3V)
        self.flow("ethereum", res, "gas", self.t0, self.multicall, "ETH", len(sw) * E18 // 5)
        self.mc_tainted = True
        usdt_parts = [self.st_usdt * k // 100 for k in (30, 25, 20, 13)]
        usdt_parts.append(self.st_usdt - sum(usdt_parts))  # the slow one: frozen and destroyed
        usdc_parts = [self.st_usdc * 55 // 100, self.st_usdc * 25 // 100]
        usdc_parts.append(self.st_usdc - sum(usdc_parts))  # kept, bridged by lock-and-mint / frozen
        plan = [(sw[i], self.usdt, usdt_parts[i]) for i in range(5)] + \
               [(sw[5], self.usdc, usdc_parts[0]), (sw[0], self.usdc, usdc_parts[1])]
        for a, t, amt in plan:
            yield 1
            res = E.tx(self.t0, t, 0, [("tok", t, self.t0, a, amt)], 52000, "0x" + S_TRANSFER + a32(a) + w32(amt))
            self.flow("ethereum", res, "hop", self.t0, a, t, amt)
        for a, t, amt in plan[:4] + plan[5:]:
            self.spawn("ethereum", self.sell(a, t, amt), r.randint(1, 4))
        self.slow = sw[4]
        self.spawn("ethereum", self.freeze_usdt(sw[4], usdt_parts[4]), self.W(0.02))
        keeper = self.thief("ethereum")
        yield 1
        res = E.tx(self.t0, keeper, E18 // 10, (), 21000)
        self.flow("ethereum", res, "gas", self.t0, keeper, "ETH", E18 // 10)
        res = E.tx(self.t0, self.usdc, 0, [("tok", self.usdc, self.t0, keeper, usdc_parts[2])], 52000,
                   "0x" + S_TRANSFER + a32(keeper) + w32(usdc_parts[2]))
        self.flow("ethereum", res, "hop", self.t0, keeper, self.usdc, usdc_parts[2])
        self.spawn("ethereum", self.usdc_keeper(keeper, usdc_parts[2]), self.W(0.01))
        # ETH: fan-out by multicall and through the thief's own Safe
        yield self.W(0.02)
        leaves = [self.thief("ethereum") for _ in range(r.randint(14, 20))]
        tot = E.eth[self.t0] * 55 // 100
        each = tot // len(leaves)
        res = E.tx(self.t0, self.multicall, each * len(leaves), [("call", self.multicall, a, each) for a in leaves],
                   40000 + 12000 * len(leaves), "0x" + S_AGG3V)
        self.flow("ethereum", res, "fan_out", self.t0, self.multicall, "ETH", each * len(leaves))
        safe = self.thief("ethereum", "contract")
        yield 2
        self.send_all("ethereum", self.t0, safe, "hop", keep=E18 // 2)
        yield self.W(0.01)
        leaves2 = [self.thief("ethereum") for _ in range(r.randint(8, 12))]
        each = (E.eth[safe] - 1) // len(leaves2)
        res = E.tx(self.t0, safe, 0, [("call", safe, a, each) for a in leaves2] +
                   [("log", safe, [T_EXECOK], "0x" + w32(r.getrandbits(256)) + w32(0))],
                   90000 + 12000 * len(leaves2), "0x" + S_EXEC)
        self.flow("ethereum", res, "fan_out", safe, self.multicall, "ETH", each * len(leaves2))
        self.swapper_eth = sw
        fates = ["cex"] * 10 + ["exch"] * 4 + ["otc"] * 3 + ["lock"] * 3 + ["liq"] * 4 + ["aa"] * 3 + ["held"] * 1
        allv = leaves + leaves2
        for i, a in enumerate(allv):
            self.spawn("ethereum", self.leaf(a, fates[(i * 7 + self.a.seed) % len(fates)]), r.randint(1, self.W(0.05)))
        # the swappers' ETH: gathered later, split over more leaves
        yield self.W(0.08)
        for a in sw:
            if E.eth[a] > E18:
                nxt = self.thief("ethereum")
                self.send_all("ethereum", a, nxt, "hop")
                self.spawn("ethereum", self.leaf(nxt, r.choice(["cex", "exch", "liq", "lock", "aa"])), r.randint(2, 30))
                yield r.randint(1, 5)

    def sell(self, a, t, amt):
        E, r = self.eth, self.rng
        left = amt
        while left > 0:
            chunk = min(left, r.randint(3, 10) * 10 ** 5 * E6)
            if left - chunk < 10 ** 5 * E6:
                chunk = left
            path = r.choice(self.eth_paths(t))
            ops, t2, out, upd = route_ops(path, t, chunk, self.agg, self.agg)
            ops = [("tok", t, a, path[0].addr, chunk)] + ops + [("unwrap", self.weth, self.agg, out),
                                                               ("call", self.agg, a, out)]
            res = self.eth.tx(a, self.agg, 0, ops, 200000 + 60000 * len(path), "0x" + S_SWAP_ROUTE)
            if res is None or not res["ok"]:
                raise SystemExit("evm_alt4_world: a thief's swap failed")
            apply_upd(upd)
            self.pool_tainted = True
            self.flow("ethereum", res, "swap", a, self.agg, t, chunk)
            self.swapped_in += out
            self.swapped_out[t] += chunk
            left -= chunk
            yield r.randint(1, 4)

    def freeze_usdt(self, a, amt):
        """The issuer blacklists the slow swapper; its transfer reverts; the frozen balance is destroyed."""
        E, r = self.eth, self.rng
        res = E.tx(self.usdt_owner, self.usdt, 0, [("log", self.usdt, [T_ADDBL], "0x" + a32(a))], 46000,
                   "0x" + S_ADDBL + a32(a))
        E.blacklist.add((self.usdt, a))
        self.issuer_rows.append(["ethereum", res["hash"], res["block"], "AddedBlackList", self.usdt, a, 0, "h1", ""])
        yield r.randint(1, 3)
        d = self.dep_addr(self.cex[0], "thief_acct_%s_0" % self.cex[0]["name"], "ethereum")
        res = E.tx(a, self.usdt, 0, [("tok", self.usdt, a, d, amt)], 30000, "0x" + S_TRANSFER + a32(d) + w32(amt))
        self.flow("ethereum", res, "reverted", a, d, self.usdt, 0)
        self.issuer_rows.append(["ethereum", res["hash"], res["block"], "reverted_transfer", self.usdt, a, amt, "h1", ""])
        yield self.W(0.03)
        E.blacklist.discard((self.usdt, a))
        with_transfer = self.a.seed % 2 == 1
        ops = [("tok", self.usdt, a, ZERO, amt)] if with_transfer else [("silentburn", self.usdt, a, amt)]
        ops.append(("log", self.usdt, [T_DESTROY, "0x" + a32(a)], "0x" + w32(amt)))
        res = E.tx(self.usdt_owner, self.usdt, 0, ops, 52000, "0x" + S_DESTROY + a32(a))
        E.blacklist.add((self.usdt, a))
        if not with_transfer:
            E.supply[self.usdt] -= amt
            self.silent_burn = (a, amt)
        self.issuer_rows.append(["ethereum", res["hash"], res["block"], "DestroyedBlackFunds", self.usdt, a, amt, "h1",
                                 "Transfer to 0x0" if with_transfer else "no Transfer log: the logs still credit it"])
        self.destroyed = amt
        self.flow("ethereum", res, "destroyed_by_issuer", a, ZERO, self.usdt, amt)

    def usdc_keeper(self, a, amt):
        """Keeps USDC: locks two thirds to Arbitrum (gas first over the liquidity bridge), and
        is blacklisted by the USDC issuer with the rest still held."""
        E, r = self.eth, self.rng
        self.tmark(a)
        res = self.bridge_out(a, E18 // 20, a, "h1", which="liq")
        self.flow("ethereum", res, "bridge", a, self.spoke_e, "ETH", E18 // 20)
        yield r.randint(1, 3)
        v = amt * 2 // 3
        res = self.bridge_out(a, v, a, "h1", asset=self.usdc, which="lock")
        self.flow("ethereum", res, "bridge", a, self.vault, self.usdc, v)
        self.bridged[self.usdc] += v
        yield self.W(0.02)
        res = E.tx(self.usdc_master, self.usdc, 0, [("log", self.usdc, [T_BLACKLISTED, "0x" + a32(a)], "0x")], 46000,
                   "0x" + S_BLACKLIST + a32(a))
        E.blacklist.add((self.usdc, a))
        self.issuer_rows.append(["ethereum", res["hash"], res["block"], "Blacklisted", self.usdc, a, amt - v, "h1",
                                 "frozen, still held"])

    def hops(self, cname, a, n):
        ch = self.ch(cname)
        for _ in range(n):
            nxt = self.thief(cname)
            if cname == "arbitrum":
                self.tmark(nxt)
            self.send_all(cname, a, nxt, "hop")
            a = nxt
            yield self.rng.randint(1, 12)
        self.last = a

    def leaf(self, a, fate):
        E, r = self.eth, self.rng
        yield from self.hops("ethereum", a, r.randint(0, 3))
        a = self.last
        if fate == "cex":
            for k in range(r.randint(1, 3)):
                cex = r.choice(self.cex)
                d = self.thief_dep(cex, r.randint(0, 2), "ethereum")
                last = k == 2 or E.eth[a] < 30 * E18 or r.random() < 0.4
                keep = 0 if last else E.eth[a] // 2
                res = self.send_all("ethereum", a, d, "cash_out_tmp", keep=keep)
                self.flows["ethereum"].pop()
                self.cash_out("ethereum", res, cex["name"], d, a, "ETH", res["value"])
                cex["pend"]["ethereum"].append((E.number + r.randint(3, 40), d, "ETH"))
                if r.random() < 0.5:  # the mule withdraws later, to a fresh address (not stolen)
                    w = self.thief("ethereum")
                    cex["wq"]["ethereum"].append((w, res["value"] * r.randint(50, 90) // 100, "ETH",
                                                  E.number + r.randint(20, 200), "h1"))
                    self.spawn("ethereum", self.after_withdrawal(w), r.randint(220, 400))
                if last:
                    break
                yield r.randint(3, 30)
        elif fate == "exch":
            v = E.eth[a] - 21000 * E.base * 4
            payee = self.thief("ethereum")
            out = self.exch_order("ethereum", a, v - 21000 * 60 * GWEI, "h1", payee)
            res, d = out
            self.cash_out("ethereum", res, "eXch-like", d, a, "ETH", res["value"])
            self.spawn("ethereum", self.after_exch(payee), r.randint(60, 200))
        elif fate == "otc":
            res = self.send_all("ethereum", a, self.mm, "otc")
            payee = self.thief("ethereum")
            self.otc_paid += res["value"]
            self.mm_q.append((payee, res["value"] * 2480 // E18 * E6, "USDT", E.number + r.randint(3, 25), "h1"))
        elif fate in ("lock", "liq"):
            self.tmark(a)
            if fate == "lock":
                res = self.bridge_out(a, E18 // 20, a, "h1", which="liq")
                self.flow("ethereum", res, "bridge", a, self.spoke_e, "ETH", E18 // 20)
                self.bridged["ETH"] += E18 // 20
                yield r.randint(1, 3)
            v = E.eth[a] - 90000 * (E.base + 2 * GWEI) - E18 // 100
            res = self.bridge_out(a, v, a, "h1", which=fate)
            self.flow("ethereum", res, "bridge", a, self.vault if fate == "lock" else self.spoke_e, "ETH", v)
            self.bridged["ETH"] += v
        elif fate == "aa":
            acct = self.thief("ethereum", "contract")
            self.send_all("ethereum", a, acct, "hop")
            yield r.randint(5, 40)
            cex = r.choice(self.cex)
            d = self.thief_dep(cex, r.randint(0, 2), "ethereum")
            v = E.eth[acct]
            res = self.user_op("ethereum", r.choice(self.bundlers), acct, d, v, True)
            self.cash_out("ethereum", res, cex["name"], d, acct, "ETH", v)
            cex["pend"]["ethereum"].append((E.number + r.randint(3, 40), d, "ETH"))
            for b in self.bundlers:
                self.bundler_tainted.add(b)
        # "held": stays

    def after_withdrawal(self, w):
        """The exchange's payout to a fresh thief address (not stolen) deposited at another exchange."""
        E, r = self.eth, self.rng
        for _ in range(40):
            if E.eth[w] > 0:
                break
            yield 10
        if E.eth[w] == 0:
            return
        cex = r.choice(self.cex)
        d = self.thief_dep(cex, 3, "ethereum")
        res = E.tx(w, d, lambda fee: (E.eth[w] - fee, ()), 21000)
        self.flow("ethereum", res, "deposit_not_stolen", w, d, "ETH", res["value"])
        cex["pend"]["ethereum"].append((E.number + r.randint(3, 40), d, "ETH"))

    def after_exch(self, payee):
        """The instant exchanger's USDT payout (not stolen), given gas by a thief address holding
        stolen ETH, deposited at an exchange."""
        E, r = self.eth, self.rng
        for _ in range(40):
            if E.tok[(self.usdt, payee)] > 0:
                break
            yield 10
        bal = E.tok[(self.usdt, payee)]
        if bal == 0:
            return
        res = E.tx(self.t0, payee, E18 // 200, (), 21000)
        self.flow("ethereum", res, "gas", self.t0, payee, "ETH", E18 // 200)
        yield r.randint(1, 5)
        cex = r.choice(self.cex)
        d = self.thief_dep(cex, 3, "ethereum")
        res = E.tx(payee, self.usdt, 0, [("tok", self.usdt, payee, d, bal)], 52000, "0x" + S_TRANSFER + a32(d) + w32(bal))
        self.flow("ethereum", res, "deposit_not_stolen", payee, d, self.usdt, bal)
        cex["pend"]["ethereum"].append((E.number + r.randint(3, 40), d, self.usdt))

    def arb_heist(self):
        """On Arbitrum: whatever the bridges credit the thief's reused EOAs is moved on."""
        A, r = self.arb, self.rng
        seen = set()
        while True:
            for row in self.xchain:
                if not row[9] or row[2] in seen:
                    continue
                seen.add(row[2])
                self.spawn("arbitrum", self.arb_leaf(row[4], row[7]), r.randint(5, 60))
            yield 5

    def arb_leaf(self, a, asset):
        A, r = self.arb, self.rng
        if asset != "ETH":  # bETH or USDC.e: to the thief's deposit address (the same as on Ethereum)
            for _ in range(60):
                if A.eth[a] > 200000 * (A.base + 1):
                    break
                yield 10
            cex = r.choice(self.cex)
            d = self.thief_dep(cex, r.randint(0, 2), "arbitrum")
            bal = A.tok[(asset, a)]
            res = A.tx(a, asset, 0, [("tok", asset, a, d, bal)], 60000, "0x" + S_TRANSFER + a32(d) + w32(bal))
            self.cash_out("arbitrum", res, cex["name"], d, a, asset, bal)
            cex["pend"]["arbitrum"].append((A.number + r.randint(5, 60), d, asset))
            return
        if A.eth[a] < E18 // 5:  # gas money for a lock's mint: kept
            return
        yield from self.hops("arbitrum", a, r.randint(1, 2))
        a = self.last
        x = r.random()
        if x < 0.4:
            payee = self.thief("arbitrum")
            self.tmark(payee)
            out = self.exch_order("arbitrum", a, A.eth[a] - 21000 * A.base * 10, "h1", payee)
            res, d = out
            self.cash_out("arbitrum", res, "eXch-like", d, a, "ETH", res["value"])
        elif x < 0.7:
            acct = self.thief("arbitrum", "contract")
            self.tmark(acct)
            self.send_all("arbitrum", a, acct, "hop")
            yield r.randint(5, 40)
            cex = r.choice(self.cex)
            d = self.thief_dep(cex, r.randint(0, 2), "arbitrum")
            v = A.eth[acct]
            res = self.user_op("arbitrum", r.choice(self.bundlers), acct, d, v, True)
            self.cash_out("arbitrum", res, cex["name"], d, acct, "ETH", v)
            cex["pend"]["arbitrum"].append((A.number + r.randint(5, 60), d, "ETH"))
        else:
            cex = r.choice(self.cex)
            d = self.thief_dep(cex, r.randint(0, 2), "arbitrum")
            res = self.send_all("arbitrum", a, d, "tmp")
            self.flows["arbitrum"].pop()
            self.cash_out("arbitrum", res, cex["name"], d, a, "ETH", res["value"])
            cex["pend"]["arbitrum"].append((A.number + r.randint(5, 60), d, "ETH"))

    # ---------------------------------------------------------------- the run
    def run(self):
        E, A, r = self.eth, self.arb, self.rng
        self.setup()
        self.first_blocks()
        self.blocks = max(400, self.a.txs // 14)
        self.spawn("ethereum", self.heist())
        self.spawn("arbitrum", self.arb_heist())
        for i in range(self.blocks):
            E.open_block()
            for _ in range(r.randint(6, 18)):
                self.honest("ethereum")
            self.sweep_step("ethereum")
            self.payout_step("ethereum")
            self.refund_step()
            self.run_procs("ethereum")
            E.close_block()
            for _ in range(3):
                A.open_block()
                self.bridge_step()
                for _ in range(r.randint(0, 2)):
                    self.honest("arbitrum")
                self.sweep_step("arbitrum")
                self.payout_step("arbitrum")
                self.run_procs("arbitrum")
                A.close_block()

    def write(self, out, out2):
        E, A = self.eth, self.arb
        E.write(out, 1000)
        A.write(out2, 3000)
        for cname, ch, d in (("ethereum", E, out), ("arbitrum", A, out2)):
            T = os.path.join(d, "truth")
            os.makedirs(T, exist_ok=True)
            ch.meta.setdefault(ZERO, dict(kind="eoa", entity_id="", entity_name="", category="zero_address",
                                          customer_id="", exchange=""))
            writecsv(T + "/addresses.csv", ["address", "kind", "entity_id", "entity_name", "category", "customer_id",
                                            "exchange"],
                     [[a, m["kind"], m["entity_id"], m["entity_name"], m["category"], m["customer_id"], m["exchange"]]
                      for a, m in ch.meta.items()])
            ents = dict(ch.entities)
            writecsv(T + "/entities.csv", ["entity_id", "name", "category"],
                     [[k, v[0], v[1]] for k, v in ents.items()])
            bal = [[a, "ETH", v] for a, v in sorted(ch.eth.items()) if v]
            tb = dict(ch.tok)
            if cname == "ethereum" and self.silent_burn:  # what the logs say: the burn left none
                a, v = self.silent_burn
                tb[(self.usdt, a)] += v
            bal += [[a, t, v] for (t, a), v in sorted(tb.items()) if v and a != ZERO]
            writecsv(T + "/balances.csv", ["address", "asset", "balance"], bal)
            writecsv(T + "/heist_flows.csv", ["heist", "tx_hash", "block", "timestamp", "kind", "from_address",
                                              "to_address", "asset", "amount", "fee_wei"], self.flows[cname])
            writecsv(T + "/cash_outs.csv", ["heist", "tx_hash", "block", "timestamp", "exchange", "deposit_address",
                                            "from_address", "asset", "amount"], self.cash[cname])
            writecsv(T + "/bridge_deposits.csv", ["heist", "tx_hash", "block", "timestamp", "from_address", "asset",
                                                  "amount", "memo", "btc_address", "style"], [])
            writecsv(T + "/mixer_links.csv", ["pool", "denomination_wei", "deposit_tx", "deposit_block", "depositor",
                                              "withdrawal_tx", "withdrawal_block", "recipient", "relayer",
                                              "relayer_fee_wei", "heist"], [])
            bh = ["chain", "kind", "tx_hash", "block", "timestamp", "from_address", "to_address", "asset", "amount",
                  "heist", "source_tx"]
            writecsv(T + "/lock_bridge.csv", bh, [x for x in self.lock_rows if x[0] == cname])
            writecsv(T + "/across_bridge.csv", bh, [x for x in self.across_rows if x[0] == cname])
            writecsv(T + "/xchain.csv", ["bridge", "ethereum_tx", "arbitrum_tx", "from_address", "to_address",
                                         "asset_locked", "amount_locked", "asset_credited", "amount_credited", "heist"],
                     self.xchain)
            writecsv(T + "/issuer_actions.csv", ["chain", "tx_hash", "block", "action", "token", "address", "amount",
                                                 "heist", "note"], [x for x in self.issuer_rows if x[0] == cname])
            writecsv(T + "/service_payouts.csv", ["chain", "tx_hash", "block", "service", "payer", "thief_address",
                                                  "asset", "amount", "heist"], [x for x in self.svc_pay if x[0] == cname])
            seen, ex = set(), []
            thief_txs = {f[1] for f in self.flows[cname]}
            for c2, a, kind, tx, via in self.exposed:
                if c2 == cname and (a, kind) not in seen and a in ch.meta and ch.meta[a]["category"] == "user":
                    seen.add((a, kind))
                    ex.append([a, kind, tx, via])
            writecsv(T + "/honest_exposed.csv", ["address", "kind", "tx_hash", "via"], ex)
            thief = [a for a, m in ch.meta.items() if m["category"] == "thief"]
            held = defaultdict(int)
            for a in thief:
                held["ETH"] += ch.eth[a]
                for t in ch.tokens:
                    held[t] += ch.tok[(t, a)]
            cashed = defaultdict(int)
            for x in self.cash[cname]:
                cashed[x[7]] += x[8]
            h = {"name": "h1", "chain": cname, "thief_entity": "thief",
                 "drain_txs": self.drains[cname],
                 "deposit_addresses": sorted({x[5] for x in self.cash[cname]}),
                 "totals": {"cashed_out": {k: str(v) for k, v in cashed.items()},
                            "cash_outs": len(self.cash[cname])},
                 "held_at_tip_by_thief_addresses": {k: str(v) for k, v in held.items() if v},
                 "note": "service payouts to the thief (service_payouts.csv) are not stolen; the trail ends at "
                         "the service (cash_outs.csv), at the market maker (heist_flows kind otc) or at a bridge"}
            if cname == "ethereum":
                h.update({"victim": self.victim, "stolen": {k: str(v) for k, v in self.stolen.items()},
                          "swapped_out": {k: str(v) for k, v in self.swapped_out.items()},
                          "swapped_in": str(self.swapped_in),
                          "bridged_to_arbitrum": {k: str(v) for k, v in self.bridged.items()},
                          "otc_paid_wei": str(self.otc_paid), "destroyed_by_issuer": str(self.destroyed)})
            else:
                h.update({"victim": "", "bridged_in": {k: str(v) for k, v in self.arb_credit.items()},
                          "note_drain": "drain_txs are the bridge mints and relayer fills crediting the thief"})
            json.dump([h], open(T + "/heists.json", "w"), indent=1)
            json.dump({"format": "chainwatch-gen-evm-truth/1", "generator": "tests/diff/evm_alt4_world.py",
                       "ingest_chain": cname, "seed": self.a.seed, "txs": ch.ntx, "failed_txs": ch.failed,
                       "blocks": ch.number + 1, "tip": {"number": ch.number, "hash": ch.parent},
                       "accounts": len(ch.meta), "entities": len(ents),
                       "other_chain": "arbitrum" if cname == "ethereum" else "ethereum"}, open(T + "/world.json", "w"), indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--out2")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--txs", type=int, default=50000)
    ap.add_argument("--btc-to", default="")
    ap.add_argument("--genesis-ts", type=int, default=1767225600 - 86400)
    a = ap.parse_args()
    if a.txs < 3000:
        raise SystemExit("evm_alt4_world: --txs must be at least 3000 (the heist needs the room)")
    w = World(a)
    w.run()
    w.write(a.out, a.out2 or a.out.rstrip("/") + "-arbitrum")
    print(json.dumps({"ethereum_txs": w.eth.ntx, "arbitrum_txs": w.arb.ntx, "cash_outs_eth": len(w.cash["ethereum"]),
                      "cash_outs_arb": len(w.cash["arbitrum"]), "blocks": w.blocks}))


if __name__ == "__main__":
    main()
