// anvil_scenario.mjs: drives Foundry's anvil for tests/cli/evm_anvil.sh with raw JSON-RPC
// (Node's fetch; anvil's accounts are unlocked, so eth_sendTransaction needs no signing).
//
//   node anvil_scenario.mjs compile
//   node anvil_scenario.mjs scenario RPC STATE.json      deploys and sends the scenario
//   node anvil_scenario.mjs more RPC STATE.json TAG      a few more transfers (for the reorg)
//   node anvil_scenario.mjs check RPC STATE.json CHAINWATCH STORE
//        every account's balance per asset in the store (received - sent; the node's funded
//        accounts enter as genesis allocations of block 0) against the node's eth_getBalance
//        and balanceOf at the tip; prints "N passed, N failed" and exits 1 on a difference
//
// Contracts (tests/evm/contracts/*.sol) are compiled with the npm solc package (solc-js).
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

function compile() {
    const solc = require('solc');
    const sources = {};
    for (const f of ['Token.sol', 'Forwarder.sol', 'Stable.sol'])
        sources[f] = { content: readFileSync(join(here, 'contracts', f), 'utf8') };
    const input = {
        language: 'Solidity',
        sources,
        settings: { evmVersion: 'paris', optimizer: { enabled: false },
                    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } },
    };
    const out = JSON.parse(solc.compile(JSON.stringify(input)));
    const errs = (out.errors || []).filter((e) => e.severity === 'error');
    if (errs.length) throw new Error('solc: ' + errs.map((e) => e.formattedMessage).join('\n'));
    return {
        Token: out.contracts['Token.sol'].Token.evm.bytecode.object,
        Forwarder: out.contracts['Forwarder.sol'].Forwarder.evm.bytecode.object,
        Stable: out.contracts['Stable.sol'].Stable.evm.bytecode.object,
    };
}

let rpcId = 0;
async function rpc(url, method, params = []) {
    const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' },
                                 body: JSON.stringify({ jsonrpc: '2.0', id: ++rpcId, method, params }) });
    const j = await r.json();
    if (j.error) throw new Error(`${method}: ${JSON.stringify(j.error)}`);
    return j.result;
}

const word = (v) => BigInt(v).toString(16).padStart(64, '0');
const addrWord = (a) => a.toLowerCase().replace(/^0x/, '').padStart(64, '0');
function abiString(s) {
    const hex = Buffer.from(s, 'utf8').toString('hex');
    return word(hex.length / 2) + hex.padEnd(Math.ceil(hex.length / 64) * 64 || 64, '0');
}
// constructor(string,string,uint8,uint256)
function tokenArgs(name, sym, dec, supply) {
    const n = abiString(name), s = abiString(sym);
    return word(128) + word(128 + n.length / 2) + word(dec) + word(supply) + n + s;
}
const SEL = { transfer: 'a9059cbb', approve: '095ea7b3', transferFrom: '23b872dd',
              balanceOf: '70a08231', split: 'b4f2bb31', trySend: '', sweep: '' };

