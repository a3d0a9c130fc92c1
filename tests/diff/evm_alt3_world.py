#!/usr/bin/python3
"""A fifth EVM world, written from the texts of issues 12-15 only: the adversary attacks the
watcher. Honest mainnet activity (ETH and ERC-20 payments, exchanges with per-customer deposit
addresses swept to hot wallets after gas top-ups, a Uniswap-V2-like pair behind a router, WETH9,
a Tornado-like pool per denomination with relayers, a THORChain-like router, an ERC-3156 lending
pool, a merchant paying payroll through a disperse contract, EIP-4895 withdrawals, ~2 % failed
txs and reverted internal calls) and one heist laundered among shapes meant to make a tracer
blame honest people:
  - a compromised exchange hot wallet swept in one block (ETH, USDT, USDC) and an approval
    drainer (`approve` earlier, or a `permit` the thief submits, then `transferFrom` by the
    drainer contract);
  - dust of stolen ETH and USDT to honest accounts; address poisoning (zero-value `transferFrom`
    of the real USDT naming the victim as sender, a fake token with USDT's symbol and decimals
    whose Transfer logs move nothing real, lookalike addresses with the same first and last 4 hex
    digits as the victim's counterparty sending it dust; some victims then pay the lookalike);
  - the thief paying an honest merchant (which later pays payroll to honest employees and cashes
    out at its own exchange deposit address) and a flash loan whose fee is paid in stolen WETH;
  - a swap of USDT to ETH, a fan-out, hop chains, fixed-denomination mixer deposits withdrawn
    through relayers far later, THORChain deposits with a `=:BTC.BTC:bc1q...` memo in the event,
    an ETH transfer to a bridge vault whose memo is only in the calldata, and cash-outs at the
    thief's exchange deposit addresses, the last ones still unswept when the export ends.
Writes ethereum-etl CSVs in export_all's `start_block=/end_block=` folders (blocks,
transactions, receipts, logs, token_transfers, traces, tokens), deterministic by seed, and the
truth of docs/GEN.md's EVM layout plus truth/honest_exposed.csv (every honest account a shape
above touched with stolen value or the thief's logs, and how).

usage: evm_alt3_world.py --out DIR [--seed S] [--txs N] [--btc-to A,B,...] [--genesis-ts T]
                         [--range BLOCKS]
"""
import argparse, csv, hashlib, json, os, random
from collections import defaultdict

TRANSFER = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
APPROVAL = "0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925"
WDEPOSIT = "0xe1fffcc4923d04b559f4d29a8bfc6cda04eb5b0d3c460751c2402c5c5cc9109c"
WWITHDRAW = "0x7fcf532c15f0a6db0bd6d0e038bea71d30d808c7d98cb3bf7268a95bf5081b65"
SYNC = "0x1c411e9a96e071241c2f21f7726b17ae89e3cab4c78be50e062b03a9fffbbad1"
SWAP = "0xd78ad95fa46c994b6551d0da85fc275fe613ce37657fb8d5e3d130840159d822"
TC_DEPOSIT = "0xef519b7eb82aaf6ac376a6df2d793843ebfd593de5f1a0601d3cc6ab49ebb395"
TC_DEPOSIT_SIG = "Deposit(address,address,uint256,string)"
MIX_DEPOSIT = "0xa945e51eec50ab98c161376f0db4cf2aeba3ec92755fe2fcd388bdbbb80ff196"
MIX_WITHDRAW = "0xe9e508bad6d4c3227e881ca19068f099da81b5164dd6d62b2eaf1e8bc6c34931"
FLASH = "0x0d7d75e01ab95780d3cd1c8ec0dd6c2ce19e3a20427eec8bf53283b6fb8e95f0"
WETH = "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"
ZERO = "0x" + "0" * 40
E18, GWEI = 10**18, 10**9

H_BLOCK = ["number", "hash", "parent_hash", "nonce", "sha3_uncles", "logs_bloom", "transactions_root",
           "state_root", "receipts_root", "miner", "difficulty", "total_difficulty", "size", "extra_data",
           "gas_limit", "gas_used", "timestamp", "transaction_count", "base_fee_per_gas",
           "withdrawals_root", "withdrawals"]
H_TX = ["hash", "nonce", "block_hash", "block_number", "transaction_index", "from_address", "to_address",
        "value", "gas", "gas_price", "input", "block_timestamp", "max_fee_per_gas",
        "max_priority_fee_per_gas", "transaction_type"]
H_RC = ["transaction_hash", "transaction_index", "block_hash", "block_number", "cumulative_gas_used",
        "gas_used", "contract_address", "root", "status", "effective_gas_price", "l1_fee", "l1_gas_used",
        "l1_gas_price", "l1_fee_scalar"]
H_LOG = ["log_index", "transaction_hash", "transaction_index", "block_hash", "block_number", "address",
         "data", "topics"]
H_TT = ["token_address", "from_address", "to_address", "value", "transaction_hash", "log_index", "block_number"]
H_TR = ["block_number", "transaction_hash", "transaction_index", "from_address", "to_address", "value",
        "input", "output", "trace_type", "call_type", "reward_type", "gas", "gas_used", "subtraces",
        "trace_address", "error", "status", "trace_id"]
H_TOK = ["address", "symbol", "name", "decimals", "total_supply", "block_number"]

B32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def bech32(hrp, prog20):
    def polymod(vals):
        gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]
        chk = 1
        for v in vals:
            b = chk >> 25
            chk = (chk & 0x1ffffff) << 5 ^ v
            for i in range(5):
                chk ^= gen[i] if (b >> i) & 1 else 0
        return chk
    acc, bits, data = 0, 0, [0]
    for x in prog20:
        acc = acc << 8 | x
        bits += 8
        while bits >= 5:
            bits -= 5
            data.append(acc >> bits & 31)
    if bits:
        data.append(acc << (5 - bits) & 31)
    hv = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    pm = polymod(hv + data + [0] * 6) ^ 1
    return hrp + "1" + "".join(B32[d] for d in data + [pm >> 5 * (5 - i) & 31 for i in range(6)])


