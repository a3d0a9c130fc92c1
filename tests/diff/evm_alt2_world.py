#!/usr/bin/python3
"""A fourth EVM world (stop 19, evmalt2), written from the texts of issues 12 and 13 and mainnet
habits only, without reading chainwatch's trace: smart-contract wallets (a Safe-like multisig whose
value moves in internal calls, ERC-4337 handleOps from bundlers), exchange deposit contracts made
by CREATE2 that forward ETH on receipt or are swept by a factory call, SELFDESTRUCT payouts
(`suicide` traces), tokens that are not plain (fee-on-transfer, a rebasing liquid-staking token
with no Transfer log on a rebase, 0 and 24 decimals, a token whose Transfer is emitted by its
proxy), failed txs and reverted internal calls, and a Bybit-like heist: a Safe takeover draining
ETH and two liquid-staking tokens, swaps to ETH (a Curve-like pool holding ETH, a V2 pair through
WETH), a fan-out to 40 addresses, THORChain memo deposits (calldata memo to the vault and the
router's depositWithExpiry with its Deposit log), a bridge whose event names only a destination
chain id, an instant exchanger's per-order addresses, and a long wait before the cash-out.

usage: evm_alt2_world.py --out DIR --seed S [--txs N] [--btc-to a,b,...] [--genesis-ts T]
                         [--rebase-overdraw] [--unswept-tail] [--no-exchanger-payouts]
Writes ethereum-etl CSVs (blocks, transactions, receipts, logs, token_transfers, traces, tokens)
and DIR/truth in the format tests/diff/evm_eval.py scores (docs/GEN.md), plus
truth/balances.csv (what the logs and traces say: what a log-based store can know) and
truth/rebasing.csv (the rebasing token's true balanceOf beside its log-based balance).
--rebase-overdraw: the thief drains the Safe's true stETH-like balance (more than its logs
credited it: its log-based balance goes below zero, as mainnet stETH does). --unswept-tail: the
export ends before the exchanges sweep the last deposits (by default they sweep them first).
--no-exchanger-payouts: the instant exchanger pays out on other chains only (its ETH hot wallet
never pays anyone here)."""
import argparse, csv, json, os, random
from collections import defaultdict

# ---- Keccak-256 (the pre-standard padding Ethereum uses)
RC = [0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
      0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
      0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
      0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
      0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
      0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008]
ROT = [[0, 36, 3, 41, 18], [1, 44, 10, 45, 2], [62, 6, 43, 15, 61], [28, 55, 25, 21, 56],
       [27, 20, 39, 8, 14]]
M64 = (1 << 64) - 1


def _rol(x, n):
    return ((x << n) | (x >> (64 - n))) & M64 if n else x


def _f(A):
    for rc in RC:
        C = [A[x][0] ^ A[x][1] ^ A[x][2] ^ A[x][3] ^ A[x][4] for x in range(5)]
        D = [C[(x - 1) % 5] ^ _rol(C[(x + 1) % 5], 1) for x in range(5)]
        A = [[A[x][y] ^ D[x] for y in range(5)] for x in range(5)]
        B = [[0] * 5 for _ in range(5)]
        for x in range(5):
            for y in range(5):
                B[y][(2 * x + 3 * y) % 5] = _rol(A[x][y], ROT[x][y])
        A = [[B[x][y] ^ ((~B[(x + 1) % 5][y]) & B[(x + 2) % 5][y]) for y in range(5)] for x in range(5)]
        A[0][0] ^= rc
    return A


