#!/usr/bin/python3
"""A tenth EVM world (stop 29, evmalt8): where a swap's or a bridge's output is not paid from its
input. Written from the public specifications and docs of the shapes (Uniswap v4's PoolManager
and Universal Router, ERC-6909 claims, CoW Protocol's GPv2Settlement, UniswapX reactors,
ERC-7683 cross-chain intents as Across's origin settler implements them, Stargate v2 pools over
LayerZero, Chainflip's EVM vault swaps, a Railgun-like shielded pool), docs/GEN.md's EVM truth
layout and the evaluators only, before reading chainwatch's trace, screening or label code.

In every shape the thief's value goes into a contract (or a market maker) that holds thousands of
honest users' value, and what comes out to the thief is paid from that common stock, often in
another transaction, or on another chain:
  - Uniswap v4 singleton: one PoolManager holds every pool's tokens and ETH; a swap through the
    Universal Router is `unlock` -> `unlockCallback` -> `swap` / `settle` / `take` (flash
    accounting: token in and token out are both transfers with the PoolManager, for everyone);
    a swap may `mint` ERC-6909 claims instead of taking the output (the tokens stay in the
    PoolManager; a later tx `burn`s the claims and `take`s the tokens to another address);
  - CoW Protocol: a solver's `settle` moves many users' orders in one tx through the settlement
    contract (coincidence of wants: the thief's USDT pays honest buyers' orders, honest sellers'
    WETH and the settlement's buffers pay the thief); net imbalance through an AMM interaction;
  - UniswapX: a filler (market maker) executes the thief's signed order: the thief's tokens go by
    Permit2 to the filler, the filler pays the thief ETH from its own inventory;
  - ERC-7683 / Across: `open` on the origin settler escrows the input; a filler pays the user on
    the destination chain and is repaid from the settler here later; fillers also fill orders
    opened elsewhere, paying users here from their inventory;
  - Stargate v2 (LayerZero): `send` into the native pool (OFTSent); the pool pays incoming
    transfers to other users (lzReceive, OFTReceived) and LPs' redemptions from the same ETH;
  - Chainflip: `xSwapNative` to BTC (SwapNative with the Bitcoin address as bytes); the vault
    pays other users' egress (`transfer` signed by the validators' key);
  - a Railgun-like shielded pool: `shield` USDT (0.25 % fee), a broadcaster's `transact` unshields
    to any address later.
The honest look-alikes are the same contracts' other users, the fillers/solvers (market makers
whose inventory mixes everyone's; they deposit at exchanges and withdraw from them), LPs.

The honest base is evm_alt5_world.py's economy (subclassed).
Heist h1: a protocol treasury drained (ETH, USDT, USDC); USDT sold in CoW batches, through
UniswapX fillers, and shielded in the Railgun-like pool (unshielded later to fresh addresses,
cashed out); USDC sold on v4; ETH fanned out to leaves that swap on v4 (taking USDT, or minting
ERC-6909 claims redeemed later to a fresh address), bridge by Stargate, Chainflip (BTC), ERC-7683
`open`, THORChain, or cash out.
Heist h2: a bridge operator's hot wallet drained (ETH, USDC): the USDC through UniswapX and CoW,
the ETH through v4, Stargate, Chainflip and cash-outs.

usage: evm_alt8_world.py --out DIR [--seed S] [--txs N] [--btc-to A,..] [--genesis-ts T]
Truth: docs/GEN.md's EVM layout as evm_alt5_world.py writes it, plus shapes.csv (every tx of the
new shapes, honest and the thief's: `heist,tx_hash,block,shape,from_address,contract,asset_in,
amount_in,asset_out,amount_out,recipient,dest_chain,dest_address`), railgun_links.csv (the thief's
shield -> unshield, as mixer_links), claims.csv (ERC-6909 mints and burns), idle.csv (the thieves'
holdings at the tip), counterparts.csv (`address,group,tx_hash`: the honest parties of the thief's
shape txs and of the contracts' later payouts: groups v4_same_block, cow_cotrader (bought the
thief's token), cow_same_side (sold it too), cow_batch, x_batch_cotrader, filler_paid_by_thief, filler,
stargate_payee_after, stargate_lp, chainflip_payee_after,
railgun_unshield_after, intent_filler_repaid, intent_payee_here), world.json `market_makers`.
"""
import argparse, csv, json, os, sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from evm_alt5_world import (World as Base, Abort, topic, sel, w32, a32, ta, rlp_create,  # noqa: E402
                            T_TRANSFER, ZERO, WETH, E18, E6, ETH_USD)

PERMIT2 = "0x000000000022d473030f116ddee9f6b43ac78ba3"
NATIVE_CF = "0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
MAXU = 2 ** 256 - 1
T_V4SWAP = topic("Swap(bytes32,address,int128,int128,uint160,uint128,int24,uint24)")
T_6909 = topic("Transfer(address,address,address,uint256,uint256)")
T_TRADE = topic("Trade(address,address,address,uint256,uint256,uint256,bytes)")
T_SETTLEMENT = topic("Settlement(address)")
T_FILL = topic("Fill(bytes32,address,address,uint256)")
T_OPEN = topic("Open(bytes32,(address,uint256,uint32,uint32,bytes32,(bytes32,uint256,bytes32,uint256)[],"
               "(bytes32,uint256,bytes32,uint256)[],(uint64,bytes32,bytes)[]))")
T_FILLED = topic("FilledRelay(address,address,uint256,uint256,uint256,uint256,uint32,uint32,address,address,"
                 "address,bytes32)")
T_REFUND = topic("ExecutedRelayerRefundRoot(uint256,uint256,uint256[],uint32,uint32,address,address[])")
T_OFTSENT = topic("OFTSent(bytes32,uint32,address,uint256,uint256)")
T_OFTRECV = topic("OFTReceived(bytes32,uint32,address,uint256)")
T_CFSWAP = topic("SwapNative(uint32,bytes,uint32,uint256,address,bytes)")
T_CFXFER = topic("TransferNativeFailed(address,uint256)")  # not emitted on success: egress has no event
T_SHIELD = topic("Shield(uint256,uint256,(bytes32,(uint8,address,uint256),uint120)[],(bytes32[3],bytes32)[],"
                 "uint256[])")
T_UNSHIELD = topic("Unshield(address,(uint8,address,uint256),uint256,uint256)")
S_XFER = sel("transfer(address,uint256)")
S_XFERFROM = sel("transferFrom(address,address,uint256)")
S_UR = sel("execute(bytes,bytes[],uint256)")
S_UNLOCK = sel("unlock(bytes)")
S_UNLOCKCB = sel("unlockCallback(bytes)")
S_V4SWAP = sel("swap((address,address,uint24,int24,address),(bool,int256,uint160),bytes)")
S_SETTLE = sel("settle()")
S_SYNC = sel("sync(address)")
S_TAKE = sel("take(address,address,uint256)")
S_MINT = sel("mint(address,uint256,uint256)")
S_BURN = sel("burn(address,uint256,uint256)")
S_P2XFER = sel("transferFrom(address,address,uint160,address)")
S_SETTLECOW = sel("settle(address[],uint256[],(uint256,uint256,address,uint256,uint256,uint32,bytes32,uint256,"
                  "uint256,uint256,bytes)[],(address,uint256,bytes)[][3])")
S_VRPULL = sel("transferFromAccounts((address,address,uint256,bytes32)[])")
S_XEXEC = sel("execute((bytes,bytes))")
S_XBATCH = sel("executeBatch((bytes,bytes)[])")
S_P2WIT = sel("permitWitnessTransferFrom(((address,uint256),uint256,uint256),(address,uint256),address,bytes32,"
              "string,bytes)")
