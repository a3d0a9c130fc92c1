#!/usr/bin/python3
"""A third EVM world generator, written from issues 12 and 13 and mainnet habits only (not from
chainwatch's detectors or its other generators): ethereum-etl CSVs plus truth in docs/GEN.md's
EVM layout, so tests/diff/evm_eval.py and scripts/eval-evm-accept.sh (WORLDS=alt) score it.

usage: evm_alt_world.py --out DIR [--seed S] [--txs N] [--btc-to A,B,..] [--genesis-ts T]

Standard library only (Debian's python3). Deterministic by seed. Its habits:
- blocks: EIP-1559 base fee from the previous block's gas against a 15M target (demand answers
  the price), 30M limit; 70 % type-2 txs (tip 0.01-3 gwei, max fee 1.5-3x base), 30 % type 0
  priced a little over the base fee; per-sender nonces; real CREATE addresses (RLP of sender,
  nonce); ETH created only by genesis allocations (genesis traces), destroyed only as burnt fees;
- failures: reverted token transfers (above balance), out-of-gas calls (gas used = limit), and
  internal calls that fail inside successful txs (a Multicall3-style batch with allowFailure to a
  contract that rejects ETH);
- tokens: a USDT-like token (6 decimals, transfer returns nothing), a USDC-like token whose
  Transfer logs come from its proxy (delegatecall into the implementation), an 18-decimal DAI-like
  token, an airdropped 18-decimal token claimed from a distributor, WETH9 at its mainnet address;
- economy: exchanges with per-customer EOA deposit addresses swept to hot wallets in batches
  (ETH when the address holds more than a threshold; tokens after a gas top-up that leaves dust),
  batch withdrawals through a multisend contract; Uniswap-V2-like pairs (Swap/Sync, exact 0.3 %
  constant product), a V3-like pool (Swap(int256,..), pays out before the callback pulls the
  input), an aggregator that pulls tokens to itself and sells through a pair; WETH wrap/unwrap;
  approvals then transferFrom by routers; Disperse-style multisends; airdrop claims; a Tornado-like
  fixed-denomination mixer (0.1/1/10/100 ETH) with relayers; a THORChain-style router whose
  Deposit(address,address,uint256,string) event carries the memo;
- the heist: a drained hot wallet (ETH and three tokens), tokens sold through the V2 router, the
  V3 pool and the aggregator (parts of the DAI and USDC kept), fan-out through a multisend and direct sends
  to fresh addresses, 0-3 hops of "all but the fee", then per leaf a mixer (greedy notes, withdrawn
  by relayers to fresh addresses that then cash out or bridge), a bridge deposit to Bitcoin, or a
  cash-out at the thief's own deposit addresses at three exchanges (ETH, DAI, USDC; USDC also bridged).
--hard-mixer: docs/GEN.md "A third EVM world".
"""
import argparse, csv, hashlib, json, os, random, sys
from collections import defaultdict

# ---------------------------------------------------------------- Keccak-256 (pure Python)
_RC, _R = [], 1
for _i in range(24):
    _c = 0
    for _j in range(7):
        if _R & 1:
            _c ^= 1 << ((1 << _j) - 1)
        _R = ((_R << 1) ^ ((_R >> 7) * 0x71)) & 0xFF
    _RC.append(_c)
_ROT = [[0, 36, 3, 41, 18], [1, 44, 10, 45, 2], [62, 6, 43, 15, 61], [28, 55, 25, 21, 56], [27, 20, 39, 8, 14]]
_M = (1 << 64) - 1


def _rol(v, n):
    return ((v << n) | (v >> (64 - n))) & _M if n else v


