#!/usr/bin/env bash
# Tether's mint and burn without a Transfer (stop 24): TetherToken's issue() / redeem() change its
# owner's balance and emit only Issue(uint256) / Redeem(uint256). tests/cli/evm/tether_world.py
# writes a chain (ethereum-etl CSVs) whose USDT owner is a multisig contract (internal calls), with
# a direct call, a copy of the contract emitting Issue from its own address, and a tx in which two
# accounts call USDT (the owner not told); the balances must be the contract's, as the fixture
# states them. Without traces only the direct call tells the owner; the others are said, not
# guessed.
source "$(dirname "$0")/../lib/cli.sh"
H=$(dirname "$0")/evm
python3 "$H/tether_world.py" "$T/w"
python3 "$H/tether_world.py" "$T/n" --no-traces
# the fixture's accounts and the txs below (its own hashing): MSIG ALICE BOB OWNER2, then the txs
# (block, index) 1 0, 3 0, 4 1
read -r MSIG ALICE BOB OWNER2 TX10 TX30 TX41 < <(python3 -c '
import hashlib
a = ["0x" + hashlib.sha256(b"tether " + n).hexdigest()[:40] for n in (b"msig", b"alice", b"bob", b"owner2")]
t = ["0x" + hashlib.sha256(repr(("tether tx", b, i)).encode()).hexdigest() for b, i in ((1, 0), (3, 0), (4, 1))]
print(*(a + t))')
USDT=0xdac17f958d2ee523a2206206994597c13d831ec7
usdt() { # usdt STORE ADDR: the address's USDT balance (or net flow), base units
    "$CW_BIN" address "$2" --store "$1" --json --limit 0 |
        jq -r --arg t "$USDT" '[.balances[] | select(.asset.token == $t) | (.balance // .net_flow)][0] // "none"'
}

"$CW_BIN" ingest evm --csv "$T/w" --store "$T/s" --quiet > /dev/null
check "the store checks" "$CW_BIN" check --store "$T/s"
check_eq "balances are checked (from genesis, traces everywhere); USDT is not among the tokens below zero" \
    "$("$CW_BIN" check --store "$T/s" --json | jq -c '[.balances_checked, .problems, ([.tokens_below_zero[]? | select(.token == "'$USDT'")] | length)]')" \
    "[true,0,0]"
check_eq "the owner (a multisig): 1,000,000 issued - 300,000 sent - 200,000 redeemed (the 7 of the two-caller tx not attributed)" \
    "$(usdt "$T/s" "$MSIG")" 500000000000
check_eq "alice: 300,000 - 100,000" "$(usdt "$T/s" "$ALICE")" 200000000000
check_eq "bob: 100,000" "$(usdt "$T/s" "$BOB")" 100000000000
check_eq "owner2, issuing with a direct call: 50" "$(usdt "$T/s" "$OWNER2")" 50000000
check_eq "the copy of TetherToken's Issue moves nothing: two assets (ETH, USDT), the copy no token" \
    "$("$CW_BIN" check --store "$T/s" --json | jq .checked.assets)" 2
check_eq "tx of the issue: the issuer action names the owner and its mint, the movement Issue(uint256)" \
    "$("$CW_BIN" tx "$TX10" --store "$T/s" --json | jq -c '[.issuer_actions[0].action, .issuer_actions[0].account, (.issuer_actions[0].mint | type), ([.movements[] | select(.issued_by_issuer)] | map([.event, .from, .to, .amount]))]')" \
    "[\"issue\",\"$MSIG\",\"number\",[[\"Issue(uint256)\",null,\"$MSIG\",\"1000000000000\"]]]"
check_eq "tx of the redeem: a burn from the owner, Redeem(uint256)" \
    "$("$CW_BIN" tx "$TX30" --store "$T/s" --json | jq -c '[.issuer_actions[0].action, ([.movements[] | select(.redeemed_by_issuer)] | map([.event, .from, .to, .amount]))]')" \
    "[\"redeem\",[[\"Redeem(uint256)\",\"$MSIG\",null,\"200000000000\"]]]"
check_eq "two callers of USDT in one tx: the owner not told, said, no movement" \
    "$("$CW_BIN" tx "$TX41" --store "$T/s" --json | jq -c '[.issuer_actions[0].action, .issuer_actions[0].account, .issuer_actions[0].mint, (.issuer_actions[0].note | test("does not tell the contract.s owner")), ([.movements[] | select(.kind == "erc20")] | length)]')" \
    '["issue",null,null,true,0]'
check_eq "the owner frozen in block 2 stays frozen after its Redeem (an issue or redeem is no unfreeze)" \
    "$("$CW_BIN" address "$MSIG" --store "$T/s" --json --limit 0 | jq -c --arg t "$USDT" '[.balances[] | select(.asset.token == $t) | .frozen.since_block]')" "[2]"
check "address text: the mint said" bash -c "'$CW_BIN' address '$MSIG' --store '$T/s' | grep -q 'issued to the owner by Tether.s contract: Issue, no Transfer'"
check "tx text: the owner not told" bash -c "'$CW_BIN' tx '$TX41' --store '$T/s' | grep -q 'issue .*(owner not told)'"

# without traces: only the tx that calls USDT itself tells the owner
"$CW_BIN" ingest evm --csv "$T/n" --store "$T/sn" --quiet > /dev/null
check "the store without traces checks" "$CW_BIN" check --store "$T/sn"
check_eq "no traces: the multisig's issue and redeem not attributed (net flow -300,000, said per tx)" \
    "$(usdt "$T/sn" "$MSIG") $("$CW_BIN" tx "$TX10" --store "$T/sn" --json | jq -c '[.issuer_actions[0].account, (.issuer_actions[0].note != null)]')" \
    "-300000000000 [null,true]"
check_eq "no traces: the direct call's issue is owner2's" "$(usdt "$T/sn" "$OWNER2")" 50000000
finish