S_OPEN = sel("open((uint32,bytes32,bytes))")
S_FILL = sel("fill(bytes32,bytes,bytes)")
S_REFUND = sel("executeRelayerRefundLeaf(uint32,(uint256,uint256,uint256[],uint32,address,address[]),bytes32[])")
S_SGSEND = sel("send((uint32,bytes32,uint256,uint256,bytes,bytes,bytes),(uint256,uint256),address)")
S_LZRECV = sel("lzReceive((uint32,bytes32,uint64),address,bytes32,bytes,bytes)")
S_LZRECV2 = sel("lzReceive((uint32,bytes32,uint64),bytes32,bytes,address,bytes)")
S_SGDEP = sel("deposit(address,uint256)")
S_SGRED = sel("redeem(uint256,address)")
S_CFSWAP = sel("xSwapNative(uint32,bytes,uint32,bytes)")
S_CFXFER = sel("transfer((uint256,uint256,address),(address,address,uint256))")
S_SHIELD = sel("shield(((bytes32,(uint8,address,uint256),uint120),(bytes32[3],bytes32))[])")
S_TRANSACT = sel("transact(((uint256[2],uint256[2][2],uint256[2]),bytes32,bytes32[],bytes32[],(uint16,uint72,uint8,"
                 "uint64,address,bytes32,(bytes32[4],bytes32,bytes32,bytes,bytes)[]),(bytes32,(uint8,address,uint256),"
                 "uint120))[])")
SG_EIDS = [30101 + k for k in (1, 9, 10, 83, 84)]  # LayerZero v2 endpoint ids (other chains)
CHAINS_7683 = [10, 8453, 42161, 59144]


B32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def bech32_p2wpkh(h20, hrp="bc"):
    """A bech32 (BIP-173) witness v0 address of a 20-byte program, checksum and all."""
    def polymod(vals):
        c = 1
        for v in vals:
            b = c >> 25
            c = (c & 0x1ffffff) << 5 ^ v
            for i, g in enumerate((0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3)):
                c ^= g if (b >> i) & 1 else 0
        return c
    acc, bits, data = 0, 0, [0]
    for x in h20:
        acc, bits = acc << 8 | x, bits + 8
        while bits >= 5:
            bits -= 5
            data.append(acc >> bits & 31)
    if bits:
        data.append(acc << (5 - bits) & 31)
    exp = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    pm = polymod(exp + data + [0] * 6) ^ 1
    return hrp + "1" + "".join(B32[d] for d in data + [pm >> 5 * (5 - i) & 31 for i in range(6)])


