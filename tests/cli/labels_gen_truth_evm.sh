#!/usr/bin/env bash
# An EVM world's truth through `labels import gen-truth` (docs/LABELS.md): the parts of a service
# an EVM generator names (bridge router, vault and lock-and-release contract, mixer pools and
# relayers, DEX pairs, instant exchanges) map to label categories, a kind no label category
# covers is kept as `other` with a warning (before: the whole file was refused at its first
# unknown category), EVM addresses get asset ETH (before: XBT). Plain label files stay strict.
source "$(dirname "$0")/../lib/cli.sh"
a() { printf '0x%040x' "$1"; }
cat > "$T/addresses.csv" <<CSV
address,kind,entity_id,entity_name,category,customer_id,exchange
$(a 1),eoa,1,deployer,deployer,,
$(a 2),contract,2,Tethys,token,,
$(a 3),eoa,3,ThorLike,bridge_vault,,
$(a 4),contract,3,ThorLike,bridge_router,,
$(a 5),contract,4,Tornadoish,mixer_pool,,
$(a 6),eoa,5,relayer,mixer_relayer,,
$(a 7),contract,6,Uniswapish,dex_pair,,
$(a 8),eoa,7,Swapco,instant_exchange,,
$(a 9),eoa,8,Binansu,exchange,,
$(a 10),eoa,8,Binansu,exchange_consolidation,,
$(a 11),eoa,9,alice,user,,
bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh,p2wpkh,10,Coinbarn,exchange,,
$(a 12),contract,11,Spanway,bridge_lock,,
$(a 13),contract,8,Binansu,exchange_hot_contract,,
$(a 14),eoa,8,Binansu,exchange_operator,,
CSV
rc=0; "$CW_BIN" labels import gen-truth "$T/addresses.csv" --db "$T/l.db" --exclude individual \
    > /dev/null 2> "$T/err.txt" || rc=$?
check_eq "imported (exit 0)" "$rc" 0
check "deployer and token kept as other, with a warning naming the line" \
    bash -c "grep -q \"line 2: generator category 'deployer'\" '$T/err.txt' && grep -q \"line 3: generator category 'token'\" '$T/err.txt'"
cats() { "$CW_BIN" labels list --db "$T/l.db" --json | jq -r --arg a "$1" '.[] | select(.subject == $a) | [.category, .asset] | join(" ")'; }
check_eq "bridge vault and router: bridge, ETH" "$(cats "$(a 3)"),$(cats "$(a 4)")" "bridge ETH,bridge ETH"
check_eq "a lock-and-release bridge (no memos): bridge" "$(cats "$(a 12)")" "bridge ETH"
check_eq "mixer pool: mixer; relayer: service" "$(cats "$(a 5)"),$(cats "$(a 6)")" "mixer ETH,service ETH"
check_eq "DEX pair: defi; instant exchange: service" "$(cats "$(a 7)"),$(cats "$(a 8)")" "defi ETH,service ETH"
check_eq "exchange and its consolidation address: exchange" "$(cats "$(a 9)"),$(cats "$(a 10)")" "exchange ETH,exchange ETH"
check_eq "a contract hot wallet and its operator: exchange" "$(cats "$(a 13)"),$(cats "$(a 14)")" "exchange ETH,exchange ETH"
check_eq "a Bitcoin address keeps XBT" "$(cats bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh)" "exchange XBT"
check_eq "users excluded" "$(cats "$(a 11)")" ""
# a label category the file names itself still errs in a plain label file (csv stays strict)
printf 'address,entity,category\n%s,x,deployer\n' "$(a 1)" > "$T/plain.csv"
rc=0; "$CW_BIN" labels import csv "$T/plain.csv" --db "$T/p.db" > /dev/null 2>&1 || rc=$?
check_eq "csv: an unknown category is still an error (exit 1)" "$rc" 1
finish
