// anvil_heist.mjs: scripts a small heist on Foundry's anvil for tests/cli/anvil_heist.sh, with
// plain JSON-RPC (Node's fetch; anvil's own accounts are unlocked, fresh addresses are used
// through anvil_impersonateAccount, so nothing is signed here), and writes what a correct trace
// must find, computed from what was sent (values, receipts' gas), never from chainwatch.
//
//   node anvil_heist.mjs RPC STATE.json
//
// Contracts (tests/evm/contracts: Token.sol, Pool.sol, Forwarder.sol) are compiled with the npm
// solc package pinned in package.json, as tests/evm/anvil_scenario.mjs does.
//
// The world (a = anvil's accounts, the rest are fresh addresses derived from names):
//   before: V = a0 deploys TUSD (6 decimals); LP = a1 deploys a constant-product TUSD/ETH pool
//     and adds 2,000,000 TUSD + 1,000 ETH; honest trader U = a2 swaps 5,000 TUSD; two exchanges,
//     hot wallets HA = a3 and HB = a4, each with 5 customer deposit addresses that customers
//     a5..a9 pay and that sweep everything to the hot wallet, which pays 6 withdrawals; a6 pays
//     5 clean ETH to hop H4.
//   the heist: V's hot wallet is drained of 500 ETH (tx eth) and 1,000,000 TUSD (tx token) to
//     thief T. T swaps 600,000 TUSD through the pool (approve + swap: ETH paid by an internal
//     call, at the pool's constant-product price), deposits 400,000 TUSD at DB_T (exchange B),
//     deploys a forwarder to DB_T2 (exchange B), and fans out 150/120/100/79.5/70/60 ETH to
//     F1..F6. F1 pays 100 ETH to DA_T1 (exchange A); F2 passes everything to H2, which passes
//     everything to DA_T1; F3 pays 90 ETH through the forwarder (an internal call) to DB_T2;
//     F4 pays 79 ETH to H4 (which held 5 clean ETH), H4 pays 40 ETH to DA_T2 (exchange A);
//     F5 and F6 hold. HB tops up DB_T's gas; every deposit address sweeps to its hot wallet.
//   after: U swaps 5,000 TUSD again (must get no taint), more honest deposits and withdrawals.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const E = 10n ** 18n;            // wei per ETH
const U6 = 10n ** 6n;            // TUSD base units per TUSD
const GP = 3n * 10n ** 9n;       // gas price of every transaction (legacy), 3 gwei

function compile() {
    const solc = require('solc');
    const sources = {};
    for (const f of ['Token.sol', 'Pool.sol', 'Forwarder.sol'])
        sources[f] = { content: readFileSync(join(here, 'contracts', f), 'utf8') };
    const input = {
        language: 'Solidity',
        sources,
        settings: { evmVersion: 'paris', optimizer: { enabled: false },
                    outputSelection: { '*': { '*': ['evm.bytecode.object'] } } },
    };
    const out = JSON.parse(solc.compile(JSON.stringify(input)));
    const errs = (out.errors || []).filter((e) => e.severity === 'error');
    if (errs.length) throw new Error('solc: ' + errs.map((e) => e.formattedMessage).join('\n'));
    const bc = (f, c) => out.contracts[f][c].evm.bytecode.object;
    return { Token: bc('Token.sol', 'Token'), Pool: bc('Pool.sol', 'Pool'), Forwarder: bc('Forwarder.sol', 'Forwarder') };
}

let URL_ = '', rpcId = 0;
async function rpc(method, params = []) {
    const r = await fetch(URL_, { method: 'POST', headers: { 'content-type': 'application/json' },
                                  body: JSON.stringify({ jsonrpc: '2.0', id: ++rpcId, method, params }) });
    const j = await r.json();
    if (j.error) throw new Error(`${method}: ${JSON.stringify(j.error)}`);
    return j.result;
}
const hex = (v) => '0x' + BigInt(v).toString(16);
const word = (v) => BigInt(v).toString(16).padStart(64, '0');
const addrWord = (a) => a.toLowerCase().replace(/^0x/, '').padStart(64, '0');
function abiString(s) {
    const h = Buffer.from(s, 'utf8').toString('hex');
    return word(h.length / 2) + h.padEnd(Math.ceil(h.length / 64) * 64 || 64, '0');
}
const SEL = { transfer: 'a9059cbb', approve: '095ea7b3', balanceOf: '70a08231' };