def bytes_arg(b):
    return w32(len(b)) + b.hex().ljust(((len(b) + 31) // 32) * 64, "0")


class World(Base):
    def __init__(self, a):
        super().__init__(a)
        self.rng.seed(a.seed * 6151 + 29)
        if not a.btc_to:  # valid addresses (alt5's default ones have no valid checksum)
            self.btc = [bech32_p2wpkh(bytes(self.rng.getrandbits(8) for _ in range(20))) for _ in range(8)]
        self.shape_rows, self.rg_links, self.claim_rows, self.counter = [], [], [], []
        self.claims = defaultdict(int)  # (holder, token) -> ERC-6909 claim balance
        self.rg_notes = []  # honest shielded notes: (owner entity address, amount)
        self.intent_owed = defaultdict(int)  # filler -> what the settler owes it (fills elsewhere)
        self.sg_pending, self.cf_pending, self.rg_pending = [], [], []

    # ---- helpers
    def pay_token(self, frm, t, to, amt):
        return self.send(frm, t, 0, S_XFER + a32(to) + w32(amt), lambda tx: tx.transfer(t, frm, to, amt), gas=52000)

    def shape(self, H, res, shape, frm, contract, ain_t, ain, aout_t, aout, rcpt, chain="", dest=""):
        if res and res["ok"]:
            self.shape_rows.append([H, res["hash"], res["block"], shape, frm, contract, ain_t, ain, aout_t, aout, rcpt,
                                    chain, dest])

    def cp(self, a, group, txh):
        self.counter.append((a, group, txh))

    def person(self, ent, name, cat="user"):
        return self.new(cat, self.entity(ent, name, cat))

    # ---- set-up of this world's contracts and market makers
    def setup3(self):
        r = self.rng
        dep = self.deployer
        mk = lambda cat, ent: self.put(self.send(dep, None, create=True, gas=900000)["tx"].to, cat, ent, "contract")
        uni = self.entity("uni4", "Uniswap v4", "dex")
        self.pm = mk("dex_vault", uni)           # PoolManager: every pool's tokens (as alt5's vault)
        self.ur = mk("dex_router", uni)          # Universal Router
        self.put(PERMIT2, "permit2", ("permit2", "Uniswap Permit2"), "contract")
        cow = self.entity("cow", "CoW Protocol", "dex")
        self.gpv2 = mk("dex_settlement", cow)
        self.vrelayer = mk("dex_settlement", cow)
        self.reactor = mk("dex_router", self.entity("uniswapx", "UniswapX", "dex"))
        self.settler = mk("bridge_router", self.entity("across", "Across (ERC-7683 settler)", "bridge"))
        self.sgpool = mk("bridge_vault", self.entity("stargate", "Stargate", "bridge"))
        self.sglp = mk("token", ("stargate", "Stargate"))
        self.lz = mk("bridge_router", self.entity("lz", "LayerZero EndpointV2", "bridge"))
        self.lz_exec = self.new("bridge_operator", ("lz", "LayerZero EndpointV2"))
        self.cfvault = mk("bridge_vault", self.entity("chainflip", "Chainflip", "bridge"))
        self.cf_bcast = self.new("bridge_operator", ("chainflip", "Chainflip"))
        self.rg = mk("mixer_pool", self.entity("railgun", "Railgun-like shielded pool", "mixer"))
        self.rg_treas = self.new("mixer_fee", ("railgun", "Railgun-like shielded pool"))
        self.rg_bcast = [self.new("mixer_relayer", self.entity("rgb%d" % i, "broadcaster %d" % i, "mixer_relayer"))
                         for i in range(3)]
        self.dataworker = self.new("bridge_operator", ("across", "Across (ERC-7683 settler)"))
        self.has_code.update([self.pm, self.ur, PERMIT2, self.gpv2, self.vrelayer, self.reactor, self.settler,
                              self.sgpool, self.sglp, self.lz, self.cfvault, self.rg])
        self.tokens[self.sglp] = ("SETH-LP", "Stargate ETH LP", 18)
        self.dec[self.sglp] = 18
        for a in [self.lz_exec, self.cf_bcast, self.dataworker] + self.rg_bcast:
            self.send(dep, a, 30 * E18)
        mint = lambda t, to, v: self.send(dep, t, 0, sel("mint(address,uint256)"),
                                          lambda tx: tx.transfer(t, ZERO, to, v), gas=60000)
        # v4 pools: ETH/USDT and ETH/USDC in the PoolManager
        self.v4 = {}
        for t in (self.usdt, self.usdc):
            d = 40000
            self.send(dep, self.pm, d * E18, S_UNLOCK)
            mint(t, self.pm, d * ETH_USD * E6)
            self.v4[t] = dict(id=self.h32(), eth=d * E18, tok=d * ETH_USD * E6)
        # market makers: fillers / solvers (entities of their own, EOAs, big inventories)
        self.mms = []
        for i in range(4):
            m = self.person("mm%d" % i, "market maker %d" % i, "market_maker")
            self.send(dep, m, r.randint(3000, 8000) * E18)
            for t in (self.usdt, self.usdc):
                mint(t, m, r.randint(5, 15) * 10 ** 6 * E6)
            self.mms.append(m)
        self.solvers = [self.person("solver%d" % i, "solver %d" % i, "market_maker") for i in range(3)]
        for s in self.solvers:
            self.send(dep, s, 50 * E18)
        # CoW's buffers (the settlement's own tokens)
        for t, v in ((self.usdt, 3 * 10 ** 6 * E6), (self.usdc, 2 * 10 ** 6 * E6)):
            mint(t, self.gpv2, v)
        self.send(dep, WETH, 2000 * E18, sel("deposit()"),
                  lambda tx: (tx.dt.__setitem__((WETH, dep), tx.dt[(WETH, dep)] + 2000 * E18),
                              tx.log(WETH, [topic("Deposit(address,uint256)"), ta(dep)], "0x" + w32(2000 * E18))))
        self.pay_token(dep, WETH, self.gpv2, 2000 * E18)
        # the bridges' floats: Stargate's LPs (deployer), Chainflip's vault, the settler's deposits
        self.sg_lp_dep(dep, 30000 * E18)
        self.send(dep, self.cfvault, 20000 * E18)
        self.send(dep, self.settler, 5000 * E18)
        mint(self.usdc, self.settler, 5 * 10 ** 6 * E6)
        self.p2_ok = set()

    # ---- Uniswap v4 through the Universal Router (or a locker contract)
    def v4_quote(self, t, tin_eth, ain):
        p = self.v4[t]
        rin, rout = (p["eth"], p["tok"]) if tin_eth else (p["tok"], p["eth"])
        return rout * ain * 997 // (rin * 1000 + ain * 997)

    def v4_body(self, tx, parent, caller, payer, t, tin_eth, ain, rcpt, claims=False):
        """Inside an unlock callback of `caller` (the router or a locker): swap, settle, take/mint."""
        PM, p = self.pm, self.v4[t]
        out = self.v4_quote(t, tin_eth, ain)
        tx.call(parent, caller, PM, 0, S_V4SWAP + a32(ZERO) + a32(t))
        a0, a1 = (-ain, out) if tin_eth else (out, -ain)
        if tin_eth:
            p["eth"] += ain
            p["tok"] -= out
        else:
            p["tok"] += ain
            p["eth"] -= out
        sq = int(((p["tok"] << 192) // p["eth"]) ** 0.5)
        tx.log(PM, [T_V4SWAP, p["id"], ta(caller)], "0x" + w32(a0 % 2 ** 256) + w32(a1 % 2 ** 256) + w32(sq) +
               w32(10 ** 20) + w32(0) + w32(3000))
        if tin_eth:
            tx.call(parent, caller, PM, ain, S_SETTLE)
        else:
            tx.call(parent, caller, PM, 0, S_SYNC + a32(t))
            if payer == caller:
                tx.call(parent, caller, t, 0, S_XFER + a32(PM) + w32(ain))
            else:
                n = tx.call(parent, caller, PERMIT2, 0, S_P2XFER + a32(payer) + a32(PM) + w32(ain) + a32(t))
                tx.call(n, PERMIT2, t, 0, S_XFERFROM + a32(payer) + a32(PM) + w32(ain))
            tx.transfer(t, payer, PM, ain)
            tx.call(parent, caller, PM, 0, S_SETTLE)
        tout = "ETH" if not tin_eth else t
        if claims:
            cid = int(t if tin_eth else ZERO, 16)
            tx.call(parent, caller, PM, 0, S_MINT + a32(rcpt) + w32(cid) + w32(out))
            tx.log(PM, [T_6909, ta(ZERO), ta(rcpt), "0x" + w32(cid)], "0x" + a32(caller) + w32(out))
            tx.claim = (rcpt, tout, out)
        elif tin_eth:
            n = tx.call(parent, caller, PM, 0, S_TAKE + a32(t) + a32(rcpt) + w32(out))
            tx.call(n, PM, t, 0, S_XFER + a32(rcpt) + w32(out))
            tx.transfer(t, PM, rcpt, out)
        else:
            n = tx.call(parent, caller, PM, 0, S_TAKE + a32(ZERO) + a32(rcpt) + w32(out))
            tx.call(n, PM, rcpt, out)
        tx.out = out
        return out

    def v4_swap(self, who, t, tin_eth, ain, rcpt=None, H="", kind="v4_swap"):
        rcpt = rcpt or who
        UR, PM = self.ur, self.pm
        snap = {k: dict(v) for k, v in self.v4.items()}

        def body(tx):
            n = tx.call(-1, UR, PM, 0, S_UNLOCK)
            cb = tx.call(n, PM, UR, 0, S_UNLOCKCB)
            self.v4_body(tx, cb, UR, who, t, tin_eth, ain, rcpt)
        if not tin_eth and who not in self.p2_ok:  # the Permit2 approval first (as the app asks)
            self.send(who, t, 0, sel("approve(address,uint256)") + a32(PERMIT2) + w32(MAXU),
                      lambda tx: tx.log(t, [topic("Approval(address,address,uint256)"), ta(who), ta(PERMIT2)],
                                        "0x" + w32(MAXU)), gas=46000)
            self.p2_ok.add(who)
        res = self.send(who, UR, ain if tin_eth else 0, S_UR + w32(96) + w32(160) + w32(self.t + 600), body, gas=180000)
        if res is None:
            self.v4 = snap
            return None
        self.shape(H, res, kind, who, PM, "ETH" if tin_eth else t, ain, t if tin_eth else "ETH", res["tx"].out, rcpt)
        return res

    def v4_claims_swap(self, who, locker, ain, t, holder):
        """`who` sends ETH to its locker contract, which swaps on v4 and mints ERC-6909 claims to
        `holder` (tokens stay in the PoolManager)."""
        PM = self.pm
        snap = {k: dict(v) for k, v in self.v4.items()}

        def body(tx):
            n = tx.call(-1, locker, PM, 0, S_UNLOCK)
            cb = tx.call(n, PM, locker, 0, S_UNLOCKCB)
            self.v4_body(tx, cb, locker, locker, t, True, ain, holder, claims=True)
        res = self.send(who, locker, ain, sel("swapToClaims(address,uint256)") + a32(t) + w32(ain), body, gas=200000)
        if res is None:
            self.v4 = snap
            return None
        h, tok, v = res["tx"].claim
        self.claims[(h, tok)] += v
        self.claim_rows.append(["mint", res["hash"], res["block"], h, tok, v])
        return res

    def v4_claims_take(self, who, locker, holder, t, to):
        """Burns `holder`'s claims (the locker's) and takes the tokens to `to`."""
        PM, v = self.pm, self.claims[(holder, t)]
        cid = int(t, 16)

        def body(tx):
            n = tx.call(-1, locker, PM, 0, S_UNLOCK)
            cb = tx.call(n, PM, locker, 0, S_UNLOCKCB)
            tx.call(cb, locker, PM, 0, S_BURN + a32(holder) + w32(cid) + w32(v))
            tx.log(PM, [T_6909, ta(holder), ta(ZERO), "0x" + w32(cid)], "0x" + a32(locker) + w32(v))
            k = tx.call(cb, locker, PM, 0, S_TAKE + a32(t) + a32(to) + w32(v))
            tx.call(k, PM, t, 0, S_XFER + a32(to) + w32(v))
            tx.transfer(t, PM, to, v)
        res = self.send(who, locker, 0, sel("redeem(address,address)") + a32(t) + a32(to), body, gas=160000)
        if res:
            self.claims[(holder, t)] = 0
            self.claim_rows.append(["burn_take", res["hash"], res["block"], holder, t, v])
        return res

    # ---- CoW Protocol: a solver settles a batch
    def cow_batch(self, orders, H="", thief_owner=None):
        """orders: (owner, sell_t, sell_amt, buy_t, buy_amt, receiver); USDT/USDC <-> WETH at the
        oracle price less 0.5 %. The settlement pays buys from what sellers paid in and its buffers;
        a shortfall is bought on the v4 pools in an interaction (unlock from the settlement)."""
        S, VR = self.gpv2, self.vrelayer
        solver = self.rng.choice(self.solvers)
        snap, snap4 = self.snapshot(), {k: dict(v) for k, v in self.v4.items()}

        def body(tx):
            for o, st, sa, bt, ba, rc in orders:
                n = tx.call(-1, S, VR, 0, S_VRPULL)
                tx.call(n, VR, st, 0, S_XFERFROM + a32(o) + a32(S) + w32(sa))
                tx.transfer(st, o, S, sa)
            want = defaultdict(int)
            for o, st, sa, bt, ba, rc in orders:
                want[bt] += ba
            for bt in sorted(want):
                need = want[bt] - tx.tb(bt, S)
                if need <= 0:
                    continue
                n = tx.call(-1, S, self.pm, 0, S_UNLOCK)
                cb = tx.call(n, self.pm, S, 0, S_UNLOCKCB)
                if bt == WETH:  # sell the stablecoin the settlement has most of beyond its buys
                    st = max((self.usdt, self.usdc), key=lambda t: tx.tb(t, S) - want[t])
                    amt = need * ETH_USD * 103 // 100 // 10 ** 12
                    if tx.tb(st, S) - want[st] < amt:
                        raise Abort
                    out = self.v4_body(tx, cb, S, S, st, False, amt, S)
                    tx.wrap(-1, S, out)
                else:
                    w = need * 10 ** 12 * 103 // 100 // ETH_USD
                    if tx.tb(WETH, S) - want[WETH] < w:
                        raise Abort
                    tx.unwrap(-1, S, w)
                    self.v4_body(tx, cb, S, S, bt, True, w, S)
            for o, st, sa, bt, ba, rc in orders:
                tx.call(-1, S, bt, 0, S_XFER + a32(rc) + w32(ba))
                tx.transfer(bt, S, rc, ba)
            for o, st, sa, bt, ba, rc in orders:
                uid = self.h32()[2:] + o[2:] + "%08x" % (self.t + 1800)
                tx.log(S, [T_TRADE, ta(o)], "0x" + a32(st) + a32(bt) + w32(sa) + w32(ba) + w32(0) + w32(224) +
                       w32(56) + uid.ljust(128, "0"))
            tx.log(S, [T_SETTLEMENT, ta(solver)], "0x")
        res = self.send(solver, S, 0, S_SETTLECOW + w32(len(orders)), body, gas=150000 + 90000 * len(orders))
        if res is None:
            self.restore(snap)
            self.v4 = snap4
            return None
        for o, st, sa, bt, ba, rc in orders:
            self.shape(H if o == thief_owner else "", res, "cow_trade", o, S, st, sa, bt, ba, rc)
        return res

    def cow_order(self, u, sell_usd, buy=None):
        """An honest order for a batch: sell a stablecoin for WETH, or WETH for a stablecoin."""
        r = self.rng
        t = r.choice([self.usdt, self.usdc])
        if sell_usd and self.tok[(t, u)] > 200 * E6:
            sa = self.tok[(t, u)] // r.randint(2, 5)
            return (u, t, sa, WETH, sa * 10 ** 12 * 995 // 1000 // ETH_USD, u)
        if self.tok[(WETH, u)] > E18 // 100:
            sa = self.tok[(WETH, u)] // r.randint(1, 3)
            return (u, WETH, sa, buy or t, sa * ETH_USD * 995 // 1000 // 10 ** 12, u)
        return None

    def cow_prep(self, u):
        """An honest user wraps ETH (to sell WETH in a batch later)."""
        v = min(self.eth[u] // 3, int(self.rng.lognormvariate(-0.5, 1.0) * E18))
        if v > E18 // 100:
            self.send(u, WETH, v, sel("deposit()"),
                      lambda tx: (tx.dt.__setitem__((WETH, u), tx.dt[(WETH, u)] + v),
                                  tx.log(WETH, [topic("Deposit(address,uint256)"), ta(u)], "0x" + w32(v))), gas=45000)

    def cow_honest_orders(self, k, buyers_first=False, buy=None):
        r, got, seen = self.rng, [], set()
        for _ in range(40):
            if len(got) >= k:
                break
            u = r.choice(self.users)
            if u in seen or u in self.accts:
                continue
            o = self.cow_order(u, sell_usd=not buyers_first and r.random() < 0.5, buy=buy)
            if o:
                seen.add(u)
                got.append(o)
        return got

    # ---- UniswapX: a filler executes a signed order (token in -> ETH out)
    def x_fill(self, swapper, t, amt, H="", filler=None, others=(), rcpt=None):
        """`others`: (swapper, token, amount) of honest orders the filler executes in the same tx
        (`executeBatch`), each paid from the filler's ETH; `rcpt`: the first order's output
        recipient (the swapper by default: an order's output names any address)."""
        r = self.rng
        filler = filler or r.choice(self.mms)
        R = self.reactor
        orders = [(swapper, t, amt)] + list(others)
        r.shuffle(orders)
        outs = [(s_, t_, a_, a_ * 10 ** 12 * 996 // 1000 // ETH_USD, self.h32()) for s_, t_, a_ in orders]
        to = {s_: s_ for s_, t_, a_ in orders}
        to[swapper] = rcpt or swapper
        for s_, t_, a_, o_, oh in outs:
            if s_ not in self.p2_ok:
                self.send(s_, t_, 0, sel("approve(address,uint256)") + a32(PERMIT2) + w32(MAXU),
                          lambda tx: tx.log(t_, [topic("Approval(address,address,uint256)"), ta(s_), ta(PERMIT2)],
                                            "0x" + w32(MAXU)), gas=46000)
                self.p2_ok.add(s_)

        def body(tx):
            for s_, t_, a_, o_, oh in outs:
                n = tx.call(-1, R, PERMIT2, 0, S_P2WIT + a32(t_) + w32(a_))
                tx.call(n, PERMIT2, t_, 0, S_XFERFROM + a32(s_) + a32(filler) + w32(a_))
                tx.transfer(t_, s_, filler, a_)
            for s_, t_, a_, o_, oh in outs:
                tx.call(-1, R, to[s_], o_)
                tx.log(R, [T_FILL, oh, ta(filler), ta(s_)], "0x" + w32(r.getrandbits(64)))
        tot = sum(o[3] for o in outs)
        inp = (S_XEXEC + w32(32) + outs[0][4][2:]) if len(outs) == 1 else \
            (S_XBATCH + w32(32) + w32(len(outs)) + "".join(o[4][2:] for o in outs))
        res = self.send(filler, R, tot, inp, body, gas=100000 + 60000 * len(outs))
        for s_, t_, a_, o_, oh in outs:
            self.shape(H if s_ == swapper else "", res, "x_fill", s_, filler, t_, a_, "ETH", o_, to[s_])
        return res

    def x_others(self, k):
        r, got = self.rng, []
        for _ in range(3 * k):
            if len(got) >= k:
                break
            u = r.choice(self.users)
            t = r.choice([self.usdt, self.usdc])
            if u not in self.accts and self.tok[(t, u)] > 100 * E6 and u not in [g[0] for g in got]:
                got.append((u, t, self.tok[(t, u)] // r.randint(2, 4)))
        return got

    # ---- ERC-7683 / Across
    def intent_open(self, u, amt, H="", rcpt=None, chain=None):
        r = self.rng
        chain = chain or r.choice(CHAINS_7683)
        rcpt = rcpt or u
        oid = self.h32()
        S = self.settler
        res = self.send(u, S, amt, S_OPEN + w32(32) + w32(r.getrandbits(32)) + oid[2:] + a32(rcpt) + w32(chain),
                        lambda tx: tx.log(S, [T_OPEN, oid], "0x" + self.resolved_order(u, oid, amt, rcpt, chain)),
                        gas=110000)
        if res:
            f = r.choice(self.mms)  # a filler pays the user on the destination chain, is owed here
            self.intent_owed[f] += amt * 999 // 1000
            self.shape(H, res, "intent_open", u, S, "ETH", amt, "ETH", amt, rcpt, chain, rcpt)
            self.lock_rows.append(["ethereum", "deposit", res["hash"], res["block"], res["ts"], u, rcpt, "ETH", amt,
                                   H, ""])
        return res

    def resolved_order(self, u, oid, amt, rcpt, chain):
        """Open's data: the ABI encoding of one ResolvedCrossChainOrder (ERC-7683): an offset word, then
        user, originChainId, openDeadline, fillDeadline, orderId and the offsets (from the tuple) of
        maxSpent (the filler pays `rcpt` on `chain`), minReceived (the filler is repaid here) and
        fillInstructions (one, to the destination settler, empty originData)."""
        out = lambda a, v, to, c: a32(a) + w32(v) + a32(to) + w32(c)
        ms = 32 * 8
        mr = ms + 32 + 128
        fi = mr + 32 + 128
        return (w32(32) + a32(u) + w32(1) + w32(self.t) + w32(self.t + 3600) + oid[2:] + w32(ms) + w32(mr) +
                w32(fi) + w32(1) + out(ZERO, amt, rcpt, chain) + w32(1) + out(ZERO, amt * 999 // 1000, ZERO, 1) +
                w32(1) + w32(32) + w32(chain) + a32(self.settler) + w32(96) + w32(0))

    def intent_fill_here(self, u):
        """An order opened elsewhere paid to `u` here by a filler from its inventory (the settler's fill)."""
        r = self.rng
        f = r.choice(self.mms)
        amt = min(self.eth[f] // 50, int(r.lognormvariate(-0.3, 1.1) * E18))
        S = self.settler
        res = self.send(f, S, amt, S_FILL + self.h32()[2:] + a32(u),
                        lambda tx: (tx.call(-1, S, u, amt),
                                    tx.log(S, [T_FILLED, ta(ZERO), ta(ZERO), "0x" + w32(r.choice(CHAINS_7683))],
                                           "0x" + w32(amt) + w32(amt) + w32(0) + w32(r.getrandbits(32)) + a32(f) +
                                           a32(u))), gas=90000)
        if res:
            self.intent_owed[f] += amt
            self.shape("", res, "intent_fill_here", f, S, "ETH", amt, "ETH", amt, u)
        return res

    def intent_refunds(self):
        """The dataworker's refund leaf: the settler repays fillers what they are owed."""
        owed = [(f, v) for f, v in sorted(self.intent_owed.items()) if v > 0]
        if not owed:
            return
        S = self.settler
        tot = sum(v for f, v in owed)
        if tot > self.eth[S]:
            return

        def body(tx):
            for f, v in owed:
                tx.call(-1, S, f, v)
            tx.log(S, [T_REFUND, "0x" + w32(self.number), "0x" + w32(1)], "0x" + w32(len(owed)))
        res = self.send(self.dataworker, S, 0, S_REFUND + w32(len(owed)), body, gas=120000)
        if res:
            for f, v in owed:
                self.intent_owed[f] = 0
                self.shape("", res, "intent_refund", S, S, "ETH", v, "ETH", v, f)
            self.refund_txs.append(res["hash"])

    # ---- Stargate v2 (native pool)
    def sg_send(self, u, amt, H="", rcpt=None):
        r = self.rng
        eid = r.choice(SG_EIDS)
        rcpt = rcpt or u
        fee = r.randint(20, 200) * 10 ** 12
        guid = self.h32()
        P = self.sgpool
        # send(SendParam, MessagingFee, refundAddress) as the ABI lays it out: SendParam holds
        # `bytes`, so the head's first word is its offset (4 head words); its own head dstEid, to,
        # amountLD, minAmountLD and the offsets of three empty `bytes`
        inp = (S_SGSEND + w32(128) + w32(fee) + w32(0) + a32(u) + w32(eid) + a32(rcpt) + w32(amt) + w32(amt) +
               w32(224) + w32(256) + w32(288) + w32(0) * 3)
        res = self.send(u, P, amt + fee, inp,
                        lambda tx: (tx.call(-1, P, self.lz, fee, sel("send((uint32,bytes32,bytes,bytes,bool),address)")),
                                    tx.log(P, [T_OFTSENT, guid, ta(u)], "0x" + w32(eid) + w32(amt) + w32(amt))),
                        gas=180000)
        if res:
            self.shape(H, res, "stargate_send", u, P, "ETH", amt, "ETH", amt, rcpt, eid, rcpt)
            self.lock_rows.append(["ethereum", "deposit", res["hash"], res["block"], res["ts"], u, rcpt, "ETH", amt, H,
                                   ""])
        return res

    def sg_receive(self, u):
        r = self.rng
        P = self.sgpool
        amt = min(self.eth[P] // 40, int(r.lognormvariate(-0.2, 1.2) * E18))
        guid = self.h32()
        res = self.send(self.lz_exec, self.lz, 0, S_LZRECV + w32(r.choice(SG_EIDS)) + guid[2:] + a32(u),
                        lambda tx: (tx.call(tx.call(-1, self.lz, P, 0, S_LZRECV2), P, u, amt),
                                    tx.log(P, [T_OFTRECV, guid, ta(u)], "0x" + w32(r.choice(SG_EIDS)) + w32(amt))),
                        gas=140000)
        if res:
            self.shape("", res, "stargate_receive", self.lz_exec, P, "ETH", amt, "ETH", amt, u)
        return res

    def sg_lp_dep(self, u, amt):
        P = self.sgpool
        return self.send(u, P, amt, S_SGDEP + a32(u) + w32(amt),
                         lambda tx: tx.transfer(self.sglp, ZERO, u, amt), gas=120000)

    def sg_lp_redeem(self, u):
        P = self.sgpool
        amt = self.tok[(self.sglp, u)] // self.rng.randint(1, 3)
        if amt <= 0 or amt > self.eth[P] // 5:
            return None
        res = self.send(u, P, 0, S_SGRED + w32(amt) + a32(u),
                        lambda tx: (tx.transfer(self.sglp, u, ZERO, amt), tx.call(-1, P, u, amt)), gas=110000)
        if res:
            self.shape("", res, "stargate_redeem", u, P, self.sglp, amt, "ETH", amt, u)
        return res

    # ---- Chainflip vault swaps
    def cf_swap(self, u, amt, btc, H=""):
        V = self.cfvault
        dst = btc.encode()
        cfp = b""
        data = "0x" + w32(3) + w32(192) + w32(5) + w32(amt) + a32(u) + w32(192 + 32 + ((len(dst) + 31) // 32) * 32)
        data += bytes_arg(dst) + bytes_arg(cfp)
        inp = S_CFSWAP + w32(3) + w32(128) + w32(5) + w32(128 + 32 + ((len(dst) + 31) // 32) * 32) + bytes_arg(dst) + \
            bytes_arg(cfp)
        res = self.send(u, V, amt, inp, lambda tx: tx.log(V, [T_CFSWAP, ta(u)], data), gas=60000)
        if res:
            self.shape(H, res, "chainflip_swap", u, V, "ETH", amt, "BTC", "", btc, "bitcoin", btc)
            self.bridge_rows.append([H, res["hash"], res["block"], res["ts"], u, "ETH", amt, "", btc, "chainflip_vault"])
        return res

    def cf_egress(self, u):
        r = self.rng
        V = self.cfvault
        amt = min(self.eth[V] // 40, int(r.lognormvariate(-0.2, 1.2) * E18))
        res = self.send(self.cf_bcast, V, 0, S_CFXFER + w32(r.getrandbits(128)) + w32(r.getrandbits(64)) +
                        a32(self.cf_bcast) + a32(NATIVE_CF) + a32(u) + w32(amt),
                        lambda tx: tx.call(-1, V, u, amt), gas=70000)
        if res:
            self.shape("", res, "chainflip_egress", self.cf_bcast, V, "ETH", amt, "ETH", amt, u)
        return res

    # ---- the shielded pool
    def rg_shield(self, u, amt, H=""):
        RG, t = self.rg, self.usdt
        fee = amt * 25 // 10000
        res = self.send(u, RG, 0, S_SHIELD + w32(32) + w32(1) + a32(t) + w32(amt),
                        lambda tx: (tx.call(-1, RG, t, 0, S_XFERFROM + a32(u) + a32(RG) + w32(amt - fee)),
                                    tx.transfer(t, u, RG, amt - fee),
                                    tx.call(-1, RG, t, 0, S_XFERFROM + a32(u) + a32(self.rg_treas) + w32(fee)),
                                    tx.transfer(t, u, self.rg_treas, fee),
                                    tx.log(RG, [T_SHIELD], "0x" + w32(0) + w32(self.ntx) + w32(160) + w32(288) +
                                           w32(352) + w32(1) + self.h32()[2:] + w32(1) + a32(t) + w32(0) +
                                           w32(amt - fee))), gas=250000)
        self.shape(H, res, "railgun_shield", u, RG, t, amt, t, amt - fee, "")
        return res

    def rg_unshield(self, to, amt, H=""):
        r, RG, t = self.rng, self.rg, self.usdt
        fee = amt * 25 // 10000
        b = r.choice(self.rg_bcast)
        res = self.send(b, RG, 0, S_TRANSACT + w32(32) + a32(to) + w32(amt),
                        lambda tx: (tx.call(-1, RG, t, 0, S_XFER + a32(to) + w32(amt - fee)),
                                    tx.transfer(t, RG, to, amt - fee),
                                    tx.call(-1, RG, t, 0, S_XFER + a32(self.rg_treas) + w32(fee)),
                                    tx.transfer(t, RG, self.rg_treas, fee),
                                    tx.log(RG, [T_UNSHIELD], "0x" + a32(to) + w32(0) + a32(t) + w32(0) +
                                           w32(amt - fee) + w32(fee))), gas=400000)
        self.shape(H, res, "railgun_unshield", b, RG, t, amt, t, amt - fee, to)
        return res

    # ---- honest life with the new shapes
    def honest(self):
        r = self.rng
        x = r.random()
        if x < 0.62:
            return super().honest()
        u = self.some_user()
        hu = lambda: [a for a in self.users if a not in self.accts]
        if x < 0.72:  # v4 swaps both ways
            t = r.choice([self.usdt, self.usdc])
            if self.tok[(t, u)] > 100 * E6 and r.random() < 0.5 and u not in self.accts:
                self.v4_swap(u, t, False, self.tok[(t, u)] // r.randint(2, 4))
            else:
                self.v4_swap(u, t, True, max(E18 // 100, min(self.eth[u] // 3, int(r.lognormvariate(-1, 1.2) * E18))))
        elif x < 0.75:
            self.cow_prep(u)
        elif x < 0.78:
            orders = self.cow_honest_orders(r.randint(2, 6))
            if orders:
                self.cow_batch(orders)
        elif x < 0.81:  # UniswapX: a stablecoin sold to a filler
            t = r.choice([self.usdt, self.usdc])
            if self.tok[(t, u)] > 100 * E6 and u not in self.accts:
                self.x_fill(u, t, self.tok[(t, u)] // r.randint(2, 4),
                            others=self.x_others(r.randint(1, 3)) if r.random() < 0.3 else ())
        elif x < 0.83:
            self.intent_open(u, max(E18 // 100, min(self.eth[u] // 3, int(r.lognormvariate(-0.8, 1.1) * E18))))
        elif x < 0.85:
            self.intent_fill_here(r.choice(hu()))
        elif x < 0.87:
            self.sg_send(u, max(E18 // 100, min(self.eth[u] // 3, int(r.lognormvariate(-0.8, 1.1) * E18))))
        elif x < 0.895:
            self.sg_receive(r.choice(hu()))
        elif x < 0.905:
            if r.random() < 0.5 and self.eth[u] > 2 * E18:
                self.sg_lp_dep(u, self.eth[u] // 4)
            else:
                lps = sorted(a for (t, a), v in self.tok.items() if t == self.sglp and v > 0 and a != self.deployer)
                if lps:
                    self.sg_lp_redeem(r.choice(lps))
        elif x < 0.92:
            btc = bech32_p2wpkh(bytes(r.getrandbits(8) for _ in range(20)))
            self.cf_swap(u, max(E18 // 100, min(self.eth[u] // 3, int(r.lognormvariate(-0.8, 1.1) * E18))), btc)
        elif x < 0.945:
            self.cf_egress(r.choice(hu()))
        elif x < 0.965:
            if self.tok[(self.usdt, u)] > 200 * E6 and u not in self.accts:
                amt = self.tok[(self.usdt, u)] // 2
                if self.rg_shield(u, amt):
                    self.rg_notes.append((u, amt - amt * 25 // 10000))
        elif x < 0.985:
            if self.rg_notes:
                u0, amt = self.rg_notes.pop(r.randrange(len(self.rg_notes)))
                to = u0 if r.random() < 0.5 else self.new("user", (self.meta[u0]["entity_id"], self.meta[u0]["entity_name"]))
                self.rg_unshield(to, amt)
        else:  # a market maker's inventory: USDT to its exchange account, ETH back from the exchange
            m = r.choice(self.mms)
            ci = r.randrange(3)
            d = self.dep_addr(ci, self.meta[m]["entity_id"])
            t = r.choice([self.usdt, self.usdc])
            if self.tok[(t, m)] > 2 * 10 ** 6 * E6:
                if self.pay_token(m, t, d, self.tok[(t, m)] // 3):
                    self.spawn(self.sweep_later(ci, d), r.randint(3, 30))
            else:
                self.send(self.cex[ci]["hot"], m, r.randint(100, 600) * E18)

    # ---- the thief's laundering
    def leaf8(self, H, a, fate):
        r = self.rng
        self.cur = a
        yield from self.hops(H, a, r.randint(0, 1))
        a = self.cur
        if fate == "v4_take":  # ETH -> USDT on v4, cashed out as USDT
            amt = self.eth[a] - E18 // 20
            res = self.v4_swap(a, self.usdt, True, amt, H=H)
            self.flow(H, res, "v4_swap", a, self.pm, "ETH", amt)
            yield r.randint(3, 30)
            yield from self.token_cashout(H, a, self.usdt, r.randint(1, 2))
        elif fate == "v4_claims":  # ETH -> claims (tokens stay in the PoolManager), taken later elsewhere
            locker = self.put(self.send(a, None, create=True, gas=400000)["tx"].to, "thief", ("thief_" + H, "thief of " + H),
                              "contract")
            self.has_code.add(locker)
            yield r.randint(1, 4)
            amt = self.eth[a] - E18 // 5
            res = self.v4_claims_swap(a, locker, amt, self.usdt, locker)
            self.flow(H, res, "v4_claim_mint", a, self.pm, "ETH", amt)
            self.shape(H, res, "v4_claim_mint", a, self.pm, "ETH", amt, self.usdt, res["tx"].out if res else 0, locker)
            yield r.randint(60, 240)
            b = self.thief(H)
            op = self.thief(H)
            self.send(a, op, E18 // 20)
            res = self.v4_claims_take(op, locker, locker, self.usdt, b)
            if res:
                v = self.claim_rows[-1][5]
                self.flow(H, res, "v4_claim_take", self.pm, b, self.usdt, v)
                self.shape(H, res, "v4_claim_take", op, self.pm, self.usdt, v, self.usdt, v, b)
            self.send(a, b, E18 // 20)
            yield r.randint(3, 30)
            yield from self.token_cashout(H, b, self.usdt, 2)
        elif fate == "stargate":
            k = r.randint(1, 2)
            for j in range(k):
                amt = self.eth[a] // (k - j) - E18 // 20
                res = self.sg_send(a, amt, H, rcpt=self.new("thief_offchain", ("thief_" + H, "thief of " + H)))
                self.flow(H, res, "bridge", a, self.sgpool, "ETH", amt)
                yield r.randint(2, 20)
        elif fate == "chainflip":
            k = r.randint(1, 2)
            for j in range(k):
                btc = self.btc[self.btc_i % len(self.btc)]
                self.btc_i += 1
                amt = self.eth[a] // (k - j) - E18 // 50
                res = self.cf_swap(a, amt, btc, H)
                self.flow(H, res, "bridge", a, self.cfvault, "ETH", amt)
                yield r.randint(2, 20)
        elif fate == "intent":
            amt = self.eth[a] - E18 // 20
            res = self.intent_open(a, amt, H, rcpt=self.new("thief_offchain", ("thief_" + H, "thief of " + H)))
            self.flow(H, res, "bridge", a, self.settler, "ETH", amt)
        elif fate == "thor":
            btc = self.btc[self.btc_i % len(self.btc)]
            self.btc_i += 1
            amt = self.eth[a] - E18 // 50
            res = self.thor_deposit(a, amt, btc, H)
            self.flow(H, res, "bridge", a, self.thor, "ETH", amt)
        else:
            yield from self.eth_cashout(H, a)

    def cow_seller(self, H, s, t, chunk):
        """The thief sells its stablecoin in CoW batches with honest orders (buyers of USDT among them)."""
        r = self.rng
        recv = self.thief(H)  # the orders' receiver, half the time (an order names any receiver)
        while self.tok[(t, s)] > 0:
            amt = min(self.tok[(t, s)], chunk)
            if self.tok[(t, s)] - amt < chunk // 5:
                amt = self.tok[(t, s)]
            mine = (s, t, amt, WETH, amt * 10 ** 12 * 995 // 1000 // ETH_USD, recv if r.random() < 0.5 else s)
            orders = self.cow_honest_orders(r.randint(2, 5), buyers_first=True, buy=t)
            orders += [o for o in self.cow_honest_orders(r.randint(1, 3)) if o[0] not in {x[0] for x in orders}]
            pos = r.randrange(len(orders) + 1)
            orders.insert(pos, mine)
            res = self.cow_batch(orders, H, thief_owner=s)
            if res:
                self.flow(H, res, "cow_trade", s, self.gpv2, t, amt)
                for o, st, sa, bt, ba, rc in orders:
                    if o != s:
                        self.cp(o, "cow_cotrader" if st == WETH and bt == t else
                                "cow_same_side" if st == t and bt == WETH else "cow_batch", res["hash"])
            yield r.randint(2, 20)
        yield from self.gather(H, s, recv, ["cex", "chainflip", "cex"])

    def gather(self, H, s, recv, fates):
        """The seller's and its receiver's ETH (WETH unwrapped) to a fresh leaf."""
        r = self.rng
        if self.eth[recv] < E18 // 50 and (self.tok[(WETH, recv)] > 0 or self.eth[recv] > 0):
            res = self.send(s, recv, E18 // 20)
            self.flow(H, res, "hop", s, recv, "ETH", E18 // 20)
        for a in (s, recv):
            w = self.tok[(WETH, a)]
            if w > 0:
                res = self.send(a, WETH, 0, sel("withdraw(uint256)") + w32(w), lambda tx: tx.unwrap(-1, a, w), gas=40000)
                self.flow(H, res, "unwrap", a, WETH, WETH, w)
        yield r.randint(2, 10)
        lf = self.thief(H)
        for a in (recv, s):
            if self.eth[a] > E18 // 20:
                self.send_all(H, a, lf, "hop")
        yield from self.leaf8(H, lf, r.choice(fates))

    def x_seller(self, H, s, t):
        r = self.rng
        recv = self.thief(H)  # the orders' output recipient, half the time
        while self.tok[(t, s)] > 0:
            amt = min(self.tok[(t, s)], r.randint(100, 400) * 1000 * E6)
            if self.tok[(t, s)] - amt < 30000 * E6:
                amt = self.tok[(t, s)]
            f = r.choice(self.mms)
            if self.eth[f] < amt * 10 ** 12 // ETH_USD + 10 * E18:
                self.send(self.cex[r.randrange(3)]["hot"], f, 2000 * E18)  # the filler refills from its exchange
            others = [o for o in self.x_others(r.randint(1, 3)) if o[0] != s] if r.random() < 0.5 else []
            rc = recv if r.random() < 0.5 else s
            res = self.x_fill(s, t, amt, H, filler=f, others=others, rcpt=rc)
            if res:
                self.flow(H, res, "x_fill", s, f, t, amt)
                self.cp(f, "filler_paid_by_thief", res["hash"])
                for o in others:
                    self.cp(o[0], "x_batch_cotrader", res["hash"])
            yield r.randint(2, 15)
        yield from self.gather(H, s, recv, ["cex", "stargate", "v4_take"])

    def v4_seller(self, H, s, t):
        r = self.rng
        recv = self.thief(H)  # the swaps' recipient, half the time
        while self.tok[(t, s)] > 0:
            amt = min(self.tok[(t, s)], r.randint(200, 700) * 1000 * E6)
            if self.tok[(t, s)] - amt < 50000 * E6:
                amt = self.tok[(t, s)]
            res = self.v4_swap(s, t, False, amt, rcpt=recv if r.random() < 0.5 else s, H=H)
            if res:
                self.flow(H, res, "v4_swap", s, self.pm, t, amt)
                self.v4_blocks.append((H, res["block"], res["hash"]))
            yield r.randint(2, 15)
        yield from self.gather(H, s, recv, ["cex", "intent", "chainflip"])

    def rg_thief(self, H, s):
        r = self.rng
        amt = self.tok[(self.usdt, s)]
        notes = []
        k = r.randint(2, 4)
        for i in range(k):
            v = amt // (k - i)
            amt -= v
            res = self.rg_shield(s, v, H)
            self.flow(H, res, "railgun_shield", s, self.rg, self.usdt, v)
            if res:
                notes.append((res["hash"], res["block"], v - v * 25 // 10000))
            yield r.randint(2, 20)
        yield r.randint(100, 250)
        for sh, sb, v in notes:
            to = self.thief(H)
            res = self.rg_unshield(to, v, H)
            if res:
                self.flow(H, res, "railgun_unshield", self.rg, to, self.usdt, v - v * 25 // 10000)
                self.rg_links.append([sh, sb, s, res["hash"], res["block"], to, v, H])
                self.send(self.cex[r.randrange(3)]["hot"], to, E18 // 20)  # gas from an exchange: not stolen
                self.spawn(self.token_cashout(H, to, self.usdt, 1), r.randint(5, 60))
            yield r.randint(5, 40)

    def drain(self, H, V, toks):
        t0 = self.thief(H)
        stolen = {}
        for t in toks:
            amt = self.tok[(t, V)]
            res = self.pay_token(V, t, t0, amt)
            self.flow(H, res, "drain", V, t0, t, amt)
            self.drains[H].append(res["hash"])
            stolen[t] = amt
        res = self.send(V, t0, lambda fee: self.eth[V] - fee, ttype=2)
        self.flow(H, res, "drain", V, t0, "ETH", res["value"])
        self.drains[H].append(res["hash"])
        stolen["ETH"] = res["value"]
        self.stolen[H] = stolen
        self.drain_recipient[H] = t0
        return t0

    def give(self, H, t0, t, amt, eth=E18 // 2):
        s = self.thief(H)
        self.send(t0, s, eth)
        res = self.pay_token(t0, t, s, amt)
        self.flow(H, res, "hop", t0, s, t, amt)
        return s

    def fan(self, H, t0, fates):
        r = self.rng
        leaves = [self.thief(H) for _ in fates]
        left = self.eth[t0] - E18
        shares = [r.random() + 0.3 for _ in leaves]
        for i, lf in enumerate(leaves):
            if i == len(leaves) - 1:
                self.send_all(H, t0, lf, "fan_out")
            else:
                res = self.send(t0, lf, int(left * shares[i] / sum(shares)))
                self.flow(H, res, "fan_out", t0, lf, "ETH", res["value"])
            self.spawn(self.leaf8(H, lf, fates[i]), r.randint(1, 30))
            if i % 4 == 3:
                yield 1

    def heist1(self):
        r, H = self.rng, "h1"
        t0 = self.drain(H, self.victim, (self.usdt, self.usdc))
        yield 2
        ut = self.tok[(self.usdt, t0)]
        for i in range(2):
            s = self.give(H, t0, self.usdt, ut * 3 // 10)
            self.spawn(self.cow_seller(H, s, self.usdt, r.randint(150, 400) * 1000 * E6), r.randint(2, 30))
        s = self.give(H, t0, self.usdt, ut * 25 // 100)
        self.spawn(self.x_seller(H, s, self.usdt), r.randint(2, 30))
        s = self.give(H, t0, self.usdt, self.tok[(self.usdt, t0)], eth=E18 // 5)
        self.spawn(self.rg_thief(H, s), r.randint(5, 40))
        s = self.give(H, t0, self.usdc, self.tok[(self.usdc, t0)])
        self.spawn(self.v4_seller(H, s, self.usdc), r.randint(2, 30))
        yield 1
        fates = ["v4_take", "v4_claims", "stargate", "chainflip", "intent", "cex", "v4_take", "stargate",
                 "chainflip", "thor", "v4_claims", "cex", "intent", "v4_take"]
        yield from self.fan(H, t0, fates)

    def heist2(self):
        r, H = self.rng, "h2"
        t0 = self.drain(H, self.victim2, (self.usdc,))
        yield 2
        uc = self.tok[(self.usdc, t0)]
        s = self.give(H, t0, self.usdc, uc // 2)
        self.spawn(self.x_seller(H, s, self.usdc), r.randint(2, 30))
        s = self.give(H, t0, self.usdc, self.tok[(self.usdc, t0)])
        self.spawn(self.cow_seller(H, s, self.usdc, r.randint(150, 300) * 1000 * E6), r.randint(2, 30))
        yield 1
        yield from self.fan(H, t0, ["v4_take", "stargate", "chainflip", "cex", "v4_claims", "intent", "cex", "stargate"])

    # ---- the run
    def run(self):
        r = self.rng
        self.rebases, self.flash_txs, self.thief_nfts = [], [], []
        self.swapped_in = 0
        self.h2_stolen = defaultdict(int)
        self.stolen, self.drain_recipient, self.v4_blocks, self.refund_txs = {}, {}, [], []
        self.setup()
        self.open_block()
        self.setup2()
        self.nft_holder = self.thief()
        self.close_block()
        self.open_block()
        self.setup3()
        pe = self.entity("bridgeop", "Bridgeline operator hot wallet", "protocol")
        self.victim2 = self.new("protocol_treasury", pe)
        self.send(self.deployer, self.victim2, r.randint(1200, 2000) * E18)
        self.send(self.deployer, self.usdc, 0, sel("mint(address,uint256)"),
                  lambda tx: tx.transfer(self.usdc, ZERO, self.victim2, r.randint(2, 5) * 10 ** 6 * E6), gas=60000)
        self.close_block()
        per = 18
        self.blocks = max(300, self.a.txs // per)
        self.spawn(self.heist1(), self.W(0.15))
        self.spawn(self.heist2(), self.W(0.40))
        while self.number < self.blocks or (self.procs and self.number < self.blocks * 1.5):
            self.open_block()
            self.run_procs()
            if self.number % 150 == 0:
                self.rebase()
            if self.number % 120 == 60:
                self.intent_refunds()
            target = r.randint(per - 6, per + 6)
            while self.block["txs"] < target:
                self.honest()
            self.close_block()
            if self.number >= self.blocks and not self.procs:
                break
        # the counterpart groups from the shapes' later payouts
        thief = {a for a, m in self.meta.items() if m["category"].startswith("thief")}
        first = {}
        for row in self.shape_rows:
            if row[0] and row[3] in ("stargate_send", "chainflip_swap", "railgun_shield", "intent_open"):
                first.setdefault(row[3], row[2])
        after = {"stargate_receive": ("stargate_send", "stargate_payee_after"),
                 "stargate_redeem": ("stargate_send", "stargate_lp"),
                 "chainflip_egress": ("chainflip_swap", "chainflip_payee_after"),
                 "railgun_unshield": ("railgun_shield", "railgun_unshield_after"),
                 "intent_refund": ("intent_open", "intent_filler_repaid"),
                 "intent_fill_here": ("intent_open", "intent_payee_here")}
        for row in self.shape_rows:
            if not row[0] and row[3] in after:
                src, g = after[row[3]]
                if src in first and row[2] > first[src] and row[10] not in thief:
                    self.cp(row[10], g, row[1])
        tb = {b for H, b, h in self.v4_blocks}
        for row in self.shape_rows:
            if not row[0] and row[3] == "v4_swap" and row[2] in tb:
                self.cp(row[10], "v4_same_block", row[1])
        for m in self.mms:
            self.cp(m, "filler", "")

    def write(self, out):
        # heist 2's stolen value for the base writer
        self.h2_stolen = defaultdict(int, self.stolen.get("h2", {}))
        self.h1 = dict(stolen=self.stolen["h1"])
        super().write(out)
        T = os.path.join(out, "truth")

        def wc(name, head, rows):
            with open(os.path.join(T, name), "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(head)
                w.writerows(rows)
        wc("shapes.csv", ["heist", "tx_hash", "block", "shape", "from_address", "contract", "asset_in", "amount_in",
                          "asset_out", "amount_out", "recipient", "dest_chain", "dest_address"], self.shape_rows)
        wc("railgun_links.csv", ["shield_tx", "shield_block", "shielder", "unshield_tx", "unshield_block", "recipient",
                                 "amount", "heist"], self.rg_links)
        wc("claims.csv", ["kind", "tx_hash", "block", "holder", "asset", "amount"], self.claim_rows)
        cat = {a: m["category"] for a, m in self.meta.items()}
        seen, rows = set(), []
        for a, g, h in self.counter:
            if (a, g) not in seen and cat.get(a) in ("user", "market_maker"):
                seen.add((a, g))
                rows.append([a, g, h])
        wc("counterparts.csv", ["address", "group", "tx_hash"], rows)
        thief = {a for a, m in self.meta.items() if m["category"] == "thief"}
        idle = []
        for a in sorted(thief):
            if self.eth[a]:
                idle.append([a, "ETH", self.eth[a]])
            for t in (self.usdt, self.usdc, WETH):
                if self.tok[(t, a)] > 0:
                    idle.append([a, t, self.tok[(t, a)]])
            for t in (self.usdt, self.usdc):
                if self.claims[(a, t)]:
                    idle.append([a, "erc6909:" + t, self.claims[(a, t)]])
        wc("idle.csv", ["address", "asset", "amount"], idle)
        heists = json.load(open(T + "/heists.json"))
        for h in heists:
            H = h["name"]
            h["drain_recipient"] = self.drain_recipient.get(H, "")
            h.pop("flash_wash_txs", None)
            h["victim"] = self.victim if H == "h1" else self.victim2
            h["swapped_in"] = "see shapes.csv"
            h["bridged"] = {k: sum(1 for x in self.shape_rows if x[0] == H and x[3] == k)
                            for k in ("stargate_send", "chainflip_swap", "intent_open")}
            h["note"] = ("the thief's swaps are paid from common stock (v4 PoolManager, CoW settlement and buffers, "
                         "fillers' inventory) and its bridge deposits end here (Stargate, Chainflip, ERC-7683, "
                         "THORChain); railgun unshields are the thief's (railgun_links.csv); the recipients' gas for "
                         "them came from exchange withdrawals (not stolen)")
        json.dump(heists, open(T + "/heists.json", "w"), indent=1)
        wj = json.load(open(T + "/world.json"))
        wj["generator"] = "tests/diff/evm_alt8_world.py"
        wj["market_makers"] = self.mms + self.solvers
        wj["contracts"].update(pool_manager=self.pm, universal_router=self.ur, permit2=PERMIT2,
                               cow_settlement=self.gpv2, cow_vault_relayer=self.vrelayer, uniswapx_reactor=self.reactor,
                               erc7683_settler=self.settler, stargate_pool=self.sgpool, stargate_lp=self.sglp,
                               layerzero_endpoint=self.lz, chainflip_vault=self.cfvault, railgun=self.rg)
        json.dump(wj, open(T + "/world.json", "w"), indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--txs", type=int, default=50000)
    ap.add_argument("--btc-to", default="")
    ap.add_argument("--genesis-ts", type=int, default=1767225600 - 86400)
    a = ap.parse_args()
    if a.txs < 4000:
        raise SystemExit("evm_alt8_world: --txs must be at least 4000 (the heists need the room)")
    w = World(a)
    w.run()
    w.write(a.out)
    sh = defaultdict(int)
    for x in w.shape_rows:
        sh[(x[3], bool(x[0]))] += 1
    print(json.dumps({"txs": w.ntx, "blocks": w.number, "cash_outs": len(w.cash),
                      "shapes": {"%s%s" % (k, "/thief" if t else ""): n for (k, t), n in sorted(sh.items())}}))


if __name__ == "__main__":
    main()