def keccak(data):
    data = bytearray(data) + b"\x01"
    while len(data) % 136:
        data.append(0)
    data[-1] |= 0x80
    A = [0] * 25
    for off in range(0, len(data), 136):
        for i in range(17):
            A[i] ^= int.from_bytes(data[off + 8 * i:off + 8 * i + 8], "little")
        for rnd in range(24):
            C = [A[x] ^ A[x + 5] ^ A[x + 10] ^ A[x + 15] ^ A[x + 20] for x in range(5)]
            D = [C[(x - 1) % 5] ^ _rol(C[(x + 1) % 5], 1) for x in range(5)]
            A = [A[i] ^ D[i % 5] for i in range(25)]
            B = [0] * 25
            for x in range(5):
                for y in range(5):
                    B[y + 5 * ((2 * x + 3 * y) % 5)] = _rol(A[x + 5 * y], _ROT[x][y])
            A = [B[i] ^ ((~B[(i % 5 + 1) % 5 + 5 * (i // 5)]) & B[(i % 5 + 2) % 5 + 5 * (i // 5)]) for i in range(25)]
            A[0] ^= _RC[rnd]
    return b"".join(A[i].to_bytes(8, "little") for i in range(4))


def topic(sig):
    return "0x" + keccak(sig.encode()).hex()


def sel(sig):
    return keccak(sig.encode())[:4].hex()


assert topic("Transfer(address,address,uint256)") == \
    "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef", "keccak"

T_TRANSFER = topic("Transfer(address,address,uint256)")
T_APPROVAL = topic("Approval(address,address,uint256)")
T_WDEP = topic("Deposit(address,uint256)")
T_WWD = topic("Withdrawal(address,uint256)")
T_V2SWAP = topic("Swap(address,uint256,uint256,uint256,uint256,address)")
T_SYNC = topic("Sync(uint112,uint112)")
T_V3SWAP = topic("Swap(address,address,int256,int256,uint160,uint128,int24)")
T_MIXDEP = topic("Deposit(bytes32,uint32,uint256)")
T_MIXWD = topic("Withdrawal(address,bytes32,address,uint256)")
T_THOR = topic("Deposit(address,address,uint256,string)")
T_UPGRADED = topic("Upgraded(address)")
T_CLAIMED = topic("Claimed(address,uint256)")
S = {k: sel(k) for k in [
    "transfer(address,uint256)", "transferFrom(address,address,uint256)", "approve(address,uint256)",
    "deposit()", "withdraw(uint256)", "swapExactETHForTokens(uint256,address[],address,uint256)",
    "swapExactTokensForETH(uint256,uint256,address[],address,uint256)",
    "swap(uint256,uint256,address,bytes)", "exactInputSingle((address,address,uint24,address,uint256,uint256,uint256,uint160))",
    "uniswapV3SwapCallback(int256,int256,bytes)", "unoswap(address,uint256,uint256,uint256[])",
    "deposit(bytes32)", "withdraw(address,bytes,bytes32,bytes32,address,address,uint256,uint256)",
    "depositWithExpiry(address,address,uint256,string,uint256)", "disperseEther(address[],uint256[])",
    "disperseToken(address,address[],uint256[])", "aggregate3Value((address,bool,uint256,bytes)[])",
    "claim(uint256,address,uint256,bytes32[])", "mint(address,uint256)", "addLiquidityETH(address,uint256,uint256,uint256,address,uint256)",
    "createPair(address,address)", "multicall(bytes[])"]}

GWEI = 10 ** 9
GAS_LIMIT = 8000000  # a world of ~80 txs a block: the 1559 target (half) scaled to it
ETH = 10 ** 18
WETH = "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"
ZERO = "0x" + "0" * 40


def w32(x):
    if isinstance(x, str):
        return x[2:].rjust(64, "0")
    return (x % (1 << 256)).to_bytes(32, "big").hex()


def abi(selector, *args):
    return "0x" + selector + "".join(w32(a) for a in args)


def abi_str(s):
    b = s.encode()
    return w32(len(b)) + b.hex().ljust(((len(b) + 31) // 32) * 64, "0")


# ---------------------------------------------------------------- bech32 (for default BTC addresses)
_CH = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _polymod(values):
    gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]
    chk = 1
    for v in values:
        b = chk >> 25
        chk = (chk & 0x1ffffff) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if ((b >> i) & 1) else 0
    return chk


def bech32_p2wpkh(hrp, prog):
    data, acc, bits = [0], 0, 0
    for b in prog:
        acc = (acc << 8) | b
        bits += 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    hx = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    pm = _polymod(hx + data + [0] * 6) ^ 1
    return hrp + "1" + "".join(_CH[d] for d in data + [(pm >> 5 * (5 - i)) & 31 for i in range(6)])


def rlp_create(sender, nonce):
    a = bytes.fromhex(sender[2:])
    if nonce == 0:
        n = b"\x80"
    elif nonce < 0x80:
        n = bytes([nonce])
    else:
        nb = nonce.to_bytes((nonce.bit_length() + 7) // 8, "big")
        n = bytes([0x80 + len(nb)]) + nb
    body = b"\x94" + a + n
    return "0x" + keccak(bytes([0xc0 + len(body)]) + body)[12:].hex()


# ---------------------------------------------------------------- transactions
class Call:
    __slots__ = ("frm", "to", "value", "inp", "out", "ctype", "ttype", "ok", "err", "kids")

    def __init__(self, frm, to, value, inp, ctype="call", ttype="call", ok=True, err=""):
        self.frm, self.to, self.value, self.inp, self.out = frm, to, value, inp, "0x"
        self.ctype, self.ttype, self.ok, self.err, self.kids = ctype, ttype, ok, err, []


class Tx:
    def __init__(self, frm, to, value, inp, kind):
        self.frm, self.to, self.value, self.inp, self.kind = frm, to, value, inp, kind
        self.root = Call(frm, to, value, inp, ttype="call" if to else "create")
        self.logs, self.status, self.error, self.created, self.gas_used, self.oog = [], 1, "", "", 0, False


class World:
    def __init__(self, a):
        self.a, self.rng = a, random.Random(a.seed * 7919 + 17)
        self.n_addr = 0
        self.addr_rows, self.entities = [], []
        self.bal = defaultdict(int)  # (addr, asset) -> int; asset 'ETH' or token address
        self.nonce = defaultdict(int)
        self.is_contract = set()
        self.blocks, self.tx_rows, self.rc_rows, self.log_rows, self.tt_rows, self.tr_rows = [], [], [], [], [], []
        self.sched = defaultdict(list)
        self.heist_flows, self.cash_outs, self.bridge_rows, self.mix_rows = [], [], [], []
        self.n_tx = self.n_failed = 0
        self.ts0 = a.genesis_ts
        self.base = 12 * GWEI
        self.deposit_of = {}  # (customer entity, exchange) -> address
        self.dep_owner = {}  # deposit address -> exchange name
        self.pending_sweep = set()

    # ---- identities
    def addr(self, ent, cat, kind="eoa", customer="", exch=""):
        self.n_addr += 1
        a = "0x" + hashlib.sha256(f"alt{self.a.seed}:{self.n_addr}".encode()).hexdigest()[:40]
        self.addr_rows.append([a, kind, ent[0], ent[1], cat, customer, exch])
        return a

    def entity(self, name, cat):
        e = (str(len(self.entities) + 1), name)
        self.entities.append([e[0], name, cat])
        return e

    # ---- ledger
    def move(self, asset, frm, to, v):
        if v < 0:
            raise AssertionError(f"negative move {asset} {frm} {to} {v}")
        if frm != ZERO:
            if self.bal[(frm, asset)] < v:
                raise AssertionError(f"overdraft {asset} {frm}: {self.bal[(frm, asset)]} < {v}")
            self.bal[(frm, asset)] -= v
        if to != ZERO:
            self.bal[(to, asset)] += v

    # ---- tx building
    def tx(self, frm, to, value=0, inp="0x", kind=""):
        t = Tx(frm, to, value, inp, kind)
        if value and to:
            self.move("ETH", frm, to, value)
        return t

    def icall(self, t, parent, frm, to, value=0, inp="0x", ctype="call", ok=True):
        c = Call(frm, to, value, inp, ctype=ctype, ok=ok, err="" if ok else "Reverted")
        (parent or t.root).kids.append(c)
        if ok and value and ctype == "call":
            self.move("ETH", frm, to, value)
        return c

    def log(self, t, addr, topics, data="0x"):
        t.logs.append((addr, topics, data))

    def ttransfer(self, t, token, frm, to, v, parent=None, via=None):
        """an ERC-20 transfer: ledger, Transfer log from the token (its proxy), token_transfers row"""
        self.move(token, frm, to, v)
        self.log(t, token, [T_TRANSFER, "0x" + w32(frm), "0x" + w32(to)], "0x" + w32(v))

    def weth_wrap(self, t, parent, who, v):
        self.icall(t, parent, who, WETH, v, "0x" + S["deposit()"])
        self.move(WETH, ZERO, who, v)
        self.log(t, WETH, [T_WDEP, "0x" + w32(who)], "0x" + w32(v))

    def weth_unwrap(self, t, parent, who, v):
        c = self.icall(t, parent, who, WETH, 0, abi(S["withdraw(uint256)"], v))
        self.move(WETH, who, ZERO, v)
        self.log(t, WETH, [T_WWD, "0x" + w32(who)], "0x" + w32(v))
        self.icall(t, c, WETH, who, v)

    def gas_of(self, t):
        n = 0
        stack = [t.root]
        while stack:
            c = stack.pop()
            n += 1
            stack.extend(c.kids)
        g = 21000 + 16 * max(0, (len(t.inp) - 2) // 2) + 9000 * (n - 1) + 1800 * len(t.logs)
        if t.to and (t.inp != "0x" or n > 1):
            g += 12000
        if not t.to:
            g += 32000 + 200 * 400
        return g

    def fee_now(self, gas):
        """what a simple tx pays now at the sender's tip (for 'all but the fee')"""
        return gas * (self.base + self.tip_next)

    def commit(self, t, blk):
        """prices, charges and records one transaction of the current block"""
        if t.status:
            t.gas_used = self.gas_of(t)
        gas_limit = t.gas_used if t.oog else int(t.gas_used * self.rng.uniform(1.1, 1.6)) // 1000 * 1000 + 1000
        if t.oog:
            t.gas_used = gas_limit
        tip = self.tip_next
        if self.rng.random() < 0.3 or t.kind == "legacy":
            typ, gas_price, mf, mp = 0, self.base + tip, "", ""
            eff = gas_price
        else:
            typ = 2
            mf = self.base * self.rng.choice([15, 20, 20, 30]) // 10 + tip
            mp = tip
            eff = min(mf, self.base + tip)
            gas_price = eff
        fee = t.gas_used * eff
        if self.bal[(t.frm, "ETH")] < fee:
            raise AssertionError(f"cannot pay fee {t.frm} {t.kind}")
        self.move("ETH", t.frm, blk["miner"], fee - t.gas_used * self.base)
        self.move("ETH", t.frm, ZERO, t.gas_used * self.base)
        self.tip_next = self.rng.choice([1, 1, 2, 5, 10, 20, 50, 100, 300]) * GWEI // 100
        idx = len(blk["txs"])
        h = "0x" + hashlib.sha256(f"alttx{self.a.seed}:{self.n_tx}".encode()).hexdigest()
        self.n_tx += 1
        n = self.nonce[t.frm]
        self.nonce[t.frm] += 1
        if not t.to:
            t.created = rlp_create(t.frm, n)
            t.root.to = t.created
        blk["gas"] += t.gas_used
        blk["txs"].append((h, t, idx, n, typ, gas_price, mf, mp, eff, gas_limit, blk["gas"]))
        if not t.status:
            self.n_failed += 1
        t.hash, t.fee = h, fee
        return t

    # ---------------------------------------------------------------- rows
    def write_block(self, blk):
        num, ts, bh = blk["number"], blk["ts"], blk["hash"]
        for h, t, idx, n, typ, gp, mf, mp, eff, gl, cum in blk["txs"]:
            self.tx_rows.append([h, n, bh, num, idx, t.frm, t.to, t.value, gl, gp, t.inp, ts, mf, mp, typ])
            self.rc_rows.append([h, idx, bh, num, cum, t.gas_used, t.created, "", t.status, eff, "", "", "", ""])
            if t.status:
                li = blk["logs"]
                for addr, topics, data in t.logs:
                    self.log_rows.append([li, h, idx, bh, num, addr, data, ",".join(topics)])
                    if topics[0] == T_TRANSFER and len(topics) == 3:
                        self.tt_rows.append([addr, "0x" + topics[1][-40:], "0x" + topics[2][-40:], int(data[2:], 16), h, li, num])
                    li += 1
                blk["logs"] = li
            # traces depth first
            out = []

            def walk(c, path, failed):
                ok = c.ok and not failed
                out.append((c, path, ok))
                for i, k in enumerate(c.kids):
                    walk(k, path + [i], not ok)
            root_ok = bool(t.status)
            walk(t.root, [], not root_ok)
            for c, path, ok in out:
                tid = ("call" if c.ttype == "call" else "create") + f"_{h}_{'_'.join(map(str, path))}"
                err = "" if ok else (c.err or ("Out of gas" if t.oog else "Reverted"))
                if not path and not t.status:
                    err = "Out of gas" if t.oog else "Reverted"
                self.tr_rows.append([num, h, idx, c.frm, c.to, c.value, c.inp, c.out if ok else "",
                                     c.ttype, c.ctype if c.ttype == "call" else "", "",
                                     0, 0, len(c.kids), ",".join(map(str, path)), err, 1 if ok else 0, tid])
        self.blocks.append([num, bh, blk["parent"], "0x0000000000000000",
                            "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347", "0x" + "00" * 256,
                            "0x" + hashlib.sha256(b"tr" + bh.encode()).hexdigest(),
                            "0x" + hashlib.sha256(b"st" + bh.encode()).hexdigest(),
                            "0x" + hashlib.sha256(b"rc" + bh.encode()).hexdigest(), blk["miner"], 0, "", 1000 + 120 * len(blk["txs"]),
                            "0x", GAS_LIMIT, blk["gas"], ts, len(blk["txs"]), blk["base"], "", ""])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--txs", type=int, default=200000)
    ap.add_argument("--btc-to", default="")
    ap.add_argument("--genesis-ts", type=int, default=1767225600 - 3 * 86400)
    ap.add_argument("--hard-mixer", action="store_true",
                    help="honest whales use the 100 and 10 ETH notes too, their recipients pay their own "
                         "exchange deposit addresses; each of the thief's mixer recipients cashes out at "
                         "a deposit address of its own")
    a = ap.parse_args()
    if a.txs < 5000:
        sys.exit("evm_alt_world.py: --txs must be at least 5000")
    W = World(a)
    rng = W.rng
    build(W, rng, a)
    write(W, a)


def build(W, rng, a):
    G = {}  # genesis allocations
    ent_sys = W.entity("system", "deployer")
    deployer = W.addr(ent_sys, "deployer")
    G[deployer] = 50 * ETH
    builders = [W.addr(W.entity(f"builder{i}", "fee_recipient"), "fee_recipient") for i in range(5)]
    # exchanges
    exch = {}
    for name in ["Northgate", "Kumo", "Zephyrex", "Bitmarket", "Lumen"]:
        e = W.entity(name, "exchange")
        hots = [W.addr(e, "exchange", exch=name) for _ in range(rng.randint(1, 2))]
        gs = W.addr(e, "exchange_gas_station", exch=name)
        for h in hots:
            G[h] = rng.randint(20000, 60000) * ETH
        G[gs] = 500 * ETH
        exch[name] = {"ent": e, "hots": hots, "gas": gs, "threshold": rng.choice([0, ETH // 20, ETH // 2])}
    victim = "Northgate"
    # liquidity provider, relayers, issuers
    lp = W.addr(W.entity("liquidity fund", "user"), "user")
    G[lp] = 400000 * ETH
    relayers = [W.addr(W.entity(f"relayer{i}", "mixer_relayer"), "mixer_relayer") for i in range(4)]
    for r in relayers:
        G[r] = 30 * ETH
    # users
    n_users = max(300, a.txs // 25)
    users = []
    for i in range(n_users):
        e = W.entity(f"user{i}", "user")
        addrs = [W.addr(e, "user") for _ in range(rng.choice([1, 1, 1, 2, 3]))]
        for x in addrs:
            G[x] = int(rng.paretovariate(1.3) * rng.uniform(0.05, 2) * ETH)
        users.append((e, addrs))
    whales = []
    if a.hard_mixer:
        for i in range(16):
            e = W.entity(f"whale{i}", "user")
            x = W.addr(e, "user")
            G[x] = rng.randint(800, 4000) * ETH
            whales.append((e, [x]))
    thor = W.entity("ThorLike", "bridge_router")
    vault = W.addr(thor, "bridge_vault")
    G[vault] = 3000 * ETH
    stakers = [W.addr(W.entity(f"staker{i}", "staker"), "staker") for i in range(10)]
    for s in stakers:
        G[s] = 3200 * ETH

    # ---- blocks machinery
    state = {"num": 0, "parent": "0x" + "00" * 32}
    W.tip_next = GWEI
    txs_mean = 80

    def new_block():
        num = state["num"]
        ts = W.ts0 + 12 * num
        h = "0x" + hashlib.sha256(f"altblk{a.seed}:{num}".encode()).hexdigest()
        blk = {"number": num, "ts": ts, "hash": h, "parent": state["parent"], "miner": rng.choice(builders),
               "base": W.base, "txs": [], "gas": 0, "logs": 0}
        state["num"] += 1
        state["parent"] = h
        return blk

    def end_block(blk):
        W.write_block(blk)
        target = GAS_LIMIT // 2
        W.base = max(GWEI // 10, W.base + W.base * (blk["gas"] - target) // target // 8)

    # genesis
    g = new_block()
    for to, v in G.items():
        W.move("ETH", ZERO, to, v)
        W.tr_rows.append([0, "", "", "", to, v, "", "", "genesis", "", "", 0, 0, 0, "", "", 1, f"genesis_{to}"])
    end_block(g)
    W.base = 12 * GWEI

    cur = {}

    def send(t):
        return W.commit(t, cur["blk"])

    def deploy(frm, cat, ent, code_len=800):
        t = W.tx(frm, "", 0, "0x6080604052" + "00" * code_len, "create")
        send(t)
        W.is_contract.add(t.created)
        W.addr_rows.append([t.created, "contract", ent[0], ent[1], cat, "", ""])
        return t.created

    tokens = {}
    cur["blk"] = new_block()
    ent_tok = W.entity("token issuers", "stablecoin_issuer")
    usdt = deploy(deployer, "token", W.entity("TetherLike", "token"))
    usdc_impl = deploy(deployer, "token", W.entity("CircleLike impl", "token"))
    usdc = deploy(deployer, "token", W.entity("CircleLike", "token"))  # the proxy
    dai = deploy(deployer, "token", W.entity("DaiLike", "token"))
    air = deploy(deployer, "token", W.entity("AirToken", "token"))
    tokens = {usdt: ("USDT", "Tether USD", 6), usdc: ("USDC", "USD Coin", 6), dai: ("DAI", "Dai Stablecoin", 18),
              air: ("AIR", "Air Token", 18), WETH: ("WETH", "Wrapped Ether", 18)}
    W.addr_rows.append([WETH, "contract", W.entity("WETH9", "weth")[0], "WETH9", "weth", "", ""])
    dex = W.entity("SwapDex", "dex_router")
    factory = deploy(deployer, "dex_factory", dex)
    router = deploy(deployer, "dex_router", dex)
    v3router = deploy(deployer, "dex_router", dex)
    agg = deploy(deployer, "dex_router", W.entity("OneAgg", "dex_router"))
    multisend = deploy(deployer, "batch_sender", W.entity("Disperse", "batch_sender"))
    mc3 = deploy(deployer, "batch_sender", W.entity("Multicall3", "batch_sender"))
    rejecter = deploy(deployer, "user_contract", W.entity("no-receive contract", "user"))
    distributor = deploy(deployer, "airdrop", W.entity("AirToken drop", "airdrop"))
    mix_ent = W.entity("TornLike", "mixer_pool")
    denoms = [ETH // 10, ETH, 10 * ETH, 100 * ETH]
    pools = {d: deploy(deployer, "mixer_pool", mix_ent) for d in denoms}
    bridge_router = deploy(deployer, "bridge_router", thor)
    end_block(cur["blk"])
    # pairs: created by the factory (internal CREATE), V3 pool likewise
    cur["blk"] = new_block()
    pairs = {}
    for tok in (usdt, usdc, dai):
        t = W.tx(deployer, factory, 0, abi(S["createPair(address,address)"], tok, WETH), "createPair")
        p = rlp_create(factory, W.nonce[factory] + 1)
        W.nonce[factory] += 1
        c = Call(factory, p, 0, "0x6080", ttype="create")
        t.root.kids.append(c)
        W.is_contract.add(p)
        W.addr_rows.append([p, "contract", dex[0], dex[1], "dex_pair", "", ""])
        send(t)
        pairs[tok] = p
        tokens[p] = ("UNI-V2", "Uniswap V2", 18)
    v3pool = rlp_create(factory, W.nonce[factory] + 1)
    W.nonce[factory] += 1
    t = W.tx(deployer, factory, 0, abi(S["createPair(address,address)"], usdt, WETH) + "0bb8".rjust(64, "0"), "createPool")
    t.root.kids.append(Call(factory, v3pool, 0, "0x6080", ttype="create"))
    W.addr_rows.append([v3pool, "contract", dex[0], dex[1], "dex_pair", "", ""])
    send(t)
    # proxy upgrade log
    t = W.tx(deployer, usdc, 0, "0x3659cfe6" + w32(usdc_impl), "upgrade")
    W.log(t, usdc, [T_UPGRADED, "0x" + w32(usdc_impl)])
    send(t)
    end_block(cur["blk"])

    # ---- token ops
    def tok_call(t, parent, frm, token, inp):
        """a call into a token; for the proxied one the proxy delegates to its implementation"""
        c = W.icall(t, parent, frm, token, 0, inp) if parent is not False else t.root
        if token == usdc:
            W.icall(t, c, token, usdc_impl, 0, inp, ctype="delegatecall")
        return c

    def mint(token, to, v):
        t = W.tx(deployer, token, 0, abi(S["mint(address,uint256)"], to, v), "mint")
        tok_call(t, False, deployer, token, t.inp)
        W.ttransfer(t, token, ZERO, to, v)
        return t

    cur["blk"] = new_block()
    dec = {usdt: 10 ** 6, usdc: 10 ** 6, dai: ETH}
    price = 3000
    for tok in (usdt, usdc, dai):
        send(mint(tok, lp, 900_000_000 * dec[tok]))
        for name, x in exch.items():
            for h in x["hots"]:
                send(mint(tok, h, rng.randint(20, 90) * 1_000_000 * dec[tok]))
    send(mint(air, distributor, 10 ** 9 * ETH))
    # liquidity
    for tok in (usdt, usdc, dai):
        weth_amt = 60000 * ETH
        t = W.tx(lp, router, weth_amt, abi(S["addLiquidityETH(address,uint256,uint256,uint256,address,uint256)"], tok, 0, 0, 0, lp, 0), "addLiquidity")
        W.weth_wrap(t, None, router, weth_amt)
        W.ttransfer(t, WETH, router, pairs[tok], weth_amt)
        tok_call(t, None, router, tok, abi(S["transferFrom(address,address,uint256)"], lp, pairs[tok], weth_amt // ETH * price * dec[tok]))
        W.ttransfer(t, tok, lp, pairs[tok], weth_amt // ETH * price * dec[tok])
        W.ttransfer(t, pairs[tok], ZERO, lp, 10 ** 24)
        send(t)
    t = W.tx(lp, WETH, 40000 * ETH, "0x" + S["deposit()"], "wrap")
    W.move(WETH, ZERO, lp, 40000 * ETH)
    W.log(t, WETH, [T_WDEP, "0x" + w32(lp)], "0x" + w32(40000 * ETH))
    send(t)
    t = W.tx(lp, v3pool, 0, "0x88316456", "v3mint")
    W.ttransfer(t, WETH, lp, v3pool, 40000 * ETH)
    W.ttransfer(t, usdt, lp, v3pool, 40000 * price * 10 ** 6)
    send(t)
    end_block(cur["blk"])

    # ---- honest ops
    def user():
        return rng.choice(users)

    def eth_of(x):
        return W.bal[(x, "ETH")]

    RESERVE = ETH // 50

    def spendable(x):
        return eth_of(x) - RESERVE

    def simple_fee():
        return 21000 * (W.base + W.tip_next) * 2

    def dep_addr(ent, ex, k=0):
        k = (ent[0], ex, k)
        if k not in W.deposit_of:
            d = W.addr(exch[ex]["ent"], "exchange_deposit", customer=ent[0], exch=ex)
            W.deposit_of[k] = d
            W.dep_owner[d] = ex
        return W.deposit_of[k]

    def schedule(delay, fn):
        W.sched[state["num"] + max(1, delay)].append(fn)

    def op_eth_transfer():
        e, xs = user()
        x = rng.choice(xs)
        if spendable(x) <= ETH // 100:
            return
        to = rng.choice(rng.choice(users)[1] + xs)
        v = int(spendable(x) * rng.uniform(0.01, 0.5))
        send(W.tx(x, to, v, "0x", "eth"))

    def op_token_transfer():
        e, xs = user()
        x = rng.choice(xs)
        tok = rng.choice([usdt, usdc, dai, air])
        to = rng.choice(rng.choice(users)[1])
        have = W.bal[(x, tok)]
        if spendable(x) < 0:
            return
        r = rng.random()
        if have == 0 and r > 0.03:
            return
        if r < 0.015 or have == 0:
            # reverted: more than the balance (pays gas, moves nothing)
            t = W.tx(x, tok, 0, abi(S["transfer(address,uint256)"], to, have + rng.randint(1, 10 ** 9)), "fail")
            t.status = 0
            t.gas_used = rng.randint(23000, 35000)
            send(t)
            return
        v = max(1, int(have * rng.uniform(0.05, 0.7)))
        t = W.tx(x, tok, 0, abi(S["transfer(address,uint256)"], to, v), "tok")
        if r < 0.025:  # out of gas: gas used = limit, nothing moves
            t.status, t.oog, t.gas_used = 0, True, rng.randint(24000, 30000)
            send(t)
            return
        tok_call(t, False, x, tok, t.inp)
        W.ttransfer(t, tok, x, to, v)
        send(t)

    def op_deposit(ent=None, x=None, ex=None, tok=None):
        if ent is None:
            ent, xs = user()
            x = rng.choice(xs)
            ex = rng.choice(list(exch))
            tok = rng.choice([None, None, usdt, usdc, dai])
        d = dep_addr(ent, ex)
        if tok is None:
            if spendable(x) <= ETH // 100:
                return
            v = int(spendable(x) * rng.uniform(0.1, 0.9))
            send(W.tx(x, d, v, "0x", "deposit"))
        else:
            v = W.bal[(x, tok)]
            if v == 0 or spendable(x) < 0:
                return
            t = W.tx(x, tok, 0, abi(S["transfer(address,uint256)"], d, v), "deposit")
            tok_call(t, False, x, tok, t.inp)
            W.ttransfer(t, tok, x, d, v)
            send(t)
        if d not in W.pending_sweep:
            W.pending_sweep.add(d)
            schedule(rng.randint(5, 150), lambda d=d, ex=ex: sweep(d, ex))

    def sweep(d, ex):
        W.pending_sweep.discard(d)
        X = exch[ex]
        hot = rng.choice(X["hots"])
        toks = [tk for tk in (usdt, usdc, dai, air) if W.bal[(d, tk)] > 0]
        if toks:
            need = 70000 * (W.base + W.tip_next) * 3 * len(toks)
            if eth_of(d) < need:
                top = need + rng.choice([0, ETH // 200])
                send(W.tx(X["gas"], d, top, "0x", "topup"))
                schedule(rng.randint(1, 6), lambda: sweep_tokens(d, ex, hot))
                return
            sweep_tokens(d, ex, hot)
            return
        fee = 21000 * (W.base + W.tip_next)
        if eth_of(d) > fee + X["threshold"]:
            send(W.tx(d, hot, eth_of(d) - fee, "0x", "sweep"))

    def sweep_tokens(d, ex, hot):
        for tk in (usdt, usdc, dai, air):
            v = W.bal[(d, tk)]
            if v and eth_of(d) >= 70000 * (W.base + W.tip_next) * 2:
                t = W.tx(d, tk, 0, abi(S["transfer(address,uint256)"], hot, v), "sweep")
                tok_call(t, False, d, tk, t.inp)
                W.ttransfer(t, tk, d, hot, v)
                send(t)

    def op_withdrawal():
        ex = rng.choice(list(exch))
        hot = rng.choice(exch[ex]["hots"])
        if rng.random() < 0.25:
            # batch through the multisend contract
            rec = [rng.choice(rng.choice(users)[1]) for _ in range(rng.randint(3, 12))]
            if rng.random() < 0.5:
                vals = [rng.randint(5, 3000) * ETH // 1000 for _ in rec]
                if spendable(hot) < sum(vals):
                    return
                t = W.tx(hot, multisend, sum(vals), abi(S["disperseEther(address[],uint256[])"], 64, 64), "batch")
                for r_, v in zip(rec, vals):
                    W.icall(t, None, multisend, r_, v)
            else:
                tk = rng.choice([usdt, usdc, dai])
                vals = [rng.randint(50, 50000) * dec[tk] for _ in rec]
                if W.bal[(hot, tk)] < sum(vals):
                    return
                t = W.tx(hot, multisend, 0, abi(S["disperseToken(address,address[],uint256[])"], tk, 96, 96), "batch")
                for r_, v in zip(rec, vals):
                    tok_call(t, None, multisend, tk, abi(S["transferFrom(address,address,uint256)"], hot, r_, v))
                    W.ttransfer(t, tk, hot, r_, v)
            send(t)
            return
        to = rng.choice(rng.choice(users)[1])
        if rng.random() < 0.6:
            v = rng.randint(10, 20000) * ETH // 1000
            if spendable(hot) > v:
                send(W.tx(hot, to, v, "0x", "withdraw"))
        else:
            tk = rng.choice([usdt, usdc, dai])
            v = rng.randint(20, 200000) * dec[tk]
            if W.bal[(hot, tk)] > v:
                t = W.tx(hot, tk, 0, abi(S["transfer(address,uint256)"], to, v), "withdraw")
                tok_call(t, False, hot, tk, t.inp)
                W.ttransfer(t, tk, hot, to, v)
                send(t)

    def amount_out(ain, rin, rout):
        return ain * 997 * rout // (rin * 1000 + ain * 997)

    def swap_eth_for_tok(x, v, tok, to=None, style=None):
        to = to or x
        style = style or rng.choice(["v2", "v2", "v3"] if tok == usdt else ["v2"])
        if style == "v2":
            p = pairs[tok]
            t = W.tx(x, router, v, abi(S["swapExactETHForTokens(uint256,address[],address,uint256)"], 0, 128, to, 0), "swap")
            W.weth_wrap(t, None, router, v)
            W.ttransfer(t, WETH, router, p, v)
            out = amount_out(v, W.bal[(p, WETH)] - v, W.bal[(p, tok)])
            c = W.icall(t, None, router, p, 0, abi(S["swap(uint256,uint256,address,bytes)"], out, 0, to, 128))
            tok_call(t, c, p, tok, abi(S["transfer(address,uint256)"], to, out))
            W.ttransfer(t, tok, p, to, out)
            W.log(t, p, [T_SYNC], "0x" + w32(W.bal[(p, tok)]) + w32(W.bal[(p, WETH)]))
            W.log(t, p, [T_V2SWAP, "0x" + w32(router), "0x" + w32(to)], "0x" + w32(0) + w32(v) + w32(out) + w32(0))
        else:
            p = v3pool
            t = W.tx(x, v3router, v, "0x" + S["multicall(bytes[])"] + w32(32), "swap")
            out = amount_out(v, W.bal[(p, WETH)], W.bal[(p, tok)])
            c = W.icall(t, None, v3router, p, 0, "0x128acb08" + w32(to))
            W.ttransfer(t, tok, p, to, out)  # pays first
            cb = W.icall(t, c, p, v3router, 0, abi(S["uniswapV3SwapCallback(int256,int256,bytes)"], -out, v, 96))
            W.weth_wrap(t, cb, v3router, v)
            W.ttransfer(t, WETH, v3router, p, v)
            W.log(t, p, [T_V3SWAP, "0x" + w32(v3router), "0x" + w32(to)],
                  "0x" + w32(-out) + w32(v) + w32(79228162514264337593543950336) + w32(10 ** 20) + w32(-200000))
        send(t)
        return t, out

    def swap_tok_for_eth(x, v, tok, to=None, style=None):
        to = to or x
        style = style or rng.choice(["v2", "v2", "v3", "agg"] if tok == usdt else ["v2", "v2", "agg"])
        if style == "v2":
            p = pairs[tok]
            t = W.tx(x, router, 0, abi(S["swapExactTokensForETH(uint256,uint256,address[],address,uint256)"], v, 0, 160, to, 0), "swap")
            tok_call(t, None, router, tok, abi(S["transferFrom(address,address,uint256)"], x, p, v))
            W.ttransfer(t, tok, x, p, v)
            out = amount_out(v, W.bal[(p, tok)] - v, W.bal[(p, WETH)])
            c = W.icall(t, None, router, p, 0, abi(S["swap(uint256,uint256,address,bytes)"], 0, out, router, 128))
            W.ttransfer(t, WETH, p, router, out)
            W.log(t, p, [T_SYNC], "0x" + w32(W.bal[(p, tok)]) + w32(W.bal[(p, WETH)]))
            W.log(t, p, [T_V2SWAP, "0x" + w32(router), "0x" + w32(router)], "0x" + w32(v) + w32(0) + w32(0) + w32(out))
            W.weth_unwrap(t, None, router, out)
            W.icall(t, None, router, to, out)
        elif style == "v3":
            p = v3pool
            t = W.tx(x, v3router, 0, "0x" + S["multicall(bytes[])"] + w32(32), "swap")
            out = amount_out(v, W.bal[(p, tok)], W.bal[(p, WETH)])
            c = W.icall(t, None, v3router, p, 0, "0x128acb08" + w32(v3router))
            W.ttransfer(t, WETH, p, v3router, out)
            cb = W.icall(t, c, p, v3router, 0, abi(S["uniswapV3SwapCallback(int256,int256,bytes)"], v, -out, 96))
            tok_call(t, cb, v3router, tok, abi(S["transferFrom(address,address,uint256)"], x, p, v))
            W.ttransfer(t, tok, x, p, v)
            W.log(t, p, [T_V3SWAP, "0x" + w32(v3router), "0x" + w32(v3router)],
                  "0x" + w32(v) + w32(-out) + w32(79228162514264337593543950336) + w32(10 ** 20) + w32(-200000))
            W.weth_unwrap(t, None, v3router, out)
            W.icall(t, None, v3router, to, out)
        else:  # aggregator: pulls the tokens to itself, sells on a pair, unwraps, pays
            p = pairs[tok]
            t = W.tx(x, agg, 0, abi(S["unoswap(address,uint256,uint256,uint256[])"], tok, v, 0, 128), "swap")
            tok_call(t, None, agg, tok, abi(S["transferFrom(address,address,uint256)"], x, agg, v))
            W.ttransfer(t, tok, x, agg, v)
            tok_call(t, None, agg, tok, abi(S["transfer(address,uint256)"], p, v))
            W.ttransfer(t, tok, agg, p, v)
            out = amount_out(v, W.bal[(p, tok)] - v, W.bal[(p, WETH)])
            W.icall(t, None, agg, p, 0, abi(S["swap(uint256,uint256,address,bytes)"], 0, out, agg, 128))
            W.ttransfer(t, WETH, p, agg, out)
            W.log(t, p, [T_SYNC], "0x" + w32(W.bal[(p, tok)]) + w32(W.bal[(p, WETH)]))
            W.log(t, p, [T_V2SWAP, "0x" + w32(agg), "0x" + w32(agg)], "0x" + w32(v) + w32(0) + w32(0) + w32(out))
            W.weth_unwrap(t, None, agg, out)
            W.icall(t, None, agg, to, out)
        send(t)
        return t, out

    def approve(x, tok, spender):
        t = W.tx(x, tok, 0, abi(S["approve(address,uint256)"], spender, (1 << 256) - 1), "approve")
        tok_call(t, False, x, tok, t.inp)
        W.log(t, tok, [T_APPROVAL, "0x" + w32(x), "0x" + w32(spender)], "0x" + w32((1 << 256) - 1))
        return send(t)

    approved = set()

    def op_swap():
        e, xs = user()
        x = rng.choice(xs)
        if spendable(x) < 0:
            return
        tok = rng.choice([usdt, usdc, dai])
        if rng.random() < 0.5 and spendable(x) > ETH // 20:
            swap_eth_for_tok(x, int(spendable(x) * rng.uniform(0.05, 0.5)), tok)
        elif W.bal[(x, tok)] > 0:
            style = rng.choice(["v2", "v2", "v3", "agg"] if tok == usdt else ["v2", "agg"])
            sp = {"v2": router, "v3": v3router, "agg": agg}[style]
            if (x, tok, sp) not in approved:
                approved.add((x, tok, sp))
                approve(x, tok, sp)
                return
            swap_tok_for_eth(x, int(W.bal[(x, tok)] * rng.uniform(0.2, 1.0)) or 1, tok, style=style)

    def op_weth():
        e, xs = user()
        x = rng.choice(xs)
        if W.bal[(x, WETH)] > 0 and rng.random() < 0.5:
            v = W.bal[(x, WETH)]
            if spendable(x) < 0:
                return
            t = W.tx(x, WETH, 0, abi(S["withdraw(uint256)"], v), "unwrap")
            W.move(WETH, x, ZERO, v)
            W.log(t, WETH, [T_WWD, "0x" + w32(x)], "0x" + w32(v))
            W.icall(t, None, WETH, x, v)
            send(t)
        elif spendable(x) > ETH // 10:
            v = int(spendable(x) * rng.uniform(0.1, 0.5))
            t = W.tx(x, WETH, v, "0x" + S["deposit()"], "wrap")
            W.move(WETH, ZERO, x, v)
            W.log(t, WETH, [T_WDEP, "0x" + w32(x)], "0x" + w32(v))
            send(t)

    def op_multisend():
        e, xs = user()
        x = rng.choice(xs)
        rec = [rng.choice(rng.choice(users)[1]) for _ in range(rng.randint(2, 8))]
        if spendable(x) > ETH // 10:
            vals = [int(spendable(x) * 0.5 / len(rec) * rng.uniform(0.3, 1)) for _ in rec]
            t = W.tx(x, multisend, sum(vals), abi(S["disperseEther(address[],uint256[])"], 64, 64), "batch")
            for r_, v in zip(rec, vals):
                W.icall(t, None, multisend, r_, v)
            send(t)

    def op_batch_fail():
        """a Multicall3 aggregate3Value with allowFailure: one call to a contract that rejects ETH
        fails inside a successful tx"""
        e, xs = user()
        x = rng.choice(xs)
        if spendable(x) < ETH // 10:
            return
        r1 = rng.choice(rng.choice(users)[1])
        v1, v2 = spendable(x) // 10, spendable(x) // 20
        t = W.tx(x, mc3, v1 + v2, abi(S["aggregate3Value((address,bool,uint256,bytes)[])"], 32), "mc3")
        W.icall(t, None, mc3, r1, v1)
        W.icall(t, None, mc3, rejecter, v2, ok=False)
        W.icall(t, None, mc3, x, v2)  # the failed call's value is refunded to the sender
        send(t)

    def op_airdrop():
        e, xs = user()
        x = rng.choice(xs)
        if (x, "claimed") in approved or spendable(x) < 0:
            return
        approved.add((x, "claimed"))
        v = rng.randint(100, 5000) * ETH
        t = W.tx(x, distributor, 0, abi(S["claim(uint256,address,uint256,bytes32[])"], rng.randint(0, 99999), x, v, 128), "claim")
        tok_call(t, None, distributor, air, abi(S["transfer(address,uint256)"], x, v))
        W.ttransfer(t, air, distributor, x, v)
        W.log(t, distributor, [T_CLAIMED, "0x" + w32(x)], "0x" + w32(v))
        send(t)

    def op_deploy():
        e, xs = user()
        x = rng.choice(xs)
        if spendable(x) > ETH // 20:
            deploy(x, "user_contract", e, rng.randint(200, 3000))

    leaf = [0]

    def mixer_deposit(x, d, heist=None):
        t = W.tx(x, pools[d], d, abi(S["deposit(bytes32)"], "0x" + hashlib.sha256(f"c{W.n_tx}".encode()).hexdigest()), "mixdep")
        W.log(t, pools[d], [T_MIXDEP, "0x" + hashlib.sha256(f"cm{W.n_tx}".encode()).hexdigest()],
              "0x" + w32(leaf[0]) + w32(W.ts0 + 12 * state["num"]))
        leaf[0] += 1
        send(t)
        return t

    def mixer_withdraw(d, dep_tx, dep_block, depositor, rec, heist, relayed):
        nh = "0x" + hashlib.sha256(f"n{dep_tx}".encode()).hexdigest()
        if relayed:
            rel = rng.choice(relayers)
            fee = d * rng.randint(10, 50) // 10000 + 300000 * W.base
            t = W.tx(rel, pools[d], 0, abi(S["withdraw(address,bytes,bytes32,bytes32,address,address,uint256,uint256)"], pools[d], 256, nh, nh, rec, rel, fee, 0), "mixwd")
            W.icall(t, None, pools[d], rec, d - fee)
            W.icall(t, None, pools[d], rel, fee)
            W.log(t, pools[d], [T_MIXWD, nh, "0x" + w32(rel)], "0x" + w32(rec) + w32(fee))
        else:
            rel, fee = "", 0
            t = W.tx(rec, pools[d], 0, abi(S["withdraw(address,bytes,bytes32,bytes32,address,address,uint256,uint256)"], pools[d], 256, nh, nh, rec, ZERO, 0, 0), "mixwd")
            W.icall(t, None, pools[d], rec, d)
            W.log(t, pools[d], [T_MIXWD, nh, "0x" + w32(ZERO)], "0x" + w32(rec) + w32(0))
        send(t)
        W.mix_rows.append([pools[d], d, dep_tx, dep_block, depositor, t.hash, cur["blk"]["number"],
                           rec, rel, fee, heist or ""])
        return t, d - fee

    def op_mix_whale():
        """an honest whale mixes a 10 or 100 ETH note; the fresh recipient later pays its owner's
        deposit address at an exchange (honest convergence)"""
        e, xs = rng.choice(whales)
        x = xs[0]
        d = rng.choice([10 * ETH, 100 * ETH, 100 * ETH])
        if spendable(x) < d + ETH:
            return
        t = mixer_deposit(x, d)
        dep_block = cur["blk"]["number"]
        rec = W.addr(e, "user")
        ex = rng.choice(list(exch))

        def wd():
            mixer_withdraw(d, t.hash, dep_block, x, rec, None, True)
            schedule(rng.randint(5, 120), lambda: op_deposit(e, rec, ex, None) if spendable(rec) > ETH // 10 else None)
        schedule(rng.randint(20, 900), wd)

    def op_mix_honest():
        e, xs = user()
        x = rng.choice(xs)
        ds = [d for d in denoms[:3] if spendable(x) > d + ETH // 50]
        if not ds:
            return
        d = rng.choice(ds)
        t = mixer_deposit(x, d)
        dep_block = cur["blk"]["number"]
        own = [y for y in xs if y != x]
        rec = rng.choice(own) if own and rng.random() < 0.4 else W.addr(e, "user")
        # withdrawn by a relayer, or by the recipient itself when it holds gas then
        schedule(rng.randint(20, 900), lambda: mixer_withdraw(d, t.hash, dep_block, x, rec, None,
                                                              eth_of(rec) < ETH // 50 or rng.random() < 0.6))

    def memo_for(btc, style=None):
        style = style if style is not None else rng.randrange(4)
        return [f"=:BTC.BTC:{btc}", f"SWAP:BTC.BTC:{btc}:0/3/0", f"=:b:{btc}", f"=:BTC.BTC:{btc}::t:15"][style]

    def bridge_deposit(x, v, btc, heist=None):
        memo = memo_for(btc)
        inp = "0x" + S["depositWithExpiry(address,address,uint256,string,uint256)"] + w32(vault) + w32(ZERO) + w32(v) + w32(160) + \
            w32(W.ts0 + 12 * state["num"] + 900) + abi_str(memo)
        t = W.tx(x, bridge_router, v, inp, "bridge")
        W.icall(t, None, bridge_router, vault, v)
        W.log(t, bridge_router, [T_THOR, "0x" + w32(vault), "0x" + w32(ZERO)], "0x" + w32(v) + w32(64) + abi_str(memo))
        send(t)
        W.bridge_rows.append([heist or "", t.hash, cur["blk"]["number"], cur["blk"]["ts"], x, "ETH", v, memo, btc, "router"])
        return t

    def op_bridge_honest():
        e, xs = user()
        x = rng.choice(xs)
        if spendable(x) < ETH // 5:
            return
        btc = bech32_p2wpkh("bc", hashlib.sha256(f"ub{x}{W.n_tx}".encode()).digest()[:20])
        bridge_deposit(x, int(spendable(x) * rng.uniform(0.1, 0.6)), btc)

    def op_vault_payout():
        # the vault pays out inbound swaps (BTC -> ETH) to users
        to = rng.choice(rng.choice(users)[1])
        v = rng.randint(50, 5000) * ETH // 1000
        if spendable(vault) > v:
            send(W.tx(vault, to, v, "0x" + ("OUT:" + hashlib.sha256(str(W.n_tx).encode()).hexdigest().upper()).encode().hex(), "payout"))


    ops = [(op_eth_transfer, 28), (op_token_transfer, 22), (op_deposit, 14), (op_withdrawal, 10), (op_swap, 9),
           (op_weth, 3), (op_multisend, 2), (op_batch_fail, 1.5), (op_airdrop, 1.5), (op_deploy, 0.7),
           (op_mix_honest, 2.5), (op_bridge_honest, 1.5), (op_vault_payout, 1)]
    if a.hard_mixer:
        ops.append((op_mix_whale, 0.4))
    op_f, op_w = [o[0] for o in ops], [o[1] for o in ops]

    # ---------------------------------------------------------------- the heist
    heist = "northgate-hot-wallet"
    thief = W.entity("Lazarus-like thief", "thief")
    btc_to = [b for b in a.btc_to.split(",") if b] or \
        [bech32_p2wpkh("bc", hashlib.sha256(f"tb{a.seed}{i}".encode()).digest()[:20]) for i in range(10)]
    H = {"drain_txs": [], "kept": {}}
    total_blocks_est = a.txs // txs_mean + 5
    t0 = max(20, total_blocks_est // 12)

    def flow(t, kind, frm, to, asset, amt):
        W.heist_flows.append([heist, t.hash, cur["blk"]["number"], cur["blk"]["ts"], kind, frm, to, asset, amt, t.fee])

    def drain():
        X = exch[victim]
        main_t = [W.addr(thief, "thief") for _ in range(2)]
        H["main"] = main_t
        for i, hot in enumerate(X["hots"]):
            v = spendable(hot) * 9 // 10
            for j, dst in enumerate(main_t):
                part = v * rng.randint(35, 65) // 100 if j == 0 else v - part
                t = send(W.tx(hot, dst, part, "0x", "drain"))
                H["drain_txs"].append(t.hash)
                flow(t, "drain", hot, dst, "ETH", part)
            for k, tk in enumerate((usdt, usdc, dai)):
                dst = main_t[(i + k) % 2]
                v = W.bal[(hot, tk)] * 9 // 10
                t = W.tx(hot, tk, 0, abi(S["transfer(address,uint256)"], dst, v), "drain")
                tok_call(t, False, hot, tk, t.inp)
                W.ttransfer(t, tk, hot, dst, v)
                send(t)
                H["drain_txs"].append(t.hash)
                flow(t, "drain", hot, dst, tk, v)
        H["victim_hot"] = X["hots"][0]
        H["drain_block"] = cur["blk"]["number"]
        H["stolen"] = {"ETH": str(sum(eth_of(m) for m in main_t))}
        for tk in (usdt, usdc, dai):
            H["stolen"][tk] = str(sum(W.bal[(m, tk)] for m in main_t))
        schedule(rng.randint(8, 20), swaps)

    def swaps():
        # approvals, then chunked sales through V2, V3 and the aggregator; a third of the DAI kept
        for m in H["main"]:
            for tk in (usdt, usdc, dai):
                if W.bal[(m, tk)]:
                    for sp in (router, v3router, agg):
                        if tk != usdt and sp == v3router:
                            continue
                        t = approve(m, tk, sp)
                        flow(t, "approve", m, sp, tk, 0)
        k = 0
        for m in H["main"]:
            for tk in (usdt, usdc, dai):
                total = W.bal[(m, tk)]
                if not total:
                    continue
                sell = total * 2 // 3 if tk == dai else total * 3 // 4 if tk == usdc else total
                H["kept"][tk] = H["kept"].get(tk, 0) + total - sell
                n = rng.randint(3, 7)
                for j in range(n):
                    v = sell // n if j < n - 1 else sell - (sell // n) * (n - 1)
                    style = rng.choice(["v2", "v3", "agg"] if tk == usdt else ["v2", "agg"])
                    k += 1

                    def go(m=m, tk=tk, v=v, style=style):
                        t, out = swap_tok_for_eth(m, v, tk, style=style)
                        flow(t, "swap", m, t.to, tk, v)
                    schedule(k * rng.randint(1, 4), go)
        schedule(k * 4 + 30, fan_out)

    def fan_out():
        leaves = []
        for m in H["main"]:
            n = rng.randint(25, 45)
            fresh = [W.addr(thief, "thief") for _ in range(n)]
            total = spendable(m) - 5 * ETH
            shares = [rng.uniform(0.5, 1.5) for _ in fresh]
            vals = [int(total * s / sum(shares)) for s in shares]
            half = n // 2
            # half through a multisend, half directly
            t = W.tx(m, multisend, sum(vals[:half]), abi(S["disperseEther(address[],uint256[])"], 64, 64), "fan")
            for f, v in zip(fresh[:half], vals[:half]):
                W.icall(t, None, multisend, f, v)
            send(t)
            for f, v in zip(fresh[:half], vals[:half]):
                flow(t, "fan_out", m, f, "ETH", v)
            for i, (f, v) in enumerate(zip(fresh[half:], vals[half:])):
                def go(m=m, f=f, v=v):
                    t = send(W.tx(m, f, v, "0x", "fan"))
                    flow(t, "fan_out", m, f, "ETH", v)
                schedule(1 + i // 3, go)
            leaves += fresh
        for i, f in enumerate(leaves):
            schedule(30 + i // 2, lambda f=f: hop(f, rng.randint(0, 3)))
        # the kept DAI and USDC: DAI cashed out, USDC half cashed out, half bridged as a token
        schedule(200, cash_kept)

    def hop(x, left):
        if left == 0:
            route(x)
            return
        nxt = W.addr(thief, "thief")
        if rng.random() < 0.25:
            # through WETH: wrap, send the WETH and the gas money on, the next address unwraps
            vw = eth_of(x) - 160000 * (W.base + 3 * GWEI) * 2
            t = W.tx(x, WETH, vw, "0x" + S["deposit()"], "wrap")
            W.move(WETH, ZERO, x, vw)
            W.log(t, WETH, [T_WDEP, "0x" + w32(x)], "0x" + w32(vw))
            send(t)
            flow(t, "hop", x, WETH, "ETH", vw)
            t = W.tx(x, WETH, 0, abi(S["transfer(address,uint256)"], nxt, vw), "hop")
            W.ttransfer(t, WETH, x, nxt, vw)
            send(t)
            flow(t, "hop", x, nxt, WETH, vw)
            t = send(W.tx(x, nxt, eth_of(x) - 21000 * (W.base + W.tip_next), "0x", "hop"))
            flow(t, "hop", x, nxt, "ETH", t.value)

            def unwrap():
                t = W.tx(nxt, WETH, 0, abi(S["withdraw(uint256)"], vw), "unwrap")
                W.move(WETH, nxt, ZERO, vw)
                W.log(t, WETH, [T_WWD, "0x" + w32(nxt)], "0x" + w32(vw))
                W.icall(t, None, WETH, nxt, vw)
                send(t)
                flow(t, "hop", nxt, nxt, WETH, vw)
                schedule(rng.randint(3, 60), lambda: hop(nxt, left - 1))
            schedule(rng.randint(2, 30), unwrap)
            return
        v = eth_of(x) - 21000 * (W.base + W.tip_next)
        t = send(W.tx(x, nxt, v, "0x", "hop"))
        flow(t, "hop", x, nxt, "ETH", v)
        schedule(rng.randint(3, 60), lambda: hop(nxt, left - 1))

    def route(x):
        r = rng.random()
        if r < 0.35:
            mix(x)
        elif r < 0.65:
            bridge(x)
        else:
            cash(x, eth_of(x) - 21000 * (W.base + W.tip_next) * 2)

    def cash(x, v, tok=None, own=False):
        ex = rng.choice(["Kumo", "Zephyrex", "Bitmarket"])
        d = dep_addr(thief, ex, x if own else rng.randrange(8))
        if tok is None:
            if v <= 0:
                return
            t = send(W.tx(x, d, v, "0x", "cash"))
            asset = "ETH"
        else:
            t = W.tx(x, tok, 0, abi(S["transfer(address,uint256)"], d, v), "cash")
            tok_call(t, False, x, tok, t.inp)
            W.ttransfer(t, tok, x, d, v)
            send(t)
            asset = tok
        flow(t, "cash_out", x, d, asset, v)
        W.cash_outs.append([heist, t.hash, cur["blk"]["number"], cur["blk"]["ts"], ex, d, x, asset, v])
        if d not in W.pending_sweep:
            W.pending_sweep.add(d)
            schedule(rng.randint(5, 150), lambda: sweep(d, ex))

    def cash_kept():
        for m in H["main"]:
            v = W.bal[(m, dai)]
            n = 4
            for j in range(n):
                part = v // n if j < n - 1 else v - (v // n) * (n - 1)
                if part:
                    schedule(1 + 3 * j, lambda m=m, part=part: cash(m, part, dai))
            v = W.bal[(m, usdc)]
            if v:
                t = approve(m, usdc, bridge_router)
                flow(t, "approve", m, bridge_router, usdc, 0)
                for j in range(3):
                    part = v // 6
                    schedule(2 + 2 * j, lambda m=m, part=part: cash(m, part, usdc))
                    schedule(3 + 2 * j, lambda m=m, part=part: bridge_token(m, usdc, part))
            # and the ETH it kept for gas, later
            schedule(100, lambda m=m: cash(m, spendable(m) - ETH // 100) if spendable(m) > ETH else None)

    def mix(x):
        notes = []
        v = eth_of(x) - ETH // 20
        for d in reversed(denoms):
            while v >= d and len(notes) < 40:
                notes.append(d)
                v -= d
        for i, d in enumerate(notes):
            def go(d=d):
                if eth_of(x) < d + ETH // 100:
                    return
                t = mixer_deposit(x, d, heist)
                flow(t, "mixer_deposit", x, pools[d], "ETH", d)
                dep_block = cur["blk"]["number"]
                rec = W.addr(thief, "thief")
                relayed = rng.random() < 0.85

                def wd():
                    if not relayed:
                        # a fresh address funded for gas by another thief address would be
                        # evidence; this thief withdraws only through relayers or to a
                        # leftover address that already holds gas
                        pass
                    tw, got = mixer_withdraw(d, t.hash, dep_block, x, rec, heist, True)
                    flow(tw, "mixer_withdrawal", pools[d], rec, "ETH", got)
                    schedule(rng.randint(5, 120), lambda: after_mix(rec))
                schedule(rng.randint(60, 600), wd)
            schedule(1 + i, go)
        rest_at = len(notes) + 5
        schedule(rest_at, lambda: cash(x, eth_of(x) - 21000 * (W.base + W.tip_next) * 2) if eth_of(x) > ETH // 10 else None)

    def after_mix(rec):
        if rng.random() < 0.5:
            bridge(rec)
        else:
            cash(rec, eth_of(rec) - 21000 * (W.base + W.tip_next) * 2, own=a.hard_mixer)

    def bridge_token(x, tok, v):
        """a THORChain-router token deposit: the router pulls the tokens and keeps them"""
        btc = rng.choice(btc_to)
        memo = memo_for(btc)
        inp = "0x" + S["depositWithExpiry(address,address,uint256,string,uint256)"] + w32(vault) + w32(tok) + w32(v) + w32(160) + \
            w32(W.ts0 + 12 * state["num"] + 900) + abi_str(memo)
        t = W.tx(x, bridge_router, 0, inp, "bridge")
        tok_call(t, None, bridge_router, tok, abi(S["transferFrom(address,address,uint256)"], x, bridge_router, v))
        W.ttransfer(t, tok, x, bridge_router, v)
        W.log(t, bridge_router, [T_THOR, "0x" + w32(vault), "0x" + w32(tok)], "0x" + w32(v) + w32(64) + abi_str(memo))
        send(t)
        W.bridge_rows.append([heist, t.hash, cur["blk"]["number"], cur["blk"]["ts"], x, tok, v, memo, btc, "router"])
        flow(t, "bridge", x, bridge_router, tok, v)

    def bridge(x):
        v = eth_of(x) - 200000 * (W.base + W.tip_next) * 2
        if v <= 0:
            return
        btc = rng.choice(btc_to)
        t = bridge_deposit(x, v, btc, heist)
        flow(t, "bridge", x, bridge_router, "ETH", v)

    schedule(t0, drain)

    # ---------------------------------------------------------------- main loop
    while W.n_tx < a.txs:
        blk = new_block()
        cur["blk"] = blk
        for fn in W.sched.pop(blk["number"], []):
            fn()
        demand = (20 * GWEI / W.base) ** 0.5
        n = int(txs_mean * rng.uniform(0.5, 1.5) * min(2.0, max(0.4, demand)))
        for _ in range(n):
            if blk["gas"] > GAS_LIMIT - 600000:
                break
            rng.choices(op_f, op_w)[0]()
        end_block(blk)
    # let the heist's scheduled steps finish (no honest filler beyond a few txs a block)
    while W.sched:
        blk = new_block()
        cur["blk"] = blk
        for fn in W.sched.pop(blk["number"], []):
            fn()
        for _ in range(5):
            rng.choice([op_eth_transfer, op_token_transfer])()
        end_block(blk)
    W.H, W.thief_ent, W.btc_to, W.tokens = H, thief, btc_to, tokens
    W.extra = {"exchanges": {k: {"hot_wallets": v["hots"], "gas_station": v["gas"]} for k, v in exch.items()},
               "pools": {str(d): p for d, p in pools.items()}, "bridge_router": bridge_router, "vault": vault,
               "router": router, "v3_router": v3router, "aggregator": agg, "pairs": pairs, "v3_pool": v3pool,
               "multisend": multisend, "multicall3": mc3, "usdc_proxy": usdc, "usdc_impl": usdc_impl}


def write(W, a):
    os.makedirs(a.out + "/truth", exist_ok=True)

    def wcsv(name, head, rows):
        with open(os.path.join(a.out, name), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(head)
            w.writerows(rows)
    wcsv("blocks.csv", "number,hash,parent_hash,nonce,sha3_uncles,logs_bloom,transactions_root,state_root,receipts_root,miner,difficulty,total_difficulty,size,extra_data,gas_limit,gas_used,timestamp,transaction_count,base_fee_per_gas,withdrawals_root,withdrawals".split(","), W.blocks)
    wcsv("transactions.csv", "hash,nonce,block_hash,block_number,transaction_index,from_address,to_address,value,gas,gas_price,input,block_timestamp,max_fee_per_gas,max_priority_fee_per_gas,transaction_type".split(","), W.tx_rows)
    wcsv("receipts.csv", "transaction_hash,transaction_index,block_hash,block_number,cumulative_gas_used,gas_used,contract_address,root,status,effective_gas_price,l1_fee,l1_gas_used,l1_gas_price,l1_fee_scalar".split(","), W.rc_rows)
    wcsv("logs.csv", "log_index,transaction_hash,transaction_index,block_hash,block_number,address,data,topics".split(","), W.log_rows)
    wcsv("token_transfers.csv", "token_address,from_address,to_address,value,transaction_hash,log_index,block_number".split(","), W.tt_rows)
    wcsv("traces.csv", "block_number,transaction_hash,transaction_index,from_address,to_address,value,input,output,trace_type,call_type,reward_type,gas,gas_used,subtraces,trace_address,error,status,trace_id".split(","), W.tr_rows)
    supply = defaultdict(int)
    for (ad, asset), v in W.bal.items():
        if asset != "ETH":
            supply[asset] += v
    wcsv("tokens.csv", "address,symbol,name,decimals,total_supply,block_number".split(","),
         [[t, s, n, d, supply[t], 1] for t, (s, n, d) in W.tokens.items()])
    T = a.out + "/truth/"

    def tcsv(name, head, rows):
        with open(T + name, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(head.split(","))
            w.writerows(rows)
    tcsv("entities.csv", "entity_id,name,category", W.entities)
    tcsv("addresses.csv", "address,kind,entity_id,entity_name,category,customer_id,exchange", W.addr_rows)
    tcsv("balances.csv", "address,asset,balance", sorted([ad, asset, v] for (ad, asset), v in W.bal.items()
                                                          if v and ad != ZERO))
    tcsv("heist_flows.csv", "heist,tx_hash,block,timestamp,kind,from_address,to_address,asset,amount,fee_wei", W.heist_flows)
    tcsv("cash_outs.csv", "heist,tx_hash,block,timestamp,exchange,deposit_address,from_address,asset,amount", W.cash_outs)
    tcsv("bridge_deposits.csv", "heist,tx_hash,block,timestamp,from_address,asset,amount,memo,btc_address,style", W.bridge_rows)
    tcsv("mixer_links.csv", "pool,denomination_wei,deposit_tx,deposit_block,depositor,withdrawal_tx,withdrawal_block,recipient,relayer,relayer_fee_wei,heist", W.mix_rows)
    H = W.H
    thief_addrs = [r[0] for r in W.addr_rows if r[4] == "thief"]
    held = defaultdict(int)
    for x in thief_addrs:
        for asset in ["ETH"] + list(W.tokens):
            held[asset] += W.bal[(x, asset)]
    json.dump([{"name": "northgate-hot-wallet", "victim": "Northgate", "victim_hot_wallet": H["victim_hot"],
                "thief_entity": W.thief_ent[0], "drain_block": H["drain_block"], "drain_txs": H["drain_txs"],
                "stolen": H["stolen"], "btc_addresses": W.btc_to, "held_at_tip": {k: str(v) for k, v in held.items() if v},
                "totals": {"cash_outs": len(W.cash_outs), "bridged": sum(1 for r in W.bridge_rows if r[0]),
                           "mixer_notes": sum(1 for r in W.mix_rows if r[10])}}],
              open(T + "heists.json", "w"), indent=1)
    json.dump({"format": "chainwatch-gen-evm-truth/1", "generator": "tests/diff/evm_alt_world.py",
               "ingest_chain": "ethereum", "seed": a.seed, "txs": W.n_tx, "failed_txs": W.n_failed,
               "blocks": len(W.blocks), "tip_number": len(W.blocks) - 1, "tip_hash": W.blocks[-1][1],
               "genesis_timestamp": a.genesis_ts, "accounts": len(W.addr_rows), "contracts": W.extra},
              open(T + "world.json", "w"), indent=1)
    print(json.dumps({"out": a.out, "txs": W.n_tx, "blocks": len(W.blocks), "failed": W.n_failed,
                      "cash_outs": len(W.cash_outs), "bridge_deposits_heist": sum(1 for r in W.bridge_rows if r[0]),
                      "mixer_notes_heist": sum(1 for r in W.mix_rows if r[10])}))


if __name__ == "__main__":
    main()