// sends one legacy transaction at GP and waits for its receipt; returns hash, receipt, fee (wei)
async function send(tx, { mayFail = false } = {}) {
    const full = { gasPrice: hex(GP), gas: hex(21000), ...tx };
    const h = await rpc('eth_sendTransaction', [full]);
    for (let i = 0; i < 400; i++) { // automine is asynchronous: wait for the receipt
        const r = await rpc('eth_getTransactionReceipt', [h]);
        if (r) {
            if (r.status !== '0x1' && !mayFail) throw new Error(`tx ${h} failed: ${JSON.stringify(tx)}`);
            return { hash: h, receipt: r, fee: BigInt(r.gasUsed) * BigInt(r.effectiveGasPrice) };
        }
        await new Promise((res) => setTimeout(res, 25));
    }
    throw new Error('no receipt for ' + h);
}
const balance = async (a) => BigInt(await rpc('eth_getBalance', [a, 'latest']));
const tokenBalance = async (t, a) => BigInt(await rpc('eth_call', [{ to: t, data: '0x' + SEL.balanceOf + addrWord(a) }, 'latest']));

// a fresh externally owned address per name (keccak256 of the name, by the node itself)
async function fresh(name) {
    const h = await rpc('web3_sha3', ['0x' + Buffer.from('anvil-heist:' + name).toString('hex')]);
    const a = '0x' + h.slice(-40);
    await rpc('anvil_impersonateAccount', [a]);
    return a;
}
async function selector(sig) {
    const h = await rpc('web3_sha3', ['0x' + Buffer.from(sig).toString('hex')]);
    return h.slice(2, 10);
}