def keccak(data: bytes) -> bytes:
    rate = 136
    p = bytearray(data) + b"\x01" + b"\x00" * ((-len(data) - 1) % rate)
    p[-1] |= 0x80
    A = [[0] * 5 for _ in range(5)]
    for off in range(0, len(p), rate):
        blk = p[off:off + rate]
        for i in range(rate // 8):
            x, y = i % 5, i // 5
            A[x][y] ^= int.from_bytes(blk[8 * i:8 * i + 8], "little")
        A = _f(A)
    out = b""
    for i in range(4):
        out += A[i % 5][i // 5].to_bytes(8, "little")
    return out


def topic(sig):
    return "0x" + keccak(sig.encode()).hex()


def sel(sig):
    return keccak(sig.encode())[:4].hex()


TRANSFER = topic("Transfer(address,address,uint256)")
assert TRANSFER == "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
W_DEPOSIT = topic("Deposit(address,uint256)")
W_WITHDRAWAL = topic("Withdrawal(address,uint256)")
EXEC_OK = topic("ExecutionSuccess(bytes32,uint256)")
EXEC_FAIL = topic("ExecutionFailure(bytes32,uint256)")
USEROP = topic("UserOperationEvent(bytes32,address,address,uint256,bool,uint256,uint256)")
TC_DEPOSIT = topic("Deposit(address,address,uint256,string)")
CHAIN_DEP = topic("BridgeDeposit(address,uint256,uint256)")
REBASED = topic("TokenRebased(uint256,uint256,uint256,uint256,uint256,uint256,uint256)")
TOKEN_EXCHANGE = topic("TokenExchange(address,int128,uint256,int128,uint256)")
V2_SWAP = topic("Swap(address,uint256,uint256,uint256,uint256,address)")
WETH = "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"
ZERO = "0x" + "0" * 40
GWEI = 10**9
ETH = 10**18


def w(x):  # a 32-byte ABI word
    if isinstance(x, str):
        return x[2:].rjust(64, "0")
    return format(x, "064x")


def abi_string(s):
    b = s.encode().hex()
    return w(len(s)) + b.ljust(((len(b) + 63) // 64) * 64, "0")


class World:
    def __init__(s, a):
        s.a, s.rng = a, random.Random(a.seed)
        s.out = a.out
        s.bal = defaultdict(int)  # (address, asset) -> what logs and traces say; asset "ETH" or token
        s.nonce = defaultdict(int)
        s.addr_rows, s.entities = [], []
        s.rows = {k: [] for k in ("blocks", "transactions", "receipts", "logs", "token_transfers",
                                  "traces", "tokens")}
        s.truth = defaultdict(list)
        s.txcount = s.failed = 0
        s.block = []  # the open block's txs
        s.number, s.ts = 0, a.genesis_ts
        s.base_fee = 12 * GWEI
        s.parent = "0x" + "00" * 32
        s.miners = []
        s.validators, s.wd_index = [], 0
        s.contract = set()

    # ---- identities
    def new_addr(s):
        return "0x" + s.rng.getrandbits(160).to_bytes(20, "big").hex()

    def entity(s, name, cat):
        s.entities.append((len(s.entities) + 1, name, cat))
        return len(s.entities)

    def account(s, ent, cat, kind="eoa", customer="", exchange="", addr=None):
        a = addr or s.new_addr()
        e = s.entities[ent - 1]
        s.addr_rows.append((a, kind, ent, e[1], cat, customer, exchange))
        if kind != "eoa":
            s.contract.add(a)
        return a

    def h32(s):
        return "0x" + s.rng.getrandbits(256).to_bytes(32, "big").hex()

    # ---- blocks
    def close_block(s):
        if s.number == 0:
            pass
        bh = s.h32()
        miner = s.rng.choice(s.miners)
        gas_used, logi = 0, 0
        for i, t in enumerate(s.block):
            tip = t["tip"]
            eff = s.base_fee + tip
            fee = t["gas_used"] * eff
            s.bal[(t["from"], "ETH")] -= fee
            assert s.bal[(t["from"], "ETH")] >= 0, ("generator: gas overdraws", t["from"], [r for r in s.addr_rows if r[0] == t["from"]], t["input"][:10])
            s.bal[(miner, "ETH")] += t["gas_used"] * tip
            gas_used += t["gas_used"]
            typ = t["type"]
            s.rows["transactions"].append([t["hash"], t["nonce"], bh, s.number, i, t["from"], t["to"] or "",
                                           t["value"], t["gas"], eff, t["input"], s.ts,
                                           eff + tip * 2 if typ == 2 else "", tip if typ == 2 else "", typ])
            s.rows["receipts"].append([t["hash"], i, bh, s.number, gas_used, t["gas_used"], t["created"] or "",
                                       "", 1 if t["ok"] else 0, eff, "", "", "", ""])
            for tr in t["traces"]:
                s.rows["traces"].append([s.number, t["hash"], i] + tr)
            for (addr, topics, data) in (t["logs"] if t["ok"] else []):
                s.rows["logs"].append([logi, t["hash"], i, bh, s.number, addr, data, ",".join(topics)])
                if topics[0] == TRANSFER and len(topics) == 3:
                    s.rows["token_transfers"].append([addr, "0x" + topics[1][-40:], "0x" + topics[2][-40:],
                                                      int(data[2:66], 16), t["hash"], logi, s.number])
                logi += 1
        wd = []
        if s.number > 0 and s.validators:  # EIP-4895: a few validator withdrawals per block (gwei)
            for k in range(4):
                a = s.rng.choice(s.validators)
                g = s.rng.randint(10**7, 2 * 10**7)
                s.bal[(a, "ETH")] += g * GWEI
                wd.append('{"index":%d,"validator_index":%d,"address":"%s","amount":%d}'
                          % (s.wd_index, 400000 + s.validators.index(a), a, g))
                s.wd_index += 1
        s.rows["blocks"].append([s.number, bh, s.parent, "0x0000000000000000",
                                 "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347",
                                 "0x" + "00" * 256, s.h32(), s.h32(), s.h32(), miner, 0, 0,
                                 1000 + 120 * len(s.block), "0x", 10000000, gas_used, s.ts, len(s.block),
                                 s.base_fee, s.h32() if s.number > 0 else "", ",".join(wd)])
        # EIP-1559: the next base fee from this block's gas against a 15M target
        s.base_fee = max(GWEI, s.base_fee + s.base_fee * (gas_used - 5000000) // 5000000 // 8)
        # demand answers the price: fewer txs in the next block when the base fee is high
        s.per_block = max(30, min(250, 110 * 15 * GWEI // s.base_fee + s.rng.randint(-10, 10)))
        s.parent = bh
        s.block = []
        s.number += 1
        s.ts += 12

    # ---- transactions
    def tx(s, frm, to, value, inp="0x", gas_used=21000, ok=True, created=None, typ=None):
        """Opens a tx; the caller adds internal calls/logs, then s.send(t)."""
        typ = s.rng.choice((0, 2, 2, 2)) if typ is None else typ
        t = dict(hash=s.h32(), nonce=s.nonce[frm], frm=frm, to=to, value=value, input=inp,
                 gas_used=gas_used, ok=ok, created=created, type=typ, logs=[], calls=[],
                 tip=s.rng.choice((1, 1, 2, 3)) * GWEI // (1 if typ == 2 else 1), moves=[])
        t["from"] = frm
        s.nonce[frm] += 1
        return t

    def call(s, t, path, frm, to, value, inp="0x", ok=True, kind="call", call_type="call"):
        t["calls"].append(dict(path=tuple(path), frm=frm, to=to, value=value, input=inp, ok=ok,
                               kind=kind, call_type=call_type))

    def log(s, t, addr, topics, data="0x"):
        t["logs"].append((addr, topics, data))

    def transfer_log(s, t, token, frm, to, amount):
        s.log(t, token, [TRANSFER, w(frm) and "0x" + w(frm), "0x" + w(to)], "0x" + w(amount))

    def send(s, t):
        ok = t["ok"]
        root = dict(path=(), frm=t["frm"], to=t["to"] or t["created"], value=t["value"], input=t["input"],
                    ok=ok, kind="create" if t["created"] else "call", call_type="" if t["created"] else "call")
        calls = [root] + t["calls"]
        failed_paths = [c["path"] for c in calls if not c["ok"]]
        rows = []
        for c in calls:
            dead = not ok or any(c["path"][:len(p)] == p for p in failed_paths)
            kids = sum(1 for d in calls if len(d["path"]) == len(c["path"]) + 1 and d["path"][:-1] == c["path"])
            ta = ",".join(map(str, c["path"]))
            tid = f"{c['kind']}_{t['hash']}_" + "_".join(map(str, c["path"]))
            own_fail = (not c["ok"]) or (not ok and c["path"] == ())
            rows.append([c["frm"], c["to"], c["value"], c["input"], "0x", c["kind"], c["call_type"], "",
                         100000, 50000, kids, ta, "Reverted" if own_fail else "", 0 if dead else 1, tid])
            if not dead and c["value"]:
                s.bal[(c["frm"], "ETH")] -= c["value"]
                s.bal[(c["to"], "ETH")] += c["value"]
                assert s.bal[(c["frm"], "ETH")] >= 0, ("generator: overdraws ETH", c)
        t["traces"] = rows
        if ok:
            for (addr, topics, data) in t["logs"]:
                if topics[0] == TRANSFER and len(topics) == 3:
                    v = int(data[2:66], 16)
                    f, to = "0x" + topics[1][-40:], "0x" + topics[2][-40:]
                    if f != ZERO:
                        s.bal[(f, addr)] -= v
                        assert s.bal[(f, addr)] >= 0 or s.a.rebase_overdraw, ("generator: overdraws a token", f, addr)
                    if to != ZERO:
                        s.bal[(to, addr)] += v
                elif addr == WETH and topics[0] in (W_DEPOSIT, W_WITHDRAWAL):
                    v = int(data[2:66], 16)
                    s.bal[("0x" + topics[1][-40:], WETH)] += v if topics[0] == W_DEPOSIT else -v
        else:
            s.failed += 1
        t["gas"] = t["gas_used"] + 30000 if ok else t["gas_used"]
        s.block.append(t)
        s.txcount += 1
        if len(s.block) >= s.per_block:
            s.close_block()
        return t["hash"]

    def eth(s, frm, to, v, inp="0x", ok=True):
        return s.send(s.tx(frm, to, v, inp, 21000 + 16 * (len(inp) // 2), ok=ok))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--txs", type=int, default=200000)
    ap.add_argument("--btc-to", default="")
    ap.add_argument("--genesis-ts", type=int, default=1767225600 - 86400)
    ap.add_argument("--rebase-overdraw", action="store_true")
    ap.add_argument("--unswept-tail", action="store_true")
    ap.add_argument("--no-exchanger-payouts", action="store_true")
    a = ap.parse_args()
    W = World(a)
    build(W, a)


def build(W, a):
    rng = W.rng
    W.per_block = 110
    sysent = W.entity("system", "deployer")
    deployer = W.account(sysent, "deployer")
    for i in range(5):
        W.miners.append(W.account(W.entity(f"builder{i}", "fee_recipient"), "fee_recipient"))
    genesis = []

    def fund(addr, v):
        genesis.append((addr, v))
        W.bal[(addr, "ETH")] += v

    fund(deployer, 10**6 * ETH)
    # ---- tokens: (symbol, name, decimals, kind)
    tokens = {}

    def token(sym, name, dec, kind, addr=None):
        ad = addr or W.new_addr()
        ent = W.entity(f"{sym} token", "token")
        W.account(ent, "token", "contract", addr=ad)
        tokens[ad] = dict(sym=sym, name=name, dec=dec, kind=kind, supply=0)
        return ad

    usdt = token("USDT", "Tether USD", 6, "plain")
    feet = token("SFM", "SafeMoonish", 9, "fee")         # fee-on-transfer: 2 % burnt
    steth = token("stXETH", "Liquid staked Ether", 18, "rebase")
    meth = token("mXETH", "mantle-like staked Ether", 18, "plain")
    zerod = token("GLD0", "Gold grams", 0, "plain")
    yocto = token("Y24", "Yocto 24", 24, "plain")
    proxied = token("PUSD", "Proxied USD", 6, "proxy")   # the proxy's address is the token
    impl = W.account(sysent, "token_impl", "contract")
    weth = token("WETH", "Wrapped Ether", 18, "weth", WETH)
    tokens_list = [usdt, feet, steth, meth, zerod, yocto, proxied]
    shares = defaultdict(int)  # the rebasing token's shares
    pooled = [1, 1]  # total pooled ether, total shares (a ratio)
    # ---- services
    exchanges = {}
    for name in ("Bybyte", "Kraktor", "Binanza", "Okey", "Coinbrisk"):
        ent = W.entity(name, "exchange")
        hot = W.account(ent, "exchange", exchange=name)
        fund(hot, 200000 * ETH)
        factory = W.account(ent, "exchange_deposit_factory", "contract", exchange=name)
        exchanges[name] = dict(ent=ent, hot=hot, factory=factory, deps=[], forward=rng.random() < 0.6)
    victim = exchanges["Bybyte"]
    # the victim's cold wallet: a Safe with 3 owners
    safe = W.account(victim["ent"], "exchange_cold_safe", "contract", exchange="Bybyte")
    owners = [W.account(victim["ent"], "safe_owner", exchange="Bybyte") for _ in range(3)]
    for o in owners:
        fund(o, 10 * ETH)
    fund(safe, 300000 * ETH)
    inst = dict(name="SwapSpace", ent=W.entity("SwapSpace", "exchange"))
    inst["hot"] = W.account(inst["ent"], "exchange", exchange="SwapSpace")
    fund(inst["hot"], 20000 * ETH)
    # THORChain: router + vault; a chain-id-only bridge
    tc = W.entity("THORChain", "bridge")
    router = W.account(tc, "bridge_router", "contract")
    vault = W.account(tc, "bridge_vault")
    fund(vault, 1000 * ETH)
    cb = W.entity("ChainHop bridge", "bridge")
    chainbridge = W.account(cb, "bridge_vault", "contract")
    # DEXes: a Curve-like stETH/ETH pool holding ETH; a V2 pair mETH/WETH and a router
    dexent = W.entity("dex", "dex")
    curve = W.account(dexent, "dex_pool", "contract")
    pair = W.account(dexent, "dex_pool", "contract")
    v2router = W.account(dexent, "dex_router", "contract")
    entry = W.account(W.entity("EntryPoint v0.6", "aa_entrypoint"), "aa_entrypoint", "contract")
    payouts = W.account(W.entity("payout factory", "service"), "service", "contract")
    fund(payouts, 10000 * ETH)
    # users: EOAs, Safes, 4337 smart accounts
    users, safes, smart = [], [], []
    n_users = max(200, a.txs // 60)
    for i in range(n_users):
        ent = W.entity(f"user{i}", "user")
        u = W.account(ent, "user")
        fund(u, rng.randint(5, 2000) * ETH)
        users.append(u)
        r = rng.random()
        if r < 0.08:
            sa = W.account(ent, "user_safe", "contract")
            fund(sa, rng.randint(5, 500) * ETH)
            safes.append((sa, u))
        elif r < 0.16:
            sa = W.account(ent, "user_smart_account", "contract")
            fund(sa, rng.randint(1, 100) * ETH)
            smart.append((sa, u))
    W.validators = users[:50]
    bundlers = [W.account(W.entity(f"bundler{i}", "aa_bundler"), "aa_bundler") for i in range(3)]
    for b in bundlers:
        fund(b, 100 * ETH)
    # pool liquidity
    fund(curve, 300000 * ETH)
    liq = W.account(W.entity("liquidity fund", "user"), "user")
    fund(liq, 10**8 * ETH)
    # genesis block
    W.rows["blocks"]  # block 0: genesis traces only
    for addr, v in genesis:
        W.rows["traces"].append([0, "", "", "", addr, v, "", "", "genesis", "", "", 0, 0, 0, "", "", 1,
                                 f"genesis_{addr}"])
    W.close_block_genesis = None
    # block 0 has no txs
    W.block = []
    W.close_block()

    # ---- token minting (deployer txs)
    def mint(t, tok, to, amount):
        W.transfer_log(t, tok, ZERO, to, amount)
        tokens[tok]["supply"] += amount
        if tokens[tok]["kind"] == "rebase":
            sh = amount * pooled[1] // pooled[0]
            shares[to] += sh
            pooled[0] += amount
            pooled[1] += sh

    for tok in tokens_list:
        dec = tokens[tok]["dec"]
        t = W.tx(deployer, tok, 0, "0x" + sel("mint(address[],uint256)"), 200000)
        for u in users:
            mint(t, tok, u, rng.randint(1, 10**6 if tok not in (steth, meth) else 50) * 10**dec)
        if tok in (steth, meth):
            mint(t, tok, safe, 120000 * 10**dec)
            mint(t, tok, liq, 200000 * 10**dec)
            mint(t, tok, curve if tok == steth else pair, 300000 * 10**dec)
        if tokens[tok]["kind"] == "proxy":
            W.call(t, [0], tok, impl, 0, call_type="delegatecall")
        W.send(t)
    # WETH in the pair
    t = W.tx(liq, WETH, 300000 * ETH, "0x" + sel("deposit()"), 45000)
    W.log(t, WETH, [W_DEPOSIT, "0x" + w(liq)], "0x" + w(300000 * ETH))
    W.send(t)
    t = W.tx(liq, WETH, 0, "0x" + sel("transfer(address,uint256)") + w(pair) + w(300000 * ETH), 50000)
    W.transfer_log(t, WETH, liq, pair, 300000 * ETH)
    W.send(t)

    def tbal(addr, tok):  # the balance a holder can spend
        if tokens[tok]["kind"] == "rebase":
            return shares[addr] * pooled[0] // pooled[1]
        return W.bal[(addr, tok)]

    def token_move(t, tok, frm, to, amount, path=None):
        """A transfer of `amount` (what the sender loses) from frm to to, as the token logs it."""
        k = tokens[tok]["kind"]
        if k == "fee":
            fee = amount * 2 // 100
            W.transfer_log(t, tok, frm, to, amount - fee)
            W.transfer_log(t, tok, frm, ZERO, fee)
        else:
            W.transfer_log(t, tok, frm, to, amount)
        if k == "rebase":
            sh = amount * pooled[1] // pooled[0]
            shares[frm] -= sh
            shares[to] += sh
        if k == "proxy" and path is not None:
            W.call(t, path, tok, impl, 0, call_type="delegatecall")

    def safe_exec(owner, sa, dest, value, tok=None, amount=0, ok=True, drain=False):
        """An owner's execTransaction on a Safe: the value moves in an internal call."""
        data = "0x" + sel("execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)") \
            + w(tok or dest) + w(value) + w(0) * 8
        t = W.tx(owner, sa, 0, data, 90000)
        if tok:
            W.call(t, [0], sa, tok, 0, "0x" + sel("transfer(address,uint256)") + w(dest) + w(amount), ok=ok)
            if ok:
                token_move(t, tok, sa, dest, amount, [0, 0])
        else:
            W.call(t, [0], sa, dest, value, ok=ok)
        W.log(t, sa, [EXEC_OK if ok else EXEC_FAIL], "0x" + w(W.h32()) + w(0))
        return W.send(t)

    def user_op(bundler, sa, dest, value, tok=None, amount=0, ok=True):
        """ERC-4337: the bundler's handleOps; the smart account pays its prefund to the EntryPoint,
        the EntryPoint calls the account, which pays; the EntryPoint pays the bundler."""
        t = W.tx(bundler, entry, 0, "0x" + sel("handleOps((address,uint256,bytes,bytes,uint256,uint256,uint256,uint256,uint256,bytes,bytes)[],address)") + w(sa) + w(bundler), 150000)
        # the bundler is paid its gas and a margin out of the account's prefund
        used = 150000 * (W.base_fee + t["tip"]) * rng.randint(105, 120) // 100
        pre = used * 4 // 3
        W.call(t, [0], entry, sa, 0, "0x" + sel("validateUserOp((address,uint256,bytes,bytes,uint256,uint256,uint256,uint256,uint256,bytes,bytes),bytes32,uint256)"))
        W.call(t, [0, 0], sa, entry, pre)
        W.call(t, [1], entry, sa, 0, "0x" + sel("execute(address,uint256,bytes)") + w(dest) + w(value), ok=ok)
        if tok:
            W.call(t, [1, 0], sa, tok, 0, "0x" + sel("transfer(address,uint256)") + w(dest) + w(amount), ok=ok)
            if ok:
                token_move(t, tok, sa, dest, amount, [1, 0, 0])
        else:
            W.call(t, [1, 0], sa, dest, value, ok=ok)
        W.call(t, [2], entry, bundler, used)
        W.log(t, entry, [USEROP, W.h32(), "0x" + w(sa), "0x" + w(ZERO)],
              "0x" + w(W.nonce[sa]) + w(1 if ok else 0) + w(used) + w(100000))
        W.nonce[sa] += 0
        # the unused prefund stays at the EntryPoint as the account's deposit
        return W.send(t)

    def sweep_all(frm, to):  # an EOA's whole balance, less the gas at this block's base fee
        t = W.tx(frm, to, 0)
        t["value"] = W.bal[(frm, "ETH")] - 21000 * (W.base_fee + t["tip"])
        return W.send(t)

    s_overdraw = a.rebase_overdraw

    def create2(factory, salt):
        init = keccak(bytes.fromhex("3d602d80600a3d3981f3"))
        return "0x" + keccak(b"\xff" + bytes.fromhex(factory[2:]) + salt.to_bytes(32, "big") + init)[12:].hex()

    def new_deposit(ex, customer):
        """The exchange's factory deploys a deposit contract by CREATE2 (its hot wallet's call)."""
        e = exchanges[ex] if ex in exchanges else None
        salt = rng.getrandbits(64)
        d = create2(e["factory"], salt)
        W.account(e["ent"], "exchange_deposit", "contract", customer=customer, exchange=ex, addr=d)
        t = W.tx(e["hot"], e["factory"], 0, "0x" + sel("deploy(uint256)") + w(salt), 70000)
        W.call(t, [0], e["factory"], d, 0, "0x3d602d80600a3d3981f3", kind="create", call_type="")
        W.send(t)
        e["deps"].append(d)
        return d

    def deposit_eth(frm, ex, d, v):
        """A deposit to a deposit contract: forwarded on receipt, or held until a factory sweep."""
        e = exchanges[ex]
        t = W.tx(frm, d, v, "0x", 33000)
        if e["forward"]:
            W.call(t, [0], d, e["hot"], v)
        else:
            e.setdefault("pending", set()).add(d)
        return W.send(t)

    def sweep(ex):
        e = exchanges[ex]
        pend = sorted(e.get("pending", ()))
        if not pend:
            return
        t = W.tx(e["hot"], e["factory"], 0, "0x" + sel("flush(address[])") + "".join(w(x) for x in pend), 40000 + 9000 * len(pend))
        i = 0
        for d in pend:
            v = W.bal[(d, "ETH")]
            if v > 0:
                W.call(t, [i], e["factory"], d, 0, "0x" + sel("flush()"))
                W.call(t, [i, 0], d, e["hot"], v)
                i += 1
            for tok in tokens_list:
                tv = tbal(d, tok) if s_overdraw else min(tbal(d, tok), W.bal[(d, tok)])
                if tv > 0 and tokens[tok]["kind"] != "fee":
                    W.call(t, [i], e["factory"], d, 0, "0x" + sel("flushTokens(address)") + w(tok))
                    W.call(t, [i, 0], d, tok, 0, "0x" + sel("transfer(address,uint256)") + w(e["hot"]) + w(tv))
                    token_move(t, tok, d, e["hot"], tv, [i, 0, 0])
                    i += 1
        e["pending"] = set()
        W.send(t)

    user_dep = {}

    def user_deposit_addr(u, ex):
        if (u, ex) not in user_dep:
            user_dep[(u, ex)] = new_deposit(ex, u)
        return user_dep[(u, ex)]

    # ---- the heist's plan over the world's blocks
    total_blocks = a.txs // W.per_block
    drain_at = max(8, total_blocks // 20)
    btc_to = [x for x in a.btc_to.split(",") if x] or \
        ["bc1q" + "".join(rng.choice("023456789acdefghjklmnpqrstuvwxyz") for _ in range(38)) for _ in range(12)]
    thief_ent = W.entity("Lazarus-like", "thief")
    thief = W.account(thief_ent, "thief")
    fund(thief, 0)
    fan = [W.account(thief_ent, "thief") for _ in range(40)]
    heist = "bybyte-safe"
    drains, events = [], []  # events: (block, fn)
    hname = heist

    def flow(txh, kind, frm, to, asset, amount):
        W.truth["heist_flows"].append([hname, txh, W.number, W.ts, kind, frm, to, asset, amount, 0])

    def do_drain():
        # the attacker's own EOA takes over the Safe (a delegatecall replacing its master copy) and
        # sweeps ETH and both staking tokens by execTransaction from the compromised signer
        att = owners[0]
        t = W.tx(att, safe, 0, "0x" + sel("execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)") + w(W.new_addr()) + w(0), 120000)
        W.call(t, [0], safe, W.new_addr(), 0, "0x" + sel("transfer(address,uint256)"), call_type="delegatecall")
        W.log(t, safe, [EXEC_OK], "0x" + w(W.h32()) + w(0))
        W.send(t)
        v = W.bal[(safe, "ETH")] - ETH
        h = safe_exec(att, safe, thief, v)
        drains.append(h)
        flow(h, "drain", safe, thief, "ETH", v)
        for tok in (steth, meth):
            amt = tbal(safe, tok) if (tok != steth or a.rebase_overdraw) else min(tbal(safe, tok), W.bal[(safe, tok)])
            h = safe_exec(att, safe, thief, 0, tok, amt)
            drains.append(h)
            flow(h, "drain", safe, thief, tok, amt)
        # a failed try (wrong nonce: the inner call reverts)
        safe_exec(att, safe, thief, 5 * ETH, ok=False)

    def cp_out(rin, rout, amt):  # constant product, 0.3 % fee
        return rout * amt * 997 // (rin * 1000 + amt * 997)

    def swap_steth(who, amt):  # Curve-like: exchange(1, 0, dx, min_dy): stETH in, ETH out
        out = cp_out(W.bal[(curve, steth)], W.bal[(curve, "ETH")], amt)
        t = W.tx(who, curve, 0, "0x" + sel("exchange(int128,int128,uint256,uint256)") + w(1) + w(0) + w(amt) + w(0), 120000)
        W.call(t, [0], curve, steth, 0, "0x" + sel("transferFrom(address,address,uint256)"))
        token_move(t, steth, who, curve, amt)
        W.call(t, [1], curve, who, out)
        W.log(t, curve, [TOKEN_EXCHANGE, "0x" + w(who)], "0x" + w(1) + w(amt) + w(0) + w(out))
        return W.send(t), out

    def swap_meth(who, amt):  # V2 router: mETH -> WETH in the pair, unwrapped by the router to ETH
        out = cp_out(W.bal[(pair, meth)], W.bal[(pair, WETH)], amt)
        t = W.tx(who, v2router, 0, "0x" + sel("swapExactTokensForETH(uint256,uint256,address[],address,uint256)") + w(amt) + w(0), 140000)
        W.call(t, [0], v2router, meth, 0, "0x" + sel("transferFrom(address,address,uint256)"))
        token_move(t, meth, who, pair, amt)
        W.call(t, [1], v2router, pair, 0, "0x" + sel("swap(uint256,uint256,address,bytes)"))
        W.call(t, [1, 0], pair, WETH, 0, "0x" + sel("transfer(address,uint256)"))
        W.transfer_log(t, WETH, pair, v2router, out)
        W.log(t, pair, [V2_SWAP, "0x" + w(v2router), "0x" + w(v2router)], "0x" + w(amt) + w(0) + w(0) + w(out))
        W.call(t, [2], v2router, WETH, 0, "0x" + sel("withdraw(uint256)") + w(out))
        W.log(t, WETH, [W_WITHDRAWAL, "0x" + w(v2router)], "0x" + w(out))
        W.call(t, [2, 0], WETH, v2router, out)
        W.call(t, [3], v2router, who, out)
        return W.send(t), out

    def tc_deposit(who, v, btc, heist_name, style):
        memo = f"=:BTC.BTC:{btc}" if style == "vault" else f"SWAP:BTC.BTC:{btc}:0/3/0"
        if style == "vault":
            h = W.eth(who, vault, v, "0x" + memo.encode().hex())
        else:
            data = "0x" + sel("depositWithExpiry(address,address,uint256,string,uint256)") + w(vault) + w(ZERO) \
                + w(v) + w(160) + w(W.ts + 900) + abi_string(memo)
            t = W.tx(who, router, v, data, 60000)
            W.call(t, [0], router, vault, v)
            W.log(t, router, [TC_DEPOSIT, "0x" + w(vault), "0x" + w(ZERO)], "0x" + w(v) + w(64) + abi_string(memo))
            h = W.send(t)
        W.truth["bridge_deposits"].append([heist_name, h, W.number, W.ts, who, "ETH", v, memo, btc, style])
        return h

    def chain_deposit(who, v, heist_name):  # only a destination chain id in the event: no address
        t = W.tx(who, chainbridge, v, "0x" + sel("bridgeETH(uint256)") + w(42161), 50000)
        W.log(t, chainbridge, [CHAIN_DEP, "0x" + w(who)], "0x" + w(42161) + w(v))
        h = W.send(t)
        W.truth["lock_bridge"].append([heist_name, h, W.number, W.ts, "deposit", who, "ETH", v, 42161])
        return h

    def inst_order(who, v, heist_name):  # an instant exchanger's per-order address, swept at once
        d = W.account(inst["ent"], "exchange_deposit", customer=who, exchange="SwapSpace")
        h = W.eth(who, d, v)
        events.append((W.number + rng.randint(1, 4), lambda d=d: sweep_all(d, inst["hot"])))
        if heist_name:
            W.truth["cash_outs"].append([heist_name, h, W.number, W.ts, "SwapSpace", d, who, "ETH", v])
        return h

    def cash_out(who, ex, v, tok=None):
        d = user_deposit_addr(who, ex)
        if tok:
            t = W.tx(who, tok, 0, "0x" + sel("transfer(address,uint256)") + w(d) + w(v), 52000)
            token_move(t, tok, who, d, v, [0])
            h = W.send(t)
            exchanges[ex].setdefault("pending", set()).add(d)
        else:
            h = deposit_eth(who, ex, d, v)
        W.truth["cash_outs"].append([hname, h, W.number, W.ts, ex, d, who, tok or "ETH", v])
        return h

    def after_drain():
        # sell both staking tokens, keeping a tenth of the stETH-like token unsold
        st = tbal(thief, steth) if a.rebase_overdraw else W.bal[(thief, steth)]
        keep = st // 10
        for part in range(4):
            amt = (st - keep) // 4
            events.append((W.number + 1 + part * 3, lambda amt=amt: swap_steth(thief, amt)))
        mt = W.bal[(thief, meth)]
        for part in range(3):
            amt = mt // 3 if part < 2 else mt - 2 * (mt // 3)
            events.append((W.number + 2 + part * 3, lambda amt=amt: swap_meth(thief, amt)))
        events.append((W.number + 15, lambda: fan_out(keep)))

    def fan_out(keep_st):
        total = W.bal[(thief, "ETH")] - 10 * ETH
        wt = [rng.randint(80, 120) for _ in range(40)]
        per = [total * x // sum(wt) for x in wt]
        # 20 direct transfers, then one disperse-like tx paying 20 in internal calls
        for i in range(20):
            h = W.eth(thief, fan[i], per[i])
            flow(h, "fan_out", thief, fan[i], "ETH", per[i])
        disp = W.account(W.entity("disperse", "service"), "service", "contract") if not hasattr(W, "disp") else W.disp
        W.disp = disp
        v = sum(per[20:])
        t = W.tx(thief, disp, v, "0x" + sel("disperseEther(address[],uint256[])"), 30000 + 9000 * 20)
        for j, i in enumerate(range(20, 40)):
            W.call(t, [j], disp, fan[i], per[i])
        h = W.send(t)
        for i in range(20, 40):
            flow(h, "fan_out", thief, fan[i], "ETH", per[i])
        # the kept stETH-like tokens to four of the waiting addresses
        for i in range(36, 40):
            t = W.tx(thief, steth, 0, "0x" + sel("transfer(address,uint256)"), 52000)
            token_move(t, steth, thief, fan[i], keep_st // 4)
            W.send(t)
        plan_laundering()

    def plan_laundering():
        order = list(range(40))
        rng.shuffle(order)
        late = total_blocks * 8 // 10
        for n, i in enumerate(order):
            f = fan[i]
            if n < 12:  # THORChain, both styles, in 2-4 parts
                def tcj(f=f, n=n):
                    v = W.bal[(f, "ETH")] - ETH // 10
                    parts = 2 + n % 3
                    for p in range(parts):
                        vv = v // parts
                        events.append((W.number + 1 + p, lambda vv=vv, p=p: tc_deposit(f, vv, btc_to[(n + p) % len(btc_to)], hname, "vault" if (n + p) % 2 else "router")))
                events.append((W.number + rng.randint(5, 60), tcj))
            elif n < 18:  # the chain-id-only bridge, after a failed first try
                def cbj(f=f):
                    v = W.bal[(f, "ETH")] - ETH // 10
                    t = W.tx(f, chainbridge, v, "0x" + sel("bridgeETH(uint256)") + w(42161), 30000, ok=False)
                    W.send(t)
                    events.append((W.number + 2, lambda: chain_deposit(f, W.bal[(f, "ETH")] - ETH // 10, hname)))
                events.append((W.number + rng.randint(5, 80), cbj))
            elif n < 24:  # instant exchanger orders
                def ij(f=f):
                    v = W.bal[(f, "ETH")] - ETH // 10
                    inst_order(f, v // 2, hname)
                    events.append((W.number + 3, lambda: inst_order(f, W.bal[(f, "ETH")] - ETH // 10, hname)))
                events.append((W.number + rng.randint(5, 80), ij))
            else:  # a hop, then a long wait, then exchange deposits
                hop = W.account(thief_ent, "thief")

                def hj(f=f, hop=hop):
                    v = W.bal[(f, "ETH")] - ETH // 20
                    h = W.eth(f, hop, v)
                    stv = W.bal[(f, steth)]
                    if stv > 0:
                        t = W.tx(f, steth, 0, "0x" + sel("transfer(address,uint256)"), 52000)
                        token_move(t, steth, f, hop, min(stv, tbal(f, steth)))
                        W.send(t)
                    events.append((late + rng.randint(0, total_blocks // 10), lambda: cj(hop)))
                events.append((W.number + rng.randint(3, 40), hj))

    def cj(hop):
        exs = [x for x in exchanges if x != "Bybyte"]
        v = W.bal[(hop, "ETH")] - ETH // 20
        k = rng.randint(1, 3)
        for p in range(k):
            cash_out(hop, rng.choice(exs), v // k)
        stv = min(W.bal[(hop, steth)], tbal(hop, steth))
        if stv > 0:
            cash_out(hop, rng.choice(exs), stv, steth)

    events.append((drain_at, lambda: (do_drain(), after_drain())))

    # ---- honest activity
    def honest():
        r = rng.random()
        u = rng.choice(users)
        if W.bal[(u, "ETH")] < 12 * ETH:
            return W.eth(liq, u, 100 * ETH)
        if r < 0.30:
            v = rng.randint(1, 10**6) * 10**12
            if rng.random() < 0.02:  # a transfer to a contract that reverts
                return W.send(W.tx(u, rng.choice(tokens_list), v, "0x", 30000, ok=False))
            return W.eth(u, rng.choice(users), v)
        if r < 0.55:
            tok = rng.choice(tokens_list)
            have = min(tbal(u, tok), W.bal[(u, tok)])
            if have <= 0:
                return W.eth(u, rng.choice(users), 10**15)
            amt = rng.randint(1, max(1, have // 20))
            to = rng.choice(users)
            ok = rng.random() > 0.03
            t = W.tx(u, tok, 0, "0x" + sel("transfer(address,uint256)") + w(to) + w(amt), 52000, ok=ok)
            if ok:
                token_move(t, tok, u, to, amt, [0] if tokens[tok]["kind"] == "proxy" else None)
                if tokens[tok]["kind"] == "proxy":
                    pass
            return W.send(t)
        if r < 0.63 and safes:
            sa, o = rng.choice(safes)
            v = rng.randint(1, 10**5) * 10**13
            ok = rng.random() > 0.05 and W.bal[(sa, "ETH")] > v
            if rng.random() < 0.3:
                tok = rng.choice((usdt, zerod, yocto))
                have = W.bal[(sa, tok)]
                if have > 0:
                    return safe_exec(o, sa, rng.choice(users), 0, tok, rng.randint(1, have))
                return W.eth(u, sa, 10 * ETH)  # users fund their Safes
            return safe_exec(o, sa, rng.choice(users + [x for x in user_dep.values()][:50] or users), v, ok=ok)
        if r < 0.70 and smart:
            sa, o = rng.choice(smart)
            v = rng.randint(1, 10**4) * 10**13
            if W.bal[(sa, "ETH")] < v + 10**17:
                return W.eth(o, sa, 5 * ETH)
            return user_op(rng.choice(bundlers), sa, rng.choice(users), v, ok=rng.random() > 0.05)
        if r < 0.80:  # deposits to exchanges
            ex = rng.choice(list(exchanges))
            v = rng.randint(1, 10**5) * 10**14
            if W.bal[(u, "ETH")] < v + ETH:
                return W.eth(liq, u, 100 * ETH)
            if rng.random() < 0.15:
                tok = rng.choice((usdt, zerod, yocto, steth, proxied))
                have = min(tbal(u, tok), W.bal[(u, tok)])
                if have > 0:
                    d = user_deposit_addr(u, ex)
                    amt = rng.randint(1, have)
                    t = W.tx(u, tok, 0, "0x" + sel("transfer(address,uint256)") + w(d) + w(amt), 52000)
                    token_move(t, tok, u, d, amt, [0] if tokens[tok]["kind"] == "proxy" else None)
                    exchanges[ex].setdefault("pending", set()).add(d)
                    return W.send(t)
            return deposit_eth(u, ex, user_deposit_addr(u, ex), v)
        if r < 0.87:  # exchange withdrawals (the instant exchanger pays its ETH buyers too)
            if rng.random() < 0.1 and not a.no_exchanger_payouts:
                return W.eth(inst["hot"], u, rng.randint(1, 10**4) * 10**15)
            ex = exchanges[rng.choice(list(exchanges))]
            return W.eth(ex["hot"], u, rng.randint(1, 10**5) * 10**14)
        if r < 0.91:  # DEX: sell staking tokens to ETH
            tok = rng.choice((steth, meth))
            have = min(tbal(u, tok), W.bal[(u, tok)])
            if have <= 0:
                return W.eth(u, rng.choice(users), 10**15)
            amt = rng.randint(1, max(1, have // 50))
            return (swap_steth if tok == steth else swap_meth)(u, amt)[0]
        if r < 0.93:  # SELFDESTRUCT payouts: a payout contract created, funded, and destroyed
            v = rng.randint(1, 1000) * 10**15
            c = W.account(W.entity("payout", "service"), "service_payout", "contract")
            t = W.tx(payouts_op, payouts, 0, "0x" + sel("payout(address,uint256)") + w(u) + w(v), 90000)
            W.call(t, [0], payouts, c, v, "0x6080", kind="create", call_type="")
            W.call(t, [0, 0], c, u, v, kind="suicide", call_type="")
            return W.send(t)
        if r < 0.95:  # honest bridge deposits (memo and chain id) and instant exchanges
            v = rng.randint(1, 10**4) * 10**15
            if W.bal[(u, "ETH")] < v + ETH:
                return W.eth(liq, u, 100 * ETH)
            k = rng.random()
            if k < 0.5:
                return tc_deposit(u, v, "bc1q" + "".join(rng.choice("023456789acdefghjklmnpqrstuvwxyz") for _ in range(38)), "", rng.choice(("vault", "router")))
            if k < 0.75:
                return chain_deposit(u, v, "")
            return inst_order(u, v, "")
        if r < 0.96:  # a WETH wrap or unwrap
            v = rng.randint(1, 1000) * 10**15
            if W.bal[(u, WETH)] >= v and rng.random() < 0.5:
                t = W.tx(u, WETH, 0, "0x" + sel("withdraw(uint256)") + w(v), 35000)
                W.log(t, WETH, [W_WITHDRAWAL, "0x" + w(u)], "0x" + w(v))
                W.call(t, [0], WETH, u, v)
                return W.send(t)
            t = W.tx(u, WETH, v, "0x" + sel("deposit()"), 45000)
            W.log(t, WETH, [W_DEPOSIT, "0x" + w(u)], "0x" + w(v))
            return W.send(t)
        if r < 0.965:  # an out-of-gas call that reverts an internal payment
            t = W.tx(u, rng.choice(safes)[0] if safes else users[0], 0, "0x" + sel("execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)"), 80000, ok=False)
            return W.send(t)
        # exchange sweeps of held deposit contracts
        sweep(rng.choice(list(exchanges)))
        return None

    payouts_op = W.account(W.entities[[e[1] for e in W.entities].index("payout factory")][0], "service")
    fund(payouts_op, 100 * ETH)
    W.rows["traces"].append([0, "", "", "", payouts_op, 100 * ETH, "", "", "genesis", "", "", 0, 0, 0, "", "", 1,
                             f"genesis_{payouts_op}"])
    rebase_every = max(4, min(total_blocks // 12, drain_at // 2))  # daily reports; one before the drain
    last_block = -1
    while W.txcount < a.txs - 5:
        if W.number != last_block:
            last_block = W.number
            due = [e for e in events if e[0] <= W.number]
            events[:] = [e for e in events if e[0] > W.number]
            for _, fn in due:
                fn()
            if W.number % rebase_every == 0 and W.number > 0:  # the oracle's report: a rebase, no Transfer
                gain = pooled[0] * rng.randint(2, 6) // 10000
                pooled[0] += gain
                t = W.tx(deployer, steth, 0, "0x" + sel("handleOracleReport(uint256,uint256,uint256)") + w(gain), 90000)
                W.log(t, steth, [REBASED, "0x" + w(W.number)], "0x" + "".join(w(x) for x in (W.ts, 0, 0, 0, pooled[0], pooled[1], 0)))
                W.send(t)
                continue
        honest()
    # run the events still due (the cash-outs) in the last blocks
    while events:
        due = sorted(events, key=lambda e: e[0])
        events[:] = []
        for _, fn in due:
            fn()
        W.close_block()
    # the exchanges sweep what their deposit contracts still hold before the export ends (unless
    # --unswept-tail: the export ends first, and the last deposits are seen unswept)
    if not a.unswept_tail:
        for ex in sorted(exchanges):
            sweep(ex)
    if W.block:
        W.close_block()
    write(W, a, tokens, shares, pooled, drains, heist, exchanges, thief, steth)


def write(W, a, tokens, shares, pooled, drains, heist, exchanges, thief, steth):
    out = a.out
    os.makedirs(out + "/truth", exist_ok=True)
    heads = {
        "blocks": "number,hash,parent_hash,nonce,sha3_uncles,logs_bloom,transactions_root,state_root,receipts_root,miner,difficulty,total_difficulty,size,extra_data,gas_limit,gas_used,timestamp,transaction_count,base_fee_per_gas,withdrawals_root,withdrawals",
        "transactions": "hash,nonce,block_hash,block_number,transaction_index,from_address,to_address,value,gas,gas_price,input,block_timestamp,max_fee_per_gas,max_priority_fee_per_gas,transaction_type",
        "receipts": "transaction_hash,transaction_index,block_hash,block_number,cumulative_gas_used,gas_used,contract_address,root,status,effective_gas_price,l1_fee,l1_gas_used,l1_gas_price,l1_fee_scalar",
        "logs": "log_index,transaction_hash,transaction_index,block_hash,block_number,address,data,topics",
        "token_transfers": "token_address,from_address,to_address,value,transaction_hash,log_index,block_number",
        "traces": "block_number,transaction_hash,transaction_index,from_address,to_address,value,input,output,trace_type,call_type,reward_type,gas,gas_used,subtraces,trace_address,error,status,trace_id",
        "tokens": "address,symbol,name,decimals,total_supply,block_number",
    }
    W.rows["tokens"] = [[ad, t["sym"], t["name"], t["dec"], t["supply"], 1] for ad, t in sorted(tokens.items())]
    W.rows["traces"].sort(key=lambda r: (r[0], -1 if r[2] == "" else r[2]))
    for k, head in heads.items():
        with open(f"{out}/{k}.csv", "w", newline="") as f:
            wr = csv.writer(f, lineterminator="\n")
            wr.writerow(head.split(","))
            wr.writerows(W.rows[k])

    def tw(name, head, rows):
        with open(f"{out}/truth/{name}", "w", newline="") as f:
            wr = csv.writer(f, lineterminator="\n")
            wr.writerow(head.split(","))
            wr.writerows(rows)
    tw("addresses.csv", "address,kind,entity_id,entity_name,category,customer_id,exchange", W.addr_rows)
    tw("entities.csv", "entity_id,name,category", W.entities)
    tw("cash_outs.csv", "heist,tx_hash,block,timestamp,exchange,deposit_address,from_address,asset,amount", W.truth["cash_outs"])
    tw("bridge_deposits.csv", "heist,tx_hash,block,timestamp,from_address,asset,amount,memo,btc_address,style", W.truth["bridge_deposits"])
    tw("lock_bridge.csv", "heist,tx_hash,block,timestamp,kind,from_address,asset,amount,dest_chain_id", W.truth["lock_bridge"])
    tw("mixer_links.csv", "pool,denomination_wei,deposit_tx,deposit_block,depositor,withdrawal_tx,withdrawal_block,recipient,relayer,relayer_fee_wei,heist", [])
    tw("heist_flows.csv", "heist,tx_hash,block,timestamp,kind,from_address,to_address,asset,amount,fee_wei", W.truth["heist_flows"])
    tw("balances.csv", "address,asset,balance", sorted([k[0], k[1], v] for k, v in W.bal.items() if v != 0))
    reb = []
    for ad in sorted(set(x for x, t in W.bal if t == steth) | set(shares)):
        reb.append([ad, shares[ad] * pooled[0] // pooled[1], W.bal[(ad, steth)]])
    tw("rebasing.csv", "address,balance_of,log_balance", [r for r in reb if r[1] or r[2]])
    with open(out + "/truth/heists.json", "w") as f:
        json.dump([{"name": heist, "victim": "Bybyte", "drain_txs": drains,
                    "thief": thief}], f, indent=1)
    with open(out + "/truth/world.json", "w") as f:
        json.dump({"format": "chainwatch-gen-evm-truth/1", "generator": "tests/diff/evm_alt2_world.py",
                   "ingest_chain": "ethereum", "seed": a.seed, "txs": W.txcount, "failed_txs": W.failed,
                   "blocks": W.number, "genesis_timestamp": a.genesis_ts, "accounts": len(W.addr_rows),
                   "rebasing_token": steth,
                   "negative_log_balances": sum(1 for v in W.bal.values() if v < 0)}, f, indent=1)


if __name__ == "__main__":
    main()
