#!/usr/bin/env bash
# The shared ethereum-etl fixtures (real mainnet rows, ../shared/data/eth-etl-csv/PROVENANCE.md)
# ingest with the counts and cross-references the provenance gives: 116 + 182 = 298 txs, equal
# to the blocks' transaction_count; the token transfers of block 483920 match its logs (the
# decoder refuses a mismatch) and their transactions; the value 109000000000000000000 of the
# 1452581 transfer comes out exact from the log's data word; traces give internal transfers
# (callcode and the top-level call excluded), a failed call moves nothing, a block reward does.
source "$(dirname "$0")/../lib/cli.sh"
need_shared eth-etl-csv/PROVENANCE.md
D=$SHARED/eth-etl-csv
J() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }

# --- blocks 17173049-17173050: blocks and transactions (no receipts)
mkdir -p "$T/a"
ln -s "$D/blocks_17173049-17173050.csv" "$D/transactions_17173049-17173050.csv" "$T/a/"
"$CW_BIN" ingest evm --csv "$T/a" --store "$T/sa" --quiet > /dev/null
check "17173049-50 store checks" "$CW_BIN" check --store "$T/sa"
n=$("$CW_BIN" check --store "$T/sa" --json | J 'd["checked"]["txs"]')
check_eq "298 transactions (116 + 182)" "$n" 298
for b in 17173049:116 17173050:182; do
    got=$("$CW_BIN" block "${b%%:*}" --store "$T/sa" --json | J 'd["transaction_count"], len(d["txs"])' )
    check_eq "block ${b%%:*}: transaction_count and txs" "$got" "(${b##*:}, ${b##*:})"
done
# the largest tx value of the file, exact
v=$("$CW_BIN" tx 0xec7cc4df1ff542793053335700f18d59c3f870e1e4820a42d558c76db832bd14 --store "$T/sa" --json | J 'd["value"], d["status"], d["movements"][0]["probable"]')
check_eq "tx value exact, status unknown without receipts, movement probable" "$v" "('7400000000000000000', 'unknown', True)"
# withdrawals: 16 per block in gwei, paid in wei
w=$("$CW_BIN" block 17173049 --store "$T/sa" --json | J 'd["withdrawals"]')
check_eq "block 17173049 has 16 withdrawals" "$w" 16
first=$("$CW_BIN" address 0xb9d7934878b5fb9610b3fe8a5e441e8fad7e293f --store "$T/sa" --json --limit 500 | J '[m["amount"] for m in d["movements"] if m["kind"]=="withdrawal"][-1]')
check_eq "first withdrawal 45762059 gwei = 45762059000000000 wei" "$first" 45762059000000000

# --- block 483920: blocks, transactions, receipts, logs, token_transfers
mkdir -p "$T/b"
for k in blocks transactions receipts logs token_transfers; do ln -s "$D/${k}_483920.csv" "$T/b/"; done
"$CW_BIN" ingest evm --csv "$T/b" --store "$T/sb" --quiet > /dev/null
check "483920 store checks" "$CW_BIN" check --store "$T/sb"
got=$("$CW_BIN" tx 0x04cbcb236043d8fb7839e07bbc7f5eed692fb2ca55d897f1101eac3e3ad4fab8 --store "$T/sb" --json | J '[(m["kind"], m.get("event"), m["amount"], m["from"], m["to"]) for m in d["movements"]]')
check_eq "483920 tx 0: tip 50853 gas x 50 gwei, then the ERC-20 transfer of 100000" "$got" "[('fee_tip', None, '2542650000000000', '0x1b63142628311395ceafeea5667e7c9026c862ca', '0x52bc44d5378309ee2abf1539bf71de1b7d7be3b5'), ('erc20', 'Transfer(address,address,uint256)', '100000', '0x1b63142628311395ceafeea5667e7c9026c862ca', '0xac4df82fe37ea2187bc8c011a23d743b4f39019a')]"
got=$("$CW_BIN" tx 0x463d53f0ad57677a3b430a007c1c31d15d62c37fab5eee598551697c297c235c --store "$T/sb" --json | J 'd["status"], d["movements"][1]["amount"]')
check_eq "pre-Byzantium receipt: 21000 < 90000 gas means success; value 11000440000000000" "$got" "('success', '11000440000000000')"
# every token transfer row of the file is a movement of the store
python3 - "$D/token_transfers_483920.csv" "$T/sb" "$CW_BIN" <<'PY' && ok "token_transfers_483920.csv rows equal the store's ERC-20 movements" || bad "token transfers differ"
import csv, json, subprocess, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 2
for r in rows:
    d = json.loads(subprocess.check_output([sys.argv[3], "tx", r["transaction_hash"], "--store", sys.argv[2], "--json"]))
    m = [m for m in d["movements"] if m["kind"] == "erc20"]
    assert len(m) == 1, m
    m = m[0]
    assert (m["asset"]["token"], m["from"], m["to"], m["amount"], m["log_index"]) == (r["token_address"], r["from_address"], r["to_address"], r["value"], int(r["log_index"])), (m, r)