async function main(url, statePath) {
    URL_ = url;
    const bin = compile();
    const acc = (await rpc('eth_accounts')).map((a) => a.toLowerCase());
    const [V, LP, U, HA, HB, ...cust] = acc; // cust: a5..a9
    const SWAP = await selector('swapTokensForEth(uint256,uint256,address)');
    const ADDLIQ = await selector('addLiquidity(uint256)');
    const call = (from, to, data, extra = {}) => send({ from, to, data, gas: hex(300000), ...extra });
    const pay = (from, to, v) => send({ from, to, value: hex(v) });
    // everything an EOA holds, less the gas of a plain transfer
    const payAll = async (from, to) => pay(from, to, (await balance(from)) - 21000n * GP);

    // --- the token and the pool ---
    const tok = await send({ from: V, data: '0x' + bin.Token + word(128) + word(192) + word(6) + word(10n ** 7n * U6) +
                             abiString('Test Dollar') + abiString('TUSD'), gas: hex(3000000) });
    const TUSD = tok.receipt.contractAddress.toLowerCase();
    const transfer = (from, to, v) => call(from, TUSD, '0x' + SEL.transfer + addrWord(to) + word(v));
    const approve = (from, sp, v) => call(from, TUSD, '0x' + SEL.approve + addrWord(sp) + word(v));
    const pl = await send({ from: LP, data: '0x' + bin.Pool + addrWord(TUSD), gas: hex(3000000) });
    const POOL = pl.receipt.contractAddress.toLowerCase();
    await transfer(V, LP, 2000000n * U6);
    await transfer(V, U, 10000n * U6);
    await approve(LP, POOL, 2000000n * U6);
    await call(LP, POOL, '0x' + ADDLIQ + word(2000000n * U6), { value: hex(1000n * E) });
    // the pool's reserves, tracked here with the pool's formula (Uniswap V2's getAmountOut)
    let rTok = 2000000n * U6, rEth = 1000n * E;
    const quote = (amountIn) => {
        const out = (amountIn * 997n * rEth) / (rTok * 1000n + amountIn * 997n);
        rTok += amountIn; rEth -= out;
        return out;
    };
    const swap = async (who, amountIn) => {
        await approve(who, POOL, amountIn);
        const expect = quote(amountIn);
        const before = await balance(who);
        const r = await call(who, POOL, '0x' + SWAP + word(amountIn) + word(1) + addrWord(who));
        const got = (await balance(who)) - before + r.fee;
        if (got !== expect) throw new Error(`swap paid ${got} wei, the constant-product formula says ${expect}`);
        return { ...r, out: expect };
    };
    await swap(U, 5000n * U6);

    // --- two exchanges: customer deposit addresses sweeping to hot wallets, withdrawals ---
    const deposits = { A: [], B: [] };
    for (const [X, H] of [['A', HA], ['B', HB]]) {
        for (let k = 0; k < 5; k++) {
            const d = await fresh(`deposit-${X}${k}`);
            deposits[X].push(d);
            await pay(cust[k], d, BigInt(k + 1) * E + BigInt(k) * 10n ** 17n);
            await payAll(d, H);
        }
        for (let k = 0; k < 6; k++)
            await pay(H, k < 5 ? cust[(k + 2) % 5] : U, E / 2n + BigInt(k) * 10n ** 16n);
    }
    const H4 = await fresh('hop-4');
    await pay(cust[1], H4, 5n * E); // clean funds at H4 before the taint arrives

    // --- the heist ---
    const T = await fresh('thief');
    const drainEth = await pay(V, T, 500n * E);
    const drainTok = await transfer(V, T, 1000000n * U6);
    const sw = await swap(T, 600000n * U6);
    const DB_T = await fresh('thief-deposit-B-token');
    await transfer(T, DB_T, 400000n * U6);
    const DB_T2 = await fresh('thief-deposit-B-eth');
    const fw = await send({ from: T, data: '0x' + bin.Forwarder + addrWord(DB_T2), gas: hex(3000000) });
    const FWD = fw.receipt.contractAddress.toLowerCase();
    const F = [];
    const fan = [150n * E, 120n * E, 100n * E, 79n * E + E / 2n, 70n * E, 60n * E];
    for (let i = 0; i < fan.length; i++) {
        F.push(await fresh(`fan-${i + 1}`));
        await pay(T, F[i], fan[i]);
    }
    const DA_T1 = await fresh('thief-deposit-A-1'), DA_T2 = await fresh('thief-deposit-A-2');
    const H2 = await fresh('hop-2');
    const f1 = await pay(F[0], DA_T1, 100n * E);
    const f2 = await payAll(F[1], H2);
    const h2 = await payAll(H2, DA_T1);
    const f3 = await send({ from: F[2], to: FWD, value: hex(90n * E), gas: hex(100000) }); // internal call on
    const f4 = await pay(F[3], H4, 79n * E);
    const h4 = await pay(H4, DA_T2, 40n * E);
    const h2Value = BigInt((await rpc('eth_getTransactionByHash', [h2.hash])).value);

    // --- the exchanges sweep; honest activity goes on ---
    await pay(HB, DB_T, 10n ** 16n); // gas for the token sweep
    await transfer(DB_T, HB, 400000n * U6);
    for (const d of [DA_T1, DA_T2]) await payAll(d, HA);
    await payAll(DB_T2, HB);
    const late = await swap(U, 5000n * U6); // an honest trader at the same pool after the heist
    for (const [X, H] of [['A', HA], ['B', HB]]) {
        await pay(cust[4], deposits[X][0], 2n * E);
        await payAll(deposits[X][0], H);
        await pay(H, cust[0], E);
    }

    // --- what a correct trace finds, from what was sent ---
    // FIFO: every account but H4 holds stolen funds only, so what it pays is stolen in full.
    // H4 held 5 clean ETH, then 79 stolen; its payment of 40 ETH pays its fee first (gas is
    // bought before the value moves), from the clean lot, then 5 - fee clean and 35 + fee
    // stolen. Haircut: H4's payment carries 79/84 of each movement in order (burnt fee, tip,
    // value), each floored, as tainted x v / total. Poison: reach, whole movements.
    const blk = await rpc('eth_getBlockByNumber', [h4.receipt.blockNumber, false]);
    const base = BigInt(blk.baseFeePerGas || '0x0');
    const burnt = base * BigInt(h4.receipt.gasUsed), tip = h4.fee - burnt;
    let t = 79n * E, tot = 84n * E, hcH4 = 0n;
    for (const v of [burnt, tip, 40n * E]) {
        if (v === 0n) continue;
        const c = (t * v) / tot;
        t -= c; tot -= v; hcH4 = c;
    }
    const fifoH4 = 35n * E + h4.fee;
    const exA = 100n * E + h2Value;
    const state = {
        rpc: url, token: TUSD, pool: POOL, forwarder: FWD,
        victim: V, thief: T, honest_trader: U, hot_a: HA, hot_b: HB,
        fan: F, hop2: H2, hop4: H4,
        thief_deposits: { a1: DA_T1, a2: DA_T2, b_token: DB_T, b_eth: DB_T2 },
        customer_deposits: deposits,
        txs: { drain_eth: drainEth.hash, drain_token: drainTok.hash, swap: sw.hash, late_swap: late.hash,
               f1: f1.hash, h2: h2.hash, f3: f3.hash, h4: h4.hash },
        swap: { token_in: (600000n * U6).toString(), eth_out: sw.out.toString() },
        expect: {
            // per exchange and asset, in base units
            fifo: { A: { ETH: (exA + fifoH4).toString() }, B: { ETH: (90n * E).toString(), TUSD: (400000n * U6).toString() } },
            haircut: { A: { ETH: (exA + hcH4).toString() }, B: { ETH: (90n * E).toString(), TUSD: (400000n * U6).toString() } },
            // poison is reach: the whole of each movement into a deposit address (H4's 40 ETH)
            poison: { A: { ETH: (exA + 40n * E).toString() }, B: { ETH: (90n * E).toString(), TUSD: (400000n * U6).toString() } },
            // per deposit address, FIFO
            deposit_fifo: { [DA_T1]: exA.toString(), [DA_T2]: fifoH4.toString(), [DB_T2]: (90n * E).toString(),
                            [DB_T]: (400000n * U6).toString() },
            // stolen ETH held at the end (FIFO): what the node says they hold, all of it stolen,
            // except at H4 (44 ETH - fee stolen, nothing clean left)
            held_fifo: {},
            // gas paid from stolen funds (FIFO): every tx the thief's accounts sent, H4's excepted
            fees_fifo: '0',
        },
    };
    for (const a of [T, F[0], F[2], F[3], F[4], F[5], H4])
        state.expect.held_fifo[a] = (await balance(a)).toString();
    // the thief's accounts' fees: every tx sent by T, F1..F4, H2 (nonce = how many they sent)
    let fees = 0n;
    const tip_ = parseInt(await rpc('eth_blockNumber'), 16);
    const thiefs = new Set([T, ...F, H2]);
    for (let b = parseInt(drainEth.receipt.blockNumber, 16); b <= tip_; b++) {
        const blkb = await rpc('eth_getBlockByNumber', [hex(b), true]);
        for (const tx of blkb.transactions) {
            if (!thiefs.has(tx.from.toLowerCase())) continue;
            const r = await rpc('eth_getTransactionReceipt', [tx.hash]);
            fees += BigInt(r.gasUsed) * BigInt(r.effectiveGasPrice);
        }
    }
    state.expect.fees_fifo = fees.toString();
    if (await tokenBalance(TUSD, T) !== 0n) throw new Error('the thief should hold no TUSD');
    state.tip = tip_;
    writeFileSync(statePath, JSON.stringify(state, null, 1));
}

const [url, statePath] = process.argv.slice(2);
if (!url || !statePath) {
    console.error('usage: node anvil_heist.mjs RPC STATE.json');
    process.exit(2);
}
try {
    await main(url, statePath);
} catch (e) {
    console.error('anvil_heist: ' + e.message);
    process.exit(2);
}