async function send(url, tx) {
    const h = await rpc(url, 'eth_sendTransaction', [tx]);
    for (let i = 0; i < 200; i++) { // automine is asynchronous: wait for the receipt
        const r = await rpc(url, 'eth_getTransactionReceipt', [h]);
        if (r) return { hash: h, receipt: r };
        await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error('no receipt for ' + h);
}

async function selector(sig) {
    // keccak256 via the node itself (web3_sha3), so no hashing library is needed
    const h = await rpc(globalThis.URL_, 'web3_sha3', ['0x' + Buffer.from(sig).toString('hex')]);
    return h.slice(2, 10);
}

async function scenario(url, statePath) {
    globalThis.URL_ = url;
    const bin = compile();
    const acc = await rpc(url, 'eth_accounts');
    const [a0, a1, a2, a3, a4, a5] = acc;
    const state = { accounts: acc.slice(0, 8).map((a) => a.toLowerCase()), tokens: [], contracts: [], txs: {} };
    // ERC-20s
    for (const [name, sym, dec, supply] of [['Test Dollar', 'TUSD', 6, 10n ** 15n],
                                             ['Test Euro', 'TEUR', 18, 10n ** 27n]]) {
        const { receipt } = await send(url, { from: a0, data: '0x' + bin.Token + tokenArgs(name, sym, dec, supply), gas: '0x4c4b40' });
        if (receipt.status !== '0x1') throw new Error('token deployment failed');
        state.tokens.push({ address: receipt.contractAddress.toLowerCase(), symbol: sym, decimals: dec });
    }
    const [tusd, teur] = state.tokens.map((t) => t.address);
    // a forwarder to a3
    const fw = await send(url, { from: a0, data: '0x' + bin.Forwarder + addrWord(a3), gas: '0x2dc6c0' });
    const fwd = fw.receipt.contractAddress.toLowerCase();
    state.contracts.push(fwd);
    // ETH transfers
    await send(url, { from: a0, to: a1, value: '0x' + (5n * 10n ** 18n).toString(16) });
    await send(url, { from: a1, to: a2, value: '0x' + (1234567890123456789n).toString(16) });
    await send(url, { from: a2, to: a4, value: '0x1' });
    // token transfers (a 109e18 one, as in the shared fixture)
    const tt = async (from, token, to, v) => send(url, { from, to: token, data: '0x' + SEL.transfer + addrWord(to) + word(v), gas: '0x186a0' });
    await tt(a0, tusd, a1, 2500000000n);
    await tt(a0, teur, a2, 109000000000000000000n);
    await tt(a2, teur, a5, 1n);
    await tt(a1, tusd, a3, 1000000n);
    // approve + transferFrom (a third party moves tokens)
    await send(url, { from: a1, to: tusd, data: '0x' + SEL.approve + addrWord(a4) + word(10n ** 9n), gas: '0x186a0' });
    await send(url, { from: a4, to: tusd, data: '0x' + SEL.transferFrom + addrWord(a1) + addrWord(a5) + word(7777777n), gas: '0x186a0' });
    // the forwarder: plain receive (internal call to a3), split, a failed internal call
    await send(url, { from: a1, to: fwd, value: '0x' + (3n * 10n ** 18n).toString(16), gas: '0x186a0' });
    const split = await selector('split(address,address)');
    await send(url, { from: a2, to: fwd, value: '0x' + (10n ** 18n + 1n).toString(16), data: '0x' + split + addrWord(a4) + addrWord(a5), gas: '0x30d40' });
    const trySend = await selector('trySend(address)');
    const fail = await send(url, { from: a5, to: fwd, value: '0x' + (2n * 10n ** 17n).toString(16), data: '0x' + trySend + addrWord(tusd), gas: '0x30d40' });
    if (fail.receipt.status !== '0x1') throw new Error('trySend should succeed with a failed internal call');
    state.txs.failed_internal = fail.hash;
    // a failed transaction: a token transfer over the balance (reverted, fee paid)
    const bad = await tt(a5, tusd, a1, 10n ** 18n);
    if (bad.receipt.status !== '0x0') throw new Error('the over-balance transfer should fail');
    state.txs.failed = bad.hash;
    // a failed ETH-carrying call: split to a token contract (rejects ETH) reverts the whole tx
    const bad2 = await send(url, { from: a3, to: fwd, value: '0x' + (10n ** 18n).toString(16), data: '0x' + split + addrWord(tusd) + addrWord(a4), gas: '0x30d40' });
    if (bad2.receipt.status !== '0x0') throw new Error('split to a token should fail');
    state.txs.failed_value = bad2.hash;
    // a USDT-like issuer (Stable.sol), deployed by a7: a4 is blacklisted and its balance
    // destroyed (DestroyedBlackFunds, no Transfer: balanceOf goes to 0), a5 is blacklisted and
    // keeps its frozen balance
    const a7 = acc[7];
    const st = await send(url, { from: a7, data: '0x' + bin.Stable + tokenArgs('Test Tether', 'TUSDT', 6, 10n ** 12n), gas: '0x4c4b40' });
    if (st.receipt.status !== '0x1') throw new Error('stable deployment failed');
    const tusdt = st.receipt.contractAddress.toLowerCase();
    state.tokens.push({ address: tusdt, symbol: 'TUSDT', decimals: 6 });
    await tt(a7, tusdt, a4, 1080000000n);
    await tt(a7, tusdt, a5, 333000000n);
    const call = async (sig, who) => send(url, { from: a7, to: tusdt, data: '0x' + await selector(sig) + addrWord(who), gas: '0x30d40' });
    const fz4 = await call('addBlackList(address)', a4);
    const gone = await call('destroyBlackFunds(address)', a4);
    const fz5 = await call('addBlackList(address)', a5);
    if (gone.receipt.status !== '0x1' || gone.receipt.logs.length !== 1) throw new Error('destroyBlackFunds should succeed with one log');
    state.txs.freeze_destroyed = fz4.hash;
    state.txs.destroy = gone.hash;
    state.txs.freeze_kept = { hash: fz5.hash, block: parseInt(fz5.receipt.blockNumber, 16), account: a5.toLowerCase(), token: tusdt };
    state.tip = parseInt(await rpc(url, 'eth_blockNumber'), 16);
    writeFileSync(statePath, JSON.stringify(state, null, 1));
}

async function more(url, statePath, tag) {
    const state = JSON.parse(readFileSync(statePath, 'utf8'));
    const [a0, a1, a2, a3, a4, a5, a6] = state.accounts;
    const [tusd] = state.tokens.map((t) => t.address);
    const hashes = [];
    const n = tag === 'b' ? 4 : 2; // the second branch is longer
    for (let i = 0; i < n; i++) {
        const r = await send(url, { from: tag === 'b' ? a6 : a0, to: tag === 'b' ? a2 : a1, value: '0x' + (BigInt(i + 1) * 10n ** 17n).toString(16) });
        hashes.push(r.hash);
    }
    const r = await send(url, { from: a1, to: tusd, data: '0x' + SEL.transfer + addrWord(tag === 'b' ? a6 : a2) + word(31337n), gas: '0x186a0' });
    hashes.push(r.hash);
    state.txs['branch_' + tag] = hashes;
    writeFileSync(statePath, JSON.stringify(state, null, 1));
}

async function check(url, statePath, cw, store) {
    const state = JSON.parse(readFileSync(statePath, 'utf8'));
    const tip = await rpc(url, 'eth_blockNumber');
    let passed = 0, failed = 0;
    const ok = (what) => { passed++; console.log('ok   ' + what); };
    const bad = (what) => { failed++; console.log('FAIL ' + what); };
    const who = [...state.accounts, ...state.tokens.map((t) => t.address), ...state.contracts];
    for (const a of who) {
        let j = null;
        try {
            j = JSON.parse(execFileSync(cw, ['address', a, '--store', store, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] }));
        } catch (e) {
            j = { balances: [] }; // not in the store: it never moved value
        }
        const by = {};
        for (const b of j.balances || []) {
            const key = b.asset.id === 0 ? 'ETH' : (b.asset.token && (b.asset.token.address || b.asset.token));
            by[key] = BigInt(b.received) - BigInt(b.sent);
        }
        const node = BigInt(await rpc(url, 'eth_getBalance', [a, tip]));
        const mine = by.ETH || 0n;
        (mine === node ? ok : bad)(`${a} ETH: store ${mine}, node ${node}`);
        for (const t of state.tokens) {
            const v = BigInt(await rpc(url, 'eth_call', [{ to: t.address, data: '0x' + SEL.balanceOf + addrWord(a) }, tip]));
            const m = by[t.address] || 0n;
            (m === v ? ok : bad)(`${a} ${t.symbol}: store ${m}, node balanceOf ${v}`);
        }
    }
    console.log(`${passed} passed, ${failed} failed`);
    process.exit(failed ? 1 : 0);
}

const [cmd, ...args] = process.argv.slice(2);
try {
    if (cmd === 'compile') {
        const b = compile();
        console.log(`Token ${b.Token.length / 2} bytes, Forwarder ${b.Forwarder.length / 2} bytes, Stable ${b.Stable.length / 2} bytes`);
    } else if (cmd === 'scenario') await scenario(args[0], args[1]);
    else if (cmd === 'more') await more(args[0], args[1], args[2]);
    else if (cmd === 'check') await check(args[0], args[1], args[2], args[3]);
    else throw new Error('usage: compile | scenario RPC STATE | more RPC STATE TAG | check RPC STATE CW STORE');
} catch (e) {
    console.error('anvil_scenario: ' + e.message);
    process.exit(2);
}