PY

# --- block 1452581: the logs with 109000000000000000000, with synthetic blocks/transactions
# rows for the block (the fixture has only logs and token_transfers there)
mkdir -p "$T/c"
python3 - "$T/c" <<'PY'
import sys
d = sys.argv[1]
open(d + "/blocks.csv", "w").write(
    "number,hash,parent_hash,miner,gas_used,gas_limit,timestamp,transaction_count,base_fee_per_gas\n"
    "1452581,0x2753a045428f31dcbe9de1015da67972d172e0da8f9b773a85487774b15166f4,0x" + "11" * 32 + ",0x" + "22" * 20 + ",0,0,1461600000,3,\n")
txs = ["0x5cb4fc2e3d217f3c286358d6bc042259c8befb0dabe450567a987f5770043157", "0x" + "33" * 32,
       "0xcded4ed21d5825c063833ed599814a0f687e3e411657a5ee1170ac625df607b7"]
with open(d + "/transactions.csv", "w") as f:
    f.write("hash,block_number,transaction_index,from_address,to_address,value,gas,gas_price,input\n")
    for i, h in enumerate(txs):
        f.write(f"{h},1452581,{i},0x{'44'*20},0x{'55'*20},0,100000,1,0x\n")
PY
ln -s "$D/logs_1452581.csv" "$D/token_transfers_1452581.csv" "$T/c/"
"$CW_BIN" ingest evm --csv "$T/c" --store "$T/sc" --quiet > /dev/null
got=$("$CW_BIN" tx 0x5cb4fc2e3d217f3c286358d6bc042259c8befb0dabe450567a987f5770043157 --store "$T/sc" --json | J '[m["amount"] for m in d["movements"] if m["kind"]=="erc20"]')
check_eq "the 1452581 transfer is exactly 109000000000000000000" "$got" "['109000000000000000000']"
got=$("$CW_BIN" address 0xf51bc4633f5924465c8c6317169faf3e4312e82f --store "$T/sc" --json | J '[(b["asset"]["token"], b["net_flow"]) for b in d["balances"]]')
check_eq "the receiver's net flow of that token" "$got" "[('0xc66ea802717bfb9833400264dd12c2bceaa34a6d', '109000000000000000000')]"
got=$("$CW_BIN" tx 0xcded4ed21d5825c063833ed599814a0f687e3e411657a5ee1170ac625df607b7 --store "$T/sc" --json | J '[m["amount"] for m in d["movements"] if m["kind"]=="erc20"]')
check_eq "the second transfer: 40000000000" "$got" "['40000000000']"