def w32(x):
    return "%064x" % x


def aw(a):
    return "0" * 24 + a[2:]


class World:
    def __init__(self, a):
        self.a = a
        self.r = random.Random(a.seed)
        self.bal = defaultdict(int)  # (address, asset) -> what the chain's state/logs say
        self.addr_rows, self.ent = [], {}
        self.blocks_meta, self.rows = [], defaultdict(list)
        self.pending, self.n_tx, self.n_failed = [], 0, 0
        self.nonce = defaultdict(int)
        self.block = 0
        self.ts0 = a.genesis_ts
        self.base_fee = 12 * GWEI
        self.later = defaultdict(list)
        self.truth = defaultdict(list)
        self.kind = {}
        self.genesis = []
        self.tokens = []

    # ---- accounts
    def new(self, cat, ent="", kind="eoa", customer="", exchange="", name=None, addr=None):
        a = addr or "0x%040x" % self.r.getrandbits(160)
        self.kind[a] = kind
        if ent and ent not in self.ent:
            self.ent[ent] = (name or ent, cat if cat != "exchange_deposit" else "exchange")
        self.addr_rows.append([a, kind, ent, self.ent.get(ent, ("", ""))[0] if ent else "", cat, customer, exchange])
        return a

    def lookalike(self, of, ent):
        tail = of[-4:]
        mid = "%032x" % self.r.getrandbits(128)
        return self.new("thief", ent, addr="0x" + of[2:6] + mid + tail)

    # ---- ledger
    def mv(self, f, t, asset, v, allow_neg=False):
        if v == 0:
            return
        if f is not None:
            self.bal[(f, asset)] -= v
            assert allow_neg or self.bal[(f, asset)] >= 0, (f, asset, self.bal[(f, asset)], v, self.block)
        if t is not None:
            self.bal[(t, asset)] += v

    # ---- transactions
    def tx(self, frm, to, value=0, inp="0x", gas_used=21000, ok=True, calls=(), logs=(), create=None,
           fake=False):
        """calls: [(from, to, value, trace_address tuple, ok)] internal calls (value moves only when
        ok and every ancestor is ok); logs: [(address, [topics], data)]; Transfer/WETH logs move
        tokens (a fake token's logs move its own log balance, which may go below zero)."""
        h = "0x" + hashlib.sha256(b"alt3 %d %d" % (self.a.seed, self.n_tx)).hexdigest()
        self.n_tx += 1
        tip = self.r.choice((1, 1, 2, 3)) * GWEI // 2
        price = self.base_fee + tip
        fee = gas_used * price
        self.mv(frm, None, "ETH", fee)
        self.fees_tip += gas_used * tip
        self.pending.append(dict(h=h, frm=frm, to=to, value=value, inp=inp, gas=gas_used, ok=ok, calls=calls,
                                 logs=logs if ok else (), create=create, price=price, tip=tip, nonce=self.nonce[frm]))
        self.nonce[frm] += 1
        if not ok:
            self.n_failed += 1
            return h
        self.mv(frm, to or create, "ETH", value)
        bad = set()
        for c in calls:
            f, t, v, ta, cok = c[:5]
            if not cok or any(ta[:i] in bad for i in range(len(ta))):
                bad.add(ta)
                continue
            self.mv(f, t, "ETH", v)
        for (addr, topics, data) in logs:
            if topics[0] == TRANSFER and len(topics) == 3:
                v = int(data[2:66], 16)
                f, t = "0x" + topics[1][-40:], "0x" + topics[2][-40:]
                self.mv(None if f == ZERO else f, None if t == ZERO else t, addr, v, allow_neg=fake)
            elif addr == WETH and topics[0] in (WDEPOSIT, WWITHDRAW):
                v = int(data[2:], 16)
                who = "0x" + topics[1][-40:]
                if topics[0] == WDEPOSIT:
                    self.mv(None, who, WETH, v)
                else:
                    self.mv(who, None, WETH, v)
        return h

    def seal(self):
        """Writes the pending txs as block self.block and opens the next one."""
        n = self.block
        bh = "0x" + hashlib.sha256(b"alt3 block %d %d" % (self.a.seed, n)).hexdigest()
        parent = self.blocks_meta[-1][1] if self.blocks_meta else "0x" + "0" * 64
        ts = self.ts0 + 12 * n
        miner = self.miners[n % len(self.miners)] if n else ZERO
        cum = 0
        R = self.rows
        for i, t in enumerate(self.pending):
            cum += t["gas"]
            ttype = self.r.choice((2, 2, 2, 0))
            R["transactions"].append([t["h"], t["nonce"], bh, n, i, t["frm"], t["to"] or "", t["value"],
                                      t["gas"] + 9000, t["price"], t["inp"], ts,
                                      t["price"] + 5 * GWEI if ttype == 2 else "",
                                      t["tip"] if ttype == 2 else "", ttype])
            R["receipts"].append([t["h"], i, bh, n, cum, t["gas"], t["create"] or "", "", 1 if t["ok"] else 0,
                                  t["price"], "", "", "", ""])
            st = 1 if t["ok"] else 0
            kids = defaultdict(int)
            for c in t["calls"]:
                kids[c[3][:-1]] += 1
            R["traces"].append([n, t["h"], i, t["frm"], t["to"] or t["create"], t["value"],
                                t["inp"] if t["to"] else "0x", "0x", "create" if t["create"] else "call",
                                "" if t["create"] else "call", "", t["gas"] + 9000, t["gas"], kids[()], "",
                                "" if st else "Reverted", st, "%s_%s_" % ("create" if t["create"] else "call", t["h"])])
            bad = set()
            for c in t["calls"]:
                f, to, v, ta, cok = c[:5]
                ctype = c[5] if len(c) > 5 else "call"
                good = st and cok and not any(ta[:i] in bad for i in range(len(ta)))
                if not good:
                    bad.add(ta)
                R["traces"].append([n, t["h"], i, f, to, v, "0x", "0x", "call", ctype, "", 50000, 20000, kids[ta], ",".join(map(str, ta)),
                                    "" if good else "Reverted", 1 if good else 0,
                                    "call_%s_%s" % (t["h"], "_".join(map(str, ta)))])
            for (addr, topics, data) in t["logs"]:
                li = self.log_index
                self.log_index += 1
                R["logs"].append([li, t["h"], i, bh, n, addr, data, ",".join(topics)])
                if topics[0] == TRANSFER and len(topics) == 3:
                    R["token_transfers"].append([addr, "0x" + topics[1][-40:], "0x" + topics[2][-40:],
                                                 int(data[2:66], 16), t["h"], li, n])
        wd = []
        if n:
            for k in range(4):
                v = self.validators[(n * 4 + k) % len(self.validators)]
                amt = self.r.randint(12_000_000, 19_000_000)
                wd.append('{"index":%d,"validator_index":%d,"address":"%s","amount":%d}'
                          % (self.wd_index, 400000 + (n * 4 + k) % 997, v, amt))
                self.wd_index += 1
                self.bal[(v, "ETH")] += amt * GWEI
            self.mv(None, miner, "ETH", self.fees_tip)
        R["blocks"].append([n, bh, parent, "0x0000000000000000", "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347",
                            "0x" + "0" * 512, "0x" + "1" * 64, "0x" + "2" * 64, "0x" + "3" * 64, miner, 0,
                            58750003716598352816469, 1000 + 200 * len(self.pending), "0x616c7433", 30000000, cum, ts,
                            len(self.pending), self.base_fee if n else "", "0x" + "4" * 64 if n else "", ",".join(wd)])
        if n == 0:
            for a, v in self.genesis:
                R["traces"].append([0, "", "", "", a, v, "", "", "genesis", "", "", 0, 0, 0, "", "", 1, "genesis_" + a])
                self.bal[(a, "ETH")] += v
        self.blocks_meta.append((n, bh, ts))
        self.pending, self.fees_tip, self.log_index = [], 0, 0
        self.block += 1
        # demand moves the base fee a little each block (EIP-1559's rule bounds it at 12.5 %)
        self.base_fee = max(3 * GWEI, min(80 * GWEI, self.base_fee * self.r.randint(940, 1060) // 1000))
        if (self.block % self.a.range) == 0:
            self.flush()

    def flush(self):
        if not self.rows["blocks"]:
            return
        lo, hi = self.rows["blocks"][0][0], self.rows["blocks"][-1][0]
        lo_r = lo - lo % self.a.range
        hi_r = lo_r + self.a.range - 1
        for kind, head in (("blocks", H_BLOCK), ("transactions", H_TX), ("receipts", H_RC), ("logs", H_LOG),
                           ("token_transfers", H_TT), ("traces", H_TR), ("tokens", H_TOK)):
            d = "%s/%s/start_block=%08d/end_block=%08d" % (self.a.out, kind, lo_r, hi_r)
            os.makedirs(d, exist_ok=True)
            with open("%s/%s_%08d_%08d.csv" % (d, kind, lo_r, hi_r), "w", newline="") as f:
                w = csv.writer(f, lineterminator="\n")
                w.writerow(head)
                w.writerows(self.rows[kind])
        self.rows = defaultdict(list)

    # ---- token helpers
    def tlog(self, token, f, t, v):
        return (token, [TRANSFER, "0x" + aw(f), "0x" + aw(t)], "0x" + w32(v))

    def ttransfer(self, frm, token, to, v, ok=True, gas=52000):
        return self.tx(frm, token, 0, "0xa9059cbb" + aw(to) + w32(v), gas, ok, logs=[self.tlog(token, frm, to, v)])

    def eth(self, frm, to, v, ok=True, inp="0x"):
        return self.tx(frm, to, v, inp, 21000 if inp == "0x" else 21000 + 16 * (len(inp) - 2) // 2, ok)


def build(a):
    W = World(a)
    r = W.r
    W.fees_tip, W.log_index, W.wd_index = 0, 0, 1000000
    n_users = max(300, a.txs // 45)
    W.miners = [W.new("fee_recipient", "builder%d" % i) for i in range(4)]
    W.validators = [W.new("staker", "staker%d" % (i % 5)) for i in range(40)]
    deployer = W.new("deployer", "deployer")
    usdt = W.new("token", "tether", "contract", name="Tether USD")
    usdc = W.new("token", "circle", "contract", name="USD Coin")
    fake = W.new("token", "fake_usdt", "contract", name="Tether USD")  # the poisoner's look-alike token
    W.new("weth", "weth", "contract", addr=WETH, name="Wrapped Ether")
    W.tokens = [[usdt, "USDT", "Tether USD", 6, 40_000_000_000 * 10**6, 1], [usdc, "USDC", "USD Coin", 6, 30_000_000_000 * 10**6, 1],
                [fake, "USDT", "Tether USD", 6, 10**6 * 10**6, 1]]
    router = W.new("dex_router", "uniswap", "contract", name="UniswapV2Router")
    pair = W.new("dex_pair", "uniswap", "contract")
    lender = W.new("lending_pool", "aave_like", "contract", name="FlashLender")
    tc_router = W.new("bridge_router", "thorchain", "contract", name="THORChain")
    tc_vault = W.new("bridge_vault", "thorchain", name="THORChain")
    cd_vault = W.new("bridge_vault", "memo_bridge", name="MemoBridge")
    pools = {d: W.new("mixer_pool", "tornado_like", "contract", name="TornadoLike") for d in (1, 10, 100)}
    relayers = [W.new("mixer_relayer", "relayer%d" % i) for i in range(3)]
    disperse = W.new("payment_splitter", "disperse", "contract", name="Disperse")
    issuer = W.new("stablecoin_issuer", "tether")
    issuer_c = W.new("stablecoin_issuer", "circle")
    lp = W.new("user", "lp0")
    exch = ["Krakenish", "Binancish", "Coinbasish"]
    hot = {e: [W.new("exchange", "ex_" + e, name=e, exchange=e) for _ in range(2)] for e in exch}
    users = [W.new("user", "u%d" % i) for i in range(n_users)]
    merchant = W.new("merchant", "merchant", name="Honest Merchant")
    employees = users[10:30]  # roles: disjoint slices of the users
    thief_e = "lazarus"
    thief = lambda: W.new("thief", thief_e, name="thief")
    dep_of = {}

    def deposit_addr(ent, e):
        k = (ent, e)
        if k not in dep_of:
            dep_of[k] = W.new("exchange_deposit", "ex_" + e, customer=ent, exchange=e)
        return dep_of[k]

    # genesis: ETH only; tokens are minted by their issuers in block 1
    W.genesis = [(u, r.randint(2, 60) * E18 + r.randint(0, E18)) for u in users]
    W.genesis += [(h, 20000 * E18) for e in exch for h in hot[e]]
    W.genesis += [(x, 1000 * E18) for x in relayers + [deployer, issuer, issuer_c, merchant]] + [(lp, 20000 * E18)]
    W.genesis += [(WETH, 0)]
    W.genesis = [g for g in W.genesis if g[1]]
    W.seal()
    for c in (usdt, usdc, fake, router, pair, lender, tc_router, disperse) + tuple(pools.values()):
        W.tx(deployer, None, 0, "0x6080604052", 900000, create=c)
    mint = lambda iss, tok, to, v: W.tx(iss, tok, 0, "0x40c10f19" + aw(to) + w32(v), 60000,
                                        logs=[W.tlog(tok, ZERO, to, v)])
    for e in exch:
        for h in hot[e]:
            mint(issuer, usdt, h, 5_000_000 * 10**6)
            mint(issuer_c, usdc, h, 3_000_000 * 10**6)
    mint(issuer, usdt, lp, 50_000_000 * 10**6)
    W.seal()
    for u in users:
        if r.random() < 0.5:
            mint(issuer, usdt, u, r.randint(100, 90000) * 10**6)
        if r.random() < 0.2:
            mint(issuer_c, usdc, u, r.randint(100, 50000) * 10**6)
    W.seal()
    # the pair's and the lender's liquidity: the LP wraps ETH and supplies
    wrap = lambda who, v: W.tx(who, WETH, v, "0xd0e30db0", 45000, logs=[(WETH, [WDEPOSIT, "0x" + aw(who)], "0x" + w32(v))])
    wrap(lp, 12000 * E18)
    W.tx(lp, pair, 0, "0xe8e33700", 150000, logs=[W.tlog(WETH, lp, pair, 10000 * E18), W.tlog(usdt, lp, pair, 30_000_000 * 10**6)])
    W.ttransfer(lp, WETH, lender, 200 * E18)
    W.seal()

    NB = max(60, a.txs // 20)  # ~20 txs a block
    heist_at = NB // 5
    end_block = NB
    honest_exposed = []  # (address, kind, tx)
    state = dict(heist=False)
    cash_rows, bridge_rows, mix_rows, flows = [], [], [], []
    notes = []  # mixer deposits awaiting withdrawal: (pool, denom, deposit_tx, block, depositor, heist)
    swept = {}  # deposit address -> exchange, balances to sweep

    def ts():
        return W.ts0 + 12 * W.block

    # -- service behaviours
    def sweep(dep, e):
        hw = hot[e][0]
        for tok in (usdt, usdc):
            v = W.bal[(dep, tok)]
            if v > 0:
                need = 60000 * (W.base_fee + 2 * GWEI)
                if W.bal[(dep, "ETH")] < need:
                    W.eth(hw, dep, need - W.bal[(dep, "ETH")])  # gas top-up
                W.ttransfer(dep, tok, hw, v)
        v = W.bal[(dep, "ETH")] - 21000 * (W.base_fee + 2 * GWEI)
        if v > 10**15:
            W.eth(dep, hw, v)

    def schedule_sweep(dep, e):
        at = W.block + r.randint(3, 40)
        if at < end_block:
            W.later[at].append(lambda: sweep(dep, e))

    def user_deposit(u, e, asset=None):
        d = deposit_addr(u, e)
        if asset in (usdt, usdc) or (asset is None and W.bal[(u, usdt)] > 10**6 and r.random() < 0.4):
            tok = asset or usdt
            v = W.bal[(u, tok)] * r.randint(10, 90) // 100
            if v <= 0 or W.bal[(u, "ETH")] < 10**16:
                return None
            h = W.ttransfer(u, tok, d, v)
        else:
            v = min(W.bal[(u, "ETH")] - 10**16, r.randint(1, 80) * E18 // 10)
            if v <= 0:
                return None
            h = W.eth(u, d, v)
        schedule_sweep(d, e)
        return h

    def withdraw_to(u, e):
        h = hot[e][r.randrange(2)]
        if r.random() < 0.3 and W.bal[(h, usdt)] > 10**11:
            W.ttransfer(h, usdt, u, r.randint(50, 20000) * 10**6)
        elif W.bal[(h, "ETH")] > 200 * E18:
            W.eth(h, u, r.randint(5, 400) * E18 // 100)

    def swap_eth_for_usdt(u, v):
        rw, ru = W.bal[(pair, WETH)], W.bal[(pair, usdt)]
        out = v * 997 * ru // (rw * 1000 + v * 997)
        W.tx(u, router, v, "0x7ff36ab5" + w32(0) + w32(128) + aw(u), 130000,
             calls=[(router, WETH, v, (0,), True)],
             logs=[(WETH, [WDEPOSIT, "0x" + aw(router)], "0x" + w32(v)), W.tlog(WETH, router, pair, v),
                   W.tlog(usdt, pair, u, out),
                   (pair, [SYNC], "0x" + w32(rw + v) + w32(ru - out)),
                   (pair, [SWAP, "0x" + aw(router), "0x" + aw(u)], "0x" + w32(0) + w32(v) + w32(out) + w32(0))])

    def swap_usdt_for_eth(u, v, hops=()):
        rw, ru = W.bal[(pair, WETH)], W.bal[(pair, usdt)]
        out = v * 997 * rw // (ru * 1000 + v * 997)
        if W.allow.get((u, usdt, router), 0) < v:
            W.tx(u, usdt, 0, "0x095ea7b3" + aw(router) + "f" * 64, 46000,
                 logs=[(usdt, [APPROVAL, "0x" + aw(u), "0x" + aw(router)], "0x" + "f" * 64)])
            W.allow[(u, usdt, router)] = 1 << 255
        return W.tx(u, router, 0, "0x18cbafe5" + w32(v) + w32(0) + w32(160) + aw(u), 150000,
                    calls=[(WETH, router, out, (0,), True), (router, u, out, (1,), True)],
                    logs=[W.tlog(usdt, u, pair, v), W.tlog(WETH, pair, router, out),
                          (pair, [SYNC], "0x" + w32(rw - out) + w32(ru + v)),
                          (pair, [SWAP, "0x" + aw(router), "0x" + aw(router)], "0x" + w32(v) + w32(0) + w32(0) + w32(out)),
                          (WETH, [WWITHDRAW, "0x" + aw(router)], "0x" + w32(out))]), out
    W.allow = {}

    def mixer_deposit(u, d, heist=""):
        p = pools[d]
        c = "%064x" % r.getrandbits(256)
        h = W.tx(u, p, d * E18, "0xb214faa5" + c, 990000,
                 logs=[(p, [MIX_DEPOSIT, "0x" + c], "0x" + w32(len(notes)) + w32(ts()))])
        notes.append((p, d, h, W.block, u, heist))
        return h

    def mixer_withdraw(note, to, heist=""):
        p, d, dtx, dblk, dep, _ = note
        rel = relayers[r.randrange(3)]
        fee = d * E18 * r.choice((2, 3, 5)) // 1000
        nul = "%064x" % r.getrandbits(256)
        h = W.tx(rel, p, 0, "0x21a0adb6" + "0" * 64 + aw(to) + aw(rel) + w32(fee), 360000,
                 calls=[(p, to, d * E18 - fee, (0,), True), (p, rel, fee, (1,), True)],
                 logs=[(p, [MIX_WITHDRAW, "0x" + aw(rel)], "0x" + aw(to) + nul + w32(fee))])
        mix_rows.append([p, d * E18, dtx, dblk, dep, h, W.block, to, rel, fee, heist])
        return h

    def tc_deposit(u, v, btc, heist=""):
        memo = "=:BTC.BTC:" + btc
        mh = memo.encode().hex()
        data = w32(v) + w32(64) + w32(len(memo)) + mh + "0" * (-len(mh) % 64)
        h = W.tx(u, tc_router, v, "0x44bc937b" + aw(tc_vault) + aw(ZERO) + w32(v) + w32(160) + w32(ts() + 900) + w32(len(memo)) + mh
                 + "0" * (-len(mh) % 64), 70000, calls=[(tc_router, tc_vault, v, (0,), True)],
                 logs=[(tc_router, [TC_DEPOSIT, "0x" + aw(tc_vault), "0x" + aw(ZERO)], "0x" + data)])
        bridge_rows.append([heist, h, W.block, ts(), u, "ETH", v, memo, btc, "router"])
        return h

    def cd_deposit(u, v, btc, heist=""):
        memo = "=:BTC.BTC:" + btc
        h = W.eth(u, cd_vault, v, inp="0x" + memo.encode().hex())
        bridge_rows.append([heist, h, W.block, ts(), u, "ETH", v, memo, btc, "vault_transfer"])
        return h

    def flash(u, amt):
        # ERC-3156: borrowed and repaid with the fee in one tx (the fee from the borrower's WETH)
        fee = amt * 9 // 10000
        logs = [W.tlog(WETH, lender, u, amt), (lender, [FLASH, "0x" + aw(u), "0x" + aw(WETH)], "0x" + w32(amt) + w32(fee)),
                W.tlog(WETH, u, lender, amt + fee)]
        return W.tx(u, lender, 0, "0x5cffe9de" + aw(u) + aw(WETH) + w32(amt), 240000, logs=logs)

    def payroll():
        pay = [(e_, r.randint(1, 4) * E18 // 2) for e_ in employees]
        tot = sum(v for _, v in pay)
        if W.bal[(merchant, "ETH")] < tot + E18:
            return
        rej = r.randrange(len(pay))  # one payee's contract wallet reverts: its share stays in Disperse's refund
        calls = []
        for i, (e_, v) in enumerate(pay):
            calls.append((disperse, e_, v, (i,), i != rej))
        calls.append((disperse, merchant, pay[rej][1], (len(pay),), True))
        inp = "0xe63d38ed" + w32(64) + w32(64 + 32 * (len(pay) + 1)) + w32(len(pay)) + "".join(aw(e_) for e_, _ in pay) + \
            w32(len(pay)) + "".join(w32(v) for _, v in pay)
        h = W.tx(merchant, disperse, tot, inp, 40000 + 9000 * len(pay), calls=calls)
        for i, (e_, v) in enumerate(pay):
            if i != rej and state["heist"]:
                honest_exposed.append((e_, "merchant_payee", h))

    # -- one honest tx
    def honest():
        x = r.random()
        u = users[r.randrange(n_users)]
        if W.bal[(u, "ETH")] < 5 * 10**16:
            withdraw_to(u, exch[r.randrange(3)])
            return
        if x < 0.02:  # failed txs: a transfer that reverts, a swap past its deadline
            if r.random() < 0.5 and W.bal[(u, usdt)] < 10**12:
                W.ttransfer(u, usdt, users[r.randrange(n_users)], W.bal[(u, usdt)] + 10**12, ok=False)
            else:
                W.tx(u, router, 0, "0x18cbafe5" + w32(1), 40000, ok=False)
        elif x < 0.27:
            v = min(W.bal[(u, "ETH")] // 3, r.randint(1, 3000) * 10**15)
            W.eth(u, users[r.randrange(n_users)], v)
        elif x < 0.42:
            if W.bal[(u, usdt)] > 10**6:
                W.ttransfer(u, usdt, users[r.randrange(n_users)], W.bal[(u, usdt)] * r.randint(5, 50) // 100)
            else:
                W.eth(u, users[r.randrange(n_users)], min(W.bal[(u, "ETH")] // 4, 10**17))
        elif x < 0.60:
            user_deposit(u, exch[r.randrange(3)])
        elif x < 0.72:
            withdraw_to(u, exch[r.randrange(3)])
        elif x < 0.77:
            if r.random() < 0.5 and W.bal[(u, usdt)] > 10**8:
                swap_usdt_for_eth(u, W.bal[(u, usdt)] // 3)
            elif W.bal[(u, "ETH")] > E18:
                swap_eth_for_usdt(u, W.bal[(u, "ETH")] // 5)
        elif x < 0.79:
            if W.bal[(u, "ETH")] > 12 * E18 and r.random() < 0.6:
                mixer_deposit(u, 10)
            elif W.bal[(u, "ETH")] > 2 * E18:
                mixer_deposit(u, 1)
            elif notes and r.random() < 0.5:
                pick_honest_note()
        elif x < 0.795:
            if W.bal[(u, "ETH")] > E18:
                (tc_deposit if r.random() < 0.5 else cd_deposit)(u, W.bal[(u, "ETH")] // 4, btc_addr())
        elif x < 0.88:  # the merchant's customers
            W.eth(u, merchant, min(W.bal[(u, "ETH")] // 5, r.randint(1, 500) * 10**15))
        elif x < 0.885:  # an arbitrage bot's flash loan (fee paid from its WETH)
            if W.bal[(u, "ETH")] > E18:
                wrap(u, 10**17)
                flash(u, r.randint(1, 100) * E18)
        elif x < 0.91:
            if notes:
                pick_honest_note()
        else:
            v = min(W.bal[(u, "ETH")] // 3, r.randint(1, 900) * 10**15)
            W.eth(u, users[r.randrange(n_users)], v)

    def pick_honest_note():
        hn = [i for i, n_ in enumerate(notes) if not n_[5]]
        if hn:
            i = hn[r.randrange(len(hn))]
            mixer_withdraw(notes.pop(i), users[r.randrange(n_users)])

    btc_pool = list(a.btc_to) if a.btc_to else []

    def btc_addr():
        return bech32("bc", bytes(r.getrandbits(8) for _ in range(20)))

    # -- the heist's plan, by block
    hw_v = hot[exch[0]][1]  # the compromised hot wallet
    t0 = thief()
    drainer = W.new("thief", thief_e, "contract", name="thief")
    gas_src = thief()  # funded by an exchange withdrawal before the heist (gas)
    approvers = users[40:55]
    permitters = [u for u in users[55:75] if True][:5]
    heist = dict(drain=[])
    plan = defaultdict(list)
    plan[4].append(lambda: W.eth(hot[exch[1]][0], gas_src, 3 * E18))
    plan[5].append(lambda: W.eth(gas_src, t0, E18))
    plan[6].append(lambda: W.tx(gas_src, None, 0, "0x6080", 700000, create=drainer))
    for i, u in enumerate(approvers):  # "claim your airdrop": unlimited approvals to the drainer
        plan[8 + i].append(lambda u=u: (W.tx(u, usdt, 0, "0x095ea7b3" + aw(drainer) + "f" * 64, 46000,
                                              logs=[(usdt, [APPROVAL, "0x" + aw(u), "0x" + aw(drainer)], "0x" + "f" * 64)])))
    fan = [thief() for _ in range(30)]
    hops = {f: [thief() for _ in range(r.randint(1, 3))] for f in fan}
    leaves = [hops[f][-1] for f in fan]
    dusted = users[100:140]

    def drain():
        state["heist"] = True
        v = W.bal[(hw_v, "ETH")] - E18
        for tok in (usdt, usdc):
            heist["drain"].append(W.ttransfer(hw_v, tok, t0, W.bal[(hw_v, tok)]))
        heist["drain"].append(W.eth(hw_v, t0, v))
        heist["stolen_eth"] = v

    def drain_approvals():
        for u in approvers:
            v = W.bal[(u, usdt)]
            if v > 0:
                heist["drain"].append(W.tx(t0, drainer, 0, "0x6c8b703f" + aw(u), 90000,
                                           calls=[(drainer, usdt, 0, (0,), True)], logs=[W.tlog(usdt, u, t0, v)]))
        for u in permitters:  # permit signed off-chain by the victim, submitted by the thief
            v = W.bal[(u, usdc)]
            if v <= 0:
                continue
            W.tx(t0, usdc, 0, "0xd505accf" + aw(u) + aw(drainer) + w32(v) + w32(ts() + 600), 80000,
                 logs=[(usdc, [APPROVAL, "0x" + aw(u), "0x" + aw(drainer)], "0x" + w32(v))])  # moves nothing
            heist["drain"].append(W.tx(t0, drainer, 0, "0x6c8b703f" + aw(u), 90000,
                                       calls=[(drainer, usdc, 0, (0,), True)], logs=[W.tlog(usdc, u, t0, v)]))

    plan[heist_at].append(drain)
    plan[heist_at + 2].append(drain_approvals)

    def sell():
        v = W.bal[(t0, usdt)]
        keep = 30_000 * 10**6  # kept for dust and poisoning
        for part in range(3):
            h, out = swap_usdt_for_eth(t0, (v - keep) // 3)
            flows.append(["h1", h, W.block, ts(), "swap", t0, router, usdt, (v - keep) // 3, ""])
    plan[heist_at + 4].append(sell)

    def fan_out():
        tot = W.bal[(t0, "ETH")] - 3 * E18
        for f in fan:
            W.eth(t0, f, tot // len(fan))
        # USDC is sent on unsold, to be cashed out as it is
        W.ttransfer(t0, usdc, fan[0], W.bal[(t0, usdc)])
    plan[heist_at + 6].append(fan_out)
    for i, f in enumerate(fan):
        chain = [f] + hops[f]
        for k in range(1, len(chain)):
            plan[heist_at + 8 + i % 10 + 3 * k].append(
                lambda s=chain[k - 1], d=chain[k]: (W.eth(s, d, W.bal[(s, "ETH")] - 10**16) if W.bal[(s, "ETH")] > 10**16 else None,
                                                     W.ttransfer(s, usdc, d, W.bal[(s, usdc)]) if W.bal[(s, usdc)] else None))
    after = heist_at + 50
    # dust of stolen ETH and USDT to honest accounts
    def dust():
        for i, u in enumerate(dusted[:40]):
            src = leaves[i % len(leaves)]
            if i % 3 == 0:
                h = W.ttransfer(t0, usdt, u, r.randint(1, 200) * 10**4)
                honest_exposed.append((u, "dusted_token", h))
            else:
                h = W.eth(src, u, r.randint(1, 50) * 10**12)
                honest_exposed.append((u, "dusted_eth", h))
    plan[after].append(dust)
    # address poisoning: victims who pay a counterparty in USDT
    poisoner = thief()
    victims = users[200:215]
    def poison():
        W.eth(leaves[0], poisoner, 2 * E18)
        for i, v in enumerate(victims):
            cp = users[250 + i]
            L = W.lookalike(cp, thief_e)
            amt = r.randint(5, 900) * 10**6
            # zero-value transferFrom of the real token: Transfer(victim -> lookalike, 0)
            h = W.tx(poisoner, usdt, 0, "0x23b872dd" + aw(v) + aw(L) + w32(0), 42000, logs=[W.tlog(usdt, v, L, 0)])
            honest_exposed.append((v, "poisoned_zero_value", h))
            # the fake USDT's logs: the victim "sent" the usual amount to the lookalike
            h = W.tx(poisoner, fake, 0, "0x3b7c4ec2" + aw(v) + aw(L) + w32(amt), 38000, logs=[W.tlog(fake, v, L, amt)], fake=True)
            honest_exposed.append((v, "poisoned_fake_token", h))
            # the lookalike itself sends dust (stolen ETH, funded by the poisoner)
            W.eth(poisoner, L, 10**15)
            h = W.eth(L, v, r.randint(1, 9) * 10**11)
            honest_exposed.append((v, "lookalike_dust", h))
            state.setdefault("fooled", []).append((v, L, cp))
    plan[after + 5].append(poison)
    def fooled():
        for v, L, cp in state.get("fooled", [])[:4]:  # some copy the lookalike from their history
            if W.bal[(v, usdt)] > 10**6 and W.bal[(v, "ETH")] > 10**16:
                W.ttransfer(v, usdt, L, W.bal[(v, usdt)] // 2)
    plan[after + 200].append(fooled)
    # the thief pays the honest merchant three times; the merchant pays payroll later
    for k in range(3):
        plan[after + 10 + 30 * k].append(lambda k=k: (lambda h: honest_exposed.append((merchant, "merchant", h)))(
            W.eth(leaves[3 + k], merchant, r.randint(2, 6) * E18)))
    # a flash loan whose fee is paid in WETH wrapped from stolen ETH
    def thief_flash():
        f = leaves[8]
        wrap(f, 2 * 10**17)
        h = flash(f, 150 * E18)
        honest_exposed.append((lender, "flash_pool", h))
    plan[after + 20].append(thief_flash)
    # laundering: mixer, bridges, cash-outs
    mixers, bridgers, cashers = leaves[10:18], leaves[18:24], leaves[24:30] + leaves[3:10]
    for i, f in enumerate(mixers):
        def mix(f=f):
            while W.bal[(f, "ETH")] > 10 * E18 + 10**17:
                mixer_deposit(f, 10, "h1")
        plan[after + 30 + i * 7].append(mix)
    btc_n = [0]
    def bridge(f, k):
        amt = (W.bal[(f, "ETH")] - 10**16) // (2 if k % 2 == 0 else 1)
        btc = btc_pool[btc_n[0] % len(btc_pool)] if btc_pool else btc_addr()
        btc_n[0] += 1
        (tc_deposit if k % 2 == 0 else cd_deposit)(f, amt, btc, "h1")
    for i, f in enumerate(bridgers):
        plan[after + 40 + i * 5].append(lambda f=f, i=i: (bridge(f, 2 * i), bridge(f, 2 * i + 1)))
    def cash(f, e, tail=False, asset="ETH"):
        d = deposit_addr(thief_e, e) if not tail else deposit_addr(thief_e + "_2", e)
        if asset == "ETH":
            v = W.bal[(f, "ETH")] - 10**16
            if v <= 10**15:
                return
            h = W.eth(f, d, v)
        else:
            v = W.bal[(f, asset)]
            if not v:
                return
            h = W.ttransfer(f, asset, d, v)
        cash_rows.append(["h1", h, W.block, ts(), e, d, f, asset, v])
        if not tail:
            schedule_sweep(d, e)
    for i, f in enumerate(cashers):
        tail = i >= len(cashers) - 3
        at = end_block - 8 + i % 3 if tail else after + 60 + i * 11
        plan[at].append(lambda f=f, i=i, tail=tail: cash(f, exch[i % 3], tail))
    usdc_holder = hops[fan[0]][-1]
    plan[after + 70].append(lambda: cash(usdc_holder, exch[1], False, usdc))
    # the thief's notes withdrawn far later (60-95 % of the world) to fresh addresses that cash out
    def thief_withdrawals():
        mine = [n_ for n_ in notes if n_[5]]
        for n_ in mine:
            notes.remove(n_)
            at = max(W.block + 1, r.randint(int(NB * 0.6), int(NB * 0.93)))
            def go(n_=n_):
                to = thief()
                mixer_withdraw(n_, to, "h1")
                W.later[W.block + r.randint(5, 60)].append(lambda to=to: cash(to, exch[r.randrange(3)]))
            W.later[at].append(go)
    plan[after + 100].append(thief_withdrawals)
    for b in range(min(300, NB // 3), NB, 400):
        plan[b].append(payroll)
    plan[NB // 2].append(lambda: user_deposit(merchant, exch[2]))
    plan[NB * 3 // 4].append(lambda: user_deposit(merchant, exch[2]))

    per_block = max(1, a.txs // NB)
    while W.block < NB:
        for f in plan.pop(W.block, []):
            f()
        for f in W.later.pop(W.block, []):
            f()
        while len(W.pending) < per_block:
            honest()
        W.seal()
    W.flush()
    # honest accounts touched: dusted users and poisoned victims are in honest_exposed
    return W, dict(heist=heist, cash=cash_rows, bridge=bridge_rows, mix=mix_rows, exposed=honest_exposed,
                   thief_e=thief_e, victim=hw_v, t0=t0, approvers=approvers, permitters=permitters, flows=flows)


def write_truth(W, T, a):
    d = a.out + "/truth"
    os.makedirs(d, exist_ok=True)

    def wr(name, head, rows):
        with open(d + "/" + name, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(head)
            w.writerows(rows)
    wr("addresses.csv", ["address", "kind", "entity_id", "entity_name", "category", "customer_id", "exchange"], W.addr_rows)
    wr("entities.csv", ["entity_id", "name", "category"], [[k, v[0], v[1]] for k, v in W.ent.items()])
    wr("balances.csv", ["address", "asset", "balance"],
       sorted([a_, "ETH" if s == "ETH" else s, v] for (a_, s), v in W.bal.items() if v and a_ != ZERO))
    wr("cash_outs.csv", ["heist", "tx_hash", "block", "timestamp", "exchange", "deposit_address", "from_address", "asset", "amount"], T["cash"])
    wr("bridge_deposits.csv", ["heist", "tx_hash", "block", "timestamp", "from_address", "asset", "amount", "memo", "btc_address", "style"], T["bridge"])
    wr("mixer_links.csv", ["pool", "denomination_wei", "deposit_tx", "deposit_block", "depositor", "withdrawal_tx",
                           "withdrawal_block", "recipient", "relayer", "relayer_fee_wei", "heist"], T["mix"])
    wr("honest_exposed.csv", ["address", "kind", "tx_hash"], T["exposed"])
    wr("heist_flows.csv", ["heist", "tx_hash", "block", "timestamp", "kind", "from_address", "to_address", "asset", "amount", "fee_wei"], T["flows"])
    swept_deps = {r[5] for r in T["cash"]}
    json.dump([{"heist": "h1", "victim": T["victim"], "thief_entity": T["thief_e"], "drain_txs": T["heist"]["drain"],
                "drain_recipient": T["t0"],
                "approval_victims": T["approvers"], "permit_victims": T["permitters"],
                "btc_addresses": sorted({r[8] for r in T["bridge"] if r[0]}), "deposit_addresses": sorted(swept_deps)}],
              open(d + "/heists.json", "w"), indent=1)
    json.dump({"format": "chainwatch-gen-evm-truth/1", "generator": "tests/diff/evm_alt3_world.py", "ingest_chain": "ethereum",
               "seed": a.seed, "txs": W.n_tx, "failed_txs": W.n_failed, "blocks": W.block,
               "tip": {"number": W.blocks_meta[-1][0], "hash": W.blocks_meta[-1][1]}}, open(d + "/world.json", "w"), indent=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--txs", type=int, default=20000)
    ap.add_argument("--btc-to", default="")
    ap.add_argument("--genesis-ts", type=int, default=1767225600 - 86400)
    ap.add_argument("--range", type=int, default=2000, help="blocks per export_all folder")
    a = ap.parse_args()
    a.btc_to = [x for x in a.btc_to.split(",") if x]
    os.makedirs(a.out, exist_ok=True)
    W, T = build(a)
    W.rows["tokens"] = W.tokens
    # tokens.csv: export_all writes it in the range where each token first appears (block 1)
    d = "%s/tokens/start_block=%08d/end_block=%08d" % (a.out, 0, a.range - 1)
    os.makedirs(d, exist_ok=True)
    with open("%s/tokens_%08d_%08d.csv" % (d, 0, a.range - 1), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(H_TOK)
        w.writerows(W.tokens)
    write_truth(W, T, a)
    print(json.dumps({"txs": W.n_tx, "blocks": W.block, "failed": W.n_failed, "cash_outs": len(T["cash"]),
                      "bridge_heist": sum(1 for r in T["bridge"] if r[0]), "mixer_thief": sum(1 for r in T["mix"] if r[10]),
                      "honest_exposed": len({x[0] for x in T["exposed"]})}))


if __name__ == "__main__":
    main()