# --- traces: blocks 1000000, 1000690, 1000895 (separate stores, synthetic block/tx rows)
mk_trace_block() { # DIR NUMBER TRACEFILE: blocks/transactions rows for the traces' txs
    python3 - "$1" "$2" "$3" <<'PY'
import csv, sys
d, num, tf = sys.argv[1], sys.argv[2], sys.argv[3]
rows = list(csv.DictReader(open(tf)))
txs = {}
for r in rows:
    if r["transaction_hash"] and r["trace_address"] == "":
        txs[int(r["transaction_index"])] = r
open(d + "/blocks.csv", "w").write(
    "number,hash,parent_hash,miner,gas_used,timestamp,transaction_count\n"
    f"{num},0x{'66'*32},0x{'77'*32},0x{'88'*20},0,1455000000,{len(txs)}\n")
with open(d + "/transactions.csv", "w") as f:
    f.write("hash,block_number,transaction_index,from_address,to_address,value,gas,gas_price,input\n")
    for i in sorted(txs):
        r = txs[i]
        f.write(f"{r['transaction_hash']},{num},{i},{r['from_address']},{r['to_address']},{r['value']},{r['gas'] or 0},1,0x\n")
PY
}
for t in 1000000_subtraces 1000690_create 1000895_error; do
    mkdir -p "$T/t$t"
    mk_trace_block "$T/t$t" "${t%%_*}" "$D/traces_$t.csv"
    ln -s "$D/traces_$t.csv" "$T/t$t/"
    "$CW_BIN" ingest evm --csv "$T/t$t" --store "$T/st$t" --quiet > /dev/null || bad "traces $t: ingest failed"
    check "traces $t: store checks" "$CW_BIN" check --store "$T/st$t"
done
got=$("$CW_BIN" tx 0xea1093d492a1dcb1bef708f771a99a96ff05dcab81ca76c31940300177fcf49f --store "$T/st1000000_subtraces" --json | J 'd["status"], [(m["kind"], m["amount"]) for m in d["movements"]]')
check_eq "1000000: the 100 ETH call, its callcode moves nothing more" "$got" "('success', [('tx', '100000000000000000000')])"
got=$("$CW_BIN" tx 0xa2f089480e6fd907e786a88d928ba20feeca2ca37ffa84c2d54bae42f5d989c9 --store "$T/st1000895_error" --json | J 'd["status"], d["movements"]')
check_eq "1000895: the out-of-gas call failed and moved nothing" "$got" "('failed', [])"
got=$("$CW_BIN" address 0x63a9975ba31b0b9626b34300f7f627147df1f526 --store "$T/st1000895_error" --json | J '[(m["kind"], m["amount"], m["from"]) for m in d["movements"]]')
check_eq "1000895: the 5 ETH block reward" "$got" "[('reward', '5000000000000000000', None)]"
got=$("$CW_BIN" address 0x5b3c526b152b1f3d8eabe2ec27f49b904ad51cad --store "$T/st1000690_create" --json | J 'd["net_flow"] if "net_flow" in d else [b["net_flow"] for b in d["balances"]]')
check_eq "1000690: 64655529900000002048 wei exact (not a float)" "$got" "['64655529900000002048']"
# the text output scales by the decimals, exactly (a double would print ...0000002 or round)
"$CW_BIN" address 0x5b3c526b152b1f3d8eabe2ec27f49b904ad51cad --store "$T/st1000690_create" > "$T/a.txt"
check "text: 64.655529900000002048 ETH, exact" grep -q "ETH  *64.655529900000002048 ETH net" "$T/a.txt"
check "text: no raw base units" bash -c '! grep -q "base units" "$1"' _ "$T/a.txt"
"$CW_BIN" address 0x63a9975ba31b0b9626b34300f7f627147df1f526 --store "$T/st1000895_error" > "$T/r.txt"
check "text: the block reward as 5 ETH" grep -q "reward  *5 ETH " "$T/r.txt"
"$CW_BIN" address 0xb9d7934878b5fb9610b3fe8a5e441e8fad7e293f --store "$T/sa" --limit 500 > "$T/w.txt"
check "text: the first withdrawal as 0.045762059 ETH" grep -q "withdrawal 0.045762059 ETH " "$T/w.txt"
finish
